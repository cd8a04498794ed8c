#include "gatescan/report/report.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "gatescan/common/quote.h"
#include "gatescan/report/diagnostics.h"

namespace gatescan {
namespace {

// Hand-built policy: three constraints with different actions.
Policy MakePolicy() {
  Policy policy;
  ConstraintTemplate t;
  t.name = "k8sallowedrepos";
  t.kind = "K8sAllowedRepos";
  t.parameter = "repos";
  policy.templates.push_back(t);
  auto add = [&](std::string name, EnforcementAction action) {
    Constraint c;
    c.kind = "K8sAllowedRepos";
    c.name = std::move(name);
    c.action = action;
    c.has_list = true;
    c.entries = {"openpolicyagent/", "gcr.io/<team>&"};
    policy.constraints.push_back(c);
  };
  add("repo-is-openpolicyagent", EnforcementAction::kDeny);
  add("warn-repos", EnforcementAction::kWarn);
  add("dry-repos", EnforcementAction::kDryrun);
  return policy;
}

ObjectRecord Object(std::string_view api_version, std::string_view kind, std::string_view ns,
                    std::string_view name) {
  ObjectRecord o;
  o.api_version = api_version;
  o.kind = kind;
  o.ns = ns;
  o.name = name;
  o.has_kind = true;
  return o;
}

Violation V(uint32_t constraint, EnforcementAction action, std::string_view message,
            std::string_view container = "c", std::string_view image = "nginx",
            ContainerList list = ContainerList::kContainers) {
  Violation v;
  v.constraint = constraint;
  v.action = action;
  v.effective = action;
  v.message = message;
  v.container_name = container;
  v.image = image;
  v.list = list;
  return v;
}

struct Item {
  ObjectRecord object;
  std::vector<Violation> violations;
  RecordOrigin origin = {};
};

// Runs a reporter the way the pipeline does: one chunk per item, consumed
// in order, then Finish.
std::string RunReporter(OutputFormat format, const Policy& policy, const std::vector<Item>& items,
                        ReportOptions options = {}, const std::vector<ScanError>& errors = {},
                        ScanSummary summary = {}) {
  std::string out;
  auto sink = MakeStringSink(&out);
  auto reporter = MakeReporter(format, policy, options);
  for (const Item& item : items) {
    std::string chunk;
    reporter->FormatObject(item.object, item.violations, item.origin, &chunk);
    EXPECT_TRUE(reporter->Consume(chunk, sink.get()).ok());
  }
  for (const ScanError& error : errors) {
    std::string chunk;
    reporter->FormatError(error, &chunk);
    EXPECT_TRUE(reporter->Consume(chunk, sink.get()).ok());
  }
  EXPECT_TRUE(reporter->Finish(summary, sink.get()).ok());
  return out;
}

TEST(ParseOutputFormatTest, KnownAndUnknown) {
  OutputFormat f;
  ASSERT_TRUE(ParseOutputFormat("audit-log", &f));
  EXPECT_EQ(f, OutputFormat::kAuditLog);
  ASSERT_TRUE(ParseOutputFormat("gator", &f));
  EXPECT_EQ(f, OutputFormat::kGator);
  EXPECT_FALSE(ParseOutputFormat("json", &f));
  EXPECT_FALSE(ParseOutputFormat("TEXT", &f));
}

TEST(TextReporterTest, LinesPrefixesAndNamespaceless) {
  const Policy policy = MakePolicy();
  std::vector<Item> items = {
      {Object("v1", "Pod", "default", "web"),
       {V(0, EnforcementAction::kDeny, "container c has an invalid image repo nginx"),
        V(1, EnforcementAction::kWarn, "m2"), V(2, EnforcementAction::kDryrun, "m3")}},
      {Object("example.com/v1", "Widget", "", "cluster-thing"),
       {V(0, EnforcementAction::kDeny, "m4")}},
  };
  EXPECT_EQ(RunReporter(OutputFormat::kText, policy, items),
            "v1/Pod default/web: [repo-is-openpolicyagent] container c has an invalid image repo "
            "nginx\n"
            "warn: v1/Pod default/web: [warn-repos] m2\n"
            "dryrun: v1/Pod default/web: [dry-repos] m3\n"
            "example.com/v1/Widget cluster-thing: [repo-is-openpolicyagent] m4\n");
}

TEST(TextReporterTest, ScopedUsesEffectiveAction) {
  const Policy policy = MakePolicy();
  Violation v = V(0, EnforcementAction::kScoped, "m");
  v.effective = EnforcementAction::kWarn;
  EXPECT_EQ(RunReporter(OutputFormat::kText, policy, {{Object("v1", "Pod", "ns", "p"), {v}}}),
            "warn: v1/Pod ns/p: [repo-is-openpolicyagent] m\n");
}

TEST(TextReporterTest, ControlCharactersRawOrEscaped) {
  const Policy policy = MakePolicy();
  std::vector<Item> items = {{Object("v1", "Pod", "ns", "evil\x1b[2Jname"),
                              {V(0, EnforcementAction::kDeny, "line1\nline2\t\u202e\xff é")}}};
  EXPECT_EQ(RunReporter(OutputFormat::kText, policy, items),
            "v1/Pod ns/evil\x1b[2Jname: [repo-is-openpolicyagent] line1\nline2\t\u202e\xff é\n");
  ReportOptions terminal;
  terminal.escape_control = true;
  EXPECT_EQ(RunReporter(OutputFormat::kText, policy, items, terminal),
            "v1/Pod ns/evil\\x1b[2Jname: [repo-is-openpolicyagent] line1\\nline2\\t\\u202e\\xff "
            "é\n");
}

TEST(TextReporterTest, ColorOnlyOnPrefixAndConstraint) {
  const Policy policy = MakePolicy();
  ReportOptions options;
  options.color = true;
  EXPECT_EQ(RunReporter(OutputFormat::kText, policy,
                        {{Object("v1", "Pod", "ns", "p"), {V(1, EnforcementAction::kWarn, "m")}}},
                        options),
            "\x1b[33mwarn: \x1b[0mv1/Pod ns/p: [\x1b[35mwarn-repos\x1b[0m] m\n");
}

TEST(GatorReporterTest, GlobalStableSortAndGoQuoting) {
  const Policy policy = MakePolicy();
  std::vector<Item> items = {
      {Object("v1", "Pod", "ns1", "a"),
       {V(0, EnforcementAction::kDeny, "same"), V(1, EnforcementAction::kWarn, "aaa")}},
      {Object("apps/v1", "Deployment", "", "cluster\"obj"),
       {V(2, EnforcementAction::kDryrun, "zzz"), V(0, EnforcementAction::kDeny, "same")}},
      {Object("v1", "Pod", "ns2", "b\n"),
       {V(0, EnforcementAction::kDeny, "msg \"q\" \\ é\n\x01\xff\u00a0")}},
  };
  EXPECT_EQ(RunReporter(OutputFormat::kGator, policy, items),
            "v1/Pod ns2/b\n: [\"repo-is-openpolicyagent\"] Message: \"msg \\\"q\\\" \\\\ "
            "é\\n\\x01\\xff\\u00a0\"\n"
            "v1/Pod ns1/a: [\"repo-is-openpolicyagent\"] Message: \"same\"\n"
            "apps/v1/Deployment cluster\"obj: [\"repo-is-openpolicyagent\"] Message: \"same\"\n"
            "apps/v1/Deployment cluster\"obj: [\"dry-repos\"] Message: \"zzz\"\n"
            "v1/Pod ns1/a: [\"warn-repos\"] Message: \"aaa\"\n");
}

TEST(GatorReporterTest, EmptyRunPrintsNothing) {
  EXPECT_EQ(RunReporter(OutputFormat::kGator, MakePolicy(), {}), "");
}

// A minimal JSON validator (RFC 8259) for the ndjson lines.
class JsonChecker {
 public:
  explicit JsonChecker(std::string_view s) : s_(s) {}
  bool Valid() {
    Ws();
    if (!Value()) return false;
    Ws();
    return i_ == s_.size();
  }

