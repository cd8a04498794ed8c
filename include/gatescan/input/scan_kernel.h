// scan_kernel.h — the one seam between the framer and the CPU.
//
// A kernel finds where a JSON value ends (the byte that brings the bracket
// depth back to zero, outside strings) and, optionally, does simdjson's
// stage 1 for it on the way (structural positions exactly as stage 1 finds
// them). Kernels: a portable C++ one, always built, and SSE2, AVX2 and
// AVX-512 (BW and VBMI2) ones on x86-64 unless GATESCAN_PORTABLE is set. One is chosen at
// run time (the widest the CPU has) in one place, `ActiveKernel()`; the
// environment variable GATESCAN_KERNEL=generic|sse2|avx2|avx512 overrides the
// choice (the tests run each suite once per kernel with it). Asking for a
// kernel that is unknown, not built or not supported by the CPU is an error:
// `KernelOverrideError()` says why, and the framer reports it as the input's
// only error instead of scanning.
//
// Kernels are stateless functions; all state is in the caller's ScanState and
// IndexState, so any thread may call them. ActiveKernel() is thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gatescan {

inline constexpr uint64_t kNotFound = ~uint64_t{0};

// Carried between 64-byte blocks and between batches while one value is scanned.
struct ScanState {
  uint64_t depth = 0;
  uint64_t prev_in_string = 0;  // all ones when the previous block ended inside a string
  uint64_t prev_escaped = 0;    // 1 when the previous block ended with an odd backslash run
};

// Carried while one value is indexed.
struct IndexState {
  uint64_t prev_scalar = 0;  // 1 when the last byte scanned was a non-quote scalar
  // One past the last backslash committed so far, relative to `item` (0:
  // none): past it the extractor needs no search for escapes.
  uint64_t backslash_end = 0;
  bool control_in_string = false;
  bool non_ascii = false;
  // An escape other than \" \\ \/ \b \f \n \r \t was committed (\u
  // included): only without one may the extractor skip its escape checks.
  bool unusual_escape = false;
};

// Scans data[*resume, len) for the byte that brings the depth back to zero
// and returns the offset just past it, or kNotFound. Whole 64-byte blocks
// update *state and *resume (where scanning continues once more bytes
// arrive); a final partial block is examined with a copy of the state.
// Requires 64 readable bytes after data[len].
using ScanFn = uint64_t (*)(const char* data, uint64_t len, uint64_t* resume, ScanState* state);

// As ScanFn for the value starting at data[item]; also appends the stage-1
// positions (relative to `item`) of every block it commits, and of the final
// block up to the value's end, at *tail, and records control bytes in strings,
// bytes >= 0x80, where the last backslash ends and unusual escapes in *index. The caller
// reserves len - *resume + 128 entries.
using IndexFn = uint64_t (*)(const char* data, uint64_t len, uint64_t* resume, ScanState* state,
                             IndexState* index, uint64_t item, uint32_t** tail);

struct ScanKernel {
  const char* name;  // as GATESCAN_KERNEL spells it
  ScanFn scan;
  // Null where indexing in the framer does not pay (the extractor then runs
  // simdjson's own stage 1).
  IndexFn index;
};

// The kernel every framer uses: GATESCAN_KERNEL's, or the widest the CPU runs.
const ScanKernel& ActiveKernel();

// Empty, or why GATESCAN_KERNEL cannot be honoured (then ActiveKernel() is
// the generic kernel, and framers report this error instead of scanning).
const std::string& KernelOverrideError();

// Every kernel built into this binary that the CPU can run, generic first.
std::vector<const ScanKernel*> SupportedKernels();

// The built kernel of that name, or null; `cpu_ok` says whether the CPU runs it.
const ScanKernel* FindKernel(std::string_view name, bool* cpu_ok);

// The portable indexer (a byte loop): the reference the SIMD indexers are
// tested against. The generic kernel does not index in the framer: there
// simdjson's own stage 1 (NEON on aarch64) is several times faster.
IndexFn ReferenceIndex();

}  // namespace gatescan
