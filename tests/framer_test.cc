#include "gatescan/input/framer.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "compress_support.h"
#include "gatescan/input/scan_kernel.h"
#include "stage1_support.h"
#include "test_support.h"

namespace gatescan {
namespace {

using testing::Gzip;
using testing::Stage1Mismatch;
using testing::Zstd;

struct Framed {
  std::string text;
  uint64_t input_offset;
  uint64_t index;
  bool in_list;
  uint64_t list_id;
  bool operator==(const Framed&) const = default;
};

struct FrameResult {
  std::vector<Framed> spans;
  std::vector<FrameError> errors;
  std::map<uint64_t, ListInfo> final_lists;  // last ListInfo seen per list_id
  uint64_t input_bytes = 0;
  int batches = 0;
};

void PrintTo(const Framed& f, std::ostream* os) {
  *os << "{" << f.text << " @" << f.input_offset << " #" << f.index << " list " << f.in_list << "/"
      << f.list_id << "}";
}

FrameResult FrameAll(std::unique_ptr<ByteSource> source, FramerOptions options = {}) {
  static const InputSpec kInput{"test", "test"};
  Framer framer(kInput, std::move(source), options);
  FrameResult result;
  FramedBatch batch;
  while (framer.Next(&batch)) {
    ++result.batches;
    EXPECT_EQ(batch.input, &kInput);
    for (const ObjectSpan& span : batch.spans) {
      EXPECT_LE(span.begin + span.length, batch.bytes.size());
      // The padding after the span's batch must be readable and zeroed past size().
      Framed f{std::string(batch.bytes.data() + span.begin, span.length), span.input_offset,
               span.index, span.list >= 0, 0};
      if (span.structurals_count > 0) {
        EXPECT_EQ(Stage1Mismatch(batch, span), "");
      }
      if (span.list >= 0) {
        EXPECT_LT(static_cast<size_t>(span.list), batch.lists.size());
        f.list_id = batch.lists[span.list].list_id;
      }
      result.spans.push_back(f);
    }
    for (size_t i = 0; i < kParsePadding; ++i) {
      EXPECT_EQ(batch.bytes.data()[batch.bytes.size() + i], 0);
    }
    for (const ListInfo& l : batch.lists) result.final_lists[l.list_id] = l;
    for (const FrameError& e : batch.errors) result.errors.push_back(e);
    result.input_bytes += batch.input_bytes;
  }
  FramedBatch after;
  EXPECT_FALSE(framer.Next(&after));
  return result;
}

FrameResult FrameString(const std::string& s, FramerOptions options = {}) {
  return FrameAll(MakeMemorySource(s), options);
}

std::vector<std::string> Texts(const FrameResult& r) {
  std::vector<std::string> out;
  for (const auto& s : r.spans) out.push_back(s.text);
  return out;
}

// Frames `s` with many window sizes and checks they all agree with the default.
FrameResult FrameEverySize(const std::string& s) {
  FrameResult reference = FrameString(s);
  for (size_t window : {1, 2, 7, 63, 64, 65, 4096}) {
    for (size_t batch : {size_t{1}, window, size_t{100000}}) {
      FramerOptions options;
      options.read_bytes = window;
      options.batch_bytes = batch;
      FrameResult r = FrameString(s, options);
      EXPECT_EQ(r.spans, reference.spans) << "read_bytes=" << window << " batch=" << batch;
      EXPECT_EQ(r.errors.size(), reference.errors.size()) << "read_bytes=" << window;
      for (size_t i = 0; i < std::min(r.errors.size(), reference.errors.size()); ++i) {
        EXPECT_EQ(r.errors[i].message, reference.errors[i].message);
        EXPECT_EQ(r.errors[i].input_offset, reference.errors[i].input_offset);
      }
      EXPECT_EQ(r.input_bytes, s.size());
      EXPECT_EQ(r.final_lists.size(), reference.final_lists.size());
      for (const auto& [id, l] : reference.final_lists) {
        EXPECT_EQ(r.final_lists[id].kind, l.kind);
        EXPECT_EQ(r.final_lists[id].api_version, l.api_version);
        EXPECT_EQ(r.final_lists[id].header_complete, l.header_complete);
      }
    }
  }
  return reference;
}

const char kKubectlList[] = R"({
    "apiVersion": "v1",
    "items": [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "a", "annotations": {"x": "}}]]{{[\"\\"}},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}
        },
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "b\\", "labels": {"k": "\\\\\"}"}}
        }
    ],
    "kind": "List",
    "metadata": {
        "resourceVersion": ""
    }
}
)";

