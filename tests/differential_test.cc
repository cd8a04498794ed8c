// Randomized differential test of whole scans (issue 13): random Lists,
// NDJSON and concatenated values — random key order and whitespace, escaped
// keys and values, non-ASCII text, decoys (containers inside strings, under
// status, under `items` of a non-List kind), duplicate keys, non-string label
// values, duplicate object names, generateName, expansion paths absent, null
// or not objects — are scanned by the binary with --expand, and its ndjson
// findings and error count compared with a reference written here from
// Gatekeeper's rules. The reference never parses JSON: it works on the
// generator's own model of each object, so it shares nothing with the code
// under test. Fixed seed, bounded count.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "cli_support.h"

namespace gatescan {
namespace {

using testing::RunGatescan;
using testing::TempDir;

// The policy: three constraints, and templates for Deployments, CronJobs
// (through their Job), Jobs and a custom resource's spec.podTemplate.
const char* kPolicy = R"(apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedRepos
metadata: {name: all}
spec:
  parameters: {repos: ["docker.io/"]}
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedRepos
metadata: {name: web}
spec:
  match: {labelSelector: {matchLabels: {app: web}}}
  parameters: {repos: ["docker.io/"]}
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedRepos
metadata: {name: gen}
spec:
  match: {name: "gen-*"}
  parameters: {repos: ["docker.io/"]}
---
apiVersion: expansion.gatekeeper.sh/v1beta1
kind: ExpansionTemplate
metadata: {name: pods}
spec:
  applyTo:
  - {groups: [apps], kinds: [Deployment], versions: [v1]}
  - {groups: [batch], kinds: [Job], versions: [v1]}
  templateSource: spec.template
  generatedGVK: {group: "", version: v1, kind: Pod}
---
apiVersion: expansion.gatekeeper.sh/v1beta1
kind: ExpansionTemplate
metadata: {name: jobs}
spec:
  applyTo: [{groups: [batch], kinds: [CronJob], versions: [v1]}]
  templateSource: spec.jobTemplate
  generatedGVK: {group: batch, version: v1, kind: Job}
---
apiVersion: expansion.gatekeeper.sh/v1beta1
kind: ExpansionTemplate
metadata: {name: runners}
spec:
  applyTo: [{groups: [x.io], kinds: [Runner], versions: [v1]}]
  templateSource: spec.podTemplate
  generatedGVK: {group: "", version: v1, kind: Pod}
)";

class Gen {
 public:
  explicit Gen(uint32_t seed) : rng_(seed) {}
  uint32_t Pick(uint32_t n) { return rng_() % n; }
  bool OneIn(uint32_t n) { return rng_() % n == 0; }
  template <typename T>
  void Shuffle(std::vector<T>* v) {
    std::shuffle(v->begin(), v->end(), rng_);
  }

  // A JSON string literal for the (UTF-8) text `s`, with random escapes.
  std::string Str(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c == '/' && OneIn(3)) {
        out += "\\/";
      } else if (c < 0x80 && std::isalpha(c) && OneIn(8)) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
    return out + "\"";
  }

  std::string Blank() {
    static const char* kBlanks[] = {"", "", " ", "\n  ", "\t"};
    return kBlanks[Pick(5)];
  }

  // An object from members ("key": value texts), in random order.
  std::string Object(std::vector<std::string> members) {
    Shuffle(&members);
    std::string out = "{" + Blank();
    for (size_t i = 0; i < members.size(); ++i) {
      out += (i ? "," + Blank() : "") + members[i];
    }
    return out + Blank() + "}";
  }

  std::string Member(const std::string& key, const std::string& value) {
    return Str(key) + Blank() + ":" + Blank() + value;
  }

 private:
  std::mt19937 rng_;
};

struct Container {
  std::string name;
  std::string image;
  bool numeric = false;  // the image is the number 12
};

// Labels as written: each value a string, or nullopt for a non-string one.
using RawLabels = std::vector<std::pair<std::string, std::optional<std::string>>>;

