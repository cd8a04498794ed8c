// audit.cc — audit: the constraints as `kubectl get <kinds> -o json` shows them after a
// Gatekeeper (>= 3.16) audit. Gatekeeper keeps each constraint's violations
// in a max-heap capped at the limit (popping the largest when over), so the
// status holds the smallest by (group, version, kind, namespace, name,
// message, action), and pops them out largest first.

#include <map>
#include <queue>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "fields.h"
#include "gatescan/common/chunk_codec.h"
#include "json_writer.h"

namespace gatescan::report_internal {
namespace {

struct StatusViolation {
  std::string group, version, kind, ns, name, message;
  std::string_view action;

  auto Key() const { return std::tie(group, version, kind, ns, name, message, action); }
  bool operator<(const StatusViolation& other) const { return Key() < other.Key(); }
};

class AuditReporter final : public Reporter {
 public:
  AuditReporter(const Policy& policy, const ReportOptions& options)
      : policy_(policy), options_(options), per_constraint_(policy.constraints.size()) {}

  // Record: constraint index, action byte, group, version, kind, ns, name, message.
  void FormatObject(const ObjectRecord& object, std::span<const Violation> violations,
                    const RecordOrigin&, std::string* chunk) const override {
    const k8s::GroupVersion gv = k8s::SplitApiVersion(object.api_version);
    std::string truncated;
    for (const Violation& v : violations) {
      PutU32(v.constraint, chunk);
      PutU8(static_cast<uint8_t>(v.action), chunk);
      PutBytes(gv.group, chunk);
      PutBytes(gv.version, chunk);
      PutBytes(object.kind, chunk);
      PutBytes(object.ns, chunk);
      PutBytes(object.name, chunk);
      PutBytes(MaybeTruncate(v.message, options_.truncate_messages, &truncated), chunk);
    }
  }

  void FormatError(const ScanError&, std::string*) const override {}

  Status Consume(std::string_view chunk, OutputSink*) override {
    for (ChunkReader reader(chunk); !reader.done();) {
      const uint32_t constraint = reader.U32();
      StatusViolation sv;
      sv.action = ActionName(static_cast<EnforcementAction>(reader.U8()));
      sv.group = reader.Bytes();
      sv.version = reader.Bytes();
      sv.kind = reader.Bytes();
      sv.ns = reader.Bytes();
      sv.name = reader.Bytes();
      sv.message = reader.Bytes();
      if (constraint >= per_constraint_.size()) continue;
      Collected& collected = per_constraint_[constraint];
      ++collected.total;
      if (options_.violations_limit == 0) continue;
      collected.heap.push(std::move(sv));
      if (options_.violations_limit > 0 &&
          collected.heap.size() > static_cast<uint64_t>(options_.violations_limit)) {
        collected.heap.pop();
      }
    }
    return Status::Ok();
  }

  Status Finish(const ScanSummary&, OutputSink* sink) override {
    std::string out;
    IndentedJson json(&out);
    json.BeginObject();
    json.Key("apiVersion");
    json.String("v1");
    json.Key("items");
    json.BeginArray();
    for (size_t i = 0; i < policy_.constraints.size(); ++i) {
      WriteConstraint(policy_.constraints[i], &per_constraint_[i], &json);
    }
    json.EndArray();
    json.Key("kind");
    json.String("List");
    json.Key("metadata");
    json.BeginObject();
    json.Key("resourceVersion");
    json.String("");
    json.EndObject();
    json.EndObject();
    out.push_back('\n');
    if (Status s = sink->Write(out); !s.ok()) return s;
    return sink->Flush();
  }

 private:
  struct Collected {
    uint64_t total = 0;
    std::priority_queue<StatusViolation> heap;  // top is the largest
  };

  static void StringMap(const std::map<std::string, std::string>& map, IndentedJson* json) {
    json->BeginObject();
    for (const auto& [key, value] : map) {
      json->Key(key);
      json->String(value);
    }
    json->EndObject();
  }

  void WriteConstraint(const Constraint& c, Collected* collected, IndentedJson* json) const {
    json->BeginObject();
    json->Key("apiVersion");
    json->String(c.api_version);
    json->Key("kind");
    json->String(c.kind);
    json->Key("metadata");
    json->BeginObject();
    if (!c.annotations.empty()) {
      json->Key("annotations");
      StringMap(c.annotations, json);
    }
    if (!c.labels.empty()) {
      json->Key("labels");
      StringMap(c.labels, json);
    }
    json->Key("name");
    json->String(c.name);
    json->EndObject();

    json->Key("spec");
    json->BeginObject();
    json->Key("enforcementAction");
    json->String(ActionName(c.action));
    // The parameters gatescan reads, as the API server stores the
    // constraint (string arrays) and kubectl prints it (keys sorted, as Go
    // marshals a map): the template's list and exemptImages.
    std::map<std::string_view, const std::vector<std::string>*> parameters;
    if (c.has_list && c.template_index < policy_.templates.size()) {
      parameters[policy_.templates[c.template_index].parameter] = &c.entries;
    }
    if (c.has_exempt_images) parameters.emplace("exemptImages", &c.exempt_images);
    if (!parameters.empty()) {
      json->Key("parameters");
      json->BeginObject();
      for (const auto& [key, values] : parameters) {
        json->Key(key);
        json->BeginArray();
        for (const std::string& value : *values) json->String(value);
        json->EndArray();
      }
      json->EndObject();
    }
    if (!c.scoped_actions.empty()) {
      json->Key("scopedEnforcementActions");
      json->BeginArray();
      for (const ScopedEnforcementAction& scoped : c.scoped_actions) {
        json->BeginObject();
        json->Key("action");
        json->String(scoped.action);
        json->Key("enforcementPoints");
        json->BeginArray();
        for (const std::string& point : scoped.enforcement_points) {
          json->BeginObject();
          json->Key("name");
          json->String(point);
          json->EndObject();
        }
        json->EndArray();
        json->EndObject();
      }
      json->EndArray();
    }
    json->EndObject();

    json->Key("status");
    json->BeginObject();
    json->Key("auditTimestamp");
    json->String(options_.timestamp);
    json->Key("totalViolations");
    json->Number(collected->total);
    // Gatekeeper drops the field when there is nothing to list.
    if (!collected->heap.empty()) {
      json->Key("violations");
      json->BeginArray();
      for (; !collected->heap.empty(); collected->heap.pop()) {
        const StatusViolation& sv = collected->heap.top();
        json->BeginObject();
        json->Key("enforcementAction");
        json->String(sv.action);
        json->Key("group");
        json->String(sv.group);
        json->Key("kind");
        json->String(sv.kind);
        json->Key("message");
        json->String(sv.message);
        json->Key("name");
        json->String(sv.name);
        if (!sv.ns.empty()) {
          json->Key("namespace");
          json->String(sv.ns);
        }
        json->Key("version");
        json->String(sv.version);
        json->EndObject();
      }
      json->EndArray();
    }
    json->EndObject();
    json->EndObject();
  }

  const Policy& policy_;
  ReportOptions options_;
  std::vector<Collected> per_constraint_;
};

}  // namespace

std::unique_ptr<Reporter> MakeAuditReporter(const Policy& policy, const ReportOptions& options) {
  return std::make_unique<AuditReporter>(policy, options);
}

}  // namespace gatescan::report_internal
