// Differential tests against the real third-party corpus (../shared/corpus).
//
// The reference below is deliberately naive and independent of the scanner:
// whole files are loaded into a plain tree (simdjson DOM for JSON, yaml-cpp
// for YAML, neither of which the streaming path uses this way), the Rego's
// rules are applied literally (a loop of starts_with, a std::set of
// messages per object and constraint), and gator's output is printed. The
// binary's `-o gator` output must be byte-identical on every real dump.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "cli_support.h"

namespace gatescan::testing {
namespace {

namespace fs = std::filesystem;

struct RefValue {
  enum class Type { kNull, kScalar, kString, kArray, kObject } type = Type::kNull;
  std::string text;  // strings and scalars
  std::vector<RefValue> items;
  std::vector<std::pair<std::string, RefValue>> fields;

  const RefValue* Get(const std::string& key) const {
    if (type != Type::kObject) return nullptr;
    const RefValue* found = nullptr;
    for (const auto& [k, v] : fields) {
      if (k == key) found = &v;  // the last duplicate wins, as in Go
    }
    return found;
  }
  std::string Str(const std::string& key) const {
    const RefValue* v = Get(key);
    return v != nullptr && v->type == Type::kString ? v->text : "";
  }
};

RefValue FromDom(simdjson::dom::element e) {
  RefValue v;
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT: {
      v.type = RefValue::Type::kObject;
      const simdjson::dom::object object = e.get_object().value();
      for (auto field : object) {
        v.fields.emplace_back(std::string(field.key), FromDom(field.value));
      }
      break;
    }
    case simdjson::dom::element_type::ARRAY: {
      v.type = RefValue::Type::kArray;
      const simdjson::dom::array array = e.get_array().value();
      for (auto item : array) v.items.push_back(FromDom(item));
      break;
    }
    case simdjson::dom::element_type::STRING:
      v.type = RefValue::Type::kString;
      v.text = std::string(e.get_string().value());
      break;
    case simdjson::dom::element_type::NULL_VALUE:
      v.type = RefValue::Type::kNull;
      v.text = "null";
      break;
    default:
      v.type = RefValue::Type::kScalar;
      v.text = simdjson::minify(e);
  }
  return v;
}

RefValue FromYaml(const YAML::Node& n) {
  RefValue v;
  if (n.IsMap()) {
    v.type = RefValue::Type::kObject;
    for (auto it = n.begin(); it != n.end(); ++it) {
      v.fields.emplace_back(it->first.as<std::string>(), FromYaml(it->second));
    }
  } else if (n.IsSequence()) {
    v.type = RefValue::Type::kArray;
    for (const auto& item : n) v.items.push_back(FromYaml(item));
  } else if (n.IsScalar()) {
    // Every image and name in the corpus is a string; plain scalars that
    // YAML would type otherwise do not occur in the fields the policy reads.
    v.type = RefValue::Type::kString;
    v.text = n.Scalar();
  }
  return v;
}

// Objects of a file in order, kind-less list items taking the list's kind.
std::vector<RefValue> LoadObjects(const fs::path& path) {
  std::vector<RefValue> docs;
  const std::string text = ReadFile(path);
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (text[first] == '{' || text[first] == '[')) {
    simdjson::dom::parser parser;
    const simdjson::padded_string padded(text);
    simdjson::dom::element root;
    if (parser.parse(padded).get(root) != simdjson::SUCCESS) {
      ADD_FAILURE() << "reference cannot parse " << path;
      return {};
    }
    docs.push_back(FromDom(root));
  } else {
    for (const auto& doc : YAML::LoadAll(text)) {
      if (!doc.IsNull()) docs.push_back(FromYaml(doc));
    }
  }
  std::vector<RefValue> objects;
  for (auto& doc : docs) {
    const RefValue* items = doc.Get("items");
    if (items == nullptr || (items->type != RefValue::Type::kArray && items->type != RefValue::Type::kNull)) {
      objects.push_back(doc);
      continue;
    }
    std::string list_kind = doc.Str("kind");
    const std::string item_kind =
        list_kind.size() > 4 && list_kind.ends_with("List") ? list_kind.substr(0, list_kind.size() - 4) : "";
    for (RefValue item : items->items) {
      if (item.Get("kind") == nullptr) {
        item.fields.emplace_back("kind", RefValue{RefValue::Type::kString, item_kind, {}, {}});
        if (item.Get("apiVersion") == nullptr) {
          item.fields.emplace_back("apiVersion",
                                   RefValue{RefValue::Type::kString, doc.Str("apiVersion"), {}, {}});
        }
      }
      objects.push_back(std::move(item));
    }
  }
  return objects;
}

