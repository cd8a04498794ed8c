// rego_text.h — the lexical layer under the Rego recognisers (policy room only).
//
// Text in, text out: comments stripped, a module split into rules (a head and
// a `{ body }`), a body split into top-level statements, string literals
// decoded, a statement canonicalised for comparison, and a rule's
// `sprintf(format, [args])` parsed into a MessageFormat. No Rego is
// evaluated here; the recognisers (allowed_repos_rego.cc, image_rego.cc)
// decide what the statements mean. Pure functions, thread-safe.
#pragma once

#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "gatescan/policy/policy.h"

namespace gatescan::rego {

struct Rule {
  std::string head;
  std::string body;
};

bool IsIdentChar(char c);
std::string_view Trim(std::string_view s);
// Index just past the string literal starting at s[i] ('"' or '`'), or npos.
size_t StringLiteralEnd(std::string_view s, size_t i);
std::string StripComments(std::string_view rego);
// Index just past the bracket that closes the one at s[open], or npos.
size_t MatchingClose(std::string_view s, size_t open);
// Splits a module into rules; false on unbalanced brackets or strings.
bool SplitRules(std::string_view rego, std::vector<Rule>* rules);
// Top-level statements of a rule body (split on newlines and ';').
std::vector<std::string> SplitStatements(std::string_view body);
// A statement shortened for error messages.
std::string Abbreviated(std::string_view statement);
// Decodes a Rego string literal ("..." with JSON escapes, or `raw`).
bool DecodeRegoString(std::string_view literal, std::string* out);
// A statement with whitespace runs outside string literals removed, except a
// single space between two identifier characters ("not f(x)", "x:=y[_]").
std::string Canonical(std::string_view statement);
// Parses `"format", [args]` (the text inside sprintf's parentheses). Arguments
// may be `<container_var>.name`, `<container_var>.image` or
// `input.parameters.<p>` (stored in *parameter, which must agree with a
// non-empty one). Returns "" or what was not understood.
std::string ParseSprintf(std::string_view call, const std::string& container_var,
                         std::string* parameter, MessageFormat* out);

// std::regex_match / std::regex_search for the recognisers, with two
// differences. libstdc++'s matcher recurses once per character a repetition
// consumes, so a long text (a fuzzed megabyte-long statement) would exhaust
// the stack: text longer than kMaxRegexText never matches (a statement of
// gatekeeper-library's templates is a few hundred bytes at most; a longer one
// is not understood, so its template is refused, never misjudged). And each
// pattern is compiled once per thread, not once per call (compiling was most
// of the cost of loading a policy).
inline constexpr size_t kMaxRegexText = 4096;
bool RegexMatch(const std::string& text, std::smatch& m, const std::string& pattern);
bool RegexMatch(const std::string& text, const std::string& pattern);
bool RegexSearch(const std::string& text, std::smatch& m, const std::string& pattern);
// The match results point into `text`: a temporary would leave them dangling
// (as std::regex_match, which deletes these overloads too).
bool RegexMatch(const std::string&& text, std::smatch& m, const std::string& pattern) = delete;
bool RegexSearch(const std::string&& text, std::smatch& m, const std::string& pattern) = delete;
bool RegexSearch(const std::string& text, const std::string& pattern);

}  // namespace gatescan::rego
