// inventory.cc — the image inventory and what-if report (inventory.h).
//
// Parallel half: FormatEveryObject() parses images and writes one record per
// object into the chunk. Serial half: Consume() decodes records and adds them
// into per-registry, per-repository and per-image tallies; Finish() sorts and
// writes one of the four formats.
#include "gatescan/inventory/inventory.h"

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "gatescan/common/chunk_codec.h"
#include "gatescan/allowlist/image_ref.h"
#include "gatescan/common/quote.h"

namespace gatescan {
namespace {

constexpr std::string_view kNotAString = "image is not a string";

// ---------------------------------------------------------------------------
// Chunk records. Little-endian-agnostic: written and read by the same process.
//   'O' ns:str count:u32 { list:u8 flags:u8 image:str (registry:str repository:str | error:str) }*
//   'E' source:str offset:u64 index:u64 message:str
enum : uint8_t { kValid = 1, kBlocked = 2, kImageIsString = 4 };

// ---------------------------------------------------------------------------
// Aggregation.

// Counts for one registry, repository or image. Objects arrive one at a time
// with increasing ids, so "distinct objects" is a comparison with the last id.
struct Tally {
  uint64_t containers = 0;
  uint64_t objects = 0;
  uint64_t blocked_containers = 0;
  uint64_t broken_objects = 0;
  std::unordered_set<uint32_t> namespaces;
  std::unordered_set<uint32_t> broken_namespaces;
  uint64_t last_object = UINT64_MAX;
  uint64_t last_broken_object = UINT64_MAX;

  void Add(uint64_t object, int64_t ns, bool blocked) {
    ++containers;
    if (last_object != object) {
      last_object = object;
      ++objects;
    }
    if (ns >= 0) namespaces.insert(static_cast<uint32_t>(ns));
    if (!blocked) return;
    ++blocked_containers;
    if (last_broken_object != object) {
      last_broken_object = object;
      ++broken_objects;
    }
    if (ns >= 0) broken_namespaces.insert(static_cast<uint32_t>(ns));
  }
};

struct RegistryRow {
  std::string name;
  Tally tally;
  uint64_t repositories = 0;
};
struct RepositoryRow {
  std::string name;
  std::string registry;
  Tally tally;
};
struct ImageRow {
  std::string image;
  std::string registry;
  std::string repository;
  Tally tally;
};
struct InvalidRow {
  std::string image;
  std::string error;
  bool is_string = true;
  Tally tally;
};
struct ErrorRow {
  std::string source;
  uint64_t offset = 0;
  uint64_t index = 0;
  std::string message;
};

// Lookups by string_view without building a std::string: Consume() does
// three per container, serially.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

template <typename Row>
class RowIndex {
 public:
  // The row for `key`, created by `make` when new.
  template <typename Make>
  Row& Get(std::string_view key, Make make) {
    auto it = index_.find(key);
    if (it != index_.end()) return rows_[it->second];
    index_.emplace(std::string(key), rows_.size());
    rows_.push_back(make());
    return rows_.back();
  }
  std::vector<Row>& rows() { return rows_; }

