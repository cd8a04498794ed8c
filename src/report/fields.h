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

#include "gatescan/report/report.h"

namespace gatescan::report_internal {

std::string_view ContainerTypeWord(ContainerList list);

struct GroupVersion {
  std::string_view group;
  std::string_view version;
};

// "apps/v1" -> (apps, v1); "v1" -> ("", v1), as schema.ParseGroupVersion
// (common/k8s_names.h, the one home: "apps/v1/x" gives two empty parts).
GroupVersion SplitGroupVersion(std::string_view api_version);

void AppendUint(uint64_t value, std::string* out);

std::string_view SourceName(const RecordOrigin& origin);

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
    const Constraint& c, const ObjectRecord& object, const GroupVersion& gv, const Violation& v,
    const RecordOrigin& origin, std::string_view offset);

// Gatekeeper's truncateString(msg, 256): the first 253 bytes and "...".
std::string_view MaybeTruncate(std::string_view message, bool truncate, std::string* storage);

// Go's %q of the object as gator prints it: "<apiVersion>/<Kind> [<ns>/]<name>".
void AppendObjectLabel(const ObjectRecord& object, std::string* out);

std::unique_ptr<Reporter> MakeTextReporter(const Policy& policy, const ReportOptions& options);
std::unique_ptr<Reporter> MakeGatorReporter(const Policy& policy);
std::unique_ptr<Reporter> MakeNdjsonReporter(const Policy& policy);
std::unique_ptr<Reporter> MakeCsvReporter(const Policy& policy);
std::unique_ptr<Reporter> MakeAuditReporter(const Policy& policy, const ReportOptions& options);
std::unique_ptr<Reporter> MakeAuditLogReporter(const Policy& policy, const ReportOptions& options);
// Issue 15: sarif.cc, junit.cc, prometheus.cc.
std::unique_ptr<Reporter> MakeSarifReporter(const Policy& policy);
std::unique_ptr<Reporter> MakeJunitReporter(const Policy& policy, const ReportOptions& options);
std::unique_ptr<Reporter> MakePrometheusReporter(const Policy& policy,
                                                 const ReportOptions& options);

}  // namespace gatescan::report_internal
