// `temper runs`, `temper eval`, `temper generate`, `temper chat`, `temper model inspect`,
// `temper export`, `temper bench`.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "app/cli.h"
#include "core/engine/bench_command.h"
#include "core/engine/bench_generate_command.h"
#include "core/engine/chat_command.h"
#include "core/engine/classifier_eval.h"
#include "core/engine/export_command.h"
#include "core/engine/model_commands.h"
#include "core/engine/model_inspect_command.h"
#include "core/engine/runs_commands.h"
#include "core/model/hf_model.h"

namespace temper::cli {
namespace {

void addRunsCommands(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* runs = app.add_subcommand("runs", "the experiment history");
  runs->require_subcommand(1);
  auto json = std::make_shared<bool>(false);
  auto* list = runs->add_subcommand("list", "all runs, newest first");
  list->add_flag("--json", *json, "as JSON");
  list->callback([&global, &action, json] {
    action = [&global, json] {
      listRuns(global.workspace, *json);
      return 0;
    };
  });
  auto* show = runs->add_subcommand("show", "one run: config, status, times, last metrics, paths");
  auto id = std::make_shared<std::string>();
  show->add_option("id", *id, "run id or a unique prefix")->required();
  show->add_flag("--json", *json, "as JSON");
  show->callback([&global, &action, id, json] {
    action = [&global, id, json] {
      showRun(global.workspace, *id, *json);
      return 0;
    };
  });
}

void addEvalCommand(CLI::App& app, Action& action) {
  auto* eval = app.add_subcommand(
      "eval",
      "mean negative log-likelihood and perplexity of a text file; for a classifier, accuracy on labelled records");
  auto request = std::make_shared<EvalRequest>();
  auto model = std::make_shared<std::string>();
  auto data = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  eval->add_option("--model", *model, "a model folder (config.json, model.safetensors, tokenizer.model or .json)")
      ->required();
  eval->add_option("--data", *data,
                   "a text file; for a classifier (a classify run's final/), {\"text\",\"label\"} records in "
                   "JSONL, JSON or CSV")
      ->required();
  eval->add_option("--ctx", request->ctx, "window length (default: the model's context)")
      ->check(CLI::Range(0, 1 << 20));
  eval->add_option("--threads", request->threads, "CPU threads (0: chosen by the engine)");
  eval->add_option("--device", request->device, "auto, cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  eval->add_flag("--json", *json, "print JSON");
  eval->callback([&action, request, model, data, json] {
    action = [request, model, data, json] {
      request->model_dir = *model;
      request->data_file = *data;
      if (std::filesystem::is_directory(request->model_dir) &&
          inspectHfModel(request->model_dir).task == "sequence-classification") {
        ClassifierEvalResult result = evaluateClassifier(*request);
        std::printf("%s", *json ? (result.toJson().dump() + "\n").c_str() : formatClassifierEval(result).c_str());
        return 0;
      }
      EvalResult result = evaluateModel(*request);
      if (*json) {
        std::printf("%s\n", result.toJson().dump().c_str());
      } else {
        std::printf("tokens %lld\npredicted tokens %lld\nmean_nll %.4f\nperplexity %.4f\n",
                    static_cast<long long>(result.tokens), static_cast<long long>(result.predicted_tokens),
                    result.mean_nll, result.perplexity);
      }
      return 0;
    };
  });
}

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

void addGenerateCommand(CLI::App& app, Action& action) {
  auto* generate = app.add_subcommand("generate", "continue a prompt");
  auto request = std::make_shared<GenerateRequest>();
  auto model = std::make_shared<std::string>();
  generate->add_option("--model", *model, "a model folder")->required();
  generate->add_option("--prompt", request->prompt, "the text to continue")->required();
  addSamplingOptions(generate, request->sampling, request->stop);
  generate->add_option("--threads", request->threads, "CPU threads (0: chosen by the engine)");
  generate->add_option("--device", request->device, "auto, cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  generate->callback([&action, request, model] {
    action = [request, model] {
      request->model_dir = *model;
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
  chat->add_option("--model", *model, "a model folder")->required();
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
  auto json = std::make_shared<bool>(false);
  chat->add_flag("--json", *json,
                 "JSON lines both ways (for programs): {\"type\":\"user\",\"content\":...} in; ready, token, "
                 "answer_end out (docs/cli.md)");
  chat->callback([&action, request, model, json] {
    action = [request, model, json] {
      request->model_dir = *model;
      if (*json) return runChatJson(*request, std::cin, stdout);
      return runChat(*request, std::cin, stdout, ::isatty(STDIN_FILENO) != 0);
    };
  });
}

void addModelInspectCommand(CLI::App& app, Action& action) {
  auto* model = app.add_subcommand("model", "model folders");
  model->require_subcommand(1);
  auto* inspect = model->add_subcommand("inspect",
                                        "family, shape, dtype, tokenizer and chat template of a folder "
                                        "(reads headers only)");
  auto dir = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  inspect->add_option("dir", *dir, "a Hugging Face model folder")->required();
  inspect->add_flag("--json", *json, "print JSON");
  inspect->callback([&action, dir, json] {
    action = [dir, json] {
      ModelInspection result = inspectModelFolder(*dir);
      if (*json) {
        std::printf("%s\n", result.toJson().dump().c_str());
      } else {
        std::fputs(result.toText().c_str(), stdout);
      }
      return 0;
    };
  });
}

void addExportCommand(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* command = app.add_subcommand("export", "copy a run's model as a clean Hugging Face folder");
  auto request = std::make_shared<ExportRequest>();
  auto out = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  command->add_option("--run", request->run, "run id or a unique prefix")->required();
  command->add_option("--out", *out, "the folder to write (must be absent or empty)")->required();
  command->add_option("--checkpoint", request->checkpoint, "final or step-N (default: final, else the latest)");
  command->add_flag("--force", request->force, "replace a non-empty --out");
  command->add_flag("--json", *json, "print JSON");
  command->callback([&global, &action, request, out, json] {
    action = [&global, request, out, json] {
      request->workspace = global.workspace;
      request->out = *out;
      ExportResult result = exportRun(*request);
      if (*json) {
        std::printf("%s\n", result.toJson().dump().c_str());
      } else {
        std::printf("exported %s (%s) to %s: %zu files, %.1f MiB\n", result.run_id.c_str(),
                    result.source.filename().c_str(), result.out.c_str(), result.files.size(),
                    static_cast<double>(result.bytes) / (1 << 20));
      }
      return 0;
    };
  });
}

void addBenchCommand(CLI::App& app, Action& action) {
  auto* bench = app.add_subcommand("bench", "benchmarks");
  bench->require_subcommand(1);
  auto* train = bench->add_subcommand("train", "training throughput of reference_gpt.py's model on random ids");
  auto request = std::make_shared<BenchTrainRequest>();
  train->add_option("--layers", request->layers)->check(CLI::Range(1, 256));
  train->add_option("--dim", request->dim)->check(CLI::Range(8, 32768));
  train->add_option("--heads", request->heads)->check(CLI::Range(1, 256));
  train->add_option("--ctx", request->ctx)->check(CLI::Range(2, 65536));
  train->add_option("--vocab", request->vocab)->check(CLI::Range(2, 1 << 22));
  train->add_option("--batch", request->batch)->check(CLI::Range(1, 65536));
  train->add_option("--steps", request->steps)->check(CLI::Range(1, 1000000));
  train->add_option("--warmup", request->warmup)->check(CLI::Range(0, 1000000));
  train->add_option("--threads", request->threads, "CPU threads (0: chosen by the engine)");
  train->add_option("--device", request->device)->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  auto json = std::make_shared<bool>(false);
  train->add_flag("--json", *json, "print JSON (the only output format)");
  train->callback([&action, request] {
    action = [request] {
      std::printf("%s\n", benchTrain(*request).dump().c_str());
      return 0;
    };
  });

  auto* gen = bench->add_subcommand("generate", "greedy generation tokens/s with and without the KV cache");
  auto gen_request = std::make_shared<BenchGenerateRequest>();
  gen->add_option("--preset", gen_request->preset, "model shape (random weights)")
      ->check(CLI::IsMember({"tiny", "small", "gpt2-124m"}));
  gen->add_option("--vocab", gen_request->vocab)->check(CLI::Range(2, 1 << 22));
  gen->add_option("--prompt-tokens", gen_request->prompt_tokens)->check(CLI::Range(1, 1 << 20));
  gen->add_option("--new-tokens", gen_request->new_tokens)->check(CLI::Range(1, 1 << 20));
  gen->add_option("--runs", gen_request->runs, "timed runs per mode (the median is reported)")
      ->check(CLI::Range(1, 100));
  gen->add_option("--threads", gen_request->threads, "CPU threads (0: chosen by the engine)");
  gen->add_option("--device", gen_request->device)->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  gen->add_flag("--json", *json, "print JSON (the only output format)");
  gen->callback([&action, gen_request] {
    action = [gen_request] {
      std::printf("%s\n", benchGenerate(*gen_request).dump().c_str());
      return 0;
    };
  });

  auto* load = bench->add_subcommand("load", "time to inspect and to load a model folder (page cache warm)");
  auto load_request = std::make_shared<BenchLoadRequest>();
  auto load_model = std::make_shared<std::string>();
  load->add_option("--model", *load_model, "a model folder (default: write a --preset-shaped one first)");
  load->add_option("--preset", load_request->preset)->check(CLI::IsMember({"tiny", "small", "gpt2-124m"}));
  load->add_option("--vocab", load_request->vocab)->check(CLI::Range(2, 1 << 22));
  load->add_option("--runs", load_request->runs)->check(CLI::Range(1, 100));
  load->add_option("--threads", load_request->threads, "CPU threads (0: chosen by the engine)");
  load->add_flag("--json", *json, "print JSON (the only output format)");
  load->callback([&action, load_request, load_model] {
    action = [load_request, load_model] {
      load_request->model_dir = *load_model;
      std::printf("%s\n", benchLoad(*load_request).dump().c_str());
      return 0;
    };
  });
}

}  // namespace

void addModelCommands(CLI::App& app, GlobalOptions& global, Action& action) {
  addRunsCommands(app, global, action);
  addEvalCommand(app, action);
  addGenerateCommand(app, action);
  addChatCommand(app, action);
  addModelInspectCommand(app, action);
  addExportCommand(app, global, action);
  addBenchCommand(app, action);
}

}  // namespace temper::cli
