#pragma once
/// Bottleneck adapters (Houlsby et al. 2019, Pfeiffer et al. 2020, He et al. 2022; AdapterHub's
/// "bottleneck" adapters; not part of PEFT): in each chosen block, a small down-projection to
/// hidden / reduction units, a non-linearity and an up-projection back, added to a sublayer's
/// output — a = out + s · up(act(down(x))), with x the sublayer's output (serial placements) or
/// the MLP's input (parallel). The up-projection starts at zero, so step 0 is the base bit for
/// bit. The base stays frozen; the adapters enter through the blocks' hook (block_adapter.h) and
/// are saved in Temper's own folder layout (docs/peft.md, peft_type BOTTLENECK).
#include <map>
#include <string>
#include <vector>

#include "core/model/causal_lm.h"
#include "core/peft/adapter.h"
#include "core/peft/bottleneck_options.h"

namespace temper {

/// One adapter: down (b, C) + bias (b), up (C, b) + bias (C), fp32, trained.
struct BottleneckLayer {
  torch::Tensor down_weight, down_bias, up_weight, up_bias;
};

/// The adapters of every chosen block, as the model's block hook calls them.
class BottleneckBlocks final : public BlockAdapter {
 public:
  explicit BottleneckBlocks(BottleneckOptions options) : options_(std::move(options)) {}
  torch::Tensor afterAttention(int64_t layer, const torch::Tensor& attention_out) override;
  torch::Tensor afterMlp(int64_t layer, const torch::Tensor& mlp_in, const torch::Tensor& mlp_out) override;

  /// By block index; a block without an entry passes its sublayers' outputs through.
  std::map<int64_t, BottleneckLayer> attention, ffn;

 private:
  torch::Tensor delta(const BottleneckLayer& adapter, const torch::Tensor& x) const;
  BottleneckOptions options_;
};

class BottleneckAdapter final : public Adapter {
 public:
  /// Adapters on `model` (its base frozen), attached. Draws the down-projections from torch's
  /// global RNG. Throws Error(InvalidConfig) naming the key for an unknown placement or
  /// activation, a reduction that leaves no unit, or layers the model does not have.
  BottleneckAdapter(CausalLm model, BottleneckOptions options);
  ~BottleneckAdapter() override;

  std::string kind() const override { return "adapters"; }
  /// `adapters.<block>.<after_attention|after_ffn|parallel>.<down|up>.<weight|bias>`.
  std::vector<std::pair<std::string, torch::Tensor>> tensors() override;
  void attach() override;
  void detach() override;
  bool attached() const override { return attached_; }
  void setTraining(bool) override {}
  Json peftConfig() const override;
  void loadTensors(const std::map<std::string, torch::Tensor>& values, const std::string& source) override;

  const BottleneckOptions& options() const { return options_; }

 private:
  CausalLm model_;
  BottleneckOptions options_;
  std::vector<int64_t> layers_;
  std::shared_ptr<BottleneckBlocks> blocks_;
  bool attached_ = false;
};

}  // namespace temper
