// The image-policy family (issue 14): every historical template version of
// K8sDisallowedRepos, K8sDisallowedTags and K8sImageDigests in the corpus is
// recognised, and its verdicts on strings, numbers, null, booleans, arrays
// (of strings, mixed, empty), objects and missing fields follow from its Rego
// under OPA's rules (a built-in given a non-string is undefined, `not` of
// that is true, an array literal holding it makes the rule undefined,
// strings.any_suffix_match takes arrays of strings). The tables below are
// derived by hand from each wording; the gator suites of the library's five
// folders run through a small reader of gator's suite.yaml format.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "cli_support.h"
#include "gatescan/cli/explain.h"
#include "gatescan/evaluate/evaluate.h"
#include "gatescan/input/framer.h"
#include "gatescan/input/yaml_json.h"
#include "gatescan/policy/policy.h"
#include "test_support.h"

namespace gatescan {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

fs::path Library() { return testing::CorpusDir() / "gatekeeper-library"; }

// The violations of one JSON object as "<action> <message>".
class Runner {
 public:
  explicit Runner(const Policy& policy, EvaluateOptions options = {})
      : evaluator_(policy, std::move(options)) {}

  std::vector<std::string> Messages(const std::string& json) {
    std::string padded = json;
    padded.append(kParsePadding, '\0');
    Extractor extractor(ExtractOptions{});
    ExtractedBatch batch;
    extractor.Extract(std::string_view(padded.data(), json.size()), &batch);
    EXPECT_EQ(batch.objects.size(), 1u);
    std::vector<Violation> violations;
    evaluator_.Evaluate(batch.objects[0], batch, &violations, &batch.arena);
    std::vector<std::string> out;
    for (const Violation& v : violations) out.emplace_back(v.message);
    return out;
  }

 private:
  Evaluator evaluator_;
};

Policy LoadOk(const std::vector<std::string>& paths, bool strict = false) {
  Policy policy;
  const Status s = LoadPolicy(PolicyOptions{paths, {}, strict}, &policy);
  EXPECT_TRUE(s.ok()) << s.message();
  return policy;
}

// One pod whose containers cover every JSON type an image can have.
const char* kPod = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"d"},
 "spec":{"containers":[
  {"name":"plain","image":"nginx"},
  {"name":"latest","image":"nginx:latest"},
  {"name":"digest","image":"nginx@sha256:abc"},
  {"name":"port","image":"localhost:5000/app"},
  {"name":"num","image":12},
  {"name":"nul","image":null},
  {"name":"bool","image":true},
  {"name":"arr","image":["a:latest","b"]},
  {"name":"arrok","image":["nginx:1","x"]},
  {"name":"mixed","image":["a:latest",1]},
  {"name":"empty","image":[]},
  {"name":"obj","image":{"k":1}},
  {"name":"exempt","image":"exempt/x"},
  {"name":"exact","image":"exact"},
  {"image":"nginx"},
  {"name":"noimage"}],
 "ephemeralContainers":[{"name":"eph","image":"busybox"}]}})";

const char* kParams = R"(
  parameters:
    tags: ["latest"]
    repos: ["nginx", "localhost:5000/"]
    allowedImages: ["nginx", "exempt/*"]
    exemptImages: ["exempt/*", "exact"]
)";

// "<code> <container>" per violation: T disallowed tag, N no tag, D no
// digest, R disallowed repo.
std::set<std::string> Codes(const std::vector<std::string>& messages) {
  std::set<std::string> out;
  const std::regex re(
      R"(^\w+ <([^>]*)> (uses a disallowed tag|didn't specify|uses an image without|has an invalid image))");
  for (const auto& m : messages) {
    std::smatch match;
    if (!std::regex_search(m, match, re)) {
      out.insert("? " + m);
      continue;
    }
    const std::string what = match[2];
    const char code = what == "uses a disallowed tag" ? 'T'
                      : what[0] == 'u'                ? 'D'
                      : what[0] == 'd'                ? 'N'
                                                      : 'R';
    out.insert(std::string(1, code) + " " + match[1].str());
  }
  return out;
}

struct VersionCase {
  std::string file;  // under versions/
  std::set<std::string> expected;
};

std::string ConstraintFor(const std::string& kind) {
  return "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: " + kind +
         "\nmetadata: {name: c}\nspec:" + kParams;
}

