// file_walk.h — the one directory walker, for inputs and for policy folders.
//
// Lists the regular files below a directory whose names a predicate accepts,
// sorted by path so that a scan's output does not depend on the file
// system's order. Symlinked files are read; symlinked directories are not
// followed (a link back up the tree would never end). Errors name the
// directory. A plain function; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gatescan/common/status.h"

namespace gatescan {

// Appends the accepted files below `dir` to *out, sorted.
Status ListFilesBelow(const std::string& dir, const std::function<bool(std::string_view)>& accept,
                      std::vector<std::string>* out);

}  // namespace gatescan
