// extract.h — reads one Kubernetes object's JSON into an ObjectRecord.
//
// The extractor indexes one framed object with simdjson's stage 1, checks its
// grammar token by token (every value, read or not, as Go's decoder would)
// and copies out what the policy needs: apiVersion, kind, metadata
// name/namespace/generateName/uid/labels/ownerReferences, and every container of spec.containers /
// spec.initContainers / spec.ephemeralContainers (and, for workloads, of the
// pod template, which `--expand` needs). It follows the Go decoder Gatekeeper uses: a duplicate
// key's last occurrence wins (for whole sub-objects too), JSON escapes are
// decoded, and strings inside strings are never read as containers. A
// container list may be an array or an object (Rego's `x[_]` iterates both);
// only elements that are objects with both a "name" and an "image" key
// become ContainerRefs. A name or image that is not a string is rendered as
// Rego's sprintf %v prints it (`12`, `1.5`, `true`, `null`, `[1, "a"]`,
// `{"k": 1}`), and `image_is_string` is false.
//
// Strings are copied into the batch's StringArena, or, when the caller keeps
// the input as long as the batch (the pipeline), left where they lie in it;
// records refer to them and to index ranges of the batch's label/container
// vectors. One Extractor per thread (it owns simdjson's indexer and buffers,
// grown to the largest object seen); records and batches are plain data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gatescan/common/arena.h"
#include "gatescan/common/k8s_names.h"  // ContainerList, ContainerListField

namespace gatescan {

// Half-open index range into one of ExtractedBatch's vectors.
struct IndexRange {
  uint32_t begin = 0;
  uint32_t end = 0;
  uint32_t size() const { return end - begin; }
  bool empty() const { return begin == end; }
};

struct ContainerRef {
  ContainerList list = ContainerList::kContainers;
  bool image_is_string = true;
  std::string_view name;   // as %v prints it
  std::string_view image;  // as %v prints it (raw decoded bytes when a string)
  // An image that is an array of strings, which OPA's strings.any_prefix_match
  // takes as "any of these": its elements, in ExtractedBatch::image_elements.
  bool image_is_string_array = false;
  IndexRange image_elements;
};

struct Label {
  std::string_view key;
  std::string_view value;
};

// One entry of metadata.ownerReferences, as unstructured's
// GetOwnerReferences reads it: each field a string or "" (absent, or not a
// string), `controller` true only for the JSON literal true.
struct OwnerReference {
  std::string_view api_version;
  std::string_view kind;
  std::string_view name;
  std::string_view uid;
  bool controller = false;
};

// Which pod template a workload carries (for --expand): kNone when no path
// of ExtractOptions::template_paths leads to an object; kJobTemplate when
// spec.jobTemplate does; kSpecTemplate otherwise.
enum class PodTemplatePath : uint8_t {
  kNone,
  kSpecTemplate,  // spec.template (Deployment, ReplicaSet, StatefulSet, DaemonSet, RC, Job), or
                  // another path
  kJobTemplate,   // spec.jobTemplate (CronJob)
};

// What one dotted path of ExtractOptions::template_paths holds in an object,
// as apimachinery's unstructured.NestedMap (what Gatekeeper's expansion
// reads a templateSource with) finds it. A path that is simply absent (a
// missing key, or null on the way) has no record.
enum class TemplateState : uint8_t {
  kObject,     // an object: the generated object's content
  kNotObject,  // NestedMap's accessor error: a value that is not an object on the way or at the end
};

struct TemplateRecord {
  std::string_view path;  // the dotted path, as given in template_paths
  TemplateState state = TemplateState::kObject;
  // kNotObject: the first byte of the offending JSON value ('"', 't', 'f',
  // 'n', '[', '-' or a digit), and how many segments of `path` apimachinery's
  // error names (`.spec.template` for 2): up to the value itself when it is at
  // the end of the path, one more when it is on the way (NestedFieldNoCopy
  // names the key it could not look up).
  uint8_t value_type = 0;
  uint16_t error_segments = 0;
  // kObject: the generated object's metadata.generateName ("" when absent or
  // not a string), metadata.labels (the same rule as ObjectRecord::labels)
  // and spec.*Containers.
  std::string_view generate_name;
  IndexRange labels;
  IndexRange containers;
};

struct ObjectRecord {
  std::string_view api_version;  // "" when absent or not a string
  std::string_view kind;
  std::string_view name;  // metadata.name
  std::string_view ns;    // metadata.namespace
  // metadata.generateName: the prefix the API server made the name from
  // (Gatekeeper's spec.match.name also matches it). "" when absent or not a
  // string, like name, namespace and uid.
  std::string_view generate_name;
  // metadata.uid (what an owner reference points at). With
  // ExtractOptions::owners only, like owner_references.
  std::string_view uid;
  // metadata.ownerReferences, in order, into ExtractedBatch::owner_references
  // (for owner attribution: Pod -> ReplicaSet -> Deployment ...). As Go's
  // GetOwnerReferences: empty when the field is not an array or when any
  // element is not an object.
  IndexRange owner_references;
  // The value of the `pod-template-hash` label (k8s::kPodTemplateHashLabel)
  // among `labels`, "" when there is none: a Deployment's Pods carry the
  // hash their ReplicaSet's name ends with.
  std::string_view pod_template_hash;
  // metadata.labels as Gatekeeper reads them (unstructured GetLabels): the
  // last duplicate of a key wins, and a map left with any value that is not a
  // string (null, number, object ...) reads as no labels at all. The same
  // rule for template_labels and job_template_labels.
  IndexRange labels;
  // The controller among owner_references (the one with "controller": true),
  // "" when there is none: what owner attribution starts from (audit/owner.h).
  std::string_view owner_kind;
  std::string_view owner_name;
  IndexRange containers;  // spec.*Containers, in list order then element order
  // Only filled when ExtractOptions::pod_templates is set: what each template
  // path holds (into ExtractedBatch::templates, in template_paths order;
  // absent paths have no record).
  IndexRange templates;
  PodTemplatePath template_path = PodTemplatePath::kNone;
  // The containers of every TemplateRecord, contiguous (what the inventory counts).
  IndexRange template_containers;
  // Shorthands for the built-in paths: the labels of the pod template
  // (spec.jobTemplate.spec.template when template_path is kJobTemplate, else
  // spec.template) and of a CronJob's job template.
  IndexRange template_labels;
  IndexRange job_template_labels;
  bool has_kind = false;  // "kind" key present with a string value
  bool has_api_version = false;
  // Set when the object could not be read (malformed JSON, too deep, invalid
  // UTF-8 ...); the fields above are then unreliable and must not be matched.
  std::string_view error;
};

struct ExtractedBatch {
  std::vector<ObjectRecord> objects;
  std::vector<Label> labels;
  std::vector<ContainerRef> containers;
  std::vector<std::string_view> image_elements;  // see ContainerRef::image_elements
  std::vector<OwnerReference> owner_references;  // see ObjectRecord::owner_references
  std::vector<TemplateRecord> templates;         // see ObjectRecord::templates
  StringArena arena;

