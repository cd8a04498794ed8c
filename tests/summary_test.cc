// summary_test.cc — issue 15 item 2: `--summary`, `-o summary-json` and
// `--group-by workload` (src/report/summary.cc, group.cc), and the baseline
// marks of SARIF and csv (src/report/baseline.cc).
//
// The reference is the ndjson output of the same scan, read with simdjson's
// DOM and added up here: every summary-json row and total must equal it, on
// the demo and on every real dump of the corpus, with and without --expand.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "cli_support.h"

namespace gatescan {
namespace {

using testing::RunGatescan;
using testing::RunResult;
using testing::TempDir;

const std::vector<std::string> kAllow = {"--allow", "docker.io/", "--allow", "registry.k8s.io/"};

std::vector<std::string> Args(std::vector<std::string> head, const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

struct Tally {
  uint64_t violations = 0;
  std::set<std::string> containers, objects;
};
// table -> row name (the summary-json fields joined by '/') -> tally.
using Tables = std::map<std::string, std::map<std::string, Tally>>;
using Counts = std::tuple<uint64_t, uint64_t, uint64_t>;  // violations, containers, objects

std::string Str(simdjson::dom::element e, const char* key) {
  std::string_view s;
  if (e[key].get_string().get(s) != simdjson::SUCCESS) return {};
  return std::string(s);
}

// The reference: the ndjson violation records added up.
Tables FromNdjson(const std::string& ndjson, Tally* total, uint64_t* scanned_objects) {
  Tables tables;
  simdjson::dom::parser parser;
  size_t pos = 0;
  while (pos < ndjson.size()) {
    size_t eol = ndjson.find('\n', pos);
    if (eol == std::string::npos) eol = ndjson.size();
    const std::string line = ndjson.substr(pos, eol - pos);
    pos = eol + 1;
    simdjson::dom::element rec;
    EXPECT_EQ(parser.parse(line).get(rec), simdjson::SUCCESS) << line;
    const std::string type = Str(rec, "type");
    if (type == "summary") {
      uint64_t n = 0;
      EXPECT_EQ(rec["objects"].get_uint64().get(n), simdjson::SUCCESS);
      *scanned_objects = n;
    }
    if (type != "violation") continue;
    uint64_t offset = 0;
    EXPECT_EQ(rec["offset"].get_uint64().get(offset), simdjson::SUCCESS);
    const std::string object = Str(rec, "source") + "\n" + std::to_string(offset);
    const std::string container = object + "\n" + Str(rec, "container_type") + "\n" +
                                  Str(rec, "container") + "\n" + Str(rec, "implied_by");
    const std::pair<std::string, std::string> rows[] = {
        {"constraints", Str(rec, "constraint_kind") + "/" + Str(rec, "constraint")},
        {"namespaces", Str(rec, "namespace")},
        {"workloads",
         Str(rec, "namespace") + "/" + Str(rec, "owner_kind") + "/" + Str(rec, "owner_name")},
        {"images", Str(rec, "image")},
        {"registries", "(all)"},  // rows checked by hand below; their sum here
    };
    for (const auto& [table, name] : rows) {
      Tally& t = tables[table][name];
      ++t.violations;
      t.containers.insert(container);
      t.objects.insert(object);
    }
    ++total->violations;
    total->containers.insert(container);
    total->objects.insert(object);
  }
  return tables;
}

Counts RowCounts(simdjson::dom::element row) {
  uint64_t v = 0, c = 0, o = 0;
  EXPECT_EQ(row["violations"].get_uint64().get(v), simdjson::SUCCESS);
  EXPECT_EQ(row["containers"].get_uint64().get(c), simdjson::SUCCESS);
  EXPECT_EQ(row["objects"].get_uint64().get(o), simdjson::SUCCESS);
  return {v, c, o};
}

Counts TallyCounts(const Tally& t) { return {t.violations, t.containers.size(), t.objects.size()}; }

// Compares a summary-json document with the ndjson of the same scan.
void ExpectSummaryEqualsNdjson(const std::string& json, const std::string& ndjson,
                               const std::string& what) {
  Tally total;
  uint64_t scanned = 0;
  const Tables want = FromNdjson(ndjson, &total, &scanned);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << what << "\n" << json;
  EXPECT_EQ(RowCounts(doc["totals"]), TallyCounts(total)) << what;
  uint64_t objects_scanned = 0;
  EXPECT_EQ(doc["totals"]["objects_scanned"].get_uint64().get(objects_scanned), simdjson::SUCCESS);
  EXPECT_EQ(objects_scanned, scanned) << what;
  const std::map<std::string, std::vector<const char*>> fields = {
      {"constraints", {"constraint_kind", "constraint"}},
      {"namespaces", {"namespace"}},
      {"workloads", {"namespace", "owner_kind", "owner_name"}},
      {"images", {"image"}},
      {"registries", {}}};
  for (const auto& [table, keys] : fields) {
    simdjson::dom::array rows;
    ASSERT_EQ(doc[table].get_array().get(rows), simdjson::SUCCESS) << what << " " << table;
    std::map<std::string, Counts> got;
    uint64_t sum = 0, previous = UINT64_MAX;
    for (simdjson::dom::element row : rows) {
      const Counts c = RowCounts(row);
      EXPECT_LE(std::get<0>(c), previous) << what << " " << table << ": most violations first";
      previous = std::get<0>(c);
      sum += std::get<0>(c);
      if (keys.empty()) continue;
      std::string name;
      for (const char* key : keys)
        name += (name.empty() && key == keys[0] ? "" : "/") + Str(row, key);
      EXPECT_TRUE(got.emplace(name, c).second) << what << " " << table << ": two rows " << name;
    }
    EXPECT_EQ(sum, total.violations) << what << " " << table;
    if (keys.empty()) continue;
    std::map<std::string, Counts> expected;
    if (want.count(table) != 0) {
      for (const auto& [name, t] : want.at(table)) expected[name] = TallyCounts(t);
    }
    EXPECT_EQ(got, expected) << what << " " << table;
  }
}

TEST(Summary, JsonEqualsTheNdjsonCountsOnEveryDump) {
  std::vector<std::vector<std::string>> runs;
  for (const std::string& input : testing::DemoAndCorpusDumps()) runs.push_back({input});
  if (testing::CorpusPresent()) runs.push_back({"-j2", (testing::CorpusDir() / "realworld")});
  for (const auto& inputs : runs) {
    for (bool expand : {false, true}) {
      std::vector<std::string> args = kAllow;
      if (expand) args.push_back("--expand");
      args.insert(args.end(), inputs.begin(), inputs.end());
      const std::string what = inputs.back() + (expand ? " --expand" : "");
      const RunResult nd = RunGatescan(Args({"-o", "ndjson"}, args));
      const RunResult js = RunGatescan(Args({"-o", "summary-json"}, args));
      ASSERT_TRUE(nd.exit_code != 2 || testing::OnlyRefusedObjectErrors(nd)) << what << nd.err;
      EXPECT_EQ(js.exit_code, nd.exit_code) << what << js.err;
      ExpectSummaryEqualsNdjson(js.out, nd.out, what);
      // The text tables count the same: their first line says the totals.
      const RunResult text = RunGatescan(Args({"-q", "--summary"}, args));
      Tally total;
      uint64_t scanned = 0;
      FromNdjson(nd.out, &total, &scanned);
      EXPECT_EQ(text.out.rfind("Summary: " + std::to_string(total.violations) + " violation", 0),
                0u)
          << what << "\n"
          << text.out;
    }
  }
}

std::string Pod(const std::string& ns, const std::string& name, const std::string& image,
                const std::string& extra_metadata = "") {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name + R"(","namespace":")" +
         ns + "\"" + extra_metadata + R"(},"spec":{"containers":[{"name":"app","image":")" + image +
         R"("}]}})";
}

