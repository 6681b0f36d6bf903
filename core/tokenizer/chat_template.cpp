#include "core/tokenizer/chat_template.h"

#include <regex>

#include "core/common/error.h"
#include "core/tokenizer/byte_level.h"

namespace temper {
namespace {

constexpr const char* kSupported =
    "supported: llama2 ([INST] with <<SYS>>, Llama 2 chat), chatml (<|im_start|>, Qwen2, SmolLM), llama3 "
    "(<|start_header_id|>, Llama 3 instruct), zephyr (<|user|>, TinyLlama chat), plain (User:/Assistant:)";
constexpr const char* kSuggest = "pass --chat-template chatml|llama2|llama3|zephyr|plain to choose one";

// Python's str.isspace(), which Jinja's `trim` and str.strip() use.
bool isPythonSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

std::string pyStrip(const std::string& text) {
  size_t pos = 0, first = std::string::npos, last_end = 0;
  while (pos < text.size()) {
    const size_t at = pos;
    auto c = byte_level::nextCodePoint(text, pos);
    if (!c) {  // not UTF-8: keep the byte (Python would have refused it earlier)
      ++pos;
      c = 0xFFFD;
    }
    if (!isPythonSpace(*c)) {
      if (first == std::string::npos) first = at;
      last_end = pos;
    }
  }
  if (first == std::string::npos) return "";
  return text.substr(first, last_end - first);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Template source without spaces, so `a + b` and `a+b` compare equal.
std::string squeeze(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c != ' ') out += c;
  }
  return out;
}

[[noreturn]] void refuseTemplate(const std::string& where, const std::string& why) {
  throwInputError(where + ": this chat template is not one Temper can render (" + why + "); " + kSupported + "; " +
                  kSuggest);
}

// ChatML templates that insert a system prompt when the conversation has none write it as a
// literal '<|im_start|>system\n...<|im_end|>' (Qwen2, SmolLM2). Find the first such literal whose
// text is plain (no quote: not an expression like ' + messages[0]['content'] + ').
std::string chatMlDefaultSystem(const std::string& jinja) {
  static const std::regex literal(R"(<\|im_start\|>system(\\n|\n)([^'"]*?)<\|im_end\|>)");
  for (std::sregex_iterator it(jinja.begin(), jinja.end(), literal), end; it != end; ++it) {
    std::string text = (*it)[2].str();
    // The template source spells a newline as \n inside its string literals.
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == 'n') {
        out += '\n';
        ++i;
      } else {
        out += text[i];
      }
    }
    return out;
  }
  return "";
}

std::string tokenText(const Json& config, const char* field) {
  if (!config.contains(field)) return "";
  const Json& value = config[field];
  if (value.is_string()) return value.get<std::string>();
  if (value.is_object() && value.contains("content") && value["content"].is_string()) {
    return value["content"].get<std::string>();
  }
  return "";
}

}  // namespace

const char* chatFamilyName(ChatFamily family) {
  switch (family) {
    case ChatFamily::Llama2:
      return "llama2";
    case ChatFamily::ChatMl:
      return "chatml";
    case ChatFamily::Llama3:
      return "llama3";
    case ChatFamily::Zephyr:
      return "zephyr";
    case ChatFamily::Plain:
      return "plain";
  }
  return "?";
}

ChatTemplate chatTemplateByName(const std::string& name, const std::string& bos, const std::string& eos) {
  ChatTemplate chat;
  chat.bos_token = bos;
  chat.eos_token = eos;
  chat.source = "--chat-template " + name;
  for (ChatFamily family :
       {ChatFamily::Llama2, ChatFamily::ChatMl, ChatFamily::Llama3, ChatFamily::Zephyr, ChatFamily::Plain}) {
    if (name == chatFamilyName(family)) {
      chat.family = family;
      if (family == ChatFamily::Llama3 && chat.bos_token.empty()) chat.bos_token = "<|begin_of_text|>";
      return chat;
    }
  }
  throwConfigError("--chat-template: \"" + name + "\" is not a chat template Temper knows; " + kSupported);
}

