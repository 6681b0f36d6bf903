// The Hugging Face GPT-2 layout: round trips, tensor names and shapes read from the raw file,
// Conv1D semantics, files as transformers writes them, and errors naming the tensor.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include <cstdint>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/model/gpt.h"
#include "core/model/hf_gpt2.h"
#include "core/tensor_io/torch_safetensors.h"
#include "model_test_support.h"

namespace temper {
namespace {

using test::expectError;
using test::smallConfig;
using Tensors = std::vector<std::pair<std::string, torch::Tensor>>;

/// The JSON header of a safetensors file, read with nothing but the format's definition.
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

/// The saved tensors as (name, clone) pairs, in file order, for building variants of the file.
Tensors savedTensors(const std::filesystem::path& dir) {
  Tensors tensors;
  for (auto& [name, tensor] : loadAllTensors(dir / "model.safetensors")) tensors.emplace_back(name, tensor.clone());
  return tensors;
}

/// A model folder with `tensors` as its weights and the config of `like`.
void writeVariant(const std::filesystem::path& like, const std::filesystem::path& dir, const Tensors& tensors) {
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(like / "config.json", dir / "config.json");
  saveTensors(dir / "model.safetensors", tensors, {{"format", "pt"}});
}

TEST(HfGpt2, SaveThenLoadGivesIdenticalLogitsAndConfig) {
  GptConfig config = smallConfig();
  config.mlp_hidden = 48;
  config.layer_norm_eps = 1e-4;
  config.eos_id = 0;
  auto model = test::randomModel(config, 31);
  test::TempDir dir;
  saveGptHf(model, dir.path());
  Gpt loaded = loadGptHf(dir.path());
  loaded->eval();
  const GptConfig& back = loaded->config();
  EXPECT_EQ(back.mlpHidden(), 48);
  EXPECT_DOUBLE_EQ(back.layer_norm_eps, 1e-4);
  EXPECT_EQ(back.eos_id, 0);
  torch::NoGradGuard no_grad;
  auto ids = test::randomIds(2, 16, 50, 32);
  EXPECT_TRUE(torch::equal(loaded->forward(ids), model->forward(ids)));
  EXPECT_EQ(readGptHfConfig(dir.path()).dim, 32);
}

TEST(HfGpt2, SavedFileHasGpt2NamesShapesAndConfigKeys) {
  auto model = test::randomModel(smallConfig(), 33);
  test::TempDir dir;
  saveGptHf(model, dir.path());

  const int64_t c = 32, v = 50, ctx = 16;
  std::map<std::string, std::vector<int64_t>> expected{
      {"wte.weight", {v, c}}, {"wpe.weight", {ctx, c}}, {"ln_f.weight", {c}}, {"ln_f.bias", {c}}};
  for (int layer = 0; layer < 2; ++layer) {
    const std::string p = "h." + std::to_string(layer) + ".";
    expected[p + "ln_1.weight"] = {c};
    expected[p + "ln_1.bias"] = {c};
    expected[p + "attn.c_attn.weight"] = {c, 3 * c};
    expected[p + "attn.c_attn.bias"] = {3 * c};
    expected[p + "attn.c_proj.weight"] = {c, c};
    expected[p + "attn.c_proj.bias"] = {c};
    expected[p + "ln_2.weight"] = {c};
    expected[p + "ln_2.bias"] = {c};
    expected[p + "mlp.c_fc.weight"] = {c, 4 * c};
    expected[p + "mlp.c_fc.bias"] = {4 * c};
    expected[p + "mlp.c_proj.weight"] = {4 * c, c};
    expected[p + "mlp.c_proj.bias"] = {c};
  }
  nlohmann::json header = rawHeader(dir / "model.safetensors");
  std::map<std::string, std::vector<int64_t>> actual;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") continue;
    EXPECT_EQ(info["dtype"], "F32") << name;
    actual[name] = info["shape"].get<std::vector<int64_t>>();
  }
  EXPECT_EQ(actual, expected);
  EXPECT_EQ(header["__metadata__"]["format"], "pt");

