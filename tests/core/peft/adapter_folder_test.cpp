// PEFT's folder: what Temper writes (config keys, tensor names, the base's fingerprint) loads back
// into the same outputs; a folder written by hand with PEFT's names loads; bad folders are refused
// naming the file and the key or tensor.
#include <gtest/gtest.h>

#include "core/common/error.h"
#include "core/peft/adapter_folder.h"
#include "core/peft/base_fingerprint.h"
#include "core/peft/lora.h"
#include "core/tensor_io/torch_safetensors.h"
#include "tests/core/model/llama_test_support.h"
#include "tests/core/model/model_test_support.h"

namespace temper {
namespace {

std::string errorOf(const std::function<void()>& run) {
  try {
    run();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(AdapterFolder, WhatIsWrittenLoadsBackIntoTheSameOutputs) {
  test::TempDir dir("adapter-folder");
  CausalLm trained = test::randomGptLm(40);
  LoraOptions options;
  options.r = 3;
  options.alpha = 7;
  options.targets = "attention";
  options.bias = "lora-only";
  options.dora = true;
  LoraAdapter adapter(trained, options);
  {
    torch::NoGradGuard no_grad;
    torch::manual_seed(2);
    for (auto& [name, t] : adapter.tensors()) t.add_(torch::randn_like(t) * 0.1);
  }
  const torch::Tensor x = test::randomIds(2, 10, 50, 3);
  torch::Tensor want;
  {
    torch::NoGradGuard no_grad;
    want = trained->forward(x);
  }
  writeAdapterFolder(adapter, dir.path(), "/some/base", "CAUSAL_LM", Json{{"format_version", 1}});

  const Json config = readJsonFile(dir.path() / kAdapterConfigFile);
  EXPECT_EQ(config.at("peft_type"), "LORA");
  EXPECT_EQ(config.at("task_type"), "CAUSAL_LM");
  EXPECT_EQ(config.at("r"), 3);
  EXPECT_EQ(config.at("lora_alpha"), 7.0);
  EXPECT_EQ(config.at("bias"), "lora_only");
  EXPECT_EQ(config.at("use_dora"), true);
  EXPECT_EQ(config.at("fan_in_fan_out"), true);
  EXPECT_EQ(config.at("target_modules"), (Json{"attn.c_proj", "c_attn"}));
  EXPECT_EQ(config.at("base_model_name_or_path"), "/some/base");
  const auto tensors = loadAllTensors(dir.path() / kAdapterWeightsFile);
  for (const char* name : {"base_model.model.transformer.h.0.attn.c_attn.lora_A.weight",
                           "base_model.model.transformer.h.1.attn.c_proj.lora_B.weight",
                           "base_model.model.transformer.h.0.attn.c_attn.lora_magnitude_vector",
                           "base_model.model.transformer.h.1.attn.c_proj.base_layer.bias"}) {
    EXPECT_TRUE(tensors.count(name)) << name;
  }
  EXPECT_EQ(tensors.size(), 2u * 2u * 4u);  // 2 blocks x 2 targets x (A, B, magnitude, bias)

  // The same base weights (seed 40), a fresh model: the folder's adapter gives the same logits.
  CausalLm fresh = test::randomGptLm(40);
  auto info = inspectAdapterFolder(dir.path());
  EXPECT_EQ(info.kind, "lora");
  auto loaded = loadAdapter(info, fresh);
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::equal(fresh->forward(x), want));
  // Detached, the base's own biases are back.
  loaded->detach();
  EXPECT_TRUE(torch::equal(fresh->forward(x), test::randomGptLm(40)->forward(x)));
}

TEST(AdapterFolder, RefusesUnknownKindsTargetsAndTensors) {
  test::TempDir dir("adapter-bad");
  CausalLm model = test::randomGptLm(41);
  LoraOptions options;
  options.r = 2;
  LoraAdapter adapter(model, options);
  writeAdapterFolder(adapter, dir.path(), "", "CAUSAL_LM", Json());
  adapter.detach();
  const auto config_file = dir.path() / kAdapterConfigFile;
  Json config = readJsonFile(config_file);

  Json bad = config;
  bad["peft_type"] = "IA3";
  writeJsonFileAtomic(config_file, bad);
  std::string message = errorOf([&] { inspectAdapterFolder(dir.path()); });
  EXPECT_NE(message.find("adapter_config.json"), std::string::npos) << message;
  EXPECT_NE(message.find("IA3"), std::string::npos) << message;

  bad = config;
  bad["target_modules"] = Json{"no_such_proj"};
  writeJsonFileAtomic(config_file, bad);
  message = errorOf([&] { loadAdapter(inspectAdapterFolder(dir.path()), test::randomGptLm(41)); });
  EXPECT_NE(message.find("no_such_proj"), std::string::npos) << message;

  bad = config;
  bad["r"] = 5;  // the tensors have rank 2
  writeJsonFileAtomic(config_file, bad);
  message = errorOf([&] { loadAdapter(inspectAdapterFolder(dir.path()), test::randomGptLm(41)); });
  EXPECT_NE(message.find("lora_A.weight"), std::string::npos) << message;
  EXPECT_NE(message.find("adapter_model.safetensors"), std::string::npos) << message;

  bad = config;
  bad["target_modules"] = Json{"c_attn", "c_fc"};  // the file lacks c_fc's tensors
  writeJsonFileAtomic(config_file, bad);
  message = errorOf([&] { loadAdapter(inspectAdapterFolder(dir.path()), test::randomGptLm(41)); });
  EXPECT_NE(message.find("c_fc.lora_A.weight` is missing"), std::string::npos) << message;
}

TEST(BaseFingerprint, NamesTheFileThatChanged) {
  test::TempDir dir("fingerprint");
  const auto a = dir.path() / "model-00001.safetensors", b = dir.path() / "model-00002.safetensors";
  for (const auto& file : {a, b}) writeFileAtomic(file, "weights of " + file.filename().string());
  const Json recorded = baseFingerprint({a, b});
  EXPECT_NO_THROW(requireSameBase(recorded, {a, b}, dir.path(), "this adapter"));
  writeFileAtomic(b, "weights of model-00002.safetensorZ");
  const std::string message = errorOf([&] { requireSameBase(recorded, {a, b}, dir.path(), "this adapter"); });
  EXPECT_NE(message.find("model-00002.safetensors changed"), std::string::npos) << message;
  EXPECT_NE(errorOf([&] { requireSameBase(recorded, {a}, dir.path(), "this adapter"); }).find("missing"),
            std::string::npos);
}

}  // namespace
}  // namespace temper
