#include "gatescan/input/source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "compress_support.h"
#include "test_support.h"

namespace gatescan {
namespace {

using testing::Gzip;
using testing::Zstd;

namespace fs = std::filesystem;

class SourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gatescan_source_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& rel, const std::string& bytes) {
    fs::path p = dir_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
  }

  fs::path dir_;
};

std::string ReadAll(ByteSource* source, size_t chunk, Status* error) {
  std::string out;
  std::vector<char> buf(chunk);
  for (;;) {
    size_t n = source->Read(buf.data(), chunk, error);
    if (n == 0) break;
    out.append(buf.data(), n);
  }
  return out;
}

std::string Payload(size_t n) {
  std::mt19937 rng(7);
  std::string s;
  while (s.size() < n) s += "{\"name\":\"pod-" + std::to_string(rng() % 100000) + "\"}\n";
  return s;
}

std::vector<std::string> Paths(const std::vector<InputSpec>& inputs) {
  std::vector<std::string> out;
  for (const auto& i : inputs) out.push_back(i.path);
  return out;
}

TEST_F(SourceTest, ListInputsWalksDirectoriesSortedAndFiltered) {
  std::string b = Write("d/b.json", "{}");
  std::string a = Write("d/sub/a.yaml.gz", "");
  std::string c = Write("d/c.ndjson.zst", "");
  Write("d/notes.txt", "");
  Write("d/x.json.bz2", "");
  std::string jl = Write("d/z.jsonl", "");
  std::string yml = Write("d/y.yml", "");
  std::string pods = Write("pods", "{}");  // extension-less, given explicitly
  std::vector<InputSpec> inputs;
  ASSERT_TRUE(ListInputs({pods, (dir_ / "d").string(), "-"}, &inputs).ok());
  std::vector<std::string> expected = {pods, b, c, a, yml, jl, "-"};
  EXPECT_EQ(Paths(inputs), expected);
  EXPECT_EQ(inputs[0].display_name, pods);
  EXPECT_EQ(inputs.back().display_name, "<stdin>");
}

TEST_F(SourceTest, ListInputsDefaultsToStdinAndRejectsMissingPaths) {
  std::vector<InputSpec> inputs;
  ASSERT_TRUE(ListInputs({}, &inputs).ok());
  EXPECT_EQ(Paths(inputs), std::vector<std::string>{"-"});
  std::string missing = (dir_ / "nope.json").string();
  Status s = ListInputs({missing}, &inputs);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(missing), std::string::npos);
}

TEST_F(SourceTest, PlainFileWithSizeHint) {
  std::string payload = Payload(3 << 20);
  std::string path = Write("p.json", payload);
  std::unique_ptr<ByteSource> source;
  ASSERT_TRUE(OpenInput({path, path}, &source).ok());
  EXPECT_EQ(source->compression(), Compression::kNone);
  EXPECT_EQ(source->size_hint(), payload.size());
  Status error;
  EXPECT_EQ(ReadAll(source.get(), 100000, &error), payload);
  EXPECT_TRUE(error.ok());
}

TEST_F(SourceTest, TinyFilesShorterThanTheMagic) {
  for (std::string payload : {"", "{", "{}", "\x1f"}) {
    std::string path = Write("t.json", payload);
    std::unique_ptr<ByteSource> source;
    ASSERT_TRUE(OpenInput({path, path}, &source).ok());
    Status error;
    EXPECT_EQ(ReadAll(source.get(), 1, &error), payload);
    EXPECT_TRUE(error.ok());
  }
}

TEST_F(SourceTest, GzipWithConcatenatedMembers) {
  std::string payload = Payload(2 << 20);
  std::string half = payload.substr(0, payload.size() / 3);
  std::string path = Write("p.gz", Gzip(half) + Gzip(payload.substr(half.size())));
  for (size_t chunk : {size_t{1} << 20, size_t{4096}, size_t{7}}) {
    std::unique_ptr<ByteSource> source;
    ASSERT_TRUE(OpenInput({path, "shown.gz"}, &source).ok());
    EXPECT_EQ(source->compression(), Compression::kGzip);
    Status error;
    EXPECT_EQ(ReadAll(source.get(), chunk, &error), payload);
    EXPECT_TRUE(error.ok()) << error.message();
  }
}

TEST_F(SourceTest, ZstdWithMultipleFrames) {
  std::string payload = Payload(2 << 20);
  std::string half = payload.substr(0, payload.size() / 2);
  std::string path = Write("p.zst", Zstd(half) + Zstd(payload.substr(half.size())));
  std::unique_ptr<ByteSource> source;
  ASSERT_TRUE(OpenInput({path, path}, &source).ok());
  EXPECT_EQ(source->compression(), Compression::kZstd);
  Status error;
  EXPECT_EQ(ReadAll(source.get(), 65536, &error), payload);
  EXPECT_TRUE(error.ok()) << error.message();
}

