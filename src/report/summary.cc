// summary.cc — `--summary` tables and `-o summary-json` (summary.h).
//
// The parallel stage reduces one object to its rows: for each table, each
// distinct row the object's violations fall in, with that row's violations,
// distinct containers and new violations (the object itself counts once per
// row). The serial stage adds rows up in one map per table.
#include "gatescan/report/summary.h"

#include <algorithm>
#include <array>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fields.h"
#include "gatescan/allowlist/image_ref.h"
#include "gatescan/audit/owner.h"
#include "gatescan/common/chunk_codec.h"
#include "gatescan/common/json_text.h"
#include "gatescan/common/terminal.h"
#include "gatescan/report/baseline.h"

namespace gatescan {
namespace {

enum Table : uint8_t { kConstraint, kNamespace, kWorkload, kRegistry, kImage, kTableCount };

struct TableInfo {
  std::string_view title;   // text heading
  std::string_view column;  // text column of the name
  std::string_view json;    // summary-json key
};
constexpr std::array<TableInfo, kTableCount> kTables = {{
    {"By constraint", "constraint", "constraints"},
    {"By namespace", "namespace", "namespaces"},
    {"By workload", "workload", "workloads"},
    {"By registry", "registry", "registries"},
    {"By image", "image", "images"},
}};

// Chunk tags: 'P' the inner collector's bytes; 'O' one object's rows.
constexpr char kPass = 'P';
constexpr char kObject = 'O';

struct Counts {
  uint64_t violations = 0;
  uint64_t containers = 0;
  uint64_t objects = 0;
  uint64_t fresh = 0;  // new violations (with a baseline)
};

// One row of one object, in the parallel stage.
struct ObjectRow {
  uint8_t table = 0;
  std::string key;  // length-prefixed parts (chunk_codec), decoded when printed
  uint32_t violations = 0;
  uint32_t fresh = 0;
  std::vector<uint32_t> containers;  // indexes of the object's distinct containers
};

// Whether the container a violation is about has a string image: a rendered
// non-string (`12`, `null`) is no reference, even when it parses as one.
bool ImageIsString(const EvaluatedObject& e, const Violation& v) {
  for (const auto* list : {&e.containers, &e.template_containers}) {
    for (const ContainerRef& c : *list) {
      if (c.list == v.list && c.name == v.container_name && c.image == v.image) {
        return c.image_is_string;
      }
    }
  }
  return true;
}

class SummaryCollector final : public Collector {
 public:
  SummaryCollector(std::unique_ptr<Collector> inner, const Policy& policy, SummaryOptions options)
      : inner_(std::move(inner)), policy_(policy), options_(options) {}

