#include "core/methods/rl/group_policy_task.h"

#include <algorithm>

#include "core/common/error.h"
#include "core/tokenizer/tokenizer_open.h"

namespace temper {

GroupPolicyTask::GroupPolicyTask(GroupPolicySetup setup) : setup_(std::move(setup)) {
  model_ = setup_.source.model;
  const bool with_kl = setup_.grpo.beta != 0.0;
  if (with_kl && !setup_.source.peft.adapter() && !setup_.reference) {
    throw Error(ErrorKind::Internal, "a KL term with full weights needs the reference model");
  }
  if (setup_.group_size < 2) throw Error(ErrorKind::Internal, "groups need 2 or more completions");
  context_ = trainingContext(*model_, setup_.context, setup_.source.peft.virtualTokens());
  if (setup_.max_completion_length >= context_) {
    throwConfigError("`max-completion-length` is " + std::to_string(setup_.max_completion_length) +
                     ", which leaves no room for a prompt in ctx " + std::to_string(context_) +
                     "; lower it or raise ctx");
  }
  tokenizer_ = openTokenizer(setup_.source.tokenizer);
  pad_id_ = std::max(tokenizer_->padId() >= 0 ? tokenizer_->padId() : tokenizer_->eosId(), 0);
  rewards_ = std::make_unique<CompletionRewards>(setup_.rewards);
  setup_.prompts.max_prompt_tokens = context_ - setup_.max_completion_length;
  setup_.prompts.tokenizer_source = setup_.source.tokenizer;
  setup_.prompts.seed = setup_.seed;
  setup_.prompts.required_fields = rewards_->fieldsRead();
  data_ = loadRlPrompts(setup_.prompts, *tokenizer_);
  data_.summary["group_size"] = setup_.group_size;
  data_.summary["rewards"] = rewards_->partNames();
  sampler_ = std::make_unique<ExampleSampler>(static_cast<int64_t>(data_.train.prompts.size()), setup_.batch_size,
                                              setup_.seed);
  sampling_.max_new_tokens = setup_.max_completion_length;
  sampling_.temperature = setup_.temperature;
  sampling_.top_p = setup_.top_p;
  sampling_.top_k = setup_.top_k;
  sampling_.eos_id = tokenizer_->eosId();
  validateSampling(sampling_);
  sampler_rollouts_ = RolloutSampler{model_.get(), tokenizer_.get(), rewards_.get(), setup_.seed};
  model_->to(setup_.device);
  if (setup_.reference) {
    setup_.reference->to(setup_.device);
    setup_.reference->eval();
    for (auto& p : setup_.reference->parameters()) p.set_requires_grad(false);
  }
  startTraining(setup_.source, setup_.seed);
}

GroupPolicyTask::~GroupPolicyTask() = default;

std::vector<std::pair<std::string, torch::Tensor>> GroupPolicyTask::trainableParameters() {
  return trainedParameters(setup_.source, *model_);
}

double GroupPolicyTask::learningRateScale(const std::string& name) const {
  return learningRateScaleOf(setup_.source, name);
}

void GroupPolicyTask::setTraining(bool training) { setTrainingMode(setup_.source, *model_, training); }

RolloutBatch GroupPolicyTask::batchOf(const Rollout& rollout) const {
  std::vector<const std::vector<int>*> prompts, completions;
  for (size_t i = 0; i < rollout.completions.size(); ++i) {
    prompts.push_back(&data_.train.prompts[static_cast<size_t>(rollout.prompts[i])].ids);
    completions.push_back(&rollout.completions[i]);
  }
  RolloutBatch batch = collateRollouts(prompts, completions, pad_id_, setup_.device);
  if (setup_.mask_truncated) {
    std::vector<float> ended(rollout.ended.begin(), rollout.ended.end());
    batch.loss_mask = batch.loss_mask * torch::tensor(ended).to(setup_.device).unsqueeze(1);
  }
  return batch;
}

GroupPolicyTask::Rollout GroupPolicyTask::newRollout() {
  const std::vector<int64_t> indices = sampler_->next();
  ScoredRollouts s = sampler_rollouts_.sample(data_.train, indices, setup_.group_size, draws_++, sampling_);
  Rollout rollout;
  rollout.prompts = std::move(s.prompts);
  rollout.completions = std::move(s.completions);
  rollout.ended = std::move(s.ended);
  std::vector<double> rewards = s.rewards.total;
  const bool with_kl = setup_.grpo.beta != 0.0;
  if (with_kl) {
    const RolloutBatch batch = batchOf(rollout);
    rollout.reference_logps = underReference(setup_.reference, setup_.source, *model_,
                                             [&](CausalLmImpl& m) { return rolloutTokenLogps(m, batch); });
    if (setup_.objective == GroupObjective::Rloo) {
      // RLOO's KL is part of the reward, so the sampling policy's log-probs are needed now.
      torch::NoGradGuard no_grad;
      rollout.old_logps = rolloutTokenLogps(*model_, batch);
      const auto kl = rlooSequenceKl(rollout.old_logps, rollout.reference_logps, batch.loss_mask)
                          .to(torch::kCPU, torch::kDouble)
                          .contiguous();
      double kl_sum = 0;
      for (size_t i = 0; i < rewards.size(); ++i) {
        const double k = kl[static_cast<int64_t>(i)].item<double>();
        rewards[i] -= setup_.grpo.beta * k;
        kl_sum += k;
      }
      step_measures_.add("kl", kl_sum / std::max(batch.loss_mask.sum().item<double>(), 1.0));
    }
  }
  const auto reward_tensor = torch::tensor(rewards, torch::kDouble);
  const torch::Tensor advantages =
      setup_.objective == GroupObjective::Grpo
          ? groupRelativeAdvantages(reward_tensor, setup_.group_size, setup_.scale).advantages
          : leaveOneOutAdvantages(reward_tensor, setup_.group_size, setup_.normalize_advantages);
  const auto a = advantages.contiguous();
  rollout.advantages.assign(a.data_ptr<double>(), a.data_ptr<double>() + a.numel());

  // The rollouts' measures, as TRL names them (the score before any KL penalty).
  for (const auto& [name, value] : rolloutMeasures(s, setup_.group_size)) step_measures_.add(name, value);
  step_measures_.add("frac_reward_zero_std", static_cast<double>(flatGroups(s.rewards.total, setup_.group_size)) /
                                                 static_cast<double>(indices.size()));
  return rollout;
}

torch::Tensor GroupPolicyTask::nextMicroBatchLoss() {
  Rollout fresh;
  Rollout* rollout = &fresh;
  if (setup_.num_iterations > 1) {
    if (iteration_ == 0) kept_.push_back(newRollout());
    rollout = &kept_.at(static_cast<size_t>(micro_));
  } else {
    fresh = newRollout();
  }
  const RolloutBatch batch = batchOf(*rollout);
  last_tokens_ = batch.tokens;
  const torch::Tensor logps = rolloutTokenLogps(*model_, batch);
  if (!rollout->old_logps.defined()) {
    // The policy that sampled is the one scoring now: the ratio starts at 1.
    rollout->old_logps = logps.detach();
  }
  const auto advantages = torch::tensor(rollout->advantages, torch::kDouble).to(setup_.device, logps.scalar_type());
  GrpoLoss loss;
  if (setup_.objective == GroupObjective::Grpo) {
    GrpoOptions options = setup_.grpo;
    options.max_completion_length = setup_.max_completion_length;
    loss = grpoLoss(logps, rollout->old_logps, rollout->reference_logps, advantages, batch.loss_mask, options);
    if (loss.kl.defined()) step_measures_.add("kl", loss.kl.item<double>());
  } else {
    loss = rlooLoss(logps, rollout->old_logps, advantages, batch.loss_mask, setup_.grpo.epsilon_low,
                    setup_.grpo.epsilon_high);
  }
  step_measures_.add("clip_ratio/low_mean", loss.clip_low.item<double>());
  step_measures_.add("clip_ratio/high_mean", loss.clip_high.item<double>());
  step_measures_.add("clip_ratio/region_mean", loss.clip_region.item<double>());

  if (++micro_ == setup_.grad_accum) {
    micro_ = 0;
    if (setup_.num_iterations > 1 && ++iteration_ == setup_.num_iterations) {
      iteration_ = 0;
      kept_.clear();
    }
  }
  return loss.loss;
}

std::map<std::string, double> GroupPolicyTask::takeStepMetrics() { return step_measures_.take(); }

double GroupPolicyTask::validationLoss(int64_t batches) {
  torch::NoGradGuard no_grad;
  // With a KL term the shown samples carry their KL to the reference (beta 0 has no reference).
  const SampleKls kls = setup_.grpo.beta != 0.0
                            ? referenceSampleKls(*model_, setup_.reference, setup_.source, pad_id_, setup_.device)
                            : SampleKls{};
  RolloutValidation v = validateRollouts(sampler_rollouts_, data_.val, batches, setup_.batch_size, setup_.group_size,
                                         sampling_, setup_.sample_count, kls);
  val_metrics_ = std::move(v.metrics);
  val_samples_ = std::move(v.samples);
  return -v.mean_reward;
}

std::vector<SampleText> GroupPolicyTask::samples() { return val_samples_; }

Json GroupPolicyTask::dataState() const {
  Json state{
      {"train_batches_drawn", sampler_->position()}, {"draws", draws_}, {"micro", micro_}, {"iteration", iteration_}};
  Json kept = Json::array();
  for (const auto& r : kept_) {
    kept.push_back(Json{{"prompts", r.prompts},
                        {"completions", r.completions},
                        {"ended", std::vector<int>(r.ended.begin(), r.ended.end())},
                        {"advantages", r.advantages},
                        {"old_logps", tensorToJson(r.old_logps)},
                        {"reference_logps", tensorToJson(r.reference_logps)}});
  }
  state["kept"] = std::move(kept);
  return state;
}

void GroupPolicyTask::restoreDataState(const Json& state) {
  sampler_->setPosition(state.at("train_batches_drawn").get<uint64_t>());
  draws_ = state.at("draws").get<uint64_t>();
  micro_ = state.at("micro").get<int64_t>();
  iteration_ = state.at("iteration").get<int64_t>();
  kept_.clear();
  for (const auto& r : state.at("kept")) {
    Rollout rollout;
    rollout.prompts = r.at("prompts").get<std::vector<int64_t>>();
    rollout.completions = r.at("completions").get<std::vector<std::vector<int>>>();
    for (int e : r.at("ended").get<std::vector<int>>()) rollout.ended.push_back(static_cast<char>(e));
    rollout.advantages = r.at("advantages").get<std::vector<double>>();
    rollout.old_logps = tensorFromJson(r.at("old_logps"), setup_.device);
    rollout.reference_logps = tensorFromJson(r.at("reference_logps"), setup_.device);
    kept_.push_back(std::move(rollout));
  }
}

void GroupPolicyTask::saveModel(const std::filesystem::path& dir) { saveModelFolder(setup_.source, *model_, dir); }

void GroupPolicyTask::loadModelWeights(const std::filesystem::path& dir) {
  loadModelWeightsInto(setup_.source, *model_, dir);
}

}  // namespace temper
