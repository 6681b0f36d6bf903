// LoRA through the real `temper` (and prompt tuning, prefix tuning and bottleneck adapters): a
// continued-pretrain and an sft run train an adapter on a frozen base that the test pretrains,
// save it as a PEFT folder, resume exactly, and load again in eval, generate and export --merge;
// wrong keys, targets and a changed base are refused with the key, module or file named.
// tests/peers/peft_check.py checks the numbers against PEFT itself.
#include <gtest/gtest.h>

#include <fstream>

#include "core/common/json_io.h"
#include "tests/core/engine/engine_test_support.h"

namespace temper::engine_test {
namespace {

namespace fs = std::filesystem;

Args loraArgs(const fs::path& workspace, const fs::path& base_model, const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> flags = {{"method", "continued-pretrain"},
                                              {"base", base_model.string()},
                                              {"data", preparedCorpus().corpus.string()},
                                              {"peft", "lora"},
                                              {"lora-r", "4"},
                                              {"lora-targets", "all-linear"},
                                              {"batch-size", "4"},
                                              {"max-steps", "20"},
                                              {"warmup-steps", "0"},
                                              {"lr", "0.01"},
                                              {"min-lr", "0.01"},
                                              {"eval-every", "10"},
                                              {"eval-batches", "2"},
                                              {"checkpoint-every", "10"},
                                              {"threads", "1"},
                                              {"ctx", "32"},
                                              {"precision", "fp32"}};
  return trainArgs(workspace, std::move(flags), extra);
}

std::map<int64_t, double> lossesByStep(const ProcessResult& run) {
  std::map<int64_t, double> out;
  for (const auto& [step, loss] : stepLosses(run)) out[step] = loss;
  return out;
}

double meanNll(const Args& args) {
  auto result = runTemper(args);
  EXPECT_EQ(result.exit_code, 0) << result.all();
  return Json::parse(result.out).at("mean_nll").get<double>();
}

// Trains `args` for 10 of its 20 steps, resumes to 20, and expects the steps after the resume to
// lose exactly what the uninterrupted run lost.
void expectExactResume(const fs::path& workspace, Args args, const ProcessResult& uninterrupted) {
  args.insert(args.end(), {"--max-steps", "10"});
  auto half = runTemper(args);
  ASSERT_EQ(half.exit_code, 0) << half.all();
  auto second = runTemper({"train", "--workspace", workspace.string(), "--resume", runIdOf(half), "--max-steps", "20"});
  ASSERT_EQ(second.exit_code, 0) << second.all();
  const auto reference = lossesByStep(uninterrupted);
  const auto resumed = lossesByStep(second);
  ASSERT_EQ(resumed.size(), 10u);
  for (const auto& [step, loss] : resumed) EXPECT_EQ(loss, reference.at(step)) << "step " << step;
}

// Only LoRA folds into the base: soft prompts and bottleneck adapters add to the model.
void expectMergeRefused(const fs::path& workspace, const ProcessResult& run, const fs::path& out) {
  auto merge =
      runTemper({"export", "--workspace", workspace.string(), "--run", runIdOf(run), "--merge", "--out", out.string()});
  EXPECT_NE(merge.exit_code, 0);
  EXPECT_NE(merge.err.find("only LoRA"), std::string::npos) << merge.err;
}

TEST(LoraTrain, SavesAPeftFolderThatEvalGenerateAndMergeRead) {
  TempDir dir("lora-train");
  auto run = runTemper(loraArgs(dir / "ws", pretrainedTinyBase(), {}));
  ASSERT_EQ(run.exit_code, 0) << run.all();
  const fs::path run_dir = listRuns(dir / "ws").at(0).at("run_dir").get<std::string>();
  const Json counts = readJsonFile(run_dir / "config.json").at("parameters");
  const int64_t total = counts.at("total"), trainable = counts.at("trainable");
  // r 4 on every projection of 1 block of width 32: 4 targets, r·(in + out) each.
  EXPECT_EQ(trainable, 4 * ((32 + 96) + (32 + 32) + (32 + 128) + (128 + 32)));
  EXPECT_LT(trainable * 5, total);  // a model this small has few weights per projection

  const fs::path final_dir = run_dir / "final";
  for (const char* name : {"adapter_config.json", "adapter_model.safetensors", "temper_adapter.json"}) {
    EXPECT_TRUE(fs::is_regular_file(final_dir / name)) << name;
  }
  EXPECT_FALSE(fs::exists(final_dir / "model.safetensors"));
  const Json config = readJsonFile(final_dir / "adapter_config.json");
  EXPECT_EQ(config.at("peft_type"), "LORA");
  EXPECT_EQ(config.at("r"), 4);
  EXPECT_EQ(config.at("lora_alpha"), 8.0);  // 2 × r
  EXPECT_EQ(fs::path(config.at("base_model_name_or_path").get<std::string>()),
            fs::absolute(pretrainedTinyBase()).lexically_normal());
  // A checkpoint holds the adapter and its moments only: kilobytes, not the base's megabyte.
  EXPECT_LT(fs::file_size(run_dir / "checkpoints" / "step-20" / "adapter_model.safetensors"), 20000u);
  EXPECT_LT(fs::file_size(run_dir / "checkpoints" / "step-20" / "optimizer.safetensors"), 40000u);
  const Json stored = showRun(dir / "ws", runIdOf(run)).at("config").at("train");
  EXPECT_EQ(stored.at("peft"), "lora");
  EXPECT_EQ(stored.at("lora-targets"), "all-linear");

  auto inspected = runTemper({"model", "inspect", final_dir.string(), "--json"});
  ASSERT_EQ(inspected.exit_code, 0) << inspected.all();
  const Json inspection = Json::parse(inspected.out);
  EXPECT_EQ(inspection.at("kind"), "lora");
  EXPECT_EQ(inspection.at("trainable_parameters"), trainable);
  EXPECT_EQ(inspection.at("targets"), (Json{"c_attn", "c_fc", "c_proj"}));
  EXPECT_EQ(inspection.at("settings").at("r"), 4);
  EXPECT_TRUE(inspection.at("base_on_disk").get<bool>());
  EXPECT_TRUE(inspection.at("trained_here").get<bool>());

  const std::string text = preparedCorpus().corpus.string();
  const double base_nll = meanNll({"eval", "--model", pretrainedTinyBase().string(), "--data", text, "--json"});
  const double with_adapter = meanNll(
      {"eval", "--model", pretrainedTinyBase().string(), "--adapter", final_dir.string(), "--data", text, "--json"});
  const double from_folder = meanNll({"eval", "--model", final_dir.string(), "--data", text, "--json"});
  EXPECT_EQ(with_adapter, from_folder);
  EXPECT_LT(with_adapter, base_nll - 0.01) << "the adapter learned the corpus it trained on";

  auto merged = runTemper({"export", "--workspace", (dir / "ws").string(), "--run", runIdOf(run), "--merge", "--out",
                           (dir / "merged").string()});
  ASSERT_EQ(merged.exit_code, 0) << merged.all();
  EXPECT_TRUE(fs::is_regular_file(dir / "merged" / "model.safetensors"));
  const double merged_nll = meanNll({"eval", "--model", (dir / "merged").string(), "--data", text, "--json"});
  EXPECT_NEAR(merged_nll, with_adapter, 1e-5 * with_adapter);

  auto generated = runTemper({"generate", "--model", final_dir.string(), "--prompt", "The", "--max-new-tokens", "8",
                              "--temperature", "0", "--precision", "fp32"});
  ASSERT_EQ(generated.exit_code, 0) << generated.all();
  auto merged_generated = runTemper({"generate", "--model", (dir / "merged").string(), "--prompt", "The",
                                     "--max-new-tokens", "8", "--temperature", "0", "--precision", "fp32"});
  EXPECT_EQ(generated.out, merged_generated.out);
}

TEST(LoraTrain, SftTrainsAnAdapterOnTheResponses) {
  TempDir dir("lora-sft");
  std::ofstream out(dir / "train.jsonl");
  for (int i = 0; i < 40; ++i) {
    out << Json{{"prompt", "say " + std::to_string(i % 7) + ": "}, {"completion", "ok " + std::to_string(i % 7)}}.dump()
        << "\n";
  }
  out.close();
  auto run = runTemper(loraArgs(dir / "ws", pretrainedTinyBase(),
                                {{"method", "sft"},
                                 {"data", (dir / "train.jsonl").string()},
                                 {"lora-targets", "c_attn"},
                                 {"use-dora", "true"},
                                 {"lora-bias", "lora-only"},
                                 {"loraplus-lr-ratio", "16"}}));
  ASSERT_EQ(run.exit_code, 0) << run.all();
  std::vector<double> val;
  for (const auto& e : run.events()) {
    if (e.at("type") == "eval") val.push_back(e.at("val_loss").get<double>());
  }
  ASSERT_GE(val.size(), 2u);
  EXPECT_LT(val.back(), val.front());
  const Json config = readJsonFile(fs::path(listRuns(dir / "ws").at(0).at("run_dir").get<std::string>()) / "final" /
                                   "adapter_config.json");
  EXPECT_EQ(config.at("use_dora"), true);
  EXPECT_EQ(config.at("bias"), "lora_only");
  EXPECT_EQ(config.at("target_modules"), Json{"c_attn"});
  EXPECT_FALSE(config.contains("loraplus_lr_ratio")) << "LoRA+ is how it trained, not part of the adapter";
  EXPECT_EQ(showRun(dir / "ws", runIdOf(run)).at("config").at("train").at("loraplus-lr-ratio"), 16.0);
}

TEST(LoraTrain, ResumeGivesTheUninterruptedLossesAndRefusesAChangedBase) {
  TempDir dir("lora-resume");
  // The base copied, so this test may change it.
  fs::copy(pretrainedTinyBase(), dir / "base", fs::copy_options::recursive);
  auto uninterrupted = runTemper(loraArgs(dir / "a", dir / "base", {{"lora-dropout", "0.1"}}));
  ASSERT_EQ(uninterrupted.exit_code, 0) << uninterrupted.all();
  const auto reference = lossesByStep(uninterrupted);
  ASSERT_EQ(reference.size(), 20u);

  auto first = runTemper(loraArgs(dir / "b", dir / "base", {{"lora-dropout", "0.1"}, {"max-steps", "10"}}));
  ASSERT_EQ(first.exit_code, 0) << first.all();
  const std::string id = runIdOf(first);
  auto second = runTemper({"train", "--workspace", (dir / "b").string(), "--resume", id, "--max-steps", "20"});
  ASSERT_EQ(second.exit_code, 0) << second.all();
  const auto resumed = lossesByStep(second);
  ASSERT_EQ(resumed.size(), 10u);
  for (const auto& [step, loss] : resumed) EXPECT_EQ(loss, reference.at(step)) << "step " << step;

  // Another base under the same path: the adapter's numbers would be meaningless on it.
  auto third = runTemper({"train", "--workspace", (dir / "b").string(), "--resume", id, "--max-steps", "30"});
  ASSERT_EQ(third.exit_code, 0) << third.all();
  {
    const fs::path weights = dir / "base" / "model.safetensors";
    std::fstream file(weights, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(-8, std::ios::end);
    const char zeros[4] = {0, 0, 0, 0};
    file.write(zeros, 4);
  }
  auto refused = runTemper({"train", "--workspace", (dir / "b").string(), "--resume", id, "--max-steps", "40"});
  EXPECT_NE(refused.exit_code, 0) << refused.all();
  EXPECT_NE(refused.err.find("model.safetensors changed since"), std::string::npos) << refused.err;
  auto eval = runTemper({"eval", "--model",
                         (fs::path(listRuns(dir / "b").at(0).at("run_dir").get<std::string>()) / "final").string(),
                         "--data", preparedCorpus().corpus.string()});
  EXPECT_NE(eval.exit_code, 0);
  EXPECT_NE(eval.err.find("model.safetensors changed since"), std::string::npos) << eval.err;
}

// Under bf16 autocast the frozen base is stored in bf16 (quantize_base.h): recorded with the run,
// learning as before, resumed exactly, and the saved adapter still reads on the fp32 base.
TEST(LoraTrain, Bf16RunStoresTheFrozenBaseInBf16AndResumesExactly) {
  TempDir dir("lora-bf16");
  const std::map<std::string, std::string> bf16{{"precision", "bf16"}};
  auto uninterrupted = runTemper(loraArgs(dir / "a", pretrainedTinyBase(), bf16));
  ASSERT_EQ(uninterrupted.exit_code, 0) << uninterrupted.all();
  const Json runtime = showRun(dir / "a", runIdOf(uninterrupted)).at("config").at("runtime");
  EXPECT_EQ(runtime.at("precision"), "bf16-autocast");
  EXPECT_EQ(runtime.value("frozen_weights", ""), "bf16 (autocast's dtype)") << runtime.dump();
  const auto losses = lossesByStep(uninterrupted);
  ASSERT_EQ(losses.size(), 20u);
  EXPECT_LT(losses.at(20), losses.at(1)) << "the adapter learns";
  expectExactResume(dir / "b", loraArgs(dir / "b", pretrainedTinyBase(), bf16), uninterrupted);

  const fs::path final_dir = fs::path(listRuns(dir / "a").at(0).at("run_dir").get<std::string>()) / "final";
  const std::string text = preparedCorpus().corpus.string();
  const double adapted = meanNll({"eval", "--model", final_dir.string(), "--data", text, "--json"});
  const double base = meanNll({"eval", "--model", pretrainedTinyBase().string(), "--data", text, "--json"});
  EXPECT_LT(adapted, base) << "the adapter trained on a bf16-stored base helps the fp32 base";
}

TEST(PromptTuningTrain, TrainsASoftPromptThatEvalUsesAndResumesExactly) {
  TempDir dir("prompt-tuning");
  const std::map<std::string, std::string> prompt = {
      {"peft", "prompt-tuning"}, {"lora-r", ""}, {"lora-targets", ""}, {"prompt-tokens", "6"}, {"lr", "0.05"},
      {"min-lr", "0.05"},        {"ctx", ""}};
  auto uninterrupted = runTemper(loraArgs(dir / "a", pretrainedTinyBase(), prompt));
  ASSERT_EQ(uninterrupted.exit_code, 0) << uninterrupted.all();
  const fs::path run_dir = listRuns(dir / "a").at(0).at("run_dir").get<std::string>();
  const Json config = readJsonFile(run_dir / "final" / "adapter_config.json");
  EXPECT_EQ(config.at("peft_type"), "PROMPT_TUNING");
  EXPECT_EQ(config.at("num_virtual_tokens"), 6);
  EXPECT_EQ(config.at("token_dim"), 32);
  EXPECT_EQ(config.at("prompt_tuning_init"), "SAMPLE_VOCAB");
  // ctx defaults to what the prompt leaves of the base's 64 positions.
  EXPECT_EQ(readJsonFile(run_dir / "config.json").at("parameters").at("trainable"), 6 * 32);
  const std::string text = preparedCorpus().corpus.string();
  const double with_prompt = meanNll({"eval", "--model", (run_dir / "final").string(), "--data", text, "--json"});
  const double base_nll = meanNll({"eval", "--model", pretrainedTinyBase().string(), "--data", text, "--json"});
  EXPECT_NE(with_prompt, base_nll);
  auto windows = runTemper({"eval", "--model", (run_dir / "final").string(), "--data", text, "--ctx", "60"});
  EXPECT_EQ(windows.exit_code, 2) << windows.all();
  EXPECT_NE(windows.err.find("58"), std::string::npos) << windows.err;  // 64 - 6 positions left

  expectExactResume(dir / "b", loraArgs(dir / "b", pretrainedTinyBase(), prompt), uninterrupted);
  expectMergeRefused(dir / "a", uninterrupted, dir / "merged");

  auto too_long = runTemper(loraArgs(
      dir / "c", pretrainedTinyBase(),
      {{"peft", "prompt-tuning"}, {"lora-r", ""}, {"lora-targets", ""}, {"prompt-tokens", "60"}, {"ctx", "32"}}));
  EXPECT_EQ(too_long.exit_code, 2) << too_long.all();
  EXPECT_NE(too_long.err.find("use ctx ≤ 4"), std::string::npos) << too_long.err;
}

TEST(PrefixTuningTrain, TrainsProjectedPrefixesThatEvalUsesAndResumesExactly) {
  TempDir dir("prefix-tuning");
  const std::map<std::string, std::string> prefix = {{"peft", "prefix-tuning"},
                                                     {"lora-r", ""},
                                                     {"lora-targets", ""},
                                                     {"prefix-tokens", "4"},
                                                     {"prefix-projection", "true"},
                                                     {"prefix-projection-hidden", "16"},
                                                     {"lr", "0.01"},
                                                     {"min-lr", "0.01"},
                                                     {"ctx", ""}};
  auto uninterrupted = runTemper(loraArgs(dir / "a", pretrainedTinyBase(), prefix));
  ASSERT_EQ(uninterrupted.exit_code, 0) << uninterrupted.all();
  const fs::path run_dir = listRuns(dir / "a").at(0).at("run_dir").get<std::string>();
  const Json config = readJsonFile(run_dir / "final" / "adapter_config.json");
  const Json base_config = readJsonFile(pretrainedTinyBase() / "config.json");
  const int64_t layers = base_config.at("n_layer"), width = base_config.at("n_embd");
  EXPECT_EQ(config.at("peft_type"), "PREFIX_TUNING");
  EXPECT_EQ(config.at("num_virtual_tokens"), 4);
  EXPECT_EQ(config.at("num_layers"), layers);
  EXPECT_EQ(config.at("token_dim"), width);
  EXPECT_EQ(config.at("prefix_projection"), true);
  EXPECT_EQ(config.at("encoder_hidden_size"), 16);
  // The embedding (4 x width) and the MLP (width -> 16 -> layers x 2 x width) train; the PEFT file
  // holds their output only, the training file the tensors themselves.
  const int64_t out = layers * 2 * width;
  EXPECT_EQ(readJsonFile(run_dir / "config.json").at("parameters").at("trainable"),
            4 * width + (width * 16 + 16) + (16 * out + out));
  EXPECT_TRUE(fs::exists(run_dir / "final" / "temper_training.safetensors"));
  const std::string text = preparedCorpus().corpus.string();
  const double with_prefix = meanNll({"eval", "--model", (run_dir / "final").string(), "--data", text, "--json"});
  const double through_base = meanNll({"eval", "--model", pretrainedTinyBase().string(), "--adapter",
                                       (run_dir / "final").string(), "--data", text, "--json"});
  const double base_nll = meanNll({"eval", "--model", pretrainedTinyBase().string(), "--data", text, "--json"});
  EXPECT_EQ(with_prefix, through_base);
  EXPECT_NE(with_prefix, base_nll);
  auto windows = runTemper({"eval", "--model", (run_dir / "final").string(), "--data", text, "--ctx", "62"});
  EXPECT_EQ(windows.exit_code, 2) << windows.all();
  EXPECT_NE(windows.err.find("60"), std::string::npos) << windows.err;  // 64 - 4 positions left
  auto generated = runTemper({"generate", "--model", (run_dir / "final").string(), "--prompt", "The",
                              "--max-new-tokens", "8", "--temperature", "0"});
  EXPECT_EQ(generated.exit_code, 0) << generated.all();

  expectExactResume(dir / "b", loraArgs(dir / "b", pretrainedTinyBase(), prefix), uninterrupted);
  expectMergeRefused(dir / "a", uninterrupted, dir / "merged");
}

TEST(QloraTrain, TrainsLoraOnAQuantisedBaseAndResumesExactly) {
  TempDir dir("qlora");
  for (const char* quant : {"nf4", "int8"}) {
    const std::map<std::string, std::string> qlora = {{"base-quant", quant}, {"use-dora", "true"}};
    auto uninterrupted = runTemper(loraArgs(dir / quant / "a", pretrainedTinyBase(), qlora));
    ASSERT_EQ(uninterrupted.exit_code, 0) << uninterrupted.all();
    const auto losses = lossesByStep(uninterrupted);
    ASSERT_EQ(losses.size(), 20u);
    EXPECT_LT(losses.rbegin()->second, losses.begin()->second) << quant;
    const fs::path run_dir = listRuns(dir / quant / "a").at(0).at("run_dir").get<std::string>();
    EXPECT_EQ(readJsonFile(run_dir / "final" / "temper_adapter.json").at("base_quant"), quant);
    // The folder is a plain LoRA folder: it loads on the full-precision base.
    const double nll = meanNll(
        {"eval", "--model", (run_dir / "final").string(), "--data", preparedCorpus().corpus.string(), "--json"});
    EXPECT_GT(nll, 0.0);
    // The same quantised base is rebuilt on resume: the losses continue exactly.
    expectExactResume(dir / quant / "b", loraArgs(dir / quant / "b", pretrainedTinyBase(), qlora), uninterrupted);
  }
  auto full = runTemper(loraArgs(dir / "full", pretrainedTinyBase(),
                                 {{"peft", "none"}, {"lora-r", ""}, {"lora-targets", ""}, {"base-quant", "nf4"}}));
  EXPECT_EQ(full.exit_code, 2) << full.all();
  EXPECT_NE(full.err.find("`base-quant` nf4"), std::string::npos) << full.err;
}

TEST(BottleneckTrain, TrainsAdaptersThatEvalLoadsAndResumesExactly) {
  TempDir dir("bottleneck");
  const std::map<std::string, std::string> adapters = {{"peft", "adapters"},       {"lora-r", ""},
                                                       {"lora-targets", ""},       {"adapter-placement", "both"},
                                                       {"adapter-reduction", "4"}, {"adapter-act", "gelu"}};
  auto uninterrupted = runTemper(loraArgs(dir / "a", pretrainedTinyBase(), adapters));
  ASSERT_EQ(uninterrupted.exit_code, 0) << uninterrupted.all();
  const fs::path run_dir = listRuns(dir / "a").at(0).at("run_dir").get<std::string>();
  // 1 block of width 32, bottleneck 8, two adapters: 2 × (32·8 + 8 + 8·32 + 32).
  EXPECT_EQ(readJsonFile(run_dir / "config.json").at("parameters").at("trainable"), 2 * (32 * 8 + 8 + 8 * 32 + 32));
  const fs::path final_dir = run_dir / "final";
  const Json config = readJsonFile(final_dir / "adapter_config.json");
  EXPECT_EQ(config.at("peft_type"), "BOTTLENECK");
  EXPECT_EQ(config.at("placement"), "both");
  EXPECT_EQ(config.at("bottleneck_size"), 8);
  EXPECT_EQ(config.at("non_linearity"), "gelu");
  EXPECT_EQ(config.at("layers"), Json::array({0}));
  EXPECT_EQ(config.at("scaling"), 1.0);
  EXPECT_FALSE(fs::exists(final_dir / "model.safetensors"));

  auto inspected = runTemper({"model", "inspect", final_dir.string(), "--json"});
  ASSERT_EQ(inspected.exit_code, 0) << inspected.all();
  const Json inspection = Json::parse(inspected.out);
  EXPECT_EQ(inspection.at("kind"), "adapters");
  EXPECT_EQ(inspection.at("settings").at("placement"), "both");
  EXPECT_EQ(inspection.at("trainable_parameters"), 2 * (32 * 8 + 8 + 8 * 32 + 32));

  const std::string text = preparedCorpus().corpus.string();
  const double base_nll = meanNll({"eval", "--model", pretrainedTinyBase().string(), "--data", text, "--json"});
  const double with_adapters = meanNll(
      {"eval", "--model", pretrainedTinyBase().string(), "--adapter", final_dir.string(), "--data", text, "--json"});
  EXPECT_EQ(with_adapters, meanNll({"eval", "--model", final_dir.string(), "--data", text, "--json"}));
  EXPECT_LT(with_adapters, base_nll - 0.01) << "the adapters learned the corpus they trained on";

  expectExactResume(dir / "b", loraArgs(dir / "b", pretrainedTinyBase(), adapters), uninterrupted);
  expectMergeRefused(dir / "a", uninterrupted, dir / "merged");

  // The block list and the reduction are checked against the model, naming the key.
  for (const auto& [key, value] : std::map<std::string, std::string>{
           {"adapter-layers", "0-1"}, {"adapter-reduction", "64"}, {"adapter-placement", "inside"}}) {
    auto flags = adapters;
    flags[key] = value;
    auto refused = runTemper(loraArgs(dir / "c", pretrainedTinyBase(), flags));
    EXPECT_EQ(refused.exit_code, 2) << key << "\n" << refused.all();
    EXPECT_NE(refused.err.find("`" + key + "`"), std::string::npos) << refused.err;
  }
  EXPECT_TRUE(listRuns(dir / "c").empty()) << "a refused config creates no run";
}

// Recomputing the blocks in the backward pass changes what is kept, not what is computed: the
// losses of every step are the same to the bit, for a full finetune (with dropout, whose draws the
// recomputation must replay) as for an adapter on a frozen base; the dry run counts less memory.
TEST(GradientCheckpointing, GivesTheSameLossesForFullAndAdapterRuns) {
  TempDir dir("checkpointing");
  const std::map<std::string, std::map<std::string, std::string>> kinds = {
      {"full",
       {{"peft", ""}, {"lora-r", ""}, {"lora-targets", ""}, {"dropout", "0.1"}, {"lr", "0.001"}, {"min-lr", "0.001"}}},
      {"lora", {}},
      {"adapters", {{"peft", "adapters"}, {"lora-r", ""}, {"lora-targets", ""}}}};
  for (const auto& [kind, flags] : kinds) {
    auto plain = runTemper(loraArgs(dir / (kind + "-plain"), pretrainedTinyBase(), flags));
    ASSERT_EQ(plain.exit_code, 0) << kind << "\n" << plain.all();
    auto with = flags;
    with["gradient-checkpointing"] = "true";
    auto checkpointed = runTemper(loraArgs(dir / (kind + "-checkpointed"), pretrainedTinyBase(), with));
    ASSERT_EQ(checkpointed.exit_code, 0) << kind << "\n" << checkpointed.all();
    const auto reference = lossesByStep(plain);
    ASSERT_EQ(reference.size(), 20u);
    EXPECT_EQ(lossesByStep(checkpointed), reference) << kind;

    auto dryRunActivations = [&](const std::map<std::string, std::string>& f) {
      Args args = loraArgs(dir / "dry", pretrainedTinyBase(), f);
      args.insert(args.end(), {"--dry-run", "--json"});
      auto result = runTemper(args);
      EXPECT_EQ(result.exit_code, 0) << result.all();
      return Json::parse(result.out).at("estimate").at("bytes").at("activations").get<int64_t>();
    };
    EXPECT_LT(dryRunActivations(with), dryRunActivations(flags)) << kind;
  }
}

TEST(LoraTrain, RefusalsNameTheKeyOrModule) {
  TempDir dir("lora-refusals");
  struct Case {
    std::map<std::string, std::string> flags;
    const char* says;
  };
  const std::vector<Case> cases = {
      {{{"lora-targets", "q_proj,c_attn"}}, "`q_proj` matches no projection"},
      {{{"lora-targets", "nothing.*"}}, "matches no projection"},
      {{{"lora-r", "0"}}, "`lora-r`"},
      {{{"peft", ""}, {"lora-r", "8"}}, "`lora-r` (flag --lora-r) does nothing unless `peft` is lora"},
      {{{"peft", "bitfit"}}, "`peft`"},
      {{{"method", "pretrain"}, {"base", ""}, {"preset", "tiny"}},
       "`peft` (flag --peft) does nothing for method pretrain"},
      {{{"modules-to-save", "no_such_module"}}, "no_such_module"},
  };
  for (const auto& c : cases) {
    auto args = loraArgs(dir / "ws", pretrainedTinyBase(), c.flags);
    if (c.flags.count("method") && c.flags.at("method") == "pretrain") {
      // pretrain with the other LoRA keys removed, so `peft` is the first complaint
      for (const char* key : {"lora-r", "lora-targets"}) {
        auto it = std::find(args.begin(), args.end(), std::string("--") + key);
        if (it != args.end()) args.erase(it, it + 2);
      }
    }
    auto result = runTemper(args);
    EXPECT_EQ(result.exit_code, 2) << c.says << "\n" << result.all();
    EXPECT_NE(result.err.find(c.says), std::string::npos) << c.says << "\n" << result.err;
  }
  EXPECT_TRUE(listRuns(dir / "ws").empty()) << "a refused config creates no run";
}

}  // namespace
}  // namespace temper::engine_test
