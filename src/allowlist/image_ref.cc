// image_ref.cc — distribution/reference's grammar, scanned by hand.
//
// The library matches one anchored regexp,
//   ^((?:domainAndPort/)?remoteName)(?::(tag))?(?:@(digest))?$
// whose pieces cannot contain each other's delimiters: only the digest holds
// '@' (after the first one), only the first component holds ':' besides the
// tag separator, which is the first ':' of the last '/'-component. So one
// split decides every capture, and the regexp's greedy optional domain means:
// the first component is the domain when it is a valid host[:port] and a '/'
// follows it. Checks then run in the library's order, with its messages.
#include "gatescan/allowlist/image_ref.h"

#include "gatescan/common/utf8.h"

namespace gatescan {

namespace {

constexpr std::string_view kDefaultDomain = "docker.io";
constexpr std::string_view kLegacyDefaultDomain = "index.docker.io";
constexpr std::string_view kOfficialRepoPrefix = "library/";
constexpr std::string_view kLocalhost = "localhost";
constexpr std::string_view kDefaultTag = "latest";

constexpr size_t kTagMaxLength = 128;
constexpr size_t kDigestHexMinLength = 32;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsAlpha(char c) { return IsLower(c) || IsUpper(c); }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
bool IsLowerAlnum(char c) { return IsLower(c) || IsDigit(c); }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsLowerHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); }
bool IsWordChar(char c) { return IsAlnum(c) || c == '_'; }

// domainNameComponent: [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool IsDomainNameComponent(std::string_view c) {
  if (c.empty() || c.front() == '-' || c.back() == '-') return false;
  for (char ch : c) {
    if (!IsAlnum(ch) && ch != '-') return false;
  }
  return true;
}

// domainAndPort: (domainName | \[[a-fA-F0-9:]+\]) (:[0-9]+)?
bool IsDomainAndPort(std::string_view h) {
  if (h.empty()) return false;
  std::string_view port;
  if (h.front() == '[') {
    size_t close = h.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (char ch : h.substr(1, close - 1)) {
      if (!IsHex(ch) && ch != ':') return false;
    }
    port = h.substr(close + 1);
  } else {
    size_t colon = h.find(':');
    std::string_view host = h.substr(0, colon);
    port = colon == std::string_view::npos ? std::string_view() : h.substr(colon);
    while (true) {
      size_t dot = host.find('.');
      if (!IsDomainNameComponent(host.substr(0, dot))) return false;
      if (dot == std::string_view::npos) break;
      host.remove_prefix(dot + 1);
    }
  }
  if (port.empty()) return true;
  if (port.size() < 2 || port.front() != ':') return false;
  for (char ch : port.substr(1)) {
    if (!IsDigit(ch)) return false;
  }
  return true;
}

// pathComponent: [a-z0-9]+ ((?:[._]|__|[-]+) [a-z0-9]+)*
bool IsPathComponent(std::string_view c) {
  size_t i = 0;
  const size_t n = c.size();
  while (true) {
    size_t run = i;
    while (i < n && IsLowerAlnum(c[i])) ++i;
    if (i == run) return false;  // empty alphanumeric run
    if (i == n) return true;
    size_t sep = i;
    while (i < n && !IsLowerAlnum(c[i])) ++i;
    std::string_view s = c.substr(sep, i - sep);
    bool dashes = s.find_first_not_of('-') == std::string_view::npos;
    if (!(s == "." || s == "_" || s == "__" || dashes)) return false;
  }
}

bool IsRemoteName(std::string_view r) {
  while (true) {
    size_t slash = r.find('/');
    if (!IsPathComponent(r.substr(0, slash))) return false;
    if (slash == std::string_view::npos) return true;
    r.remove_prefix(slash + 1);
  }
}

// tag: [\w][\w.-]{0,127}
bool IsTag(std::string_view t) {
  if (t.empty() || t.size() > kTagMaxLength || !IsWordChar(t.front())) return false;
  for (char ch : t) {
    if (!IsWordChar(ch) && ch != '.' && ch != '-') return false;
  }
  return true;
}

