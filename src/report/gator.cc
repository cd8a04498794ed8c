// gator.cc — gator: `gator test` sorts every result of the run by (action, message)
// with a stable sort, then prints `%s: [%q] Message: %q`.
//
// Records in the chunk: action byte, message, finished line; Consume() keeps
// them and Finish() sorts and prints.

#include <algorithm>
#include <vector>

#include "fields.h"
#include "gatescan/common/chunk_codec.h"
#include "gatescan/common/quote.h"

namespace gatescan::report_internal {
namespace {

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

}  // namespace

std::unique_ptr<Reporter> MakeGatorReporter(const Policy& policy) {
  return std::make_unique<GatorReporter>(policy);
}

}  // namespace gatescan::report_internal
