// status.h — the error type for setup and I/O, and the exit-code contract.
//
// `Status` carries an error message (empty when OK). It is used where failure
// is an ordinary outcome (opening files, loading policies, writing output);
// per-object problems during a scan are not Statuses but error records that
// travel with the batch (see extract.h / framer.h). Exit codes are the same
// for every command (SPEC §1). Plain values; thread-compatible.
#pragma once

#include <string>
#include <utility>

namespace gatescan {

enum ExitCode : int {
  kExitClean = 0,       // nothing to report
  kExitViolations = 1,  // at least one violation whose action is deny
  kExitError = 2,       // bad usage, unreadable input or policy, malformed JSON
};

class Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message)); }

  bool ok() const { return message_.empty(); }
  const std::string& message() const { return message_; }

 private:
  explicit Status(std::string message)
      : message_(message.empty() ? std::string("unknown error") : std::move(message)) {}
  std::string message_;
};

}  // namespace gatescan
