#pragma once
/// Next-token prediction over a packed token file (temper data prepare): `pretrain` on a GPT built
/// from scratch, and `continued-pretrain` on a base model loaded from a Hugging Face folder — the
/// same objective, only the model's origin differs (model_source.h).
#include <memory>

#include "core/data/batch_sampler.h"
#include "core/data/dataset_meta.h"
#include "core/data/token_file.h"
#include "core/methods/model_source.h"
#include "core/tokenizer/tokenizer.h"
#include "core/train/training_task.h"

namespace temper {

struct PretrainSetup {
  ModelSource source;   ///< the model to train (already on the CPU, initialised or loaded)
  int64_t context = 0;  ///< training window; 0: the model's context
  std::filesystem::path data_dir;
  DatasetMeta meta;  ///< data_dir's meta.json, read once by the method's setup
  int64_t batch_size = 12;
  uint64_t seed = 1337;
  torch::Device device = torch::kCPU;
  std::vector<std::string> sample_prompts;
  int64_t sample_tokens = 64;
};

class PretrainTask : public TrainingTask {
 public:
  /// Opens the dataset, checks that both splits hold at least one window of ctx + 1 tokens and
  /// that its vocabulary fits the model, then moves the model to the device.
  explicit PretrainTask(PretrainSetup setup);

  std::vector<std::pair<std::string, torch::Tensor>> trainableParameters() override;
  double learningRateScale(const std::string& name) const override { return learningRateScaleOf(setup_.source, name); }
  void setTraining(bool training) override;
  torch::Tensor nextMicroBatchLoss() override;
  int64_t tokensPerMicroBatch() const override;
  double validationLoss(int64_t batches) override;
  std::vector<SampleText> samples() override;
  Json dataState() const override;
  void restoreDataState(const Json& state) override;
  void saveModel(const std::filesystem::path& dir) override;
  void loadModelWeights(const std::filesystem::path& dir) override;

  CausalLmImpl& model() { return *model_; }
  int64_t context() const { return context_; }

 private:
  torch::Tensor toDevice(const std::vector<int64_t>& values) const;

  PretrainSetup setup_;
  DatasetMeta meta_;
  TokenFile train_tokens_;
  TokenFile val_tokens_;
  std::unique_ptr<BatchSampler> train_sampler_;
  std::unique_ptr<Tokenizer> tokenizer_;
  CausalLm model_;
  int64_t context_ = 0;
  std::vector<int64_t> inputs_, targets_;  // reused micro-batch buffers
};

}  // namespace temper
