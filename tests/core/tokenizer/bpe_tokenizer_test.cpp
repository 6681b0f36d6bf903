// Byte-level BPE: what it refuses (naming the file and the JSON field), its error paths, the real
// models' regexes, long pre-tokens, threads, and speed.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "core/common/json_io.h"
#include "core/tokenizer/bpe_tokenizer.h"
#include "core/tokenizer/byte_level.h"
#include "core/tokenizer/regex_splitter.h"
#include "tests/core/tokenizer/bpe_fixtures.h"
#include "tests/core/tokenizer/test_support.h"

using namespace temper;

namespace {

using test::contains;

// Every byte, plus "Ġt" "he" "Ġthe" by two merges and an added special token: the smallest valid file.
Json minimalSpec() {
  Json vocab = Json::object();
  const auto& bytes = byte_level::utf8ForBytes();
  for (int b = 0; b < 256; ++b) vocab[bytes[b]] = b;
  vocab["\xC4\xA0t"] = 256;
  vocab["he"] = 257;
  vocab["\xC4\xA0the"] = 258;
  Json byte_level = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}};
  return Json{{"version", "1.0"},
              {"truncation", nullptr},
              {"padding", nullptr},
              {"added_tokens", Json::array({{{"id", 259},
                                             {"content", "<|endoftext|>"},
                                             {"single_word", false},
                                             {"lstrip", false},
                                             {"rstrip", false},
                                             {"normalized", false},
                                             {"special", true}}})},
              {"normalizer", nullptr},
              {"pre_tokenizer", byte_level},
              {"post_processor", byte_level},
              {"decoder", byte_level},
              {"model",
               {{"type", "BPE"},
                {"dropout", nullptr},
                {"unk_token", nullptr},
                {"continuing_subword_prefix", nullptr},
                {"end_of_word_suffix", nullptr},
                {"fuse_unk", false},
                {"byte_fallback", false},
                {"ignore_merges", false},
                {"vocab", vocab},
                {"merges", Json::array({"\xC4\xA0 t", Json::array({"h", "e"}), "\xC4\xA0t he"})}}}};
}

// Loads `spec` from a file and returns the error it must raise.
Error refusal(const Json& spec, std::string* file = nullptr) {
  static int counter = 0;
  static test::TempDir dir;
  const auto path = dir / ("tokenizer" + std::to_string(counter++) + ".json");
  test::writeFile(path, spec.dump());
  if (file) *file = path.string();
  return test::catchError([&] { BpeTokenizer::fromFile(path); });
}

void expectRefused(const Json& spec, const std::string& field, const std::string& why) {
  std::string file;
  Error e = refusal(spec, &file);
  EXPECT_EQ(e.kind(), ErrorKind::InvalidInput) << e.what();
  EXPECT_TRUE(contains(e.what(), file + ": field `" + field + "`")) << e.what();
  EXPECT_TRUE(contains(e.what(), why)) << e.what();
}

}  // namespace

TEST(BpeTokenizer, MinimalSpecEncodesWithMergesAndSpecialTokens) {
  auto tok = BpeTokenizer::fromJson(minimalSpec(), "mem");
  // " the": Ġ+t (rank 0, a "a b" string), h+e (rank 1, an [a, b] pair), then Ġt+he (rank 2)
  EXPECT_EQ(tok->encode("a the<|endoftext|>"), (std::vector<int>{'a', 258, 259}));
  EXPECT_EQ(tok->decode({'a', 258, 259}), "a the");
  EXPECT_EQ(tok->vocabSize(), 260);
  EXPECT_EQ(tok->tokenId("<|endoftext|>"), 259);
  EXPECT_EQ(tok->tokenId("\xC4\xA0the"), 258);
  EXPECT_EQ(tok->tokenId("nope"), -1);
  EXPECT_EQ(tok->pieceFor(258), "\xC4\xA0the");
  EXPECT_TRUE(tok->isSpecial(259));
  EXPECT_EQ(tok->specialTokens(), std::vector<std::string>{"<|endoftext|>"});
  EXPECT_EQ(tok->bosId(), -1);
  EXPECT_EQ(tok->eosId(), -1);
  EXPECT_EQ(tok->padId(), -1);
  EXPECT_EQ(tok->kind(), "byte-level-bpe");
  EXPECT_TRUE(tok->prefixIds().empty());
}

