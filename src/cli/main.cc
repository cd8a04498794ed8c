#include <csignal>
#include <cstdio>
#include <exception>

#include "gatescan/cli/cli.h"
#include "gatescan/common/status.h"

int main(int argc, char** argv) {
  // A closed pipe is reported by write() as EPIPE and handled as a quiet stop.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    return gatescan::RunCli(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gatescan: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "gatescan: unexpected error\n");
  }
  return gatescan::kExitError;
}
