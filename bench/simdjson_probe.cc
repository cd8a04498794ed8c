// simdjson_probe — the baseline gatescan is measured against (issue: end-to-end benchmark).
//
// A bare-bones streaming simdjson On-Demand loop over a `kubectl get pods -A
// -o json` dump: read 1 MiB windows, find each item by kubectl's exact
// indentation (an item starts at "\n        {" and ends at "\n        }" —
// the shortcut a real tool cannot take), parse it with On-Demand and pull out
// namespace, name and the images of the three container lists. It prints a
// checksum of what it read so the work cannot be skipped, and the number of
// pods and containers so a benchmark can check it against gatescan.
//
//   simdjson_probe FILE|-            one thread
//   simdjson_probe --reader FILE|-   a reader thread beside the parser
#include <fcntl.h>
#include <simdjson.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

constexpr size_t kWindow = 1 << 20;

struct Totals {
  uint64_t pods = 0, containers = 0, checksum = 0, bytes = 0;
};

void Mix(Totals* t, std::string_view s) {
  for (char c : s) t->checksum = t->checksum * 131 + static_cast<unsigned char>(c);
}

void ParseItem(simdjson::ondemand::parser& parser, const char* data, size_t len, Totals* t) {
  simdjson::ondemand::document doc;
  if (parser.iterate(data, len, len + simdjson::SIMDJSON_PADDING).get(doc)) return;
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj)) return;
  ++t->pods;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return;
    if (key == "metadata") {
      simdjson::ondemand::object md;
      if (field.value().get_object().get(md)) continue;
      for (auto f : md) {
        std::string_view k, v;
        if (f.unescaped_key().get(k)) break;
        if ((k == "name" || k == "namespace") && !f.value().get_string().get(v)) Mix(t, v);
      }
    } else if (key == "spec") {
      simdjson::ondemand::object spec;
      if (field.value().get_object().get(spec)) continue;
      for (auto f : spec) {
        std::string_view k;
        if (f.unescaped_key().get(k)) break;
        if (k != "containers" && k != "initContainers" && k != "ephemeralContainers") continue;
        simdjson::ondemand::array list;
        if (f.value().get_array().get(list)) continue;
        for (auto c : list) {
          simdjson::ondemand::object co;
          if (c.get_object().get(co)) continue;
          for (auto cf : co) {
            std::string_view ck, image;
            if (cf.unescaped_key().get(ck)) break;
            if (ck == "image" && !cf.value().get_string().get(image)) {
              Mix(t, image);
              ++t->containers;
            }
          }
        }
      }
    }
  }
}

// Finds "\n" + 8 spaces + `brace` in [from, end): kubectl's item indentation.
const char* FindAtItemIndent(const char* from, const char* end, char brace) {
  for (const char* p = from; p < end; ++p) {
    p = static_cast<const char*>(std::memchr(p, brace, static_cast<size_t>(end - p)));
    if (p == nullptr) return nullptr;
    if (p - from >= 9 && std::memcmp(p - 9, "\n        ", 9) == 0) return p;
  }
  return nullptr;
}

// Scans `buf[0, size)` for whole items; returns how many bytes were consumed.
size_t ScanWindow(simdjson::ondemand::parser& parser, char* buf, size_t size, Totals* t) {
  size_t pos = 0;
  const char* end = buf + size;
  for (;;) {
    const char* start = FindAtItemIndent(buf + pos, end, '{');
    if (start == nullptr) return size > 16 ? size - 16 : pos;
    const char* close = FindAtItemIndent(start + 1, end, '}');
    if (close == nullptr) return static_cast<size_t>(start - 9 - buf);
    // Items sit in a larger buffer, so the bytes after them are the padding.
    ParseItem(parser, start, static_cast<size_t>(close + 1 - start), t);
    pos = static_cast<size_t>(close + 1 - buf);
  }
}

int Open(const char* path) { return std::strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY); }

void PrintTotals(const Totals& t) {
  std::printf("pods=%llu containers=%llu bytes=%llu checksum=%016llx\n", (unsigned long long)t.pods,
              (unsigned long long)t.containers, (unsigned long long)t.bytes,
              (unsigned long long)t.checksum);
}

int RunSingle(int fd) {
  simdjson::ondemand::parser parser;
  std::vector<char> buf(4 * kWindow + simdjson::SIMDJSON_PADDING);
  size_t have = 0;
  Totals t;
  for (;;) {
    if (buf.size() - simdjson::SIMDJSON_PADDING - have < kWindow) buf.resize(buf.size() * 2);
    const ssize_t n = read(fd, buf.data() + have, kWindow);
    if (n < 0) return 2;
    if (n == 0) break;
    t.bytes += static_cast<uint64_t>(n);
    have += static_cast<size_t>(n);
    const size_t used = ScanWindow(parser, buf.data(), have, &t);
    std::memmove(buf.data(), buf.data() + used, have - used);
    have -= used;
  }
  PrintTotals(t);
  return 0;
}

// Double buffering: a reader thread fills one window while the parser scans the other.
int RunWithReader(int fd) {
  struct Slot {
    std::vector<char> data = std::vector<char>(kWindow);
    size_t size = 0;
    bool full = false;
  };
  Slot slots[2];
  std::mutex mu;
  std::condition_variable cv;
  bool eof = false;
  uint64_t bytes = 0;
  std::thread reader([&] {
    for (int i = 0;; i ^= 1) {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return !slots[i].full; });
      lock.unlock();
      size_t got = 0;
      while (got < kWindow) {
        const ssize_t n = read(fd, slots[i].data.data() + got, kWindow - got);
        if (n <= 0) break;
        got += static_cast<size_t>(n);
      }
      lock.lock();
      slots[i].size = got;
      slots[i].full = true;
      bytes += got;
      if (got == 0) eof = true;
      cv.notify_all();
      if (got == 0) return;
    }
  });
  simdjson::ondemand::parser parser;
  std::vector<char> buf(4 * kWindow + simdjson::SIMDJSON_PADDING);
  size_t have = 0;
  Totals t;
  for (int i = 0;; i ^= 1) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return slots[i].full; });
    const size_t n = slots[i].size;
    lock.unlock();
    if (n == 0) break;
    if (buf.size() - simdjson::SIMDJSON_PADDING - have < n) buf.resize(buf.size() * 2);
    std::memcpy(buf.data() + have, slots[i].data.data(), n);
    lock.lock();
    slots[i].full = false;
    cv.notify_all();
    lock.unlock();
    have += n;
    const size_t used = ScanWindow(parser, buf.data(), have, &t);
    std::memmove(buf.data(), buf.data() + used, have - used);
    have -= used;
  }
  reader.join();
  t.bytes = bytes;
  (void)eof;
  PrintTotals(t);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const bool with_reader = argc == 3 && std::strcmp(argv[1], "--reader") == 0;
  if (argc != 2 && !with_reader) {
    std::fprintf(stderr, "usage: simdjson_probe [--reader] FILE|-\n");
    return 2;
  }
  const int fd = Open(argv[argc - 1]);
  if (fd < 0) {
    std::perror(argv[argc - 1]);
    return 2;
  }
#ifdef F_SETPIPE_SZ
  if (fd == 0) fcntl(0, F_SETPIPE_SZ, 1 << 20);
#endif
  return with_reader ? RunWithReader(fd) : RunSingle(fd);
}
