// extract.cc — one Kubernetes object's JSON -> ObjectRecord, with simdjson On-Demand.
//
// Every field of the document is visited in order, so a duplicate key's last
// occurrence overwrites the earlier one (Go's encoding/json into a map, which
// is what Gatekeeper's Rego sees). Fields the policy does not need are walked
// by Skip(), which validates them as Go's decoder would (On-Demand's own skip
// only counts brackets), enforces the depth limit, and keeps nothing.
//
// Strings are held as views into the input or the parser's string buffer
// while the object is read, and copied into the batch arena only when the
// whole object parsed and the value survived every duplicate key: nothing is
// appended to the batch for a broken object except its error record.
#include "gatescan/extract.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstring>
#include <string>
#include <utility>

#include "gatescan/quote.h"

namespace gatescan {

std::string_view ContainerListField(ContainerList list) {
  switch (list) {
    case ContainerList::kContainers:
      return "containers";
    case ContainerList::kInitContainers:
      return "initContainers";
    case ContainerList::kEphemeralContainers:
      return "ephemeralContainers";
  }
  return "containers";
}

namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

// simdjson's DOM limit; Go's decoder allows 10000, but nothing real comes close.
constexpr int kMaxDepth = 1024;

// framer.h's kParsePadding: the readable bytes every caller leaves after an object.
constexpr size_t kPadding = 64;
static_assert(kPadding >= simdjson::SIMDJSON_PADDING);

// A container while its object is still being read: its strings may still
// point into simdjson's buffers (copied at commit) or already into the arena
// (rendered non-string values).
struct PendingContainer {
  ContainerRef ref;
  bool name_in_arena = false;
  bool image_in_arena = false;
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
  std::vector<Label> labels;
  ContainerLists lists;
  TemplateParts pod_template;
  JobTemplateParts job_template;

  void Reset() {
    api_version = kind = name = ns = {};
    has_api_version = has_kind = false;
    labels.clear();
    for (auto& l : lists) l.clear();
    pod_template.Reset();
    job_template.Reset();
  }
};

std::string_view ErrorText(error_code e) {
  switch (e) {
    case simdjson::UNCLOSED_STRING:
      return "malformed JSON (unclosed string)";
    case simdjson::UTF8_ERROR:
      return "invalid UTF-8 in JSON";
    case simdjson::UNESCAPED_CHARS:
      return "malformed JSON (unescaped control character in string)";
    case simdjson::STRING_ERROR:
      return "malformed JSON (invalid string escape)";
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE:
      return "malformed JSON (invalid number)";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
      return "malformed JSON (invalid literal)";
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return "malformed JSON (truncated, or unbalanced brackets)";
    case simdjson::TAPE_ERROR:
      return "malformed JSON (unexpected or missing token)";
    case simdjson::DEPTH_ERROR:
      return "JSON nested too deeply (more than 1024 levels)";
    case simdjson::EMPTY:
      return "empty document";
    case simdjson::INCORRECT_TYPE:
      return "malformed JSON (unexpected value type)";
    case simdjson::TRAILING_CONTENT:
      return "malformed JSON (content after the object)";
    case simdjson::CAPACITY:
      return "object too large for the JSON parser";
    case simdjson::MEMALLOC:
      return "out of memory while parsing JSON";
    default:
      return "malformed JSON";
  }
}

// The key of `field`, decoded. Keys without escapes (nearly all) are viewed
// in place; stage 1 guarantees the closing quote exists.
error_code KeyOf(od::field& field, std::string_view* key) {
  const char* raw = field.key().raw();
  const char* p = raw;
  while (*p != '"' && *p != '\\') ++p;
  if (*p == '"') {
    *key = std::string_view(raw, static_cast<size_t>(p - raw));
    return SUCCESS;
  }
  return field.unescaped_key().get(*key);
}

// True when a number token is written as an integer (no fraction, no exponent).
bool IsIntegerLiteral(std::string_view token) {
  for (char c : token) {
    if (c == '.' || c == 'e' || c == 'E') return false;
  }
  return true;
}

// Go's strconv.FormatFloat(v, 'g', -1, 64): shortest round-trip digits; %e
// form when the decimal exponent is < -4 or >= 6 (ftoa.go: "if precision was
// the shortest possible, use precision 6 for this decision"), with at least
// two exponent digits.
void AppendGoFloat(double v, std::string* out) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));  // [-]d[.ddd]e(+|-)XX
  bool neg = false;
  if (!sci.empty() && sci[0] == '-') {
    neg = true;
    sci.remove_prefix(1);
  }
  size_t e_pos = sci.find('e');
  std::string digits;
  for (size_t i = 0; i < e_pos; ++i) {
    if (sci[i] != '.') digits.push_back(sci[i]);
  }
  int exp = 0;
  std::from_chars(sci.data() + e_pos + 1 + (sci[e_pos + 1] == '+' ? 1 : 0), sci.data() + sci.size(),
                  exp);
  if (digits == "0") {  // Go's shortest digits of zero are empty, exponent 0
    digits.clear();
    exp = -1;
  }
  if (neg) out->push_back('-');
  const int nd = static_cast<int>(digits.size());
  const int dp = exp + 1;  // decimal point position
  if (exp < -4 || exp >= 6) {
    out->push_back(nd > 0 ? digits[0] : '0');
    if (nd > 1) {
      out->push_back('.');
      out->append(digits, 1, std::string::npos);
    }
    out->push_back('e');
    int x = nd == 0 ? 0 : exp;
    out->push_back(x < 0 ? '-' : '+');
    if (x < 0) x = -x;
    if (x < 10) out->push_back('0');
    out->append(std::to_string(x));
    return;
  }
  // %f with just enough fraction digits.
  if (dp > 0) {
    for (int i = 0; i < dp; ++i) out->push_back(i < nd ? digits[i] : '0');
  } else {
    out->push_back('0');
  }
  const int frac = std::max(nd - dp, 0);
  if (frac > 0) {
    out->push_back('.');
    for (int i = 0; i < frac; ++i) {
      const int j = dp + i;
      out->push_back(j >= 0 && j < nd ? digits[j] : '0');
    }
  }
}

