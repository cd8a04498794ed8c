#include "gatescan/evaluate/evaluate.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <span>

#include "gatescan/common/k8s_names.h"

namespace gatescan {
namespace {

AllowlistSemantics SemanticsOf(RepoPredicate predicate, MatchMode mode) {
  if (mode == MatchMode::kReference) return AllowlistSemantics::kReference;
  return predicate == RepoPredicate::kExactOrGlob ? AllowlistSemantics::kExactOrGlob
                                                  : AllowlistSemantics::kPrefix;
}

std::string_view RenderMessage(const MessageFormat& format, std::string_view implied_by,
                               std::string_view name, std::string_view image, std::string_view list,
                               StringArena* arena) {
  constexpr std::string_view kImpliedOpen = "[Implied by ", kImpliedClose = "] ";
  const bool implied = !implied_by.empty();
  size_t size = implied ? kImpliedOpen.size() + implied_by.size() + kImpliedClose.size() : 0;
  for (const auto& literal : format.literals) size += literal.size();
  for (const auto arg : format.args) {
    size += arg == MessageFormat::Arg::kName    ? name.size()
            : arg == MessageFormat::Arg::kImage ? image.size()
                                                : list.size();
  }
  char* out = arena->Allocate(size);
  char* p = out;
  auto put = [&p](std::string_view s) {
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    p += s.size();
  };
  if (implied) {
    put(kImpliedOpen);
    put(implied_by);
    put(kImpliedClose);
  }
  for (size_t i = 0; i < format.args.size(); ++i) {
    put(format.literals[i]);
    const auto arg = format.args[i];
    put(arg == MessageFormat::Arg::kName ? name : arg == MessageFormat::Arg::kImage ? image : list);
  }
  put(format.literals.back());
  return {out, size};
}

std::string_view Prefixed(std::string_view template_name, std::string_view message,
                          StringArena* arena) {
  if (template_name.empty()) return arena->Copy(message);
  std::string text = "[Implied by " + std::string(template_name) + "] " + std::string(message);
  return arena->Copy(text);
}

template <typename T>
std::span<const T> Slice(const std::vector<T>& v, IndexRange r) {
  return std::span<const T>(v.data() + r.begin, r.size());
}

bool ViolationOrder(const Violation& a, const Violation& b) {
  if (a.action != b.action) return a.action < b.action;
  return a.message < b.message;
}

// std::stable_sort, without the temporary buffer it allocates on every call:
// an object has a handful of violations (none, mostly), so a stable
// insertion sort does it; many go to std::stable_sort.
void StableSortFew(std::vector<Violation>::iterator begin, std::vector<Violation>::iterator end) {
  constexpr ptrdiff_t kFew = 16;
  if (end - begin > kFew) {
    std::stable_sort(begin, end, ViolationOrder);
    return;
  }
  for (auto i = begin + (begin != end); i < end; ++i) {
    if (!ViolationOrder(*i, *(i - 1))) continue;
    const Violation moving = *i;
    auto j = i;
    do {
      *j = *(j - 1);
      --j;
    } while (j != begin && ViolationOrder(moving, *(j - 1)));
    *j = moving;
  }
}

bool IsNamespaceObject(const ObjectRecord& object) {
  return object.kind == "Namespace" && k8s::SplitApiVersion(object.api_version).group.empty();
}

// A rule whose check or message reads the constraint's list yields nothing
// when the constraint has none (the Rego's reference is undefined).
bool RuleNeedsList(const ImageRule& rule) {
  if (rule.check == ImageCheck::kDisallowedPrefix || rule.check == ImageCheck::kTagSuffixEndswith ||
      rule.check == ImageCheck::kTagAnySuffixMatch) {
    return true;
  }
  return std::find(rule.message.args.begin(), rule.message.args.end(), MessageFormat::Arg::kList) !=
         rule.message.args.end();
}

bool AnyWildcardMatches(const std::vector<std::string>& patterns, std::string_view value) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [value](const std::string& p) { return WildcardMatches(p, value); });
}

}  // namespace