 private:
  void Ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r'))
      ++i_;
  }
  bool Value() {
    if (i_ >= s_.size()) return false;
    const char c = s_[i_];
    if (c == '{') return Object();
    if (c == '[') return Array();
    if (c == '"') return String();
    if (c == '-' || (c >= '0' && c <= '9')) return Number();
    for (std::string_view word : {"true", "false", "null"}) {
      if (s_.substr(i_, word.size()) == word) {
        i_ += word.size();
        return true;
      }
    }
    return false;
  }
  bool Object() {
    ++i_;
    Ws();
    if (i_ < s_.size() && s_[i_] == '}') return ++i_, true;
    while (true) {
      Ws();
      if (!String()) return false;
      Ws();
      if (i_ >= s_.size() || s_[i_++] != ':') return false;
      Ws();
      if (!Value()) return false;
      Ws();
      if (i_ >= s_.size()) return false;
      if (s_[i_] == '}') return ++i_, true;
      if (s_[i_++] != ',') return false;
    }
  }
  bool Array() {
    ++i_;
    Ws();
    if (i_ < s_.size() && s_[i_] == ']') return ++i_, true;
    while (true) {
      Ws();
      if (!Value()) return false;
      Ws();
      if (i_ >= s_.size()) return false;
      if (s_[i_] == ']') return ++i_, true;
      if (s_[i_++] != ',') return false;
    }
  }
  bool Number() {
    const size_t start = i_;
    while (i_ < s_.size() &&
           std::string_view("+-0123456789.eE").find(s_[i_]) != std::string_view::npos)
      ++i_;
    return i_ > start;
  }
  bool String() {
    if (i_ >= s_.size() || s_[i_] != '"') return false;
    ++i_;
    while (i_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') return ++i_, true;
      if (c < 0x20) return false;
      if (c == '\\') {
        if (i_ + 1 >= s_.size()) return false;
        const char e = s_[i_ + 1];
        if (e == 'u') {
          if (i_ + 6 > s_.size()) return false;
          for (size_t k = 2; k < 6; ++k)
            if (!isxdigit(static_cast<unsigned char>(s_[i_ + k]))) return false;
          i_ += 6;
        } else if (std::string_view("\"\\/bfnrt").find(e) != std::string_view::npos) {
          i_ += 2;
        } else {
          return false;
        }
        continue;
      }
      if (c >= 0x80) {
        // Valid UTF-8 means Go keeps the rune or it is printable-or-not but
        // never becomes a \x escape.
        const size_t n = (c & 0xE0) == 0xC0   ? 2
                         : (c & 0xF0) == 0xE0 ? 3
                         : (c & 0xF8) == 0xF0 ? 4
                                              : 0;
        if (n == 0 || i_ + n > s_.size()) return false;
        if (GoQuote(s_.substr(i_, n)).find("\\x") != std::string::npos) return false;
        i_ += n;
        continue;
      }
      ++i_;
    }
    return false;
  }

