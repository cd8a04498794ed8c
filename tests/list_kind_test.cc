// Only List kinds are unwrapped (issue 13): a top-level object's items are
// the objects to review only when its "kind" ends in "List"; any other
// object is reviewed as itself whatever keys it has, at the top level, on
// NDJSON lines and in concatenated values alike, with "kind" before or after
// "items". Framer cases, the memory bound for kind-last objects, the
// pipeline end to end, and a randomized differential test against an
// independent reference (simdjson's DOM and the rule, written here).
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "gatescan/input/framer.h"
#include "test_support.h"

namespace gatescan {
namespace {

struct Framed {
  std::vector<std::string> spans;  // texts, in order
  std::vector<bool> in_list;       // per span
  std::vector<FrameError> errors;
  std::vector<ListInfo> lists_at_span;  // the ListInfo each list span was handed out with
};

Framed Frame(const std::string& s, FramerOptions options = {}) {
  static const InputSpec kInput{"test", "test"};
  Framer framer(kInput, MakeMemorySource(s), options);
  Framed out;
  FramedBatch batch;
  while (framer.Next(&batch)) {
    for (const ObjectSpan& span : batch.spans) {
      out.spans.emplace_back(batch.bytes.data() + span.begin, span.length);
      out.in_list.push_back(span.list >= 0);
      if (span.list >= 0) out.lists_at_span.push_back(batch.lists[span.list]);
    }
    for (const FrameError& e : batch.errors) out.errors.push_back(e);
  }
  return out;
}

// Every window and batch size must give what the default gives.
Framed FrameEveryWay(const std::string& s) {
  const Framed reference = Frame(s);
  for (size_t window : {1, 3, 64, 100000}) {
    for (size_t batch_bytes : {size_t{1}, size_t{50}, size_t{1} << 20}) {
      FramerOptions options;
      options.read_bytes = window;
      options.batch_bytes = batch_bytes;
      const Framed r = Frame(s, options);
      EXPECT_EQ(r.spans, reference.spans) << s << " window " << window;
      EXPECT_EQ(r.errors.size(), reference.errors.size()) << s << " window " << window;
    }
  }
  return reference;
}

std::string Messages(const Framed& f) {
  std::string out;
  for (const FrameError& e : f.errors) out += e.message + "\n";
  return out;
}

const std::string kPodItem = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"inner"}})";

TEST(ListKindTest, APodWithItemsIsReviewedAsItself) {
  for (const std::string& s :
       {std::string(R"({"apiVersion":"v1","kind":"Pod","items":[],"spec":{}})"),
        std::string(R"({"apiVersion":"v1","items":[],"kind":"Pod","spec":{}})"),
        std::string(R"({"items":[)" + kPodItem + R"(],"kind":"Pod"})"),
        std::string(R"({"kind":"Pod","items":[)" + kPodItem + "]}")}) {
    const Framed f = FrameEveryWay(s);
    EXPECT_EQ(f.spans, std::vector<std::string>{s});
    EXPECT_EQ(f.in_list, std::vector<bool>{false});
    EXPECT_EQ(Messages(f), "");
  }
}

TEST(ListKindTest, AConfigMapCarryingAPodIsReviewedAsItselfExactlyOnce) {
  const std::string before = R"({"kind":"ConfigMap","items":[)" + kPodItem + "]}";
  const std::string after = R"({"apiVersion":"v1","items":[)" + kPodItem + "," + kPodItem +
                            R"(],"kind":"ConfigMap","metadata":{"name":"cm"}})";
  for (const std::string& s : {before, after, before + "\n" + after + "\n", before + after}) {
    const Framed f = FrameEveryWay(s);
    std::vector<std::string> expected;
    if (s.find(before) != std::string::npos) expected.push_back(before);
    if (s.find(after) != std::string::npos) expected.push_back(after);
    EXPECT_EQ(f.spans, expected);
    EXPECT_EQ(Messages(f), "");
  }
}