// A Deployment's 30 replicas, as a pods-only dump shows them.
std::string Replicas(int n, const std::string& image) {
  std::string items;
  for (int i = 0; i < n; ++i) {
    if (!items.empty()) items += ",";
    items += Pod("shop", "web-7c5ddbdf54-" + std::to_string(10000 + i), image,
                 R"(,"labels":{"pod-template-hash":"7c5ddbdf54"},"ownerReferences":[)"
                 R"({"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-7c5ddbdf54",)"
                 R"("uid":"u1","controller":true}])");
  }
  return R"({"apiVersion":"v1","kind":"List","items":[)" + items + "]}";
}

TEST(Summary, RegistriesAreReadAsRuntimesReadThem) {
  TempDir dir;
  const std::string dump = dir.Write(
      "pods.json",
      "[" + Pod("a", "p1", "busybox") + "," + Pod("a", "p2", "docker.io/library/nginx:1") + "," +
          Pod("b", "p3", "index.docker.io/x/y") + "," + Pod("b", "p4", "gcr.io/x/y") + "," +
          Pod("b", "p5", "localhost:5000/app") + "," + Pod("c", "p6", "Not/A/Reference") + "]");
  const RunResult r = RunGatescan({"-o", "summary-json", "--allow", "quay.io/", dump});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(r.out).get(doc), simdjson::SUCCESS) << r.out;
  std::map<std::string, uint64_t> registries;
  for (simdjson::dom::element row : doc["registries"].get_array()) {
    const std::string name = row["registry"].is_null() ? "null" : Str(row, "registry");
    registries[name] = std::get<0>(RowCounts(row));
  }
  const std::map<std::string, uint64_t> want = {
      {"docker.io", 3}, {"gcr.io", 1}, {"localhost:5000", 1}, {"null", 1}};
  EXPECT_EQ(registries, want) << r.out;
}

