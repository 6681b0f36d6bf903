// GRPO and RLOO end to end through the real `temper`: from the tiny GPT-2 the tests pretrain,
// finetuned here (sft) to answer "will the S take T" with " the S takes T gladly." about 30% of
// the time and " ... never." otherwise, chosen at random per record so that every prompt's group
// of samples mixes both. A `format` rule rewards the "gladly." ending; a reward model trained on
// pairs that prefer it rewards the same thing in a model's own words. Learning checks on held-out
// prompts, exact resume with kept rollouts (num-iterations 2), the step metrics and the scored
// samples, and the refusals of the new keys.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <random>

#include "core/common/json_io.h"
#include "tests/core/engine/engine_test_support.h"

namespace temper::engine_test {
namespace {

const char* const kSubjects[] = {"baker", "martha", "child", "sailor", "man"};
const char* const kThings[] = {"bread", "boats", "nets", "maps", "tea", "coins"};
const std::string kGladlyRule = R"([{"kind": "format", "argument": "... gladly."}])";

// Prompt-completion records; `answer` is a field the exact-match rule can read. The tiny base's
// character vocabulary has no '?', so the prompts go without one.
void writeMarkerSft(const std::filesystem::path& path, int count) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::ofstream out(path);
  for (int i = 0; i < count; ++i) {
    const std::string subject = kSubjects[i % 5], thing = kThings[(i / 5) % 6];
    const std::string ending = u(rng) < 0.3 ? " gladly." : " never.";
    out << Json{{"prompt", "will the " + subject + " take " + thing},
                {"completion", " the " + subject + " takes " + thing + ending},
                {"answer", thing}}
               .dump()
        << "\n";
  }
}

struct MarkerBase {
  std::filesystem::path sft_data;
  std::filesystem::path model;
};

// The tiny base finetuned on the marker records, made once per test program (about 2 s).
const MarkerBase& markerBase() {
  static TempDir dir("marker-sft");
  static const MarkerBase base = [] {
    MarkerBase b{dir / "sft.jsonl", {}};
    writeMarkerSft(b.sft_data, 120);
    auto result = runTemper(trainArgs(dir / "ws",
                                      {{"method", "sft"},
                                       {"base", pretrainedTinyBase().string()},
                                       {"data", b.sft_data.string()},
                                       {"batch-size", "8"},
                                       {"max-steps", "300"},
                                       {"warmup-steps", "0"},
                                       {"lr", "0.003"},
                                       {"min-lr", "0.003"},
                                       {"eval-every", "300"},
                                       {"threads", "1"},
                                       {"ctx", "64"},
                                       {"sample-tokens", "0"}},
                                      {}));
    EXPECT_EQ(result.exit_code, 0) << result.all();
    b.model = std::filesystem::path(listRuns(dir / "ws").at(0).at("run_dir").get<std::string>()) / "final";
    return b;
  }();
  return base;
}

Args rlArgs(const std::filesystem::path& workspace, const std::string& method,
            const std::map<std::string, std::string>& extra = {}) {
  return trainArgs(workspace,
                   {{"method", method},
                    {"base", markerBase().model.string()},
                    {"data", markerBase().sft_data.string()},
                    {"reward-rules", kGladlyRule},
                    {"batch-size", "4"},
                    {"num-generations", "8"},
                    {"max-completion-length", "36"},
                    {"max-steps", "60"},
                    {"warmup-steps", "0"},
                    {"lr", "0.001"},
                    {"min-lr", "0.001"},
                    {"eval-every", "20"},
                    {"eval-batches", "3"},
                    {"threads", "1"},
                    {"ctx", "64"}},
                   extra);
}

std::filesystem::path finalDir(const std::filesystem::path& workspace) {
  return std::filesystem::path(listRuns(workspace).at(0).at("run_dir").get<std::string>()) / "final";
}

/// A run to `keys`' max-steps in one go, and the same stopped after `stop` steps and resumed (with
/// `--resume`): each step's metrics, less the rollout speed, with its loss, by step.
struct WholeAndResumed {
  std::map<int64_t, Json> whole, resumed;
};
WholeAndResumed runWholeAndResumed(
    const std::filesystem::path& dir,
    const std::function<Args(const std::filesystem::path&, const std::map<std::string, std::string>&)>& args,
    std::map<std::string, std::string> keys, int64_t stop) {
  WholeAndResumed out;
  auto collect = [](const ProcessResult& run, std::map<int64_t, Json>& into) {
    for (const auto& e : run.events("step")) {
      Json m = e.at("metrics");
      m.erase("rollout_tokens_per_s");  // a speed, not a result
      m["loss"] = e.at("loss");
      into[e.at("step").get<int64_t>()] = m;
    }
  };
  const std::string total = keys.at("max-steps");
  const auto whole = runTemper(args(dir / "whole", keys));
  EXPECT_EQ(whole.exit_code, 0) << whole.all();
  keys["max-steps"] = std::to_string(stop);
  const auto half = runTemper(args(dir / "split", keys));
  EXPECT_EQ(half.exit_code, 0) << half.all();
  if (half.exit_code != 0) return out;
  const std::string run_id = listRuns(dir / "split").at(0).at("id").get<std::string>();
  const auto resumed =
      runTemper({"train", "--workspace", (dir / "split").string(), "--resume", run_id, "--max-steps", total});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.all();
  collect(whole, out.whole);
  collect(half, out.resumed);
  collect(resumed, out.resumed);
  return out;
}

TEST(Grpo, AFormatRuleTeachesTheFormatWithTheKlKeepingTheWords) {
  TempDir dir("grpo-format");
  auto result = runTemper(rlArgs(dir / "ws", "grpo", {{"beta", "0.04"}}));
  ASSERT_EQ(result.exit_code, 0) << result.all();
  const Json data = result.events("run_started").at(0).at("data");
  EXPECT_EQ(data.at("format"), "prompts");
  EXPECT_EQ(data.at("rewards"), (Json{"rewards/format"}));
  EXPECT_EQ(data.at("train").at("examples").get<int>() + data.at("validation").at("examples").get<int>(), 120);

  // Each step reports its rollouts: at the start about the finetuned 30% end with "gladly.".
  auto steps = result.events("step");
  ASSERT_EQ(steps.size(), 60u);
  const Json& first = steps.front().at("metrics");
  for (const char* name : {"reward", "reward_std", "rewards/format", "frac_reward_zero_std", "completions/mean_length",
                           "completions/clipped_ratio", "kl", "clip_ratio/region_mean", "rollout_tokens_per_s"}) {
    EXPECT_TRUE(first.contains(name)) << name << " " << first.dump();
  }
  EXPECT_LT(first.at("reward").get<double>(), 0.6) << first.dump();
  EXPECT_EQ(first.at("reward"), first.at("rewards/format")) << "one rule of weight 1";
  // μ = 1: the ratio is exactly 1, nothing is clipped.
  EXPECT_EQ(first.at("clip_ratio/region_mean").get<double>(), 0.0);

  // Held-out prompts: at least 80% of the samples end in the format after 60 steps.
  auto evals = result.events("eval");
  ASSERT_EQ(evals.size(), 3u);
  const Json& last = evals.back().at("metrics");
  EXPECT_GE(last.at("reward").get<double>(), 0.8) << last.dump();
  EXPECT_GT(last.at("reward").get<double>(), first.at("reward").get<double>() + 0.3);
  EXPECT_DOUBLE_EQ(evals.back().at("val_loss").get<double>(), -last.at("reward").get<double>());
  // The KL to the reference stays small on average (single steps spike: a run seen here peaked at
  // 1.03 per token with a mean of 0.31): the words of the finetuned model are kept.
  double kl_sum = 0;
  for (const auto& step : steps) kl_sum += step.at("metrics").at("kl").get<double>();
  EXPECT_LT(kl_sum / static_cast<double>(steps.size()), 0.5);

  // The samples carry their scores; the metrics are in the store as train_* and val_*.
  auto samples = result.events("sample");
  ASSERT_FALSE(samples.empty());
  EXPECT_TRUE(samples.front().at("scores").contains("rewards/format")) << samples.front().dump();
  // With a KL term each shown sample carries its KL to the reference (Σ log π − log π_ref).
  for (const auto& sample : samples) {
    ASSERT_TRUE(sample.at("scores").contains("kl")) << sample.dump();
    EXPECT_TRUE(std::isfinite(sample.at("scores").at("kl").get<double>())) << sample.dump();
  }
  const Json run = showRun(dir / "ws", listRuns(dir / "ws").at(0).at("id").get<std::string>());
  EXPECT_NE(run.dump().find("train_rewards/format"), std::string::npos);
  EXPECT_NE(run.dump().find("val_reward"), std::string::npos);
  const Json config = readJsonFile(finalDir(dir / "ws") / "config.json");
  EXPECT_EQ(config.at("architectures"), (Json{"GPT2LMHeadModel"}));
}

TEST(Grpo, ResumesExactlyWithRolloutsKeptAcrossIterations) {
  TempDir dir("grpo-resume");
  // num-iterations 2 over grad-accum 2: each batch of rollouts serves two optimizer steps, so a
  // stop after an odd step leaves kept rollouts (and their old log-probs) in the checkpoint.
  const std::map<std::string, std::string> keys = {{"num-iterations", "2"}, {"grad-accum", "2"},     {"beta", "0.04"},
                                                   {"max-steps", "6"},      {"eval-every", "3"},     {"lr", "0.003"},
                                                   {"min-lr", "0.003"},     {"epsilon-high", "0.28"}};
  const auto grpo = [](const std::filesystem::path& ws, const std::map<std::string, std::string>& k) {
    return rlArgs(ws, "grpo", k);
  };
  const WholeAndResumed runs = runWholeAndResumed(dir.path(), grpo, keys, 3);
  ASSERT_EQ(runs.whole.size(), 6u);
  EXPECT_EQ(runs.resumed, runs.whole);
  const auto& expected_metrics = runs.whole;
  // Steps that reuse kept rollouts report no new rewards, and their ratio has moved from 1.
  EXPECT_FALSE(expected_metrics.at(2).contains("reward")) << expected_metrics.at(2).dump();
  EXPECT_TRUE(expected_metrics.at(1).contains("reward"));
}

TEST(Rloo, LearnsTheFormatWithTheKlInItsReward) {
  TempDir dir("rloo");
  // TRL's RLOO default beta 0.05: the summed KL to the base is taken off each completion's reward.
  auto result = runTemper(rlArgs(dir / "ws", "rloo"));
  ASSERT_EQ(result.exit_code, 0) << result.all();
  auto steps = result.events("step");
  ASSERT_EQ(steps.size(), 60u);
  // The policy starts as its reference: KL 0. A group's leave-one-out advantages sum to 0, and at
  // ratio 1 so does the loss (not its gradient).
  EXPECT_NEAR(steps.front().at("metrics").at("kl").get<double>(), 0.0, 1e-6) << steps.front().dump();
  EXPECT_NEAR(steps.front().at("loss").get<double>(), 0.0, 1e-6);
  auto evals = result.events("eval");
  ASSERT_EQ(evals.size(), 3u);
  // Seen by hand over three seeds: from 0.34-0.44 at the first step to 0.82-0.95 held-out at 60.
  const double start = steps.front().at("metrics").at("reward").get<double>();
  const double end = evals.back().at("metrics").at("reward").get<double>();
  EXPECT_GT(end, start + 0.25) << "start " << start << " end " << end;
}

TEST(Rloo, UnderLoraTheBaseWithoutTheAdapterIsTheReference) {
  TempDir dir("rloo-lora");
  auto result = runTemper(rlArgs(dir / "ws", "rloo",
                                 {{"peft", "lora"},
                                  {"lora-r", "8"},
                                  {"lr", "0.02"},
                                  {"min-lr", "0.02"},
                                  {"max-steps", "6"},
                                  {"eval-every", "6"}}));
  ASSERT_EQ(result.exit_code, 0) << result.all();
  auto steps = result.events("step");
  ASSERT_EQ(steps.size(), 6u);
  // LoRA starts as the identity (lora_B = 0): policy and reference agree; once it moves they do not.
  EXPECT_NEAR(steps.front().at("metrics").at("kl").get<double>(), 0.0, 1e-6) << steps.front().dump();
  EXPECT_GT(std::abs(steps.back().at("metrics").at("kl").get<double>()), 1e-6) << steps.back().dump();
  EXPECT_TRUE(std::filesystem::exists(finalDir(dir / "ws") / "adapter_config.json"));
}

TEST(Grpo, LearnsFromARewardModelTrainedOnTheSamePreference) {
  TempDir dir("grpo-reward-model");
  // Pairs in the finetuned model's words: the same answer ending " gladly." is preferred to " never.".
  {
    std::ofstream out(dir / "pairs.jsonl");
    for (int i = 0; i < 60; ++i) {
      const std::string subject = kSubjects[i % 5], thing = kThings[(i / 5) % 6];
      out << Json{{"prompt", "will the " + subject + " take " + thing},
                  {"chosen", " the " + subject + " takes " + thing + " gladly."},
                  {"rejected", " the " + subject + " takes " + thing + " never."}}
                 .dump()
          << "\n";
    }
  }
  auto rm = runTemper(trainArgs(dir / "rm",
                                {{"method", "reward-model"},
                                 {"base", pretrainedTinyBase().string()},
                                 {"data", (dir / "pairs.jsonl").string()},
                                 {"batch-size", "4"},
                                 {"max-steps", "40"},
                                 {"warmup-steps", "0"},
                                 {"lr", "0.003"},
                                 {"min-lr", "0.003"},
                                 {"eval-every", "40"},
                                 {"threads", "1"},
                                 {"ctx", "64"}},
                                {}));
  ASSERT_EQ(rm.exit_code, 0) << rm.all();
  auto result = runTemper(rlArgs(
      dir / "ws", "grpo",
      {{"reward-rules", ""}, {"reward-model", finalDir(dir / "rm").string()}, {"beta", "0.04"}, {"max-steps", "40"}}));
  ASSERT_EQ(result.exit_code, 0) << result.all();
  EXPECT_EQ(result.events("run_started").at(0).at("data").at("rewards"), (Json{"rewards/model"}));
  auto steps = result.events("step");
  auto evals = result.events("eval");
  ASSERT_EQ(evals.size(), 2u);
  // The reward model's score of the held-out samples rises above where the policy started.
  const double start = steps.front().at("metrics").at("reward").get<double>();
  EXPECT_GT(evals.back().at("metrics").at("reward").get<double>(), start) << evals.back().dump();
}

Args ppoArgs(const std::filesystem::path& workspace, const std::map<std::string, std::string>& extra = {}) {
  // Seen by hand: lr 1e-4 lifts the held-out share from 0.25 to 0.92 by step 25 with a KL of 1.6
  // per completion on average; 1e-3 gets there too but the words decay (KL 6-16).
  std::map<std::string, std::string> keys = {{"num-generations", ""}, {"batch-size", "8"}, {"max-steps", "50"},
                                             {"eval-every", "25"},    {"lr", "0.0001"},    {"min-lr", "0.0001"}};
  for (const auto& [key, value] : extra) keys[key] = value;
  return rlArgs(workspace, "ppo", keys);
}

TEST(Ppo, AFormatRuleRaisesTheScoreWithTheKlBounded) {
  TempDir dir("ppo-format");
  auto result = runTemper(ppoArgs(dir / "ws"));
  ASSERT_EQ(result.exit_code, 0) << result.all();
  auto steps = result.events("step");
  ASSERT_EQ(steps.size(), 50u);
  const Json& first = steps.front().at("metrics");
  for (const char* name : {"objective/scores", "objective/kl", "objective/entropy", "objective/rlhf_reward",
                           "policy/clipfrac_avg", "val/clipfrac_avg", "loss/value_avg", "kl_coef", "reward"}) {
    EXPECT_TRUE(first.contains(name)) << name << " " << first.dump();
  }
  // The first rollouts come from the policy that scores them: KL 0, nothing clipped in epoch one.
  EXPECT_NEAR(first.at("objective/kl").get<double>(), 0.0, 1e-6);
  auto evals = result.events("eval");
  ASSERT_EQ(evals.size(), 2u);
  const double start = first.at("reward").get<double>();
  const double end = evals.back().at("metrics").at("reward").get<double>();
  EXPECT_GT(end, start + 0.2) << "start " << start << " end " << end;
  // Each batch of rollouts serves ppo-epochs (4) steps; the steps that sampled report its KL.
  double kl_sum = 0;
  int batches = 0;
  for (const auto& step : steps) {
    if (!step.at("metrics").contains("objective/kl")) continue;
    kl_sum += step.at("metrics").at("objective/kl").get<double>();
    ++batches;
  }
  EXPECT_EQ(batches, 13);  // steps 1, 5, ..., 49
  EXPECT_LT(kl_sum / batches, 10.0) << "the KL per completion stays bounded";
  EXPECT_TRUE(std::filesystem::exists(finalDir(dir / "ws") / "value_head.safetensors"));
  // The shown samples carry their scores and their KL to the reference, as the studio's table shows.
  auto samples = result.events("sample");
  ASSERT_FALSE(samples.empty());
  for (const auto& sample : samples) {
    ASSERT_TRUE(sample.at("scores").contains("kl")) << sample.dump();
    EXPECT_TRUE(std::isfinite(sample.at("scores").at("kl").get<double>())) << sample.dump();
  }
}

TEST(Ppo, ResumesExactlyMidwayThroughItsEpochs) {
  TempDir dir("ppo-resume");
  const std::map<std::string, std::string> keys = {
      {"ppo-epochs", "2"}, {"max-steps", "6"}, {"eval-every", "3"}, {"target-kl", "0.5"}, {"kl-horizon", "100"}};
  const WholeAndResumed runs = runWholeAndResumed(dir.path(), ppoArgs, keys, 3);
  ASSERT_EQ(runs.whole.size(), 6u);
  EXPECT_EQ(runs.resumed, runs.whole);
  const auto& expected = runs.whole;
  // The adaptive coefficient moved, and moved the same way across the stop. Steps 1, 3, 5 sample
  // new rollouts (and report the coefficient they used); 2, 4, 6 train on them a second time.
  EXPECT_FALSE(expected.at(2).contains("kl_coef"));
  EXPECT_NE(expected.at(5).at("kl_coef"), expected.at(1).at("kl_coef"));
}

// num-mini-batches 2 × ppo-epochs 2: one batch of rollouts (two micro-batches' worth, sampled at
// once by the same policy) serves four optimizer steps, one mini-batch each; stopped in the
// cycle's second epoch and resumed, the run repeats the uninterrupted one step for step.
TEST(Ppo, MiniBatchesShareOneBatchOfRolloutsAndResumeExactly) {
  TempDir dir("ppo-mini");
  const std::map<std::string, std::string> keys = {
      {"ppo-epochs", "2"}, {"num-mini-batches", "2"}, {"batch-size", "4"}, {"max-steps", "8"}, {"eval-every", "4"}};
  const WholeAndResumed runs = runWholeAndResumed(dir.path(), ppoArgs, keys, 3);
  const auto& expected = runs.whole;
  ASSERT_EQ(expected.size(), 8u);
  EXPECT_EQ(runs.resumed, expected);
  // Steps 1 and 5 sample (and report the rollouts' measures); 2-4 and 6-8 train on what they sampled.
  for (int64_t step = 1; step <= 8; ++step) {
    EXPECT_EQ(expected.at(step).contains("objective/kl"), step == 1 || step == 5) << "step " << step;
  }
  // The first step's mini-batch comes from the policy that sampled it: nothing clipped yet.
  EXPECT_EQ(expected.at(1).at("policy/clipfrac_avg").get<double>(), 0.0);
}

TEST(GroupPolicyConfig, RefusesWhatCannotWork) {
  TempDir dir("grpo-refusals");
  auto no_reward = runTemper(rlArgs(dir / "ws", "grpo", {{"reward-rules", ""}}));
  EXPECT_EQ(no_reward.exit_code, 2) << no_reward.all();
  EXPECT_NE(no_reward.err.find("learns from rewards and none is given"), std::string::npos) << no_reward.err;

  auto bad_rule = runTemper(rlArgs(dir / "ws", "grpo", {{"reward-rules", R"([{"kind": "rhymes", "argument": "x"}])"}}));
  EXPECT_EQ(bad_rule.exit_code, 2) << bad_rule.all();
  EXPECT_NE(bad_rule.err.find("rhymes"), std::string::npos) << bad_rule.err;

  auto too_long = runTemper(rlArgs(dir / "ws", "grpo", {{"max-completion-length", "64"}}));
  EXPECT_EQ(too_long.exit_code, 2) << too_long.all();
  EXPECT_NE(too_long.err.find("max-completion-length"), std::string::npos) << too_long.err;

  // exact-match reads a field every record must have; the first record without it is named.
  auto no_field =
      runTemper(rlArgs(dir / "ws", "grpo", {{"reward-rules", R"([{"kind": "exact-match", "argument": "solution"}])"}}));
  EXPECT_NE(no_field.exit_code, 0) << no_field.all();
  EXPECT_NE(no_field.err.find("sft.jsonl:1: no field `solution`"), std::string::npos) << no_field.err;

  // DPO's beta must stay positive now that the key also takes GRPO's 0.
  auto dpo_zero = runTemper(trainArgs(dir / "ws",
                                      {{"method", "dpo"},
                                       {"base", markerBase().model.string()},
                                       {"data", markerBase().sft_data.string()},
                                       {"beta", "0"},
                                       {"threads", "1"}},
                                      {}));
  EXPECT_EQ(dpo_zero.exit_code, 2) << dpo_zero.all();
  EXPECT_NE(dpo_zero.err.find("needs a positive beta"), std::string::npos) << dpo_zero.err;
  EXPECT_TRUE(listRuns(dir / "ws").empty()) << "nothing recorded for a refused config";
}

}  // namespace
}  // namespace temper::engine_test
