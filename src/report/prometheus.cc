// prometheus.cc — Prometheus text exposition (-o prometheus), for
// node_exporter's textfile collector: violations by constraint, namespace and
// enforcement action (with --baseline also by a "baseline" label, "known" or
// "new", so that a dashboard can alert on new findings only); objects,
// containers, inputs, bytes and errors scanned; the scan's duration and
// timestamp. Everything is written at the end: the serial stage only adds up
// (constraint, namespace, action, known) counts, so memory is bounded by
// constraints x namespaces. Checked with `promtool check metrics` in
// tests/formats_test.cc.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <tuple>

#include "fields.h"
#include "gatescan/common/quote.h"
#include "gatescan/report/baseline.h"

namespace gatescan::report_internal {
namespace {

// A label value: valid UTF-8 (invalid bytes become U+FFFD, as the exposition
// format requires UTF-8), with \, " and newline escaped.
void AppendLabelValue(std::string_view s, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    char32_t rune = 0;
    const size_t n = DecodeUtf8(s, i, &rune);
    if (n == 0) {
      AppendUtf8(0xFFFD, out);
      ++i;
      continue;
    }
    if (rune == '\\') {
      out->append("\\\\");
    } else if (rune == '"') {
      out->append("\\\"");
    } else if (rune == '\n') {
      out->append("\\n");
    } else {
      out->append(s.substr(i, n));
    }
    i += n;
  }
  out->push_back('"');
}

int64_t EpochSeconds(const std::string& rfc3339) {
  std::tm tm{};
  if (strptime(rfc3339.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm) == nullptr) {
    return static_cast<int64_t>(std::time(nullptr));
  }
  return static_cast<int64_t>(timegm(&tm));
}

class PrometheusReporter final : public Reporter {
 public:
  PrometheusReporter(const Policy& policy, const ReportOptions& options)
      : policy_(policy), options_(options) {}

  // The chunk: per violation, the constraint index, the action, whether the
  // finding is known, and the namespace, length-prefixed.
  void FormatObject(const ObjectRecord& object, std::span<const Violation> violations,
                    const RecordOrigin& origin, std::string* chunk) const override {
    for (const Violation& v : violations) {
      const bool known =
          options_.known != nullptr &&
          IsKnownFinding(policy_, *options_.known, *options_.known_edges, object, origin.labels, v);
      const uint32_t head[4] = {v.constraint, static_cast<uint32_t>(v.action), known ? 1u : 0u,
                                static_cast<uint32_t>(object.ns.size())};
      chunk->append(reinterpret_cast<const char*>(head), sizeof head);
      chunk->append(object.ns);
    }
  }

  Status Consume(std::string_view chunk, OutputSink*) override {
    while (chunk.size() >= 4 * sizeof(uint32_t)) {
      uint32_t head[4];
      std::memcpy(head, chunk.data(), sizeof head);
      chunk.remove_prefix(sizeof head);
      const std::string ns(chunk.substr(0, head[3]));
      chunk.remove_prefix(std::min<size_t>(head[3], chunk.size()));
      ++counts_[{head[0], ns, head[1], head[2]}];
    }
    return Status::Ok();
  }

  Status Finish(const ScanSummary& summary, OutputSink* sink) override {
    std::string out;
    auto header = [&out](const char* name, const char* help) {
      out.append("# HELP ").append(name).append(" ").append(help).append("\n");
      out.append("# TYPE ").append(name).append(" gauge\n");
    };
    header("gatescan_violations",
           "Violations found by the last scan, by constraint, namespace and enforcement action.");
    for (const auto& [key, count] : counts_) {
      const auto& [constraint, ns, action, known] = key;
      const Constraint& c = policy_.constraints[constraint];
      out.append("gatescan_violations{constraint_kind=");
      AppendLabelValue(c.kind, &out);
      out.append(",constraint=");
      AppendLabelValue(c.name, &out);
      out.append(",namespace=");
      AppendLabelValue(ns, &out);
      out.append(",enforcement_action=");
      AppendLabelValue(ActionName(static_cast<EnforcementAction>(action)), &out);
      if (options_.known != nullptr)
        out.append(known != 0 ? ",baseline=\"known\"" : ",baseline=\"new\"");
      out.append("} ");
      AppendUint(count, &out);
      out.push_back('\n');
    }
    const std::pair<const char*, const char*> help[] = {
        {"gatescan_scan_violations", "Violations found by the last scan, all constraints."},
        {"gatescan_objects_scanned", "Objects read by the last scan."},
        {"gatescan_containers_scanned", "Containers read by the last scan."},
        {"gatescan_inputs_scanned", "Input files read by the last scan."},
        {"gatescan_input_bytes", "Bytes read by the last scan (decompressed)."},
        {"gatescan_scan_errors",
         "Error records of the last scan (unreadable inputs, malformed objects)."},
    };
    const uint64_t values[] = {summary.violations, summary.objects, summary.containers,
                               summary.inputs,     summary.bytes,   summary.errors};
    for (size_t i = 0; i < std::size(values); ++i) {
      header(help[i].first, help[i].second);
      out.append(help[i].first).append(" ");
      AppendUint(values[i], &out);
      out.push_back('\n');
    }
    char line[64];
    header("gatescan_scan_duration_seconds", "Wall-clock duration of the last scan.");
    std::snprintf(line, sizeof line, "gatescan_scan_duration_seconds %.6f\n",
                  summary.seconds >= 0 ? summary.seconds : 0.0);
    out.append(line);
    header("gatescan_scan_timestamp_seconds",
           "When the last scan ran, in seconds since the epoch.");
    std::snprintf(line, sizeof line, "gatescan_scan_timestamp_seconds %lld\n",
                  static_cast<long long>(EpochSeconds(options_.timestamp)));
    out.append(line);
    if (Status s = sink->Write(out); !s.ok()) return s;
    return sink->Flush();
  }

 private:
  const Policy& policy_;
  ReportOptions options_;
  std::map<std::tuple<uint32_t, std::string, uint32_t, uint32_t>, uint64_t> counts_;
};

}  // namespace

std::unique_ptr<Reporter> MakePrometheusReporter(const Policy& policy,
                                                 const ReportOptions& options) {
  return std::make_unique<PrometheusReporter>(policy, options);
}

}  // namespace gatescan::report_internal
