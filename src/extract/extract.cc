// extract.cc — one Kubernetes object's JSON -> ObjectRecord, from simdjson's stage 1.
//
// simdjson's stage 1 (SIMD, picked for the CPU at run time) finds every token
// and checks UTF-8, string termination and control characters. On one thread
// the framer has done exactly that already while finding the object's end
// (StructuralIndex), and only its verdicts are taken over here. One recursive
// descent over those tokens then both checks the grammar of everything and
// reads the few fields the policy needs. This replaced an On-Demand walk that
// validated skipped values through the typed API (type(), get_double, string
// views per value), which cost more than stage 1 itself; skipped values are
// now checked token by token (Skip), and only numbers that might overflow a
// float64 and strings with escapes reach simdjson's parsers. Errors are the
// simdjson codes the On-Demand walk reported for the same defect.
//
// Every field is visited in order, so a duplicate key's last occurrence
// overwrites the earlier one (Go's encoding/json into a map, which is what
// Gatekeeper's Rego sees).
//
// Strings are held as views into the input or the string buffer (decoded
// escapes) while the object is read, and copied into the batch arena only
// when the whole object parsed and the value survived every duplicate key:
// nothing is appended to the batch for a broken object except its error record.
#include "gatescan/extract/extract.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstring>
#include <string>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "gatescan/common/quote.h"

namespace gatescan {

std::string_view ContainerListField(ContainerList list) {
  switch (list) {
    case ContainerList::kContainers:
      return "containers";
    case ContainerList::kInitContainers:
      return "initContainers";
    case ContainerList::kEphemeralContainers:
      return "ephemeralContainers";
  }
  return "containers";
}

namespace {

using simdjson::error_code;
using simdjson::SUCCESS;

// Go's decoder (maxNestingDepth): gator reads a 10000-deep object, so do we.
// The skip loop keeps one bit per level, not a stack frame.
constexpr int kMaxDepth = 10000;
// Rendering a non-string name or image recurses once per level; this bound
// keeps it well inside a worker thread's stack, sanitizers included.
constexpr int kMaxRenderDepth = 1024;
// Words of SkipContainer's bit-per-level stack.
constexpr size_t kObjectLevelWords = kMaxDepth / 64 + 1;

// framer.h's kParsePadding: the readable bytes every caller leaves after an object.
constexpr size_t kPadding = 64;
static_assert(kPadding >= simdjson::SIMDJSON_PADDING);

// A container while its object is still being read: its strings may still
// point into simdjson's buffers (copied at commit) or already into the arena
// (rendered non-string values).
struct PendingContainer {
  ContainerRef ref;
  bool name_in_arena = false;
  bool image_in_arena = false;
  std::vector<std::string_view> image_elements;  // in the arena already
};

using ContainerLists = std::array<std::vector<PendingContainer>, kContainerListCount>;

// What a pod template (spec.template, or jobTemplate.spec.template) holds.
struct TemplateParts {
  bool present = false;
  std::vector<Label> labels;
  ContainerLists lists;

  void Reset() {
    present = false;
    labels.clear();
    for (auto& l : lists) l.clear();
  }
};

struct JobTemplateParts {
  bool present = false;
  std::vector<Label> labels;
  TemplateParts pod_template;

  void Reset() {
    present = false;
    labels.clear();
    pod_template.Reset();
  }
};

// Everything read from one object before it is committed to the batch.
struct ObjectParts {
  std::string_view api_version, kind, name, ns;
  bool has_api_version = false, has_kind = false;
  std::vector<Label> labels;
  ContainerLists lists;
  TemplateParts pod_template;
  JobTemplateParts job_template;

