#include "gatescan/allowlist/image_ref.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.h"

namespace gatescan {
namespace {

ImageReference Normalized(std::string_view s, const ImageRefOptions& options = {}) {
  ImageReference ref;
  ParseNormalizedNamed(s, &ref, options);
  return ref;
}

std::string Familiar(const ImageReference& ref) {
  std::string out;
  ref.AppendFamiliarString(&out);
  return out;
}

std::string DockerRef(const ImageReference& ref) {
  std::string out;
  ref.AppendDockerRef(&out);
  return out;
}

TEST(ImageRefTest, FamiliarNamesGetDockerHubDefaults) {
  ImageReference ref = Normalized("busybox");
  ASSERT_TRUE(ref.ok()) << ref.error();
  EXPECT_EQ(ref.domain(), "docker.io");
  EXPECT_EQ(ref.path(), "library/busybox");
  EXPECT_EQ(ref.name(), "docker.io/library/busybox");
  EXPECT_EQ(ref.tag(), "");
  EXPECT_EQ(ref.digest(), "");
  EXPECT_EQ(Familiar(ref), "busybox");
  EXPECT_EQ(DockerRef(ref), "docker.io/library/busybox:latest");

  ref = Normalized("bitnami/redis:7.2");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref.name(), "docker.io/bitnami/redis");
  EXPECT_EQ(ref.tag(), "7.2");

