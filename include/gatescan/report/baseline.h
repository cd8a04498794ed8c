// baseline.h — the two Collectors of the baseline loop (issue 15, item 3).
//
// MakeBaselineWriter: `gatescan baseline`: every violation becomes its
// finding key (audit/finding.h) in the parallel stage; the serial stage
// counts distinct findings (memory bounded by their number, not by the
// dump); Finish writes the baseline file — to `path` through a temporary
// file renamed into place, so a CronJob never leaves half a baseline, or to
// the sink when `path` is empty or "-".
//
// MakeBaselineMarker: `--baseline FILE`: wraps a scan reporter; findings in
// `known` are still reported, and marked where the format has a place for
// it: text ("known: " before the line), ndjson ("baseline":"known" / "new"),
// SARIF (the result's "baselineState": "unchanged" / "new") and csv (a last
// "baseline" column, which ReportOptions::baseline_column adds to the
// header). JUnit and Prometheus mark them themselves from
// ReportOptions::known (a case whose findings are all known is skipped; a
// "baseline" label); the audit formats list them unmarked. A finding's owner is lifted through
// `edges` (the baseline's owner records) before it is looked up. *new_denied becomes true when a
// finding NOT in the baseline denies: with a baseline, only those make the scan exit 1. Collect may
// run on many threads (the flag is atomic); `known` and the flag must outlive the collector.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "gatescan/audit/finding.h"
#include "gatescan/report/report.h"

namespace gatescan {

std::unique_ptr<Collector> MakeBaselineWriter(const Policy& policy, std::string path,
                                              std::string created, std::string version);

std::unique_ptr<Collector> MakeBaselineMarker(std::unique_ptr<Reporter> inner, OutputFormat format,
                                              const Policy& policy, const FindingSet* known,
                                              const OwnerEdges* edges,
                                              std::atomic<bool>* new_denied);

// Whether violation `v` of `e` is a finding of `known` once its owner is
// lifted through `edges`: the one test the marker, the summary and
// --group-by share.
bool IsKnownFinding(const Policy& policy, const FindingSet& known, const OwnerEdges& edges,
                    const EvaluatedObject& e, const Violation& v);
bool IsKnownFinding(const Policy& policy, const FindingSet& known, const OwnerEdges& edges,
                    const ObjectRecord& object, std::span<const Label> labels, const Violation& v);

}  // namespace gatescan
