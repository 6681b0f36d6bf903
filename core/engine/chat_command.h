#pragma once
/// `temper chat --model DIR`: a conversation with a model in the terminal or through a pipe. Each
/// user line is added to the conversation, which is rendered with the model's chat template
/// (chat_template.h), and the answer is streamed as it is generated. The KV cache is kept between
/// turns: when the rendered conversation extends what the cache already holds (the usual case),
/// only the new tokens go through the model.
///
/// `temper chat --model DIR --json` is the same conversation for programs (the studio's
/// Playground): one JSON object per line each way, so messages may hold newlines and a reader
/// knows where an answer ends (docs/cli.md, "chat --json").
#include <cstdio>
#include <filesystem>
#include <istream>
#include <string>
#include <vector>

#include "core/model/generation.h"

namespace temper {

struct ChatRequest {
  std::filesystem::path model_dir;
  std::filesystem::path adapter_dir;  ///< a PEFT adapter on model_dir; empty: none
  std::string chat_template;          ///< "" : the folder's template (plain when it has none); else a name
  std::string system;                 ///< a system message first, when not empty
  SamplingOptions sampling;
  std::vector<std::string> stop;
  int64_t threads = 0;
  std::string device = "auto";
  std::string precision = "auto";  ///< weights for generating: auto, fp32, bf16 (resolveInferencePrecision)
  bool verbose = false;
  /// false: every turn recomputes the whole conversation (to check the reuse against, and time it).
  bool reuse_cache = true;  ///< one line per turn on stderr: prompt tokens, tokens reused, speed
};

/// Reads user lines from `in` until end of input or `/exit`; `/reset` starts a new conversation.
/// Answers go to `out`, each followed by a newline; `interactive` adds a "> " prompt before each
/// line (a terminal). Returns the exit code (0).
int runChat(const ChatRequest& request, std::istream& in, std::FILE* out, bool interactive);

/// The JSON-lines protocol: reads one object per line from `in` (`user`, `stop`, `reset`, `set`,
/// `exit`) on a thread of its own, so that `stop` can end an answer while it streams, and writes
/// `ready`, `token`, `answer_end`, `reset_done`, `settings` and `error` lines to `out`. A bad line
/// is answered with an `error` line and the session goes on. Returns the exit code (0).
int runChatJson(const ChatRequest& request, std::istream& in, std::FILE* out);

}  // namespace temper
