// The Rego recognisers on hostile sizes (issue 14 leftover): libstdc++'s
// std::regex recurses per character, so statements, heads and package
// names of a megabyte (what a fuzzer throws) must be refused or skipped
// without exhausting the stack, while real-sized statements still match.
#include <gtest/gtest.h>

#include <string>

#include "gatescan/policy/image_rego.h"
#include "gatescan/policy/policy.h"
#include "gatescan/policy/rego_text.h"

namespace gatescan {
namespace {

constexpr size_t kMegabyte = 1 << 20;

std::string DisallowedRepos(const std::string& package, const std::string& extra,
                            const std::string& message) {
  return "package " + package +
         "\n"
         "violation[{\"msg\": msg}] {\n"
         "  container := input.review.object.spec.containers[_]\n" +
         extra +
         "  startswith(container.image, input.parameters.repos[_])\n"
         "  msg := sprintf(\"" +
         message +
         "\", [container.name, container.image, input.parameters.repos])\n"
         "}\n";
}

const std::string kMessage =
    "container <%v> has an invalid image repo <%v>, disallowed repos are %v";

std::string Recognise(const std::string& rego) {
  ConstraintTemplate t;
  return RecogniseDenyRego(ImageFamily::kDisallowedRepos, rego, {}, &t);
}

TEST(RegoBounds, TheSmallTemplateIsRecognised) {
  EXPECT_EQ(Recognise(DisallowedRepos("k8sdisallowedrepos", "", kMessage)), "");
}

TEST(RegoBounds, AMegabyteStatementIsRefusedNotACrash) {
  const std::string huge = "  x := \"" + std::string(kMegabyte, 'a') + "\"\n";
  const std::string e = Recognise(DisallowedRepos("k8sdisallowedrepos", huge, kMessage));
  EXPECT_TRUE(e.starts_with("rule 1 statement not understood")) << e.substr(0, 200);
  const std::string ident = "  " + std::string(kMegabyte, 'b') + " := container.image\n";
  EXPECT_NE(Recognise(DisallowedRepos("k8sdisallowedrepos", ident, kMessage)), "");
}

TEST(RegoBounds, AMegabyteMessageIsRefusedNotACrash) {
  const std::string e =
      Recognise(DisallowedRepos("k8sdisallowedrepos", "", kMessage + std::string(kMegabyte, ' ')));
  EXPECT_FALSE(e.empty());
}

TEST(RegoBounds, AMegabytePackageNameIsReadWithoutARegex) {
  EXPECT_EQ(Recognise(DisallowedRepos(std::string(kMegabyte, 'p'), "", kMessage)), "");
}

TEST(RegoBounds, AMegabyteAllowedReposStatementIsRefusedNotACrash) {
  const std::string rego =
      "package k8sallowedrepos\n"
      "violation[{\"msg\": msg}] {\n"
      "  container := input.review.object.spec.containers[_]\n"
      "  x := \"" +
      std::string(kMegabyte, 'a') +
      "\"\n"
      "  satisfied := [good | repo = input.parameters.repos[_] ; good = "
      "startswith(container.image, repo)]\n"
      "  not any(satisfied)\n"
      "  msg := sprintf(\"container <%v> has an invalid image repo <%v>, allowed repos are %v\", "
      "[container.name, container.image, input.parameters.repos])\n"
      "}\n";
  ConstraintTemplate t;
  EXPECT_NE(RecogniseAllowedReposRego(rego, &t), "");
}

// The bound leaves room for real statements: a message just under it still
// matches (and recurses that deep without trouble).
TEST(RegoBounds, AStatementJustUnderTheBoundStillMatches) {
  const std::string statement_head = "msg := sprintf(\"";
  const std::string statement_tail =
      "\", [container.name, container.image, input.parameters.repos])";
  const size_t room =
      rego::kMaxRegexText - statement_head.size() - statement_tail.size() - kMessage.size();
  const std::string message = kMessage + std::string(room, '.');
  EXPECT_EQ(Recognise(DisallowedRepos("k8sdisallowedrepos", "", message)), "");
  EXPECT_NE(Recognise(DisallowedRepos("k8sdisallowedrepos", "", message + ".")), "");
}

TEST(RegoBounds, RegexWrappersRefuseLongTextAndCacheCompiledPatterns) {
  std::smatch m;
  const std::string abc = "abc";  // m points into it
  EXPECT_TRUE(rego::RegexMatch(abc, m, "a(b)c"));
  EXPECT_EQ(m[1], "b");
  EXPECT_TRUE(rego::RegexSearch("xxabcxx", "b"));
  const std::string longest(rego::kMaxRegexText, 'a');
  EXPECT_TRUE(rego::RegexMatch(longest, "a*"));
  EXPECT_FALSE(rego::RegexMatch(longest + "a", "a*"));
  const std::string too_long = longest + "a";
  EXPECT_FALSE(rego::RegexSearch(too_long, m, "a"));
  // More distinct patterns than the cache holds still give right answers.
  for (int i = 0; i < 600; ++i) {
    const std::string n = std::to_string(i);
    ASSERT_TRUE(rego::RegexMatch("x" + n, "x" + n));
    ASSERT_FALSE(rego::RegexMatch("y" + n, "x" + n));
  }
}

}  // namespace
}  // namespace gatescan
