#include "gatescan/policy/spec_match.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gatescan {
namespace {

using Op = LabelRequirement::Op;
using LabelPairs = std::vector<std::pair<std::string, std::string>>;

// An object under test; owns the label storage the MatchTarget points into.
struct Obj {
  std::string group;
  std::string kind = "Pod";
  std::string ns = "team-a";
  std::string name = "web-1";
  std::vector<Label> labels;

  MatchTarget Target() const {
    MatchTarget t;
    t.group = group;
    t.kind = kind;
    t.ns = ns;
    t.name = name;
    t.labels = labels;
    return t;
  }
};

Obj Pod(std::string ns = "team-a", std::string name = "web-1") {
  Obj o;
  o.ns = std::move(ns);
  o.name = std::move(name);
  return o;
}
Obj ClusterObj() {
  Obj o;
  o.group = "rbac.authorization.k8s.io";
  o.kind = "ClusterRole";
  o.ns = "";
  o.name = "admin";
  return o;
}
Obj NamespaceObj(std::string name, std::vector<Label> labels = {}) {
  Obj o;
  o.kind = "Namespace";
  o.ns = "";
  o.name = std::move(name);
  o.labels = std::move(labels);
  return o;
}

MatchOutcome Outcome(const MatchSpec& spec, const Obj& obj, const NamespaceIndex& index = {},
                     std::string* error = nullptr) {
  std::string scratch;
  return Matches(spec, obj.Target(), index, error != nullptr ? error : &scratch);
}

bool Sees(const MatchSpec& spec, const Obj& obj, const NamespaceIndex& index = {}) {
  return Outcome(spec, obj, index) == MatchOutcome::kMatch;
}

LabelSelector Expr(std::string key, Op op, std::vector<std::string> values = {}) {
  LabelSelector s;
  s.match_expressions.push_back({std::move(key), op, std::move(values)});
  return s;
}

// ---- wildcards --------------------------------------------------------------

TEST(Wildcard, ExactPrefixSuffixContains) {
  EXPECT_TRUE(WildcardMatches("kube-system", "kube-system"));
  EXPECT_FALSE(WildcardMatches("kube-system", "kube-system2"));
  EXPECT_TRUE(WildcardMatches("kube-*", "kube-public"));
  EXPECT_TRUE(WildcardMatches("kube-*", "kube-"));
  EXPECT_FALSE(WildcardMatches("kube-*", "xkube-public"));
  EXPECT_TRUE(WildcardMatches("*-system", "gatekeeper-system"));
  EXPECT_FALSE(WildcardMatches("*-system", "system-x"));
  EXPECT_TRUE(WildcardMatches("*sys*", "kube-system"));
  EXPECT_TRUE(WildcardMatches("*sys*", "sys"));
  EXPECT_FALSE(WildcardMatches("*sys*", "kube-public"));
}

TEST(Wildcard, StarAloneMatchesEverythingAndInnerStarIsLiteral) {
  EXPECT_TRUE(WildcardMatches("*", ""));
  EXPECT_TRUE(WildcardMatches("*", "anything"));
  EXPECT_TRUE(WildcardMatches("**", "anything"));
  // Only a leading or trailing '*' is a glob.
  EXPECT_FALSE(WildcardMatches("ku*em", "kubesystem"));
  EXPECT_TRUE(WildcardMatches("ku*em", "ku*em"));
  EXPECT_FALSE(WildcardMatches("", "x"));
  EXPECT_TRUE(WildcardMatches("", ""));
  EXPECT_FALSE(WildcardMatches("Kube-*", "kube-system"));  // case-sensitive
}

// ---- label selectors --------------------------------------------------------

TEST(Selector, EmptySelectorMatchesEverything) {
  EXPECT_TRUE(SelectorMatches(LabelSelector{}, std::span<const Label>{}));
  EXPECT_TRUE(SelectorMatches(LabelSelector{}, LabelPairs{{"a", "b"}}));
}

TEST(Selector, MatchLabelsIsEqualityAndRequiresTheKey) {
  LabelSelector s;
  s.match_labels = {{"app", "web"}, {"tier", ""}};
  EXPECT_TRUE(SelectorMatches(s, LabelPairs{{"app", "web"}, {"tier", ""}, {"x", "y"}}));
  EXPECT_FALSE(SelectorMatches(s, LabelPairs{{"app", "web"}}));  // tier="" needs tier present
  EXPECT_FALSE(SelectorMatches(s, LabelPairs{{"app", "Web"}, {"tier", ""}}));
}

TEST(Selector, EachOperatorWithPresentAndAbsentKeys) {
  const LabelPairs with_a{{"a", "x"}};
  const LabelPairs without_a{{"b", "x"}};
  EXPECT_TRUE(SelectorMatches(Expr("a", Op::kIn, {"x", "y"}), with_a));
  EXPECT_FALSE(SelectorMatches(Expr("a", Op::kIn, {"y"}), with_a));
  EXPECT_FALSE(SelectorMatches(Expr("a", Op::kIn, {"x"}), without_a));  // In needs the key

  EXPECT_FALSE(SelectorMatches(Expr("a", Op::kNotIn, {"x"}), with_a));
  EXPECT_TRUE(SelectorMatches(Expr("a", Op::kNotIn, {"y"}), with_a));
  EXPECT_TRUE(SelectorMatches(Expr("a", Op::kNotIn, {"x"}), without_a));  // absent passes

  EXPECT_TRUE(SelectorMatches(Expr("a", Op::kExists), with_a));
  EXPECT_FALSE(SelectorMatches(Expr("a", Op::kExists), without_a));
  EXPECT_FALSE(SelectorMatches(Expr("a", Op::kDoesNotExist), with_a));
  EXPECT_TRUE(SelectorMatches(Expr("a", Op::kDoesNotExist), without_a));

  EXPECT_TRUE(SelectorMatches(Expr("a", Op::kEquals, {"x"}), with_a));
  EXPECT_FALSE(SelectorMatches(Expr("a", Op::kEquals, {"x"}), without_a));
  EXPECT_FALSE(SelectorMatches(Expr("a", Op::kNotEquals, {"x"}), with_a));
  EXPECT_TRUE(
      SelectorMatches(Expr("a", Op::kNotEquals, {"x"}), without_a));  // kubectl: absent passes
}

TEST(Selector, AllRequirementsAreAndedAndSpanOverloadAgrees) {
  LabelSelector s = Expr("a", Op::kExists);
  s.match_labels = {{"b", "1"}};
  s.match_expressions.push_back({"c", Op::kDoesNotExist, {}});
  const std::vector<Label> ok = {{"a", "z"}, {"b", "1"}};
  const std::vector<Label> has_c = {{"a", "z"}, {"b", "1"}, {"c", "q"}};
  EXPECT_TRUE(SelectorMatches(s, std::span<const Label>(ok)));
  EXPECT_FALSE(SelectorMatches(s, std::span<const Label>(has_c)));
  // The last duplicate key wins, like a Go map decoded from JSON.
  const std::vector<Label> dup = {{"b", "2"}, {"a", "z"}, {"b", "1"}};
  EXPECT_TRUE(SelectorMatches(s, std::span<const Label>(dup)));
}

TEST(Selector, ValidateRejectsWhatLabelSelectorAsSelectorRejects) {
  EXPECT_TRUE(ValidateLabelSelector(Expr("app.kubernetes.io/name", Op::kIn, {"a", ""})).ok());
  EXPECT_FALSE(ValidateLabelSelector(Expr("a", Op::kIn, {})).ok());
  EXPECT_FALSE(ValidateLabelSelector(Expr("a", Op::kExists, {"x"})).ok());
  EXPECT_FALSE(ValidateLabelSelector(Expr("bad key", Op::kExists)).ok());
  EXPECT_FALSE(ValidateLabelSelector(Expr("Upper.Prefix/a", Op::kExists)).ok());
  EXPECT_FALSE(ValidateLabelSelector(Expr("a", Op::kIn, {"-x"})).ok());
  EXPECT_FALSE(ValidateLabelSelector(Expr("a", Op::kIn, {std::string(64, 'v')})).ok());
  LabelSelector s;
  s.match_labels = {{"a", "b c"}};
  const Status st = ValidateLabelSelector(s);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("'b c'"), std::string::npos) << st.message();
}