// The library's digestPat:
//   [A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}
bool IsReferenceDigest(std::string_view d) {
  size_t i = 0;
  const size_t n = d.size();
  while (true) {
    if (i >= n || !IsAlpha(d[i])) return false;
    ++i;
    while (i < n && IsAlnum(d[i])) ++i;
    if (i < n && (d[i] == '-' || d[i] == '_' || d[i] == '+' || d[i] == '.')) {
      ++i;
      continue;
    }
    break;
  }
  if (i >= n || d[i] != ':') return false;
  std::string_view hex = d.substr(i + 1);
  if (hex.size() < kDigestHexMinLength) return false;
  for (char ch : hex) {
    if (!IsHex(ch)) return false;
  }
  return true;
}

// go-digest's DigestRegexpAnchored: ^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$
bool IsGoDigestFormat(std::string_view d) {
  size_t i = 0;
  const size_t n = d.size();
  while (true) {
    size_t run = i;
    while (i < n && IsLowerAlnum(d[i])) ++i;
    if (i == run) return false;
    if (i < n && (d[i] == '.' || d[i] == '+' || d[i] == '_' || d[i] == '-')) {
      ++i;
      continue;
    }
    break;
  }
  if (i >= n || d[i] != ':' || i + 1 == n) return false;
  for (char ch : d.substr(i + 1)) {
    if (!IsAlnum(ch) && ch != '=' && ch != '_' && ch != '-') return false;
  }
  return true;
}

// identifier: ^[a-f0-9]{64}$
bool IsHexIdentifier(std::string_view s) {
  if (s.size() != 64) return false;
  for (char ch : s) {
    if (!IsLowerHex(ch)) return false;
  }
  return true;
}

// Whether unicode.ToLower(r) != r, for the scripts with case. Outside these
// tables the answer may be wrong; it only ever changes which error message a
// non-ASCII (hence invalid) reference gets, never whether it is valid.
bool RuneHasLowerMapping(uint32_t r) {
  struct Range {
    uint32_t lo, hi;
    uint8_t stride;  // 1: every rune; 2: every other rune starting at lo
  };
  static constexpr Range kUpper[] = {
      {0xC0, 0xD6, 1},     {0xD8, 0xDE, 1},     {0x100, 0x136, 2},   {0x139, 0x147, 2},
      {0x14A, 0x176, 2},   {0x178, 0x179, 1},   {0x17B, 0x17D, 2},   {0x181, 0x182, 1},
      {0x184, 0x186, 2},   {0x187, 0x187, 1},   {0x189, 0x18B, 1},   {0x18E, 0x191, 1},
      {0x193, 0x194, 1},   {0x196, 0x198, 1},   {0x19C, 0x19D, 1},   {0x19F, 0x1A0, 1},
      {0x1A2, 0x1A6, 2},   {0x1A7, 0x1A7, 1},   {0x1A9, 0x1AC, 3},   {0x1AE, 0x1AF, 1},
      {0x1B1, 0x1B3, 1},   {0x1B5, 0x1B7, 2},   {0x1B8, 0x1BC, 4},   {0x1C4, 0x1C5, 1},
      {0x1C7, 0x1C8, 1},   {0x1CA, 0x1CB, 1},   {0x1CD, 0x1DB, 2},   {0x1DE, 0x1EE, 2},
      {0x1F1, 0x1F2, 1},   {0x1F4, 0x1F4, 1},   {0x1F6, 0x1F8, 1},   {0x1FA, 0x232, 2},
      {0x23A, 0x23B, 1},   {0x23D, 0x23E, 1},   {0x241, 0x241, 1},   {0x243, 0x246, 1},
      {0x248, 0x24E, 2},   {0x370, 0x372, 2},   {0x376, 0x376, 1},   {0x37F, 0x37F, 1},
      {0x386, 0x386, 1},   {0x388, 0x38A, 1},   {0x38C, 0x38C, 1},   {0x38E, 0x38F, 1},
      {0x391, 0x3A1, 1},   {0x3A3, 0x3AB, 1},   {0x3CF, 0x3CF, 1},   {0x3D8, 0x3EE, 2},
      {0x3F4, 0x3F4, 1},   {0x3F7, 0x3F9, 2},   {0x3FA, 0x3FA, 1},   {0x3FD, 0x42F, 1},
      {0x460, 0x480, 2},   {0x48A, 0x4BE, 2},   {0x4C0, 0x4C1, 1},   {0x4C3, 0x4CD, 2},
      {0x4D0, 0x52E, 2},   {0x531, 0x556, 1},   {0x10A0, 0x10C5, 1}, {0x13A0, 0x13F5, 1},
      {0x1E00, 0x1E94, 2}, {0x1E9E, 0x1EFE, 2}, {0x2126, 0x212B, 1}, {0x2160, 0x216F, 1},
      {0x24B6, 0x24CF, 1}, {0xFF21, 0xFF3A, 1},
  };
  static constexpr Range kGreekExtendedUpper[] = {
      {0x1F08, 0x1F0F, 1}, {0x1F18, 0x1F1D, 1}, {0x1F28, 0x1F2F, 1}, {0x1F38, 0x1F3F, 1},
      {0x1F48, 0x1F4D, 1}, {0x1F59, 0x1F5F, 2}, {0x1F68, 0x1F6F, 1}, {0x1F88, 0x1F8F, 1},
      {0x1F98, 0x1F9F, 1}, {0x1FA8, 0x1FAF, 1}, {0x1FB8, 0x1FBC, 1}, {0x1FC8, 0x1FCC, 1},
      {0x1FD8, 0x1FDB, 1}, {0x1FE8, 0x1FEC, 1}, {0x1FF8, 0x1FFC, 1}, {0x2C00, 0x2C2F, 1},
  };
  // 0x2127..0x2129 lie inside {0x2126, 0x212B} but have no lower case.
  if (r >= 0x2127 && r <= 0x2129) return false;
  // Deseret, Osage, Old Hungarian, Warang Citi, Medefaidrin, Adlam capitals.
  if ((r >= 0x10400 && r <= 0x10427) || (r >= 0x104B0 && r <= 0x104D3) ||
      (r >= 0x10C80 && r <= 0x10CB2) || (r >= 0x118A0 && r <= 0x118BF) ||
      (r >= 0x16E40 && r <= 0x16E5F) || (r >= 0x1E900 && r <= 0x1E921)) {
    return true;
  }
  const auto in = [r](const Range& g) {
    return r >= g.lo && r <= g.hi && (r - g.lo) % g.stride == 0;
  };
  for (const Range& g : kUpper) {
    if (in(g)) return true;
  }
  for (const Range& g : kGreekExtendedUpper) {
    if (in(g)) return true;
  }
  return false;
}