void ExpectTable(const std::string& kind, const std::vector<VersionCase>& cases) {
  GS_REQUIRE_CORPUS();
  TempDir dir;
  const std::string constraint = dir.Write("c.yaml", ConstraintFor(kind));
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    const Policy policy = LoadOk({(Library() / "versions" / c.file).string(), constraint});
    ASSERT_EQ(policy.constraints.size(), 1u);
    Runner runner(policy);
    EXPECT_EQ(Codes(runner.Messages(kPod)), c.expected);
  }
}

const std::set<std::string> kNonStrings = {"num",   "nul",   "bool",  "arr",
                                           "arrok", "mixed", "empty", "obj"};

std::set<std::string> With(std::set<std::string> base, char code,
                           const std::set<std::string>& names) {
  for (const auto& n : names) base.insert(std::string(1, code) + " " + n);
  return base;
}

TEST(ImagePolicyVerdicts, DisallowedTagsEveryVersion) {
  // 2021: endswith in a comprehension and [contains(...)] in an array literal:
  // non-strings are never flagged; no exemptions; containers and initContainers.
  const std::set<std::string> v2021 = {"T latest", "N plain", "N exempt", "N exact"};
  // 2022-03: + lib.exempt_container; 2022-05: + ephemeralContainers.
  const std::set<std::string> v2022 = {"T latest", "N plain"};
  const std::set<std::string> v2022e = {"T latest", "N plain", "N eph"};
  // 1.0.1: strings.any_suffix_match (an array of strings: any element) and
  // `not contains(image, ":")`, true for every non-string.
  const std::set<std::string> v101 =
      With({"T latest", "T arr", "N plain", "N eph"}, 'N', kNonStrings);
  // 1.0.2: only the last /-separated component must hold ':' (a registry port
  // is not a tag); split() of a non-string is undefined.
  const std::set<std::string> v102 = {"T latest", "T arr", "N plain", "N eph", "N port"};
  ExpectTable("K8sDisallowedTags", {
                                       {"disallowedtags/2021-02-04_ec9d0d13.yaml", v2021},
                                       {"disallowedtags/2021-07-26_19cbebd1.yaml", v2021},
                                       {"disallowedtags/2021-10-06_55e4c9a0.yaml", v2021},
                                       {"disallowedtags/2022-02-04_844b4718.yaml", v2021},
                                       {"disallowedtags/2022-03-01_044687a0.yaml", v2021},
                                       {"disallowedtags/2022-03-01_c6ac9361.yaml", v2022},
                                       {"disallowedtags/2022-05-18_408222b6.yaml", v2022e},
                                       {"disallowedtags/2022-09-06_73331000.yaml", v2022e},
                                       {"disallowedtags/2022-10-07_0d74f529_v1.0.0.yaml", v2022e},
                                       {"disallowedtags/2023-12-06_3f72d582_v1.0.1.yaml", v101},
                                       {"disallowedtags/2025-11-03_c6355674_v1.0.2.yaml", v102},
                                   });
}

TEST(ImagePolicyVerdicts, ImageDigestsEveryVersion) {
  const std::set<std::string> strings_old = {"D plain", "D latest", "D port", "D exempt",
                                             "D exact"};
  const std::set<std::string> exempt_old = {"D plain", "D latest", "D port"};
  const std::set<std::string> exempt_eph = {"D plain", "D latest", "D port", "D eph"};
  // 1.0.1: `not regex.match(...)` is true for every non-string image.
  const std::set<std::string> v101 = With(exempt_eph, 'D', kNonStrings);
  ExpectTable("K8sImageDigests", {
                                     {"imagedigests/2020-09-03_49b58ff8.yaml", strings_old},
                                     {"imagedigests/2020-12-10_569f6c56.yaml", strings_old},
                                     {"imagedigests/2021-10-06_55e4c9a0.yaml", strings_old},
                                     {"imagedigests/2022-01-19_1d3c1e50.yaml", exempt_old},
                                     {"imagedigests/2022-02-04_844b4718.yaml", exempt_old},
                                     {"imagedigests/2022-03-01_044687a0.yaml", exempt_old},
                                     {"imagedigests/2022-05-18_408222b6.yaml", exempt_eph},
                                     {"imagedigests/2022-09-06_73331000.yaml", exempt_eph},
                                     {"imagedigests/2022-10-07_0d74f529_v1.0.0.yaml", exempt_eph},
                                     {"imagedigests/2023-12-06_3f72d582_v1.0.1.yaml", v101},
                                 });
}

TEST(ImagePolicyVerdicts, DisallowedReposStartswithFlagsStringsOnly) {
  ExpectTable("K8sDisallowedRepos", {{"disallowedrepos/2023-03-06_3f800d21_v1.0.0.yaml",
                                      {"R plain", "R latest", "R digest", "R port"}}});
}

