// End-to-end tests of the gatescan binary: the seed scenario, exit codes, and
// adversarial cases whose expected `gator test` output is derived by hand
// from the Rego of the templates (each case is small enough to check by eye).
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "cli_support.h"

namespace gatescan::testing {
namespace {

std::string Datasets(const std::string& name) { return (DatasetsDir() / name).string(); }

const std::vector<std::string> kSeedPolicy = {"-p", Datasets("k8sallowedrepos-template.yaml"), "-p",
                                              Datasets("whitelist-dockerhub.yaml")};

constexpr const char* kSeedLine =
    "v1/Pod default/gcr-busybox: [whitelist-dockerhub] container <busybox> has an invalid image "
    "repo "
    "<gcr.io/google-containers/busybox>, allowed repos are [\"docker.io\"]\n";

TEST(Seed, DemoPrintsTheSeedLineAndSparesDockerHub) {
  auto args = kSeedPolicy;
  args.push_back(Datasets("demo-pods.json"));
  const RunResult r = RunGatescan(args);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find(kSeedLine), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("dh-busybox"), std::string::npos);
  // The whole demo, in input order, sorted by message within an object.
  const std::string expected =
      std::string(kSeedLine) +
      "v1/Pod kube-system/coredns-5d78c9869d-7xk2p: [whitelist-dockerhub] container <coredns> has "
      "an invalid "
      "image repo <registry.k8s.io/coredns/coredns:v1.10.1>, allowed repos are [\"docker.io\"]\n"
      "v1/Pod kube-system/kube-proxy-q8mzt: [whitelist-dockerhub] container <kube-proxy> has an "
      "invalid image "
      "repo <registry.k8s.io/kube-proxy:v1.28.4>, allowed repos are [\"docker.io\"]\n"
      "v1/Pod web/nginx-7c5ddbdf54-x2hvk: [whitelist-dockerhub] container <istio-proxy> has an "
      "invalid image "
      "repo <istio/proxyv2:1.20.1>, allowed repos are [\"docker.io\"]\n"
      "v1/Pod data/postgres-0: [whitelist-dockerhub] container <init-permissions> has an invalid "
      "image repo "
      "<busybox:1.36>, allowed repos are [\"docker.io\"]\n"
      "v1/Pod monitoring/prometheus-k8s-0: [whitelist-dockerhub] container <config-reloader> has "
      "an invalid "
      "image repo <quay.io/prometheus-operator/prometheus-config-reloader:v0.70.0>, allowed repos "
      "are "
      "[\"docker.io\"]\n"
      "v1/Pod monitoring/prometheus-k8s-0: [whitelist-dockerhub] container <prometheus> has an "
      "invalid image "
      "repo <quay.io/prometheus/prometheus:v2.48.0>, allowed repos are [\"docker.io\"]\n";
  EXPECT_EQ(r.out, expected);
  // "docker.io" without a trailing '/' also lets docker.io.evil.example through: say so.
  EXPECT_NE(r.err.find("docker.io/"), std::string::npos) << r.err;
}

TEST(Seed, GatorOutputSortsEverythingByMessage) {
  auto args = kSeedPolicy;
  args.insert(args.end(), {"-o", "gator", Datasets("demo-pods.json")});
  const RunResult r = RunGatescan(args);
  EXPECT_EQ(r.exit_code, 1);
  // Gator sorts every result by message, byte-wise, across objects.
  const std::string expected =
      "v1/Pod default/gcr-busybox: [\"whitelist-dockerhub\"] Message: \"container <busybox> has an "
      "invalid image "
      "repo <gcr.io/google-containers/busybox>, allowed repos are [\\\"docker.io\\\"]\"\n"
      "v1/Pod monitoring/prometheus-k8s-0: [\"whitelist-dockerhub\"] Message: \"container "
      "<config-reloader> has "
      "an invalid image repo <quay.io/prometheus-operator/prometheus-config-reloader:v0.70.0>, "
      "allowed repos are "
      "[\\\"docker.io\\\"]\"\n"
      "v1/Pod kube-system/coredns-5d78c9869d-7xk2p: [\"whitelist-dockerhub\"] Message: \"container "
      "<coredns> has "
      "an invalid image repo <registry.k8s.io/coredns/coredns:v1.10.1>, allowed repos are "
      "[\\\"docker.io\\\"]\"\n"
      "v1/Pod data/postgres-0: [\"whitelist-dockerhub\"] Message: \"container <init-permissions> "
      "has an invalid "
      "image repo <busybox:1.36>, allowed repos are [\\\"docker.io\\\"]\"\n"
      "v1/Pod web/nginx-7c5ddbdf54-x2hvk: [\"whitelist-dockerhub\"] Message: \"container "
      "<istio-proxy> has an "
      "invalid image repo <istio/proxyv2:1.20.1>, allowed repos are [\\\"docker.io\\\"]\"\n"
      "v1/Pod kube-system/kube-proxy-q8mzt: [\"whitelist-dockerhub\"] Message: \"container "
      "<kube-proxy> has an "
      "invalid image repo <registry.k8s.io/kube-proxy:v1.28.4>, allowed repos are "
      "[\\\"docker.io\\\"]\"\n"
      "v1/Pod monitoring/prometheus-k8s-0: [\"whitelist-dockerhub\"] Message: \"container "
      "<prometheus> has an "
      "invalid image repo <quay.io/prometheus/prometheus:v2.48.0>, allowed repos are "
      "[\\\"docker.io\\\"]\"\n";
  EXPECT_EQ(r.out, expected);
}

TEST(ExitCodes, CleanViolationsErrorsAndOverrides) {
  TempDir dir;
  const std::string clean = dir.Write(
      "clean.json",
      R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"a","namespace":"d"},"spec":{"containers":[{"name":"c","image":"docker.io/x"}]}})");
  const std::string bad = dir.Write(
      "bad.json",
      R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"b","namespace":"d"},"spec":{"containers":[{"name":"c","image":"quay.io/x"}]}})");
  EXPECT_EQ(RunGatescan({"--allow", "docker.io/", clean}).exit_code, 0);
  EXPECT_EQ(RunGatescan({"--allow", "docker.io/", bad}).exit_code, 1);
  EXPECT_EQ(RunGatescan({"--allow", "docker.io/", "--exit-zero", bad}).exit_code, 0);
  const RunResult quiet = RunGatescan({"--allow", "docker.io/", "-q", bad});
  EXPECT_EQ(quiet.exit_code, 1);
  EXPECT_EQ(quiet.out, "");
  const RunResult missing =
      RunGatescan({"--allow", "docker.io/", (dir.path() / "nope.json").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("nope.json"), std::string::npos) << missing.err;
  EXPECT_EQ(RunGatescan({bad}).exit_code, 2) << "no constraints at all is a usage error";
  EXPECT_EQ(RunGatescan({"--allow", "x/", "--output", "xml", bad}).exit_code, 2);
  EXPECT_EQ(RunGatescan({"--no-such-flag"}).exit_code, 2);
  // Violations found before malformed input are still reported, and the exit code is 2.
  const std::string mixed = dir.Write(
      "mixed.ndjson",
      std::string(
          R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"b","namespace":"d"},"spec":{"containers":[{"name":"c","image":"quay.io/x"}]}})") +
          "\n{\"kind\": \"Pod\", oops}\n");
  const RunResult m = RunGatescan({"--allow", "docker.io/", mixed});
  EXPECT_EQ(m.exit_code, 2);
  EXPECT_NE(m.out.find("v1/Pod d/b:"), std::string::npos);
}

