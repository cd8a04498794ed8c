// page_memory.h — the storage behind the pipeline's big reused buffers (a
// batch's bytes and its stage-1 positions), and the one place that asks the
// operating system for pages.
//
// A fresh page costs a page fault when it is first touched. Requests of at
// least kHugeRequest bytes are therefore mapped 2 MiB-aligned and marked for
// transparent huge pages where Linux offers them (MADV_HUGEPAGE), so that one
// fault maps 512 small pages; their size is rounded up to whole huge pages.
// Elsewhere, and in AddressSanitizer builds (which only see overruns of heap
// blocks), they come from operator new, as smaller requests always do. The
// block is uninitialised either way. Move-only; a block has one owner, and
// nothing here is shared between threads.
#pragma once

#include <cstddef>

namespace gatescan {

class PageMemory {
 public:
  static constexpr size_t kHugePage = size_t{2} << 20;
  static constexpr size_t kHugeRequest = size_t{1} << 20;

  enum class Backing { kHeap, kHugePages };

  PageMemory() = default;
  // At least `bytes` bytes, backed as described above.
  explicit PageMemory(size_t bytes);
  // At least `bytes` bytes with the backing asked for; kHugePages falls back
  // to the heap where this build cannot map pages (tests use both).
  PageMemory(size_t bytes, Backing backing);
  ~PageMemory();
  PageMemory(PageMemory&& other) noexcept;
  PageMemory& operator=(PageMemory&& other) noexcept;
  PageMemory(const PageMemory&) = delete;
  PageMemory& operator=(const PageMemory&) = delete;

  char* data() const { return data_; }
  size_t size() const { return size_; }  // usable bytes, >= the request
  Backing backing() const { return backing_; }

  // Whether kHugePages requests are mapped in this build.
  static bool MapsPages();

 private:
  void Release();

  char* data_ = nullptr;
  size_t size_ = 0;
  Backing backing_ = Backing::kHeap;
};

}  // namespace gatescan
