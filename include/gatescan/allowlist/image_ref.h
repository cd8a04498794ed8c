// image_ref.h — container image references, parsed and normalised the way
// container runtimes do, and allowlist matching on component boundaries
// (`--match reference`, SPEC §4.7).
//
// Parsing follows github.com/distribution/reference (the library kubelet,
// containerd and docker use) byte for byte: the same grammar, the same
// `ParseNormalizedNamed` defaults (`busybox` is `docker.io/library/busybox`,
// `index.docker.io` is `docker.io`), the same checks in the same order and the
// same error strings, digests validated as github.com/opencontainers/go-digest
// v1.0.0 does. No regex engine: the grammar is scanned by hand.
//
// Ownership: an `ImageReference` owns its text. On success it holds the
// normalised reference string (`String()` of the Go library, e.g.
// `docker.io/library/busybox:1.36`) and every accessor is a view into it; on
// failure it holds the error message. Views are invalidated by the next parse
// into the same object. Reusing one `ImageReference` per thread makes parsing
// allocation-free once its buffer has grown to the longest reference seen.
// A default-constructed ImageReference is !ok() with an empty error().
// Plain values; thread-compatible (const methods are safe to share).
//
// Matching (reference mode). Allowlist entries are normalised once with
// `NormalizeAllowlistEntry` into one of:
//   - kPrefix: a registry (`docker.io`, `localhost:5000`, `gcr.io/`), or a
//     registry plus leading path components (`gcr.io/team`, `quay.io/org/`),
//     or a whole repository (`nginx` = `docker.io/library/nginx`). Its key is
//     the normalised name plus "/" (`docker.io/`, `gcr.io/team/`,
//     `docker.io/library/nginx/`). It allows an image whose name key
//     (`ImageNameKey`: normalised name plus "/") starts with it. Because both
//     keys end at a '/', a raw byte-prefix test on keys is exactly a
//     component-boundary test: `docker.io/` is not a prefix of
//     `docker.io.evil.com/x/`, `gcr.io/team/` is not a prefix of
//     `gcr.io/teammate/x/`, `localhost:5000/` is not a prefix of
//     `localhost:50001/app/`. A PrefixTrie over kPrefix keys answers
//     `HasPrefixOf(ImageNameKey(image))` for every entry at once.
//   - kPinned: an entry with a tag or a digest (`nginx:1.25`,
//     `gcr.io/x/app@sha256:…`) pins the exact image a runtime would pull. Its
//     key is the Docker reference (`ParseDockerRef`: `:latest` added when
//     neither tag nor digest is given, the tag dropped when a digest is), and
//     it allows an image whose `DockerRefKey` is equal (PrefixTrie::Find).
//     So `nginx:latest` allows `nginx`, and `nginx@sha256:X` allows
//     `nginx:1.25@sha256:X` (the runtime pulls by digest), while `nginx:1.25`
//     does not allow `nginx:1.25@sha256:X`.
//   - kEverything: the empty entry, which in Gatekeeper allows every image;
//     kept so that reference mode never allows less than the policy meant by
//     accident of spelling.
//   - kInvalid: the entry is not a reference; `error` says why.
// How an entry is read:
//   - ending in '/': a component prefix. `X/` is read as the first components
//     of `X/a/b`, so `docker.io/` is the registry docker.io (not
//     docker.io/library), `nginx/` is the namespace docker.io/nginx and
//     `localhost:5000/` the registry localhost:5000.
//   - without '/' or '@', and a valid host[:port] that contains '.' or ':',
//     is `localhost`, or has uppercase letters (the same tests splitDockerDomain
//     applies to a first component): a registry. So `gcr.io`, `localhost:5000`,
//     `myregistry:5000` are registries; `ubuntu:20.04` (port not numeric) and
//     `busybox` are images.
//   - anything else: parsed with ParseNormalizedNamed (`docker.io/nginx` is
//     `docker.io/library/nginx`, `index.docker.io/x/y` is `docker.io/x/y`).
// Registry names are compared as written (case-sensitive), as the library
// keeps them: `GCR.io/x` is not allowed by `gcr.io`, which fails closed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gatescan {

