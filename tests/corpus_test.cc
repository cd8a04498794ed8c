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
#include <array>
#include <cctype>
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
    if (items == nullptr ||
        (items->type != RefValue::Type::kArray && items->type != RefValue::Type::kNull)) {
      objects.push_back(doc);
      continue;
    }
    std::string list_kind = doc.Str("kind");
    const std::string item_kind = list_kind.size() > 4 && list_kind.ends_with("List")
                                      ? list_kind.substr(0, list_kind.size() - 4)
                                      : "";
    for (RefValue item : items->items) {
      if (item.Get("kind") == nullptr) {
        item.fields.emplace_back("kind", RefValue{RefValue::Type::kString, item_kind, {}, {}});
        if (item.Get("apiVersion") == nullptr) {
          item.fields.emplace_back(
              "apiVersion", RefValue{RefValue::Type::kString, doc.Str("apiVersion"), {}, {}});
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
  if (star_front && star_back)
    return value.find(pattern.substr(1, pattern.size() - 2)) != std::string::npos;
  if (star_back || (pattern.size() == 1 && star_front))
    return value.starts_with(pattern.substr(0, pattern.size() - 1));
  if (star_front) return value.ends_with(pattern.substr(1));
  return pattern == value;
}

struct RefConstraint {
  std::string kind, name, action;
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> kinds;
  std::vector<std::string> namespaces, excluded;
  std::vector<std::string> repos;            // the constraint's list (repos, images, tags)
  std::map<std::string, std::string> words;  // container list field -> message word
  std::vector<std::string> exempt;           // exemptImages
};

bool IsString(const RefValue& v) { return v.type == RefValue::Type::kString; }

// lib.exempt_container: exact entries, `*`-suffixed entries as prefixes.
bool Exempt(const RefConstraint& c, const RefValue& image) {
  if (!IsString(image)) return false;
  for (const auto& e : c.exempt) {
    if (!e.empty() && e.back() == '*' ? image.text.starts_with(e.substr(0, e.size() - 1))
                                      : e == image.text) {
      return true;
    }
  }
  return false;
}

// The messages one container draws from one constraint: each kind's current
// gatekeeper-library Rego read literally, with OPA's rule that a built-in
// given a non-string is undefined (and `not` of that true).
void ContainerMessages(const RefConstraint& c, const std::string& word, const std::string& name,
                       const RefValue& image, const std::string& list, std::set<std::string>* out) {
  const bool s = IsString(image);
  const std::string& img = image.text;
  const std::string head = word + " <" + name + "> ";
  if (c.kind == "K8sAllowedReposv2") {
    bool ok = false;
    for (const auto& e : c.repos) {
      ok = ok || (s && (!e.empty() && e.back() == '*' ? img.starts_with(e.substr(0, e.size() - 1))
                                                      : e == img));
    }
    if (!ok) out->insert(head + "has an invalid image <" + img + ">, allowed images are " + list);
  } else if (c.kind == "K8sDisallowedRepos") {
    bool bad = false;
    for (const auto& r : c.repos) bad = bad || (s && img.starts_with(r));
    if (bad)
      out->insert(head + "has an invalid image repo <" + img + ">, disallowed repos are " + list);
  } else if (c.kind == "K8sDisallowedTags") {
    if (Exempt(c, image)) return;
    bool tagged = false;
    std::vector<std::string> candidates;
    if (s) candidates.push_back(img);
    // strings.any_suffix_match also takes an array of strings (any element).
    if (image.type == RefValue::Type::kArray &&
        std::all_of(image.items.begin(), image.items.end(), IsString)) {
      for (const auto& item : image.items) candidates.push_back(item.text);
    }
    for (const auto& t : c.repos)
      for (const auto& cand : candidates) tagged = tagged || cand.ends_with(":" + t);
    if (tagged)
      out->insert(head + "uses a disallowed tag <" + img + ">; disallowed tags are " + list);
    if (s) {
      const std::string last =
          img.substr(img.rfind('/') == std::string::npos ? 0 : img.rfind('/') + 1);
      if (last.find(':') == std::string::npos)
        out->insert(head + "didn't specify an image tag <" + img + ">");
    }
  } else if (c.kind == "K8sImageDigests") {
    if (Exempt(c, image)) return;
    static const std::regex digest("@[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");
    if (!s || !std::regex_search(img, digest))
      out->insert(head + "uses an image without a digest <" + img + ">");
  } else {
    bool allowed = false;
    for (const auto& r : c.repos) allowed = allowed || (s && img.starts_with(r));
    if (!allowed)
      out->insert(head + "has an invalid image repo <" + img + ">, allowed repos are " + list);
  }
}

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

// An ExpansionTemplate as Gatekeeper's expansion system reads it.
struct RefExpansion {
  std::string name;
  std::vector<std::array<std::vector<std::string>, 3>> apply_to;  // groups, kinds, versions
  std::string source;                                             // "spec.template"
  std::string group, version, kind;                               // generatedGVK
  std::string action;                                             // enforcementAction, may be empty
};

// One review: the object itself, or a resultant its expansion implies.
struct RefReview {
  RefValue object;
  std::string prefix;           // "[Implied by <template>] " for resultants
  std::string action_override;  // the template's enforcementAction
};

std::pair<std::string, std::string> GroupVersion(const std::string& api_version) {
  const size_t slash = api_version.find('/');
  return slash == std::string::npos
             ? std::pair<std::string, std::string>{"", api_version}
             : std::pair{api_version.substr(0, slash), api_version.substr(slash + 1)};
}

RefValue StringValue(const std::string& text) {
  return RefValue{RefValue::Type::kString, text, {}, {}};
}

void SetField(RefValue* object, const std::string& key, RefValue value) {
  object->fields.erase(std::remove_if(object->fields.begin(), object->fields.end(),
                                      [&](const auto& f) { return f.first == key; }),
                       object->fields.end());
  object->fields.emplace_back(key, std::move(value));
}

// pkg/expansion: every template whose applyTo names the object's GVK copies
// the map at its source path, gives it the generated GVK, the parent's
// namespace and the name "<parent>-<kind>" in lower case; resultants are
// expanded in turn.
void Expand(const RefValue& parent, const std::vector<RefExpansion>& templates,
            std::vector<RefReview>* out, int depth = 0) {
  ASSERT_LT(depth, 30);
  const auto [group, version] = GroupVersion(parent.Str("apiVersion"));
  const std::string kind = parent.Str("kind");
  const RefValue* md = parent.Get("metadata");
  for (const RefExpansion& t : templates) {
    for (const auto& [groups, kinds, versions] : t.apply_to) {
      if (!std::count(groups.begin(), groups.end(), group) ||
          !std::count(kinds.begin(), kinds.end(), kind) ||
          !std::count(versions.begin(), versions.end(), version)) {
        continue;
      }
      const RefValue* source = &parent;
      for (size_t b = 0, e; source != nullptr && b <= t.source.size(); b = e + 1) {
        e = std::min(t.source.find('.', b), t.source.size());
        source = source->Get(t.source.substr(b, e - b));
      }
      ASSERT_TRUE(source != nullptr && source->type == RefValue::Type::kObject)
          << "gator fails on " << t.source;
      RefValue resultant = *source;
      SetField(&resultant, "apiVersion",
               StringValue(t.group.empty() ? t.version : t.group + "/" + t.version));
      SetField(&resultant, "kind", StringValue(t.kind));
      RefValue metadata = resultant.Get("metadata") ? *resultant.Get("metadata")
                                                    : RefValue{RefValue::Type::kObject, {}, {}, {}};
      if (md != nullptr && md->Get("namespace") != nullptr)
        SetField(&metadata, "namespace", *md->Get("namespace"));
      std::string name = (md ? md->Str("name") : "") + "-" + t.kind;
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      SetField(&metadata, "name", StringValue(name));
      SetField(&resultant, "metadata", std::move(metadata));
      Expand(resultant, templates, out, depth + 1);
      out->push_back({std::move(resultant), "[Implied by " + t.name + "] ", t.action});
    }
  }
}

std::vector<RefResult> Evaluate(const std::vector<RefValue>& objects,
                                const std::vector<RefConstraint>& constraints,
                                const std::vector<RefExpansion>& expansions = {}) {
  std::vector<RefResult> results;
  for (const RefValue& parent : objects) {
    const RefValue* parent_md = parent.Get("metadata");
    const std::string parent_ns = parent_md ? parent_md->Str("namespace") : "";
    const std::string parent_name = parent_md ? parent_md->Str("name") : "";
    // gator prints every result, the resultants' too, under the object it read.
    const std::string label = parent.Str("apiVersion") + "/" + parent.Str("kind") + " " +
                              (parent_ns.empty() ? parent_name : parent_ns + "/" + parent_name);
    std::vector<RefReview> reviews = {{parent, "", ""}};
    Expand(parent, expansions, &reviews);
    for (const RefReview& review : reviews) {
      const RefValue& obj = review.object;
      const RefValue* md = obj.Get("metadata");
      const std::string ns = md ? md->Str("namespace") : "";
      const std::string kind = obj.Str("kind");
      const std::string group = GroupVersion(obj.Str("apiVersion")).first;
      for (const auto& c : constraints) {
        if (!c.kinds.empty()) {
          bool any = false;
          for (const auto& [groups, kinds] : c.kinds) {
            const bool g = std::count(groups.begin(), groups.end(), "*") ||
                           std::count(groups.begin(), groups.end(), group);
            const bool k = std::count(kinds.begin(), kinds.end(), "*") ||
                           std::count(kinds.begin(), kinds.end(), kind);
            any = any || (g && k);
          }
          if (!any) continue;
        }
        if (!ns.empty() && !c.namespaces.empty() &&
            std::none_of(c.namespaces.begin(), c.namespaces.end(),
                         [&](auto& p) { return Wildcard(p, ns); }))
          continue;
        if (!ns.empty() && std::any_of(c.excluded.begin(), c.excluded.end(),
                                       [&](auto& p) { return Wildcard(p, ns); }))
          continue;
        std::string repos = "[";
        for (size_t i = 0; i < c.repos.size(); ++i) repos += (i ? ", " : "") + Quoted(c.repos[i]);
        repos += "]";
        std::set<std::string> messages;
        const RefValue* spec = obj.Get("spec");
        for (const auto& [field, word] : c.words) {
          const RefValue* list = spec ? spec->Get(field) : nullptr;
          if (list == nullptr) continue;
          const auto& elements =
              list->type == RefValue::Type::kArray ? list->items : std::vector<RefValue>{};
          for (const RefValue& container : elements) {
            const RefValue* cname = container.Get("name");
            const RefValue* image = container.Get("image");
            if (cname == nullptr || image == nullptr) continue;
            ContainerMessages(c, word, cname->text, *image, repos, &messages);
          }
        }
        const std::string action =
            review.action_override.empty() ? c.action : review.action_override;
        for (const auto& m : messages)
          results.push_back({label, c.name, action, review.prefix + m});
      }
    }
  }
  std::stable_sort(results.begin(), results.end(), [](const RefResult& a, const RefResult& b) {
    return a.action != b.action ? a.action < b.action : a.msg < b.msg;
  });
  return results;
}

std::string GatorText(const std::vector<RefResult>& results) {
  std::string out;
  for (const auto& r : results)
    out += r.object + ": [" + Quoted(r.constraint) + "] Message: " + Quoted(r.msg) + "\n";
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
  RefConstraint seed{"K8sAllowedReposSeed",
                     "seed-gcr",
                     "warn",
                     {{{""}, {"Pod"}}},
                     {},
                     {"kube-*"},
                     {"gcr.io", "rancher/", "docker.io"},
                     {{"containers", "container"}, {"initContainers", "container"}},
                     {}};
  const std::map<std::string, std::string> library_words = {
      {"containers", "container"},
      {"initContainers", "initContainer"},
      {"ephemeralContainers", "ephemeralContainer"}};
  RefConstraint lib{"K8sAllowedRepos",
                    "lib-allowed",
                    "deny",
                    {},
                    {},
                    {},
                    {"docker.io/", "registry.k8s.io/", "quay.io/prometheus/"},
                    library_words,
                    {}};
  RefConstraint lib_ns{"K8sAllowedRepos",
                       "lib-default-ns",
                       "dryrun",
                       {},
                       {"default", "*system"},
                       {},
                       {},
                       library_words,
                       {}};
  return {seed, lib, lib_ns};
}

class Corpus : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!CorpusPresent())
      GTEST_SKIP() << "SKIPPED: third-party corpus not found at " << CorpusDir();
    std::string seed = ReadFile(DatasetsDir() / "k8sallowedrepos-template.yaml");
    seed =
        std::regex_replace(seed, std::regex("name: k8sallowedrepos"), "name: k8sallowedreposseed");
    seed =
        std::regex_replace(seed, std::regex("kind: K8sAllowedRepos"), "kind: K8sAllowedReposSeed");
    seed = std::regex_replace(seed, std::regex("package k8sallowedrepos"),
                              "package k8sallowedreposseed");
    policy_args_ = {
        "-p",
        dir_.Write("seed-template.yaml", seed),
        "-p",
        dir_.Write("seed-constraint.yaml", kSeedConstraint),
        "-p",
        (CorpusDir() / "gatekeeper-library/library/general/allowedrepos/template.yaml").string(),
        "-p",
        dir_.Write("lib-constraints.yaml", kLibConstraints)};
  }
  TempDir dir_;
  std::vector<std::string> policy_args_;
};

