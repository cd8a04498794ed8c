#include "gatescan/input/yaml_framer.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "gatescan/common/bytes16.h"
#include "gatescan/common/quote.h"
#include "gatescan/input/yaml_item.h"

namespace gatescan {
namespace {

// What the framer needs to know of one line: its indentation and how it starts.
struct LineShape {
  size_t indent = 0;
  bool blank = false;      // only spaces or tabs
  bool comment = false;    // first non-space is '#'
  bool seq_entry = false;  // "- ..." or a lone "-"
  bool doc_start = false;  // "---" at column 1
  bool doc_end = false;    // "..." at column 1
  bool root_key = false;   // a plain key at column 1: "name:" or "name: value"
  std::string_view key;
  bool empty_value = false;  // root_key with nothing (or a comment) after the ':'
};

bool IsMarker(std::string_view line, char c) {
  return line.size() >= 3 && line[0] == c && line[1] == c && line[2] == c &&
         (line.size() == 3 || line[3] == ' ' || line[3] == '\t');
}

LineShape Shape(std::string_view line) {
  LineShape s;
  while (s.indent < line.size() && line[s.indent] == ' ') ++s.indent;
  size_t i = s.indent;
  while (i < line.size() && line[i] == '\t') ++i;
  if (i == line.size()) {
    s.blank = true;
    return s;
  }
  const char c = line[s.indent];
  s.comment = c == '#';
  s.seq_entry = c == '-' && (s.indent + 1 == line.size() || line[s.indent + 1] == ' ');
  if (s.indent > 0 || s.comment) return s;
  s.doc_start = IsMarker(line, '-');
  s.doc_end = IsMarker(line, '.');
  if (s.seq_entry || s.doc_start || s.doc_end) return s;
  if (std::strchr("[]{},#&*!|>'\"%@`?:-\t", c) != nullptr) return s;
  for (size_t j = 1; j < line.size(); ++j) {
    if (line[j] == '#' && (line[j - 1] == ' ' || line[j - 1] == '\t')) return s;
    if (line[j] == ':' && (j + 1 == line.size() || line[j + 1] == ' ')) {
      size_t end = j;
      while (end > 0 && line[end - 1] == ' ') --end;
      s.root_key = true;
      s.key = line.substr(0, end);
      size_t v = j + 1;
      while (v < line.size() && (line[v] == ' ' || line[v] == '\t')) ++v;
      s.empty_value = v == line.size() || line[v] == '#';
      return s;
    }
  }
  return s;
}

// The string value of a one-key header line ("kind: PodList"), or false when
// the value is not a string.
bool HeaderString(std::string_view line, std::string* value) {
  std::string yaml(line);
  yaml.push_back('\n');
  std::string json;
  std::string error;
  if (ConvertYamlSpan(yaml, false, 1, &json, &error) != YamlSpanResult::kOk) return false;
  // {"key":"value"}: the value's literal runs from the first '":' to the '}'.
  const size_t colon = json.find("\":");
  if (colon == std::string::npos || json.size() < colon + 5 || json[colon + 2] != '"') return false;
  value->clear();
  return AppendJsonUnescapedLikeGo(
      std::string_view(json).substr(colon + 3, json.size() - colon - 3 - 2), value);
}

}  // namespace

struct YamlFramer::Impl {
  enum class State {
    kDocStart,  // no content yet in this document
    kHeader,    // a root mapping, outside its items
    kItems,     // inside the items sequence
    kResync,    // after a damaged line: skipping to the next item
    kWholeDoc,  // a document that is one span
  };

  Impl(ByteSource* src, std::string_view prefix, uint64_t prefix_offset,
       uint64_t prefix_input_bytes, FramerOptions opts)
      : source(src), options(opts) {
    options.batch_bytes = std::clamp<size_t>(options.batch_bytes, 1, size_t{256} << 20);
    options.read_bytes = std::clamp<size_t>(options.read_bytes, 1, size_t{256} << 20);
    options.max_object_bytes = std::min<size_t>(options.max_object_bytes, size_t{3} << 30);
    carry.resize(prefix.size());
    if (!prefix.empty()) std::memcpy(carry.data(), prefix.data(), prefix.size());
    carry_offset = prefix_offset;
    scan = prefix_offset;
    pending_input_bytes = prefix_input_bytes;
  }

