// aggregate.h — private to the inventory room: the tallies the collector
// adds up (inventory.cc), the workloads they are lifted into (workloads.cc)
// and the sorted view the four writers print (text.cc, json.cc, csv.cc,
// html.cc). Plain data; one thread at a time.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "gatescan/audit/finding.h"
#include "gatescan/extract/extract.h"
#include "gatescan/inventory/inventory.h"
#include "gatescan/inventory/suggest.h"
#include "gatescan/policy/policy.h"

namespace gatescan::inventory_internal {

// ---------------------------------------------------------------------------
// Aggregation.

// Counts for one registry, repository or image. Objects arrive one at a time
// with increasing ids, so "distinct objects" is a comparison with the last id.
struct Tally {
  uint64_t containers = 0;
  uint64_t objects = 0;
  uint64_t blocked_containers = 0;
  uint64_t broken_objects = 0;
  std::unordered_set<uint32_t> namespaces;
  std::unordered_set<uint32_t> broken_namespaces;
  uint64_t last_object = UINT64_MAX;
  uint64_t last_broken_object = UINT64_MAX;

  void Add(uint64_t object, int64_t ns, bool blocked) {
    ++containers;
    if (last_object != object) {
      last_object = object;
      ++objects;
    }
    if (ns >= 0) namespaces.insert(static_cast<uint32_t>(ns));
    if (!blocked) return;
    ++blocked_containers;
    if (last_broken_object != object) {
      last_broken_object = object;
      ++broken_objects;
    }
    if (ns >= 0) broken_namespaces.insert(static_cast<uint32_t>(ns));
  }
};

// Tally without the namespace sets, for rows that sit in one namespace
// (namespaces, workloads, (workload, image) pairs): there can be as many as
// objects in a dump of bare pods, so each row stays small.
struct ObjectCounts {
  uint64_t containers = 0;
  uint64_t objects = 0;
  uint64_t blocked_containers = 0;
  uint64_t broken_objects = 0;
  uint64_t last_object = UINT64_MAX;
  uint64_t last_broken_object = UINT64_MAX;

  void Add(uint64_t object, bool blocked) {
    ++containers;
    if (last_object != object) {
      last_object = object;
      ++objects;
    }
    if (!blocked) return;
    ++blocked_containers;
    if (last_broken_object != object) {
      last_broken_object = object;
      ++broken_objects;
    }
  }
  // Adds the counts of a row that saw other objects (workloads lifted into one).
  void Merge(const ObjectCounts& other) {
    containers += other.containers;
    objects += other.objects;
    blocked_containers += other.blocked_containers;
    broken_objects += other.broken_objects;
  }
};

struct RegistryRow {
  std::string name;
  Tally tally;
  uint64_t repositories = 0;
};
struct RepositoryRow {
  std::string name;
  std::string registry;
  Tally tally;
};
struct ImageRow {
  std::string image;
  std::string registry;
  std::string repository;
  Tally tally;
};
struct InvalidRow {
  std::string image;
  std::string error;
  bool is_string = true;
  Tally tally;
};
// One (workload, image) pair as the objects name their owner (owner.h step
// 1): `workload` indexes the WorkloadRow, `image` the ImageRow (or, when not
// `valid`, the InvalidRow), so a row holds no string of its own.
struct WorkloadImageRow {
  size_t workload = 0;
  bool valid = true;
  size_t image = 0;
  ObjectCounts tally;
};
struct WorkloadRow {
  std::string ns, kind, name;
  ObjectCounts tally;
};
struct NamespaceRow {
  std::string name;
  ObjectCounts tally;
};
// A workload after lifting through the input's owner edges: the rows of
// every step-1 owner that lifts to it, merged.
struct WorkloadImage {
  std::string_view image, registry, repository;  // into the image rows
  std::string_view error;                        // an invalid reference's
  ObjectCounts tally;
};
struct Workload {
  std::string ns, kind, name;
  ObjectCounts tally;
  std::vector<WorkloadImage> images;  // by image
  bool broken() const { return tally.blocked_containers > 0; }
};
struct ErrorRow {
  std::string source;
  uint64_t offset = 0;
  uint64_t index = 0;
  std::string message;
};

// Lookups by string_view without building a std::string: Consume() does
// three per container, serially.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

template <typename Row>
class RowIndex {
 public:
  // The row for `key`, created by `make` when new.
  template <typename Make>
  Row& Get(std::string_view key, Make make) {
    auto it = index_.find(key);
    if (it != index_.end()) return rows_[it->second];
    index_.emplace(std::string(key), rows_.size());
    rows_.push_back(make());
    return rows_.back();
  }
  // The index of the row for `key`, created by `make` when new.
  template <typename Make>
  size_t IndexOf(std::string_view key, Make make) {
    auto it = index_.find(key);
    if (it != index_.end()) return it->second;
    index_.emplace(std::string(key), rows_.size());
    rows_.push_back(make());
    return rows_.size() - 1;
  }
  std::vector<Row>& rows() { return rows_; }