TEST(ImagePolicyVerdicts, AllowedReposCurrentAndV2) {
  // 1.0.2: not strings.any_prefix_match(image, repos): a non-string is
  // undefined (flagged), an array of strings is allowed when any element is.
  std::set<std::string> v1 = {"R exempt", "R exact", "R eph"};
  for (const auto& n : kNonStrings) {
    if (n != "arrok") v1.insert("R " + n);
  }
  // v2: image_matches compares with == and startswith: never true for a
  // non-string, arrays included.
  const std::set<std::string> v2 =
      With({"R latest", "R digest", "R port", "R exact", "R eph"}, 'R', kNonStrings);
  ExpectTable("K8sAllowedRepos", {{"allowedrepos/2025-01-16_e3855f5f_v1.0.2.yaml", v1}});
  ExpectTable("K8sAllowedReposv2", {{"allowedreposv2/2025-01-16_e3855f5f_v1.0.0.yaml", v2}});
}

TEST(ImagePolicyVerdicts, BuiltinTemplatesEqualTheLibrarysCurrentVersions) {
  GS_REQUIRE_CORPUS();
  TempDir dir;
  const std::string tags = dir.Write("t.yaml", ConstraintFor("K8sDisallowedTags"));
  const std::string digests = dir.Write("d.yaml", ConstraintFor("K8sImageDigests"));
  const std::string repos = dir.Write("r.yaml", ConstraintFor("K8sDisallowedRepos"));
  for (const auto& [constraint, file] : std::vector<std::pair<std::string, std::string>>{
           {tags, "disallowedtags/2025-11-03_c6355674_v1.0.2.yaml"},
           {digests, "imagedigests/2023-12-06_3f72d582_v1.0.1.yaml"},
           {repos, "disallowedrepos/2023-03-06_3f800d21_v1.0.0.yaml"}}) {
    const Policy builtin = LoadOk({constraint});
    const Policy given = LoadOk({(Library() / "versions" / file).string(), constraint});
    EXPECT_EQ(builtin.templates[0].source, "built-in");
    EXPECT_EQ(Runner(builtin).Messages(kPod), Runner(given).Messages(kPod)) << file;
  }
}

TEST(ImagePolicyVerdicts, MessagesRenderNonStringsAsPercentV) {
  TempDir dir;
  const Policy policy = LoadOk({dir.Write("c.yaml", ConstraintFor("K8sDisallowedTags"))});
  const auto messages = Runner(policy).Messages(kPod);
  const std::set<std::string> got(messages.begin(), messages.end());
  EXPECT_TRUE(got.count(
      R"(container <arr> uses a disallowed tag <["a:latest", "b"]>; disallowed tags are ["latest"])"));
  EXPECT_TRUE(got.count("container <eph> didn't specify an image tag <busybox>"));
}

TEST(ImagePolicyVerdicts, TagRuleWithoutTagsStillFlagsMissingTags) {
  // The no-tag rule never reads input.parameters.tags; the tag rule's
  // message does, so without the list it yields nothing.
  TempDir dir;
  const Policy policy = LoadOk({dir.Write(
      "c.yaml",
      "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sDisallowedTags\nmetadata: {name: "
      "c}\n")});
  EXPECT_EQ(Codes(Runner(policy).Messages(kPod)),
            (std::set<std::string>{"N plain", "N eph", "N port", "N exempt", "N exact"}));
}

TEST(ImagePolicyExplain, NamesTheConstraintRuleAndEntryThatDecide) {
  TempDir dir;
  const Policy policy = LoadOk({dir.Write("t.yaml", ConstraintFor("K8sDisallowedTags")),
                                dir.Write("r.yaml", ConstraintFor("K8sDisallowedRepos")),
                                dir.Write("d.yaml", ConstraintFor("K8sImageDigests"))});
  const Evaluator evaluator(policy, {});
  std::string out;
  ExplainImage("nginx:latest", &evaluator, ExplainFormat::kText, &out);
  EXPECT_NE(out.find("FLAGGED by K8sDisallowedTags/c: rule 1, the image ends with a disallowed "
                     "tag, entry \"latest\""),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("FLAGGED by K8sDisallowedRepos/c: rule 1, the image starts with a "
                     "disallowed repo, entry \"nginx\""),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("FLAGGED by K8sImageDigests/c: rule 1, the image has no digest"),
            std::string::npos)
      << out;
  out.clear();
  ExplainImage("exempt/x", &evaluator, ExplainFormat::kText, &out);
  EXPECT_NE(out.find("allowed by K8sDisallowedTags/c: exempted by exemptImages entry \"exempt/*\""),
            std::string::npos)
      << out;
  out.clear();
  ExplainImage("busybox", &evaluator, ExplainFormat::kJson, &out);
  EXPECT_NE(
      out.find(
          R"({"kind":"K8sDisallowedTags","name":"c","allowed":false,"entry":null,"rule":2,"exempt":null})"),
      std::string::npos)
      << out;
}

