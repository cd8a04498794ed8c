// html.cc — the inventory as one self-contained page: inline CSS and SVG, no
// script, nothing fetched. Every inserted string goes through Esc().

#include <algorithm>
#include <cstdio>

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

}  // namespace

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

}  // namespace gatescan::inventory_internal
