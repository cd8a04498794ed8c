#include "gatescan/cli/cli.h"

#include <boost/program_options.hpp>
#include <cstdlib>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "gatescan/cli/commands.h"
#include "gatescan/common/status.h"
#include "gatescan/policy/spec_match.h"

namespace gatescan {
namespace {

namespace po = boost::program_options;

constexpr const char* kUsage =
    R"(gatescan — Gatekeeper K8sAllowedRepos verdicts over kubectl dumps, offline.

Usage:
  gatescan [scan] [OPTIONS] [INPUT ...]     scan dumps for violations (default command)
  gatescan explain [OPTIONS] IMAGE ...      how an image parses, which constraint allows it
  gatescan baseline -o FILE [OPTIONS] [INPUT ...]  write the current findings (a baseline)
  gatescan [scan] --baseline FILE ...       mark known findings; only new ones exit 1
  gatescan diff [-o text|ndjson] OLD NEW    new, fixed and unchanged findings (exit 1: new)
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

// The options as Boost.Program_options fills them: text, checked by Validate*.
struct CliOptions {
  std::vector<std::string> policies;
  std::vector<std::string> allow;
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
  std::string baseline;       // --baseline FILE (issue 15)
  bool output_given = false;  // -o given: `gatescan baseline` takes it as the file
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
      "output,o", po::value(&o->output)->default_value("text"),
      "text | gator | ndjson | csv | audit | audit-log | sarif | junit | prometheus")(
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
      "quiet,q", po::bool_switch(&o->quiet), "print nothing on standard output")(
      "baseline", po::value(&o->baseline),
      "baseline file (or an earlier -o ndjson output): its findings are listed as known and "
      "only new ones make the exit code 1");
  return desc;
}

bool ParseMode(const std::string& value, const char* option, ProgressMode* out) {
  if (value == "auto")
    *out = ProgressMode::kAuto;
  else if (value == "always")
    *out = ProgressMode::kAlways;
  else if (value == "never")
    *out = ProgressMode::kNever;
  else {
    PrintError(std::string("--") + option + " must be auto, always or never, not '" + value + "'");
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
    PrintError("--match must be 'gatekeeper' or 'reference', not '" + value + "'");
    return false;
  }
  return true;
}

// The options scan and inventory share (and --color, which only scan uses);
// false (after saying why) when one is bad.
bool ValidateInputOptions(const CliOptions& o, InputOptions* in, ProgressMode* color) {
  if (!ParseMatchMode(o.match, &in->match)) return false;
  if (!ParseMode(o.progress, "progress", &in->progress) || !ParseMode(o.color, "color", color)) {
    return false;
  }
  if (o.threads < 0) {
    PrintError("--threads must be 0 (all) or a positive number");
    return false;
  }
  in->policies = o.policies;
  in->allow = o.allow;
  in->inputs = o.inputs;
  in->filter.namespaces = o.namespaces;
  in->filter.excluded_namespaces = o.excluded_namespaces;
  if (!o.selector.empty()) {
    LabelSelector selector;
    const Status status = ParseLabelSelector(o.selector, &selector);
    if (!status.ok()) {
      PrintError("--selector: " + status.message());
      return false;
    }
    in->filter.selector = std::move(selector);
  }
  in->expand = o.expand;
  in->threads = o.threads;
  in->stats = o.stats;
  in->max_object_bytes = o.max_object_bytes;
  in->quiet = o.quiet;
  return true;
}

bool ValidateScan(const CliOptions& o, ScanCommand* command) {
  if (!ParseOutputFormat(o.output, &command->format)) {
    PrintError("unknown output format '" + o.output + "' (" + std::string(OutputFormatNames()) +
               ")");
    return false;
  }
  if (!ValidateInputOptions(o, &command->in, &command->color)) return false;
  command->report.truncate_messages = o.truncate_messages;
  if (o.violations_limit != "unlimited") {
    char* end = nullptr;
    const long long limit = std::strtoll(o.violations_limit.c_str(), &end, 10);
    if (o.violations_limit.empty() || *end != '\0' || limit < 0) {
      PrintError("--violations-limit must be a number >= 0 or 'unlimited', not '" +
                 o.violations_limit + "'");
      return false;
    }
    command->report.violations_limit = limit;
  }
  command->exit_zero = o.exit_zero;
  return true;
}

bool ValidateInventory(const CliOptions& o, InventoryCommand* command) {
  if (!ParseInventoryFormat(o.output, &command->format)) {
    PrintError("unknown output format '" + o.output + "' (text, json, csv, html)");
    return false;
  }
  ProgressMode color;
  return ValidateInputOptions(o, &command->in, &color);
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

int ParseExplain(const std::vector<std::string>& args) {
  ExplainCommand command;
  std::string output = "text", match_name = "gatekeeper";
  bool help = false;
  po::options_description desc("Explain options");
  desc.add_options()("policy,p", po::value(&command.policies)->composing(),
                     "policy file or directory (repeatable)")(
      "allow", po::value(&command.allow)->composing(), "allowed repo prefix (repeatable)")(
      "output,o", po::value(&output)->default_value("text"), "text | json (one object per image)")(
      "match", po::value(&match_name)->default_value("gatekeeper"), "gatekeeper | reference")(
      "help,h", po::bool_switch(&help), "show this help");
  po::options_description hidden;
  hidden.add_options()("image", po::value(&command.images)->composing(), "images");
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description positional;
  positional.add("image", -1);
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    PrintError(std::string(e.what()) + " (see gatescan explain --help)");
    return kExitError;
  }
  if (help) {
    std::cout << kExplainUsage << "\n" << desc << "\n";
    return kExitClean;
  }
  if (output == "text") {
    command.format = ExplainFormat::kText;
  } else if (output == "json") {
    command.format = ExplainFormat::kJson;
  } else {
    PrintError("explain: -o must be text or json, not '" + output + "'");
    return kExitError;
  }
  if (!ParseMatchMode(match_name, &command.match)) return kExitError;
  return RunExplain(command);
}

}  // namespace

int RunCli(int argc, const char* const* argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string command = "scan";
  if (!args.empty() && (args[0] == "scan" || args[0] == "inventory" || args[0] == "explain" ||
                        args[0] == "baseline" || args[0] == "diff")) {
    command = args[0];
    args.erase(args.begin());
  }
  if (command == "explain") return ParseExplain(args);
  if (command == "diff") return ParseDiff(args);
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
    o.output_given = !vm["output"].defaulted();
  } catch (const po::error& e) {
    PrintError(std::string(e.what()) + " (see gatescan --help)");
    return kExitError;
  }
  if (help) {
    std::cout << (command == "inventory" ? kInventoryUsage : kUsage) << "\n"
              << visible << "\n"
              << general << "\n";
    return kExitClean;
  }
  if (version) {
    std::cout << kGatescanVersion << "\n";
    return kExitClean;
  }
  if (command == "inventory") {
    InventoryCommand inventory;
    if (!ValidateInventory(o, &inventory)) return kExitError;
    return RunInventory(inventory);
  }
  ScanCommand scan;
  if (command == "baseline") {
    scan.write_baseline_mode = true;
    scan.write_baseline = o.output_given ? o.output : "-";
    o.output = "ndjson";  // the format does not apply; the baseline has its own
  }
  if (!ValidateScan(o, &scan)) return kExitError;
  scan.read_baseline = o.baseline;
  return RunScan(scan);
}

}  // namespace gatescan
