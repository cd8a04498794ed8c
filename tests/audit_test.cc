// audit_test.cc — issue 15: owner attribution, finding identity, baselines
// and diffs (src/audit/, src/report/baseline.cc, `gatescan baseline|diff`).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli_support.h"
#include "gatescan/audit/diff.h"
#include "gatescan/audit/finding.h"
#include "gatescan/audit/owner.h"
#include "owner_reference.h"

namespace gatescan {
namespace {

using testing::RunGatescan;
using testing::RunResult;
using testing::TempDir;

ObjectRecord Pod(std::string_view name, std::string_view owner_kind, std::string_view owner_name) {
  ObjectRecord r;
  r.kind = "Pod";
  r.name = name;
  r.owner_kind = owner_kind;
  r.owner_name = owner_name;
  return r;
}

TEST(Owner, ReplicaSetOfADeploymentByItsPodTemplateHash) {
  const Label hash[] = {{"app", "web"}, {"pod-template-hash", "7d4b9c8f5"}};
  Owner o = TopOwner(Pod("web-7d4b9c8f5-x", "ReplicaSet", "web-7d4b9c8f5"), hash);
  EXPECT_EQ(o.kind, "Deployment");
  EXPECT_EQ(o.name, "web");
  EXPECT_EQ(o.evidence, OwnerEvidence::kNamingConvention);
  // No label, another hash, or nothing before the hash: the convention is not proven.
  o = TopOwner(Pod("p", "ReplicaSet", "web-7d4b9c8f5"), {});
  EXPECT_EQ(o.kind, "ReplicaSet");
  EXPECT_EQ(o.name, "web-7d4b9c8f5");
  const Label other[] = {{"pod-template-hash", "abc"}};
  EXPECT_EQ(TopOwner(Pod("p", "ReplicaSet", "web-7d4b9c8f5"), other).kind, "ReplicaSet");
  const Label whole[] = {{"pod-template-hash", "web"}};
  EXPECT_EQ(TopOwner(Pod("p", "ReplicaSet", "web"), whole).kind, "ReplicaSet");
  const Label glued[] = {{"pod-template-hash", "5"}};
  EXPECT_EQ(TopOwner(Pod("p", "ReplicaSet", "web5"), glued).kind, "ReplicaSet");
}

TEST(Owner, JobOfACronJobByItsScheduledMinute) {
  // 29000000 minutes = 2025-02-19: the CronJob controller's name.
  Owner o = TopOwner(Pod("backup-29000000-x", "Job", "backup-29000000"), {});
  EXPECT_EQ(o.kind, "CronJob");
  EXPECT_EQ(o.name, "backup");
  EXPECT_EQ(CronJobOfJob("a-b-29000000"), "a-b");
  // A date, a build number, seconds (the old controller), a leading zero, no
  // prefix: not a scheduled minute.
  for (const char* job : {"migrate-20240101", "build-42", "backup-1700000000", "backup-029000000",
                          "-29000000", "backup-29000000x", "backup"}) {
    EXPECT_EQ(CronJobOfJob(job), "") << job;
    EXPECT_EQ(TopOwner(Pod("p", "Job", job), {}).kind, "Job") << job;
  }
  EXPECT_EQ(CronJobOfJob("x-23667840"), "x");  // 2015-01-01T00:00Z
  EXPECT_EQ(CronJobOfJob("x-23667839"), "");
  EXPECT_EQ(CronJobOfJob("x-68374079"), "x");
  EXPECT_EQ(CronJobOfJob("x-68374080"), "");  // 2100-01-01T00:00Z
}

TEST(Owner, DirectControllerOrSelf) {
  Owner o = TopOwner(Pod("db-0", "StatefulSet", "db"), {});
  EXPECT_EQ(o.kind, "StatefulSet");
  EXPECT_EQ(o.evidence, OwnerEvidence::kOwnerReference);
  o = TopOwner(Pod("lonely", "", ""), {});
  EXPECT_EQ(o.kind, "Pod");
  EXPECT_EQ(o.name, "lonely");
  EXPECT_EQ(o.evidence, OwnerEvidence::kSelf);
}

TEST(Finding, ImpliedPrefixIsNotPartOfTheIdentity) {
  EXPECT_EQ(MessageWithoutImpliedPrefix("[Implied by expand-deployments] container <a> x"),
            "container <a> x");
  EXPECT_EQ(MessageWithoutImpliedPrefix("[Implied by a] [Implied by b] m"), "m");
  EXPECT_EQ(MessageWithoutImpliedPrefix("container <a> x"), "container <a> x");
}

TEST(Finding, EncodedKeysRoundTrip) {
  FindingKey key = {"K",   "c",  "ns", "Deployment", "web", "container", std::string("a\0b", 3),
                    "img", "msg"};
  std::string bytes;
  AppendEncodedKey(key, &bytes);
  AppendEncodedKey(key, &bytes);
  size_t pos = 0;
  FindingKey back;
  ASSERT_TRUE(DecodeKey(bytes, &pos, &back));
  EXPECT_EQ(back, key);
  ASSERT_TRUE(DecodeKey(bytes, &pos, &back));
  EXPECT_EQ(pos, bytes.size());
  pos = 1;
  EXPECT_FALSE(DecodeKey(bytes.substr(0, 7), &pos, &back));
}

TEST(Diff, NewFixedUnchangedByKey) {
  FindingSet a, b;
  a[{"K", "c", "n", "Deployment", "x", "container", "x", "i1", "m1"}] = 3;
  a[{"K", "c", "n", "Deployment", "y", "container", "y", "i2", "m2"}] = 1;
  b[{"K", "c", "n", "Deployment", "y", "container", "y", "i2", "m2"}] = 2;
  b[{"K", "c", "n", "Deployment", "z", "container", "z", "i3", "m3"}] = 1;
  std::string out;
  const DiffCounts c = FormatDiff(a, b, DiffFormat::kNdjson, &out);
  EXPECT_EQ(c.added, 1u);
  EXPECT_EQ(c.fixed, 1u);
  EXPECT_EQ(c.unchanged, 1u);
  EXPECT_NE(out.find("{\"type\":\"unchanged\""), std::string::npos);
  EXPECT_NE(out.find("\"old_count\":1,\"new_count\":2}"), std::string::npos);
  EXPECT_NE(out.find("{\"type\":\"diff_summary\",\"new\":1,\"fixed\":1,\"unchanged\":1}"),
            std::string::npos);
}

// ---- generated dumps: Deployments' pods (and a CronJob's), pods only ----

struct Workload {
  std::string ns, name, image;
  int replicas = 3;
};

// A kubectl List of the workloads' pods, as the Deployment controller names
// them on night `night` (a rollout gives a new pod-template-hash and new pod
// suffixes); `odd_image` replaces the image of the first replica of `odd`.
std::string Dump(const std::vector<Workload>& workloads, int night, const std::string& odd = "",
                 const std::string& odd_image = "") {
  std::mt19937 rng(static_cast<unsigned>(night * 7919));
  auto token = [&](int n) {
    static const char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    std::string s;
    for (int i = 0; i < n; ++i) s += kAlphabet[rng() % (sizeof kAlphabet - 1)];
    return s;
  };
  std::string out = "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[";
  bool first = true;
  for (const Workload& w : workloads) {
    const std::string hash = token(10);
    for (int r = 0; r < w.replicas; ++r) {
      const std::string rs = w.name + "-" + hash;
      const std::string image = (w.name == odd && r == 0) ? odd_image : w.image;
      out += first ? "\n" : ",\n";
      first = false;
      out += "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + rs + "-" +
             token(5) + "\",\"namespace\":\"" + w.ns + "\",\"labels\":{\"app\":\"" + w.name +
             "\",\"pod-template-hash\":\"" + hash +
             "\"},\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\","
             "\"name\":\"" +
             rs + "\",\"uid\":\"u-" + token(8) +
             "\",\"controller\":true,\"blockOwnerDeletion\":true}]},\"spec\":{\"containers\":"
             "[{\"name\":\"main\",\"image\":\"" +
             image + "\"}]}}";
    }
  }
  // A CronJob's pod: its Job is named after the scheduled minute of the night.
  out += ",\n{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"report-" +
         std::to_string(29000000 + night * 1440) + "-" + token(5) +
         "\",\"namespace\":\"ops\",\"ownerReferences\":[{\"kind\":\"Job\",\"name\":\"report-" +
         std::to_string(29000000 + night * 1440) +
         "\",\"controller\":true}]},\"spec\":{\"containers\":[{\"name\":\"r\",\"image\":"
         "\"quay.io/ops/report:1\"}]}}";
  return out + "\n]}\n";
}

std::vector<Workload> Night1() {
  return {{"shop", "api", "gcr.io/shop/api:1"},
          {"shop", "web", "docker.io/shop/web:1"},
          {"shop", "worker", "quay.io/shop/worker:1"},
          {"data", "cache", "quay.io/data/cache:1", 5}};
}

int Count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

const std::vector<std::string> kAllow = {"--allow", "docker.io/"};

std::vector<std::string> Args(std::vector<std::string> head, const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

TEST(Loop, NightOverNightRolloutOneNewOneFixed) {
  TempDir dir;
  std::vector<Workload> night2 = Night1();
  night2[1].image = "gcr.io/shop/web:2";        // a new bad image
  night2[2].image = "docker.io/shop/worker:2";  // a fixed one
  const std::string d1 = dir.Write("night1.json", Dump(Night1(), 1));
  const std::string d2 = dir.Write("night2.json", Dump(night2, 2));
  const std::string base = (dir.path() / "baseline.json").string();
  RunResult r = RunGatescan(Args({"baseline", "-o", base}, Args(kAllow, {d1})));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The same night against its own baseline: nothing new.
  r = RunGatescan(Args({"--baseline", base}, Args(kAllow, {d1})));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Count(r.out, "known: "), 3 + 3 + 5 + 1);
  // A rollout that renames every pod is no new finding.
  r = RunGatescan(
      Args({"--baseline", base}, Args(kAllow, {dir.Write("r.json", Dump(Night1(), 9))})));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  // Night 2: rollout + one new bad image + one fixed.
  r = RunGatescan(Args({"-o", "ndjson", "--baseline", base}, Args(kAllow, {d2})));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(Count(r.out, "\"baseline\":\"new\""), 3) << "web's three replicas, one finding";
  const std::string n1 =
      dir.Write("n1.ndjson", RunGatescan(Args({"-o", "ndjson"}, Args(kAllow, {d1}))).out);
  const std::string n2 =
      dir.Write("n2.ndjson", RunGatescan(Args({"-o", "ndjson"}, Args(kAllow, {d2}))).out);
  for (const std::string& old : {n1, base}) {
    r = RunGatescan({"diff", "-o", "ndjson", old, n2});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.out.find("{\"type\":\"diff_summary\",\"new\":1,\"fixed\":1,\"unchanged\":3}"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("{\"type\":\"new\",\"constraint_kind\":\"K8sAllowedRepos\","
                         "\"constraint\":\"gatescan-allow\",\"namespace\":\"shop\","
                         "\"owner_kind\":\"Deployment\",\"owner_name\":\"web\""),
              std::string::npos);
    EXPECT_NE(r.out.find("{\"type\":\"fixed\",\"constraint_kind\":\"K8sAllowedRepos\","
                         "\"constraint\":\"gatescan-allow\",\"namespace\":\"shop\","
                         "\"owner_kind\":\"Deployment\",\"owner_name\":\"worker\""),
              std::string::npos);
  }
  r = RunGatescan({"diff", n1, n1});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("diff: 0 new, 0 fixed, 4 unchanged"), std::string::npos) << r.out;
}

// Night 1's baseline, and night 2's dump, where one of cache's five replicas
// runs a new bad image.
struct OneNewImage {
  std::string base, dump;
};
OneNewImage NightsWithOneNewImage(TempDir& dir) {
  OneNewImage out{(dir.path() / "b.json").string(),
                  dir.Write("2.json", Dump(Night1(), 2, "cache", "quay.io/data/cache:evil"))};
  const RunResult r = RunGatescan(
      Args({"baseline", "-o", out.base}, Args(kAllow, {dir.Write("1.json", Dump(Night1(), 1))})));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return out;
}

TEST(Loop, ANewImageInOneReplicaIsExactlyOneNewFinding) {
  TempDir dir;
  const auto [base, d] = NightsWithOneNewImage(dir);
  RunResult r = RunGatescan(Args({"-o", "ndjson", "--baseline", base}, Args(kAllow, {d})));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(Count(r.out, "\"baseline\":\"new\""), 1);
  EXPECT_EQ(Count(r.out, "\"baseline\":\"known\""), 3 + 4 + 1 + 3);
  r = RunGatescan(
      {"diff", base,
       dir.Write("2.ndjson", RunGatescan(Args({"-o", "ndjson"}, Args(kAllow, {d}))).out)});
  EXPECT_NE(r.out.find("diff: 1 new, 0 fixed, 4 unchanged"), std::string::npos) << r.out;
  // --exit-zero still wins; a warn-only new finding would not deny.
  r = RunGatescan(Args({"--exit-zero", "--baseline", base}, Args(kAllow, {d})));
  EXPECT_EQ(r.exit_code, 0);
}

TEST(Loop, BadBaselinesAreClearErrors) {
  TempDir dir;
  const std::string dump = dir.Write("d.json", Dump(Night1(), 1));
  const std::string base = (dir.path() / "b.json").string();
  ASSERT_EQ(RunGatescan(Args({"baseline", "-o", base}, Args(kAllow, {dump}))).exit_code, 0);
  const std::string good = testing::ReadFile(base);
  ASSERT_EQ(good.rfind("{\"type\":\"baseline\",\"format\":\"gatescan-baseline\",\"version\":1,", 0),
            0u);
  struct Case {
    std::string content, message;
  };
  const Case cases[] = {
      {good.substr(0, good.size() / 2), "not a JSON object"},
      {"{\"a\":1}\n", "without \"type\""},
      {"[1,2]\n", "not a JSON object"},
      {"", "empty"},
      {"\x1f\x8b\x08garbage", "not a JSON object"},
      {std::regex_replace(good, std::regex("\"version\":1"), "\"version\":2"),
       "baseline version 2"},
      {std::regex_replace(good, std::regex("gatescan-baseline"), "other-tool"), "without format"},
      {good.substr(good.find('\n') + 1), "before the baseline header"},
      {"{\"type\":\"violation\",\"constraint\":\"c\"}\n", "without owner fields"},
      {"{\"type\":\"Pod\"}\n", "record type \"Pod\""},
      {"{\"type\":\"group\",\"constraint\":\"c\"}\n", "without owner fields"},
  };
  for (const Case& c : cases) {
    const std::string bad = dir.Write("bad.json", c.content);
    RunResult r = RunGatescan(Args({"--baseline", bad}, Args(kAllow, {dump})));
    EXPECT_EQ(r.exit_code, 2) << c.message;
    EXPECT_NE(r.err.find("bad.json:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    r = RunGatescan({"diff", bad, base});
    EXPECT_EQ(r.exit_code, 2) << c.message;
  }
  EXPECT_EQ(RunGatescan({"diff", base}).exit_code, 2);
  EXPECT_EQ(RunGatescan({"diff", base, (dir.path() / "missing").string()}).exit_code, 2);
}

// JUnit and Prometheus mark known findings themselves: a case whose findings
// are all in the baseline is <skipped>, a failing case prefixes its known
// messages with "known: ", and every gatescan_violations series gains a
// "baseline" label; the counts agree with ndjson's marks on the same scan.
TEST(Loop, JunitAndPrometheusMarkKnownFindings) {
  TempDir dir;
  const auto [base, d] = NightsWithOneNewImage(dir);
  const RunResult nd = RunGatescan(Args({"-o", "ndjson", "--baseline", base}, Args(kAllow, {d})));
  const int fresh = Count(nd.out, "\"baseline\":\"new\"");
  const int known = Count(nd.out, "\"baseline\":\"known\"");
  ASSERT_EQ(fresh, 1);
  ASSERT_EQ(known, 3 + 4 + 1 + 3);

  // One container per pod: a case per violation.
  const RunResult junit = RunGatescan(Args({"-o", "junit", "--baseline", base}, Args(kAllow, {d})));
  EXPECT_EQ(junit.exit_code, 1) << junit.err;
  EXPECT_NE(junit.out.find("failures=\"1\" skipped=\"" + std::to_string(known) + "\""),
            std::string::npos)
      << junit.out;
  EXPECT_EQ(Count(junit.out, "<skipped message=\"known finding (in the baseline): "), known);
  EXPECT_EQ(Count(junit.out, "<failure "), 1);
  EXPECT_NE(junit.out.find("quay.io/data/cache:evil"), std::string::npos);
  const std::string xsd = (testing::CorpusDir() / "formats/JUnit.xsd").string();
  if (testing::CorpusPresent() && std::system("command -v xmllint > /dev/null 2>&1") == 0) {
    const std::string file = dir.Write("j.xml", junit.out);
    EXPECT_EQ(std::system(("xmllint --noout --schema " + testing::ShellQuote(xsd) + " " +
                           testing::ShellQuote(file) + " 2> /dev/null")
                              .c_str()),
              0);
  }
  // Without --baseline nothing is skipped and the suite has no skipped count.
  const RunResult plain = RunGatescan(Args({"-o", "junit"}, Args(kAllow, {d})));
  EXPECT_EQ(plain.out.find("skipped"), std::string::npos);
  EXPECT_EQ(Count(plain.out, "<failure "), fresh + known);

  // A case with a known and a new finding fails on the new one; the known
  // one is listed with its prefix.
  const auto two = [&](const std::string& name, const std::string& second) {
    return dir.Write(name,
                     R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"n"},)"
                     R"("spec":{"containers":[{"name":"a","image":"gcr.io/a:1"},)"
                     R"({"name":"b","image":")" +
                         second + R"("}]}})");
  };
  const std::string base2 = (dir.path() / "b2.json").string();
  ASSERT_EQ(
      RunGatescan(Args({"baseline", "-o", base2}, Args(kAllow, {two("p1.json", "docker.io/b:1")})))
          .exit_code,
      0);
  const RunResult mixed = RunGatescan(
      Args({"-o", "junit", "--baseline", base2}, Args(kAllow, {two("p2.json", "gcr.io/b:2")})));
  EXPECT_NE(mixed.out.find("<failure type=\"deny\" message=\"container &lt;b&gt;"),
            std::string::npos)
      << mixed.out;
  EXPECT_NE(mixed.out.find("\">known: container &lt;a&gt;"), std::string::npos) << mixed.out;
  EXPECT_NE(mixed.out.find("&#10;container &lt;b&gt;"), std::string::npos) << mixed.out;

  const RunResult prom =
      RunGatescan(Args({"-o", "prometheus", "--baseline", base}, Args(kAllow, {d})));
  int series_new = 0, series_known = 0;
  const std::regex series("\ngatescan_violations\\{[^\n]*baseline=\"(new|known)\"\\} ([0-9]+)");
  for (auto it = std::sregex_iterator(prom.out.begin(), prom.out.end(), series);
       it != std::sregex_iterator(); ++it) {
    ((*it)[1] == "new" ? series_new : series_known) += std::stoi((*it)[2]);
  }
  EXPECT_EQ(series_new, fresh) << prom.out;
  EXPECT_EQ(series_known, known) << prom.out;
  EXPECT_EQ(Count(prom.out, "\ngatescan_violations{"), Count(prom.out, ",baseline=\""));
  if (std::system("command -v promtool > /dev/null 2>&1") == 0) {
    const std::string file = dir.Write("p.prom", prom.out);
    EXPECT_EQ(
        std::system(("promtool check metrics < " + testing::ShellQuote(file) + " > /dev/null 2>&1")
                        .c_str()),
        0);
  }
  EXPECT_EQ(RunGatescan(Args({"-o", "prometheus"}, Args(kAllow, {d}))).out.find("baseline="),
            std::string::npos);
}

