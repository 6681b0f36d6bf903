#include "core/engine/chat_defaults.h"

#include "core/engine/model_inspect_command.h"

namespace temper {

ChatTemplate chatTemplateFor(const std::filesystem::path& model_dir, const std::string& override_name,
                             const Tokenizer& tokenizer, bool* fell_back_to_plain) {
  if (fell_back_to_plain != nullptr) *fell_back_to_plain = false;
  if (!override_name.empty() || folderHasChatTemplate(model_dir)) return loadChatTemplate(model_dir, override_name);
  // The eos text only helps when the tokenizer turns it back into the eos id.
  std::string eos;
  if (tokenizer.eosId() >= 0) {
    const std::string piece = tokenizer.pieceFor(tokenizer.eosId());
    if (tokenizer.encode(piece) == std::vector<int>{tokenizer.eosId()}) eos = piece;
  }
  if (fell_back_to_plain != nullptr) *fell_back_to_plain = true;
  return chatTemplateByName("plain", "", eos);
}

std::vector<int64_t> answerStopIds(const Tokenizer& tokenizer) {
  std::vector<int64_t> ids;
  for (int id : tokenizer.stopIds()) ids.push_back(id);
  for (const char* marker : {"<|im_end|>", "<|eot_id|>"}) {
    const int id = tokenizer.tokenId(marker);
    if (id >= 0) ids.push_back(id);
  }
  return ids;
}

}  // namespace temper
