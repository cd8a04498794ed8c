// quote.h — string quoting as Go prints it (strconv.Quote, %q).
//
// Gatekeeper's messages and gator's output are produced by Go: OPA renders
// the allowed-repos array with strconv.Quote, gator prints with %q. These
// functions reproduce those bytes. Go-compatible text has one home per rule
// in common/: utf8.h (decoding, surrogates), json_text.h (JSON strings and
// their escapes), csv.h, terminal.h, go_float.h. This header still includes
// the first three for callers that took them from here before the split;
// new code includes what it uses. Stateless; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "gatescan/common/csv.h"        // IWYU pragma: export
#include "gatescan/common/json_text.h"  // IWYU pragma: export
#include "gatescan/common/utf8.h"       // IWYU pragma: export

namespace gatescan {

// Go's strconv.Quote: wraps in double quotes; escapes \" and \\; \a \b \f \n
// \r \t \v; other non-printable runes (per Go's unicode.IsPrint, Unicode 15)
// as \xNN (< 0x80... only for bytes), \uNNNN or \UNNNNNNNN; each byte of
// invalid UTF-8 as \xNN; printable UTF-8 kept as is.
void AppendGoQuoted(std::string_view s, std::string* out);
std::string GoQuote(std::string_view s);

// Go's unicode.IsPrint for one code point.
bool GoIsPrint(char32_t rune);

}  // namespace gatescan
