// progress.h — the progress bar and the --stats summary, on standard error.
//
// The pipeline's serial output stage reports each batch it writes; Progress
// redraws at most a few times a second (bytes, objects, violations, GB/s and
// an ETA when the input size is known). Used from one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "gatescan/input/source.h"
#include "gatescan/report/scan_summary.h"

namespace gatescan {

enum class ProgressMode { kAuto, kAlways, kNever };

class Progress {
 public:
  Progress();
  void StartInput(const InputSpec& input, uint64_t size_hint);
  void Advance(uint64_t bytes, uint64_t objects, uint64_t violations);
  void Finish();

 private:
  void Draw(bool final);
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  const InputSpec* input_ = nullptr;
  uint64_t input_size_ = 0;
  uint64_t input_bytes_ = 0;
  uint64_t bytes_ = 0;
  uint64_t objects_ = 0;
  uint64_t violations_ = 0;
  bool drawn_ = false;
};

// nullptr when no bar should be shown (kNever, or kAuto and stderr is not a terminal).
std::unique_ptr<Progress> MakeProgress(ProgressMode mode);

// The --stats lines: inputs, bytes, objects, containers, violations, errors,
// seconds, GB/s; then the thread-seconds of each pipeline stage.
void PrintStats(const ScanSummary& summary, int threads);

}  // namespace gatescan
