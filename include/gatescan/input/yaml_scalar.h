// yaml_scalar.h — how a plain YAML scalar resolves, as sigs.k8s.io/yaml reads it.
//
// The one home of the scalar rules shared by the complete YAML converter
// (yaml_json.cc, yaml-cpp based) and the fast block-style converter
// (yaml_fast.cc): go-yaml v2's YAML 1.1 booleans (yes/no/on/off too), null,
// ~ and empty as null, Go-style integers (0x, 0o, 0b, leading-0 octal, `_`
// separators), YAML floats written as Go's encoding/json writes float64;
// timestamps, .inf and .nan stay strings. Stateless; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace gatescan {

enum class YamlScalarKind { kNull, kBool, kNumber, kString };

struct ResolvedYamlScalar {
  YamlScalarKind kind = YamlScalarKind::kString;
  bool bool_value = false;
  std::string number;  // JSON text of a number
};

// Resolves an untagged plain scalar.
ResolvedYamlScalar ResolvePlainYamlScalar(std::string_view s);

}  // namespace gatescan
