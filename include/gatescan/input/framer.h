// framer.h — finds whole Kubernetes objects in a byte stream.
//
// The framer reads a `ByteSource` into reusable batch buffers and marks the
// byte span of every object it finds: the items of a List (a top-level object
// whose "kind" ends in "List", kubectl's "List" included, with "items" and
// "kind" in either order, any whitespace), any other object whole, whatever
// keys it has (as Gatekeeper reviews it), NDJSON lines and concatenated JSON
// values alike, a top-level JSON array of objects, and YAML documents
// (converted to JSON first). It understands strings and escapes but
// does not validate objects; the extractor does that. While it seeks the end
// of a list item it also does simdjson's stage 1 for it (structural
// positions, control characters in strings, whether it is ASCII), so the
// extractor need not read the item's bytes a second time to index them. An object that straddles
// a read window is carried into the next batch; only the incomplete tail is
// copied, never the whole input. Memory is bounded by the batch size plus the
// largest object allowed (`max_object_bytes`).
//
// A `Framer` is used by one thread (the pipeline's serial input stage). The
// batch it fills is then handed to other stages and must not be touched by the
// framer again until it is returned for reuse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gatescan/common/status.h"
#include "gatescan/input/padded_buffer.h"
#include "gatescan/input/source.h"

namespace gatescan {

// The list an item belongs to. Items without "kind"/"apiVersion" take
// kind minus "List" and apiVersion from here (kubelet /pods output).
// Its kind is resolved, or explicitly pending: items are handed out before
// their List's kind only when that kind comes after more than
// FramerOptions::max_pending_kind_bytes of items (or for a top-level array,
// which has none); the ListInfo with header_complete then follows.
struct ListInfo {
  uint64_t list_id = 0;          // unique within one framer
  std::string kind;              // e.g. "PodList"; empty until seen
  std::string api_version;       // e.g. "v1"; empty until seen
  bool header_complete = false;  // true once the list's closing brace was read

  bool kind_pending() const { return kind.empty() && !header_complete; }
};

struct ObjectSpan {
  uint32_t begin = 0;  // offset in FramedBatch::bytes
  uint32_t length = 0;
  uint64_t input_offset = 0;  // offset of the first byte in the decompressed input
  uint64_t index = 0;         // item index within its list, or value index in the stream
  int32_t list = -1;          // index into FramedBatch::lists, -1 for a top-level value
  // List items are indexed while their end is sought (by kernels that index;
  // see scan_kernel.h):
  // FramedBatch::structurals[structurals_begin, + structurals_count) holds
  // exactly the positions simdjson's stage 1 would find in this object,
  // relative to `begin`, followed by the three entries stage 1 writes after
  // them (length, length, 0). 0 means not indexed.
  uint32_t structurals_begin = 0;
  uint32_t structurals_count = 0;
  uint32_t backslash_end = 0;      // one past the last backslash, from `begin` (0: none)
  bool control_in_string = false;  // an unescaped byte below 0x20 inside a string
  bool ascii = false;              // no byte >= 0x80: no UTF-8 to validate
  // Every escape is \" \\ \/ \b \f \n \r or \t (none is \u or invalid).
  bool simple_escapes = false;
  // YAML input (yaml_framer.h): the span is YAML text, converted to JSON in
  // the parallel stage; this is the line of its first byte (1-based). 0: JSON.
  uint64_t yaml_line = 0;
};

struct FrameError {
  uint64_t input_offset = 0;  // where the problem was detected
  uint64_t index = 0;         // the item/value index it concerns
  std::string message;        // short reason, e.g. "unterminated string"
};

struct FramedBatch {
  const InputSpec* input = nullptr;
  PaddedBuffer bytes;
  std::vector<ObjectSpan> spans;
  // Lists touched by this batch. A list whose kind comes after its items
  // (kubectl puts "kind" last) appears with an empty kind in the batches of
  // its items and again, complete, in the batch that reads its closing brace.
  std::vector<ListInfo> lists;
  // Framing problems, in input order relative to each other. Spans framed
  // before an error are valid and must still be scanned.
  std::vector<FrameError> errors;
  uint64_t input_bytes = 0;    // bytes of input consumed into this batch (for stats/progress)
  PositionBuffer structurals;  // of indexed spans (ObjectSpan::structurals_begin)

  void Reset() {
    input = nullptr;
    bytes.clear();
    structurals.clear();
    spans.clear();
    lists.clear();
    errors.clear();
    input_bytes = 0;
  }
};

struct FramerOptions {
  size_t batch_bytes = 1 << 20;          // aim for batches of about this many bytes
  size_t read_bytes = 1 << 20;           // size of one read from the source
  size_t max_object_bytes = 256u << 20;  // larger objects become a FrameError and are skipped
  // An object whose "items" come before its "kind" is kept whole (its batch
  // not handed out) until the kind says whether it is a List, up to this many
  // bytes (at most max_object_bytes); past it the items are handed out as a
  // List's. No object the API server stores comes near it (it refuses request
  // bodies over 3 MiB, etcd values over 1.5 MiB), and a larger bound would
  // delay a kubectl dump's first batch, and hold its memory, for longer.
  size_t max_pending_kind_bytes = 3u << 20;
  // Do stage 1 for list items while seeking their ends (where the active
  // kernel indexes; see ObjectSpan::structurals_count). One pass instead of two pays on
  // one thread and on a pipe; with more threads on a file, the pipeline turns
  // it off so that stage 1 runs in the parallel extractors instead of in the
  // serial input stage.
  bool index_items = true;
};

class Framer {
 public:
  Framer(const InputSpec& input, std::unique_ptr<ByteSource> source, FramerOptions options);
  ~Framer();
  Framer(const Framer&) = delete;
  Framer& operator=(const Framer&) = delete;

  // Resets `batch` and fills it with the next whole objects (and any errors).
  // Returns false when the input is exhausted and `batch` holds nothing.
  bool Next(FramedBatch* batch);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gatescan
