// opa_value.h — a JSON value as Rego's sprintf("%v") prints it.
//
// Gatekeeper's messages print a container's name and image with %v. When one
// is not a string (`12`, `true`, `[1, "a"]`), the bytes to reproduce are OPA's
// Value.String() of what Gatekeeper's JSON round trip made of it: every
// number a float64 (encoding/json into interface{}) printed by
// strconv.FormatFloat(f, 'g', -1, 64); strings inside composites quoted by
// strconv.Quote; object keys sorted, a duplicate key's last value winning.
// The value is validated as it is rendered.
//
// Lives as long as one object is read, on one thread. Private to src/extract.
#pragma once

#include <cstdint>
#include <string>

#include "json_error.h"
#include "json_validator.h"
#include "token_cursor.h"

namespace gatescan::extract_internal {

// Rendering recurses once per level; this bound keeps it well inside a
// worker thread's stack, sanitizers included.
inline constexpr int kMaxRenderDepth = 1024;

class OpaValueRenderer {
 public:
  explicit OpaValueRenderer(JsonValidator* json) : json_(*json) {}

  // Appends the value at json's cursor (a member of level depth - 1) to *out
  // and steps past it.
  JsonError Render(int depth, std::string* out);

 private:
  JsonError RenderScalar(uint8_t type, std::string* out);
  JsonError RenderArray(int depth, std::string* out);
  JsonError RenderObject(int depth, std::string* out);

  JsonValidator& json_;
};

}  // namespace gatescan::extract_internal
