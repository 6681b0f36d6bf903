#include "core/engine/eval_command.h"

#include "core/common/error.h"
#include "core/model/hf_model.h"

namespace temper {

Json EvalOutcome::toJson() const { return classifier ? classifier->toJson() : language_model->toJson(); }

EvalOutcome evaluate(const EvalRequest& request) {
  EvalOutcome outcome;
  // A path that is not a folder is left to the language-model path, whose errors name it.
  std::error_code ec;
  if (std::filesystem::is_directory(request.model_dir, ec) && inspectHfModel(request.model_dir).isClassifier()) {
    if (!request.adapter_dir.empty()) {
      throwInputError(request.adapter_dir.string() + ": adapters on a classifier are not in this engine yet");
    }
    outcome.classifier = evaluateClassifier(request);
  } else {
    outcome.language_model = evaluateModel(request);
  }
  return outcome;
}

}  // namespace temper
