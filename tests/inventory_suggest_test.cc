// inventory --suggest (suggest.h): the number of prefixes against a
// brute-force search over every subset of registries and repositories on
// random small inventories; the coverage recomputed from the chosen prefixes;
// the entries each prefix needs; and, end to end, the suggested --allow
// entries scanned by gatescan itself admit exactly the containers the
// suggestion says, under both match modes.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "cli_support.h"
#include "gatescan/inventory/inventory.h"
#include "gatescan/inventory/suggest.h"

namespace gatescan {
namespace {

using testing::RunGatescan;
using testing::RunResult;
using testing::TempDir;

// Containers the chosen prefixes admit, from the prefix names alone: a
// registry admits the repositories under it, a repository itself.
uint64_t Admitted(const std::vector<PrefixCount>& repos, const Suggestion& s) {
  uint64_t n = 0;
  for (const PrefixCount& r : repos) {
    bool in = false;
    for (const SuggestedPrefix& p : s.prefixes) {
      in = in || (p.is_registry ? !r.registry.empty() && r.registry == p.prefix
                                : r.repository == p.prefix);
    }
    if (in) n += r.containers;
  }
  return n;
}

// The fewest candidates (every registry, every repository) whose union
// reaches `target`, by trying every subset; -1 when none does.
int BruteForceMinimum(const std::vector<PrefixCount>& repos, uint64_t target) {
  std::vector<std::string> registries;
  for (const PrefixCount& r : repos) {
    if (!r.registry.empty() && r.containers > 0) registries.push_back(r.registry);
  }
  std::sort(registries.begin(), registries.end());
  registries.erase(std::unique(registries.begin(), registries.end()), registries.end());
  const size_t n = registries.size() + repos.size();
  int best = -1;
  for (uint32_t mask = 0; mask < (1u << n); ++mask) {
    const int size = __builtin_popcount(mask);
    if (best >= 0 && size >= best) continue;
    uint64_t covered = 0;
    for (size_t i = 0; i < repos.size(); ++i) {
      bool in = (mask >> (registries.size() + i)) & 1u;
      for (size_t g = 0; g < registries.size() && !in; ++g) {
        in = ((mask >> g) & 1u) && repos[i].registry == registries[g];
      }
      if (in) covered += repos[i].containers;
    }
    if (covered >= target) best = size;
  }
  return best;
}

TEST(Suggest, FewestPrefixesAgreeWithBruteForce) {
  std::mt19937_64 rng(20261202);
  const std::vector<std::string> registry_pool = {"", "a.io/", "b.io/", "c.io/"};
  int unreachable = 0, under_registries = 0;
  for (int round = 0; round < 3000; ++round) {
    std::vector<PrefixCount> repos;
    const int n = static_cast<int>(rng() % 8);
    uint64_t coverable = 0;
    for (int i = 0; i < n; ++i) {
      PrefixCount r;
      r.registry = registry_pool[rng() % registry_pool.size()];
      r.repository = (r.registry.empty() ? "" : r.registry) + "r" + std::to_string(i);
      r.containers = rng() % 10;
      r.forms = static_cast<uint8_t>(1 + rng() % 7);
      coverable += r.containers;
      repos.push_back(r);
    }
    const uint64_t total = coverable + (rng() % 4 == 0 ? rng() % 4 : 0);
    const uint32_t ppm = rng() % 3 == 0 ? 1'000'000 : static_cast<uint32_t>(1 + rng() % 1'000'000);
    const bool reference = rng() % 2 == 0;
    const Suggestion s = SuggestAllowlist(repos, total, ppm, reference);

    const uint64_t target = (total * ppm + 999'999) / 1'000'000;
    ASSERT_EQ(s.target, target);
    ASSERT_EQ(s.total, total);
    const int minimum = BruteForceMinimum(repos, target);
    const std::string context = "round " + std::to_string(round);
    ASSERT_EQ(s.reachable, minimum >= 0) << context;
    if (minimum >= 0) {
      ASSERT_EQ(static_cast<int>(s.prefixes.size()), minimum) << context;
    } else {
      ++unreachable;
    }
    const uint64_t admitted = Admitted(repos, s);
    ASSERT_EQ(admitted, s.covered) << context;
    ASSERT_EQ(s.reachable ? admitted >= target : admitted == coverable, true) << context;
    uint64_t sum = 0;
    for (const SuggestedPrefix& p : s.prefixes) {
      sum += p.containers;
      under_registries += !p.is_registry && p.prefix.find('/') != std::string::npos;
      ASSERT_FALSE(p.prefix.empty()) << context;
      if (p.is_registry) {
        ASSERT_EQ(p.entries, std::vector<std::string>{p.prefix}) << context;
      }
    }
    ASSERT_EQ(sum, s.covered) << context << ": prefixes overlap";
  }
  EXPECT_GT(unreachable, 50);
  EXPECT_GT(under_registries, 50);
}

// One entry in both modes would not do: under raw prefixes `nginx` alone also
// admits `nginx-evil`, so tagged and digest images get `nginx:` and `nginx@`.
TEST(Suggest, EntriesPerMatchMode) {
  std::vector<PrefixCount> repos = {{"", "nginx", 5, kFormTagged | kFormDigest},
                                    {"", "busybox", 3, kFormBare | kFormTagged},
                                    {"gcr.io/", "gcr.io/x/y", 2, kFormDigest}};
  Suggestion s = SuggestAllowlist(repos, 10, 1'000'000, false);
  ASSERT_EQ(s.prefixes.size(), 3u);
  EXPECT_EQ(s.prefixes[0].entries, (std::vector<std::string>{"nginx:", "nginx@"}));
  EXPECT_EQ(s.prefixes[1].entries, (std::vector<std::string>{"busybox"}));
  EXPECT_EQ(s.prefixes[2].entries, (std::vector<std::string>{"gcr.io/x/y@"}))
      << "a registry's only repository: the repository, narrower for the same count";
  s = SuggestAllowlist(repos, 10, 1'000'000, true);
  EXPECT_EQ(s.prefixes[0].entries, (std::vector<std::string>{"nginx"}));
  EXPECT_EQ(s.prefixes[2].entries, (std::vector<std::string>{"gcr.io/x/y"}));

  // A registry is one prefix for all its repositories; for a share that one
  // repository reaches alone, the narrower repository is chosen instead.
  repos = {{"q.io/", "q.io/a", 95, kFormTagged}, {"q.io/", "q.io/b", 5, kFormTagged}};
  s = SuggestAllowlist(repos, 100, 1'000'000, false);
  ASSERT_EQ(s.prefixes.size(), 1u);
  EXPECT_TRUE(s.prefixes[0].is_registry);
  EXPECT_EQ(s.prefixes[0].prefix, "q.io/");
  s = SuggestAllowlist(repos, 100, 950'000, false);
  ASSERT_EQ(s.prefixes.size(), 1u);
  EXPECT_EQ(s.prefixes[0].prefix, "q.io/a");
  EXPECT_EQ(s.covered, 95u);
}

TEST(Suggest, SpelledPrefixesAsTheRegoSeesThem) {
  struct Case {
    std::string image, registry, repository;
    uint8_t forms;
  };
  const std::string digest =
      "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  for (const Case& c : std::vector<Case>{
           {"nginx:1.25", "", "nginx", kFormTagged},
           {"nginx", "", "nginx", kFormBare},
           {"library/nginx" + digest, "", "library/nginx", kFormDigest},
           {"bitnami/redis:7", "", "bitnami/redis", kFormTagged},
           {"docker.io/library/nginx:1" + digest, "docker.io/", "docker.io/library/nginx",
            kFormTagged},
           {"localhost:5000/app", "localhost:5000/", "localhost:5000/app", kFormBare},
           {"localhost:5000", "", "localhost", kFormTagged},
           {"localhost/app:1", "localhost/", "localhost/app", kFormTagged},
           {"Registry/app:1", "Registry/", "Registry/app", kFormTagged},
           {"gcr.io/a/b/c" + digest, "gcr.io/", "gcr.io/a/b/c", kFormDigest},
       }) {
    std::string_view registry, repository;
    uint8_t forms = 0;
    SpelledPrefixes(c.image, &registry, &repository, &forms);
    EXPECT_EQ(registry, c.registry) << c.image;
    EXPECT_EQ(repository, c.repository) << c.image;
    EXPECT_EQ(forms, c.forms) << c.image;
  }
}

TEST(Suggest, ParsesShares) {
  uint32_t ppm = 0;
  EXPECT_TRUE(ParseSuggestShare("99%", &ppm));
  EXPECT_EQ(ppm, 990'000u);
  EXPECT_TRUE(ParseSuggestShare("99.5", &ppm));
  EXPECT_EQ(ppm, 995'000u);
  EXPECT_TRUE(ParseSuggestShare("100%", &ppm));
  EXPECT_EQ(ppm, 1'000'000u);
  EXPECT_TRUE(ParseSuggestShare("0.0001%", &ppm));
  EXPECT_EQ(ppm, 1u);
  for (const char* bad : {"", "%", "0", "0%", "100.01%", "101", "99.", ".", "-5", "abc", "99.12345",
                          "1e2", "99%%", "99999999999999999999"}) {
    EXPECT_FALSE(ParseSuggestShare(bad, &ppm)) << bad;
  }
}

// ---- end to end: the entries, scanned by gatescan, admit what was said ----

std::string Dump() {
  const std::string digest =
      "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  const std::vector<std::pair<std::string, int>> images = {
      {"nginx:1.25", 5},    {"nginx" + digest, 1},     {"docker.io/library/nginx:1", 2},
      {"gcr.io/a/b:1", 3},  {"gcr.io/a/c:2", 1},       {"gcr.io/d" + digest, 1},
      {"quay.io/x/y:3", 4}, {"localhost:5000/app", 1}, {"busybox", 2},
      {"UPPER/Case", 1}};
  std::string dump;
  int pod = 0;
  for (const auto& [image, n] : images) {
    for (int i = 0; i < n; ++i) {
      dump += R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p)" + std::to_string(pod++) +
              R"(","namespace":"n"},"spec":{"containers":[{"name":"c","image":")" + image +
              "\"}]}}\n";
    }
  }
  return dump;
}

TEST(SuggestEndToEnd, EntriesAdmitExactlyTheCoveredContainers) {
  TempDir dir;
  const std::string dump = dir.Write("d.ndjson", Dump());
  constexpr uint64_t kTotal = 21;
  for (const char* match : {"gatekeeper", "reference"}) {
    for (const char* share : {"30%", "50%", "80%", "95%", "100%"}) {
      const RunResult r =
          RunGatescan({"inventory", "-o", "json", "--match", match, "--suggest", share, dump});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      simdjson::dom::parser parser;
      simdjson::dom::element doc;
      ASSERT_EQ(parser.parse(r.out).get(doc), simdjson::SUCCESS) << r.out;
      const auto s = doc["suggestion"];
      const uint64_t covered = s["covered"].get_uint64().value();
      EXPECT_EQ(s["containers"].get_uint64().value(), kTotal);
      EXPECT_EQ(s["reachable"].get_bool().value(), std::string(share) != "100%")
          << "UPPER/Case is admitted by no prefix";
      std::vector<std::string> scan{"-o", "ndjson", "--match", match};
      for (auto p : s["prefixes"].get_array()) {
        for (auto e : p["entries"].get_array()) {
          scan.push_back("--allow");
          scan.emplace_back(e.get_string().value());
        }
      }
      scan.push_back(dump);
      const RunResult check = RunGatescan(scan);
      ASSERT_NE(check.exit_code, 2) << check.err;
      uint64_t violations = 0;
      for (size_t p = 0; (p = check.out.find("\"type\":\"violation\"", p)) != std::string::npos;
           ++p) {
        ++violations;
      }
      EXPECT_EQ(kTotal - violations, covered) << match << " " << share << "\n" << r.out;
    }
  }
  // Text: ready-to-paste flags and a constraint.
  const RunResult text = RunGatescan({"inventory", "--suggest", "80%", dump});
  EXPECT_NE(text.out.find("suggested allowlist (--match gatekeeper): "), std::string::npos)
      << text.out;
  EXPECT_NE(
      text.out.find(
          "\n--allow nginx: --allow nginx@ --allow gcr.io/ --allow quay.io/x/y: --allow busybox\n"),
      std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("kind: K8sAllowedRepos\n"), std::string::npos);
  EXPECT_NE(text.out.find("    repos:\n      - \"nginx:\"\n      - \"nginx@\"\n"),
            std::string::npos)
      << text.out;
}

TEST(SuggestEndToEnd, HelpListsTheNewOptionsAndBadSharesAreUsageErrors) {
  const RunResult help = RunGatescan({"inventory", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* option : {"--suggest", "--csv-level", "--csv-level arg (=repository)",
                             "what breaks", "states its inputs"}) {
    EXPECT_NE(help.out.find(option), std::string::npos) << option << "\n" << help.out;
  }
  const RunResult bad = RunGatescan({"inventory", "--suggest", "150%", "-"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--suggest must be"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace gatescan
