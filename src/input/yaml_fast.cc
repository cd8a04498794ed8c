// yaml_fast.cc — over 600 lines on purpose: it is one recursive-descent
// pass (one class) over the block-style grammar, whose parts (collections,
// plain/quoted/block scalars, folding) share the cursor and the decline
// rules; split across files they would have to expose that state.
#include "gatescan/input/yaml_fast.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "gatescan/common/bytes16.h"
#include "gatescan/common/quote.h"
#include "gatescan/input/yaml_scalar.h"

namespace gatescan {
namespace {

// Deeper documents are left to the complete converter (and its limits).
constexpr int kMaxDepth = 1000;
// YAML limits implicit keys to 1024 characters.
constexpr size_t kMaxKeyBytes = 1024;

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Characters that cannot start a plain scalar here: YAML's c-indicators, and
// '?', ':' and '-' which may (followed by a non-space) but are rare enough to
// leave to the complete converter. '-' followed by a non-space is allowed.
bool StartsNonPlain(char c) {
  switch (c) {
    case '[':
    case ']':
    case '{':
    case '}':
    case ',':
    case '#':
    case '&':
    case '*':
    case '!':
    case '|':
    case '>':
    case '\'':
    case '"':
    case '%':
    case '@':
    case '`':
    case '?':
    case ':':
    case '\t':
      return true;
    default:
      return false;
  }
}

// Bytes the YAML grammar or yaml-cpp would treat differently from plain
// content: control characters other than tab and line feed, DEL, a byte order
// mark, and invalid UTF-8. SSE2 skips 16 bytes at a time while none is
// below 0x20 other than '\n' or at or above 0x80.
bool TextIsPlainUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    if (i + 16 <= n) {
      const Bytes16 v(p + i);
      // Signed compare: bytes >= 0x80 are negative, so "below 0x20" catches them too.
      const uint32_t low = v.SignedLess(0x20);
      const uint32_t ok = v.Eq('\n') | v.Eq('\t');
      if ((low & ~ok) == 0) {
        i += 16;
        continue;
      }
    }
    const uint8_t c = p[i];
    if (c < 0x80) {
      if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) return false;
      ++i;
      continue;
    }
    char32_t rune = 0;
    const size_t len = DecodeUtf8(s, i, &rune);
    if (len == 0 || rune == 0xFEFF) return false;
    i += len;
  }
  return true;
}

// AppendJsonString for the common case first: a string of printable ASCII
// without '"' or '\\' is its own JSON text, checked 16 bytes at a time.
void AppendJson(std::string_view v, std::string* out) {
  size_t i = 0;
  for (; i + 16 <= v.size(); i += 16) {
    const Bytes16 x(v.data() + i);
    // Signed compare: bytes >= 0x80 are negative, so "below 0x20" catches them too.
    if ((x.SignedLess(0x20) | x.Eq('"') | x.Eq('\\')) != 0) return AppendJsonString(v, out);
  }
  for (; i < v.size(); ++i) {
    const auto c = static_cast<uint8_t>(v[i]);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') return AppendJsonString(v, out);
  }
  out->push_back('"');
  out->append(v);
  out->push_back('"');
}

class Converter {
 public:
  Converter(std::string_view text, std::string* out)
      : s_(text.data()), n_(text.size()), out_(out) {}

  YamlFastResult Run() {
    if (!TextIsPlainUtf8(std::string_view(s_, n_))) return YamlFastResult::kUnsupported;
    out_->clear();
    // A leading "---" line (with nothing but a comment after it) opens the document.
    if (!NextContentLine(/*allow_marker=*/true)) {
      return fail_ ? YamlFastResult::kUnsupported : YamlFastResult::kEmpty;
    }
    if (indent_ == 0 && IsDocumentMarker(ls_, '.')) return YamlFastResult::kUnsupported;
    if (indent_ == 0 && IsDocumentMarker(ls_, '-')) {
      p_ = ls_ + 3;
      SkipSpaces();
      if (!AtLineEndOrComment()) return YamlFastResult::kUnsupported;
      SkipLine();
      if (!NextContentLine(false))
        return fail_ ? YamlFastResult::kUnsupported : YamlFastResult::kEmpty;
    }
    p_ = ls_ + indent_;
    if (!Node(-1, /*structure_ok=*/true, 0)) return YamlFastResult::kUnsupported;
    // Anything after the root node (a second document, "...", bad indentation).
    if (NextContentLine(false) || fail_) return YamlFastResult::kUnsupported;
    if (*out_ == "null") return YamlFastResult::kEmpty;
    return YamlFastResult::kOk;
  }

