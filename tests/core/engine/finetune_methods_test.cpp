// The methods that start from a base model — continued-pretrain, sft, classify — end to end through
// the real `temper`: a tiny GPT-2 is pretrained by the test itself, then each method trains from its
// final/ folder. Also `temper info` and `train --dry-run`, and the errors of the new keys.
#include <gtest/gtest.h>

#include <fstream>

#include "core/common/json_io.h"
#include "tests/core/engine/engine_test_support.h"

namespace temper::engine_test {
namespace {

using namespace std::chrono_literals;

Args finetuneArgs(const std::filesystem::path& workspace, const std::string& method, const std::filesystem::path& data,
                  const std::map<std::string, std::string>& extra = {}) {
  std::map<std::string, std::string> flags = {{"method", method},      {"base", pretrainedTinyBase().string()},
                                              {"data", data.string()}, {"batch-size", "4"},
                                              {"max-steps", "30"},     {"warmup-steps", "0"},
                                              {"lr", "0.003"},         {"min-lr", "0.003"},
                                              {"eval-every", "10"},    {"eval-batches", "4"},
                                              {"threads", "1"},        {"ctx", "64"}};
  return trainArgs(workspace, std::move(flags), extra);
}

// Simple arithmetic facts in words: the prompt never contains the answer, so only SFT can teach it.
void writePromptCompletion(const std::filesystem::path& path, int count) {
  static const char* const words[] = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};
  std::ofstream out(path);
  for (int i = 0; i < count; ++i) {
    const int a = i % 5, b = (i / 5) % 5;
    Json record = {{"prompt", std::string("what is ") + words[a] + " and " + words[b] + "? "},
                   {"completion", std::string(words[a + b]) + "."}};
    out << record.dump() << "\n";
  }
}

TEST(EngineInfo, ListsEveryMethodWithItsAvailability) {
  auto result = runTemper({"info", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.all();
  Json info = Json::parse(result.out);
  std::vector<std::string> names;
  for (const auto& m : info.at("methods")) names.push_back(m.at("name"));
  EXPECT_EQ(names, (std::vector<std::string>{"pretrain", "continued-pretrain", "sft", "classify", "few-shot",
                                             "reward-model", "dpo", "kto", "simpo", "orpo", "grpo", "rloo", "ppo"}));
  for (const auto& m : info.at("methods")) {
    const bool runs_here = m.at("name") != "few-shot";
    EXPECT_EQ(m.at("available").get<bool>(), runs_here) << m.dump();
    EXPECT_EQ(m.at("reason").get<std::string>().empty(), runs_here) << m.dump();
    EXPECT_FALSE(m.at("summary").get<std::string>().empty());
  }
  bool saw_lr = false, saw_base = false;
  for (const auto& key : info.at("train_keys")) {
    if (key.at("key") == "lr") {
      saw_lr = true;
      EXPECT_EQ(key.at("kind"), "number");
      EXPECT_DOUBLE_EQ(key.at("method_defaults").at("sft").get<double>(), 5e-5);
    }
    if (key.at("key") == "base") {
      saw_base = true;
      EXPECT_EQ(key.at("methods"), (Json{"continued-pretrain", "sft", "classify", "reward-model", "dpo", "kto", "simpo",
                                         "orpo", "grpo", "rloo", "ppo"}));
      EXPECT_FALSE(key.contains("peft"));
    }
    // Each kind's settings say whose they are; `peft` itself belongs to none.
    const std::map<std::string, std::string> kind_of = {{"lora-r", "lora"},
                                                        {"use-dora", "lora"},
                                                        {"adapter-placement", "adapters"},
                                                        {"prompt-tokens", "prompt-tuning"},
                                                        {"prefix-tokens", "prefix-tuning"}};
    if (auto it = kind_of.find(key.at("key")); it != kind_of.end()) {
      EXPECT_EQ(key.value("peft", ""), it->second);
    }
    if (key.at("key") == "peft") {
      EXPECT_FALSE(key.contains("peft"));
    }
  }
  EXPECT_TRUE(saw_lr && saw_base);
  // What is trained is its own axis: the PEFT kinds, with the methods that take each.
  std::vector<std::string> kinds;
  for (const auto& k : info.at("peft_kinds")) kinds.push_back(k.at("name"));
  EXPECT_EQ(kinds, (std::vector<std::string>{"none", "lora", "adapters", "prompt-tuning", "prefix-tuning"}));
  EXPECT_EQ(info.at("peft_kinds").at(1).at("methods"), (Json{"continued-pretrain", "sft", "classify", "reward-model",
                                                             "dpo", "kto", "simpo", "orpo", "grpo", "rloo", "ppo"}));
  EXPECT_TRUE(info.at("peft_kinds").at(1).at("available").get<bool>());
  EXPECT_TRUE(info.at("peft_kinds").at(2).at("available").get<bool>()) << "bottleneck adapters";
  EXPECT_TRUE(info.at("peft_kinds").at(4).at("available").get<bool>()) << "prefix tuning";
  EXPECT_FALSE(info.at("libtorch").get<std::string>().empty());
  EXPECT_FALSE(info.at("sentencepiece").get<std::string>().empty());
  EXPECT_GE(info.at("device").at("cpu_threads").get<int>(), 1);
}

TEST(ContinuedPretrain, TrainsFromTheBaseOnRawTextAndCachesTheTokenizedData) {
  TempDir dir("continued");
  writeFile(dir / "more.txt", corpusText());
  auto args = finetuneArgs(dir / "ws", "continued-pretrain", dir / "more.txt", {{"max-steps", "10"}, {"ctx", "32"}});
  auto first = runTemper(args);
  ASSERT_EQ(first.exit_code, 0) << first.all();
  auto started = first.events("run_started");
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].at("data").at("format"), "tokens");
  EXPECT_GT(started[0].at("data").at("train_tokens").get<int64_t>(), 0);
  // The second run on the same text reuses the tokenized dataset.
  auto second = runTemper(args);
  ASSERT_EQ(second.exit_code, 0) << second.all();
  int datasets = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir / "ws" / "datasets")) ++datasets;
  EXPECT_EQ(datasets, 1);
  Json runs = listRuns(dir / "ws");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].at("method"), "continued-pretrain");
  // The run starts where the base ended: its first loss is far below a fresh model's ln(vocab).
  auto steps = first.events("step");
  ASSERT_FALSE(steps.empty());
  auto scratch = runTemper(tinyTrainArgs(dir / "ws2", preparedCorpus().data, {{"max-steps", "1"}, {"ctx", "32"}}));
  auto scratch_steps = scratch.events("step");
  ASSERT_FALSE(scratch_steps.empty());
  EXPECT_LT(steps[0].at("loss").get<double>(), scratch_steps[0].at("loss").get<double>() - 0.3);
}

