// The pipeline's contract: output identical at every thread count and window
// size (objects straddling reads), compressed input equal to plain, kind-less
// items resolved even when the list names its kind after them, and bounded
// batches recycled rather than reallocated.
#include "gatescan/pipeline/pipeline.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cli_support.h"
#include "compress_support.h"
#include "gatescan/policy/policy.h"

namespace gatescan {
namespace {

using testing::Gzip;
using testing::TempDir;
using testing::Zstd;

std::string Dump(int pods, bool kind_last) {
  std::string s = kind_last ? "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n"
                            : R"({"kind":"PodList","apiVersion":"v1","items":[)";
  for (int i = 0; i < pods; ++i) {
    if (i) s += ",\n";
    const std::string ns = "ns-" + std::to_string(i % 7);
    // Every third item has no kind: it must take the list's.
    const std::string kind = i % 3 == 0 ? "" : R"("kind": "Pod", "apiVersion": "v1", )";
    s +=
        "        {" + kind + R"("metadata": {"name": "pod-)" + std::to_string(i) +
        R"(", "namespace": ")" + ns +
        R"(", "annotations": {"x": "{\"spec\":{\"containers\":[{\"name\":\"decoy\",\"image\":\"evil/decoy\"}]}}"}},
            "spec": {"initContainers": [{"name": "init", "image": "docker.io/busybox"}],
                     "containers": [{"name": "app", "image": ")" +
        (i % 5 == 0 ? "quay.io/team/app:" + std::to_string(i) : "docker.io/library/nginx") +
        R"("}, {"name": "side\"car", "image": "gcr.io/x/y\u00e9"}]}})";
  }
  s += kind_last ? "\n    ],\n    \"kind\": \"PodList\",\n    \"metadata\": {}\n}\n" : "]}";
  return s;
}

struct Scan {
  std::string out;
  ScanResult result;
};

Scan RunPipeline(const std::vector<std::string>& files, int threads, size_t window,
                 OutputFormat format, ProgressMode progress = ProgressMode::kNever,
                 bool index_items = true) {
  Policy policy;
  PolicyOptions po;
  po.allow = {"docker.io/"};
  EXPECT_TRUE(LoadPolicy(po, &policy).ok());
  ScanOptions options;
  EXPECT_TRUE(ListInputs(files, &options.inputs).ok());
  options.threads = threads;
  options.progress = progress;
  options.framer.index_items = index_items;
  if (window > 0) {
    options.framer.read_bytes = window;
    options.framer.batch_bytes = window;
  }
  const Evaluator evaluator(policy, options.evaluate);
  ReportOptions ro;
  auto reporter = MakeReporter(format, policy, ro);
  Scan scan;
  auto sink = MakeStringSink(&scan.out);
  scan.result = RunScan(options, evaluator, reporter.get(), sink.get());
  return scan;
}

TEST(Pipeline, SameOutputAtEveryThreadCountAndWindowSize) {
  TempDir dir;
  const std::string a = dir.Write("a.json", Dump(300, false));
  const std::string b = dir.Write("b.json", Dump(250, true));
  const Scan reference = RunPipeline({a, b}, 1, 0, OutputFormat::kText);
  ASSERT_EQ(reference.result.exit_code(), kExitViolations);
  // 550 pods, each with a sidecar from gcr.io; every fifth app image is from quay.io.
  EXPECT_EQ(reference.result.summary.objects, 550u);
  EXPECT_EQ(reference.result.summary.violations, 550u + 60u + 50u);
  EXPECT_EQ(reference.out.find("decoy"), std::string::npos);
  EXPECT_NE(reference.out.find("v1/Pod ns-0/pod-0: [gatescan-allow] container <app> has an invalid "
                               "image repo <quay.io/team/app:0>"),
            std::string::npos);
  EXPECT_NE(reference.out.find("v1/Pod ns-4/pod-249: [gatescan-allow] container <side\"car>"),
            std::string::npos)
      << "kind-less items of a list whose kind comes last still resolve";
  for (int threads : {1, 2, 8}) {
    for (size_t window : {size_t{1}, size_t{7}, size_t{4096}, size_t{0}}) {
      SCOPED_TRACE("threads " + std::to_string(threads) + " window " + std::to_string(window));
      const Scan s = RunPipeline({a, b}, threads, window, OutputFormat::kText);
      EXPECT_EQ(s.out, reference.out);
      EXPECT_EQ(s.result.summary.violations, reference.result.summary.violations);
    }
  }
}

