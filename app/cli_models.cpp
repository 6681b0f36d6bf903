// `temper runs`, `temper eval`, `temper generate`, `temper bench`.
#include <cstdio>

#include "app/cli.h"
#include "core/engine/bench_command.h"
#include "core/engine/model_commands.h"
#include "core/engine/runs_commands.h"

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
  auto* eval = app.add_subcommand("eval", "mean negative log-likelihood and perplexity of a text file");
  auto request = std::make_shared<EvalRequest>();
  auto model = std::make_shared<std::string>();
  auto data = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  eval->add_option("--model", *model, "a model folder (config.json, model.safetensors, tokenizer.model)")->required();
  eval->add_option("--data", *data, "a text file")->required();
  eval->add_option("--ctx", request->ctx, "window length (default: the model's context)")->check(CLI::Range(0, 1 << 20));
  eval->add_option("--threads", request->threads, "CPU threads (0: chosen by the engine)");
  eval->add_option("--device", request->device, "auto, cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  eval->add_flag("--json", *json, "print JSON");
  eval->callback([&action, request, model, data, json] {
    action = [request, model, data, json] {
      request->model_dir = *model;
      request->data_file = *data;
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

void addGenerateCommand(CLI::App& app, Action& action) {
  auto* generate = app.add_subcommand("generate", "continue a prompt");
  auto request = std::make_shared<GenerateRequest>();
  auto model = std::make_shared<std::string>();
  generate->add_option("--model", *model, "a model folder")->required();
  generate->add_option("--prompt", request->prompt, "the text to continue")->required();
  generate->add_option("--max-new-tokens", request->sampling.max_new_tokens, "tokens to generate");
  generate->add_option("--temperature", request->sampling.temperature, "0 for greedy");
  generate->add_option("--top-k", request->sampling.top_k, "keep the k most likely tokens (0: all)");
  generate->add_option("--top-p", request->sampling.top_p, "keep the smallest set with this mass");
  generate->add_option("--seed", request->sampling.seed, "sampling seed");
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
}

}  // namespace

void addModelCommands(CLI::App& app, GlobalOptions& global, Action& action) {
  addRunsCommands(app, global, action);
  addEvalCommand(app, action);
  addGenerateCommand(app, action);
  addBenchCommand(app, action);
}

}  // namespace temper::cli
