#include "core/methods/sft/sft_task.h"

#include "core/common/error.h"
#include "core/data/records.h"
#include "core/methods/example_batches.h"
#include "core/model/generation.h"
#include "core/tokenizer/tokenizer_open.h"

namespace temper {
namespace {

std::optional<ChatTemplate> chatTemplateFor(const SftSetup& setup, const std::vector<Record>& records) {
  if (detectDataFormat(records) != DataFormat::Messages) return std::nullopt;
  if (std::filesystem::is_directory(setup.source.tokenizer)) {
    return loadChatTemplate(setup.source.tokenizer, setup.chat_template);
  }
  if (setup.chat_template.empty()) return std::nullopt;  // buildSftExamples says what to do
  return chatTemplateByName(setup.chat_template, "", "");
}

// The prompt part of an example: its tokens before the first one that carries loss.
std::vector<int64_t> promptOf(const TokenizedExample& example) {
  std::vector<int64_t> prompt;
  for (size_t i = 0; i < example.ids.size() && !example.loss_mask[i]; ++i) prompt.push_back(example.ids[i]);
  return prompt;
}

}  // namespace

SftTask::SftTask(SftSetup setup) : setup_(std::move(setup)) {
  model_ = setup_.source.model;
  context_ = trainingContext(*model_, setup_.context, setup_.source.peft.virtualTokens());
  tokenizer_ = openTokenizer(setup_.source.tokenizer);
  if (tokenizer_->vocabSize() > model_->vocabSize()) {
    throwInputError(setup_.source.tokenizer.string() + ": the tokenizer has " +
                    std::to_string(tokenizer_->vocabSize()) + " ids but the model's vocabulary is " +
                    std::to_string(model_->vocabSize()));
  }
  std::vector<Record> train_records = readRecords(setup_.train_files);
  std::vector<Record> val_records;
  if (!setup_.val_files.empty()) {
    val_records = readRecords(setup_.val_files);
  } else {
    std::vector<Record> all = std::move(train_records);
    train_records.clear();
    splitRecords(std::move(all), setup_.val_fraction, setup_.seed, train_records, val_records);
  }
  SftOptions options;
  options.max_tokens = context_ + 1;  // ctx inputs, each predicting the next token
  options.drop_long = setup_.drop_long;
  options.response_template = setup_.response_template;
  options.chat = chatTemplateFor(setup_, train_records);
  train_ = buildSftExamples(train_records, *tokenizer_, options);
  val_ = buildSftExamples(val_records, *tokenizer_, options);
  if (setup_.packing) {
    train_.examples = packExamples(train_.examples, context_ + 1);
    val_.examples = packExamples(val_.examples, context_ + 1);
  }
  if (train_.examples.empty()) {
    throwInputError(setup_.train_files.front().string() + ": no training example has a response token left (" +
                    train_.summary().dump() + ")");
  }
  if (val_.examples.empty())
    throwInputError("no validation example has a response token left (" + val_.summary().dump() + ")");
  sampler_ =
      std::make_unique<ExampleSampler>(static_cast<int64_t>(train_.examples.size()), setup_.batch_size, setup_.seed);
  model_->to(setup_.device);
  startTraining(setup_.source, setup_.seed);
}

Json SftTask::dataSummary() const {
  return Json{{"train", train_.summary()}, {"validation", val_.summary()}, {"packing", setup_.packing}};
}

std::vector<std::pair<std::string, torch::Tensor>> SftTask::trainableParameters() {
  return trainedParameters(setup_.source, *model_);
}

void SftTask::setTraining(bool training) { setTrainingMode(setup_.source, *model_, training); }

torch::Tensor SftTask::nextMicroBatchLoss() {
  ExampleBatch batch = makeExampleBatch(train_.examples, sampler_->next(), tokenizer_->padId(), setup_.device);
  last_tokens_ = batch.tokens;
  return model_->loss(batch.inputs, batch.targets);
}

double SftTask::validationLoss(int64_t batches) {
  torch::NoGradGuard no_grad;
  double nll = 0;
  int64_t targets = 0, correct = 0;
  const int64_t count = static_cast<int64_t>(val_.examples.size());
  for (int64_t b = 0; b < batches && b * setup_.batch_size < count; ++b) {
    std::vector<int64_t> indices;
    for (int64_t i = b * setup_.batch_size; i < std::min(count, (b + 1) * setup_.batch_size); ++i) indices.push_back(i);
    ExampleBatch batch = makeExampleBatch(val_.examples, indices, tokenizer_->padId(), setup_.device);
    auto logits = model_->forward(batch.inputs);
    auto flat_logits = logits.view({-1, logits.size(-1)});
    auto flat_targets = batch.targets.view({-1});
    nll += torch::nn::functional::cross_entropy(
               flat_logits, flat_targets,
               torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100).reduction(torch::kSum))
               .item<double>();
    auto scored = flat_targets.ne(-100);
    targets += scored.sum().item<int64_t>();
    correct += flat_logits.argmax(-1).eq(flat_targets).logical_and(scored).sum().item<int64_t>();
  }
  metrics_ = {{"token_accuracy", targets ? static_cast<double>(correct) / static_cast<double>(targets) : 0.0},
              {"target_tokens", static_cast<double>(targets)}};
  return targets ? nll / static_cast<double>(targets) : 0.0;
}

std::vector<SampleText> SftTask::samples() {
  std::vector<SampleText> out;
  if (setup_.sample_tokens <= 0) return out;
  SamplingOptions options;
  options.max_new_tokens = setup_.sample_tokens;
  options.temperature = 0;  // greedy: the answer the model now gives, comparable across evals
  options.eos_id = tokenizer_->eosId();
  std::vector<std::vector<int64_t>> prompts;
  for (const auto& text : setup_.sample_prompts) {
    std::vector<int64_t> ids;
    for (int id : tokenizer_->encodeWithSpecialTokens(text)) ids.push_back(id);
    prompts.push_back(ids);
  }
  if (setup_.sample_prompts.empty()) {
    for (size_t i = 0; i < val_.examples.size() && static_cast<int64_t>(prompts.size()) < setup_.sample_count; ++i) {
      auto prompt = promptOf(val_.examples[i]);
      if (!prompt.empty() && static_cast<int64_t>(prompt.size()) < context_) prompts.push_back(prompt);
    }
  }
  for (const auto& prompt : prompts) {
    if (prompt.empty()) continue;
    auto generated = generate(*model_, prompt, options);
    if (!generated.empty() && generated.back() == tokenizer_->eosId()) generated.pop_back();
    std::vector<int> prompt_ids(prompt.begin(), prompt.end()), new_ids(generated.begin(), generated.end());
    const std::string prompt_text = tokenizer_->decode(prompt_ids);
    out.push_back({prompt_text, prompt_text + tokenizer_->decode(new_ids)});
  }
  return out;
}

Json SftTask::dataState() const { return Json{{"train_batches_drawn", sampler_->position()}}; }

void SftTask::restoreDataState(const Json& state) {
  sampler_->setPosition(state.at("train_batches_drawn").get<uint64_t>());
}

void SftTask::saveModel(const std::filesystem::path& dir) { saveModelFolder(setup_.source, *model_, dir); }

void SftTask::loadModelWeights(const std::filesystem::path& dir) { loadModelWeightsInto(setup_.source, *model_, dir); }

}  // namespace temper
