// Expansion as Gatekeeper's pkg/expansion does it (issue 13): any dotted
// templateSource is read (unstructured.NestedMap on strings.Split(source,
// ".")), every template whose applyTo matches expands the object from its own
// path, resultants are expanded again from their own content, a resultant's
// labels and generateName are its template's own, and a source that is absent
// or not an object stops the expansion with an error (the audit skips the
// object, gator stops). Extractor, evaluator and the binary end to end; the
// apiVersion that Gatekeeper cannot parse is here too, since it is what the
// expansion's GVK comes from.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "cli_support.h"
#include "gatescan/common/padding.h"
#include "gatescan/evaluate/evaluate.h"
#include "gatescan/extract/extract.h"

namespace gatescan {
namespace {

using testing::RunGatescan;
using testing::TempDir;

// ---------------------------------------------------------------------------
// The extractor: what each path holds.

ExtractedBatch ExtractOne(const std::string& json, std::vector<std::string> paths) {
  std::string padded = json;
  padded.append(kParsePadding, '\0');
  Extractor extractor(ExtractOptions{.pod_templates = true, .template_paths = std::move(paths)});
  ExtractedBatch batch;
  extractor.Extract(std::string_view(padded.data(), json.size()), &batch);
  return batch;
}

// One line per template record: "path: object gen=G k=v c@image" or
// "path: blocked <first byte of the value> at <segments>".
std::string Describe(const ExtractedBatch& b) {
  const ObjectRecord& r = b.objects.at(0);
  if (!r.error.empty()) return "error " + std::string(r.error);
  std::string out;
  for (uint32_t i = r.templates.begin; i < r.templates.end; ++i) {
    const TemplateRecord& t = b.templates[i];
    out += std::string(t.path) + ":";
    if (t.state == TemplateState::kNotObject) {
      out += " blocked " + std::string(1, static_cast<char>(t.value_type)) + " at " +
             std::to_string(t.error_segments);
    } else {
      out += " object";
      if (!t.generate_name.empty()) out += " gen=" + std::string(t.generate_name);
      for (uint32_t l = t.labels.begin; l < t.labels.end; ++l) {
        out += " " + std::string(b.labels[l].key) + "=" + std::string(b.labels[l].value);
      }
      for (uint32_t c = t.containers.begin; c < t.containers.end; ++c) {
        out += " " + std::string(b.containers[c].name) + "@" + std::string(b.containers[c].image);
      }
    }
    out += "\n";
  }
  return out;
}

std::string Containers(const ExtractedBatch& b, IndexRange range) {
  std::string out;
  for (uint32_t c = range.begin; c < range.end; ++c) {
    out += std::string(b.containers[c].name) + "@" + std::string(b.containers[c].image) + " ";
  }
  return out;
}

TEST(ExpansionExtractTest, AnyDottedPathIsRead) {
  const std::string runner = R"({"apiVersion":"x.io/v1","kind":"Runner","metadata":{"name":"r"},
    "spec":{"podTemplate":{"metadata":{"generateName":"g-","labels":{"a":"b"}},
      "spec":{"containers":[{"name":"c","image":"i"}]}}}})";
  EXPECT_EQ(Describe(ExtractOne(runner, {"spec.podTemplate"})),
            "spec.podTemplate: object gen=g- a=b c@i\n");
  // The built-in paths do not see it.
  EXPECT_EQ(Describe(ExtractOne(runner, {})), "");
  // A path from the root, not under spec.
  EXPECT_EQ(Describe(ExtractOne(R"({"tpl":{"spec":{"containers":[{"name":"c","image":"i"}]}}})",
                                {"tpl"})),
            "tpl: object c@i\n");
  // Keys are matched decoded, and a key may hold anything but a dot.
  EXPECT_EQ(Describe(ExtractOne(R"({"spec":{"p\u006fd":{},"a-b":{}}})", {"spec.pod", "spec.a-b"})),
            "spec.pod: object\nspec.a-b: object\n");
}

