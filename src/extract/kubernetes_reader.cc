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
  KubernetesReader(const ExtractOptions& options, const Tokens& tokens,
                   const JsonIndexer& unescaper, uint8_t* string_buf, uint64_t* object_levels,
                   StringArena* arena, ObjectParts* parts, std::string* scratch)
      : options_(options),
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
  JsonError ReadMetadata(int depth, std::string_view* name, std::string_view* ns,
                         std::vector<Label>* labels);
  JsonError ReadLabels(int depth, std::vector<Label>* labels);
  JsonError ReadOwnerReferences(int depth);
  JsonError ReadSpec(int depth);
  JsonError ReadTemplate(int depth, TemplateParts* out);
  JsonError ReadPodSpec(int depth, ContainerLists* lists);
  JsonError ReadJobTemplate(int depth, JobTemplateParts* out);
  JsonError ReadJobSpec(int depth, TemplateParts* pod_template);
  JsonError ReadContainerList(int depth, ContainerList list, std::vector<PendingContainer>* out);
  JsonError ReadContainer(int depth, ContainerList list, PendingContainer* out, bool* complete);
  void ReadStringElements(std::vector<std::string_view>* out, bool* all_strings);
  JsonError ReadPrintable(int depth, std::string_view* out, bool* is_string, bool* in_arena);

  const ExtractOptions& options_;
  JsonValidator json_;  // the token cursor, and the validator of what is skipped
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
    if (KeyIs(key, "metadata")) return ReadMetadata(2, &parts_->name, &parts_->ns, &parts_->labels);
    if (KeyIs(key, "spec")) return ReadSpec(2);
    return Skip(2);
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
JsonError KubernetesReader::ReadOptionalString(int depth, std::string_view* out) {
  *out = {};
  if (json_.Peek() != '"') return Skip(depth);
  return json_.ReadString(out);
}

// metadata (top level or of a template). Null outputs are skipped.
JsonError KubernetesReader::ReadMetadata(int depth, std::string_view* name, std::string_view* ns,
                                         std::vector<Label>* labels) {
  if (name != nullptr) *name = {};
  if (ns != nullptr) *ns = {};
  labels->clear();
  if (json_.Peek() != '{') return Skip(depth);
  return json_.ForEachField([&](std::string_view key) {
    if (KeyIs(key, "labels")) return ReadLabels(depth + 1, labels);
    if (KeyIs(key, "name") && name != nullptr) return ReadOptionalString(depth + 1, name);
    if (KeyIs(key, "namespace") && ns != nullptr) return ReadOptionalString(depth + 1, ns);
    if (KeyIs(key, "ownerReferences") && name != nullptr) return ReadOwnerReferences(depth + 1);
    return Skip(depth + 1);
  });
}

// ownerReferences: the controller's kind and name (Kubernetes allows at most
// one reference with "controller": true; the last one wins here). Other
// references do not make a workload.
JsonError KubernetesReader::ReadOwnerReferences(int depth) {
  parts_->owner_kind = parts_->owner_name = {};
  if (json_.Peek() != '[') return Skip(depth);
  return json_.ForEachElement([&]() {
    if (json_.Peek() != '{') return Skip(depth + 1);
    std::string_view kind, name;
    bool controller = false;
    JsonError e = json_.ForEachField([&](std::string_view key) {
      if (KeyIs(key, "kind")) return ReadOptionalString(depth + 2, &kind);
      if (KeyIs(key, "name")) return ReadOptionalString(depth + 2, &name);
      if (KeyIs(key, "controller")) {
        controller = json_.Peek() == 't';
      }
      return Skip(depth + 2);
    });
    if (e) return e;
    if (controller && !kind.empty() && !name.empty()) {
      parts_->owner_kind = kind;
      parts_->owner_name = name;
    }
    return kJsonOk;
  });
}

// labels: the last occurrence of a key wins; only string values count.
JsonError KubernetesReader::ReadLabels(int depth, std::vector<Label>* labels) {
  labels->clear();
  if (json_.Peek() != '{') return Skip(depth);
  return json_.ForEachField([&](std::string_view key) {
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
    if (is_string) labels->push_back(Label{key, text});
    return kJsonOk;
  });
}

// Top-level spec: the container lists, and with pod_templates the
// template / jobTemplate.
JsonError KubernetesReader::ReadSpec(int depth) {
  for (auto& l : parts_->lists) l.clear();
  parts_->pod_template.Reset();
  parts_->job_template.Reset();
  if (json_.Peek() != '{') return Skip(depth);
  return json_.ForEachField([&](std::string_view key) {
    if (int list = ListIndex(key); list >= 0) {
      return ReadContainerList(depth + 1, static_cast<ContainerList>(list), &parts_->lists[list]);
    }
    if (options_.pod_templates && KeyIs(key, "template")) {
      return ReadTemplate(depth + 1, &parts_->pod_template);
    }
    if (options_.pod_templates && KeyIs(key, "jobTemplate")) {
      return ReadJobTemplate(depth + 1, &parts_->job_template);
    }
    return Skip(depth + 1);
  });
}

// A pod template: {metadata: {labels}, spec: {*Containers}}.
JsonError KubernetesReader::ReadTemplate(int depth, TemplateParts* out) {
  out->Reset();
  if (json_.Peek() != '{') return Skip(depth);
  out->present = true;
  return json_.ForEachField([&](std::string_view key) {
    if (KeyIs(key, "metadata")) return ReadMetadata(depth + 1, nullptr, nullptr, &out->labels);
    if (KeyIs(key, "spec")) return ReadPodSpec(depth + 1, &out->lists);
    return Skip(depth + 1);
  });
}

// The spec of a pod template: its container lists only.
JsonError KubernetesReader::ReadPodSpec(int depth, ContainerLists* lists) {
  for (auto& l : *lists) l.clear();
  if (json_.Peek() != '{') return Skip(depth);
  return json_.ForEachField([&](std::string_view key) {
    if (int list = ListIndex(key); list >= 0) {
      return ReadContainerList(depth + 1, static_cast<ContainerList>(list), &(*lists)[list]);
    }
    return Skip(depth + 1);
  });
}

// A CronJob's jobTemplate: {metadata: {labels}, spec: {template: ...}}.
JsonError KubernetesReader::ReadJobTemplate(int depth, JobTemplateParts* out) {
  out->Reset();
  if (json_.Peek() != '{') return Skip(depth);
  out->present = true;
  return json_.ForEachField([&](std::string_view key) {
    if (KeyIs(key, "metadata")) return ReadMetadata(depth + 1, nullptr, nullptr, &out->labels);
    if (KeyIs(key, "spec")) return ReadJobSpec(depth + 1, &out->pod_template);
    return Skip(depth + 1);
  });
}

JsonError KubernetesReader::ReadJobSpec(int depth, TemplateParts* pod_template) {
  pod_template->Reset();
  if (json_.Peek() != '{') return Skip(depth);
  return json_.ForEachField([&](std::string_view key) {
    return KeyIs(key, "template") ? ReadTemplate(depth + 1, pod_template) : Skip(depth + 1);
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

JsonError ReadKubernetesObject(const ExtractOptions& options, const Tokens& tokens,
                               const JsonIndexer& unescaper, uint8_t* string_buf,
                               uint64_t* object_levels, StringArena* arena, ObjectParts* parts,
                               std::string* scratch) {
  KubernetesReader reader(options, tokens, unescaper, string_buf, object_levels, arena, parts,
                          scratch);
  return reader.ReadRoot();
}

}  // namespace gatescan::extract_internal
