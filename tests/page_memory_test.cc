#include "gatescan/common/page_memory.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>

#include "gatescan/input/padded_buffer.h"

namespace gatescan {
namespace {

constexpr size_t kHuge = PageMemory::kHugePage;

bool HugeAligned(const char* p) { return reinterpret_cast<uintptr_t>(p) % kHuge == 0; }

// Every byte of the block can be written and read back.
void ExpectUsable(const PageMemory& m) {
  ASSERT_NE(m.data(), nullptr);
  std::memset(m.data(), 0x5a, m.size());
  EXPECT_EQ(static_cast<unsigned char>(m.data()[0]), 0x5a);
  EXPECT_EQ(static_cast<unsigned char>(m.data()[m.size() - 1]), 0x5a);
}

TEST(PageMemory, SmallRequestsComeFromTheHeapAtTheirSize) {
  const PageMemory m(1000);
  EXPECT_EQ(m.backing(), PageMemory::Backing::kHeap);
  EXPECT_EQ(m.size(), 1000u);
  ExpectUsable(m);
}

TEST(PageMemory, BigRequestsAreWholeAlignedHugePages) {
  const PageMemory m(PageMemory::kHugeRequest + 5);
  if (!PageMemory::MapsPages()) {
    GTEST_SKIP() << "this build maps no pages (not Linux, or AddressSanitizer): heap only";
  }
  EXPECT_EQ(m.backing(), PageMemory::Backing::kHugePages);
  EXPECT_EQ(m.size(), kHuge);
  EXPECT_TRUE(HugeAligned(m.data()));
  ExpectUsable(m);

  const PageMemory bigger(3 * kHuge + 1);
  EXPECT_EQ(bigger.size(), 4 * kHuge);
  EXPECT_TRUE(HugeAligned(bigger.data()));
  ExpectUsable(bigger);
}

TEST(PageMemory, TheBackingAskedForIsTheOneGiven) {
  const PageMemory heap(3 * kHuge, PageMemory::Backing::kHeap);
  EXPECT_EQ(heap.backing(), PageMemory::Backing::kHeap);
  EXPECT_EQ(heap.size(), 3 * kHuge);
  ExpectUsable(heap);

  const PageMemory pages(10, PageMemory::Backing::kHugePages);
  if (PageMemory::MapsPages()) {
    EXPECT_EQ(pages.backing(), PageMemory::Backing::kHugePages);
    EXPECT_EQ(pages.size(), kHuge);
    EXPECT_TRUE(HugeAligned(pages.data()));
  } else {
    EXPECT_EQ(pages.backing(), PageMemory::Backing::kHeap);
    EXPECT_EQ(pages.size(), 10u);
  }
  ExpectUsable(pages);
}

TEST(PageMemory, MovingHandsTheBlockOver) {
  for (const size_t bytes : {size_t{100}, 2 * kHuge}) {
    PageMemory a(bytes);
    char* const data = a.data();
    const size_t size = a.size();
    PageMemory b(std::move(a));
    EXPECT_EQ(a.data(), nullptr);  // NOLINT(bugprone-use-after-move): the moved-from state
    EXPECT_EQ(a.size(), 0u);       // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(b.data(), data);
    EXPECT_EQ(b.size(), size);
    PageMemory c(16);
    c = std::move(b);  // frees c's own block (a sanitizer build sees a leak or a double free)
    EXPECT_EQ(c.data(), data);
    ExpectUsable(c);
  }
}

// Minor page faults of this process so far.
long MinorFaults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

std::string TransparentHugePages() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  std::getline(f, line);
  return line;
}

// What the huge pages are for: touching 16 MiB of a fresh block takes far
// fewer faults than its 4096 small pages.
TEST(PageMemory, AFreshBigBlockFaultsInFewPages) {
  const std::string thp = TransparentHugePages();
  if (!PageMemory::MapsPages() || thp.find("[never]") != std::string::npos || thp.empty()) {
    GTEST_SKIP() << "no transparent huge pages here (" << (thp.empty() ? "no THP" : thp)
                 << "), or a build that maps no pages";
  }
  const PageMemory m(8 * kHuge);
  const long before = MinorFaults();
  for (size_t i = 0; i < m.size(); i += 4096) m.data()[i] = 1;
  const long faults = MinorFaults() - before;
  EXPECT_LT(faults, 4096 / 4) << "transparent huge pages: " << thp;
}

TEST(PaddedBuffer, GrowingFromTheHeapToPagesKeepsTheBytesAndZeroesThePadding) {
  PaddedBuffer b;
  std::string expected;
  for (size_t round = 0; b.size() < 3 * kHuge; ++round) {
    const size_t old = b.size();
    b.resize(old + 100000 + round);
    for (size_t i = old; i < b.size(); ++i) b.data()[i] = static_cast<char>('a' + (i * 7) % 26);
    expected.append(b.data() + old, b.size() - old);
    for (size_t i = 0; i < kParsePadding; ++i) ASSERT_EQ(b.data()[b.size() + i], 0) << i;
    ASSERT_GE(b.capacity(), b.size());
  }
  ASSERT_EQ(std::string_view(b.data(), b.size()), expected);
  b.resize(10);
  EXPECT_EQ(std::string_view(b.data(), 10), expected.substr(0, 10));
  for (size_t i = 0; i < kParsePadding; ++i) EXPECT_EQ(b.data()[10 + i], 0) << i;
}

TEST(PositionBuffer, ReserveKeepsThePositionsAcrossGrowth) {
  PositionBuffer p;
  for (uint32_t n = 0; n < (3u << 20); n += 1000) {
    uint32_t* room = p.Reserve(1000);
    for (uint32_t i = 0; i < 1000; ++i) room[i] = n + i;
    p.set_size(p.size() + 1000);
  }
  for (size_t i = 0; i < p.size(); ++i) ASSERT_EQ(p.data()[i], i);
}

}  // namespace
}  // namespace gatescan
