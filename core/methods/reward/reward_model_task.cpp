#include "core/methods/reward/reward_model_task.h"

#include <cmath>
#include <cstdio>

#include "core/common/error.h"
#include "core/methods/classify/classifier_folder.h"
#include "core/methods/preference/preference_losses.h"
#include "core/model/sequence_classifier.h"
#include "core/tokenizer/tokenizer_open.h"

namespace temper {
namespace {

std::string shortText(std::string text, size_t limit) {
  if (text.size() > limit) text = text.substr(0, limit) + "…";
  return text;
}

/// Mean and population spread of `values`.
std::pair<double, double> meanAndSpread(const std::vector<double>& values) {
  if (values.empty()) return {0.0, 0.0};
  double sum = 0;
  for (double v : values) sum += v;
  const double mean = sum / static_cast<double>(values.size());
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  return {mean, std::sqrt(squares / static_cast<double>(values.size()))};
}

}  // namespace

RewardModelTask::RewardModelTask(RewardModelSetup setup) : setup_(std::move(setup)) {
  model_ = setup_.source.model;
  const bool from_classifier = setup_.source.classifier_score.defined();
  if (from_classifier && setup_.source.classifier_labels.size() != 1) {
    throwInputError(setup_.source.base_dir.string() + ": a reward model trains further from a reward model (a " +
                    "classifier with one label); this classifier has " +
                    std::to_string(setup_.source.classifier_labels.size()) + " labels");
  }
  context_ = trainingContext(*model_, setup_.context, setup_.source.peft.virtualTokens());
  tokenizer_ = openTokenizer(setup_.source.tokenizer);
  pad_id_ = classifierPadId(*tokenizer_);
  setup_.data.max_tokens = context_;
  setup_.data.tokenizer_source = setup_.source.tokenizer;
  setup_.data.seed = setup_.seed;
  data_ = loadPreferenceTaskData(setup_.data, *tokenizer_);
  summary_ = data_.summary;

  // The head: the base reward model's, or N(0, 0.02) like a fresh transformers classifier head.
  torch::manual_seed(setup_.seed);
  score_ = torch::nn::Linear(torch::nn::LinearOptions(model_->hiddenSize(), 1).bias(false));
  {
    torch::NoGradGuard no_grad;
    if (from_classifier) {
      score_->weight.copy_(setup_.source.classifier_score);
    } else {
      score_->weight.normal_(0.0, 0.02);
    }
  }
  if (!setup_.source.peft.adapter()) {
    // The language-model head is not part of a classifier; everything else trains.
    for (auto& item : model_->named_parameters()) item.value().set_requires_grad(!item.key().starts_with("lm_head."));
  }
  sampler_ = std::make_unique<ExampleSampler>(static_cast<int64_t>(data_.train.examples.size()), setup_.batch_size,
                                              setup_.seed);
  model_->to(setup_.device);
  score_->to(setup_.device);
  startTraining(setup_.source, setup_.seed);
}

std::vector<std::pair<std::string, torch::Tensor>> RewardModelTask::trainableParameters() {
  return classifierTrainableParameters(setup_.source, *model_, score_->weight);
}

double RewardModelTask::learningRateScale(const std::string& name) const {
  return learningRateScaleOf(setup_.source, name);
}

void RewardModelTask::setTraining(bool training) {
  setTrainingMode(setup_.source, *model_, training);
  score_->train(training);
}

torch::Tensor scorePairs(CausalLmImpl& backbone, const torch::Tensor& score,
                         const std::vector<const PreferenceExample*>& pairs, int64_t pad_id,
                         const torch::Device& device, int64_t* tokens) {
  const PairBatch batch = collatePairs(pairs, std::max(pad_id, int64_t{0}), device);
  if (tokens != nullptr) *tokens = batch.tokens;
  // Without a pad id (a tokenizer with neither pad nor eos) each row's last real token.
  const torch::Tensor last = pad_id >= 0 ? lastNonPadPositions(batch.ids, pad_id) : batch.lengths - 1;
  return classifierLogits(backbone, score, batch.ids, last).squeeze(-1);
}

torch::Tensor RewardModelTask::pairScores(const PreferenceExamples& examples, const std::vector<int64_t>& indices) {
  std::vector<const PreferenceExample*> pairs;
  pairs.reserve(indices.size());
  for (int64_t i : indices) pairs.push_back(&examples.examples[static_cast<size_t>(i)]);
  return scorePairs(*model_, score_->weight, pairs, pad_id_, setup_.device, &last_tokens_);
}

torch::Tensor RewardModelTask::nextMicroBatchLoss() {
  const auto scores = pairScores(data_.train, sampler_->next());
  const int64_t pairs = scores.size(0) / 2;
  return bradleyTerryLoss(scores.narrow(0, 0, pairs), scores.narrow(0, pairs, pairs), torch::Tensor(),
                          setup_.center_rewards_coefficient)
      .loss;
}

double RewardModelTask::validationLoss(int64_t batches) {
  torch::NoGradGuard no_grad;
  const auto count = static_cast<int64_t>(data_.val.examples.size());
  std::vector<double> chosen, rejected;
  double loss_sum = 0;
  for (int64_t b = 0; b < batches && b * setup_.batch_size < count; ++b) {
    std::vector<int64_t> indices;
    for (int64_t i = b * setup_.batch_size; i < std::min(count, (b + 1) * setup_.batch_size); ++i) indices.push_back(i);
    const auto scores = pairScores(data_.val, indices).to(torch::kCPU, torch::kDouble);
    const auto pairs = static_cast<int64_t>(indices.size());
    const auto c = scores.narrow(0, 0, pairs), r = scores.narrow(0, pairs, pairs);
    loss_sum += bradleyTerryLoss(c, r, torch::Tensor(), setup_.center_rewards_coefficient).loss.item<double>() * pairs;
    for (int64_t i = 0; i < pairs; ++i) {
      chosen.push_back(c[i].item<double>());
      rejected.push_back(r[i].item<double>());
    }
  }
  metrics_.clear();
  const auto seen = static_cast<double>(chosen.size());
  if (chosen.empty()) return 0.0;
  double correct = 0, margin = 0;
  for (size_t i = 0; i < chosen.size(); ++i) {
    correct += chosen[i] > rejected[i] ? 1.0 : 0.0;
    margin += chosen[i] - rejected[i];
  }
  const auto [chosen_mean, chosen_spread] = meanAndSpread(chosen);
  const auto [rejected_mean, rejected_spread] = meanAndSpread(rejected);
  metrics_ = {{"accuracy", correct / seen},       {"margin", margin / seen},
              {"chosen_reward", chosen_mean},     {"chosen_reward_std", chosen_spread},
              {"rejected_reward", rejected_mean}, {"rejected_reward_std", rejected_spread}};
  return loss_sum / seen;
}

std::vector<SampleText> RewardModelTask::samples() {
  torch::NoGradGuard no_grad;
  std::vector<SampleText> out;
  const int64_t n = std::min<int64_t>(setup_.sample_count, static_cast<int64_t>(data_.val.examples.size()));
  if (n <= 0) return out;
  std::vector<int64_t> indices(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) indices[static_cast<size_t>(i)] = i;
  const auto scores = pairScores(data_.val, indices).to(torch::kCPU, torch::kDouble);
  for (int64_t i = 0; i < n; ++i) {
    const auto& e = data_.val.examples[static_cast<size_t>(i)];
    const std::string prompt = shortText(tokenizer_->decode(e.prompt), 160);
    char line[512];
    std::snprintf(line, sizeof(line), "chosen (r=%.3f): %s\nrejected (r=%.3f): %s", scores[i].item<double>(),
                  shortText(tokenizer_->decode(e.chosen), 160).c_str(), scores[n + i].item<double>(),
                  shortText(tokenizer_->decode(e.rejected), 160).c_str());
    out.push_back({prompt, prompt + "\n" + line});
  }
  return out;
}

Json RewardModelTask::dataState() const { return Json{{"train_batches_drawn", sampler_->position()}}; }

void RewardModelTask::restoreDataState(const Json& state) {
  sampler_->setPosition(state.at("train_batches_drawn").get<uint64_t>());
}

void RewardModelTask::saveModel(const std::filesystem::path& dir) {
  saveClassifierFolder(setup_.source, *model_, score_->weight, {kRewardLabel}, *tokenizer_, dir);
}

void RewardModelTask::loadModelWeights(const std::filesystem::path& dir) {
  loadClassifierFolderWeights(setup_.source, *model_, score_->weight, dir);
}

}  // namespace temper
