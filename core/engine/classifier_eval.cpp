#include "core/engine/classifier_eval.h"

#include <algorithm>
#include <cstdio>
#include <numeric>

#include "core/common/error.h"
#include "core/data/data_format.h"
#include "core/data/records.h"
#include "core/engine/adapted_classifier.h"
#include "core/engine/runtime.h"
#include "core/methods/classify/classify_task.h"
#include "core/model/sequence_classifier.h"
#include "core/tokenizer/tokenizer_open.h"

namespace temper {
namespace {

// Tokens per forward pass: texts are sorted by length first, so a batch wastes little on padding.
constexpr int64_t kClassifierTokensPerBatch = 8192;

double ratio(int64_t num, int64_t den) { return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den); }

}  // namespace

int64_t ClassifierEvalResult::support(size_t label) const {
  return std::accumulate(confusion[label].begin(), confusion[label].end(), int64_t{0});
}

int64_t ClassifierEvalResult::predicted(size_t label) const {
  int64_t total = 0;
  for (const auto& row : confusion) total += row[label];
  return total;
}

double ClassifierEvalResult::precision(size_t label) const { return ratio(confusion[label][label], predicted(label)); }
double ClassifierEvalResult::recall(size_t label) const { return ratio(confusion[label][label], support(label)); }

double ClassifierEvalResult::f1(size_t label) const {
  const double p = precision(label), r = recall(label);
  return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
}

Json ClassifierEvalResult::toJson() const {
  Json per_label = Json::object();
  for (size_t i = 0; i < labels.size(); ++i) {
    per_label[labels[i]] = Json{{"support", support(i)},     {"predicted", predicted(i)}, {"correct", confusion[i][i]},
                                {"precision", precision(i)}, {"recall", recall(i)},       {"f1", f1(i)}};
  }
  return Json{{"task", "classify"},   {"examples", examples},   {"truncated", truncated},
              {"accuracy", accuracy}, {"mean_nll", mean_nll},   {"macro_f1", macro_f1},
              {"labels", labels},     {"per_label", per_label}, {"confusion", confusion}};
}

ClassifierEvalResult evaluateClassifier(const EvalRequest& request) {
  RuntimeInfo runtime = configureRuntime(request.threads, request.device);
  AdaptedClassifier loaded = request.adapter_dir.empty()
                                 ? AdaptedClassifier{loadSequenceClassifier(request.model_dir), nullptr}
                                 : loadAdaptedClassifier(request.model_dir, request.adapter_dir, runtime.device);
  SequenceClassifier& classifier = loaded.classifier;
  auto tokenizer = openTokenizer(request.model_dir);
  CausalLmImpl& backbone = *classifier.backbone;
  const int64_t model_ctx = backbone.tokenContext();  // less a soft prompt's or prefix's positions
  const int64_t ctx = request.ctx == 0 ? model_ctx : request.ctx;
  if (ctx < 1 || ctx > model_ctx) {
    throwConfigError("`ctx` is " + std::to_string(ctx) + "; allowed: 1 to the model's context " +
                     std::to_string(model_ctx));
  }
  const std::vector<Record> records = readRecords(request.data_file);
  const DataFormat format = detectDataFormat(records);
  if (format != DataFormat::TextLabel) {
    throwInputError(request.data_file.string() + ": a classifier is evaluated on {\"text\", \"label\"} records; " +
                    "this file is " + dataFormatName(format));
  }

  ClassifierEvalResult result;
  result.labels = classifier.labels;
  const size_t k = result.labels.size();
  result.confusion.assign(k, std::vector<int64_t>(k, 0));
  std::vector<std::vector<int>> ids;
  std::vector<int64_t> targets;
  for (const auto& record : records) {
    const std::string label = stringField(record, "label");
    const auto it = std::find(result.labels.begin(), result.labels.end(), label);
    if (it == result.labels.end()) {
      std::string known;
      for (const auto& l : result.labels) known += (known.empty() ? "" : ", ") + l;
      throwInputError(record.source + ": label \"" + label + "\" is not one of the model's labels (" + known + ")");
    }
    ClassifierInput input = encodeClassifierText(*tokenizer, stringField(record, "text"), ctx);
    if (input.ids.empty()) throwInputError(record.source + ": `text` is empty and the tokenizer adds no bos");
    result.truncated += input.truncated ? 1 : 0;
    ids.push_back(std::move(input.ids));
    targets.push_back(it - result.labels.begin());
  }
  result.examples = static_cast<int64_t>(ids.size());

  if (runtime.device == "cuda") {
    backbone.to(torch::kCUDA);
    classifier.score = classifier.score.to(torch::kCUDA);
  }
  backbone.eval();
  torch::NoGradGuard no_grad;
  std::vector<size_t> order(ids.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ids[a].size() < ids[b].size(); });
  const int64_t pad = std::max(tokenizer->padId(), 0);
  double total_nll = 0;
  int64_t correct = 0;
  for (size_t start = 0; start < order.size();) {
    // The batch grows while its padded size (rows × longest, the longest being the last) fits.
    size_t end = start + 1;
    while (end < order.size() &&
           static_cast<int64_t>((end - start + 1) * ids[order[end]].size()) <= kClassifierTokensPerBatch) {
      ++end;
    }
    const int64_t rows = static_cast<int64_t>(end - start);
    const int64_t longest = static_cast<int64_t>(ids[order[end - 1]].size());
    auto batch = torch::full({rows, longest}, pad, torch::kLong);
    auto last = torch::empty({rows}, torch::kLong);
    auto truth = torch::empty({rows}, torch::kLong);
    auto batch_a = batch.accessor<int64_t, 2>();
    for (int64_t r = 0; r < rows; ++r) {
      const auto& row = ids[order[start + static_cast<size_t>(r)]];
      for (size_t j = 0; j < row.size(); ++j) batch_a[r][static_cast<int64_t>(j)] = row[j];
      last[r] = static_cast<int64_t>(row.size()) - 1;
      truth[r] = targets[order[start + static_cast<size_t>(r)]];
    }
    const auto device = classifier.score.device();
    auto logits = classifierLogits(backbone, classifier.score, batch.to(device), last.to(device)).to(torch::kCPU);
    total_nll += torch::nn::functional::cross_entropy(
                     logits, truth, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                     .item<double>();
    auto predicted = logits.argmax(-1);
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t t = truth[r].item<int64_t>(), p = predicted[r].item<int64_t>();
      ++result.confusion[static_cast<size_t>(t)][static_cast<size_t>(p)];
      correct += t == p ? 1 : 0;
    }
    start = end;
  }
  result.mean_nll = total_nll / static_cast<double>(result.examples);
  result.accuracy = ratio(correct, result.examples);
  // Macro-F1 over the labels present in the data or the predictions, as scikit-learn does when
  // given the observed labels: a label the model knows but nobody used does not count as 0.
  double f1_sum = 0;
  int64_t counted = 0;
  for (size_t i = 0; i < k; ++i) {
    if (result.support(i) == 0 && result.predicted(i) == 0) continue;
    f1_sum += result.f1(i);
    ++counted;
  }
  result.macro_f1 = counted ? f1_sum / static_cast<double>(counted) : 0.0;
  return result;
}

}  // namespace temper
