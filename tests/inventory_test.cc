// The inventory's counts, recomputed independently: hand-built dumps with
// known answers (registries, repositories, images, invalid references,
// container types, distinct objects and namespaces, the what-if under
// spec.match and several constraints), every output format's escaping, and
// the real corpus against a naive reference that reads whole files with the
// simdjson DOM and splits registries with a ten-line normaliser.
#include "gatescan/inventory/inventory.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cli_support.h"
#include "gatescan/pipeline/pipeline.h"
#include "gatescan/policy/policy.h"

namespace gatescan {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

constexpr std::string_view kDigest =
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

std::string Pod(const std::string& name, const std::string& ns, const std::string& spec) {
  std::string s = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name + "\"";
  if (!ns.empty()) s += R"(,"namespace":")" + ns + "\"";
  return s + R"(},"spec":)" + spec + "}\n";
}

// a/ns1: nginx:1.25, gcr.io/x/y:1, init busybox     b/ns1: quay.io/team/app@digest
// c/ns2: nginx:1.25, ephemeral gcr.io/x/y:2          d/ns3: UPPER/Case (invalid), 12 (not a string)
// e/(no namespace): docker.io/library/nginx          f/ns3: no containers
std::string Dump() {
  return Pod("a", "ns1",
             R"({"containers":[{"name":"app","image":"nginx:1.25"},{"name":"side","image":"gcr.io/x/y:1"}],)"
             R"("initContainers":[{"name":"init","image":"busybox"}]})") +
         Pod("b", "ns1",
             R"({"containers":[{"name":"app","image":"quay.io/team/app@)" + std::string(kDigest) +
                 R"("}]})") +
         Pod("c", "ns2",
             R"({"containers":[{"name":"app","image":"nginx:1.25"}],)"
             R"("ephemeralContainers":[{"name":"debug","image":"gcr.io/x/y:2"}]})") +
         Pod("d", "ns3",
             R"({"containers":[{"name":"bad","image":"UPPER/Case"},{"name":"num","image":12}]})") +
         Pod("e", "", R"({"containers":[{"name":"app","image":"docker.io/library/nginx"}]})") +
         Pod("f", "ns3", R"({"containers":[]})");
}

// Runs the inventory reporter through the real pipeline.
std::string Inventory(const std::vector<std::string>& files, InventoryFormat format,
                      const PolicyOptions* po, int threads = 2, size_t window = 0,
                      ScanResult* result = nullptr) {
  Policy policy;
  if (po != nullptr) {
    EXPECT_TRUE(LoadPolicy(*po, &policy).ok());
  }
  ScanOptions options;
  EXPECT_TRUE(ListInputs(files, &options.inputs).ok());
  options.threads = threads;
  if (window > 0) {
    options.framer.read_bytes = window;
    options.framer.batch_bytes = window;
  }
  const Evaluator evaluator(policy, options.evaluate);
  auto reporter = MakeInventoryCollector(format, po != nullptr ? &policy : nullptr);
  std::string out;
  auto sink = MakeStringSink(&out);
  const ScanResult r = RunScan(options, evaluator, reporter.get(), sink.get());
  EXPECT_TRUE(r.status.ok()) << r.status.message();
  if (result != nullptr) *result = r;
  return out;
}

// Rows of a JSON array keyed by one of their string fields.
std::map<std::string, simdjson::dom::object> Rows(simdjson::dom::element doc, const char* array,
                                                  const char* key) {
  std::map<std::string, simdjson::dom::object> rows;
  for (simdjson::dom::element row : doc[array].get_array()) {
    rows[std::string(row[key].get_string().value())] = row.get_object();
  }
  return rows;
}

uint64_t U(simdjson::dom::object o, const char* field) { return o[field].get_uint64().value(); }

