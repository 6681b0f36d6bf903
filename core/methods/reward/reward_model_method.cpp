#include "core/methods/reward/reward_model_method.h"

#include "core/methods/preference/preference_method_keys.h"
#include "core/methods/record_method.h"
#include "core/methods/reward/reward_model_task.h"

namespace temper {
namespace {

MethodSetup setUpRewardModel(const MethodInputs& in) {
  const TrainConfig& c = in.config;
  RewardModelSetup s;
  s.source = methodBaseModel(in, /*accept_classifier=*/true);
  s.data = preferenceDataSetup(in);
  s.context = c.ctx;
  s.batch_size = c.batch_size;
  s.seed = static_cast<uint64_t>(c.seed);
  s.device = in.device;
  s.center_rewards_coefficient = c.values.value("center-rewards-coefficient", 0.0);
  return startRecordTask<RewardModelTask>(std::move(s), c);
}

MethodShape rewardModelShape(const MethodInputs& in) {
  MethodShape shape = baseModelShape(in);
  shape.head_parameters = shape.model.hidden;  // the scalar head
  return shape;
}

}  // namespace

MethodSpec rewardModelMethod() {
  MethodSpec m;
  m.name = "reward-model";
  m.title = "Reward model";
  m.summary =
      "Learn which of two answers people prefer, from A/B labels: the judge that PPO and best-of-n sampling use.";
  m.base = BaseUse::LanguageModelOrClassifier;
  m.data_formats = {"preference"};
  m.keys = {"base", "val-data", "val-fraction", "chat-template"};
  m.own_keys = preferenceDataKeys();
  m.own_keys.push_back({"center-rewards-coefficient",
                        KeyKind::Number,
                        0.0,
                        0,
                        1000,
                        {},
                        "reward-model: adds this times mean((r_chosen + r_rejected)^2) to the loss, keeping rewards "
                        "near zero (TRL's center_rewards_coefficient; 0: off)"});
  m.defaults = finetuneDefaults();
  m.metrics = {"accuracy", "margin", "chosen_reward", "chosen_reward_std", "rejected_reward", "rejected_reward_std"};
  m.peft = {"none", "lora", "adapters", "prompt-tuning", "prefix-tuning"};
  m.set_up = setUpRewardModel;
  m.dry_run_shape = rewardModelShape;
  return m;
}

}  // namespace temper
