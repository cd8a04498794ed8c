// yaml_fast.h — a fast YAML -> JSON converter for the block style that Go's
// YAML emitter (sigs.k8s.io/yaml, kubectl -o yaml) and PyYAML write.
//
// In: the text of ONE YAML document (or of one element of a block sequence,
// which converts as a one-element sequence). Out: its JSON text, exactly what
// the complete converter (YamlToJsonDocuments, yaml_json.h) produces for it,
// scalar rules included (yaml_scalar.h). The subset: block mappings and
// sequences (indentless ones too), plain scalars (continued over lines
// too), single- and double-quoted scalars (over lines too), block literals
// `|` and folded `>` with chomping and indentation indicators, the empty flow
// collections `{}` and `[]`, the tag `!!str`, comments and a leading `---`.
// Anything else (anchors, aliases, other tags, flow collections with content,
// complex keys, directives, tabs or CR in structure, invalid UTF-8, control
// characters, merge keys, null keys, a malformed document) is "unsupported":
// the caller converts the same text with the complete converter, which also
// reports the errors. One pass, no tree. Stateless; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace gatescan {

enum class YamlFastResult {
  kOk,           // *json holds the document's JSON value
  kEmpty,        // the document is empty or null: the complete converter skips it too
  kUnsupported,  // outside the subset: use the complete converter (*json unspecified)
};

// Appends nothing on failure; on kOk replaces *json with the JSON value.
YamlFastResult YamlFastToJson(std::string_view yaml, std::string* json);

}  // namespace gatescan
