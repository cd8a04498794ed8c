// extract_test.cc — the extractor against hand-written objects, Go/OPA
// rendering rules, malformed input and the real-world corpus.
#include "gatescan/extract/extract.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "gatescan/common/padding.h"
#include "test_support.h"

namespace gatescan {
namespace {

// One extracted object, with its ranges resolved into plain values.
struct Result {
  ObjectRecord record;
  std::vector<ContainerRef> containers;
  std::vector<ContainerRef> template_containers;
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<std::pair<std::string, std::string>> template_labels;
  std::vector<std::pair<std::string, std::string>> job_template_labels;
};

std::vector<std::pair<std::string, std::string>> LabelsOf(const ExtractedBatch& b, IndexRange r) {
  std::vector<std::pair<std::string, std::string>> out;
  for (uint32_t i = r.begin; i < r.end; ++i) {
    out.emplace_back(std::string(b.labels[i].key), std::string(b.labels[i].value));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Extracts `json` from a buffer padded with garbage, as the framer hands it.
Result ExtractWith(Extractor& extractor, std::string_view json, ExtractedBatch* batch) {
  std::string buffer(json);
  buffer.append(kParsePadding, '}');
  extractor.Extract(std::string_view(buffer.data(), json.size()), batch);
  buffer.assign(buffer.size(), '#');  // the record must not point into the input
  Result r;
  r.record = batch->objects.back();
  const ObjectRecord& rec = r.record;
  for (uint32_t i = rec.containers.begin; i < rec.containers.end; ++i) {
    r.containers.push_back(batch->containers[i]);
  }
  for (uint32_t i = rec.template_containers.begin; i < rec.template_containers.end; ++i) {
    r.template_containers.push_back(batch->containers[i]);
  }
  r.labels = LabelsOf(*batch, rec.labels);
  r.template_labels = LabelsOf(*batch, rec.template_labels);
  r.job_template_labels = LabelsOf(*batch, rec.job_template_labels);
  return r;
}

// When the caller keeps the input as long as the batch (the pipeline),
// strings read in place are left there, and decoded ones (escapes) are
// copied: the next object reuses the buffer they were decoded into.
TEST(ExtractInPlaceTest, PlainStringsStayInTheInputAndDecodedOnesAreCopied) {
  ExtractOptions options;
  options.owners = true;
  options.pod_templates = true;
  Extractor extractor(options);
  ExtractedBatch batch;
  auto object = [](const std::string& tag) {
    return R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"n-)" + tag +
           R"(\u00e9","namespace":"ns-)" + tag + R"(","labels":{"k\n)" + tag + R"(":"v-)" + tag +
           R"("},"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"rs-)" +
           tag + R"(","uid":"u\/)" + tag +
           R"(","controller":true}]},"spec":{"containers":[{"name":"c-)" + tag +
           R"(","image":"i\"mg-)" + tag + R"("}],"template":{"metadata":{"labels":{"t":"tv-)" +
           tag + R"("}},"spec":{"containers":[{"name":"tc","image":"timg-)" + tag + R"("}]}}}})";
  };
  std::vector<std::string> inputs;
  for (const char* tag : {"one", "two"})
    inputs.push_back(object(tag) + std::string(kParsePadding, '}'));
  for (std::string& input : inputs) {
    extractor.Extract(std::string_view(input.data(), input.size() - kParsePadding), &batch, nullptr,
                      /*json_outlives_out=*/true);
  }
  ASSERT_EQ(batch.objects.size(), 2u);
  const ObjectRecord& first = batch.objects[0];
  ASSERT_TRUE(first.error.empty()) << first.error;
  auto in_input = [&](std::string_view s) {
    return s.data() >= inputs[0].data() &&
           s.data() + s.size() <= inputs[0].data() + inputs[0].size();
  };
  EXPECT_EQ(first.name, "n-one\xc3\xa9");
  EXPECT_FALSE(in_input(first.name));
  EXPECT_EQ(first.ns, "ns-one");
  EXPECT_TRUE(in_input(first.ns));
  EXPECT_TRUE(in_input(first.kind));
  EXPECT_EQ(LabelsOf(batch, first.labels),
            (std::vector<std::pair<std::string, std::string>>{{"k\none", "v-one"}}));
  EXPECT_TRUE(in_input(batch.labels[first.labels.begin].value));
  const OwnerReference& owner = batch.owner_references[first.owner_references.begin];
  EXPECT_EQ(owner.name, "rs-one");
  EXPECT_TRUE(in_input(owner.name));
  EXPECT_EQ(owner.uid, "u/one");
  const ContainerRef& container = batch.containers[first.containers.begin];
  EXPECT_EQ(container.name, "c-one");
  EXPECT_TRUE(in_input(container.name));
  EXPECT_EQ(container.image, "i\"mg-one");
  EXPECT_EQ(LabelsOf(batch, first.template_labels),
            (std::vector<std::pair<std::string, std::string>>{{"t", "tv-one"}}));
  EXPECT_EQ(batch.containers[first.template_containers.begin].image, "timg-one");
  EXPECT_EQ(batch.objects[1].name, "n-two\xc3\xa9");
}

class ExtractTest : public ::testing::Test {
 protected:
  // One Extractor per option set, reused as a pipeline worker reuses it.
  Result Extract(std::string_view json, const ExtractOptions& options = {}) {
    auto& extractor = extractors_[options.pod_templates][options.owners][options.validate];
    if (extractor == nullptr) extractor = std::make_unique<Extractor>(options);
    return ExtractWith(*extractor, json, &batch_);
  }

  // The image of the single container of a pod whose container is `fields`.
  std::string ImageOf(const std::string& image_json) {
    Result r = Extract(R"({"spec":{"containers":[{"name":"c","image":)" + image_json + "}]}}");
    EXPECT_EQ(r.record.error, "") << image_json;
    if (r.containers.size() != 1) return "<no container>";
    EXPECT_FALSE(r.containers[0].image_is_string) << image_json;
    return std::string(r.containers[0].image);
  }

  ExtractedBatch batch_;
  std::unique_ptr<Extractor> extractors_[2][2][2];
};

using Pairs = std::vector<std::pair<std::string, std::string>>;

std::vector<std::string> Images(const std::vector<ContainerRef>& cs) {
  std::vector<std::string> out;
  out.reserve(cs.size());
  for (const auto& c : cs) out.emplace_back(c.image);
  return out;
}

std::vector<std::string> Names(const std::vector<ContainerRef>& cs) {
  std::vector<std::string> out;
  out.reserve(cs.size());
  for (const auto& c : cs) out.emplace_back(c.name);
  return out;
}

constexpr std::string_view kPod = R"({
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "web", "namespace": "prod", "labels": {"app": "web", "tier": "fe"}},
  "spec": {
    "initContainers": [{"name": "init", "image": "busybox:1.28"}],
    "containers": [{"name": "app", "image": "nginx:1.25"}, {"image": "sidecar:1", "name": "side"}],
    "ephemeralContainers": [{"name": "dbg", "image": "debug:1"}]
  },
  "status": {"phase": "Running", "containerStatuses": [{"image": "not-a-container"}]}
})";

