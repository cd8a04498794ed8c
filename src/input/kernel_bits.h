// kernel_bits.h — the bit arithmetic every scan kernel shares (private to
// src/input/).
//
// A kernel turns each 64-byte block into bitmasks (one bit per byte) with
// whatever instructions it has; from there on the work is plain 64-bit
// arithmetic, written once here: which quotes are escaped (simdjson's
// odd-backslash-run trick), the bracket depth walk, and stage 1's rule for
// which bytes are structural. These functions use no intrinsics and are
// always_inline, so each kernel's `target` attribute applies to them where
// they are inlined. Also the kernels' entry points, for the selector.
#pragma once

#include <cstdint>

#include "gatescan/common/json_text.h"
#include "gatescan/input/scan_kernel.h"

#if defined(__x86_64__) && !defined(GATESCAN_PORTABLE)
#define GATESCAN_X86_KERNELS 1
#endif

namespace gatescan::kernels {

// IndexState::backslash_end for a block at `block` (relative to the item)
// whose kept backslashes are `backslash` (not 0).
inline __attribute__((always_inline)) uint64_t BackslashEnd(uint64_t block, uint64_t backslash) {
  return block + 64 - static_cast<uint64_t>(__builtin_clzll(backslash));
}

// The bytes that may follow a backslash in a two-byte escape (common/
// json_text.h's list; not u, whose hex digits a block mask cannot check),
// for the SIMD kernels' nibble lookup: a byte is one of them exactly when
// the entries for its low and its high nibble share a bit. Three of them end
// in nibble 2, so one table cannot tell them apart. Bytes >= 0x80 never
// match (pshufb gives them 0), which the check below includes.
inline constexpr uint8_t kSimpleEscapeLow[16] = {0, 0, 1 | 4 | 8, 0, 8, 0, 4, 0,
                                                 0, 0, 0,         0, 2, 0, 4, 1};
inline constexpr uint8_t kSimpleEscapeHigh[16] = {0, 0, 1, 0, 0, 2, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0};
constexpr bool NibbleTablesAreTheList() {
  for (int c = 0; c < 256; ++c) {
    const bool table = c < 0x80 && (kSimpleEscapeLow[c & 15] & kSimpleEscapeHigh[c >> 4]) != 0;
    if (table != IsJsonSimpleEscape(static_cast<uint8_t>(c))) return false;
  }
  return true;
}
static_assert(NibbleTablesAreTheList(), "the nibble tables must give exactly JSON's escapes");

// Characters escaped by a backslash, given the backslash mask: runs starting
// on even and odd bits are told apart with one addition.
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

// Bit i is the XOR of bits 0..i: inside-string bits from the quote mask (the
// SIMD kernels use a carry-less multiply for it instead).
inline __attribute__((always_inline)) uint64_t PortablePrefixXor(uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

// All ones when the block ends inside a string.
inline __attribute__((always_inline)) uint64_t LastBitEverywhere(uint64_t in_string) {
  return static_cast<uint64_t>(static_cast<int64_t>(in_string) >> 63);
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

struct DepthWalk {
  uint64_t depth;
  int hit;  // as DepthStep's result
};

// DepthStep's walk for the block that may close the value (the caller
// counted at most as many closing brackets as the depth), out of the SIMD
// kernels' hot loops. Not inlined, so it has no kernel's target: it counts
// nothing (a popcount here was a libgcc call).
__attribute__((noinline, cold)) inline DepthWalk WalkBrackets(uint64_t open, uint64_t close,
                                                              uint64_t depth) {
  for (uint64_t structural = open | close; structural != 0; structural &= structural - 1) {
    const int i = __builtin_ctzll(structural);
    if ((open >> i) & 1) {
      ++depth;
    } else if (--depth == 0) {
      return {depth, i};
    }
  }
  return {depth, -1};
}

// Bits 0..hit.
inline __attribute__((always_inline)) uint64_t ThroughBit(int hit) {
  return hit == 63 ? ~uint64_t{0} : (uint64_t{2} << hit) - 1;
}

// simdjson's stage 1 per block: `op` is the bytes b with (b | 0x20) ==
// optable[b & 15] (the brackets, ':' and ',', and also 0x0c and 0x1a, as
// simdjson classifies), `space` is ' ' '\t' '\n' '\r', a scalar is neither,
// and a scalar start is a scalar not right after a non-quote scalar byte;
// structural = (op | scalar start) outside strings, opening quotes included.
// `quote` has the escaped quotes removed; *prev_scalar carries between blocks.
inline __attribute__((always_inline)) uint64_t Stage1Structurals(uint64_t op, uint64_t space,
                                                                 uint64_t quote, uint64_t in_string,
                                                                 uint64_t* prev_scalar) {
  const uint64_t scalar = ~(op | space);
  const uint64_t nonquote_scalar = scalar & ~quote;
  const uint64_t follows_scalar = nonquote_scalar << 1 | *prev_scalar;
  *prev_scalar = nonquote_scalar >> 63;
  return (op | (scalar & ~follows_scalar)) & ~(in_string ^ quote);
}

// Entry points, picked by kernel_select.cc.
uint64_t ScanGeneric(const char* data, uint64_t len, uint64_t* resume, ScanState* state);
uint64_t IndexGeneric(const char* data, uint64_t len, uint64_t* resume, ScanState* state,
                      IndexState* index, uint64_t item, uint32_t** tail);
#ifdef GATESCAN_X86_KERNELS
uint64_t ScanSse2(const char* data, uint64_t len, uint64_t* resume, ScanState* state);
uint64_t ScanAvx2(const char* data, uint64_t len, uint64_t* resume, ScanState* state);
uint64_t IndexAvx2(const char* data, uint64_t len, uint64_t* resume, ScanState* state,
                   IndexState* index, uint64_t item, uint32_t** tail);
uint64_t ScanAvx512(const char* data, uint64_t len, uint64_t* resume, ScanState* state);
uint64_t IndexAvx512(const char* data, uint64_t len, uint64_t* resume, ScanState* state,
                     IndexState* index, uint64_t item, uint32_t** tail);

// tzcnt and popcnt for the indexing loops (only where BMI1 and POPCNT are
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
inline constexpr int kUnconditionalPositions = 6;

// Appends base + the position of every set bit of `bits`. Writes up to 16
// entries from `out` when there are fewer (the caller reserves them; tzcnt of
// 0 is 64, so they are harmless).
__attribute__((always_inline)) inline uint32_t* WritePositions(uint32_t* out, uint32_t base,
                                                               uint64_t bits) {
  const int count = static_cast<int>(Popcnt(bits));
  for (int i = 0; i < kUnconditionalPositions; ++i) {
    out[i] = base + static_cast<uint32_t>(Tzcnt(bits));
    bits &= bits - 1;
  }
  if (count > kUnconditionalPositions) [[unlikely]] {
    for (int i = kUnconditionalPositions; i < 16; ++i) {
      out[i] = base + static_cast<uint32_t>(Tzcnt(bits));
      bits &= bits - 1;
    }
    for (int i = 16; i < count; ++i) {
      out[i] = base + static_cast<uint32_t>(Tzcnt(bits));
      bits &= bits - 1;
    }
  }
  return out + count;
}
#endif

}  // namespace gatescan::kernels