// strings.ToLower(s) != s, as Go computes it: ASCII capitals, any rune with a
// lower-case mapping, and any invalid UTF-8 (Go rewrites it to U+FFFD).
bool GoToLowerChanges(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (IsUpper(static_cast<char>(c))) return true;
      ++i;
      continue;
    }
    char32_t rune = 0;  // Go's `for range`: an invalid byte has width 0 here
    size_t width = DecodeUtf8(s, i, &rune);
    if (width == 0 || RuneHasLowerMapping(rune)) return true;
    i += width;
  }
  return false;
}

// Appends strings.ToLower(s) to *out when that can still be an ASCII
// reference; false when it cannot (a non-ASCII rune that stays non-ASCII).
// U+212A KELVIN SIGN and U+0130 are the only runes Go lowers to ASCII.
bool AppendAsciiLower(std::string_view s, std::string* out) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out->push_back(IsUpper(static_cast<char>(c)) ? static_cast<char>(c - 'A' + 'a')
                                                   : static_cast<char>(c));
      ++i;
      continue;
    }
    char32_t rune = 0;  // Go's `for range`: an invalid byte has width 0 here
    size_t width = DecodeUtf8(s, i, &rune);
    if (rune == 0x212A && width == 3) {
      out->push_back('k');
    } else if (rune == 0x130 && width == 2) {
      out->push_back('i');
    } else {
      return false;
    }
    i += width;
  }
  return true;
}

// Where the captures of the reference regexp fall in a matched string.
struct ReferenceParts {
  bool has_domain = false;
  size_t domain_len = 0;
  size_t name_len = 0;
  size_t tag_len = 0;     // tag starts at name_len + 1
  size_t digest_len = 0;  // digest is the suffix
};

