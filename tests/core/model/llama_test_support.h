#pragma once
// Small Llama-family models for the tests: a config, seeded non-trivial weights, and the folder
// helpers the Hugging Face tests share.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/model/llama.h"
#include "tests/core/model/model_test_support.h"

namespace temper::test {

/// 2 layers, hidden 32, 4 heads of 8, 2 kv heads (grouped-query), SwiGLU 48, vocab 40, 32 positions.
inline LlamaConfig smallLlamaConfig() {
  LlamaConfig c;
  c.vocab_size = 40;
  c.hidden_size = 32;
  c.intermediate_size = 48;
  c.layers = 2;
  c.heads = 4;
  c.kv_heads = 2;
  c.head_dim = 8;
  c.max_positions = 32;
  c.rms_norm_eps = 1e-5;
  return c;
}

/// A Llama with every parameter redrawn (the standard init leaves RMSNorm weights at 1 and biases
/// at 0, which would hide bugs there): matrices N(0, 0.3^2), vectors around 1 (norms) or 0 (biases).
inline Llama randomLlama(const LlamaConfig& config, uint64_t seed) {
  torch::manual_seed(seed);
  Llama model(config);
  torch::NoGradGuard no_grad;
  for (auto& item : model->named_parameters()) {
    auto& p = item.value();
    if (p.dim() == 2) {
      p.copy_(torch::randn_like(p) * 0.3);
    } else if (item.key().ends_with(".bias")) {
      p.copy_(torch::randn_like(p) * 0.3);
    } else {
      p.copy_(1.0 + torch::randn_like(p) * 0.3);
    }
  }
  model->eval();
  return model;
}

/// A model family as the parameterised adapter tests run over it: its name and a seeded maker.
struct ModelFamily {
  const char* name;
  CausalLm (*make)(uint64_t);
};
inline CausalLm randomGptLm(uint64_t seed) { return randomModel(smallConfig(), seed).ptr(); }
inline CausalLm decodingGptLm(uint64_t seed) { return decodingModel(smallConfig(), seed).ptr(); }
inline CausalLm randomLlamaLm(uint64_t seed) { return randomLlama(smallLlamaConfig(), seed).ptr(); }

}  // namespace temper::test