TEST_F(ExtractTest, ReadsAPodInListOrder) {
  Result r = Extract(kPod);
  EXPECT_EQ(r.record.error, "");
  EXPECT_EQ(r.record.api_version, "v1");
  EXPECT_EQ(r.record.kind, "Pod");
  EXPECT_TRUE(r.record.has_kind);
  EXPECT_TRUE(r.record.has_api_version);
  EXPECT_EQ(r.record.name, "web");
  EXPECT_EQ(r.record.ns, "prod");
  EXPECT_EQ(r.labels, (Pairs{{"app", "web"}, {"tier", "fe"}}));
  // containers, then initContainers, then ephemeralContainers, whatever the key order.
  EXPECT_EQ(Images(r.containers),
            (std::vector<std::string>{"nginx:1.25", "sidecar:1", "busybox:1.28", "debug:1"}));
  EXPECT_EQ(Names(r.containers), (std::vector<std::string>{"app", "side", "init", "dbg"}));
  ASSERT_EQ(r.containers.size(), 4u);
  EXPECT_EQ(r.containers[0].list, ContainerList::kContainers);
  EXPECT_EQ(r.containers[2].list, ContainerList::kInitContainers);
  EXPECT_EQ(r.containers[3].list, ContainerList::kEphemeralContainers);
  EXPECT_TRUE(r.containers[0].image_is_string);
  EXPECT_EQ(r.record.template_path, PodTemplatePath::kNone);
}

TEST_F(ExtractTest, ContainerListFieldNames) {
  EXPECT_EQ(ContainerListField(ContainerList::kContainers), "containers");
  EXPECT_EQ(ContainerListField(ContainerList::kInitContainers), "initContainers");
  EXPECT_EQ(ContainerListField(ContainerList::kEphemeralContainers), "ephemeralContainers");
}

TEST_F(ExtractTest, KeyOrderPermutations) {
  std::vector<std::string> fields = {
      R"("kind":"Pod")", R"("apiVersion":"v1")",
      R"("metadata":{"namespace":"ns","labels":{"a":"1"},"name":"n"})",
      R"("spec":{"containers":[{"image":"i","name":"c"}]})", R"("status":{"x":[1,{"y":null}]})"};
  std::sort(fields.begin(), fields.end());
  int permutations = 0;
  do {
    std::string json = "{";
    for (size_t i = 0; i < fields.size(); ++i) json += (i ? "," : "") + fields[i];
    json += "}";
    Result r = Extract(json);
    ASSERT_EQ(r.record.error, "") << json;
    EXPECT_EQ(r.record.kind, "Pod");
    EXPECT_EQ(r.record.api_version, "v1");
    EXPECT_EQ(r.record.name, "n");
    EXPECT_EQ(r.record.ns, "ns");
    EXPECT_EQ(r.labels, (Pairs{{"a", "1"}}));
    EXPECT_EQ(Images(r.containers), std::vector<std::string>{"i"});
    ++permutations;
  } while (std::next_permutation(fields.begin(), fields.end()));
  EXPECT_EQ(permutations, 120);
}

TEST_F(ExtractTest, WhitespaceLayouts) {
  std::string compact =
      R"({"kind":"Pod","metadata":{"name":"n","labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}})";
  std::string four_space =
      "{\n    \"kind\": \"Pod\",\n    \"metadata\": {\n        \"name\": \"n\",\n        "
      "\"labels\": "
      "{\n            \"a\": \"b\"\n        }\n    },\n    \"spec\": {\n        \"containers\": "
      "[\n   "
      "         {\n                \"name\": \"c\",\n                \"image\": \"i\"\n            "
      "}\n        ]\n    }\n}\n";
  std::string tabs;  // every 4-space indent step as one tab
  for (size_t i = 0; i < four_space.size();) {
    if (four_space.compare(i, 4, "    ") == 0) {
      tabs += '\t';
      i += 4;
    } else {
      tabs += four_space[i++];
    }
  }
  std::string crlf;
  for (char c : four_space) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  std::string padded = "  \r\n\t";
  padded.append(compact).append(" \n");
  for (const std::string& json : {compact, four_space, tabs, crlf, padded}) {
    Result r = Extract(json);
    ASSERT_EQ(r.record.error, "") << json;
    EXPECT_EQ(r.record.kind, "Pod");
    EXPECT_EQ(r.record.name, "n");
    EXPECT_EQ(r.labels, (Pairs{{"a", "b"}}));
    EXPECT_EQ(Images(r.containers), std::vector<std::string>{"i"});
  }
}

TEST_F(ExtractTest, DuplicateSpecLastWins) {
  Result r = Extract(R"({"spec":{"containers":[{"name":"a","image":"first"}]},"kind":"Pod",)"
                     R"("spec":{"initContainers":[{"name":"b","image":"second"}]}})");
  EXPECT_EQ(r.record.error, "");
  EXPECT_EQ(Images(r.containers), std::vector<std::string>{"second"});
  EXPECT_EQ(r.containers[0].list, ContainerList::kInitContainers);

  // A later non-object spec wipes the earlier one.
  r = Extract(R"({"spec":{"containers":[{"name":"a","image":"x"}]},"spec":null})");
  EXPECT_EQ(r.record.error, "");
  EXPECT_TRUE(r.containers.empty());
}

TEST_F(ExtractTest, DuplicateContainersLastWins) {
  Result r =
      Extract(R"({"spec":{"containers":[{"name":"a","image":"one"},{"name":"b","image":"two"}],)"
              R"("initContainers":[{"name":"i","image":"init"}],)"
              R"("containers":[{"name":"c","image":"three"}]}})");
  EXPECT_EQ(Images(r.containers), (std::vector<std::string>{"three", "init"}));
}

TEST_F(ExtractTest, DuplicateImageAndNameLastWins) {
  Result r = Extract(
      R"({"spec":{"containers":[{"name":"a","image":"allowed/x","name":"b","image":"evil/y"}]}})");
  ASSERT_EQ(r.containers.size(), 1u);
  EXPECT_EQ(r.containers[0].image, "evil/y");
  EXPECT_EQ(r.containers[0].name, "b");
  EXPECT_TRUE(r.containers[0].image_is_string);

  r = Extract(R"({"spec":{"containers":[{"name":"a","image":"ok","image":7}]}})");
  ASSERT_EQ(r.containers.size(), 1u);
  EXPECT_EQ(r.containers[0].image, "7");
  EXPECT_FALSE(r.containers[0].image_is_string);
}

TEST_F(ExtractTest, DuplicateMetadataAndLabelsLastWins) {
  Result r = Extract(R"({"metadata":{"name":"old","namespace":"ns1","labels":{"a":"1"}},)"
                     R"("metadata":{"name":"new","labels":{"b":"2"}}})");
  EXPECT_EQ(r.record.name, "new");
  EXPECT_EQ(r.record.ns, "");  // the last metadata has no namespace
  EXPECT_EQ(r.labels, (Pairs{{"b", "2"}}));

  r = Extract(R"({"metadata":{"labels":{"a":"1","b":"x"},"labels":{"c":"3"}}})");
  EXPECT_EQ(r.labels, (Pairs{{"c", "3"}}));

  r = Extract(R"({"metadata":{"labels":{"a":"1","b":"2","a":"3","b":"x","d":"4"}}})");
  EXPECT_EQ(r.labels, (Pairs{{"a", "3"}, {"b", "x"}, {"d", "4"}}));

  r = Extract(R"({"kind":"Pod","kind":5,"apiVersion":7,"apiVersion":"v1"})");
  EXPECT_FALSE(r.record.has_kind);
  EXPECT_EQ(r.record.kind, "");
  EXPECT_TRUE(r.record.has_api_version);
  EXPECT_EQ(r.record.api_version, "v1");
}

