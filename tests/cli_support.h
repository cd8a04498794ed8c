// cli_support.h — runs the gatescan binary in tests and captures its output.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "test_support.h"

namespace gatescan::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Exit 2 whose only causes are objects Kubernetes refuses (no kind or no
// apiVersion: three insights-operator Pods of the corpus are such): every
// error on standard error, and every ndjson error record, is that refusal.
// Tests that scan whole corpus folders accept those and nothing else.
inline bool OnlyRefusedObjectErrors(const RunResult& r) {
  if (r.exit_code != 2) return false;
  constexpr const char* kRefusal = "Gatekeeper never reviews it";
  size_t refusals = 0;
  for (const std::string* text : {&r.err, &r.out}) {
    for (size_t pos = 0; pos < text->size();) {
      size_t eol = text->find('\n', pos);
      if (eol == std::string::npos) eol = text->size();
      const std::string line = text->substr(pos, eol - pos);
      pos = eol + 1;
      const bool is_error = text == &r.err
                                ? line.find(" error(s) while scanning") == std::string::npos &&
                                      line.rfind("gatescan: warning: ", 0) != 0
                                : line.find("\"type\":\"error\"") != std::string::npos;
      if (!is_error) continue;
      if (line.find(kRefusal) == std::string::npos) return false;
      ++refusals;
    }
  }
  return refusals > 0;
}

inline std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

// Runs `gatescan <args>` with optional standard input; captures stdout and stderr.
inline RunResult RunGatescan(const std::vector<std::string>& args,
                             const std::string* stdin_data = nullptr) {
  namespace fs = std::filesystem;
  static int counter = 0;
  const fs::path dir = fs::temp_directory_path() / ("gatescan-cli-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string id = std::to_string(counter++);
  const fs::path out = dir / (id + ".out"), err = dir / (id + ".err"), in = dir / (id + ".in");
  std::string cmd = ShellQuote(GatescanBin().string());
  for (const auto& a : args) cmd += " " + ShellQuote(a);
  if (stdin_data != nullptr) {
    std::ofstream(in, std::ios::binary) << *stdin_data;
    cmd += " < " + ShellQuote(in.string());
  } else {
    cmd += " < /dev/null";
  }
  cmd += " > " + ShellQuote(out.string()) + " 2> " + ShellQuote(err.string());
  RunResult r;
  const int status = std::system(cmd.c_str());
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  fs::remove(out);
  fs::remove(err);
  fs::remove(in);
  return r;
}

// A scratch directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    static int n = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("gatescan-test-" + std::to_string(getpid()) + "-" + std::to_string(n++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& content) const {
    const auto p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace gatescan::testing
