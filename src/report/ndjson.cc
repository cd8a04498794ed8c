// ndjson.cc — one JSON object per line: violations, error records inline, and a
// closing summary.

#include <cstdio>
#include <utility>

#include "fields.h"
#include "gatescan/audit/finding.h"
#include "gatescan/common/quote.h"

namespace gatescan::report_internal {
namespace {

class NdjsonReporter final : public Reporter {
 public:
  explicit NdjsonReporter(const Policy& policy) : policy_(policy) {}

  void FormatObject(const ObjectRecord& object, std::span<const Violation> violations,
                    const RecordOrigin& origin, std::string* chunk) const override {
    const ObjectFields fields = MakeObjectFields(object, origin);
    for (const Violation& v : violations) {
      const auto values =
          ViolationFieldValues(policy_.constraints[v.constraint], object, fields, v, origin);
      chunk->append("{\"type\":\"violation\"");
      for (size_t i = 0; i < kOffsetField; ++i) {
        if (i == kImpliedByField && values[i].empty()) continue;  // only with --expand
        Field(kViolationFieldNames[i], values[i], chunk);
      }
      chunk->append(",\"offset\":").append(fields.offset).append("}\n");  // a number
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

  const Policy& policy_;
};

}  // namespace

std::unique_ptr<Reporter> MakeNdjsonReporter(const Policy& policy) {
  return std::make_unique<NdjsonReporter>(policy);
}

}  // namespace gatescan::report_internal