// Gatekeeper reads metadata.labels with unstructured's GetLabels
// (NestedStringMap): one value that is not a string, after duplicates are
// resolved, and the object has no labels at all.
TEST_F(ExtractTest, LabelsWithANonStringValueReadAsNoLabels) {
  for (std::string_view value :
       {"null", "1", "1.5", "true", "{}", "[]", R"({"a":"b"})", R"(["x"])"}) {
    const std::string labels =
        R"({"app":"web",)" + std::string(R"("bad":)") + std::string(value) + R"(,"tier":"fe"})";
    Result r = Extract(R"({"kind":"Pod","metadata":{"name":"p","labels":)" + labels + "}}");
    EXPECT_EQ(r.record.error, "") << value;
    EXPECT_TRUE(r.labels.empty()) << value;
    r = Extract(R"({"kind":"Deployment","spec":{"template":{"metadata":{"labels":)" + labels +
                    R"(},"spec":{"containers":[{"name":"c","image":"i"}]}}}})",
                ExtractOptions{true});
    EXPECT_TRUE(r.template_labels.empty()) << value;
    EXPECT_EQ(r.template_containers.size(), 1u);
    r = Extract(R"({"kind":"CronJob","spec":{"jobTemplate":{"metadata":{"labels":)" + labels +
                    R"(},"spec":{"template":{"metadata":{"labels":)" + labels + "}}}}}}",
                ExtractOptions{true});
    EXPECT_TRUE(r.job_template_labels.empty()) << value;
    EXPECT_TRUE(r.template_labels.empty()) << value;
  }
  // Duplicates are resolved first: a non-string overwritten by a string is fine,
  // a string overwritten by a non-string is not.
  Result r = Extract(R"({"metadata":{"labels":{"a":1,"b":"2","a":"3"}}})");
  EXPECT_EQ(r.labels, (Pairs{{"a", "3"}, {"b", "2"}}));
  r = Extract(R"({"metadata":{"labels":{"a":"1","b":"2","a":null}}})");
  EXPECT_TRUE(r.labels.empty());
  // The label map itself not being an object was already "no labels".
  r = Extract(R"({"metadata":{"labels":null}})");
  EXPECT_TRUE(r.labels.empty());
  // Only the last labels key counts: an earlier bad map is forgotten.
  r = Extract(R"({"metadata":{"labels":{"a":1},"labels":{"b":"2"}}})");
  EXPECT_EQ(r.labels, (Pairs{{"b", "2"}}));
  r = Extract(R"({"metadata":{"labels":{"b":"2"},"labels":{"a":1}}})");
  EXPECT_TRUE(r.labels.empty());
}

// Randomized differential test: label maps with mixed values and duplicate
// keys, against a reference that works on the generator's own description of
// the map (no JSON parsing): the last value of each key wins; any remaining
// non-string value means no labels.
TEST_F(ExtractTest, LabelsDifferentialAgainstGatekeeperRule) {
  std::mt19937 rng(13);
  const std::string_view keys[] = {"app", "tier", "pod-template-hash", "k\\u0031", "a/b", ""};
  const std::string_view decoded_keys[] = {"app", "tier", "pod-template-hash", "k1", "a/b", ""};
  const std::string_view non_strings[] = {"null",         "0",  "-2.5e3",  "true", "false", "{}",
                                          R"({"x":"y"})", "[]", R"(["v"])"};
  for (int round = 0; round < 3000; ++round) {
    std::string json = "{";
    std::vector<std::pair<std::string, std::optional<std::string>>> last;  // in first-seen order
    const int n = static_cast<int>(rng() % 7);
    for (int i = 0; i < n; ++i) {
      const size_t k = rng() % std::size(keys);
      const bool is_string = rng() % 4 != 0;
      std::string value_json;
      std::optional<std::string> value;
      if (is_string) {
        value = "v" + std::to_string(rng() % 100);
        value_json = "\"" + *value + "\"";
      } else {
        value_json = std::string(non_strings[rng() % std::size(non_strings)]);
      }
      if (i > 0) json += rng() % 2 ? ", " : ",";
      json += "\"" + std::string(keys[k]) + "\":" + (rng() % 2 ? " " : "") + value_json;
      const std::string key(decoded_keys[k]);
      auto it =
          std::find_if(last.begin(), last.end(), [&](const auto& e) { return e.first == key; });
      if (it != last.end()) {
        it->second = value;
      } else {
        last.emplace_back(key, value);
      }
    }
    json += "}";
    Pairs want;
    bool all_strings = true;
    for (const auto& [key, value] : last) {
      if (!value) all_strings = false;
      if (value) want.emplace_back(key, *value);
    }
    if (!all_strings) want.clear();
    std::sort(want.begin(), want.end());
    const Result r =
        Extract(R"({"apiVersion":"v1","metadata":{"labels":)" + json +
                    R"(,"name":"p"},"spec":{"template":{"metadata":{"labels":)" + json + "}}}}",
                ExtractOptions{true});
    ASSERT_EQ(r.record.error, "") << json;
    ASSERT_EQ(r.labels, want) << json;
    ASSERT_EQ(r.template_labels, want) << json;
  }
}

TEST_F(ExtractTest, GenerateNameAndUid) {
  const ExtractOptions with_owners{.owners = true};
  Result r =
      Extract(R"({"kind":"Pod","metadata":{"generateName":"web-7d4b9c-","name":"web-7d4b9c-x2x",)"
              R"("uid":"3ea3ef66-1c0f-4c2e-9b0a-6a1f0d2f6e11","namespace":"prod"}})",
              with_owners);
  EXPECT_EQ(r.record.generate_name, "web-7d4b9c-");
  EXPECT_EQ(r.record.uid, "3ea3ef66-1c0f-4c2e-9b0a-6a1f0d2f6e11");
  EXPECT_EQ(r.record.name, "web-7d4b9c-x2x");
  // Not strings: "" (as name and namespace); duplicates: the last wins.
  r = Extract(R"({"metadata":{"generateName":5,"uid":null}})", with_owners);
  EXPECT_EQ(r.record.generate_name, "");
  EXPECT_EQ(r.record.uid, "");
  r = Extract(
      R"({"metadata":{"generateName":"a-","uid":"1","generateName":"b\u002d","uid":["x"]}})",
      with_owners);
  EXPECT_EQ(r.record.generate_name, "b-");
  EXPECT_EQ(r.record.uid, "");
  // A later metadata replaces the whole earlier one.
  r = Extract(R"({"metadata":{"generateName":"a-","uid":"1"},"metadata":{"name":"n"}})",
              with_owners);
  EXPECT_EQ(r.record.generate_name, "");
  EXPECT_EQ(r.record.uid, "");
  // A template's metadata is not the object's.
  r = Extract(R"({"kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"metadata":)"
              R"({"generateName":"t-","uid":"u","ownerReferences":[{"kind":"X","name":"y"}]}}}})",
              ExtractOptions{.pod_templates = true, .owners = true});
  EXPECT_EQ(r.record.generate_name, "");
  EXPECT_EQ(r.record.uid, "");
  EXPECT_TRUE(r.record.owner_references.empty());
  // Without ExtractOptions::owners, uid and ownerReferences are not read
  // (generateName always is: spec.match.name needs it).
  r = Extract(R"({"metadata":{"generateName":"g-","uid":"u","ownerReferences":[{"kind":"X"}]}})");
  EXPECT_EQ(r.record.generate_name, "g-");
  EXPECT_EQ(r.record.uid, "");
  EXPECT_TRUE(r.record.owner_references.empty());
}

std::vector<OwnerReference> OwnersOf(const ExtractedBatch& b, const ObjectRecord& rec) {
  return {b.owner_references.begin() + rec.owner_references.begin,
          b.owner_references.begin() + rec.owner_references.end};
}

