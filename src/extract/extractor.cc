// extractor.cc — one Kubernetes object's JSON -> ObjectRecord.
//
// simdjson's stage 1 (SIMD, picked for the CPU at run time) finds every token
// and checks UTF-8, string termination and control characters. On one thread
// the framer has done exactly that already while finding the object's end
// (StructuralIndex), and only its verdicts are taken over here. One recursive
// descent over those tokens (KubernetesReader) then both checks the grammar of
// everything and reads the few fields the policy needs. This replaced an
// On-Demand walk that validated skipped values through the typed API, which
// cost more than stage 1 itself; skipped values are now checked token by
// token (JsonValidator), and only numbers that might overflow a float64 and
// strings with escapes reach simdjson's parsers (simdjson_seam.h). Error
// messages are the ones that walk gave for the same defect.
//
// Strings are held as views into the input or the string buffer (decoded
// escapes) while the object is read, and copied into the batch arena only
// when the whole object parsed and the value survived every duplicate key:
// nothing is appended to the batch for a broken object except its error record.
// Views into the input stay as they are when the caller says the input
// outlives the batch's records.
#include <algorithm>
#include <array>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "gatescan/common/k8s_names.h"
#include "gatescan/common/padding.h"
#include "gatescan/extract/extract.h"
#include "json_error.h"
#include "json_validator.h"
#include "kubernetes_reader.h"
#include "simdjson_seam.h"
#include "token_cursor.h"

namespace gatescan {

namespace extract_internal {

std::string_view JsonErrorText(JsonError e) {
  switch (e) {
    case kJsonUnclosedString:
      return "malformed JSON (unclosed string)";
    case kJsonInvalidUtf8:
      return "invalid UTF-8 in JSON";
    case kJsonControlInString:
      return "malformed JSON (unescaped control character in string)";
    case kJsonBadEscape:
      return "malformed JSON (invalid string escape)";
    case kJsonBadNumber:
      return "malformed JSON (invalid number)";
    case kJsonBadLiteral:
      return "malformed JSON (invalid literal)";
    case kJsonUnbalanced:
      return "malformed JSON (truncated, or unbalanced brackets)";
    case kJsonUnexpectedToken:
      return "malformed JSON (unexpected or missing token)";
    case kJsonTooDeep:
      return "JSON nested too deeply (more than 10000 levels, or 1024 in a name or image)";
    case kJsonEmpty:
      return "empty document";
    case kJsonNotObject:
      return "not a JSON object";
    case kJsonWrongType:
      return "malformed JSON (unexpected value type)";
    case kJsonTrailingContent:
      return "malformed JSON (content after the object)";
    case kJsonCapacity:
      return "object too large for the JSON parser";
    case kJsonOutOfMemory:
      return "out of memory while parsing JSON";
    case kJsonOk:
    case kJsonOther:
      break;
  }
  return "malformed JSON";
}

}  // namespace extract_internal

using namespace extract_internal;  // NOLINT(google-build-using-namespace): this room's own parts

std::vector<std::string> DefaultTemplatePaths() {
  return {"spec.template", "spec.jobTemplate", "spec.jobTemplate.spec.template"};
}

struct Extractor::Impl {
  ExtractOptions options;
  std::unique_ptr<TemplatePaths> paths;  // with pod_templates only
  // Stage 1 and, for strings with escapes, its unescaper.
  JsonIndexer indexer;
  std::unique_ptr<uint8_t[]> string_buf;  // decoded strings of the current object
  size_t capacity = 0;                    // bytes both can take
  ObjectParts parts;
  std::string scratch;
  std::string_view stable;  // the current object's bytes when they outlive its record
  std::array<uint64_t, kObjectLevelWords> object_levels{};  // JsonValidator's scratch

  IndexRange CommitLabels(const std::vector<Label>& labels, ExtractedBatch* out) {
    IndexRange range;
    range.begin = static_cast<uint32_t>(out->labels.size());
    for (const Label& l : labels) {
      out->labels.push_back(Label{Keep(l.key, &out->arena), Keep(l.value, &out->arena)});
    }
    range.end = static_cast<uint32_t>(out->labels.size());
    return range;
  }

