#include "yaml_feeder.h"

#include <algorithm>
#include <cstring>
#include <iterator>

#include "gatescan/input/yaml_json.h"

namespace gatescan {

uint64_t YamlFeeder::YamlOffset(uint64_t json_offset) const {
  auto it = std::upper_bound(segments_.begin(), segments_.end(),
                             std::make_pair(json_offset, ~uint64_t{0}));
  return it == segments_.begin() ? 0 : std::prev(it)->second;
}

void YamlFeeder::Prune(uint64_t json_offset) {
  while (segments_.size() >= 2 && segments_[1].first <= json_offset) segments_.pop_front();
}

size_t YamlFeeder::Read(char* dst, size_t capacity, std::vector<FrameError>* errors,
                        Status* read_error, uint64_t* raw_bytes) {
  while (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
    size_t split = FindSeparator();
    if (split != std::string::npos) {
      Convert(split, errors);
      continue;
    }
    if (eof_) {
      if (pending_.empty()) return 0;
      Convert(pending_.size(), errors);
      continue;
    }
    size_t old = pending_.size();
    pending_.resize(old + kChunk);
    size_t n = source_->Read(pending_.data() + old, kChunk, read_error);
    pending_.resize(old + n);
    *raw_bytes += n;
    if (n == 0) eof_ = true;
    if (!read_error->ok()) return 0;
  }
  size_t n = std::min(capacity, out_.size() - out_pos_);
  std::memcpy(dst, out_.data() + out_pos_, n);
  out_pos_ += n;
  return n;
}

// Start of the first document-separator line after the first line of the
// pending text, or npos when none is complete yet.
size_t YamlFeeder::FindSeparator() {
  size_t from = std::max<size_t>(search_from_, 1);
  for (;;) {
    size_t nl = pending_.find('\n', from - 1);
    if (nl == std::string::npos || nl + 4 > pending_.size()) {
      search_from_ = pending_.empty() ? 0 : pending_.size();
      if (search_from_ > 4) search_from_ -= 4;
      return std::string::npos;
    }
    size_t line = nl + 1;
    if (pending_.compare(line, 3, "---") == 0) {
      char next = pending_[line + 3];
      if (next == '\n' || next == ' ' || next == '\t' || next == '\r') return line;
    }
    from = line + 1;
  }
}

void YamlFeeder::Convert(size_t length, std::vector<FrameError>* errors) {
  std::string_view doc(pending_.data(), length);
  std::vector<std::string> json;
  Status s = YamlToJsonDocuments(doc, &json);
  if (!s.ok()) {
    errors->push_back({pending_offset_, doc_index_, "YAML: " + s.message()});
  }
  for (std::string& j : json) {
    segments_.push_back({json_produced_, pending_offset_});
    out_ += j;
    out_.push_back('\n');
    json_produced_ += j.size() + 1;
  }
  ++doc_index_;
  pending_.erase(0, length);
  pending_offset_ += length;
  search_from_ = 0;
}

}  // namespace gatescan
