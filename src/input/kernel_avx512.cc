// kernel_avx512.cc — the AVX-512 kernels (BW for the masks, VBMI2 for the
// positions, as simdjson's icelake stage 1 needs both): one 64-byte load per
// block, and compares that give the block's 64-bit masks directly (no
// movemask pairs). The rest is kernel_bits.h's shared arithmetic, as in the
// AVX2 kernel; the positions must be exactly stage 1's (kernel_test checks
// them against the generic kernel, framer_test against simdjson).
#include "kernel_bits.h"

#ifdef GATESCAN_X86_KERNELS
#include <immintrin.h>

namespace gatescan::kernels {
namespace {

struct Constants {
  __m512i quote, backslash, open, close, case_bit, control_limit, space_table, op_table;
  // simdjson's op table without '}' and without '{' respectively: a byte in
  // both masks is ':' or ',', in the first only an opening bracket, in the
  // second only a closing one. The brackets then come from the op masks
  // with plain 64-bit arithmetic, off the in-string mask's latency.
  __m512i open_op_table, close_op_table;
  // kernel_bits.h's nibble tables of the bytes a two-byte escape may end in.
  __m512i escape_low_table, escape_high_table, low_nibble;
};

__attribute__((target("avx512f,avx512bw,pclmul,popcnt,bmi"), always_inline)) inline Constants
MakeConstants() {
  // pshufb tables, repeated in each 128-bit lane. Whitespace: ' ' '\t' '\n'
  // '\r' at their low nibbles, and at the other nibbles a byte that never has
  // that low nibble; ops: simdjson's table (':' '{' ',' '}' at 0xa-0xd, 0
  // elsewhere, which no byte | 0x20 equals). Zero-masked broadcasts: GCC 12
  // warns about the undefined source of the plain one.
  const __m128i space =
      _mm_setr_epi8(' ', 100, 100, 100, 17, 100, 113, 2, 100, '\t', '\n', 112, 100, '\r', 100, 100);
  const __m128i op = _mm_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', '{', ',', '}', 0, 0);
  const __m128i open_op = _mm_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', '{', ',', 0, 0, 0);
  const __m128i close_op = _mm_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', 0, ',', '}', 0, 0);
  const __m128i escape_low = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kSimpleEscapeLow));
  const __m128i escape_high = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kSimpleEscapeHigh));
  return Constants{_mm512_set1_epi8('"'),
                   _mm512_set1_epi8('\\'),
                   _mm512_set1_epi8('{'),
                   _mm512_set1_epi8('}'),
                   _mm512_set1_epi8(0x20),
                   _mm512_set1_epi8(0x20),
                   _mm512_maskz_broadcast_i32x4(0xFFFF, space),
                   _mm512_maskz_broadcast_i32x4(0xFFFF, op),
                   _mm512_maskz_broadcast_i32x4(0xFFFF, open_op),
                   _mm512_maskz_broadcast_i32x4(0xFFFF, close_op),
                   _mm512_maskz_broadcast_i32x4(0xFFFF, escape_low),
                   _mm512_maskz_broadcast_i32x4(0xFFFF, escape_high),
                   _mm512_set1_epi8(0x0F)};
}

__attribute__((target("avx512f,avx512bw,pclmul,popcnt,bmi"), always_inline)) inline __m512i Load(
    const char* p) {
  return _mm512_loadu_si512(reinterpret_cast<const void*>(p));
}

__attribute__((target("avx512f,avx512bw,pclmul,popcnt,bmi"), always_inline)) inline uint64_t
PrefixXor(uint64_t x) {
  return uint64_t(_mm_cvtsi128_si64(
      _mm_clmulepi64_si128(_mm_cvtsi64_si128(int64_t(x)), _mm_set1_epi8(char(0xFF)), 0)));
}