TEST_F(ExtractTest, OwnerReferences) {
  const ExtractOptions with_owners{.owners = true};
  Result r =
      Extract(R"({"kind":"Pod","metadata":{"name":"p","ownerReferences":[)"
              R"({"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-7d4b9c","uid":"u1",)"
              R"("controller":true,"blockOwnerDeletion":true},)"
              R"({"kind":"Node","name":"n1","uid":"u2","controller":false,"extra":{"a":[1]}}]}})",
              with_owners);
  ASSERT_EQ(r.record.error, "");
  std::vector<OwnerReference> owners = OwnersOf(batch_, r.record);
  ASSERT_EQ(owners.size(), 2u);
  EXPECT_EQ(owners[0].api_version, "apps/v1");
  EXPECT_EQ(owners[0].kind, "ReplicaSet");
  EXPECT_EQ(owners[0].name, "web-7d4b9c");
  EXPECT_EQ(owners[0].uid, "u1");
  EXPECT_TRUE(owners[0].controller);
  EXPECT_EQ(owners[1].api_version, "");
  EXPECT_EQ(owners[1].kind, "Node");
  EXPECT_FALSE(owners[1].controller);

  // Fields that are not strings read as ""; controller only as the literal true.
  r = Extract(R"({"metadata":{"ownerReferences":[{"kind":7,"name":null,"uid":"u",)"
              R"("controller":"true"},{"controller":1},{"controller":true,"controller":false}]}})",
              with_owners);
  owners = OwnersOf(batch_, r.record);
  ASSERT_EQ(owners.size(), 3u);
  EXPECT_EQ(owners[0].kind, "");
  EXPECT_EQ(owners[0].name, "");
  EXPECT_EQ(owners[0].uid, "u");
  EXPECT_FALSE(owners[0].controller);
  EXPECT_FALSE(owners[1].controller);
  EXPECT_FALSE(owners[2].controller);

  // GetOwnerReferences: not an array, or any element not an object -> none.
  for (std::string_view field : {R"({"kind":"X"})", "null", R"("x")", R"([{"kind":"X"},"y"])",
                                 R"([{"kind":"X"},null])", "[]"}) {
    r = Extract(R"({"metadata":{"ownerReferences":)" + std::string(field) + "}}", with_owners);
    EXPECT_EQ(r.record.error, "") << field;
    EXPECT_TRUE(r.record.owner_references.empty()) << field;
    EXPECT_EQ(r.record.owner_references.begin, batch_.owner_references.size()) << field;
  }
  // The last ownerReferences key wins.
  r = Extract(R"({"metadata":{"ownerReferences":[{"kind":"A"}],"ownerReferences":[{"kind":"B"}]}})",
              with_owners);
  owners = OwnersOf(batch_, r.record);
  ASSERT_EQ(owners.size(), 1u);
  EXPECT_EQ(owners[0].kind, "B");
  // Malformed inside ownerReferences is still an error.
  r = Extract(R"({"metadata":{"ownerReferences":[{"kind":"A","x":[1 2]}]}})", with_owners);
  EXPECT_NE(r.record.error, "");
}

TEST_F(ExtractTest, OwnerReferencesOfABrokenObjectAreNotAppended) {
  const ExtractOptions with_owners{.owners = true};
  const size_t before = batch_.owner_references.size();
  Result r =
      Extract(R"({"metadata":{"ownerReferences":[{"kind":"A","name":"a"}]},"x":tru})", with_owners);
  EXPECT_NE(r.record.error, "");
  EXPECT_EQ(batch_.owner_references.size(), before);
}

TEST_F(ExtractTest, PodTemplateHashLabel) {
  Result r = Extract(R"({"metadata":{"labels":{"app":"web","pod-template-hash":"7d4b9c"}}})");
  EXPECT_EQ(r.record.pod_template_hash, "7d4b9c");
  r = Extract(R"({"metadata":{"labels":{"app":"web"}}})");
  EXPECT_EQ(r.record.pod_template_hash, "");
  r = Extract(R"({"metadata":{"labels":{"pod-template-hash":"a","pod-template-hash":"b"}}})");
  EXPECT_EQ(r.record.pod_template_hash, "b");
  // Labels Gatekeeper cannot read give no hash either.
  r = Extract(R"({"metadata":{"labels":{"pod-template-hash":"a","n":1}}})");
  EXPECT_EQ(r.record.pod_template_hash, "");
  // Escaped key.
  r = Extract(R"({"metadata":{"labels":{"pod-template-has\u0068":"c"}}})");
  EXPECT_EQ(r.record.pod_template_hash, "c");
}

TEST_F(ExtractTest, NonStringMetadataIgnored) {
  Result r = Extract(R"({"metadata":{"name":5,"namespace":["x"],"labels":["a"]}})");
  EXPECT_EQ(r.record.error, "");
  EXPECT_EQ(r.record.name, "");
  EXPECT_EQ(r.record.ns, "");
  EXPECT_TRUE(r.labels.empty());
}

TEST_F(ExtractTest, EscapesDecoded) {
  Result r = Extract(
      R"({"kind":"P\u006fd","metadata":{"name":"caf\u00e9","labels":{"k\"ey":"line\nbreak"}},)"
      R"("sp\u0065c":{"contain\u0065rs":[{"n\u0061me":"a\/b","image":"reg\/x\ud83d\ude00:1\"q\\"}]}})");
  EXPECT_EQ(r.record.error, "");
  EXPECT_EQ(r.record.kind, "Pod");
  EXPECT_EQ(r.record.name, "caf\xc3\xa9");
  EXPECT_EQ(r.labels, (Pairs{{"k\"ey", "line\nbreak"}}));
  ASSERT_EQ(r.containers.size(), 1u);
  EXPECT_EQ(r.containers[0].name, "a/b");
  EXPECT_EQ(r.containers[0].image, "reg/x\xf0\x9f\x98\x80:1\"q\\");
}

TEST_F(ExtractTest, LastAppliedConfigurationIsNotRead) {
  Result r = Extract(
      R"({"kind":"Pod","metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":)"
      R"("{\"spec\":{\"containers\":[{\"name\":\"decoy\",\"image\":\"evil\"}]}}\n"}},)"
      R"("spec":{"containers":[{"name":"real","image":"good"}]}})");
  EXPECT_EQ(r.record.error, "");
  EXPECT_EQ(Images(r.containers), std::vector<std::string>{"good"});
}

TEST_F(ExtractTest, ContainersAsObjectIterateValuesInKeyOrder) {
  Result r = Extract(
      R"({"spec":{"containers":{"z":{"name":"z","image":"iz"},"a":{"name":"a","image":"ia"},)"
      R"("m":{"name":"m","image":"im"},"m":"not-a-container"}}})");
  EXPECT_EQ(r.record.error, "");
  EXPECT_EQ(Images(r.containers), (std::vector<std::string>{"ia", "iz"}));
}

TEST_F(ExtractTest, NonObjectElementsAndIncompleteContainersYieldNothing) {
  Result r =
      Extract(R"({"spec":{"containers":["nginx",7,null,[{"name":"n","image":"nested"}],)"
              R"({"name":"noimage"},{"image":"noname"},{"name":"ok","image":"fine"},)"
              R"({"name":null,"image":null}],"initContainers":"x","ephemeralContainers":5}})");
  EXPECT_EQ(r.record.error, "");
  EXPECT_EQ(Images(r.containers), (std::vector<std::string>{"fine", "null"}));
  EXPECT_EQ(Names(r.containers), (std::vector<std::string>{"ok", "null"}));
}

