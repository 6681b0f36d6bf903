#include "core/train/train_config.h"

namespace temper {

const std::vector<KeySpec>& trainKeySpecs() {
  using K = KeyKind;
  static const std::vector<KeySpec> specs = {
      {"method", K::Choice, "pretrain", 0, 0, {"pretrain"}, "what is trained: pretrain (from scratch)"},
      {"data", K::Text, nullptr, 0, 0, {}, "prepared dataset folder (temper data prepare)"},
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
      {"bias", K::Boolean, true, 0, 0, {},
       "biases in the Linear layers (GPT-2: true; false is nanoGPT's variant, not loadable as GPT-2 by transformers)"},
      {"eval-every", K::Integer, 250, 1, 100000000, {}, "steps between validation passes"},
      {"eval-batches", K::Integer, 20, 1, 100000, {}, "validation batches per pass"},
      {"checkpoint-every", K::Integer, 500, 1, 100000000, {}, "steps between checkpoints"},
      {"seed", K::Integer, 1337, 0, 9007199254740991.0, {}, "seed for initialisation, data order and dropout"},
      {"threads", K::Integer, 0, 0, 1024, {}, "CPU threads for LibTorch (0: chosen by the engine)"},
      {"device", K::Choice, "auto", 0, 0, {"auto", "cpu", "cuda"}, "where to train"},
      {"sample-tokens", K::Integer, 64, 0, 4096, {}, "tokens generated per sample prompt at each eval"},
      {"sample-prompts", K::Text, "", 0, 0, {}, "prompts sampled at each eval, separated by '|' (empty: a newline)"},
  };
  return specs;
}

}  // namespace temper