TEST(FramerTest, KubectlListWithKindAfterItems) {
  FrameResult r = FrameEverySize(kKubectlList);
  ASSERT_EQ(r.spans.size(), 2u);
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(r.spans[0].text.substr(0, 1), "{");
  EXPECT_NE(r.spans[0].text.find("\"name\": \"a\""), std::string::npos);
  EXPECT_EQ(r.spans[0].text.back(), '}');
  EXPECT_NE(r.spans[1].text.find("\"name\": \"b\\\\\""), std::string::npos);
  EXPECT_EQ(r.spans[0].index, 0u);
  EXPECT_EQ(r.spans[1].index, 1u);
  EXPECT_TRUE(r.spans[0].in_list);
  EXPECT_EQ(std::string(kKubectlList).substr(r.spans[1].input_offset, r.spans[1].text.size()),
            r.spans[1].text);
  ASSERT_EQ(r.final_lists.size(), 1u);
  const ListInfo& l = r.final_lists.begin()->second;
  EXPECT_EQ(l.kind, "List");
  EXPECT_EQ(l.api_version, "v1");
  EXPECT_TRUE(l.header_complete);
}

TEST(FramerTest, ClientGoPodListKindFirstCompact) {
  std::string s =
      R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[)"
      R"({"metadata":{"name":"p1"},"spec":{}},{"metadata":{"name":"p2"},"spec":{"x":[1,{}]}}]})";
  FrameResult r = FrameEverySize(s);
  EXPECT_EQ(Texts(r),
            (std::vector<std::string>{R"({"metadata":{"name":"p1"},"spec":{}})",
                                      R"({"metadata":{"name":"p2"},"spec":{"x":[1,{}]}})"}));
  ASSERT_EQ(r.final_lists.size(), 1u);
  EXPECT_EQ(r.final_lists.begin()->second.kind, "PodList");
  EXPECT_EQ(r.final_lists.begin()->second.api_version, "v1");
}

TEST(FramerTest, KindKnownBeforeItemsIsInTheItemsBatch) {
  std::string s = R"({"kind":"PodList","apiVersion":"v1","items":[{"a":1},{"a":2}]})";
  FramerOptions options;
  options.batch_bytes = 1;
  options.read_bytes = 1;
  Framer framer({"t", "t"}, MakeMemorySource(s), options);
  FramedBatch batch;
  ASSERT_TRUE(framer.Next(&batch));
  ASSERT_EQ(batch.spans.size(), 1u);
  EXPECT_EQ(batch.lists[batch.spans[0].list].kind, "PodList");
  EXPECT_FALSE(batch.lists[batch.spans[0].list].header_complete);
}

TEST(FramerTest, ListClosingBraceInItsOwnBatch) {
  std::string s = R"({"items":[{"a":1}], "kind": "List", "apiVersion": "v1"})";
  FramerOptions options;
  options.batch_bytes = 1;
  options.read_bytes = 1;
  Framer framer({"t", "t"}, MakeMemorySource(s), options);
  FramedBatch batch;
  ASSERT_TRUE(framer.Next(&batch));
  ASSERT_EQ(batch.spans.size(), 1u);
  // The item waits for the kind that says it is a List's item.
  EXPECT_EQ(batch.lists[0].kind, "List");
  EXPECT_FALSE(batch.lists[0].header_complete);
  ASSERT_TRUE(framer.Next(&batch));
  EXPECT_TRUE(batch.spans.empty());
  ASSERT_EQ(batch.lists.size(), 1u);
  EXPECT_EQ(batch.lists[0].kind, "List");
  EXPECT_EQ(batch.lists[0].api_version, "v1");
  EXPECT_TRUE(batch.lists[0].header_complete);
  EXPECT_FALSE(framer.Next(&batch));
}

TEST(FramerTest, NdjsonAndConcatenatedValues) {
  std::string s = "{\"a\":1}\n{\"b\":\"}\"}\r\n\n  {\"c\":[]}{\"d\":{}}\t{\"e\":2}";
  FrameResult r = FrameEverySize(s);
  EXPECT_EQ(Texts(r), (std::vector<std::string>{"{\"a\":1}", "{\"b\":\"}\"}", "{\"c\":[]}",
                                                "{\"d\":{}}", "{\"e\":2}"}));
  for (size_t i = 0; i < r.spans.size(); ++i) {
    EXPECT_EQ(r.spans[i].index, i);
    EXPECT_FALSE(r.spans[i].in_list);
    EXPECT_EQ(s.substr(r.spans[i].input_offset, r.spans[i].text.size()), r.spans[i].text);
  }
  EXPECT_TRUE(r.errors.empty());
}

