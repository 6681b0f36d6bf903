// Golden logits of the Llama family from an independent implementation: reference_llama.py (plain
// PyTorch in float64, written from the architecture's definition) reads the folder saveLlamaHf()
// writes. One case per feature: grouped-query attention, untied and tied heads, rope_theta, llama3
// and linear rope scaling, Qwen2's q/k/v biases, Llama's attention and MLP biases, an explicit
// head_dim. Skipped when /usr/bin/python3 has no torch.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/model/hf_llama.h"
#include "core/model/llama.h"
#include "llama_test_support.h"
#include "model_test_support.h"

namespace temper {
namespace {

const char* const kPython = "/usr/bin/python3";
const std::string kScript = std::string(TEMPER_SOURCE_DIR) + "/tests/core/model/reference_llama.py";

bool pythonHasTorch() {
  const std::string command = std::string(kPython) + " -c 'import torch' >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

std::string runCommand(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) {
    ADD_FAILURE() << "popen failed: " << command;
    return {};
  }
  std::string output;
  std::array<char, 4096> buffer{};
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe.get())) > 0) output.append(buffer.data(), n);
  EXPECT_EQ(pclose(pipe.release()), 0) << command << "\n" << output.substr(0, 2000);
  return output;
}

torch::Tensor referenceLogits(const std::filesystem::path& dir, const torch::Tensor& ids) {
  nlohmann::json ids_json = nlohmann::json::array();
  for (int64_t b = 0; b < ids.size(0); ++b) {
    nlohmann::json row = nlohmann::json::array();
    for (int64_t t = 0; t < ids.size(1); ++t) row.push_back(ids[b][t].item<int64_t>());
    ids_json.push_back(row);
  }
  std::ofstream(dir / "ids.json") << ids_json.dump();
  std::string output = runCommand(std::string(kPython) + " '" + kScript + "' '" + dir.string() + "' '" +
                                  (dir / "ids.json").string() + "' 2>&1");
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(output);
  } catch (const std::exception&) {
    ADD_FAILURE() << "reference output is not JSON: " << output.substr(0, 2000);
    return {};
  }
  std::vector<double> values;
  for (const auto& row : parsed["logits"]) {
    for (const auto& step : row) {
      for (const auto& v : step) values.push_back(v.get<double>());
    }
  }
  return torch::tensor(values, torch::kDouble).view({ids.size(0), ids.size(1), -1});
}

/// The same weights under another config (e.g. without the rope scaling under test).
Llama withConfig(Llama& model, const LlamaConfig& config) {
  Llama other(config, /*initialize=*/false);
  torch::NoGradGuard no_grad;
  auto source = model->named_parameters();
  for (auto& item : other->named_parameters()) item.value().copy_(*source.find(item.key()));
  other->eval();
  return other;
}

/// Compares Temper's logits with the reference; returns the reference logits for further checks.
torch::Tensor compareWithReference(Llama& model, uint64_t seed) {
  test::TempDir dir;
  saveLlamaHf(*model, Json(), dir.path());
  const LlamaConfig& config = model->config();
  auto ids = test::randomIds(2, config.context(), config.vocab_size, seed);
  auto expected = referenceLogits(dir.path(), ids);
  if (!expected.defined()) return {};
  // With gradients on, training's fused CPU kernels run (llama_kernels.h); without, the eager ops.
  auto with_grad = model->forward(ids).detach().to(torch::kDouble);
  torch::NoGradGuard no_grad;
  auto actual = model->forward(ids).to(torch::kDouble);
  EXPECT_EQ(actual.sizes(), expected.sizes());
  if (actual.sizes() != expected.sizes()) return {};
  const double max_diff = (actual - expected).abs().max().item<double>();
  EXPECT_LT(max_diff, 1e-4) << "largest |logit - reference| over " << actual.numel() << " logits";
  EXPECT_LT((with_grad - expected).abs().max().item<double>(), 1e-4) << "training path (fused kernels)";
  // Logits far from trivial, so that the comparison means something.
  EXPECT_GT(expected.std().item<double>(), 0.5);
  return expected;
}

/// The feature under test must change the logits well beyond the tolerance: a model that ignored it
/// would fail the comparison.
void expectFeatureMatters(Llama& model, const LlamaConfig& without, const torch::Tensor& expected, uint64_t seed) {
  if (!expected.defined()) return;
  auto other = withConfig(model, without);
  auto ids = test::randomIds(2, model->config().context(), model->config().vocab_size, seed);
  torch::NoGradGuard no_grad;
  const double diff = (other->forward(ids).to(torch::kDouble) - expected).abs().max().item<double>();
  EXPECT_GT(diff, 1e-2);
}

