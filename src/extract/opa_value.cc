#include "opa_value.h"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "gatescan/common/go_float.h"
#include "gatescan/common/quote.h"
#include "simdjson_seam.h"

namespace gatescan::extract_internal {
namespace {

// True when a number token is written as an integer (no fraction, no exponent).
bool IsIntegerLiteral(std::string_view token) {
  for (char c : token) {
    if (c == '.' || c == 'e' || c == 'E') return false;
  }
  return true;
}

}  // namespace

// Render only dispatches, so that the frames of the recursion stay small
// even at depth 1024 (and under sanitizers).
JsonError OpaValueRenderer::Render(int depth, std::string* out) {
  const uint8_t type = json_.Peek();
  if (type == '[') return RenderArray(depth, out);
  if (type == '{') return RenderObject(depth, out);
  return RenderScalar(type, out);
}

[[gnu::noinline]] JsonError OpaValueRenderer::RenderScalar(uint8_t type, std::string* out) {
  switch (type) {
    case '"': {
      std::string_view s;
      if (JsonError e = json_.ReadString(&s)) return e;
      AppendGoQuoted(s, out);
      return kJsonOk;
    }
    case 't':
    case 'f': {
      const bool b = type == 't';
      if (JsonError e = json_.SkipAtom(b ? "true" : "false", b ? 4 : 5, kJsonBadLiteral)) {
        return e;
      }
      out->append(b ? "true" : "false");
      return kJsonOk;
    }
    case 'n':
      if (JsonError e = json_.SkipAtom("null", 4, kJsonBadLiteral)) return e;
      out->append("null");
      return kJsonOk;
    default:
      break;
  }
  if (type != '-' && !IsDigit(type)) return json_.Unexpected();
  const uint32_t pos = json_.pos();
  const uint8_t* start = json_.buf() + json_.idx()[pos];
  const std::string_view token(reinterpret_cast<const char*>(start),
                               json_.idx()[pos + 1] - json_.idx()[pos]);
  double d;
  if (JsonError e = ParseJsonDouble(start, &d)) return e;
  json_.Advance();
  // An integer literal is an int64 in the Kubernetes decoder first, so
  // "-0" loses its sign before it becomes a float64.
  if (d == 0 && IsIntegerLiteral(token)) d = 0;
  AppendGoFloat(d, out);
  return kJsonOk;
}

[[gnu::noinline]] JsonError OpaValueRenderer::RenderArray(int depth, std::string* out) {
  if (depth > kMaxRenderDepth) return kJsonTooDeep;
  out->push_back('[');
  bool first = true;
  JsonError e = json_.ForEachElement([&] {
    if (!first) out->append(", ");
    first = false;
    return Render(depth + 1, out);
  });
  if (e) return e;
  out->push_back(']');
  return kJsonOk;
}

// Keys sorted (OPA's object String() walks sortedKeys), a duplicate key's
// last value winning (Go's map).
[[gnu::noinline]] JsonError OpaValueRenderer::RenderObject(int depth, std::string* out) {
  if (depth > kMaxRenderDepth) return kJsonTooDeep;
  std::vector<std::pair<std::string, std::string>> members;
  JsonError e = json_.ForEachField([&](std::string_view key) {
    std::string rendered;
    if (JsonError e = Render(depth + 1, &rendered)) return e;
    auto same =
        std::find_if(members.begin(), members.end(), [&](const auto& m) { return m.first == key; });
    if (same != members.end()) {
      same->second = std::move(rendered);
    } else {
      members.emplace_back(std::string(key), std::move(rendered));
    }
    return kJsonOk;
  });
  if (e) return e;
  std::sort(members.begin(), members.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  out->push_back('{');
  for (size_t i = 0; i < members.size(); ++i) {
    if (i > 0) out->append(", ");
    AppendGoQuoted(members[i].first, out);
    out->append(": ");
    out->append(members[i].second);
  }
  out->push_back('}');
  return kJsonOk;
}

}  // namespace gatescan::extract_internal