bool MatchReference(std::string_view t, ReferenceParts* parts) {
  *parts = ReferenceParts();
  std::string_view name_and_tag = t;
  size_t at = t.find('@');
  if (at != std::string_view::npos) {
    std::string_view digest = t.substr(at + 1);
    if (!IsReferenceDigest(digest)) return false;
    parts->digest_len = digest.size();
    name_and_tag = t.substr(0, at);
  }
  size_t last_slash = name_and_tag.rfind('/');
  size_t last_start = last_slash == std::string_view::npos ? 0 : last_slash + 1;
  size_t colon = name_and_tag.find(':', last_start);
  std::string_view name = name_and_tag;
  if (colon != std::string_view::npos) {
    std::string_view tag = name_and_tag.substr(colon + 1);
    if (!IsTag(tag)) return false;
    parts->tag_len = tag.size();
    name = name_and_tag.substr(0, colon);
  }
  std::string_view remote = name;
  size_t first_slash = name.find('/');
  if (first_slash != std::string_view::npos && IsDomainAndPort(name.substr(0, first_slash))) {
    parts->has_domain = true;
    parts->domain_len = first_slash;
    remote = name.substr(first_slash + 1);
  }
  if (!IsRemoteName(remote)) return false;
  parts->name_len = name.size();
  return true;
}

ImageRefError ValidateDigest(std::string_view d, const ImageRefOptions& options) {
  size_t colon = d.find(':');
  std::string_view algorithm = d.substr(0, colon);
  std::string_view encoded = d.substr(colon + 1);
  size_t size = 0;
  if (algorithm == "sha256") {
    size = 32;
  } else if (options.sha512_family_registered && algorithm == "sha384") {
    size = 48;
  } else if (options.sha512_family_registered && algorithm == "sha512") {
    size = 64;
  }
  if (size == 0) {
    return IsGoDigestFormat(d) ? ImageRefError::kDigestUnsupported
                               : ImageRefError::kDigestInvalidFormat;
  }
  if (encoded.size() != size * 2) return ImageRefError::kDigestInvalidLength;
  for (char ch : encoded) {
    if (!IsLowerHex(ch)) return ImageRefError::kDigestInvalidFormat;
  }
  return ImageRefError::kNone;
}

std::string_view FixedMessage(ImageRefError e) {
  switch (e) {
    case ImageRefError::kInvalidFormat:
      return "invalid reference format";
    case ImageRefError::kNameContainsUppercase:
      return "repository name must be lowercase";
    case ImageRefError::kNameEmpty:
      return "repository name must have at least one component";
    case ImageRefError::kNameTooLong:
      return "repository name must not be more than 255 characters";
    case ImageRefError::kDigestInvalidFormat:
      return "invalid checksum digest format";
    case ImageRefError::kDigestUnsupported:
      return "unsupported digest algorithm";
    case ImageRefError::kDigestInvalidLength:
      return "invalid checksum digest length";
    case ImageRefError::kNone:
    case ImageRefError::kNameNotLowercase:
    case ImageRefError::kHexIdentifier:
      break;
  }
  return "";
}

bool AliasesBuffer(std::string_view s, const std::string& buf) {
  const char* b = buf.data();
  return !s.empty() && s.data() >= b && s.data() < b + buf.capacity();
}

}  // namespace

class ImageRefParser {
 public:
  using Parser = bool (*)(std::string_view, ImageReference*, const ImageRefOptions&);

  // Parsers write out->buf_ first, so input that lives there is copied.
  static bool Run(Parser parse, std::string_view s, ImageReference* out,
                  const ImageRefOptions& options) {
    if (AliasesBuffer(s, out->buf_)) {
      std::string copy(s);
      return parse(copy, out, options);
    }
    return parse(s, out, options);
  }

  static bool Fail(ImageReference* out, ImageRefError e) {
    out->buf_.assign(FixedMessage(e));
    out->error_code_ = e;
    out->has_domain_ = false;
    out->domain_len_ = out->name_len_ = out->tag_len_ = out->digest_len_ = 0;
    return false;
  }

  static bool FailWith(ImageReference* out, ImageRefError e, std::string_view before,
                       std::string_view a, std::string_view b, std::string_view after) {
    Fail(out, e);
    out->buf_.assign(before).append(a).append(b).append(after);
    return false;
  }

