// resolveTrainConfig / trainConfigFromJson: defaults <- config file <- flags, key spellings, and
// error messages that name the key, where it came from and what is allowed (docs/cli.md).
#include <gtest/gtest.h>

#include <fstream>

#include "core/methods/peft_keys.h"
#include "core/methods/train_config.h"
#include "tests/core/train/train_test_support.h"

namespace temper {
namespace {

class TrainConfigTest : public ::testing::Test {
 protected:
  std::filesystem::path writeConfig(const std::string& text) {
    auto path = dir_ / ("config-" + std::to_string(files_++) + ".json");
    std::ofstream(path) << text;
    return path;
  }
  std::string configError(const std::string& file_text, const std::map<std::string, std::string>& flags = {}) {
    auto path = writeConfig(file_text);
    return test::errorMessage(ErrorKind::InvalidConfig, [&] { resolveTrainConfig(path, flags); });
  }
  std::string flagError(const std::map<std::string, std::string>& flags) {
    return test::errorMessage(ErrorKind::InvalidConfig, [&] { resolveTrainConfig(std::nullopt, flags); });
  }
  static std::map<std::string, std::string> minimal(std::map<std::string, std::string> more = {}) {
    more.emplace("data", "/data/set");
    more.emplace("preset", "tiny");
    return more;
  }

  test::TempDir dir_;
  int files_ = 0;
};

TEST_F(TrainConfigTest, DefaultsFromTheKeyTable) {
  TrainConfig c = resolveTrainConfig(writeConfig(R"({"data": "/data/set", "preset": "tiny"})"), {});
  EXPECT_EQ(c.method, "pretrain");
  EXPECT_EQ(c.data, "/data/set");
  EXPECT_EQ(c.name, "");
  EXPECT_EQ(c.preset, "tiny");
  EXPECT_EQ(c.layers, 0);
  EXPECT_EQ(c.batch_size, 12);
  EXPECT_EQ(c.grad_accum, 1);
  EXPECT_EQ(c.max_steps, 2000);
  EXPECT_EQ(c.warmup_steps, 100);
  EXPECT_DOUBLE_EQ(c.lr, 1e-3);
  EXPECT_DOUBLE_EQ(c.min_lr, 1e-4);
  EXPECT_DOUBLE_EQ(c.weight_decay, 0.1);
  EXPECT_DOUBLE_EQ(c.beta1, 0.9);
  EXPECT_DOUBLE_EQ(c.beta2, 0.99);
  EXPECT_DOUBLE_EQ(c.grad_clip, 1.0);
  EXPECT_DOUBLE_EQ(c.dropout, 0.0);
  EXPECT_TRUE(c.bias);
  EXPECT_EQ(c.eval_every, 250);
  EXPECT_EQ(c.eval_batches, 20);
  EXPECT_EQ(c.checkpoint_every, 500);
  EXPECT_EQ(c.seed, 1337);
  EXPECT_EQ(c.threads, 0);
  EXPECT_EQ(c.device, "auto");
  EXPECT_EQ(c.sample_tokens, 64);
  EXPECT_EQ(c.sample_prompts, std::vector<std::string>{"\n"});
}

TEST_F(TrainConfigTest, FlagsOverrideTheFileAndBothSpellingsWork) {
  auto path = writeConfig(R"({"data": "/d", "preset": "small", "lr": 0.002, "batch_size": 4,
                              "max-steps": 300, "sample_prompts": ["Once", "The end"]})");
  TrainConfig c = resolveTrainConfig(path, {{"lr", "0.003"}, {"warmup_steps", "7"}, {"max-steps", "400"}});
  EXPECT_DOUBLE_EQ(c.lr, 0.003);
  EXPECT_EQ(c.batch_size, 4);
  EXPECT_EQ(c.warmup_steps, 7);
  EXPECT_EQ(c.max_steps, 400);
  EXPECT_EQ(c.preset, "small");
  EXPECT_EQ(c.sample_prompts, (std::vector<std::string>{"Once", "The end"}));