  ref = Normalized("docker.io/nginx");
  EXPECT_EQ(ref.name(), "docker.io/library/nginx");
  ref = Normalized("index.docker.io/nginx:1");
  EXPECT_EQ(ref.name(), "docker.io/library/nginx");
  EXPECT_EQ(ref.String(), "docker.io/library/nginx:1");
}

TEST(ImageRefTest, DomainDetectionFollowsSplitDockerDomain) {
  EXPECT_EQ(Normalized("localhost/app").domain(), "localhost");
  EXPECT_EQ(Normalized("localhost:5000/app").domain(), "localhost:5000");
  EXPECT_EQ(Normalized("gcr.io/team/app").domain(), "gcr.io");
  EXPECT_EQ(Normalized("myreg:5000/app").domain(), "myreg:5000");
  EXPECT_EQ(Normalized("[::1]:5000/app").domain(), "[::1]:5000");
  EXPECT_EQ(Normalized("Registry/app").domain(), "Registry");  // uppercase => a domain
  EXPECT_EQ(Normalized("team/app").domain(), "docker.io");
  EXPECT_EQ(Normalized("team/app").path(), "team/app");
  // A bare "localhost" is a repository on Docker Hub, as in the library.
  EXPECT_EQ(Normalized("localhost").name(), "docker.io/library/localhost");
  // A first component with '.' that is not a host falls back to a domain-less name.
  ImageReference odd = Normalized("a_b.c/d");
  ASSERT_TRUE(odd.ok()) << odd.error();
  EXPECT_EQ(odd.domain(), "");
  EXPECT_EQ(odd.name(), "a_b.c/d");
}

TEST(ImageRefTest, TagAndDigestSplitOff) {
  const std::string hex(64, 'a');
  ImageReference ref = Normalized("quay.io/org/app:v1.2@sha256:" + hex);
  ASSERT_TRUE(ref.ok()) << ref.error();
  EXPECT_EQ(ref.name(), "quay.io/org/app");
  EXPECT_EQ(ref.tag(), "v1.2");
  EXPECT_EQ(ref.digest(), "sha256:" + hex);
  EXPECT_EQ(DockerRef(ref), "quay.io/org/app@sha256:" + hex);
  EXPECT_EQ(Normalized("app:" + std::string(128, 't')).tag().size(), 128u);
  EXPECT_EQ(Normalized("app:" + std::string(129, 't')).error(), "invalid reference format");
  EXPECT_EQ(Normalized("app:.x").error(), "invalid reference format");
}

TEST(ImageRefTest, ErrorsAreTheLibrarysText) {
  EXPECT_EQ(Normalized("").error(), "invalid reference format");
  EXPECT_EQ(Normalized("Foo").error(),
            "invalid reference format: repository name (library/Foo) must be lowercase");
  EXPECT_EQ(Normalized("foo@SHA256:x").error(),
            "invalid reference format: repository name (library/foo@SHA256) must be lowercase");
  const std::string id(64, 'b');
  EXPECT_EQ(Normalized(id).error(),
            "invalid repository name (" + id + "), cannot specify 64-byte hexadecimal strings");
  EXPECT_EQ(Normalized(id).error_code(), ImageRefError::kHexIdentifier);
  // Only Parse's lower-case retry can explain this one: "Fo_o" is a domain by
  // splitDockerDomain, not a valid host, but "fo_o" is a valid path component.
  EXPECT_EQ(Normalized("Fo_o/bar").error(), "repository name must be lowercase");
  EXPECT_EQ(Normalized("x.io/" + std::string(256, 'a')).error(),
            "repository name must not be more than 255 characters");
  EXPECT_TRUE(Normalized("x.io/" + std::string(255, 'a')).ok());
  EXPECT_EQ(Normalized("a@sha256:" + std::string(63, 'a')).error(),
            "invalid checksum digest length");
  EXPECT_EQ(Normalized("a@sha256:" + std::string(64, 'A')).error(),
            "invalid checksum digest format");
  EXPECT_EQ(Normalized("a:t@SHA256:" + std::string(64, 'a')).error(),
            "invalid checksum digest format");
  EXPECT_EQ(Normalized("a@md5:" + std::string(32, 'a')).error(), "unsupported digest algorithm");
  EXPECT_EQ(Normalized("a@sha512:" + std::string(128, 'a')).error(),
            "unsupported digest algorithm");
  ImageReference strict;
  EXPECT_FALSE(ParseReference("", &strict));
  EXPECT_EQ(strict.error(), "repository name must have at least one component");
  // Invalid UTF-8 changes under Go's strings.ToLower, so it reads as uppercase.
  EXPECT_EQ(Normalized("foo\xff").error(),
            "invalid reference format: repository name (library/foo\xff) must be lowercase");
  EXPECT_EQ(Normalized("caf\xc3\xa9").error(), "invalid reference format");
  EXPECT_EQ(Normalized("CAF\xc3\x89").error_code(), ImageRefError::kNameNotLowercase);
}

TEST(ImageRefTest, Sha512FamilyWhenRegistered) {
  ImageRefOptions options;
  options.sha512_family_registered = true;
  EXPECT_TRUE(Normalized("a@sha512:" + std::string(128, 'a'), options).ok());
  EXPECT_TRUE(Normalized("a@sha384:" + std::string(96, 'a'), options).ok());
  EXPECT_EQ(Normalized("a@sha512:" + std::string(64, 'a'), options).error(),
            "invalid checksum digest length");
}

TEST(ImageRefTest, StrictParseHasNoDefaults) {
  ImageReference ref;
  ASSERT_TRUE(ParseReference("foo", &ref));
  EXPECT_EQ(ref.domain(), "");
  EXPECT_EQ(ref.path(), "foo");
  ASSERT_TRUE(ParseReference("foo/bar:1", &ref));
  EXPECT_EQ(ref.domain(), "foo");
  EXPECT_EQ(ref.path(), "bar");
  ASSERT_TRUE(ParseReference("Foo/bar", &ref));
  EXPECT_EQ(ref.domain(), "Foo");
  EXPECT_FALSE(ParseReference("foo/Bar", &ref));
  EXPECT_EQ(ref.error(), "repository name must be lowercase");
}

TEST(ImageRefTest, ReusedReferenceDoesNotReallocate) {
  ImageReference ref;
  const std::vector<std::string_view> images = {
      "registry.example.com:5000/team/some/long/path/app:v1.2.3",
      "busybox",
      "gcr.io/x/y:1",
      "Foo",
      "bad image",
      "Fo_o/bar",
      "nginx:1.25"};
  // The buffer grows to the longest text once (error messages included) ...
  for (std::string_view s : images) ParseNormalizedNamed(s, &ref);
  const char* data = ref.error().empty() ? ref.String().data() : ref.error().data();
  // ... and is then reused: the text never moves.
  for (int round = 0; round < 2; ++round) {
    for (std::string_view s : images) {
      ParseNormalizedNamed(s, &ref);
      EXPECT_EQ(ref.ok() ? ref.String().data() : ref.error().data(), data) << s;
    }
  }
  // Parsing a reference's own text into it is safe.
  ParseNormalizedNamed("nginx", &ref);
  ASSERT_TRUE(ParseNormalizedNamed(ref.String(), &ref));
  EXPECT_EQ(ref.String(), "docker.io/library/nginx");
  // Copies own their text.
  ImageReference copy = ref;
  ParseNormalizedNamed("gcr.io/a/b", &ref);
  EXPECT_EQ(copy.name(), "docker.io/library/nginx");
}

bool Allows(std::string_view entry, std::string_view image) {
  NormalizedEntry e = NormalizeAllowlistEntry(entry);
  EXPECT_NE(e.kind, NormalizedEntry::Kind::kInvalid) << entry << ": " << e.error;
  ImageReference ref;
  ParseNormalizedNamed(image, &ref);
  bool allowed = ReferenceEntryAllows(e, ref);
  // The trie formulation must agree with the direct one.
  std::string key;
  if (e.kind == NormalizedEntry::Kind::kPrefix && ref.ok()) {
    ImageNameKey(ref, &key);
    EXPECT_EQ(allowed, key.compare(0, e.key.size(), e.key) == 0) << entry << " vs " << image;
  } else if (e.kind == NormalizedEntry::Kind::kPinned && ref.ok()) {
    DockerRefKey(ref, &key);
    EXPECT_EQ(allowed, key == e.key) << entry << " vs " << image;
  }
  return allowed;
}

TEST(ImageRefMatchTest, EntriesMatchOnComponentBoundaries) {
  EXPECT_TRUE(Allows("docker.io", "busybox"));
  EXPECT_TRUE(Allows("docker.io", "docker.io/x"));
  EXPECT_TRUE(Allows("docker.io", "index.docker.io/x/y:1"));
  EXPECT_FALSE(Allows("docker.io", "docker.io.evil.com/x"));
  EXPECT_TRUE(Allows("docker.io/", "busybox"));
  EXPECT_TRUE(Allows("docker.io/", "bitnami/redis"));
  EXPECT_FALSE(Allows("docker.io/", "docker.io.evil.com/x"));
  EXPECT_TRUE(Allows("gcr.io/team", "gcr.io/team"));
  EXPECT_TRUE(Allows("gcr.io/team", "gcr.io/team/app:1"));
  EXPECT_FALSE(Allows("gcr.io/team", "gcr.io/teammate/x"));
  EXPECT_FALSE(Allows("gcr.io/team/", "gcr.io/teammate/x"));
  EXPECT_TRUE(Allows("localhost:5000/", "localhost:5000/app"));
  EXPECT_FALSE(Allows("localhost:5000/", "localhost:50001/app"));
  EXPECT_TRUE(Allows("localhost:5000", "localhost:5000/app"));
  EXPECT_FALSE(Allows("localhost:5000", "localhost:50001/app"));
  EXPECT_TRUE(Allows("nginx", "nginx:1.25"));
  EXPECT_TRUE(Allows("nginx", "docker.io/library/nginx@sha256:" + std::string(64, 'a')));
  EXPECT_FALSE(Allows("nginx", "nginx-evil"));
  EXPECT_FALSE(Allows("nginx", "evil/nginx"));
  EXPECT_TRUE(Allows("nginx/", "nginx/app"));  // the Docker Hub namespace "nginx"
  EXPECT_FALSE(Allows("nginx/", "nginx"));
  EXPECT_FALSE(Allows("gcr.io", "GCR.io/x"));
}

TEST(ImageRefMatchTest, PinnedEntriesMatchWhatTheRuntimePulls) {
  const std::string digest = "sha256:" + std::string(64, 'c');
  EXPECT_TRUE(Allows("nginx:latest", "nginx"));
  EXPECT_TRUE(Allows("nginx:1.25", "docker.io/library/nginx:1.25"));
  EXPECT_FALSE(Allows("nginx:1.25", "nginx:1.26"));
  EXPECT_FALSE(Allows("nginx:1.25", "nginx:1.25@" + digest));
  EXPECT_TRUE(Allows("nginx@" + digest, "nginx:any@" + digest));
  EXPECT_TRUE(Allows("nginx:1.25@" + digest, "nginx@" + digest));
  EXPECT_FALSE(Allows("nginx@" + digest, "nginx"));
  EXPECT_FALSE(Allows("nginx:1.25", "nginx/x:1.25"));
}

TEST(ImageRefMatchTest, EntryNormalisation) {
  using Kind = NormalizedEntry::Kind;
  EXPECT_EQ(NormalizeAllowlistEntry("").kind, Kind::kEverything);
  EXPECT_EQ(NormalizeAllowlistEntry("docker.io").key, "docker.io/");
  EXPECT_EQ(NormalizeAllowlistEntry("index.docker.io").key, "docker.io/");
  EXPECT_EQ(NormalizeAllowlistEntry("index.docker.io/").key, "docker.io/");
  EXPECT_EQ(NormalizeAllowlistEntry("myregistry:5000").key, "myregistry:5000/");
  EXPECT_EQ(NormalizeAllowlistEntry("busybox").key, "docker.io/library/busybox/");
  EXPECT_EQ(NormalizeAllowlistEntry("docker.io/busybox").key, "docker.io/library/busybox/");
  EXPECT_EQ(NormalizeAllowlistEntry("docker.io/library/").key, "docker.io/library/");
  NormalizedEntry pinned = NormalizeAllowlistEntry("ubuntu:20.04");
  EXPECT_EQ(pinned.kind, Kind::kPinned);
  EXPECT_EQ(pinned.key, "docker.io/library/ubuntu:20.04");
  NormalizedEntry bad = NormalizeAllowlistEntry("Bad Entry");
  EXPECT_EQ(bad.kind, Kind::kInvalid);
  EXPECT_FALSE(bad.error.empty());
  ImageReference garbage;
  ParseNormalizedNamed("not an image", &garbage);
  EXPECT_TRUE(ReferenceEntryAllows(NormalizeAllowlistEntry(""), garbage));
  EXPECT_FALSE(ReferenceEntryAllows(NormalizeAllowlistEntry("docker.io"), garbage));
}

// Collects every field that differs from the Go library, for one message per row.
struct Diff {
  std::string text;
  void Check(std::string_view what, std::string_view got, std::string_view want) {
    if (got == want) return;
    text.append(what)
        .append(": got \"")
        .append(got)
        .append("\", want \"")
        .append(want)
        .append("\"\n");
  }
};

// distribution/reference's own test tables, run through the Go library.
TEST(ImageRefCorpusTest, DistributionReferenceVectors) {
  GS_REQUIRE_CORPUS();
  std::string tsv =
      testing::ReadFile(testing::CorpusDir() / "imageref" / "distribution-reference-vectors.tsv");
  ASSERT_FALSE(tsv.empty());
  std::istringstream lines(tsv);
  std::string line;
  size_t rows = 0, agreed = 0, strict_agreed = 0;
  bool header = true;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    std::vector<std::string> col;
    std::string cell;
    std::istringstream cells(line);
    while (std::getline(cells, cell, '\t')) col.push_back(cell);
    col.resize(13);
    ++rows;
    const std::string& input = col[0];
    SCOPED_TRACE("input: " + input);
    ImageReference ref;
    ParseNormalizedNamed(input, &ref);
    const bool want_ok = col[2] == "true";
    Diff diff;
    diff.Check("ok", ref.ok() ? "true" : "false", want_ok ? "true" : "false");
    if (want_ok && ref.ok()) {
      diff.Check("domain", ref.domain(), col[4]);
      diff.Check("path", ref.path(), col[5]);
      diff.Check("tag", ref.tag(), col[6]);
      diff.Check("digest", ref.digest(), col[7]);
      diff.Check("name", ref.name(), col[8]);
      diff.Check("string", ref.String(), col[9]);
      diff.Check("familiar", Familiar(ref), col[10]);
      diff.Check("docker ref", DockerRef(ref), col[11]);
    } else {
      diff.Check("error", ref.error(), col[3]);
    }
    EXPECT_TRUE(diff.text.empty()) << diff.text;
    if (diff.text.empty()) ++agreed;
    ImageReference strict;
    ParseReference(input, &strict);
    EXPECT_EQ(strict.ok(), col[1] == "true") << "strict Parse: " << strict.error();
    if (strict.ok() == (col[1] == "true")) ++strict_agreed;
  }
  EXPECT_EQ(rows, 259u);
  EXPECT_EQ(agreed, rows);
  EXPECT_EQ(strict_agreed, rows);
  std::cout << "[ imageref ] distribution-reference-vectors: " << agreed << "/" << rows
            << " ParseNormalizedNamed rows agree, " << strict_agreed << "/" << rows
            << " strict Parse rows agree\n";
}

