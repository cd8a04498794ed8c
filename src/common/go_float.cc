#include "gatescan/common/go_float.h"

#include <algorithm>
#include <charconv>

namespace gatescan {

void AppendGoFloat(double v, std::string* out) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));  // [-]d[.ddd]e(+|-)XX
  bool neg = false;
  if (!sci.empty() && sci[0] == '-') {
    neg = true;
    sci.remove_prefix(1);
  }
  size_t e_pos = sci.find('e');
  std::string digits;
  for (size_t i = 0; i < e_pos; ++i) {
    if (sci[i] != '.') digits.push_back(sci[i]);
  }
  int exp = 0;
  std::from_chars(sci.data() + e_pos + 1 + (sci[e_pos + 1] == '+' ? 1 : 0), sci.data() + sci.size(),
                  exp);
  if (digits == "0") {  // Go's shortest digits of zero are empty, exponent 0
    digits.clear();
    exp = -1;
  }
  if (neg) out->push_back('-');
  const int nd = static_cast<int>(digits.size());
  const int dp = exp + 1;  // decimal point position
  if (exp < -4 || exp >= 6) {
    out->push_back(nd > 0 ? digits[0] : '0');
    if (nd > 1) {
      out->push_back('.');
      out->append(digits, 1, std::string::npos);
    }
    out->push_back('e');
    int x = nd == 0 ? 0 : exp;
    out->push_back(x < 0 ? '-' : '+');
    if (x < 0) x = -x;
    if (x < 10) out->push_back('0');
    out->append(std::to_string(x));
    return;
  }
  // %f with just enough fraction digits.
  if (dp > 0) {
    for (int i = 0; i < dp; ++i) out->push_back(i < nd ? digits[i] : '0');
  } else {
    out->push_back('0');
  }
  const int frac = std::max(nd - dp, 0);
  if (frac > 0) {
    out->push_back('.');
    for (int i = 0; i < frac; ++i) {
      const int j = dp + i;
      out->push_back(j >= 0 && j < nd ? digits[j] : '0');
    }
  }
}

}  // namespace gatescan
