#pragma once
// Helpers shared by the model tests: a small config, a scratch folder, and an error check that
// asserts the typed kind and the words of the message.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <string>

#include "core/common/error.h"
#include "core/model/gpt.h"
#include "tests/support/temp_dir.h"

namespace temper::test {

/// 2 layers, dim 32, 4 heads, vocab 50, context 16: small enough for finite differences.
inline GptConfig smallConfig() {
  GptConfig c;
  c.vocab_size = 50;
  c.context = 16;
  c.dim = 32;
  c.layers = 2;
  c.heads = 4;
  return c;
}

/// A model with seeded, non-trivial weights: GPT-2 init leaves biases at 0 and LayerNorms at 1,
/// which would let bugs in those paths go unnoticed, so every parameter is redrawn.
inline Gpt randomModel(const GptConfig& config, uint64_t seed) {
  torch::manual_seed(seed);
  Gpt model(config);
  torch::NoGradGuard no_grad;
  for (auto& p : model->parameters()) p.copy_(torch::randn_like(p) * 0.3 + (p.dim() == 1 ? 0.1 : 0.0));
  model->eval();
  return model;
}

/// randomModel() tuned for decoding tests. Random GPT-2s with a tied head favour repeating the last
/// token, and their logits are nearly flat, so greedy output collapses to one id and sampled output
/// barely depends on the logits: comparisons of decoded sequences would then be weak. Smaller token
/// embeddings, larger positions and a larger final LayerNorm give varied, peaked predictions.
inline Gpt decodingModel(const GptConfig& config, uint64_t seed) {
  Gpt model = randomModel(config, seed);
  torch::NoGradGuard no_grad;
  model->wte->weight.mul_(0.3);
  model->wpe->weight.mul_(3.0);
  model->ln_f->weight.mul_(10.0);
  model->ln_f->bias.mul_(10.0);
  return model;
}

inline torch::Tensor randomIds(int64_t batch, int64_t steps, int64_t vocab, uint64_t seed) {
  torch::manual_seed(seed);
  return torch::randint(vocab, {batch, steps}, torch::kLong);
}

using test_support::TempDir;

/// Runs `body`, expects an Error of `kind` whose message contains every one of `words`.
inline void expectError(ErrorKind kind, std::initializer_list<std::string> words, const std::function<void()>& body) {
  try {
    body();
    ADD_FAILURE() << "no error thrown; expected " << errorKindName(kind);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    for (const auto& word : words)
      EXPECT_NE(std::string(e.what()).find(word), std::string::npos)
          << "message lacks \"" << word << "\": " << e.what();
  }
}

}  // namespace temper::test
