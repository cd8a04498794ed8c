// The fast YAML converter (yaml_fast.h) against the complete one
// (yaml_json.h): on hand-written cases, on every document of the corpus's
// YAML files, and on generated documents in the styles of Go's emitter and
// PyYAML (and random mutations of them), the fast path either declines or
// gives exactly the complete converter's JSON.
#include "gatescan/input/yaml_fast.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "gatescan/input/yaml_json.h"
#include "test_support.h"

namespace gatescan {
namespace {

struct Outcome {
  bool agreed = true;
  YamlFastResult fast = YamlFastResult::kUnsupported;
  std::string detail;
};

// Runs both converters on one document; a disagreement is described.
Outcome Compare(std::string_view yaml) {
  Outcome o;
  std::string json;
  o.fast = YamlFastToJson(yaml, &json);
  if (o.fast == YamlFastResult::kUnsupported) return o;
  std::vector<std::string> docs;
  const Status s = YamlToJsonDocuments(yaml, &docs);
  if (!s.ok()) {
    o.agreed = false;
    o.detail = "fast path accepted what the complete converter rejects: " + s.message();
  } else if (o.fast == YamlFastResult::kEmpty) {
    if (!docs.empty()) {
      o.agreed = false;
      o.detail = "fast path says empty, complete converter gives " + docs[0];
    }
  } else if (docs.size() != 1 || docs[0] != json) {
    o.agreed = false;
    o.detail = "fast: " + json + "\ncomplete: " + (docs.empty() ? "(nothing)" : docs[0]) +
               (docs.size() > 1 ? " (+ more documents)" : "");
  }
  return o;
}

// Supported input must convert on the fast path and agree.
void ExpectFast(std::string_view yaml) {
  const Outcome o = Compare(yaml);
  EXPECT_TRUE(o.agreed) << yaml << "\n" << o.detail;
  EXPECT_NE(o.fast, YamlFastResult::kUnsupported) << "declined:\n" << yaml;
}

std::string Fast(std::string_view yaml) {
  std::string json;
  EXPECT_EQ(YamlFastToJson(yaml, &json), YamlFastResult::kOk) << yaml;
  return json;
}

TEST(YamlFast, KubectlStyle) {
  ExpectFast(
      "apiVersion: v1\nkind: Pod\nmetadata:\n  creationTimestamp: \"2026-06-26T10:12:19Z\"\n"
      "  labels:\n    k8s-app: kube-dns\n    pod-template-hash: 7d764666f9\n  name: x\n"
      "  ownerReferences:\n  - apiVersion: apps/v1\n    blockOwnerDeletion: true\n"
      "    kind: ReplicaSet\n  resourceVersion: \"407\"\nspec:\n  containers:\n  - args:\n"
      "    - -conf\n    - /etc/coredns/Corefile\n    image: "
      "registry.k8s.io/coredns/coredns:v1.13.1\n"
      "    ports:\n    - containerPort: 53\n      name: dns\n  securityContext: {}\n"
      "  tolerations: []\n");
  ExpectFast("- a: 1\n  b: 2\n- - x\n  - y\n-\n- \n- c\n");
  ExpectFast("items:\n- x\n-   a: 1\n    b:\n    - 1\n    c: d\n");
}

TEST(YamlFast, ScalarRulesAsTheCompleteConverter) {
  ExpectFast("a: true\nb: False\nc: yes\nd: off\ne: null\nf: ~\ng:\nh: NULL\ni: y\nj: n\n");
  ExpectFast("a: 12\nb: -7\nc: 1.5\nd: 1e3\ne: 0x1F\nf: 0777\ng: 1_000\nh: 123456789012345678\n");
  ExpectFast("a: .5\nb: 1.\nc: +3\nd: 1e-7\ne: 2e21\nf: 0o17\ng: 0b101\nh: 190:20:30\n");
  ExpectFast("a: \"true\"\nb: '12'\nc: 2001-12-14\nd: 1.2.3\ne: .inf\nf: nginx:1.25\n");
  ExpectFast("on: push\n1: one\n0x10: h\n\"x\": y\ny: 'n'\n'k': v\n1.5: f\n");
  ExpectFast("a: !!str 12\nb: !!str true\nc: !!str 'q'\n");
  ExpectFast("a: x # comment\n# full line\nb: 'y' # c\nc: \"z\"   # c\nd: a#b\n");
  ExpectFast("null\n");
  ExpectFast("");
  ExpectFast("# only a comment\n");
  ExpectFast("---\na: 1\n");
  ExpectFast("--- # c\n- 1\n");
  ExpectFast("just a string\n");
}

TEST(YamlFast, QuotedScalars) {
  ExpectFast("a: \"q\\\"b\\\\n\\nt\\t\\x01\\u00e9\\U0001F600\\/\\0\\a\\b\\v\\f\\r\\e\\ \\L\\P\"\n");
  ExpectFast("a: 'it''s'\nb: 'x\"y\\z'\nc: \"\"\nd: ''\n");
  ExpectFast("a: \"folded\n  over  \n\n   lines \"\nb: 'single\n  folded\n\n\n  too'\n");
  ExpectFast("a: \"escaped \\\n  break\\\n\n   and  \\  kept\"\n");
  ExpectFast("- \"x\n  y\"\n- 'p\n\n  q'\n");
}

TEST(YamlFast, EscapesYamlDefinesAsCodePoints) {
  // YAML's \N and \_ are U+0085 and U+00A0 (the complete converter's yaml-cpp
  // gives U+FFFD for them).
  EXPECT_EQ(Fast("a: \"\\N\\_\"\n"), "{\"a\":\"\xc2\x85\xc2\xa0\"}");
}

TEST(YamlFast, BlockScalars) {
  ExpectFast("rego: |\n  package x\n  violation {\n    true\n  }\nfolded: >\n  a\n  b\n");
  ExpectFast("a: |-\n  x\n\n  y\n\n\nb: |+\n  x\n\n\nc: >-\n  p\n  q\n\n  r\n   s\n  t\n");
  ExpectFast("a: |2\n    indented\n   less\nb: >+\n  k\n\n");
  ExpectFast("a: |\n\n  x\nb: |\nc: >\n\nd: 1\n");
  ExpectFast("- |\n  in a\n  sequence\n- >-\n  folded\n  one\n- |2-\n   lead\n");
  ExpectFast("a:\n  b: |\n    # not a comment\n    x\n  c: 1\n");
  ExpectFast("a: |\n  no final newline");
}

TEST(YamlFast, MultiLinePlainScalars) {
  ExpectFast("a: one two\n  three\n\n  four\nb: x\n");
  ExpectFast("- word\n  more\n- z\n");
}

TEST(YamlFast, DeclinesOutsideTheSubset) {
  for (std::string_view yaml : {
           "a: &x 1\nb: *x\n",
           "a: !custom 1\n",
           "a: {b: 1}\n",
           "a: [1, 2]\n",
           "? a\n: b\n",
           "%YAML 1.1\n---\na: 1\n",
           "a:\n\tb: 1\n",
           "a: 1\r\nb: 2\r\n",
           "a: \"\\q\"\n",
           "a: 1\n---\nb: 2\n",
           "a: 1\n...\n",
           "<<: {}\n",
           "~: 1\n",
           "a: b: c\n",
           "a: 1\n  b: 2\n",
           "g: -\n",
           "a: \"unterminated\n",
           "a: \x01\n",
           "a: \xff\n",
       }) {
    std::string json;
    EXPECT_EQ(YamlFastToJson(yaml, &json), YamlFastResult::kUnsupported) << yaml;
  }
}

// --- generated documents -------------------------------------------------

class Generator {
 public:
  enum class Style { kGo, kPyYaml, kWild };
  Generator(uint32_t seed, Style style) : rng_(seed), style_(style) {}

