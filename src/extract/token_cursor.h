// token_cursor.h — a position in one object's token stream, and its strings.
//
// Stage 1 (simdjson's, or the framer's identical one) leaves the start of
// every token of an object. Its guarantees, which everything here relies on:
// every string is closed, the text is valid UTF-8 without raw control
// characters in strings, and the bytes from one token start to the next are
// that token followed only by blanks (a scalar never runs into another: a
// blank in between makes the second a token of its own). idx[n] == len, so
// the end of the last token is known too.
//
// The cursor steps over keys, values and brackets and decodes the strings it
// is asked to read; it judges nothing about the grammar beyond what the
// caller asks (json_validator.h does that). Decoded strings go to a string
// buffer owned by the Extractor (never longer than their JSON) and stay valid
// for the object. Everything is inline: this is the extractor's hot path. One
// cursor per object being read, on one thread. Private to src/extract.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "gatescan/common/json_text.h"
#include "gatescan/extract/extract.h"
#include "json_error.h"
#include "simdjson_seam.h"

namespace gatescan::extract_internal {

// A key against a field name: the length first, then a memcmp of known
// size that the compiler inlines (string_view's == called memcmp, which
// showed in profiles).
template <size_t N>
[[gnu::always_inline]] inline bool KeyIs(std::string_view key, const char (&name)[N]) {
  return key.size() == N - 1 && std::memcmp(key.data(), name, N - 1) == 0;
}

inline bool IsBlank(uint8_t c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
inline bool IsDigit(uint8_t c) { return c >= '0' && c <= '9'; }

// One object's bytes and the token starts stage 1 found in them.
struct Tokens {
  const uint8_t* buf = nullptr;
  const uint32_t* idx = nullptr;
  uint32_t n = 0;
  size_t len = 0;
  // No backslash at or after this offset (stage 1 may know; kBackslashEndUnknown when not).
  uint32_t backslash_end = kBackslashEndUnknown;
  // Stage 1 found only two-byte escapes that JSON has (StructuralIndex).
  bool simple_escapes = false;
};

class TokenCursor {
 public:
  TokenCursor(const Tokens& tokens, const JsonIndexer& unescaper, uint8_t* string_buf)
      : buf_(tokens.buf),
        idx_(tokens.idx),
        n_(tokens.n),
        len_(tokens.len),
        backslash_end_(tokens.backslash_end),
        simple_escapes_(tokens.simple_escapes),
        unescaper_(unescaper),
        string_buf_(string_buf) {}

  const uint8_t* buf() const { return buf_; }
  const uint32_t* idx() const { return idx_; }
  uint32_t count() const { return n_; }
  size_t len() const { return len_; }
  uint32_t pos() const { return pos_; }
  void set_pos(uint32_t pos) { pos_ = pos; }
  void Advance() { ++pos_; }

  // The first byte of the current token; 0 past the last one.
  [[gnu::always_inline]] uint8_t Peek() const { return pos_ < n_ ? buf_[idx_[pos_]] : 0; }
  // The first byte of token i (which must exist).
  [[gnu::always_inline]] uint8_t At(uint32_t i) const { return buf_[idx_[i]]; }

  // The error for a token that is not what the grammar allows there.
  [[gnu::always_inline]] JsonError Unexpected() const { return UnexpectedAt(pos_); }
  [[gnu::always_inline]] JsonError UnexpectedAt(uint32_t pos) const {
    return pos >= n_ ? kJsonUnbalanced : kJsonUnexpectedToken;
  }

  // Whether the brackets of the whole object pair up in number.
  bool Balanced() const {
    int64_t count = 0;
    for (uint32_t i = 0; i < n_; ++i) {
      const uint8_t c = buf_[idx_[i]];
      count += (c == '{' || c == '[') - (c == '}' || c == ']');
    }
    return count == 0;
  }

  // Where the next backslash at or after the last search lies (len() when
  // none): a backslash-free token ending before it needs no look.
  size_t next_backslash() const { return next_backslash_; }

  // Whether a backslash lies in [from, to). Backslashes are rare, so the
  // next one is found once with memchr and remembered: the whole object is
  // searched about once however many strings it holds, and not at all past
  // the last backslash when stage 1 told where that is.
  [[gnu::always_inline]] bool BackslashBetween(uint32_t from, uint32_t to) {
    if (next_backslash_ < from) {
      if (from >= backslash_end_) {
        next_backslash_ = len_;
      } else {
        const void* p = std::memchr(buf_ + from, '\\', len_ - from);
        next_backslash_ =
            p == nullptr ? len_ : static_cast<size_t>(static_cast<const uint8_t*>(p) - buf_);
      }
    }
    return next_backslash_ < to;
  }

  // The string token at pos (a key or a value), decoded, and steps past it.
  // Without escapes it is viewed in place; with them it is decoded into the
  // string buffer by simdjson's own unescaper, as On-Demand's get_string did.
  [[gnu::always_inline]] JsonError ReadString(std::string_view* out) {
    const uint32_t begin = idx_[pos_] + 1;
    const uint32_t next = idx_[pos_ + 1];
    if (!BackslashBetween(begin, next)) {
      uint32_t end = next;
      while (IsBlank(buf_[end - 1])) --end;
      *out = std::string_view(reinterpret_cast<const char*>(buf_ + begin), end - 1 - begin);
    } else {
      uint8_t* end = unescaper_.Unescape(buf_ + begin, string_buf_);
      if (end == nullptr && !UnescapeLikeGo(begin, next, &end)) return kJsonBadEscape;
      *out = std::string_view(reinterpret_cast<const char*>(string_buf_),
                              static_cast<size_t>(end - string_buf_));
      string_buf_ = end;
    }
    ++pos_;
    return kJsonOk;
  }

  // Calls on_field(key) for every member of the object at pos; on_field
  // must step over the value. Steps past the closing brace.
  template <typename F>
  JsonError ForEachField(F&& on_field) {
    ++pos_;
    if (Peek() == '}') {
      ++pos_;
      return kJsonOk;
    }
    for (;;) {
      if (Peek() != '"') return Unexpected();
      std::string_view key;
      if (JsonError e = ReadString(&key)) return e;
      if (Peek() != ':') return Unexpected();
      ++pos_;
      if (JsonError e = on_field(key)) return e;
      const uint8_t c = Peek();
      if (c == ',') {
        ++pos_;
      } else if (c == '}') {
        ++pos_;
        return kJsonOk;
      } else {
        return Unexpected();
      }
    }
  }

  // Calls on_element() for every element of the array at pos.
  template <typename F>
  JsonError ForEachElement(F&& on_element) {
    ++pos_;
    if (Peek() == ']') {
      ++pos_;
      return kJsonOk;
    }
    for (;;) {
      if (JsonError e = on_element()) return e;
      const uint8_t c = Peek();
      if (c == ',') {
        ++pos_;
      } else if (c == ']') {
        ++pos_;
        return kJsonOk;
      } else {
        return Unexpected();
      }
    }
  }

  // Everything a look-ahead changes, to go back to where it started.
  struct Mark {
    uint32_t pos;
    uint8_t* string_buf;
    size_t next_backslash;
  };
  // The string buffer is reused from the mark on, and the backslash memo
  // only ever looks forward, so both go back too.
  Mark Save() const { return {pos_, string_buf_, next_backslash_}; }
  void Restore(const Mark& m) {
    pos_ = m.pos;
    string_buf_ = m.string_buf;
    next_backslash_ = m.next_backslash;
  }

 protected:
  // simdjson refuses a \u escape of a lone surrogate, which Go's decoder
  // reads as U+FFFD: the string token [begin, next) is decoded again as Go
  // does, into the string buffer (never longer than the escaped form).
  bool UnescapeLikeGo(uint32_t begin, uint32_t next, uint8_t** end) {
    uint32_t close = next;
    while (IsBlank(buf_[close - 1])) --close;
    scratch_go_.clear();
    if (!AppendJsonUnescapedLikeGo(
            std::string_view(reinterpret_cast<const char*>(buf_ + begin), close - 1 - begin),
            &scratch_go_)) {
      return false;
    }
    std::memcpy(string_buf_, scratch_go_.data(), scratch_go_.size());
    *end = string_buf_ + scratch_go_.size();
    return true;
  }

  // Protected for JsonValidator's skip loop, which keeps them in registers.
  const uint8_t* const buf_;
  const uint32_t* const idx_;
  const uint32_t n_;
  const size_t len_;
  const uint32_t backslash_end_;
  const bool simple_escapes_;
  uint32_t pos_ = 0;  // the current token
  size_t next_backslash_ = 0;
  const JsonIndexer& unescaper_;
  uint8_t* string_buf_;     // where the next decoded string goes
  std::string scratch_go_;  // UnescapeLikeGo
};

}  // namespace gatescan::extract_internal
