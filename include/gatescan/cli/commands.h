// commands.h — the three commands, from typed and validated options.
//
// cli.cc (the only user of Boost.Program_options) turns argv into these
// structs, rejecting bad values with a usage error; each Run* function then
// builds the stages, runs them and returns the exit code (SPEC §1: 0 clean,
// 1 deny violations, 2 errors). Results go to standard output, diagnostics
// and warnings to standard error. Called once per process, on one thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gatescan/cli/explain.h"
#include "gatescan/evaluate/evaluate.h"
#include "gatescan/inventory/inventory.h"
#include "gatescan/report/progress.h"
#include "gatescan/report/report.h"

namespace gatescan {

// What `scan` and `inventory` share: which policy, which inputs, which objects.
struct InputOptions {
  std::vector<std::string> policies;  // --policy
  std::vector<std::string> allow;     // --allow
  std::vector<std::string> inputs;    // files, directories, "-"; empty: standard input
  ScanFilter filter;                  // -n, --exclude-namespace, -l
  bool expand = false;
  MatchMode match = MatchMode::kGatekeeper;
  int threads = 0;
  ProgressMode progress = ProgressMode::kAuto;
  bool stats = false;
  uint64_t max_object_bytes = 256ull << 20;
  bool quiet = false;            // nothing on standard output
  bool strict = false;           // a warning makes the exit code 2
  bool strict_policies = false;  // a template that is not an image policy is an error
  int64_t errors_shown = 20;     // error records printed on standard error; -1: all
};

struct ScanCommand {
  InputOptions in;
  OutputFormat format = OutputFormat::kText;
  ReportOptions report;  // escape_control, color and timestamp are filled in by RunScan
  ProgressMode color = ProgressMode::kAuto;
  bool exit_zero = false;
  // Issue 15 (baselines): `gatescan baseline` writes the findings to
  // write_baseline ("-": standard output) instead of a report; --baseline
  // reads known findings from read_baseline.
  bool write_baseline_mode = false;
  std::string write_baseline;
  std::string read_baseline;
  // Issue 15 item 2: --summary rows per table (0: all; -1: no summary) and
  // --group-by workload.
  int64_t summary_rows = -1;
  bool group_by_workload = false;
};

struct DiffCommand {
  std::string old_path, new_path;
  bool ndjson = false;  // -o ndjson (default text)
};

struct InventoryCommand {
  InputOptions in;
  InventoryFormat format = InventoryFormat::kText;
  CsvLevel csv_level = CsvLevel::kRepository;  // --csv-level
  uint32_t suggest_ppm = 0;                    // --suggest, 0: none
  std::string selector;                        // -l as typed, stated by the report
};

struct ExplainCommand {
  std::vector<std::string> policies;
  std::vector<std::string> allow;
  std::vector<std::string> images;  // empty or {"-"}: one per line of standard input
  ExplainFormat format = ExplainFormat::kText;
  MatchMode match = MatchMode::kGatekeeper;
};

int RunScan(const ScanCommand& command);
int RunInventory(const InventoryCommand& command);
int RunExplain(const ExplainCommand& command);
int RunDiff(const DiffCommand& command);  // audit_commands.cc
// `gatescan diff` arguments (audit_commands.cc); returns the exit code.
int ParseDiff(const std::vector<std::string>& args);
// The version `--version` prints, also written into baselines.
inline constexpr const char* kGatescanVersion = "gatescan 0.1.0";

// "gatescan: <message>" on standard error.
void PrintError(const std::string& message);

}  // namespace gatescan