// Everything before the summary record (which holds the run time).
std::string Records(const std::string& ndjson) {
  return ndjson.substr(0, ndjson.rfind("{\"type\":\"summary\""));
}

// On one thread the framer does stage 1 for list items and the extractor
// adopts it; otherwise the extractor runs simdjson's. Defects that stage 1
// judges (control bytes in strings, invalid UTF-8, both at once, simdjson's
// odd op bytes 0x0c and 0x1a, scalars glued to strings) and those the grammar
// walk judges must give the same records either way.
TEST(Pipeline, StageOneInTheFramerFailsAsTheExtractorsDoes) {
  const std::string good =
      R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"ok","namespace":"d"},"spec":{"containers":[{"name":"c","image":"quay.io/x\u00e9"}]}})";
  const std::vector<std::string> bad = {
      "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\\tb\x01\"}}",
      "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"caf\xc3\"}}",
      "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"\x02\xff\"}}",
      "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"x\"}\x0c}",
      "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"x\"\x1a}}",
      "{\"kind\":\"Pod\",\"metadata\":{\"name\":123\"x\"}}",
      "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"x\"true}}",
      "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"x\" \"y\"}}",
      "{\"kind\":\"Pod\",\"status\":{\"a\":[1 2],\"b\":\"\\q\"}}",
      "{\"kind\":\"Pod\",\"status\":{\"\xe2\x82\xac\":\"\xf0\x9f\x98\x80\",\"n\":-01}}",
  };
  std::string list = R"({"kind":"PodList","apiVersion":"v1","items":[)";
  for (const std::string& item : bad) list += good + "," + item + ",";
  list += good + "]}";
  TempDir dir;
  const std::string file = dir.Write("defects.json", list);
  const Scan indexed = RunPipeline({file}, 1, 0, OutputFormat::kNdjson);
  const Scan plain = RunPipeline({file}, 1, 0, OutputFormat::kNdjson, ProgressMode::kNever, false);
  const Scan parallel = RunPipeline({file}, 2, 64, OutputFormat::kNdjson);
  EXPECT_EQ(indexed.result.summary.errors, bad.size()) << indexed.out;
  EXPECT_EQ(indexed.result.summary.objects, bad.size() + 1);
  EXPECT_EQ(Records(indexed.out), Records(plain.out));
  EXPECT_EQ(Records(indexed.out), Records(parallel.out));
  for (const char* message : {"invalid UTF-8", "unescaped control character"}) {
    EXPECT_NE(indexed.out.find(message), std::string::npos) << message << "\n" << indexed.out;
  }
}

// On one thread the framer tells the extractor where an item's last
// backslash ends, and the walk stops searching for escapes past it: an item's
// last escape (valid or not) must still be found at every distance from the
// one before it, in every block position, with items cut by small reads.
TEST(Pipeline, TheLastEscapeOfAnItemIsCheckedWhereverItLies) {
  std::string list = R"({"kind":"PodList","apiVersion":"v1","items":[)";
  size_t bad = 0;
  for (size_t gap = 0; gap < 140; ++gap) {
    for (const std::string_view last : {R"(\n)", R"(\q)", R"(\u00e9)", R"(\u00g9)"}) {
      const bool invalid = last == R"(\q)" || last == R"(\u00g9)";
      if (gap > 0 || last != R"(\n)") list += ",";
      list +=
          R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","annotations":{"a":"{\"x\":1}"}},)"
          R"("status":{"m":")" +
          std::string(gap, 'z') + R"(","n":"z)" + std::string(last) + R"("}})";
      bad += invalid;
    }
  }
  list += "]}";
  TempDir dir;
  const std::string file = dir.Write("escapes.json", list);
  const Scan plain = RunPipeline({file}, 1, 0, OutputFormat::kNdjson, ProgressMode::kNever, false);
  EXPECT_EQ(plain.result.summary.errors, bad);
  EXPECT_EQ(plain.result.summary.objects, size_t{140} * 4 - bad);
  for (size_t window : {size_t{0}, size_t{61}, size_t{4096}}) {
    SCOPED_TRACE("window " + std::to_string(window));
    const Scan indexed = RunPipeline({file}, 1, window, OutputFormat::kNdjson);
    EXPECT_EQ(Records(indexed.out), Records(plain.out));
  }
}

