#pragma once
/// `temper eval` on a classifier folder (*ForSequenceClassification, e.g. a classify run's final/),
/// or on a base with a SEQ_CLS adapter (adapted_classifier.h, a classify run's final/ with `peft`):
/// every {"text","label"} record of the data (JSONL, JSON or CSV) is classified once, in batches,
/// reading the text exactly as the classify method trained on it (encodeClassifierText).
/// Reports accuracy, mean cross-entropy, per-label precision / recall / F1, macro-F1 and the
/// confusion matrix (rows: true label, columns: predicted).
#include <string>
#include <vector>

#include "core/common/json_io.h"
#include "core/engine/model_commands.h"

namespace temper {

struct ClassifierEvalResult {
  std::vector<std::string> labels;              ///< the model's labels, id order
  std::vector<std::vector<int64_t>> confusion;  ///< [true][predicted] counts
  int64_t examples = 0;
  int64_t truncated = 0;  ///< texts longer than the window, cut keeping their start
  double mean_nll = 0;    ///< mean cross-entropy of the true label, nats
  double accuracy = 0;
  double macro_f1 = 0;  ///< mean F1 over the labels that occur in the data or the predictions

  int64_t support(size_t label) const;    ///< records whose true label is `label`
  int64_t predicted(size_t label) const;  ///< records predicted as `label`
  double precision(size_t label) const;   ///< 0 when nothing was predicted as `label`
  double recall(size_t label) const;      ///< 0 when no record has `label`
  double f1(size_t label) const;
  Json toJson() const;
};

/// Throws Error(InvalidInput) naming the file and record for data that is not text-label records
/// or has a label the model does not know, and naming the folder when it is not a classifier.
ClassifierEvalResult evaluateClassifier(const EvalRequest& request);

}  // namespace temper