 private:
  char At(size_t i) const { return i < n_ ? s_[i] : '\0'; }
  bool AtEnd(size_t i) const { return i >= n_ || s_[i] == '\n'; }
  size_t LineEnd(size_t i) const {
    const void* nl = i < n_ ? std::memchr(s_ + i, '\n', n_ - i) : nullptr;
    return nl == nullptr ? n_ : static_cast<size_t>(static_cast<const char*>(nl) - s_);
  }
  void SkipSpaces() {
    while (p_ < n_ && s_[p_] == ' ') ++p_;
  }
  void SkipLine() {
    const size_t e = LineEnd(p_);
    p_ = e < n_ ? e + 1 : n_;
  }
  // After the value: nothing, or a comment (which needs a blank before it).
  bool AtLineEndOrComment() const {
    if (AtEnd(p_)) return true;
    return s_[p_] == '#' && p_ > 0 && IsBlank(s_[p_ - 1]);
  }
  bool IsDocumentMarker(size_t ls, char c) const {
    return ls + 3 <= n_ && s_[ls] == c && s_[ls + 1] == c && s_[ls + 2] == c &&
           (AtEnd(ls + 3) || IsBlank(s_[ls + 3]));
  }
  bool IsSeqEntry(size_t i) const { return At(i) == '-' && (AtEnd(i + 1) || s_[i + 1] == ' '); }

  // Moves p_ (at a line start) to the next line with content, skipping blank
  // and comment lines; sets ls_ and indent_. False at the end (or on fail_).
  bool NextContentLine(bool allow_marker) {
    while (p_ < n_) {
      size_t i = p_;
      while (i < n_ && s_[i] == ' ') ++i;
      if (i >= n_) {
        p_ = n_;
        return false;
      }
      const char c = s_[i];
      if (c == '\n') {
        p_ = i + 1;
        continue;
      }
      if (c == '#') {
        p_ = i;
        SkipLine();
        continue;
      }
      if (c == '\t') {
        // A tab where indentation is counted.
        fail_ = true;
        return false;
      }
      ls_ = p_;
      indent_ = static_cast<int>(i - p_);
      if (indent_ == 0 && !allow_marker &&
          (IsDocumentMarker(ls_, '-') || IsDocumentMarker(ls_, '.'))) {
        fail_ = true;
        return false;
      }
      return true;
    }
    return false;
  }

  // A node whose first character is at p_; `n` is the indentation of the
  // collection that holds it (-1 at the root). `structure_ok`: a block
  // collection may start here (line start, or inside a sequence entry).
  bool Node(int n, bool structure_ok, int depth) {
    if (depth > kMaxDepth) return false;
    const int col = static_cast<int>(p_ - ls_);
    if (IsSeqEntry(p_)) return structure_ok && Sequence(col, depth + 1);
    if (structure_ok && LooksLikeKey()) return Mapping(col, depth + 1);
    return Scalar(n);
  }

  bool Sequence(int col, int depth) {
    out_->push_back('[');
    bool first = true;
    for (;;) {
      if (!first) out_->push_back(',');
      first = false;
      ++p_;  // '-'
      SkipSpaces();
      if (AtLineEndOrComment()) {
        SkipLine();
        if (NextContentLine(false) && indent_ > col) {
          p_ = ls_ + indent_;
          if (!Node(col, true, depth)) return false;
        } else {
          if (fail_) return false;
          out_->append("null");
        }
      } else if (!Node(col, true, depth)) {
        return false;
      }
      if (!NextContentLine(false)) {
        if (fail_) return false;
        break;
      }
      if (indent_ > col) return false;
      if (indent_ < col || !IsSeqEntry(ls_ + indent_)) break;
      p_ = ls_ + indent_;
    }
    out_->push_back(']');
    return true;
  }