  void Reset() {
    api_version = kind = name = ns = {};
    has_api_version = has_kind = false;
    labels.clear();
    for (auto& l : lists) l.clear();
    pod_template.Reset();
    job_template.Reset();
  }
};

std::string_view ErrorText(error_code e) {
  switch (e) {
    case simdjson::UNCLOSED_STRING:
      return "malformed JSON (unclosed string)";
    case simdjson::UTF8_ERROR:
      return "invalid UTF-8 in JSON";
    case simdjson::UNESCAPED_CHARS:
      return "malformed JSON (unescaped control character in string)";
    case simdjson::STRING_ERROR:
      return "malformed JSON (invalid string escape)";
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE:
      return "malformed JSON (invalid number)";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
      return "malformed JSON (invalid literal)";
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return "malformed JSON (truncated, or unbalanced brackets)";
    case simdjson::TAPE_ERROR:
      return "malformed JSON (unexpected or missing token)";
    case simdjson::DEPTH_ERROR:
      return "JSON nested too deeply (more than 10000 levels, or 1024 in a name or image)";
    case simdjson::EMPTY:
      return "empty document";
    case simdjson::INCORRECT_TYPE:
      return "malformed JSON (unexpected value type)";
    case simdjson::TRAILING_CONTENT:
      return "malformed JSON (content after the object)";
    case simdjson::CAPACITY:
      return "object too large for the JSON parser";
    case simdjson::MEMALLOC:
      return "out of memory while parsing JSON";
    default:
      return "malformed JSON";
  }
}

// True when a number token is written as an integer (no fraction, no exponent).
bool IsIntegerLiteral(std::string_view token) {
  for (char c : token) {
    if (c == '.' || c == 'e' || c == 'E') return false;
  }
  return true;
}

// Go's strconv.FormatFloat(v, 'g', -1, 64): shortest round-trip digits; %e
// form when the decimal exponent is < -4 or >= 6 (ftoa.go: "if precision was
// the shortest possible, use precision 6 for this decision"), with at least
// two exponent digits.
void AppendGoFloat(double v, std::string* out) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));  // [-]d[.ddd]e(+|-)XX
  bool neg = false;
  if (!sci.empty() && sci[0] == '-') {
    neg = true;
    sci.remove_prefix(1);
  }
  size_t e_pos = sci.find('e');
  std::string digits;
  for (size_t i = 0; i < e_pos; ++i) {
    if (sci[i] != '.') digits.push_back(sci[i]);
  }
  int exp = 0;
  std::from_chars(sci.data() + e_pos + 1 + (sci[e_pos + 1] == '+' ? 1 : 0), sci.data() + sci.size(),
                  exp);
  if (digits == "0") {  // Go's shortest digits of zero are empty, exponent 0
    digits.clear();
    exp = -1;
  }
  if (neg) out->push_back('-');
  const int nd = static_cast<int>(digits.size());
  const int dp = exp + 1;  // decimal point position
  if (exp < -4 || exp >= 6) {
    out->push_back(nd > 0 ? digits[0] : '0');
    if (nd > 1) {
      out->push_back('.');
      out->append(digits, 1, std::string::npos);
    }
    out->push_back('e');
    int x = nd == 0 ? 0 : exp;
    out->push_back(x < 0 ? '-' : '+');
    if (x < 0) x = -x;
    if (x < 10) out->push_back('0');
    out->append(std::to_string(x));
    return;
  }
  // %f with just enough fraction digits.
  if (dp > 0) {
    for (int i = 0; i < dp; ++i) out->push_back(i < nd ? digits[i] : '0');
  } else {
    out->push_back('0');
  }
  const int frac = std::max(nd - dp, 0);
  if (frac > 0) {
    out->push_back('.');
    for (int i = 0; i < frac; ++i) {
      const int j = dp + i;
      out->push_back(j >= 0 && j < nd ? digits[j] : '0');
    }
  }
}

// A key against a field name: the length first, then a memcmp of known
// size that the compiler inlines (string_view's == called memcmp, which
// showed in profiles).
template <size_t N>
[[gnu::always_inline]] inline bool KeyIs(std::string_view key, const char (&name)[N]) {
  return key.size() == N - 1 && std::memcmp(key.data(), name, N - 1) == 0;
}

