// inventory.cc — the inventory's collector (inventory.h): the parallel half
// parses images and writes one record per object into the chunk; the serial
// half decodes records and adds them into per-registry, per-repository and
// per-image tallies (aggregate.h); Finish() sorts and hands the view to one of
// the four writers (text.cc, json.cc, csv.cc, html.cc).
#include "gatescan/inventory/inventory.h"

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "aggregate.h"
#include "gatescan/allowlist/image_ref.h"
#include "gatescan/common/chunk_codec.h"

namespace gatescan {
namespace {

using namespace inventory_internal;

constexpr std::string_view kNotAString = "image is not a string";

// ---------------------------------------------------------------------------
// Chunk records. Little-endian-agnostic: written and read by the same process.
//   'O' ns:str count:u32 { list:u8 flags:u8 image:str (registry:str repository:str | error:str) }*
//   'E' source:str offset:u64 index:u64 message:str
enum : uint8_t { kValid = 1, kBlocked = 2, kImageIsString = 4 };

class InventoryCollector final : public Collector {
 public:
  InventoryCollector(InventoryFormat format, const Policy* policy)
      : format_(format), policy_(policy) {}

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
    chunk->push_back('O');
    PutBytes(evaluated.object->ns, chunk);
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
      } else {
        return Status::Error("inventory: corrupt chunk record");
      }
    }
    return in.failed() ? Status::Error("inventory: truncated chunk record") : Status::Ok();
  }

  Status Finish(const ScanSummary&, OutputSink* sink) override {
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
    std::string out;
    switch (format_) {
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
    return id;
  }

  void ConsumeObject(ChunkReader* in) {
    const uint64_t object = totals_.objects++;
    const std::string_view ns_name = in->Bytes();
    const uint32_t count = in->U32();
    if (in->failed()) return;
    const int64_t ns = NamespaceId(ns_name);
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
      if (flags & kValid) {
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
        images_
            .Get(image,
                 [&] {
                   return ImageRow{
                       std::string(image), std::string(registry), std::string(repository), {}};
                 })
            .tally.Add(object, ns, blocked);
      } else {
        const std::string_view error = in->Bytes();
        const bool is_string = (flags & kImageIsString) != 0;
        std::string key(image);
        key.push_back('\0');
        key.append(error);
        invalid_
            .Get(key,
                 [&] {
                   return InvalidRow{std::string(image), std::string(error), is_string, {}};
                 })
            .tally.Add(object, ns, blocked);
      }
    }
    if (count == 0) return;
    ++totals_.objects_with_containers;
    if (ns >= 0) totals_.namespaces.insert(static_cast<uint32_t>(ns));
    if (broken) {
      ++totals_.broken_objects;
      if (ns >= 0) totals_.broken_namespaces.insert(static_cast<uint32_t>(ns));
    }
  }

  InventoryFormat format_;
  const Policy* policy_;
  RowIndex<RegistryRow> registries_;
  RowIndex<RepositoryRow> repositories_;
  RowIndex<ImageRow> images_;
  RowIndex<InvalidRow> invalid_;
  StringMap<uint32_t> namespace_ids_;
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

std::unique_ptr<Collector> MakeInventoryCollector(InventoryFormat format, const Policy* policy) {
  return std::make_unique<InventoryCollector>(format, policy);
}

}  // namespace gatescan