// ---- kinds ------------------------------------------------------------------

TEST(Kinds, EmptyListAndEmptyFieldsMatchAnything) {
  MatchSpec spec;
  EXPECT_TRUE(Sees(spec, Pod()));
  spec.kinds = {KindSelector{}};  // both lists empty
  EXPECT_TRUE(Sees(spec, Pod()));
  spec.kinds = {{{}, {"Pod"}}};  // any group
  EXPECT_TRUE(Sees(spec, Pod()));
  EXPECT_FALSE(Sees(spec, ClusterObj()));
  spec.kinds = {{{"rbac.authorization.k8s.io"}, {}}};  // any kind of that group
  EXPECT_TRUE(Sees(spec, ClusterObj()));
  EXPECT_FALSE(Sees(spec, Pod()));
}

TEST(Kinds, CoreGroupWildcardsAndPairingWithinOneEntry) {
  MatchSpec spec;
  spec.kinds = {{{""}, {"Pod"}}};
  EXPECT_TRUE(Sees(spec, Pod()));
  Obj apps_pod = Pod();
  apps_pod.group = "apps";
  EXPECT_FALSE(Sees(spec, apps_pod));
  spec.kinds = {{{"*"}, {"Pod"}}};
  EXPECT_TRUE(Sees(spec, apps_pod));
  spec.kinds = {{{""}, {"*"}}};
  EXPECT_TRUE(Sees(spec, NamespaceObj("x")));
  EXPECT_FALSE(Sees(spec, ClusterObj()));
  spec.kinds = {{{""}, {"pod"}}};  // kinds are case-sensitive
  EXPECT_FALSE(Sees(spec, Pod()));
  // Groups and kinds pair within one entry, not across entries.
  spec.kinds = {{{"apps"}, {"Deployment"}}, {{""}, {"Service"}}};
  EXPECT_FALSE(Sees(spec, Pod()));
  EXPECT_FALSE(Sees(spec, apps_pod));
  spec.kinds.push_back({{""}, {"Pod"}});
  EXPECT_TRUE(Sees(spec, Pod()));
}

