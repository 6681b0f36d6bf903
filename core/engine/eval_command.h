#pragma once
/// `temper eval`: one command for every model folder. A language model is scored on text
/// (model_commands.h: mean NLL, perplexity); a classifier (*ForSequenceClassification, e.g. a
/// classify run's final/) on labelled records (classifier_eval.h). The folder is inspected once
/// to choose.
#include <optional>

#include "core/common/json_io.h"
#include "core/engine/classifier_eval.h"
#include "core/engine/model_commands.h"

namespace temper {

struct EvalOutcome {
  std::optional<EvalResult> language_model;        ///< set for a causal language model
  std::optional<ClassifierEvalResult> classifier;  ///< set for a classifier
  Json toJson() const;                             ///< the chosen result's JSON (docs/cli.md)
};

EvalOutcome evaluate(const EvalRequest& request);

}  // namespace temper
