// text.cc — the text report (SPEC §5): one line per violation, for people.

#include "fields.h"

namespace gatescan::report_internal {
namespace {

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

  void Append(std::string_view s, std::string* out) const { AppendTextField(s, options_, out); }

  void Colored(std::string_view color, std::string_view s, std::string* out) const {
    AppendColoredField(color, s, options_, out);
  }

  const Policy& policy_;
  ReportOptions options_;
};

}  // namespace

std::unique_ptr<Reporter> MakeTextReporter(const Policy& policy, const ReportOptions& options) {
  return std::make_unique<TextReporter>(policy, options);
}

}  // namespace gatescan::report_internal