// Kubernetes refuses an object without kind or apiVersion (gator: "Object
// 'Kind' is missing"), so Gatekeeper never reviews it: gatescan makes each an
// error record. Removes them from the reference's objects; returns how many.
size_t DropUnreviewable(std::vector<RefValue>* objects) {
  const size_t before = objects->size();
  std::erase_if(*objects, [](const RefValue& o) {
    return o.Str("kind").empty() || o.Str("apiVersion").empty();
  });
  return before - objects->size();
}

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
    auto objects = LoadObjects(file);
    const size_t unreviewable = DropUnreviewable(&objects);
    const std::string expected = GatorText(Evaluate(objects, constraints));
    auto args = policy_args_;
    args.insert(args.end(), {"-o", "gator", file.string()});
    const RunResult r = RunGatescan(args);
    EXPECT_EQ(r.out, expected);
    EXPECT_EQ(r.exit_code == 2, unreviewable > 0) << r.err;
    total += static_cast<size_t>(std::count(expected.begin(), expected.end(), '\n'));
    ++files;
  }
  EXPECT_EQ(files, 39u) << "the corpus holds 39 real dumps (SOURCES.md)";
  EXPECT_GT(total, 500u) << "the constraints should flag a good share of the corpus";
}

// Gatekeeper's documented ExpansionTemplates (docs/expansion.md).
const char* kExpandDeployments = R"(apiVersion: expansion.gatekeeper.sh/v1alpha1
kind: ExpansionTemplate
metadata:
  name: expand-deployments
