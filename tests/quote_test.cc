#include "gatescan/common/quote.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gatescan/common/csv.h"
#include "gatescan/common/go_float.h"
#include "gatescan/common/json_text.h"
#include "gatescan/common/utf8.h"

namespace gatescan {
namespace {

TEST(GoQuoteTest, AsciiAndSimpleEscapes) {
  EXPECT_EQ(GoQuote(""), "\"\"");
  EXPECT_EQ(GoQuote("nginx:1.25"), "\"nginx:1.25\"");
  EXPECT_EQ(GoQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(GoQuote("\a\b\f\n\r\t\v"), "\"\\a\\b\\f\\n\\r\\t\\v\"");
  EXPECT_EQ(GoQuote(std::string("\0", 1)), "\"\\x00\"");
  EXPECT_EQ(GoQuote("\x01\x1b\x1f"), "\"\\x01\\x1b\\x1f\"");
  EXPECT_EQ(GoQuote("\x7f"), "\"\\x7f\"");
  EXPECT_EQ(GoQuote(" ~'`"), "\" ~'`\"");
}

TEST(GoQuoteTest, NonPrintableRunes) {
  EXPECT_EQ(GoQuote("\u0080"), "\"\\u0080\"");
  EXPECT_EQ(GoQuote("\u009f"), "\"\\u009f\"");
  EXPECT_EQ(GoQuote("a\u00a0b"), "\"a\\u00a0b\"");  // NO-BREAK SPACE (Zs)
  EXPECT_EQ(GoQuote("\u00ad"), "\"\\u00ad\"");      // SOFT HYPHEN (Cf)
  EXPECT_EQ(GoQuote("\u2028\u2029"), "\"\\u2028\\u2029\"");
  EXPECT_EQ(GoQuote("\u200b\u200e\u202e"), "\"\\u200b\\u200e\\u202e\"");
  EXPECT_EQ(GoQuote("\ufeff"), "\"\\ufeff\"");
  EXPECT_EQ(GoQuote("\u3000"), "\"\\u3000\"");  // IDEOGRAPHIC SPACE (Zs)
  EXPECT_EQ(GoQuote("\ue000"), "\"\\ue000\"");  // private use
  EXPECT_EQ(GoQuote("\U000F0000"), "\"\\U000f0000\"");
  EXPECT_EQ(GoQuote("\U000E0001"), "\"\\U000e0001\"");        // LANGUAGE TAG (Cf)
  EXPECT_EQ(GoQuote("\xef\xbf\xbe"), "\"\\ufffe\"");          // noncharacter U+FFFE
  EXPECT_EQ(GoQuote("\xcd\xb8"), "\"\\u0378\"");              // unassigned U+0378
  EXPECT_EQ(GoQuote("\xf0\x9f\xab\xb9"), "\"\\U0001faf9\"");  // unassigned in Unicode 15.0
}

TEST(GoQuoteTest, PrintableRunesKept) {
  EXPECT_EQ(GoQuote("é ÿ ¡"), "\"é ÿ ¡\"");
  EXPECT_EQ(GoQuote("镜像"), "\"镜像\"");
  EXPECT_EQ(GoQuote("\U0001F600"), "\"\U0001F600\"");                      // emoji
  EXPECT_EQ(GoQuote("\U0001FAE8"), "\"\U0001FAE8\"");                      // added in Unicode 15.0
  EXPECT_EQ(GoQuote("\U00020000\U00031350"), "\"\U00020000\U00031350\"");  // CJK ext B, ext H
  EXPECT_EQ(GoQuote("\ufffd"), "\"\ufffd\"");    // a valid U+FFFD is printable
  EXPECT_EQ(GoQuote("e\u0301"), "\"e\u0301\"");  // combining mark
}

TEST(GoQuoteTest, InvalidUtf8EscapedBytewise) {
  EXPECT_EQ(GoQuote("\xff"), "\"\\xff\"");
  EXPECT_EQ(GoQuote("a\x80z"), "\"a\\x80z\"");
  EXPECT_EQ(GoQuote("\xe4\xb8"), "\"\\xe4\\xb8\"");  // truncated
  EXPECT_EQ(GoQuote("\xe4\xb8"
                    "a"),
            "\"\\xe4\\xb8a\"");                                        // truncated, then ASCII
  EXPECT_EQ(GoQuote("\xc0\xaf"), "\"\\xc0\\xaf\"");                    // overlong '/'
  EXPECT_EQ(GoQuote("\xe0\x80\xaf"), "\"\\xe0\\x80\\xaf\"");           // overlong
  EXPECT_EQ(GoQuote("\xed\xa0\x80"), "\"\\xed\\xa0\\x80\"");           // surrogate U+D800
  EXPECT_EQ(GoQuote("\xf4\x90\x80\x80"), "\"\\xf4\\x90\\x80\\x80\"");  // > U+10FFFF
  EXPECT_EQ(GoQuote("\xf8\x88\x80\x80\x80"), "\"\\xf8\\x88\\x80\\x80\\x80\"");
}

TEST(GoIsPrintTest, MatchesGoUnicodeIsPrint) {
  EXPECT_TRUE(GoIsPrint(' '));
  EXPECT_TRUE(GoIsPrint('~'));
  EXPECT_FALSE(GoIsPrint('\t'));
  EXPECT_FALSE(GoIsPrint(0x7F));
  EXPECT_FALSE(GoIsPrint(0x85));
  EXPECT_FALSE(GoIsPrint(0xA0));
  EXPECT_TRUE(GoIsPrint(0xA1));
  EXPECT_FALSE(GoIsPrint(0xAD));
  EXPECT_TRUE(GoIsPrint(0xFF));
  EXPECT_FALSE(GoIsPrint(0x1680));  // OGHAM SPACE MARK (Zs)
  EXPECT_FALSE(GoIsPrint(0x2000));
  EXPECT_FALSE(GoIsPrint(0x2060));
  EXPECT_TRUE(GoIsPrint(0x4E00));
  EXPECT_TRUE(GoIsPrint(0x9FFF));  // last of the Unified Ideographs range in 15.0
  EXPECT_TRUE(GoIsPrint(0xAC00));  // Hangul syllables range
  EXPECT_TRUE(GoIsPrint(0xD7A3));
  EXPECT_FALSE(GoIsPrint(0xD7A4));
  EXPECT_FALSE(GoIsPrint(0xD800));
  EXPECT_FALSE(GoIsPrint(0xDFFF));
  EXPECT_FALSE(GoIsPrint(0xF8FF));
  EXPECT_TRUE(GoIsPrint(0xF900));
  EXPECT_TRUE(GoIsPrint(0xFFFD));
  EXPECT_FALSE(GoIsPrint(0xFFFF));
  EXPECT_TRUE(GoIsPrint(0x1F600));
  EXPECT_TRUE(GoIsPrint(0x2A6DF));
  EXPECT_FALSE(GoIsPrint(0x2A6E0));
  EXPECT_TRUE(GoIsPrint(0x323AF));  // CJK Extension H, new in 15.0
  EXPECT_FALSE(GoIsPrint(0x323B0));
  EXPECT_FALSE(GoIsPrint(0xE0100 - 1));
  EXPECT_TRUE(GoIsPrint(0xE0100));  // VARIATION SELECTOR-17 (Mn)
  EXPECT_FALSE(GoIsPrint(0x10FFFF));
  EXPECT_FALSE(GoIsPrint(0x110000));
}

// Checks that `json` is one JSON string literal made only of valid escapes
// and valid UTF-8 with no raw control characters.
bool IsValidJsonString(const std::string& json) {
  if (json.size() < 2 || json.front() != '"' || json.back() != '"') return false;
  for (size_t i = 1; i + 1 < json.size();) {
    const auto c = static_cast<unsigned char>(json[i]);
    if (c == '"' || c < 0x20) return false;
    if (c == '\\') {
      if (i + 2 >= json.size()) return false;
      const char e = json[i + 1];
      if (e == 'u') {
        if (i + 6 >= json.size()) return false;
        for (int k = 2; k < 6; ++k) {
          if (!isxdigit(static_cast<unsigned char>(json[i + k]))) return false;
        }
        i += 6;
      } else if (std::string("\"\\/bfnrt").find(e) != std::string::npos) {
        i += 2;
      } else {
        return false;
      }
      continue;
    }
    size_t n = c < 0x80             ? 1
               : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3
               : (c & 0xF8) == 0xF0 ? 4
                                    : 0;
    if (n == 0 || i + n >= json.size()) return false;
    if (n > 1 && GoQuote(json.substr(i, n)).find("\\x") != std::string::npos) return false;
    i += n;
  }
  return true;
}

TEST(JsonStringTest, ValidForEveryByteValue) {
  for (int b = 0; b < 256; ++b) {
    for (bool html : {false, true}) {
      const std::string s = std::string("a") + static_cast<char>(b) + "z";
      std::string out;
      AppendJsonString(s, &out, html);
      EXPECT_TRUE(IsValidJsonString(out)) << "byte " << b << ": " << out;
    }
  }
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  std::string out;
  AppendJsonString(all, &out);
  EXPECT_TRUE(IsValidJsonString(out));
}

// The plain run against the rule written out, for every byte value at every
// position of strings from 0 to 70 bytes (the SIMD blocks and the tail).
TEST(JsonStringTest, PlainPrefixStopsAtTheFirstByteToEscape) {
  auto plain = [](uint8_t c, bool html) {
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') return false;
    return !html || (c != '<' && c != '>' && c != '&');
  };
  std::mt19937 rng(7);
  for (size_t n = 0; n <= 70; ++n) {
    for (int c = 0; c < 256; ++c) {
      std::string s(n, 'a');
      for (char& b : s) b = static_cast<char>(0x20 + rng() % 0x5f);
      const size_t at = n == 0 ? 0 : rng() % n;
      if (n > 0) s[at] = static_cast<char>(c);
      for (bool html : {false, true}) {
        size_t expected = 0;
        while (expected < n && plain(static_cast<uint8_t>(s[expected]), html)) ++expected;
        ASSERT_EQ(PlainJsonPrefix(s, html), expected) << "n " << n << " byte " << c;
      }
    }
  }
}

TEST(JsonStringTest, EscapesLikeGo) {
  std::string out;
  AppendJsonString("a\"b\\c\n\r\t\x01<>&\u2028", &out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\r\\t\\u0001<>&\u2028\"");
  out.clear();
  AppendJsonString("<>&\u2028\u2029", &out, /*escape_html=*/true);
  EXPECT_EQ(out, "\"\\u003c\\u003e\\u0026\\u2028\\u2029\"");
  out.clear();
  AppendJsonString("x\xff\xed\xa0\x80y", &out);
  EXPECT_EQ(out, "\"x\\ufffd\\ufffd\\ufffd\\ufffdy\"");
  out.clear();
  AppendJsonString("镜像\U0001F600", &out);
  EXPECT_EQ(out, "\"镜像\U0001F600\"");
}

}  // namespace
}  // namespace gatescan

namespace gatescan {
namespace {

std::string UnescapeLikeGo(std::string_view escaped, bool* ok) {
  std::string out;
  *ok = AppendJsonUnescapedLikeGo(escaped, &out);
  return out;
}

// encoding/json's unquote: what Go reads from these string literals.
TEST(JsonUnescapeTest, SurrogatesAndEscapesAsGoDecodesThem) {
  const std::string fffd = "\xEF\xBF\xBD";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"(plain)", "plain"},
      {R"(a\"b\\c\/d\b\f\n\r\t)", "a\"b\\c/d\b\f\n\r\t"},
      {R"(\u00e9\u0041)",
       "\xC3\xA9"
       "A"},
      {R"(\ud83d\ude00)", "\xF0\x9F\x98\x80"},
      {R"(\ud800)", fffd},
      {R"(x\udc00y)", "x" + fffd + "y"},
      {R"(\ud800\u0041)", fffd + "A"},
      {R"(\ud800\ud800\udc00)", fffd + "\xF0\x90\x80\x80"},
      {R"(\ude00\ud83d)", fffd + fffd},
  };
  for (const auto& [in, want] : cases) {
    bool ok = false;
    EXPECT_EQ(UnescapeLikeGo(in, &ok), want) << in;
    EXPECT_TRUE(ok) << in;
  }
  for (std::string_view bad : {R"(\x)", R"(\u12G4)", R"(\ud800\u12G4)", "a\\", R"(\u12)"}) {
    bool ok = true;
    UnescapeLikeGo(bad, &ok);
    EXPECT_FALSE(ok) << bad;
  }
}

// RFC 8259 section 7, written out here: the two-byte escapes and what each
// stands for. Every byte after a backslash, through the one list and the
// unescaper that reads it.
TEST(JsonUnescapeTest, TwoByteEscapesAreExactlyRfc8259s) {
  const std::map<char, char> rfc = {{'"', '"'},  {'\\', '\\'}, {'/', '/'},  {'b', '\b'},
                                    {'f', '\f'}, {'n', '\n'},  {'r', '\r'}, {'t', '\t'}};
  for (int b = 0; b < 256; ++b) {
    const auto c = static_cast<char>(b);
    const auto it = rfc.find(c);
    EXPECT_EQ(IsJsonSimpleEscape(static_cast<uint8_t>(b)), it != rfc.end()) << b;
    bool ok = false;
    const std::string out = UnescapeLikeGo(std::string("x\\") + c + "y", &ok);
    if (it != rfc.end()) {
      EXPECT_TRUE(ok) << b;
      EXPECT_EQ(out, std::string("x") + it->second + "y") << b;
    } else if (c != 'u') {
      EXPECT_FALSE(ok) << b;
    }
  }
}

}  // namespace
}  // namespace gatescan

