#pragma once
/// What the online methods (GRPO, RLOO, PPO) share between sampling and their losses: a batch of
/// prompts' completions sampled and rewarded, the measures every one of them reports about its
/// rollouts, validation on held-out prompts with seeds fixed for the run, and the tensors a
/// checkpoint keeps mid-way through reused rollouts.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/common/json_io.h"
#include "core/methods/model_source.h"
#include "core/methods/rl/completion_rewards.h"
#include "core/methods/rl/group_rollouts.h"
#include "core/methods/rl/rl_prompts.h"
#include "core/tokenizer/tokenizer.h"
#include "core/train/training_task.h"

namespace temper {

/// `group_size` completions of each of a split's prompts, rewarded.
struct ScoredRollouts {
  std::vector<int64_t> prompts;  ///< per completion: its prompt's index in the split
  std::vector<std::vector<int>> completions;
  std::vector<char> ended;         ///< sampled eos within the budget
  std::vector<std::string> texts;  ///< decoded, eos removed
  ScoredCompletions rewards;
  int64_t generated_tokens = 0;
  double generation_s = 0;
};

/// What sampling needs: the policy, its tokenizer, the rewards, the run's seed.
struct RolloutSampler {
  CausalLmImpl* model = nullptr;
  const Tokenizer* tokenizer = nullptr;
  CompletionRewards* rewards = nullptr;
  uint64_t run_seed = 0;

  /// Samples `group_size` completions of each of `split`'s `prompt_indices` (adjacent per prompt),
  /// seeded by rolloutSeed(run_seed, draw, slot), and rewards them.
  ScoredRollouts sample(const RlPrompts& split, const std::vector<int64_t>& prompt_indices, int64_t group_size,
                        uint64_t draw, const SamplingOptions& sampling) const;
};

/// A method's measures of the micro-batches since the last take(), each name averaged over the
/// values added (what TrainingTask::takeStepMetrics reports after each optimizer step).
class StepMeasures {
 public:
  void add(const std::string& name, double value);
  /// The means, and a fresh start for the next step.
  std::map<std::string, double> take();

 private:
  std::map<std::string, std::pair<double, int64_t>> sums_;
};

/// The mean of `values` (0 for none).
double meanOf(const std::vector<double>& values);
/// The mean over groups of each group's std (Bessel), as TRL's reward_std; 0 for groups of one.
double meanGroupStd(const std::vector<double>& rewards, int64_t group_size);
/// Groups whose rewards are all equal (no signal for a group-relative advantage).
int64_t flatGroups(const std::vector<double>& rewards, int64_t group_size);

/// The measures every online method reports about a batch of rollouts, as TRL names them:
/// reward, reward_std, each part (rewards/<kind>), completions/mean_length,
/// completions/clipped_ratio, rollout_tokens_per_s.
std::map<std::string, double> rolloutMeasures(const ScoredRollouts& rollouts, int64_t group_size);

/// Each completion's KL to the reference, Σ over its tokens of log π − log π_ref (the k1 sum RLOO
/// and PPO take off the reward), for the samples a validation shows; prompts and completions are
/// token ids, one pair per completion.
using SampleKls = std::function<std::vector<double>(const std::vector<const std::vector<int>*>& prompts,
                                                    const std::vector<const std::vector<int>*>& completions)>;

/// SampleKls of a policy against its reference as the online methods hold it (`reference` for full
/// weights, else the policy with the source's adapter detached: underReference).
SampleKls referenceSampleKls(CausalLmImpl& policy, const CausalLm& reference, ModelSource& source, int64_t pad_id,
                             const torch::Device& device);

/// Validation of an online method: `group_size` completions of each of the first `batches` ×
/// `batch_size` held-out prompts, with seeds fixed for the run (the same at every evaluation,
/// never a training draw's), and their measures; `samples` gets the first completion of the first
/// `sample_count` prompts with its scores, and its `kl` when `sample_kls` is given (a method
/// with a reference).
struct RolloutValidation {
  std::map<std::string, double> metrics;  ///< reward, reward_std, the parts, the lengths
  std::vector<SampleText> samples;
  double mean_reward = 0;
};
RolloutValidation validateRollouts(const RolloutSampler& sampler, const RlPrompts& val, int64_t batches,
                                   int64_t batch_size, int64_t group_size, const SamplingOptions& sampling,
                                   int64_t sample_count, const SampleKls& sample_kls = {});

/// A tensor kept in a checkpoint's data state (float32 values are exact in JSON's doubles);
/// null for an undefined tensor.
Json tensorToJson(const torch::Tensor& t);
torch::Tensor tensorFromJson(const Json& j, const torch::Device& device);

}  // namespace temper