bool Wildcard(const std::string& pattern, const std::string& value) {
  const bool star_front = !pattern.empty() && pattern.front() == '*';
  const bool star_back = pattern.size() > 1 && pattern.back() == '*';
  if (star_front && star_back) return value.find(pattern.substr(1, pattern.size() - 2)) != std::string::npos;
  if (star_back || (pattern.size() == 1 && star_front)) return value.starts_with(pattern.substr(0, pattern.size() - 1));
  if (star_front) return value.ends_with(pattern.substr(1));
  return pattern == value;
}

struct RefConstraint {
  std::string kind, name, action;
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> kinds;
  std::vector<std::string> namespaces, excluded;
  std::vector<std::string> repos;
  std::map<std::string, std::string> words;  // container list field -> message word
};

std::string Quoted(const std::string& s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

struct RefResult {
  std::string object;  // "<apiVersion>/<Kind> <ns>/<name>"
  std::string constraint, action, msg;
};

std::vector<RefResult> Evaluate(const std::vector<RefValue>& objects, const std::vector<RefConstraint>& constraints) {
  std::vector<RefResult> results;
  for (const RefValue& obj : objects) {
    const RefValue* md = obj.Get("metadata");
    const std::string ns = md ? md->Str("namespace") : "", name = md ? md->Str("name") : "";
    const std::string api_version = obj.Str("apiVersion"), kind = obj.Str("kind");
    const std::string group = api_version.find('/') == std::string::npos ? "" : api_version.substr(0, api_version.find('/'));
    const std::string label = api_version + "/" + kind + " " + (ns.empty() ? name : ns + "/" + name);
    for (const auto& c : constraints) {
      if (!c.kinds.empty()) {
        bool any = false;
        for (const auto& [groups, kinds] : c.kinds) {
          const bool g = std::count(groups.begin(), groups.end(), "*") || std::count(groups.begin(), groups.end(), group);
          const bool k = std::count(kinds.begin(), kinds.end(), "*") || std::count(kinds.begin(), kinds.end(), kind);
          any = any || (g && k);
        }
        if (!any) continue;
      }
      if (!ns.empty() && !c.namespaces.empty() &&
          std::none_of(c.namespaces.begin(), c.namespaces.end(), [&](auto& p) { return Wildcard(p, ns); }))
        continue;
      if (!ns.empty() && std::any_of(c.excluded.begin(), c.excluded.end(), [&](auto& p) { return Wildcard(p, ns); }))
        continue;
      std::string repos = "[";
      for (size_t i = 0; i < c.repos.size(); ++i) repos += (i ? ", " : "") + Quoted(c.repos[i]);
      repos += "]";
      std::set<std::string> messages;
      const RefValue* spec = obj.Get("spec");
      for (const auto& [field, word] : c.words) {
        const RefValue* list = spec ? spec->Get(field) : nullptr;
        if (list == nullptr) continue;
        const auto& elements = list->type == RefValue::Type::kArray ? list->items : std::vector<RefValue>{};
        for (const RefValue& container : elements) {
          const RefValue* cname = container.Get("name");
          const RefValue* image = container.Get("image");
          if (cname == nullptr || image == nullptr) continue;
          bool allowed = false;
          for (const auto& r : c.repos) allowed = allowed || (image->type == RefValue::Type::kString && image->text.starts_with(r));
          if (allowed) continue;
          messages.insert(word + " <" + cname->text + "> has an invalid image repo <" + image->text +
                          ">, allowed repos are " + repos);
        }
      }
      for (const auto& m : messages) results.push_back({label, c.name, c.action, m});
    }
  }
  std::stable_sort(results.begin(), results.end(), [](const RefResult& a, const RefResult& b) {
    return a.action != b.action ? a.action < b.action : a.msg < b.msg;
  });
  return results;
}

std::string GatorText(const std::vector<RefResult>& results) {
  std::string out;
  for (const auto& r : results) out += r.object + ": [" + Quoted(r.constraint) + "] Message: " + Quoted(r.msg) + "\n";
  return out;
}

const char* kSeedConstraint = R"(apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedReposSeed
metadata:
  name: seed-gcr
spec:
  enforcementAction: warn
  match:
    kinds:
      - apiGroups: [""]
        kinds: ["Pod"]
    excludedNamespaces: ["kube-*"]
  parameters:
    repos: ["gcr.io", "rancher/", "docker.io"]
)";