// ---- scope ------------------------------------------------------------------

TEST(Scope, ClusterNamespacedAndAny) {
  MatchSpec spec;
  spec.scope = MatchScope::kCluster;
  EXPECT_FALSE(Sees(spec, Pod()));
  EXPECT_TRUE(Sees(spec, ClusterObj()));
  EXPECT_TRUE(Sees(spec, NamespaceObj("team-a")));  // a Namespace is cluster-scoped
  spec.scope = MatchScope::kNamespaced;
  EXPECT_TRUE(Sees(spec, Pod()));
  EXPECT_FALSE(Sees(spec, ClusterObj()));
  EXPECT_FALSE(Sees(spec, NamespaceObj("team-a")));
  spec.scope = MatchScope::kAny;
  EXPECT_TRUE(Sees(spec, Pod()));
  EXPECT_TRUE(Sees(spec, ClusterObj()));
}

TEST(Scope, OnlyCoreGroupNamespaceIsANamespace) {
  MatchSpec spec;
  spec.scope = MatchScope::kCluster;
  Obj fake = NamespaceObj("x");
  fake.group = "example.com";
  fake.ns = "team-a";  // a namespaced custom kind named Namespace
  EXPECT_FALSE(Sees(spec, fake));
}

// ---- namespaces / excludedNamespaces -----------------------------------------

