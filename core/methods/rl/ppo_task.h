#pragma once
/// PPO against a reward (docs/preference-training.md, "ppo"), as TRL's PPOTrainer defines it: one
/// completion per prompt sampled with the KV cache, scored by the rule rewards and/or a reward
/// model (less `missing_eos_penalty` for a completion the budget cut); per-token rewards
/// −kl_coef·KL(policy ‖ reference) with the score on the completion's last token; the values of
/// a value head; GAE (γ, λ) backwards over each completion; advantages whitened; then `ppo_epochs`
/// optimizer steps over the same rollouts with the clipped policy loss plus vf_coef times the
/// clipped value loss (policy_losses.h has the formulas). With `target_kl` > 0 the KL coefficient
/// adapts after each batch of rollouts (Ziegler et al. 2019): kl_coef ×= 1 + clip(KL/target − 1,
/// ±0.2) · n / horizon.
///
/// *Decision: the value head sits on the policy's trunk* (a Linear(hidden, 1) with bias on the
/// final hidden state, as TRL's AutoModelForCausalLMWithValueHead), so PPO holds the policy, the
/// frozen reference (under PEFT: the policy with its adapter detached, no copy) and the reward
/// model, not a fourth model; the value loss trains the trunk (or the adapter) with the policy. The
/// head is saved beside the model as value_head.safetensors (a resumed run needs it; transformers
/// ignores the file).
///
/// One batch of rollouts is grad_accum × num_mini_batches micro-batches of batch_size prompts,
/// all sampled by the policy of the cycle's first step (TRL's batch of num_mini_batches
/// mini-batches); it is kept for ppo_epochs × num_mini_batches optimizer steps, each over
/// grad_accum of its micro-batches, every epoch visiting the mini-batches in a new order (seeded
/// by the run's seed, the draw count and the epoch; with one mini-batch, in sampling order). The
/// data state keeps the rollouts mid-way, with the adaptive KL coefficient, so a resumed run
/// continues bit for bit.
#include <memory>

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

struct PpoSetup {
  ModelSource source;
  /// Full weights: the frozen reference (the base loaded a second time); null under an adapter.
  CausalLm reference;
  RlPromptSetup prompts;  ///< max_prompt_tokens and tokenizer_source are set by the task
  CompletionRewardSetup rewards;
  int64_t context = 0;
  int64_t batch_size = 8;  ///< prompts per micro-batch, one completion each
  int64_t grad_accum = 1;
  int64_t max_completion_length = 256;
  double temperature = 0.7;
  double top_p = 1.0;
  int64_t top_k = 0;
  int64_t ppo_epochs = 4;
  int64_t num_mini_batches = 1;  ///< optimizer steps per epoch over one batch of rollouts
  double kl_coef = 0.05;
  KlEstimator kl_estimator = KlEstimator::K1;
  double cliprange = 0.2;
  double cliprange_value = 0.2;
  double vf_coef = 0.1;
  double gamma = 1.0;
  double lam = 0.95;
  bool whiten_rewards = false;
  double missing_eos_penalty = 0;  ///< taken off the score of a completion without eos; 0: none
  double target_kl = 0;            ///< > 0: the adaptive KL controller's target
  double kl_horizon = 10000;
  uint64_t seed = 1337;
  torch::Device device = torch::kCPU;
  int64_t sample_count = 2;
};

class PpoTask : public TrainingTask {
 public:
  explicit PpoTask(PpoSetup setup);
  ~PpoTask() override;

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
  double klCoefficient() const { return kl_coef_; }

  /// One micro-batch's rollouts with what the losses need of them ([R, T − 1] per token).
  struct Rollout {
    std::vector<int64_t> prompts;
    std::vector<std::vector<int>> completions;
    std::vector<char> ended;
    torch::Tensor old_logps;
    torch::Tensor old_values;
    torch::Tensor advantages;  ///< whitened
    torch::Tensor returns;
  };

 private:
  Rollout newRollout();
  RolloutBatch batchOf(const Rollout& rollout) const;
  /// Log-probabilities and values of the batch's completion tokens in one pass over the trunk.
  std::pair<torch::Tensor, torch::Tensor> logpsAndValues(const RolloutBatch& batch, torch::Tensor* entropy = nullptr);

  /// The order in which epoch `epoch_` visits the kept micro-batches.
  std::vector<size_t> epochOrder() const;

  PpoSetup setup_;
  CausalLm model_;
  torch::nn::Linear value_head_{nullptr};
  std::unique_ptr<Tokenizer> tokenizer_;
  int64_t pad_id_ = 0;
  RlPromptData data_;
  std::unique_ptr<CompletionRewards> rewards_;
  std::unique_ptr<ExampleSampler> sampler_;
  RolloutSampler rollout_sampler_;
  SamplingOptions sampling_;
  int64_t context_ = 0;
  int64_t last_tokens_ = 0;
  double kl_coef_ = 0;
  uint64_t draws_ = 0;
  int64_t micro_ = 0;
  int64_t mini_ = 0;  ///< the mini-batch of the epoch
  int64_t epoch_ = 0;
  std::vector<Rollout> kept_;
  std::vector<size_t> order_;  ///< the epoch's order of kept_ (mini-batch m: grad_accum from m × grad_accum)
  StepMeasures step_measures_;
  std::map<std::string, double> val_metrics_;
  std::vector<SampleText> val_samples_;
};

/// The file beside a PPO model that holds its value head (value_head.weight, value_head.bias).
inline constexpr const char* kValueHeadFile = "value_head.safetensors";

}  // namespace temper
