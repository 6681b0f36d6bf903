#pragma once
/// A classifier made of a base and a SEQ_CLS adapter folder (what a classify run with `peft` saves,
/// or what PEFT saves for a sequence classifier): the base's backbone (a language model's or a
/// classifier's) with the adapter attached, and the label head and labels the adapter folder holds.
/// `temper eval` scores it like a *ForSequenceClassification folder (classifier_eval.h).
#include <filesystem>
#include <memory>
#include <string>

#include "core/model/sequence_classifier.h"
#include "core/peft/adapter.h"

namespace temper {

struct AdaptedClassifier {
  SequenceClassifier classifier;
  std::shared_ptr<Adapter> adapter;  ///< attached to classifier.backbone; null for a plain classifier
};

/// Loads `base_dir`, moves it to `device` ("cpu" or "cuda"), and attaches the adapter of
/// `adapter_dir` with its head. The labels are temper_adapter.json's; for a folder PEFT wrote,
/// the base classifier's when their count fits the head, else transformers' LABEL_0, LABEL_1, ...
/// Throws Error(InvalidInput) naming the adapter's file when it is no SEQ_CLS adapter, when the
/// base's weights differ from the ones it was trained on, or when its labels do not fit its head.
AdaptedClassifier loadAdaptedClassifier(const std::filesystem::path& base_dir, const std::filesystem::path& adapter_dir,
                                        const std::string& device);

}  // namespace temper