class ObjectReader {
 public:
  ObjectReader(const ExtractOptions& options, StringArena* arena, ObjectParts* parts,
               std::string* scratch)
      : options_(options), arena_(arena), parts_(parts), scratch_(scratch) {}

  error_code ReadRoot(od::document& doc) {
    od::json_type type;
    if (auto e = doc.type().get(type)) return e;
    if (type != od::json_type::object) return kRootNotObject;
    od::object root;
    if (auto e = doc.get_object().get(root)) return e;
    for (auto field_result : root) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return e;
      std::string_view key;
      if (auto e = KeyOf(field, &key)) return e;
      error_code e = SUCCESS;
      if (key == "apiVersion") {
        e = ReadTopString(field.value(), &parts_->api_version, &parts_->has_api_version);
      } else if (key == "kind") {
        e = ReadTopString(field.value(), &parts_->kind, &parts_->has_kind);
      } else if (key == "metadata") {
        e = ReadMetadata(field.value(), 2, &parts_->name, &parts_->ns, &parts_->labels);
      } else if (key == "spec") {
        e = ReadSpec(field.value(), 2);
      } else {
        e = Skip(field.value(), 2);
      }
      if (e) return e;
    }
    // Past the root, the iterator must be out of tokens.
    const char* rest = nullptr;
    if (doc.current_location().get(rest) != simdjson::OUT_OF_BOUNDS) {
      return simdjson::TRAILING_CONTENT;
    }
    return SUCCESS;
  }

  // Not a simdjson error: reported as "not a JSON object".
  static constexpr error_code kRootNotObject = simdjson::NUM_ERROR_CODES;

 private:
  // Walks and validates a value without keeping it.
  error_code Skip(od::value value, int depth) {
    if (!options_.validate) return SUCCESS;  // On-Demand steps over it unread
    od::json_type type;
    if (auto e = value.type().get(type)) return e;
    switch (type) {
      case od::json_type::object: {
        if (depth > kMaxDepth) return simdjson::DEPTH_ERROR;
        od::object object;
        if (auto e = value.get_object().get(object)) return e;
        for (auto field_result : object) {
          od::field field;
          if (auto e = std::move(field_result).get(field)) return e;
          std::string_view key;
          if (auto e = KeyOf(field, &key)) return e;
          if (auto e = Skip(field.value(), depth + 1)) return e;
        }
        return SUCCESS;
      }
      case od::json_type::array: {
        if (depth > kMaxDepth) return simdjson::DEPTH_ERROR;
        od::array array;
        if (auto e = value.get_array().get(array)) return e;
        for (auto element : array) {
          od::value v;
          if (auto e = std::move(element).get(v)) return e;
          if (auto e = Skip(v, depth + 1)) return e;
        }
        return SUCCESS;
      }
      case od::json_type::string:
        return SkipString(value);
      case od::json_type::number: {
        double d;
        return value.get_double().get(d);
      }
      case od::json_type::boolean: {
        bool b;
        return value.get_bool().get(b) ? simdjson::T_ATOM_ERROR : SUCCESS;
      }
      case od::json_type::null: {
        bool is_null = false;
        return value.is_null().get(is_null) || !is_null ? simdjson::N_ATOM_ERROR : SUCCESS;
      }
    }
    return simdjson::TAPE_ERROR;
  }

  // Stage 1 has checked UTF-8 and control characters; only escapes are left
  // to validate. Nothing is copied, and, as in Go, a lone surrogate escape is
  // not an error in a string nobody reads.
  static error_code SkipString(od::value& value) {
    std::string_view token = value.raw_json_token();  // "...", then blanks
    if (std::memchr(token.data(), '\\', token.size()) != nullptr && !EscapesValid(token)) {
      return simdjson::STRING_ERROR;
    }
    od::raw_json_string raw;
    return value.get_raw_json_string().get(raw);
  }

  // JSON's escapes: \" \\ \/ \b \f \n \r \t and \u with four hex digits.
  static bool EscapesValid(std::string_view token) {
    for (size_t i = 1; i < token.size(); ++i) {
      if (token[i] == '"') return true;
      if (token[i] != '\\') continue;
      if (++i >= token.size()) return false;
      switch (token[i]) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
          break;
        case 'u':
          if (i + 4 >= token.size()) return false;
          for (size_t k = 1; k <= 4; ++k) {
            if (!std::isxdigit(static_cast<unsigned char>(token[i + k]))) return false;
          }
          i += 4;
          break;
        default:
          return false;
      }
    }
    return false;
  }

  // apiVersion / kind: kept only when a string (a later duplicate of another
  // type clears it).
  error_code ReadTopString(od::value value, std::string_view* out, bool* is_string) {
    od::json_type type;
    if (auto e = value.type().get(type)) return e;
    *out = {};
    *is_string = false;
    if (type != od::json_type::string) return Skip(value, 2);
    if (auto e = value.get_string().get(*out)) return e;
    *is_string = true;
    return SUCCESS;
  }

  // A string field that the caller keeps only when it is a string.
  error_code ReadOptionalString(od::value value, int depth, std::string_view* out) {
    od::json_type type;
    if (auto e = value.type().get(type)) return e;
    *out = {};
    if (type != od::json_type::string) return Skip(value, depth);
    return value.get_string().get(*out);
  }

  // metadata (top level or of a template). Null outputs are skipped.
  error_code ReadMetadata(od::value value, int depth, std::string_view* name, std::string_view* ns,
                          std::vector<Label>* labels) {
    if (name != nullptr) *name = {};
    if (ns != nullptr) *ns = {};
    labels->clear();
    od::json_type type;
    if (auto e = value.type().get(type)) return e;
    if (type != od::json_type::object) return Skip(value, depth);
    od::object object;
    if (auto e = value.get_object().get(object)) return e;
    for (auto field_result : object) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return e;
      std::string_view key;
      if (auto e = KeyOf(field, &key)) return e;
      error_code e = SUCCESS;
      if (key == "labels") {
        e = ReadLabels(field.value(), depth + 1, labels);
      } else if (key == "name" && name != nullptr) {
        e = ReadOptionalString(field.value(), depth + 1, name);
      } else if (key == "namespace" && ns != nullptr) {
        e = ReadOptionalString(field.value(), depth + 1, ns);
      } else {
        e = Skip(field.value(), depth + 1);
      }
      if (e) return e;
    }
    return SUCCESS;
  }

  // labels: the last occurrence of a key wins; only string values count.
  error_code ReadLabels(od::value value, int depth, std::vector<Label>* labels) {
    labels->clear();
    od::json_type type;
    if (auto e = value.type().get(type)) return e;
    if (type != od::json_type::object) return Skip(value, depth);
    od::object object;
    if (auto e = value.get_object().get(object)) return e;
    for (auto field_result : object) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return e;
      std::string_view key;
      if (auto e = KeyOf(field, &key)) return e;
      od::value v = field.value();
      od::json_type vt;
      if (auto e = v.type().get(vt)) return e;
      std::string_view text;
      if (vt == od::json_type::string) {
        if (auto e = v.get_string().get(text)) return e;
      } else if (auto e = Skip(v, depth + 1)) {
        return e;
      }
      for (size_t i = 0; i < labels->size(); ++i) {
        if ((*labels)[i].key == key) {
          labels->erase(labels->begin() + static_cast<ptrdiff_t>(i));
          break;
        }
      }
      if (vt == od::json_type::string) labels->push_back(Label{key, text});
    }
    return SUCCESS;
  }

  // Top-level spec: the container lists, and with pod_templates the
  // template / jobTemplate.
  error_code ReadSpec(od::value value, int depth) {
    for (auto& l : parts_->lists) l.clear();
    parts_->pod_template.Reset();
    parts_->job_template.Reset();
    od::json_type type;
    if (auto e = value.type().get(type)) return e;
    if (type != od::json_type::object) return Skip(value, depth);
    od::object object;
    if (auto e = value.get_object().get(object)) return e;
    for (auto field_result : object) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return e;
      std::string_view key;
      if (auto e = KeyOf(field, &key)) return e;
      error_code e = SUCCESS;
      if (int list = ListIndex(key); list >= 0) {
        e = ReadContainerList(field.value(), depth + 1, static_cast<ContainerList>(list),
                              &parts_->lists[list]);
      } else if (options_.pod_templates && key == "template") {
        e = ReadTemplate(field.value(), depth + 1, &parts_->pod_template);
      } else if (options_.pod_templates && key == "jobTemplate") {
        e = ReadJobTemplate(field.value(), depth + 1, &parts_->job_template);
      } else {
        e = Skip(field.value(), depth + 1);
      }
      if (e) return e;
    }
    return SUCCESS;
  }

  static int ListIndex(std::string_view key) {
    if (key == "containers") return static_cast<int>(ContainerList::kContainers);
    if (key == "initContainers") return static_cast<int>(ContainerList::kInitContainers);
    if (key == "ephemeralContainers") return static_cast<int>(ContainerList::kEphemeralContainers);
    return -1;
  }

  // A pod template: {metadata: {labels}, spec: {*Containers}}.
  error_code ReadTemplate(od::value value, int depth, TemplateParts* out) {
    out->Reset();
    od::json_type type;
    if (auto e = value.type().get(type)) return e;
    if (type != od::json_type::object) return Skip(value, depth);
    out->present = true;
    od::object object;
    if (auto e = value.get_object().get(object)) return e;
    for (auto field_result : object) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return e;
      std::string_view key;
      if (auto e = KeyOf(field, &key)) return e;
      error_code e = SUCCESS;
      if (key == "metadata") {
        e = ReadMetadata(field.value(), depth + 1, nullptr, nullptr, &out->labels);
      } else if (key == "spec") {
        e = ReadPodSpec(field.value(), depth + 1, &out->lists);
      } else {
        e = Skip(field.value(), depth + 1);
      }
      if (e) return e;
    }
    return SUCCESS;
  }

  // The spec of a pod template: its container lists only.
  error_code ReadPodSpec(od::value value, int depth, ContainerLists* lists) {
    for (auto& l : *lists) l.clear();
    od::json_type type;
    if (auto e = value.type().get(type)) return e;
    if (type != od::json_type::object) return Skip(value, depth);
    od::object object;
    if (auto e = value.get_object().get(object)) return e;
    for (auto field_result : object) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return e;
      std::string_view key;
      if (auto e = KeyOf(field, &key)) return e;
      error_code e = SUCCESS;
      if (int list = ListIndex(key); list >= 0) {
        e = ReadContainerList(field.value(), depth + 1, static_cast<ContainerList>(list),
                              &(*lists)[list]);
      } else {
        e = Skip(field.value(), depth + 1);
      }
      if (e) return e;
    }
    return SUCCESS;
  }

  // A CronJob's jobTemplate: {metadata: {labels}, spec: {template: ...}}.
  error_code ReadJobTemplate(od::value value, int depth, JobTemplateParts* out) {
    out->Reset();
    od::json_type type;
    if (auto e = value.type().get(type)) return e;
    if (type != od::json_type::object) return Skip(value, depth);
    out->present = true;
    od::object object;
    if (auto e = value.get_object().get(object)) return e;
    for (auto field_result : object) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return e;
      std::string_view key;
      if (auto e = KeyOf(field, &key)) return e;
      error_code e = SUCCESS;
      if (key == "metadata") {
        e = ReadMetadata(field.value(), depth + 1, nullptr, nullptr, &out->labels);
      } else if (key == "spec") {
        e = ReadJobSpec(field.value(), depth + 1, &out->pod_template);
      } else {
        e = Skip(field.value(), depth + 1);
      }
      if (e) return e;
    }
    return SUCCESS;
  }

  error_code ReadJobSpec(od::value value, int depth, TemplateParts* pod_template) {
    pod_template->Reset();
    od::json_type type;
    if (auto e = value.type().get(type)) return e;
    if (type != od::json_type::object) return Skip(value, depth);
    od::object object;
    if (auto e = value.get_object().get(object)) return e;
    for (auto field_result : object) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return e;
      std::string_view key;
      if (auto e = KeyOf(field, &key)) return e;
      error_code e = key == "template" ? ReadTemplate(field.value(), depth + 1, pod_template)
                                       : Skip(field.value(), depth + 1);
      if (e) return e;
    }
    return SUCCESS;
  }

  // A container list: an array, or an object whose values Rego's `x[_]`
  // iterates (in key order, a duplicate key's last value winning).
  error_code ReadContainerList(od::value value, int depth, ContainerList list,
                               std::vector<PendingContainer>* out) {
    out->clear();
    od::json_type type;
    if (auto e = value.type().get(type)) return e;
    if (depth > kMaxDepth && (type == od::json_type::array || type == od::json_type::object)) {
      return simdjson::DEPTH_ERROR;
    }
    if (type == od::json_type::array) {
      od::array array;
      if (auto e = value.get_array().get(array)) return e;
      for (auto element : array) {
        od::value v;
        if (auto e = std::move(element).get(v)) return e;
        PendingContainer c;
        bool complete = false;
        if (auto e = ReadContainer(v, depth + 1, list, &c, &complete)) return e;
        if (complete) out->push_back(c);
      }
      return SUCCESS;
    }
    if (type != od::json_type::object) return Skip(value, depth);
    struct Entry {
      std::string_view key;
      bool complete;
      PendingContainer container;
    };
    std::vector<Entry> entries;
    od::object object;
    if (auto e = value.get_object().get(object)) return e;
    for (auto field_result : object) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return e;
      Entry entry{};
      if (auto e = KeyOf(field, &entry.key)) return e;
      if (auto e =
              ReadContainer(field.value(), depth + 1, list, &entry.container, &entry.complete)) {
        return e;
      }
      auto same = std::find_if(entries.begin(), entries.end(),
                               [&](const Entry& x) { return x.key == entry.key; });
      if (same != entries.end()) {
        *same = entry;
      } else {
        entries.push_back(entry);
      }
    }
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.key < b.key; });
    for (const Entry& entry : entries) {
      if (entry.complete) out->push_back(entry.container);
    }
    return SUCCESS;
  }

  // One element of a container list: complete when it is an object with both
  // a "name" and an "image" key (any type; the last duplicate wins).
  error_code ReadContainer(od::value value, int depth, ContainerList list, PendingContainer* out,
                           bool* complete) {
    *complete = false;
    od::json_type type;
    if (auto e = value.type().get(type)) return e;
    if (type != od::json_type::object) return Skip(value, depth);
    if (depth > kMaxDepth) return simdjson::DEPTH_ERROR;
    bool has_name = false, has_image = false;
    *out = PendingContainer{};
    out->ref.list = list;
    od::object object;
    if (auto e = value.get_object().get(object)) return e;
    for (auto field_result : object) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return e;
      std::string_view key;
      if (auto e = KeyOf(field, &key)) return e;
      error_code e = SUCCESS;
      if (key == "image") {
        has_image = true;
        e = ReadPrintable(field.value(), depth + 1, &out->ref.image, &out->ref.image_is_string,
                          &out->image_in_arena);
      } else if (key == "name") {
        has_name = true;
        bool name_is_string;
        e = ReadPrintable(field.value(), depth + 1, &out->ref.name, &name_is_string,
                          &out->name_in_arena);
      } else {
        e = Skip(field.value(), depth + 1);
      }
      if (e) return e;
    }
    *complete = has_name && has_image;
    return SUCCESS;
  }

  // A name or image: a string as is; anything else as OPA's sprintf %v
  // prints it, rendered into the arena.
  error_code ReadPrintable(od::value value, int depth, std::string_view* out, bool* is_string,
                           bool* in_arena) {
    od::json_type type;
    if (auto e = value.type().get(type)) return e;
    if (type == od::json_type::string) {
      *is_string = true;
      *in_arena = false;
      return value.get_string().get(*out);
    }
    scratch_->clear();
    if (auto e = Render(value, depth, scratch_)) return e;
    *out = arena_->Copy(*scratch_);
    *is_string = false;
    *in_arena = true;
    return SUCCESS;
  }

  // OPA's Value.String() of what Gatekeeper's JSON round trip makes of the
  // value: every number is a float64 (encoding/json into interface{}), printed
  // by strconv.FormatFloat(f, 'g', -1, 64); strings inside composites quoted
  // by strconv.Quote; object keys sorted, a duplicate's last value winning.
  // Render recurses once per nesting level, so it only dispatches: the
  // frames stay small even at depth 1024 (and under sanitizers).
  error_code Render(od::value value, int depth, std::string* out) {
    od::json_type type;
    if (auto e = value.type().get(type)) return e;
    if (type == od::json_type::array) return RenderArray(value, depth, out);
    if (type == od::json_type::object) return RenderObject(value, depth, out);
    return RenderScalar(value, type, out);
  }

  [[gnu::noinline]] static error_code RenderScalar(od::value& value, od::json_type type,
                                                   std::string* out) {
    switch (type) {
      case od::json_type::string: {
        std::string_view s;
        if (auto e = value.get_string().get(s)) return e;
        AppendGoQuoted(s, out);
        return SUCCESS;
      }
      case od::json_type::number: {
        std::string_view token = value.raw_json_token();
        double d;
        if (auto e = value.get_double().get(d)) return e;
        // An integer literal is an int64 in the Kubernetes decoder first, so
        // "-0" loses its sign before it becomes a float64.
        if (d == 0 && IsIntegerLiteral(token)) d = 0;
        AppendGoFloat(d, out);
        return SUCCESS;
      }
      case od::json_type::boolean: {
        bool b;
        if (value.get_bool().get(b)) return simdjson::T_ATOM_ERROR;
        out->append(b ? "true" : "false");
        return SUCCESS;
      }
      case od::json_type::null: {
        bool is_null = false;
        if (value.is_null().get(is_null) || !is_null) return simdjson::N_ATOM_ERROR;
        out->append("null");
        return SUCCESS;
      }
      default:
        return simdjson::TAPE_ERROR;
    }
  }

  [[gnu::noinline]] error_code RenderArray(od::value& value, int depth, std::string* out) {
    if (depth > kMaxDepth) return simdjson::DEPTH_ERROR;
    od::array array;
    if (auto e = value.get_array().get(array)) return e;
    out->push_back('[');
    bool first = true;
    for (auto element : array) {
      od::value v;
      if (auto e = std::move(element).get(v)) return e;
      if (!first) out->append(", ");
      first = false;
      if (auto e = Render(v, depth + 1, out)) return e;
    }
    out->push_back(']');
    return SUCCESS;
  }

  // Keys sorted (OPA's object String() walks sortedKeys), a duplicate key's
  // last value winning (Go's map).
  [[gnu::noinline]] error_code RenderObject(od::value& value, int depth, std::string* out) {
    if (depth > kMaxDepth) return simdjson::DEPTH_ERROR;
    od::object object;
    if (auto e = value.get_object().get(object)) return e;
    std::vector<std::pair<std::string, std::string>> members;
    for (auto field_result : object) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return e;
      std::string_view key;
      if (auto e = KeyOf(field, &key)) return e;
      std::string rendered;
      if (auto e = Render(field.value(), depth + 1, &rendered)) return e;
      auto same = std::find_if(members.begin(), members.end(),
                               [&](const auto& m) { return m.first == key; });
      if (same != members.end()) {
        same->second = std::move(rendered);
      } else {
        members.emplace_back(std::string(key), std::move(rendered));
      }
    }
    std::sort(members.begin(), members.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    out->push_back('{');
    for (size_t i = 0; i < members.size(); ++i) {
      if (i > 0) out->append(", ");
      AppendGoQuoted(members[i].first, out);
      out->append(": ");
      out->append(members[i].second);
    }
    out->push_back('}');
    return SUCCESS;
  }

  const ExtractOptions& options_;
  StringArena* arena_;
  ObjectParts* parts_;
  std::string* scratch_;
};

}  // namespace