// What the indexing loop needs of one whole block; none of it depends on
// the state carried between blocks, so the next block's masks are made while
// the current one is combined. As in IndexAvx2, `x` marks what a block of a
// kubectl dump almost never holds outside whitespace (control bytes,
// backslashes, bytes >= 0x80): backslashes and high bytes are told apart
// only for the blocks that have one, from `bytes`.
struct BlockMasks {
  __m512i bytes;
  uint64_t quote, open_op, close_op, space, x;
};

__attribute__((target("avx512f,avx512bw,pclmul,popcnt,bmi"), always_inline)) inline BlockMasks
LoadMasks(const char* p, const Constants& k) {
  const __m512i v = Load(p);
  const __m512i folded = _mm512_or_si512(v, k.case_bit);
  // Signed: bytes >= 0x80 are negative, so this is v < 0x20 or v >= 0x80.
  const uint64_t control_or_high = _mm512_cmplt_epi8_mask(v, k.control_limit);
  return BlockMasks{v,
                    _mm512_cmpeq_epi8_mask(v, k.quote),
                    _mm512_cmpeq_epi8_mask(folded, _mm512_shuffle_epi8(k.open_op_table, v)),
                    _mm512_cmpeq_epi8_mask(folded, _mm512_shuffle_epi8(k.close_op_table, v)),
                    _mm512_cmpeq_epi8_mask(v, _mm512_shuffle_epi8(k.space_table, v)),
                    control_or_high | _mm512_cmpeq_epi8_mask(v, k.backslash)};
}

// The bytes of v a two-byte escape may end in (bytes >= 0x80 find 0 in the
// low table: vpshufb zeroes them).
__attribute__((target("avx512f,avx512bw,pclmul,popcnt,bmi"), always_inline)) inline uint64_t
SimpleEscapes(__m512i v, const Constants& k) {
  const __m512i high = _mm512_and_si512(_mm512_srli_epi16(v, 4), k.low_nibble);
  return _mm512_test_epi8_mask(_mm512_shuffle_epi8(k.escape_low_table, v),
                               _mm512_shuffle_epi8(k.escape_high_table, high));
}

// The in-string mask of one block, given its unescaped quotes; updates the carries.
__attribute__((target("avx512f,avx512bw,pclmul,popcnt,bmi"), always_inline)) inline uint64_t
InString(uint64_t backslash, uint64_t quote, uint64_t* prev_escaped, uint64_t prev_in_string,
         uint64_t* unescaped_quote) {
  if ((backslash | *prev_escaped) != 0) [[unlikely]] {
    quote &= ~EscapedMask(backslash, prev_escaped);
  }
  *unescaped_quote = quote;
  return PrefixXor(quote) ^ prev_in_string;
}

// Zero-masked forms here and in CompressPositions, as in MakeConstants: GCC
// 12 warns about the undefined source of the plain ones (the cast to 128
// bits included; a zero-masked extract of lane 0 compiles to nothing).
__attribute__((target("avx512f,avx512bw,pclmul,popcnt,bmi"), always_inline)) inline __m512i Widen(
    __m512i base, __m128i sixteen) {
  return _mm512_add_epi32(base, _mm512_maskz_cvtepu8_epi32(0xFFFF, sixteen));
}

// Appends base + the position of every set bit of `bits`, as WritePositions
// does, without a tzcnt chain per position: vpcompressb packs the indices of
// the set bits into bytes, widened 16 at a time. Writes 16 entries from
// `out` when there are fewer (the caller reserves them).
__attribute__((target("avx512f,avx512bw,avx512vbmi2,pclmul,popcnt,bmi"),
               always_inline)) inline uint32_t*
