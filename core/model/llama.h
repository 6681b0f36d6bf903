#pragma once
/// The Llama family in LibTorch (Llama, Mistral, Qwen2, TinyLlama, SmolLM): pre-RMSNorm blocks,
/// rotary positions (rope.h), grouped-query attention with optional q/k/v (and o) biases, SwiGLU
/// MLP, final RMSNorm, head tied or not. Module and parameter names follow transformers'
/// LlamaForCausalLM (model.embed_tokens, model.layers.N.self_attn.q_proj, ..., model.norm,
/// lm_head), so the Hugging Face files map onto named_parameters() without renaming.
#include "core/torch_api.h"

#include <memory>

#include "core/model/adaptable_linear.h"
#include "core/model/causal_lm.h"
#include "core/model/kv_cache.h"
#include "core/model/llama_config.h"
#include "core/model/rope.h"

namespace temper {

/// weight * (x / sqrt(mean(x^2) + eps)), the normalisation of fp16/bf16 inputs computed in fp32 and
/// cast back to x's dtype before the weight (as LlamaRMSNorm); fp32 and fp64 inputs keep their dtype.
class RmsNormImpl : public torch::nn::Module {
 public:
  RmsNormImpl(int64_t dim, double eps);
  torch::Tensor forward(const torch::Tensor& x);

  torch::Tensor weight;

 private:
  double eps_;
};
TORCH_MODULE(RmsNorm);

class LlamaAttentionImpl : public torch::nn::Module {
 public:
  explicit LlamaAttentionImpl(const LlamaConfig& config);
  /// x: (B, T, C); cos/sin: (T, head_dim) for the T new positions. With a cache, the new keys and
  /// values (kv heads only) go after the cached ones. Without one, `prefix` (2, kv heads, N,
  /// head dim; undefined: none) is keys and values before the T positions.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin, KvCache* cache,
                        int64_t layer, const torch::Tensor& prefix = {});

  AdaptableLinear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};

 private:
  int64_t heads_, kv_heads_, head_dim_;
  double dropout_;
};
TORCH_MODULE(LlamaAttention);

class LlamaMlpImpl : public torch::nn::Module {
 public:
  explicit LlamaMlpImpl(const LlamaConfig& config);
  /// down(silu(gate(x)) * up(x)).
  torch::Tensor forward(const torch::Tensor& x);

  AdaptableLinear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
};
TORCH_MODULE(LlamaMlp);

class LlamaDecoderLayerImpl : public torch::nn::Module {
 public:
  explicit LlamaDecoderLayerImpl(const LlamaConfig& config);
  /// `adapter`: the model's block adapter (causal_lm.h), or null; `prefix`: this layer's
  /// prefix-tuning keys and values (LlamaAttention), or undefined.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin, KvCache* cache,
                        int64_t layer, BlockAdapter* adapter, const torch::Tensor& prefix = {});

  RmsNorm input_layernorm{nullptr};
  LlamaAttention self_attn{nullptr};
  RmsNorm post_attention_layernorm{nullptr};
  LlamaMlp mlp{nullptr};
};
TORCH_MODULE(LlamaDecoderLayer);

/// transformers' LlamaModel: the part registered as "model".
class LlamaBackboneImpl : public torch::nn::Module {
 public:
  explicit LlamaBackboneImpl(const LlamaConfig& config);

  torch::nn::Embedding embed_tokens{nullptr};
  torch::nn::ModuleList layers{nullptr};
  RmsNorm norm{nullptr};
  std::vector<LlamaDecoderLayer> blocks;  ///< the same modules as `layers`, typed
};
TORCH_MODULE(LlamaBackbone);

class LlamaImpl : public CausalLmImpl {
 public:
  /// Builds the modules; with `initialize`, draws the weights as transformers initialises them
  /// (torch's global RNG: seed it first). Loaders pass false and overwrite every parameter.
  explicit LlamaImpl(const LlamaConfig& config, bool initialize = true);

  torch::Tensor embed(const torch::Tensor& ids) override { return widenRows(model->embed_tokens(ids)); }
  torch::Tensor hiddenFromEmbeddings(const torch::Tensor& embeddings, KvCache* cache,
                                     const torch::Tensor& prefix = {}) override;
  torch::Tensor headWeight() override { return lm_head ? lm_head->weight : model->embed_tokens->weight; }
  torch::Tensor embeddingWeight() override { return model->embed_tokens->weight; }
  /// Keys and values of the kv heads only: (layers, batch, num_key_value_heads, context, head_dim).
  KvCache makeCache(int64_t batch, int64_t reserve = 0) const override;
  int64_t contextLength() const override { return config_.context(); }
  int64_t vocabSize() const override { return config_.vocab_size; }
  int64_t hiddenSize() const override { return config_.hidden_size; }
  int64_t layerCount() const override { return config_.layers; }
  int64_t keyValueHeads() const override { return config_.kv_heads; }
  int64_t headDim() const override { return config_.head_dim; }
  std::string family() const override { return "llama"; }
  std::vector<NamedLinear> adaptableLinears() override;

  const LlamaConfig& config() const { return config_; }
  /// N(0, initializer_range) for Linear and embedding weights, zero biases, RMSNorm weights 1.
  void initWeights();

  LlamaBackbone model{nullptr};
  torch::nn::Linear lm_head{nullptr};  ///< null when tied to model.embed_tokens

 private:
  LlamaConfig config_;
  std::shared_ptr<RotaryTables> rope_;
};
TORCH_MODULE(Llama);

}  // namespace temper