  IndexRange CommitContainers(const ContainerLists& lists, ExtractedBatch* out) {
    IndexRange range;
    range.begin = static_cast<uint32_t>(out->containers.size());
    for (const auto& list : lists) {
      for (const PendingContainer& c : list) {
        ContainerRef ref = c.ref;
        if (!c.name_in_arena) ref.name = Keep(ref.name, &out->arena);
        if (!c.image_in_arena) ref.image = Keep(ref.image, &out->arena);
        ref.image_elements.begin = static_cast<uint32_t>(out->image_elements.size());
        out->image_elements.insert(out->image_elements.end(), c.image_elements.begin(),
                                   c.image_elements.end());
        ref.image_elements.end = static_cast<uint32_t>(out->image_elements.size());
        out->containers.push_back(ref);
      }
    }
    range.end = static_cast<uint32_t>(out->containers.size());
    return range;
  }

  // Runs stage 1 over `json`, growing the buffers first when it is larger
  // than any object before (they are kept for the next ones).
  JsonError Index(std::string_view json) {
    if (JsonError e = Reserve(json.size())) return e;
    return indexer.Index(reinterpret_cast<const uint8_t*>(json.data()), json.size());
  }

  // Stage 1 done by the caller: only its verdicts are left to give, in the
  // order simdjson's stage 1 gives them (control characters, then UTF-8).
  JsonError Adopt(std::string_view json, const StructuralIndex& index) {
    if (JsonError e = Reserve(json.size())) return e;
    if (index.control_in_string) return kJsonControlInString;
    if (!index.ascii && !IsValidUtf8(json.data(), json.size())) return kJsonInvalidUtf8;
    return kJsonOk;
  }

  // The indexer (whose unescaper decodes strings) and the string buffer, for
  // an object of `size` bytes.
  JsonError Reserve(size_t size) {
    if (size > capacity || !indexer.ready()) {
      // A little headroom, not doubling: the index takes 4 bytes per input byte.
      const size_t want = std::max(size + size / 8, size_t{1} << 16);
      if (JsonError e = indexer.Reserve(want, kMaxDepth + 2)) {
        capacity = 0;
        return e;
      }
      // Decoded strings are never longer than their JSON; the unescaper
      // writes whole SIMD blocks, hence the padding.
      string_buf.reset(new (std::nothrow) uint8_t[want + kParsePadding]);
      if (string_buf == nullptr) return kJsonOutOfMemory;
      capacity = want;
    }
    return kJsonOk;
  }

  // s itself when it lies in `stable` (input bytes that outlive the
  // records), otherwise a copy in the arena.
  std::string_view Keep(std::string_view s, StringArena* arena) const {
    const auto at = reinterpret_cast<uintptr_t>(s.data());
    const auto begin = reinterpret_cast<uintptr_t>(stable.data());
    if (at >= begin && at - begin <= stable.size() && s.size() <= stable.size() - (at - begin) &&
        !stable.empty()) {
      return s;
    }
    return arena->Copy(s);
  }

  // Most of these fields are short or empty: no arena call for an empty one.
  std::string_view KeepField(std::string_view s, StringArena* arena) const {
    return s.empty() ? std::string_view() : Keep(s, arena);
  }

  IndexRange CommitOwners(const std::vector<OwnerReference>& owners, ExtractedBatch* out) {
    IndexRange range;
    range.begin = static_cast<uint32_t>(out->owner_references.size());
    for (const OwnerReference& o : owners) {
      out->owner_references.push_back(
          OwnerReference{Keep(o.api_version, &out->arena), Keep(o.kind, &out->arena),
                         Keep(o.name, &out->arena), Keep(o.uid, &out->arena), o.controller});
    }
    range.end = static_cast<uint32_t>(out->owner_references.size());
    return range;
  }

  void Commit(ExtractedBatch* out, ObjectRecord* record) {
    record->api_version = Keep(parts.api_version, &out->arena);
    record->kind = Keep(parts.kind, &out->arena);
    record->name = Keep(parts.name, &out->arena);
    record->ns = Keep(parts.ns, &out->arena);
    record->generate_name = KeepField(parts.generate_name, &out->arena);
    record->uid = KeepField(parts.uid, &out->arena);
    record->has_api_version = parts.has_api_version;
    record->has_kind = parts.has_kind;
    record->labels = CommitLabels(parts.labels, out);
    for (uint32_t i = record->labels.begin; i < record->labels.end; ++i) {
      if (out->labels[i].key == k8s::kPodTemplateHashLabel) {
        record->pod_template_hash = out->labels[i].value;
      }
    }
    record->owner_references = CommitOwners(parts.owner_references, out);
    for (uint32_t i = record->owner_references.begin; i < record->owner_references.end; ++i) {
      const OwnerReference& ref = out->owner_references[i];
      if (ref.controller) {
        record->owner_kind = ref.kind;
        record->owner_name = ref.name;
        break;
      }
    }
    record->containers = CommitContainers(parts.lists, out);
    if (paths != nullptr) CommitTemplates(out, record);
  }

