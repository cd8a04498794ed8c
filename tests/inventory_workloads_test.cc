// The inventory by workload (issue 15 item 7): counts per workload on the
// real corpus against an independent whole-graph reference (simdjson DOM,
// controller references followed through the objects present, kubectl's
// naming where an owner is absent); what breaks on a hand-made dump with
// known answers, in json, text and the workload CSV; the CSV levels parsed
// back; the HTML stating its inputs, a hostile file name escaped.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "cli_support.h"
#include "owner_reference.h"

namespace gatescan {
namespace {

using testing::RunGatescan;
using testing::RunResult;
using testing::TempDir;

// ---- CSV, read back per RFC 4180 ----

std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(cell);
      cell.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(cell);
      cell.clear();
      rows.emplace_back();
      ++i;
    } else {
      cell += c;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

// Rows as header name -> cell.
std::vector<std::map<std::string, std::string>> CsvRecords(const std::string& text) {
  const auto rows = ParseCsv(text);
  std::vector<std::map<std::string, std::string>> out;
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].size(), rows[0].size()) << "row " << i;
    std::map<std::string, std::string> record;
    for (size_t c = 0; c < rows[0].size() && c < rows[i].size(); ++c)
      record[rows[0][c]] = rows[i][c];
    out.push_back(std::move(record));
  }
  return out;
}

std::string PodJson(const std::string& name, const std::string& ns, const std::string& owner_kind,
                    const std::string& owner_name, const std::string& hash,
                    const std::vector<std::string>& images) {
  std::string s = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
                  R"(","namespace":")" + ns + "\"";
  if (!hash.empty()) s += R"(,"labels":{"pod-template-hash":")" + hash + "\"}";
  if (!owner_kind.empty()) {
    s += R"(,"ownerReferences":[{"apiVersion":"apps/v1","kind":")" + owner_kind + R"(","name":")" +
         owner_name + R"(","controller":true}])";
  }
  s += R"(},"spec":{"containers":[)";
  for (size_t i = 0; i < images.size(); ++i) {
    if (i) s += ',';
    s += R"({"name":"c)" + std::to_string(i) + R"(","image":")" + images[i] + "\"}";
  }
  return s + "]}}\n";
}

// shop: Deployment web (3 replicas through ReplicaSet web-5d4f8, one bad image
//       each, plus an allowed sidecar); Deployment api (2 replicas, clean);
//       a ReplicaSet object web-5d4f8 owned by Deployment web, which an
//       operator's Shop "main" owns (an edge only the input knows).
// db:   StatefulSet pg (2 pods: one allowed, one on a bad image).
// ops:  CronJob report (a Job report-29000000's pod, bad); a bare pod (clean).
std::string BreaksDump() {
  std::string d;
  for (const char* p : {"a", "b", "c"}) {
    d += PodJson(std::string("web-5d4f8-") + p, "shop", "ReplicaSet", "web-5d4f8", "5d4f8",
                 {"nginx:1.25", "docker.io/envoy:1"});
  }
  for (const char* p : {"a", "b"}) {
    d += PodJson(std::string("api-77c9-") + p, "shop", "ReplicaSet", "api-77c9", "77c9",
                 {"docker.io/team/api:2"});
  }
  d +=
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop",)"
      R"("ownerReferences":[{"apiVersion":"x.io/v1","kind":"Shop","name":"main","controller":true}]},)"
      // A template to expand (--expand): Gatekeeper refuses a Deployment without one.
      R"("spec":{"template":{"spec":{"containers":[]}}}})"
      "\n";
  d += PodJson("pg-0", "db", "StatefulSet", "pg", "", {"docker.io/postgres:16"});
  d += PodJson("pg-1", "db", "StatefulSet", "pg", "", {"quay.io/pg/postgres:16"});
  d += PodJson("report-29000000-x", "ops", "Job", "report-29000000", "", {"gcr.io/r/report:1"});
  d += PodJson("debug", "ops", "", "", "", {"docker.io/busybox:1"});
  return d;
}

simdjson::dom::element Parse(simdjson::dom::parser& parser, const std::string& json) {
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json.substr(0, 400);
  return doc;
}

uint64_t U(simdjson::dom::element o, const char* field) { return o[field].get_uint64().value(); }
std::string S(simdjson::dom::element o, const char* field) {
  return std::string(o[field].get_string().value());
}