struct Counts {
  uint64_t containers, objects, namespaces;
  bool operator==(const Counts&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Counts& c) {
  return os << "{" << c.containers << ", " << c.objects << ", " << c.namespaces << "}";
}
Counts Of(simdjson::dom::object o) {
  return {U(o, "containers"), U(o, "objects"), U(o, "namespaces")};
}
Counts BlockedOf(simdjson::dom::object o) {
  return {U(o, "blocked_containers"), U(o, "broken_objects"), U(o, "broken_namespaces")};
}

TEST(Inventory, CountsPerRegistryRepositoryAndImage) {
  TempDir dir;
  const std::string json =
      Inventory({dir.Write("d.ndjson", Dump())}, InventoryFormat::kJson, nullptr);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;

  const auto registries = Rows(doc, "registries", "registry");
  ASSERT_EQ(registries.size(), 3u);
  EXPECT_EQ(Of(registries.at("docker.io")), (Counts{4, 3, 2}))
      << "a: nginx+busybox, c: nginx, e (no namespace)";
  EXPECT_EQ(Of(registries.at("gcr.io")), (Counts{2, 2, 2}));
  EXPECT_EQ(Of(registries.at("quay.io")), (Counts{1, 1, 1}));
  EXPECT_EQ(U(registries.at("docker.io"), "repositories"), 2u);
  EXPECT_FALSE(registries.at("docker.io")["blocked_containers"].error() == simdjson::SUCCESS)
      << "no what-if fields without constraints";
  // Sorted by containers, descending.
  auto first = *doc["registries"].get_array().begin();
  EXPECT_EQ(first["registry"].get_string().value(), "docker.io");

  const auto repos = Rows(doc, "repositories", "repository");
  ASSERT_EQ(repos.size(), 4u);
  EXPECT_EQ(Of(repos.at("docker.io/library/nginx")), (Counts{3, 3, 2}));
  EXPECT_EQ(Of(repos.at("docker.io/library/busybox")), (Counts{1, 1, 1}));
  EXPECT_EQ(Of(repos.at("gcr.io/x/y")), (Counts{2, 2, 2}));
  EXPECT_EQ(Of(repos.at("quay.io/team/app")), (Counts{1, 1, 1}));
  EXPECT_EQ(repos.at("gcr.io/x/y")["registry"].get_string().value(), "gcr.io");

  const auto images = Rows(doc, "images", "image");
  ASSERT_EQ(images.size(), 6u);
  EXPECT_EQ(Of(images.at("nginx:1.25")), (Counts{2, 2, 2}));
  EXPECT_EQ(Of(images.at("docker.io/library/nginx")), (Counts{1, 1, 0}));
  EXPECT_EQ(images.at("busybox")["repository"].get_string().value(), "docker.io/library/busybox");
  EXPECT_EQ(Of(images.at("quay.io/team/app@" + std::string(kDigest))), (Counts{1, 1, 1}));

  const auto invalid = Rows(doc, "invalid", "image");
  ASSERT_EQ(invalid.size(), 2u);
  EXPECT_EQ(invalid.at("UPPER/Case")["error"].get_string().value(),
            "invalid reference format: repository name (Case) must be lowercase");
  EXPECT_TRUE(invalid.at("UPPER/Case")["image_is_string"].get_bool().value());
  EXPECT_FALSE(invalid.at("12")["image_is_string"].get_bool().value());
  EXPECT_EQ(invalid.at("12")["error"].get_string().value(), "image is not a string");

  EXPECT_EQ(U(doc["container_types"].get_object(), "containers"), 7u);
  EXPECT_EQ(U(doc["container_types"].get_object(), "initContainers"), 1u);
  EXPECT_EQ(U(doc["container_types"].get_object(), "ephemeralContainers"), 1u);
  const auto totals = doc["totals"].get_object().value();
  EXPECT_EQ(U(totals, "objects"), 6u);
  EXPECT_EQ(U(totals, "objects_with_containers"), 5u);
  EXPECT_EQ(U(totals, "containers"), 9u);
  EXPECT_EQ(U(totals, "namespaces"), 3u);
  EXPECT_EQ(U(totals, "invalid"), 2u);
  EXPECT_TRUE(doc["what_if"].is_null());
}

TEST(Inventory, WhatIfCountsWhatTheCandidateAllowlistFlags) {
  TempDir dir;
  const std::string dump = dir.Write("d.ndjson", Dump());
  // Gatekeeper's raw prefix: "nginx:1.25" and "busybox" do not start with
  // "docker.io/", so the allowlist blocks them although they are Docker Hub's.
  const PolicyOptions allow{{}, {"docker.io/"}};
  const std::string json = Inventory({dump}, InventoryFormat::kJson, &allow);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  const auto registries = Rows(doc, "registries", "registry");
  EXPECT_EQ(BlockedOf(registries.at("docker.io")), (Counts{3, 2, 2}));
  EXPECT_EQ(BlockedOf(registries.at("gcr.io")), (Counts{2, 2, 2}));
  EXPECT_EQ(BlockedOf(registries.at("quay.io")), (Counts{1, 1, 1}));
  const auto repos = Rows(doc, "repositories", "repository");
  EXPECT_EQ(BlockedOf(repos.at("docker.io/library/nginx")), (Counts{2, 2, 2}))
      << "e's full name is allowed";
  const auto invalid = Rows(doc, "invalid", "image");
  EXPECT_EQ(U(invalid.at("UPPER/Case"), "blocked_containers"), 1u);
  EXPECT_EQ(U(invalid.at("12"), "blocked_containers"), 1u)
      << "Rego's startswith on a number: no entry matches";
  const auto what_if = doc["what_if"].get_object().value();
  EXPECT_EQ(BlockedOf(what_if), (Counts{8, 4, 3})) << "all but e's container; objects a-d; ns1-ns3";
  EXPECT_EQ(what_if["constraints"].at(0)["name"].get_string().value(), "gatescan-allow");

  // A second constraint flagging a subset changes nothing: a container counts once.
  const std::string second =
      dir.Write("second.yaml", R"(apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedRepos
metadata:
  name: second
spec:
  match:
    kinds: [{apiGroups: [""], kinds: ["Pod"]}]
    namespaces: ["ns1"]
  parameters:
    repos: ["docker.io/", "gcr.io/"]
)");
  const PolicyOptions both{{second}, {"docker.io/"}};
  simdjson::dom::parser parser2;
  const std::string json2 = Inventory({dump}, InventoryFormat::kJson, &both);
  EXPECT_EQ(BlockedOf(parser2.parse(json2)["what_if"].get_object().value()), (Counts{8, 4, 3}))
      << json2;

  // Alone, it sees only ns1 (spec.match): a's nginx and busybox, b's quay image.
  const PolicyOptions only{{second}, {}};
  simdjson::dom::parser parser3;
  simdjson::dom::element doc3 =
      parser3.parse(Inventory({dump}, InventoryFormat::kJson, &only)).value();
  EXPECT_EQ(BlockedOf(doc3["what_if"].get_object().value()), (Counts{3, 2, 1}));
  EXPECT_EQ(BlockedOf(Rows(doc3, "registries", "registry").at("gcr.io")), (Counts{0, 0, 0}));
}

TEST(Inventory, SameOutputAtEveryThreadCountAndWindow) {
  TempDir dir;
  std::string big;
  for (int i = 0; i < 40; ++i) big += Dump();
  const std::string file = dir.Write("big.ndjson", big);
  const PolicyOptions allow{{}, {"docker.io/"}};
  const std::string reference = Inventory({file}, InventoryFormat::kText, &allow, 1);
  EXPECT_NE(reference.find("blocked containers  320 of 360"), std::string::npos) << reference;
  for (int threads : {2, 8}) {
    for (size_t window : {size_t{64}, size_t{4096}}) {
      EXPECT_EQ(Inventory({file}, InventoryFormat::kText, &allow, threads, window), reference);
    }
  }
}

TEST(Inventory, TextTableIsAlignedAndEscapesControlBytes) {
  TempDir dir;
  const std::string dump =
      Dump() + Pod("g", "ns4", R"({"containers":[{"name":"x","image":"evil\u001b[31m/x\u009b"}]})");
  const PolicyOptions allow{{}, {"docker.io/"}};
  const std::string text = Inventory({dir.Write("d.ndjson", dump)}, InventoryFormat::kText, &allow);
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << "no raw escape reaches the terminal";
  EXPECT_EQ(text.find("\xc2\x9b"), std::string::npos) << "nor a C1 control";
  EXPECT_NE(text.find("evil\\x1b[31m/x\\u009b"), std::string::npos) << text;
  // Header and rows: the CONTAINERS column ends at the same offset on every line.
  std::vector<std::string> lines;
  for (size_t pos = 0, eol; (eol = text.find('\n', pos)) != std::string::npos && eol != pos;
       pos = eol + 1) {
    lines.push_back(text.substr(pos, eol - pos));
  }
  ASSERT_GE(lines.size(), 4u);
  EXPECT_TRUE(lines[0].starts_with("REGISTRY")) << text;
  EXPECT_TRUE(lines[1].starts_with("docker.io ")) << text;
  const size_t end = lines[0].find("CONTAINERS") + std::string("CONTAINERS").size();
  for (size_t i = 1; i < lines.size(); ++i) {
    EXPECT_NE(lines[i][end - 1], ' ') << lines[i];
    EXPECT_EQ(lines[i][end], ' ') << lines[i];
  }
  EXPECT_NE(text.find("broken namespaces   4 of 4 (100.0%)"), std::string::npos) << text;
}

// The shared terminal escaper (common/terminal.h): a bidi override cannot
// reorder a line of the table, as in the text report.
TEST(Inventory, TextEscapesBidiControlsAsTheTextReport) {
  TempDir dir;
  const std::string dump =
      Pod("g", "ns4", R"({"containers":[{"name":"x","image":"evil.io/a\u202egnp.x"}]})");
  const std::string text =
      Inventory({dir.Write("d.ndjson", dump)}, InventoryFormat::kText, nullptr);
  EXPECT_EQ(text.find("\xe2\x80\xae"), std::string::npos) << text;
  EXPECT_NE(text.find("evil.io/a\\u202egnp.x"), std::string::npos) << text;
}

// `inventory --expand` counts a workload's pod template as its containers,
// and the what-if view blocks them by the violations implied through them.
TEST(Inventory, ExpandCountsPodTemplates) {
  TempDir dir;
  const std::string deploy = dir.Write(
      "d.json",
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"n"},)"
      R"("spec":{"template":{"metadata":{},"spec":{"containers":[{"name":"c","image":"evil.io/x"},)"
      R"({"name":"ok","image":"docker.io/library/nginx"}]}}}})");
  const std::vector<std::string> args{"inventory", "-o", "json", "--allow", "docker.io/"};
  auto with = [&](bool expand) {
    auto a = args;
    if (expand) a.push_back("--expand");
    a.push_back(deploy);
    const testing::RunResult r = testing::RunGatescan(a);
    EXPECT_NE(r.exit_code, 2) << r.err;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    EXPECT_EQ(parser.parse(r.out).get(doc), simdjson::SUCCESS) << r.out;
    return std::make_pair(U(doc["totals"].get_object().value(), "containers"),
                          U(doc["what_if"].get_object().value(), "blocked_containers"));
  };
  EXPECT_EQ(with(false), std::make_pair(uint64_t{0}, uint64_t{0}));
  EXPECT_EQ(with(true), std::make_pair(uint64_t{2}, uint64_t{1}));
}

