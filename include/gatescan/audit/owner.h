// owner.h — which workload a finding belongs to (owner attribution).
//
// In: one ObjectRecord (its kind, name, labels and the controller
// ownerReference the extractor copied out). Out: the workload — the top owner
// that can be *proven* from that object alone — as views into the record's
// strings (valid as long as the record's batch). Pure functions, no state:
// any thread may call them; nothing is kept between objects.
//
// The streaming rule (README, "Workloads and owners"): a finding's owner is
// decided from its own object only, never from objects elsewhere in the
// input, so a line written early never needs to change when a later object
// reveals more, every output (streamed or sorted at the end, baselines and
// diffs) names the same owner, and nothing is held in memory per object.
// One ownerReference step is read from the object; a second step is taken
// only where kubectl's controllers make it provable from the name alone:
//   - ReplicaSet -> Deployment: the object carries `pod-template-hash: H` and
//     the ReplicaSet is named `<deployment>-H` (the Deployment controller
//     names its ReplicaSets so and stamps H on their pods);
//   - Job -> CronJob: the Job is named `<cronjob>-<N>`, N the scheduled time
//     in minutes since the Unix epoch as the CronJob controller writes it
//     (decimal, no leading zero, within 2015-01-01 .. 2100-01-01).
// Otherwise the direct controller is the owner; an object without one is its
// own workload.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "gatescan/extract/extract.h"

namespace gatescan {

enum class OwnerEvidence {
  kSelf,             // nothing owns the object: it is the workload
  kOwnerReference,   // the controller ownerReference
  kNamingConvention  // a second step proven by kubectl's naming (above)
};

struct Owner {
  std::string_view kind;
  std::string_view name;
  OwnerEvidence evidence = OwnerEvidence::kSelf;
};

// The workload of `object`, whose metadata.labels are `labels`.
Owner TopOwner(const ObjectRecord& object, std::span<const Label> labels);

// The CronJob that made a Job called `job_name`, when the name is provably
// `<cronjob>-<scheduled minutes>`; empty otherwise.
std::string_view CronJobOfJob(std::string_view job_name);

}  // namespace gatescan
