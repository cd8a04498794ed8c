// framer_grammar.cc — the framer's resumable state machine over the top of
// the stream: top-level values, the depth-1 keys of a top-level object (to
// find "items", "kind", "apiVersion") and the elements of an items array.
// Each Step consumes what it can of the bytes read so far and returns false
// when it needs more. Everything below that — the bodies of items and of
// nested header values, where nearly all bytes are — is skipped by the active
// scan kernel (StepScan), whose state is carried between blocks and batches.
#include <cstring>
#include <string>
#include <string_view>

#include "framer_impl.h"
#include "gatescan/common/quote.h"

namespace gatescan {
namespace {

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
  // YAML: the YAML framer takes over with everything read so far.
  yaml_framer = std::make_unique<YamlFramer>(source.get(),
                                             std::string_view(buf() + (pos - base), end() - pos),
                                             pos, batch->input_bytes, options);
  mode = Mode::kDone;
  return false;
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
        span.backslash_end = static_cast<uint32_t>(index.backslash_end);
        span.simple_escapes = !index.unusual_escape;
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

}  // namespace gatescan