 private:
  StringMap<size_t> index_;
  std::vector<Row> rows_;
};

struct Totals {
  uint64_t objects = 0;  // objects that reached the report
  uint64_t objects_with_containers = 0;
  uint64_t containers = 0;
  uint64_t broken_objects = 0;
  uint64_t blocked_containers = 0;
  std::array<uint64_t, kContainerListCount> by_list{};
  std::unordered_set<uint32_t> namespaces;
  std::unordered_set<uint32_t> broken_namespaces;
};

// Sorted views of the tallies, ready to print.
struct Report {
  std::vector<const RegistryRow*> registries;
  std::vector<const RepositoryRow*> repositories;
  std::vector<const ImageRow*> images;
  std::vector<const InvalidRow*> invalid;
  const Totals* totals = nullptr;
  const std::vector<ErrorRow>* errors = nullptr;
  const Policy* policy = nullptr;  // what-if when set
  bool what_if() const { return policy != nullptr; }
};

template <typename Row, typename Name>
std::vector<const Row*> SortedByContainers(std::vector<Row>& rows, Name name) {
  std::vector<const Row*> out;
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(&r);
  std::sort(out.begin(), out.end(), [&](const Row* a, const Row* b) {
    if (a->tally.containers != b->tally.containers)
      return a->tally.containers > b->tally.containers;
    return name(*a) < name(*b);
  });
  return out;
}

std::string Num(uint64_t v) { return std::to_string(v); }

std::string Percent(uint64_t part, uint64_t whole) {
  if (whole == 0) return "0%";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%",
                100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buf;
}

// ---------------------------------------------------------------------------
// Text: aligned columns. Untrusted strings are shown with control bytes
// escaped so that an image name cannot drive the terminal.

// Length of the well-formed UTF-8 sequence at s[i], or 0.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  size_t n = c < 0x80                 ? 1
             : c >= 0xC2 && c <= 0xDF ? 2
             : c >= 0xE0 && c <= 0xEF ? 3
             : c >= 0xF0 && c <= 0xF4 ? 4
                                      : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  // Overlong forms, surrogates and code points past U+10FFFF.
  if ((c == 0xE0 && byte(i + 1) < 0xA0) || (c == 0xED && byte(i + 1) > 0x9F) ||
      (c == 0xF0 && byte(i + 1) < 0x90) || (c == 0xF4 && byte(i + 1) > 0x8F)) {
    return 0;
  }
  return n;
}

// C0 and C1 controls, DEL and invalid bytes become \xNN (C1 as \u0080...).
std::string Printable(std::string_view s) {
  std::string out;
  char buf[12];
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0 || c < 0x20 || c == 0x7f) {
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
      ++i;
    } else if (n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) {
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(s[i + 1]));
      out += buf;
      i += 2;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

// Columns count code points, not bytes, so UTF-8 names stay aligned.
size_t DisplayWidth(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : numeric_from_(1) {
    rows_.push_back(std::move(header));
  }
  void Row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  void set_numeric_columns(size_t first, size_t end) {
    numeric_from_ = first;
    numeric_end_ = end;
  }
  void Write(std::string* out) const {
    std::vector<size_t> width;
    for (const auto& row : rows_) {
      if (width.size() < row.size()) width.resize(row.size(), 0);
      for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], DisplayWidth(row[i]));
    }
    for (const auto& row : rows_) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) {
        const size_t pad = width[i] - DisplayWidth(row[i]);
        const bool right = i >= numeric_from_ && i < numeric_end_;
        if (i > 0) line += "  ";
        if (right) line.append(pad, ' ');
        line += row[i];
        if (!right && i + 1 < row.size()) line.append(pad, ' ');
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      *out += line;
      *out += '\n';
    }
  }

 private:
  std::vector<std::vector<std::string>> rows_;
  size_t numeric_from_;
  size_t numeric_end_ = SIZE_MAX;
};

std::vector<std::string> TallyCells(const Tally& t, bool what_if) {
  std::vector<std::string> cells{Num(t.containers), Num(t.objects), Num(t.namespaces.size())};
  if (what_if) {
    cells.push_back(Num(t.blocked_containers));
    cells.push_back(Num(t.broken_objects));
    cells.push_back(Num(t.broken_namespaces.size()));
  }
  return cells;
}

std::vector<std::string> Header(std::vector<std::string> first, bool what_if) {
  for (const char* h : {"CONTAINERS", "OBJECTS", "NAMESPACES"}) first.push_back(h);
  if (what_if) {
    for (const char* h : {"BLOCKED", "BROKEN OBJECTS", "BROKEN NAMESPACES"}) first.push_back(h);
  }
  return first;
}

std::string ConstraintNames(const Policy& policy) {
  std::string names;
  for (const auto& c : policy.constraints) {
    if (!names.empty()) names += ", ";
    names += c.kind + "/" + c.name;
  }
  return names.empty() ? "none" : names;
}

