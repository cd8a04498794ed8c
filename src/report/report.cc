// report.cc — the output formats and the sinks they write to.
//
// Streaming formats (text, ndjson, csv) format complete lines in the parallel
// stage and the serial stage only writes them. gator and audit need every
// result before printing, so their chunks are compact length-prefixed records
// that Consume() decodes and keeps; audit-log is streamed too but its
// chunks carry the constraint index so Consume() can count per constraint.
#include "gatescan/report/report.h"

#include <errno.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <map>
#include <queue>
#include <tuple>
#include <utility>
#include <vector>

#include "gatescan/common/chunk_codec.h"
#include "gatescan/common/quote.h"

namespace gatescan {
namespace {

// ---------------------------------------------------------------------------
// Small shared pieces.

std::string_view ContainerTypeWord(ContainerList list) {
  switch (list) {
    case ContainerList::kContainers:
      return "container";
    case ContainerList::kInitContainers:
      return "initContainer";
    case ContainerList::kEphemeralContainers:
      return "ephemeralContainer";
  }
  return "container";
}

struct GroupVersion {
  std::string_view group;
  std::string_view version;
};

// "apps/v1" -> (apps, v1); "v1" -> ("", v1), as schema.ParseGroupVersion.
GroupVersion SplitGroupVersion(std::string_view api_version) {
  const size_t slash = api_version.find('/');
  if (slash == std::string_view::npos) return {{}, api_version};
  return {api_version.substr(0, slash), api_version.substr(slash + 1)};
}

void AppendUint(uint64_t value, std::string* out) {
  char buf[24];
  const int n = std::snprintf(buf, sizeof buf, "%" PRIu64, value);
  out->append(buf, static_cast<size_t>(n));
}

std::string_view SourceName(const RecordOrigin& origin) {
  return origin.input != nullptr ? std::string_view(origin.input->display_name)
                                 : std::string_view();
}

// The fields of a violation record, in the order ndjson writes them as keys
// and CSV as columns (README lists them). `offset` is the decimal text.
constexpr std::array<std::string_view, 15> kViolationFieldNames = {
    "constraint_kind", "constraint", "enforcement_action",
    "group",           "version",    "kind",
    "namespace",       "name",       "container_type",
    "container",       "image",      "message",
    "implied_by",      "source",     "offset"};
constexpr size_t kImpliedByField = 12;
constexpr size_t kOffsetField = 14;
static_assert(kViolationFieldNames[kImpliedByField] == "implied_by");
static_assert(kViolationFieldNames[kOffsetField] == "offset");

std::array<std::string_view, kViolationFieldNames.size()> ViolationFieldValues(
    const Constraint& c, const ObjectRecord& object, const GroupVersion& gv, const Violation& v,
    const RecordOrigin& origin, std::string_view offset) {
  return {c.kind,
          c.name,
          ActionName(v.action),
          gv.group,
          gv.version,
          object.kind,
          object.ns,
          object.name,
          ContainerTypeWord(v.list),
          v.container_name,
          v.image,
          v.message,
          v.implied_by,
          SourceName(origin),
          offset};
}

// Gatekeeper's truncateString(msg, 256): the first 253 bytes and "...".
std::string_view MaybeTruncate(std::string_view message, bool truncate, std::string* storage) {
  constexpr size_t kMessageSize = 256;
  if (!truncate || message.size() <= kMessageSize) return message;
  storage->assign(message.substr(0, kMessageSize - 3));
  storage->append("...");
  return *storage;
}

// For a terminal: everything Go would not print (controls, C1, bidi
// overrides, invalid bytes ...) is shown as its Go escape, so a name or
// message cannot move the cursor or reorder the line.
void AppendTerminalSafe(std::string_view s, std::string* out) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      out->push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    char32_t rune = 0;
    size_t n = c < 0x80 ? 1 : DecodeUtf8(s, i, &rune);
    if (n > 1 && GoIsPrint(rune)) {
      out->append(s.substr(i, n));
      i += n;
      continue;
    }
    if (n == 0) n = 1;
    const std::string quoted = GoQuote(s.substr(i, n));
    out->append(quoted, 1, quoted.size() - 2);
    i += n;
  }
}

