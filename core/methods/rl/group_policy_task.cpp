#include "core/methods/rl/group_policy_task.h"

#include <cmath>
#include <limits>

#include "core/common/error.h"
#include "core/tokenizer/tokenizer_open.h"

namespace temper {

/// A micro-batch's completions as sampled and rewarded, before advantages.
struct GroupPolicyTask::Scored {
  std::vector<int64_t> prompts;
  std::vector<std::vector<int>> completions;
  std::vector<char> ended;
  std::vector<std::string> texts;
  ScoredCompletions rewards;
  int64_t generated_tokens = 0;
  double generation_s = 0;
};

namespace {

using Clock = std::chrono::steady_clock;

double mean(const std::vector<double>& values) {
  if (values.empty()) return 0.0;
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

/// The mean over groups of each group's standard deviation (Bessel), as TRL's reward_std.
double meanGroupStd(const std::vector<double>& rewards, int64_t group_size) {
  if (group_size < 2 || rewards.empty()) return 0.0;
  const auto g = static_cast<size_t>(group_size);
  double sum = 0;
  size_t groups = 0;
  for (size_t start = 0; start + g <= rewards.size(); start += g, ++groups) {
    const std::vector<double> group(rewards.begin() + static_cast<std::ptrdiff_t>(start),
                                    rewards.begin() + static_cast<std::ptrdiff_t>(start + g));
    const double m = mean(group);
    double squares = 0;
    for (double v : group) squares += (v - m) * (v - m);
    sum += std::sqrt(squares / static_cast<double>(g - 1));
  }
  return groups == 0 ? 0.0 : sum / static_cast<double>(groups);
}

int64_t flatGroups(const std::vector<double>& rewards, int64_t group_size) {
  const auto g = static_cast<size_t>(group_size);
  int64_t flat = 0;
  for (size_t start = 0; start + g <= rewards.size(); start += g) {
    bool equal = true;
    for (size_t i = start + 1; i < start + g; ++i) equal = equal && rewards[i] == rewards[start];
    flat += equal ? 1 : 0;
  }
  return flat;
}

Json tensorJson(const torch::Tensor& t) {
  if (!t.defined()) return nullptr;
  const auto c = t.to(torch::kCPU, torch::kFloat).contiguous();
  return Json{{"shape", c.sizes().vec()},
              {"values", std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel())}};
}

torch::Tensor tensorFromJson(const Json& j, const torch::Device& device) {
  if (j.is_null()) return {};
  auto values = j.at("values").get<std::vector<float>>();
  return torch::tensor(values, torch::kFloat).view(j.at("shape").get<std::vector<int64_t>>()).to(device);
}

}  // namespace

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

GroupPolicyTask::Scored GroupPolicyTask::sampleAndScore(const RlPrompts& split,
                                                        const std::vector<int64_t>& prompt_indices, uint64_t draw,
                                                        const SamplingOptions& sampling) {
  Scored s;
  const auto started = Clock::now();
  for (size_t slot = 0; slot < prompt_indices.size(); ++slot) {
    const int64_t index = prompt_indices[slot];
    const RlPrompt& prompt = split.prompts[static_cast<size_t>(index)];
    CompletionGroup group =
        sampleGroup(*model_, prompt.ids, setup_.group_size, sampling, rolloutSeed(setup_.seed, draw, slot));
    for (size_t r = 0; r < group.completions.size(); ++r) {
      s.generated_tokens += static_cast<int64_t>(group.completions[r].size());
      s.prompts.push_back(index);
      s.completions.push_back(std::move(group.completions[r]));
      s.ended.push_back(group.ended[r]);
    }
  }
  s.generation_s = std::chrono::duration<double>(Clock::now() - started).count();
  std::vector<const RlPrompt*> prompts;
  for (size_t i = 0; i < s.completions.size(); ++i) {
    std::vector<int> text_ids = s.completions[i];
    if (s.ended[i]) text_ids.pop_back();  // the eos is how it stopped, not what it said
    s.texts.push_back(tokenizer_->decode(text_ids));
    prompts.push_back(&split.prompts[static_cast<size_t>(s.prompts[i])]);
  }
  s.rewards = rewards_->score(prompts, s.texts);
  return s;
}

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

void GroupPolicyTask::addStepMetric(const std::string& name, double value) {
  auto& [sum, count] = step_sums_[name];
  sum += value;
  ++count;
}

GroupPolicyTask::Rollout GroupPolicyTask::newRollout() {
  const std::vector<int64_t> indices = sampler_->next();
  Scored s = sampleAndScore(data_.train, indices, draws_++, sampling_);
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
      addStepMetric("kl", kl_sum / std::max(batch.loss_mask.sum().item<double>(), 1.0));
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
  const auto& total = s.rewards.total;
  addStepMetric("reward", mean(total));
  addStepMetric("reward_std", meanGroupStd(total, setup_.group_size));
  for (const auto& [name, values] : s.rewards.parts) addStepMetric(name, mean(values));
  addStepMetric("frac_reward_zero_std",
                static_cast<double>(flatGroups(total, setup_.group_size)) / static_cast<double>(indices.size()));
  double length = 0, clipped = 0;
  for (size_t i = 0; i < rollout.completions.size(); ++i) {
    length += static_cast<double>(rollout.completions[i].size());
    clipped += rollout.ended[i] ? 0.0 : 1.0;
  }
  const auto n = static_cast<double>(rollout.completions.size());
  addStepMetric("completions/mean_length", length / n);
  addStepMetric("completions/clipped_ratio", clipped / n);
  if (s.generation_s > 0) {
    addStepMetric("rollout_tokens_per_s", static_cast<double>(s.generated_tokens) / s.generation_s);
  }
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
    if (loss.kl.defined()) addStepMetric("kl", loss.kl.item<double>());
  } else {
    loss = rlooLoss(logps, rollout->old_logps, advantages, batch.loss_mask, setup_.grpo.epsilon_low,
                    setup_.grpo.epsilon_high);
  }
  addStepMetric("clip_ratio/low_mean", loss.clip_low.item<double>());
  addStepMetric("clip_ratio/high_mean", loss.clip_high.item<double>());
  addStepMetric("clip_ratio/region_mean", loss.clip_region.item<double>());

