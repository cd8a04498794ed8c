// prefix_trie.cc — builds and walks the compiled allowlist trie.
//
// Layout: a path-compressed (radix) trie stored in flat arrays. A node's
// children are consecutive nodes, so finding a child is a scan of their first
// bytes, which sit side by side in the node itself (and, for wider nodes, in
// `first_byte_`): one 16-byte SIMD compare for up to 12 children. The rest of
// an edge label is compared a word at a time. Allowlist entries share long
// prefixes ("registry.corp.example/team-") and end in short unique tails, so
// a match is a handful of hops, each reading one 32-byte node, however many
// entries there are.
//
// Big allowlists number their entries (team-1234/), and a byte-at-a-time walk
// through the digits is one dependent, mostly cache-missing load per digit.
// Where the trie fans out like that, a jump table (level compression) takes
// up to 4 bytes in one load, and a leaf it leads to is stored in the table
// slot itself (leaf pushing), so a 4-digit team number costs one load instead
// of five. Measurements: docs/match-bench.md.

#include "gatescan/allowlist/prefix_trie.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <limits>
#include <utility>

#if defined(__SSE2__) && !defined(GATESCAN_PORTABLE)
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

// Node::flags.
constexpr uint8_t kTerminal = 1;    // an entry ends here
constexpr uint8_t kWide = 2;        // some children's keys are only in first_byte_
constexpr uint8_t kJump = 4;        // Node::jump is set; keys is not
constexpr uint8_t kInlineTail = 8;  // a leaf's tail is in keys, not in tails_

// Jump tables: 4 bytes a jump at most, 16384 slots (128 KiB) at most, so a
// table of decimal numbers (11 symbols: '/' to '9') may span 4 digits; at
// least one slot in 4 must lead somewhere, and no node is led to by two
// tables, so that the tables cost at most 32 bytes (a node) per node they
// lead to.
constexpr size_t kMaxStride = 4;
constexpr size_t kMaxJumpSlots = size_t{1} << 14;
constexpr size_t kMinJumpDensity = 4;
// JumpSlot::kind.
constexpr uint8_t kSlotNone = 0;
constexpr uint8_t kSlotNode = 1;
constexpr uint8_t kSlotLeaf = 2;  // + the length of the leaf's tail

size_t CommonPrefixLength(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

// True if `s` continues at `pos` with the `n` bytes at `b`, which may be read
// 8 bytes at a time past their end (tails_ is padded, Node::keys is 12 bytes).
[[gnu::always_inline]] inline bool BytesMatch(const uint8_t* b, size_t n, std::string_view s,
                                              size_t pos) {
  const size_t remaining = s.size() - pos;
  const char* a = s.data() + pos;
  if (n <= 8 && remaining >= 8) {
    // Deep edges are short: one masked word compare, no data-dependent
    // branch (the image has 8 bytes left).
    uint64_t x, y;
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    const uint64_t mask = n == 0 ? 0 : ~uint64_t{0} >> (64 - 8 * n);
    return ((x ^ y) & mask) == 0;
  }
  if (remaining < n) return false;
  if (n >= 8) {
    // Whole words, the last one overlapping the one before: no byte loop.
    const auto word_equal = [](const char* x, const uint8_t* y) {
      uint64_t u, v;
      std::memcpy(&u, x, 8);
      std::memcpy(&v, y, 8);
      return u == v;
    };
    for (size_t i = 0; i + 8 < n; i += 8) {
      if (!word_equal(a + i, b + i)) return false;
    }
    return word_equal(a + n - 8, b + n - 8);
  }
  for (; n > 0; --n, ++a, ++b) {
    if (static_cast<uint8_t>(*a) != *b) return false;
  }
  return true;
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
    std::string_view tail;
    node.end = static_cast<uint32_t>(p.depth);
    if (p.index != 0) {
      // The edge ends where the range's entries part, but holds at most
      // kMaxTail bytes after its first: a longer run becomes a chain.
      const size_t common = CommonPrefixLength(entries_[p.lo].first, entries_[p.hi - 1].first);
      const size_t end = std::min(common, p.depth + 1 + kMaxTail);
      node.end = static_cast<uint32_t>(end);
      node.tail_size = static_cast<uint16_t>(end - p.depth - 1);
      tail = std::string_view(entries_[p.lo].first).substr(p.depth + 1, node.tail_size);
    }
    const size_t end = node.end;
    size_t lo = p.lo;
    if (lo < p.hi && entries_[lo].first.size() == end) {
      node.flags = kTerminal;
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
    std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(first_pending),
                 stack.end());  // first child on top
    if (child_count > sizeof(node.keys)) node.flags |= kWide;
    // An empty tail is left pointing at the start of tails_, which stays in
    // cache: the word compare of TailMatches loads it anyway.
    if (child_count == 0 && p.index != 0 && tail.size() <= sizeof(node.keys)) {
      // Most leaves of a big allowlist end in a short tail ("/" after a team
      // number); kept in the node, it costs no second cache miss.
      node.flags |= kInlineTail;
      std::copy(tail.begin(), tail.end(), node.keys);
    } else if (!tail.empty()) {
      node.tail_begin = static_cast<uint32_t>(trie.tails_.size());
      trie.tails_.insert(trie.tails_.end(), tail.begin(), tail.end());
    }
    trie.nodes_.resize(trie.nodes_.size() + child_count);
    trie.child_count_.resize(trie.nodes_.size());
    trie.nodes_[p.index] = node;
    trie.child_count_[p.index] = child_count;
  }
  trie.BuildJumpTables();
  trie.first_byte_.resize(trie.first_byte_.size() + kSimdPad, 0);
  trie.tails_.resize(trie.tails_.size() + kTailPad, 0);
  trie.nodes_.shrink_to_fit();
  trie.child_count_.shrink_to_fit();
  trie.tails_.shrink_to_fit();
  trie.jumps_.shrink_to_fit();
  entries_.clear();
  return trie;
}

