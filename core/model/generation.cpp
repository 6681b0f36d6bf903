#include "core/model/generation.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>

#include "core/common/error.h"

namespace temper {

void validateSampling(const SamplingOptions& o) {
  if (o.max_new_tokens < 0 || o.max_new_tokens > 1'000'000) {
    throwConfigError("`max-new-tokens` is " + std::to_string(o.max_new_tokens) + "; allowed: 0 to 1000000");
  }
  if (!(o.temperature >= 0.0 && o.temperature <= 100.0)) {
    throwConfigError("`temperature` is " + std::to_string(o.temperature) + "; allowed: 0 (greedy) to 100");
  }
  if (o.top_k < 0) throwConfigError("`top-k` is " + std::to_string(o.top_k) + "; allowed: 0 (off) or more");
  if (!(o.top_p > 0.0 && o.top_p <= 1.0)) {
    throwConfigError("`top-p` is " + std::to_string(o.top_p) + "; allowed: above 0 up to 1");
  }
}

int64_t sampleToken(const torch::Tensor& logits_in, const SamplingOptions& o, torch::Generator& generator) {
  auto logits = logits_in.to(torch::kFloat32);
  if (o.temperature == 0.0) return logits.argmax().item<int64_t>();
  logits = logits / o.temperature;
  const float neg_inf = -std::numeric_limits<float>::infinity();
  if (o.top_k > 0 && o.top_k < logits.size(0)) {
    auto kth = std::get<0>(logits.topk(o.top_k)).index({-1});
    logits = logits.masked_fill(logits < kth, neg_inf);
  }
  if (o.top_p < 1.0) {
    auto [sorted, order] = logits.sort(/*dim=*/-1, /*descending=*/true);
    auto probs = torch::softmax(sorted, -1);
    // Drop a token when the mass before it already reaches top_p; the most likely token always stays.
    auto drop = (probs.cumsum(-1) - probs) >= o.top_p;
    logits = logits.scatter(0, order, sorted.masked_fill(drop, neg_inf));
  }
  auto probs = torch::softmax(logits, -1);
  return torch::multinomial(probs, 1, false, generator).item<int64_t>();
}

std::vector<int64_t> generate(CausalLmImpl& model, const std::vector<int64_t>& prompt, const SamplingOptions& o,
                              const std::function<bool(int64_t)>& on_token) {
  validateSampling(o);
  if (prompt.empty()) throwConfigError("the prompt is empty after tokenization; give at least one token");
  torch::NoGradGuard no_grad;
  bool was_training = model.is_training();
  model.eval();
  auto device = model.device();
  torch::Generator generator = at::make_generator<at::CPUGeneratorImpl>(o.seed);
  const int64_t context = model.tokenContext();  // positions left for tokens after a soft prompt

  std::vector<int64_t> sequence = prompt;
  std::vector<int64_t> generated;
  // Room for the prompt and every new token (the window slides past the context).
  KvCache cache = model.makeCache(
      1, model.virtualTokens() + std::min<int64_t>(context, static_cast<int64_t>(prompt.size()) + o.max_new_tokens));
  auto tensorOf = [&](size_t from) {
    std::vector<int64_t> slice(sequence.begin() + static_cast<long>(from), sequence.end());
    return torch::tensor(slice, torch::kLong).view({1, -1}).to(device);
  };
  // Only the last position's logits are sampled from: projecting every prompt position onto the
  // vocabulary would be wasted work (both paths, so the no-cache baseline is not handicapped).
  auto lastLogits = [&](const torch::Tensor& ids, KvCache* kv) {
    return model.headLogits(model.hidden(ids, kv).select(1, -1));  // (1, V)
  };
  size_t fed = 0;  // tokens of `sequence` already in the cache
  for (int64_t i = 0; i < o.max_new_tokens; ++i) {
    torch::Tensor logits;
    if (o.use_cache) {
      if (static_cast<int64_t>(sequence.size()) > context) {
        // Window slides: refill the cache from the last `context` tokens, the same window as
        // use_cache = false (learned positions shift, so every step past the context recomputes).
        sequence.erase(sequence.begin(), sequence.end() - context);
        cache.reset();
        fed = 0;
      }
      logits = lastLogits(tensorOf(fed), &cache);
      fed = sequence.size();
    } else {
      size_t start = sequence.size() > static_cast<size_t>(context) ? sequence.size() - context : 0;
      logits = lastLogits(tensorOf(start), nullptr);
    }
    int64_t next = sampleToken(logits[0].to(torch::kCPU), o, generator);
    generated.push_back(next);
    sequence.push_back(next);
    if (on_token && !on_token(next)) break;
    if (o.eos_id >= 0 && next == o.eos_id) break;
  }
  if (was_training) model.train();
  return generated;
}

std::vector<std::vector<int64_t>> generateBatch(CausalLmImpl& model, const std::vector<int64_t>& prompt,
                                                const std::vector<SamplingOptions>& options,
                                                const std::function<bool(size_t, int64_t)>& on_token) {
  if (options.empty()) return {};
  int64_t max_new = 0;
  for (const auto& o : options) {
    validateSampling(o);
    max_new = std::max(max_new, o.max_new_tokens);
  }
  if (prompt.empty()) throwConfigError("the prompt is empty after tokenization; give at least one token");
  const int64_t rows = static_cast<int64_t>(options.size());
  const int64_t context = model.tokenContext();
  const int64_t prompt_length = static_cast<int64_t>(prompt.size());
  if (prompt_length >= context) {
    throwInputError("the prompt has " + std::to_string(prompt_length) + " tokens; the model's context is " +
                    std::to_string(context) + ", which leaves no room for an answer");
  }
  max_new = std::min(max_new, context - prompt_length);
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  const auto device = model.device();
  std::vector<torch::Generator> generators;
  for (const auto& o : options) generators.push_back(at::make_generator<at::CPUGeneratorImpl>(o.seed));

  // use_cache false (benchmarks: the rollouts' KV cache against recomputing) feeds every row's whole
  // sequence each step; the rows stay the same length either way.
  const bool use_cache = options.front().use_cache;
  KvCache cache = model.makeCache(rows, use_cache ? model.virtualTokens() + prompt_length + max_new : 1);
  std::vector<std::vector<int64_t>> generated(options.size());
  std::vector<char> running(options.size(), 0);
  int64_t still_running = 0;
  for (size_t r = 0; r < options.size(); ++r) {
    running[r] = options[r].max_new_tokens > 0 ? 1 : 0;
    still_running += running[r];
  }
  // The prompt once per row; afterwards each step feeds every row's last token.
  torch::Tensor input = torch::tensor(prompt, torch::kLong).view({1, -1}).expand({rows, prompt_length}).contiguous();
  torch::Tensor sequence = input;  // use_cache false: everything so far
  std::vector<int64_t> last(options.size(), 0);
  for (int64_t step = 0; step < max_new && still_running > 0; ++step) {
    // Only the last position's logits are sampled from.
    const torch::Tensor hidden =
        use_cache ? model.hidden(input.to(device), &cache) : model.hidden(sequence.to(device), nullptr);
    const torch::Tensor logits = model.headLogits(hidden.select(1, -1)).to(torch::kCPU);
    for (size_t r = 0; r < options.size(); ++r) {
      if (!running[r]) continue;  // its token is fed but never read
      const int64_t next = sampleToken(logits[static_cast<int64_t>(r)], options[r], generators[r]);
      last[r] = next;
      generated[r].push_back(next);
      const bool go_on = (!on_token || on_token(r, next)) && !(options[r].eos_id >= 0 && next == options[r].eos_id) &&
                         static_cast<int64_t>(generated[r].size()) < options[r].max_new_tokens;
      if (!go_on) {
        running[r] = 0;
        --still_running;
      }
    }
    input = torch::tensor(last, torch::kLong).view({rows, 1});
    if (!use_cache) sequence = torch::cat({sequence, input}, 1);
  }
  if (was_training) model.train();
  return generated;
}

}  // namespace temper
