#include "core/model/causal_lm.h"

#include <set>

#include "core/model/kernels/cross_entropy.h"

namespace temper {

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
