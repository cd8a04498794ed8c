#include "gatescan/common/quote.h"

#include <algorithm>
#include <cstdint>
#include <iterator>

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

size_t DecodeUtf8(std::string_view s, size_t i, char32_t* rune) {
  const auto b0 = static_cast<uint8_t>(s[i]);
  if (b0 < 0x80) {
    *rune = b0;
    return 1;
  }
  size_t n;
  char32_t r;
  char32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2, r = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3, r = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4, r = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<uint8_t>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    r = (r << 6) | (b & 0x3F);
  }
  if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return 0;
  *rune = r;
  return n;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

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

namespace {
// ASCII that JSON (and, when asked, HTML-safe JSON) writes as itself.
bool IsPlainJsonByte(uint8_t c, bool escape_html) {
  if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') return false;
  return !escape_html || (c != '<' && c != '>' && c != '&');
}
}  // namespace

void AppendJsonString(std::string_view s, std::string* out, bool escape_html) {
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    // Most bytes of a name or image need no escape: append them as one run
    // rather than byte by byte (ndjson output formats one record per violation).
    size_t plain = i;
    while (plain < s.size() && IsPlainJsonByte(static_cast<uint8_t>(s[plain]), escape_html))
      ++plain;
    if (plain > i) {
      out->append(s.data() + i, plain - i);
      i = plain;
      continue;
    }
    const auto c = static_cast<uint8_t>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out->append("\\\"");
          break;
        case '\\':
          out->append("\\\\");
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
        default:
          if (c < 0x20 || (escape_html && (c == '<' || c == '>' || c == '&'))) {
            AppendHexEscape('u', c, 4, out);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    char32_t r = 0;
    const size_t n = DecodeUtf8(s, i, &r);
    if (n == 0) {
      out->append("\\ufffd");
      ++i;
    } else if (escape_html && (r == 0x2028 || r == 0x2029)) {
      AppendHexEscape('u', r, 4, out);
      i += n;
    } else {
      out->append(s.substr(i, n));
      i += n;
    }
  }
  out->push_back('"');
}

namespace {

// Four hex digits at s[i..i+4) as a code unit, or -1.
int32_t HexQuad(std::string_view s, size_t i) {
  if (i + 4 > s.size()) return -1;
  int32_t v = 0;
  for (size_t k = i; k < i + 4; ++k) {
    const char c = s[k];
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return -1;
    }
    v = v * 16 + d;
  }
  return v;
}

}  // namespace

bool AppendJsonUnescapedLikeGo(std::string_view s, std::string* out) {
  constexpr uint32_t kReplacement = 0xFFFD;
  for (size_t i = 0; i < s.size();) {
    if (s[i] != '\\') {
      out->push_back(s[i++]);
      continue;
    }
    if (i + 1 >= s.size()) return false;
    const char e = s[i + 1];
    i += 2;
    switch (e) {
      case '"':
      case '\\':
      case '/':
        out->push_back(e);
        continue;
      case 'b':
        out->push_back('\b');
        continue;
      case 'f':
        out->push_back('\f');
        continue;
      case 'n':
        out->push_back('\n');
        continue;
      case 'r':
        out->push_back('\r');
        continue;
      case 't':
        out->push_back('\t');
        continue;
      case 'u':
        break;
      default:
        return false;
    }
    const int32_t unit = HexQuad(s, i);
    if (unit < 0) return false;
    i += 4;
    const bool high = unit >= 0xD800 && unit < 0xDC00;
    const bool low = unit >= 0xDC00 && unit < 0xE000;
    if (!high && !low) {
      AppendUtf8(static_cast<uint32_t>(unit), out);
      continue;
    }
    // Go (decodeState unquote): a surrogate pairs with an immediately
    // following \u low surrogate; otherwise it is U+FFFD and what follows is
    // read on its own.
    if (high && i + 1 < s.size() && s[i] == '\\' && s[i + 1] == 'u') {
      const int32_t next = HexQuad(s, i + 2);
      if (next >= 0xDC00 && next < 0xE000) {
        AppendUtf8(0x10000 + ((static_cast<uint32_t>(unit) - 0xD800) << 10) +
                       (static_cast<uint32_t>(next) - 0xDC00),
                   out);
        i += 6;
        continue;
      }
    }
    AppendUtf8(kReplacement, out);
  }
  return true;
}

void AppendCsvCell(std::string_view value, std::string* out) {
  const bool formula = !value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' ||
                                          value[0] == '@' || value[0] == '\t' || value[0] == '\r');
  const bool quote = value.find_first_of(",\"\r\n") != std::string_view::npos;
  if (quote) out->push_back('"');
  if (formula) out->push_back('\'');
  for (char c : value) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  if (quote) out->push_back('"');
}

}  // namespace gatescan
