// bytes16.h — masks over a 16-byte block: bit i is set when byte i matches.
//
// The small SIMD helper the scalar-heavy scanners share (YAML framing and
// conversion): with SSE2 each mask is one compare and one movemask; in a
// GATESCAN_PORTABLE build, or on a CPU without SSE2, the same masks come
// from a plain loop, so no intrinsic is compiled outside the kernel files.
// The caller guarantees 16 readable bytes at `p`. A value type; thread-safe.
#pragma once

#include <cstdint>
#include <cstring>

#if defined(__SSE2__) && !defined(GATESCAN_PORTABLE)
#include <emmintrin.h>
#define GATESCAN_BYTES16_SSE2 1
#endif

namespace gatescan {

class Bytes16 {
 public:
#ifdef GATESCAN_BYTES16_SSE2
  explicit Bytes16(const void* p) : v_(_mm_loadu_si128(static_cast<const __m128i*>(p))) {}
  uint32_t Eq(char c) const {
    return static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v_, _mm_set1_epi8(c))));
  }
  // Bytes below `c` compared as signed: every byte >= 0x80 is included.
  uint32_t SignedLess(char c) const {
    return static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmplt_epi8(v_, _mm_set1_epi8(c))));
  }

 private:
  __m128i v_;
#else
  explicit Bytes16(const void* p) { std::memcpy(b_, p, sizeof b_); }
  uint32_t Eq(char c) const {
    uint32_t mask = 0;
    for (int i = 0; i < 16; ++i) mask |= static_cast<uint32_t>(b_[i] == c) << i;
    return mask;
  }
  uint32_t SignedLess(char c) const {
    uint32_t mask = 0;
    for (int i = 0; i < 16; ++i) {
      mask |= static_cast<uint32_t>(static_cast<int8_t>(b_[i]) < static_cast<int8_t>(c)) << i;
    }
    return mask;
  }

 private:
  char b_[16];
#endif
};

}  // namespace gatescan