TEST(ListKindTest, ItemsOfEveryShapeOnANonListAreNotErrors) {
  for (const char* s :
       {R"({"kind":"Pod","items":{}})", R"({"items":{},"kind":"Pod"})", R"({"items":{"a":[1]}})",
        R"({"items":[1,"x",[2]],"kind":"Secret"})", R"({"items":[1,,2],"kind":"Pod"})",
        R"({"items":null,"kind":"Pod"})", R"({"items":5})", R"({"items":[{"a":1}],"kind":5})",
        R"({"items":[{"a":1}],"kind":null})", R"({"items":[{"a":1}]})"}) {
    const Framed f = FrameEveryWay(s);
    EXPECT_EQ(f.spans, std::vector<std::string>{s}) << s;
    EXPECT_EQ(Messages(f), "") << s;
  }
}

TEST(ListKindTest, ListKindsUnwrapTheirItemsWhereverTheKindIs) {
  for (const std::string kind : {"List", "PodList", "FooBarList"}) {
    const std::string first = R"({"kind":")" + kind + R"(","items":[)" + kPodItem + "]}";
    const std::string last = R"({"items":[)" + kPodItem + R"(],"kind":")" + kind + R"("})";
    const Framed f = FrameEveryWay(first + "\n" + last);
    EXPECT_EQ(f.spans, (std::vector<std::string>{kPodItem, kPodItem}));
    EXPECT_EQ(Messages(f), "");
    // Within the bound, items are handed out with their List's kind resolved.
    ASSERT_EQ(f.lists_at_span.size(), 2u);
    EXPECT_EQ(f.lists_at_span[1].kind, kind);
  }
  // On a List, items that are not an array are still an error.
  EXPECT_NE(Messages(FrameEveryWay(R"({"items":{},"kind":"PodList"})")).find("not an array"),
            std::string::npos);
  EXPECT_NE(Messages(FrameEveryWay(R"({"items":[1],"kind":"List"})")).find("is not an object"),
            std::string::npos);
}

TEST(ListKindTest, KindGivenTwiceEitherWayIsAnError) {
  for (const char* s : {R"({"kind":"PodList","items":[{"a":1}],"kind":"Pod"})",
                        R"({"kind":"Pod","items":[{"a":1}],"kind":"PodList"})"}) {
    EXPECT_NE(Messages(FrameEveryWay(s)).find("\"kind\" given twice"), std::string::npos) << s;
  }
}

// The bound: an object whose kind comes after max_pending_kind_bytes of items
// is not kept; its items are handed out as a List's, kind pending.
TEST(ListKindTest, KindLastBeyondTheBound) {
  std::string items;
  for (int i = 0; i < 200; ++i) items += (i ? "," : "") + kPodItem;
  FramerOptions options;
  options.max_pending_kind_bytes = 1000;
  options.read_bytes = 256;
  options.batch_bytes = 512;
  // A List: its items, each exactly once, no error, and the first ones handed
  // out before the kind was read (explicitly pending), so memory stays bounded.
  const Framed list =
      Frame(R"({"apiVersion":"v1","items":[)" + items + R"(],"kind":"List"})", options);
  EXPECT_EQ(list.spans.size(), 200u);
  EXPECT_EQ(Messages(list), "");
  ASSERT_FALSE(list.lists_at_span.empty());
  EXPECT_TRUE(list.lists_at_span.front().kind_pending());
  // Not a List (or no kind at all): never a silent wrong answer, an error
  // that says what happened.
  for (const std::string tail : {R"(],"kind":"ConfigMap"})", "]}"}) {
    const Framed other = Frame(R"({"items":[)" + items + tail, options);
    ASSERT_EQ(other.errors.size(), 1u) << tail;
    EXPECT_NE(other.errors[0].message.find("exceeded 1000 bytes before its kind was read"),
              std::string::npos)
        << other.errors[0].message;
    EXPECT_EQ(other.errors[0].input_offset, 0u);
  }
  // Just within the bound it is exact.
  options.max_pending_kind_bytes = 100000;
  const std::string cm = R"({"items":[)" + items + R"(],"kind":"ConfigMap"})";
  const Framed exact = Frame(cm, options);
  EXPECT_EQ(exact.spans, std::vector<std::string>{cm});
  EXPECT_EQ(Messages(exact), "");
}