TEST_F(ExtractTest, NonStringImagesPrintAsGatekeeperPrintsThem) {
  // Gatekeeper round-trips the review through encoding/json into
  // interface{}, so every number is a float64 that OPA prints with
  // strconv.FormatFloat(f, 'g', -1, 64).
  EXPECT_EQ(ImageOf("12"), "12");
  EXPECT_EQ(ImageOf("-3"), "-3");
  EXPECT_EQ(ImageOf("1.5"), "1.5");
  EXPECT_EQ(ImageOf("1.50"), "1.5");
  EXPECT_EQ(ImageOf("1e6"), "1e+06");
  EXPECT_EQ(ImageOf("1e21"), "1e+21");
  EXPECT_EQ(ImageOf("1e-7"), "1e-07");
  EXPECT_EQ(ImageOf("0.0001"), "0.0001");
  EXPECT_EQ(ImageOf("0.00001"), "1e-05");
  EXPECT_EQ(ImageOf("100000"), "100000");
  EXPECT_EQ(ImageOf("999999"), "999999");
  EXPECT_EQ(ImageOf("1000000"), "1e+06");
  EXPECT_EQ(ImageOf("123456789"), "1.23456789e+08");
  EXPECT_EQ(ImageOf("1.5e300"), "1.5e+300");
  EXPECT_EQ(ImageOf("0"), "0");
  EXPECT_EQ(ImageOf("-0"), "0");
  EXPECT_EQ(ImageOf("-0.0"), "-0");
  EXPECT_EQ(ImageOf("0.1"), "0.1");
  EXPECT_EQ(ImageOf("123456.5"), "123456.5");
  EXPECT_EQ(ImageOf("98765432109876543210"), "9.876543210987654e+19");
  EXPECT_EQ(ImageOf("true"), "true");
  EXPECT_EQ(ImageOf("false"), "false");
  EXPECT_EQ(ImageOf("null"), "null");
  EXPECT_EQ(ImageOf(R"([1,"a"])"), R"([1, "a"])");
  EXPECT_EQ(ImageOf("[]"), "[]");
  EXPECT_EQ(ImageOf("{}"), "{}");
  EXPECT_EQ(ImageOf(R"({"b":1,"a":"x"})"), R"({"a": "x", "b": 1})");
  EXPECT_EQ(ImageOf(R"({"b":1,"a":"x","b":[true,null,{"q":"\n\u0001"}]})"),
            R"({"a": "x", "b": [true, null, {"q": "\n\x01"}]})");
  EXPECT_EQ(ImageOf(R"(["caf\u00e9", 1e6, 2.5])"), "[\"caf\xc3\xa9\", 1e+06, 2.5]");
}

TEST_F(ExtractTest, NonStringNames) {
  Result r = Extract(R"({"spec":{"containers":[{"name":12,"image":"a"},{"name":["x"],"image":"b"},)"
                     R"({"name":{"k":"v"},"image":"c"},{"name":false,"image":"d"}]}})");
  EXPECT_EQ(Names(r.containers),
            (std::vector<std::string>{"12", R"(["x"])", R"({"k": "v"})", "false"}));
  for (const auto& c : r.containers) EXPECT_TRUE(c.image_is_string);
}

TEST_F(ExtractTest, KindlessObject) {
  Result r = Extract(R"({"spec":{"containers":[{"name":"c","image":"i"}]}})");
  EXPECT_EQ(r.record.error, "");
  EXPECT_FALSE(r.record.has_kind);
  EXPECT_FALSE(r.record.has_api_version);
  EXPECT_EQ(r.record.kind, "");
  EXPECT_EQ(Images(r.containers), std::vector<std::string>{"i"});
}

std::string Nested(int levels) {
  return R"({"kind":"Pod","status":)" + std::string(levels, '[') + std::string(levels, ']') + "}";
}

TEST_F(ExtractTest, Errors) {
  struct Case {
    std::string json;
    std::string error;
  };
  const std::vector<Case> cases = {
      {R"({"kind":"Pod","spec":{"containers":[{"name":"c","image":"i"}]})",
       "malformed JSON (truncated, or unbalanced brackets)"},
      {R"({"kind":"Pod","metadata":{"name":"x)", "malformed JSON (unclosed string)"},
      {"{\"kind\":\"P\xff\"}", "invalid UTF-8 in JSON"},
      {"{\"kind\":\"\xc3\"}", "invalid UTF-8 in JSON"},
      {R"([{"kind":"Pod"}])", "not a JSON object"},
      {R"("Pod")", "not a JSON object"},
      {"", "empty document"},
      {"   ", "empty document"},
      {Nested(10010),
       "JSON nested too deeply (more than 10000 levels, or 1024 in a name or image)"},
      // Broken values deep inside fields the extractor does not need.
      {R"({"kind":"Pod","status":{"a":[1,2}}})", "malformed JSON (unexpected or missing token)"},
      {R"({"kind":"Pod","status":{"a":tru}})", "malformed JSON (invalid literal)"},
      {R"({"kind":"Pod","status":{"a":nul}})", "malformed JSON (invalid literal)"},
      {R"({"kind":"Pod","status":{"a":01}})", "malformed JSON (invalid number)"},
      {R"({"kind":"Pod","status":{"a":"\x"}})", "malformed JSON (invalid string escape)"},
      {R"({"kind":"Pod","status":{"a":"ok \" \u12G4"}})", "malformed JSON (invalid string escape)"},
      {R"({"kind":"Pod","status":{"a":"\u12"}})", "malformed JSON (invalid string escape)"},
      {R"({"kind":"Pod","status":{"a\q":1}})", "malformed JSON (invalid string escape)"},
      {R"({"kind":"Pod","status":{"a" 1}})", "malformed JSON (unexpected or missing token)"},
      {R"({"kind":"Pod","status":[1 2]})", "malformed JSON (unexpected or missing token)"},
      {R"({"kind":"Pod"} {"kind":"Pod"})", "malformed JSON (content after the object)"},
      // Go's decoder cannot hold it in a float64 either.
      {R"({"spec":{"containers":[{"name":"c","image":1e400}]}})",
       "malformed JSON (invalid number)"},
      {R"({"status":{"n":-1e400}})", "malformed JSON (invalid number)"},
      {R"({"kind":"Pod"}})", "malformed JSON (truncated, or unbalanced brackets)"},
      {"{\"kind\":\"a\tb\"}", "malformed JSON (unescaped control character in string)"},
  };
  for (const Case& c : cases) {
    size_t labels = batch_.labels.size(), containers = batch_.containers.size();
    Result r = Extract(c.json);
    EXPECT_EQ(r.record.error, c.error) << c.json.substr(0, 80);
    // A broken object contributes nothing but its record.
    EXPECT_EQ(batch_.labels.size(), labels);
    EXPECT_EQ(batch_.containers.size(), containers);
    EXPECT_TRUE(r.record.containers.empty());
  }
  // As in Go's decoder, 10000 levels (the root object and 9999 arrays) are
  // fine; 10001 are not.
  EXPECT_EQ(Extract(Nested(9999)).record.error, "");
  EXPECT_EQ(Extract(Nested(10000)).record.error,
            "JSON nested too deeply (more than 10000 levels, or 1024 in a name or image)");
  EXPECT_EQ(Extract(R"({"spec":{"containers":[{"name":"c","image":)" + std::string(1030, '[') +
                    std::string(1030, ']') + "}]}}")
                .record.error,
            "JSON nested too deeply (more than 10000 levels, or 1024 in a name or image)");
}

