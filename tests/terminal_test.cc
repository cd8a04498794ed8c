// terminal_test.cc — AppendTerminalSafe: nothing that could drive a terminal
// or reorder a line gets through, everything printable stays as it is.
#include "gatescan/common/terminal.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>

#include "gatescan/common/quote.h"
#include "gatescan/common/utf8.h"

namespace gatescan {
namespace {

std::string Safe(std::string_view s) {
  std::string out;
  AppendTerminalSafe(s, &out);
  return out;
}

TEST(TerminalSafeTest, PrintableTextUnchanged) {
  EXPECT_EQ(Safe(""), "");
  EXPECT_EQ(Safe("nginx:1.25 \"quoted\" back\\slash"), "nginx:1.25 \"quoted\" back\\slash");
  EXPECT_EQ(Safe("镜像 é \U0001F600 e\u0301"), "镜像 é \U0001F600 e\u0301");
}

TEST(TerminalSafeTest, ControlsEscaped) {
  EXPECT_EQ(Safe("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
  EXPECT_EQ(Safe("a\nb\rc\td"), "a\\nb\\rc\\td");
  EXPECT_EQ(Safe(std::string("\0\x7f", 2)), "\\x00\\x7f");
  EXPECT_EQ(Safe("\u0085\u009b"), "\\u0085\\u009b");  // C1: NEL, CSI
}

TEST(TerminalSafeTest, BidiAndInvisibleFormatCharactersEscaped) {
  // Trojan Source: overrides and isolates reorder what a reader sees.
  EXPECT_EQ(Safe("a\u202Eb"), "a\\u202eb");
  EXPECT_EQ(Safe("\u202A\u202B\u202C\u202D"), "\\u202a\\u202b\\u202c\\u202d");
  EXPECT_EQ(Safe("\u2066\u2067\u2068\u2069"), "\\u2066\\u2067\\u2068\\u2069");
  EXPECT_EQ(Safe("\u200E\u200F\u061C"), "\\u200e\\u200f\\u061c");
  EXPECT_EQ(Safe("zero\u200Bwidth\uFEFF"), "zero\\u200bwidth\\ufeff");
  EXPECT_EQ(Safe("line\u2028sep"), "line\\u2028sep");
}

TEST(TerminalSafeTest, InvalidBytesEscapedOneByOne) {
  EXPECT_EQ(Safe("\xff"), "\\xff");
  EXPECT_EQ(Safe("a\xc3"), "a\\xc3");                  // truncated
  EXPECT_EQ(Safe("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // encoded surrogate
  EXPECT_EQ(Safe("\xc0\xaf"), "\\xc0\\xaf");           // overlong
}

// Randomized: the output is valid UTF-8 made only of printable runes (Go's
// unicode.IsPrint, or the ASCII space), and it reads back to the input when
// the escapes are undone as Go's strconv.Unquote would.
TEST(TerminalSafeTest, OutputIsPrintableAndReversible) {
  std::mt19937 rng(5);
  const std::string_view pieces[] = {"a",
                                     "Z",
                                     " ",
                                     "\\",
                                     "\"",
                                     "\x1b",
                                     "\n",
                                     "\x7f",
                                     "\xc2\x85",
                                     "\xe2\x80\xae",
                                     "\xe2\x81\xa6",
                                     "\xff",
                                     "\xc3",
                                     "\xc3\xa9",
                                     "\xf0\x9f\x98\x80",
                                     "\xed\xa0\x80",
                                     "\xef\xbb\xbf",
                                     "x"};
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    const int n = static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) s += pieces[rng() % std::size(pieces)];
    const std::string out = Safe(s);
    for (size_t i = 0; i < out.size();) {
      char32_t rune = 0;
      const size_t len = DecodeUtf8(out, i, &rune);
      ASSERT_NE(len, 0u) << GoQuote(s);
      ASSERT_TRUE(GoIsPrint(rune)) << GoQuote(s);
      i += len;
    }
    // Undo: every backslash the escaper wrote starts \xNN, \n, \uNNNN ...;
    // a literal backslash from the input is kept as is, so compare through
    // Go quoting, which escapes both the same way.
    std::string requoted;
    AppendTerminalSafe(s, &requoted);
    EXPECT_EQ(requoted, out);
    const std::string quoted = GoQuote(s);
    std::string expected_from_quote;
    // GoQuote(s) = '"' + escapes + '"', where printable runes (and only they)
    // are kept and `"` and `\` are escaped: unescaping those two gives Safe(s).
    for (size_t i = 1; i + 1 < quoted.size(); ++i) {
      if (quoted[i] == '\\' && (quoted[i + 1] == '"' || quoted[i + 1] == '\\')) {
        expected_from_quote.push_back(quoted[++i]);
      } else {
        expected_from_quote.push_back(quoted[i]);
      }
    }
    EXPECT_EQ(out, expected_from_quote) << GoQuote(s);
  }
}

}  // namespace
}  // namespace gatescan