  std::string Document() {
    std::string out;
    if (Chance(0.2)) out += Chance(0.5) ? "---\n" : "--- # doc\n";
    if (Chance(0.1)) out += "# leading comment\n";
    if (Chance(0.3)) {
      Sequence(0, 0, &out);
    } else {
      Mapping(0, 0, &out);
    }
    return out;
  }

 private:
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  std::string Text() {
    static const std::vector<std::string> kWords = {
        "nginx",
        "registry.k8s.io/pause:3.9",
        "true",
        "no",
        "on",
        "Off",
        "null",
        "~",
        "12",
        "0x1F",
        "0777",
        "1_000",
        "1e3",
        ".5",
        "-7",
        "+3",
        "2001-12-14",
        "12:30:45",
        "1.2.3",
        ".inf",
        "a b",
        "x:y",
        "k: v",
        "# hash",
        "a #b",
        "it's",
        "say \"hi\"",
        "back\\slash",
        "-dash",
        "- item",
        "{brace}",
        "[list]",
        "&anchor",
        "*star",
        "!bang",
        "|pipe",
        ">gt",
        "%pct",
        "@at",
        "`tick",
        "?q",
        ":colon",
        "ünïcødé",
        "日本語",
        "emoji 😀",
        " lead",
        "trail ",
        "tab\there",
        "new\nline",
        "two\n\nbreaks",
        "end\n",
        "ends\n\n",
        "\nstart",
        "ctl\x01",
        "del\x7f",
        "nbsp\xc2\xa0",
        "ls\xe2\x80\xa8",
        "",
        "-",
        "---",
        "...",
        "<<",
        "y",
        "n",
        "Yes",
        "=",
        "0",
        "00",
        "-0",
        "0.0",
        "1e-7",
        "2e21",
        "0o17",
        "0b1",
        "190:20:30",
    };
    std::string s;
    const size_t parts = 1 + Pick(Chance(0.1) ? 30 : 3);
    for (size_t i = 0; i < parts; ++i) {
      if (i > 0) s += Chance(0.8) ? " " : (Chance(0.5) ? "\n" : "  ");
      s += kWords[Pick(kWords.size())];
    }
    return s;
  }

