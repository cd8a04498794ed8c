// stage1_support.h — is an item the framer indexed exactly what simdjson's
// own stage 1 finds in its bytes?
//
// One check for the framer tests (which report the difference) and the
// framer fuzzer (which traps on it). The caller links simdjson.
#pragma once

#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "gatescan/input/framer.h"

namespace gatescan::testing {

// Empty when the indexed `span` holds the same positions and the three
// sentinels as stage 1 over its bytes, the same control-character verdict,
// `ascii` exactly when no byte is >= 0x80, backslash_end one past the last
// backslash, and simple_escapes exactly when every backslash read left to
// right escapes one of " \ / b f n r t; otherwise what differs.
inline std::string Stage1Mismatch(const FramedBatch& batch, const ObjectSpan& span) {
  static thread_local std::unique_ptr<simdjson::internal::dom_parser_implementation> stage1;
  static thread_local size_t capacity = 0;
  if (stage1 == nullptr || span.length > capacity) {
    capacity = std::max<size_t>(span.length, 1 << 16);
    if (simdjson::get_active_implementation()->create_dom_parser_implementation(capacity, 64,
                                                                                stage1)) {
      return "cannot allocate simdjson's stage 1";
    }
  }
  const auto* bytes = reinterpret_cast<const uint8_t*>(batch.bytes.data() + span.begin);
  const std::string text(batch.bytes.data() + span.begin, span.length);
  const simdjson::error_code e = stage1->stage1(bytes, span.length, simdjson::stage1_mode::regular);
  if (span.control_in_string != (e == simdjson::UNESCAPED_CHARS)) {
    return "control_in_string differs from stage 1's " + std::to_string(e) + " in " + text;
  }
  const bool ascii = std::all_of(bytes, bytes + span.length, [](uint8_t c) { return c < 0x80; });
  if (span.ascii != ascii) return "ascii differs in " + text;
  const size_t last_backslash = text.rfind('\\');
  const uint32_t backslash_end =
      last_backslash == std::string::npos ? 0 : static_cast<uint32_t>(last_backslash + 1);
  if (span.backslash_end != backslash_end) {
    return "backslash_end is " + std::to_string(span.backslash_end) + ", not " +
           std::to_string(backslash_end) + ", in " + text;
  }
  bool simple_escapes = true;
  for (size_t i = text.find('\\'); i != std::string::npos; i = text.find('\\', i + 2)) {
    if (i + 1 >= text.size() ||
        std::string_view("\"\\/bfnrt").find(text[i + 1]) == std::string_view::npos) {
      simple_escapes = false;
      break;
    }
  }
  if (span.simple_escapes != simple_escapes) {
    return std::string("simple_escapes is ") + (span.simple_escapes ? "true" : "false") + " in " +
           text;
  }
  if (e == simdjson::UNESCAPED_CHARS) return {};  // stage 1 stops before counting
  if (e != simdjson::SUCCESS && e != simdjson::UTF8_ERROR) {
    return "stage 1 failed with " + std::to_string(e) + " on " + text;
  }
  if (span.structurals_count != stage1->n_structural_indexes) {
    return std::to_string(span.structurals_count) + " positions, stage 1 has " +
           std::to_string(stage1->n_structural_indexes) + " in " + text;
  }
  if (span.structurals_begin + span.structurals_count + 3 > batch.structurals.size()) {
    return "positions and sentinels run past FramedBatch::structurals";
  }
  const uint32_t* mine = batch.structurals.data() + span.structurals_begin;
  for (uint32_t i = 0; i < span.structurals_count + 3; ++i) {
    if (mine[i] != stage1->structural_indexes[i]) {
      return "position " + std::to_string(i) + " is " + std::to_string(mine[i]) + ", stage 1 has " +
             std::to_string(stage1->structural_indexes[i]) + " in " + text;
    }
  }
  return {};
}

}  // namespace gatescan::testing
