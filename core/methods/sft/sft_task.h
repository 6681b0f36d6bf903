#pragma once
/// Supervised finetuning: a base model learns the responses of instruction / chat / prompt-
/// completion data, with the loss on response tokens only (sft_examples.h says which tokens).
/// Validation reports the loss over response tokens and the share of them predicted exactly
/// (`token_accuracy`, as TRL logs it); samples continue the prompts of the first validation
/// examples, so each eval shows what the model now answers.
#include <memory>

#include "core/data/example_sampler.h"
#include "core/data/sft_examples.h"
#include "core/methods/model_source.h"
#include "core/tokenizer/tokenizer.h"
#include "core/train/training_task.h"

namespace temper {

struct SftSetup {
  ModelSource source;
  std::vector<std::filesystem::path> train_files;
  std::vector<std::filesystem::path> val_files;  ///< empty: hold out val_fraction of train_files' records
  double val_fraction = 0.1;
  int64_t context = 0;  ///< 0: the model's context
  int64_t batch_size = 8;
  uint64_t seed = 1337;
  torch::Device device = torch::kCPU;
  bool packing = false;
  bool drop_long = false;
  std::string response_template;
  std::string chat_template;                ///< a family name overriding the model's own; empty: the model's
  std::vector<std::string> sample_prompts;  ///< empty: the prompts of the first validation examples
  int64_t sample_count = 2;
  int64_t sample_tokens = 64;
};

class SftTask : public TrainingTask {
 public:
  /// Reads, splits and tokenizes the data (every error names its record), then moves the model
  /// to the device. Throws when no training or validation example is left.
  explicit SftTask(SftSetup setup);

  std::vector<std::pair<std::string, torch::Tensor>> trainableParameters() override;
  double learningRateScale(const std::string& name) const override { return learningRateScaleOf(setup_.source, name); }
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

  CausalLmImpl& model() { return *model_; }
  int64_t context() const { return context_; }
  /// Format, record and example counts of both splits (truncated, dropped, target tokens).
  Json dataSummary() const;

 private:
  SftSetup setup_;
  CausalLm model_;
  std::unique_ptr<Tokenizer> tokenizer_;
  SftExamples train_, val_;
  std::unique_ptr<ExampleSampler> sampler_;
  int64_t context_ = 0;
  int64_t last_tokens_ = 0;
  std::map<std::string, double> metrics_;
};

}  // namespace temper
