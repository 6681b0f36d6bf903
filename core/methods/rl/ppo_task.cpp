#include "core/methods/rl/ppo_task.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "core/common/error.h"
#include "core/methods/preference/completion_logps.h"
#include "core/tensor_io/torch_safetensors.h"
#include "core/tokenizer/tokenizer_open.h"

namespace temper {
namespace {

constexpr const char* kValueWeight = "value_head.weight";
constexpr const char* kValueBias = "value_head.bias";

double meanRowSum(const torch::Tensor& per_token, const torch::Tensor& mask) {
  return (per_token * mask).sum(1).mean().item<double>();
}

}  // namespace

PpoTask::PpoTask(PpoSetup setup) : setup_(std::move(setup)), kl_coef_(setup_.kl_coef) {
  model_ = setup_.source.model;
  const bool with_kl = setup_.kl_coef != 0.0 || setup_.target_kl != 0.0;
  if (with_kl && !setup_.source.peft.adapter() && !setup_.reference) {
    throw Error(ErrorKind::Internal, "ppo with a KL term and full weights needs its reference model");
  }
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
  data_.summary["rewards"] = rewards_->partNames();
  sampler_ = std::make_unique<ExampleSampler>(static_cast<int64_t>(data_.train.prompts.size()), setup_.batch_size,
                                              setup_.seed);
  sampling_.max_new_tokens = setup_.max_completion_length;
  sampling_.temperature = setup_.temperature;
  sampling_.top_p = setup_.top_p;
  sampling_.top_k = setup_.top_k;
  sampling_.eos_id = tokenizer_->eosId();
  validateSampling(sampling_);
  rollout_sampler_ = RolloutSampler{model_.get(), tokenizer_.get(), rewards_.get(), setup_.seed};
  // Values start at 0 everywhere (advantages are the discounted rewards at first) and learn from
  // the returns; a zero head is also the same on every machine.
  value_head_ = torch::nn::Linear(torch::nn::LinearOptions(model_->hiddenSize(), 1).bias(true));
  {
    torch::NoGradGuard no_grad;
    value_head_->weight.zero_();
    value_head_->bias.zero_();
  }
  model_->to(setup_.device);
  value_head_->to(setup_.device);
  if (setup_.reference) {
    setup_.reference->to(setup_.device);
    setup_.reference->eval();
    for (auto& p : setup_.reference->parameters()) p.set_requires_grad(false);
  }
  startTraining(setup_.source, setup_.seed);
}

PpoTask::~PpoTask() = default;

std::vector<std::pair<std::string, torch::Tensor>> PpoTask::trainableParameters() {
  auto params = trainedParameters(setup_.source, *model_);
  params.emplace_back(kValueWeight, value_head_->weight);
  params.emplace_back(kValueBias, value_head_->bias);
  return params;
}

double PpoTask::learningRateScale(const std::string& name) const {
  if (name == kValueWeight || name == kValueBias) return 1.0;
  return learningRateScaleOf(setup_.source, name);
}

void PpoTask::setTraining(bool training) {
  setTrainingMode(setup_.source, *model_, training);
  value_head_->train(training);
}

RolloutBatch PpoTask::batchOf(const Rollout& rollout) const {
  std::vector<const std::vector<int>*> prompts, completions;
  for (size_t i = 0; i < rollout.completions.size(); ++i) {
    prompts.push_back(&data_.train.prompts[static_cast<size_t>(rollout.prompts[i])].ids);
    completions.push_back(&rollout.completions[i]);
  }
  return collateRollouts(prompts, completions, pad_id_, setup_.device);
}

std::pair<torch::Tensor, torch::Tensor> PpoTask::logpsAndValues(const RolloutBatch& batch, torch::Tensor* entropy) {
  const torch::Tensor hidden = model_->hidden(batch.ids);
  const torch::Tensor logits = model_->headLogits(hidden);
  torch::Tensor logps = completionTokenLogps(logits, batch.ids, batch.completion_mask);
  // The value of the state before each completion token: the position whose logits predict it.
  const int64_t t = batch.ids.size(1);
  torch::Tensor values = value_head_(hidden).squeeze(-1).slice(1, 0, t - 1).to(torch::kFloat) * batch.loss_mask;
  if (entropy != nullptr) {
    torch::NoGradGuard no_grad;
    const auto log_p = torch::log_softmax(logits.slice(1, 0, t - 1).to(torch::kFloat), -1);
    *entropy = maskedMean(-(log_p.exp() * log_p).sum(-1), batch.loss_mask);
  }
  return {logps, values};
}

PpoTask::Rollout PpoTask::newRollout() {
  const std::vector<int64_t> indices = sampler_->next();
  ScoredRollouts s = rollout_sampler_.sample(data_.train, indices, 1, draws_++, sampling_);
  Rollout r;
  r.prompts = s.prompts;
  r.completions = s.completions;
  r.ended = s.ended;
  const RolloutBatch batch = batchOf(r);
  const torch::Tensor& mask = batch.loss_mask;
  torch::Tensor entropy;
  {
    torch::NoGradGuard no_grad;
    auto [logps, values] = logpsAndValues(batch, &entropy);
    r.old_logps = logps;
    r.old_values = values;
  }
  const torch::Tensor reference = setup_.kl_coef == 0.0 && setup_.target_kl == 0.0
                                      ? r.old_logps  // no KL term: the reference is never asked
                                      : underReference(setup_.reference, setup_.source, *model_,
                                                       [&](CausalLmImpl& m) { return rolloutTokenLogps(m, batch); });
  // The score, less the penalty for a completion the budget cut (TRL's missing_eos_penalty).
  std::vector<double> scores = s.rewards.total;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (!r.ended[i]) scores[i] -= setup_.missing_eos_penalty;
  }
  torch::NoGradGuard no_grad;
  const auto score_tensor = torch::tensor(scores, torch::kDouble).to(setup_.device, torch::kFloat);
  const TokenRewards token = ppoTokenRewards(r.old_logps, reference, mask, score_tensor, kl_coef_, setup_.kl_estimator);
  const torch::Tensor rewards = setup_.whiten_rewards ? maskedWhiten(token.rewards, mask, false) : token.rewards;
  const Advantages gae = generalizedAdvantages(rewards, r.old_values, mask, setup_.gamma, setup_.lam);
  r.advantages = maskedWhiten(gae.advantages, mask);
  r.returns = gae.returns;