bool IsBlank(uint8_t c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
bool IsDigit(uint8_t c) { return c >= '0' && c <= '9'; }

// One object's bytes and the token starts stage 1 found in them. Stage 1
// guarantees: every string is closed, the text is valid UTF-8 without raw
// control characters in strings, and the bytes from one token start to the
// next are that token followed only by blanks (a scalar never runs into
// another: a blank in between makes the second a token of its own).
// idx[n] == len, so the end of the last token is known too.
struct Tokens {
  const uint8_t* buf = nullptr;
  const uint32_t* idx = nullptr;
  uint32_t n = 0;
  size_t len = 0;
};

// Reads one object from its token stream: a recursive descent that checks
// the grammar of everything it passes (as Go's decoder would) and copies out
// only what the policy needs. Errors are the simdjson codes On-Demand gave
// for the same defect, so messages do not depend on which path found them.
class ObjectReader {
 public:
  ObjectReader(const ExtractOptions& options, const Tokens& tokens,
               const simdjson::internal::dom_parser_implementation& unescaper, uint8_t* string_buf,
               uint64_t* object_levels, StringArena* arena, ObjectParts* parts,
               std::string* scratch)
      : options_(options),
        buf_(tokens.buf),
        idx_(tokens.idx),
        n_(tokens.n),
        len_(tokens.len),
        object_levels_(object_levels),
        unescaper_(unescaper),
        string_buf_(string_buf),
        arena_(arena),
        parts_(parts),
        scratch_(scratch) {}

  error_code ReadRoot() {
    if (n_ == 0) return simdjson::EMPTY;
    const uint8_t first = buf_[idx_[0]];
    if (first != '{') {
      switch (first) {
        case '[':
        case '"':
        case '-':
        case 't':
        case 'f':
        case 'n':
          return kRootNotObject;
        default:
          return IsDigit(first) ? kRootNotObject : simdjson::TAPE_ERROR;
      }
    }
    // As On-Demand: an object must end with its brace. This also keeps every
    // scalar away from the end, so scalar checks may read a byte past a token.
    if (buf_[idx_[n_ - 1]] != '}') return simdjson::INCOMPLETE_ARRAY_OR_OBJECT;
    // A '}' right after the object (as in padding) would otherwise let an
    // unbalanced document look closed.
    if (buf_[len_] == '}' && !Balanced()) return simdjson::INCOMPLETE_ARRAY_OR_OBJECT;
    error_code e = ForEachField([this](std::string_view key) {
      if (KeyIs(key, "apiVersion"))
        return ReadTopString(&parts_->api_version, &parts_->has_api_version);
      if (KeyIs(key, "kind")) return ReadTopString(&parts_->kind, &parts_->has_kind);
      if (KeyIs(key, "metadata"))
        return ReadMetadata(2, &parts_->name, &parts_->ns, &parts_->labels);
      if (KeyIs(key, "spec")) return ReadSpec(2);
      return Skip(2);
    });
    if (e) return e;
    return pos_ < n_ ? simdjson::TRAILING_CONTENT : SUCCESS;
  }

  // Not a simdjson error: reported as "not a JSON object".
  static constexpr error_code kRootNotObject = simdjson::NUM_ERROR_CODES;

 private:
  // The first byte of the current token; 0 past the last one.
  [[gnu::always_inline]] uint8_t Peek() const { return pos_ < n_ ? buf_[idx_[pos_]] : 0; }

  // The error for a token that is not what the grammar allows there.
  [[gnu::always_inline]] error_code Unexpected() const {
    return pos_ >= n_ ? simdjson::INCOMPLETE_ARRAY_OR_OBJECT : simdjson::TAPE_ERROR;
  }

  bool Balanced() const {
    int64_t count = 0;
    for (uint32_t i = 0; i < n_; ++i) {
      const uint8_t c = buf_[idx_[i]];
      count += (c == '{' || c == '[') - (c == '}' || c == ']');
    }
    return count == 0;
  }

  // Whether a backslash lies in [from, to). Backslashes are rare, so the
  // next one is found once with memchr and remembered: the whole object is
  // searched about once however many strings it holds.
  [[gnu::always_inline]] bool BackslashBetween(uint32_t from, uint32_t to) {
    if (next_backslash_ < from) {
      const void* p = std::memchr(buf_ + from, '\\', len_ - from);
      next_backslash_ =
          p == nullptr ? len_ : static_cast<size_t>(static_cast<const uint8_t*>(p) - buf_);
    }
    return next_backslash_ < to;
  }

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

  // The string token at pos_ (a key or a value), decoded, and steps past it.
  // Without escapes it is viewed in place; with them it is decoded into the
  // string buffer by simdjson's own unescaper, as On-Demand's get_string did.
  [[gnu::always_inline]] error_code ReadString(std::string_view* out) {
    const uint32_t begin = idx_[pos_] + 1;
    const uint32_t next = idx_[pos_ + 1];
    if (!BackslashBetween(begin, next)) {
      uint32_t end = next;
      while (IsBlank(buf_[end - 1])) --end;
      *out = std::string_view(reinterpret_cast<const char*>(buf_ + begin), end - 1 - begin);
    } else {
      uint8_t* end = unescaper_.parse_string(buf_ + begin, string_buf_);
      if (end == nullptr && !UnescapeLikeGo(begin, next, &end)) return simdjson::STRING_ERROR;
      *out = std::string_view(reinterpret_cast<const char*>(string_buf_),
                              static_cast<size_t>(end - string_buf_));
      string_buf_ = end;
    }
    ++pos_;
    return SUCCESS;
  }

  // Calls on_field(key) for every member of the object at pos_; on_field
  // must step over the value. Steps past the closing brace.
  template <typename F>
  error_code ForEachField(F&& on_field) {
    ++pos_;
    if (Peek() == '}') {
      ++pos_;
      return SUCCESS;
    }
    for (;;) {
      if (Peek() != '"') return Unexpected();
      std::string_view key;
      if (auto e = ReadString(&key)) return e;
      if (Peek() != ':') return Unexpected();
      ++pos_;
      if (auto e = on_field(key)) return e;
      const uint8_t c = Peek();
      if (c == ',') {
        ++pos_;
      } else if (c == '}') {
        ++pos_;
        return SUCCESS;
      } else {
        return Unexpected();
      }
    }
  }

  // Calls on_element() for every element of the array at pos_.
  template <typename F>
  error_code ForEachElement(F&& on_element) {
    ++pos_;
    if (Peek() == ']') {
      ++pos_;
      return SUCCESS;
    }
    for (;;) {
      if (auto e = on_element()) return e;
      const uint8_t c = Peek();
      if (c == ',') {
        ++pos_;
      } else if (c == ']') {
        ++pos_;
        return SUCCESS;
      } else {
        return Unexpected();
      }
    }
  }

  // Steps over the value at pos_ (a member of level depth - 1), validating
  // it unless validation is off.
  error_code Skip(int depth) {
    if (!options_.validate) return StepOver();
    const uint8_t c = Peek();
    if (c == '{' || c == '[') return SkipContainer(depth);
    return SkipScalar(c);
  }

  // Validates the container at pos_ and everything in it. A state machine
  // over the tokens rather than recursion: 10000 levels cost no stack. It
  // is most of the extractor's time (managedFields, status, annotations), so
  // objects and arrays have states of their own (each branch predicts its own
  // shape), the position lives in a register, and tokens are read unchecked:
  // ReadRoot made sure the last token is the root's '}', so only after a
  // closing bracket can the next token lie past the end.
  error_code SkipContainer(int level) {
    const int base = level;
    const uint8_t* const buf = buf_;
    const uint32_t* const idx = idx_;
    uint32_t pos = pos_;
    uint8_t c = buf[idx[pos]];
    error_code e;
    auto at = [&](uint32_t i) { return buf[idx[i]]; };
    // Strings and keys without backslashes cost one compare against the memo.
    auto escape_free = [&](uint32_t from, uint32_t to) {
      return next_backslash_ >= to || !BackslashBetween(from, to);
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
    if (at(pos + 1) == ':' && at(pos + 2) == '"' && next_backslash_ >= idx[pos + 3]) {
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
        if (pos >= n_) {
          e = simdjson::INCOMPLETE_ARRAY_OR_OBJECT;
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
      return SUCCESS;
    }
    --level;
    if (pos >= n_) {
      e = simdjson::INCOMPLETE_ARRAY_OR_OBJECT;
      goto error;
    }
    if (IsObjectLevel(level)) goto object_after;
    goto array_after;

  unexpected:
    pos_ = pos;
    return Unexpected();
  depth_error:
    e = simdjson::DEPTH_ERROR;
  error:
    pos_ = pos;
    return e;
  }

  void SetObjectLevel(int level, bool object) {
    const uint64_t bit = uint64_t{1} << (level & 63);
    uint64_t& word = object_levels_[level >> 6];
    word = object ? (word | bit) : (word & ~bit);
  }
  bool IsObjectLevel(int level) const { return (object_levels_[level >> 6] >> (level & 63)) & 1; }

  // Validates the scalar at pos_ and steps past it.
  [[gnu::always_inline]] error_code SkipScalar(uint8_t c) {
    if (c == '"') return SkipString();
    if (auto e = CheckScalar(c, pos_)) return e;
    ++pos_;
    return SUCCESS;
  }

  // Validates the scalar (not a string) starting with c at token pos.
  [[gnu::always_inline]] error_code CheckScalar(uint8_t c, uint32_t pos) const {
    switch (c) {
      case 't':
        return CheckAtom(pos, "true", 4, simdjson::T_ATOM_ERROR);
      case 'f':
        return CheckAtom(pos, "false", 5, simdjson::T_ATOM_ERROR);
      case 'n':
        return CheckAtom(pos, "null", 4, simdjson::N_ATOM_ERROR);
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
        return pos >= n_ ? simdjson::INCOMPLETE_ARRAY_OR_OBJECT : simdjson::TAPE_ERROR;
    }
  }

  // Only escapes are left to check. Nothing is copied, and, as in Go, a
  // lone surrogate escape is not an error in a string nobody reads.
  [[gnu::always_inline]] error_code SkipString() {
    if (auto e = CheckString(pos_)) return e;
    ++pos_;
    return SUCCESS;
  }

  // Checks the escapes of the string token at pos.
  [[gnu::always_inline]] error_code CheckString(uint32_t pos) {
    const uint32_t begin = idx_[pos];
    const uint32_t next = idx_[pos + 1];
    if (next_backslash_ < next && BackslashBetween(begin, next) &&
        !EscapesValid(
            std::string_view(reinterpret_cast<const char*>(buf_ + begin), next - begin))) {
      return simdjson::STRING_ERROR;
    }
    return SUCCESS;
  }

  // The literal must be followed by a blank or the next token (ReadRoot
  // made sure a token follows, so the byte after it is readable).
  [[gnu::always_inline]] error_code SkipAtom(const char* atom, size_t n, error_code error) {
    if (auto e = CheckAtom(pos_, atom, n, error)) return e;
    ++pos_;
    return SUCCESS;
  }

  [[gnu::always_inline]] error_code CheckAtom(uint32_t pos, const char* atom, size_t n,
                                              error_code error) const {
    const uint8_t* p = buf_ + idx_[pos];
    const uint8_t* next = buf_ + idx_[pos + 1];
    if (std::memcmp(p, atom, n) != 0 || (p + n != next && !IsBlank(p[n]))) return error;
    return SUCCESS;
  }

  // JSON's number grammar, checked by hand; a number that could leave
  // float64's range (an exponent, or very many digits), or that breaks the
  // grammar, goes through simdjson's own parser: it rejects what Go's
  // decoder rejects, with the error code On-Demand's get_double gave.
  [[gnu::always_inline]] error_code CheckNumber(uint32_t pos) const {
    const uint8_t* const start = buf_ + idx_[pos];
    if (!PlainNumber(start, buf_ + idx_[pos + 1])) {
      double d;
      if (auto e = simdjson::builtin::numberparsing::parse_double(start).get(d)) return e;
    }
    return SUCCESS;
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

  // Steps over the value at pos_ by counting brackets (ExtractOptions::validate off).
  error_code StepOver() {
    if (pos_ >= n_) return simdjson::INCOMPLETE_ARRAY_OR_OBJECT;
    uint8_t c = buf_[idx_[pos_++]];
    if (c != '{' && c != '[') {
      // Only what can start a value (On-Demand looked at its type).
      const bool value = c == '"' || c == '-' || IsDigit(c) || c == 't' || c == 'f' || c == 'n';
      return value ? SUCCESS : simdjson::TAPE_ERROR;
    }
    int open = 1;
    while (pos_ < n_) {
      c = buf_[idx_[pos_++]];
      if (c == '{' || c == '[') {
        ++open;
      } else if ((c == '}' || c == ']') && --open == 0) {
        return SUCCESS;
      }
    }
    return simdjson::INCOMPLETE_ARRAY_OR_OBJECT;
  }

  // JSON's escapes: \" \\ \/ \b \f \n \r \t and \u with four hex digits.
  // `token` is a string token (from its opening quote); true when every
  // escape up to the closing quote is valid. Strings with escapes are mostly
  // JSON inside JSON (kubectl's last-applied-configuration annotation), an
  // escape every few bytes: a byte-at-a-time loop cost ~8% of a run, so
  // backslashes and quotes are found 16 bytes at a time and only they are
  // looked at. Reads up to 15 bytes past the token (the object's padding
  // covers it).
  static bool EscapesValid(std::string_view token) {
    const auto* const data = reinterpret_cast<const uint8_t*>(token.data());
    const size_t size = token.size();
    size_t i = 1;  // past the opening quote
#if defined(__SSE2__)
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
      uint32_t mask =
          static_cast<uint32_t>(_mm_movemask_epi8(_mm_or_si128(is_backslash, is_quote)));
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

#if defined(__SSE2__)
  // The bytes of v that may follow a backslash in a two-byte escape but for
  // the backslash itself: " / b f n r t.
  [[gnu::always_inline]] static uint32_t SimpleEscapes(__m128i v) {
    const auto eq = [&](char c) { return _mm_cmpeq_epi8(v, _mm_set1_epi8(c)); };
    const __m128i m =
        _mm_or_si128(_mm_or_si128(_mm_or_si128(eq('"'), eq('/')), _mm_or_si128(eq('b'), eq('f'))),
                     _mm_or_si128(_mm_or_si128(eq('n'), eq('r')), eq('t')));
    return static_cast<uint32_t>(_mm_movemask_epi8(m));
  }
#endif

  // The length of the valid escape at data[at] (a backslash) within the
  // first `size` bytes: 2, or 6 for \uXXXX; 0 when it is invalid.
  [[gnu::always_inline]] static size_t EscapeLength(const uint8_t* data, size_t at, size_t size) {
    if (at + 1 >= size) return 0;
    switch (data[at + 1]) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        return 2;
      case 'u':
        if (at + 5 >= size) return 0;
        for (size_t k = 2; k <= 5; ++k) {
          if (!IsHexDigit(data[at + k])) return 0;
        }
        return 6;
      default:
        return 0;
    }
  }

  static bool IsHexDigit(uint8_t c) {
    return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  // apiVersion / kind: kept only when a string (a later duplicate of another
  // type clears it).
  error_code ReadTopString(std::string_view* out, bool* is_string) {
    *out = {};
    *is_string = false;
    if (Peek() != '"') return Skip(2);
    if (auto e = ReadString(out)) return e;
    *is_string = true;
    return SUCCESS;
  }

  // A string field that the caller keeps only when it is a string.
  error_code ReadOptionalString(int depth, std::string_view* out) {
    *out = {};
    if (Peek() != '"') return Skip(depth);
    return ReadString(out);
  }

  // metadata (top level or of a template). Null outputs are skipped.
  error_code ReadMetadata(int depth, std::string_view* name, std::string_view* ns,
                          std::vector<Label>* labels) {
    if (name != nullptr) *name = {};
    if (ns != nullptr) *ns = {};
    labels->clear();
    if (Peek() != '{') return Skip(depth);
    return ForEachField([&](std::string_view key) {
      if (KeyIs(key, "labels")) return ReadLabels(depth + 1, labels);
      if (KeyIs(key, "name") && name != nullptr) return ReadOptionalString(depth + 1, name);
      if (KeyIs(key, "namespace") && ns != nullptr) return ReadOptionalString(depth + 1, ns);
      return Skip(depth + 1);
    });
  }

  // labels: the last occurrence of a key wins; only string values count.
  error_code ReadLabels(int depth, std::vector<Label>* labels) {
    labels->clear();
    if (Peek() != '{') return Skip(depth);
    return ForEachField([&](std::string_view key) {
      const bool is_string = Peek() == '"';
      std::string_view text;
      if (is_string) {
        if (auto e = ReadString(&text)) return e;
      } else if (auto e = Skip(depth + 1)) {
        return e;
      }
      for (size_t i = 0; i < labels->size(); ++i) {
        if ((*labels)[i].key == key) {
          labels->erase(labels->begin() + static_cast<ptrdiff_t>(i));
          break;
        }
      }
      if (is_string) labels->push_back(Label{key, text});
      return SUCCESS;
    });
  }

  // Top-level spec: the container lists, and with pod_templates the
  // template / jobTemplate.
  error_code ReadSpec(int depth) {
    for (auto& l : parts_->lists) l.clear();
    parts_->pod_template.Reset();
    parts_->job_template.Reset();
    if (Peek() != '{') return Skip(depth);
    return ForEachField([&](std::string_view key) {
      if (int list = ListIndex(key); list >= 0) {
        return ReadContainerList(depth + 1, static_cast<ContainerList>(list), &parts_->lists[list]);
      }
      if (options_.pod_templates && KeyIs(key, "template")) {
        return ReadTemplate(depth + 1, &parts_->pod_template);
      }
      if (options_.pod_templates && KeyIs(key, "jobTemplate")) {
        return ReadJobTemplate(depth + 1, &parts_->job_template);
      }
      return Skip(depth + 1);
    });
  }

  static int ListIndex(std::string_view key) {
    if (KeyIs(key, "containers")) return static_cast<int>(ContainerList::kContainers);
    if (KeyIs(key, "initContainers")) return static_cast<int>(ContainerList::kInitContainers);
    if (KeyIs(key, "ephemeralContainers"))
      return static_cast<int>(ContainerList::kEphemeralContainers);
    return -1;
  }

  // A pod template: {metadata: {labels}, spec: {*Containers}}.
  error_code ReadTemplate(int depth, TemplateParts* out) {
    out->Reset();
    if (Peek() != '{') return Skip(depth);
    out->present = true;
    return ForEachField([&](std::string_view key) {
      if (KeyIs(key, "metadata")) return ReadMetadata(depth + 1, nullptr, nullptr, &out->labels);
      if (KeyIs(key, "spec")) return ReadPodSpec(depth + 1, &out->lists);
      return Skip(depth + 1);
    });
  }

  // The spec of a pod template: its container lists only.
  error_code ReadPodSpec(int depth, ContainerLists* lists) {
    for (auto& l : *lists) l.clear();
    if (Peek() != '{') return Skip(depth);
    return ForEachField([&](std::string_view key) {
      if (int list = ListIndex(key); list >= 0) {
        return ReadContainerList(depth + 1, static_cast<ContainerList>(list), &(*lists)[list]);
      }
      return Skip(depth + 1);
    });
  }

  // A CronJob's jobTemplate: {metadata: {labels}, spec: {template: ...}}.
  error_code ReadJobTemplate(int depth, JobTemplateParts* out) {
    out->Reset();
    if (Peek() != '{') return Skip(depth);
    out->present = true;
    return ForEachField([&](std::string_view key) {
      if (KeyIs(key, "metadata")) return ReadMetadata(depth + 1, nullptr, nullptr, &out->labels);
      if (KeyIs(key, "spec")) return ReadJobSpec(depth + 1, &out->pod_template);
      return Skip(depth + 1);
    });
  }

  error_code ReadJobSpec(int depth, TemplateParts* pod_template) {
    pod_template->Reset();
    if (Peek() != '{') return Skip(depth);
    return ForEachField([&](std::string_view key) {
      return KeyIs(key, "template") ? ReadTemplate(depth + 1, pod_template) : Skip(depth + 1);
    });
  }

  // A container list: an array, or an object whose values Rego's `x[_]`
  // iterates (in key order, a duplicate key's last value winning).
  error_code ReadContainerList(int depth, ContainerList list, std::vector<PendingContainer>* out) {
    out->clear();
    const uint8_t type = Peek();
    if (depth > kMaxDepth && (type == '[' || type == '{')) return simdjson::DEPTH_ERROR;
    if (type == '[') {
      return ForEachElement([&] {
        PendingContainer c;
        bool complete = false;
        if (auto e = ReadContainer(depth + 1, list, &c, &complete)) return e;
        if (complete) out->push_back(std::move(c));
        return SUCCESS;
      });
    }
    if (type != '{') return Skip(depth);
    struct Entry {
      std::string_view key;
      bool complete;
      PendingContainer container;
    };
    std::vector<Entry> entries;
    error_code e = ForEachField([&](std::string_view key) {
      Entry entry{};
      entry.key = key;
      if (auto e = ReadContainer(depth + 1, list, &entry.container, &entry.complete)) return e;
      auto same = std::find_if(entries.begin(), entries.end(),
                               [&](const Entry& x) { return x.key == entry.key; });
      if (same != entries.end()) {
        *same = std::move(entry);
      } else {
        entries.push_back(std::move(entry));
      }
      return SUCCESS;
    });
    if (e) return e;
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.key < b.key; });
    for (const Entry& entry : entries) {
      if (entry.complete) out->push_back(entry.container);
    }
    return SUCCESS;
  }

  // One element of a container list: complete when it is an object with both
  // a "name" and an "image" key (any type; the last duplicate wins).
  error_code ReadContainer(int depth, ContainerList list, PendingContainer* out, bool* complete) {
    *complete = false;
    if (Peek() != '{') return Skip(depth);
    if (depth > kMaxDepth) return simdjson::DEPTH_ERROR;
    bool has_name = false, has_image = false;
    *out = PendingContainer{};
    out->ref.list = list;
    error_code e = ForEachField([&](std::string_view key) {
      if (KeyIs(key, "image")) {
        has_image = true;
        out->image_elements.clear();
        out->ref.image_is_string_array = false;
        if (Peek() == '[')
          ReadStringElements(&out->image_elements, &out->ref.image_is_string_array);
        return ReadPrintable(depth + 1, &out->ref.image, &out->ref.image_is_string,
                             &out->image_in_arena);
      }
      if (KeyIs(key, "name")) {
        has_name = true;
        bool name_is_string;
        return ReadPrintable(depth + 1, &out->ref.name, &name_is_string, &out->name_in_arena);
      }
      return Skip(depth + 1);
    });
    if (e) return e;
    *complete = has_name && has_image;
    return SUCCESS;
  }

  // The elements of the array at pos_ when all of them are strings, copied
  // into the arena. Leaves pos_ where it was: the array is rendered next,
  // and that walk reports anything malformed.
  void ReadStringElements(std::vector<std::string_view>* out, bool* all_strings) {
    const uint32_t start = pos_;
    // The rendering decodes these strings again; the string buffer holds
    // each token's decoded form once only.
    uint8_t* const string_start = string_buf_;
    // The backslash memo only ever looks forward; the rendering starts over.
    const size_t backslash_memo = next_backslash_;
    const error_code e = ForEachElement([&] {
      if (Peek() != '"') return simdjson::INCORRECT_TYPE;  // stop: not all strings
      std::string_view s;
      if (auto e = ReadString(&s)) return e;
      out->push_back(arena_->Copy(s));
      return SUCCESS;
    });
    pos_ = start;
    string_buf_ = string_start;
    next_backslash_ = backslash_memo;
    *all_strings = e == SUCCESS;
    if (!*all_strings) out->clear();
  }

  // A name or image: a string as is; anything else as OPA's sprintf %v
  // prints it, rendered into the arena.
  error_code ReadPrintable(int depth, std::string_view* out, bool* is_string, bool* in_arena) {
    if (Peek() == '"') {
      *is_string = true;
      *in_arena = false;
      return ReadString(out);
    }
    scratch_->clear();
    if (auto e = Render(depth, scratch_)) return e;
    *out = arena_->Copy(*scratch_);
    *is_string = false;
    *in_arena = true;
    return SUCCESS;
  }

  // OPA's Value.String() of what Gatekeeper's JSON round trip makes of the
  // value: every number is a float64 (encoding/json into interface{}), printed
  // by strconv.FormatFloat(f, 'g', -1, 64); strings inside composites quoted
  // by strconv.Quote; object keys sorted, a duplicate's last value winning.
  // Render recurses once per nesting level, so it only dispatches: the
  // frames stay small even at depth 1024 (and under sanitizers).
  error_code Render(int depth, std::string* out) {
    const uint8_t type = Peek();
    if (type == '[') return RenderArray(depth, out);
    if (type == '{') return RenderObject(depth, out);
    return RenderScalar(type, out);
  }

  [[gnu::noinline]] error_code RenderScalar(uint8_t type, std::string* out) {
    switch (type) {
      case '"': {
        std::string_view s;
        if (auto e = ReadString(&s)) return e;
        AppendGoQuoted(s, out);
        return SUCCESS;
      }
      case 't':
      case 'f': {
        const bool b = type == 't';
        if (auto e = SkipAtom(b ? "true" : "false", b ? 4 : 5, simdjson::T_ATOM_ERROR)) return e;
        out->append(b ? "true" : "false");
        return SUCCESS;
      }
      case 'n':
        if (auto e = SkipAtom("null", 4, simdjson::N_ATOM_ERROR)) return e;
        out->append("null");
        return SUCCESS;
      default:
        break;
    }
    if (type != '-' && !IsDigit(type)) return Unexpected();
    const uint8_t* start = buf_ + idx_[pos_];
    const std::string_view token(reinterpret_cast<const char*>(start), idx_[pos_ + 1] - idx_[pos_]);
    double d;
    if (auto e = simdjson::builtin::numberparsing::parse_double(start).get(d)) return e;
    ++pos_;
    // An integer literal is an int64 in the Kubernetes decoder first, so
    // "-0" loses its sign before it becomes a float64.
    if (d == 0 && IsIntegerLiteral(token)) d = 0;
    AppendGoFloat(d, out);
    return SUCCESS;
  }

  [[gnu::noinline]] error_code RenderArray(int depth, std::string* out) {
    if (depth > kMaxRenderDepth) return simdjson::DEPTH_ERROR;
    out->push_back('[');
    bool first = true;
    error_code e = ForEachElement([&] {
      if (!first) out->append(", ");
      first = false;
      return Render(depth + 1, out);
    });
    if (e) return e;
    out->push_back(']');
    return SUCCESS;
  }

  // Keys sorted (OPA's object String() walks sortedKeys), a duplicate key's
  // last value winning (Go's map).
  [[gnu::noinline]] error_code RenderObject(int depth, std::string* out) {
    if (depth > kMaxRenderDepth) return simdjson::DEPTH_ERROR;
    std::vector<std::pair<std::string, std::string>> members;
    error_code e = ForEachField([&](std::string_view key) {
      std::string rendered;
      if (auto e = Render(depth + 1, &rendered)) return e;
      auto same = std::find_if(members.begin(), members.end(),
                               [&](const auto& m) { return m.first == key; });
      if (same != members.end()) {
        same->second = std::move(rendered);
      } else {
        members.emplace_back(std::string(key), std::move(rendered));
      }
      return SUCCESS;
    });
    if (e) return e;
    std::sort(members.begin(), members.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    out->push_back('{');
    for (size_t i = 0; i < members.size(); ++i) {
      if (i > 0) out->append(", ");
      AppendGoQuoted(members[i].first, out);
      out->append(": ");
      out->append(members[i].second);
    }
    out->push_back('}');
    return SUCCESS;
  }

  const ExtractOptions& options_;
  const uint8_t* const buf_;
  const uint32_t* const idx_;
  const uint32_t n_;
  const size_t len_;
  uint32_t pos_ = 0;  // the current token
  size_t next_backslash_ = 0;
  // A bit per level of SkipContainer, each set when its level opens. Owned by
  // the Extractor, not zeroed per object (that memset showed in profiles).
  uint64_t* const object_levels_;
  const simdjson::internal::dom_parser_implementation& unescaper_;
  uint8_t* string_buf_;     // where the next decoded string goes
  std::string scratch_go_;  // UnescapeLikeGo
  StringArena* arena_;
  ObjectParts* parts_;
  std::string* scratch_;
};

}  // namespace

struct Extractor::Impl {
  ExtractOptions options;
  // Stage 1 (simdjson's SIMD structural indexer, picked for this CPU at run
  // time) and, for strings with escapes, its unescaper.
  std::unique_ptr<simdjson::internal::dom_parser_implementation> indexer;
  std::unique_ptr<uint8_t[]> string_buf;  // decoded strings of the current object
  size_t capacity = 0;                    // bytes both can take
  ObjectParts parts;
  std::string scratch;
  std::array<uint64_t, kObjectLevelWords> object_levels{};  // ObjectReader's scratch

  IndexRange CommitLabels(const std::vector<Label>& labels, ExtractedBatch* out) {
    IndexRange range;
    range.begin = static_cast<uint32_t>(out->labels.size());
    for (const Label& l : labels) {
      out->labels.push_back(Label{out->arena.Copy(l.key), out->arena.Copy(l.value)});
    }
    range.end = static_cast<uint32_t>(out->labels.size());
    return range;
  }

  IndexRange CommitContainers(const ContainerLists& lists, ExtractedBatch* out) {
    IndexRange range;
    range.begin = static_cast<uint32_t>(out->containers.size());
    for (const auto& list : lists) {
      for (const PendingContainer& c : list) {
        ContainerRef ref = c.ref;
        if (!c.name_in_arena) ref.name = out->arena.Copy(ref.name);
        if (!c.image_in_arena) ref.image = out->arena.Copy(ref.image);
        ref.image_elements.begin = static_cast<uint32_t>(out->image_elements.size());
        out->image_elements.insert(out->image_elements.end(), c.image_elements.begin(),
                                   c.image_elements.end());
        ref.image_elements.end = static_cast<uint32_t>(out->image_elements.size());
        out->containers.push_back(ref);
      }
    }
    range.end = static_cast<uint32_t>(out->containers.size());
    return range;
  }

  // Runs stage 1 over `json`, growing the buffers first when it is larger
  // than any object before (they are kept for the next ones).
  error_code Index(std::string_view json) {
    if (error_code e = Reserve(json.size())) return e;
    return indexer->stage1(reinterpret_cast<const uint8_t*>(json.data()), json.size(),
                           simdjson::stage1_mode::regular);
  }

  // Stage 1 done by the caller: only its verdicts are left to give, in the
  // order simdjson's stage 1 gives them (control characters, then UTF-8).
  error_code Adopt(std::string_view json, const StructuralIndex& index) {
    if (error_code e = Reserve(json.size())) return e;
    if (index.control_in_string) return simdjson::UNESCAPED_CHARS;
    if (!index.ascii && !simdjson::validate_utf8(json.data(), json.size())) {
      return simdjson::UTF8_ERROR;
    }
    return SUCCESS;
  }

  // The indexer (whose unescaper decodes strings) and the string buffer, for
  // an object of `size` bytes.
  error_code Reserve(size_t size) {
    if (size > capacity || indexer == nullptr) {
      // A little headroom, not doubling: the index takes 4 bytes per input byte.
      const size_t want = std::max(size + size / 8, size_t{1} << 16);
      error_code e = indexer == nullptr
                         ? simdjson::get_active_implementation()->create_dom_parser_implementation(
                               want, kMaxDepth + 2, indexer)
                         : indexer->set_capacity(want);
      if (e) {
        indexer.reset();
        capacity = 0;
        return e;
      }
      // Decoded strings are never longer than their JSON; the unescaper
      // writes whole SIMD blocks, hence the padding.
      string_buf.reset(new (std::nothrow) uint8_t[want + kPadding]);
      if (string_buf == nullptr) return simdjson::MEMALLOC;
      capacity = want;
    }
    return SUCCESS;
  }

  void Commit(ExtractedBatch* out, ObjectRecord* record) {
    record->api_version = out->arena.Copy(parts.api_version);
    record->kind = out->arena.Copy(parts.kind);
    record->name = out->arena.Copy(parts.name);
    record->ns = out->arena.Copy(parts.ns);
    record->has_api_version = parts.has_api_version;
    record->has_kind = parts.has_kind;
    record->labels = CommitLabels(parts.labels, out);
    record->containers = CommitContainers(parts.lists, out);
    if (!options.pod_templates) return;
    // A jobTemplate (CronJob) takes precedence over a plain template.
    if (parts.job_template.present) {
      record->template_path = PodTemplatePath::kJobTemplate;
      record->job_template_labels = CommitLabels(parts.job_template.labels, out);
      record->template_labels = CommitLabels(parts.job_template.pod_template.labels, out);
      record->template_containers = CommitContainers(parts.job_template.pod_template.lists, out);
    } else if (parts.pod_template.present) {
      record->template_path = PodTemplatePath::kSpecTemplate;
      record->template_labels = CommitLabels(parts.pod_template.labels, out);
      record->template_containers = CommitContainers(parts.pod_template.lists, out);
    }
  }
};

Extractor::Extractor(ExtractOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
}

Extractor::~Extractor() = default;

void Extractor::Extract(std::string_view json, ExtractedBatch* out, const StructuralIndex* index) {
  ObjectRecord record;
  // Empty ranges point at the current end, so consumers may index freely.
  const auto labels_end = static_cast<uint32_t>(out->labels.size());
  const auto containers_end = static_cast<uint32_t>(out->containers.size());
  record.labels = record.template_labels = record.job_template_labels = {labels_end, labels_end};
  record.containers = record.template_containers = {containers_end, containers_end};

  impl_->parts.Reset();
  error_code e = index != nullptr ? impl_->Adopt(json, *index) : impl_->Index(json);
  if (!e) {
    const Tokens tokens{
        reinterpret_cast<const uint8_t*>(json.data()),
        index != nullptr ? index->positions : impl_->indexer->structural_indexes.get(),
        index != nullptr ? index->count : impl_->indexer->n_structural_indexes, json.size()};
    ObjectReader reader(impl_->options, tokens, *impl_->indexer, impl_->string_buf.get(),
                        impl_->object_levels.data(), &out->arena, &impl_->parts, &impl_->scratch);
    e = reader.ReadRoot();
  }
  if (e == ObjectReader::kRootNotObject) {
    record.error = out->arena.Copy("not a JSON object");
  } else if (e) {
    record.error = out->arena.Copy(ErrorText(e));
  } else {
    impl_->Commit(out, &record);
  }
  out->objects.push_back(record);
}

}  // namespace gatescan
