// suggest.h — `inventory --suggest N%`: the fewest registry or repository
// prefixes that admit at least N% of all containers.
//
// In: one PrefixCount per repository of the inventory (containers counted,
// the registry it sits under) and the total number of containers (invalid
// references included: they are never counted as admitted — the suggestion
// is over parsed references, though a raw `gcr.io/` may still let
// `gcr.io/UPPER/x` through — so they count against the share). Out: a
// Suggestion — the chosen prefixes, each with the `--allow` entries that
// admit its repositories' containers under the match mode.
// Pure function of its arguments; any thread.
//
// Prefixes, per match mode:
//   - gatekeeper (raw byte prefix, the Rego's startswith): a repository is
//     the image as written up to its tag or digest (`nginx`, `gcr.io/x/y`),
//     admitted by `R:` (tagged images), `R@` (digest only) — or by `R` when
//     an untagged image needs it, a raw prefix the policy loader will warn
//     about. A registry is the image's first component as written when it
//     names a host (`gcr.io/`, `localhost:5000/`); `nginx:1.25` has none,
//     since no `docker.io/` entry is a raw prefix of it.
//   - reference (normalised references): the repository's full name
//     (`docker.io/library/nginx`) and its registry with a slash (`docker.io/`);
//     every valid reference has both.
//
// The rule (why it is optimal): choosing a registry admits all its
// repositories at the cost of one entry, so a solution that chooses k >= 1
// repositories of a registry is never smaller than the one choosing the
// registry instead. Hence some smallest solution chooses, per registry,
// either the registry or nothing, and repositories only where they have no
// registry. Those candidates are disjoint and cost one each, so taking them
// largest first until the share is reached is a smallest solution (a
// registry with a single repository is offered as that repository: same
// count, narrower). Then, without changing the number of prefixes, each
// chosen registry (smallest first) is swapped for the single largest
// repository not yet admitted when the share still holds: a narrower
// allowlist where one exists that way (a heuristic: the number of prefixes is
// the optimum, the number of whole registries among them is not promised).
// When the share cannot be reached (invalid references), every candidate is
// chosen and `reachable` is false.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace gatescan {

// How a repository's images are written (gatekeeper mode), a bit set.
enum : uint8_t { kFormTagged = 1, kFormDigest = 2, kFormBare = 4 };

struct PrefixCount {
  std::string registry;    // with its trailing '/'; "" when no registry prefix admits it
  std::string repository;  // as written (gatekeeper) or normalised (reference)
  uint64_t containers = 0;
  uint8_t forms = 0;  // gatekeeper: which entries the repository needs
};

struct SuggestedPrefix {
  std::string prefix;  // the registry ("gcr.io/") or the repository ("gcr.io/x/y")
  bool is_registry = false;
  uint64_t containers = 0;
  std::vector<std::string> entries;  // --allow values that admit exactly these containers
};

struct Suggestion {
  uint64_t total = 0;   // every container
  uint64_t target = 0;  // ceil(total * share)
  uint64_t covered = 0;
  bool reachable = true;
  std::vector<SuggestedPrefix> prefixes;  // largest first
};

// `reference`: --match reference entries; gatekeeper's raw prefixes otherwise.
Suggestion SuggestAllowlist(std::span<const PrefixCount> repositories, uint64_t total,
                            uint32_t share_ppm, bool reference);

// The repository and registry prefixes of a valid image written as `image`
// under gatekeeper's raw prefix rule (above); `forms` gets its form bit.
void SpelledPrefixes(std::string_view image, std::string_view* registry,
                     std::string_view* repository, uint8_t* forms);

}  // namespace gatescan