TEST(Source, OriginalGeneratedAndAll) {
  MatchSpec spec;
  Obj implied = Pod();
  MatchTarget generated = implied.Target();
  generated.generated = true;
  std::string error;
  const NamespaceIndex none;
  EXPECT_TRUE(Sees(spec, Pod()));
  EXPECT_EQ(Matches(spec, generated, none, &error), MatchOutcome::kMatch);
  spec.source = MatchSource::kOriginal;
  EXPECT_TRUE(Sees(spec, Pod()));
  EXPECT_EQ(Matches(spec, generated, none, &error), MatchOutcome::kNoMatch);
  spec.source = MatchSource::kGenerated;
  EXPECT_FALSE(Sees(spec, Pod()));
  EXPECT_EQ(Matches(spec, generated, none, &error), MatchOutcome::kMatch);
  // Decided before the namespaceSelector, so an excluded source never errors.
  spec.namespace_selector = LabelSelector{};
  EXPECT_EQ(Outcome(spec, Pod("unknown-ns")), MatchOutcome::kNoMatch);
}

TEST(Namespaces, IncludeAndExcludeWithGlobs) {
  MatchSpec spec;
  spec.namespaces = {"team-*", "prod"};
  EXPECT_TRUE(Sees(spec, Pod("team-a")));
  EXPECT_TRUE(Sees(spec, Pod("prod")));
  EXPECT_FALSE(Sees(spec, Pod("kube-system")));
  spec.excluded_namespaces = {"*-a"};
  EXPECT_FALSE(Sees(spec, Pod("team-a")));
  EXPECT_TRUE(Sees(spec, Pod("team-b")));
}

TEST(Namespaces, ClusterScopedObjectsCannotBeDisqualified) {
  MatchSpec spec;
  spec.namespaces = {"team-a"};
  EXPECT_TRUE(Sees(spec, ClusterObj()));
  spec.namespaces.clear();
  spec.excluded_namespaces = {"*"};
  EXPECT_TRUE(Sees(spec, ClusterObj()));
  EXPECT_FALSE(Sees(spec, Pod()));
}

TEST(Namespaces, ANamespaceObjectIsInItself) {
  MatchSpec spec;
  spec.namespaces = {"team-a"};
  EXPECT_TRUE(Sees(spec, NamespaceObj("team-a")));
  EXPECT_FALSE(Sees(spec, NamespaceObj("team-b")));
  spec.namespaces.clear();
  spec.excluded_namespaces = {"kube-*"};
  EXPECT_FALSE(Sees(spec, NamespaceObj("kube-system")));
  EXPECT_TRUE(Sees(spec, NamespaceObj("team-b")));
}

// ---- labelSelector ----------------------------------------------------------

TEST(LabelSelectorMatch, UsesTheObjectsOwnLabels) {
  MatchSpec spec;
  spec.label_selector = Expr("app", Op::kIn, {"web"});
  Obj pod = Pod();
  EXPECT_FALSE(Sees(spec, pod));
  pod.labels = {{"app", "web"}};
  EXPECT_TRUE(Sees(spec, pod));
  spec.label_selector = LabelSelector{};  // present but empty: everything
  EXPECT_TRUE(Sees(spec, Pod()));
}

// ---- namespaceSelector -------------------------------------------------------

constexpr char kMissingNamespaceError[] =
    "unable to match constraints: error matching the requested object: web-1 :failed to run "
    "Match criteria: namespace selector for namespace-scoped object but missing Namespace";

TEST(NamespaceSelector, UsesTheKnownNamespacesLabels) {
  NamespaceIndex index;
  index.Add("team-a", {{"env", "prod"}});
  index.Add("team-b", {});
  EXPECT_EQ(index.size(), 2u);
  MatchSpec spec;
  spec.namespace_selector = Expr("env", Op::kIn, {"prod"});
  EXPECT_TRUE(Sees(spec, Pod("team-a"), index));
  EXPECT_FALSE(Sees(spec, Pod("team-b"), index));
  spec.namespace_selector = Expr("env", Op::kNotIn, {"prod"});
  EXPECT_FALSE(Sees(spec, Pod("team-a"), index));
  EXPECT_TRUE(Sees(spec, Pod("team-b"), index));
}

