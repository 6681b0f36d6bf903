#include "core/methods/classify/classify_method.h"

#include "core/methods/classify/classify_task.h"
#include "core/methods/record_method.h"
#include "core/train/memory_estimate.h"

namespace temper {
namespace {

MethodSetup setUpClassify(const MethodInputs& in) {
  ClassifySetup s = recordSetup<ClassifySetup>(in, /*accept_classifier=*/true);
  s.train_last_blocks = in.config.train_last_blocks;
  return startRecordTask<ClassifyTask>(std::move(s), in.config);
}

MethodShape classifyShape(const MethodInputs& in) {
  MethodShape shape = baseModelShape(in);
  const int64_t blocks = in.config.train_last_blocks;
  if (blocks >= 0) {
    // The trained blocks hold as many parameters as a model of that many blocks minus one of none.
    ModelShape some = shape.model, none = shape.model;
    some.layers = blocks;
    none.layers = 0;
    shape.trainable_parameters = parameterCount(some) - parameterCount(none);
    shape.recorded_blocks = blocks;
  }
  return shape;
}

}  // namespace

MethodSpec classifyMethod() {
  MethodSpec m;
  m.name = "classify";
  m.title = "Classification head";
  m.summary =
      "Replace the language-model head with a label head: for sorting texts into categories you have examples of.";
  m.base = BaseUse::LanguageModelOrClassifier;
  m.data_formats = {"text-label"};
  m.keys = {"base", "val-data", "val-fraction", "train-last-blocks"};
  m.defaults = finetuneDefaults();
  // Per label also correct/<label> and total/<label>.
  m.metrics = {"accuracy"};
  m.peft = {"none", "lora", "adapters", "prompt-tuning", "prefix-tuning"};
  m.set_up = setUpClassify;
  m.dry_run_shape = classifyShape;
  return m;
}

}  // namespace temper
