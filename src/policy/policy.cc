#include "gatescan/policy/policy.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <regex>
#include <set>
#include <sstream>
#include <system_error>

#include "gatescan/common/quote.h"
#include "gatescan/input/yaml_json.h"
#include "gatescan/policy/image_rego.h"

namespace gatescan {
namespace {

constexpr std::string_view kAdmissionTarget = "admission.k8s.gatekeeper.sh";

// ---------------------------------------------------------------------------
// Reading JSON-shaped YAML nodes. Documents are converted to JSON first (the
// same Kubernetes typing as the scan input), then read back: in that text
// every string is quoted, so a scalar's tag tells strings from numbers and
// booleans without a second resolver.

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

// Errors about one object: "<source>: <what>: <field> must be ...".
class Reader {
 public:
  Reader(std::string source, std::string what)
      : source_(std::move(source)), what_(std::move(what)) {}

  Status Fail(const std::string& message) const {
    return Status::Error(source_ + ": " + (what_.empty() ? "" : what_ + ": ") + message);
  }
  Status Wrong(const std::string& field, const std::string& expected, const YAML::Node& n) const {
    return Fail(field + " must be " + expected + ", not " + TypeName(n));
  }

  Status String(const YAML::Node& n, const std::string& field, std::string* out,
                bool required) const {
    if (!Present(n)) return required ? Fail(field + " is required") : Status::Ok();
    if (!IsString(n)) return Wrong(field, "a string", n);
    *out = n.Scalar();
    return Status::Ok();
  }

  // A string field with a fixed set of values; absent or "" means the first.
  template <typename E>
  Status Enum(const YAML::Node& n, const std::string& field,
              std::initializer_list<std::pair<std::string_view, E>> values, E* out) const {
    std::string text;
    if (Status status = String(n, field, &text, false); !status.ok()) return status;
    if (text.empty()) text = values.begin()->first;
    std::string names;
    for (const auto& [name, value] : values) {
      if (name == text) {
        *out = value;
        return Status::Ok();
      }
      names += (names.empty() ? "" : ", ") + std::string(name);
    }
    return Fail(field + " \"" + text + "\" is not one of " + names);
  }

  Status Strings(const YAML::Node& n, const std::string& field,
                 std::vector<std::string>* out) const {
    out->clear();
    if (!Present(n)) return Status::Ok();
    if (!n.IsSequence()) return Wrong(field, "an array of strings", n);
    for (size_t i = 0; i < n.size(); ++i) {
      if (!IsString(n[i])) {
        return Fail(field + " must be an array of strings, item " + std::to_string(i) + " is " +
                    TypeName(n[i]));
      }
      out->push_back(n[i].Scalar());
    }
    return Status::Ok();
  }

  Status StringMap(const YAML::Node& n, const std::string& field,
                   std::vector<std::pair<std::string, std::string>>* out) const {
    out->clear();
    if (!Present(n)) return Status::Ok();
    if (!n.IsMap()) return Wrong(field, "an object", n);
    for (const auto& kv : n) {
      const std::string key = kv.first.Scalar();
      if (!IsString(kv.second)) return Wrong(field + "." + key, "a string", kv.second);
      out->emplace_back(key, kv.second.Scalar());
    }
    return Status::Ok();
  }

  Status Map(const YAML::Node& n, const std::string& field) const {
    if (Present(n) && !n.IsMap()) return Wrong(field, "an object", n);
    return Status::Ok();
  }

