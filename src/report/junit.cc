// junit.cc — JUnit XML (-o junit) for CI systems: one testsuite per
// constraint, one testcase per object the constraint checked (its spec.match
// selects it, or it has a violation from it), so a clean object is a passing
// case; a failing case carries its messages (the schema allows one <failure>
// per case: the first message as its attribute, all of them as its text).
// With --baseline a case whose findings are all known is <skipped> (CI then
// fails on new findings only), and in a failing case the known messages
// start with "known: ".
//
// Streams in bounded memory: suites need their counts in their opening tag,
// so each constraint's cases go to an anonymous temporary file in the serial
// stage and are copied out in Finish; only the counts stay in memory. XML
// 1.0 cannot carry control characters or invalid UTF-8: they become U+FFFD.
// Validated against the corpus's JUnit.xsd with xmllint in tests.
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "fields.h"
#include "gatescan/audit/owner.h"
#include "gatescan/common/quote.h"
#include "gatescan/policy/spec_match.h"
#include "gatescan/report/baseline.h"

namespace gatescan::report_internal {
namespace {

void AppendXml(std::string_view s, std::string* out) {
  for (size_t i = 0; i < s.size();) {
    char32_t rune = 0;
    const size_t n = DecodeUtf8(s, i, &rune);
    if (n == 0 || (rune < 0x20 && rune != '\t' && rune != '\n' && rune != '\r') || rune == 0xFFFE ||
        rune == 0xFFFF) {
      AppendUtf8(0xFFFD, out);
      i += n == 0 ? 1 : n;
      continue;
    }
    switch (rune) {
      case '&':
        out->append("&amp;");
        break;
      case '<':
        out->append("&lt;");
        break;
      case '>':
        out->append("&gt;");
        break;
      case '"':
        out->append("&quot;");
        break;
      case '\n':
        out->append("&#10;");  // kept through attribute-value normalisation
        break;
      case '\r':
        out->append("&#13;");
        break;
      case '\t':
        out->append("&#9;");
        break;
      default:
        out->append(s.substr(i, n));
    }
    i += n;
  }
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

class JunitReporter final : public Reporter {
 public:
  JunitReporter(const Policy& policy, const ReportOptions& options)
      : policy_(policy), options_(options), suites_(policy.constraints.size()) {}

  // Everything happens in FormatEveryObject, which sees clean objects too.
  void FormatObject(const ObjectRecord&, std::span<const Violation>, const RecordOrigin&,
                    std::string*) const override {}

  // The chunk: per case, [constraint u32][outcome u32][length u32][xml].
  void FormatEveryObject(const EvaluatedObject& e, std::string* chunk) const override {
    const ObjectRecord& object = *e.object;
    const k8s::GroupVersion gv = k8s::SplitApiVersion(object.api_version);
    MatchTarget target;
    target.group = gv.group;
    target.kind = object.kind;
    target.ns = object.ns;
    target.name = object.name;
    target.labels = e.origin.labels;
    const Owner owner = TopOwner(object, e.origin.labels);
    std::string xml;
    for (uint32_t c = 0; c < policy_.constraints.size(); ++c) {
      bool failed = false;
      for (const Violation& v : e.violations) failed = failed || v.constraint == c;
      if (!failed) {
        std::string error;
        if (Matches(policy_.constraints[c].match, target, policy_.namespaces, &error) !=
            MatchOutcome::kMatch) {
          continue;
        }
      }
      xml.assign("<testcase name=\"");
      std::string label;
      AppendObjectLabel(object, &label);
      AppendXml(label, &xml);
      xml.append("\" classname=\"");
      std::string classname(object.ns.empty() ? "(cluster)" : object.ns);
      classname.append(".").append(owner.kind).append(".").append(owner.name);
      AppendXml(classname, &xml);
      xml.append("\" time=\"0\"");
      uint32_t outcome = kPassed;
      if (!failed) {
        xml.append("/>\n");
      } else {
        outcome = AppendFindings(e, c, &xml);
      }
      const uint32_t head[3] = {c, outcome, static_cast<uint32_t>(xml.size())};
      chunk->append(reinterpret_cast<const char*>(head), sizeof head);
      chunk->append(xml);
    }
  }

  Status Consume(std::string_view chunk, OutputSink*) override {
    while (chunk.size() >= 3 * sizeof(uint32_t)) {
      uint32_t head[3];
      std::memcpy(head, chunk.data(), sizeof head);
      chunk.remove_prefix(sizeof head);
      Suite& suite = suites_[head[0]];
      if (!suite.file) {
        suite.file.reset(std::tmpfile());
        if (!suite.file) return Status::Error("junit: cannot create a temporary file");
      }
      if (std::fwrite(chunk.data(), 1, head[2], suite.file.get()) != head[2]) {
        return Status::Error("junit: cannot write a temporary file");
      }
      chunk.remove_prefix(head[2]);
      ++suite.tests;
      suite.failures += head[1] == kFailed;
      suite.skipped += head[1] == kSkipped;
    }
    return Status::Ok();
  }

  Status Finish(const ScanSummary& summary, OutputSink* sink) override {
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n";
    // The schema's timestamp has no zone: the run's UTC time without the "Z".
    std::string timestamp = options_.timestamp;
    if (!timestamp.empty() && timestamp.back() == 'Z') timestamp.pop_back();
    if (timestamp.empty()) timestamp = "1970-01-01T00:00:00";
    for (size_t c = 0; c < suites_.size(); ++c) {
      const Constraint& constraint = policy_.constraints[c];
      Suite& suite = suites_[c];
      out.append("<testsuite package=\"gatescan\" id=\"").append(std::to_string(c));
      out.append("\" name=\"");
      AppendXml(constraint.kind + "/" + constraint.name, &out);
      out.append("\" timestamp=\"").append(timestamp);
      out.append("\" hostname=\"gatescan\" tests=\"").append(std::to_string(suite.tests));
      out.append("\" failures=\"").append(std::to_string(suite.failures));
      if (options_.known != nullptr) {
        out.append("\" skipped=\"").append(std::to_string(suite.skipped));
      }
      char time[48];
      std::snprintf(time, sizeof time, "\" errors=\"0\" time=\"%.6f\">\n",
                    c == 0 && summary.seconds > 0 ? summary.seconds : 0.0);
      out.append(time);
      out.append("<properties><property name=\"constraintKind\" value=\"");
      AppendXml(constraint.kind, &out);
      out.append("\"/><property name=\"enforcementAction\" value=\"");
      out.append(ActionName(constraint.action));
      out.append("\"/></properties>\n");
      if (Status s = sink->Write(out); !s.ok()) return s;
      out.clear();
      if (suite.file) {
        std::rewind(suite.file.get());
        char buf[1 << 16];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, suite.file.get())) > 0) {
          if (Status s = sink->Write(std::string_view(buf, n)); !s.ok()) return s;
        }
        suite.file.reset();
      }
      out.append("<system-out/>\n<system-err/>\n</testsuite>\n");
    }
    out.append("</testsuites>\n");
    if (Status s = sink->Write(out); !s.ok()) return s;
    return sink->Flush();
  }

