#include "core/engine/train_command.h"

#include <unistd.h>

#include "core/common/error.h"
#include "core/common/run_paths.h"
#include "core/common/text_utils.h"
#include "core/common/workspace_paths.h"
#include "core/engine/allocator_tuning.h"
#include "core/engine/bf16_probe.h"
#include "core/engine/dry_run.h"
#include "core/engine/run_outcome.h"
#include "core/engine/run_recorder.h"
#include "core/engine/runtime.h"
#include "core/engine/stop_signal.h"
#include "core/methods/method_setup.h"
#include "core/methods/peft_keys.h"
#include "core/methods/train_config.h"
#include "core/model/quantize_base.h"
#include "core/protocol/events.h"
#include "core/store/workspace_lock.h"

namespace temper {
namespace {

LoopOptions loopOptions(const TrainConfig& c, ComputePrecision precision, const std::string& device) {
  LoopOptions o;
  o.precision = precision;
  o.device = device;
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

torch::Device torchDevice(const RuntimeInfo& runtime) {
  return runtime.device == "cuda" ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}

/// What a request means, validated before anything is written.
struct RunPlan {
  WorkspacePaths workspace;
  TrainConfig config;
  std::string run_id;                ///< empty for a new run
  RunPaths paths;                    ///< set for a resume; for a new run once it is recorded
  std::filesystem::path checkpoint;  ///< resume point
  std::optional<Store> store;        ///< opened when resuming (to find the run)
  RuntimeInfo runtime;
  ComputePrecision precision = ComputePrecision::Fp32;
  Json runtime_json;

  bool resuming() const { return !checkpoint.empty(); }
};

RunPlan planRun(const TrainRequest& request) {
  RunPlan plan;
  plan.workspace = resolveWorkspace(request.workspace);
  if (request.resume_run.empty()) {
    plan.config = resolveTrainConfig(request.config_file, request.flags);
  } else {
    if (!std::filesystem::exists(plan.workspace.database())) {
      throwConfigError("no runs in workspace " + plan.workspace.root.string() + "; nothing to resume");
    }
    plan.store.emplace(Store::open(plan.workspace.database()));
    auto run = plan.store->findRun(request.resume_run);
    if (!run) throwConfigError("no run `" + request.resume_run + "` in " + plan.workspace.database().string());
    plan.run_id = run->id;
    plan.paths = RunPaths{run->run_dir};
    Json stored = readJsonFile(plan.paths.config());
    plan.config = trainConfigFromJson(stored.at("train"), request.flags);
    auto checkpoint = latestCheckpoint(plan.paths.checkpoints());
    if (!checkpoint) throwInputError("run " + plan.run_id + " has no checkpoint to resume from");
    plan.checkpoint = *checkpoint;
    // Refused before anything is written: the run stays exactly as it was.
    const int64_t checkpoint_step = readJsonFile(plan.checkpoint / kTrainerStateFile).at("step").get<int64_t>();
    if (checkpoint_step >= plan.config.max_steps) {
      throwConfigError("run " + plan.run_id + " is already at step " + std::to_string(checkpoint_step) +
                       "; give a larger `--max-steps` to extend it");
    }
  }
  plan.runtime = configureRuntime(plan.config.threads, plan.config.device);
  plan.runtime_json = plan.runtime.toJson();
  return plan;
}

// The compute precision of the run, once its model is known: `precision auto` on a CPU with bf16
// hardware asks the probe at the model's shapes. A resumed run keeps the precision it started with,
// so that its steps are the steps the uninterrupted run would have taken.
void choosePrecision(RunPlan& plan, const MethodSetup& setup) {
  if (plan.resuming()) {
    const Json runtime = readJsonFile(plan.paths.config()).value("runtime", Json::object());
    if (runtime.contains("precision") && runtime["precision"].is_string()) {
      plan.precision = runtime["precision"] == precisionName(ComputePrecision::Bf16Autocast)
                           ? ComputePrecision::Bf16Autocast
                           : ComputePrecision::Fp32;
      plan.runtime_json["precision"] = runtime["precision"];
      plan.runtime_json["precision_reason"] = "as the run started: " + runtime.value("precision_reason", std::string());
      return;
    }
  }
  const int64_t hidden = setup.model->hiddenSize();
  int64_t mlp = 4 * hidden;  // GPT-2's MLP unless the config names its width
  for (const char* key : {"intermediate_size", "n_inner"}) {
    if (setup.model_config.contains(key) && setup.model_config[key].is_number_integer()) {
      mlp = setup.model_config[key].get<int64_t>();
    }
  }
  const Bf16ProbeShape shape{plan.config.batch_size * setup.sequence_length, hidden, mlp};
  const PrecisionChoice choice = resolvePrecision(plan.config.precision, plan.runtime.device, [&](std::string& why) {
    return bf16PaysAtShape(shape, plan.runtime, plan.workspace.root / "cache" / "bf16-probe.json", why);
  });
  plan.precision = choice.precision;
  plan.runtime_json["precision"] = precisionName(choice.precision);
  plan.runtime_json["precision_reason"] = choice.reason;
}

// An adapter's frozen base under bf16 autocast is stored in bf16 (quantize_base.h): the same products
// without the fp32 weights or autocast's copies of them. Recorded with the run.
void storeFrozenBase(RunPlan& plan, MethodSetup& setup) {
  if (plan.precision != ComputePrecision::Bf16Autocast || !setup.trains_adapter) return;
  const int64_t freed = storeFrozenBaseForAutocast(*setup.model);
  if (freed > 0) plan.runtime_json["frozen_weights"] = "bf16 (autocast's dtype)";
}

// The train keys as stored: paths absolute, so a resume from another folder finds the same files.
Json storedTrainKeys(const TrainConfig& config) {
  Json train_json = config.toJson();
  for (const char* key : {"data", "val-data", "base"}) {
    if (!train_json.contains(key) || train_json[key].get<std::string>().empty()) continue;
    std::string joined;
    for (const auto& part : splitString(train_json[key].get<std::string>(), ',')) {
      if (part.empty()) continue;
      // A preference set in the workspace's store (set:NAME) is a name, not a path.
      const bool store_set = part.starts_with("set:");
      joined += (joined.empty() ? "" : ",") +
                (store_set ? part : std::filesystem::absolute(part).lexically_normal().string());
    }
    train_json[key] = joined;
  }
  return train_json;
}

// A new run's store row and folder (config.json, the scratch tokenizer), or a resumed run's
// updated config. On failure a new run is marked failed, never left half-made as "created".
void recordRun(RunPlan& plan, const MethodSetup& setup, const MethodInputs& inputs, const Json& train_json) {
  Store& store = *plan.store;
  if (plan.resuming()) {
    Json full = readJsonFile(plan.paths.config());
    full["train"] = train_json;
    full["runtime"] = plan.runtime_json;
    writeJsonFileAtomic(plan.paths.config(), full);
    store.updateRunConfig(plan.run_id, full.dump());
    return;
  }
  const TrainConfig& config = plan.config;
  NewRun run;
  run.name = config.name.empty() ? config.method + " " + std::filesystem::path(setup.dataset).filename().string()
                                 : config.name;
  run.method = config.method;
  run.base_model = setup.base_description;
  run.dataset = setup.dataset;
  run.device = plan.runtime.device;
  run.threads = plan.runtime.torch_threads;
  run.versions_json = Json{{"torch", plan.runtime.torch_version}, {"blas", plan.runtime.blas}}.dump();
  Json full = {{"train", train_json},
               {"model", setup.model_config},
               {"runtime", plan.runtime_json},
               {"data", setup.data_summary},
               {"parameters", {{"total", setup.model->parameterCount()}, {"trainable", setup.trainable_parameters}}},
               {"memory_estimate", dryRun(inputs, plan.runtime)["estimate"]}};
  run.config_json = full.dump();
  plan.run_id = store.createRun(run);
  plan.paths = RunPaths{plan.workspace.runDir(plan.run_id)};
  try {
    std::filesystem::create_directories(plan.paths.checkpoints());
    writeJsonFileAtomic(plan.paths.config(), full);
    if (!setup.scratch_tokenizer.empty()) {
      std::filesystem::copy_file(setup.scratch_tokenizer, plan.paths.tokenizer(),
                                 std::filesystem::copy_options::overwrite_existing);
    }
  } catch (const std::exception& e) {
    store.finishRun(plan.run_id, std::string(kRunFailed), e.what());
    throw;
  }
}

// The loop, with every step, eval and checkpoint recorded; the final model on success.
TrainResult runRecorded(RunPlan& plan, MethodSetup& setup, Console& console, const Json& train_json) {
  TrainingTask& task = *setup.task;
  Store& store = *plan.store;
  RunRecorder recorder(store, console, plan.run_id, plan.paths.dir, plan.config.max_steps);
  TrainerCallbacks callbacks;
  callbacks.on_step = [&](const StepReport& r) { recorder.onStep(r); };
  callbacks.on_eval = [&](const EvalReport& r) { recorder.onEval(r); };
  callbacks.on_checkpoint = [&](const CheckpointReport& r) { recorder.onCheckpoint(r); };
  callbacks.should_stop = [] { return stopRequested(); };
  Trainer trainer(task, loopOptions(plan.config, plan.precision, plan.runtime.device), callbacks,
                  plan.paths.checkpoints());
  if (plan.resuming()) {
    // Points the interrupted run logged after this checkpoint are replaced as the steps are
    // re-run (the store keys metrics by run, name and step).
    trainer.resumeFrom(plan.checkpoint);
  }
  store.markRunning(plan.run_id, ::getpid());
  console.say("run " + plan.run_id + ": " + std::to_string(setup.model->parameterCount()) + " parameters, " +
              plan.runtime.summary() + ", " + precisionName(plan.precision));
  console.say("data: " + setup.data_summary.dump());
  recorder.emit(events::runStarted(plan.run_id, train_json, plan.runtime_json, plan.paths.dir.string(), plan.resuming(),
                                   trainer.step(), setup.data_summary));

  LoopResult loop;
  try {
    loop = trainer.run();
    if (loop.outcome == RunOutcome::Finished) saveModelAtomically(task, plan.paths.finalModel());
  } catch (const std::exception& e) {
    recorder.finish(RunOutcome::Failed, e.what(), trainer.step());
    throw;
  }
  const std::string reason = loop.outcome == RunOutcome::Finished ? "reached max-steps" : loop.reason;
  recorder.finish(loop.outcome, reason, loop.step);
  return TrainResult{.run_id = plan.run_id,
                     .outcome = loop.outcome,
                     .reason = reason,
                     .step = loop.step,
                     .run_dir = plan.paths.dir,
                     .database = plan.workspace.database()};
}

}  // namespace

int TrainResult::exitCode() const { return runExitCode(outcome); }

TrainResult runTrain(const TrainRequest& request) {
  installStopHandlers();
  Console console(request.events);

  // 1. Plan: everything is validated and loaded before the workspace is touched.
  RunPlan plan = planRun(request);
  // A quantised base is chosen to fit: the memory-first allocator, before the base is read.
  if (peftChoice(plan.config).base_quant != "none") plan.runtime_json["allocator"] = tuneAllocatorForMemory();
  const MethodInputs inputs = methodInputs(plan.config, torchDevice(plan.runtime), plan.workspace,
                                           plan.resuming() ? plan.paths.dir : std::filesystem::path());
  MethodSetup setup = setUpMethod(inputs);
  choosePrecision(plan, setup);
  storeFrozenBase(plan, setup);

  // 2. Record: one run per workspace at a time; then the run row and folder.
  ensureWorkspace(plan.workspace);
  const std::string lock_owner = "train " + (plan.config.name.empty() ? plan.config.method : plan.config.name);
  WorkspaceLock lock = WorkspaceLock::acquire(plan.workspace.root, lock_owner);
  if (!plan.store) plan.store.emplace(Store::open(plan.workspace.database()));
  const Json train_json = storedTrainKeys(plan.config);
  recordRun(plan, setup, inputs, train_json);

  // 3. Run.
  return runRecorded(plan, setup, console, train_json);
}

Json dryRunTrain(const TrainRequest& request) {
  RunPlan plan = planRun(request);
  const MethodInputs inputs = methodInputs(plan.config, torchDevice(plan.runtime), plan.workspace,
                                           plan.resuming() ? plan.paths.dir : std::filesystem::path());
  return dryRun(inputs, plan.runtime);
}

}  // namespace temper
