// diagnostics.h — the sink for error records, whatever the output format.
//
// The pipeline's serial output stage hands every error record to
// Diagnostics::Error in input order (one thread at a time), whether or not
// the output format also carries it inline (ndjson does). The CLI's
// implementation prints them on standard error; Finish() runs once after the
// scan. Warnings about the run as a whole are the CLI's (cli/warnings.h).
#pragma once

#include <cstdint>
#include <memory>

#include "gatescan/report/record.h"

namespace gatescan {

class Diagnostics {
 public:
  virtual ~Diagnostics() = default;
  virtual void Error(const ScanError& error) = 0;
  virtual void Finish() {}
};

// Counts only (error records reach the user some other way, or tests).
class CountingDiagnostics : public Diagnostics {
 public:
  void Error(const ScanError&) override { ++errors_; }
  uint64_t errors() const { return errors_; }

 private:
  uint64_t errors_ = 0;
};

}  // namespace gatescan