  void Collect(const EvaluatedObject& e, std::string* chunk) const override {
    if (inner_ != nullptr) Pass([&](std::string* out) { inner_->Collect(e, out); }, chunk);
    if (e.violations.empty()) return;
    const ObjectRecord& o = *e.object;
    const Owner owner = TopOwner(o, e.origin.labels);
    thread_local ImageReference ref;
    // (list, name, implied_by) tells an object's containers apart: a pod's
    // own containers from a workload's template's.
    std::vector<std::array<std::string_view, 3>> containers;
    std::vector<ObjectRow> rows;
    bool denied = false;
    for (const Violation& v : e.violations) {
      const std::array<std::string_view, 3> id = {k8s::ContainerTypeWord(v.list), v.container_name,
                                                  v.implied_by};
      auto found = std::find(containers.begin(), containers.end(), id);
      const auto container = static_cast<uint32_t>(found - containers.begin());
      if (found == containers.end()) containers.push_back(id);
      const bool fresh = options_.known != nullptr &&
                         !IsKnownFinding(policy_, *options_.known, *options_.edges, e, v);
      denied = denied || (fresh && IsDenying(v));
      std::array<std::string, kTableCount> keys;
      PutU32(v.constraint, &keys[kConstraint]);
      PutBytes(o.ns, &keys[kNamespace]);
      PutBytes(o.ns, &keys[kWorkload]);
      PutBytes(owner.kind, &keys[kWorkload]);
      PutBytes(owner.name, &keys[kWorkload]);
      const bool valid = ImageIsString(e, v) && ParseNormalizedNamed(v.image, &ref);
      PutU8(valid ? 1 : 0, &keys[kRegistry]);
      PutBytes(valid ? ref.domain() : std::string_view(), &keys[kRegistry]);
      PutBytes(v.image, &keys[kImage]);
      for (uint8_t t = 0; t < kTableCount; ++t) {
        auto row = std::find_if(rows.begin(), rows.end(), [&](const ObjectRow& r) {
          return r.table == t && r.key == keys[t];
        });
        if (row == rows.end()) {
          rows.push_back(ObjectRow{t, std::move(keys[t]), 0, 0, {}});
          row = rows.end() - 1;
        }
        ++row->violations;
        row->fresh += fresh ? 1 : 0;
        if (std::find(row->containers.begin(), row->containers.end(), container) ==
            row->containers.end()) {
          row->containers.push_back(container);
        }
      }
    }
    if (denied && options_.new_denied != nullptr) {
      options_.new_denied->store(true, std::memory_order_relaxed);
    }
    chunk->push_back(kObject);
    PutU32(static_cast<uint32_t>(containers.size()), chunk);
    PutU32(static_cast<uint32_t>(rows.size()), chunk);
    for (const ObjectRow& row : rows) {
      PutU8(row.table, chunk);
      PutBytes(row.key, chunk);
      PutU32(row.violations, chunk);
      PutU32(static_cast<uint32_t>(row.containers.size()), chunk);
      PutU32(row.fresh, chunk);
    }
  }

  void CollectError(const ScanError& error, std::string* chunk) const override {
    if (inner_ != nullptr) Pass([&](std::string* out) { inner_->CollectError(error, out); }, chunk);
  }

  Status Consume(std::string_view chunk, OutputSink* sink) override {
    std::string passed;
    ChunkReader in(chunk);
    while (!in.done()) {
      const char tag = static_cast<char>(in.U8());
      if (tag == kPass) {
        passed.append(in.Bytes());
        continue;
      }
      const uint32_t containers = in.U32();
      const uint32_t rows = in.U32();
      ++totals_.objects;
      totals_.containers += containers;
      for (uint32_t i = 0; i < rows && !in.failed(); ++i) {
        const uint8_t table = in.U8();
        const std::string_view key = in.Bytes();
        const uint32_t violations = in.U32(), row_containers = in.U32(), fresh = in.U32();
        if (table >= kTableCount) return Status::Error("summary: internal encoding error");
        Counts& c = tables_[table][std::string(key)];
        c.violations += violations;
        c.containers += row_containers;
        c.fresh += fresh;
        ++c.objects;
        if (table == kConstraint) {
          totals_.violations += violations;
          totals_.fresh += fresh;
        }
      }
    }
    if (in.failed()) return Status::Error("summary: internal encoding error");
    return inner_ != nullptr ? inner_->Consume(passed, sink) : Status::Ok();
  }

  Status Finish(const ScanSummary& summary, OutputSink* sink) override {
    if (inner_ != nullptr) {
      if (Status s = inner_->Finish(summary, sink); !s.ok()) return s;
    }
    std::string out;
    if (options_.json) {
      Json(summary, &out);
    } else {
      if (inner_ != nullptr && totals_.violations > 0) out.push_back('\n');
      Text(summary, &out);
    }
    if (Status s = sink->Write(out); !s.ok()) return s;
    return sink->Flush();
  }

 private:
  struct Row {
    std::vector<std::string_view> parts;  // the key decoded
    std::string name;                     // as the text table shows it, and the sort order
    bool valid = true;                    // registry: the image was a reference
    Counts counts;
  };

