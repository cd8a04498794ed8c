// yaml_framer.h — item boundaries in a YAML byte stream, without a tree.
//
// In: a ByteSource of YAML (and the bytes the caller already read from it
// while detecting the format). Out: FramedBatches whose spans are YAML text,
// not JSON, to be converted in the parallel stage (yaml_item.h): each element
// of a document's top-level `items:` block sequence is one span (a
// `kind: List` dump such as `kubectl get pods -A -o yaml`), and every other
// document of a multi-document stream is one span. Only lines are looked at
// (their indentation and first characters), so the serial stage stays cheap;
// an item that straddles a read window is carried into the next batch, and
// memory is bounded by the batch size plus the largest item
// (`max_object_bytes`). Span offsets point into the YAML input and each span
// carries the line of its first byte (ObjectSpan::yaml_line). The List's own
// kind and apiVersion are read from its header lines (before or after the
// items) and published as ListInfo, complete once the document ends.
// Damage that the line structure shows (a line where the next item or a key
// should be, a List cut off inside its items, an invalid List header) becomes
// a FrameError naming the line and column; items before it are still framed.
//
// One YamlFramer per input, used by one thread (the serial input stage).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "gatescan/input/framer.h"
#include "gatescan/input/source.h"

namespace gatescan {

class YamlFramer {
 public:
  // `prefix`: bytes already read from `source`, starting at input offset
  // `prefix_offset` (after a byte order mark, say); `prefix_input_bytes`: how
  // many input bytes were consumed to get them (reported in the first batch).
  YamlFramer(ByteSource* source, std::string_view prefix, uint64_t prefix_offset,
             uint64_t prefix_input_bytes, FramerOptions options);
  ~YamlFramer();
  YamlFramer(const YamlFramer&) = delete;
  YamlFramer& operator=(const YamlFramer&) = delete;

  // As Framer::Next: resets `batch` and fills it with whole spans (and errors).
  bool Next(FramedBatch* batch);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gatescan
