#include "core/engine/bench_generate_command.h"

#include <stdlib.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "core/common/error.h"
#include "core/engine/model_loading.h"
#include "core/engine/runtime.h"
#include "core/model/generation.h"
#include "core/model/gpt.h"
#include "core/model/hf_model.h"

namespace temper {
namespace {

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// CPU seconds of the whole process (every thread): on a shared, busy machine the wall clock
// measures the neighbours; with --threads 1 this is the time the work itself took.
double processCpuSeconds() {
  timespec t{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Gpt presetModel(const std::string& preset, int64_t vocab, uint64_t seed) {
  GptConfig config = presetConfig(preset);
  config.vocab_size = vocab;
  config.validate();
  torch::manual_seed(seed);
  return Gpt(config);
}

void requireRange(int64_t value, int64_t low, int64_t high, const char* name) {
  if (value < low || value > high) {
    throwConfigError("`" + std::string(name) + "` is " + std::to_string(value) + "; allowed: " + std::to_string(low) +
                     " to " + std::to_string(high));
  }
}

}  // namespace

Json benchGenerate(const BenchGenerateRequest& r) {
  requireRange(r.runs, 1, 100, "runs");
  requireRange(r.prompt_tokens, 1, 1 << 20, "prompt-tokens");
  requireRange(r.new_tokens, 1, 1 << 20, "new-tokens");
  RuntimeInfo runtime = configureRuntime(r.threads, r.device);
  Gpt model = presetModel(r.preset, r.vocab, r.seed);
  if (runtime.device == "cuda") model->to(torch::kCUDA);
  const std::string precision = resolveInferencePrecision(r.precision, runtime.device);
  if (precision == "bf16") model->to(torch::kBFloat16);
  model->eval();
  if (r.prompt_tokens + r.new_tokens > model->contextLength()) {
    throwConfigError("prompt-tokens + new-tokens = " + std::to_string(r.prompt_tokens + r.new_tokens) +
                     " exceeds the context of " + std::to_string(model->contextLength()));
  }
  torch::manual_seed(r.seed + 1);
  auto prompt_tensor = torch::randint(0, r.vocab, {r.prompt_tokens}, torch::kLong);
  std::vector<int64_t> prompt(prompt_tensor.data_ptr<int64_t>(), prompt_tensor.data_ptr<int64_t>() + r.prompt_tokens);

  SamplingOptions options;
  options.temperature = 0;  // greedy: both ways must produce the same tokens
  options.max_new_tokens = r.new_tokens;
  Json result = {{"impl", "temper-cpp"},
                 {"preset", r.preset},
                 {"parameters", model->parameterCount()},
                 {"vocab", r.vocab},
                 {"prompt_tokens", r.prompt_tokens},
                 {"new_tokens", r.new_tokens},
                 {"runs", r.runs},
                 {"threads", runtime.torch_threads},
                 {"blas_threads", runtime.blas_threads},
                 {"device", runtime.device},
                 {"precision", precision}};
  std::vector<int64_t> tokens_by_mode[2];
  for (bool use_cache : {true, false}) {
    options.use_cache = use_cache;
    SamplingOptions warmup = options;
    warmup.max_new_tokens = std::min<int64_t>(4, r.new_tokens);
    generate(*model, prompt, warmup);
    std::vector<double> seconds, cpu_seconds;
    for (int64_t run = 0; run < r.runs; ++run) {
      auto started = std::chrono::steady_clock::now();
      const double cpu_started = processCpuSeconds();
      tokens_by_mode[use_cache ? 0 : 1] = generate(*model, prompt, options);
      cpu_seconds.push_back(processCpuSeconds() - cpu_started);
      seconds.push_back(secondsSince(started));
    }
    const double m = median(seconds), cpu = median(cpu_seconds);
    result[use_cache ? "cache" : "no_cache"] = {{"median_s", m},
                                                {"tokens_per_s", static_cast<double>(r.new_tokens) / m},
                                                {"median_cpu_s", cpu},
                                                {"tokens_per_cpu_s", static_cast<double>(r.new_tokens) / cpu},
                                                {"runs_s", seconds}};
  }
  result["same_tokens"] = tokens_by_mode[0] == tokens_by_mode[1];
  result["speedup"] = result["cache"]["tokens_per_s"].get<double>() / result["no_cache"]["tokens_per_s"].get<double>();
  result["cpu_speedup"] =
      result["cache"]["tokens_per_cpu_s"].get<double>() / result["no_cache"]["tokens_per_cpu_s"].get<double>();
  return result;
}

Json benchRollouts(const BenchRolloutsRequest& r) {
  requireRange(r.runs, 1, 100, "runs");
  requireRange(r.prompts, 1, 4096, "prompts");
  requireRange(r.generations, 1, 1024, "generations");
  requireRange(r.prompt_tokens, 1, 1 << 20, "prompt-tokens");
  requireRange(r.new_tokens, 1, 1 << 20, "new-tokens");
  RuntimeInfo runtime = configureRuntime(r.threads, r.device);
  Gpt model = presetModel(r.preset, r.vocab, r.seed);
  if (runtime.device == "cuda") model->to(torch::kCUDA);
  model->eval();
  if (r.prompt_tokens + r.new_tokens > model->contextLength()) {
    throwConfigError("prompt-tokens + new-tokens = " + std::to_string(r.prompt_tokens + r.new_tokens) +
                     " exceeds the context of " + std::to_string(model->contextLength()));
  }
  torch::manual_seed(r.seed + 1);
  std::vector<std::vector<int64_t>> prompts;
  for (int64_t p = 0; p < r.prompts; ++p) {
    auto ids = torch::randint(0, r.vocab, {r.prompt_tokens}, torch::kLong);
    prompts.emplace_back(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + r.prompt_tokens);
  }
  // As the online methods sample: temperature 1, every row its own seed.
  std::vector<SamplingOptions> rows(static_cast<size_t>(r.generations));
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i].temperature = 1.0;
    rows[i].max_new_tokens = r.new_tokens;
    rows[i].seed = r.seed + 100 + i;
  }
  const int64_t tokens = r.prompts * r.generations * r.new_tokens;
  Json result = {{"impl", "temper-cpp"},
                 {"preset", r.preset},
                 {"parameters", model->parameterCount()},
                 {"vocab", r.vocab},
                 {"prompts", r.prompts},
                 {"generations", r.generations},
                 {"prompt_tokens", r.prompt_tokens},
                 {"new_tokens", r.new_tokens},
                 {"tokens_per_run", tokens},
                 {"runs", r.runs},
                 {"threads", runtime.torch_threads},
                 {"device", runtime.device}};
  std::vector<std::vector<int64_t>> sampled_by_mode[2];
  for (bool use_cache : {true, false}) {
    for (auto& row : rows) row.use_cache = use_cache;
    std::vector<SamplingOptions> warmup = rows;
    for (auto& row : warmup) row.max_new_tokens = std::min<int64_t>(4, r.new_tokens);
    generateBatch(*model, prompts.front(), warmup);
    std::vector<double> seconds;
    for (int64_t run = 0; run < r.runs; ++run) {
      auto started = std::chrono::steady_clock::now();
      std::vector<std::vector<int64_t>> sampled;
      for (const auto& prompt : prompts) {
        auto group = generateBatch(*model, prompt, rows);
        sampled.insert(sampled.end(), group.begin(), group.end());
      }
      seconds.push_back(secondsSince(started));
      sampled_by_mode[use_cache ? 0 : 1] = std::move(sampled);
    }
    const double m = median(seconds);
    result[use_cache ? "cache" : "no_cache"] = {
        {"median_s", m}, {"tokens_per_s", static_cast<double>(tokens) / m}, {"runs_s", seconds}};
  }
  // The same seeds sample the same tokens both ways unless float rounding tips a draw.
  result["same_tokens"] = sampled_by_mode[0] == sampled_by_mode[1];
  result["speedup"] = result["cache"]["tokens_per_s"].get<double>() / result["no_cache"]["tokens_per_s"].get<double>();
  return result;
}

Json benchLoad(const BenchLoadRequest& r) {
  requireRange(r.runs, 1, 100, "runs");
  RuntimeInfo runtime = configureRuntime(r.threads, "cpu");
  std::filesystem::path dir = r.model_dir;
  std::filesystem::path scratch;
  double write_s = -1;
  if (dir.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "temper-bench-load-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throwIoError(describeErrno("cannot create a temporary folder"));
    scratch = dir = pattern;
    Gpt model = presetModel(r.preset, r.vocab, 0);
    auto started = std::chrono::steady_clock::now();
    saveHfModel(*model, Json(), dir);
    write_s = secondsSince(started);
  }
  Json result;
  try {
    loadHfModel(dir);  // warm the page cache the way a second load finds it
    std::vector<double> inspect_ms, load_ms;
    HfModelInfo info;
    for (int64_t run = 0; run < r.runs; ++run) {
      auto started = std::chrono::steady_clock::now();
      info = inspectHfModel(dir);
      inspect_ms.push_back(secondsSince(started) * 1e3);
      started = std::chrono::steady_clock::now();
      CausalLm model = loadHfModel(dir);
      load_ms.push_back(secondsSince(started) * 1e3);
    }
    uint64_t file_bytes = 0;
    for (const auto& file : info.weight_files) file_bytes += std::filesystem::file_size(file);
    result = {{"model", r.model_dir.empty() ? "generated " + r.preset : r.model_dir.string()},
              {"family", info.family},
              {"parameters", info.parameters},
              {"dtype", info.dtype},
              {"file_bytes", file_bytes},
              {"runs", r.runs},
              {"threads", runtime.torch_threads},
              {"write_s", write_s < 0 ? Json(nullptr) : Json(write_s)},
              {"inspect_ms", median(inspect_ms)},
              {"load_ms", median(load_ms)}};
  } catch (...) {
    std::error_code ec;
    if (!scratch.empty()) std::filesystem::remove_all(scratch, ec);
    throw;
  }
  std::error_code ec;
  if (!scratch.empty()) std::filesystem::remove_all(scratch, ec);
  return result;
}

}  // namespace temper
