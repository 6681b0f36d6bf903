#include "core/peft/peft_shape.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/peft/target_match.h"

namespace temper {

std::vector<NamedLinear> projectionsOf(const ModelShape& s) {
  std::vector<NamedLinear> out;
  auto add = [&](std::string name, LinearRole role, int64_t block, int64_t in, int64_t width, bool bias) {
    NamedLinear linear;
    linear.name = std::move(name);
    linear.role = role;
    linear.block = block;
    linear.fan_in_fan_out = s.family == "gpt2";
    linear.in = in;
    linear.out = width;
    linear.bias = bias;
    out.push_back(std::move(linear));
  };
  const int64_t q_width = s.heads * s.headDim(), kv_width = s.kvHeads() * s.headDim();
  for (int64_t i = 0; i < s.layers; ++i) {
    if (s.family == "gpt2") {
      const std::string p = "transformer.h." + std::to_string(i) + ".";
      add(p + "attn.c_attn", LinearRole::QueryKeyValue, i, s.hidden, 3 * s.hidden, s.qkv_bias);
      add(p + "attn.c_proj", LinearRole::AttentionOutput, i, s.hidden, s.hidden, s.o_bias);
      add(p + "mlp.c_fc", LinearRole::MlpUp, i, s.hidden, s.mlpWidth(), s.mlp_bias);
      add(p + "mlp.c_proj", LinearRole::MlpDown, i, s.mlpWidth(), s.hidden, s.mlp_bias);
    } else {
      const std::string p = "model.layers." + std::to_string(i) + ".";
      add(p + "self_attn.q_proj", LinearRole::Query, i, s.hidden, q_width, s.qkv_bias);
      add(p + "self_attn.k_proj", LinearRole::Key, i, s.hidden, kv_width, s.qkv_bias);
      add(p + "self_attn.v_proj", LinearRole::Value, i, s.hidden, kv_width, s.qkv_bias);
      add(p + "self_attn.o_proj", LinearRole::AttentionOutput, i, q_width, s.hidden, s.o_bias);
      add(p + "mlp.gate_proj", LinearRole::MlpGate, i, s.hidden, s.mlpWidth(), s.mlp_bias);
      add(p + "mlp.up_proj", LinearRole::MlpUp, i, s.hidden, s.mlpWidth(), s.mlp_bias);
      add(p + "mlp.down_proj", LinearRole::MlpDown, i, s.mlpWidth(), s.hidden, s.mlp_bias);
    }
  }
  return out;
}

int64_t loraTrainableParameters(const ModelShape& shape, const LoraOptions& options) {
  const std::vector<NamedLinear> linears = projectionsOf(shape);
  const std::vector<size_t> chosen = matchTargets(parseTargetSpec(options.targets), linears);
  const std::set<size_t> targeted(chosen.begin(), chosen.end());
  int64_t total = 0;
  for (size_t i : chosen) {
    total += options.r * (linears[i].in + linears[i].out);
    if (options.dora) total += linears[i].out;
  }
  for (size_t i = 0; i < linears.size(); ++i) {
    const bool trains_bias = options.bias == "all" || (options.bias == "lora-only" && targeted.count(i));
    if (linears[i].bias && trains_bias) total += linears[i].out;
  }
  // bias "all" also trains the norms' biases: GPT-2's LayerNorms (2 per block + the final one).
  if (options.bias == "all" && shape.family == "gpt2") total += (2 * shape.layers + 1) * shape.hidden;
  return total;
}

int64_t unsavedInputWidth(const ModelShape& shape, const PeftChoice& peft) {
  if (!peft.adapter() || (peft.kind == "lora" && !peft.lora.modules_to_save.empty())) return 0;
  const std::vector<NamedLinear> linears = projectionsOf(shape);
  std::set<size_t> adapted;
  if (peft.kind == "lora") {
    const std::vector<size_t> chosen = matchTargets(parseTargetSpec(peft.lora.targets), linears);
    adapted.insert(chosen.begin(), chosen.end());
  }
  auto groupOf = [](LinearRole role) {
    switch (role) {
      case LinearRole::Query:
      case LinearRole::Key:
      case LinearRole::Value:
      case LinearRole::QueryKeyValue:
        return 0;
      case LinearRole::AttentionOutput:
        return 1;
      case LinearRole::MlpUp:
      case LinearRole::MlpGate:
        return 2;
      case LinearRole::MlpDown:
        return 3;
    }
    return 3;
  };
  // (block, group) -> the group's input width, or -1 once a projection of it is adapted.
  std::map<std::pair<int64_t, int>, int64_t> groups;
  for (size_t i = 0; i < linears.size(); ++i) {
    auto it = groups.emplace(std::pair{linears[i].block, groupOf(linears[i].role)}, linears[i].in).first;
    if (adapted.count(i)) it->second = -1;
  }
  int64_t width = 0;
  for (const auto& [key, in] : groups) width += std::max<int64_t>(in, 0);
  return width;
}

int64_t recordedBlocksUnder(const ModelShape& shape, const PeftChoice& peft) {
  if (peft.kind != "adapters") return -1;
  const std::vector<int64_t> layers = adapterLayers(peft.adapters.layers, shape.layers);
  if (layers.empty()) return -1;
  const bool body_unrecorded = peft.adapters.afterFfn() && !peft.adapters.afterAttention();
  return shape.layers - layers.front() - (body_unrecorded || peft.adapters.parallel() ? 1 : 0);
}

int64_t adapterSavedWidth(const ModelShape& shape, const PeftChoice& peft) {
  if (peft.kind != "adapters") return 0;
  const int64_t adapters =
      static_cast<int64_t>(adapterLayers(peft.adapters.layers, shape.layers).size()) * peft.adapters.perBlock();
  return adapters * (shape.hidden + 2 * bottleneckWidth(shape.hidden, peft.adapters.reduction));
}

}  // namespace temper
