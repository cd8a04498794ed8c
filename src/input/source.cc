// source.cc — input listing, file and stdin reading, gzip/zstd decompression.
//
// Files are read with read(2) in large chunks into buffers the source owns and
// reuses; nothing is mmapped (first-touch of fresh pages costs more than the
// copy). Compression is detected from the first bytes, which are peeked and
// then replayed to the decompressor.
#include "gatescan/input/source.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "gatescan/common/file_walk.h"

namespace gatescan {
namespace {

namespace fs = std::filesystem;

constexpr size_t kRawChunk = 1 << 20;

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool IsInputFileName(const std::string& name) {
  std::string base = name;
  for (std::string_view z : {".gz", ".zst"}) {
    if (EndsWith(base, z)) {
      base.resize(base.size() - z.size());
      break;
    }
  }
  for (std::string_view ext : {".json", ".ndjson", ".jsonl", ".yaml", ".yml"}) {
    if (EndsWith(base, ext)) return true;
  }
  return false;
}

std::string DisplayName(const std::string& path) { return path == "-" ? "<stdin>" : path; }

// Raw bytes from a file descriptor, with a few bytes of look-ahead that can be
// pushed back (the magic-number peek).
class FdReader {
 public:
  FdReader(int fd, bool owns) : fd_(fd), owns_(owns) {}
  ~FdReader() {
    if (owns_ && fd_ >= 0) close(fd_);
  }
  FdReader(const FdReader&) = delete;
  FdReader& operator=(const FdReader&) = delete;

  // Returns bytes read, 0 at end, -1 on error (errno set).
  ssize_t Read(char* dst, size_t capacity) {
    if (replay_pos_ < replay_.size()) {
      size_t n = std::min(capacity, replay_.size() - replay_pos_);
      std::memcpy(dst, replay_.data() + replay_pos_, n);
      replay_pos_ += n;
      offset_ += n;
      return static_cast<ssize_t>(n);
    }
    for (;;) {
      ssize_t n = ::read(fd_, dst, capacity);
      if (n < 0 && errno == EINTR) continue;
      if (n > 0) offset_ += static_cast<uint64_t>(n);
      return n;
    }
  }

  // Reads up to `n` bytes ahead and arranges for them to be read again.
  std::string_view Peek(size_t n) {
    replay_.resize(n);
    size_t have = 0;
    while (have < n) {
      ssize_t got;
      do {
        got = ::read(fd_, replay_.data() + have, n - have);
      } while (got < 0 && errno == EINTR);
      if (got <= 0) break;
      have += static_cast<size_t>(got);
    }
    replay_.resize(have);
    replay_pos_ = 0;
    return replay_;
  }

  uint64_t offset() const { return offset_; }  // raw bytes handed out so far

 private:
  int fd_;
  bool owns_;
  std::string replay_;
  size_t replay_pos_ = 0;
  uint64_t offset_ = 0;
};

class PlainSource : public ByteSource {
 public:
  PlainSource(std::unique_ptr<FdReader> in, std::string name, uint64_t size)
      : in_(std::move(in)), name_(std::move(name)), size_(size) {}
  size_t Read(char* dst, size_t capacity, Status* error) override {
    if (capacity == 0) return 0;
    ssize_t n = in_->Read(dst, capacity);
    if (n < 0) {
      *error = Status::Error(name_ + ": read failed: " + std::strerror(errno));
      return 0;
    }
    return static_cast<size_t>(n);
  }
  uint64_t size_hint() const override { return size_; }

 private:
  std::unique_ptr<FdReader> in_;
  std::string name_;
  uint64_t size_;
};

// Shared plumbing of the two decompressors: a reused raw input chunk.
class DecompressingSource : public ByteSource {
 public:
  DecompressingSource(std::unique_ptr<FdReader> in, std::string name, uint64_t size)
      : in_(std::move(in)), name_(std::move(name)), size_(size), raw_(new char[kRawChunk]) {}
  uint64_t size_hint() const override { return size_; }

