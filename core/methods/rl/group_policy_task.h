#pragma once
/// Online learning from rewards with groups of completions (docs/preference-training.md, "GRPO
/// and RLOO"), as TRL's GRPOTrainer and RLOOTrainer define it. Each micro-batch draws
/// `batch_size` prompts, samples `group_size` completions of each with the KV cache
/// (group_rollouts.h), rewards them (completion_rewards.h: rules and/or a reward model), and turns
/// the rewards into one advantage per completion:
///   grpo  r − the group's mean, scaled by the group's (or the batch's) std unless scale-rewards
///         none; the clipped per-token loss of policy_losses.h in its four aggregations, the
///         ratio per token or per sequence (GSPO), + β·KL_k3 to the reference per token
///   rloo  r − β·Σ_t(logπold − logπref) − the mean of the other completions' (leave one out),
///         optionally normalised over the batch; one clipped ratio per completion
/// With `num_iterations` μ > 1 the rollouts of one optimizer step (grad_accum micro-batches) are
/// kept and trained on for μ steps, the ratio taken against the policy that sampled them (the
/// clip then bites); with μ = 1 that policy is the current one and the ratio is 1 (its gradient
/// is the policy gradient). The reference (β > 0) is the base: loaded a second time for full
/// weights, the model with its adapter detached under PEFT.
///
/// Each step records the rollouts' measures (takeStepMetrics): reward and reward_std, each part
/// `rewards/<part>`, frac_reward_zero_std (groups whose rewards are all equal carry no signal),
/// completions/mean_length, completions/clipped_ratio (no eos within the budget), kl, the clip
/// shares, rollout_tokens_per_s. Validation samples `group_size` completions of each held-out
/// prompt with seeds fixed for the run (comparable across evaluations) and reports their reward
/// and parts; val_loss is the negated mean reward, so lower is better as for every method.
/// Sampling seeds derive from the run's seed and the number of draws, which the data state
/// keeps with the sampler's position and, mid-way through μ iterations, the kept rollouts: a
/// resumed run continues bit for bit.
#include <chrono>
#include <memory>
#include <optional>

#include "core/data/example_sampler.h"
#include "core/methods/model_source.h"
#include "core/methods/rl/completion_rewards.h"
#include "core/methods/rl/group_rollouts.h"
#include "core/methods/rl/policy_losses.h"
#include "core/methods/rl/rl_prompts.h"
#include "core/methods/rl/rollout_scoring.h"
#include "core/tokenizer/tokenizer.h"
#include "core/train/training_task.h"

namespace temper {

enum class GroupObjective { Grpo, Rloo };

struct GroupPolicySetup {
  ModelSource source;
  /// Full weights with beta > 0: the frozen reference (the base loaded a second time). Null
  /// under an adapter (the base without it is the reference) and without a KL term.
  CausalLm reference;
  RlPromptSetup prompts;  ///< max_prompt_tokens and tokenizer_source are set by the task
  CompletionRewardSetup rewards;
  GroupObjective objective = GroupObjective::Grpo;
  int64_t context = 0;     ///< longest prompt + completion; 0: the model's context
  int64_t batch_size = 4;  ///< prompts per micro-batch (× group_size completions)
  int64_t grad_accum = 1;  ///< micro-batches per optimizer step: what μ iterations keep
  int64_t group_size = 8;
  int64_t max_completion_length = 256;
  double temperature = 1.0;
  double top_p = 1.0;
  int64_t top_k = 0;
  int64_t num_iterations = 1;
  GrpoOptions grpo;  ///< kind, level, epsilon_low/high, beta (also RLOO's β and clip range)
  AdvantageScale scale = AdvantageScale::Group;
  bool normalize_advantages = false;  ///< rloo
  bool mask_truncated = false;        ///< completions without eos carry no loss (DAPO)
  uint64_t seed = 1337;
  torch::Device device = torch::kCPU;
  int64_t sample_count = 2;  ///< validation prompts whose completions are shown at each eval
};

class GroupPolicyTask : public TrainingTask {
 public:
  explicit GroupPolicyTask(GroupPolicySetup setup);
  ~GroupPolicyTask() override;

  std::vector<std::pair<std::string, torch::Tensor>> trainableParameters() override;
  double learningRateScale(const std::string& name) const override;
  void setTraining(bool training) override;
  torch::Tensor nextMicroBatchLoss() override;
  int64_t tokensPerMicroBatch() const override { return last_tokens_; }
  double validationLoss(int64_t batches) override;
  std::map<std::string, double> validationMetrics() const override { return val_metrics_; }
  std::map<std::string, double> takeStepMetrics() override;
  std::vector<SampleText> samples() override;
  Json dataState() const override;
  void restoreDataState(const Json& state) override;
  void saveModel(const std::filesystem::path& dir) override;
  void loadModelWeights(const std::filesystem::path& dir) override;

  int64_t context() const { return context_; }
  Json dataSummary() const { return data_.summary; }

  /// One micro-batch's completions with what the loss needs of them.
  struct Rollout {
    std::vector<int64_t> prompts;               ///< per completion: its prompt's index in the split
    std::vector<std::vector<int>> completions;  ///< eos included when sampled
    std::vector<char> ended;
    std::vector<double> advantages;
    torch::Tensor old_logps;        ///< [R, T − 1]; undefined until the first pass (μ = 1: never kept)
    torch::Tensor reference_logps;  ///< [R, T − 1] when β > 0
  };

 private:
  Rollout newRollout();
  RolloutBatch batchOf(const Rollout& rollout) const;

  GroupPolicySetup setup_;
  CausalLm model_;
  std::unique_ptr<Tokenizer> tokenizer_;
  int64_t pad_id_ = 0;
  RlPromptData data_;
  std::unique_ptr<CompletionRewards> rewards_;
  std::unique_ptr<ExampleSampler> sampler_;
  RolloutSampler sampler_rollouts_;
  SamplingOptions sampling_;
  int64_t context_ = 0;
  int64_t last_tokens_ = 0;
  uint64_t draws_ = 0;         ///< rollouts sampled so far (the sampling seeds count them)
  int64_t micro_ = 0;          ///< micro-batch within the optimizer step
  int64_t iteration_ = 0;      ///< of num_iterations over the kept rollouts
  std::vector<Rollout> kept_;  ///< this step's rollouts while μ > 1
  StepMeasures step_measures_;
  std::map<std::string, double> val_metrics_;
  std::vector<SampleText> val_samples_;
};

}  // namespace temper
