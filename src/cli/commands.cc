// commands.cc — runs scan, inventory and explain from typed options
// (commands.h). No option parsing here: cli.cc has done it.
#include "gatescan/cli/commands.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "gatescan/audit/finding.h"
#include "gatescan/cli/warnings.h"
#include "gatescan/input/source.h"
#include "gatescan/pipeline/pipeline.h"
#include "gatescan/policy/policy.h"
#include "gatescan/report/baseline.h"
#include "gatescan/report/diagnostics.h"
#include "gatescan/report/sink.h"
#include "gatescan/report/summary.h"

namespace gatescan {
namespace {

std::string UtcTimestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool ReadsStandardInput(const std::vector<InputSpec>& inputs) {
  for (const InputSpec& input : inputs) {
    if (input.path == "-") return true;
  }
  return false;
}

// One line for someone who typed `gatescan` and waits: it is reading.
void HintWhenWaitingOnTerminal(const char* what) {
  if (isatty(STDIN_FILENO) == 0) return;
  PrintError(std::string("reading ") + what +
             " from standard input (the terminal); end with Ctrl-D, or name files: "
             "see gatescan --help");
}

// Loads the policy, lists the inputs, builds the evaluator and runs the
// pipeline into the collector `make_collector` returns; then says what was
// not checked. `need_constraints`: a scan without constraints is a usage
// error; an inventory is not.
int LoadAndScan(const InputOptions& in, bool need_constraints, const std::string& enforcement_point,
                bool errors_inline,
                const std::function<std::unique_ptr<Collector>(const Policy&)>& make_collector,
                ScanResult* result) {
  Warnings warnings;
  Policy policy;
  Status status = LoadPolicy(PolicyOptions{in.policies, in.allow, in.strict_policies}, &policy);
  if (!status.ok()) {
    PrintError(status.message());
    return kExitError;
  }
  if (policy.constraints.empty()) {
    // They often say why nothing loaded (an object that is no policy object).
    for (const auto& warning : policy.warnings) warnings.Add(warning);
    if (need_constraints) {
      PrintError(
          "no constraints to check: give --policy files with constraints, or --allow PREFIX");
      return kExitError;
    }
  }
  ScanOptions scan;
  status = ListInputs(in.inputs, &scan.inputs);
  if (!status.ok()) {
    PrintError(status.message());
    return kExitError;
  }
  scan.evaluate.expand = in.expand;
  scan.evaluate.match = in.match;
  if (!enforcement_point.empty()) scan.evaluate.enforcement_point = enforcement_point;
  scan.evaluate.filter = in.filter;
  scan.framer.max_object_bytes = in.max_object_bytes;
  scan.threads = in.threads;
  scan.progress = in.progress;
  scan.stats = in.stats;

  const Evaluator evaluator(policy, scan.evaluate);
  if (!policy.constraints.empty()) {
    for (const auto& warning : evaluator.Warnings()) warnings.Add(warning);
  }
  if (ReadsStandardInput(scan.inputs)) HintWhenWaitingOnTerminal("Kubernetes objects");
  std::unique_ptr<Collector> collector = make_collector(policy);
  std::unique_ptr<OutputSink> sink = in.quiet ? MakeNullSink() : MakeFdSink(STDOUT_FILENO);
  // -o ndjson carries error records inline: standard error only counts them.
  const bool inline_only = errors_inline && !in.quiet;
  StreamDiagnostics to_stderr(stderr, in.errors_shown);
  CountingDiagnostics counted;
  Diagnostics* diagnostics = inline_only ? static_cast<Diagnostics*>(&counted) : &to_stderr;
  *result = RunScan(scan, evaluator, collector.get(), sink.get(), diagnostics);
  if (!result->status.ok()) PrintError(result->status.message());
  if (result->errored) {
    PrintError(std::to_string(result->summary.errors) + " error(s) while scanning" +
               (inline_only ? "; see the error records in the output" : ""));
  }
  if (result->status.ok()) WarnAboutScan(in, policy, scan.inputs, *result, &warnings);
  if (in.strict && warnings.count() > 0) {
    PrintError("--strict: " + std::to_string(warnings.count()) + " warning(s)");
    return kExitError;
  }
  return result->exit_code();
}

}  // namespace

void PrintError(const std::string& message) {
  std::fprintf(stderr, "gatescan: %s\n", message.c_str());
}

int RunScan(const ScanCommand& command) {
  ReportOptions report = command.report;
  report.timestamp = UtcTimestamp();
  const bool stdout_tty = isatty(STDOUT_FILENO) != 0;
  report.escape_control = stdout_tty;
  const char* no_color = std::getenv("NO_COLOR");
  report.color = command.color == ProgressMode::kAlways ||
                 (command.color == ProgressMode::kAuto && stdout_tty &&
                  (no_color == nullptr || *no_color == '\0'));
  const std::string point =
      command.format == OutputFormat::kGator ? std::string(kGatorEnforcementPoint) : "";
  ScanResult result;
  FindingSet known;
  OwnerEdges known_edges;
  if (!command.read_baseline.empty()) {
    if (Status s = ReadFindings(command.read_baseline, &known, &known_edges); !s.ok()) {
      PrintError("--baseline: " + s.message());
      return kExitError;
    }
  }
  std::atomic<bool> new_denied{false};
  const bool baseline = !command.read_baseline.empty();
  report.baseline_column = baseline && command.format == OutputFormat::kCsv;
  if (baseline) {
    report.known = &known;
    report.known_edges = &known_edges;
  }
  InputOptions in = command.in;
  // -q --summary: the tables are the one output -q keeps; -o summary-json
  // has no report under its summary.
  const bool summary_only = command.summary_rows >= 0 && in.quiet;
  const bool summary_json = command.format == OutputFormat::kSummaryJson && !summary_only;
  if (summary_only) in.quiet = false;
  int code = LoadAndScan(
      in, /*need_constraints=*/true, point,
      command.format == OutputFormat::kNdjson && !command.write_baseline_mode && !summary_only,
      [&](const Policy& policy) -> std::unique_ptr<Collector> {
        if (command.write_baseline_mode) {
          return MakeBaselineWriter(policy, command.write_baseline, report.timestamp,
                                    kGatescanVersion);
        }
        SummaryOptions summary;
        summary.json = summary_json;
        summary.rows = command.summary_rows > 0 ? static_cast<size_t>(command.summary_rows) : 0;
        if (baseline) {
          summary.known = &known;
          summary.edges = &known_edges;
        }
        if (summary_only || summary_json) {
          summary.new_denied = &new_denied;
          return MakeSummaryCollector(nullptr, policy, summary);
        }
        std::unique_ptr<Collector> report_collector;
        std::unique_ptr<Reporter> reporter = MakeReporter(command.format, policy, report);
        if (command.group_by_workload) {
          report_collector =
              MakeGroupCollector(std::move(reporter), command.format, policy, report,
                                 baseline ? &known : nullptr, &known_edges, &new_denied);
        } else if (baseline) {
          report_collector = MakeBaselineMarker(std::move(reporter), command.format, policy, &known,
                                                &known_edges, &new_denied);
        } else {
          report_collector = std::move(reporter);
        }
        if (command.summary_rows < 0) return report_collector;
        return MakeSummaryCollector(std::move(report_collector), policy, summary);
      },
      &result);
  // With a baseline only new findings deny; errors still exit 2.
  if (baseline && code == kExitViolations && !new_denied.load()) {
    code = kExitClean;
  }
  if (command.write_baseline_mode && code == kExitViolations) code = kExitClean;
  return code == kExitViolations && command.exit_zero ? kExitClean : code;
}

int RunInventory(const InventoryCommand& command) {
  ScanResult result;
  return LoadAndScan(
      command.in, /*need_constraints=*/false, "", /*errors_inline=*/false,
      [&](const Policy& policy) {
        InventoryOptions options;
        options.format = command.format;
        options.csv_level = command.csv_level;
        options.match = command.in.match;
        options.suggest_ppm = command.suggest_ppm;
        InventoryInputs& in = options.inputs;
        in.files = command.in.inputs;
        in.policies = command.in.policies;
        in.allow = command.in.allow;
        in.namespaces = command.in.filter.namespaces;
        in.excluded_namespaces = command.in.filter.excluded_namespaces;
        in.selector = command.selector;
        in.expand = command.in.expand;
        in.version = kGatescanVersion;
        in.date = UtcTimestamp();
        return MakeInventoryCollector(options, policy.constraints.empty() ? nullptr : &policy);
      },
      &result);
}

int RunExplain(const ExplainCommand& command) {
  std::vector<std::string> images = command.images;
  if (images.size() == 1 && images[0] == "-") {
    images.clear();
    HintWhenWaitingOnTerminal("images");
    std::string line;
    while (std::getline(std::cin, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      images.push_back(line);
    }
  }
  Policy policy;
  std::unique_ptr<Evaluator> evaluator;
  if (!command.policies.empty() || !command.allow.empty()) {
    const Status status = LoadPolicy(PolicyOptions{command.policies, command.allow}, &policy);
    if (!status.ok()) {
      PrintError(status.message());
      return kExitError;
    }
    EvaluateOptions options;
    options.match = command.match;
    evaluator = std::make_unique<Evaluator>(policy, options);
  }
  std::string out;
  bool flagged = false;
  for (const auto& image : images) {
    ExplainImage(image, evaluator.get(), command.format, &out);
    if (evaluator) {
      for (const auto& v : evaluator->Verdicts(image)) flagged = flagged || !v.allowed;
    }
  }
  auto sink = MakeFdSink(STDOUT_FILENO);
  Status status = sink->Write(out);
  if (status.ok()) status = sink->Flush();
  if (!status.ok()) {
    PrintError(status.message());
    return kExitError;
  }
  return flagged ? kExitViolations : kExitClean;
}

}  // namespace gatescan
