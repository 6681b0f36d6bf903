#include <gtest/gtest.h>

#include "core/common/json_io.h"
#include "core/data/dataset_meta.h"
#include "tests/core/tokenizer/test_support.h"

using namespace temper;

namespace {

DatasetMeta sampleMeta() {
  DatasetMeta meta;
  meta.tokenizer_path = "/abs/tok.model";
  meta.tokenizer_sha256 = std::string(64, 'a');
  meta.vocab_size = 70000;
  meta.eos_id = 3;
  meta.dtype = dtypeForVocab(meta.vocab_size);
  meta.train_documents = 10;
  meta.val_documents = 2;
  meta.train_tokens = 1000;
  meta.val_tokens = 200;
  meta.bytes = 4321;
  return meta;
}

std::string errorAfterEdit(const test::TempDir& dir, const std::function<void(Json&)>& edit) {
  writeDatasetMeta(dir.path(), sampleMeta());
  Json json = readJsonFile(dir / "meta.json");
  edit(json);
  writeJsonFileAtomic(dir / "meta.json", json);
  Error e = test::catchError([&] { readDatasetMeta(dir.path()); });
  EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
  return e.what();
}

}  // namespace

TEST(DatasetMeta, WritesAndReadsBack) {
  test::TempDir dir;
  writeDatasetMeta(dir.path(), sampleMeta());
  DatasetMeta meta = readDatasetMeta(dir.path());
  EXPECT_EQ(meta.dtype, "uint32");
  EXPECT_EQ(meta.vocab_size, 70000);
  EXPECT_EQ(meta.tokenizer_path, "/abs/tok.model");
  EXPECT_EQ(meta.val_tokens, 200);
  EXPECT_EQ(meta.bytes, 4321);
  EXPECT_EQ(meta.format_version, 1);
}

TEST(DatasetMeta, DtypeFollowsTheVocabulary) {
  EXPECT_EQ(dtypeForVocab(65535), "uint16");
  EXPECT_EQ(dtypeForVocab(65536), "uint32");
  EXPECT_EQ(bytesPerToken("uint16"), 2);
  EXPECT_EQ(bytesPerToken("uint32"), 4);
  EXPECT_EQ(test::catchError([] { bytesPerToken("int8"); }).kind(), ErrorKind::InvalidInput);
}

TEST(DatasetMeta, MissingFileIsAnIoErrorSayingWhy) {
  test::TempDir dir;
  Error e = test::catchError([&] { readDatasetMeta(dir.path()); });
  EXPECT_EQ(e.kind(), ErrorKind::Io);
  EXPECT_NE(std::string(e.what()).find("is not a prepared dataset"), std::string::npos) << e.what();
}

TEST(DatasetMeta, BadFieldsAreNamed) {
  test::TempDir dir;
  const std::string file = (dir / "meta.json").string();
  EXPECT_EQ(errorAfterEdit(dir, [](Json& j) { j.erase("dtype"); }), file + ": field `dtype` is missing");
  EXPECT_EQ(errorAfterEdit(dir, [](Json& j) { j["dtype"] = "float"; }),
            file + ": field `dtype` is `float`, expected uint16 or uint32");
  EXPECT_EQ(errorAfterEdit(dir, [](Json& j) { j["train_tokens"] = "many"; }),
            file + ": field `train_tokens` must be an integer");
  EXPECT_EQ(errorAfterEdit(dir, [](Json& j) { j["eos_id"] = 70000; }),
            file + ": field `eos_id` is 70000, expected 0 to 69999");
  EXPECT_EQ(errorAfterEdit(dir, [](Json& j) { j["dtype"] = "uint16"; }),
            file + ": field `dtype` is uint16 but vocab_size 70000 needs uint32");
  EXPECT_EQ(errorAfterEdit(dir, [](Json& j) { j["format_version"] = 2; }),
            file + ": field `format_version` is 2, newer than this Temper reads (1); prepare the dataset again");
}
