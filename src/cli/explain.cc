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

// What a deny-side rule tests, in words, for explain.
std::string_view CheckDescription(ImageCheck check) {
  switch (check) {
    case ImageCheck::kDisallowedPrefix:
      return "the image starts with a disallowed repo";
    case ImageCheck::kTagSuffixEndswith:
    case ImageCheck::kTagAnySuffixMatch:
      return "the image ends with a disallowed tag";
    case ImageCheck::kNoColonArrayLiteral:
    case ImageCheck::kNotContainsColon:
      return "the image holds no ':' (no tag)";
    case ImageCheck::kLastComponentNoColon:
      return "the image's last path component holds no ':' (no tag)";
    case ImageCheck::kDigestArrayLiteral:
    case ImageCheck::kNotDigest:
      return "the image has no digest";
  }
  return "";
}

bool IsDenyFamily(const Evaluator& evaluator, const Constraint& c) {
  return evaluator.policy().templates[c.template_index].family != ImageFamily::kAllowedRepos;
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
    if (IsDenyFamily(evaluator, c)) {
      // Which violation rule decides (1-based, in Rego order), and the
      // exemptImages entry that exempts the image.
      out->append(",\"rule\":");
      out->append(v.rule >= 0 ? std::to_string(v.rule + 1) : "null");
      out->append(",\"exempt\":");
      if (v.exempt_entry >= 0) {
        AppendJsonString(c.exempt_images[static_cast<size_t>(v.exempt_entry)], out);
      } else {
        out->append("null");
      }
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
    if (IsDenyFamily(evaluator, c)) {
      const ConstraintTemplate& t = evaluator.policy().templates[c.template_index];
      if (v.rule >= 0) {
        out->append(": rule ").append(std::to_string(v.rule + 1)).append(", ");
        out->append(CheckDescription(t.image_rules[static_cast<size_t>(v.rule)].check));
        if (v.entry >= 0) {
          out->append(", entry ");
          AppendGoQuoted(c.entries[static_cast<size_t>(v.entry)], out);
        }
      } else if (v.exempt_entry >= 0) {
        out->append(": exempted by exemptImages entry ");
        AppendGoQuoted(c.exempt_images[static_cast<size_t>(v.exempt_entry)], out);
      } else {
        out->append(": no rule flags it");
      }
    } else if (v.entry >= 0) {
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