  ByteSource* source;
  FramerOptions options;
  PaddedBuffer carry;
  uint64_t carry_offset = 0;
  uint64_t pending_input_bytes = 0;
  bool eof = false;
  bool done = false;
  bool produced = false;
  bool last_byte_newline = false;

  FramedBatch* batch = nullptr;
  uint64_t base = 0;  // input offset of batch->bytes[0]
  uint64_t scan = 0;  // start of the next line to look at
  uint64_t line = 1;  // its line number
  State state = State::kDocStart;

  // The current document.
  uint64_t doc_start = 0;
  uint64_t doc_line = 0;
  uint64_t doc_index = 0;
  bool doc_content = false;  // kWholeDoc: more than directives seen
  bool doc_too_big = false;
  bool is_list = false;
  bool items_pending = false;  // "items:" with its value on the next lines
  bool saw_kind = false;
  size_t items_col = 0;
  std::string header;
  std::vector<uint64_t> header_lines;  // input line of each header line
  bool header_too_big = false;
  ListInfo list;
  uint64_t next_list_id = 0;
  int32_t list_slot = -1;

  // The current item.
  bool item_open = false;
  bool item_too_big = false;
  uint64_t item_start = 0;
  uint64_t item_line = 0;
  size_t item_col = 0;
  uint64_t item_index = 0;

  char* buf() { return batch->bytes.data(); }
  uint64_t end() const { return base + batch->bytes.size(); }

  void Error(uint64_t offset, uint64_t index, std::string message) {
    batch->errors.push_back({offset, index, std::move(message)});
  }
  static std::string At(uint64_t line_no, size_t column) {
    return "YAML: line " + std::to_string(line_no) + ", column " + std::to_string(column) + ": ";
  }

  int32_t ListSlot() {
    if (list_slot < 0) {
      list_slot = static_cast<int32_t>(batch->lists.size());
      batch->lists.push_back(list);
    }
    return list_slot;
  }

  void AddSpan(uint64_t from, uint64_t to, uint64_t index, int32_t list_index,
               uint64_t first_line) {
    ObjectSpan span;
    span.begin = static_cast<uint32_t>(from - base);
    span.length = static_cast<uint32_t>(to - from);
    span.input_offset = from;
    span.index = index;
    span.list = list_index;
    span.yaml_line = first_line;
    batch->spans.push_back(span);
  }

  void StartItem(uint64_t ls, size_t col) {
    item_open = true;
    item_too_big = false;
    item_start = ls;
    item_line = line;
    item_col = col;
  }

  void EndItem(uint64_t to) {
    if (!item_open) return;
    item_open = false;
    if (item_too_big) {
      Error(item_start, item_index,
            At(item_line, item_col + 1) + "item exceeds --max-object-bytes (" +
                std::to_string(options.max_object_bytes) + ")");
    } else {
      AddSpan(item_start, to, item_index, ListSlot(), item_line);
    }
    ++item_index;
  }

  void StartDoc(uint64_t ls, State next) {
    state = next;
    doc_start = ls;
    doc_line = line;
    doc_content = false;
    doc_too_big = false;
    is_list = false;
    items_pending = false;
    saw_kind = false;
    header.clear();
    header_lines.clear();
    header_too_big = false;
  }

  void AppendHeader(std::string_view text) {
    if (header_too_big) return;
    if (header.size() + text.size() + 1 > options.max_object_bytes) {
      header_too_big = true;
      return;
    }
    header.append(text);
    header.push_back('\n');
    header_lines.push_back(line);
  }

