// The Llama family in the Hugging Face layout: bit-exact round trips, the names and shapes of the
// saved file, config.json keeping its original keys, F16/BF16 files, sharded folders (Llama and
// GPT-2) against single files, and every loading error naming the tensor, key or file.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include <cstdint>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "core/common/json_io.h"
#include "core/model/gpt.h"
#include "core/model/hf_gpt2.h"
#include "core/model/hf_llama.h"
#include "core/model/hf_model.h"
#include "core/model/llama.h"
#include "core/tensor_io/torch_safetensors.h"
#include "llama_test_support.h"
#include "model_test_support.h"

namespace temper {
namespace {

using test::expectError;
using test::randomLlama;
using test::smallLlamaConfig;
using Tensors = std::vector<std::pair<std::string, torch::Tensor>>;

nlohmann::json rawHeader(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char size_bytes[8] = {};
  in.read(reinterpret_cast<char*>(size_bytes), 8);
  uint64_t size = 0;
  for (int i = 7; i >= 0; --i) size = (size << 8) | size_bytes[i];
  std::string text(size, '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  return nlohmann::json::parse(text);
}

nlohmann::json readJson(const std::filesystem::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

std::string fileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void writeJson(const std::filesystem::path& path, const nlohmann::json& json) { std::ofstream(path) << json.dump(2); }

Tensors savedTensors(const std::filesystem::path& file) {
  Tensors tensors;
  for (auto& [name, tensor] : loadAllTensors(file)) tensors.emplace_back(name, tensor.clone());
  return tensors;
}

/// A folder with `like`'s config.json and `tensors` as model.safetensors.
void writeVariant(const std::filesystem::path& like, const std::filesystem::path& dir, const Tensors& tensors) {
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(like / "config.json", dir / "config.json");
  saveTensors(dir / "model.safetensors", tensors, {{"format", "pt"}});
}

/// `tensors` spread round-robin over `shards` files named as transformers names them, plus the index.
void writeSharded(const std::filesystem::path& like, const std::filesystem::path& dir, const Tensors& tensors,
                  int shards) {
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(like / "config.json", dir / "config.json");
  std::vector<Tensors> parts(shards);
  nlohmann::json index = {{"metadata", {{"total_size", 0}}}, {"weight_map", nlohmann::json::object()}};
  int64_t total = 0;
  for (size_t i = 0; i < tensors.size(); ++i) parts[i % shards].push_back(tensors[i]);
  for (int s = 0; s < shards; ++s) {
    char name[64];
    std::snprintf(name, sizeof name, "model-%05d-of-%05d.safetensors", s + 1, shards);
    saveTensors(dir / name, parts[s], {{"format", "pt"}});
    for (const auto& [tensor, value] : parts[s]) {
      index["weight_map"][tensor] = name;
      total += value.numel() * value.element_size();
    }
  }
  index["metadata"]["total_size"] = total;
  writeJson(dir / "model.safetensors.index.json", index);
}

bool sameParameters(CausalLmImpl& a, CausalLmImpl& b) {
  auto pa = a.named_parameters(), pb = b.named_parameters();
  if (pa.size() != pb.size()) return false;
  for (const auto& item : pa) {
    const torch::Tensor* other = pb.find(item.key());
    if (other == nullptr || !torch::equal(item.value(), *other)) return false;
  }
  return true;
}

std::string shardName(int index, int shards) {
  char name[64];
  std::snprintf(name, sizeof name, "model-%05d-of-%05d.safetensors", index, shards);
  return name;
}

TEST(HfLlama, SaveThenLoadIsBitExactUntiedAndTied) {
  for (bool tied : {false, true}) {
    LlamaConfig c = smallLlamaConfig();
    c.tie_word_embeddings = tied;
    c.rope_scaling.kind = RopeScaling::Kind::Linear;
    c.rope_scaling.factor = 2.0;
    auto model = randomLlama(c, 201);
    test::TempDir dir;
    saveLlamaHf(*model, Json(), dir.path());
    CausalLm loaded = loadLlamaHf(dir.path());
    auto* llama = dynamic_cast<LlamaImpl*>(loaded.get());
    ASSERT_NE(llama, nullptr);
    EXPECT_EQ(llama->config().tie_word_embeddings, tied);
    EXPECT_EQ(llama->config().rope_scaling.kind, RopeScaling::Kind::Linear);
    EXPECT_FALSE(loaded->is_training());
    EXPECT_TRUE(sameParameters(*model, *loaded));
    torch::NoGradGuard no_grad;
    auto ids = test::randomIds(2, 32, 40, 202);
    EXPECT_TRUE(torch::equal(loaded->forward(ids), model->forward(ids))) << "tied " << tied;
    // Saving what was loaded writes the same bytes.
    test::TempDir again;
    saveLlamaHf(*loaded, readJson(dir / "config.json"), again.path());
    EXPECT_EQ(fileBytes(dir / "model.safetensors"), fileBytes(again / "model.safetensors"));
  }
}

TEST(HfLlama, SavedFileHasTransformersNamesAndTiedModelsNoLmHead) {
  LlamaConfig c = smallLlamaConfig();
  c.model_type = "qwen2";
  c.architecture = "Qwen2ForCausalLM";
  c.qkv_bias = true;
  c.tie_word_embeddings = true;
  auto model = randomLlama(c, 203);
  test::TempDir dir;
  saveLlamaHf(*model, Json(), dir.path());
  auto header = rawHeader(dir / "model.safetensors");
  EXPECT_FALSE(header.contains("lm_head.weight"));
  EXPECT_EQ(header["model.embed_tokens.weight"]["shape"], nlohmann::json({40, 32}));
  EXPECT_EQ(header["model.layers.1.self_attn.k_proj.weight"]["shape"], nlohmann::json({16, 32}));
  EXPECT_EQ(header["model.layers.1.self_attn.k_proj.bias"]["shape"], nlohmann::json({16}));
  EXPECT_EQ(header["model.layers.0.mlp.down_proj.weight"]["shape"], nlohmann::json({32, 48}));
  EXPECT_EQ(header["model.layers.0.self_attn.q_proj.weight"]["dtype"], "F32");
  EXPECT_FALSE(header.contains("model.layers.0.self_attn.o_proj.bias"));
  EXPECT_EQ(header.size(), 1u + 1 + 1 + 2 * 12);  // metadata, embed, norm, 12 per layer
  auto config = readJson(dir / "config.json");
  EXPECT_EQ(config["architectures"][0], "Qwen2ForCausalLM");
  EXPECT_EQ(config["model_type"], "qwen2");
  EXPECT_EQ(config["num_key_value_heads"], 2);
  EXPECT_EQ(config["head_dim"], 8);
  EXPECT_EQ(config["tie_word_embeddings"], true);
  EXPECT_EQ(config["hidden_act"], "silu");
  HfModelInfo info = inspectHfModel(dir.path());
  EXPECT_EQ(info.family, "llama");
  EXPECT_EQ(info.parameters, model->parameterCount());
}

TEST(HfLlama, SavedConfigKeepsTheOriginalKeysAndUpdatesShapes) {
  auto model = randomLlama(smallLlamaConfig(), 204);
  Json original = toHfLlamaConfig(smallLlamaConfig());
  original["hidden_size"] = 4096;  // stale shape: must be replaced by the model's
  original["eos_token_id"] = {2, 7};
  original["rope_scaling"] = nullptr;
  original["custom_key"] = {{"kept", true}};
  original["transformers_version"] = "4.44.0";
  test::TempDir dir;
  saveLlamaHf(*model, original, dir.path());
  auto config = readJson(dir / "config.json");
  EXPECT_EQ(config["hidden_size"], 32);
  EXPECT_EQ(config["eos_token_id"], nlohmann::json({2, 7}));
  EXPECT_EQ(config["custom_key"]["kept"], true);
  EXPECT_EQ(config["transformers_version"], "4.44.0");
  EXPECT_EQ(config["torch_dtype"], "float32");
  CausalLm loaded = loadHfModel(dir.path());
  EXPECT_TRUE(sameParameters(*model, *loaded));
}

TEST(HfLlama, LoadsF16AndBf16Weights) {
  auto model = randomLlama(smallLlamaConfig(), 205);
  test::TempDir dir;
  saveLlamaHf(*model, Json(), dir / "f32");
  for (auto dtype : {torch::kFloat16, torch::kBFloat16}) {
    Tensors tensors;
    for (auto& [name, tensor] : savedTensors(dir / "f32" / "model.safetensors")) {
      tensors.emplace_back(name, tensor.to(dtype));
    }
    const std::string sub = dtype == torch::kFloat16 ? "f16" : "bf16";
    writeVariant(dir / "f32", dir / sub, tensors);
    EXPECT_EQ(rawHeader(dir / sub / "model.safetensors")["model.norm.weight"]["dtype"],
              dtype == torch::kFloat16 ? "F16" : "BF16");
    HfModelInfo info;
    CausalLm loaded = loadHfModel(dir / sub, &info);
    EXPECT_EQ(info.dtype, dtype == torch::kFloat16 ? "F16" : "BF16");
    auto params = loaded->named_parameters();
    for (const auto& [name, tensor] : tensors) {
      const torch::Tensor* p = params.find(name);
      ASSERT_NE(p, nullptr) << name;
      EXPECT_EQ(p->scalar_type(), torch::kFloat32);
      EXPECT_TRUE(torch::equal(*p, tensor.to(torch::kFloat32))) << name;  // exact: every f16/bf16 is an fp32
    }
  }
}

TEST(HfLlama, ShardedFoldersLoadLikeTheSingleFileForLlamaAndGpt2) {
  test::TempDir dir;
  auto llama = randomLlama(smallLlamaConfig(), 206);
  saveLlamaHf(*llama, Json(), dir / "llama");
  writeSharded(dir / "llama", dir / "llama-sharded", savedTensors(dir / "llama" / "model.safetensors"), 3);
  ASSERT_TRUE(std::filesystem::exists(dir / "llama-sharded" / shardName(3, 3)));
  HfModelInfo info;
  CausalLm sharded = loadHfModel(dir / "llama-sharded", &info);
  EXPECT_EQ(info.weight_files.size(), 3u);
  EXPECT_TRUE(sameParameters(*llama, *sharded));

  GptConfig gc = test::smallConfig();
  auto gpt = test::randomModel(gc, 207);
  saveGptHf(gpt, dir / "gpt2");
  writeSharded(dir / "gpt2", dir / "gpt2-sharded", savedTensors(dir / "gpt2" / "model.safetensors"), 2);
  CausalLm gpt_sharded = loadHfModel(dir / "gpt2-sharded");
  EXPECT_EQ(gpt_sharded->family(), "gpt2");
  EXPECT_TRUE(sameParameters(*gpt, *gpt_sharded));
  torch::NoGradGuard no_grad;
  auto ids = test::randomIds(2, 16, 50, 208);
  EXPECT_TRUE(torch::equal(gpt->forward(ids), gpt_sharded->forward(ids)));
}

TEST(HfLlama, IgnoresRotaryBuffersAndATiedLmHeadCopy) {
  LlamaConfig c = smallLlamaConfig();
  c.tie_word_embeddings = true;
  auto model = randomLlama(c, 209);
  test::TempDir dir;
  saveLlamaHf(*model, Json(), dir / "plain");
  Tensors tensors = savedTensors(dir / "plain" / "model.safetensors");
  tensors.emplace_back("lm_head.weight", model->model->embed_tokens->weight.detach().clone());
  tensors.emplace_back("model.layers.0.self_attn.rotary_emb.inv_freq", torch::ones({4}));
  writeVariant(dir / "plain", dir / "extra", tensors);
  CausalLm loaded = loadLlamaHf(dir / "extra");
  EXPECT_TRUE(sameParameters(*model, *loaded));
}

class HfLlamaErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = randomLlama(smallLlamaConfig(), 210);
    saveLlamaHf(*model_, Json(), good());
    tensors_ = savedTensors(good() / "model.safetensors");
  }
  std::filesystem::path good() const { return dir_ / "good"; }
  Tensors without(const std::string& name) const {
    Tensors out;
    for (const auto& item : tensors_) {
      if (item.first != name) out.push_back(item);
    }
    return out;
  }

  test::TempDir dir_;
  Llama model_{nullptr};
  Tensors tensors_;
};

TEST_F(HfLlamaErrors, MissingUnexpectedAndMisshapenTensors) {
  writeVariant(good(), dir_ / "missing", without("model.layers.1.mlp.up_proj.weight"));
  expectError(ErrorKind::InvalidInput,
              {"model.safetensors", "`model.layers.1.mlp.up_proj.weight`", "[48, 32]", "missing"},
              [&] { loadLlamaHf(dir_ / "missing"); });

  writeVariant(good(), dir_ / "no-head", without("lm_head.weight"));
  expectError(ErrorKind::InvalidInput, {"`lm_head.weight`", "missing"}, [&] { loadHfModel(dir_ / "no-head"); });

  Tensors extra = tensors_;
  extra.emplace_back("model.layers.2.mlp.up_proj.weight", torch::zeros({48, 32}));
  writeVariant(good(), dir_ / "extra", extra);
  expectError(ErrorKind::InvalidInput, {"model.safetensors", "unexpected", "`model.layers.2.mlp.up_proj.weight`"},
              [&] { loadLlamaHf(dir_ / "extra"); });

  Tensors misshapen = without("model.layers.0.self_attn.k_proj.weight");
  misshapen.emplace_back("model.layers.0.self_attn.k_proj.weight", torch::zeros({32, 32}));  // 4 kv heads, not 2
  writeVariant(good(), dir_ / "shape", misshapen);
  expectError(ErrorKind::InvalidInput,
              {"model.safetensors", "`model.layers.0.self_attn.k_proj.weight`", "[32, 32]", "expected [16, 32]"},
              [&] { loadLlamaHf(dir_ / "shape"); });

  Tensors integer = without("model.norm.weight");
  integer.emplace_back("model.norm.weight", torch::ones({32}, torch::kInt32));
  writeVariant(good(), dir_ / "int", integer);
  expectError(ErrorKind::InvalidInput, {"`model.norm.weight`", "I32", "F32, F16 or BF16"},
              [&] { loadLlamaHf(dir_ / "int"); });
}

TEST_F(HfLlamaErrors, ConfigProblemsNameConfigJsonAndTheKey) {
  auto withConfig = [&](const std::string& sub, const std::function<void(nlohmann::json&)>& change) {
    auto path = dir_ / sub;
    std::filesystem::create_directories(path);
    std::filesystem::copy_file(good() / "model.safetensors", path / "model.safetensors");
    auto config = readJson(good() / "config.json");
    change(config);
    writeJson(path / "config.json", config);
    return path;
  };
  auto unknown = withConfig("unknown", [](auto& j) {
    j["architectures"] = {"FalconForCausalLM"};
    j["model_type"] = "falcon";
  });
  expectError(ErrorKind::InvalidInput, {"config.json", "FalconForCausalLM", "LlamaForCausalLM", "Qwen2ForCausalLM"},
              [&] { loadHfModel(unknown); });
  auto yarn = withConfig("yarn", [](auto& j) { j["rope_scaling"] = {{"rope_type", "yarn"}, {"factor", 4.0}}; });
  expectError(ErrorKind::InvalidInput, {"config.json", "`rope_scaling`", "yarn"}, [&] { loadHfModel(yarn); });
  auto gelu = withConfig("gelu", [](auto& j) { j["hidden_act"] = "gelu_pytorch_tanh"; });
  expectError(ErrorKind::InvalidInput, {"config.json", "`hidden_act`", "gelu_pytorch_tanh"},
              [&] { loadHfModel(gelu); });
  auto bigger = withConfig("bigger", [](auto& j) { j["intermediate_size"] = 64; });
  // The first tensor in name order that no longer fits is down_proj (hidden x intermediate).
  expectError(ErrorKind::InvalidInput,
              {"model.safetensors", "`model.layers.0.mlp.down_proj.weight`", "[32, 48]", "expected [32, 64]"},
              [&] { loadHfModel(bigger); });
}

TEST_F(HfLlamaErrors, BrokenShardsIndexesAndPickles) {
  writeSharded(good(), dir_ / "truncated", tensors_, 2);
  const auto shard = dir_ / "truncated" / shardName(2, 2);
  std::filesystem::resize_file(shard, std::filesystem::file_size(shard) - 100);
  expectError(ErrorKind::InvalidInput, {shardName(2, 2)}, [&] { loadHfModel(dir_ / "truncated"); });

  writeSharded(good(), dir_ / "lost-shard", tensors_, 3);
  std::filesystem::remove(dir_ / "lost-shard" / shardName(2, 3));
  expectError(ErrorKind::Io, {"model.safetensors.index.json", shardName(2, 3), "missing"},
              [&] { loadHfModel(dir_ / "lost-shard"); });

  writeSharded(good(), dir_ / "lost-tensor", tensors_, 2);
  auto index = readJson(dir_ / "lost-tensor" / "model.safetensors.index.json");
  index["weight_map"]["model.layers.9.mlp.up_proj.weight"] = shardName(1, 2);
  writeJson(dir_ / "lost-tensor" / "model.safetensors.index.json", index);
  expectError(ErrorKind::InvalidInput,
              {"model.safetensors.index.json", "`model.layers.9.mlp.up_proj.weight`", shardName(1, 2)},
              [&] { loadHfModel(dir_ / "lost-tensor"); });

  // Index and shards consistent, but one model tensor in neither.
  writeSharded(good(), dir_ / "short", without("model.layers.0.input_layernorm.weight"), 2);
  expectError(ErrorKind::InvalidInput,
              {"model.safetensors.index.json", "`model.layers.0.input_layernorm.weight`", "missing"},
              [&] { loadHfModel(dir_ / "short"); });

  const auto pickle = dir_ / "pickle";
  std::filesystem::create_directories(pickle);
  std::filesystem::copy_file(good() / "config.json", pickle / "config.json");
  std::ofstream(pickle / "pytorch_model.bin") << "not loaded";
  expectError(ErrorKind::InvalidInput, {"pytorch_model.bin", "pickle"}, [&] { loadHfModel(pickle); });
  expectError(ErrorKind::InvalidInput, {"pytorch_model.bin", "pickle"}, [&] { loadLlamaHf(pickle); });
}

}  // namespace
}  // namespace temper