TEST_F(SourceTest, CorruptAndTruncatedGzipNameInputAndOffset) {
  std::string gz = Gzip(Payload(1 << 20));
  std::string corrupt = gz;
  for (size_t i = 1000; i < 1100; ++i) corrupt[i] ^= 0x5a;
  std::string path = Write("bad.json.gz", corrupt);
  std::unique_ptr<ByteSource> source;
  ASSERT_TRUE(OpenInput({path, "bad.json.gz"}, &source).ok());
  Status error;
  ReadAll(source.get(), 65536, &error);
  ASSERT_FALSE(error.ok());
  EXPECT_NE(error.message().find("bad.json.gz: corrupt gzip stream at compressed byte "),
            std::string::npos)
      << error.message();

  path = Write("cut.json.gz", gz.substr(0, gz.size() / 2));
  ASSERT_TRUE(OpenInput({path, "cut.json.gz"}, &source).ok());
  error = Status();
  std::string got = ReadAll(source.get(), 65536, &error);
  ASSERT_FALSE(error.ok());
  EXPECT_NE(error.message().find("cut.json.gz: truncated gzip stream"), std::string::npos)
      << error.message();
  EXPECT_GT(got.size(), 0u);
}

TEST_F(SourceTest, CorruptAndTruncatedZstd) {
  std::string zst = Zstd(Payload(1 << 20));
  std::string path = Write("cut.zst", zst.substr(0, zst.size() / 2));
  std::unique_ptr<ByteSource> source;
  ASSERT_TRUE(OpenInput({path, "cut.zst"}, &source).ok());
  Status error;
  ReadAll(source.get(), 65536, &error);
  ASSERT_FALSE(error.ok());
  EXPECT_NE(error.message().find("cut.zst: truncated zstd stream"), std::string::npos)
      << error.message();

  std::string corrupt = zst;
  for (size_t i = 20; i < 200; ++i) corrupt[i] ^= 0x33;
  path = Write("bad.zst", corrupt);
  ASSERT_TRUE(OpenInput({path, "bad.zst"}, &source).ok());
  error = Status();
  ReadAll(source.get(), 65536, &error);
  ASSERT_FALSE(error.ok());
  EXPECT_NE(error.message().find("bad.zst: "), std::string::npos) << error.message();
}

TEST_F(SourceTest, OpenMissingFileAndDirectoryFail) {
  std::unique_ptr<ByteSource> source;
  std::string missing = (dir_ / "gone.json").string();
  Status s = OpenInput({missing, missing}, &source);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(missing), std::string::npos);
  EXPECT_FALSE(OpenInput({dir_.string(), dir_.string()}, &source).ok());
}

TEST_F(SourceTest, StdinFromAPipe) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::string payload = Payload(200000);
  std::string gz = Gzip(payload);
  int saved = dup(STDIN_FILENO);
  ASSERT_EQ(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
  close(fds[0]);
  std::thread writer([&] {
    size_t off = 0;
    while (off < gz.size()) {
      ssize_t n = write(fds[1], gz.data() + off, gz.size() - off);
      if (n <= 0) break;
      off += n;
    }
    close(fds[1]);
  });
  std::unique_ptr<ByteSource> source;
  ASSERT_TRUE(OpenInput({"-", "<stdin>"}, &source).ok());
  EXPECT_EQ(source->compression(), Compression::kGzip);
  Status error;
  EXPECT_EQ(ReadAll(source.get(), 65536, &error), payload);
  writer.join();
  EXPECT_TRUE(error.ok());
  source.reset();
  dup2(saved, STDIN_FILENO);
  close(saved);
}

TEST(MemorySourceTest, ReadsInChunks) {
  auto source = MakeMemorySource("hello world");
  EXPECT_EQ(source->size_hint(), 11u);
  Status error;
  EXPECT_EQ(ReadAll(source.get(), 3, &error), "hello world");
}

TEST(SourceCorpusTest, ListsCorpusDirectory) {
  GS_REQUIRE_CORPUS();
  std::vector<InputSpec> inputs;
  auto dir = testing::CorpusDir() / "realworld" / "wey-gu__k8s-graph";
  ASSERT_TRUE(ListInputs({dir.string()}, &inputs).ok());
  bool found = false;
  for (const auto& i : inputs) found |= i.path.ends_with("data/pods.json");
  EXPECT_TRUE(found);
  EXPECT_TRUE(std::is_sorted(inputs.begin(), inputs.end(),
                             [](const auto& a, const auto& b) { return a.path < b.path; }));
}

}  // namespace
}  // namespace gatescan
