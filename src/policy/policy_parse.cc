#include "gatescan/policy/policy_parse.h"

#include <algorithm>
#include <cctype>

#include "gatescan/common/quote.h"

namespace gatescan::policy_parse {

bool IsString(const YAML::Node& n) { return n.IsScalar() && n.Tag() == "!"; }

std::string TypeName(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "null";
  if (n.IsSequence()) return "an array";
  if (n.IsMap()) return "an object";
  if (IsString(n)) return "a string";
  const std::string& s = n.Scalar();
  if (s == "true" || s == "false") return "a boolean";
  return "a number";
}

// A child of an object, or null: never throws and never inserts.
// With duplicate keys the last one wins, as in the Go decoder Gatekeeper uses.
YAML::Node Child(const YAML::Node& n, const std::string& key) {
  YAML::Node found;
  if (!n.IsMap()) return found;
  for (const auto& kv : n) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) found.reset(kv.second);
  }
  return found;
}

bool HasKey(const YAML::Node& n, const std::string& key) {
  if (!n.IsMap()) return false;
  for (const auto& kv : n) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return true;
  }
  return false;
}

YAML::Node Path(const YAML::Node& n, std::initializer_list<const char*> keys) {
  YAML::Node at = n;
  // Node::operator= would write through to the tree; reset() rebinds.
  for (const char* key : keys) at.reset(Child(at, key));
  return at;
}

bool Present(const YAML::Node& n) { return n.IsDefined() && !n.IsNull(); }

Status ParseAction(const Reader& r, const YAML::Node& n, const std::string& field,
                   EnforcementAction* out, bool* present) {
  std::string text;
  GS_RETURN_IF_ERROR(r.String(n, field, &text, false));
  if (present != nullptr) *present = !text.empty();
  if (text.empty() || text == "deny") {
    *out = EnforcementAction::kDeny;
  } else if (text == "dryrun") {
    *out = EnforcementAction::kDryrun;
  } else if (text == "warn") {
    *out = EnforcementAction::kWarn;
  } else if (text == "scoped") {
    *out = EnforcementAction::kScoped;
  } else {
    std::string quoted;
    AppendGoQuoted(text, &quoted);
    return r.Fail(field + " " + quoted + " is not one of deny, dryrun, warn, scoped");
  }
  return Status::Ok();
}

static Status ParseSelector(const Reader& r, const YAML::Node& n, const std::string& field,
                            std::optional<LabelSelector>* out) {
  if (!Present(n)) return Status::Ok();
  GS_RETURN_IF_ERROR(r.Map(n, field));
  LabelSelector selector;
  GS_RETURN_IF_ERROR(
      r.StringMap(Path(n, {"matchLabels"}), field + ".matchLabels", &selector.match_labels));
  const YAML::Node expressions = Path(n, {"matchExpressions"});
  if (Present(expressions)) {
    if (!expressions.IsSequence())
      return r.Wrong(field + ".matchExpressions", "an array", expressions);
    for (size_t i = 0; i < expressions.size(); ++i) {
      const std::string item = field + ".matchExpressions[" + std::to_string(i) + "]";
      const YAML::Node e = expressions[i];
      if (!e.IsMap()) return r.Wrong(item, "an object", e);
      LabelRequirement req;
      std::string op;
      GS_RETURN_IF_ERROR(r.String(Path(e, {"key"}), item + ".key", &req.key, true));
      GS_RETURN_IF_ERROR(r.String(Path(e, {"operator"}), item + ".operator", &op, true));
      GS_RETURN_IF_ERROR(r.Strings(Path(e, {"values"}), item + ".values", &req.values));
      if (op == "In" || op == "NotIn") {
        req.op = op == "In" ? LabelRequirement::Op::kIn : LabelRequirement::Op::kNotIn;
        if (req.values.empty())
          return r.Fail(item + ".values must not be empty for operator " + op);
      } else if (op == "Exists" || op == "DoesNotExist") {
        req.op =
            op == "Exists" ? LabelRequirement::Op::kExists : LabelRequirement::Op::kDoesNotExist;
        if (!req.values.empty()) return r.Fail(item + ".values must be empty for operator " + op);
      } else {
        return r.Fail(item + ".operator \"" + op +
                      "\" is not one of In, NotIn, Exists, DoesNotExist");
      }
      selector.match_expressions.push_back(std::move(req));
    }
  }
  *out = std::move(selector);
  return Status::Ok();
}

Status ParseMatch(const Reader& r, const YAML::Node& n, MatchSpec* out) {
  if (!Present(n)) return Status::Ok();
  GS_RETURN_IF_ERROR(r.Map(n, "spec.match"));
  const YAML::Node kinds = Path(n, {"kinds"});
  if (Present(kinds)) {
    if (!kinds.IsSequence()) return r.Wrong("spec.match.kinds", "an array", kinds);
    for (size_t i = 0; i < kinds.size(); ++i) {
      const std::string item = "spec.match.kinds[" + std::to_string(i) + "]";
      if (!kinds[i].IsMap()) return r.Wrong(item, "an object", kinds[i]);
      KindSelector selector;
      GS_RETURN_IF_ERROR(
          r.Strings(Path(kinds[i], {"apiGroups"}), item + ".apiGroups", &selector.api_groups));
      GS_RETURN_IF_ERROR(r.Strings(Path(kinds[i], {"kinds"}), item + ".kinds", &selector.kinds));
      out->kinds.push_back(std::move(selector));
    }
  }
  // An absent field takes the first value.
  GS_RETURN_IF_ERROR(r.Enum(Path(n, {"scope"}), "spec.match.scope",
                            {{"*", MatchScope::kAny},
                             {"Cluster", MatchScope::kCluster},
                             {"Namespaced", MatchScope::kNamespaced}},
                            &out->scope));
  GS_RETURN_IF_ERROR(r.Enum(Path(n, {"source"}), "spec.match.source",
                            {{"All", MatchSource::kAll},
                             {"Original", MatchSource::kOriginal},
                             {"Generated", MatchSource::kGenerated}},
                            &out->source));
  GS_RETURN_IF_ERROR(r.Strings(Path(n, {"namespaces"}), "spec.match.namespaces", &out->namespaces));
  GS_RETURN_IF_ERROR(r.Strings(Path(n, {"excludedNamespaces"}), "spec.match.excludedNamespaces",
                               &out->excluded_namespaces));
  GS_RETURN_IF_ERROR(ParseSelector(r, Path(n, {"labelSelector"}), "spec.match.labelSelector",
                                   &out->label_selector));
  GS_RETURN_IF_ERROR(ParseSelector(r, Path(n, {"namespaceSelector"}),
                                   "spec.match.namespaceSelector", &out->namespace_selector));
  GS_RETURN_IF_ERROR(r.String(Path(n, {"name"}), "spec.match.name", &out->name, false));
  return Status::Ok();
}

}  // namespace gatescan::policy_parse
