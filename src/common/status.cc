#include "gatescan/common/status.h"

// Status is header-only; this file keeps the one-.cc-per-header layout and
// gives the status module a translation unit of its own.
namespace gatescan {}  // namespace gatescan
