#pragma once
/// `temper eval`: one command for every model folder. A language model is scored on text
/// (model_commands.h: mean NLL, perplexity); a classifier (*ForSequenceClassification, e.g. a
/// classify run's final/) on labelled records (classifier_eval.h), or, when the data are preference
/// pairs, as a reward model (reward_eval.h: pairwise accuracy, mean margin). The folder is
/// inspected once to choose.
#include <optional>

#include "core/common/json_io.h"
#include "core/engine/classifier_eval.h"
#include "core/engine/model_commands.h"
#include "core/engine/reward_eval.h"

namespace temper {

struct EvalOutcome {
  std::optional<EvalResult> language_model;        ///< set for a causal language model
  std::optional<ClassifierEvalResult> classifier;  ///< set for a classifier on labelled records
  std::optional<RewardEvalResult> reward_model;    ///< set for a classifier on preference pairs
  Json toJson() const;                             ///< the chosen result's JSON (docs/cli.md)
};

EvalOutcome evaluate(const EvalRequest& request);

}  // namespace temper