  void CommitTemplates(ExtractedBatch* out, ObjectRecord* record) {
    record->templates.begin = record->templates.end = static_cast<uint32_t>(out->templates.size());
    record->template_containers.begin = record->template_containers.end =
        static_cast<uint32_t>(out->containers.size());
    for (size_t i = 0; i < parts.templates.size(); ++i) {
      const TemplateParts& t = parts.templates[i];
      if (t.state == TemplateParts::State::kAbsent) continue;
      TemplateRecord r;
      r.path = out->arena.Copy(paths->path(i));
      r.labels.begin = r.labels.end = static_cast<uint32_t>(out->labels.size());
      r.containers.begin = r.containers.end = static_cast<uint32_t>(out->containers.size());
      if (t.state == TemplateParts::State::kNotObject) {
        r.state = TemplateState::kNotObject;
        r.value_type = t.value_type;
        r.error_segments = t.error_segments;
      } else {
        r.generate_name = KeepField(t.generate_name, &out->arena);
        r.labels = CommitLabels(t.labels, out);
        r.containers = CommitContainers(t.lists, out);
        if (r.path == "spec.jobTemplate") {
          record->template_path = PodTemplatePath::kJobTemplate;
          record->job_template_labels = r.labels;
        } else if (record->template_path == PodTemplatePath::kNone) {
          record->template_path = PodTemplatePath::kSpecTemplate;
        }
        if (r.path == "spec.template") record->template_labels = r.labels;
      }
      out->templates.push_back(r);
    }
    record->templates.end = static_cast<uint32_t>(out->templates.size());
    record->template_containers.end = static_cast<uint32_t>(out->containers.size());
    if (record->template_path != PodTemplatePath::kJobTemplate) return;
    for (uint32_t i = record->templates.begin; i < record->templates.end; ++i) {
      const TemplateRecord& r = out->templates[i];
      if (r.path == "spec.jobTemplate.spec.template") {
        record->template_labels = r.labels;
      }
    }
  }
};

Extractor::Extractor(ExtractOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  if (impl_->options.pod_templates) {
    impl_->paths = std::make_unique<TemplatePaths>(impl_->options.template_paths.empty()
                                                       ? DefaultTemplatePaths()
                                                       : impl_->options.template_paths);
    impl_->parts.templates.resize(impl_->paths->size());
  }
}

Extractor::~Extractor() = default;

void Extractor::Extract(std::string_view json, ExtractedBatch* out, const StructuralIndex* index,
                        bool json_outlives_out) {
  ObjectRecord record;
  // Empty ranges point at the current end, so consumers may index freely.
  const auto labels_end = static_cast<uint32_t>(out->labels.size());
  const auto containers_end = static_cast<uint32_t>(out->containers.size());
  const auto owners_end = static_cast<uint32_t>(out->owner_references.size());
  record.owner_references = {owners_end, owners_end};
  const auto templates_end = static_cast<uint32_t>(out->templates.size());
  record.labels = record.template_labels = record.job_template_labels = {labels_end, labels_end};
  record.containers = record.template_containers = {containers_end, containers_end};
  record.templates = {templates_end, templates_end};

  impl_->parts.Reset();
  JsonError e = index != nullptr ? impl_->Adopt(json, *index) : impl_->Index(json);
  if (!e) {
    const Tokens tokens{reinterpret_cast<const uint8_t*>(json.data()),
                        index != nullptr ? index->positions : impl_->indexer.positions(),
                        index != nullptr ? index->count : impl_->indexer.count(),
                        json.size(),
                        index != nullptr ? index->backslash_end : kBackslashEndUnknown,
                        index != nullptr && index->simple_escapes};
    e = ReadKubernetesObject(impl_->options, impl_->paths.get(), tokens, impl_->indexer,
                             impl_->string_buf.get(), impl_->object_levels.data(), &out->arena,
                             &impl_->parts, &impl_->scratch);
  }
  if (e) {
    record.error = out->arena.Copy(JsonErrorText(e));
  } else {
    impl_->stable = json_outlives_out ? json : std::string_view();
    impl_->Commit(out, &record);
  }
  out->objects.push_back(record);
}

}  // namespace gatescan