TEST(ImagePolicyVerdicts, DenyListsInReferenceModeMatchOnBoundaries) {
  // A deny entry docker.io/library/nginx does not catch nginx:1.25 as a raw
  // prefix; in --match reference it does, and nginx-evil is not caught.
  TempDir dir;
  const Policy policy = LoadOk({dir.Write(
      "r.yaml",
      "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sDisallowedRepos\nmetadata: "
      "{name: r}\nspec:\n  parameters:\n    repos: [\"docker.io/library/nginx\"]\n")});
  const std::string pod =
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"d"},"spec":{"containers":[
      {"name":"a","image":"nginx:1.25"},{"name":"b","image":"nginx-evil"},
      {"name":"c","image":"docker.io/library/nginx"}]}})";
  EXPECT_EQ(Codes(Runner(policy).Messages(pod)), (std::set<std::string>{"R c"}));
  ASSERT_EQ(policy.warnings.size(), 1u);
  EXPECT_EQ(policy.warnings[0],
            "deny entry \"docker.io/library/nginx\" (K8sDisallowedRepos/r) is a raw prefix: it "
            "does not catch \"nginx:1.25\", which Docker Hub resolves to it; also list \"nginx\", "
            "or scan with --match reference");
  EvaluateOptions reference;
  reference.match = MatchMode::kReference;
  EXPECT_TRUE(Evaluator(policy, reference).Warnings().empty());
  EXPECT_EQ(Codes(Runner(policy, reference).Messages(pod)), (std::set<std::string>{"R a", "R c"}));
}

TEST(ImagePolicyVerdicts, DigestMatcherAgreesWithTheRegex) {
  // std::regex (ECMAScript) agrees with RE2 on this ASCII-only pattern; the
  // hand matcher must agree with it on random strings over the pattern's
  // alphabet and its neighbours.
  const std::regex re("@[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");
  const std::string alphabet = "@a0Z:+._-=/ \xC3";
  uint64_t state = 12345;
  for (int n = 0; n < 20000; ++n) {
    std::string s;
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const size_t len = (state >> 33) % 12;
    for (size_t i = 0; i < len; ++i) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      s += alphabet[(state >> 33) % alphabet.size()];
    }
    ASSERT_EQ(HasImageDigest(s), std::regex_search(s, re)) << s;
  }
  EXPECT_TRUE(HasImageDigest("x@sha256:0"));
  EXPECT_TRUE(HasImageDigest("@a@b.c:="));
  EXPECT_FALSE(HasImageDigest("x@sha256:"));
  EXPECT_FALSE(HasImageDigest("x@Sha256:abc"));
  EXPECT_FALSE(HasImageDigest("x@a..b:c"));
}

TEST(ImagePolicyLoad, EditedDenyTemplateIsAnErrorNamingRuleAndStatement) {
  GS_REQUIRE_CORPUS();
  std::string text =
      testing::ReadFile(Library() / "versions/disallowedtags/2025-11-03_c6355674_v1.0.2.yaml");
  const std::string from = "not contains(parts[count(parts) - 1], \":\")";
  ASSERT_NE(text.find(from), std::string::npos);
  text.replace(text.find(from), from.size(), "not contains(parts[0], \":\")");
  TempDir dir;
  Policy policy;
  const Status s = LoadPolicy(PolicyOptions{{dir.Write("t.yaml", text)}, {}}, &policy);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not a K8sDisallowedTags template: rule 2 statement not understood: "
                             "`not contains(parts[0], \":\")`"),
            std::string::npos)
      << s.message();
}

