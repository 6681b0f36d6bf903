#include "core/methods/dpo/reference_logps_cache.h"

#include <chrono>

#include "core/common/hashing.h"
#include "core/tensor_io/torch_safetensors.h"

namespace temper {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kParts[] = {"chosen_sum", "chosen_tokens", "rejected_sum", "rejected_tokens"};

void appendIds(std::string& bytes, const std::vector<int>& ids) {
  const auto size = static_cast<uint32_t>(ids.size());
  bytes.append(reinterpret_cast<const char*>(&size), sizeof(size));  // lengths delimit the sequences
  bytes.append(reinterpret_cast<const char*>(ids.data()), ids.size() * sizeof(int));
}

SplitReferenceLogps computeSplit(const PreferenceExamples& split, int64_t batch_size,
                                 const std::function<PairLogps(const std::vector<const PreferenceExample*>&)>& score) {
  const auto n = static_cast<int64_t>(split.examples.size());
  SplitReferenceLogps out;
  std::vector<torch::Tensor> chosen_sum, chosen_tokens, rejected_sum, rejected_tokens;
  for (int64_t start = 0; start < n; start += batch_size) {
    std::vector<const PreferenceExample*> batch;
    for (int64_t i = start; i < std::min(n, start + batch_size); ++i)
      batch.push_back(&split.examples[static_cast<size_t>(i)]);
    const PairLogps logps = score(batch);
    chosen_sum.push_back(logps.chosen.sum.detach().to(torch::kCPU, torch::kFloat));
    chosen_tokens.push_back(logps.chosen.tokens.detach().to(torch::kCPU, torch::kFloat));
    rejected_sum.push_back(logps.rejected.sum.detach().to(torch::kCPU, torch::kFloat));
    rejected_tokens.push_back(logps.rejected.tokens.detach().to(torch::kCPU, torch::kFloat));
  }
  auto cat = [](const std::vector<torch::Tensor>& parts) {
    return parts.empty() ? torch::zeros({0}, torch::kFloat) : torch::cat(parts).contiguous();
  };
  out.chosen_sum = cat(chosen_sum);
  out.chosen_tokens = cat(chosen_tokens);
  out.rejected_sum = cat(rejected_sum);
  out.rejected_tokens = cat(rejected_tokens);
  return out;
}

std::optional<SplitReferenceLogps> splitOf(const std::map<std::string, torch::Tensor>& tensors,
                                           const std::string& split, int64_t rows) {
  SplitReferenceLogps out;
  torch::Tensor* fields[] = {&out.chosen_sum, &out.chosen_tokens, &out.rejected_sum, &out.rejected_tokens};
  for (size_t i = 0; i < 4; ++i) {
    const auto it = tensors.find(split + "/" + kParts[i]);
    if (it == tensors.end() || it->second.dim() != 1 || it->second.size(0) != rows) return std::nullopt;
    *fields[i] = it->second.to(torch::kFloat).clone();  // off the read-only mapping
  }
  return out;
}

}  // namespace

PairLogps SplitReferenceLogps::rows(const std::vector<int64_t>& indices, const torch::Device& device) const {
  const auto index = torch::tensor(indices, torch::kLong);
  auto pick = [&](const torch::Tensor& t) { return t.index_select(0, index).to(device); };
  return {{pick(chosen_sum), pick(chosen_tokens)}, {pick(rejected_sum), pick(rejected_tokens)}};
}

std::string referenceCacheKey(const Json& base_fingerprint, const PreferenceExamples& train,
                              const PreferenceExamples& val) {
  std::string bytes = "temper reference-logps v1\n" + base_fingerprint.dump() + "\n";
  for (const PreferenceExamples* split : {&train, &val}) {
    const auto count = static_cast<uint64_t>(split->examples.size());
    bytes.append(reinterpret_cast<const char*>(&count), sizeof(count));
    for (const PreferenceExample& e : split->examples) {
      appendIds(bytes, e.prompt);
      appendIds(bytes, e.chosen);
      appendIds(bytes, e.rejected);
    }
  }
  return sha256Hex(bytes);
}

PrecomputedReference precomputeReference(
    const std::filesystem::path& dir, const std::string& key, const PreferenceExamples& train,
    const PreferenceExamples& val, int64_t batch_size,
    const std::function<PairLogps(const std::vector<const PreferenceExample*>&)>& score) {
  const auto started = Clock::now();
  PrecomputedReference out;
  out.file = dir / (key + ".safetensors");
  const auto train_rows = static_cast<int64_t>(train.examples.size());
  const auto val_rows = static_cast<int64_t>(val.examples.size());
  if (std::filesystem::exists(out.file)) {
    try {
      const auto tensors = loadAllTensors(out.file);
      auto cached_train = splitOf(tensors, "train", train_rows);
      auto cached_val = splitOf(tensors, "val", val_rows);
      if (cached_train && cached_val) {
        out.train = std::move(*cached_train);
        out.val = std::move(*cached_val);
        out.from_cache = true;
        out.seconds = std::chrono::duration<double>(Clock::now() - started).count();
        return out;
      }
    } catch (const std::exception&) {
      // Unreadable (cut short by a crash before atomic writes, another version): computed again.
    }
  }
  out.train = computeSplit(train, batch_size, score);
  out.val = computeSplit(val, batch_size, score);
  std::filesystem::create_directories(dir);
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (const auto& [split, logps] : {std::pair{"train", &out.train}, std::pair{"val", &out.val}}) {
    const torch::Tensor fields[] = {logps->chosen_sum, logps->chosen_tokens, logps->rejected_sum,
                                    logps->rejected_tokens};
    for (size_t i = 0; i < 4; ++i) tensors.emplace_back(std::string(split) + "/" + kParts[i], fields[i]);
  }
  saveTensors(out.file, tensors, {{"format", "temper reference-logps v1"}, {"key", key}});
  out.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return out;
}

}  // namespace temper
