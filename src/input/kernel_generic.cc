// kernel_generic.cc — the portable kernel: the masks of each 64-byte block
// built a byte at a time, then the shared bit arithmetic of kernel_bits.h.
// Always built (the only kernel under GATESCAN_PORTABLE, e.g. on aarch64),
// and the reference the SIMD kernels are tested against.

#include "kernel_bits.h"

namespace gatescan::kernels {
namespace {

struct Masks {
  uint64_t quote = 0, backslash = 0, open = 0, close = 0;  // brackets: '{' '[' and '}' ']'
  uint64_t op = 0, space = 0, control = 0, high = 0;       // for stage 1
  uint64_t simple_escape = 0;  // bytes that may follow a backslash, but u
};

// simdjson's op table: ':' '{' ',' '}' at 0xa-0xd; (b | 0x20) == kOpTable[b & 15].
constexpr unsigned char kOpTable[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', '{', ',', '}', 0, 0};

// The masks of data[0, n), n <= 64; bytes past n are not looked at.
Masks MasksOf(const char* data, uint64_t n, bool with_stage1) {
  Masks m;
  for (uint64_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(data[i]);
    const uint64_t bit = uint64_t{1} << i;
    const unsigned char folded = c | 0x20;
    if (c == '"') m.quote |= bit;
    if (c == '\\') m.backslash |= bit;
    if (folded == '{') m.open |= bit;
    if (folded == '}') m.close |= bit;
    if (with_stage1) {
      if (folded == kOpTable[c & 15]) m.op |= bit;
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') m.space |= bit;
      if (c < 0x20) m.control |= bit;
      if (c >= 0x80) m.high |= bit;
      if (IsJsonSimpleEscape(c)) m.simple_escape |= bit;
    }
  }
  return m;
}

// One block with the committed state `st`; the in-string mask goes to
// *in_string, the escaped bytes to *escaped.
int Step(const Masks& m, ScanState* st, uint64_t* quote, uint64_t* in_string, uint64_t* escaped) {
  *escaped =
      (m.backslash | st->prev_escaped) == 0 ? 0 : EscapedMask(m.backslash, &st->prev_escaped);
  *quote = m.quote & ~*escaped;
  *in_string = PortablePrefixXor(*quote) ^ st->prev_in_string;
  st->prev_in_string = LastBitEverywhere(*in_string);
  return DepthStep(m.open & ~*in_string, m.close & ~*in_string, &st->depth);
}

}  // namespace

uint64_t ScanGeneric(const char* data, uint64_t len, uint64_t* resume, ScanState* state) {
  uint64_t pos = *resume;
  for (; pos < len; pos += 64) {
    const uint64_t n = len - pos < 64 ? len - pos : 64;
    // A partial block is examined with a copy of the state: bytes past len
    // are not the value's (yet).
    ScanState st = *state;
    uint64_t quote, in_string, escaped;
    const int hit = Step(MasksOf(data + pos, n, false), &st, &quote, &in_string, &escaped);
    if (hit >= 0) {
      *state = st;
      *resume = pos + static_cast<uint64_t>(hit) + 1;
      return *resume;
    }
    if (n < 64) break;
    *state = st;
    *resume = pos + 64;
  }
  return kNotFound;
}

uint64_t IndexGeneric(const char* data, uint64_t len, uint64_t* resume, ScanState* state,
                      IndexState* index, uint64_t item, uint32_t** tail) {
  uint64_t pos = *resume;
  uint32_t* out = *tail;
  for (; pos < len; pos += 64) {
    const uint64_t n = len - pos < 64 ? len - pos : 64;
    ScanState st = *state;
    uint64_t prev_scalar = index->prev_scalar;
    uint64_t quote, in_string, escaped;
    const Masks m = MasksOf(data + pos, n, true);
    const int hit = Step(m, &st, &quote, &in_string, &escaped);
    const uint64_t valid = n == 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
    // Bytes past n are neither op nor space: scalars, which the valid mask drops.
    const uint64_t keep = hit >= 0 ? ThroughBit(hit) : valid;
    if (hit < 0 && n < 64) break;
    uint64_t structural = Stage1Structurals(m.op, m.space, quote, in_string, &prev_scalar) & keep;
    for (; structural != 0; structural &= structural - 1) {
      *out++ =
          static_cast<uint32_t>(pos - item) + static_cast<uint32_t>(__builtin_ctzll(structural));
    }
    index->control_in_string |= (m.control & in_string & keep) != 0;
    index->non_ascii |= (m.high & keep) != 0;
    index->unusual_escape |= (escaped & ~m.simple_escape & keep) != 0;
    if ((m.backslash & keep) != 0) {
      index->backslash_end = BackslashEnd(pos - item, m.backslash & keep);
    }
    index->prev_scalar = prev_scalar;
    *state = st;
    if (hit >= 0) {
      *tail = out;
      *resume = pos + static_cast<uint64_t>(hit) + 1;
      return *resume;
    }
    *resume = pos + 64;
  }
  *tail = out;
  return kNotFound;
}

}  // namespace gatescan::kernels