// Go's %q of the object as gator prints it: "<apiVersion>/<Kind> [<ns>/]<name>".
void AppendObjectLabel(const ObjectRecord& object, std::string* out) {
  out->append(object.api_version);
  out->push_back('/');
  out->append(object.kind);
  out->push_back(' ');
  if (!object.ns.empty()) {
    out->append(object.ns);
    out->push_back('/');
  }
  out->append(object.name);
}

// ---------------------------------------------------------------------------
// Sinks.

class FdSink final : public OutputSink {
 public:
  explicit FdSink(int fd) : fd_(fd) { buffer_.reserve(kBufferSize); }
  ~FdSink() override { (void)Flush(); }

  Status Write(std::string_view bytes) override {
    if (closed_ || !error_.ok()) return error_;
    if (buffer_.size() + bytes.size() <= kBufferSize) {
      buffer_.append(bytes);
      return Status::Ok();
    }
    if (Status s = Flush(); !s.ok() || closed_) return s;
    if (bytes.size() >= kBufferSize) return WriteAll(bytes);
    buffer_.append(bytes);
    return Status::Ok();
  }

  Status Flush() override {
    if (closed_ || !error_.ok()) return error_;
    Status s = WriteAll(buffer_);
    buffer_.clear();
    return s;
  }

 private:
  static constexpr size_t kBufferSize = 64 * 1024;

  Status WriteAll(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n >= 0) {
        bytes.remove_prefix(static_cast<size_t>(n));
        continue;
      }
      if (errno == EINTR) continue;
      if (errno == EPIPE) {
        closed_ = true;
        return Status::Ok();
      }
      error_ = Status::Error(std::string("standard output: ") + std::strerror(errno));
      return error_;
    }
    return Status::Ok();
  }

  int fd_;
  std::string buffer_;
  Status error_;
};

class StringSink final : public OutputSink {
 public:
  explicit StringSink(std::string* target) : target_(target) {}
  Status Write(std::string_view bytes) override {
    target_->append(bytes);
    return Status::Ok();
  }

 private:
  std::string* target_;
};

// ---------------------------------------------------------------------------
// text (SPEC §5).

class TextReporter final : public Reporter {
 public:
  TextReporter(const Policy& policy, const ReportOptions& options)
      : policy_(policy), options_(options) {}

  void FormatObject(const ObjectRecord& object, std::span<const Violation> violations,
                    const RecordOrigin&, std::string* chunk) const override {
    for (const Violation& v : violations) {
      if (v.effective == EnforcementAction::kWarn || v.effective == EnforcementAction::kDryrun) {
        const std::string_view prefix =
            v.effective == EnforcementAction::kWarn ? "warn: " : "dryrun: ";
        Colored(v.effective == EnforcementAction::kWarn ? kYellow : kCyan, prefix, chunk);
      }
      Append(object.api_version, chunk);
      chunk->push_back('/');
      Append(object.kind, chunk);
      chunk->push_back(' ');
      if (!object.ns.empty()) {
        Append(object.ns, chunk);
        chunk->push_back('/');
      }
      Append(object.name, chunk);
      chunk->append(": [");
      Colored(kMagenta, policy_.constraints[v.constraint].name, chunk);
      chunk->append("] ");
      Append(v.message, chunk);
      chunk->push_back('\n');
    }
  }

  // Errors are diagnostics: the CLI prints them on standard error.
  void FormatError(const ScanError&, std::string*) const override {}

  Status Finish(const ScanSummary&, OutputSink* sink) override { return sink->Flush(); }

