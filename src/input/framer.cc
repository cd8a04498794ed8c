// framer.cc — object boundaries in a JSON (or YAML-converted) byte stream.
//
// Two layers. The outer layer is a small resumable state machine that walks
// only the top of the stream: top-level values, the depth-1 keys of a
// top-level object (to find "items", "kind", "apiVersion") and the elements
// of an items array. Everything below that — the bodies of items and of
// nested header values, where nearly all bytes are — is skipped by a SIMD
// scanner in the style of simdjson's stage 1: per 64-byte block it builds
// bitmasks of quotes, backslashes and brackets, derives the in-string mask
// with a prefix XOR, and counts brackets outside strings until the depth
// returns to zero. The scanner's state (depth, in-string, pending escape) is
// carried between blocks and between batches, so an object straddling reads
// is never rescanned; only its bytes are carried into the next batch.
#include "gatescan/input/framer.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string_view>

#include "gatescan/common/quote.h"
#include "gatescan/input/yaml_framer.h"
#include "gatescan/input/yaml_json.h"

namespace gatescan {

void PaddedBuffer::resize(size_t n) {
  if (n > capacity_ || data_ == nullptr) {
    size_t new_capacity = std::max(n, capacity_ + capacity_ / 2);
    std::unique_ptr<char[]> grown(new char[new_capacity + kParsePadding]);
    if (size_ > 0) std::memcpy(grown.get(), data_.get(), std::min(n, size_));
    data_ = std::move(grown);
    capacity_ = new_capacity;
  }
  size_ = n;
  std::memset(data_.get() + n, 0, kParsePadding);
}

uint32_t* PositionBuffer::Reserve(size_t extra) {
  if (size_ + extra > capacity_ || data_ == nullptr) {
    size_t new_capacity = std::max(size_ + extra, capacity_ + capacity_ / 2);
    std::unique_ptr<uint32_t[]> grown(new uint32_t[new_capacity]);
    if (size_ > 0) std::memcpy(grown.get(), data_.get(), size_ * sizeof(uint32_t));
    data_ = std::move(grown);
    capacity_ = new_capacity;
  }
  return data_.get() + size_;
}

namespace {

constexpr uint64_t kNotFound = ~uint64_t{0};
// Longer header keys and kind/apiVersion values are skipped, not compared.
constexpr uint64_t kMaxInterestingKey = 256;
constexpr uint64_t kMaxInterestingValue = 64 << 10;

// ---------------------------------------------------------------------------
// SIMD bracket scanner.

struct ScanState {
  uint64_t depth = 0;
  uint64_t prev_in_string = 0;  // all ones when the previous block ended inside a string
  uint64_t prev_escaped = 0;    // 1 when the previous block ended with an odd backslash run
};

// Characters escaped by a backslash, given the backslash mask (simdjson's
// odd-length-run trick: runs starting on even and odd bits are told apart
// with one addition).
inline __attribute__((always_inline)) uint64_t EscapedMask(uint64_t backslash,
                                                           uint64_t* prev_escaped) {
  backslash &= ~*prev_escaped;
  uint64_t follows_escape = backslash << 1 | *prev_escaped;
  constexpr uint64_t kEvenBits = 0x5555555555555555ULL;
  uint64_t odd_sequence_starts = backslash & ~kEvenBits & ~follows_escape;
  uint64_t sequences_starting_on_even_bits;
  *prev_escaped =
      __builtin_add_overflow(odd_sequence_starts, backslash, &sequences_starting_on_even_bits);
  uint64_t invert_mask = sequences_starting_on_even_bits << 1;
  return (kEvenBits ^ invert_mask) & follows_escape;
}

inline __attribute__((always_inline)) uint64_t PortablePrefixXor(uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

// Applies one block's structural brackets. Returns the bit index at which the
// depth returns to zero, or -1.
inline __attribute__((always_inline)) int DepthStep(uint64_t open, uint64_t close,
                                                    uint64_t* depth) {
  uint64_t closes = static_cast<uint64_t>(__builtin_popcountll(close));
  if (closes < *depth) {  // cannot reach zero inside this block
    *depth += static_cast<uint64_t>(__builtin_popcountll(open)) - closes;
    return -1;
  }
  uint64_t structural = open | close;
  while (structural != 0) {
    int i = __builtin_ctzll(structural);
    if ((open >> i) & 1) {
      ++*depth;
    } else if (--*depth == 0) {
      return i;
    }
    structural &= structural - 1;
  }
  return -1;
}

// Finishes one block from its raw masks; `prefix_xor` is supplied by the
// caller so that the carry-less multiply stays inside a pclmul-enabled function.
#define GS_FINISH_BLOCK(PREFIX_XOR)                                                        \
  do {                                                                                     \
    uint64_t escaped =                                                                     \
        (backslash | st.prev_escaped) == 0 ? 0 : EscapedMask(backslash, &st.prev_escaped); \
    uint64_t quote = quote_raw & ~escaped;                                                 \
    uint64_t in_string = PREFIX_XOR(quote) ^ st.prev_in_string;                            \
    st.prev_in_string = static_cast<uint64_t>(static_cast<int64_t>(in_string) >> 63);      \
    hit = DepthStep(open & ~in_string, close & ~in_string, &st.depth);                     \
  } while (0)

// Scans data[pos, len) for the byte that brings the depth back to zero and
// returns the offset just past it, or kNotFound. Whole blocks update *state and
// *resume (where scanning continues once more bytes arrive); a final partial
// block is examined with a copy of the state (it is committed only at EOF).
// Requires 64 readable bytes after data[len].
#define GS_SCANNER_BODY(LOAD_MASKS, PREFIX_XOR)       \
  ScanState st = *state;                              \
  uint64_t pos = *resume;                             \
  int hit;                                            \
  for (; pos + 64 <= len; pos += 64) {                \
    uint64_t backslash, quote_raw, open, close;       \
    LOAD_MASKS(data + pos);                           \
    GS_FINISH_BLOCK(PREFIX_XOR);                      \
    if (hit >= 0) {                                   \
      *state = st;                                    \
      *resume = pos + static_cast<uint64_t>(hit) + 1; \
      return *resume;                                 \
    }                                                 \
  }                                                   \
  *state = st;                                        \
  *resume = pos;                                      \
  GS_SCAN_PARTIAL_BLOCK(LOAD_MASKS, PREFIX_XOR)

// The tail of a scanner: the final partial block at data[pos, len), examined
// with the copy `st` of the committed state.
#define GS_SCAN_PARTIAL_BLOCK(LOAD_MASKS, PREFIX_XOR)  \
  if (pos < len) {                                     \
    uint64_t valid = (uint64_t{1} << (len - pos)) - 1; \
    uint64_t backslash, quote_raw, open, close;        \
    LOAD_MASKS(data + pos);                            \
    backslash &= valid;                                \
    quote_raw &= valid;                                \
    open &= valid;                                     \
    close &= valid;                                    \
    GS_FINISH_BLOCK(PREFIX_XOR);                       \
    if (hit >= 0) {                                    \
      *state = st;                                     \
      *resume = pos + static_cast<uint64_t>(hit) + 1;  \
      return *resume;                                  \
    }                                                  \
  }                                                    \
  return kNotFound

using ScanFn = uint64_t (*)(const char* data, uint64_t len, uint64_t* resume, ScanState* state);

// '{' and '[' (0x7b, 0x5b) differ only in bit 0x20, as do '}' and ']'.
#define GS_LOAD_MASKS_SSE2(P)                                                                     \
  do {                                                                                            \
    const __m128i kQuote = _mm_set1_epi8('"'), kBackslash = _mm_set1_epi8('\\');                  \
    const __m128i kOpen = _mm_set1_epi8('{'), kClose = _mm_set1_epi8('}');                        \
    const __m128i kCase = _mm_set1_epi8(0x20);                                                    \
    backslash = quote_raw = open = close = 0;                                                     \
    for (int k = 0; k < 4; ++k) {                                                                 \
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>((P) + size_t{16} * k));        \
      __m128i folded = _mm_or_si128(v, kCase);                                                    \
      int shift = 16 * k;                                                                         \
      backslash |= uint64_t(uint32_t(_mm_movemask_epi8(_mm_cmpeq_epi8(v, kBackslash)))) << shift; \
      quote_raw |= uint64_t(uint32_t(_mm_movemask_epi8(_mm_cmpeq_epi8(v, kQuote)))) << shift;     \
      open |= uint64_t(uint32_t(_mm_movemask_epi8(_mm_cmpeq_epi8(folded, kOpen)))) << shift;      \
      close |= uint64_t(uint32_t(_mm_movemask_epi8(_mm_cmpeq_epi8(folded, kClose)))) << shift;    \
    }                                                                                             \
  } while (0)

uint64_t ScanSse2(const char* data, uint64_t len, uint64_t* resume, ScanState* state) {
  GS_SCANNER_BODY(GS_LOAD_MASKS_SSE2, PortablePrefixXor);
}

#define GS_LOAD_MASKS_AVX2(P)                                                          \
  do {                                                                                 \
    const __m256i kQuote = _mm256_set1_epi8('"'), kBackslash = _mm256_set1_epi8('\\'); \
    const __m256i kOpen = _mm256_set1_epi8('{'), kClose = _mm256_set1_epi8('}');       \
    const __m256i kCase = _mm256_set1_epi8(0x20);                                      \
    __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(P));              \
    __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>((P) + 32));       \
    __m256i flo = _mm256_or_si256(lo, kCase), fhi = _mm256_or_si256(hi, kCase);        \
    auto mask64 = [](int a, int b) {                                                   \
      return uint64_t(uint32_t(a)) | uint64_t(uint32_t(b)) << 32;                      \
    };                                                                                 \
    backslash = mask64(_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, kBackslash)),        \
                       _mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, kBackslash)));       \
    quote_raw = mask64(_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, kQuote)),            \
                       _mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, kQuote)));           \
    open = mask64(_mm256_movemask_epi8(_mm256_cmpeq_epi8(flo, kOpen)),                 \
                  _mm256_movemask_epi8(_mm256_cmpeq_epi8(fhi, kOpen)));                \
    close = mask64(_mm256_movemask_epi8(_mm256_cmpeq_epi8(flo, kClose)),               \
                   _mm256_movemask_epi8(_mm256_cmpeq_epi8(fhi, kClose)));              \
  } while (0)

