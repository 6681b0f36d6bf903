#pragma once
/// Chat templates Temper can render without a Jinja engine: it recognises the template a model
/// folder ships (tokenizer_config.json `chat_template`) as one of a few families and renders
/// messages to exactly the text transformers' apply_chat_template gives for them, together with
/// the byte spans of every assistant turn (its content and end marker) so SFT can put the loss on
/// those tokens only.
///
/// Families (`--chat-template NAME` picks one by name):
///   llama2  <s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST] {assistant} </s>   (Llama 2 chat)
///   chatml  <|im_start|>{role}\n{content}<|im_end|>\n, with the template's default system prompt when
///           it has one (Qwen2 "You are a helpful assistant.", SmolLM2); SmolLM, Qwen2.5 without tools
///   llama3  <|begin_of_text|><|start_header_id|>{role}<|end_header_id|>\n\n{content|trim}<|eot_id|>
///   zephyr  <|user|>\n{content}</s>\n (TinyLlama-1.1B-Chat)
///   plain   System: {system}\n\nUser: {user}\nAssistant: {assistant}{eos}\n, for models without one
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/common/json_io.h"
#include "core/tokenizer/tokenizer.h"

namespace temper {

enum class ChatFamily { Llama2, ChatMl, Llama3, Zephyr, Plain };

struct ChatTemplate {
  ChatFamily family = ChatFamily::Plain;
  std::string bos_token;       ///< text the template writes for bos_token ("<s>", "<|begin_of_text|>")
  std::string eos_token;       ///< text the template writes for eos_token ("</s>")
  std::string default_system;  ///< ChatML: system prompt inserted when the first message is not one
  std::string source;          ///< where it came from, for messages ("tokenizer_config.json `chat_template`")
};

struct ChatMessage {
  std::string role;  ///< "system", "user" or "assistant"
  std::string content;
};

struct RenderedChat {
  std::string text;
  /// [begin, end) bytes of `text`: each assistant message's content (as the template writes it,
  /// e.g. stripped) through its end marker ("</s>", "<|im_end|>", "<|eot_id|>"), in order.
  std::vector<std::pair<size_t, size_t>> assistant_spans;
};

struct ChatEncoding {
  std::vector<int> ids;
  /// 1 where the token overlaps an assistant span (it carries loss in SFT), else 0.
  std::vector<char> assistant_mask;
};

/// The family's name as `--chat-template` spells it.
const char* chatFamilyName(ChatFamily family);
/// "chatml" | "llama2" | "llama3" | "zephyr" | "plain" -> a template; `bos`/`eos` are the texts
/// written for bos_token/eos_token. Throws Error(InvalidConfig) for another name, listing these.
ChatTemplate chatTemplateByName(const std::string& name, const std::string& bos, const std::string& eos);

/// Recognises a Jinja chat template. `where` names it in messages. Throws Error(InvalidInput)
/// "<where>: this chat template is not one Temper can render (...); supported: ...; pass
/// --chat-template chatml|llama2|llama3|zephyr|plain" when it is none of the families, or a
/// variant of one whose output would differ (Llama 3.1's date header, Mistral's [INST], tools).
ChatTemplate classifyChatTemplate(const std::string& jinja, const std::string& bos, const std::string& eos,
                                  const std::string& where);

/// The chat template of a model folder: `chat_template` of tokenizer_config.json (a string, or a
/// list of {name, template} of which "default" is used), else chat_template.jinja. `override_name`
/// (from --chat-template) wins when not empty; bos/eos texts come from tokenizer_config.json.
/// Throws Error(InvalidInput) when the folder has no template and no override was given, naming
/// the files looked at and suggesting --chat-template.
ChatTemplate loadChatTemplate(const std::filesystem::path& model_folder, const std::string& override_name = "");

/// {"role", "content"} objects -> messages. Throws Error(InvalidInput) naming `where` and the
/// index of a message that is not an object with string role and content, or has another role.
std::vector<ChatMessage> parseChatMessages(const Json& messages, const std::string& where);

/// Renders `messages` as the template does. With `add_generation_prompt` the text ends with the
/// assistant header so a model continues with the answer. Throws Error(InvalidInput) where the
/// Jinja template would raise (Llama 2: roles must alternate user/assistant after an optional
/// first system message) or where Temper would have to guess (a system message not first).
RenderedChat renderChat(const ChatTemplate& chat, const std::vector<ChatMessage>& messages, bool add_generation_prompt);

/// Encodes a rendered chat as transformers does for apply_chat_template(tokenize=True): the text as
/// is, special tokens written in it matched, nothing added around it (the template already wrote
/// bos). The mask marks the tokens that overlap an assistant span.
ChatEncoding encodeChat(const Tokenizer& tokenizer, const RenderedChat& chat);

}  // namespace temper