// Escapes in skipped strings are checked 16 bytes at a time: every escape,
// valid or not, at every offset across a block boundary, alone and after a
// dense run of escapes (JSON inside JSON, as kubectl's last-applied annotation).
TEST_F(ExtractTest, EscapesInSkippedStringsAreCheckedAtEveryOffset) {
  const std::vector<std::string> valid = {R"(\")", R"(\\)", R"(\/)", R"(\b)",     R"(\f)",
                                          R"(\n)", R"(\r)", R"(\t)", R"(\u00e9)", R"(\uABcd)"};
  const std::vector<std::string> invalid = {R"(\x)",    R"(\')",     R"(\u12G4)", R"(\uG123)",
                                            R"(\u123)", R"(\U1234)", R"(\ )",     R"(\0)"};
  const std::string dense = R"({\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"a\\\\b\":\"\u00e9\"})";
  for (const std::string& lead : {std::string(), dense}) {
    for (size_t offset = 0; offset < 40; ++offset) {
      const std::string pad(offset, 'z');  // not a hex digit
      for (const std::string& esc : valid) {
        // At the start, the middle and the very end of the string.
        for (const std::string& text : {pad + lead + esc, lead + esc + pad, pad + esc + lead}) {
          const std::string json = R"({"kind":"Pod","status":{"m":")" + text + R"("}})";
          EXPECT_EQ(Extract(json).record.error, "") << json;
        }
      }
      for (const std::string& esc : invalid) {
        for (const std::string& text : {pad + lead + esc, lead + esc + pad, pad + esc + lead}) {
          const std::string json = R"({"kind":"Pod","status":{"m":")" + text + R"("}})";
          EXPECT_EQ(Extract(json).record.error, "malformed JSON (invalid string escape)") << json;
        }
      }
    }
  }
  // An escaped quote does not end the string: the bad escape after it counts.
  EXPECT_EQ(Extract(R"({"kind":"Pod","status":{"m":"0123456789abcd\"\q"}})").record.error,
            "malformed JSON (invalid string escape)");
  // An escaped backslash before the closing quote does end it.
  EXPECT_EQ(Extract(R"({"kind":"Pod","status":{"m":"0123456789abcde\\"}})").record.error, "");
  // What follows the closing quote is not part of the string.
  EXPECT_EQ(Extract(R"({"kind":"Pod","status":{"m":"a\"b","n":"\\x"}})").record.error, "");
}

// Runs of lone two-byte escapes are checked a 16-byte block at a time: a
// backslash in a block's last byte, a \\ or \u among them, or one bad escape
// anywhere in the run must still be seen, at every offset.
TEST_F(ExtractTest, RunsOfEscapesAreCheckedAcrossBlocks) {
  const std::vector<std::string> valid = {R"(\\)", R"(\u00e9)", R"(\/)", R"(\\\")", R"(\t\\)"};
  const std::vector<std::string> invalid = {R"(\q)", R"(\u12G4)", R"(\')", R"(\\\q)", R"(\u)"};
  for (size_t lead = 0; lead < 18; ++lead) {
    for (size_t run = 0; run < 24; ++run) {
      std::string escapes;
      for (size_t i = 0; i < run; ++i) escapes += i % 3 == 0 ? R"(\")" : R"(x\n)";
      const std::string before = std::string(lead, 'z') + escapes;
      const std::string after = R"(\"\r\"\/\b\f\t\"\"\"\"\"\"\"\")";
      for (const std::string& esc : valid) {
        const std::string json = R"({"kind":"Pod","status":{"m":")" + before + esc + after + "\"}}";
        EXPECT_EQ(Extract(json).record.error, "") << json;
      }
      for (const std::string& esc : invalid) {
        const std::string json = R"({"kind":"Pod","status":{"m":")" + before + esc + after + "\"}}";
        EXPECT_EQ(Extract(json).record.error, "malformed JSON (invalid string escape)") << json;
      }
      // Ending right after the run, in the block that holds the closing quote.
      const std::string json = R"({"kind":"Pod","status":{"m":")" + before + R"(","n":"\x"}})";
      EXPECT_EQ(Extract(json).record.error, "malformed JSON (invalid string escape)") << json;
    }
  }
}

// The skip loop reads tokens without bounds checks and takes members of the
// usual shapes (`"k":"v"`, `"k":{}`) in one step: each shape, as the last
// tokens of a truncated object, is reported as truncated whatever bytes follow,
// and an empty object one level too deep is still too deep.
TEST_F(ExtractTest, SkipShortcutsAtTheEndAndAtTheDepthLimit) {
  Extractor extractor;
  for (char after : {' ', ',', 'x', '"', ':', '{', '}', ']'}) {
    for (std::string_view json :
         {R"({"kind":"Pod","status":{"a":{}})", R"({"kind":"Pod","status":{"a":"b"})",
          R"({"kind":"Pod","status":{"a":{"b":{}})", R"({"kind":"Pod","status":[{"a":{}})",
          R"({"kind":"Pod","status":{"a":[{}]})", R"({"kind":"Pod","status":{"a":"b","c":{}})"}) {
      std::string buffer(json);
      buffer.append(kParsePadding, after);
      extractor.Extract(std::string_view(buffer.data(), json.size()), &batch_);
      EXPECT_EQ(batch_.objects.back().error, "malformed JSON (truncated, or unbalanced brackets)")
          << json << " followed by " << after;
    }
  }
  // The root object and 9999 more levels, the last an empty object, are
  // fine; one more is not.
  const auto nested_objects = [](int levels) {
    std::string json = R"({"kind":"Pod","status":)";
    for (int i = 1; i < levels; ++i) json += R"({"a":)";
    json += "{}" + std::string(static_cast<size_t>(levels - 1), '}') + "}";
    return json;
  };
  EXPECT_EQ(Extract(nested_objects(9999)).record.error, "");
  EXPECT_EQ(Extract(nested_objects(10000)).record.error,
            "JSON nested too deeply (more than 10000 levels, or 1024 in a name or image)");
}

// The skip loop's object-or-array bit per level is kept across objects (not
// cleared per object): each object must still see only its own brackets.
TEST_F(ExtractTest, NestingStateDoesNotLeakBetweenObjects) {
  const std::string objects = R"({"kind":"Pod","status":{"a":{"b":{"c":{"d":1}}}}})";
  const std::string arrays = R"({"kind":"Pod","status":[[[[1]]]]})";
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(Extract(objects).record.error, "");
    // Same depths, now arrays: a ']' closes them, a '}' does not.
    EXPECT_EQ(Extract(arrays).record.error, "");
    EXPECT_EQ(Extract(R"({"kind":"Pod","status":[[[[1}]]]})").record.error,
              "malformed JSON (unexpected or missing token)");
    EXPECT_EQ(Extract(objects).record.error, "");
    EXPECT_EQ(Extract(R"({"kind":"Pod","status":{"a":{"b":[{"d":1]}}}})").record.error,
              "malformed JSON (unexpected or missing token)");
    EXPECT_EQ(Extract(R"({"kind":"Pod","status":[{"a":[{"b":[1,{"c":2}]}]},3]})").record.error, "");
  }
}