#define GS_CLMUL_PREFIX_XOR(X) \
  uint64_t(_mm_cvtsi128_si64(  \
      _mm_clmulepi64_si128(_mm_set_epi64x(0, int64_t(X)), _mm_set1_epi8(char(0xFF)), 0)))

struct DepthWalk {
  uint64_t depth;
  int hit;  // as DepthStep's result
};

// DepthStep for the rare block that may close the value (at most as many
// closing brackets as the depth), out of the AVX2 hot loop.
__attribute__((noinline, cold)) DepthWalk WalkBrackets(uint64_t open, uint64_t close,
                                                       uint64_t depth) {
  int hit = DepthStep(open, close, &depth);
  return {depth, hit};
}

__attribute__((target("avx2"), always_inline)) inline uint64_t Movemask64(__m256i lo, __m256i hi) {
  uint64_t low = uint32_t(_mm256_movemask_epi8(lo));
  uint64_t high = uint32_t(_mm256_movemask_epi8(hi));
  return low | high << 32;
}

// The same computation as GS_SCANNER_BODY, with the whole-block loop written
// out. On the Zen 1 it was tuned on, the loop is bound by the number of ops it
// issues, and the macro form took 4-8% longer: GCC rebuilt a constant inside
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
  int hit;
  GS_SCAN_PARTIAL_BLOCK(GS_LOAD_MASKS_AVX2, GS_CLMUL_PREFIX_XOR);
}

// GATESCAN_FRAMER_SSE2=1 forces the baseline kernel (to test it on AVX2 machines).
ScanFn ChooseScanner() {
  __builtin_cpu_init();
  const char* force_sse2 = std::getenv("GATESCAN_FRAMER_SSE2");
  if (force_sse2 != nullptr && *force_sse2 == '1') return ScanSse2;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("pclmul") &&
      __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("bmi")) {
    return ScanAvx2;
  }
  return ScanSse2;
}

const ScanFn kScan = ChooseScanner();

