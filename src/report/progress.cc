#include "gatescan/report/progress.h"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace gatescan {
namespace {

std::string HumanBytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  return buf;
}

}  // namespace

Progress::Progress() : start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

void Progress::StartInput(const InputSpec& input, uint64_t size_hint) {
  input_ = &input;
  input_size_ = size_hint;
  input_bytes_ = 0;
}

void Progress::Advance(uint64_t bytes, uint64_t objects, uint64_t violations) {
  bytes_ += bytes;
  input_bytes_ += bytes;
  objects_ += objects;
  violations_ += violations;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ >= std::chrono::milliseconds(200)) {
    last_draw_ = now;
    Draw(false);
  }
}

void Progress::Draw(bool final) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = seconds > 0 ? static_cast<double>(bytes_) / seconds : 0;
  std::string line = "\r\x1b[2K";
  if (input_ != nullptr) line += input_->display_name + "  ";
  if (input_size_ > 0 && !final) {
    const double done =
        std::min(1.0, static_cast<double>(input_bytes_) / static_cast<double>(input_size_));
    const int width = 24;
    const int filled = static_cast<int>(done * width);
    line += "[" + std::string(static_cast<size_t>(filled), '#') +
            std::string(static_cast<size_t>(width - filled), '.') + "] ";
    char pct[16];
    std::snprintf(pct, sizeof pct, "%3.0f%% ", done * 100);
    line += pct;
  }
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s  %llu objects  %llu violations  %.2f GB/s",
                HumanBytes(static_cast<double>(bytes_)).c_str(),
                static_cast<unsigned long long>(objects_),
                static_cast<unsigned long long>(violations_), rate / 1e9);
  line += buf;
  if (input_size_ > 0 && rate > 0 && input_bytes_ < input_size_ && !final) {
    std::snprintf(buf, sizeof buf, "  ETA %.0fs",
                  static_cast<double>(input_size_ - input_bytes_) / rate);
    line += buf;
  }
  if (final) line += "\n";
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::Finish() {
  if (drawn_) Draw(true);
}

std::unique_ptr<Progress> MakeProgress(ProgressMode mode) {
  if (mode == ProgressMode::kNever) return nullptr;
  if (mode == ProgressMode::kAuto && isatty(STDERR_FILENO) == 0) return nullptr;
  return std::make_unique<Progress>();
}

void PrintStats(const ScanSummary& s, int threads) {
  const double gbps = s.seconds > 0 ? static_cast<double>(s.bytes) / s.seconds / 1e9 : 0;
  std::fprintf(stderr,
               "gatescan: %llu inputs, %llu bytes, %llu objects, %llu containers, %llu violations, "
               "%llu errors, %.3f s, %.2f GB/s, %d threads\n",
               static_cast<unsigned long long>(s.inputs), static_cast<unsigned long long>(s.bytes),
               static_cast<unsigned long long>(s.objects),
               static_cast<unsigned long long>(s.containers),
               static_cast<unsigned long long>(s.violations),
               static_cast<unsigned long long>(s.errors), s.seconds, gbps, threads);
  std::fprintf(stderr,
               "gatescan: thread-seconds by stage: read+frame %.3f, extract %.3f, "
               "evaluate+format %.3f, output %.3f\n",
               s.stages.read_frame, s.stages.extract, s.stages.evaluate_format, s.stages.output);
}

}  // namespace gatescan
