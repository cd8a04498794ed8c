// report.cc — chooses the reporter for an output format. Each format lives in
// its own file (text.cc, gator.cc, ndjson.cc, csv.cc, audit.cc,
// audit_log.cc); what they share is in fields.h, the sinks in sink.cc.
#include "gatescan/report/report.h"

#include <utility>

#include "fields.h"

namespace gatescan {
namespace {

constexpr std::pair<std::string_view, OutputFormat> kFormats[] = {
    {"text", OutputFormat::kText},
    {"gator", OutputFormat::kGator},
    {"ndjson", OutputFormat::kNdjson},
    {"csv", OutputFormat::kCsv},
    {"audit", OutputFormat::kAudit},
    {"audit-log", OutputFormat::kAuditLog},
    {"sarif", OutputFormat::kSarif},
    {"junit", OutputFormat::kJunit},
    {"prometheus", OutputFormat::kPrometheus},
    {"summary-json", OutputFormat::kSummaryJson},
};

}  // namespace

bool ParseOutputFormat(std::string_view name, OutputFormat* out) {
  for (const auto& [word, format] : kFormats) {
    if (name == word) {
      *out = format;
      return true;
    }
  }
  return false;
}

std::string_view OutputFormatNames() {
  return "text, gator, ndjson, csv, audit, audit-log, sarif, junit, prometheus, summary-json";
}

std::unique_ptr<Reporter> MakeReporter(OutputFormat format, const Policy& policy,
                                       const ReportOptions& options) {
  using namespace report_internal;
  switch (format) {
    case OutputFormat::kText:
      return MakeTextReporter(policy, options);
    case OutputFormat::kGator:
      return MakeGatorReporter(policy);
    case OutputFormat::kNdjson:
      return MakeNdjsonReporter(policy);
    case OutputFormat::kCsv:
      return MakeCsvReporter(policy, options);
    case OutputFormat::kAudit:
      return MakeAuditReporter(policy, options);
    case OutputFormat::kAuditLog:
      return MakeAuditLogReporter(policy, options);
    case OutputFormat::kSarif:
      return MakeSarifReporter(policy);
    case OutputFormat::kJunit:
      return MakeJunitReporter(policy, options);
    case OutputFormat::kPrometheus:
      return MakePrometheusReporter(policy, options);
    case OutputFormat::kSummaryJson:
      return nullptr;  // a Collector of its own (summary.h)
  }
  return nullptr;
}

}  // namespace gatescan
