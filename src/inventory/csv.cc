// csv.cc — the inventory as CSV: one row per repository, then one per invalid
// reference, in the scan's CSV cells (quote.h AppendCsvCell) and CRLF line ends.

#include "aggregate.h"
#include "gatescan/common/quote.h"

namespace gatescan::inventory_internal {
namespace {}  // namespace

void WriteCsv(const Report& r, std::string* out) {
  *out += "registry,repository,containers,objects,namespaces,blocked_containers,error\r\n";
  auto counts = [&](const Tally& t) {
    *out += "," + Num(t.containers) + "," + Num(t.objects) + "," + Num(t.namespaces.size()) + ",";
    if (r.what_if()) *out += Num(t.blocked_containers);
    out->push_back(',');
  };
  for (const RepositoryRow* row : r.repositories) {
    AppendCsvCell(row->registry, out);
    out->push_back(',');
    AppendCsvCell(row->name, out);
    counts(row->tally);
    *out += "\r\n";
  }
  // Invalid references: no registry, the raw image in place of the
  // repository, and the parser's error.
  for (const InvalidRow* row : r.invalid) {
    out->push_back(',');
    AppendCsvCell(row->image, out);
    counts(row->tally);
    AppendCsvCell(row->error, out);
    *out += "\r\n";
  }
}

}  // namespace gatescan::inventory_internal
