// match_bench.cc — allowlist matching: the Rego's loop against compiled forms.
//
// Every family answers "is this image allowed?" (K8sAllowedRepos raw byte
// prefix) over the same realistic image set, for allowlists of 1 to 100000
// entries. Half of the images are built from entries of the allowlist under
// test, so they really are allowed at every N; the other half are ordinary
// public images that no generated entry allows. Each benchmark checks its
// answers against the naive loop before it times anything.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "gatescan/allowlist/prefix_trie.h"

namespace gatescan {
namespace {

constexpr size_t kImageCount = 4096;

// Entry shapes seen in real allowlists: registry hosts, org paths, ECR,
// private host:port registries, and prefix-of-repo entries without a '/'.
std::string MakeEntry(size_t i) {
  const std::string n = std::to_string(i / 8);
  switch (i % 8) {
    case 0:
      return "registry.corp.example/team-" + n + "/";
    case 1:
      return "gcr.io/project-" + n + "/";
    case 2:
      return "docker.io/org-" + n + "/app-" + std::to_string(i % 97);
    case 3:
      return "123456789012.dkr.ecr.us-east-1.amazonaws.com/svc-" + n + "/";
    case 4:
      return "quay.io/org-" + n + "/";
    case 5:
      return "ghcr.io/org-" + n + "/";
    case 6:
      return "registry.k8s.io/sig-" + n + "/";
    default:
      return "harbor-" + n + ".internal:5000/";
  }
}

std::string Digest(std::mt19937_64& rng) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string d = "@sha256:";
  for (int i = 0; i < 64; ++i) d += kHex[rng() % 16];
  return d;
}

// The rest of an image after an allowlisted prefix: name, tag or digest.
std::string ImageTail(std::mt19937_64& rng) {
  switch (rng() % 3) {
    case 0:
      return "api-server:v1." + std::to_string(rng() % 30) + "." + std::to_string(rng() % 10);
    case 1:
      return "worker" + Digest(rng);
    default:
      return "-" + std::to_string(rng() % 100) + "/job:2024." + std::to_string(rng() % 12);
  }
}

// Public images that no entry of MakeEntry allows (checked at set-up).
std::string DisallowedImage(std::mt19937_64& rng) {
  static const char* const kRepos[] = {
      "nginx:1.25",
      "redis:7.2-alpine",
      "docker.io/library/postgres:16",
      "docker.io/bitnami/kafka:3.6",
      "quay.io/prometheus/node-exporter:v1.7.0",
      "gcr.io/distroless/static",
      "registry.k8s.io/kube-proxy:v1.29.0",
      "ghcr.io/fluxcd/source-controller:v1.2.0",
      "123456789012.dkr.ecr.us-east-1.amazonaws.com/billing:2024",
      "registry.corp.example/platform/tool:1.0",
      "harbor.internal:5000/base/ubuntu:22.04",
      "mcr.microsoft.com/dotnet/runtime:8.0",
  };
  std::string image = kRepos[rng() % std::size(kRepos)];
  if (rng() % 4 == 0) image += Digest(rng);
  return image;
}

bool NaiveAllows(const std::vector<std::string>& entries, std::string_view image) {
  for (const std::string& e : entries) {
    if (image.starts_with(e)) return true;  // `any(startswith(image, repo))`
  }
  return false;
}

struct Dataset {
  std::vector<std::string> entries;
  std::vector<std::string> images;
  std::vector<char> allowed;  // the naive loop's answers
  bool half_allowed = false;  // every generated-as-allowed image is allowed, and no other
};

const Dataset& DatasetFor(size_t n) {
  static std::map<size_t, std::unique_ptr<Dataset>> cache;
  std::unique_ptr<Dataset>& slot = cache[n];
  if (slot) return *slot;
  slot = std::make_unique<Dataset>();
  Dataset& d = *slot;
  for (size_t i = 0; i < n; ++i) d.entries.push_back(MakeEntry(i));
  std::mt19937_64 rng(42);
  std::vector<char> should_allow;
  for (size_t i = 0; i < kImageCount; ++i) {
    const bool allow = i % 2 == 0;
    d.images.push_back(allow ? d.entries[rng() % n] + ImageTail(rng) : DisallowedImage(rng));
    should_allow.push_back(allow);
  }
  // Shuffle so the branch predictor cannot learn the alternation.
  std::vector<size_t> order(kImageCount);
  for (size_t i = 0; i < kImageCount; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<std::string> images;
  std::vector<char> expected;
  for (size_t i : order) {
    images.push_back(std::move(d.images[i]));
    expected.push_back(should_allow[i]);
  }
  d.images = std::move(images);
  for (const std::string& image : d.images) d.allowed.push_back(NaiveAllows(d.entries, image));
  d.half_allowed = d.allowed == expected;
  return d;
}

size_t StringBytes(const std::vector<std::string>& v) {
  size_t bytes = v.capacity() * sizeof(std::string);
  for (const std::string& s : v) {
    if (s.capacity() > 15) bytes += s.capacity() + 1;  // beyond the small-string buffer
  }
  return bytes;
}

// Checks `allows` against the naive answers, then times it over the image set.
template <typename AllowsFn>
void Run(benchmark::State& state, const Dataset& d, AllowsFn allows, size_t memory_bytes) {
  if (!d.half_allowed) {
    state.SkipWithError("image set: the allowed half is not exactly the allowed images");
    return;
  }
  for (size_t i = 0; i < d.images.size(); ++i) {
    if (allows(d.images[i]) != static_cast<bool>(d.allowed[i])) {
      state.SkipWithError(("disagrees with the naive loop on " + d.images[i]).c_str());
      return;
    }
  }
  for (auto _ : state) {
    size_t count = 0;
    for (const std::string& image : d.images) count += allows(image);
    benchmark::DoNotOptimize(count);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * d.images.size()));
  state.counters["entries"] = static_cast<double>(d.entries.size());
  state.counters["memory_bytes"] = static_cast<double>(memory_bytes);
}

void BM_MatchNaive(benchmark::State& state) {
  const Dataset& d = DatasetFor(static_cast<size_t>(state.range(0)));
  Run(
      state, d, [&](std::string_view image) { return NaiveAllows(d.entries, image); },
      StringBytes(d.entries));
}

void BM_MatchTrie(benchmark::State& state) {
  const Dataset& d = DatasetFor(static_cast<size_t>(state.range(0)));
  const CompiledAllowlist allowlist(d.entries, CompiledAllowlist::Semantics::kPrefix);
  PrefixTrie::Builder builder;  // the same trie, built only to read its size
  for (size_t i = 0; i < d.entries.size(); ++i) builder.Add(d.entries[i], static_cast<uint32_t>(i));
  const PrefixTrie trie = std::move(builder).Build();
  state.counters["nodes"] = static_cast<double>(trie.node_count());
  Run(
      state, d, [&](std::string_view image) { return allowlist.Allows(image); },
      trie.memory_bytes());
}

// Sorted entries; one binary search per distinct entry length that fits.
void BM_MatchSortedVector(benchmark::State& state) {
  const Dataset& d = DatasetFor(static_cast<size_t>(state.range(0)));
  std::vector<std::string> sorted = d.entries;
  std::sort(sorted.begin(), sorted.end());
  std::vector<size_t> lengths;
  for (const std::string& e : sorted) lengths.push_back(e.size());
  std::sort(lengths.begin(), lengths.end());
  lengths.erase(std::unique(lengths.begin(), lengths.end()), lengths.end());
  Run(
      state, d,
      [&](std::string_view image) {
        for (size_t length : lengths) {
          if (length > image.size()) break;
          if (std::binary_search(sorted.begin(), sorted.end(), image.substr(0, length),
                                 [](std::string_view a, std::string_view b) { return a < b; })) {
            return true;
          }
        }
        return false;
      },
      StringBytes(sorted) + lengths.capacity() * sizeof(size_t));
}

// A hash set of entries, probed with every prefix of the image whose length
// some entry has.
void BM_MatchHashSet(benchmark::State& state) {
  const Dataset& d = DatasetFor(static_cast<size_t>(state.range(0)));
  const std::unordered_set<std::string_view> set(d.entries.begin(), d.entries.end());
  std::vector<size_t> lengths;
  for (const std::string& e : d.entries) lengths.push_back(e.size());
  std::sort(lengths.begin(), lengths.end());
  lengths.erase(std::unique(lengths.begin(), lengths.end()), lengths.end());
  const size_t set_bytes = set.bucket_count() * sizeof(void*) +
                           set.size() * (sizeof(std::string_view) + 2 * sizeof(void*));
  Run(
      state, d,
      [&](std::string_view image) {
        for (size_t length : lengths) {
          if (length > image.size()) break;
          if (set.contains(image.substr(0, length))) return true;
        }
        return false;
      },
      set_bytes + StringBytes(d.entries));
}

void EntryCounts(benchmark::internal::Benchmark* b) {
  for (int64_t n : {1, 10, 100, 1000, 10000, 100000}) b->Arg(n);
}

BENCHMARK(BM_MatchNaive)->Apply(EntryCounts);
BENCHMARK(BM_MatchTrie)->Apply(EntryCounts);
BENCHMARK(BM_MatchSortedVector)->Apply(EntryCounts);
BENCHMARK(BM_MatchHashSet)->Apply(EntryCounts);

}  // namespace
}  // namespace gatescan
