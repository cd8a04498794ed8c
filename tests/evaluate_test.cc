// Unit tests of the matcher stage (evaluate.h): expansion, enforcement
// action overrides, match.source, set semantics and ordering of one object's
// results. Objects go through the real extractor; policies through the
// real loader, so the tests read like the YAML a user writes.
#include "gatescan/evaluate/evaluate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "cli_support.h"
#include "gatescan/input/framer.h"

namespace gatescan {
namespace {

using testing::TempDir;

class EvaluateTest : public ::testing::Test {
 protected:
  Policy Load(const std::string& yaml) {
    Policy policy;
    const Status status =
        LoadPolicy({{dir_.Write("p" + std::to_string(files_++) + ".yaml", yaml)}, {}}, &policy);
    EXPECT_TRUE(status.ok()) << status.message();
    return policy;
  }

  // The violations of the one object `json`, as "<action> <message>" lines.
  std::vector<std::string> Run(const Policy& policy, const std::string& json, bool expand = true) {
    std::string padded = json;
    padded.append(kParsePadding, '\0');
    EvaluateOptions options;
    options.expand = expand;
    // Violations view strings the evaluator owns (template names): keep it.
    evaluator_ = std::make_unique<Evaluator>(policy, options);
    Extractor extractor(
        ExtractOptions{.pod_templates = expand, .template_paths = evaluator_->expansion_paths()});
    batch_ = ExtractedBatch{};
    extractor.Extract(std::string_view(padded.data(), json.size()), &batch_);
    EXPECT_EQ(batch_.objects.size(), 1u);
    EXPECT_EQ(batch_.objects[0].error, "");
    violations_.clear();
    expansion_error_ = {};
    evaluator_->Evaluate(batch_.objects[0], batch_, &violations_, &batch_.arena, &expansion_error_);
    std::vector<std::string> lines;
    for (const Violation& v : violations_) {
      lines.push_back(std::string(ActionName(v.action)) + " " + std::string(v.message));
    }
    return lines;
  }

  TempDir dir_;
  int files_ = 0;
  ExtractedBatch batch_;
  std::unique_ptr<Evaluator> evaluator_;
  std::vector<Violation> violations_;
  std::string_view expansion_error_;
};

std::string Constraint(const std::string& name, const std::string& match,
                       const std::string& extra = "") {
  return "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sAllowedRepos\nmetadata: {name: " +
         name + "}\nspec:\n  match: {" + match + "}\n" + extra +
         "  parameters: {repos: [\"docker.io/\"]}\n---\n";
}

const char* kDeployment = R"({"apiVersion":"apps/v1","kind":"Deployment",
  "metadata":{"name":"Web","namespace":"shop","labels":{"app":"parent"}},
  "spec":{"template":{"metadata":{"labels":{"app":"web"}},
    "spec":{"containers":[{"name":"c","image":"quay.io/x"}]}}}})";

const char* kCronJob =
    R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"Nightly","namespace":"ops"},
  "spec":{"jobTemplate":{"metadata":{"labels":{"job":"yes"}},"spec":{"template":{"metadata":{"labels":{"pod":"yes"}},
    "spec":{"initContainers":[{"name":"i","image":"gcr.io/y"}]}}}}}})";

const std::string kMsg =
    R"(container <c> has an invalid image repo <quay.io/x>, allowed repos are ["docker.io/"])";

TEST_F(EvaluateTest, ImpliedPodIsNamedInLowerCaseInTheParentsNamespaceWithTheTemplatesLabels) {
  const Policy policy =
      Load(Constraint("by-name", "name: web-pod, namespaces: [shop]") +
           Constraint("by-labels", "labelSelector: {matchLabels: {app: web}}") +
           Constraint("parent-labels", "labelSelector: {matchLabels: {app: parent}}") +
           Constraint("other-name", "name: Web-pod"));
  EXPECT_EQ(Run(policy, kDeployment),
            (std::vector<std::string>{"deny [Implied by expand-deployments] " + kMsg,
                                      "deny [Implied by expand-deployments] " + kMsg}));
  ASSERT_EQ(violations_.size(), 2u);
  EXPECT_EQ(policy.constraints[violations_[0].constraint].name, "by-name");
  EXPECT_EQ(policy.constraints[violations_[1].constraint].name, "by-labels");
  EXPECT_EQ(violations_[0].implied_by, "expand-deployments");
  EXPECT_EQ(Run(policy, kDeployment, /*expand=*/false), std::vector<std::string>{});
}

TEST_F(EvaluateTest, CronJobsExpandThroughTheirJobToAPod) {
  const Policy policy =
      Load(Constraint("pod", "kinds: [{apiGroups: [\"\"], kinds: [Pod]}], name: nightly-job-pod") +
           Constraint("pod-labels", "labelSelector: {matchLabels: {pod: \"yes\"}}") +
           Constraint("job-labels", "labelSelector: {matchLabels: {job: \"yes\"}}"));
  const std::string msg =
      R"(initContainer <i> has an invalid image repo <gcr.io/y>, allowed repos are ["docker.io/"])";
  EXPECT_EQ(Run(policy, kCronJob),
            (std::vector<std::string>{"deny [Implied by expand-deployments] " + msg,
                                      "deny [Implied by expand-deployments] " + msg}));
}

