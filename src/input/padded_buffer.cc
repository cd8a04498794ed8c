#include "gatescan/input/padded_buffer.h"

#include <algorithm>
#include <cstring>

namespace gatescan {

void PaddedBuffer::resize(size_t n) {
  if (n > capacity_ || memory_.data() == nullptr) {
    PageMemory grown(std::max(n, capacity_ + capacity_ / 2) + kParsePadding);
    if (size_ > 0) std::memcpy(grown.data(), memory_.data(), std::min(n, size_));
    memory_ = std::move(grown);
    capacity_ = memory_.size() - kParsePadding;
  }
  size_ = n;
  std::memset(memory_.data() + n, 0, kParsePadding);
}

uint32_t* PositionBuffer::Reserve(size_t extra) {
  if (size_ + extra > capacity_ || memory_.data() == nullptr) {
    PageMemory grown(std::max(size_ + extra, capacity_ + capacity_ / 2) * sizeof(uint32_t));
    if (size_ > 0) std::memcpy(grown.data(), memory_.data(), size_ * sizeof(uint32_t));
    memory_ = std::move(grown);
    capacity_ = memory_.size() / sizeof(uint32_t);
  }
  return data() + size_;
}

}  // namespace gatescan
