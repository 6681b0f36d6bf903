#include "core/methods/preference/completion_logps.h"

#include "core/common/error.h"

namespace temper {

torch::Tensor completionTokenLogps(const torch::Tensor& logits, const torch::Tensor& ids,
                                   const torch::Tensor& completion_mask) {
  if (logits.dim() != 3 || ids.dim() != 2 || logits.size(0) != ids.size(0) || logits.size(1) != ids.size(1) ||
      completion_mask.sizes() != ids.sizes()) {
    throw Error(ErrorKind::Internal, "completion log-probs need logits [B, T, V], ids and a mask [B, T]");
  }
  const int64_t steps = ids.size(1) - 1;
  auto shifted = logits.narrow(1, 0, steps);
  if (shifted.scalar_type() != torch::kDouble) shifted = shifted.to(torch::kFloat);
  auto targets = ids.narrow(1, 1, steps).unsqueeze(-1);
  auto picked = shifted.gather(-1, targets).squeeze(-1);
  auto token_logps = picked - shifted.logsumexp(-1);
  auto mask = completion_mask.narrow(1, 1, steps).to(token_logps.scalar_type());
  return token_logps * mask;
}

SequenceLogps sequenceLogps(const torch::Tensor& logits, const torch::Tensor& ids,
                            const torch::Tensor& completion_mask) {
  auto token_logps = completionTokenLogps(logits, ids, completion_mask);
  auto tokens = completion_mask.narrow(1, 1, ids.size(1) - 1).to(token_logps.scalar_type()).sum(1);
  return {token_logps.sum(1), tokens};
}

}  // namespace temper