// On one thread the framer's stage 1 also says whether every escape of an
// item is a two-byte one JSON has; only then does the walk skip its escape
// checks. Every escape (each printable byte after a backslash, a non-ASCII
// one, and \u forms: valid, bad hex, short, lone and paired surrogates), in
// a skipped value, a skipped key, and fields that are read, alone or after
// a simple escape, must be judged as without the framer's index, and fail
// exactly when JSON's grammar says so.
TEST(Pipeline, EveryEscapeIsJudgedAsWithoutTheFramersIndex) {
  std::vector<std::string> escapes;
  for (int c = 0x20; c < 0x7f; ++c) escapes.push_back(std::string("\\") + static_cast<char>(c));
  escapes.push_back("\\\xc3\xa9");
  for (const char* u : {"\\u00e9", "\\u00E9", "\\u00g9", "\\u12", "\\ud800", "\\ud800\\udc00",
                        "\\udc00", "\\uD83D\\uDE00"}) {
    escapes.push_back(u);
  }
  // JSON's grammar, written out: a backslash and one of "\/bfnrt, or u and
  // four hex digits (surrogates are not the grammar's business).
  auto valid = [](const std::string& e) {
    for (size_t i = 0; i < e.size();) {
      if (e[i] != '\\') return false;
      const char c = e[i + 1];
      if (std::string_view("\"\\/bfnrt").find(c) != std::string_view::npos) {
        i += 2;
      } else if (c == 'u' && i + 6 <= e.size() &&
                 std::all_of(e.begin() + static_cast<ptrdiff_t>(i) + 2,
                             e.begin() + static_cast<ptrdiff_t>(i) + 6,
                             [](char h) { return std::isxdigit(static_cast<unsigned char>(h)); })) {
        i += 6;
      } else {
        return false;
      }
    }
    return true;
  };
  std::string list = R"({"kind":"PodList","apiVersion":"v1","items":[)";
  size_t items = 0;
  size_t bad = 0;
  for (const std::string& escape : escapes) {
    for (const std::string& before : {std::string(), std::string(R"(\n\"\\\/)")}) {
      const std::string e = before + escape;
      for (int where = 0; where < 4; ++where) {
        std::string status = R"("status":{"m":")" + (where == 0 ? e : "z") + R"(")";
        status += where == 1 ? R"(,"k)" + e + R"(":{}})" : "}";
        const std::string name = where == 2 ? "p" + e : "p";
        const std::string image = where == 3 ? "docker.io/x" + e : "quay.io/x";
        list += items++ == 0 ? "" : ",";
        list += R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":")" + name +
                R"(","namespace":"d"},"spec":{"containers":[{"name":"c","image":")" + image +
                R"("}]},)" + status + "}";
        bad += !valid(e);
      }
    }
  }
  list += "]}";
  TempDir dir;
  const std::string file = dir.Write("escapes.json", list);
  const Scan plain = RunPipeline({file}, 1, 0, OutputFormat::kNdjson, ProgressMode::kNever, false);
  EXPECT_GT(bad, 0u);
  EXPECT_EQ(plain.result.summary.errors, bad);
  EXPECT_EQ(plain.result.summary.objects, items - bad);
  for (size_t window : {size_t{0}, size_t{61}, size_t{4096}}) {
    SCOPED_TRACE("window " + std::to_string(window));
    const Scan indexed = RunPipeline({file}, 1, window, OutputFormat::kNdjson);
    EXPECT_EQ(indexed.result.summary.errors, bad);
    EXPECT_EQ(Records(indexed.out), Records(plain.out));
  }
}

