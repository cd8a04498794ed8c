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

std::string NamespaceCell(std::string_view ns) {
  return ns.empty() ? std::string("(cluster)") : Printable(ns);
}

void WorkloadTable(const Report& r, std::string* out) {
  std::vector<std::string> header{"NAMESPACE", "KIND",       "WORKLOAD",
                                  "OBJECTS",   "CONTAINERS", "IMAGES"};
  if (r.what_if()) {
    header.emplace_back("BLOCKED");
    header.emplace_back("BROKEN OBJECTS");
  }
  TextTable table(std::move(header));
  table.set_numeric_columns(3, SIZE_MAX);
  for (const Workload* w : r.workloads) {
    std::vector<std::string> cells{NamespaceCell(w->ns),     Printable(w->kind),
                                   Printable(w->name),       Num(w->tally.objects),
                                   Num(w->tally.containers), Num(w->images.size())};
    if (r.what_if()) {
      cells.push_back(Num(w->tally.blocked_containers));
      cells.push_back(Num(w->tally.broken_objects));
    }
    table.Row(std::move(cells));
  }
  table.Write(out);
}

void WhatBreaks(const Report& r, std::string* out) {
  *out += "\nwhat breaks: " + Num(r.broken_namespaces.size()) + " namespaces, " +
          Num(r.broken_workloads.size()) + " workloads with a blocked container\n";
  if (r.broken_namespaces.empty()) return;
  {
    TextTable table({"NAMESPACE", "BLOCKED", "BROKEN OBJECTS", "BROKEN WORKLOADS", "CONTAINERS"});
    table.set_numeric_columns(1, SIZE_MAX);
    for (size_t i = 0; i < r.broken_namespaces.size(); ++i) {
      const NamespaceRow& ns = *r.broken_namespaces[i];
      table.Row({Printable(ns.name), Num(ns.tally.blocked_containers), Num(ns.tally.broken_objects),
                 Num(r.broken_workloads_per_namespace[i]), Num(ns.tally.containers)});
    }
    *out += '\n';
    table.Write(out);
  }
  TextTable table({"NAMESPACE", "KIND", "WORKLOAD", "BLOCKED", "BROKEN OBJECTS", "BLOCKED IMAGES"});
  table.set_numeric_columns(3, 5);
  for (const Workload* w : r.broken_workloads) {
    table.Row({NamespaceCell(w->ns), Printable(w->kind), Printable(w->name),
               Num(w->tally.blocked_containers), Num(w->tally.broken_objects),
               Printable(BlockedImages(*w))});
  }
  *out += '\n';
  table.Write(out);
}

void SuggestionText(const Report& r, std::string* out) {
  const Suggestion& s = *r.suggestion;
  size_t entries = 0;
  for (const SuggestedPrefix& p : s.prefixes) entries += p.entries.size();
  *out += "\nsuggested allowlist (--match " + std::string(MatchModeName(r.options->match)) +
          "): " + Num(s.prefixes.size()) + " prefixes (" + Num(entries) + " entries) admit " +
          Num(s.covered) + " of " + Num(s.total) + " containers (" + Percent(s.covered, s.total) +
          "; target " + Num(s.target) + ")\n";
  if (!s.reachable) {
    *out += "  the target is out of reach: " + Num(s.total - s.covered) +
            " containers have an invalid image reference, which a suggestion does not count\n";
  }
  if (s.prefixes.empty()) return;
  TextTable table({"PREFIX", "CONTAINERS", "SHARE", "CUMULATIVE", "ENTRIES"});
  table.set_numeric_columns(1, 4);
  uint64_t cumulative = 0;
  for (const SuggestedPrefix& p : s.prefixes) {
    cumulative += p.containers;
    std::string entries_cell;
    for (const std::string& e : p.entries) {
      if (!entries_cell.empty()) entries_cell += ' ';
      entries_cell += Printable(e);
    }
    table.Row({Printable(p.prefix) + (p.is_registry ? " (registry)" : ""), Num(p.containers),
               Percent(p.containers, s.total), Percent(cumulative, s.total), entries_cell});
  }
  *out += '\n';
  table.Write(out);
  // Valid references only: no quote or space needs escaping in a shell or in YAML.
  *out += "\n";
  for (const SuggestedPrefix& p : s.prefixes) {
    for (const std::string& e : p.entries) *out += "--allow " + Printable(e) + " ";
  }
  if (out->back() == ' ') out->pop_back();
  *out += "\n\n";
  if (r.options->match == MatchMode::kReference) {
    *out +=
        "# --match reference entries: Gatekeeper compares raw prefixes; suggest with\n"
        "# --match gatekeeper for entries that admit the same containers in the cluster.\n";
  }
  *out +=
      "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sAllowedRepos\nmetadata:\n"
      "  name: suggested-allowlist\nspec:\n  match:\n    kinds:\n      - apiGroups: [\"\"]\n"
      "        kinds: [\"Pod\"]\n  parameters:\n    repos:\n";
  for (const SuggestedPrefix& p : s.prefixes) {
    for (const std::string& e : p.entries) *out += "      - \"" + Printable(e) + "\"\n";
  }
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
  if (!r.workloads.empty()) {
    *out += '\n';
    WorkloadTable(r, out);
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
    WhatBreaks(r, out);
  }
  if (r.suggestion != nullptr) SuggestionText(r, out);
}

}  // namespace gatescan::inventory_internal
