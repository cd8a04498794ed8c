#include "gatescan/pipeline/pipeline.h"

#include <tbb/concurrent_queue.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/parallel_pipeline.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <utility>

#include "gatescan/common/k8s_names.h"
#include "gatescan/extract/extract.h"
#include "gatescan/input/yaml_item.h"
#include "gatescan/policy/spec_match.h"
#include "gatescan/report/progress.h"

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

constexpr std::string_view kNoKind =
    "object has no kind: Kubernetes and gator refuse it (Object 'Kind' is missing), so "
    "Gatekeeper never reviews it";
constexpr std::string_view kNoApiVersion =
    "object has no apiVersion: the API server refuses it (Object 'apiVersion' is missing), so "
    "Gatekeeper never reviews it";
// Unstructured.GroupVersionKind() gives an empty group, version AND kind when
// apimachinery's ParseGroupVersion fails, and gator's AddData then refuses
// the object, as it refuses one whose version is empty.
constexpr std::string_view kBadApiVersion =
    "apiVersion has more than one '/': Gatekeeper parses no group, version or kind from it "
    "(unexpected GroupVersion string) and gator refuses the object (invalid request object: "
    "resource has no version), so Gatekeeper never reviews it";
constexpr std::string_view kNoVersion =
    "apiVersion has no version after its '/': gator refuses the object (invalid request object: "
    "resource has no version) and the API server never stores it, so Gatekeeper never reviews it";

// The record of a YAML document that is empty or null: nothing to scan or report.
constexpr std::string_view kEmptyYamlDocument = "(empty YAML document)";

// Converts a YAML span (yaml_framer.h) to padded JSON in this thread's
// buffer, so that conversion runs in the parallel stage. False when it gave
// no object: then a record carrying the error (or kEmptyYamlDocument) has
// been added instead.
bool ConvertYamlToPadded(const ObjectSpan& span, std::string_view yaml, ExtractedBatch* out,
                         std::string_view* json) {
  thread_local std::string converted;
  thread_local std::string error;
  thread_local PaddedBuffer padded;
  const YamlSpanResult result =
      ConvertYamlSpan(yaml, span.list >= 0, span.yaml_line, &converted, &error);
  if (result == YamlSpanResult::kOk) {
    padded.resize(converted.size());
    std::memcpy(padded.data(), converted.data(), converted.size());
    *json = std::string_view(padded.data(), padded.size());
    return true;
  }
  ObjectRecord record;
  record.error = result == YamlSpanResult::kEmpty ? kEmptyYamlDocument : out->arena.Copy(error);
  out->objects.push_back(record);
  return false;
}

std::string_view KindFromListKind(std::string_view list_kind) {
  if (list_kind.size() > 4 && list_kind.substr(list_kind.size() - 4) == "List") {
    return list_kind.substr(0, list_kind.size() - 4);
  }
  return {};
}

// The one home of list-kind inheritance: an item without a kind of its own
// takes its list's kind minus "List", and its apiVersion when it has none.
// False (nothing done) while the list's kind is pending (framer.h).
bool InheritListKind(const ListInfo& list, ObjectRecord* record) {
  if (record->has_kind) return true;
  if (list.kind_pending()) return false;
  record->kind = KindFromListKind(list.kind);
  if (!record->has_api_version) record->api_version = list.api_version;
  return true;
}

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
  Batch* NextInput(tbb::flow_control& fc);
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

  tbb::concurrent_queue<Batch*> free_;
  std::vector<std::unique_ptr<Batch>> all_;
  std::mutex all_mutex_;
};

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