  c = resolveTrainConfig(std::nullopt, minimal({{"sample-prompts", "a|b|c"}, {"layers", "3"}, {"dim", "64"}}));
  EXPECT_EQ(c.sample_prompts, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(c.layers, 3);
  EXPECT_EQ(c.dim, 64);
}

TEST_F(TrainConfigTest, UnknownKeysAreNamedWithTheKnownOnes) {
  auto path = writeConfig(R"({"data": "/d", "learning_rate": 0.1})");
  std::string message = test::errorMessage(ErrorKind::InvalidConfig, [&] { resolveTrainConfig(path, {}); });
  test::expectContains(message, {"unknown key `learning_rate`", "in " + path.string(), "known keys:", "lr", "min-lr",
                                 "grad-accum", "bias", "sample-prompts"});
  test::expectContains(flagError(minimal({{"batch_sise", "3"}})),
                       {"unknown key `batch_sise`", "(flag --batch-sise)", "known keys:", "batch-size"});
}

TEST_F(TrainConfigTest, BadFlagValuesNameKeyOriginAndRange) {
  // The example of docs/cli.md, verbatim.
  EXPECT_EQ(flagError(minimal({{"lr", "-1"}})), "`lr` (flag --lr) is \"-1\"; allowed: 1e-09 to 10");
  test::expectContains(flagError(minimal({{"lr", "fast"}})), {"`lr` (flag --lr) is \"fast\"", "1e-09 to 10"});
  test::expectContains(flagError(minimal({{"lr", "nan"}})), {"`lr` (flag --lr)", "1e-09 to 10"});
  test::expectContains(flagError(minimal({{"lr", "1e-3x"}})), {"`lr` (flag --lr) is \"1e-3x\""});
  test::expectContains(flagError(minimal({{"lr", ""}})), {"`lr` (flag --lr) is \"\""});
  test::expectContains(flagError(minimal({{"grad_accum", "0"}})),
                       {"`grad-accum` (flag --grad-accum) is \"0\"", "allowed: 1 to 4096"});
  test::expectContains(flagError(minimal({{"grad-accum", "1.5"}})),
                       {"`grad-accum`", "not a whole number", "1 to 4096"});
  test::expectContains(flagError(minimal({{"beta2", "1"}})), {"`beta2` (flag --beta2) is \"1\"", "0 to 0.999999"});
  test::expectContains(flagError(minimal({{"dropout", "0.96"}})), {"`dropout`", "0 to 0.95"});
  test::expectContains(flagError(minimal({{"device", "tpu"}})),
                       {"`device` (flag --device) is \"tpu\"", "allowed: one of auto, cpu, cuda"});
  test::expectContains(flagError({{"data", "/d"}, {"preset", "huge"}}),
                       {"`preset` (flag --preset) is \"huge\"", "one of tiny, small, gpt2-124m"});
  test::expectContains(flagError(minimal({{"bias", "yes"}})),
                       {"`bias` (flag --bias) is \"yes\"", "allowed: true or false"});
}

TEST_F(TrainConfigTest, BadFileValuesNameTheFile) {
  auto path = writeConfig(R"({"data": "/d", "preset": "tiny", "max_steps": 0})");
  std::string message = test::errorMessage(ErrorKind::InvalidConfig, [&] { resolveTrainConfig(path, {}); });
  test::expectContains(message, {"`max-steps` (in " + path.string() + ") is 0", "allowed: 1 to"});
  test::expectContains(configError(R"({"data": "/d", "preset": "tiny", "lr": true})"), {"`lr` (in ", "is true"});
  test::expectContains(configError(R"({"data": "/d", "preset": "tiny", "device": 1})"),
                       {"`device` (in ", "is 1", "one of auto"});
  test::expectContains(configError(R"({"data": 5, "preset": "tiny"})"), {"`data` (in ", "is 5"});
  test::expectContains(configError(R"({"data": "/d", "preset": "tiny", "bias": "maybe"})"),
                       {"`bias` (in ", "is \"maybe\"", "true or false"});
  test::expectContains(configError(R"([1, 2])"), {"expected a JSON object of keys"});
  // A string in the file is read like flag text.
  EXPECT_DOUBLE_EQ(resolveTrainConfig(writeConfig(R"({"data": "/d", "preset": "tiny", "lr": "0.01"})"), {}).lr, 0.01);
}

TEST_F(TrainConfigTest, BiasAcceptsWordsDigitsAndJsonBooleans) {
  for (const auto& [text, expected] :
       std::vector<std::pair<std::string, bool>>{{"true", true}, {"1", true}, {"false", false}, {"0", false}}) {
    EXPECT_EQ(resolveTrainConfig(std::nullopt, minimal({{"bias", text}})).bias, expected) << text;
  }
  EXPECT_FALSE(resolveTrainConfig(writeConfig(R"({"data": "/d", "preset": "tiny", "bias": false})"), {}).bias);
  EXPECT_TRUE(resolveTrainConfig(writeConfig(R"({"data": "/d", "preset": "tiny", "bias": true})"), {}).bias);
  // The flag wins over the file.
  EXPECT_TRUE(
      resolveTrainConfig(writeConfig(R"({"data": "/d", "preset": "tiny", "bias": false})"), {{"bias", "1"}}).bias);
}

TEST_F(TrainConfigTest, RelationsBetweenKeys) {
  test::expectContains(flagError(minimal({{"lr", "0.001"}, {"min-lr", "0.01"}})),
                       {"`min-lr` (0.01) must not exceed `lr` (0.001)"});
  test::expectContains(flagError(minimal({{"warmup-steps", "200"}, {"max-steps", "100"}})),
                       {"`warmup-steps` (200) must not exceed `max-steps` (100)"});
  test::expectContains(flagError({{"data", "/d"}}), {"give `preset`", "`layers`, `dim`, `heads`, `ctx`"});
  test::expectContains(flagError({{"data", "/d"}, {"layers", "2"}, {"dim", "32"}, {"heads", "2"}}), {"give `preset`"});
  test::expectContains(flagError({{"preset", "tiny"}}), {"`data` is required"});
  // Equal values are allowed, and a full shape replaces the preset.
  TrainConfig c = resolveTrainConfig(std::nullopt, {{"data", "/d"},
                                                    {"layers", "2"},
                                                    {"dim", "32"},
                                                    {"heads", "2"},
                                                    {"ctx", "16"},
                                                    {"lr", "0.01"},
                                                    {"min-lr", "0.01"},
                                                    {"warmup-steps", "5"},
                                                    {"max-steps", "5"}});
  EXPECT_EQ(c.preset, "");
  EXPECT_EQ(c.ctx, 16);
  EXPECT_EQ(c.max_steps, 5);
}

TEST_F(TrainConfigTest, FinetuningMethodsTakeTheirOwnDefaultsAndRefuseKeysTheyIgnore) {
  TrainConfig sft = resolveTrainConfig(std::nullopt, {{"method", "sft"}, {"base", "/m"}, {"data", "/d.jsonl"}});
  EXPECT_DOUBLE_EQ(sft.lr, 5e-5);
  EXPECT_DOUBLE_EQ(sft.weight_decay, 0.0);
  EXPECT_EQ(sft.warmup_steps, 10);
  EXPECT_EQ(sft.max_steps, 500);
  // A value given wins over the method's default.
  TrainConfig given =
      resolveTrainConfig(std::nullopt, {{"method", "classify"}, {"base", "/m"}, {"data", "/d.csv"}, {"lr", "0.001"}});
  EXPECT_DOUBLE_EQ(given.lr, 0.001);
  EXPECT_DOUBLE_EQ(given.min_lr, 5e-6);
  TrainConfig pre = resolveTrainConfig(std::nullopt, {{"data", "/d"}, {"preset", "tiny"}});
  EXPECT_DOUBLE_EQ(pre.lr, 1e-3);
  test::expectContains(flagError({{"method", "sft"}, {"data", "/d"}}), {"`base` is required for sft"});
  test::expectContains(flagError({{"method", "sft"}, {"base", "/m"}, {"data", "/d"}, {"preset", "tiny"}}),
                       {"`preset` (flag --preset) does nothing for method sft", "applies to pretrain"});
  test::expectContains(flagError({{"data", "/d"}, {"preset", "tiny"}, {"base", "/m"}}),
                       {"`base`", "does nothing for method pretrain"});
  test::expectContains(flagError({{"method", "classify"}, {"base", "/m"}, {"data", "/d"}, {"packing", "true"}}),
                       {"`packing`", "applies to sft"});
  test::expectContains(flagError({{"method", "lora"}}), {"`method`", "pretrain, continued-pretrain, sft, classify"});
}

TEST_F(TrainConfigTest, ToJsonRoundTripsEveryKey) {
  TrainConfig c = resolveTrainConfig(std::nullopt, {{"data", "/data/set"},
                                                    {"name", "my run"},
                                                    {"preset", "small"},
                                                    {"layers", "3"},
                                                    {"dim", "96"},
                                                    {"heads", "3"},
                                                    {"ctx", "128"},
                                                    {"batch-size", "5"},
                                                    {"grad-accum", "3"},
                                                    {"max-steps", "77"},
                                                    {"warmup-steps", "7"},
                                                    {"lr", "0.0025"},
                                                    {"min-lr", "0.00025"},
                                                    {"weight-decay", "0.05"},
                                                    {"beta1", "0.8"},
                                                    {"beta2", "0.9"},
                                                    {"grad-clip", "0"},
                                                    {"dropout", "0.2"},
                                                    {"bias", "false"},
                                                    {"eval-every", "11"},
                                                    {"eval-batches", "3"},
                                                    {"checkpoint-every", "13"},
                                                    {"seed", "9"},
                                                    {"threads", "2"},
                                                    {"device", "cpu"},
                                                    {"sample-tokens", "8"},
                                                    {"sample-prompts", "x|y"}});
  Json stored = c.toJson();
  // Every key of the table is stored, except those of a PEFT kind not in use (noise in the record).
  for (const auto& spec : trainKeySpecs()) {
    EXPECT_EQ(stored.contains(spec.key), peftKindOfKey(spec.key).empty()) << spec.key;
  }
  TrainConfig back = trainConfigFromJson(stored, {});
  EXPECT_EQ(back.toJson(), stored);
  EXPECT_EQ(back.name, "my run");
  EXPECT_EQ(back.preset, "small");
  EXPECT_EQ(back.layers, 3);
  EXPECT_EQ(back.heads, 3);
  EXPECT_EQ(back.grad_accum, 3);
  EXPECT_DOUBLE_EQ(back.lr, 0.0025);
  EXPECT_DOUBLE_EQ(back.grad_clip, 0.0);
  EXPECT_FALSE(back.bias);
  EXPECT_EQ(back.device, "cpu");
  EXPECT_EQ(back.sample_prompts, (std::vector<std::string>{"x", "y"}));

  // A LoRA run stores its kind's keys, alpha resolved to 2 × r, and they come back.
  TrainConfig lora = resolveTrainConfig(std::nullopt, {{"method", "sft"},
                                                       {"base", "b"},
                                                       {"data", "d"},
                                                       {"peft", "lora"},
                                                       {"lora-r", "16"},
                                                       {"lora-targets", "q_proj,v_proj"}});
  Json lora_stored = lora.toJson();
  EXPECT_EQ(lora_stored.at("peft"), "lora");
  EXPECT_EQ(lora_stored.at("lora-r"), 16);
  EXPECT_EQ(lora_stored.at("lora-alpha"), 32.0);
  EXPECT_EQ(lora_stored.at("lora-targets"), "q_proj,v_proj");
  EXPECT_DOUBLE_EQ(lora_stored.at("lr").get<double>(), 2e-4);  // an adapter's default
  EXPECT_FALSE(lora_stored.contains("prompt-tokens"));
  EXPECT_EQ(trainConfigFromJson(lora_stored, {}).toJson(), lora_stored);
  EXPECT_EQ(peftChoice(trainConfigFromJson(lora_stored, {})).lora.r, 16);

  // Overrides apply on top, with the usual checks.
  EXPECT_EQ(trainConfigFromJson(stored, {{"max_steps", "5000"}}).max_steps, 5000);
  test::expectContains(test::errorMessage(ErrorKind::InvalidConfig,
                                          [&] {
                                            trainConfigFromJson(stored, {{"max-steps", "5"}});
                                          }),
                       {"`warmup-steps` (7) must not exceed `max-steps` (5)"});
  Json broken = stored;
  broken["beta1"] = 2;
  test::expectContains(test::errorMessage(ErrorKind::InvalidConfig, [&] { trainConfigFromJson(broken, {}); }),
                       {"`beta1` (stored config) is 2"});
}

TEST_F(TrainConfigTest, DefaultPromptRoundTrips) {
  TrainConfig c = resolveTrainConfig(std::nullopt, minimal());
  TrainConfig back = trainConfigFromJson(c.toJson(), {});
  EXPECT_EQ(back.sample_prompts, std::vector<std::string>{"\n"});
  EXPECT_EQ(back.toJson(), c.toJson());
}

// A bad text value says a string is expected (not a numeric range).
TEST_F(TrainConfigTest, BadTextValueSaysATextIsExpected) {
  std::string message = configError(R"({"data": 5, "preset": "tiny"})");
  EXPECT_EQ(message.find("0 to 0"), std::string::npos) << message;
  test::expectContains(message, {"`data`", "a string"});
}

// A non-string item in a `sample-prompts` array is Error(InvalidConfig) naming the key.
TEST_F(TrainConfigTest, NonStringSamplePromptIsAConfigError) {
  test::expectContains(configError(R"({"data": "/d", "preset": "tiny", "sample_prompts": ["a", 2]})"),
                       {"`sample-prompts` (in "});
}

// Integer bounds are printed exactly.
TEST_F(TrainConfigTest, IntegerBoundsArePrintedExactly) {
  test::expectContains(flagError(minimal({{"seed", "-1"}})), {"allowed: 0 to 9007199254740991"});
  test::expectContains(flagError(minimal({{"max-steps", "0"}})), {"allowed: 1 to 100000000"});
}

// The min-lr/lr relation shows small rates readably.
TEST_F(TrainConfigTest, LrRelationShowsSmallRates) {
  test::expectContains(flagError(minimal({{"lr", "1e-7"}, {"min-lr", "1e-6"}})), {"1e-07", "1e-06"});
}

}  // namespace
}  // namespace temper
