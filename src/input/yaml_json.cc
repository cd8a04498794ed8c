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

enum class ScalarKind { kNull, kBool, kNumber, kString };

struct ResolvedScalar {
  ScalarKind kind = ScalarKind::kString;
  bool bool_value = false;
  std::string number;  // JSON text of a number
};

bool IsOneOf(std::string_view s, std::initializer_list<std::string_view> options) {
  for (auto o : options) {
    if (s == o) return true;
  }
  return false;
}

bool IsPlainDecimal(std::string_view s) {
  size_t i = s.empty() || s[0] != '-' ? 0 : 1;
  if (i >= s.size()) return false;
  if (s[i] == '0') return i + 1 == s.size();
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

// Go's strconv.ParseInt/ParseUint with base 0 (after go-yaml removed '_'):
// optional sign, 0x / 0o / 0b prefixes, a leading 0 means octal.
bool ParseGoInt(std::string_view s, std::string* json) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
    base = 8;
    s.remove_prefix(2);
  } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
    base = 2;
    s.remove_prefix(2);
  } else if (s.size() > 1 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
  if (ec != std::errc() || end != s.data() + s.size()) return false;
  if (negative) {
    if (value > uint64_t{1} << 63) return false;
    json->clear();
    if (value != 0) json->push_back('-');
    json->append(std::to_string(value));
  } else {
    *json = std::to_string(value);
  }
  return true;
}

// go-yaml's yamlStyleFloat: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool IsYamlStyleFloat(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  } else {
    if (!digits()) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

// A float64 as Go's encoding/json writes it: shortest round-trip digits, fixed
// notation for 1e-6 <= |x| < 1e21, otherwise exponent without padding zeros.
std::string GoJsonFloat(double value) {
  char buf[64];
  const double magnitude = std::fabs(value);
  const bool exponent = magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21);
  auto [end, ec] =
      std::to_chars(buf, buf + sizeof(buf), value,
                    exponent ? std::chars_format::scientific : std::chars_format::fixed);
  std::string text(buf, ec == std::errc() ? end : buf);
  if (exponent) {
    // "1e-07" -> "1e-7", as Go does.
    const size_t e = text.find('e');
    if (e != std::string::npos && text.size() > e + 3 && text[e + 2] == '0') {
      text.erase(e + 2, 1);
    }
  }
  return text;
}

bool ParseYamlFloat(std::string_view s, std::string* json) {
  if (!IsYamlStyleFloat(s)) return false;
  std::string text(s[0] == '+' ? s.substr(1) : s);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return false;
  *json = GoJsonFloat(value);
  return true;
}

// Plain-scalar resolution as go-yaml v2 (which sigs.k8s.io/yaml uses) does it:
// YAML 1.1 booleans (yes/no/on/off too), null, ~ and empty as null, Go-style
// integers, YAML floats; timestamps stay strings; .inf/.nan cannot be JSON and
// stay strings here.
ResolvedScalar ResolvePlain(std::string_view s) {
  ResolvedScalar r;
  if (IsOneOf(s, {"", "~", "null", "Null", "NULL"})) {
    r.kind = ScalarKind::kNull;
    return r;
  }
  if (IsOneOf(s, {"true", "True", "TRUE", "y", "Y", "yes", "Yes", "YES", "on", "On", "ON"})) {
    r.kind = ScalarKind::kBool;
    r.bool_value = true;
    return r;
  }
  if (IsOneOf(s, {"false", "False", "FALSE", "n", "N", "no", "No", "NO", "off", "Off", "OFF"})) {
    r.kind = ScalarKind::kBool;
    return r;
  }
  const char c = s[0];
  if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.')) return r;
  if (IsPlainDecimal(s)) {
    // Keep the integer as written (no float rounding of big values).
    std::string ignored;
    if (ParseGoInt(s, &ignored)) {
      r.kind = ScalarKind::kNumber;
      r.number = std::string(s);
      return r;
    }
  }
  std::string plain;
  plain.reserve(s.size());
  for (char ch : s) {
    if (ch != '_') plain.push_back(ch);
  }
  if (ParseGoInt(plain, &r.number) || ParseYamlFloat(plain, &r.number)) {
    r.kind = ScalarKind::kNumber;
    return r;
  }
  return r;
}

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