  static bool PlainSafe(const std::string& s) {
    if (s.empty() || s.front() == ' ' || s.back() == ' ') return false;
    if (std::string("[]{},#&*!|>'\"%@`?:-").find(s.front()) != std::string::npos) return false;
    for (size_t i = 0; i < s.size(); ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c < 0x20 || c == 0x7f) return false;
      if (s[i] == ':' && (i + 1 == s.size() || s[i + 1] == ' ')) return false;
      if (s[i] == '#' && i > 0 && s[i - 1] == ' ') return false;
    }
    return s.find("\xc2\xa0") == std::string::npos && s.find("\xe2\x80\xa8") == std::string::npos;
  }

  static void DoubleQuoted(const std::string& s, std::string* out) {
    out->push_back('"');
    for (char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if (ch == '"' || ch == '\\') {
        out->push_back('\\');
        out->push_back(ch);
      } else if (ch == '\n') {
        out->append("\\n");
      } else if (ch == '\t') {
        out->append("\\t");
      } else if (c < 0x20 || c == 0x7f) {
        char buf[8];
        snprintf(buf, sizeof buf, "\\x%02X", c);
        out->append(buf);
      } else {
        out->push_back(ch);
      }
    }
    out->push_back('"');
  }

  // Folds a quoted scalar's text over lines at spaces, as emitters do at
  // their line width.
  void Wrap(std::string* scalar, int indent) {
    if (scalar->size() < 40 || !Chance(0.5)) return;
    std::string wrapped;
    size_t col = 0;
    for (size_t i = 0; i < scalar->size(); ++i) {
      const char c = (*scalar)[i];
      if (c == ' ' && col > 20 && i + 1 < scalar->size() && (*scalar)[i + 1] != ' ' && i > 0 &&
          (*scalar)[i - 1] != ' ' && (*scalar)[i - 1] != '\\') {
        wrapped += '\n' + std::string(static_cast<size_t>(indent) + 2, ' ');
        col = 0;
        continue;
      }
      wrapped += c;
      ++col;
    }
    *scalar = wrapped;
  }