TEST(InventoryWorkloads, WhatBreaksOnAHandMadeDump) {
  TempDir dir;
  const std::string dump = dir.Write("d.ndjson", BreaksDump());
  const RunResult r = RunGatescan({"inventory", "-o", "json", "--allow", "docker.io/", dump});
  ASSERT_NE(r.exit_code, 2) << r.err;
  simdjson::dom::parser parser;
  const auto doc = Parse(parser, r.out);

  // Workloads: the Deployment lifted to the Shop through the input's edge.
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<uint64_t>> workloads;
  for (auto w : doc["workloads"].get_array()) {
    workloads[{S(w, "namespace"), S(w, "kind"), S(w, "name")}] = {
        U(w, "objects"), U(w, "containers"), U(w, "images"), U(w, "blocked_containers"),
        U(w, "broken_objects")};
  }
  using V = std::vector<uint64_t>;
  const std::map<std::tuple<std::string, std::string, std::string>, V> want = {
      {{"shop", "Shop", "main"}, V{3, 6, 2, 3, 3}},
      {{"shop", "Deployment", "api"}, V{2, 2, 1, 0, 0}},
      {{"db", "StatefulSet", "pg"}, V{2, 2, 2, 1, 1}},
      {{"ops", "CronJob", "report"}, V{1, 1, 1, 1, 1}},
      {{"ops", "Pod", "debug"}, V{1, 1, 1, 0, 0}},
  };
  EXPECT_EQ(workloads, want) << r.out;

  const auto what_if = doc["what_if"];
  std::map<std::string, V> namespaces;
  for (auto n : what_if["namespaces"].get_array()) {
    namespaces[S(n, "namespace")] = {U(n, "blocked_containers"), U(n, "broken_objects"),
                                     U(n, "broken_workloads"), U(n, "containers")};
  }
  EXPECT_EQ(namespaces,
            (std::map<std::string, V>{
                {"shop", V{3, 3, 1, 8}}, {"db", V{1, 1, 1, 2}}, {"ops", V{1, 1, 1, 2}}}));
  std::vector<std::string> broken;
  for (auto w : what_if["workloads"].get_array()) {
    std::string images;
    for (auto i : w["blocked_images"].get_array())
      images += std::string(i.get_string().value()) + ";";
    broken.push_back(S(w, "namespace") + "/" + S(w, "kind") + "/" + S(w, "name") + ":" +
                     std::to_string(U(w, "blocked_containers")) + ":" + images);
  }
  EXPECT_EQ(broken, (std::vector<std::string>{"shop/Shop/main:3:nginx:1.25;",
                                              "db/StatefulSet/pg:1:quay.io/pg/postgres:16;",
                                              "ops/CronJob/report:1:gcr.io/r/report:1;"}));

  const RunResult text = RunGatescan({"inventory", "--allow", "docker.io/", dump});
  EXPECT_NE(text.out.find("what breaks: 3 namespaces, 3 workloads with a blocked container"),
            std::string::npos)
      << text.out;
  EXPECT_TRUE(std::regex_search(text.out, std::regex("\nshop +Shop +main +3 +3 +nginx:1.25\n")))
      << text.out;

  // The same in a spreadsheet: the workload CSV, blocked rows.
  const RunResult csv = RunGatescan(
      {"inventory", "-o", "csv", "--csv-level", "workload", "--allow", "docker.io/", dump});
  ASSERT_NE(csv.exit_code, 2) << csv.err;
  std::set<std::string> blocked_rows;
  uint64_t containers = 0;
  for (const auto& row : CsvRecords(csv.out)) {
    containers += std::stoull(row.at("containers"));
    if (row.at("blocked_containers") != "0") {
      blocked_rows.insert(row.at("namespace") + "/" + row.at("owner_kind") + "/" +
                          row.at("owner_name") + "/" + row.at("image") + "=" +
                          row.at("blocked_containers") + "/" + row.at("objects"));
    }
  }
  EXPECT_EQ(containers, 12u);
  EXPECT_EQ(blocked_rows, (std::set<std::string>{"shop/Shop/main/nginx:1.25=3/3",
                                                 "db/StatefulSet/pg/quay.io/pg/postgres:16=1/1",
                                                 "ops/CronJob/report/gcr.io/r/report:1=1/1"}));
}

