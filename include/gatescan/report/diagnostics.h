// diagnostics.h — the sink for error records, whatever the output format.
//
// The pipeline's serial output stage hands every error record to
// Diagnostics::Error in input order (one thread at a time), whether or not
// the output format also carries it inline (ndjson does). The CLI's
// implementation prints them on standard error; Finish() runs once after the
// scan. Warnings about the run as a whole are the CLI's (cli/warnings.h).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "gatescan/report/record.h"

namespace gatescan {

class Diagnostics {
 public:
  virtual ~Diagnostics() = default;
  virtual void Error(const ScanError& error) = 0;
  virtual void Finish() {}
};

// Prints each record as one line on `out` (standard error):
//   gatescan: <source>:<byte offset> (item <n>): <message>
// the source and message made terminal-safe; after `limit` lines (negative:
// no limit) only counts, and Finish() says how many more there were.
class StreamDiagnostics : public Diagnostics {
 public:
  StreamDiagnostics(std::FILE* out, int64_t limit) : out_(out), limit_(limit) {}
  void Error(const ScanError& error) override;
  void Finish() override;
  uint64_t errors() const { return errors_; }

  static constexpr int64_t kDefaultLimit = 20;

 private:
  std::FILE* out_;
  int64_t limit_;
  uint64_t errors_ = 0;
};

// The line StreamDiagnostics prints for one record, without its newline.
std::string DiagnosticLine(const ScanError& error);

// Counts only (error records reach the user some other way, or tests).
class CountingDiagnostics : public Diagnostics {
 public:
  void Error(const ScanError&) override { ++errors_; }
  uint64_t errors() const { return errors_; }

 private:
  uint64_t errors_ = 0;
};

}  // namespace gatescan