 private:
  static constexpr std::string_view kYellow = "\x1b[33m";
  static constexpr std::string_view kCyan = "\x1b[36m";
  static constexpr std::string_view kMagenta = "\x1b[35m";
  static constexpr std::string_view kReset = "\x1b[0m";

  void Append(std::string_view s, std::string* out) const {
    if (options_.escape_control) {
      AppendTerminalSafe(s, out);
    } else {
      out->append(s);
    }
  }

  void Colored(std::string_view color, std::string_view s, std::string* out) const {
    if (options_.color) out->append(color);
    Append(s, out);
    if (options_.color) out->append(kReset);
  }

  const Policy& policy_;
  ReportOptions options_;
};

// ---------------------------------------------------------------------------
// gator: `gator test` sorts every result of the run by (action, message)
// with a stable sort, then prints `%s: [%q] Message: %q`.

class GatorReporter final : public Reporter {
 public:
  explicit GatorReporter(const Policy& policy) : policy_(policy) {}

  // Record: action byte, message, finished line.
  void FormatObject(const ObjectRecord& object, std::span<const Violation> violations,
                    const RecordOrigin&, std::string* chunk) const override {
    std::string line;
    for (const Violation& v : violations) {
      line.clear();
      AppendObjectLabel(object, &line);
      line.append(": [");
      AppendGoQuoted(policy_.constraints[v.constraint].name, &line);
      line.append("] Message: ");
      AppendGoQuoted(v.message, &line);
      line.push_back('\n');
      PutU8(static_cast<uint8_t>(v.action), chunk);
      PutBytes(v.message, chunk);
      PutBytes(line, chunk);
    }
  }

  void FormatError(const ScanError&, std::string*) const override {}

  Status Consume(std::string_view chunk, OutputSink*) override {
    for (ChunkReader reader(chunk); !reader.done();) {
      Result result;
      result.action = reader.U8();
      const std::string_view message = reader.Bytes();
      const std::string_view line = reader.Bytes();
      result.message_offset = store_.size();
      result.message_size = message.size();
      store_.append(message);
      result.line_offset = store_.size();
      result.line_size = line.size();
      store_.append(line);
      results_.push_back(result);
    }
    return Status::Ok();
  }

  Status Finish(const ScanSummary&, OutputSink* sink) override {
    const std::string_view store = store_;
    std::stable_sort(results_.begin(), results_.end(), [store](const Result& a, const Result& b) {
      if (a.action != b.action) return a.action < b.action;
      return store.substr(a.message_offset, a.message_size) <
             store.substr(b.message_offset, b.message_size);
    });
    for (const Result& r : results_) {
      if (Status s = sink->Write(store.substr(r.line_offset, r.line_size)); !s.ok()) return s;
      if (sink->closed()) break;
    }
    return sink->Flush();
  }

 private:
  // Offsets into one store, so millions of results cost no allocations each.
  struct Result {
    uint8_t action = 0;  // EnforcementAction, ordered like its string
    size_t message_offset = 0, message_size = 0;
    size_t line_offset = 0, line_size = 0;
  };

  const Policy& policy_;
  std::string store_;
  std::vector<Result> results_;
};

// ---------------------------------------------------------------------------
// ndjson.

class NdjsonReporter final : public Reporter {
 public:
  explicit NdjsonReporter(const Policy& policy) : policy_(policy) {}

  void FormatObject(const ObjectRecord& object, std::span<const Violation> violations,
                    const RecordOrigin& origin, std::string* chunk) const override {
    const GroupVersion gv = SplitGroupVersion(object.api_version);
    std::string offset;
    AppendUint(origin.offset, &offset);
    for (const Violation& v : violations) {
      const auto values =
          ViolationFieldValues(policy_.constraints[v.constraint], object, gv, v, origin, offset);
      chunk->append("{\"type\":\"violation\"");
      for (size_t i = 0; i < kOffsetField; ++i) {
        if (i == kImpliedByField && values[i].empty()) continue;  // only with --expand
        Field(kViolationFieldNames[i], values[i], chunk);
      }
      chunk->append(",\"offset\":").append(offset).append("}\n");  // a number
    }
  }

