// framer.cc — the framer's state machine: object boundaries in a JSON (or
// YAML-converted) byte stream.
//
// A small resumable state machine walks only the top of the stream:
// top-level values, the depth-1 keys of a top-level object (to find "items",
// "kind", "apiVersion") and the elements of an items array. Everything below
// that — the bodies of items and of nested header values, where nearly all
// bytes are — is skipped by the active scan kernel (scan_kernel.h), whose
// state is carried between blocks and between batches, so an object
// straddling reads is never rescanned; only its bytes are carried into the
// next batch. Buffers are in padded_buffer.cc, YAML conversion in
// yaml_feeder.cc.
#include "gatescan/input/framer.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "gatescan/common/quote.h"
#include "gatescan/input/scan_kernel.h"
#include "yaml_feeder.h"

namespace gatescan {
namespace {

// Longer header keys and kind/apiVersion values are skipped, not compared.
constexpr uint64_t kMaxInterestingKey = 256;
constexpr uint64_t kMaxInterestingValue = 64 << 10;

inline bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Decodes a header string (a key, or a kind/apiVersion value) as Go does. A
// string with an escape JSON does not have is kept undecoded: the object is
// not valid JSON, and the extractor reports it; only a valid key may name
// "items", "kind" or "apiVersion".
std::string DecodeHeaderString(std::string_view raw) {
  if (raw.find('\\') == std::string_view::npos) return std::string(raw);
  std::string out;
  if (!AppendJsonUnescapedLikeGo(raw, &out)) return std::string(raw);
  return out;
}

}  // namespace

// The framer proper. All positions are absolute offsets in the (decompressed,
// or for YAML converted) stream; base_ is the offset of the batch's byte 0.

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
  std::unique_ptr<YamlFeeder> yaml;
  std::vector<size_t> yaml_error_slots;  // batch errors that came from the YAML converter

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
  void MapToYamlOffsets();

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

bool Framer::Impl::SkipSpaces() {
  const char* b = buf();
  uint64_t e = end();
  while (pos < e && IsSpace(b[pos - base])) ++pos;
  return pos < e;
}

// Offset just past the closing quote of the string opening at `quote`, or
// kNotFound when it is not complete in the buffer.
uint64_t Framer::Impl::StringEnd(uint64_t quote) const {
  const char* b = buf();
  uint64_t e = end();
  for (uint64_t i = quote + 1; i < e; ++i) {
    char c = b[i - base];
    if (c == '\\') {
      ++i;
    } else if (c == '"') {
      return i + 1;
    }
  }
  return kNotFound;
}

// End of a number or literal; kNotFound if it may continue past the buffer.
uint64_t Framer::Impl::ScalarEnd(uint64_t from) const {
  const char* b = buf();
  uint64_t e = end();
  for (uint64_t i = from; i < e; ++i) {
    char c = b[i - base];
    if (IsSpace(c) || c == ',' || c == '}' || c == ']' || c == ':' || c == '{' || c == '[' ||
        c == '"') {
      return i;
    }
  }
  return eof ? e : kNotFound;
}

int32_t Framer::Impl::ListSlot() {
  if (list_slot < 0) {
    list_slot = static_cast<int32_t>(batch->lists.size());
    batch->lists.push_back(list);
  }
  return list_slot;
}

void Framer::Impl::StartList(uint64_t offset, bool top_level) {
  // A second "items" key in one object continues the same list and index
  // (the Go decoder would keep only the last array; we frame both).
  if (top_level || !obj_is_list) NewList();
  top_array = top_level;
  array_start = offset;
  arr_after_elem = false;
  arr_after_comma = false;
  mode = Mode::kArrElem;
}

// kind/apiVersion seen before "items" were recorded into `list` already and
// are kept; a new top-level value clears them.
void Framer::Impl::NewList() {
  list.header_complete = false;
  list.list_id = next_list_id++;
  list_slot = -1;
  item_index = 0;
}

void Framer::Impl::BeginScan(uint64_t start, bool retain) {
  item_start = start;
  item_retained = retain;
  scan = ScanState{};
  index = IndexState{};
  item_structurals_begin = batch->structurals.size();
  scan_resume = start;
}

void Framer::Impl::CloseObject(uint64_t close_end) {
  // No kind (or only kinds read before): whatever the items were, the object
  // is not a List.
  if (obj_kind == ObjKind::kUnknown && (pending_list || assumed_list)) {
    ResolveKind(ObjKind::kNotList);
  }
  if (obj_is_list) {
    list.header_complete = true;
    batch->lists[ListSlot()] = list;
  } else if (obj_retained) {
    uint64_t length = close_end - obj_start;
    if (length > options.max_object_bytes) {
      Error(obj_start, obj_index,
            "object of " + std::to_string(length) + " bytes exceeds --max-object-bytes (" +
                std::to_string(options.max_object_bytes) + ")");
    } else {
      batch->spans.push_back({static_cast<uint32_t>(obj_start - base),
                              static_cast<uint32_t>(length), obj_start, obj_index, -1});
    }
  } else {
    Error(obj_start, obj_index,
          "object exceeds --max-object-bytes (" + std::to_string(options.max_object_bytes) + ")");
  }
  obj_retained = false;
  mode = Mode::kTopValue;
}

// At an "items" key of an object still in the running to be a List.
void Framer::Impl::StartItems() {
  if (obj_kind != ObjKind::kUnknown) {
    obj_retained = false;  // a List: its items are the objects
    return;
  }
  if (pending_list || assumed_list) return;  // a second "items" key
  if (!obj_retained) {
    assumed_list = true;  // already too large to be kept
    return;
  }
  pending_list = true;
  pending_first_span = batch->spans.size();
  pending_first_list = batch->lists.size();
  pending_first_structural = batch->structurals.size();
  pending_error_slots.clear();
}

// The object's "kind" was read (or found not to be a string).
void Framer::Impl::ResolveKind(ObjKind kind) {
  const ObjKind before = obj_kind;
  obj_kind = kind;
  if (pending_list) {
    pending_list = false;
    if (kind == ObjKind::kList) {
      obj_retained = false;
    } else {
      DropPendingItems();
    }
  } else if (assumed_list && kind != ObjKind::kList) {
    assumed_list = false;
    Error(obj_start, obj_index, NotAListMessage());
  } else if (before != ObjKind::kUnknown && before != kind && items_seen) {
    // Go keeps the last of duplicate keys; the items were already framed (or
    // skipped) by the first.
    Error(obj_start, obj_index,
          "\"kind\" given twice, once as a List and once not: items not reviewed as either");
    obj_retained = false;
    obj_is_list = true;
  }
}

std::string Framer::Impl::NotAListMessage() const {
  return std::string("object ") +
         (obj_kind == ObjKind::kNotList && !list.kind.empty() ? "of kind \"" + list.kind + "\""
                                                              : "without a List kind") +
         " has an items array and exceeded " + std::to_string(options.max_pending_kind_bytes) +
         " bytes before its kind was read: its items were reviewed as a List's, the object "
         "itself was not";
}

// The pending items were an ordinary value of an object that is not a List:
// they and the errors about them are forgotten, and the object is kept whole.
void Framer::Impl::DropPendingItems() {
  batch->spans.resize(pending_first_span);
  batch->structurals.set_size(pending_first_structural);
  if (list_slot >= 0 && static_cast<size_t>(list_slot) >= pending_first_list) {
    batch->lists.resize(pending_first_list);
    list_slot = -1;
  }
  for (auto slot = pending_error_slots.rbegin(); slot != pending_error_slots.rend(); ++slot) {
    batch->errors.erase(batch->errors.begin() + static_cast<std::ptrdiff_t>(*slot));
    for (size_t& yaml_slot : yaml_error_slots) yaml_slot -= yaml_slot > *slot ? 1 : 0;
  }
  pending_error_slots.clear();
  obj_is_list = false;
}

bool Framer::Impl::StepDetect() {
  // Skip a UTF-8 BOM, then whitespace; the first byte decides the format.
  if (pos == 0 && end() - pos < 3 && !eof) return false;
  if (pos == 0 && base == 0 && end() >= 3 && std::memcmp(buf(), "\xEF\xBB\xBF", 3) == 0) pos = 3;
  if (!SkipSpaces()) return false;
  char c = At(pos);
  if (c == '{' || c == '[') {
    mode = Mode::kTopValue;
    return true;
  }
  // YAML: hand everything read so far to the converter and reframe its output.
  std::string prefix(buf() + (pos - base), end() - pos);
  yaml = std::make_unique<YamlFeeder>(source.get(), std::move(prefix), pos);
  batch->bytes.clear();
  base = 0;
  pos = 0;
  mode = Mode::kTopValue;
  return true;
}

bool Framer::Impl::StepTopValue() {
  if (!SkipSpaces()) return false;
  char c = At(pos);
  if (c == '{' || c == '[') {
    list = ListInfo{};
    list_slot = -1;
  }
  if (c == '{') {
    obj_start = pos;
    obj_index = value_index++;
    obj_retained = true;
    obj_is_list = false;
    obj_kind = ObjKind::kUnknown;
    items_seen = false;
    pending_list = false;
    assumed_list = false;
    ++pos;
    mode = Mode::kObjKey;
  } else if (c == '[') {
    value_index++;
    StartList(pos, /*top_level=*/true);
    ++pos;
  } else {
    Error(pos, value_index++,
          std::string("unexpected ") + (c == '"' ? "string" : "value") +
              " at top level (expected an object or array)");
    mode = Mode::kResync;
  }
  return true;
}

bool Framer::Impl::StepResync() {
  const char* b = buf();
  uint64_t e = end();
  while (pos < e) {
    const void* nl = std::memchr(b + (pos - base), '\n', e - pos);
    if (nl == nullptr) {
      pos = e;
      return false;
    }
    uint64_t newline = static_cast<const char*>(nl) - b + base;
    uint64_t p = newline + 1;
    while (p < e && (b[p - base] == ' ' || b[p - base] == '\t' || b[p - base] == '\r')) ++p;
    if (p == e && !eof) {
      pos = newline;  // decide once the line's first byte is here
      return false;
    }
    pos = newline + 1;
    if (p < e && b[p - base] == '{') {
      pos = p;
      mode = Mode::kTopValue;
      return true;
    }
  }
  return false;
}

bool Framer::Impl::StepObjKey() {
  // Commas are not checked: the framer finds boundaries; the extractor validates.
  while (SkipSpaces() && At(pos) == ',') ++pos;
  if (pos >= end()) return false;
  char c = At(pos);
  if (c == '}') {
    ++pos;
    CloseObject(pos);
    return true;
  }
  if (c != '"') {
    Error(pos, obj_index, "malformed object: expected a key");
    mode = Mode::kResync;
    obj_retained = false;
    pending_list = false;  // a broken object: its items stay, as a List's
    return true;
  }
  uint64_t key_end = StringEnd(pos);
  if (key_end == kNotFound) {
    if (end() - pos > kMaxInterestingKey) {
      // Too long to be "items", "kind" or "apiVersion", even fully escaped.
      pending_key = Key::kOther;
      SkipToken(/*is_string=*/true, Mode::kObjColon);
      return true;
    }
    if (eof) pos = end();
    return false;
  }
  std::string key =
      DecodeHeaderString(std::string_view(buf() + (pos + 1 - base), key_end - pos - 2));
  pending_key = key == "items"        ? Key::kItems
                : key == "kind"       ? Key::kKind
                : key == "apiVersion" ? Key::kApiVersion
                                      : Key::kOther;
  pos = key_end;
  mode = Mode::kObjColon;
  return true;
}

bool Framer::Impl::StepObjColon() {
  if (!SkipSpaces()) return false;
  if (At(pos) == ':') ++pos;
  mode = Mode::kObjValue;
  return true;
}

bool Framer::Impl::StepObjValue() {
  if (!SkipSpaces()) return false;
  char c = At(pos);
  if (c == '}' || c == ',') {  // a missing value; let the key state handle the byte
    mode = Mode::kObjKey;
    return true;
  }
  // The items of an object that is not a List are an ordinary value of it.
  if (pending_key == Key::kItems) items_seen = true;
  if (pending_key == Key::kItems && obj_kind == ObjKind::kNotList) pending_key = Key::kOther;
  if (pending_key == Key::kItems) {
    if (c == '[') {
      StartItems();
      StartList(pos, /*top_level=*/false);
      obj_is_list = true;
      ++pos;
      return true;
    }
    if (c == 'n') {
      uint64_t literal_end = ScalarEnd(pos);
      if (literal_end == kNotFound && end() - pos <= 4) return false;
      if (literal_end - pos == 4 && std::memcmp(buf() + (pos - base), "null", 4) == 0) {
        StartItems();
        obj_is_list = true;  // items: null is an empty list
        pos = literal_end;
        NewList();
        mode = Mode::kObjKey;
        return true;
      }
    }
    StartItems();
    Error(pos, obj_index, "items is not an array");
    obj_is_list = true;
    NewList();
    pending_key = Key::kOther;
    // fall through to skip the value
  }
  if (pending_key == Key::kKind && c != '"') ResolveKind(ObjKind::kNotList);  // not a string
  if (c == '{' || c == '[') {
    BeginScan(pos, false);
    mode = Mode::kSkipNested;
    return true;
  }
  if (c == '"' && (pending_key == Key::kKind || pending_key == Key::kApiVersion)) {
    uint64_t value_end = StringEnd(pos);
    if (value_end == kNotFound) {
      if (end() - pos <= kMaxInterestingValue && !eof) return false;
      if (pending_key == Key::kKind) ResolveKind(ObjKind::kNotList);
      SkipToken(/*is_string=*/true, Mode::kObjKey);  // absurdly long: not a kind
      return true;
    }
    std::string value =
        DecodeHeaderString(std::string_view(buf() + (pos + 1 - base), value_end - pos - 2));
    const bool is_kind = pending_key == Key::kKind;
    const bool list_kind = value.size() >= 4 && value.ends_with("List");
    (is_kind ? list.kind : list.api_version) = std::move(value);
    if (list_slot >= 0) batch->lists[list_slot] = list;
    if (is_kind) ResolveKind(list_kind ? ObjKind::kList : ObjKind::kNotList);
    pos = value_end;
    mode = Mode::kObjKey;
    return true;
  }
  SkipToken(c == '"', Mode::kObjKey);
  return true;
}

bool Framer::Impl::StepArrElem() {
  if (!SkipSpaces()) return false;
  char c = At(pos);
  if (c == ',') {
    if (!arr_after_elem) Error(pos, item_index, "malformed list: unexpected ',' in array");
    ++pos;
    arr_after_elem = false;
    arr_after_comma = true;
    return true;
  }
  if (c != ']' && c != '}' && arr_after_elem) {
    Error(pos, item_index, "malformed list: missing ',' between items");
  }
  if (c == ']' && arr_after_comma) Error(pos, item_index, "malformed list: trailing ',' in array");
  arr_after_comma = false;
  arr_after_elem = c != ']' && c != '}';
  if (c == ']') {
    ++pos;
    if (top_array) {
      list.header_complete = true;
      batch->lists[ListSlot()] = list;
      mode = Mode::kTopValue;
    } else {
      mode = Mode::kObjKey;
    }
    return true;
  }
  if (c == '{') {
    BeginScan(pos, true);
    mode = Mode::kScanItem;
    return true;
  }
  if (c == '}' && !top_array) {
    // "items": [ ... } — the array was never closed.
    Error(pos, obj_index, "malformed list: items array not closed");
    ++pos;
    CloseObject(pos);
    return true;
  }
  Error(pos, item_index, "item " + std::to_string(item_index) + " is not an object");
  ++item_index;
  if (c == '[') {
    BeginScan(pos, false);
    skipping_element = true;
    mode = Mode::kSkipNested;
    return true;
  }
  SkipToken(c == '"', Mode::kArrElem);
  return true;
}

void Framer::Impl::SkipToken(bool is_string, Mode then) {
  skip_is_string = is_string;
  skip_escape = false;
  skip_then = then;
  ++pos;  // the opening quote, or the first byte of a scalar (so that progress is made)
  mode = Mode::kSkipToken;
}

// Consumes a string or scalar without keeping its bytes, however long it is.
bool Framer::Impl::StepSkipToken() {
  const char* b = buf();
  uint64_t e = end();
  if (skip_is_string) {
    // Byte at a time: only top-of-stream strings come here, never item bodies.
    for (; pos < e; ++pos) {
      char c = b[pos - base];
      if (skip_escape) {
        skip_escape = false;
      } else if (c == '\\') {
        skip_escape = true;
      } else if (c == '"') {
        ++pos;
        mode = skip_then;
        return true;
      }
    }
    return false;
  }
  while (pos < e) {
    char c = b[pos - base];
    if (IsSpace(c) || c == ',' || c == '}' || c == ']' || c == ':' || c == '{' || c == '[' ||
        c == '"') {
      mode = skip_then;
      return true;
    }
    ++pos;
  }
  if (eof) mode = skip_then;
  return eof;
}

bool Framer::Impl::StepScan() {
  uint64_t resume_rel = scan_resume - base;
  const bool is_item = mode == Mode::kScanItem;
  const bool indexing = IndexingItem();
  uint64_t found;
  if (indexing) {
    PositionBuffer& positions = batch->structurals;
    uint32_t* tail = positions.Reserve(batch->bytes.size() - resume_rel + 128);
    found = kernel.index(buf(), batch->bytes.size(), &resume_rel, &scan, &index, item_start - base,
                         &tail);
    positions.set_size(static_cast<size_t>(tail - positions.data()));
  } else {
    found = kernel.scan(buf(), batch->bytes.size(), &resume_rel, &scan);
  }
  scan_resume = resume_rel + base;
  if (found == kNotFound) {
    pos = end();
    if (is_item && item_retained && end() - item_start > options.max_object_bytes) {
      Error(item_start, item_index,
            "object exceeds --max-object-bytes (" + std::to_string(options.max_object_bytes) +
                "); skipped");
      item_retained = false;
      batch->structurals.set_size(item_structurals_begin);
    }
    return false;
  }
  uint64_t value_end = found + base;
  pos = value_end;
  if (!is_item) {
    // A skipped nested value ends either a header value or a non-object element.
    mode = skipping_element ? Mode::kArrElem : Mode::kObjKey;
    skipping_element = false;
    return true;
  }
  uint64_t length = value_end - item_start;
  if (item_retained) {
    if (length > options.max_object_bytes) {
      Error(item_start, item_index,
            "object of " + std::to_string(length) + " bytes exceeds --max-object-bytes (" +
                std::to_string(options.max_object_bytes) + "); skipped");
    } else {
      ObjectSpan span{static_cast<uint32_t>(item_start - base), static_cast<uint32_t>(length),
                      item_start, item_index, ListSlot()};
      if (indexing) {
        PositionBuffer& positions = batch->structurals;
        span.structurals_begin = static_cast<uint32_t>(item_structurals_begin);
        span.structurals_count = static_cast<uint32_t>(positions.size() - item_structurals_begin);
        span.control_in_string = index.control_in_string;
        span.ascii = !index.non_ascii;
        // What stage 1 writes after the last position.
        uint32_t* sentinels = positions.Reserve(3);
        sentinels[0] = sentinels[1] = span.length;
        sentinels[2] = 0;
        positions.set_size(positions.size() + 3);
      }
      batch->spans.push_back(span);
    }
  }
  ++item_index;
  mode = Mode::kArrElem;
  return true;
}

size_t Framer::Impl::ReadMore() {
  PaddedBuffer& bytes = batch->bytes;
  size_t old = bytes.size();
  bytes.resize(old + options.read_bytes);
  Status error;
  size_t n;
  if (yaml != nullptr) {
    uint64_t raw = 0;
    size_t errors_before = batch->errors.size();
    n = yaml->Read(bytes.data() + old, options.read_bytes, &batch->errors, &error, &raw);
    for (size_t i = errors_before; i < batch->errors.size(); ++i) yaml_error_slots.push_back(i);
    batch->input_bytes += raw;
  } else {
    n = source->Read(bytes.data() + old, options.read_bytes, &error);
    batch->input_bytes += n;
  }
  bytes.resize(old + n);
  if (!error.ok()) {
    Error(end(), 0, error.message());
    read_failed = true;
    return 0;
  }
  return n;
}

void Framer::Impl::Frame() {
  for (bool progressed = true; progressed;) {
    switch (mode) {
      case Mode::kDetect:
        progressed = StepDetect();
        break;
      case Mode::kTopValue:
        progressed = StepTopValue();
        break;
      case Mode::kResync:
        progressed = StepResync();
        break;
      case Mode::kObjKey:
        progressed = StepObjKey();
        break;
      case Mode::kObjColon:
        progressed = StepObjColon();
        break;
      case Mode::kObjValue:
        progressed = StepObjValue();
        break;
      case Mode::kArrElem:
        progressed = StepArrElem();
        break;
      case Mode::kScanItem:
      case Mode::kSkipNested:
        progressed = StepScan();
        break;
      case Mode::kSkipToken:
        progressed = StepSkipToken();
        break;
      case Mode::kDone:
        progressed = false;
        break;
    }
  }
  // Items whose kind is still unknown past the bound are handed out as a
  // List's (see pending_list).
  if (pending_list && end() - obj_start > options.max_pending_kind_bytes) {
    pending_list = false;
    assumed_list = true;
    obj_retained = false;
  }
  // A top-level object that is still a candidate single object but already too
  // large is no longer kept; its end is still found, then reported.
  if (obj_retained && end() - obj_start > options.max_object_bytes) obj_retained = false;
}

// The first byte still needed: the start of a kept object or unfinished token,
// or the scanner's resume point when the bytes are only being skipped.
uint64_t Framer::Impl::KeepFrom() const {
  uint64_t keep = pos;
  if (mode == Mode::kScanItem || mode == Mode::kSkipNested) {
    keep = item_retained ? item_start : scan_resume;
  }
  if (obj_retained) keep = std::min(keep, obj_start);
  return keep;
}

void Framer::Impl::Finish() {
  if (mode == Mode::kSkipToken) mode = skip_then;  // an unterminated string
  // A truncated object's kind is unknown: its items stay, beside the
  // truncation error, as they did before kinds were told apart.
  pending_list = false;
  if (!read_failed) {
    auto truncated = [&](const char* what, uint64_t offset, uint64_t index) {
      Error(offset, index,
            std::string("truncated: unterminated ") + what + " starting at offset " +
                std::to_string(offset));
    };
    switch (mode) {
      case Mode::kScanItem:
        truncated("object", item_start, item_index);
        break;
      case Mode::kSkipNested:
        if (skipping_element) {
          truncated("array", item_start, item_index);
        } else {
          truncated("object", obj_start, obj_index);
        }
        break;
      case Mode::kObjKey:
      case Mode::kObjColon:
      case Mode::kObjValue:
        truncated("object", obj_start, obj_index);
        break;
      case Mode::kArrElem:
        if (top_array) {
          truncated("array", array_start, item_index);
        } else {
          truncated("object", obj_start, obj_index);
        }
        break;
      default:
        break;
    }
  }
  mode = Mode::kDone;
  produced_anything =
      produced_anything || !batch->spans.empty() || !batch->errors.empty() || !batch->lists.empty();
  if (!produced_anything && !read_failed) {
    // An empty dump is far more often a failed `kubectl get` than a clean cluster.
    Error(
        0, 0,
        "no Kubernetes object found: the input is empty or holds no JSON object or YAML document");
  }
}

// For YAML input, spans and framing errors point at the YAML document they
// came from (the converted JSON stream is never seen by users). Conversion
// errors already carry YAML offsets.
void Framer::Impl::MapToYamlOffsets() {
  for (ObjectSpan& span : batch->spans) span.input_offset = yaml->YamlOffset(span.input_offset);
  size_t next_slot = 0;
  for (size_t i = 0; i < batch->errors.size(); ++i) {
    if (next_slot < yaml_error_slots.size() && yaml_error_slots[next_slot] == i) {
      ++next_slot;
      continue;
    }
    batch->errors[i].input_offset = yaml->YamlOffset(batch->errors[i].input_offset);
  }
}

bool Framer::Impl::Next(FramedBatch* out) {
  out->Reset();
  out->input = &input;
  if (mode == Mode::kDone) return false;
  batch = out;
  if (!KernelOverrideError().empty()) {
    // Scanning with another kernel than the one asked for would test, or
    // time, the wrong thing.
    Error(0, 0, KernelOverrideError());
    mode = Mode::kDone;
    batch = nullptr;
    return true;
  }
  list_slot = -1;
  yaml_error_slots.clear();
  out->bytes.resize(carry.size());
  if (carry.size() > 0) std::memcpy(out->bytes.data(), carry.data(), carry.size());
  base = carry_offset;
  // The positions of an indexed item carried over (maybe none yet) come first.
  uint32_t* carried = out->structurals.Reserve(carry_structurals.size());
  // memcpy from an empty vector's null data() is undefined, even for 0 bytes.
  if (!carry_structurals.empty()) {
    std::memcpy(carried, carry_structurals.data(), carry_structurals.size() * sizeof(uint32_t));
  }
  out->structurals.set_size(carry_structurals.size());
  item_structurals_begin = 0;
  carry_structurals.clear();
  for (;;) {
    if (!eof && ReadMore() == 0) eof = true;
    Frame();
    if (eof) {
      Finish();
      break;
    }
    bool has_output = !out->spans.empty() || !out->errors.empty() || !out->lists.empty();
    if (has_output && out->bytes.size() >= options.batch_bytes && !pending_list) break;
    if (out->spans.empty()) {
      // Nothing refers to the bytes before the keep point: drop them, so that
      // a huge skipped object or a long stretch of garbage needs no memory.
      uint64_t keep = KeepFrom();
      if (keep > base) {
        size_t drop = keep - base;
        size_t rest = out->bytes.size() - drop;
        std::memmove(out->bytes.data(), out->bytes.data() + drop, rest);
        out->bytes.resize(rest);
        base = keep;
      }
    }
  }
  produced_anything =
      produced_anything || !out->spans.empty() || !out->errors.empty() || !out->lists.empty();
  if (yaml != nullptr) MapToYamlOffsets();
  uint64_t keep = mode == Mode::kDone ? end() : KeepFrom();
  carry.resize(end() - keep);
  if (carry.size() > 0) std::memcpy(carry.data(), buf() + (keep - base), carry.size());
  carry_offset = keep;
  // An indexed item that straddles the batches keeps the positions found so
  // far: they are relative to the item's start, which is carried with it.
  if (IndexingItem()) {
    const uint32_t* from = out->structurals.data() + item_structurals_begin;
    const uint32_t* to = out->structurals.data() + out->structurals.size();
    carry_structurals.assign(from, to);
    out->structurals.set_size(item_structurals_begin);
  }
  if (yaml != nullptr) yaml->Prune(keep);
  batch = nullptr;
  // A batch that only consumed input (trailing whitespace) is still returned
  // so that input_bytes adds up to the input size.
  return !out->spans.empty() || !out->errors.empty() || !out->lists.empty() || out->input_bytes > 0;
}

Framer::Framer(const InputSpec& input, std::unique_ptr<ByteSource> source, FramerOptions options)
    : impl_(std::make_unique<Impl>(input, std::move(source), options)) {}

Framer::~Framer() = default;

bool Framer::Next(FramedBatch* batch) { return impl_->Next(batch); }

}  // namespace gatescan