// A --group-by ndjson output holds the same findings as the per-violation
// one (each group is its violations without the object), so either is a
// baseline and either side of a diff, with the same counts.
TEST(Loop, GroupedOutputIsABaselineWithTheSameFindings) {
  TempDir dir;
  // Every container violates, so that every dump has groups.
  const std::vector<std::string> all_bad = {"--allow", "\x01-nothing"};
  std::vector<std::string> dumps = {dir.Write("1.json", Dump(Night1(), 1)),
                                    dir.Write("2.json", Dump(Night1(), 2, "cache", "quay.io/c:9"))};
  if (testing::CorpusPresent()) {
    for (const auto& project :
         std::filesystem::directory_iterator(testing::CorpusDir() / "realworld")) {
      dumps.push_back(project.path().string());
    }
  }
  int compared = 0;
  for (const std::string& d : dumps) {
    for (const std::vector<std::string>& expand :
         {std::vector<std::string>{}, std::vector<std::string>{"--expand"}}) {
      const auto scan = [&](std::vector<std::string> extra) {
        extra.insert(extra.end(), {"-o", "ndjson"});
        extra.insert(extra.end(), expand.begin(), expand.end());
        return RunGatescan(Args(extra, Args(all_bad, {d}))).out;
      };
      const std::string plain_out = scan({});
      if (Count(plain_out, "{\"type\":\"violation\"") == 0) continue;  // only refused objects
      ++compared;
      const std::string plain = dir.Write("plain.ndjson", plain_out);
      const std::string grouped = dir.Write("grouped.ndjson", scan({"--group-by", "workload"}));
      ASSERT_GT(Count(testing::ReadFile(grouped), "{\"type\":\"group\""), 0) << d;
      const RunResult r = RunGatescan({"diff", "-o", "ndjson", plain, grouped});
      EXPECT_EQ(r.exit_code, 0) << d << expand.size() << r.err;
      EXPECT_EQ(Count(r.out, "{\"type\":\"new\""), 0) << d << expand.size() << r.out;
      EXPECT_EQ(Count(r.out, "{\"type\":\"fixed\""), 0) << d << expand.size() << r.out;
      EXPECT_GT(Count(r.out, "{\"type\":\"unchanged\""), 0) << d << expand.size();
      // Equal counts too: every unchanged record says old_count == new_count.
      std::istringstream lines(r.out);
      for (std::string line; std::getline(lines, line);) {
        if (line.rfind("{\"type\":\"unchanged\"", 0) != 0) continue;
        const std::regex counts(R"re("old_count":(\d+),"new_count":(\d+))re");
        std::smatch m;
        ASSERT_TRUE(std::regex_search(line, m, counts)) << line;
        EXPECT_EQ(m[1], m[2]) << d << expand.size() << line;
      }
      // As a baseline: the same scan has nothing new.
      std::vector<std::string> again_args = {"-o", "ndjson", "--baseline", grouped};
      again_args.insert(again_args.end(), expand.begin(), expand.end());
      const RunResult again = RunGatescan(Args(again_args, Args(all_bad, {d})));
      EXPECT_EQ(Count(again.out, "\"baseline\":\"new\""), 0) << d << expand.size();
    }
  }
  EXPECT_GE(compared, 4);
  // A group without a positive replica count is refused, naming the line.
  const std::string grouped =
      RunGatescan(Args({"-o", "ndjson", "--group-by", "workload"}, Args(kAllow, {dumps[0]}))).out;
  const std::string bad = dir.Write(
      "bad.ndjson", std::regex_replace(grouped, std::regex("\"replicas\":\\d+"), "\"replicas\":0"));
  const RunResult r = RunGatescan({"diff", bad, bad});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("a group record without a positive \"replicas\""), std::string::npos)
      << r.err;
}

