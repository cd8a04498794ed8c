// test_support.h — locating the third-party corpus, datasets and the binary.
//
// Tests that need ../shared/corpus call GS_REQUIRE_CORPUS(), which skips with
// a visible message when the folder is absent (a user's fresh clone) and runs
// in CI, where it is present.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

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

}  // namespace gatescan::testing

#define GS_REQUIRE_CORPUS()                                                         \
  do {                                                                              \
    if (!::gatescan::testing::CorpusPresent()) {                                    \
      GTEST_SKIP() << "SKIPPED: third-party corpus not found at "                   \
                   << ::gatescan::testing::CorpusDir() << " (set GATESCAN_CORPUS)"; \
    }                                                                               \
  } while (0)