ChatTemplate classifyChatTemplate(const std::string& jinja, const std::string& bos, const std::string& eos,
                                  const std::string& where) {
  ChatTemplate chat;
  chat.bos_token = bos;
  chat.eos_token = eos;
  chat.source = where;
  const std::string tight = squeeze(jinja);
  if (contains(jinja, "<|start_header_id|>")) {
    if (contains(jinja, "Knowledge Date")) {
      refuseTemplate(where, "a Llama 3.1-style template that writes a dated system header");
    }
    if (!contains(jinja, "| trim") && !contains(jinja, "|trim")) {
      refuseTemplate(where, "a <|start_header_id|> template that does not trim message content like Llama 3's");
    }
    chat.family = ChatFamily::Llama3;
    return chat;
  }
  if (contains(jinja, "<|im_start|>")) {
    if (contains(jinja, "<think>")) refuseTemplate(where, "a ChatML template with reasoning (<think>) blocks");
    if (contains(jinja, "| trim") || contains(jinja, ".strip()")) {
      refuseTemplate(where, "a ChatML template that trims message content");
    }
    chat.family = ChatFamily::ChatMl;
    chat.default_system = chatMlDefaultSystem(jinja);
    return chat;
  }
  if (contains(jinja, "[INST]")) {
    // Llama 2 chat: bos before every [INST], the system prompt folded into the first user turn, and
    // ' ' + answer + ' ' + eos (variants without that last space exist and are refused).
    if (contains(jinja, "<<SYS>>") && contains(tight, "bos_token+'[INST]'") &&
        contains(tight, "'[INST]'+content.strip()+'[/INST]'") && contains(tight, "''+content.strip()+''+eos_token")) {
      chat.family = ChatFamily::Llama2;
      return chat;
    }
    refuseTemplate(where,
                   "an [INST] template other than Llama 2 chat's (e.g. Mistral's, which differs in spaces, "
                   "bos and system handling)");
  }
  if (contains(jinja, "<|user|>") && contains(jinja, "<|assistant|>")) {
    if (!contains(tight, "'<|user|>\\n'+message['content']+eos_token") &&
        !contains(tight, "'<|user|>\n'+message['content']+eos_token")) {
      refuseTemplate(where, "a <|user|> template other than Zephyr's / TinyLlama chat's");
    }
    chat.family = ChatFamily::Zephyr;
    return chat;
  }
  refuseTemplate(where, "none of its markers is known");
}

ChatTemplate loadChatTemplate(const std::filesystem::path& model_folder, const std::string& override_name) {
  const auto config_path = model_folder / "tokenizer_config.json";
  std::error_code ec;
  Json config = Json::object();
  if (std::filesystem::is_regular_file(config_path, ec)) config = readJsonFile(config_path);
  const std::string bos = tokenText(config, "bos_token"), eos = tokenText(config, "eos_token");
  if (!override_name.empty()) return chatTemplateByName(override_name, bos, eos);
  const std::string where = config_path.string() + ": field `chat_template`";
  if (config.contains("chat_template") && !config["chat_template"].is_null()) {
    const Json& value = config["chat_template"];
    if (value.is_string()) return classifyChatTemplate(value.get<std::string>(), bos, eos, where);
    if (value.is_array()) {
      for (const Json& item : value) {
        if (item.is_object() && item.value("name", std::string()) == "default" && item.contains("template") &&
            item["template"].is_string()) {
          return classifyChatTemplate(item["template"].get<std::string>(), bos, eos, where + "[name=default]");
        }
      }
      throwInputError(where + ": a list without an entry {\"name\": \"default\", \"template\": string}");
    }
    throwInputError(where + ": expected a string or a list of {name, template}");
  }
  const auto jinja_path = model_folder / "chat_template.jinja";
  if (std::filesystem::is_regular_file(jinja_path, ec)) {
    return classifyChatTemplate(readTextFile(jinja_path), bos, eos, jinja_path.string());
  }
  throwInputError(model_folder.string() +
                  ": no chat template (neither `chat_template` in tokenizer_config.json nor "
                  "chat_template.jinja); " +
                  kSuggest);
}

std::vector<ChatMessage> parseChatMessages(const Json& messages, const std::string& where) {
  if (!messages.is_array()) throwInputError(where + ": `messages` must be a list of {\"role\", \"content\"}");
  std::vector<ChatMessage> out;
  for (size_t i = 0; i < messages.size(); ++i) {
    const Json& m = messages[i];
    const std::string field = where + ": messages[" + std::to_string(i) + "]";
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string() || !m.contains("content") ||
        !m["content"].is_string()) {
      throwInputError(field + ": expected {\"role\": string, \"content\": string}");
    }
    ChatMessage message{m["role"].get<std::string>(), m["content"].get<std::string>()};
    if (message.role != "system" && message.role != "user" && message.role != "assistant") {
      throwInputError(field + ".role: \"" + message.role + "\" is not system, user or assistant");
    }
    out.push_back(std::move(message));
  }
  return out;
}

