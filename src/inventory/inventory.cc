// inventory.cc — the inventory's collector (inventory.h): the parallel half
// parses images, names each object's workload and writes one record per
// object into the chunk; the serial half decodes records and adds them into
// per-registry, per-repository, per-image, per-namespace and per-(workload,
// image) tallies (aggregate.h); Finish() lifts the workloads (workloads.cc),
// computes the --suggest allowlist (suggest.h), sorts and hands the view to
// one of the four writers (text.cc, json.cc, csv.cc, html.cc).
#include "gatescan/inventory/inventory.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "aggregate.h"
#include "gatescan/allowlist/image_ref.h"
#include "gatescan/audit/owner.h"
#include "gatescan/common/chunk_codec.h"

namespace gatescan {
namespace {

using namespace inventory_internal;

constexpr std::string_view kNotAString = "image is not a string";

// ---------------------------------------------------------------------------
// Chunk records. Little-endian-agnostic: written and read by the same process.
//   'O' ns:str owner_kind:str owner_name:str count:u32
//       { list:u8 flags:u8 image:str (registry:str repository:str | error:str) }*
//   'W' ns:str kind:str name:str owner_kind:str owner_name:str   (an owner edge)
//   'E' source:str offset:u64 index:u64 message:str
enum : uint8_t { kValid = 1, kBlocked = 2, kImageIsString = 4 };

class InventoryCollector final : public Collector {
 public:
  InventoryCollector(InventoryOptions options, const Policy* policy)
      : options_(std::move(options)), policy_(policy) {}

  void CollectError(const ScanError& error, std::string* chunk) const override {
    chunk->push_back('E');
    PutBytes(
        error.origin.input != nullptr ? std::string_view(error.origin.input->display_name) : "",
        chunk);
    PutU64(error.origin.offset, chunk);
    PutU64(error.origin.index, chunk);
    PutBytes(error.message, chunk);
  }

  void Collect(const EvaluatedObject& evaluated, std::string* chunk) const override {
    thread_local ImageReference ref;
    const ObjectRecord& object = *evaluated.object;
    if (HasOwnerEdge(object)) {
      chunk->push_back('W');
      for (std::string_view s :
           {object.ns, object.kind, object.name, object.owner_kind, object.owner_name}) {
        PutBytes(s, chunk);
      }
    }
    // The workload as the scan's findings name it (owner.h).
    const Owner owner = TopOwner(object, evaluated.origin.labels);
    chunk->push_back('O');
    PutBytes(object.ns, chunk);
    PutBytes(owner.kind, chunk);
    PutBytes(owner.name, chunk);
    // With --expand a workload's pod template counts as its containers, as
    // the Pods it makes would.
    PutU32(
        static_cast<uint32_t>(evaluated.containers.size() + evaluated.template_containers.size()),
        chunk);
    for (size_t i = 0; i < evaluated.containers.size() + evaluated.template_containers.size();
         ++i) {
      const bool implied = i >= evaluated.containers.size();
      const ContainerRef& c = implied
                                  ? evaluated.template_containers[i - evaluated.containers.size()]
                                  : evaluated.containers[i];
      const bool valid = c.image_is_string && ParseNormalizedNamed(c.image, &ref);
      uint8_t flags = valid ? kValid : 0;
      if (c.image_is_string) flags |= kImageIsString;
      if (IsBlocked(c, implied, evaluated.violations)) flags |= kBlocked;
      chunk->push_back(static_cast<char>(c.list));
      chunk->push_back(static_cast<char>(flags));
      PutBytes(c.image, chunk);
      if (valid) {
        PutBytes(ref.domain(), chunk);
        PutBytes(ref.name(), chunk);
      } else {
        PutBytes(c.image_is_string ? ref.error() : kNotAString, chunk);
      }
    }
  }

