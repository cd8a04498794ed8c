// End to end: a dump as YAML (streamed by the YAML framer, converted in the
// parallel stage) gives exactly the `-o gator` output of the same dump as
// JSON — on generated kubectl-style and PyYAML-style dumps and on every YAML
// file of the corpus — and a truncated YAML List reports its items, then an
// error with line and column.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli_support.h"
#include "gatescan/input/yaml_json.h"
#include "test_support.h"

namespace gatescan {
namespace {

namespace fs = std::filesystem;
using testing::RunGatescan;

const std::vector<std::string> kPolicy = {
    "--allow", "docker.io/library/", "--allow", "registry.k8s.io/", "-o", "gator"};

fs::path TempDir() {
  const fs::path dir = fs::temp_directory_path() / ("gatescan-yaml-" + std::to_string(getpid()));
  fs::create_directories(dir);
  return dir;
}

std::vector<std::string> With(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

bool GenDump(const std::string& format, int seed, const fs::path& out) {
  const std::string cmd =
      "python3 " + testing::ShellQuote((testing::SourceDir() / "scripts/gen-dump").string()) +
      " --pods 400 --seed " + std::to_string(seed) + " --format " + format + " --out " +
      testing::ShellQuote(out.string()) + " 2>/dev/null";
  return std::system(cmd.c_str()) == 0;
}

TEST(YamlScan, GeneratedDumpsAsYamlAndJsonAgree) {
  if (std::system("python3 -c 'import yaml' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "SKIPPED: python3 with PyYAML not found (scripts/gen-dump needs it)";
  }
  const fs::path dir = TempDir();
  for (int seed : {1, 2}) {
    const fs::path json = dir / "pods.json";
    ASSERT_TRUE(GenDump("list", seed, json));
    const auto expected = RunGatescan(With(kPolicy, {"-j1", json.string()}));
    ASSERT_EQ(expected.exit_code, 1) << expected.err;
    ASSERT_FALSE(expected.out.empty());
    for (const std::string format : {"yaml", "pyyaml"}) {
      const fs::path yaml = dir / ("pods-" + format + ".yaml");
      ASSERT_TRUE(GenDump(format, seed, yaml));
      for (const std::string threads : {"-j1", "-j2", "-j4"}) {
        const auto got = RunGatescan(With(kPolicy, {threads, yaml.string()}));
        EXPECT_EQ(got.exit_code, 1) << format << " " << threads << ": " << got.err;
        EXPECT_EQ(got.out, expected.out) << format << " " << threads;
      }
    }
  }
  fs::remove_all(dir);
}

// Every corpus YAML file the complete converter reads, against its JSON form
// (each document converted whole, one per line).
TEST(YamlScan, CorpusYamlAndItsJsonFormAgree) {
  GS_REQUIRE_CORPUS();
  const fs::path dir = TempDir();
  std::vector<std::string> yaml_files;
  std::vector<std::string> json_files;
  for (const auto& entry : fs::recursive_directory_iterator(testing::CorpusDir())) {
    const auto ext = entry.path().extension();
    if (!entry.is_regular_file() || (ext != ".yaml" && ext != ".yml")) continue;
    std::vector<std::string> docs;
    if (!YamlToJsonDocuments(testing::ReadFile(entry.path()), &docs).ok() || docs.empty()) {
      continue;
    }
    const fs::path json = dir / (std::to_string(json_files.size()) + ".json");
    std::ofstream out(json, std::ios::binary);
    for (const std::string& d : docs) out << d << "\n";
    yaml_files.push_back(entry.path().string());
    json_files.push_back(json.string());
  }
  ASSERT_GT(yaml_files.size(), 400u);
  for (const std::string threads : {"-j1", "-j2"}) {
    const auto from_json = RunGatescan(With(With(kPolicy, {threads}), json_files));
    const auto from_yaml = RunGatescan(With(With(kPolicy, {threads}), yaml_files));
    EXPECT_EQ(from_yaml.exit_code, from_json.exit_code) << from_yaml.err;
    EXPECT_EQ(from_yaml.out, from_json.out);
    EXPECT_FALSE(from_yaml.out.empty());
  }
  fs::remove_all(dir);
}

TEST(YamlScan, TruncatedListReportsItemsThenLineAndColumn) {
  std::string yaml = "apiVersion: v1\nitems:\n";
  for (int i = 0; i < 3; ++i) {
    yaml += "- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p" + std::to_string(i) +
            "\n    namespace: default\n  spec:\n    containers:\n    - image: evil.example/x\n"
            "      name: c\n";
  }
  yaml += "kind: List\n";
  const std::string cut = yaml.substr(0, yaml.rfind("      name: c") + 9);
  const auto r = RunGatescan({"--allow", "docker.io/", "-o", "ndjson", "-"}, &cut);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.out.find("\"p0\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"p1\""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\"p2\""), std::string::npos) << r.out;
  EXPECT_NE((r.out + r.err).find("YAML: line 21, column 1: truncated"), std::string::npos)
      << r.out << r.err;
}

}  // namespace
}  // namespace gatescan
