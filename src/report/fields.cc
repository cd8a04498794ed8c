// fields.cc — the pieces several output formats share (fields.h).
#include "fields.h"

#include <charconv>

#include "gatescan/audit/owner.h"
#include "gatescan/common/k8s_names.h"

namespace gatescan::report_internal {

std::string_view ContainerTypeWord(ContainerList list) { return k8s::ContainerTypeWord(list); }

GroupVersion SplitGroupVersion(std::string_view api_version) {
  const k8s::GroupVersion gv = k8s::SplitApiVersion(api_version);
  return {gv.group, gv.version};
}

// std::to_chars, not snprintf: ndjson writes one offset per object.
void AppendUint(uint64_t value, std::string* out) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out->append(buf, end);
}

std::string_view SourceName(const RecordOrigin& origin) {
  return origin.input != nullptr ? std::string_view(origin.input->display_name)
                                 : std::string_view();
}

std::array<std::string_view, kViolationFieldNames.size()> ViolationFieldValues(
    const Constraint& c, const ObjectRecord& object, const GroupVersion& gv, const Violation& v,
    const RecordOrigin& origin, std::string_view offset) {
  const Owner owner = TopOwner(object, origin.labels);
  return {c.kind,
          c.name,
          ActionName(v.action),
          gv.group,
          gv.version,
          object.kind,
          object.ns,
          object.name,
          owner.kind,
          owner.name,
          ContainerTypeWord(v.list),
          v.container_name,
          v.image,
          v.message,
          v.implied_by,
          SourceName(origin),
          offset};
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
