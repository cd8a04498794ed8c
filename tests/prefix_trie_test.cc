#include "gatescan/allowlist/prefix_trie.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace gatescan {
namespace {

using Semantics = CompiledAllowlist::Semantics;

// ---- The naive loops every compiled answer is checked against. ----

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// Index of the longest entry that starts `s`; the first index among duplicates.
int64_t NaiveLongestPrefix(const std::vector<std::string>& entries, std::string_view s) {
  int64_t best = -1;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (StartsWith(s, entries[i]) && (best < 0 || entries[i].size() > entries[best].size())) {
      best = static_cast<int64_t>(i);
    }
  }
  return best;
}

int64_t NaiveFind(const std::vector<std::string>& entries, std::string_view s) {
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i] == s) return static_cast<int64_t>(i);
  }
  return -1;
}

// Gatekeeper's K8sAllowedReposv2 image_matches, with the longest entry reported.
int64_t NaiveExactOrGlob(const std::vector<std::string>& entries, std::string_view image) {
  int64_t glob = -1;
  size_t glob_length = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string_view e = entries[i];
    if (!e.empty() && e.back() == '*') {
      const std::string_view prefix = e.substr(0, e.size() - 1);
      if (StartsWith(image, prefix) && (glob < 0 || prefix.size() > glob_length)) {
        glob = static_cast<int64_t>(i);
        glob_length = prefix.size();
      }
    } else if (e == image) {
      return static_cast<int64_t>(i);  // covers the whole image: nothing beats it
    }
  }
  return glob;
}

PrefixTrie BuildTrie(const std::vector<std::string>& entries) {
  PrefixTrie::Builder builder;
  for (size_t i = 0; i < entries.size(); ++i) builder.Add(entries[i], static_cast<uint32_t>(i));
  return std::move(builder).Build();
}

// ---- Random and adversarial inputs. ----

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  size_t Below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  // Small alphabets make shared prefixes and entries that prefix each other
  // common; the odd bytes (NUL, '*', >= 0x80) are always among them.
  std::string RandomString(size_t max_length, std::string_view alphabet) {
    std::string s(Below(max_length + 1), '\0');
    for (char& c : s) c = alphabet[Below(alphabet.size())];
    return s;
  }

  std::vector<std::string> Entries(std::string_view alphabet) {
    std::vector<std::string> entries;
    const size_t count = Below(40);
    for (size_t i = 0; i < count; ++i) {
      switch (Below(6)) {
        case 0:  // a prefix of an earlier entry, or a duplicate of it
          if (!entries.empty()) {
            const std::string& e = entries[Below(entries.size())];
            entries.push_back(e.substr(0, Below(e.size() + 1)));
            break;
          }
          [[fallthrough]];
        case 1:  // an extension of an earlier entry
          if (!entries.empty()) {
            entries.push_back(entries[Below(entries.size())] + RandomString(3, alphabet));
            break;
          }
          [[fallthrough]];
        default:
          entries.push_back(RandomString(8, alphabet));
      }
    }
    if (Below(20) == 0) entries.push_back(RandomString(5000, alphabet));  // very long
    return entries;
  }

  std::string Image(const std::vector<std::string>& entries, std::string_view alphabet) {
    if (entries.empty() || Below(4) == 0) return RandomString(12, alphabet);
    std::string s = entries[Below(entries.size())];
    switch (Below(5)) {
      case 0:
        return s;
      case 1:
        return s.substr(0, Below(s.size() + 1));
      case 2:
        if (!s.empty()) s[Below(s.size())] = alphabet[Below(alphabet.size())];
        return s;
      default:
        return s + RandomString(6, alphabet);
    }
  }

 private:
  std::mt19937_64 rng_;
};

constexpr std::string_view kAlphabets[] = {
    std::string_view("ab", 2),
    std::string_view("a/\0*", 4),
    std::string_view("x.\x80\xff:*", 6),
    std::string_view("abcdefghijklmnopqrstuvwxyz0123456789/.:-@*", 42),
};