// ---------------------------------------------------------------------------
// Indexing scanner: the bracket scanner for list items, doing simdjson's
// stage 1 on the way. The extractor needs each item's structural positions;
// finding them here, in the same pass that finds the item's end, saves a
// second SIMD pass over every byte. The positions must be exactly stage 1's,
// because the extractor's error messages follow from them: per 64-byte block,
//   op        = bytes b with (b | 0x20) == optable[b & 15] (the brackets,
//               ':' and ',', and also 0x0c and 0x1a, as simdjson classifies);
//   space     = ' ', '\t', '\n', '\r';
//   scalar    = neither; a scalar start is a scalar not right after a
//               scalar byte other than a quote;
//   structural = (op | scalar start) outside strings, opening quotes included;
// plus a control byte (<= 0x1f) inside a string, and whether any byte is
// >= 0x80 (then the extractor validates UTF-8).

struct IndexState {
  uint64_t prev_scalar = 0;  // 1 when the last byte scanned was a non-quote scalar
  bool control_in_string = false;
  bool non_ascii = false;
};

// tzcnt and popcnt for the indexing loop (only where BMI1 and POPCNT are
// known). Under generic tuning GCC puts a zeroing xor of the destination
// before each, for Intel cores that wait on it; the loop is bound by the
// number of ops it issues on Zen 1, and those xors cost it about 3%.
__attribute__((always_inline)) inline uint64_t Tzcnt(uint64_t x) {
  uint64_t r;
  __asm__("tzcnt %1, %0" : "=r"(r) : "r"(x) : "cc");
  return r;
}

__attribute__((always_inline)) inline uint64_t Popcnt(uint64_t x) {
  uint64_t r;
  __asm__("popcnt %1, %0" : "=r"(r) : "r"(x) : "cc");
  return r;
}

// Blocks of kubectl dumps hold 4 structurals on average and more than 6 in
// about 8% of them: unconditional stores of 6 positions are cheaper than a
// branch per position, and than stores of 8.
constexpr int kUnconditionalPositions = 6;

// Appends base + the position of every set bit of `bits`. Writes up to 16
// entries from `out` when there are fewer (the caller reserves them; tzcnt of
// 0 is 64, so they are harmless).
__attribute__((target("bmi"), always_inline)) inline uint32_t* WritePositions(uint32_t* out,
                                                                              uint32_t base,
                                                                              uint64_t bits) {
  const int count = static_cast<int>(Popcnt(bits));
  for (int i = 0; i < kUnconditionalPositions; ++i) {
    out[i] = base + static_cast<uint32_t>(Tzcnt(bits));
    bits = _blsr_u64(bits);
  }
  if (count > kUnconditionalPositions) [[unlikely]] {
    for (int i = kUnconditionalPositions; i < 16; ++i) {
      out[i] = base + static_cast<uint32_t>(Tzcnt(bits));
      bits = _blsr_u64(bits);
    }
    for (int i = 16; i < count; ++i) {
      out[i] = base + static_cast<uint32_t>(Tzcnt(bits));
      bits = _blsr_u64(bits);
    }
  }
  return out + count;
}

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

// Bytes >= 0x80.
__attribute__((target("avx2"), always_inline)) inline uint64_t HighMask(const char* p) {
  return Movemask64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)),
                    _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32)));
}

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
  };
  // Opaque, or GCC rewrites the signed compare against it as min and compare.
  __asm__("" : "+x"(k.space_bit));
  uint64_t depth = state->depth;
  uint64_t prev_in_string = state->prev_in_string;
  uint64_t prev_escaped = state->prev_escaped;
  uint64_t prev_scalar = index->prev_scalar;
  uint64_t control_in_string = 0;
  uint64_t non_ascii = 0;
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
      // Without escapes, bytes >= 0x80 and control bytes but '\t' '\n' '\r',
      // x is exactly the control mask.
      if (((control & ~cur.space) | prev_escaped) != 0) [[unlikely]] {
        const uint64_t backslash = BackslashMask(p, k);
        high = HighMask(p);
        control &= ~(backslash | high);
        quote &= ~EscapedMask(backslash, &prev_escaped);
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
          finish(static_cast<uint64_t>(p - data) + static_cast<uint64_t>(walk.hit) + 1);
          return *resume;
        }
      }
      control_in_string |= control & in_string;
      non_ascii |= high;
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
    if ((backslash | escaped_after) != 0) quote &= ~EscapedMask(backslash, &escaped_after);
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

// Items are indexed where the AVX2 scanner runs; elsewhere (and with
// GATESCAN_FRAMER_SSE2=1, which ChooseScanner heeds) the extractor runs
// simdjson's stage 1 itself.
const bool kIndexItems = kScan == ScanAvx2;

// ---------------------------------------------------------------------------
// Small scalar helpers for the top of the stream.

inline bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

bool ParseHex4(std::string_view s, size_t i, uint32_t* out) {
  if (i + 4 > s.size()) return false;
  uint32_t v = 0;
  for (size_t k = i; k < i + 4; ++k) {
    char c = s[k];
    v <<= 4;
    if (c >= '0' && c <= '9') {
      v |= c - '0';
    } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
      v |= (c | 0x20) - 'a' + 10;
    } else {
      return false;
    }
  }
  *out = v;
  return true;
}

// Decodes the body of a JSON string (without quotes). Keys and kind values are
// short, so this only runs on the few header strings.
std::string Unescape(std::string_view raw) {
  if (raw.find('\\') == std::string_view::npos) return std::string(raw);
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c != '\\' || i + 1 >= raw.size()) {
      out.push_back(c);
      continue;
    }
    char e = raw[++i];
    switch (e) {
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'u': {
        uint32_t cp;
        if (!ParseHex4(raw, i + 1, &cp)) {
          out.push_back('u');
          break;
        }
        i += 4;
        uint32_t low;
        if (cp >= 0xD800 && cp < 0xDC00 && i + 2 < raw.size() && raw[i + 1] == '\\' &&
            raw[i + 2] == 'u' && ParseHex4(raw, i + 3, &low) && low >= 0xDC00 && low < 0xE000) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          i += 6;
        } else if (cp >= 0xD800 && cp < 0xE000) {
          cp = 0xFFFD;
        }
        AppendUtf8(cp, &out);
        break;
      }
      default:
        out.push_back(e);
        break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// YAML: documents are split on "---" lines, converted to JSON one by one and
