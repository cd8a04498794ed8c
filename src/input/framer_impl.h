// framer_impl.h — the framer's state (private to src/input/).
//
// One struct, shared by the files of the framer: framer.cc (the batch loop:
// reads, carry-over between batches, end of input), framer_grammar.cc (the
// resumable state machine over the top of the stream) and
// framer_list_kind.cc (which objects are Lists). All positions are absolute
// offsets in the (decompressed, or for YAML converted) stream. Used by one
// thread, as the Framer that owns it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gatescan/input/framer.h"
#include "gatescan/input/scan_kernel.h"
#include "gatescan/input/yaml_framer.h"

namespace gatescan {

// Longer header keys and kind/apiVersion values are skipped, not compared.
inline constexpr uint64_t kMaxInterestingKey = 256;
inline constexpr uint64_t kMaxInterestingValue = 64 << 10;

inline bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

struct Framer::Impl {
  enum class Mode {
    kDetect,      // start: skip a BOM and whitespace, choose JSON or YAML
    kTopValue,    // between top-level values
    kResync,      // after garbage: skipping to a line that starts with '{'
    kObjKey,      // in a top-level object, expecting a key or '}'
    kObjColon,    // after a key
    kObjValue,    // expecting a depth-1 value
    kArrElem,     // in an items array or top-level array, expecting an element or ']'
    kScanItem,    // SIMD-scanning an element of an array
    kSkipNested,  // SIMD-scanning a nested depth-1 header value
    kSkipToken,   // consuming a long string or scalar without keeping it
    kDone,
  };
  enum class Key { kOther, kItems, kKind, kApiVersion };
  // What the top-level object's "kind" says about its "items": only a kind
  // ending in "List" (kubectl's "List" included) makes them objects to review.
  enum class ObjKind { kUnknown, kList, kNotList };

  Impl(const InputSpec& in, std::unique_ptr<ByteSource> src, FramerOptions opts)
      : input(in), source(std::move(src)), options(opts) {
    // Span offsets are 32-bit: a batch (batch + one read + the largest kept
    // object) must stay below 4 GiB.
    options.batch_bytes = std::clamp<size_t>(options.batch_bytes, 1, size_t{256} << 20);
    options.read_bytes = std::clamp<size_t>(options.read_bytes, 1, size_t{256} << 20);
    options.max_object_bytes = std::min<size_t>(options.max_object_bytes, size_t{3} << 30);
    options.max_pending_kind_bytes =
        std::min<size_t>(options.max_pending_kind_bytes, options.max_object_bytes);
    options.index_items = options.index_items && kernel.index != nullptr;
  }

  const InputSpec& input;
  std::unique_ptr<ByteSource> source;
  const ScanKernel& kernel = ActiveKernel();
  FramerOptions options;
  // YAML input is framed by the YAML framer once detected.
  std::unique_ptr<YamlFramer> yaml_framer;

  PaddedBuffer carry;
  uint64_t carry_offset = 0;

  FramedBatch* batch = nullptr;
  uint64_t base = 0;  // stream offset of batch->bytes[0]
  uint64_t pos = 0;   // next unparsed byte
  bool eof = false;
  bool read_failed = false;
  Mode mode = Mode::kDetect;

  // Top-level value bookkeeping.
  uint64_t value_index = 0;  // index of the next top-level value
  uint64_t obj_start = 0;    // the current top-level object
  uint64_t obj_index = 0;
  bool obj_retained = false;  // bytes from obj_start are kept (it may be a single object)
  bool obj_is_list = false;   // its items are being (or were) framed as spans
  ObjKind obj_kind = ObjKind::kUnknown;
  bool items_seen = false;  // the object has an "items" key
  // Items met before the object's kind (kubectl writes "kind" after "items")
  // are framed speculatively while the whole object is kept: the batch is not
  // handed out until the kind decides between the items (a List) and the
  // object itself (anything else), so small cases are exact. Past
  // max_pending_kind_bytes the object is no longer kept and the items are
  // handed out as a List's, their kind pending (`assumed_list`); should the
  // kind then not be a List's, a FrameError says so.
  bool pending_list = false;
  bool assumed_list = false;
  size_t pending_first_span = 0;            // batch->spans from here are the pending items
  size_t pending_first_list = 0;            // batch->lists from here
  size_t pending_first_structural = 0;      // batch->structurals from here
  std::vector<size_t> pending_error_slots;  // batch->errors about the pending items
  Key pending_key = Key::kOther;

  // The current list (items array or top-level array).
  ListInfo list;
  uint64_t next_list_id = 0;
  int32_t list_slot = -1;  // index in batch->lists, -1 when not yet in this batch
  bool top_array = false;  // the array is a top-level array, not "items"
  // Comma structure of the array being framed: an element must be followed by
  // ',' or ']', and a ',' by an element.
  bool arr_after_elem = false;
  bool arr_after_comma = false;
  bool produced_anything = false;  // any span, list or error in the whole input
  uint64_t array_start = 0;
  uint64_t item_index = 0;

  // The element or nested value being scanned.
  uint64_t item_start = 0;
  bool item_retained = false;
  ScanState scan;
  IndexState index;                         // of an indexed item (kScanItem, kept)
  size_t item_structurals_begin = 0;        // its first position in batch->structurals
  std::vector<uint32_t> carry_structurals;  // of an indexed item carried into the next batch
  uint64_t scan_resume = 0;
  bool skipping_element = false;  // kSkipNested is skipping a non-object array element

  // kSkipToken state.
  bool skip_is_string = false;
  bool skip_escape = false;
  Mode skip_then = Mode::kTopValue;

  const char* buf() const { return batch->bytes.data(); }
  uint64_t end() const { return base + batch->bytes.size(); }
  char At(uint64_t abs) const { return buf()[abs - base]; }
  // The item being scanned is kept and gets stage 1 done here.
  bool IndexingItem() const {
    return options.index_items && mode == Mode::kScanItem && item_retained;
  }

  void Error(uint64_t offset, uint64_t index, std::string message) {
    if (pending_list) pending_error_slots.push_back(batch->errors.size());
    batch->errors.push_back({offset, index, std::move(message)});
  }

  bool Next(FramedBatch* out);
  size_t ReadMore();
  void Frame();
  uint64_t KeepFrom() const;
  void Finish();

  bool StepDetect();
  bool StepTopValue();
  bool StepResync();
  bool StepObjKey();
  bool StepObjColon();
  bool StepObjValue();
  bool StepArrElem();
  bool StepScan();
  bool StepSkipToken();
  void SkipToken(bool is_string, Mode then);

  bool SkipSpaces();
  uint64_t StringEnd(uint64_t quote) const;
  uint64_t ScalarEnd(uint64_t from) const;
  int32_t ListSlot();
  void StartList(uint64_t offset, bool top_level);
  void NewList();
  void BeginScan(uint64_t start, bool retain);
  void CloseObject(uint64_t close_end);
  void StartItems();
  void ResolveKind(ObjKind kind);
  void DropPendingItems();
  std::string NotAListMessage() const;
};

}  // namespace gatescan