  bool Mapping(int col, int depth) {
    out_->push_back('{');
    bool first = true;
    for (;;) {
      if (!first) out_->push_back(',');
      first = false;
      if (!Key()) return false;
      out_->push_back(':');
      SkipSpaces();
      if (AtLineEndOrComment()) {
        SkipLine();
        if (NextContentLine(false) && indent_ > col) {
          p_ = ls_ + indent_;
          if (!Node(col, true, depth)) return false;
        } else if (!fail_ && p_ < n_ && indent_ == col && IsSeqEntry(ls_ + col)) {
          p_ = ls_ + col;  // an indentless sequence
          if (!Sequence(col, depth + 1)) return false;
        } else {
          if (fail_) return false;
          out_->append("null");
        }
      } else if (!Node(col, false, depth)) {
        return false;
      }
      if (!NextContentLine(false)) {
        if (fail_) return false;
        break;
      }
      if (indent_ > col) return false;
      if (indent_ < col) break;
      p_ = ls_ + indent_;
      if (IsSeqEntry(p_)) return false;
    }
    out_->push_back('}');
    return true;
  }

  // Whether the line from p_ holds `key:` (a plain or one-line quoted key
  // followed by ':' and a space or the line end).
  bool LooksLikeKey() const {
    const char c = s_[p_];
    size_t i = p_;
    if (c == '"' || c == '\'') {
      for (i = p_ + 1; !AtEnd(i); ++i) {
        if (c == '"' && s_[i] == '\\') {
          ++i;
          continue;
        }
        if (s_[i] == c) {
          if (c == '\'' && At(i + 1) == '\'') {
            ++i;
            continue;
          }
          break;
        }
      }
      if (AtEnd(i)) return false;
      ++i;
      while (At(i) == ' ') ++i;
      return At(i) == ':' && (AtEnd(i + 1) || s_[i + 1] == ' ');
    }
    if (StartsNonPlain(c)) return false;
    return PlainKeyColon() != 0;
  }

  // The position of the ':' ending a plain key that starts at p_, or 0.
  size_t PlainKeyColon() const {
    const size_t e = LineEnd(p_);
    for (size_t i = p_ + 1; i < e; ++i) {
      if (i + 16 <= e) {
        const Bytes16 v(s_ + i);
        const uint32_t mask = v.Eq(':') | v.Eq('#');
        if (mask == 0) {
          i += 15;
          continue;
        }
        i += static_cast<size_t>(__builtin_ctz(mask));
      }
      const char c = s_[i];
      if (c == ':' && (i + 1 == e || s_[i + 1] == ' ')) return i;
      if (c == '#' && IsBlank(s_[i - 1])) return 0;
    }
    return 0;
  }

  // Writes the JSON key at p_ and moves p_ after its ':'.
  bool Key() {
    const char c = At(p_);
    if (c == '"' || c == '\'') {
      scratch_.clear();
      const size_t line = ls_;
      if (!(c == '"' ? DoubleQuoted(-1) : SingleQuoted(-1))) return false;
      if (ls_ != line) return false;  // a key over several lines
      AppendJson(scratch_, out_);
      SkipSpaces();
      if (At(p_) != ':') return false;
      ++p_;
      return AtEnd(p_) || s_[p_] == ' ';
    }
    if (StartsNonPlain(c) || IsSeqEntry(p_)) return false;
    const size_t colon = PlainKeyColon();
    if (colon == 0) return false;
    size_t end = colon;
    while (end > p_ && s_[end - 1] == ' ') --end;
    const std::string_view key(s_ + p_, end - p_);
    if (key.size() > kMaxKeyBytes || key == "<<" || key.find('\t') != std::string_view::npos) {
      return false;
    }
    p_ = colon + 1;
    // sigs.k8s.io/yaml turns bool and number keys into their Go spelling.
    const ResolvedYamlScalar r = ResolvePlainYamlScalar(key);
    switch (r.kind) {
      case YamlScalarKind::kNull:
        return false;  // the complete converter reports it
      case YamlScalarKind::kBool:
        out_->append(r.bool_value ? "\"true\"" : "\"false\"");
        break;
      case YamlScalarKind::kNumber:
        AppendJson(r.number, out_);
        break;
      case YamlScalarKind::kString:
        AppendJson(key, out_);
        break;
    }
    return true;
  }