spec:
  applyTo:
    - groups: ["apps"]
      kinds: ["DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"]
      versions: ["v1"]
    - groups: [""]
      kinds: ["ReplicationController"]
      versions: ["v1"]
    - groups: ["batch"]
      kinds: ["Job"]
      versions: ["v1"]
  templateSource: "spec.template"
  generatedGVK:
    kind: "Pod"
    group: ""
    version: "v1"
)";

RefExpansion DocumentedExpandDeployments() {
  return {"expand-deployments",
          {{{{"apps"}, {"DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"}, {"v1"}}},
           {{{""}, {"ReplicationController"}, {"v1"}}},
           {{{"batch"}, {"Job"}, {"v1"}}}},
          "spec.template",
          "",
          "v1",
          "Pod",
          ""};
}

RefExpansion DocumentedExpandCronJobs() {
  return {"expand-cronjobs",
          {{{{"batch"}, {"CronJob"}, {"v1"}}}},
          "spec.jobTemplate",
          "batch",
          "v1",
          "Job",
          ""};
}

// Expansion on every real dump, as `gator test` would print it given the
// same ExpansionTemplates: the documented expand-deployments given with
// --policy, the built-in pair (expand-deployments and expand-cronjobs) when
// none is given, and user-written templates with an enforcementAction and a
// CronJob version the built-ins do not cover (the corpus's CronJob is
// batch/v1beta1), which takes the real CronJob through Job to Pod.
TEST_F(Corpus, ExpansionMatchesTheReferenceOnEveryRealDump) {
  const auto constraints = ReferenceConstraints();
  RefExpansion warn_deployments = DocumentedExpandDeployments();
  warn_deployments.name = "expand-workloads-warn";
  warn_deployments.action = "warn";
  RefExpansion beta_cronjobs = DocumentedExpandCronJobs();
  beta_cronjobs.name = "expand-beta-cronjobs";
  std::get<2>(beta_cronjobs.apply_to[0]) = {"v1beta1", "v1"};
  std::string custom = kExpandDeployments;
  custom = std::regex_replace(custom, std::regex("name: expand-deployments"),
                              "name: expand-workloads-warn");
  custom +=
      "  enforcementAction: warn\n---\napiVersion: expansion.gatekeeper.sh/v1beta1\nkind: "
      "ExpansionTemplate\n"
      "metadata: {name: expand-beta-cronjobs}\nspec:\n  applyTo:\n  - {groups: [batch], kinds: "
      "[CronJob], "
      "versions: [v1beta1, v1]}\n  templateSource: spec.jobTemplate\n"
      "  generatedGVK: {group: batch, version: v1, kind: Job}\n";

  struct Variant {
    std::string name;
    std::vector<std::string> extra_args;
    std::vector<RefExpansion> templates;
  };
  const std::vector<Variant> variants = {
      {"documented template given",
       {"-p", dir_.Write("expand.yaml", kExpandDeployments)},
       {DocumentedExpandDeployments()}},
      {"built-in templates", {}, {DocumentedExpandDeployments(), DocumentedExpandCronJobs()}},
      {"user templates with an action",
       {"-p", dir_.Write("custom.yaml", custom)},
       {warn_deployments, beta_cronjobs}},
  };
  for (const Variant& variant : variants) {
    SCOPED_TRACE(variant.name);
    size_t implied = 0, files = 0, cronjob_pods = 0;
    for (const auto& file : RealworldFiles()) {
      SCOPED_TRACE(file.string());
      auto objects = LoadObjects(file);
      const size_t unreviewable = DropUnreviewable(&objects);
      const std::string expected = GatorText(Evaluate(objects, constraints, variant.templates));
      auto args = policy_args_;
      args.insert(args.end(), variant.extra_args.begin(), variant.extra_args.end());
      args.insert(args.end(), {"--expand", "-o", "gator", file.string()});
      const RunResult r = RunGatescan(args);
      EXPECT_EQ(r.out, expected);
      EXPECT_EQ(r.exit_code == 2, unreviewable > 0) << r.err;
      for (size_t p = expected.find("[Implied by "); p != std::string::npos;
           p = expected.find("[Implied by ", p + 1)) {
        ++implied;
      }
      if (expected.find("/CronJob ") != std::string::npos) ++cronjob_pods;
      ++files;
    }
    EXPECT_EQ(files, 39u);
    // Deployments, DaemonSets, StatefulSets, ReplicaSets and Jobs of the
    // corpus all hold images the constraints flag.
    EXPECT_GT(implied, 40u);
    EXPECT_EQ(cronjob_pods, variant.name == "user templates with an action" ? 1u : 0u);
  }
}