 private:
  StringMap<size_t> index_;
  std::vector<Row> rows_;
};

struct Totals {
  uint64_t objects = 0;  // objects that reached the report
  uint64_t objects_with_containers = 0;
  uint64_t containers = 0;
  uint64_t broken_objects = 0;
  uint64_t blocked_containers = 0;
  std::array<uint64_t, kContainerListCount> by_list{};
  std::unordered_set<uint32_t> namespaces;
  std::unordered_set<uint32_t> broken_namespaces;
};

// Sorted views of the tallies, ready to print.
struct Report {
  std::vector<const RegistryRow*> registries;
  std::vector<const RepositoryRow*> repositories;
  std::vector<const ImageRow*> images;
  std::vector<const InvalidRow*> invalid;
  const Totals* totals = nullptr;
  const std::vector<ErrorRow>* errors = nullptr;
  const Policy* policy = nullptr;  // what-if when set
  bool what_if() const { return policy != nullptr; }
  // By (namespace, kind, name), lifted through the owner edges.
  std::vector<const Workload*> workloads;
  // What breaks: namespaces and workloads with a blocked container, most
  // blocked containers first. Empty without a policy.
  std::vector<const NamespaceRow*> broken_namespaces;
  std::vector<uint64_t> broken_workloads_per_namespace;  // parallel to broken_namespaces
  std::vector<const Workload*> broken_workloads;
  const InventoryOptions* options = nullptr;
  const Suggestion* suggestion = nullptr;  // --suggest, else null
  uint64_t inputs_read = 0;                // files the scan opened (ScanSummary)
};

template <typename Row, typename Name>
std::vector<const Row*> SortedByContainers(std::vector<Row>& rows, Name name) {
  std::vector<const Row*> out;
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(&r);
  std::sort(out.begin(), out.end(), [&](const Row* a, const Row* b) {
    if (a->tally.containers != b->tally.containers)
      return a->tally.containers > b->tally.containers;
    return name(*a) < name(*b);
  });
  return out;
}

std::string Num(uint64_t v);
std::string Percent(uint64_t part, uint64_t whole);
// "Kind/name, Kind/name" of every constraint, or "none".
std::string ConstraintNames(const Policy& policy);
// Columns count code points, not bytes, so UTF-8 names stay aligned.
size_t DisplayWidth(std::string_view s);

// The workloads of `rows` lifted through `edges` (audit/finding.h
// LiftOwner), rows meeting in one workload merged; by (namespace, kind,
// name), each one's images by image. Points into `images` and `invalid`.
std::vector<Workload> LiftWorkloads(const std::vector<WorkloadRow>& rows,
                                    const std::vector<WorkloadImageRow>& pairs,
                                    const std::vector<ImageRow>& images,
                                    const std::vector<InvalidRow>& invalid,
                                    const OwnerEdges& edges);

// "gatekeeper" or "reference".
std::string_view MatchModeName(MatchMode mode);
// The workload's images that are blocked, "a, b" (what breaks).
std::string BlockedImages(const Workload& w);

void WriteText(const Report& r, std::string* out);
void WriteJson(const Report& r, std::string* out);
void WriteCsv(const Report& r, std::string* out);
void WriteHtml(const Report& r, std::string* out);

}  // namespace gatescan::inventory_internal
