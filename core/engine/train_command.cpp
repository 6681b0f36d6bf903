#include "core/engine/train_command.h"

#include <unistd.h>

#include <cstdio>

#include "core/common/error.h"
#include "core/common/hashing.h"
#include "core/common/text_utils.h"
#include "core/common/workspace_paths.h"
#include "core/engine/dry_run.h"
#include "core/engine/run_recorder.h"
#include "core/engine/runtime.h"
#include "core/engine/stop_signal.h"
#include "core/methods/method_setup.h"
#include "core/methods/train_config.h"
#include "core/protocol/events.h"
#include "core/store/workspace_lock.h"
#include "core/train/trainer.h"

namespace temper {
namespace {

constexpr const char* kRunConfigFile = "config.json";
constexpr const char* kRunTokenizerFile = "tokenizer.model";

LoopOptions loopOptions(const TrainConfig& c, ComputePrecision precision) {
  LoopOptions o;
  o.precision = precision;
  o.max_steps = c.max_steps;
  o.grad_accum = c.grad_accum;
  o.grad_clip = c.grad_clip;
  o.eval_every = c.eval_every;
  o.eval_batches = c.eval_batches;
  o.checkpoint_every = c.checkpoint_every;
  o.schedule = LrSchedule{c.lr, c.min_lr, c.warmup_steps, c.max_steps};
  o.adamw = AdamWOptions{c.beta1, c.beta2, 1e-8, c.weight_decay};
  return o;
}

struct RunPlan {
  TrainConfig config;
  std::string run_id;  ///< empty for a new run
  std::filesystem::path run_dir;
  std::filesystem::path checkpoint;  ///< resume point
};

}  // namespace

int runTrain(const TrainRequest& request) {
  installStopHandlers();
  Console console(request.events);
  WorkspacePaths workspace = resolveWorkspace(request.workspace);

  // 1. Everything is validated before the workspace is touched.
  RunPlan plan;
  std::optional<Store> store;
  if (request.resume_run.empty()) {
    plan.config = resolveTrainConfig(request.config_file, request.flags);
  } else {
    if (!std::filesystem::exists(workspace.database())) {
      throwConfigError("no runs in workspace " + workspace.root.string() + "; nothing to resume");
    }
    store.emplace(Store::open(workspace.database()));
    auto run = store->findRun(request.resume_run);
    if (!run) throwConfigError("no run `" + request.resume_run + "` in " + workspace.database().string());
    plan.run_id = run->id;
    plan.run_dir = run->run_dir;
    Json stored = readJsonFile(plan.run_dir / kRunConfigFile);
    plan.config = trainConfigFromJson(stored.at("train"), request.flags);
    auto checkpoint = latestCheckpoint(plan.run_dir / "checkpoints");
    if (!checkpoint) throwInputError("run " + plan.run_id + " has no checkpoint to resume from");
    plan.checkpoint = *checkpoint;
    // Refused before anything is written: the run stays exactly as it was.
    const int64_t checkpoint_step = readJsonFile(plan.checkpoint / "trainer_state.json").at("step").get<int64_t>();
    if (checkpoint_step >= plan.config.max_steps) {
      throwConfigError("run " + plan.run_id + " is already at step " + std::to_string(checkpoint_step) +
                       "; give a larger `--max-steps` to extend it");
    }
  }
  const TrainConfig& config = plan.config;
  RuntimeInfo runtime = configureRuntime(config.threads, config.device);
  const ComputePrecision precision = resolvePrecision(config.precision, runtime.device);
  Json runtime_json = runtime.toJson();
  runtime_json["precision"] = precisionName(precision);
  const torch::Device device = runtime.device == "cuda" ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  const MethodInputs inputs =
      methodInputs(config, device, workspace, plan.run_id.empty() ? std::filesystem::path() : plan.run_dir);
  if (request.dry_run) {
    Json estimate = dryRun(inputs, runtime);
    if (request.json) {
      std::printf("%s\n", estimate.dump().c_str());
    } else {
      std::printf("%s\n", estimate.dump(2).c_str());
    }
    return 0;
  }
  MethodSetup setup = setUpMethod(inputs);
  TrainingTask& task = *setup.task;
  const int64_t parameters = setup.model->parameterCount();

  // 2. One run per workspace at a time; then the run record and folder.
  ensureWorkspace(workspace);
  const std::string lock_owner = "train " + (config.name.empty() ? config.method : config.name);
  WorkspaceLock lock = WorkspaceLock::acquire(workspace.root, lock_owner);
  if (!store) store.emplace(Store::open(workspace.database()));
  Json train_json = config.toJson();
  // Paths are stored absolute, so a resume from another folder finds the same files.
  for (const char* key : {"data", "val-data", "base"}) {
    if (!train_json.contains(key) || train_json[key].get<std::string>().empty()) continue;
    std::string joined;
    for (const auto& part : splitString(train_json[key].get<std::string>(), ',')) {
      if (part.empty()) continue;
      joined += (joined.empty() ? "" : ",") + std::filesystem::absolute(part).lexically_normal().string();
    }
    train_json[key] = joined;
  }
  if (plan.run_id.empty()) {
    NewRun run;
    run.name = config.name.empty() ? config.method + " " + std::filesystem::path(setup.dataset).filename().string()
                                   : config.name;
    run.method = config.method;
    run.base_model = setup.base_description;
    run.dataset = setup.dataset;
    run.device = runtime.device;
    run.threads = runtime.torch_threads;
    run.versions_json = Json{{"torch", runtime.torch_version}, {"blas", runtime.blas}}.dump();
    Json full = {{"train", train_json},
                 {"model", setup.model_config},
                 {"runtime", runtime_json},
                 {"data", setup.data_summary},
                 {"parameters", {{"total", parameters}, {"trainable", setup.trainable_parameters}}},
                 {"memory_estimate", dryRun(inputs, runtime)["estimate"]}};
    run.config_json = full.dump();
    plan.run_id = store->createRun(run);
    plan.run_dir = workspace.runDir(plan.run_id);
    try {
      std::filesystem::create_directories(plan.run_dir / "checkpoints");
      writeJsonFileAtomic(plan.run_dir / kRunConfigFile, full);
      if (!setup.scratch_tokenizer.empty()) {
        std::filesystem::copy_file(setup.scratch_tokenizer, plan.run_dir / kRunTokenizerFile,
                                   std::filesystem::copy_options::overwrite_existing);
      }
    } catch (const std::exception& e) {
      store->finishRun(plan.run_id, "failed", e.what());
      throw;
    }
  } else {
    Json full = readJsonFile(plan.run_dir / kRunConfigFile);
    full["train"] = train_json;
    full["runtime"] = runtime_json;
    writeJsonFileAtomic(plan.run_dir / kRunConfigFile, full);
    store->updateRunConfig(plan.run_id, full.dump());
  }

  RunRecorder recorder(*store, console, plan.run_id, plan.run_dir, config.max_steps);
  TrainerCallbacks callbacks;
  double last_val_loss = std::nan("");
  int64_t tokens_seen = 0;
  callbacks.on_step = [&](const StepReport& r) {
    tokens_seen = r.tokens_seen;
    recorder.onStep(r);
  };
  callbacks.on_eval = [&](const EvalReport& r) {
    last_val_loss = r.val_loss;
    recorder.onEval(r);
  };
  callbacks.on_checkpoint = [&](int64_t step, const std::filesystem::path& path) {
    recorder.onCheckpoint(step, path, last_val_loss, tokens_seen);
  };
  callbacks.should_stop = [] { return stopRequested(); };
  Trainer trainer(task, loopOptions(config, precision), callbacks, plan.run_dir / "checkpoints");
  if (!plan.checkpoint.empty()) {
    // Points the interrupted run logged after this checkpoint are replaced as the steps are
    // re-run (the store keys metrics by run, name and step).
    trainer.resumeFrom(plan.checkpoint);
  }
  store->markRunning(plan.run_id, ::getpid());
  console.say("run " + plan.run_id + ": " + std::to_string(parameters) + " parameters, " + runtime.summary() + ", " +
              precisionName(precision));
  console.say("data: " + setup.data_summary.dump());
  recorder.emit(events::runStarted(plan.run_id, train_json, runtime_json, plan.run_dir.string(),
                                   !plan.checkpoint.empty(), trainer.step(), setup.data_summary));

  LoopResult result;
  try {
    result = trainer.run();
    if (result.outcome == RunOutcome::Finished) saveModelAtomically(task, plan.run_dir / "final");
  } catch (const std::exception& e) {
    recorder.finish("failed", e.what(), trainer.step());
    throw;
  }
  switch (result.outcome) {
    case RunOutcome::Finished:
      recorder.finish("finished", "reached max-steps", result.step);
      console.say("run " + plan.run_id + " finished at step " + std::to_string(result.step) + "; model in " +
                  (plan.run_dir / "final").string() + "; recorded in " + workspace.database().string());
      return 0;
    case RunOutcome::Cancelled:
      recorder.finish("cancelled", result.reason, result.step);
      console.say("run " + plan.run_id + " " + result.reason);
      return 130;
    case RunOutcome::Failed:
      recorder.finish("failed", result.reason, result.step);
      console.say("error: run " + plan.run_id + " failed: " + result.reason);
      return exitCodeFor(ErrorKind::TrainingFailed);
  }
  return 1;
}

}  // namespace temper
