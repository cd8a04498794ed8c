// ndjson's hot path (issue 14 leftover: five kinds at the price of one)
// writes the per-object and per-constraint parts of a violation record once
// and the message from pieces escaped once per policy. This checks it,
// byte for byte, against an independent reference that escapes every field
// of every record whole, on random names, images, lists and implied_by
// values full of quotes, backslashes, control bytes, multi-byte and invalid
// UTF-8, and on formats the piecewise path must refuse (non-ASCII literals,
// adjacent arguments, a match error without a format).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "gatescan/audit/owner.h"
#include "gatescan/common/json_text.h"
#include "gatescan/common/k8s_names.h"
#include "gatescan/report/report.h"

namespace gatescan {
namespace {

using Arg = MessageFormat::Arg;

MessageFormat Format(std::vector<std::string> literals, std::vector<Arg> args) {
  MessageFormat f;
  f.literals = std::move(literals);
  f.args = std::move(args);
  return f;
}

std::string Render(const MessageFormat& f, const Violation& v, const std::string& list) {
  std::string out;
  if (!v.implied_by.empty()) out += "[Implied by " + std::string(v.implied_by) + "] ";
  for (size_t i = 0; i < f.args.size(); ++i) {
    out += f.literals[i];
    out += f.args[i] == Arg::kName    ? std::string(v.container_name)
           : f.args[i] == Arg::kImage ? std::string(v.image)
                                      : list;
  }
  return out + f.literals.back();
}

void Field(const std::string& key, std::string_view value, std::string* out) {
  *out += ",\"" + key + "\":";
  AppendJsonString(value, out);
}

std::string RandomText(std::mt19937* rng) {
  static const std::vector<std::string> kPieces = {"a",
                                                   "Z",
                                                   "/",
                                                   ":",
                                                   "<",
                                                   ">",
                                                   "\"",
                                                   "\\",
                                                   "\n",
                                                   "\t",
                                                   "\x01",
                                                   "\x7f",
                                                   "\xc3\xa9",
                                                   "\xc3",
                                                   "\xa9",
                                                   "\xe2\x80\xa8",
                                                   "\xe2\x80",
                                                   "\xff",
                                                   "\xf0\x9f\x98\x80",
                                                   " "};
  std::uniform_int_distribution<size_t> len(0, 12), pick(0, kPieces.size() - 1);
  std::string s;
  for (size_t n = len(*rng); n > 0; --n) s += kPieces[pick(*rng)];
  return s;
}

TEST(NdjsonFast, RecordsEqualEscapingEveryFieldWhole) {
  std::mt19937 rng(14);
  Policy policy;
  const std::vector<MessageFormat> formats = {
      // gatekeeper-library's shape: piecewise.
      Format({"container <", "> has an invalid image repo <", ">, allowed repos are ", ""},
             {Arg::kName, Arg::kImage, Arg::kList}),
      // Escapes inside the literals: still piecewise.
      Format({"\"q\\\n\x01<", ">"}, {Arg::kImage}),
      // Refused: a non-ASCII literal, adjacent arguments.
      Format({"\xc3\xa9 <", "> \xa9", ""}, {Arg::kName, Arg::kList}),
      Format({"", "", "!"}, {Arg::kName, Arg::kImage}),
      Format({"only text"}, {}),
  };
  for (const MessageFormat& f : formats) {
    ConstraintTemplate t;
    t.kind = "K8sDisallowedRepos";
    t.family = ImageFamily::kDisallowedRepos;
    ImageRule rule;
    rule.message = f;
    t.image_rules.push_back(rule);
    policy.templates.push_back(t);
  }
  for (size_t i = 0; i < formats.size() * 2; ++i) {
    Constraint c;
    c.kind = "K8sDisallowedRepos";
    c.name = "c" + std::to_string(i) + RandomText(&rng);
    c.template_index = i % formats.size();
    c.entries_rendered = "[\"" + RandomText(&rng) + "\", \"\\n\"]";
    policy.constraints.push_back(c);
  }
  const auto reporter = MakeReporter(OutputFormat::kNdjson, policy, ReportOptions{});
  InputSpec input{"in.json", "in\"put\xff.json"};

  // Each byte that needs an escape, and its plain neighbours, at every
  // position of a 17-byte name: the word-at-a-time plainness test is exact.
  std::vector<std::string> specials;
  for (const char c : std::string("\x00\x1f\"\\\x80\xff\x20\x7f!#[]", 12)) {
    for (size_t at = 0; at < 17; ++at) {
      std::string name(17, 'a');
      name[at] = c;
      specials.push_back(name);
    }
  }
  for (size_t round = 0; round < specials.size() + 300; ++round) {
    std::vector<std::string> texts;  // storage for the views below
    texts.reserve(64);
    auto text = [&]() -> std::string_view { return texts.emplace_back(RandomText(&rng)); };
    ObjectRecord object;
    object.api_version = round % 2 ? "apps/v1" : "v1";
    object.kind = text();
    object.ns = text();
    object.name = text();
    std::vector<Violation> violations;
    std::uniform_int_distribution<uint32_t> constraint(0, policy.constraints.size() - 1);
    for (int n = std::uniform_int_distribution<int>(1, 6)(rng); n > 0; --n) {
      Violation v;
      v.constraint = constraint(rng);
      v.action = static_cast<EnforcementAction>(rng() % 4);
      v.list = static_cast<ContainerList>(rng() % kContainerListCount);
      v.container_name = violations.empty() && round < specials.size()
                             ? std::string_view(specials[round])
                             : text();
      v.image = text();
      if (rng() % 4 == 0) v.implied_by = text();
      const Constraint& c = policy.constraints[v.constraint];
      if (rng() % 10 == 0) {
        v.is_match_error = true;  // no format: the message is escaped whole
        v.message = texts.emplace_back("match error " + RandomText(&rng));
      } else {
        const MessageFormat& f = policy.templates[c.template_index].image_rules[0].message;
        v.format = &f;
        v.message = texts.emplace_back(Render(f, v, c.entries_rendered));
      }
      violations.push_back(v);
    }
    EvaluatedObject e;
    e.object = &object;
    e.violations = violations;
    e.origin.input = &input;
    e.origin.offset = rng();
    std::string got;
    reporter->Collect(e, &got);

    std::string want;
    const k8s::GroupVersion gv = k8s::SplitApiVersion(object.api_version);
    const Owner owner = TopOwner(object, e.origin.labels);
    for (const Violation& v : violations) {
      const Constraint& c = policy.constraints[v.constraint];
      want += "{\"type\":\"violation\"";
      Field("constraint_kind", c.kind, &want);
      Field("constraint", c.name, &want);
      Field("enforcement_action", ActionName(v.action), &want);
      Field("group", gv.group, &want);
      Field("version", gv.version, &want);
      Field("kind", object.kind, &want);
      Field("namespace", object.ns, &want);
      Field("name", object.name, &want);
      Field("owner_kind", owner.kind, &want);
      Field("owner_name", owner.name, &want);
      Field("container_type", k8s::ContainerTypeWord(v.list), &want);
      Field("container", v.container_name, &want);
      Field("image", v.image, &want);
      Field("message", v.message, &want);
      if (!v.implied_by.empty()) Field("implied_by", v.implied_by, &want);
      Field("source", input.display_name, &want);
      want += ",\"offset\":" + std::to_string(e.origin.offset) + "}\n";
    }
    ASSERT_EQ(got, want) << "round " << round;
  }
}

}  // namespace
}  // namespace gatescan
