// openTokenizer: .model files, tokenizer.json files and model folders, with the special ids the
// folder's config files declare, and every way that can fail.
#include <gtest/gtest.h>

#include "core/common/json_io.h"
#include "core/tokenizer/tokenizer_open.h"
#include "tests/core/tokenizer/bpe_fixtures.h"
#include "tests/core/tokenizer/test_support.h"

using namespace temper;

namespace {

using test::contains;

// A model folder holding the Llama-3-style fixture (added tokens <|begin_of_text|> and friends).
struct Llama3Folder {
  test::TempDir dir;
  int bot, eot, eos_text, header;
  Llama3Folder() {
    std::filesystem::copy_file(test::bpeFixtures() / "llama3" / "tokenizer.json", dir / "tokenizer.json");
    Json spec = readJsonFile(dir / "tokenizer.json");
    for (const auto& token : spec["added_tokens"]) {
      const auto content = token["content"].get<std::string>();
      const int id = token["id"].get<int>();
      if (content == "<|begin_of_text|>") bot = id;
      if (content == "<|eot_id|>") eot = id;
      if (content == "<|end_of_text|>") eos_text = id;
      if (content == "<|start_header_id|>") header = id;
    }
  }
  void write(const std::string& name, const Json& json) const { test::writeFile(dir / name, json.dump()); }
};

}  // namespace

TEST(OpenTokenizer, ATokenizerJsonAloneHasOnlyWhatItDeclares) {
  auto tok = openTokenizer(test::bpeFixtures() / "gpt2" / "tokenizer.json");
  EXPECT_EQ(tok->kind(), "byte-level-bpe");
  EXPECT_EQ(tok->eosId(), -1);
  EXPECT_EQ(tok->padId(), -1);
  EXPECT_TRUE(tok->stopIds().empty());
  EXPECT_TRUE(tok->prefixIds().empty());
}

TEST(OpenTokenizer, Llama3FolderTakesIdsFromTokenizerConfigAndGenerationConfig) {
  Llama3Folder folder;
  folder.write("tokenizer_config.json", {{"bos_token", "<|begin_of_text|>"},
                                         {"eos_token", {{"content", "<|eot_id|>"}, {"special", true}}},
                                         {"pad_token", nullptr}});
  folder.write("generation_config.json",
               {{"bos_token_id", folder.bot}, {"eos_token_id", Json::array({folder.eos_text, folder.eot})}});
  for (const auto& path : {folder.dir.path(), folder.dir / "tokenizer.json"}) {
    auto tok = openTokenizer(path);
    EXPECT_EQ(tok->bosId(), folder.bot);
    EXPECT_EQ(tok->eosId(), folder.eot);
    EXPECT_EQ(tok->padId(), -1) << "Llama 3 has no pad";
    EXPECT_EQ(tok->stopIds(), (std::vector<int>{folder.eot, folder.eos_text}));
    EXPECT_EQ(tok->prefixIds(), std::vector<int>{folder.bot});
    auto ids = tok->encodeWithSpecialTokens("hi");
    EXPECT_EQ(ids.front(), folder.bot);
    EXPECT_EQ(tok->encode("<|start_header_id|>"), std::vector<int>{folder.header});
  }
}

TEST(OpenTokenizer, ConfigJsonIsTheLastFallbackAndPadComesFromIds) {
  Llama3Folder folder;
  folder.write("config.json",
               {{"bos_token_id", folder.bot}, {"eos_token_id", folder.eos_text}, {"pad_token_id", folder.eot}});
  auto tok = openTokenizer(folder.dir.path());
  EXPECT_EQ(tok->bosId(), folder.bot);
  EXPECT_EQ(tok->eosId(), folder.eos_text);
  EXPECT_EQ(tok->padId(), folder.eot);
  EXPECT_EQ(tok->stopIds(), std::vector<int>{folder.eos_text});
}

