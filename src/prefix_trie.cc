// prefix_trie.cc — builds and walks the compiled allowlist trie.
//
// Layout: a path-compressed (radix) trie stored in flat arrays. A node's
// children are consecutive nodes, so finding a child is a scan of their first
// bytes, which sit side by side in the node itself (and, for wider nodes, in
// `first_byte_`): one 16-byte SIMD compare for up to 12 children. The rest of
// an edge label is compared a word at a time. Allowlist entries share long
// prefixes ("registry.corp.example/team-") and end in short unique tails, so
// a match is a handful of hops, each reading one 32-byte node, however many
// entries there are. Measurements: docs/match-bench.md.

#include "gatescan/prefix_trie.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <limits>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace gatescan {
namespace {

constexpr uint32_t kNoChild = std::numeric_limits<uint32_t>::max();
// first_byte_ is padded so that a 16-byte load past any child run stays in bounds.
constexpr size_t kSimdPad = 16;
// tails_ is padded so that an 8-byte load at any tail stays in bounds.
constexpr size_t kTailPad = 8;
// Node::tail_size is 16 bits.
constexpr size_t kMaxTail = std::numeric_limits<uint16_t>::max();

size_t CommonPrefixLength(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

}  // namespace

void PrefixTrie::Builder::Add(std::string_view entry, uint32_t id) {
  entries_.emplace_back(std::string(entry), id);
}

PrefixTrie PrefixTrie::Builder::Build() && {
  // Stable sort keeps equal entries in insertion order, so the first id wins.
  std::stable_sort(entries_.begin(), entries_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  entries_.erase(std::unique(entries_.begin(), entries_.end(),
                             [](const auto& a, const auto& b) { return a.first == b.first; }),
                 entries_.end());

  // A pending node covers the sorted entries [lo, hi) that all continue with
  // the same byte at `depth` (the first byte of the node's incoming edge; the
  // root has no edge and starts at depth 0). Each node's children get one
  // consecutive block, allocated when the node is filled in; nodes are filled
  // depth-first, so a subtree's blocks sit together and the last hops of a
  // walk touch nearby cache lines.
  struct Pending {
    uint32_t index;
    size_t lo, hi, depth;
  };
  PrefixTrie trie;
  trie.nodes_.resize(1);
  trie.child_count_.resize(1);
  trie.first_byte_.resize(1);
  std::vector<Pending> stack;
  stack.push_back({0, 0, entries_.size(), 0});
  while (!stack.empty()) {
    const Pending p = stack.back();
    stack.pop_back();
    Node node{};
    node.end = static_cast<uint32_t>(p.depth);
    if (p.index != 0) {
      // The edge ends where the range's entries part, but holds at most
      // kMaxTail bytes after its first: a longer run becomes a chain.
      const size_t common = CommonPrefixLength(entries_[p.lo].first, entries_[p.hi - 1].first);
      const size_t end = std::min(common, p.depth + 1 + kMaxTail);
      const std::string& e = entries_[p.lo].first;
      node.end = static_cast<uint32_t>(end);
      node.tail_begin = static_cast<uint32_t>(trie.tails_.size());
      node.tail_size = static_cast<uint16_t>(end - p.depth - 1);
      trie.tails_.insert(trie.tails_.end(), e.begin() + p.depth + 1, e.begin() + end);
    }
    const size_t end = node.end;
    size_t lo = p.lo;
    if (lo < p.hi && entries_[lo].first.size() == end) {
      node.is_terminal = 1;
      node.terminal_id = entries_[lo].second;
      ++lo;  // sorted: the entry that ends here comes first
    }
    node.first_child = static_cast<uint32_t>(trie.nodes_.size());
    uint16_t child_count = 0;
    const size_t first_pending = stack.size();
    while (lo < p.hi) {
      const char byte = entries_[lo].first[end];
      size_t hi = lo + 1;
      while (hi < p.hi && entries_[hi].first[end] == byte) ++hi;
      stack.push_back({node.first_child + child_count, lo, hi, end});
      trie.first_byte_.push_back(static_cast<uint8_t>(byte));
      if (child_count < sizeof(node.keys)) {
        node.keys[child_count] = static_cast<uint8_t>(byte);
        node.inline_count = static_cast<uint8_t>(child_count + 1);
      }
      ++child_count;
      lo = hi;
    }
    std::reverse(stack.begin() + first_pending, stack.end());  // first child on top
    trie.nodes_.resize(trie.nodes_.size() + child_count);
    trie.child_count_.resize(trie.nodes_.size());
    trie.nodes_[p.index] = node;
    trie.child_count_[p.index] = child_count;
  }
  trie.first_byte_.resize(trie.first_byte_.size() + kSimdPad, 0);
  trie.tails_.resize(trie.tails_.size() + kTailPad, 0);
  trie.nodes_.shrink_to_fit();
  trie.child_count_.shrink_to_fit();
  trie.tails_.shrink_to_fit();
  entries_.clear();
  return trie;
}

// Both hot helpers are forced inline: a call per hop costs more than the hop.
[[gnu::always_inline]] inline uint32_t PrefixTrie::Child(const Node& node, uint8_t byte) const {
  constexpr uint32_t kInline = sizeof(node.keys);
#if defined(__SSE2__)
  static_assert(offsetof(Node, keys) == 20 && sizeof(Node) == 32);
  const __m128i needle = _mm_set1_epi8(static_cast<char>(byte));
  // The aligned upper half of the node: 4 bytes of tail size and counts, then the keys.
  const __m128i upper = _mm_load_si128(reinterpret_cast<const __m128i*>(&node) + 1);
  uint32_t hits = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(upper, needle))) >> 4;
  hits &= (1u << node.inline_count) - 1;
  if (hits != 0) return node.first_child + static_cast<uint32_t>(__builtin_ctz(hits));
  if (node.inline_count < kInline) return kNoChild;
  // Wide nodes (the root, or a byte position that varies a lot) go on in
  // 16-byte chunks of first_byte_.
  const uint32_t count = child_count_[&node - nodes_.data()];
  for (uint32_t base = kInline; base < count; base += 16) {
    const __m128i chunk = _mm_loadu_si128(
        reinterpret_cast<const __m128i*>(first_byte_.data() + node.first_child + base));
    hits = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, needle)));
    if (count - base < 16) hits &= (1u << (count - base)) - 1;
    if (hits != 0) return node.first_child + base + static_cast<uint32_t>(__builtin_ctz(hits));
  }