TEST(Sft, LearnsTheCompletionsAndReportsFormatAndTokenAccuracy) {
  TempDir dir("sft");
  writePromptCompletion(dir / "train.jsonl", 50);
  writePromptCompletion(dir / "val.jsonl", 10);
  auto result = runTemper(finetuneArgs(dir / "ws", "sft", dir / "train.jsonl",
                                       {{"val-data", (dir / "val.jsonl").string()}, {"max-steps", "60"}}));
  ASSERT_EQ(result.exit_code, 0) << result.all();
  auto started = result.events("run_started");
  ASSERT_EQ(started.size(), 1u);
  const Json& data = started[0].at("data");
  EXPECT_EQ(data.at("train").at("format"), "prompt-completion");
  EXPECT_EQ(data.at("train").at("records"), 50);
  EXPECT_EQ(data.at("validation").at("records"), 10);
  auto evals = result.events("eval");
  ASSERT_GE(evals.size(), 2u);
  const double first = evals.front().at("val_loss"), last = evals.back().at("val_loss");
  EXPECT_LT(last, first * 0.7) << "validation loss on the completions should fall: " << first << " -> " << last;
  EXPECT_TRUE(evals.back().at("metrics").contains("token_accuracy"));
  EXPECT_GT(evals.back().at("metrics").at("token_accuracy").get<double>(),
            evals.front().at("metrics").at("token_accuracy").get<double>());
  // Samples continue the validation prompts.
  auto samples = result.events("sample");
  ASSERT_FALSE(samples.empty());
  EXPECT_EQ(samples[0].at("prompt").get<std::string>().rfind("what is ", 0), 0u) << samples[0].dump();
  // The model is saved where transformers and temper expect it.
  Json runs = listRuns(dir / "ws");
  const std::filesystem::path final_dir = std::filesystem::path(runs.at(0).at("run_dir").get<std::string>()) / "final";
  EXPECT_TRUE(std::filesystem::exists(final_dir / "model.safetensors"));
  EXPECT_TRUE(std::filesystem::exists(final_dir / "tokenizer.model"));
  EXPECT_EQ(readJsonFile(final_dir / "config.json").at("model_type"), "gpt2");
}

