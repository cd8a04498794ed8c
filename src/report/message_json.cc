// message_json.cc — JSON records from pre-escaped pieces (message_json.h).
#include "message_json.h"

#include <algorithm>

#include "gatescan/common/json_text.h"

namespace gatescan::report_internal {
namespace {

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// The seams of a format are safe when its literals are ASCII and no two
// arguments are adjacent (message_json.h).
bool PiecewiseExact(const MessageFormat& format) {
  if (format.literals.size() != format.args.size() + 1) return false;
  for (size_t i = 0; i < format.literals.size(); ++i) {
    if (!IsAscii(format.literals[i])) return false;
    const bool interior = i > 0 && i + 1 < format.literals.size();
    if (interior && format.literals[i].empty()) return false;
  }
  return true;
}

}  // namespace

void JsonLine::Truncate(size_t count) {
  while (count_ > count) size_ -= pieces_[--count_].size();
}

// reserve and append, not resize and copy: resize would first zero the
// bytes the pieces then overwrite (a fifth of this function's time with five
// policies' records).
void JsonLine::AppendTo(std::string* out) const {
  out->reserve(out->size() + size_);
  for (size_t i = 0; i < count_; ++i) out->append(pieces_[i]);
}

std::string_view JsonEscapedView(std::string_view s, std::string* scratch) {
  if (PlainJsonPrefix(s) == s.size()) return s;
  scratch->clear();
  AppendJsonString(s, scratch);
  return std::string_view(*scratch).substr(1, scratch->size() - 2);
}

JsonMessageWriter::JsonMessageWriter(const Policy& policy) {
  auto add = [this](const MessageFormat& format) {
    if (!PiecewiseExact(format)) return;
    std::vector<std::string> literals;
    for (const std::string& literal : format.literals) {
      std::string escaped;
      AppendJsonString(literal, &escaped);
      literals.push_back(escaped.substr(1, escaped.size() - 2));
    }
    formats_.emplace(&format, std::move(literals));
  };
  for (const ConstraintTemplate& t : policy.templates) {
    for (const auto& rule : t.rules) {
      if (rule.has_value()) add(*rule);
    }
    for (const ImageRule& rule : t.image_rules) add(rule.message);
  }
  for (const Constraint& c : policy.constraints) {
    std::string escaped;
    AppendJsonString(c.entries_rendered, &escaped);
    lists_.push_back(escaped.substr(1, escaped.size() - 2));
  }
}

bool JsonMessageWriter::AddPieces(const Violation& v, std::string_view name_escaped,
                                  std::string_view image_escaped, std::string_view implied_escaped,
                                  JsonLine* line) const {
  if (v.format == nullptr || v.constraint >= lists_.size()) return false;
  const auto it = formats_.find(v.format);
  if (it == formats_.end()) return false;
  const std::vector<std::string>& literals = it->second;
  const MessageFormat& format = *v.format;
  const size_t start = line->count();
  bool ok = true;
  if (!v.implied_by.empty()) {
    // RenderMessage's "[Implied by X] ": ASCII on both sides of X.
    ok = line->Add("[Implied by ") && line->Add(implied_escaped) && line->Add("] ");
  }
  for (size_t i = 0; i < format.args.size(); ++i) {
    const MessageFormat::Arg arg = format.args[i];
    ok = ok && line->Add(literals[i]) &&
         line->Add(arg == MessageFormat::Arg::kName    ? name_escaped
                   : arg == MessageFormat::Arg::kImage ? image_escaped
                                                       : std::string_view(lists_[v.constraint]));
  }
  ok = ok && line->Add(literals.back());
  if (!ok) line->Truncate(start);
  return ok;
}

}  // namespace gatescan::report_internal