TEST(Summary, QuietPrintsOnlyTheSummaryAndKeepsTheExitCode) {
  TempDir dir;
  const std::string dump = dir.Write("pods.json", Replicas(3, "gcr.io/shop/web:1"));
  const RunResult r = RunGatescan({"-q", "--summary", "--allow", "docker.io/", dump});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out.rfind("Summary: 3 violations in 3 containers of 3 objects", 0), 0u) << r.out;
  EXPECT_EQ(r.out.find("has an invalid image repo"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  shop/Deployment/web\n"), std::string::npos) << r.out;
  // Without -q the findings come first, then the summary.
  const RunResult full = RunGatescan({"--summary", "--allow", "docker.io/", dump});
  EXPECT_EQ(Count(full.out, "has an invalid image repo"), 3u) << full.out;
  EXPECT_LT(full.out.find("has an invalid image repo"), full.out.find("\nSummary: 3 violations"));
  // -q alone still prints nothing.
  EXPECT_EQ(RunGatescan({"-q", "--allow", "docker.io/", dump}).out, "");
}

TEST(Summary, RowsAreCappedUnlessAllAreAsked) {
  TempDir dir;
  std::string items;
  for (int i = 0; i < 25; ++i) {
    items += (items.empty() ? "" : ",") + Pod("ns" + std::to_string(i), "p", "gcr.io/x:1");
  }
  const std::string dump = dir.Write("pods.json", "[" + items + "]");
  const RunResult capped = RunGatescan({"-q", "--summary", "--allow", "docker.io/", dump});
  EXPECT_NE(capped.out.find("By namespace (25)\n"), std::string::npos) << capped.out;
  EXPECT_NE(capped.out.find("  ... and 5 more (--summary-rows all lists every row)\n"),
            std::string::npos)
      << capped.out;
  const RunResult all =
      RunGatescan({"-q", "--summary", "--summary-rows", "all", "--allow", "docker.io/", dump});
  EXPECT_EQ(all.out.find("more"), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("  ns24\n"), std::string::npos) << all.out;
  const RunResult three =
      RunGatescan({"-q", "--summary", "--summary-rows", "3", "--allow", "docker.io/", dump});
  EXPECT_NE(three.out.find("  ... and 22 more"), std::string::npos) << three.out;
  // Ties: by name.
  EXPECT_LT(three.out.find("  ns0\n"), three.out.find("  ns1\n")) << three.out;
}

TEST(Summary, RowsWithoutSummaryIsAUsageError) {
  TempDir dir;
  const std::string dump = dir.Write("pods.json", Pod("ns", "p", "gcr.io/x:1"));
  for (const char* format : {"text", "summary-json"}) {
    const RunResult r =
        RunGatescan({"-o", format, "--summary-rows", "3", "--allow", "docker.io/", dump});
    EXPECT_EQ(r.exit_code, 2) << format << r.err;
    EXPECT_NE(r.err.find("--summary-rows goes with --summary"), std::string::npos) << r.err;
  }
}

TEST(Summary, UntrustedNamesAreTerminalSafe) {
  TempDir dir;
  const std::string dump =
      dir.Write("pods.json", Pod("evil\\u001b[2J\\u202e", "p", "gcr.io/x\\u001b]0;t\\u0007"));
  const RunResult r = RunGatescan({"-q", "--summary", "--allow", "docker.io/", dump});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\xe2\x80\xae"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  evil\\x1b[2J\\u202e\n"), std::string::npos) << r.out;
}

