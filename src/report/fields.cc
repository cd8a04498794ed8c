// fields.cc — the pieces several output formats share (fields.h).
#include "fields.h"

#include <charconv>

#include "gatescan/audit/owner.h"
#include "gatescan/common/k8s_names.h"
#include "gatescan/common/terminal.h"

namespace gatescan::report_internal {

// std::to_chars, not snprintf: ndjson writes one offset per object.
void AppendUint(uint64_t value, std::string* out) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out->append(buf, end);
}

void AppendTextField(std::string_view s, const ReportOptions& options, std::string* out) {
  if (options.escape_control) {
    AppendTerminalSafe(s, out);
  } else {
    out->append(s);
  }
}

void AppendColoredField(std::string_view color, std::string_view s, const ReportOptions& options,
                        std::string* out) {
  if (options.color) out->append(color);
  AppendTextField(s, options, out);
  if (options.color) out->append("\x1b[0m");
}

std::string_view SourceName(const RecordOrigin& origin) {
  return origin.input != nullptr ? std::string_view(origin.input->display_name)
                                 : std::string_view();
}

ObjectFields MakeObjectFields(const ObjectRecord& object, const RecordOrigin& origin) {
  ObjectFields fields{k8s::SplitApiVersion(object.api_version), {}};
  AppendUint(origin.offset, &fields.offset);
  return fields;
}

std::array<std::string_view, kViolationFieldNames.size()> ViolationFieldValues(
    const Constraint& c, const ObjectRecord& object, const ObjectFields& fields, const Violation& v,
    const RecordOrigin& origin) {
  const Owner owner = TopOwner(object, origin.labels);
  return {c.kind,
          c.name,
          ActionName(v.action),
          fields.gv.group,
          fields.gv.version,
          object.kind,
          object.ns,
          object.name,
          owner.kind,
          owner.name,
          k8s::ContainerTypeWord(v.list),
          v.container_name,
          v.image,
          v.message,
          v.implied_by,
          SourceName(origin),
          fields.offset};
}

std::string_view MaybeTruncate(std::string_view message, bool truncate, std::string* storage) {
  constexpr size_t kMessageSize = 256;
  if (!truncate || message.size() <= kMessageSize) return message;
  storage->assign(message.substr(0, kMessageSize - 3));
  storage->append("...");
  return *storage;
}

void AppendObjectLabel(const ObjectRecord& object, std::string* out) {
  out->append(object.api_version);
  out->push_back('/');
  out->append(object.kind);
  out->push_back(' ');
  if (!object.ns.empty()) {
    out->append(object.ns);
    out->push_back('/');
  }
  out->append(object.name);
}

}  // namespace gatescan::report_internal
