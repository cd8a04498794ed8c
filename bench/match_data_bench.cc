// match_data_bench.cc — allowlist matching on the user's own allowlist and images.
//
// Registered only when GATESCAN_MATCH_IMAGES names a file of images, one per
// line (scripts/bench-match writes it from a dump or an image list). The
// allowlists come from GATESCAN_MATCH_ALLOW (a file of entries, one per line:
// K8sAllowedRepos byte-prefix semantics, as --allow) and GATESCAN_MATCH_POLICY
// (policy paths, one per line, loaded as `-p` loads them: every constraint
// with a list, under its template's predicate). For each allowlist three
// families time "is this image allowed?" over exactly those images, in their
// order: BM_DataNaive/i (the Rego's loop over the entries), BM_DataTrie/i
// (CompiledAllowlist, `--match gatekeeper`) and BM_DataReference/i
// (ReferenceAllowlist, `--match reference`). Each iteration takes the next
// 4096 images, cycling, so the naive loop over a big allowlist still reports
// a rate. The trie's answers are checked against the naive loop on every
// distinct image before anything is timed. Single-threaded; the data is
// loaded once at start-up and read-only afterwards.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "gatescan/allowlist/prefix_trie.h"
#include "gatescan/evaluate/evaluate.h"
#include "gatescan/policy/policy.h"

namespace gatescan {
namespace {

constexpr size_t kChunk = 4096;

struct DataAllowlist {
  std::string name;
  CompiledAllowlist::Semantics semantics = CompiledAllowlist::Semantics::kPrefix;
  std::vector<std::string> entries;
};

struct Data {
  std::vector<std::string> images;
  std::vector<DataAllowlist> allowlists;
};

std::vector<std::string> ReadLines(const char* path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The Rego's own loops: `startswith` over `repos` (K8sAllowedRepos), and the
// v2 exact-or-trailing-`*` test over `allowedImages` (K8sAllowedReposv2).
bool NaiveAllows(const DataAllowlist& a, std::string_view image) {
  for (const std::string& e : a.entries) {
    if (a.semantics == CompiledAllowlist::Semantics::kPrefix) {
      if (image.starts_with(e)) return true;
    } else if (!e.empty() && e.back() == '*') {
      if (image.starts_with(std::string_view(e).substr(0, e.size() - 1))) return true;
    } else if (image == e) {
      return true;
    }
  }
  return false;
}

template <typename AllowsFn>
void Time(benchmark::State& state, const Data& d, const DataAllowlist& a, AllowsFn allows) {
  size_t next = 0, allowed = 0, seen = 0;
  for (auto _ : state) {
    size_t count = 0;
    for (size_t i = 0; i < kChunk; ++i) {
      count += allows(d.images[next]);
      if (++next == d.images.size()) next = 0;
    }
    benchmark::DoNotOptimize(count);
    allowed += count;
    seen += kChunk;
  }
  state.SetItemsProcessed(static_cast<int64_t>(seen));
  state.counters["entries"] = static_cast<double>(a.entries.size());
  state.counters["images"] = static_cast<double>(d.images.size());
  state.counters["allowed_fraction"] = seen ? static_cast<double>(allowed) / seen : 0;
  state.SetLabel(a.name);
}

void Register(const Data& d) {
  for (size_t i = 0; i < d.allowlists.size(); ++i) {
    const DataAllowlist& a = d.allowlists[i];
    const auto name = [i](const char* family) {
      std::string n(family);  // appended, not `"/" + ...`: GCC 12 warns there (-Wrestrict)
      n += '/';
      n += std::to_string(i);
      return n;
    };
    benchmark::RegisterBenchmark(name("BM_DataNaive").c_str(), [&d, &a](benchmark::State& s) {
      Time(s, d, a, [&a](std::string_view image) { return NaiveAllows(a, image); });
    });
    benchmark::RegisterBenchmark(name("BM_DataTrie").c_str(), [&d, &a](benchmark::State& s) {
      const CompiledAllowlist trie(a.entries, a.semantics);
      std::unordered_set<std::string_view> distinct(d.images.begin(), d.images.end());
      for (std::string_view image : distinct) {
        if (trie.Allows(image) != NaiveAllows(a, image)) {
          s.SkipWithError(("disagrees with the naive loop on " + std::string(image)).c_str());
          return;
        }
      }
      Time(s, d, a, [&trie](std::string_view image) { return trie.Allows(image); });
    });
    benchmark::RegisterBenchmark(name("BM_DataReference").c_str(), [&d, &a](benchmark::State& s) {
      const ReferenceAllowlist reference(a.entries);
      Time(s, d, a,
           [&reference](std::string_view image) { return reference.MatchingEntry(image) >= 0; });
    });
  }
}

// Returns an error message, or "" when the data loaded (or none was asked for).
std::string Load(Data* d) {
  const char* images = std::getenv("GATESCAN_MATCH_IMAGES");
  if (images == nullptr) return "";
  d->images = ReadLines(images);
  if (d->images.empty()) return std::string("no images in ") + images;
  if (const char* allow = std::getenv("GATESCAN_MATCH_ALLOW")) {
    d->allowlists.push_back({"allowlist", CompiledAllowlist::Semantics::kPrefix, ReadLines(allow)});
  }
  if (const char* paths = std::getenv("GATESCAN_MATCH_POLICY")) {
    PolicyOptions options;
    options.paths = ReadLines(paths);
    Policy policy;
    if (Status s = LoadPolicy(options, &policy); !s.ok()) return "policy: " + s.message();
    for (const Constraint& c : policy.constraints) {
      if (!c.has_list) continue;
      const RepoPredicate predicate = policy.templates[c.template_index].predicate;
      d->allowlists.push_back({c.kind + "/" + c.name,
                               predicate == RepoPredicate::kExactOrGlob
                                   ? CompiledAllowlist::Semantics::kExactOrGlob
                                   : CompiledAllowlist::Semantics::kPrefix,
                               c.entries});
    }
  }
  if (d->allowlists.empty())
    return "no allowlist: set GATESCAN_MATCH_ALLOW or GATESCAN_MATCH_POLICY";
  return "";
}

// Registration runs before main (as BENCHMARK() does); a failure to load is
// reported as a benchmark that fails, so that the caller sees it.
const bool kRegistered = [] {
  static Data data;
  static std::string error;
  error = Load(&data);
  if (!error.empty()) {
    benchmark::RegisterBenchmark("BM_DataLoad",
                                 [](benchmark::State& s) { s.SkipWithError(error.c_str()); });
  } else {
    Register(data);
  }
  return true;
}();

}  // namespace
}  // namespace gatescan
