// finding.cc — a finding's identity and its byte forms (finding.h).
#include "gatescan/audit/finding.h"

#include <cstring>

#include "gatescan/audit/owner.h"
#include "gatescan/common/k8s_names.h"
#include "gatescan/common/quote.h"

namespace gatescan {

std::string_view MessageWithoutImpliedPrefix(std::string_view message) {
  constexpr std::string_view kOpen = "[Implied by ";
  // Nested expansions (CronJob -> Job -> Pod) stack one prefix per step.
  while (message.substr(0, kOpen.size()) == kOpen) {
    const size_t close = message.find("] ", kOpen.size());
    if (close == std::string_view::npos) break;
    message.remove_prefix(close + 2);
  }
  return message;
}

FindingKey MakeFindingKey(const Constraint& constraint, const ObjectRecord& object,
                          std::span<const Label> labels, const Violation& v) {
  const Owner owner = TopOwner(object, labels);
  const std::string_view message =
      v.implied_by.empty() ? v.message : MessageWithoutImpliedPrefix(v.message);
  return {std::string(constraint.kind),  std::string(constraint.name),
          std::string(object.ns),        std::string(owner.kind),
          std::string(owner.name),       std::string(k8s::ContainerTypeWord(v.list)),
          std::string(v.container_name), std::string(v.image),
          std::string(message)};
}

void AppendFindingFields(const FindingKey& key, std::string* out) {
  for (size_t i = 0; i < key.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->push_back('"');
    out->append(kFindingFields[i]);
    out->append("\":");
    AppendJsonString(key[i], out);
  }
}

bool HasOwnerEdge(const ObjectRecord& object) {
  return !object.owner_kind.empty() && !object.owner_name.empty() && object.kind != "Pod";
}

void AppendOwnerRecord(std::string_view ns, std::string_view kind, std::string_view name,
                       std::string_view owner_kind, std::string_view owner_name, std::string* out) {
  out->append("{\"type\":\"owner\",\"namespace\":");
  AppendJsonString(ns, out);
  out->append(",\"kind\":");
  AppendJsonString(kind, out);
  out->append(",\"name\":");
  AppendJsonString(name, out);
  out->append(",\"owner_kind\":");
  AppendJsonString(owner_kind, out);
  out->append(",\"owner_name\":");
  AppendJsonString(owner_name, out);
  out->append("}\n");
}

void LiftOwner(const OwnerEdges& edges, FindingKey* key) {
  OwnerEdgeKey at = {(*key)[2], (*key)[3], (*key)[4]};
  for (int step = 0; step < 32; ++step) {
    auto it = edges.find(at);
    if (it == edges.end()) break;
    at[1] = it->second.first;
    at[2] = it->second.second;
  }
  (*key)[3] = at[1];
  (*key)[4] = at[2];
}

FindingSet LiftAll(const FindingSet& set, const OwnerEdges& edges) {
  if (edges.empty()) return set;
  FindingSet lifted;
  for (const auto& [key, count] : set) {
    FindingKey k = key;
    LiftOwner(edges, &k);
    lifted[k] += count;
  }
  return lifted;
}

void AppendEncodedKey(const FindingKey& key, std::string* out) {
  for (const std::string& field : key) {
    const auto size = static_cast<uint32_t>(field.size());
    out->append(reinterpret_cast<const char*>(&size), sizeof size);
    out->append(field);
  }
}

bool DecodeKey(std::string_view bytes, size_t* pos, FindingKey* key) {
  for (std::string& field : *key) {
    uint32_t size = 0;
    if (bytes.size() - *pos < sizeof size) return false;
    std::memcpy(&size, bytes.data() + *pos, sizeof size);
    *pos += sizeof size;
    if (bytes.size() - *pos < size) return false;
    field.assign(bytes.substr(*pos, size));
    *pos += size;
  }
  return true;
}

}  // namespace gatescan