TEST(ExpansionExtractTest, EveryPathOfAnObjectCarryingBothTemplates) {
  const std::string both = R"({"kind":"X","spec":{
    "template":{"metadata":{"labels":{"t":"1"}},"spec":{"containers":[{"name":"a","image":"ia"}]}},
    "jobTemplate":{"metadata":{"labels":{"j":"1"}},"spec":{
      "containers":[{"name":"jc","image":"ij"}],
      "template":{"metadata":{"labels":{"p":"1"}},"spec":{"initContainers":[{"name":"b","image":"ib"}]}}}}}})";
  const ExtractedBatch b = ExtractOne(both, {});
  EXPECT_EQ(Describe(b),
            "spec.template: object t=1 a@ia\n"
            "spec.jobTemplate: object j=1 jc@ij\n"
            "spec.jobTemplate.spec.template: object p=1 b@ib\n");
  // The shorthands: every template container, the CronJob shape's labels.
  const ObjectRecord& r = b.objects[0];
  EXPECT_EQ(r.template_path, PodTemplatePath::kJobTemplate);
  EXPECT_EQ(Containers(b, r.template_containers), "a@ia jc@ij b@ib ");
  EXPECT_EQ(r.job_template_labels.size(), 1u);
  ASSERT_EQ(r.template_labels.size(), 1u);
  EXPECT_EQ(b.labels[r.template_labels.begin].key, "p");
}

// apimachinery's NestedFieldNoCopy / nestedMapNoCopy: a missing key or null
// on the way is "not found"; a non-object on the way is an error naming the
// key it could not look up; at the end, anything but an object (null too) is
// an error naming the path.
TEST(ExpansionExtractTest, AbsentAndBlockedAsNestedMapTellsThem) {
  const std::vector<std::string> paths = {"spec.template", "spec.jobTemplate.spec.template"};
  const struct {
    const char* json;
    const char* want;
  } cases[] = {
      {R"({"spec":{}})", ""},
      {R"({"kind":"Pod"})", ""},
      {R"({"spec":null})", ""},
      {R"({"spec":{"jobTemplate":null}})", ""},
      {R"({"spec":{"jobTemplate":{"spec":null}}})", ""},
      {R"({"spec":{"template":"x"}})", "spec.template: blocked \" at 2\n"},
      {R"({"spec":{"template":null}})", "spec.template: blocked n at 2\n"},
      {R"({"spec":{"template":[{}]}})", "spec.template: blocked [ at 2\n"},
      {R"({"spec":{"template":-1}})", "spec.template: blocked - at 2\n"},
      {R"({"spec":5})",
       "spec.template: blocked 5 at 2\nspec.jobTemplate.spec.template: blocked 5 at 2\n"},
      {R"({"spec":"s"})",
       "spec.template: blocked \" at 2\nspec.jobTemplate.spec.template: blocked \" at 2\n"},
      {R"({"spec":{"jobTemplate":true}})", "spec.jobTemplate.spec.template: blocked t at 3\n"},
      {R"({"spec":{"jobTemplate":{"spec":[]}}})",
       "spec.jobTemplate.spec.template: blocked [ at 4\n"},
      {R"({"spec":{"jobTemplate":{"spec":{"template":false}}}})",
       "spec.jobTemplate.spec.template: blocked f at 4\n"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Describe(ExtractOne(c.json, paths)), c.want) << c.json;
  }
}

// Go's decoder keeps a duplicate key's last value, whole sub-objects too.
TEST(ExpansionExtractTest, ADuplicateKeysLastValueDecides) {
  const std::vector<std::string> paths = {"spec.template"};
  const std::string pod = R"({"spec":{"containers":[{"name":"c","image":"i"}]}})";
  EXPECT_EQ(
      Describe(ExtractOne(R"({"spec":{"template":)" + pod + R"(},"spec":{"replicas":1}})", paths)),
      "");
  EXPECT_EQ(Describe(ExtractOne(R"({"spec":{"template":"x","template":)" + pod + "}}", paths)),
            "spec.template: object c@i\n");
  EXPECT_EQ(Describe(ExtractOne(R"({"spec":{"template":)" + pod + R"(,"template":"x"}})", paths)),
            "spec.template: blocked \" at 2\n");
  EXPECT_EQ(Describe(ExtractOne(R"({"spec":{"template":)" + pod + R"(},"spec":7})", paths)),
            "spec.template: blocked 7 at 2\n");
  EXPECT_EQ(Describe(ExtractOne(
                R"({"spec":{"template":{"metadata":{"labels":{"a":"1"}},"metadata":{}}}})", paths)),
            "spec.template: object\n");
}

