#include <gtest/gtest.h>

#include "core/data/token_file.h"
#include "core/data/token_writer.h"
#include "tests/core/tokenizer/test_support.h"

using namespace temper;

namespace {
using test::contains;

void writeTokens(const std::filesystem::path& path, const std::vector<int>& ids, int width) {
  TokenWriter writer(path, width);
  writer.append(ids);
  writer.commit();
}
}  // namespace

TEST(TokenFile, ReadsWhatTheWriterWroteLittleEndian) {
  test::TempDir dir;
  writeTokens(dir / "a.bin", {0, 1, 258, 65535}, 2);
  EXPECT_EQ(test::readFile(dir / "a.bin"), std::string("\x00\x00\x01\x00\x02\x01\xff\xff", 8));
  TokenFile file = TokenFile::open(dir / "a.bin", "uint16");
  ASSERT_EQ(file.size(), 4);
  EXPECT_EQ(file.at(2), 258u);
  EXPECT_EQ(file.at(3), 65535u);

  writeTokens(dir / "b.bin", {70000, 5, 16777216}, 4);
  TokenFile wide = TokenFile::open(dir / "b.bin", "uint32", 16777217);
  std::vector<int64_t> out(3);
  wide.copyTokens(0, 3, out.data());
  EXPECT_EQ(out, (std::vector<int64_t>{70000, 5, 16777216}));

  TokenFile moved = std::move(wide);
  EXPECT_EQ(moved.size(), 3);
  EXPECT_EQ(wide.size(), 0);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
}

TEST(TokenFile, TruncatedFileIsInvalidInput) {
  test::TempDir dir;
  writeTokens(dir / "train.bin", {1, 2, 3}, 2);
  std::filesystem::resize_file(dir / "train.bin", 5);
  Error e = test::catchError([&] { TokenFile::open(dir / "train.bin", "uint16"); });
  EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
  EXPECT_TRUE(contains(e, (dir / "train.bin").string() + ": truncated token file: 5 bytes is not a multiple of 2"))
      << e.what();
}

TEST(TokenFile, IdsOutsideTheVocabularyAreNamed) {
  test::TempDir dir;
  writeTokens(dir / "t.bin", {1, 2, 500, 3}, 2);
  Error e = test::catchError([&] { TokenFile::open(dir / "t.bin", "uint16", 400); });
  EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
  EXPECT_TRUE(contains(e, "token 2 is id 500, outside the vocabulary of 400")) << e.what();
}

TEST(TokenFile, EmptyFileMissingFileAndRanges) {
  test::TempDir dir;
  writeTokens(dir / "empty.bin", {}, 2);
  EXPECT_EQ(TokenFile::open(dir / "empty.bin", "uint16").size(), 0);
  EXPECT_EQ(test::catchError([&] { TokenFile::open(dir / "none.bin", "uint16"); }).kind(), ErrorKind::Io);

  writeTokens(dir / "t.bin", {1, 2, 3}, 2);
  TokenFile file = TokenFile::open(dir / "t.bin", "uint16");
  std::vector<int64_t> out(4);
  EXPECT_EQ(test::catchError([&] { file.copyTokens(1, 3, out.data()); }).kind(), ErrorKind::Internal);
  EXPECT_EQ(test::catchError([&] { file.at(3); }).kind(), ErrorKind::Internal);
}

TEST(TokenFile, DatasetSplitMustMatchMeta) {
  test::TempDir dir;
  writeTokens(dir / "train.bin", {1, 2, 3}, 2);
  DatasetMeta meta;
  meta.dtype = "uint16";
  meta.vocab_size = 10;
  meta.train_tokens = 4;
  Error e = test::catchError([&] { openDatasetSplit(dir.path(), meta, "train"); });
  EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
  EXPECT_TRUE(contains(e, "holds 3 tokens but meta.json says 4")) << e.what();
  meta.train_tokens = 3;
  EXPECT_EQ(openDatasetSplit(dir.path(), meta, "train").size(), 3);
}

TEST(TokenWriter, AbandonedWriterLeavesNothing) {
  test::TempDir dir;
  {
    TokenWriter writer(dir / "x.bin", 2);
    writer.append(std::vector<int>{1, 2});
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}