namespace gatescan {
namespace {

// The Unicode standard's table of well-formed UTF-8 byte sequences (Table
// 3-7), written independently of DecodeUtf8: the length of the sequence at
// the start of `b`, or 0.
size_t WellFormedLength(const uint8_t* b, size_t n) {
  auto in = [&](size_t k, uint8_t lo, uint8_t hi) { return k < n && b[k] >= lo && b[k] <= hi; };
  if (n == 0) return 0;
  if (b[0] <= 0x7F) return 1;
  if (b[0] >= 0xC2 && b[0] <= 0xDF) return in(1, 0x80, 0xBF) ? 2 : 0;
  if (b[0] == 0xE0) return in(1, 0xA0, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
  if ((b[0] >= 0xE1 && b[0] <= 0xEC) || b[0] == 0xEE || b[0] == 0xEF)
    return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
  if (b[0] == 0xED) return in(1, 0x80, 0x9F) && in(2, 0x80, 0xBF) ? 3 : 0;
  if (b[0] == 0xF0) return in(1, 0x90, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  if (b[0] >= 0xF1 && b[0] <= 0xF3)
    return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  if (b[0] == 0xF4) return in(1, 0x80, 0x8F) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  return 0;
}

TEST(Utf8Test, EveryCodePointRoundTrips) {
  for (uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (IsUtf16Surrogate(cp)) continue;
    std::string s;
    AppendUtf8(cp, &s);
    char32_t rune = 0;
    ASSERT_EQ(DecodeUtf8(s, 0, &rune), s.size()) << cp;
    ASSERT_EQ(rune, cp);
  }
}

TEST(Utf8Test, AgreesWithTheWellFormedTableOnEveryShortSequence) {
  // Every 1-, 2- and 3-byte string, then random 4-byte ones; truncations
  // included (a sequence cut by the end of the string).
  auto check = [](const uint8_t* b, size_t n) {
    const std::string s(reinterpret_cast<const char*>(b), n);
    char32_t rune = 0;
    ASSERT_EQ(DecodeUtf8(s, 0, &rune), WellFormedLength(b, n)) << GoQuote(s);
  };
  uint8_t b[4];
  for (int x = 0; x < 256; ++x) {
    b[0] = static_cast<uint8_t>(x);
    check(b, 1);
    for (int y = 0; y < 256; ++y) {
      b[1] = static_cast<uint8_t>(y);
      check(b, 2);
      for (int z = 0; z < 256; ++z) {
        b[2] = static_cast<uint8_t>(z);
        check(b, 3);
      }
    }
  }
  std::mt19937 rng(12);
  for (int i = 0; i < 2000000; ++i) {
    const uint32_t r = rng();
    // Bias towards lead bytes of 4-byte sequences and continuation bytes.
    b[0] = static_cast<uint8_t>(0xEE + (r & 0x0F));
    b[1] = static_cast<uint8_t>(0x70 + ((r >> 4) & 0x5F));
    b[2] = static_cast<uint8_t>(0x70 + ((r >> 11) & 0x5F));
    b[3] = static_cast<uint8_t>(0x70 + ((r >> 18) & 0x5F));
    check(b, 4);
  }
}

TEST(Utf8Test, SurrogatePairs) {
  EXPECT_TRUE(IsUtf16HighSurrogate(0xD800));
  EXPECT_TRUE(IsUtf16HighSurrogate(0xDBFF));
  EXPECT_FALSE(IsUtf16HighSurrogate(0xDC00));
  EXPECT_TRUE(IsUtf16LowSurrogate(0xDC00));
  EXPECT_TRUE(IsUtf16LowSurrogate(0xDFFF));
  EXPECT_FALSE(IsUtf16Surrogate(0xE000));
  EXPECT_FALSE(IsUtf16Surrogate(0xD7FF));
  EXPECT_EQ(CombineUtf16Surrogates(0xD83D, 0xDE00), char32_t{0x1F600});
  EXPECT_EQ(CombineUtf16Surrogates(0xD800, 0xDC00), char32_t{0x10000});
  EXPECT_EQ(CombineUtf16Surrogates(0xDBFF, 0xDFFF), char32_t{0x10FFFF});
}

TEST(JsonUnicodeEscapeTest, OneEscapeOrOnePairAsGoReadsThem) {
  struct Case {
    std::string_view in;
    size_t consumed;
    char32_t rune;
  };
  const Case cases[] = {
      {R"(\u0041)", 6, 0x41},           {R"(\u00E9rest)", 6, 0xE9},
      {R"(\ud83d\ude00)", 12, 0x1F600}, {R"(\uD83D\uDE00x)", 12, 0x1F600},
      {R"(\ud800)", 6, 0xFFFD},         // lone high
      {R"(\udc00\ud800)", 6, 0xFFFD},   // low first: no pair
      {R"(\ud800\u0041)", 6, 0xFFFD},   // high, then not a low one
      {R"(\ud800\ud800)", 6, 0xFFFD},   // high, high
      {R"(\ud800\uZZZZ)", 6, 0xFFFD},   // the bad escape is the next one's problem
      {R"(\ud800x\udc00)", 6, 0xFFFD},  // not immediately followed
      {R"(\ufffd)", 6, 0xFFFD},
  };
  for (const Case& c : cases) {
    char32_t rune = 0;
    EXPECT_EQ(DecodeJsonUnicodeEscape(c.in, 0, &rune), c.consumed) << c.in;
    EXPECT_EQ(rune, c.rune) << c.in;
  }
  for (std::string_view bad : {R"(\u12)", R"(\u12G4)", R"(u1234)", R"(\x1234)", R"(\)", ""}) {
    char32_t rune = 7;
    EXPECT_EQ(DecodeJsonUnicodeEscape(bad, 0, &rune), 0u) << bad;
    EXPECT_EQ(rune, char32_t{7});
  }
  char32_t rune = 0;
  EXPECT_EQ(DecodeJsonUnicodeEscape(R"(ab\u0042)", 2, &rune), 6u);
  EXPECT_EQ(rune, char32_t{'B'});
}

TEST(GoFloatTest, FormatFloatShortestG) {
  const std::pair<double, std::string_view> cases[] = {
      {0, "0"},
      {-0.0, "-0"},
      {1, "1"},
      {-1.5, "-1.5"},
      {123456, "123456"},
      {1e6, "1e+06"},
      {1234567, "1.234567e+06"},
      {0.0001, "0.0001"},
      {0.00001, "1e-05"},
      {0.1, "0.1"},
      {1e21, "1e+21"},
      {1e100, "1e+100"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
  };
  for (const auto& [v, want] : cases) {
    std::string out;
    AppendGoFloat(v, &out);
    EXPECT_EQ(out, want) << v;
  }
}

TEST(CsvCellTest, QuotesAndNeutralisesFormulas) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"plain", "plain"},
      {"a,b", "\"a,b\""},
      {"say \"hi\"", "\"say \"\"hi\"\"\""},
      {"=1+1", "'=1+1"},
      {"-x,y", "\"'-x,y\""},
      {"@SUM(A1)", "'@SUM(A1)"},
      {"a\nb", "\"a\nb\""},
      {"", ""},
  };
  for (const auto& [in, want] : cases) {
    std::string out;
    AppendCsvCell(in, &out);
    EXPECT_EQ(out, want) << in;
  }
}

}  // namespace
}  // namespace gatescan
