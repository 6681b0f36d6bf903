// The method registry: the built-in methods' specs, key scopes and defaults derived from it, and
// the recipe of docs/methods.md followed for a test-only method ("mean-fit": one scalar learns the
// value of a key the method defines itself), which is then validated, described by `info`, set up
// and trained in process like any built-in method.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/engine/info_command.h"
#include "core/methods/method_registry.h"
#include "core/methods/method_setup.h"
#include "core/train/trainer.h"
#include "tests/core/train/train_test_support.h"

namespace temper {
namespace {

// ---- the test-only method: its task and its spec, as a method folder would hold them ----

class MeanFitTask : public TrainingTask {
 public:
  explicit MeanFitTask(double target) : target_(target), value_(torch::zeros({1}, torch::kFloat32)) {
    value_.set_requires_grad(true);
  }
  std::vector<std::pair<std::string, torch::Tensor>> trainableParameters() override { return {{"value", value_}}; }
  void setTraining(bool) override {}
  torch::Tensor nextMicroBatchLoss() override { return (value_ - target_).pow(2).sum(); }
  int64_t tokensPerMicroBatch() const override { return 1; }
  double validationLoss(int64_t) override {
    torch::NoGradGuard no_grad;
    distance_ = std::abs(value_.item<double>() - target_);
    return distance_ * distance_;
  }
  std::map<std::string, double> validationMetrics() const override { return {{"distance", distance_}}; }
  std::vector<SampleText> samples() override { return {}; }
  Json dataState() const override { return Json::object(); }
  void restoreDataState(const Json&) override {}
  void saveModel(const std::filesystem::path&) override {}
  void loadModelWeights(const std::filesystem::path&) override {}
  double value() const { return value_.item<double>(); }

