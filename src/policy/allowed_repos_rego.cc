// allowed_repos_rego.cc — recognises the K8sAllowedRepos / K8sAllowedReposv2
// family of Rego (every historical wording), statement by statement: a
// tolerant pattern recogniser, not an interpreter. Every statement of every
// violation rule must be understood, so a template with extra conditions
// (exemptions, other checks) is refused instead of being judged wrongly.
#include <map>
#include <optional>
#include <regex>
#include <sstream>

#include "gatescan/policy/image_rego.h"
#include "gatescan/policy/rego_text.h"

namespace gatescan {
namespace {

using rego::Abbreviated;
using rego::IsIdentChar;
using rego::SplitRules;
using rego::SplitStatements;
using rego::StripComments;
using rego::Trim;

// The parts of one violation rule that matter.
struct RecognisedRule {
  std::optional<ContainerList> list;
  std::string container_var;
  std::optional<RepoPredicate> predicate;
  bool any_prefix_match = false;  // strings.any_prefix_match rather than startswith
  std::string parameter;
  std::optional<MessageFormat> message;
};

struct Helper {
  std::vector<std::string> params;
  std::vector<std::string> bodies;
};

const std::string kId = R"(([A-Za-z_]\w*))";

bool ParseList(std::string_view field, ContainerList* list) {
  for (int i = 0; i < kContainerListCount; ++i) {
    if (ContainerListField(static_cast<ContainerList>(i)) == field) {
      *list = static_cast<ContainerList>(i);
      return true;
    }
  }
  return false;
}

// Statement-level shapes of the v2 helper: image_matches(image, images).
bool IsImageMatchesHelper(const Helper& helper) {
  if (helper.params.size() != 2 || helper.bodies.size() != 2) return false;
  const std::string& image = helper.params[0];
  const std::string& images = helper.params[1];
  bool exact = false, glob = false;
  for (const auto& body : helper.bodies) {
    std::string item, prefix;
    bool iterates = false, not_endswith = false, endswith = false, equals = false, trims = false,
         starts = false;
    for (const auto& st : SplitStatements(body)) {
      std::smatch m;
      if (rego::RegexMatch(st, m, kId + R"(\s*:?=\s*)" + images + R"(\[_\])")) {
        item = m[1];
        iterates = true;
      } else if (!item.empty() &&
                 rego::RegexMatch(st, R"(not\s+endswith\(\s*)" + item + R"(\s*,\s*"\*"\s*\))")) {
        not_endswith = true;
      } else if (!item.empty() &&
                 rego::RegexMatch(st, R"(endswith\(\s*)" + item + R"(\s*,\s*"\*"\s*\))")) {
        endswith = true;
      } else if (!item.empty() && (rego::RegexMatch(st, item + R"(\s*==\s*)" + image) ||
                                   rego::RegexMatch(st, image + R"(\s*==\s*)" + item))) {
        equals = true;
      } else if (!item.empty() &&
                 rego::RegexMatch(
                     st, m, kId + R"(\s*:?=\s*trim_suffix\(\s*)" + item + R"(\s*,\s*"\*"\s*\))")) {
        prefix = m[1];
        trims = true;
      } else if (!prefix.empty() && rego::RegexMatch(st, R"(startswith\(\s*)" + image +
                                                             R"(\s*,\s*)" + prefix + R"(\s*\))")) {
        starts = true;
      } else {
        return false;
      }
    }
    if (iterates && not_endswith && equals && !endswith && !trims && !starts) exact = true;
    if (iterates && endswith && trims && starts && !not_endswith && !equals) glob = true;
  }
  return exact && glob;
}

class RegoRecogniser {
 public:
  explicit RegoRecogniser(const std::map<std::string, Helper>& helpers) : helpers_(helpers) {}