TEST(NamespaceSelector, UnknownNamespaceIsGatekeepersError) {
  NamespaceIndex index;
  index.Add("team-a", {{"env", "prod"}});
  MatchSpec spec;
  spec.namespace_selector = Expr("env", Op::kDoesNotExist);  // would pass an unlabelled ns
  std::string error;
  EXPECT_EQ(Outcome(spec, Pod("elsewhere"), index, &error), MatchOutcome::kError);
  EXPECT_EQ(error, kMissingNamespaceError);
}

TEST(NamespaceSelector, AnEarlierNoMatchWinsOverTheError) {
  MatchSpec spec;
  spec.namespace_selector = Expr("env", Op::kExists);
  spec.kinds = {{{""}, {"Service"}}};
  EXPECT_EQ(Outcome(spec, Pod("elsewhere")), MatchOutcome::kNoMatch);
  spec.kinds.clear();
  spec.label_selector = Expr("app", Op::kExists);
  EXPECT_EQ(Outcome(spec, Pod("elsewhere")), MatchOutcome::kNoMatch);
  // name is checked after namespaceSelector: the error still wins.
  spec.label_selector.reset();
  spec.name = "other";
  EXPECT_EQ(Outcome(spec, Pod("elsewhere")), MatchOutcome::kError);
}

// gator hands every cluster-scoped object an empty Namespace; audit none.
TEST(GatorReview, ClusterScopedObjectsComeWithAnEmptyNamespace) {
  const Obj cluster = ClusterObj();
  MatchTarget gator = cluster.Target();
  gator.empty_namespace_for_cluster_objects = true;
  const NamespaceIndex index;
  std::string error;
  auto in_gator = [&](const MatchSpec& spec) { return Matches(spec, gator, index, &error); };

  MatchSpec scope;
  scope.scope = MatchScope::kCluster;
  EXPECT_TRUE(Sees(scope, cluster));
  EXPECT_EQ(in_gator(scope), MatchOutcome::kNoMatch);
  scope.scope = MatchScope::kNamespaced;
  EXPECT_FALSE(Sees(scope, cluster));
  EXPECT_EQ(in_gator(scope), MatchOutcome::kMatch);

  MatchSpec listed;
  listed.namespaces = {"team-a"};
  EXPECT_TRUE(Sees(listed, cluster));
  EXPECT_EQ(in_gator(listed), MatchOutcome::kNoMatch);
  listed.namespaces = {"*"};
  EXPECT_EQ(in_gator(listed), MatchOutcome::kMatch);
  MatchSpec excluded;
  excluded.excluded_namespaces = {"*"};
  EXPECT_TRUE(Sees(excluded, cluster));
  EXPECT_EQ(in_gator(excluded), MatchOutcome::kNoMatch);

  MatchSpec selector;
  selector.namespace_selector = Expr("env", Op::kExists);
  EXPECT_TRUE(Sees(selector, cluster));
  EXPECT_EQ(in_gator(selector), MatchOutcome::kNoMatch);
  selector.namespace_selector = Expr("env", Op::kDoesNotExist);
  EXPECT_EQ(in_gator(selector), MatchOutcome::kMatch);

  // Namespaces and namespaced objects are reviewed alike by both.
  for (const Obj& obj : {NamespaceObj("team-a"), Pod()}) {
    MatchTarget t = obj.Target();
    t.empty_namespace_for_cluster_objects = true;
    for (MatchScope s : {MatchScope::kCluster, MatchScope::kNamespaced}) {
      MatchSpec spec;
      spec.scope = s;
      EXPECT_EQ(Matches(spec, t, index, &error), Outcome(spec, obj));
    }
  }
}