// Every output format tells the same story: on the whole corpus (with
// expansion, so implied violations count too) the audit totals per
// constraint, the audit log's violation_audited lines, the CSV rows and the
// ndjson violation records all equal gator's lines for that constraint.
TEST_F(Corpus, EveryOutputCountsWhatGatorCounts) {
  auto run = [&](const std::string& format) {
    auto args = policy_args_;
    args.insert(args.end(), {"--expand", "-o", format, (CorpusDir() / "realworld").string()});
    RunResult r = RunGatescan(args);
    // Exit 2: the insights-operator archive strips kind and apiVersion, which
    // Kubernetes refuses (DropUnreviewable); its three Pods are error records.
    EXPECT_EQ(r.exit_code, 2) << format << ": " << r.err;
    EXPECT_NE(r.err.find("3 error(s) while scanning"), std::string::npos) << r.err;
    return r.out;
  };
  std::map<std::string, size_t> gator;
  size_t gator_total = 0;
  {
    const std::string out = run("gator");
    const std::regex line(R"re(^[^\n]*?: \["([^"]+)"\] Message: )re");
    for (size_t pos = 0; pos < out.size();) {
      const size_t eol = out.find('\n', pos);
      std::smatch m;
      const std::string text = out.substr(pos, eol - pos);
      ASSERT_TRUE(std::regex_search(text, m, line)) << text;
      ++gator[m[1]];
      ++gator_total;
      pos = eol + 1;
    }
  }
  ASSERT_EQ(gator.size(), 3u);
  ASSERT_GT(gator_total, 500u);

  simdjson::dom::parser parser;
  {
    const std::string out = run("audit");
    simdjson::dom::element root;
    ASSERT_EQ(parser.parse(out).get(root), simdjson::SUCCESS);
    size_t constraints = 0;
    // A named array: a range-for over value() of a temporary result would
    // iterate a destroyed object.
    const simdjson::dom::array items = root["items"].get_array().value();
    for (simdjson::dom::element item : items) {
      const std::string name{std::string_view(item["metadata"]["name"])};
      SCOPED_TRACE(name);
      const auto status = item["status"];
      EXPECT_EQ(uint64_t(status["totalViolations"]), gator[name]);
      const simdjson::dom::array violations = status["violations"].get_array().value();
      EXPECT_EQ(violations.size(), gator[name]) << "unlimited by default";
      using Key = std::array<std::string, 7>;
      std::vector<Key> keys;
      for (simdjson::dom::element v : violations) {
        Key key;
        const char* fields[] = {"group",   "version",          "kind", "namespace", "name",
                                "message", "enforcementAction"};
        for (size_t i = 0; i < key.size(); ++i) {
          std::string_view text;
          if (v[fields[i]].get(text) == simdjson::SUCCESS) key[i] = std::string(text);
        }
        keys.push_back(std::move(key));
      }
      EXPECT_TRUE(std::is_sorted(keys.rbegin(), keys.rend())) << "written largest first";
      ++constraints;
    }
    EXPECT_EQ(constraints, 3u);
  }
  {
    const std::string out = run("audit-log");
    std::map<std::string, size_t> logged;
    size_t started = 0, finished = 0, audited = 0;
    for (size_t pos = 0; pos < out.size();) {
      const size_t eol = out.find('\n', pos);
      simdjson::dom::element line;
      ASSERT_EQ(parser.parse(out.substr(pos, eol - pos)).get(line), simdjson::SUCCESS);
      const std::string_view event(line["event_type"]);
      if (event == "violation_audited")
        ++logged[std::string(std::string_view(line["constraint_name"]))];
      started += event == "audit_started";
      finished += event == "audit_finished";
      audited += event == "constraint_audited";
      pos = eol + 1;
    }
    EXPECT_EQ(logged, gator);
    EXPECT_EQ(started, 1u);
    EXPECT_EQ(finished, 1u);
    EXPECT_EQ(audited, 3u) << "one constraint_audited line per constraint with violations";
  }
  {
    // RFC 4180: a newline inside quotes does not end the record.
    const std::string out = run("csv");
    size_t records = 0;
    bool quoted = false;
    for (char c : out) {
      if (c == '"') quoted = !quoted;
      if (c == '\n' && !quoted) ++records;
    }
    EXPECT_EQ(records, gator_total + 1) << "a header and one row per violation";
  }
  {
    const std::string out = run("ndjson");
    size_t violations = 0;
    for (size_t p = out.find("\"type\":\"violation\""); p != std::string::npos;
         p = out.find("\"type\":\"violation\"", p + 1)) {
      ++violations;
    }
    EXPECT_EQ(violations, gator_total);
  }
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
  EXPECT_EQ(a.exit_code, 2) << a.err;  // the three kind-less insights-operator Pods
  EXPECT_EQ(strip_summary(a.out), strip_summary(b.out));
  EXPECT_EQ(strip_summary(a.out), strip_summary(c.out));
  EXPECT_GT(a.out.size(), 1000u);
}

// All five kinds of the image-policy family at once, with warn and dryrun
// actions, namespaces and exemptions, on every real dump: the library's
// templates as one would deploy them.
const char* kFiveKindConstraints = R"(apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedReposv2
metadata: {name: v2-images}
spec:
  enforcementAction: warn
  match:
    kinds: [{apiGroups: [""], kinds: ["Pod"]}]
  parameters:
    allowedImages: ["docker.io/*", "nginx", "registry.k8s.io/*", "quay.io/prometheus/*"]
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sDisallowedRepos
metadata: {name: deny-repos}
spec:
  enforcementAction: dryrun
  parameters:
    repos: ["gcr.io/", "quay.io/", "docker.io/library/"]
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sDisallowedTags
metadata: {name: no-latest}
spec:
  match:
    excludedNamespaces: ["kube-system"]
  parameters:
    tags: ["latest", "master"]
    exemptImages: ["registry.k8s.io/*", "busybox"]
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sImageDigests
metadata: {name: digests}
spec:
  enforcementAction: warn
  match:
    namespaces: ["default", "*system*", "openshift-*"]
  parameters:
    exemptImages: ["docker.io/library/*"]
)";

