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

#include <array>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
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

// Workload kinds whose pod template only --expand checks (as Gatekeeper's
// ExpansionTemplates do); ScanResult counts them when --expand is off.
inline constexpr std::string_view kWorkloadKinds[] = {
    "Deployment", "StatefulSet",           "DaemonSet",   "ReplicaSet",
    "Job",        "ReplicationController", "PodTemplate", "CronJob"};
inline constexpr size_t kWorkloadKindCount = std::size(kWorkloadKinds);

struct ScanResult {
  ScanSummary summary;
  // For the warnings about what was not checked (cli/warnings).
  std::vector<uint64_t> objects_per_input;  // parallel to ScanOptions::inputs
  std::vector<uint64_t> errors_per_input;
  uint64_t selected = 0;  // objects that passed the scan filters (-n, -l, Config ...)
  // Whether some selected object matched some constraint's spec.match (or,
  // with --expand, carries a pod template). Only meaningful when no
  // violation was found: counting stops at the first match.
  bool constraint_matched = false;
  // Selected objects of kWorkloadKinds, by kind, when --expand is off.
  std::array<uint64_t, kWorkloadKindCount> unexpanded_workloads{};
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