CompressPositions(uint32_t* out, uint32_t base, uint64_t bits) {
  const __m512i iota = _mm512_set_epi8(
      63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41,
      40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18,
      17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  const __m512i packed = _mm512_maskz_compress_epi8(bits, iota);
  const __m512i b = _mm512_set1_epi32(static_cast<int>(base));
  const uint64_t count = Popcnt(bits);
  _mm512_storeu_si512(out, Widen(b, _mm512_maskz_extracti32x4_epi32(0xF, packed, 0)));
  if (count > 16) [[unlikely]] {
    _mm512_storeu_si512(out + 16, Widen(b, _mm512_maskz_extracti32x4_epi32(0xF, packed, 1)));
    _mm512_storeu_si512(out + 32, Widen(b, _mm512_maskz_extracti32x4_epi32(0xF, packed, 2)));
    _mm512_storeu_si512(out + 48, Widen(b, _mm512_maskz_extracti32x4_epi32(0xF, packed, 3)));
  }
  return out + count;
}

// What IndexAvx512 carries from block to block besides the ScanState: the
// stage-1 carry, the item's flags (as masks until the end) and the positions' tail.
struct Accumulators {
  uint64_t prev_scalar, control_in_string, non_ascii, unusual_escape, backslash_end;
  uint32_t* out;
};

// One whole block combined with the carried state (kRare: a block with a
// backslash, a high byte or a control byte, or after an escape), its
// positions and flags committed through the value's end. Returns the bit of
// that end, or -1 when the value goes on.
template <bool kRare>
__attribute__((target("avx512f,avx512bw,avx512vbmi2,pclmul,popcnt,bmi"), always_inline)) inline int
Combine(const BlockMasks& cur, const Constants& k, uint32_t block, ScanState* st,
        Accumulators* acc) {
  uint64_t quote = cur.quote;
  uint64_t control = cur.x;
  uint64_t high = 0;
  uint64_t backslash = 0;
  uint64_t unusual = 0;
  if constexpr (kRare) {
    backslash = _mm512_cmpeq_epi8_mask(cur.bytes, k.backslash);
    high = _mm512_movepi8_mask(cur.bytes);
    control &= ~(backslash | high);
    const uint64_t escaped = EscapedMask(backslash, &st->prev_escaped);
    quote &= ~escaped;
    unusual = escaped & ~SimpleEscapes(cur.bytes, k);
  }
  const uint64_t in_string = PrefixXor(quote) ^ st->prev_in_string;
  st->prev_in_string = LastBitEverywhere(in_string);
  const uint64_t structural =
      Stage1Structurals(cur.open_op | cur.close_op, cur.space, quote, in_string, &acc->prev_scalar);
  const uint64_t open = cur.open_op & ~cur.close_op & ~in_string;
  const uint64_t close = cur.close_op & ~cur.open_op & ~in_string;
  const uint64_t closes = Popcnt(close);
  uint64_t keep = ~uint64_t{0};
  int hit = -1;
  if (closes >= st->depth) [[unlikely]] {
    const DepthWalk walk = WalkBrackets(open, close, st->depth);
    st->depth = walk.depth;
    if (walk.hit >= 0) {
      hit = walk.hit;
      keep = ThroughBit(walk.hit);
    }
  } else {
    st->depth += Popcnt(open) - closes;
  }
  acc->out = CompressPositions(acc->out, block, structural & keep);
  acc->control_in_string |= control & in_string & keep;
  if constexpr (kRare) {
    acc->non_ascii |= high & keep;
    acc->unusual_escape |= unusual & keep;
    if ((backslash & keep) != 0) acc->backslash_end = BackslashEnd(block, backslash & keep);
  }
  return hit;
}

}  // namespace

