#include "core/engine/model_commands.h"

#include <cmath>
#include <cstdio>

#include "core/common/error.h"
#include "core/common/json_io.h"
#include "core/engine/runtime.h"
#include "core/model/hf_gpt2.h"
#include "core/tokenizer/tokenizer.h"

namespace temper {
namespace {

struct LoadedModel {
  Gpt model{nullptr};
  std::unique_ptr<Tokenizer> tokenizer;
};

LoadedModel loadModelFolder(const std::filesystem::path& dir, const std::string& device) {
  if (!std::filesystem::is_directory(dir)) {
    throwIoError(dir.string() + ": not a model folder (expected config.json, model.safetensors, tokenizer.model)");
  }
  LoadedModel loaded;
  loaded.model = loadGptHf(dir);
  loaded.tokenizer = loadTokenizer(dir / "tokenizer.model");
  if (loaded.tokenizer->vocabSize() > loaded.model->config().vocab_size) {
    throwInputError(dir.string() + ": tokenizer.model has " + std::to_string(loaded.tokenizer->vocabSize()) +
                    " ids but config.json says vocab_size " + std::to_string(loaded.model->config().vocab_size));
  }
  if (device == "cuda") loaded.model->to(torch::kCUDA);
  loaded.model->eval();
  return loaded;
}

}  // namespace

Json EvalResult::toJson() const {
  return Json{{"tokens", tokens}, {"predicted_tokens", predicted_tokens}, {"mean_nll", mean_nll},
              {"perplexity", perplexity}};
}

EvalResult evaluateModel(const EvalRequest& request) {
  RuntimeInfo runtime = configureRuntime(request.threads, request.device);
  LoadedModel loaded = loadModelFolder(request.model_dir, runtime.device);
  const int64_t model_ctx = loaded.model->config().context;
  const int64_t ctx = request.ctx == 0 ? model_ctx : request.ctx;
  if (ctx < 2 || ctx > model_ctx) {
    throwConfigError("`ctx` is " + std::to_string(ctx) + "; allowed: 2 to the model's context " +
                     std::to_string(model_ctx));
  }
  std::string text = readTextFile(request.data_file);
  std::vector<int> ids = loaded.tokenizer->encode(text);
  EvalResult result;
  result.tokens = static_cast<int64_t>(ids.size());
  if (ids.size() < 2) throwInputError(request.data_file.string() + ": fewer than 2 tokens; nothing to evaluate");

  torch::NoGradGuard no_grad;
  auto device = loaded.model->wte->weight.device();
  double total_nll = 0;
  // Full windows go through in batches; the shorter tail window on its own.
  constexpr int64_t kBatch = 16;
  const int64_t full_windows = result.tokens / ctx;
  auto scoreWindows = [&](int64_t first_window, int64_t count, int64_t length) {
    std::vector<int64_t> batch(static_cast<size_t>(count * length));
    for (int64_t w = 0; w < count; ++w) {
      for (int64_t t = 0; t < length; ++t) batch[w * length + t] = ids[(first_window + w) * ctx + t];
    }
    auto input = torch::tensor(batch, torch::kLong).view({count, length}).to(device);
    auto logits = loaded.model->forward(input.narrow(1, 0, length - 1));
    auto nll = torch::nn::functional::cross_entropy(
        logits.reshape({-1, logits.size(-1)}).to(torch::kFloat32), input.narrow(1, 1, length - 1).reshape({-1}),
        torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
    total_nll += nll.item<double>();
    result.predicted_tokens += count * (length - 1);
  };
  for (int64_t w = 0; w < full_windows; w += kBatch) scoreWindows(w, std::min(kBatch, full_windows - w), ctx);
  int64_t tail = result.tokens - full_windows * ctx;
  if (tail >= 2) scoreWindows(full_windows, 1, tail);
  result.mean_nll = total_nll / static_cast<double>(result.predicted_tokens);
  result.perplexity = std::exp(result.mean_nll);
  return result;
}

std::string generateText(const GenerateRequest& request, bool stream_to_stdout) {
  validateSampling(request.sampling);
  RuntimeInfo runtime = configureRuntime(request.threads, request.device);
  LoadedModel loaded = loadModelFolder(request.model_dir, runtime.device);
  std::vector<int64_t> prompt_ids;
  for (int id : loaded.tokenizer->encode(request.prompt)) prompt_ids.push_back(id);
  SamplingOptions options = request.sampling;
  options.eos_id = loaded.tokenizer->eosId();
  if (prompt_ids.empty()) prompt_ids.push_back(options.eos_id >= 0 ? options.eos_id : 0);

  std::vector<int> generated;
  std::string printed;
  if (stream_to_stdout) {
    std::fputs(request.prompt.c_str(), stdout);
    std::fflush(stdout);
  }
  generate(loaded.model, prompt_ids, options, [&](int64_t id) {
    if (id == options.eos_id) return true;
    generated.push_back(static_cast<int>(id));
    // Decoding the whole suffix each time keeps multi-token characters intact.
    std::string text = loaded.tokenizer->decode(generated);
    if (stream_to_stdout && text.size() > printed.size() && text.compare(0, printed.size(), printed) == 0) {
      std::fputs(text.c_str() + printed.size(), stdout);
      std::fflush(stdout);
    }
    printed = text;
    return true;
  });
  if (stream_to_stdout) std::fputs("\n", stdout);
  return request.prompt + printed;
}

}  // namespace temper