  void Scalar(int indent, std::string* out) {
    const std::string s = Text();
    const bool multiline = s.find('\n') != std::string::npos;
    const bool printable = s.find_first_of(std::string("\x01\x7f\t", 3)) == std::string::npos;
    if (multiline && printable && s.front() != '\n' && Chance(0.7)) {
      // A block scalar with the chomping that keeps s exactly (as Go writes).
      size_t trailing = 0;
      while (trailing < s.size() && s[s.size() - 1 - trailing] == '\n') ++trailing;
      std::string body = s.substr(0, s.size() - trailing);
      *out += (style_ == Style::kWild && Chance(0.3)) ? ">" : "|";
      if (body.front() == ' ') *out += "2";
      *out += trailing == 0 ? "-" : trailing == 1 ? "" : "+";
      *out += '\n';
      size_t start = 0;
      for (;;) {
        const size_t nl = body.find('\n', start);
        const std::string line = body.substr(start, nl == std::string::npos ? nl : nl - start);
        if (!line.empty()) *out += std::string(static_cast<size_t>(indent) + 2, ' ') + line;
        *out += '\n';
        if (nl == std::string::npos) break;
        start = nl + 1;
      }
      for (size_t i = 1; i < trailing; ++i) *out += '\n';
      return;
    }
    std::string text;
    if (PlainSafe(s) && Chance(style_ == Style::kWild ? 0.5 : 0.9)) {
      text = s;
    } else if (style_ == Style::kPyYaml && printable && !multiline) {
      text = "'";
      for (char c : s) text += c == '\'' ? std::string("''") : std::string(1, c);
      text += "'";
    } else {
      DoubleQuoted(s, &text);
    }
    Wrap(&text, indent);
    *out += text;
    *out += style_ == Style::kWild && Chance(0.1) ? "  # trailing\n" : "\n";
  }

  std::string Key() {
    static const std::vector<std::string> kKeys = {"apiVersion",
                                                   "kind",
                                                   "metadata",
                                                   "name",
                                                   "image",
                                                   "labels",
                                                   "app.kubernetes.io/name",
                                                   "f:spec",
                                                   "k:{\"name\":\"x\"}",
                                                   "on",
                                                   "y",
                                                   "1",
                                                   "0x10",
                                                   "x y",
                                                   "-k",
                                                   "ünï",
                                                   "."};
    const std::string& k = kKeys[Pick(kKeys.size())];
    if (style_ == Style::kWild && Chance(0.1)) return "\"" + k + "\"";
    if (k == "on" || k == "y") return style_ == Style::kPyYaml ? "'" + k + "'" : "\"" + k + "\"";
    return k;
  }

  void Value(int indent, int depth, std::string* out, bool in_sequence) {
    const double r = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (depth < 5 && r < 0.2) {
      if (in_sequence) {
        // Compact: the first entry on the dash's line.
        Mapping(indent + 2, depth + 1, out, /*first_inline=*/true);
      } else {
        *out += '\n';
        Mapping(indent + 2, depth + 1, out);
      }
    } else if (depth < 5 && r < 0.3) {
      *out += '\n';
      // Go and PyYAML write sequences in mappings indentless.
      const bool indentless = !in_sequence && (style_ != Style::kWild || Chance(0.5));
      Sequence(indentless ? indent : indent + 2, depth + 1, out);
    } else if (r < 0.33) {
      *out += Chance(0.5) ? "{}\n" : "[]\n";
    } else if (r < 0.35) {
      *out += '\n';  // null
    } else {
      Scalar(indent, out);
    }
  }

  void Mapping(int indent, int depth, std::string* out, bool first_inline = false) {
    const size_t n = 1 + Pick(6);
    for (size_t i = 0; i < n; ++i) {
      if (!(first_inline && i == 0)) *out += std::string(static_cast<size_t>(indent), ' ');
      *out += Key() + ":";
      std::string value;
      Value(indent, depth, &value, false);
      if (value[0] != '\n') *out += ' ';
      *out += value;
    }
  }

  void Sequence(int indent, int depth, std::string* out) {
    const size_t n = 1 + Pick(4);
    for (size_t i = 0; i < n; ++i) {
      *out += std::string(static_cast<size_t>(indent), ' ') + "-";
      std::string value;
      Value(indent, depth, &value, true);
      if (value[0] != '\n') *out += ' ';
      *out += value;
    }
  }

