// Training through the shim: round trips, byte fallback, char vocabularies, and the errors.
#include <gtest/gtest.h>

#include <set>

#include "core/tokenizer/tokenizer.h"
#include "core/tokenizer/tokenizer_trainer.h"
#include "tests/core/tokenizer/test_support.h"

using namespace temper;

namespace {

using test::contains;

// Code with indentation and tabs, unicode, digits, and bytes the corpus never had (a control
// character, an emoji, a CJK character outside the corpus).
const std::string kRoundTrip =
    "export async function fetchUser(id: number) {\n"
    "    const response = await fetch(`/api/users/${id}`);\n"
    "\tif (!response.ok) throw new Error(\"HTTP \" + response.status);  // 404?\n"
    "        return response.json();   \n"
    "}\n"
    "Ünïcödé: naïve — 東京 \xF0\x9F\xA6\x80 \x01\x7F  trailing spaces   \n\n\n";

class TrainedTokenizer : public ::testing::TestWithParam<std::string> {};

TokenizerTrainReport trainOnSample(const test::TempDir& dir, const std::string& model_type, int vocab_size) {
  test::writeFile(dir / "corpus" / "sample.txt", test::sampleCorpusText());
  TokenizerTrainOptions options;
  options.inputs = {dir / "corpus"};
  options.model_type = model_type;
  options.vocab_size = vocab_size;
  options.out = dir / "out";
  options.threads = 1;
  return trainTokenizer(options);
}

}  // namespace

TEST_P(TrainedTokenizer, RoundTripsCodeUnicodeAndUnseenBytesWithoutUnk) {
  test::TempDir dir;
  TokenizerTrainReport report = trainOnSample(dir, GetParam(), 400);
  EXPECT_EQ(report.vocab_size, 400);
  EXPECT_EQ(report.model_path, dir / "out" / "tokenizer.model");
  EXPECT_EQ(report.files_used, 1);
  EXPECT_EQ(report.bytes, static_cast<int64_t>(test::sampleCorpusText().size()));

  auto tokenizer = loadTokenizer(dir / "out");
  EXPECT_EQ(tokenizer->vocabSize(), 400);
  EXPECT_EQ(tokenizer->padId(), 0);
  EXPECT_EQ(tokenizer->unkId(), 1);
  EXPECT_EQ(tokenizer->bosId(), 2);
  EXPECT_EQ(tokenizer->eosId(), 3);
  EXPECT_EQ(tokenizer->pieceFor(3), "</s>");

  for (const std::string& text : {kRoundTrip, test::sampleCorpusText(), std::string(" x"), std::string()}) {
    std::vector<int> ids = tokenizer->encode(text);
    EXPECT_EQ(tokenizer->decode(ids), text);
    for (int id : ids) ASSERT_NE(id, tokenizer->unkId()) << "unk in the encoding of: " << text;
  }
  // Training data compresses: fewer tokens than bytes.
  EXPECT_LT(tokenizer->encode(test::sampleCorpusText()).size(), test::sampleCorpusText().size() * 7 / 10);
  EXPECT_EQ(tokenizer->pieceFor(4), "<0x00>");
  EXPECT_EQ(tokenizer->encode("\t"), std::vector<int>{4 + '\t'}) << "tab is covered by byte fallback";
  // Nothing but the model is left in the output folder (it was written under a temporary name).
  std::vector<std::filesystem::path> left;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "out")) left.push_back(entry.path().filename());
  EXPECT_EQ(left, std::vector<std::filesystem::path>{"tokenizer.model"});
}

INSTANTIATE_TEST_SUITE_P(BpeAndUnigram, TrainedTokenizer, ::testing::Values("bpe", "unigram"));

TEST(TrainTokenizer, CharVocabularyIsDecidedByTheCorpus) {
  test::TempDir dir;
  const std::string corpus = test::sampleCorpusText();
  std::set<std::string> characters;  // distinct code points of the corpus
  for (size_t i = 0; i < corpus.size();) {
    size_t length = 1;
    auto lead = static_cast<unsigned char>(corpus[i]);
    if (lead >= 0xF0)
      length = 4;
    else if (lead >= 0xE0)
      length = 3;
    else if (lead >= 0xC0)
      length = 2;
    characters.insert(corpus.substr(i, length));
    i += length;
  }
  TokenizerTrainReport report = trainOnSample(dir, "char", 5000);
  EXPECT_EQ(report.vocab_size, static_cast<int>(characters.size()) + 4)
      << "distinct characters (tab included) + 4 specials";
  auto tokenizer = loadTokenizer(report.model_path);
  EXPECT_EQ(tokenizer->vocabSize(), report.vocab_size);
  EXPECT_EQ(tokenizer->pieceFor(4), "\t");
  const std::string seen = "def add(a, b):\r\n\treturn a + b  // 東京\n";
  EXPECT_EQ(tokenizer->decode(tokenizer->encode(seen)), seen);

  test::TempDir capped;
  EXPECT_EQ(trainOnSample(capped, "char", 30).vocab_size, 30) << "the requested size is an upper bound";
}

