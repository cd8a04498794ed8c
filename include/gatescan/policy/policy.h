// policy.h — Gatekeeper policy files, loaded and checked once.
//
// `LoadPolicy` reads --policy files and directories (YAML or JSON,
// multi-document, `kind: List`) holding ConstraintTemplates, constraints,
// ExpansionTemplates, the Gatekeeper Config and Namespaces, plus the ad-hoc
// --allow prefixes, and produces a `Policy`: plain data, built once, then
// shared read-only by every thread. A ConstraintTemplate is accepted only when
// its Rego is recognised as a member of the image-policy family (below and
// image_rego.h); templates of other kinds are skipped with one notice. For
// the allowed-repos family: which container lists
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

#include "gatescan/common/status.h"
#include "gatescan/extract/extract.h"
#include "gatescan/policy/spec_match.h"

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

// Which member of gatekeeper-library's image-policy family a template is.
enum class ImageFamily : uint8_t {
  kAllowedRepos,     // K8sAllowedRepos, K8sAllowedReposv2 (and same-Rego custom kinds)
  kDisallowedRepos,  // K8sDisallowedRepos
  kDisallowedTags,   // K8sDisallowedTags
  kImageDigests,     // K8sImageDigests
};

// What one violation rule of the deny-side families tests, one value per
// distinct Rego wording (they differ where images are not strings: OPA makes
// a built-in call with a non-string an undefined expression, `not` of which
// is true, and an array literal holding it undefined).
enum class ImageCheck : uint8_t {
  kDisallowedPrefix,      // startswith(image, repos[_]): strings only
  kTagSuffixEndswith,     // any([endswith(image, ":"+t) | t]): strings only
  kTagAnySuffixMatch,     // strings.any_suffix_match(image, [":"+t]): strings, string arrays
  kNoColonArrayLiteral,   // t := [contains(image, ":")]; not all(t): strings without ':'
  kNotContainsColon,      // not contains(image, ":"): non-strings, strings without ':'
  kLastComponentNoColon,  // split(image, "/") last part without ':': strings only
  kDigestArrayLiteral,    // s := [re_match(digest, image)]; not all(s): strings only
  kNotDigest,             // not regex.match(digest, image): non-strings too
};

struct ImageRule {
  ImageCheck check = ImageCheck::kDisallowedPrefix;
  uint8_t lists = 0;    // bit (1 << ContainerList) for each list the rule iterates
  bool exempt = false;  // `not is_exempt(container)` (lib.exempt_container)
  MessageFormat message;
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
  ImageFamily family = ImageFamily::kAllowedRepos;
  // openAPIV3Schema.properties of the parameters, when the template has a schema.
  bool has_schema = false;
  std::vector<std::string> schema_parameters;
  // The deny-side families' rules, in Rego order (empty for kAllowedRepos,
  // which uses `rules` above).
  std::vector<ImageRule> image_rules;
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
  size_t template_index = 0;               // into Policy::templates
  bool has_list = false;                   // parameters.<parameter> present; absent flags nothing
  std::vector<std::string> entries;        // the allowed repos / images, in order
  std::string entries_rendered;            // as OPA's %v prints the array: ["a", "b\n"]
  std::vector<std::string> exempt_images;  // parameters.exemptImages (lib.exempt_container)
  bool has_exempt_images = false;          // parameters.exemptImages given (even empty)
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
  // Kinds of templates that are not image policies, with how many
  // constraints of each were skipped (the one notice of issue 14 item 3).
  std::map<std::string, size_t> skipped_kinds;
  std::string skipped_notice;  // that notice (also in `warnings`), empty when none
};

struct PolicyOptions {
  std::vector<std::string> paths;  // --policy
  std::vector<std::string> allow;  // --allow: implicit K8sAllowedRepos "gatescan-allow"
  bool strict = false;             // --strict-policies: a non-image template is an error
};

Status LoadPolicy(const PolicyOptions& options, Policy* out);

// The built-in templates (gatekeeper-library K8sAllowedRepos 1.0.2 and
// K8sAllowedReposv2 1.0.0), as if their YAML had been given.
ConstraintTemplate BuiltinAllowedReposTemplate();
ConstraintTemplate BuiltinAllowedReposV2Template();
// gatekeeper-library's current K8sDisallowedRepos (1.0.0), K8sDisallowedTags
// (1.0.2) and K8sImageDigests (1.0.1).
ConstraintTemplate BuiltinDisallowedReposTemplate();
ConstraintTemplate BuiltinDisallowedTagsTemplate();
ConstraintTemplate BuiltinImageDigestsTemplate();

// The K8sImageDigests regex `@[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+`,
// unanchored, as Go's RE2 matches it (a hand-checked matcher: the classes at
// each decision point are disjoint, so one forward scan per '@' decides).
bool HasImageDigest(std::string_view image);
inline constexpr std::string_view kImageDigestRegex =
    "@[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+";

// OPA's rendering of an array of strings for sprintf's %v: "[" + elements
// quoted like Go's strconv.Quote joined by ", " + "]".
std::string RenderRegoStringArray(const std::vector<std::string>& values);

}  // namespace gatescan
