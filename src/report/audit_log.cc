// audit_log.cc — audit-log: the zap JSON lines of Gatekeeper's audit (pkg/audit/manager.go
// logStart / logViolation / logConstraint / logFinish), unsampled.

#include <time.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fields.h"
#include "gatescan/common/chunk_codec.h"
#include "gatescan/common/quote.h"

namespace gatescan::report_internal {
namespace {

class AuditLogReporter final : public Reporter {
 public:
  AuditLogReporter(const Policy& policy, const ReportOptions& options)
      : policy_(policy),
        options_(options),
        ts_(EpochSeconds(options.timestamp)),
        totals_(policy.constraints.size()) {}

  // Record: constraint index, finished line.
  void FormatObject(const ObjectRecord& object, std::span<const Violation> violations,
                    const RecordOrigin& origin, std::string* chunk) const override {
    if (violations.empty()) return;
    const k8s::GroupVersion gv = k8s::SplitApiVersion(object.api_version);
    std::vector<Label> labels(origin.labels.begin(), origin.labels.end());
    std::stable_sort(labels.begin(), labels.end(),
                     [](const Label& a, const Label& b) { return a.key < b.key; });
    std::string line;
    std::string truncated;
    for (const Violation& v : violations) {
      const Constraint& c = policy_.constraints[v.constraint];
      const k8s::GroupVersion cgv = k8s::SplitApiVersion(c.api_version);
      line.clear();
      Begin(MaybeTruncate(v.message, options_.truncate_messages, &truncated), &line);
      line.append(",\"details\":{}");
      Field("event_type", "violation_audited", &line);
      Field("constraint_group", cgv.group, &line);
      Field("constraint_api_version", cgv.version, &line);
      Field("constraint_kind", c.kind, &line);
      Field("constraint_name", c.name, &line);
      Field("constraint_namespace", "", &line);
      Field("constraint_action", ActionName(v.action), &line);
      line.append(",\"constraint_enforcement_actions\":[");
      if (v.action == EnforcementAction::kScoped) AppendAuditActions(c, &line);
      line.append("],\"constraint_annotations\":");
      AppendAnnotations(c, &line);
      Field("resource_group", gv.group, &line);
      Field("resource_api_version", gv.version, &line);
      Field("resource_kind", object.kind, &line);
      Field("resource_namespace", object.ns, &line);
      Field("resource_name", object.name, &line);
      line.append(",\"resource_labels\":");
      if (labels.empty()) {
        line.append("null");
      } else {
        line.push_back('{');
        for (size_t i = 0; i < labels.size(); ++i) {
          if (i > 0) line.push_back(',');
          AppendJsonString(labels[i].key, &line);
          line.push_back(':');
          AppendJsonString(labels[i].value, &line);
        }
        line.push_back('}');
      }
      line.append("}\n");
      PutU32(v.constraint, chunk);
      PutBytes(line, chunk);
    }
  }

  void FormatError(const ScanError&, std::string*) const override {}

  Status Consume(std::string_view chunk, OutputSink* sink) override {
    if (Status s = Start(sink); !s.ok()) return s;
    std::string lines;
    for (ChunkReader reader(chunk); !reader.done();) {
      const uint32_t constraint = reader.U32();
      if (constraint < totals_.size()) ++totals_[constraint];
      lines.append(reader.Bytes());
    }
    return sink->Write(lines);
  }

  Status Finish(const ScanSummary&, OutputSink* sink) override {
    if (Status s = Start(sink); !s.ok()) return s;
    std::string lines;
    for (size_t i = 0; i < totals_.size(); ++i) {
      if (totals_[i] == 0) continue;
      const Constraint& c = policy_.constraints[i];
      const k8s::GroupVersion cgv = k8s::SplitApiVersion(c.api_version);
      Begin("audit results for constraint", &lines);
      Field("event_type", "constraint_audited", &lines);
      Field("constraint_group", cgv.group, &lines);
      Field("constraint_api_version", cgv.version, &lines);
      Field("constraint_kind", c.kind, &lines);
      Field("constraint_name", c.name, &lines);
      Field("constraint_namespace", "", &lines);
      Field("constraint_action", ActionName(c.action), &lines);
      Field("constraint_status", "enforced", &lines);
      std::string count;
      AppendUint(totals_[i], &count);
      Field("constraint_violations", count, &lines);
      lines.append("}\n");
    }
    Begin("auditing is complete", &lines);
    Field("event_type", "audit_finished", &lines);
    lines.append("}\n");
    if (Status s = sink->Write(lines); !s.ok()) return s;
    return sink->Flush();
  }

 private:
  // zap's epoch encoder prints float seconds; the audit id has whole seconds.
  static uint64_t EpochSeconds(const std::string& rfc3339) {
    struct tm tm = {};
    if (::strptime(rfc3339.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) return 0;
    const time_t t = ::timegm(&tm);
    return t > 0 ? static_cast<uint64_t>(t) : 0;
  }

  static void Field(std::string_view key, std::string_view value, std::string* out) {
    out->append(",\"").append(key).append("\":");
    AppendJsonString(value, out);
  }

  // level, ts, logger, msg, then the logger's values process and audit_id.
  void Begin(std::string_view msg, std::string* out) const {
    out->append("{\"level\":\"info\",\"ts\":");
    AppendUint(ts_, out);
    out->append(",\"logger\":\"controller\",\"msg\":");
    AppendJsonString(msg, out);
    Field("process", "audit", out);
    Field("audit_id", options_.timestamp, out);
  }

  Status Start(OutputSink* sink) {
    if (started_) return Status::Ok();
    started_ = true;
    std::string line;
    Begin("auditing constraints and violations", &line);
    Field("event_type", "audit_started", &line);
    line.append("}\n");
    return sink->Write(line);
  }

  // The actions a scoped constraint takes at the audit enforcement point.
  static void AppendAuditActions(const Constraint& c, std::string* out) {
    bool first = true;
    for (const ScopedEnforcementAction& scoped : c.scoped_actions) {
      const bool audit =
          std::any_of(scoped.enforcement_points.begin(), scoped.enforcement_points.end(),
                      [](const std::string& p) { return p == "audit.gatekeeper.sh" || p == "*"; });
      if (!audit) continue;
      if (!first) out->push_back(',');
      first = false;
      AppendJsonString(scoped.action, out);
    }
  }

  // Gatekeeper drops kubectl's last-applied-configuration; a nil map is null.
  static void AppendAnnotations(const Constraint& c, std::string* out) {
    bool first = true;
    for (const auto& [key, value] : c.annotations) {
      if (key == "kubectl.kubernetes.io/last-applied-configuration") continue;
      out->push_back(first ? '{' : ',');
      first = false;
      AppendJsonString(key, out);
      out->push_back(':');
      AppendJsonString(value, out);
    }
    out->append(first ? "null" : "}");
  }

  const Policy& policy_;
  ReportOptions options_;
  uint64_t ts_ = 0;
  bool started_ = false;
  std::vector<uint64_t> totals_;
};

}  // namespace

std::unique_ptr<Reporter> MakeAuditLogReporter(const Policy& policy, const ReportOptions& options) {
  return std::make_unique<AuditLogReporter>(policy, options);
}

}  // namespace gatescan::report_internal
