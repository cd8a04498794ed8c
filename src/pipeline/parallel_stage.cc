// parallel_stage.cc — the pipeline's parallel stage, one batch at a time on
// any thread: YAML spans converted to JSON, every span extracted (the
// framer's stage-1 positions adopted where it indexed), list kinds
// inherited, the scan filters and constraints applied, and the records
// handed to the collector to format into the batch's chunk.
#include <algorithm>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "gatescan/common/k8s_names.h"
#include "gatescan/input/yaml_item.h"
#include "gatescan/policy/spec_match.h"
#include "scanner.h"

namespace gatescan::pipeline_internal {
namespace {

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

}  // namespace

void Scanner::Extract(Batch* batch) {
  Extractor& extractor = extractors_.local();
  const FramedBatch& framed = batch->framed;
  for (const ObjectSpan& span : framed.spans) {
    std::string_view json(framed.bytes.data() + span.begin, span.length);
    if (span.yaml_line != 0 && !ConvertYamlToPadded(span, json, &batch->extracted, &json)) continue;
    // JSON spans are read in place from the batch's bytes, which live as long
    // as its records; converted YAML is in a buffer the next span reuses.
    const bool in_batch = span.yaml_line == 0;
    if (span.structurals_count > 0) {
      const StructuralIndex index{framed.structurals.data() + span.structurals_begin,
                                  span.structurals_count,
                                  span.control_in_string,
                                  span.ascii,
                                  span.backslash_end,
                                  span.simple_escapes};
      extractor.Extract(json, &batch->extracted, &index, in_batch);
    } else {
      extractor.Extract(json, &batch->extracted, nullptr, in_batch);
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

}  // namespace gatescan::pipeline_internal
