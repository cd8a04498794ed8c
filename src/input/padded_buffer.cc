#include "gatescan/input/padded_buffer.h"

#include <algorithm>
#include <cstring>

namespace gatescan {

void PaddedBuffer::resize(size_t n) {
  if (n > capacity_ || data_ == nullptr) {
    size_t new_capacity = std::max(n, capacity_ + capacity_ / 2);
    std::unique_ptr<char[]> grown(new char[new_capacity + kParsePadding]);
    if (size_ > 0) std::memcpy(grown.get(), data_.get(), std::min(n, size_));
    data_ = std::move(grown);
    capacity_ = new_capacity;
  }
  size_ = n;
  std::memset(data_.get() + n, 0, kParsePadding);
}

uint32_t* PositionBuffer::Reserve(size_t extra) {
  if (size_ + extra > capacity_ || data_ == nullptr) {
    size_t new_capacity = std::max(size_ + extra, capacity_ + capacity_ / 2);
    std::unique_ptr<uint32_t[]> grown(new uint32_t[new_capacity]);
    if (size_ > 0) std::memcpy(grown.get(), data_.get(), size_ * sizeof(uint32_t));
    data_ = std::move(grown);
    capacity_ = new_capacity;
  }
  return data_.get() + size_;
}

}  // namespace gatescan