// A path may end at, or run through, what is also read for itself (the
// object's metadata, its spec, a container list): both readings hold.
TEST(ExpansionExtractTest, PathsThroughMetadataAndSpecKeepTheObjectsOwnFields) {
  const ExtractedBatch b = ExtractOne(
      R"({"metadata":{"name":"n","labels":{"k":"v"},"x":{"spec":{"containers":[{"name":"m","image":"im"}]}}},
          "spec":{"containers":[{"name":"c","image":"ic"}],
                  "spec":{"containers":[{"name":"d","image":"id"}]}}})",
      {"metadata.x", "spec", "spec.containers"});
  EXPECT_EQ(Describe(b),
            "metadata.x: object m@im\n"
            "spec: object d@id\n"
            "spec.containers: blocked [ at 2\n");
  const ObjectRecord& r = b.objects[0];
  EXPECT_EQ(r.name, "n");
  EXPECT_EQ(r.labels.size(), 1u);
  EXPECT_EQ(Containers(b, r.containers), "c@ic ");
  // Without pod templates nothing of this is read.
  std::string padded = R"({"spec":{"template":{}}})";
  const size_t size = padded.size();
  padded.append(kParsePadding, '\0');
  Extractor plain;
  ExtractedBatch p;
  plain.Extract(std::string_view(padded.data(), size), &p);
  EXPECT_TRUE(p.objects[0].templates.empty());
  EXPECT_EQ(p.objects[0].template_path, PodTemplatePath::kNone);
}

// ---------------------------------------------------------------------------
// The evaluator.

class ExpansionTest : public ::testing::Test {
 protected:
  Policy Load(const std::string& yaml) {
    Policy policy;
    const Status status =
        LoadPolicy({{dir_.Write("p" + std::to_string(files_++) + ".yaml", yaml)}, {}}, &policy);
    EXPECT_TRUE(status.ok()) << status.message();
    return policy;
  }

  // The violations of the one object `json`, as "<constraint> <message>" lines.
  std::vector<std::string> Run(const Policy& policy, const std::string& json, bool expand = true) {
    EvaluateOptions options;
    options.expand = expand;
    evaluator_ = std::make_unique<Evaluator>(policy, options);
    std::string padded = json;
    padded.append(kParsePadding, '\0');
    Extractor extractor(
        ExtractOptions{.pod_templates = expand, .template_paths = evaluator_->expansion_paths()});
    batch_ = ExtractedBatch{};
    extractor.Extract(std::string_view(padded.data(), json.size()), &batch_);
    EXPECT_EQ(batch_.objects.at(0).error, "");
    violations_.clear();
    const size_t n =
        evaluator_->Evaluate(batch_.objects[0], batch_, &violations_, &batch_.arena, &error_);
    EXPECT_EQ(n, violations_.size());
    std::vector<std::string> lines;
    for (const Violation& v : violations_) {
      lines.push_back(policy.constraints[v.constraint].name + " " + std::string(v.message));
    }
    return lines;
  }

  TempDir dir_;
  int files_ = 0;
  ExtractedBatch batch_;
  std::unique_ptr<Evaluator> evaluator_;
  std::vector<Violation> violations_;
  std::string_view error_;
};

std::string Constraint(const std::string& name, const std::string& match) {
  return "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sAllowedRepos\nmetadata: {name: " +
         name + "}\nspec:\n  match: {" + match +
         "}\n  parameters: {repos: [\"docker.io/\"]}\n---\n";
}

std::string Template(const std::string& name, const std::string& apply_to,
                     const std::string& source, const std::string& generated) {
  return "apiVersion: expansion.gatekeeper.sh/v1beta1\nkind: ExpansionTemplate\nmetadata: {name: " +
         name + "}\nspec:\n  applyTo: [" + apply_to + "]\n  templateSource: \"" + source +
         "\"\n  generatedGVK: {" + generated + "}\n---\n";
}

std::string Msg(const std::string& container, const std::string& image,
                const std::string& list = "container") {
  return list + " <" + container + "> has an invalid image repo <" + image +
         ">, allowed repos are [\"docker.io/\"]";
}

