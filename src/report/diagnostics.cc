// diagnostics.cc — error records on standard error (diagnostics.h).
#include "gatescan/report/diagnostics.h"

#include <string>

#include "gatescan/common/terminal.h"

namespace gatescan {

std::string DiagnosticLine(const ScanError& error) {
  std::string line = "gatescan: ";
  if (error.origin.input != nullptr) AppendTerminalSafe(error.origin.input->display_name, &line);
  line += ':' + std::to_string(error.origin.offset) + " (item " +
          std::to_string(error.origin.index) + "): ";
  AppendTerminalSafe(error.message, &line);
  return line;
}

void StreamDiagnostics::Error(const ScanError& error) {
  ++errors_;
  if (limit_ >= 0 && errors_ > static_cast<uint64_t>(limit_)) return;
  std::string line = DiagnosticLine(error);
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), out_);
}

void StreamDiagnostics::Finish() {
  if (limit_ < 0 || errors_ <= static_cast<uint64_t>(limit_)) return;
  std::fprintf(out_, "gatescan: ... and %llu more error record(s); --errors all shows every one\n",
               static_cast<unsigned long long>(errors_ - static_cast<uint64_t>(limit_)));
}

}  // namespace gatescan