  // Ends the document before offset `to`.
  void EndDoc(uint64_t to) {
    if (state == State::kDocStart) return;
    if (state == State::kItems || state == State::kResync) EndItem(to);
    if (state == State::kWholeDoc || (state == State::kHeader && !is_list)) {
      if (doc_too_big) {
        Error(doc_start, doc_index,
              At(doc_line, 1) + "document exceeds --max-object-bytes (" +
                  std::to_string(options.max_object_bytes) + ")");
      } else {
        AddSpan(doc_start, to, doc_index, -1, doc_line);
      }
      ++doc_index;
    } else if (is_list) {
      FinishList();
      ++doc_index;
    }
    state = State::kDocStart;
  }

  // The List's header (everything but its items) must be valid YAML too.
  void FinishList() {
    if (header_too_big) {
      Error(doc_start, doc_index, At(doc_line, 1) + "the List's header is too large");
    } else {
      std::string json;
      std::string error;
      if (ConvertYamlSpan(header, false, 1, &json, &error) == YamlSpanResult::kError) {
        // "YAML: line N..." names a line of the header text: map it back.
        uint64_t n = 0;
        size_t i = std::strlen("YAML: line ");
        while (i < error.size() && error[i] >= '0' && error[i] <= '9') {
          n = n * 10 + static_cast<uint64_t>(error[i++] - '0');
        }
        const uint64_t input_line =
            n >= 1 && n <= header_lines.size() ? header_lines[n - 1] : doc_line;
        Error(doc_start, doc_index,
              "YAML: line " + std::to_string(input_line) + error.substr(i) + " (in the List)");
      }
    }
    list.header_complete = true;
    if (list_slot >= 0) {
      batch->lists[static_cast<size_t>(list_slot)] = list;
    } else {
      list_slot = static_cast<int32_t>(batch->lists.size());
      batch->lists.push_back(list);
    }
  }

  void BeginList(uint64_t ls, size_t col) {
    is_list = true;
    items_col = col;
    item_index = 0;
    list = ListInfo{};
    list.list_id = next_list_id++;
    list_slot = -1;
    // Header lines seen so far named kind/apiVersion already (HeaderKey).
    list.kind = pending_kind;
    list.api_version = pending_api_version;
    state = State::kItems;
    // The header lines before the items are still in the buffer.
    if (doc_too_big) {
      header_too_big = true;
    } else {
      header.assign(buf() + (doc_start - base), ls - doc_start);
      uint64_t n = doc_line;
      for (char c : header) {
        if (c == '\n') header_lines.push_back(n++);
      }
    }
    StartItem(ls, col);
  }

  std::string pending_kind;
  std::string pending_api_version;

  void HeaderKey(const LineShape& s, std::string_view text) {
    if (s.key == "kind" || s.key == "apiVersion") {
      std::string value;
      const bool is_string = HeaderString(text, &value);
      std::string& slot = s.key == "kind" ? (is_list ? list.kind : pending_kind)
                                          : (is_list ? list.api_version : pending_api_version);
      slot = is_string ? value : std::string();
      if (s.key == "kind") saw_kind = true;
    }
  }