TEST(NamespaceSelector, GatorInventsAnUnlabelledDefaultNamespace) {
  MatchSpec spec;
  spec.namespace_selector = Expr("env", Op::kExists);
  EXPECT_EQ(Outcome(spec, Pod("default")), MatchOutcome::kNoMatch);
  spec.namespace_selector = Expr("env", Op::kDoesNotExist);
  EXPECT_EQ(Outcome(spec, Pod("default")), MatchOutcome::kMatch);
  NamespaceIndex index;  // a supplied default Namespace is used as given
  index.Add("default", {{"env", "dev"}});
  spec.namespace_selector = Expr("env", Op::kIn, {"dev"});
  EXPECT_EQ(Outcome(spec, Pod("default"), index), MatchOutcome::kMatch);
}

TEST(NamespaceSelector, NamespaceObjectsUseTheirOwnLabelsAndClusterObjectsPass) {
  MatchSpec spec;
  spec.namespace_selector = Expr("env", Op::kIn, {"prod"});
  EXPECT_TRUE(Sees(spec, NamespaceObj("unindexed", {{"env", "prod"}})));
  EXPECT_FALSE(Sees(spec, NamespaceObj("unindexed", {{"env", "dev"}})));
  EXPECT_TRUE(Sees(spec, ClusterObj()));
}

TEST(NamespaceIndex, FindAndReplace) {
  NamespaceIndex index;
  EXPECT_EQ(index.Find("a"), nullptr);
  index.Add("a", {{"k", "1"}});
  index.Add("a", {{"k", "2"}});
  ASSERT_NE(index.Find("a"), nullptr);
  EXPECT_EQ(index.Find("a")->at(0).second, "2");
  EXPECT_EQ(index.size(), 1u);
}

// ---- name -------------------------------------------------------------------

TEST(Name, WildcardsAgainstNameAndGenerateName) {
  MatchSpec spec;
  spec.name = "web-*";
  EXPECT_TRUE(Sees(spec, Pod("ns", "web-1")));
  EXPECT_FALSE(Sees(spec, Pod("ns", "api-1")));
  spec.name = "*-1";
  EXPECT_TRUE(Sees(spec, Pod("ns", "api-1")));
  spec.name = "web-1";
  EXPECT_FALSE(Sees(spec, Pod("ns", "")));

  Obj generated = Pod("ns", "");
  MatchTarget t = generated.Target();
  t.generate_name = "web-";
  spec.name = "web-*";
  EXPECT_EQ(Matches(spec, t, NamespaceIndex{}, nullptr), MatchOutcome::kMatch);
  spec.name = "*eb*";
  EXPECT_EQ(Matches(spec, t, NamespaceIndex{}, nullptr), MatchOutcome::kMatch);
  spec.name = "*-";  // suffix globs say nothing about a generateName
  EXPECT_EQ(Matches(spec, t, NamespaceIndex{}, nullptr), MatchOutcome::kNoMatch);
  spec.name = "web-";  // nor do exact names
  EXPECT_EQ(Matches(spec, t, NamespaceIndex{}, nullptr), MatchOutcome::kNoMatch);
}

// ---- kubectl -l ---------------------------------------------------------------

LabelSelector MustParse(std::string_view text) {
  LabelSelector s;
  const Status st = ParseLabelSelector(text, &s);
  EXPECT_TRUE(st.ok()) << text << ": " << st.message();
  return s;
}

std::string ParseError(std::string_view text) {
  LabelSelector s;
  const Status st = ParseLabelSelector(text, &s);
  EXPECT_FALSE(st.ok()) << text;
  return st.message();
}