 private:
  std::string source_;
  std::string what_;
};

#define GS_RETURN_IF_ERROR(expr)       \
  do {                                 \
    Status _status = (expr);           \
    if (!_status.ok()) return _status; \
  } while (0)

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

Status ParseSelector(const Reader& r, const YAML::Node& n, const std::string& field,
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

// One policy object and where it came from.
struct PolicyObject {
  std::string file;
  std::string source;  // "file (document N)" or "file (document N, item M)"
  YAML::Node node;
};

std::string GroupOf(const std::string& api_version) {
  const size_t slash = api_version.find('/');
  return slash == std::string::npos ? "" : api_version.substr(0, slash);
}

Status ListPolicyFiles(const std::vector<std::string>& paths, std::vector<std::string>* files) {
  namespace fs = std::filesystem;
  for (const auto& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<std::string> found;
      fs::recursive_directory_iterator it(path, fs::directory_options::follow_directory_symlink,
                                          ec);
      for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        const std::string ext = it->path().extension().string();
        if (ext == ".yaml" || ext == ".yml" || ext == ".json") found.push_back(it->path().string());
      }
      if (ec) return Status::Error(path + ": " + ec.message());
      std::sort(found.begin(), found.end());
      files->insert(files->end(), found.begin(), found.end());
    } else if (fs::exists(path, ec)) {
      files->push_back(path);
    } else {
      return Status::Error(path + ": no such file or directory");
    }
  }
  return Status::Ok();
}

Status ReadPolicyFile(const std::string& file, std::vector<PolicyObject>* objects) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::Error(file + ": cannot open for reading");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::Error(file + ": read error");
  std::vector<std::string> documents;
  Status s = YamlToJsonDocuments(text.str(), &documents);
  if (!s.ok()) return Status::Error(file + ": " + s.message());
  for (size_t d = 0; d < documents.size(); ++d) {
    const std::string source = file + " (document " + std::to_string(d + 1);
    YAML::Node node;
    try {
      node.reset(YAML::Load(documents[d]));
    } catch (const std::exception& e) {
      return Status::Error(source + "): " + e.what());
    }
    const YAML::Node items = Child(node, "items");
    const YAML::Node kind = Child(node, "kind");
    const bool is_list = IsString(kind) && kind.Scalar().ends_with("List") && HasKey(node, "items");
    if (!is_list) {
      objects->push_back({file, source + ")", node});
      continue;
    }
    if (items.IsNull()) continue;
    if (!items.IsSequence())
      return Status::Error(source + "): items must be an array, not " + TypeName(items));
    for (size_t i = 0; i < items.size(); ++i) {
      objects->push_back({file, source + ", item " + std::to_string(i + 1) + ")", items[i]});
    }
  }
  return Status::Ok();
}

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
      GS_RETURN_IF_ERROR(c.Strings(Child(parameters, "exemptImages"),
                                   "spec.parameters.exemptImages", &out->exempt_images));
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
  return Status::Ok();
}

Status ParseNamespace(const PolicyObject& object, Policy* policy) {
  Reader r(object.source, "Namespace");
  std::string name;
  GS_RETURN_IF_ERROR(
      r.String(Path(object.node, {"metadata", "name"}), "metadata.name", &name, true));
  std::vector<std::pair<std::string, std::string>> labels;
  GS_RETURN_IF_ERROR(
      Reader(object.source, "Namespace/" + name)
          .StringMap(Path(object.node, {"metadata", "labels"}), "metadata.labels", &labels));
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

// An entry that is a raw prefix of more than it seems: "docker.io" also allows
// "docker.io.evil.com/x". Entries ending in '/' or holding a tag or digest
// separator are bounded.
bool IsBypassablePrefix(std::string_view entry) {
  return !entry.empty() && entry.back() != '/' &&
         entry.find_first_of(":@") == std::string_view::npos;
}

// A deny entry naming Docker Hub in full is a raw prefix of the full name
// only: the short names a pod spec usually holds (`nginx:1.25`) resolve to it
// but do not start with it.
void AddDenyWarning(const Constraint& c, const std::string& entry, Policy* policy) {
  std::string_view rest = entry;
  for (std::string_view hub : {"docker.io/", "index.docker.io/", "registry-1.docker.io/"}) {
    if (rest.starts_with(hub)) {
      rest.remove_prefix(hub.size());
      break;
    }
  }
  if (rest.size() == entry.size() || rest.empty()) return;
  if (rest.starts_with("library/") && rest.size() > 8) rest.remove_prefix(8);
  const std::string short_name(rest);
  std::string line = "deny entry ";
  AppendGoQuoted(entry, &line);
  line += " (" + c.kind + "/" + c.name + ") is a raw prefix: it does not catch ";
  AppendGoQuoted(short_name + ":1.25", &line);
  line += ", which Docker Hub resolves to it; also list ";
  AppendGoQuoted(short_name, &line);
  line += ", or scan with --match reference";
  policy->warnings.push_back(std::move(line));
}

void AddPrefixWarnings(Policy* policy) {
  std::set<std::string> seen;
  std::set<std::string> seen_deny;
  for (const auto& c : policy->constraints) {
    const ConstraintTemplate& tmpl = policy->templates[c.template_index];
    if (tmpl.family == ImageFamily::kDisallowedRepos) {
      for (const auto& entry : c.entries) {
        if (seen_deny.insert(entry).second) AddDenyWarning(c, entry, policy);
      }
      continue;
    }
    if (tmpl.family != ImageFamily::kAllowedRepos || tmpl.predicate != RepoPredicate::kPrefix) {
      continue;
    }
    for (const auto& entry : c.entries) {
      if (!IsBypassablePrefix(entry) || !seen.insert(entry).second) continue;
      const std::string example =
          entry +
          (entry.find('/') == std::string::npos ? ".evil.com/\xE2\x80\xA6" : "-evil/\xE2\x80\xA6");
      std::string line = "allowlist entry ";
      AppendGoQuoted(entry, &line);
      line += " (" + c.kind + "/" + c.name + ") is a raw prefix: it also allows ";
      AppendGoQuoted(example, &line);
      line += "; write ";
      AppendGoQuoted(entry + "/", &line);
      line += " to allow only that registry or path";
      policy->warnings.push_back(std::move(line));
    }
  }
}

// gatekeeper-library's message: "<word> <NAME> has an invalid image repo
// <IMAGE>, allowed repos are REPOS" (v2: "invalid image", "allowed images").
MessageFormat AllowedReposMessage(const std::string& word, std::string_view invalid,
                                  std::string_view allowed) {
  MessageFormat f;
  f.literals = {word + " <", "> has an invalid " + std::string(invalid) + " <",
                ">, allowed " + std::string(allowed) + " are ", ""};
  f.args = {MessageFormat::Arg::kName, MessageFormat::Arg::kImage, MessageFormat::Arg::kList};
  return f;
}

ConstraintTemplate LibraryTemplate(std::string name, std::string kind, RepoPredicate predicate,
                                   std::string parameter, std::string_view invalid,
                                   std::string_view allowed) {
  ConstraintTemplate t;
  t.name = std::move(name);
  t.kind = std::move(kind);
  t.predicate = predicate;
  t.parameter = std::move(parameter);
  t.rules[0] = AllowedReposMessage("container", invalid, allowed);
  t.rules[1] = AllowedReposMessage("initContainer", invalid, allowed);
  t.rules[2] = AllowedReposMessage("ephemeralContainer", invalid, allowed);
  // gatekeeper-library's K8sAllowedRepos checks with strings.any_prefix_match.
  t.image_arrays_match_any.fill(predicate == RepoPredicate::kPrefix);
  t.source = "built-in";
  return t;
}

// gatekeeper-library's current Rego, recognised like a given template so the
// built-in semantics are exactly what the recogniser derives from the text.
constexpr std::string_view kExemptContainerLib = R"rego(package lib.exempt_container

is_exempt(container) {
    exempt_images := object.get(object.get(input, "parameters", {}), "exemptImages", [])
    img := container.image
    exemption := exempt_images[_]
    _matches_exemption(img, exemption)
}

_matches_exemption(img, exemption) {
    not endswith(exemption, "*")
    exemption == img
}

_matches_exemption(img, exemption) {
    endswith(exemption, "*")
    prefix := trim_suffix(exemption, "*")
    startswith(img, prefix)
}
)rego";
constexpr std::string_view kDisallowedReposRego = R"rego(package k8sdisallowedrepos