// Level compression (as in Nilsson and Karlsson's LC-trie), only where the
// trie is dense: at a node whose subtree branches at each of the next 2 to 4
// bytes, over a narrow byte range, one table indexed by those bytes replaces
// as many dependent hops. Numbered entries (team-1234/) walk 4 digits in one
// load instead of 4. A table never skips a node where an entry ends or an
// edge carries a tail, so every jump lands where the byte-at-a-time walk
// would, and every slot it has no node for (kSlotNone) sends the walk that
// way. A leaf with a tail of up to 3 bytes ("/") is copied into its slot, as
// in leaf-pushed multibit tries for IP lookup: the last, most cache-missing
// load of a match is then the slot itself.
void PrefixTrie::BuildJumpTables() {
  struct Path {
    uint8_t bytes[kMaxStride];
    uint32_t via[kMaxStride];  // the nodes walked through, the last one the target
  };
  std::vector<Path> paths;
  Path path{};
  // Collects the paths of exactly `stride` hops below `x` whose inner nodes
  // can be jumped over.
  auto collect = [&](auto& self, uint32_t x, size_t depth, size_t stride) -> void {
    const uint32_t first = nodes_[x].first_child;
    for (uint32_t c = first; c < first + child_count_[x]; ++c) {
      path.bytes[depth] = first_byte_[c];
      path.via[depth] = c;
      if (depth + 1 == stride) {
        paths.push_back(path);
      } else if (nodes_[c].tail_size == 0 && (nodes_[c].flags & kTerminal) == 0) {
        self(self, c, depth + 1, stride);
      }
    }
  };
  // Nodes that a table jumps over get none: each node is then the target of
  // at most one table, which bounds their total size.
  std::vector<uint8_t> jumped_over(nodes_.size(), 0);
  for (uint32_t x = 0; x < nodes_.size(); ++x) {  // parents come before their children
    if (jumped_over[x]) continue;
    for (size_t stride = kMaxStride; stride >= 2; --stride) {
      paths.clear();
      collect(collect, x, 0, stride);
      if (paths.empty()) continue;
      uint8_t lo = 0xff, hi = 0;
      for (const Path& p : paths) {
        for (size_t i = 0; i < stride; ++i) {
          lo = std::min(lo, p.bytes[i]);
          hi = std::max(hi, p.bytes[i]);
        }
      }
      const size_t width = size_t{hi} - lo + 1;
      size_t slots = 1;
      for (size_t i = 0; i < stride && slots <= kMaxJumpSlots; ++i) slots *= width;
      if (slots > kMaxJumpSlots || paths.size() * kMinJumpDensity < slots) continue;
      Node& node = nodes_[x];
      node.flags |= kJump | kWide;
      node.inline_count = 0;
      node.jump = {static_cast<uint32_t>(jumps_.size()), lo, static_cast<uint8_t>(width),
                   static_cast<uint8_t>(stride)};
      jumps_.resize(jumps_.size() + slots, JumpSlot{0, kSlotNone, {}});
      for (const Path& p : paths) {
        size_t slot = 0;
        for (size_t i = 0; i < stride; ++i) slot = slot * width + (p.bytes[i] - lo);
        const uint32_t target = p.via[stride - 1];
        const Node& t = nodes_[target];
        JumpSlot& js = jumps_[node.jump.begin + slot];
        if (child_count_[target] == 0 && t.tail_size <= sizeof(js.tail)) {
          // A leaf is an entry, so t.terminal_id is set.
          js = {t.terminal_id, static_cast<uint8_t>(kSlotLeaf + t.tail_size), {}};
          const uint8_t* tail =
              (t.flags & kInlineTail) != 0 ? t.keys : tails_.data() + t.tail_begin;
          std::copy(tail, tail + t.tail_size, js.tail);
        } else {
          js = {target, kSlotNode, {}};
        }
        for (size_t i = 0; i + 1 < stride; ++i) jumped_over[p.via[i]] = 1;
      }
      break;
    }
  }
}