bool IsDenying(const Violation& v) { return v.effective == EnforcementAction::kDeny; }

bool ListsEnforcementPoint(const ScopedEnforcementAction& scoped, std::string_view point) {
  return std::any_of(scoped.enforcement_points.begin(), scoped.enforcement_points.end(),
                     [point](const std::string& p) { return p == point || p == "*"; });
}

std::vector<std::string_view> ScopedActionsAt(const Constraint& c, std::string_view point) {
  std::vector<std::string_view> actions;
  for (const auto& scoped : c.scoped_actions) {
    if (ListsEnforcementPoint(scoped, point)) actions.push_back(scoped.action);
  }
  return actions;
}

// Gatekeeper evaluates a scoped constraint at an enforcement point only when
// one of its scopedEnforcementActions lists that point (or "*").
bool AppliesAt(const Constraint& c, std::string_view point) {
  if (c.action != EnforcementAction::kScoped) return true;
  return std::any_of(
      c.scoped_actions.begin(), c.scoped_actions.end(),
      [point](const ScopedEnforcementAction& s) { return ListsEnforcementPoint(s, point); });
}

// A scoped constraint takes the strongest of the actions listed for the point.
EnforcementAction EffectiveActionAt(const Constraint& c, std::string_view point) {
  if (c.action != EnforcementAction::kScoped) return c.action;
  bool warn = false;
  for (const std::string_view action : ScopedActionsAt(c, point)) {
    if (action == "deny") return EnforcementAction::kDeny;
    if (action == "warn") warn = true;
  }
  return warn ? EnforcementAction::kWarn : EnforcementAction::kDryrun;
}

int64_t Evaluator::MatchingEntry(uint32_t constraint, std::string_view image) const {
  return allowlists_[constraint].MatchingEntry(image);
}

// strings.any_prefix_match(array, repos): true when some element has some
// entry as a prefix; an empty array has none.
bool Evaluator::AnyElementAllowed(uint32_t constraint, std::span<const std::string_view> elements,
                                  IndexRange range) const {
  for (uint32_t i = range.begin; i < range.end; ++i) {
    if (MatchingEntry(constraint, elements[i]) >= 0) return true;
  }
  return false;
}

int64_t Evaluator::TagEntry(uint32_t constraint, std::string_view image) const {
  for (size_t colon = image.find(':'); colon != std::string_view::npos;
       colon = image.find(':', colon + 1)) {
    const int64_t id = tags_[constraint].Find(image.substr(colon + 1));
    if (id >= 0) return id;
  }
  return -1;
}

// Each check is the Rego statement's value under OPA's rules: a built-in
// given a non-string is undefined (startswith, endswith, contains, split,
// regex.match); `not` of that is true; an array literal holding it makes the
// rule undefined; strings.any_suffix_match also takes an array of strings
// (any element), and any other array is undefined.
bool Evaluator::RuleFlags(uint32_t ci, const ImageRule& rule, const ContainerRef& container,
                          std::span<const std::string_view> elements, int64_t* entry) const {
  *entry = -1;
  const bool is_string = container.image_is_string;
  const std::string_view image = container.image;
  switch (rule.check) {
    case ImageCheck::kDisallowedPrefix:
      return is_string && (*entry = MatchingEntry(ci, image)) >= 0;
    case ImageCheck::kTagSuffixEndswith:
      return is_string && (*entry = TagEntry(ci, image)) >= 0;
    case ImageCheck::kTagAnySuffixMatch:
      if (is_string) return (*entry = TagEntry(ci, image)) >= 0;
      if (!container.image_is_string_array) return false;
      for (uint32_t i = container.image_elements.begin; i < container.image_elements.end; ++i) {
        if ((*entry = TagEntry(ci, elements[i])) >= 0) return true;
      }
      return false;
    case ImageCheck::kNoColonArrayLiteral:
      return is_string && image.find(':') == std::string_view::npos;
    case ImageCheck::kNotContainsColon:
      return !is_string || image.find(':') == std::string_view::npos;
    case ImageCheck::kLastComponentNoColon: {
      if (!is_string) return false;
      const size_t slash = image.rfind('/');
      const std::string_view last =
          slash == std::string_view::npos ? image : image.substr(slash + 1);
      return last.find(':') == std::string_view::npos;
    }
    case ImageCheck::kDigestArrayLiteral:
      return is_string && !HasImageDigest(image);
    case ImageCheck::kNotDigest:
      return !is_string || !HasImageDigest(image);
  }
  return false;
}

