// expansion.cc — Gatekeeper's expansion (pkg/expansion) for the evaluator:
// which ExpansionTemplates apply to an object, the resultants they imply and
// the built-in templates used by --expand when none is given. The one home of
// expansion semantics; policy.cc only parses ExpansionTemplates.
#include <algorithm>
#include <cctype>
#include <span>

#include "gatescan/common/k8s_names.h"
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

}  // namespace

// Gatekeeper's expansion (pkg/expansion): every ExpansionTemplate whose applyTo
// names the object's group/version/kind turns its templateSource into a
// resultant of generatedGVK, named "<parent>-<kind>" in lower case, in the
// parent's namespace; resultants are expanded again (CronJob -> Job -> Pod).
// Their messages carry "[Implied by <template>] " and belong to the parent.
void Evaluator::ReviewImplied(const ObjectRecord& object, const ExtractedBatch& batch,
                              std::vector<Violation>* out, StringArena* arena) const {
  if (object.template_path == PodTemplatePath::kNone) return;
  struct Level {
    std::string_view group, version, kind, name;
    // What this object's own templateSource paths hold.
    bool has_spec_template;  // "spec.template"
    bool has_job_template;   // "spec.jobTemplate"
    IndexRange labels;       // this object's labels (for resultants)
    IndexRange containers;   // this object's spec.*Containers (for resultants)
  };
  const auto [group, version, valid] = k8s::SplitApiVersion(object.api_version);
  (void)valid;
  const bool is_cron = object.template_path == PodTemplatePath::kJobTemplate;
  Level root{group,    version, object.kind,   object.name,
             !is_cron, is_cron, object.labels, object.containers};
  std::vector<Level> stack = {root};
  for (int depth = 0; !stack.empty() && depth < 8; ++depth) {
    const Level parent = stack.back();
    stack.pop_back();
    for (const ExpansionTemplate& t : expansions_) {
      if (!AppliesTo(t, parent.group, parent.version, parent.kind)) continue;
      Level child;
      child.group = t.generated_group;
      child.version = t.generated_version;
      child.kind = t.generated_kind;
      if (t.template_source == "spec.template" && parent.has_spec_template) {
        // The pod template of a workload, or of the Job a CronJob implies.
        child.labels = object.template_labels;
        child.containers = object.template_containers;
        child.has_spec_template = child.has_job_template = false;
      } else if (t.template_source == "spec.jobTemplate" && parent.has_job_template) {
        child.labels = object.job_template_labels;
        child.containers = {};
        child.has_spec_template = true;
        child.has_job_template = false;
      } else {
        continue;
      }
      std::string name = std::string(parent.name) + "-" + std::string(child.kind);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      child.name = arena->Copy(name);
      ReviewedObject reviewed;
      reviewed.target.group = child.group;
      reviewed.target.kind = child.kind;
      reviewed.target.ns = object.ns;
      reviewed.target.name = child.name;
      reviewed.target.generated = true;
      reviewed.target.empty_namespace_for_cluster_objects = gator_;
      reviewed.target.labels = Slice(batch.labels, child.labels);
      reviewed.containers = Slice(batch.containers, child.containers);
      reviewed.image_elements = batch.image_elements;
      reviewed.implied_by = t.name;
      reviewed.action_override = t.enforcement_action;
      Review(reviewed, out, arena);
      stack.push_back(child);
    }
  }
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
