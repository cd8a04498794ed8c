// End-to-end tests of what the user is told (issue 13): every error record on
// standard error, a warning for whatever was not checked (and --strict), and
// the habits users bring from kubectl and gator.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "cli_support.h"

namespace gatescan::testing {
namespace {

std::string Datasets(const std::string& name) { return (DatasetsDir() / name).string(); }

const std::vector<std::string> kSeedPolicy = {"-p", Datasets("k8sallowedrepos-template.yaml"), "-p",
                                              Datasets("whitelist-dockerhub.yaml")};

std::string PodWith(const std::string& name, const std::string& image,
                    const std::string& head = R"("apiVersion":"v1","kind":"Pod",)") {
  return "{" + head + R"("metadata":{"name":")" + name +
         R"(","namespace":"n"},"spec":{"containers":[{"name":"c","image":")" + image + "\"}]}}";
}

size_t CountOf(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1))
    ++n;
  return n;
}

// The error records' lines on standard error, in order.
std::vector<std::string> ErrorLines(const std::string& err) {
  static const std::regex line(R"(gatescan: [^\n]*:[0-9]+ \(item [0-9]+\): [^\n]*)");
  std::vector<std::string> lines;
  for (std::sregex_iterator it(err.begin(), err.end(), line), end; it != end; ++it)
    lines.push_back(it->str());
  return lines;
}

// Gatekeeper's spec.match.name also looks at metadata.generateName, for
// prefix and contains globs (pkg/wildcard MatchesGenerateName).
TEST(MatchName, SeesGenerateName) {
  TempDir dir;
  const std::string pod = dir.Write(
      "pod.json",
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"x-7f9","generateName":)"
      R"("web-","namespace":"n"},"spec":{"containers":[{"name":"c","image":"evil/x"}]}})");
  auto run = [&](const std::string& glob) {
    const std::string constraint = dir.Write(
        "c.yaml",
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sAllowedRepos\nmetadata:\n"
        "  name: named\nspec:\n  match:\n    name: \"" +
            glob + "\"\n  parameters:\n    repos: [\"docker.io/\"]\n");
    return RunGatescan({"-p", constraint, "-o", "ndjson", pod});
  };
  EXPECT_EQ(run("web-*").exit_code, 1) << "a prefix glob matches the generateName";
  EXPECT_EQ(run("*eb*").exit_code, 1) << "a contains glob matches the generateName";
  EXPECT_EQ(run("x-*").exit_code, 1) << "the name itself still matches";
  EXPECT_EQ(run("*-").exit_code, 0) << "a suffix glob says nothing about a generateName";
  EXPECT_EQ(run("zz*").exit_code, 0);
}

