#include "core/methods/rl/group_rollouts.h"

#include "core/common/error.h"
#include "core/data/splitmix.h"
#include "core/methods/preference/completion_logps.h"

namespace temper {

uint64_t rolloutSeed(uint64_t run_seed, uint64_t draw, uint64_t slot) {
  return counterHash(counterHash(run_seed ^ 0x524C524F4C4C4F55ULL, draw), slot);
}

CompletionGroup sampleGroup(CausalLmImpl& model, const std::vector<int>& prompt, int64_t group_size,
                            const SamplingOptions& options, uint64_t seed) {
  std::vector<SamplingOptions> rows(static_cast<size_t>(group_size), options);
  for (size_t r = 0; r < rows.size(); ++r) rows[r].seed = counterHash(seed, r);
  const std::vector<int64_t> prompt_ids(prompt.begin(), prompt.end());
  const auto generated = generateBatch(model, prompt_ids, rows);
  CompletionGroup group;
  for (const auto& ids : generated) {
    group.completions.emplace_back(ids.begin(), ids.end());
    group.ended.push_back(options.eos_id >= 0 && !ids.empty() && ids.back() == options.eos_id ? 1 : 0);
  }
  return group;
}

RolloutBatch collateRollouts(const std::vector<const std::vector<int>*>& prompts,
                             const std::vector<const std::vector<int>*>& completions, int64_t pad_id,
                             const torch::Device& device) {
  if (prompts.empty() || prompts.size() != completions.size()) {
    throw Error(ErrorKind::Internal, "collateRollouts: one prompt per completion, at least one");
  }
  const auto rows = static_cast<int64_t>(prompts.size());
  int64_t longest = 0;
  for (size_t r = 0; r < prompts.size(); ++r) {
    if (completions[r]->empty()) throw Error(ErrorKind::Internal, "collateRollouts: an empty completion");
    longest = std::max<int64_t>(longest, static_cast<int64_t>(prompts[r]->size() + completions[r]->size()));
  }
  auto ids = torch::full({rows, longest}, pad_id, torch::kLong);
  auto mask = torch::zeros({rows, longest}, torch::kLong);
  auto id = ids.accessor<int64_t, 2>();
  auto m = mask.accessor<int64_t, 2>();
  RolloutBatch batch;
  for (int64_t r = 0; r < rows; ++r) {
    const auto& prompt = *prompts[static_cast<size_t>(r)];
    const auto& completion = *completions[static_cast<size_t>(r)];
    int64_t t = 0;
    for (int token : prompt) id[r][t++] = token;
    for (int token : completion) {
      id[r][t] = token;
      m[r][t++] = 1;
    }
    batch.tokens += t;
  }
  batch.ids = ids.to(device);
  batch.completion_mask = mask.to(device);
  batch.loss_mask = mask.slice(1, 1).to(torch::kFloat).to(device);
  return batch;
}

torch::Tensor rolloutTokenLogps(CausalLmImpl& model, const RolloutBatch& batch) {
  return completionTokenLogps(model.forward(batch.ids), batch.ids, batch.completion_mask);
}

}  // namespace temper
