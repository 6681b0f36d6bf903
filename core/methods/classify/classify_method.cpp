#include "core/methods/classify/classify_method.h"

#include <set>

#include "core/data/data_format.h"
#include "core/data/records.h"
#include "core/methods/classify/classify_task.h"
#include "core/methods/record_files.h"
#include "core/methods/record_method.h"
#include "core/train/memory_estimate.h"

namespace temper {
namespace {

MethodSetup setUpClassify(const MethodInputs& in) {
  ClassifySetup s = recordSetup<ClassifySetup>(in, /*accept_classifier=*/true);
  s.train_last_blocks = in.config.train_last_blocks;
  return startRecordTask<ClassifyTask>(std::move(s), in.config);
}

/// How many labels the run's head will have: a classifier base's, else the training records'
/// distinct `label` values (as ClassifyTask counts them).
int64_t labelCount(const MethodInputs& in) {
  if (in.base->isClassifier()) return static_cast<int64_t>(in.base->labels.size());
  // Records without a label are the run's to refuse (ClassifyTask names them); here they add none.
  std::set<std::string> labels;
  for (const Record& record : readRecords(recordFiles(in.config.data))) {
    const std::string label = stringField(record, "label", /*optional=*/true);
    if (!label.empty()) labels.insert(label);
  }
  return static_cast<int64_t>(labels.size());
}

MethodShape classifyShape(const MethodInputs& in) {
  MethodShape shape = baseModelShape(in);
  shape.head_parameters = labelCount(in) * shape.model.hidden;
  const int64_t blocks = in.config.train_last_blocks;
  if (blocks >= 0) {
    // The trained blocks hold as many parameters as a model of that many blocks minus one of none.
    ModelShape some = shape.model, none = shape.model;
    some.layers = blocks;
    none.layers = 0;
    shape.trainable_parameters = parameterCount(some) - parameterCount(none) + shape.head_parameters;
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
