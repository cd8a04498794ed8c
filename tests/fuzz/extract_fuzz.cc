// libFuzzer target: the extractor over arbitrary bytes (as one object), with
// and without pod templates. Records must stay within the batch vectors.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "gatescan/common/padding.h"
#include "gatescan/extract/extract.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gatescan;
  static Extractor plain;
  static Extractor templates(ExtractOptions{true});
  std::vector<char> buffer(size + kParsePadding, '\0');
  if (size > 0) std::memcpy(buffer.data(), data, size);
  for (Extractor* extractor : {&plain, &templates}) {
    ExtractedBatch batch;
    extractor->Extract(std::string_view(buffer.data(), size), &batch);
    if (batch.objects.size() != 1) __builtin_trap();
    const ObjectRecord& r = batch.objects[0];
    for (IndexRange range : {r.containers, r.template_containers}) {
      if (range.begin > range.end || range.end > batch.containers.size()) __builtin_trap();
    }
    for (IndexRange range : {r.labels, r.template_labels, r.job_template_labels}) {
      if (range.begin > range.end || range.end > batch.labels.size()) __builtin_trap();
    }
  }
  return 0;
}
