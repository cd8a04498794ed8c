// kernel_sse2.cc — the bracket scanner with SSE2, which every x86-64 CPU has
// (the floor where AVX2 is missing). It does not index: there the extractor
// runs simdjson's own stage 1, which picks its widest implementation itself.
#include "kernel_bits.h"

#ifdef GATESCAN_X86_KERNELS
#include <immintrin.h>

namespace gatescan::kernels {
namespace {

struct BracketMasks {
  uint64_t backslash, quote, open, close;
};

// '{' and '[' (0x7b, 0x5b) differ only in bit 0x20, as do '}' and ']'.
__attribute__((target("sse2"), always_inline)) inline BracketMasks LoadMasks(const char* p) {
  const __m128i k_quote = _mm_set1_epi8('"'), k_backslash = _mm_set1_epi8('\\');
  const __m128i k_open = _mm_set1_epi8('{'), k_close = _mm_set1_epi8('}');
  const __m128i k_case = _mm_set1_epi8(0x20);
  BracketMasks m{0, 0, 0, 0};
  for (int k = 0; k < 4; ++k) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + size_t{16} * k));
    __m128i folded = _mm_or_si128(v, k_case);
    int shift = 16 * k;
    auto bits = [shift](__m128i eq) __attribute__((target("sse2"), always_inline)) {
      return uint64_t(uint32_t(_mm_movemask_epi8(eq))) << shift;
    };
    m.backslash |= bits(_mm_cmpeq_epi8(v, k_backslash));
    m.quote |= bits(_mm_cmpeq_epi8(v, k_quote));
    m.open |= bits(_mm_cmpeq_epi8(folded, k_open));
    m.close |= bits(_mm_cmpeq_epi8(folded, k_close));
  }
  return m;
}

__attribute__((target("sse2"), always_inline)) inline int Step(const BracketMasks& m,
                                                               ScanState* st) {
  uint64_t escaped =
      (m.backslash | st->prev_escaped) == 0 ? 0 : EscapedMask(m.backslash, &st->prev_escaped);
  uint64_t in_string = PortablePrefixXor(m.quote & ~escaped) ^ st->prev_in_string;
  st->prev_in_string = LastBitEverywhere(in_string);
  return DepthStep(m.open & ~in_string, m.close & ~in_string, &st->depth);
}

}  // namespace

__attribute__((target("sse2"))) uint64_t ScanSse2(const char* data, uint64_t len, uint64_t* resume,
                                                  ScanState* state) {
  ScanState st = *state;
  uint64_t pos = *resume;
  for (; pos + 64 <= len; pos += 64) {
    const int hit = Step(LoadMasks(data + pos), &st);
    if (hit >= 0) {
      *state = st;
      *resume = pos + static_cast<uint64_t>(hit) + 1;
      return *resume;
    }
  }
  *state = st;
  *resume = pos;
  if (pos < len) {
    // The final partial block, with a copy of the committed state.
    const uint64_t valid = (uint64_t{1} << (len - pos)) - 1;
    BracketMasks m = LoadMasks(data + pos);
    m = {m.backslash & valid, m.quote & valid, m.open & valid, m.close & valid};
    const int hit = Step(m, &st);
    if (hit >= 0) {
      *state = st;
      *resume = pos + static_cast<uint64_t>(hit) + 1;
      return *resume;
    }
  }
  return kNotFound;
}

}  // namespace gatescan::kernels
#endif
