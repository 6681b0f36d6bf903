#pragma once
/// The training and validation pairs of a pairwise preference method (reward model, DPO family),
/// tokenized: `data` read as loadPreferenceTrainingPairs reads it (a store set or a TRL file),
/// validation from `val-data` or held out of `data` as the record methods hold records out, and
/// both turned into token ids by buildPreferenceExamples (TRL's DPO tokenization, keep-start
/// truncation, counted drops). Conversations use the base's chat template, or the one named.
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/common/json_io.h"
#include "core/prefs/preference_examples.h"
#include "core/prefs/preference_training_data.h"
#include "core/tokenizer/tokenizer.h"

namespace temper {

struct PreferenceTaskDataSetup {
  PreferenceDataRequest train;  ///< `data`, the workspace its set lives in, min-agreement, labeller
  std::string val_data;         ///< a file or set:NAME (read with train's filters); empty: hold out
  double val_fraction = 0.1;
  uint64_t seed = 1337;
  int64_t max_tokens = 1024;               ///< longest prompt + answer
  std::filesystem::path tokenizer_source;  ///< the base folder (its chat template) or a tokenizer file
  std::string chat_template;               ///< a family name overriding the base's own; empty: the base's
};

struct PreferenceTaskData {
  PreferenceExamples train;
  PreferenceExamples val;
  /// What was read and kept: the selection of each source (labels filtered, records skipped) and
  /// the tokenization counts of each split. Recorded with the run.
  Json summary;
};

/// Throws Error(InvalidInput) when no training or no validation pair is left after tokenization,
/// naming what was dropped and why, and what loadPreferenceTrainingPairs and
/// buildPreferenceExamples throw.
PreferenceTaskData loadPreferenceTaskData(const PreferenceTaskDataSetup& setup, const Tokenizer& tokenizer);

}  // namespace temper
