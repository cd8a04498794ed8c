// match.cc — Gatekeeper's spec.match, decided for one object.
//
// Follows pkg/mutation/match/match.go (Matches and its top-level matchers, in
// the same order, so the same error wins), pkg/wildcard for namespace and name
// globs, k8s.io/apimachinery's label Requirement semantics, and its label
// selector parser (labels.Parse) for kubectl's `-l`.
#include "gatescan/policy/spec_match.h"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>

namespace gatescan {
namespace {

// Gatekeeper (match.IsNamespace) recognises a Namespace by kind and core group
// only; the version plays no part.
bool IsNamespace(const MatchTarget& target) {
  return target.kind == "Namespace" && target.group.empty();
}

bool Contains(const std::vector<std::string>& set, std::string_view element) {
  return std::find(set.begin(), set.end(), element) != set.end();
}

bool KindsMatch(const MatchSpec& spec, const MatchTarget& target) {
  if (spec.kinds.empty()) return true;
  for (const KindSelector& k : spec.kinds) {
    const bool kind_matches =
        k.kinds.empty() || Contains(k.kinds, "*") || Contains(k.kinds, target.kind);
    if (!kind_matches) continue;
    if (k.api_groups.empty() || Contains(k.api_groups, "*") ||
        Contains(k.api_groups, target.group)) {
      return true;
    }
  }
  return false;
}

bool AnyWildcard(const std::vector<std::string>& patterns, std::string_view value) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [value](const std::string& p) { return WildcardMatches(p, value); });
}

// pkg/wildcard's MatchesGenerateName: a generateName is only a prefix of the
// final name, so only prefix and contains globs can say anything about it.
bool WildcardMatchesGenerateName(std::string_view pattern, std::string_view generate_name) {
  const bool leading = pattern.starts_with('*');
  const bool trailing = pattern.ends_with('*');
  if (leading && trailing) {
    pattern.remove_prefix(1);
    if (!pattern.empty()) pattern.remove_suffix(1);
    return generate_name.find(pattern) != std::string_view::npos;
  }
  if (trailing) return generate_name.starts_with(pattern.substr(0, pattern.size() - 1));
  return false;
}

// labels.Set.Has / Get over a label list; the last duplicate wins, as when Go
// decodes a JSON object into a map.
template <typename LabelRange, typename KeyOf, typename ValueOf>
std::optional<std::string_view> FindLabel(const LabelRange& labels, std::string_view key,
                                          KeyOf key_of, ValueOf value_of) {
  std::optional<std::string_view> found;
  for (const auto& label : labels) {
    if (key_of(label) == key) found = value_of(label);
  }
  return found;
}

template <typename LabelRange, typename KeyOf, typename ValueOf>
bool SelectorMatchesImpl(const LabelSelector& selector, const LabelRange& labels, KeyOf key_of,
                         ValueOf value_of) {
  for (const auto& [key, value] : selector.match_labels) {
    const auto got = FindLabel(labels, key, key_of, value_of);
    if (!got.has_value() || *got != value) return false;
  }
  for (const LabelRequirement& r : selector.match_expressions) {
    const auto got = FindLabel(labels, r.key, key_of, value_of);
    const bool has_value = got.has_value() && Contains(r.values, *got);
    bool ok = false;
    switch (r.op) {
      case LabelRequirement::Op::kIn:
      case LabelRequirement::Op::kEquals:
        ok = has_value;
        break;
      case LabelRequirement::Op::kNotIn:
      case LabelRequirement::Op::kNotEquals:
        // Absent keys satisfy the negative operators.
        ok = !has_value;
        break;
      case LabelRequirement::Op::kExists:
        ok = got.has_value();
        break;
      case LabelRequirement::Op::kDoesNotExist:
        ok = !got.has_value();
        break;
    }
    if (!ok) return false;
  }
  return true;
}

