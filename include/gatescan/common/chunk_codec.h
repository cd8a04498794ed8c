// chunk_codec.h — length-prefixed records inside a batch's output chunk.
//
// Reports that need the whole scan (gator's global sort, the audit List, the
// inventory) encode what they need per object in the parallel stage and
// decode it in the serial stage. Written and read by the same process, so
// integers are stored in native byte order. The reader is bounds-checked: a
// short record stops decoding (failed()) rather than reading past the end.
// Plain functions and a value type; thread-compatible.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace gatescan {

inline void PutU8(uint8_t value, std::string* out) { out->push_back(static_cast<char>(value)); }

template <typename T>
void PutFixed(T value, std::string* out) {
  char bytes[sizeof value];
  std::memcpy(bytes, &value, sizeof value);
  out->append(bytes, sizeof bytes);
}
inline void PutU32(uint32_t value, std::string* out) { PutFixed(value, out); }
inline void PutU64(uint64_t value, std::string* out) { PutFixed(value, out); }

inline void PutBytes(std::string_view s, std::string* out) {
  PutU32(static_cast<uint32_t>(s.size()), out);
  out->append(s);
}

class ChunkReader {
 public:
  explicit ChunkReader(std::string_view data) : data_(data) {}
  bool done() const { return pos_ >= data_.size() || failed_; }
  bool failed() const { return failed_; }
  uint8_t U8() { return Need(1) ? static_cast<uint8_t>(data_[pos_++]) : 0; }
  uint32_t U32() { return Fixed<uint32_t>(); }
  uint64_t U64() { return Fixed<uint64_t>(); }
  std::string_view Bytes() {
    const uint32_t n = U32();
    if (!Need(n)) return {};
    std::string_view s = data_.substr(pos_, n);
    pos_ += n;
    return s;
  }

 private:
  template <typename T>
  T Fixed() {
    T v{};
    if (!Need(sizeof v)) return v;
    std::memcpy(&v, data_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  bool Need(size_t n) {
    if (failed_ || data_.size() - pos_ < n) failed_ = true;
    return !failed_;
  }

  std::string_view data_;
  size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace gatescan
