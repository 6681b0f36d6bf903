#pragma once
/// Prompt tuning's settings, as the `prompt-*` train keys and PEFT's PromptTuningConfig describe
/// them. Torch-free.
#include <cstdint>
#include <string>

namespace temper {

struct PromptTuningOptions {
  int64_t tokens = 20;
  /// random: N(0, 1) as PEFT's RANDOM; vocab: embeddings of token ids drawn at random (PEFT's
  /// SAMPLE_VOCAB); text: the embeddings of `init_text`'s tokens, repeated or cut to N (TEXT).
  std::string init = "vocab";
  std::string init_text;
};

}  // namespace temper