TEST(Inventory, CsvQuotesAndNeutralisesFormulaCells) {
  TempDir dir;
  const std::string dump =
      Dump() +
      Pod("g", "ns4",
          R"J({"containers":[{"name":"x","image":"=HYPERLINK(\"http://evil\",\"a,b\")"},)J"
          R"J({"name":"y","image":"@SUM(1)"},{"name":"z","image":"localhost:5000/team/app"}]})J");
  const PolicyOptions allow{{}, {"docker.io/"}};
  const std::string csv = Inventory({dir.Write("d.ndjson", dump)}, InventoryFormat::kCsv, &allow);
  EXPECT_TRUE(csv.starts_with(
      "registry,repository,containers,objects,namespaces,blocked_containers,error\r\n"))
      << csv;
  EXPECT_NE(csv.find("docker.io,docker.io/library/nginx,3,3,2,2,\r\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("localhost:5000,localhost:5000/team/app,1,1,1,1,\r\n"), std::string::npos)
      << csv;
  EXPECT_NE(
      csv.find(
          ",\"'=HYPERLINK(\"\"http://evil\"\",\"\"a,b\"\")\",1,1,1,1,invalid reference format\r\n"),
      std::string::npos)
      << csv;
  EXPECT_NE(csv.find(",'@SUM(1),1,1,1,1,invalid reference format: repository name "
                     "(library/@SUM(1)) must be lowercase\r\n"),
            std::string::npos)
      << csv;
  // Without constraints the blocked column is empty.
  const std::string plain =
      Inventory({dir.Write("p.ndjson", Dump())}, InventoryFormat::kCsv, nullptr);
  EXPECT_NE(plain.find("gcr.io,gcr.io/x/y,2,2,2,,\r\n"), std::string::npos) << plain;
}

TEST(Inventory, HtmlIsSelfContainedAndEscapesEverything) {
  TempDir dir;
  const std::string dump =
      Dump() + Pod("g", "ns<b>",
                   R"({"containers":[{"name":"x","image":"<script>alert(1)</script>"},)"
                   R"({"name":"y","image":"reg.example\"><img src=x onerror=alert(2)>.io/a"}]})");
  const PolicyOptions allow{{}, {"docker.io/"}};
  const std::string html = Inventory({dir.Write("d.ndjson", dump)}, InventoryFormat::kHtml, &allow);
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&quot;&gt;&lt;img src=x"), std::string::npos);
  for (const char* fetch : {"src=\"", "href=", "url(", "@import", "https://", "<link", "<iframe"}) {
    EXPECT_EQ(html.find(fetch), std::string::npos) << fetch;
  }
  // One bar per registry, the blocked share as its own rect.
  auto count = [&](const std::string& s) {
    size_t n = 0;
    for (size_t p = 0; (p = html.find(s, p)) != std::string::npos; p += s.size()) ++n;
    return n;
  };
  EXPECT_EQ(count("<rect class=\"bar\""), 3u);
  EXPECT_EQ(count("<rect class=\"blocked\""), 3u);
  EXPECT_NE(html.find("id=\"whatif-blocked-containers\">10<"), std::string::npos) << html;
  EXPECT_NE(html.find("id=\"whatif-broken-namespaces\">4<"), std::string::npos);
}