TEST(ExitCodes, BadPolicyNamesTheFile) {
  TempDir dir;
  const std::string policy =
      dir.Write("broken-policy.yaml",
                "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sAllowedRepos\nmetadata:\n "
                " name: x\nspec:\n  parameters:\n    repos: docker.io\n");
  const RunResult r = RunGatescan({"-p", policy, Datasets("demo-pods.json")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("broken-policy.yaml"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("repos"), std::string::npos) << r.err;
}

TEST(Cli, HelpTeachesAndVersionAnswers) {
  const RunResult help = RunGatescan({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* word :
       {"--policy", "--allow", "--output", "gator", "Exit codes", "kubectl get pods"}) {
    EXPECT_NE(help.out.find(word), std::string::npos) << word;
  }
  const RunResult version = RunGatescan({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("gatescan ", 0), 0u);
}

TEST(Cli, StandardInputWorksLikeAFile) {
  const std::string dump = ReadFile(DatasetsDir() / "demo-pods.json");
  auto args = kSeedPolicy;
  args.push_back("-");
  const RunResult dash = RunGatescan(args, &dump);
  const RunResult none = RunGatescan(kSeedPolicy, &dump);
  EXPECT_EQ(dash.exit_code, 1);
  EXPECT_NE(dash.out.find(kSeedLine), std::string::npos);
  EXPECT_EQ(dash.out, none.out);
}

// --stats: the summary line, then each stage's thread-seconds. On one thread
// the stages run one after another on it, so they add up to at most the
// run's own seconds, and a 40 MB input spends measurable time reading,
// framing and extracting.
TEST(Cli, StatsSplitTheRunByStage) {
  const std::string one = ReadFile(DatasetsDir() / "demo-pods.json");
  std::string dump;
  for (int i = 0; i < 500; ++i) dump += one;
  auto args = kSeedPolicy;
  args.insert(args.end(), {"--stats", "-j1", "-o", "ndjson", "-"});
  const RunResult r = RunGatescan(args, &dump);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  std::smatch total;
  ASSERT_TRUE(std::regex_search(r.err, total, std::regex(R"(errors, ([0-9.]+) s, )"))) << r.err;
  std::smatch stages;
  ASSERT_TRUE(std::regex_search(
      r.err, stages,
      std::regex(R"(thread-seconds by stage: read\+frame ([0-9.]+), extract ([0-9.]+), )"
                 R"(evaluate\+format ([0-9.]+), output ([0-9.]+)\n)")))
      << r.err;
  double sum = 0;
  for (size_t i = 1; i <= 4; ++i) sum += std::stod(stages[i].str());
  EXPECT_LE(sum, std::stod(total[1].str()) + 0.003) << r.err;  // each is printed rounded
  EXPECT_GT(std::stod(stages[1].str()), 0) << r.err;
  EXPECT_GT(std::stod(stages[2].str()), 0) << r.err;
  const RunResult quiet = RunGatescan(kSeedPolicy, &one);
  EXPECT_EQ(quiet.err.find("thread-seconds"), std::string::npos) << quiet.err;
}

// ---- adversarial cases against the built-in K8sAllowedRepos (gatekeeper-library 1.0.2) ----

constexpr const char* kRepoAllow = R"(apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedRepos
metadata:
  name: repo-allow
spec:
  parameters:
    repos: ["docker.io/"]
)";

constexpr const char* kAllowed = R"(allowed repos are [\"docker.io/\"]")";

std::string Gator(const std::string& policy, const std::string& input,
                  std::vector<std::string> extra = {}) {
  TempDir dir;
  std::vector<std::string> args = {"-o", "gator", "-p", dir.Write("policy.yaml", policy)};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(dir.Write("input.json", input));
  const RunResult r = RunGatescan(args);
  EXPECT_NE(r.exit_code, 2) << r.err;
  return r.out;
}

TEST(Adversarial, EscapesAreDecodedAndQuotedBack) {
  const std::string out = Gator(
      kRepoAllow,
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p2","namespace":"ns1"},"spec":{"containers":[{"name":"c\u00e9\nx","image":"quay.io/\u0041\"q"}]}})");
  EXPECT_EQ(out, std::string("v1/Pod ns1/p2: [\"repo-allow\"] Message: \"container <c\xC3\xA9\\nx> "
                             "has an invalid image repo <quay.io/A\\\"q>, ") +
                     kAllowed + "\n");
}