  void FormatError(const ScanError& error, std::string* chunk) const override {
    chunk->append("{\"type\":\"error\"");
    Field("source", SourceName(error.origin), chunk);
    chunk->append(",\"offset\":");
    AppendUint(error.origin.offset, chunk);
    chunk->append(",\"index\":");
    AppendUint(error.origin.index, chunk);
    Field("message", error.message, chunk);
    chunk->append("}\n");
  }

  Status Finish(const ScanSummary& summary, OutputSink* sink) override {
    std::string line = "{\"type\":\"summary\"";
    const std::pair<const char*, uint64_t> counts[] = {
        {"inputs", summary.inputs},         {"bytes", summary.bytes},
        {"objects", summary.objects},       {"containers", summary.containers},
        {"violations", summary.violations}, {"errors", summary.errors},
    };
    for (const auto& [key, value] : counts) {
      line.append(",\"").append(key).append("\":");
      AppendUint(value, &line);
    }
    char seconds[48];
    std::snprintf(seconds, sizeof seconds, ",\"seconds\":%.6f}\n",
                  summary.seconds >= 0 ? summary.seconds : 0.0);
    line.append(seconds);
    if (Status s = sink->Write(line); !s.ok()) return s;
    return sink->Flush();
  }

 private:
  static void Field(std::string_view key, std::string_view value, std::string* out) {
    out->append(",\"").append(key).append("\":");
    AppendJsonString(value, out);
  }

  const Policy& policy_;
};

// ---------------------------------------------------------------------------
// csv: RFC 4180, formula-looking cells neutralised (OWASP CSV injection).

class CsvReporter final : public Reporter {
 public:
  explicit CsvReporter(const Policy& policy) : policy_(policy) {}

  void FormatObject(const ObjectRecord& object, std::span<const Violation> violations,
                    const RecordOrigin& origin, std::string* chunk) const override {
    const GroupVersion gv = SplitGroupVersion(object.api_version);
    std::string offset;
    AppendUint(origin.offset, &offset);
    for (const Violation& v : violations) {
      const auto cells =
          ViolationFieldValues(policy_.constraints[v.constraint], object, gv, v, origin, offset);
      for (size_t i = 0; i < cells.size(); ++i) {
        if (i > 0) chunk->push_back(',');
        AppendCsvCell(cells[i], chunk);
      }
      chunk->append("\r\n");
    }
  }

  // Errors are not rows: the CLI prints them on standard error.
  void FormatError(const ScanError&, std::string*) const override {}

  Status Consume(std::string_view chunk, OutputSink* sink) override {
    if (Status s = WriteHeader(sink); !s.ok()) return s;
    return sink->Write(chunk);
  }

  Status Finish(const ScanSummary&, OutputSink* sink) override {
    if (Status s = WriteHeader(sink); !s.ok()) return s;
    return sink->Flush();
  }

 private:
  Status WriteHeader(OutputSink* sink) {
    if (header_written_) return Status::Ok();
    header_written_ = true;
    std::string header;
    for (std::string_view name : kViolationFieldNames) {
      header.append(header.empty() ? "" : ",").append(name);
    }
    return sink->Write(header.append("\r\n"));
  }

  const Policy& policy_;
  bool header_written_ = false;
};

// ---------------------------------------------------------------------------
// audit: the constraints as `kubectl get <kinds> -o json` shows them after a
// Gatekeeper (>= 3.16) audit. Gatekeeper keeps each constraint's violations
// in a max-heap capped at the limit (popping the largest when over), so the
// status holds the smallest by (group, version, kind, namespace, name,
// message, action), and pops them out largest first.