// handed to the JSON framer as a stream of values.

class YamlFeeder {
 public:
  YamlFeeder(ByteSource* source, std::string prefix, uint64_t prefix_offset)
      : source_(source), pending_(std::move(prefix)), pending_offset_(prefix_offset) {}

  // Produces converted JSON bytes; 0 at end. Conversion errors go to *errors;
  // read errors to *read_error.
  // The offset in the YAML input of the document that produced JSON byte `json_offset`.
  uint64_t YamlOffset(uint64_t json_offset) const {
    auto it = std::upper_bound(segments_.begin(), segments_.end(),
                               std::make_pair(json_offset, ~uint64_t{0}));
    return it == segments_.begin() ? 0 : std::prev(it)->second;
  }
  // Forgets documents that end before `json_offset`.
  void Prune(uint64_t json_offset) {
    while (segments_.size() >= 2 && segments_[1].first <= json_offset) segments_.pop_front();
  }

  size_t Read(char* dst, size_t capacity, std::vector<FrameError>* errors, Status* read_error,
              uint64_t* raw_bytes) {
    while (out_pos_ == out_.size()) {
      out_.clear();
      out_pos_ = 0;
      size_t split = FindSeparator();
      if (split != std::string::npos) {
        Convert(split, errors);
        continue;
      }
      if (eof_) {
        if (pending_.empty()) return 0;
        Convert(pending_.size(), errors);
        continue;
      }
      size_t old = pending_.size();
      pending_.resize(old + kChunk);
      size_t n = source_->Read(pending_.data() + old, kChunk, read_error);
      pending_.resize(old + n);
      *raw_bytes += n;
      if (n == 0) eof_ = true;
      if (!read_error->ok()) return 0;
    }
    size_t n = std::min(capacity, out_.size() - out_pos_);
    std::memcpy(dst, out_.data() + out_pos_, n);
    out_pos_ += n;
    return n;
  }

 private:
  static constexpr size_t kChunk = 1 << 20;

  // Start of the first document-separator line after the first line of the
  // pending text, or npos when none is complete yet.
  size_t FindSeparator() {
    size_t from = std::max<size_t>(search_from_, 1);
    for (;;) {
      size_t nl = pending_.find('\n', from - 1);
      if (nl == std::string::npos || nl + 4 > pending_.size()) {
        search_from_ = pending_.empty() ? 0 : pending_.size();
        if (search_from_ > 4) search_from_ -= 4;
        return std::string::npos;
      }
      size_t line = nl + 1;
      if (pending_.compare(line, 3, "---") == 0) {
        char next = pending_[line + 3];
        if (next == '\n' || next == ' ' || next == '\t' || next == '\r') return line;
      }
      from = line + 1;
    }
  }

  void Convert(size_t length, std::vector<FrameError>* errors) {
    std::string_view doc(pending_.data(), length);
    std::vector<std::string> json;
    Status s = YamlToJsonDocuments(doc, &json);
    if (!s.ok()) {
      errors->push_back({pending_offset_, doc_index_, "YAML: " + s.message()});
    }
    for (std::string& j : json) {
      segments_.push_back({json_produced_, pending_offset_});
      out_ += j;
      out_.push_back('\n');
      json_produced_ += j.size() + 1;
    }
    ++doc_index_;
    pending_.erase(0, length);
    pending_offset_ += length;
    search_from_ = 0;
  }

  ByteSource* source_;
  std::string pending_;
  uint64_t pending_offset_;
  size_t search_from_ = 0;
  std::string out_;
  size_t out_pos_ = 0;
  uint64_t doc_index_ = 0;
  bool eof_ = false;
  // (offset in the JSON stream, offset of its YAML document) per converted
  // document still referenced by the framer.
  std::deque<std::pair<uint64_t, uint64_t>> segments_;
  uint64_t json_produced_ = 0;
};

}  // namespace

// ---------------------------------------------------------------------------
// The framer proper. All positions are absolute offsets in the (decompressed,
// or for YAML converted) stream; base_ is the offset of the batch's byte 0.

struct Framer::Impl {
  enum class Mode {
    kDetect,      // start: skip a BOM and whitespace, choose JSON or YAML
    kTopValue,    // between top-level values
    kResync,      // after garbage: skipping to a line that starts with '{'
    kObjKey,      // in a top-level object, expecting a key or '}'
    kObjColon,    // after a key
    kObjValue,    // expecting a depth-1 value
    kArrElem,     // in an items array or top-level array, expecting an element or ']'
    kScanItem,    // SIMD-scanning an element of an array
    kSkipNested,  // SIMD-scanning a nested depth-1 header value
    kSkipToken,   // consuming a long string or scalar without keeping it
    kDone,
  };
  enum class Key { kOther, kItems, kKind, kApiVersion };

  Impl(const InputSpec& in, std::unique_ptr<ByteSource> src, FramerOptions opts)
      : input(in), source(std::move(src)), options(opts) {
    // Span offsets are 32-bit: a batch (batch + one read + the largest kept
    // object) must stay below 4 GiB.
    options.batch_bytes = std::clamp<size_t>(options.batch_bytes, 1, size_t{256} << 20);
    options.read_bytes = std::clamp<size_t>(options.read_bytes, 1, size_t{256} << 20);
    options.max_object_bytes = std::min<size_t>(options.max_object_bytes, size_t{3} << 30);
    options.index_items = options.index_items && kIndexItems;
  }

  const InputSpec& input;
  std::unique_ptr<ByteSource> source;
  FramerOptions options;
  std::unique_ptr<YamlFeeder> yaml;
  // YAML input is framed by the YAML framer (yaml_framer.h) once detected.
  std::unique_ptr<YamlFramer> yaml_framer;
  std::vector<size_t> yaml_error_slots;  // batch errors that came from the YAML converter

  PaddedBuffer carry;
  uint64_t carry_offset = 0;

  FramedBatch* batch = nullptr;
  uint64_t base = 0;  // stream offset of batch->bytes[0]
  uint64_t pos = 0;   // next unparsed byte
  bool eof = false;
  bool read_failed = false;
  Mode mode = Mode::kDetect;