TEST_F(ExtractTest, WithoutValidationOnlyStageOneErrorsRemain) {
  const ExtractOptions fast{.validate = false};
  // Broken values in skipped fields pass unnoticed...
  for (const char* json :
       {R"({"kind":"Pod","status":{"a":[1,2}}})", R"({"kind":"Pod","status":{"a":tru}})",
        R"({"kind":"Pod","status":[1 2]})", R"({"kind":"Pod","status":{"a":"\x"}})"}) {
    Result r = Extract(json, fast);
    EXPECT_EQ(r.record.error, "") << json;
    EXPECT_EQ(r.record.kind, "Pod");
  }
  // ...but what stage 1 sees, and everything that is read, is still checked.
  EXPECT_EQ(Extract("{\"kind\":\"Pod\",\"status\":\"\xff\"}", fast).record.error,
            "invalid UTF-8 in JSON");
  EXPECT_EQ(Extract(R"({"kind":"Pod","status":{"a":[1,2]})", fast).record.error,
            "malformed JSON (truncated, or unbalanced brackets)");
  EXPECT_EQ(Extract(R"({"spec":{"containers":[{"name":"a" "image":"b"}]}})", fast).record.error,
            "malformed JSON (unexpected or missing token)");
  Result r = Extract(kPod, fast);
  EXPECT_EQ(r.record.error, "");
  EXPECT_EQ(r.containers.size(), 4u);
}

// Skipped values are checked from the token stream, not read: each kind of
// defect must still be caught, anywhere and at any depth, with the message
// simdjson gave when they were read.
TEST_F(ExtractTest, SkippedValuesAreValidatedFromTheTokens) {
  struct Case {
    std::string value;  // placed in "status", which nobody reads
    std::string error;
  };
  const std::string bad_number = "malformed JSON (invalid number)";
  const std::string bad_token = "malformed JSON (unexpected or missing token)";
  const std::vector<Case> cases = {
      {"1E+2", ""},
      {"-0.5e-3", ""},
      {"1e-400", ""},  // underflows to 0 in Go too
      {"1" + std::string(299, '0'), ""},
      {"1" + std::string(400, '0'), bad_number},  // past float64, like 1e400
      {"1.", bad_number},
      {"-", "malformed JSON (unexpected value type)"},
      {"-01", bad_number},
      {"1e", bad_number},
      {"1.5x", bad_number},
      {"-\"x\"", "malformed JSON (unexpected value type)"},
      {"[true, false, null]", ""},
      {"[truex]", "malformed JSON (invalid literal)"},
      {"[fals]", "malformed JSON (invalid literal)"},
      {"[nulll]", "malformed JSON (invalid literal)"},
      {"{\"a\":{},\"b\":[],\"c\":[{}],\"d\":[[[]]]}", ""},
      {"{\"a\":[1}]", bad_token},  // a bracket closed by the wrong kind
      {"[{\"b\":1]}", bad_token},
      {"{\"a\":1,}", bad_token},
      {"[1,]", bad_token},
      {"{,}", bad_token},
      {"{\"a\"}", bad_token},
      {"{\"a\":}", bad_token},
      {"{1:2}", bad_token},
      {"[1:2]", bad_token},
      {"{\"a\"::1}", bad_token},
      {"\"x\" \"y\"", bad_token},
      {"{\"k\\u00e9y\":1}", ""},
      {"{\"k\\u00zz\":1}", "malformed JSON (invalid string escape)"},
      {"[\"ok\", \"\\a\"]", "malformed JSON (invalid string escape)"},
      {"[\"\\\\\", \"\\\\\\\"\"]", ""},  // escaped backslashes and quotes
  };
  for (const Case& c : cases) {
    const std::string json = R"({"kind":"Pod","status":)" + c.value + R"(,"spec":{}})";
    EXPECT_EQ(Extract(json).record.error, c.error) << c.value.substr(0, 60);
    // The same inside an array inside an object, a few levels down.
    const std::string deep = R"({"kind":"Pod","status":{"x":[)" + c.value + R"(]}})";
    EXPECT_EQ(Extract(deep).record.error, c.error) << c.value.substr(0, 60);
  }
}

// A truncated object is reported as truncated whatever bytes happen to
// follow it in the buffer (On-Demand read on into them).
TEST_F(ExtractTest, TruncationDoesNotDependOnTheBytesAfterTheObject) {
  Extractor extractor;
  for (char after : {' ', ',', 'x', '"', '{', '}'}) {
    for (std::string_view json :
         {R"({"kind":"Pod","status":{"a":1})", R"({"kind":"Pod","status":{"a":[1,{"b":2}]})"}) {
      std::string buffer(json);
      buffer.append(kParsePadding, after);
      extractor.Extract(std::string_view(buffer.data(), json.size()), &batch_);
      EXPECT_EQ(batch_.objects.back().error, "malformed JSON (truncated, or unbalanced brackets)")
          << json << " followed by " << after;
    }
  }
}

TEST_F(ExtractTest, WithoutValidationValuesStillStartLikeValues) {
  const ExtractOptions fast{.validate = false};
  EXPECT_EQ(Extract(R"({"kind":"Pod","status":x})", fast).record.error,
            "malformed JSON (unexpected or missing token)");
  EXPECT_EQ(Extract(R"({"kind":"Pod","status":,"spec":{}})", fast).record.error,
            "malformed JSON (unexpected or missing token)");
}

// Objects larger than any before grow the parser's buffers; escaped strings
// of a large object must all survive until it is committed.
TEST_F(ExtractTest, ImageArraysOfStringsKeepTheirElements) {
  Result r = Extract(R"({"spec":{"containers":[
      {"name":"a","image":["x\u0041","y"]},{"name":"b","image":["x",1]},{"name":"c","image":[]},
      {"name":"d","image":["x"],"image":"s"},{"name":"e","image":"s"}]}})");
  ASSERT_EQ(r.record.error, "");
  ASSERT_EQ(r.containers.size(), 5u);
  auto elements = [&](size_t i) {
    const ContainerRef& c = r.containers[i];
    std::vector<std::string> out;
    for (uint32_t k = c.image_elements.begin; k < c.image_elements.end; ++k) {
      out.emplace_back(batch_.image_elements[k]);
    }
    return std::make_pair(c.image_is_string_array, out);
  };
  EXPECT_EQ(elements(0), std::make_pair(true, std::vector<std::string>{"xA", "y"}));
  EXPECT_EQ(r.containers[0].image, R"(["xA", "y"])");
  EXPECT_EQ(elements(1), std::make_pair(false, std::vector<std::string>{}));
  EXPECT_EQ(elements(2), std::make_pair(true, std::vector<std::string>{}));
  EXPECT_EQ(elements(3), std::make_pair(false, std::vector<std::string>{}))
      << "the last image wins";
  EXPECT_EQ(elements(4), std::make_pair(false, std::vector<std::string>{}));
}

TEST_F(ExtractTest, GrowingObjectsKeepEveryDecodedString) {
  Extractor extractor;
  ExtractedBatch batch;
  for (size_t filler : {10u, 100000u, 300000u, 10u}) {
    std::string json = R"({"metadata":{"name":"n\u00e9","labels":{"k\u0031":"v\"1"}},"status":")" +
                       std::string(filler, 'x') +
                       R"(","spec":{"containers":[{"name":"c\/1","image":"i\\2"}]}})";
    Result r = ExtractWith(extractor, json, &batch);
    ASSERT_EQ(r.record.error, "") << filler;
    EXPECT_EQ(r.record.name, "n\xc3\xa9");
    EXPECT_EQ(r.labels, (std::vector<std::pair<std::string, std::string>>{{"k1", "v\"1"}}));
    ASSERT_EQ(r.containers.size(), 1u);
    EXPECT_EQ(r.containers[0].name, "c/1");
    EXPECT_EQ(r.containers[0].image, "i\\2");
  }
}

