// ndjson.cc — one JSON object per line: violations, error records inline, and a
// closing summary.

#include <array>
#include <cstdio>
#include <utility>
#include <vector>

#include "fields.h"
#include "gatescan/audit/finding.h"
#include "gatescan/common/json_text.h"
#include "gatescan/common/k8s_names.h"
#include "gatescan/common/quote.h"
#include "message_json.h"

namespace gatescan::report_internal {
namespace {

class NdjsonReporter final : public Reporter {
 public:
  explicit NdjsonReporter(const Policy& policy) : policy_(policy), messages_(policy) {
    for (const Constraint& c : policy.constraints) {
      for (size_t a = 0; a < kActions; ++a) {
        std::string& head = heads_.emplace_back("{\"type\":\"violation\"");
        Field(kViolationFieldNames[kConstraintKindField], c.kind, &head);
        Field(kViolationFieldNames[kConstraintField], c.name, &head);
        Field(kViolationFieldNames[kActionField], ActionName(static_cast<EnforcementAction>(a)),
              &head);
      }
    }
    for (size_t l = 0; l < container_types_.size(); ++l) {
      Field(kViolationFieldNames[kContainerTypeField],
            k8s::ContainerTypeWord(static_cast<ContainerList>(l)), &container_types_[l]);
      container_types_[l].append(kContainerKey);
    }
    // Each key of the object's fields opens its value's quote and, after
    // the first, closes the previous value's.
    for (size_t i = kGroupField; i <= kOwnerNameField; ++i) {
      object_keys_[i - kGroupField]
          .append(i == kGroupField ? "" : "\"")
          .append(",\"")
          .append(kViolationFieldNames[i])
          .append("\":\"");
    }
    object_keys_.back() = "\"";
    source_key_.append("\",\"").append(kViolationFieldNames[kSourceField]).append("\":\"");
  }

  // What is the same for every violation of a constraint or of the object
  // (its identity, owner, source and offset) is escaped once, and the
  // message is written from pieces escaped once per policy
  // (message_json.h); a record is one resize of the chunk. The bytes are
  // those of writing every field of ViolationFieldValues, as JSON strings
  // (offset a number), in kViolationFieldNames order.
  void FormatObject(const ObjectRecord& object, std::span<const Violation> violations,
                    const RecordOrigin& origin, std::string* chunk) const override {
    if (violations.empty()) return;
    const ObjectFields fields = MakeObjectFields(object, origin);
    const Violation& first = violations.front();
    const auto values =
        ViolationFieldValues(policy_.constraints[first.constraint], object, fields, first, origin);
    thread_local Scratch s;
    // `,"group":"...","version":"...", ... ,"owner_name":"..."`, and the tail:
    // the quote that closes the message or implied_by, source and offset.
    JsonLine line;
    for (size_t i = kGroupField; i <= kOwnerNameField; ++i) {
      line.Add(object_keys_[i - kGroupField]);
      line.Add(JsonEscapedView(values[i], &s.fields[i - kGroupField]));
    }
    line.Add(object_keys_.back());
    s.object.clear();
    line.AppendTo(&s.object);
    line.Clear();
    line.Add(source_key_);
    line.Add(JsonEscapedView(values[kSourceField], &s.fields.back()));
    line.Add(kOffsetKey);
    line.Add(fields.offset);
    line.Add("}\n");
    s.tail.clear();
    line.AppendTo(&s.tail);
    for (const Violation& v : violations) {
      const std::string_view name = JsonEscapedView(v.container_name, &s.name);
      const std::string_view image = JsonEscapedView(v.image, &s.image);
      const std::string_view implied = JsonEscapedView(v.implied_by, &s.implied);
      line.Clear();
      line.Add(heads_[v.constraint * kActions + static_cast<size_t>(v.action)]);
      line.Add(s.object);
      line.Add(container_types_[static_cast<size_t>(v.list)]);  // and the container key
      line.Add(name);
      line.Add(kImageKey);
      line.Add(image);
      line.Add(kMessageKey);
      if (!messages_.AddPieces(v, name, image, implied, &line)) {
        s.message.clear();
        AppendJsonString(v.message, &s.message);
        line.Add(std::string_view(s.message).substr(1, s.message.size() - 2));
      }
      if (!v.implied_by.empty()) {
        line.Add(kImpliedByKey);
        line.Add(implied);
      }
      line.Add(s.tail);
      line.AppendTo(chunk);
    }
  }

  bool errors_inline() const override { return true; }

  void FormatEveryObject(const EvaluatedObject& e, std::string* chunk) const override {
    const ObjectRecord& o = *e.object;
    if (HasOwnerEdge(o)) AppendOwnerRecord(o.ns, o.kind, o.name, o.owner_kind, o.owner_name, chunk);
  }

