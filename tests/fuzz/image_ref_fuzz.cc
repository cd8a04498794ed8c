// libFuzzer target: the image reference parser and the allowlist normaliser
// over arbitrary bytes. Beyond "no crash", a parsed reference must survive a
// round trip: its String() parses back to the same String(), as it does in
// distribution/reference. (The familiar form need not: `docker.io/a.b/c` is
// familiar `a.b/c`, whose first component is a host.)
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gatescan/allowlist/image_ref.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gatescan;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  ImageReference strict;
  ParseReference(input, &strict);
  ImageReference normalized;
  if (ParseNormalizedNamed(input, &normalized)) {
    if (normalized.name().size() > normalized.String().size() ||
        normalized.String().substr(0, normalized.name().size()) != normalized.name()) {
      __builtin_trap();
    }
    const std::string canonical(normalized.String());
    ImageReference again;
    if (!ParseNormalizedNamed(canonical, &again) || again.String() != canonical) __builtin_trap();
    std::string familiar;
    normalized.AppendFamiliarString(&familiar);
    std::string key;
    ImageNameKey(normalized, &key);
    DockerRefKey(normalized, &key);
  } else if (normalized.error().empty()) {
    __builtin_trap();  // every rejection carries the library's message
  }

  const NormalizedEntry entry = NormalizeAllowlistEntry(input);
  if (entry.kind == NormalizedEntry::Kind::kInvalid && entry.error.empty()) __builtin_trap();
  ReferenceEntryAllows(entry, normalized);
  return 0;
}
