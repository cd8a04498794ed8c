// libFuzzer target: the framer over arbitrary bytes, with tiny windows so
// that objects straddle reads. Every span must lie inside its batch and be
// followed by the parse padding; an indexed span (stage 1 done by the framer)
// must hold exactly what simdjson's own stage 1 finds in its bytes; nothing
// may crash, hang or leak.
#include <simdjson.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "gatescan/framer.h"

namespace {

void CheckStage1(const gatescan::FramedBatch& batch, const gatescan::ObjectSpan& span) {
  static std::unique_ptr<simdjson::internal::dom_parser_implementation> stage1;
  static size_t capacity = 0;
  if (stage1 == nullptr || span.length > capacity) {
    capacity = std::max<size_t>(span.length, 1 << 16);
    if (simdjson::get_active_implementation()->create_dom_parser_implementation(capacity, 64,
                                                                                stage1)) {
      __builtin_trap();
    }
  }
  const auto* bytes = reinterpret_cast<const uint8_t*>(batch.bytes.data() + span.begin);
  const simdjson::error_code e = stage1->stage1(bytes, span.length, simdjson::stage1_mode::regular);
  if (span.control_in_string != (e == simdjson::UNESCAPED_CHARS)) __builtin_trap();
  bool ascii = true;
  for (uint32_t i = 0; i < span.length; ++i) ascii = ascii && bytes[i] < 0x80;
  if (span.ascii != ascii) __builtin_trap();
  if (e == simdjson::UNESCAPED_CHARS) return;
  if (e != simdjson::SUCCESS && e != simdjson::UTF8_ERROR) __builtin_trap();
  if (span.structurals_count != stage1->n_structural_indexes) __builtin_trap();
  const uint32_t* mine = batch.structurals.data() + span.structurals_begin;
  for (uint32_t i = 0; i < span.structurals_count + 3; ++i) {
    if (mine[i] != stage1->structural_indexes[i]) __builtin_trap();
  }
}

}  // namespace

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
      if (span.structurals_count > 0) CheckStage1(batch, span);
    }
  }
  return 0;
}
