// json.cc — the inventory as one JSON document.

#include "aggregate.h"
#include "gatescan/common/quote.h"

namespace gatescan::inventory_internal {
namespace {

void JsonKey(std::string_view key, std::string* out) {
  AppendJsonString(key, out);
  out->push_back(':');
}

void JsonTally(const Tally& t, bool what_if, std::string* out) {
  *out += ",\"containers\":" + Num(t.containers) + ",\"objects\":" + Num(t.objects) +
          ",\"namespaces\":" + Num(t.namespaces.size());
  if (what_if) {
    *out += ",\"blocked_containers\":" + Num(t.blocked_containers) +
            ",\"broken_objects\":" + Num(t.broken_objects) +
            ",\"broken_namespaces\":" + Num(t.broken_namespaces.size());
  }
}

}  // namespace

void WriteJson(const Report& r, std::string* out) {
  const Totals& t = *r.totals;
  const bool w = r.what_if();
  *out += "{\"registries\":[";
  for (size_t i = 0; i < r.registries.size(); ++i) {
    const RegistryRow& row = *r.registries[i];
    if (i) out->push_back(',');
    *out += "{\"registry\":";
    AppendJsonString(row.name, out);
    *out += ",\"repositories\":" + Num(row.repositories);
    JsonTally(row.tally, w, out);
    out->push_back('}');
  }
  *out += "],\"repositories\":[";
  for (size_t i = 0; i < r.repositories.size(); ++i) {
    const RepositoryRow& row = *r.repositories[i];
    if (i) out->push_back(',');
    *out += "{\"repository\":";
    AppendJsonString(row.name, out);
    *out += ",\"registry\":";
    AppendJsonString(row.registry, out);
    JsonTally(row.tally, w, out);
    out->push_back('}');
  }
  *out += "],\"images\":[";
  for (size_t i = 0; i < r.images.size(); ++i) {
    const ImageRow& row = *r.images[i];
    if (i) out->push_back(',');
    *out += "{\"image\":";
    AppendJsonString(row.image, out);
    *out += ",\"registry\":";
    AppendJsonString(row.registry, out);
    *out += ",\"repository\":";
    AppendJsonString(row.repository, out);
    JsonTally(row.tally, w, out);
    out->push_back('}');
  }
  *out += "],\"invalid\":[";
  for (size_t i = 0; i < r.invalid.size(); ++i) {
    const InvalidRow& row = *r.invalid[i];
    if (i) out->push_back(',');
    *out += "{\"image\":";
    AppendJsonString(row.image, out);
    *out += ",\"image_is_string\":";
    *out += row.is_string ? "true" : "false";
    *out += ",\"error\":";
    AppendJsonString(row.error, out);
    JsonTally(row.tally, w, out);
    out->push_back('}');
  }
  *out += "],\"container_types\":{";
  for (int l = 0; l < kContainerListCount; ++l) {
    if (l) out->push_back(',');
    JsonKey(ContainerListField(static_cast<ContainerList>(l)), out);
    *out += Num(t.by_list[static_cast<size_t>(l)]);
  }
  *out += "},\"totals\":{\"objects\":" + Num(t.objects) +
          ",\"objects_with_containers\":" + Num(t.objects_with_containers) +
          ",\"containers\":" + Num(t.containers) + ",\"namespaces\":" + Num(t.namespaces.size()) +
          ",\"registries\":" + Num(r.registries.size()) +
          ",\"repositories\":" + Num(r.repositories.size()) +
          ",\"images\":" + Num(r.images.size()) + ",\"invalid\":" + Num(r.invalid.size()) +
          ",\"errors\":" + Num(r.errors->size()) + "},\"what_if\":";
  if (w) {
    *out += "{\"constraints\":[";
    for (size_t i = 0; i < r.policy->constraints.size(); ++i) {
      const Constraint& c = r.policy->constraints[i];
      if (i) out->push_back(',');
      *out += "{\"kind\":";
      AppendJsonString(c.kind, out);
      *out += ",\"name\":";
      AppendJsonString(c.name, out);
      out->push_back('}');
    }
    *out += "],\"blocked_containers\":" + Num(t.blocked_containers) +
            ",\"broken_objects\":" + Num(t.broken_objects) +
            ",\"broken_namespaces\":" + Num(t.broken_namespaces.size()) + "}";
  } else {
    *out += "null";
  }
  *out += ",\"errors\":[";
  for (size_t i = 0; i < r.errors->size(); ++i) {
    const ErrorRow& e = (*r.errors)[i];
    if (i) out->push_back(',');
    *out += "{\"source\":";
    AppendJsonString(e.source, out);
    *out += ",\"offset\":" + Num(e.offset) + ",\"index\":" + Num(e.index) + ",\"message\":";
    AppendJsonString(e.message, out);
    out->push_back('}');
  }
  *out += "]}\n";
}

}  // namespace gatescan::inventory_internal
