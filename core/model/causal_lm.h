#pragma once
/// What every decoder-only language model offers the rest of the engine (methods, generation,
/// evaluation), whatever its family: GPT-2 (gpt.h) or the Llama family (llama.h). Methods and
/// generation are written once against this interface; a family adds its own blocks, its
/// Hugging Face loading and saving (hf_model.h), and nothing else.
#include "core/torch_api.h"

#include <optional>
#include <string>

#include <vector>

#include "core/model/adaptable_linear.h"
#include "core/model/block_adapter.h"
#include "core/model/kv_cache.h"
#include "core/model/linear_projection.h"

namespace temper {

/// Prefix tuning's keys and values (core/peft/prefix_tuning.h): N positions every layer's queries
/// attend to before the sequence's own, as if they were already in a KV cache. Owned by the adapter;
/// the model asks for them once per forward pass that starts a sequence.
class AttentionPrefix {
 public:
  virtual ~AttentionPrefix() = default;
  virtual int64_t length() const = 0;  ///< N
  /// (layers, 2, kv heads, N, head dim): layer l's keys at [l][0], its values at [l][1], as the
  /// cache holds them (keys after RoPE). Differentiable: a reparameterisation runs here in training.
  virtual torch::Tensor keysValues() = 0;
};

/// Positions a cache starts with when the caller cannot say how many it will need (a chat).
constexpr int64_t kDefaultCacheReserve = 512;

class CausalLmImpl : public torch::nn::Module {
 public:
  /// Token embeddings (B, T) int64 -> (B, T, C). Soft prompts and other input-side methods build
  /// their own rows of this and feed them to hiddenFromEmbeddings.
  virtual torch::Tensor embed(const torch::Tensor& ids) = 0;
  /// Runs the blocks over input embeddings (B, T, C) and returns the final normalised hidden
  /// states (B, T, C). Positions continue after the cache's when one is given, else after the
  /// prefix's: `prefix` (AttentionPrefix::keysValues' layout, or undefined) is what every layer
  /// attends to before these positions when no cache holds it.
  virtual torch::Tensor hiddenFromEmbeddings(const torch::Tensor& embeddings, KvCache* cache,
                                             const torch::Tensor& prefix = {}) = 0;
  /// The output projection (V, C): the token embedding when tied.
  virtual torch::Tensor headWeight() = 0;
  /// The token embedding table (V, C).
  virtual torch::Tensor embeddingWeight() = 0;
  /// A cache for `batch` sequences on the model's device and dtype, with `reserve` positions
  /// allocated (0: kDefaultCacheReserve); it grows on demand up to the context (kv_cache.h).
  virtual KvCache makeCache(int64_t batch, int64_t reserve = 0) const = 0;

  virtual int64_t contextLength() const = 0;
  virtual int64_t vocabSize() const = 0;
  virtual int64_t hiddenSize() const = 0;
  virtual int64_t layerCount() const = 0;
  /// Attention's key/value heads (fewer than the query heads under grouped-query attention) and
  /// their width: the shape of a KV cache entry and of prefix tuning's prefixes.
  virtual int64_t keyValueHeads() const = 0;
  virtual int64_t headDim() const = 0;
  /// "gpt2" or "llama": selects the Hugging Face layout used to save the model.
  virtual std::string family() const = 0;
  /// Every projection a PEFT method may take over (adaptable_linear.h), in block order, named as
  /// the family's Hugging Face module path. The output head and embeddings are not among them.
  virtual std::vector<NamedLinear> adaptableLinears() = 0;

  /// A trained soft prompt (prompt tuning, core/peft/prompt_tuning.h): (N, C) embeddings put
  /// before the token embeddings of every sequence a forward pass starts (no cache, or an empty
  /// one) and cut from the hidden states returned, so callers see their own positions only; a
  /// cache that is not empty already holds them. Undefined: none.
  void setSoftPrompt(torch::Tensor prompt) { soft_prompt_ = std::move(prompt); }
  /// Prefix tuning's per-layer keys and values (null: none). They take the first positions of
  /// every sequence a forward pass starts: without a cache the layers attend to them directly, and
  /// an empty cache is filled with them first, so generation and chat run unchanged. The model
  /// shares the prefix with its owner, which detaches it before it goes.
  void setAttentionPrefix(std::shared_ptr<AttentionPrefix> prefix) { attention_prefix_ = std::move(prefix); }
  /// Positions virtual tokens take before every sequence's own: a soft prompt's and a prefix's.
  int64_t virtualTokens() const {
    return (soft_prompt_.defined() ? soft_prompt_.size(0) : 0) + (attention_prefix_ ? attention_prefix_->length() : 0);
  }
  /// The positions left for tokens: the context less the virtual tokens'.
  int64_t tokenContext() const { return contextLength() - virtualTokens(); }