  std::string_view s_;
  size_t i_ = 0;
};

std::vector<std::string> Lines(const std::string& text, std::string_view sep = "\n") {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = text.find(sep, start)) != std::string::npos; start = end + sep.size()) {
    lines.push_back(text.substr(start, end - start));
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

TEST(NdjsonReporterTest, FieldsInOrder) {
  const Policy policy = MakePolicy();
  InputSpec input{"pods.json", "pods.json"};
  Violation v = V(0, EnforcementAction::kDeny, "[Implied by expand-deployments] m", "init",
                  "busybox", ContainerList::kInitContainers);
  v.implied_by = "expand-deployments";
  RecordOrigin origin{&input, 1234, 7};
  const std::string out = RunReporter(
      OutputFormat::kNdjson, policy,
      {{Object("apps/v1", "Deployment", "prod", "web"), {v}, origin}}, {},
      {ScanError{{&input, 99, 3}, "malformed JSON: x"}}, ScanSummary{1, 2, 3, 4, 5, 6, 0.5, {}});
  EXPECT_EQ(
      out,
      "{\"type\":\"violation\",\"constraint_kind\":\"K8sAllowedRepos\",\"constraint\":\"repo-is-"
      "openpolicyagent\",\"enforcement_action\":\"deny\",\"group\":\"apps\",\"version\":\"v1\","
      "\"kind\":\"Deployment\",\"namespace\":\"prod\",\"name\":\"web\",\"owner_kind\":"
      "\"Deployment\",\"owner_name\":\"web\",\"container_type\":"
      "\"initContainer\",\"container\":\"init\",\"image\":\"busybox\",\"message\":\"[Implied by "
      "expand-deployments] m\",\"implied_by\":\"expand-deployments\",\"source\":\"pods.json\","
      "\"offset\":1234}\n"
      "{\"type\":\"error\",\"source\":\"pods.json\",\"offset\":99,\"index\":3,\"message\":"
      "\"malformed JSON: x\"}\n"
      "{\"type\":\"summary\",\"inputs\":1,\"bytes\":2,\"objects\":3,\"containers\":4,"
      "\"violations\":5,\"errors\":6,\"seconds\":0.500000}\n");
}

TEST(NdjsonReporterTest, ValidJsonWhateverTheBytes) {
  const Policy policy = MakePolicy();
  std::string hostile;
  for (int b = 0; b < 256; ++b) hostile.push_back(static_cast<char>(b));
  hostile += "\xed\xa0\x80\xf4\x90\x80\x80\xe4\xb8<script>&\u2028";
  InputSpec input{hostile, hostile};
  std::vector<Item> items = {{Object(hostile, hostile, hostile, hostile),
                              {V(0, EnforcementAction::kDeny, hostile, hostile, hostile)},
                              RecordOrigin{&input, 0, 0}}};
  const std::string out =
      RunReporter(OutputFormat::kNdjson, policy, items, {}, {ScanError{{&input, 1, 2}, hostile}});
  const auto lines = Lines(out);
  ASSERT_EQ(lines.size(), 3u);
  for (const std::string& line : lines) {
    EXPECT_TRUE(JsonChecker(line).Valid()) << line;
    EXPECT_EQ(line.find("\\u003c"), std::string::npos);  // no HTML escaping
  }
  EXPECT_NE(lines[0].find("<script>&"), std::string::npos);
}

TEST(CsvReporterTest, QuotingAndNeutralisation) {
  const Policy policy = MakePolicy();
  InputSpec input{"d.json", "d.json"};
  std::vector<Item> items = {
      {Object("v1", "Pod", "ns", "=HYPERLINK(\"x\")"),
       {V(0, EnforcementAction::kDeny, "a,b \"q\"\nc", "-cmd", "@evil",
          ContainerList::kEphemeralContainers)},
       RecordOrigin{&input, 42, 0}},
      {Object("v1", "Pod", "", "+1"),
       {V(1, EnforcementAction::kWarn, "\tx", "\rc", "img")},
       RecordOrigin{&input, 43, 1}},
  };
  const std::string out =
      RunReporter(OutputFormat::kCsv, policy, items, {}, {ScanError{{&input, 1, 2}, "malformed"}});
  EXPECT_EQ(
      out,
      "constraint_kind,constraint,enforcement_action,group,version,kind,namespace,name,"
      "owner_kind,owner_name,container_type,container,image,message,implied_by,source,offset\r\n"
      "K8sAllowedRepos,repo-is-openpolicyagent,deny,,v1,Pod,ns,\"'=HYPERLINK(\"\"x\"\")\","
      "Pod,\"'=HYPERLINK(\"\"x\"\")\",ephemeralContainer,'-cmd,'@evil,\"a,b "
      "\"\"q\"\"\nc\",,d.json,42\r\n"
      "K8sAllowedRepos,warn-repos,warn,,v1,Pod,,'+1,Pod,'+1,container,\"'\rc\",img,'\tx,,d.json,"
      "43\r\n");
}

TEST(CsvReporterTest, HeaderEvenWithoutRows) {
  EXPECT_EQ(RunReporter(OutputFormat::kCsv, MakePolicy(), {}),
            "constraint_kind,constraint,enforcement_action,group,version,kind,namespace,name,"
            "owner_kind,owner_name,container_type,container,image,message,implied_by,source,"
            "offset\r\n");
}

TEST(AuditReporterTest, OrderLimitTotalsAndLayout) {
  Policy policy = MakePolicy();
  policy.constraints.resize(2);
  policy.constraints[1].has_list = false;
  ReportOptions options;
  options.timestamp = "2024-05-01T10:00:00Z";
  options.violations_limit = 3;
  std::vector<Item> items = {
      {Object("v1", "Pod", "b", "p1"), {V(0, EnforcementAction::kDeny, "m1")}},
      {Object("apps/v1", "Deployment", "a", "d"), {V(0, EnforcementAction::kDeny, "m<&>")}},
      {Object("v1", "Pod", "a", "p2"),
       {V(0, EnforcementAction::kDeny, "m2"), V(0, EnforcementAction::kDeny, "m1")}},
      {Object("v1", "Namespace", "", "zz"), {V(0, EnforcementAction::kDeny, "m3")}},
  };
  // Smallest three by (group, version, kind, namespace, name, message):
  // ("", v1, Namespace, "", zz), ("", v1, Pod, a, p2, m1), ("", v1, Pod, a, p2, m2);
  // written largest first.
  const std::string expected = R"({
    "apiVersion": "v1",
    "items": [
        {
            "apiVersion": "constraints.gatekeeper.sh/v1beta1",
            "kind": "K8sAllowedRepos",
            "metadata": {
                "name": "repo-is-openpolicyagent"
            },
            "spec": {
                "enforcementAction": "deny",
                "parameters": {
                    "repos": [
                        "openpolicyagent/",
                        "gcr.io/\u003cteam\u003e\u0026"
                    ]
                }
            },
            "status": {
                "auditTimestamp": "2024-05-01T10:00:00Z",
                "totalViolations": 5,
                "violations": [
                    {
                        "enforcementAction": "deny",
                        "group": "",
                        "kind": "Pod",
                        "message": "m2",
                        "name": "p2",
                        "namespace": "a",
                        "version": "v1"
                    },
                    {
                        "enforcementAction": "deny",
                        "group": "",
                        "kind": "Pod",
                        "message": "m1",
                        "name": "p2",
                        "namespace": "a",
                        "version": "v1"
                    },
                    {
                        "enforcementAction": "deny",
                        "group": "",
                        "kind": "Namespace",
                        "message": "m3",
                        "name": "zz",
                        "version": "v1"
                    }
                ]
            }
        },
        {
            "apiVersion": "constraints.gatekeeper.sh/v1beta1",
            "kind": "K8sAllowedRepos",
            "metadata": {
                "name": "warn-repos"
            },
            "spec": {
                "enforcementAction": "warn"
            },
            "status": {
                "auditTimestamp": "2024-05-01T10:00:00Z",
                "totalViolations": 0
            }
        }
    ],
    "kind": "List",
    "metadata": {
        "resourceVersion": ""
    }
}
)";
  EXPECT_EQ(RunReporter(OutputFormat::kAudit, policy, items, options), expected);
}

