#pragma once
/// Pretraining: next-token prediction over a packed token file (temper data prepare), on a GPT
/// built from scratch. The first method; later ones (continued pretraining, SFT, adapters, ...)
/// are siblings implementing the same TrainingTask.
#include <memory>

#include "core/data/batch_sampler.h"
#include "core/data/dataset_meta.h"
#include "core/data/token_file.h"
#include "core/model/gpt.h"
#include "core/tokenizer/tokenizer.h"
#include "core/train/training_task.h"

namespace temper {

struct PretrainSetup {
  GptConfig model;
  std::filesystem::path data_dir;
  std::filesystem::path tokenizer_file;  ///< copied into every saved model folder
  int64_t batch_size = 12;
  uint64_t seed = 1337;
  torch::Device device = torch::kCPU;
  std::vector<std::string> sample_prompts;
  int64_t sample_tokens = 64;
};

class PretrainTask : public TrainingTask {
 public:
  /// Opens the dataset, checks that both splits hold at least one window of ctx + 1 tokens and
  /// that its vocabulary fits the model, then builds and initialises the model (seeded).
  explicit PretrainTask(PretrainSetup setup);

  std::vector<std::pair<std::string, torch::Tensor>> trainableParameters() override;
  void setTraining(bool training) override;
  torch::Tensor nextMicroBatchLoss() override;
  int64_t tokensPerMicroBatch() const override;
  double validationLoss(int64_t batches) override;
  std::vector<SampleText> samples() override;
  Json dataState() const override;
  void restoreDataState(const Json& state) override;
  void saveModel(const std::filesystem::path& dir) override;
  void loadModelWeights(const std::filesystem::path& dir) override;

  Gpt& model() { return model_; }

 private:
  torch::Tensor toDevice(const std::vector<int64_t>& values) const;

  PretrainSetup setup_;
  DatasetMeta meta_;
  TokenFile train_tokens_;
  TokenFile val_tokens_;
  std::unique_ptr<BatchSampler> train_sampler_;
  std::unique_ptr<Tokenizer> tokenizer_;
  Gpt model_{nullptr};
  std::vector<int64_t> inputs_, targets_;  // reused micro-batch buffers
};

}  // namespace temper
