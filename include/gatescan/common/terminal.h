// terminal.h — untrusted text made safe to print on a terminal.
//
// Names, images and messages come from the dump and may carry escape
// sequences, bidi overrides or invalid bytes that would move the cursor,
// reorder the line or hide text. For text shown on a terminal (the text
// report, the inventory's text tables). Stateless; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace gatescan {

// Appends `s` with everything Go would not print (per unicode.IsPrint: C0
// and C1 controls, DEL, format characters such as the bidi controls
// U+202A..U+202E and U+2066..U+2069, separators other than the ASCII space,
// invalid UTF-8 bytes ...) written as its Go escape without the quotes
// (`\x1b`, `\u202e`, `\xff`); printable text, quotes and backslashes as they
// are.
void AppendTerminalSafe(std::string_view s, std::string* out);

}  // namespace gatescan