TEST_F(EvaluateTest, AnExpansionTemplatesActionOverridesTheConstraints) {
  const Policy policy = Load(Constraint("c", "") + R"(apiVersion: expansion.gatekeeper.sh/v1beta1
kind: ExpansionTemplate
metadata: {name: dryrun-workloads}
spec:
  applyTo: [{groups: [apps], kinds: [Deployment], versions: [v1]}]
  templateSource: spec.template
  generatedGVK: {group: "", version: v1, kind: Pod}
  enforcementAction: dryrun
)");
  EXPECT_EQ(Run(policy, kDeployment),
            std::vector<std::string>{"dryrun [Implied by dryrun-workloads] " + kMsg});
  ASSERT_EQ(violations_.size(), 1u);
  EXPECT_FALSE(IsDenying(violations_[0]));
  // Given templates replace the built-ins: a CronJob is not expanded now.
  EXPECT_EQ(Run(policy, kCronJob), std::vector<std::string>{});
}

TEST_F(EvaluateTest, MatchSourceSeparatesObjectsFromImpliedOnes) {
  const std::string pod =
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"shop"},
    "spec":{"containers":[{"name":"c","image":"quay.io/x"}]}})";
  const Policy policy = Load(Constraint("original", "source: Original") +
                             Constraint("generated", "source: Generated"));
  EXPECT_EQ(Run(policy, pod), std::vector<std::string>{"deny " + kMsg});
  EXPECT_EQ(policy.constraints[violations_[0].constraint].name, "original");
  EXPECT_EQ(Run(policy, kDeployment),
            std::vector<std::string>{"deny [Implied by expand-deployments] " + kMsg});
  EXPECT_EQ(policy.constraints[violations_[0].constraint].name, "generated");
}

TEST_F(EvaluateTest, MessagesOncePerConstraintSortedByActionThenMessage) {
  const std::string pod =
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"shop"},
    "spec":{"containers":[{"name":"c","image":"quay.io/x"},{"name":"c","image":"quay.io/x"},
                          {"name":"b","image":"quay.io/x"}]}})";
  const Policy policy =
      Load(Constraint("warn", "", "  enforcementAction: warn\n") + Constraint("deny", ""));
  const std::string msg_b =
      R"(container <b> has an invalid image repo <quay.io/x>, allowed repos are ["docker.io/"])";
  EXPECT_EQ(Run(policy, pod), (std::vector<std::string>{"deny " + msg_b, "deny " + kMsg,
                                                        "warn " + msg_b, "warn " + kMsg}));
}

// Random constraints (actions, lists) against random containers, from one
// violation to dozens: the order must be a stable sort by action, then
// message, of the violations in constraint order, each (constraint, message)
// once: computed here from the images and the message format.
TEST_F(EvaluateTest, OrderIsAStableSortOfEveryConstraintsViolations) {
  std::mt19937 rng(11);
  const std::vector<std::string> actions = {"deny", "dryrun", "warn"};
  const std::vector<EnforcementAction> action_values = {
      EnforcementAction::kDeny, EnforcementAction::kDryrun, EnforcementAction::kWarn};
  const std::vector<std::string> lists = {"docker.io/", "quay.io/"};
  const std::vector<std::string> names = {"a", "b", "c"};
  const std::vector<std::string> images = {"quay.io/x", "gcr.io/y", "docker.io/z"};
  for (int round = 0; round < 60; ++round) {
    const int constraints = 1 + static_cast<int>(rng() % 12);
    const int containers = 1 + static_cast<int>(rng() % 4);
    std::string yaml;
    std::vector<std::pair<size_t, size_t>> spec;  // action, list
    for (int k = 0; k < constraints; ++k) {
      spec.emplace_back(rng() % actions.size(), rng() % lists.size());
      yaml +=
          "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sAllowedRepos\nmetadata: "
          "{name: k" +
          std::to_string(k) + "}\nspec:\n  enforcementAction: " + actions[spec.back().first] +
          "\n  parameters: {repos: [\"" + lists[spec.back().second] + "\"]}\n---\n";
    }
    std::vector<std::pair<std::string, std::string>> pod;
    std::string json = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"n"},)"
                       R"("spec":{"containers":[)";
    for (int c = 0; c < containers; ++c) {
      pod.emplace_back(names[rng() % names.size()], images[rng() % images.size()]);
      json += (c == 0 ? "" : ",") + std::string(R"({"name":")") + pod.back().first +
              R"(","image":")" + pod.back().second + R"("})";
    }
    json += "]}}";
    struct Expected {
      EnforcementAction action;
      std::string message;
      uint32_t constraint;
    };
    std::vector<Expected> expected;
    for (int k = 0; k < constraints; ++k) {
      const std::string& list = lists[spec[static_cast<size_t>(k)].second];
      for (const auto& [name, image] : pod) {
        if (image.starts_with(list)) continue;
        const std::string message = "container <" + name + "> has an invalid image repo <" + image +
                                    R"(>, allowed repos are [")" + list + R"("])";
        const bool seen = std::any_of(expected.begin(), expected.end(), [&](const Expected& e) {
          return e.constraint == static_cast<uint32_t>(k) && e.message == message;
        });
        if (!seen) {
          expected.push_back({action_values[spec[static_cast<size_t>(k)].first], message,
                              static_cast<uint32_t>(k)});
        }
      }
    }
    std::stable_sort(expected.begin(), expected.end(), [](const Expected& a, const Expected& b) {
      return a.action != b.action ? a.action < b.action : a.message < b.message;
    });
    Run(Load(yaml), json, false);
    ASSERT_EQ(violations_.size(), expected.size()) << "round " << round;
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(violations_[i].action, expected[i].action) << "round " << round << " #" << i;
      EXPECT_EQ(violations_[i].message, expected[i].message) << "round " << round << " #" << i;
      EXPECT_EQ(violations_[i].constraint, expected[i].constraint)
          << "round " << round << " #" << i;
    }
  }
}

}  // namespace
}  // namespace gatescan
