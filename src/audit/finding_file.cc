// finding_file.cc — reads and writes the files that carry findings between
// runs: baselines and ndjson outputs (finding.h). The audit room's only
// simdjson user (its DOM API: these files are small, one line at a time).
#include <simdjson.h>

#include <fstream>

#include "gatescan/audit/finding.h"
#include "gatescan/common/quote.h"

namespace gatescan {
namespace {

Status LineError(const std::string& path, uint64_t line, const std::string& what) {
  return Status::Error(path + ":" + std::to_string(line) + ": " + what);
}

// The key fields of one record; false (with *missing) when one is absent or
// not a string.
bool ReadKeyFields(simdjson::dom::object record, FindingKey* key, std::string* missing) {
  for (size_t i = 0; i < kFindingFields.size(); ++i) {
    std::string_view value;
    if (record[kFindingFields[i]].get_string().get(value) != simdjson::SUCCESS) {
      *missing = std::string(kFindingFields[i]);
      return false;
    }
    (*key)[i].assign(value);
  }
  return true;
}

}  // namespace

Status ReadFindings(const std::string& path, FindingSet* out, OwnerEdges* edges_out) {
  FindingSet raw;
  FindingSet* set = &raw;
  OwnerEdges edges;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(path + ": cannot open");
  simdjson::dom::parser parser;
  std::string line;
  uint64_t number = 0;
  bool baseline = false;  // a baseline header was read
  bool any = false;       // a line of a known kind was read
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    simdjson::dom::object record;
    if (parser.parse(line).get_object().get(record) != simdjson::SUCCESS) {
      return LineError(path, number,
                       "not a gatescan baseline or ndjson output (a line is not a JSON object)");
    }
    std::string_view type;
    if (record["type"].get_string().get(type) != simdjson::SUCCESS) {
      return LineError(path, number,
                       "not a gatescan baseline or ndjson output (a record without \"type\")");
    }
    if (type == "baseline") {
      std::string_view format;
      int64_t version = 0;
      if (record["format"].get_string().get(format) != simdjson::SUCCESS ||
          format != kBaselineFormat || record["version"].get_int64().get(version)) {
        return LineError(path, number, "a baseline header without format \"gatescan-baseline\"");
      }
      if (version < 1 || version > kBaselineVersion) {
        return LineError(path, number,
                         "baseline version " + std::to_string(version) +
                             " is not one this gatescan reads (1 to " +
                             std::to_string(kBaselineVersion) + ")");
      }
      if (number != 1 && any) return LineError(path, number, "a baseline header after records");
      baseline = any = true;
      continue;
    }
    // A --group-by record is its violations with the object left out: the
    // finding fields, and their number as "replicas".
    if (type == "finding" || type == "violation" || type == "group") {
      if (type == "finding" && !baseline) {
        return LineError(path, number, "a finding record before the baseline header");
      }
      FindingKey key;
      std::string missing;
      if (!ReadKeyFields(record, &key, &missing)) {
        return LineError(
            path, number,
            "a " + std::string(type) + " record without a string \"" + missing + "\"" +
                (type != "finding" ? " (made by a gatescan without owner fields?)" : ""));
      }
      uint64_t count = 1;
      if (type != "violation") {
        const char* field = type == "finding" ? "count" : "replicas";
        if (record[field].get_uint64().get(count) != simdjson::SUCCESS || count == 0) {
          return LineError(
              path, number,
              "a " + std::string(type) + " record without a positive \"" + field + "\"");
        }
      }
      if (type != "finding" && !record["implied_by"].error()) {
        std::string_view message = key[8];
        key[8] = std::string(MessageWithoutImpliedPrefix(message));
      }
      (*set)[key] += count;
      any = true;
      continue;
    }
    if (type == "owner") {
      std::array<std::string_view, 5> f;
      constexpr std::array<std::string_view, 5> kKeys = {"namespace", "kind", "name", "owner_kind",
                                                         "owner_name"};
      for (size_t i = 0; i < f.size(); ++i) {
        if (record[kKeys[i]].get_string().get(f[i]) != simdjson::SUCCESS) {
          return LineError(path, number,
                           "an owner record without a string \"" + std::string(kKeys[i]) + "\"");
        }
      }
      edges[{std::string(f[0]), std::string(f[1]), std::string(f[2])}] = {std::string(f[3]),
                                                                          std::string(f[4])};
      any = true;
      continue;
    }
    if (type == "error" || type == "summary") {
      any = true;
      continue;
    }
    return LineError(
        path, number,
        "not a gatescan baseline or ndjson output (record type \"" + std::string(type) + "\")");
  }
  if (in.bad()) return Status::Error(path + ": read error");
  if (!any) return Status::Error(path + ": empty: not a gatescan baseline or ndjson output");
  for (const auto& [key, count] : LiftAll(raw, edges)) (*out)[key] += count;
  if (edges_out != nullptr) edges_out->insert(edges.begin(), edges.end());
  return Status::Ok();
}

std::string FormatBaseline(const FindingSet& set, const OwnerEdges& edges, std::string_view created,
                           std::string_view gatescan_version) {
  std::string out = "{\"type\":\"baseline\",\"format\":\"";
  out.append(kBaselineFormat).append("\",\"version\":").append(std::to_string(kBaselineVersion));
  out.append(",\"gatescan\":");
  AppendJsonString(gatescan_version, &out);
  out.append(",\"created\":");
  AppendJsonString(created, &out);
  out.append(",\"findings\":").append(std::to_string(set.size())).append("}\n");
  for (const auto& [key, count] : set) {
    out.append("{\"type\":\"finding\",");
    AppendFindingFields(key, &out);
    out.append(",\"count\":").append(std::to_string(count)).append("}\n");
  }
  for (const auto& [from, to] : edges)
    AppendOwnerRecord(from[0], from[1], from[2], to.first, to.second, &out);
  return out;
}

}  // namespace gatescan
