#include "gatescan/policy/policy.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <regex>
#include <set>
#include <sstream>
#include <system_error>

#include "gatescan/common/quote.h"
#include "gatescan/input/yaml_json.h"

namespace gatescan {
namespace {

// ---------------------------------------------------------------------------
// Rego recognition: a tolerant pattern recogniser for the allowed-repos
// family, not an interpreter. Every statement of every violation rule must be
// understood, so a template with extra conditions (exemptions, other checks)
// is refused instead of being judged wrongly.

constexpr std::string_view kAdmissionTarget = "admission.k8s.gatekeeper.sh";

struct RegoRule {
  std::string head;
  std::string body;
};

bool IsIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Length of the string literal starting at s[i] ('"' or '`'), or npos when it
// does not end.
size_t StringLiteralEnd(std::string_view s, size_t i) {
  const char quote = s[i];
  for (size_t j = i + 1; j < s.size(); ++j) {
    if (quote == '"' && s[j] == '\\') {
      ++j;
    } else if (s[j] == quote) {
      return j + 1;
    } else if (quote == '"' && s[j] == '\n') {
      return std::string_view::npos;
    }
  }
  return std::string_view::npos;
}

std::string StripComments(std::string_view rego) {
  std::string out;
  out.reserve(rego.size());
  for (size_t i = 0; i < rego.size();) {
    const char c = rego[i];
    if (c == '"' || c == '`') {
      const size_t end = StringLiteralEnd(rego, i);
      const size_t stop = end == std::string_view::npos ? rego.size() : end;
      out.append(rego.substr(i, stop - i));
      i = stop;
    } else if (c == '#') {
      while (i < rego.size() && rego[i] != '\n') ++i;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

// Index just past the bracket that closes the one at s[open], or npos.
size_t MatchingClose(std::string_view s, size_t open) {
  int depth = 0;
  for (size_t i = open; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '"' || c == '`') {
      const size_t end = StringLiteralEnd(s, i);
      if (end == std::string_view::npos) return end;
      i = end - 1;
    } else if (c == '{' || c == '[' || c == '(') {
      ++depth;
    } else if (c == '}' || c == ']' || c == ')') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

bool EndsWithWord(std::string_view s, std::string_view word) {
  if (s.size() < word.size() || s.substr(s.size() - word.size()) != word) return false;
  return s.size() == word.size() || !IsIdentChar(s[s.size() - word.size() - 1]);
}

// Drops package / import / default lines that precede a rule head.
std::string CleanHead(std::string_view pending) {
  std::string head;
  std::istringstream lines{std::string(pending)};
  std::string line;
  while (std::getline(lines, line)) {
    const std::string_view t = Trim(line);
    if (t.empty() || t.starts_with("package ") || t.starts_with("import ") ||
        t.starts_with("default ")) {
      continue;
    }
    if (!head.empty()) head += ' ';
    head += t;
  }
  return head;
}

// Splits a module into rules: a head, then a `{ body }` at top level.
bool SplitRules(std::string_view rego, std::vector<RegoRule>* rules) {
  size_t pending = 0;
  for (size_t i = 0; i < rego.size(); ++i) {
    const char c = rego[i];
    if (c == '"' || c == '`') {
      const size_t end = StringLiteralEnd(rego, i);
      if (end == std::string_view::npos) return false;
      i = end - 1;
      continue;
    }
    if (c != '{' && c != '[' && c != '(') continue;
    const size_t close = MatchingClose(rego, i);
    if (close == std::string_view::npos) return false;
    const std::string_view before = Trim(rego.substr(pending, i - pending));
    const bool is_body =
        c == '{' && !before.empty() && !EndsWithWord(before, "contains") &&
        (before.back() == ']' || before.back() == ')' || IsIdentChar(before.back()));
    if (is_body) {
      rules->push_back({CleanHead(before), std::string(rego.substr(i + 1, close - i - 2))});
      pending = close;
    }
    i = close - 1;
  }
  return true;
}

// Top-level statements of a rule body (split on newlines and ';').
std::vector<std::string> SplitStatements(std::string_view body) {
  std::vector<std::string> out;
  size_t start = 0;
  auto flush = [&](size_t end) {
    const std::string_view s = Trim(body.substr(start, end - start));
    if (!s.empty()) out.emplace_back(s);
    start = end + 1;
  };
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c == '"' || c == '`') {
      const size_t end = StringLiteralEnd(body, i);
      if (end == std::string_view::npos) break;
      i = end - 1;
    } else if (c == '{' || c == '[' || c == '(') {
      const size_t close = MatchingClose(body, i);
      if (close == std::string_view::npos) break;
      i = close - 1;
    } else if (c == '\n' || c == ';') {
      flush(i);
    }
  }
  flush(body.size());
  return out;
}

std::string Abbreviated(std::string_view statement) {
  std::string out;
  bool space = false;
  for (char c : statement) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  if (out.size() > 100) out = out.substr(0, 97) + "...";
  return out;
}

// Decodes a Rego string literal ("..." with JSON escapes, or `raw`).
bool DecodeRegoString(std::string_view literal, std::string* out) {
  out->clear();
  if (literal.size() < 2) return false;
  if (literal.front() == '`') {
    out->assign(literal.substr(1, literal.size() - 2));
    return true;
  }
  for (size_t i = 1; i + 1 < literal.size(); ++i) {
    const char c = literal[i];
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (++i >= literal.size() - 1) return false;
    switch (literal[i]) {
      case '"':
        out->push_back('"');
        break;
      case '\\':
        out->push_back('\\');
        break;
      case '/':
        out->push_back('/');
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'u': {
        auto hex4 = [&](size_t at, uint32_t* v) {
          if (at + 4 > literal.size() - 1) return false;
          *v = 0;
          for (size_t k = at; k < at + 4; ++k) {
            const char h = literal[k];
            *v <<= 4;
            if (h >= '0' && h <= '9')
              *v |= h - '0';
            else if (h >= 'a' && h <= 'f')
              *v |= h - 'a' + 10;
            else if (h >= 'A' && h <= 'F')
              *v |= h - 'A' + 10;
            else
              return false;
          }
          return true;
        };
        uint32_t cp = 0;
        if (!hex4(i + 1, &cp)) return false;
        i += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && i + 2 < literal.size() && literal[i + 1] == '\\' &&
            literal[i + 2] == 'u') {
          uint32_t low = 0;
          if (hex4(i + 3, &low) && low >= 0xDC00 && low < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          }
        }
        AppendUtf8(cp, out);
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

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
      if (std::regex_match(st, m, std::regex(kId + R"(\s*:?=\s*)" + images + R"(\[_\])"))) {
        item = m[1];
        iterates = true;
      } else if (!item.empty() && std::regex_match(st, std::regex(R"(not\s+endswith\(\s*)" + item +
                                                                  R"(\s*,\s*"\*"\s*\))"))) {
        not_endswith = true;
      } else if (!item.empty() && std::regex_match(st, std::regex(R"(endswith\(\s*)" + item +
                                                                  R"(\s*,\s*"\*"\s*\))"))) {
        endswith = true;
      } else if (!item.empty() &&
                 (std::regex_match(st, std::regex(item + R"(\s*==\s*)" + image)) ||
                  std::regex_match(st, std::regex(image + R"(\s*==\s*)" + item)))) {
        equals = true;
      } else if (!item.empty() && std::regex_match(st, m,
                                                   std::regex(kId + R"(\s*:?=\s*trim_suffix\(\s*)" +
                                                              item + R"(\s*,\s*"\*"\s*\))"))) {
        prefix = m[1];
        trims = true;
      } else if (!prefix.empty() &&
                 std::regex_match(st, std::regex(R"(startswith\(\s*)" + image + R"(\s*,\s*)" +
                                                 prefix + R"(\s*\))"))) {
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
    if (!std::regex_search(head, m, std::regex(R"re("msg"\s*:\s*([A-Za-z_]\w*))re"))) {
      return "its head has no \"msg\" field";
    }
    msg_var_ = m[1];
    std::string comprehension_var;
    bool not_any = false;
    std::string not_any_var;
    for (const auto& st : SplitStatements(body)) {
      if (std::regex_match(
              st, m,
              std::regex(kId + R"(\s*:?=\s*input\.review\.object\.spec\.)" + kId + R"(\[_\])")) ||
          std::regex_match(
              st, m,
              std::regex(R"(some\s+)" + kId + R"(\s+in\s+input\.review\.object\.spec\.)" + kId))) {
        ContainerList list;
        if (!ParseList(m[2].str(), &list))
          return "iterates spec." + m[2].str() + ", not a container list";
        if (out->list.has_value()) return "iterates more than one container list";
        out->list = list;
        out->container_var = m[1];
        continue;
      }
      if (std::regex_match(st, std::regex(R"(some\s+[A-Za-z_]\w*(\s*,\s*[A-Za-z_]\w*)*)")))
        continue;
      if (std::regex_match(st, m,
                           std::regex(R"(not\s+strings\.any_prefix_match\(\s*)" + kId +
                                      R"(\.image\s*,\s*input\.parameters\.)" + kId + R"(\s*\))"))) {
        if (std::string e = SetPredicate(out, RepoPredicate::kPrefix, m[1], m[2]); !e.empty())
          return e;
        out->any_prefix_match = true;
        continue;
      }
      if (std::regex_match(st, m,
                           std::regex(kId + R"(\s*:?=\s*\[\s*)" + kId + R"(\s*\|\s*)" + kId +
                                      R"(\s*:?=\s*input\.parameters\.)" + kId +
                                      R"(\[_\]\s*;\s*\2\s*:?=\s*startswith\(\s*)" + kId +
                                      R"(\.image\s*,\s*\3\s*\)\s*\])"))) {
        comprehension_var = m[1];
        if (std::string e = SetPredicate(out, RepoPredicate::kPrefix, m[5], m[4]); !e.empty())
          return e;
        continue;
      }
      if (std::regex_match(st, m, std::regex(R"(not\s+any\(\s*)" + kId + R"(\s*\))"))) {
        not_any = true;
        not_any_var = m[1];
        continue;
      }
      if (std::regex_match(st, m,
                           std::regex(R"(not\s+)" + kId + R"(\(\s*)" + kId +
                                      R"(\.image\s*,\s*input\.parameters\.)" + kId + R"(\s*\))"))) {
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
      if (std::regex_match(st, m, std::regex(kId + R"(\s*:?=\s*sprintf\s*\(([\s\S]*)\))")) &&
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
    call = Trim(call);
    if (call.empty() || (call[0] != '"' && call[0] != '`'))
      return "sprintf's format is not a string literal";
    const size_t end = StringLiteralEnd(call, 0);
    std::string format;
    if (end == std::string_view::npos || !DecodeRegoString(call.substr(0, end), &format)) {
      return "sprintf's format is not a valid string";
    }
    std::string_view rest = Trim(call.substr(end));
    if (rest.empty() || rest[0] != ',') return "sprintf has no argument array";
    rest = Trim(rest.substr(1));
    if (rest.empty() || rest[0] != '[' || MatchingClose(rest, 0) != rest.size()) {
      return "sprintf's arguments are not an array literal";
    }
    MessageFormat message;
    message.literals.emplace_back();
    for (size_t i = 0; i < format.size(); ++i) {
      if (format[i] != '%') {
        message.literals.back().push_back(format[i]);
        continue;
      }
      if (i + 1 < format.size() && format[i + 1] == '%') {
        message.literals.back().push_back('%');
        ++i;
        continue;
      }
      if (i + 1 < format.size() && (format[i + 1] == 'v' || format[i + 1] == 's')) {
        message.literals.emplace_back();
        ++i;
        continue;
      }
      return "sprintf verb " + format.substr(i, 2) + " is not supported (only %v and %s)";
    }
    const std::string_view args_text = rest.substr(1, rest.size() - 2);
    std::vector<std::string> args;
    size_t start = 0;
    for (size_t i = 0; i <= args_text.size(); ++i) {
      if (i < args_text.size() &&
          (args_text[i] == '[' || args_text[i] == '(' || args_text[i] == '{')) {
        const size_t close = MatchingClose(args_text, i);
        if (close == std::string_view::npos) return "sprintf's arguments are unbalanced";
        i = close - 1;
        continue;
      }
      if (i == args_text.size() || args_text[i] == ',') {
        const std::string_view arg = Trim(args_text.substr(start, i - start));
        if (!arg.empty() || i < args_text.size()) args.emplace_back(arg);
        start = i + 1;
      }
    }
    if (args.size() != message.literals.size() - 1) {
      return "sprintf has " + std::to_string(message.literals.size() - 1) + " placeholders but " +
             std::to_string(args.size()) + " arguments";
    }
    std::smatch m;
    for (const auto& arg : args) {
      if (std::regex_match(arg, m, std::regex(kId + R"(\.(name|image))"))) {
        if (!out->container_var.empty() && m[1] != out->container_var) {
          return "sprintf argument `" + arg + "` is not a field of the container";
        }
        message.args.push_back(m[2] == "name" ? MessageFormat::Arg::kName
                                              : MessageFormat::Arg::kImage);
      } else if (std::regex_match(arg, m, std::regex(R"(input\.parameters\.)" + kId))) {
        if (!out->parameter.empty() && out->parameter != m[1]) return "uses two parameters";
        out->parameter = m[1];
        message.args.push_back(MessageFormat::Arg::kList);
      } else {
        return "sprintf argument `" + Abbreviated(arg) + "` is not understood";
      }
    }
    out->message = std::move(message);
    return "";
  }

  const std::map<std::string, Helper>& helpers_;
  std::string msg_var_;
};

// Recognises a template's Rego; returns an error text ("" when recognised).
std::string RecogniseRego(std::string_view rego, ConstraintTemplate* tmpl) {
  const std::string code = StripComments(rego);
  std::vector<RegoRule> rules;
  if (!SplitRules(code, &rules))
    return "the Rego has unbalanced brackets or an unterminated string";
  std::map<std::string, Helper> helpers;
  std::vector<const RegoRule*> violations;
  std::smatch m;
  for (const auto& rule : rules) {
    if (rule.head.starts_with("violation") &&
        (rule.head.size() == 9 || !IsIdentChar(rule.head[9]))) {
      violations.push_back(&rule);
    } else if (std::regex_match(rule.head, m, std::regex(kId + R"(\s*\(([^()]*)\)\s*(if)?)"))) {
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

Status ParseTemplate(const PolicyObject& object, ConstraintTemplate* out) {
  const YAML::Node& n = object.node;
  Reader r(object.source, "ConstraintTemplate");
  out->source = object.source;
  GS_RETURN_IF_ERROR(r.String(Path(n, {"metadata", "name"}), "metadata.name", &out->name, true));
  Reader t(object.source, "template " + out->name);
  GS_RETURN_IF_ERROR(t.String(Path(n, {"spec", "crd", "spec", "names", "kind"}),
                              "spec.crd.spec.names.kind", &out->kind, true));
  const YAML::Node targets = Path(n, {"spec", "targets"});
  if (!targets.IsSequence()) return t.Wrong("spec.targets", "an array", targets);
  std::string rego;
  bool found = false;
  for (size_t i = 0; i < targets.size(); ++i) {
    std::string target;
    GS_RETURN_IF_ERROR(t.String(Path(targets[i], {"target"}),
                                "spec.targets[" + std::to_string(i) + "].target", &target, false));
    if (target != kAdmissionTarget) continue;
    GS_RETURN_IF_ERROR(t.String(Path(targets[i], {"rego"}),
                                "spec.targets[" + std::to_string(i) + "].rego", &rego, true));
    found = true;
    break;
  }
  if (!found)
    return t.Fail("no spec.targets entry for " + std::string(kAdmissionTarget) + " with rego");
  if (std::string error = RecogniseRego(rego, out); !error.empty()) {
    return t.Fail("not an allowed-repos template: " + error);
  }
  // The parameter's declared type, when the schema declares one.
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
    if (Present(list)) {
      GS_RETURN_IF_ERROR(c.Strings(list, "spec.parameters." + tmpl->parameter, &out->entries));
      out->has_list = true;
      out->entries_rendered = RenderRegoStringArray(out->entries);
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

void AddPrefixWarnings(Policy* policy) {
  std::set<std::string> seen;
  for (const auto& c : policy->constraints) {
    if (policy->templates[c.template_index].predicate != RepoPredicate::kPrefix) continue;
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

Status LoadPolicyOrThrow(const PolicyOptions& options, Policy* out) {
  std::vector<std::string> files;
  GS_RETURN_IF_ERROR(ListPolicyFiles(options.paths, &files));
  std::vector<PolicyObject> objects;
  for (const auto& file : files) GS_RETURN_IF_ERROR(ReadPolicyFile(file, &objects));

  Policy policy;
  std::vector<const PolicyObject*> constraints;
  std::set<std::string> warned_files;
  for (const auto& object : objects) {
    const YAML::Node& n = object.node;
    const std::string api_version =
        n.IsMap() && IsString(Path(n, {"apiVersion"})) ? Path(n, {"apiVersion"}).Scalar() : "";
    const std::string kind =
        n.IsMap() && IsString(Path(n, {"kind"})) ? Path(n, {"kind"}).Scalar() : "";
    const std::string group = GroupOf(api_version);
    if (group == "templates.gatekeeper.sh" && kind == "ConstraintTemplate") {
      ConstraintTemplate tmpl;
      GS_RETURN_IF_ERROR(ParseTemplate(object, &tmpl));
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
  };
  for (const PolicyObject* object : constraints) {
    ensure_template(Path(object->node, {"kind"}).Scalar());
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
