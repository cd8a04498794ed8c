// prefix_trie.cc — builds and walks the compiled allowlist trie.
//
// Layout: a path-compressed (radix) trie stored as four flat arrays, nodes in
// breadth-first order. A node's children are consecutive nodes, so finding a
// child is a scan of their first bytes, which sit side by side in
// each node (and, for wider nodes, in `first_byte_`): one 16-byte SIMD compare
// for up to 16 children. The rest of an edge label is compared with memcmp. Allowlist entries
// share long prefixes ("registry.corp.example/team-") and end in short unique
// tails, so a match is a handful of hops, each reading one 32-byte node,
// whatever the number of entries.

#include "gatescan/prefix_trie.h"

#include <algorithm>
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
  // root has no edge and starts at depth 0).
  struct Pending {
    size_t lo, hi, depth;
    bool is_root;
  };
  PrefixTrie trie;
  std::vector<Pending> queue;
  queue.push_back({0, entries_.size(), 0, true});
  for (size_t next = 0; next < queue.size(); ++next) {
    const Pending p = queue[next];
    Node node{};
    size_t end = p.depth;  // where this node's edge ends in every entry of the range
    if (!p.is_root) {
      end = CommonPrefixLength(entries_[p.lo].first, entries_[p.hi - 1].first);
      const std::string& e = entries_[p.lo].first;
      node.tail_begin = static_cast<uint32_t>(trie.tails_.size());
      node.tail_size = static_cast<uint32_t>(end - p.depth - 1);
      trie.tails_.insert(trie.tails_.end(), e.begin() + p.depth + 1, e.begin() + end);
      trie.first_byte_.push_back(static_cast<uint8_t>(e[p.depth]));
    } else {
      trie.first_byte_.push_back(0);
    }
    size_t lo = p.lo;
    uint32_t terminal_id = 0;
    if (lo < p.hi && entries_[lo].first.size() == end) {
      node.is_terminal = 1;
      terminal_id = entries_[lo].second;
      ++lo;  // sorted: the entry that ends here comes first
    }
    node.first_child = static_cast<uint32_t>(queue.size());
    while (lo < p.hi) {
      const char byte = entries_[lo].first[end];
      size_t hi = lo + 1;
      while (hi < p.hi && entries_[hi].first[end] == byte) ++hi;
      queue.push_back({lo, hi, end, false});
      if (node.child_count < sizeof(node.keys)) {
        node.keys[node.child_count] = static_cast<uint8_t>(byte);
      }
      ++node.child_count;
      lo = hi;
    }
    trie.nodes_.push_back(node);
    trie.terminal_id_.push_back(terminal_id);
  }
  trie.first_byte_.resize(trie.first_byte_.size() + kSimdPad, 0);
  trie.nodes_.shrink_to_fit();
  trie.tails_.shrink_to_fit();
  entries_.clear();
  return trie;
}

uint32_t PrefixTrie::Child(const Node& node, uint8_t byte) const {
  const uint32_t count = node.child_count;
#if defined(__SSE2__)
  const __m128i needle = _mm_set1_epi8(static_cast<char>(byte));
  const __m128i inline_keys = _mm_load_si128(reinterpret_cast<const __m128i*>(node.keys));
  uint32_t hits = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(inline_keys, needle)));
  if (count < 16) hits &= (1u << count) - 1;
  if (hits != 0) return node.first_child + static_cast<uint32_t>(__builtin_ctz(hits));
  // Wide nodes (the root, or a byte position that varies a lot) go on in
  // 16-byte chunks of first_byte_.
  for (uint32_t base = 16; base < count; base += 16) {
    const __m128i chunk = _mm_loadu_si128(
        reinterpret_cast<const __m128i*>(first_byte_.data() + node.first_child + base));
    hits = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, needle)));
    if (count - base < 16) hits &= (1u << (count - base)) - 1;
    if (hits != 0) return node.first_child + base + static_cast<uint32_t>(__builtin_ctz(hits));
  }
#else
  for (uint32_t i = 0; i < count; ++i) {
    if (first_byte_[node.first_child + i] == byte) return node.first_child + i;
  }
#endif
  return kNoChild;
}

// True if `s` continues at `pos` with the rest of `node`'s edge label.
bool PrefixTrie::TailMatches(const Node& node, std::string_view s, size_t pos) const {
  if (node.tail_size == 0) return true;  // most deep edges are one byte
  return s.size() - pos >= node.tail_size &&
         std::memcmp(s.data() + pos, tails_.data() + node.tail_begin, node.tail_size) == 0;
}

int64_t PrefixTrie::Walk(std::string_view s, bool stop_at_first) const {
  if (nodes_.empty()) return -1;
  int64_t best = -1;
  uint32_t at = 0;
  size_t pos = 0;
  for (;;) {
    const Node& node = nodes_[at];
    if (node.is_terminal) {
      best = terminal_id_[at];
      if (stop_at_first) return best;
    }
    if (pos == s.size()) return best;
    const uint32_t child = Child(node, static_cast<uint8_t>(s[pos]));
    if (child == kNoChild) return best;
    const Node& next = nodes_[child];
    const size_t after = pos + 1;
    // No entry ends inside an edge, so on a mismatch nothing longer can match.
    if (!TailMatches(next, s, after)) return best;
    pos = after + next.tail_size;
    at = child;
  }
}

bool PrefixTrie::HasPrefixOf(std::string_view s) const { return Walk(s, true) >= 0; }

int64_t PrefixTrie::LongestPrefixOf(std::string_view s) const { return Walk(s, false); }

int64_t PrefixTrie::Find(std::string_view s) const {
  if (nodes_.empty()) return -1;
  uint32_t at = 0;
  size_t pos = 0;
  while (pos < s.size()) {
    const uint32_t child = Child(nodes_[at], static_cast<uint8_t>(s[pos]));
    if (child == kNoChild) return -1;
    const Node& next = nodes_[child];
    const size_t after = pos + 1;
    if (!TailMatches(next, s, after)) return -1;
    pos = after + next.tail_size;
    at = child;
  }
  return nodes_[at].is_terminal ? static_cast<int64_t>(terminal_id_[at]) : -1;
}

size_t PrefixTrie::node_count() const { return nodes_.size(); }

size_t PrefixTrie::memory_bytes() const {
  return nodes_.capacity() * sizeof(Node) + first_byte_.capacity() + tails_.capacity() +
         terminal_id_.capacity() * sizeof(uint32_t);
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