  void Line(uint64_t ls, std::string_view text) {
    const LineShape s = Shape(text);
    for (;;) {
      switch (state) {
        case State::kDocStart:
          if (s.blank || s.comment || s.doc_end) return;
          if (s.doc_start) {
            // "--- # comment" opens the document; "--- value" starts it.
            const LineShape rest = Shape(text.substr(3));
            if (rest.blank || rest.comment) return;
            StartDoc(ls, State::kWholeDoc);
            doc_content = true;
            return;
          }
          if (s.root_key) {
            StartDoc(ls, State::kHeader);
            pending_kind.clear();
            pending_api_version.clear();
            continue;  // handled as a header line
          }
          StartDoc(ls, State::kWholeDoc);
          doc_content = text[s.indent] != '%';
          return;
        case State::kWholeDoc:
          if ((s.doc_start && doc_content) || s.doc_end) {
            EndDoc(ls);
            if (s.doc_start) continue;
            return;
          }
          if (!s.blank && !s.comment && !(s.indent == 0 && text[0] == '%')) doc_content = true;
          return;
        case State::kHeader:
          if (s.doc_start || s.doc_end) {
            EndDoc(ls);
            if (s.doc_start) continue;
            return;
          }
          if (s.blank || s.comment) return;
          if (items_pending) {
            items_pending = false;
            if (s.seq_entry && !is_list) {
              BeginList(ls, s.indent);
              return;
            }
          }
          if (is_list) AppendHeader(text);
          if (s.root_key) {
            items_pending = s.key == "items" && s.empty_value;
            HeaderKey(s, text);
          }
          return;
        case State::kItems:
          if (s.blank || s.comment || s.indent > items_col) return;
          if (s.seq_entry && s.indent == items_col) {
            EndItem(ls);
            StartItem(ls, s.indent);
            return;
          }
          if (s.doc_start || s.doc_end) {
            EndDoc(ls);
            if (s.doc_start) continue;
            return;
          }
          EndItem(ls);
          if (s.root_key) {
            state = State::kHeader;
            continue;
          }
          Error(ls + s.indent, item_index,
                At(line, s.indent + 1) + "expected the next item of `items:` (`- ` at column " +
                    std::to_string(items_col + 1) + ") or a key at column 1");
          state = State::kResync;
          return;
        case State::kResync:
          if (s.blank || s.comment) return;
          if (s.seq_entry && s.indent == items_col) {
            state = State::kItems;
            StartItem(ls, s.indent);
            return;
          }
          if (s.doc_start || s.doc_end || s.root_key) {
            state = State::kItems;
            continue;
          }
          return;
      }
    }
  }

  // Looks at every complete line from `scan`, and at EOF at the last one.
  void ScanLines() {
    const char* b = buf();
    const uint64_t e = end();
    while (scan < e) {
      if (SkipsIndentedLines() && b[scan - base] == ' ') SkipIndentedLines(b, e);
      if (scan >= e) break;
      const char* p = b + (scan - base);
      const void* nl = std::memchr(p, '\n', e - scan);
      size_t len;
      uint64_t next;
      if (nl == nullptr) {
        if (!eof) break;
        len = e - scan;
        next = e;
      } else {
        len = static_cast<size_t>(static_cast<const char*>(nl) - p);
        next = scan + len + 1;
      }
      Line(scan, std::string_view(p, len));
      scan = next;
      ++line;
    }
    // What the current span already holds may exceed the limit: it is then
    // not kept, only its end is sought.
    if (item_open && !item_too_big && e - item_start > options.max_object_bytes)
      item_too_big = true;
    if ((state == State::kWholeDoc || (state == State::kHeader && !is_list)) && !doc_too_big &&
        e - doc_start > options.max_object_bytes) {
      doc_too_big = true;
    }
  }

  // Whether lines that start with a space can change nothing (Line() would
  // return at once): inside items at column 1, or in a document that is one
  // span once it has content. Most lines of a kubectl List are such lines.
  bool SkipsIndentedLines() const {
    return ((state == State::kItems || state == State::kResync) && items_col == 0) ||
           (state == State::kWholeDoc && doc_content);
  }

  // Moves `scan` (at a line starting with a space) past every complete line
  // that starts with a space, 16 bytes at a time, counting lines.
  void SkipIndentedLines(const char* b, uint64_t e) {
    const char* p = b + (scan - base);
    const size_t avail = e - scan;
    size_t k = 0;
    size_t after_last_newline = 0;
    uint64_t lines = 0;
    // The byte after each block is read too; the buffer's padding makes that safe.
    while (k + 17 <= avail) {
      const unsigned nl = Bytes16(p + k).Eq('\n');
      const unsigned sp = Bytes16(p + k + 1).Eq(' ');
      const unsigned stop = nl & ~sp;
      if (stop != 0) {
        const int bit = __builtin_ctz(stop);
        lines += static_cast<uint64_t>(__builtin_popcount(nl & ((2u << bit) - 1)));
        scan += k + static_cast<size_t>(bit) + 1;
        line += lines;
        return;
      }
      if (nl != 0) {
        lines += static_cast<uint64_t>(__builtin_popcount(nl));
        after_last_newline = k + static_cast<size_t>(31 - __builtin_clz(nl)) + 1;
      }
      k += 16;
    }
    scan += after_last_newline;
    line += lines;
  }

