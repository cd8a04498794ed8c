// extract_bench.cc — throughput of the extractor on one kubectl-shaped pod.
//
// A ~15 KB pod in `kubectl get -o json` layout (nested 8 spaces deep inside a
// List, a last-applied-configuration annotation full of escaped quotes, three
// containers with env lists, status conditions) is extracted over and over
// with one Extractor and one recycled batch, as a pipeline worker does; with
// and without full validation, with pod templates, and with the managedFields
// a real dump carries (mostly `"f:name": {}`, all skipped). The container
// count is checked before anything is timed.
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "gatescan/common/padding.h"
#include "gatescan/extract/extract.h"

namespace gatescan {
namespace {

std::string Pad(int n) { return std::string(static_cast<size_t>(n), ' '); }

// managedFields as the API server writes them: one entry per manager, each a
// tree of `"f:field": {}` leaves.
std::string ManagedFields(const std::string& indent) {
  const std::string a = indent + Pad(4), b = a + Pad(4), c = b + Pad(4), d = c + Pad(4);
  std::string p = indent + "\"managedFields\": [\n";
  for (int m = 0; m < 3; ++m) {
    p += a + "{\n" + b + "\"apiVersion\": \"v1\",\n" + b + "\"fieldsType\": \"FieldsV1\",\n";
    p += b + "\"fieldsV1\": {\n" + c + "\"f:metadata\": {\n" + d + "\"f:labels\": {\n" + d +
         "    \".\": {},\n" + d + "    \"f:app\": {},\n" + d + "    \"f:pod-template-hash\": {}\n" +
         d + "},\n" + d + "\"f:ownerReferences\": {\n" + d + "    \".\": {},\n" + d +
         "    \"k:{\\\"uid\\\":\\\"3ea3ef66\\\"}\": {}\n" + d + "}\n" + c + "},\n";
    p += c + "\"f:spec\": {\n" + d + "\"f:containers\": {\n";
    for (int k = 0; k < 3; ++k) {
      p += d + "    \"k:{\\\"name\\\":\\\"c" + std::to_string(k) + "\\\"}\": {\n";
      for (const char* f : {".", "f:env", "f:image", "f:imagePullPolicy", "f:name", "f:ports",
                            "f:resources", "f:terminationMessagePath"}) {
        p += d + "        \"" + f + "\": {},\n";
      }
      p +=
          d + "        \"f:terminationMessagePolicy\": {}\n" + d + (k < 2 ? "    },\n" : "    }\n");
    }
    p += d + "},\n" + d + "\"f:dnsPolicy\": {},\n" + d +
         "\"f:terminationGracePeriodSeconds\": {}\n" + c + "}\n" + b + "},\n";
    p += b + "\"manager\": \"kube-controller-manager\",\n" + b + "\"operation\": \"Update\",\n" +
         b + "\"time\": \"2024-05-01T10:00:00Z\"\n" + a + (m < 2 ? "},\n" : "}\n");
  }
  return p + indent + "],\n";
}

std::string KubectlPod(bool managed_fields) {
  const std::string a = Pad(12), b = Pad(16), c = Pad(20), d = Pad(24), e = Pad(28);
  std::string p = Pad(8) + "{\n";
  p += a + "\"apiVersion\": \"v1\",\n" + a + "\"kind\": \"Pod\",\n" + a + "\"metadata\": {\n";
  p += b + "\"annotations\": {\n" + c +
       "\"kubectl.kubernetes.io/last-applied-configuration\": \"{\\\"apiVersion\\\":\\\"v1\\\","
       "\\\"kind\\\":\\\"Pod\\\",\\\"metadata\\\":{\\\"name\\\":\\\"web\\\"},\\\"spec\\\":"
       "{\\\"containers\\\":[{\\\"image\\\":\\\"nginx:1.25\\\",\\\"name\\\":\\\"web\\\"}]}}\\n\"\n";
  p += b + "},\n" + b + "\"creationTimestamp\": \"2024-05-01T10:00:00Z\",\n";
  p += b + "\"labels\": {\n" + c + "\"app\": \"web\",\n" + c +
       "\"pod-template-hash\": \"7d9c8b6f5\"\n" + b + "},\n";
  if (managed_fields) p += ManagedFields(b);
  p += b + "\"name\": \"web-7d9c8b6f5-x2k4p\",\n" + b + "\"namespace\": \"prod\",\n";
  p += b +
       "\"ownerReferences\": [{\"apiVersion\": \"apps/v1\", \"blockOwnerDeletion\": true, "
       "\"controller\": true, \"kind\": \"ReplicaSet\", \"name\": \"web-7d9c8b6f5\"}],\n";
  p += b + "\"resourceVersion\": \"123456\",\n" + b + "\"uid\": \"3ea3ef66-5f89-43b7-b88b\"\n" + a +
       "},\n";
  p += a + "\"spec\": {\n" + b + "\"containers\": [\n";
  for (int k = 0; k < 3; ++k) {
    p += c + "{\n" + d + "\"env\": [\n";
    for (int v = 0; v < 20; ++v) {
      p += e + "{\n" + e + "    \"name\": \"VAR_" + std::to_string(v) + "\",\n" + e +
           "    \"value\": \"some configuration value " + std::to_string(v) + "\"\n" + e +
           (v < 19 ? "},\n" : "}\n");
    }
    p += d + "],\n";
    p += d + "\"image\": \"registry.example.com/team/app-" + std::to_string(k) + ":v1.2.3\",\n";
    p += d + "\"imagePullPolicy\": \"IfNotPresent\",\n" + d + "\"name\": \"c" + std::to_string(k) +
         "\",\n";
    p += d + "\"ports\": [{\"containerPort\": 8080, \"protocol\": \"TCP\"}],\n";
    p += d + "\"resources\": {\"limits\": {\"cpu\": \"500m\", \"memory\": \"128Mi\"}},\n";
    p +=
        d + "\"terminationMessagePath\": \"/dev/termination-log\"\n" + c + (k < 2 ? "},\n" : "}\n");
  }
  p += b + "],\n" + b + "\"dnsPolicy\": \"ClusterFirst\",\n" + b + "\"nodeName\": \"node-7\",\n";
  p += b + "\"terminationGracePeriodSeconds\": 30\n" + a + "},\n";
  p += a + "\"status\": {\n" + b + "\"conditions\": [\n";
  for (int k = 0; k < 4; ++k) {
    p += c + "{\n" + d + "\"lastProbeTime\": null,\n" + d +
         "\"lastTransitionTime\": \"2024-05-01T10:00:05Z\",\n" + d + "\"status\": \"True\",\n" + d +
         "\"type\": \"Ready\"\n" + c + (k < 3 ? "},\n" : "}\n");
  }
  p += b + "],\n" + b + "\"phase\": \"Running\",\n" + b + "\"podIP\": \"10.0.0.12\",\n" + b +
       "\"startTime\": \"2024-05-01T10:00:00Z\"\n" + a + "}\n" + Pad(8) + "}";
  return p;
}

void BM_ExtractPod(benchmark::State& state) {
  ExtractOptions options;
  options.validate = state.range(0) != 0;
  options.pod_templates = state.range(1) != 0;
  std::string buffer = KubectlPod(state.range(2) != 0);
  const size_t size = buffer.size();
  buffer.append(kParsePadding, ' ');
  const std::string_view json(buffer.data(), size);

  Extractor extractor(options);
  ExtractedBatch batch;
  extractor.Extract(json, &batch);
  const ObjectRecord& check = batch.objects.back();
  if (!check.error.empty() || check.containers.size() != 3 || check.name != "web-7d9c8b6f5-x2k4p") {
    state.SkipWithError("extractor read the pod wrongly");
    return;
  }
  int64_t n = 0;
  for (auto _ : state) {
    if ((n++ & 63) == 0) batch.Clear();
    extractor.Extract(json, &batch);
    benchmark::DoNotOptimize(batch.objects.back().containers);
  }
  state.SetBytesProcessed(n * static_cast<int64_t>(size));
  state.counters["pod_bytes"] = static_cast<double>(size);
}
BENCHMARK(BM_ExtractPod)
    ->ArgNames({"validate", "templates", "managed_fields"})
    ->Args({1, 0, 0})
    ->Args({0, 0, 0})
    ->Args({1, 1, 0})
    ->Args({1, 0, 1});

}  // namespace
}  // namespace gatescan
