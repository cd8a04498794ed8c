// k8s_names_test.cc — the Kubernetes names every stage shares.
#include "gatescan/common/k8s_names.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace gatescan {
namespace {

TEST(K8sNamesTest, ContainerListWords) {
  EXPECT_EQ(ContainerListField(ContainerList::kContainers), "containers");
  EXPECT_EQ(ContainerListField(ContainerList::kInitContainers), "initContainers");
  EXPECT_EQ(ContainerListField(ContainerList::kEphemeralContainers), "ephemeralContainers");
  EXPECT_EQ(k8s::ContainerTypeWord(ContainerList::kContainers), "container");
  EXPECT_EQ(k8s::ContainerTypeWord(ContainerList::kInitContainers), "initContainer");
  EXPECT_EQ(k8s::ContainerTypeWord(ContainerList::kEphemeralContainers), "ephemeralContainer");
}

// apimachinery's schema.ParseGroupVersion, written out as Go has it: "" and
// "/" are the empty GroupVersion; no '/' is a core version; one '/' splits;
// more is an error.
k8s::GroupVersion ReferenceParse(const std::string& gv) {
  if (gv.empty() || gv == "/") return {"", "", true};
  size_t slashes = 0;
  for (char c : gv) slashes += c == '/';
  if (slashes == 0) return {"", gv, true};
  if (slashes > 1) return {"", "", false};
  const size_t i = gv.find('/');
  return {std::string_view(gv).substr(0, i), std::string_view(gv).substr(i + 1), true};
}

TEST(K8sNamesTest, SplitApiVersionIsParseGroupVersion) {
  const std::string cases[] = {
      "v1",    "apps/v1",   "",   "/",   "apps/",         "/v1",
      "a/b/c", "apps/v1/x", "//", "a//", "batch/v1beta1", "gatekeeper.sh/v1alpha1",
      "x/y/"};
  for (const std::string& in : cases) {
    const k8s::GroupVersion got = k8s::SplitApiVersion(in);
    const k8s::GroupVersion want = ReferenceParse(in);
    EXPECT_EQ(got.group, want.group) << in;
    EXPECT_EQ(got.version, want.version) << in;
    EXPECT_EQ(got.valid, want.valid) << in;
  }
  // Randomized over short strings of the interesting characters.
  const char alphabet[] = {'a', 'v', '1', '/', '.'};
  for (int n = 0; n <= 5; ++n) {
    int total = 1;
    for (int i = 0; i < n; ++i) total *= 5;
    for (int code = 0; code < total; ++code) {
      std::string s;
      for (int i = 0, c = code; i < n; ++i, c /= 5) s.push_back(alphabet[c % 5]);
      const k8s::GroupVersion got = k8s::SplitApiVersion(s);
      const k8s::GroupVersion want = ReferenceParse(s);
      ASSERT_EQ(got.group, want.group) << s;
      ASSERT_EQ(got.version, want.version) << s;
      ASSERT_EQ(got.valid, want.valid) << s;
    }
  }
}

TEST(K8sNamesTest, PodTemplateHashLabel) {
  EXPECT_EQ(k8s::kPodTemplateHashLabel, "pod-template-hash");
}

}  // namespace
}  // namespace gatescan