Batch* Scanner::NextInput(tbb::flow_control& fc) {
  for (;;) {
    if (stop_) {
      fc.stop();
      return nullptr;
    }
    if (!framer_) {
      if (next_input_ >= options_.inputs.size()) {
        fc.stop();
        return nullptr;
      }
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
      framer_ = std::make_unique<Framer>(input, std::move(source), framer_options_);
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

void Scanner::Extract(Batch* batch) {
  Extractor& extractor = extractors_.local();
  const FramedBatch& framed = batch->framed;
  for (const ObjectSpan& span : framed.spans) {
    std::string_view json(framed.bytes.data() + span.begin, span.length);
    if (span.yaml_line != 0 && !ConvertYamlToPadded(span, json, &batch->extracted, &json)) continue;
    if (span.structurals_count > 0) {
      const StructuralIndex index{framed.structurals.data() + span.structurals_begin,
                                  span.structurals_count, span.control_in_string, span.ascii};
      extractor.Extract(json, &batch->extracted, &index);
    } else {
      extractor.Extract(json, &batch->extracted);
    }
    ObjectRecord& record = batch->extracted.objects.back();
    if (!record.error.empty() || span.list < 0) continue;
    if (!InheritListKind(framed.lists[static_cast<size_t>(span.list)], &record)) {
      batch->deferred = true;
    }
  }
}

// Resolves the kind of items whose list named it late, applies the scan
// filters, evaluates each selected object and lines up the batch's error
// records and objects in input order. Counts what it saw. `resolved` supplies
// the kind of lists whose header came after their items.
void Scanner::Evaluate(Batch* batch, const ResolvedLists* resolved) {
  const FramedBatch& framed = batch->framed;
  ExtractedBatch& extracted = batch->extracted;
  batch->violations.clear();
  batch->items.clear();
  batch->error_records.clear();
  batch->objects = batch->containers = batch->violation_count = batch->errors = 0;
  batch->selected = 0;
  batch->denied = false;
  batch->constraint_matched = false;
  batch->unexpanded_workloads.fill(0);
  const RecordOrigin input_origin{framed.input, 0, 0, {}};

  auto add_error = [batch](const RecordOrigin& where, std::string_view message) {
    batch->items.push_back(
        {Item::kError, static_cast<uint32_t>(batch->error_records.size()), 0, 0, where});
    batch->error_records.push_back(ScanError{where, message});
    ++batch->errors;
  };
  if (!batch->open_error.empty()) {
    add_error(input_origin, batch->open_error);
    return;
  }

  size_t next_error = 0;
  auto errors_before = [&](uint64_t offset) {
    while (next_error < framed.errors.size() && framed.errors[next_error].input_offset <= offset) {
      const FrameError& fe = framed.errors[next_error++];
      add_error(RecordOrigin{framed.input, fe.input_offset, fe.index, {}}, fe.message);
    }
  };

  for (size_t i = 0; i < framed.spans.size(); ++i) {
    const ObjectSpan& span = framed.spans[i];
    errors_before(span.input_offset);
    ObjectRecord& record = extracted.objects[i];
    RecordOrigin origin{framed.input, span.input_offset, span.index,
                        std::span<const Label>(extracted.labels.data() + record.labels.begin,
                                               record.labels.size())};
    if (record.error.data() == kEmptyYamlDocument.data()) continue;
    if (!record.error.empty()) {
      add_error(origin, record.error);
      continue;
    }
    if (resolved != nullptr && !record.has_kind && span.list >= 0 && record.kind.empty()) {
      const ListInfo& list = framed.lists[static_cast<size_t>(span.list)];
      auto it = resolved->find({batch->input_index, list.list_id});
      if (it != resolved->end()) InheritListKind(it->second, &record);
    }
    // The API server refuses such objects, so Gatekeeper never reviews them;
    // printed, they would read "/Pod ns/name".
    if (record.kind.empty()) {
      add_error(origin, kNoKind);
      continue;
    }
    if (record.api_version.empty()) {
      add_error(origin, kNoApiVersion);
      continue;
    }
    if (const k8s::GroupVersion gv = k8s::SplitApiVersion(record.api_version);
        !gv.valid || gv.version.empty()) {
      add_error(origin, gv.valid ? kNoVersion : kBadApiVersion);
      continue;
    }
    ++batch->objects;
    batch->containers += record.containers.size();
    if (!evaluator_.Selected(record, extracted)) continue;
    ++batch->selected;
    CountUnchecked(record, extracted, batch);
    const size_t first = batch->violations.size();
    std::string_view expansion_error;
    const size_t n = evaluator_.Evaluate(record, extracted, &batch->violations, &extracted.arena,
                                         &expansion_error);
    if (!expansion_error.empty()) {
      add_error(origin, expansion_error);
      continue;
    }
    const std::span<const Violation> found(batch->violations.data() + first, n);
    batch->violation_count += n;
    batch->denied = batch->denied || std::any_of(found.begin(), found.end(), IsDenying);
    batch->items.push_back({Item::kObject, static_cast<uint32_t>(i), static_cast<uint32_t>(first),
                            static_cast<uint32_t>(n), origin});
  }
  errors_before(UINT64_MAX);
}

// Hands every selected object and every error record of the batch, in input
// order, to the collector, which formats them into the batch's chunk.
void Scanner::Format(Batch* batch) const {
  batch->chunk.clear();
  const ExtractedBatch& extracted = batch->extracted;
  for (const Item& item : batch->items) {
    if (item.kind == Item::kError) {
      collector_->CollectError(batch->error_records[item.index], &batch->chunk);
      continue;
    }
    const ObjectRecord& record = extracted.objects[item.index];
    EvaluatedObject evaluated;
    evaluated.object = &record;
    evaluated.containers = std::span<const ContainerRef>(
        extracted.containers.data() + record.containers.begin, record.containers.size());
    evaluated.template_containers = std::span<const ContainerRef>(
        extracted.containers.data() + record.template_containers.begin,
        record.template_containers.size());
    evaluated.violations =
        std::span<const Violation>(batch->violations.data() + item.first, item.count);
    evaluated.origin = item.origin;
    collector_->Collect(evaluated, &batch->chunk);
  }
}

// What the run's warnings need: selected workloads whose pod template goes
// unchecked without --expand, and whether any constraint's spec.match
// selects anything at all. Once one batch has found a match, the others
// stop looking.
void Scanner::CountUnchecked(const ObjectRecord& record, const ExtractedBatch& extracted,
                             Batch* batch) const {
  const bool expand = options_.evaluate.expand;
  if (!expand) {
    for (size_t k = 0; k < kWorkloadKindCount; ++k) {
      if (record.kind == kWorkloadKinds[k]) ++batch->unexpanded_workloads[k];
    }
  }
  if (batch->constraint_matched || any_constraint_matched_.load(std::memory_order_relaxed)) {
    return;
  }
  if (expand && record.template_path != PodTemplatePath::kNone) {
    batch->constraint_matched = true;
    return;
  }
  const Policy& policy = evaluator_.policy();
  MatchTarget target;
  target.group = k8s::SplitApiVersion(record.api_version).group;
  target.kind = record.kind;
  target.ns = record.ns;
  target.name = record.name;
  target.generate_name = record.generate_name;
  target.labels =
      std::span<const Label>(extracted.labels.data() + record.labels.begin, record.labels.size());
  target.empty_namespace_for_cluster_objects =
      options_.evaluate.enforcement_point == kGatorEnforcementPoint;
  std::string error;
  for (const Constraint& c : policy.constraints) {
    if (Matches(c.match, target, policy.namespaces, &error) != MatchOutcome::kNoMatch) {
      batch->constraint_matched = true;
      return;
    }
  }
}

void Scanner::EvaluateAndFormat(Batch* batch, const ResolvedLists* resolved) {
  Evaluate(batch, resolved);
  Format(batch);
}

void Scanner::Emit(Batch* batch) {
  if (!result_.status.ok() || sink_->closed()) return;
  result_.summary.bytes += batch->framed.input_bytes;
  result_.summary.objects += batch->objects;
  result_.summary.containers += batch->containers;
  result_.summary.violations += batch->violation_count;
  result_.summary.errors += batch->errors;
  result_.selected += batch->selected;
  result_.constraint_matched = result_.constraint_matched || batch->constraint_matched;
  if (batch->constraint_matched) any_constraint_matched_.store(true, std::memory_order_relaxed);
  for (size_t k = 0; k < kWorkloadKindCount; ++k) {
    result_.unexpanded_workloads[k] += batch->unexpanded_workloads[k];
  }
  if (batch->input_index < result_.objects_per_input.size()) {
    result_.objects_per_input[batch->input_index] += batch->objects;
    result_.errors_per_input[batch->input_index] += batch->errors;
  }
  result_.denied = result_.denied || batch->denied;
  result_.errored = result_.errored || batch->errors > 0;
  if (progress_ && batch->first_of_input && batch->framed.input != nullptr) {
    progress_->StartInput(*batch->framed.input, batch->input_size_hint);
  }
  if (progress_)
    progress_->Advance(batch->framed.input_bytes, batch->objects, batch->violation_count);
  if (diagnostics_ != nullptr) {
    for (const ScanError& error : batch->error_records) diagnostics_->Error(error);
  }
  Status status = collector_->Consume(batch->chunk, sink_);
  if (!status.ok()) result_.status = status;
}

void Scanner::Output(Batch* batch) {
  for (const ListInfo& list : batch->framed.lists) {
    if (list.header_complete) resolved_[{batch->input_index, list.list_id}] = list;
  }
  if (pending_.empty() && !batch->deferred) {
    Emit(batch);
    Release(batch);
  } else {
    // Rare: kind-less items whose list names its kind after them. Hold output
    // (to keep input order) until the list's header is complete.
    pending_.push_back(batch);
    while (!pending_.empty()) {
      Batch* head = pending_.front();
      bool ready = !head->deferred;
      if (!ready) {
        ready = true;
        for (const ObjectSpan& span : head->framed.spans) {
          if (span.list < 0) continue;
          const ListInfo& list = head->framed.lists[static_cast<size_t>(span.list)];
          if (!resolved_.count({head->input_index, list.list_id})) ready = false;
        }
        // An input that ended without closing its list resolves nothing more.
        if (!ready && batch->input_index > head->input_index) ready = true;
        if (ready) EvaluateAndFormat(head, &resolved_);
      }
      if (!ready) break;
      Emit(head);
      pending_.pop_front();
      Release(head);
    }
  }
  if (sink_->closed()) stop_ = true;
}

ScanResult Scanner::Run() {
  const auto start = std::chrono::steady_clock::now();
  const int threads = options_.threads > 0
                          ? options_.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism,
                                  static_cast<size_t>(threads));
  progress_ = MakeProgress(options_.progress);
  result_.objects_per_input.assign(options_.inputs.size(), 0);
  result_.errors_per_input.assign(options_.inputs.size(), 0);
  // Stage 1 in the framer saves a pass on one thread; with more it would
  // lengthen the serial input stage, which -j2 is then bound by.
  framer_options_ = options_.framer;
  framer_options_.index_items = options_.framer.index_items && threads == 1;
  // Tokens bound memory: at most this many batches exist at once (plus any
  // held back for a list whose kind comes after its items).
  const size_t tokens = static_cast<size_t>(std::max(2, threads * 2));
  const auto stages =
      tbb::make_filter<void, Batch*>(tbb::filter_mode::serial_in_order,
                                     [this](tbb::flow_control& fc) {
                                       TakeOver(&g_scan_start);
                                       TakeOver(&next_input_);  // the serial stage's own state
                                       Batch* batch = NextInput(fc);
                                       if (batch != nullptr) HandOff(batch);
                                       HandOff(&next_input_);
                                       HandOff(&g_scan_finish);
                                       return batch;
                                     }) &
      tbb::make_filter<Batch*, Batch*>(tbb::filter_mode::parallel,
                                       [this](Batch* batch) {
                                         TakeOver(&g_scan_start);
                                         TakeOver(batch);
                                         if (batch->open_error.empty()) Extract(batch);
                                         if (!batch->deferred) EvaluateAndFormat(batch, nullptr);
                                         HandOff(batch);
                                         HandOff(&g_scan_finish);
                                         return batch;
                                       }) &
      tbb::make_filter<Batch*, void>(tbb::filter_mode::serial_in_order, [this](Batch* batch) {
        TakeOver(&g_scan_start);
        TakeOver(&pending_);  // the serial stage's own state
        TakeOver(batch);
        Output(batch);
        HandOff(&pending_);
        HandOff(&g_scan_finish);
      });
  // Everything the stages read is built; only now is it handed to them.
  HandOff(&g_scan_start);
  tbb::parallel_pipeline(tokens, stages);
  TakeOver(&g_scan_finish);
  while (!pending_.empty()) {
    Batch* head = pending_.front();
    if (head->deferred) EvaluateAndFormat(head, &resolved_);
    Emit(head);
    pending_.pop_front();
    Release(head);
  }
  if (progress_) progress_->Finish();
  result_.summary.inputs = options_.inputs.size();
  result_.summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (result_.status.ok() && !sink_->closed()) {
    Status status = collector_->Finish(result_.summary, sink_);
    if (status.ok()) status = sink_->Flush();
    if (!status.ok()) result_.status = status;
  }
  if (diagnostics_ != nullptr) diagnostics_->Finish();
  if (options_.stats) PrintStats(result_.summary, threads);
  return result_;
}

}  // namespace

int ScanResult::exit_code() const {
  if (errored || !status.ok()) return kExitError;
  return denied ? kExitViolations : kExitClean;
}

ScanResult RunScan(const ScanOptions& options, const Evaluator& evaluator, Collector* collector,
                   OutputSink* sink, Diagnostics* diagnostics) {
  Scanner scanner(options, evaluator, collector, sink, diagnostics);
  return scanner.Run();
}

}  // namespace gatescan
