#include "gatescan/common/status.h"

#include <gtest/gtest.h>

namespace gatescan {
namespace {

TEST(Status, DefaultIsOk) {
  EXPECT_TRUE(Status().ok());
  EXPECT_TRUE(Status::Ok().ok());
  EXPECT_EQ(Status::Ok().message(), "");
}

TEST(Status, ErrorKeepsItsMessage) {
  const Status s = Status::Error("pods.json: byte 12: malformed JSON");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "pods.json: byte 12: malformed JSON");
}

TEST(Status, AnErrorIsNeverMistakenForOk) {
  // An empty message must not turn an error into success.
  EXPECT_FALSE(Status::Error("").ok());
}

TEST(ExitCodes, AreTheDocumentedContract) {
  EXPECT_EQ(kExitClean, 0);
  EXPECT_EQ(kExitViolations, 1);
  EXPECT_EQ(kExitError, 2);
}

}  // namespace
}  // namespace gatescan
