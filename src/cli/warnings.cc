// warnings.cc — the warnings about what a run did not check (warnings.h).
#include "gatescan/cli/warnings.h"

#include <cstdio>
#include <numeric>
#include <string>

namespace gatescan {
namespace {

std::string Join(const std::vector<std::string>& values, size_t max = 5) {
  std::string out;
  for (size_t i = 0; i < values.size() && i < max; ++i) {
    if (i > 0) out += ", ";
    out += values[i];
  }
  if (values.size() > max) out += ", ... (" + std::to_string(values.size()) + " in all)";
  return out;
}

std::string Plural(uint64_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

void Warnings::Add(const std::string& message) {
  ++count_;
  std::fprintf(stderr, "gatescan: warning: %s\n", message.c_str());
}

std::string DescribeMatch(const Constraint& c) {
  const MatchSpec& m = c.match;
  std::vector<std::string> parts;
  std::vector<std::string> kinds;
  for (const KindSelector& k : m.kinds) {
    for (const std::string& kind : k.kinds) kinds.push_back(kind.empty() ? "\"\"" : kind);
  }
  parts.push_back(m.kinds.empty() ? "every kind" : "kinds " + Join(kinds));
  if (!m.namespaces.empty()) parts.push_back("namespaces " + Join(m.namespaces));
  if (!m.excluded_namespaces.empty()) {
    parts.push_back("excludedNamespaces " + Join(m.excluded_namespaces));
  }
  if (!m.name.empty()) parts.push_back("name " + m.name);
  if (m.label_selector.has_value()) parts.push_back("a labelSelector");
  if (m.namespace_selector.has_value()) parts.push_back("a namespaceSelector");
  if (m.scope == MatchScope::kCluster) parts.push_back("scope Cluster");
  if (m.scope == MatchScope::kNamespaced) parts.push_back("scope Namespaced");
  std::string out = c.kind + "/" + c.name + " (";
  for (size_t i = 0; i < parts.size(); ++i) out += (i > 0 ? "; " : "") + parts[i];
  return out + ")";
}

void WarnAboutScan(const InputOptions& in, const Policy& policy,
                   const std::vector<InputSpec>& inputs, const ScanResult& result,
                   Warnings* warnings) {
  const ScanSummary& summary = result.summary;
  if (inputs.empty()) {
    warnings->Add("no input found in " + Join(in.inputs) +
                  ": nothing was scanned (directories are searched for *.json, *.ndjson, "
                  "*.jsonl, *.yaml, *.yml, optionally .gz or .zst)");
    return;
  }
  if (summary.objects == 0) {
    // Error records already say why an unreadable input holds nothing.
    if (summary.errors == 0) {
      std::vector<std::string> names;
      names.reserve(inputs.size());
      for (const InputSpec& input : inputs) names.push_back(input.display_name);
      warnings->Add("no Kubernetes object in " + Join(names, 3) +
                    ": nothing was checked (an empty List?)");
    }
    return;
  }
  if (result.selected == 0) {
    std::vector<std::string> filters;
    if (!in.filter.namespaces.empty()) filters.push_back("-n " + Join(in.filter.namespaces));
    if (!in.filter.excluded_namespaces.empty()) {
      filters.push_back("--exclude-namespace " + Join(in.filter.excluded_namespaces));
    }
    if (in.filter.selector.has_value()) filters.push_back("-l");
    if (!policy.excluded_namespaces.empty()) {
      filters.push_back("the Config's excludedNamespaces " + Join(policy.excluded_namespaces));
    }
    warnings->Add("none of the " + Plural(summary.objects, "object") +
                  " passed the scan filters (" + Join(filters) + "): nothing was checked");
  } else if (summary.violations == 0 && !result.constraint_matched && !policy.constraints.empty()) {
    std::vector<std::string> matches;
    for (const Constraint& c : policy.constraints) matches.push_back(DescribeMatch(c));
    warnings->Add(
        "no constraint selects any of the " + Plural(result.selected, "object") +
        " that passed the filters, so nothing was checked; spec.match: " + Join(matches, 3));
  }
  if (!in.expand) {
    const uint64_t total = std::accumulate(result.unexpanded_workloads.begin(),
                                           result.unexpanded_workloads.end(), uint64_t{0});
    if (total > 0) {
      std::vector<std::string> kinds;
      for (size_t k = 0; k < kWorkloadKindCount; ++k) {
        if (result.unexpanded_workloads[k] > 0) {
          kinds.push_back(std::to_string(result.unexpanded_workloads[k]) + " " +
                          std::string(kWorkloadKinds[k]));
        }
      }
      warnings->Add(Plural(total, "workload") + " (" + Join(kinds, kWorkloadKindCount) +
                    ") not checked: their pod templates are checked only with --expand, as "
                    "Gatekeeper's ExpansionTemplates do");
    }
  }
}

}  // namespace gatescan