TEST(PrefixTrieProperty, AgreesWithTheNaiveLoops) {
  for (uint64_t seed = 1; seed <= 3000; ++seed) {
    Generator gen(seed);
    const std::string_view alphabet = kAlphabets[seed % std::size(kAlphabets)];
    const std::vector<std::string> entries = gen.Entries(alphabet);
    const PrefixTrie trie = BuildTrie(entries);
    const CompiledAllowlist prefix(entries, Semantics::kPrefix);
    const CompiledAllowlist glob(entries, Semantics::kExactOrGlob);
    for (int i = 0; i < 40; ++i) {
      const std::string image = gen.Image(entries, alphabet);
      const int64_t longest = NaiveLongestPrefix(entries, image);
      SCOPED_TRACE(testing::Message() << "seed " << seed << " image #" << i);
      ASSERT_EQ(trie.LongestPrefixOf(image), longest);
      ASSERT_EQ(trie.HasPrefixOf(image), longest >= 0);
      ASSERT_EQ(trie.Find(image), NaiveFind(entries, image));
      ASSERT_EQ(prefix.MatchingEntry(image), longest);
      ASSERT_EQ(prefix.Allows(image), longest >= 0);
      const int64_t v2 = NaiveExactOrGlob(entries, image);
      ASSERT_EQ(glob.MatchingEntry(image), v2);
      ASSERT_EQ(glob.Allows(image), v2 >= 0);
    }
  }
}

TEST(PrefixTrieProperty, WideFanOutAgrees) {
  // Nodes with more than 16 children take the multi-chunk child search.
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    Generator gen(seed);
    std::vector<std::string> entries;
    for (int b = 0; b < 256; ++b) {
      if (gen.Below(4) != 0) entries.push_back(std::string("p") + static_cast<char>(b) + "/");
    }
    const PrefixTrie trie = BuildTrie(entries);
    for (int b = 0; b < 256; ++b) {
      const std::string image = std::string("p") + static_cast<char>(b) + "/x";
      ASSERT_EQ(trie.LongestPrefixOf(image), NaiveLongestPrefix(entries, image)) << b;
      ASSERT_EQ(trie.Find(image.substr(0, 3)), NaiveFind(entries, image.substr(0, 3))) << b;
    }
  }
}

TEST(PrefixTrieProperty, DenseNumberedEntriesAgree) {
  // Dense fan-out over a few bytes in a row gets jump tables: keys that end,
  // or leave the table's byte range, partway through a jump; entries that are
  // prefixes of each other inside one; images that end mid-jump; digits at
  // the ends of the byte range (NUL, 0xff).
  constexpr std::string_view kDigits[] = {
      std::string_view("0123456789", 10),
      std::string_view("\0\1\2\3", 4),
      std::string_view("\xfc\xfd\xfe\xff", 4),
      std::string_view("ab", 2),
  };
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    Generator gen(seed);
    const std::string_view digits = kDigits[seed % std::size(kDigits)];
    const std::string_view suffixes[] = {"/", "", ".x/", "/app-"};
    std::vector<std::string> entries;
    const size_t count = 50 + gen.Below(2000);
    for (size_t i = 0; i < count; ++i) {
      std::string e = gen.Below(2) == 0 ? "team-" : "t";
      const size_t length = 1 + gen.Below(6);
      for (size_t j = 0; j < length; ++j) e += digits[gen.Below(digits.size())];
      e += suffixes[gen.Below(std::size(suffixes))];
      if (gen.Below(8) == 0) e += digits[gen.Below(digits.size())];
      entries.push_back(std::move(e));
    }
    if (gen.Below(4) == 0) entries.push_back("team-");
    if (gen.Below(4) == 0) entries.push_back(std::string("team-") + digits[0]);
    const PrefixTrie trie = BuildTrie(entries);
    const CompiledAllowlist glob(entries, Semantics::kExactOrGlob);
    for (int i = 0; i < 400; ++i) {
      std::string image = gen.Image(entries, digits);
      if (gen.Below(3) == 0) image = image.substr(0, gen.Below(image.size() + 1));
      SCOPED_TRACE(testing::Message() << "seed " << seed << " image #" << i);
      const int64_t longest = NaiveLongestPrefix(entries, image);
      ASSERT_EQ(trie.LongestPrefixOf(image), longest);
      ASSERT_EQ(trie.HasPrefixOf(image), longest >= 0);
      ASSERT_EQ(trie.Find(image), NaiveFind(entries, image));
      ASSERT_EQ(glob.MatchingEntry(image), NaiveExactOrGlob(entries, image));
    }
  }
}