TEST(Sft, LearnsWikiSqlFromAModelPretrainedHere) {
  const std::filesystem::path shared = TEMPER_SHARED_DATA;
  if (!std::filesystem::exists(shared / "sft" / "wikisql-train.jsonl")) {
    GTEST_SKIP() << "needs ../shared/data/sft/wikisql-*.jsonl (absent)";
  }
  TempDir dir("wikisql");
  auto tok = runTemper({"tokenizer", "train", "--input", (shared / "sft" / "wikisql-train.jsonl").string(),
                        "--model-type", "bpe", "--vocab-size", "400", "--out", (dir / "sql.model").string()});
  ASSERT_EQ(tok.exit_code, 0) << tok.all();
  auto prep = runTemper({"data", "prepare", "--input", (shared / "sft" / "wikisql-train.jsonl").string(), "--tokenizer",
                         (dir / "sql.model").string(), "--out", (dir / "data").string()});
  ASSERT_EQ(prep.exit_code, 0) << prep.all();
  auto pre = runTemper(
      tinyTrainArgs(dir / "ws", dir / "data",
                    {{"max-steps", "150"}, {"ctx", "128"}, {"dim", "64"}, {"layers", "2"}, {"batch-size", "8"}}),
      600s);
  ASSERT_EQ(pre.exit_code, 0) << pre.all();
  const auto model = std::filesystem::path(listRuns(dir / "ws").at(0).at("run_dir").get<std::string>()) / "final";
  Args sft = {"train",
              "--workspace",
              (dir / "ws").string(),
              "--method",
              "sft",
              "--base",
              model.string(),
              "--data",
              (shared / "sft" / "wikisql-train.jsonl").string(),
              "--val-data",
              (shared / "sft" / "wikisql-valid.jsonl").string(),
              "--response-template",
              "\nA:",
              "--max-steps",
              "80",
              "--eval-every",
              "40",
              "--eval-batches",
              "8",
              "--batch-size",
              "8",
              "--lr",
              "0.002",
              "--min-lr",
              "0.0005",
              "--warmup-steps",
              "5",
              "--threads",
              "1",
              "--ctx",
              "128"};
  auto result = runTemper(sft, 600s);
  ASSERT_EQ(result.exit_code, 0) << result.all();
  const Json data = result.events("run_started").at(0).at("data");
  EXPECT_EQ(data.at("train").at("format"), "text");
  EXPECT_EQ(data.at("train").at("records"), 1000);
  EXPECT_EQ(data.at("validation").at("records"), 100);
  auto evals = result.events("eval");
  ASSERT_EQ(evals.size(), 2u);
  EXPECT_LT(evals.back().at("val_loss").get<double>(), evals.front().at("val_loss").get<double>()) << result.err;
}

