// test_support.h — locating the third-party corpus, datasets and the binary.
//
// Tests that need ../shared/corpus call GS_REQUIRE_CORPUS(), which skips with
// a visible message when the folder is absent (a user's fresh clone) and runs
// in CI, where it is present.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace gatescan::testing {

inline std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

inline std::filesystem::path CorpusDir() { return EnvOr("GATESCAN_CORPUS", "../shared/corpus"); }
inline std::filesystem::path DatasetsDir() { return EnvOr("GATESCAN_DATASETS", "datasets"); }
inline std::filesystem::path GatescanBin() { return EnvOr("GATESCAN_BIN", "build/gatescan"); }
inline std::filesystem::path SourceDir() { return EnvOr("GATESCAN_SOURCE_DIR", "."); }

inline bool CorpusPresent() { return std::filesystem::is_directory(CorpusDir() / "realworld"); }

inline std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The demo dump and every real dump of the corpus (each file of realworld/),
// for suites that check a property on each; says so when the corpus is absent.
inline std::vector<std::string> DemoAndCorpusDumps() {
  std::vector<std::string> inputs = {(DatasetsDir() / "demo-pods.json").string()};
  if (CorpusPresent()) {
    for (const auto& p : std::filesystem::directory_iterator(CorpusDir() / "realworld")) {
      inputs.push_back(p.path().string());
    }
  } else {
    std::printf("SKIPPED the corpus dumps: %s is absent\n", CorpusDir().c_str());
  }
  return inputs;
}

}  // namespace gatescan::testing

#define GS_REQUIRE_CORPUS()                                                         \
  do {                                                                              \
    if (!::gatescan::testing::CorpusPresent()) {                                    \
      GTEST_SKIP() << "SKIPPED: third-party corpus not found at "                   \
                   << ::gatescan::testing::CorpusDir() << " (set GATESCAN_CORPUS)"; \
    }                                                                               \
  } while (0)
