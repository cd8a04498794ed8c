// formats_test.cc — issue 15 items 4-6: -o sarif, -o junit and -o prometheus
// validated by the official tools (the SARIF 2.1.0 schema with Debian's
// python3-jsonschema, the corpus's JUnit.xsd with xmllint, `promtool check
// metrics`) on the demo dump, every real dump of the corpus (with and without
// --expand) and a dump of hostile bytes; their counts equal ndjson's.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "cli_support.h"

namespace gatescan {
namespace {

using testing::RunGatescan;
using testing::RunResult;
using testing::TempDir;

bool Have(const std::string& command) {
  return std::system(("command -v " + command + " > /dev/null 2>&1").c_str()) == 0;
}

int Shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

const std::vector<std::string> kPolicy = {"--allow", "docker.io/", "--allow", "registry.k8s.io/"};

std::string HostileDump() {
  std::string bytes;
  for (int b = 1; b < 128; ++b) {
    if (b != '"' && b != '\\') bytes.push_back(static_cast<char>(b));
  }
  std::string escaped;
  for (unsigned char c : bytes) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04x", c);
    escaped += buf;
  }
  escaped += "\\\"\\\\<&>]]>\xc3\xa9\\ud800";
  return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + escaped +
         "\",\"namespace\":\"" + escaped + "\"},\"spec\":{\"containers\":[{\"name\":\"" + escaped +
         "\",\"image\":\"" + escaped + "\"}]}}\n";
}

uint64_t NdjsonViolations(const std::vector<std::string>& args) {
  std::vector<std::string> a = {"-o", "ndjson"};
  a.insert(a.end(), args.begin(), args.end());
  const RunResult r = RunGatescan(a);
  std::smatch m;
  EXPECT_TRUE(std::regex_search(r.out, m, std::regex("\"violations\":([0-9]+)"))) << r.err;
  return std::stoull(m[1]);
}

template <typename Check>
void ForEveryInput(const std::string& format, Check check) {
  TempDir dir;
  std::vector<std::string> inputs = testing::DemoAndCorpusDumps();
  inputs.push_back(dir.Write("hostile.json", HostileDump()));
  for (const std::string& input : inputs) {
    for (bool expand : {false, true}) {
      std::vector<std::string> args = kPolicy;
      if (expand) args.push_back("--expand");
      args.push_back(input);
      std::vector<std::string> run = {"-o", format};
      run.insert(run.end(), args.begin(), args.end());
      const RunResult r = RunGatescan(run);
      ASSERT_TRUE(r.exit_code != 2 || OnlyRefusedObjectErrors(r)) << input << r.err;
      const std::string file = dir.Write("out." + format, r.out);
      check(file, r.out, NdjsonViolations(args), input + (expand ? " --expand" : ""));
    }
  }
}

TEST(Formats, SarifValidatesAgainstTheOfficialSchema) {
  GS_REQUIRE_CORPUS();
  if (Shell("python3 -c 'import jsonschema' 2> /dev/null") != 0) {
    GTEST_SKIP()
        << "SKIPPED: python3-jsonschema is not installed (scripts/bootstrap python3-jsonschema)";
  }
  const std::string schema = (testing::CorpusDir() / "formats/sarif-schema-2.1.0.json").string();
  ForEveryInput("sarif", [&](const std::string& file, const std::string&, uint64_t violations,
                             const std::string& what) {
    const std::string script =
        "import json,sys,jsonschema\n"
        "schema=json.load(open(sys.argv[1]))\n"
        "doc=json.load(open(sys.argv[2]))\n"
        "jsonschema.validators.validator_for(schema)(schema).validate(doc)\n"
        "assert len(doc['runs'][0]['results'])==int(sys.argv[3]), 'results'\n";
    EXPECT_EQ(
        Shell("python3 -c " + testing::ShellQuote(script) + " " + testing::ShellQuote(schema) +
              " " + testing::ShellQuote(file) + " " + std::to_string(violations)),
        0)
        << what;
  });
}

TEST(Formats, JunitValidatesAgainstTheXsd) {
  GS_REQUIRE_CORPUS();
  if (!Have("xmllint")) GTEST_SKIP() << "SKIPPED: xmllint is not installed (libxml2-utils)";
  const std::string xsd = (testing::CorpusDir() / "formats/JUnit.xsd").string();
  ForEveryInput("junit", [&](const std::string& file, const std::string& out, uint64_t violations,
                             const std::string& what) {
    EXPECT_EQ(Shell("xmllint --noout --schema " + testing::ShellQuote(xsd) + " " +
                    testing::ShellQuote(file) + " 2> /dev/null"),
              0)
        << what;
    // A failing case per object and constraint with violations; never more
    // failures than violations, and none without one.
    uint64_t failures = 0;
    const std::regex attr("failures=\"([0-9]+)\"");
    for (auto it = std::sregex_iterator(out.begin(), out.end(), attr); it != std::sregex_iterator();
         ++it) {
      failures += std::stoull((*it)[1]);
    }
    EXPECT_LE(failures, violations) << what;
    EXPECT_EQ(failures == 0, violations == 0) << what;
  });
}

TEST(Formats, PrometheusPassesPromtool) {
  if (!Have("promtool")) GTEST_SKIP() << "SKIPPED: promtool is not installed (Debian prometheus)";
  ForEveryInput("prometheus", [&](const std::string& file, const std::string& out,
                                  uint64_t violations, const std::string& what) {
    EXPECT_EQ(Shell("promtool check metrics < " + testing::ShellQuote(file) + " > /dev/null 2>&1"),
              0)
        << what << "\n"
        << out;
    EXPECT_NE(out.find("\ngatescan_scan_violations " + std::to_string(violations) + "\n"),
              std::string::npos)
        << what;
    uint64_t sum = 0;
    const std::regex line("\ngatescan_violations\\{[^\n]*\\} ([0-9]+)");
    for (auto it = std::sregex_iterator(out.begin(), out.end(), line); it != std::sregex_iterator();
         ++it) {
      sum += std::stoull((*it)[1]);
    }
    EXPECT_EQ(sum, violations) << what;
  });
}

}  // namespace
}  // namespace gatescan
