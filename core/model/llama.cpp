#include "core/model/llama.h"

#include <cmath>
#include <limits>
#include <optional>

#include "core/model/block_checkpoint.h"
#include "core/model/cpu_attention.h"
#include "core/model/kernels/autocast_widen.h"
#include "core/model/linear_projection.h"
#include "core/model/llama_kernels.h"
#include "core/torch_compat/torch_compat.h"

namespace temper {
namespace {

torch::nn::Linear makeLinear(int64_t in, int64_t out, bool bias) {
  return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(bias));
}

/// (B, T, KV, D) or (B, KV, T, D) key/value heads repeated so that query head h reads kv head
/// h / group (transformers' repeat_kv), giving `heads` heads along `dim`.
torch::Tensor repeatKv(const torch::Tensor& t, int64_t dim, int64_t group) {
  if (group == 1) return t;
  auto sizes = t.sizes().vec();
  auto expanded = sizes;
  expanded.insert(expanded.begin() + dim + 1, group);
  sizes[dim] *= group;
  return t.unsqueeze(dim + 1).expand(expanded).reshape(sizes);
}

/// (T, past + T) additive mask: query t (at position past + t) sees keys 0..past + t.
torch::Tensor causalBias(int64_t steps, int64_t past, const torch::TensorOptions& options) {
  const int64_t keys = past + steps;
  auto future = torch::ones({steps, keys}, options.dtype(torch::kBool)).triu(past + 1);
  return torch::zeros({steps, keys}, options).masked_fill(future, -std::numeric_limits<float>::infinity());
}

}  // namespace

RmsNormImpl::RmsNormImpl(int64_t dim, double eps) : eps_(eps) {
  weight = register_parameter("weight", torch::ones({dim}));
}

torch::Tensor RmsNormImpl::forward(const torch::Tensor& x) { return llama_kernels::rmsNorm(x, weight, eps_); }

LlamaAttentionImpl::LlamaAttentionImpl(const LlamaConfig& c)
    : heads_(c.heads), kv_heads_(c.kv_heads), head_dim_(c.head_dim), dropout_(c.attention_dropout) {
  q_proj = register_module("q_proj", makeAdaptableLinear(c.hidden_size, c.heads * c.head_dim, c.qkv_bias));
  k_proj = register_module("k_proj", makeAdaptableLinear(c.hidden_size, c.kv_heads * c.head_dim, c.qkv_bias));
  v_proj = register_module("v_proj", makeAdaptableLinear(c.hidden_size, c.kv_heads * c.head_dim, c.qkv_bias));
  o_proj = register_module("o_proj", makeAdaptableLinear(c.heads * c.head_dim, c.hidden_size, c.o_bias));
}

