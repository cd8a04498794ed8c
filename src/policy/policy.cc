#include "gatescan/policy/policy.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include "gatescan/common/quote.h"
#include "gatescan/input/yaml_json.h"
#include "gatescan/policy/image_rego.h"
#include "gatescan/policy/policy_parse.h"

namespace gatescan {
namespace {

using namespace policy_parse;  // the loader is the parsers' one client

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
