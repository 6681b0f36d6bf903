#include "core/model/causal_lm.h"

#include <set>

#include "core/model/kernels/cross_entropy.h"

namespace temper {

torch::Tensor CausalLmImpl::hidden(const torch::Tensor& ids, KvCache* cache) {
  torch::Tensor tokens = embed(ids);
  if (!soft_prompt_.defined() || (cache != nullptr && cache->length() > 0)) return hiddenFromEmbeddings(tokens, cache);
  // As PEFT's prompt tuning: the virtual tokens take the first positions of every sequence.
  const int64_t virtual_tokens = soft_prompt_.size(0), batch = tokens.size(0);
  const torch::Tensor prompt =
      soft_prompt_.to(tokens.dtype()).unsqueeze(0).expand({batch, virtual_tokens, soft_prompt_.size(1)});
  return hiddenFromEmbeddings(torch::cat({prompt, tokens}, 1), cache).narrow(1, virtual_tokens, tokens.size(1));
}

torch::Tensor CausalLmImpl::loss(const torch::Tensor& ids, const torch::Tensor& targets) {
  auto logits = forward(ids);
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
