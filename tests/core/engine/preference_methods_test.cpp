// The pairwise preference methods end to end through the real `temper`: a reward model and the DPO
// family (dpo, simpo, orpo) train from the tiny GPT-2 the test pretrains, on pairs that follow a rule
// any model can see (the preferred answer ends with a marker word), read from a TRL file or from a
// preference set of the workspace's store. Learning checks with held-out pairs, the saved folders,
// exact resume, and the refusals of the new keys.
#include <gtest/gtest.h>

#include <fstream>

#include "core/common/json_io.h"
#include "tests/core/engine/engine_test_support.h"

namespace temper::engine_test {
namespace {

Args preferenceArgs(const std::filesystem::path& workspace, const std::string& method, const std::string& data,
                    const std::map<std::string, std::string>& extra = {}) {
  std::map<std::string, std::string> flags = {{"method", method},      {"base", pretrainedTinyBase().string()},
                                              {"data", data},          {"batch-size", "4"},
                                              {"max-steps", "40"},     {"warmup-steps", "0"},
                                              {"lr", "0.003"},         {"min-lr", "0.003"},
                                              {"eval-every", "20"},    {"eval-batches", "8"},
                                              {"threads", "1"},        {"ctx", "64"},
                                              {"val-fraction", "0.25"}};
  if (method != "reward-model") flags["sample-tokens"] = "8";
  return trainArgs(workspace, std::move(flags), extra);
}

// TRL explicit-prompt pairs in the corpus's words: the preferred answer ends with " gladly." and
// the other with " never." (a rule any model can see in the answer's last word). Short enough that
// prompt + answer fit the tiny base's 64 characters, so nothing is cut.
void writeMarkerPairs(const std::filesystem::path& path, int count, int first = 0) {
  static const char* const subjects[] = {"baker", "martha", "child", "sailor", "man"};
  static const char* const things[] = {"bread", "boats", "nets", "maps", "tea", "coins"};
  std::ofstream out(path);
  for (int i = first; i < first + count; ++i) {
    const std::string subject = subjects[i % 5];
    const std::string a = things[i % 6], b = things[(i / 6 + i + 1) % 6];
    Json record = {{"prompt", "will the " + subject + " take " + a + "?"},
                   {"chosen", " the " + subject + " takes " + b + " gladly."},
                   {"rejected", " the " + subject + " takes " + a + " never."}};
    out << record.dump() << "\n";
  }
}

std::filesystem::path finalDir(const std::filesystem::path& workspace) {
  return std::filesystem::path(listRuns(workspace).at(0).at("run_dir").get<std::string>()) / "final";
}

TEST(RewardModel, LearnsTheMarkerRuleAndSavesAOneLabelClassifier) {
  TempDir dir("reward-model");
  writeMarkerPairs(dir / "pairs.jsonl", 80);
  auto result = runTemper(preferenceArgs(dir / "ws", "reward-model", (dir / "pairs.jsonl").string()));
  ASSERT_EQ(result.exit_code, 0) << result.all();
  const Json data = result.events("run_started").at(0).at("data");
  EXPECT_EQ(data.at("format"), "preference");
  EXPECT_EQ(data.at("train").at("examples"), 60) << data.dump();
  EXPECT_EQ(data.at("validation").at("examples"), 20) << data.dump();
  EXPECT_EQ(data.at("train").at("truncated"), 0) << data.dump();
  auto evals = result.events("eval");
  ASSERT_EQ(evals.size(), 2u);
  const Json& last = evals.back().at("metrics");
  EXPECT_GE(last.at("accuracy").get<double>(), 0.95) << last.dump();
  EXPECT_GT(last.at("margin").get<double>(), evals.front().at("metrics").at("margin").get<double>()) << last.dump();
  EXPECT_GT(last.at("chosen_reward").get<double>(), last.at("rejected_reward").get<double>());
  EXPECT_LT(evals.back().at("val_loss").get<double>(), std::log(2.0)) << "below chance: -log σ(0)";
  const Json config = readJsonFile(finalDir(dir / "ws") / "config.json");
  EXPECT_EQ(config.at("architectures"), (Json{"GPT2ForSequenceClassification"}));
  EXPECT_EQ(config.at("id2label"), (Json{{"0", "LABEL_0"}}));
  EXPECT_TRUE(config.contains("pad_token_id")) << config.dump();
  EXPECT_TRUE(std::filesystem::exists(finalDir(dir / "ws") / "model.safetensors"));

  // `temper eval` scores pairs it never saw; `temper reward` one answer at a time, the same way.
  writeMarkerPairs(dir / "unseen.jsonl", 30, 500);
  auto eval = runTemper({"eval", "--model", finalDir(dir / "ws").string(), "--data", (dir / "unseen.jsonl").string(),
                         "--threads", "1", "--json"});
  ASSERT_EQ(eval.exit_code, 0) << eval.all();
  const Json scored = Json::parse(eval.out);
  EXPECT_EQ(scored.at("task"), "reward-model");
  EXPECT_EQ(scored.at("pairs"), 30);
  EXPECT_GE(scored.at("accuracy").get<double>(), 0.95) << scored.dump();
  EXPECT_GT(scored.at("mean_margin").get<double>(), 0.0);
  auto reward = [&](const std::string& completion) {
    auto r = runTemper({"reward", "--model", finalDir(dir / "ws").string(), "--prompt", "will the martha take tea?",
                        "--completion", completion, "--threads", "1", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.all();
    return Json::parse(r.out).at("reward").get<double>();
  };
  EXPECT_GT(reward(" the martha takes maps gladly."), reward(" the martha takes maps never."));
}

TEST(RewardModel, TrainsFromAStoreSetAndFurtherFromItself) {
  TempDir dir("reward-model-set");
  const auto ws = dir / "ws";
  writeMarkerPairs(dir / "pairs.jsonl", 40);
  auto imported =
      runTemper({"prefs", "import", (dir / "pairs.jsonl").string(), "--set", "marker", "--workspace", ws.string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.all();
  auto first = runTemper(preferenceArgs(ws, "reward-model", "set:marker", {{"max-steps", "10"}, {"eval-every", "10"}}));
  ASSERT_EQ(first.exit_code, 0) << first.all();
  const Json data = first.events("run_started").at(0).at("data");
  EXPECT_EQ(data.at("source"), "set marker");
  EXPECT_EQ(data.at("train").at("examples").get<int>() + data.at("validation").at("examples").get<int>(), 40);
  // The run keeps set:marker as given (a name, not a path made absolute).
  const Json run = showRun(ws, listRuns(ws).at(0).at("id").get<std::string>());
  EXPECT_NE(run.dump().find("\"set:marker\""), std::string::npos) << run.dump();

  // A reward model trains further from its own folder, head and all.
  auto further =
      runTemper(preferenceArgs(dir / "ws2", "reward-model", (dir / "pairs.jsonl").string(),
                               {{"base", finalDir(ws).string()}, {"max-steps", "10"}, {"eval-every", "10"}}));
  ASSERT_EQ(further.exit_code, 0) << further.all();

  // min-agreement chooses among a set's labels; a file's verdicts are taken as written.
  auto refused =
      runTemper(preferenceArgs(ws, "reward-model", (dir / "pairs.jsonl").string(), {{"min-agreement", "0.8"}}));
  EXPECT_EQ(refused.exit_code, 2) << refused.all();
  EXPECT_NE(refused.err.find("min-agreement and labeller choose among a set's labels"), std::string::npos)
      << refused.err;
  auto unknown = runTemper(preferenceArgs(ws, "reward-model", "set:nothing"));
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("nothing"), std::string::npos) << unknown.err;
}

TEST(Dpo, RaisesHeldOutAccuracyAndMarginWithFullWeights) {
  TempDir dir("dpo");
  writeMarkerPairs(dir / "pairs.jsonl", 80);
  auto result = runTemper(
      preferenceArgs(dir / "ws", "dpo", (dir / "pairs.jsonl").string(), {{"lr", "0.001"}, {"min-lr", "0.001"}}));
  ASSERT_EQ(result.exit_code, 0) << result.all();
  auto evals = result.events("eval");
  ASSERT_EQ(evals.size(), 2u);
  const Json& first = evals.front().at("metrics");
  const Json& last = evals.back().at("metrics");
  for (const char* name : {"rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins",
                           "logps/chosen", "logps/rejected"}) {
    EXPECT_TRUE(last.contains(name)) << name << " " << last.dump();
  }
  EXPECT_GE(last.at("rewards/accuracies").get<double>(), 0.9) << last.dump();
  EXPECT_GT(last.at("rewards/margins").get<double>(), first.at("rewards/margins").get<double>()) << last.dump();
  EXPECT_LT(evals.back().at("val_loss").get<double>(), std::log(2.0));
  EXPECT_FALSE(result.events("sample").empty());
  const Json config = readJsonFile(finalDir(dir / "ws") / "config.json");
  EXPECT_EQ(config.at("architectures"), (Json{"GPT2LMHeadModel"}));
}

TEST(Dpo, UnderLoraTheBaseWithoutTheAdapterIsTheReferenceAndResumeIsExact) {
  TempDir dir("dpo-lora");
  writeMarkerPairs(dir / "pairs.jsonl", 40);
  const std::map<std::string, std::string> lora = {{"peft", "lora"},   {"lora-r", "4"},     {"lr", "0.01"},
                                                   {"min-lr", "0.01"}, {"max-steps", "20"}, {"eval-every", "10"}};
  auto whole = runTemper(preferenceArgs(dir / "whole", "dpo", (dir / "pairs.jsonl").string(), lora));
  ASSERT_EQ(whole.exit_code, 0) << whole.all();
  auto evals = whole.events("eval");
  ASSERT_EQ(evals.size(), 2u);
  // The margin grows from the first evaluation to the second (the adapter starts as the identity,
  // lora_B = 0, where policy and reference agree and every margin is 0).
  EXPECT_GT(evals.back().at("metrics").at("rewards/margins").get<double>(),
            evals.front().at("metrics").at("rewards/margins").get<double>());
  EXPECT_TRUE(std::filesystem::exists(finalDir(dir / "whole") / "adapter_config.json"));

  // Stopped after 10 steps and resumed to 20: the same losses, step for step.
  auto lora_half = lora;
  lora_half["max-steps"] = "10";
  auto half = runTemper(preferenceArgs(dir / "split", "dpo", (dir / "pairs.jsonl").string(), lora_half));
  ASSERT_EQ(half.exit_code, 0) << half.all();
  const std::string run_id = listRuns(dir / "split").at(0).at("id").get<std::string>();
  auto resumed = runTemper({"train", "--workspace", (dir / "split").string(), "--resume", run_id, "--max-steps", "20"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.all();
  std::map<int64_t, double> expected, got;
  for (const auto& e : whole.events("step")) expected[e.at("step").get<int64_t>()] = e.at("loss").get<double>();
  for (const auto* run : {&half, &resumed}) {
    for (const auto& e : run->events("step")) got[e.at("step").get<int64_t>()] = e.at("loss").get<double>();
  }
  EXPECT_EQ(got, expected);
}

// `precompute-ref`: the reference's log-probabilities of every pair computed before the first step
// and cached in the workspace. The losses equal the per-batch reference's up to float32 rounding
// (the reference sees each pair padded in another batch: sums of ~30 log-probs of magnitude ~3
// round at ~1e-5, scaled by β = 0.1 into the loss), and a second run reads the cache and repeats
// the first exactly.
TEST(Dpo, PrecomputedReferenceMatchesThePerBatchOneAndIsReused) {
  TempDir dir("dpo-precompute");
  writeMarkerPairs(dir / "pairs.jsonl", 40);
  const std::map<std::string, std::string> short_run = {
      {"lr", "0.001"}, {"min-lr", "0.001"}, {"max-steps", "10"}, {"eval-every", "5"}};
  auto with = [&](const std::filesystem::path& ws, bool precompute) {
    auto flags = short_run;
    if (precompute) flags["precompute-ref"] = "true";
    return runTemper(preferenceArgs(ws, "dpo", (dir / "pairs.jsonl").string(), flags));
  };
  auto per_batch = with(dir / "a", false);
  auto computed = with(dir / "b", true);
  auto cached = with(dir / "b", true);
  for (const auto* run : {&per_batch, &computed, &cached}) ASSERT_EQ(run->exit_code, 0) << run->all();
  const Json first = computed.events("run_started").at(0).at("data").at("reference");
  const Json second = cached.events("run_started").at(0).at("data").at("reference");
  EXPECT_EQ(first.at("from_cache"), false) << first.dump();
  EXPECT_EQ(second.at("from_cache"), true) << second.dump();
  EXPECT_EQ(first.at("cache"), second.at("cache"));
  EXPECT_TRUE(std::filesystem::exists(first.at("cache").get<std::string>()));
  EXPECT_FALSE(per_batch.events("run_started").at(0).at("data").contains("reference"));

  auto losses = [](const ProcessResult& run) {
    std::vector<double> out;
    for (const auto& e : run.events("step")) out.push_back(e.at("loss").get<double>());
    for (const auto& e : run.events("eval")) out.push_back(e.at("val_loss").get<double>());
    return out;
  };
  const auto a = losses(per_batch), b = losses(computed), c = losses(cached);
  ASSERT_EQ(a.size(), 12u);
  ASSERT_EQ(b.size(), a.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(b[i], a[i], 1e-4) << "loss " << i;
  EXPECT_EQ(c, b) << "the cached numbers are the computed ones";
}

// Every other pair method resumes exactly too: stopped at step 4 of 8 and resumed, each step's
// loss and each evaluation's metrics equal an uninterrupted run's (the reward model's task and
// the pair task's KTO, SimPO and ORPO objectives; DPO above, GRPO/RLOO/PPO in rl_methods_test).
TEST(PairMethods, ResumeExactly) {
  TempDir dir("pair-resume");
  writeMarkerPairs(dir / "pairs.jsonl", 40);
  for (const std::string method : {"reward-model", "kto", "simpo", "orpo"}) {
    SCOPED_TRACE(method);
    const std::map<std::string, std::string> keys = {{"max-steps", "8"}, {"eval-every", "4"}};
    const auto whole_ws = dir / (method + "-whole"), split_ws = dir / (method + "-split");
    auto whole = runTemper(preferenceArgs(whole_ws, method, (dir / "pairs.jsonl").string(), keys));
    ASSERT_EQ(whole.exit_code, 0) << whole.all();
    auto half_keys = keys;
    half_keys["max-steps"] = "4";
    auto half = runTemper(preferenceArgs(split_ws, method, (dir / "pairs.jsonl").string(), half_keys));
    ASSERT_EQ(half.exit_code, 0) << half.all();
    const std::string run_id = listRuns(split_ws).at(0).at("id").get<std::string>();
    auto resumed = runTemper({"train", "--workspace", split_ws.string(), "--resume", run_id, "--max-steps", "8"});
    ASSERT_EQ(resumed.exit_code, 0) << resumed.all();
    std::map<std::string, Json> expected, got;
    auto collect = [](const ProcessResult& run, std::map<std::string, Json>& into) {
      for (const auto& e : run.events("step")) into["step " + e.at("step").dump()] = e.at("loss");
      for (const auto& e : run.events("eval")) into["eval " + e.at("step").dump()] = e.at("metrics");
    };
    collect(whole, expected);
    collect(half, got);
    collect(resumed, got);
    ASSERT_EQ(expected.size(), 10u);  // 8 steps, 2 evaluations
    EXPECT_EQ(got, expected);
  }
}

// The dry run counts the frozen reference copy that full-weight DPO holds beside the policy, and
// nothing when there is none (LoRA detaches the adapter; precompute-ref releases it before training;
// SimPO needs none).
TEST(Dpo, DryRunCountsTheReferenceCopy) {
  TempDir dir("dpo-dry");
  writeMarkerPairs(dir / "pairs.jsonl", 8);
  auto frozen = [&](const std::string& method, const std::map<std::string, std::string>& extra) -> Json {
    Args args = preferenceArgs(dir / "ws", method, (dir / "pairs.jsonl").string(), extra);
    args.insert(args.end(), {"--dry-run", "--json"});
    const auto result = runTemper(args);
    EXPECT_EQ(result.exit_code, 0) << result.all();
    const Json estimate = Json::parse(result.out).at("estimate");
    return estimate.at("bytes").value("frozen_models", Json(0));
  };
  const Json base = Json::parse(runTemper({"model", "inspect", pretrainedTinyBase().string(), "--json"}).out);
  EXPECT_EQ(frozen("dpo", {}), base.at("parameters").get<int64_t>() * 4);
  EXPECT_EQ(frozen("dpo", {{"peft", "lora"}}), 0);
  EXPECT_EQ(frozen("dpo", {{"precompute-ref", "true"}}), 0);
  EXPECT_EQ(frozen("simpo", {}), 0);
  // The online methods: PPO's reference, GRPO's only with a KL term (β > 0).
  const std::map<std::string, std::string> rules = {{"reward-rules", R"([{"kind":"contains","argument":"gladly"}])"},
                                                    {"max-completion-length", "16"},
                                                    {"sample-tokens", ""}};
  auto with = [&rules](std::map<std::string, std::string> extra) {
    extra.insert(rules.begin(), rules.end());
    return extra;
  };
  EXPECT_EQ(frozen("ppo", with({})), base.at("parameters").get<int64_t>() * 4);
  EXPECT_EQ(frozen("grpo", with({})), 0);
  EXPECT_EQ(frozen("grpo", with({{"beta", "0.04"}})), base.at("parameters").get<int64_t>() * 4);
}

// KTO (each answer alone, against the reference, with the KL estimate), and the reference-free
// SimPO and ORPO.
TEST(KtoSimpoOrpo, LearnTheRule) {
  TempDir dir("kto-simpo-orpo");
  writeMarkerPairs(dir / "pairs.jsonl", 40);
  for (const std::string method : {"kto", "simpo", "orpo"}) {
    auto result = runTemper(preferenceArgs(dir / method, method, (dir / "pairs.jsonl").string(),
                                           {{"max-steps", "20"}, {"eval-every", "10"}}));
    ASSERT_EQ(result.exit_code, 0) << method << result.all();
    auto evals = result.events("eval");
    ASSERT_EQ(evals.size(), 2u) << method;
    EXPECT_GT(evals.back().at("metrics").at("rewards/margins").get<double>(),
              evals.front().at("metrics").at("rewards/margins").get<double>())
        << method;
    EXPECT_LT(evals.back().at("val_loss").get<double>(), evals.front().at("val_loss").get<double>()) << method;
    if (method == "orpo") {
      EXPECT_TRUE(evals.back().at("metrics").contains("log_odds_ratio"));
    }
    if (method == "kto") {
      EXPECT_GE(evals.back().at("metrics").at("kl").get<double>(), 0.0);
    }
  }
}

// Rule rewards previewed on one answer, no model: the total and each rule's score, and a bad rule named.
TEST(RuleRewards, PreviewedByTemperReward) {
  const std::string rules =
      R"([{"kind": "format", "argument": "<answer>...</answer>"}, {"kind": "numeric-match", "argument": "answer",
          "weight": 2}, {"kind": "length", "argument": "5-10", "weight": 0.5}])";
  auto scored = runTemper(
      {"reward", "--rules", rules, "--completion", "<answer>41</answer>", "--fields", R"({"answer": "42"})", "--json"});
  ASSERT_EQ(scored.exit_code, 0) << scored.all();
  const Json result = Json::parse(scored.out);
  // format 1, numeric-match 0 (41 is not 42), length 19 characters: 9 over 10, so 1 - 9/10 = 0.1.
  EXPECT_DOUBLE_EQ(result.at("reward").get<double>(), 1.0 + 0.5 * 0.1);
  EXPECT_EQ(result.at("rules").at(1).at("score"), 0.0);
  EXPECT_DOUBLE_EQ(result.at("rules").at(2).at("score").get<double>(), 0.1);
  auto bad = runTemper({"reward", "--rules", R"([{"kind": "regex", "argument": "(x"}])", "--completion", "x"});
  EXPECT_EQ(bad.exit_code, 2) << bad.all();
  EXPECT_NE(bad.err.find("reward rule 1 (regex): cannot compile /(x/"), std::string::npos) << bad.err;
}

TEST(PreferenceErrors, NameTheKey) {
  TempDir dir("preference-errors");
  writeMarkerPairs(dir / "pairs.jsonl", 8);
  auto smoothing =
      runTemper(preferenceArgs(dir / "ws", "dpo", (dir / "pairs.jsonl").string(), {{"label-smoothing", "0.1"}}));
  EXPECT_EQ(smoothing.exit_code, 2) << smoothing.all();
  EXPECT_NE(smoothing.err.find("`label-smoothing` (0.100000) applies to dpo-loss robust"), std::string::npos)
      << smoothing.err;
  auto single = runTemper(preferenceArgs(dir / "ws", "kto", (dir / "pairs.jsonl").string(), {{"batch-size", "1"}}));
  EXPECT_EQ(single.exit_code, 2) << single.all();
  EXPECT_NE(single.err.find("`batch-size` is 1, give 2 or more"), std::string::npos) << single.err;
  auto foreign = runTemper(preferenceArgs(dir / "ws", "sft", (dir / "pairs.jsonl").string(), {{"beta", "0.2"}}));
  EXPECT_EQ(foreign.exit_code, 2) << foreign.all();
  EXPECT_NE(foreign.err.find("beta"), std::string::npos) << foreign.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "ws" / "runs") && !listRuns(dir / "ws").empty());
}

}  // namespace
}  // namespace temper::engine_test
