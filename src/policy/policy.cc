#include "gatescan/policy/policy.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <system_error>
#include <tuple>

#include "gatescan/common/file_walk.h"
#include "gatescan/common/k8s_names.h"
#include "gatescan/common/quote.h"
#include "gatescan/input/yaml_json.h"
#include "gatescan/policy/image_rego.h"
#include "gatescan/policy/policy_parse.h"

namespace gatescan {
namespace {

using namespace policy_parse;  // the loader is the parsers' one client

Status ListPolicyFiles(const std::vector<std::string>& paths, std::vector<std::string>* files) {
  namespace fs = std::filesystem;
  for (const auto& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      GS_RETURN_IF_ERROR(ListFilesBelow(
          path,
          [](std::string_view name) {
            return name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".json");
          },
          files));
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

// Whether an entry without '/' names a registry (docker.io, localhost:5000)
// rather than a Docker Hub repository (nginx).
bool IsRegistryLike(std::string_view entry) {
  const size_t colon = entry.find(':');
  const std::string_view host = entry.substr(0, colon);
  if (colon != std::string_view::npos) {
    const std::string_view port = entry.substr(colon + 1);
    if (port.empty() || port.find_first_not_of("0123456789") != std::string_view::npos) {
      return false;  // a tag, not a port
    }
  }
  return host == "localhost" || host.find('.') != std::string_view::npos;
}

// An entry that is a raw prefix of more than it seems: "docker.io" also allows
// "docker.io.evil.com/x", "localhost:5000/app" also "localhost:5000/app-evil".
// Entries ending in '/', holding a digest or a tag separator (a ':' in the
// last path component that is not a registry's port) are bounded.
bool IsBypassablePrefix(std::string_view entry) {
  if (entry.empty() || entry.back() == '/' || entry.find('@') != std::string_view::npos) {
    return false;
  }
  const size_t slash = entry.rfind('/');
  if (slash != std::string_view::npos) {
    return entry.find(':', slash) == std::string_view::npos;
  }
  return entry.find(':') == std::string_view::npos || IsRegistryLike(entry);
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
      if (entry.find('/') == std::string::npos && IsRegistryLike(entry)) {
        line += " to allow only that registry or path";
      } else {
        // `nginx/` alone would not allow `nginx:1.25`: the image itself needs
        // its tag and digest separators.
        line += " to allow only the path below it, or ";
        AppendGoQuoted(entry + ":", &line);
        line += " and ";
        AppendGoQuoted(entry + "@", &line);
        line += " to allow only that image";
      }
      policy->warnings.push_back(std::move(line));
    }
  }
}

// Gatekeeper rejects ExpansionTemplates whose generated kinds lead back to a
// kind they apply to (pkg/expansion: cycles in the GVK graph).
Status CheckExpansionCycles(const std::vector<ExpansionTemplate>& expansions) {
  using Gvk = std::tuple<std::string, std::string, std::string>;
  std::map<Gvk, std::vector<std::pair<Gvk, const ExpansionTemplate*>>> edges;
  for (const auto& t : expansions) {
    const Gvk to{t.generated_group, t.generated_version, t.generated_kind};
    for (size_t i = 0; i < t.apply_to_groups_kinds.size(); ++i) {
      const KindSelector& gk = t.apply_to_groups_kinds[i];
      const std::vector<std::string> any_version = {""};
      const auto& versions = i < t.apply_to_versions.size() && !t.apply_to_versions[i].empty()
                                 ? t.apply_to_versions[i]
                                 : any_version;
      for (const auto& g : gk.api_groups)
        for (const auto& k : gk.kinds)
          for (const auto& v : versions) edges[{g, v, k}].push_back({to, &t});
    }
  }
  std::map<Gvk, int> state;  // 1 on the current path, 2 done
  std::function<const ExpansionTemplate*(const Gvk&)> visit =
      [&](const Gvk& at) -> const ExpansionTemplate* {
    state[at] = 1;
    for (const auto& [next, t] : edges[at]) {
      if (state[next] == 1) return t;
      if (state[next] == 0) {
        if (const ExpansionTemplate* found = visit(next)) return found;
      }
    }
    state[at] = 2;
    return nullptr;
  };
  std::vector<Gvk> starts;
  starts.reserve(edges.size());
  for (const auto& [from, unused] : edges) starts.push_back(from);
  for (const auto& from : starts) {
    if (state[from] != 0) continue;
    if (const ExpansionTemplate* t = visit(from)) {
      return Status::Error(t->source + ": ExpansionTemplate/" + t->name + ": its generated kind " +
                           t->generated_kind +
                           " expands back into a kind it applies to (a cycle); Gatekeeper "
                           "rejects the template");
    }
  }
  return Status::Ok();
}

// Loader warnings about constraint parameters (issue 13): names the
// template's schema does not declare, entries no image can match, and empty
// lists whose meaning is easy to miss.
void AddParameterWarnings(const std::vector<const PolicyObject*>& objects, Policy* policy) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const PolicyObject* object : objects) {
    const std::string kind = Path(object->node, {"kind"}).Scalar();
    const std::string name = Path(object->node, {"metadata", "name"}).Scalar();
    const auto c =
        std::find_if(policy->constraints.begin(), policy->constraints.end(),
                     [&](const Constraint& x) { return x.kind == kind && x.name == name; });
    if (c == policy->constraints.end() || c->source != object->source) continue;
    if (!seen.insert({kind, name}).second) continue;
    const ConstraintTemplate& t = policy->templates[c->template_index];
    const YAML::Node parameters = Path(object->node, {"spec", "parameters"});
    if (t.has_schema && parameters.IsMap()) {
      for (const auto& kv : parameters) {
        const std::string key = kv.first.Scalar();
        if (std::find(t.schema_parameters.begin(), t.schema_parameters.end(), key) !=
            t.schema_parameters.end()) {
          continue;
        }
        std::string declared;
        for (const auto& p : t.schema_parameters) declared += (declared.empty() ? "" : ", ") + p;
        policy->warnings.push_back(c->source + ": " + kind + "/" + name + ": spec.parameters." +
                                   key + " is not a parameter of template " + t.name +
                                   " (it declares: " + declared + "); it is ignored");
      }
    }
    auto check_entries = [&](const std::vector<std::string>& entries, const std::string& field) {
      for (const auto& entry : entries) {
        const bool odd = std::any_of(entry.begin(), entry.end(), [](char ch) {
          const auto u = static_cast<unsigned char>(ch);
          return u <= 0x20 || u == 0x7f;
        });
        if (!odd) continue;
        std::string line = c->source + ": " + kind + "/" + name + ": " + field + " entry ";
        AppendGoQuoted(entry, &line);
        line += " holds whitespace or a control character; no image reference does";
        policy->warnings.push_back(std::move(line));
      }
    };
    if (!t.parameter.empty()) check_entries(c->entries, "spec.parameters." + t.parameter);
    check_entries(c->exempt_images, "spec.parameters.exemptImages");
    if (c->has_list && c->entries.empty() && !t.parameter.empty()) {
      const bool allow = t.family == ImageFamily::kAllowedRepos;
      policy->warnings.push_back(c->source + ": " + kind + "/" + name + ": spec.parameters." +
                                 t.parameter + " is empty: " +
                                 (allow ? "it allows nothing, every container it matches is flagged"
                                        : "it denies nothing, this list flags no container"));
    }
  }
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
    const std::string group(k8s::SplitApiVersion(api_version).group);
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
      // A cluster holds one object per name: the last one read wins.
      auto same =
          std::find_if(policy.expansions.begin(), policy.expansions.end(),
                       [&](const ExpansionTemplate& t) { return t.name == expansion.name; });
      if (same != policy.expansions.end()) {
        *same = std::move(expansion);
      } else {
        policy.expansions.push_back(std::move(expansion));
      }
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
    // One object per kind and name, as in a cluster: the last one read wins.
    auto same = std::find_if(policy.constraints.begin(), policy.constraints.end(),
                             [&](const Constraint& c) {
                               return c.kind == constraint.kind && c.name == constraint.name;
                             });
    if (same != policy.constraints.end()) {
      *same = std::move(constraint);
    } else {
      policy.constraints.push_back(std::move(constraint));
    }
  }
  GS_RETURN_IF_ERROR(CheckExpansionCycles(policy.expansions));
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
  AddParameterWarnings(constraints, &policy);
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