TEST(Inventory, ParsesFormatNames) {
  InventoryFormat f = InventoryFormat::kText;
  EXPECT_TRUE(ParseInventoryFormat("html", &f));
  EXPECT_EQ(f, InventoryFormat::kHtml);
  EXPECT_TRUE(ParseInventoryFormat("csv", &f));
  EXPECT_EQ(f, InventoryFormat::kCsv);
  EXPECT_TRUE(ParseInventoryFormat("json", &f));
  EXPECT_EQ(f, InventoryFormat::kJson);
  EXPECT_TRUE(ParseInventoryFormat("text", &f));
  EXPECT_EQ(f, InventoryFormat::kText);
  EXPECT_FALSE(ParseInventoryFormat("yaml", &f));
}

TEST(Inventory, ErrorRecordsAreListedNotCounted) {
  TempDir dir;
  const std::string dump =
      Dump() + "{\"kind\":\"Pod\",\"spec\":{\"containers\":[{\"name\":1,}]}}\n" +
      Pod("h", "ns9", R"({"containers":[{"name":"x","image":"ghcr.io/o/r"}]})");
  ScanResult result;
  const std::string json =
      Inventory({dir.Write("d.ndjson", dump)}, InventoryFormat::kJson, nullptr, 2, 0, &result);
  EXPECT_EQ(result.exit_code(), kExitError);
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(json).value();
  EXPECT_EQ(doc["errors"].get_array().size(), 1u);
  EXPECT_EQ(U(doc["totals"].get_object().value(), "containers"), 10u)
      << "the scan went on after the error";
  EXPECT_EQ(Of(Rows(doc, "registries", "registry").at("ghcr.io")), (Counts{1, 1, 1}));
}