std::vector<ImageVerdict> Evaluator::Verdicts(std::string_view image) const {
  std::vector<ImageVerdict> verdicts;
  for (uint32_t ci = 0; ci < policy_.constraints.size(); ++ci) {
    ImageVerdict v;
    v.constraint = ci;
    const Constraint& c = policy_.constraints[ci];
    const ConstraintTemplate& tmpl = policy_.templates[c.template_index];
    if (tmpl.family != ImageFamily::kAllowedRepos) {
      ContainerRef container;
      container.image = image;
      v.allowed = true;
      for (size_t r = 0; r < tmpl.image_rules.size() && v.allowed; ++r) {
        const ImageRule& rule = tmpl.image_rules[r];
        if (!c.has_list && RuleNeedsList(rule)) continue;
        if (rule.exempt) {
          const int64_t exempt = exemptions_[ci].MatchingEntry(image);
          if (exempt >= 0) {
            v.exempt_entry = exempt;
            continue;
          }
        }
        int64_t entry = -1;
        if (RuleFlags(ci, rule, container, {}, &entry)) {
          v.allowed = false;
          v.rule = static_cast<int>(r);
          v.entry = entry;
        }
      }
      verdicts.push_back(v);
      continue;
    }
    v.entry = MatchingEntry(ci, image);
    // Without a list the Rego's message is undefined: nothing is flagged.
    v.allowed = v.entry >= 0 || !policy_.constraints[ci].has_list;
    verdicts.push_back(v);
  }
  return verdicts;
}

std::vector<std::string> Evaluator::Warnings() const {
  if (options_.match == MatchMode::kGatekeeper) return policy_.warnings;
  std::vector<std::string> warnings;
  // The raw-prefix warnings do not apply here; the skipped-templates notice does.
  if (!policy_.skipped_notice.empty()) warnings.push_back(policy_.skipped_notice);
  for (size_t ci = 0; ci < allowlists_.size(); ++ci) {
    const Constraint& c = policy_.constraints[ci];
    for (const auto& invalid : allowlists_[ci].invalid_entries()) {
      warnings.push_back("allowlist entry " + invalid + " (" + c.kind + "/" + c.name +
                         ") is not an image reference and allows nothing in --match reference");
    }
  }
  return warnings;
}

