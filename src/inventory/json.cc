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

void JsonStrings(const std::vector<std::string>& strings, std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < strings.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(strings[i], out);
  }
  out->push_back(']');
}

void JsonInputs(const Report& r, std::string* out) {
  const InventoryInputs& in = r.options->inputs;
  *out += "\"inputs\":{\"files\":";
  JsonStrings(in.files, out);
  *out += ",\"files_read\":" + Num(r.inputs_read) + ",\"policies\":";
  JsonStrings(in.policies, out);
  *out += ",\"allow\":";
  JsonStrings(in.allow, out);
  *out += ",\"namespaces\":";
  JsonStrings(in.namespaces, out);
  *out += ",\"exclude_namespaces\":";
  JsonStrings(in.excluded_namespaces, out);
  *out += ",\"selector\":";
  AppendJsonString(in.selector, out);
  *out += ",\"expand\":";
  *out += in.expand ? "true" : "false";
  *out += ",\"match\":";
  AppendJsonString(MatchModeName(r.options->match), out);
  *out += ",\"version\":";
  AppendJsonString(in.version, out);
  *out += ",\"date\":";
  AppendJsonString(in.date, out);
  out->push_back('}');
}

void JsonWorkloadName(const Workload& w, std::string* out) {
  *out += "{\"namespace\":";
  AppendJsonString(w.ns, out);
  *out += ",\"kind\":";
  AppendJsonString(w.kind, out);
  *out += ",\"name\":";
  AppendJsonString(w.name, out);
}

void JsonSuggestion(const Suggestion& s, MatchMode match, std::string* out) {
  *out += "{\"match\":";
  AppendJsonString(MatchModeName(match), out);
  *out += ",\"containers\":" + Num(s.total) + ",\"target\":" + Num(s.target) +
          ",\"covered\":" + Num(s.covered) + ",\"reachable\":" + (s.reachable ? "true" : "false") +
          ",\"prefixes\":[";
  for (size_t i = 0; i < s.prefixes.size(); ++i) {
    const SuggestedPrefix& p = s.prefixes[i];
    if (i) out->push_back(',');
    *out += "{\"prefix\":";
    AppendJsonString(p.prefix, out);
    *out += ",\"kind\":";
    *out += p.is_registry ? "\"registry\"" : "\"repository\"";
    *out += ",\"containers\":" + Num(p.containers) + ",\"entries\":";
    JsonStrings(p.entries, out);
    out->push_back('}');
  }
  *out += "]}";
}

}  // namespace

void WriteJson(const Report& r, std::string* out) {
  const Totals& t = *r.totals;
  const bool w = r.what_if();
  out->push_back('{');
  JsonInputs(r, out);
  *out += ",\"registries\":[";
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
  *out += "],\"workloads\":[";
  for (size_t i = 0; i < r.workloads.size(); ++i) {
    const Workload& wl = *r.workloads[i];
    if (i) out->push_back(',');
    JsonWorkloadName(wl, out);
    *out += ",\"images\":" + Num(wl.images.size()) + ",\"containers\":" + Num(wl.tally.containers) +
            ",\"objects\":" + Num(wl.tally.objects);
    if (w) {
      *out += ",\"blocked_containers\":" + Num(wl.tally.blocked_containers) +
              ",\"broken_objects\":" + Num(wl.tally.broken_objects);
    }
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
            ",\"broken_namespaces\":" + Num(t.broken_namespaces.size()) + ",\"namespaces\":[";
    for (size_t i = 0; i < r.broken_namespaces.size(); ++i) {
      const NamespaceRow& ns = *r.broken_namespaces[i];
      if (i) out->push_back(',');
      *out += "{\"namespace\":";
      AppendJsonString(ns.name, out);
      *out += ",\"blocked_containers\":" + Num(ns.tally.blocked_containers) +
              ",\"broken_objects\":" + Num(ns.tally.broken_objects) +
              ",\"broken_workloads\":" + Num(r.broken_workloads_per_namespace[i]) +
              ",\"containers\":" + Num(ns.tally.containers) + "}";
    }
    *out += "],\"workloads\":[";
    for (size_t i = 0; i < r.broken_workloads.size(); ++i) {
      const Workload& wl = *r.broken_workloads[i];
      if (i) out->push_back(',');
      JsonWorkloadName(wl, out);
      *out += ",\"blocked_containers\":" + Num(wl.tally.blocked_containers) +
              ",\"broken_objects\":" + Num(wl.tally.broken_objects) + ",\"blocked_images\":[";
      bool first = true;
      for (const WorkloadImage& image : wl.images) {
        if (image.tally.blocked_containers == 0) continue;
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(image.image, out);
      }
      *out += "]}";
    }
    *out += "]}";
  } else {
    *out += "null";
  }
  *out += ",\"suggestion\":";
  if (r.suggestion != nullptr) {
    JsonSuggestion(*r.suggestion, r.options->match, out);
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
