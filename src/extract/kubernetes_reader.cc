#include "kubernetes_reader.h"

#include <algorithm>
#include <utility>

#include "json_validator.h"
#include "opa_value.h"

namespace gatescan::extract_internal {
namespace {

int ListIndex(std::string_view key) {
  if (KeyIs(key, "containers")) return static_cast<int>(ContainerList::kContainers);
  if (KeyIs(key, "initContainers")) return static_cast<int>(ContainerList::kInitContainers);
  if (KeyIs(key, "ephemeralContainers"))
    return static_cast<int>(ContainerList::kEphemeralContainers);
  return -1;
}

// The reader lives in this file only (internal linkage), so the compiler
// inlines its one-caller steps as it did when the extractor was one file.
class KubernetesReader {
 public:
  KubernetesReader(const ExtractOptions& options, const TemplatePaths* paths, const Tokens& tokens,
                   const JsonIndexer& unescaper, uint8_t* string_buf, uint64_t* object_levels,
                   StringArena* arena, ObjectParts* parts, std::string* scratch)
      : options_(options),
        paths_(paths),
        json_(tokens, unescaper, string_buf, object_levels, options.validate),
        renderer_(&json_),
        arena_(arena),
        parts_(parts),
        scratch_(scratch) {}

  JsonError ReadRoot();

 private:
  JsonError Skip(int depth) { return json_.Skip(depth); }
  JsonError ReadTopString(std::string_view* out, bool* is_string);
  JsonError ReadOptionalString(int depth, std::string_view* out);
  JsonError ReadMetadata(int depth, ObjectParts* top, std::vector<Label>* labels,
                         std::string_view* generate_name);
  JsonError ReadOwnerReferences(int depth, std::vector<OwnerReference>* out);
  JsonError ReadLabels(int depth, std::vector<Label>* labels);
  int Child(int node, std::string_view key) const {
    return paths_ == nullptr ? -1 : paths_->Child(node, key);
  }
  void ResetPaths(int node);
  void BlockPaths(int node, uint8_t type);
  JsonError ReadPathNode(int depth, int node, ContainerLists* lists = nullptr);
  JsonError ReadSpec(int depth, int node, ContainerLists* lists);
  JsonError ReadFields(int depth, int node, TemplateParts* body, ContainerLists* lists);
  template <typename F>
  JsonError ReadTwice(F&& first, int depth, int node);
  JsonError ReadContainerList(int depth, ContainerList list, std::vector<PendingContainer>* out);
  JsonError ReadContainer(int depth, ContainerList list, PendingContainer* out, bool* complete);
  void ReadStringElements(std::vector<std::string_view>* out, bool* all_strings);
  JsonError ReadPrintable(int depth, std::string_view* out, bool* is_string, bool* in_arena);