 protected:
  // Refills the raw chunk when it is used up. Returns false on a read error.
  bool Refill(Status* error) {
    if (raw_pos_ < raw_len_ || raw_eof_) return true;
    ssize_t n = in_->Read(raw_.get(), kRawChunk);
    if (n < 0) {
      *error = Status::Error(name_ + ": read failed: " + std::strerror(errno));
      return false;
    }
    raw_offset_ += raw_len_;
    raw_pos_ = 0;
    raw_len_ = static_cast<size_t>(n);
    if (n == 0) raw_eof_ = true;
    return true;
  }
  uint64_t compressed_offset() const { return raw_offset_ + raw_pos_; }
  Status Corrupt(const char* format, const std::string& detail) const {
    return Status::Error(name_ + ": " + format + " at compressed byte " +
                         std::to_string(compressed_offset()) +
                         (detail.empty() ? "" : ": " + detail));
  }

  std::unique_ptr<FdReader> in_;
  std::string name_;
  uint64_t size_;
  std::unique_ptr<char[]> raw_;
  size_t raw_pos_ = 0;
  size_t raw_len_ = 0;
  uint64_t raw_offset_ = 0;
  bool raw_eof_ = false;
  bool done_ = false;
};

class GzipSource : public DecompressingSource {
 public:
  using DecompressingSource::DecompressingSource;
  ~GzipSource() override {
    if (initialized_) inflateEnd(&zs_);
  }

  size_t Read(char* dst, size_t capacity, Status* error) override {
    if (done_ || capacity == 0) return 0;
    if (!initialized_) {
      std::memset(&zs_, 0, sizeof(zs_));
      if (inflateInit2(&zs_, 16 + MAX_WBITS) != Z_OK) {
        *error = Status::Error(name_ + ": cannot initialise zlib");
        done_ = true;
        return 0;
      }
      initialized_ = true;
    }
    size_t produced = 0;
    while (produced == 0) {
      if (!Refill(error)) return Fail();
      if (raw_pos_ == raw_len_) {
        // End of the compressed file: fine between members, not inside one.
        if (in_member_) {
          *error = Corrupt("truncated gzip stream", "");
          return Fail();
        }
        done_ = true;
        return 0;
      }
      if (!in_member_) {
        // Concatenated members (or trailing padding): a new member must start with the magic.
        if (static_cast<unsigned char>(raw_[raw_pos_]) != 0x1f) {
          *error = Corrupt("trailing garbage after gzip member", "");
          return Fail();
        }
        inflateReset(&zs_);
        in_member_ = true;
      }
      zs_.next_in = reinterpret_cast<Bytef*>(raw_.get() + raw_pos_);
      zs_.avail_in = static_cast<uInt>(raw_len_ - raw_pos_);
      zs_.next_out = reinterpret_cast<Bytef*>(dst);
      zs_.avail_out = static_cast<uInt>(std::min<size_t>(capacity, 1u << 30));
      int rc = inflate(&zs_, Z_NO_FLUSH);
      raw_pos_ = raw_len_ - zs_.avail_in;
      produced = reinterpret_cast<char*>(zs_.next_out) - dst;
      if (rc == Z_STREAM_END) {
        in_member_ = false;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        *error = Corrupt("corrupt gzip stream", zs_.msg != nullptr ? zs_.msg : "");
        return Fail();
      }
    }
    return produced;
  }
  Compression compression() const override { return Compression::kGzip; }

 private:
  size_t Fail() {
    done_ = true;
    return 0;
  }
  z_stream zs_;
  bool initialized_ = false;
  bool in_member_ = false;
};

class ZstdSource : public DecompressingSource {
 public:
  using DecompressingSource::DecompressingSource;
  ~ZstdSource() override { ZSTD_freeDStream(ds_); }

  size_t Read(char* dst, size_t capacity, Status* error) override {
    if (done_ || capacity == 0) return 0;
    if (ds_ == nullptr) ds_ = ZSTD_createDStream();
    ZSTD_outBuffer out{dst, capacity, 0};
    while (out.pos == 0) {
      if (!Refill(error)) return Fail();
      if (raw_pos_ == raw_len_) {
        if (frame_open_) {
          *error = Corrupt("truncated zstd stream", "");
          return Fail();
        }
        done_ = true;
        return 0;
      }
      ZSTD_inBuffer in{raw_.get(), raw_len_, raw_pos_};
      size_t rc = ZSTD_decompressStream(ds_, &out, &in);
      raw_pos_ = in.pos;
      if (ZSTD_isError(rc)) {
        *error = Corrupt("corrupt zstd stream", ZSTD_getErrorName(rc));
        return Fail();
      }
      // rc == 0: a frame ended; the next bytes (if any) start a new frame.
      frame_open_ = rc != 0;
    }
    return out.pos;
  }
  Compression compression() const override { return Compression::kZstd; }