  // A scalar value at p_ (or `{}` / `[]`); afterwards p_ is at the start of
  // the line after it.
  bool Scalar(int n) {
    const char c = At(p_);
    bool ok = true;
    switch (c) {
      case '"':
      case '\'':
        scratch_.clear();
        ok = c == '"' ? DoubleQuoted(n) : SingleQuoted(n);
        if (!ok) return false;
        AppendJson(scratch_, out_);
        break;
      case '|':
      case '>':
        if (n < 0) return false;
        return BlockScalar(n, c == '>');
      case '{':
      case '[':
        if (At(p_ + 1) != (c == '{' ? '}' : ']')) return false;
        out_->append(c == '{' ? "{}" : "[]");
        p_ += 2;
        break;
      case '!':
        // `!!str` makes the plain or quoted scalar after it a string.
        if (n_ - p_ < 6 || std::memcmp(s_ + p_, "!!str ", 6) != 0) return false;
        p_ += 6;
        SkipSpaces();
        if (At(p_) == '"' || At(p_) == '\'') {
          scratch_.clear();
          if (!(At(p_) == '"' ? DoubleQuoted(n) : SingleQuoted(n))) return false;
          AppendJson(scratch_, out_);
          break;
        }
        if (AtEnd(p_) || StartsNonPlain(At(p_)) || IsSeqEntry(p_)) return false;
        return Plain(n, /*resolve=*/false);
      default:
        if (StartsNonPlain(c) || IsSeqEntry(p_) || AtEnd(p_)) return false;
        return Plain(n, /*resolve=*/true);
    }
    SkipSpaces();
    if (!AtLineEndOrComment()) return false;
    SkipLine();
    return true;
  }

  // One line's worth of a plain scalar from i: its end (trailing spaces
  // trimmed) in *end and the line's end in *line_end. False when the line
  // holds what a plain scalar cannot (": ", a tab) in block context.
  bool PlainSegment(size_t i, size_t* end, size_t* line_end, bool* comment) const {
    const size_t e = LineEnd(i);
    size_t stop = e;
    *comment = false;
    // Most bytes are none of ':', '#', tab: skip them 16 at a time.
    for (size_t j = i; j < e;) {
      if (j + 16 <= e) {
        const Bytes16 v(s_ + j);
        const uint32_t mask = v.Eq(':') | v.Eq('#') | v.Eq('\t');
        if (mask == 0) {
          j += 16;
          continue;
        }
        j += static_cast<size_t>(__builtin_ctz(mask));
      }
      const char c = s_[j];
      if (c == ':' && (j + 1 == e || s_[j + 1] == ' ')) return false;
      if (c == '\t') return false;
      if (c == '#' && j > i && s_[j - 1] == ' ') {
        stop = j;
        *comment = true;
        break;
      }
      ++j;
    }
    while (stop > i && s_[stop - 1] == ' ') --stop;
    *end = stop;
    *line_end = e;
    return true;
  }