void WriteText(const Report& r, std::string* out) {
  const Totals& t = *r.totals;
  {
    TextTable table(Header({"REGISTRY", "REPOSITORIES"}, r.what_if()));
    for (const RegistryRow* row : r.registries) {
      std::vector<std::string> cells{Printable(row->name), Num(row->repositories)};
      for (auto& c : TallyCells(row->tally, r.what_if())) cells.push_back(std::move(c));
      table.Row(std::move(cells));
    }
    table.Write(out);
  }
  *out += '\n';
  {
    TextTable table(Header({"REPOSITORY"}, r.what_if()));
    for (const RepositoryRow* row : r.repositories) {
      std::vector<std::string> cells{Printable(row->name)};
      for (auto& c : TallyCells(row->tally, r.what_if())) cells.push_back(std::move(c));
      table.Row(std::move(cells));
    }
    table.Write(out);
  }
  if (!r.invalid.empty()) {
    *out += '\n';
    TextTable table({"INVALID REFERENCE", "CONTAINERS", "OBJECTS", "ERROR"});
    table.set_numeric_columns(1, 3);
    for (const InvalidRow* row : r.invalid) {
      table.Row({Printable(row->is_string ? row->image : "(" + row->image + ")"),
                 Num(row->tally.containers), Num(row->tally.objects), Printable(row->error)});
    }
    table.Write(out);
  }
  *out += "\n";
  *out += "containers " + Num(t.containers) + " (containers " + Num(t.by_list[0]) +
          ", initContainers " + Num(t.by_list[1]) + ", ephemeralContainers " + Num(t.by_list[2]) +
          ") in " + Num(t.objects_with_containers) + " objects, " + Num(t.namespaces.size()) +
          " namespaces; " + Num(r.registries.size()) + " registries, " +
          Num(r.repositories.size()) + " repositories, " + Num(r.images.size()) + " images, " +
          Num(r.invalid.size()) + " invalid references";
  if (!r.errors->empty()) *out += "; " + Num(r.errors->size()) + " errors";
  *out += '\n';
  for (const ErrorRow& e : *r.errors) {
    *out += "error: " + Printable(e.source) + ": offset " + Num(e.offset) + ": " +
            Printable(e.message) + '\n';
  }
  if (r.what_if()) {
    *out += "\nwhat-if (" + Printable(ConstraintNames(*r.policy)) + "):\n";
    *out += "  blocked containers  " + Num(t.blocked_containers) + " of " + Num(t.containers) +
            " (" + Percent(t.blocked_containers, t.containers) + ")\n";
    *out += "  broken objects      " + Num(t.broken_objects) + " of " +
            Num(t.objects_with_containers) + " (" +
            Percent(t.broken_objects, t.objects_with_containers) + ")\n";
    *out += "  broken namespaces   " + Num(t.broken_namespaces.size()) + " of " +
            Num(t.namespaces.size()) + " (" +
            Percent(t.broken_namespaces.size(), t.namespaces.size()) + ")\n";
  }
}

// ---------------------------------------------------------------------------
// JSON: one document.

void JsonKey(std::string_view key, std::string* out) {
  AppendJsonString(key, out);
  out->push_back(':');
}

void JsonTally(const Tally& t, bool what_if, std::string* out) {
  *out += ",\"containers\":" + Num(t.containers) + ",\"objects\":" + Num(t.objects) +
          ",\"namespaces\":" + Num(t.namespaces.size());
  if (what_if) {
    *out += ",\"blocked_containers\":" + Num(t.blocked_containers) +
            ",\"broken_objects\":" + Num(t.broken_objects) +
            ",\"broken_namespaces\":" + Num(t.broken_namespaces.size());
  }
}