TEST(Classify, SeparatesTwoLabelsAndSavesAClassifier) {
  TempDir dir("classify");
  writeCalmStorm(dir / "labels.csv", 0, 60);
  auto result = runTemper(finetuneArgs(dir / "ws", "classify", dir / "labels.csv",
                                       {{"val-fraction", "0.2"}, {"max-steps", "40"}, {"eval-every", "20"}}));
  ASSERT_EQ(result.exit_code, 0) << result.all();
  const Json data = result.events("run_started").at(0).at("data");
  EXPECT_EQ(data.at("labels"), (Json{"calm", "storm"}));
  EXPECT_EQ(result.events("run_started").at(0).at("environment").at("precision"), "fp32");
  EXPECT_EQ(data.at("validation_examples"), 12);
  auto evals = result.events("eval");
  ASSERT_FALSE(evals.empty());
  const Json& metrics = evals.back().at("metrics");
  EXPECT_GE(metrics.at("accuracy").get<double>(), 0.9) << metrics.dump();
  EXPECT_EQ(metrics.at("total/calm").get<double>() + metrics.at("total/storm").get<double>(), 12);
  const auto final_dir = std::filesystem::path(listRuns(dir / "ws").at(0).at("run_dir").get<std::string>()) / "final";
  Json config = readJsonFile(final_dir / "config.json");
  EXPECT_EQ(config.at("architectures"), (Json{"GPT2ForSequenceClassification"}));
  EXPECT_EQ(config.at("id2label").at("1"), "storm");
  EXPECT_EQ(config.at("label2id").at("calm"), 0);
}