// Gatekeeper's unstructured GetLabels: the last value of a key wins; any
// non-string left means no labels at all.
std::map<std::string, std::string> EffectiveLabels(const RawLabels& raw) {
  std::map<std::string, std::optional<std::string>> last;
  for (const auto& [k, v] : raw) last[k] = v;
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : last) {
    if (!v) return {};
    out[k] = *v;
  }
  return out;
}

// A pod template (or the object at an expansion path).
struct Body {
  enum Shape { kObject, kAbsent, kNull, kString } shape = kObject;
  std::string generate_name;
  RawLabels labels;
  std::vector<Container> containers;
  std::optional<Body*> inner;  // a CronJob's job template: its spec.template
};

struct Model {
  bool kind_ok = true;         // kind present and a string
  bool api_version_ok = true;  // apiVersion present, a string, and parses with a version
  std::string kind, group, version, name, ns, generate_name;
  RawLabels labels;
  std::vector<Container> containers;
  // The object at the kind's template path, and for a CronJob its Job's.
  bool has_template = false;
  Body body, job_pod;
};

const char* kNames[] = {"web", "gen-a", "Web-1", "db", "gen-", "caf\xc3\xa9"};
const char* kImages[] = {"docker.io/nginx",     "quay.io/x",  "docker.io.evil.io/y",
                         "gcr.io/\xe6\x97\xa5", "docker.io/", "nginx"};
const char* kLabelKeys[] = {"app", "tier", "app", "a/b"};
const char* kLabelValues[] = {"web", "db", "Web", ""};

RawLabels RandomLabels(Gen& g) {
  RawLabels out;
  for (uint32_t i = 0, n = g.Pick(4); i < n; ++i) {
    std::optional<std::string> v;
    if (!g.OneIn(6)) v = kLabelValues[g.Pick(4)];
    out.emplace_back(kLabelKeys[g.Pick(4)], v);
  }
  return out;
}

std::string LabelsJson(Gen& g, const RawLabels& labels) {
  static const char* kNonStrings[] = {"null", "1", "true", "{}", "[\"web\"]"};
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    out += (i ? "," : "") + g.Member(labels[i].first, labels[i].second ? g.Str(*labels[i].second)
                                                                       : kNonStrings[g.Pick(5)]);
  }
  return out + "}";  // keys keep their order: duplicates must stay in it
}

std::vector<Container> RandomContainers(Gen& g) {
  std::vector<Container> out;
  for (uint32_t i = 0, n = g.Pick(3); i < n; ++i) {
    Container c{g.OneIn(2) ? "c" : "c" + std::to_string(i), kImages[g.Pick(6)], g.OneIn(12)};
    out.push_back(c);
  }
  return out;
}

std::string ContainersJson(Gen& g, const std::vector<Container>& containers) {
  std::string out = "[";
  for (size_t i = 0; i < containers.size(); ++i) {
    const Container& c = containers[i];
    std::vector<std::string> members = {g.Member("name", g.Str(c.name)),
                                        g.Member("image", c.numeric ? "12" : g.Str(c.image))};
    if (g.OneIn(3)) members.push_back(g.Member("imagePullPolicy", g.Str("Always")));
    out += (i ? "," : "") + g.Object(members);
  }
  return out + "]";
}

// A decoy: what would be a container if strings were read as JSON.
std::string Decoy(Gen& g) {
  return g.Str(R"({"spec":{"containers":[{"name":"decoy","image":"evil.io/decoy"}]}})");
}

// The spec members of a pod spec (containers, and decoys beside them).
std::vector<std::string> PodSpecMembers(Gen& g, const std::vector<Container>& containers) {
  std::vector<std::string> members;
  if (!containers.empty() || g.OneIn(2)) {
    members.push_back(g.Member("containers", ContainersJson(g, containers)));
  }
  if (g.OneIn(4))
    members.push_back(g.Member("containersx", ContainersJson(g, {{"d", "evil.io/d"}})));
  if (g.OneIn(4)) members.push_back(g.Member("note", Decoy(g)));
  return members;
}