// Go's decoder reads a \u escape of a lone surrogate as U+FFFD.
TEST(Adversarial, LoneSurrogatesBecomeTheReplacementCharacter) {
  const std::string out = Gator(
      kRepoAllow,
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"s\udc00","namespace":"ns1"},"spec":{"containers":[{"name":"c\ud800","image":"quay.io/\ud83d\ude00\ud800x"}]}})");
  EXPECT_EQ(
      out,
      std::string("v1/Pod ns1/s\xEF\xBF\xBD: [\"repo-allow\"] Message: \"container <c\xEF\xBF\xBD> "
                  "has an invalid image repo <quay.io/\xF0\x9F\x98\x80\xEF\xBF\xBDx>, ") +
          kAllowed + "\n");
}

TEST(Adversarial, DuplicateKeysLastOneWins) {
  const std::string out = Gator(
      kRepoAllow,
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p3","namespace":"ns1"},"spec":{"containers":[{"name":"ok","image":"quay.io/first-spec"}]},"spec":{"containers":[{"name":"d","image":"docker.io/fine","image":"evil.io/x"}]}})");
  EXPECT_EQ(out, std::string("v1/Pod ns1/p3: [\"repo-allow\"] Message: \"container <d> has an "
                             "invalid image repo <evil.io/x>, ") +
                     kAllowed + "\n");
}

