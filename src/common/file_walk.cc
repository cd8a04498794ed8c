#include "gatescan/common/file_walk.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace gatescan {

Status ListFilesBelow(const std::string& dir, const std::function<bool(std::string_view)>& accept,
                      std::vector<std::string>* out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> found;
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec);
  if (ec) return Status::Error(dir + ": " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return Status::Error(dir + ": " + ec.message());
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;
    if (accept(it->path().filename().string())) found.push_back(it->path().string());
  }
  std::sort(found.begin(), found.end());
  out->insert(out->end(), found.begin(), found.end());
  return Status::Ok();
}

}  // namespace gatescan