const std::string kPod = "group: \"\", version: v1, kind: Pod";
const std::string kJob = "group: batch, version: v1, kind: Job";

TEST_F(ExpansionTest, ACustomResourcesPodTemplate) {
  const Policy policy =
      Load(Constraint("pods", "kinds: [{apiGroups: [\"\"], kinds: [Pod]}], name: runner-pod") +
           Constraint("gen", "name: \"gen-*\"") +
           Constraint("labels", "labelSelector: {matchLabels: {a: b}}") +
           Template("runners", "{groups: [x.io], kinds: [Runner], versions: [v1]}",
                    "spec.podTemplate", kPod));
  const std::string runner = R"({"apiVersion":"x.io/v1","kind":"Runner",
    "metadata":{"name":"Runner","namespace":"ci","labels":{"parent":"yes"}},
    "spec":{"podTemplate":{"metadata":{"generateName":"gen-","labels":{"a":"b"}},
      "spec":{"containers":[{"name":"c","image":"quay.io/x"}]}}}})";
  // Named "<parent>-pod" in lower case; generateName and labels are the template's.
  EXPECT_EQ(Run(policy, runner), (std::vector<std::string>{
                                     "pods [Implied by runners] " + Msg("c", "quay.io/x"),
                                     "gen [Implied by runners] " + Msg("c", "quay.io/x"),
                                     "labels [Implied by runners] " + Msg("c", "quay.io/x"),
                                 }));
  EXPECT_EQ(error_, "");
  // Another version is not expanded (applyTo's versions are exact).
  std::string v2 = runner;
  v2.replace(v2.find("x.io/v1"), 7, "x.io/v2");
  EXPECT_EQ(Run(policy, v2), std::vector<std::string>{});
  EXPECT_EQ(error_, "");
}

TEST_F(ExpansionTest, ACronJobStraightToItsPod) {
  const Policy policy =
      Load(Constraint("c", "name: nightly-pod") +
           Template("cron-pods", "{groups: [batch], kinds: [CronJob], versions: [v1]}",
                    "spec.jobTemplate.spec.template", kPod));
  const std::string cron =
      R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"nightly"},
    "spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"gcr.io/y"}]}}}}}})";
  EXPECT_EQ(Run(policy, cron),
            std::vector<std::string>{"c [Implied by cron-pods] " + Msg("c", "gcr.io/y")});
}

// Each template whose applyTo matches expands the object from its own path;
// each resultant is expanded again from its own content.
TEST_F(ExpansionTest, AnObjectCarryingBothIsExpandedByEveryMatchingTemplate) {
  const Policy policy = Load(Constraint("pod", "name: w-pod") + Constraint("job", "name: w-job") +
                             Constraint("job-pod", "name: w-job-pod") +
                             Template("pods",
                                      "{groups: [apps], kinds: [Weird], versions: [v1]}, "
                                      "{groups: [batch], kinds: [Job], versions: [v1]}",
                                      "spec.template", kPod) +
                             Template("jobs", "{groups: [apps], kinds: [Weird], versions: [v1]}",
                                      "spec.jobTemplate", kJob));
  const std::string weird =
      R"({"apiVersion":"apps/v1","kind":"Weird","metadata":{"name":"W"},"spec":{
    "template":{"spec":{"containers":[{"name":"a","image":"a.io/a"}]}},
    "jobTemplate":{"spec":{"containers":[{"name":"j","image":"j.io/j"}],
      "template":{"spec":{"containers":[{"name":"b","image":"b.io/b"}]}}}}}})";
  // Sorted by message, as Gatekeeper sorts one object's results.
  EXPECT_EQ(Run(policy, weird), (std::vector<std::string>{
                                    "job [Implied by jobs] " + Msg("j", "j.io/j"),
                                    "pod [Implied by pods] " + Msg("a", "a.io/a"),
                                    "job-pod [Implied by pods] " + Msg("b", "b.io/b"),
                                }));
}

