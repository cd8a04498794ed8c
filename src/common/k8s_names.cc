#include "gatescan/common/k8s_names.h"

namespace gatescan {

std::string_view ContainerListField(ContainerList list) {
  switch (list) {
    case ContainerList::kContainers:
      return "containers";
    case ContainerList::kInitContainers:
      return "initContainers";
    case ContainerList::kEphemeralContainers:
      return "ephemeralContainers";
  }
  return "containers";
}

namespace k8s {

std::string_view ContainerTypeWord(ContainerList list) {
  switch (list) {
    case ContainerList::kContainers:
      return "container";
    case ContainerList::kInitContainers:
      return "initContainer";
    case ContainerList::kEphemeralContainers:
      return "ephemeralContainer";
  }
  return "container";
}

GroupVersion SplitApiVersion(std::string_view api_version) {
  const size_t slash = api_version.find('/');
  if (slash == std::string_view::npos) return {{}, api_version, true};
  if (api_version.find('/', slash + 1) != std::string_view::npos) return {{}, {}, false};
  return {api_version.substr(0, slash), api_version.substr(slash + 1), true};
}

}  // namespace k8s
}  // namespace gatescan
