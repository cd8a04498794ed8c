// Untrusted input (SPEC §8): malformed and hostile dumps never crash, hang or
// blow up memory; violations found before a bad spot are still reported; the
// exit code is 2 and the error names the input.
#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "cli_support.h"

namespace gatescan::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFlagAll = R"(apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedRepos
metadata:
  name: flag-all
spec:
  parameters:
    repos: []
)";

std::string Pod(const std::string& name, const std::string& image) {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
         R"(","namespace":"ns"},"spec":{"containers":[{"name":"c","image":")" + image + R"("}]}})";
}

long PeakChildRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  return usage.ru_maxrss / 1024;
}

class Hostile : public ::testing::Test {
 protected:
  TempDir dir_;  // before policy_, which is written into it
  std::string policy_ = dir_.Write("flag-all.yaml", kFlagAll);
  RunResult Scan(const std::string& file, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"-o", "ndjson", "-p", policy_};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(file);
    return RunGatescan(args);
  }
};

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1))
    ++n;
  return n;
}

TEST_F(Hostile, HugeImageString) {
  const std::string image(64u << 20, 'a');
  const RunResult r = Scan(dir_.Write("big.json", Pod("big", image)));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(Count(r.out, "\"type\":\"violation\""), 1u);
  EXPECT_LT(PeakChildRssMiB(), 1024);
}

TEST_F(Hostile, ObjectOverTheSizeLimitIsAnErrorAndTheScanGoesOn) {
  const std::string input = Pod("first", "evil/1") + "\n" + Pod("big", std::string(1 << 20, 'b')) +
                            "\n" + Pod("last", "evil/3") + "\n";
  const RunResult r = Scan(dir_.Write("limit.ndjson", input), {"--max-object-bytes", "100000"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("\"name\":\"first\""), std::string::npos);
  EXPECT_NE(r.out.find("\"name\":\"last\""), std::string::npos);
  EXPECT_EQ(Count(r.out, "\"type\":\"error\""), 1u) << r.out;
  EXPECT_NE(r.out.find("limit.ndjson"), std::string::npos);
}

TEST_F(Hostile, DeepNesting) {
  const std::string deep = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"deep"},"x":)" +
                           std::string(100000, '[') + std::string(100000, ']') + "}";
  const std::string input =
      Pod("before", "evil/b") + "\n" + deep + "\n" + Pod("after", "evil/a") + "\n";
  const RunResult r = Scan(dir_.Write("deep.ndjson", input));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("\"name\":\"before\""), std::string::npos);
  EXPECT_NE(r.out.find("\"name\":\"after\""), std::string::npos);
  EXPECT_EQ(Count(r.out, "\"type\":\"error\""), 1u);
}

TEST_F(Hostile, AMillionContainersInOnePod) {
  std::string pod =
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"wide","namespace":"ns"},"spec":{"containers":[)";
  for (int i = 0; i < 1000000; ++i) {
    if (i) pod += ',';
    pod += R"({"name":"c)" + std::to_string(i % 1000) + R"(","image":"evil/x"})";
  }
  pod += "]}}";
  const RunResult r = Scan(dir_.Write("wide.json", pod));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  // Identical messages are reported once: 1000 distinct names.
  EXPECT_EQ(Count(r.out, "\"type\":\"violation\""), 1000u);
  EXPECT_LT(PeakChildRssMiB(), 1024);
}

TEST_F(Hostile, ManyTinyNdjsonPods) {
  std::string input;
  for (int i = 0; i < 300000; ++i)
    input += Pod("p" + std::to_string(i), i % 100 == 0 ? "evil/x" : "") + "\n";
  const RunResult r = Scan(dir_.Write("tiny.ndjson", input));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(Count(r.out, "\"type\":\"violation\""),
            300000u);  // repos: [] flags the empty image too
  EXPECT_NE(r.out.find("\"objects\":300000"), std::string::npos);
}

