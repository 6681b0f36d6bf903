#pragma once
/// A reward model (a one-label classifier, what a reward-model run saves; or a base with its SEQ_CLS
/// adapter) scored on preference pairs by `temper eval`, and one answer scored by `temper reward`.
/// Pairs are read and tokenized as the reward-model method reads them (a TRL preference file;
/// prompt | answer + eos, the model's chat template for conversations) and each answer is scored
/// where training scored it (scorePairs), so a held-out file gives the accuracy the run reported.
#include <filesystem>
#include <string>

#include "core/common/json_io.h"
#include "core/engine/model_commands.h"

namespace temper {

struct RewardEvalResult {
  int64_t pairs = 0;  ///< pairs scored
  int64_t truncated = 0;
  int64_t dropped_long_prompt = 0;
  int64_t dropped_identical = 0;
  double accuracy = 0;     ///< share of pairs whose chosen answer scored higher
  double mean_margin = 0;  ///< mean r_chosen − r_rejected
  double chosen_mean = 0;
  double rejected_mean = 0;
  Json selection;  ///< what reading the file kept and skipped
  Json toJson() const;
};

/// Throws Error(InvalidInput) naming the folder when the model is not a one-label classifier, and
/// what reading the pairs throws (file:line).
RewardEvalResult evaluateRewardModel(const EvalRequest& request);

struct RewardRequest {
  std::filesystem::path model_dir;
  std::filesystem::path adapter_dir;  ///< a SEQ_CLS adapter on model_dir; empty: none
  std::string prompt;
  std::string completion;
  int64_t ctx = 0;  ///< 0: the model's context
  int64_t threads = 0;
  std::string device = "auto";
};

/// The reward of one answer to one prompt (text; the answer is cut to ctx keeping its start, as
/// training cuts it). Json: {"reward", "tokens", "truncated"}.
Json scoreCompletion(const RewardRequest& request);

}  // namespace temper
