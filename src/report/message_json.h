// message_json.h — private to the report room: the pieces of a violation's
// JSON record that the hot ndjson path writes without escaping per
// violation what was already escaped once.
//
// JsonLine gathers one record's pieces and appends them with one resize.
// JsonEscapedView gives a string's JSON-escaped content (no quotes), the
// string itself when nothing needs an escape. JsonMessageWriter adds a
// violation's message as a JSON string from pieces escaped once per policy.
// In: the Policy (its templates' sprintf formats, each constraint's rendered
// list); per violation the escaped container name and image. Out: bytes
// identical to AppendJsonString(v.message). Built once, then read-only: any
// number of threads may call it at once.
//
// Why it is exact: JSON escaping (AppendJsonString) is a left-to-right walk
// that decides each byte or UTF-8 sequence on its own, so escape(a + b) ==
// escape(a) + escape(b) whenever no sequence can straddle the seam, i.e.
// when a byte next to the seam is ASCII. A format is written piece by piece
// only when each of its literals is ASCII and no two arguments touch (every
// literal between two arguments is non-empty); any other violation falls
// back to escaping v.message.
#pragma once

#include <array>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gatescan/evaluate/evaluate.h"
#include "gatescan/policy/policy.h"

namespace gatescan::report_internal {

// The pieces of one output record, appended to a string with one resize.
class JsonLine {
 public:
  static constexpr size_t kMaxPieces = 64;
  // False (and nothing added) when the line is full.
  bool Add(std::string_view piece) {
    if (piece.empty()) return true;
    if (count_ == kMaxPieces) return false;
    pieces_[count_++] = piece;
    size_ += piece.size();
    return true;
  }
  size_t count() const { return count_; }
  void Truncate(size_t count);  // drops the pieces added after `count` were
  void AppendTo(std::string* out) const;
  void Clear() { count_ = 0, size_ = 0; }

 private:
  std::array<std::string_view, kMaxPieces> pieces_;
  size_t count_ = 0;
  size_t size_ = 0;
};

// AppendJsonString(s) without its quotes: s itself when no byte needs an
// escape (the common case, no copy), else the escaped text in *scratch.
std::string_view JsonEscapedView(std::string_view s, std::string* scratch);

class JsonMessageWriter {
 public:
  explicit JsonMessageWriter(const Policy& policy);

  // Adds the pieces of AppendJsonString(v.message), without its quotes, to
  // *line and returns true; false (line unchanged) when the message cannot be written from
  // pieces. name_escaped / image_escaped / implied_escaped: JsonEscapedView
  // of v.container_name, v.image and v.implied_by.
  bool AddPieces(const Violation& v, std::string_view name_escaped, std::string_view image_escaped,
                 std::string_view implied_escaped, JsonLine* line) const;

 private:
  // Only the formats that may be written piece by piece (header above):
  // their literals, escaped, without quotes.
  std::unordered_map<const MessageFormat*, std::vector<std::string>> formats_;
  std::vector<std::string> lists_;  // per constraint: entries_rendered escaped
};

}  // namespace gatescan::report_internal