// Normalising is idempotent, and mangled corpus strings never break the
// parser (run under GATESCAN_SANITIZE for memory errors).
TEST(ImageRefCorpusTest, NormalisedFormIsAFixedPoint) {
  GS_REQUIRE_CORPUS();
  std::string tsv =
      testing::ReadFile(testing::CorpusDir() / "imageref" / "distribution-reference-vectors.tsv");
  std::istringstream lines(tsv);
  std::string line;
  const char kBytes[] = {'/', ':', '@', '.', '_', '-', 'A', 'a', '\xff', '['};
  ImageReference ref, again;
  size_t parsed = 0;
  uint32_t seed = 1;
  while (std::getline(lines, line)) {
    std::string input = line.substr(0, line.find('\t'));
    for (int variant = 0; variant < 16; ++variant) {
      std::string s = input;
      if (variant > 0 && !s.empty()) {
        seed = seed * 1103515245u + 12345u;
        s[(seed >> 8) % s.size()] = kBytes[(seed >> 20) % sizeof(kBytes)];
      }
      if (!ParseNormalizedNamed(s, &ref)) {
        EXPECT_FALSE(ref.error().empty()) << s;
        continue;
      }
      ++parsed;
      ASSERT_TRUE(ParseNormalizedNamed(ref.String(), &again)) << s << ": " << again.error();
      EXPECT_EQ(again.String(), ref.String());
      EXPECT_EQ(again.name(), ref.name());
    }
  }
  EXPECT_GT(parsed, 500u);
}