  // Top-level value bookkeeping.
  uint64_t value_index = 0;  // index of the next top-level value
  uint64_t obj_start = 0;    // the current top-level object
  uint64_t obj_index = 0;
  bool obj_retained = false;  // bytes from obj_start are kept (it may be a single object)
  bool obj_is_list = false;
  Key pending_key = Key::kOther;

  // The current list (items array or top-level array).
  ListInfo list;
  uint64_t next_list_id = 0;
  int32_t list_slot = -1;  // index in batch->lists, -1 when not yet in this batch
  bool top_array = false;  // the array is a top-level array, not "items"
  // Comma structure of the array being framed: an element must be followed by
  // ',' or ']', and a ',' by an element.
  bool arr_after_elem = false;
  bool arr_after_comma = false;
  bool produced_anything = false;  // any span, list or error in the whole input
  uint64_t array_start = 0;
  uint64_t item_index = 0;

  // The element or nested value being scanned.
  uint64_t item_start = 0;
  bool item_retained = false;
  ScanState scan;
  IndexState index;                         // of an indexed item (kScanItem, kept)
  size_t item_structurals_begin = 0;        // its first position in batch->structurals
  std::vector<uint32_t> carry_structurals;  // of an indexed item carried into the next batch
  uint64_t scan_resume = 0;
  bool skipping_element = false;  // kSkipNested is skipping a non-object array element

  // kSkipToken state.
  bool skip_is_string = false;
  bool skip_escape = false;
  Mode skip_then = Mode::kTopValue;

  const char* buf() const { return batch->bytes.data(); }
  uint64_t end() const { return base + batch->bytes.size(); }
  char At(uint64_t abs) const { return buf()[abs - base]; }
  // The item being scanned is kept and gets stage 1 done here.
  bool IndexingItem() const {
    return options.index_items && mode == Mode::kScanItem && item_retained;
  }

  void Error(uint64_t offset, uint64_t index, std::string message) {
    batch->errors.push_back({offset, index, std::move(message)});
  }

  bool Next(FramedBatch* out);
  size_t ReadMore();
  void Frame();
  uint64_t KeepFrom() const;
  void Finish();
  void MapToYamlOffsets();

  bool StepDetect();
  bool StepTopValue();
  bool StepResync();
  bool StepObjKey();
  bool StepObjColon();
  bool StepObjValue();
  bool StepArrElem();
  bool StepScan();
  bool StepSkipToken();
  void SkipToken(bool is_string, Mode then);

  bool SkipSpaces();
  uint64_t StringEnd(uint64_t quote) const;
  uint64_t ScalarEnd(uint64_t from) const;
  int32_t ListSlot();
  void StartList(uint64_t offset, bool top_level);
  void NewList();
  void BeginScan(uint64_t start, bool retain);
  void CloseObject(uint64_t close_end);
};

bool Framer::Impl::SkipSpaces() {
  const char* b = buf();
  uint64_t e = end();
  while (pos < e && IsSpace(b[pos - base])) ++pos;
  return pos < e;
}

// Offset just past the closing quote of the string opening at `quote`, or
// kNotFound when it is not complete in the buffer.
uint64_t Framer::Impl::StringEnd(uint64_t quote) const {
  const char* b = buf();
  uint64_t e = end();
  for (uint64_t i = quote + 1; i < e; ++i) {
    char c = b[i - base];
    if (c == '\\') {
      ++i;
    } else if (c == '"') {
      return i + 1;
    }
  }
  return kNotFound;
}

// End of a number or literal; kNotFound if it may continue past the buffer.
uint64_t Framer::Impl::ScalarEnd(uint64_t from) const {
  const char* b = buf();
  uint64_t e = end();
  for (uint64_t i = from; i < e; ++i) {
    char c = b[i - base];
    if (IsSpace(c) || c == ',' || c == '}' || c == ']' || c == ':' || c == '{' || c == '[' ||
        c == '"') {
      return i;
    }
  }
  return eof ? e : kNotFound;
}

int32_t Framer::Impl::ListSlot() {
  if (list_slot < 0) {
    list_slot = static_cast<int32_t>(batch->lists.size());
    batch->lists.push_back(list);
  }
  return list_slot;
}

void Framer::Impl::StartList(uint64_t offset, bool top_level) {
  // A second "items" key in one object continues the same list and index
  // (the Go decoder would keep only the last array; we frame both).
  if (top_level || !obj_is_list) NewList();
  top_array = top_level;
  array_start = offset;
  arr_after_elem = false;
  arr_after_comma = false;
  mode = Mode::kArrElem;
}

// kind/apiVersion seen before "items" were recorded into `list` already and
// are kept; a new top-level value clears them.
void Framer::Impl::NewList() {
  list.header_complete = false;
  list.list_id = next_list_id++;
  list_slot = -1;
  item_index = 0;
}

void Framer::Impl::BeginScan(uint64_t start, bool retain) {
  item_start = start;
  item_retained = retain;
  scan = ScanState{};
  index = IndexState{};
  item_structurals_begin = batch->structurals.size();
  scan_resume = start;
}

void Framer::Impl::CloseObject(uint64_t close_end) {
  if (obj_is_list) {
    list.header_complete = true;
    batch->lists[ListSlot()] = list;
  } else if (obj_retained) {
    uint64_t length = close_end - obj_start;
    if (length > options.max_object_bytes) {
      Error(obj_start, obj_index,
            "object of " + std::to_string(length) + " bytes exceeds --max-object-bytes (" +
                std::to_string(options.max_object_bytes) + ")");
    } else {
      batch->spans.push_back({static_cast<uint32_t>(obj_start - base),
                              static_cast<uint32_t>(length), obj_start, obj_index, -1});
    }
  } else {
    Error(obj_start, obj_index,
          "object exceeds --max-object-bytes (" + std::to_string(options.max_object_bytes) + ")");
  }
  obj_retained = false;
  mode = Mode::kTopValue;
}

