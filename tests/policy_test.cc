#include "gatescan/policy/policy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "test_support.h"

namespace gatescan {
namespace {

namespace fs = std::filesystem;

constexpr int kContainers = 0, kInit = 1, kEphemeral = 2;

class PolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gatescan-policy-test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

  Policy Load(std::vector<std::string> paths, std::vector<std::string> allow = {}) {
    Policy policy;
    Status s = LoadPolicy(PolicyOptions{std::move(paths), std::move(allow)}, &policy);
    EXPECT_TRUE(s.ok()) << s.message();
    return policy;
  }

  std::string LoadError(std::vector<std::string> paths) {
    Policy policy;
    Status s = LoadPolicy(PolicyOptions{std::move(paths), {}}, &policy);
    EXPECT_FALSE(s.ok());
    return s.message();
  }

  fs::path dir_;
};

std::string Render(const MessageFormat& f, std::string_view name, std::string_view image,
                   std::string_view list) {
  std::string out;
  for (size_t i = 0; i < f.args.size(); ++i) {
    out += f.literals[i];
    out += f.args[i] == MessageFormat::Arg::kName    ? name
           : f.args[i] == MessageFormat::Arg::kImage ? image
                                                     : list;
  }
  return out + f.literals.back();
}

void ExpectSameRules(const ConstraintTemplate& a, const ConstraintTemplate& b) {
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.parameter, b.parameter);
  EXPECT_EQ(a.predicate, b.predicate);
  for (int i = 0; i < kContainerListCount; ++i) {
    ASSERT_EQ(a.rules[i].has_value(), b.rules[i].has_value()) << i;
    if (!a.rules[i]) continue;
    EXPECT_EQ(a.rules[i]->literals, b.rules[i]->literals) << i;
    EXPECT_EQ(a.rules[i]->args, b.rules[i]->args) << i;
  }
}

const char* kConstraint = R"(apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedRepos
metadata:
  name: foo
spec:
  parameters:
    repos: ["gcr.io/"]
)";

// The v2 template's structure (gatekeeper-library allowedreposv2 1.0.0 used
// `violation[...] {`, 1.0.1 uses `violation contains ... if {`).
std::string V2Template(bool contains_if) {
  const std::string head =
      contains_if ? "violation contains ({\"msg\": msg}) if {" : "violation[{\"msg\": msg}] {";
  const std::string helper_if = contains_if ? " if" : "";
  std::string rego;
  if (contains_if) rego += "import future.keywords.contains\nimport future.keywords.if\n\n";
  for (auto [list, word] :
       {std::pair{"containers", "container"}, std::pair{"initContainers", "initContainer"},
        std::pair{"ephemeralContainers", "ephemeralContainer"}}) {
    rego += head + "\n  container := input.review.object.spec." + list +
            "[_]\n  not image_matches(container.image, input.parameters.allowedImages)\n"
            "  msg := sprintf(\"" +
            word +
            " <%v> has an invalid image <%v>, allowed images are %v\", [container.name, "
            "container.image, "
            "input.parameters.allowedImages])\n}\n\n";
  }
  rego += "image_matches(image, images)" + helper_if +
          " {\n  i_image := images[_]  # each\n  not endswith(i_image, \"*\")  # exact\n  i_image "
          "== image\n}\n\n";
  rego += "image_matches(image, images)" + helper_if +
          " {\n  i_image := images[_]\n  endswith(i_image, \"*\")\n  prefix := "
          "trim_suffix(i_image, \"*\")\n"
          "  startswith(image, prefix)\n}\n";
  std::string yaml =
      "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata:\n  name: "
      "k8sallowedreposv2\n"
      "spec:\n  crd:\n    spec:\n      names:\n        kind: K8sAllowedReposv2\n      validation:\n"
      "        openAPIV3Schema:\n          type: object\n          properties:\n            "
      "allowedImages:\n"
      "              type: array\n              items:\n                type: string\n"
      "  targets:\n    - target: admission.k8s.gatekeeper.sh\n      rego: |\n        package "
      "k8sallowedreposv2\n";
  std::string line;
  for (char c : rego) {
    if (c == '\n') {
      yaml += line.empty() ? "\n" : "        " + line + "\n";
      line.clear();
    } else {
      line += c;
    }
  }
  return yaml;
}

