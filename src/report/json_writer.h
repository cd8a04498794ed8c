// json_writer.h — private to the report room: a JSON writer with kubectl's
// layout, json.MarshalIndent(obj, "", "    "), HTML characters escaped. Map
// keys are written in the order the caller gives (callers sort them). One
// writer per document; not thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fields.h"
#include "gatescan/common/quote.h"

namespace gatescan::report_internal {

class IndentedJson {
 public:
  explicit IndentedJson(std::string* out) : out_(out) {}
  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  void Key(std::string_view key) {
    Separate();
    AppendJsonString(key, out_, true);
    out_->append(": ");
    after_key_ = true;
  }
  void String(std::string_view value) {
    Separate();
    AppendJsonString(value, out_, true);
  }
  void Number(uint64_t value) {
    Separate();
    AppendUint(value, out_);
  }

 private:
  void Separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!counts_.empty()) {
      if (counts_.back()++ > 0) out_->push_back(',');
      NewLine(counts_.size());
    }
  }
  void Open(char c) {
    Separate();
    out_->push_back(c);
    counts_.push_back(0);
  }
  void Close(char c) {
    const bool empty = counts_.back() == 0;
    counts_.pop_back();
    if (!empty) NewLine(counts_.size());
    out_->push_back(c);
  }
  void NewLine(size_t depth) {
    out_->push_back('\n');
    out_->append(depth * 4, ' ');
  }

  std::string* out_;
  std::vector<size_t> counts_;
  bool after_key_ = false;
};

}  // namespace gatescan::report_internal