// Standard input from a pipe is indexed by the framer at every thread count
// (a file only on one thread): the records must be those of the file, on
// one thread and on two, whole and in reads of 61 bytes.
TEST(Pipeline, AStreamIndexedByTheFramerGivesTheFilesRecords) {
  std::string list = R"({"kind":"PodList","apiVersion":"v1","items":[)";
  for (int i = 0; i < 300; ++i) {
    list += i == 0 ? "" : ",";
    list += R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"p)" + std::to_string(i) +
            R"(","namespace":"d","annotations":{"a":"{\"x\":\"\\n\"}"}},"spec":{"containers":)"
            R"([{"name":"c","image":")" +
            (i % 3 == 0 ? "quay.io/x" : "docker.io/y") + R"("}]},"status":{"m":")" +
            (i % 7 == 0 ? R"(\q)" : (i % 5 == 0 ? R"(\u00e9)" : "z")) + R"("}})";
  }
  list += "]}";
  TempDir dir;
  const std::string file = dir.Write("stream.json", list);
  const Scan expected = RunPipeline({file}, 1, 0, OutputFormat::kNdjson);
  EXPECT_EQ(expected.result.summary.errors, 43u);
  for (int threads : {1, 2}) {
    for (size_t window : {size_t{0}, size_t{61}}) {
      SCOPED_TRACE("threads " + std::to_string(threads) + ", window " + std::to_string(window));
      int fds[2];
      ASSERT_EQ(pipe(fds), 0);
      const int saved = dup(STDIN_FILENO);
      ASSERT_EQ(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
      close(fds[0]);
      std::thread writer([&] {
        for (size_t off = 0; off < list.size();) {
          const ssize_t n = write(fds[1], list.data() + off, list.size() - off);
          if (n <= 0) break;
          off += static_cast<size_t>(n);
        }
        close(fds[1]);
      });
      const Scan streamed = RunPipeline({"-"}, threads, window, OutputFormat::kNdjson);
      writer.join();
      dup2(saved, STDIN_FILENO);
      close(saved);
      EXPECT_EQ(streamed.result.summary.errors, 43u);
      // Records name their source: the file's path, here <stdin>.
      std::string records = Records(streamed.out);
      std::string want = Records(expected.out);
      for (std::string* text : {&records, &want}) {
        *text = std::regex_replace(*text, std::regex(R"("source":"[^"]*")"), R"("source":"")");
      }
      EXPECT_EQ(records, want);
    }
  }
}

// The progress bar hears of each input from the output stage while the
// input stage already reads the next one; the TSan build watches this test.
TEST(Pipeline, ProgressAcrossInputsLeavesTheOutputAlone) {
  TempDir dir;
  std::vector<std::string> files;
  files.reserve(4);
  for (int i = 0; i < 4; ++i) {
    files.push_back(dir.Write("p" + std::to_string(i) + ".json", Dump(40, i % 2 == 1)));
  }
  const Scan quiet = RunPipeline(files, 2, 512, OutputFormat::kText);
  const Scan shown = RunPipeline(files, 2, 512, OutputFormat::kText, ProgressMode::kAlways);
  EXPECT_EQ(shown.out, quiet.out);
  EXPECT_EQ(shown.result.summary.objects, 160u);
}

TEST(Pipeline, CompressedInputsGiveTheSameOutput) {
  TempDir dir;
  const std::string plain = Dump(120, true);
  const Scan reference = RunPipeline({dir.Write("p.json", plain)}, 2, 0, OutputFormat::kNdjson);
  const Scan gz = RunPipeline({dir.Write("p.json.gz", Gzip(plain))}, 2, 0, OutputFormat::kNdjson);
  const Scan zst = RunPipeline({dir.Write("p.json.zst", Zstd(plain))}, 2, 0, OutputFormat::kNdjson);
  auto body = [](const std::string& s) {
    // Records name their source file; compare everything but that and the timing summary.
    std::string out;
    size_t pos = 0;
    while (pos < s.size()) {
      const size_t eol = s.find('\n', pos);
      std::string line = s.substr(pos, eol - pos);
      pos = eol == std::string::npos ? s.size() : eol + 1;
      if (line.find("\"type\":\"summary\"") != std::string::npos) continue;
      const size_t src = line.find("\"source\":");
      if (src != std::string::npos) line = line.substr(0, src);
      out += line + "\n";
    }
    return out;
  };
  EXPECT_GT(reference.result.summary.violations, 100u);
  EXPECT_EQ(body(gz.out), body(reference.out));
  EXPECT_EQ(body(zst.out), body(reference.out));
}

TEST(Pipeline, ErrorsKeepTheirPlaceAndTheScanGoesOn) {
  TempDir dir;
  const std::string pod =
      R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"N","namespace":"d"},"spec":{"containers":[{"name":"c","image":"quay.io/x"}]}})";
  std::string input;
  for (const char* n : {"a", "b"})
    input += std::regex_replace(pod, std::regex("\"N\""), std::string("\"") + n + "\"") + "\n";
  input += "{\"kind\":\"Pod\",\"spec\":{\"containers\":[{\"name\":1,}]}}\n";
  input += std::regex_replace(pod, std::regex("\"N\""), "\"c\"") + "\n";
  const Scan s = RunPipeline({dir.Write("e.ndjson", input)}, 2, 16, OutputFormat::kNdjson);
  EXPECT_EQ(s.result.exit_code(), kExitError);
  const size_t a = s.out.find("\"name\":\"a\""), err = s.out.find("\"type\":\"error\""),
               c = s.out.find("\"name\":\"c\"");
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(err, std::string::npos);
  ASSERT_NE(c, std::string::npos);
  EXPECT_LT(a, err);
  EXPECT_LT(err, c);
}

}  // namespace
}  // namespace gatescan
