// framer_bench.cc — throughput of the framer on a kubectl-like dump.
//
// A synthetic 64 MiB `kubectl get pods -A -o json` list (4-space indent,
// ~15 KB pods with a last-applied-configuration annotation full of escaped
// quotes) is framed from memory, reusing one batch as the pipeline does. The
// span count is checked before anything is timed.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <string_view>

#include "gatescan/input/framer.h"

namespace gatescan {
namespace {

std::string Indent(int n) { return std::string(n, ' '); }

std::string SyntheticPod(int i) {
  const std::string in = Indent(12), in2 = Indent(16), in3 = Indent(20), in4 = Indent(24);
  std::string name = "web-" + std::to_string(i) + "-7d9c8b6f5-x2k4p";
  std::string p = Indent(8) + "{\n";
  p += in + "\"apiVersion\": \"v1\",\n" + in + "\"kind\": \"Pod\",\n";
  p += in + "\"metadata\": {\n";
  p += in2 + "\"annotations\": {\n";
  p += in3 +
       "\"kubectl.kubernetes.io/last-applied-configuration\": \"{\\\"apiVersion\\\":\\\"v1\\\","
       "\\\"kind\\\":\\\"Pod\\\",\\\"metadata\\\":{\\\"annotations\\\":{},\\\"name\\\":\\\"" +
       name +
       "\\\"},\\\"spec\\\":{\\\"containers\\\":[{\\\"image\\\":\\\"nginx:1.25\\\",\\\"name\\\":"
       "\\\"web\\\"}]}}\\n\"\n";
  p += in2 + "},\n";
  p += in2 + "\"labels\": {\n" + in3 + "\"app\": \"web\",\n" + in3 +
       "\"pod-template-hash\": \"7d9c8b6f5\"\n" + in2 + "},\n";
  p += in2 + "\"name\": \"" + name + "\",\n" + in2 + "\"namespace\": \"team-" +
       std::to_string(i % 50) + "\",\n";
  p += in2 + "\"uid\": \"3ea3ef66-5f89-43b7-b88b-6ee26f5b18a4\"\n" + in + "},\n";
  p += in + "\"spec\": {\n" + in2 + "\"containers\": [\n";
  for (int c = 0; c < 3; ++c) {
    p += in3 + "{\n" + in4 + "\"env\": [\n";
    for (int e = 0; e < 25; ++e) {
      p += in4 + "    {\n" + in4 + "        \"name\": \"VAR_" + std::to_string(e) + "\",\n" + in4 +
           "        \"value\": \"value with \\\"quotes\\\" and \\\\ [brackets] {" +
           std::to_string(e) + "}\"\n" + in4 + "    },\n";
    }
    p += in4 + "    {\"name\": \"LAST\", \"value\": \"x\"}\n" + in4 + "],\n";
    p += in4 + "\"image\": \"registry.example.com/team/app-" + std::to_string(c) + ":v1.2.3\",\n";
    p += in4 + "\"imagePullPolicy\": \"IfNotPresent\",\n";
    p += in4 + "\"name\": \"c" + std::to_string(c) + "\",\n";
    p += in4 + "\"resources\": {\"limits\": {\"cpu\": \"500m\", \"memory\": \"128Mi\"}},\n";
    p += in4 + "\"terminationMessagePath\": \"/dev/termination-log\"\n";
    p += in3 + (c < 2 ? "},\n" : "}\n");
  }
  p +=
      in2 + "],\n" + in2 + "\"nodeName\": \"node-" + std::to_string(i % 100) + "\"\n" + in + "},\n";
  p += in + "\"status\": {\n" + in2 + "\"conditions\": [\n";
  for (int k = 0; k < 4; ++k) {
    p += in3 + "{\n" + in4 + "\"lastTransitionTime\": \"2024-01-01T00:00:00Z\",\n" + in4 +
         "\"status\": \"True\",\n" + in4 + "\"type\": \"Ready\"\n" + in3 + (k < 3 ? "},\n" : "}\n");
  }
  p += in2 + "],\n" + in2 + "\"phase\": \"Running\"\n" + in + "}\n" + Indent(8) + "}";
  return p;
}

struct Dump {
  std::string bytes;
  size_t pods = 0;
};

const Dump& KubectlDump() {
  static const Dump dump = [] {
    Dump d;
    d.bytes = "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n";
    while (d.bytes.size() < (64u << 20)) {
      if (d.pods > 0) d.bytes += ",\n";
      d.bytes += SyntheticPod(static_cast<int>(d.pods++));
    }
    d.bytes +=
        "\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": "
        "\"\"\n    }\n}\n";
    return d;
  }();
  return dump;
}

// Serves a string without copying it up front (the copy into the batch is
// part of what is measured, as read(2) would be).
class ViewSource : public ByteSource {
 public:
  explicit ViewSource(std::string_view bytes) : bytes_(bytes) {}
  size_t Read(char* dst, size_t capacity, Status*) override {
    size_t n = std::min(capacity, bytes_.size() - pos_);
    std::memcpy(dst, bytes_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

size_t FrameDump(const Dump& dump, FramedBatch* batch) {
  static const InputSpec kInput{"bench", "bench"};
  Framer framer(kInput, std::make_unique<ViewSource>(dump.bytes), FramerOptions{});
  size_t spans = 0;
  while (framer.Next(batch)) {
    spans += batch->spans.size();
    if (!batch->errors.empty()) return 0;
  }
  return spans;
}

void BM_FramerKubectlList(benchmark::State& state) {
  const Dump& dump = KubectlDump();
  FramedBatch batch;
  size_t spans = FrameDump(dump, &batch);
  if (spans != dump.pods) {
    state.SkipWithError("framer returned the wrong number of objects");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(FrameDump(dump, &batch));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * dump.bytes.size()));
  state.counters["pod_bytes"] = static_cast<double>(dump.bytes.size()) / dump.pods;
}
BENCHMARK(BM_FramerKubectlList)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same bytes as NDJSON: one compact-ish value per line.
void BM_FramerNdjson(benchmark::State& state) {
  static const Dump ndjson = [] {
    Dump d;
    while (d.bytes.size() < (64u << 20)) {
      d.bytes += SyntheticPod(static_cast<int>(d.pods++));
      d.bytes += "\n";
    }
    return d;
  }();
  FramedBatch batch;
  if (FrameDump(ndjson, &batch) != ndjson.pods) {
    state.SkipWithError("framer returned the wrong number of objects");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(FrameDump(ndjson, &batch));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * ndjson.bytes.size()));
}
BENCHMARK(BM_FramerNdjson)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace gatescan
