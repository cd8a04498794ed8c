// skipped_key_test.cc — keys of skipped values (managedFields' `k:{\"name\":...}`)
// are only checked, never decoded: randomized keys with every kind of
// escape, against an independent reference of Go's decoder, give the same
// verdict as the same key read (a label key) and as the same text in a
// skipped string value.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "gatescan/common/padding.h"
#include "gatescan/extract/extract.h"

namespace gatescan {
namespace {

constexpr std::string_view kBadEscape = "malformed JSON (invalid string escape)";

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Go's encoding/json (unquote) on the text between the quotes: a backslash
// must be followed by one of "\/bfnrt, or by u and four hex digits. A lone
// or mismatched surrogate is U+FFFD, not an error.
bool GoAccepts(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') continue;
    if (i + 1 >= text.size()) return false;
    const char e = text[i + 1];
    if (e == 'u') {
      if (i + 6 > text.size()) return false;
      for (size_t k = i + 2; k < i + 6; ++k) {
        if (!IsHex(text[k])) return false;
      }
      i += 5;
    } else if (std::string_view("\"\\/bfnrt").find(e) != std::string_view::npos) {
      i += 1;
    } else {
      return false;
    }
  }
  return true;
}

// Key text from pieces: plain bytes, JSON inside JSON, every valid escape,
// surrogates alone, paired and mismatched, and escapes JSON lacks.
std::string RandomKeyText(std::mt19937* rng) {
  static const std::vector<std::string> kPieces = {"a",
                                                   "f:name",
                                                   "k:{",
                                                   R"(\")",
                                                   R"(\\)",
                                                   R"(\/)",
                                                   R"(\b)",
                                                   R"(\f)",
                                                   R"(\n)",
                                                   R"(\r)",
                                                   R"(\t)",
                                                   R"(\u00e9)",
                                                   R"(\uABcd)",
                                                   R"(\ud83d\ude00)",
                                                   R"(\ud800)",
                                                   R"(\udc00)",
                                                   R"(\ud800\u0041)",
                                                   R"(\x)",
                                                   R"(\')",
                                                   R"(\u12G4)",
                                                   R"(\u12)",
                                                   R"(\U1234)",
                                                   R"(\ )",
                                                   R"(\0)",
                                                   "\xc3\xa9",
                                                   "0123456789abcdef",
                                                   ":",
                                                   ",",
                                                   "}",
                                                   "]"};
  std::uniform_int_distribution<size_t> count(0, 12);
  std::uniform_int_distribution<size_t> pick(0, kPieces.size() - 1);
  std::bernoulli_distribution mostly_valid(0.9);
  std::string text;
  for (size_t n = count(*rng); n > 0; --n) {
    std::string piece = kPieces[pick(*rng)];
    // Invalid pieces rarely, so that long valid keys are common too.
    while (!GoAccepts(piece) && mostly_valid(*rng)) piece = kPieces[pick(*rng)];
    text += piece;
  }
  return text;
}

std::string ExtractError(Extractor& extractor, const std::string& json) {
  ExtractedBatch batch;
  std::string buffer(json);
  buffer.append(kParsePadding, '}');
  extractor.Extract(std::string_view(buffer.data(), json.size()), &batch);
  return std::string(batch.objects.back().error);
}

TEST(SkippedKeyTest, VerdictsMatchGoAndTheKeysThatAreRead) {
  Extractor extractor;
  std::mt19937 rng(20261202);
  int invalid = 0;
  for (int round = 0; round < 20000; ++round) {
    const std::string key = RandomKeyText(&rng);
    const std::string pad(static_cast<size_t>(round % 37), ' ');
    const std::string expected = GoAccepts(key) ? "" : std::string(kBadEscape);
    invalid += !expected.empty();
    // Skipped keys: in the skip loop's shapes (`"k":"v"`, `"k":{}`, nested,
    // in arrays) and at offsets across 16- and 64-byte blocks.
    const std::vector<std::string> skipped = {
        R"({"kind":"Pod",)" + pad + R"("status":{")" + key + R"(":"v"}})",
        R"({"kind":"Pod","metadata":{"managedFields":[{"fieldsV1":{")" + key + R"(":{},"x":1}}]}})",
        R"({"kind":"Pod","status":{"a":[{")" + pad + key + R"(":{"b":[1,true,null]}}]}})",
        R"({")" + key + R"(":)" + pad + R"(7,"kind":"Pod"})",
    };
    for (const std::string& json : skipped) {
      ASSERT_EQ(ExtractError(extractor, json), expected) << json;
    }
    // The same text as a key that is read, and as a skipped string value.
    ASSERT_EQ(ExtractError(extractor, R"({"metadata":{"labels":{")" + key + R"(":"v"}}})"),
              expected)
        << key;
    ASSERT_EQ(ExtractError(extractor, R"({"status":{"m":")" + key + R"("}})"), expected) << key;
  }
  // Both verdicts occur often enough to mean something.
  EXPECT_GT(invalid, 1000);
  EXPECT_LT(invalid, 19000);
}

}  // namespace
}  // namespace gatescan
