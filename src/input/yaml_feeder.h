// yaml_feeder.h — YAML input for the framer (private to src/input/).
//
// Reads a YAML stream from a ByteSource, splits it on "---" lines, converts
// each document to JSON (yaml_json.h) and hands the framer the JSON values,
// one per line, as if the input had been NDJSON. It remembers which YAML
// document each JSON byte came from, so that spans and errors can point at
// the YAML the user wrote. Memory: the pending (unconverted) document and the
// converted output not yet read. Used by one framer on one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "gatescan/common/status.h"
#include "gatescan/input/framer.h"
#include "gatescan/input/source.h"

namespace gatescan {

class YamlFeeder {
 public:
  // `prefix` is what the framer already read (from offset `prefix_offset`).
  YamlFeeder(ByteSource* source, std::string prefix, uint64_t prefix_offset)
      : source_(source), pending_(std::move(prefix)), pending_offset_(prefix_offset) {}

  // The offset in the YAML input of the document that produced JSON byte `json_offset`.
  uint64_t YamlOffset(uint64_t json_offset) const;
  // Forgets documents that end before `json_offset`.
  void Prune(uint64_t json_offset);

  // Produces converted JSON bytes; 0 at end. Conversion errors go to *errors;
  // read errors to *read_error; *raw_bytes counts the YAML bytes read.
  size_t Read(char* dst, size_t capacity, std::vector<FrameError>* errors, Status* read_error,
              uint64_t* raw_bytes);

 private:
  static constexpr size_t kChunk = 1 << 20;

  size_t FindSeparator();
  void Convert(size_t length, std::vector<FrameError>* errors);

  ByteSource* source_;
  std::string pending_;
  uint64_t pending_offset_;
  size_t search_from_ = 0;
  std::string out_;
  size_t out_pos_ = 0;
  uint64_t doc_index_ = 0;
  bool eof_ = false;
  // (offset in the JSON stream, offset of its YAML document) per converted
  // document still referenced by the framer.
  std::deque<std::pair<uint64_t, uint64_t>> segments_;
  uint64_t json_produced_ = 0;
};

}  // namespace gatescan