violation[{"msg": msg}] {
  container := input.review.object.spec.containers[_]
  image := container.image
  startswith(image, input.parameters.repos[_])
  msg := sprintf("container <%v> has an invalid image repo <%v>, disallowed repos are %v", [container.name, container.image, input.parameters.repos])
}

violation[{"msg": msg}] {
  container := input.review.object.spec.initContainers[_]
  image := container.image
  startswith(image, input.parameters.repos[_])
  msg := sprintf("initContainer <%v> has an invalid image repo <%v>, disallowed repos are %v", [container.name, container.image, input.parameters.repos])
}

violation[{"msg": msg}] {
  container := input.review.object.spec.ephemeralContainers[_]
  image := container.image
  startswith(image, input.parameters.repos[_])
  msg := sprintf("ephemeralContainer <%v> has an invalid image repo <%v>, disallowed repos are %v", [container.name, container.image, input.parameters.repos])
}
)rego";
constexpr std::string_view kDisallowedTagsRego = R"rego(package k8sdisallowedtags

import data.lib.exempt_container.is_exempt

violation[{"msg": msg}] {
    container := input_containers[_]
    not is_exempt(container)
    tags := [tag_with_prefix | tag := input.parameters.tags[_]; tag_with_prefix := concat(":", ["", tag])]
    strings.any_suffix_match(container.image, tags)
    msg := sprintf("container <%v> uses a disallowed tag <%v>; disallowed tags are %v", [container.name, container.image, input.parameters.tags])
}

violation[{"msg": msg}] {
    container := input_containers[_]
    not is_exempt(container)
    parts := split(container.image, "/")
    not contains(parts[count(parts) - 1], ":")
    msg := sprintf("container <%v> didn't specify an image tag <%v>", [container.name, container.image])
}

