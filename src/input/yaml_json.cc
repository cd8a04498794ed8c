#include "gatescan/input/yaml_json.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <istream>
#include <limits>
#include <streambuf>
#include <unordered_map>

#include "gatescan/common/quote.h"
#include "gatescan/input/yaml_scalar.h"

namespace gatescan {
namespace {

// yaml-cpp reads from an istream; this one reads the caller's bytes in place.
class MemoryBuffer : public std::streambuf {
 public:
  explicit MemoryBuffer(std::string_view bytes) {
    char* begin = const_cast<char*>(bytes.data());
    setg(begin, begin, begin + bytes.size());
  }
};

// yaml-cpp tags untagged plain scalars "?" and untagged quoted or block
// scalars "!"; only plain scalars are subject to type resolution.
constexpr std::string_view kPlainTag = "?";
constexpr std::string_view kStrTag = "tag:yaml.org,2002:str";

// yaml-cpp decodes the double-quoted escapes "\N" and "\_" to the single
// Latin-1 bytes 0x85 and 0xA0 instead of U+0085 and U+00A0 in UTF-8 (its
// "\L" and "\P" are right), and a lone 0x85 or 0xA0 would then print as
// U+FFFD. In valid UTF-8 input such a lone byte can only come from those
// escapes, so it is re-encoded; go-yaml decodes them so.
const std::string& RepairLatin1Escapes(const std::string& value, std::string* scratch) {
  if (value.find_first_of("\x85\xA0") == std::string::npos) return value;
  scratch->clear();
  for (size_t i = 0; i < value.size();) {
    char32_t rune;
    const size_t n = DecodeUtf8(value, i, &rune);
    const auto byte = static_cast<unsigned char>(value[i]);
    if (n == 0 && (byte == 0x85 || byte == 0xA0)) {
      AppendUtf8(byte, scratch);
      ++i;
    } else {
      const size_t take = n == 0 ? 1 : n;
      scratch->append(value, i, take);
      i += take;
    }
  }
  return *scratch;
}

// The scalar rules live in yaml_scalar.h, shared with the fast converter.
using ScalarKind = YamlScalarKind;
using ResolvedScalar = ResolvedYamlScalar;
ResolvedScalar ResolvePlain(std::string_view s) { return ResolvePlainYamlScalar(s); }

class JsonWriter : public YAML::EventHandler {
 public:
  JsonWriter(std::vector<std::string>* documents, size_t alias_budget)
      : documents_(documents), alias_budget_(alias_budget) {}

  const std::string& error() const { return error_; }
  int document() const { return document_; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    ++document_;
    // yaml-cpp 0.7 can return the same empty document forever on a stray
    // token such as "," (jbeder/yaml-cpp#1040, fixed upstream by #1318/#1319):
    // a document that starts where the previous one started made no progress.
    if (mark.pos == last_document_pos_) {
      --document_;
      return Fail(mark, "unexpected token");
    }
    last_document_pos_ = mark.pos;
    out_.clear();
    frames_.clear();
    anchors_.clear();
    root_is_null_ = false;
  }

