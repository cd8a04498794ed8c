// group.cc — `--group-by workload` for text and ndjson (summary.h): one line
// or record per group of violations that differ only in the object (pod
// replica) they were found on.
#include <unordered_map>
#include <utility>
#include <vector>

#include "fields.h"
#include "gatescan/audit/owner.h"
#include "gatescan/common/chunk_codec.h"
#include "gatescan/common/json_text.h"
#include "gatescan/report/baseline.h"
#include "gatescan/report/summary.h"

namespace gatescan {
namespace {

// Chunk tags: 'P' the inner reporter's bytes; 'G' one violation's group.
constexpr char kPass = 'P';
constexpr char kGroup = 'G';
// The baseline byte of a group: no baseline, new, known.
constexpr uint8_t kNoBaseline = 0, kNew = 1, kKnown = 2;

// A group as the chunk carries it and as it is keyed: every byte of it
// decides the group (the baseline byte follows from the others).
struct Group {
  uint8_t baseline = kNoBaseline;
  uint8_t action = 0;     // as written on the constraint (ndjson)
  uint8_t effective = 0;  // what it means here (text prefixes)
  uint8_t list = 0;
  uint32_t constraint = 0;
  std::string_view ns, owner_kind, owner_name, container, image, message, implied_by;

  void Encode(std::string* out) const {
    for (uint8_t b : {baseline, action, effective, list}) PutU8(b, out);
    PutU32(constraint, out);
    for (std::string_view s : {ns, owner_kind, owner_name, container, image, message, implied_by}) {
      PutBytes(s, out);
    }
  }
  bool Decode(std::string_view bytes) {
    ChunkReader in(bytes);
    for (uint8_t* b : {&baseline, &action, &effective, &list}) *b = in.U8();
    constraint = in.U32();
    for (std::string_view* s :
         {&ns, &owner_kind, &owner_name, &container, &image, &message, &implied_by}) {
      *s = in.Bytes();
    }
    return !in.failed() && in.done() && list < kContainerListCount;
  }
};

class GroupCollector final : public Collector {
 public:
  GroupCollector(std::unique_ptr<Reporter> inner, OutputFormat format, const Policy& policy,
                 const ReportOptions& options, const FindingSet* known, const OwnerEdges* edges,
                 std::atomic<bool>* new_denied)
      : inner_(std::move(inner)),
        ndjson_(format == OutputFormat::kNdjson),
        policy_(policy),
        options_(options),
        known_(known),
        edges_(edges),
        new_denied_(new_denied) {}

  void Collect(const EvaluatedObject& e, std::string* chunk) const override {
    std::string passed;
    inner_->FormatEveryObject(e, &passed);
    PassThrough(passed, chunk);
    if (e.violations.empty()) return;
    const Owner owner = TopOwner(*e.object, e.origin.labels);
    bool denied = false;
    std::string record;
    for (const Violation& v : e.violations) {
      Group g;
      if (known_ != nullptr) {
        const bool known = IsKnownFinding(policy_, *known_, *edges_, e, v);
        denied = denied || (!known && IsDenying(v));
        g.baseline = known ? kKnown : kNew;
      }
      g.action = static_cast<uint8_t>(v.action);
      g.effective = static_cast<uint8_t>(v.effective);
      g.list = static_cast<uint8_t>(v.list);
      g.constraint = v.constraint;
      g.ns = e.object->ns;
      g.owner_kind = owner.kind;
      g.owner_name = owner.name;
      g.container = v.container_name;
      g.image = v.image;
      g.message = v.message;
      g.implied_by = v.implied_by;
      record.clear();
      g.Encode(&record);
      chunk->push_back(kGroup);
      PutBytes(record, chunk);
    }
    if (denied && new_denied_ != nullptr) new_denied_->store(true, std::memory_order_relaxed);
  }

  void CollectError(const ScanError& error, std::string* chunk) const override {
    std::string passed;
    inner_->CollectError(error, &passed);
    PassThrough(passed, chunk);
  }

  Status Consume(std::string_view chunk, OutputSink* sink) override {
    std::string passed;
    ChunkReader in(chunk);
    while (!in.done()) {
      const char tag = static_cast<char>(in.U8());
      const std::string_view bytes = in.Bytes();
      if (tag == kPass) {
        passed.append(bytes);
        continue;
      }
      auto [it, inserted] = counts_.try_emplace(std::string(bytes), 0);
      if (inserted) order_.push_back(&*it);
      ++it->second;
    }
    if (in.failed()) return Status::Error("group-by: internal encoding error");
    return inner_->Consume(passed, sink);
  }

