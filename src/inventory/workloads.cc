// workloads.cc — the inventory's workloads: the owners objects name (owner.h
// step 1) lifted through the owner edges of the input, as baselines lift
// them (audit/finding.h), and the rows that meet merged (aggregate.h).
#include <algorithm>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "aggregate.h"

namespace gatescan::inventory_internal {

std::vector<Workload> LiftWorkloads(const std::vector<WorkloadRow>& rows,
                                    const std::vector<WorkloadImageRow>& pairs,
                                    const std::vector<ImageRow>& images,
                                    const std::vector<InvalidRow>& invalid,
                                    const OwnerEdges& edges) {
  std::map<std::array<std::string, 3>, Workload> lifted;
  std::vector<Workload*> target(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const WorkloadRow& row = rows[i];
    FindingKey key;
    key[2] = row.ns;
    key[3] = row.kind;
    key[4] = row.name;
    LiftOwner(edges, &key);
    auto [it, fresh] = lifted.try_emplace({key[2], key[3], key[4]});
    if (fresh) {
      it->second.ns = key[2];
      it->second.kind = key[3];
      it->second.name = key[4];
    }
    it->second.tally.Merge(row.tally);
    target[i] = &it->second;
  }
  for (const WorkloadImageRow& pair : pairs) {
    WorkloadImage image;
    if (pair.valid) {
      const ImageRow& row = images[pair.image];
      image = {row.image, row.registry, row.repository, {}, pair.tally};
    } else {
      image = {invalid[pair.image].image, {}, {}, invalid[pair.image].error, pair.tally};
    }
    target[pair.workload]->images.push_back(image);
  }
  // The same image under two owners that lift to one workload is one row.
  for (auto& [key, workload] : lifted) {
    std::vector<WorkloadImage>& list = workload.images;
    std::sort(list.begin(), list.end(), [](const WorkloadImage& a, const WorkloadImage& b) {
      return std::tie(a.image, a.error) < std::tie(b.image, b.error);
    });
    size_t kept = 0;
    for (size_t i = 0; i < list.size(); ++i) {
      if (kept > 0 && list[kept - 1].image == list[i].image &&
          list[kept - 1].error == list[i].error) {
        list[kept - 1].tally.Merge(list[i].tally);
      } else {
        list[kept++] = list[i];
      }
    }
    list.resize(kept);
  }
  std::vector<Workload> out;
  out.reserve(lifted.size());
  for (auto& [key, workload] : lifted) out.push_back(std::move(workload));
  return out;
}

}  // namespace gatescan::inventory_internal
