// text.cc — the inventory as aligned tables. Untrusted strings are shown with
// what a terminal would act on escaped, so that an image name cannot drive it.

#include <cstdio>

#include "aggregate.h"
#include "gatescan/common/terminal.h"

namespace gatescan::inventory_internal {
namespace {

// Untrusted names are shown as the text report shows them on a terminal
// (common/terminal.h): controls, invalid bytes and bidi overrides escaped.
std::string Printable(std::string_view s) {
  std::string out;
  AppendTerminalSafe(s, &out);
  return out;
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

}  // namespace

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

}  // namespace gatescan::inventory_internal
