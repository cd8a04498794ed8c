// image_rego.cc — recognises gatekeeper-library's K8sDisallowedRepos,
// K8sDisallowedTags and K8sImageDigests Rego, every historical wording, and
// the lib.exempt_container library they share.
//
// Statements are compared in canonical form (rego::Canonical): whitespace
// never matters, identifiers may be renamed where the library's versions
// differ, and every statement of a violation rule must map to one ImageCheck
// or the template is refused with the rule and the statement named.
#include "gatescan/policy/image_rego.h"

#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "gatescan/policy/rego_text.h"

namespace gatescan {
namespace {

const std::string kId = R"(([A-Za-z_]\w*))";
// An image operand: `c.image` or an alias bound by `image := c.image`.
const std::string kImg = R"(([A-Za-z_]\w*(?:\.image)?))";
const std::string kStr = R"(("(?:[^"\\]|\\.)*"|`[^`]*`))";
const std::string kAssign = R"(:?=)";

struct Module {
  std::string package;
  std::vector<rego::Rule> rules;
};

// ECMAScript's \s, the class the recognisers' patterns use.
bool IsRegexSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// The first `package\s+([A-Za-z_][\w.]*)` in the module, scanned by hand: the
// module may be any size (rego::RegexSearch bounds its text).
std::string PackageName(std::string_view code) {
  constexpr std::string_view kPackage = "package";
  for (size_t at = code.find(kPackage); at != std::string_view::npos;
       at = code.find(kPackage, at + 1)) {
    size_t i = at + kPackage.size();
    const size_t spaces = i;
    while (i < code.size() && IsRegexSpace(code[i])) ++i;
    if (i == spaces || i >= code.size()) continue;
    if (!rego::IsIdentChar(code[i]) || (code[i] >= '0' && code[i] <= '9')) continue;
    const size_t start = i;
    while (i < code.size() && (rego::IsIdentChar(code[i]) || code[i] == '.')) ++i;
    return std::string(code.substr(start, i - start));
  }
  return "";
}

// Whether a line is `\s*import\s+data.lib.exempt_container.is_exempt\s*`.
bool ImportsIsExempt(std::string_view code) {
  constexpr std::string_view kImport = "import", kPath = "data.lib.exempt_container.is_exempt";
  for (size_t begin = 0; begin <= code.size();) {
    size_t end = code.find('\n', begin);
    if (end == std::string_view::npos) end = code.size();
    std::string_view line = code.substr(begin, end - begin);
    while (!line.empty() && IsRegexSpace(line.front())) line.remove_prefix(1);
    while (!line.empty() && IsRegexSpace(line.back())) line.remove_suffix(1);
    if (line.starts_with(kImport) && line.ends_with(kPath) &&
        line.size() > kImport.size() + kPath.size()) {
      const std::string_view gap =
          line.substr(kImport.size(), line.size() - kImport.size() - kPath.size());
      if (std::all_of(gap.begin(), gap.end(), IsRegexSpace)) return true;
    }
    begin = end + 1;
  }
  return false;
}

bool ParseModule(std::string_view text, Module* out) {
  const std::string code = rego::StripComments(text);
  out->package = PackageName(code);
  return rego::SplitRules(code, &out->rules);
}

std::vector<std::string> CanonicalStatements(std::string_view body) {
  std::vector<std::string> out;
  for (const auto& st : rego::SplitStatements(body)) out.push_back(rego::Canonical(st));
  return out;
}

// Function bodies by name, as `name(params)` heads.
struct Function {
  std::vector<std::string> params;
  std::vector<std::vector<std::string>> bodies;  // canonical statements
};

std::map<std::string, Function> Functions(const Module& module) {
  std::map<std::string, Function> out;
  std::smatch m;
  for (const auto& rule : module.rules) {
    const std::string head = rego::Canonical(rule.head);
    if (!rego::RegexMatch(head, m, kId + R"(\(([^()]*)\)(?: if)?)")) continue;
    Function& f = out[m[1]];
    f.params.clear();
    std::string params = m[2];
    size_t start = 0;
    for (size_t i = 0; i <= params.size(); ++i) {
      if (i == params.size() || params[i] == ',') {
        f.params.emplace_back(params.substr(start, i - start));
        start = i + 1;
      }
    }
    f.bodies.push_back(CanonicalStatements(rule.body));
  }
  return out;
}

// lib.exempt_container's is_exempt(container) and _matches_exemption, exactly
// as the library has written them since 2022 (exact entries, `*`-suffixed
// entries as prefixes: the same test as allowed-repos v2's image_matches).
bool IsExemptContainerLibrary(const std::map<std::string, Function>& functions) {
  const auto is_exempt = functions.find("is_exempt");
  const auto matches = functions.find("_matches_exemption");
  if (is_exempt == functions.end() || matches == functions.end()) return false;
  const Function& e = is_exempt->second;
  if (e.params != std::vector<std::string>{"container"} || e.bodies.size() != 1) return false;
  const std::vector<std::string> body = {
      R"(exempt_images:=object.get(object.get(input,"parameters",{}),"exemptImages",[]))",
      "img:=container.image", "exemption:=exempt_images[_]", "_matches_exemption(img,exemption)"};
  if (e.bodies[0] != body) return false;
  const Function& f = matches->second;
  if (f.params != std::vector<std::string>{"img", "exemption"} || f.bodies.size() != 2)
    return false;
  const std::vector<std::string> exact = {R"(not endswith(exemption,"*"))", "exemption==img"};
  const std::vector<std::string> glob = {R"(endswith(exemption,"*"))",
                                         R"(prefix:=trim_suffix(exemption,"*"))",
                                         "startswith(img,prefix)"};
  const std::set<std::vector<std::string>> bodies(f.bodies.begin(), f.bodies.end());
  return bodies == std::set<std::vector<std::string>>{exact, glob};
}

bool ParseList(std::string_view field, uint8_t* bit) {
  for (int i = 0; i < kContainerListCount; ++i) {
    if (ContainerListField(static_cast<ContainerList>(i)) == field) {
      *bit = static_cast<uint8_t>(1u << i);
      return true;
    }
  }
  return false;
}

// Partial sets `input_containers[c] { c := input.review.object.spec.<list>[_] }`:
// name -> lists. A set with a body not of that shape maps to 0 (refused).
std::map<std::string, uint8_t> ContainerSets(const Module& module) {
  std::map<std::string, uint8_t> out;
  std::smatch m;
  for (const auto& rule : module.rules) {
    const std::string head = rego::Canonical(rule.head);
    if (!rego::RegexMatch(head, m, kId + R"(\[)" + kId + R"(\](?: if)?)")) continue;
    const std::string name = m[1], var = m[2];
    if (name == "violation") continue;
    const std::vector<std::string> body = CanonicalStatements(rule.body);
    uint8_t bit = 0;
    if (body.size() == 1 &&
        rego::RegexMatch(body[0], m,
                         kId + kAssign + R"(input\.review\.object\.spec\.)" + kId + R"(\[_\])") &&
        m[1] == var && ParseList(m[2].str(), &bit) && (out.count(name) == 0 || out[name] != 0)) {
      out[name] |= bit;
    } else {
      out[name] = 0;
    }
  }
  return out;
}

class RuleRecogniser {
 public:
  RuleRecogniser(const std::map<std::string, uint8_t>& sets, bool exempt_available)
      : sets_(sets), exempt_available_(exempt_available) {}

  std::string Recognise(const rego::Rule& rule, ImageRule* out, std::string* parameter) {
    std::smatch m;
    if (!rego::RegexSearch(rule.head, m, R"re("msg"\s*:\s*([A-Za-z_]\w*))re")) {
      return "its head has no \"msg\" field";
    }
    const std::string msg_var = m[1];
    std::optional<ImageCheck> check;
    bool has_message = false;
    for (const auto& raw : rego::SplitStatements(rule.body)) {
      const std::string st = rego::Canonical(raw);
      std::string not_understood = "statement not understood: `" + rego::Abbreviated(raw) + "`";
      auto set_check = [&](ImageCheck c) -> std::string {
        if (check.has_value()) return "checks the image more than once";
        check = c;
        return "";
      };
      auto is_image = [&](const std::string& operand) {
        return !container_.empty() &&
               (operand == container_ + ".image" || (!alias_.empty() && operand == alias_));
      };
      auto set_param = [&](const std::string& p) -> std::string {
        if (!parameter->empty() && *parameter != p) return "uses two parameters";
        *parameter = p;
        return "";
      };
      if (rego::RegexMatch(st, R"(some [A-Za-z_]\w*(,[A-Za-z_]\w*)*)")) continue;
      if (rego::RegexMatch(st, m,
                           kId + kAssign + R"(input\.review\.object\.spec\.)" + kId + R"(\[_\])") ||
          rego::RegexMatch(st, m,
                           R"(some )" + kId + R"( in input\.review\.object\.spec\.)" + kId)) {
        uint8_t bit = 0;
        if (!ParseList(m[2].str(), &bit))
          return "iterates spec." + m[2].str() + ", not a container list";
        if (!container_.empty()) return "iterates more than one container list";
        container_ = m[1];
        out->lists = bit;
        continue;
      }
      if (rego::RegexMatch(st, m, kId + kAssign + kId + R"(\[_\])") && sets_.count(m[2]) != 0) {
        if (sets_.at(m[2]) == 0)
          return "iterates " + m[2].str() + ", which is not a set of container lists";
        if (!container_.empty()) return "iterates more than one container list";
        container_ = m[1];
        out->lists = sets_.at(m[2]);
        continue;
      }
      if (rego::RegexMatch(st, m, R"(not is_exempt\()" + kId + R"(\))")) {
        if (m[1] != container_) return not_understood;
        if (!exempt_available_)
          return "calls is_exempt, which is not gatekeeper-library's lib.exempt_container";
        out->exempt = true;
        continue;
      }
      if (rego::RegexMatch(st, m, kId + kAssign + kId + R"(\.image)")) {
        if (m[2] != container_ || !alias_.empty()) return not_understood;
        alias_ = m[1];
        continue;
      }
      if (rego::RegexMatch(
              st, m, R"(startswith\()" + kImg + R"(,input\.parameters\.)" + kId + R"(\[_\]\))")) {
        if (!is_image(m[1])) return not_understood;
        if (auto e = set_param(m[2]); !e.empty()) return e;
        if (auto e = set_check(ImageCheck::kDisallowedPrefix); !e.empty()) return e;
        continue;
      }
      // [forbid | tag = input.parameters.tags[_]; forbid = endswith(image, concat(":", ["", tag]))]
      if (rego::RegexMatch(st, m,
                           kId + kAssign + R"(\[)" + kId + R"(\|)" + kId + kAssign +
                               R"(input\.parameters\.)" + kId + R"(\[_\];\2)" + kAssign +
                               R"(endswith\()" + kImg + R"(,concat\(":",\[\"\",\3\]\)\)\])")) {
        if (!is_image(m[5])) return not_understood;
        if (auto e = set_param(m[4]); !e.empty()) return e;
        pending_[m[1]] = Pending::kEndswithTags;
        continue;
      }
      // [tag_with_prefix | tag := input.parameters.tags[_]; tag_with_prefix := concat(":", ["",
      // tag])]
      if (rego::RegexMatch(st, m,
                           kId + kAssign + R"(\[)" + kId + R"(\|)" + kId + kAssign +
                               R"(input\.parameters\.)" + kId + R"(\[_\];\2)" + kAssign +
                               R"(concat\(":",\[\"\",\3\]\)\])")) {
        if (auto e = set_param(m[4]); !e.empty()) return e;
        pending_[m[1]] = Pending::kColonTags;
        continue;
      }
      if (rego::RegexMatch(st, m, R"(any\()" + kId + R"(\))")) {
        if (Take(m[1]) != Pending::kEndswithTags) return not_understood;
        if (auto e = set_check(ImageCheck::kTagSuffixEndswith); !e.empty()) return e;
        continue;
      }
      if (rego::RegexMatch(st, m, R"(strings\.any_suffix_match\()" + kImg + "," + kId + R"(\))")) {
        if (!is_image(m[1]) || Take(m[2]) != Pending::kColonTags) return not_understood;
        if (auto e = set_check(ImageCheck::kTagAnySuffixMatch); !e.empty()) return e;
        continue;
      }
      if (rego::RegexMatch(st, m, kId + kAssign + R"(\[contains\()" + kImg + R"(,":"\)\])")) {
        if (!is_image(m[2])) return not_understood;
        pending_[m[1]] = Pending::kContainsColon;
        continue;
      }
      if (rego::RegexMatch(st, m, R"(not contains\()" + kImg + R"(,":"\))")) {
        if (!is_image(m[1])) return not_understood;
        if (auto e = set_check(ImageCheck::kNotContainsColon); !e.empty()) return e;
        continue;
      }
      if (rego::RegexMatch(st, m, kId + kAssign + R"(split\()" + kImg + R"(,"/"\))")) {
        if (!is_image(m[2])) return not_understood;
        pending_[m[1]] = Pending::kSplitSlash;
        continue;
      }
      if (rego::RegexMatch(st, m, R"(not contains\()" + kId + R"(\[count\(\1\)-1\],":"\))")) {
        if (Take(m[1]) != Pending::kSplitSlash) return not_understood;
        if (auto e = set_check(ImageCheck::kLastComponentNoColon); !e.empty()) return e;
        continue;
      }
      if (rego::RegexMatch(
              st, m,
              kId + kAssign + R"(\[(?:re_match|regex\.match)\()" + kStr + "," + kImg + R"(\)\])")) {
        if (!is_image(m[3]) || !IsDigestRegex(m[2])) return not_understood;
        pending_[m[1]] = Pending::kDigest;
        continue;
      }
      if (rego::RegexMatch(st, m,
                           R"(not (?:re_match|regex\.match)\()" + kStr + "," + kImg + R"(\))")) {
        if (!is_image(m[2]) || !IsDigestRegex(m[1])) return not_understood;
        if (auto e = set_check(ImageCheck::kNotDigest); !e.empty()) return e;
        continue;
      }
      if (rego::RegexMatch(st, m, R"(not all\()" + kId + R"(\))")) {
        const Pending p = Take(m[1]);
        if (p == Pending::kContainsColon) {
          if (auto e = set_check(ImageCheck::kNoColonArrayLiteral); !e.empty()) return e;
        } else if (p == Pending::kDigest) {
          if (auto e = set_check(ImageCheck::kDigestArrayLiteral); !e.empty()) return e;
        } else {
          return not_understood;
        }
        continue;
      }
      if (rego::RegexMatch(raw, m, kId + R"(\s*:?=\s*sprintf\s*\(([\s\S]*)\))") &&
          m[1] == msg_var) {
        if (has_message) return "assigns " + msg_var + " twice";
        std::string message_param;
        std::string e = rego::ParseSprintf(m[2].str(), container_, &message_param, &out->message);
        if (!e.empty()) return e;
        if (!message_param.empty()) {
          if (auto e2 = set_param(message_param); !e2.empty()) return e2;
        }
        has_message = true;
        continue;
      }
      return not_understood;
    }
    if (container_.empty()) return "does not iterate a container list";
    if (!check.has_value()) return "has no recognised image check";
    if (!pending_.empty()) return "binds " + pending_.begin()->first + " and never tests it";
    if (!has_message) return "assigns no sprintf message to " + msg_var;
    out->check = *check;
    return "";
  }

 private:
  enum class Pending : uint8_t {
    kNone,
    kEndswithTags,
    kColonTags,
    kContainsColon,
    kSplitSlash,
    kDigest
  };

  Pending Take(const std::string& var) {
    auto it = pending_.find(var);
    if (it == pending_.end()) return Pending::kNone;
    const Pending p = it->second;
    pending_.erase(it);
    return p;
  }

  static bool IsDigestRegex(const std::string& literal) {
    std::string decoded;
    return rego::DecodeRegoString(literal, &decoded) && decoded == kImageDigestRegex;
  }

  const std::map<std::string, uint8_t>& sets_;
  bool exempt_available_;
  std::string container_;
  std::string alias_;
  std::map<std::string, Pending> pending_;
};

bool CheckBelongsTo(ImageCheck check, ImageFamily family) {
  switch (check) {
    case ImageCheck::kDisallowedPrefix:
      return family == ImageFamily::kDisallowedRepos;
    case ImageCheck::kTagSuffixEndswith:
    case ImageCheck::kTagAnySuffixMatch:
    case ImageCheck::kNoColonArrayLiteral:
    case ImageCheck::kNotContainsColon:
    case ImageCheck::kLastComponentNoColon:
      return family == ImageFamily::kDisallowedTags;
    case ImageCheck::kDigestArrayLiteral:
    case ImageCheck::kNotDigest:
      return family == ImageFamily::kImageDigests;
  }
  return false;
}

}  // namespace

std::optional<ImageFamily> FamilyOfKind(std::string_view kind) {
  if (kind == "K8sAllowedRepos" || kind == "K8sAllowedReposv2") return ImageFamily::kAllowedRepos;
  if (kind == "K8sDisallowedRepos") return ImageFamily::kDisallowedRepos;
  if (kind == "K8sDisallowedTags") return ImageFamily::kDisallowedTags;
  if (kind == "K8sImageDigests") return ImageFamily::kImageDigests;
  return std::nullopt;
}

std::string RecogniseDenyRego(ImageFamily family, std::string_view rego_text,
                              const std::vector<std::string>& libs, ConstraintTemplate* tmpl) {
  Module main;
  if (!ParseModule(rego_text, &main)) {
    return "the Rego has unbalanced brackets or an unterminated string";
  }
  // is_exempt: defined in the module itself (2022-01 K8sImageDigests), or
  // imported from the lib.exempt_container library given in libs.
  bool exempt_available = false;
  const auto local = Functions(main);
  if (local.count("is_exempt") != 0) {
    exempt_available = IsExemptContainerLibrary(local);
  } else {
    const std::string code = rego::StripComments(rego_text);
    const bool imported = ImportsIsExempt(code);
    for (const auto& lib : libs) {
      Module module;
      if (!ParseModule(lib, &module) || module.package != "lib.exempt_container") continue;
      exempt_available = imported && IsExemptContainerLibrary(Functions(module));
    }
  }
  const auto sets = ContainerSets(main);
  std::vector<const rego::Rule*> violations;
  for (const auto& rule : main.rules) {
    const std::string& h = rule.head;
    if (h.starts_with("violation") && (h.size() == 9 || !rego::IsIdentChar(h[9]))) {
      violations.push_back(&rule);
    }
  }
  if (violations.empty()) return "the Rego has no violation rule";
  std::string parameter;
  std::vector<ImageRule> rules;
  for (size_t i = 0; i < violations.size(); ++i) {
    ImageRule rule;
    RuleRecogniser recogniser(sets, exempt_available);
    const std::string name = "rule " + std::to_string(i + 1);
    if (std::string e = recogniser.Recognise(*violations[i], &rule, &parameter); !e.empty()) {
      return name + " " + e;
    }
    if (!CheckBelongsTo(rule.check, family)) return name + " checks images as another kind does";
    rules.push_back(std::move(rule));
  }
  tmpl->family = family;
  tmpl->parameter = parameter;
  tmpl->image_rules = std::move(rules);
  return "";
}

}  // namespace gatescan

namespace gatescan {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsDigestChar(char c) {
  return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z') || c == '=' || c == '_' || c == '-';
}

}  // namespace

// `@[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+` unanchored. After an '@' the
// classes at each step are disjoint ([a-z0-9], then [+._-] or ':'), so the
// regex's only choices are decided by the next byte: no backtracking. Bytes of
// multi-byte UTF-8 (and invalid bytes, U+FFFD to RE2) are in no class.
bool HasImageDigest(std::string_view image) {
  for (size_t at = image.find('@'); at != std::string_view::npos; at = image.find('@', at + 1)) {
    size_t i = at + 1;
    if (i >= image.size() || !IsLowerAlnum(image[i])) continue;
    while (true) {
      while (i < image.size() && IsLowerAlnum(image[i])) ++i;
      if (i >= image.size()) break;
      const char c = image[i];
      if (c == ':') {
        if (i + 1 < image.size() && IsDigestChar(image[i + 1])) return true;
        break;
      }
      if ((c == '+' || c == '.' || c == '_' || c == '-') && i + 1 < image.size() &&
          IsLowerAlnum(image[i + 1])) {
        ++i;
        continue;
      }
      break;
    }
  }
  return false;
}

}  // namespace gatescan