TEST(AuditReporterTest, UnlimitedKeepsAllDescendingAndTruncates) {
  Policy policy = MakePolicy();
  policy.constraints.resize(1);
  ReportOptions options;
  options.timestamp = "t";
  options.truncate_messages = true;
  const std::string long_message(300, 'x');
  const std::string exact(256, 'y');
  std::vector<Item> items = {
      {Object("v1", "Pod", "a", "p1"), {V(0, EnforcementAction::kDeny, long_message)}},
      {Object("v1", "Pod", "a", "p2"), {V(0, EnforcementAction::kDeny, exact)}},
      {Object("v1", "Pod", "a", "p0"), {V(0, EnforcementAction::kDeny, "m")}},
  };
  const std::string out = RunReporter(OutputFormat::kAudit, policy, items, options);
  EXPECT_TRUE(JsonChecker(out).Valid());
  EXPECT_NE(out.find("\"totalViolations\": 3"), std::string::npos);
  EXPECT_NE(out.find("\"message\": \"" + std::string(253, 'x') + "...\""), std::string::npos);
  EXPECT_NE(out.find("\"message\": \"" + exact + "\""), std::string::npos);
  const size_t p2 = out.find("\"p2\""), p1 = out.find("\"p1\""), p0 = out.find("\"p0\"");
  ASSERT_NE(p0, std::string::npos);
  EXPECT_LT(p2, p1);
  EXPECT_LT(p1, p0);
}

