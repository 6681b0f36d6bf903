#pragma once
/// What the methods over record files (sft, classify) share when they set up: a base model, record
/// files, a validation split, the batch shape; then the task and what the run record shows.
#include <memory>
#include <type_traits>

#include "core/methods/method_setup.h"
#include "core/methods/model_source.h"
#include "core/methods/peft_keys.h"
#include "core/methods/record_files.h"

namespace temper {

/// The base every method that starts from one loads: `in.base` with the run's `peft` choice (QLoRA's
/// base quantised while it is read, quantizeWhileLoading).
inline ModelSource methodBaseModel(const MethodInputs& in, bool accept_classifier) {
  const PeftChoice peft = peftChoice(in.config);
  ModelSource source = baseModel(*in.base, accept_classifier, quantizeWhileLoading(peft, in.device));
  source.peft = peft;
  return source;
}

/// `Setup` is a task's setup struct with the fields source, train_files, val_files, val_fraction,
/// context, batch_size, seed and device.
template <typename Setup>
Setup recordSetup(const MethodInputs& in, bool accept_classifier) {
  const TrainConfig& c = in.config;
  Setup s;
  s.source = methodBaseModel(in, accept_classifier);
  s.train_files = recordFiles(c.data);
  if (!c.val_data.empty()) s.val_files = recordFiles(c.val_data);
  s.val_fraction = c.val_fraction;
  s.context = c.ctx;
  s.batch_size = c.batch_size;
  s.seed = static_cast<uint64_t>(c.seed);
  s.device = in.device;
  return s;
}

/// Builds `Task` from its setup (which reads and tokenizes the data) and fills the run's record.
/// Any setup with a `source` and any task with dataSummary() and context() will do (the preference
/// methods use it too).
template <typename Task, typename Setup>
MethodSetup startRecordTask(Setup s, const TrainConfig& c) {
  MethodSetup setup;
  setup.model = s.source.model;
  setup.base_description = s.source.description;
  setup.model_config = s.source.hf_config;
  setup.dataset = c.data;
  auto task = std::make_unique<Task>(std::move(s));
  setup.data_summary = task->dataSummary();
  setup.sequence_length = task->context();
  setup.task = std::move(task);
  return setup;
}

/// Finetuning a pretrained model wants a small learning rate, no weight decay on what it already
/// knows, a short warmup and fewer steps than pretraining (the values of the HF Trainer / TRL
/// examples).
inline std::map<std::string, Json> finetuneDefaults() {
  return {{"lr", 5e-5},       {"min-lr", 5e-6},   {"warmup-steps", 10},      {"weight-decay", 0.0},
          {"max-steps", 500}, {"eval-every", 50}, {"checkpoint-every", 250}, {"batch-size", 8}};
}

}  // namespace temper
