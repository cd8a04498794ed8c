#include "gatescan/input/yaml_json.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gatescan {
namespace {

std::vector<std::string> Convert(std::string_view yaml) {
  std::vector<std::string> docs;
  Status s = YamlToJsonDocuments(yaml, &docs);
  EXPECT_TRUE(s.ok()) << s.message();
  return docs;
}

std::string One(std::string_view yaml) {
  auto docs = Convert(yaml);
  EXPECT_EQ(docs.size(), 1u) << yaml;
  return docs.empty() ? "" : docs[0];
}

TEST(YamlJson, KubernetesScalarTyping) {
  EXPECT_EQ(One("a: true\nb: False\nc: yes\nd: off\ne: null\nf: ~\ng:\nh: NULL\n"),
            R"({"a":true,"b":false,"c":true,"d":false,"e":null,"f":null,"g":null,"h":null})");
  EXPECT_EQ(
      One("a: 12\nb: -7\nc: 1.5\nd: 1e3\ne: 0x1F\nf: 0777\ng: 1_000\nh: 123456789012345678\n"),
      R"({"a":12,"b":-7,"c":1.5,"d":1000,"e":31,"f":511,"g":1000,"h":123456789012345678})");
  EXPECT_EQ(One("a: .5\nb: 1.\nc: +3\nd: 1e-7\ne: 2e21\n"),
            R"({"a":0.5,"b":1,"c":3,"d":1e-7,"e":2e+21})");
  // Quoted scalars are strings whatever they look like; so are timestamps and
  // values that are not numbers.
  EXPECT_EQ(One("a: \"true\"\nb: '12'\nc: 2001-12-14\nd: 1.2.3\ne: .inf\nf: nginx:1.25\n"),
            R"({"a":"true","b":"12","c":"2001-12-14","d":"1.2.3","e":".inf","f":"nginx:1.25"})");
}

TEST(YamlJson, MapKeysAreStrings) {
  // go-yaml v2 reads YAML 1.1 booleans, so `on` and `y` are true, as keys too.
  EXPECT_EQ(One("on: push\n1: one\n0x10: h\n\"x\": y\ny: 'n'\n"),
            R"({"true":"push","1":"one","16":"h","x":true,"true":"n"})");
}

TEST(YamlJson, BlockScalarsAndNesting) {
  EXPECT_EQ(One("rego: |\n  package x\n  violation {\n    true\n  }\nfolded: >\n  a\n  b\n"),
            R"({"rego":"package x\nviolation {\n  true\n}\n","folded":"a b\n"})");
  EXPECT_EQ(One("a:\n- 1\n- [x, {b: c}]\n- {}\n- []\n"), R"({"a":[1,["x",{"b":"c"}],{},[]]})");
}

TEST(YamlJson, StringsAreEscaped) {
  EXPECT_EQ(One("a: \"q\\\"b\\\\n\\nt\\t\\x01\"\n"), "{\"a\":\"q\\\"b\\\\n\\nt\\t\\u0001\"}");
  EXPECT_EQ(One("a: \"\\u2028é\"\n"), "{\"a\":\"\xe2\x80\xa8\xc3\xa9\"}");
}

TEST(YamlJson, MultipleDocumentsAndEmptyOnesSkipped) {
  auto docs = Convert("---\na: 1\n---\n---\n# only a comment\n---\n- x\n...\n");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0], R"({"a":1})");
  EXPECT_EQ(docs[1], R"(["x"])");
  EXPECT_TRUE(Convert("").empty());
}

TEST(YamlJson, JsonIsYaml) {
  EXPECT_EQ(One(R"({"a":[1,2.5,"x",true,null],"b":{"c":"d\u0041"}})"),
            R"({"a":[1,2.5,"x",true,null],"b":{"c":"dA"}})");
}

TEST(YamlJson, AnchorsAliasesAndMerge) {
  EXPECT_EQ(One("base: &b {x: 1, w: [2]}\ncopy: *b\nname: &n web\nother: *n\n"),
            R"({"base":{"x":1,"w":[2]},"copy":{"x":1,"w":[2]},"name":"web","other":"web"})");
  EXPECT_EQ(One("base: &b {x: 1}\nm:\n  <<: *b\n  z: 2\n"),
            R"({"base":{"x":1},"m":{"x":1,"z":2}})");
}

TEST(YamlJson, AliasBombIsRefused) {
  std::string yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'k'; ++c) {
    yaml += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) yaml += std::string(i ? ", *" : "*") + prev;
    yaml += "]\n";
    prev = c;
  }
  std::vector<std::string> docs;
  Status s = YamlToJsonDocuments(yaml, &docs);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("too much"), std::string::npos) << s.message();
}

TEST(YamlJson, ErrorsNameDocumentAndLine) {
  std::vector<std::string> docs;
  Status s = YamlToJsonDocuments("a: 1\n---\nb: 2\nc: [unclosed\n", &docs);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("document 2"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("line "), std::string::npos) << s.message();

  s = YamlToJsonDocuments("a: 1\n? [x]\n: y\n", &docs);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("document 1, line 2"), std::string::npos) << s.message();

  s = YamlToJsonDocuments("a: *nope\n", &docs);
  EXPECT_FALSE(s.ok());
}

// YAML 1.1/1.2 double-quoted escapes, as go-yaml decodes them: \N is U+0085
// (NEL), \_ U+00A0 (no-break space), \L U+2028, \P U+2029; keys alike.
// Characters that are already UTF-8 (U+0085 and U+00A0 written as such, and
// a lead byte followed by 0x85 or 0xA0) are left as they are.
TEST(YamlJson, DoubleQuotedNelAndNoBreakSpaceEscapes) {
  EXPECT_EQ(One("a: \"x\\Ny\\_z\"\n"), "{\"a\":\"x\u0085y\u00a0z\"}");
  EXPECT_EQ(One("a: \"\\L\\P\\N\\N\\_\"\n"), "{\"a\":\"\u2028\u2029\u0085\u0085\u00a0\"}");
  EXPECT_EQ(One("\"k\\_\": v\n"), "{\"k\u00a0\":\"v\"}");
  EXPECT_EQ(One("a: \"\xc2\x85 \xc2\xa0 \xe0\xa0\x80\"\n"),
            "{\"a\":\"\xc2\x85 \xc2\xa0 \xe0\xa0\x80\"}");
}

TEST(YamlJson, DeepNestingDoesNotCrash) {
  std::string yaml(100000, '[');
  std::vector<std::string> docs;
  EXPECT_FALSE(YamlToJsonDocuments(yaml, &docs).ok());
}

}  // namespace
}  // namespace gatescan