  Status Consume(std::string_view chunk, OutputSink*) override {
    ChunkReader in(chunk);
    while (!in.done()) {
      const uint8_t tag = in.U8();
      if (tag == 'E') {
        ErrorRow e;
        e.source = std::string(in.Bytes());
        e.offset = in.U64();
        e.index = in.U64();
        e.message = std::string(in.Bytes());
        if (!in.failed()) errors_.push_back(std::move(e));
      } else if (tag == 'O') {
        ConsumeObject(&in);
      } else if (tag == 'W') {
        OwnerEdgeKey from;
        for (std::string& field : from) field = std::string(in.Bytes());
        std::string kind(in.Bytes());
        std::string name(in.Bytes());
        if (!in.failed()) edges_.emplace(std::move(from), std::make_pair(kind, name));
      } else {
        return Status::Error("inventory: corrupt chunk record");
      }
    }
    return in.failed() ? Status::Error("inventory: truncated chunk record") : Status::Ok();
  }

  Status Finish(const ScanSummary& summary, OutputSink* sink) override {
    for (RepositoryRow& repo : repositories_.rows()) {
      ++registries_.Get(repo.registry,
                        [&] {
                          return RegistryRow{repo.registry, {}, 0};
                        })
            .repositories;
    }
    Report r;
    r.registries = SortedByContainers(
        registries_.rows(), [](const RegistryRow& x) -> const std::string& { return x.name; });
    r.repositories = SortedByContainers(
        repositories_.rows(), [](const RepositoryRow& x) -> const std::string& { return x.name; });
    r.images = SortedByContainers(images_.rows(),
                                  [](const ImageRow& x) -> const std::string& { return x.image; });
    r.invalid = SortedByContainers(
        invalid_.rows(), [](const InvalidRow& x) -> const std::string& { return x.image; });
    r.totals = &totals_;
    r.errors = &errors_;
    r.policy = policy_;
    r.options = &options_;
    r.inputs_read = summary.inputs;

    const std::vector<Workload> workloads =
        LiftWorkloads(workloads_.rows(), workload_images_, images_.rows(), invalid_.rows(), edges_);
    std::map<std::string_view, uint64_t> broken_per_namespace;
    for (const Workload& w : workloads) {
      r.workloads.push_back(&w);
      if (policy_ == nullptr || !w.broken()) continue;
      r.broken_workloads.push_back(&w);
      ++broken_per_namespace[w.ns];
    }
    std::stable_sort(r.broken_workloads.begin(), r.broken_workloads.end(),
                     [](const Workload* a, const Workload* b) {
                       return a->tally.blocked_containers > b->tally.blocked_containers;
                     });
    if (policy_ != nullptr) {
      for (const NamespaceRow& ns : namespaces_) {
        if (ns.tally.blocked_containers > 0) r.broken_namespaces.push_back(&ns);
      }
      std::sort(r.broken_namespaces.begin(), r.broken_namespaces.end(),
                [](const NamespaceRow* a, const NamespaceRow* b) {
                  if (a->tally.blocked_containers != b->tally.blocked_containers)
                    return a->tally.blocked_containers > b->tally.blocked_containers;
                  return a->name < b->name;
                });
      for (const NamespaceRow* ns : r.broken_namespaces) {
        r.broken_workloads_per_namespace.push_back(broken_per_namespace[ns->name]);
      }
    }
    Suggestion suggestion;
    if (options_.suggest_ppm > 0) {
      suggestion = SuggestAllowlist(prefixes_.rows(), totals_.containers, options_.suggest_ppm,
                                    options_.match == MatchMode::kReference);
      r.suggestion = &suggestion;
    }

    std::string out;
    switch (options_.format) {
      case InventoryFormat::kText:
        WriteText(r, &out);
        break;
      case InventoryFormat::kJson:
        WriteJson(r, &out);
        break;
      case InventoryFormat::kCsv:
        WriteCsv(r, &out);
        break;
      case InventoryFormat::kHtml:
        WriteHtml(r, &out);
        break;
    }
    if (Status s = sink->Write(out); !s.ok()) return s;
    return sink->Flush();
  }

 private:
  // A violation names the container it flags by list, name and image;
  // implied violations (--expand) name the pod template's containers, the
  // others the object's own; match errors name none.
  static bool IsBlocked(const ContainerRef& c, bool implied,
                        std::span<const Violation> violations) {
    for (const Violation& v : violations) {
      if (v.is_match_error || v.implied_by.empty() == implied) continue;
      if (v.list == c.list && v.image == c.image && v.container_name == c.name) return true;
    }
    return false;
  }

