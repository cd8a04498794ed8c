#include "gatescan/common/json_text.h"

#include <cstdint>

#include "gatescan/common/utf8.h"

namespace gatescan {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendUnicodeEscape(uint32_t value, std::string* out) {
  out->append("\\u");
  for (int shift = 12; shift >= 0; shift -= 4) out->push_back(kHex[(value >> shift) & 0xF]);
}

// ASCII that JSON (and, when asked, HTML-safe JSON) writes as itself.
bool IsPlainJsonByte(uint8_t c, bool escape_html) {
  if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') return false;
  return !escape_html || (c != '<' && c != '>' && c != '&');
}

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

// The code unit of the `\uXXXX` at s[i], or -1.
int32_t UnicodeEscapeUnit(std::string_view s, size_t i) {
  if (i + 1 >= s.size() || s[i] != '\\' || s[i + 1] != 'u') return -1;
  return HexQuad(s, i + 2);
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
            AppendUnicodeEscape(c, out);
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
      AppendUnicodeEscape(r, out);
      i += n;
    } else {
      out->append(s.substr(i, n));
      i += n;
    }
  }
  out->push_back('"');
}

// Go (decodeState unquote): a surrogate pairs with an immediately following
// \u low surrogate; otherwise it is U+FFFD and what follows is read on its own.
size_t DecodeJsonUnicodeEscape(std::string_view s, size_t i, char32_t* rune) {
  const int32_t unit = UnicodeEscapeUnit(s, i);
  if (unit < 0) return 0;
  const auto u = static_cast<uint32_t>(unit);
  if (!IsUtf16Surrogate(u)) {
    *rune = u;
    return 6;
  }
  if (IsUtf16HighSurrogate(u)) {
    const int32_t next = UnicodeEscapeUnit(s, i + 6);
    if (next >= 0 && IsUtf16LowSurrogate(static_cast<uint32_t>(next))) {
      *rune = CombineUtf16Surrogates(u, static_cast<uint32_t>(next));
      return 12;
    }
  }
  *rune = kReplacementRune;
  return 6;
}

bool AppendJsonUnescapedLikeGo(std::string_view s, std::string* out) {
  for (size_t i = 0; i < s.size();) {
    if (s[i] != '\\') {
      out->push_back(s[i++]);
      continue;
    }
    if (i + 1 >= s.size()) return false;
    const char e = s[i + 1];
    switch (e) {
      case '"':
      case '\\':
      case '/':
        out->push_back(e);
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'u': {
        char32_t rune = 0;
        const size_t n = DecodeJsonUnicodeEscape(s, i, &rune);
        if (n == 0) return false;
        AppendUtf8(rune, out);
        i += n;
        continue;
      }
      default:
        return false;
    }
    i += 2;
  }
  return true;
}

}  // namespace gatescan
