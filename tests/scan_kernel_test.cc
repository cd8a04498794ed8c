// Every scan kernel against the generic one, on random buffers fed in random
// pieces (as reads arrive), with random bytes after the end of the data: the
// same end found, the same state carried, the same stage-1 positions and
// flags; the reference's backslash_end and unusual_escape also against the
// bytes. (framer_test
// checks the indexed positions against simdjson itself.)
#include "gatescan/input/scan_kernel.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace gatescan {
namespace {

// Mostly JSON syntax, with backslash runs, control and high bytes.
std::string RandomBuffer(std::mt19937_64& rng, size_t n) {
  static const std::string kAlphabet =
      "{}[]{}[]\"\"\"\\\\:, \n\t\rab01-.\x01\x0c\x1a\x1f\x80\xc3\xff";
  // Escapes of every kind, mostly the two-byte ones JSON has.
  static const std::string kEscaped = "\"\\/bfnrtbnu\"nAqBRdv0\x7f\x80 ";
  std::string s;
  while (s.size() < n) {
    if (rng() % 16 == 0) {
      s.append(rng() % 9, '\\');  // runs that cross block boundaries
    } else if (rng() % 4 == 0) {
      s.push_back('\\');
      s.push_back(kEscaped[rng() % kEscaped.size()]);
    } else {
      s.push_back(kAlphabet[rng() % kAlphabet.size()]);
    }
  }
  s.resize(n);
  return s;
}

struct KernelRun {
  std::vector<uint64_t> found;  // per call
  std::vector<uint64_t> resume;
  std::vector<ScanState> states;
  std::vector<uint32_t> positions;
  IndexState index;
};

KernelRun Feed(ScanFn scan, IndexFn index, bool indexing, const std::string& padded, uint64_t item,
               const std::vector<uint64_t>& lengths) {
  KernelRun run;
  ScanState state;
  uint64_t resume = item;
  std::vector<uint32_t> positions(padded.size() + 256);
  uint32_t* tail = positions.data();
  for (uint64_t len : lengths) {
    uint64_t found;
    if (indexing) {
      found = index(padded.data(), len, &resume, &state, &run.index, item, &tail);
    } else {
      found = scan(padded.data(), len, &resume, &state);
    }
    run.found.push_back(found);
    run.resume.push_back(resume);
    run.states.push_back(state);
    if (found != kNotFound) break;
  }
  if (indexing) run.positions.assign(positions.data(), tail);
  return run;
}

void ExpectSame(const KernelRun& a, const KernelRun& b, const std::string& what) {
  ASSERT_EQ(a.found, b.found) << what;
  ASSERT_EQ(a.resume, b.resume) << what;
  for (size_t i = 0; i < a.states.size(); ++i) {
    EXPECT_EQ(a.states[i].depth, b.states[i].depth) << what << " call " << i;
    EXPECT_EQ(a.states[i].prev_in_string, b.states[i].prev_in_string) << what << " call " << i;
    EXPECT_EQ(a.states[i].prev_escaped, b.states[i].prev_escaped) << what << " call " << i;
  }
  EXPECT_EQ(a.positions, b.positions) << what;
  // Once the value's end is found its carry is never used (kernels may
  // differ there on bytes past the end).
  if (a.found.back() == kNotFound) {
    EXPECT_EQ(a.index.prev_scalar, b.index.prev_scalar) << what;
  }
  EXPECT_EQ(a.index.control_in_string, b.index.control_in_string) << what;
  EXPECT_EQ(a.index.non_ascii, b.index.non_ascii) << what;
  EXPECT_EQ(a.index.backslash_end, b.index.backslash_end) << what;
  EXPECT_EQ(a.index.unusual_escape, b.index.unusual_escape) << what;
}

// IndexState::backslash_end computed from the bytes: one past the last
// backslash of what the run committed (up to the value's end once found).
uint64_t BackslashEnd(const KernelRun& run, const std::string& padded, uint64_t item) {
  const uint64_t end = run.found.back() != kNotFound ? run.found.back() : run.resume.back();
  for (uint64_t i = end; i > item; --i) {
    if (padded[i - 1] == '\\') return i - item;
  }
  return 0;
}

// IndexState::unusual_escape computed from the bytes: whether, reading the
// committed bytes left to right, a backslash escapes a byte other than
// " \ / b f n r t (an escaped byte past what was committed is not judged yet).
bool UnusualEscape(const KernelRun& run, const std::string& padded, uint64_t item) {
  const uint64_t end = run.found.back() != kNotFound ? run.found.back() : run.resume.back();
  for (uint64_t i = item; i + 1 < end; ++i) {
    if (padded[i] != '\\') continue;
    if (std::string_view("\"\\/bfnrt").find(padded[i + 1]) == std::string_view::npos) return true;
    ++i;
  }
  return false;
}

TEST(ScanKernelTest, EveryKernelAgreesWithTheGenericOneOnRandomBuffers) {
  bool cpu_ok = false;
  const ScanKernel* generic = FindKernel("generic", &cpu_ok);
  ASSERT_NE(generic, nullptr);
  ASSERT_TRUE(cpu_ok);
  std::mt19937_64 rng(1234);
  const std::vector<const ScanKernel*> kernels = SupportedKernels();
  for (int round = 0; round < 4000; ++round) {
    const uint64_t prefix = rng() % 3 == 0 ? rng() % 130 : 0;
    const uint64_t body = 1 + rng() % (round % 10 == 0 ? 2000 : 300);
    std::string padded = RandomBuffer(rng, prefix) + "{" + RandomBuffer(rng, body - 1);
    const uint64_t n = padded.size();
    padded += RandomBuffer(rng, 64);  // what lies past the data must not matter
    std::vector<uint64_t> lengths;
    for (uint64_t len = prefix; len < n;) {
      len = std::min<uint64_t>(n, len + 1 + rng() % (rng() % 2 ? 200 : 20));
      lengths.push_back(len);
    }
    for (bool indexing : {false, true}) {
      const KernelRun expected =
          Feed(generic->scan, ReferenceIndex(), indexing, padded, prefix, lengths);
      if (indexing) {
        ASSERT_EQ(expected.index.backslash_end, BackslashEnd(expected, padded, prefix))
            << "reference index, round " << round;
        ASSERT_EQ(expected.index.unusual_escape, UnusualEscape(expected, padded, prefix))
            << "reference index, round " << round;
      }
      for (const ScanKernel* kernel : kernels) {
        if (indexing && kernel->index == nullptr) continue;
        ASSERT_NO_FATAL_FAILURE(ExpectSame(
            Feed(kernel->scan, kernel->index, indexing, padded, prefix, lengths), expected,
            std::string(kernel->name) + (indexing ? " index" : " scan") + " round " +
                std::to_string(round)));
      }
    }
  }
}

TEST(ScanKernelTest, TheActiveKernelIsTheOverrideOrTheWidest) {
  const char* wanted = std::getenv("GATESCAN_KERNEL");
  if (wanted != nullptr && *wanted != '\0') {
    EXPECT_STREQ(ActiveKernel().name, wanted);
  } else {
    EXPECT_EQ(&ActiveKernel(), SupportedKernels().back());
  }
  EXPECT_STREQ(SupportedKernels().front()->name, "generic");
}

TEST(ScanKernelTest, UnknownOrUnsupportedKernelsAreNamedAsSuch) {
  bool cpu_ok = true;
  EXPECT_EQ(FindKernel("avx1024", &cpu_ok), nullptr);
  EXPECT_FALSE(cpu_ok);
  // An override the framer cannot honour is reported as the input's error:
  // see FramerTest.KernelOverrideThatCannotBeHonouredIsAnError.
}

}  // namespace
}  // namespace gatescan