TEST(Loop, ExpandedFindingAndItsLivePodsAreOneFinding) {
  TempDir dir;
  const std::string dump = dir.Write("d.json", R"({"apiVersion":"v1","kind":"List","items":[
{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop"},"spec":{"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"main","image":"gcr.io/x:1"}]}}}},
{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"web-5d4f8","namespace":"shop","labels":{"pod-template-hash":"5d4f8"},"ownerReferences":[{"kind":"Deployment","name":"web","controller":true}]},"spec":{"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"main","image":"gcr.io/x:1"}]}}}},
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-5d4f8-abcde","namespace":"shop","labels":{"pod-template-hash":"5d4f8"},"ownerReferences":[{"kind":"ReplicaSet","name":"web-5d4f8","controller":true}]},"spec":{"containers":[{"name":"main","image":"gcr.io/x:1"}]}}
]})");
  RunResult r = RunGatescan(Args({"baseline", "--expand"}, Args(kAllow, {dump})));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Count(r.out, "{\"type\":\"finding\""), 1) << r.out;
  EXPECT_NE(r.out.find("\"owner_kind\":\"Deployment\",\"owner_name\":\"web\""), std::string::npos);
  EXPECT_NE(r.out.find("\"count\":3}"), std::string::npos) << r.out;
  r = RunGatescan(Args({"-o", "csv", "--expand"}, Args(kAllow, {dump})));
  EXPECT_EQ(Count(r.out, ",Deployment,web,container,main,"), 3) << r.out;
}

