#pragma once
/// Where a method's model comes from, and what travels with it when it is saved: a GPT-2 built
/// from scratch for pretraining, or a Hugging Face folder (any family hf_model.h loads) for every
/// method that starts from a base. Saving writes the same layout back (config.json with the base's
/// own keys, the family's tensor names, the tokenizer files copied), so `transformers` and Temper
/// both load what a run produced.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/common/json_io.h"
#include "core/model/causal_lm.h"
#include "core/model/gpt_config.h"
#include "core/model/hf_model.h"
#include "core/peft/adapter.h"
#include "core/peft/peft_choice.h"

namespace temper {

struct ModelSource {
  CausalLm model;
  Json hf_config;                   ///< config.json to save back (null: the family's own keys)
  std::filesystem::path tokenizer;  ///< a tokenizer file or a folder openTokenizer understands
  /// Copied next to every saved model: (file, name in the saved folder).
  std::vector<std::pair<std::filesystem::path, std::string>> tokenizer_files;
  std::string description;  ///< for the run history: "scratch (N parameters)" or the base folder
  /// Set when the base is a *ForSequenceClassification folder (only the classify method accepts
  /// one): its labels in id order and its (labels, hidden) head; `model` is then its backbone.
  std::vector<std::string> classifier_labels;
  torch::Tensor classifier_score;

  /// The base folder and its weight files (empty for a model built from scratch).
  std::filesystem::path base_dir;
  std::vector<std::filesystem::path> base_weight_files;
  /// What is trained (the `peft` keys); with an adapter kind, `adapter` is made by
  /// startTraining() and the base stays frozen.
  PeftChoice peft;
  std::shared_ptr<Adapter> adapter;
  Json base_fingerprint;  ///< of base_weight_files, taken by startTraining() when an adapter trains
};

/// A GPT-2 of `shape`, initialised from `seed` (torch's global RNG is seeded here).
ModelSource scratchGpt(const GptConfig& shape, uint64_t seed, const std::filesystem::path& tokenizer_file);

/// A Hugging Face model folder (or a run's checkpoint / final folder), in fp32 on the CPU.
/// Throws Error(InvalidInput) naming the folder when it has no tokenizer Temper can read, or when
/// it is a classifier and `accept_classifier` is false (methods that train a language model).
ModelSource baseModel(const std::filesystem::path& dir, bool accept_classifier = false);
/// The same for a folder already inspected (method_setup.h inspects the base once); `quantize`:
/// the projections quantised as they are read (quantizeWhileLoading).
ModelSource baseModel(const HfModelInfo& info, bool accept_classifier = false, const QuantOptions& quantize = {});

/// QLoRA (`base-quant`) on the CPU: the base's projections quantised while the base is read, so its
/// full-precision projections never exist together (a 1.1B Llama's 3.7 GB). On another device the
/// base is quantised after it moved there, in startTraining (the codes stay where the weight was).
QuantOptions quantizeWhileLoading(const PeftChoice& peft, torch::Device device);

/// The training window of a task: `requested` (the `ctx` key) or, when 0, the model's context
/// less the `virtual_tokens` a soft prompt takes. Error(InvalidConfig) naming `ctx` when it does
/// not fit.
int64_t trainingContext(const CausalLmImpl& model, int64_t requested, int64_t virtual_tokens = 0);

/// Throws the Error(InvalidInput) every language-model method gives for a classifier base.
[[noreturn]] void refuseClassifierBase(const std::filesystem::path& dir);

/// Called by a task once its model is on its device: with a PEFT kind, freezes the base and
/// attaches a fresh adapter (initialised from `seed`), and fingerprints the base's weights.
void startTraining(ModelSource& source, uint64_t seed);

/// What the optimizer updates: the adapter's tensors, or every parameter of `model`.
std::vector<std::pair<std::string, torch::Tensor>> trainedParameters(ModelSource& source, CausalLmImpl& model);

/// The learning-rate multiple of a trained tensor (LoRA+: `loraplus-lr-ratio` for lora_B).
double learningRateScaleOf(const ModelSource& source, const std::string& name);

/// Train or eval mode for the model and its adapter (dropout).
void setTrainingMode(ModelSource& source, CausalLmImpl& model, bool training);

/// What a method that compares its policy with a frozen reference (DPO, KTO, GRPO and RLOO with a
/// KL term) computes under the reference, without gradients: `forward` applied to `reference`
/// when the method holds one (full weights: the base loaded a second time), else to `model` with
/// the source's adapter detached for the call (under any PEFT kind the base is the reference, and
/// no second copy is held, as TRL does with a PEFT model), in eval mode (no dropout).
torch::Tensor underReference(const CausalLm& reference, ModelSource& source, CausalLmImpl& model,
                             const std::function<torch::Tensor(CausalLmImpl&)>& forward);

/// A classify run's label head: (labels, hidden) weights and the labels in id order.
struct ClassifierHead {
  torch::Tensor score;
  std::vector<std::string> labels;
};

/// Writes `model` in `source`'s layout into `dir`, with the tokenizer files: a Hugging Face model
/// folder, or with an adapter a PEFT adapter folder (adapter_folder.h) whose base is base_dir.
/// With an adapter and a `head`, the folder is a SEQ_CLS adapter: the head saved as PEFT saves
/// `score`, the labels in temper_adapter.json (PEFT keeps them in the base's config, which a
/// language-model base does not have).
void saveModelFolder(const ModelSource& source, CausalLmImpl& model, const std::filesystem::path& dir,
                     const ClassifierHead* head = nullptr);

/// Copies `source`'s tokenizer files into `dir` under their saved names (saveModelFolder does it).
void copyTokenizerFiles(const ModelSource& source, const std::filesystem::path& dir);

/// Copies the weights of a folder written by saveModelFolder into the live `model` (resume).
/// Names and shapes must match exactly.
void loadModelWeightsInto(CausalLmImpl& model, const std::filesystem::path& dir);
/// The same through the source: an adapter folder's tensors into the adapter, after checking
/// that the base is still the one the adapter was trained on; a SEQ_CLS folder's head into `score`.
void loadModelWeightsInto(ModelSource& source, CausalLmImpl& model, const std::filesystem::path& dir,
                          torch::Tensor* score = nullptr);

}  // namespace temper
