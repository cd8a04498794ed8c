#include "gatescan/common/page_memory.h"

#include <cstdint>
#include <new>
#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#endif

// AddressSanitizer finds overruns of heap blocks, not of mapped pages.
#if defined(__SANITIZE_ADDRESS__)
#define GATESCAN_NO_PAGE_MAPPING 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GATESCAN_NO_PAGE_MAPPING 1
#endif
#endif
#if !defined(__linux__) || !defined(MADV_HUGEPAGE)
#define GATESCAN_NO_PAGE_MAPPING 1
#endif

namespace gatescan {
namespace {

#ifndef GATESCAN_NO_PAGE_MAPPING
// `bytes` (a multiple of the huge page) at a huge-page boundary, or nullptr.
// The mapping is made one huge page larger and trimmed to the boundary.
char* MapHugePages(size_t bytes) {
  const size_t span = bytes + PageMemory::kHugePage;
  void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  char* const start = static_cast<char*>(raw);
  const size_t head =
      (PageMemory::kHugePage - reinterpret_cast<uintptr_t>(raw) % PageMemory::kHugePage) %
      PageMemory::kHugePage;
  char* const aligned = start + head;
  if (head > 0) munmap(start, head);
  munmap(aligned + bytes, span - head - bytes);
  // Advice only: without transparent huge pages the small pages serve.
  madvise(aligned, bytes, MADV_HUGEPAGE);
  return aligned;
}
#endif

}  // namespace

bool PageMemory::MapsPages() {
#ifdef GATESCAN_NO_PAGE_MAPPING
  return false;
#else
  return true;
#endif
}

PageMemory::PageMemory(size_t bytes)
    : PageMemory(bytes, bytes >= kHugeRequest ? Backing::kHugePages : Backing::kHeap) {}

PageMemory::PageMemory(size_t bytes, Backing backing) {
  if (bytes == 0) bytes = 1;
#ifndef GATESCAN_NO_PAGE_MAPPING
  if (backing == Backing::kHugePages) {
    const size_t rounded = (bytes + kHugePage - 1) & ~(kHugePage - 1);
    if (char* pages = MapHugePages(rounded)) {
      data_ = pages;
      size_ = rounded;
      backing_ = Backing::kHugePages;
      return;
    }
  }
#else
  (void)backing;
#endif
  // operator new, not new char[]: the block also holds other types (positions).
  data_ = static_cast<char*>(::operator new(bytes));
  size_ = bytes;
  backing_ = Backing::kHeap;
}

PageMemory::~PageMemory() { Release(); }

PageMemory::PageMemory(PageMemory&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      backing_(other.backing_) {}

PageMemory& PageMemory::operator=(PageMemory&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    backing_ = other.backing_;
  }
  return *this;
}

void PageMemory::Release() {
  if (data_ == nullptr) return;
#ifndef GATESCAN_NO_PAGE_MAPPING
  if (backing_ == Backing::kHugePages) {
    munmap(data_, size_);
    data_ = nullptr;
    return;
  }
#endif
  ::operator delete(data_);
  data_ = nullptr;
}

}  // namespace gatescan
