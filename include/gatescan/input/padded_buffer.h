// padded_buffer.h — the byte and position buffers a framed batch is made of.
//
// `kParsePadding` is the one home of the padding rule: every object handed
// to simdjson (the framer's batches, the extractor's own copies, the tests)
// is followed by this many readable bytes. `PaddedBuffer` always leaves them
// after size() and zeroes them; `PositionBuffer` holds stage-1 positions.
// Both keep their capacity when reused and are never shrunk; their storage is
// common/page_memory.h's (big ones on huge pages). Neither is thread-safe:
// one owner at a time (the pipeline hands batches over whole).
#pragma once

#include <cstddef>
#include <cstdint>

#include "gatescan/common/padding.h"
#include "gatescan/common/page_memory.h"

namespace gatescan {

// A growable byte buffer whose capacity always leaves kParsePadding bytes
// after size(). Capacity is kept when the buffer is reused.
class PaddedBuffer {
 public:
  char* data() { return memory_.data(); }
  const char* data() const { return memory_.data(); }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }  // usable bytes, padding excluded
  void resize(size_t n);                         // keeps the first min(n, size()) bytes
  void clear() { size_ = 0; }

 private:
  PageMemory memory_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// Growable storage of 32-bit positions that is neither zeroed nor shrunk:
// capacity is kept when the buffer is reused.
class PositionBuffer {
 public:
  uint32_t* data() { return reinterpret_cast<uint32_t*>(memory_.data()); }
  const uint32_t* data() const { return reinterpret_cast<const uint32_t*>(memory_.data()); }
  size_t size() const { return size_; }
  void clear() { size_ = 0; }
  // Room for `extra` entries after size(); returns where they start.
  uint32_t* Reserve(size_t extra);
  void set_size(size_t n) { size_ = n; }

 private:
  PageMemory memory_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace gatescan
