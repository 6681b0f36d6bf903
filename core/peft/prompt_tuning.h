#pragma once
/// Prompt tuning as PEFT's PROMPT_TUNING (peft/tuners/prompt_tuning): N trained embeddings (the
/// soft prompt) put before the token embeddings of every sequence of a frozen model
/// (CausalLmImpl::setSoftPrompt). Positions, RoPE and the KV cache count them; the loss and the
/// metrics see only the real tokens. Several soft prompts can serve one frozen base, one per task.
#include <string>
#include <vector>

#include "core/model/causal_lm.h"
#include "core/peft/adapter.h"
#include "core/peft/prompt_tuning_options.h"

namespace temper {

class PromptTuningAdapter final : public Adapter {
 public:
  /// A soft prompt for `model` (its base frozen), attached. `text_ids` are `init_text` tokenized
  /// as the model's tokenizer does it (with its leading special ids) for init "text". Draws from
  /// torch's global RNG for random and vocab. Throws Error(InvalidConfig) for N < 1, a prompt that
  /// leaves no room for tokens in the context, or "text" with no tokens.
  PromptTuningAdapter(CausalLm model, PromptTuningOptions options, const std::vector<int64_t>& text_ids = {});
  ~PromptTuningAdapter() override;

  std::string kind() const override { return "prompt-tuning"; }
  std::vector<std::pair<std::string, torch::Tensor>> tensors() override { return {{"prompt_embeddings", prompt_}}; }
  void attach() override;
  void detach() override;
  bool attached() const override { return attached_; }
  void setTraining(bool) override {}
  Json peftConfig() const override;
  void loadTensors(const std::map<std::string, torch::Tensor>& values, const std::string& source) override;

  const PromptTuningOptions& options() const { return options_; }

 private:
  CausalLm model_;
  PromptTuningOptions options_;
  torch::Tensor prompt_;  ///< (N, C), on the model's device, fp32
  bool attached_ = false;
};

}  // namespace temper
