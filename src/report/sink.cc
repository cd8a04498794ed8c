// sink.cc — the output sinks (sink.h).
#include "gatescan/report/sink.h"

#include <errno.h>
#include <unistd.h>

#include <cstring>

namespace gatescan {
namespace {

class FdSink final : public OutputSink {
 public:
  explicit FdSink(int fd) : fd_(fd) { buffer_.reserve(kBufferSize); }
  ~FdSink() override { (void)Flush(); }

  Status Write(std::string_view bytes) override {
    if (closed_ || !error_.ok()) return error_;
    if (buffer_.size() + bytes.size() <= kBufferSize) {
      buffer_.append(bytes);
      return Status::Ok();
    }
    if (Status s = Flush(); !s.ok() || closed_) return s;
    if (bytes.size() >= kBufferSize) return WriteAll(bytes);
    buffer_.append(bytes);
    return Status::Ok();
  }

  Status Flush() override {
    if (closed_ || !error_.ok()) return error_;
    Status s = WriteAll(buffer_);
    buffer_.clear();
    return s;
  }

 private:
  static constexpr size_t kBufferSize = size_t{64} * 1024;

  Status WriteAll(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n >= 0) {
        bytes.remove_prefix(static_cast<size_t>(n));
        continue;
      }
      if (errno == EINTR) continue;
      if (errno == EPIPE) {
        closed_ = true;
        return Status::Ok();
      }
      error_ = Status::Error(std::string("standard output: ") + std::strerror(errno));
      return error_;
    }
    return Status::Ok();
  }

  int fd_;
  std::string buffer_;
  Status error_;
};

class StringSink final : public OutputSink {
 public:
  explicit StringSink(std::string* target) : target_(target) {}
  Status Write(std::string_view bytes) override {
    target_->append(bytes);
    return Status::Ok();
  }

 private:
  std::string* target_;
};

class NullSink final : public OutputSink {
 public:
  Status Write(std::string_view) override { return Status::Ok(); }
};

}  // namespace

std::unique_ptr<OutputSink> MakeFdSink(int fd) { return std::make_unique<FdSink>(fd); }

std::unique_ptr<OutputSink> MakeStringSink(std::string* target) {
  return std::make_unique<StringSink>(target);
}

std::unique_ptr<OutputSink> MakeNullSink() { return std::make_unique<NullSink>(); }

}  // namespace gatescan