  // reference.Parse on out->buf_, which holds the string to parse.
  static bool ParseBuffer(ImageReference* out, const ImageRefOptions& options) {
    if (out->buf_.empty()) return Fail(out, ImageRefError::kNameEmpty);
    ReferenceParts parts;
    if (!MatchReference(out->buf_, &parts)) {
      const size_t n = out->buf_.size();
      bool uppercase = false;
      // Appending within the reserved capacity keeps the view valid.
      out->buf_.reserve(2 * n);
      if (GoToLowerChanges(out->buf_) &&
          AppendAsciiLower(std::string_view(out->buf_), &out->buf_)) {
        ReferenceParts lowered;
        uppercase = MatchReference(std::string_view(out->buf_).substr(n), &lowered);
      }
      return Fail(
          out, uppercase ? ImageRefError::kNameContainsUppercase : ImageRefError::kInvalidFormat);
    }
    size_t path_len = parts.has_domain ? parts.name_len - parts.domain_len - 1 : parts.name_len;
    if (path_len > kRepositoryNameTotalLengthMax) return Fail(out, ImageRefError::kNameTooLong);
    if (parts.digest_len != 0) {
      std::string_view digest =
          std::string_view(out->buf_).substr(out->buf_.size() - parts.digest_len);
      ImageRefError e = ValidateDigest(digest, options);
      if (e != ImageRefError::kNone) return Fail(out, e);
    }
    out->error_code_ = ImageRefError::kNone;
    out->has_domain_ = parts.has_domain;
    out->domain_len_ = static_cast<uint32_t>(parts.domain_len);
    out->name_len_ = static_cast<uint32_t>(parts.name_len);
    out->tag_len_ = static_cast<uint32_t>(parts.tag_len);
    out->digest_len_ = static_cast<uint32_t>(parts.digest_len);
    return true;
  }

  static bool Strict(std::string_view s, ImageReference* out, const ImageRefOptions& options) {
    out->buf_.assign(s);
    return ParseBuffer(out, options);
  }

  static bool Normalized(std::string_view s, ImageReference* out, const ImageRefOptions& options) {
    if (IsHexIdentifier(s)) {
      return FailWith(out, ImageRefError::kHexIdentifier, "invalid repository name (", s, "",
                      "), cannot specify 64-byte hexadecimal strings");
    }
    // splitDockerDomain.
    std::string_view domain = kDefaultDomain;
    std::string_view remote = s;
    bool official = false;
    size_t slash = s.find('/');
    if (slash == std::string_view::npos) {
      official = true;
    } else {
      std::string_view maybe_domain = s.substr(0, slash);
      std::string_view maybe_remote = s.substr(slash + 1);
      if (maybe_domain == kLegacyDefaultDomain) {
        remote = maybe_remote;
      } else if (maybe_domain == kLocalhost ||
                 maybe_domain.find_first_of(".:") != std::string_view::npos ||
                 GoToLowerChanges(maybe_domain)) {
        domain = maybe_domain;
        remote = maybe_remote;
      }
      official = domain == kDefaultDomain && remote.find('/') == std::string_view::npos;
    }
    std::string_view prefix = official ? kOfficialRepoPrefix : std::string_view();
    std::string_view remote_name = remote.substr(0, remote.find(':'));
    if (GoToLowerChanges(remote_name)) {
      return FailWith(out, ImageRefError::kNameNotLowercase,
                      "invalid reference format: repository name (", prefix, remote_name,
                      ") must be lowercase");
    }
    out->buf_.assign(domain).append("/").append(prefix).append(remote);
    return ParseBuffer(out, options);
  }
};

std::string_view ImageReference::path() const {
  if (!has_domain_) return name();
  return View(domain_len_ + 1, name_len_ - domain_len_ - 1);
}

std::string_view ImageReference::digest() const {
  return digest_len_ ? View(buf_.size() - digest_len_, digest_len_) : View(0, 0);
}

void ImageReference::AppendFamiliarString(std::string* out) const {
  if (!ok()) return;
  std::string_view d = domain();
  std::string_view p = path();
  if (d == kDefaultDomain) {
    d = {};
    if (p.substr(0, kOfficialRepoPrefix.size()) == kOfficialRepoPrefix) {
      std::string_view rest = p.substr(kOfficialRepoPrefix.size());
      if (rest.find('/') == std::string_view::npos) p = rest;
    }
  }
  if (!d.empty()) out->append(d).push_back('/');
  out->append(p);
  out->append(std::string_view(buf_).substr(name_len_));  // [:tag][@digest]
}

