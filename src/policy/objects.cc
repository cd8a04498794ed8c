// objects.cc — one parser per policy object kind (policy_parse.h).
#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "gatescan/common/quote.h"
#include "gatescan/policy/image_rego.h"
#include "gatescan/policy/policy_parse.h"

namespace gatescan::policy_parse {
namespace {

constexpr std::string_view kAdmissionTarget = "admission.k8s.gatekeeper.sh";

// The admission target's Rego and libs: `rego:` / `libs:`, or a `code:`
// entry with `engine: Rego` (a template that also carries CEL is judged by
// its Rego). False when the template has none.
bool TargetRego(const Reader& t, const YAML::Node& targets, std::string* rego,
                std::vector<std::string>* libs, Status* status) {
  for (size_t i = 0; i < targets.size(); ++i) {
    const std::string item = "spec.targets[" + std::to_string(i) + "]";
    std::string target;
    *status = t.String(Path(targets[i], {"target"}), item + ".target", &target, false);
    if (!status->ok()) return false;
    if (target != kAdmissionTarget) continue;
    if (Present(Path(targets[i], {"rego"}))) {
      *status = t.String(Path(targets[i], {"rego"}), item + ".rego", rego, true);
      if (status->ok()) *status = t.Strings(Path(targets[i], {"libs"}), item + ".libs", libs);
      return status->ok();
    }
    const YAML::Node code = Path(targets[i], {"code"});
    if (!code.IsSequence()) continue;
    for (size_t j = 0; j < code.size(); ++j) {
      const std::string entry = item + ".code[" + std::to_string(j) + "]";
      std::string engine;
      *status = t.String(Path(code[j], {"engine"}), entry + ".engine", &engine, false);
      if (!status->ok()) return false;
      if (engine != "Rego") continue;
      *status = t.String(Path(code[j], {"source", "rego"}), entry + ".source.rego", rego, true);
      if (status->ok()) {
        *status = t.Strings(Path(code[j], {"source", "libs"}), entry + ".source.libs", libs);
      }
      return status->ok();
    }
  }
  return false;
}

// Recognises a template of a kind that is none of the five: an allowed-repos
// or deny-side Rego under another name is still that policy.
bool RecogniseCustomKind(const std::string& rego, const std::vector<std::string>& libs,
                         ConstraintTemplate* out) {
  ConstraintTemplate copy = *out;
  if (RecogniseAllowedReposRego(rego, &copy).empty()) {
    *out = std::move(copy);
    return true;
  }
  for (ImageFamily family :
       {ImageFamily::kDisallowedRepos, ImageFamily::kDisallowedTags, ImageFamily::kImageDigests}) {
    copy = *out;
    if (RecogniseDenyRego(family, rego, libs, &copy).empty()) {
      *out = std::move(copy);
      return true;
    }
  }
  return false;
}

}  // namespace

// *image_policy is false (and the status Ok) for a template that is not an
// image policy: its kind is skipped.
Status ParseTemplate(const PolicyObject& object, ConstraintTemplate* out, bool* image_policy) {
  *image_policy = true;
  const YAML::Node& n = object.node;
  Reader r(object.source, "ConstraintTemplate");
  out->source = object.source;
  GS_RETURN_IF_ERROR(r.String(Path(n, {"metadata", "name"}), "metadata.name", &out->name, true));
  Reader t(object.source, "template " + out->name);
  GS_RETURN_IF_ERROR(t.String(Path(n, {"spec", "crd", "spec", "names", "kind"}),
                              "spec.crd.spec.names.kind", &out->kind, true));
  const std::optional<ImageFamily> family = FamilyOfKind(out->kind);
  const YAML::Node targets = Path(n, {"spec", "targets"});
  if (!targets.IsSequence()) {
    if (!family.has_value()) {
      *image_policy = false;
      return Status::Ok();
    }
    return t.Wrong("spec.targets", "an array", targets);
  }
  std::string rego;
  std::vector<std::string> libs;
  Status status = Status::Ok();
  if (!TargetRego(t, targets, &rego, &libs, &status)) {
    if (!status.ok()) return status;
    if (!family.has_value()) {
      *image_policy = false;
      return Status::Ok();
    }
    return t.Fail("no spec.targets entry for " + std::string(kAdmissionTarget) + " with rego");
  }
  if (!family.has_value()) {
    if (!RecogniseCustomKind(rego, libs, out)) *image_policy = false;
    if (!*image_policy) return Status::Ok();
  } else if (*family == ImageFamily::kAllowedRepos) {
    if (std::string error = RecogniseAllowedReposRego(rego, out); !error.empty()) {
      return t.Fail("not an allowed-repos template: " + error);
    }
  } else if (std::string error = RecogniseDenyRego(*family, rego, libs, out); !error.empty()) {
    return t.Fail("not a " + out->kind + " template: " + error);
  }
  // The parameters the schema declares, for the loader's unknown-parameter warning.
  const YAML::Node properties =
      Path(n, {"spec", "crd", "spec", "validation", "openAPIV3Schema", "properties"});
  if (properties.IsMap()) {
    out->has_schema = true;
    for (const auto& kv : properties) {
      if (kv.first.IsScalar()) out->schema_parameters.push_back(kv.first.Scalar());
    }
  }
  // The parameter's declared type, when the schema declares one.
  if (out->parameter.empty()) return Status::Ok();
  const YAML::Node property =
      Child(Path(n, {"spec", "crd", "spec", "validation", "openAPIV3Schema", "properties"}),
            out->parameter);
  if (Present(property)) {
    const std::string field =
        "spec.crd.spec.validation.openAPIV3Schema.properties." + out->parameter;
    const YAML::Node type = Path(property, {"type"});
    if (Present(type) && (!IsString(type) || type.Scalar() != "array")) {
      return t.Fail(field + ".type must be array");
    }
    const YAML::Node item_type = Path(property, {"items", "type"});
    if (Present(item_type) && (!IsString(item_type) || item_type.Scalar() != "string")) {
      return t.Fail(field + ".items.type must be string");
    }
  }
  return Status::Ok();
}

Status ParseConstraint(const PolicyObject& object, const std::vector<ConstraintTemplate>& templates,
                       Constraint* out) {
  const YAML::Node& n = object.node;
  out->source = object.source;
  out->api_version = Path(n, {"apiVersion"}).Scalar();
  out->kind = Path(n, {"kind"}).Scalar();
  Reader r(object.source, out->kind);
  GS_RETURN_IF_ERROR(r.String(Path(n, {"metadata", "name"}), "metadata.name", &out->name, true));
  Reader c(object.source, out->kind + "/" + out->name);
  std::vector<std::pair<std::string, std::string>> pairs;
  GS_RETURN_IF_ERROR(
      c.StringMap(Path(n, {"metadata", "annotations"}), "metadata.annotations", &pairs));
  out->annotations.insert(pairs.begin(), pairs.end());
  GS_RETURN_IF_ERROR(c.StringMap(Path(n, {"metadata", "labels"}), "metadata.labels", &pairs));
  out->labels.insert(pairs.begin(), pairs.end());

  auto tmpl = std::find_if(templates.rbegin(), templates.rend(),
                           [&](const ConstraintTemplate& t) { return t.kind == out->kind; });
  if (tmpl == templates.rend()) return c.Fail("no ConstraintTemplate defines kind " + out->kind);
  out->template_index = static_cast<size_t>(templates.rend() - tmpl) - 1;

  const YAML::Node spec = Path(n, {"spec"});
  GS_RETURN_IF_ERROR(c.Map(spec, "spec"));
  if (!Present(spec)) return Status::Ok();
  const YAML::Node parameters = Path(spec, {"parameters"});
  GS_RETURN_IF_ERROR(c.Map(parameters, "spec.parameters"));
  if (Present(parameters)) {
    const YAML::Node list = Child(parameters, tmpl->parameter);
    if (!tmpl->parameter.empty() && Present(list)) {
      GS_RETURN_IF_ERROR(c.Strings(list, "spec.parameters." + tmpl->parameter, &out->entries));
      out->has_list = true;
      out->entries_rendered = RenderRegoStringArray(out->entries);
    }
    const bool exempts = std::any_of(tmpl->image_rules.begin(), tmpl->image_rules.end(),
                                     [](const ImageRule& rule) { return rule.exempt; });
    if (exempts) {
      const YAML::Node exempt = Child(parameters, "exemptImages");
      GS_RETURN_IF_ERROR(c.Strings(exempt, "spec.parameters.exemptImages", &out->exempt_images));
      out->has_exempt_images = Present(exempt);
    }
  }
  GS_RETURN_IF_ERROR(ParseAction(c, Path(spec, {"enforcementAction"}), "spec.enforcementAction",
                                 &out->action, nullptr));
  const YAML::Node scoped = Path(spec, {"scopedEnforcementActions"});
  if (Present(scoped)) {
    if (!scoped.IsSequence()) return c.Wrong("spec.scopedEnforcementActions", "an array", scoped);
    for (size_t i = 0; i < scoped.size(); ++i) {
      const std::string item = "spec.scopedEnforcementActions[" + std::to_string(i) + "]";
      if (!scoped[i].IsMap()) return c.Wrong(item, "an object", scoped[i]);
      ScopedEnforcementAction action;
      GS_RETURN_IF_ERROR(
          c.String(Path(scoped[i], {"action"}), item + ".action", &action.action, true));
      // Gatekeeper compares scoped actions and enforcement points lower-cased.
      std::transform(action.action.begin(), action.action.end(), action.action.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      if (action.action != "deny" && action.action != "warn" && action.action != "dryrun") {
        return c.Fail(item + ".action \"" + action.action + "\" is not one of deny, dryrun, warn");
      }
      const YAML::Node points = Path(scoped[i], {"enforcementPoints"});
      if (Present(points)) {
        if (!points.IsSequence()) return c.Wrong(item + ".enforcementPoints", "an array", points);
        for (size_t p = 0; p < points.size(); ++p) {
          const std::string point = item + ".enforcementPoints[" + std::to_string(p) + "]";
          if (!points[p].IsMap()) return c.Wrong(point, "an object", points[p]);
          std::string name;
          GS_RETURN_IF_ERROR(c.String(Path(points[p], {"name"}), point + ".name", &name, true));
          std::transform(name.begin(), name.end(), name.begin(),
                         [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
          action.enforcement_points.push_back(std::move(name));
        }
      }
      out->scoped_actions.push_back(std::move(action));
    }
  }
  if (out->action == EnforcementAction::kScoped && out->scoped_actions.empty()) {
    return c.Fail("spec.enforcementAction is scoped but spec.scopedEnforcementActions is empty");
  }
  return ParseMatch(c, Path(spec, {"match"}), &out->match);
}

Status ParseExpansion(const PolicyObject& object, ExpansionTemplate* out) {
  const YAML::Node& n = object.node;
  out->source = object.source;
  Reader r(object.source, "ExpansionTemplate");
  GS_RETURN_IF_ERROR(r.String(Path(n, {"metadata", "name"}), "metadata.name", &out->name, true));
  Reader e(object.source, "ExpansionTemplate/" + out->name);
  const YAML::Node spec = Path(n, {"spec"});
  GS_RETURN_IF_ERROR(e.Map(spec, "spec"));
  const YAML::Node apply = Path(spec, {"applyTo"});
  if (Present(apply)) {
    if (!apply.IsSequence()) return e.Wrong("spec.applyTo", "an array", apply);
    for (size_t i = 0; i < apply.size(); ++i) {
      const std::string item = "spec.applyTo[" + std::to_string(i) + "]";
      if (!apply[i].IsMap()) return e.Wrong(item, "an object", apply[i]);
      KindSelector gk;
      std::vector<std::string> versions;
      GS_RETURN_IF_ERROR(e.Strings(Path(apply[i], {"groups"}), item + ".groups", &gk.api_groups));
      GS_RETURN_IF_ERROR(e.Strings(Path(apply[i], {"kinds"}), item + ".kinds", &gk.kinds));
      GS_RETURN_IF_ERROR(e.Strings(Path(apply[i], {"versions"}), item + ".versions", &versions));
      out->apply_to_groups_kinds.push_back(std::move(gk));
      out->apply_to_versions.push_back(std::move(versions));
    }
  }
  GS_RETURN_IF_ERROR(
      e.String(Path(spec, {"templateSource"}), "spec.templateSource", &out->template_source, true));
  const YAML::Node gvk = Path(spec, {"generatedGVK"});
  GS_RETURN_IF_ERROR(e.Map(gvk, "spec.generatedGVK"));
  GS_RETURN_IF_ERROR(
      e.String(Path(gvk, {"group"}), "spec.generatedGVK.group", &out->generated_group, false));
  GS_RETURN_IF_ERROR(e.String(Path(gvk, {"version"}), "spec.generatedGVK.version",
                              &out->generated_version, false));
  GS_RETURN_IF_ERROR(
      e.String(Path(gvk, {"kind"}), "spec.generatedGVK.kind", &out->generated_kind, true));
  EnforcementAction action{};
  bool present = false;
  GS_RETURN_IF_ERROR(ParseAction(e, Path(spec, {"enforcementAction"}), "spec.enforcementAction",
                                 &action, &present));
  if (present) out->enforcement_action = action;
  // What Gatekeeper's expansion system rejects (pkg/expansion ValidateTemplate).
  if (out->name.size() > 63) {
    return e.Fail("metadata.name is longer than 63 characters; Gatekeeper rejects the template");
  }
  if (out->template_source.empty()) {
    return e.Fail("spec.templateSource is empty; Gatekeeper rejects the template");
  }
  for (const KindSelector& gk : out->apply_to_groups_kinds) {
    if (std::find(gk.api_groups.begin(), gk.api_groups.end(), out->generated_group) !=
            gk.api_groups.end() &&
        std::find(gk.kinds.begin(), gk.kinds.end(), out->generated_kind) != gk.kinds.end()) {
      return e.Fail("spec.applyTo names the generated kind " + out->generated_kind +
                    "; Gatekeeper rejects a template that expands into itself");
    }
  }
  return Status::Ok();
}

Status ParseNamespace(const PolicyObject& object, Policy* policy) {
  Reader r(object.source, "Namespace");
  std::string name;
  GS_RETURN_IF_ERROR(
      r.String(Path(object.node, {"metadata", "name"}), "metadata.name", &name, true));
  // Gatekeeper holds Namespaces typed (corev1.Namespace: gator's
  // convertNamespace, the audit's informer), not as unstructured: converting
  // a null label value gives "", any other non-string fails, and gator stops
  // ("error creating expander"). A duplicate key's last value wins.
  const Reader n(object.source, "Namespace/" + name);
  const YAML::Node map = Path(object.node, {"metadata", "labels"});
  GS_RETURN_IF_ERROR(n.Map(map, "metadata.labels"));
  std::vector<std::pair<std::string, YAML::Node>> values;
  if (Present(map)) {
    for (const auto& kv : map) {
      const std::string key = kv.first.Scalar();
      std::erase_if(values, [&key](const auto& value) { return value.first == key; });
      values.emplace_back(key, kv.second);
    }
  }
  std::vector<std::pair<std::string, std::string>> labels;
  for (const auto& [key, value] : values) {
    const bool null = !Present(value);
    if (!null && !IsString(value)) {
      return n.Fail("metadata.labels." + key + " must be a string, not " + TypeName(value) +
                    " (gator cannot read the Namespace and stops)");
    }
    labels.emplace_back(key, null ? std::string() : value.Scalar());
  }
  policy->namespaces.Add(std::move(name), std::move(labels));
  return Status::Ok();
}

Status ParseConfig(const PolicyObject& object, Policy* policy) {
  Reader r(object.source, "Config");
  const YAML::Node match = Path(object.node, {"spec", "match"});
  if (!Present(match)) return Status::Ok();
  if (!match.IsSequence()) return r.Wrong("spec.match", "an array", match);
  for (size_t i = 0; i < match.size(); ++i) {
    const std::string item = "spec.match[" + std::to_string(i) + "]";
    if (!match[i].IsMap()) return r.Wrong(item, "an object", match[i]);
    std::vector<std::string> processes, excluded;
    GS_RETURN_IF_ERROR(r.Strings(Path(match[i], {"processes"}), item + ".processes", &processes));
    GS_RETURN_IF_ERROR(
        r.Strings(Path(match[i], {"excludedNamespaces"}), item + ".excludedNamespaces", &excluded));
    const bool audit = std::any_of(processes.begin(), processes.end(),
                                   [](const std::string& p) { return p == "audit" || p == "*"; });
    if (audit) {
      policy->excluded_namespaces.insert(policy->excluded_namespaces.end(), excluded.begin(),
                                         excluded.end());
    }
  }
  return Status::Ok();
}

}  // namespace gatescan::policy_parse