__attribute__((target("avx512f,avx512bw,pclmul,popcnt,bmi"))) uint64_t ScanAvx512(
    const char* data, uint64_t len, uint64_t* resume, ScanState* state) {
  const Constants k = MakeConstants();
  ScanState st = *state;
  uint64_t pos = *resume;
  for (; pos < len; pos += 64) {
    // Whole blocks that cannot end the value, as in IndexAvx512.
    for (; pos + 64 <= len; pos += 64) {
      const __m512i v = Load(data + pos);
      const __m512i folded = _mm512_or_si512(v, k.case_bit);
      const uint64_t backslash = _mm512_cmpeq_epi8_mask(v, k.backslash);
      uint64_t quote = _mm512_cmpeq_epi8_mask(v, k.quote);
      uint64_t escaped = st.prev_escaped;
      if ((backslash | escaped) != 0) [[unlikely]] {
        quote &= ~EscapedMask(backslash, &escaped);
      }
      const uint64_t in_string = PrefixXor(quote) ^ st.prev_in_string;
      const uint64_t close = _mm512_mask_cmpeq_epi8_mask(~in_string, folded, k.close);
      const uint64_t closes = Popcnt(close);
      if (closes >= st.depth) break;
      st.depth += Popcnt(_mm512_mask_cmpeq_epi8_mask(~in_string, folded, k.open)) - closes;
      st.prev_escaped = escaped;
      st.prev_in_string = LastBitEverywhere(in_string);
    }
    if (pos >= len) break;
    const uint64_t valid = len - pos >= 64 ? ~uint64_t{0} : (uint64_t{1} << (len - pos)) - 1;
    const __m512i v = Load(data + pos);
    const __m512i folded = _mm512_or_si512(v, k.case_bit);
    const uint64_t backslash = _mm512_mask_cmpeq_epi8_mask(valid, v, k.backslash);
    uint64_t quote = _mm512_mask_cmpeq_epi8_mask(valid, v, k.quote);
    // A partial block is examined with a copy of the state: bytes past len
    // are not the value's (yet).
    ScanState next = st;
    const uint64_t in_string =
        InString(backslash, quote, &next.prev_escaped, next.prev_in_string, &quote);
    next.prev_in_string = LastBitEverywhere(in_string);
    const uint64_t open = _mm512_mask_cmpeq_epi8_mask(valid & ~in_string, folded, k.open);
    const uint64_t close = _mm512_mask_cmpeq_epi8_mask(valid & ~in_string, folded, k.close);
    const uint64_t closes = Popcnt(close);
    if (closes < next.depth) [[likely]] {
      next.depth += Popcnt(open) - closes;
    } else {
      const DepthWalk walk = WalkBrackets(open, close, next.depth);
      next.depth = walk.depth;
      if (walk.hit >= 0) {
        *state = next;
        *resume = pos + static_cast<uint64_t>(walk.hit) + 1;
        return *resume;
      }
    }
    if (~valid != 0) break;
    st = next;
  }
  *state = st;
  *resume = pos;
  return kNotFound;
}

// As IndexAvx2 (see there and kernel_bits.h), a block at a time.
__attribute__((target("avx512f,avx512bw,avx512vbmi2,pclmul,popcnt,bmi"),
               optimize("no-tree-slp-vectorize"))) uint64_t
