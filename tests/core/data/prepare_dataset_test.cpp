// Preparing datasets: the split, the token files, meta.json, and the errors.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/common/hashing.h"
#include "core/common/json_io.h"
#include "core/data/prepare_dataset.h"
#include "core/data/token_file.h"
#include "tests/core/data/data_test_support.h"

using namespace temper;

namespace {

[[maybe_unused]] auto* const kCleanup = ::testing::AddGlobalTestEnvironment(new test::SharedTokenizerCleanup);

using test::contains;

std::vector<std::string> makeDocuments(int count) {
  std::vector<std::string> documents;
  for (int i = 0; i < count; ++i) {
    documents.push_back("// document " + std::to_string(i) + " — ünïcode\nfunction f" + std::to_string(i) +
                        "() {\n    return " + std::to_string(i * i) + ";\n}\n");
  }
  return documents;
}

// Documents of a token file: the runs between eos ids, decoded.
std::vector<std::string> decodeDocuments(const TokenFile& file, const Tokenizer& tokenizer) {
  std::vector<std::string> documents;
  std::vector<int> current;
  for (int64_t i = 0; i < file.size(); ++i) {
    auto id = static_cast<int>(file.at(i));
    if (id == tokenizer.eosId()) {
      documents.push_back(tokenizer.decode(current));
      current.clear();
    } else {
      current.push_back(id);
    }
  }
  EXPECT_TRUE(current.empty()) << file.path() << " does not end with eos";
  return documents;
}

PrepareOptions optionsFor(const test::TempDir& dir, std::vector<std::filesystem::path> inputs) {
  PrepareOptions options;
  options.tokenizer = test::sharedTestTokenizer();
  options.inputs = std::move(inputs);
  options.out_dir = dir / "dataset";
  return options;
}

}  // namespace

TEST(PrepareDataset, EveryDocumentComesBackFromTrainOrVal) {
  test::TempDir dir;
  const auto documents = makeDocuments(12);
  for (size_t i = 0; i < documents.size(); ++i) {
    test::writeFile(dir / "corpus" / ("doc" + std::to_string(100 + i) + ".ts"), documents[i]);
  }
  PrepareOptions options = optionsFor(dir, {dir / "corpus"});
  options.val_fraction = 0.25;
  DatasetMeta meta = prepareDataset(options);
  EXPECT_EQ(meta.dtype, "uint16");
  EXPECT_EQ(meta.vocab_size, 400);
  EXPECT_EQ(meta.eos_id, 3);
  EXPECT_EQ(meta.train_documents, 9);
  EXPECT_EQ(meta.val_documents, 3);

  auto tokenizer = loadTokenizer(options.tokenizer);
  TokenFile train = openDatasetSplit(options.out_dir, meta, "train");
  TokenFile val = openDatasetSplit(options.out_dir, meta, "val");
  EXPECT_EQ(std::filesystem::file_size(options.out_dir / "train.bin"), static_cast<uint64_t>(meta.train_tokens) * 2);
  auto got = decodeDocuments(train, *tokenizer);
  auto val_documents = decodeDocuments(val, *tokenizer);
  EXPECT_EQ(val_documents.size(), 3u);
  got.insert(got.end(), val_documents.begin(), val_documents.end());
  std::vector<std::string> expected = documents;
  std::sort(got.begin(), got.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(got, expected);

  int64_t tokens = 0, bytes = 0;
  for (const auto& document : documents) {
    tokens += static_cast<int64_t>(tokenizer->encode(document).size()) + 1;
    bytes += static_cast<int64_t>(document.size());
  }
  EXPECT_EQ(meta.train_tokens + meta.val_tokens, tokens);
  EXPECT_EQ(meta.bytes, bytes);
}

TEST(PrepareDataset, TheSplitIsDecidedBySeed) {
  test::TempDir dir;
  const auto documents = makeDocuments(20);
  for (size_t i = 0; i < documents.size(); ++i)
    test::writeFile(dir / "c" / ("d" + std::to_string(i) + ".txt"), documents[i]);
  auto valOf = [&](uint64_t seed, const std::string& name) {
    PrepareOptions options = optionsFor(dir, {dir / "c"});
    options.seed = seed;
    options.out_dir = dir / name;
    prepareDataset(options);
    return test::readFile(dir / name / "val.bin");
  };
  EXPECT_EQ(valOf(7, "a"), valOf(7, "b"));
  EXPECT_NE(valOf(7, "a"), valOf(8, "c"));
}

TEST(PrepareDataset, JsonlLinesAreDocuments) {
  test::TempDir dir;
  std::string jsonl;
  for (const auto& document : makeDocuments(5)) jsonl += Json{{"text", document}}.dump() + "\n";
  test::writeFile(dir / "sft.jsonl", jsonl);
  PrepareOptions options = optionsFor(dir, {dir / "sft.jsonl"});
  options.val_fraction = 0.1;
  DatasetMeta meta = prepareDataset(options);
  EXPECT_EQ(meta.train_documents, 4);
  EXPECT_EQ(meta.val_documents, 1) << "at least one val document when there are two or more";
}

TEST(PrepareDataset, ASingleDocumentIsSplitAtItsTokenTail) {
  test::TempDir dir;
  const std::string document = test::sampleCorpusText();
  test::writeFile(dir / "one.txt", document);
  PrepareOptions options = optionsFor(dir, {dir / "one.txt"});
  options.val_fraction = 0.1;
  DatasetMeta meta = prepareDataset(options);

  auto tokenizer = loadTokenizer(options.tokenizer);
  const std::vector<int> ids = tokenizer->encode(document);
  const auto val_ids = static_cast<int64_t>(std::llround(static_cast<double>(ids.size()) * 0.1));
  EXPECT_EQ(meta.train_documents, 1);
  EXPECT_EQ(meta.val_documents, 1);
  EXPECT_EQ(meta.train_tokens, static_cast<int64_t>(ids.size()) - val_ids) << "the head has no eos";
  EXPECT_EQ(meta.val_tokens, val_ids + 1) << "the tail ends with eos";

  TokenFile train = openDatasetSplit(options.out_dir, meta, "train");
  TokenFile val = openDatasetSplit(options.out_dir, meta, "val");
  std::vector<int> joined;
  for (int64_t i = 0; i < train.size(); ++i) joined.push_back(static_cast<int>(train.at(i)));
  for (int64_t i = 0; i + 1 < val.size(); ++i) joined.push_back(static_cast<int>(val.at(i)));
  EXPECT_EQ(joined, ids);
  EXPECT_EQ(val.at(val.size() - 1), 3u);
}

TEST(PrepareDataset, MetaJsonRecordsTheTokenizerAndCounts) {
  test::TempDir dir;
  const auto documents = makeDocuments(4);
  for (size_t i = 0; i < documents.size(); ++i)
    test::writeFile(dir / "c" / ("d" + std::to_string(i) + ".md"), documents[i]);
  PrepareOptions options = optionsFor(dir, {dir / "c"});
  options.val_fraction = 0.0;
  DatasetMeta meta = prepareDataset(options);
  EXPECT_EQ(meta.val_documents, 0);
  EXPECT_EQ(meta.val_tokens, 0);

  Json json = readJsonFile(options.out_dir / "meta.json");
  EXPECT_EQ(json["format_version"], 1);
  EXPECT_EQ(json["tokenizer_path"], std::filesystem::absolute(test::sharedTestTokenizer()).string());
  EXPECT_EQ(json["tokenizer_sha256"], sha256FileHex(test::sharedTestTokenizer()));
  EXPECT_EQ(json["vocab_size"], 400);
  EXPECT_EQ(json["eos_id"], 3);
  EXPECT_EQ(json["dtype"], "uint16");
  EXPECT_EQ(json["train_documents"], 4);
  EXPECT_EQ(json["train_tokens"], meta.train_tokens);
  DatasetMeta read = readDatasetMeta(options.out_dir);
  EXPECT_EQ(read.tokenizer_sha256, meta.tokenizer_sha256);
  EXPECT_EQ(read.train_tokens, meta.train_tokens);
  EXPECT_EQ(read.bytes, meta.bytes);

  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(options.out_dir))
    names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"meta.json", "train.bin", "val.bin"})) << "no temporaries left";
}