void WriteJson(const Report& r, std::string* out) {
  const Totals& t = *r.totals;
  const bool w = r.what_if();
  *out += "{\"registries\":[";
  for (size_t i = 0; i < r.registries.size(); ++i) {
    const RegistryRow& row = *r.registries[i];
    if (i) out->push_back(',');
    *out += "{\"registry\":";
    AppendJsonString(row.name, out);
    *out += ",\"repositories\":" + Num(row.repositories);
    JsonTally(row.tally, w, out);
    out->push_back('}');
  }
  *out += "],\"repositories\":[";
  for (size_t i = 0; i < r.repositories.size(); ++i) {
    const RepositoryRow& row = *r.repositories[i];
    if (i) out->push_back(',');
    *out += "{\"repository\":";
    AppendJsonString(row.name, out);
    *out += ",\"registry\":";
    AppendJsonString(row.registry, out);
    JsonTally(row.tally, w, out);
    out->push_back('}');
  }
  *out += "],\"images\":[";
  for (size_t i = 0; i < r.images.size(); ++i) {
    const ImageRow& row = *r.images[i];
    if (i) out->push_back(',');
    *out += "{\"image\":";
    AppendJsonString(row.image, out);
    *out += ",\"registry\":";
    AppendJsonString(row.registry, out);
    *out += ",\"repository\":";
    AppendJsonString(row.repository, out);
    JsonTally(row.tally, w, out);
    out->push_back('}');
  }
  *out += "],\"invalid\":[";
  for (size_t i = 0; i < r.invalid.size(); ++i) {
    const InvalidRow& row = *r.invalid[i];
    if (i) out->push_back(',');
    *out += "{\"image\":";
    AppendJsonString(row.image, out);
    *out += ",\"image_is_string\":";
    *out += row.is_string ? "true" : "false";
    *out += ",\"error\":";
    AppendJsonString(row.error, out);
    JsonTally(row.tally, w, out);
    out->push_back('}');
  }
  *out += "],\"container_types\":{";
  for (int l = 0; l < kContainerListCount; ++l) {
    if (l) out->push_back(',');
    JsonKey(ContainerListField(static_cast<ContainerList>(l)), out);
    *out += Num(t.by_list[static_cast<size_t>(l)]);
  }
  *out += "},\"totals\":{\"objects\":" + Num(t.objects) +
          ",\"objects_with_containers\":" + Num(t.objects_with_containers) +
          ",\"containers\":" + Num(t.containers) + ",\"namespaces\":" + Num(t.namespaces.size()) +
          ",\"registries\":" + Num(r.registries.size()) +
          ",\"repositories\":" + Num(r.repositories.size()) +
          ",\"images\":" + Num(r.images.size()) + ",\"invalid\":" + Num(r.invalid.size()) +
          ",\"errors\":" + Num(r.errors->size()) + "},\"what_if\":";
  if (w) {
    *out += "{\"constraints\":[";
    for (size_t i = 0; i < r.policy->constraints.size(); ++i) {
      const Constraint& c = r.policy->constraints[i];
      if (i) out->push_back(',');
      *out += "{\"kind\":";
      AppendJsonString(c.kind, out);
      *out += ",\"name\":";
      AppendJsonString(c.name, out);
      out->push_back('}');
    }
    *out += "],\"blocked_containers\":" + Num(t.blocked_containers) +
            ",\"broken_objects\":" + Num(t.broken_objects) +
            ",\"broken_namespaces\":" + Num(t.broken_namespaces.size()) + "}";
  } else {
    *out += "null";
  }
  *out += ",\"errors\":[";
  for (size_t i = 0; i < r.errors->size(); ++i) {
    const ErrorRow& e = (*r.errors)[i];
    if (i) out->push_back(',');
    *out += "{\"source\":";
    AppendJsonString(e.source, out);
    *out += ",\"offset\":" + Num(e.offset) + ",\"index\":" + Num(e.index) + ",\"message\":";
    AppendJsonString(e.message, out);
    out->push_back('}');
  }
  *out += "]}\n";
}

// ---------------------------------------------------------------------------
// CSV: one row per repository, then one per invalid reference, in the
// scan's CSV cells (quote.h AppendCsvCell) and CRLF line ends.

void WriteCsv(const Report& r, std::string* out) {
  *out += "registry,repository,containers,objects,namespaces,blocked_containers,error\r\n";
  auto counts = [&](const Tally& t) {
    *out += "," + Num(t.containers) + "," + Num(t.objects) + "," + Num(t.namespaces.size()) + ",";
    if (r.what_if()) *out += Num(t.blocked_containers);
    out->push_back(',');
  };
  for (const RepositoryRow* row : r.repositories) {
    AppendCsvCell(row->registry, out);
    out->push_back(',');
    AppendCsvCell(row->name, out);
    counts(row->tally);
    *out += "\r\n";
  }
  // Invalid references: no registry, the raw image in place of the
  // repository, and the parser's error.
  for (const InvalidRow* row : r.invalid) {
    out->push_back(',');
    AppendCsvCell(row->image, out);
    counts(row->tally);
    AppendCsvCell(row->error, out);
    *out += "\r\n";
  }
}

// ---------------------------------------------------------------------------
// HTML: one page, nothing fetched. Every inserted string goes through Esc().

std::string Esc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\0':
        out += "&#xFFFD;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

