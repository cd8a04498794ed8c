#include "gatescan/cli/explain.h"

#include "gatescan/allowlist/image_ref.h"
#include "gatescan/common/quote.h"

namespace gatescan {
namespace {

void JsonField(std::string_view key, std::string_view value, bool present, std::string* out) {
  out->append(",\"").append(key).append("\":");
  if (present) {
    AppendJsonString(value, out);
  } else {
    out->append("null");
  }
}

void AppendVerdictsJson(const Evaluator& evaluator, std::string_view image, std::string* out) {
  out->append(",\"constraints\":[");
  bool first = true;
  for (const ImageVerdict& v : evaluator.Verdicts(image)) {
    const Constraint& c = evaluator.policy().constraints[v.constraint];
    if (!first) out->push_back(',');
    first = false;
    out->append("{\"kind\":");
    AppendJsonString(c.kind, out);
    out->append(",\"name\":");
    AppendJsonString(c.name, out);
    out->append(",\"allowed\":").append(v.allowed ? "true" : "false");
    out->append(",\"entry\":");
    if (v.entry >= 0) {
      AppendJsonString(c.entries[static_cast<size_t>(v.entry)], out);
    } else {
      out->append("null");
    }
    out->push_back('}');
  }
  out->push_back(']');
}

void AppendVerdictsText(const Evaluator& evaluator, std::string_view image, std::string* out) {
  for (const ImageVerdict& v : evaluator.Verdicts(image)) {
    const Constraint& c = evaluator.policy().constraints[v.constraint];
    out->append("  ").append(v.allowed ? "allowed" : "FLAGGED").append(" by ");
    out->append(c.kind).append("/").append(c.name);
    if (v.entry >= 0) {
      out->append(" through entry ");
      AppendGoQuoted(c.entries[static_cast<size_t>(v.entry)], out);
    } else if (!c.has_list) {
      out->append(" (the constraint has no list: it flags nothing)");
    } else {
      out->append(": no entry matches; allowed are ").append(c.entries_rendered);
    }
    out->push_back('\n');
  }
}

}  // namespace

void ExplainImage(std::string_view image, const Evaluator* evaluator, ExplainFormat format,
                  std::string* out) {
  ImageReference ref;
  const bool valid = ParseNormalizedNamed(image, &ref);
  if (format == ExplainFormat::kJson) {
    out->append("{\"input\":");
    AppendJsonString(image, out);
    out->append(",\"valid\":").append(valid ? "true" : "false");
    JsonField("domain", ref.domain(), valid, out);
    JsonField("path", ref.path(), valid, out);
    JsonField("tag", ref.tag(), valid && !ref.tag().empty(), out);
    JsonField("digest", ref.digest(), valid && !ref.digest().empty(), out);
    JsonField("name", ref.name(), valid, out);
    if (!valid) JsonField("error", ref.error(), true, out);
    if (evaluator != nullptr) AppendVerdictsJson(*evaluator, image, out);
    out->append("}\n");
    return;
  }
  AppendGoQuoted(image, out);
  out->push_back('\n');
  if (valid) {
    out->append("  name    ").append(ref.name()).append("\n");
    out->append("  domain  ").append(ref.domain()).append("\n");
    out->append("  path    ").append(ref.path()).append("\n");
    if (!ref.tag().empty()) out->append("  tag     ").append(ref.tag()).append("\n");
    if (!ref.digest().empty()) out->append("  digest  ").append(ref.digest()).append("\n");
  } else {
    out->append("  invalid reference: ").append(ref.error()).append("\n");
  }
  if (evaluator != nullptr) AppendVerdictsText(*evaluator, image, out);
}

}  // namespace gatescan
