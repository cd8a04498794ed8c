// explain.h — `gatescan explain`: how an image is parsed and who allows it.
//
// For each image string: its distribution/reference parse (domain, path,
// tag, digest, normalised name, or the library's error) and, when a policy is
// loaded, every constraint's verdict and the entry that decided it. Text for
// people, JSON lines (one object per input, in input order) for scripts.
// Stateless functions over a const Evaluator; thread-compatible.
#pragma once

#include <string>
#include <string_view>

#include "gatescan/evaluate/evaluate.h"

namespace gatescan {

enum class ExplainFormat { kText, kJson };

// Appends the explanation of `image` to *out. `evaluator` may be null (no policy).
void ExplainImage(std::string_view image, const Evaluator* evaluator, ExplainFormat format,
                  std::string* out);

}  // namespace gatescan
