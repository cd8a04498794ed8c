// warnings.h — what a run did not check, said on standard error.
//
// A scan that checks nothing must not look clean: after the pipeline, the CLI
// asks WarnAboutScan for each reason (no input, no object, every object
// filtered out, no constraint's spec.match selecting anything, workloads
// whose pod templates only --expand checks). Loader warnings go through the
// same Warnings object, so --strict can turn any of them into exit 2.
// One thread; plain functions over finished results.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "gatescan/cli/commands.h"
#include "gatescan/pipeline/pipeline.h"
#include "gatescan/policy/policy.h"

namespace gatescan {

class Warnings {
 public:
  // Prints "gatescan: warning: <message>" on standard error.
  void Add(const std::string& message);
  size_t count() const { return count_; }

 private:
  size_t count_ = 0;
};

// The warnings about a finished scan. `inputs` is what ListInputs found.
void WarnAboutScan(const InputOptions& in, const Policy& policy,
                   const std::vector<InputSpec>& inputs, const ScanResult& result,
                   Warnings* warnings);

// "K8sAllowedRepos/name: kinds Pod; namespaces a, b" — what a constraint's
// spec.match selects, in a few words.
std::string DescribeMatch(const Constraint& constraint);

}  // namespace gatescan