  const ExtractOptions& options_;
  const TemplatePaths* paths_;  // nullptr without pod templates
  JsonValidator json_;          // the token cursor, and the validator of what is skipped
  OpaValueRenderer renderer_;
  StringArena* arena_;
  ObjectParts* parts_;
  std::string* scratch_;
};

JsonError KubernetesReader::ReadRoot() {
  const uint32_t n = json_.count();
  if (n == 0) return kJsonEmpty;
  const uint8_t first = json_.At(0);
  if (first != '{') {
    switch (first) {
      case '[':
      case '"':
      case '-':
      case 't':
      case 'f':
      case 'n':
        return kJsonNotObject;
      default:
        return IsDigit(first) ? kJsonNotObject : kJsonUnexpectedToken;
    }
  }
  // As On-Demand: an object must end with its brace. This also keeps every
  // scalar away from the end, so scalar checks may read a byte past a token.
  if (json_.At(n - 1) != '}') return kJsonUnbalanced;
  // A '}' right after the object (as in padding) would otherwise let an
  // unbalanced document look closed.
  if (json_.buf()[json_.len()] == '}' && !json_.Balanced()) return kJsonUnbalanced;
  JsonError e = json_.ForEachField([this](std::string_view key) {
    if (KeyIs(key, "apiVersion")) {
      return ReadTopString(&parts_->api_version, &parts_->has_api_version);
    }
    if (KeyIs(key, "kind")) return ReadTopString(&parts_->kind, &parts_->has_kind);
    const int node = Child(0, key);
    if (KeyIs(key, "metadata")) {
      auto read = [this] {
        return ReadMetadata(2, parts_, &parts_->labels, &parts_->generate_name);
      };
      return node < 0 ? read() : ReadTwice(read, 2, node);
    }
    if (KeyIs(key, "spec")) return ReadSpec(2, node, &parts_->lists);
    return node < 0 ? Skip(2) : ReadPathNode(2, node);
  });
  if (e) return e;
  return json_.pos() < n ? kJsonTrailingContent : kJsonOk;
}

// apiVersion / kind: kept only when a string (a later duplicate of another
// type clears it).
JsonError KubernetesReader::ReadTopString(std::string_view* out, bool* is_string) {
  *out = {};
  *is_string = false;
  if (json_.Peek() != '"') return Skip(2);
  if (JsonError e = json_.ReadString(out)) return e;
  *is_string = true;
  return kJsonOk;
}

// A string field that the caller keeps only when it is a string.
[[gnu::always_inline]] inline JsonError KubernetesReader::ReadOptionalString(
    int depth, std::string_view* out) {
  *out = {};
  if (json_.Peek() != '"') return Skip(depth);
  return json_.ReadString(out);
}

// metadata: of the object itself (`top`: every field it keeps) or of a
// template (top == nullptr: labels and generateName only).
JsonError KubernetesReader::ReadMetadata(int depth, ObjectParts* top, std::vector<Label>* labels,
                                         std::string_view* generate_name) {
  if (top != nullptr) {
    top->name = top->ns = top->uid = {};
    top->owner_references.clear();
  }
  *generate_name = {};
  labels->clear();
  if (json_.Peek() != '{') return Skip(depth);
  return json_.ForEachField([&](std::string_view key) {
    if (KeyIs(key, "labels")) return ReadLabels(depth + 1, labels);
    if (KeyIs(key, "generateName")) return ReadOptionalString(depth + 1, generate_name);
    if (top != nullptr) {
      if (KeyIs(key, "name")) return ReadOptionalString(depth + 1, &top->name);
      if (KeyIs(key, "namespace")) return ReadOptionalString(depth + 1, &top->ns);
      if (options_.owners) {
        if (KeyIs(key, "uid")) return ReadOptionalString(depth + 1, &top->uid);
        if (KeyIs(key, "ownerReferences")) {
          return ReadOwnerReferences(depth + 1, &top->owner_references);
        }
      }
    }
    return Skip(depth + 1);
  });
}

// ownerReferences as unstructured's GetOwnerReferences reads them: an array
// of objects (anything else, or one element that is not an object: none at
// all); in each, apiVersion / kind / name / uid when strings, and
// controller when the literal true (NestedBool).
JsonError KubernetesReader::ReadOwnerReferences(int depth, std::vector<OwnerReference>* out) {
  out->clear();
  if (json_.Peek() != '[') return Skip(depth);
  bool all_objects = true;
  JsonError e = json_.ForEachElement([&] {
    if (json_.Peek() != '{') {
      all_objects = false;
      return Skip(depth + 1);
    }
    OwnerReference ref;
    JsonError e = json_.ForEachField([&](std::string_view key) {
      if (KeyIs(key, "apiVersion")) return ReadOptionalString(depth + 2, &ref.api_version);
      if (KeyIs(key, "kind")) return ReadOptionalString(depth + 2, &ref.kind);
      if (KeyIs(key, "name")) return ReadOptionalString(depth + 2, &ref.name);
      if (KeyIs(key, "uid")) return ReadOptionalString(depth + 2, &ref.uid);
      if (KeyIs(key, "controller")) ref.controller = json_.Peek() == 't';
      return Skip(depth + 2);
    });
    if (e) return e;
    out->push_back(ref);
    return kJsonOk;
  });
  if (e) return e;
  if (!all_objects) out->clear();
  return kJsonOk;
}

// labels as Gatekeeper reads them: unstructured's GetLabels is
// NestedStringMap, which fails on a map holding any value that is not a
// string (null, a number, an object), and Gatekeeper ignores that error —
// the object then has NO labels, so no labelSelector key matches. Values are
// judged after duplicates are resolved (Go's decoder: the last one wins).
JsonError KubernetesReader::ReadLabels(int depth, std::vector<Label>* labels) {
  labels->clear();
  if (json_.Peek() != '{') return Skip(depth);
  std::vector<std::string_view> non_strings;  // keys whose last value is not a string
  JsonError e = json_.ForEachField([&](std::string_view key) {
    const bool is_string = json_.Peek() == '"';
    std::string_view text;
    if (is_string) {
      if (JsonError e = json_.ReadString(&text)) return e;
    } else if (JsonError e = Skip(depth + 1)) {
      return e;
    }
    for (size_t i = 0; i < labels->size(); ++i) {
      if ((*labels)[i].key == key) {
        labels->erase(labels->begin() + static_cast<ptrdiff_t>(i));
        break;
      }
    }
    const auto non_string = std::find(non_strings.begin(), non_strings.end(), key);
    if (is_string) {
      labels->push_back(Label{key, text});
      if (non_string != non_strings.end()) non_strings.erase(non_string);
    } else if (non_string == non_strings.end()) {
      non_strings.push_back(key);
    }
    return kJsonOk;
  });
  if (e) return e;
  if (!non_strings.empty()) labels->clear();
  return kJsonOk;
}

// A value read for itself (`first`: metadata, a container list) that is also
// on the way to a template path: read once for each, from the same tokens.
template <typename F>
JsonError KubernetesReader::ReadTwice(F&& first, int depth, int node) {
  const TokenCursor::Mark start = json_.Save();
  if (JsonError e = first()) return e;
  json_.Restore(start);
  return ReadPathNode(depth, node);
}

// A new value for the key of `node` (a duplicate key's last value wins): the
// paths through it start over.
void KubernetesReader::ResetPaths(int node) {
  const TemplatePaths::Node& n = paths_->node(node);
  for (uint32_t p = n.first_path; p < n.end_path; ++p) parts_->templates[p].Reset();
}

// The value at `node` is not an object (its JSON starts with `type`). As
// apimachinery's NestedMap reads a path: a path ending here gets an accessor
// error, even for null; a path going on through it too, except through null,
// which is "not found".
void KubernetesReader::BlockPaths(int node, uint8_t type) {
  const TemplatePaths::Node& n = paths_->node(node);
  for (uint32_t p = n.first_path; p < n.end_path; ++p) {
    const bool ends_here = static_cast<int>(p) == n.path;
    if (!ends_here && type == 'n') continue;
    TemplateParts& t = parts_->templates[p];
    t.state = TemplateParts::State::kNotObject;
    t.value_type = type;
    t.error_segments = static_cast<uint16_t>(n.depth + (ends_here ? 0 : 1));
  }
}

// The value at a trie node: the object a path ends at (its metadata and
// spec), or a step towards longer paths; a spec too when `lists` is given.
JsonError KubernetesReader::ReadPathNode(int depth, int node, ContainerLists* lists) {
  ResetPaths(node);
  const uint8_t type = json_.Peek();
  if (type != '{') {
    BlockPaths(node, type);
    return Skip(depth);
  }
  TemplateParts* body = nullptr;
  if (const int path = paths_->node(node).path; path >= 0) {
    body = &parts_->templates[static_cast<size_t>(path)];
    body->state = TemplateParts::State::kObject;
  }
  return ReadFields(depth, node, body, lists);
}

// A spec: of the object itself or of a template object, whose container
// lists go to *lists; `node` is its trie node (-1: no path goes through it).
JsonError KubernetesReader::ReadSpec(int depth, int node, ContainerLists* lists) {
  for (auto& l : *lists) l.clear();
  if (node >= 0) return ReadPathNode(depth, node, lists);
  if (json_.Peek() != '{') return Skip(depth);
  return ReadFields(depth, -1, nullptr, lists);
}

// The fields of an object at trie node `node` (-1: none): the metadata and
// spec of `body` when a path ends here, container lists when `lists` is given
// (a spec), and every key that leads on to a path.
JsonError KubernetesReader::ReadFields(int depth, int node, TemplateParts* body,
                                       ContainerLists* lists) {
  return json_.ForEachField([&](std::string_view key) {
    const int child = Child(node, key);
    if (lists != nullptr) {
      if (const int list = ListIndex(key); list >= 0) {
        auto read = [&] {
          return ReadContainerList(depth + 1, static_cast<ContainerList>(list), &(*lists)[list]);
        };
        return child < 0 ? read() : ReadTwice(read, depth + 1, child);
      }
    }
    if (body != nullptr) {
      if (KeyIs(key, "spec")) return ReadSpec(depth + 1, child, &body->lists);
      if (KeyIs(key, "metadata")) {
        auto read = [&] {
          return ReadMetadata(depth + 1, nullptr, &body->labels, &body->generate_name);
        };
        return child < 0 ? read() : ReadTwice(read, depth + 1, child);
      }
    }
    return child < 0 ? Skip(depth + 1) : ReadPathNode(depth + 1, child);
  });
}

// A container list: an array, or an object whose values Rego's `x[_]`
// iterates (in key order, a duplicate key's last value winning).
JsonError KubernetesReader::ReadContainerList(int depth, ContainerList list,
                                              std::vector<PendingContainer>* out) {
  out->clear();
  const uint8_t type = json_.Peek();
  if (depth > kMaxDepth && (type == '[' || type == '{')) return kJsonTooDeep;
  if (type == '[') {
    return json_.ForEachElement([&] {
      PendingContainer c;
      bool complete = false;
      if (JsonError e = ReadContainer(depth + 1, list, &c, &complete)) return e;
      if (complete) out->push_back(std::move(c));
      return kJsonOk;
    });
  }
  if (type != '{') return Skip(depth);
  struct Entry {
    std::string_view key;
    bool complete;
    PendingContainer container;
  };
  std::vector<Entry> entries;
  JsonError e = json_.ForEachField([&](std::string_view key) {
    Entry entry{};
    entry.key = key;
    if (JsonError e = ReadContainer(depth + 1, list, &entry.container, &entry.complete)) return e;
    auto same = std::find_if(entries.begin(), entries.end(),
                             [&](const Entry& x) { return x.key == entry.key; });
    if (same != entries.end()) {
      *same = std::move(entry);
    } else {
      entries.push_back(std::move(entry));
    }
    return kJsonOk;
  });
  if (e) return e;
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.key < b.key; });
  for (const Entry& entry : entries) {
    if (entry.complete) out->push_back(entry.container);
  }
  return kJsonOk;
}

