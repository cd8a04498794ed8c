// kernel_avx2.cc — the AVX2 kernels: the bracket scanner and the indexing
// scanner (simdjson's stage 1 done while the end of a list item is sought,
// so that the extractor need not read the item's bytes a second time).
// Tuned on a Zen 1, where both loops are bound by the number of ops they
// issue; the comments say which shapes that tuning chose. The positions must
// be exactly stage 1's, because the extractor's error messages follow from
// them (kernel_bits.h has the rule; kernel_test checks it against the generic
// kernel and framer_test against simdjson).
#include "kernel_bits.h"

#ifdef GATESCAN_X86_KERNELS
#include <immintrin.h>

namespace gatescan::kernels {
namespace {

__attribute__((target("avx2"), always_inline)) inline uint64_t Movemask64(__m256i lo, __m256i hi) {
  uint64_t low = uint32_t(_mm256_movemask_epi8(lo));
  uint64_t high = uint32_t(_mm256_movemask_epi8(hi));
  return low | high << 32;
}

// '{' and '[' (0x7b, 0x5b) differ only in bit 0x20, as do '}' and ']'.
struct BracketMasks {
  uint64_t backslash, quote, open, close;
};

__attribute__((target("avx2"), always_inline)) inline BracketMasks LoadBracketMasks(const char* p) {
  const __m256i k_quote = _mm256_set1_epi8('"'), k_backslash = _mm256_set1_epi8('\\');
  const __m256i k_open = _mm256_set1_epi8('{'), k_close = _mm256_set1_epi8('}');
  const __m256i k_case = _mm256_set1_epi8(0x20);
  const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
  const __m256i flo = _mm256_or_si256(lo, k_case), fhi = _mm256_or_si256(hi, k_case);
  return BracketMasks{
      Movemask64(_mm256_cmpeq_epi8(lo, k_backslash), _mm256_cmpeq_epi8(hi, k_backslash)),
      Movemask64(_mm256_cmpeq_epi8(lo, k_quote), _mm256_cmpeq_epi8(hi, k_quote)),
      Movemask64(_mm256_cmpeq_epi8(flo, k_open), _mm256_cmpeq_epi8(fhi, k_open)),
      Movemask64(_mm256_cmpeq_epi8(flo, k_close), _mm256_cmpeq_epi8(fhi, k_close))};
}

__attribute__((target("pclmul"), always_inline)) inline uint64_t ClmulPrefixXor(uint64_t x) {
  return uint64_t(_mm_cvtsi128_si64(
      _mm_clmulepi64_si128(_mm_set_epi64x(0, int64_t(x)), _mm_set1_epi8(char(0xFF)), 0)));
}

}  // namespace

// The same computation as the SSE2 kernel, with the whole-block loop written
// out. On the Zen 1 it was tuned on, the loop is bound by the number of ops it
// issues, and the straightforward form took 4-8% longer: GCC rebuilt a constant inside
// the loop, inverted the in-string mask and copied it for each bracket mask,
// and kept a three-op loop test.
__attribute__((target("avx2,pclmul,popcnt,bmi"))) uint64_t ScanAvx2(const char* data, uint64_t len,
                                                                    uint64_t* resume,
                                                                    ScanState* state) {
  __m256i k_quote = _mm256_set1_epi8('"'), k_backslash = _mm256_set1_epi8('\\');
  __m256i k_open = _mm256_set1_epi8('{'), k_close = _mm256_set1_epi8('}');
  __m256i k_case = _mm256_set1_epi8(0x20);
  __m128i k_ones = _mm_set1_epi8(char(0xFF));
  // Opaque to the optimizer, so the constants stay in registers instead of
  // being rematerialized in the loop.
  __asm__(""
          : "+x"(k_quote), "+x"(k_backslash), "+x"(k_open), "+x"(k_close), "+x"(k_case),
            "+x"(k_ones));
  uint64_t depth = state->depth;
  // Outside rather than inside a string: a bracket mask is then one AND.
  uint64_t prev_outside = ~state->prev_in_string;
  uint64_t prev_escaped = state->prev_escaped;
  uint64_t pos = *resume;
  if (len >= 64) {
    const char* p = data + pos;
    for (const char* last = data + len - 64; p <= last; p += 64) {
      __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
      __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
      __m256i flo = _mm256_or_si256(lo, k_case), fhi = _mm256_or_si256(hi, k_case);
      uint64_t backslash =
          Movemask64(_mm256_cmpeq_epi8(lo, k_backslash), _mm256_cmpeq_epi8(hi, k_backslash));
      uint64_t quote = Movemask64(_mm256_cmpeq_epi8(lo, k_quote), _mm256_cmpeq_epi8(hi, k_quote));
      uint64_t open = Movemask64(_mm256_cmpeq_epi8(flo, k_open), _mm256_cmpeq_epi8(fhi, k_open));
      uint64_t close = Movemask64(_mm256_cmpeq_epi8(flo, k_close), _mm256_cmpeq_epi8(fhi, k_close));
      if ((backslash | prev_escaped) != 0) [[unlikely]] {
        quote &= ~EscapedMask(backslash, &prev_escaped);
      }
      uint64_t outside = uint64_t(_mm_cvtsi128_si64(
                             _mm_clmulepi64_si128(_mm_cvtsi64_si128(int64_t(quote)), k_ones, 0))) ^
                         prev_outside;
      prev_outside = static_cast<uint64_t>(static_cast<int64_t>(outside) >> 63);
      open &= outside;
      close &= outside;
      uint64_t closes = static_cast<uint64_t>(__builtin_popcountll(close));
      if (closes < depth) [[likely]] {
        depth += static_cast<uint64_t>(__builtin_popcountll(open)) - closes;
        continue;
      }
      DepthWalk walk = WalkBrackets(open, close, depth);
      depth = walk.depth;
      if (walk.hit >= 0) {
        *state = ScanState{depth, ~prev_outside, prev_escaped};
        *resume = static_cast<uint64_t>(p - data) + static_cast<uint64_t>(walk.hit) + 1;
        return *resume;
      }
    }
    pos = static_cast<uint64_t>(p - data);
  }
  ScanState st{depth, ~prev_outside, prev_escaped};
  *state = st;
  *resume = pos;
  if (pos < len) {
    // The final partial block, with a copy of the committed state: bytes past
    // len are not the value's (yet).
    const uint64_t valid = (uint64_t{1} << (len - pos)) - 1;
    const BracketMasks m = LoadBracketMasks(data + pos);
    const uint64_t backslash = m.backslash & valid;
    uint64_t quote = m.quote & valid;
    if ((backslash | st.prev_escaped) != 0) quote &= ~EscapedMask(backslash, &st.prev_escaped);
    const uint64_t in_string = ClmulPrefixXor(quote) ^ st.prev_in_string;
    st.prev_in_string = LastBitEverywhere(in_string);
    const int hit = DepthStep(m.open & valid & ~in_string, m.close & valid & ~in_string, &st.depth);
    if (hit >= 0) {
      *state = st;
      *resume = pos + static_cast<uint64_t>(hit) + 1;
      return *resume;
    }
  }
  return kNotFound;
}

namespace {

// The classification of one 32-byte half: the vectors whose byte masks the
// kernel needs. `a` and `b` split op three ways with two masks: a marks the
// opening brackets and the other ops, b the closing brackets and the other
// ops, so a & b are ':' ',' 0x0c 0x1a, a & ~b the openers and b & ~a the
// closers (one mask fewer than op, open and close). `x` marks what a block of
// a kubectl dump almost never holds outside whitespace: control bytes,
// backslashes and bytes >= 0x80.
struct HalfClasses {
  __m256i quote, a, b, space, x;
};

struct IndexConstants {
  __m256i quote, backslash, case_bit, space_bit, space_table, a_table, b_table;
  __m128i ones;
  // kernel_bits.h's nibble tables of the bytes a two-byte escape may end in.
  __m256i escape_low_table, escape_high_table, low_nibble;
};

__attribute__((target("avx2"), always_inline)) inline HalfClasses Classify(
    __m256i v, const IndexConstants& k) {
  const __m256i folded = _mm256_or_si256(v, k.case_bit);
  // Signed: bytes >= 0x80 are negative, so this is v < 0x20 or v >= 0x80.
  const __m256i control_or_high = _mm256_cmpgt_epi8(k.space_bit, v);
  return HalfClasses{
      _mm256_cmpeq_epi8(v, k.quote),
      _mm256_cmpeq_epi8(folded, _mm256_shuffle_epi8(k.a_table, v)),
      _mm256_cmpeq_epi8(folded, _mm256_shuffle_epi8(k.b_table, v)),
      _mm256_cmpeq_epi8(v, _mm256_shuffle_epi8(k.space_table, v)),
      _mm256_or_si256(control_or_high, _mm256_cmpeq_epi8(v, k.backslash)),
  };
}

// The masks of one 64-byte block that do not depend on the blocks before it.
struct BlockMasks {
  uint64_t quote, a, b, space, x;
};

__attribute__((target("avx2"), always_inline)) inline BlockMasks LoadMasks(
    const char* p, const IndexConstants& k) {
  const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
  const HalfClasses l = Classify(lo, k), h = Classify(hi, k);
  return BlockMasks{Movemask64(l.quote, h.quote), Movemask64(l.a, h.a), Movemask64(l.b, h.b),
                    Movemask64(l.space, h.space), Movemask64(l.x, h.x)};
}

__attribute__((target("avx2"), always_inline)) inline uint64_t BackslashMask(
    const char* p, const IndexConstants& k) {
  const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
  return Movemask64(_mm256_cmpeq_epi8(lo, k.backslash), _mm256_cmpeq_epi8(hi, k.backslash));
}

// The bytes a two-byte escape may end in (bytes >= 0x80 find 0 in the low
// table: vpshufb zeroes them).
__attribute__((target("avx2"), always_inline)) inline uint64_t SimpleEscapeMask(
    const char* p, const IndexConstants& k) {
  auto half = [&k](__m256i v) __attribute__((target("avx2"), always_inline)) {
    const __m256i high = _mm256_and_si256(_mm256_srli_epi16(v, 4), k.low_nibble);
    const __m256i both = _mm256_and_si256(_mm256_shuffle_epi8(k.escape_low_table, v),
                                          _mm256_shuffle_epi8(k.escape_high_table, high));
    return _mm256_cmpeq_epi8(both, _mm256_setzero_si256());
  };
  return ~Movemask64(half(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))),
                     half(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32))));
}