TEST_F(Corpus, EveryRealDumpMatchesTheReferenceWithAllFiveKinds) {
  const std::map<std::string, std::string> all = {{"containers", "container"},
                                                  {"initContainers", "container"},
                                                  {"ephemeralContainers", "container"}};
  const std::map<std::string, std::string> words = {{"containers", "container"},
                                                    {"initContainers", "initContainer"},
                                                    {"ephemeralContainers", "ephemeralContainer"}};
  const std::vector<RefConstraint> constraints = {
      {"K8sAllowedReposv2",
       "v2-images",
       "warn",
       {{{""}, {"Pod"}}},
       {},
       {},
       {"docker.io/*", "nginx", "registry.k8s.io/*", "quay.io/prometheus/*"},
       words,
       {}},
      {"K8sDisallowedRepos",
       "deny-repos",
       "dryrun",
       {},
       {},
       {},
       {"gcr.io/", "quay.io/", "docker.io/library/"},
       words,
       {}},
      {"K8sDisallowedTags",
       "no-latest",
       "deny",
       {},
       {},
       {"kube-system"},
       {"latest", "master"},
       all,
       {"registry.k8s.io/*", "busybox"}},
      {"K8sImageDigests",
       "digests",
       "warn",
       {},
       {"default", "*system*", "openshift-*"},
       {},
       {},
       words,
       {"docker.io/library/*"}},
  };
  const fs::path general = CorpusDir() / "gatekeeper-library/library/general";
  std::vector<std::string> args;
  for (const char* folder : {"allowedreposv2", "disallowedrepos", "disallowedtags", "imagedigests"})
    args.insert(args.end(), {"-p", (general / folder / "template.yaml").string()});
  args.insert(args.end(), {"-p", dir_.Write("five.yaml", kFiveKindConstraints), "-o", "gator"});
  size_t total = 0;
  std::set<std::string> kinds_seen;
  for (const auto& file : RealworldFiles()) {
    SCOPED_TRACE(file.string());
    auto objects = LoadObjects(file);
    const size_t unreviewable = DropUnreviewable(&objects);
    const auto results = Evaluate(objects, constraints);
    for (const auto& r : results) kinds_seen.insert(r.constraint);
    const std::string expected = GatorText(results);
    auto file_args = args;
    file_args.push_back(file.string());
    const RunResult r = RunGatescan(file_args);
    EXPECT_EQ(r.out, expected);
    EXPECT_EQ(r.exit_code == 2, unreviewable > 0) << r.err;
    total += results.size();
  }
  EXPECT_GT(total, 400u);
  EXPECT_EQ(kinds_seen.size(), 4u) << "every constraint should flag something in the corpus";
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
      const RunResult r =
          RunGatescan({"-o", "ndjson", "-p", (base / test["template"].as<std::string>()).string(),
                       "-p", (base / test["constraint"].as<std::string>()).string(),
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
        if (std::string_view(doc["type"]) == "violation")
          messages.emplace_back(std::string_view(doc["message"]));
      }
      for (const auto& assertion : c["assertions"]) {
        size_t count = messages.size();
        if (assertion["message"]) {
          const std::regex re(assertion["message"].as<std::string>());
          count = static_cast<size_t>(
              std::count_if(messages.begin(), messages.end(),
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
  const std::string tmpl =
      (CorpusDir() / "gatekeeper-library/library/general/allowedrepos/template.yaml").string();
  TempDir dir;
  size_t n = 0;
  const simdjson::dom::array cases = doc["cases"].get_array().value();
  for (auto c : cases) {
    SCOPED_TRACE(std::string(std::string_view(c["rego_test"])) + " " +
                 std::string(std::string_view(c["field"])));
    std::string constraint =
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sAllowedRepos\nmetadata:\n  name: "
        "t\nspec:\n";
    auto params = c["parameters"];
    if (params.error() == simdjson::SUCCESS &&
        params.type() == simdjson::dom::element_type::OBJECT) {
      constraint += "  parameters: " + simdjson::minify(params.value()) + "\n";
    }
    // The vectors are OPA inputs, not API objects: without apiVersion and kind
    // Kubernetes would refuse them (and gatescan reports an error), so they
    // are scanned as Pods; the constraint matches every kind.
    std::string object = simdjson::minify(c["object"].value());
    object.insert(1, "\"apiVersion\":\"v1\",\"kind\":\"Pod\",");
    const RunResult r = RunGatescan({"-o", "ndjson", "-p", tmpl, "-p",
                                     dir.Write("c.yaml", constraint), dir.Write("o.json", object)});
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