std::string BodyJson(Gen& g, const Body& b, const std::vector<std::string>& extra_spec = {}) {
  switch (b.shape) {
    case Body::kNull:
      return "null";
    case Body::kString:
      return g.Str("template");
    default:
      break;
  }
  std::vector<std::string> meta;
  if (!b.labels.empty() || g.OneIn(2)) meta.push_back(g.Member("labels", LabelsJson(g, b.labels)));
  if (!b.generate_name.empty()) meta.push_back(g.Member("generateName", g.Str(b.generate_name)));
  std::vector<std::string> spec = PodSpecMembers(g, b.containers);
  spec.insert(spec.end(), extra_spec.begin(), extra_spec.end());
  std::vector<std::string> members = {g.Member("spec", g.Object(spec))};
  if (!meta.empty()) members.push_back(g.Member("metadata", g.Object(meta)));
  return g.Object(members);
}

Body RandomBody(Gen& g) {
  Body b;
  const uint32_t shape = g.Pick(14);
  b.shape = shape == 0   ? Body::kAbsent
            : shape == 1 ? Body::kNull
            : shape == 2 ? Body::kString
                         : Body::kObject;
  if (g.OneIn(3)) b.generate_name = g.OneIn(2) ? "gen-x" : "other-";
  b.labels = RandomLabels(g);
  b.containers = RandomContainers(g);
  return b;
}

// One random object: its JSON and its model.
std::string RandomObject(Gen& g, Model* m) {
  static const struct {
    const char* api_version;
    const char* kind;
  } kKinds[] = {{"v1", "Pod"},         {"apps/v1", "Deployment"}, {"batch/v1", "CronJob"},
                {"x.io/v1", "Runner"}, {"v1", "ConfigMap"},       {"batch/v1", "Job"},
                {"apps/v1/x", "Pod"},  {"apps/", "Deployment"},   {"x.io/v2", "Runner"}};
  const auto& k = kKinds[g.Pick(9)];
  m->kind = k.kind;
  const std::string api = k.api_version;
  const size_t slash = api.find('/');
  m->group = slash == std::string::npos ? "" : api.substr(0, slash);
  m->version = slash == std::string::npos ? api : api.substr(slash + 1);
  m->api_version_ok = std::count(api.begin(), api.end(), '/') <= 1 && !m->version.empty();
  m->name = kNames[g.Pick(6)];
  m->ns = g.OneIn(5) ? "" : "team-" + std::to_string(g.Pick(2));
  if (g.OneIn(3)) m->generate_name = g.OneIn(2) ? "gen-" : "x-";
  m->labels = RandomLabels(g);
  m->containers = RandomContainers(g);

  std::vector<std::string> top;
  if (g.OneIn(25)) {
    m->kind_ok = false;  // no kind, or not a string
    if (g.OneIn(2)) top.push_back(g.Member("kind", "5"));
  } else {
    top.push_back(g.Member("kind", g.Str(m->kind)));
  }
  top.push_back(g.Member("apiVersion", g.Str(api)));
  std::vector<std::string> meta = {g.Member("name", g.Str(m->name)),
                                   g.Member("labels", LabelsJson(g, m->labels))};
  if (!m->ns.empty()) meta.push_back(g.Member("namespace", g.Str(m->ns)));
  if (!m->generate_name.empty()) meta.push_back(g.Member("generateName", g.Str(m->generate_name)));
  if (g.OneIn(3)) {
    meta.push_back(g.Member("annotations", g.Object({g.Member("last-applied", Decoy(g))})));
  }
  top.push_back(g.Member("metadata", g.Object(meta)));

  std::vector<std::string> spec = PodSpecMembers(g, m->containers);
  const std::string path_key = m->kind == "CronJob"  ? "jobTemplate"
                               : m->kind == "Runner" ? "podTemplate"
                                                     : "template";
  const bool workload = m->kind != "Pod" && m->kind != "ConfigMap";
  if (workload || g.OneIn(4)) {
    m->has_template = true;
    m->body = RandomBody(g);
    std::vector<std::string> extra;
    if (m->kind == "CronJob") {
      m->job_pod = RandomBody(g);
      if (m->job_pod.shape != Body::kAbsent) {
        extra.push_back(g.Member("template", BodyJson(g, m->job_pod)));
      }
    }
    if (m->body.shape != Body::kAbsent)
      spec.push_back(g.Member(path_key, BodyJson(g, m->body, extra)));
    // A decoy template under another key.
    if (g.OneIn(4)) spec.push_back(g.Member(path_key + "s", BodyJson(g, RandomBody(g))));
  }
  top.push_back(g.Member("spec", g.Object(spec)));
  if (g.OneIn(4)) {
    top.push_back(g.Member(
        "status",
        g.Object({g.Member("containerStatuses", ContainersJson(g, {{"s", "evil.io/s"}}))})));
  }
  // `items` on a kind that is not a List: reviewed as itself, items ignored.
  if (g.OneIn(5)) {
    top.push_back(g.Member(
        "items",
        "[" +
            g.Object({g.Member("kind", g.Str("Pod")), g.Member("apiVersion", g.Str("v1")),
                      g.Member("spec", g.Object(PodSpecMembers(g, {{"i", "evil.io/i"}})))}) +
            "]"));
  }
  std::string json = g.Object(top);
  // An earlier duplicate of spec or metadata: the last one wins.
  if (g.OneIn(6)) {
    json.insert(1, g.Member("spec", g.Object(PodSpecMembers(g, {{"old", "evil.io/old"}}))) + ",");
  }
  if (g.OneIn(6))
    json.insert(1, g.Member("metadata", g.Object({g.Member("name", g.Str("old"))})) + ",");
  return json;
}