  /// Layers between the blocks' sublayers (bottleneck adapters, core/model/block_adapter.h);
  /// null: none. The model shares the adapter with its owner, which detaches it before it goes.
  void setBlockAdapter(std::shared_ptr<BlockAdapter> adapter) { block_adapter_ = std::move(adapter); }
  BlockAdapter* blockAdapter() const { return block_adapter_.get(); }

  /// Gradient checkpointing (block_checkpoint.h): while on, a pass that autograd records and that
  /// writes no KV cache keeps only each block's input and recomputes the block in the backward pass.
  void setGradientCheckpointing(bool on) { gradient_checkpointing_ = on; }
  bool gradientCheckpointing() const { return gradient_checkpointing_; }

  /// Final hidden states (B, T, C) of token ids; the loss uses them to avoid a second pass.
  torch::Tensor hidden(const torch::Tensor& ids, KvCache* cache = nullptr);
  /// ids: (B, T) int64 -> logits (B, T, V).
  torch::Tensor forward(const torch::Tensor& ids, KvCache* cache = nullptr) { return headLogits(hidden(ids, cache)); }
  /// Hidden states (..., C) -> logits (..., V) through the output head (a frozen head stored at lower
  /// precision, storeFrozenTables, is widened in row chunks).
  torch::Tensor headLogits(const torch::Tensor& hidden);
  /// QLoRA (`base-quant`): the frozen token embedding and output head stored in `dtype` (bf16), as
  /// bitsandbytes keeps them in the 16-bit compute dtype beside the 4-bit projections. Looked-up
  /// rows are widened back to the model's dtype, and the head's product widens a chunk of rows at a
  /// time (core/quant/row_chunked_linear.h), so neither table exists at full precision again. A
  /// table that trains (a module to save) is left as it is. Returns the bytes released.
  int64_t storeFrozenTables(torch::ScalarType dtype);
  /// A frozen base under `dtype` autocast (bf16): every frozen projection (AdaptableLinearImpl::
  /// storeFrozenIn) and a frozen head that is not the embedding are stored in `dtype`, which autocast
  /// casts them to on every forward pass anyway; the products are unchanged, bit for bit, and
  /// neither the fp32 originals nor autocast's per-pass copies exist. The token embedding stays: a
  /// lookup is not an autocast product. Only for a run that never saves the base (an adapter's).
  /// Returns the bytes freed.
  int64_t storeFrozenWeightsForAutocast(torch::ScalarType dtype);
  /// Mean next-token cross-entropy of (B, T) inputs against (B, T) targets; targets equal to
  /// -100 are ignored (the Hugging Face convention for unlabelled positions). With a frozen head
  /// on the CPU the logits are never whole (kernels::frozenHeadCrossEntropy).
  torch::Tensor loss(const torch::Tensor& ids, const torch::Tensor& targets);
  torch::Device device() { return headWeight().device(); }
  /// Parameters, each counted once (a tied head is not counted twice).
  int64_t parameterCount();

 protected:
  /// Whether the families' block loops run each block through checkpointBlock in this pass.
  bool checkpointsBlocks(const KvCache* cache) const {
    return gradient_checkpointing_ && cache == nullptr && torch::GradMode::is_enabled();
  }
  /// Embedding rows in the model's dtype (a table stored at lower precision is widened).
  torch::Tensor widenRows(const torch::Tensor& rows) const {
    return table_dtype_widened_to_ && rows.scalar_type() != *table_dtype_widened_to_ ? rows.to(*table_dtype_widened_to_)
                                                                                     : rows;
  }

 private:
  bool gradient_checkpointing_ = false;
  /// Set by storeFrozenTables: the dtype the tables had, which looked-up rows are widened to.
  std::optional<torch::ScalarType> table_dtype_widened_to_;
  torch::Tensor soft_prompt_;
  std::shared_ptr<AttentionPrefix> attention_prefix_;
  std::shared_ptr<BlockAdapter> block_adapter_;
};

using CausalLm = std::shared_ptr<CausalLmImpl>;

}  // namespace temper