TEST(ParseSelector, EveryForm) {
  const LabelSelector s = MustParse(" a=b , c==d,e!=f, g in (x, y),h notin (z),i,!j ");
  ASSERT_EQ(s.match_expressions.size(), 7u);
  const auto& e = s.match_expressions;
  EXPECT_EQ(e[0].key, "a");
  EXPECT_EQ(e[0].op, Op::kEquals);
  EXPECT_EQ(e[0].values, std::vector<std::string>{"b"});
  EXPECT_EQ(e[1].op, Op::kEquals);
  EXPECT_EQ(e[1].values, std::vector<std::string>{"d"});
  EXPECT_EQ(e[2].op, Op::kNotEquals);
  EXPECT_EQ(e[3].op, Op::kIn);
  EXPECT_EQ(e[3].values, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(e[4].op, Op::kNotIn);
  EXPECT_EQ(e[4].values, std::vector<std::string>{"z"});
  EXPECT_EQ(e[5].key, "i");
  EXPECT_EQ(e[5].op, Op::kExists);
  EXPECT_EQ(e[6].key, "j");
  EXPECT_EQ(e[6].op, Op::kDoesNotExist);
  EXPECT_TRUE(MustParse("").match_expressions.empty());
  EXPECT_TRUE(MustParse("   ").match_expressions.empty());
}

TEST(ParseSelector, EmptyValuesKeywordsAsWordsAndPrefixedKeys) {
  EXPECT_EQ(MustParse("a=").match_expressions[0].values, std::vector<std::string>{""});
  EXPECT_EQ(MustParse("a==,b").match_expressions[0].values, std::vector<std::string>{""});
  EXPECT_EQ(MustParse("a in ()").match_expressions[0].values, std::vector<std::string>{""});
  EXPECT_EQ(MustParse("a in (x,,y)").match_expressions[0].values,
            (std::vector<std::string>{"x", "", "y"}));
  const LabelSelector kw = MustParse("in in (notin)");
  EXPECT_EQ(kw.match_expressions[0].key, "in");
  EXPECT_EQ(kw.match_expressions[0].values, std::vector<std::string>{"notin"});
  EXPECT_EQ(MustParse("app.kubernetes.io/name=web").match_expressions[0].key,
            "app.kubernetes.io/name");
}

TEST(ParseSelector, ParsedSelectorsMatchLikeKubectl) {
  const std::vector<Label> web = {{"app", "web"}, {"tier", "front"}};
  const std::vector<Label> bare = {};
  const auto matches = [](std::string_view text, const std::vector<Label>& labels) {
    return SelectorMatches(MustParse(text), std::span<const Label>(labels));
  };
  EXPECT_TRUE(matches("app=web,tier", web));
  EXPECT_FALSE(matches("app=web", bare));
  EXPECT_TRUE(matches("app!=api", web));
  EXPECT_TRUE(matches("app!=web", bare));  // absent key passes !=
  EXPECT_FALSE(matches("app!=web", web));
  EXPECT_TRUE(matches("!env", web));
  EXPECT_FALSE(matches("!app", web));
  EXPECT_TRUE(matches("tier notin (back)", web));
  EXPECT_TRUE(matches("tier notin (back)", bare));
}

TEST(ParseSelector, ErrorsNameTheProblemAndPosition) {
  EXPECT_NE(ParseError("a=b,").find("byte 4"), std::string::npos);
  EXPECT_NE(ParseError("a=b,").find("expected: identifier after ','"), std::string::npos);
  EXPECT_NE(ParseError("a b").find("found 'b'"), std::string::npos);
  EXPECT_NE(ParseError("a in x").find("expected: '('"), std::string::npos);
  EXPECT_NE(ParseError("a in (x").find("end of string"), std::string::npos);
  EXPECT_NE(ParseError("a in (x y)").find("found 'y'"), std::string::npos);
  EXPECT_NE(ParseError("!a=b").find("found '='"), std::string::npos);
  EXPECT_NE(ParseError(",a").find("byte 0"), std::string::npos);
  EXPECT_NE(ParseError("a=b c").find("byte 4"), std::string::npos);
  EXPECT_NE(ParseError("a>1").find("not supported"), std::string::npos);
  EXPECT_NE(ParseError("bad/key/x=1").find("invalid label key"), std::string::npos);
  EXPECT_NE(ParseError("a=-x").find("invalid value '-x'"), std::string::npos);
}

TEST(ParseSelector, FailureLeavesOutputUntouched) {
  LabelSelector s = MustParse("keep=me");
  EXPECT_FALSE(ParseLabelSelector("a in", &s).ok());
  ASSERT_EQ(s.match_expressions.size(), 1u);
  EXPECT_EQ(s.match_expressions[0].key, "keep");
}

}  // namespace
}  // namespace gatescan
