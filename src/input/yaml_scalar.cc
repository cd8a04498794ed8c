#include "gatescan/input/yaml_scalar.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <initializer_list>

namespace gatescan {
namespace {

bool IsOneOf(std::string_view s, std::initializer_list<std::string_view> options) {
  for (auto o : options) {
    if (s == o) return true;
  }
  return false;
}

bool IsPlainDecimal(std::string_view s) {
  size_t i = s.empty() || s[0] != '-' ? 0 : 1;
  if (i >= s.size()) return false;
  if (s[i] == '0') return i + 1 == s.size();
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

// Go's strconv.ParseInt/ParseUint with base 0 (after go-yaml removed '_'):
// optional sign, 0x / 0o / 0b prefixes, a leading 0 means octal.
bool ParseGoInt(std::string_view s, std::string* json) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
    base = 8;
    s.remove_prefix(2);
  } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
    base = 2;
    s.remove_prefix(2);
  } else if (s.size() > 1 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
  if (ec != std::errc() || end != s.data() + s.size()) return false;
  if (negative) {
    if (value > uint64_t{1} << 63) return false;
    json->clear();
    if (value != 0) json->push_back('-');
    json->append(std::to_string(value));
  } else {
    *json = std::to_string(value);
  }
  return true;
}

// go-yaml's yamlStyleFloat: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool IsYamlStyleFloat(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  } else {
    if (!digits()) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

// A float64 as Go's encoding/json writes it: shortest round-trip digits, fixed
// notation for 1e-6 <= |x| < 1e21, otherwise exponent without padding zeros.
std::string GoJsonFloat(double value) {
  char buf[64];
  const double magnitude = std::fabs(value);
  const bool exponent = magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21);
  auto [end, ec] =
      std::to_chars(buf, buf + sizeof(buf), value,
                    exponent ? std::chars_format::scientific : std::chars_format::fixed);
  std::string text(buf, ec == std::errc() ? end : buf);
  if (exponent) {
    // "1e-07" -> "1e-7", as Go does.
    const size_t e = text.find('e');
    if (e != std::string::npos && text.size() > e + 3 && text[e + 2] == '0') {
      text.erase(e + 2, 1);
    }
  }
  return text;
}

bool ParseYamlFloat(std::string_view s, std::string* json) {
  if (!IsYamlStyleFloat(s)) return false;
  std::string text(s[0] == '+' ? s.substr(1) : s);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return false;
  *json = GoJsonFloat(value);
  return true;
}

}  // namespace

// Plain-scalar resolution as go-yaml v2 (which sigs.k8s.io/yaml uses) does it:
// YAML 1.1 booleans (yes/no/on/off too), null, ~ and empty as null, Go-style
// integers, YAML floats; timestamps stay strings; .inf/.nan cannot be JSON and
// stay strings here.
ResolvedYamlScalar ResolvePlainYamlScalar(std::string_view s) {
  ResolvedYamlScalar r;
  if (IsOneOf(s, {"", "~", "null", "Null", "NULL"})) {
    r.kind = YamlScalarKind::kNull;
    return r;
  }
  if (IsOneOf(s, {"true", "True", "TRUE", "y", "Y", "yes", "Yes", "YES", "on", "On", "ON"})) {
    r.kind = YamlScalarKind::kBool;
    r.bool_value = true;
    return r;
  }
  if (IsOneOf(s, {"false", "False", "FALSE", "n", "N", "no", "No", "NO", "off", "Off", "OFF"})) {
    r.kind = YamlScalarKind::kBool;
    return r;
  }
  const char c = s[0];
  if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.')) return r;
  if (IsPlainDecimal(s)) {
    // Keep the integer as written (no float rounding of big values).
    std::string ignored;
    if (ParseGoInt(s, &ignored)) {
      r.kind = YamlScalarKind::kNumber;
      r.number = std::string(s);
      return r;
    }
  }
  std::string plain;
  plain.reserve(s.size());
  for (char ch : s) {
    if (ch != '_') plain.push_back(ch);
  }
  if (ParseGoInt(plain, &r.number) || ParseYamlFloat(plain, &r.number)) {
    r.kind = YamlScalarKind::kNumber;
    return r;
  }
  return r;
}

}  // namespace gatescan
