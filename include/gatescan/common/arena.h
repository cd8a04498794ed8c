// arena.h — StringArena: stable storage for strings copied out of a parse.
//
// simdjson hands out views that die with the next parse; anything a later
// stage needs (names, images, messages) is copied here. Views returned by
// Copy() stay valid until Clear(). Blocks are kept across Clear() so a
// recycled batch does not touch fresh memory again. Not thread-safe: one
// arena belongs to one batch.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace gatescan {

class StringArena {
 public:
  static constexpr size_t kBlockSize = size_t{64} * 1024;

  std::string_view Copy(std::string_view s) {
    char* p = Allocate(s.size());
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }

  // Returns uninitialised storage for n bytes, valid until Clear().
  char* Allocate(size_t n) {
    if (n > kBlockSize / 4) {  // large strings get their own block
      oversized_.emplace_back(new char[n == 0 ? 1 : n]);
      return oversized_.back().get();
    }
    if (block_ >= blocks_.size() || used_ + n > kBlockSize) {
      if (block_ < blocks_.size() && used_ != 0) ++block_;
      if (block_ >= blocks_.size()) blocks_.emplace_back(new char[kBlockSize]);
      used_ = 0;
    }
    char* p = blocks_[block_].get() + used_;
    used_ += n;
    return p;
  }

  void Clear() {
    block_ = 0;
    used_ = 0;
    oversized_.clear();
  }

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<std::unique_ptr<char[]>> oversized_;
  size_t block_ = 0;
  size_t used_ = 0;
};

}  // namespace gatescan