// ---------------------------------------------------------------------------
// Randomized differential test.

std::string RandomKind(std::mt19937& rng) {
  static const char* kKinds[] = {
      R"("PodList")", R"("List")",      R"("Pod")", R"("ConfigMap")", R"("Listx")",
      R"("XList")",   R"("\u004cist")", "5",        "null",           R"({"k":"List"})"};
  return kKinds[rng() % 10];
}

std::string RandomItem(std::mt19937& rng, int i) {
  switch (rng() % 5) {
    case 0:
      return R"({"kind":"Pod","metadata":{"name":"p)" + std::to_string(i) + R"("}})";
    case 1:
      return R"({"metadata":{"name":"]}\"items\":["},"items":[{"x":1}],"kind":"PodList"})";
    case 2:
      return R"({"a":[1,{"b":"}"}]})";
    default:
      return R"({"kind":"ConfigMap","data":{"k":"v"}})";
  }
}

std::string RandomItems(std::mt19937& rng) {
  switch (rng() % 8) {
    case 0:
      return "[]";
    case 1:
      return "null";
    case 2:
      return R"({"a":[1]})";
    case 3:
      return "5";
    default: {
      std::string s = "[";
      for (int i = 0, n = static_cast<int>(rng() % 5); i < n; ++i) {
        s += (i ? "," : "") + RandomItem(rng, i);
      }
      return s + "]";
    }
  }
}

std::string RandomObject(std::mt19937& rng) {
  std::vector<std::string> members;
  if (rng() % 5 != 0) members.push_back(R"("kind":)" + RandomKind(rng));
  if (rng() % 4 != 0) members.push_back(R"("items":)" + RandomItems(rng));
  if (rng() % 2) members.push_back(R"("apiVersion":"v1")");
  if (rng() % 2) members.push_back(R"("metadata":{"name":"o","items":[{"kind":"Pod"}]})");
  if (rng() % 3 == 0) members.push_back(R"("itemsx":[{"kind":"Pod"}])");
  std::shuffle(members.begin(), members.end(), rng);
  std::string s = "{";
  for (size_t i = 0; i < members.size(); ++i)
    s += (i ? (rng() % 2 ? "," : " ,\n ") : "") + members[i];
  return s + "}";
}

// The reference: Gatekeeper's rule applied to simdjson's DOM of each value.
// Spans are compared minified.
struct Expected {
  std::vector<std::string> spans;
  size_t errors = 0;
};

void ReferenceFrame(simdjson::dom::parser& parser, const std::string& value, Expected* out) {
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(value).get(root), simdjson::SUCCESS) << value;
  simdjson::dom::object object;
  ASSERT_EQ(root.get_object().get(object), simdjson::SUCCESS);
  std::string_view kind;
  const bool is_list = object["kind"].get_string().get(kind) == simdjson::SUCCESS &&
                       kind.size() >= 4 && kind.substr(kind.size() - 4) == "List";
  simdjson::dom::element items;
  const bool has_items = object["items"].get(items) == simdjson::SUCCESS;
  if (!is_list || !has_items) {
    out->spans.push_back(simdjson::minify(root));
    return;
  }
  if (items.is_null()) return;  // an empty List
  simdjson::dom::array array;
  if (items.get_array().get(array) != simdjson::SUCCESS) {
    ++out->errors;  // items is not an array
    return;
  }
  for (simdjson::dom::element item : array) {
    if (item.is_object()) {
      out->spans.push_back(simdjson::minify(item));
    } else {
      ++out->errors;
    }
  }
}

