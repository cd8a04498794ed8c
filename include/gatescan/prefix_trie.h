// prefix_trie.h — a compiled, read-only set of allowlist entries.
//
// Entries are added to a Builder, then compiled once into a flat,
// cache-friendly trie; the compiled form is immutable and its const methods
// may be called from any thread. `CompiledAllowlist` gives Gatekeeper's two
// semantics on top of it: raw byte prefix (K8sAllowedRepos; the empty entry
// allows everything) and exact-or-trailing-`*` (K8sAllowedReposv2). Matching
// cost depends on the length of the image, not on the number of entries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gatescan {

class PrefixTrie {
 public:
  class Builder {
   public:
    // Entries may hold any bytes, including NUL and bytes >= 0x80.
    void Add(std::string_view entry, uint32_t id);
    PrefixTrie Build() &&;

   private:
    std::vector<std::pair<std::string, uint32_t>> entries_;
  };

  PrefixTrie() = default;

  // True if some entry is a prefix of `s` (an empty entry is a prefix of everything).
  bool HasPrefixOf(std::string_view s) const;
  // Id of the longest entry that is a prefix of `s`, or -1.
  int64_t LongestPrefixOf(std::string_view s) const;
  // Id of the entry equal to `s`, or -1.
  int64_t Find(std::string_view s) const;

  size_t node_count() const;
  size_t memory_bytes() const;

 private:
  friend class Builder;
  // Layout is private to prefix_trie.cc.
  std::vector<uint32_t> nodes_;
  std::vector<uint8_t> labels_;
  std::vector<uint32_t> targets_;
  std::vector<int64_t> terminal_id_;
};

class CompiledAllowlist {
 public:
  enum class Semantics { kPrefix, kExactOrGlob };

  CompiledAllowlist() = default;
  CompiledAllowlist(const std::vector<std::string>& entries, Semantics semantics);

  bool Allows(std::string_view image) const { return MatchingEntry(image) >= 0; }
  // Index (into the entries given) of the entry that allows `image`: the
  // longest matching one; -1 when none does.
  int64_t MatchingEntry(std::string_view image) const;

 private:
  Semantics semantics_ = Semantics::kPrefix;
  PrefixTrie prefixes_;  // kPrefix: every entry; kExactOrGlob: '*' entries without the '*'
  PrefixTrie exact_;     // kExactOrGlob: entries without a trailing '*'
};

}  // namespace gatescan