// A JSON writer with kubectl's layout: json.MarshalIndent(obj, "", "    "),
// map keys sorted (callers write them in order), HTML characters escaped.
class IndentedJson {
 public:
  explicit IndentedJson(std::string* out) : out_(out) {}
  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  void Key(std::string_view key) {
    Separate();
    AppendJsonString(key, out_, true);
    out_->append(": ");
    after_key_ = true;
  }
  void String(std::string_view value) {
    Separate();
    AppendJsonString(value, out_, true);
  }
  void Number(uint64_t value) {
    Separate();
    AppendUint(value, out_);
  }

 private:
  void Separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!counts_.empty()) {
      if (counts_.back()++ > 0) out_->push_back(',');
      NewLine(counts_.size());
    }
  }
  void Open(char c) {
    Separate();
    out_->push_back(c);
    counts_.push_back(0);
  }
  void Close(char c) {
    const bool empty = counts_.back() == 0;
    counts_.pop_back();
    if (!empty) NewLine(counts_.size());
    out_->push_back(c);
  }
  void NewLine(size_t depth) {
    out_->push_back('\n');
    out_->append(depth * 4, ' ');
  }

  std::string* out_;
  std::vector<size_t> counts_;
  bool after_key_ = false;
};

struct StatusViolation {
  std::string group, version, kind, ns, name, message;
  std::string_view action;

  auto Key() const { return std::tie(group, version, kind, ns, name, message, action); }
  bool operator<(const StatusViolation& other) const { return Key() < other.Key(); }
};

class AuditReporter final : public Reporter {
 public:
  AuditReporter(const Policy& policy, const ReportOptions& options)
      : policy_(policy), options_(options), per_constraint_(policy.constraints.size()) {}

  // Record: constraint index, action byte, group, version, kind, ns, name, message.
  void FormatObject(const ObjectRecord& object, std::span<const Violation> violations,
                    const RecordOrigin&, std::string* chunk) const override {
    const GroupVersion gv = SplitGroupVersion(object.api_version);
    std::string truncated;
    for (const Violation& v : violations) {
      PutU32(v.constraint, chunk);
      PutU8(static_cast<uint8_t>(v.action), chunk);
      PutBytes(gv.group, chunk);
      PutBytes(gv.version, chunk);
      PutBytes(object.kind, chunk);
      PutBytes(object.ns, chunk);
      PutBytes(object.name, chunk);
      PutBytes(MaybeTruncate(v.message, options_.truncate_messages, &truncated), chunk);
    }
  }

  void FormatError(const ScanError&, std::string*) const override {}

  Status Consume(std::string_view chunk, OutputSink*) override {
    for (ChunkReader reader(chunk); !reader.done();) {
      const uint32_t constraint = reader.U32();
      StatusViolation sv;
      sv.action = ActionName(static_cast<EnforcementAction>(reader.U8()));
      sv.group = reader.Bytes();
      sv.version = reader.Bytes();
      sv.kind = reader.Bytes();
      sv.ns = reader.Bytes();
      sv.name = reader.Bytes();
      sv.message = reader.Bytes();
      if (constraint >= per_constraint_.size()) continue;
      Collected& collected = per_constraint_[constraint];
      ++collected.total;
      if (options_.violations_limit == 0) continue;
      collected.heap.push(std::move(sv));
      if (options_.violations_limit > 0 &&
          collected.heap.size() > static_cast<uint64_t>(options_.violations_limit)) {
        collected.heap.pop();
      }
    }
    return Status::Ok();
  }

  Status Finish(const ScanSummary&, OutputSink* sink) override {
    std::string out;
    IndentedJson json(&out);
    json.BeginObject();
    json.Key("apiVersion");
    json.String("v1");
    json.Key("items");
    json.BeginArray();
    for (size_t i = 0; i < policy_.constraints.size(); ++i) {
      WriteConstraint(policy_.constraints[i], &per_constraint_[i], &json);
    }
    json.EndArray();
    json.Key("kind");
    json.String("List");
    json.Key("metadata");
    json.BeginObject();
    json.Key("resourceVersion");
    json.String("");
    json.EndObject();
    json.EndObject();
    out.push_back('\n');
    if (Status s = sink->Write(out); !s.ok()) return s;
    return sink->Flush();
  }

