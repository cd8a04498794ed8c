// output_stage.cc — the pipeline's last stage, serial and in input order:
// counts added up, progress advanced, error records given to the
// Diagnostics, the batch's chunk handed to the collector; batches whose
// items wait for their list's kind (kubectl writes it after "items") are
// held back until it is known.
#include <cstddef>

#include "scanner.h"

namespace gatescan::pipeline_internal {

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

}  // namespace gatescan::pipeline_internal