class LlamaReference : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!pythonHasTorch()) GTEST_SKIP() << kPython << " has no torch module; install python3-torch to run this check";
  }
};

TEST_F(LlamaReference, GroupedQueryAttentionUntiedHead) {
  auto model = test::randomLlama(test::smallLlamaConfig(), 101);  // 4 heads, 2 kv heads
  compareWithReference(model, 102);
}

TEST_F(LlamaReference, SingleKvHeadAndNonDefaultRopeTheta) {
  LlamaConfig c = test::smallLlamaConfig();
  c.kv_heads = 1;
  c.rope_theta = 37.0;
  c.rms_norm_eps = 1e-3;
  auto model = test::randomLlama(c, 103);
  auto expected = compareWithReference(model, 104);
  LlamaConfig default_theta = c;
  default_theta.rope_theta = 10000.0;
  expectFeatureMatters(model, default_theta, expected, 104);
}

TEST_F(LlamaReference, Llama3RopeScaling) {
  // head_dim 16, theta 10000: wavelengths 6.3, 19.9, 62.8, 199, ... against the bounds 64/4 = 16
  // and 64/1 = 64: one frequency kept, two blended, five divided by the factor.
  LlamaConfig c = test::smallLlamaConfig();
  c.heads = 2;
  c.kv_heads = 1;
  c.head_dim = 16;
  c.rope_scaling.kind = RopeScaling::Kind::Llama3;
  c.rope_scaling.factor = 8.0;
  c.rope_scaling.low_freq_factor = 1.0;
  c.rope_scaling.high_freq_factor = 4.0;
  c.rope_scaling.original_max_positions = 64;
  c.rope_theta = 10000.0;
  auto model = test::randomLlama(c, 105);
  auto expected = compareWithReference(model, 106);
  LlamaConfig unscaled = c;
  unscaled.rope_scaling = RopeScaling{};
  expectFeatureMatters(model, unscaled, expected, 106);
}

TEST_F(LlamaReference, LinearRopeScaling) {
  LlamaConfig c = test::smallLlamaConfig();
  c.rope_theta = 100.0;
  c.rope_scaling.kind = RopeScaling::Kind::Linear;
  c.rope_scaling.factor = 4.0;
  auto model = test::randomLlama(c, 107);
  auto expected = compareWithReference(model, 108);
  LlamaConfig unscaled = c;
  unscaled.rope_scaling = RopeScaling{};
  expectFeatureMatters(model, unscaled, expected, 108);
}

TEST_F(LlamaReference, Qwen2QkvBiases) {
  LlamaConfig c = test::smallLlamaConfig();
  c.model_type = "qwen2";
  c.architecture = "Qwen2ForCausalLM";
  c.qkv_bias = true;
  c.rope_theta = 1000000.0;
  auto model = test::randomLlama(c, 109);
  auto expected = compareWithReference(model, 110);
  // Zeroing the biases must change the result (the reference read them from the file).
  LlamaConfig without = c;
  without.model_type = "llama";
  without.qkv_bias = false;
  expectFeatureMatters(model, without, expected, 110);
}

TEST_F(LlamaReference, LlamaAttentionAndMlpBiases) {
  LlamaConfig c = test::smallLlamaConfig();
  c.qkv_bias = c.o_bias = c.mlp_bias = true;
  auto model = test::randomLlama(c, 111);
  compareWithReference(model, 112);
}

TEST_F(LlamaReference, ExplicitHeadDimDifferentFromHiddenOverHeads) {
  LlamaConfig c = test::smallLlamaConfig();
  c.head_dim = 12;  // q_proj: 32 -> 48, k/v_proj: 32 -> 24
  auto model = test::randomLlama(c, 113);
  compareWithReference(model, 114);
}

TEST_F(LlamaReference, TiedEmbeddingsAsHead) {
  LlamaConfig c = test::smallLlamaConfig();
  c.tie_word_embeddings = true;
  auto model = test::randomLlama(c, 115);
  compareWithReference(model, 116);
}

TEST_F(LlamaReference, MistralLayoutWithFullHeads) {
  LlamaConfig c = test::smallLlamaConfig();
  c.model_type = "mistral";
  c.architecture = "MistralForCausalLM";
  c.kv_heads = 4;
  c.sliding_window = 64;  // longer than the context: no effect
  auto model = test::randomLlama(c, 117);
  compareWithReference(model, 118);
}

}  // namespace
}  // namespace temper
