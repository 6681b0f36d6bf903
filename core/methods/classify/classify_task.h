#pragma once
/// Classification head: the language-model head is replaced by `score`, a bias-free linear layer
/// (core/model/sequence_classifier.h) from the hidden state of each text's last token to one logit per label (as
/// transformers' *ForSequenceClassification models do). Labels are the distinct `label` values of the training records
/// ({"text","label"} JSONL, JSON or CSV), sorted; a base that is already a classifier keeps its own labels and head and
/// trains further. The backbone trains fully, or stays frozen except its last N blocks (`train-last-blocks`; 0 trains
/// the head alone, a linear probe), or stays frozen under a PEFT adapter (`peft`), which then
/// trains with the head and is saved as a SEQ_CLS adapter folder. Validation reports cross-entropy, accuracy, and per
/// label the correct and total counts. The head lives beside the model (not registered in it), so the family's own save
/// code never sees it. Saved in the *ForSequenceClassification layout (score.weight, id2label/label2id), so
/// transformers loads it as a classifier.
#include <memory>

#include "core/data/example_sampler.h"
#include "core/data/records.h"
#include "core/methods/classify/classifier_folder.h"
#include "core/methods/model_source.h"
#include "core/tokenizer/tokenizer.h"
#include "core/train/training_task.h"

namespace temper {

struct ClassifySetup {
  ModelSource source;
  std::vector<std::filesystem::path> train_files;
  std::vector<std::filesystem::path> val_files;  ///< empty: hold out val_fraction of the records
  double val_fraction = 0.1;
  int64_t context = 0;  ///< longest text in tokens (longer ones are cut); 0: the model's context
  int64_t batch_size = 8;
  uint64_t seed = 1337;
  torch::Device device = torch::kCPU;
  int64_t train_last_blocks = -1;  ///< -1: the whole backbone trains
  int64_t sample_count = 3;        ///< validation texts whose predictions are shown at each eval
};

struct LabelledText {
  std::vector<int> ids;  ///< as encodeClassifierText gives them; the head reads the last
  int64_t label = 0;
  std::string source;
};

class ClassifyTask : public TrainingTask {
 public:
  explicit ClassifyTask(ClassifySetup setup);

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

  const std::vector<std::string>& labels() const { return labels_; }
  int64_t context() const { return context_; }
  /// (B, K) logits of examples `indices` of `texts`.
  torch::Tensor logits(const std::vector<LabelledText>& texts, const std::vector<int64_t>& indices);
  int64_t trainableParameterCount();
  Json dataSummary() const;

 private:
  std::vector<LabelledText> encode(const std::vector<Record>& records, bool add_labels);
  /// `train-last-blocks`: everything before the last N blocks stops taking gradients.
  void freezeUntrainedBackbone();
  ClassifySetup setup_;
  CausalLm model_;
  torch::nn::Linear score_{nullptr};
  std::unique_ptr<Tokenizer> tokenizer_;
  std::vector<std::string> labels_;
  std::vector<LabelledText> train_, val_;
  int64_t truncated_ = 0;
  std::unique_ptr<ExampleSampler> sampler_;
  int64_t context_ = 0;
  int64_t last_tokens_ = 0;
  std::map<std::string, double> metrics_;
};

struct ClassifierInput {
  std::vector<int> ids;
  bool truncated = false;
};

/// The ids a classifier reads for `text`: the tokenizer's prefix (bos, when its post-processor
/// adds one), then the text, cut to `context` keeping the start (0: no limit). No eos is added:
/// transformers' *ForSequenceClassification reads the last non-pad token of exactly this, so a
/// model trained here predicts the same there.
ClassifierInput encodeClassifierText(const Tokenizer& tokenizer, const std::string& text, int64_t context);

/// The block index of a parameter name ("h.3.attn.c_attn.weight" -> 3, "model.layers.10.mlp..." ->
/// 10), or -1 for parameters outside the blocks (embeddings, final norm, head).
int64_t blockIndexOf(const std::string& name);

}  // namespace temper