void ImageReference::AppendDockerRef(std::string* out) const {
  if (!ok()) return;
  out->append(name());
  if (digest_len_ != 0) {
    out->push_back('@');
    out->append(digest());
  } else {
    out->push_back(':');
    out->append(tag_len_ != 0 ? tag() : kDefaultTag);
  }
}

bool ParseNormalizedNamed(std::string_view s, ImageReference* out, const ImageRefOptions& options) {
  return ImageRefParser::Run(&ImageRefParser::Normalized, s, out, options);
}

bool ParseReference(std::string_view s, ImageReference* out, const ImageRefOptions& options) {
  return ImageRefParser::Run(&ImageRefParser::Strict, s, out, options);
}

void ImageNameKey(const ImageReference& image, std::string* out) {
  out->assign(image.name());
  out->push_back('/');
}

void DockerRefKey(const ImageReference& image, std::string* out) {
  out->clear();
  image.AppendDockerRef(out);
}

NormalizedEntry NormalizeAllowlistEntry(std::string_view entry) {
  NormalizedEntry result;
  if (entry.empty()) {
    result.kind = NormalizedEntry::Kind::kEverything;
    return result;
  }
  ImageReference ref;
  if (entry.back() == '/') {
    // "X/" names the leading components of "X/x/x"; two placeholder
    // components keep "docker.io/" from turning into docker.io/library.
    constexpr std::string_view kProbe = "x/x";
    std::string probe(entry);
    probe.append(kProbe);
    if (!ParseNormalizedNamed(probe, &ref) || !ref.tag().empty() || !ref.digest().empty()) {
      result.error.assign(ref.ok() ? FixedMessage(ImageRefError::kInvalidFormat) : ref.error());
      return result;
    }
    std::string_view name = ref.name();
    result.kind = NormalizedEntry::Kind::kPrefix;
    result.key.assign(name.substr(0, name.size() - kProbe.size()));
    return result;
  }
  bool single_component = entry.find_first_of("/@") == std::string_view::npos;
  if (single_component && IsDomainAndPort(entry) &&
      (entry == kLocalhost || entry.find_first_of(".:") != std::string_view::npos ||
       GoToLowerChanges(entry))) {
    result.kind = NormalizedEntry::Kind::kPrefix;
    result.key.assign(entry == kLegacyDefaultDomain ? kDefaultDomain : entry).push_back('/');
    return result;
  }
  if (!ParseNormalizedNamed(entry, &ref)) {
    result.error.assign(ref.error());
    return result;
  }
  if (ref.tag().empty() && ref.digest().empty()) {
    result.kind = NormalizedEntry::Kind::kPrefix;
    ImageNameKey(ref, &result.key);
  } else {
    result.kind = NormalizedEntry::Kind::kPinned;
    DockerRefKey(ref, &result.key);
  }
  return result;
}

bool ReferenceEntryAllows(const NormalizedEntry& entry, const ImageReference& image) {
  switch (entry.kind) {
    case NormalizedEntry::Kind::kEverything:
      return true;
    case NormalizedEntry::Kind::kInvalid:
      return false;
    case NormalizedEntry::Kind::kPrefix: {
      if (!image.ok() || entry.key.empty()) return false;
      // key = components + "/"; equal to a prefix of name + "/".
      std::string_view name = image.name();
      std::string_view components = std::string_view(entry.key).substr(0, entry.key.size() - 1);
      return name.substr(0, components.size()) == components &&
             (name.size() == components.size() || name[components.size()] == '/');
    }
    case NormalizedEntry::Kind::kPinned: {
      if (!image.ok()) return false;
      std::string_view key = entry.key;
      std::string_view name = image.name();
      if (key.substr(0, name.size()) != name) return false;
      key.remove_prefix(name.size());
      if (!image.digest().empty()) {
        return !key.empty() && key.front() == '@' && key.substr(1) == image.digest();
      }
      std::string_view tag = image.tag().empty() ? kDefaultTag : image.tag();
      return !key.empty() && key.front() == ':' && key.substr(1) == tag;
    }
  }
  return false;
}

}  // namespace gatescan
