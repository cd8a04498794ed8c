// scanner.h — the scan's pipeline state, shared by the files of src/pipeline
// (private to it).
//
// pipeline.cc owns the run: the oneTBB pipeline (or, at one thread, a plain
// loop over the same three stages), the serial input stage (inputs opened,
// framed into batches) and the batch pool;
// parallel_stage.cc turns a batch's spans into records, evaluates and
// formats them (any thread, one batch at a time); output_stage.cc writes
// batches in input order and adds up the counts (serial). A Batch is one
// TBB token: it moves from stage to stage and is never shared between
// threads; a Scanner's input-stage and output-stage state are each touched by
// their serial stage only.
#pragma once

#include <tbb/concurrent_queue.h>
#include <tbb/enumerable_thread_specific.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "gatescan/extract/extract.h"
#include "gatescan/pipeline/pipeline.h"
#include "gatescan/report/progress.h"

namespace gatescan::pipeline_internal {

// One entry of a batch's output, in input order.
struct Item {
  enum Kind : uint8_t { kObject, kError } kind = kObject;
  uint32_t index = 0;  // kObject: into the batch's objects; kError: into error_records
  uint32_t first = 0;  // kObject: its violations in Batch::violations
  uint32_t count = 0;
  RecordOrigin origin;
};

// One TBB token: a batch of whole objects and everything derived from them.
// It moves from stage to stage and is never shared between threads.
struct Batch {
  size_t input_index = 0;
  FramedBatch framed;
  ExtractedBatch extracted;
  std::vector<Violation> violations;
  // What the collector receives, in input order: objects that passed the
  // filters (with their range of `violations`) and error records.
  std::vector<Item> items;
  std::vector<ScanError> error_records;
  std::string chunk;  // formatted output
  // A record whose kind must come from a list whose "kind" has not been read
  // yet (kubectl writes it after "items"): formatting waits for it.
  bool deferred = false;
  std::string open_error;  // the input could not be opened
  // The first batch of an input tells the progress bar, from the output
  // stage, which input it is now in (the input stage runs concurrently).
  bool first_of_input = false;
  uint64_t input_size_hint = 0;
  // Counts, added up by the serial output stage.
  uint64_t objects = 0;
  uint64_t containers = 0;
  uint64_t violation_count = 0;
  uint64_t errors = 0;
  bool denied = false;
  uint64_t selected = 0;
  bool constraint_matched = false;
  std::array<uint64_t, kWorkloadKindCount> unexpanded_workloads{};

  void Reset() {
    input_index = 0;
    framed.Reset();
    extracted.Clear();
    violations.clear();
    items.clear();
    error_records.clear();
    chunk.clear();
    deferred = false;
    open_error.clear();
    first_of_input = false;
    input_size_hint = 0;
    objects = containers = violation_count = errors = selected = 0;
    denied = false;
    constraint_matched = false;
    unexpanded_workloads.fill(0);
  }
};

// Resolved kind/apiVersion of the lists of one input, by list id, once their
// header is complete.
using ResolvedLists = std::map<std::pair<size_t, uint64_t>, ListInfo>;

class Scanner {
 public:
  Scanner(const ScanOptions& options, const Evaluator& evaluator, Collector* collector,
          OutputSink* sink, Diagnostics* diagnostics)
      : options_(options),
        evaluator_(evaluator),
        collector_(collector),
        sink_(sink),
        diagnostics_(diagnostics),
        extractors_([&options, &evaluator] {
          ExtractOptions extract;
          extract.pod_templates = options.evaluate.expand;
          extract.template_paths = evaluator.expansion_paths();
          // Findings name their owner (ndjson, csv, sarif, baselines: audit/owner.h).
          extract.owners = true;
          return extract;
        }) {}

  ScanResult Run();

 private:
  Batch* NextInput();              // nullptr when the inputs are done or the scan is stopped
  Batch* ReadStage();              // NextInput, timed
  void WorkStage(Batch* batch);    // extract, evaluate and format, timed
  void OutputStage(Batch* batch);  // Output, timed
  void RunSerial();
  void RunPipelined(int threads);
  void Extract(Batch* batch);
  void Evaluate(Batch* batch, const ResolvedLists* resolved);
  void Format(Batch* batch) const;
  void EvaluateAndFormat(Batch* batch, const ResolvedLists* resolved);
  void CountUnchecked(const ObjectRecord& record, const ExtractedBatch& extracted,
                      Batch* batch) const;
  void Output(Batch* batch);
  void Emit(Batch* batch);
  Batch* Acquire();
  void Release(Batch* batch);

  const ScanOptions& options_;
  const Evaluator& evaluator_;
  Collector* collector_;
  OutputSink* sink_;
  Diagnostics* diagnostics_;
  tbb::enumerable_thread_specific<Extractor> extractors_;

  // Input stage state (serial).
  size_t next_input_ = 0;
  size_t current_input_ = 0;
  std::unique_ptr<Framer> framer_;
  FramerOptions framer_options_;
  bool index_files_ = false;    // the framer does stage 1 for files too (one thread)
  bool input_started_ = false;  // the current input's first batch is out
  uint64_t input_size_hint_ = 0;
  std::atomic<bool> stop_{false};  // set by the output stage when the sink closed
  // Some object matched a constraint: the batches still in flight need not
  // look for one (a hint; the counts come from the batches).
  std::atomic<bool> any_constraint_matched_{false};

  // Output stage state (serial).
  std::deque<Batch*> pending_;
  ResolvedLists resolved_;
  ScanResult result_;
  std::unique_ptr<Progress> progress_;

  // Nanoseconds spent in each stage (ScanSummary::stages), summed over threads.
  enum Stage { kReadFrame, kExtract, kEvaluateFormat, kOutput, kStages };
  std::array<std::atomic<uint64_t>, kStages> stage_ns_{};

  tbb::concurrent_queue<Batch*> free_;
  std::vector<std::unique_ptr<Batch>> all_;
  std::mutex all_mutex_;
};

}  // namespace gatescan::pipeline_internal
