#include "core/engine/eval_command.h"

#include "core/common/error.h"
#include "core/data/data_format.h"
#include "core/data/records.h"
#include "core/model/hf_model.h"
#include "core/peft/adapter_folder.h"

namespace temper {

Json EvalOutcome::toJson() const {
  if (reward_model) return reward_model->toJson();
  return classifier ? classifier->toJson() : language_model->toJson();
}

namespace {

/// Preference pairs (any TRL preference format), judged from the file's first records.
bool holdsPreferencePairs(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return false;  // the evaluation names it
  try {
    return detectDataFormat(readRecords(file, 5)) == DataFormat::Preference;
  } catch (const Error&) {
    return false;  // not records at all: the classifier's reading of it says what is wrong
  }
}

}  // namespace

EvalOutcome evaluate(const EvalRequest& request) {
  EvalOutcome outcome;
  // A path that is not a folder is left to the language-model path, whose errors name it.
  std::error_code ec;
  const bool classifier_base =
      std::filesystem::is_directory(request.model_dir, ec) && inspectHfModel(request.model_dir).isClassifier();
  const bool classifier_adapter =
      !request.adapter_dir.empty() && inspectAdapterFolder(request.adapter_dir).task_type == "SEQ_CLS";
  if (classifier_base && !request.adapter_dir.empty() && !classifier_adapter) {
    throwInputError((request.adapter_dir / kAdapterConfigFile).string() + ": a CAUSAL_LM adapter cannot go on " +
                    request.model_dir.string() + ", which is a classifier");
  }
  if ((classifier_base || classifier_adapter) && holdsPreferencePairs(request.data_file)) {
    outcome.reward_model = evaluateRewardModel(request);
  } else if (classifier_base || classifier_adapter) {
    outcome.classifier = evaluateClassifier(request);
  } else {
    outcome.language_model = evaluateModel(request);
  }
  return outcome;
}

}  // namespace temper