const char* kLibConstraints = R"(apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedRepos
metadata:
  name: lib-allowed
spec:
  parameters:
    repos: ["docker.io/", "registry.k8s.io/", "quay.io/prometheus/"]
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedRepos
metadata:
  name: lib-default-ns
spec:
  enforcementAction: dryrun
  match:
    namespaces: ["default", "*system"]
  parameters:
    repos: []
)";

std::vector<RefConstraint> ReferenceConstraints() {
  RefConstraint seed{"K8sAllowedReposSeed", "seed-gcr", "warn", {{{""}, {"Pod"}}}, {}, {"kube-*"},
                     {"gcr.io", "rancher/", "docker.io"}, {{"containers", "container"}, {"initContainers", "container"}}};
  const std::map<std::string, std::string> library_words = {
      {"containers", "container"}, {"initContainers", "initContainer"}, {"ephemeralContainers", "ephemeralContainer"}};
  RefConstraint lib{"K8sAllowedRepos", "lib-allowed", "deny", {}, {}, {},
                    {"docker.io/", "registry.k8s.io/", "quay.io/prometheus/"}, library_words};
  RefConstraint lib_ns{"K8sAllowedRepos", "lib-default-ns", "dryrun", {}, {"default", "*system"}, {}, {}, library_words};
  return {seed, lib, lib_ns};
}

class Corpus : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!CorpusPresent()) GTEST_SKIP() << "SKIPPED: third-party corpus not found at " << CorpusDir();
    std::string seed = ReadFile(DatasetsDir() / "k8sallowedrepos-template.yaml");
    seed = std::regex_replace(seed, std::regex("name: k8sallowedrepos"), "name: k8sallowedreposseed");
    seed = std::regex_replace(seed, std::regex("kind: K8sAllowedRepos"), "kind: K8sAllowedReposSeed");
    seed = std::regex_replace(seed, std::regex("package k8sallowedrepos"), "package k8sallowedreposseed");
    policy_args_ = {"-p", dir_.Write("seed-template.yaml", seed), "-p", dir_.Write("seed-constraint.yaml", kSeedConstraint),
                    "-p", (CorpusDir() / "gatekeeper-library/library/general/allowedrepos/template.yaml").string(),
                    "-p", dir_.Write("lib-constraints.yaml", kLibConstraints)};
  }
  TempDir dir_;
  std::vector<std::string> policy_args_;
};

std::vector<fs::path> RealworldFiles() {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(CorpusDir() / "realworld")) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST_F(Corpus, EveryRealDumpMatchesTheReferenceByteForByte) {
  const auto constraints = ReferenceConstraints();
  size_t files = 0, total = 0;
  for (const auto& file : RealworldFiles()) {
    SCOPED_TRACE(file.string());
    const std::string expected = GatorText(Evaluate(LoadObjects(file), constraints));
    auto args = policy_args_;
    args.insert(args.end(), {"-o", "gator", file.string()});
    const RunResult r = RunGatescan(args);
    EXPECT_EQ(r.out, expected);
    EXPECT_NE(r.exit_code, 2) << r.err;
    total += static_cast<size_t>(std::count(expected.begin(), expected.end(), '\n'));
    ++files;
  }
  EXPECT_EQ(files, 39u) << "the corpus holds 39 real dumps (SOURCES.md)";
  EXPECT_GT(total, 500u) << "the constraints should flag a good share of the corpus";
}

TEST_F(Corpus, WholeCorpusAtOnceIsTheSameAtEveryThreadCount) {
  auto args = policy_args_;
  args.insert(args.end(), {"-o", "ndjson", (CorpusDir() / "realworld").string()});
  auto j1 = args, j2 = args, j8 = args;
  j1.insert(j1.end(), {"-j", "1"});
  j2.insert(j2.end(), {"-j", "2"});
  j8.insert(j8.end(), {"-j", "8"});
  auto strip_summary = [](std::string s) { return s.substr(0, s.rfind("{\"type\":\"summary\"")); };
  const RunResult a = RunGatescan(j1), b = RunGatescan(j2), c = RunGatescan(j8);
  EXPECT_EQ(a.exit_code, 1) << a.err;
  EXPECT_EQ(strip_summary(a.out), strip_summary(b.out));
  EXPECT_EQ(strip_summary(a.out), strip_summary(c.out));
  EXPECT_GT(a.out.size(), 1000u);
}

