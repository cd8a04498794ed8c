// pipeline.cc — the scan's run: the oneTBB pipeline and its three stages,
// the serial input stage (inputs opened and framed into batches), and the
// pool of batches that circulate. The parallel stage is in
// parallel_stage.cc, the output stage in output_stage.cc; scanner.h holds
// what they share.
#include "gatescan/pipeline/pipeline.h"

#include <tbb/global_control.h>
#include <tbb/parallel_pipeline.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "gatescan/report/progress.h"
#include "scanner.h"

#if defined(__SANITIZE_THREAD__)
#define GATESCAN_TSAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GATESCAN_TSAN_BUILD 1
#endif
#endif
#ifdef GATESCAN_TSAN_BUILD
#include <sanitizer/tsan_interface.h>
#endif

namespace gatescan {
namespace pipeline_internal {
namespace {

// oneTBB passes tokens between threads inside libtbb, which ThreadSanitizer
// does not instrument, so it cannot see that a hand-off orders what one
// stage wrote before what the next reads. In TSan builds these two calls say
// so: a stage hands off what it passes on and takes over what it receives.
// Elsewhere they are nothing.
#ifdef GATESCAN_TSAN_BUILD
void HandOff(const void* p) { __tsan_release(const_cast<void*>(p)); }
void TakeOver(const void* p) { __tsan_acquire(const_cast<void*>(p)); }
#else
void HandOff(const void*) {}
void TakeOver(const void*) {}
#endif
// What the thread that starts a scan wrote before it is seen by every stage
// call; what every stage call wrote is seen by that thread after the scan.
// Globals, so that a stage call reaches them before touching any state.
char g_scan_start;
char g_scan_finish;

// Adds the time from its construction to its destruction to a stage's
// counter (--stats). Two clock reads per batch and stage.
class StageTimer {
 public:
  explicit StageTimer(std::atomic<uint64_t>* ns) : ns_(ns) {}
  StageTimer(const StageTimer&) = delete;
  StageTimer& operator=(const StageTimer&) = delete;
  ~StageTimer() {
    const auto elapsed = std::chrono::steady_clock::now() - start_;
    ns_->fetch_add(static_cast<uint64_t>(
                       std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()),
                   std::memory_order_relaxed);
  }