  bool Plain(int n, bool resolve) {
    size_t end = 0;
    size_t e = 0;
    bool comment = false;
    if (!PlainSegment(p_, &end, &e, &comment)) return false;
    const size_t start = p_;
    // Continuation lines: more indented than n, not comments.
    size_t q = e < n_ ? e + 1 : n_;
    size_t after = q;
    bool multi = false;
    size_t empty_lines = 0;
    while (!comment && q < n_) {
      size_t i = q;
      while (i < n_ && s_[i] == ' ') ++i;
      if (i >= n_) break;
      const char c = s_[i];
      if (c == '\n') {
        ++empty_lines;
        q = i + 1;
        continue;
      }
      if (c == '#' || static_cast<int>(i - q) <= n) break;
      if (StartsNonPlain(c) || c == '-' ||
          (i == q && (IsDocumentMarker(q, '-') || IsDocumentMarker(q, '.')))) {
        return false;
      }
      size_t seg_end = 0;
      size_t seg_line_end = 0;
      bool seg_comment = false;
      if (!PlainSegment(i, &seg_end, &seg_line_end, &seg_comment) || seg_comment) return false;
      if (!multi) {
        scratch_.assign(s_ + start, end - start);
        multi = true;
      }
      if (empty_lines == 0) {
        scratch_.push_back(' ');
      } else {
        scratch_.append(empty_lines, '\n');
      }
      empty_lines = 0;
      scratch_.append(s_ + i, seg_end - i);
      q = seg_line_end < n_ ? seg_line_end + 1 : n_;
      after = q;
    }
    const std::string_view value =
        multi ? std::string_view(scratch_) : std::string_view(s_ + start, end - start);
    WritePlain(value, resolve);
    p_ = after;
    return true;
  }

  void WritePlain(std::string_view value, bool resolve) {
    if (!resolve) {
      AppendJson(value, out_);
      return;
    }
    // Only these first characters can start a null, a boolean or a number
    // (yaml_scalar.h); most values (names, images) skip the resolution.
    if (std::strchr("tTfFyYnNoO~0123456789+-.", value[0]) == nullptr) {
      AppendJson(value, out_);
      return;
    }
    const ResolvedYamlScalar r = ResolvePlainYamlScalar(value);
    switch (r.kind) {
      case YamlScalarKind::kNull:
        out_->append("null");
        break;
      case YamlScalarKind::kBool:
        out_->append(r.bool_value ? "true" : "false");
        break;
      case YamlScalarKind::kNumber:
        out_->append(r.number);
        break;
      case YamlScalarKind::kString:
        AppendJson(value, out_);
        break;
    }
  }

  // After an unescaped line break inside a quoted scalar at p_ (the '\n'):
  // trims the line's trailing blanks (not those from escapes, before
  // `keep`), folds the break with the empty lines after it, and moves p_ to
  // the first character of the continuation, which must be indented more
  // than n.
  bool FoldQuotedBreak(int n, size_t keep) {
    while (scratch_.size() > keep && IsBlank(scratch_.back())) scratch_.pop_back();
    size_t empty_lines = 0;
    size_t q = p_ + 1;
    for (;;) {
      if (q >= n_) return false;  // unterminated
      size_t i = q;
      while (i < n_ && s_[i] == ' ') ++i;
      const size_t spaces = i - q;
      while (i < n_ && IsBlank(s_[i])) ++i;
      if (i < n_ && s_[i] == '\n') {
        ++empty_lines;
        q = i + 1;
        continue;
      }
      if (static_cast<int>(spaces) <= n ||
          (spaces == 0 && (IsDocumentMarker(q, '-') || IsDocumentMarker(q, '.')))) {
        return false;
      }
      ls_ = q;
      p_ = i;
      break;
    }
    if (empty_lines == 0) {
      scratch_.push_back(' ');
    } else {
      scratch_.append(empty_lines, '\n');
    }
    return true;
  }

  // A single-quoted scalar at p_, decoded into scratch_; p_ after the quote.
  bool SingleQuoted(int n) {
    ++p_;
    for (;;) {
      size_t i = p_;
      while (i < n_ && s_[i] != '\'' && s_[i] != '\n') ++i;
      scratch_.append(s_ + p_, i - p_);
      p_ = i;
      if (i >= n_) return false;
      if (s_[i] == '\'') {
        if (At(i + 1) == '\'') {
          scratch_.push_back('\'');
          p_ = i + 2;
          continue;
        }
        p_ = i + 1;
        return true;
      }
      if (!FoldQuotedBreak(n, 0)) return false;
    }
  }