TEST(ListKindTest, RandomStreamsAgreeWithTheReference) {
  std::mt19937 rng(20261202);
  simdjson::dom::parser parser;
  for (int round = 0; round < 600; ++round) {
    std::string stream;
    Expected expected;
    for (int v = 0, n = 1 + static_cast<int>(rng() % 6); v < n; ++v) {
      const std::string value = RandomObject(rng);
      ASSERT_NO_FATAL_FAILURE(ReferenceFrame(parser, value, &expected));
      static const char* kSeparators[] = {"\n", "", " ", "\r\n"};
      stream += value + kSeparators[rng() % 4];
    }
    FramerOptions options;
    options.read_bytes = 1 + rng() % 80;
    options.batch_bytes = 1 + rng() % 200;
    const Framed framed = Frame(stream, options);
    std::vector<std::string> minified;
    for (const std::string& span : framed.spans) {
      simdjson::dom::element e;
      ASSERT_EQ(parser.parse(span).get(e), simdjson::SUCCESS) << span;
      minified.push_back(simdjson::minify(e));
    }
    ASSERT_EQ(minified, expected.spans) << "round " << round << ": " << stream;
    ASSERT_EQ(framed.errors.size(), expected.errors) << "round " << round << ": " << stream << "\n"
                                                     << Messages(framed);
  }
}

// ---------------------------------------------------------------------------
// End to end: what the pipeline reviews.

std::string Scan(const std::string& input) {
  const std::filesystem::path file = std::filesystem::temp_directory_path() /
                                     ("gs_list_kind_" + std::to_string(getpid()) + ".json");
  {
    std::ofstream out(file);
    out << input;
  }
  const std::string cmd = "'" + testing::GatescanBin().string() +
                          "' -o ndjson --allow docker.io/ '" + file.string() + "' 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  std::string output;
  if (pipe != nullptr) {
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) output.append(buf, n);
    pclose(pipe);
  }
  std::filesystem::remove(file);
  return output;
}

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST(ListKindTest, ThePipelineReviewsEachObjectExactlyOnce) {
  const std::string pod =
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"NAME"},"spec":{"containers":[{"name":"c","image":"evil.io/x"}]}})";
  auto named = [&](const std::string& name) {
    std::string p = pod;
    p.replace(p.find("NAME"), 4, name);
    return p;
  };
  // A Pod with "items": [] keeps its violation, kind before or after items.
  std::string pod_items = named("with-items");
  pod_items.insert(1, R"("items":[],)");
  std::string pod_items_last = named("items-last");
  pod_items_last.insert(pod_items_last.size() - 1, R"(,"items":[])");
  // A ConfigMap carrying a Pod: reviewed as a ConfigMap, the Pod is not.
  const std::string cm = R"({"items":[)" + named("hidden") +
                         R"(],"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"cm"}})";
  // A kind-last List: its Pod is reviewed, with the kind inherited by a
  // kind-less item.
  const std::string list =
      R"({"items":[)" + named("listed") +
      R"(,{"metadata":{"name":"kindless"},"spec":{"containers":[{"name":"c","image":"evil.io/y"}]}}],"kind":"PodList","apiVersion":"v1"})";
  const std::string out = Scan(pod_items + "\n" + pod_items_last + "\n" + cm + list);
  EXPECT_EQ(Count(out, R"("name":"with-items")"), 1u) << out;
  EXPECT_EQ(Count(out, R"("name":"items-last")"), 1u) << out;
  EXPECT_EQ(Count(out, R"("name":"hidden")"), 0u) << out;
  EXPECT_EQ(Count(out, R"("name":"listed")"), 1u) << out;
  EXPECT_EQ(Count(out, R"("kind":"Pod","namespace":"","name":"kindless")"), 1u) << out;
  EXPECT_NE(out.find(R"("objects":5)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("errors":0)"), std::string::npos) << out;
}

}  // namespace
}  // namespace gatescan
