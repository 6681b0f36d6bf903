#include "core/methods/dpo/pair_preference_task.h"

#include "core/common/error.h"
#include "core/model/generation.h"
#include "core/peft/base_fingerprint.h"
#include "core/tokenizer/tokenizer_open.h"

namespace temper {
namespace {

double meanOf(const torch::Tensor& t) { return t.numel() == 0 ? 0.0 : t.to(torch::kDouble).mean().item<double>(); }

/// KTO's mismatched pairs: the batch's 2B answers in order (chosen 0..B-1, rejected 0..B-1), each
/// moved to the next example's prompt (TRL cycles completions by one within the batch), cut to
/// `max_tokens` with the prompt. Laid out as pairs so that collatePairs puts row k's KL answer in
/// row k: pair i holds answer k-1 for rows k = i (chosen) and k = B + i (rejected).
std::vector<PreferenceExample> mismatchedPairs(const std::vector<const PreferenceExample*>& pairs, int64_t max_tokens) {
  const size_t b = pairs.size();
  auto answer = [&](size_t k) -> const std::vector<int>& { return k < b ? pairs[k]->chosen : pairs[k - b]->rejected; };
  std::vector<PreferenceExample> out;
  for (size_t i = 0; i < b; ++i) {
    PreferenceExample e;
    e.prompt = pairs[i]->prompt;
    e.chosen = answer((i + 2 * b - 1) % (2 * b));
    e.rejected = answer(b + i - 1);
    const auto room = static_cast<size_t>(std::max<int64_t>(1, max_tokens - static_cast<int64_t>(e.prompt.size())));
    if (e.chosen.size() > room) e.chosen.resize(room);
    if (e.rejected.size() > room) e.rejected.resize(room);
    e.source = pairs[i]->source + " (KL)";
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

PairPreferenceTask::PairPreferenceTask(PairPreferenceSetup setup) : setup_(std::move(setup)) {
  model_ = setup_.source.model;
  if (needsReference(setup_.objective) && !setup_.source.peft.adapter() && !setup_.reference) {
    throw Error(ErrorKind::Internal, "DPO and KTO with full weights need their reference model");
  }
  if (setup_.objective == PairObjective::Kto && setup_.batch_size < 2) {
    throw Error(ErrorKind::Internal, "kto needs micro-batches of 2 or more pairs (validateKto)");
  }
  context_ = trainingContext(*model_, setup_.context, setup_.source.peft.virtualTokens());
  tokenizer_ = openTokenizer(setup_.source.tokenizer);
  // Padding is outside every completion mask, so any id does; the pad or eos keeps it a real token.
  pad_id_ = std::max(tokenizer_->padId() >= 0 ? tokenizer_->padId() : tokenizer_->eosId(), 0);
  setup_.data.max_tokens = context_;
  setup_.data.tokenizer_source = setup_.source.tokenizer;
  setup_.data.seed = setup_.seed;
  data_ = loadPreferenceTaskData(setup_.data, *tokenizer_);
  sampler_ = std::make_unique<ExampleSampler>(static_cast<int64_t>(data_.train.examples.size()), setup_.batch_size,
                                              setup_.seed);
  model_->to(setup_.device);
  if (setup_.reference) {
    setup_.reference->to(setup_.device);
    setup_.reference->eval();
    for (auto& p : setup_.reference->parameters()) p.set_requires_grad(false);
  }
  startTraining(setup_.source, setup_.seed);
  if (!setup_.reference_cache_dir.empty()) precomputeReferenceLogps();
}

void PairPreferenceTask::precomputeReferenceLogps() {
  // The reference is the base as it was, whatever trains on it: its weights and the pairs' ids
  // say whether a cached file holds its numbers. (An adapter run has the fingerprint already.)
  const Json fingerprint = setup_.source.base_fingerprint.is_object()
                               ? setup_.source.base_fingerprint
                               : baseFingerprint(setup_.source.base_weight_files);
  const std::string key = referenceCacheKey(fingerprint, data_.train, data_.val);
  precomputed_ = precomputeReference(setup_.reference_cache_dir, key, data_.train, data_.val, setup_.batch_size,
                                     [this](const std::vector<const PreferenceExample*>& pairs) {
                                       return referenceLogps(collatePairs(pairs, pad_id_, setup_.device));
                                     });
  setup_.reference = nullptr;  // never asked again: its memory goes back
  data_.summary["reference"] = Json{{"precomputed", true},
                                    {"cache", precomputed_->file.string()},
                                    {"from_cache", precomputed_->from_cache},
                                    {"seconds", precomputed_->seconds}};
}

PairLogps PairPreferenceTask::referenceLogpsOf(const PairBatch& batch, const PreferenceExamples& examples,
                                               const std::vector<int64_t>& indices) {
  if (!precomputed_) return referenceLogps(batch);
  const SplitReferenceLogps& split = &examples == &data_.train ? precomputed_->train : precomputed_->val;
  return split.rows(indices, setup_.device);
}

std::vector<std::pair<std::string, torch::Tensor>> PairPreferenceTask::trainableParameters() {
  return trainedParameters(setup_.source, *model_);
}

double PairPreferenceTask::learningRateScale(const std::string& name) const {
  return learningRateScaleOf(setup_.source, name);
}

void PairPreferenceTask::setTraining(bool training) { setTrainingMode(setup_.source, *model_, training); }

PairLogps PairPreferenceTask::referenceLogps(const PairBatch& batch) {
  const torch::Tensor logits = underReference(setup_.reference, setup_.source, *model_,
                                              [&](CausalLmImpl& reference) { return reference.forward(batch.ids); });
  torch::NoGradGuard no_grad;
  return pairLogps(logits, batch);
}

PairPreferenceTask::BatchLoss PairPreferenceTask::batchLoss(const PreferenceExamples& examples,
                                                            const std::vector<int64_t>& indices) {
  std::vector<const PreferenceExample*> pairs;
  pairs.reserve(indices.size());
  for (int64_t i : indices) pairs.push_back(&examples.examples[static_cast<size_t>(i)]);
  const PairBatch batch = collatePairs(pairs, pad_id_, setup_.device);
  last_tokens_ = batch.tokens;
  BatchLoss out;
  out.policy = pairLogps(model_->forward(batch.ids), batch);
  switch (setup_.objective) {
    case PairObjective::Dpo:
      out.rewards = dpoLoss(setup_.dpo_loss, out.policy, referenceLogpsOf(batch, examples, indices), setup_.beta,
                            setup_.label_smoothing);
      break;
    case PairObjective::Kto:
      return ktoBatchLoss(pairs, batch, out.policy);
    case PairObjective::Simpo:
      out.rewards = simpoLoss(out.policy, setup_.beta, setup_.simpo_gamma);
      break;
    case PairObjective::Orpo: {
      OrpoLoss orpo = orpoLoss(out.policy, setup_.beta);
      out.extra = {{"nll_loss", orpo.nll.item<double>()},
                   {"log_odds_ratio", orpo.log_odds_ratio.item<double>()},
                   {"log_odds_chosen", orpo.log_odds_chosen.item<double>()}};
      out.rewards = orpo;
      break;
    }
  }
  out.loss = out.rewards.loss;
  return out;
}

PairPreferenceTask::BatchLoss PairPreferenceTask::ktoBatchLoss(const std::vector<const PreferenceExample*>& pairs,
                                                               const PairBatch& batch, const PairLogps& policy) {
  const PairLogps reference = referenceLogps(batch);
  const std::vector<PreferenceExample> mismatched = mismatchedPairs(pairs, context_);
  std::vector<const PreferenceExample*> mismatched_ptrs;
  for (const auto& e : mismatched) mismatched_ptrs.push_back(&e);
  const PairBatch kl_batch = collatePairs(mismatched_ptrs, pad_id_, setup_.device);
  PairLogps kl_policy;
  {
    torch::NoGradGuard no_grad;  // TRL scores the KL answers without gradients
    kl_policy = pairLogps(model_->forward(kl_batch.ids), kl_batch);
  }
  const PairLogps kl_reference = referenceLogps(kl_batch);
  auto both = [](const PairLogps& l) { return torch::cat({l.chosen.sum, l.rejected.sum}); };
  const auto b = static_cast<int64_t>(pairs.size());
  auto desirable = torch::cat({torch::ones({b}, torch::kBool), torch::zeros({b}, torch::kBool)}).to(setup_.device);
  const KtoLoss kto = ktoLoss(both(policy), both(reference), desirable, both(kl_policy), both(kl_reference),
                              setup_.beta, setup_.desirable_weight, setup_.undesirable_weight);
  BatchLoss out;
  out.policy = policy;
  out.loss = kto.loss;
  out.rewards.loss = kto.loss;
  out.rewards.chosen_rewards = kto.chosen_rewards;
  out.rewards.rejected_rewards = kto.rejected_rewards;
  out.extra = {{"kl", kto.kl.item<double>()}};
  return out;
}

torch::Tensor PairPreferenceTask::nextMicroBatchLoss() { return batchLoss(data_.train, sampler_->next()).loss; }

double PairPreferenceTask::validationLoss(int64_t batches) {
  torch::NoGradGuard no_grad;
  const auto count = static_cast<int64_t>(data_.val.examples.size());
  std::vector<torch::Tensor> chosen_rewards, rejected_rewards, chosen_logps, rejected_logps;
  std::map<std::string, double> extra_sums;
  double loss_sum = 0;
  int64_t seen = 0;
  for (int64_t b = 0; b < batches && b * setup_.batch_size < count; ++b) {
    std::vector<int64_t> indices;
    for (int64_t i = b * setup_.batch_size; i < std::min(count, (b + 1) * setup_.batch_size); ++i) indices.push_back(i);
    const BatchLoss result = batchLoss(data_.val, indices);
    const auto pairs = static_cast<int64_t>(indices.size());
    loss_sum += result.loss.item<double>() * static_cast<double>(pairs);
    for (const auto& [name, value] : result.extra) extra_sums[name] += value * static_cast<double>(pairs);
    chosen_rewards.push_back(result.rewards.chosen_rewards.to(torch::kCPU, torch::kDouble));
    rejected_rewards.push_back(result.rewards.rejected_rewards.to(torch::kCPU, torch::kDouble));
    chosen_logps.push_back(result.policy.chosen.sum.to(torch::kCPU, torch::kDouble));
    rejected_logps.push_back(result.policy.rejected.sum.to(torch::kCPU, torch::kDouble));
    seen += pairs;
  }
  metrics_.clear();
  if (seen == 0) return 0.0;
  const auto chosen = torch::cat(chosen_rewards), rejected = torch::cat(rejected_rewards);
  metrics_["rewards/chosen"] = meanOf(chosen);
  metrics_["rewards/rejected"] = meanOf(rejected);
  metrics_["rewards/accuracies"] = meanOf(chosen.gt(rejected));
  metrics_["rewards/margins"] = meanOf(chosen - rejected);
  metrics_["logps/chosen"] = meanOf(torch::cat(chosen_logps));
  metrics_["logps/rejected"] = meanOf(torch::cat(rejected_logps));
  for (const auto& [name, sum] : extra_sums) metrics_[name] = sum / static_cast<double>(seen);
  return loss_sum / static_cast<double>(seen);
}

std::vector<SampleText> PairPreferenceTask::samples() {
  std::vector<SampleText> out;
  if (setup_.sample_tokens <= 0) return out;
  SamplingOptions options;
  options.max_new_tokens = setup_.sample_tokens;
  options.temperature = 0;  // greedy: the answer the policy now gives, comparable across evals
  options.eos_id = tokenizer_->eosId();
  for (const auto& example : data_.val.examples) {
    if (static_cast<int64_t>(out.size()) >= setup_.sample_count) break;
    if (example.prompt.empty() || static_cast<int64_t>(example.prompt.size()) >= context_) continue;
    const std::vector<int64_t> prompt(example.prompt.begin(), example.prompt.end());
    auto generated = generate(*model_, prompt, options);
    if (!generated.empty() && generated.back() == tokenizer_->eosId()) generated.pop_back();
    const std::string prompt_text = tokenizer_->decode(example.prompt);
    out.push_back(
        {prompt_text, prompt_text + tokenizer_->decode(std::vector<int>(generated.begin(), generated.end()))});
  }
  return out;
}

Json PairPreferenceTask::dataState() const { return Json{{"train_batches_drawn", sampler_->position()}}; }

void PairPreferenceTask::restoreDataState(const Json& state) {
  sampler_->setPosition(state.at("train_batches_drawn").get<uint64_t>());
}

void PairPreferenceTask::saveModel(const std::filesystem::path& dir) { saveModelFolder(setup_.source, *model_, dir); }

void PairPreferenceTask::loadModelWeights(const std::filesystem::path& dir) {
  loadModelWeightsInto(setup_.source, *model_, dir);
}

}  // namespace temper
