#include "gatescan/cli/cli.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "gatescan/cli/commands.h"
#include "gatescan/common/status.h"
#include "gatescan/policy/spec_match.h"
#include "gatescan/report/summary.h"

namespace gatescan {
namespace {

namespace po = boost::program_options;

constexpr const char* kUsage =
    R"(gatescan — Gatekeeper's image-policy verdicts over kubectl dumps, offline: K8sAllowedRepos,
K8sAllowedReposv2, K8sDisallowedRepos, K8sDisallowedTags and K8sImageDigests, exact to gator.

Usage:
  gatescan [scan] [OPTIONS] [INPUT ...]     scan dumps for violations (default command)
  gatescan inventory [OPTIONS] [INPUT ...]  every image of the dumps, by registry, repository and
                                            workload; what an allowlist would break; --suggest one
                                            (see inventory --help)
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
  gatescan -q --summary -p policies/ dumps/          # tables: constraint, namespace, workload ...
  gatescan --group-by workload -p policies/ dumps/   # one line per workload, not per pod

Error records (malformed JSON, unreadable input ...) are printed on standard
error as `gatescan: SOURCE:OFFSET (item N): MESSAGE` (-o ndjson also carries
them inline); warnings say what was not checked (no objects, nothing matched,
workloads without --expand); --strict makes a warning exit 2.

Exit codes: 0 nothing to report, 1 a violation with enforcementAction deny,
            2 an error (bad usage, unreadable input or policy, malformed JSON;
            a warning under --strict).
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
  bool strict = false;
  bool strict_policies = false;
  bool all_namespaces = false;  // -A: kubectl's habit; every namespace is the default
  std::string errors = "20";
  std::vector<std::string> inputs;
  std::string baseline;                  // --baseline FILE (issue 15)
  bool output_given = false;             // -o given: `gatescan baseline` takes it as the file
  bool summary = false;                  // --summary
  std::string summary_rows;              // --summary-rows N|all (empty: 20)
  std::string group_by;                  // --group-by workload
  std::string csv_level = "repository";  // inventory --csv-level
  std::string suggest;                   // inventory --suggest
};

// The options scan and inventory share.
void AddInputOptions(po::options_description* desc, CliOptions* o) {
  desc->add_options()(
      "policy,p", po::value(&o->policies)->composing(),
      "Gatekeeper policy file or directory (YAML/JSON, multi-document, kind: List): "
      "ConstraintTemplates, constraints, ExpansionTemplates, Config, Namespaces. Repeatable.")(
      "allow", po::value(&o->allow)->composing(),
      "allowed repo prefix for an implicit K8sAllowedRepos constraint 'gatescan-allow' "
      "matching Pods (deny). Repeatable. Tip: end registries with '/'.")(
      "strict-policies", po::bool_switch(&o->strict_policies),
      "a ConstraintTemplate that is not an image policy is an error (exit 2), not skipped")(
      "namespace,n", po::value(&o->namespaces)->composing(),
      "only objects in this namespace (prefix*, *suffix, *contains* wildcards). Repeatable.")(
      "exclude-namespace", po::value(&o->excluded_namespaces)->composing(),
      "skip objects in this namespace (wildcards as -n). Repeatable.")(
      "all-namespaces,A", po::bool_switch(&o->all_namespaces),
      "every namespace (the default; accepted as in kubectl)")(
      "selector,l", po::value(&o->selector), "kubectl label selector: a=b,c!=d,e in (x,y),!f")(
      "expand", po::bool_switch(&o->expand),
      "also check pod templates of workloads, as Gatekeeper ExpansionTemplates do")(
      "match", po::value(&o->match)->default_value("gatekeeper"),
      "gatekeeper (raw byte prefix, exactly as the Rego) | reference (normalised image "
      "references, matched on component boundaries: docker.io allows busybox, not "
      "docker.io.evil.com/x)")("threads,j", po::value(&o->threads)->default_value(0),
                               "worker threads (0: all hardware threads)")(
      "progress", po::value(&o->progress)->default_value("auto"),
      "auto | always | never (on stderr)")(
      "stats", po::bool_switch(&o->stats),
      "print a summary on stderr: counts, throughput, and the thread-seconds "
      "of each stage (read+frame, extract, evaluate+format, "
      "output)")("max-object-bytes", po::value(&o->max_object_bytes)->default_value(256ull << 20),
                 "larger objects become error records; the scan goes on")(
      "errors", po::value(&o->errors)->default_value("20"),
      "error records printed on stderr: a number, or all")(
      "strict", po::bool_switch(&o->strict),
      "exit 2 when a warning is printed (unattended audits)")("quiet,q", po::bool_switch(&o->quiet),
                                                              "print nothing on standard output");
}

po::options_description ScanOptionsDescription(CliOptions* o) {
  po::options_description desc("Scan options");
  desc.add_options()(
      "output,o", po::value(&o->output)->default_value("text"),
      "text | gator | ndjson | csv | audit | audit-log | sarif | junit | prometheus | "
      "summary-json (the --summary tables as one JSON document, every row)");
  AddInputOptions(&desc, o);
  desc.add_options()("violations-limit",
                     po::value(&o->violations_limit)->default_value("unlimited"),
                     "-o audit: violations kept per constraint (Gatekeeper keeps 20)")(
      "truncate-messages", po::bool_switch(&o->truncate_messages),
      "cut messages to 256 bytes as Gatekeeper >= 3.16 does in audit output")(
      "color", po::value(&o->color)->default_value("auto"),
      "auto | always | never (NO_COLOR honoured)")("exit-zero", po::bool_switch(&o->exit_zero),
                                                   "exit 0 even when violations are found")(
      "baseline", po::value(&o->baseline),
      "baseline file (or an earlier -o ndjson output, grouped or not): its findings are "
      "marked known (JUnit: skipped cases; Prometheus: baseline=\"known\") and only new ones "
      "make the exit code 1")(
      "summary", po::bool_switch(&o->summary),
      "after the findings (alone with -q): tables by constraint, namespace, workload, registry "
      "and image, with violations, containers and objects, most violations first")(
      "summary-rows", po::value(&o->summary_rows),
      "--summary: rows per table (default 20, then '... and N more'), or all")(
      "group-by", po::value(&o->group_by),
      "workload: one line (-o text) or record (-o ndjson) per constraint, workload, container "
      "and image, with its replica count, instead of one per pod");
  return desc;
}

po::options_description InventoryOptionsDescription(CliOptions* o) {
  po::options_description desc("Inventory options");
  desc.add_options()("output,o", po::value(&o->output)->default_value("text"),
                     "text | json | csv | html")(
      "csv-level", po::value(&o->csv_level)->default_value("repository"),
      "-o csv rows: registry | repository | image | workload (one row per workload and image: "
      "what breaks, in a spreadsheet)")(
      "suggest", po::value(&o->suggest),
      "N% (e.g. 99%): the fewest registry or repository prefixes that admit N% of all "
      "containers under --match, as --allow flags and a constraint");
  AddInputOptions(&desc, o);
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
  in->strict = o.strict;
  in->strict_policies = o.strict_policies;
  if (o.errors == "all") {
    in->errors_shown = -1;
  } else {
    char* end = nullptr;
    const long long n = std::strtoll(o.errors.c_str(), &end, 10);
    if (o.errors.empty() || *end != '\0' || n < 0) {
      PrintError("--errors must be a number >= 0 or 'all', not '" + o.errors + "'");
      return false;
    }
    in->errors_shown = n;
  }
  return true;
}

// --summary and --group-by (issue 15 item 2), once the format is known.
bool ValidateSummaryOptions(const CliOptions& o, ScanCommand* command) {
  if (!o.summary && !o.summary_rows.empty()) {
    PrintError("--summary-rows goes with --summary (-o summary-json always has every row)");
    return false;
  }
  if (o.summary) {
    if (o.summary_rows.empty()) {
      command->summary_rows = 20;
    } else if (o.summary_rows == "all") {
      command->summary_rows = 0;
    } else {
      char* end = nullptr;
      const long long n = std::strtoll(o.summary_rows.c_str(), &end, 10);
      if (*end != '\0' || n < 1) {
        PrintError("--summary-rows must be a number >= 1 or 'all', not '" + o.summary_rows + "'");
        return false;
      }
      command->summary_rows = n;
    }
    // The tables are text: after a text report, or alone with -q.
    if (command->format != OutputFormat::kText && !o.quiet) {
      PrintError("--summary prints text tables after -o text, or alone with -q; for -o " +
                 o.output + " use a second run with -o summary-json");
      return false;
    }
  }
  if (!o.group_by.empty()) {
    if (o.group_by != "workload") {
      PrintError("--group-by takes 'workload', not '" + o.group_by + "'");
      return false;
    }
    if (!GroupByFormatSupported(command->format)) {
      PrintError("--group-by workload works with -o text and -o ndjson, not -o " + o.output);
      return false;
    }
    command->group_by_workload = true;
  }
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
  return ValidateSummaryOptions(o, command);
}

bool ValidateInventory(const CliOptions& o, InventoryCommand* command) {
  if (!ParseInventoryFormat(o.output, &command->format)) {
    PrintError("unknown output format '" + o.output + "' (text, json, csv, html)");
    return false;
  }
  if (!ParseCsvLevel(o.csv_level, &command->csv_level)) {
    PrintError("--csv-level must be registry, repository, image or workload, not '" + o.csv_level +
               "'");
    return false;
  }
  if (!o.suggest.empty() && !ParseSuggestShare(o.suggest, &command->suggest_ppm)) {
    PrintError("--suggest must be a share above 0 and at most 100%, such as 99% or 99.5%, not '" +
               o.suggest + "'");
    return false;
  }
  command->selector = o.selector;
  ProgressMode color;
  return ValidateInputOptions(o, &command->in, &color);
}

constexpr const char* kInventoryUsage =
    R"(gatescan inventory — every container image of a dump, by registry, repository, image and
workload.

Usage:
  gatescan inventory [OPTIONS] [INPUT ...]     -o text | json | csv | html

Counts containers, objects and namespaces per registry (`busybox` counts for
docker.io), repository, exact image and workload (the top owner, as the scan's
findings name it: Pod -> ReplicaSet -> Deployment ...); container types;
invalid references. With --allow/--policy it adds the what-if view: what that
allowlist would block, and what breaks: the namespaces and workloads with a
blocked container. With --expand, the pod templates of workloads (Deployments,
CronJobs ...) count as well. -o csv writes one row per repository, or per
registry, image or (workload, image) with --csv-level. -o html writes one
self-contained page with charts that opens offline and states its inputs
(files, policies, allowlist, match mode, version, date). --suggest 99% prints
the fewest registry or repository prefixes that admit 99% of the containers
under the --match mode, with ready --allow flags and a constraint.
  gatescan inventory -o html --allow docker.io/ --allow registry.k8s.io/ pods.json > report.html
  gatescan inventory --suggest 99% pods.json
  gatescan inventory -o csv --csv-level workload --allow docker.io/ pods.json > breaks.csv
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

// Levenshtein distance, for "did you mean".
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The closest candidate to `word` when it is close enough to be a typo, else "".
std::string Closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (const std::string& candidate : candidates) {
    const size_t d = EditDistance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

// Parses `args` into the variables `all` points to, the words that are no
// option into `positional_name`. On a usage error, says
// why (with the closest option of `visible` for an unknown one) and returns false.
bool ParseArgs(const std::vector<std::string>& args, const po::options_description& all,
               const char* positional_name, const po::options_description& visible,
               const std::string& help_command, po::variables_map* parsed = nullptr) {
  po::positional_options_description positional;
  positional.add(positional_name, -1);
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    po::notify(vm);
    if (parsed != nullptr) *parsed = std::move(vm);
  } catch (const po::unknown_option& e) {
    const std::string name = e.get_option_name();
    std::string message = std::string(e.what());
    if (name.rfind("--", 0) == 0) {
      std::vector<std::string> names;
      for (const auto& option : visible.options()) names.push_back("--" + option->long_name());
      const std::string closest = Closest(name.substr(0, name.find('=')), names);
      if (!closest.empty()) message += "; did you mean " + closest + "?";
    }
    PrintError(message + " (see " + help_command + " --help)");
    return false;
  } catch (const po::error& e) {
    PrintError(std::string(e.what()) + " (see " + help_command + " --help)");
    return false;
  }
  return true;
}

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
  po::options_description all;
  all.add(desc).add_options()("image", po::value(&command.images)->composing(), "images");
  if (!ParseArgs(args, all, "image", desc, "gatescan explain")) return kExitError;
  if (help) {
    std::cout << kExplainUsage << "\n" << desc << "\n";
    return kExitClean;
  }
  if (command.images.empty()) {
    PrintError(
        "explain: give one IMAGE or more, or - to read one per line from standard input "
        "(see gatescan explain --help)");
    return kExitError;
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

const std::vector<std::string> kCommands = {"scan", "inventory", "explain", "baseline", "diff"};

}  // namespace

int RunCli(int argc, const char* const* argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string command = "scan";
  if (!args.empty() && std::find(kCommands.begin(), kCommands.end(), args[0]) != kCommands.end()) {
    command = args[0];
    args.erase(args.begin());
  } else if (!args.empty() && !args[0].empty() && args[0][0] != '-') {
    // A word that is no command, no file and close to a command is a typo,
    // not an input that does not exist.
    std::error_code ec;
    const std::string closest = Closest(args[0], kCommands);
    if (!closest.empty() && !std::filesystem::exists(args[0], ec)) {
      PrintError("'" + args[0] + "' is not a gatescan command or an input; did you mean '" +
                 closest + "'? (see gatescan --help)");
      return kExitError;
    }
  }
  if (command == "explain") return ParseExplain(args);
  if (command == "diff") return ParseDiff(args);
  const bool inventory = command == "inventory";
  CliOptions o;
  po::options_description visible =
      inventory ? InventoryOptionsDescription(&o) : ScanOptionsDescription(&o);
  po::options_description general("General");
  bool help = false, version = false;
  general.add_options()("help,h", po::bool_switch(&help), "show this help")(
      "version", po::bool_switch(&version), "show the version");
  po::options_description known;
  known.add(visible).add(general);
  po::options_description all;
  all.add(known).add_options()("input", po::value(&o.inputs)->composing(), "inputs");
  po::variables_map parsed;
  if (!ParseArgs(args, all, "input", known, inventory ? "gatescan inventory" : "gatescan",
                 &parsed)) {
    return kExitError;
  }
  o.output_given = parsed.count("output") > 0 && !parsed["output"].defaulted();
  if (help) {
    std::cout << (inventory ? kInventoryUsage : kUsage) << "\n"
              << visible << "\n"
              << general << "\n";
    return kExitClean;
  }
  if (version) {
    std::cout << kGatescanVersion << "\n";
    return kExitClean;
  }
  if (inventory) {
    InventoryCommand run;
    if (!ValidateInventory(o, &run)) return kExitError;
    return RunInventory(run);
  }
  ScanCommand scan;
  if (command == "baseline" && (o.summary || !o.group_by.empty())) {
    PrintError("baseline: --summary and --group-by do not apply (the baseline has its format)");
    return kExitError;
  }
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