TEST_F(Hostile, ItemsThatAreNotAnArray) {
  const RunResult r =
      Scan(dir_.Write("items.json", R"({"apiVersion":"v1","kind":"List","items":"surprise"})"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("\"type\":\"error\""), std::string::npos);
}

TEST_F(Hostile, NulBytesAndEmptyInput) {
  const RunResult nul = Scan(dir_.Write("nul.json", std::string(4096, '\0')));
  EXPECT_EQ(nul.exit_code, 2);
  EXPECT_NE(nul.out.find("nul.json"), std::string::npos);
  const RunResult empty = Scan(dir_.Write("empty.json", ""));
  EXPECT_EQ(empty.exit_code, 2)
      << "an empty dump is more likely a failed kubectl than a clean cluster";
}

TEST_F(Hostile, ClosedPipeEndsQuietly) {
  std::string input;
  for (int i = 0; i < 20000; ++i) input += Pod("p" + std::to_string(i), "evil/x") + "\n";
  const std::string file = dir_.Write("many.ndjson", input);
  const std::string cmd = ShellQuote(GatescanBin().string()) + " -o text -p " +
                          ShellQuote(policy_) + " " + ShellQuote(file) + " 2>" +
                          ShellQuote((dir_.path() / "err").string()) +
                          " | head -n 1 >/dev/null; echo ${PIPESTATUS[0]} > " +
                          ShellQuote((dir_.path() / "rc").string());
  ASSERT_EQ(std::system(("bash -c " + ShellQuote(cmd)).c_str()), 0);
  const std::string rc = ReadFile(dir_.path() / "rc");
  EXPECT_TRUE(rc == "1\n" || rc == "0\n") << rc;
  // The policy's `repos: []` earns its loader warning; the closed pipe itself says nothing.
  const std::string err = ReadFile(dir_.path() / "err");
  EXPECT_EQ(err.find("rror"), std::string::npos) << "a closed pipe is not an error worth a message";
  EXPECT_EQ(err.find("pipe"), std::string::npos) << err;
  for (size_t pos = 0; pos < err.size(); pos = err.find('\n', pos) + 1) {
    EXPECT_EQ(err.compare(pos, 19, "gatescan: warning: "), 0) << err;
  }
}

TEST_F(Hostile, FullDiskIsAnError) {
  const std::string file = dir_.Write("one.json", Pod("p", "evil/x"));
  const std::string cmd = ShellQuote(GatescanBin().string()) + " -p " + ShellQuote(policy_) + " " +
                          ShellQuote(file) + " > /dev/full 2>/dev/null";
  const int status = std::system(cmd.c_str());
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

// JSONTestSuite: nothing crashes or hangs; every n_ file is an error naming the file.
TEST(JsonTestSuite, NoCrashAndEveryInvalidFileIsAnError) {
  GS_REQUIRE_CORPUS();
  TempDir dir;
  const std::string policy = dir.Write("p.yaml", kFlagAll);
  size_t n_files = 0;
  for (const auto& e : fs::directory_iterator(CorpusDir() / "jsontestsuite/test_parsing")) {
    const std::string name = e.path().filename().string();
    const RunResult r = RunGatescan({"-o", "ndjson", "-p", policy, e.path().string()});
    SCOPED_TRACE(name);
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1 || r.exit_code == 2) << r.exit_code;
    // "[] []" is not one JSON value but is a valid stream of values, which gatescan reads.
    if (name.starts_with("n_") && name != "n_structure_double_array.json") {
      ++n_files;
      EXPECT_EQ(r.exit_code, 2) << r.out;
      EXPECT_NE(r.out.find(name), std::string::npos)
          << "the error record names the file: " << r.out;
      // The default text output shows the record on standard error: file and offset.
      const RunResult text = RunGatescan({"-p", policy, e.path().string()});
      EXPECT_EQ(text.exit_code, 2);
      const size_t at = text.err.find("/" + name + ":");
      ASSERT_NE(at, std::string::npos) << text.err;
      EXPECT_TRUE(std::regex_search(text.err.substr(at + name.size() + 2),
                                    std::regex("^[0-9]+ \\(item [0-9]+\\): ")))
          << text.err;
    }
  }
  EXPECT_EQ(n_files, 187u);
}

std::vector<uint64_t> ViolationOffsets(const std::string& ndjson) {
  std::vector<uint64_t> offsets;
  const std::regex re("\"type\":\"violation\".*\"offset\":([0-9]+)");
  size_t pos = 0;
  while (pos < ndjson.size()) {
    const size_t eol = ndjson.find('\n', pos);
    const std::string line = ndjson.substr(pos, eol - pos);
    pos = eol == std::string::npos ? ndjson.size() : eol + 1;
    std::smatch m;
    if (std::regex_search(line, m, re)) offsets.push_back(std::stoull(m[1]));
  }
  return offsets;
}

// Truncation sweep: cut real dumps at many points; every object that ends
// before the cut keeps all its violations, and the cut itself is an error.
TEST(Sweeps, TruncationKeepsEverythingBeforeTheCut) {
  GS_REQUIRE_CORPUS();
  TempDir dir;
  const std::string policy = dir.Write("p.yaml", kFlagAll);
  for (const char* rel : {"realworld/wey-gu__k8s-graph/data/pods.json",
                          "realworld/replicatedhq__sbctl/tests/support-bundle/cluster-resources/"
                          "pods/longhorn-system.json"}) {
    const std::string text = ReadFile(CorpusDir() / rel);
    const RunResult full =
        RunGatescan({"-o", "ndjson", "-p", policy, (CorpusDir() / rel).string()});
    ASSERT_EQ(full.exit_code, 1) << full.err;
    std::vector<uint64_t> starts = ViolationOffsets(full.out);
    std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
    ASSERT_GT(starts.size(), 5u);
    for (int k = 1; k < 40; ++k) {
      const size_t cut = text.size() * static_cast<size_t>(k) / 40;
      const RunResult r =
          RunGatescan({"-o", "ndjson", "-p", policy, dir.Write("cut.json", text.substr(0, cut))});
      SCOPED_TRACE(std::string(rel) + " cut at " + std::to_string(cut));
      EXPECT_EQ(r.exit_code, 2);
      const RunResult text = RunGatescan({"-p", policy, dir.path().string() + "/cut.json"});
      EXPECT_EQ(text.exit_code, 2);
      EXPECT_TRUE(std::regex_search(text.err, std::regex("gatescan: [^\n]*/cut\\.json:[0-9]+ "
                                                         "\\(item [0-9]+\\): ")))
          << text.err;
      const auto got = ViolationOffsets(r.out);
      const std::multiset<uint64_t> got_set(got.begin(), got.end());
      const auto full_offsets = ViolationOffsets(full.out);
      const std::multiset<uint64_t> full_set(full_offsets.begin(), full_offsets.end());
      for (size_t i = 0; i + 1 < starts.size() && starts[i + 1] <= cut; ++i) {
        EXPECT_EQ(got_set.count(starts[i]), full_set.count(starts[i])) << "object at " << starts[i];
      }
      for (uint64_t o : got) EXPECT_TRUE(full_set.count(o)) << "invented a violation at " << o;
    }
  }
}

TEST(Sweeps, CorruptionNeverCrashes) {
  GS_REQUIRE_CORPUS();
  TempDir dir;
  const std::string policy = dir.Write("p.yaml", kFlagAll);
  const std::string text = ReadFile(
      CorpusDir() /
      "realworld/replicatedhq__sbctl/tests/support-bundle/cluster-resources/pods/velero.json");
  std::mt19937 rng(7);
  for (int k = 0; k < 40; ++k) {
    std::string bad = text;
    for (int flips = 0; flips < 1 + k % 4; ++flips) {
      bad[rng() % bad.size()] = static_cast<char>(rng() % 256);
    }
    const RunResult r = RunGatescan({"-o", "ndjson", "-p", policy, dir.Write("bad.json", bad)});
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1 || r.exit_code == 2)
        << "exit " << r.exit_code << " at try " << k;
  }
}

}  // namespace
}  // namespace gatescan::testing