TEST(ImagePolicyLoad, WholeLibraryLoadsAsOneFolderAndStrictRefusesIt) {
  GS_REQUIRE_CORPUS();
  const std::string library = (Library() / "library").string();
  const Policy policy = LoadOk({library});
  std::set<std::string> kinds;
  for (const auto& t : policy.templates) kinds.insert(t.kind);
  EXPECT_EQ(kinds,
            (std::set<std::string>{"K8sAllowedRepos", "K8sAllowedReposv2", "K8sDisallowedRepos",
                                   "K8sDisallowedTags", "K8sImageDigests"}));
  EXPECT_EQ(policy.skipped_kinds.size() + kinds.size(), 49u);
  EXPECT_EQ(policy.skipped_kinds.at("K8sRequiredLabels"), 2u);
  // The pod-security-policy templates mention container.image in their
  // exemption library and carry CEL next to Rego: still not image policies.
  EXPECT_EQ(policy.skipped_kinds.count("K8sPSPCapabilities"), 1u);
  size_t notices = 0;
  for (const auto& w : policy.warnings) notices += w.starts_with("skipped 44 template kinds");
  EXPECT_EQ(notices, 1u);

  Policy strict;
  const Status s = LoadPolicy(PolicyOptions{{library}, {}, true}, &strict);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--strict-policies: skipped 44 template kinds"), std::string::npos);
}

TEST(ImagePolicyLoad, CodeEngineRegoIsReadLikeRego) {
  GS_REQUIRE_CORPUS();
  YAML::Node t = YAML::LoadFile(
      (Library() / "versions/imagedigests/2023-12-06_3f72d582_v1.0.1.yaml").string());
  YAML::Node target = t["spec"]["targets"][0];
  YAML::Node code;
  code["engine"] = "Rego";
  code["source"]["rego"] = target["rego"].as<std::string>();
  code["source"]["libs"] = target["libs"];
  YAML::Node cel;
  cel["engine"] = "K8sNativeValidation";
  cel["source"]["validations"] = YAML::Load("[{expression: 'true', message: x}]");
  target.remove("rego");
  target.remove("libs");
  target["code"].push_back(cel);
  target["code"].push_back(code);
  YAML::Emitter e;
  e << t;
  TempDir dir;
  const Policy policy = LoadOk(
      {dir.Write("t.yaml", e.c_str()), dir.Write("c.yaml", ConstraintFor("K8sImageDigests"))});
  ASSERT_EQ(policy.templates.size(), 1u);
  EXPECT_NE(policy.templates[0].source, "built-in");
  EXPECT_EQ(policy.templates[0].image_rules.size(), 3u);
  EXPECT_TRUE(policy.templates[0].image_rules[0].exempt);
}

// gator's suite.yaml: each test names a template and a constraint; each case
// an object and assertions {violations: yes | no | N, message: regex}.
TEST(GatorSuites, TheFiveLibraryFoldersPass) {
  GS_REQUIRE_CORPUS();
  int cases = 0;
  for (const char* folder :
       {"allowedrepos", "allowedreposv2", "disallowedrepos", "disallowedtags", "imagedigests"}) {
    const fs::path dir = Library() / "library/general" / folder;
    const YAML::Node suite = YAML::LoadFile((dir / "suite.yaml").string());
    for (const auto& test : suite["tests"]) {
      const Policy policy = LoadOk({(dir / test["template"].as<std::string>()).string(),
                                    (dir / test["constraint"].as<std::string>()).string()});
      EvaluateOptions options;
      options.enforcement_point = std::string(kGatorEnforcementPoint);
      Runner runner(policy, options);
      for (const auto& c : test["cases"]) {
        SCOPED_TRACE(std::string(folder) + "/" + c["name"].as<std::string>());
        std::vector<std::string> docs;
        ASSERT_TRUE(
            YamlToJsonDocuments(testing::ReadFile(dir / c["object"].as<std::string>()), &docs)
                .ok());
        ASSERT_EQ(docs.size(), 1u);
        // gator verify reviews a namespaced object without a namespace as if
        // it were in "default" (the samples rely on it).
        YAML::Node object = YAML::Load(docs[0]);
        if (!object["metadata"]["namespace"]) object["metadata"]["namespace"] = "default";
        YAML::Emitter json;
        json << YAML::DoubleQuoted << YAML::Flow << object;
        const auto messages = runner.Messages(json.c_str());
        for (const auto& a : c["assertions"]) {
          size_t count = messages.size();
          if (a["message"]) {
            const std::regex re(a["message"].as<std::string>());
            count = 0;
            for (const auto& m : messages) count += std::regex_search(m, re) ? 1 : 0;
          }
          const std::string want = a["violations"] ? a["violations"].as<std::string>() : "yes";
          if (want == "yes") {
            EXPECT_GE(count, 1u);
          } else if (want == "no") {
            EXPECT_EQ(count, 0u);
          } else {
            EXPECT_EQ(count, std::stoul(want));
          }
        }
        ++cases;
      }
    }
  }
  EXPECT_GE(cases, 25);
}

}  // namespace
}  // namespace gatescan