  template <typename Write>
  static void Pass(Write write, std::string* chunk) {
    std::string bytes;
    write(&bytes);
    if (bytes.empty()) return;
    chunk->push_back(kPass);
    PutBytes(bytes, chunk);
  }

  std::vector<Row> SortedRows(uint8_t table) const {
    std::vector<Row> rows;
    rows.reserve(tables_[table].size());
    for (const auto& [key, counts] : tables_[table]) {
      Row row;
      row.counts = counts;
      ChunkReader in(key);
      if (table == kConstraint) {
        const Constraint& c = policy_.constraints[in.U32()];
        row.parts = {c.kind, c.name};
        row.name = c.kind + "/" + c.name;
      } else {
        if (table == kRegistry) row.valid = in.U8() != 0;
        while (!in.done()) row.parts.push_back(in.Bytes());
        row.name = DisplayName(table, row);
      }
      rows.push_back(std::move(row));
    }
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      if (a.counts.violations != b.counts.violations) {
        return a.counts.violations > b.counts.violations;
      }
      return a.name < b.name;
    });
    return rows;
  }

  static std::string DisplayName(uint8_t table, const Row& row) {
    const auto part = [&](size_t i) {
      return i < row.parts.size() ? row.parts[i] : std::string_view();
    };
    switch (table) {
      case kNamespace:
        return part(0).empty() ? "(cluster-scoped)" : std::string(part(0));
      case kWorkload: {
        std::string name;
        if (!part(0).empty()) name.append(part(0)).push_back('/');
        name.append(part(1)).push_back('/');
        return name.append(part(2));
      }
      case kRegistry:
        return row.valid ? std::string(part(0)) : "(not a valid reference)";
      default:
        return std::string(part(0));
    }
  }

  bool baseline() const { return options_.known != nullptr; }

  void Text(const ScanSummary& summary, std::string* out) const {
    out->append("Summary: ");
    AppendCount(totals_.violations, "violation", out);
    if (baseline()) {
      out->append(" (");
      AppendNumber(totals_.fresh, out);
      out->append(" new, ");
      AppendNumber(totals_.violations - totals_.fresh, out);
      out->append(" known)");
    }
    out->append(" in ");
    AppendCount(totals_.containers, "container", out);
    out->append(" of ");
    AppendCount(totals_.objects, "object", out);
    out->append("; scanned ");
    AppendCount(summary.objects, "object", out);
    out->append(", ");
    AppendCount(summary.containers, "container", out);
    out->append(", ");
    AppendCount(summary.errors, "error", out);
    out->push_back('\n');
    if (totals_.violations == 0) return;
    std::vector<std::string_view> headers = {"violations"};
    if (baseline()) headers.insert(headers.end(), {"new", "known"});
    headers.insert(headers.end(), {"containers", "objects"});
    for (uint8_t t = 0; t < kTableCount; ++t) {
      const std::vector<Row> rows = SortedRows(t);
      // Numbers first, right-aligned; the name last, so that no width of
      // untrusted text needs measuring.
      std::vector<size_t> widths;
      widths.reserve(headers.size());
      for (std::string_view h : headers) widths.push_back(h.size());
      const auto values = [&](const Counts& c) {
        std::vector<uint64_t> v = {c.violations};
        if (baseline()) v.insert(v.end(), {c.fresh, c.violations - c.fresh});
        v.insert(v.end(), {c.containers, c.objects});
        return v;
      };
      for (const Row& row : rows) {
        const std::vector<uint64_t> v = values(row.counts);
        for (size_t i = 0; i < v.size(); ++i) {
          widths[i] = std::max(widths[i], std::to_string(v[i]).size());
        }
      }
      out->append("\n").append(kTables[t].title).append(" (");
      AppendNumber(rows.size(), out);
      out->append(")\n");
      for (size_t i = 0; i < headers.size(); ++i) {
        out->append(2 + widths[i] - headers[i].size(), ' ').append(headers[i]);
      }
      out->append("  ").append(kTables[t].column).push_back('\n');
      const size_t shown = options_.rows == 0 ? rows.size() : std::min(rows.size(), options_.rows);
      for (size_t r = 0; r < shown; ++r) {
        const std::vector<uint64_t> v = values(rows[r].counts);
        for (size_t i = 0; i < v.size(); ++i) {
          const std::string n = std::to_string(v[i]);
          out->append(2 + widths[i] - n.size(), ' ').append(n);
        }
        out->append("  ");
        AppendTerminalSafe(rows[r].name, out);
        out->push_back('\n');
      }
      if (shown < rows.size()) {
        out->append("  ... and ");
        AppendNumber(rows.size() - shown, out);
        out->append(" more (--summary-rows all lists every row)\n");
      }
    }
  }