TEST(PrefixTrie, JumpTablesKeepEveryEntryAndTheLongestMatch) {
  // All of team-0/ to team-9999/, plus entries that end inside a 4-digit jump.
  std::vector<std::string> entries;
  for (int i = 0; i < 10000; ++i) entries.push_back("team-" + std::to_string(i) + "/");
  entries.push_back("team-12");
  entries.push_back("team-1234/app");
  const PrefixTrie trie = BuildTrie(entries);
  for (int i = 0; i < 10000; ++i) {
    const std::string image = "team-" + std::to_string(i) + "/x";
    ASSERT_EQ(trie.LongestPrefixOf(image), i) << image;
    ASSERT_EQ(trie.Find(image.substr(0, image.size() - 1)), i) << image;
  }
  EXPECT_EQ(trie.LongestPrefixOf("team-1234/app:1"), 10001);
  EXPECT_EQ(trie.LongestPrefixOf("team-123x"), 10000);  // leaves the range mid-jump
  EXPECT_EQ(trie.LongestPrefixOf("team-12"), 10000);    // shorter than a jump
  EXPECT_EQ(trie.LongestPrefixOf("team-1234"), 10000);
  EXPECT_EQ(trie.LongestPrefixOf("team-12345/"), 10000);
  EXPECT_EQ(trie.LongestPrefixOf("team-"), -1);
  EXPECT_EQ(trie.Find("team-123"), -1);
  EXPECT_FALSE(trie.HasPrefixOf("team-x"));
}

TEST(PrefixTrie, LeafTailsOfEveryLength) {
  // Short leaf tails sit in the node; longer ones in the shared pool.
  for (size_t length = 0; length <= 20; ++length) {
    const std::string tail(length, '\xff');
    const std::vector<std::string> entries = {"r/a" + tail, "r/b" + tail, "r/"};
    const PrefixTrie trie = BuildTrie(entries);
    EXPECT_EQ(trie.LongestPrefixOf("r/a" + tail + "x"), 0) << length;
    EXPECT_EQ(trie.Find("r/b" + tail), 1) << length;
    if (length > 0) {
      std::string near = "r/a" + tail;
      near.back() = 'x';
      EXPECT_EQ(trie.LongestPrefixOf(near), 2) << length;
      EXPECT_EQ(trie.LongestPrefixOf(near.substr(0, near.size() - 1)), 2) << length;
    }
  }
}

// ---- Gatekeeper behaviours, spelled out. ----

TEST(PrefixTrie, EmptyTrieMatchesNothing) {
  const PrefixTrie unbuilt;
  EXPECT_FALSE(unbuilt.HasPrefixOf("nginx"));
  EXPECT_EQ(unbuilt.Find(""), -1);
  const PrefixTrie built = PrefixTrie::Builder().Build();
  EXPECT_FALSE(built.HasPrefixOf(""));
  EXPECT_EQ(built.LongestPrefixOf("nginx"), -1);
}

TEST(PrefixTrie, EmptyEntryAllowsEverything) {
  const PrefixTrie trie = BuildTrie({"gcr.io/", ""});
  EXPECT_TRUE(trie.HasPrefixOf(""));
  EXPECT_TRUE(trie.HasPrefixOf("anything:at/all"));
  EXPECT_EQ(trie.LongestPrefixOf("quay.io/x"), 1);
  EXPECT_EQ(trie.LongestPrefixOf("gcr.io/x"), 0);
}

TEST(PrefixTrie, RawBytePrefixIsBypassableAsInGatekeeper) {
  const PrefixTrie trie = BuildTrie({"docker.io", "gcr.io/team"});
  EXPECT_TRUE(trie.HasPrefixOf("docker.io.evil.com/x"));
  EXPECT_TRUE(trie.HasPrefixOf("gcr.io/teammate/x"));
  EXPECT_FALSE(trie.HasPrefixOf("docker.i"));
}

TEST(PrefixTrie, LongestEntryWinsAndDuplicatesKeepTheFirstId) {
  PrefixTrie::Builder builder;
  builder.Add("gcr.io/", 7);
  builder.Add("gcr.io/a/", 3);
  builder.Add("gcr.io/", 9);
  const PrefixTrie trie = std::move(builder).Build();
  EXPECT_EQ(trie.LongestPrefixOf("gcr.io/a/b"), 3);
  EXPECT_EQ(trie.LongestPrefixOf("gcr.io/b"), 7);
  EXPECT_EQ(trie.Find("gcr.io/"), 7);
  EXPECT_EQ(trie.Find("gcr.io/a"), -1);
}

TEST(PrefixTrie, EntriesHoldAnyBytes) {
  const std::string nul("a\0b", 3);
  const std::string high("r\xc3\xa9g/");
  const PrefixTrie trie = BuildTrie({nul, high});
  EXPECT_EQ(trie.LongestPrefixOf(nul + "c"), 0);
  EXPECT_FALSE(trie.HasPrefixOf("a"));  // "a" alone must not match "a\0b"
  EXPECT_FALSE(trie.HasPrefixOf(std::string("a\0c", 3)));
  EXPECT_EQ(trie.Find(high), 1);
  EXPECT_EQ(trie.LongestPrefixOf("r\xc3\xa9g/x"), 1);
}