 private:
  double target_;
  torch::Tensor value_;
  double distance_ = 0;
};

MethodSetup setUpMeanFit(const MethodInputs& in) {
  MethodSetup setup;
  setup.task = std::make_unique<MeanFitTask>(in.config.values.at("fit-target").get<double>());
  setup.base_description = "scratch (1 parameter)";
  setup.dataset = in.config.data;
  return setup;
}

MethodShape meanFitShape(const MethodInputs&) {
  MethodShape shape;
  shape.model = ModelShape{.family = "gpt2", .layers = 1, .hidden = 8, .heads = 1, .vocab = 16, .ctx = 4};
  shape.trainable_parameters = 1;
  return shape;
}

void registerMeanFit() {
  static bool registered = false;
  if (registered) return;
  registered = true;
  MethodSpec m;
  m.name = "mean-fit";
  m.title = "Mean fit (test only)";
  m.summary = "One number learns the value of `fit-target`.";
  m.base = BaseUse::None;
  m.data_formats = {"text"};
  m.own_keys = {{"fit-target", KeyKind::Number, 0.0, -100, 100, {}, "mean-fit: the value to learn"}};
  m.defaults = {{"lr", 0.1}, {"min-lr", 0.1}, {"warmup-steps", 0}, {"weight-decay", 0.0}};
  m.metrics = {"distance"};
  m.set_up = setUpMeanFit;
  m.dry_run_shape = meanFitShape;
  methodRegistry().add(std::move(m));
}

std::vector<std::string> names(const std::vector<MethodSpec>& specs) {
  std::vector<std::string> out;
  for (const auto& s : specs) out.push_back(s.name);
  return out;
}

// ---- the built-in methods ----

TEST(MethodRegistry, BuiltInMethodsInTheMissionsOrder) {
  std::vector<std::string> all = names(methodRegistry().all());
  all.erase(std::remove(all.begin(), all.end(), "mean-fit"), all.end());
  EXPECT_EQ(all, (std::vector<std::string>{"pretrain", "continued-pretrain", "sft", "classify", "few-shot",
                                           "reward-model", "dpo", "kto", "simpo", "orpo", "grpo", "rloo", "ppo"}));
  for (const auto& m : methodRegistry().all()) {
    EXPECT_FALSE(m.title.empty()) << m.name;
    EXPECT_FALSE(m.summary.empty()) << m.name;
    EXPECT_FALSE(m.data_formats.empty()) << m.name;
    // What is trained is an axis (docs/peft.md): the methods that train from a base (a language
    // model, or classify's backbone) take the adapters; the others train every weight.
    const bool adapts = m.base != BaseUse::None && m.available;
    const std::vector<std::string> kinds =
        adapts ? std::vector<std::string>{"none", "lora", "adapters", "prompt-tuning", "prefix-tuning"}
               : std::vector<std::string>{"none"};
    EXPECT_EQ(m.peft, kinds) << m.name;
    if (m.available) {
      EXPECT_NE(m.set_up, nullptr) << m.name;
      EXPECT_NE(m.dry_run_shape, nullptr) << m.name;
    } else {
      EXPECT_EQ(m.set_up, nullptr) << m.name;
      EXPECT_FALSE(m.reason.empty()) << m.name;
    }
  }
  EXPECT_FALSE(methodRegistry().require("sft").data_formats.empty());
  EXPECT_EQ(methodRegistry().require("pretrain").base, BaseUse::None);
  EXPECT_EQ(methodRegistry().require("classify").base, BaseUse::LanguageModelOrClassifier);
  EXPECT_EQ(methodRegistry().require("classify").metrics, std::vector<std::string>{"accuracy"});
}

TEST(MethodRegistry, UnknownAndPlannedMethodsAreRefusedWithTheAvailableOnes) {
  std::string planned = test::errorMessage(ErrorKind::InvalidConfig, [] { methodRegistry().require("few-shot"); });
  test::expectContains(planned, {"`few-shot`", "not in the engine yet", "available: pretrain, continued-pretrain"});
  std::string unknown = test::errorMessage(ErrorKind::InvalidConfig, [] { methodRegistry().require("nope"); });
  test::expectContains(unknown, {"`nope`", "available: pretrain"});
  EXPECT_EQ(methodRegistry().find("nope"), nullptr);
}

TEST(MethodRegistry, KeyScopesAndDefaultsComeFromTheSpecs) {
  EXPECT_EQ(keyMethods("train-last-blocks"), std::vector<std::string>{"classify"});
  EXPECT_EQ(keyMethods("base"), (std::vector<std::string>{"continued-pretrain", "sft", "classify", "reward-model",
                                                          "dpo", "kto", "simpo", "orpo", "grpo", "rloo", "ppo"}));
  EXPECT_EQ(keyMethods("preset"), std::vector<std::string>{"pretrain"});
  EXPECT_TRUE(keyMethods("lr").empty());  // a key no method lists applies to all
  EXPECT_EQ(methodDefaults("sft").at("lr"), Json(5e-5));
  EXPECT_EQ(methodDefaults("continued-pretrain").at("weight-decay"), Json(0.1));
  EXPECT_TRUE(methodDefaults("pretrain").empty());
  // Every scoped key a spec names is in the shared table (a typo would make it global).
  const auto specs = trainKeySpecs();
  for (const auto& m : methodRegistry().all()) {
    for (const auto& key : m.keys) {
      EXPECT_TRUE(std::any_of(specs.begin(), specs.end(), [&](const KeySpec& s) { return s.key == key; }))
          << m.name << ": " << key;
    }
  }
}

TEST(MethodRegistry, AMethodRegisteredTwiceIsRefused) {
  MethodRegistry registry;
  MethodSpec m;
  m.name = "x";
  m.available = false;
  registry.add(m);
  test::expectContains(test::errorMessage(ErrorKind::InvalidConfig, [&] { registry.add(m); }),
                       {"`x`", "registered twice"});
  MethodSpec no_factory;
  no_factory.name = "y";
  test::expectContains(test::errorMessage(ErrorKind::InvalidConfig, [&] { registry.add(no_factory); }),
                       {"`y`", "no factory"});
}

// ---- the recipe, followed by a test-only method ----

TEST(MethodRegistry, ATestOnlyMethodIsValidatedDescribedSetUpAndTrained) {
  registerMeanFit();

  // Its own key is validated like the table's and scoped to it.
  TrainConfig config = resolveTrainConfig(std::nullopt, {{"method", "mean-fit"},
                                                         {"data", "unused"},
                                                         {"fit-target", "3"},
                                                         {"max-steps", "200"},
                                                         {"eval-every", "200"},
                                                         {"checkpoint-every", "1000"}});
  EXPECT_EQ(config.values.at("fit-target"), Json(3.0));
  EXPECT_DOUBLE_EQ(config.lr, 0.1);  // its default
  EXPECT_EQ(config.toJson().at("fit-target"), Json(3.0));
  test::expectContains(
      test::errorMessage(
          ErrorKind::InvalidConfig,
          [] {
            resolveTrainConfig(std::nullopt, {{"method", "mean-fit"}, {"data", "unused"}, {"fit-target", "1000"}});
          }),
      {"`fit-target`", "-100 to 100"});
  test::expectContains(
      test::errorMessage(
          ErrorKind::InvalidConfig,
          [] {
            resolveTrainConfig(std::nullopt, {{"method", "sft"}, {"base", "/m"}, {"data", "/d"}, {"fit-target", "1"}});
          }),
      {"`fit-target`", "does nothing for method sft", "applies to mean-fit"});

  // `temper info --json` describes it: the method entry and its key.
  const Json info = engineInfo();
  auto method = std::find_if(info["methods"].begin(), info["methods"].end(),
                             [](const Json& m) { return m["name"] == "mean-fit"; });
  ASSERT_NE(method, info["methods"].end());
  EXPECT_EQ((*method)["keys"], Json::array({"fit-target"}));
  EXPECT_EQ((*method)["metrics"], Json::array({"distance"}));
  EXPECT_EQ((*method)["needs_base"], false);
  auto key = std::find_if(info["train_keys"].begin(), info["train_keys"].end(),
                          [](const Json& k) { return k["key"] == "fit-target"; });
  ASSERT_NE(key, info["train_keys"].end());
  EXPECT_EQ((*key)["methods"], Json::array({"mean-fit"}));
  auto method_key = std::find_if(info["train_keys"].begin(), info["train_keys"].end(),
                                 [](const Json& k) { return k["key"] == "method"; });
  ASSERT_NE(method_key, info["train_keys"].end());
  EXPECT_NE(std::find((*method_key)["choices"].begin(), (*method_key)["choices"].end(), "mean-fit"),
            (*method_key)["choices"].end());

  // Set up through the registry and trained by the real loop.
  test::TempDir dir;
  MethodInputs inputs = methodInputs(config, torch::kCPU, WorkspacePaths{dir.path()});
  EXPECT_FALSE(inputs.base.has_value());
  EXPECT_EQ(methodShape(inputs).trainable_parameters, 1);
  MethodSetup setup = setUpMethod(inputs);
  EXPECT_EQ(setup.trainable_parameters, 1);
  LoopOptions options;
  options.max_steps = config.max_steps;
  options.eval_every = config.eval_every;
  options.eval_batches = 1;
  options.checkpoint_every = config.checkpoint_every;
  options.schedule = LrSchedule{config.lr, config.min_lr, config.warmup_steps, config.max_steps};
  options.adamw = AdamWOptions{config.beta1, config.beta2, 1e-8, config.weight_decay};
  std::map<std::string, double> last_metrics;
  TrainerCallbacks callbacks;
  callbacks.on_eval = [&](const EvalReport& r) { last_metrics = r.metrics; };
  Trainer trainer(*setup.task, options, callbacks, dir.path() / "checkpoints");
  LoopResult result = trainer.run();
  EXPECT_EQ(result.outcome, RunOutcome::Finished);
  // AdamW with lr 0.1 moves about 0.1 a step: 200 steps reach 3 from 0 and settle within 0.1.
  EXPECT_NEAR(static_cast<MeanFitTask&>(*setup.task).value(), 3.0, 0.1);
  ASSERT_TRUE(last_metrics.count("distance"));
  EXPECT_LT(last_metrics["distance"], 0.1);
}

}  // namespace
}  // namespace temper
