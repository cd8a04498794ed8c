// Loader checks of issue 13 (policy side): one object per name as in a
// cluster, ExpansionTemplates Gatekeeper rejects, and warnings about
// constraint parameters that would otherwise pass in silence.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli_support.h"
#include "gatescan/policy/policy.h"

namespace gatescan {
namespace {

using testing::TempDir;

Policy LoadOk(const std::vector<std::string>& paths) {
  Policy policy;
  const Status s = LoadPolicy(PolicyOptions{paths, {}}, &policy);
  EXPECT_TRUE(s.ok()) << s.message();
  return policy;
}

std::string LoadError(const std::vector<std::string>& paths) {
  Policy policy;
  const Status s = LoadPolicy(PolicyOptions{paths, {}}, &policy);
  EXPECT_FALSE(s.ok());
  return s.message();
}

std::string Repos(const std::string& name, const std::string& params) {
  return "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sAllowedRepos\nmetadata: {name: " +
         name + "}\nspec:\n  parameters: " + params + "\n---\n";
}

std::string Expansion(const std::string& name, const std::string& apply_kind,
                      const std::string& generated_kind,
                      const std::string& source = "spec.template") {
  return "apiVersion: expansion.gatekeeper.sh/v1alpha1\nkind: ExpansionTemplate\nmetadata: "
         "{name: " +
         name + "}\nspec:\n  applyTo: [{groups: [apps], kinds: [" + apply_kind +
         "], versions: [v1]}]\n  templateSource: \"" + source +
         "\"\n  generatedGVK: {group: apps, " + "version: v1, kind: " + generated_kind + "}\n---\n";
}

TEST(PolicyChecks, TheLastConstraintOfAKindAndNameWinsAcrossFiles) {
  TempDir dir;
  const Policy p =
      LoadOk({dir.Write("a.yaml", Repos("x", "{repos: [a/]}") + Repos("other", "{repos: [b/]}")),
              dir.Write("b.yaml", Repos("x", "{repos: [c/]}"))});
  ASSERT_EQ(p.constraints.size(), 2u);
  EXPECT_EQ(p.constraints[0].name, "x");
  EXPECT_EQ(p.constraints[0].entries, std::vector<std::string>{"c/"});
  EXPECT_EQ(p.constraints[1].name, "other");
}

TEST(PolicyChecks, TheLastExpansionTemplateOfANameWins) {
  TempDir dir;
  const Policy p = LoadOk({dir.Write(
      "e.yaml", Expansion("e", "Deployment", "Pod") + Expansion("e", "StatefulSet", "Pod"))});
  ASSERT_EQ(p.expansions.size(), 1u);
  EXPECT_EQ(p.expansions[0].apply_to_groups_kinds[0].kinds,
            std::vector<std::string>{"StatefulSet"});
}

TEST(PolicyChecks, ExpansionTemplatesGatekeeperRejectsAreErrorsThatSayWhy) {
  TempDir dir;
  EXPECT_NE(LoadError({dir.Write("a.yaml", Expansion(std::string(64, 'n'), "Deployment", "Pod"))})
                .find("longer than 63 characters"),
            std::string::npos);
  EXPECT_TRUE(LoadOk({dir.Write("b.yaml", Expansion(std::string(63, 'n'), "Deployment", "Pod"))})
                  .expansions.size() == 1);
  EXPECT_NE(LoadError({dir.Write("c.yaml", Expansion("e", "Deployment", "Pod", ""))})
                .find("spec.templateSource is empty"),
            std::string::npos);
  EXPECT_NE(LoadError({dir.Write("d.yaml", Expansion("e", "Deployment", "Deployment"))})
                .find("applyTo names the generated kind Deployment"),
            std::string::npos);
  const std::string cycle = LoadError({dir.Write(
      "f.yaml", Expansion("one", "Deployment", "Foo") + Expansion("two", "Foo", "Deployment"))});
  EXPECT_NE(cycle.find("a cycle"), std::string::npos) << cycle;
  // A chain is fine.
  EXPECT_EQ(LoadOk({dir.Write("g.yaml", Expansion("one", "Deployment", "Foo") +
                                            Expansion("two", "Foo", "Pod"))})
                .expansions.size(),
            2u);
}

TEST(PolicyChecks, WarnsAboutUnknownParametersOddEntriesAndEmptyLists) {
  TempDir dir;
  const std::string f = dir.Write(
      "c.yaml", Repos("typo", "{repo: [docker.io/]}") +
                    Repos("space", "{repos: [\"docker.io/ x\"]}") + Repos("empty", "{repos: []}") +
                    "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sDisallowedTags\n"
                    "metadata: {name: t}\nspec:\n  parameters: {tags: [], exemptImages: "
                    "[\"a\\tb\"]}\n");
  const Policy p = LoadOk({f});
  auto has = [&](const std::string& text) {
    for (const auto& w : p.warnings) {
      if (w.find(text) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(
      has("K8sAllowedRepos/typo: spec.parameters.repo is not a parameter of template "
          "k8sallowedrepos (it declares: repos); it is ignored"));
  EXPECT_TRUE(
      has("K8sAllowedRepos/space: spec.parameters.repos entry \"docker.io/ x\" holds "
          "whitespace or a control character"));
  EXPECT_TRUE(has("K8sAllowedRepos/empty: spec.parameters.repos is empty: it allows nothing"));
  EXPECT_TRUE(has("K8sDisallowedTags/t: spec.parameters.tags is empty: it denies nothing"));
  EXPECT_TRUE(has("K8sDisallowedTags/t: spec.parameters.exemptImages entry \"a\\tb\""));
  for (const auto& w : p.warnings)
    EXPECT_EQ(w.find("exemptImages is not a parameter"), std::string::npos) << w;
}

TEST(PolicyChecks, RawPrefixWarningsKnowPortsAndSuggestFixesThatWork) {
  TempDir dir;
  const Policy p = LoadOk(
      {dir.Write("c.yaml", Repos("r",
                                 "{repos: [\"localhost:5000/app\", \"nginx\", \"localhost:5000\", "
                                 "\"nginx:1.25\", \"gcr.io/x:\", \"docker.io\"]}"))});
  ASSERT_EQ(p.warnings.size(), 4u);
  EXPECT_EQ(
      p.warnings[0],
      "allowlist entry \"localhost:5000/app\" (K8sAllowedRepos/r) is a raw prefix: it also "
      "allows \"localhost:5000/app-evil/\xE2\x80\xA6\"; write \"localhost:5000/app/\" to allow "
      "only the path below it, or \"localhost:5000/app:\" and \"localhost:5000/app@\" to allow "
      "only that image");
  EXPECT_EQ(p.warnings[1],
            "allowlist entry \"nginx\" (K8sAllowedRepos/r) is a raw prefix: it also allows "
            "\"nginx.evil.com/\xE2\x80\xA6\"; write \"nginx/\" to allow only the path below it, or "
            "\"nginx:\" and \"nginx@\" to allow only that image");
  EXPECT_NE(p.warnings[2].find("\"localhost:5000/\" to allow only that registry or path"),
            std::string::npos)
      << p.warnings[2];
  EXPECT_NE(p.warnings[3].find("\"docker.io/\" to allow only that registry or path"),
            std::string::npos)
      << p.warnings[3];
}

}  // namespace
}  // namespace gatescan