  static int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // A double-quoted scalar at p_, decoded into scratch_; p_ after the quote.
  bool DoubleQuoted(int n) {
    ++p_;
    size_t keep = 0;  // scratch_ bytes that trailing-blank trimming must not remove
    for (;;) {
      size_t i = p_;
      while (i < n_ && s_[i] != '"' && s_[i] != '\\' && s_[i] != '\n') ++i;
      scratch_.append(s_ + p_, i - p_);
      p_ = i;
      if (i >= n_) return false;
      if (s_[i] == '"') {
        p_ = i + 1;
        return true;
      }
      if (s_[i] == '\n') {
        if (!FoldQuotedBreak(n, keep)) return false;
        continue;
      }
      const char e = At(i + 1);
      p_ = i + 2;
      switch (e) {
        case '0':
          scratch_.push_back('\0');
          break;
        case 'a':
          scratch_.push_back('\a');
          break;
        case 'b':
          scratch_.push_back('\b');
          break;
        case 't':
        case '\t':
          scratch_.push_back('\t');
          break;
        case 'n':
          scratch_.push_back('\n');
          break;
        case 'v':
          scratch_.push_back('\v');
          break;
        case 'f':
          scratch_.push_back('\f');
          break;
        case 'r':
          scratch_.push_back('\r');
          break;
        case 'e':
          scratch_.push_back('\x1b');
          break;
        case ' ':
          scratch_.push_back(' ');
          break;
        case '"':
          scratch_.push_back('"');
          break;
        case '/':
          scratch_.push_back('/');
          break;
        case '\\':
          scratch_.push_back('\\');
          break;
        case 'N':
          AppendUtf8(0x85, &scratch_);
          break;
        case '_':
          AppendUtf8(0xA0, &scratch_);
          break;
        case 'L':
          AppendUtf8(0x2028, &scratch_);
          break;
        case 'P':
          AppendUtf8(0x2029, &scratch_);
          break;
        case 'x':
        case 'u':
        case 'U': {
          const int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          uint32_t cp = 0;
          for (int d = 0; d < digits; ++d) {
            const int v = HexValue(At(p_ + d));
            if (v < 0) return false;
            cp = cp * 16 + static_cast<uint32_t>(v);
          }
          if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
          AppendUtf8(cp, &scratch_);
          p_ += digits;
          break;
        }
        case '\n': {
          // An escaped line break: nothing, the empty lines after it as line
          // feeds, and the continuation's leading blanks dropped.
          size_t q = i + 2;
          for (;;) {
            if (q >= n_) return false;
            size_t j = q;
            while (j < n_ && s_[j] == ' ') ++j;
            const size_t spaces = j - q;
            while (j < n_ && IsBlank(s_[j])) ++j;
            if (j < n_ && s_[j] == '\n') {
              scratch_.push_back('\n');
              q = j + 1;
              continue;
            }
            if (static_cast<int>(spaces) <= n ||
                (spaces == 0 && (IsDocumentMarker(q, '-') || IsDocumentMarker(q, '.')))) {
              return false;
            }
            ls_ = q;
            p_ = j;
            break;
          }
          break;
        }
        default:
          return false;
      }
      keep = scratch_.size();
    }
  }

  // Skips the spaces of a block scalar's line from `ls` up to `indent`
  // columns and counts the empty lines: p_/ls_ end at the first line that
  // is not empty, p_ at most `indent` columns into it. *breaks counts the
  // empty lines passed.
  bool BlockBreaks(size_t ls, int indent, size_t* breaks) {
    *breaks = 0;
    for (;;) {
      size_t i = ls;
      while (i < n_ && s_[i] == ' ' && static_cast<int>(i - ls) < indent) ++i;
      if (i < n_ && s_[i] == '\n') {
        ++*breaks;
        ls = i + 1;
        continue;
      }
      if (i < n_ && s_[i] == '\t' && static_cast<int>(i - ls) < indent) return false;
      ls_ = ls;
      p_ = i;
      return true;
    }
  }

