// source.h — where bytes come from: files, standard input, gzip and zstd.
//
// `ListInputs` turns the command line's INPUT arguments into an ordered list
// of inputs (directories walked recursively for *.json, *.ndjson, *.jsonl,
// *.yaml, *.yml, each optionally .gz/.zst, sorted by path; "-" or nothing
// means standard input). `OpenInput` opens one of them as a `ByteSource`
// that yields the decompressed bytes in order; compression is detected from
// magic bytes, not from the name. A source is used by one thread at a time
// (the pipeline's serial input stage); it owns its file descriptor and any
// decompressor state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gatescan/common/status.h"

namespace gatescan {

struct InputSpec {
  std::string path;          // as given or as found in a directory walk; "-" is stdin
  std::string display_name;  // what error records and ndjson "source" fields print
};

// Expands files and directories in argument order; an empty list means stdin.
// A path that does not exist is an error naming it.
Status ListInputs(const std::vector<std::string>& args, std::vector<InputSpec>* out);

enum class Compression { kNone, kGzip, kZstd };

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `capacity` decompressed bytes into `dst`. Returns the number
  // of bytes read; 0 means end of input. On failure returns 0 and sets *error
  // to a message naming the input (e.g. "pods.json.gz: corrupt gzip stream
  // at compressed byte 1234").
  virtual size_t Read(char* dst, size_t capacity, Status* error) = 0;
  // Total size in bytes of the underlying file when known (for progress), else 0.
  virtual uint64_t size_hint() const { return 0; }
  virtual Compression compression() const { return Compression::kNone; }
};

// Opens an input. For standard input the pipe buffer is enlarged
// (F_SETPIPE_SZ) when it is a pipe.
Status OpenInput(const InputSpec& input, std::unique_ptr<ByteSource>* out);

// An in-memory source, for tests and benchmarks.
std::unique_ptr<ByteSource> MakeMemorySource(std::string bytes);

}  // namespace gatescan
