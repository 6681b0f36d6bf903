#pragma once
/// Learning a policy directly from preference pairs (docs/preference-training.md): DPO and its
/// loss variants against a frozen reference, KTO (each answer alone desirable or not, against the
/// reference), and the reference-free SimPO and ORPO, as TRL's DPO, KTO and CPO/ORPO trainers
/// define them (preference_losses.h has the formulas). Each pair is one forward pass over chosen
/// and rejected together (pair_batch.h); a completion's log-probability is summed over its answer
/// tokens. KTO's KL estimate comes from mismatched prompts and answers: the batch's answers are
/// cycled by one, as TRL's collator cycles them, and scored without gradients.
///
/// The reference of DPO and KTO is the base as it was: with full weights a second, frozen copy loaded
/// from the base folder; under a PEFT adapter the same model with the adapter taken out for the
/// reference's forward pass (no second copy, as TRL does with a PEFT model), computed per batch
/// under no-grad, or (`precompute-ref`, dpo) once for every pair before the first step and cached in
/// the workspace (reference_logps_cache.h). Validation reports the loss and TRL's metrics: rewards/chosen,
/// rewards/rejected, rewards/accuracies, rewards/margins, logps/chosen, logps/rejected (means
/// over the validation pairs), for ORPO nll_loss, log_odds_ratio and log_odds_chosen, for KTO kl. Samples
/// continue the prompts of the first validation pairs, greedily, so each eval shows what the
/// policy now answers. Saved like SFT: a model folder, or an adapter folder under `peft`.
#include <memory>
#include <optional>

#include "core/data/example_sampler.h"
#include "core/methods/dpo/reference_logps_cache.h"
#include "core/methods/model_source.h"
#include "core/methods/preference/pair_batch.h"
#include "core/methods/preference/preference_losses.h"
#include "core/methods/preference/preference_task_data.h"
#include "core/tokenizer/tokenizer.h"
#include "core/train/training_task.h"

namespace temper {

enum class PairObjective { Dpo, Kto, Simpo, Orpo };

/// DPO and KTO compare the policy with a frozen reference; SimPO and ORPO need none.
inline bool needsReference(PairObjective objective) {
  return objective == PairObjective::Dpo || objective == PairObjective::Kto;
}

struct PairPreferenceSetup {
  ModelSource source;
  /// DPO and KTO with full weights: the frozen reference (the base loaded a second time). Null under an
  /// adapter (the base without it is the reference) and for the reference-free objectives.
  CausalLm reference;
  PreferenceTaskDataSetup data;  ///< max_tokens is set from `context` by the task
  int64_t context = 0;           ///< longest prompt + answer; 0: the model's context
  int64_t batch_size = 8;        ///< pairs per micro-batch (2 × as many sequences)
  uint64_t seed = 1337;
  torch::Device device = torch::kCPU;
  PairObjective objective = PairObjective::Dpo;
  DpoLossKind dpo_loss = DpoLossKind::Sigmoid;
  double beta = 0.1;
  double label_smoothing = 0;  ///< dpo-loss robust
  double simpo_gamma = 1.0;
  double desirable_weight = 1.0;  ///< kto
  double undesirable_weight = 1.0;
  int64_t sample_count = 2;
  int64_t sample_tokens = 64;
  /// `precompute-ref` (dpo): where the reference's log-probabilities of every pair are kept
  /// (reference_logps_cache.h); empty: the reference scores each batch as it comes.
  std::filesystem::path reference_cache_dir;
};

class PairPreferenceTask : public TrainingTask {
 public:
  explicit PairPreferenceTask(PairPreferenceSetup setup);

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
  Json dataSummary() const { return data_.summary; }

 private:
  struct BatchLoss {
    torch::Tensor loss;
    PairLogps policy;
    PairLoss rewards;
    std::map<std::string, double> extra;  ///< ORPO's parts
  };
  BatchLoss batchLoss(const PreferenceExamples& examples, const std::vector<int64_t>& indices);
  /// The reference's log-probabilities of the batch (no gradient).
  PairLogps referenceLogps(const PairBatch& batch);
  /// The same for the batch of `examples`' `indices`: precomputed when `precompute-ref`, else
  /// referenceLogps(batch).
  PairLogps referenceLogpsOf(const PairBatch& batch, const PreferenceExamples& examples,
                             const std::vector<int64_t>& indices);
  /// `precompute-ref`: every pair's reference log-probabilities, read from the workspace's cache
  /// or computed now; the full-weight reference copy is released after.
  void precomputeReferenceLogps();
  /// KTO on the batch's 2B answers (chosen desirable, rejected not), the KL term from `pairs`'
  /// answers cycled by one.
  BatchLoss ktoBatchLoss(const std::vector<const PreferenceExample*>& pairs, const PairBatch& batch,
                         const PairLogps& policy);

  PairPreferenceSetup setup_;
  CausalLm model_;
  std::unique_ptr<Tokenizer> tokenizer_;
  int64_t pad_id_ = 0;
  PreferenceTaskData data_;
  std::unique_ptr<ExampleSampler> sampler_;
  int64_t context_ = 0;
  int64_t last_tokens_ = 0;
  std::map<std::string, double> metrics_;
  std::optional<PrecomputedReference> precomputed_;
};

}  // namespace temper
