#include "core/engine/train_command.h"

#include <unistd.h>

#include "core/common/error.h"
#include "core/common/hashing.h"
#include "core/common/workspace_paths.h"
#include "core/data/dataset_meta.h"
#include "core/engine/run_recorder.h"
#include "core/engine/runtime.h"
#include "core/engine/stop_signal.h"
#include "core/methods/pretrain_task.h"
#include "core/protocol/events.h"
#include "core/store/workspace_lock.h"
#include "core/train/train_config.h"

namespace temper {
namespace {

constexpr const char* kRunConfigFile = "config.json";
constexpr const char* kRunTokenizerFile = "tokenizer.model";

GptConfig modelShape(const TrainConfig& c, int64_t vocab_size) {
  GptConfig shape = c.preset.empty() ? GptConfig{} : presetConfig(c.preset);
  if (c.layers) shape.layers = c.layers;
  if (c.dim) shape.dim = c.dim;
  if (c.heads) shape.heads = c.heads;
  if (c.ctx) shape.context = c.ctx;
  shape.dropout = c.dropout;
  shape.bias = c.bias;
  shape.vocab_size = vocab_size;
  shape.validate();
  return shape;
}

LoopOptions loopOptions(const TrainConfig& c) {
  LoopOptions o;
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

// The tokenizer the dataset was made with, unchanged since (its hash is in meta.json).
std::filesystem::path datasetTokenizer(const DatasetMeta& meta, const std::filesystem::path& data_dir) {
  std::filesystem::path path = meta.tokenizer_path;
  if (!std::filesystem::exists(path)) {
    throwInputError(data_dir.string() + "/meta.json: its tokenizer " + path.string() +
                    " no longer exists; prepare the data again");
  }
  if (sha256FileHex(path) != meta.tokenizer_sha256) {
    throwInputError(path.string() + " changed after " + data_dir.string() +
                    " was prepared with it (sha256 differs); prepare the data again");
  }
  return path;
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
  std::filesystem::path data_dir = std::filesystem::absolute(config.data);
  DatasetMeta meta = readDatasetMeta(data_dir);

  PretrainSetup setup;
  setup.model = modelShape(config, meta.vocab_size);
  setup.data_dir = data_dir;
  setup.tokenizer_file = plan.run_id.empty() ? datasetTokenizer(meta, data_dir) : plan.run_dir / kRunTokenizerFile;
  setup.batch_size = config.batch_size;
  setup.seed = static_cast<uint64_t>(config.seed);
  setup.device = runtime.device == "cuda" ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  setup.sample_prompts = config.sample_prompts;
  setup.sample_tokens = config.sample_tokens;
  PretrainTask task(setup);

  // 2. One run per workspace at a time; then the run record and folder.
  ensureWorkspace(workspace);
  const std::string lock_owner = "train " + (config.name.empty() ? data_dir.filename().string() : config.name);
  WorkspaceLock lock = WorkspaceLock::acquire(workspace.root, lock_owner);
  if (!store) store.emplace(Store::open(workspace.database()));
  Json train_json = config.toJson();
  train_json["data"] = data_dir.string();
  if (plan.run_id.empty()) {
    NewRun run;
    run.name = config.name.empty() ? "pretrain " + data_dir.filename().string() : config.name;
    run.method = config.method;
    run.base_model = "scratch (" + std::to_string(setup.model.parameterCount()) + " parameters)";
    run.dataset = data_dir.string();
    run.device = runtime.device;
    run.threads = runtime.torch_threads;
    run.versions_json = Json{{"torch", runtime.torch_version}, {"blas", runtime.blas}}.dump();
    Json full = {{"train", train_json}, {"model", toHfConfig(setup.model)}, {"runtime", runtime.toJson()}};
    run.config_json = full.dump();
    plan.run_id = store->createRun(run);
    plan.run_dir = workspace.runDir(plan.run_id);
    try {
      std::filesystem::create_directories(plan.run_dir / "checkpoints");
      writeJsonFileAtomic(plan.run_dir / kRunConfigFile, full);
      std::filesystem::copy_file(setup.tokenizer_file, plan.run_dir / kRunTokenizerFile,
                                 std::filesystem::copy_options::overwrite_existing);
    } catch (const std::exception& e) {
      store->finishRun(plan.run_id, "failed", e.what());
      throw;
    }
  } else {
    Json full = readJsonFile(plan.run_dir / kRunConfigFile);
    full["train"] = train_json;
    full["runtime"] = runtime.toJson();
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
  Trainer trainer(task, loopOptions(config), callbacks, plan.run_dir / "checkpoints");
  if (!plan.checkpoint.empty()) {
    // Points the interrupted run logged after this checkpoint are replaced as the steps are
    // re-run (the store keys metrics by run, name and step).
    trainer.resumeFrom(plan.checkpoint);
  }
  store->markRunning(plan.run_id, ::getpid());
  console.say("run " + plan.run_id + ": " + std::to_string(setup.model.parameterCount()) + " parameters, " +
              runtime.summary());
  recorder.emit(events::runStarted(plan.run_id, train_json, runtime.toJson(), plan.run_dir.string(),
                                   !plan.checkpoint.empty(), trainer.step()));

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