  void JsonCounts(const Counts& c, std::string* out) const {
    out->append("\"violations\":");
    AppendNumber(c.violations, out);
    if (baseline()) {
      out->append(",\"new\":");
      AppendNumber(c.fresh, out);
      out->append(",\"known\":");
      AppendNumber(c.violations - c.fresh, out);
    }
    out->append(",\"containers\":");
    AppendNumber(c.containers, out);
    out->append(",\"objects\":");
    AppendNumber(c.objects, out);
  }

  void Json(const ScanSummary& summary, std::string* out) const {
    out->append("{\"format\":\"gatescan-summary\",\"version\":1,\"totals\":{");
    JsonCounts(totals_, out);
    const std::pair<std::string_view, uint64_t> scanned[] = {
        {"objects_scanned", summary.objects},
        {"containers_scanned", summary.containers},
        {"inputs", summary.inputs},
        {"errors", summary.errors}};
    for (const auto& [key, value] : scanned) {
      out->append(",\"").append(key).append("\":");
      AppendNumber(value, out);
    }
    out->append("}");
    constexpr std::array<std::array<std::string_view, 3>, kTableCount> kFields = {{
        {"constraint_kind", "constraint", ""},
        {"namespace", "", ""},
        {"namespace", "owner_kind", "owner_name"},
        {"registry", "", ""},
        {"image", "", ""},
    }};
    for (uint8_t t = 0; t < kTableCount; ++t) {
      out->append(",\n\"").append(kTables[t].json).append("\":[");
      bool first = true;
      for (const Row& row : SortedRows(t)) {
        out->append(first ? "\n{" : ",\n{");
        first = false;
        for (size_t i = 0; i < kFields[t].size() && !kFields[t][i].empty(); ++i) {
          out->append("\"").append(kFields[t][i]).append("\":");
          if (t == kRegistry && !row.valid) {
            out->append("null");
          } else {
            AppendJsonString(i < row.parts.size() ? row.parts[i] : std::string_view(), out);
          }
          out->push_back(',');
        }
        JsonCounts(row.counts, out);
        out->push_back('}');
      }
      out->append("]");
    }
    out->append("}\n");
  }

  static void AppendNumber(uint64_t value, std::string* out) {
    report_internal::AppendUint(value, out);
  }
  // "1 violation", "2 violations".
  static void AppendCount(uint64_t value, std::string_view noun, std::string* out) {
    AppendNumber(value, out);
    out->append(" ").append(noun);
    if (value != 1) out->push_back('s');
  }

  std::unique_ptr<Collector> inner_;
  const Policy& policy_;
  SummaryOptions options_;
  std::array<std::unordered_map<std::string, Counts>, kTableCount> tables_;
  Counts totals_;  // objects and containers: those with a violation
};

}  // namespace

std::unique_ptr<Collector> MakeSummaryCollector(std::unique_ptr<Collector> inner,
                                                const Policy& policy, SummaryOptions options) {
  return std::make_unique<SummaryCollector>(std::move(inner), policy, options);
}

}  // namespace gatescan
