// padding.h — the readable bytes that must follow every object handed to the
// extractor.
//
// simdjson's stage 1 and unescaper read (and the unescaper writes) whole SIMD
// blocks past the end of their input, and the extractor's own scanners read up
// to 16 bytes past a token. Whoever owns an object's bytes (the framer's batch
// buffers, tests, fuzzers, benchmarks) leaves this many readable bytes after
// it; simdjson_seam.cc checks at compile time that it covers SIMDJSON_PADDING.
// One constant for every room. A constant; thread-safe.
#pragma once

#include <cstddef>

namespace gatescan {

inline constexpr size_t kParsePadding = 64;

}  // namespace gatescan
