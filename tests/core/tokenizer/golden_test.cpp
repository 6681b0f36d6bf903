// The shim must tokenize exactly like the reference SentencePiece (python3-sentencepiece 0.1.97):
// golden/botchan_ids.json is made by make_golden.py from the same model.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "core/common/json_io.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/core/tokenizer/test_support.h"

using namespace temper;

namespace {

std::unique_ptr<Tokenizer> loadBotchanOrSkip() {
  if (!std::filesystem::exists(test::botchanModel())) return nullptr;
  return loadTokenizer(test::botchanModel());
}

#define SKIP_WITHOUT_BOTCHAN(tok) \
  auto tok = loadBotchanOrSkip(); \
  if (!tok) GTEST_SKIP() << "shared test data absent: " << test::botchanModel()

}  // namespace

TEST(BotchanGolden, HelloWorldMatchesReferenceIds) {
  SKIP_WITHOUT_BOTCHAN(tokenizer);
  const std::string text = "Hello world, this is Botchan.";
  const std::vector<int> expected = {151, 88, 21, 887, 5, 65, 47, 296, 227, 92, 84, 6};
  EXPECT_EQ(tokenizer->encode(text), expected);
  EXPECT_EQ(tokenizer->decode(expected), text);
}

TEST(BotchanGolden, EveryGoldenCaseMatchesPython) {
  SKIP_WITHOUT_BOTCHAN(tokenizer);
  Json golden = readJsonFile(TEMPER_SOURCE_DIR "/tests/core/tokenizer/golden/botchan_ids.json");
  ASSERT_GE(golden["cases"].size(), 10u);
  for (const auto& item : golden["cases"]) {
    const auto text = item["text"].get<std::string>();
    const auto ids = item["ids"].get<std::vector<int>>();
    EXPECT_EQ(tokenizer->encode(text), ids) << "text: \"" << text << "\"";
    EXPECT_EQ(tokenizer->decode(ids), item["decoded"].get<std::string>()) << "ids of \"" << text << "\"";
  }
}

TEST(BotchanGolden, SpecialIdsAndPiecesMatchPython) {
  SKIP_WITHOUT_BOTCHAN(tokenizer);
  Json golden = readJsonFile(TEMPER_SOURCE_DIR "/tests/core/tokenizer/golden/botchan_ids.json");
  EXPECT_EQ(tokenizer->vocabSize(), golden["vocab_size"].get<int>());
  EXPECT_EQ(tokenizer->bosId(), golden["bos_id"].get<int>());
  EXPECT_EQ(tokenizer->eosId(), golden["eos_id"].get<int>());
  EXPECT_EQ(tokenizer->padId(), golden["pad_id"].get<int>());
  EXPECT_EQ(tokenizer->unkId(), golden["unk_id"].get<int>());
  for (const auto& [id, piece] : golden["pieces"].items()) {
    EXPECT_EQ(tokenizer->pieceFor(std::stoi(id)), piece.get<std::string>()) << "id " << id;
  }
}

TEST(BotchanGolden, OutOfRangeIdsAreRejectedWithTheirPosition) {
  SKIP_WITHOUT_BOTCHAN(tokenizer);
  Error decode_error = test::catchError([&] { tokenizer->decode({151, 1000}); });
  EXPECT_EQ(decode_error.kind(), ErrorKind::InvalidInput);
  EXPECT_NE(std::string(decode_error.what()).find("id 1000 at position 1"), std::string::npos) << decode_error.what();
  Error piece_error = test::catchError([&] { tokenizer->pieceFor(-1); });
  EXPECT_NE(std::string(piece_error.what()).find("outside the vocabulary [0, 1000)"), std::string::npos)
      << piece_error.what();
}

TEST(BotchanGolden, ConcurrentEncodesAgree) {
  SKIP_WITHOUT_BOTCHAN(tokenizer);
  const std::string text = "I was born a rash and reckless fellow, and have been a loser ever since.";
  const std::vector<int> expected = tokenizer->encode(text);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (tokenizer->encode(text) != expected || tokenizer->decode(expected) != text) ++mismatches;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}
