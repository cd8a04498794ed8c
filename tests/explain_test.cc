#include "gatescan/cli/explain.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <sstream>
#include <string>
#include <vector>

#include "gatescan/policy/policy.h"
#include "test_support.h"

namespace gatescan {
namespace {

using testing::CorpusDir;
using testing::ReadFile;

std::vector<std::vector<std::string>> ReadVectors() {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(ReadFile(CorpusDir() / "imageref/distribution-reference-vectors.tsv"));
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.starts_with("#")) continue;
    if (header) {
      header = false;
      continue;
    }
    std::vector<std::string> cells;
    size_t start = 0;
    for (size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1) {
      cells.push_back(line.substr(start, tab - start));
    }
    cells.push_back(line.substr(start));
    rows.push_back(cells);
  }
  return rows;
}

std::string Field(simdjson::dom::element doc, const char* key) {
  auto v = doc[key];
  if (v.error() || v.is_null()) return "";
  return std::string(std::string_view(v));
}

// Columns: input, parse_strict_ok, normalized_ok, error, domain, path, tag, digest,
// normalized_name.
TEST(Explain, JsonAgreesWithDistributionReferenceOnEveryVector) {
  GS_REQUIRE_CORPUS();
  const auto rows = ReadVectors();
  ASSERT_EQ(rows.size(), 259u);
  simdjson::dom::parser parser;
  for (const auto& row : rows) {
    SCOPED_TRACE(row[0]);
    std::string out;
    ExplainImage(row[0], nullptr, ExplainFormat::kJson, &out);
    ASSERT_EQ(out.back(), '\n');
    auto doc = parser.parse(out).value();
    EXPECT_EQ(Field(doc, "input"), row[0]);
    const bool valid = row[2] == "true";
    EXPECT_EQ(bool(doc["valid"]), valid);
    if (valid) {
      EXPECT_EQ(Field(doc, "domain"), row[4]);
      EXPECT_EQ(Field(doc, "path"), row[5]);
      EXPECT_EQ(Field(doc, "tag"), row[6]);
      EXPECT_EQ(Field(doc, "digest"), row[7]);
      EXPECT_EQ(Field(doc, "name"), row[8]);
    } else {
      EXPECT_EQ(Field(doc, "error"), row[3]);
    }
  }
}

TEST(Explain, NamesTheDecidingEntryOfEveryConstraint) {
  Policy policy;
  ASSERT_TRUE(LoadPolicy(PolicyOptions{{}, {"gcr.io/", "docker.io"}}, &policy).ok());
  const Evaluator gatekeeper(policy, EvaluateOptions{});
  std::string out;
  ExplainImage("docker.io.evil.com/x", &gatekeeper, ExplainFormat::kJson, &out);
  EXPECT_NE(out.find(R"("allowed":true,"entry":"docker.io")"), std::string::npos) << out;
  EvaluateOptions reference;
  reference.match = MatchMode::kReference;
  const Evaluator strict(policy, reference);
  out.clear();
  ExplainImage("docker.io.evil.com/x", &strict, ExplainFormat::kJson, &out);
  EXPECT_NE(out.find(R"("allowed":false,"entry":null)"), std::string::npos) << out;
  out.clear();
  ExplainImage("busybox", &strict, ExplainFormat::kText, &out);
  EXPECT_NE(out.find("name    docker.io/library/busybox"), std::string::npos) << out;
  EXPECT_NE(out.find("allowed by K8sAllowedRepos/gatescan-allow through entry \"docker.io\""),
            std::string::npos)
      << out;
}

}  // namespace
}  // namespace gatescan