torch::Tensor LlamaAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                                          KvCache* cache, int64_t layer, const torch::Tensor& prefix) {
  const int64_t batch = x.size(0), steps = x.size(1);
  const int64_t group = heads_ / kv_heads_, width = heads_ * head_dim_;
  const double attn_dropout = is_training() ? dropout_ : 0.0;
  auto q_lin = applyLinear(q_proj, x), k_lin = applyLinear(k_proj, x), v_lin = applyLinear(v_proj, x);
  // CPU training and full-sequence evaluation: the fused causal kernel of cpu_attention.h (one
  // autograd node, masked key blocks skipped) reads q | k | v side by side, the layout GPT-2's
  // c_attn produces. ropePackQkv rotates q and k, repeats the kv heads and packs that layout in one
  // pass (llama_kernels.h). Under CPU autocast both take the bf16 projections widened to fp32.
  if (cache == nullptr && !prefix.defined() && attn_dropout == 0.0 && compat::preferOwnCpuAttention()) {
    const auto q_w = kernels::widenUnderAutocast(q_lin), k_w = kernels::widenUnderAutocast(k_lin),
               v_w = kernels::widenUnderAutocast(v_lin);
    if (causalAttentionCpuSupports(q_w)) {
      auto cos_w = cos.to(q_w.scalar_type()), sin_w = sin.to(q_w.scalar_type());
      return applyLinear(
          o_proj,
          causalAttentionCpu(llama_kernels::ropePackQkv(q_w, k_w, v_w, cos_w, sin_w, heads_, kv_heads_), heads_));
    }
  }
  // Tables in the projections' dtype (bf16 under autocast), as transformers casts them.
  auto cos_t = cos.to(q_lin.scalar_type()), sin_t = sin.to(q_lin.scalar_type());
  // Rotate in the (B, T, heads, D) layout the projections produce: the (T, D) tables broadcast
  // over batch and heads without a transpose.
  auto c = cos_t.view({steps, 1, head_dim_});
  auto s = sin_t.view({steps, 1, head_dim_});
  auto q = applyRope(q_lin.view({batch, steps, heads_, head_dim_}), c, s);
  auto k = applyRope(k_lin.view({batch, steps, kv_heads_, head_dim_}), c, s);
  auto v = v_lin.view({batch, steps, kv_heads_, head_dim_});
  q = q.transpose(1, 2);  // (B, H, T, D)
  k = k.transpose(1, 2);  // (B, KV, T, D)
  v = v.transpose(1, 2);
  int64_t past = 0;
  if (cache != nullptr) {
    past = cache->length();
    std::tie(k, v) = cache->append(layer, k, v);  // the cache holds kv heads only
  } else if (prefix.defined()) {
    // Prefix keys are used as they are, as a cache's (transformers rotates keys before caching).
    past = prefix.size(2);
    k = torch::cat({prefix[0].to(k.scalar_type()).unsqueeze(0).expand({batch, -1, -1, -1}), k}, 2);
    v = torch::cat({prefix[1].to(v.scalar_type()).unsqueeze(0).expand({batch, -1, -1, -1}), v}, 2);
  }
  k = repeatKv(k, 1, group);
  v = repeatKv(v, 1, group);
  auto bias = [&] { return causalBias(steps, past, q.options()); };
  torch::Tensor y = compat::causalAttention(q, k, v, past, bias, attn_dropout);
  return applyLinear(o_proj, y.transpose(1, 2).reshape({batch, steps, width}));
}

LlamaMlpImpl::LlamaMlpImpl(const LlamaConfig& c) {
  gate_proj = register_module("gate_proj", makeAdaptableLinear(c.hidden_size, c.intermediate_size, c.mlp_bias));
  up_proj = register_module("up_proj", makeAdaptableLinear(c.hidden_size, c.intermediate_size, c.mlp_bias));
  down_proj = register_module("down_proj", makeAdaptableLinear(c.intermediate_size, c.hidden_size, c.mlp_bias));
}

torch::Tensor LlamaMlpImpl::forward(const torch::Tensor& x) {
  return applyLinear(down_proj, llama_kernels::swiglu(applyLinear(gate_proj, x), applyLinear(up_proj, x)));
}

LlamaDecoderLayerImpl::LlamaDecoderLayerImpl(const LlamaConfig& c) {
  input_layernorm = register_module("input_layernorm", RmsNorm(c.hidden_size, c.rms_norm_eps));
  self_attn = register_module("self_attn", LlamaAttention(c));
  post_attention_layernorm = register_module("post_attention_layernorm", RmsNorm(c.hidden_size, c.rms_norm_eps));
  mlp = register_module("mlp", LlamaMlp(c));
}

torch::Tensor LlamaDecoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                                             KvCache* cache, int64_t layer, BlockAdapter* adapter,
                                             const torch::Tensor& prefix) {
  torch::Tensor attention = self_attn->forward(input_layernorm(x), cos, sin, cache, layer, prefix);
  if (adapter != nullptr) attention = adapter->afterAttention(layer, attention);
  const torch::Tensor h = x + attention;
  const torch::Tensor mlp_in = post_attention_layernorm(h);
  torch::Tensor mlp_out = mlp->forward(mlp_in);
  if (adapter != nullptr) mlp_out = adapter->afterMlp(layer, mlp_in, mlp_out);
  return h + mlp_out;
}

LlamaBackboneImpl::LlamaBackboneImpl(const LlamaConfig& c) {
  embed_tokens = register_module("embed_tokens", torch::nn::Embedding(c.vocab_size, c.hidden_size));
  layers = register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.layers; ++i) {
    blocks.push_back(LlamaDecoderLayer(c));
    layers->push_back(blocks.back());
  }
  norm = register_module("norm", RmsNorm(c.hidden_size, c.rms_norm_eps));
}

