// sarif.cc — SARIF 2.1.0 (-o sarif) for code-scanning dashboards.
//
// One run; one rule per constraint (kind, template and parameters in the
// rule's properties), written before any result since the policy is known
// up front; then one result per violation, streamed in input order: level
// from the enforcement action (deny error, warn warning, dryrun note), the
// dump file and byte offset as the physical location, namespace / owner /
// object / container as the logical location, and the finding's identity
// (audit/finding.h) hashed as a partial fingerprint so dashboards match a
// finding across nights and rollouts. Validated against the official schema
// in tests/formats_test.cc.
#include <cinttypes>
#include <cstdio>

#include "fields.h"
#include "gatescan/audit/finding.h"
#include "gatescan/audit/owner.h"
#include "gatescan/common/quote.h"

namespace gatescan::report_internal {
namespace {

std::string_view Level(EnforcementAction action) {
  switch (action) {
    case EnforcementAction::kWarn:
      return "warning";
    case EnforcementAction::kDryrun:
      return "note";
    default:
      return "error";
  }
}

// A file name as a URI reference: unreserved bytes and '/' kept, others %XX.
void AppendUri(std::string_view path, std::string* out) {
  static const char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : path) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (keep) {
      out->push_back(static_cast<char>(c));
    } else {
      out->push_back('%');
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    }
  }
}

std::string Fingerprint(const FindingKey& key) {
  std::string bytes;
  AppendEncodedKey(key, &bytes);
  uint64_t h = 1469598103934665603ull;  // FNV-1a 64
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, h);
  return buf;
}

void Key(std::string_view key, std::string* out) {
  out->push_back('"');
  out->append(key);
  out->append("\":");
}

class SarifReporter final : public Reporter {
 public:
  explicit SarifReporter(const Policy& policy) : policy_(policy) {}

  void FormatObject(const ObjectRecord& object, std::span<const Violation> violations,
                    const RecordOrigin& origin, std::string* chunk) const override {
    const Owner owner = TopOwner(object, origin.labels);
    for (const Violation& v : violations) {
      const Constraint& c = policy_.constraints[v.constraint];
      chunk->append(",\n{\"ruleId\":");
      AppendJsonString(RuleId(c), chunk);
      chunk->append(",\"ruleIndex\":");
      AppendUint(v.constraint, chunk);
      chunk->append(",\"level\":\"").append(Level(v.effective)).append("\",\"message\":{\"text\":");
      AppendJsonString(v.message, chunk);
      chunk->append("},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"");
      AppendUri(SourceName(origin).empty() ? "-" : SourceName(origin), chunk);
      chunk->append("\"},\"region\":{\"byteOffset\":");
      AppendUint(origin.offset, chunk);
      chunk->append("}},\"logicalLocations\":[{\"name\":");
      AppendJsonString(v.container_name, chunk);
      std::string fqn(object.ns);
      fqn.append("/").append(owner.kind).append("/").append(owner.name);
      fqn.append("/").append(object.kind).append("/").append(object.name);
      fqn.append("/").append(v.container_name);
      chunk->append(",\"fullyQualifiedName\":");
      AppendJsonString(fqn, chunk);
      chunk->append(",\"kind\":\"object\",\"properties\":{");
      const std::pair<std::string_view, std::string_view> parts[] = {
          {"namespace", object.ns},        {"ownerKind", owner.kind},
          {"ownerName", owner.name},       {"kind", object.kind},
          {"name", object.name},           {"containerType", k8s::ContainerTypeWord(v.list)},
          {"container", v.container_name}, {"image", v.image}};
      bool first = true;
      for (const auto& [k, value] : parts) {
        if (!first) chunk->push_back(',');
        first = false;
        Key(k, chunk);
        AppendJsonString(value, chunk);
      }
      chunk->append("}}]}],\"partialFingerprints\":{\"gatescanFinding/v1\":\"");
      chunk->append(Fingerprint(MakeFindingKey(c, object, origin.labels, v)));
      chunk->append("\"}}");
    }
  }

  Status Consume(std::string_view chunk, OutputSink* sink) override {
    if (Status s = WriteHead(sink); !s.ok()) return s;
    if (chunk.empty()) return Status::Ok();
    if (!any_result_) chunk.remove_prefix(1);  // the first result has no comma before it
    any_result_ = true;
    return sink->Write(chunk);
  }

  Status Finish(const ScanSummary&, OutputSink* sink) override {
    if (Status s = WriteHead(sink); !s.ok()) return s;
    if (Status s = sink->Write("\n]}]}\n"); !s.ok()) return s;
    return sink->Flush();
  }

 private:
  static std::string RuleId(const Constraint& c) { return c.kind + "/" + c.name; }

  Status WriteHead(OutputSink* sink) {
    if (head_written_) return Status::Ok();
    head_written_ = true;
    std::string head =
        "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\","
        "\"runs\":[{\"tool\":{\"driver\":{\"name\":\"gatescan\",\"version\":\"0.1.0\","
        "\"informationUri\":\"https://github.com/open-policy-agent/gatekeeper-library\","
        "\"rules\":[";
    for (size_t i = 0; i < policy_.constraints.size(); ++i) {
      const Constraint& c = policy_.constraints[i];
      if (i > 0) head.push_back(',');
      head.append("\n{\"id\":");
      AppendJsonString(RuleId(c), &head);
      head.append(",\"name\":");
      AppendJsonString(c.name, &head);
      head.append(",\"shortDescription\":{\"text\":");
      AppendJsonString("Gatekeeper " + c.kind + " constraint " + c.name, &head);
      head.append("},\"defaultConfiguration\":{\"level\":\"")
          .append(Level(c.action))
          .append("\"},\"properties\":{\"constraintKind\":");
      AppendJsonString(c.kind, &head);
      const ConstraintTemplate* t = c.template_index < policy_.templates.size()
                                        ? &policy_.templates[c.template_index]
                                        : nullptr;
      head.append(",\"template\":");
      AppendJsonString(t != nullptr ? std::string_view(t->name) : std::string_view(), &head);
      head.append(",\"enforcementAction\":\"").append(ActionName(c.action)).append("\"");
      head.append(",\"parameters\":{");
      if (t != nullptr && c.has_list) {
        AppendJsonString(t->parameter, &head);
        head.append(":[");
        for (size_t e = 0; e < c.entries.size(); ++e) {
          if (e > 0) head.push_back(',');
          AppendJsonString(c.entries[e], &head);
        }
        head.push_back(']');
      }
      head.append("}}}");
    }
    head.append("]}},\"columnKind\":\"unicodeCodePoints\",\"results\":[");
    return sink->Write(head);
  }

  const Policy& policy_;
  bool head_written_ = false;
  bool any_result_ = false;
};

}  // namespace

std::unique_ptr<Reporter> MakeSarifReporter(const Policy& policy) {
  return std::make_unique<SarifReporter>(policy);
}

}  // namespace gatescan::report_internal