TEST(FramerTest, ListsAndObjectsMixedInOneStream) {
  std::string s =
      R"({"kind":"PodList","items":[{"i":0}]} {"kind":"Pod"} {"items":[{"i":1},{"i":2}],"kind":"List"})";
  FrameResult r = FrameEverySize(s);
  ASSERT_EQ(r.spans.size(), 4u);
  EXPECT_TRUE(r.spans[0].in_list);
  EXPECT_FALSE(r.spans[1].in_list);
  EXPECT_EQ(r.spans[1].index, 1u);
  EXPECT_TRUE(r.spans[2].in_list);
  EXPECT_EQ(r.spans[2].index, 0u);
  EXPECT_EQ(r.spans[3].index, 1u);
  EXPECT_NE(r.spans[0].list_id, r.spans[2].list_id);
  EXPECT_EQ(r.final_lists[r.spans[0].list_id].kind, "PodList");
  EXPECT_EQ(r.final_lists[r.spans[2].list_id].kind, "List");
}

TEST(FramerTest, TopLevelArray) {
  FrameResult r = FrameEverySize("[ {\"a\":1} , {\"b\":[{}]} ]\n");
  EXPECT_EQ(Texts(r), (std::vector<std::string>{"{\"a\":1}", "{\"b\":[{}]}"}));
  EXPECT_TRUE(r.spans[0].in_list);
  EXPECT_EQ(r.spans[1].index, 1u);
  ASSERT_EQ(r.final_lists.size(), 1u);
  EXPECT_TRUE(r.final_lists.begin()->second.header_complete);
  EXPECT_TRUE(r.errors.empty());
}

TEST(FramerTest, SingleObjectIsOneSpan) {
  std::string pod =
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"items":[1]},"spec":{"containers":[]}})";
  FrameResult r = FrameEverySize("\n" + pod + "\n");
  ASSERT_EQ(r.spans.size(), 1u);
  EXPECT_EQ(r.spans[0].text, pod);
  EXPECT_EQ(r.spans[0].input_offset, 1u);
  EXPECT_FALSE(r.spans[0].in_list);
  EXPECT_TRUE(r.final_lists.empty());
}

TEST(FramerTest, ItemsNullAndEmptyList) {
  FrameResult r = FrameEverySize(R"({"kind":"PodList","apiVersion":"v1","items":null})");
  EXPECT_TRUE(r.spans.empty());
  EXPECT_TRUE(r.errors.empty());
  ASSERT_EQ(r.final_lists.size(), 1u);
  EXPECT_EQ(r.final_lists.begin()->second.kind, "PodList");
  EXPECT_TRUE(r.final_lists.begin()->second.header_complete);

  r = FrameEverySize(R"({"items":[],"kind":"List"})");
  EXPECT_TRUE(r.spans.empty());
  EXPECT_TRUE(r.errors.empty());
  ASSERT_EQ(r.final_lists.size(), 1u);
  EXPECT_EQ(r.final_lists.begin()->second.kind, "List");
}

TEST(FramerTest, ItemsNotAnArray) {
  FrameResult r = FrameEverySize(R"({"items":{"a":[1]},"kind":"List"} {"x":1})");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message, "items is not an array");
  EXPECT_EQ(r.errors[0].input_offset, 9u);
  EXPECT_EQ(Texts(r), std::vector<std::string>{"{\"x\":1}"});
}

TEST(FramerTest, StringsWithBracketsQuotesAndBackslashes) {
  // Backslash runs of every length before a quote, brackets inside strings,
  // escaped quotes, keys that look like "items".
  std::string item1 = R"({"a":"\\","b":"\\\"}","c":"\\\\\\","d":"{[}]","e":"\"items\":["})";
  std::string item2 = R"({"items\"":[{"x":"]"}],"z":"\u0022}"})";
  std::string s = R"({"it\u0065ms":[)" + item1 + "," + item2 + R"(],"kind":"K\"\u004cist"})";
  FrameResult r = FrameEverySize(s);
  EXPECT_EQ(Texts(r), (std::vector<std::string>{item1, item2}));
  EXPECT_EQ(r.final_lists.begin()->second.kind, "K\"List");
  EXPECT_TRUE(r.errors.empty());
}

TEST(FramerTest, LongBackslashRunsAcrossBlockBoundaries) {
  // Runs of backslashes ending at every alignment relative to 64-byte blocks.
  for (int pad = 0; pad < 70; ++pad) {
    for (int run : {1, 2, 3, 63, 64, 65, 128}) {
      std::string body = std::string(pad, 'x') + std::string(run, '\\');
      if (run % 2 == 1) body += "\"";  // escaped quote keeps the string open
      std::string item = "{\"s\":\"" + body + "}\",\"t\":[]}";
      std::string s = "{\"kind\":\"List\",\"items\":[" + item + "," + item + "]}";
      FramerOptions options;
      options.read_bytes = 64;
      FrameResult r = FrameString(s, options);
      ASSERT_EQ(Texts(r), (std::vector<std::string>{item, item})) << pad << " " << run;
    }
  }
}

