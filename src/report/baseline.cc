// baseline.cc — the baseline writer and the --baseline marker (baseline.h).
#include "gatescan/report/baseline.h"

#include <atomic>
#include <cstdio>
#include <fstream>

namespace gatescan {
namespace {

std::span<const Label> Labels(const EvaluatedObject& e) { return e.origin.labels; }

class BaselineWriter final : public Collector {
 public:
  BaselineWriter(const Policy& policy, std::string path, std::string created, std::string version)
      : policy_(policy),
        path_(std::move(path)),
        created_(std::move(created)),
        version_(std::move(version)) {}

  // The chunk: 'F' + a finding key, or 'E' + an owner edge in the same
  // encoding (namespace, kind, name, owner kind, owner name, then empty).
  void Collect(const EvaluatedObject& e, std::string* chunk) const override {
    const ObjectRecord& o = *e.object;
    if (HasOwnerEdge(o)) {
      chunk->push_back('E');
      AppendEncodedKey({std::string(o.ns), std::string(o.kind), std::string(o.name),
                        std::string(o.owner_kind), std::string(o.owner_name)},
                       chunk);
    }
    for (const Violation& v : e.violations) {
      chunk->push_back('F');
      AppendEncodedKey(MakeFindingKey(policy_.constraints[v.constraint], o, Labels(e), v), chunk);
    }
  }

  Status Consume(std::string_view chunk, OutputSink*) override {
    size_t pos = 0;
    FindingKey key;
    while (pos < chunk.size()) {
      const char tag = chunk[pos++];
      if (!DecodeKey(chunk, &pos, &key)) return Status::Error("baseline: internal encoding error");
      if (tag == 'E') {
        edges_[{key[0], key[1], key[2]}] = {key[3], key[4]};
      } else {
        ++findings_[key];
      }
    }
    return Status::Ok();
  }

  Status Finish(const ScanSummary&, OutputSink* sink) override {
    const std::string bytes =
        FormatBaseline(LiftAll(findings_, edges_), edges_, created_, version_);
    if (path_.empty() || path_ == "-") {
      if (Status s = sink->Write(bytes); !s.ok()) return s;
      return sink->Flush();
    }
    const std::string temporary = path_ + ".tmp";
    {
      std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      out.close();
      if (!out) {
        std::remove(temporary.c_str());
        return Status::Error(path_ + ": cannot write the baseline");
      }
    }
    if (std::rename(temporary.c_str(), path_.c_str()) != 0) {
      std::remove(temporary.c_str());
      return Status::Error(path_ + ": cannot write the baseline");
    }
    return Status::Ok();
  }

 private:
  const Policy& policy_;
  std::string path_, created_, version_;
  FindingSet findings_;  // owners as each object proves them; lifted in Finish
  OwnerEdges edges_;
};

class Marker final : public Collector {
 public:
  Marker(std::unique_ptr<Reporter> inner, OutputFormat format, const Policy& policy,
         const FindingSet* known, const OwnerEdges* edges, std::atomic<bool>* new_denied)
      : inner_(std::move(inner)),
        format_(format),
        policy_(policy),
        known_(known),
        edges_(edges),
        new_denied_(new_denied) {}

  void Collect(const EvaluatedObject& e, std::string* chunk) const override {
    const bool marks = format_ == OutputFormat::kText || format_ == OutputFormat::kNdjson ||
                       format_ == OutputFormat::kSarif || format_ == OutputFormat::kCsv;
    bool denied = false;
    std::string one;
    if (marks) inner_->FormatEveryObject(e, chunk);
    for (const Violation& v : e.violations) {
      const bool known = IsKnownFinding(policy_, *known_, *edges_, e, v);
      denied = denied || (!known && IsDenying(v));
      if (!marks) continue;
      one.clear();
      inner_->FormatObject(*e.object, std::span<const Violation>(&v, 1), e.origin, &one);
      Mark(one, known, chunk);
    }
    if (!marks) inner_->Collect(e, chunk);
    if (denied) new_denied_->store(true, std::memory_order_relaxed);
  }

  void CollectError(const ScanError& error, std::string* chunk) const override {
    inner_->CollectError(error, chunk);
  }
  Status Consume(std::string_view chunk, OutputSink* sink) override {
    return inner_->Consume(chunk, sink);
  }
  Status Finish(const ScanSummary& summary, OutputSink* sink) override {
    return inner_->Finish(summary, sink);
  }

 private:
  // `lines`: one violation's output, one or more lines.
  void Mark(std::string_view lines, bool known, std::string* out) const {
    if (format_ == OutputFormat::kText) {
      if (known) out->append("known: ");
      out->append(lines);
      return;
    }
    if (format_ == OutputFormat::kCsv) {  // one row: the last cell
      constexpr std::string_view kEnd = "\r\n";
      out->append(lines.substr(0, lines.size() - kEnd.size()));
      out->append(known ? ",known" : ",new").append(kEnd);
      return;
    }
    // SARIF's own words: a result in the baseline is "unchanged".
    const bool sarif = format_ == OutputFormat::kSarif;
    const std::string_view head = sarif ? "{\"ruleId\":" : "{\"type\":\"violation\"";
    const size_t at = lines.find(head);
    if (at == std::string_view::npos) {
      out->append(lines);
      return;
    }
    if (sarif) {  // {"baselineState":..,"ruleId":..
      out->append(lines.substr(0, at + 1));
      out->append(known ? "\"baselineState\":\"unchanged\"," : "\"baselineState\":\"new\",");
      out->append(lines.substr(at + 1));
      return;
    }
    out->append(lines.substr(0, at + head.size()));  // {"type":"violation","baseline":..
    out->append(known ? ",\"baseline\":\"known\"" : ",\"baseline\":\"new\"");
    out->append(lines.substr(at + head.size()));
  }

  std::unique_ptr<Reporter> inner_;
  OutputFormat format_;
  const Policy& policy_;
  const FindingSet* known_;
  const OwnerEdges* edges_;
  std::atomic<bool>* new_denied_;
};

}  // namespace

bool IsKnownFinding(const Policy& policy, const FindingSet& known, const OwnerEdges& edges,
                    const EvaluatedObject& e, const Violation& v) {
  return IsKnownFinding(policy, known, edges, *e.object, Labels(e), v);
}

bool IsKnownFinding(const Policy& policy, const FindingSet& known, const OwnerEdges& edges,
                    const ObjectRecord& object, std::span<const Label> labels, const Violation& v) {
  FindingKey key = MakeFindingKey(policy.constraints[v.constraint], object, labels, v);
  LiftOwner(edges, &key);
  return known.count(key) != 0;
}

std::unique_ptr<Collector> MakeBaselineWriter(const Policy& policy, std::string path,
                                              std::string created, std::string version) {
  return std::make_unique<BaselineWriter>(policy, std::move(path), std::move(created),
                                          std::move(version));
}

std::unique_ptr<Collector> MakeBaselineMarker(std::unique_ptr<Reporter> inner, OutputFormat format,
                                              const Policy& policy, const FindingSet* known,
                                              const OwnerEdges* edges,
                                              std::atomic<bool>* new_denied) {
  return std::make_unique<Marker>(std::move(inner), format, policy, known, edges, new_denied);
}

}  // namespace gatescan