// The built-ins: a CronJob's Job is reviewed with the Job template's own
// spec.*Containers, which a Job never has in practice but Gatekeeper reads.
TEST_F(ExpansionTest, TheImpliedJobsOwnContainersAreReviewed) {
  const Policy policy = Load(Constraint("job", "kinds: [{apiGroups: [batch], kinds: [Job]}]"));
  const std::string cron = R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"n"},
    "spec":{"jobTemplate":{"spec":{"containers":[{"name":"j","image":"j.io/j"}],
      "template":{"spec":{}}}}}})";
  EXPECT_EQ(Run(policy, cron),
            std::vector<std::string>{"job [Implied by expand-cronjobs] " + Msg("j", "j.io/j")});
}

TEST_F(ExpansionTest, AnAbsentSourceStopsTheExpansion) {
  const Policy policy = Load(Constraint("c", ""));
  // The Deployment's own containers would violate; Gatekeeper's audit skips
  // the whole object, gator stops: an error, and nothing of it reviewed.
  const std::string deployment = R"({"apiVersion":"apps/v1","kind":"Deployment",
    "metadata":{"name":"web"},"spec":{"containers":[{"name":"c","image":"quay.io/x"}]}})";
  EXPECT_EQ(Run(policy, deployment), std::vector<std::string>{});
  EXPECT_EQ(error_,
            "cannot expand the object: ExpansionTemplate \"expand-deployments\" reads "
            "\"spec.template\", which is not there (Gatekeeper: could not find source field "
            "\"spec.template\" in resource \"web\"); Gatekeeper's audit skips such an object and "
            "gator stops");
  // Without --expand the object is reviewed as itself.
  EXPECT_EQ(Run(policy, deployment, false), std::vector<std::string>{"c " + Msg("c", "quay.io/x")});
  EXPECT_EQ(error_, "");
  // Nested: the CronJob's Job has no template; the name is the Job's.
  EXPECT_EQ(Run(policy, R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"N"},
    "spec":{"jobTemplate":{"spec":{}}}})"),
            std::vector<std::string>{});
  EXPECT_NE(error_.find("reads \"spec.template\" of its implied Job, which is not there "
                        "(Gatekeeper: could not find source field \"spec.template\" in resource "
                        "\"n-job\")"),
            std::string_view::npos)
      << error_;
}

TEST_F(ExpansionTest, ASourceThatIsNotAnObjectStopsTheExpansion) {
  const Policy policy = Load(Constraint("c", ""));
  EXPECT_EQ(Run(policy, R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
    "spec":{"template":"x"}})"),
            std::vector<std::string>{});
  EXPECT_NE(error_.find("reads \"spec.template\", but .spec.template is a string, not an object "
                        "(Gatekeeper: could not extract source field from unstructured: "
                        ".spec.template accessor error)"),
            std::string_view::npos)
      << error_;
  // On the way, apimachinery names the key it could not look up in it.
  EXPECT_EQ(Run(policy, R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"d"},
    "spec":{"jobTemplate":{"spec":5}}})"),
            std::vector<std::string>{});
  EXPECT_NE(error_.find("reads \"spec.template\" of its implied Job, but .spec.template is a "
                        "number, not an object"),
            std::string_view::npos)
      << error_;
  // null at the end is an error too; null on the way is "not there".
  Run(policy, R"({"apiVersion":"apps/v1","kind":"Deployment","spec":{"template":null}})");
  EXPECT_NE(error_.find("but .spec.template is null"), std::string_view::npos) << error_;
  Run(policy, R"({"apiVersion":"apps/v1","kind":"Deployment","spec":null})");
  EXPECT_NE(error_.find("which is not there"), std::string_view::npos) << error_;
}

// What --expand reads without ExpansionTemplates is what the built-ins read.
TEST(ExpansionPathsTest, TheBuiltInsReadTheDefaultPaths) {
  std::vector<std::string> builtins = ExpansionPaths(BuiltinExpansionTemplates());
  std::vector<std::string> defaults = DefaultTemplatePaths();
  std::sort(builtins.begin(), builtins.end());
  std::sort(defaults.begin(), defaults.end());
  EXPECT_EQ(builtins, defaults);
}