TEST(FramerTest, DeepNestingClosingAtEveryAlignment) {
  // Many closing brackets in one block: the depth may reach zero only at the
  // last of a long run, which the scanner must walk rather than count past.
  for (int pad = 0; pad < 66; ++pad) {
    for (int depth : {1, 62, 63, 64, 65, 130}) {
      std::string nested = std::string(depth, '[') + "\"]}\"" + std::string(depth, ']');
      std::string item = "{\"p\":\"" + std::string(pad, 'x') + "\",\"n\":" + nested + "}";
      std::string s = "{\"kind\":\"List\",\"items\":[" + item + "," + item + "]}";
      for (size_t read : {size_t{64}, size_t{1} << 20}) {
        FramerOptions options;
        options.read_bytes = read;
        FrameResult r = FrameString(s, options);
        ASSERT_EQ(Texts(r), (std::vector<std::string>{item, item})) << pad << " " << depth;
        ASSERT_TRUE(r.errors.empty());
      }
    }
  }
}

// Random items whose strings are dense in quotes, backslashes and brackets;
// framing at random windows must give back exactly the generated items.
std::string RandomString(std::mt19937& rng) {
  static const char kChars[] = "\\\"{}[]ab ,:";
  std::string out = "\"";
  int n = rng() % 40;
  for (int i = 0; i < n; ++i) {
    char c = kChars[rng() % (sizeof(kChars) - 1)];
    if (c == '\\') {
      out += (rng() % 2) ? "\\\\" : "\\\"";
    } else if (c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string RandomValue(std::mt19937& rng, int depth) {
  switch (depth > 4 ? rng() % 3 : rng() % 5) {
    case 0:
      return RandomString(rng);
    case 1:
      return std::to_string(rng() % 1000);
    case 2:
      return "null";
    case 3: {
      std::string out = "[";
      for (int i = 0, n = rng() % 4; i < n; ++i) {
        if (i > 0) out += ',';
        out += RandomValue(rng, depth + 1);
      }
      out += ']';
      return out;
    }
    default: {
      std::string out = "{";
      for (int i = 0, n = rng() % 4; i < n; ++i) {
        if (i > 0) out += ", ";
        out += RandomString(rng);
        out += ":\n";
        out += RandomValue(rng, depth + 1);
      }
      out += '}';
      return out;
    }
  }
}

// Frames `s` with reads of 1..max_read and batches of 1..max_batch bytes
// (drawn from `rng`): it must give back exactly `items`, without errors.
void FrameAtRandomWindows(const std::string& s, const std::vector<std::string>& items,
                          unsigned max_read, unsigned max_batch, std::mt19937& rng) {
  FramerOptions options;
  options.read_bytes = 1 + rng() % max_read;
  options.batch_bytes = 1 + rng() % max_batch;
  FrameResult r = FrameString(s, options);
  ASSERT_EQ(Texts(r), items);
  ASSERT_TRUE(r.errors.empty());
}

TEST(FramerTest, RandomItemsAtRandomWindows) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 40; ++round) {
    std::vector<std::string> items;
    std::string s = round % 2 ? R"({"kind":"List","items": [)" : "";
    for (int i = 0, n = 1 + rng() % 30; i < n; ++i) {
      std::string item = "{\"k\":" + RandomValue(rng, 0) + ",\"s\":" + RandomString(rng) + "}";
      items.push_back(item);
      s += round % 2 ? (i ? ",\n" : "") + item : item + (rng() % 2 ? "\n" : "");
    }
    if (round % 2) s += "]}";
    ASSERT_NO_FATAL_FAILURE(FrameAtRandomWindows(s, items, 200, 500, rng)) << "round " << round;
  }
}

// Bytes the indexing kernel handles off its fast path: control bytes inside
// and outside strings (0x0c and 0x1a are ops to stage 1), bytes >= 0x80 and
// escapes, in items long enough to cross many blocks. FrameAll checks every
// indexed item against simdjson's stage 1.
TEST(FramerTest, IndexedItemsWithControlAndHighBytes) {
  std::mt19937 rng(777);
  static const char kStringBytes[] = "ab \\\"{}\x01\t\n\r\x0c\x1a\x1f\x7f\x80\xc3\xa9\xff";
  static const char* const kSeparators[] = {" ", "\t", "\n", "\r\n", "\x0c", "\x1a", "\x01", ""};
  for (int round = 0; round < 60; ++round) {
    const bool controls_in_strings = round % 3 == 0;
    const bool high_bytes = round % 2 == 0;
    std::vector<std::string> items;
    std::string s = R"({"kind":"List","items": [)";
    for (int i = 0, n = 1 + rng() % 8; i < n; ++i) {
      std::string item = "{";
      for (int f = 0, fields = rng() % 60; f < fields; ++f) {
        if (f > 0) item += ',';
        item += kSeparators[rng() % 8];
        std::string str = "\"";
        for (int c = 0, len = rng() % 90; c < len; ++c) {
          char b = kStringBytes[rng() % (sizeof(kStringBytes) - 1)];
          if (b == '\\' || b == '"') {
            str += rng() % 2 ? "\\\\" : "\\\"";
          } else if (static_cast<unsigned char>(b) < 0x20 && !controls_in_strings) {
            str += 'c';
          } else if (static_cast<unsigned char>(b) >= 0x80 && !high_bytes) {
            str += 'h';
          } else {
            str += b;
          }
        }
        item += str + "\"" + kSeparators[rng() % 8] + ":" + kSeparators[rng() % 8];
        item += rng() % 2 ? RandomValue(rng, 0) : std::to_string(rng());
      }
      item += "}";
      items.push_back(item);
      s += (i ? ",\n" : "") + item;
    }
    s += "]}";
    ASSERT_NO_FATAL_FAILURE(FrameAtRandomWindows(s, items, 3000, 6000, rng)) << "round " << round;
  }
}

// Stage1Mismatch only judges spans that were indexed: make sure they are, where
// they should be (the active kernel indexes, and indexing is not turned off).
TEST(FramerTest, ListItemsAreIndexedWhereTheKernelIndexes) {
  const bool expected = ActiveKernel().index != nullptr;
  const std::string list = R"({"kind":"List","items":[{"a":[1,"x"]},{"b":{}}]})";
  for (bool index_items : {true, false}) {
    static const InputSpec kInput{"test", "test"};
    FramerOptions options;
    options.index_items = index_items;
    Framer framer(kInput, MakeMemorySource(list), options);
    FramedBatch batch;
    ASSERT_TRUE(framer.Next(&batch));
    ASSERT_EQ(batch.spans.size(), 2u);
    for (const ObjectSpan& span : batch.spans) {
      EXPECT_EQ(span.structurals_count > 0, expected && index_items);
      if (span.structurals_count > 0) {
        EXPECT_EQ(Stage1Mismatch(batch, span), "");
      }
    }
  }
  // A single object (not a list item) is left to the extractor.
  FramedBatch batch;
  static const InputSpec kSingle{"single", "single"};
  Framer framer(kSingle, MakeMemorySource(R"({"kind":"Pod"})"), FramerOptions{});
  ASSERT_TRUE(framer.Next(&batch));
  ASSERT_EQ(batch.spans.size(), 1u);
  EXPECT_EQ(batch.spans[0].structurals_count, 0u);
}

// GATESCAN_KERNEL is read once per process, so this asks the binary: a kernel
// that cannot be honoured is the input's only error (exit 2), not a silent
// fallback to another kernel.
TEST(FramerTest, KernelOverrideThatCannotBeHonouredIsAnError) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("gs_kernel_" + std::to_string(getpid()) + ".json");
  {
    std::ofstream out(file);
    out << R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{}})";
  }
  const std::string cmd = "GATESCAN_KERNEL=avx1024 '" + testing::GatescanBin().string() +
                          "' -o ndjson --allow docker.io/ '" + file.string() + "'";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) output.append(buf, n);
  const int status = pclose(pipe);
  std::filesystem::remove(file);
  EXPECT_EQ(WEXITSTATUS(status), 2) << output;
  EXPECT_NE(output.find("GATESCAN_KERNEL=avx1024: no such kernel in this build (it has: generic"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find(R"("objects":0)"), std::string::npos) << output;
}