// ---- label key / value validation (k8s.io/apimachinery/pkg/util/validation)

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], the name part of a qualified name
// and the shape of a non-empty label value.
bool IsQualifiedNamePart(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

// RFC 1123 subdomain: dot-separated lower-case labels of [a-z0-9-], each
// starting and ending alphanumerically.
bool IsDnsSubdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (true) {
    const size_t dot = s.find('.', start);
    const std::string_view label =
        s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (label.empty()) return false;
    const auto lower_alnum = [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    };
    if (!lower_alnum(label.front()) || !lower_alnum(label.back())) return false;
    if (!std::all_of(label.begin(), label.end(),
                     [&](char c) { return lower_alnum(c) || c == '-'; })) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// Empty when `key` is a valid label key ([prefix/]name), else why not.
std::string LabelKeyProblem(std::string_view key) {
  std::string_view name = key;
  const size_t slash = key.find('/');
  if (slash != std::string_view::npos) {
    const std::string_view prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (prefix.empty()) return "prefix part must be non-empty";
    if (!IsDnsSubdomain(prefix)) return "prefix part must be a lowercase RFC 1123 subdomain";
  }
  if (name.empty()) return "name part must be non-empty";
  if (name.size() > 63) return "name part must be no more than 63 characters";
  if (!IsQualifiedNamePart(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start "
           "and end with an alphanumeric character";
  }
  return "";
}

std::string LabelValueProblem(std::string_view value) {
  if (value.empty()) return "";
  if (value.size() > 63) return "must be no more than 63 characters";
  if (!IsQualifiedNamePart(value)) {
    return "a valid label value must be an empty string or consist of alphanumeric characters, "
           "'-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return "";
}

std::string Quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('\'');
  out.append(s);
  out.push_back('\'');
  return out;
}

// ---- kubectl `-l` parser (labels.Parse) ------------------------------------

enum class Tok {
  kEnd,
  kIdentifier,
  kIn,
  kNotIn,
  kEquals,
  kDoubleEquals,
  kNotEquals,
  kNot,
  kOpenParen,
  kCloseParen,
  kComma,
  kGreater,
  kLess,
};

struct Token {
  Tok kind;
  std::string_view text;
  size_t offset;  // byte offset in the selector, for error messages
};

bool IsSpecial(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::vector<Token> Lex(std::string_view s) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (true) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    if (i == s.size()) break;
    const size_t start = i;
    if (IsSpecial(s[i])) {
      // Longest operator first, as the Go lexer's greedy scan does.
      const std::string_view two = s.substr(i, 2);
      if (two == "==" || two == "!=") {
        tokens.push_back({two == "==" ? Tok::kDoubleEquals : Tok::kNotEquals, two, start});
        i += 2;
        continue;
      }
      Tok kind = Tok::kEquals;
      switch (s[i]) {
        case '=':
          kind = Tok::kEquals;
          break;
        case '!':
          kind = Tok::kNot;
          break;
        case '(':
          kind = Tok::kOpenParen;
          break;
        case ')':
          kind = Tok::kCloseParen;
          break;
        case ',':
          kind = Tok::kComma;
          break;
        case '>':
          kind = Tok::kGreater;
          break;
        default:
          kind = Tok::kLess;
          break;
      }
      tokens.push_back({kind, s.substr(i, 1), start});
      ++i;
      continue;
    }
    while (i < s.size() && !IsSpecial(s[i]) && !IsSpace(s[i])) ++i;
    const std::string_view word = s.substr(start, i - start);
    const Tok kind = word == "in" ? Tok::kIn : word == "notin" ? Tok::kNotIn : Tok::kIdentifier;
    tokens.push_back({kind, word, start});
  }
  tokens.push_back({Tok::kEnd, "", s.size()});
  return tokens;
}

class SelectorParser {
 public:
  explicit SelectorParser(std::string_view text) : tokens_(Lex(text)) {}

  Status Parse(LabelSelector* out) {
    while (true) {
      const Token& t = Peek();
      if (t.kind == Tok::kEnd) return Status::Ok();
      if (!IsIdentifier(t) && t.kind != Tok::kNot) {
        return Error(t, "found " + Describe(t) + ", expected: !, identifier, or end of string");
      }
      LabelRequirement requirement;
      if (Status s = ParseRequirement(&requirement); !s.ok()) return s;
      out->match_expressions.push_back(std::move(requirement));
      const Token& after = Next();
      if (after.kind == Tok::kEnd) return Status::Ok();
      if (after.kind != Tok::kComma) {
        return Error(after, "found " + Describe(after) + ", expected: ',' or end of string");
      }
      const Token& following = Peek();
      if (!IsIdentifier(following) && following.kind != Tok::kNot) {
        return Error(following,
                     "found " + Describe(following) + ", expected: identifier after ','");
      }
    }
  }

 private:
  // Outside the operator position, "in" and "notin" are ordinary words
  // (`in=x`, `a in (notin)`), as in the Go parser's Values context.
  static bool IsIdentifier(const Token& t) {
    return t.kind == Tok::kIdentifier || t.kind == Tok::kIn || t.kind == Tok::kNotIn;
  }
  static std::string Describe(const Token& t) {
    return t.kind == Tok::kEnd ? std::string("end of string") : Quoted(t.text);
  }
  static Status Error(const Token& at, const std::string& what) {
    return Status::Error("invalid label selector at byte " + std::to_string(at.offset) + ": " +
                         what);
  }

  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (t.kind != Tok::kEnd) ++pos_;
    return t;
  }

  Status ParseRequirement(LabelRequirement* r) {
    bool negated = false;
    if (Peek().kind == Tok::kNot) {
      negated = true;
      Next();
    }
    const Token& key = Next();
    if (!IsIdentifier(key)) {
      return Error(key, "found " + Describe(key) + ", expected: identifier");
    }
    if (std::string problem = LabelKeyProblem(key.text); !problem.empty()) {
      return Error(key, "invalid label key " + Quoted(key.text) + ": " + problem);
    }
    r->key = std::string(key.text);
    const Tok next = Peek().kind;
    if (negated) {
      // `!a` stands alone; anything but ',' or the end after it is reported
      // by the caller, as in the Go parser.
      r->op = LabelRequirement::Op::kDoesNotExist;
      return Status::Ok();
    }
    if (next == Tok::kEnd || next == Tok::kComma) {
      r->op = LabelRequirement::Op::kExists;
      return Status::Ok();
    }
    const Token& op = Next();
    switch (op.kind) {
      case Tok::kIn:
        r->op = LabelRequirement::Op::kIn;
        return ParseValueSet(r);
      case Tok::kNotIn:
        r->op = LabelRequirement::Op::kNotIn;
        return ParseValueSet(r);
      case Tok::kEquals:
      case Tok::kDoubleEquals:
        r->op = LabelRequirement::Op::kEquals;
        return ParseExactValue(r);
      case Tok::kNotEquals:
        r->op = LabelRequirement::Op::kNotEquals;
        return ParseExactValue(r);
      case Tok::kGreater:
      case Tok::kLess:
        return Error(op, "the " + Quoted(op.text) +
                             " operator is not supported (Gatekeeper's selectors have no gt/lt)");
      default:
        return Error(op, "found " + Describe(op) + ", expected: =, !=, ==, in, notin");
    }
  }

  Status AddValue(LabelRequirement* r, std::string_view value, const Token& at) {
    if (std::string problem = LabelValueProblem(value); !problem.empty()) {
      return Error(
          at, "invalid value " + Quoted(value) + " for key " + Quoted(r->key) + ": " + problem);
    }
    if (!Contains(r->values, value)) r->values.emplace_back(value);
    return Status::Ok();
  }

  // `a=b`, `a==b`, `a!=b`; `a=` (nothing before ',' or the end) is the empty value.
  Status ParseExactValue(LabelRequirement* r) {
    const Token& t = Peek();
    if (t.kind == Tok::kEnd || t.kind == Tok::kComma) return AddValue(r, "", t);
    Next();
    if (!IsIdentifier(t)) return Error(t, "found " + Describe(t) + ", expected: identifier");
    return AddValue(r, t.text, t);
  }

  // `(x,y)`. As in the Go parser, empty members are the empty value: `()`,
  // `(,x)`, `(x,)` and `(x,,y)` all contain "".
  Status ParseValueSet(LabelRequirement* r) {
    const Token& open = Next();
    if (open.kind != Tok::kOpenParen) {
      return Error(open, "found " + Describe(open) + ", expected: '('");
    }
    bool expect_value = true;
    while (true) {
      const Token& t = Next();
      if (t.kind == Tok::kCloseParen) {
        if (expect_value) {
          if (Status s = AddValue(r, "", t); !s.ok()) return s;
        }
        return Status::Ok();
      }
      if (t.kind == Tok::kComma) {
        if (expect_value) {
          if (Status s = AddValue(r, "", t); !s.ok()) return s;
        }
        expect_value = true;
        continue;
      }
      if (IsIdentifier(t) && expect_value) {
        if (Status s = AddValue(r, t.text, t); !s.ok()) return s;
        expect_value = false;
        continue;
      }
      return Error(
          t, "found " + Describe(t) +
                 (expect_value ? ", expected: ',', ')' or identifier" : ", expected: ',' or ')'"));
    }
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

}  // namespace

void NamespaceIndex::Add(std::string name,
                         std::vector<std::pair<std::string, std::string>> labels) {
  // A later definition of the same Namespace replaces the earlier one, as
  // gator's namespace map does.
  namespaces_.insert_or_assign(std::move(name), std::move(labels));
}

const std::vector<std::pair<std::string, std::string>>* NamespaceIndex::Find(
    std::string_view name) const {
  const auto it = namespaces_.find(name);
  return it == namespaces_.end() ? nullptr : &it->second;
}

bool WildcardMatches(std::string_view pattern, std::string_view value) {
  const bool leading = pattern.starts_with('*');
  const bool trailing = pattern.ends_with('*');
  if (leading && trailing) {
    // "*" alone (and "**") matches everything: its middle is empty.
    pattern.remove_prefix(1);
    if (!pattern.empty()) pattern.remove_suffix(1);
    return value.find(pattern) != std::string_view::npos;
  }
  if (leading) return value.ends_with(pattern.substr(1));
  if (trailing) return value.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == value;
}

bool SelectorMatches(const LabelSelector& selector, std::span<const Label> labels) {
  return SelectorMatchesImpl(
      selector, labels, [](const Label& l) { return l.key; },
      [](const Label& l) { return l.value; });
}

bool SelectorMatches(const LabelSelector& selector,
                     const std::vector<std::pair<std::string, std::string>>& labels) {
  using Pair = std::pair<std::string, std::string>;
  return SelectorMatchesImpl(
      selector, labels, [](const Pair& l) { return std::string_view(l.first); },
      [](const Pair& l) { return std::string_view(l.second); });
}

Status ValidateLabelSelector(const LabelSelector& selector) {
  for (const auto& [key, value] : selector.match_labels) {
    if (std::string p = LabelKeyProblem(key); !p.empty()) {
      return Status::Error("matchLabels: invalid key " + Quoted(key) + ": " + p);
    }
    if (std::string p = LabelValueProblem(value); !p.empty()) {
      return Status::Error("matchLabels: invalid value " + Quoted(value) + " for key " +
                           Quoted(key) + ": " + p);
    }
  }
  for (const LabelRequirement& r : selector.match_expressions) {
    if (std::string p = LabelKeyProblem(r.key); !p.empty()) {
      return Status::Error("matchExpressions: invalid key " + Quoted(r.key) + ": " + p);
    }
    switch (r.op) {
      case LabelRequirement::Op::kIn:
      case LabelRequirement::Op::kNotIn:
        if (r.values.empty()) {
          return Status::Error("matchExpressions: key " + Quoted(r.key) +
                               ": for 'in', 'notin' operators, values set can't be empty");
        }
        break;
      case LabelRequirement::Op::kEquals:
      case LabelRequirement::Op::kNotEquals:
        if (r.values.size() != 1) {
          return Status::Error("matchExpressions: key " + Quoted(r.key) +
                               ": exact-match compatibility requires one single value");
        }
        break;
      case LabelRequirement::Op::kExists:
      case LabelRequirement::Op::kDoesNotExist:
        if (!r.values.empty()) {
          return Status::Error("matchExpressions: key " + Quoted(r.key) +
                               ": values set must be empty for exists and does not exist");
        }
        break;
    }
    for (const std::string& v : r.values) {
      if (std::string p = LabelValueProblem(v); !p.empty()) {
        return Status::Error("matchExpressions: invalid value " + Quoted(v) + " for key " +
                             Quoted(r.key) + ": " + p);
      }
    }
  }
  return Status::Ok();
}

Status ParseLabelSelector(std::string_view text, LabelSelector* out) {
  LabelSelector parsed;
  if (Status s = SelectorParser(text).Parse(&parsed); !s.ok()) return s;
  *out = std::move(parsed);
  return Status::Ok();
}

MatchOutcome Matches(const MatchSpec& spec, const MatchTarget& target,
                     const NamespaceIndex& namespaces, std::string* error) {
  const bool is_namespace = IsNamespace(target);
  // In gator's review every object comes with a Namespace, if only an empty one.
  const bool namespaced =
      !target.ns.empty() || (target.empty_namespace_for_cluster_objects && !is_namespace);

  // The matchers run in Gatekeeper's order; the first "no" ends the match,
  // so a later matcher's error is never reported for an unmatched object.
  // The source is decided before any of them, by the review itself.
  if ((spec.source == MatchSource::kOriginal && target.generated) ||
      (spec.source == MatchSource::kGenerated && !target.generated)) {
    return MatchOutcome::kNoMatch;
  }
  if (!KindsMatch(spec, target)) return MatchOutcome::kNoMatch;

  switch (spec.scope) {
    case MatchScope::kCluster:
      if (!is_namespace && namespaced) return MatchOutcome::kNoMatch;
      break;
    case MatchScope::kNamespaced:
      if (is_namespace || !namespaced) return MatchOutcome::kNoMatch;
      break;
    case MatchScope::kAny:
      break;
  }

  // A Namespace is "in" itself; a cluster-scoped object is in no namespace and
  // neither list can disqualify it.
  const std::string_view ns_name = is_namespace ? target.name : target.ns;
  const bool has_ns_name = is_namespace || namespaced;
  if (!spec.namespaces.empty() && has_ns_name && !AnyWildcard(spec.namespaces, ns_name)) {
    return MatchOutcome::kNoMatch;
  }
  if (!spec.excluded_namespaces.empty() && has_ns_name &&
      AnyWildcard(spec.excluded_namespaces, ns_name)) {
    return MatchOutcome::kNoMatch;
  }

  if (spec.label_selector.has_value() && !SelectorMatches(*spec.label_selector, target.labels)) {
    return MatchOutcome::kNoMatch;
  }

  if (spec.namespace_selector.has_value()) {
    if (is_namespace) {
      if (!SelectorMatches(*spec.namespace_selector, target.labels)) return MatchOutcome::kNoMatch;
    } else if (namespaced) {
      static const std::vector<std::pair<std::string, std::string>> kNoLabels;
      const auto* ns_labels = namespaces.Find(target.ns);
      // gator invents an unlabelled "default" Namespace when none is supplied
      // (pkg/gator/expand NamespaceForResource), and an empty one for
      // cluster-scoped objects.
      if (ns_labels == nullptr && (target.ns == "default" || target.ns.empty())) {
        ns_labels = &kNoLabels;
      }
      if (ns_labels == nullptr) {
        if (error != nullptr) {
          // The message gator reports: framework autoreject wrapping the
          // target matcher's error wrapping match.Matches' error.
          *error = "unable to match constraints: error matching the requested object: ";
          error->append(target.name);
          error->append(
              " :failed to run Match criteria: namespace selector for namespace-scoped object "
              "but missing Namespace");
        }
        return MatchOutcome::kError;
      }
      if (!SelectorMatches(*spec.namespace_selector, *ns_labels)) return MatchOutcome::kNoMatch;
    }
    // Otherwise a cluster-scoped object other than a Namespace, which passes.
  }

  if (!spec.name.empty() && !WildcardMatches(spec.name, target.name) &&
      !WildcardMatchesGenerateName(spec.name, target.generate_name)) {
    return MatchOutcome::kNoMatch;
  }
  return MatchOutcome::kMatch;
}

}  // namespace gatescan
