// suggest.cc — the smallest covering allowlist (suggest.h explains the rule
// and why it is optimal).
#include "gatescan/inventory/suggest.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_set>

namespace gatescan {
namespace {

// distribution/reference's splitDockerDomain: the first component names a
// host when it has a '.' or ':', is "localhost", or has an upper-case letter.
bool NamesHost(std::string_view first) {
  if (first == "localhost" || first.find_first_of(".:") != std::string_view::npos) return true;
  return std::any_of(first.begin(), first.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

struct Candidate {
  const PrefixCount* repository = nullptr;  // a repository candidate
  std::string registry;                     // or a registry candidate
  std::vector<const PrefixCount*> members;  // a registry's repositories
  uint64_t containers = 0;
  bool chosen = false;
};

std::vector<std::string> RepositoryEntries(const PrefixCount& r, bool reference) {
  if (reference) return {r.repository};
  // A bare image needs the bare prefix, which admits the other forms too.
  if (r.forms & kFormBare) return {r.repository};
  std::vector<std::string> entries;
  if (r.forms & kFormTagged) entries.push_back(r.repository + ":");
  if (r.forms & kFormDigest) entries.push_back(r.repository + "@");
  return entries;
}

SuggestedPrefix Describe(const Candidate& c, bool reference) {
  if (c.repository != nullptr) {
    return {c.repository->repository, false, c.containers,
            RepositoryEntries(*c.repository, reference)};
  }
  return {c.registry, true, c.containers, {c.registry}};
}

}  // namespace

void SpelledPrefixes(std::string_view image, std::string_view* registry,
                     std::string_view* repository, uint8_t* forms) {
  const size_t at = image.find('@');
  const std::string_view named = image.substr(0, at);
  const size_t slash = named.rfind('/');
  const size_t colon = named.find(':', slash == std::string_view::npos ? 0 : slash + 1);
  *repository = named.substr(0, colon);
  *forms = colon != std::string_view::npos ? kFormTagged
           : at != std::string_view::npos  ? kFormDigest
                                           : kFormBare;
  const size_t first = repository->find('/');
  *registry = first != std::string_view::npos && NamesHost(repository->substr(0, first))
                  ? repository->substr(0, first + 1)
                  : std::string_view();
}

Suggestion SuggestAllowlist(std::span<const PrefixCount> repositories, uint64_t total,
                            uint32_t share_ppm, bool reference) {
  Suggestion s;
  s.total = total;
  s.target = static_cast<uint64_t>((static_cast<unsigned __int128>(total) * share_ppm + 999'999) /
                                   1'000'000);

  std::map<std::string_view, std::vector<const PrefixCount*>> by_registry;
  for (const PrefixCount& r : repositories) {
    if (r.containers > 0) by_registry[r.registry].push_back(&r);
  }
  std::vector<Candidate> candidates;
  for (auto& [registry, members] : by_registry) {
    if (registry.empty() || members.size() == 1) {
      for (const PrefixCount* r : members) candidates.push_back({r, {}, {}, r->containers});
      continue;
    }
    Candidate c{nullptr, std::string(registry), members, 0};
    for (const PrefixCount* r : members) c.containers += r->containers;
    candidates.push_back(std::move(c));
  }
  auto name = [](const Candidate& c) -> std::string_view {
    return c.repository != nullptr ? std::string_view(c.repository->repository)
                                   : std::string_view(c.registry);
  };
  std::sort(candidates.begin(), candidates.end(), [&](const Candidate& a, const Candidate& b) {
    if (a.containers != b.containers) return a.containers > b.containers;
    if ((a.repository != nullptr) != (b.repository != nullptr)) return a.repository != nullptr;
    return name(a) < name(b);
  });
  for (Candidate& c : candidates) {
    if (s.covered >= s.target) break;
    c.chosen = true;
    s.covered += c.containers;
  }
  s.reachable = s.covered >= s.target;

  // Narrowing: a chosen registry becomes the largest repository left out,
  // when the share still holds (suggest.h).
  std::unordered_set<const PrefixCount*> admitted;
  std::vector<Candidate*> chosen_registries;
  for (Candidate& c : candidates) {
    if (!c.chosen) continue;
    if (c.repository != nullptr) {
      admitted.insert(c.repository);
    } else {
      admitted.insert(c.members.begin(), c.members.end());
      chosen_registries.push_back(&c);
    }
  }
  std::sort(chosen_registries.begin(), chosen_registries.end(),
            [](const Candidate* a, const Candidate* b) { return a->containers < b->containers; });
  for (Candidate* g : chosen_registries) {
    for (const PrefixCount* r : g->members) admitted.erase(r);
    const PrefixCount* best = nullptr;
    for (const PrefixCount& r : repositories) {
      if (r.containers == 0 || admitted.count(&r) > 0) continue;
      if (best == nullptr || r.containers > best->containers ||
          (r.containers == best->containers && r.repository < best->repository)) {
        best = &r;
      }
    }
    if (best == nullptr || s.covered - g->containers + best->containers < s.target) {
      admitted.insert(g->members.begin(), g->members.end());
      continue;
    }
    admitted.insert(best);
    s.covered = s.covered - g->containers + best->containers;
    g->repository = best;
    g->registry.clear();
    g->members.clear();
    g->containers = best->containers;
  }

  for (const Candidate& c : candidates) {
    if (c.chosen) s.prefixes.push_back(Describe(c, reference));
  }
  std::stable_sort(s.prefixes.begin(), s.prefixes.end(),
                   [](const SuggestedPrefix& a, const SuggestedPrefix& b) {
                     return a.containers > b.containers;
                   });
  return s;
}

}  // namespace gatescan
