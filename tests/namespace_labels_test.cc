// The labels of a Namespace given with --policy, as Gatekeeper reads them for
// a namespaceSelector (issue 13). Gatekeeper holds Namespaces typed
// (corev1.Namespace: gator's convertNamespace, runtime.DefaultUnstructured-
// Converter), unlike the reviewed object's own labels (unstructured
// GetLabels, where one non-string value means no labels at all): a null
// value converts to "", any other non-string fails the conversion and gator
// stops. A duplicate key's last value wins, before any of that is judged.
#include <gtest/gtest.h>

#include <string>

#include "cli_support.h"

namespace gatescan {
namespace {

using testing::RunGatescan;
using testing::TempDir;

const std::string kConstraint = R"(apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedRepos
metadata: {name: team-only}
spec:
  match:
    namespaceSelector:
      matchExpressions: [{key: team, operator: Exists}]
  parameters: {repos: ["docker.io/"]}
)";

const std::string kPod =
    R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"shop"},)"
    R"("spec":{"containers":[{"name":"c","image":"quay.io/x"}]}})";

testing::RunResult Scan(const std::string& namespace_json) {
  TempDir dir;
  const std::string constraint = dir.Write("policy/constraint.yaml", kConstraint);
  dir.Write("policy/namespace.json", namespace_json);
  const std::string input = dir.Write("pod.json", kPod);
  return RunGatescan({"-o", "gator", "-p", (dir.path() / "policy").string(), input});
}

std::string Namespace(const std::string& labels) {
  return R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop","labels":)" + labels +
         "}}";
}

TEST(NamespaceLabelsTest, ANullValueIsAnEmptyLabel) {
  const testing::RunResult r = Scan(Namespace(R"({"team":null,"tier":"web"})"));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("v1/Pod shop/p: [\"team-only\"]"), std::string::npos) << r.out << r.err;
}

TEST(NamespaceLabelsTest, AnotherNonStringValueIsAnError) {
  for (const std::string value : {"1", "true", "[]", "{}", "1.5"}) {
    const testing::RunResult r = Scan(Namespace(R"({"tier":"web","team":)" + value + "}"));
    EXPECT_EQ(r.exit_code, 2) << value;
    EXPECT_NE(r.err.find("Namespace/shop: metadata.labels.team must be a string"),
              std::string::npos)
        << value << r.err;
    EXPECT_EQ(r.out, "") << value;
  }
}

TEST(NamespaceLabelsTest, TheLastOfADuplicateKeyIsJudged) {
  testing::RunResult r = Scan(Namespace(R"({"team":1,"team":"a"})"));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  r = Scan(Namespace(R"({"team":"a","team":{}})"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  // Without the label the selector does not match: clean.
  r = Scan(Namespace(R"({"team":"a","tier":"x"})"));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  r = Scan(Namespace(R"({"tier":"x"})"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace gatescan
