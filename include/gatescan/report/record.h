// record.h — what the pipeline hands to its consumers for one object or one
// error: where it came from, the object, its containers and its violations.
//
// Views only: every string and span points into the pipeline's batch and is
// valid during the call that receives it. Plain data.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "gatescan/evaluate/evaluate.h"
#include "gatescan/extract/extract.h"
#include "gatescan/input/source.h"

namespace gatescan {

// Where the object came from, for ndjson/csv "source"/"offset" fields.
struct RecordOrigin {
  const InputSpec* input = nullptr;
  uint64_t offset = 0;                 // byte offset of the object in the decompressed input
  uint64_t index = 0;                  // item index in its list / value index in the stream
  std::span<const Label> labels = {};  // the object's metadata.labels (audit-log resource_labels)
};

// An input that cannot be read or an object that cannot be (malformed JSON,
// too large ...): the scan goes on, the record reaches the user.
struct ScanError {
  RecordOrigin origin;
  std::string_view message;  // "malformed JSON: ..." etc.
};

// One object that passed the scan filters, after evaluation.
struct EvaluatedObject {
  const ObjectRecord* object = nullptr;
  std::span<const ContainerRef> containers;  // the object's own (not its template's)
  // A workload's pod template containers; empty unless --expand read them.
  std::span<const ContainerRef> template_containers;
  std::span<const Violation> violations;  // sorted as Gatekeeper sorts them; may be empty
  RecordOrigin origin;
};

}  // namespace gatescan
