// k8s_names.h — Kubernetes names every stage spells the same way.
//
// The container lists of a pod spec and the words for them, how an
// apiVersion splits into group and version, and well-known label keys. One
// home, so that matching, output and the extractor cannot disagree.
// Constants and pure functions; thread-safe.
//
// The functions live in namespace gatescan::k8s (`k8s::SplitApiVersion`),
// except ContainerListField, which keeps its older home next to the enum.
#pragma once

#include <cstdint>
#include <string_view>

namespace gatescan {

// The container lists of a pod spec, in the order Gatekeeper's
// allowed-repos rules check them.
enum class ContainerList : uint8_t {
  kContainers = 0,
  kInitContainers = 1,
  kEphemeralContainers = 2
};
inline constexpr int kContainerListCount = 3;

// The field of the pod spec: "containers", "initContainers",
// "ephemeralContainers".
std::string_view ContainerListField(ContainerList list);

namespace k8s {

// The word the allowed-repos messages and gatescan's outputs use for a
// container of that list: "container", "initContainer", "ephemeralContainer".
std::string_view ContainerTypeWord(ContainerList list);

// An apiVersion as apimachinery's schema.ParseGroupVersion reads it:
// "apps/v1" -> {apps, v1}; "v1" -> {"", v1}; "" and "/" -> {"", ""}; with
// more than one '/' ("apps/v1/x") it is an error, and `valid` is false with
// both parts empty. Gatekeeper reads every object through
// Unstructured.GroupVersionKind(), which returns an EMPTY group, version
// and kind on that error, and gator then refuses the object: the pipeline
// makes such an object an error record before matching or output.
struct GroupVersion {
  std::string_view group;
  std::string_view version;
  bool valid = true;
};
GroupVersion SplitApiVersion(std::string_view api_version);

// The label the Deployment controller puts on a ReplicaSet and its Pods: the
// hash suffix of the ReplicaSet's name (`<deployment>-<hash>`), which
// owner attribution uses to name the Deployment when only Pods are seen.
inline constexpr std::string_view kPodTemplateHashLabel = "pod-template-hash";

}  // namespace k8s
}  // namespace gatescan
