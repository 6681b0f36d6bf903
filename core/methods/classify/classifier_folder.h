#pragma once
/// What the methods with a head on the last token share (classify's label head, the reward
/// model's scalar head): which tensors train, how the model is saved, and how a saved one is read
/// back for resume. Full weights are a transformers *ForSequenceClassification folder; under a
/// PEFT adapter, a SEQ_CLS adapter folder with the head saved as PEFT saves `score`.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/methods/model_source.h"
#include "core/tokenizer/tokenizer.h"

namespace temper {

/// The adapter's tensors and the head (PEFT's modules_to_save for SEQ_CLS) under an adapter, else
/// every backbone parameter that requires a gradient and `score.weight`.
std::vector<std::pair<std::string, torch::Tensor>> classifierTrainableParameters(ModelSource& source,
                                                                                 CausalLmImpl& model,
                                                                                 const torch::Tensor& score);

/// Writes the classifier into `dir` (created if missing) with the tokenizer files; config.json's
/// pad id is classifierPadId(tokenizer).
void saveClassifierFolder(const ModelSource& source, CausalLmImpl& model, const torch::Tensor& score,
                          const std::vector<std::string>& labels, const Tokenizer& tokenizer,
                          const std::filesystem::path& dir);

/// Copies a folder written by saveClassifierFolder into the live backbone (or adapter) and `score`.
/// Throws Error(InvalidInput) naming the file and tensor that is missing or has another shape.
void loadClassifierFolderWeights(ModelSource& source, CausalLmImpl& model, const torch::Tensor& score,
                                 const std::filesystem::path& dir);

/// The pad id a saved classifier's config.json names: the tokenizer's pad, else its eos (-1: none).
/// transformers needs one to find each row's last token in a batch.
int classifierPadId(const Tokenizer& tokenizer);

}  // namespace temper
