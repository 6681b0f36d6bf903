// The classify method with a PEFT kind, through the real `temper`: LoRA, a soft prompt and a prefix
// train beside the label head on a frozen base the test pretrains; final/ is a SEQ_CLS adapter
// folder in PEFT's layout (the head under modules_to_save) that `temper eval` scores, that
// `export --merge` folds into a *ForSequenceClassification folder, and that resumes exactly.
// tests/peers/peft_check.py checks the same folders against PEFT and transformers themselves.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "core/common/json_io.h"
#include "tests/core/engine/engine_test_support.h"

namespace temper::engine_test {
namespace {

namespace fs = std::filesystem;

struct Data {
  fs::path train, val;
};

// Like writeCalmStorm, but each text ends with words of its label: the last token's hidden state,
// which the head reads, then tells the labels apart even through a frozen one-block base (with
// the record number last, only attention trained into the backbone could carry the label there).
void writeCalmStormWordsLast(const fs::path& path, int first, int count) {
  std::ofstream out(path);
  out << "text,label\n";
  for (int i = first; i < first + count; ++i) {
    if (i % 2 == 0) {
      out << "\"" << i << ": the river was calm and bright\",calm\n";
    } else {
      out << "\"" << i << ": storm, thunder and rain again\",storm\n";
    }
  }
}

const Data& data() {
  static TempDir dir("classify-peft-data");
  static const Data made = [] {
    Data d{dir / "train.csv", dir / "val.csv"};
    writeCalmStormWordsLast(d.train, 0, 48);
    writeCalmStormWordsLast(d.val, 100, 13);
    return d;
  }();
  return made;
}

Args classifyArgs(const fs::path& workspace, const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> flags = {{"method", "classify"},
                                              {"base", pretrainedTinyBase().string()},
                                              {"data", data().train.string()},
                                              {"val-data", data().val.string()},
                                              {"peft", "lora"},
                                              {"lora-r", "4"},
                                              {"lora-targets", "all-linear"},
                                              {"batch-size", "4"},
                                              {"max-steps", "20"},
                                              {"warmup-steps", "0"},
                                              {"lr", "0.01"},
                                              {"min-lr", "0.01"},
                                              {"eval-every", "20"},
                                              {"eval-batches", "4"},  // 4 batches of 4 cover the 13 records
                                              {"checkpoint-every", "10"},
                                              {"threads", "1"},
                                              {"ctx", "64"}};
  return trainArgs(workspace, std::move(flags), extra);
}

Json lastEval(const ProcessResult& run) {
  Json last;
  for (const auto& e : run.events()) {
    if (e.at("type") == "eval") last = e;
  }
  return last;
}

fs::path finalDirOf(const fs::path& workspace) {
  return fs::path(listRuns(workspace).at(0).at("run_dir").get<std::string>()) / "final";
}

// The header of a safetensors file: its tensors' names, dtypes and shapes.
Json safetensorsHeader(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  uint64_t length = 0;
  in.read(reinterpret_cast<char*>(&length), sizeof(length));
  std::string header(length, '\0');
  in.read(header.data(), static_cast<std::streamsize>(length));
  return Json::parse(header);
}

Json evalJson(const Args& args) {
  auto result = runTemper(args);
  EXPECT_EQ(result.exit_code, 0) << result.all();
  return result.exit_code == 0 ? Json::parse(result.out) : Json::object();
}

TEST(ClassifyPeft, LoraTrainsBesideTheHeadAndEvalAndMergeReadTheSeqClsFolder) {
  TempDir dir("classify-lora");
  auto run = runTemper(classifyArgs(dir / "ws", {}));
  ASSERT_EQ(run.exit_code, 0) << run.all();
  const Json in_run = lastEval(run);
  EXPECT_GE(in_run.at("metrics").at("accuracy").get<double>(), 0.9) << in_run.dump();
  const fs::path final_dir = finalDirOf(dir / "ws");
  // r 4 on the 4 projections of 1 block of width 32, and the (2 labels × 32) head.
  const Json counts = readJsonFile(final_dir.parent_path() / "config.json").at("parameters");
  EXPECT_EQ(counts.at("trainable"), 4 * ((32 + 96) + (32 + 32) + (32 + 128) + (128 + 32)) + 2 * 32);

  const Json config = readJsonFile(final_dir / "adapter_config.json");
  EXPECT_EQ(config.at("task_type"), "SEQ_CLS");
  EXPECT_EQ(config.at("peft_type"), "LORA");
  EXPECT_EQ(config.at("modules_to_save"), (Json{"classifier", "score"}));
  EXPECT_EQ(readJsonFile(final_dir / "temper_adapter.json").at("labels"), (Json{"calm", "storm"}));
  const Json header = safetensorsHeader(final_dir / "adapter_model.safetensors");
  ASSERT_TRUE(header.contains("base_model.model.score.weight")) << header.dump();
  EXPECT_EQ(header.at("base_model.model.score.weight").at("shape"), (Json{2, 32}));
  EXPECT_FALSE(fs::exists(final_dir / "model.safetensors"));

  const std::string val = data().val.string();
  const Json scored = evalJson({"eval", "--model", final_dir.string(), "--data", val, "--json"});
  EXPECT_EQ(scored.at("task"), "classify");
  EXPECT_EQ(scored.at("labels"), (Json{"calm", "storm"}));
  EXPECT_EQ(scored.at("examples"), 13);
  // The same records, batched differently (sorted by length here, in file order in the run).
  EXPECT_NEAR(scored.at("accuracy").get<double>(), in_run.at("metrics").at("accuracy").get<double>(), 1e-9);
  EXPECT_NEAR(scored.at("mean_nll").get<double>(), in_run.at("val_loss").get<double>(), 1e-4);
  const Json with_adapter = evalJson(
      {"eval", "--model", pretrainedTinyBase().string(), "--adapter", final_dir.string(), "--data", val, "--json"});
  EXPECT_EQ(with_adapter.at("mean_nll"), scored.at("mean_nll"));

  auto merged = runTemper({"export", "--workspace", (dir / "ws").string(), "--run", runIdOf(run), "--merge", "--out",
                           (dir / "merged").string()});
  ASSERT_EQ(merged.exit_code, 0) << merged.all();
  const Json merged_config = readJsonFile(dir / "merged" / "config.json");
  EXPECT_EQ(merged_config.at("architectures"), (Json{"GPT2ForSequenceClassification"}));
  EXPECT_EQ(merged_config.at("id2label").at("1"), "storm");
  const Json merged_header = safetensorsHeader(dir / "merged" / "model.safetensors");
  EXPECT_TRUE(merged_header.contains("score.weight"));
  EXPECT_FALSE(merged_header.contains("lm_head.weight"));
  const Json merged_scored = evalJson({"eval", "--model", (dir / "merged").string(), "--data", val, "--json"});
  EXPECT_EQ(merged_scored.at("confusion"), scored.at("confusion"));
  const double nll = scored.at("mean_nll");
  EXPECT_NEAR(merged_scored.at("mean_nll").get<double>(), nll, 1e-5 * nll);

  // Without --merge the folder is copied with its labels, and scores the same.
  auto copied = runTemper(
      {"export", "--workspace", (dir / "ws").string(), "--run", runIdOf(run), "--out", (dir / "copy").string()});
  ASSERT_EQ(copied.exit_code, 0) << copied.all();
  EXPECT_EQ(evalJson({"eval", "--model", (dir / "copy").string(), "--data", val, "--json"}).at("mean_nll"),
            scored.at("mean_nll"));

  auto generated = runTemper({"generate", "--model", final_dir.string(), "--prompt", "The", "--max-new-tokens", "4"});
  EXPECT_NE(generated.exit_code, 0);
  EXPECT_NE(generated.err.find("only CAUSAL_LM adapters generate text"), std::string::npos) << generated.err;
}

TEST(ClassifyPeft, ResumeGivesTheUninterruptedLosses) {
  TempDir dir("classify-lora-resume");
  const std::map<std::string, std::string> dropout = {{"lora-dropout", "0.1"}, {"eval-every", "10"}};
  auto uninterrupted = runTemper(classifyArgs(dir / "a", dropout));
  ASSERT_EQ(uninterrupted.exit_code, 0) << uninterrupted.all();
  Args half_args = classifyArgs(dir / "b", dropout);
  half_args.insert(half_args.end(), {"--max-steps", "10"});
  auto half = runTemper(half_args);
  ASSERT_EQ(half.exit_code, 0) << half.all();
  auto resumed =
      runTemper({"train", "--workspace", (dir / "b").string(), "--resume", runIdOf(half), "--max-steps", "20"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.all();
  std::map<int64_t, double> reference;
  for (const auto& [step, loss] : stepLosses(uninterrupted)) reference[step] = loss;
  const auto after = stepLosses(resumed);
  ASSERT_EQ(after.size(), 10u);
  for (const auto& [step, loss] : after) EXPECT_EQ(loss, reference.at(step)) << "step " << step;
  EXPECT_EQ(lastEval(resumed).at("val_loss"), lastEval(uninterrupted).at("val_loss"));
}

TEST(ClassifyPeft, SoftPromptAndPrefixTrainBesideTheHead) {
  TempDir dir("classify-prompt");
  const std::string val = data().val.string();
  for (const auto& [kind, tokens_key] :
       {std::pair{"prompt-tuning", "prompt-tokens"}, {"prefix-tuning", "prefix-tokens"}}) {
    SCOPED_TRACE(kind);
    const fs::path workspace = dir / kind;
    auto run = runTemper(classifyArgs(workspace, {{"peft", kind},
                                                  {"lora-r", ""},
                                                  {"lora-targets", ""},
                                                  {tokens_key, "4"},
                                                  {"lr", "0.03"},
                                                  {"min-lr", "0.03"},
                                                  {"max-steps", "30"},
                                                  {"eval-every", "30"},
                                                  {"ctx", ""}}));
    ASSERT_EQ(run.exit_code, 0) << run.all();
    const Json in_run = lastEval(run);
    EXPECT_GE(in_run.at("metrics").at("accuracy").get<double>(), 0.9) << in_run.dump();
    const fs::path final_dir = finalDirOf(workspace);
    EXPECT_EQ(readJsonFile(final_dir / "adapter_config.json").at("task_type"), "SEQ_CLS");
    // PEFT's prompt-learning models wrap the base one level less than LoRA's.
    EXPECT_TRUE(safetensorsHeader(final_dir / "adapter_model.safetensors").contains("base_model.score.weight"));
    const Json scored = evalJson({"eval", "--model", final_dir.string(), "--data", val, "--json"});
    EXPECT_NEAR(scored.at("accuracy").get<double>(), in_run.at("metrics").at("accuracy").get<double>(), 1e-9);
    EXPECT_NEAR(scored.at("mean_nll").get<double>(), in_run.at("val_loss").get<double>(), 1e-4);
    auto merge = runTemper({"export", "--workspace", workspace.string(), "--run", runIdOf(run), "--merge", "--out",
                            (dir / (std::string(kind) + "-merged")).string()});
    EXPECT_NE(merge.exit_code, 0);
    EXPECT_NE(merge.err.find("only LoRA"), std::string::npos) << merge.err;
  }
}

TEST(ClassifyPeft, DryRunCountsTheHeadBesideTheAdapter) {
  TempDir dir("classify-peft-dry");
  Args args = classifyArgs(dir / "ws", {});
  args.insert(args.end(), {"--dry-run", "--json"});
  auto result = runTemper(args);
  ASSERT_EQ(result.exit_code, 0) << result.all();
  // As the run counts them (the first test): LoRA r 4 on 4 projections, and 2 labels × 32.
  EXPECT_EQ(Json::parse(result.out).at("estimate").at("trainable_parameters"),
            4 * ((32 + 96) + (32 + 32) + (32 + 128) + (128 + 32)) + 2 * 32)
      << result.out;
}

TEST(ClassifyPeft, TrainLastBlocksWithAnAdapterIsRefused) {
  TempDir dir("classify-peft-refused");
  auto refused = runTemper(classifyArgs(dir / "ws", {{"train-last-blocks", "1"}}));
  EXPECT_EQ(refused.exit_code, 2) << refused.all();
  EXPECT_NE(refused.err.find("`train-last-blocks` and `peft` lora"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace temper::engine_test
