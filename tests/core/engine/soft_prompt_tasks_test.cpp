// Two soft prompts trained on two toy tasks, switched on one frozen base in one chat session (issue
// 11): each prompt scores better than the other on its own task, and `temper chat --json` answers
// under each exactly as `temper generate --adapter` does with that prompt loaded alone.
//
// Everything is written here. The base is pretrained on chat-shaped examples over random 4-letter
// words of a-j, "User: bcad\nAssistant: BCAD\n" (uppercase) and "User: bcad\nAssistant: dacb\n"
// (reverse), the task drawn per example by a coin with nothing in the text to say which. The base
// learns both continuations and must guess at the answer's first letter; after it, the case gives
// the task away. A soft prompt trained on one task's examples alone (continued-pretrain, peft
// prompt-tuning, 8 virtual tokens, on the frozen base) can only learn to settle that guess. The
// examples have the plain chat template's shape ("User: …\nAssistant: …"), the template `chat`
// uses for a folder without one, so a chat question is a question the base was trained on.
//
// Measured with this recipe on 4 corpora, this one and 3 that a script drew the same way with other
// seeds (2-core AMD EPYC, one thread per process, fp32; mean NLL per token of held-out words, ~29
// tokens an example): the own-task prompt beat the other one by 0.074 to 0.247 (this corpus: 0.074
// on uppercase, 0.100 on reverse); a base pretrained 3,000 steps instead gave 0.144 and 0.035, the
// least seen. Asserted: by 0.02. The greedy answers are less steady, as docs/peft.md warns for
// models this small: on 24 words no base had seen, the uppercase prompt answered with the uppercase
// word for 20-24, the reverse prompt with the reversed word for 3-24 (this corpus: 3; the base
// itself reverses badly here, writing some wrong letters). So the chat part asserts what held on
// every one: most of the uppercase prompt's answers are the uppercase word, the two prompts'
// answers differ, and every answer equals a fresh load's; the answers are printed.
// Time: 54 s wall (48 s of CPU) on 2 cores with a compile beside it, 116 s while two builds shared
// them; pretraining 2,000 steps is most of it. The two prompts train side by side, one core each.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/core/engine/engine_test_support.h"
#include "tests/core/engine/piped_temper.h"

namespace temper::engine_test {
namespace {

namespace fs = std::filesystem;

constexpr int kWordLength = 4;
constexpr char kLetters[] = "abcdefghij";
constexpr int kPromptTokens = 8;
constexpr int64_t kBaseContext = 64;
constexpr int kChatWords = 8;
// Two children at a time: one per core, each on one thread.
constexpr size_t kParallel = 2;

enum class Task { Upper, Reverse };

std::string answerTo(const std::string& word, Task task) {
  std::string answer = word;
  if (task == Task::Upper) {
    for (char& c : answer) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  } else {
    std::reverse(answer.begin(), answer.end());
  }
  return answer;
}

std::string withoutLeadingSpace(const std::string& answer) {
  const size_t first = answer.find_first_not_of(" \t\n");
  return first == std::string::npos ? std::string() : answer.substr(first);
}

std::string question(const std::string& word) { return "User: " + word + "\nAssistant:"; }
std::string example(const std::string& word, Task task) { return question(word) + " " + answerTo(word, task) + "\n"; }

// Words from a fixed-seed mt19937, whose output the standard defines (its distributions it does
// not), so the corpus is the same everywhere.
class Words {
 public:
  explicit Words(uint32_t seed) : rng_(seed) {}
  std::string next() {
    std::string word;
    for (int i = 0; i < kWordLength; ++i) word += kLetters[rng_() % (sizeof kLetters - 1)];
    return word;
  }
  bool coin() { return rng_() % 2 == 0; }
  // A word none of the training files holds.
  std::string unseen(const std::set<std::string>& seen) {
    while (true) {
      std::string word = next();
      if (!seen.count(word)) return word;
    }
  }

