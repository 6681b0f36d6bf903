#pragma once
/// The reward model (docs/preference-training.md): a base model with a scalar head on the last
/// token, trained on preference pairs with the Bradley-Terry loss −logσ(r_chosen − r_rejected)
/// (plus TRL's optional center-rewards-coefficient · mean((r_c + r_r)²)), as TRL's RewardTrainer
/// trains AutoModelForSequenceClassification with num_labels 1. The head reads the position a
/// transformers classifier reads: the last token that is not the pad id, so a saved reward model
/// scores the same answer the same in transformers. Saved as a *ForSequenceClassification folder
/// with one label (or a SEQ_CLS adapter folder under `peft`); a one-label classifier base (a reward
/// model) trains further. Validation reports the loss, pairwise accuracy (the chosen answer scored
/// higher), the mean margin r_c − r_r, and the mean and spread of each side's rewards.
#include <memory>

#include "core/data/example_sampler.h"
#include "core/methods/model_source.h"
#include "core/methods/preference/pair_batch.h"
#include "core/methods/preference/preference_task_data.h"
#include "core/tokenizer/tokenizer.h"
#include "core/train/training_task.h"

namespace temper {

struct RewardModelSetup {
  ModelSource source;
  PreferenceTaskDataSetup data;  ///< max_tokens is set from `context` by the task
  int64_t context = 0;           ///< longest prompt + answer; 0: the model's context
  int64_t batch_size = 8;        ///< pairs per micro-batch (2 × as many sequences)
  uint64_t seed = 1337;
  torch::Device device = torch::kCPU;
  double center_rewards_coefficient = 0;
  int64_t sample_count = 3;  ///< validation pairs whose scores are shown at each eval
};

/// Rewards [2B] of `pairs` under a reward model (`backbone` and its (1, hidden) `score`): the chosen
/// answers' first, then the rejected. Each row is read where transformers reads it, the last
/// position whose id is not `pad_id` (classifierPadId; < 0: each row's last real token). `tokens`,
/// when given, receives the real tokens of the batch. Used by training, `temper eval` and `temper
/// reward`, so the three score alike.
torch::Tensor scorePairs(CausalLmImpl& backbone, const torch::Tensor& score,
                         const std::vector<const PreferenceExample*>& pairs, int64_t pad_id,
                         const torch::Device& device, int64_t* tokens = nullptr);

/// The label a reward model's config.json names (transformers' default for num_labels 1).
inline constexpr const char* kRewardLabel = "LABEL_0";

class RewardModelTask : public TrainingTask {
 public:
  explicit RewardModelTask(RewardModelSetup setup);

  std::vector<std::pair<std::string, torch::Tensor>> trainableParameters() override;
  double learningRateScale(const std::string& name) const override;
  void setTraining(bool training) override;
  torch::Tensor nextMicroBatchLoss() override;
  int64_t tokensPerMicroBatch() const override { return last_tokens_; }
  double validationLoss(int64_t batches) override;
  std::map<std::string, double> validationMetrics() const override { return metrics_; }
  std::vector<SampleText> samples() override;
  Json dataState() const override;
  void restoreDataState(const Json& state) override;
  void saveModel(const std::filesystem::path& dir) override;
  void loadModelWeights(const std::filesystem::path& dir) override;

  int64_t context() const { return context_; }
  Json dataSummary() const { return summary_; }
  /// Rewards [2B] of pairs `indices` of `examples`: the chosen answers' first, then the rejected.
  torch::Tensor pairScores(const PreferenceExamples& examples, const std::vector<int64_t>& indices);

 private:
  RewardModelSetup setup_;
  CausalLm model_;
  torch::nn::Linear score_{nullptr};
  std::unique_ptr<Tokenizer> tokenizer_;
  int64_t pad_id_ = 0;
  PreferenceTaskData data_;
  Json summary_;
  std::unique_ptr<ExampleSampler> sampler_;
  int64_t context_ = 0;
  int64_t last_tokens_ = 0;
  std::map<std::string, double> metrics_;
};

}  // namespace temper
