// builtins.cc — the built-in templates: gatekeeper-library's current
// versions of the five image-policy kinds, used for constraints given without
// their template.
#include <cstdlib>

#include "gatescan/policy/image_rego.h"
#include "gatescan/policy/policy.h"

namespace gatescan {
namespace {

// gatekeeper-library's message: "<word> <NAME> has an invalid image repo
// <IMAGE>, allowed repos are REPOS" (v2: "invalid image", "allowed images").
MessageFormat AllowedReposMessage(const std::string& word, std::string_view invalid,
                                  std::string_view allowed) {
  MessageFormat f;
  f.literals = {word + " <", "> has an invalid " + std::string(invalid) + " <",
                ">, allowed " + std::string(allowed) + " are ", ""};
  f.args = {MessageFormat::Arg::kName, MessageFormat::Arg::kImage, MessageFormat::Arg::kList};
  return f;
}

ConstraintTemplate LibraryTemplate(std::string name, std::string kind, RepoPredicate predicate,
                                   std::string parameter, std::string_view invalid,
                                   std::string_view allowed) {
  ConstraintTemplate t;
  t.name = std::move(name);
  t.kind = std::move(kind);
  t.predicate = predicate;
  t.parameter = std::move(parameter);
  t.rules[0] = AllowedReposMessage("container", invalid, allowed);
  t.rules[1] = AllowedReposMessage("initContainer", invalid, allowed);
  t.rules[2] = AllowedReposMessage("ephemeralContainer", invalid, allowed);
  // gatekeeper-library's K8sAllowedRepos checks with strings.any_prefix_match.
  t.image_arrays_match_any.fill(predicate == RepoPredicate::kPrefix);
  t.source = "built-in";
  t.has_schema = true;
  t.schema_parameters = {t.parameter};
  return t;
}

// gatekeeper-library's current Rego, recognised like a given template so the
// built-in semantics are exactly what the recogniser derives from the text.
constexpr std::string_view kExemptContainerLib = R"rego(package lib.exempt_container

is_exempt(container) {
    exempt_images := object.get(object.get(input, "parameters", {}), "exemptImages", [])
    img := container.image
    exemption := exempt_images[_]
    _matches_exemption(img, exemption)
}

_matches_exemption(img, exemption) {
    not endswith(exemption, "*")
    exemption == img
}

_matches_exemption(img, exemption) {
    endswith(exemption, "*")
    prefix := trim_suffix(exemption, "*")
    startswith(img, prefix)
}
)rego";
constexpr std::string_view kDisallowedReposRego = R"rego(package k8sdisallowedrepos

violation[{"msg": msg}] {
  container := input.review.object.spec.containers[_]
  image := container.image
  startswith(image, input.parameters.repos[_])
  msg := sprintf("container <%v> has an invalid image repo <%v>, disallowed repos are %v", [container.name, container.image, input.parameters.repos])
}

violation[{"msg": msg}] {
  container := input.review.object.spec.initContainers[_]
  image := container.image
  startswith(image, input.parameters.repos[_])
  msg := sprintf("initContainer <%v> has an invalid image repo <%v>, disallowed repos are %v", [container.name, container.image, input.parameters.repos])
}

violation[{"msg": msg}] {
  container := input.review.object.spec.ephemeralContainers[_]
  image := container.image
  startswith(image, input.parameters.repos[_])
  msg := sprintf("ephemeralContainer <%v> has an invalid image repo <%v>, disallowed repos are %v", [container.name, container.image, input.parameters.repos])
}
)rego";
constexpr std::string_view kDisallowedTagsRego = R"rego(package k8sdisallowedtags

import data.lib.exempt_container.is_exempt

violation[{"msg": msg}] {
    container := input_containers[_]
    not is_exempt(container)
    tags := [tag_with_prefix | tag := input.parameters.tags[_]; tag_with_prefix := concat(":", ["", tag])]
    strings.any_suffix_match(container.image, tags)
    msg := sprintf("container <%v> uses a disallowed tag <%v>; disallowed tags are %v", [container.name, container.image, input.parameters.tags])
}

violation[{"msg": msg}] {
    container := input_containers[_]
    not is_exempt(container)
    parts := split(container.image, "/")
    not contains(parts[count(parts) - 1], ":")
    msg := sprintf("container <%v> didn't specify an image tag <%v>", [container.name, container.image])
}

input_containers[c] {
    c := input.review.object.spec.containers[_]
}
input_containers[c] {
    c := input.review.object.spec.initContainers[_]
}
input_containers[c] {
    c := input.review.object.spec.ephemeralContainers[_]
}
)rego";
constexpr std::string_view kImageDigestsRego = R"rego(package k8simagedigests

import data.lib.exempt_container.is_exempt

violation[{"msg": msg}] {
  container := input.review.object.spec.containers[_]
  not is_exempt(container)
  not regex.match("@[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+", container.image)
  msg := sprintf("container <%v> uses an image without a digest <%v>", [container.name, container.image])
}

violation[{"msg": msg}] {
  container := input.review.object.spec.initContainers[_]
  not is_exempt(container)
  not regex.match("@[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+", container.image)
  msg := sprintf("initContainer <%v> uses an image without a digest <%v>", [container.name, container.image])
}

violation[{"msg": msg}] {
  container := input.review.object.spec.ephemeralContainers[_]
  not is_exempt(container)
  not regex.match("@[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+", container.image)
  msg := sprintf("ephemeralContainer <%v> uses an image without a digest <%v>", [container.name, container.image])
}
)rego";

ConstraintTemplate BuiltinDenyTemplate(std::string name, std::string kind, ImageFamily family,
                                       std::string_view rego) {
  ConstraintTemplate t;
  t.name = std::move(name);
  t.kind = std::move(kind);
  t.source = "built-in";
  const std::string error = RecogniseDenyRego(family, rego, {std::string(kExemptContainerLib)}, &t);
  if (!error.empty()) std::abort();  // the embedded library text is recognised by construction
  t.has_schema = true;
  if (!t.parameter.empty()) t.schema_parameters.push_back(t.parameter);
  t.schema_parameters.push_back("exemptImages");
  if (family == ImageFamily::kDisallowedRepos) t.schema_parameters.pop_back();
  return t;
}

}  // namespace

ConstraintTemplate BuiltinAllowedReposTemplate() {
  return LibraryTemplate("k8sallowedrepos", "K8sAllowedRepos", RepoPredicate::kPrefix, "repos",
                         "image repo", "repos");
}

ConstraintTemplate BuiltinAllowedReposV2Template() {
  return LibraryTemplate("k8sallowedreposv2", "K8sAllowedReposv2", RepoPredicate::kExactOrGlob,
                         "allowedImages", "image", "images");
}

ConstraintTemplate BuiltinDisallowedReposTemplate() {
  return BuiltinDenyTemplate("k8sdisallowedrepos", "K8sDisallowedRepos",
                             ImageFamily::kDisallowedRepos, kDisallowedReposRego);
}

ConstraintTemplate BuiltinDisallowedTagsTemplate() {
  return BuiltinDenyTemplate("k8sdisallowedtags", "K8sDisallowedTags", ImageFamily::kDisallowedTags,
                             kDisallowedTagsRego);
}

ConstraintTemplate BuiltinImageDigestsTemplate() {
  return BuiltinDenyTemplate("k8simagedigests", "K8sImageDigests", ImageFamily::kImageDigests,
                             kImageDigestsRego);
}

}  // namespace gatescan
