// report.h — turns violations into output: one interface, one writer per format.
//
// A Reporter works in two halves so the pipeline needs no locks. Format*()
// is const and runs in the parallel stage: it appends one object's records to
// that batch's chunk. Consume() and Finish() run in the serial, in-order
// output stage: streaming formats (text, ndjson, csv, audit-log) write chunks
// as they come; formats that need the whole result (gator's global sort, the
// audit List) collect in Consume() and write in Finish(). Output goes through
// an OutputSink, which turns EPIPE into a quiet stop and other write errors
// into a Status.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "gatescan/evaluate/evaluate.h"
#include "gatescan/extract/extract.h"
#include "gatescan/policy/policy.h"
#include "gatescan/common/quote.h"
#include "gatescan/input/source.h"
#include "gatescan/common/status.h"

namespace gatescan {

enum class OutputFormat { kText, kGator, kNdjson, kCsv, kAudit, kAuditLog };
// Parses "text", "gator", ... ; false when unknown.
bool ParseOutputFormat(std::string_view name, OutputFormat* out);

// Where the object came from, for ndjson/csv "source"/"offset" fields.
struct RecordOrigin {
  const InputSpec* input = nullptr;
  uint64_t offset = 0;                 // byte offset of the object in the decompressed input
  uint64_t index = 0;                  // item index in its list / value index in the stream
  std::span<const Label> labels = {};  // the object's metadata.labels (audit-log resource_labels)
};

struct ScanError {
  RecordOrigin origin;
  std::string_view message;  // "malformed JSON: ..." etc.
};

struct ScanSummary {
  uint64_t inputs = 0;
  uint64_t bytes = 0;
  uint64_t objects = 0;
  uint64_t containers = 0;
  uint64_t violations = 0;
  uint64_t errors = 0;
  double seconds = 0;
};

struct ReportOptions {
  bool escape_control = false;     // text: show control characters escaped (a terminal)
  bool color = false;              // text: ANSI colour
  int64_t violations_limit = -1;   // audit: per-constraint cap; -1 unlimited
  bool truncate_messages = false;  // audit/audit-log: Gatekeeper's 256-byte cut
  std::string timestamp;           // RFC 3339 UTC, fixed per run (audit formats)
};

class OutputSink {
 public:
  virtual ~OutputSink() = default;
  // Writes all of `bytes`. A closed pipe sets closed() and returns OK so the
  // scan can stop quietly; other failures return an error.
  virtual Status Write(std::string_view bytes) = 0;
  virtual Status Flush() { return Status::Ok(); }
  bool closed() const { return closed_; }

 protected:
  bool closed_ = false;
};

// Writes to a file descriptor (standard output) with its own buffering.
std::unique_ptr<OutputSink> MakeFdSink(int fd);
// Appends to a string (tests).
std::unique_ptr<OutputSink> MakeStringSink(std::string* target);

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void FormatObject(const ObjectRecord& object, std::span<const Violation> violations,
                            const RecordOrigin& origin, std::string* chunk) const = 0;
  virtual void FormatError(const ScanError& error, std::string* chunk) const = 0;
  // Reports that look at every object, not only those with violations (the
  // inventory), return true here; the pipeline then calls FormatEveryObject
  // for each object that passes the filters, in place of FormatObject.
  virtual bool wants_every_object() const { return false; }
  virtual void FormatEveryObject(const ObjectRecord& object,
                                 std::span<const ContainerRef> containers,
                                 std::span<const Violation> violations, const RecordOrigin& origin,
                                 std::string* chunk) const {
    (void)object, (void)containers, (void)violations, (void)origin, (void)chunk;
  }
  virtual Status Consume(std::string_view chunk, OutputSink* sink) { return sink->Write(chunk); }
  virtual Status Finish(const ScanSummary& summary, OutputSink* sink) = 0;
};

std::unique_ptr<Reporter> MakeReporter(OutputFormat format, const Policy& policy,
                                       const ReportOptions& options);

}  // namespace gatescan