// The saved classifier scored by `temper eval`, refused where a language model is needed, and
// trained further from its own head and labels.
TEST(Classify, EvalScoresTheSavedClassifierWhichTrainsFurther) {
  TempDir dir("classify-eval");
  writeCalmStorm(dir / "train.csv", 0, 48);
  writeCalmStorm(dir / "val.csv", 100, 13);
  auto result = runTemper(finetuneArgs(dir / "ws", "classify", dir / "train.csv",
                                       {{"val-data", (dir / "val.csv").string()},
                                        {"max-steps", "40"},
                                        {"eval-every", "40"},
                                        {"eval-batches", "4"}}));  // 4 batches of 4 cover the 13 records
  ASSERT_EQ(result.exit_code, 0) << result.all();
  const Json in_run = result.events("eval").back();
  const auto final_dir = std::filesystem::path(listRuns(dir / "ws").at(0).at("run_dir").get<std::string>()) / "final";

  auto scored = runTemper({"eval", "--model", final_dir.string(), "--data", (dir / "val.csv").string(), "--json"});
  ASSERT_EQ(scored.exit_code, 0) << scored.all();
  const Json eval = Json::parse(scored.out);
  EXPECT_EQ(eval.at("task"), "classify");
  EXPECT_EQ(eval.at("examples"), 13);
  EXPECT_EQ(eval.at("labels"), (Json{"calm", "storm"}));
  // The same records, batched differently (sorted by length here, in file order in the run).
  EXPECT_NEAR(eval.at("accuracy").get<double>(), in_run.at("metrics").at("accuracy").get<double>(), 1e-9);
  EXPECT_NEAR(eval.at("mean_nll").get<double>(), in_run.at("val_loss").get<double>(), 1e-4);
  const Json& confusion = eval.at("confusion");
  const double tp_calm = confusion[0][0], fn_calm = confusion[0][1], fp_calm = confusion[1][0], tn = confusion[1][1];
  EXPECT_EQ(tp_calm + fn_calm, 7);  // even indices 100..112
  EXPECT_EQ(fp_calm + tn, 6);
  EXPECT_EQ(eval.at("per_label").at("calm").at("correct"), in_run.at("metrics").at("correct/calm"));
  EXPECT_NEAR(eval.at("accuracy").get<double>(), (tp_calm + tn) / 13.0, 1e-12);
  if (tp_calm + fp_calm > 0) {
    EXPECT_NEAR(eval.at("per_label").at("calm").at("precision").get<double>(), tp_calm / (tp_calm + fp_calm), 1e-12);
  }
  EXPECT_NEAR(eval.at("per_label").at("calm").at("recall").get<double>(), tp_calm / 7.0, 1e-12);
  EXPECT_GE(eval.at("accuracy").get<double>(), 0.9) << eval.dump();

  auto text = runTemper({"eval", "--model", final_dir.string(), "--data", (dir / "val.csv").string()});
  ASSERT_EQ(text.exit_code, 0) << text.all();
  for (const char* word : {"accuracy", "macro_f1", "precision", "confusion"}) {
    EXPECT_NE(text.out.find(word), std::string::npos) << text.out;
  }

  auto inspected = runTemper({"model", "inspect", final_dir.string(), "--json"});
  ASSERT_EQ(inspected.exit_code, 0) << inspected.all();
  EXPECT_EQ(Json::parse(inspected.out).at("task"), "sequence-classification");
  EXPECT_EQ(Json::parse(inspected.out).at("labels"), (Json{"calm", "storm"}));

  writeFile(dir / "unknown.jsonl",
            "{\"text\": \"calm\", \"label\": \"calm\"}\n{\"text\": \"x\", \"label\": \"fog\"}\n");
  auto unknown = runTemper({"eval", "--model", final_dir.string(), "--data", (dir / "unknown.jsonl").string()});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("unknown.jsonl:2"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("\"fog\""), std::string::npos) << unknown.err;

  auto generate = runTemper({"generate", "--model", final_dir.string(), "--prompt", "the river"});
  EXPECT_NE(generate.exit_code, 0);
  EXPECT_NE(generate.err.find("classifier"), std::string::npos) << generate.err;
  writePromptCompletion(dir / "sft.jsonl", 10);
  auto sft = runTemper(finetuneArgs(dir / "ws-sft", "sft", dir / "sft.jsonl", {{"base", final_dir.string()}}));
  EXPECT_NE(sft.exit_code, 0);
  EXPECT_NE(sft.err.find("only the classify method"), std::string::npos) << sft.err;
  Args dry = finetuneArgs(dir / "ws-sft", "sft", dir / "sft.jsonl", {{"base", final_dir.string()}});
  dry.push_back("--dry-run");
  auto estimate = runTemper(dry);
  EXPECT_EQ(estimate.exit_code, 3) << estimate.all();
  EXPECT_NE(estimate.err.find("only the classify method"), std::string::npos) << estimate.err;

  // Further training keeps the base's labels and head: accurate from its first evaluation.
  writeFile(dir / "more.jsonl",
            "{\"text\": \"storm, thunder and rain again, 7\", \"label\": \"storm\"}\n"
            "{\"text\": \"storm, thunder and rain again, 9\", \"label\": \"storm\"}\n");
  auto further = runTemper(finetuneArgs(dir / "ws-more", "classify", dir / "more.jsonl",
                                        {{"base", final_dir.string()},
                                         {"val-data", (dir / "val.csv").string()},
                                         {"lr", "1e-6"},
                                         {"min-lr", "1e-6"},
                                         {"batch-size", "2"},
                                         {"max-steps", "1"},
                                         {"eval-every", "1"},
                                         {"eval-batches", "4"}}));
  ASSERT_EQ(further.exit_code, 0) << further.all();
  EXPECT_EQ(further.events("run_started").at(0).at("data").at("labels"), (Json{"calm", "storm"}));
  EXPECT_GE(further.events("eval").back().at("metrics").at("accuracy").get<double>(), 0.9);
}

