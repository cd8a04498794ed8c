#include "gatescan/common/json_text.h"

#include <cstdint>
#include <cstring>

#include "gatescan/common/utf8.h"

#if defined(__SSE2__) && !defined(GATESCAN_PORTABLE)
#include <emmintrin.h>
#endif

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

#if defined(__SSE2__) && !defined(GATESCAN_PORTABLE)
namespace {

// Bit i set when byte i of v needs an escape (without escape_html).
uint32_t BytesToEscape(__m128i v) {
  // Signed: bytes >= 0x80 are negative, so this is v < 0x20 or v >= 0x80.
  const __m128i special = _mm_or_si128(
      _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
  return static_cast<uint32_t>(_mm_movemask_epi8(special));
}

uint32_t BytesToEscape4(const uint8_t* p) {
  int32_t word;
  std::memcpy(&word, p, 4);
  return BytesToEscape(_mm_cvtsi32_si128(word)) & 0xF;
}

uint32_t BytesToEscape8(const uint8_t* p) {
  return BytesToEscape(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))) & 0xFF;
}

uint32_t BytesToEscape16(const uint8_t* p) {
  return BytesToEscape(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

}  // namespace
#endif

size_t PlainJsonPrefix(std::string_view s, bool escape_html) {
  const auto* const data = reinterpret_cast<const uint8_t*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
#if defined(__SSE2__) && !defined(GATESCAN_PORTABLE)
  // Most strings are names and images shorter than a block, so the last
  // bytes are looked at too with loads that end at the string's end (never
  // past it), overlapping bytes already known to be plain.
  if (!escape_html) {
    const auto first = [](uint32_t mask, size_t at, size_t none) {
      return mask != 0 ? at + static_cast<size_t>(__builtin_ctz(mask)) : none;
    };
    for (; i + 16 <= n; i += 16) {
      if (const uint32_t mask = BytesToEscape16(data + i)) return first(mask, i, n);
    }
    const size_t rest = n - i;
    if (rest == 0) return n;
    if (n >= 16) return first(BytesToEscape16(data + n - 16) >> (16 - rest), i, n);
    if (n >= 8) return first(BytesToEscape8(data) | BytesToEscape8(data + n - 8) << (n - 8), 0, n);
    if (n >= 4) return first(BytesToEscape4(data) | BytesToEscape4(data + n - 4) << (n - 4), 0, n);
  }
#endif
  while (i < n && IsPlainJsonByte(data[i], escape_html)) ++i;
  return i;
}

void AppendJsonString(std::string_view s, std::string* out, bool escape_html) {
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    // Most bytes of a name or image need no escape: append them as one run
    // rather than byte by byte (ndjson output formats one record per violation).
    const size_t plain = i + PlainJsonPrefix(s.substr(i), escape_html);
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
    if (e == 'u') {
      char32_t rune = 0;
      const size_t n = DecodeJsonUnicodeEscape(s, i, &rune);
      if (n == 0) return false;
      AppendUtf8(rune, out);
      i += n;
      continue;
    }
    const char value = kJsonSimpleEscapeValue[static_cast<uint8_t>(e)];
    if (value == 0) return false;
    out->push_back(value);
    i += 2;
  }
  return true;
}

}  // namespace gatescan