// A template with one rule whose body is `body` (indented by the caller).
std::string OneRuleTemplate(const std::string& name, const std::string& body,
                            const std::string& kind = "K8sFoo") {
  return "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata:\n  name: " +
         name + "\nspec:\n  crd:\n    spec:\n      names:\n        kind: " + kind +
         "\n  targets:\n"
         "    - target: admission.k8s.gatekeeper.sh\n      rego: |\n        package foo\n"
         "        violation[{\"msg\": msg}] {\n" +
         body + "        }\n";
}

TEST_F(PolicyTest, SeedTemplateReportsEveryListAsContainer) {
  const fs::path datasets = testing::SourceDir() / "datasets";
  Policy p = Load({(datasets / "k8sallowedrepos-template.yaml").string(),
                   (datasets / "whitelist-dockerhub.yaml").string()});
  ASSERT_EQ(p.templates.size(), 1u);
  const ConstraintTemplate& t = p.templates[0];
  EXPECT_EQ(t.name, "k8sallowedrepos");
  EXPECT_EQ(t.kind, "K8sAllowedRepos");
  EXPECT_EQ(t.parameter, "repos");
  EXPECT_EQ(t.predicate, RepoPredicate::kPrefix);
  ASSERT_TRUE(t.rules[kContainers] && t.rules[kInit]);
  EXPECT_FALSE(t.rules[kEphemeral]);
  EXPECT_EQ(Render(*t.rules[kInit], "n", "i", "[\"docker.io\"]"),
            "container <n> has an invalid image repo <i>, allowed repos are [\"docker.io\"]");
  EXPECT_EQ(t.rules[kContainers]->literals, t.rules[kInit]->literals);

  ASSERT_EQ(p.constraints.size(), 1u);
  const Constraint& c = p.constraints[0];
  EXPECT_EQ(c.name, "whitelist-dockerhub");
  EXPECT_EQ(c.template_index, 0u);
  EXPECT_TRUE(c.has_list);
  EXPECT_EQ(c.entries, std::vector<std::string>{"docker.io"});
  EXPECT_EQ(c.entries_rendered, "[\"docker.io\"]");
  EXPECT_EQ(c.action, EnforcementAction::kDeny);
  ASSERT_EQ(c.match.kinds.size(), 1u);
  EXPECT_EQ(c.match.kinds[0].api_groups, std::vector<std::string>{""});
  EXPECT_EQ(c.match.kinds[0].kinds, std::vector<std::string>{"Pod"});
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_EQ(p.warnings[0],
            "allowlist entry \"docker.io\" (K8sAllowedRepos/whitelist-dockerhub) is a raw prefix: "
            "it also "
            "allows \"docker.io.evil.com/\xE2\x80\xA6\"; write \"docker.io/\" to allow only that "
            "registry or path");
}

TEST_F(PolicyTest, LibraryTemplateMatchesBuiltin) {
  GS_REQUIRE_CORPUS();
  const fs::path file =
      testing::CorpusDir() / "gatekeeper-library/library/general/allowedrepos/template.yaml";
  Policy p = Load({file.string()});
  ASSERT_EQ(p.templates.size(), 1u);
  ExpectSameRules(p.templates[0], BuiltinAllowedReposTemplate());
  EXPECT_EQ(Render(*p.templates[0].rules[kEphemeral], "d", "busybox", "[]"),
            "ephemeralContainer <d> has an invalid image repo <busybox>, allowed repos are []");
  EXPECT_EQ(Render(*p.templates[0].rules[kInit], "d", "x", "[]"),
            "initContainer <d> has an invalid image repo <x>, allowed repos are []");
}