TEST(Loop, OwnerObjectsLaterInTheInputLiftBaselinesAndDiffs) {
  TempDir dir;
  // The pod's line is written before the StatefulSet and its custom owner are
  // read: the line names the StatefulSet, the owner records lift it.
  const auto dump = [&](const std::string& pod, const std::string& image) {
    return dir.Write(
        pod + ".json",
        R"({"apiVersion":"v1","kind":"List","items":[
{"apiVersion":"v1","kind":"Pod","metadata":{"name":")" +
            pod +
            R"(","namespace":"db","ownerReferences":[{"kind":"StatefulSet","name":"graph-storaged","controller":true}]},"spec":{"containers":[{"name":"s","image":")" +
            image + R"("}]}},
{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"graph-storaged","namespace":"db","ownerReferences":[{"apiVersion":"apps.nebula-graph.io/v1alpha1","kind":"NebulaCluster","name":"graph","controller":true}]}},
{"apiVersion":"apps.nebula-graph.io/v1alpha1","kind":"NebulaCluster","metadata":{"name":"graph","namespace":"db"}}
]})");
  };
  const std::string base = (dir.path() / "b.json").string();
  ASSERT_EQ(RunGatescan(Args({"baseline", "-o", base},
                             Args(kAllow, {dump("graph-storaged-0", "quay.io/s:1")})))
                .exit_code,
            0);
  const std::string text = testing::ReadFile(base);
  EXPECT_NE(text.find("\"owner_kind\":\"NebulaCluster\",\"owner_name\":\"graph\""),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("{\"type\":\"owner\",\"namespace\":\"db\",\"kind\":\"StatefulSet\""),
            std::string::npos)
      << text;
  RunResult r =
      RunGatescan(Args({"-o", "ndjson"}, Args(kAllow, {dump("graph-storaged-1", "quay.io/s:1")})));
  EXPECT_NE(r.out.find("\"owner_kind\":\"StatefulSet\",\"owner_name\":\"graph-storaged\""),
            std::string::npos);
  const std::string night2 = dir.Write("n2.ndjson", r.out);
  r = RunGatescan({"diff", base, night2});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("unchanged: [gatescan-allow] db/NebulaCluster/graph"), std::string::npos)
      << r.out;
  r = RunGatescan(
      Args({"--baseline", base}, Args(kAllow, {dump("graph-storaged-2", "quay.io/s:1")})));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(Count(r.out, "known: "), 1);
}