  std::mt19937 rng_;
  Style style_;
};

std::string Mutate(std::string doc, std::mt19937* rng) {
  static const std::string kBytes = " :-#'\"\n|>{}[]&*!\t\\x?,.%0";
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(*rng); };
  const size_t edits = 1 + pick(3);
  for (size_t e = 0; e < edits && !doc.empty(); ++e) {
    const size_t at = pick(doc.size());
    switch (pick(4)) {
      case 0:
        doc.erase(at, 1);
        break;
      case 1:
        doc.insert(at, 1, kBytes[pick(kBytes.size())]);
        break;
      case 2:
        doc[at] = kBytes[pick(kBytes.size())];
        break;
      default:
        doc.insert(at, std::string(1 + pick(3), ' '));
        break;
    }
  }
  return doc;
}

TEST(YamlFast, GeneratedDocumentsAgree) {
  const std::pair<Generator::Style, const char*> styles[] = {{Generator::Style::kGo, "go"},
                                                             {Generator::Style::kPyYaml, "pyyaml"},
                                                             {Generator::Style::kWild, "wild"}};
  for (const auto& [style, name] : styles) {
    size_t fast = 0;
    size_t total = 0;
    size_t mutated_fast = 0;
    std::mt19937 mutation_rng(99);
    for (uint32_t seed = 1; seed <= 1500; ++seed) {
      Generator gen(seed, style);
      const std::string doc = gen.Document();
      const Outcome o = Compare(doc);
      ASSERT_TRUE(o.agreed) << name << " seed " << seed << ":\n" << doc << "\n" << o.detail;
      ++total;
      fast += o.fast != YamlFastResult::kUnsupported;
      for (int m = 0; m < 4; ++m) {
        const std::string bad = Mutate(doc, &mutation_rng);
        const Outcome mo = Compare(bad);
        ASSERT_TRUE(mo.agreed) << name << " seed " << seed << " mutation:\n"
                               << bad << "\n"
                               << mo.detail;
        mutated_fast += mo.fast != YamlFastResult::kUnsupported;
      }
    }
    // The emitters' own styles are the subset: they must (nearly) all be fast.
    if (style != Generator::Style::kWild) {
      EXPECT_GE(fast * 100, total * 95) << name << ": only " << fast << " of " << total << " fast";
    }
    std::printf("%s: %zu of %zu generated documents fast, %zu of %zu mutations\n", name, fast,
                total, mutated_fast, total * 4);
  }
}

// Every document of every YAML file in the corpus.
TEST(YamlFast, CorpusDocumentsAgree) {
  GS_REQUIRE_CORPUS();
  size_t documents = 0;
  size_t fast = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(testing::CorpusDir())) {
    const auto ext = entry.path().extension();
    if (!entry.is_regular_file() || (ext != ".yaml" && ext != ".yml")) continue;
    const std::string text = testing::ReadFile(entry.path());
    // Documents split at "---" lines, as the framer splits them.
    size_t start = 0;
    for (;;) {
      size_t next = std::string::npos;
      for (size_t nl = text.find('\n', start); nl != std::string::npos;
           nl = text.find('\n', nl + 1)) {
        if (text.compare(nl + 1, 3, "---") == 0 &&
            (nl + 4 >= text.size() || text[nl + 4] == '\n' || text[nl + 4] == ' ')) {
          next = nl + 1;
          break;
        }
      }
      const std::string doc = text.substr(start, next == std::string::npos ? next : next - start);
      const Outcome o = Compare(doc);
      EXPECT_TRUE(o.agreed) << entry.path() << " at byte " << start << "\n" << o.detail;
      ++documents;
      fast += o.fast != YamlFastResult::kUnsupported;
      if (next == std::string::npos) break;
      start = next;
    }
  }
  std::printf("corpus: %zu of %zu YAML documents on the fast path\n", fast, documents);
  EXPECT_GT(documents, 500u);
}

}  // namespace
}  // namespace gatescan