 private:
  static constexpr uint32_t kPassed = 0, kFailed = 1, kSkipped = 2;

  bool Known(const EvaluatedObject& e, const Violation& v) const {
    return options_.known != nullptr &&
           IsKnownFinding(policy_, *options_.known, *options_.known_edges, e, v);
  }

  // The rest of a case with violations of constraint c: a <failure> whose
  // attribute is the first new message, or a <skipped> when all are known.
  uint32_t AppendFindings(const EvaluatedObject& e, uint32_t c, std::string* xml) const {
    const Violation* first_new = nullptr;
    const Violation* first = nullptr;
    std::string text;
    for (const Violation& v : e.violations) {
      if (v.constraint != c) continue;
      const bool known = Known(e, v);
      if (first == nullptr) first = &v;
      if (!known && first_new == nullptr) first_new = &v;
      if (known) text.append("known: ");
      AppendXml(v.message, &text);
      text.append("&#10;");
    }
    if (first_new == nullptr) {
      xml->append("><skipped message=\"known finding (in the baseline): ");
      AppendXml(first->message, xml);
      xml->append("\">").append(text).append("</skipped></testcase>\n");
      return kSkipped;
    }
    xml->append("><failure type=\"");
    xml->append(ActionName(first_new->effective));
    xml->append("\" message=\"");
    AppendXml(first_new->message, xml);
    xml->append("\">").append(text).append("</failure></testcase>\n");
    return kFailed;
  }

  struct Suite {
    std::unique_ptr<std::FILE, FileCloser> file;
    uint64_t tests = 0;
    uint64_t failures = 0;
    uint64_t skipped = 0;
  };
  const Policy& policy_;
  ReportOptions options_;
  std::vector<Suite> suites_;
};

}  // namespace

std::unique_ptr<Reporter> MakeJunitReporter(const Policy& policy, const ReportOptions& options) {
  return std::make_unique<JunitReporter>(policy, options);
}

}  // namespace gatescan::report_internal