struct Extractor::Impl {
  ExtractOptions options;
  od::parser parser;
  ObjectParts parts;
  std::string scratch;

  IndexRange CommitLabels(const std::vector<Label>& labels, ExtractedBatch* out) {
    IndexRange range;
    range.begin = static_cast<uint32_t>(out->labels.size());
    for (const Label& l : labels) {
      out->labels.push_back(Label{out->arena.Copy(l.key), out->arena.Copy(l.value)});
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
        if (!c.name_in_arena) ref.name = out->arena.Copy(ref.name);
        if (!c.image_in_arena) ref.image = out->arena.Copy(ref.image);
        out->containers.push_back(ref);
      }
    }
    range.end = static_cast<uint32_t>(out->containers.size());
    return range;
  }

  void Commit(ExtractedBatch* out, ObjectRecord* record) {
    record->api_version = out->arena.Copy(parts.api_version);
    record->kind = out->arena.Copy(parts.kind);
    record->name = out->arena.Copy(parts.name);
    record->ns = out->arena.Copy(parts.ns);
    record->has_api_version = parts.has_api_version;
    record->has_kind = parts.has_kind;
    record->labels = CommitLabels(parts.labels, out);
    record->containers = CommitContainers(parts.lists, out);
    if (!options.pod_templates) return;
    // A jobTemplate (CronJob) takes precedence over a plain template.
    if (parts.job_template.present) {
      record->template_path = PodTemplatePath::kJobTemplate;
      record->job_template_labels = CommitLabels(parts.job_template.labels, out);
      record->template_labels = CommitLabels(parts.job_template.pod_template.labels, out);
      record->template_containers = CommitContainers(parts.job_template.pod_template.lists, out);
    } else if (parts.pod_template.present) {
      record->template_path = PodTemplatePath::kSpecTemplate;
      record->template_labels = CommitLabels(parts.pod_template.labels, out);
      record->template_containers = CommitContainers(parts.pod_template.lists, out);
    }
  }
};