std::string_view Str(simdjson::dom::object o, std::string_view key) {
  std::string_view v;
  if (o[key].get(v) != simdjson::SUCCESS) return {};
  return v;
}

// Every image string of the real-world corpus, parsed by the Go library.
TEST(ImageRefCorpusTest, RealWorldImageStrings) {
  GS_REQUIRE_CORPUS();
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  auto path = testing::CorpusDir() / "imageref" / "realworld-image-strings-parsed.json";
  ASSERT_EQ(parser.load(path.string()).get(doc), simdjson::SUCCESS);
  simdjson::dom::array vectors;
  ASSERT_EQ(doc["vectors"].get(vectors), simdjson::SUCCESS);
  size_t total = 0, agreed = 0;
  for (simdjson::dom::element v : vectors) {
    ++total;
    std::string input(Str(v.get_object().value(), "input"));
    SCOPED_TRACE("input: " + input);
    simdjson::dom::object dr = v["distribution_reference"].get_object().value();
    simdjson::dom::object want = dr["ParseNormalizedNamed"].get_object().value();
    simdjson::dom::object want_docker = dr["ParseDockerRef"].get_object().value();
    simdjson::dom::object want_strict = dr["Parse_strict_no_normalization"].get_object().value();
    bool want_ok = want["ok"].get_bool().value();

    Diff diff;
    ImageReference ref;
    ParseNormalizedNamed(input, &ref);
    diff.Check("ok", ref.ok() ? "true" : "false", want_ok ? "true" : "false");
    if (want_ok && ref.ok()) {
      diff.Check("string", ref.String(), Str(want, "string"));
      diff.Check("name", ref.name(), Str(want, "name"));
      diff.Check("domain", ref.domain(), Str(want, "domain"));
      diff.Check("path", ref.path(), Str(want, "path"));
      diff.Check("tag", ref.tag(), Str(want, "tag"));
      diff.Check("digest", ref.digest(), Str(want, "digest"));
      diff.Check("familiar", Familiar(ref), Str(want, "familiar_string"));
      diff.Check("docker ref", DockerRef(ref), Str(want_docker, "string"));
    } else {
      diff.Check("error", ref.error(), Str(want, "error"));
    }
    ImageReference strict;
    ParseReference(input, &strict);
    bool strict_ok = want_strict["ok"].get_bool().value();
    diff.Check("strict ok", strict.ok() ? "true" : "false", strict_ok ? "true" : "false");
    if (strict.ok() && strict_ok) {
      diff.Check("strict domain", strict.domain(), Str(want_strict, "domain"));
      diff.Check("strict path", strict.path(), Str(want_strict, "path"));
    } else if (!strict_ok) {
      diff.Check("strict error", strict.error(), Str(want_strict, "error"));
    }
    EXPECT_TRUE(diff.text.empty()) << diff.text;
    if (diff.text.empty()) ++agreed;
  }
  EXPECT_EQ(total, 566u);
  EXPECT_EQ(agreed, total);
  std::cout << "[ imageref ] realworld-image-strings: " << agreed << "/" << total
            << " agree (normalized, docker ref, familiar, strict)\n";
}

}  // namespace
}  // namespace gatescan
