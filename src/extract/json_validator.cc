// json_validator.cc — the skip loop and the escape checker: most of the
// extractor's time (managedFields, status, annotations) is spent here.
#include "json_validator.h"

#include <iterator>
#include <utility>

#include "gatescan/common/json_text.h"

#if defined(__SSE2__) && !defined(GATESCAN_PORTABLE)
#include <emmintrin.h>
#endif

namespace gatescan::extract_internal {
namespace {

bool IsHexDigit(uint8_t c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// The length of the valid escape at data[at] (a backslash) within the
// first `size` bytes: 2, or 6 for \uXXXX; 0 when it is invalid.
[[gnu::always_inline]] inline size_t EscapeLength(const uint8_t* data, size_t at, size_t size) {
  if (at + 1 >= size) return 0;
  if (IsJsonSimpleEscape(data[at + 1])) return 2;
  if (data[at + 1] != 'u' || at + 5 >= size) return 0;
  for (size_t k = 2; k <= 5; ++k) {
    if (!IsHexDigit(data[at + k])) return 0;
  }
  return 6;
}

#if defined(__SSE2__) && !defined(GATESCAN_PORTABLE)
// The bytes of v that may follow a backslash in a two-byte escape but for
// the backslash itself (a lone backslash is never followed by one).
template <size_t... kIndex>
[[gnu::always_inline]] inline uint32_t SimpleEscapesOf(__m128i v, std::index_sequence<kIndex...>) {
  __m128i m = _mm_setzero_si128();
  ((m = kJsonSimpleEscapes[kIndex] == '\\'
            ? m
            : _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(kJsonSimpleEscapes[kIndex])))),
   ...);
  return static_cast<uint32_t>(_mm_movemask_epi8(m));
}
[[gnu::always_inline]] inline uint32_t SimpleEscapes(__m128i v) {
  return SimpleEscapesOf(v, std::make_index_sequence<std::size(kJsonSimpleEscapes)>());
}
#endif

}  // namespace

// A state machine over the tokens rather than recursion: 10000 levels cost
// no stack. Objects and arrays have states of their own (each branch
// predicts its own shape; measured, keep them split), the position lives in
// a register, and tokens are read unchecked: the reader made sure the last
// token is the root's '}', so only after a closing bracket can the next
// token lie past the end.
[[gnu::always_inline]] inline JsonError JsonValidator::SkipContainer(int level) {
  const int base = level;
  const uint8_t* const buf = buf_;
  const uint32_t* const idx = idx_;
  const uint32_t n = n_;
  uint32_t pos = pos_;
  uint8_t c = buf[idx[pos]];
  JsonError e;
  auto at = [&](uint32_t i) { return buf[idx[i]]; };
  // When stage 1 found only two-byte escapes that JSON has, no string of
  // the object needs a look: a skipped one cannot be invalid, and a skipped
  // key decodes without fail. Otherwise strings and keys without backslashes
  // cost one compare against the memo.
  const bool checked = simple_escapes_;
  auto escape_free = [&](uint32_t from, uint32_t to) {
    return checked || next_backslash_ >= to || !BackslashBetween(from, to);
  };
  if (c == '[') goto open_array;
open_object:  // pos is at the '{' that opens `level`
  if (level > kMaxDepth) goto depth_error;
  SetObjectLevel(level, true);
  c = at(++pos);
  if (c == '}') {
    ++pos;
    goto closed;
  }
object_member:  // c is the token at pos, which should be a key
  if (c != '"') goto unexpected;
  // The usual member, `"key": "string"` without escapes: one look at the
  // memo covers both strings (only blanks lie between them). A string is
  // never the last token, so idx[pos + 3] is there.
  if (at(pos + 1) == ':' && at(pos + 2) == '"' && (checked || next_backslash_ >= idx[pos + 3])) {
    pos += 3;
    goto object_after;
  }
  if (!escape_free(idx[pos], idx[pos + 1])) {
    // Decoded (into the string buffer, then dropped) so that it fails
    // exactly as a key that is read.
    std::string_view key;
    pos_ = pos;
    if ((e = ReadString(&key))) return e;
    pos = pos_;
  } else {
    ++pos;
  }
  if (at(pos) != ':') goto unexpected;
  c = at(++pos);
  if (c == '"') {  // most values are strings
    if ((e = CheckString(pos))) goto error;
    ++pos;
  } else if (c == '{') {
    // managedFields is mostly `"f:name": {}`. Its '}' may be the last token.
    if (at(pos + 1) == '}' && level < kMaxDepth) {
      pos += 2;
      if (pos >= n) {
        e = kJsonUnbalanced;
        goto error;
      }
    } else {
      ++level;
      goto open_object;
    }
  } else if (c == '[') {
    ++level;
    goto open_array;
  } else {
    if ((e = CheckScalar(c, pos))) goto error;
    ++pos;
  }
object_after:  // past a member of the object `level`
  c = at(pos);
  if (c == ',') {
    c = at(++pos);
    goto object_member;
  }
  if (c != '}') goto unexpected;
  ++pos;
  goto closed;

open_array:  // pos is at the '[' that opens `level`
  if (level > kMaxDepth) goto depth_error;
  SetObjectLevel(level, false);
  c = at(++pos);
  if (c == ']') {
    ++pos;
    goto closed;
  }
array_element:  // c is the token at pos
  if (c == '"') {
    if ((e = CheckString(pos))) goto error;
    ++pos;
  } else if (c == '{') {
    ++level;
    goto open_object;
  } else if (c == '[') {
    ++level;
    goto open_array;
  } else {
    if ((e = CheckScalar(c, pos))) goto error;
    ++pos;
  }
array_after:  // past an element of the array `level`
  c = at(pos);
  if (c == ',') {
    c = at(++pos);
    goto array_element;
  }
  if (c != ']') goto unexpected;
  ++pos;

closed:  // `level` just closed; pos may be past the last token now
  if (level == base) {
    pos_ = pos;
    return kJsonOk;
  }
  --level;
  if (pos >= n) {
    e = kJsonUnbalanced;
    goto error;
  }
  if (IsObjectLevel(level)) goto object_after;
  goto array_after;

unexpected:
  pos_ = pos;
  return Unexpected();
depth_error:
  e = kJsonTooDeep;
error:
  pos_ = pos;
  return e;
}