TEST_F(PolicyTest, V2TemplateInBothRegoSyntaxes) {
  for (bool contains_if : {false, true}) {
    Policy p = Load({Write(contains_if ? "v2b.yaml" : "v2a.yaml", V2Template(contains_if))});
    ASSERT_EQ(p.templates.size(), 1u);
    ExpectSameRules(p.templates[0], BuiltinAllowedReposV2Template());
    EXPECT_EQ(p.templates[0].predicate, RepoPredicate::kExactOrGlob);
    EXPECT_EQ(p.templates[0].parameter, "allowedImages");
  }
  EXPECT_EQ(Render(*BuiltinAllowedReposV2Template().rules[kContainers], "a", "b", "[\"x*\"]"),
            "container <a> has an invalid image <b>, allowed images are [\"x*\"]");
}

TEST_F(PolicyTest, BuiltinsServeConstraintsWithoutTemplates) {
  Policy p = Load({Write(
      "c.yaml", std::string(kConstraint) +
                    "---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sAllowedReposv2\n"
                    "metadata: {name: bar}\nspec: {parameters: {allowedImages: [\"nginx\", "
                    "\"gcr.io/*\"]}}\n")});
  ASSERT_EQ(p.constraints.size(), 2u);
  EXPECT_EQ(p.templates[p.constraints[0].template_index].source, "built-in");
  EXPECT_EQ(p.templates[p.constraints[0].template_index].kind, "K8sAllowedRepos");
  EXPECT_EQ(p.templates[p.constraints[1].template_index].kind, "K8sAllowedReposv2");
  EXPECT_EQ(p.constraints[1].entries_rendered, "[\"nginx\", \"gcr.io/*\"]");
  // v2 entries are exact or globs: no raw-prefix warning for them; gcr.io/ is bounded.
  EXPECT_TRUE(p.warnings.empty());

  // A given template of the same kind replaces the built-in, in any file order.
  const fs::path seed = testing::SourceDir() / "datasets/k8sallowedrepos-template.yaml";
  Policy q = Load({Write("c2.yaml", kConstraint), seed.string()});
  ASSERT_EQ(q.templates.size(), 1u);
  EXPECT_FALSE(q.templates[0].rules[kEphemeral]);
  EXPECT_EQ(q.constraints[0].template_index, 0u);
}

TEST_F(PolicyTest, RenderRegoStringArrayQuotesLikeGo) {
  EXPECT_EQ(RenderRegoStringArray({}), "[]");
  EXPECT_EQ(RenderRegoStringArray({"a"}), "[\"a\"]");
  EXPECT_EQ(RenderRegoStringArray(
                {"q\"b\\", "n\nt\t", std::string("\x01", 1), "\xE2\x80\xA8", "caf\xC3\xA9", ""}),
            "[\"q\\\"b\\\\\", \"n\\nt\\t\", \"\\x01\", \"\\u2028\", \"caf\xC3\xA9\", \"\"]");
  // The same strings read from a policy file.
  Policy p = Load({Write(
      "odd.yaml",
      std::string(kConstraint)
          .replace(std::string(kConstraint).find("[\"gcr.io/\"]"), 11,
                   "[\"q\\\"b\\\\\", \"n\\nt\\t\", \"\\x01\", \"\\u2028\", \"caf\xC3\xA9\"]"))});
  ASSERT_EQ(p.constraints.size(), 1u);
  EXPECT_EQ(p.constraints[0].entries,
            (std::vector<std::string>{"q\"b\\", "n\nt\t", "\x01", "\xE2\x80\xA8", "caf\xC3\xA9"}));
  EXPECT_EQ(p.constraints[0].entries_rendered,
            "[\"q\\\"b\\\\\", \"n\\nt\\t\", \"\\x01\", \"\\u2028\", \"caf\xC3\xA9\"]");
}

