// json_validator.h — steps over JSON values, checking them as Go's decoder
// would.
//
// The Kubernetes reader reads a few fields and hands everything else here:
// the grammar of every skipped value (brackets, commas and colons in place,
// literals spelt right, JSON's number grammar and float64 range, valid
// escapes, depth <= 10000 as Go's maxNestingDepth) is checked token by
// token, without copying anything out. With ExtractOptions::validate off,
// skipped containers are only stepped over by counting brackets. Errors are
// the ones simdjson's On-Demand walk gave for the same defect (the extractor
// used that walk before), so messages do not depend on which path found them.
//
// A validator is the token cursor of the object being read (it extends
// TokenCursor rather than pointing at one: the skip loop reads the cursor's
// backslash memo on every string, and an extra indirection there showed in
// callgrind). Lives as long as one object is read, on one thread. Private
// to src/extract.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "json_error.h"
#include "simdjson_seam.h"
#include "token_cursor.h"

namespace gatescan::extract_internal {

// Go's decoder (maxNestingDepth): gator reads a 10000-deep object, so do we.
// The skip loop keeps one bit per level, not a stack frame.
inline constexpr int kMaxDepth = 10000;
// Words of the skip loop's bit-per-level stack (owned by the Extractor).
inline constexpr size_t kObjectLevelWords = kMaxDepth / 64 + 1;

class JsonValidator : public TokenCursor {
 public:
  // `object_levels` holds kObjectLevelWords words; it need not be zeroed.
  JsonValidator(const Tokens& tokens, const JsonIndexer& unescaper, uint8_t* string_buf,
                uint64_t* object_levels, bool validate)
      : TokenCursor(tokens, unescaper, string_buf),
        object_levels_(object_levels),
        validate_(validate) {}

  // Steps over the value at the cursor (a member of level depth - 1),
  // validating it unless validation is off. Defined next to SkipContainer:
  // the compiler then splits the two as the profile wants them.
  JsonError Skip(int depth);

  // The literal `atom` at the cursor (followed by a blank or the next
  // token), stepped over; `error` when it is misspelt.
  [[gnu::always_inline]] JsonError SkipAtom(const char* atom, size_t n, JsonError error) {
    if (JsonError e = CheckAtom(pos_, atom, n, error)) return e;
    ++pos_;
    return kJsonOk;
  }

 private:
  // Validates the container at the cursor and everything in it.
  JsonError SkipContainer(int level);
  // Steps over the value at the cursor by counting brackets (validate off).
  JsonError StepOver();

  void SetObjectLevel(int level, bool object) {
    const uint64_t bit = uint64_t{1} << (level & 63);
    uint64_t& word = object_levels_[level >> 6];
    word = object ? (word | bit) : (word & ~bit);
  }
  bool IsObjectLevel(int level) const { return (object_levels_[level >> 6] >> (level & 63)) & 1; }

  // Validates the scalar at the cursor and steps past it.
  [[gnu::always_inline]] JsonError SkipScalar(uint8_t c) {
    if (c == '"') return SkipString();
    if (JsonError e = CheckScalar(c, pos_)) return e;
    ++pos_;
    return kJsonOk;
  }

  // Validates the scalar (not a string) starting with c at token pos.
  [[gnu::always_inline]] JsonError CheckScalar(uint8_t c, uint32_t pos) const {
    switch (c) {
      case 't':
        return CheckAtom(pos, "true", 4, kJsonBadLiteral);
      case 'f':
        return CheckAtom(pos, "false", 5, kJsonBadLiteral);
      case 'n':
        return CheckAtom(pos, "null", 4, kJsonBadLiteral);
      case '-':
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
      case '8':
      case '9':
        return CheckNumber(pos);
      default:
        return UnexpectedAt(pos);
    }
  }

  // Only escapes are left to check. Nothing is copied, and, as in Go, a
  // lone surrogate escape is not an error in a string nobody reads.
  [[gnu::always_inline]] JsonError SkipString() {
    if (JsonError e = CheckString(pos_)) return e;
    ++pos_;
    return kJsonOk;
  }

  // Checks the escapes of the string token at pos (none to check when stage 1
  // found only simple escapes).
  [[gnu::always_inline]] JsonError CheckString(uint32_t pos) {
    const uint32_t begin = idx_[pos];
    const uint32_t next = idx_[pos + 1];
    if (!simple_escapes_ && next_backslash_ < next && BackslashBetween(begin, next) &&
        !EscapesValid(
            std::string_view(reinterpret_cast<const char*>(buf_ + begin), next - begin))) {
      return kJsonBadEscape;
    }
    return kJsonOk;
  }

  // The literal must be followed by a blank or the next token (the reader
  // made sure a token follows, so the byte after it is readable).
  [[gnu::always_inline]] JsonError CheckAtom(uint32_t pos, const char* atom, size_t n,
                                             JsonError error) const {
    const uint8_t* p = buf_ + idx_[pos];
    const uint8_t* next = buf_ + idx_[pos + 1];
    if (std::memcmp(p, atom, n) != 0 || (p + n != next && !IsBlank(p[n]))) return error;
    return kJsonOk;
  }

  // JSON's number grammar, checked by hand; a number that could leave
  // float64's range (an exponent, or very many digits), or that breaks the
  // grammar, goes through simdjson's own parser: it rejects what Go's
  // decoder rejects, with the error code On-Demand's get_double gave.
  [[gnu::always_inline]] JsonError CheckNumber(uint32_t pos) const {
    const uint8_t* const start = buf_ + idx_[pos];
    if (!PlainNumber(start, buf_ + idx_[pos + 1])) {
      double d;
      if (JsonError e = ParseJsonDouble(start, &d)) return e;
    }
    return kJsonOk;
  }

  // True for a well-formed number below 1e300 in magnitude (surely a finite
  // float64) that ends at a blank or at `next`, the next token.
  static bool PlainNumber(const uint8_t* p, const uint8_t* next) {
    const uint8_t* const start = p;
    p += *p == '-';
    if (*p == '0') {
      ++p;
    } else if (IsDigit(*p)) {
      while (IsDigit(*p)) ++p;
    } else {
      return false;
    }
    if (*p == '.') {
      ++p;
      if (!IsDigit(*p)) return false;
      while (IsDigit(*p)) ++p;
    }
    return p - start <= 300 && *p != 'e' && *p != 'E' && (p == next || IsBlank(*p));
  }

  // Whether every escape of the string token (from its opening quote) up to
  // its closing quote is one JSON has. Reads up to 15 bytes past the token.
  static bool EscapesValid(std::string_view token);

  // A bit per level of SkipContainer, each set when its level opens. Owned by
  // the Extractor, not zeroed per object (that memset showed in profiles).
  uint64_t* const object_levels_;
  const bool validate_;
};

}  // namespace gatescan::extract_internal