TEST(AuditReporterTest, LimitZeroListsNothingButCounts) {
  Policy policy = MakePolicy();
  policy.constraints.resize(1);
  ReportOptions options;
  options.violations_limit = 0;
  const std::string out = RunReporter(
      OutputFormat::kAudit, policy,
      {{Object("v1", "Pod", "a", "p"), {V(0, EnforcementAction::kDeny, "m")}}}, options);
  EXPECT_NE(out.find("\"totalViolations\": 1"), std::string::npos);
  EXPECT_EQ(out.find("\"violations\""), std::string::npos);
}

TEST(AuditLogReporterTest, KeyOrderAndEvents) {
  Policy policy = MakePolicy();
  policy.constraints[0].annotations = {{"owner", "team<a>"},
                                       {"kubectl.kubernetes.io/last-applied-configuration", "{}"}};
  ReportOptions options;
  options.timestamp = "2024-05-01T10:00:00Z";
  const Label labels[] = {{"z", "1"}, {"app", "web"}};
  RecordOrigin origin = {};
  origin.labels = labels;
  const std::string out =
      RunReporter(OutputFormat::kAuditLog, policy,
                  {{Object("apps/v1", "Deployment", "prod", "web"),
                    {V(0, EnforcementAction::kDeny, "m <&>")},
                    origin},
                   {Object("v1", "Pod", "", "p"), {V(0, EnforcementAction::kDeny, "m2")}}},
                  options);
  const auto lines = Lines(out);
  ASSERT_EQ(lines.size(), 5u);
  for (const auto& line : lines) EXPECT_TRUE(JsonChecker(line).Valid()) << line;
  const std::string head =
      "{\"level\":\"info\",\"ts\":1714557600,\"logger\":\"controller\",\"msg\":";
  EXPECT_EQ(lines[0],
            head +
                "\"auditing constraints and violations\",\"process\":\"audit\","
                "\"audit_id\":\"2024-05-01T10:00:00Z\",\"event_type\":\"audit_started\"}");
  EXPECT_EQ(lines[1],
            head +
                "\"m <&>\",\"process\":\"audit\",\"audit_id\":\"2024-05-01T10:00:00Z\","
                "\"details\":{},\"event_type\":\"violation_audited\",\"constraint_group\":"
                "\"constraints.gatekeeper.sh\",\"constraint_api_version\":\"v1beta1\","
                "\"constraint_kind\":\"K8sAllowedRepos\",\"constraint_name\":\"repo-is-"
                "openpolicyagent\",\"constraint_namespace\":\"\",\"constraint_action\":\"deny\","
                "\"constraint_enforcement_actions\":[],\"constraint_annotations\":{\"owner\":"
                "\"team<a>\"},\"resource_group\":\"apps\",\"resource_api_version\":\"v1\","
                "\"resource_kind\":\"Deployment\",\"resource_namespace\":\"prod\","
                "\"resource_name\":\"web\",\"resource_labels\":{\"app\":\"web\",\"z\":\"1\"}}");
  EXPECT_NE(lines[2].find("\"resource_labels\":null}"), std::string::npos);
  EXPECT_EQ(lines[3], head +
                          "\"audit results for constraint\",\"process\":\"audit\",\"audit_id\":"
                          "\"2024-05-01T10:00:00Z\",\"event_type\":\"constraint_audited\","
                          "\"constraint_group\":\"constraints.gatekeeper.sh\","
                          "\"constraint_api_version\":\"v1beta1\",\"constraint_kind\":"
                          "\"K8sAllowedRepos\",\"constraint_name\":\"repo-is-openpolicyagent\","
                          "\"constraint_namespace\":\"\",\"constraint_action\":\"deny\","
                          "\"constraint_status\":\"enforced\",\"constraint_violations\":\"2\"}");
  EXPECT_EQ(lines[4], head +
                          "\"auditing is complete\",\"process\":\"audit\",\"audit_id\":"
                          "\"2024-05-01T10:00:00Z\",\"event_type\":\"audit_finished\"}");
}