TEST(PrepareDataset, BadOptionsAndCorporaAreClearErrors) {
  test::TempDir dir;
  test::writeFile(dir / "a.txt", "some text\n");
  PrepareOptions options = optionsFor(dir, {dir / "a.txt"});

  options.val_fraction = 0.7;
  Error fraction = test::catchError([&] { prepareDataset(options); });
  EXPECT_EQ(fraction.kind(), ErrorKind::InvalidConfig);
  EXPECT_EQ(std::string(fraction.what()), "val_fraction 0.7 is out of range; use 0 to 0.5");
  options.val_fraction = -0.1;
  EXPECT_EQ(test::catchError([&] { prepareDataset(options); }).kind(), ErrorKind::InvalidConfig);
  options.val_fraction = 0.1;

  test::writeFile(dir / "empty.jsonl", "{\"text\": \"\"}\n\n");
  options.inputs = {dir / "empty.jsonl"};
  Error empty = test::catchError([&] { prepareDataset(options); });
  EXPECT_EQ(empty.kind(), ErrorKind::InvalidInput);
  EXPECT_TRUE(contains(empty, "the corpus has no documents")) << empty.what();

  options.tokenizer = dir / "no-such.model";
  options.inputs = {dir / "a.txt"};
  Error tokenizer = test::catchError([&] { prepareDataset(options); });
  EXPECT_EQ(tokenizer.kind(), ErrorKind::Io);
  EXPECT_TRUE(contains(tokenizer, "no-such.model")) << tokenizer.what();
}

TEST(PrepareDataset, ABadJsonlLineLeavesThePreviousDatasetIntact) {
  test::TempDir dir;
  test::writeFile(dir / "a.jsonl", "{\"text\": \"one\"}\n{\"text\": \"two\"}\n");
  PrepareOptions options = optionsFor(dir, {dir / "a.jsonl"});
  DatasetMeta first = prepareDataset(options);
  test::writeFile(dir / "a.jsonl", "{\"text\": \"one\"}\n{\"text\": 2}\n");
  Error e = test::catchError([&] { prepareDataset(options); });
  EXPECT_EQ(std::string(e.what()), (dir / "a.jsonl").string() + ":2: field `text` is not a string");
  EXPECT_EQ(readDatasetMeta(options.out_dir).train_tokens, first.train_tokens);
}