// Go's decoder reads up to 10000 levels, so gator judges such a pod.
TEST(Adversarial, DeepNestingUpToGosLimitIsJudged) {
  for (int levels : {100, 2000, 9990}) {
    SCOPED_TRACE(levels);
    const std::string deep = std::string(levels, '[') + "{\"x\":1}" + std::string(levels, ']');
    const std::string out = Gator(
        kRepoAllow,
        R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"deep","namespace":"ns1"},"status":{"a":)" +
            deep + R"(},"spec":{"containers":[{"name":"c","image":"quay.io/x"}]}})");
    EXPECT_EQ(out,
              std::string(
                  "v1/Pod ns1/deep: [\"repo-allow\"] Message: \"container <c> has an invalid image "
                  "repo <quay.io/x>, ") +
                  kAllowed + "\n");
  }
}

TEST(Adversarial, StringsInsideStringsAreNotContainers) {
  const std::string out = Gator(
      kRepoAllow,
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p4","namespace":"ns1","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"spec\":{\"containers\":[{\"name\":\"bad\",\"image\":\"evil.io/x\"}]}}"}},"spec":{"containers":[{"name":"good","image":"docker.io/ok"}]}})");
  EXPECT_EQ(out, "");
}

TEST(Adversarial, OddContainers) {
  const std::string out =
      Gator(kRepoAllow,
            R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p5","namespace":"ns1"},"spec":{
    "containers": {"k": {"name": "objlist", "image": "evil.io/o"}},
    "initContainers": ["str", 1, null, {"name": "noimage"}, {"image": "evil.io/noname"}, {"name": "num", "image": 12}, {"name": "nul", "image": null}],
    "ephemeralContainers": [{"name": "b", "image": true}, {"name": 7, "image": "evil.io/n"}]}})");
  const std::string p = "v1/Pod ns1/p5: [\"repo-allow\"] Message: \"";
  EXPECT_EQ(
      out, p + "container <objlist> has an invalid image repo <evil.io/o>, " + kAllowed + "\n" + p +
               "ephemeralContainer <7> has an invalid image repo <evil.io/n>, " + kAllowed + "\n" +
               p + "ephemeralContainer <b> has an invalid image repo <true>, " + kAllowed + "\n" +
               p + "initContainer <nul> has an invalid image repo <null>, " + kAllowed + "\n" + p +
               "initContainer <num> has an invalid image repo <12>, " + kAllowed + "\n");
}

// strings.any_prefix_match (the library's check) also takes an array of
// strings: allowed when any element matches. startswith (the seed's) fails
// on an array, so the seed flags every one.
TEST(Adversarial, ImageArraysFollowTheTemplatesBuiltin) {
  const std::string pod =
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"arr","namespace":"ns1"},"spec":{
    "containers": [{"name": "any", "image": ["quay.io/x", "docker.io/y"]}, {"name": "none", "image": ["quay.io/x"]},
                   {"name": "empty", "image": []}, {"name": "mixed", "image": ["docker.io/y", 1]},
                   {"name": "esc", "image": ["\u0064ocker.io/z"]}]}})";
  const std::string p = "v1/Pod ns1/arr: [\"repo-allow\"] Message: \"";
  EXPECT_EQ(Gator(kRepoAllow, pod),
            p + "container <empty> has an invalid image repo <[]>, " + kAllowed + "\n" + p +
                "container <mixed> has an invalid image repo <[\\\"docker.io/y\\\", 1]>, " +
                kAllowed + "\n" + p +
                "container <none> has an invalid image repo <[\\\"quay.io/x\\\"]>, " + kAllowed +
                "\n");
  const std::string seed = ReadFile(DatasetsDir() / "k8sallowedrepos-template.yaml") + "\n---\n" +
                           R"(apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedRepos
metadata:
  name: seed
spec:
  parameters:
    repos: ["docker.io/"]
)";
  const std::string seed_out = Gator(seed, pod);
  EXPECT_EQ(std::count(seed_out.begin(), seed_out.end(), '\n'), 5) << seed_out;
}