input_containers[c] {
    c := input.review.object.spec.containers[_]
}
input_containers[c] {
    c := input.review.object.spec.initContainers[_]
}
input_containers[c] {
    c := input.review.object.spec.ephemeralContainers[_]
}
)rego";
constexpr std::string_view kImageDigestsRego = R"rego(package k8simagedigests

import data.lib.exempt_container.is_exempt

violation[{"msg": msg}] {
  container := input.review.object.spec.containers[_]
  not is_exempt(container)
  not regex.match("@[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+", container.image)
  msg := sprintf("container <%v> uses an image without a digest <%v>", [container.name, container.image])
}

violation[{"msg": msg}] {
  container := input.review.object.spec.initContainers[_]
  not is_exempt(container)
  not regex.match("@[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+", container.image)
  msg := sprintf("initContainer <%v> uses an image without a digest <%v>", [container.name, container.image])
}

violation[{"msg": msg}] {
  container := input.review.object.spec.ephemeralContainers[_]
  not is_exempt(container)
  not regex.match("@[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+", container.image)
  msg := sprintf("ephemeralContainer <%v> uses an image without a digest <%v>", [container.name, container.image])
}
)rego";

ConstraintTemplate BuiltinDenyTemplate(std::string name, std::string kind, ImageFamily family,
                                       std::string_view rego) {
  ConstraintTemplate t;
  t.name = std::move(name);
  t.kind = std::move(kind);
  t.source = "built-in";
  const std::string error = RecogniseDenyRego(family, rego, {std::string(kExemptContainerLib)}, &t);
  if (!error.empty()) std::abort();  // the embedded library text is recognised by construction
  return t;
}

Status LoadPolicyOrThrow(const PolicyOptions& options, Policy* out) {
  std::vector<std::string> files;
  GS_RETURN_IF_ERROR(ListPolicyFiles(options.paths, &files));
  std::vector<PolicyObject> objects;
  for (const auto& file : files) GS_RETURN_IF_ERROR(ReadPolicyFile(file, &objects));

  Policy policy;
  std::vector<const PolicyObject*> constraints;
  std::set<std::string> warned_files;
  std::map<std::string, size_t> skipped;  // kinds of templates that are not image policies
  for (const auto& object : objects) {
    const YAML::Node& n = object.node;
    const std::string api_version =
        n.IsMap() && IsString(Path(n, {"apiVersion"})) ? Path(n, {"apiVersion"}).Scalar() : "";
    const std::string kind =
        n.IsMap() && IsString(Path(n, {"kind"})) ? Path(n, {"kind"}).Scalar() : "";
    const std::string group = GroupOf(api_version);
    if (group == "templates.gatekeeper.sh" && kind == "ConstraintTemplate") {
      ConstraintTemplate tmpl;
      bool image_policy = true;
      GS_RETURN_IF_ERROR(ParseTemplate(object, &tmpl, &image_policy));
      if (!image_policy) {
        skipped.emplace(tmpl.kind, 0);
        continue;
      }
      // A later template of the same kind replaces the earlier one.
      auto same = std::find_if(policy.templates.begin(), policy.templates.end(),
                               [&](const ConstraintTemplate& t) { return t.kind == tmpl.kind; });
      if (same != policy.templates.end()) {
        *same = std::move(tmpl);
      } else {
        policy.templates.push_back(std::move(tmpl));
      }
    } else if (group == "constraints.gatekeeper.sh" && !kind.empty()) {
      constraints.push_back(&object);
    } else if (group == "expansion.gatekeeper.sh" && kind == "ExpansionTemplate") {
      ExpansionTemplate expansion;
      GS_RETURN_IF_ERROR(ParseExpansion(object, &expansion));
      policy.expansions.push_back(std::move(expansion));
    } else if (group == "config.gatekeeper.sh" && kind == "Config") {
      GS_RETURN_IF_ERROR(ParseConfig(object, &policy));
    } else if (api_version == "v1" && kind == "Namespace") {
      GS_RETURN_IF_ERROR(ParseNamespace(object, &policy));
    } else if (warned_files.insert(object.file).second) {
      const std::string what = !n.IsMap()     ? TypeName(n)
                               : kind.empty() ? "an object without kind"
                                              : "kind " + kind;
      policy.warnings.push_back(object.source + ": " + what + " is not a policy object, ignored");
    }
  }

  auto ensure_template = [&policy](const std::string& kind) {
    const bool defined = std::any_of(policy.templates.begin(), policy.templates.end(),
                                     [&](const ConstraintTemplate& t) { return t.kind == kind; });
    if (defined) return;
    if (kind == "K8sAllowedRepos") policy.templates.push_back(BuiltinAllowedReposTemplate());
    if (kind == "K8sAllowedReposv2") policy.templates.push_back(BuiltinAllowedReposV2Template());
    if (kind == "K8sDisallowedRepos") policy.templates.push_back(BuiltinDisallowedReposTemplate());
    if (kind == "K8sDisallowedTags") policy.templates.push_back(BuiltinDisallowedTagsTemplate());
    if (kind == "K8sImageDigests") policy.templates.push_back(BuiltinImageDigestsTemplate());
  };
  for (const PolicyObject* object : constraints) {
    const std::string kind = Path(object->node, {"kind"}).Scalar();
    // A skipped template's kind stays skipped unless a later template of the
    // same kind is an image policy.
    const bool defined = std::any_of(policy.templates.begin(), policy.templates.end(),
                                     [&](const ConstraintTemplate& t) { return t.kind == kind; });
    if (auto it = skipped.find(kind); it != skipped.end() && !defined) {
      ++it->second;
      continue;
    }
    ensure_template(kind);
    Constraint constraint;
    GS_RETURN_IF_ERROR(ParseConstraint(*object, policy.templates, &constraint));
    policy.constraints.push_back(std::move(constraint));
  }
  if (!options.allow.empty()) {
    ensure_template("K8sAllowedRepos");
    Constraint allow;
    allow.kind = "K8sAllowedRepos";
    allow.name = "gatescan-allow";
    allow.source = "--allow";
    for (size_t i = 0; i < policy.templates.size(); ++i) {
      if (policy.templates[i].kind == allow.kind) allow.template_index = i;
    }
    allow.match.kinds.push_back(KindSelector{{""}, {"Pod"}});
    allow.has_list = true;
    allow.entries = options.allow;
    allow.entries_rendered = RenderRegoStringArray(allow.entries);
    policy.constraints.push_back(std::move(allow));
  }
  if (!skipped.empty()) {
    std::string line = "skipped " + std::to_string(skipped.size()) + " template kind" +
                       (skipped.size() == 1 ? "" : "s") +
                       " that are not image policies, with their constraints:";
    const char* sep = " ";
    for (const auto& [kind, count] : skipped) {
      line +=
          sep + kind + " (" + std::to_string(count) + " constraint" + (count == 1 ? "" : "s") + ")";
      sep = ", ";
    }
    if (options.strict) return Status::Error("--strict-policies: " + line);
    policy.skipped_notice = line;
    policy.warnings.push_back(std::move(line));
    policy.skipped_kinds = skipped;
  }
  AddPrefixWarnings(&policy);
  *out = std::move(policy);
  return Status::Ok();
}

}  // namespace