// The hot helpers are forced inline: a call per hop costs more than the hop.
[[gnu::always_inline]] inline const PrefixTrie::Node* PrefixTrie::Next(const Node& node,
                                                                       std::string_view s,
                                                                       size_t& pos,
                                                                       int64_t& leaf) const {
  const uint8_t byte = static_cast<uint8_t>(s[pos]);
  uint32_t base = 0;  // first child whose key is not inline
#if defined(__SSE2__) && !defined(GATESCAN_PORTABLE)
  static_assert(offsetof(Node, keys) == 20 && sizeof(Node) == 32);
  const __m128i needle = _mm_set1_epi8(static_cast<char>(byte));
  // The aligned upper half of the node: 4 bytes of tail size and counts, then the keys.
  const __m128i upper = _mm_load_si128(reinterpret_cast<const __m128i*>(&node) + 1);
  const uint32_t hits =
      (static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(upper, needle))) >> 4) &
      ((1u << node.inline_count) - 1);
  if (hits != 0) {
    pos += 1;
    return &nodes_[node.first_child + static_cast<uint32_t>(__builtin_ctz(hits))];
  }
  // Jump and wide nodes are told apart only here, so that a plain hop pays
  // nothing for them (a jump node has no inline keys).
  if ((node.flags & (kWide | kJump)) == 0) return nullptr;
  base = node.inline_count;
#endif
  if ((node.flags & kJump) != 0) {
    const JumpTable& jump = node.jump;
    if (s.size() - pos >= jump.stride) {
      uint32_t slot = 0;
      size_t i = 0;
      for (; i < jump.stride; ++i) {
        const uint32_t digit = static_cast<uint8_t>(s[pos + i]) - uint32_t{jump.lo};
        if (digit >= jump.width) break;
        slot = slot * jump.width + digit;
      }
      if (i == jump.stride) {
        const JumpSlot& js = jumps_[jump.begin + slot];
        if (js.kind == kSlotNode) {
          pos += jump.stride;
          return &nodes_[js.value];
        }
        if (js.kind != kSlotNone) {
          const size_t at = pos + jump.stride;
          const size_t n = js.kind - kSlotLeaf;
          if (s.size() - at >= n &&
              std::equal(js.tail, js.tail + n, s.data() + at,
                         [](uint8_t x, char y) { return x == static_cast<uint8_t>(y); })) {
            leaf = js.value;
            pos = at + n;
          }
          return nullptr;
        }
      }
    }
  }
  const uint32_t child = WideChild(node, byte, base);
  if (child == kNoChild) return nullptr;
  pos += 1;
  return &nodes_[child];
}