  int64_t NamespaceId(std::string_view ns) {
    if (ns.empty()) return -1;
    if (auto it = namespace_ids_.find(ns); it != namespace_ids_.end()) return it->second;
    const auto id = static_cast<uint32_t>(namespace_ids_.size());
    namespace_ids_.emplace(std::string(ns), id);
    namespaces_.push_back(NamespaceRow{std::string(ns), {}});
    return id;
  }

  void ConsumeObject(ChunkReader* in) {
    const uint64_t object = totals_.objects++;
    const std::string_view ns_name = in->Bytes();
    const std::string_view owner_kind = in->Bytes();
    const std::string_view owner_name = in->Bytes();
    const uint32_t count = in->U32();
    if (in->failed()) return;
    const int64_t ns = NamespaceId(ns_name);
    if (count == 0) return;
    NamespaceRow* ns_row = ns >= 0 ? &namespaces_[static_cast<size_t>(ns)] : nullptr;
    key_.assign(ns_name);
    key_.push_back('\0');
    key_.append(owner_kind);
    key_.push_back('\0');
    key_.append(owner_name);
    const size_t workload = workloads_.IndexOf(key_, [&] {
      return WorkloadRow{
          std::string(ns_name), std::string(owner_kind), std::string(owner_name), {}};
    });
    bool broken = false;
    for (uint32_t i = 0; i < count && !in->failed(); ++i) {
      const uint8_t list = in->U8();
      const uint8_t flags = in->U8();
      const std::string_view image = in->Bytes();
      const bool blocked = policy_ != nullptr && (flags & kBlocked) != 0;
      broken = broken || blocked;
      ++totals_.containers;
      if (list < kContainerListCount) ++totals_.by_list[list];
      if (blocked) ++totals_.blocked_containers;
      if (ns_row != nullptr) ns_row->tally.Add(object, blocked);
      workloads_.rows()[workload].tally.Add(object, blocked);
      bool valid = (flags & kValid) != 0;
      size_t image_index = 0;
      if (valid) {
        const std::string_view registry = in->Bytes();
        const std::string_view repository = in->Bytes();
        registries_.Get(registry,
                        [&] {
                          return RegistryRow{std::string(registry), {}, 0};
                        })
            .tally.Add(object, ns, blocked);
        repositories_
            .Get(repository,
                 [&] {
                   return RepositoryRow{std::string(repository), std::string(registry), {}};
                 })
            .tally.Add(object, ns, blocked);
        image_index = images_.IndexOf(image, [&] {
          return ImageRow{std::string(image), std::string(registry), std::string(repository), {}};
        });
        images_.rows()[image_index].tally.Add(object, ns, blocked);
        if (options_.suggest_ppm > 0) AddPrefix(image, registry, repository);
      } else {
        const std::string_view error = in->Bytes();
        const bool is_string = (flags & kImageIsString) != 0;
        std::string key(image);
        key.push_back('\0');
        key.append(error);
        image_index = invalid_.IndexOf(key, [&] {
          return InvalidRow{std::string(image), std::string(error), is_string, {}};
        });
        invalid_.rows()[image_index].tally.Add(object, ns, blocked);
      }
      // (workload, image) by the rows' indexes: no string hashed or copied.
      const PairKey pair{workload, image_index * 2 + (valid ? 1 : 0)};
      auto [it, fresh] = workload_image_index_.try_emplace(pair, workload_images_.size());
      if (fresh) workload_images_.push_back(WorkloadImageRow{workload, valid, image_index, {}});
      workload_images_[it->second].tally.Add(object, blocked);
    }
    ++totals_.objects_with_containers;
    if (ns >= 0) totals_.namespaces.insert(static_cast<uint32_t>(ns));
    if (broken) {
      ++totals_.broken_objects;
      if (ns >= 0) totals_.broken_namespaces.insert(static_cast<uint32_t>(ns));
    }
  }