TEST(GroupBy, ThirtyReplicasAreOneLine) {
  TempDir dir;
  const std::string dump = dir.Write("pods.json", Replicas(30, "gcr.io/shop/web:1"));
  const RunResult text = RunGatescan({"--group-by", "workload", "--allow", "docker.io/", dump});
  EXPECT_EQ(text.exit_code, 1) << text.err;
  EXPECT_EQ(text.out,
            "Deployment shop/web (30 replicas): [gatescan-allow] container <app> has an invalid "
            "image repo <gcr.io/shop/web:1>, allowed repos are [\"docker.io/\"]\n");
  const RunResult nd =
      RunGatescan({"-o", "ndjson", "--group-by", "workload", "--allow", "docker.io/", dump});
  EXPECT_EQ(Count(nd.out, "\"type\":\"group\""), 1u) << nd.out;
  EXPECT_NE(nd.out.find("\"owner_kind\":\"Deployment\",\"owner_name\":\"web\""), std::string::npos);
  EXPECT_NE(nd.out.find("\"replicas\":30}\n{\"type\":\"summary\""), std::string::npos) << nd.out;
  // A group per image: one replica on a new image is a line of its own.
  const std::string mixed = Replicas(30, "gcr.io/shop/web:1");
  const std::string odd =
      Pod("shop", "web-7c5ddbdf54-99999", "gcr.io/shop/web:2",
          R"(,"labels":{"pod-template-hash":"7c5ddbdf54"},"ownerReferences":[)"
          R"({"kind":"ReplicaSet","name":"web-7c5ddbdf54","controller":true}])");
  const std::string dump2 = dir.Write("mixed.json", mixed + "\n" + odd);
  const RunResult two = RunGatescan({"--group-by", "workload", "--allow", "docker.io/", dump2});
  EXPECT_EQ(Count(two.out, "(30 replicas)"), 1u) << two.out;
  EXPECT_EQ(Count(two.out, "(1 replica)"), 1u) << two.out;
}