LlamaImpl::LlamaImpl(const LlamaConfig& config, bool initialize) : config_(config) {
  config_.validate();
  std::optional<ProjectionsLeftUninitialised> for_loading;  // a loader writes every value
  if (!initialize) for_loading.emplace();
  model = register_module("model", LlamaBackbone(config_));
  if (!config_.tie_word_embeddings) {
    lm_head = register_module("lm_head", makeLinear(config_.hidden_size, config_.vocab_size, false));
  }
  rope_ = std::make_shared<RotaryTables>(config_.head_dim, config_.rope_theta, config_.rope_scaling);
  if (initialize) initWeights();
}

void LlamaImpl::initWeights() {
  torch::NoGradGuard no_grad;
  for (auto& item : named_parameters()) {
    torch::Tensor& p = item.value();
    if (p.dim() == 2) {
      p.normal_(0.0, config_.initializer_range);
    } else if (item.key().ends_with(".bias")) {
      p.zero_();
    } else {
      p.fill_(1.0);  // RMSNorm weights
    }
  }
}

std::vector<NamedLinear> LlamaImpl::adaptableLinears() {
  std::vector<NamedLinear> out;
  for (int64_t i = 0; i < config_.layers; ++i) {
    const std::string prefix = "model.layers." + std::to_string(i) + ".";
    const LlamaDecoderLayer& layer = model->blocks[static_cast<size_t>(i)];
    out.push_back(namedLinear(prefix + "self_attn.q_proj", LinearRole::Query, i, false, layer->self_attn->q_proj));
    out.push_back(namedLinear(prefix + "self_attn.k_proj", LinearRole::Key, i, false, layer->self_attn->k_proj));
    out.push_back(namedLinear(prefix + "self_attn.v_proj", LinearRole::Value, i, false, layer->self_attn->v_proj));
    out.push_back(
        namedLinear(prefix + "self_attn.o_proj", LinearRole::AttentionOutput, i, false, layer->self_attn->o_proj));
    out.push_back(namedLinear(prefix + "mlp.gate_proj", LinearRole::MlpGate, i, false, layer->mlp->gate_proj));
    out.push_back(namedLinear(prefix + "mlp.up_proj", LinearRole::MlpUp, i, false, layer->mlp->up_proj));
    out.push_back(namedLinear(prefix + "mlp.down_proj", LinearRole::MlpDown, i, false, layer->mlp->down_proj));
  }
  return out;
}

KvCache LlamaImpl::makeCache(int64_t batch, int64_t reserve) const {
  return KvCache(config_.layers, batch, config_.kv_heads, config_.context(), config_.head_dim,
                 model->norm->weight.options().requires_grad(false), reserve > 0 ? reserve : kDefaultCacheReserve);
}

torch::Tensor LlamaImpl::hiddenFromEmbeddings(const torch::Tensor& embeddings, KvCache* cache,
                                              const torch::Tensor& prefix) {
  const int64_t steps = embeddings.size(1);
  // The prefix, like a cache, holds the first positions.
  const int64_t past = cache != nullptr ? cache->length() : (prefix.defined() ? prefix.size(3) : 0);
  TORCH_CHECK(past + steps <= config_.context(), "sequence of ", past + steps,
              " positions exceeds the model's context of ", config_.context());
  auto [cos, sin] = rope_->get(past, steps, embeddings.device(), embeddings.scalar_type());
  auto x = embeddings;
  for (int64_t i = 0; i < config_.layers; ++i) {
    const torch::Tensor layer_prefix = prefix.defined() ? prefix[i] : torch::Tensor();
    if (checkpointsBlocks(cache)) {
      // Captured by value: the backward pass runs the block again after this function returned.
      x = checkpointBlock(
          [block = model->blocks[i], cos, sin, i, adapter = blockAdapter()](const torch::Tensor& in,
                                                                            const torch::Tensor& side) mutable {
            return block->forward(in, cos, sin, nullptr, i, adapter, side);
          },
          x, layer_prefix);
    } else {
      x = model->blocks[i]->forward(x, cos, sin, cache, i, blockAdapter(), layer_prefix);
    }
  }
  if (cache != nullptr) cache->advance(steps);
  return model->norm(x);
}

}  // namespace temper