#else
  const uint32_t count = child_count_[&node - nodes_.data()];
  for (uint32_t i = 0; i < count; ++i) {
    if (first_byte_[node.first_child + i] == byte) return node.first_child + i;
  }
#endif
  return kNoChild;
}

// True if `s` continues at `pos` with the rest of `node`'s edge label.
[[gnu::always_inline]] inline bool PrefixTrie::TailMatches(const Node& node, std::string_view s,
                                                           size_t pos) const {
  size_t n = node.tail_size;
  const size_t remaining = s.size() - pos;
  const char* a = s.data() + pos;
  const uint8_t* b = tails_.data() + node.tail_begin;
  if (n <= 8 && remaining >= 8) {
    // Deep edges are short: one masked word compare, no data-dependent
    // branch (tails_ is padded, and the image has 8 bytes left).
    uint64_t x, y;
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    const uint64_t mask = n == 0 ? 0 : ~uint64_t{0} >> (64 - 8 * n);
    return ((x ^ y) & mask) == 0;
  }
  if (remaining < n) return false;
  for (; n >= 8; n -= 8, a += 8, b += 8) {
    uint64_t x, y;
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    if (x != y) return false;
  }
  for (; n > 0; --n, ++a, ++b) {
    if (static_cast<uint8_t>(*a) != *b) return false;
  }
  return true;
}

template <bool kStopAtFirst>
int64_t PrefixTrie::Walk(std::string_view s) const {
  if (nodes_.empty()) return -1;
  int64_t best = -1;
  const Node* node = nodes_.data();
  for (;;) {
    if constexpr (kStopAtFirst) {
      if (node->is_terminal) return node->terminal_id;
    } else {
      best = node->is_terminal ? static_cast<int64_t>(node->terminal_id) : best;
    }
    // The position of the next key byte comes with the node, so the image
    // byte loads alongside the keys instead of after the tail compare.
    const size_t pos = node->end;
    if (pos == s.size()) return best;
    const uint32_t child = Child(*node, static_cast<uint8_t>(s[pos]));
    if (child == kNoChild) return best;
    node = &nodes_[child];
    // No entry ends inside an edge, so on a mismatch nothing longer can match.
    if (!TailMatches(*node, s, pos + 1)) return best;
  }
}

bool PrefixTrie::HasPrefixOf(std::string_view s) const { return Walk<true>(s) >= 0; }

int64_t PrefixTrie::LongestPrefixOf(std::string_view s) const { return Walk<false>(s); }

int64_t PrefixTrie::Find(std::string_view s) const {
  if (nodes_.empty()) return -1;
  const Node* node = nodes_.data();
  while (node->end < s.size()) {
    const uint32_t child = Child(*node, static_cast<uint8_t>(s[node->end]));
    if (child == kNoChild) return -1;
    const size_t after = node->end + 1;
    node = &nodes_[child];
    if (!TailMatches(*node, s, after)) return -1;
  }
  return node->is_terminal ? static_cast<int64_t>(node->terminal_id) : -1;
}

size_t PrefixTrie::node_count() const { return nodes_.size(); }

size_t PrefixTrie::memory_bytes() const {
  return nodes_.capacity() * sizeof(Node) + first_byte_.capacity() + tails_.capacity() +
         child_count_.capacity() * sizeof(uint16_t);
}

CompiledAllowlist::CompiledAllowlist(const std::vector<std::string>& entries, Semantics semantics)
    : semantics_(semantics) {
  PrefixTrie::Builder prefixes;
  PrefixTrie::Builder exact;
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string_view entry = entries[i];
    const uint32_t id = static_cast<uint32_t>(i);
    if (semantics == Semantics::kPrefix) {
      prefixes.Add(entry, id);
    } else if (!entry.empty() && entry.back() == '*') {
      prefixes.Add(entry.substr(0, entry.size() - 1), id);  // Rego's trim_suffix drops one '*'
    } else {
      exact.Add(entry, id);
    }
  }
  prefixes_ = std::move(prefixes).Build();
  exact_ = std::move(exact).Build();
}

int64_t CompiledAllowlist::MatchingEntry(std::string_view image) const {
  if (semantics_ == Semantics::kPrefix) return prefixes_.LongestPrefixOf(image);
  // An exact entry covers the whole image, so it is at least as long a match
  // as any glob; on a tie (`img` and `img*`) the exact entry is the more
  // specific one.
  const int64_t exact = exact_.Find(image);
  if (exact >= 0) return exact;
  return prefixes_.LongestPrefixOf(image);
}

}  // namespace gatescan
