// `temper eval`, `temper generate` and `temper tokenizer encode|decode` end to end.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <set>
#include <string>

#include "tests/core/engine/engine_test_support.h"

namespace temper::engine_test {
namespace {

namespace fs = std::filesystem;

// A model trained once for this program (20 steps, ctx 16).
const fs::path& trainedModel() {
  static TempDir dir("model");
  static const fs::path model = [] {
    auto run = runTemper(tinyTrainArgs(dir / "ws", preparedCorpus().data));
    EXPECT_EQ(run.exit_code, 0) << run.all();
    return dir / "ws" / "runs" / runIdOf(run) / "final";
  }();
  return model;
}

int64_t tokenCount(const fs::path& tokenizer, const fs::path& file) {
  auto encoded =
      runTemper({"tokenizer", "encode", "--tokenizer", tokenizer.string(), "--file", file.string(), "--json"});
  EXPECT_EQ(encoded.exit_code, 0) << encoded.all();
  return static_cast<int64_t>(Json::parse(encoded.out).at("ids").size());
}

TEST(EvalCommand, JsonHasExactlyTheDocumentedKeysAndConsistentValues) {
  TempDir dir("eval");
  const fs::path text = dir / "held-out.txt";
  writeFile(text,
            "The fishermen listened to the children, and the baker baked a little more bread.\n"
            "Martha lit a candle in the window when the needle began to tremble.\n");
  const int64_t tokens = tokenCount(trainedModel() / "tokenizer.model", text);
  ASSERT_GT(tokens, 100);

  for (int64_t ctx : {16, 7, 2}) {
    SCOPED_TRACE("ctx " + std::to_string(ctx));
    auto r = runTemper({"eval", "--model", trainedModel().string(), "--data", text.string(), "--ctx",
                        std::to_string(ctx), "--json", "--threads", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.all();
    Json result = Json::parse(r.out, nullptr, false);
    ASSERT_TRUE(result.is_object()) << r.out;
    std::set<std::string> keys;
    for (const auto& item : result.items()) keys.insert(item.key());
    EXPECT_EQ(keys, (std::set<std::string>{"tokens", "predicted_tokens", "mean_nll", "perplexity"})) << result;
    // Encoded in one piece, no bos/eos: the same count as `tokenizer encode`.
    EXPECT_EQ(result["tokens"], tokens);
    // Each window of n tokens predicts n - 1 of them.
    const int64_t windows = (tokens + ctx - 1) / ctx;
    EXPECT_EQ(result["predicted_tokens"].get<int64_t>(), tokens - windows) << result;
    const double mean_nll = result["mean_nll"].get<double>();
    EXPECT_GT(mean_nll, 0.0);
    EXPECT_LT(mean_nll, std::log(80.0) + 1.0) << "worse than a uniform guess over the vocabulary";
    EXPECT_EQ(result["perplexity"].get<double>(), std::exp(mean_nll)) << result;
  }

  auto too_long = runTemper({"eval", "--model", trainedModel().string(), "--data", text.string(), "--ctx", "17"});
  EXPECT_EQ(too_long.exit_code, 2) << too_long.all();
  EXPECT_NE(too_long.err.find("allowed: 2 to the model's context 16"), std::string::npos) << too_long.err;
}

TEST(GenerateCommand, GreedyContinuationIsReproducible) {
  Args args = {"generate",
               "--model",
               trainedModel().string(),
               "--prompt",
               "The harbour",
               "--max-new-tokens",
               "12",
               "--temperature",
               "0",
               "--threads",
               "1"};
  auto first = runTemper(args);
  ASSERT_EQ(first.exit_code, 0) << first.all();
  EXPECT_EQ(first.out.rfind("The harbour", 0), 0u) << first.out;
  EXPECT_GT(first.out.size(), std::string("The harbour\n").size()) << first.out;
  EXPECT_EQ(runTemper(args).out, first.out);
}

const fs::path kBotchan = fs::path(TEMPER_SHARED_DATA) / "tokenizers" / "botchan-unigram-1000.model";

TEST(TokenizerCommands, BotchanGoldenIds) {
  if (!fs::exists(kBotchan)) GTEST_SKIP() << kBotchan << " is absent (../shared/data is not beside the checkout)";
  auto encoded = runTemper(
      {"tokenizer", "encode", "--tokenizer", kBotchan.string(), "--text", "Hello world, this is Botchan.", "--json"});
  ASSERT_EQ(encoded.exit_code, 0) << encoded.all();
  EXPECT_EQ(encoded.out, "{\"ids\":[151,88,21,887,5,65,47,296,227,92,84,6]}\n");

  auto plain =
      runTemper({"tokenizer", "encode", "--tokenizer", kBotchan.string(), "--text", "Hello world, this is Botchan."});
  EXPECT_EQ(plain.out, "151 88 21 887 5 65 47 296 227 92 84 6\n");

  for (const char* ids : {"[151,88,21,887,5,65,47,296,227,92,84,6]", "151 88 21 887 5 65 47 296 227 92 84 6",
                          "{\"ids\":[151,88,21,887,5,65,47,296,227,92,84,6]}"}) {
    auto decoded = runTemper({"tokenizer", "decode", "--tokenizer", kBotchan.string(), "--ids", ids});
    ASSERT_EQ(decoded.exit_code, 0) << decoded.all();
    EXPECT_EQ(decoded.out, "Hello world, this is Botchan.\n") << ids;
  }

  auto outside = runTemper({"tokenizer", "decode", "--tokenizer", kBotchan.string(), "--ids", "5 1000"});
  EXPECT_EQ(outside.exit_code, 2) << outside.all();
  EXPECT_NE(outside.err.find("id 1000 is outside the vocabulary (0 to 999)"), std::string::npos) << outside.err;
}

}  // namespace
}  // namespace temper::engine_test