// Inputs and policy folders are walked by the same walker: symlinked files
// are read, symlinked directories are not followed (a loop would not end).
TEST(Walker, PolicyFoldersAndInputsAlike) {
  TempDir dir;
  const std::filesystem::path policies = dir.path() / "policies", inputs = dir.path() / "inputs";
  for (const auto& root : {policies, inputs}) {
    std::filesystem::create_directories(root / "real");
    std::filesystem::create_symlink(root, root / "real" / "loop");
  }
  std::filesystem::copy_file(Datasets("whitelist-dockerhub.yaml"), policies / "real" / "c.yaml");
  std::filesystem::copy_file(Datasets("demo-pods.json"), inputs / "real" / "pods.json");
  const RunResult r = RunGatescan({"-p", Datasets("k8sallowedrepos-template.yaml"), "-p",
                                   policies.string(), "-o", "ndjson", inputs.string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(CountOf(r.out, "\"type\":\"summary\",\"inputs\":1,"), 1u) << r.out;
}

TEST(ErrorRecords, ReachStandardErrorInEveryFormatButNdjson) {
  const std::string demo = ReadFile(DatasetsDir() / "demo-pods.json");
  const std::string cut = demo.substr(0, 30000);
  for (const std::string format : {"text", "gator", "csv", "audit", "audit-log"}) {
    SCOPED_TRACE(format);
    const RunResult r = RunGatescan({"--allow", "docker.io/", "-o", format}, &cut);
    EXPECT_EQ(r.exit_code, 2);
    const auto lines = ErrorLines(r.err);
    ASSERT_EQ(lines.size(), 1u) << r.err;
    EXPECT_NE(lines[0].find("gatescan: <stdin>:"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("truncated"), std::string::npos) << lines[0];
    EXPECT_NE(r.err.find("1 error(s) while scanning"), std::string::npos);
  }
  // ndjson keeps them inline and does not repeat them.
  const RunResult nd = RunGatescan({"--allow", "docker.io/", "-o", "ndjson"}, &cut);
  EXPECT_EQ(nd.exit_code, 2);
  EXPECT_EQ(CountOf(nd.out, "\"type\":\"error\""), 1u);
  EXPECT_TRUE(ErrorLines(nd.err).empty()) << nd.err;
  // ... unless the output is thrown away.
  const RunResult quiet = RunGatescan({"--allow", "docker.io/", "-o", "ndjson", "-q"}, &cut);
  EXPECT_EQ(ErrorLines(quiet.err).size(), 1u) << quiet.err;
}

TEST(ErrorRecords, FirstTwentyThenACountAndAllOnRequest) {
  TempDir dir;
  std::string input;
  for (int i = 0; i < 25; ++i) input += "{\"broken\": [1 2]}\n";
  const std::string file = dir.Write("bad.ndjson", input);
  const RunResult r = RunGatescan({"--allow", "docker.io/", file});
  EXPECT_EQ(r.exit_code, 2);
  const auto lines = ErrorLines(r.err);
  ASSERT_EQ(lines.size(), 20u) << r.err;
  EXPECT_NE(lines[0].find("bad.ndjson:0 (item 0): "), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("bad.ndjson:18 (item 1): "), std::string::npos) << lines[1];
  EXPECT_NE(r.err.find("... and 5 more error record(s); --errors all shows every one"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(ErrorLines(RunGatescan({"--allow", "docker.io/", "--errors", "all", file}).err).size(),
            25u);
  const RunResult none = RunGatescan({"--allow", "docker.io/", "--errors", "0", file});
  EXPECT_TRUE(ErrorLines(none.err).empty());
  EXPECT_NE(none.err.find("... and 25 more"), std::string::npos) << none.err;
  EXPECT_EQ(RunGatescan({"--allow", "docker.io/", "--errors", "some", file}).exit_code, 2);
}

TEST(ErrorRecords, AreSafeForTheTerminal) {
  TempDir dir;
  const std::string file = dir.Write("evil\x1b[31m\xe2\x80\xae.json", "{\"a\": tru}");
  const RunResult r = RunGatescan({"--allow", "docker.io/", file});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("\xe2\x80\xae"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("evil\\x1b[31m\\u202e.json:0 (item 0): "), std::string::npos) << r.err;
}

// Kubernetes refuses an object without kind or apiVersion (apimachinery's
// unstructured decoder: "Object 'Kind' is missing"; gator reads objects with
// it), so Gatekeeper never reviews one: an error record, never "/Pod n/p".
TEST(ErrorRecords, ObjectsWithoutKindOrApiVersionAreErrors) {
  TempDir dir;
  const std::string file =
      dir.Write("o.ndjson", PodWith("no-api", "evil/x", R"("kind":"Pod",)") + "\n" +
                                PodWith("no-kind", "evil/x", R"("apiVersion":"v1",)") + "\n" +
                                PodWith("empty-kind", "evil/x", R"("apiVersion":"v1","kind":"",)") +
                                "\n" + PodWith("ok", "evil/x") + "\n");
  for (const std::string format : {"text", "gator", "ndjson"}) {
    SCOPED_TRACE(format);
    const RunResult r = RunGatescan({"--allow", "docker.io/", "-o", format, file});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out.find("/Pod n/no-"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("empty-kind"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(format == "ndjson" ? "\"name\":\"ok\"" : "v1/Pod n/ok"), std::string::npos)
        << r.out;
    const std::string& records = format == "ndjson" ? r.out : r.err;
    EXPECT_NE(records.find("object has no apiVersion"), std::string::npos) << records;
    EXPECT_EQ(CountOf(records, "object has no kind"), 2u) << records;
  }
  // Items of a List still take the List's kind and apiVersion.
  const std::string list = dir.Write("l.json", R"({"apiVersion":"v1","kind":"PodList","items":[)" +
                                                   PodWith("item", "evil/x", "") + "]}");
  const RunResult l = RunGatescan({"--allow", "docker.io/", list});
  EXPECT_EQ(l.exit_code, 1) << l.err;
  EXPECT_NE(l.out.find("v1/Pod n/item: "), std::string::npos) << l.out;
}

std::vector<std::string> Warnings(const std::string& err) {
  std::vector<std::string> lines;
  for (size_t p = err.find("gatescan: warning: "); p != std::string::npos;
       p = err.find("gatescan: warning: ", p + 1)) {
    lines.push_back(err.substr(p, err.find('\n', p) - p));
  }
  return lines;
}

TEST(Warnings, NothingCheckedIsNeverSilentAndStrictMakesItAnError) {
  TempDir dir;
  const std::string empty_list =
      dir.Write("empty.json", R"({"apiVersion":"v1","kind":"List","items":[]})");
  const std::string pods = dir.Write("pods.ndjson", PodWith("p", "docker.io/x") + "\n");
  const std::string deploy = dir.Write(
      "deploy.json",
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"n"},)"
      R"("spec":{"template":{"metadata":{},"spec":{"containers":[{"name":"c","image":"evil/x"}]}}}})");
  const std::string deployments_only =
      dir.Write("c.yaml",
                "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sAllowedRepos\n"
                "metadata:\n  name: deploys\nspec:\n  match:\n    kinds:\n    - apiGroups: [apps]\n"
                "      kinds: [Deployment]\n  parameters:\n    repos: [docker.io/]\n");
  const std::string template_file = Datasets("k8sallowedrepos-template.yaml");
  struct Case {
    std::string name;
    std::vector<std::string> args;
    std::string warning;  // empty: none expected
  };
  const std::vector<Case> cases = {
      {"an input without objects",
       {"--allow", "docker.io/", empty_list},
       "no Kubernetes object in"},
      {"an empty folder",
       {
           "--allow",
           "docker.io/",
           dir.Write("sub/readme.txt", "x"),
       },
       ""},
      {"every object filtered out",
       {"--allow", "docker.io/", "-n", "other", pods},
       "none of the 1 object passed the scan filters (-n other)"},
      {"no constraint selects anything",
       {"-p", template_file, "-p", deployments_only, pods},
       "no constraint selects any of the 1 object"},
      {"workloads without --expand",
       {"--allow", "docker.io/", deploy},
       "1 workload (1 Deployment) not checked: their pod templates are checked only with "
       "--expand"},
      {"workloads with --expand", {"--allow", "docker.io/", "--expand", deploy}, ""},
      {"a clean run", {"--allow", "docker.io/", pods}, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const RunResult r = RunGatescan(c.args);
    const auto warnings = Warnings(r.err);
    if (c.warning.empty()) {
      EXPECT_TRUE(warnings.empty()) << r.err;
      continue;
    }
    ASSERT_FALSE(warnings.empty()) << r.err;
    EXPECT_NE(r.err.find(c.warning), std::string::npos) << r.err;
    EXPECT_NE(r.exit_code, 2) << r.err;
    auto strict = c.args;
    strict.push_back("--strict");
    const RunResult s = RunGatescan(strict);
    EXPECT_EQ(s.exit_code, 2) << s.err;
    EXPECT_NE(s.err.find("--strict: "), std::string::npos) << s.err;
  }
  const RunResult folder = RunGatescan({"--allow", "docker.io/", (dir.path() / "sub").string()});
  EXPECT_NE(folder.err.find("gatescan: warning: no input found in "), std::string::npos)
      << folder.err;
}

TEST(Warnings, LoaderWarningsPrintedEvenWhenNoConstraintLoads) {
  TempDir dir;
  const std::string not_policy =
      dir.Write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
  const RunResult r = RunGatescan({"-p", not_policy, dir.Write("p.json", PodWith("p", "x"))});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("gatescan: warning: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("kind ConfigMap is not a policy object"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no constraints to check"), std::string::npos) << r.err;
  // The raw-prefix warning of the seed policy counts for --strict.
  auto args = kSeedPolicy;
  args.insert(args.end(), {"--strict", Datasets("demo-pods.json")});
  EXPECT_EQ(RunGatescan(args).exit_code, 2);
}

// The corpus dumps with a sensible policy (--expand for the workload dumps)
// print none of these warnings; empty Lists and a kubectl Table are the
// things to say.
TEST(Warnings, NoneOnTheCorpus) {
  GS_REQUIRE_CORPUS();
  const RunResult all =
      RunGatescan({"--allow", "docker.io/", "--expand", (CorpusDir() / "realworld").string()});
  EXPECT_TRUE(Warnings(all.err).empty()) << all.err;
  size_t files = 0, empty = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(CorpusDir() / "realworld")) {
    if (!e.is_regular_file()) continue;
    ++files;
    const RunResult r =
        RunGatescan({"--allow", "docker.io/", "--expand", "-o", "ndjson", e.path().string()});
    if (e.path().filename() == "pods_velero_namespace.json") {
      // A kubectl Table (meta.k8s.io/v1), not the Pods: rightly, nothing checked.
      EXPECT_EQ(Warnings(r.err).size(), 1u) << r.err;
      EXPECT_NE(r.err.find("no constraint selects any of the 1 object"), std::string::npos);
    } else if (r.out.find("\"objects\":0,") != std::string::npos &&
               r.out.find("\"errors\":0,") != std::string::npos) {
      ++empty;
      EXPECT_EQ(Warnings(r.err).size(), 1u) << e.path() << r.err;
      EXPECT_NE(r.err.find("(an empty List?)"), std::string::npos) << r.err;
    } else {
      EXPECT_TRUE(Warnings(r.err).empty()) << e.path() << r.err;
    }
  }
  EXPECT_EQ(files, 39u);
  EXPECT_EQ(empty, 2u) << "the support bundles hold two empty Lists";
}

TEST(Habits, HelpListsInventoryAndInventoryHelpOnlyItsOwn) {
  const RunResult help = RunGatescan({"--help"});
  EXPECT_NE(help.out.find("gatescan inventory [OPTIONS]"), std::string::npos) << help.out;
  const RunResult inv = RunGatescan({"inventory", "--help"});
  EXPECT_EQ(inv.exit_code, 0);
  EXPECT_NE(inv.out.find("text | json | csv | html"), std::string::npos) << inv.out;
  for (const char* scan_only :
       {"violations-limit", "truncate-messages", "exit-zero", "gator", "audit-log", "--color"}) {
    EXPECT_EQ(inv.out.find(scan_only), std::string::npos) << scan_only;
  }
  EXPECT_NE(inv.out.find("--expand"), std::string::npos);
}

TEST(Habits, HelpNamesEveryImagePolicyKind) {
  const RunResult help = RunGatescan({"--help"});
  for (const char* kind : {"K8sAllowedRepos,", "K8sAllowedReposv2", "K8sDisallowedRepos",
                           "K8sDisallowedTags", "K8sImageDigests"}) {
    EXPECT_NE(help.out.find(kind), std::string::npos) << kind;
  }
}

TEST(Habits, KubectlAndGatorHabitsWork) {
  TempDir dir;
  const std::string pods = dir.Write("p.json", PodWith("p", "evil/x"));
  for (const char* all : {"-A", "--all-namespaces"}) {
    const RunResult r = RunGatescan({"--allow", "docker.io/", all, pods});
    EXPECT_EQ(r.exit_code, 1) << all << r.err;
    EXPECT_NE(r.out.find("v1/Pod n/p"), std::string::npos);
  }
  const RunResult option = RunGatescan({"--alow", "docker.io/", pods});
  EXPECT_EQ(option.exit_code, 2);
  EXPECT_NE(option.err.find("did you mean --allow?"), std::string::npos) << option.err;
  const RunResult command = RunGatescan({"inventroy", pods});
  EXPECT_EQ(command.exit_code, 2);
  EXPECT_NE(command.err.find("did you mean 'inventory'?"), std::string::npos) << command.err;
  // A file of that name is an input, not a typo.
  const std::string lookalike = dir.Write("scna", PodWith("q", "evil/x"));
  const RunResult file = RunGatescan({"--allow", "docker.io/", lookalike});
  EXPECT_EQ(file.exit_code, 1) << file.err;
  const RunResult explain = RunGatescan({"explain"});
  EXPECT_EQ(explain.exit_code, 2);
  EXPECT_NE(explain.err.find("give one IMAGE or more"), std::string::npos) << explain.err;
  const std::string images = "busybox\n";
  const RunResult dash = RunGatescan({"explain", "-"}, &images);
  EXPECT_EQ(dash.exit_code, 0) << dash.err;
  EXPECT_NE(dash.out.find("docker.io/library/busybox"), std::string::npos) << dash.out;
  const RunResult inventory_option = RunGatescan({"inventory", "--expnad", pods});
  EXPECT_NE(inventory_option.err.find("did you mean --expand?"), std::string::npos)
      << inventory_option.err;
}

// A user who types `gatescan` and waits gets told it is reading the terminal.
TEST(Habits, HintWhenWaitingOnATerminal) {
  TempDir dir;
  // Ctrl-D until it ends: the reader may ask again after the first end of input.
  const std::string script = dir.Write("hint_on_pty.py", R"(import os, pty, subprocess, sys, time
master, slave = pty.openpty()
p = subprocess.Popen(sys.argv[1:], stdin=slave, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
os.close(slave)
for _ in range(50):
    time.sleep(0.1)
    if p.poll() is not None:
        break
    os.write(master, b"\x04")
if p.poll() is None:
    p.kill()
sys.stdout.write(p.communicate()[1].decode())
)");
  const std::string cmd = "python3 " + ShellQuote(script) + " " +
                          ShellQuote(GatescanBin().string()) + " --allow docker.io/ 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string err;
  char buf[512];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) err.append(buf, n);
  if (pclose(pipe) != 0 && err.find("No module") != std::string::npos) GTEST_SKIP() << err;
  EXPECT_NE(err.find("gatescan: reading Kubernetes objects from standard input (the terminal)"),
            std::string::npos)
      << err;
  // Not when standard input is a file or a pipe.
  const std::string none;
  EXPECT_EQ(RunGatescan({"--allow", "docker.io/"}, &none).err.find("the terminal"),
            std::string::npos);
}

}  // namespace
}  // namespace gatescan::testing