TEST(Classify, TrainLastBlocksFreezesTheRest) {
  TempDir dir("classify-frozen");
  {
    std::ofstream out(dir / "labels.jsonl");
    for (int i = 0; i < 20; ++i) out << Json{{"text", i % 2 ? "yes yes" : "no no"}, {"label", i % 2}}.dump() << "\n";
  }
  auto probe = runTemper(
      finetuneArgs(dir / "ws", "classify", dir / "labels.jsonl", {{"train-last-blocks", "0"}, {"max-steps", "4"}}));
  ASSERT_EQ(probe.exit_code, 0) << probe.all();
  Json shown = showRun(dir / "ws", listRuns(dir / "ws").at(0).at("id"));
  const Json& config = shown.at("config");
  // Head only: hidden (32) × labels (2).
  EXPECT_EQ(config.at("parameters").at("trainable"), 64) << config.at("parameters").dump();
}

TEST(DryRun, EstimatesWithoutCreatingARun) {
  TempDir dir("dry");
  writePromptCompletion(dir / "train.jsonl", 10);
  Args args = finetuneArgs(dir / "ws", "sft", dir / "train.jsonl");
  args.push_back("--dry-run");
  args.push_back("--json");
  auto result = runTemper(args);
  ASSERT_EQ(result.exit_code, 0) << result.all();
  Json estimate = Json::parse(result.out);
  EXPECT_EQ(estimate.at("method"), "sft");
  EXPECT_EQ(estimate.at("seq_len"), 64);
  const Json& bytes = estimate.at("estimate").at("bytes");
  EXPECT_EQ(bytes.at("total").get<int64_t>(),
            bytes.at("weights").get<int64_t>() + bytes.at("gradients").get<int64_t>() +
                bytes.at("optimizer").get<int64_t>() + bytes.at("activations").get<int64_t>());
  EXPECT_EQ(bytes.at("optimizer").get<int64_t>(), 2 * bytes.at("gradients").get<int64_t>());
  EXPECT_FALSE(std::filesystem::exists(dir / "ws" / "temper.db"));
}

TEST(DataInspect, ReportsFormatFieldsCountsAndPreview) {
  TempDir dir("inspect");
  writePromptCompletion(dir / "pc.jsonl", 12);
  auto pc = runTemper(
      {"data", "inspect", (dir / "pc.jsonl").string(), "--tokenizer", preparedCorpus().tokenizer.string(), "--json"});
  ASSERT_EQ(pc.exit_code, 0) << pc.all();
  Json info = Json::parse(pc.out);
  EXPECT_EQ(info.at("format"), "prompt-completion");
  EXPECT_EQ(info.at("fields"), (Json{"prompt", "completion"}));
  EXPECT_EQ(info.at("records"), 12);
  EXPECT_EQ(info.at("preview").size(), 5u);
  EXPECT_EQ(info.at("preview")[0].at("completion"), "zero.");
  // A char tokenizer: one token per character of prompt + completion.
  int64_t chars = 0;
  std::ifstream in(dir / "pc.jsonl");
  for (std::string line; std::getline(in, line);) {
    Json r = Json::parse(line);
    chars += static_cast<int64_t>(r["prompt"].get<std::string>().size() + r["completion"].get<std::string>().size());
  }
  EXPECT_EQ(info.at("tokens").get<int64_t>(), chars);

  writeFile(dir / "labels.csv", "text,label\nsunny day,good\nrainy day,bad\nwarm day,good\n");
  auto csv = runTemper({"data", "inspect", (dir / "labels.csv").string(), "--json"});
  ASSERT_EQ(csv.exit_code, 0) << csv.all();
  Json labels = Json::parse(csv.out);
  EXPECT_EQ(labels.at("format"), "text-label");
  EXPECT_EQ(labels.at("labels"), (Json{{"bad", 1}, {"good", 2}}));
  EXPECT_FALSE(labels.contains("tokens"));

  auto raw = runTemper({"data", "inspect", preparedCorpus().corpus.string(), "--json"});
  ASSERT_EQ(raw.exit_code, 0) << raw.all();
  Json text = Json::parse(raw.out);
  EXPECT_EQ(text.at("format"), "text");
  EXPECT_EQ(text.at("documents"), 1);
  EXPECT_EQ(text.at("bytes").get<int64_t>(), static_cast<int64_t>(std::filesystem::file_size(preparedCorpus().corpus)));

  auto prepared = runTemper({"data", "inspect", preparedCorpus().data.string(), "--json"});
  ASSERT_EQ(prepared.exit_code, 0) << prepared.all();
  Json packed = Json::parse(prepared.out);
  EXPECT_EQ(packed.at("format"), "prepared");
  Json meta = readJsonFile(preparedCorpus().data / "meta.json");
  EXPECT_EQ(packed.at("tokens").get<int64_t>(),
            meta.at("train_tokens").get<int64_t>() + meta.at("val_tokens").get<int64_t>());

  writeFile(dir / "mixed.jsonl", "{\"text\": \"a\"}\n{\"prompt\": \"a\", \"completion\": \"b\"}\n");
  auto mixed = runTemper({"data", "inspect", (dir / "mixed.jsonl").string(), "--json"});
  EXPECT_EQ(mixed.exit_code, 3);
  EXPECT_NE(mixed.err.find("mixed.jsonl:2"), std::string::npos) << mixed.err;
}

