#include "gatescan/input/yaml_item.h"

#include <charconv>
#include <vector>

#include "gatescan/input/yaml_fast.h"
#include "gatescan/input/yaml_json.h"

namespace gatescan {
namespace {

// The complete converter names the line within the text it was given
// ("document 1, line 3: ..."); the user needs the line in the input.
std::string InputLineError(std::string_view message, uint64_t first_line) {
  constexpr std::string_view kPrefix = "document 1, line ";
  if (message.substr(0, kPrefix.size()) == kPrefix) {
    const char* digits = message.data() + kPrefix.size();
    uint64_t line = 0;
    auto [end, ec] = std::from_chars(digits, message.data() + message.size(), line);
    if (ec == std::errc() && line > 0) {
      return "YAML: line " + std::to_string(first_line + line - 1) +
             std::string(message.substr(static_cast<size_t>(end - message.data())));
    }
  }
  return "YAML: line " + std::to_string(first_line) + ": " + std::string(message);
}

}  // namespace

YamlSpanResult ConvertYamlSpan(std::string_view yaml, bool list_item, uint64_t first_line,
                               std::string* json, std::string* error) {
  std::string converted;
  YamlFastResult fast = YamlFastToJson(yaml, &converted);
  if (fast == YamlFastResult::kUnsupported) {
    std::vector<std::string> documents;
    const Status s = YamlToJsonDocuments(yaml, &documents);
    if (!s.ok()) {
      *error = InputLineError(s.message(), first_line);
      return YamlSpanResult::kError;
    }
    if (documents.size() > 1) {
      *error = "YAML: line " + std::to_string(first_line) + ": more than one document";
      return YamlSpanResult::kError;
    }
    if (documents.empty()) return YamlSpanResult::kEmpty;
    converted = std::move(documents[0]);
  } else if (fast == YamlFastResult::kEmpty) {
    return YamlSpanResult::kEmpty;
  }
  if (list_item) {
    // The item converts as a one-element sequence: "[value]".
    if (converted.size() < 3 || converted.front() != '[' || converted.back() != ']') {
      *error = "YAML: line " + std::to_string(first_line) + ": not one sequence item";
      return YamlSpanResult::kError;
    }
    json->assign(converted, 1, converted.size() - 2);
    return YamlSpanResult::kOk;
  }
  *json = std::move(converted);
  return YamlSpanResult::kOk;
}

}  // namespace gatescan
