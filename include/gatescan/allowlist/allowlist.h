// allowlist.h — one interface for every image list a constraint carries.
//
// An `Allowlist` is built once from a constraint's entries and a semantics
// (AllowlistSemantics, prefix_trie.h): raw byte prefix, exact-or-glob, or
// normalised references on component boundaries. It answers one question —
// which entry, if any, matches an image — for allow lists, deny lists and
// exemptions alike; the compiled PrefixTrie is the shared engine under all
// three. Immutable once built: const methods may be called from any thread
// (reference matching keeps its scratch space per thread).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gatescan/allowlist/prefix_trie.h"

namespace gatescan {

// --match reference: entries normalised (image_ref.h) and compiled into
// tries over component-boundary keys.
class ReferenceAllowlist {
 public:
  ReferenceAllowlist() = default;
  explicit ReferenceAllowlist(const std::vector<std::string>& entries);
  // Index of the entry that matches `image` (longest prefix, then pinned), or -1.
  // An image that does not parse is matched only by the empty entry.
  int64_t MatchingEntry(std::string_view image) const;
  // Entries that are not references, with the parser's reason.
  const std::vector<std::string>& invalid_entries() const { return invalid_; }

 private:
  PrefixTrie prefixes_;
  PrefixTrie pinned_;
  int64_t everything_ = -1;
  std::vector<std::string> invalid_;
};

class Allowlist {
 public:
  Allowlist() = default;
  Allowlist(const std::vector<std::string>& entries, AllowlistSemantics semantics);

  // Index (into the entries given) of the entry that matches `image`, or -1.
  int64_t MatchingEntry(std::string_view image) const {
    return semantics_ == AllowlistSemantics::kReference ? reference_.MatchingEntry(image)
                                                        : raw_.MatchingEntry(image);
  }
  bool Matches(std::string_view image) const { return MatchingEntry(image) >= 0; }
  AllowlistSemantics semantics() const { return semantics_; }
  // kReference: entries that are not references (they match nothing).
  const std::vector<std::string>& invalid_entries() const { return reference_.invalid_entries(); }

 private:
  AllowlistSemantics semantics_ = AllowlistSemantics::kPrefix;
  CompiledAllowlist raw_;
  ReferenceAllowlist reference_;
};

}  // namespace gatescan
