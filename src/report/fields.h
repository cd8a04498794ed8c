// fields.h — private to the report room: what several output formats share
// (the violation record's fields and their order, apiVersion as the formats
// print it, Gatekeeper's message cut) and the per-format factories that
// report.cc's MakeReporter chooses from. Stateless; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "gatescan/common/k8s_names.h"
#include "gatescan/report/report.h"

namespace gatescan::report_internal {

void AppendUint(uint64_t value, std::string* out);

std::string_view SourceName(const RecordOrigin& origin);

// What every violation row of one object shares (csv, ndjson): its
// apiVersion split as schema.ParseGroupVersion splits it (common/k8s_names.h)
// and its byte offset as decimal text.
struct ObjectFields {
  k8s::GroupVersion gv;
  std::string offset;
};
ObjectFields MakeObjectFields(const ObjectRecord& object, const RecordOrigin& origin);

// The fields of a violation record, in the order ndjson writes them as keys
// and CSV as columns (README lists them). `offset` is the decimal text.
// owner_kind / owner_name: the workload (audit/owner.h).
inline constexpr std::array<std::string_view, 17> kViolationFieldNames = {
    "constraint_kind", "constraint", "enforcement_action", "group",
    "version",         "kind",       "namespace",          "name",
    "owner_kind",      "owner_name", "container_type",     "container",
    "image",           "message",    "implied_by",         "source",
    "offset"};
inline constexpr size_t kImpliedByField = 14;
inline constexpr size_t kOffsetField = 16;
static_assert(kViolationFieldNames[kImpliedByField] == "implied_by");
static_assert(kViolationFieldNames[kOffsetField] == "offset");

std::array<std::string_view, kViolationFieldNames.size()> ViolationFieldValues(
    const Constraint& c, const ObjectRecord& object, const ObjectFields& fields, const Violation& v,
    const RecordOrigin& origin);

// The text formats' (text, --group-by) one way to print a dump's string:
// terminal-safe (common/terminal.h) when options.escape_control, and wrapped
// in `color` and a reset when options.color.
void AppendTextField(std::string_view s, const ReportOptions& options, std::string* out);
void AppendColoredField(std::string_view color, std::string_view s, const ReportOptions& options,
                        std::string* out);

// Gatekeeper's truncateString(msg, 256): the first 253 bytes and "...".
std::string_view MaybeTruncate(std::string_view message, bool truncate, std::string* storage);

// Go's %q of the object as gator prints it: "<apiVersion>/<Kind> [<ns>/]<name>".
void AppendObjectLabel(const ObjectRecord& object, std::string* out);

std::unique_ptr<Reporter> MakeTextReporter(const Policy& policy, const ReportOptions& options);
std::unique_ptr<Reporter> MakeGatorReporter(const Policy& policy);
std::unique_ptr<Reporter> MakeNdjsonReporter(const Policy& policy);
std::unique_ptr<Reporter> MakeCsvReporter(const Policy& policy, const ReportOptions& options);
std::unique_ptr<Reporter> MakeAuditReporter(const Policy& policy, const ReportOptions& options);
std::unique_ptr<Reporter> MakeAuditLogReporter(const Policy& policy, const ReportOptions& options);
// Issue 15: sarif.cc, junit.cc, prometheus.cc.
std::unique_ptr<Reporter> MakeSarifReporter(const Policy& policy);
std::unique_ptr<Reporter> MakeJunitReporter(const Policy& policy, const ReportOptions& options);
std::unique_ptr<Reporter> MakePrometheusReporter(const Policy& policy,
                                                 const ReportOptions& options);

}  // namespace gatescan::report_internal
