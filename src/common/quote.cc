#include "gatescan/common/quote.h"

#include <algorithm>
#include <cstdint>
#include <iterator>

#include "gatescan/common/utf8.h"

namespace gatescan {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendHexEscape(char prefix, uint32_t value, int digits, std::string* out) {
  out->push_back('\\');
  out->push_back(prefix);
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
    out->push_back(kHex[(value >> shift) & 0xF]);
}

}  // namespace

void AppendGoQuoted(std::string_view s, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    char32_t r = 0;
    const size_t n = DecodeUtf8(s, i, &r);
    if (n == 0) {
      AppendHexEscape('x', static_cast<uint8_t>(s[i]), 2, out);
      ++i;
      continue;
    }
    if (r == '"' || r == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(r));
    } else if (GoIsPrint(r)) {
      out->append(s.substr(i, n));
    } else {
      switch (r) {
        case '\a':
          out->append("\\a");
          break;
        case '\b':
          out->append("\\b");
          break;
        case '\f':
          out->append("\\f");
          break;
        case '\n':
          out->append("\\n");
          break;
        case '\r':
          out->append("\\r");
          break;
        case '\t':
          out->append("\\t");
          break;
        case '\v':
          out->append("\\v");
          break;
        default:
          if (r < ' ' || r == 0x7F) {
            AppendHexEscape('x', r, 2, out);
          } else if (r < 0x10000) {
            AppendHexEscape('u', r, 4, out);
          } else {
            AppendHexEscape('U', r, 8, out);
          }
      }
    }
    i += n;
  }
  out->push_back('"');
}

std::string GoQuote(std::string_view s) {
  std::string out;
  AppendGoQuoted(s, &out);
  return out;
}

namespace {

struct CodePointRange {
  char32_t first;
  char32_t last;
};

// Generated from UnicodeData.txt by scripts/gen-unicode-print-table.
constexpr CodePointRange kPrintableRanges[] = {
#include "unicode_print_table.inc"
};

}  // namespace

bool GoIsPrint(char32_t r) {
  if (r < 0x80) return r >= 0x20 && r != 0x7F;
  // The last range whose first code point is <= r is the only candidate.
  const CodePointRange* begin = std::begin(kPrintableRanges);
  const CodePointRange* end = std::end(kPrintableRanges);
  const CodePointRange* after = std::upper_bound(
      begin, end, r, [](char32_t rune, const CodePointRange& range) { return rune < range.first; });
  return after != begin && r <= (after - 1)->last;
}

}  // namespace gatescan
