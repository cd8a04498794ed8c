// kubernetes_reader.h — which fields of a Kubernetes object the policy reads.
//
// One recursive descent over an object's tokens: apiVersion and kind; metadata
// name, namespace and labels; every container of spec.containers /
// spec.initContainers / spec.ephemeralContainers; with pod templates on, the
// same of spec.template and spec.jobTemplate(.spec.template). Everything
// else goes to the JsonValidator, so the whole object is checked as Go's
// decoder would. Every field is visited in order, so a duplicate key's last
// occurrence overwrites the earlier one (Go's encoding/json into a map, which
// is what Gatekeeper's Rego sees).
//
// What is read lands in ObjectParts as views into the input or the string
// buffer (decoded escapes) — non-string names and images already rendered
// into the arena —; the Extractor copies them into the batch only once the
// whole object parsed. One reader per object, on one thread. Private to
// src/extract.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gatescan/common/arena.h"
#include "gatescan/extract/extract.h"
#include "json_error.h"
#include "simdjson_seam.h"
#include "token_cursor.h"

namespace gatescan::extract_internal {

// A container while its object is still being read: its strings may still
// point into the input or the string buffer (copied at commit) or already
// into the arena (rendered non-string values).
struct PendingContainer {
  ContainerRef ref;
  bool name_in_arena = false;
  bool image_in_arena = false;
  std::vector<std::string_view> image_elements;  // in the arena already
};

using ContainerLists = std::array<std::vector<PendingContainer>, kContainerListCount>;

// What a pod template (spec.template, or jobTemplate.spec.template) holds.
struct TemplateParts {
  bool present = false;
  std::vector<Label> labels;
  ContainerLists lists;

  void Reset() {
    present = false;
    labels.clear();
    for (auto& l : lists) l.clear();
  }
};

struct JobTemplateParts {
  bool present = false;
  std::vector<Label> labels;
  TemplateParts pod_template;

  void Reset() {
    present = false;
    labels.clear();
    pod_template.Reset();
  }
};

// Everything read from one object before it is committed to the batch.
struct ObjectParts {
  std::string_view api_version, kind, name, ns;
  bool has_api_version = false, has_kind = false;
  // metadata.ownerReferences: the one with "controller": true (H7, owner attribution).
  std::string_view owner_kind, owner_name;
  std::vector<Label> labels;
  ContainerLists lists;
  TemplateParts pod_template;
  JobTemplateParts job_template;

  void Reset() {
    api_version = kind = name = ns = {};
    owner_kind = owner_name = {};
    has_api_version = has_kind = false;
    labels.clear();
    for (auto& l : lists) l.clear();
    pod_template.Reset();
    job_template.Reset();
  }
};

// Reads the whole object into *parts (which the caller has Reset): the
// tokens are checked as Go's decoder would, the fields above copied out.
// `string_buf` takes the object's decoded strings (its JSON size plus
// kParsePadding); `object_levels` is the validator's scratch
// (kObjectLevelWords words); non-string names and images are rendered into
// `arena`, through `scratch`.
JsonError ReadKubernetesObject(const ExtractOptions& options, const Tokens& tokens,
                               const JsonIndexer& unescaper, uint8_t* string_buf,
                               uint64_t* object_levels, StringArena* arena, ObjectParts* parts,
                               std::string* scratch);

}  // namespace gatescan::extract_internal