TEST(PrefixTrie, EdgesLongerThanANodeCanHoldAreSplit) {
  // 150000 shared bytes exceed one node's 16-bit tail, so the edge becomes a chain.
  const std::string base(150000, 'r');
  const std::vector<std::string> entries = {base + "/a", base + "/b", base};
  const PrefixTrie trie = BuildTrie(entries);
  EXPECT_EQ(trie.LongestPrefixOf(base + "/a:1"), 0);
  EXPECT_EQ(trie.LongestPrefixOf(base + "/c"), 2);
  EXPECT_EQ(trie.Find(base + "/b"), 1);
  EXPECT_EQ(trie.Find(base + "/"), -1);
  EXPECT_FALSE(trie.HasPrefixOf(base.substr(1)));
  std::string near = base;
  near[100000] = 'x';
  EXPECT_EQ(trie.LongestPrefixOf(near + "/a"), -1);
}

TEST(PrefixTrie, ReportsItsSize) {
  const PrefixTrie trie = BuildTrie({"gcr.io/a/", "gcr.io/b/", "quay.io/"});
  // root, "gcr.io/", "quay.io/", "a/", "b/"
  EXPECT_EQ(trie.node_count(), 5u);
  EXPECT_GT(trie.memory_bytes(), 0u);
}

TEST(PrefixTrie, ConstMatchIsSafeFromManyThreads) {
  std::vector<std::string> entries;
  for (int i = 0; i < 1000; ++i) entries.push_back("registry.corp/team-" + std::to_string(i) + "/");
  const PrefixTrie trie = BuildTrie(entries);
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) {
        const std::string image = "registry.corp/team-" + std::to_string(i) + "/app:1";
        if (trie.LongestPrefixOf(image) != i) ++wrong[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

TEST(CompiledAllowlist, V2ExactOrTrailingStar) {
  const CompiledAllowlist allow({"nginx:1.25", "gcr.io/team/*", "*x", "quay.io/app"},
                                Semantics::kExactOrGlob);
  EXPECT_TRUE(allow.Allows("nginx:1.25"));
  EXPECT_FALSE(allow.Allows("nginx:1.25.1"));  // exact means exact
  EXPECT_EQ(allow.MatchingEntry("gcr.io/team/a:1"), 1);
  EXPECT_TRUE(allow.Allows("gcr.io/team/"));  // the prefix itself
  EXPECT_FALSE(allow.Allows("gcr.io/team"));
  EXPECT_FALSE(allow.Allows("quay.io/app:latest"));  // no '*': not a prefix
  EXPECT_FALSE(allow.Allows("x"));                   // '*' only trails: "*x" is exact
  EXPECT_TRUE(allow.Allows("*x"));
}

TEST(CompiledAllowlist, V2StarAloneAllowsAllAndOnlyOneStarIsTrimmed) {
  const CompiledAllowlist star({"*"}, Semantics::kExactOrGlob);
  EXPECT_TRUE(star.Allows(""));
  EXPECT_TRUE(star.Allows("anything"));
  const CompiledAllowlist two({"a**"}, Semantics::kExactOrGlob);
  EXPECT_TRUE(two.Allows("a*b"));
  EXPECT_FALSE(two.Allows("ab"));
}

TEST(CompiledAllowlist, V2ExactEntryBeatsAnEqualLengthGlob) {
  const CompiledAllowlist allow({"img*", "img"}, Semantics::kExactOrGlob);
  EXPECT_EQ(allow.MatchingEntry("img"), 1);
  EXPECT_EQ(allow.MatchingEntry("img2"), 0);
}

TEST(CompiledAllowlist, PrefixSemanticsReportsTheLongestEntry) {
  const CompiledAllowlist allow({"docker.io/", "docker.io/library/", "gcr.io/*"},
                                Semantics::kPrefix);
  EXPECT_EQ(allow.MatchingEntry("docker.io/library/nginx"), 1);
  EXPECT_EQ(allow.MatchingEntry("docker.io/bitnami/redis"), 0);
  EXPECT_FALSE(allow.Allows("gcr.io/x"));  // '*' is a literal byte in prefix semantics
  EXPECT_TRUE(allow.Allows("gcr.io/*x"));
  EXPECT_FALSE(CompiledAllowlist().Allows("nginx"));
}

}  // namespace
}  // namespace gatescan
