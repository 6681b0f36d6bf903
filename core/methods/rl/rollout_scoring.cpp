#include "core/methods/rl/rollout_scoring.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "core/methods/rl/policy_losses.h"

namespace temper {

using Clock = std::chrono::steady_clock;

ScoredRollouts RolloutSampler::sample(const RlPrompts& split, const std::vector<int64_t>& prompt_indices,
                                      int64_t group_size, uint64_t draw, const SamplingOptions& sampling) const {
  ScoredRollouts s;
  const auto started = Clock::now();
  for (size_t slot = 0; slot < prompt_indices.size(); ++slot) {
    const int64_t index = prompt_indices[slot];
    const RlPrompt& prompt = split.prompts[static_cast<size_t>(index)];
    CompletionGroup group = sampleGroup(*model, prompt.ids, group_size, sampling, rolloutSeed(run_seed, draw, slot));
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
    s.texts.push_back(tokenizer->decode(text_ids));
    prompts.push_back(&split.prompts[static_cast<size_t>(s.prompts[i])]);
  }
  s.rewards = rewards->score(prompts, s.texts);
  return s;
}

void StepMeasures::add(const std::string& name, double value) {
  auto& [sum, count] = sums_[name];
  sum += value;
  ++count;
}

std::map<std::string, double> StepMeasures::take() {
  std::map<std::string, double> out;
  for (const auto& [name, sum_count] : sums_) out[name] = sum_count.first / static_cast<double>(sum_count.second);
  sums_.clear();
  return out;
}

double meanOf(const std::vector<double>& values) {
  if (values.empty()) return 0.0;
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

double meanGroupStd(const std::vector<double>& rewards, int64_t group_size) {
  if (group_size < 2 || rewards.empty()) return 0.0;
  const auto g = static_cast<size_t>(group_size);
  double sum = 0;
  size_t groups = 0;
  for (size_t start = 0; start + g <= rewards.size(); start += g, ++groups) {
    const std::vector<double> group(rewards.begin() + static_cast<std::ptrdiff_t>(start),
                                    rewards.begin() + static_cast<std::ptrdiff_t>(start + g));
    const double m = meanOf(group);
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

std::map<std::string, double> rolloutMeasures(const ScoredRollouts& s, int64_t group_size) {
  std::map<std::string, double> m;
  m["reward"] = meanOf(s.rewards.total);
  if (group_size > 1) m["reward_std"] = meanGroupStd(s.rewards.total, group_size);
  for (const auto& [name, values] : s.rewards.parts) m[name] = meanOf(values);
  double length = 0, clipped = 0;
  for (size_t i = 0; i < s.completions.size(); ++i) {
    length += static_cast<double>(s.completions[i].size());
    clipped += s.ended[i] ? 0.0 : 1.0;
  }
  const auto n = static_cast<double>(std::max<size_t>(s.completions.size(), 1));
  m["completions/mean_length"] = length / n;
  m["completions/clipped_ratio"] = clipped / n;
  if (s.generation_s > 0) m["rollout_tokens_per_s"] = static_cast<double>(s.generated_tokens) / s.generation_s;
  return m;
}

SampleKls referenceSampleKls(CausalLmImpl& policy, const CausalLm& reference, ModelSource& source, int64_t pad_id,
                             const torch::Device& device) {
  return [&policy, reference, &source, pad_id, device](const std::vector<const std::vector<int>*>& prompts,
                                                       const std::vector<const std::vector<int>*>& completions) {
    torch::NoGradGuard no_grad;
    const RolloutBatch batch = collateRollouts(prompts, completions, pad_id, device);
    const torch::Tensor logps = rolloutTokenLogps(policy, batch);
    const torch::Tensor reference_logps =
        underReference(reference, source, policy, [&](CausalLmImpl& m) { return rolloutTokenLogps(m, batch); });
    const auto kl =
        rlooSequenceKl(logps, reference_logps, batch.loss_mask).to(torch::kCPU, torch::kDouble).contiguous();
    return std::vector<double>(kl.data_ptr<double>(), kl.data_ptr<double>() + kl.numel());
  };
}

RolloutValidation validateRollouts(const RolloutSampler& sampler, const RlPrompts& val, int64_t batches,
                                   int64_t batch_size, int64_t group_size, const SamplingOptions& sampling,
                                   int64_t sample_count, const SampleKls& sample_kls) {
  RolloutValidation out;
  const auto count = static_cast<int64_t>(val.prompts.size());
  std::vector<double> total;
  std::map<std::string, std::vector<double>> parts;
  double length = 0, clipped = 0, reward_std = 0;
  int64_t evaluated_batches = 0;
  for (int64_t b = 0; b < batches && b * batch_size < count; ++b) {
    std::vector<int64_t> indices;
    for (int64_t i = b * batch_size; i < std::min(count, (b + 1) * batch_size); ++i) indices.push_back(i);
    // Draw numbers from the top of the range: the same seeds at every evaluation, never a training draw's.
    const ScoredRollouts s = sampler.sample(val, indices, group_size,
                                            std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(b), sampling);
    total.insert(total.end(), s.rewards.total.begin(), s.rewards.total.end());
    for (const auto& [name, values] : s.rewards.parts)
      parts[name].insert(parts[name].end(), values.begin(), values.end());
    for (size_t i = 0; i < s.completions.size(); ++i) {
      length += static_cast<double>(s.completions[i].size());
      clipped += s.ended[i] ? 0.0 : 1.0;
    }
    reward_std += meanGroupStd(s.rewards.total, group_size);
    ++evaluated_batches;
    // Each shown prompt's first completion, with its reward (and its KL to the reference).
    std::vector<size_t> shown;
    for (size_t i = 0; i < s.completions.size(); i += static_cast<size_t>(group_size)) {
      if (static_cast<int64_t>(out.samples.size() + shown.size()) >= sample_count) break;
      shown.push_back(i);
    }
    std::vector<double> kls;
    if (sample_kls && !shown.empty()) {
      std::vector<const std::vector<int>*> prompts, completions;
      for (size_t i : shown) {
        prompts.push_back(&val.prompts[static_cast<size_t>(s.prompts[i])].ids);
        completions.push_back(&s.completions[i]);
      }
      kls = sample_kls(prompts, completions);
    }
    for (size_t k = 0; k < shown.size(); ++k) {
      const size_t i = shown[k];
      const RlPrompt& prompt = val.prompts[static_cast<size_t>(s.prompts[i])];
      const std::string prompt_text = sampler.tokenizer->decode(prompt.ids);
      Json scores = {{"reward", s.rewards.total[i]}};
      for (const auto& [name, values] : s.rewards.parts) scores[name] = values[i];
      if (k < kls.size()) scores["kl"] = kls[k];
      out.samples.push_back({prompt_text, prompt_text + s.texts[i], std::move(scores)});
    }
  }
  if (total.empty()) return out;
  const auto n = static_cast<double>(total.size());
  out.mean_reward = meanOf(total);
  out.metrics["reward"] = out.mean_reward;
  if (group_size > 1) out.metrics["reward_std"] = reward_std / static_cast<double>(evaluated_batches);
  for (const auto& [name, values] : parts) out.metrics[name] = meanOf(values);
  out.metrics["completions/mean_length"] = length / n;
  out.metrics["completions/clipped_ratio"] = clipped / n;
  return out;
}

Json tensorToJson(const torch::Tensor& t) {
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

}  // namespace temper
