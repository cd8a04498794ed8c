// summary.h — the scan's findings added up (`--summary`, `-o summary-json`)
// and grouped by workload (`--group-by workload`), issue 15 item 2.
//
// Both are Collectors that wrap the report they add to (`inner`, which may be
// null: `-q --summary` and `-o summary-json` print only the summary). In the
// parallel stage they pass the inner collector's bytes through and encode
// what they count; the serial stage adds the counts up, so memory is bounded
// by the number of distinct rows (constraints, namespaces, workloads,
// registries, images; groups), never by the dump, and there is no second
// pass over the input. They print in Finish, after the inner report.
//
// A workload is the owner each violation's own object proves (audit/owner.h,
// the `owner_kind` / `owner_name` ndjson prints); a registry is the domain of
// the image as container runtimes read it (allowlist/image_ref.h: `busybox`
// is docker.io), an image that is no valid reference counts apart.
//
// With a baseline (`known` not null), every violation is new or known: the
// summary counts both; the group collector marks each group as the text and
// ndjson reports mark lines, and sets *new_denied as MakeBaselineMarker
// does. `known`, `edges`, `new_denied` and the policy must outlive the
// collector. Collect may run on many threads; the rest is serial.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>

#include "gatescan/audit/finding.h"
#include "gatescan/report/report.h"

namespace gatescan {

struct SummaryOptions {
  bool json = false;  // -o summary-json: one JSON document, every row, totals
  size_t rows = 20;   // text (--summary-rows): rows per table, then "... and N more"; 0: all
  const FindingSet* known = nullptr;  // --baseline: count new and known
  const OwnerEdges* edges = nullptr;  // the baseline's owner records
  // Set when a new finding denies, when no inner report does it (the
  // summary is the only output).
  std::atomic<bool>* new_denied = nullptr;
};

std::unique_ptr<Collector> MakeSummaryCollector(std::unique_ptr<Collector> inner,
                                                const Policy& policy, SummaryOptions options);

// `--group-by workload` for text and ndjson: one line (record) per
// (constraint, namespace, workload, container type and name, image, message)
// with how many violations — replicas — it stands for, in the order the
// groups first appear in the input, printed when the scan ends. `inner` is
// the format's own reporter: its per-object extras (ndjson's owner and error
// records) still stream, and its Finish (ndjson's summary line) comes last.
// false from GroupByFormatSupported: the format cannot show groups.
bool GroupByFormatSupported(OutputFormat format);
std::unique_ptr<Collector> MakeGroupCollector(std::unique_ptr<Reporter> inner, OutputFormat format,
                                              const Policy& policy, const ReportOptions& options,
                                              const FindingSet* known, const OwnerEdges* edges,
                                              std::atomic<bool>* new_denied);

}  // namespace gatescan