TEST(Adversarial, UnusualRepoStringsAreQuotedLikeGo) {
  const std::string policy = R"(apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedRepos
metadata:
  name: odd
spec:
  parameters:
    repos: ["docker.io/", "quo\"te", "back\\slash", "new\nline", "tab\tx", "\x01", "\u2028", "é"]
)";
  const std::string out = Gator(
      policy,
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"q","namespace":"n"},"spec":{"containers":[{"name":"c","image":"evil.io/x"}]}})");
  // OPA renders the array with strconv.Quote; gator's %q quotes the whole message again.
  EXPECT_EQ(out,
            "v1/Pod n/q: [\"odd\"] Message: \"container <c> has an invalid image repo <evil.io/x>, "
            "allowed repos are "
            "[\\\"docker.io/\\\", \\\"quo\\\\\\\"te\\\", \\\"back\\\\\\\\slash\\\", "
            "\\\"new\\\\nline\\\", "
            "\\\"tab\\\\tx\\\", \\\"\\\\x01\\\", \\\"\\\\u2028\\\", \\\"\xC3\xA9\\\"]\"\n");
}

TEST(Adversarial, IdenticalMessagesOncePerObjectAndConstraint) {
  const std::string out = Gator(
      kRepoAllow,
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p7","namespace":"n"},"spec":{"containers":[{"name":"d","image":"evil.io/x"},{"name":"d","image":"evil.io/x"}],"initContainers":[{"name":"d","image":"evil.io/x"}]}})");
  const std::string p = "v1/Pod n/p7: [\"repo-allow\"] Message: \"";
  EXPECT_EQ(out, p + "container <d> has an invalid image repo <evil.io/x>, " + kAllowed + "\n" + p +
                     "initContainer <d> has an invalid image repo <evil.io/x>, " + kAllowed + "\n");
}

TEST(Adversarial, NewlinesInNamesAndKindLessLists) {
  const std::string input =
      R"({"kind":"PodList","apiVersion":"v1","metadata":{},"items":[{"metadata":{"name":"k1","namespace":"ns2"},"spec":{"containers":[{"name":"a\nb","image":"evil.io/k"}]}}]})"
      "\n"
      R"({"apiVersion":"v1","items":[{"metadata":{"name":"k2","namespace":"ns2"},"spec":{"containers":[{"name":"c","image":"evil.io/k2"}]}}],"kind":"PodList","metadata":{}})";
  const std::string out = Gator(kRepoAllow, input);
  EXPECT_EQ(out, std::string("v1/Pod ns2/k1: [\"repo-allow\"] Message: \"container <a\\nb> has an "
                             "invalid image repo <evil.io/k>, ") +
                     kAllowed + "\n" +
                     "v1/Pod ns2/k2: [\"repo-allow\"] Message: \"container <c> has an invalid "
                     "image repo <evil.io/k2>, " +
                     kAllowed + "\n");
}

TEST(Adversarial, WhitespaceLayoutsAndKeyOrderGiveTheSameAnswer) {
  const std::string compact =
      R"({"spec":{"containers":[{"image":"evil.io/w","name":"c"}]},"metadata":{"namespace":"n","name":"w"},"kind":"Pod","apiVersion":"v1"})";
  const std::string spaced =
      "{\r\n\t\"apiVersion\" :\t\"v1\" ,\r\n \"kind\":\"Pod\",\n    \"metadata\": {\n        "
      "\"name\": \"w\",\n        \"namespace\": \"n\"\n    },\n    \"spec\": { \"containers\": [ { "
      "\"name\" : \"c\" , \"image\" : \"evil.io/w\" } ] }\n}";
  const std::string line = std::string(
                               "v1/Pod n/w: [\"repo-allow\"] Message: \"container <c> has an "
                               "invalid image repo <evil.io/w>, ") +
                           kAllowed + "\n";
  EXPECT_EQ(Gator(kRepoAllow, compact + spaced + "\n" + compact), line + line + line);
}

