// policy_parse.h — reading policy objects from YAML (policy room only).
//
// The JSON-shaped YAML node helpers, the Reader that words errors as
// "<source>: <what>: <field> must be ...", and one parser per object kind
// (ConstraintTemplate, constraint, ExpansionTemplate, Namespace, Config).
// The loader (policy.cc) walks files and calls these; the Rego recognisers
// live in allowed_repos_rego.cc and image_rego.cc. Pure functions.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gatescan/common/status.h"
#include "gatescan/policy/policy.h"

namespace gatescan::policy_parse {

// Reading JSON-shaped YAML nodes. Documents are converted to JSON first (the
// same Kubernetes typing as the scan input), then read back: in that text
// every string is quoted, so a scalar's tag tells strings from numbers and
// booleans without a second resolver.
bool IsString(const YAML::Node& n);
std::string TypeName(const YAML::Node& n);
// A child of an object, or null: never throws and never inserts.
// With duplicate keys the last one wins, as in the Go decoder Gatekeeper uses.
YAML::Node Child(const YAML::Node& n, const std::string& key);
bool HasKey(const YAML::Node& n, const std::string& key);
YAML::Node Path(const YAML::Node& n, std::initializer_list<const char*> keys);
bool Present(const YAML::Node& n);

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
                   EnforcementAction* out, bool* present);
Status ParseMatch(const Reader& r, const YAML::Node& n, MatchSpec* out);

// One policy object and where it came from.
struct PolicyObject {
  std::string file;
  std::string source;  // "file (document N)" or "file (document N, item M)"
  YAML::Node node;
};

// *image_policy is false (and the status Ok) for a template that is not an
// image policy: its kind is skipped.
Status ParseTemplate(const PolicyObject& object, ConstraintTemplate* out, bool* image_policy);
Status ParseConstraint(const PolicyObject& object, const std::vector<ConstraintTemplate>& templates,
                       Constraint* out);
Status ParseExpansion(const PolicyObject& object, ExpansionTemplate* out);
Status ParseNamespace(const PolicyObject& object, Policy* policy);
Status ParseConfig(const PolicyObject& object, Policy* policy);

}  // namespace gatescan::policy_parse
