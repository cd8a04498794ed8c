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
  // Layout is private to prefix_trie.cc: a path-compressed trie whose nodes
  // sit in one array, the children of a node consecutive, subtrees depth-first.
  // 32 bytes, aligned: one hop reads one node (terminal id included) and
  // picks the child among its inline keys, with no second dependent load.
  struct alignas(32) Node {
    uint32_t first_child;  // index of the first child node
    uint32_t tail_begin;   // rest of the incoming edge label (after its first byte) in tails_
    uint32_t end;          // length of the path to here: where the children's key byte is
    uint32_t terminal_id;  // valid when is_terminal
    uint16_t tail_size;    // longer edges are split into a chain of nodes
    uint8_t is_terminal;   // an entry ends here
    uint8_t inline_count;  // children whose key is in `keys`; more are in first_byte_
    uint8_t keys[12];      // first bytes of the first 12 children's edges
  };
  // Walks `s` and returns the id of the longest entry that is a prefix of it
  // (or -1); with `kStopAtFirst`, returns as soon as any entry matches.
  template <bool kStopAtFirst>
  int64_t Walk(std::string_view s) const;
  uint32_t Child(const Node& node, uint8_t byte) const;
  bool TailMatches(const Node& node, std::string_view s, size_t pos) const;

  std::vector<Node> nodes_;
  std::vector<uint8_t> first_byte_;    // first byte of each node's incoming edge, for wide nodes
  std::vector<uint16_t> child_count_;  // 0..256, per node; read only for wide nodes
  std::vector<uint8_t> tails_;
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
