// framer.h — finds whole Kubernetes objects in a byte stream.
//
// The framer reads a `ByteSource` into reusable batch buffers and marks the
// byte span of every object it finds: the items of a list (`{"items": [...]}`
// with keys in any order, any whitespace), a single object, NDJSON lines and
// concatenated JSON values, a top-level JSON array of objects, and YAML
// documents (converted to JSON first). It understands strings and escapes but
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

#include "gatescan/input/source.h"
#include "gatescan/common/status.h"

namespace gatescan {

// Readable bytes that must follow every object handed to simdjson.
inline constexpr size_t kParsePadding = 64;

// A growable byte buffer whose capacity always leaves kParsePadding bytes
// after size(). Capacity is kept when the buffer is reused.
class PaddedBuffer {
 public:
  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }  // usable bytes, padding excluded
  void resize(size_t n);                         // keeps the first min(n, size()) bytes
  void clear() { size_ = 0; }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// Growable storage of 32-bit positions that is neither zeroed nor shrunk:
// capacity is kept when the buffer is reused.
class PositionBuffer {
 public:
  uint32_t* data() { return data_.get(); }
  const uint32_t* data() const { return data_.get(); }
  size_t size() const { return size_; }
  void clear() { size_ = 0; }
  // Room for `extra` entries after size(); returns where they start.
  uint32_t* Reserve(size_t extra);
  void set_size(size_t n) { size_ = n; }

 private:
  std::unique_ptr<uint32_t[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// The list an item belongs to. Items without "kind"/"apiVersion" take
// kind minus "List" and apiVersion from here (kubelet /pods output).
struct ListInfo {
  uint64_t list_id = 0;          // unique within one framer
  std::string kind;              // e.g. "PodList"; empty until seen
  std::string api_version;       // e.g. "v1"; empty until seen
  bool header_complete = false;  // true once the list's closing brace was read
};

struct ObjectSpan {
  uint32_t begin = 0;  // offset in FramedBatch::bytes
  uint32_t length = 0;
  uint64_t input_offset = 0;  // offset of the first byte in the decompressed input
  uint64_t index = 0;         // item index within its list, or value index in the stream
  int32_t list = -1;          // index into FramedBatch::lists, -1 for a top-level value
  // List items are indexed while their end is sought (on CPUs with AVX2):
  // FramedBatch::structurals[structurals_begin, + structurals_count) holds
  // exactly the positions simdjson's stage 1 would find in this object,
  // relative to `begin`, followed by the three entries stage 1 writes after
  // them (length, length, 0). 0 means not indexed.
  uint32_t structurals_begin = 0;
  uint32_t structurals_count = 0;
  bool control_in_string = false;  // an unescaped byte below 0x20 inside a string
  bool ascii = false;              // no byte >= 0x80: no UTF-8 to validate
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
  // Do stage 1 for list items while seeking their ends (where the CPU has
  // AVX2; see ObjectSpan::structurals_count). One pass instead of two pays on
  // one thread; with more, the pipeline turns it off so that stage 1 runs in
  // the parallel extractors instead of in the serial input stage.
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