 private:
  struct Collected {
    uint64_t total = 0;
    std::priority_queue<StatusViolation> heap;  // top is the largest
  };

  static void StringMap(const std::map<std::string, std::string>& map, IndentedJson* json) {
    json->BeginObject();
    for (const auto& [key, value] : map) {
      json->Key(key);
      json->String(value);
    }
    json->EndObject();
  }

  void WriteConstraint(const Constraint& c, Collected* collected, IndentedJson* json) const {
    json->BeginObject();
    json->Key("apiVersion");
    json->String(c.api_version);
    json->Key("kind");
    json->String(c.kind);
    json->Key("metadata");
    json->BeginObject();
    if (!c.annotations.empty()) {
      json->Key("annotations");
      StringMap(c.annotations, json);
    }
    if (!c.labels.empty()) {
      json->Key("labels");
      StringMap(c.labels, json);
    }
    json->Key("name");
    json->String(c.name);
    json->EndObject();

    json->Key("spec");
    json->BeginObject();
    json->Key("enforcementAction");
    json->String(ActionName(c.action));
    if (c.has_list && c.template_index < policy_.templates.size()) {
      json->Key("parameters");
      json->BeginObject();
      json->Key(policy_.templates[c.template_index].parameter);
      json->BeginArray();
      for (const std::string& entry : c.entries) json->String(entry);
      json->EndArray();
      json->EndObject();
    }
    if (!c.scoped_actions.empty()) {
      json->Key("scopedEnforcementActions");
      json->BeginArray();
      for (const ScopedEnforcementAction& scoped : c.scoped_actions) {
        json->BeginObject();
        json->Key("action");
        json->String(scoped.action);
        json->Key("enforcementPoints");
        json->BeginArray();
        for (const std::string& point : scoped.enforcement_points) {
          json->BeginObject();
          json->Key("name");
          json->String(point);
          json->EndObject();
        }
        json->EndArray();
        json->EndObject();
      }
      json->EndArray();
    }
    json->EndObject();

    json->Key("status");
    json->BeginObject();
    json->Key("auditTimestamp");
    json->String(options_.timestamp);
    json->Key("totalViolations");
    json->Number(collected->total);
    // Gatekeeper drops the field when there is nothing to list.
    if (!collected->heap.empty()) {
      json->Key("violations");
      json->BeginArray();
      for (; !collected->heap.empty(); collected->heap.pop()) {
        const StatusViolation& sv = collected->heap.top();
        json->BeginObject();
        json->Key("enforcementAction");
        json->String(sv.action);
        json->Key("group");
        json->String(sv.group);
        json->Key("kind");
        json->String(sv.kind);
        json->Key("message");
        json->String(sv.message);
        json->Key("name");
        json->String(sv.name);
        if (!sv.ns.empty()) {
          json->Key("namespace");
          json->String(sv.ns);
        }
        json->Key("version");
        json->String(sv.version);
        json->EndObject();
      }
      json->EndArray();
    }
    json->EndObject();
    json->EndObject();
  }

  const Policy& policy_;
  ReportOptions options_;
  std::vector<Collected> per_constraint_;
};

// ---------------------------------------------------------------------------
// audit-log: the zap JSON lines of Gatekeeper's audit (pkg/audit/manager.go
// logStart / logViolation / logConstraint / logFinish), unsampled.

class AuditLogReporter final : public Reporter {
 public:
  AuditLogReporter(const Policy& policy, const ReportOptions& options)
      : policy_(policy),
        options_(options),
        ts_(EpochSeconds(options.timestamp)),
        totals_(policy.constraints.size()) {}