struct BadFinetune {
  std::string label;
  std::map<std::string, std::string> flags;
  std::string data;  // file contents written to data.jsonl ("" keeps the prompt-completion file)
  int exit_code;
  std::vector<std::string> words;
};

TEST(FinetuneErrors, NameTheKeyOrRecord) {
  const std::vector<BadFinetune> cases = {
      {"no base", {{"base", ""}}, "", 2, {"`base` is required", "sft"}},
      {"pretrain key", {{"layers", "2"}}, "", 2, {"`layers`", "does nothing for method sft", "pretrain"}},
      {"unknown precision", {{"precision", "fp16"}}, "", 2, {"`precision`", "auto, fp32, bf16"}},
      {"text without template", {}, "{\"text\": \"hello\"}\n{\"text\": \"again\"}\n", 2, {"response-template"}},
      {"labels for sft",
       {},
       "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\", \"label\": \"y\"}\n",
       2,
       {"classify"}},
      {"broken line", {}, "{\"prompt\": \"a\", \"completion\": \"b\"}\n{\"prompt\": \n", 3, {"data.jsonl:2"}},
      {"missing field",
       {},
       "{\"prompt\": \"a\", \"completion\": \"b\"}\n{\"prompt\": \"a\", \"completion\": \"b\"}\n{\"prompt\": \"c\"}\n",
       3,
       {"data.jsonl:3", "`completion`"}},
      {"messages without template",
       {{"chat-template", ""}},
       "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"yo\"}]}\n"
       "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"yo\"}]}\n",
       3,
       {"--chat-template"}},
  };
  for (const auto& c : cases) {
    TempDir dir("bad-finetune");
    if (c.data.empty()) {
      writePromptCompletion(dir / "data.jsonl", 10);
    } else {
      writeFile(dir / "data.jsonl", c.data);
    }
    auto result = runTemper(finetuneArgs(dir / "ws", "sft", dir / "data.jsonl", c.flags));
    EXPECT_EQ(result.exit_code, c.exit_code) << c.label << ": " << result.all();
    for (const auto& word : c.words)
      EXPECT_NE(result.err.find(word), std::string::npos) << c.label << ": " << result.err;
    EXPECT_EQ(listRuns(dir / "ws").size(), 0u) << c.label << ": no run is recorded for bad input";
  }
}

}  // namespace
}  // namespace temper::engine_test