TEST(TrainTokenizer, VocabularyTooLargeSaysTheLargestThatWorks) {
  test::TempDir dir;
  Error e = test::catchError([&] { trainOnSample(dir, "unigram", 6000); });
  EXPECT_EQ(e.kind(), ErrorKind::InvalidConfig);
  EXPECT_TRUE(contains(e, "vocab_size 6000 is too large for the corpus (")) << e.what();
  EXPECT_TRUE(contains(e, "a unigram model can have at most ")) << e.what();
  EXPECT_TRUE(contains(e, "; use vocab_size ")) << e.what();
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "tokenizer.model"));
}

TEST(TrainTokenizer, VocabularyTooSmallSaysTheSmallestThatWorks) {
  test::TempDir dir;
  Error e = test::catchError([&] { trainOnSample(dir, "bpe", 100); });
  EXPECT_EQ(e.kind(), ErrorKind::InvalidConfig);
  EXPECT_TRUE(contains(e, "vocab_size 100 is too small for the corpus (")) << e.what();
  EXPECT_TRUE(contains(e, "it needs at least ")) << e.what();
  EXPECT_TRUE(contains(e, "256 byte-fallback pieces")) << e.what();
}

TEST(TrainTokenizer, FolderWalkReportsSkippedFilesAndUsesJsonlText) {
  test::TempDir dir;
  auto corpus = dir / "corpus";
  test::writeFile(corpus / "code.ts", test::sampleCorpusText());
  test::writeFile(corpus / "notes.jsonl", "{\"text\": \"JSONL text about zebras\"}\n{\"text\": \"and quokkas\"}\n");
  test::writeFile(corpus / "image.txt", std::string("PNG\0\0\0", 6));
  test::writeFile(corpus / "latin1.md", "r\xe9sum\xe9\n");
  test::writeFile(corpus / "main.py", "print(1)\n");
  TokenizerTrainOptions options;
  options.inputs = {corpus};
  options.vocab_size = 420;
  options.out = dir / "tok.model";
  TokenizerTrainReport report = trainTokenizer(options);
  EXPECT_EQ(report.files_used, 2);
  EXPECT_EQ(report.files_skipped_binary, 1);
  EXPECT_EQ(report.files_skipped_not_utf8, 1);
  EXPECT_EQ(report.files_skipped_extension, 1);
  EXPECT_EQ(report.bytes, static_cast<int64_t>(test::sampleCorpusText().size() + 23 + 11));
  EXPECT_EQ(report.model_path, dir / "tok.model");
  EXPECT_TRUE(std::filesystem::exists(dir / "tok.model"));
}

TEST(TrainTokenizer, BadOptionsAndInputsAreClearErrors) {
  test::TempDir dir;
  test::writeFile(dir / "a.txt", test::sampleCorpusText());
  TokenizerTrainOptions options;
  options.inputs = {dir / "a.txt"};
  options.out = dir / "out";

  options.model_type = "wordpiece";
  Error type = test::catchError([&] { trainTokenizer(options); });
  EXPECT_EQ(type.kind(), ErrorKind::InvalidConfig);
  EXPECT_EQ(std::string(type.what()), "model_type `wordpiece` is not supported; use bpe, unigram or char");

  options.model_type = "bpe";
  options.vocab_size = 0;
  EXPECT_EQ(test::catchError([&] { trainTokenizer(options); }).kind(), ErrorKind::InvalidConfig);

  options.vocab_size = 400;
  options.inputs = {dir / "missing"};
  Error missing = test::catchError([&] { trainTokenizer(options); });
  EXPECT_EQ(missing.kind(), ErrorKind::Io);
  EXPECT_TRUE(contains(missing, (dir / "missing").string())) << missing.what();

  test::writeFile(dir / "bad.jsonl", "{\"text\": \"fine\"}\n{\"txt\": \"typo\"}\n");
  options.inputs = {dir / "bad.jsonl"};
  Error jsonl = test::catchError([&] { trainTokenizer(options); });
  EXPECT_EQ(jsonl.kind(), ErrorKind::InvalidInput);
  EXPECT_EQ(std::string(jsonl.what()), (dir / "bad.jsonl").string() + ":2: field `text` is missing");

  test::writeFile(dir / "blank.jsonl", "{\"text\": \"\"}\n");
  options.inputs = {dir / "blank.jsonl"};
  Error blank = test::catchError([&] { trainTokenizer(options); });
  EXPECT_EQ(blank.kind(), ErrorKind::InvalidInput);
  EXPECT_TRUE(contains(blank, "has no text to train on")) << blank.what();
}
