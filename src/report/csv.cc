// csv.cc — one row per violation: RFC 4180, formula-looking cells neutralised
// (OWASP CSV injection), the header even when there is no row.

#include "fields.h"
#include "gatescan/common/quote.h"

namespace gatescan::report_internal {
namespace {

class CsvReporter final : public Reporter {
 public:
  CsvReporter(const Policy& policy, const ReportOptions& options)
      : policy_(policy), baseline_column_(options.baseline_column) {}

  void FormatObject(const ObjectRecord& object, std::span<const Violation> violations,
                    const RecordOrigin& origin, std::string* chunk) const override {
    const ObjectFields fields = MakeObjectFields(object, origin);
    for (const Violation& v : violations) {
      const auto cells =
          ViolationFieldValues(policy_.constraints[v.constraint], object, fields, v, origin);
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
    // Last, so that consumers of the columns above read them where they were
    // (the baseline marker appends each row's cell).
    if (baseline_column_) header.append(",baseline");
    return sink->Write(header.append("\r\n"));
  }

  const Policy& policy_;
  bool baseline_column_;
  bool header_written_ = false;
};

}  // namespace

std::unique_ptr<Reporter> MakeCsvReporter(const Policy& policy, const ReportOptions& options) {
  return std::make_unique<CsvReporter>(policy, options);
}

}  // namespace gatescan::report_internal