  std::ifstream config_in(dir / "config.json");
  nlohmann::json config = nlohmann::json::parse(config_in);
  EXPECT_EQ(config["model_type"], "gpt2");
  EXPECT_EQ(config["n_embd"], 32);
  EXPECT_EQ(config["n_layer"], 2);
  EXPECT_EQ(config["n_head"], 4);
  EXPECT_EQ(config["n_positions"], 16);
  EXPECT_EQ(config["vocab_size"], 50);
  EXPECT_EQ(config["activation_function"], "gelu_new");
  EXPECT_DOUBLE_EQ(config["layer_norm_epsilon"].get<double>(), 1e-5);
}

TEST(HfGpt2, SavedWeightsFollowConv1dSemantics) {
  // Conv1D computes x @ W + b with W stored (in, out): the saved tensors used that way must
  // reproduce the model's own projections.
  auto model = test::randomModel(smallConfig(), 34);
  test::TempDir dir;
  saveGptHf(model, dir.path());
  auto tensors = loadAllTensors(dir / "model.safetensors");
  auto block = model->h->ptr(1)->as<BlockImpl>();
  torch::NoGradGuard no_grad;
  torch::manual_seed(35);
  auto x = torch::randn({3, 32});
  auto hidden = torch::randn({3, 128});
  EXPECT_TRUE(torch::allclose(x.matmul(tensors.at("h.1.attn.c_attn.weight")) + tensors.at("h.1.attn.c_attn.bias"),
                              block->attn->c_attn(x), 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(x.matmul(tensors.at("h.1.mlp.c_fc.weight")) + tensors.at("h.1.mlp.c_fc.bias"),
                              block->mlp->c_fc(x), 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(hidden.matmul(tensors.at("h.1.mlp.c_proj.weight")) + tensors.at("h.1.mlp.c_proj.bias"),
                              block->mlp->c_proj(hidden), 1e-5, 1e-5));
  EXPECT_TRUE(torch::equal(tensors.at("wte.weight"), model->wte->weight));
  EXPECT_TRUE(torch::equal(tensors.at("h.1.ln_2.weight"), block->ln_2->weight));
}

TEST(HfGpt2, LoadsTransformersStyleFilesWithPrefixBuffersAndTiedHead) {
  auto model = test::randomModel(smallConfig(), 36);
  test::TempDir dir;
  saveGptHf(model, dir / "plain");
  // As GPT2LMHeadModel.save_pretrained writes it (older versions): `transformer.` prefix, the
  // causal-mask buffers and masked_bias per layer, and the tied lm_head.
  Tensors tensors;
  for (auto& [name, tensor] : savedTensors(dir / "plain")) tensors.emplace_back("transformer." + name, tensor);
  for (int layer = 0; layer < 2; ++layer) {
    const std::string p = "transformer.h." + std::to_string(layer) + ".attn.";
    tensors.emplace_back(p + "bias", torch::tril(torch::ones({16, 16}, torch::kUInt8)).view({1, 1, 16, 16}));
    tensors.emplace_back(p + "masked_bias", torch::tensor(-1e4f));
  }
  tensors.emplace_back("lm_head.weight", model->wte->weight.detach().clone());
  writeVariant(dir / "plain", dir / "hf", tensors);
  Gpt loaded = loadGptHf(dir / "hf");
  loaded->eval();
  torch::NoGradGuard no_grad;
  auto ids = test::randomIds(2, 10, 50, 37);
  EXPECT_TRUE(torch::equal(loaded->forward(ids), model->forward(ids)));
}

TEST(HfGpt2, HalfPrecisionWeightsAreWidenedToFloat) {
  auto model = test::randomModel(smallConfig(), 38);
  test::TempDir dir;
  saveGptHf(model, dir / "plain");
  for (auto dtype : {torch::kFloat16, torch::kBFloat16}) {
    Tensors tensors;
    for (auto& [name, tensor] : savedTensors(dir / "plain")) tensors.emplace_back(name, tensor.to(dtype));
    const auto out = dir / (dtype == torch::kFloat16 ? "f16" : "bf16");
    writeVariant(dir / "plain", out, tensors);
    Gpt loaded = loadGptHf(out);
    auto loaded_params = loaded->named_parameters();
    for (const auto& item : model->named_parameters()) {
      const auto& p = loaded_params[item.key()];
      EXPECT_EQ(p.scalar_type(), torch::kFloat32) << item.key();
      EXPECT_TRUE(torch::equal(p, item.value().detach().to(dtype).to(torch::kFloat32))) << item.key();
    }
  }
}

class HfGpt2Errors : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = test::randomModel(smallConfig(), 39);
    saveGptHf(model_, dir_ / "plain");
    tensors_ = savedTensors(dir_ / "plain");
  }
  void expectLoadError(const Tensors& tensors, std::initializer_list<std::string> words) {
    const auto out = dir_ / ("variant" + std::to_string(variants_++));
    writeVariant(dir_ / "plain", out, tensors);
    expectError(ErrorKind::InvalidInput, words, [&] { loadGptHf(out); });
  }
  Gpt model_{nullptr};
  test::TempDir dir_;
  Tensors tensors_;
  int variants_ = 0;
};

TEST_F(HfGpt2Errors, MissingTensorIsNamed) {
  Tensors without;
  for (auto& item : tensors_) {
    if (item.first != "h.1.ln_2.bias") without.push_back(item);
  }
  expectLoadError(without, {"h.1.ln_2.bias", "missing", "model.safetensors"});
}

TEST_F(HfGpt2Errors, WrongShapeNamesTheTensorWithFileAndExpectedShapes) {
  // A Conv1D weight stored as a Linear (out, in) is the classic mistake.
  Tensors wrong = tensors_;
  for (auto& [name, tensor] : wrong) {
    if (name == "h.0.attn.c_attn.weight") tensor = tensor.t().contiguous();
  }
  expectLoadError(wrong, {"h.0.attn.c_attn.weight", "[96, 32]", "expected [32, 96]"});

  Tensors short_embedding = tensors_;
  for (auto& [name, tensor] : short_embedding) {
    if (name == "wpe.weight") tensor = tensor.narrow(0, 0, 8).contiguous();
  }
  expectLoadError(short_embedding, {"wpe.weight", "[8, 32]", "expected [16, 32]"});

  Tensors three_d = tensors_;
  for (auto& [name, tensor] : three_d) {
    if (name == "h.1.mlp.c_fc.weight") tensor = tensor.view({32, 2, 64});
  }
  expectLoadError(three_d, {"h.1.mlp.c_fc.weight", "[32, 2, 64]", "expected [32, 128]"});
}

TEST_F(HfGpt2Errors, UnexpectedTensorIsNamed) {
  Tensors extra = tensors_;
  extra.emplace_back("h.2.ln_1.weight", torch::ones({32}));  // a third layer the config lacks
  expectLoadError(extra, {"h.2.ln_1.weight", "unexpected"});
}

TEST_F(HfGpt2Errors, MismatchedConfigIsReported) {
  const auto out = dir_ / "bad-config";
  writeVariant(dir_ / "plain", out, tensors_);
  std::ifstream in(out / "config.json");
  nlohmann::json config = nlohmann::json::parse(in);
  in.close();
  config["model_type"] = "llama";
  std::ofstream(out / "config.json") << config.dump();
  expectError(ErrorKind::InvalidInput, {"config.json", "llama"}, [&] { loadGptHf(out); });
}

}  // namespace
}  // namespace temper
