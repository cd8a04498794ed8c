// image_rego.h — recognising the image-policy family's Rego (policy room only).
//
// A ConstraintTemplate's Rego (and its libs) in, a filled ConstraintTemplate
// or the reason it is not understood out. Recognition is statement by
// statement against gatekeeper-library's wordings (every historical version
// in the corpus): a template whose rules hold a statement that is not
// understood is refused, never guessed. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatescan/policy/policy.h"

namespace gatescan {

// The family a gatekeeper-library kind name belongs to, or nullopt for any
// other kind.
std::optional<ImageFamily> FamilyOfKind(std::string_view kind);

// K8sAllowedRepos / K8sAllowedReposv2: fills rules, predicate, parameter and
// image_arrays_match_any. Returns "" or what was not understood.
std::string RecogniseAllowedReposRego(std::string_view rego, ConstraintTemplate* tmpl);

// K8sDisallowedRepos, K8sDisallowedTags, K8sImageDigests (`family`): fills
// image_rules, parameter and family. `libs` are the target's libs (the
// lib.exempt_container module). Returns "" or "rule N ..." naming the rule
// and the statement not understood.
std::string RecogniseDenyRego(ImageFamily family, std::string_view rego,
                              const std::vector<std::string>& libs, ConstraintTemplate* tmpl);

}  // namespace gatescan