TEST_F(PolicyTest, ParametersAreCheckedAgainstTheSchema) {
  const std::string head =
      "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sAllowedRepos\nmetadata: {name: "
      "foo}\n";
  const std::string bad =
      Write("policy.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n" + head +
                               "spec: {parameters: {repos: [\"a/\", 1]}}\n");
  EXPECT_EQ(LoadError({bad}),
            bad +
                " (document 2): K8sAllowedRepos/foo: spec.parameters.repos must be an array "
                "of strings, item 1 is a number");
  const std::string scalar = Write("s.yaml", head + "spec: {parameters: {repos: gcr.io/}}\n");
  EXPECT_EQ(LoadError({scalar}), scalar +
                                     " (document 1): K8sAllowedRepos/foo: spec.parameters.repos "
                                     "must be an array of strings, not "
                                     "a string");
  const std::string boolean = Write("b.yaml", head + "spec: {parameters: {repos: [yes]}}\n");
  EXPECT_NE(LoadError({boolean}).find("item 0 is a boolean"), std::string::npos);
  const std::string noname =
      Write("n.yaml", "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sAllowedRepos\n");
  EXPECT_NE(LoadError({noname}).find("metadata.name is required"), std::string::npos);

  const std::string kind = "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sAllowedRepos\n";
  Policy p = Load({Write("ok.yaml", head + "spec: {parameters: {repos: null}}\n---\n" + kind +
                                        "metadata: {name: b}\nspec: {}\n---\n" + kind +
                                        "metadata: {name: c}\nspec: {parameters: {repos: []}}\n")});
  ASSERT_EQ(p.constraints.size(), 3u);
  EXPECT_FALSE(p.constraints[0].has_list);
  EXPECT_FALSE(p.constraints[1].has_list);
  EXPECT_TRUE(p.constraints[2].has_list);
  EXPECT_EQ(p.constraints[2].entries_rendered, "[]");
}

TEST_F(PolicyTest, EnforcementActions) {
  auto with_action = [](const std::string& name, const std::string& spec) {
    return "---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sAllowedRepos\nmetadata: "
           "{name: " +
           name + "}\nspec:\n" + spec;
  };
  Policy p = Load({Write(
      "a.yaml", with_action("a", "  enforcementAction: \"\"\n") +
                    with_action("b", "  enforcementAction: dryrun\n") +
                    with_action("c", "  enforcementAction: warn\n") +
                    with_action("d", "  enforcementAction: deny\n") +
                    with_action("e",
                                "  enforcementAction: scoped\n  scopedEnforcementActions:\n"
                                "  - action: Warn\n    enforcementPoints:\n"
                                "    - name: Validation.Gatekeeper.Sh\n"
                                "  - action: deny\n    enforcementPoints: [{name: \"*\"}]\n"))});
  ASSERT_EQ(p.constraints.size(), 5u);
  EXPECT_EQ(p.constraints[0].action, EnforcementAction::kDeny);
  EXPECT_EQ(p.constraints[1].action, EnforcementAction::kDryrun);
  EXPECT_EQ(p.constraints[2].action, EnforcementAction::kWarn);
  EXPECT_EQ(p.constraints[3].action, EnforcementAction::kDeny);
  EXPECT_EQ(p.constraints[4].action, EnforcementAction::kScoped);
  ASSERT_EQ(p.constraints[4].scoped_actions.size(), 2u);
  EXPECT_EQ(p.constraints[4].scoped_actions[0].action, "warn");
  EXPECT_EQ(p.constraints[4].scoped_actions[0].enforcement_points,
            std::vector<std::string>{"validation.gatekeeper.sh"});
  EXPECT_EQ(p.constraints[4].scoped_actions[1].enforcement_points, std::vector<std::string>{"*"});
  EXPECT_EQ(ActionName(EnforcementAction::kDryrun), "dryrun");
  EXPECT_EQ(ActionName(EnforcementAction::kScoped), "scoped");

  EXPECT_NE(LoadError({Write("x.yaml", with_action("x", "  enforcementAction: block\n"))})
                .find("K8sAllowedRepos/x: spec.enforcementAction \"block\" is not one of"),
            std::string::npos);
  EXPECT_NE(LoadError({Write("y.yaml", with_action("num", "  enforcementAction: 3\n"))})
                .find("spec.enforcementAction must be a string, not a number"),
            std::string::npos);
  EXPECT_NE(LoadError({Write("z.yaml",
                             with_action("z", "  scopedEnforcementActions: [{action: nope}]\n"))})
                .find("spec.scopedEnforcementActions[0].action \"nope\""),
            std::string::npos);
}