TEST(ExpansionPathsTest, NestedSourcesAreJoined) {
  ExpansionTemplate a, b, c;
  a.name = "a";
  a.apply_to_groups_kinds = {KindSelector{{"x"}, {"Top"}}};
  a.apply_to_versions = {{"v1"}};
  a.template_source = "spec.mid";
  a.generated_group = "x";
  a.generated_version = "v1";
  a.generated_kind = "Mid";
  b = a;
  b.name = "b";
  b.apply_to_groups_kinds = {KindSelector{{"x"}, {"Mid"}}};
  b.template_source = "spec.low";
  b.generated_kind = "Low";
  c = a;
  c.name = "c";
  c.apply_to_groups_kinds = {KindSelector{{"x"}, {"Low"}}};
  c.template_source = "pod";
  c.generated_group = "";
  c.generated_kind = "Pod";
  EXPECT_EQ(ExpansionPaths({c, b, a}),
            (std::vector<std::string>{"pod", "spec.low", "spec.low.pod", "spec.mid",
                                      "spec.mid.spec.low", "spec.mid.spec.low.pod"}));
}

// ---------------------------------------------------------------------------
// End to end.

const std::string kPolicy = R"(apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedRepos
metadata: {name: only-docker}
spec:
  parameters: {repos: ["docker.io/"]}
---
apiVersion: expansion.gatekeeper.sh/v1beta1
kind: ExpansionTemplate
metadata: {name: runners}
spec:
  applyTo: [{groups: [x.io], kinds: [Runner], versions: [v1]}]
  templateSource: spec.podTemplate
  generatedGVK: {group: "", version: v1, kind: Pod}
)";

TEST(ExpansionEndToEndTest, AnExpansionTemplatesPathIsFollowed) {
  TempDir dir;
  const std::string policy = dir.Write("policy.yaml", kPolicy);
  const std::string input = dir.Write("in.json", R"({"apiVersion":"x.io/v1","kind":"Runner",
    "metadata":{"name":"r1","namespace":"ci"},
    "spec":{"podTemplate":{"spec":{"containers":[{"name":"c","image":"quay.io/x"}]}}}}
{"apiVersion":"x.io/v1","kind":"Runner","metadata":{"name":"r2","namespace":"ci"},"spec":{}})");
  const testing::RunResult r = RunGatescan({"-o", "gator", "--expand", "-p", policy, input});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out,
            "x.io/v1/Runner ci/r1: [\"only-docker\"] Message: \"[Implied by runners] container <c> "
            "has an invalid image repo <quay.io/x>, allowed repos are [\\\"docker.io/\\\"]\"\n");
  EXPECT_NE(r.err.find("(item 1): cannot expand the object: ExpansionTemplate \"runners\" reads "
                       "\"spec.podTemplate\", which is not there"),
            std::string::npos)
      << r.err;
}

// Unstructured.GroupVersionKind() is empty when the apiVersion does not
// parse, and gator's AddData refuses an object without a version: it is
// never reviewed, whatever its kind (issue 13).
TEST(ExpansionEndToEndTest, AnApiVersionGatekeeperCannotParseIsAnErrorRecord) {
  TempDir dir;
  const std::string input = dir.Write("in.json", R"({"apiVersion":"apps/v1/x","kind":"Pod",
    "metadata":{"name":"a"},"spec":{"containers":[{"name":"c","image":"quay.io/x"}]}}
{"apiVersion":"apps/","kind":"Pod","metadata":{"name":"b"},"spec":{"containers":[{"name":"c","image":"quay.io/x"}]}}
{"apiVersion":"/","kind":"Pod","metadata":{"name":"c"},"spec":{"containers":[{"name":"c","image":"quay.io/x"}]}}
{"apiVersion":"/v1","kind":"Pod","metadata":{"name":"d"},"spec":{"containers":[{"name":"c","image":"quay.io/x"}]}})");
  const testing::RunResult r = RunGatescan({"-o", "gator", "--allow", "docker.io/", input});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  // "/v1" parses: group "", version v1.
  EXPECT_EQ(r.out,
            "/v1/Pod d: [\"gatescan-allow\"] Message: \"container <c> has an invalid image repo "
            "<quay.io/x>, allowed repos are [\\\"docker.io/\\\"]\"\n");
  EXPECT_NE(r.err.find("(item 0): apiVersion has more than one '/'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(item 1): apiVersion has no version"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(item 2): apiVersion has no version"), std::string::npos) << r.err;
  EXPECT_TRUE(testing::OnlyRefusedObjectErrors(r)) << r.err;
}

}  // namespace
}  // namespace gatescan