IndexAvx512(const char* data, uint64_t len, uint64_t* resume, ScanState* state, IndexState* index,
            uint64_t item, uint32_t** tail) {
  const Constants k = MakeConstants();
  ScanState st = *state;
  Accumulators acc{index->prev_scalar, 0, 0, 0, index->backslash_end, *tail};
  uint64_t pos = *resume;
  uint64_t found = kNotFound;
  if (len >= 64 && pos <= len - 64) {
    // Whole blocks, software-pipelined as in IndexAvx2: a block's masks are
    // made in the iteration before the one that combines them (a block's
    // chain through the carry-less multiply is long; in program order the
    // blocks would run one after another). Its positions are written at
    // once: the compress has no chain worth hiding.
    const char* p = data + pos;
    const char* const last = data + len - 64;
    auto block = static_cast<uint32_t>(pos - item);
    BlockMasks cur = LoadMasks(p, k);
    for (;;) {
      // Without escapes and high bytes, x is exactly the control mask. The
      // two kinds of block are combined by separate copies of the code, so
      // that the usual one carries none of the rare one's masks.
      const bool rare = ((cur.x & ~cur.space) | st.prev_escaped) != 0;
      const int hit =
          rare ? Combine<true>(cur, k, block, &st, &acc) : Combine<false>(cur, k, block, &st, &acc);
      if (hit >= 0) [[unlikely]] {
        found = static_cast<uint64_t>(p - data) + static_cast<uint64_t>(hit) + 1;
        break;
      }
      p += 64;
      block += 64;
      if (p > last) break;
      cur = LoadMasks(p, k);
    }
    pos = static_cast<uint64_t>(p - data);
  }
  // The final partial block, examined with a copy of the state unless it
  // holds the value's end: bytes past len are not the value's (yet).
  for (; found == kNotFound && pos < len; pos += 64) {
    const uint64_t valid = len - pos >= 64 ? ~uint64_t{0} : (uint64_t{1} << (len - pos)) - 1;
    const __m512i v = Load(data + pos);
    const __m512i folded = _mm512_or_si512(v, k.case_bit);
    const uint64_t backslash = _mm512_mask_cmpeq_epi8_mask(valid, v, k.backslash);
    uint64_t quote = _mm512_mask_cmpeq_epi8_mask(valid, v, k.quote);
    // Bytes past len count as scalars (neither op nor space); they are never kept.
    const uint64_t op =
        _mm512_mask_cmpeq_epi8_mask(valid, folded, _mm512_shuffle_epi8(k.op_table, v));
    const uint64_t space =
        _mm512_mask_cmpeq_epi8_mask(valid, v, _mm512_shuffle_epi8(k.space_table, v));
    const uint64_t high = _mm512_movepi8_mask(v) & valid;
    const uint64_t control = _mm512_mask_cmplt_epu8_mask(valid, v, k.control_limit);
    ScanState next = st;
    uint64_t next_scalar = acc.prev_scalar;
    uint64_t escaped = 0;
    if ((backslash | next.prev_escaped) != 0) escaped = EscapedMask(backslash, &next.prev_escaped);
    quote &= ~escaped;
    const uint64_t in_string = PrefixXor(quote) ^ next.prev_in_string;
    next.prev_in_string = LastBitEverywhere(in_string);
    const uint64_t structural = Stage1Structurals(op, space, quote, in_string, &next_scalar);
    const uint64_t outside = valid & ~in_string;
    const uint64_t open = _mm512_mask_cmpeq_epi8_mask(outside, folded, k.open);
    const uint64_t close = _mm512_mask_cmpeq_epi8_mask(outside, folded, k.close);
    const uint64_t closes = Popcnt(close);
    uint64_t keep = valid;
    if (closes < next.depth) [[likely]] {
      next.depth += Popcnt(open) - closes;
    } else {
      const DepthWalk walk = WalkBrackets(open, close, next.depth);
      next.depth = walk.depth;
      if (walk.hit >= 0) {
        keep = ThroughBit(walk.hit);
        found = pos + static_cast<uint64_t>(walk.hit) + 1;
      }
    }
    // A partial block without the value's end is not committed.
    if (found == kNotFound && ~valid != 0) break;
    acc.out = CompressPositions(acc.out, static_cast<uint32_t>(pos - item), structural & keep);
    acc.control_in_string |= control & in_string & keep;
    acc.non_ascii |= high & keep;
    acc.unusual_escape |= escaped & ~SimpleEscapes(v, k) & keep;
    if ((backslash & keep) != 0) acc.backslash_end = BackslashEnd(pos - item, backslash & keep);
    st = next;
    acc.prev_scalar = next_scalar;
    if (found != kNotFound) break;
  }
  *state = st;
  index->prev_scalar = acc.prev_scalar;
  index->control_in_string |= acc.control_in_string != 0;
  index->non_ascii |= acc.non_ascii != 0;
  index->backslash_end = acc.backslash_end;
  index->unusual_escape |= acc.unusual_escape != 0;
  *tail = acc.out;
  *resume = found != kNotFound ? found : pos;
  return found;
}

}  // namespace gatescan::kernels
#endif
