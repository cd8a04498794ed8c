// simdjson_seam.h — the only door to simdjson's internals.
//
// The extractor runs simdjson's stage 1 (its runtime-selected SIMD structural
// indexer) and borrows two of its parsers (string unescaping, float64
// numbers). Those live in `simdjson::internal` and `simdjson::builtin`, which
// are not a stable API: every use is in simdjson_seam.cc, behind the plain
// functions below, with a compile-time check of the version it was written
// against. Nothing here includes <simdjson.h>.
//
// A JsonIndexer belongs to one Extractor (one thread); the free functions are
// stateless and thread-safe. Private to src/extract.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "json_error.h"

namespace gatescan::extract_internal {

class JsonIndexer {
 public:
  JsonIndexer();
  ~JsonIndexer();
  JsonIndexer(const JsonIndexer&) = delete;
  JsonIndexer& operator=(const JsonIndexer&) = delete;

  // Makes room for objects of up to `capacity` bytes nested `max_depth`
  // deep; kept for later objects. On error the indexer is empty again.
  JsonError Reserve(size_t capacity, size_t max_depth);
  bool ready() const { return impl_ != nullptr; }

  // Stage 1 over buf[0, len) (len <= the reserved capacity; kParsePadding
  // readable bytes after it): token start positions, then len, len, 0.
  // Checks UTF-8, string termination and control characters in strings.
  JsonError Index(const uint8_t* buf, size_t len);
  const uint32_t* positions() const;
  uint32_t count() const;

  // simdjson's unescaper: decodes the string whose body (past the opening
  // quote) starts at src into dst, up to the closing quote; returns the end
  // of what it wrote, or nullptr on an escape it refuses (which includes a
  // lone surrogate). Writes whole SIMD blocks: dst needs kParsePadding
  // bytes of slack. Requires ready().
  uint8_t* Unescape(const uint8_t* src, uint8_t* dst) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// simdjson's float64 parser at `start` (a number token, followed by a
// blank, a structural character or padding): what Go's decoder accepts,
// with kJsonBadNumber for what it refuses or cannot fit in a float64.
JsonError ParseJsonDouble(const uint8_t* start, double* out);

// simdjson's UTF-8 validator (the one stage 1 uses).
bool IsValidUtf8(const char* data, size_t size);

}  // namespace gatescan::extract_internal