  // On failure returns what was not understood, e.g. "does not iterate a
  // container list".
  std::string Recognise(const std::string& head, const std::string& body, RecognisedRule* out) {
    std::smatch m;
    if (!rego::RegexSearch(head, m, R"re("msg"\s*:\s*([A-Za-z_]\w*))re")) {
      return "its head has no \"msg\" field";
    }
    msg_var_ = m[1];
    std::string comprehension_var;
    bool not_any = false;
    std::string not_any_var;
    for (const auto& st : SplitStatements(body)) {
      if (rego::RegexMatch(st, m,
                           kId + R"(\s*:?=\s*input\.review\.object\.spec\.)" + kId + R"(\[_\])") ||
          rego::RegexMatch(st, m,
                           R"(some\s+)" + kId + R"(\s+in\s+input\.review\.object\.spec\.)" + kId)) {
        ContainerList list;
        if (!ParseList(m[2].str(), &list))
          return "iterates spec." + m[2].str() + ", not a container list";
        if (out->list.has_value()) return "iterates more than one container list";
        out->list = list;
        out->container_var = m[1];
        continue;
      }
      if (rego::RegexMatch(st, R"(some\s+[A-Za-z_]\w*(\s*,\s*[A-Za-z_]\w*)*)")) continue;
      if (rego::RegexMatch(st, m,
                           R"(not\s+strings\.any_prefix_match\(\s*)" + kId +
                               R"(\.image\s*,\s*input\.parameters\.)" + kId + R"(\s*\))")) {
        if (std::string e = SetPredicate(out, RepoPredicate::kPrefix, m[1], m[2]); !e.empty())
          return e;
        out->any_prefix_match = true;
        continue;
      }
      if (rego::RegexMatch(st, m,
                           kId + R"(\s*:?=\s*\[\s*)" + kId + R"(\s*\|\s*)" + kId +
                               R"(\s*:?=\s*input\.parameters\.)" + kId +
                               R"(\[_\]\s*;\s*\2\s*:?=\s*startswith\(\s*)" + kId +
                               R"(\.image\s*,\s*\3\s*\)\s*\])")) {
        comprehension_var = m[1];
        if (std::string e = SetPredicate(out, RepoPredicate::kPrefix, m[5], m[4]); !e.empty())
          return e;
        continue;
      }
      if (rego::RegexMatch(st, m, R"(not\s+any\(\s*)" + kId + R"(\s*\))")) {
        not_any = true;
        not_any_var = m[1];
        continue;
      }
      if (rego::RegexMatch(st, m,
                           R"(not\s+)" + kId + R"(\(\s*)" + kId +
                               R"(\.image\s*,\s*input\.parameters\.)" + kId + R"(\s*\))")) {
        auto helper = helpers_.find(m[1]);
        if (helper == helpers_.end() || !IsImageMatchesHelper(helper->second)) {
          return "calls " + m[1].str() + ", which is not the allowed-repos v2 image_matches helper";
        }
        if (std::string e = SetPredicate(out, RepoPredicate::kExactOrGlob, m[2], m[3]);
            !e.empty()) {
          return e;
        }
        continue;
      }
      if (rego::RegexMatch(st, m, kId + R"(\s*:?=\s*sprintf\s*\(([\s\S]*)\))") &&
          m[1] == msg_var_) {
        const std::string call = m[2].str();
        if (std::string e = ParseSprintf(call, out); !e.empty()) return e;
        continue;
      }
      return "statement not understood: `" + Abbreviated(st) + "`";
    }
    if (!out->list.has_value()) return "does not iterate a container list";
    if (!comprehension_var.empty() && (!not_any || not_any_var != comprehension_var)) {
      return "the startswith comprehension " + comprehension_var + " is not negated with not any(" +
             comprehension_var + ")";
    }
    if (not_any && not_any_var != comprehension_var)
      return "not any(" + not_any_var + ") is not understood";
    if (!out->predicate.has_value()) {
      return "has no recognised image check (strings.any_prefix_match, a startswith comprehension "
             "or "
             "image_matches)";
    }
    if (!out->message.has_value()) return "assigns no sprintf message to " + msg_var_;
    return "";
  }

 private:
  std::string SetPredicate(RecognisedRule* out, RepoPredicate predicate, const std::string& var,
                           const std::string& param) {
    if (out->predicate.has_value()) return "checks the image more than once";
    out->predicate = predicate;
    if (!out->container_var.empty() && var != out->container_var) {
      return "checks " + var + ".image, not the iterated container " + out->container_var;
    }
    if (!out->parameter.empty() && out->parameter != param) return "uses two parameters";
    out->parameter = param;
    return "";
  }

  std::string ParseSprintf(std::string_view call, RecognisedRule* out) {
    MessageFormat message;
    std::string error = rego::ParseSprintf(call, out->container_var, &out->parameter, &message);
    if (error.empty()) out->message = std::move(message);
    return error;
  }

  const std::map<std::string, Helper>& helpers_;
  std::string msg_var_;
};

}  // namespace

std::string RecogniseAllowedReposRego(std::string_view rego, ConstraintTemplate* tmpl) {
  const std::string code = StripComments(rego);
  std::vector<rego::Rule> rules;
  if (!SplitRules(code, &rules))
    return "the Rego has unbalanced brackets or an unterminated string";
  std::map<std::string, Helper> helpers;
  std::vector<const rego::Rule*> violations;
  std::smatch m;
  for (const auto& rule : rules) {
    if (rule.head.starts_with("violation") &&
        (rule.head.size() == 9 || !IsIdentChar(rule.head[9]))) {
      violations.push_back(&rule);
    } else if (rego::RegexMatch(rule.head, m, kId + R"(\s*\(([^()]*)\)\s*(if)?)")) {
      Helper& helper = helpers[m[1]];
      std::vector<std::string> params;
      std::stringstream ps(m[2].str());
      std::string p;
      while (std::getline(ps, p, ',')) params.emplace_back(Trim(p));
      helper.params = params;
      helper.bodies.push_back(rule.body);
    }
  }
  if (violations.empty()) return "the Rego has no violation rule";
  for (size_t i = 0; i < violations.size(); ++i) {
    RecognisedRule recognised;
    RegoRecogniser recogniser(helpers);
    const std::string error =
        recogniser.Recognise(violations[i]->head, violations[i]->body, &recognised);
    const std::string rule_name = "rule " + std::to_string(i + 1);
    if (!error.empty()) return rule_name + " " + error;
    if (!tmpl->parameter.empty() && tmpl->parameter != recognised.parameter) {
      return rule_name + " uses parameter " + recognised.parameter + " but an earlier rule uses " +
             tmpl->parameter;
    }
    if (i > 0 && tmpl->predicate != *recognised.predicate) {
      return rule_name + " checks images differently from rule 1";
    }
    tmpl->parameter = recognised.parameter;
    tmpl->predicate = *recognised.predicate;
    tmpl->image_arrays_match_any[static_cast<int>(*recognised.list)] = recognised.any_prefix_match;
    auto& slot = tmpl->rules[static_cast<int>(*recognised.list)];
    if (slot.has_value()) {
      return rule_name + " iterates " + std::string(ContainerListField(*recognised.list)) +
             " a second time";
    }
    slot = std::move(recognised.message);
  }
  return "";
}

}  // namespace gatescan