  Status Finish(const ScanSummary& summary, OutputSink* sink) override {
    std::string out;
    for (const auto* entry : order_) {
      Group g;
      if (!g.Decode(entry->first)) return Status::Error("group-by: internal encoding error");
      if (ndjson_) {
        Ndjson(g, entry->second, &out);
      } else {
        Text(g, entry->second, &out);
      }
      if (out.size() >= (1u << 16)) {
        if (Status s = sink->Write(out); !s.ok()) return s;
        out.clear();
      }
    }
    if (Status s = sink->Write(out); !s.ok()) return s;
    return inner_->Finish(summary, sink);
  }

 private:
  static void PassThrough(std::string_view bytes, std::string* chunk) {
    if (bytes.empty()) return;
    chunk->push_back(kPass);
    PutBytes(bytes, chunk);
  }

  void Append(std::string_view s, std::string* out) const {
    report_internal::AppendTextField(s, options_, out);
  }

  void Colored(std::string_view color, std::string_view s, std::string* out) const {
    report_internal::AppendColoredField(color, s, options_, out);
  }

  // [known: ][warn: |dryrun: ]<OwnerKind> [<ns>/]<owner> (N replicas): [<constraint>] <message>
  void Text(const Group& g, uint64_t count, std::string* out) const {
    if (g.baseline == kKnown) out->append("known: ");
    const auto effective = static_cast<EnforcementAction>(g.effective);
    if (effective == EnforcementAction::kWarn) Colored("\x1b[33m", "warn: ", out);
    if (effective == EnforcementAction::kDryrun) Colored("\x1b[36m", "dryrun: ", out);
    Append(g.owner_kind, out);
    out->push_back(' ');
    if (!g.ns.empty()) {
      Append(g.ns, out);
      out->push_back('/');
    }
    Append(g.owner_name, out);
    out->append(" (");
    report_internal::AppendUint(count, out);
    out->append(count == 1 ? " replica): [" : " replicas): [");
    Colored("\x1b[35m", policy_.constraints[g.constraint].name, out);
    out->append("] ");
    Append(g.message, out);
    out->push_back('\n');
  }

  void Ndjson(const Group& g, uint64_t count, std::string* out) const {
    const Constraint& c = policy_.constraints[g.constraint];
    out->append("{\"type\":\"group\"");
    if (g.baseline != kNoBaseline) {
      out->append(g.baseline == kKnown ? ",\"baseline\":\"known\"" : ",\"baseline\":\"new\"");
    }
    const std::pair<std::string_view, std::string_view> fields[] = {
        {"constraint_kind", c.kind},
        {"constraint", c.name},
        {"enforcement_action", ActionName(static_cast<EnforcementAction>(g.action))},
        {"namespace", g.ns},
        {"owner_kind", g.owner_kind},
        {"owner_name", g.owner_name},
        {"container_type", k8s::ContainerTypeWord(static_cast<ContainerList>(g.list))},
        {"container", g.container},
        {"image", g.image},
        {"message", g.message},
        {"implied_by", g.implied_by}};
    for (const auto& [key, value] : fields) {
      if (key == "implied_by" && value.empty()) continue;  // only with --expand, as ndjson
      out->append(",\"").append(key).append("\":");
      AppendJsonString(value, out);
    }
    out->append(",\"replicas\":");
    report_internal::AppendUint(count, out);
    out->append("}\n");
  }

  std::unique_ptr<Reporter> inner_;
  bool ndjson_;
  const Policy& policy_;
  ReportOptions options_;
  const FindingSet* known_;
  const OwnerEdges* edges_;
  std::atomic<bool>* new_denied_;
  // Distinct groups and their counts; order_ is first appearance (input order).
  std::unordered_map<std::string, uint64_t> counts_;
  std::vector<const std::pair<const std::string, uint64_t>*> order_;
};

}  // namespace

bool GroupByFormatSupported(OutputFormat format) {
  return format == OutputFormat::kText || format == OutputFormat::kNdjson;
}

std::unique_ptr<Collector> MakeGroupCollector(std::unique_ptr<Reporter> inner, OutputFormat format,
                                              const Policy& policy, const ReportOptions& options,
                                              const FindingSet* known, const OwnerEdges* edges,
                                              std::atomic<bool>* new_denied) {
  return std::make_unique<GroupCollector>(std::move(inner), format, policy, options, known, edges,
                                          new_denied);
}

}  // namespace gatescan
