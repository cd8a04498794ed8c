// kernel_environment.cc — linked into every test binary: when GATESCAN_KERNEL
// names a kernel this build or CPU cannot run, every test is skipped with a
// message saying so (ctest runs some suites once per kernel; see the
// "kernels" sections of CMakeLists.txt), instead of failing on the framer's
// error about the override.
#include <gtest/gtest.h>

#include "gatescan/input/scan_kernel.h"

namespace {

class KernelEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (!gatescan::KernelOverrideError().empty()) {
      GTEST_SKIP() << gatescan::KernelOverrideError();
    }
  }
};

[[maybe_unused]] ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new KernelEnvironment);

}  // namespace
