#include "core/methods/pretrain/pretrain_task.h"

#include "core/common/error.h"
#include "core/data/dataset_meta.h"
#include "core/model/generation.h"
#include "core/tokenizer/tokenizer_open.h"

namespace temper {
namespace {

constexpr uint64_t kValidationSeed = 0x5eed;  // fixed: every eval sees the same windows

void requireWindow(const TokenFile& tokens, int64_t context, const std::string& split,
                   const std::filesystem::path& dir) {
  if (tokens.size() < context + 1) {
    throwInputError("the " + split + " split of " + dir.string() + " has " + std::to_string(tokens.size()) +
                    " tokens, fewer than ctx + 1 = " + std::to_string(context + 1) +
                    "; use a smaller `ctx` or a larger corpus" + (split == "validation" ? " or `--val-fraction`" : ""));
  }
}

}  // namespace

PretrainTask::PretrainTask(PretrainSetup setup)
    : setup_(std::move(setup)),
      meta_(setup_.meta),
      train_tokens_(openDatasetSplit(setup_.data_dir, meta_, "train")),
      val_tokens_(openDatasetSplit(setup_.data_dir, meta_, "val")) {
  model_ = setup_.source.model;
  context_ = trainingContext(*model_, setup_.context, setup_.source.peft.virtualTokens());
  if (meta_.vocab_size > model_->vocabSize()) {
    throwConfigError("the dataset's tokenizer has " + std::to_string(meta_.vocab_size) +
                     " ids but the model's vocabulary is " + std::to_string(model_->vocabSize()));
  }
  requireWindow(train_tokens_, context_, "training", setup_.data_dir);
  requireWindow(val_tokens_, context_, "validation", setup_.data_dir);
  tokenizer_ = openTokenizer(setup_.source.tokenizer);
  train_sampler_ = std::make_unique<BatchSampler>(train_tokens_, static_cast<int>(setup_.batch_size),
                                                  static_cast<int>(context_), setup_.seed);
  model_->to(setup_.device);
  startTraining(setup_.source, setup_.seed);
}

std::vector<std::pair<std::string, torch::Tensor>> PretrainTask::trainableParameters() {
  return trainedParameters(setup_.source, *model_);
}

void PretrainTask::setTraining(bool training) { setTrainingMode(setup_.source, *model_, training); }

torch::Tensor PretrainTask::toDevice(const std::vector<int64_t>& values) const {
  return torch::from_blob(const_cast<int64_t*>(values.data()), {setup_.batch_size, context_}, torch::kLong)
      .to(setup_.device, /*non_blocking=*/false, /*copy=*/true);
}

torch::Tensor PretrainTask::nextMicroBatchLoss() {
  train_sampler_->next(inputs_, targets_);
  return model_->loss(toDevice(inputs_), toDevice(targets_));
}

int64_t PretrainTask::tokensPerMicroBatch() const { return setup_.batch_size * context_; }

double PretrainTask::validationLoss(int64_t batches) {
  torch::NoGradGuard no_grad;
  BatchSampler sampler(val_tokens_, static_cast<int>(setup_.batch_size), static_cast<int>(context_), kValidationSeed);
  std::vector<int64_t> inputs, targets;
  double total = 0;
  for (int64_t i = 0; i < batches; ++i) {
    sampler.next(inputs, targets);
    total += model_->loss(toDevice(inputs), toDevice(targets)).item<double>();
  }
  return total / static_cast<double>(batches);
}

std::vector<SampleText> PretrainTask::samples() {
  std::vector<SampleText> out;
  if (setup_.sample_tokens <= 0) return out;
  // Sampling draws from its own seeded generator, so samples never disturb the training RNG.
  SamplingOptions options;
  options.max_new_tokens = setup_.sample_tokens;
  options.temperature = 0.8;
  options.top_k = 50;
  options.seed = setup_.seed;
  options.eos_id = tokenizer_->eosId();
  for (const auto& prompt : setup_.sample_prompts) {
    std::vector<int64_t> ids;
    for (int id : tokenizer_->encode(prompt)) ids.push_back(id);
    if (ids.empty()) ids.push_back(tokenizer_->eosId());
    auto generated = generate(*model_, ids, options);
    std::vector<int> as_int(generated.begin(), generated.end());
    if (!as_int.empty() && as_int.back() == tokenizer_->eosId()) as_int.pop_back();
    out.push_back({prompt, prompt + tokenizer_->decode(as_int)});
  }
  return out;
}

Json PretrainTask::dataState() const { return Json{{"train_batches_drawn", train_sampler_->position()}}; }

void PretrainTask::restoreDataState(const Json& state) {
  train_sampler_->setPosition(state.at("train_batches_drawn").get<uint64_t>());
}

void PretrainTask::saveModel(const std::filesystem::path& dir) { saveModelFolder(setup_.source, *model_, dir); }

void PretrainTask::loadModelWeights(const std::filesystem::path& dir) {
  loadModelWeightsInto(setup_.source, *model_, dir);
}

}  // namespace temper
