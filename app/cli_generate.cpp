// `temper generate` and `temper chat`.
#include <unistd.h>

#include <iostream>

#include "app/cli.h"
#include "core/engine/chat_command.h"
#include "core/engine/model_commands.h"
#include "core/engine/model_loading.h"

namespace temper::cli {
namespace {

constexpr const char* kInferencePrecisionHelp =
    "weights to generate with: auto (bf16 on a CPU with AMX or AVX512_BF16, else fp32), fp32 or bf16";

// The sampling flags `generate` and `chat` share.
void addSamplingOptions(CLI::App* command, SamplingOptions& sampling, std::vector<std::string>& stop) {
  command->add_option("--max-new-tokens", sampling.max_new_tokens, "tokens to generate");
  command->add_option("--temperature", sampling.temperature, "0 for greedy");
  command->add_option("--top-k", sampling.top_k, "keep the k most likely tokens (0: all)");
  command->add_option("--top-p", sampling.top_p, "keep the smallest set with this mass");
  command->add_option("--seed", sampling.seed, "sampling seed");
  command->add_option("--stop", stop, "stop where this text appears (not printed); repeatable")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
}

}  // namespace

void addGenerateCommand(CLI::App& app, Action& action) {
  auto* generate = app.add_subcommand("generate", "continue a prompt");
  auto request = std::make_shared<GenerateRequest>();
  auto model = std::make_shared<std::string>();
  auto adapter = std::make_shared<std::string>();
  generate->add_option("--model", *model, "a model folder, or an adapter folder whose base is on disk")->required();
  generate->add_option("--adapter", *adapter, "a PEFT adapter folder (a LoRA run's final/) applied to --model");
  generate->add_option("--prompt", request->prompt, "the text to continue")->required();
  addSamplingOptions(generate, request->sampling, request->stop);
  generate->add_option("--threads", request->threads, "CPU threads (0: chosen by the engine)");
  generate->add_option("--device", request->device, "auto, cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  generate->add_option("--precision", request->precision, kInferencePrecisionHelp)
      ->check(CLI::IsMember({"auto", "fp32", "bf16"}));
  generate->callback([&action, request, model, adapter] {
    action = [request, model, adapter] {
      const ModelAndAdapter folders = resolveModelAndAdapter(*model, *adapter);
      request->model_dir = folders.model_dir;
      request->adapter_dir = folders.adapter_dir;
      generateText(*request, true);
      return 0;
    };
  });
}

void addChatCommand(CLI::App& app, Action& action) {
  auto* chat = app.add_subcommand("chat", "talk with a model: one user message per line on stdin");
  auto request = std::make_shared<ChatRequest>();
  request->sampling.max_new_tokens = 256;
  auto model = std::make_shared<std::string>();
  auto adapter = std::make_shared<std::string>();
  chat->add_option("--model", *model, "a model folder, or an adapter folder whose base is on disk")->required();
  chat->add_option("--adapter", *adapter, "a PEFT adapter folder (a LoRA run's final/) applied to --model");
  chat->add_option("--chat-template", request->chat_template,
                   "render with this template instead of the model's (chatml, llama2, llama3, zephyr, plain)")
      ->check(CLI::IsMember({"chatml", "llama2", "llama3", "zephyr", "plain"}));
  chat->add_option("--system", request->system, "a system message at the start of the conversation");
  addSamplingOptions(chat, request->sampling, request->stop);
  chat->add_flag("--verbose", request->verbose, "one line per answer on stderr: prompt tokens, cache reuse, speed");
  chat->add_flag("--no-cache-reuse{false}", request->reuse_cache,
                 "recompute the whole conversation every turn (for checks and timings)");
  chat->add_option("--threads", request->threads, "CPU threads (0: chosen by the engine)");
  chat->add_option("--device", request->device, "auto, cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  chat->add_option("--precision", request->precision, kInferencePrecisionHelp)
      ->check(CLI::IsMember({"auto", "fp32", "bf16"}));
  auto json = std::make_shared<bool>(false);
  chat->add_flag("--json", *json,
                 "JSON lines both ways (for programs): {\"type\":\"user\",\"content\":...} in; ready, token, "
                 "answer_end out (docs/cli.md)");
  chat->callback([&action, request, model, adapter, json] {
    action = [request, model, adapter, json] {
      const ModelAndAdapter folders = resolveModelAndAdapter(*model, *adapter);
      request->model_dir = folders.model_dir;
      request->adapter_dir = folders.adapter_dir;
      if (*json) return runChatJson(*request, std::cin, stdout);
      return runChat(*request, std::cin, stdout, ::isatty(STDIN_FILENO) != 0);
    };
  });
}

}  // namespace temper::cli
