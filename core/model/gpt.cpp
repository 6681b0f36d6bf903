#include "core/model/gpt.h"

#include "core/model/block_checkpoint.h"
#include "core/model/cpu_attention.h"
#include "core/model/kernels/autocast_widen.h"
#include "core/model/kernels/gelu.h"
#include "core/model/linear_projection.h"
#include "core/torch_compat/torch_compat.h"

#include <cmath>
#include <limits>
#include <optional>

namespace temper {
namespace {

torch::nn::LayerNorm makeLayerNorm(const GptConfig& c) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.dim}).eps(c.layer_norm_eps).elementwise_affine(true));
}

}  // namespace

CausalSelfAttentionImpl::CausalSelfAttentionImpl(const GptConfig& config)
    : heads_(config.heads), dropout_(config.dropout) {
  c_attn = register_module("c_attn", makeAdaptableLinear(config.dim, 3 * config.dim, config.bias));
  c_proj = register_module("c_proj", makeAdaptableLinear(config.dim, config.dim, config.bias));
  auto upper = torch::triu(torch::ones({config.context, config.context}), 1).to(torch::kBool);
  causal_bias_ = register_buffer(
      "causal_bias",
      torch::zeros({config.context, config.context}).masked_fill(upper, -std::numeric_limits<float>::infinity()));
}

torch::Tensor CausalSelfAttentionImpl::forward(const torch::Tensor& x, KvCache* cache, int64_t layer,
                                               const torch::Tensor& prefix) {
  const int64_t batch = x.size(0), steps = x.size(1), channels = x.size(2);
  const int64_t head_dim = channels / heads_;
  const double attn_dropout = is_training() ? dropout_ : 0.0;
  auto fused = applyLinear(c_attn, x);
  auto project = [&](const torch::Tensor& heads_side_by_side) {
    auto out = applyLinear(c_proj, heads_side_by_side);
    return dropout_ > 0.0 ? torch::dropout(out, dropout_, is_training()) : out;
  };
  // CPU without a cache or attention dropout (training and full-sequence evaluation): one kernel with
  // its own backward reads q, k, v straight out of c_attn's output and skips the masked key blocks,
  // ~3x faster than LibTorch 1.13's eager composition on 2 cores (core/model/cpu_attention.h).
  if (cache == nullptr && !prefix.defined() && attn_dropout == 0.0 && compat::preferOwnCpuAttention()) {
    const torch::Tensor qkv = kernels::widenUnderAutocast(fused);
    if (causalAttentionCpuSupports(qkv)) return project(causalAttentionCpu(qkv, heads_));
  }
  auto qkv = fused.split(channels, 2);
  auto toHeads = [&](const torch::Tensor& t) { return t.view({batch, steps, heads_, head_dim}).transpose(1, 2); };
  torch::Tensor q = toHeads(qkv[0]), k = toHeads(qkv[1]), v = toHeads(qkv[2]);
  int64_t past = 0;
  if (cache != nullptr) {
    past = cache->length();
    std::tie(k, v) = cache->append(layer, k, v);
  } else if (prefix.defined()) {
    past = prefix.size(2);
    k = torch::cat({prefix[0].to(k.scalar_type()).unsqueeze(0).expand({batch, -1, -1, -1}), k}, 2);
    v = torch::cat({prefix[1].to(v.scalar_type()).unsqueeze(0).expand({batch, -1, -1, -1}), v}, 2);
  }
  const int64_t keys = past + steps;
  auto bias = [&] { return causal_bias_.narrow(0, past, steps).narrow(1, 0, keys); };
  torch::Tensor y = compat::causalAttention(q, k, v, past, bias, attn_dropout);
  return project(y.transpose(1, 2).reshape({batch, steps, channels}));
}

MlpImpl::MlpImpl(const GptConfig& config) : dropout_(config.dropout) {
  c_fc = register_module("c_fc", makeAdaptableLinear(config.dim, config.mlpHidden(), config.bias));
  c_proj = register_module("c_proj", makeAdaptableLinear(config.mlpHidden(), config.dim, config.bias));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) {
  auto y = applyLinear(c_proj, kernels::geluTanh(applyLinear(c_fc, x)));
  return dropout_ > 0.0 ? torch::dropout(y, dropout_, is_training()) : y;
}

BlockImpl::BlockImpl(const GptConfig& config) {
  ln_1 = register_module("ln_1", makeLayerNorm(config));
  attn = register_module("attn", CausalSelfAttention(config));
  ln_2 = register_module("ln_2", makeLayerNorm(config));
  mlp = register_module("mlp", Mlp(config));
}