bool Framer::Impl::StepDetect() {
  // Skip a UTF-8 BOM, then whitespace; the first byte decides the format.
  if (pos == 0 && end() - pos < 3 && !eof) return false;
  if (pos == 0 && base == 0 && end() >= 3 && std::memcmp(buf(), "\xEF\xBB\xBF", 3) == 0) pos = 3;
  if (!SkipSpaces()) return false;
  char c = At(pos);
  if (c == '{' || c == '[') {
    mode = Mode::kTopValue;
    return true;
  }
  // YAML: the YAML framer takes over with everything read so far.
  yaml_framer = std::make_unique<YamlFramer>(source.get(),
                                             std::string_view(buf() + (pos - base), end() - pos),
                                             pos, batch->input_bytes, options);
  mode = Mode::kDone;
  return false;
}

bool Framer::Impl::StepTopValue() {
  if (!SkipSpaces()) return false;
  char c = At(pos);
  if (c == '{' || c == '[') {
    list = ListInfo{};
    list_slot = -1;
  }
  if (c == '{') {
    obj_start = pos;
    obj_index = value_index++;
    obj_retained = true;
    obj_is_list = false;
    ++pos;
    mode = Mode::kObjKey;
  } else if (c == '[') {
    value_index++;
    StartList(pos, /*top_level=*/true);
    ++pos;
  } else {
    Error(pos, value_index++,
          std::string("unexpected ") + (c == '"' ? "string" : "value") +
              " at top level (expected an object or array)");
    mode = Mode::kResync;
  }
  return true;
}

bool Framer::Impl::StepResync() {
  const char* b = buf();
  uint64_t e = end();
  while (pos < e) {
    const void* nl = std::memchr(b + (pos - base), '\n', e - pos);
    if (nl == nullptr) {
      pos = e;
      return false;
    }
    uint64_t newline = static_cast<const char*>(nl) - b + base;
    uint64_t p = newline + 1;
    while (p < e && (b[p - base] == ' ' || b[p - base] == '\t' || b[p - base] == '\r')) ++p;
    if (p == e && !eof) {
      pos = newline;  // decide once the line's first byte is here
      return false;
    }
    pos = newline + 1;
    if (p < e && b[p - base] == '{') {
      pos = p;
      mode = Mode::kTopValue;
      return true;
    }
  }
  return false;
}

bool Framer::Impl::StepObjKey() {
  // Commas are not checked: the framer finds boundaries; the extractor validates.
  while (SkipSpaces() && At(pos) == ',') ++pos;
  if (pos >= end()) return false;
  char c = At(pos);
  if (c == '}') {
    ++pos;
    CloseObject(pos);
    return true;
  }
  if (c != '"') {
    Error(pos, obj_index, "malformed object: expected a key");
    mode = Mode::kResync;
    obj_retained = false;
    return true;
  }
  uint64_t key_end = StringEnd(pos);
  if (key_end == kNotFound) {
    if (end() - pos > kMaxInterestingKey) {
      // Too long to be "items", "kind" or "apiVersion", even fully escaped.
      pending_key = Key::kOther;
      SkipToken(/*is_string=*/true, Mode::kObjColon);
      return true;
    }
    if (eof) pos = end();
    return false;
  }
  std::string key = Unescape(std::string_view(buf() + (pos + 1 - base), key_end - pos - 2));
  pending_key = key == "items"        ? Key::kItems
                : key == "kind"       ? Key::kKind
                : key == "apiVersion" ? Key::kApiVersion
                                      : Key::kOther;
  pos = key_end;
  mode = Mode::kObjColon;
  return true;
}

bool Framer::Impl::StepObjColon() {
  if (!SkipSpaces()) return false;
  if (At(pos) == ':') ++pos;
  mode = Mode::kObjValue;
  return true;
}

bool Framer::Impl::StepObjValue() {
  if (!SkipSpaces()) return false;
  char c = At(pos);
  if (c == '}' || c == ',') {  // a missing value; let the key state handle the byte
    mode = Mode::kObjKey;
    return true;
  }
  if (pending_key == Key::kItems) {
    if (c == '[') {
      StartList(pos, /*top_level=*/false);
      obj_is_list = true;
      obj_retained = false;
      ++pos;
      return true;
    }
    if (c == 'n') {
      uint64_t literal_end = ScalarEnd(pos);
      if (literal_end == kNotFound && end() - pos <= 4) return false;
      if (literal_end - pos == 4 && std::memcmp(buf() + (pos - base), "null", 4) == 0) {
        obj_is_list = true;  // items: null is an empty list
        obj_retained = false;
        pos = literal_end;
        NewList();
        mode = Mode::kObjKey;
        return true;
      }
    }
    Error(pos, obj_index, "items is not an array");
    obj_is_list = true;
    obj_retained = false;
    NewList();
    pending_key = Key::kOther;
    // fall through to skip the value
  }
  if (c == '{' || c == '[') {
    BeginScan(pos, false);
    mode = Mode::kSkipNested;
    return true;
  }
  if (c == '"' && (pending_key == Key::kKind || pending_key == Key::kApiVersion)) {
    uint64_t value_end = StringEnd(pos);
    if (value_end == kNotFound) {
      if (end() - pos <= kMaxInterestingValue && !eof) return false;
      SkipToken(/*is_string=*/true, Mode::kObjKey);  // absurdly long: not a kind
      return true;
    }
    std::string value = Unescape(std::string_view(buf() + (pos + 1 - base), value_end - pos - 2));
    (pending_key == Key::kKind ? list.kind : list.api_version) = std::move(value);
    if (list_slot >= 0) batch->lists[list_slot] = list;
    pos = value_end;
    mode = Mode::kObjKey;
    return true;
  }
  SkipToken(c == '"', Mode::kObjKey);
  return true;
}