// ---------------------------------------------------------------------------
// The reference.

struct Expected {
  std::vector<std::string> findings;  // "ns/name|constraint|message", sorted
  size_t errors = 0;
};

std::string Message(const std::string& implied_by, const Container& c) {
  return (implied_by.empty() ? "" : "[Implied by " + implied_by + "] ") + "container <" + c.name +
         "> has an invalid image repo <" + (c.numeric ? "12" : c.image) +
         ">, allowed repos are [\"docker.io/\"]";
}

bool Violates(const Container& c) { return c.numeric || c.image.rfind("docker.io/", 0) != 0; }

// One review: every constraint that matches, every violating container, each
// message once per constraint (Rego's set).
void Review(const std::string& where, const std::string& name, const std::string& generate_name,
            const RawLabels& labels, const std::vector<Container>& containers,
            const std::string& implied_by, std::vector<std::string>* out) {
  const auto effective = EffectiveLabels(labels);
  const auto app = effective.find("app");
  const bool gen = name.rfind("gen-", 0) == 0 || generate_name.rfind("gen-", 0) == 0;
  std::vector<std::string> found;
  for (const char* constraint : {"all", "web", "gen"}) {
    const std::string cname = constraint;
    if (cname == "web" && (app == effective.end() || app->second != "web")) continue;
    if (cname == "gen" && !gen) continue;
    for (const Container& c : containers) {
      if (Violates(c)) found.push_back(where + "|" + cname + "|" + Message(implied_by, c));
    }
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  out->insert(out->end(), found.begin(), found.end());
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void Reference(const Model& m, Expected* out) {
  if (!m.kind_ok || !m.api_version_ok) {
    ++out->errors;
    return;
  }
  const std::string where = m.ns + "/" + m.name;
  std::vector<std::string> findings;
  Review(where, m.name, m.generate_name, m.labels, m.containers, "", &findings);
  // Which template applies to the object (applyTo: group, version, kind).
  const std::string gvk = m.group + "/" + m.version + "/" + m.kind;
  const bool pods = gvk == "apps/v1/Deployment" || gvk == "batch/v1/Job";
  const bool jobs = gvk == "batch/v1/CronJob";
  const bool runners = gvk == "x.io/v1/Runner";
  if (pods || jobs || runners) {
    // An absent or non-object source: Gatekeeper cannot expand; nothing of the object.
    if (!m.has_template || m.body.shape != Body::kObject) {
      ++out->errors;
      return;
    }
    const std::string child = Lower(m.name + (jobs ? "-Job" : "-Pod"));
    Review(where, child, m.body.generate_name, m.body.labels, m.body.containers,
           jobs      ? "jobs"
           : runners ? "runners"
                     : "pods",
           &findings);
    if (jobs) {
      if (m.job_pod.shape != Body::kObject) {
        ++out->errors;
        return;
      }
      Review(where, Lower(child + "-Pod"), m.job_pod.generate_name, m.job_pod.labels,
             m.job_pod.containers, "pods", &findings);
    }
  }
  out->findings.insert(out->findings.end(), findings.begin(), findings.end());
}

// ---------------------------------------------------------------------------

std::vector<std::string> Findings(const std::string& ndjson, size_t* errors) {
  simdjson::dom::parser parser;
  std::vector<std::string> out;
  *errors = 0;
  for (size_t pos = 0; pos < ndjson.size();) {
    size_t eol = ndjson.find('\n', pos);
    if (eol == std::string::npos) eol = ndjson.size();
    const std::string line = ndjson.substr(pos, eol - pos);
    pos = eol + 1;
    simdjson::dom::element e;
    EXPECT_EQ(parser.parse(line).get(e), simdjson::SUCCESS) << line;
    std::string_view type;
    if (e["type"].get_string().get(type) != simdjson::SUCCESS) continue;
    if (type == "error") ++*errors;
    if (type != "violation") continue;
    auto field = [&](const char* key) {
      std::string_view v;
      EXPECT_EQ(e[key].get_string().get(v), simdjson::SUCCESS) << key << " in " << line;
      return std::string(v);
    };
    out.push_back(field("namespace") + "/" + field("name") + "|" + field("constraint") + "|" +
                  field("message"));
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(DifferentialTest, RandomScansAgreeWithTheReference) {
  Gen g(20261202);
  TempDir dir;
  const std::string policy = dir.Write("policy.yaml", kPolicy);
  size_t total_findings = 0, implied = 0, total_errors = 0;
  for (int round = 0; round < 60; ++round) {
    Expected expected;
    std::vector<std::string> objects;
    for (uint32_t i = 0, n = 1 + g.Pick(8); i < n; ++i) {
      Model m;
      objects.push_back(RandomObject(g, &m));
      Reference(m, &expected);
    }
    std::sort(expected.findings.begin(), expected.findings.end());
    total_findings += expected.findings.size();
    total_errors += expected.errors;
    for (const std::string& f : expected.findings) implied += f.find("[Implied by") != f.npos;
    std::string input;
    switch (g.Pick(3)) {
      case 0: {  // a List, kind before or after its items
        std::string items = "[";
        for (size_t i = 0; i < objects.size(); ++i) items += (i ? ",\n" : "") + objects[i];
        items += "]";
        // The List's own keys are written plainly (escaped ones are the framer's tests).
        input = g.Object({R"("kind": "List")", R"("apiVersion": "v1")", R"("items": )" + items,
                          R"("metadata": {"resourceVersion": ""})"});
        break;
      }
      case 1:  // NDJSON
        for (const std::string& o : objects) {
          std::string line = o;
          std::replace(line.begin(), line.end(), '\n', ' ');
          input += line + "\n";
        }
        break;
      default:  // concatenated values
        for (const std::string& o : objects) input += o + g.Blank();
        break;
    }
    const std::string file = dir.Write("in" + std::to_string(round) + ".json", input);
    const testing::RunResult r =
        RunGatescan({"-o", "ndjson", "--expand", "-j", "2", "-p", policy, file});
    size_t errors = 0;
    const std::vector<std::string> found = Findings(r.out, &errors);
    ASSERT_EQ(found, expected.findings) << "round " << round << ":\n" << input << "\n" << r.err;
    ASSERT_EQ(errors, expected.errors) << "round " << round << ":\n" << input << "\n" << r.err;
    const int exit_code = expected.errors > 0 ? 2 : expected.findings.empty() ? 0 : 1;
    ASSERT_EQ(r.exit_code, exit_code) << "round " << round << ":\n" << input << "\n" << r.err;
  }
  // The generator reaches every kind of outcome.
  EXPECT_GT(total_findings, 100u);
  EXPECT_GT(implied, 30u);
  EXPECT_GT(total_errors, 20u);
}

}  // namespace
}  // namespace gatescan
