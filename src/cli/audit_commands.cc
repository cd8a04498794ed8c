// audit_commands.cc — `gatescan diff OLD NEW` (issue 15): its arguments and
// its run. The baseline command and --baseline ride on RunScan (commands.cc).
#include <unistd.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "gatescan/audit/diff.h"
#include "gatescan/audit/finding.h"
#include "gatescan/cli/commands.h"
#include "gatescan/common/status.h"
#include "gatescan/report/sink.h"

namespace gatescan {
namespace {

namespace po = boost::program_options;

constexpr const char* kDiffUsage =
    R"(gatescan diff — what changed between two runs.

Usage:
  gatescan diff [-o text|ndjson] OLD NEW

OLD and NEW are baselines (gatescan baseline -o FILE) or ndjson outputs
(gatescan -o ndjson). Findings are compared by identity (constraint,
namespace, workload, container, image, message), so a rollout that renames
every pod changes nothing. Prints new, fixed and unchanged findings.
Exit codes: 0 nothing new, 1 at least one new finding, 2 an error.
)";

}  // namespace

int ParseDiff(const std::vector<std::string>& args) {
  DiffCommand command;
  std::string output = "text";
  std::vector<std::string> files;
  bool help = false;
  po::options_description desc("Diff options");
  desc.add_options()("output,o", po::value(&output)->default_value("text"), "text | ndjson")(
      "help,h", po::bool_switch(&help), "show this help");
  po::options_description hidden;
  hidden.add_options()("file", po::value(&files)->composing(), "files");
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description positional;
  positional.add("file", -1);
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    PrintError(std::string(e.what()) + " (see gatescan diff --help)");
    return kExitError;
  }
  if (help) {
    std::cout << kDiffUsage << "\n" << desc << "\n";
    return kExitClean;
  }
  if (output != "text" && output != "ndjson") {
    PrintError("diff: -o must be text or ndjson, not '" + output + "'");
    return kExitError;
  }
  if (files.size() != 2) {
    PrintError("diff needs two files, OLD and NEW (see gatescan diff --help)");
    return kExitError;
  }
  command.old_path = files[0];
  command.new_path = files[1];
  command.ndjson = output == "ndjson";
  return RunDiff(command);
}

int RunDiff(const DiffCommand& command) {
  FindingSet old_set, new_set;
  for (const auto& [path, set] :
       {std::pair{&command.old_path, &old_set}, std::pair{&command.new_path, &new_set}}) {
    if (Status s = ReadFindings(*path, set); !s.ok()) {
      PrintError("diff: " + s.message());
      return kExitError;
    }
  }
  std::string out;
  const DiffCounts counts =
      FormatDiff(old_set, new_set, command.ndjson ? DiffFormat::kNdjson : DiffFormat::kText, &out);
  auto sink = MakeFdSink(STDOUT_FILENO);
  Status status = sink->Write(out);
  if (status.ok()) status = sink->Flush();
  if (!status.ok()) {
    PrintError(status.message());
    return kExitError;
  }
  return counts.added > 0 ? kExitViolations : kExitClean;
}

}  // namespace gatescan