  // The rollouts' measures, as TRL names them.
  for (const auto& [name, value] : rolloutMeasures(s, 1)) step_measures_.add(name, value);
  const double mean_kl = meanRowSum(token.kl, mask);
  const double non_score = -kl_coef_ * mean_kl;
  const double mean_score = meanOf(scores);
  step_measures_.add("objective/scores", mean_score);
  step_measures_.add("objective/kl", mean_kl);
  step_measures_.add("objective/non_score_reward", non_score);
  step_measures_.add("objective/rlhf_reward", mean_score + non_score);
  step_measures_.add("objective/entropy", entropy.item<double>());
  step_measures_.add("kl_coef", kl_coef_);
  if (setup_.target_kl > 0.0) {
    // Ziegler et al.'s proportional controller: the coefficient follows the KL towards the target.
    const double error = std::clamp(mean_kl / setup_.target_kl - 1.0, -0.2, 0.2);
    kl_coef_ *= 1.0 + error * static_cast<double>(scores.size()) / setup_.kl_horizon;
  }
  return r;
}

std::vector<size_t> PpoTask::epochOrder() const {
  std::vector<size_t> order(kept_.size());
  std::iota(order.begin(), order.end(), size_t{0});
  if (setup_.num_mini_batches > 1) {
    // A new order each epoch, as TRL shuffles its mini-batches; a function of the run's seed and
    // where the run is, so a resumed run draws the same.
    std::seed_seq seed{static_cast<uint32_t>(setup_.seed), static_cast<uint32_t>(setup_.seed >> 32),
                       static_cast<uint32_t>(draws_), static_cast<uint32_t>(draws_ >> 32),
                       static_cast<uint32_t>(epoch_)};
    std::mt19937_64 generator(seed);
    std::shuffle(order.begin(), order.end(), generator);
  }
  return order;
}

torch::Tensor PpoTask::nextMicroBatchLoss() {
  if (kept_.empty()) {
    // A new batch of rollouts, all from the policy as it is now.
    for (int64_t i = 0; i < setup_.grad_accum * setup_.num_mini_batches; ++i) kept_.push_back(newRollout());
    order_ = epochOrder();
  }
  const Rollout& r = kept_.at(order_.at(static_cast<size_t>(mini_ * setup_.grad_accum + micro_)));
  const RolloutBatch batch = batchOf(r);
  last_tokens_ = batch.tokens;
  auto [logps, values] = logpsAndValues(batch);
  const ClippedLoss policy = ppoPolicyLoss(logps, r.old_logps, r.advantages, batch.loss_mask, setup_.cliprange);
  const ClippedLoss value = ppoValueLoss(values, r.old_values, r.returns, batch.loss_mask, setup_.cliprange_value);
  const torch::Tensor loss = policy.loss + setup_.vf_coef * value.loss;
  {
    torch::NoGradGuard no_grad;
    const auto log_ratio = logps.detach() - r.old_logps;
    step_measures_.add("policy/approxkl_avg", 0.5 * maskedMean(log_ratio * log_ratio, batch.loss_mask).item<double>());
    step_measures_.add("policy/clipfrac_avg", policy.clip_fraction.item<double>());
    step_measures_.add("val/clipfrac_avg", value.clip_fraction.item<double>());
    step_measures_.add("loss/policy_avg", policy.loss.item<double>());
    step_measures_.add("loss/value_avg", value.loss.item<double>());
  }
  if (++micro_ == setup_.grad_accum) {
    micro_ = 0;
    if (++mini_ == setup_.num_mini_batches) {
      mini_ = 0;
      if (++epoch_ == setup_.ppo_epochs) {
        epoch_ = 0;
        kept_.clear();
      } else {
        order_ = epochOrder();
      }
    }
  }
  return loss;
}