TEST(FramerTest, TruncatedInput) {
  std::string s = R"({"items":[{"a":1},{"b":2},{"c":"}")";
  FrameResult r = FrameEverySize(s);
  EXPECT_EQ(Texts(r), (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"}));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message, "truncated: unterminated object starting at offset 26");
  EXPECT_EQ(r.errors[0].input_offset, 26u);
  EXPECT_EQ(r.errors[0].index, 2u);

  r = FrameEverySize(R"({"kind":"Pod","spec":{"a":)");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message, "truncated: unterminated object starting at offset 0");
  EXPECT_TRUE(r.spans.empty());

  r = FrameEverySize(R"({"items":[{"a":1}, )");
  EXPECT_EQ(r.spans.size(), 1u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message, "truncated: unterminated object starting at offset 0");
}

TEST(FramerTest, GarbageBetweenNdjsonLinesRecovers) {
  std::string s = "{\"a\":1}\nnot json {\"no\":1}\n  {\"b\":2}\n42\n\"str\"\n{\"c\":3}\n";
  FrameResult r = FrameEverySize(s);
  EXPECT_EQ(Texts(r), (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"}));
  // Recovery skips whole lines until one starts with '{', so "str" is skipped
  // silently after the error for 42.
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].input_offset, 8u);
  EXPECT_NE(r.errors[0].message.find("top level"), std::string::npos);
  EXPECT_EQ(r.errors[1].input_offset, s.find("42"));
  EXPECT_EQ(r.spans[1].index, 2u);
}