// ---------------------------------------------------------------------------
// The real corpus against a naive reference.

// distribution/reference's split, reduced to what the corpus needs: the first
// component is a registry iff it has '.' or ':' or is "localhost".
std::string ReferenceRegistry(std::string_view image) {
  const size_t slash = image.find('/');
  if (slash == std::string_view::npos) return "docker.io";
  const std::string_view first = image.substr(0, slash);
  if (first.find_first_of(".:") == std::string_view::npos && first != "localhost")
    return "docker.io";
  return first == "index.docker.io" ? "docker.io" : std::string(first);
}

struct ReferenceInventory {
  std::map<std::string, Counts> registries;
  uint64_t containers = 0;
  std::array<uint64_t, 3> by_list{};
  // Objects without kind or apiVersion: Kubernetes refuses them, so they are
  // error records, in no count.
  uint64_t unreviewable = 0;
};

// The corpus files that are JSON (the YAML ones need a YAML reader; corpus_test covers them).
std::vector<std::string> JsonCorpusFiles() {
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(testing::CorpusDir() / "realworld")) {
    if (!e.is_regular_file()) continue;
    const std::string text = testing::ReadFile(e.path());
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && (text[first] == '{' || text[first] == '['))
      files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

ReferenceInventory Reference(const std::vector<std::string>& files) {
  ReferenceInventory ref;
  std::map<std::string, std::pair<std::set<uint64_t>, std::set<std::string>>> seen;
  uint64_t object_id = 0;
  simdjson::dom::parser parser;
  auto add_object = [&](simdjson::dom::element object) {
    const uint64_t id = object_id++;
    std::string ns;
    std::string_view ns_view;
    if (object["metadata"]["namespace"].get(ns_view) == simdjson::SUCCESS)
      ns = std::string(ns_view);
    const char* lists[] = {"containers", "initContainers", "ephemeralContainers"};
    for (size_t l = 0; l < 3; ++l) {
      simdjson::dom::array containers;
      if (object["spec"][lists[l]].get(containers) != simdjson::SUCCESS) continue;
      for (simdjson::dom::element c : containers) {
        simdjson::dom::element image;
        if (!c.is_object() || c["name"].error() != simdjson::SUCCESS ||
            c["image"].get(image) != simdjson::SUCCESS) {
          continue;
        }
        ++ref.containers;
        ++ref.by_list[l];
        const std::string registry =
            image.is_string() ? ReferenceRegistry(image.get_string().value()) : "(not a string)";
        ++ref.registries[registry].containers;
        seen[registry].first.insert(id);
        if (!ns.empty()) seen[registry].second.insert(ns);
      }
    }
  };
  for (const auto& file : files) {
    simdjson::dom::element doc;
    EXPECT_EQ(parser.load(file).get(doc), simdjson::SUCCESS) << file;
    simdjson::dom::array items;
    if (doc["items"].get(items) == simdjson::SUCCESS) {
      for (simdjson::dom::element item : items) add_object(item);
    } else if (!doc["items"].is_null()) {
      std::string_view kind, api_version;
      if (doc["kind"].get(kind) != simdjson::SUCCESS || kind.empty() ||
          doc["apiVersion"].get(api_version) != simdjson::SUCCESS || api_version.empty()) {
        ++ref.unreviewable;
      } else {
        add_object(doc);
      }
    }
  }
  for (auto& [registry, counts] : ref.registries) {
    counts.objects = seen[registry].first.size();
    counts.namespaces = seen[registry].second.size();
  }
  return ref;
}