TEST(InventoryWorkloads, WithoutAPolicyNothingBreaks) {
  TempDir dir;
  const std::string dump = dir.Write("d.ndjson", BreaksDump());
  const RunResult r = RunGatescan({"inventory", "-o", "json", dump});
  simdjson::dom::parser parser;
  const auto doc = Parse(parser, r.out);
  EXPECT_TRUE(doc["what_if"].is_null());
  EXPECT_EQ(doc["workloads"].get_array().size(), 5u);
  EXPECT_FALSE(doc["workloads"].at(0)["blocked_containers"].error() == simdjson::SUCCESS);
  const RunResult text = RunGatescan({"inventory", dump});
  EXPECT_EQ(text.out.find("what breaks"), std::string::npos);
  const RunResult csv = RunGatescan({"inventory", "-o", "csv", "--csv-level", "workload", dump});
  for (const auto& row : CsvRecords(csv.out)) EXPECT_EQ(row.at("blocked_containers"), "");
}

// Every CSV level parses back into the JSON document's rows.
TEST(InventoryWorkloads, CsvLevelsAgreeWithTheJson) {
  TempDir dir;
  const std::string dump = dir.Write(
      "d.ndjson", BreaksDump() + PodJson("odd", "ops", "", "", "",
                                         {"=cmd|' /C calc'!A0", "UPPER/Case", "a,\\\"b\\\""}));
  const std::vector<std::string> allow{"--allow", "docker.io/"};
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "inventory");
    args.insert(args.end(), allow.begin(), allow.end());
    args.push_back(dump);
    const RunResult r = RunGatescan(args);
    EXPECT_NE(r.exit_code, 2) << r.err;
    return r.out;
  };
  simdjson::dom::parser parser;
  const auto doc = Parse(parser, run({"-o", "json"}));

  std::map<std::string, std::string> json_images, csv_images;
  for (auto i : doc["images"].get_array()) {
    json_images[S(i, "image")] = S(i, "registry") + "|" + S(i, "repository") + "|" +
                                 std::to_string(U(i, "containers")) + "|" +
                                 std::to_string(U(i, "blocked_containers")) + "|";
  }
  for (auto i : doc["invalid"].get_array()) {
    json_images[S(i, "image")] = "||" + std::to_string(U(i, "containers")) + "|" +
                                 std::to_string(U(i, "blocked_containers")) + "|" + S(i, "error");
  }
  const std::string image_csv = run({"-o", "csv", "--csv-level", "image"});
  EXPECT_TRUE(image_csv.starts_with(
      "registry,repository,image,containers,objects,namespaces,blocked_containers,error\r\n"));
  EXPECT_NE(image_csv.find("'=cmd"), std::string::npos) << "formula cells neutralised";
  for (const auto& row : CsvRecords(image_csv)) {
    std::string image = row.at("image");
    if (image.starts_with("'=")) image.erase(0, 1);
    csv_images[image] = row.at("registry") + "|" + row.at("repository") + "|" +
                        row.at("containers") + "|" + row.at("blocked_containers") + "|" +
                        row.at("error");
  }
  EXPECT_EQ(csv_images, json_images);
  EXPECT_EQ(json_images.size(), 10u);

  std::map<std::string, std::string> json_registries, csv_registries;
  for (auto g : doc["registries"].get_array()) {
    json_registries[S(g, "registry")] = std::to_string(U(g, "repositories")) + "|" +
                                        std::to_string(U(g, "containers")) + "|" +
                                        std::to_string(U(g, "blocked_containers"));
  }
  for (const auto& row : CsvRecords(run({"-o", "csv", "--csv-level", "registry"}))) {
    csv_registries[row.at("registry")] =
        row.at("repositories") + "|" + row.at("containers") + "|" + row.at("blocked_containers");
  }
  EXPECT_EQ(csv_registries, json_registries);

  // The default level is the repository CSV of before.
  EXPECT_EQ(run({"-o", "csv"}), run({"-o", "csv", "--csv-level", "repository"}));
  const RunResult bad = RunGatescan({"inventory", "-o", "csv", "--csv-level", "pod", dump});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--csv-level must be"), std::string::npos) << bad.err;
}

