#include "core/peft/peft_shape.h"

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

}  // namespace temper