// Compares an inventory document with the reference. Invalid references
// belong to no registry in the inventory; the reference has them under the
// registry its naive split gives, so they are added back before comparing.
void ExpectMatchesReference(const std::string& json, const ReferenceInventory& ref) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json.substr(0, 500);
  std::map<std::string, uint64_t> containers;
  for (const auto& [name, row] : Rows(doc, "registries", "registry"))
    containers[name] += U(row, "containers");
  uint64_t invalid = 0;
  for (simdjson::dom::element row : doc["invalid"].get_array()) {
    const bool is_string = row["image_is_string"].get_bool().value();
    containers[is_string ? ReferenceRegistry(row["image"].get_string().value())
                         : "(not a string)"] += row["containers"].get_uint64().value();
    invalid += row["containers"].get_uint64().value();
  }
  std::map<std::string, uint64_t> expected;
  for (const auto& [name, c] : ref.registries) expected[name] = c.containers;
  EXPECT_EQ(containers, expected);
  // Without invalid references the distinct counts must agree too.
  if (invalid == 0) {
    for (const auto& [name, row] : Rows(doc, "registries", "registry")) {
      EXPECT_EQ(Of(row), ref.registries.at(name)) << name;
    }
  }
  EXPECT_EQ(U(doc["totals"].get_object().value(), "containers"), ref.containers);
  EXPECT_EQ(U(doc["container_types"].get_object(), "containers"), ref.by_list[0]);
  EXPECT_EQ(U(doc["container_types"].get_object(), "initContainers"), ref.by_list[1]);
  EXPECT_EQ(U(doc["container_types"].get_object(), "ephemeralContainers"), ref.by_list[2]);
}