// ---- the corpus: every owner against an independent, whole-graph reference ----

TEST(Corpus, OwnersAgreeWithTheWholeGraphReference) {
  GS_REQUIRE_CORPUS();
  const auto realworld = testing::CorpusDir() / "realworld";
  int checked = 0, through_graph = 0;
  for (const auto& project : std::filesystem::directory_iterator(realworld)) {
    const std::vector<testing::RefObject> all =
        testing::LoadReferenceObjects(testing::JsonFilesUnder(project.path()));
    std::map<std::tuple<std::string, std::string, std::string>, const testing::RefObject*> by_name;
    for (const testing::RefObject& o : all) by_name[{o.kind, o.ns, o.name}] = &o;
    // Every container violates: every object with containers gets a record.
    const RunResult r = RunGatescan(
        {"--allow", "\x01-nothing", "-o", "ndjson", "--expand", project.path().string()});
    ASSERT_TRUE(r.exit_code != 2 || OnlyRefusedObjectErrors(r)) << project.path() << r.err;
    // Owner records first (they may follow the violations they lift), then
    // each violation's owner lifted through them as readers do.
    simdjson::dom::parser parser;
    std::map<std::tuple<std::string, std::string, std::string>, std::pair<std::string, std::string>>
        edges;
    std::vector<std::string> violations;
    std::istringstream lines(r.out);
    std::string line;
    while (std::getline(lines, line)) {
      simdjson::dom::element rec;
      ASSERT_FALSE(parser.parse(line).get(rec)) << line;
      std::string_view type, ns, kind, name, ok, on;
      ASSERT_FALSE(rec["type"].get(type));
      if (type == "violation") violations.push_back(line);
      if (type != "owner") continue;
      ASSERT_FALSE(rec["namespace"].get(ns) || rec["kind"].get(kind) || rec["name"].get(name) ||
                   rec["owner_kind"].get(ok) || rec["owner_name"].get(on));
      edges[{std::string(ns), std::string(kind), std::string(name)}] = {std::string(ok),
                                                                        std::string(on)};
    }
    for (const std::string& v : violations) {
      simdjson::dom::element rec;
      ASSERT_FALSE(parser.parse(v).get(rec));
      std::string_view kind, ns, name, owner_kind, owner_name, source;
      ASSERT_FALSE(rec["kind"].get(kind) || rec["namespace"].get(ns) || rec["name"].get(name) ||
                   rec["owner_kind"].get(owner_kind) || rec["owner_name"].get(owner_name) ||
                   rec["source"].get(source));
      if (std::filesystem::path(source).extension() != ".json") continue;  // YAML: not loaded
      auto it = by_name.find({std::string(kind), std::string(ns), std::string(name)});
      ASSERT_NE(it, by_name.end()) << v;
      std::pair<std::string, std::string> got{owner_kind, owner_name};
      for (int step = 0; step < 32; ++step) {
        auto up = edges.find({std::string(ns), got.first, got.second});
        if (up == edges.end()) break;
        got = up->second;
      }
      bool graph = false;
      const auto want = testing::ReferenceOwner(*it->second, all, &graph);
      EXPECT_EQ(got, want) << v;
      ++checked;
      through_graph += graph;
    }
  }
  std::printf("owners checked: %d findings, %d through owner objects present in the input\n",
              checked, through_graph);
  EXPECT_GT(checked, 100);
  EXPECT_GT(through_graph, 0);
}

}  // namespace
}  // namespace gatescan
