// policy.h — Gatekeeper policy files, loaded and checked once.
//
// `LoadPolicy` reads --policy files and directories (YAML or JSON,
// multi-document, `kind: List`) holding ConstraintTemplates, constraints,
// ExpansionTemplates, the Gatekeeper Config and Namespaces, plus the ad-hoc
// --allow prefixes, and produces a `Policy`: plain data, built once, then
// shared read-only by every thread. A ConstraintTemplate is accepted only when
// its Rego is recognised as the allowed-repos family: which container lists
// the violation rules iterate, the sprintf format of each rule, and whether
// the predicate is a raw prefix (`startswith` / `strings.any_prefix_match`) or
// the v2 exact-or-trailing-`*` match. Constraints of kind K8sAllowedRepos and
// K8sAllowedReposv2 work without a template (gatekeeper-library 1.0.2 and
// v2 1.0.0 built in). Errors name the file, the document and the field; the
// YAML library is used only here (and in yaml_json.h).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatescan/extract/extract.h"
#include "gatescan/policy/spec_match.h"
#include "gatescan/common/status.h"

namespace gatescan {

// Ordered as Gatekeeper compares the action strings ("deny" < "dryrun" <
// "scoped" < "warn"), so sorting by this enum sorts like gator does.
enum class EnforcementAction : uint8_t { kDeny = 0, kDryrun = 1, kScoped = 2, kWarn = 3 };
std::string_view ActionName(EnforcementAction action);

// How an image is compared with the constraint's list.
enum class RepoPredicate : uint8_t {
  kPrefix,       // K8sAllowedRepos: allowed iff some entry is a byte prefix of the image
  kExactOrGlob,  // K8sAllowedReposv2: exact match, or prefix match for entries ending in '*'
};

// One rule's sprintf: literal pieces around %v placeholders.
// literals.size() == args.size() + 1.
struct MessageFormat {
  enum class Arg : uint8_t {
    kName,
    kImage,
    kList
  };  // container.name, container.image, the parameter list
  std::vector<std::string> literals;
  std::vector<Arg> args;
};

struct ConstraintTemplate {
  std::string name;  // metadata.name, e.g. "k8sallowedrepos"
  std::string kind;  // spec.crd.spec.names.kind, e.g. "K8sAllowedRepos"
  RepoPredicate predicate = RepoPredicate::kPrefix;
  std::string parameter;  // the parameters field holding the list: "repos" (v1) or v2's field
  // One optional rule per ContainerList (indexed by ContainerList).
  std::array<std::optional<MessageFormat>, kContainerListCount> rules;
  // Per rule: the check is strings.any_prefix_match, which OPA also applies to
  // an array of strings (allowed when any element matches); startswith and
  // the v2 helper flag an array.
  std::array<bool, kContainerListCount> image_arrays_match_any{};
  std::string source;  // "file.yaml (document 2)" for messages; "built-in" for defaults
};

// One entry of spec.scopedEnforcementActions.
struct ScopedEnforcementAction {
  std::string action;                           // "deny", "warn", "dryrun"
  std::vector<std::string> enforcement_points;  // e.g. "audit.gatekeeper.sh", "*"
};

struct Constraint {
  std::string api_version = "constraints.gatekeeper.sh/v1beta1";
  std::string kind;
  std::string name;
  size_t template_index = 0;         // into Policy::templates
  bool has_list = false;             // parameters.<parameter> present; absent flags nothing
  std::vector<std::string> entries;  // the allowed repos / images, in order
  std::string entries_rendered;      // as OPA's %v prints the array: ["a", "b\n"]
  EnforcementAction action = EnforcementAction::kDeny;
  std::vector<ScopedEnforcementAction> scoped_actions;
  MatchSpec match;
  std::map<std::string, std::string> annotations;  // metadata.annotations (audit-log)
  std::map<std::string, std::string> labels;
  std::string source;
};

// ExpansionTemplate (expansion.gatekeeper.sh) in the subset Gatekeeper uses.
struct ExpansionTemplate {
  std::string name;
  std::vector<KindSelector> apply_to_groups_kinds;                 // applyTo[].groups x kinds
  std::vector<std::vector<std::string>> apply_to_versions;         // parallel to the above
  std::string template_source;                                     // e.g. "spec.template"
  std::string generated_group, generated_version, generated_kind;  // generatedGVK
  std::optional<EnforcementAction> enforcement_action;             // overrides the constraint's
  std::string source;
};

struct Policy {
  std::vector<ConstraintTemplate> templates;
  std::vector<Constraint> constraints;
  std::vector<ExpansionTemplate> expansions;
  NamespaceIndex namespaces;
  // Config spec.match[].excludedNamespaces for processes "audit" or "*".
  std::vector<std::string> excluded_namespaces;
  // Non-fatal notes for standard error (e.g. a bypassable entry "docker.io").
  std::vector<std::string> warnings;
};

struct PolicyOptions {
  std::vector<std::string> paths;  // --policy
  std::vector<std::string> allow;  // --allow: implicit K8sAllowedRepos "gatescan-allow"
};

Status LoadPolicy(const PolicyOptions& options, Policy* out);

// The built-in templates (gatekeeper-library K8sAllowedRepos 1.0.2 and
// K8sAllowedReposv2 1.0.0), as if their YAML had been given.
ConstraintTemplate BuiltinAllowedReposTemplate();
ConstraintTemplate BuiltinAllowedReposV2Template();

// OPA's rendering of an array of strings for sprintf's %v: "[" + elements
// quoted like Go's strconv.Quote joined by ", " + "]".
std::string RenderRegoStringArray(const std::vector<std::string>& values);

}  // namespace gatescan
