#include <algorithm>
#include <map>

#include "core/methods/method_registry.h"
#include "core/methods/peft_keys.h"
#include "core/methods/train_config.h"

namespace temper {
namespace {

// The `method` key: its choices are the registry's available methods.
KeySpec methodKey() {
  const auto names = methodRegistry().availableNames();
  std::string list;
  for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
  return {"method", KeyKind::Choice, "pretrain", 0, 0, names, "what is trained: " + list};
}

// Keys of the engine itself and keys several methods share. A key only one method reads belongs
// in that method's spec (own_keys).
const std::vector<KeySpec>& sharedKeySpecs() {
  using K = KeyKind;
  static const std::vector<KeySpec> specs = {
      {"base",
       K::Text,
       nullptr,
       0,
       0,
       {},
       "the model to start from: a Hugging Face folder, or a run's final/ or checkpoint folder"},
      {"data",
       K::Text,
       nullptr,
       0,
       0,
       {},
       "pretrain: a prepared dataset folder; continued-pretrain: that or text files/folders; sft, classify: a "
       ".jsonl, .json or .csv file (or a folder of them); reward-model, dpo, simpo, orpo: a preference set of the "
       "workspace (set:NAME) or a TRL preference file (.jsonl, .json)"},
      {"val-data",
       K::Text,
       "",
       0,
       0,
       {},
       "validation records (sft, classify), text (continued-pretrain) or preference pairs (reward-model, dpo, simpo, "
       "orpo)"},
      {"val-fraction", K::Number, 0.1, 0.001, 0.5, {}, "share of the records held out when `val-data` is not given"},
      {"ext", K::Text, "", 0, 0, {}, "file extensions read from data folders, e.g. .ts,.tsx (continued-pretrain)"},
      {"response-template",
       K::Text,
       "",
       0,
       0,
       {},
       "sft on {text} records: the response starts after this text (e.g. \nA:); the loss covers what follows"},
      {"chat-template",
       K::Choice,
       "auto",
       0,
       0,
       {"auto", "chatml", "llama2", "llama3", "zephyr", "plain"},
       "sft on {messages}, preference pairs with conversations: the model's own template (auto) or one of these"},
      {"packing", K::Boolean, false, 0, 0, {}, "sft: pack examples into full windows (fewer pad tokens)"},
      {"drop-long", K::Boolean, false, 0, 0, {}, "sft: drop examples longer than ctx instead of truncating them"},
      {"train-last-blocks",
       K::Integer,
       -1,
       -1,
       4096,
       {},
       "classify: train only the last N blocks and the head (-1: everything, 0: the head alone)"},
      {"name", K::Text, "", 0, 0, {}, "run name shown in the history"},
      {"preset", K::Choice, nullptr, 0, 0, {"tiny", "small", "gpt2-124m"}, "model shape preset"},
      {"layers", K::Integer, nullptr, 1, 256, {}, "transformer blocks (overrides the preset)"},
      {"dim", K::Integer, nullptr, 8, 32768, {}, "embedding width (overrides the preset)"},
      {"heads", K::Integer, nullptr, 1, 256, {}, "attention heads; must divide dim"},
      {"ctx", K::Integer, nullptr, 2, 65536, {}, "context length in tokens"},
      {"batch-size", K::Integer, 12, 1, 65536, {}, "sequences per micro-batch"},
      {"grad-accum", K::Integer, 1, 1, 4096, {}, "micro-batches per optimizer step"},
      {"max-steps", K::Integer, 2000, 1, 100000000, {}, "optimizer steps"},
      {"lr", K::Number, 1e-3, 1e-9, 10, {}, "peak learning rate"},
      {"min-lr", K::Number, 1e-4, 0, 10, {}, "learning rate at the end of the cosine decay"},
      {"warmup-steps", K::Integer, 100, 0, 100000000, {}, "linear warmup steps"},
      {"weight-decay", K::Number, 0.1, 0, 10, {}, "AdamW decoupled weight decay (2-D weights only)"},
      {"beta1", K::Number, 0.9, 0, 0.999999, {}, "AdamW beta1"},
      {"beta2", K::Number, 0.99, 0, 0.999999, {}, "AdamW beta2"},
      {"grad-clip", K::Number, 1.0, 0, 1e6, {}, "clip the global gradient norm (0: off)"},
      {"dropout", K::Number, 0.0, 0, 0.95, {}, "dropout probability"},
      {"bias",
       K::Boolean,
       true,
       0,
       0,
       {},
       "biases in the Linear layers (GPT-2: true; false is nanoGPT's variant, not loadable as GPT-2 by transformers)"},
      {"eval-every", K::Integer, 250, 1, 100000000, {}, "steps between validation passes"},
      {"eval-batches", K::Integer, 20, 1, 100000, {}, "validation batches per pass"},
      {"checkpoint-every", K::Integer, 500, 1, 100000000, {}, "steps between checkpoints"},
      {"seed", K::Integer, 1337, 0, 9007199254740991.0, {}, "seed for initialisation, data order and dropout"},
      {"threads", K::Integer, 0, 0, 1024, {}, "CPU threads for LibTorch (0: chosen by the engine)"},
      {"device", K::Choice, "auto", 0, 0, {"auto", "cpu", "cuda"}, "where to train"},
      {"precision",
       K::Choice,
       "auto",
       0,
       0,
       {"auto", "fp32", "bf16"},
       "forward-pass dtype: auto is bf16 autocast on CUDA, and on a CPU with AMX or AVX512_BF16 where a probe "
       "finds bf16 products faster at the model's shapes, else fp32 (weights and optimizer stay fp32)"},
      {"gradient-checkpointing",
       K::Boolean,
       false,
       0,
       0,
       {},
       "keep only each block's input in the forward pass and recompute the block in the backward pass: far less "
       "activation memory for about one more forward pass of compute"},
      {"sample-tokens", K::Integer, 64, 0, 4096, {}, "tokens generated per sample prompt at each eval"},
      {"sample-prompts", K::Text, "", 0, 0, {}, "prompts sampled at each eval, separated by '|' (empty: a newline)"},
  };
  return specs;
}

}  // namespace

std::vector<KeySpec> trainKeySpecs() {
  std::vector<KeySpec> specs = {methodKey()};
  for (const auto& spec : sharedKeySpecs()) specs.push_back(spec);
  for (const auto& spec : peftKeySpecs()) specs.push_back(spec);
  for (const auto& method : methodRegistry().all()) {
    for (const auto& key : method.own_keys) {
      const bool known = std::any_of(specs.begin(), specs.end(), [&](const KeySpec& s) { return s.key == key.key; });
      if (!known) specs.push_back(key);
    }
  }
  return specs;
}

std::vector<std::string> keyMethods(const std::string& key) {
  std::vector<std::string> methods;
  const bool peft_key = key == "peft" || key.starts_with("base-quant") || !peftKindOfKey(key).empty();
  for (const auto& method : methodRegistry().all()) {
    if (!method.available) continue;
    // PEFT keys belong to the methods that take an adapter kind (MethodSpec::peft).
    if (peft_key ? method.peft.size() > 1 : method.takesKey(key)) methods.push_back(method.name);
  }
  return methods;
}

std::map<std::string, Json> methodDefaults(const std::string& method) {
  const MethodSpec* spec = methodRegistry().find(method);
  return spec != nullptr ? spec->defaults : std::map<std::string, Json>{};
}

}  // namespace temper
