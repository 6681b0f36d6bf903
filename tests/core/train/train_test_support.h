#pragma once
/// Helpers for the core/train tests: a temp folder, error checks, and RegressionTask, a tiny
/// TrainingTask (an MLP fitting a fixed linear target) whose micro-batches are drawn from a
/// counter-based position, so dataState()/restoreDataState() make its data stream resumable.
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include "core/torch_api.h"

#include <atomic>
#include <cmath>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <limits>
#include <string>
#include <system_error>
#include <vector>

#include "core/common/error.h"
#include "core/tensor_io/torch_safetensors.h"
#include "core/train/training_task.h"
#include "tests/support/temp_dir.h"

namespace temper::test {

using test_support::TempDir;

/// Runs `body`; expects an Error of `kind` and returns its message ("" after a failure).
inline std::string errorMessage(ErrorKind kind, const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << errorKindName(e.kind()) << ": " << e.what();
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a temper::Error: " << e.what();
    return "";
  }
  ADD_FAILURE() << "no error thrown; expected " << errorKindName(kind);
  return "";
}

inline void expectContains(const std::string& text, std::initializer_list<std::string> words) {
  for (const auto& word : words) {
    EXPECT_NE(text.find(word), std::string::npos) << "lacks \"" << word << "\": " << text;
  }
}

/// Sorted names of the entries of `dir`.
inline std::vector<std::string> entryNames(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

struct RegressionTaskOptions {
  int64_t batch = 16;
  /// Each micro-batch concatenates this many consecutive data positions (so a task with 2 equals
  /// two micro-batches of a task with 1).
  int64_t positions_per_micro = 1;
  double dropout = 0.1;
  bool bias = true;
  /// 0-based micro-batch index whose loss is multiplied by `poison` (NaN or Inf; the gradients
  /// become non-finite too), or has it added when `poison_adds` (the gradients stay finite); -1: never.
  int64_t poison_micro = -1;
  double poison = std::numeric_limits<double>::quiet_NaN();
  bool poison_adds = false;
  /// Seeds the initial weights (and leaves the global RNG seeded with it).
  uint64_t init_seed = 42;
};

struct RegressionModelImpl : torch::nn::Module {
  RegressionModelImpl(bool bias, double dropout_p)
      : fc1(register_module("fc1", torch::nn::Linear(torch::nn::LinearOptions(4, 16).bias(bias)))),
        fc2(register_module("fc2", torch::nn::Linear(torch::nn::LinearOptions(16, 1).bias(bias)))),
        dropout(register_module("dropout", torch::nn::Dropout(dropout_p))) {}
  torch::Tensor forward(const torch::Tensor& x) { return fc2(dropout(torch::tanh(fc1(x)))); }
  torch::nn::Linear fc1, fc2;
  torch::nn::Dropout dropout;
};
TORCH_MODULE(RegressionModel);

/// y = x . [1, -2, 0.5, 3] + 0.5 on standard-normal x; MSE loss.
class RegressionTask : public TrainingTask {
 public:
  explicit RegressionTask(RegressionTaskOptions options = {}) : options_(options), model_(nullptr) {
    torch::manual_seed(options.init_seed);
    model_ = RegressionModel(options.bias, options.dropout);
  }

  std::vector<std::pair<std::string, torch::Tensor>> trainableParameters() override {
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto& item : model_->named_parameters()) out.emplace_back(item.key(), item.value());
    return out;
  }
  void setTraining(bool training) override {
    training_ = training;
    model_->train(training);
  }
  torch::Tensor nextMicroBatchLoss() override {
    if (!training_) ++micro_batches_in_eval_mode;
    std::vector<torch::Tensor> xs;
    for (int64_t i = 0; i < options_.positions_per_micro; ++i) xs.push_back(inputsAt(1000 + position_++));
    torch::Tensor x = torch::cat(xs);
    torch::Tensor loss = torch::mse_loss(model_->forward(x), target(x));
    if (micro_index_ == options_.poison_micro)
      loss = options_.poison_adds ? loss + options_.poison : loss * options_.poison;
    ++micro_index_;
    micro_losses.push_back(loss.item<double>());
    return loss;
  }
  int64_t tokensPerMicroBatch() const override { return options_.batch * options_.positions_per_micro; }
  double validationLoss(int64_t batches) override {
    if (training_) ++validations_in_training_mode;
    validation_batches.push_back(batches);
    torch::NoGradGuard no_grad;
    double sum = 0;
    for (int64_t i = 0; i < batches; ++i) {
      torch::Tensor x = inputsAt(-1 - i);
      sum += torch::mse_loss(model_->forward(x), target(x)).item<double>();
    }
    return sum / static_cast<double>(batches);
  }
  std::vector<SampleText> samples() override { return {{"prompt", "sample " + std::to_string(position_)}}; }

  Json dataState() const override { return {{"position", position_}, {"micro_index", micro_index_}}; }
  void restoreDataState(const Json& state) override {
    position_ = state.at("position").get<int64_t>();
    micro_index_ = state.at("micro_index").get<int64_t>();
  }
  void saveModel(const std::filesystem::path& dir) override {
    if (fail_save) {
      throw std::filesystem::filesystem_error("write", dir / "model.safetensors",
                                              std::make_error_code(std::errc::no_space_on_device));
    }
    saveTensors(dir / "model.safetensors", trainableParameters(), {{"format", "pt"}});
  }
  void loadModelWeights(const std::filesystem::path& dir) override {
    auto tensors = loadAllTensors(dir / "model.safetensors");
    torch::NoGradGuard no_grad;
    for (auto& [name, p] : trainableParameters()) p.copy_(tensors.at(name));
  }

  RegressionModel& model() { return model_; }
  int64_t position() const { return position_; }

  std::vector<double> micro_losses;  ///< every training loss returned, in order
  std::vector<int64_t> validation_batches;
  int micro_batches_in_eval_mode = 0;
  int validations_in_training_mode = 0;
  bool fail_save = false;

 private:
  torch::Tensor inputsAt(int64_t position) const {
    auto generator = at::detail::createCPUGenerator(static_cast<uint64_t>(position + (1LL << 40)));
    return torch::randn({options_.batch, 4}, generator, torch::kFloat32);
  }
  static torch::Tensor target(const torch::Tensor& x) {
    torch::Tensor w = torch::tensor({1.0f, -2.0f, 0.5f, 3.0f}).view({4, 1});
    return x.matmul(w) + 0.5f;
  }

  RegressionTaskOptions options_;
  RegressionModel model_;
  bool training_ = false;
  int64_t position_ = 0;
  int64_t micro_index_ = 0;
};

/// Copies of every parameter, in named_parameters() order.
inline std::vector<torch::Tensor> snapshot(const std::vector<std::pair<std::string, torch::Tensor>>& params) {
  std::vector<torch::Tensor> out;
  for (const auto& [name, p] : params) out.push_back(p.detach().clone());
  return out;
}

}  // namespace temper::test
