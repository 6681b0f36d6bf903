// Checkpoint folders: contents, restore, atomic replacement and failure, and latestCheckpoint.
#include <gtest/gtest.h>

#include <fstream>

#include "core/train/checkpoint.h"
#include "train_test_support.h"

namespace temper {
namespace {

using test::RegressionTask;
using test::RegressionTaskOptions;

void touchState(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "trainer_state.json") << "{}";
}

TEST(LatestCheckpointTest, PicksTheHighestCompleteStep) {
  test::TempDir dir;
  EXPECT_FALSE(latestCheckpoint(dir / "missing").has_value());
  EXPECT_FALSE(latestCheckpoint(dir.path()).has_value());
  touchState(dir / "step-2");
  touchState(dir / "step-9");
  touchState(dir / "step-10");                           // numeric, not lexical: 10 > 9
  std::filesystem::create_directories(dir / "step-30");  // incomplete: no trainer_state.json
  touchState(dir / "step-40.tmp-1234");                  // a temporary folder, even with a state file
  touchState(dir / "final");
  std::ofstream(dir / "step-50") << "a file, not a folder";
  auto latest = latestCheckpoint(dir.path());
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(*latest, dir / "step-10");
}

TEST(CheckpointTest, SaveAndLoadRestoreEverything) {
  test::TempDir dir;
  RegressionTask task(RegressionTaskOptions{.init_seed = 1});
  FlatAdamW optimizer(task.trainableParameters(), AdamWOptions{});
  task.setTraining(true);
  for (int i = 0; i < 3; ++i) {
    optimizer.zeroGrad();
    task.nextMicroBatchLoss().backward();
    optimizer.step(0.01);
  }
  TrainerState state;
  state.step = 3;
  state.tokens_seen = 48;
  state.wall_time_s = 1.5;
  state.last_val_loss = 0.25;
  state.data_state = task.dataState();
  torch::manual_seed(77);
  auto path = saveCheckpoint(dir / "checkpoints", task, optimizer, state);
  EXPECT_EQ(path, dir / "checkpoints" / "step-3");
  EXPECT_EQ(test::entryNames(dir / "checkpoints"), std::vector<std::string>{"step-3"});
  Json json = readJsonFile(path / "trainer_state.json");
  EXPECT_EQ(json.at("step"), 3);
  EXPECT_EQ(json.at("optimizer_steps"), 3);
  EXPECT_EQ(json.at("tokens_seen"), 48);
  EXPECT_EQ(json.at("last_val_loss"), 0.25);
  EXPECT_EQ(json.at("data_state").at("position"), 3);
  double expected_random = torch::rand({1}).item<double>();  // the RNG as it was when saved

  RegressionTask other(RegressionTaskOptions{.init_seed = 2});
  FlatAdamW other_optimizer(other.trainableParameters(), AdamWOptions{});
  TrainerState loaded = loadCheckpoint(path, other, other_optimizer);
  EXPECT_EQ(loaded.step, 3);
  EXPECT_EQ(loaded.tokens_seen, 48);
  EXPECT_DOUBLE_EQ(loaded.wall_time_s, 1.5);
  EXPECT_DOUBLE_EQ(loaded.last_val_loss, 0.25);
  EXPECT_EQ(other.position(), 3);
  EXPECT_EQ(other_optimizer.stepCount(), 3);
  EXPECT_DOUBLE_EQ(torch::rand({1}).item<double>(), expected_random);
  auto a = task.trainableParameters(), b = other.trainableParameters();
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i].second, b[i].second)) << a[i].first;
  auto sa = optimizer.stateTensors(), sb = other_optimizer.stateTensors();
  for (size_t i = 0; i < sa.size(); ++i) EXPECT_TRUE(torch::equal(sa[i].second, sb[i].second)) << sa[i].first;
}

TEST(CheckpointTest, NanValidationLossIsStoredAsNull) {
  test::TempDir dir;
  RegressionTask task;
  FlatAdamW optimizer(task.trainableParameters(), AdamWOptions{});
  TrainerState state;
  state.step = 1;
  state.data_state = task.dataState();
  auto path = saveCheckpoint(dir.path(), task, optimizer, state);
  EXPECT_TRUE(readJsonFile(path / "trainer_state.json").at("last_val_loss").is_null());
  EXPECT_TRUE(std::isnan(loadCheckpoint(path, task, optimizer).last_val_loss));
}

// Only 2-D weights: FlatAdamW's undecayed group is empty, and its checkpoint must still round-trip.
TEST(CheckpointTest, ModelWithoutBiasesRoundTrips) {
  test::TempDir dir;
  RegressionTask task(RegressionTaskOptions{.bias = false});
  FlatAdamW optimizer(task.trainableParameters(), AdamWOptions{});
  task.setTraining(true);
  optimizer.zeroGrad();
  task.nextMicroBatchLoss().backward();
  optimizer.step(0.01);
  TrainerState state;
  state.step = 1;
  state.data_state = task.dataState();
  auto path = saveCheckpoint(dir.path(), task, optimizer, state);
  RegressionTask other(RegressionTaskOptions{.bias = false, .init_seed = 5});
  FlatAdamW other_optimizer(other.trainableParameters(), AdamWOptions{});
  EXPECT_EQ(loadCheckpoint(path, other, other_optimizer).step, 1);
  auto sa = optimizer.stateTensors(), sb = other_optimizer.stateTensors();
  for (size_t i = 0; i < sa.size(); ++i) EXPECT_TRUE(torch::equal(sa[i].second, sb[i].second)) << sa[i].first;
}

TEST(CheckpointTest, FailedWriteKeepsTheOldFolderAndLeavesNoTemporary) {
  test::TempDir dir;
  RegressionTask task;
  FlatAdamW optimizer(task.trainableParameters(), AdamWOptions{});
  TrainerState state;
  state.step = 5;
  state.tokens_seen = 80;
  state.data_state = task.dataState();
  saveCheckpoint(dir.path(), task, optimizer, state);

  state.tokens_seen = 999;
  task.fail_save = true;  // the disk is full
  std::string message = test::errorMessage(ErrorKind::Io, [&] { saveCheckpoint(dir.path(), task, optimizer, state); });
  test::expectContains(message, {(dir / "step-5").string(), "No space left on device"});
  EXPECT_EQ(test::entryNames(dir.path()), std::vector<std::string>{"step-5"});
  EXPECT_EQ(readJsonFile(dir / "step-5" / "trainer_state.json").at("tokens_seen"), 80);
  EXPECT_TRUE(std::filesystem::exists(dir / "step-5" / "model.safetensors"));

  task.fail_save = false;  // a later save replaces the folder
  saveCheckpoint(dir.path(), task, optimizer, state);
  EXPECT_EQ(test::entryNames(dir.path()), std::vector<std::string>{"step-5"});
  EXPECT_EQ(readJsonFile(dir / "step-5" / "trainer_state.json").at("tokens_seen"), 999);
}

TEST(CheckpointTest, SaveModelAtomically) {
  test::TempDir dir;
  RegressionTask task;
  saveModelAtomically(task, dir / "runs" / "final");
  EXPECT_EQ(test::entryNames(dir / "runs"), std::vector<std::string>{"final"});
  auto tensors = loadAllTensors(dir / "runs" / "final" / "model.safetensors");
  EXPECT_TRUE(torch::equal(tensors.at("fc1.weight"), task.model()->fc1->weight));
}

}  // namespace
}  // namespace temper
