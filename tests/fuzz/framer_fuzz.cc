// libFuzzer target: the framer over arbitrary bytes, with tiny windows so
// that objects straddle reads. Every span must lie inside its batch and be
// followed by the parse padding; an indexed span (stage 1 done by the framer)
// must hold exactly what simdjson's own stage 1 finds in its bytes; nothing
// may crash, hang or leak.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "../stage1_support.h"
#include "gatescan/input/framer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gatescan;
  FramerOptions options;
  // The first byte picks the window so the fuzzer explores carry-over paths.
  const size_t window = size > 0 ? 1 + data[0] % 97 : 1;
  options.read_bytes = window;
  options.batch_bytes = window * 3;
  options.max_object_bytes = 1 << 16;
  InputSpec input{"fuzz", "fuzz"};
  Framer framer(input, MakeMemorySource(std::string(reinterpret_cast<const char*>(data), size)),
                options);
  FramedBatch batch;
  uint64_t last_offset = 0;
  while (framer.Next(&batch)) {
    for (const ObjectSpan& span : batch.spans) {
      if (static_cast<size_t>(span.begin) + span.length > batch.bytes.size()) __builtin_trap();
      if (span.input_offset < last_offset) __builtin_trap();  // spans come in input order
      last_offset = span.input_offset;
      // Touch the padding: it must be readable.
      volatile char c = batch.bytes.data()[span.begin + span.length + kParsePadding - 1];
      (void)c;
      if (span.structurals_count > 0 && !testing::Stage1Mismatch(batch, span).empty()) {
        __builtin_trap();
      }
    }
  }
  return 0;
}