// Wide nodes (the root, or a byte position that varies a lot) and jump nodes
// have the keys of their children from `base` on only in first_byte_.
[[gnu::always_inline]] inline uint32_t PrefixTrie::WideChild(const Node& node, uint8_t byte,
                                                             uint32_t base) const {
  const uint32_t count = child_count_[&node - nodes_.data()];
#if defined(__SSE2__) && !defined(GATESCAN_PORTABLE)
  const __m128i needle = _mm_set1_epi8(static_cast<char>(byte));
  for (; base < count; base += 16) {
    const __m128i chunk = _mm_loadu_si128(
        reinterpret_cast<const __m128i*>(first_byte_.data() + node.first_child + base));
    uint32_t hits = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, needle)));
    if (count - base < 16) hits &= (1u << (count - base)) - 1;
    if (hits != 0) return node.first_child + base + static_cast<uint32_t>(__builtin_ctz(hits));
  }
#else
  for (; base < count; ++base) {
    if (first_byte_[node.first_child + base] == byte) return node.first_child + base;
  }
#endif
  return kNoChild;
}

[[gnu::always_inline]] inline bool PrefixTrie::TailMatches(const Node& node, std::string_view s,
                                                           size_t pos) const {
  return BytesMatch(tails_.data() + node.tail_begin, node.tail_size, s, pos);
}

template <bool kStopAtFirst>
int64_t PrefixTrie::Walk(std::string_view s) const {
  if (nodes_.empty()) return -1;
  int64_t best = -1;
  const Node* node = nodes_.data();
  for (;;) {
    const bool terminal = (node->flags & kTerminal) != 0;
    if constexpr (kStopAtFirst) {
      if (terminal) return node->terminal_id;
    } else {
      best = terminal ? static_cast<int64_t>(node->terminal_id) : best;
    }
    // The position of the next key byte comes with the node, so the image
    // byte loads alongside the keys instead of after the tail compare.
    size_t pos = node->end;
    if (pos == s.size()) return best;
    int64_t leaf = -1;
    node = Next(*node, s, pos, leaf);
    if (node == nullptr) return leaf >= 0 ? leaf : best;
    if ((node->flags & kInlineTail) != 0) {
      // A leaf, hence an entry: the walk ends here either way.
      return BytesMatch(node->keys, node->tail_size, s, pos)
                 ? static_cast<int64_t>(node->terminal_id)
                 : best;
    }
    // No entry ends inside an edge, so on a mismatch nothing longer can match.
    if (!TailMatches(*node, s, pos)) return best;
  }
}

bool PrefixTrie::HasPrefixOf(std::string_view s) const { return Walk<true>(s) >= 0; }

int64_t PrefixTrie::LongestPrefixOf(std::string_view s) const { return Walk<false>(s); }

int64_t PrefixTrie::Find(std::string_view s) const {
  if (nodes_.empty()) return -1;
  const Node* node = nodes_.data();
  while (node->end < s.size()) {
    size_t pos = node->end;
    int64_t leaf = -1;
    node = Next(*node, s, pos, leaf);
    if (node == nullptr) return leaf >= 0 && pos == s.size() ? leaf : -1;
    if ((node->flags & kInlineTail) != 0) {
      const bool whole = pos + node->tail_size == s.size();
      return whole && BytesMatch(node->keys, node->tail_size, s, pos)
                 ? static_cast<int64_t>(node->terminal_id)
                 : -1;
    }
    if (!TailMatches(*node, s, pos)) return -1;
  }
  return (node->flags & kTerminal) != 0 ? static_cast<int64_t>(node->terminal_id) : -1;
}

size_t PrefixTrie::node_count() const { return nodes_.size(); }

size_t PrefixTrie::memory_bytes() const {
  return nodes_.capacity() * sizeof(Node) + first_byte_.capacity() + tails_.capacity() +
         child_count_.capacity() * sizeof(uint16_t) + jumps_.capacity() * sizeof(JumpSlot);
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
      prefixes.Add(entry.substr(0, entry.size() - 1),
                   id);  // Rego's trim_suffix drops one '*'
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
