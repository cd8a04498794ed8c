// go_float.h — float64 as Go's strconv.FormatFloat(v, 'g', -1, 64) prints it.
//
// OPA prints every JSON number Gatekeeper hands it as a float64 this way (a
// non-string image `1e+06`, `1.5`). In: a double; out: appended bytes.
// Stateless; thread-safe.
#pragma once

#include <string>

namespace gatescan {

// Shortest round-trip digits; %e form when the decimal exponent is < -4 or
// >= 6 (ftoa.go: "if precision was the shortest possible, use precision 6
// for this decision"), with at least two exponent digits.
void AppendGoFloat(double v, std::string* out);

}  // namespace gatescan
