// csv.cc — the inventory as CSV, in the scan's CSV cells (quote.h
// AppendCsvCell) and CRLF line ends. One row per repository (the default),
// registry, exact image, or (workload, image) pair (--csv-level); invalid
// references follow with their parser's error. blocked_containers is empty
// without a policy.

#include "gatescan/common/csv.h"

#include "aggregate.h"

namespace gatescan::inventory_internal {
namespace {

void Cells(std::initializer_list<std::string_view> cells, std::string* out) {
  bool first = true;
  for (std::string_view c : cells) {
    if (!first) out->push_back(',');
    first = false;
    AppendCsvCell(c, out);
  }
}

// ",a,b,c" (GCC 12 warns falsely on `"," + std::string` chains).
void Counts(std::initializer_list<uint64_t> values, std::string* out) {
  for (uint64_t v : values) {
    out->push_back(',');
    out->append(Num(v));
  }
}

void WriteRepositories(const Report& r, std::string* out) {
  *out += "registry,repository,containers,objects,namespaces,blocked_containers,error\r\n";
  auto counts = [&](const Tally& t) {
    Counts({t.containers, t.objects, t.namespaces.size()}, out);
    out->push_back(',');
    if (r.what_if()) *out += Num(t.blocked_containers);
    out->push_back(',');
  };
  for (const RepositoryRow* row : r.repositories) {
    Cells({row->registry, row->name}, out);
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

}  // namespace

void WriteCsv(const Report& r, std::string* out) {
  auto blocked = [&](const auto& t) {
    out->push_back(',');
    if (r.what_if()) *out += Num(t.blocked_containers);
  };
  switch (r.options->csv_level) {
    case CsvLevel::kRepository:
      WriteRepositories(r, out);
      return;
    case CsvLevel::kRegistry:
      *out += "registry,repositories,containers,objects,namespaces,blocked_containers\r\n";
      for (const RegistryRow* row : r.registries) {
        AppendCsvCell(row->name, out);
        Counts({row->repositories, row->tally.containers, row->tally.objects,
                row->tally.namespaces.size()},
               out);
        blocked(row->tally);
        *out += "\r\n";
      }
      return;
    case CsvLevel::kImage:
      *out +=
          "registry,repository,image,containers,objects,namespaces,blocked_containers,error\r\n";
      for (const ImageRow* row : r.images) {
        Cells({row->registry, row->repository, row->image}, out);
        Counts({row->tally.containers, row->tally.objects, row->tally.namespaces.size()}, out);
        blocked(row->tally);
        *out += ",\r\n";
      }
      for (const InvalidRow* row : r.invalid) {
        *out += ",,";
        AppendCsvCell(row->image, out);
        Counts({row->tally.containers, row->tally.objects, row->tally.namespaces.size()}, out);
        blocked(row->tally);
        out->push_back(',');
        AppendCsvCell(row->error, out);
        *out += "\r\n";
      }
      return;
    case CsvLevel::kWorkload:
      // What breaks, in a spreadsheet: filter blocked_containers > 0.
      *out +=
          "namespace,owner_kind,owner_name,image,registry,repository,containers,objects,"
          "blocked_containers,error\r\n";
      for (const Workload* w : r.workloads) {
        for (const WorkloadImage& image : w->images) {
          Cells({w->ns, w->kind, w->name, image.image, image.registry, image.repository}, out);
          Counts({image.tally.containers, image.tally.objects}, out);
          blocked(image.tally);
          out->push_back(',');
          AppendCsvCell(image.error, out);
          *out += "\r\n";
        }
      }
      return;
  }
}

}  // namespace gatescan::inventory_internal
