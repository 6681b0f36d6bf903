#include "core/methods/classify/classify_task.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "core/common/error.h"
#include "core/data/data_format.h"
#include "core/methods/classify/classifier_folder.h"
#include "core/model/sequence_classifier.h"
#include "core/tokenizer/tokenizer_open.h"

namespace temper {
namespace {

bool isFinalNorm(const std::string& name) { return name.starts_with("ln_f.") || name.starts_with("model.norm."); }
bool isLmHead(const std::string& name) { return name.starts_with("lm_head."); }

}  // namespace

int64_t blockIndexOf(const std::string& name) {
  for (const char* prefix : {"h.", "model.layers.", "transformer.h."}) {
    if (!name.starts_with(prefix)) continue;
    const size_t start = std::char_traits<char>::length(prefix);
    const size_t dot = name.find('.', start);
    if (dot == std::string::npos) return -1;
    try {
      return std::stoll(name.substr(start, dot - start));
    } catch (const std::exception&) {
      return -1;
    }
  }
  return -1;
}

ClassifyTask::ClassifyTask(ClassifySetup setup) : setup_(std::move(setup)) {
  model_ = setup_.source.model;
  const bool adapter = setup_.source.peft.adapter();
  context_ = trainingContext(*model_, setup_.context, setup_.source.peft.virtualTokens());
  if (adapter && setup_.train_last_blocks >= 0) {
    throwConfigError("`train-last-blocks` and `peft` " + setup_.source.peft.kind +
                     " both choose what trains; an adapter keeps the whole backbone frozen, so give one of them");
  }
  if (setup_.train_last_blocks > model_->layerCount()) {
    throwConfigError("`train-last-blocks` is " + std::to_string(setup_.train_last_blocks) + " but the model has " +
                     std::to_string(model_->layerCount()) + " blocks; allowed: -1 (all) or 0 to " +
                     std::to_string(model_->layerCount()));
  }
  tokenizer_ = openTokenizer(setup_.source.tokenizer);
  std::vector<Record> train_records = readRecords(setup_.train_files), val_records;
  if (detectDataFormat(train_records) != DataFormat::TextLabel) {
    throwConfigError(train_records.front().source + ": classify needs {\"text\", \"label\"} records; this file is " +
                     dataFormatName(detectDataFormat(train_records)));
  }
  if (!setup_.val_files.empty()) {
    val_records = readRecords(setup_.val_files);
  } else {
    std::vector<Record> all = std::move(train_records);
    train_records.clear();
    splitRecords(std::move(all), setup_.val_fraction, setup_.seed, train_records, val_records);
  }
  std::set<std::string> found;
  for (const auto& r : train_records) found.insert(stringField(r, "label"));
  const bool from_classifier = setup_.source.classifier_score.defined();
  if (from_classifier) {
    // Training a classifier further keeps its labels and their ids; the data may use a subset.
    labels_ = setup_.source.classifier_labels;
  } else {
    labels_.assign(found.begin(), found.end());
  }
  if (labels_.size() < 2) {
    throwInputError(train_records.front().source + ": the training records have " + std::to_string(labels_.size()) +
                    " distinct label; a classifier needs at least 2");
  }
  train_ = encode(train_records, true);
  val_ = encode(val_records, true);

  // The head: the base classifier's, or N(0, 0.02) like the rest of a freshly initialised
  // transformer, seeded.
  torch::manual_seed(setup_.seed);
  score_ = torch::nn::Linear(
      torch::nn::LinearOptions(model_->hiddenSize(), static_cast<int64_t>(labels_.size())).bias(false));
  {
    torch::NoGradGuard no_grad;
    if (from_classifier) {
      score_->weight.copy_(setup_.source.classifier_score);
    } else {
      score_->weight.normal_(0.0, 0.02);
    }
  }
  if (!adapter) freezeUntrainedBackbone();  // with an adapter, startTraining() freezes it all
  sampler_ = std::make_unique<ExampleSampler>(static_cast<int64_t>(train_.size()), setup_.batch_size, setup_.seed);
  model_->to(setup_.device);
  score_->to(setup_.device);
  startTraining(setup_.source, setup_.seed);
}

void ClassifyTask::freezeUntrainedBackbone() {
  const int64_t first_trained = setup_.train_last_blocks < 0 ? 0 : model_->layerCount() - setup_.train_last_blocks;
  for (auto& item : model_->named_parameters()) {
    const std::string& name = item.key();
    bool trains = true;
    if (isLmHead(name)) {
      trains = false;  // unused by a classifier
    } else if (setup_.train_last_blocks >= 0) {
      const int64_t block = blockIndexOf(name);
      trains = block >= first_trained ? true : (block < 0 && isFinalNorm(name) && setup_.train_last_blocks > 0);
    }
    item.value().set_requires_grad(trains);
  }
}

ClassifierInput encodeClassifierText(const Tokenizer& tokenizer, const std::string& text, int64_t context) {
  ClassifierInput input;
  input.ids = tokenizer.prefixIds();
  const auto body = tokenizer.encode(text);
  input.ids.insert(input.ids.end(), body.begin(), body.end());
  if (context > 0 && static_cast<int64_t>(input.ids.size()) > context) {
    input.ids.resize(static_cast<size_t>(context));
    input.truncated = true;
  }
  return input;
}

std::vector<LabelledText> ClassifyTask::encode(const std::vector<Record>& records, bool add_labels) {
  std::vector<LabelledText> out;
  for (const auto& record : records) {
    LabelledText text;
    text.source = record.source;
    ClassifierInput input = encodeClassifierText(*tokenizer_, stringField(record, "text"), context_);
    if (input.ids.empty())
      throwInputError(record.source + ": `text` is empty and the tokenizer adds no bos to stand for it");
    if (input.truncated) ++truncated_;
    text.ids = std::move(input.ids);
    if (add_labels) {
      const std::string label = stringField(record, "label");
      auto it = std::find(labels_.begin(), labels_.end(), label);
      if (it == labels_.end()) {
        throwInputError(record.source + ": label \"" + label + "\" is not one of the " +
                        (setup_.source.classifier_score.defined() ? "base classifier's" : "training records'") +
                        " labels");
      }
      text.label = it - labels_.begin();
    }
    out.push_back(std::move(text));
  }
  return out;
}

Json ClassifyTask::dataSummary() const {
  Json counts = Json::object();
  for (const auto& t : train_)
    counts[labels_[static_cast<size_t>(t.label)]] = counts.value(labels_[static_cast<size_t>(t.label)], 0) + 1;
  return Json{{"format", "text-label"},          {"labels", labels_},
              {"train_examples", train_.size()}, {"validation_examples", val_.size()},
              {"train_label_counts", counts},    {"truncated", truncated_}};
}

std::vector<std::pair<std::string, torch::Tensor>> ClassifyTask::trainableParameters() {
  return classifierTrainableParameters(setup_.source, *model_, score_->weight);
}

double ClassifyTask::learningRateScale(const std::string& name) const {
  return learningRateScaleOf(setup_.source, name);
}

int64_t ClassifyTask::trainableParameterCount() {
  int64_t total = 0;
  for (const auto& [name, p] : trainableParameters()) total += p.numel();
  return total;
}

void ClassifyTask::setTraining(bool training) {
  setTrainingMode(setup_.source, *model_, training);
  score_->train(training);
}

torch::Tensor ClassifyTask::logits(const std::vector<LabelledText>& texts, const std::vector<int64_t>& indices) {
  size_t longest = 1;
  for (int64_t i : indices) longest = std::max(longest, texts[static_cast<size_t>(i)].ids.size());
  const int64_t batch = static_cast<int64_t>(indices.size());
  auto ids = torch::full({batch, static_cast<int64_t>(longest)}, static_cast<int64_t>(std::max(tokenizer_->padId(), 0)),
                         torch::kLong);
  auto last = torch::empty({batch}, torch::kLong);
  auto ids_a = ids.accessor<int64_t, 2>();
  last_tokens_ = 0;
  for (int64_t b = 0; b < batch; ++b) {
    const auto& t = texts[static_cast<size_t>(indices[static_cast<size_t>(b)])];
    for (size_t j = 0; j < t.ids.size(); ++j) ids_a[b][static_cast<int64_t>(j)] = t.ids[j];
    last[b] = static_cast<int64_t>(t.ids.size()) - 1;
    last_tokens_ += static_cast<int64_t>(t.ids.size());
  }
  return classifierLogits(*model_, score_->weight, ids.to(setup_.device), last.to(setup_.device));
}

torch::Tensor ClassifyTask::nextMicroBatchLoss() {
  auto indices = sampler_->next();
  auto targets = torch::empty({static_cast<int64_t>(indices.size())}, torch::kLong);
  for (size_t i = 0; i < indices.size(); ++i)
    targets[static_cast<int64_t>(i)] = train_[static_cast<size_t>(indices[i])].label;
  return torch::nn::functional::cross_entropy(logits(train_, indices), targets.to(setup_.device));
}

double ClassifyTask::validationLoss(int64_t batches) {
  torch::NoGradGuard no_grad;
  const size_t k = labels_.size();
  std::vector<int64_t> correct(k, 0), total(k, 0);
  double nll = 0;
  int64_t seen = 0;
  const int64_t count = static_cast<int64_t>(val_.size());
  for (int64_t b = 0; b < batches && b * setup_.batch_size < count; ++b) {
    std::vector<int64_t> indices;
    for (int64_t i = b * setup_.batch_size; i < std::min(count, (b + 1) * setup_.batch_size); ++i) indices.push_back(i);
    auto out = logits(val_, indices).to(torch::kCPU);
    auto predicted = out.argmax(-1);
    auto targets = torch::empty({static_cast<int64_t>(indices.size())}, torch::kLong);
    for (size_t i = 0; i < indices.size(); ++i) {
      const int64_t label = val_[static_cast<size_t>(indices[i])].label;
      targets[static_cast<int64_t>(i)] = label;
      ++total[static_cast<size_t>(label)];
      if (predicted[static_cast<int64_t>(i)].item<int64_t>() == label) ++correct[static_cast<size_t>(label)];
    }
    nll += torch::nn::functional::cross_entropy(out, targets,
                                                torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
               .item<double>();
    seen += static_cast<int64_t>(indices.size());
  }
  metrics_.clear();
  int64_t all_correct = 0;
  for (size_t i = 0; i < k; ++i) {
    metrics_["correct/" + labels_[i]] = static_cast<double>(correct[i]);
    metrics_["total/" + labels_[i]] = static_cast<double>(total[i]);
    all_correct += correct[i];
  }
  metrics_["accuracy"] = seen ? static_cast<double>(all_correct) / static_cast<double>(seen) : 0.0;
  return seen ? nll / static_cast<double>(seen) : 0.0;
}

std::vector<SampleText> ClassifyTask::samples() {
  torch::NoGradGuard no_grad;
  std::vector<SampleText> out;
  const int64_t n = std::min<int64_t>(setup_.sample_count, static_cast<int64_t>(val_.size()));
  if (n <= 0) return out;
  std::vector<int64_t> indices(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) indices[static_cast<size_t>(i)] = i;
  auto probs = torch::softmax(logits(val_, indices).to(torch::kCPU), -1);
  for (int64_t i = 0; i < n; ++i) {
    const auto& t = val_[static_cast<size_t>(i)];
    const int64_t best = probs[i].argmax().item<int64_t>();
    std::vector<int> body(t.ids.begin(), t.ids.end());
    std::string text = tokenizer_->decode(body);
    if (text.size() > 200) text = text.substr(0, 200) + "…";
    char line[256];
    std::snprintf(line, sizeof(line), " → %s (p=%.2f; true: %s)", labels_[static_cast<size_t>(best)].c_str(),
                  probs[i][best].item<double>(), labels_[static_cast<size_t>(t.label)].c_str());
    out.push_back({text, text + line});
  }
  return out;
}

Json ClassifyTask::dataState() const { return Json{{"train_batches_drawn", sampler_->position()}}; }

void ClassifyTask::restoreDataState(const Json& state) {
  sampler_->setPosition(state.at("train_batches_drawn").get<uint64_t>());
}

void ClassifyTask::saveModel(const std::filesystem::path& dir) {
  saveClassifierFolder(setup_.source, *model_, score_->weight, labels_, *tokenizer_, dir);
}

void ClassifyTask::loadModelWeights(const std::filesystem::path& dir) {
  loadClassifierFolderWeights(setup_.source, *model_, score_->weight, dir);
}

}  // namespace temper