TEST(FramerTest, NonObjectItemsAreErrors) {
  std::string s = R"({"items":[{"a":1}, 5, "x]", [1,[2]], null, {"b":2}],"kind":"List"})";
  FrameResult r = FrameEverySize(s);
  EXPECT_EQ(Texts(r), (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"}));
  EXPECT_EQ(r.spans[1].index, 5u);
  ASSERT_EQ(r.errors.size(), 4u);
  EXPECT_EQ(r.errors[0].message, "item 1 is not an object");
  EXPECT_EQ(r.errors[3].message, "item 4 is not an object");
  EXPECT_EQ(r.final_lists.begin()->second.kind, "List");
}

TEST(FramerTest, MaxObjectBytes) {
  std::string big = "{\"big\":\"" + std::string(500, 'x') + "{\"}";
  std::string s =
      "{\"kind\":\"List\",\"items\":[{\"a\":1}," + big + ",{\"b\":2}]}\n" + big + "\n{\"c\":3}";
  FramerOptions options;
  options.max_object_bytes = 100;
  for (size_t window : {1, 7, 64, 1 << 20}) {
    options.read_bytes = window;
    options.batch_bytes = window;
    FrameResult r = FrameString(s, options);
    EXPECT_EQ(Texts(r), (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"}));
    ASSERT_EQ(r.errors.size(), 2u);
    EXPECT_NE(r.errors[0].message.find("max-object-bytes"), std::string::npos);
    EXPECT_EQ(r.errors[0].input_offset, s.find(big));
    EXPECT_EQ(r.errors[0].index, 1u);
    EXPECT_EQ(r.errors[1].input_offset, s.find(big, s.find(big) + 1));
    EXPECT_EQ(r.spans[1].index, 2u);
  }
}

TEST(FramerTest, ByteOrderMarkAndLeadingWhitespace) {
  std::string s = "\xEF\xBB\xBF \n{\"kind\":\"List\",\"items\":[{\"a\":1}]}";
  FrameResult r = FrameEverySize(s);
  ASSERT_EQ(Texts(r), std::vector<std::string>{"{\"a\":1}"});
  EXPECT_EQ(r.spans[0].input_offset, 29u);
}

// An empty dump is far more often a failed `kubectl get` than a clean cluster:
// it is an error, not a silent pass.
TEST(FramerTest, EmptyAndWhitespaceOnlyInputIsAnError) {
  for (const std::string& s :
       {std::string(""), std::string(" \n\t "), std::string("\xEF\xBB\xBF")}) {
    FrameResult r = FrameString(s);
    EXPECT_TRUE(r.spans.empty());
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_NE(r.errors[0].message.find("no Kubernetes object found"), std::string::npos);
    EXPECT_EQ(r.input_bytes, s.size());
  }
}

TEST(FramerTest, CommaStructureOfListsIsChecked) {
  for (const char* s :
       {R"({"kind":"List","items":[,{"a":1}]})", R"({"kind":"List","items":[{"a":1},]})",
        R"({"kind":"List","items":[{"a":1}{"b":2}]})", "[ , ]"}) {
    SCOPED_TRACE(s);
    FrameResult r = FrameEverySize(s);
    EXPECT_FALSE(r.errors.empty());
  }
  EXPECT_TRUE(FrameEverySize(R"({"kind":"List","items":[ {"a":1} , {"b":2} ]})").errors.empty());
}

TEST(FramerTest, LargeListInSmallBatchesHasBoundedCarry) {
  std::string item = R"({"metadata":{"name":"p","annotations":{"a":")" + std::string(3000, 'v') +
                     R"("}},"spec":{"containers":[{"name":"c","image":"i"}]}})";
  std::string s = R"({"kind":"PodList","items":[)";
  for (int i = 0; i < 200; ++i) s += (i ? "," : "") + item;
  s += "]}";
  FramerOptions options;
  options.batch_bytes = 16 << 10;
  options.read_bytes = 4 << 10;
  static const InputSpec kInput{"t", "t"};
  Framer framer(kInput, MakeMemorySource(s), options);
  FramedBatch batch;
  size_t spans = 0;
  while (framer.Next(&batch)) {
    spans += batch.spans.size();
    EXPECT_LT(batch.bytes.size(), options.batch_bytes + options.read_bytes + item.size());
  }
  EXPECT_EQ(spans, 200u);
}