TEST_F(ExtractTest, ControlCharacterInSkippedStringIsAnError) {
  EXPECT_EQ(Extract("{\"status\":{\"a\":\"x\ny\"}}").record.error,
            "malformed JSON (unescaped control character in string)");
  EXPECT_EQ(Extract(R"({"status":{"a":"x\ny \u00e9 \ud83d\ude00 \"\\\/\b\f\r\t"}})").record.error,
            "");
  // Go's decoder turns a lone surrogate into U+FFFD; in a skipped string it is no error.
  EXPECT_EQ(Extract(R"({"status":{"a":"\ud800 x"}})").record.error, "");
}

TEST_F(ExtractTest, EveryTruncationIsAnError) {
  const std::string pod(kPod);
  const size_t end = pod.find_last_not_of(" \n") + 1;
  for (size_t n = 0; n < end; ++n) {
    Result r = Extract(std::string_view(pod).substr(0, n));
    EXPECT_NE(r.record.error, "") << "prefix of " << n << " bytes";
  }
}

TEST_F(ExtractTest, CorruptedBytesNeverCrash) {
  // Every single-byte substitution with a JSON-significant character either
  // parses or is an error; with sanitizers this checks memory safety too.
  const std::string pod(kPod);
  int errors = 0;
  for (size_t i = 0; i < pod.size(); ++i) {
    for (char c : {'"', '\\', '{', '}', '[', ']', ',', ':', '0', 'e', ' '}) {
      std::string broken = pod;
      broken[i] = c;
      Result r = Extract(broken);
      errors += !r.record.error.empty();
    }
  }
  EXPECT_GT(errors, 0);
}

TEST_F(ExtractTest, ParserIsReusedAcrossObjects) {
  Extractor extractor;
  ExtractedBatch batch;
  for (int i = 0; i < 3; ++i) {
    Result bad = ExtractWith(extractor, R"({"spec":{"containers":[{"name":"c")", &batch);
    EXPECT_NE(bad.record.error, "");
    Result good = ExtractWith(extractor, kPod, &batch);
    EXPECT_EQ(good.record.error, "");
    EXPECT_EQ(good.containers.size(), 4u);
  }
  EXPECT_EQ(batch.objects.size(), 6u);
  EXPECT_EQ(batch.containers.size(), 12u);
}

constexpr std::string_view kDeployment = R"({
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "d", "namespace": "ns", "labels": {"team": "x"}},
  "spec": {
    "replicas": 2,
    "template": {
      "metadata": {"labels": {"app": "d"}},
      "spec": {"containers": [{"name": "c", "image": "nginx"}],
               "initContainers": [{"name": "i", "image": "busybox"}]}
    }
  }
})";

TEST_F(ExtractTest, PodTemplatesOnlyWhenAsked) {
  Result plain = Extract(kDeployment);
  EXPECT_EQ(plain.record.template_path, PodTemplatePath::kNone);
  EXPECT_TRUE(plain.template_containers.empty());
  EXPECT_TRUE(plain.containers.empty());

  Result r = Extract(kDeployment, ExtractOptions{.pod_templates = true});
  EXPECT_EQ(r.record.error, "");
  EXPECT_EQ(r.record.template_path, PodTemplatePath::kSpecTemplate);
  EXPECT_EQ(r.labels, (Pairs{{"team", "x"}}));
  EXPECT_EQ(r.template_labels, (Pairs{{"app", "d"}}));
  EXPECT_EQ(Images(r.template_containers), (std::vector<std::string>{"nginx", "busybox"}));
  EXPECT_TRUE(r.containers.empty());
}

TEST_F(ExtractTest, CronJobTemplate) {
  Result r = Extract(R"({
    "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj"},
    "spec": {"schedule": "* * * * *",
      "jobTemplate": {
        "metadata": {"labels": {"job": "yes"}},
        "spec": {"template": {
          "metadata": {"labels": {"pod": "yes"}},
          "spec": {"containers": [{"name": "old", "image": "old"}],
                   "containers": [{"name": "c", "image": "cron-image"}]}}}}}})",
                     ExtractOptions{.pod_templates = true});
  EXPECT_EQ(r.record.error, "");
  EXPECT_EQ(r.record.template_path, PodTemplatePath::kJobTemplate);
  EXPECT_EQ(r.job_template_labels, (Pairs{{"job", "yes"}}));
  EXPECT_EQ(r.template_labels, (Pairs{{"pod", "yes"}}));
  EXPECT_EQ(Images(r.template_containers), std::vector<std::string>{"cron-image"});
}

TEST_F(ExtractTest, DuplicateTemplateLastWins) {
  Result r = Extract(
      R"({"spec":{"template":{"spec":{"containers":[{"name":"a","image":"first"}]}},)"
      R"("template":{"metadata":{"labels":{"l":"v"}},"spec":{"containers":[{"name":"b","image":"second"}]}}}})",
      ExtractOptions{.pod_templates = true});
  EXPECT_EQ(Images(r.template_containers), std::vector<std::string>{"second"});
  EXPECT_EQ(r.template_labels, (Pairs{{"l", "v"}}));
}

// JSONTestSuite: every n_ file must be an error; every y_ file must parse
// (or be reported as "not a JSON object" when its root is not an object).
TEST_F(ExtractTest, JsonTestSuite) {
  GS_REQUIRE_CORPUS();
  const auto dir = testing::CorpusDir() / "jsontestsuite" / "test_parsing";
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << "no " << dir;
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 2 || (name[0] != 'y' && name[0] != 'n') || name[1] != '_') continue;
    const std::string json = testing::ReadFile(entry.path());
    Result r = Extract(json);
    if (name[0] == 'n') {
      EXPECT_NE(r.record.error, "") << name;
    } else {
      EXPECT_TRUE(r.record.error == "" || r.record.error == "not a JSON object")
          << name << ": " << r.record.error;
    }
    ++checked;
  }
  EXPECT_GT(checked, 250);
}

TEST_F(ExtractTest, RealWorldPods) {
  GS_REQUIRE_CORPUS();
  const std::string text =
      testing::ReadFile(testing::CorpusDir() / "realworld/wey-gu__k8s-graph/data/pods.json");
  ASSERT_FALSE(text.empty());
  simdjson::dom::parser dom;
  simdjson::dom::element root;
  ASSERT_EQ(dom.parse(text).get(root), simdjson::SUCCESS);
  simdjson::dom::array items;
  ASSERT_EQ(root["items"].get_array().get(items), simdjson::SUCCESS);
  Extractor extractor;
  ExtractedBatch batch;
  int pods = 0, init = 0, regular = 0, ephemeral = 0;
  for (simdjson::dom::element item : items) {
    const std::string raw = simdjson::minify(item);
    Result r = ExtractWith(extractor, raw, &batch);
    ASSERT_EQ(r.record.error, "");
    EXPECT_EQ(r.record.kind, "Pod");
    EXPECT_FALSE(r.record.name.empty());
    EXPECT_FALSE(r.record.ns.empty());
    for (const auto& c : r.containers) {
      EXPECT_TRUE(c.image_is_string);
      EXPECT_FALSE(c.image.empty());
      init += c.list == ContainerList::kInitContainers;
      regular += c.list == ContainerList::kContainers;
      ephemeral += c.list == ContainerList::kEphemeralContainers;
    }
    ++pods;
  }
  EXPECT_EQ(pods, 30);

  // The whole List, as it is on disk (4-space kubectl layout), is one valid object.
  Result list = ExtractWith(extractor, text, &batch);
  EXPECT_EQ(list.record.error, "");
  EXPECT_EQ(list.record.kind, "List");
  EXPECT_TRUE(list.containers.empty());
  EXPECT_EQ(init, 3);
  EXPECT_EQ(regular, 32);
  EXPECT_EQ(ephemeral, 0);
}

}  // namespace
}  // namespace gatescan
