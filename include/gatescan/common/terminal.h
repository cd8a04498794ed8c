// terminal.h — text from a dump made safe to show on a terminal.
//
// Names, images and messages come from untrusted input. Everything Go's
// unicode.IsPrint rejects (C0 and C1 controls, DEL, bidi overrides and
// isolates, invalid UTF-8 ...) is written as its Go escape (\x1b, \u202e,
// \xff), so a string cannot move the cursor, recolour or reorder a line.
// Printable text, UTF-8 included, is kept. Stateless; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace gatescan {

void AppendTerminalSafe(std::string_view s, std::string* out);
std::string TerminalSafe(std::string_view s);

}  // namespace gatescan
