#include "gatescan/policy/rego_text.h"

#include <cctype>
#include <regex>
#include <sstream>
#include <unordered_map>

#include "gatescan/common/json_text.h"
#include "gatescan/common/quote.h"

namespace gatescan::rego {
namespace {
const std::string kId = R"(([A-Za-z_]\w*))";

// Patterns are built from identifiers the Rego chose, so the cache is
// bounded: past kCacheSize patterns it starts again. A reference returned
// here is used within one regex call, before the next lookup.
const std::regex& Compiled(const std::string& pattern) {
  constexpr size_t kCacheSize = 512;
  thread_local std::unordered_map<std::string, std::regex> cache;
  if (auto it = cache.find(pattern); it != cache.end()) return it->second;
  if (cache.size() >= kCacheSize) cache.clear();
  return cache.emplace(pattern, std::regex(pattern)).first->second;
}

}  // namespace

bool RegexMatch(const std::string& text, std::smatch& m, const std::string& pattern) {
  return text.size() <= kMaxRegexText && std::regex_match(text, m, Compiled(pattern));
}
bool RegexMatch(const std::string& text, const std::string& pattern) {
  return text.size() <= kMaxRegexText && std::regex_match(text, Compiled(pattern));
}
bool RegexSearch(const std::string& text, std::smatch& m, const std::string& pattern) {
  return text.size() <= kMaxRegexText && std::regex_search(text, m, Compiled(pattern));
}
bool RegexSearch(const std::string& text, const std::string& pattern) {
  return text.size() <= kMaxRegexText && std::regex_search(text, Compiled(pattern));
}

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

static bool EndsWithWord(std::string_view s, std::string_view word) {
  if (s.size() < word.size() || s.substr(s.size() - word.size()) != word) return false;
  return s.size() == word.size() || !IsIdentChar(s[s.size() - word.size() - 1]);
}

// Drops package / import / default lines that precede a rule head.
static std::string CleanHead(std::string_view pending) {
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
bool SplitRules(std::string_view rego, std::vector<Rule>* rules) {
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
  // A "..." Rego string is a JSON string, escapes and surrogates included.
  return AppendJsonUnescapedLikeGo(literal.substr(1, literal.size() - 2), out);
}

std::string Canonical(std::string_view statement) {
  std::string out;
  bool space = false;
  for (size_t i = 0; i < statement.size();) {
    const char c = statement[i];
    if (c == '"' || c == '`') {
      const size_t end = StringLiteralEnd(statement, i);
      const size_t stop = end == std::string_view::npos ? statement.size() : end;
      if (space && !out.empty() && IsIdentChar(out.back())) out += ' ';
      space = false;
      out.append(statement.substr(i, stop - i));
      i = stop;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      ++i;
      continue;
    }
    if (space && !out.empty() && IsIdentChar(out.back()) && IsIdentChar(c)) out += ' ';
    space = false;
    out += c;
    ++i;
  }
  return out;
}

std::string ParseSprintf(std::string_view call, const std::string& container_var,
                         std::string* parameter, MessageFormat* out) {
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
    if (RegexMatch(arg, m, kId + R"(\.(name|image))")) {
      if (!container_var.empty() && m[1] != container_var) {
        return "sprintf argument `" + arg + "` is not a field of the container";
      }
      message.args.push_back(m[2] == "name" ? MessageFormat::Arg::kName
                                            : MessageFormat::Arg::kImage);
    } else if (RegexMatch(arg, m, R"(input\.parameters\.)" + kId)) {
      if (!parameter->empty() && *parameter != m[1]) return "uses two parameters";
      *parameter = m[1];
      message.args.push_back(MessageFormat::Arg::kList);
    } else {
      return "sprintf argument `" + Abbreviated(arg) + "` is not understood";
    }
  }
  *out = std::move(message);
  return "";
}

}  // namespace gatescan::rego
