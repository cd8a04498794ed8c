// yaml_json.h — converts YAML documents to JSON text.
//
// Used by the framer for YAML input (`kubectl get pods -A -o yaml`) so that
// the one JSON extractor serves every input format. Scalars follow the YAML
// 1.2 core schema as Kubernetes' sigs.k8s.io/yaml reads them: unquoted
// true/false/null/~ and numbers become JSON literals, everything else a
// string; quoted scalars are always strings. Stateless; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gatescan/common/status.h"

namespace gatescan {

// Converts every document of `yaml` to one JSON value each (empty documents
// are skipped). Errors name the document index and line.
Status YamlToJsonDocuments(std::string_view yaml, std::vector<std::string>* json_documents);

}  // namespace gatescan