// Which check rejected a reference; the exact text is ImageReference::error().
enum class ImageRefError : uint8_t {
  kNone,
  kInvalidFormat,          // "invalid reference format"
  kNameNotLowercase,       // "invalid reference format: repository name (…) must be lowercase"
  kNameContainsUppercase,  // "repository name must be lowercase"
  kNameEmpty,              // "repository name must have at least one component"
  kNameTooLong,            // "repository name must not be more than 255 characters"
  kHexIdentifier,  // "invalid repository name (…), cannot specify 64-byte hexadecimal strings"
  kDigestInvalidFormat,  // "invalid checksum digest format"
  kDigestUnsupported,    // "unsupported digest algorithm"
  kDigestInvalidLength,  // "invalid checksum digest length"
};

struct ImageRefOptions {
  // go-digest accepts sha384/sha512 only when the program links crypto/sha512
  // (real runtimes do, through TLS); the upstream tests and our vectors do
  // not, so by default only sha256 is a supported algorithm.
  bool sha512_family_registered = false;
};

// Longest path (remote name) the library accepts: RepositoryNameTotalLengthMax.
inline constexpr size_t kRepositoryNameTotalLengthMax = 255;

class ImageReference {
 public:
  bool ok() const { return error_code_ == ImageRefError::kNone; }
  ImageRefError error_code() const { return error_code_; }
  // The Go library's error text; empty when ok().
  std::string_view error() const { return ok() ? std::string_view() : std::string_view(buf_); }

  // The parts below are empty when !ok(). domain() is empty only for a
  // strict parse without a registry (`ParseReference("foo")`) or for the odd
  // name whose first component is not a valid host (`a_b.c/d`).
  std::string_view domain() const { return View(0, domain_len_); }
  std::string_view path() const;
  // domain + "/" + path (or just path when domain is empty): Named.Name().
  std::string_view name() const { return View(0, name_len_); }
  std::string_view tag() const { return tag_len_ ? View(name_len_ + 1, tag_len_) : View(0, 0); }
  // "algorithm:hex", without the '@'.
  std::string_view digest() const;
  // name[:tag][@digest]: Reference.String().
  std::string_view String() const { return ok() ? std::string_view(buf_) : std::string_view(); }

  // reference.FamiliarString: `docker.io/library/x` -> `x`, `docker.io/a/b` -> `a/b`.
  void AppendFamiliarString(std::string* out) const;
  // ParseDockerRef(...).String(): what a runtime pulls.
  void AppendDockerRef(std::string* out) const;

 private:
  friend class ImageRefParser;  // image_ref.cc

  std::string_view View(size_t pos, size_t len) const {
    return ok() ? std::string_view(buf_).substr(pos, len) : std::string_view();
  }

  std::string buf_;  // String() when ok(), the error message otherwise
  ImageRefError error_code_ = ImageRefError::kNameEmpty;
  bool has_domain_ = false;
  uint32_t domain_len_ = 0;
  uint32_t name_len_ = 0;
  uint32_t tag_len_ = 0;
  uint32_t digest_len_ = 0;
};

// reference.ParseNormalizedNamed: docker.io and library/ defaults. Returns
// out->ok(). Never throws.
bool ParseNormalizedNamed(std::string_view s, ImageReference* out,
                          const ImageRefOptions& options = {});
// reference.Parse: strict, no defaults (`foo` has no domain, `foo/bar` has
// domain `foo`). Returns out->ok(). Never throws.
bool ParseReference(std::string_view s, ImageReference* out, const ImageRefOptions& options = {});

// Keys for PrefixTrie lookups (see the header comment); they replace *out.
void ImageNameKey(const ImageReference& image, std::string* out);  // name + "/"
void DockerRefKey(const ImageReference& image, std::string* out);  // ParseDockerRef string

struct NormalizedEntry {
  enum class Kind : uint8_t { kInvalid, kEverything, kPrefix, kPinned };
  Kind kind = Kind::kInvalid;
  std::string key;    // kPrefix: normalised name + "/"; kPinned: Docker reference
  std::string error;  // kInvalid: the parser's error text
};

NormalizedEntry NormalizeAllowlistEntry(std::string_view entry);

// One entry against one parsed image, without allocating. An image that did
// not parse is allowed only by kEverything.
bool ReferenceEntryAllows(const NormalizedEntry& entry, const ImageReference& image);

}  // namespace gatescan
