// cli.h — the command line: parses arguments and runs a command.
//
// The only user of Boost.Program_options. Turns `gatescan [scan|inventory|explain]
// [OPTIONS] [INPUT ...]` into options for the stages, runs them, and returns
// the process exit code (SPEC §1: 0 clean, 1 deny violations, 2 errors).
// Diagnostics go to standard error; results to standard output.
#pragma once

namespace gatescan {

int RunCli(int argc, const char* const* argv);

}  // namespace gatescan