TEST(InventoryCorpus, RegistryCountsMatchTheReference) {
  GS_REQUIRE_CORPUS();
  const auto files = JsonCorpusFiles();
  ASSERT_GE(files.size(), 30u);
  const ReferenceInventory ref = Reference(files);
  EXPECT_GT(ref.containers, 200u);
  EXPECT_GE(ref.registries.size(), 5u);
  ExpectMatchesReference(Inventory(files, InventoryFormat::kJson, nullptr), ref);
}

TEST(InventoryCorpus, BinaryAgreesWithTheReference) {
  GS_REQUIRE_CORPUS();
  const auto files = JsonCorpusFiles();
  std::vector<std::string> args{"inventory", "-o", "json", "--allow", "docker.io/"};
  args.insert(args.end(), files.begin(), files.end());
  const testing::RunResult r = testing::RunGatescan(args);
  if (r.err.find("'inventory' is not available") != std::string::npos) {
    GTEST_SKIP() << "SKIPPED: this gatescan build has no inventory command yet";
  }
  const ReferenceInventory ref = Reference(files);
  EXPECT_EQ(r.exit_code == 2, ref.unreviewable > 0) << "exit " << r.exit_code << ": " << r.err;
  EXPECT_NE(r.err.find(std::to_string(ref.unreviewable) + " error(s) while scanning"),
            std::string::npos)
      << r.err;
  ExpectMatchesReference(r.out, ref);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(r.out).get(doc), simdjson::SUCCESS);
  const auto what_if = doc["what_if"].get_object().value();
  EXPECT_GT(U(what_if, "blocked_containers"), 0u);
}

}  // namespace
}  // namespace gatescan