TEST(OpenTokenizer, ConfigErrorsNameTheFileAndField) {
  {
    Llama3Folder folder;
    folder.write("tokenizer_config.json", {{"eos_token", "<|not_a_token|>"}});
    Error e = test::catchError([&] { openTokenizer(folder.dir.path()); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_TRUE(contains(e.what(), (folder.dir / "tokenizer_config.json").string() +
                                       ": field `eos_token`: \"<|not_a_token|>\" is not a token of the tokenizer"))
        << e.what();
  }
  {
    Llama3Folder folder;
    folder.write("generation_config.json", {{"eos_token_id", Json::array({1, 999999})}});
    Error e = test::catchError([&] { openTokenizer(folder.dir.path()); });
    EXPECT_TRUE(contains(e.what(), (folder.dir / "generation_config.json").string() +
                                       ": field `eos_token_id`: id 999999 is outside the tokenizer's vocabulary"))
        << e.what();
  }
  {
    Llama3Folder folder;
    folder.write("config.json", {{"bos_token_id", "one"}});
    Error e = test::catchError([&] { openTokenizer(folder.dir.path()); });
    EXPECT_TRUE(contains(e.what(), "config.json: field `bos_token_id`: \"one\" is not an integer id")) << e.what();
  }
  {
    Llama3Folder folder;
    folder.write("tokenizer_config.json", {{"bos_token", 5}});
    Error e = test::catchError([&] { openTokenizer(folder.dir.path()); });
    EXPECT_TRUE(contains(e.what(), "field `bos_token`: expected a string")) << e.what();
  }
  {
    Llama3Folder folder;
    test::writeFile(folder.dir / "tokenizer_config.json", "{not json");
    Error e = test::catchError([&] { openTokenizer(folder.dir.path()); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_TRUE(contains(e.what(), (folder.dir / "tokenizer_config.json").string())) << e.what();
  }
}

TEST(OpenTokenizer, MissingFilesAndEmptyFoldersAreIoErrors) {
  test::TempDir dir;
  Error empty = test::catchError([&] { openTokenizer(dir.path()); });
  EXPECT_EQ(empty.kind(), ErrorKind::Io);
  EXPECT_TRUE(contains(empty.what(), "folder has neither tokenizer.model nor tokenizer.json")) << empty.what();
  Error missing = test::catchError([] { openTokenizer("/nonexistent/tokenizer.json"); });
  EXPECT_EQ(missing.kind(), ErrorKind::Io);
  EXPECT_TRUE(contains(missing.what(), "/nonexistent/tokenizer.json: no such tokenizer file or folder"));
}

TEST(OpenTokenizer, AFolderWithBothPrefersTokenizerModel) {
  if (!std::filesystem::exists(test::botchanModel()))
    GTEST_SKIP() << "shared test data absent: " << test::botchanModel();
  Llama3Folder folder;
  std::filesystem::copy_file(test::botchanModel(), folder.dir / "tokenizer.model");
  EXPECT_EQ(resolveTokenizerFile(folder.dir.path()), folder.dir / "tokenizer.model");
  auto tok = openTokenizer(folder.dir.path());
  EXPECT_EQ(tok->kind(), "sentencepiece");
  EXPECT_EQ(tok->vocabSize(), 1000);
}

TEST(OpenTokenizer, ASentencePieceModelFileStillOpensAsBefore) {
  if (!std::filesystem::exists(test::botchanModel()))
    GTEST_SKIP() << "shared test data absent: " << test::botchanModel();
  auto tok = openTokenizer(test::botchanModel());
  auto plain = loadTokenizer(test::botchanModel());
  const std::string text = "I was born a rash and reckless fellow.";
  EXPECT_EQ(tok->encode(text), plain->encode(text));
  EXPECT_EQ(tok->bosId(), plain->bosId());
  EXPECT_TRUE(tok->prefixIds().empty());
}

TEST(OpenTokenizer, SentencePieceFolderWithConfigAddsBosAndCutsSpecialTokens) {
  if (!std::filesystem::exists(test::botchanModel()))
    GTEST_SKIP() << "shared test data absent: " << test::botchanModel();
  test::TempDir dir;
  std::filesystem::copy_file(test::botchanModel(), dir / "tokenizer.model");
  auto plain = loadTokenizer(test::botchanModel());
  const std::string bos = plain->pieceFor(plain->bosId()), eos = plain->pieceFor(plain->eosId());
  test::writeFile(dir / "tokenizer_config.json",
                  Json{{"bos_token", bos}, {"eos_token", eos}, {"add_bos_token", true}}.dump());
  auto tok = openTokenizer(dir.path());
  EXPECT_EQ(tok->prefixIds(), std::vector<int>{plain->bosId()});
  EXPECT_TRUE(tok->suffixIds().empty());
  EXPECT_EQ(tok->tokenId(eos), plain->eosId());
  // "<s>hi there</s>": the specials become their ids, the text between is encoded alone.
  const std::string text = bos + "hi there" + eos;
  std::vector<int> expected{plain->bosId()};
  for (int id : plain->encode("hi there")) expected.push_back(id);
  expected.push_back(plain->eosId());
  EXPECT_EQ(tok->encode(text), expected);
  EncodedText with_offsets = tok->encodeWithOffsets(text);
  EXPECT_EQ(with_offsets.ids, expected);
  EXPECT_EQ(with_offsets.offsets.front(), (std::pair<size_t, size_t>{0, bos.size()}));
  EXPECT_EQ(with_offsets.offsets.back(), (std::pair<size_t, size_t>{text.size() - eos.size(), text.size()}));
}

TEST(OpenTokenizer, SentencePieceOffsetsPointAtTheText) {
  if (!std::filesystem::exists(test::botchanModel()))
    GTEST_SKIP() << "shared test data absent: " << test::botchanModel();
  auto tok = loadTokenizer(test::botchanModel());
  const std::string text = "Hello world, this is Botchan.";
  EncodedText encoded = tok->encodeWithOffsets(text);
  EXPECT_EQ(encoded.ids, tok->encode(text));
  ASSERT_EQ(encoded.offsets.size(), encoded.ids.size());
  EXPECT_EQ(encoded.offsets.front().first, 0u);
  EXPECT_EQ(encoded.offsets.back().second, text.size());
  for (size_t i = 1; i < encoded.offsets.size(); ++i)
    EXPECT_EQ(encoded.offsets[i].first, encoded.offsets[i - 1].second);
  EXPECT_EQ(tok->tokenId("no such piece at all"), -1);
  EXPECT_EQ(tok->tokenId(tok->pieceFor(151)), 151);
}
