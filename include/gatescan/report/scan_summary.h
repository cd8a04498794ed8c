// scan_summary.h — the counts of one scan, shared by reporters, the progress
// line and the CLI.
//
// Filled by the pipeline's serial output stage and handed, complete, to
// Reporter::Finish, PrintStats and the CLI's warnings. Plain data.
#pragma once

#include <cstdint>

namespace gatescan {

struct ScanSummary {
  uint64_t inputs = 0;
  uint64_t bytes = 0;
  uint64_t objects = 0;
  uint64_t containers = 0;
  uint64_t violations = 0;
  uint64_t errors = 0;
  double seconds = 0;
};

}  // namespace gatescan
