// kubernetes_reader.h — which fields of a Kubernetes object the policy reads.
//
// One recursive descent over an object's tokens: apiVersion and kind; metadata
// name, namespace, generateName, uid, labels and ownerReferences; every container of
// spec.containers / spec.initContainers / spec.ephemeralContainers; with pod templates on, the
// generateName, labels and containers of the object at each template path (TemplatePaths, a trie
// of their keys compiled once per Extractor), and whether a path is absent or blocked by a value
// that is not an object, as apimachinery's NestedMap tells. Everything else goes to the
// JsonValidator, so the whole object is checked as Go's decoder would. Every field is visited in
// order, so a duplicate key's last occurrence overwrites the earlier one (Go's encoding/json into a
// map, which is what Gatekeeper's Rego sees).
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

// The template paths as a trie of their keys. Node 0 is the object's root.
// Paths are numbered in depth-first order, so the paths under a node are the
// range [first_path, end_path): a duplicate key resets exactly those.
class TemplatePaths {
 public:
  struct Node {
    std::string key;
    uint16_t depth = 0;  // segments from the root
    int path = -1;       // the path ending here, or -1
    uint32_t first_path = 0, end_path = 0;
    std::vector<uint32_t> children;
  };
  explicit TemplatePaths(const std::vector<std::string>& dotted);
  // The child of `node` (-1: none) under `key`, or -1.
  int Child(int node, std::string_view key) const {
    if (node < 0) return -1;
    for (const uint32_t c : nodes_[static_cast<size_t>(node)].children) {
      if (nodes_[c].key == key) return static_cast<int>(c);
    }
    return -1;
  }
  const Node& node(int i) const { return nodes_[static_cast<size_t>(i)]; }
  size_t size() const { return paths_.size(); }
  const std::string& path(size_t i) const { return paths_[i]; }

 private:
  std::vector<Node> nodes_;
  std::vector<std::string> paths_;  // by path number
};

// What one template path holds (TemplateRecord while being read).
struct TemplateParts {
  enum class State : uint8_t { kAbsent, kObject, kNotObject };
  State state = State::kAbsent;
  uint8_t value_type = 0;
  uint16_t error_segments = 0;
  std::string_view generate_name;
  std::vector<Label> labels;
  ContainerLists lists;

  void Reset() {
    state = State::kAbsent;
    generate_name = {};
    labels.clear();
    for (auto& l : lists) l.clear();
  }
};

// Everything read from one object before it is committed to the batch.
struct ObjectParts {
  std::string_view api_version, kind, name, ns, generate_name, uid;
  bool has_api_version = false, has_kind = false;
  std::vector<Label> labels;
  std::vector<OwnerReference> owner_references;
  ContainerLists lists;
  std::vector<TemplateParts> templates;  // by TemplatePaths path number

  void Reset() {
    api_version = kind = name = ns = generate_name = uid = {};
    has_api_version = has_kind = false;
    labels.clear();
    owner_references.clear();
    for (auto& l : lists) l.clear();
    for (auto& t : templates) t.Reset();
  }
};

// Reads the whole object into *parts (which the caller has Reset): the
// tokens are checked as Go's decoder would, the fields above copied out.
// `paths` is nullptr without pod templates; otherwise parts->templates has
// one entry per path.
// `string_buf` takes the object's decoded strings (its JSON size plus
// kParsePadding); `object_levels` is the validator's scratch
// (kObjectLevelWords words); non-string names and images are rendered into
// `arena`, through `scratch`.
JsonError ReadKubernetesObject(const ExtractOptions& options, const TemplatePaths* paths,
                               const Tokens& tokens, const JsonIndexer& unescaper,
                               uint8_t* string_buf, uint64_t* object_levels, StringArena* arena,
                               ObjectParts* parts, std::string* scratch);

}  // namespace gatescan::extract_internal