// Bytes >= 0x80.
__attribute__((target("avx2"), always_inline)) inline uint64_t HighMask(const char* p) {
  return Movemask64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)),
                    _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32)));
}

}  // namespace

// Scans data[*resume, len) like ScanAvx2 for the end of the item that starts
// at data[item]; appends the structural positions of every whole block it
// commits (and of the final block up to the item's end) at *tail, relative to
// `item`. The caller reserves len - *resume + 64 entries. (GCC would gather
// the unconditional position stores into vector inserts, which cost more.)
__attribute__((target("avx2,pclmul,popcnt,bmi"), optimize("no-tree-slp-vectorize"))) uint64_t
IndexAvx2(const char* data, uint64_t len, uint64_t* resume, ScanState* state, IndexState* index,
          uint64_t item, uint32_t** tail) {
  IndexConstants k{
      _mm256_set1_epi8('"'),
      _mm256_set1_epi8('\\'),
      _mm256_set1_epi8(0x20),
      _mm256_set1_epi8(0x20),
      _mm256_setr_epi8(' ', 100, 100, 100, 17, 100, 113, 2, 100, '\t', '\n', 112, 100, '\r', 100,
                       100, ' ', 100, 100, 100, 17, 100, 113, 2, 100, '\t', '\n', 112, 100, '\r',
                       100, 100),
      // simdjson's op table ({':', '{', ',', '}'} at 0xa-0xd) without '}' and
      // without '{' respectively; 0 never equals a byte with bit 0x20 set.
      _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', '{', ',', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                       0, 0, ':', '{', ',', 0, 0, 0),
      _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', 0, ',', '}', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                       0, 0, ':', 0, ',', '}', 0, 0),
      _mm_set1_epi8(char(0xFF)),
      _mm256_broadcastsi128_si256(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(kSimpleEscapeLow))),
      _mm256_broadcastsi128_si256(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(kSimpleEscapeHigh))),
      _mm256_set1_epi8(0x0F),
  };
  // Opaque, or GCC rewrites the signed compare against it as min and compare.
  __asm__("" : "+x"(k.space_bit));
  uint64_t depth = state->depth;
  uint64_t prev_in_string = state->prev_in_string;
  uint64_t prev_escaped = state->prev_escaped;
  uint64_t prev_scalar = index->prev_scalar;
  uint64_t control_in_string = 0;
  uint64_t non_ascii = 0;
  uint64_t backslash_end = index->backslash_end;
  uint64_t unusual_escape = 0;
  uint32_t* out = *tail;
  uint64_t pos = *resume;
  auto prefix_xor = [&k](uint64_t x) __attribute__((target("pclmul"), always_inline)) {
    return uint64_t(
        _mm_cvtsi128_si64(_mm_clmulepi64_si128(_mm_cvtsi64_si128(int64_t(x)), k.ones, 0)));
  };
  auto finish = [&](uint64_t next_pos) {
    state->depth = depth;
    state->prev_in_string = prev_in_string;
    state->prev_escaped = prev_escaped;
    index->prev_scalar = prev_scalar;
    index->control_in_string |= control_in_string != 0;
    index->non_ascii |= non_ascii != 0;
    index->backslash_end = backslash_end;
    index->unusual_escape |= unusual_escape != 0;
    *tail = out;
    *resume = next_pos;
  };
  if (len >= 64 && pos <= len - 64) {
    const char* p = data + pos;
    const char* const last = data + len - 64;
    uint32_t block = static_cast<uint32_t>(pos - item);
    // Software-pipelined: a block's masks are made in the iteration before,
    // and its positions written in the iteration after, the one that combines
    // them. On Zen 1 a block takes about as many ops as the reorder buffer
    // holds, so in program order the blocks would run one after another.
    BlockMasks cur = LoadMasks(p, k);
    uint64_t pending = 0;
    for (;;) {
      uint64_t quote = cur.quote;
      uint64_t control = cur.x;
      uint64_t high = 0;
      uint64_t backslash = 0;
      uint64_t unusual = 0;
      // Without escapes, bytes >= 0x80 and control bytes but '\t' '\n' '\r',
      // x is exactly the control mask.
      const bool rare = ((control & ~cur.space) | prev_escaped) != 0;
      if (rare) [[unlikely]] {
        backslash = BackslashMask(p, k);
        high = HighMask(p);
        control &= ~(backslash | high);
        const uint64_t escaped = EscapedMask(backslash, &prev_escaped);
        quote &= ~escaped;
        unusual = escaped & ~SimpleEscapeMask(p, k);
      }
      const uint64_t in_string = prefix_xor(quote) ^ prev_in_string;
      prev_in_string = static_cast<uint64_t>(static_cast<int64_t>(in_string) >> 63);
      const uint64_t op = cur.a | cur.b;
      const uint64_t scalar = ~(op | cur.space);
      const uint64_t nonquote_scalar = scalar & ~quote;
      const uint64_t follows_scalar = nonquote_scalar << 1 | prev_scalar;
      prev_scalar = nonquote_scalar >> 63;
      const uint64_t structural = (op | (scalar & ~follows_scalar)) & ~(in_string ^ quote);
      const uint64_t open = cur.a & ~cur.b & ~in_string;
      const uint64_t close = cur.b & ~cur.a & ~in_string;
      const uint64_t closes = Popcnt(close);
      if (closes < depth) [[likely]] {
        depth += Popcnt(open) - closes;
      } else {
        const DepthWalk walk = WalkBrackets(open, close, depth);
        depth = walk.depth;
        if (walk.hit >= 0) {
          const uint64_t keep = walk.hit == 63 ? ~uint64_t{0} : (uint64_t{2} << walk.hit) - 1;
          out = WritePositions(out, block - 64, pending);
          out = WritePositions(out, block, structural & keep);
          control_in_string |= control & in_string & keep;
          non_ascii |= high & keep;
          unusual_escape |= unusual & keep;
          if ((backslash & keep) != 0) backslash_end = BackslashEnd(block, backslash & keep);
          finish(static_cast<uint64_t>(p - data) + static_cast<uint64_t>(walk.hit) + 1);
          return *resume;
        }
      }
      control_in_string |= control & in_string;
      // Only in the rare branch, as in IndexAvx512.
      if (rare) [[unlikely]] {
        non_ascii |= high;
        unusual_escape |= unusual;
        if (backslash != 0) backslash_end = BackslashEnd(block, backslash);
      }
      p += 64;
      block += 64;
      if (p > last) {
        out = WritePositions(out, block - 128, pending);
        pending = structural;
        break;
      }
      cur = LoadMasks(p, k);
      out = WritePositions(out, block - 128, pending);
      pending = structural;
    }
    out = WritePositions(out, block - 64, pending);
    pos = static_cast<uint64_t>(p - data);
  }
  if (pos < len) {
    // The final partial block, examined without committing the state unless it
    // holds the item's end: bytes past len are not the item's (yet).
    const char* p = data + pos;
    const BlockMasks m = LoadMasks(p, k);
    const uint64_t valid = (uint64_t{1} << (len - pos)) - 1;
    const uint64_t backslash = BackslashMask(p, k) & valid;
    const uint64_t high = HighMask(p);
    uint64_t quote = m.quote & valid;
    const uint64_t a = m.a & valid;
    const uint64_t b = m.b & valid;
    const uint64_t control = m.x & ~(backslash | high);
    uint64_t escaped_after = prev_escaped;
    uint64_t escaped = 0;
    if ((backslash | escaped_after) != 0) escaped = EscapedMask(backslash, &escaped_after);
    quote &= ~escaped;
    const uint64_t in_string = prefix_xor(quote) ^ prev_in_string;
    const uint64_t op = a | b;
    const uint64_t scalar = ~(op | m.space);
    const uint64_t nonquote_scalar = scalar & ~quote;
    const uint64_t follows_scalar = nonquote_scalar << 1 | prev_scalar;
    const uint64_t structural = (op | (scalar & ~follows_scalar)) & ~(in_string ^ quote);
    uint64_t block_depth = depth;
    const int hit = DepthStep(a & ~b & ~in_string, b & ~a & ~in_string, &block_depth);
    if (hit >= 0) {
      const uint64_t keep = hit == 63 ? ~uint64_t{0} : (uint64_t{2} << hit) - 1;
      out = WritePositions(out, static_cast<uint32_t>(pos - item), structural & keep);
      control_in_string |= control & in_string & keep;
      non_ascii |= high & keep;
      unusual_escape |= escaped & ~SimpleEscapeMask(p, k) & keep;
      if ((backslash & keep) != 0) backslash_end = BackslashEnd(pos - item, backslash & keep);
      depth = block_depth;
      prev_escaped = escaped_after;
      prev_in_string = static_cast<uint64_t>(static_cast<int64_t>(in_string) >> 63);
      prev_scalar = nonquote_scalar >> 63;
      finish(pos + static_cast<uint64_t>(hit) + 1);
      return *resume;
    }
  }
  finish(pos);
  return kNotFound;
}

}  // namespace gatescan::kernels
#endif
