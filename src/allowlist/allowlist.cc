#include "gatescan/allowlist/allowlist.h"

#include "gatescan/allowlist/image_ref.h"

namespace gatescan {

Allowlist::Allowlist(const std::vector<std::string>& entries, AllowlistSemantics semantics)
    : semantics_(semantics) {
  if (semantics == AllowlistSemantics::kReference) {
    reference_ = ReferenceAllowlist(entries);
  } else {
    raw_ = CompiledAllowlist(entries, semantics);
  }
}

ReferenceAllowlist::ReferenceAllowlist(const std::vector<std::string>& entries) {
  PrefixTrie::Builder prefixes, pinned;
  for (uint32_t i = 0; i < entries.size(); ++i) {
    const NormalizedEntry entry = NormalizeAllowlistEntry(entries[i]);
    switch (entry.kind) {
      case NormalizedEntry::Kind::kEverything:
        if (everything_ < 0) everything_ = i;
        break;
      case NormalizedEntry::Kind::kPrefix:
        prefixes.Add(entry.key, i);
        break;
      case NormalizedEntry::Kind::kPinned:
        pinned.Add(entry.key, i);
        break;
      case NormalizedEntry::Kind::kInvalid:
        invalid_.push_back("\"" + entries[i] + "\": " + entry.error);
        break;
    }
  }
  prefixes_ = std::move(prefixes).Build();
  pinned_ = std::move(pinned).Build();
}

int64_t ReferenceAllowlist::MatchingEntry(std::string_view image) const {
  // Scratch space per thread keeps matching allocation-free in steady state.
  thread_local ImageReference ref;
  thread_local std::string key;
  if (!ParseNormalizedNamed(image, &ref)) return everything_;
  ImageNameKey(ref, &key);
  int64_t id = prefixes_.LongestPrefixOf(key);
  if (id >= 0) return id;
  DockerRefKey(ref, &key);
  id = pinned_.Find(key);
  return id >= 0 ? id : everything_;
}

}  // namespace gatescan
