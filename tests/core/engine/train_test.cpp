// `temper train` end to end as a child process: the events on stdout, loss falling, exact resume,
// cancelling with SIGINT/SIGTERM, and one run per workspace. Tiny models on a corpus written by the
// tests, one thread, so every run takes about a second and its losses are reproducible bit for bit.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/core/engine/engine_test_support.h"

namespace temper::engine_test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool isEvent(const std::string& line, const std::string& type) {
  Json event = Json::parse(line, nullptr, false);
  return event.is_object() && event.value("type", "") == type;
}

int64_t stepOf(const std::string& line) { return Json::parse(line).at("step").get<int64_t>(); }

void expectModelFolder(const fs::path& dir) {
  for (const char* name : {"config.json", "model.safetensors", "tokenizer.model"}) {
    EXPECT_TRUE(fs::is_regular_file(dir / name)) << dir / name;
  }
}

/// The losses of `run` by step.
std::map<int64_t, double> lossesByStep(const ProcessResult& run) {
  std::map<int64_t, double> out;
  for (const auto& [step, loss] : stepLosses(run)) out[step] = loss;
  return out;
}

/// Every step of `resumed` has the loss, to the bit, that `reference` had at that step.
void expectSameLosses(const std::map<int64_t, double>& reference, const std::map<int64_t, double>& resumed) {
  ASSERT_FALSE(resumed.empty());
  for (const auto& [step, loss] : resumed) {
    auto it = reference.find(step);
    ASSERT_NE(it, reference.end()) << "step " << step << " is not in the uninterrupted run";
    EXPECT_EQ(loss, it->second) << "step " << step;  // exact: same config, data order, RNG and threads
  }
}

class TrainRun : public ::testing::Test {
 protected:
  ProcessResult train(const fs::path& workspace, const std::map<std::string, std::string>& overrides) {
    return runTemper(tinyTrainArgs(workspace, preparedCorpus().data, overrides));
  }
  TempDir dir_{"train"};
};

TEST_F(TrainRun, EventsAreVersionedJsonLinesFromStartedToFinished) {
  auto run = train(dir_ / "ws", {{"eval-every", "10"}, {"checkpoint-every", "10"}});
  ASSERT_EQ(run.exit_code, 0) << run.all();
  auto events = run.events();
  ASSERT_GE(events.size(), 24u) << run.out;
  const std::string run_id = events.front().value("run_id", "");
  ASSERT_FALSE(run_id.empty()) << events.front();
  std::map<std::string, int> counts;
  int64_t last_step = 0;
  for (const Json& event : events) {
    EXPECT_EQ(event.value("v", 0), 1) << event;
    ASSERT_TRUE(event.contains("type") && event["type"].is_string()) << event;
    EXPECT_EQ(event.value("run_id", ""), run_id) << event;
    const std::string type = event["type"];
    ++counts[type];
    if (type == "step") {
      EXPECT_EQ(event["step"].get<int64_t>(), last_step + 1) << event;
      last_step = event["step"].get<int64_t>();
      EXPECT_TRUE(event["loss"].is_number() && event["lr"].is_number() && event["grad_norm"].is_number()) << event;
    }
  }
  EXPECT_EQ(events.front()["type"], "run_started");
  EXPECT_EQ(events.front()["config"]["dim"], 32) << events.front();
  EXPECT_EQ(events.back()["type"], "run_finished");
  EXPECT_EQ(events.back()["status"], "finished");
  EXPECT_EQ(counts["run_started"], 1);
  EXPECT_EQ(counts["step"], 20);
  EXPECT_EQ(counts["eval"], 2);
  EXPECT_EQ(counts["checkpoint_saved"], 2);
  EXPECT_EQ(counts["run_finished"], 1);

  // Human-readable lines go to stderr, never mixed into the event stream.
  EXPECT_NE(run.err.find("finished at step 20"), std::string::npos) << run.err;

  Json shown = showRun(dir_ / "ws", run_id);
  EXPECT_EQ(shown["status"], "finished");
  EXPECT_EQ(shown["checkpoints"].size(), 2u) << shown.dump(2);
  EXPECT_EQ(shown["last_metrics"]["train_loss"]["step"], 20) << shown.dump(2);
  EXPECT_TRUE(shown["last_metrics"].contains("val_loss")) << shown.dump(2);
  expectModelFolder(shown["final_model"].get<std::string>());
  // The run folder keeps the same stream.
  ProcessResult recorded;
  recorded.out = readFile(fs::path(shown["run_dir"].get<std::string>()) / "events.jsonl");
  EXPECT_EQ(recorded.events().size(), events.size());
}

