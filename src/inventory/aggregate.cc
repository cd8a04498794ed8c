// aggregate.cc — the small helpers the inventory writers share (aggregate.h).
#include "aggregate.h"

#include <cstdio>

namespace gatescan::inventory_internal {

std::string Num(uint64_t v) { return std::to_string(v); }

std::string Percent(uint64_t part, uint64_t whole) {
  if (whole == 0) return "0%";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%",
                100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buf;
}

std::string ConstraintNames(const Policy& policy) {
  std::string names;
  for (const auto& c : policy.constraints) {
    if (!names.empty()) names += ", ";
    names += c.kind + "/" + c.name;
  }
  return names.empty() ? "none" : names;
}

std::string_view MatchModeName(MatchMode mode) {
  return mode == MatchMode::kReference ? "reference" : "gatekeeper";
}

std::string BlockedImages(const Workload& w) {
  std::string images;
  for (const WorkloadImage& i : w.images) {
    if (i.tally.blocked_containers == 0) continue;
    if (!images.empty()) images += ", ";
    images += i.image;
  }
  return images;
}

size_t DisplayWidth(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace gatescan::inventory_internal