  // --suggest: the prefixes of a valid image under the run's match mode
  // (suggest.h).
  void AddPrefix(std::string_view image, std::string_view registry, std::string_view repository) {
    uint8_t forms = 0;
    std::string_view prefix_registry;
    if (options_.match == MatchMode::kReference) {
      key_.assign(registry);
      key_.push_back('/');
      prefix_registry = key_;
    } else {
      SpelledPrefixes(image, &prefix_registry, &repository, &forms);
    }
    PrefixCount& p = prefixes_.Get(repository, [&] {
      return PrefixCount{std::string(prefix_registry), std::string(repository), 0, 0};
    });
    ++p.containers;
    p.forms |= forms;
  }

  InventoryOptions options_;
  const Policy* policy_;
  RowIndex<RegistryRow> registries_;
  RowIndex<RepositoryRow> repositories_;
  RowIndex<ImageRow> images_;
  RowIndex<InvalidRow> invalid_;
  StringMap<uint32_t> namespace_ids_;
  std::vector<NamespaceRow> namespaces_;  // by NamespaceId
  RowIndex<WorkloadRow> workloads_;
  struct PairKey {
    size_t workload;
    size_t image;  // row index * 2 + valid
    bool operator==(const PairKey&) const = default;
  };
  struct PairHash {
    size_t operator()(const PairKey& k) const {
      return std::hash<uint64_t>{}(k.workload * 0x9E3779B97F4A7C15ull ^ k.image);
    }
  };
  std::unordered_map<PairKey, size_t, PairHash> workload_image_index_;
  std::vector<WorkloadImageRow> workload_images_;
  RowIndex<PrefixCount> prefixes_;
  OwnerEdges edges_;
  std::string key_;  // scratch for composite keys
  Totals totals_;
  std::vector<ErrorRow> errors_;
};

}  // namespace

bool ParseInventoryFormat(std::string_view name, InventoryFormat* out) {
  static constexpr std::pair<std::string_view, InventoryFormat> kNames[] = {
      {"text", InventoryFormat::kText},
      {"json", InventoryFormat::kJson},
      {"csv", InventoryFormat::kCsv},
      {"html", InventoryFormat::kHtml},
  };
  for (const auto& [n, f] : kNames) {
    if (n == name) {
      *out = f;
      return true;
    }
  }
  return false;
}

bool ParseCsvLevel(std::string_view name, CsvLevel* out) {
  static constexpr std::pair<std::string_view, CsvLevel> kNames[] = {
      {"registry", CsvLevel::kRegistry},
      {"repository", CsvLevel::kRepository},
      {"image", CsvLevel::kImage},
      {"workload", CsvLevel::kWorkload},
  };
  for (const auto& [n, l] : kNames) {
    if (n == name) {
      *out = l;
      return true;
    }
  }
  return false;
}

bool ParseSuggestShare(std::string_view text, uint32_t* ppm) {
  if (!text.empty() && text.back() == '%') text.remove_suffix(1);
  // Ten-thousandths of a percent are millionths of the whole: ppm.
  uint64_t value = 0;
  int decimals = -1;
  for (char c : text) {
    if (c == '.' && decimals < 0) {
      decimals = 0;
      continue;
    }
    if (c < '0' || c > '9' || decimals >= 4 || value > 100'0000) return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
    if (decimals >= 0) ++decimals;
  }
  if (text.empty() || text == "." || decimals == 0) return false;
  for (int d = decimals < 0 ? 0 : decimals; d < 4; ++d) value *= 10;
  if (value == 0 || value > 100'0000) return false;
  *ppm = static_cast<uint32_t>(value);
  return true;
}

std::unique_ptr<Collector> MakeInventoryCollector(const InventoryOptions& options,
                                                  const Policy* policy) {
  return std::make_unique<InventoryCollector>(options, policy);
}

std::unique_ptr<Collector> MakeInventoryCollector(InventoryFormat format, const Policy* policy) {
  InventoryOptions options;
  options.format = format;
  return MakeInventoryCollector(options, policy);
}

}  // namespace gatescan
