// The Llama family on its own: rotary embeddings against hand-computed values, config.json
// parsing and its errors, module names and shapes, the KV cache (kv heads only) against full
// forwards, generation against a recompute loop, and gradients against finite differences.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "core/model/generation.h"
#include "core/model/llama.h"
#include "core/model/llama_config.h"
#include "core/model/rope.h"
#include "llama_test_support.h"
#include "model_test_support.h"

namespace temper {
namespace {

using test::expectError;
using test::randomLlama;
using test::smallLlamaConfig;

// ------------------------------------------------------------------------------------------------
// Rotary embeddings

TEST(Rope, InverseFrequenciesMatchHandValues) {
  // D = 8, theta = 100: 100^(-0/8), 100^(-2/8), 100^(-4/8), 100^(-6/8).
  const std::vector<double> plain{1.0, 0.31622776601683794, 0.1, 0.031622776601683794};
  auto inv = ropeInverseFrequencies(8, 100.0, RopeScaling{});
  ASSERT_EQ(inv.sizes(), (std::vector<int64_t>{4}));
  EXPECT_EQ(inv.scalar_type(), torch::kFloat32);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(inv[i].item<double>(), plain[i], 1e-7) << i;

  RopeScaling linear;
  linear.kind = RopeScaling::Kind::Linear;
  linear.factor = 2.5;
  auto scaled = ropeInverseFrequencies(8, 100.0, linear);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(scaled[i].item<double>(), plain[i] / 2.5, 1e-7) << i;

  // llama3, factor 4, low 1, high 4, original 64: wavelengths 2*pi/inv = 6.28, 19.87, 62.83, 198.7
  // against the bounds 64/4 = 16 and 64/1 = 64. The first is kept, the last divided by 4, the two
  // between are blended with s = (64 / wavelength - 1) / 3: (1 - s) inv / 4 + s inv = 8 inv^2 / pi,
  // i.e. 0.8/pi and 0.08/pi.
  RopeScaling llama3;
  llama3.kind = RopeScaling::Kind::Llama3;
  llama3.factor = 4.0;
  llama3.low_freq_factor = 1.0;
  llama3.high_freq_factor = 4.0;
  llama3.original_max_positions = 64;
  auto l3 = ropeInverseFrequencies(8, 100.0, llama3);
  EXPECT_NEAR(l3[0].item<double>(), 1.0, 1e-7);
  EXPECT_NEAR(l3[1].item<double>(), 0.8 / M_PI, 1e-7);
  EXPECT_NEAR(l3[2].item<double>(), 0.08 / M_PI, 1e-7);
  EXPECT_NEAR(l3[3].item<double>(), 0.031622776601683794 / 4, 1e-8);
}

TEST(Rope, RotatesChannelIWithChannelIPlusHalf) {
  // Rotate-half: at position p, channels (i, i + D/2) turn by p * inv_freq[i]. A unit vector on
  // channel 0 goes to (cos, 0, sin, 0); one on channel 3 (the partner of 1) to (0, -sin, 0, cos).
  RotaryTables tables(4, 100.0, RopeScaling{});  // inv_freq = 1, 0.1
  auto [cos, sin] = tables.get(3, 1, torch::kCPU, torch::kFloat32);
  ASSERT_EQ(cos.sizes(), (std::vector<int64_t>{1, 4}));
  auto e0 = applyRope(torch::tensor({1.0f, 0.0f, 0.0f, 0.0f}), cos[0], sin[0]);
  auto e3 = applyRope(torch::tensor({0.0f, 0.0f, 0.0f, 1.0f}), cos[0], sin[0]);
  EXPECT_TRUE(torch::allclose(e0, torch::tensor({std::cos(3.0f), 0.0f, std::sin(3.0f), 0.0f}), 1e-6, 1e-6)) << e0;
  EXPECT_TRUE(torch::allclose(e3, torch::tensor({0.0f, -std::sin(0.3f), 0.0f, std::cos(0.3f)}), 1e-6, 1e-6)) << e3;
}

TEST(Rope, TablesContinueAfterAnOffsetAndGrow) {
  RotaryTables tables(8, 10000.0, RopeScaling{});
  auto [cos_all, sin_all] = tables.get(0, 8, torch::kCPU, torch::kFloat32);
  auto [cos_part, sin_part] = tables.get(5, 3, torch::kCPU, torch::kFloat32);
  EXPECT_TRUE(torch::equal(cos_part, cos_all.narrow(0, 5, 3)));
  EXPECT_TRUE(torch::equal(sin_part, sin_all.narrow(0, 5, 3)));
  // Past the first table (64 positions): rebuilt longer, same values where they overlap.
  auto [cos_far, sin_far] = tables.get(0, 300, torch::kCPU, torch::kFloat64);
  EXPECT_EQ(cos_far.scalar_type(), torch::kFloat64);
  EXPECT_TRUE(torch::allclose(cos_far.narrow(0, 0, 8).to(torch::kFloat32), cos_all));
  const double angle = 299.0 * tables.inverseFrequencies()[1].item<double>();
  EXPECT_NEAR(sin_far[299][1].item<double>(), std::sin(angle), 1e-4);
  EXPECT_NEAR(sin_far[299][5].item<double>(), std::sin(angle), 1e-4);  // emb = cat(freqs, freqs)
}

// ------------------------------------------------------------------------------------------------
// config.json

nlohmann::json tinyLlamaJson() {
  // TinyLlama-1.1B-Chat-v1.0's config.json (sizes as published).
  return nlohmann::json::parse(R"({
    "architectures": ["LlamaForCausalLM"], "attention_bias": false, "bos_token_id": 1, "eos_token_id": 2,
    "hidden_act": "silu", "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 5632,
    "max_position_embeddings": 2048, "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 22,
    "num_key_value_heads": 4, "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": null,
    "rope_theta": 10000.0, "tie_word_embeddings": false, "torch_dtype": "bfloat16", "use_cache": true,
    "vocab_size": 32000})");
}

TEST(LlamaConfig, ReadsTinyLlamaQwen2AndMistralConfigs) {
  LlamaConfig c = fromHfLlamaConfig(tinyLlamaJson(), "config.json");
  EXPECT_EQ(c.hidden_size, 2048);
  EXPECT_EQ(c.intermediate_size, 5632);
  EXPECT_EQ(c.layers, 22);
  EXPECT_EQ(c.heads, 32);
  EXPECT_EQ(c.kv_heads, 4);
  EXPECT_EQ(c.head_dim, 64);
  EXPECT_EQ(c.context(), 2048);
  EXPECT_DOUBLE_EQ(c.rms_norm_eps, 1e-5);
  EXPECT_EQ(c.rope_scaling.kind, RopeScaling::Kind::None);
  EXPECT_FALSE(c.tie_word_embeddings);
  EXPECT_FALSE(c.qkv_bias);
  EXPECT_EQ(c.bos_id, 1);
  EXPECT_EQ(c.eos_id, 2);
  // TinyLlama 1.1B: 1,100,048,384 parameters.
  EXPECT_EQ(c.parameterCount(), 1100048384);

  auto qwen = tinyLlamaJson();
  qwen["model_type"] = "qwen2";
  qwen["architectures"] = {"Qwen2ForCausalLM"};
  qwen.erase("attention_bias");
  qwen["use_sliding_window"] = false;
  qwen["sliding_window"] = 1024;
  qwen["tie_word_embeddings"] = true;
  qwen["eos_token_id"] = {151645, 151643};
  LlamaConfig q = fromHfLlamaConfig(qwen, "config.json");
  EXPECT_TRUE(q.qkv_bias);
  EXPECT_FALSE(q.o_bias);
  EXPECT_TRUE(q.tie_word_embeddings);
  EXPECT_EQ(q.context(), 2048) << "Qwen2's window is off unless use_sliding_window is true";
  EXPECT_EQ(q.eos_id, 151645);
  EXPECT_EQ(q.architecture, "Qwen2ForCausalLM");

  auto mistral = tinyLlamaJson();
  mistral["model_type"] = "mistral";
  mistral["sliding_window"] = 1024;
  mistral.erase("num_key_value_heads");
  mistral["head_dim"] = nullptr;
  LlamaConfig m = fromHfLlamaConfig(mistral, "config.json");
  EXPECT_EQ(m.context(), 1024) << "Mistral's sliding window bounds the context";
  EXPECT_EQ(m.kv_heads, 32) << "num_key_value_heads absent means one kv head per head";
  EXPECT_EQ(m.head_dim, 64);

  auto llama3 = tinyLlamaJson();
  llama3["head_dim"] = 48;
  llama3["attention_bias"] = true;
  llama3["rope_scaling"] = {{"type", "llama3"},
                            {"factor", 8},
                            {"low_freq_factor", 1},
                            {"high_freq_factor", 4},
                            {"original_max_position_embeddings", 8192}};
  LlamaConfig l3 = fromHfLlamaConfig(llama3, "config.json");
  EXPECT_EQ(l3.head_dim, 48);
  EXPECT_TRUE(l3.qkv_bias);
  EXPECT_TRUE(l3.o_bias);
  EXPECT_EQ(l3.rope_scaling.kind, RopeScaling::Kind::Llama3);
  EXPECT_DOUBLE_EQ(l3.rope_scaling.factor, 8.0);
  EXPECT_EQ(l3.rope_scaling.original_max_positions, 8192);
}

TEST(LlamaConfig, ErrorsNameTheFileAndTheKey) {
  auto expectBad = [](const std::function<void(nlohmann::json&)>& change, std::initializer_list<std::string> words) {
    auto json = tinyLlamaJson();
    change(json);
    expectError(ErrorKind::InvalidInput, words, [&] { fromHfLlamaConfig(json, "/m/config.json"); });
  };
  expectBad([](auto& j) { j.erase("hidden_size"); }, {"/m/config.json", "`hidden_size`", "missing"});
  expectBad([](auto& j) { j["num_hidden_layers"] = "22"; }, {"/m/config.json", "`num_hidden_layers`", "integer"});
  expectBad([](auto& j) { j["hidden_act"] = "gelu"; }, {"/m/config.json", "`hidden_act`", "gelu", "silu"});
  expectBad(
      [](auto& j) {
        j["rope_scaling"] = {{"rope_type", "dynamic"}, {"factor", 2.0}};
      },
      {"/m/config.json", "`rope_scaling`", "dynamic", "linear, llama3"});
  expectBad([](auto& j) { j["rope_scaling"] = {{"type", "yarn"}, {"factor", 4.0}}; }, {"`rope_scaling`", "yarn"});
  expectBad([](auto& j) { j["rope_scaling"] = {{"rope_type", "longrope"}}; }, {"`rope_scaling`", "longrope"});
  expectBad([](auto& j) { j["rope_scaling"] = {{"rope_type", "linear"}}; }, {"`rope_scaling`", "`factor`"});
  expectBad(
      [](auto& j) {
        j["rope_scaling"] = {
            {"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0}, {"high_freq_factor", 4.0}};
      },
      {"`rope_scaling`", "original_max_position_embeddings"});
  expectBad([](auto& j) { j["num_key_value_heads"] = 3; }, {"/m/config.json", "`num_key_value_heads`", "divide"});
  expectBad([](auto& j) { j["num_attention_heads"] = 30; }, {"`num_attention_heads`", "`hidden_size`"});
  expectBad([](auto& j) { j["head_dim"] = 7; }, {"`head_dim`", "even"});
  expectBad([](auto& j) { j["partial_rotary_factor"] = 0.5; }, {"`partial_rotary_factor`"});
  expectBad([](auto& j) { j["model_type"] = "gemma"; }, {"`model_type`", "gemma"});
  expectBad([](auto& j) { j["vocab_size"] = 0; }, {"/m/config.json", "`vocab_size`", "allowed"});
  expectBad([](auto& j) { j["rms_norm_eps"] = 0; }, {"`rms_norm_eps`"});
  expectBad([](auto& j) { j["tie_word_embeddings"] = "yes"; }, {"`tie_word_embeddings`", "true or false"});
}

TEST(LlamaConfig, HfFormRoundTrips) {
  LlamaConfig c = smallLlamaConfig();
  c.head_dim = 12;
  c.rope_theta = 500000.0;
  c.rope_scaling.kind = RopeScaling::Kind::Llama3;
  c.rope_scaling.factor = 8.0;
  c.rope_scaling.original_max_positions = 16;
  c.tie_word_embeddings = true;
  c.qkv_bias = c.o_bias = c.mlp_bias = true;
  c.eos_id = 3;
  Json json = toHfLlamaConfig(c);
  EXPECT_EQ(json["architectures"][0], "LlamaForCausalLM");
  EXPECT_EQ(json["rope_scaling"]["rope_type"], "llama3");
  LlamaConfig back = fromHfLlamaConfig(json, "config.json");
  EXPECT_EQ(back.head_dim, 12);
  EXPECT_EQ(back.kv_heads, 2);
  EXPECT_DOUBLE_EQ(back.rope_theta, 500000.0);
  EXPECT_EQ(back.rope_scaling.kind, RopeScaling::Kind::Llama3);
  EXPECT_DOUBLE_EQ(back.rope_scaling.high_freq_factor, 4.0);
  EXPECT_TRUE(back.tie_word_embeddings && back.qkv_bias && back.o_bias && back.mlp_bias);
  EXPECT_EQ(back.eos_id, 3);
  EXPECT_EQ(back.parameterCount(), c.parameterCount());
}

// ------------------------------------------------------------------------------------------------
// The module

TEST(LlamaModel, ParameterNamesShapesCountAndInit) {
  LlamaConfig c = smallLlamaConfig();
  torch::manual_seed(3);
  Llama model(c);
  std::map<std::string, std::vector<int64_t>> actual;
  for (const auto& item : model->named_parameters()) actual[item.key()] = item.value().sizes().vec();
  std::map<std::string, std::vector<int64_t>> expected{
      {"model.embed_tokens.weight", {40, 32}}, {"model.norm.weight", {32}}, {"lm_head.weight", {40, 32}}};
  for (int layer = 0; layer < 2; ++layer) {
    const std::string p = "model.layers." + std::to_string(layer) + ".";
    expected[p + "input_layernorm.weight"] = {32};
    expected[p + "post_attention_layernorm.weight"] = {32};
    expected[p + "self_attn.q_proj.weight"] = {32, 32};
    expected[p + "self_attn.k_proj.weight"] = {16, 32};  // 2 kv heads of 8
    expected[p + "self_attn.v_proj.weight"] = {16, 32};
    expected[p + "self_attn.o_proj.weight"] = {32, 32};
    expected[p + "mlp.gate_proj.weight"] = {48, 32};
    expected[p + "mlp.up_proj.weight"] = {48, 32};
    expected[p + "mlp.down_proj.weight"] = {32, 48};
  }
  EXPECT_EQ(actual, expected);
  // 40*32*2 + 32 + 2 * (2*32 + 32*32 + 2*16*32 + 32*32 + 3*32*48)
  EXPECT_EQ(model->parameterCount(), 2560 + 32 + 2 * (64 + 1024 + 1024 + 1024 + 4608));
  EXPECT_EQ(model->parameterCount(), c.parameterCount());
  EXPECT_NEAR(model->model->layers->ptr(0)->as<LlamaDecoderLayerImpl>()->mlp->up_proj->weight.std().item<double>(),
              0.02, 0.002);
  EXPECT_TRUE(torch::equal(model->model->norm->weight, torch::ones({32})));
  EXPECT_EQ(model->family(), "llama");
  EXPECT_EQ(model->contextLength(), 32);

  c.tie_word_embeddings = true;
  c.qkv_bias = true;  // Qwen2's layout
  c.model_type = "qwen2";
  Llama tied(c);
  auto names = tied->named_parameters();
  EXPECT_EQ(names.find("lm_head.weight"), nullptr);
  ASSERT_NE(names.find("model.layers.1.self_attn.k_proj.bias"), nullptr);
  EXPECT_EQ(names.find("model.layers.1.self_attn.o_proj.bias"), nullptr);
  EXPECT_TRUE(torch::equal(*names.find("model.layers.1.self_attn.k_proj.bias"), torch::zeros({16})));
  EXPECT_EQ(tied->headWeight().data_ptr(), tied->model->embed_tokens->weight.data_ptr());
  EXPECT_EQ(tied->parameterCount(), c.parameterCount());
  EXPECT_EQ(tied->parameterCount(), 1280 + 32 + 2 * (64 + 1024 + 1024 + 1024 + 4608 + 64));
}

TEST(LlamaModel, RmsNormIsComputedInFloat32AndScaledByItsWeight) {
  RmsNorm norm(4, 1e-6);
  torch::NoGradGuard no_grad;
  norm->weight.copy_(torch::tensor({1.0f, 2.0f, 0.5f, -1.0f}));
  // x = (1, 2, 3, 4): mean of squares 7.5.
  auto y = norm(torch::tensor({{1.0f, 2.0f, 3.0f, 4.0f}}));
  const double r = 1.0 / std::sqrt(7.5 + 1e-6);
  EXPECT_TRUE(torch::allclose(y, torch::tensor({{float(r), float(4 * r), float(1.5 * r), float(-4 * r)}}), 1e-6, 1e-6));
  // bf16 input: normalised in fp32, cast back to bf16, then times the fp32 weight.
  auto half = norm(torch::tensor({{1.0f, 2.0f, 3.0f, 4.0f}}).to(torch::kBFloat16));
  EXPECT_TRUE(torch::allclose(half.to(torch::kFloat32), y, 1e-2, 1e-2));
}

// Semantics in float64; float32 as trained, with the kernels the CPU picks (model_test_support.h).
TEST(LlamaModel, KvCacheHoldsKvHeadsAndTokenByTokenEqualsFullForward) {
  auto model = randomLlama(smallLlamaConfig(), 11);
  torch::NoGradGuard no_grad;
  auto ids = test::randomIds(2, 32, 40, 12);
  for (auto dtype : {torch::kDouble, torch::kFloat}) {
    model->to(dtype);
    auto full = model->forward(ids);
    KvCache cache = model->makeCache(2);
    EXPECT_EQ(cache.capacity(), 32);
    for (int64_t t = 0; t < 32; ++t) {
      auto step = model->forward(ids.narrow(1, t, 1), &cache);
      ASSERT_EQ(step.sizes(), (std::vector<int64_t>{2, 1, 40}));
      EXPECT_TRUE(test::sameComputation(step.squeeze(1), full.select(1, t))) << "position " << t << " " << dtype;
    }
    EXPECT_ANY_THROW(model->forward(ids.narrow(1, 0, 1), &cache));
  }
  KvCache cache = model->makeCache(2);
  // The cached keys are the 2 kv heads, not the 4 query heads.
  cache.reset();
  model->forward(ids.narrow(1, 0, 3), &cache);
  auto [keys, values] = cache.append(0, torch::zeros({2, 2, 1, 8}), torch::zeros({2, 2, 1, 8}));
  EXPECT_EQ(keys.sizes(), (std::vector<int64_t>{2, 2, 4, 8}));
}

TEST(LlamaModel, ChunkedCacheEqualsFullForwardWithScaledRopeAndBiases) {
  LlamaConfig c = smallLlamaConfig();
  c.rope_scaling.kind = RopeScaling::Kind::Llama3;
  c.rope_scaling.factor = 4.0;
  c.rope_scaling.original_max_positions = 16;
  c.qkv_bias = c.o_bias = true;
  c.kv_heads = 1;
  auto model = randomLlama(c, 13);
  torch::NoGradGuard no_grad;
  auto ids = test::randomIds(3, 32, 40, 14);
  for (auto dtype : {torch::kDouble, torch::kFloat}) {
    model->to(dtype);
    auto full = model->forward(ids);
    KvCache cache = model->makeCache(3);
    int64_t start = 0;
    for (int64_t chunk : {5, 1, 9, 17}) {
      auto part = model->forward(ids.narrow(1, start, chunk), &cache);
      EXPECT_TRUE(test::sameComputation(part, full.narrow(1, start, chunk))) << "chunk at " << start << " " << dtype;
      start += chunk;
    }
    EXPECT_EQ(cache.length(), 32);
  }
}

std::vector<int64_t> recomputeGreedy(LlamaImpl& model, std::vector<int64_t> sequence, int64_t steps) {
  torch::NoGradGuard no_grad;
  std::vector<int64_t> out;
  for (int64_t i = 0; i < steps; ++i) {
    auto logits = model.forward(torch::tensor(sequence, torch::kLong).view({1, -1}));
    int64_t next = logits[0][-1].argmax().item<int64_t>();
    out.push_back(next);
    sequence.push_back(next);
  }
  return out;
}

TEST(LlamaModel, GreedyGenerationWithCacheEqualsRecomputation) {
  LlamaConfig c = smallLlamaConfig();
  c.max_positions = 40;
  auto model = randomLlama(c, 15);
  const std::vector<int64_t> prompt{3, 17, 9, 25};
  SamplingOptions options;
  options.max_new_tokens = 30;
  options.temperature = 0.0;
  auto cached = generate(*model, prompt, options);
  options.use_cache = false;
  EXPECT_EQ(generate(*model, prompt, options), cached);
  EXPECT_EQ(cached, recomputeGreedy(*model, prompt, 30));
  EXPECT_GE(std::set<int64_t>(cached.begin(), cached.end()).size(), 3u) << ::testing::PrintToString(cached);
}

TEST(LlamaModel, GradientsMatchFiniteDifferences) {
  LlamaConfig c = smallLlamaConfig();
  c.max_positions = 8;
  c.qkv_bias = c.o_bias = true;
  c.rope_scaling.kind = RopeScaling::Kind::Linear;
  c.rope_scaling.factor = 2.0;
  auto model = randomLlama(c, 17);
  model->to(torch::kFloat64);
  model->train();
  auto ids = test::randomIds(2, 8, 40, 18);
  torch::manual_seed(19);
  auto probe = torch::randn({2, 8, 40}, torch::kFloat64);
  auto objective = [&] { return (model->forward(ids) * probe).sum(); };
  model->zero_grad();
  objective().backward();
  torch::NoGradGuard no_grad;
  int checked = 0;
  for (const char* name :
       {"model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.k_proj.bias",
        "model.layers.1.self_attn.v_proj.weight", "model.layers.1.input_layernorm.weight",
        "model.layers.0.mlp.gate_proj.weight", "model.norm.weight", "lm_head.weight"}) {
    torch::Tensor p = *model->named_parameters().find(name);
    auto flat = p.view({-1});
    for (int64_t index : {int64_t{0}, flat.numel() / 2, flat.numel() - 1}) {
      const double saved = flat[index].item<double>();
      const double eps = 1e-6;
      flat[index] = saved + eps;
      const double up = objective().item<double>();
      flat[index] = saved - eps;
      const double down = objective().item<double>();
      flat[index] = saved;
      const double numeric = (up - down) / (2 * eps);
      const double analytic = p.grad().view({-1})[index].item<double>();
      EXPECT_NEAR(analytic, numeric, 1e-5 * std::max(1.0, std::abs(numeric))) << name << "[" << index << "]";
      ++checked;
    }
  }
  EXPECT_EQ(checked, 24);
}

}  // namespace
}  // namespace temper