TEST(FramerTest, HugeHeaderValuesAreSkippedInBoundedMemory) {
  std::string blob;
  for (int i = 0; i < 200000; ++i) blob += "ab\\\"c\\\\d]}";  // 2.2 MB, escapes and brackets
  std::string s = "{\"note\":\"" + blob + "\",\"" + blob + "\":1,\"kind\":\"PodList\"," +
                  "\"items\":[{\"a\":1},\"" + blob + "\",{\"b\":2}]}\n" + "{\"single\":\"" + blob +
                  "\"}\n{\"c\":3}";
  FramerOptions options;
  options.read_bytes = 4096;
  options.batch_bytes = 4096;
  options.max_object_bytes = 100000;
  static const InputSpec kInput{"t", "t"};
  Framer framer(kInput, MakeMemorySource(s), options);
  FramedBatch batch;
  std::vector<std::string> texts;
  std::vector<std::string> errors;
  std::string kind;
  while (framer.Next(&batch)) {
    EXPECT_LT(batch.bytes.size(), 64u << 10);
    for (const auto& span : batch.spans)
      texts.emplace_back(batch.bytes.data() + span.begin, span.length);
    for (const auto& e : batch.errors) errors.push_back(e.message);
    for (const auto& l : batch.lists) kind = l.kind;
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"}));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], "item 1 is not an object");
  EXPECT_NE(errors[1].find("max-object-bytes"), std::string::npos);
  EXPECT_EQ(kind, "PodList");
}

std::string WriteTemp(const std::string& name, const std::string& bytes) {
  auto path = std::filesystem::temp_directory_path() /
              ("gatescan_framer_test_" + std::to_string(getpid()) + "_" + name);
  FILE* f = fopen(path.c_str(), "wb");
  fwrite(bytes.data(), 1, bytes.size(), f);
  fclose(f);
  return path.string();
}

FrameResult FrameFile(const std::string& path, FramerOptions options = {}) {
  std::unique_ptr<ByteSource> source;
  Status s = OpenInput({path, path}, &source);
  EXPECT_TRUE(s.ok()) << s.message();
  return FrameAll(std::move(source), options);
}

TEST(FramerTest, GzipAndZstdGiveIdenticalSpans) {
  std::string plain = kKubectlList;
  plain += "\n{\"single\":true}\n";
  FrameResult expected = FrameString(plain);
  std::string gz = WriteTemp("a.json.gz", Gzip(plain.substr(0, 100)) + Gzip(plain.substr(100)));
  std::string zpath = WriteTemp("a.json.zst", Zstd(plain));
  for (size_t window : {1, 64, 1 << 20}) {
    FramerOptions options;
    options.read_bytes = window;
    FrameResult g = FrameFile(gz, options);
    EXPECT_EQ(g.spans, expected.spans);
    EXPECT_TRUE(g.errors.empty());
    EXPECT_EQ(g.input_bytes, plain.size());
    FrameResult z = FrameFile(zpath, options);
    EXPECT_EQ(z.spans, expected.spans);
    EXPECT_TRUE(z.errors.empty());
  }
  std::filesystem::remove(gz);
  std::filesystem::remove(zpath);
}

TEST(FramerTest, CorruptGzipIsAnErrorAfterEarlierSpans) {
  std::string plain;
  for (int i = 0; i < 2000; ++i) plain += "{\"i\":" + std::to_string(i) + "}\n";
  std::string gz = Gzip(plain);
  gz.resize(gz.size() / 2);
  FramerOptions options;
  options.read_bytes = 1024;
  options.batch_bytes = 1024;
  std::string path = WriteTemp("trunc.json.gz", gz);
  FrameResult r = FrameFile(path, options);
  std::filesystem::remove(path);
  EXPECT_GT(r.spans.size(), 0u);
  EXPECT_LT(r.spans.size(), 2000u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message.find("gzip"), std::string::npos);
}

TEST(FramerTest, YamlDocuments) {
  std::string yaml =
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: List\n"
      "items:\n- kind: Pod\n  metadata:\n    name: b\n- kind: Pod\n  metadata:\n    name: c\n";
  FrameResult r = FrameEverySize(yaml);
  ASSERT_EQ(r.spans.size(), 3u) << (r.errors.empty() ? "" : r.errors[0].message);
  EXPECT_FALSE(r.spans[0].in_list);
  EXPECT_NE(r.spans[0].text.find("\"a\""), std::string::npos);
  EXPECT_TRUE(r.spans[1].in_list);
  EXPECT_EQ(r.spans[2].index, 1u);
  EXPECT_EQ(r.final_lists[r.spans[1].list_id].kind, "List");
  EXPECT_TRUE(r.errors.empty());
  // Offsets point at the YAML document, not into the converted JSON.
  EXPECT_EQ(r.spans[0].input_offset, 0u);
  EXPECT_EQ(r.spans[1].input_offset, yaml.find("---"));
  EXPECT_EQ(r.spans[2].input_offset, yaml.find("---"));
}

TEST(FramerTest, YamlSeparatorsAndBadDocuments) {
  std::string yaml =
      "# comment\n--- \nkind: Pod\nmetadata: {name: a}\n...\n---\n"
      "kind: Pod\nmetadata: [unclosed\n---\nkind: Pod\nmetadata:\n  name: c\n  note: |\n"
      "    --- not a separator\n";
  FrameResult r = FrameEverySize(yaml);
  ASSERT_EQ(r.spans.size(), 2u);
  EXPECT_NE(r.spans[0].text.find("\"a\""), std::string::npos);
  EXPECT_NE(r.spans[1].text.find("--- not a separator"), std::string::npos);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message.rfind("YAML: ", 0), 0u) << r.errors[0].message;
  EXPECT_EQ(r.errors[0].input_offset, yaml.find("---\nkind: Pod\nmetadata: [unclosed"));
  EXPECT_EQ(r.spans[1].input_offset, yaml.rfind("---\nkind"));
}