std::map<std::string, double> PpoTask::takeStepMetrics() { return step_measures_.take(); }

double PpoTask::validationLoss(int64_t batches) {
  torch::NoGradGuard no_grad;
  RolloutValidation v =
      validateRollouts(rollout_sampler_, data_.val, batches, setup_.batch_size, 1, sampling_, setup_.sample_count,
                       referenceSampleKls(*model_, setup_.reference, setup_.source, pad_id_, setup_.device));
  val_metrics_ = std::move(v.metrics);
  val_samples_ = std::move(v.samples);
  return -v.mean_reward;
}

std::vector<SampleText> PpoTask::samples() { return val_samples_; }

Json PpoTask::dataState() const {
  Json kept = Json::array();
  for (const auto& r : kept_) {
    kept.push_back(Json{{"prompts", r.prompts},
                        {"completions", r.completions},
                        {"ended", std::vector<int>(r.ended.begin(), r.ended.end())},
                        {"old_logps", tensorToJson(r.old_logps)},
                        {"old_values", tensorToJson(r.old_values)},
                        {"advantages", tensorToJson(r.advantages)},
                        {"returns", tensorToJson(r.returns)}});
  }
  return Json{{"train_batches_drawn", sampler_->position()},
              {"draws", draws_},
              {"micro", micro_},
              {"mini_batch", mini_},
              {"epoch", epoch_},
              {"kl_coef", kl_coef_},
              {"kept", std::move(kept)}};
}

void PpoTask::restoreDataState(const Json& state) {
  sampler_->setPosition(state.at("train_batches_drawn").get<uint64_t>());
  draws_ = state.at("draws").get<uint64_t>();
  micro_ = state.at("micro").get<int64_t>();
  mini_ = state.value("mini_batch", int64_t{0});  // a checkpoint from before mini-batches: one
  epoch_ = state.at("epoch").get<int64_t>();
  kl_coef_ = state.at("kl_coef").get<double>();
  kept_.clear();
  for (const auto& j : state.at("kept")) {
    Rollout r;
    r.prompts = j.at("prompts").get<std::vector<int64_t>>();
    r.completions = j.at("completions").get<std::vector<std::vector<int>>>();
    for (int e : j.at("ended").get<std::vector<int>>()) r.ended.push_back(static_cast<char>(e));
    r.old_logps = tensorFromJson(j.at("old_logps"), setup_.device);
    r.old_values = tensorFromJson(j.at("old_values"), setup_.device);
    r.advantages = tensorFromJson(j.at("advantages"), setup_.device);
    r.returns = tensorFromJson(j.at("returns"), setup_.device);
    kept_.push_back(std::move(r));
  }
  order_ = kept_.empty() ? std::vector<size_t>{} : epochOrder();
}

void PpoTask::saveModel(const std::filesystem::path& dir) {
  saveModelFolder(setup_.source, *model_, dir);
  saveTensors(dir / kValueHeadFile, {{kValueWeight, value_head_->weight}, {kValueBias, value_head_->bias}},
              {{"format", "pt"}});
}

void PpoTask::loadModelWeights(const std::filesystem::path& dir) {
  loadModelWeightsInto(setup_.source, *model_, dir);
  const auto tensors = loadAllTensors(dir / kValueHeadFile);
  torch::NoGradGuard no_grad;
  for (const auto& [name, target] : {std::pair{kValueWeight, value_head_->weight}, {kValueBias, value_head_->bias}}) {
    auto it = tensors.find(name);
    if (it == tensors.end() || it->second.sizes() != target.sizes()) {
      throwInputError((dir / kValueHeadFile).string() + ": no `" + name + "` of shape " + shapeText(target.sizes()));
    }
    target.copy_(it->second);
  }
}

}  // namespace temper