// Loss falls on a tiny corpus: a 2-layer character model, 300 steps (about 2 s).
TEST_F(TrainRun, LossFallsOnATinyCorpus) {
  auto run = train(dir_ / "ws", {{"layers", "2"},
                                 {"dim", "64"},
                                 {"heads", "4"},
                                 {"ctx", "32"},
                                 {"batch-size", "8"},
                                 {"max-steps", "300"},
                                 {"warmup-steps", "20"},
                                 {"min-lr", "0.0003"},
                                 {"eval-every", "10"},
                                 {"eval-batches", "8"},
                                 {"checkpoint-every", "1000"}});
  ASSERT_EQ(run.exit_code, 0) << run.all();
  std::vector<double> val_losses;
  for (const Json& event : run.events()) {
    if (event.value("type", "") == "eval") val_losses.push_back(event.at("val_loss").get<double>());
  }
  ASSERT_EQ(val_losses.size(), 30u);
  for (double loss : val_losses) ASSERT_TRUE(std::isfinite(loss));
  const std::string shown = ::testing::PrintToString(val_losses);
  // From about ln(vocab) = 3.6 at the start, the first eval (step 10) is near 3.3; by step 300 the
  // model knows the letters, spaces and common words (measured: about 2.1).
  EXPECT_LT(val_losses.back(), val_losses.front() * 0.75) << shown;
  EXPECT_LT(val_losses.back(), 2.5) << shown;
  EXPECT_LT(val_losses.back(), *std::min_element(val_losses.begin(), val_losses.begin() + 5)) << shown;
  auto losses = lossesByStep(run);
  EXPECT_LT(losses.rbegin()->second, losses.begin()->second * 0.75);
}

TEST_F(TrainRun, ResumeFromCheckpointGivesIdenticalNextLosses) {
  const std::map<std::string, std::string> config = {{"eval-every", "10"}, {"checkpoint-every", "10"}};
  auto uninterrupted = train(dir_ / "a", config);
  ASSERT_EQ(uninterrupted.exit_code, 0) << uninterrupted.all();
  auto reference = lossesByStep(uninterrupted);
  ASSERT_EQ(reference.size(), 20u);

  auto first = config;
  first["max-steps"] = "10";
  auto first_half = train(dir_ / "b", first);
  ASSERT_EQ(first_half.exit_code, 0) << first_half.all();
  expectSameLosses(reference, lossesByStep(first_half));
  const std::string id = runIdOf(first_half);

  auto second_half = runTemper({"train", "--workspace", (dir_ / "b").string(), "--resume", id, "--max-steps", "20"});
  ASSERT_EQ(second_half.exit_code, 0) << second_half.all();
  auto events = second_half.events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front()["type"], "run_started");
  EXPECT_EQ(events.front()["run_id"], id);
  EXPECT_EQ(events.front()["resumed"], true);
  EXPECT_EQ(events.front()["start_step"], 10);
  auto resumed = lossesByStep(second_half);
  ASSERT_EQ(resumed.size(), 10u);
  EXPECT_EQ(resumed.begin()->first, 11);
  expectSameLosses(reference, resumed);

  Json runs = listRuns(dir_ / "b");
  ASSERT_EQ(runs.size(), 1u) << runs.dump(2);  // resuming continues the run, it does not add one
  EXPECT_EQ(runs[0]["status"], "finished");

  // At max-steps already: nothing to do, said so, and the run stays finished.
  auto again = runTemper({"train", "--workspace", (dir_ / "b").string(), "--resume", id});
  EXPECT_EQ(again.exit_code, 2) << again.all();
  EXPECT_NE(again.err.find("already at step 20"), std::string::npos) << again.err;
  EXPECT_EQ(showRun(dir_ / "b", id)["status"], "finished");
}