TEST(BpeTokenizer, TheModelsPreTokenizerRegexesCompileAndSplitAsDocumented) {
  const std::string llama3 =
      R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
  const std::string qwen2 =
      R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
  auto pieces = [](const RegexSplitter& re, const std::string& text) {
    std::vector<std::pair<size_t, size_t>> ranges;
    re.split(text, ranges);
    std::vector<std::string> out;
    for (auto [b, e] : ranges) out.push_back(text.substr(b, e - b));
    return out;
  };
  RegexSplitter gpt2(kGpt2SplitPattern, false, "gpt2"), l3(llama3, false, "llama3"), q2(qwen2, false, "qwen2");
  using V = std::vector<std::string>;
  EXPECT_EQ(pieces(gpt2, "I'LL pay 12345 now  ok"), (V{"I", "'", "LL", " pay", " 12345", " now", " ", " ok"}));
  EXPECT_EQ(pieces(l3, "I'LL pay 12345 now  ok"), (V{"I", "'LL", " pay", " ", "123", "45", " now", " ", " ok"}));
  EXPECT_EQ(pieces(q2, "pay 123"), (V{"pay", " ", "1", "2", "3"}));
  EXPECT_EQ(pieces(l3, "a\n\n  b"), (V{"a", "\n\n", " ", " b"}));
}

TEST(BpeTokenizer, ABadRegexNamesTheFileAndField) {
  Json spec = minimalSpec();
  spec["pre_tokenizer"] = {
      {"type", "Sequence"},
      {"pretokenizers",
       Json::array(
           {{{"type", "Split"}, {"pattern", {{"Regex", "(unclosed"}}}, {"behavior", "Isolated"}, {"invert", false}},
            {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}}})}};
  std::string file;
  Error e = refusal(spec, &file);
  EXPECT_TRUE(
      contains(e.what(), file + ": pre_tokenizer.pretokenizers[0].pattern: cannot compile the regex /(unclosed/"))
      << e.what();
}