  if (++micro_ == setup_.grad_accum) {
    micro_ = 0;
    if (setup_.num_iterations > 1 && ++iteration_ == setup_.num_iterations) {
      iteration_ = 0;
      kept_.clear();
    }
  }
  return loss.loss;
}

std::map<std::string, double> GroupPolicyTask::takeStepMetrics() {
  std::map<std::string, double> out;
  for (const auto& [name, sum_count] : step_sums_) out[name] = sum_count.first / static_cast<double>(sum_count.second);
  step_sums_.clear();
  return out;
}

double GroupPolicyTask::validationLoss(int64_t batches) {
  torch::NoGradGuard no_grad;
  const auto count = static_cast<int64_t>(data_.val.prompts.size());
  std::vector<double> total;
  std::map<std::string, std::vector<double>> parts;
  double length = 0, clipped = 0, reward_std = 0;
  int64_t evaluated_batches = 0;
  val_samples_.clear();
  for (int64_t b = 0; b < batches && b * setup_.batch_size < count; ++b) {
    std::vector<int64_t> indices;
    for (int64_t i = b * setup_.batch_size; i < std::min(count, (b + 1) * setup_.batch_size); ++i) indices.push_back(i);
    // Draw numbers from the top of the range: the same seeds at every evaluation, never a training draw's.
    Scored s =
        sampleAndScore(data_.val, indices, std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(b), sampling_);
    total.insert(total.end(), s.rewards.total.begin(), s.rewards.total.end());
    for (const auto& [name, values] : s.rewards.parts)
      parts[name].insert(parts[name].end(), values.begin(), values.end());
    for (size_t i = 0; i < s.completions.size(); ++i) {
      length += static_cast<double>(s.completions[i].size());
      clipped += s.ended[i] ? 0.0 : 1.0;
    }
    reward_std += meanGroupStd(s.rewards.total, setup_.group_size);
    ++evaluated_batches;
    // Each shown prompt's first completion, with its reward.
    for (size_t i = 0; i < s.completions.size(); i += static_cast<size_t>(setup_.group_size)) {
      if (static_cast<int64_t>(val_samples_.size()) >= setup_.sample_count) break;
      const RlPrompt& prompt = data_.val.prompts[static_cast<size_t>(s.prompts[i])];
      const std::string prompt_text = tokenizer_->decode(prompt.ids);
      Json scores = {{"reward", s.rewards.total[i]}};
      for (const auto& [name, values] : s.rewards.parts) scores[name] = values[i];
      val_samples_.push_back({prompt_text, prompt_text + s.texts[i], std::move(scores)});
    }
  }
  val_metrics_.clear();
  if (total.empty()) return 0.0;
  const auto n = static_cast<double>(total.size());
  val_metrics_["reward"] = mean(total);
  val_metrics_["reward_std"] = reward_std / static_cast<double>(evaluated_batches);
  for (const auto& [name, values] : parts) val_metrics_[name] = mean(values);
  val_metrics_["completions/mean_length"] = length / n;
  val_metrics_["completions/clipped_ratio"] = clipped / n;
  return -val_metrics_["reward"];
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
                        {"old_logps", tensorJson(r.old_logps)},
                        {"reference_logps", tensorJson(r.reference_logps)}});
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