// Cancelling mid-run with the default cosine schedule; resuming with the same max-steps must then
// continue exactly as the uninterrupted run did.
TEST_F(TrainRun, SigtermProducesAResumableCheckpoint) {
  const std::map<std::string, std::string> config = {{"max-steps", "400"},
                                                     {"warmup-steps", "10"},
                                                     {"min-lr", "0.0003"},
                                                     {"eval-every", "100"},
                                                     {"checkpoint-every", "1000"}};
  auto uninterrupted = train(dir_ / "a", config);
  ASSERT_EQ(uninterrupted.exit_code, 0) << uninterrupted.all();
  auto reference = lossesByStep(uninterrupted);

  const fs::path workspace = dir_ / "b";
  TemperProcess child(tinyTrainArgs(workspace, preparedCorpus().data, config));
  auto atStep5 = [](const std::string& line) { return isEvent(line, "step") && stepOf(line) >= 5; };
  ASSERT_FALSE(child.waitForLine(atStep5, 120s).empty()) << "no step 5 event";
  child.signal(SIGTERM);
  auto cancelled = child.finish(120s);
  ASSERT_EQ(cancelled.exit_code, 130) << cancelled.all();
  auto events = cancelled.events();
  ASSERT_FALSE(events.empty());
  const Json& last = events.back();
  EXPECT_EQ(last["type"], "run_cancelled") << last;
  EXPECT_NE(last.value("reason", "").find("--resume"), std::string::npos) << last;
  const int64_t stopped_at = last["step"].get<int64_t>();
  ASSERT_LT(stopped_at, 400) << "the run finished before the signal arrived";
  EXPECT_EQ(lossesByStep(cancelled).rbegin()->first, stopped_at);

  const std::string id = runIdOf(cancelled);
  Json shown = showRun(workspace, id);
  EXPECT_EQ(shown["status"], "cancelled");
  ASSERT_EQ(shown["checkpoints"].size(), 1u) << shown.dump(2);
  EXPECT_EQ(shown["checkpoints"][0]["step"], stopped_at);
  EXPECT_TRUE(fs::is_directory(shown["checkpoints"][0]["path"].get<std::string>()));
  EXPECT_FALSE(fs::exists(shown["final_model"].get<std::string>()));

  auto resumed = runTemper({"train", "--workspace", workspace.string(), "--resume", id});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.all();
  EXPECT_EQ(resumed.events().front()["start_step"], stopped_at);
  auto resumed_losses = lossesByStep(resumed);
  EXPECT_EQ(resumed_losses.begin()->first, stopped_at + 1);
  EXPECT_EQ(resumed_losses.rbegin()->first, 400);
  expectSameLosses(reference, resumed_losses);

  shown = showRun(workspace, id);
  EXPECT_EQ(shown["status"], "finished");
  expectModelFolder(shown["final_model"].get<std::string>());
}