Extractor::Extractor(ExtractOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  // Our own depth check stops at kMaxDepth; the parser's limit (which only
  // simdjson's development checks enforce) must sit above it. A failure here
  // resurfaces as an error from the first iterate().
  if (impl_->parser.allocate(simdjson::SIMDJSON_PADDING, kMaxDepth + 2) != SUCCESS) return;
}

Extractor::~Extractor() = default;

void Extractor::Extract(std::string_view json, ExtractedBatch* out) {
  ObjectRecord record;
  // Empty ranges point at the current end, so consumers may index freely.
  const auto labels_end = static_cast<uint32_t>(out->labels.size());
  const auto containers_end = static_cast<uint32_t>(out->containers.size());
  record.labels = record.template_labels = record.job_template_labels = {labels_end, labels_end};
  record.containers = record.template_containers = {containers_end, containers_end};

  impl_->parts.Reset();
  od::document doc;
  simdjson::padded_string_view padded(json.data(), json.size(), json.size() + kPadding);
  error_code e = impl_->parser.iterate(padded).get(doc);
  if (!e) {
    ObjectReader reader(impl_->options, &out->arena, &impl_->parts, &impl_->scratch);
    e = reader.ReadRoot(doc);
  }
  if (e == ObjectReader::kRootNotObject) {
    record.error = out->arena.Copy("not a JSON object");
  } else if (e) {
    record.error = out->arena.Copy(ErrorText(e));
  } else {
    impl_->Commit(out, &record);
  }
  out->objects.push_back(record);
}

}  // namespace gatescan