torch::Tensor BlockImpl::forward(const torch::Tensor& x, KvCache* cache, int64_t layer, BlockAdapter* adapter,
                                 const torch::Tensor& prefix) {
  torch::Tensor attention = attn->forward(ln_1(x), cache, layer, prefix);
  if (adapter != nullptr) attention = adapter->afterAttention(layer, attention);
  const torch::Tensor h1 = x + attention;
  const torch::Tensor mlp_in = ln_2(h1);
  torch::Tensor mlp_out = mlp->forward(mlp_in);
  if (adapter != nullptr) mlp_out = adapter->afterMlp(layer, mlp_in, mlp_out);
  return h1 + mlp_out;
}

GptImpl::GptImpl(const GptConfig& config, bool initialize) : config_(config) {
  config_.validate();
  std::optional<ProjectionsLeftUninitialised> for_loading;  // a loader writes every value
  if (!initialize) for_loading.emplace();
  wte = register_module("wte", torch::nn::Embedding(config.vocab_size, config.dim));
  wpe = register_module("wpe", torch::nn::Embedding(config.context, config.dim));
  h = register_module("h", torch::nn::ModuleList());
  for (int64_t i = 0; i < config.layers; ++i) {
    blocks_.push_back(Block(config));
    h->push_back(blocks_.back());
  }
  ln_f = register_module("ln_f", makeLayerNorm(config));
  if (initialize) initWeights();
}

void GptImpl::initWeights() {
  torch::NoGradGuard no_grad;
  const double residual_std = 0.02 / std::sqrt(2.0 * static_cast<double>(config_.layers));
  for (auto& item : named_parameters()) {
    const std::string& name = item.key();
    torch::Tensor& p = item.value();
    if (p.dim() == 2) {
      bool residual = name.ends_with("attn.c_proj.weight") || name.ends_with("mlp.c_proj.weight");
      p.normal_(0.0, residual ? residual_std : 0.02);
    } else if (name.ends_with("bias")) {
      p.zero_();
    } else {
      p.fill_(1.0);  // LayerNorm weights
    }
  }
}

std::vector<NamedLinear> GptImpl::adaptableLinears() {
  // GPT2LMHeadModel and GPT2ForSequenceClassification both hold the blocks under `transformer.`;
  // every projection is a Conv1D there.
  std::vector<NamedLinear> out;
  for (int64_t i = 0; i < config_.layers; ++i) {
    const std::string prefix = "transformer.h." + std::to_string(i) + ".";
    const Block& block = blocks_[static_cast<size_t>(i)];
    out.push_back(namedLinear(prefix + "attn.c_attn", LinearRole::QueryKeyValue, i, true, block->attn->c_attn));
    out.push_back(namedLinear(prefix + "attn.c_proj", LinearRole::AttentionOutput, i, true, block->attn->c_proj));
    out.push_back(namedLinear(prefix + "mlp.c_fc", LinearRole::MlpUp, i, true, block->mlp->c_fc));
    out.push_back(namedLinear(prefix + "mlp.c_proj", LinearRole::MlpDown, i, true, block->mlp->c_proj));
  }
  return out;
}

KvCache GptImpl::makeCache(int64_t batch, int64_t reserve) const {
  return KvCache(config_.layers, batch, config_.heads, config_.context, config_.headDim(),
                 ln_f->weight.options().requires_grad(false), reserve > 0 ? reserve : kDefaultCacheReserve);
}

torch::Tensor GptImpl::hiddenFromEmbeddings(const torch::Tensor& embeddings, KvCache* cache,
                                            const torch::Tensor& prefix) {
  const int64_t steps = embeddings.size(1);
  // The prefix, like a cache, holds the first positions.
  const int64_t past = cache != nullptr ? cache->length() : (prefix.defined() ? prefix.size(3) : 0);
  TORCH_CHECK(past + steps <= config_.context, "sequence of ", past + steps,
              " positions exceeds the model's context of ", config_.context);
  auto positions = torch::arange(past, past + steps, torch::TensorOptions(torch::kLong).device(embeddings.device()));
  auto x = embeddings + wpe(positions);
  if (config_.dropout > 0.0) x = torch::dropout(x, config_.dropout, is_training());
  for (int64_t i = 0; i < config_.layers; ++i) {
    const torch::Tensor layer_prefix = prefix.defined() ? prefix[i] : torch::Tensor();
    if (checkpointsBlocks(cache)) {
      // Captured by value: the backward pass runs the block again after this function returned.
      x = checkpointBlock(
          [block = blocks_[i], i, adapter = blockAdapter()](const torch::Tensor& in,
                                                            const torch::Tensor& side) mutable {
            return block->forward(in, nullptr, i, adapter, side);
          },
          x, layer_prefix);
    } else {
      x = blocks_[i]->forward(x, cache, i, blockAdapter(), layer_prefix);
    }
  }
  if (cache != nullptr) cache->advance(steps);
  return ln_f(x);
}

}  // namespace temper
