// prefix_trie.h — a compiled, read-only set of allowlist entries.
//
// Entries are added to a Builder, then compiled once into a flat,
// cache-friendly trie; the compiled form is immutable and its const methods
// may be called from any thread. `CompiledAllowlist` gives Gatekeeper's two
// semantics on top of it: raw byte prefix (K8sAllowedRepos; the empty entry
// allows everything) and exact-or-trailing-`*` (K8sAllowedReposv2). Matching
// cost depends on the length of the image, not on the number of entries; runs
// of digits (team-1234/) are taken several bytes at a time.
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
  // A node where the trie fans out densely for several bytes in a row (team
  // or project numbers) instead holds a jump table: the next `stride` bytes,
  // each in [lo, lo + width), index a table (in jumps_) of where `stride`
  // hops down lead.
  struct JumpTable {
    uint32_t begin;  // first slot in jumps_
    uint8_t lo;
    uint8_t width;
    uint8_t stride;
  };
  struct alignas(32) Node {
    uint32_t first_child;  // index of the first child node
    uint32_t tail_begin;   // rest of the incoming edge label (after its first byte) in tails_
    uint32_t end;          // length of the path to here: where the children's key byte is
    uint32_t terminal_id;  // valid when flags has kTerminal
    uint16_t tail_size;    // longer edges are split into a chain of nodes
    uint8_t flags;         // kTerminal, kWide, kJump, kInlineTail (prefix_trie.cc)
    uint8_t inline_count;  // children whose key is in `keys`; more are in first_byte_
    union {
      uint8_t keys[12];  // first bytes of the first 12 children's edges, or a leaf's tail
      JumpTable jump;    // kJump nodes: their children are all in first_byte_
    };
  };
  // Walks `s` and returns the id of the longest entry that is a prefix of it
  // (or -1); with `kStopAtFirst`, returns as soon as any entry matches.
  template <bool kStopAtFirst>
  int64_t Walk(std::string_view s) const;
  // A jump table slot. A leaf with a short tail is kept whole in the slot
  // (leaf pushing), so that such a jump ends the walk without loading a node.
  struct JumpSlot {
    uint32_t value;   // kSlotNode: the node jumped to; kSlotLeaf + n: the leaf's terminal id
    uint8_t kind;     // kSlotNone: take one byte instead
    uint8_t tail[3];  // kSlotLeaf + n: the leaf's tail, n bytes
  };
  // The node that the bytes of `s` at `pos` (== node.end) lead to, or nullptr;
  // advances `pos` past the bytes it took. The edge's tail is not checked.
  // A jump to a pushed leaf returns nullptr, with `leaf` set to the leaf's
  // id and `pos` to its end if `s` goes on with the leaf's tail.
  const Node* Next(const Node& node, std::string_view s, size_t& pos, int64_t& leaf) const;
  uint32_t WideChild(const Node& node, uint8_t byte, uint32_t base) const;
  // True if `s` continues at `pos` with the rest of `node`'s edge label.
  bool TailMatches(const Node& node, std::string_view s, size_t pos) const;
  void BuildJumpTables();

  std::vector<Node> nodes_;
  std::vector<uint8_t> first_byte_;    // first byte of each node's incoming edge, for wide nodes
  std::vector<uint16_t> child_count_;  // 0..256, per node; read only for wide nodes
  std::vector<uint8_t> tails_;
  std::vector<JumpSlot> jumps_;
};

// How an allowlist's entries are compared with an image: the one enum for
// it (allowlist.h builds each kind; this file holds the raw two).
enum class AllowlistSemantics : uint8_t {
  kPrefix,       // raw byte prefix (K8sAllowedRepos, K8sDisallowedRepos); "" allows everything
  kExactOrGlob,  // exact, or prefix for entries ending in '*' (v2, exemptImages)
  kReference,    // normalised references on component boundaries (--match reference)
};

// The two raw-byte semantics on top of PrefixTrie (kReference: allowlist.h).
class CompiledAllowlist {
 public:
  using Semantics = AllowlistSemantics;

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
