// workloads.cc — the inventory's workloads: the owners objects name (owner.h
// step 1) lifted through the owner edges of the input, as baselines lift
// them (audit/finding.h), and the rows that meet merged (aggregate.h).
#include <map>
#include <utility>

#include "aggregate.h"

namespace gatescan::inventory_internal {

std::vector<Workload> LiftWorkloads(const std::vector<WorkloadRow>& rows,
                                    const std::vector<WorkloadImageRow>& images,
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
  // The same image under two owners that lift to one workload is one row.
  std::map<std::pair<Workload*, std::pair<std::string_view, std::string_view>>, WorkloadImage>
      merged;
  for (const WorkloadImageRow& image : images) {
    WorkloadImage& m = merged[{target[image.workload], {image.image, image.error}}];
    if (m.row == nullptr) m.row = &image;
    m.tally.Merge(image.tally);
  }
  for (auto& [key, image] : merged) key.first->images.push_back(std::move(image));
  std::vector<Workload> out;
  out.reserve(lifted.size());
  for (auto& [key, workload] : lifted) out.push_back(std::move(workload));
  return out;
}

}  // namespace gatescan::inventory_internal