Evaluator::Evaluator(const Policy& policy, EvaluateOptions options)
    : policy_(policy), options_(std::move(options)) {
  expansions_ = policy_.expansions.empty() ? BuiltinExpansionTemplates() : policy_.expansions;
  for (const ExpansionTemplate& t : expansions_) {
    for (const KindSelector& gk : t.apply_to_groups_kinds) {
      expansion_kinds_.insert(expansion_kinds_.end(), gk.kinds.begin(), gk.kinds.end());
    }
  }
  std::sort(expansion_kinds_.begin(), expansion_kinds_.end());
  expansion_paths_ = ExpansionPaths(expansions_);
  gator_ = options_.enforcement_point == kGatorEnforcementPoint;
  allowlists_.reserve(policy_.constraints.size());
  effective_.reserve(policy_.constraints.size());
  for (const auto& constraint : policy_.constraints) {
    const auto& tmpl = policy_.templates[constraint.template_index];
    // Allow and deny repository lists share the prefix engine; tags and
    // digests have no prefix list.
    const bool prefix_list =
        tmpl.family == ImageFamily::kAllowedRepos || tmpl.family == ImageFamily::kDisallowedRepos;
    static const std::vector<std::string> kNone;
    const std::vector<std::string>& entries = prefix_list ? constraint.entries : kNone;
    allowlists_.emplace_back(entries, SemanticsOf(tmpl.predicate, options_.match));
    PrefixTrie::Builder tags;
    if (tmpl.family == ImageFamily::kDisallowedTags) {
      // The first of equal tags decides, as the first entry does in a list.
      for (uint32_t i = static_cast<uint32_t>(constraint.entries.size()); i-- > 0;) {
        tags.Add(constraint.entries[i], i);
      }
    }
    tags_.push_back(std::move(tags).Build());
    exemptions_.emplace_back(constraint.exempt_images, AllowlistSemantics::kExactOrGlob);
    effective_.push_back(EffectiveActionAt(constraint, options_.enforcement_point));
    applies_.push_back(AppliesAt(constraint, options_.enforcement_point));
  }
  for (uint32_t ci = 0; ci < policy_.constraints.size(); ++ci) {
    uint32_t first = 0;
    while (!(policy_.constraints[first].match == policy_.constraints[ci].match)) ++first;
    same_match_.push_back(first);
  }
}

bool Evaluator::Selected(const ObjectRecord& object, const ExtractedBatch& batch) const {
  const ScanFilter& filter = options_.filter;
  if (!filter.namespaces.empty() && !AnyWildcardMatches(filter.namespaces, object.ns)) return false;
  if (!object.ns.empty() && AnyWildcardMatches(filter.excluded_namespaces, object.ns)) return false;
  // Gatekeeper's Config exclusion looks at a Namespace object's own name. It
  // belongs to the audit process: gator reads no Config.
  const std::string_view ns = IsNamespaceObject(object) ? object.name : object.ns;
  if (!gator_ && !ns.empty() && AnyWildcardMatches(policy_.excluded_namespaces, ns)) return false;
  if (filter.selector.has_value()) {
    const std::span<const Label> labels(batch.labels.data() + object.labels.begin,
                                        object.labels.size());
    if (!SelectorMatches(*filter.selector, labels)) return false;
  }
  return true;
}

// Applies every constraint to one reviewed object (the object itself or an
// object implied by expansion) and appends what it finds.
void Evaluator::Review(const ReviewedObject& reviewed, std::vector<Violation>* out,
                       StringArena* arena) const {
  std::string match_error;
  // Outcomes of the first kDecided constraints, for the later ones with an
  // equal spec.match (same_match_); an error is decided again for its message.
  constexpr uint32_t kDecided = 64;
  std::array<std::optional<MatchOutcome>, kDecided> decided;
  for (uint32_t ci = 0; ci < policy_.constraints.size(); ++ci) {
    const Constraint& constraint = policy_.constraints[ci];
    if (!applies_[ci]) continue;
    match_error.clear();
    const uint32_t same = same_match_[ci];
    MatchOutcome outcome;
    if (same < kDecided && decided[same].has_value() && *decided[same] != MatchOutcome::kError) {
      outcome = *decided[same];
    } else {
      outcome = Matches(constraint.match, reviewed.target, policy_.namespaces, &match_error);
    }
    if (ci < kDecided) decided[ci] = outcome;
    if (outcome == MatchOutcome::kNoMatch) continue;
    Violation base;
    base.constraint = ci;
    base.action = reviewed.action_override.value_or(constraint.action);
    base.effective =
        reviewed.action_override.has_value() ? *reviewed.action_override : effective_[ci];
    base.implied_by = reviewed.implied_by;
    if (outcome == MatchOutcome::kError) {
      base.is_match_error = true;
      base.message = Prefixed(reviewed.implied_by, match_error, arena);
      out->push_back(base);
      continue;
    }
    const ConstraintTemplate& tmpl = policy_.templates[constraint.template_index];
    if (tmpl.family != ImageFamily::kAllowedRepos) {
      ReviewDeny(ci, base, reviewed, out, arena);
      continue;
    }
    if (!constraint.has_list) continue;  // the Rego's sprintf of an undefined list is undefined
    for (const ContainerRef& container : reviewed.containers) {
      const auto& rule = tmpl.rules[static_cast<int>(container.list)];
      if (!rule.has_value()) continue;
      if (container.image_is_string && MatchingEntry(ci, container.image) >= 0) continue;
      if (container.image_is_string_array &&
          tmpl.image_arrays_match_any[static_cast<int>(container.list)] &&
          AnyElementAllowed(ci, reviewed.image_elements, container.image_elements)) {
        continue;
      }
      Violation v = base;
      v.list = container.list;
      v.container_name = container.name;
      v.image = container.image;
      v.message = RenderMessage(*rule, reviewed.implied_by, container.name, container.image,
                                constraint.entries_rendered, arena);
      v.format = &*rule;
      out->push_back(v);
    }
  }
}