// One element of a container list: complete when it is an object with both
// a "name" and an "image" key (any type; the last duplicate wins).
JsonError KubernetesReader::ReadContainer(int depth, ContainerList list, PendingContainer* out,
                                          bool* complete) {
  *complete = false;
  if (json_.Peek() != '{') return Skip(depth);
  if (depth > kMaxDepth) return kJsonTooDeep;
  bool has_name = false, has_image = false;
  *out = PendingContainer{};
  out->ref.list = list;
  JsonError e = json_.ForEachField([&](std::string_view key) {
    if (KeyIs(key, "image")) {
      has_image = true;
      out->image_elements.clear();
      out->ref.image_is_string_array = false;
      if (json_.Peek() == '[') {
        ReadStringElements(&out->image_elements, &out->ref.image_is_string_array);
      }
      return ReadPrintable(depth + 1, &out->ref.image, &out->ref.image_is_string,
                           &out->image_in_arena);
    }
    if (KeyIs(key, "name")) {
      has_name = true;
      bool name_is_string;
      return ReadPrintable(depth + 1, &out->ref.name, &name_is_string, &out->name_in_arena);
    }
    return Skip(depth + 1);
  });
  if (e) return e;
  *complete = has_name && has_image;
  return kJsonOk;
}

// The elements of the array at the cursor when all of them are strings,
// copied into the arena. Leaves the cursor where it was: the array is
// rendered next, and that walk reports anything malformed.
void KubernetesReader::ReadStringElements(std::vector<std::string_view>* out, bool* all_strings) {
  const TokenCursor::Mark start = json_.Save();
  const JsonError e = json_.ForEachElement([&] {
    if (json_.Peek() != '"') return kJsonWrongType;  // stop: not all strings
    std::string_view s;
    if (JsonError e = json_.ReadString(&s)) return e;
    out->push_back(arena_->Copy(s));
    return kJsonOk;
  });
  json_.Restore(start);
  *all_strings = e == kJsonOk;
  if (!*all_strings) out->clear();
}