// SkipContainer's only caller: defined after it so that it is inlined here,
// which callgrind prefers to a call per skipped container.
JsonError JsonValidator::Skip(int depth) {
  if (!validate_) return StepOver();
  const uint8_t c = Peek();
  if (c == '{' || c == '[') return SkipContainer(depth);
  return SkipScalar(c);
}

JsonError JsonValidator::StepOver() {
  const uint32_t n = n_;
  uint32_t pos = pos_;
  if (pos >= n) return kJsonUnbalanced;
  uint8_t c = At(pos++);
  if (c != '{' && c != '[') {
    pos_ = pos;
    // Only what can start a value (On-Demand looked at its type).
    const bool value = c == '"' || c == '-' || IsDigit(c) || c == 't' || c == 'f' || c == 'n';
    return value ? kJsonOk : kJsonUnexpectedToken;
  }
  int open = 1;
  while (pos < n) {
    c = At(pos++);
    if (c == '{' || c == '[') {
      ++open;
    } else if ((c == '}' || c == ']') && --open == 0) {
      pos_ = pos;
      return kJsonOk;
    }
  }
  pos_ = pos;
  return kJsonUnbalanced;
}

// Strings with escapes are mostly JSON inside JSON (kubectl's
// last-applied-configuration annotation), an escape every few bytes: a
// byte-at-a-time loop cost ~8% of a run, so backslashes and quotes are found
// 16 bytes at a time and only they are looked at. Reads up to 15 bytes past
// the token (the object's padding covers it).
bool JsonValidator::EscapesValid(std::string_view token) {
  const auto* const data = reinterpret_cast<const uint8_t*>(token.data());
  const size_t size = token.size();
  size_t i = 1;  // past the opening quote
#if defined(__SSE2__) && !defined(GATESCAN_PORTABLE)
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i quote = _mm_set1_epi8('"');
  while (i < size) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    const __m128i is_backslash = _mm_cmpeq_epi8(v, backslash);
    const __m128i is_quote = _mm_cmpeq_epi8(v, quote);
    // A block inside the token whose backslashes are lone and followed by
    // one of "/bfnrt (never a backslash, as they are lone) is checked at
    // once; a backslash in its last byte is left to the next block. The
    // rest (\\, \u, invalid escapes, the token's end) is looked at escape
    // by escape below.
    if (i + 16 <= size) {
      const auto b = static_cast<uint32_t>(_mm_movemask_epi8(is_backslash));
      if ((b & (b >> 1)) == 0) {
        const uint32_t step = 16 - (b >> 15);
        const uint32_t in_block = (uint32_t{1} << step) - 1;
        uint32_t escaped = (b & in_block) << 1;
        const uint32_t closing =
            static_cast<uint32_t>(_mm_movemask_epi8(is_quote)) & ~escaped & in_block;
        if (closing != 0) escaped &= (closing & (0 - closing)) - 1;
        if (escaped == 0 || (escaped & ~SimpleEscapes(v)) == 0) {
          if (closing != 0) return true;
          i += step;
          continue;
        }
      }
    }
    uint32_t mask = static_cast<uint32_t>(_mm_movemask_epi8(_mm_or_si128(is_backslash, is_quote)));
    size_t next = i + 16;  // where the next block starts
    while (mask != 0) {
      const size_t at = i + static_cast<size_t>(__builtin_ctz(mask));
      if (at >= size) return false;  // ran off the token: no closing quote
      if (data[at] == '"') return true;
      const size_t after = at + EscapeLength(data, at, size);
      if (after == at) return false;
      if (after - i >= 16) {
        next = after;
        break;
      }
      mask &= ~uint32_t{0} << (after - i);
    }
    i = next;
  }
  return false;
#else
  while (i < size) {
    if (data[i] == '"') return true;
    if (data[i] != '\\') {
      ++i;
      continue;
    }
    const size_t n = EscapeLength(data, i, size);
    if (n == 0) return false;
    i += n;
  }
  return false;
#endif
}

}  // namespace gatescan::extract_internal
