// report.h — turns evaluated objects into output: one interface, one writer
// per format (src/report/<format>.cc).
//
// A Collector works in two halves so the pipeline needs no locks. Collect()
// and CollectError() are const and run in the parallel stage: they append
// one object's (or error's) records to that batch's chunk. Consume() and
// Finish() run in the serial, in-order output stage: streaming formats (text,
// ndjson, csv, audit-log) write chunks as they come; formats that need the
// whole result (gator's global sort, the audit List, the inventory) collect
// in Consume() and write in Finish(). Output goes through an OutputSink
// (sink.h). Error records also reach a Diagnostics sink (diagnostics.h),
// whatever the format; a format only carries them inline when it says so.
//
// Reporters are the Collectors of `gatescan scan`: they only format, and
// only objects with violations. The inventory is another Collector
// (inventory.h).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "gatescan/audit/finding.h"
#include "gatescan/common/status.h"
#include "gatescan/evaluate/evaluate.h"
#include "gatescan/extract/extract.h"
#include "gatescan/policy/policy.h"
#include "gatescan/report/record.h"
#include "gatescan/report/scan_summary.h"
#include "gatescan/report/sink.h"

namespace gatescan {

enum class OutputFormat {
  kText,
  kGator,
  kNdjson,
  kCsv,
  kAudit,
  kAuditLog,
  kSarif,
  kJunit,
  kPrometheus,
  kSummaryJson  // no Reporter: MakeSummaryCollector (summary.h) with no inner report
};
// Parses "text", "gator", ... ; false when unknown.
bool ParseOutputFormat(std::string_view name, OutputFormat* out);
// "text, gator, ndjson, csv, audit, audit-log, sarif, junit, prometheus, summary-json", for
// help and errors.
std::string_view OutputFormatNames();

struct ReportOptions {
  bool escape_control = false;     // text: show control characters escaped (a terminal)
  bool color = false;              // text: ANSI colour
  int64_t violations_limit = -1;   // audit: per-constraint cap; -1 unlimited
  bool truncate_messages = false;  // audit/audit-log: Gatekeeper's 256-byte cut
  std::string timestamp;           // RFC 3339 UTC, fixed per run (audit formats)
  bool baseline_column = false;    // csv: --baseline appends a "baseline" column (known/new)
  // --baseline's findings and owner edges, for the formats that mark known
  // findings themselves (JUnit: skipped cases; Prometheus: a "baseline"
  // label); null without --baseline. Must outlive the reporter.
  const FindingSet* known = nullptr;
  const OwnerEdges* known_edges = nullptr;
};

// What the pipeline hands evaluated objects and error records to.
class Collector {
 public:
  virtual ~Collector() = default;
  // Parallel stage: one object that passed the filters, with its violations.
  virtual void Collect(const EvaluatedObject& object, std::string* chunk) const = 0;
  // Parallel stage: an error record, for outputs that carry errors inline.
  virtual void CollectError(const ScanError& error, std::string* chunk) const {
    (void)error, (void)chunk;
  }
  // Serial stage, in input order.
  virtual Status Consume(std::string_view chunk, OutputSink* sink) { return sink->Write(chunk); }
  virtual Status Finish(const ScanSummary& summary, OutputSink* sink) = 0;
};

class Reporter : public Collector {
 public:
  // A clean object prints nothing in any scan format.
  void Collect(const EvaluatedObject& e, std::string* chunk) const final {
    FormatEveryObject(e, chunk);
    if (!e.violations.empty()) FormatObject(*e.object, e.violations, e.origin, chunk);
  }
  // Called for every object, clean ones too, before FormatObject: ndjson's
  // owner records (audit/finding.h), JUnit's passing cases (issue 15).
  virtual void FormatEveryObject(const EvaluatedObject& e, std::string* chunk) const {
    (void)e, (void)chunk;
  }
  void CollectError(const ScanError& error, std::string* chunk) const final {
    FormatError(error, chunk);
  }
  virtual void FormatObject(const ObjectRecord& object, std::span<const Violation> violations,
                            const RecordOrigin& origin, std::string* chunk) const = 0;
  // Formats that carry error records inline (ndjson) override this; for the
  // others Diagnostics is the only place they go.
  virtual void FormatError(const ScanError& error, std::string* chunk) const {
    (void)error, (void)chunk;
  }
  // Whether error records are part of this format's output.
  virtual bool errors_inline() const { return false; }
};

// nullptr for kSummaryJson.
std::unique_ptr<Reporter> MakeReporter(OutputFormat format, const Policy& policy,
                                       const ReportOptions& options);

}  // namespace gatescan
