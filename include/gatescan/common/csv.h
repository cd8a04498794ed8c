// csv.h — one RFC 4180 cell, safe to open in a spreadsheet.
//
// For the csv output format and the inventory's CSV writers. Stateless;
// thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace gatescan {

// One RFC 4180 cell: quoted (quotes doubled) when it holds a comma, quote,
// CR or LF; a leading = + - @ tab or CR is neutralised with a ' so that a
// spreadsheet shows the cell instead of evaluating it (OWASP CSV injection).
void AppendCsvCell(std::string_view value, std::string* out);

}  // namespace gatescan