TEST(AuditLogReporterTest, EmptyRunStillStartsAndFinishes) {
  const auto lines = Lines(RunReporter(OutputFormat::kAuditLog, MakePolicy(), {}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("audit_started"), std::string::npos);
  EXPECT_NE(lines[1].find("audit_finished"), std::string::npos);
}

TEST(FdSinkTest, WritesEverythingThroughBuffer) {
  char path[] = "/tmp/gatescan-report-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  std::string expected;
  {
    auto sink = MakeFdSink(fd);
    for (int i = 0; i < 5000; ++i) {
      const std::string piece = std::to_string(i) + std::string(static_cast<size_t>(i % 97), 'x');
      expected += piece;
      ASSERT_TRUE(sink->Write(piece).ok());
    }
    const std::string big(200 * 1024, 'B');
    expected += big;
    ASSERT_TRUE(sink->Write(big).ok());
    ASSERT_TRUE(sink->Flush().ok());
    EXPECT_FALSE(sink->closed());
  }
  std::string actual(expected.size() + 1, '\0');
  ASSERT_EQ(pread(fd, actual.data(), actual.size(), 0), static_cast<ssize_t>(expected.size()));
  actual.resize(expected.size());
  EXPECT_EQ(actual, expected);
  close(fd);
  unlink(path);
}

TEST(FdSinkTest, ClosedPipeIsQuiet) {
  signal(SIGPIPE, SIG_IGN);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]);
  auto sink = MakeFdSink(fds[1]);
  EXPECT_TRUE(sink->Write("hello\n").ok());
  EXPECT_TRUE(sink->Flush().ok());
  EXPECT_TRUE(sink->closed());
  EXPECT_TRUE(sink->Write(std::string(100000, 'x')).ok());
  close(fds[1]);
}