TEST_F(PolicyTest, MatchIsParsed) {
  Policy p = Load({Write("m.yaml", R"(apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedRepos
metadata:
  name: m
  annotations: {owner: team-a}
  labels: {tier: "1"}
spec:
  match:
    kinds:
      - apiGroups: ["", "apps"]
        kinds: ["Pod", "Deployment"]
      - apiGroups: ["*"]
        kinds: ["*"]
    scope: Namespaced
    source: Generated
    namespaces: ["prod-*"]
    excludedNamespaces: [kube-system, "*-sandbox"]
    name: "web-*"
    labelSelector:
      matchLabels: {app: web}
      matchExpressions:
        - {key: tier, operator: In, values: [frontend, backend]}
        - {key: legacy, operator: DoesNotExist}
    namespaceSelector:
      matchExpressions:
        - {key: env, operator: NotIn, values: [dev]}
        - {key: team, operator: Exists}
  parameters: {repos: ["gcr.io/"]}
)")});
  ASSERT_EQ(p.constraints.size(), 1u);
  const Constraint& c = p.constraints[0];
  EXPECT_EQ(c.annotations.at("owner"), "team-a");
  EXPECT_EQ(c.labels.at("tier"), "1");
  const MatchSpec& m = c.match;
  ASSERT_EQ(m.kinds.size(), 2u);
  EXPECT_EQ(m.kinds[0].api_groups, (std::vector<std::string>{"", "apps"}));
  EXPECT_EQ(m.kinds[0].kinds, (std::vector<std::string>{"Pod", "Deployment"}));
  EXPECT_EQ(m.kinds[1].kinds, std::vector<std::string>{"*"});
  EXPECT_EQ(m.scope, MatchScope::kNamespaced);
  EXPECT_EQ(m.source, MatchSource::kGenerated);
  EXPECT_EQ(m.namespaces, std::vector<std::string>{"prod-*"});
  EXPECT_EQ(m.excluded_namespaces, (std::vector<std::string>{"kube-system", "*-sandbox"}));
  EXPECT_EQ(m.name, "web-*");
  ASSERT_TRUE(m.label_selector.has_value());
  ASSERT_EQ(m.label_selector->match_labels.size(), 1u);
  EXPECT_EQ(m.label_selector->match_labels[0], (std::pair<std::string, std::string>{"app", "web"}));
  ASSERT_EQ(m.label_selector->match_expressions.size(), 2u);
  EXPECT_EQ(m.label_selector->match_expressions[0].op, LabelRequirement::Op::kIn);
  EXPECT_EQ(m.label_selector->match_expressions[0].values,
            (std::vector<std::string>{"frontend", "backend"}));
  EXPECT_EQ(m.label_selector->match_expressions[1].op, LabelRequirement::Op::kDoesNotExist);
  ASSERT_TRUE(m.namespace_selector.has_value());
  EXPECT_EQ(m.namespace_selector->match_expressions[0].op, LabelRequirement::Op::kNotIn);
  EXPECT_EQ(m.namespace_selector->match_expressions[1].key, "team");
  EXPECT_EQ(m.namespace_selector->match_expressions[1].op, LabelRequirement::Op::kExists);

  const std::string head =
      "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sAllowedRepos\nmetadata: {name: "
      "w}\nspec:\n  match:\n";
  EXPECT_NE(LoadError({Write("w1.yaml", head + "    kinds: Pod\n")})
                .find("spec.match.kinds must be an array"),
            std::string::npos);
  EXPECT_NE(
      LoadError({Write("w2.yaml", head + "    scope: Everything\n")}).find("spec.match.scope"),
      std::string::npos);
  EXPECT_NE(LoadError({Write("w2s.yaml", head + "    source: generated\n")})
                .find("spec.match.source \"generated\" is not one of All, Original, Generated"),
            std::string::npos);
  EXPECT_EQ(Load({Write("w2a.yaml", head + "    source: All\n")}).constraints[0].match.source,
            MatchSource::kAll);
  EXPECT_NE(LoadError({Write("w3.yaml", head + "    namespaces: [1]\n")})
                .find("spec.match.namespaces must be an array of strings"),
            std::string::npos);
  EXPECT_NE(
      LoadError(
          {Write("w4.yaml",
                 head + "    labelSelector: {matchExpressions: [{key: a, operator: Has}]}\n")})
          .find("spec.match.labelSelector.matchExpressions[0].operator"),
      std::string::npos);
  EXPECT_NE(LoadError({Write("w5.yaml", head + "    namespaceSelector: {matchLabels: {a: 1}}\n")})
                .find("spec.match.namespaceSelector.matchLabels.a must be a string, not a number"),
            std::string::npos);
}

TEST_F(PolicyTest, NamespacesConfigAndExpansionTemplates) {
  Policy p = Load({Write("objs.yaml", R"(apiVersion: v1
kind: Namespace
metadata:
  name: prod
  labels: {env: prod, team: a}
---
apiVersion: config.gatekeeper.sh/v1alpha1
kind: Config
metadata: {name: config, namespace: gatekeeper-system}
spec:
  match:
    - excludedNamespaces: ["kube-*", gatekeeper-system]
      processes: ["audit", "webhook"]
    - excludedNamespaces: [only-webhook]
      processes: ["webhook"]
    - excludedNamespaces: [everything]
      processes: ["*"]
---
apiVersion: expansion.gatekeeper.sh/v1beta1
kind: ExpansionTemplate
metadata: {name: expand-deployments}
spec:
  applyTo:
    - groups: ["apps"]
      kinds: ["Deployment", "ReplicaSet"]
      versions: ["v1"]
  templateSource: "spec.template"
  enforcementAction: warn
  generatedGVK: {kind: Pod, group: "", version: v1}
)")});
  ASSERT_EQ(p.namespaces.size(), 1u);
  const auto* labels = p.namespaces.Find("prod");
  ASSERT_NE(labels, nullptr);
  EXPECT_EQ(labels->size(), 2u);
  EXPECT_EQ(p.excluded_namespaces,
            (std::vector<std::string>{"kube-*", "gatekeeper-system", "everything"}));
  ASSERT_EQ(p.expansions.size(), 1u);
  const ExpansionTemplate& e = p.expansions[0];
  EXPECT_EQ(e.name, "expand-deployments");
  ASSERT_EQ(e.apply_to_groups_kinds.size(), 1u);
  EXPECT_EQ(e.apply_to_groups_kinds[0].kinds,
            (std::vector<std::string>{"Deployment", "ReplicaSet"}));
  EXPECT_EQ(e.apply_to_versions[0], std::vector<std::string>{"v1"});
  EXPECT_EQ(e.template_source, "spec.template");
  EXPECT_EQ(e.generated_kind, "Pod");
  EXPECT_EQ(e.generated_group, "");
  EXPECT_EQ(e.generated_version, "v1");
  EXPECT_EQ(e.enforcement_action, EnforcementAction::kWarn);
  EXPECT_TRUE(p.constraints.empty());  // not an error for the loader
}

TEST_F(PolicyTest, ListsJsonFilesAndDirectories) {
  const std::string seed =
      testing::ReadFile(testing::SourceDir() / "datasets/k8sallowedrepos-template.yaml");
  Write("dir/b/template.yaml", seed);
  // kubectl get -o json output: a List holding a constraint and Namespaces.
  Write("dir/a.json", R"({"apiVersion": "v1", "kind": "List", "items": [
    {"apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "K8sAllowedRepos",
     "metadata": {"name": "from-json"}, "spec": {"parameters": {"repos": ["quay.io/", "a\u0001"]}}},
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ns1", "labels": {"x": "y"}}}]})");
  Write("dir/c.yml",
        "apiVersion: v1\nkind: NamespaceList\nitems:\n- {apiVersion: v1, kind: Namespace, "
        "metadata: {name: ns2}}\n");
  Write("dir/notes.txt", "not yaml: [");
  Policy p = Load({(dir_ / "dir").string()});
  ASSERT_EQ(p.templates.size(), 1u);
  EXPECT_EQ(p.templates[0].source, (dir_ / "dir/b/template.yaml").string() + " (document 1)");
  ASSERT_EQ(p.constraints.size(), 1u);
  EXPECT_EQ(p.constraints[0].name, "from-json");
  EXPECT_EQ(p.constraints[0].entries, (std::vector<std::string>{"quay.io/", "a\x01"}));
  EXPECT_EQ(p.constraints[0].source, (dir_ / "dir/a.json").string() + " (document 1, item 1)");
  EXPECT_EQ(p.namespaces.size(), 2u);
  EXPECT_NE(p.namespaces.Find("ns2"), nullptr);
}

TEST_F(PolicyTest, DuplicateKeysLastOneWins) {
  Policy p = Load({Write(
      "dup.json", R"({"apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "K8sAllowedRepos",
    "metadata": {"name": "first", "name": "last"},
    "spec": {"parameters": {"repos": ["a/"], "repos": ["b/"]}}})")});
  ASSERT_EQ(p.constraints.size(), 1u);
  EXPECT_EQ(p.constraints[0].name, "last");
  EXPECT_EQ(p.constraints[0].entries, std::vector<std::string>{"b/"});
}

TEST_F(PolicyTest, ConstraintOrderIsLoadOrderAndAllowComesLast) {
  std::string text;
  for (const char* name : {"zeta", "alpha", "mid"}) {
    text +=
        "---\napiVersion: constraints.gatekeeper.sh/v1\nkind: K8sAllowedRepos\nmetadata: {name: " +
        std::string(name) + "}\n";
  }
  Policy p =
      Load({Write("order.yaml", text)}, {"docker.io", "gcr.io/", "docker.io", "quay.io/x:1"});
  ASSERT_EQ(p.constraints.size(), 4u);
  EXPECT_EQ(p.constraints[0].name, "zeta");
  EXPECT_EQ(p.constraints[1].name, "alpha");
  EXPECT_EQ(p.constraints[2].name, "mid");
  const Constraint& allow = p.constraints[3];
  EXPECT_EQ(allow.name, "gatescan-allow");
  EXPECT_EQ(allow.kind, "K8sAllowedRepos");
  EXPECT_EQ(p.templates[allow.template_index].kind, "K8sAllowedRepos");
  EXPECT_TRUE(allow.has_list);
  EXPECT_EQ(allow.entries_rendered, "[\"docker.io\", \"gcr.io/\", \"docker.io\", \"quay.io/x:1\"]");
  EXPECT_EQ(allow.action, EnforcementAction::kDeny);
  ASSERT_EQ(allow.match.kinds.size(), 1u);
  EXPECT_EQ(allow.match.kinds[0].api_groups, std::vector<std::string>{""});
  EXPECT_EQ(allow.match.kinds[0].kinds, std::vector<std::string>{"Pod"});
  // One warning per distinct bypassable entry.
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_NE(p.warnings[0].find("\"docker.io\" (K8sAllowedRepos/gatescan-allow)"),
            std::string::npos);
}

TEST_F(PolicyTest, OtherKindsWarnOncePerFile) {
  const std::string f =
      Write("pods.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Pod\n"
            "metadata: {name: b}\n");
  Policy p = Load({f});
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_EQ(p.warnings[0], f + " (document 1): kind Pod is not a policy object, ignored");
}

TEST_F(PolicyTest, ErrorsNameTheFile) {
  const std::string bad = Write("bad.yaml", "a: 1\n---\nb: [unclosed\n");
  const std::string e = LoadError({bad});
  EXPECT_EQ(e.rfind(bad + ": document 2, line", 0), 0u) << e;
  EXPECT_EQ(LoadError({(dir_ / "missing.yaml").string()}),
            (dir_ / "missing.yaml").string() + ": no such file or directory");
  const std::string unknown = Write("u.yaml",
                                    "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sFoo\n"
                                    "metadata: {name: f}\n");
  EXPECT_EQ(LoadError({unknown}),
            unknown + " (document 1): K8sFoo/f: no ConstraintTemplate defines kind K8sFoo");
}

TEST_F(PolicyTest, UnrecognisedRegoIsRefusedNamingTheTemplate) {
  const std::string iterate = "          container := input.review.object.spec.containers[_]\n";
  const std::string check =
      "          not strings.any_prefix_match(container.image, input.parameters.repos)\n";
  const std::string message =
      "          msg := sprintf(\"c <%v> %v %v\", [container.name, container.image, "
      "input.parameters.repos])\n";
  // The minimal recognised body, so the failures below are about one thing.
  Policy ok = Load({Write("ok.yaml", OneRuleTemplate("k8sok", iterate + check + message))});
  ASSERT_EQ(ok.templates.size(), 1u);
  Policy skipped = Load({Write("other.yaml", OneRuleTemplate("k8sfoo", check + message))});
  EXPECT_TRUE(skipped.templates.empty());
  EXPECT_EQ(skipped.skipped_kinds.at("K8sFoo"), 0u);
  EXPECT_EQ(ok.templates[0].rules[kContainers]->literals,
            (std::vector<std::string>{"c <", "> ", " ", ""}));

  struct Case {
    std::string body, expected;
  };
  const std::vector<Case> cases = {
      {check + message,
       "template k8sfoo: not an allowed-repos template: rule 1 does not iterate a container list"},
      {iterate + message, "rule 1 has no recognised image check"},
      {iterate + check, "rule 1 assigns no sprintf message to msg"},
      {iterate + check + "          not exempt(container.image)\n" + message,
       "rule 1 statement not understood: `not exempt(container.image)`"},
      {iterate + check + "          msg := sprintf(\"%d\", [container.name])\n",
       "sprintf verb %d is not supported"},
      {iterate + check + "          msg := sprintf(\"%v %v\", [container.name])\n",
       "sprintf has 2 placeholders but 1 arguments"},
      {"          container := input.review.object.spec.volumes[_]\n" + check + message,
       "iterates spec.volumes, not a container list"},
  };
  // A template of one of the five kinds must be recognised; one of another
  // kind that is not is skipped as "not an image policy" (issue 14).
  for (const auto& c : cases) {
    const std::string f = Write("foo.yaml", OneRuleTemplate("k8sfoo", c.body, "K8sAllowedRepos"));
    const std::string e = LoadError({f});
    EXPECT_EQ(e.rfind(f + " (document 1): template k8sfoo: ", 0), 0u) << e;
    EXPECT_NE(e.find(c.expected), std::string::npos) << e;
  }
}

TEST_F(PolicyTest, StartswithComprehensionAndOtherRegoSpellings) {
  const std::string body =
      "          some i\n"
      "          c := input.review.object.spec.initContainers[_]; ok = [g | r = "
      "input.parameters.prefixes[_]; g = "
      "startswith(c.image, r)]\n"
      "          not any(ok)  # comment with a { brace\n"
      "          msg := sprintf(`raw %s <%v> \"x\" %%`,\n            [input.parameters.prefixes, "
      "c.name])\n";
  Policy p = Load({Write("t.yaml", OneRuleTemplate("k8sfoo", body))});
  ASSERT_EQ(p.templates.size(), 1u);
  const ConstraintTemplate& t = p.templates[0];
  EXPECT_EQ(t.parameter, "prefixes");
  EXPECT_EQ(t.predicate, RepoPredicate::kPrefix);
  ASSERT_TRUE(t.rules[kInit]);
  EXPECT_FALSE(t.rules[kContainers]);
  EXPECT_EQ(Render(*t.rules[kInit], "N", "I", "[L]"), "raw [L] <N> \"x\" %");
}

}  // namespace
}  // namespace gatescan
