#include "gatescan/cli/cli.h"

#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include "gatescan/evaluate/evaluate.h"
#include "gatescan/cli/explain.h"
#include "gatescan/inventory/inventory.h"
#include "gatescan/policy/spec_match.h"
#include "gatescan/pipeline/pipeline.h"
#include "gatescan/policy/policy.h"
#include "gatescan/report/report.h"
#include "gatescan/input/source.h"

namespace gatescan {
namespace {

namespace po = boost::program_options;

constexpr const char* kVersion = "gatescan 0.1.0";

constexpr const char* kUsage =
    R"(gatescan — Gatekeeper K8sAllowedRepos verdicts over kubectl dumps, offline.

Usage:
  gatescan [scan] [OPTIONS] [INPUT ...]     scan dumps for violations (default command)
  gatescan explain [OPTIONS] IMAGE ...      how an image parses, which constraint allows it
  gatescan --version | --help | <command> --help

INPUT is a file, a directory (walked for *.json, *.ndjson, *.jsonl, *.yaml, *.yml,
optionally .gz or .zst) or - for standard input; no INPUT reads standard input.
Lists (kubectl get ... -o json), single objects, NDJSON, concatenated JSON and YAML
are recognised from the content; gzip and zstd from magic bytes.

Examples:
  kubectl get pods -A -o json | gatescan -p template.yaml -p constraints/
  gatescan --allow docker.io/ --allow registry.k8s.io/ pods.json
  gatescan -p policies/ -o gator dump.json.zst       # byte-identical to `gator test`
  gatescan -p policies/ -o ndjson -n 'team-*' -l app=web dumps/

Exit codes: 0 nothing to report, 1 a violation with enforcementAction deny,
            2 an error (bad usage, unreadable input or policy, malformed JSON).
)";

struct CliOptions {
  std::vector<std::string> policies;
  std::vector<std::string> allow;
  bool strict_policies = false;
  std::string output = "text";
  std::vector<std::string> namespaces;
  std::vector<std::string> excluded_namespaces;
  std::string selector;
  bool expand = false;
  std::string match = "gatekeeper";
  std::string violations_limit = "unlimited";
  bool truncate_messages = false;
  int threads = 0;
  std::string progress = "auto";
  std::string color = "auto";
  bool stats = false;
  uint64_t max_object_bytes = 256ull << 20;
  bool exit_zero = false;
  bool quiet = false;
  std::vector<std::string> inputs;
};

po::options_description ScanOptionsDescription(CliOptions* o) {
  po::options_description desc("Scan options");
  desc.add_options()(
      "policy,p", po::value(&o->policies)->composing(),
      "Gatekeeper policy file or directory (YAML/JSON, multi-document, kind: List): "
      "ConstraintTemplates, constraints, ExpansionTemplates, Config, Namespaces. Repeatable.")(
      "allow", po::value(&o->allow)->composing(),
      "allowed repo prefix for an implicit K8sAllowedRepos constraint 'gatescan-allow' "
      "matching Pods (deny). Repeatable. Tip: end registries with '/'.")(
      "strict-policies", po::bool_switch(&o->strict_policies),
      "a ConstraintTemplate that is not an image policy is an error (exit 2), not skipped")(
      "output,o", po::value(&o->output)->default_value("text"),
      "text | gator | ndjson | csv | audit | audit-log")(
      "namespace,n", po::value(&o->namespaces)->composing(),
      "only objects in this namespace (prefix*, *suffix, *contains* wildcards). Repeatable.")(
      "exclude-namespace", po::value(&o->excluded_namespaces)->composing(),
      "skip objects in this namespace (wildcards as -n). Repeatable.")(
      "selector,l", po::value(&o->selector), "kubectl label selector: a=b,c!=d,e in (x,y),!f")(
      "expand", po::bool_switch(&o->expand),
      "also check pod templates of workloads, as Gatekeeper ExpansionTemplates do")(
      "match", po::value(&o->match)->default_value("gatekeeper"),
      "gatekeeper (raw byte prefix, exactly as the Rego) | reference (normalised image "
      "references, matched on component boundaries: docker.io allows busybox, not "
      "docker.io.evil.com/x)")("violations-limit",
                               po::value(&o->violations_limit)->default_value("unlimited"),
                               "-o audit: violations kept per constraint (Gatekeeper keeps 20)")(
      "truncate-messages", po::bool_switch(&o->truncate_messages),
      "cut messages to 256 bytes as Gatekeeper >= 3.16 does in audit output")(
      "threads,j", po::value(&o->threads)->default_value(0),
      "worker threads (0: all hardware threads)")(
      "progress", po::value(&o->progress)->default_value("auto"),
      "auto | always | never (on stderr)")("color", po::value(&o->color)->default_value("auto"),
                                           "auto | always | never (NO_COLOR honoured)")(
      "stats", po::bool_switch(&o->stats), "print a summary with throughput on stderr")(
      "max-object-bytes", po::value(&o->max_object_bytes)->default_value(256ull << 20),
      "larger objects become error records; the scan goes on")(
      "exit-zero", po::bool_switch(&o->exit_zero), "exit 0 even when violations are found")(
      "quiet,q", po::bool_switch(&o->quiet), "print nothing on standard output");
  return desc;
}

void Fail(const std::string& message) { std::fprintf(stderr, "gatescan: %s\n", message.c_str()); }

std::string UtcTimestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool ParseMode(const std::string& value, const char* option, ProgressMode* out) {
  if (value == "auto")
    *out = ProgressMode::kAuto;
  else if (value == "always")
    *out = ProgressMode::kAlways;
  else if (value == "never")
    *out = ProgressMode::kNever;
  else {
    Fail(std::string("--") + option + " must be auto, always or never, not '" + value + "'");
    return false;
  }
  return true;
}

bool ParseMatchMode(const std::string& value, MatchMode* out) {
  if (value == "gatekeeper") {
    *out = MatchMode::kGatekeeper;
  } else if (value == "reference") {
    *out = MatchMode::kReference;
  } else {
    Fail("--match must be 'gatekeeper' or 'reference', not '" + value + "'");
    return false;
  }
  return true;
}

class NullSink : public OutputSink {
 public:
  Status Write(std::string_view) override { return Status::Ok(); }
};

int RunScanCommand(const CliOptions& o, bool inventory) {
  OutputFormat format = OutputFormat::kText;
  InventoryFormat inventory_format = InventoryFormat::kText;
  if (inventory ? !ParseInventoryFormat(o.output, &inventory_format)
                : !ParseOutputFormat(o.output, &format)) {
    Fail("unknown output format '" + o.output +
         (inventory ? "' (text, json, csv, html)"
                    : "' (text, gator, ndjson, csv, audit, audit-log)"));
    return kExitError;
  }
  MatchMode match;
  if (!ParseMatchMode(o.match, &match)) return kExitError;
  ProgressMode progress, color;
  if (!ParseMode(o.progress, "progress", &progress) || !ParseMode(o.color, "color", &color)) {
    return kExitError;
  }
  if (o.threads < 0) {
    Fail("--threads must be 0 (all) or a positive number");
    return kExitError;
  }
  ReportOptions report;
  report.truncate_messages = o.truncate_messages;
  report.timestamp = UtcTimestamp();
  if (o.violations_limit != "unlimited") {
    char* end = nullptr;
    const long long limit = std::strtoll(o.violations_limit.c_str(), &end, 10);
    if (o.violations_limit.empty() || *end != '\0' || limit < 0) {
      Fail("--violations-limit must be a number >= 0 or 'unlimited', not '" + o.violations_limit +
           "'");
      return kExitError;
    }
    report.violations_limit = limit;
  }
  const bool stdout_tty = isatty(STDOUT_FILENO) != 0;
  report.escape_control = stdout_tty;
  const char* no_color = std::getenv("NO_COLOR");
  report.color = color == ProgressMode::kAlways || (color == ProgressMode::kAuto && stdout_tty &&
                                                    (no_color == nullptr || *no_color == '\0'));

  Policy policy;
  PolicyOptions policy_options{o.policies, o.allow, o.strict_policies};
  Status status = LoadPolicy(policy_options, &policy);
  if (!status.ok()) {
    Fail(status.message());
    return kExitError;
  }
  if (policy.constraints.empty() && !inventory) {
    Fail("no constraints to check: give --policy files with constraints, or --allow PREFIX");
    return kExitError;
  }
  ScanOptions scan;
  status = ListInputs(o.inputs, &scan.inputs);
  if (!status.ok()) {
    Fail(status.message());
    return kExitError;
  }
  scan.evaluate.expand = o.expand;
  scan.evaluate.match = match;
  if (!inventory && format == OutputFormat::kGator)
    scan.evaluate.enforcement_point = kGatorEnforcementPoint;
  scan.evaluate.filter.namespaces = o.namespaces;
  scan.evaluate.filter.excluded_namespaces = o.excluded_namespaces;
  if (!o.selector.empty()) {
    LabelSelector selector;
    status = ParseLabelSelector(o.selector, &selector);
    if (!status.ok()) {
      Fail("--selector: " + status.message());
      return kExitError;
    }
    scan.evaluate.filter.selector = std::move(selector);
  }
  scan.framer.max_object_bytes = o.max_object_bytes;
  scan.threads = o.threads;
  scan.progress = progress;
  scan.stats = o.stats;

  const Evaluator evaluator(policy, scan.evaluate);
  for (const auto& warning : evaluator.Warnings()) Fail("warning: " + warning);
  auto reporter = inventory ? MakeInventoryReporter(inventory_format,
                                                    policy.constraints.empty() ? nullptr : &policy)
                            : MakeReporter(format, policy, report);
  std::unique_ptr<OutputSink> sink =
      o.quiet ? std::unique_ptr<OutputSink>(new NullSink()) : MakeFdSink(STDOUT_FILENO);
  const ScanResult result = RunScan(scan, evaluator, reporter.get(), sink.get());
  if (!result.status.ok()) Fail(result.status.message());
  if (result.errored) {
    Fail(std::to_string(result.summary.errors) + " error(s) while scanning; see the error records");
  }
  const int code = result.exit_code();
  return code == kExitViolations && o.exit_zero ? kExitClean : code;
}

constexpr const char* kInventoryUsage =
    R"(gatescan inventory — every container image of a dump, by registry, repository and image.

Usage:
  gatescan inventory [OPTIONS] [INPUT ...]     -o text | json | csv | html

Counts containers, objects and namespaces per registry (`busybox` counts for
docker.io), repository and exact image; container types; invalid references.
With --allow/--policy it adds the what-if view: what that allowlist would block
and how many objects and namespaces would break. -o html writes one
self-contained page with charts that opens offline.
  gatescan inventory -o html --allow docker.io/ --allow registry.k8s.io/ pods.json > report.html
)";