TEST(GroupBy, ReplicasAddUpToTheViolationsOnEveryDump) {
  for (const std::string& input : testing::DemoAndCorpusDumps()) {
    const std::vector<std::string> args = Args(kAllow, {"--expand", input});
    const RunResult nd = RunGatescan(Args({"-o", "ndjson"}, args));
    const RunResult grouped = RunGatescan(Args({"-o", "ndjson", "--group-by", "workload"}, args));
    EXPECT_EQ(grouped.exit_code, nd.exit_code) << input;
    uint64_t violations = 0, replicas = 0;
    std::set<std::string> groups;
    simdjson::dom::parser parser;
    for (const auto* out : {&nd.out, &grouped.out}) {
      size_t pos = 0;
      while (pos < out->size()) {
        size_t eol = out->find('\n', pos);
        if (eol == std::string::npos) eol = out->size();
        simdjson::dom::element rec;
        ASSERT_EQ(parser.parse(out->substr(pos, eol - pos)).get(rec), simdjson::SUCCESS);
        pos = eol + 1;
        const std::string type = Str(rec, "type");
        if (type == "violation") ++violations;
        if (type != "group") continue;
        uint64_t n = 0;
        ASSERT_EQ(rec["replicas"].get_uint64().get(n), simdjson::SUCCESS);
        replicas += n;
        const std::string key = Str(rec, "constraint") + "\n" + Str(rec, "namespace") + "\n" +
                                Str(rec, "owner_kind") + "\n" + Str(rec, "owner_name") + "\n" +
                                Str(rec, "container_type") + "\n" + Str(rec, "container") + "\n" +
                                Str(rec, "image") + "\n" + Str(rec, "message");
        EXPECT_TRUE(groups.insert(key).second) << input << ": a group twice";
      }
    }
    EXPECT_EQ(replicas, violations) << input;
  }
}

// Groups print in the order they first appear and the tables sort, so the
// output is the same at any thread count.
TEST(GroupBy, SameOutputAtEveryThreadCount) {
  GS_REQUIRE_CORPUS();
  const std::string corpus = (testing::CorpusDir() / "realworld").string();
  for (const auto& mode :
       std::vector<std::vector<std::string>>{{"--group-by", "workload", "--summary"},
                                             {"-o", "ndjson", "--group-by", "workload"},
                                             {"-o", "summary-json"}}) {
    const std::vector<std::string> args = Args(mode, Args(kAllow, {"--expand", corpus}));
    const RunResult one = RunGatescan(Args({"-j1"}, args));
    const RunResult eight = RunGatescan(Args({"-j8"}, args));
    EXPECT_FALSE(one.out.empty()) << mode[1];
    auto masked = [](std::string out) {  // ndjson's closing summary has the run's seconds
      const size_t at = out.find("\"seconds\":");
      return at == std::string::npos ? out : out.substr(0, at);
    };
    EXPECT_EQ(masked(one.out), masked(eight.out)) << mode[1];
  }
}

TEST(GroupBy, OtherFormatsAreAUsageError) {
  TempDir dir;
  const std::string dump = dir.Write("pods.json", Replicas(2, "gcr.io/x:1"));
  for (const char* format : {"csv", "gator", "sarif", "audit", "summary-json"}) {
    const RunResult r =
        RunGatescan({"-o", format, "--group-by", "workload", "--allow", "docker.io/", dump});
    EXPECT_EQ(r.exit_code, 2) << format;
    EXPECT_NE(r.err.find("--group-by workload works with -o text and -o ndjson"), std::string::npos)
        << r.err;
  }
  EXPECT_EQ(RunGatescan({"--group-by", "pod", "--allow", "docker.io/", dump}).exit_code, 2);
  const RunResult summary =
      RunGatescan({"-o", "ndjson", "--summary", "--allow", "docker.io/", dump});
  EXPECT_EQ(summary.exit_code, 2);
  EXPECT_NE(summary.err.find("-o summary-json"), std::string::npos) << summary.err;
}

// The baseline: made from one night, then a night with one more bad image.
struct Nights {
  TempDir dir;
  std::string baseline, night2;
  Nights() {
    const std::string night1 = dir.Write("n1.json", Replicas(3, "gcr.io/shop/web:1"));
    baseline = (dir.path() / "baseline.json").string();
    EXPECT_EQ(RunGatescan({"baseline", "-o", baseline, "--allow", "docker.io/", night1}).exit_code,
              0);
    night2 = dir.Write(
        "n2.json", Replicas(3, "gcr.io/shop/web:1") + "\n" + Pod("db", "pg-0", "quay.io/pg:16"));
  }
};