  void FormatError(const ScanError& error, std::string* chunk) const override {
    chunk->append("{\"type\":\"error\"");
    Field("source", SourceName(error.origin), chunk);
    chunk->append(",\"offset\":");
    AppendUint(error.origin.offset, chunk);
    chunk->append(",\"index\":");
    AppendUint(error.origin.index, chunk);
    Field("message", error.message, chunk);
    chunk->append("}\n");
  }

  Status Finish(const ScanSummary& summary, OutputSink* sink) override {
    std::string line = "{\"type\":\"summary\"";
    const std::pair<const char*, uint64_t> counts[] = {
        {"inputs", summary.inputs},         {"bytes", summary.bytes},
        {"objects", summary.objects},       {"containers", summary.containers},
        {"violations", summary.violations}, {"errors", summary.errors},
    };
    for (const auto& [key, value] : counts) {
      line.append(",\"").append(key).append("\":");
      AppendUint(value, &line);
    }
    char seconds[48];
    std::snprintf(seconds, sizeof seconds, ",\"seconds\":%.6f}\n",
                  summary.seconds >= 0 ? summary.seconds : 0.0);
    line.append(seconds);
    if (Status s = sink->Write(line); !s.ok()) return s;
    return sink->Flush();
  }

 private:
  static void Field(std::string_view key, std::string_view value, std::string* out) {
    out->append(",\"").append(key).append("\":");
    AppendJsonString(value, out);
  }
  // The order FormatObject writes fields in is kViolationFieldNames'.
  static constexpr size_t kConstraintKindField = 0, kConstraintField = 1, kActionField = 2,
                          kGroupField = 3, kOwnerNameField = 9, kContainerTypeField = 10,
                          kContainerField = 11, kImageField = 12, kMessageField = 13,
                          kSourceField = 15;
  static_assert(kViolationFieldNames[kConstraintKindField] == "constraint_kind" &&
                kViolationFieldNames[kConstraintField] == "constraint" &&
                kViolationFieldNames[kActionField] == "enforcement_action" &&
                kViolationFieldNames[kGroupField] == "group" &&
                kViolationFieldNames[kOwnerNameField] == "owner_name" &&
                kViolationFieldNames[kContainerTypeField] == "container_type" &&
                kViolationFieldNames[kContainerField] == "container" &&
                kViolationFieldNames[kImageField] == "image" &&
                kViolationFieldNames[kMessageField] == "message" &&
                kImpliedByField == kMessageField + 1 && kSourceField == kImpliedByField + 1 &&
                kOffsetField == kSourceField + 1 &&
                kOffsetField + 1 == kViolationFieldNames.size());

  // Per-thread buffers, so a violation costs no allocation once they have grown.
  static constexpr size_t kObjectFields = kOwnerNameField - kGroupField + 1;
  struct Scratch {
    std::string object, tail, name, image, implied, message;
    std::array<std::string, kObjectFields + 1> fields;  // the object's, and source
  };
  // The keys between the values FormatObject writes (kViolationFieldNames').
  static constexpr std::string_view kContainerKey = ",\"container\":\"",
                                    kImageKey = "\",\"image\":\"",
                                    kMessageKey = "\",\"message\":\"",
                                    kImpliedByKey = "\",\"implied_by\":\"";
  static_assert(kContainerKey.substr(2, 9) == kViolationFieldNames[kContainerField] &&
                kImageKey.substr(3, 5) == kViolationFieldNames[kImageField] &&
                kMessageKey.substr(3, 7) == kViolationFieldNames[kMessageField] &&
                kImpliedByKey.substr(3, 10) == kViolationFieldNames[kImpliedByField]);
  static constexpr size_t kActions = 4;  // EnforcementAction values

  const Policy& policy_;
  JsonMessageWriter messages_;
  // Per constraint and EnforcementAction: `{"type":"violation",...,"enforcement_action":"deny"`.
  std::vector<std::string> heads_;
  // `,"group":"`, `","version":"`, ... `","owner_name":"`, then `"`.
  std::array<std::string, kObjectFields + 1> object_keys_;
  std::string source_key_;  // `","source":"`
  static constexpr std::string_view kOffsetKey = "\",\"offset\":";
  static_assert(kOffsetKey.substr(3, 6) == kViolationFieldNames[kOffsetField]);
  // Per ContainerList: `,"container_type":"initContainer","container":"`.
  std::array<std::string, kContainerListCount> container_types_;
};

}  // namespace

std::unique_ptr<Reporter> MakeNdjsonReporter(const Policy& policy) {
  return std::make_unique<NdjsonReporter>(policy);
}

}  // namespace gatescan::report_internal
