// scan_summary.h — the counts of one scan, shared by reporters, the progress
// line and the CLI.
//
// Filled by the pipeline's serial output stage and handed, complete, to
// Reporter::Finish, PrintStats and the CLI's warnings. Plain data.
#pragma once

#include <cstdint>

namespace gatescan {

// Thread-seconds spent in each pipeline stage, summed over the threads that
// ran it (at -j1 they split the run's time): reading and framing the input,
// extracting records, evaluating and formatting, writing the output.
struct StageSeconds {
  double read_frame = 0;
  double extract = 0;
  double evaluate_format = 0;
  double output = 0;
};

struct ScanSummary {
  uint64_t inputs = 0;
  uint64_t bytes = 0;
  uint64_t objects = 0;
  uint64_t containers = 0;
  uint64_t violations = 0;
  uint64_t errors = 0;
  double seconds = 0;
  StageSeconds stages;  // for --stats
};

}  // namespace gatescan
