// Shapes, parameter counts, presets, config validation and the config.json mapping.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include <cmath>

#include "core/model/gpt.h"
#include "core/model/gpt_config.h"
#include "model_test_support.h"

namespace temper {
namespace {

using test::expectError;
using test::smallConfig;

int64_t countParameters(Gpt& model) {
  int64_t total = 0;
  for (const auto& item : model->named_parameters()) total += item.value().numel();
  return total;
}

TEST(GptShapes, ForwardHiddenAndLossHaveTheDocumentedShapes) {
  auto model = test::randomModel(smallConfig(), 1);
  auto ids = test::randomIds(3, 7, 50, 2);
  EXPECT_EQ(model->forward(ids).sizes(), (std::vector<int64_t>{3, 7, 50}));
  EXPECT_EQ(model->hidden(ids).sizes(), (std::vector<int64_t>{3, 7, 32}));
  EXPECT_EQ(model->loss(ids, ids).dim(), 0);
  // Full context is allowed; one more position is not.
  EXPECT_EQ(model->forward(test::randomIds(1, 16, 50, 3)).sizes(), (std::vector<int64_t>{1, 16, 50}));
  EXPECT_THROW(model->forward(test::randomIds(1, 17, 50, 3)), c10::Error);
}

TEST(GptShapes, ParameterCountEqualsTheModulesParameters) {
  GptConfig with_inner = smallConfig();
  with_inner.mlp_hidden = 48;
  GptConfig no_bias = smallConfig();
  no_bias.bias = false;
  GptConfig tiny = presetConfig("tiny");
  tiny.vocab_size = 300;
  for (const GptConfig& config : {smallConfig(), with_inner, no_bias, tiny}) {
    Gpt model(config);
    EXPECT_EQ(config.parameterCount(), countParameters(model))
        << "dim " << config.dim << " inner " << config.mlp_hidden << " bias " << config.bias;
  }
}

TEST(GptShapes, Gpt2SmallHasTheWellKnownParameterCount) {
  // GPT-2 124M with its 50257-token vocabulary and tied head: 124,439,808 parameters (the count
  // Hugging Face reports for `gpt2`).
  GptConfig config = presetConfig("gpt2-124m");
  config.vocab_size = 50257;
  EXPECT_EQ(config.parameterCount(), 124'439'808);
}

TEST(GptShapes, HeadIsTiedToTheTokenEmbedding) {
  auto model = test::randomModel(smallConfig(), 4);
  auto ids = test::randomIds(2, 5, 50, 5);
  auto expected = torch::matmul(model->hidden(ids), model->wte->weight.t());
  EXPECT_TRUE(torch::allclose(model->forward(ids), expected, 1e-5, 1e-5));
  for (const auto& item : model->named_parameters()) EXPECT_FALSE(item.key().starts_with("lm_head")) << item.key();
}

TEST(GptShapes, LossIsMeanCrossEntropyIgnoringMinus100) {
  auto model = test::randomModel(smallConfig(), 6);
  auto ids = test::randomIds(2, 6, 50, 7);
  auto targets = test::randomIds(2, 6, 50, 8);
  targets[0][1] = -100;
  targets[1][5] = -100;
  auto logp = torch::log_softmax(model->forward(ids), -1);
  double sum = 0.0;
  int count = 0;
  for (int b = 0; b < 2; ++b) {
    for (int t = 0; t < 6; ++t) {
      int64_t target = targets[b][t].item<int64_t>();
      if (target == -100) continue;
      sum -= logp[b][t][target].item<double>();
      ++count;
    }
  }
  EXPECT_NEAR(model->loss(ids, targets).item<double>(), sum / count, 1e-5);
}

TEST(GptShapes, FreshInitialisationPredictsNearlyUniformly) {
  // N(0, 0.02) weights give near-zero logits, so the loss against unrelated targets starts at
  // about ln(V). (Targets equal to the inputs would score lower: the tied head favours copying.)
  torch::manual_seed(9);
  Gpt model(smallConfig());
  auto ids = test::randomIds(4, 16, 50, 10);
  auto targets = test::randomIds(4, 16, 50, 11);
  EXPECT_NEAR(model->loss(ids, targets).item<double>(), std::log(50.0), 0.1);
  for (const auto& item : model->named_parameters()) {
    const auto& p = item.value();
    const bool layer_norm = item.key().starts_with("ln") || item.key().find(".ln_") != std::string::npos;
    if (item.key().ends_with("bias")) {
      EXPECT_EQ(p.abs().max().item<float>(), 0.0f) << item.key();
    } else if (layer_norm) {
      EXPECT_TRUE(torch::all(p == 1).item<bool>()) << item.key();
    }
  }
  // Residual projections use 0.02 / sqrt(2 * layers) = 0.01 for 2 layers.
  auto residual = model->named_parameters()["h.0.attn.c_proj.weight"];
  EXPECT_NEAR(residual.std().item<double>(), 0.01, 0.0015);
  EXPECT_NEAR(model->named_parameters()["wte.weight"].std().item<double>(), 0.02, 0.002);
}

TEST(GptPresets, PresetsHaveTheirDocumentedShapes) {
  EXPECT_EQ(presetNames(), (std::vector<std::string>{"tiny", "small", "gpt2-124m"}));
  struct Expected {
    const char* name;
    int64_t layers, dim, heads, context;
  };
  for (const auto& e : {Expected{"tiny", 2, 128, 4, 128}, Expected{"small", 6, 384, 6, 256},
                        Expected{"gpt2-124m", 12, 768, 12, 1024}}) {
    GptConfig c = presetConfig(e.name);
    EXPECT_EQ(c.layers, e.layers) << e.name;
    EXPECT_EQ(c.dim, e.dim) << e.name;
    EXPECT_EQ(c.heads, e.heads) << e.name;
    EXPECT_EQ(c.context, e.context) << e.name;
    EXPECT_EQ(c.vocab_size, 0) << e.name;
    EXPECT_EQ(c.mlpHidden(), 4 * e.dim) << e.name;
    c.vocab_size = 100;
    EXPECT_NO_THROW(c.validate()) << e.name;
  }
  expectError(ErrorKind::InvalidConfig, {"huge", "tiny", "small", "gpt2-124m"}, [] { presetConfig("huge"); });
}

TEST(GptConfigValidation, HeadsNotDividingDimNamesBothFields) {
  GptConfig c = smallConfig();
  c.heads = 3;
  expectError(ErrorKind::InvalidConfig, {"`heads`", "`dim`", "3", "32"}, [&] { c.validate(); });
  expectError(ErrorKind::InvalidConfig, {"`heads`", "`dim`"}, [&] { Gpt model(c); });
}

TEST(GptConfigValidation, OutOfRangeFieldsAreNamed) {
  auto expectField = [](const char* field, const std::function<void(GptConfig&)>& change) {
    GptConfig c = smallConfig();
    change(c);
    expectError(ErrorKind::InvalidConfig, {field}, [&] { c.validate(); });
  };
  expectField("vocab-size", [](GptConfig& c) { c.vocab_size = 1; });
  expectField("ctx", [](GptConfig& c) { c.context = 1; });
  expectField("dim", [](GptConfig& c) { c.dim = 4; });
  expectField("layers", [](GptConfig& c) { c.layers = 0; });
  expectField("heads", [](GptConfig& c) { c.heads = 0; });
  expectField("dropout", [](GptConfig& c) { c.dropout = 1.0; });
  expectField("dropout", [](GptConfig& c) { c.dropout = std::nan(""); });
  EXPECT_NO_THROW(smallConfig().validate());
}

TEST(GptHfConfig, WritesGpt2KeysAndReadsThemBack) {
  GptConfig c = smallConfig();
  c.layer_norm_eps = 1e-6;
  c.eos_id = 49;
  Json json = toHfConfig(c);
  EXPECT_EQ(json["model_type"], "gpt2");
  EXPECT_EQ(json["architectures"][0], "GPT2LMHeadModel");
  EXPECT_EQ(json["vocab_size"], 50);
  EXPECT_EQ(json["n_positions"], 16);
  EXPECT_EQ(json["n_embd"], 32);
  EXPECT_EQ(json["n_layer"], 2);
  EXPECT_EQ(json["n_head"], 4);
  EXPECT_TRUE(json["n_inner"].is_null());
  EXPECT_EQ(json["activation_function"], "gelu_new");
  EXPECT_DOUBLE_EQ(json["layer_norm_epsilon"].get<double>(), 1e-6);
  EXPECT_EQ(json["eos_token_id"], 49);
  EXPECT_FALSE(json.contains("bos_token_id"));

  GptConfig back = fromHfConfig(json, "config.json");
  EXPECT_EQ(back.vocab_size, 50);
  EXPECT_EQ(back.context, 16);
  EXPECT_EQ(back.dim, 32);
  EXPECT_EQ(back.layers, 2);
  EXPECT_EQ(back.heads, 4);
  EXPECT_EQ(back.mlpHidden(), 128);
  EXPECT_DOUBLE_EQ(back.layer_norm_eps, 1e-6);
  EXPECT_EQ(back.eos_id, 49);
  EXPECT_EQ(back.bos_id, -1);
}

TEST(GptHfConfig, ReadsAHubStyleConfigAndRejectsOthers) {
  // The keys of the hub's gpt2 config.json (trimmed).
  Json hub = Json::parse(R"({"activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"],
      "bos_token_id": 50256, "eos_token_id": 50256, "layer_norm_epsilon": 1e-05, "model_type": "gpt2",
      "n_ctx": 1024, "n_embd": 768, "n_head": 12, "n_inner": null, "n_layer": 12, "n_positions": 1024,
      "resid_pdrop": 0.1, "vocab_size": 50257})");
  GptConfig c = fromHfConfig(hub, "hub/config.json");
  EXPECT_EQ(c.parameterCount(), 124'439'808);
  EXPECT_EQ(c.bos_id, 50256);
  EXPECT_DOUBLE_EQ(c.dropout, 0.1);

  Json llama = hub;
  llama["model_type"] = "llama";
  expectError(ErrorKind::InvalidInput, {"hub/config.json", "model_type", "llama"},
              [&] { fromHfConfig(llama, "hub/config.json"); });
  Json relu = hub;
  relu["activation_function"] = "relu";
  expectError(ErrorKind::InvalidInput, {"activation_function", "relu"}, [&] { fromHfConfig(relu, "c.json"); });
  Json no_layers = hub;
  no_layers.erase("n_layer");
  expectError(ErrorKind::InvalidInput, {"c.json", "n_layer"}, [&] { fromHfConfig(no_layers, "c.json"); });
  Json bad_heads = hub;
  bad_heads["n_head"] = 5;
  expectError(ErrorKind::InvalidInput, {"c.json", "`heads`", "`dim`"}, [&] { fromHfConfig(bad_heads, "c.json"); });
}

}  // namespace
}  // namespace temper
