// evaluate.h — the matcher stage: one object in, its violations out.
//
// An `Evaluator` is built once from a frozen Policy (it compiles every
// constraint's list into an Allowlist, allowlist.h) and is then read-only:
// Evaluate() may be called from any number of threads at once. For one
// object it applies the scan filters, every constraint's spec.match, the
// template's container lists and predicate, renders Gatekeeper's message,
// drops duplicate messages per constraint (Rego's set semantics) and sorts the
// object's results by (enforcement action, message) as Gatekeeper does.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gatescan/allowlist/allowlist.h"
#include "gatescan/common/arena.h"
#include "gatescan/extract/extract.h"
#include "gatescan/policy/policy.h"
#include "gatescan/policy/spec_match.h"

namespace gatescan {

struct Violation {
  uint32_t constraint = 0;                              // index into Policy::constraints
  EnforcementAction action = EnforcementAction::kDeny;  // as written on the constraint
  // What the action means for this offline audit: equal to `action`, except
  // that a scoped constraint resolves to its strongest action at the audit
  // enforcement point (deny > warn > dryrun). Drives text prefixes and exit 1.
  EnforcementAction effective = EnforcementAction::kDeny;
  ContainerList list = ContainerList::kContainers;
  std::string_view container_name;
  std::string_view image;
  std::string_view message;     // the complete message, "[Implied by X] " included
  std::string_view implied_by;  // expansion template name, empty when not expanded
  // The sprintf `message` was rendered from (with container_name, image and
  // the constraint's entries_rendered; "[Implied by X] " in front when
  // implied_by is set), so a reporter can write the message from pre-escaped
  // pieces; null for match errors. Points into the Policy.
  const MessageFormat* format = nullptr;
  bool is_match_error = false;  // a Gatekeeper match error (e.g. unknown Namespace)
};

// Gatekeeper's documented examples, used by --expand when no ExpansionTemplate
// is given: "expand-deployments" (Deployment, ReplicaSet, StatefulSet,
// DaemonSet, ReplicationController, Job -> Pod from spec.template) and
// "expand-cronjobs" (CronJob -> Job from spec.jobTemplate).
std::vector<ExpansionTemplate> BuiltinExpansionTemplates();

// The dotted paths, from an input object's root, at which `expansions` can
// find a generated object: each templateSource, and for nested expansion
// (CronJob -> Job -> Pod) the sources joined ("spec.jobTemplate.spec.template").
// What ExtractOptions::template_paths needs.
std::vector<std::string> ExpansionPaths(const std::vector<ExpansionTemplate>& expansions);

// True when the violation makes the scan exit 1.
bool IsDenying(const Violation& v);

// Scoped enforcement (spec.scopedEnforcementActions), the one home of its
// rules; the report stage calls these too. Points compare lower-cased (the
// loader lower-cases them) and "*" lists every point.
inline constexpr std::string_view kAuditEnforcementPoint = "audit.gatekeeper.sh";
bool ListsEnforcementPoint(const ScopedEnforcementAction& scoped, std::string_view point);
// The actions a scoped constraint lists for `point`, in order (may repeat).
std::vector<std::string_view> ScopedActionsAt(const Constraint& c, std::string_view point);
// Whether Gatekeeper evaluates the constraint at `point` at all: always for
// an unscoped one; for a scoped one when some entry lists the point.
bool AppliesAt(const Constraint& c, std::string_view point);
// The action the constraint takes at `point`: its own, or for a scoped one
// the strongest listed there (deny > warn > dryrun).
EnforcementAction EffectiveActionAt(const Constraint& c, std::string_view point);

// Filters applied before any constraint sees an object (SPEC §1).
struct ScanFilter {
  std::vector<std::string> namespaces;           // -n (wildcards); empty: all
  std::vector<std::string> excluded_namespaces;  // --exclude-namespace
  std::optional<LabelSelector> selector;         // -l
};

enum class MatchMode {
  kGatekeeper,  // raw byte prefix, exactly as the Rego (default)
  kReference,   // normalised references, component boundaries (SPEC §4.7)
};

struct EvaluateOptions {
  ScanFilter filter;
  bool expand = false;  // --expand
  MatchMode match = MatchMode::kGatekeeper;
  // Where the review happens, for scoped enforcement actions: an audit by
  // default; `-o gator` reviews as gator does ("gator.gatekeeper.sh").
  std::string enforcement_point = "audit.gatekeeper.sh";
};

inline constexpr std::string_view kGatorEnforcementPoint = "gator.gatekeeper.sh";

// How one constraint judges one image, ignoring spec.match (for explain).
struct ImageVerdict {
  uint32_t constraint = 0;
  bool allowed = false;
  int64_t entry = -1;  // index into Constraint::entries of the deciding entry, -1 if none
  // Deny-side families: the index into the template's image_rules of the
  // first rule that flags the image (-1 when none does); `entry` is then the
  // deny entry or tag that decides, or -1 for a rule without one. An image
  // exempted by exemptImages has `exempt_entry` set (into exempt_images).
  int rule = -1;
  int64_t exempt_entry = -1;
};

class Evaluator {
 public:
  Evaluator(const Policy& policy, EvaluateOptions options);

