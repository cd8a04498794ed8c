// expansion.cc — Gatekeeper's expansion (pkg/expansion) for the evaluator:
// which ExpansionTemplates apply to an object, the resultants they imply, the
// paths the extractor must read for them, and the built-in templates used by
// --expand when none is given. The one home of
// expansion semantics; policy.cc only parses ExpansionTemplates.
#include <algorithm>
#include <cctype>
#include <span>
#include <string>
#include <vector>

#include "gatescan/common/k8s_names.h"
#include "gatescan/common/quote.h"
#include "gatescan/evaluate/evaluate.h"

namespace gatescan {
namespace {

template <typename T>
std::span<const T> Slice(const std::vector<T>& v, IndexRange r) {
  return std::span<const T>(v.data() + r.begin, r.size());
}

bool Contains(const std::vector<std::string>& values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// ExpansionTemplate applyTo: exact group, kind and version (no wildcards).
bool AppliesTo(const ExpansionTemplate& t, std::string_view group, std::string_view version,
               std::string_view kind) {
  for (size_t i = 0; i < t.apply_to_groups_kinds.size(); ++i) {
    const KindSelector& gk = t.apply_to_groups_kinds[i];
    const std::vector<std::string>* versions =
        i < t.apply_to_versions.size() ? &t.apply_to_versions[i] : nullptr;
    if (Contains(gk.api_groups, group) && Contains(gk.kinds, kind) &&
        (versions == nullptr || Contains(*versions, version))) {
      return true;
    }
  }
  return false;
}

// Gatekeeper's expandRecursive stops at this depth. Cycles are rejected
// when the policy loads, so only a chain of 30 templates reaches it.
constexpr int kMaxExpansionDepth = 30;

// The object expanded at one level: the input object, or a resultant.
struct Generator {
  std::string_view group, version, kind;
  std::string name;  // GetName(): the mock name of a resultant
  std::string path;  // dotted path from the input object's root, "" for it
  size_t segments = 0;
};

size_t SegmentCount(std::string_view path) {
  return static_cast<size_t>(std::count(path.begin(), path.end(), '.')) + 1;
}

// Gatekeeper's mockNameForResource: "<generator name>-<kind>", lower-cased.
// (Go's strings.ToLower also lowers non-ASCII letters, which a Kubernetes
// name cannot hold.)
std::string MockName(std::string_view generator, std::string_view kind) {
  std::string name(generator);
  if (!kind.empty()) name += "-";
  name += kind;
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::string_view JsonTypeWord(uint8_t first_byte) {
  switch (first_byte) {
    case '"':
      return "a string";
    case 't':
    case 'f':
      return "a boolean";
    case 'n':
      return "null";
    case '[':
      return "an array";
    default:
      return "a number";
  }
}

// The error Gatekeeper's expandResource meets, in gatescan's words with
// Gatekeeper's own after them: the audit logs it and skips the object (its
// own violations too), gator stops. `path` is relative to the generator.
std::string ExpansionError(const ExpansionTemplate& t, const Generator& generator,
                           const TemplateRecord* record) {
  std::string message = "cannot expand the object: ExpansionTemplate " + GoQuote(t.name) +
                        " reads " + GoQuote(t.template_source);
  if (!generator.path.empty()) message += " of its implied " + std::string(generator.kind);
  if (record == nullptr) {
    message += ", which is not there (Gatekeeper: could not find source field " +
               GoQuote(t.template_source) + " in resource " + GoQuote(generator.name) + ")";
  } else {
    std::string at;
    std::string_view rest = t.template_source;
    const size_t segments = record->error_segments - generator.segments;
    for (size_t i = 0; i < segments; ++i) {
      const size_t dot = rest.find('.');
      at += "." + std::string(rest.substr(0, dot));
      rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
    }
    message +=
        ", but " + at + " is " + std::string(JsonTypeWord(record->value_type)) +
        ", not an object (Gatekeeper: could not extract source field from unstructured: " + at +
        " accessor error)";
  }
  return message + "; Gatekeeper's audit skips such an object and gator stops";
}

}  // namespace

std::vector<std::string> ExpansionPaths(const std::vector<ExpansionTemplate>& expansions) {
  std::vector<std::string> paths;
  // From any object, every template's source; from what a template
  // generates, the sources of the templates that apply to that kind.
  auto follow = [&](auto&& self, const ExpansionTemplate& t, const std::string& prefix,
                    int depth) -> void {
    if (depth >= kMaxExpansionDepth) return;
    const std::string path = prefix.empty() ? t.template_source : prefix + "." + t.template_source;
    if (std::find(paths.begin(), paths.end(), path) == paths.end()) paths.push_back(path);
    for (const ExpansionTemplate& next : expansions) {
      if (AppliesTo(next, t.generated_group, t.generated_version, t.generated_kind)) {
        self(self, next, path, depth + 1);
      }
    }
  };
  for (const ExpansionTemplate& t : expansions) follow(follow, t, "", 0);
  return paths;
}

// Gatekeeper's expansion (pkg/expansion): every ExpansionTemplate whose applyTo
// names the object's group/version/kind makes the object at its templateSource
// a resultant of generatedGVK, named "<generator>-<kind>" in lower case, in
// the parent's namespace, with that object's own labels and generateName;
// resultants are expanded again (CronJob -> Job -> Pod), each from its own
// path. Their messages carry "[Implied by <template>] " and belong to the
// parent. A templateSource that is absent or not an object is an error.
std::string Evaluator::ReviewImplied(const ObjectRecord& object, const ExtractedBatch& batch,
                                     std::vector<Violation>* out, StringArena* arena) const {
  if (!std::binary_search(expansion_kinds_.begin(), expansion_kinds_.end(), object.kind)) {
    return {};
  }
  const std::span<const TemplateRecord> records = Slice(batch.templates, object.templates);
  const auto find = [&records](std::string_view path) -> const TemplateRecord* {
    for (const TemplateRecord& r : records) {
      if (r.path == path) return &r;
    }
    return nullptr;
  };
  const k8s::GroupVersion gv = k8s::SplitApiVersion(object.api_version);
  Generator root{gv.group, gv.version, object.kind, std::string(object.name), "", 0};
  std::string error;
  auto expand = [&](auto&& self, const Generator& parent, int depth) -> bool {
    if (depth >= kMaxExpansionDepth) {
      error = "cannot expand the object: more than " + std::to_string(kMaxExpansionDepth) +
              " levels of ExpansionTemplates";
      return false;
    }
    for (const ExpansionTemplate& t : expansions_) {
      if (!AppliesTo(t, parent.group, parent.version, parent.kind)) continue;
      Generator child{
          t.generated_group,
          t.generated_version,
          t.generated_kind,
          MockName(parent.name, t.generated_kind),
          parent.path.empty() ? t.template_source : parent.path + "." + t.template_source,
          parent.segments + SegmentCount(t.template_source)};
      const TemplateRecord* record = find(child.path);
      if (record == nullptr || record->state != TemplateState::kObject) {
        error = ExpansionError(t, parent, record);
        return false;
      }
      ReviewedObject reviewed;
      reviewed.target.group = child.group;
      reviewed.target.kind = child.kind;
      reviewed.target.ns = object.ns;
      reviewed.target.name = arena->Copy(child.name);
      reviewed.target.generate_name = record->generate_name;
      reviewed.target.generated = true;
      reviewed.target.empty_namespace_for_cluster_objects = gator_;
      reviewed.target.labels = Slice(batch.labels, record->labels);
      reviewed.containers = Slice(batch.containers, record->containers);
      reviewed.image_elements = batch.image_elements;
      reviewed.implied_by = t.name;
      reviewed.action_override = t.enforcement_action;
      Review(reviewed, out, arena);
      if (!self(self, child, depth + 1)) return false;
    }
    return true;
  };
  expand(expand, root, 0);
  return error;
}

std::vector<ExpansionTemplate> BuiltinExpansionTemplates() {
  ExpansionTemplate deployments;
  deployments.name = "expand-deployments";
  deployments.apply_to_groups_kinds = {
      KindSelector{{"apps"}, {"DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"}},
      KindSelector{{""}, {"ReplicationController"}},
      KindSelector{{"batch"}, {"Job"}},
  };
  deployments.apply_to_versions = {{"v1"}, {"v1"}, {"v1"}};
  deployments.template_source = "spec.template";
  deployments.generated_group = "";
  deployments.generated_version = "v1";
  deployments.generated_kind = "Pod";
  deployments.source = "built-in";

  ExpansionTemplate cronjobs;
  cronjobs.name = "expand-cronjobs";
  cronjobs.apply_to_groups_kinds = {KindSelector{{"batch"}, {"CronJob"}}};
  cronjobs.apply_to_versions = {{"v1"}};
  cronjobs.template_source = "spec.jobTemplate";
  cronjobs.generated_group = "batch";
  cronjobs.generated_version = "v1";
  cronjobs.generated_kind = "Job";
  cronjobs.source = "built-in";
  return {deployments, cronjobs};
}

}  // namespace gatescan
