// `temper chat --json` end to end: the real binary with pipes on stdin and stdout, driven the way
// the studio's Playground drives it, against a tiny model this test pretrains. The reference for
// the answers is the terminal mode (`temper chat` with stdin from a file), whose greedy output
// --json must reproduce exactly.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/core/engine/engine_test_support.h"
#include "tests/core/engine/piped_temper.h"

namespace temper::engine_test {
namespace {

namespace fs = std::filesystem;

// The terminal mode with stdin from a file: the reference.
ProcessResult terminalChat(const Args& args, const std::string& input) {
  TempDir io("chat-terminal");
  writeFile(io / "in.txt", input);
  std::vector<std::string> argv_strings = {temperBinary().string()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = childEnvironment();
  auto argv = spawnPointers(argv_strings);
  auto envp = spawnPointers(env_strings);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, (io / "in.txt").c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, (io / "out.txt").c_str(), O_WRONLY | O_CREAT, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, (io / "err.txt").c_str(), O_WRONLY | O_CREAT, 0644);
  ProcessResult result;
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) {
    ADD_FAILURE() << "cannot start " << argv[0];
    return result;
  }
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = readFile(io / "out.txt");
  result.err = readFile(io / "err.txt");
  return result;
}

// A model pretrained once for this program: ctx 128 so a short conversation fits, 150 steps so
// that greedy text varies.
const fs::path& model() {
  static TempDir dir("chat-json-model");
  static const fs::path final_dir = [] {
    auto train = runTemper(tinyTrainArgs(dir / "ws", preparedCorpus().data, {{"ctx", "128"}, {"max-steps", "150"}}));
    EXPECT_EQ(train.exit_code, 0) << train.all();
    return dir / "ws" / "runs" / runIdOf(train) / "final";
  }();
  return final_dir;
}

Args chatArgs(bool json, const std::string& max_new_tokens = "12") {
  Args args = {"chat",      "--model", model().string(), "--temperature", "0", "--max-new-tokens", max_new_tokens,
               "--threads", "1"};
  if (json) args.push_back("--json");
  return args;
}

Json user(const std::string& content) { return Json{{"type", "user"}, {"content", content}}; }

TEST(ChatJson, ReadyDescribesTheModelAndTheSession) {
  PipedTemper chat(chatArgs(true));
  Json ready = chat.next();
  ASSERT_FALSE(ready.is_null()) << chat.stderrText();
  EXPECT_EQ(ready.at("v"), 1);
  EXPECT_EQ(ready.at("type"), "ready");
  EXPECT_EQ(ready.at("family"), "gpt2");
  EXPECT_EQ(ready.at("template"), "plain");  // a pretrained folder has no chat template
  EXPECT_EQ(ready.at("context"), 128);
  EXPECT_EQ(ready.at("stop_strings"), (Json{"\nUser:"}));
  EXPECT_TRUE(ready.at("stop_ids").is_array());
  EXPECT_EQ(ready.at("sampling").at("temperature"), 0.0);
  EXPECT_EQ(ready.at("sampling").at("max_new_tokens"), 12);
  EXPECT_EQ(ready.at("device"), "cpu");
  chat.send({{"type", "exit"}});
  EXPECT_EQ(chat.wait(), 0) << chat.stderrText();
}

TEST(ChatJson, GreedyAnswersEqualTheTerminalModesAndReuseTheCache) {
  const std::vector<std::string> turns = {"Hello there", "How are you", "/reset", "Hello there"};
  std::string input;
  for (const auto& t : turns) input += t + "\n";
  auto terminal = terminalChat(chatArgs(false), input);
  ASSERT_EQ(terminal.exit_code, 0) << terminal.all();

  PipedTemper chat(chatArgs(true));
  ASSERT_EQ(chat.nextOfType("ready").value("type", ""), "ready") << chat.stderrText();
  std::string joined;
  std::vector<Json> ends;
  for (const auto& t : turns) {
    if (t == "/reset") {
      chat.send({{"type", "reset"}});
      EXPECT_EQ(chat.next().value("type", ""), "reset_done");
      continue;
    }
    chat.send(user(t));
    auto [text, end] = chat.answer();
    ASSERT_FALSE(end.is_null());
    EXPECT_EQ(end.at("text"), text) << "answer_end repeats what the token lines streamed";
    joined += text + "\n";  // the terminal ends each answer with a newline
    ends.push_back(end);
  }
  EXPECT_EQ(joined, terminal.out);
  ASSERT_EQ(ends.size(), 3u);
  for (const Json& end : ends) {
    EXPECT_TRUE(end.at("reason") == "max_new_tokens" || end.at("reason") == "stop" || end.at("reason") == "eos") << end;
    EXPECT_LE(end.at("tokens").get<int64_t>(), 12);
    EXPECT_GT(end.at("tokens_per_s").get<double>(), 0.0) << end;
    EXPECT_GE(end.at("seconds").get<double>(), end.at("prefill_s").get<double>());
  }
  // Turn 2 extends turn 1 ("User: Hello there\nAssistant:" and the answer); after the reset nothing is reused.
  EXPECT_EQ(ends[0].at("reused_tokens"), 0);
  EXPECT_GT(ends[1].at("reused_tokens").get<int64_t>(), 20) << ends[1];
  EXPECT_LT(ends[1].at("reused_tokens").get<int64_t>(), ends[1].at("prompt_tokens").get<int64_t>());
  EXPECT_EQ(ends[2].at("reused_tokens"), 0);
  EXPECT_EQ(ends[2].at("prompt_tokens"), ends[0].at("prompt_tokens"));
  chat.closeInput();  // end of input ends the session like `exit`
  EXPECT_EQ(chat.wait(), 0) << chat.stderrText();
}

TEST(ChatJson, MessagesMayHoldNewlinesAndTheSystemMessageIsRendered) {
  PipedTemper chat(chatArgs(true, "4"));
  ASSERT_FALSE(chat.nextOfType("ready").is_null());
  chat.send(user("one"));
  const Json single = chat.answer().second;
  chat.send({{"type", "reset"}});
  ASSERT_EQ(chat.next().value("type", ""), "reset_done");
  // The char tokenizer gives one id per character, so the rendered prompt ("User: …\nAssistant:")
  // grows by exactly the characters added.
  chat.send(user("one\ntwo\nthree"));
  const Json multi = chat.answer().second;
  ASSERT_FALSE(single.is_null() || multi.is_null());
  EXPECT_EQ(multi.at("prompt_tokens").get<int64_t>() - single.at("prompt_tokens").get<int64_t>(),
            static_cast<int64_t>(std::string("\ntwo\nthree").size()));

  chat.send({{"type", "reset"}});
  ASSERT_EQ(chat.next().value("type", ""), "reset_done");
  chat.send({{"type", "set"}, {"system", "Be brief."}});
  Json settings = chat.next();
  EXPECT_EQ(settings.value("type", ""), "settings");
  EXPECT_EQ(settings.value("system", ""), "Be brief.");
  chat.send(user("one"));
  const Json with_system = chat.answer().second;
  ASSERT_FALSE(with_system.is_null());
  EXPECT_EQ(with_system.at("prompt_tokens").get<int64_t>() - single.at("prompt_tokens").get<int64_t>(),
            static_cast<int64_t>(std::string("System: Be brief.\n\n").size()));
}

TEST(ChatJson, BadLinesAreAnsweredWithAnErrorAndTheSessionGoesOn) {
  PipedTemper chat(chatArgs(true, "4"));
  ASSERT_FALSE(chat.nextOfType("ready").is_null());
  auto expectError = [&chat](const std::string& words) {
    Json line = chat.next();
    EXPECT_EQ(line.value("type", ""), "error") << line.dump();
    EXPECT_NE(line.value("message", "").find(words), std::string::npos) << line.dump();
  };
  chat.sendRaw("Hello, not JSON\n");
  expectError("line 1: expected one JSON object per line");
  chat.sendRaw("[1, 2]\n");
  expectError("line 2");
  chat.send({{"content", "no type"}});
  expectError("no string `type`");
  chat.send({{"type", "shout"}});
  expectError("unknown message type `shout`");
  chat.send({{"type", "user"}, {"content", 42}});
  expectError("`content` must be a string");
  chat.send({{"type", "set"}, {"sampling", {{"top_p", 2.0}}}});
  expectError("top-p");
  chat.send({{"type", "set"}, {"sampling", {{"temprature", 0.5}}}});
  expectError("unknown key `sampling.temprature`");
  chat.send({{"type", "set"}, {"sampling", {{"max_new_tokens", 2}, {"seed", -1}}}});
  expectError("`sampling.seed` must be an integer of 0 or more");
  chat.send({{"type", "set"}, {"colour", "red"}});
  expectError("unknown key `colour`");
  // None of the refused settings was applied, and the session still answers.
  chat.send({{"type", "set"}});
  Json settings = chat.next();
  EXPECT_EQ(settings.value("type", ""), "settings");
  EXPECT_EQ(settings.at("sampling").at("top_p"), 1.0);
  EXPECT_EQ(settings.at("sampling").at("max_new_tokens"), 4);
  chat.send(user("Hello there"));
  EXPECT_FALSE(chat.answer().second.is_null());
}

TEST(ChatJson, SamplingSettingsApplyToTheNextAnswers) {
  PipedTemper chat(chatArgs(true, "40"));
  ASSERT_FALSE(chat.nextOfType("ready").is_null());
  chat.send({{"type", "set"}, {"sampling", {{"max_new_tokens", 3}}}});
  EXPECT_EQ(chat.next().at("sampling").at("max_new_tokens"), 3);
  chat.send(user("Hello there"));
  const Json short_end = chat.answer().second;
  EXPECT_LE(short_end.at("tokens").get<int64_t>(), 3) << short_end;

  // Sampling with a seed: the same seed after a reset gives the same answer; another seed (very
  // likely) another one.
  auto sampled = [&chat](uint64_t seed) {
    chat.send({{"type", "reset"}});
    EXPECT_EQ(chat.next().value("type", ""), "reset_done");
    chat.send({{"type", "set"}, {"sampling", {{"temperature", 1.5}, {"max_new_tokens", 30}, {"seed", seed}}}});
    EXPECT_EQ(chat.next().value("type", ""), "settings");
    chat.send(user("Hello there"));
    return chat.answer().first;
  };
  const std::string a = sampled(7);
  EXPECT_EQ(sampled(7), a);
  EXPECT_NE(sampled(8), a);
}

TEST(ChatJson, StopEndsTheStreamingAnswerAndALateStopIsIgnored) {
  // 100 new tokens at most; the plain template's "\nUser:" may end the answer earlier.
  PipedTemper chat(chatArgs(true, "100"));
  ASSERT_FALSE(chat.nextOfType("ready").is_null());
  chat.send(user("Hello there"));
  const auto [full_text, full] = chat.answer();
  ASSERT_FALSE(full.is_null());
  ASSERT_GT(full.at("tokens").get<int64_t>(), 2) << "the test needs an answer of a few tokens";

  // The same question again from scratch, with a stop right behind it: the answer is cut.
  chat.send({{"type", "reset"}});
  ASSERT_EQ(chat.next().value("type", ""), "reset_done");
  chat.sendRaw(user("Hello there").dump() + "\n" + Json{{"type", "stop"}}.dump() + "\n");
  const auto [cut_text, cut] = chat.answer();
  ASSERT_FALSE(cut.is_null());
  EXPECT_EQ(cut.at("reason"), "interrupted") << cut;
  EXPECT_LT(cut.at("tokens").get<int64_t>(), full.at("tokens").get<int64_t>());
  EXPECT_EQ(full_text.rfind(cut_text, 0), 0u) << "the cut answer is a start of the full one";

  // A stop that arrives when nothing streams is ignored: the next answer is whole.
  chat.send({{"type", "stop"}});
  chat.send({{"type", "reset"}});
  ASSERT_EQ(chat.next().value("type", ""), "reset_done");
  chat.send(user("Hello there"));
  const auto [again_text, again] = chat.answer();
  EXPECT_EQ(again_text, full_text);
  EXPECT_EQ(again.at("reason"), full.at("reason"));
  chat.send({{"type", "exit"}});
  EXPECT_EQ(chat.wait(), 0);
}

TEST(ChatJson, AFolderThatIsNoModelFailsBeforeReady) {
  TempDir dir("chat-json-bad");
  fs::create_directories(dir / "empty");
  PipedTemper chat({"chat", "--json", "--model", (dir / "empty").string()});
  Json line = chat.next();
  ASSERT_FALSE(line.is_null()) << chat.stderrText();
  EXPECT_EQ(line.value("type", ""), "error");  // main()'s error event: stdout is a pipe
  EXPECT_NE(line.value("message", "").find((dir / "empty").string()), std::string::npos) << line.dump();
  EXPECT_EQ(chat.wait(), 3) << chat.stderrText();
}

namespace adapters {

// A LoRA adapter and a soft prompt trained on the chat model, once for this program.
// Each learns a text of its own (one sentence over and over), so its greedy answers differ from the
// base's.
fs::path trainAdapter(const std::string& name, const std::map<std::string, std::string>& peft) {
  static TempDir dir("chat-json-adapters");
  std::string text;
  for (int i = 0; i < 200; ++i) text += "Bananas are yellow and sweet. ";
  const fs::path data = dir / (name + ".txt");
  writeFile(data, text);
  Args args = {"train", "--workspace", (dir / name).string(), "--method", "continued-pretrain"};
  const std::map<std::string, std::string> flags = {
      {"base", model().string()}, {"data", data.string()}, {"max-steps", "40"}, {"warmup-steps", "0"},
      {"eval-every", "40"},       {"batch-size", "4"},     {"ctx", "64"},       {"threads", "1"},
      {"precision", "fp32"}};
  for (const auto& [key, value] : flags) {
    args.push_back("--" + key);
    args.push_back(value);
  }
  for (const auto& [key, value] : peft) {
    args.push_back("--" + key);
    args.push_back(value);
  }
  auto run = runTemper(args);
  EXPECT_EQ(run.exit_code, 0) << run.all();
  return dir / name / "runs" / runIdOf(run) / "final";
}

}  // namespace adapters

TEST(ChatJson, AdaptersAttachSwitchAndDetachOnTheLoadedBase) {
  const fs::path lora = adapters::trainAdapter(
      "lora", {{"peft", "lora"}, {"lora-targets", "all-linear"}, {"lr", "0.01"}, {"min-lr", "0.01"}});
  const fs::path prompt =
      adapters::trainAdapter("prompt", {{"peft", "prompt-tuning"}, {"prompt-tokens", "6"}, {"lr", "0.05"}});
  // References: each configuration loaded on its own in the terminal mode.
  auto reference = [](const fs::path& adapter) {
    Args args = chatArgs(false);
    if (!adapter.empty()) args.insert(args.end(), {"--adapter", adapter.string()});
    auto run = terminalChat(args, "Hello there\n");
    EXPECT_EQ(run.exit_code, 0) << run.all();
    return run.out;
  };
  const fs::path bottleneck = adapters::trainAdapter(
      "bottleneck", {{"peft", "adapters"}, {"adapter-placement", "parallel"}, {"lr", "0.01"}, {"min-lr", "0.01"}});
  const std::string base_answer = reference({}), lora_answer = reference(lora), prompt_answer = reference(prompt),
                    bottleneck_answer = reference(bottleneck);
  EXPECT_NE(lora_answer, base_answer) << "the adapter changes what the model says";
  EXPECT_NE(bottleneck_answer, base_answer);

  PipedTemper chat(chatArgs(true));
  ASSERT_EQ(chat.nextOfType("ready").value("adapter", Json("?")), Json(nullptr)) << chat.stderrText();
  auto ask = [&] {
    chat.send({{"type", "reset"}});
    EXPECT_EQ(chat.next().value("type", ""), "reset_done");
    chat.send(user("Hello there"));
    auto [text, end] = chat.answer();
    return std::make_pair(text + "\n", end);
  };
  auto set = [&](const Json& path) {
    chat.send({{"type", "adapter"}, {"path", path}});
    return chat.next();
  };
  EXPECT_EQ(ask().first, base_answer);
  Json reply = set(lora.string());
  EXPECT_EQ(reply.value("type", ""), "adapter_set") << reply;
  EXPECT_EQ(reply.value("adapter_kind", ""), "lora");
  auto [with_lora, end] = ask();
  EXPECT_EQ(with_lora, lora_answer);
  EXPECT_EQ(end.at("adapter"), lora.string()) << "the transcript says which adapter answered";
  reply = set(prompt.string());
  EXPECT_EQ(reply.value("adapter_kind", ""), "prompt-tuning") << reply;
  EXPECT_EQ(reply.at("context"), 128 - 6) << "the soft prompt takes 6 positions";
  EXPECT_EQ(ask().first, prompt_answer);
  EXPECT_EQ(set(bottleneck.string()).value("adapter_kind", ""), "adapters");
  EXPECT_EQ(ask().first, bottleneck_answer);
  // Back to the LoRA adapter (from memory), then a folder that is no adapter: an error, and the
  // adapter that was on stays on.
  EXPECT_EQ(set(lora.string()).value("adapter_kind", ""), "lora");
  reply = set((model().parent_path() / "no-such-adapter").string());
  EXPECT_EQ(reply.value("type", ""), "error") << reply;
  EXPECT_EQ(ask().first, lora_answer);
  reply = set(nullptr);
  EXPECT_EQ(reply.at("adapter"), Json(nullptr)) << reply;
  EXPECT_EQ(ask().first, base_answer);
  chat.send({{"type", "exit"}});
  EXPECT_EQ(chat.wait(), 0) << chat.stderrText();
}

}  // namespace
}  // namespace temper::engine_test