TEST(FramerCorpusTest, RealDumpsFrameToTheirItemCounts) {
  GS_REQUIRE_CORPUS();
  auto rw = testing::CorpusDir() / "realworld";
  struct Case {
    std::string path;
    size_t items;
    std::string kind;
  };
  std::vector<Case> cases = {
      {"wey-gu__k8s-graph/data/pods.json", 30, "List"},
      {"replicatedhq__troubleshoot/real-support-bundles/support-bundle-2025-09-11T15_54_39/"
       "cluster-resources/pods/kube-public.json",
       0, "PodList"},
      {"newrelic__nri-kubernetes/internal/testutil/data/1_16/kubelet/pods", 16, "PodList"},
      {"newrelic__nri-kubernetes/internal/testutil/data/1_35/kubelet/pods", 24, "PodList"},
      {"newrelic__nri-kubernetes/internal/testutil/data/1_16/pods.yaml", 17, "List"},
      {"newrelic__nri-kubernetes/internal/testutil/data/1_35/pods.yaml", 25, "List"},
  };
  for (const Case& c : cases) {
    for (size_t window : {size_t{4096}, size_t{1} << 20}) {
      FramerOptions options;
      options.read_bytes = window;
      options.batch_bytes = window;
      FrameResult r = FrameFile((rw / c.path).string(), options);
      EXPECT_EQ(r.spans.size(), c.items) << c.path;
      EXPECT_TRUE(r.errors.empty()) << c.path;
      ASSERT_EQ(r.final_lists.size(), 1u) << c.path;
      EXPECT_EQ(r.final_lists.begin()->second.kind, c.kind);
      EXPECT_EQ(r.final_lists.begin()->second.api_version, "v1");
      EXPECT_TRUE(r.final_lists.begin()->second.header_complete);
      for (const Framed& f : r.spans) {
        EXPECT_EQ(f.text.front(), '{');
        EXPECT_EQ(f.text.back(), '}');
      }
    }
  }
}

TEST(FramerCorpusTest, TruncationAndCorruptionSweep) {
  GS_REQUIRE_CORPUS();
  std::string dump =
      testing::ReadFile(testing::CorpusDir() / "realworld/wey-gu__k8s-graph/data/pods.json");
  ASSERT_GT(dump.size(), 1000u);
  FrameResult whole = FrameString(dump);
  ASSERT_EQ(whole.spans.size(), 30u);
  std::mt19937 rng(99);
  for (int round = 0; round < 150; ++round) {
    size_t cut = rng() % dump.size();
    FramerOptions options;
    options.read_bytes = 1 + rng() % 5000;
    options.batch_bytes = 1 + rng() % 20000;
    FrameResult r = FrameString(dump.substr(0, cut), options);
    // Every span framed before the cut is one of the whole dump's spans.
    ASSERT_LE(r.spans.size(), whole.spans.size());
    for (size_t i = 0; i < r.spans.size(); ++i) ASSERT_EQ(r.spans[i], whole.spans[i]);
    if (r.spans.size() < whole.spans.size() && cut > 20) {
      ASSERT_FALSE(r.errors.empty()) << "cut at " << cut;
      EXPECT_EQ(r.errors.back().message.rfind("truncated: ", 0), 0u);
    }
    std::string corrupt = dump;
    for (int k = 0; k < 5; ++k) corrupt[rng() % corrupt.size()] = "{}[]\"\\x"[rng() % 7];
    FrameResult c = FrameString(corrupt, options);
    for (const Framed& f : c.spans) {
      ASSERT_EQ(f.text.front(), '{');
      ASSERT_EQ(corrupt.substr(f.input_offset, f.text.size()), f.text);
    }
  }
}

}  // namespace
}  // namespace gatescan
