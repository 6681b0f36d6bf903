#pragma once
/// What `temper chat` and `temper prefs generate` agree on when a model answers a conversation:
/// which chat template renders it and which token ids end an answer.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer.h"

namespace temper {

/// `override_name` when given, else the folder's own template, else plain (a model without one was
/// not trained on any chat format, and plain is the least surprising text to continue); then
/// `fell_back_to_plain` (optional) is set.
ChatTemplate chatTemplateFor(const std::filesystem::path& model_dir, const std::string& override_name,
                             const Tokenizer& tokenizer, bool* fell_back_to_plain = nullptr);

/// The tokenizer's stop ids, and a template's end-of-turn marker (`<|im_end|>`, `<|eot_id|>`) when
/// it is one token.
std::vector<int64_t> answerStopIds(const Tokenizer& tokenizer);

}  // namespace temper
