#pragma once
/// GPT-2 in LibTorch: learned positions, pre-LayerNorm blocks, fused qkv, causal attention,
/// GELU(tanh) MLP, final LayerNorm, head tied to the token embedding. Module and parameter names
/// follow Hugging Face's GPT2LMHeadModel (wte, wpe, h.N.attn.c_attn, ...), so saving and loading is
/// a rename-free mapping (plus the Conv1D transpose, see hf_gpt2.cpp).
#include "core/torch_api.h"

#include "core/model/adaptable_linear.h"
#include "core/model/causal_lm.h"
#include "core/model/gpt_config.h"
#include "core/model/kv_cache.h"

namespace temper {

class CausalSelfAttentionImpl : public torch::nn::Module {
 public:
  explicit CausalSelfAttentionImpl(const GptConfig& config);
  /// x: (B, T, C). With a cache, T new positions are appended after the cached ones. Without one,
  /// `prefix` (2, heads, N, head dim; undefined: none) is keys and values before the T positions.
  torch::Tensor forward(const torch::Tensor& x, KvCache* cache, int64_t layer, const torch::Tensor& prefix = {});

  AdaptableLinear c_attn{nullptr};
  AdaptableLinear c_proj{nullptr};

 private:
  int64_t heads_;
  double dropout_;
  torch::Tensor causal_bias_;  ///< (ctx, ctx) additive mask: 0 on and below the diagonal, -inf above
};
TORCH_MODULE(CausalSelfAttention);

class MlpImpl : public torch::nn::Module {
 public:
  explicit MlpImpl(const GptConfig& config);
  torch::Tensor forward(const torch::Tensor& x);

  AdaptableLinear c_fc{nullptr};
  AdaptableLinear c_proj{nullptr};

 private:
  double dropout_;
};
TORCH_MODULE(Mlp);

class BlockImpl : public torch::nn::Module {
 public:
  explicit BlockImpl(const GptConfig& config);
  /// `adapter`: the model's block adapter (causal_lm.h), or null; `prefix`: this layer's
  /// prefix-tuning keys and values (CausalSelfAttention), or undefined.
  torch::Tensor forward(const torch::Tensor& x, KvCache* cache, int64_t layer, BlockAdapter* adapter,
                        const torch::Tensor& prefix = {});

  torch::nn::LayerNorm ln_1{nullptr};
  CausalSelfAttention attn{nullptr};
  torch::nn::LayerNorm ln_2{nullptr};
  Mlp mlp{nullptr};
};
TORCH_MODULE(Block);

class GptImpl : public CausalLmImpl {
 public:
  /// Builds the modules and applies GPT-2 initialisation (torch's global RNG; seed it first).
  /// `initialize` false leaves the weights as the layers' constructors made them (the projections
  /// allocated but not written, makeAdaptableLinear), for a loader that overwrites every one.
  explicit GptImpl(const GptConfig& config, bool initialize = true);

  torch::Tensor embed(const torch::Tensor& ids) override { return widenRows(wte(ids)); }
  /// Adds the learned positions (continuing after the cache's) and runs the blocks.
  torch::Tensor hiddenFromEmbeddings(const torch::Tensor& embeddings, KvCache* cache,
                                     const torch::Tensor& prefix = {}) override;
  torch::Tensor headWeight() override { return wte->weight; }
  torch::Tensor embeddingWeight() override { return wte->weight; }
  KvCache makeCache(int64_t batch, int64_t reserve = 0) const override;
  int64_t contextLength() const override { return config_.context; }
  int64_t vocabSize() const override { return config_.vocab_size; }
  int64_t hiddenSize() const override { return config_.dim; }
  int64_t layerCount() const override { return config_.layers; }
  int64_t keyValueHeads() const override { return config_.heads; }
  int64_t headDim() const override { return config_.headDim(); }
  std::string family() const override { return "gpt2"; }
  std::vector<NamedLinear> adaptableLinears() override;

  const GptConfig& config() const { return config_; }
  /// GPT-2 initialisation: N(0, 0.02) for weights, residual projections N(0, 0.02/sqrt(2L)), zero biases.
  void initWeights();

  torch::nn::Embedding wte{nullptr};
  torch::nn::Embedding wpe{nullptr};
  torch::nn::ModuleList h{nullptr};
  torch::nn::LayerNorm ln_f{nullptr};

 private:
  GptConfig config_;
  std::vector<Block> blocks_;
};

TORCH_MODULE(Gpt);

}  // namespace temper