 private:
  std::atomic<uint64_t>* ns_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace

Batch* Scanner::Acquire() {
  Batch* batch = nullptr;
  if (free_.try_pop(batch)) {
    TakeOver(batch);
    return batch;
  }
  std::lock_guard<std::mutex> lock(all_mutex_);
  all_.push_back(std::make_unique<Batch>());
  return all_.back().get();
}

void Scanner::Release(Batch* batch) {
  HandOff(batch);
  free_.push(batch);
}

Batch* Scanner::NextInput() {
  for (;;) {
    if (stop_) return nullptr;
    if (!framer_) {
      if (next_input_ >= options_.inputs.size()) return nullptr;
      current_input_ = next_input_++;
      const InputSpec& input = options_.inputs[current_input_];
      std::unique_ptr<ByteSource> source;
      Status status = OpenInput(input, &source);
      if (!status.ok()) {
        Batch* batch = Acquire();
        batch->Reset();
        batch->input_index = current_input_;
        batch->framed.input = &input;
        batch->open_error = status.message();
        batch->first_of_input = true;
        return batch;
      }
      input_started_ = false;
      input_size_hint_ = source->size_hint();
      FramerOptions framer_options = framer_options_;
      // A pipe (no size) that is not compressed: the serial stage waits on its
      // producer anyway, and on cores it shares with that producer the pass
      // saved is wall time, at any thread count.
      framer_options.index_items =
          framer_options_.index_items &&
          (index_files_ || (input_size_hint_ == 0 && source->compression() == Compression::kNone));
      framer_ = std::make_unique<Framer>(input, std::move(source), framer_options);
    }
    Batch* batch = Acquire();
    batch->Reset();
    batch->input_index = current_input_;
    if (framer_->Next(&batch->framed)) {
      batch->framed.input = &options_.inputs[current_input_];
      batch->first_of_input = !input_started_;
      batch->input_size_hint = input_size_hint_;
      input_started_ = true;
      return batch;
    }
    Release(batch);
    framer_.reset();
  }
}

// The three stages' work, wherever they run.
Batch* Scanner::ReadStage() {
  StageTimer timer(&stage_ns_[kReadFrame]);
  return NextInput();
}

void Scanner::WorkStage(Batch* batch) {
  if (batch->open_error.empty()) {
    StageTimer timer(&stage_ns_[kExtract]);
    Extract(batch);
  }
  if (!batch->deferred) {
    StageTimer timer(&stage_ns_[kEvaluateFormat]);
    EvaluateAndFormat(batch, nullptr);
  }
}

void Scanner::OutputStage(Batch* batch) {
  StageTimer timer(&stage_ns_[kOutput]);
  Output(batch);
}

// One thread: the stages in turn on the calling thread, a batch at a time.
// oneTBB would start its scheduler, and a worker thread, for nothing.
void Scanner::RunSerial() {
  while (Batch* batch = ReadStage()) {
    WorkStage(batch);
    OutputStage(batch);
  }
}

// More threads: oneTBB's pipeline, the read and output stages serial and in
// order, the work stage on any thread.
void Scanner::RunPipelined(int threads) {
  tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism,
                                  static_cast<size_t>(threads));
  // Tokens bound memory: at most this many batches exist at once (plus any
  // held back for a list whose kind comes after its items).
  const size_t tokens = static_cast<size_t>(std::max(2, threads * 2));
  const auto stages =
      tbb::make_filter<void, Batch*>(tbb::filter_mode::serial_in_order,
                                     [this](tbb::flow_control& fc) {
                                       TakeOver(&g_scan_start);
                                       TakeOver(&next_input_);  // the serial stage's own state
                                       Batch* batch = ReadStage();
                                       if (batch != nullptr) {
                                         HandOff(batch);
                                       } else {
                                         fc.stop();
                                       }
                                       HandOff(&next_input_);
                                       HandOff(&g_scan_finish);
                                       return batch;
                                     }) &
      tbb::make_filter<Batch*, Batch*>(tbb::filter_mode::parallel,
                                       [this](Batch* batch) {
                                         TakeOver(&g_scan_start);
                                         TakeOver(batch);
                                         WorkStage(batch);
                                         HandOff(batch);
                                         HandOff(&g_scan_finish);
                                         return batch;
                                       }) &
      tbb::make_filter<Batch*, void>(tbb::filter_mode::serial_in_order, [this](Batch* batch) {
        TakeOver(&g_scan_start);
        TakeOver(&pending_);  // the serial stage's own state
        TakeOver(batch);
        OutputStage(batch);
        HandOff(&pending_);
        HandOff(&g_scan_finish);
      });
  tbb::parallel_pipeline(tokens, stages);
}

ScanResult Scanner::Run() {
  const auto start = std::chrono::steady_clock::now();
  const int threads = options_.threads > 0
                          ? options_.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  progress_ = MakeProgress(options_.progress);
  result_.objects_per_input.assign(options_.inputs.size(), 0);
  result_.errors_per_input.assign(options_.inputs.size(), 0);
  // Stage 1 in the framer saves a pass on one thread; with more, on a file it
  // would lengthen the serial input stage, which -j2 is then bound by (pipes:
  // NextInput).
  framer_options_ = options_.framer;
  index_files_ = threads == 1;
  // Everything the stages read is built; only now is it handed to them.
  HandOff(&g_scan_start);
  if (threads == 1) {
    RunSerial();
  } else {
    RunPipelined(threads);
  }
  TakeOver(&g_scan_finish);
  while (!pending_.empty()) {
    Batch* head = pending_.front();
    if (head->deferred) {
      StageTimer timer(&stage_ns_[kEvaluateFormat]);
      EvaluateAndFormat(head, &resolved_);
    }
    {
      StageTimer timer(&stage_ns_[kOutput]);
      Emit(head);
    }
    pending_.pop_front();
    Release(head);
  }
  if (progress_) progress_->Finish();
  result_.summary.inputs = options_.inputs.size();
  result_.summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto seconds = [this](Stage stage) {
    return static_cast<double>(stage_ns_[stage].load(std::memory_order_relaxed)) / 1e9;
  };
  result_.summary.stages = {seconds(kReadFrame), seconds(kExtract), seconds(kEvaluateFormat),
                            seconds(kOutput)};
  if (result_.status.ok() && !sink_->closed()) {
    Status status = collector_->Finish(result_.summary, sink_);
    if (status.ok()) status = sink_->Flush();
    if (!status.ok()) result_.status = status;
  }
  if (diagnostics_ != nullptr) diagnostics_->Finish();
  if (options_.stats) PrintStats(result_.summary, threads);
  return result_;
}

}  // namespace pipeline_internal

int ScanResult::exit_code() const {
  if (errored || !status.ok()) return kExitError;
  return denied ? kExitViolations : kExitClean;
}

ScanResult RunScan(const ScanOptions& options, const Evaluator& evaluator, Collector* collector,
                   OutputSink* sink, Diagnostics* diagnostics) {
  pipeline_internal::Scanner scanner(options, evaluator, collector, sink, diagnostics);
  return scanner.Run();
}

}  // namespace gatescan