std::string_view ActionName(EnforcementAction action) {
  switch (action) {
    case EnforcementAction::kDeny:
      return "deny";
    case EnforcementAction::kDryrun:
      return "dryrun";
    case EnforcementAction::kScoped:
      return "scoped";
    case EnforcementAction::kWarn:
      return "warn";
  }
  return "deny";
}

ConstraintTemplate BuiltinAllowedReposTemplate() {
  return LibraryTemplate("k8sallowedrepos", "K8sAllowedRepos", RepoPredicate::kPrefix, "repos",
                         "image repo", "repos");
}

ConstraintTemplate BuiltinAllowedReposV2Template() {
  return LibraryTemplate("k8sallowedreposv2", "K8sAllowedReposv2", RepoPredicate::kExactOrGlob,
                         "allowedImages", "image", "images");
}

ConstraintTemplate BuiltinDisallowedReposTemplate() {
  return BuiltinDenyTemplate("k8sdisallowedrepos", "K8sDisallowedRepos",
                             ImageFamily::kDisallowedRepos, kDisallowedReposRego);
}

ConstraintTemplate BuiltinDisallowedTagsTemplate() {
  return BuiltinDenyTemplate("k8sdisallowedtags", "K8sDisallowedTags", ImageFamily::kDisallowedTags,
                             kDisallowedTagsRego);
}

ConstraintTemplate BuiltinImageDigestsTemplate() {
  return BuiltinDenyTemplate("k8simagedigests", "K8sImageDigests", ImageFamily::kImageDigests,
                             kImageDigestsRego);
}

std::string RenderRegoStringArray(const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    AppendGoQuoted(values[i], &out);
  }
  out += ']';
  return out;
}

Status LoadPolicy(const PolicyOptions& options, Policy* out) {
  try {
    return LoadPolicyOrThrow(options, out);
  } catch (const std::exception& e) {
    // yaml-cpp throws on misuse of a node shape we did not anticipate.
    return Status::Error(std::string("policy: ") + e.what());
  }
}

}  // namespace gatescan