TEST(BpeTokenizer, RefusesWhatItCannotReproduce) {
  auto with = [](const std::string& pointer, const Json& value) {
    Json spec = minimalSpec();
    spec[Json::json_pointer(pointer)] = value;
    return spec;
  };
  expectRefused(with("/model/type", "WordPiece"), "model.type", "\"WordPiece\" is not supported");
  expectRefused(with("/model/type", "Unigram"), "model.type", "\"Unigram\" is not supported");
  expectRefused(with("/model/dropout", 0.1), "model.dropout", "BPE dropout makes encoding random");
  expectRefused(with("/model/continuing_subword_prefix", "##"), "model.continuing_subword_prefix", "not supported");
  expectRefused(with("/model/end_of_word_suffix", "</w>"), "model.end_of_word_suffix", "not supported");
  expectRefused(with("/model/byte_fallback", true), "model.byte_fallback", "true is not supported");
  expectRefused(with("/model/shiny", 1), "model.shiny", "unknown BPE option");
  expectRefused(with("/model/unk_token", "<unk>"), "model.unk_token", "is not in model.vocab");
  expectRefused(with("/model/vocab", Json::object()), "model.vocab", "non-empty object");
  expectRefused(with("/model/merges/0", "\xC4\xA0t"), "model.merges[0]", "is not \"left right\"");
  expectRefused(with("/model/merges/0", "a b c"), "model.merges[0]", "is not \"left right\"");
  expectRefused(with("/model/merges/1", Json::array({"x"})), "model.merges[1]", "neither");
  expectRefused(with("/model/merges/0", "zz he"), "model.merges[0]", "token \"zz\" is not in model.vocab");
  expectRefused(with("/model/merges/0", "a b"), "model.merges[0]", "token \"ab\" is not in model.vocab");
  expectRefused(with("/model/vocab/a", -4), "model.vocab[\"a\"]", "not a valid id");
  expectRefused(with("/shiny", true), "shiny", "unknown field");
  expectRefused(with("/normalizer", {{"type", "Lowercase"}}), "normalizer.type", "\"Lowercase\" is not supported");
  expectRefused(with("/normalizer",
                     {{"type", "Sequence"}, {"normalizers", Json::array({{{"type", "NFC"}}, {{"type", "Strip"}}})}}),
                "normalizer.normalizers[1].type", "\"Strip\" is not supported");
  expectRefused(with("/pre_tokenizer", nullptr), "pre_tokenizer", "byte-level BPE needs a ByteLevel pre-tokenizer");
  expectRefused(with("/pre_tokenizer", {{"type", "Metaspace"}}), "pre_tokenizer.type",
                "\"Metaspace\" is not supported");
  expectRefused(with("/pre_tokenizer", {{"type", "Digits"}, {"individual_digits", true}}), "pre_tokenizer",
                "no ByteLevel step");
  const Json split = {{"type", "Split"}, {"pattern", {{"Regex", "\\s+"}}}, {"behavior", "Removed"}, {"invert", false}};
  expectRefused(with("/pre_tokenizer", {{"type", "Sequence"}, {"pretokenizers", Json::array({split})}}),
                "pre_tokenizer.pretokenizers[0].behavior", "\"Removed\" is not supported");
  Json inverted = split;
  inverted["behavior"] = "Isolated";
  inverted["invert"] = true;
  expectRefused(with("/pre_tokenizer", {{"type", "Sequence"}, {"pretokenizers", Json::array({inverted})}}),
                "pre_tokenizer.pretokenizers[0].invert", "true is not supported");
  Json isolated = split;
  isolated["behavior"] = "Isolated";
  expectRefused(with("/pre_tokenizer", {{"type", "Sequence"},
                                        {"pretokenizers", Json::array({minimalSpec()["pre_tokenizer"], isolated})}}),
                "pre_tokenizer.pretokenizers[1]", "ByteLevel must come last");
  expectRefused(with("/decoder", nullptr), "decoder", "null is not supported");
  expectRefused(with("/decoder", {{"type", "Metaspace"}}), "decoder", "\"Metaspace\" is not supported");
  expectRefused(with("/post_processor", {{"type", "RobertaProcessing"}}), "post_processor.type",
                "\"RobertaProcessing\" is not supported");
  expectRefused(with("/post_processor", {{"type", "TemplateProcessing"},
                                         {"single", Json::array({{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
                                                                 {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}})},
                                         {"special_tokens", Json::object()}}),
                "post_processor.single[0]", "special token \"<s>\" is not listed");
  expectRefused(with("/added_tokens/0/lstrip", true), "added_tokens[0].lstrip", "true is not supported");
  expectRefused(with("/added_tokens/0/single_word", true), "added_tokens[0].single_word", "true is not supported");
  expectRefused(with("/added_tokens/0/content", "a"), "added_tokens[0].id", "model.vocab has \"a\" as 97");
  expectRefused(with("/added_tokens/0/id", "x"), "added_tokens[0]", "expected {\"id\"");
}

TEST(BpeTokenizer, UnreadableOrMalformedFilesNameTheFile) {
  Error missing = test::catchError([] { BpeTokenizer::fromFile("/nonexistent/tokenizer.json"); });
  EXPECT_EQ(missing.kind(), ErrorKind::Io);
  EXPECT_TRUE(contains(missing.what(), "/nonexistent/tokenizer.json")) << missing.what();
  test::TempDir dir;
  test::writeFile(dir / "tokenizer.json", "{\"model\": ");
  Error truncated = test::catchError([&] { BpeTokenizer::fromFile(dir / "tokenizer.json"); });
  EXPECT_EQ(truncated.kind(), ErrorKind::InvalidInput);
  EXPECT_TRUE(contains(truncated.what(), (dir / "tokenizer.json").string())) << truncated.what();
  test::writeFile(dir / "array.json", "[1, 2]");
  Error array = test::catchError([&] { BpeTokenizer::fromFile(dir / "array.json"); });
  EXPECT_TRUE(contains(array.what(), "expected a JSON object")) << array.what();
}

TEST(BpeTokenizer, InvalidUtf8TextAndBadIdsAreErrors) {
  auto tok = BpeTokenizer::fromJson(minimalSpec(), "mem.json");
  Error text = test::catchError([&] { tok->encode("ok \xE2\x82 broken"); });
  EXPECT_EQ(text.kind(), ErrorKind::InvalidInput);
  EXPECT_TRUE(contains(text.what(), "text is not valid UTF-8 at byte 3 (tokenizer mem.json)")) << text.what();
  Error id = test::catchError([&] { tok->decode({97, 260}); });
  EXPECT_TRUE(contains(id.what(), "id 260 at position 1 is outside the vocabulary [0, 260)")) << id.what();
  Error piece = test::catchError([&] { tok->pieceFor(-1); });
  EXPECT_TRUE(contains(piece.what(), "outside the vocabulary [0, 260)")) << piece.what();
}

TEST(BpeTokenizer, IdsWithoutATokenAreRefusedOnDecode) {
  Json spec = minimalSpec();
  spec["added_tokens"][0]["id"] = 300;  // ids 259..299 belong to nobody
  auto tok = BpeTokenizer::fromJson(spec, "gap.json");
  EXPECT_EQ(tok->vocabSize(), 301);
  Error e = test::catchError([&] { tok->decode({280}); });
  EXPECT_TRUE(contains(e.what(), "id 280 at position 0 has no token in gap.json")) << e.what();
}

TEST(BpeTokenizer, DecodingIsLossyLikeHuggingFace) {
  auto tok = BpeTokenizer::fromJson(minimalSpec(), "mem");
  // The first two bytes of "€" alone, then "a": one U+FFFD for the truncated sequence.
  EXPECT_EQ(tok->decode({0xE2, 0x82, 'a'}),
            "\xEF\xBF\xBD"
            "a");
  EXPECT_EQ(byte_level::utf8Lossy("\xE0\x80x"), "\xEF\xBF\xBD\xEF\xBF\xBDx");  // E0 80 is two maximal subparts
  EXPECT_EQ(byte_level::utf8Lossy("\xF0\x9F\x98"), "\xEF\xBF\xBD");
}

TEST(BpeTokenizer, ByteToUnicodeMapIsGpt2s) {
  EXPECT_EQ(byte_level::charForByte(' '), U'\u0120');
  EXPECT_EQ(byte_level::charForByte('\n'), U'\u010A');
  EXPECT_EQ(byte_level::charForByte('A'), U'A');
  EXPECT_EQ(byte_level::charForByte(0xAD), U'\u0143');  // the soft hyphen is not printable
  EXPECT_EQ(byte_level::charForByte(0xFF), U'\u00FF');
  for (int b = 0; b < 256; ++b) EXPECT_EQ(byte_level::byteForChar(byte_level::charForByte(b)), b);
  EXPECT_FALSE(byte_level::byteForChar(U' ').has_value());
  EXPECT_EQ(byte_level::decodeMapped("\xC4\xA0the"), std::optional<std::string>(" the"));
}

TEST(BpeTokenizer, LongPreTokensMergeLikeShortOnes) {
  // A heap is used above 128 symbols; splitting the same run into short words must agree with it.
  auto tok = BpeTokenizer::fromFile(test::bpeFixtures() / "gpt2" / "tokenizer.json");
  const std::string unit = "abcabcabcab";
  std::string long_word;
  for (int i = 0; i < 40; ++i) long_word += unit;
  const auto ids = tok->encode(long_word);
  std::string joined;
  for (int id : ids) joined += tok->decode({id});
  EXPECT_EQ(joined, long_word);
  EXPECT_LT(ids.size(), long_word.size()) << "merges applied";
}

TEST(BpeTokenizer, ConcurrentEncodesAgree) {
  auto tok = BpeTokenizer::fromFile(test::bpeFixtures() / "llama3" / "tokenizer.json");
  const std::string text = test::sampleCorpusText();
  const auto expected = tok->encode(text);
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        if (tok->encode(text) != expected || tok->decode(expected) != text) ++mismatches;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(BpeTokenizer, SpeedOnTinyShakespeare) {
  const std::string path = test::sharedData("corpora/tinyshakespeare.txt");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "shared test data absent: " << path;
  const std::string text = test::readFile(path);
  for (const char* style : {"gpt2", "llama3"}) {
    auto tok = BpeTokenizer::fromFile(test::bpeFixtures() / style / "tokenizer.json");
    const auto start = std::chrono::steady_clock::now();
    const auto ids = tok->encode(text);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double mb_per_s = text.size() / 1e6 / seconds;
    std::printf("[ speed ] %s-style test vocab (%d tokens): %.2f MB in %.3f s = %.1f MB/s, %zu ids\n", style,
                tok->vocabSize(), text.size() / 1e6, seconds, mb_per_s, ids.size());
    EXPECT_EQ(tok->decode(ids), text);
    EXPECT_GT(mb_per_s, 1.0) << "byte-level BPE should encode megabytes per second";
  }
}

TEST(BpeTokenizer, WhitespaceIsOnigurumasNotPcre2s) {
  // PCRE2 counts U+180E as \s, Oniguruma (Hugging Face) and Python's regex do not.
  RegexSplitter re(R"(\s+|\S+)", false, "t");
  std::vector<std::pair<size_t, size_t>> ranges;
  const std::string text = "a\u180E b";
  re.split(text, ranges);
  EXPECT_EQ(ranges, (std::vector<std::pair<size_t, size_t>>{{0, 4}, {4, 5}, {5, 6}}));
  ranges.clear();
  RegexSplitter in_class(R"([^\s\p{L}]+|[\s]+|\p{L}+)", false, "t");
  const std::string mixed = "\u180E\u180E \t";
  in_class.split(mixed, ranges);
  EXPECT_EQ(ranges, (std::vector<std::pair<size_t, size_t>>{{0, 6}, {6, 8}}));
  Error e = test::catchError([] { RegexSplitter("[\\S]", false, "file: field"); });
  EXPECT_TRUE(contains(e.what(), "file: field: \\S inside a character class is not supported")) << e.what();
}

TEST(BpeTokenizer, BytesMissingFromTheVocabBecomeUnkOrVanishLikeHuggingFace) {
  Json spec = minimalSpec();
  Json& vocab = spec["model"]["vocab"];
  vocab.erase(byte_level::utf8ForBytes()[0xE2]);  // the lead byte of "€" (E2 82 AC)
  vocab.erase(byte_level::utf8ForBytes()[0x82]);
  // Without an unk token the tokenizers library drops such bytes; decode then misses them.
  auto dropping = BpeTokenizer::fromJson(spec, "mem");
  EXPECT_EQ(dropping->encode("a\xE2\x82\xAC"), (std::vector<int>{'a', 0xAC}));
  vocab["<unk>"] = 0xE2;  // reuse the freed id
  spec["model"]["unk_token"] = "<unk>";
  auto separate = BpeTokenizer::fromJson(spec, "mem");
  EXPECT_EQ(separate->unkId(), 0xE2);
  EXPECT_EQ(separate->encode("a\xE2\x82\xAC"), (std::vector<int>{'a', 0xE2, 0xE2, 0xAC}));
  spec["model"]["fuse_unk"] = true;
  auto fused = BpeTokenizer::fromJson(spec, "mem");
  EXPECT_EQ(fused->encode("a\xE2\x82\xAC"), (std::vector<int>{'a', 0xE2, 0xAC}));
  // Offsets stay inside the pre-token when an unk hides how many bytes a token stands for.
  EncodedText enc = fused->encodeWithOffsets("a\xE2\x82\xAC");
  EXPECT_EQ(enc.offsets.back().second, 4u);
}
