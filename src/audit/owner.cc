// owner.cc — owner attribution from one object (owner.h).
#include "gatescan/audit/owner.h"

#include <cstdint>

namespace gatescan {
namespace {

// The CronJob controller's job names: getJobName() = "<cronjob>-<minutes>".
// Minutes since the epoch of 2015-01-01T00:00Z and 2100-01-01T00:00Z: a name
// outside this window (a date such as `migrate-20240101`, a build number) is
// not taken for a scheduled time.
constexpr uint64_t kFirstMinute = 1420070400 / 60;
constexpr uint64_t kLastMinute = 4102444800 / 60;

std::string_view LabelValue(std::span<const Label> labels, std::string_view key) {
  for (const Label& l : labels) {
    if (l.key == key) return l.value;
  }
  return {};
}

// "<prefix>-<suffix>" -> prefix, when the name ends with "-" + suffix and the
// prefix is not empty.
std::string_view PrefixBefore(std::string_view name, std::string_view suffix) {
  if (suffix.empty() || name.size() < suffix.size() + 2) return {};
  if (name.substr(name.size() - suffix.size()) != suffix) return {};
  if (name[name.size() - suffix.size() - 1] != '-') return {};
  return name.substr(0, name.size() - suffix.size() - 1);
}

}  // namespace

std::string_view CronJobOfJob(std::string_view job_name) {
  const size_t dash = job_name.rfind('-');
  if (dash == std::string_view::npos || dash == 0) return {};
  const std::string_view digits = job_name.substr(dash + 1);
  if (digits.empty() || digits.size() > 10 || digits[0] == '0') return {};
  uint64_t minutes = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return {};
    minutes = minutes * 10 + static_cast<uint64_t>(c - '0');
  }
  if (minutes < kFirstMinute || minutes >= kLastMinute) return {};
  return job_name.substr(0, dash);
}

Owner TopOwner(const ObjectRecord& object, std::span<const Label> labels) {
  if (object.owner_kind.empty() || object.owner_name.empty()) {
    return {object.kind, object.name, OwnerEvidence::kSelf};
  }
  if (object.owner_kind == "ReplicaSet") {
    const std::string_view deployment =
        PrefixBefore(object.owner_name, LabelValue(labels, "pod-template-hash"));
    if (!deployment.empty()) return {"Deployment", deployment, OwnerEvidence::kNamingConvention};
  } else if (object.owner_kind == "Job") {
    const std::string_view cronjob = CronJobOfJob(object.owner_name);
    if (!cronjob.empty()) return {"CronJob", cronjob, OwnerEvidence::kNamingConvention};
  }
  return {object.owner_kind, object.owner_name, OwnerEvidence::kOwnerReference};
}

}  // namespace gatescan
