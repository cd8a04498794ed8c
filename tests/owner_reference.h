// owner_reference.h — an independent, whole-graph reference for owners and
// workloads, shared by audit_test (each finding's owner) and
// inventory_workloads_test (each workload's counts).
//
// Objects are read with simdjson's DOM from whole files (no streaming, no
// gatescan code); an owner is found by following controller references
// through the objects present, and where one is absent by kubectl's naming,
// written here with regular expressions. Header-only, for tests; not
// thread-safe beyond what the standard library gives.
#pragma once

#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gatescan::testing {

struct RefObject {
  std::string kind, api_version, name, ns, uid;
  std::map<std::string, std::string> labels;
  std::string owner_kind, owner_name, owner_uid;  // the controller reference
  uint64_t containers = 0;  // in spec's three lists, those with a name and an image
};

// The .json files under `root`, sorted.
inline std::vector<std::string> JsonFilesUnder(const std::filesystem::path& root) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Every object of every file (kubectl Lists and single objects). Items of a
// typed list without kind or apiVersion (kubelet /pods) take the list's; an
// object left without either is kept with it empty (gatescan refuses it:
// callers that compare only what gatescan reads drop it).
inline std::vector<RefObject> LoadReferenceObjects(const std::vector<std::string>& files) {
  std::vector<RefObject> out;
  simdjson::dom::parser parser;
  for (const std::string& file : files) {
    simdjson::dom::element doc;
    if (parser.load(file).get(doc)) continue;
    std::vector<simdjson::dom::element> items;
    std::string list_kind, list_api_version;
    std::string_view s;
    if (!doc["kind"].get_string().get(s) && s.size() > 4 && s.substr(s.size() - 4) == "List") {
      list_kind = s.substr(0, s.size() - 4);
      if (!doc["apiVersion"].get_string().get(s)) list_api_version = s;
    }
    simdjson::dom::array array;
    if (!doc["items"].get_array().get(array)) {
      for (auto item : array) items.push_back(item);
    } else if (doc["items"].error() == simdjson::NO_SUCH_FIELD) {
      items.push_back(doc);
    }
    for (auto item : items) {
      RefObject o;
      o.kind = list_kind;
      o.api_version = list_api_version;
      if (!item["kind"].get_string().get(s)) o.kind = s;
      if (!item["apiVersion"].get_string().get(s)) o.api_version = s;
      auto meta = item["metadata"];
      if (!meta["name"].get_string().get(s)) o.name = s;
      if (!meta["namespace"].get_string().get(s)) o.ns = s;
      if (!meta["uid"].get_string().get(s)) o.uid = s;
      simdjson::dom::object labels;
      if (!meta["labels"].get_object().get(labels)) {
        for (auto field : labels) {
          if (!field.value.get_string().get(s)) o.labels[std::string(field.key)] = s;
        }
      }
      simdjson::dom::array refs;
      if (!meta["ownerReferences"].get_array().get(refs)) {
        for (auto ref : refs) {
          bool controller = false;
          if (ref["controller"].get_bool().get(controller) || !controller) continue;
          if (!ref["kind"].get_string().get(s)) o.owner_kind = s;
          if (!ref["name"].get_string().get(s)) o.owner_name = s;
          if (!ref["uid"].get_string().get(s)) o.owner_uid = s;
        }
      }
      for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
        simdjson::dom::array containers;
        if (item["spec"][list].get(containers) != simdjson::SUCCESS) continue;
        for (auto c : containers) {
          if (c.is_object() && c["name"].error() == simdjson::SUCCESS &&
              c["image"].error() == simdjson::SUCCESS) {
            ++o.containers;
          }
        }
      }
      out.push_back(std::move(o));
    }
  }
  return out;
}

// The top owner (kind, name): controller references followed through `all`
// (by uid, or kind and name in the namespace); where an owner is absent,
// kubectl's naming (pod-template-hash, CronJob job names). *used_graph is set
// when at least one owner object was found in `all`.
inline std::pair<std::string, std::string> ReferenceOwner(const RefObject& object,
                                                          const std::vector<RefObject>& all,
                                                          bool* used_graph = nullptr) {
  const RefObject* at = &object;
  for (int step = 0; step < 16 && !at->owner_kind.empty(); ++step) {
    const RefObject* next = nullptr;
    for (const RefObject& o : all) {
      if ((!at->owner_uid.empty() && o.uid == at->owner_uid) ||
          (o.kind == at->owner_kind && o.name == at->owner_name && o.ns == at->ns)) {
        next = &o;
        break;
      }
    }
    if (next == nullptr) {
      std::smatch m;
      const std::string name = at->owner_name;
      auto hash = at->labels.find("pod-template-hash");
      if (at->owner_kind == "ReplicaSet" && hash != at->labels.end() &&
          std::regex_match(name, m, std::regex("(.+)-([^-]+)")) && m[2] == hash->second) {
        return {"Deployment", m[1]};
      }
      if (at->owner_kind == "Job" && std::regex_match(name, m, std::regex("(.+)-([1-9][0-9]*)"))) {
        const double minutes = std::stod(m[2]);
        if (minutes * 60 >= 1420070400.0 && minutes * 60 < 4102444800.0) return {"CronJob", m[1]};
      }
      return {at->owner_kind, at->owner_name};
    }
    if (used_graph != nullptr) *used_graph = true;
    at = next;
  }
  return {at->kind, at->name};
}

}  // namespace gatescan::testing
