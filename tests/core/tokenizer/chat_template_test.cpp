// Chat templates: recognising real templates, rendering each family exactly as its Jinja source
// does (expected strings written by hand from the templates), assistant spans and token masks.
#include <gtest/gtest.h>

#include "core/common/json_io.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer_open.h"
#include "tests/core/tokenizer/bpe_fixtures.h"
#include "tests/core/tokenizer/test_support.h"

using namespace temper;

namespace {

using test::contains;

// The templates as the model folders ship them (after JSON decoding: "\n" inside Jinja strings is
// still the two characters backslash and n).
const std::string kLlama3 =
    "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + "
    "message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 "
    "%}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ "
    "'<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";
const std::string kQwen2 =
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou "
    "are a helpful assistant.<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + "
    "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ "
    "'<|im_start|>assistant\\n' "
    "}}{% endif %}";
const std::string kSmolLm =
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + "
    "'\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
const std::string kLlama2 =
    "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = "
    "messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif "
    "%}{% "
    "for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ "
    "raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if "
    "loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\\\n' + system_message + "
    "'\\\\n<</SYS>>\\\\n\\\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if "
    "message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == "
    "'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";
const std::string kTinyLlama =
    "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + "
    "eos_token }}\n{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n{% "
    "elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif "
    "%}\n{% "
    "if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}";
const std::string kMistral =
    "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ "
    "raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if "
    "message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == "
    "'assistant' %}{{ message['content'] + eos_token}}{% endif %}{% endfor %}";

std::vector<ChatMessage> conversation(bool with_system) {
  std::vector<ChatMessage> m;
  if (with_system) m.push_back({"system", "Be brief."});
  m.push_back({"user", " Hi there "});
  m.push_back({"assistant", "Hello!  "});
  m.push_back({"user", "Bye"});
  return m;
}

std::vector<std::string> spanTexts(const RenderedChat& r) {
  std::vector<std::string> out;
  for (auto [b, e] : r.assistant_spans) out.push_back(r.text.substr(b, e - b));
  return out;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST(ChatTemplate, RecognisesTheFamiliesOfRealTemplates) {
  EXPECT_EQ(classifyChatTemplate(kLlama3, "<|begin_of_text|>", "<|eot_id|>", "t").family, ChatFamily::Llama3);
  ChatTemplate qwen = classifyChatTemplate(kQwen2, "", "<|im_end|>", "t");
  EXPECT_EQ(qwen.family, ChatFamily::ChatMl);
  EXPECT_EQ(qwen.default_system, "You are a helpful assistant.");
  ChatTemplate smol = classifyChatTemplate(kSmolLm, "<|im_start|>", "<|im_end|>", "t");
  EXPECT_EQ(smol.family, ChatFamily::ChatMl);
  EXPECT_EQ(smol.default_system, "");
  EXPECT_EQ(classifyChatTemplate(kLlama2, "<s>", "</s>", "t").family, ChatFamily::Llama2);
  EXPECT_EQ(classifyChatTemplate(kTinyLlama, "<s>", "</s>", "t").family, ChatFamily::Zephyr);
}

TEST(ChatTemplate, RefusesTemplatesItWouldRenderDifferently) {
  for (const auto& [jinja, why] : std::vector<std::pair<std::string, std::string>>{
           {kMistral, "an [INST] template other than Llama 2 chat's"},
           {"{{ 'Cutting Knowledge Date: December 2023' }}<|start_header_id|>", "dated system header"},
           {"{{ '<|im_start|>' + message['content'] | trim }}", "trims message content"},
           {"<|im_start|>{{ '<think>' }}", "reasoning"},
           {"{% for m in messages %}{{ m['content'] }}{% endfor %}", "none of its markers is known"}}) {
    Error e = test::catchError([&] { classifyChatTemplate(jinja, "", "", "cfg.json: field `chat_template`"); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_TRUE(contains(e.what(), "cfg.json: field `chat_template`: this chat template is not one Temper can render"))
        << e.what();
    EXPECT_TRUE(contains(e.what(), why)) << e.what();
    EXPECT_TRUE(contains(e.what(), "--chat-template chatml|llama2|llama3|zephyr|plain")) << e.what();
  }
  Error name = test::catchError([] { chatTemplateByName("vicuna", "", ""); });
  EXPECT_EQ(name.kind(), ErrorKind::InvalidConfig);
  EXPECT_TRUE(contains(name.what(), "\"vicuna\" is not a chat template Temper knows; supported: llama2"))
      << name.what();
}

TEST(ChatTemplate, Llama3RendersLikeItsTemplate) {
  ChatTemplate chat = classifyChatTemplate(kLlama3, "<|begin_of_text|>", "<|eot_id|>", "t");
  RenderedChat r = renderChat(chat, conversation(true), true);
  EXPECT_EQ(r.text,
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nBye<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
  EXPECT_EQ(spanTexts(r), Strings{"Hello!<|eot_id|>"});
  EXPECT_EQ(renderChat(chat, conversation(false), false).text,
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nBye<|eot_id|>");
}

TEST(ChatTemplate, ChatMlRendersQwen2sDefaultSystemPromptAndSmolLmWithout) {
  ChatTemplate qwen = classifyChatTemplate(kQwen2, "", "<|im_end|>", "t");
  RenderedChat r = renderChat(qwen, conversation(false), true);
  EXPECT_EQ(r.text,
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
            "<|im_start|>user\n Hi there <|im_end|>\n<|im_start|>assistant\nHello!  <|im_end|>\n"
            "<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(spanTexts(r), Strings{"Hello!  <|im_end|>"});
  EXPECT_EQ(renderChat(qwen, conversation(true), false).text,
            "<|im_start|>system\nBe brief.<|im_end|>\n"
            "<|im_start|>user\n Hi there <|im_end|>\n<|im_start|>assistant\nHello!  <|im_end|>\n"
            "<|im_start|>user\nBye<|im_end|>\n");
  ChatTemplate smol = classifyChatTemplate(kSmolLm, "", "", "t");
  EXPECT_EQ(renderChat(smol, {{"user", "Hi"}, {"assistant", "Yo"}}, false).text,
            "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nYo<|im_end|>\n");
}

TEST(ChatTemplate, Llama2FoldsTheSystemPromptAndPutsBosBeforeEveryTurn) {
  ChatTemplate chat = classifyChatTemplate(kLlama2, "<s>", "</s>", "t");
  RenderedChat r = renderChat(chat, conversation(true), true);
  EXPECT_EQ(r.text, "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\n Hi there [/INST] Hello! </s><s>[INST] Bye [/INST]")
      << "strip() applies to the system block + content as a whole, so the user's leading space stays";
  EXPECT_EQ(spanTexts(r), Strings{"Hello! </s>"});
  EXPECT_EQ(renderChat(chat, conversation(false), false).text,
            "<s>[INST] Hi there [/INST] Hello! </s><s>[INST] Bye [/INST]");
  Error twice = test::catchError([&] { renderChat(chat, {{"user", "a"}, {"user", "b"}}, false); });
  EXPECT_TRUE(contains(twice.what(), "chat message 1: Conversation roles must alternate")) << twice.what();
  Error first = test::catchError([&] { renderChat(chat, {{"system", "s"}, {"assistant", "a"}}, false); });
  EXPECT_TRUE(contains(first.what(), "chat message 1: Conversation roles must alternate")) << first.what();
}

TEST(ChatTemplate, ZephyrKeepsTheNewlineAfterEachTurn) {
  ChatTemplate chat = classifyChatTemplate(kTinyLlama, "<s>", "</s>", "t");
  RenderedChat r = renderChat(chat, {{"system", "S"}, {"user", "U"}, {"assistant", "A"}}, true);
  EXPECT_EQ(r.text, "<|system|>\nS</s>\n<|user|>\nU</s>\n<|assistant|>\nA</s>\n<|assistant|>\n");
  EXPECT_EQ(spanTexts(r), Strings{"A</s>"});
}

TEST(ChatTemplate, PlainIsTheDocumentedFormat) {
  ChatTemplate chat = chatTemplateByName("plain", "", "<|endoftext|>");
  RenderedChat r = renderChat(chat, {{"system", "S"}, {"user", "U"}, {"assistant", "A"}, {"user", "V"}}, true);
  EXPECT_EQ(r.text, "System: S\n\nUser: U\nAssistant: A<|endoftext|>\nUser: V\nAssistant:");
  EXPECT_EQ(spanTexts(r), Strings{"A<|endoftext|>"});
}

TEST(ChatTemplate, SystemMessagesOnlyFirst) {
  ChatTemplate chat = chatTemplateByName("chatml", "", "");
  Error e = test::catchError([&] { renderChat(chat, {{"user", "u"}, {"system", "s"}}, false); });
  EXPECT_TRUE(contains(e.what(), "chat message 1: a system message is only supported first")) << e.what();
}

TEST(ChatTemplate, MessagesAreCheckedWithTheirIndex) {
  Json ok = Json::array({{{"role", "user"}, {"content", "hi"}}});
  EXPECT_EQ(parseChatMessages(ok, "f.jsonl:3").size(), 1u);
  Error role = test::catchError([] {
    parseChatMessages(Json::array({{{"role", "user"}, {"content", "a"}}, {{"role", "tool"}, {"content", "b"}}}),
                      "f.jsonl:3");
  });
  EXPECT_TRUE(contains(role.what(), "f.jsonl:3: messages[1].role: \"tool\" is not system, user or assistant"))
      << role.what();
  Error shape = test::catchError([] { parseChatMessages(Json::array({{{"role", "user"}}}), "f.jsonl:4"); });
  EXPECT_TRUE(contains(shape.what(), "f.jsonl:4: messages[0]: expected {\"role\": string, \"content\": string}"));
  Error list = test::catchError([] { parseChatMessages(Json::object(), "f.jsonl:5"); });
  EXPECT_TRUE(contains(list.what(), "f.jsonl:5: `messages` must be a list")) << list.what();
}

TEST(ChatTemplate, LoadsFromAModelFolder) {
  test::TempDir dir;
  test::writeFile(
      dir / "tokenizer_config.json",
      Json{{"bos_token", {{"content", "<|begin_of_text|>"}}}, {"eos_token", "<|eot_id|>"}, {"chat_template", kLlama3}}
          .dump());
  ChatTemplate chat = loadChatTemplate(dir.path());
  EXPECT_EQ(chat.family, ChatFamily::Llama3);
  EXPECT_EQ(chat.bos_token, "<|begin_of_text|>");
  EXPECT_EQ(loadChatTemplate(dir.path(), "plain").family, ChatFamily::Plain);
  test::writeFile(dir / "tokenizer_config.json",
                  Json{{"chat_template", Json::array({{{"name", "tool_use"}, {"template", "x"}},
                                                      {{"name", "default"}, {"template", kQwen2}}})}}
                      .dump());
  EXPECT_EQ(loadChatTemplate(dir.path()).default_system, "You are a helpful assistant.");
  test::writeFile(dir / "tokenizer_config.json",
                  Json{{"chat_template", Json::array({{{"name", "tool_use"}, {"template", "x"}}})}}.dump());
  Error no_default = test::catchError([&] { loadChatTemplate(dir.path()); });
  EXPECT_TRUE(contains(no_default.what(), "a list without an entry {\"name\": \"default\"")) << no_default.what();
  test::writeFile(dir / "tokenizer_config.json", "{}");
  Error none = test::catchError([&] { loadChatTemplate(dir.path()); });
  EXPECT_TRUE(contains(none.what(), "no chat template")) << none.what();
  EXPECT_TRUE(contains(none.what(), "--chat-template")) << none.what();
  test::writeFile(dir / "chat_template.jinja", kSmolLm);
  EXPECT_EQ(loadChatTemplate(dir.path()).family, ChatFamily::ChatMl);
}

TEST(ChatTemplate, EncodeChatMasksExactlyTheAssistantTurns) {
  for (const char* style : {"llama3", "qwen2"}) {
    auto tok = openTokenizer(test::bpeFixtures() / style / "tokenizer.json");
    ChatTemplate chat = chatTemplateByName(std::string(style) == "llama3" ? "llama3" : "chatml", "", "");
    RenderedChat r = renderChat(
        chat, {{"user", "Say hi"}, {"assistant", "Hi there, friend"}, {"user", "Again"}, {"assistant", "Hi 123"}},
        false);
    ChatEncoding enc = encodeChat(*tok, r);
    EXPECT_EQ(enc.ids, tok->encode(r.text)) << "the text is encoded as a whole, nothing added";
    EncodedText offsets = tok->encodeWithOffsets(r.text);
    std::string masked;
    for (size_t i = 0; i < enc.ids.size(); ++i) {
      if (enc.assistant_mask[i])
        masked += r.text.substr(offsets.offsets[i].first, offsets.offsets[i].second - offsets.offsets[i].first);
    }
    const std::string end = std::string(style) == "llama3" ? "<|eot_id|>" : "<|im_end|>";
    EXPECT_EQ(masked, "Hi there, friend" + end + "Hi 123" + end) << style;
  }
}

TEST(ChatTemplate, EncodeChatWithSentencePieceIncludesTheTokenThatStraddlesTheSpan) {
  const std::string model = test::sharedData("tokenizers/botchan-unigram-1000.model");
  if (!std::filesystem::exists(model)) GTEST_SKIP() << "shared test data absent: " << model;
  test::TempDir dir;
  std::filesystem::copy_file(model, dir / "tokenizer.model");
  auto plain = loadTokenizer(model);
  const std::string bos = plain->pieceFor(plain->bosId()), eos = plain->pieceFor(plain->eosId());
  test::writeFile(dir / "tokenizer_config.json", Json{{"bos_token", bos}, {"eos_token", eos}}.dump());
  auto tok = openTokenizer(dir.path());
  RenderedChat r =
      renderChat(chatTemplateByName("llama2", bos, eos), {{"user", "hello"}, {"assistant", "good day"}}, false);
  ChatEncoding enc = encodeChat(*tok, r);
  ASSERT_EQ(enc.ids.front(), plain->bosId());
  ASSERT_EQ(enc.ids.back(), plain->eosId());
  EXPECT_TRUE(enc.assistant_mask.back());
  EXPECT_FALSE(enc.assistant_mask.front());
  // "[/INST] good day </s>": the piece carrying "▁good" starts at the space before the span and is in.
  std::vector<int> answer = plain->encode("good day");
  size_t masked = 0;
  for (char m : enc.assistant_mask) masked += m;
  EXPECT_GE(masked, answer.size() + 1);
  EXPECT_EQ(tok->decode(std::vector<int>(enc.ids.end() - static_cast<long>(masked), enc.ids.end())), "good day");
}
