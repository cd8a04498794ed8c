#include "gatescan/evaluate.h"

#include <algorithm>
#include <cstring>
#include <span>

namespace gatescan {
namespace {

constexpr std::string_view kAuditPoint = "audit.gatekeeper.sh";

CompiledAllowlist::Semantics SemanticsOf(RepoPredicate predicate) {
  return predicate == RepoPredicate::kExactOrGlob ? CompiledAllowlist::Semantics::kExactOrGlob
                                                  : CompiledAllowlist::Semantics::kPrefix;
}

// A scoped constraint takes, at the audit point, the strongest of the actions
// listed for "audit.gatekeeper.sh" or "*". With none, it is a dry run there.
EnforcementAction EffectiveAction(const Constraint& c) {
  if (c.action != EnforcementAction::kScoped) return c.action;
  bool warn = false;
  for (const auto& scoped : c.scoped_actions) {
    const bool applies = std::any_of(scoped.enforcement_points.begin(), scoped.enforcement_points.end(),
                                     [](const std::string& p) { return p == kAuditPoint || p == "*"; });
    if (!applies) continue;
    if (scoped.action == "deny") return EnforcementAction::kDeny;
    if (scoped.action == "warn") warn = true;
  }
  return warn ? EnforcementAction::kWarn : EnforcementAction::kDryrun;
}

std::string_view RenderMessage(const MessageFormat& format, std::string_view prefix,
                               std::string_view name, std::string_view image,
                               std::string_view list, StringArena* arena) {
  size_t size = prefix.size();
  for (const auto& literal : format.literals) size += literal.size();
  for (const auto arg : format.args) {
    size += arg == MessageFormat::Arg::kName ? name.size()
            : arg == MessageFormat::Arg::kImage ? image.size()
                                                : list.size();
  }
  char* out = arena->Allocate(size);
  char* p = out;
  auto put = [&p](std::string_view s) {
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    p += s.size();
  };
  put(prefix);
  for (size_t i = 0; i < format.args.size(); ++i) {
    put(format.literals[i]);
    const auto arg = format.args[i];
    put(arg == MessageFormat::Arg::kName ? name : arg == MessageFormat::Arg::kImage ? image : list);
  }
  put(format.literals.back());
  return {out, size};
}

bool ViolationOrder(const Violation& a, const Violation& b) {
  if (a.action != b.action) return a.action < b.action;
  return a.message < b.message;
}

bool IsNamespaceObject(const ObjectRecord& object) {
  return object.kind == "Namespace" && SplitApiVersion(object.api_version).first.empty();
}

bool AnyWildcardMatches(const std::vector<std::string>& patterns, std::string_view value) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [value](const std::string& p) { return WildcardMatches(p, value); });
}

}  // namespace

bool IsDenying(const Violation& v) { return v.effective == EnforcementAction::kDeny; }

Evaluator::Evaluator(const Policy& policy, EvaluateOptions options)
    : policy_(policy), options_(std::move(options)) {
  allowlists_.reserve(policy_.constraints.size());
  effective_.reserve(policy_.constraints.size());
  for (const auto& constraint : policy_.constraints) {
    const auto& tmpl = policy_.templates[constraint.template_index];
    allowlists_.emplace_back(constraint.entries, SemanticsOf(tmpl.predicate));
    effective_.push_back(EffectiveAction(constraint));
  }
}

bool Evaluator::Selected(const ObjectRecord& object, const ExtractedBatch& batch) const {
  const ScanFilter& filter = options_.filter;
  if (!filter.namespaces.empty() && !AnyWildcardMatches(filter.namespaces, object.ns)) return false;
  if (!object.ns.empty() && AnyWildcardMatches(filter.excluded_namespaces, object.ns)) return false;
  // Gatekeeper's Config exclusion looks at a Namespace object's own name.
  const std::string_view ns = IsNamespaceObject(object) ? object.name : object.ns;
  if (!ns.empty() && AnyWildcardMatches(policy_.excluded_namespaces, ns)) return false;
  if (filter.selector.has_value()) {
    const std::span<const Label> labels(batch.labels.data() + object.labels.begin, object.labels.size());
    if (!SelectorMatches(*filter.selector, labels)) return false;
  }
  return true;
}

size_t Evaluator::Evaluate(const ObjectRecord& object, const ExtractedBatch& batch,
                           std::vector<Violation>* out, StringArena* arena) const {
  if (!object.error.empty()) return 0;
  const size_t first = out->size();
  MatchTarget target;
  target.group = SplitApiVersion(object.api_version).first;
  target.kind = object.kind;
  target.ns = object.ns;
  target.name = object.name;
  target.labels = std::span<const Label>(batch.labels.data() + object.labels.begin, object.labels.size());
  const std::span<const ContainerRef> containers(batch.containers.data() + object.containers.begin,
                                                 object.containers.size());
  std::string match_error;
  for (uint32_t ci = 0; ci < policy_.constraints.size(); ++ci) {
    const Constraint& constraint = policy_.constraints[ci];
    match_error.clear();
    const MatchOutcome outcome = Matches(constraint.match, target, policy_.namespaces, &match_error);
    if (outcome == MatchOutcome::kNoMatch) continue;
    Violation base;
    base.constraint = ci;
    base.action = constraint.action;
    base.effective = effective_[ci];
    if (outcome == MatchOutcome::kError) {
      base.is_match_error = true;
      base.message = arena->Copy(match_error);
      out->push_back(base);
      continue;
    }
    if (!constraint.has_list) continue;  // the Rego's sprintf of an undefined list is undefined
    const ConstraintTemplate& tmpl = policy_.templates[constraint.template_index];
    for (const ContainerRef& container : containers) {
      const auto& rule = tmpl.rules[static_cast<int>(container.list)];
      if (!rule.has_value()) continue;
      if (container.image_is_string && allowlists_[ci].Allows(container.image)) continue;
      Violation v = base;
      v.list = container.list;
      v.container_name = container.name;
      v.image = container.image;
      v.message = RenderMessage(*rule, {}, container.name, container.image,
                                constraint.entries_rendered, arena);
      out->push_back(v);
    }
  }
  const auto begin = out->begin() + static_cast<ptrdiff_t>(first);
  std::stable_sort(begin, out->end(), ViolationOrder);
  // Rego's violation set holds each message once per constraint. After the
  // stable sort, a constraint's duplicates sit next to each other.
  out->erase(std::unique(begin, out->end(),
                         [](const Violation& a, const Violation& b) {
                           return a.constraint == b.constraint && a.action == b.action &&
                                  a.message == b.message;
                         }),
             out->end());
  return out->size() - first;
}

}  // namespace gatescan
