#include "gatescan/common/terminal.h"

#include <cstdint>

#include "gatescan/common/quote.h"
#include "gatescan/common/utf8.h"

namespace gatescan {

void AppendTerminalSafe(std::string_view s, std::string* out) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      out->push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    char32_t rune = 0;
    size_t n = c < 0x80 ? 1 : DecodeUtf8(s, i, &rune);
    if (n > 1 && GoIsPrint(rune)) {
      out->append(s.substr(i, n));
      i += n;
      continue;
    }
    if (n == 0) n = 1;
    const std::string quoted = GoQuote(s.substr(i, n));
    out->append(quoted, 1, quoted.size() - 2);
    i += n;
  }
}

}  // namespace gatescan
