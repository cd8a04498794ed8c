// yaml_item.h — converts one framed YAML span (yaml_framer.h) to JSON.
//
// In: the YAML text of one element of a List's `items:` (starting at its
// `- `) or of one whole document, and the input line of its first byte. Out:
// the JSON value, from the fast converter (yaml_fast.h) when the text is in
// its subset, else from the complete converter (yaml_json.h) on the same
// text, so answers never depend on which path ran; or an error message whose
// line points into the YAML input. Stateless; thread-safe (the parallel
// stage calls it on every core).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gatescan {

enum class YamlSpanResult {
  kOk,     // *json holds the value
  kEmpty,  // an empty or null document: nothing to scan
  kError,  // *error says why, "YAML: line L: ..."
};

YamlSpanResult ConvertYamlSpan(std::string_view yaml, bool list_item, uint64_t first_line,
                               std::string* json, std::string* error);

}  // namespace gatescan
