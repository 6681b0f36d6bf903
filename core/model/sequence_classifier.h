#pragma once
/// Sequence classifiers in transformers' *ForSequenceClassification layout: a decoder backbone of
/// any family (hf_model.h) and `score`, a bias-free linear map from the hidden state of each text's
/// last token to one logit per label. The classify method trains them (methods/classify_task.h);
/// `temper eval` scores them on labelled records; a classifier folder can be a classify base.
///
/// On disk the backbone keeps its family's causal names, with GPT-2's under `transformer.`
/// (GPT2ForSequenceClassification) and the Llama family's already under `model.`; there is no
/// `lm_head.weight`. config.json carries id2label / label2id / num_labels and pad_token_id.
#include <filesystem>
#include <string>
#include <vector>

#include "core/model/hf_model.h"

namespace temper {

struct SequenceClassifier {
  CausalLm backbone;
  torch::Tensor score;              ///< (labels, hidden), fp32, on the backbone's device
  std::vector<std::string> labels;  ///< id order
  HfModelInfo info;
};

/// Loads a *ForSequenceClassification folder in fp32 on the CPU. Throws Error(InvalidInput)
/// naming the folder when it is a causal model instead, and naming the tensor or key when the
/// head or the labels do not fit.
SequenceClassifier loadSequenceClassifier(const std::filesystem::path& dir);
/// The same for a folder already inspected.
SequenceClassifier loadSequenceClassifier(const HfModelInfo& info);

/// (B, labels) logits of right-padded ids (B, T): the head reads position `last[b]` of row b,
/// the row's last real token (padding after it cannot reach it through causal attention).
torch::Tensor classifierLogits(CausalLmImpl& backbone, const torch::Tensor& score, const torch::Tensor& ids,
                               const torch::Tensor& last);

/// Writes a *ForSequenceClassification folder into `dir` (created if missing): the backbone in its
/// family's layout (saveHfModel with `causal_config`, the config it was loaded with) without
/// lm_head and under the classifier's names, `score`, and config.json's architectures, id2label,
/// label2id, num_labels and `pad_id` (-1: none; transformers needs one to batch). Tokenizer files
/// are the caller's.
void saveSequenceClassifier(CausalLmImpl& backbone, const Json& causal_config, const torch::Tensor& score,
                            const std::vector<std::string>& labels, int pad_id, const std::filesystem::path& dir);

/// The name a backbone parameter has in a classifier's safetensors ("h.0.ln_1.weight" ->
/// "transformer.h.0.ln_1.weight" for GPT-2; unchanged for the Llama family).
std::string classifierTensorName(const std::string& family, const std::string& backbone_name);

/// "GPT2ForSequenceClassification" for GPT-2; "<X>ForSequenceClassification" for a Llama-family
/// model whose causal config says "<X>ForCausalLM" (Llama when it says nothing).
std::string classifierArchitecture(const std::string& family, const Json& causal_config);

/// The inverse: "LlamaForCausalLM" for "LlamaForSequenceClassification", "GPT2LMHeadModel" for
/// GPT-2's, so a classifier's backbone can be saved or described as the causal model it came from.
std::string causalArchitecture(const std::string& classifier_architecture);

}  // namespace temper