  void Clear() {
    objects.clear();
    labels.clear();
    containers.clear();
    image_elements.clear();
    owner_references.clear();
    templates.clear();
    arena.Clear();
  }
};

// The paths Gatekeeper's two documented ExpansionTemplates read, one after
// the other (BuiltinExpansionTemplates in evaluate.h): Deployment & co ->
// Pod, CronJob -> Job -> Pod.
std::vector<std::string> DefaultTemplatePaths();

struct ExtractOptions {
  // Also read what template_paths hold (for --expand).
  bool pod_templates = false;
  // Also read metadata.uid and metadata.ownerReferences (owner attribution).
  // Off, they stay empty and are only validated: reading them costs ~2% of a
  // scan of a pods dump where every pod has an owner (callgrind).
  bool owners = false;
  // Validate every value as Go's decoder would (grammar, escapes, numbers,
  // depth <= 10000, as Go), not only those read. Off, the inside of a skipped value
  // (e.g. `[1 2]` inside status) goes unnoticed; invalid UTF-8, unclosed
  // strings, control characters, unbalanced brackets and a token that cannot
  // start a value are still errors. Off is about 20% faster.
  bool validate = true;
  // Dotted paths from the object's root (an ExpansionTemplate's
  // templateSource, or several of them joined for nested expansion, e.g.
  // "spec.jobTemplate.spec.template"); a segment is one key, split on '.'
  // as Gatekeeper splits it. Empty: DefaultTemplatePaths().
  std::vector<std::string> template_paths = {};
};

// StructuralIndex::backslash_end when stage 1 says nothing.
inline constexpr uint32_t kBackslashEndUnknown = UINT32_MAX;

// Stage 1 of one object done elsewhere (the framer does it while it seeks the
// object's end), in exactly the form simdjson's stage 1 leaves it.
struct StructuralIndex {
  const uint32_t* positions = nullptr;  // `count` positions, then length, length, 0
  uint32_t count = 0;
  bool control_in_string = false;  // simdjson's UNESCAPED_CHARS
  bool ascii = false;              // no byte >= 0x80, so no UTF-8 to validate
  // No backslash at or after this offset: the walk searches for escapes
  // only before it. The default says nothing.
  uint32_t backslash_end = kBackslashEndUnknown;
  // Every escape is \" \\ \/ \b \f \n \r or \t, so none in a skipped
  // value can be invalid: the walk checks no escapes there. False says nothing.
  bool simple_escapes = false;
};

class Extractor {
 public:
  explicit Extractor(ExtractOptions options = {});
  ~Extractor();
  Extractor(const Extractor&) = delete;
  Extractor& operator=(const Extractor&) = delete;

  // Parses `json` (the bytes of one object; at least kParsePadding readable
  // bytes must follow json.data() + json.size()) and appends one ObjectRecord
  // to out->objects. Never throws; problems set ObjectRecord::error. With
  // `index`, the object's stage 1 is taken from there instead of being run.
  // With `json_outlives_out`, the caller keeps json's bytes valid and
  // unchanged for as long as out's records are used (the pipeline's batch
  // holds both), so strings read in place are not copied into out->arena.
  void Extract(std::string_view json, ExtractedBatch* out, const StructuralIndex* index = nullptr,
               bool json_outlives_out = false);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gatescan