 private:
  size_t Fail() {
    done_ = true;
    return 0;
  }
  ZSTD_DStream* ds_ = nullptr;
  bool frame_open_ = false;
};

class MemorySource : public ByteSource {
 public:
  explicit MemorySource(std::string bytes) : bytes_(std::move(bytes)) {}
  size_t Read(char* dst, size_t capacity, Status*) override {
    size_t n = std::min(capacity, bytes_.size() - pos_);
    std::memcpy(dst, bytes_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  uint64_t size_hint() const override { return bytes_.size(); }

 private:
  std::string bytes_;
  size_t pos_ = 0;
};

// A bigger pipe lets the producer (zcat, kubectl) run ahead by more than 64 KiB.
void EnlargePipe(int fd) {
#ifdef F_SETPIPE_SZ
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) return;
  long max_size = 1 << 20;
  std::ifstream limit("/proc/sys/fs/pipe-max-size");
  long configured = 0;
  if (limit >> configured && configured > 0) max_size = configured;
  (void)fcntl(fd, F_SETPIPE_SZ, static_cast<int>(std::min<long>(max_size, 1 << 30)));
#else
  (void)fd;
#endif
}

Status WalkDirectory(const std::string& dir, std::vector<InputSpec>* out) {
  std::vector<std::string> found;
  Status status = ListFilesBelow(
      dir, [](std::string_view name) { return IsInputFileName(std::string(name)); }, &found);
  if (!status.ok()) return status;
  for (auto& path : found) out->push_back({path, DisplayName(path)});
  return Status::Ok();
}

}  // namespace

Status ListInputs(const std::vector<std::string>& args, std::vector<InputSpec>* out) {
  out->clear();
  if (args.empty()) {
    out->push_back({"-", DisplayName("-")});
    return Status::Ok();
  }
  for (const std::string& arg : args) {
    if (arg == "-") {
      out->push_back({arg, DisplayName(arg)});
      continue;
    }
    std::error_code ec;
    fs::file_status st = fs::status(arg, ec);
    if (ec || !fs::exists(st)) return Status::Error(arg + ": no such file or directory");
    if (fs::is_directory(st)) {
      Status s = WalkDirectory(arg, out);
      if (!s.ok()) return s;
    } else {
      out->push_back({arg, DisplayName(arg)});
    }
  }
  return Status::Ok();
}

Status OpenInput(const InputSpec& input, std::unique_ptr<ByteSource>* out) {
  int fd;
  bool owns;
  uint64_t size = 0;
  if (input.path == "-") {
    fd = STDIN_FILENO;
    owns = false;
    EnlargePipe(fd);
  } else {
    do {
      fd = ::open(input.path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return Status::Error(input.display_name + ": " + std::strerror(errno));
    owns = true;
    struct stat st;
    if (fstat(fd, &st) == 0) {
      if (S_ISDIR(st.st_mode)) {
        close(fd);
        return Status::Error(input.display_name + ": is a directory");
      }
      if (S_ISREG(st.st_mode)) {
        size = static_cast<uint64_t>(st.st_size);
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
      }
    }
  }
  auto reader = std::make_unique<FdReader>(fd, owns);
  std::string_view magic = reader->Peek(4);
  const auto* m = reinterpret_cast<const unsigned char*>(magic.data());
  if (magic.size() >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
    *out = std::make_unique<GzipSource>(std::move(reader), input.display_name, size);
  } else if (magic.size() >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
    *out = std::make_unique<ZstdSource>(std::move(reader), input.display_name, size);
  } else {
    *out = std::make_unique<PlainSource>(std::move(reader), input.display_name, size);
  }
  return Status::Ok();
}

std::unique_ptr<ByteSource> MakeMemorySource(std::string bytes) {
  return std::make_unique<MemorySource>(std::move(bytes));
}

}  // namespace gatescan
