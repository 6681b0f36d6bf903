#include "core/methods/peft_keys.h"

#include "core/common/text_utils.h"

namespace temper {

const std::vector<PeftKindInfo>& peftKinds() {
  static const std::vector<PeftKindInfo> kinds = {
      {"none", "Full", "Every weight trains: the most capacity, and a full copy of the model per run.", true, ""},
      {"lora", "LoRA",
       "Small low-rank matrices beside the frozen weights: near-full quality for a few MB per task; the usual choice "
       "for models too large to finetune in full.",
       true, ""},
      {"adapters", "Bottleneck adapters",
       "Small layers inserted after attention and/or the MLP of a frozen model: one compact module per task.", true,
       ""},
      {"prompt-tuning", "Prompt tuning",
       "A few trained soft-prompt vectors per task on one frozen model; switch tasks by switching prompts.", true, ""},
      {"prefix-tuning", "Prefix tuning",
       "Trained key/value prefixes in every layer of a frozen model: more capacity than prompt tuning, still tiny.",
       true, ""},
  };
  return kinds;
}

const std::vector<KeySpec>& peftKeySpecs() {
  using K = KeyKind;
  static const std::vector<KeySpec> specs = {
      {"peft",
       K::Choice,
       "none",
       0,
       0,
       {"none", "lora", "adapters", "prompt-tuning", "prefix-tuning"},
       "what is trained: none (every weight), lora (low-rank adapters on a frozen base), adapters (bottleneck layers "
       "in the blocks of a frozen base), prompt-tuning (a soft prompt before every sequence of a frozen base) or "
       "prefix-tuning (key/value prefixes in every layer of a frozen base); LoRA, soft prompts and prefixes are "
       "saved in PEFT's format"},
      {"lora-r", K::Integer, 8, 1, 4096, {}, "LoRA rank r"},
      {"lora-alpha",
       K::Number,
       nullptr,
       1e-6,
       1e6,
       {},
       "LoRA alpha; the update is scaled by alpha / r (default 2 × r)"},
      {"lora-dropout", K::Number, 0.0, 0, 0.95, {}, "dropout on the LoRA input"},
      {"lora-targets",
       K::Text,
       "attention-qv",
       0,
       0,
       {},
       "projections LoRA adapts: attention-qv, attention, all-linear, a comma list of module names (q_proj,v_proj) "
       "or a regex over module paths"},
      {"use-rslora", K::Boolean, false, 0, 0, {}, "rank-stabilised LoRA: scale by alpha / sqrt(r)"},
      {"use-dora", K::Boolean, false, 0, 0, {}, "DoRA: a trained magnitude per output row on top of LoRA"},
      {"lora-bias",
       K::Choice,
       "none",
       0,
       0,
       {"none", "lora-only", "all"},
       "biases trained with the adapter: none, those of the LoRA targets, or all"},
      {"modules-to-save", K::Text, "", 0, 0, {}, "base modules trained in full and saved with the adapter, comma list"},
      {"loraplus-lr-ratio",
       K::Number,
       1.0,
       1,
       1000,
       {},
       "LoRA+: lora_B learns at this multiple of the learning rate (1: plain LoRA; LoRA+ suggests 16)"},
      {"adapter-placement",
       K::Choice,
       "after-ffn",
       0,
       0,
       {"after-attention", "after-ffn", "both", "parallel"},
       "bottleneck adapters: after the attention sublayer, after the MLP (Pfeiffer), both (Houlsby), or beside the "
       "MLP (parallel, He et al.)"},
      {"adapter-reduction",
       K::Integer,
       16,
       1,
       65536,
       {},
       "bottleneck adapters: the bottleneck is hidden / reduction wide"},
      {"adapter-act",
       K::Choice,
       "relu",
       0,
       0,
       {"relu", "gelu", "silu"},
       "bottleneck adapters: the non-linearity between the down- and the up-projection"},
      {"adapter-layers",
       K::Text,
       "all",
       0,
       0,
       {},
       "bottleneck adapters: the blocks that get one, all or indices and ranges (0-3,6)"},
      {"adapter-scaling",
       K::Number,
       nullptr,
       0,
       1e6,
       {},
       "bottleneck adapters: their output is multiplied by this (default 1; 4 for parallel)"},
      {"prompt-tokens", K::Integer, 20, 1, 4096, {}, "prompt tuning: virtual tokens in the soft prompt"},
      {"prompt-init",
       K::Choice,
       "vocab",
       0,
       0,
       {"vocab", "text", "random"},
       "prompt tuning: start from embeddings of random vocabulary tokens, of `prompt-init-text`, or N(0, 1)"},
      {"prompt-init-text", K::Text, "", 0, 0, {}, "prompt tuning: the text whose tokens start the prompt (init text)"},
      {"prefix-tokens", K::Integer, 20, 1, 4096, {}, "prefix tuning: key/value positions in every layer"},
      {"base-quant",
       K::Choice,
       "none",
       0,
       0,
       {"none", "int8", "nf4"},
       "QLoRA: store the frozen base's projections quantised in blocks of 64 (int8, or 4-bit NormalFloat as "
       "bitsandbytes), dequantised one layer at a time; needs a `peft` kind"},
      {"base-quant-double",
       K::Boolean,
       true,
       0,
       0,
       {},
       "QLoRA: quantise the per-block scales too (double quantisation, 0.37 bits per weight less for nf4)"},
      {"prefix-projection",
       K::Boolean,
       false,
       0,
       0,
       {},
       "prefix tuning: train the prefixes through an MLP (reparameterisation); only its output is saved"},
      {"prefix-projection-hidden",
       K::Integer,
       0,
       0,
       1 << 20,
       {},
       "prefix tuning: the projection MLP's hidden width (0: the prefix width, as PEFT)"},
  };
  return specs;
}

std::string peftKindOfKey(const std::string& key) {
  if (key.starts_with("lora-") || key.starts_with("loraplus-") || key == "use-rslora" || key == "use-dora" ||
      key == "modules-to-save")
    return "lora";
  if (key.starts_with("prompt-")) return "prompt-tuning";
  if (key.starts_with("prefix-")) return "prefix-tuning";
  if (key.starts_with("adapter-")) return "adapters";
  return "";
}

PeftChoice peftChoice(const TrainConfig& c) {
  PeftChoice choice;
  const Json& v = c.values;
  choice.kind = v.value("peft", std::string("none"));
  LoraOptions& o = choice.lora;
  o.r = v.value("lora-r", o.r);
  o.alpha = v.contains("lora-alpha") ? v["lora-alpha"].get<double>() : 2.0 * static_cast<double>(o.r);
  o.dropout = v.value("lora-dropout", o.dropout);
  o.targets = v.value("lora-targets", o.targets);
  o.rslora = v.value("use-rslora", o.rslora);
  o.dora = v.value("use-dora", o.dora);
  o.bias = v.value("lora-bias", o.bias);
  o.loraplus_lr_ratio = v.value("loraplus-lr-ratio", o.loraplus_lr_ratio);
  for (const auto& m : splitString(v.value("modules-to-save", std::string()), ',')) {
    if (!m.empty()) o.modules_to_save.push_back(m);
  }
  BottleneckOptions& a = choice.adapters;
  a.placement = v.value("adapter-placement", a.placement);
  a.reduction = v.value("adapter-reduction", a.reduction);
  a.act = v.value("adapter-act", a.act);
  a.layers = v.value("adapter-layers", a.layers);
  a.scaling = v.contains("adapter-scaling") ? v["adapter-scaling"].get<double>() : (a.parallel() ? 4.0 : 1.0);
  PromptTuningOptions& p = choice.prompt;
  p.tokens = v.value("prompt-tokens", p.tokens);
  p.init = v.value("prompt-init", p.init);
  p.init_text = v.value("prompt-init-text", p.init_text);
  PrefixTuningOptions& f = choice.prefix;
  f.tokens = v.value("prefix-tokens", f.tokens);
  f.projection = v.value("prefix-projection", f.projection);
  f.projection_hidden = v.value("prefix-projection-hidden", f.projection_hidden);
  choice.base_quant = v.value("base-quant", choice.base_quant);
  choice.base_quant_double = v.value("base-quant-double", choice.base_quant_double);
  return choice;
}

}  // namespace temper