  void OnDocumentEnd() override {
    if (!error_.empty() || root_is_null_ || out_.empty()) return;
    documents_->push_back(std::move(out_));
    out_ = std::string();
  }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (!error_.empty()) return;
    if (frames_.empty()) root_is_null_ = true;
    if (AtKey()) return Fail(mark, "a map key is null");
    const size_t start = BeginNode();
    out_ += "null";
    EndNode(anchor, start);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (!error_.empty()) return;
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) return Fail(mark, "unknown alias");
    const std::string& text = it->second;
    if (text.size() > alias_budget_) return Fail(mark, "aliases expand to too much data");
    alias_budget_ -= text.size();
    if (AtKey()) {
      if (text.empty() || text[0] == '{' || text[0] == '[' || text == "null") {
        return Fail(mark, "a map key is not a scalar");
      }
      if (merge_pending()) return Fail(mark, "unsupported merge key");
      BeginNode();
      if (text[0] == '"') {
        out_ += text;
      } else {
        AppendJsonString(text, &out_);
      }
      KeyWritten();
      return;
    }
    if (merge_pending()) {
      // `<<: *base` splices the aliased map's members into this map.
      if (text.size() < 2 || text[0] != '{') return Fail(mark, "merge value is not a map");
      frames_.back().merge_pending = false;
      frames_.back().expect_key = true;
      if (text.size() > 2) {
        if (frames_.back().count > 0) out_ += ',';
        out_.append(text, 1, text.size() - 2);
        ++frames_.back().count;
      }
      return;
    }
    const size_t start = BeginNode();
    out_ += text;
    EndNode(0, start);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& raw_value) override {
    if (!error_.empty()) return;
    const std::string& value = RepairLatin1Escapes(raw_value, &scratch_);
    const bool plain = tag == kPlainTag;
    if (AtKey()) {
      if (merge_pending()) return Fail(mark, "unsupported merge key");
      if (plain && value == "<<") {
        frames_.back().merge_pending = true;
        frames_.back().expect_key = false;
        return;
      }
      const size_t start = BeginNode();
      // sigs.k8s.io/yaml turns bool and int keys into their Go spelling.
      if (plain || tag == "!") {
        ResolvedScalar r = plain ? ResolvePlain(value) : ResolvedScalar{};
        if (r.kind == ScalarKind::kNull) return Fail(mark, "a map key is null");
        if (r.kind == ScalarKind::kBool) {
          out_ += r.bool_value ? "\"true\"" : "\"false\"";
        } else if (r.kind == ScalarKind::kNumber) {
          AppendJsonString(r.number, &out_);
        } else {
          AppendJsonString(value, &out_);
        }
      } else {
        AppendJsonString(value, &out_);
      }
      RecordAnchor(anchor, start);
      KeyWritten();
      return;
    }
    if (merge_pending()) return Fail(mark, "merge value is not an alias of a map");
    const size_t start = BeginNode();
    ResolvedScalar r;
    if (plain) {
      r = ResolvePlain(value);
    } else if (tag != "!" && tag != kStrTag) {
      r = ResolvePlain(value);  // explicit !!int, !!bool ... or a custom tag
      if (tag == "tag:yaml.org,2002:null") r.kind = ScalarKind::kNull;
    }
    switch (r.kind) {
      case ScalarKind::kNull:
        if (frames_.empty()) root_is_null_ = true;
        out_ += "null";
        break;
      case ScalarKind::kBool:
        out_ += r.bool_value ? "true" : "false";
        break;
      case ScalarKind::kNumber:
        out_ += r.number;
        break;
      case ScalarKind::kString:
        AppendJsonString(value, &out_);
        break;
    }
    EndNode(anchor, start);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    OpenContainer(mark, anchor, /*is_map=*/false);
  }
  void OnSequenceEnd() override { CloseContainer(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    OpenContainer(mark, anchor, /*is_map=*/true);
  }
  void OnMapEnd() override { CloseContainer(); }

 private:
  struct Frame {
    bool is_map = false;
    bool expect_key = true;
    bool merge_pending = false;
    size_t count = 0;
    YAML::anchor_t anchor = 0;
    size_t start = 0;
  };

  bool AtKey() const {
    return !frames_.empty() && frames_.back().is_map && frames_.back().expect_key;
  }
  bool merge_pending() const { return !frames_.empty() && frames_.back().merge_pending; }

  // Writes the separator owed before a node; returns where the node starts.
  size_t BeginNode() {
    if (!frames_.empty()) {
      Frame& f = frames_.back();
      if ((!f.is_map || f.expect_key) && f.count > 0) out_ += ',';
    }
    return out_.size();
  }

  void KeyWritten() {
    out_ += ':';
    frames_.back().expect_key = false;
  }

  void EndNode(YAML::anchor_t anchor, size_t start) {
    RecordAnchor(anchor, start);
    if (frames_.empty()) return;
    Frame& f = frames_.back();
    ++f.count;
    if (f.is_map) f.expect_key = true;
  }

  void RecordAnchor(YAML::anchor_t anchor, size_t start) {
    if (anchor != 0) anchors_[anchor] = out_.substr(start);
  }

  void OpenContainer(const YAML::Mark& mark, YAML::anchor_t anchor, bool is_map) {
    if (!error_.empty()) return;
    if (AtKey()) return Fail(mark, "a map key is not a scalar");
    if (merge_pending())
      return Fail(mark, "unsupported merge value (only `<<: *alias` is supported)");
    const size_t start = BeginNode();
    out_ += is_map ? '{' : '[';
    frames_.push_back(Frame{is_map, true, false, 0, anchor, start});
  }

  void CloseContainer() {
    if (!error_.empty() || frames_.empty()) return;
    const Frame f = frames_.back();
    frames_.pop_back();
    out_ += f.is_map ? '}' : ']';
    EndNode(f.anchor, f.start);
  }

  void Fail(const YAML::Mark& mark, std::string_view what) {
    if (!error_.empty()) return;
    error_ = "document " + std::to_string(document_) + ", line " + std::to_string(mark.line + 1) +
             ": " + std::string(what);
  }

  std::vector<std::string>* documents_;
  size_t alias_budget_;
  std::string out_;
  std::string scratch_;  // a scalar repaired by RepairLatin1Escapes
  std::vector<Frame> frames_;
  std::unordered_map<YAML::anchor_t, std::string> anchors_;
  std::string error_;
  int document_ = 0;
  int last_document_pos_ = -1;
  bool root_is_null_ = false;
};

}  // namespace

Status YamlToJsonDocuments(std::string_view yaml, std::vector<std::string>* json_documents) {
  // Billion-laughs guard: aliases may copy at most this many bytes in total.
  const size_t alias_budget = std::max<size_t>(size_t{1} << 20, yaml.size() * 8);
  JsonWriter writer(json_documents, alias_budget);
  try {
    MemoryBuffer buffer(yaml);
    std::istream in(&buffer);
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(writer)) {
      if (!writer.error().empty()) return Status::Error(writer.error());
    }
  } catch (const YAML::Exception& e) {
    const int document = writer.document() == 0 ? 1 : writer.document();
    std::string message = "document " + std::to_string(document);
    if (!e.mark.is_null()) message += ", line " + std::to_string(e.mark.line + 1);
    return Status::Error(message + ": " + e.msg);
  } catch (const std::exception& e) {
    return Status::Error("document " + std::to_string(writer.document()) + ": " + e.what());
  }
  if (!writer.error().empty()) return Status::Error(writer.error());
  return Status::Ok();
}

}  // namespace gatescan