TEST(InventoryWorkloads, HtmlStatesItsInputsEscaped) {
  TempDir dir;
  const std::string hostile = dir.Write("<img src=x onerror=alert(1)>&.ndjson", BreaksDump());
  const std::string policy =
      dir.Write("pol\"icy.yaml", R"(apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedRepos
metadata:
  name: prod-<b>repos</b>
spec:
  match:
    kinds: [{apiGroups: [""], kinds: ["Pod"]}]
  parameters:
    repos: ["gcr.io/"]
)");
  const RunResult r =
      RunGatescan({"inventory", "-o", "html", "--allow", "docker.io/<i>", "-p", policy, "--match",
                   "reference", "-n", "shop", "--expand", hostile});
  ASSERT_NE(r.exit_code, 2) << r.err;
  const std::string& html = r.out;
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>repos"), std::string::npos);
  EXPECT_EQ(html.find("<i>\""), std::string::npos);
  const size_t inputs = html.find("<table id=\"inputs\">");
  ASSERT_NE(inputs, std::string::npos) << html;
  const std::string table = html.substr(inputs, html.find("</table>", inputs) - inputs);
  for (const std::string& want :
       {std::string("&lt;img src=x onerror=alert(1)&gt;&amp;.ndjson"),
        std::string("pol&quot;icy.yaml"), std::string("docker.io/&lt;i&gt;"),
        std::string("K8sAllowedRepos/prod-&lt;b&gt;repos&lt;/b&gt;"),
        std::string("K8sAllowedRepos/gatescan-allow"), std::string("<td>reference</td>"),
        std::string("-n <code>shop</code>"), std::string("--expand"),
        std::string("<td>gatescan 0.1.0</td>"), std::string("<th>files read</th><td>1</td>")}) {
    EXPECT_NE(table.find(want), std::string::npos) << want << "\n" << table;
  }
  EXPECT_TRUE(std::regex_search(
      table, std::regex("<th>date \\(UTC\\)</th><td>20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:"
                        "[0-9]{2}Z</td>")))
      << table;
  EXPECT_NE(html.find("<table id=\"broken-workloads\">"), std::string::npos);
  EXPECT_NE(html.find("<table id=\"workloads\">"), std::string::npos);

  // The JSON states the same inputs.
  const RunResult json = RunGatescan({"inventory", "-o", "json", "--allow", "docker.io/", hostile});
  simdjson::dom::parser parser;
  const auto doc = Parse(parser, json.out);
  const simdjson::dom::element in = doc["inputs"].value();
  EXPECT_EQ(in["files"].at(0).get_string().value(), hostile);
  EXPECT_EQ(in["allow"].at(0).get_string().value(), "docker.io/");
  EXPECT_EQ(S(in, "match"), "gatekeeper");
  EXPECT_EQ(S(in, "version"), "gatescan 0.1.0");
  EXPECT_EQ(U(in, "files_read"), 1u);
}

// ---- the corpus: workloads against an independent whole-graph reference ----

TEST(InventoryWorkloadsCorpus, CountsAgreeWithTheWholeGraphReference) {
  GS_REQUIRE_CORPUS();
  int projects = 0;
  uint64_t workloads_checked = 0, owned = 0;
  for (const auto& project :
       std::filesystem::directory_iterator(testing::CorpusDir() / "realworld")) {
    const std::vector<std::string> files = testing::JsonFilesUnder(project.path());
    if (files.empty()) continue;
    // Objects without kind or apiVersion are refused (error records): not
    // in the inventory, and no one's owner.
    std::vector<testing::RefObject> all = testing::LoadReferenceObjects(files);
    std::erase_if(
        all, [](const testing::RefObject& o) { return o.kind.empty() || o.api_version.empty(); });
    std::map<std::tuple<std::string, std::string, std::string>, std::pair<uint64_t, uint64_t>> want,
        got;
    for (const testing::RefObject& o : all) {
      if (o.containers == 0) continue;
      const auto [kind, name] = testing::ReferenceOwner(o, all);
      auto& counts = want[{o.ns, kind, name}];
      counts.first += o.containers;
      ++counts.second;
    }
    std::vector<std::string> args{"inventory", "-o", "json"};
    args.insert(args.end(), files.begin(), files.end());
    const RunResult r = RunGatescan(args);
    ASSERT_TRUE(r.exit_code != 2 || testing::OnlyRefusedObjectErrors(r)) << project.path() << r.err;
    simdjson::dom::parser parser;
    const auto doc = Parse(parser, r.out);
    for (auto w : doc["workloads"].get_array()) {
      got[{S(w, "namespace"), S(w, "kind"), S(w, "name")}] = {U(w, "containers"), U(w, "objects")};
    }
    EXPECT_EQ(got, want) << project.path();
    ++projects;
    workloads_checked += want.size();
    for (const auto& [key, counts] : want) owned += std::get<1>(key) != "Pod";
  }
  std::printf("workloads checked: %llu in %d projects, %llu not bare pods\n",
              static_cast<unsigned long long>(workloads_checked), projects,
              static_cast<unsigned long long>(owned));
  EXPECT_GT(workloads_checked, 50u);
  EXPECT_GT(owned, 10u);
}

}  // namespace
}  // namespace gatescan