bool Framer::Impl::StepArrElem() {
  if (!SkipSpaces()) return false;
  char c = At(pos);
  if (c == ',') {
    if (!arr_after_elem) Error(pos, item_index, "malformed list: unexpected ',' in array");
    ++pos;
    arr_after_elem = false;
    arr_after_comma = true;
    return true;
  }
  if (c != ']' && c != '}' && arr_after_elem) {
    Error(pos, item_index, "malformed list: missing ',' between items");
  }
  if (c == ']' && arr_after_comma) Error(pos, item_index, "malformed list: trailing ',' in array");
  arr_after_comma = false;
  arr_after_elem = c != ']' && c != '}';
  if (c == ']') {
    ++pos;
    if (top_array) {
      list.header_complete = true;
      batch->lists[ListSlot()] = list;
      mode = Mode::kTopValue;
    } else {
      mode = Mode::kObjKey;
    }
    return true;
  }
  if (c == '{') {
    BeginScan(pos, true);
    mode = Mode::kScanItem;
    return true;
  }
  if (c == '}' && !top_array) {
    // "items": [ ... } — the array was never closed.
    Error(pos, obj_index, "malformed list: items array not closed");
    ++pos;
    CloseObject(pos);
    return true;
  }
  Error(pos, item_index, "item " + std::to_string(item_index) + " is not an object");
  ++item_index;
  if (c == '[') {
    BeginScan(pos, false);
    skipping_element = true;
    mode = Mode::kSkipNested;
    return true;
  }
  SkipToken(c == '"', Mode::kArrElem);
  return true;
}

void Framer::Impl::SkipToken(bool is_string, Mode then) {
  skip_is_string = is_string;
  skip_escape = false;
  skip_then = then;
  ++pos;  // the opening quote, or the first byte of a scalar (so that progress is made)
  mode = Mode::kSkipToken;
}

// Consumes a string or scalar without keeping its bytes, however long it is.
bool Framer::Impl::StepSkipToken() {
  const char* b = buf();
  uint64_t e = end();
  if (skip_is_string) {
    // Byte at a time: only top-of-stream strings come here, never item bodies.
    for (; pos < e; ++pos) {
      char c = b[pos - base];
      if (skip_escape) {
        skip_escape = false;
      } else if (c == '\\') {
        skip_escape = true;
      } else if (c == '"') {
        ++pos;
        mode = skip_then;
        return true;
      }
    }
    return false;
  }
  while (pos < e) {
    char c = b[pos - base];
    if (IsSpace(c) || c == ',' || c == '}' || c == ']' || c == ':' || c == '{' || c == '[' ||
        c == '"') {
      mode = skip_then;
      return true;
    }
    ++pos;
  }
  if (eof) mode = skip_then;
  return eof;
}

bool Framer::Impl::StepScan() {
  uint64_t resume_rel = scan_resume - base;
  const bool is_item = mode == Mode::kScanItem;
  const bool indexing = IndexingItem();
  uint64_t found;
  if (indexing) {
    PositionBuffer& positions = batch->structurals;
    uint32_t* tail = positions.Reserve(batch->bytes.size() - resume_rel + 128);
    found =
        IndexAvx2(buf(), batch->bytes.size(), &resume_rel, &scan, &index, item_start - base, &tail);
    positions.set_size(static_cast<size_t>(tail - positions.data()));
  } else {
    found = kScan(buf(), batch->bytes.size(), &resume_rel, &scan);
  }
  scan_resume = resume_rel + base;
  if (found == kNotFound) {
    pos = end();
    if (is_item && item_retained && end() - item_start > options.max_object_bytes) {
      Error(item_start, item_index,
            "object exceeds --max-object-bytes (" + std::to_string(options.max_object_bytes) +
                "); skipped");
      item_retained = false;
      batch->structurals.set_size(item_structurals_begin);
    }
    return false;
  }
  uint64_t value_end = found + base;
  pos = value_end;
  if (!is_item) {
    // A skipped nested value ends either a header value or a non-object element.
    mode = skipping_element ? Mode::kArrElem : Mode::kObjKey;
    skipping_element = false;
    return true;
  }
  uint64_t length = value_end - item_start;
  if (item_retained) {
    if (length > options.max_object_bytes) {
      Error(item_start, item_index,
            "object of " + std::to_string(length) + " bytes exceeds --max-object-bytes (" +
                std::to_string(options.max_object_bytes) + "); skipped");
    } else {
      ObjectSpan span{static_cast<uint32_t>(item_start - base), static_cast<uint32_t>(length),
                      item_start, item_index, ListSlot()};
      if (indexing) {
        PositionBuffer& positions = batch->structurals;
        span.structurals_begin = static_cast<uint32_t>(item_structurals_begin);
        span.structurals_count = static_cast<uint32_t>(positions.size() - item_structurals_begin);
        span.control_in_string = index.control_in_string;
        span.ascii = !index.non_ascii;
        // What stage 1 writes after the last position.
        uint32_t* sentinels = positions.Reserve(3);
        sentinels[0] = sentinels[1] = span.length;
        sentinels[2] = 0;
        positions.set_size(positions.size() + 3);
      }
      batch->spans.push_back(span);
    }
  }
  ++item_index;
  mode = Mode::kArrElem;
  return true;
}

size_t Framer::Impl::ReadMore() {
  PaddedBuffer& bytes = batch->bytes;
  size_t old = bytes.size();
  bytes.resize(old + options.read_bytes);
  Status error;
  size_t n;
  if (yaml != nullptr) {
    uint64_t raw = 0;
    size_t errors_before = batch->errors.size();
    n = yaml->Read(bytes.data() + old, options.read_bytes, &batch->errors, &error, &raw);
    for (size_t i = errors_before; i < batch->errors.size(); ++i) yaml_error_slots.push_back(i);
    batch->input_bytes += raw;
  } else {
    n = source->Read(bytes.data() + old, options.read_bytes, &error);
    batch->input_bytes += n;
  }
  bytes.resize(old + n);
  if (!error.ok()) {
    Error(end(), 0, error.message());
    read_failed = true;
    return 0;
  }
  return n;
}

void Framer::Impl::Frame() {
  for (bool progressed = true; progressed;) {
    switch (mode) {
      case Mode::kDetect:
        progressed = StepDetect();
        break;
      case Mode::kTopValue:
        progressed = StepTopValue();
        break;
      case Mode::kResync:
        progressed = StepResync();
        break;
      case Mode::kObjKey:
        progressed = StepObjKey();
        break;
      case Mode::kObjColon:
        progressed = StepObjColon();
        break;
      case Mode::kObjValue:
        progressed = StepObjValue();
        break;
      case Mode::kArrElem:
        progressed = StepArrElem();
        break;
      case Mode::kScanItem:
      case Mode::kSkipNested:
        progressed = StepScan();
        break;
      case Mode::kSkipToken:
        progressed = StepSkipToken();
        break;
      case Mode::kDone:
        progressed = false;
        break;
    }
  }
  // A top-level object that is still a candidate single object but already too
  // large is no longer kept; its end is still found, then reported.
  if (obj_retained && end() - obj_start > options.max_object_bytes) obj_retained = false;
}

