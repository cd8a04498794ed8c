// diff.cc — new, fixed and unchanged findings between two runs (diff.h).
#include "gatescan/audit/diff.h"

namespace gatescan {
namespace {

void AppendText(std::string_view word, const FindingKey& k, uint64_t count, std::string* out) {
  out->append(word).append(": [").append(k[1]).append("] ");
  if (!k[2].empty()) out->append(k[2]).append("/");
  out->append(k[3]).append("/").append(k[4]);
  out->append(" ").append(k[5]).append(" <").append(k[6]).append("> <").append(k[7]);
  out->append(">: ").append(k[8]);
  out->append(" (x").append(std::to_string(count)).append(")\n");
}

void AppendRecord(std::string_view word, const FindingKey& k, uint64_t old_count,
                  uint64_t new_count, std::string* out) {
  out->append("{\"type\":\"").append(word).append("\",");
  AppendFindingFields(k, out);
  out->append(",\"old_count\":").append(std::to_string(old_count));
  out->append(",\"new_count\":").append(std::to_string(new_count)).append("}\n");
}

}  // namespace

DiffCounts FormatDiff(const FindingSet& old_set, const FindingSet& new_set, DiffFormat format,
                      std::string* out) {
  DiffCounts counts;
  auto emit = [&](std::string_view word, const FindingKey& key, uint64_t old_count,
                  uint64_t new_count) {
    if (format == DiffFormat::kText) {
      AppendText(word, key, new_count != 0 ? new_count : old_count, out);
    } else {
      AppendRecord(word, key, old_count, new_count, out);
    }
  };
  // Both maps are ordered by key: one merge walk.
  auto o = old_set.begin();
  auto n = new_set.begin();
  while (o != old_set.end() || n != new_set.end()) {
    if (n == new_set.end() || (o != old_set.end() && o->first < n->first)) {
      emit("fixed", o->first, o->second, 0);
      ++counts.fixed;
      ++o;
    } else if (o == old_set.end() || n->first < o->first) {
      emit("new", n->first, 0, n->second);
      ++counts.added;
      ++n;
    } else {
      emit("unchanged", n->first, o->second, n->second);
      ++counts.unchanged;
      ++o, ++n;
    }
  }
  if (format == DiffFormat::kText) {
    out->append("diff: ").append(std::to_string(counts.added)).append(" new, ");
    out->append(std::to_string(counts.fixed)).append(" fixed, ");
    out->append(std::to_string(counts.unchanged)).append(" unchanged\n");
  } else {
    out->append("{\"type\":\"diff_summary\",\"new\":").append(std::to_string(counts.added));
    out->append(",\"fixed\":").append(std::to_string(counts.fixed));
    out->append(",\"unchanged\":").append(std::to_string(counts.unchanged)).append("}\n");
  }
  return counts;
}

}  // namespace gatescan
