// utf8.h — UTF-8 and UTF-16 code units as Go reads them.
//
// The one decoder of the tree: Go's `for range` over a string (and
// utf8.DecodeRune) read a sequence as one rune, or one invalid byte as
// U+FFFD of width 1; DecodeUtf8 returns 0 for that byte so that each caller
// decides (escape it, replace it, refuse it). The surrogate helpers are for
// JSON and Rego `\uXXXX` escapes (see json_text.h for the escape itself).
// Stateless; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gatescan {

inline constexpr char32_t kReplacementRune = 0xFFFD;

// Decodes the UTF-8 sequence at s[i] (i < s.size()) into *rune and returns
// its length (1 to 4), or 0 when the bytes there are not valid UTF-8
// (overlong, surrogate, past U+10FFFF, truncated, a stray continuation byte).
size_t DecodeUtf8(std::string_view s, size_t i, char32_t* rune);

// Appends code point `cp` (<= U+10FFFF) encoded as UTF-8.
void AppendUtf8(uint32_t cp, std::string* out);

// UTF-16 surrogates: a high one (U+D800..U+DBFF) and a low one
// (U+DC00..U+DFFF) make one rune past U+FFFF; either alone is no rune.
inline constexpr bool IsUtf16Surrogate(uint32_t unit) { return unit >= 0xD800 && unit < 0xE000; }
inline constexpr bool IsUtf16HighSurrogate(uint32_t unit) {
  return unit >= 0xD800 && unit < 0xDC00;
}
inline constexpr bool IsUtf16LowSurrogate(uint32_t unit) { return unit >= 0xDC00 && unit < 0xE000; }
// The rune of a high + low pair (both checked by the caller).
inline constexpr char32_t CombineUtf16Surrogates(uint32_t high, uint32_t low) {
  return 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
}

}  // namespace gatescan