 private:
  std::mt19937 rng_;
};

struct Material {
  fs::path base;
  fs::path upper_prompt;
  fs::path reverse_prompt;
  fs::path upper_test;  // held-out words, one task each
  fs::path reverse_test;
  std::vector<std::string> chat_words;  // never seen in training
  bool ok = false;                      // made without a failure
};

// Runs `commands`, kParallel at a time; the results in order.
std::vector<ProcessResult> runAll(const std::vector<Args>& commands) {
  std::vector<ProcessResult> results;
  for (size_t first = 0; first < commands.size(); first += kParallel) {
    std::vector<std::unique_ptr<TemperProcess>> running;
    for (size_t i = first; i < std::min(first + kParallel, commands.size()); ++i) {
      running.push_back(std::make_unique<TemperProcess>(commands[i]));
    }
    for (auto& process : running) results.push_back(process->finish(std::chrono::seconds(240)));
  }
  return results;
}

Args promptTuningArgs(const fs::path& workspace, const fs::path& base, const fs::path& data) {
  // A soft prompt moves far: lr 0.1 held constant (docs/peft.md's default is 0.03 decaying to 0.003,
  // which separated the tasks by half as much in 800 steps).
  return trainArgs(workspace,
                   {{"method", "continued-pretrain"},
                    {"base", base.string()},
                    {"data", data.string()},
                    {"peft", "prompt-tuning"},
                    {"prompt-tokens", std::to_string(kPromptTokens)},
                    {"batch-size", "16"},
                    {"max-steps", "800"},
                    {"warmup-steps", "0"},
                    {"lr", "0.1"},
                    {"min-lr", "0.1"},
                    {"eval-every", "800"},
                    {"eval-batches", "2"},
                    {"checkpoint-every", "100000"},
                    {"threads", "1"},
                    {"precision", "fp32"}},
                   {});
}

const Material& material() {
  static TempDir dir("soft-prompt-tasks");
  static const Material made = [] {
    Material m;
    Words words(20261206);
    std::set<std::string> seen;
    std::string mixed, upper, reverse;
    for (int i = 0; i < 6000; ++i) {
      const std::string word = words.next();
      seen.insert(word);
      mixed += example(word, words.coin() ? Task::Upper : Task::Reverse);
    }
    for (int i = 0; i < 400; ++i) {
      const std::string u = words.next(), r = words.next();
      seen.insert(u);
      seen.insert(r);
      upper += example(u, Task::Upper);
      reverse += example(r, Task::Reverse);
    }
    std::string upper_test, reverse_test;
    for (int i = 0; i < 100; ++i) {
      upper_test += example(words.unseen(seen), Task::Upper);
      reverse_test += example(words.unseen(seen), Task::Reverse);
    }
    for (int i = 0; i < kChatWords + 2; ++i) m.chat_words.push_back(words.unseen(seen));
    writeFile(dir / "mixed.txt", mixed);
    writeFile(dir / "upper.txt", upper);
    writeFile(dir / "reverse.txt", reverse);
    m.upper_test = dir / "upper-test.txt";
    m.reverse_test = dir / "reverse-test.txt";
    writeFile(m.upper_test, upper_test);
    writeFile(m.reverse_test, reverse_test);

    auto tokenizer = runTemper({"tokenizer", "train", "--input", (dir / "mixed.txt").string(), "--vocab-size", "100",
                                "--model-type", "char", "--out", (dir / "tok.model").string()});
    EXPECT_EQ(tokenizer.exit_code, 0) << tokenizer.all();
    auto data = runTemper({"data", "prepare", "--tokenizer", (dir / "tok.model").string(), "--input",
                           (dir / "mixed.txt").string(), "--out", (dir / "data").string()});
    EXPECT_EQ(data.exit_code, 0) << data.all();
    // 2 blocks of width 64, ctx 64 (2.2 examples a window): 2,000 steps learn both tasks (300
    // did not; lr 0.01 diverged into one letter), at about 12 ms a step.
    auto base = runTemper(trainArgs(dir / "base",
                                    {{"data", (dir / "data").string()},
                                     {"layers", "2"},
                                     {"dim", "64"},
                                     {"heads", "4"},
                                     {"ctx", std::to_string(kBaseContext)},
                                     {"batch-size", "16"},
                                     {"max-steps", "2000"},
                                     {"warmup-steps", "50"},
                                     {"lr", "0.006"},
                                     {"min-lr", "0.0003"},
                                     {"eval-every", "2000"},
                                     {"eval-batches", "8"},
                                     {"sample-tokens", "0"},
                                     {"checkpoint-every", "100000"},
                                     {"threads", "1"},
                                     {"precision", "fp32"}},
                                    {}));
    EXPECT_EQ(base.exit_code, 0) << base.all();
    m.base = dir / "base" / "runs" / runIdOf(base) / "final";

    const auto prompts = runAll({promptTuningArgs(dir / "upper-prompt", m.base, dir / "upper.txt"),
                                 promptTuningArgs(dir / "reverse-prompt", m.base, dir / "reverse.txt")});
    EXPECT_EQ(prompts[0].exit_code, 0) << prompts[0].all();
    EXPECT_EQ(prompts[1].exit_code, 0) << prompts[1].all();
    m.upper_prompt = dir / "upper-prompt" / "runs" / runIdOf(prompts[0]) / "final";
    m.reverse_prompt = dir / "reverse-prompt" / "runs" / runIdOf(prompts[1]) / "final";
    m.ok = !::testing::Test::HasFailure();
    return m;
  }();
  return made;
}

double meanNll(const ProcessResult& eval) {
  EXPECT_EQ(eval.exit_code, 0) << eval.all();
  const Json parsed = Json::parse(eval.out, nullptr, false);
  return parsed.is_object() ? parsed.value("mean_nll", -1.0) : -1.0;
}

Args evalArgs(const fs::path& adapter, const fs::path& data) {
  Args args = {"eval", "--model", material().base.string(), "--data", data.string(), "--threads", "1", "--json"};
  if (adapter.empty()) {
    // The base alone, in the windows the prompts leave it (its context less the virtual tokens).
    args.insert(args.end(), {"--ctx", std::to_string(kBaseContext - kPromptTokens)});
  } else {
    args.insert(args.end(), {"--adapter", adapter.string()});
  }
  return args;
}

TEST(SoftPromptTasks, EachPromptScoresBetterThanTheOtherOnItsOwnTask) {
  const Material& m = material();
  ASSERT_TRUE(m.ok) << "making the base and the prompts failed";
  const auto evals = runAll({evalArgs(m.upper_prompt, m.upper_test), evalArgs(m.reverse_prompt, m.upper_test),
                             evalArgs(m.upper_prompt, m.reverse_test), evalArgs(m.reverse_prompt, m.reverse_test),
                             evalArgs({}, m.upper_test), evalArgs({}, m.reverse_test)});
  const double upper_on_upper = meanNll(evals[0]), reverse_on_upper = meanNll(evals[1]);
  const double upper_on_reverse = meanNll(evals[2]), reverse_on_reverse = meanNll(evals[3]);
  std::printf(
      "mean NLL per token, held-out words:\n"
      "                  uppercase task  reverse task\n"
      "  upper prompt    %.4f          %.4f\n"
      "  reverse prompt  %.4f          %.4f\n"
      "  base alone      %.4f          %.4f   (for reference; not asserted)\n",
      upper_on_upper, upper_on_reverse, reverse_on_upper, reverse_on_reverse, meanNll(evals[4]), meanNll(evals[5]));
  // 0.02 nats a token is 0.6 nats an example (the own task's first letter ~1.8x likelier); the
  // least margin measured was 0.035 (header).
  constexpr double kMargin = 0.02;
  EXPECT_LT(upper_on_upper, reverse_on_upper - kMargin);
  EXPECT_LT(reverse_on_reverse, upper_on_reverse - kMargin);
}

// `temper generate --adapter` of one configuration loaded alone: the continuation of `prompt`, up to
// the first newline (the chat's stop string below).
Args generateArgs(const fs::path& adapter, const std::string& prompt) {
  return {"generate",
          "--model",
          material().base.string(),
          "--adapter",
          adapter.string(),
          "--prompt",
          prompt,
          "--max-new-tokens",
          "8",
          "--temperature",
          "0",
          "--stop",
          "\n",
          "--precision",
          "fp32",
          "--threads",
          "1"};
}

// generate prints the prompt, the continuation and a newline.
std::string continuation(const ProcessResult& generated, const std::string& prompt) {
  EXPECT_EQ(generated.exit_code, 0) << generated.all();
  const std::string& out = generated.out;
  if (out.size() < prompt.size() + 1 || out.compare(0, prompt.size(), prompt) != 0 || out.back() != '\n') {
    ADD_FAILURE() << "generate printed no continuation of the prompt: " << out;
    return "";
  }
  return out.substr(prompt.size(), out.size() - prompt.size() - 1);
}

int countMatching(const std::vector<std::string>& answers, const std::vector<std::string>& words, Task task) {
  int matching = 0;
  for (size_t i = 0; i < answers.size(); ++i) matching += answers[i] == " " + answerTo(words[i], task);
  return matching;
}

TEST(SoftPromptTasks, OneChatSessionSwitchesBetweenThePromptsOnTheLoadedBase) {
  const Material& m = material();
  ASSERT_TRUE(m.ok) << "making the base and the prompts failed";
  const std::vector<std::string> words(m.chat_words.begin(), m.chat_words.begin() + kChatWords);

  // Answers stop at the newline that ends an answer in the training text.
  PipedTemper chat({"chat", "--json", "--model", m.base.string(), "--temperature", "0", "--max-new-tokens", "8",
                    "--stop", "\n", "--precision", "fp32", "--threads", "1"});
  const Json ready = chat.nextOfType("ready");
  ASSERT_FALSE(ready.is_null()) << chat.stderrText();
  EXPECT_EQ(ready.at("adapter"), Json(nullptr));
  EXPECT_EQ(ready.at("context"), kBaseContext);
  auto setAdapter = [&](const fs::path& adapter) {
    chat.send({{"type", "adapter"}, {"path", adapter.string()}});
    const Json reply = chat.next();
    EXPECT_EQ(reply.value("type", ""), "adapter_set") << reply;
    EXPECT_EQ(reply.value("adapter_kind", ""), "prompt-tuning") << reply;
    EXPECT_EQ(reply.value("context", 0), kBaseContext - kPromptTokens) << reply;
  };
  auto ask = [&](const std::string& word, const fs::path& adapter) {
    chat.send({{"type", "user"}, {"content", word}});
    auto [text, end] = chat.answer();
    EXPECT_EQ(end.value("reason", ""), "stop") << end;
    EXPECT_EQ(end.value("adapter", ""), adapter.string()) << "the answer names the prompt that gave it";
    return std::make_pair(text, end);
  };
  // Each word in a conversation of its own.
  auto askEach = [&](const fs::path& adapter) {
    std::vector<std::string> answers;
    for (const std::string& word : words) {
      chat.send({{"type", "reset"}});
      EXPECT_EQ(chat.next().value("type", ""), "reset_done");
      answers.push_back(ask(word, adapter).first);
    }
    return answers;
  };
  setAdapter(m.upper_prompt);
  const std::vector<std::string> upper_answers = askEach(m.upper_prompt);
  setAdapter(m.reverse_prompt);
  const std::vector<std::string> reverse_answers = askEach(m.reverse_prompt);
  setAdapter(m.upper_prompt);  // back, from memory
  const std::vector<std::string> upper_again = askEach(m.upper_prompt);

  // A switch in the middle of a conversation: the cached keys were computed under the other prompt,
  // so nothing may be reused; the next turn under the same prompt reuses again. The plain template
  // renders the history as "User: {word}\nAssistant: {answer}\n" with the answer as streamed less
  // its leading space (the template writes its own; this tokenizer has no one-piece eos text to
  // add), which the references rebuild, and the oldest exchange goes when the conversation outgrows the 56 positions
  // left.
  const std::string& last_word = words.back();
  const std::string switched_word = m.chat_words[kChatWords], next_word = m.chat_words[kChatWords + 1];
  setAdapter(m.reverse_prompt);
  const auto [switched_answer, switched_end] = ask(switched_word, m.reverse_prompt);
  const std::string switched_prompt =
      "User: " + last_word + "\nAssistant: " + withoutLeadingSpace(upper_again.back()) + "\n" + question(switched_word);
  EXPECT_EQ(switched_end.value("reused_tokens", -1), 0) << switched_end;
  EXPECT_EQ(switched_end.value("prompt_tokens", 0), static_cast<int64_t>(switched_prompt.size()))
      << "one id per character: the conversation is the one rebuilt here";
  const auto [next_answer, next_end] = ask(next_word, m.reverse_prompt);
  const std::string next_prompt =
      "User: " + switched_word + "\nAssistant: " + withoutLeadingSpace(switched_answer) + "\n" + question(next_word);
  EXPECT_GT(next_end.value("reused_tokens", 0), 0) << next_end;
  EXPECT_EQ(next_end.value("prompt_tokens", 0), static_cast<int64_t>(next_prompt.size())) << next_end;
  chat.send({{"type", "exit"}});
  EXPECT_EQ(chat.wait(), 0) << chat.stderrText();

  // References: each prompt loaded alone by `temper generate`.
  std::vector<Args> commands;
  for (const std::string& word : words) {
    commands.push_back(generateArgs(m.upper_prompt, question(word)));
    commands.push_back(generateArgs(m.reverse_prompt, question(word)));
  }
  commands.push_back(generateArgs(m.reverse_prompt, switched_prompt));
  commands.push_back(generateArgs(m.reverse_prompt, next_prompt));
  const auto generated = runAll(commands);

  std::printf("chat answers (word: upper prompt | reverse prompt | upper prompt again):\n");
  for (size_t i = 0; i < words.size(); ++i) {
    std::printf("  %s: '%s' | '%s' | '%s'\n", words[i].c_str(), upper_answers[i].c_str(), reverse_answers[i].c_str(),
                upper_again[i].c_str());
    EXPECT_EQ(upper_answers[i], continuation(generated[2 * i], question(words[i]))) << words[i];
    EXPECT_EQ(reverse_answers[i], continuation(generated[2 * i + 1], question(words[i]))) << words[i];
  }
  std::printf("  after the switch to the reverse prompt mid-conversation: %s -> '%s', then %s -> '%s'\n",
              switched_word.c_str(), switched_answer.c_str(), next_word.c_str(), next_answer.c_str());
  EXPECT_EQ(upper_again, upper_answers) << "the prompt attached again from memory answers as before";
  EXPECT_EQ(switched_answer, continuation(generated[2 * words.size()], switched_prompt));
  EXPECT_EQ(next_answer, continuation(generated[2 * words.size() + 1], next_prompt));

  // What held on every corpus measured (header): the uppercase prompt writes the uppercase word for
  // most words, and the reverse prompt does not always agree with it. Printed, not asserted: how
  // often the reverse prompt's answer is the reversed word.
  const int upper_right = countMatching(upper_answers, words, Task::Upper);
  const int reverse_right = countMatching(reverse_answers, words, Task::Reverse);
  std::printf("  uppercase prompt: %d of %d uppercased; reverse prompt: %d of %d reversed\n", upper_right, kChatWords,
              reverse_right, kChatWords);
  EXPECT_GE(upper_right, kChatWords / 2);
  EXPECT_NE(upper_answers, reverse_answers);
}

}  // namespace
}  // namespace temper::engine_test