TEST(Adversarial, SeedTemplateAndLibraryTemplateWordTheirMessagesDifferently) {
  // The seed's template says "container" for both lists, so one message covers both.
  TempDir dir;
  const std::string input = dir.Write(
      "p.json",
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"s","namespace":"default"},"spec":{"containers":[{"name":"a","image":"gcr.io/x"}],"initContainers":[{"name":"a","image":"gcr.io/x"}]}})");
  auto seed = kSeedPolicy;
  seed.insert(seed.end(), {"-o", "gator", input});
  EXPECT_EQ(RunGatescan(seed).out,
            "v1/Pod default/s: [\"whitelist-dockerhub\"] Message: \"container <a> has an invalid "
            "image repo <gcr.io/x>, allowed repos are [\\\"docker.io\\\"]\"\n");
  const std::string lib = Gator(kRepoAllow, ReadFile(input));
  const std::string p = "v1/Pod default/s: [\"repo-allow\"] Message: \"";
  EXPECT_EQ(lib, p + "container <a> has an invalid image repo <gcr.io/x>, " + kAllowed + "\n" + p +
                     "initContainer <a> has an invalid image repo <gcr.io/x>, " + kAllowed + "\n");
}

// A scoped constraint is reviewed only at the enforcement points it lists:
// gatescan's own outputs are an audit, -o gator reviews as gator does.
TEST(EnforcementActions, ScopedActionsDependOnTheEnforcementPoint) {
  TempDir dir;
  const std::string policy =
      dir.Write("scoped.yaml", R"(apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedRepos
metadata:
  name: audit-deny-gator-warn
spec:
  enforcementAction: scoped
  scopedEnforcementActions:
  - action: deny
    enforcementPoints:
    - name: audit.gatekeeper.sh
  - action: warn
    enforcementPoints:
    - name: gator.gatekeeper.sh
  parameters:
    repos: ["docker.io/"]
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedRepos
metadata:
  name: webhook-only
spec:
  enforcementAction: scoped
  scopedEnforcementActions:
  - action: deny
    enforcementPoints:
    - name: validation.gatekeeper.sh
  parameters:
    repos: ["docker.io/"]
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedRepos
metadata:
  name: plain-warn
spec:
  enforcementAction: warn
  parameters:
    repos: ["docker.io/"]
)");
  const std::string input = dir.Write(
      "p.json",
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"s","namespace":"n"},"spec":{"containers":[{"name":"c","image":"quay.io/x"}]}})");
  const std::string msg =
      R"(container <c> has an invalid image repo <quay.io/x>, allowed repos are ["docker.io/"])";
  const RunResult text = RunGatescan({"-p", policy, input});
  EXPECT_EQ(text.exit_code, 1) << "scoped deny at the audit point";
  EXPECT_EQ(text.out, "v1/Pod n/s: [audit-deny-gator-warn] " + msg +
                          "\nwarn: v1/Pod n/s: [plain-warn] " + msg + "\n");
  const RunResult gator = RunGatescan({"-o", "gator", "-p", policy, input});
  EXPECT_EQ(gator.exit_code, 0) << "at gator's point the scoped constraint only warns";
  const std::string quoted =
      R"("container <c> has an invalid image repo <quay.io/x>, allowed repos are [\"docker.io/\"]")";
  EXPECT_EQ(gator.out, "v1/Pod n/s: [\"audit-deny-gator-warn\"] Message: " + quoted + "\n" +
                           "v1/Pod n/s: [\"plain-warn\"] Message: " + quoted + "\n");
}