// The first byte still needed: the start of a kept object or unfinished token,
// or the scanner's resume point when the bytes are only being skipped.
uint64_t Framer::Impl::KeepFrom() const {
  uint64_t keep = pos;
  if (mode == Mode::kScanItem || mode == Mode::kSkipNested) {
    keep = item_retained ? item_start : scan_resume;
  }
  if (obj_retained) keep = std::min(keep, obj_start);
  return keep;
}

void Framer::Impl::Finish() {
  if (mode == Mode::kSkipToken) mode = skip_then;  // an unterminated string
  if (!read_failed) {
    auto truncated = [&](const char* what, uint64_t offset, uint64_t index) {
      Error(offset, index,
            std::string("truncated: unterminated ") + what + " starting at offset " +
                std::to_string(offset));
    };
    switch (mode) {
      case Mode::kScanItem:
        truncated("object", item_start, item_index);
        break;
      case Mode::kSkipNested:
        if (skipping_element) {
          truncated("array", item_start, item_index);
        } else {
          truncated("object", obj_start, obj_index);
        }
        break;
      case Mode::kObjKey:
      case Mode::kObjColon:
      case Mode::kObjValue:
        truncated("object", obj_start, obj_index);
        break;
      case Mode::kArrElem:
        if (top_array) {
          truncated("array", array_start, item_index);
        } else {
          truncated("object", obj_start, obj_index);
        }
        break;
      default:
        break;
    }
  }
  mode = Mode::kDone;
  produced_anything =
      produced_anything || !batch->spans.empty() || !batch->errors.empty() || !batch->lists.empty();
  if (!produced_anything && !read_failed) {
    // An empty dump is far more often a failed `kubectl get` than a clean cluster.
    Error(
        0, 0,
        "no Kubernetes object found: the input is empty or holds no JSON object or YAML document");
  }
}

// For YAML input, spans and framing errors point at the YAML document they
// came from (the converted JSON stream is never seen by users). Conversion
// errors already carry YAML offsets.
void Framer::Impl::MapToYamlOffsets() {
  for (ObjectSpan& span : batch->spans) span.input_offset = yaml->YamlOffset(span.input_offset);
  size_t next_slot = 0;
  for (size_t i = 0; i < batch->errors.size(); ++i) {
    if (next_slot < yaml_error_slots.size() && yaml_error_slots[next_slot] == i) {
      ++next_slot;
      continue;
    }
    batch->errors[i].input_offset = yaml->YamlOffset(batch->errors[i].input_offset);
  }
}

bool Framer::Impl::Next(FramedBatch* out) {
  if (yaml_framer != nullptr) {
    const bool more = yaml_framer->Next(out);
    out->input = &input;
    return more;
  }
  out->Reset();
  out->input = &input;
  if (mode == Mode::kDone) return false;
  batch = out;
  list_slot = -1;
  yaml_error_slots.clear();
  out->bytes.resize(carry.size());
  if (carry.size() > 0) std::memcpy(out->bytes.data(), carry.data(), carry.size());
  base = carry_offset;
  // The positions of an indexed item carried over (maybe none yet) come first.
  uint32_t* carried = out->structurals.Reserve(carry_structurals.size());
  // memcpy from an empty vector's null data() is undefined, even for 0 bytes.
  if (!carry_structurals.empty()) {
    std::memcpy(carried, carry_structurals.data(), carry_structurals.size() * sizeof(uint32_t));
  }
  out->structurals.set_size(carry_structurals.size());
  item_structurals_begin = 0;
  carry_structurals.clear();
  for (;;) {
    if (!eof && ReadMore() == 0) eof = true;
    Frame();
    if (yaml_framer != nullptr) {
      batch = nullptr;
      return Next(out);  // the YAML framer took over
    }
    if (eof) {
      Finish();
      break;
    }
    bool has_output = !out->spans.empty() || !out->errors.empty() || !out->lists.empty();
    if (has_output && out->bytes.size() >= options.batch_bytes) break;
    if (out->spans.empty()) {
      // Nothing refers to the bytes before the keep point: drop them, so that
      // a huge skipped object or a long stretch of garbage needs no memory.
      uint64_t keep = KeepFrom();
      if (keep > base) {
        size_t drop = keep - base;
        size_t rest = out->bytes.size() - drop;
        std::memmove(out->bytes.data(), out->bytes.data() + drop, rest);
        out->bytes.resize(rest);
        base = keep;
      }
    }
  }
  produced_anything =
      produced_anything || !out->spans.empty() || !out->errors.empty() || !out->lists.empty();
  if (yaml != nullptr) MapToYamlOffsets();
  uint64_t keep = mode == Mode::kDone ? end() : KeepFrom();
  carry.resize(end() - keep);
  if (carry.size() > 0) std::memcpy(carry.data(), buf() + (keep - base), carry.size());
  carry_offset = keep;
  // An indexed item that straddles the batches keeps the positions found so
  // far: they are relative to the item's start, which is carried with it.
  if (IndexingItem()) {
    const uint32_t* from = out->structurals.data() + item_structurals_begin;
    const uint32_t* to = out->structurals.data() + out->structurals.size();
    carry_structurals.assign(from, to);
    out->structurals.set_size(item_structurals_begin);
  }
  if (yaml != nullptr) yaml->Prune(keep);
  batch = nullptr;
  // A batch that only consumed input (trailing whitespace) is still returned
  // so that input_bytes adds up to the input size.
  return !out->spans.empty() || !out->errors.empty() || !out->lists.empty() || out->input_bytes > 0;
}

Framer::Framer(const InputSpec& input, std::unique_ptr<ByteSource> source, FramerOptions options)
    : impl_(std::make_unique<Impl>(input, std::move(source), options)) {}

Framer::~Framer() = default;

bool Framer::Next(FramedBatch* batch) { return impl_->Next(batch); }

}  // namespace gatescan
