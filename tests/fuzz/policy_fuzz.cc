// libFuzzer target: the policy loader (YAML/JSON, Rego recognition, schema
// checks) and the YAML-to-JSON converter over arbitrary bytes.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "gatescan/input/yaml_json.h"
#include "gatescan/policy/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gatescan;
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> docs;
  (void)YamlToJsonDocuments(text, &docs);

  static const std::string path = "/tmp/gatescan-policy-fuzz-" + std::to_string(getpid()) + ".yaml";
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  Policy policy;
  PolicyOptions options;
  options.paths = {path};
  (void)LoadPolicy(options, &policy);
  return 0;
}