  // Record: constraint index, finished line.
  void FormatObject(const ObjectRecord& object, std::span<const Violation> violations,
                    const RecordOrigin& origin, std::string* chunk) const override {
    if (violations.empty()) return;
    const GroupVersion gv = SplitGroupVersion(object.api_version);
    std::vector<Label> labels(origin.labels.begin(), origin.labels.end());
    std::stable_sort(labels.begin(), labels.end(),
                     [](const Label& a, const Label& b) { return a.key < b.key; });
    std::string line;
    std::string truncated;
    for (const Violation& v : violations) {
      const Constraint& c = policy_.constraints[v.constraint];
      const GroupVersion cgv = SplitGroupVersion(c.api_version);
      line.clear();
      Begin(MaybeTruncate(v.message, options_.truncate_messages, &truncated), &line);
      line.append(",\"details\":{}");
      Field("event_type", "violation_audited", &line);
      Field("constraint_group", cgv.group, &line);
      Field("constraint_api_version", cgv.version, &line);
      Field("constraint_kind", c.kind, &line);
      Field("constraint_name", c.name, &line);
      Field("constraint_namespace", "", &line);
      Field("constraint_action", ActionName(v.action), &line);
      line.append(",\"constraint_enforcement_actions\":[");
      if (v.action == EnforcementAction::kScoped) AppendAuditActions(c, &line);
      line.append("],\"constraint_annotations\":");
      AppendAnnotations(c, &line);
      Field("resource_group", gv.group, &line);
      Field("resource_api_version", gv.version, &line);
      Field("resource_kind", object.kind, &line);
      Field("resource_namespace", object.ns, &line);
      Field("resource_name", object.name, &line);
      line.append(",\"resource_labels\":");
      if (labels.empty()) {
        line.append("null");
      } else {
        line.push_back('{');
        for (size_t i = 0; i < labels.size(); ++i) {
          if (i > 0) line.push_back(',');
          AppendJsonString(labels[i].key, &line);
          line.push_back(':');
          AppendJsonString(labels[i].value, &line);
        }
        line.push_back('}');
      }
      line.append("}\n");
      PutU32(v.constraint, chunk);
      PutBytes(line, chunk);
    }
  }

  void FormatError(const ScanError&, std::string*) const override {}

  Status Consume(std::string_view chunk, OutputSink* sink) override {
    if (Status s = Start(sink); !s.ok()) return s;
    std::string lines;
    for (ChunkReader reader(chunk); !reader.done();) {
      const uint32_t constraint = reader.U32();
      if (constraint < totals_.size()) ++totals_[constraint];
      lines.append(reader.Bytes());
    }
    return sink->Write(lines);
  }

  Status Finish(const ScanSummary&, OutputSink* sink) override {
    if (Status s = Start(sink); !s.ok()) return s;
    std::string lines;
    for (size_t i = 0; i < totals_.size(); ++i) {
      if (totals_[i] == 0) continue;
      const Constraint& c = policy_.constraints[i];
      const GroupVersion cgv = SplitGroupVersion(c.api_version);
      Begin("audit results for constraint", &lines);
      Field("event_type", "constraint_audited", &lines);
      Field("constraint_group", cgv.group, &lines);
      Field("constraint_api_version", cgv.version, &lines);
      Field("constraint_kind", c.kind, &lines);
      Field("constraint_name", c.name, &lines);
      Field("constraint_namespace", "", &lines);
      Field("constraint_action", ActionName(c.action), &lines);
      Field("constraint_status", "enforced", &lines);
      std::string count;
      AppendUint(totals_[i], &count);
      Field("constraint_violations", count, &lines);
      lines.append("}\n");
    }
    Begin("auditing is complete", &lines);
    Field("event_type", "audit_finished", &lines);
    lines.append("}\n");
    if (Status s = sink->Write(lines); !s.ok()) return s;
    return sink->Flush();
  }

