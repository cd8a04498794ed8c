// json_text.h — JSON string literals: writing them as Go's encoding/json
// does, and reading their escapes as Go's decoder does.
//
// Output formats (ndjson, audit, inventory JSON) write untrusted names and
// images as JSON strings; the framer, the extractor and the Rego recogniser
// read `\uXXXX` escapes, where UTF-16 surrogates need Go's exact rules (a
// high + low pair is one rune; any other surrogate is U+FFFD).
// Stateless; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

namespace gatescan {

// A JSON string literal, valid JSON whatever the bytes: invalid UTF-8 bytes
// become U+FFFD as Go's encoder writes them; control characters as \n, \t
// ... or \u00XX. With escape_html, <, > and & become \u003c, \u003e, \u0026
// and U+2028/U+2029 are escaped, as Go's encoding/json (and kubectl) writes.
void AppendJsonString(std::string_view s, std::string* out, bool escape_html = false);

// The length of s's leading run of bytes that a JSON string literal holds as
// themselves (ASCII but control bytes, '"' and '\\'; with escape_html not
// < > & either): s itself when it is all such bytes, as most names and
// images are. Looks at 16 bytes at a time where SSE2 is there.
size_t PlainJsonPrefix(std::string_view s, bool escape_html = false);

// The two-byte escapes JSON has: the byte after the backslash, and the
// byte it stands for at the same index. The one list of them: the indexing
// kernels, the validator and the unescaper all read it (the SIMD kernels'
// nibble tables are checked against it when they compile).
inline constexpr char kJsonSimpleEscapes[] = {'"', '\\', '/', 'b', 'f', 'n', 'r', 't'};
inline constexpr char kJsonSimpleEscapeValues[] = {'"', '\\', '/', '\b', '\f', '\n', '\r', '\t'};

// By the byte after a backslash: the byte a two-byte escape stands for, 0
// when the byte makes none.
inline constexpr std::array<char, 256> kJsonSimpleEscapeValue = [] {
  std::array<char, 256> value{};
  for (size_t i = 0; i < std::size(kJsonSimpleEscapes); ++i) {
    value[static_cast<uint8_t>(kJsonSimpleEscapes[i])] = kJsonSimpleEscapeValues[i];
  }
  return value;
}();

// Whether `c` may follow a backslash in a two-byte JSON escape.
constexpr bool IsJsonSimpleEscape(uint8_t c) { return kJsonSimpleEscapeValue[c] != 0; }

// The `\uXXXX` escape at s[i] (the backslash), as Go's encoding/json reads
// it: a high surrogate immediately followed by a `\u` low surrogate is one
// rune (12 bytes consumed); any other surrogate is U+FFFD (6 bytes, and
// what follows is read on its own); anything else is its code point (6
// bytes). Returns the bytes consumed, or 0 (and *rune untouched) when s[i..]
// is not a backslash, 'u' and four hex digits. For every reader of JSON or
// Rego string escapes (framer, policy, extractor): the one surrogate rule.
size_t DecodeJsonUnicodeEscape(std::string_view s, size_t i, char32_t* rune);

// Decodes the inside of a JSON string literal (between the quotes, escapes
// still in it) as Go's encoding/json does, appending to *out: a \u escape of
// a lone or mismatched UTF-16 surrogate becomes U+FFFD rather than an error.
// False (with *out unspecified) on an escape JSON does not have.
bool AppendJsonUnescapedLikeGo(std::string_view escaped, std::string* out);

}  // namespace gatescan
