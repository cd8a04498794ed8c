// pipeline.h — the scan: source -> framer -> extractor -> evaluator ->
// collector (a reporter or the inventory).
//
// RunScan streams every input through a oneTBB parallel_pipeline: a serial
// stage reads and frames whole objects into batches, a parallel stage
// extracts each batch (one simdjson parser per thread), then evaluates it
// (filters, constraints, counts) and only then hands the selected objects and
// the error records to the collector to format; a serial_in_order stage only
// writes, and gives every error record to the Diagnostics sink, so the output
// is the same at any thread count. A fixed number of batches circulate (recycled, never
// reallocated), which bounds memory by threads x batch size plus the largest
// object. One bad object becomes an error record; the scan goes on.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gatescan/common/status.h"
#include "gatescan/evaluate/evaluate.h"
#include "gatescan/input/framer.h"
#include "gatescan/input/source.h"
#include "gatescan/policy/policy.h"
#include "gatescan/report/diagnostics.h"
#include "gatescan/report/progress.h"
#include "gatescan/report/report.h"

namespace gatescan {

struct ScanOptions {
  std::vector<InputSpec> inputs;
  EvaluateOptions evaluate;
  FramerOptions framer;
  int threads = 0;  // 0: all hardware threads
  ProgressMode progress = ProgressMode::kNever;
  bool stats = false;  // print a summary on standard error
};

struct ScanResult {
  ScanSummary summary;
  bool denied = false;   // at least one deny violation
  bool errored = false;  // at least one error record or I/O failure
  Status status;         // a fatal problem (output failure); records are not fatal
  int exit_code() const;
};

// `diagnostics` may be null (the error records are then only counted and,
// when the collector carries them, in the output).
ScanResult RunScan(const ScanOptions& options, const Evaluator& evaluator, Collector* collector,
                   OutputSink* sink, Diagnostics* diagnostics = nullptr);

}  // namespace gatescan