  // `|` or `>` at p_, inside a collection indented by n.
  bool BlockScalar(int n, bool folded) {
    ++p_;
    int chomp = 0;  // -1 strip, 0 clip, +1 keep
    int indicator = 0;
    for (int k = 0; k < 2; ++k) {
      const char c = At(p_);
      if ((c == '+' || c == '-') && chomp == 0) {
        chomp = c == '+' ? 1 : -1;
        ++p_;
      } else if (c >= '1' && c <= '9' && indicator == 0) {
        indicator = c - '0';
        ++p_;
      }
    }
    SkipSpaces();
    if (!AtLineEndOrComment()) return false;
    SkipLine();
    int indent = 0;
    size_t breaks = 0;
    if (indicator != 0) {
      indent = n + indicator;
      if (!BlockBreaks(p_, indent, &breaks)) return false;
    } else {
      // The first non-empty line sets the indentation; empty lines before it
      // must not be longer.
      size_t ls = p_;
      size_t longest = 0;
      for (;;) {
        size_t i = ls;
        while (i < n_ && s_[i] == ' ') ++i;
        if (i < n_ && s_[i] == '\n') {
          longest = std::max(longest, i - ls);
          ++breaks;
          ls = i + 1;
          continue;
        }
        if (i < n_ && s_[i] == '\t') return false;
        const size_t first = i >= n_ ? 0 : i - ls;
        if (i < n_ && longest > first) return false;
        indent = std::max(n + 1, static_cast<int>(first));
        if (i >= n_) {
          if (longest > 0 && static_cast<int>(longest) >= n + 1) return false;
          ls_ = ls;
          p_ = n_;
        } else if (static_cast<int>(first) <= n) {
          ls_ = ls;
          p_ = ls + std::min<size_t>(first, static_cast<size_t>(indent));
        } else {
          ls_ = ls;
          p_ = i;
        }
        break;
      }
    }
    scratch_.clear();
    bool line_break = false;
    bool last_leading_non_space = false;
    while (p_ < n_ && static_cast<int>(p_ - ls_) == indent) {
      scratch_.append(breaks, '\n');
      const bool leading_non_space = !IsBlank(s_[p_]);
      last_leading_non_space = leading_non_space;
      const size_t e = LineEnd(p_);
      scratch_.append(s_ + p_, e - p_);
      line_break = e < n_;
      if (!line_break) {
        p_ = n_;
        breaks = 0;
        break;
      }
      if (!BlockBreaks(e + 1, indent, &breaks)) return false;
      if (p_ < n_ && static_cast<int>(p_ - ls_) == indent) {
        if (folded && leading_non_space && !IsBlank(s_[p_])) {
          if (breaks == 0) scratch_.push_back(' ');
        } else {
          scratch_.push_back('\n');
        }
      } else {
        break;
      }
    }
    if (chomp >= 0 && line_break) scratch_.push_back('\n');
    // yaml-cpp folds the final line break of a kept folded scalar into the
    // empty lines after it, as between lines ("a\n\n" keeps one '\n'),
    // unless that line is more indented.
    if (chomp > 0 && folded && breaks > 0 && line_break && last_leading_non_space) {
      scratch_.pop_back();
    }
    if (chomp > 0) scratch_.append(breaks, '\n');
    AppendJson(scratch_, out_);
    // Continue at the line that ended the scalar.
    if (p_ < n_) p_ = ls_;
    return true;
  }

  const char* s_;
  size_t n_;
  std::string* out_;
  std::string scratch_;
  size_t p_ = 0;
  size_t ls_ = 0;  // start of the line p_ is on
  int indent_ = 0;
  bool fail_ = false;
};

}  // namespace

YamlFastResult YamlFastToJson(std::string_view yaml, std::string* json) {
  std::string out;
  out.reserve(yaml.size());
  Converter converter(yaml, &out);
  const YamlFastResult result = converter.Run();
  if (result == YamlFastResult::kOk) *json = std::move(out);
  return result;
}

}  // namespace gatescan
