// html.cc — the inventory as one self-contained page: inline CSS and SVG, no
// script, nothing fetched. Every inserted string goes through Esc().

#include <algorithm>
#include <cstdio>
#include <vector>

#include "aggregate.h"

namespace gatescan::inventory_internal {
namespace {

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

std::string EscList(const std::vector<std::string>& items) {
  if (items.empty()) return "<i>none</i>";
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += "<br>";
    out += "<code>" + Esc(item) + "</code>";
  }
  return out;
}

// What the page was made from, so that a forwarded report says what it is.
void HtmlInputs(const Report& r, std::string* out) {
  const InventoryInputs& in = r.options->inputs;
  auto row = [&](std::string_view key, const std::string& html_value) {
    *out += "<tr><th>" + std::string(key) + "</th><td>" + html_value + "</td></tr>\n";
  };
  *out += "<h2>Inputs</h2>\n<table id=\"inputs\">\n";
  row("files", in.files.empty() ? "<i>standard input</i>" : EscList(in.files));
  row("files read", Num(r.inputs_read));
  row("policy files", EscList(in.policies));
  row("--allow", EscList(in.allow));
  row("constraints", r.policy != nullptr ? Esc(ConstraintNames(*r.policy)) : "<i>none</i>");
  row("match mode", Esc(MatchModeName(r.options->match)));
  std::string filters;
  for (const std::string& ns : in.namespaces) filters += "-n <code>" + Esc(ns) + "</code> ";
  for (const std::string& ns : in.excluded_namespaces) {
    filters += "--exclude-namespace <code>" + Esc(ns) + "</code> ";
  }
  if (!in.selector.empty()) filters += "-l <code>" + Esc(in.selector) + "</code> ";
  if (in.expand) filters += "--expand";
  row("filters", filters.empty() ? "<i>none</i>" : filters);
  row("gatescan", Esc(in.version));
  row("date (UTC)", Esc(in.date));
  *out += "</table>\n";
}

void HtmlWorkloadName(const Workload& w, std::string* out) {
  *out += "<td>" + (w.ns.empty() ? std::string("<i>cluster</i>") : Esc(w.ns)) + "</td><td>" +
          Esc(w.kind) + "</td><td>" + Esc(w.name) + "</td>";
}

void HtmlWhatBreaks(const Report& r, std::string* out) {
  *out += "<h2>What breaks</h2>\n<p class=\"sub\">" + Num(r.broken_namespaces.size()) +
          " namespaces and " + Num(r.broken_workloads.size()) +
          " workloads have a container the candidate allowlist blocks.</p>\n";
  if (r.broken_namespaces.empty()) return;
  *out +=
      "<table id=\"broken-namespaces\"><tr><th>namespace</th><th class=\"n\">blocked "
      "containers</th><th class=\"n\">broken objects</th><th class=\"n\">broken "
      "workloads</th><th class=\"n\">containers</th></tr>\n";
  for (size_t i = 0; i < r.broken_namespaces.size(); ++i) {
    const NamespaceRow& ns = *r.broken_namespaces[i];
    *out += "<tr><td>" + Esc(ns.name) + "</td>";
    for (uint64_t v : {ns.tally.blocked_containers, ns.tally.broken_objects,
                       r.broken_workloads_per_namespace[i], ns.tally.containers}) {
      *out += "<td class=\"n\">" + Num(v) + "</td>";
    }
    *out += "</tr>\n";
  }
  *out +=
      "</table>\n<p class=\"sub\">Workloads with a blocked container:</p>\n"
      "<table id=\"broken-workloads\"><tr><th>namespace</th><th>kind</th>"
      "<th>workload</th><th class=\"n\">blocked containers</th><th class=\"n\">broken "
      "objects</th><th>blocked images</th></tr>\n";
  for (const Workload* w : r.broken_workloads) {
    *out += "<tr>";
    HtmlWorkloadName(*w, out);
    *out += "<td class=\"n\">" + Num(w->tally.blocked_containers) + "</td><td class=\"n\">" +
            Num(w->tally.broken_objects) + "</td><td class=\"img\">" + Esc(BlockedImages(*w)) +
            "</td></tr>\n";
  }
  *out += "</table>\n";
}

void HtmlWorkloads(const Report& r, std::string* out) {
  *out +=
      "<h2>Workloads</h2>\n<table id=\"workloads\"><tr><th>namespace</th><th>kind</th>"
      "<th>workload</th><th class=\"n\">objects</th><th class=\"n\">containers</th>"
      "<th class=\"n\">images</th>";
  if (r.what_if()) {
    *out += "<th class=\"n\">blocked containers</th><th class=\"n\">broken objects</th>";
  }
  *out += "</tr>\n";
  for (const Workload* w : r.workloads) {
    *out += "<tr>";
    HtmlWorkloadName(*w, out);
    for (uint64_t v : {w->tally.objects, w->tally.containers, uint64_t{w->images.size()}}) {
      *out += "<td class=\"n\">" + Num(v) + "</td>";
    }
    if (r.what_if()) {
      *out += "<td class=\"n\">" + Num(w->tally.blocked_containers) + "</td><td class=\"n\">" +
              Num(w->tally.broken_objects) + "</td>";
    }
    *out += "</tr>\n";
  }
  *out += "</table>\n";
}

void HtmlSuggestion(const Report& r, std::string* out) {
  const Suggestion& s = *r.suggestion;
  *out += "<h2>Suggested allowlist</h2>\n<p class=\"sub\" id=\"suggestion-summary\">" +
          Num(s.prefixes.size()) + " prefixes admit " + Num(s.covered) + " of " + Num(s.total) +
          " containers (" + Percent(s.covered, s.total) + "; target " + Num(s.target) +
          ", --match " + Esc(MatchModeName(r.options->match)) + ")" +
          (s.reachable ? "" : "; the target is out of reach: invalid references") + ".</p>\n";
  *out +=
      "<table id=\"suggestion\"><tr><th>prefix</th><th class=\"n\">containers</th>"
      "<th class=\"n\">share</th><th>--allow entries</th></tr>\n";
  for (const SuggestedPrefix& p : s.prefixes) {
    *out += "<tr><td class=\"img\">" + Esc(p.prefix) + (p.is_registry ? " (registry)" : "") +
            "</td><td class=\"n\">" + Num(p.containers) + "</td><td class=\"n\">" +
            Percent(p.containers, s.total) + "</td><td class=\"img\">" + EscList(p.entries) +
            "</td></tr>\n";
  }
  *out += "</table>\n";
}

}  // namespace

void WriteHtml(const Report& r, std::string* out) {
  const Totals& t = *r.totals;
  const bool w = r.what_if();
  *out += kHtmlHead;
  *out += "<h1>Container image inventory</h1>\n<div class=\"sub\">gatescan inventory: " +
          Num(t.containers) + " containers in " + Num(t.objects_with_containers) +
          " objects</div>\n";
  HtmlInputs(r, out);
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
    HtmlWhatBreaks(r, out);
  }
  if (r.suggestion != nullptr) HtmlSuggestion(r, out);

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

  HtmlWorkloads(r, out);

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

}  // namespace gatescan::inventory_internal
