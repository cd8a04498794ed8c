// quote.h — string quoting as Go prints it, and JSON string literals.
//
// Gatekeeper's messages and gator's output are produced by Go: OPA renders
// the allowed-repos array with strconv.Quote, gator prints with %q, kubectl
// writes JSON with encoding/json. These functions reproduce those bytes.
// Stateless; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gatescan {

// Go's strconv.Quote: wraps in double quotes; escapes \" and \\; \a \b \f \n
// \r \t \v; other non-printable runes (per Go's unicode.IsPrint, Unicode 15)
// as \xNN (< 0x80... only for bytes), \uNNNN or \UNNNNNNNN; each byte of
// invalid UTF-8 as \xNN; printable UTF-8 kept as is.
void AppendGoQuoted(std::string_view s, std::string* out);
std::string GoQuote(std::string_view s);

// Decodes the UTF-8 sequence at s[i] into *rune and returns its length, or 0
// when the bytes there are not valid UTF-8 (overlong, surrogate, out of range,
// truncated): Go then treats that one byte as U+FFFD.
size_t DecodeUtf8(std::string_view s, size_t i, char32_t* rune);
// Appends code point `cp` encoded as UTF-8.
void AppendUtf8(uint32_t cp, std::string* out);

// Go's unicode.IsPrint for one code point.
bool GoIsPrint(char32_t rune);

// A JSON string literal, valid JSON whatever the bytes: invalid UTF-8 bytes
// become U+FFFD as Go's encoder writes them; control characters as \n, \t
// ... or \u00XX. With escape_html, <, > and & become \u003c, \u003e, \u0026
// and U+2028/U+2029 are escaped, as Go's encoding/json (and kubectl) writes.
void AppendJsonString(std::string_view s, std::string* out, bool escape_html = false);

// One RFC 4180 cell: quoted (quotes doubled) when it holds a comma, quote,
// CR or LF; a leading = + - @ tab or CR is neutralised with a ' so that a
// spreadsheet shows the cell instead of evaluating it (OWASP CSV injection).
void AppendCsvCell(std::string_view value, std::string* out);

// Decodes the inside of a JSON string literal (between the quotes, escapes
// still in it) as Go's encoding/json does, appending to *out: a \u escape of
// a lone or mismatched UTF-16 surrogate becomes U+FFFD rather than an error.
// False (with *out unspecified) on an escape JSON does not have.
bool AppendJsonUnescapedLikeGo(std::string_view escaped, std::string* out);

}  // namespace gatescan