TEST(FdSinkTest, DiskFullIsAnError) {
  const int fd = open("/dev/full", O_WRONLY);
  if (fd < 0) GTEST_SKIP() << "/dev/full not available";
  auto sink = MakeFdSink(fd);
  EXPECT_TRUE(sink->Write("data").ok());  // buffered
  const Status s = sink->Flush();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "standard output: No space left on device");
  EXPECT_FALSE(sink->closed());
  EXPECT_FALSE(sink->Write(std::string(100000, 'x')).ok());
  close(fd);
}

// Error records on standard error: one line each, terminal-safe, the first
// `limit` of them and then a count.
TEST(StreamDiagnosticsTest, LinesLimitAndCount) {
  InputSpec input{"x", "dump\x1b[2J.json"};
  auto run = [&](int64_t limit, int records) {
    std::FILE* f = std::tmpfile();
    StreamDiagnostics d(f, limit);
    for (int i = 0; i < records; ++i) {
      d.Error(ScanError{{&input, 100u + static_cast<uint64_t>(i), static_cast<uint64_t>(i)},
                        "malformed JSON: \xe2\x80\xae"});
    }
    d.Finish();
    EXPECT_EQ(d.errors(), static_cast<uint64_t>(records));
    std::rewind(f);
    std::string out;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
    std::fclose(f);
    return out;
  };
  EXPECT_EQ(run(20, 2),
            "gatescan: dump\\x1b[2J.json:100 (item 0): malformed JSON: \\u202e\n"
            "gatescan: dump\\x1b[2J.json:101 (item 1): malformed JSON: \\u202e\n");
  const std::string limited = run(1, 3);
  EXPECT_EQ(limited,
            "gatescan: dump\\x1b[2J.json:100 (item 0): malformed JSON: \\u202e\n"
            "gatescan: ... and 2 more error record(s); --errors all shows every one\n");
  const std::string all = run(-1, 30);
  EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 30);
  EXPECT_EQ(run(0, 0), "");
}

}  // namespace
}  // namespace gatescan