// The deny-side families: every rule over every container of its lists.
void Evaluator::ReviewDeny(uint32_t ci, const Violation& base, const ReviewedObject& reviewed,
                           std::vector<Violation>* out, StringArena* arena) const {
  const Constraint& constraint = policy_.constraints[ci];
  const ConstraintTemplate& tmpl = policy_.templates[constraint.template_index];
  for (const ImageRule& rule : tmpl.image_rules) {
    if (!constraint.has_list && RuleNeedsList(rule)) continue;
    for (const ContainerRef& container : reviewed.containers) {
      if ((rule.lists & (1u << static_cast<int>(container.list))) == 0) continue;
      // Exemptions compare strings: `==` and startswith never exempt another type.
      if (rule.exempt && container.image_is_string &&
          exemptions_[ci].MatchingEntry(container.image) >= 0) {
        continue;
      }
      int64_t entry = -1;
      if (!RuleFlags(ci, rule, container, reviewed.image_elements, &entry)) continue;
      Violation v = base;
      v.list = container.list;
      v.container_name = container.name;
      v.image = container.image;
      v.message = RenderMessage(rule.message, reviewed.implied_by, container.name, container.image,
                                constraint.entries_rendered, arena);
      v.format = &rule.message;
      out->push_back(v);
    }
  }
}

size_t Evaluator::Evaluate(const ObjectRecord& object, const ExtractedBatch& batch,
                           std::vector<Violation>* out, StringArena* arena,
                           std::string_view* expansion_error) const {
  if (expansion_error != nullptr) *expansion_error = {};
  if (!object.error.empty()) return 0;
  const size_t first = out->size();
  ReviewedObject reviewed;
  reviewed.target.group = k8s::SplitApiVersion(object.api_version).group;
  reviewed.target.kind = object.kind;
  reviewed.target.ns = object.ns;
  reviewed.target.name = object.name;
  reviewed.target.generate_name = object.generate_name;
  reviewed.target.empty_namespace_for_cluster_objects = gator_;
  reviewed.target.labels = Slice(batch.labels, object.labels);
  reviewed.containers = Slice(batch.containers, object.containers);
  reviewed.image_elements = batch.image_elements;
  Review(reviewed, out, arena);
  if (options_.expand) {
    if (const std::string error = ReviewImplied(object, batch, out, arena); !error.empty()) {
      out->resize(first);
      if (expansion_error != nullptr) *expansion_error = arena->Copy(error);
      return 0;
    }
  }

  const auto begin = out->begin() + static_cast<ptrdiff_t>(first);
  StableSortFew(begin, out->end());
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