constexpr const char* kExplainUsage =
    R"(gatescan explain — how an image reference is parsed and which constraint allows it.

Usage:
  gatescan explain [OPTIONS] [--] IMAGE ...
  some-command | gatescan explain [OPTIONS] -      (one image per line)

Parsing follows distribution/reference (what kubelet and containerd use):
`busybox` is docker.io/library/busybox. With --policy/--allow, every
constraint's verdict and the entry that decided it are shown.
)";

int RunExplain(const std::vector<std::string>& args) {
  std::vector<std::string> policies, allow, images;
  std::string output = "text", match_name = "gatekeeper";
  bool help = false;
  po::options_description desc("Explain options");
  desc.add_options()("policy,p", po::value(&policies)->composing(),
                     "policy file or directory (repeatable)")(
      "allow", po::value(&allow)->composing(), "allowed repo prefix (repeatable)")(
      "output,o", po::value(&output)->default_value("text"), "text | json (one object per image)")(
      "match", po::value(&match_name)->default_value("gatekeeper"), "gatekeeper | reference")(
      "help,h", po::bool_switch(&help), "show this help");
  po::options_description hidden;
  hidden.add_options()("image", po::value(&images)->composing(), "images");
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description positional;
  positional.add("image", -1);
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    Fail(std::string(e.what()) + " (see gatescan explain --help)");
    return kExitError;
  }
  if (help) {
    std::cout << kExplainUsage << "\n" << desc << "\n";
    return kExitClean;
  }
  ExplainFormat format;
  if (output == "text") {
    format = ExplainFormat::kText;
  } else if (output == "json") {
    format = ExplainFormat::kJson;
  } else {
    Fail("explain: -o must be text or json, not '" + output + "'");
    return kExitError;
  }
  MatchMode match;
  if (!ParseMatchMode(match_name, &match)) return kExitError;
  if (images.empty() || (images.size() == 1 && images[0] == "-")) {
    images.clear();
    std::string line;
    while (std::getline(std::cin, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      images.push_back(line);
    }
  }
  Policy policy;
  std::unique_ptr<Evaluator> evaluator;
  if (!policies.empty() || !allow.empty()) {
    const Status status = LoadPolicy(PolicyOptions{policies, allow}, &policy);
    if (!status.ok()) {
      Fail(status.message());
      return kExitError;
    }
    EvaluateOptions options;
    options.match = match;
    evaluator = std::make_unique<Evaluator>(policy, options);
  }
  std::string out;
  bool flagged = false;
  for (const auto& image : images) {
    ExplainImage(image, evaluator.get(), format, &out);
    if (evaluator) {
      for (const auto& v : evaluator->Verdicts(image)) flagged = flagged || !v.allowed;
    }
  }
  auto sink = MakeFdSink(STDOUT_FILENO);
  Status status = sink->Write(out);
  if (status.ok()) status = sink->Flush();
  if (!status.ok()) {
    Fail(status.message());
    return kExitError;
  }
  return flagged ? kExitViolations : kExitClean;
}

}  // namespace

int RunCli(int argc, const char* const* argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string command = "scan";
  if (!args.empty() && (args[0] == "scan" || args[0] == "inventory" || args[0] == "explain")) {
    command = args[0];
    args.erase(args.begin());
  }
  if (command == "explain") return RunExplain(args);
  CliOptions o;
  po::options_description visible = ScanOptionsDescription(&o);
  po::options_description general("General");
  bool help = false, version = false;
  general.add_options()("help,h", po::bool_switch(&help), "show this help")(
      "version", po::bool_switch(&version), "show the version");
  po::options_description hidden;
  hidden.add_options()("input", po::value(&o.inputs)->composing(), "inputs");
  po::options_description all;
  all.add(visible).add(general).add(hidden);
  po::positional_options_description positional;
  positional.add("input", -1);
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    Fail(std::string(e.what()) + " (see gatescan --help)");
    return kExitError;
  }
  if (help) {
    std::cout << (command == "inventory" ? kInventoryUsage : kUsage) << "\n"
              << visible << "\n"
              << general << "\n";
    return kExitClean;
  }
  if (version) {
    std::cout << kVersion << "\n";
    return kExitClean;
  }
  return RunScanCommand(o, command == "inventory");
}

}  // namespace gatescan