constexpr std::string_view kHtmlHead = R"(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>gatescan inventory</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;margin:24px 32px;color:#1f2933;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d9e2ec;padding-bottom:4px}
.sub{color:#52606d;font-size:13px;margin-bottom:16px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.card{border:1px solid #d9e2ec;border-radius:6px;padding:8px 14px;min-width:120px}
.card .v{font-size:22px;font-weight:600}.card .k{font-size:12px;color:#52606d}
.card.bad .v{color:#c0392b}
table{border-collapse:collapse;font-size:13px;margin:4px 0}
th,td{padding:4px 10px;border-bottom:1px solid #e4e7eb;text-align:left;vertical-align:top}
th{background:#f5f7fa;font-weight:600;white-space:nowrap}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
td.img{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
svg text{font-size:12px;fill:#1f2933}svg .bar{fill:#4c78a8}svg .blocked{fill:#e45756}
.legend{font-size:13px;color:#52606d}.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
</style>
</head>
<body>
)";

constexpr size_t kChartRows = 40;

void HtmlCard(std::string_view id, std::string_view label, const std::string& value, bool bad,
              std::string* out) {
  *out += "<div class=\"card";
  if (bad) *out += " bad";
  *out += "\"><div class=\"v\" id=\"" + std::string(id) + "\">" + Esc(value) +
          "</div><div class=\"k\">" + Esc(label) + "</div></div>\n";
}

void HtmlChart(const Report& r, std::string* out) {
  const size_t rows = std::min(r.registries.size(), kChartRows);
  uint64_t max = 1;
  size_t label_chars = 8;
  for (size_t i = 0; i < rows; ++i) {
    max = std::max(max, r.registries[i]->tally.containers);
    label_chars = std::max(label_chars, std::min<size_t>(DisplayWidth(r.registries[i]->name), 48));
  }
  const int label_w = static_cast<int>(label_chars) * 7 + 10;
  const int bar_w = 560, row_h = 24, value_w = 150;
  const int width = label_w + bar_w + value_w, height = static_cast<int>(rows) * row_h + 8;
  *out +=
      "<svg id=\"registry-chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
      "aria-label=\"containers per registry\" width=\"" +
      Num(width) + "\" height=\"" + Num(height) + "\" viewBox=\"0 0 " + Num(width) + " " +
      Num(height) + "\">\n";
  for (size_t i = 0; i < rows; ++i) {
    const RegistryRow& row = *r.registries[i];
    const int y = static_cast<int>(i) * row_h + 4;
    const double w = static_cast<double>(bar_w) * static_cast<double>(row.tally.containers) /
                     static_cast<double>(max);
    char geom[160];
    std::snprintf(geom, sizeof geom, "x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\"", label_w, y,
                  w, row_h - 6);
    std::string name = row.name;
    if (DisplayWidth(name) > 48) {
      size_t cut = 46;
      while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
      name = name.substr(0, cut) + "…";
    }
    *out += "<text x=\"" + Num(label_w - 8) + "\" y=\"" + Num(y + row_h - 10) +
            "\" text-anchor=\"end\">" + Esc(name) + "</text>\n";
    *out += "<rect class=\"bar\" data-registry=\"" + Esc(row.name) + "\" " + geom + "><title>" +
            Esc(row.name) + ": " + Num(row.tally.containers) + " containers</title></rect>\n";
    std::string value = Num(row.tally.containers);
    if (r.what_if() && row.tally.blocked_containers > 0) {
      const double bw = w * static_cast<double>(row.tally.blocked_containers) /
                        static_cast<double>(row.tally.containers);
      std::snprintf(geom, sizeof geom, "x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"",
                    label_w + w - bw, y, bw, row_h - 6);
      *out += "<rect class=\"blocked\" data-registry=\"" + Esc(row.name) + "\" " + geom +
              "><title>" + Esc(row.name) + ": " + Num(row.tally.blocked_containers) +
              " blocked</title></rect>\n";
      value += " (" + Num(row.tally.blocked_containers) + " blocked)";
    }
    std::snprintf(geom, sizeof geom, "%.1f", label_w + w + 6);
    *out += "<text x=\"" + std::string(geom) + "\" y=\"" + Num(y + row_h - 10) + "\">" +
            Esc(value) + "</text>\n";
  }
  *out += "</svg>\n";
  if (r.what_if()) {
    *out +=
        "<div class=\"legend\"><span style=\"background:#4c78a8\"></span>allowed"
        "<span style=\"background:#e45756\"></span>blocked by the candidate allowlist</div>\n";
  }
  if (r.registries.size() > rows) {
    *out += "<p class=\"sub\">" + Num(r.registries.size() - rows) +
            " more registries in the table below.</p>\n";
  }
}

void HtmlTallyHeader(bool what_if, std::string* out) {
  *out +=
      "<th class=\"n\">containers</th><th class=\"n\">objects</th><th class=\"n\">namespaces</th>";
  if (what_if) {
    *out +=
        "<th class=\"n\">blocked containers</th><th class=\"n\">broken objects</th>"
        "<th class=\"n\">broken namespaces</th>";
  }
}

void HtmlTallyCells(const Tally& t, bool what_if, std::string* out) {
  for (uint64_t v : {t.containers, t.objects, static_cast<uint64_t>(t.namespaces.size())}) {
    *out += "<td class=\"n\">" + Num(v) + "</td>";
  }
  if (what_if) {
    for (uint64_t v : {t.blocked_containers, t.broken_objects,
                       static_cast<uint64_t>(t.broken_namespaces.size())}) {
      *out += "<td class=\"n\">" + Num(v) + "</td>";
    }
  }
}

void WriteHtml(const Report& r, std::string* out) {
  const Totals& t = *r.totals;
  const bool w = r.what_if();
  *out += kHtmlHead;
  *out += "<h1>Container image inventory</h1>\n<div class=\"sub\">gatescan inventory: " +
          Num(t.containers) + " containers in " + Num(t.objects_with_containers) +
          " objects</div>\n";
  *out += "<div class=\"cards\">\n";
  HtmlCard("total-containers", "containers", Num(t.containers), false, out);
  HtmlCard("total-objects", "objects", Num(t.objects_with_containers), false, out);
  HtmlCard("total-namespaces", "namespaces", Num(t.namespaces.size()), false, out);
  HtmlCard("total-registries", "registries", Num(r.registries.size()), false, out);
  HtmlCard("total-repositories", "repositories", Num(r.repositories.size()), false, out);
  HtmlCard("total-images", "images", Num(r.images.size()), false, out);
  HtmlCard("total-invalid", "invalid references", Num(r.invalid.size()), !r.invalid.empty(), out);
  *out += "</div>\n";

  *out += "<h2>Containers per registry</h2>\n";
  HtmlChart(r, out);

  if (w) {
    *out += "<h2>What-if: the candidate allowlist</h2>\n<div class=\"sub\">constraints: " +
            Esc(ConstraintNames(*r.policy)) + "</div>\n<div class=\"cards\" id=\"what-if\">\n";
    HtmlCard("whatif-blocked-containers",
             "blocked containers (" + Percent(t.blocked_containers, t.containers) + ")",
             Num(t.blocked_containers), t.blocked_containers > 0, out);
    HtmlCard("whatif-broken-objects",
             "broken objects (" + Percent(t.broken_objects, t.objects_with_containers) + ")",
             Num(t.broken_objects), t.broken_objects > 0, out);
    HtmlCard("whatif-broken-namespaces",
             "broken namespaces (" + Percent(t.broken_namespaces.size(), t.namespaces.size()) + ")",
             Num(t.broken_namespaces.size()), !t.broken_namespaces.empty(), out);
    *out += "</div>\n";
  }

  *out +=
      "<h2>Registries</h2>\n<table id=\"registries\"><tr><th>registry</th><th "
      "class=\"n\">repositories</th>";
  HtmlTallyHeader(w, out);
  *out += "</tr>\n";
  for (const RegistryRow* row : r.registries) {
    *out += "<tr><td class=\"img\">" + Esc(row->name) + "</td><td class=\"n\">" +
            Num(row->repositories) + "</td>";
    HtmlTallyCells(row->tally, w, out);
    *out += "</tr>\n";
  }
  *out += "</table>\n";

  *out += "<h2>Repositories</h2>\n<table id=\"repositories\"><tr><th>repository</th>";
  HtmlTallyHeader(w, out);
  *out += "</tr>\n";
  for (const RepositoryRow* row : r.repositories) {
    *out += "<tr><td class=\"img\">" + Esc(row->name) + "</td>";
    HtmlTallyCells(row->tally, w, out);
    *out += "</tr>\n";
  }
  *out += "</table>\n";

  *out += "<h2>Container types</h2>\n<table id=\"container-types\">";
  for (int l = 0; l < kContainerListCount; ++l) {
    *out += "<tr><td>" + std::string(ContainerListField(static_cast<ContainerList>(l))) +
            "</td><td class=\"n\">" + Num(t.by_list[static_cast<size_t>(l)]) + "</td></tr>";
  }
  *out += "</table>\n";

  *out += "<h2>Invalid references</h2>\n";
  if (r.invalid.empty()) {
    *out += "<p class=\"sub\">none</p>\n";
  } else {
    *out +=
        "<table id=\"invalid\"><tr><th>image</th><th>error</th><th class=\"n\">containers</th>"
        "<th class=\"n\">objects</th></tr>\n";
    for (const InvalidRow* row : r.invalid) {
      *out += "<tr><td class=\"img\">" + Esc(row->image) +
              (row->is_string ? "" : " (not a string)") + "</td><td>" + Esc(row->error) +
              "</td><td class=\"n\">" + Num(row->tally.containers) + "</td><td class=\"n\">" +
              Num(row->tally.objects) + "</td></tr>\n";
    }
    *out += "</table>\n";
  }
  if (!r.errors->empty()) {
    *out +=
        "<h2>Errors</h2>\n<table id=\"errors\"><tr><th>source</th><th "
        "class=\"n\">offset</th><th>message</th></tr>\n";
    for (const ErrorRow& e : *r.errors) {
      *out += "<tr><td>" + Esc(e.source) + "</td><td class=\"n\">" + Num(e.offset) + "</td><td>" +
              Esc(e.message) + "</td></tr>\n";
    }
    *out += "</table>\n";
  }
  *out += "</body>\n</html>\n";
}

// ---------------------------------------------------------------------------

class InventoryReporter final : public Reporter {
 public:
  InventoryReporter(InventoryFormat format, const Policy* policy)
      : format_(format), policy_(policy) {}

  bool wants_every_object() const override { return true; }

  void FormatObject(const ObjectRecord&, std::span<const Violation>, const RecordOrigin&,
                    std::string*) const override {}

  void FormatError(const ScanError& error, std::string* chunk) const override {
    chunk->push_back('E');
    PutBytes(
        error.origin.input != nullptr ? std::string_view(error.origin.input->display_name) : "",
        chunk);
    PutU64(error.origin.offset, chunk);
    PutU64(error.origin.index, chunk);
    PutBytes(error.message, chunk);
  }

  void FormatEveryObject(const ObjectRecord& object, std::span<const ContainerRef> containers,
                         std::span<const Violation> violations, const RecordOrigin&,
                         std::string* chunk) const override {
    thread_local ImageReference ref;
    chunk->push_back('O');
    PutBytes(object.ns, chunk);
    PutU32(static_cast<uint32_t>(containers.size()), chunk);
    for (const ContainerRef& c : containers) {
      const bool valid = c.image_is_string && ParseNormalizedNamed(c.image, &ref);
      uint8_t flags = valid ? kValid : 0;
      if (c.image_is_string) flags |= kImageIsString;
      if (IsBlocked(c, violations)) flags |= kBlocked;
      chunk->push_back(static_cast<char>(c.list));
      chunk->push_back(static_cast<char>(flags));
      PutBytes(c.image, chunk);
      if (valid) {
        PutBytes(ref.domain(), chunk);
        PutBytes(ref.name(), chunk);
      } else {
        PutBytes(c.image_is_string ? ref.error() : kNotAString, chunk);
      }
    }
  }

  Status Consume(std::string_view chunk, OutputSink*) override {
    ChunkReader in(chunk);
    while (!in.done()) {
      const uint8_t tag = in.U8();
      if (tag == 'E') {
        ErrorRow e;
        e.source = std::string(in.Bytes());
        e.offset = in.U64();
        e.index = in.U64();
        e.message = std::string(in.Bytes());
        if (!in.failed()) errors_.push_back(std::move(e));
      } else if (tag == 'O') {
        ConsumeObject(&in);
      } else {
        return Status::Error("inventory: corrupt chunk record");
      }
    }
    return in.failed() ? Status::Error("inventory: truncated chunk record") : Status::Ok();
  }

  Status Finish(const ScanSummary&, OutputSink* sink) override {
    for (RepositoryRow& repo : repositories_.rows()) {
      ++registries_.Get(repo.registry,
                        [&] {
                          return RegistryRow{repo.registry, {}, 0};
                        })
            .repositories;
    }
    Report r;
    r.registries = SortedByContainers(
        registries_.rows(), [](const RegistryRow& x) -> const std::string& { return x.name; });
    r.repositories = SortedByContainers(
        repositories_.rows(), [](const RepositoryRow& x) -> const std::string& { return x.name; });
    r.images = SortedByContainers(images_.rows(),
                                  [](const ImageRow& x) -> const std::string& { return x.image; });
    r.invalid = SortedByContainers(
        invalid_.rows(), [](const InvalidRow& x) -> const std::string& { return x.image; });
    r.totals = &totals_;
    r.errors = &errors_;
    r.policy = policy_;
    std::string out;
    switch (format_) {
      case InventoryFormat::kText:
        WriteText(r, &out);
        break;
      case InventoryFormat::kJson:
        WriteJson(r, &out);
        break;
      case InventoryFormat::kCsv:
        WriteCsv(r, &out);
        break;
      case InventoryFormat::kHtml:
        WriteHtml(r, &out);
        break;
    }
    if (Status s = sink->Write(out); !s.ok()) return s;
    return sink->Flush();
  }

 private:
  // A violation names the container it flags by list, name and image;
  // implied violations (--expand) and match errors name none of the object's own.
  static bool IsBlocked(const ContainerRef& c, std::span<const Violation> violations) {
    for (const Violation& v : violations) {
      if (v.is_match_error || !v.implied_by.empty()) continue;
      if (v.list == c.list && v.image == c.image && v.container_name == c.name) return true;
    }
    return false;
  }

  int64_t NamespaceId(std::string_view ns) {
    if (ns.empty()) return -1;
    if (auto it = namespace_ids_.find(ns); it != namespace_ids_.end()) return it->second;
    const auto id = static_cast<uint32_t>(namespace_ids_.size());
    namespace_ids_.emplace(std::string(ns), id);
    return id;
  }

  void ConsumeObject(ChunkReader* in) {
    const uint64_t object = totals_.objects++;
    const std::string_view ns_name = in->Bytes();
    const uint32_t count = in->U32();
    if (in->failed()) return;
    const int64_t ns = NamespaceId(ns_name);
    bool broken = false;
    for (uint32_t i = 0; i < count && !in->failed(); ++i) {
      const uint8_t list = in->U8();
      const uint8_t flags = in->U8();
      const std::string_view image = in->Bytes();
      const bool blocked = policy_ != nullptr && (flags & kBlocked) != 0;
      broken = broken || blocked;
      ++totals_.containers;
      if (list < kContainerListCount) ++totals_.by_list[list];
      if (blocked) ++totals_.blocked_containers;
      if (flags & kValid) {
        const std::string_view registry = in->Bytes();
        const std::string_view repository = in->Bytes();
        registries_.Get(registry,
                        [&] {
                          return RegistryRow{std::string(registry), {}, 0};
                        })
            .tally.Add(object, ns, blocked);
        repositories_
            .Get(repository,
                 [&] {
                   return RepositoryRow{std::string(repository), std::string(registry), {}};
                 })
            .tally.Add(object, ns, blocked);
        images_
            .Get(image,
                 [&] {
                   return ImageRow{
                       std::string(image), std::string(registry), std::string(repository), {}};
                 })
            .tally.Add(object, ns, blocked);
      } else {
        const std::string_view error = in->Bytes();
        const bool is_string = (flags & kImageIsString) != 0;
        std::string key(image);
        key.push_back('\0');
        key.append(error);
        invalid_
            .Get(key,
                 [&] {
                   return InvalidRow{std::string(image), std::string(error), is_string, {}};
                 })
            .tally.Add(object, ns, blocked);
      }
    }
    if (count == 0) return;
    ++totals_.objects_with_containers;
    if (ns >= 0) totals_.namespaces.insert(static_cast<uint32_t>(ns));
    if (broken) {
      ++totals_.broken_objects;
      if (ns >= 0) totals_.broken_namespaces.insert(static_cast<uint32_t>(ns));
    }
  }

  InventoryFormat format_;
  const Policy* policy_;
  RowIndex<RegistryRow> registries_;
  RowIndex<RepositoryRow> repositories_;
  RowIndex<ImageRow> images_;
  RowIndex<InvalidRow> invalid_;
  StringMap<uint32_t> namespace_ids_;
  Totals totals_;
  std::vector<ErrorRow> errors_;
};

}  // namespace

bool ParseInventoryFormat(std::string_view name, InventoryFormat* out) {
  static constexpr std::pair<std::string_view, InventoryFormat> kNames[] = {
      {"text", InventoryFormat::kText},
      {"json", InventoryFormat::kJson},
      {"csv", InventoryFormat::kCsv},
      {"html", InventoryFormat::kHtml},
  };
  for (const auto& [n, f] : kNames) {
    if (n == name) {
      *out = f;
      return true;
    }
  }
  return false;
}

std::unique_ptr<Reporter> MakeInventoryReporter(InventoryFormat format, const Policy* policy) {
  return std::make_unique<InventoryReporter>(format, policy);
}

}  // namespace gatescan