  // Whether the object passes -n/-l/--exclude-namespace and Config exclusions.
  bool Selected(const ObjectRecord& object, const ExtractedBatch& batch) const;

  // Appends the object's violations to *out (strings in *arena), deduplicated
  // per constraint and sorted by (action, message). Returns how many were added.
  // With --expand, an object that Gatekeeper cannot expand (a templateSource
  // absent or not an object) gets none: Gatekeeper's audit skips it, gator
  // stops; *expansion_error (when given) then says why, in *arena.
  size_t Evaluate(const ObjectRecord& object, const ExtractedBatch& batch,
                  std::vector<Violation>* out, StringArena* arena,
                  std::string_view* expansion_error = nullptr) const;

  const Policy& policy() const { return policy_; }
  // ExpansionPaths of the templates in use: what the extractor must read.
  const std::vector<std::string>& expansion_paths() const { return expansion_paths_; }

  // Every constraint's verdict on one image string, in constraint order.
  std::vector<ImageVerdict> Verdicts(std::string_view image) const;
  // Warnings about the allowlists under the chosen match mode.
  std::vector<std::string> Warnings() const;

 private:
  // One object as a constraint's Rego sees it.
  struct ReviewedObject {
    MatchTarget target;
    std::span<const ContainerRef> containers;
    std::span<const std::string_view> image_elements;  // the batch's, for array images
    std::string_view implied_by;  // expansion template name, for implied objects
    std::optional<EnforcementAction> action_override;
  };
  void Review(const ReviewedObject& reviewed, std::vector<Violation>* out,
              StringArena* arena) const;
  void ReviewDeny(uint32_t constraint, const Violation& base, const ReviewedObject& reviewed,
                  std::vector<Violation>* out, StringArena* arena) const;
  // The error that stops expansion, or "".
  std::string ReviewImplied(const ObjectRecord& object, const ExtractedBatch& batch,
                            std::vector<Violation>* out, StringArena* arena) const;

  const Policy& policy_;
  EvaluateOptions options_;
  int64_t MatchingEntry(uint32_t constraint, std::string_view image) const;
  bool AnyElementAllowed(uint32_t constraint, std::span<const std::string_view> elements,
                         IndexRange range) const;

  // The deny-side families (K8sDisallowedRepos shares allowlists_): a rule's verdict on one
  // container; the deciding entry in *entry.
  bool RuleFlags(uint32_t constraint, const ImageRule& rule, const ContainerRef& container,
                 std::span<const std::string_view> elements, int64_t* entry) const;
  // The tag (index into entries) that `image` ends with after a ':', or -1.
  int64_t TagEntry(uint32_t constraint, std::string_view image) const;

  // Parallel to policy_.constraints: the allow or deny repository list under
  // the template's semantics, or kReference in --match reference.
  std::vector<Allowlist> allowlists_;
  std::vector<PrefixTrie> tags_;              // parallel: K8sDisallowedTags tags, for Find
  std::vector<Allowlist> exemptions_;         // parallel: exemptImages (exact or `*`-prefix)
  std::vector<EnforcementAction> effective_;  // parallel to policy_.constraints
  bool gator_ = false;         // reviewing as gator does (options_.enforcement_point)
  std::vector<bool> applies_;  // scoped constraints: listed at the enforcement point
  // Parallel: the first constraint whose spec.match equals this one's (its
  // own index when none does), so Review decides each distinct spec once.
  std::vector<uint32_t> same_match_;
  std::vector<ExpansionTemplate> expansions_;  // given, or the built-in ones
  std::vector<std::string> expansion_kinds_;   // every applyTo kind, sorted: a quick "none applies"
  std::vector<std::string> expansion_paths_;
};

}  // namespace gatescan
