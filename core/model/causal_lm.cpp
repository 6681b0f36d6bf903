#include "core/model/causal_lm.h"

#include <set>

#include "core/model/kernels/cross_entropy.h"
#include "core/quant/product_dtype.h"
#include "core/quant/row_chunked_linear.h"

namespace temper {

torch::Tensor CausalLmImpl::hidden(const torch::Tensor& ids, KvCache* cache) {
  torch::Tensor x = embed(ids);
  // Virtual tokens come first in every sequence; a cache that is not empty already holds them.
  const bool starts = cache == nullptr || cache->length() == 0;
  const int64_t batch = x.size(0);
  int64_t prompt_tokens = 0;
  if (soft_prompt_.defined() && starts) {
    // As PEFT's prompt tuning: the soft prompt's rows go before the token embeddings.
    prompt_tokens = soft_prompt_.size(0);
    x = torch::cat({soft_prompt_.to(x.dtype()).unsqueeze(0).expand({batch, prompt_tokens, soft_prompt_.size(1)}), x},
                   1);
  }
  torch::Tensor prefix;
  if (attention_prefix_ && starts) {
    // As PEFT's prefix tuning, which passes the prefixes as past_key_values: the cache starts
    // with them, or, without one, every layer attends to them as to earlier positions.
    prefix = attention_prefix_->keysValues();
    if (cache != nullptr) {
      for (int64_t layer = 0; layer < prefix.size(0); ++layer) {
        auto expand = [&](const torch::Tensor& t) { return t.unsqueeze(0).expand({batch, -1, -1, -1}); };
        cache->append(layer, expand(prefix[layer][0]), expand(prefix[layer][1]));
      }
      cache->advance(prefix.size(3));
      prefix = torch::Tensor();
    }
  }
  torch::Tensor h = hiddenFromEmbeddings(x, cache, prefix);
  return prompt_tokens > 0 ? h.narrow(1, prompt_tokens, h.size(1) - prompt_tokens) : h;
}

torch::Tensor CausalLmImpl::headLogits(const torch::Tensor& hidden) {
  const torch::Tensor weight = headWeight();
  // A head already in the autocast dtype is one plain product (autocast casts the hidden states).
  if (weight.scalar_type() != hidden.scalar_type() && weight.scalar_type() != productDtype(hidden) &&
      !weight.requires_grad()) {
    return frozenLinearInRowChunks(hidden, weight);
  }
  return projectRows(hidden, weight, {});
}

int64_t CausalLmImpl::storeFrozenTables(torch::ScalarType dtype) {
  torch::NoGradGuard no_grad;
  int64_t released = 0;
  std::set<const void*> done;  // a tied head is the embedding
  for (torch::Tensor table : {embeddingWeight(), headWeight()}) {
    if (table.requires_grad() || table.scalar_type() == dtype || !done.insert(table.data_ptr()).second) continue;
    if (!table_dtype_widened_to_) table_dtype_widened_to_ = table.scalar_type();
    released += table.numel() * (table.element_size() - torch::elementSize(dtype));
    table.set_data(table.to(dtype));
  }
  return released;
}

int64_t CausalLmImpl::storeFrozenWeightsForAutocast(torch::ScalarType dtype) {
  int64_t freed = 0;
  for (NamedLinear& linear : adaptableLinears()) freed += linear.layer->storeFrozenIn(dtype);
  torch::Tensor head = headWeight();
  const bool tied = head.data_ptr() == embeddingWeight().data_ptr();
  if (!tied && !head.requires_grad() && head.scalar_type() != dtype && head.is_floating_point()) {
    torch::NoGradGuard no_grad;
    freed += head.numel() * (head.element_size() - torch::elementSize(dtype));
    head.set_data(head.to(dtype));
  }
  return freed;
}

torch::Tensor CausalLmImpl::loss(const torch::Tensor& ids, const torch::Tensor& targets) {
  const torch::Tensor h = hidden(ids);
  const torch::Tensor head = headWeight();
  // A frozen head (an adapter's run) needs no logits kept: they are made and consumed in chunks with
  // the loss. A head stored below the product's dtype (QLoRA's bf16 head in an fp32 run) keeps the
  // row-chunked product instead, which never widens it whole.
  if (!head.requires_grad() && h.requires_grad() && torch::GradMode::is_enabled() && h.device().is_cpu() &&
      static_cast<size_t>(head.element_size()) >= torch::elementSize(productDtype(h))) {
    return kernels::frozenHeadCrossEntropy(h, head, targets);
  }
  auto logits = headLogits(h);
  return kernels::crossEntropy(logits.view({-1, logits.size(-1)}), targets.reshape({-1}));
}

int64_t CausalLmImpl::parameterCount() {
  std::set<const void*> seen;  // tied weights share storage
  int64_t total = 0;
  for (const auto& p : parameters()) {
    if (seen.insert(p.data_ptr()).second) total += p.numel();
  }
  return total;
}

}  // namespace temper