// gator reviews a cluster-scoped object with an empty Namespace and reads no
// Config; gatescan's audit outputs pass no Namespace and honour the Config.
TEST(GatorReview, ClusterScopedObjectsAndTheConfigDifferFromAudit) {
  TempDir dir;
  std::string constraints;
  for (const auto& [name, match] : std::vector<std::pair<std::string, std::string>>{
           {"scope-cluster", "scope: Cluster"},
           {"scope-namespaced", "scope: Namespaced"},
           {"listed-ns", "namespaces: [team-a]"},
           {"ns-selector", "namespaceSelector: {matchLabels: {env: prod}}"}}) {
    constraints +=
        "---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sAllowedRepos\nmetadata: "
        "{name: " +
        name + "}\nspec:\n  match: {" + match + "}\n  parameters: {repos: [\"docker.io/\"]}\n";
  }
  constraints += R"(---
apiVersion: v1
kind: Namespace
metadata: {name: team-a, labels: {env: prod}}
---
apiVersion: config.gatekeeper.sh/v1alpha1
kind: Config
metadata: {name: config, namespace: gatekeeper-system}
spec:
  match:
  - excludedNamespaces: [team-a]
    processes: [audit]
)";
  const std::string policy = dir.Write("c.yaml", constraints);
  const std::string input = dir.Write(
      "objs.json",
      R"({"apiVersion":"example.com/v1","kind":"Runner","metadata":{"name":"r"},"spec":{"containers":[{"name":"c","image":"quay.io/x"}]}}
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"team-a"},"spec":{"containers":[{"name":"c","image":"quay.io/x"}]}})");
  const std::string msg =
      R"(container <c> has an invalid image repo <quay.io/x>, allowed repos are ["docker.io/"])";
  const RunResult audit = RunGatescan({"-p", policy, input});
  EXPECT_EQ(audit.out, "example.com/v1/Runner r: [scope-cluster] " + msg +
                           "\nexample.com/v1/Runner r: [listed-ns] " + msg +
                           "\nexample.com/v1/Runner r: [ns-selector] " + msg + "\n")
      << "the Config excludes team-a from the audit";
  const RunResult gator = RunGatescan({"-o", "gator", "-p", policy, input});
  const std::string quoted =
      R"("container <c> has an invalid image repo <quay.io/x>, allowed repos are [\"docker.io/\"]")";
  EXPECT_EQ(gator.out, "example.com/v1/Runner r: [\"scope-namespaced\"] Message: " + quoted + "\n" +
                           "v1/Pod team-a/p: [\"scope-namespaced\"] Message: " + quoted + "\n" +
                           "v1/Pod team-a/p: [\"listed-ns\"] Message: " + quoted + "\n" +
                           "v1/Pod team-a/p: [\"ns-selector\"] Message: " + quoted + "\n");
  EXPECT_EQ(gator.exit_code, 1) << gator.err;
}

// --match reference flags exactly the bypasses and the invalid reference;
// the default mode keeps Gatekeeper's raw prefix (and lets the bypasses through).
TEST(ReferenceMode, ComponentBoundariesAndInvalidReferences) {
  TempDir dir;
  std::string input;
  const std::vector<std::pair<std::string, std::string>> pods = {
      {"hub-short", "busybox"},
      {"hub-long", "docker.io/x/y"},
      {"evil-hub", "docker.io.evil.com/x"},
      {"team", "gcr.io/team/app"},
      {"teammate", "gcr.io/teammate/x"},
      {"local", "localhost:5000/app"},
      {"local-port", "localhost:50001/app"},
      {"invalid", "UPPER/Case"}};
  for (const auto& [name, image] : pods) {
    input += R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
             R"(","namespace":"n"},"spec":{"containers":[{"name":"c","image":")" + image +
             "\"}]}}\n";
  }
  const std::string file = dir.Write("pods.ndjson", input);
  const std::vector<std::string> allow = {"--allow",     "docker.io", "--allow",
                                          "gcr.io/team", "--allow",   "localhost:5000/"};
  auto names = [](const std::string& out) {
    std::vector<std::string> flagged;
    for (size_t p = out.find("v1/Pod n/"); p != std::string::npos;
         p = out.find("v1/Pod n/", p + 1)) {
      flagged.push_back(out.substr(p + 9, out.find(':', p) - p - 9));
    }
    return flagged;
  };
  auto reference = allow;
  reference.insert(reference.end(), {"--match", "reference", file});
  const RunResult r = RunGatescan(reference);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(names(r.out),
            (std::vector<std::string>{"evil-hub", "teammate", "local-port", "invalid"}))
      << r.out;
  EXPECT_NE(r.out.find(
                "container <c> has an invalid image repo <docker.io.evil.com/x>, allowed repos are "
                "[\"docker.io\", \"gcr.io/team\", \"localhost:5000/\"]"),
            std::string::npos)
      << "messages keep Gatekeeper's wording and the raw image";
  auto gatekeeper = allow;
  gatekeeper.push_back(file);
  const RunResult g = RunGatescan(gatekeeper);
  EXPECT_EQ(names(g.out), (std::vector<std::string>{"hub-short", "local-port", "invalid"}))
      << g.out;
  EXPECT_NE(g.err.find("docker.io/"), std::string::npos) << "bypassable entries are warned about";
}

}  // namespace
}  // namespace gatescan::testing
