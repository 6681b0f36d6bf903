#pragma once
// Helpers shared by the model tests: a small config, a scratch folder, and an error check that
// asserts the typed kind and the words of the message.
#include <gtest/gtest.h>
#include <unistd.h>
#include "core/torch_api.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <string>

#include "core/common/error.h"
#include "core/model/gpt.h"
#include "tests/support/temp_dir.h"

namespace temper::test {

/// Whether `got` and `want` are the same computation done with other kernel shapes (a chunk of a
/// sequence against the whole of it, a cache against a recompute). Which BLAS / oneDNN kernel a
/// shape gets differs between CPUs (AVX2, AVX-512, AMX), and each sums in its own order, so the two
/// differ by rounding that grows with the values' magnitude: the tolerance is relative to the
/// largest |want| (at least 1). float64 (unit roundoff 1.1e-16): 1e-10 of it, a million roundoffs,
/// for tests about semantics. float32 (6e-8): 1e-4 of it, ~1,700 roundoffs — the reorderings of
/// these few-layer, width-64 models stay far below it, while a wrong position, offset or mask
/// changes logits by 0.1 or more of their scale.
inline ::testing::AssertionResult sameComputation(const torch::Tensor& got, const torch::Tensor& want) {
  const double scale = std::max(1.0, want.abs().max().item<double>());
  const double tolerance = (want.scalar_type() == torch::kDouble ? 1e-10 : 1e-4) * scale;
  const double diff = (got.to(torch::kDouble) - want.to(torch::kDouble)).abs().max().item<double>();
  if (got.sizes() == want.sizes() && diff <= tolerance) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "max |difference| " << diff << " exceeds " << tolerance << " ("
                                       << want.scalar_type() << ", scale " << scale << ")";
}

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