TEST(Baseline, SummaryCountsNewAndKnown) {
  Nights n;
  const RunResult js = RunGatescan(
      {"-o", "summary-json", "--baseline", n.baseline, "--allow", "docker.io/", n.night2});
  EXPECT_EQ(js.exit_code, 1) << "the new finding denies: " << js.err;
  EXPECT_NE(js.out.find("\"totals\":{\"violations\":4,\"new\":1,\"known\":3,"), std::string::npos)
      << js.out;
  const RunResult text = RunGatescan({"--summary", "--group-by", "workload", "--baseline",
                                      n.baseline, "--allow", "docker.io/", n.night2});
  EXPECT_NE(text.out.find("known: Deployment shop/web (3 replicas): "), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("\nPod db/pg-0 (1 replica): "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("Summary: 4 violations (1 new, 3 known)"), std::string::npos) << text.out;
  // Only known findings: exit 0 in every summary form.
  const std::string night1 = n.dir.Write("n1b.json", Replicas(3, "gcr.io/shop/web:1"));
  for (const auto& head : std::vector<std::vector<std::string>>{
           {"-o", "summary-json"}, {"-q", "--summary"}, {"--group-by", "workload"}}) {
    EXPECT_EQ(RunGatescan(Args(head, {"--baseline", n.baseline, "--allow", "docker.io/", night1}))
                  .exit_code,
              0)
        << head[1];
  }
}

TEST(Baseline, CsvAppendsABaselineColumnOnlyWithABaseline) {
  Nights n;
  const RunResult plain = RunGatescan({"-o", "csv", "--allow", "docker.io/", n.night2});
  EXPECT_EQ(plain.out.substr(0, plain.out.find('\n')),
            "constraint_kind,constraint,enforcement_action,group,version,kind,namespace,name,"
            "owner_kind,owner_name,container_type,container,image,message,implied_by,source,"
            "offset\r");
  const RunResult r =
      RunGatescan({"-o", "csv", "--baseline", n.baseline, "--allow", "docker.io/", n.night2});
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')),
            plain.out.substr(0, plain.out.find('\r')) + ",baseline\r");
  EXPECT_EQ(Count(r.out, ",known\r\n"), 3u) << r.out;
  EXPECT_EQ(Count(r.out, ",new\r\n"), 1u) << r.out;
  // Every other cell as without a baseline.
  std::string stripped = r.out;
  for (const char* cell : {",baseline\r\n", ",known\r\n", ",new\r\n"}) {
    for (size_t at; (at = stripped.find(cell)) != std::string::npos;) {
      stripped.replace(at, std::string(cell).size(), "\r\n");
    }
  }
  EXPECT_EQ(stripped, plain.out);
}

TEST(Baseline, SarifBaselineStateValidatesAgainstTheSchema) {
  Nights n;
  const RunResult r =
      RunGatescan({"-o", "sarif", "--baseline", n.baseline, "--allow", "docker.io/", n.night2});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(Count(r.out, "{\"baselineState\":\"unchanged\",\"ruleId\":"), 3u) << r.out;
  EXPECT_EQ(Count(r.out, "{\"baselineState\":\"new\",\"ruleId\":"), 1u) << r.out;
  const std::string schema = (testing::CorpusDir() / "formats/sarif-schema-2.1.0.json").string();
  if (!std::filesystem::exists(schema) ||
      std::system("python3 -c 'import jsonschema' 2> /dev/null") != 0) {
    GTEST_SKIP() << "SKIPPED the schema check: needs " << schema << " and python3-jsonschema";
  }
  const std::string file = n.dir.Write("out.sarif", r.out);
  const std::string script =
      "import json,sys,jsonschema\n"
      "schema=json.load(open(sys.argv[1]))\n"
      "doc=json.load(open(sys.argv[2]))\n"
      "jsonschema.validators.validator_for(schema)(schema).validate(doc)\n"
      "states=[x['baselineState'] for x in doc['runs'][0]['results']]\n"
      "assert sorted(states)==['new','unchanged','unchanged','unchanged'], states\n";
  EXPECT_EQ(std::system(("python3 -c " + testing::ShellQuote(script) + " " +
                         testing::ShellQuote(schema) + " " + testing::ShellQuote(file))
                            .c_str()),
            0);
}

}  // namespace
}  // namespace gatescan
