// diff.h — `gatescan diff OLD NEW`: what changed between two runs.
//
// In: two FindingSets (finding.h), read from baselines or ndjson outputs.
// Out: every finding classified new (only in NEW), fixed (only in OLD) or
// unchanged (in both; the replica counts may differ), in key order, as text
// or ndjson, and the three totals. Pure function of its inputs.
#pragma once

#include <cstdint>
#include <string>

#include "gatescan/audit/finding.h"

namespace gatescan {

enum class DiffFormat { kText, kNdjson };

struct DiffCounts {
  uint64_t added = 0;  // "new"
  uint64_t fixed = 0;
  uint64_t unchanged = 0;
};

// Text: one line per finding, "new: ", "fixed: " or "unchanged: " then
// "[constraint] namespace/OwnerKind/owner container <name> <image>: message
// (xN)", then a totals line. Ndjson: {"type":"new"|"fixed"|"unchanged",
// <key fields>,"old_count":N,"new_count":M} per finding, then
// {"type":"diff_summary","new":..,"fixed":..,"unchanged":..}.
DiffCounts FormatDiff(const FindingSet& old_set, const FindingSet& new_set, DiffFormat format,
                      std::string* out);

}  // namespace gatescan