// The gatekeeper-library's own gator suite (suite.yaml): violation counts per message regex.
TEST(GatekeeperLibrarySuite, AllCasesPass) {
  GS_REQUIRE_CORPUS();
  const fs::path base = CorpusDir() / "gatekeeper-library/library/general/allowedrepos";
  const YAML::Node suite = YAML::LoadFile((base / "suite.yaml").string());
  size_t cases = 0;
  for (const auto& test : suite["tests"]) {
    for (const auto& c : test["cases"]) {
      SCOPED_TRACE(c["name"].as<std::string>());
      const RunResult r = RunGatescan({"-o", "ndjson", "-p", (base / test["template"].as<std::string>()).string(), "-p",
                                       (base / test["constraint"].as<std::string>()).string(),
                                       (base / c["object"].as<std::string>()).string()});
      ASSERT_NE(r.exit_code, 2) << r.err;
      std::vector<std::string> messages;
      simdjson::dom::parser parser;
      size_t pos = 0;
      while (pos < r.out.size()) {
        const size_t eol = r.out.find('\n', pos);
        const std::string line = r.out.substr(pos, eol - pos);
        pos = eol == std::string::npos ? r.out.size() : eol + 1;
        auto doc = parser.parse(line).value();
        if (std::string_view(doc["type"]) == "violation") messages.emplace_back(std::string_view(doc["message"]));
      }
      for (const auto& assertion : c["assertions"]) {
        size_t count = messages.size();
        if (assertion["message"]) {
          const std::regex re(assertion["message"].as<std::string>());
          count = static_cast<size_t>(std::count_if(messages.begin(), messages.end(),
                                                    [&](const std::string& m) { return std::regex_search(m, re); }));
        }
        const std::string want = assertion["violations"].as<std::string>();
        if (want == "yes") {
          EXPECT_GE(count, 1u);
        } else if (want == "no") {
          EXPECT_EQ(count, 0u);
        } else {
          EXPECT_EQ(count, std::stoul(want));
        }
      }
      ++cases;
    }
  }
  EXPECT_EQ(cases, 5u);
}

// The OPA unit tests of the library's Rego (src_test.rego), as data.
TEST(GatekeeperLibraryRegoTests, ViolationCountsMatch) {
  GS_REQUIRE_CORPUS();
  const std::string text = ReadFile(CorpusDir() / "gatekeeper-library/src_test_rego_vectors.json");
  simdjson::dom::parser parser;
  const auto doc = parser.parse(text).value();
  const std::string tmpl = (CorpusDir() / "gatekeeper-library/library/general/allowedrepos/template.yaml").string();
  TempDir dir;
  size_t n = 0;
  const simdjson::dom::array cases = doc["cases"].get_array().value();
  for (auto c : cases) {
    SCOPED_TRACE(std::string(std::string_view(c["rego_test"])) + " " + std::string(std::string_view(c["field"])));
    std::string constraint = "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sAllowedRepos\nmetadata:\n  name: t\nspec:\n";
    auto params = c["parameters"];
    if (params.error() == simdjson::SUCCESS && params.type() == simdjson::dom::element_type::OBJECT) {
      constraint += "  parameters: " + simdjson::minify(params.value()) + "\n";
    }
    const RunResult r = RunGatescan({"-o", "ndjson", "-p", tmpl, "-p", dir.Write("c.yaml", constraint),
                                     dir.Write("o.json", simdjson::minify(c["object"].value()))});
    ASSERT_NE(r.exit_code, 2) << r.err;
    size_t violations = 0;
    for (size_t p = r.out.find("\"type\":\"violation\""); p != std::string::npos;
         p = r.out.find("\"type\":\"violation\"", p + 1)) {
      ++violations;
    }
    EXPECT_EQ(violations, static_cast<size_t>(int64_t(c["expected_violation_count"])));
    ++n;
  }
  EXPECT_EQ(n, 14u);
}

}  // namespace
}  // namespace gatescan::testing