RenderedChat renderChat(const ChatTemplate& chat, const std::vector<ChatMessage>& messages,
                        bool add_generation_prompt) {
  RenderedChat out;
  std::string& text = out.text;
  auto assistant = [&](const std::string& before, const std::string& content, const std::string& marker,
                       const std::string& after) {
    text += before;
    const size_t begin = text.size();
    text += content;
    text += marker;
    out.assistant_spans.emplace_back(begin, text.size());
    text += after;
  };
  for (size_t i = 0; i < messages.size(); ++i) {
    if (messages[i].role == "system" && i != 0) {
      throwInputError("chat message " + std::to_string(i) + ": a system message is only supported first");
    }
  }
  const bool has_system = !messages.empty() && messages[0].role == "system";
  switch (chat.family) {
    case ChatFamily::Llama2: {
      const size_t start = has_system ? 1 : 0;
      for (size_t i = start; i < messages.size(); ++i) {
        const ChatMessage& m = messages[i];
        const size_t index = i - start;
        if ((m.role == "user") != (index % 2 == 0)) {
          throwInputError("chat message " + std::to_string(i) +
                          ": Conversation roles must alternate user/assistant/user/assistant/... (the Llama 2 "
                          "template raises this)");
        }
        std::string content = m.content;
        if (index == 0 && has_system) content = "<<SYS>>\n" + messages[0].content + "\n<</SYS>>\n\n" + content;
        if (m.role == "user") {
          text += chat.bos_token + "[INST] " + pyStrip(content) + " [/INST]";
        } else {
          assistant(" ", pyStrip(content), " " + chat.eos_token, "");
        }
      }
      break;  // the Llama 2 template has no generation prompt: the text already ends with [/INST]
    }
    case ChatFamily::ChatMl: {
      if (!chat.default_system.empty() && !messages.empty() && !has_system) {
        text += "<|im_start|>system\n" + chat.default_system + "<|im_end|>\n";
      }
      for (const ChatMessage& m : messages) {
        if (m.role == "assistant") {
          assistant("<|im_start|>assistant\n", m.content, "<|im_end|>", "\n");
        } else {
          text += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n";
        }
      }
      if (add_generation_prompt) text += "<|im_start|>assistant\n";
      break;
    }
    case ChatFamily::Llama3: {
      for (size_t i = 0; i < messages.size(); ++i) {
        const ChatMessage& m = messages[i];
        if (i == 0) text += chat.bos_token;
        const std::string header = "<|start_header_id|>" + m.role + "<|end_header_id|>\n\n";
        if (m.role == "assistant") {
          assistant(header, pyStrip(m.content), "<|eot_id|>", "");
        } else {
          text += header + pyStrip(m.content) + "<|eot_id|>";
        }
      }
      if (add_generation_prompt) text += "<|start_header_id|>assistant<|end_header_id|>\n\n";
      break;
    }
    case ChatFamily::Zephyr: {
      for (const ChatMessage& m : messages) {
        if (m.role == "assistant") {
          assistant("<|assistant|>\n", m.content, chat.eos_token, "\n");
        } else {
          text += "<|" + m.role + "|>\n" + m.content + chat.eos_token + "\n";
        }
      }
      if (add_generation_prompt && !messages.empty()) text += "<|assistant|>\n";
      break;
    }
    case ChatFamily::Plain: {
      for (const ChatMessage& m : messages) {
        if (m.role == "system") {
          text += "System: " + m.content + "\n\n";
        } else if (m.role == "user") {
          text += "User: " + m.content + "\n";
        } else {
          assistant("Assistant: ", m.content, chat.eos_token, "\n");
        }
      }
      if (add_generation_prompt) text += "Assistant:";
      break;
    }
  }
  return out;
}

ChatEncoding encodeChat(const Tokenizer& tokenizer, const RenderedChat& chat) {
  EncodedText encoded = tokenizer.encodeWithOffsets(chat.text);
  ChatEncoding out;
  out.ids = std::move(encoded.ids);
  out.assistant_mask.assign(out.ids.size(), 0);
  for (size_t i = 0; i < out.ids.size(); ++i) {
    const auto [begin, end] = encoded.offsets[i];
    for (const auto& [sb, se] : chat.assistant_spans) {  // a conversation has few turns
      const bool overlaps = begin == end ? (sb <= begin && begin < se) : (begin < se && end > sb);
      if (overlaps) {
        out.assistant_mask[i] = 1;
        break;
      }
    }
  }
  return out;
}

}  // namespace temper
