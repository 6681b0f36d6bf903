#pragma once
/// Prefix tuning as PEFT's PREFIX_TUNING (peft/tuners/prefix_tuning, Li & Liang 2021): N trained
/// key/value positions in every layer of a frozen model, which every query attends to before the
/// sequence's own (CausalLmImpl::setAttentionPrefix). They reach the model as PEFT passes them, as
/// past keys and values: generation and chat fill the KV cache with them and run unchanged, and
/// the sequence's positions start after them. Unlike the other kinds, step 0 is not the base: the
/// queries give the (random) prefixes part of their attention from the first step on.
#include <map>
#include <string>
#include <vector>

#include "core/model/causal_lm.h"
#include "core/peft/adapter.h"
#include "core/peft/prefix_tuning_options.h"

namespace temper {

/// The trained tensors and what they make: a (N, layers·2·width) table, directly or through the
/// projection MLP, laid out as PEFT's get_prompt reads it (per position: layer 0's keys, layer 0's
/// values, layer 1's keys, ...; each kv heads × head dim).
class PrefixEncoder final : public AttentionPrefix {
 public:
  PrefixEncoder(int64_t layers, int64_t kv_heads, int64_t head_dim, PrefixTuningOptions options,
                const torch::Device& device);

  int64_t length() const override { return options_.tokens; }
  torch::Tensor keysValues() override;
  /// (N, layers · 2 · kv heads · head dim): what PEFT saves as `prompt_embeddings`.
  torch::Tensor flat();

  torch::Tensor embedding;  ///< (N, width) under projection, else (N, layers·2·width)
  torch::Tensor hidden_weight, hidden_bias, out_weight, out_bias;  ///< the MLP (projection only)

 private:
  int64_t layers_, kv_heads_, head_dim_;
  PrefixTuningOptions options_;
};

class PrefixTuningAdapter final : public Adapter {
 public:
  /// Prefixes for `model` (its base frozen), attached. Draws from torch's global RNG as PEFT
  /// initialises them: the table N(0, 1), the MLP's layers as torch.nn.Linear's defaults. Throws
  /// Error(InvalidConfig) for N < 1 or a prefix that leaves no room for tokens in the context.
  PrefixTuningAdapter(CausalLm model, PrefixTuningOptions options);
  ~PrefixTuningAdapter() override;

  std::string kind() const override { return "prefix-tuning"; }
  /// `prompt_embeddings`, or under projection `prefix_encoder.embedding.weight` and
  /// `prefix_encoder.transform.{0,2}.{weight,bias}` (the names of PEFT's PrefixEncoder modules).
  std::vector<std::pair<std::string, torch::Tensor>> tensors() override;
  /// `prompt_embeddings`: the projected prefixes under projection, as PEFT saves them.
  std::vector<std::pair<std::string, torch::Tensor>> peftTensors() override;
  void attach() override;
  void detach() override;
  bool attached() const override { return attached_; }
  void setTraining(bool) override {}
  Json peftConfig() const override;
  void loadTensors(const std::map<std::string, torch::Tensor>& values, const std::string& source) override;

  const PrefixTuningOptions& options() const { return options_; }

 private:
  CausalLm model_;
  PrefixTuningOptions options_;
  std::shared_ptr<PrefixEncoder> encoder_;
  bool attached_ = false;
};

}  // namespace temper