 private:
  // zap's epoch encoder prints float seconds; the audit id has whole seconds.
  static uint64_t EpochSeconds(const std::string& rfc3339) {
    struct tm tm = {};
    if (::strptime(rfc3339.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) return 0;
    const time_t t = ::timegm(&tm);
    return t > 0 ? static_cast<uint64_t>(t) : 0;
  }

  static void Field(std::string_view key, std::string_view value, std::string* out) {
    out->append(",\"").append(key).append("\":");
    AppendJsonString(value, out);
  }

  // level, ts, logger, msg, then the logger's values process and audit_id.
  void Begin(std::string_view msg, std::string* out) const {
    out->append("{\"level\":\"info\",\"ts\":");
    AppendUint(ts_, out);
    out->append(",\"logger\":\"controller\",\"msg\":");
    AppendJsonString(msg, out);
    Field("process", "audit", out);
    Field("audit_id", options_.timestamp, out);
  }

  Status Start(OutputSink* sink) {
    if (started_) return Status::Ok();
    started_ = true;
    std::string line;
    Begin("auditing constraints and violations", &line);
    Field("event_type", "audit_started", &line);
    line.append("}\n");
    return sink->Write(line);
  }

  // The actions a scoped constraint takes at the audit enforcement point.
  static void AppendAuditActions(const Constraint& c, std::string* out) {
    bool first = true;
    for (const ScopedEnforcementAction& scoped : c.scoped_actions) {
      const bool audit =
          std::any_of(scoped.enforcement_points.begin(), scoped.enforcement_points.end(),
                      [](const std::string& p) { return p == "audit.gatekeeper.sh" || p == "*"; });
      if (!audit) continue;
      if (!first) out->push_back(',');
      first = false;
      AppendJsonString(scoped.action, out);
    }
  }

  // Gatekeeper drops kubectl's last-applied-configuration; a nil map is null.
  static void AppendAnnotations(const Constraint& c, std::string* out) {
    bool first = true;
    for (const auto& [key, value] : c.annotations) {
      if (key == "kubectl.kubernetes.io/last-applied-configuration") continue;
      out->push_back(first ? '{' : ',');
      first = false;
      AppendJsonString(key, out);
      out->push_back(':');
      AppendJsonString(value, out);
    }
    out->append(first ? "null" : "}");
  }

  const Policy& policy_;
  ReportOptions options_;
  uint64_t ts_ = 0;
  bool started_ = false;
  std::vector<uint64_t> totals_;
};

}  // namespace

bool ParseOutputFormat(std::string_view name, OutputFormat* out) {
  static constexpr std::pair<std::string_view, OutputFormat> kFormats[] = {
      {"text", OutputFormat::kText},     {"gator", OutputFormat::kGator},
      {"ndjson", OutputFormat::kNdjson}, {"csv", OutputFormat::kCsv},
      {"audit", OutputFormat::kAudit},   {"audit-log", OutputFormat::kAuditLog},
  };
  for (const auto& [word, format] : kFormats) {
    if (name == word) {
      *out = format;
      return true;
    }
  }
  return false;
}

std::unique_ptr<OutputSink> MakeFdSink(int fd) { return std::make_unique<FdSink>(fd); }

std::unique_ptr<OutputSink> MakeStringSink(std::string* target) {
  return std::make_unique<StringSink>(target);
}

std::unique_ptr<Reporter> MakeReporter(OutputFormat format, const Policy& policy,
                                       const ReportOptions& options) {
  switch (format) {
    case OutputFormat::kText:
      return std::make_unique<TextReporter>(policy, options);
    case OutputFormat::kGator:
      return std::make_unique<GatorReporter>(policy);
    case OutputFormat::kNdjson:
      return std::make_unique<NdjsonReporter>(policy);
    case OutputFormat::kCsv:
      return std::make_unique<CsvReporter>(policy);
    case OutputFormat::kAudit:
      return std::make_unique<AuditReporter>(policy, options);
    case OutputFormat::kAuditLog:
      return std::make_unique<AuditLogReporter>(policy, options);
  }
  return nullptr;
}

}  // namespace gatescan
