// -o audit shows each constraint's spec.parameters as `kubectl get -o json`
// does after a Gatekeeper audit (issue 14 leftover): not only the template's
// main list but every parameter gatescan reads (exemptImages too), keys
// sorted as Go marshals a map, an empty list kept, an absent one absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "cli_support.h"

namespace gatescan {
namespace {

namespace fs = std::filesystem;
using testing::RunGatescan;

std::string Write(const std::string& name, const std::string& text) {
  const fs::path dir =
      fs::temp_directory_path() / ("gatescan-audit-params-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path path = dir / name;
  std::ofstream(path) << text;
  return path.string();
}

// The text between `"parameters": ` and the `}` that closes it.
std::string Parameters(const std::string& audit, const std::string& constraint) {
  const size_t at = audit.find("\"name\": \"" + constraint + "\"");
  if (at == std::string::npos) return "<no constraint " + constraint + ">";
  const size_t spec = audit.find("\"spec\": {", at);
  const size_t status = audit.find("\"status\": {", at);
  const size_t p = audit.find("\"parameters\": ", spec);
  if (p == std::string::npos || p > status) return "<none>";
  const size_t end = audit.find("\n                }", p);
  return audit.substr(p, end + 18 - p);
}

TEST(AuditParameters, EveryParameterGatescanReadsInKeyOrder) {
  const std::string policy = Write("policy.yaml", R"(apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sDisallowedTags
metadata:
  name: tags
spec:
  parameters:
    tags: ["latest"]
    exemptImages: ["registry.k8s.io/pause*", "b<&>"]
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedReposv2
metadata:
  name: images
spec:
  parameters:
    allowedImages: ["docker.io/*"]
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sImageDigests
metadata:
  name: digests-empty
spec:
  parameters:
    exemptImages: []
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sImageDigests
metadata:
  name: digests-none
spec: {}
)");
  const std::string pods = Write("pods.json", R"({"apiVersion":"v1","kind":"Pod",
    "metadata":{"name":"p","namespace":"n"},
    "spec":{"containers":[{"name":"c","image":"nginx:latest"}]}})");
  const auto r = RunGatescan({"-o", "audit", "--exit-zero", "-p", policy, pods});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Parameters(r.out, "tags"), R"("parameters": {
                    "exemptImages": [
                        "registry.k8s.io/pause*",
                        "b\u003c\u0026\u003e"
                    ],
                    "tags": [
                        "latest"
                    ]
                })");
  EXPECT_EQ(Parameters(r.out, "images"), R"("parameters": {
                    "allowedImages": [
                        "docker.io/*"
                    ]
                })");
  EXPECT_EQ(Parameters(r.out, "digests-empty"), R"("parameters": {
                    "exemptImages": []
                })");
  EXPECT_EQ(Parameters(r.out, "digests-none"), "<none>");
}

}  // namespace
}  // namespace gatescan
