// *ForSequenceClassification folders: recognised by inspect, loaded as backbone + score, and the
// errors of a broken head or label map. The logits check is independent of the head code under
// test: a score head whose rows are rows of the (already reference-checked) LM head must give the
// causal model's own logits for those tokens at each row's last real position.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include <fstream>

#include "core/common/json_io.h"
#include "core/model/hf_gpt2.h"
#include "core/model/hf_llama.h"
#include "core/model/hf_model.h"
#include "core/model/sequence_classifier.h"
#include "core/tensor_io/torch_safetensors.h"
#include "llama_test_support.h"
#include "model_test_support.h"

namespace temper {
namespace {

using test::expectError;
using ClassifierTensors = std::vector<std::pair<std::string, torch::Tensor>>;

const std::vector<int64_t> kPickedTokens = {7, 3, 11};  // the LM-head rows the score head copies

// Rewrites a causal folder written by the family's saver into the classifier layout transformers
// writes: backbone names (GPT-2's under `transformer.`), no lm_head, `score.weight`, label maps.
void makeClassifierFolder(const std::filesystem::path& dir, const std::string& family, const torch::Tensor& score,
                          const std::vector<std::string>& labels) {
  ClassifierTensors tensors;
  for (auto& [name, tensor] : loadAllTensors(dir / "model.safetensors")) {
    if (name == "lm_head.weight") continue;
    tensors.emplace_back(classifierTensorName(family, name), tensor.clone());
  }
  tensors.emplace_back("score.weight", score.contiguous());
  saveTensors(dir / "model.safetensors", tensors, {{"format", "pt"}});
  Json config = readJsonFile(dir / "config.json");
  config["architectures"] = Json::array({classifierArchitecture(family, config)});
  Json id2label = Json::object(), label2id = Json::object();
  for (size_t i = 0; i < labels.size(); ++i) {
    id2label[std::to_string(i)] = labels[i];
    label2id[labels[i]] = static_cast<int64_t>(i);
  }
  config["id2label"] = id2label;
  config["label2id"] = label2id;
  writeJsonFileAtomic(dir / "config.json", config);
}

// Right-padded rows of different lengths and the index of each row's last real token.
std::pair<torch::Tensor, torch::Tensor> paddedBatch(int64_t vocab) {
  torch::manual_seed(5);
  auto ids = torch::randint(vocab, {3, 9}, torch::kLong);
  auto last = torch::tensor(std::vector<int64_t>{8, 3, 5}, torch::kLong);
  ids.index_put_({1, torch::indexing::Slice(4)}, 0);  // padding after row 1's 4 tokens
  ids.index_put_({2, torch::indexing::Slice(6)}, 0);
  return {ids, last};
}

void expectHeadReadsTheLastToken(CausalLmImpl& causal, const std::filesystem::path& dir, const std::string& arch) {
  HfModelInfo info = inspectHfModel(dir);
  EXPECT_EQ(info.task, "sequence-classification");
  EXPECT_EQ(info.architecture, arch);
  EXPECT_EQ(info.labels, (std::vector<std::string>{"neg", "neu", "pos"}));

  SequenceClassifier classifier = loadSequenceClassifier(dir);
  EXPECT_EQ(classifier.labels, info.labels);
  auto [ids, last] = paddedBatch(causal.vocabSize());
  torch::NoGradGuard no_grad;
  classifier.backbone->eval();
  auto got = classifierLogits(*classifier.backbone, classifier.score, ids, last);
  ASSERT_EQ(got.sizes(), (std::vector<int64_t>{3, 3}));
  for (int64_t row = 0; row < 3; ++row) {
    const int64_t length = last[row].item<int64_t>() + 1;
    // The causal model sees only the row's real tokens: no padding at all.
    auto full = causal.forward(ids.narrow(0, row, 1).narrow(1, 0, length));
    auto expected = full.index({0, length - 1}).index_select(0, torch::tensor(kPickedTokens, torch::kLong));
    EXPECT_TRUE(torch::allclose(got[row], expected, 1e-5, 1e-5)) << row << ": " << got[row] << expected;
  }
}

TEST(SequenceClassifier, Gpt2HeadReadsEachRowsLastTokenLikeTheLmHead) {
  test::TempDir dir("classifier-gpt2");
  Gpt causal = test::randomModel(test::smallConfig(), 3);
  saveGptHf(*causal, Json(), dir.path());
  auto score = causal->wte->weight.detach().index_select(0, torch::tensor(kPickedTokens, torch::kLong));
  makeClassifierFolder(dir.path(), "gpt2", score, {"neg", "neu", "pos"});
  expectHeadReadsTheLastToken(*causal, dir.path(), "GPT2ForSequenceClassification");
  // The backbone's names carry the prefix GPT2ForSequenceClassification gives them.
  EXPECT_TRUE(loadAllTensors(dir / "model.safetensors").count("transformer.h.0.attn.c_attn.weight"));
}

TEST(SequenceClassifier, UntiedLlamaHasNoLmHeadAndStillLoads) {
  test::TempDir dir("classifier-llama");
  LlamaConfig config = test::smallLlamaConfig();
  config.tie_word_embeddings = false;
  config.model_type = "qwen2";
  config.architecture = "Qwen2ForCausalLM";
  config.qkv_bias = true;  // as Qwen2 has
  Llama causal = test::randomLlama(config, 4);
  saveLlamaHf(*causal, Json(), dir.path());
  auto score = causal->headWeight().detach().index_select(0, torch::tensor(kPickedTokens, torch::kLong));
  makeClassifierFolder(dir.path(), "llama", score, {"neg", "neu", "pos"});
  EXPECT_FALSE(loadAllTensors(dir / "model.safetensors").count("lm_head.weight"));
  expectHeadReadsTheLastToken(*causal, dir.path(), "Qwen2ForSequenceClassification");
}

TEST(SequenceClassifier, ArchitectureNamesMapBothWays) {
  EXPECT_EQ(classifierArchitecture("gpt2", Json()), "GPT2ForSequenceClassification");
  EXPECT_EQ(classifierArchitecture("llama", Json{{"architectures", {"MistralForCausalLM"}}}),
            "MistralForSequenceClassification");
  EXPECT_EQ(classifierArchitecture("llama", Json{{"architectures", {"Qwen2ForSequenceClassification"}}}),
            "Qwen2ForSequenceClassification");
  EXPECT_EQ(classifierArchitecture("llama", Json::object()), "LlamaForSequenceClassification");
  EXPECT_EQ(causalArchitecture("Qwen2ForSequenceClassification"), "Qwen2ForCausalLM");
  EXPECT_EQ(causalArchitecture("GPT2ForSequenceClassification"), "GPT2LMHeadModel");
}

TEST(SequenceClassifier, LabelsFallBackToNumLabels) {
  test::TempDir dir("classifier-num-labels");
  Gpt causal = test::randomModel(test::smallConfig(), 3);
  saveGptHf(*causal, Json(), dir.path());
  makeClassifierFolder(dir.path(), "gpt2", torch::zeros({2, 32}), {"a", "b"});
  Json config = readJsonFile(dir / "config.json");
  config.erase("id2label");
  config["num_labels"] = 2;
  writeJsonFileAtomic(dir / "config.json", config);
  EXPECT_EQ(inspectHfModel(dir.path()).labels, (std::vector<std::string>{"LABEL_0", "LABEL_1"}));
}

TEST(SequenceClassifier, ErrorsNameTheTensorOrKey) {
  Gpt causal = test::randomModel(test::smallConfig(), 3);
  auto folder = [&](test::TempDir& dir, const torch::Tensor& score, const std::vector<std::string>& labels) {
    saveGptHf(*causal, Json(), dir.path());
    makeClassifierFolder(dir.path(), "gpt2", score, labels);
  };
  {
    test::TempDir dir("classifier-rows");
    folder(dir, torch::zeros({3, 32}), {"a", "b"});
    expectError(ErrorKind::InvalidInput, {"score.weight", "one row per label", "2"},
                [&] { inspectHfModel(dir.path()); });
  }
  {
    test::TempDir dir("classifier-width");
    folder(dir, torch::zeros({2, 31}), {"a", "b"});
    expectError(ErrorKind::InvalidInput, {"score.weight", "(2, 32)"}, [&] { loadSequenceClassifier(dir.path()); });
  }
  {
    test::TempDir dir("classifier-no-score");
    folder(dir, torch::zeros({2, 32}), {"a", "b"});
    ClassifierTensors kept;
    for (auto& [name, t] : loadAllTensors(dir / "model.safetensors")) {
      if (name != "score.weight") kept.emplace_back(name, t.clone());
    }
    saveTensors(dir / "model.safetensors", kept, {});
    expectError(ErrorKind::InvalidInput, {"score.weight", "GPT2ForSequenceClassification"},
                [&] { inspectHfModel(dir.path()); });
  }
  {
    test::TempDir dir("classifier-id2label");
    folder(dir, torch::zeros({2, 32}), {"a", "b"});
    Json config = readJsonFile(dir / "config.json");
    config["id2label"] = Json{{"0", "a"}, {"2", "b"}};
    writeJsonFileAtomic(dir / "config.json", config);
    expectError(ErrorKind::InvalidInput, {"config.json", "id2label", "\"2\""}, [&] { inspectHfModel(dir.path()); });
  }
  {
    test::TempDir dir("causal-not-classifier");
    saveGptHf(*causal, Json(), dir.path());
    expectError(ErrorKind::InvalidInput, {"GPT2LMHeadModel", "not a classifier"},
                [&] { loadSequenceClassifier(dir.path()); });
  }
}

}  // namespace
}  // namespace temper
