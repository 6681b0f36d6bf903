#include "core/methods/rl/rl_methods.h"

#include "core/common/error.h"
#include "core/methods/peft_keys.h"
#include "core/methods/preference/preference_method_keys.h"
#include "core/methods/record_method.h"
#include "core/methods/rl/group_policy_task.h"
#include "core/methods/rl/ppo_task.h"
#include "core/model/hf_model.h"

namespace temper {
namespace {

GroupObjective groupObjectiveOf(const std::string& method) {
  return method == "rloo" ? GroupObjective::Rloo : GroupObjective::Grpo;
}

/// What every online method reads the same way: the prompts, the rewards, the sampling.
template <typename Setup>
void readOnlineKeys(const MethodInputs& in, Setup& s) {
  const TrainConfig& c = in.config;
  const Json& v = c.values;
  s.prompts.data = c.data;
  s.prompts.val_data = c.val_data;
  s.prompts.workspace = in.workspace.root.string();
  s.prompts.val_fraction = c.val_fraction;
  s.prompts.chat_template = c.chat_template == "auto" ? "" : c.chat_template;
  const std::string rules = v.value("reward-rules", std::string());
  if (!rules.empty()) s.rewards.rules = rewardRulesFromText(rules, "`reward-rules`");
  s.rewards.reward_model = v.value("reward-model", std::string());
  s.rewards.model_weight = v.value("reward-model-weight", 1.0);
  s.rewards.device = in.device;
  s.context = c.ctx;
  s.batch_size = c.batch_size;
  s.grad_accum = c.grad_accum;
  s.max_completion_length = v.value("max-completion-length", int64_t{256});
  s.temperature = v.value("temperature", 1.0);
  s.top_p = v.value("top-p", 1.0);
  s.top_k = v.value("top-k", int64_t{0});
  s.seed = static_cast<uint64_t>(c.seed);
  s.device = in.device;
}

MethodSetup setUpGroupPolicy(const MethodInputs& in) {
  const TrainConfig& c = in.config;
  const Json& v = c.values;
  GroupPolicySetup s;
  s.source = methodBaseModel(in, /*accept_classifier=*/false);
  s.objective = groupObjectiveOf(c.method);
  s.grpo.beta = v.value("beta", 0.0);
  // With full weights a KL term needs the base as it was beside the policy: loaded a second time.
  if (s.grpo.beta != 0.0 && !s.source.peft.adapter()) s.reference = baseModel(*in.base).model;
  readOnlineKeys(in, s);
  s.group_size = v.value("num-generations", int64_t{8});
  s.num_iterations = v.value("num-iterations", int64_t{1});
  s.grpo.epsilon_low = v.value("epsilon", 0.2);
  const double high = v.value("epsilon-high", 0.0);
  s.grpo.epsilon_high = high > 0.0 ? high : s.grpo.epsilon_low;
  s.grpo.kind = parseGrpoLossKind(v.value("grpo-loss", std::string("dapo"))).value_or(GrpoLossKind::Dapo);
  s.grpo.level =
      parseImportanceLevel(v.value("importance-level", std::string("token"))).value_or(ImportanceLevel::Token);
  s.scale = parseAdvantageScale(v.value("scale-rewards", std::string("group"))).value_or(AdvantageScale::Group);
  s.normalize_advantages = v.value("normalize-advantages", false);
  s.mask_truncated = v.value("mask-truncated-completions", false);
  return startRecordTask<GroupPolicyTask>(std::move(s), c);
}

MethodSetup setUpPpo(const MethodInputs& in) {
  const TrainConfig& c = in.config;
  const Json& v = c.values;
  PpoSetup s;
  s.source = methodBaseModel(in, /*accept_classifier=*/false);
  s.kl_coef = v.value("kl-coef", 0.05);
  s.target_kl = v.value("target-kl", 0.0);
  if ((s.kl_coef != 0.0 || s.target_kl != 0.0) && !s.source.peft.adapter()) {
    s.reference = baseModel(*in.base).model;
  }
  readOnlineKeys(in, s);
  s.ppo_epochs = v.value("ppo-epochs", int64_t{4});
  s.num_mini_batches = v.value("num-mini-batches", int64_t{1});
  s.kl_estimator = parseKlEstimator(v.value("kl-estimator", std::string("k1"))).value_or(KlEstimator::K1);
  s.cliprange = v.value("cliprange", 0.2);
  s.cliprange_value = v.value("cliprange-value", 0.2);
  s.vf_coef = v.value("vf-coef", 0.1);
  s.gamma = v.value("gamma", 1.0);
  s.lam = v.value("lam", 0.95);
  s.whiten_rewards = v.value("whiten-rewards", false);
  s.missing_eos_penalty = v.value("missing-eos-penalty", 0.0);
  s.kl_horizon = v.value("kl-horizon", 10000.0);
  return startRecordTask<PpoTask>(std::move(s), c);
}

void validateOnline(const TrainConfig& c) {
  const Json& v = c.values;
  if (v.value("reward-rules", std::string()).empty() && v.value("reward-model", std::string()).empty()) {
    throwConfigError(c.method +
                     " learns from rewards and none is given: set `reward-rules` (a JSON array of rules, or a file "
                     "holding one) and/or `reward-model` (a reward model's folder)");
  }
  const std::string rules = v.value("reward-rules", std::string());
  if (!rules.empty()) RuleRewards checked(rewardRulesFromText(rules, "`reward-rules`"));  // errors before any work
  if (c.ctx > 0 && v.value("max-completion-length", int64_t{256}) >= c.ctx) {
    throwConfigError("`max-completion-length` (" + std::to_string(v.value("max-completion-length", int64_t{256})) +
                     ") leaves no room for a prompt in ctx " + std::to_string(c.ctx));
  }
}

/// The reference copy (full weights: PPO always, GRPO and RLOO with a KL term) and the reward
/// model beside the policy. A reward-model folder that cannot be read is left to the run to name.
MethodShape onlineShape(const MethodInputs& in) {
  MethodShape shape = baseModelShape(in);
  const TrainConfig& c = in.config;
  // As the set-ups load it: PPO with a KL coefficient or target, GRPO and RLOO with beta.
  const bool with_reference = c.method == "ppo"
                                  ? c.values.value("kl-coef", 0.05) != 0.0 || c.values.value("target-kl", 0.0) != 0.0
                                  : c.values.value("beta", 0.0) != 0.0;
  if (with_reference && !peftChoice(c).adapter()) shape.frozen_model_parameters += in.base->parameters;
  const std::string reward_model = c.values.value("reward-model", std::string());
  if (!reward_model.empty()) {
    try {
      shape.frozen_model_parameters += inspectHfModel(reward_model).parameters;
    } catch (const Error&) {
    }
  }
  return shape;
}

/// What every online method shares: the prompts it learns on, what rewards it, how it samples.
MethodSpec onlineMethod(std::string name, std::string title, std::string summary) {
  MethodSpec m;
  m.name = std::move(name);
  m.title = std::move(title);
  m.summary = std::move(summary);
  m.base = BaseUse::LanguageModel;
  m.data_formats = {"prompt-completion", "alpaca", "messages", "preference", "prompt-only"};
  m.keys = {"base", "val-data", "val-fraction", "chat-template"};
  using K = KeyKind;
  m.own_keys = {
      {"reward-rules",
       K::Text,
       "",
       0,
       0,
       {},
       "grpo, rloo, ppo: rule rewards, a JSON array of {\"kind\", \"argument\", \"weight\"} (kinds regex, format, "
       "contains, not-contains, exact-match, numeric-match, length) or a file holding one"},
      {"reward-model",
       K::Text,
       "",
       0,
       0,
       {},
       "grpo, rloo, ppo: a reward model's folder (a reward-model run's final/, or a transformers one-label "
       "classifier)"},
      {"reward-model-weight",
       K::Number,
       1.0,
       0,
       1000,
       {},
       "grpo, rloo, ppo: the reward model's weight beside the rules'"},
      {"max-completion-length", K::Integer, 256, 1, 1 << 20, {}, "grpo, rloo, ppo: most tokens sampled per completion"},
      {"temperature", K::Number, 1.0, 0.01, 10, {}, "grpo, rloo, ppo: sampling temperature of the completions"},
      {"top-p", K::Number, 1.0, 0.01, 1, {}, "grpo, rloo, ppo: nucleus sampling mass (1 keeps every token)"},
      {"top-k", K::Integer, 0, 0, 1 << 24, {}, "grpo, rloo, ppo: sample among the k likeliest tokens (0: all)"},
  };
  m.defaults = finetuneDefaults();
  m.defaults["eval-batches"] = 2;  // validation samples every completion: keep it small
  m.metrics = {"reward", "completions/mean_length", "completions/clipped_ratio"};
  m.peft = {"none", "lora", "adapters", "prompt-tuning", "prefix-tuning"};
  m.dry_run_shape = onlineShape;
  m.validate = validateOnline;
  return m;
}

/// What GRPO and RLOO add: the group, the reused rollouts, the clip range, the KL weight.
MethodSpec groupMethod(std::string name, std::string title, std::string summary) {
  MethodSpec m = onlineMethod(std::move(name), std::move(title), std::move(summary));
  using K = KeyKind;
  m.own_keys.insert(
      m.own_keys.end(),
      {
          {"num-generations", K::Integer, 8, 2, 256, {}, "grpo, rloo: completions sampled per prompt (the group)"},
          {"num-iterations",
           K::Integer,
           1,
           1,
           64,
           {},
           "grpo, rloo: optimizer steps per batch of completions (μ); above 1 the ratio to the sampling policy is "
           "clipped"},
          {"epsilon", K::Number, 0.2, 0, 1, {}, "grpo, rloo: the clip range's lower side, ratio ≥ 1 − epsilon"},
          {"epsilon-high",
           K::Number,
           0.0,
           0,
           10,
           {},
           "grpo, rloo: the clip range's upper side, ratio ≤ 1 + epsilon-high (0: the same as epsilon; DAPO uses "
           "0.28)"},
          {"mask-truncated-completions",
           K::Boolean,
           false,
           0,
           0,
           {},
           "grpo, rloo: completions cut by max-completion-length carry no loss (DAPO)"},
          betaKey(),
      });
  // TRL's GRPO and RLOO configs: the policy moves slowly from where it starts.
  m.defaults["lr"] = 1e-6;
  m.defaults["min-lr"] = 1e-7;
  m.defaults["batch-size"] = 4;  // prompts per micro-batch, each with num-generations completions
  m.metrics.insert(m.metrics.begin() + 1, "reward_std");
  m.set_up = setUpGroupPolicy;
  return m;
}

}  // namespace

MethodSpec grpoMethod() {
  MethodSpec m = groupMethod("grpo", "GRPO",
                             "Learn from rewards you can check (a format, a right answer) or a reward model: the "
                             "model samples groups of answers and moves towards the better ones of each group.");
  m.own_keys.push_back({"grpo-loss",
                        KeyKind::Choice,
                        "dapo",
                        0,
                        0,
                        {"grpo", "bnpo", "dr-grpo", "dapo"},
                        "grpo: how token losses are averaged: dapo (over the batch's tokens), grpo (per completion, "
                        "then over completions), bnpo, dr-grpo (no length normalisation)"});
  m.own_keys.push_back({"importance-level",
                        KeyKind::Choice,
                        "token",
                        0,
                        0,
                        {"token", "sequence"},
                        "grpo: one importance ratio per token, or one per completion (GSPO)"});
  m.own_keys.push_back({"scale-rewards",
                        KeyKind::Choice,
                        "group",
                        0,
                        0,
                        {"group", "batch", "none"},
                        "grpo: divide the group-centred rewards by the group's std, the batch's, or not at all "
                        "(Dr. GRPO)"});
  m.defaults["beta"] = 0.0;
  m.metrics.insert(m.metrics.end(), {"kl", "clip_ratio/region_mean"});
  return m;
}

MethodSpec rlooMethod() {
  MethodSpec m = groupMethod("rloo", "RLOO",
                             "REINFORCE with a leave-one-out baseline: each sampled answer is compared with the mean "
                             "reward of the other answers to its prompt.");
  m.own_keys.push_back({"normalize-advantages",
                        KeyKind::Boolean,
                        false,
                        0,
                        0,
                        {},
                        "rloo: scale the advantages of each batch to mean 0 and std 1"});
  m.defaults["beta"] = 0.05;  // TRL's RLOOConfig: the KL to the reference is part of the reward
  m.defaults["num-generations"] = 2;
  m.metrics.insert(m.metrics.end(), {"kl"});
  return m;
}

MethodSpec ppoMethod() {
  MethodSpec m = onlineMethod("ppo", "PPO",
                              "Reinforcement learning against a reward model or rules: the classic RLHF step after "
                              "SFT, with a value head and a KL leash to where the model started.");
  using K = KeyKind;
  m.own_keys.insert(
      m.own_keys.end(),
      {
          {"ppo-epochs", K::Integer, 4, 1, 64, {}, "ppo: passes over each batch of rollouts"},
          {"num-mini-batches",
           K::Integer,
           1,
           1,
           1024,
           {},
           "ppo: optimizer steps per pass (TRL's num_mini_batches): a batch of rollouts is grad-accum × this many "
           "micro-batches, sampled at once, each step taking grad-accum of them in a new order each pass"},
          {"kl-coef", K::Number, 0.05, 0, 100, {}, "ppo: the weight of the per-token KL penalty in the rewards"},
          {"kl-estimator",
           K::Choice,
           "k1",
           0,
           0,
           {"k1", "k3"},
           "ppo: the per-token KL estimate, k1 (logπ − logπref) or k3 (never negative)"},
          {"target-kl",
           K::Number,
           0.0,
           0,
           1000,
           {},
           "ppo: above 0, the KL coefficient adapts towards this KL per completion (Ziegler et al.; 6 in their "
           "runs)"},
          {"kl-horizon", K::Number, 10000.0, 1, 1e9, {}, "ppo: the adaptive KL controller's horizon in completions"},
          {"cliprange", K::Number, 0.2, 0, 10, {}, "ppo: the policy ratio's clip range"},
          {"cliprange-value", K::Number, 0.2, 0, 1000, {}, "ppo: how far a value may move from its rollout's value"},
          {"vf-coef", K::Number, 0.1, 0, 100, {}, "ppo: the value loss's weight beside the policy loss"},
          {"gamma", K::Number, 1.0, 0, 1, {}, "ppo: the discount over completion tokens"},
          {"lam", K::Number, 0.95, 0, 1, {}, "ppo: GAE's λ"},
          {"whiten-rewards", K::Boolean, false, 0, 0, {}, "ppo: whiten the per-token rewards before GAE"},
          {"missing-eos-penalty",
           K::Number,
           0.0,
           0,
           1000,
           {},
           "ppo: taken off the score of a completion cut by max-completion-length before it ended"},
      });
  // TRL's PPOConfig.
  m.defaults["lr"] = 3e-6;
  m.defaults["min-lr"] = 3e-7;
  m.defaults["temperature"] = 0.7;
  m.defaults["batch-size"] = 8;  // prompts per micro-batch, one completion each
  m.metrics.insert(m.metrics.end(), {"objective/scores", "objective/kl", "policy/clipfrac_avg", "val/clipfrac_avg"});
  m.set_up = setUpPpo;
  return m;
}

}  // namespace temper
