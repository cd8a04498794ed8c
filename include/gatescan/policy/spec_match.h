// spec_match.h — which objects a constraint sees (Gatekeeper's spec.match).
//
// Plain data describing a constraint's `spec.match` (built by the policy
// loader) and the pure functions that decide it for one object: kinds
// (apiGroups x kinds, "*" wildcards, core group ""), scope (Cluster,
// Namespaced, *), namespaces / excludedNamespaces (exact, prefix*, *suffix,
// *contains*), labelSelector, namespaceSelector (needs the Namespace's labels;
// an unknown Namespace yields Gatekeeper's own error, not a silent pass) and
// name. Also the kubectl-style `-l` selector used to filter objects.
// Everything here is immutable after construction and safe to call from any
// thread.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gatescan/common/status.h"
#include "gatescan/extract/extract.h"

namespace gatescan {

struct LabelRequirement {
  enum class Op { kIn, kNotIn, kExists, kDoesNotExist, kEquals, kNotEquals };
  std::string key;
  Op op = Op::kExists;
  std::vector<std::string> values;
  bool operator==(const LabelRequirement&) const = default;
};

// metav1.LabelSelector: matchLabels AND every matchExpression. An empty
// selector matches everything.
struct LabelSelector {
  std::vector<std::pair<std::string, std::string>> match_labels;
  std::vector<LabelRequirement> match_expressions;
  bool operator==(const LabelSelector&) const = default;
};

struct KindSelector {
  std::vector<std::string> api_groups;  // "" is the core group, "*" any
  std::vector<std::string> kinds;       // "*" any
  bool operator==(const KindSelector&) const = default;
};

enum class MatchScope { kAny, kCluster, kNamespaced };

// spec.match.source: objects as they are (Original), the objects expansion
// implies from their templates (Generated), or both (All, the default).
enum class MatchSource { kAll, kOriginal, kGenerated };

struct MatchSpec {
  std::vector<KindSelector> kinds;  // empty: every kind
  MatchScope scope = MatchScope::kAny;
  MatchSource source = MatchSource::kAll;
  std::vector<std::string> namespaces;  // empty: every namespace
  std::vector<std::string> excluded_namespaces;
  std::optional<LabelSelector> label_selector;
  std::optional<LabelSelector> namespace_selector;
  std::string name;  // empty: any name; wildcards as for namespaces
  // Equal specs decide every object alike (Matches is a pure function).
  bool operator==(const MatchSpec&) const = default;
};

// Labels of the Namespaces the user supplied (from --policy files).
class NamespaceIndex {
 public:
  void Add(std::string name, std::vector<std::pair<std::string, std::string>> labels);
  // nullptr when the Namespace is unknown.
  const std::vector<std::pair<std::string, std::string>>* Find(std::string_view name) const;
  size_t size() const { return namespaces_.size(); }

 private:
  std::map<std::string, std::vector<std::pair<std::string, std::string>>, std::less<>> namespaces_;
};

// What the matcher needs to know about one object.
struct MatchTarget {
  std::string_view group;  // API group from apiVersion ("" for "v1")
  std::string_view kind;
  std::string_view ns;  // metadata.namespace ("" for cluster-scoped objects)
  std::string_view name;
  std::span<const Label> labels;
  // metadata.generateName; a `name` glob also matches it when it is a prefix
  // ("x*") or contains ("*x*") glob (Gatekeeper >= 3.14). May stay empty.
  std::string_view generate_name;
  // An object implied by expansion (a Deployment's pod template) rather
  // than one read from the input.
  bool generated = false;
  // gator reviews a cluster-scoped object together with an empty, unlabelled
  // Namespace (pkg/gator NamespaceForResource); an audit passes none. With
  // the empty Namespace, scope Cluster rejects the object, Namespaced accepts
  // it, namespaces / excludedNamespaces see the name "" and a
  // namespaceSelector sees no labels.
  bool empty_namespace_for_cluster_objects = false;
};

enum class MatchOutcome { kMatch, kNoMatch, kError };

// Decides spec.match for one object. On kError, *error holds the message
// Gatekeeper would report for that object (e.g. a namespaceSelector on an
// object whose Namespace is unknown).
MatchOutcome Matches(const MatchSpec& spec, const MatchTarget& target,
                     const NamespaceIndex& namespaces, std::string* error);

// Gatekeeper's namespace/name wildcard: exact, "prefix*", "*suffix", "*contains*".
bool WildcardMatches(std::string_view pattern, std::string_view value);

bool SelectorMatches(const LabelSelector& selector, std::span<const Label> labels);
bool SelectorMatches(const LabelSelector& selector,
                     const std::vector<std::pair<std::string, std::string>>& labels);

// The checks metav1.LabelSelectorAsSelector makes (valid keys and values,
// In/NotIn with values, Exists/DoesNotExist without); Gatekeeper refuses a
// constraint whose selector fails them. For the policy loader.
Status ValidateLabelSelector(const LabelSelector& selector);

// kubectl's -l syntax: "a=b,c!=d,e in (x,y),f notin (z),g,!h" ("==" too).
Status ParseLabelSelector(std::string_view text, LabelSelector* out);

}  // namespace gatescan