// A name or image: a string as is; anything else as OPA's sprintf %v
// prints it, rendered into the arena.
JsonError KubernetesReader::ReadPrintable(int depth, std::string_view* out, bool* is_string,
                                          bool* in_arena) {
  if (json_.Peek() == '"') {
    *is_string = true;
    *in_arena = false;
    return json_.ReadString(out);
  }
  scratch_->clear();
  if (JsonError e = renderer_.Render(depth, scratch_)) return e;
  *out = arena_->Copy(*scratch_);
  *is_string = false;
  *in_arena = true;
  return kJsonOk;
}

}  // namespace

TemplatePaths::TemplatePaths(const std::vector<std::string>& dotted) {
  nodes_.emplace_back();
  std::vector<std::vector<int>> ends;  // per node: the inputs ending there (duplicates collapse)
  ends.emplace_back();
  for (size_t i = 0; i < dotted.size(); ++i) {
    int node = 0;
    std::string_view rest = dotted[i];
    // Gatekeeper's sourcePath: strings.Split(source, "."), empty segments kept.
    while (true) {
      const size_t dot = rest.find('.');
      const std::string_view key = rest.substr(0, dot);
      int child = Child(node, key);
      if (child < 0) {
        child = static_cast<int>(nodes_.size());
        Node n;
        n.key = std::string(key);
        n.depth = static_cast<uint16_t>(nodes_[static_cast<size_t>(node)].depth + 1);
        nodes_.push_back(std::move(n));
        ends.emplace_back();
        nodes_[static_cast<size_t>(node)].children.push_back(static_cast<uint32_t>(child));
      }
      node = child;
      if (dot == std::string_view::npos) break;
      rest.remove_prefix(dot + 1);
    }
    ends[static_cast<size_t>(node)].push_back(static_cast<int>(i));
  }
  // Number the paths depth first, so that each node's paths are a range.
  auto number = [&](auto&& self, uint32_t at) -> void {
    Node& n = nodes_[at];
    n.first_path = static_cast<uint32_t>(paths_.size());
    if (!ends[at].empty()) {
      n.path = static_cast<int>(paths_.size());
      paths_.push_back(dotted[static_cast<size_t>(ends[at].front())]);
    }
    for (const uint32_t c : n.children) self(self, c);
    n.end_path = static_cast<uint32_t>(paths_.size());
  };
  number(number, 0);
}

JsonError ReadKubernetesObject(const ExtractOptions& options, const TemplatePaths* paths,
                               const Tokens& tokens, const JsonIndexer& unescaper,
                               uint8_t* string_buf, uint64_t* object_levels, StringArena* arena,
                               ObjectParts* parts, std::string* scratch) {
  KubernetesReader reader(options, paths, tokens, unescaper, string_buf, object_levels, arena,
                          parts, scratch);
  return reader.ReadRoot();
}

}  // namespace gatescan::extract_internal