TEST_F(TrainRun, SecondRunInABusyWorkspaceIsRefusedAndSigintCancelsTheFirst) {
  const fs::path workspace = dir_ / "ws";
  TemperProcess first(
      tinyTrainArgs(workspace, preparedCorpus().data,
                    {{"max-steps", "1000000"}, {"eval-every", "1000000"}, {"checkpoint-every", "1000000"}}));
  ASSERT_FALSE(first.waitForLine([](const std::string& line) { return isEvent(line, "run_started"); }, 120s).empty());

  auto second = runTemper(tinyTrainArgs(workspace, preparedCorpus().data, {{"max-steps", "5"}}));
  EXPECT_EQ(second.exit_code, 5) << second.all();
  EXPECT_NE(second.err.find("workspace " + workspace.string() + " is in use by run"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("(pid " + std::to_string(first.pid()) + ")"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("another --workspace"), std::string::npos) << second.err;
  Json runs = listRuns(workspace);
  ASSERT_EQ(runs.size(), 1u) << runs.dump(2);
  EXPECT_EQ(runs[0]["status"], "running");

  first.signal(SIGINT);
  auto cancelled = first.finish(120s);
  ASSERT_EQ(cancelled.exit_code, 130) << cancelled.err;
  EXPECT_EQ(cancelled.events().back()["type"], "run_cancelled");
  Json shown = showRun(workspace, runs[0]["id"]);
  EXPECT_EQ(shown["status"], "cancelled");
  ASSERT_EQ(shown["checkpoints"].size(), 1u) << shown.dump(2);
  const fs::path checkpoint = shown["checkpoints"][0]["path"].get<std::string>();
  EXPECT_TRUE(fs::is_regular_file(checkpoint / "model.safetensors")) << checkpoint;
  EXPECT_TRUE(fs::is_regular_file(checkpoint / "optimizer.safetensors")) << checkpoint;
  EXPECT_TRUE(fs::is_regular_file(checkpoint / "trainer_state.json")) << checkpoint;
  // No temporary folders of an interrupted write are left beside it.
  for (const auto& entry : fs::directory_iterator(checkpoint.parent_path())) {
    EXPECT_EQ(entry.path().filename().string().rfind("step-", 0), 0u) << entry.path();
  }

  // The lock went with the process.
  auto next = runTemper(tinyTrainArgs(workspace, preparedCorpus().data, {{"max-steps", "2"}}));
  EXPECT_EQ(next.exit_code, 0) << next.all();
  EXPECT_EQ(listRuns(workspace).size(), 2u);
}

// A resume refused because the run is already at `--max-steps` must change nothing.
TEST_F(TrainRun, RefusedResumeLeavesTheRunAsItWas) {
  const fs::path workspace = dir_ / "ws";
  TemperProcess child(tinyTrainArgs(workspace, preparedCorpus().data, {{"max-steps", "1000000"}}));
  ASSERT_FALSE(child.waitForLine([](const std::string& line) { return isEvent(line, "step"); }, 120s).empty());
  child.signal(SIGTERM);
  auto cancelled = child.finish(120s);
  ASSERT_EQ(cancelled.exit_code, 130) << cancelled.all();
  const std::string id = runIdOf(cancelled);
  const std::string stopped_at = std::to_string(cancelled.events().back()["step"].get<int64_t>());

  auto refused = runTemper({"train", "--workspace", workspace.string(), "--resume", id, "--max-steps", stopped_at});
  EXPECT_EQ(refused.exit_code, 2) << refused.all();
  EXPECT_NE(refused.err.find("already at step " + stopped_at), std::string::npos) << refused.err;
  Json shown = showRun(workspace, id);
  EXPECT_EQ(shown["status"], "cancelled");
  EXPECT_EQ(shown["config"]["train"]["max-steps"], 1000000);
  Json on_disk = Json::parse(readFile(fs::path(shown["run_dir"].get<std::string>()) / "config.json"));
  EXPECT_EQ(on_disk["train"]["max-steps"], 1000000);
}

// A full disk at checkpoint time, simulated with a file-size limit (the engine ignores SIGXFSZ, so
// write() fails with EFBIG as it would with ENOSPC): the run fails with an I/O error naming the
// file, no half-written checkpoint folder is left, and the store still opens and says why.
TEST_F(TrainRun, FullDiskAtCheckpointFailsCleanlyAndLeavesNothingHalfWritten) {
  const fs::path workspace = dir_ / "ws";
  // ~100k parameters: model.safetensors (~400 KB) cannot be written under a 256 KB limit, while the
  // store, the config and the event log stay far below it.
  Args args = tinyTrainArgs(workspace, preparedCorpus().data,
                            {{"layers", "2"}, {"dim", "64"}, {"max-steps", "10"}, {"checkpoint-every", "5"}});
  rlimit original{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &original), 0);
  rlimit limited = original;
  limited.rlim_cur = 256 * 1024;
  std::signal(SIGXFSZ, SIG_IGN);  // the limit applies to this process too while the child starts
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limited), 0);
  ProcessResult run = runTemper(args);
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &original), 0);

  EXPECT_EQ(run.exit_code, 4) << run.all();
  EXPECT_NE(run.err.find("cannot write"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("checkpoints/step-5"), std::string::npos) << run.err;
  Json runs = listRuns(workspace);
  ASSERT_EQ(runs.size(), 1u) << runs;
  EXPECT_EQ(runs[0]["status"], "failed");
  EXPECT_NE(runs[0]["error"].get<std::string>().find("cannot write"), std::string::npos) << runs[0];
  const fs::path checkpoints = fs::path(runs[0]["run_dir"].get<std::string>()) / "checkpoints";
  for (const auto& entry : fs::directory_iterator(checkpoints)) {
    ADD_FAILURE() << "left behind: " << entry.path();
  }
  auto events = run.events();
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[events.size() - 2]["type"], "run_failed") << events[events.size() - 2];
  EXPECT_EQ(events.back()["type"], "error") << events.back();
  EXPECT_EQ(events.back()["kind"], "io") << events.back();
}

}  // namespace
}  // namespace temper::engine_test