  uint64_t KeepFrom() const {
    uint64_t keep = scan;
    if (item_open && !item_too_big) keep = std::min(keep, item_start);
    if ((state == State::kWholeDoc || (state == State::kHeader && !is_list)) && !doc_too_big) {
      keep = std::min(keep, doc_start);
    }
    return keep;
  }

  void Finish() {
    if (state == State::kItems && item_open) {
      // A dump cut off inside its items: no final line break, or a List
      // that never named its kind (kubectl and PyYAML write it after the
      // items). The last item is then not trusted.
      if (!last_byte_newline || !saw_kind) {
        Error(item_start, item_index,
              At(item_line, item_col + 1) + "truncated: the input ends inside item " +
                  std::to_string(item_index) + " of `items:` (at line " + std::to_string(line - 1) +
                  ")");
        item_open = false;
      }
    }
    EndDoc(end());
    done = true;
    produced = produced || !batch->spans.empty() || !batch->errors.empty();
    if (!produced) {
      Error(0, 0,
            "no Kubernetes object found: the input is empty or holds no JSON object or YAML "
            "document");
    }
  }

  bool Next(FramedBatch* out) {
    out->Reset();
    if (done) return false;
    batch = out;
    list_slot = -1;
    out->input_bytes = pending_input_bytes;
    pending_input_bytes = 0;
    out->bytes.resize(carry.size());
    if (carry.size() > 0) std::memcpy(out->bytes.data(), carry.data(), carry.size());
    base = carry_offset;
    for (;;) {
      ScanLines();
      if (eof) {
        Finish();
        break;
      }
      const bool has_output = !out->spans.empty() || !out->errors.empty();
      if (has_output && out->bytes.size() >= options.batch_bytes) break;
      if (out->spans.empty()) {
        const uint64_t keep = KeepFrom();
        if (keep > base) {
          const size_t drop = keep - base;
          const size_t rest = out->bytes.size() - drop;
          std::memmove(out->bytes.data(), out->bytes.data() + drop, rest);
          out->bytes.resize(rest);
          base = keep;
        }
      }
      const size_t old = out->bytes.size();
      out->bytes.resize(old + options.read_bytes);
      Status error;
      const size_t n = source->Read(out->bytes.data() + old, options.read_bytes, &error);
      out->bytes.resize(old + n);
      out->input_bytes += n;
      if (n > 0) last_byte_newline = out->bytes.data()[old + n - 1] == '\n';
      if (!error.ok()) {
        Error(end(), 0, error.message());
        eof = true;
        produced = true;
      } else if (n == 0) {
        eof = true;
      }
    }
    produced = produced || !out->spans.empty() || !out->errors.empty();
    const uint64_t keep = done ? end() : KeepFrom();
    carry.resize(end() - keep);
    if (carry.size() > 0) std::memcpy(carry.data(), buf() + (keep - base), carry.size());
    carry_offset = keep;
    batch = nullptr;
    return !out->spans.empty() || !out->errors.empty() || !out->lists.empty() ||
           out->input_bytes > 0;
  }
};

YamlFramer::YamlFramer(ByteSource* source, std::string_view prefix, uint64_t prefix_offset,
                       uint64_t prefix_input_bytes, FramerOptions options)
    : impl_(std::make_unique<Impl>(source, prefix, prefix_offset, prefix_input_bytes, options)) {
  // The prefix's last byte decides "ends with a line break" if nothing follows.
  impl_->last_byte_newline = !prefix.empty() && prefix.back() == '\n';
}

YamlFramer::~YamlFramer() = default;

bool YamlFramer::Next(FramedBatch* batch) { return impl_->Next(batch); }

}  // namespace gatescan
