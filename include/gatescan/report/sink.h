// sink.h — where formatted output goes: standard output or a string.
//
// An OutputSink takes bytes from the pipeline's serial output stage (one
// thread at a time). The fd sink buffers, turns EPIPE into a quiet stop
// (closed() becomes true and writes return OK) and other write failures into
// a Status; the string sink is for tests.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "gatescan/common/status.h"

namespace gatescan {

class OutputSink {
 public:
  virtual ~OutputSink() = default;
  // Writes all of `bytes`. A closed pipe sets closed() and returns OK so the
  // scan can stop quietly; other failures return an error.
  virtual Status Write(std::string_view bytes) = 0;
  virtual Status Flush() { return Status::Ok(); }
  bool closed() const { return closed_; }

 protected:
  bool closed_ = false;
};

// Writes to a file descriptor (standard output) with its own buffering.
std::unique_ptr<OutputSink> MakeFdSink(int fd);
// Appends to a string (tests).
std::unique_ptr<OutputSink> MakeStringSink(std::string* target);
// Discards everything (--quiet).
std::unique_ptr<OutputSink> MakeNullSink();

}  // namespace gatescan
