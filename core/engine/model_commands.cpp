#include "core/engine/model_commands.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/common/error.h"
#include "core/common/json_io.h"
#include "core/engine/model_loading.h"
#include "core/engine/runtime.h"
#include "core/engine/text_stream.h"

namespace temper {
namespace {

// Tokens per forward pass and logits per projection chunk: bounds eval's memory for any model
// (a 128k vocabulary times a 2k window would otherwise be a 1 GB logits tensor per window).
constexpr int64_t kEvalTokensPerBatch = 8192;
constexpr int64_t kLogitsPerChunk = int64_t{1} << 23;

}  // namespace

Json EvalResult::toJson() const {
  return Json{
      {"tokens", tokens}, {"predicted_tokens", predicted_tokens}, {"mean_nll", mean_nll}, {"perplexity", perplexity}};
}

EvalResult evaluateModel(const EvalRequest& request) {
  RuntimeInfo runtime = configureRuntime(request.threads, request.device);
  LoadedModel loaded = loadModelForInference(request.model_dir, runtime.device, "fp32", request.adapter_dir);
  CausalLmImpl& model = *loaded.model;
  const int64_t model_ctx = model.tokenContext();  // a soft prompt or a prefix takes its positions first
  const int64_t ctx = request.ctx == 0 ? model_ctx : request.ctx;
  if (ctx < 2 || ctx > model_ctx) {
    throwConfigError(
        "`ctx` is " + std::to_string(ctx) + "; allowed: 2 to the model's context " + std::to_string(model_ctx) +
        (model.virtualTokens() > 0 ? " (" + std::to_string(model.contextLength()) + " less the " +
                                         std::to_string(model.virtualTokens()) + " virtual tokens of the adapter)"
                                   : std::string()));
  }
  std::string text = readTextFile(request.data_file);
  std::vector<int> ids = loaded.tokenizer->encode(text);
  EvalResult result;
  result.tokens = static_cast<int64_t>(ids.size());
  if (ids.size() < 2) throwInputError(request.data_file.string() + ": fewer than 2 tokens; nothing to evaluate");

  torch::NoGradGuard no_grad;
  auto device = model.device();
  const int64_t rows_per_chunk = std::max<int64_t>(1, kLogitsPerChunk / model.vocabSize());
  double total_nll = 0;
  auto scoreWindows = [&](int64_t first_window, int64_t count, int64_t length) {
    std::vector<int64_t> batch(static_cast<size_t>(count * length));
    for (int64_t w = 0; w < count; ++w) {
      for (int64_t t = 0; t < length; ++t) batch[w * length + t] = ids[(first_window + w) * ctx + t];
    }
    auto input = torch::tensor(batch, torch::kLong).view({count, length}).to(device);
    auto hidden = model.hidden(input.narrow(1, 0, length - 1));
    hidden = hidden.reshape({-1, hidden.size(-1)});
    auto targets = input.narrow(1, 1, length - 1).reshape({-1});
    for (int64_t row = 0; row < hidden.size(0); row += rows_per_chunk) {
      const int64_t rows = std::min(rows_per_chunk, hidden.size(0) - row);
      auto logits = model.headLogits(hidden.narrow(0, row, rows)).to(torch::kFloat32);
      total_nll +=
          torch::nn::functional::cross_entropy(logits, targets.narrow(0, row, rows),
                                               torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
              .item<double>();
    }
    result.predicted_tokens += count * (length - 1);
  };
  // Full windows go through in batches; the shorter tail window on its own.
  const int64_t batch_windows = std::max<int64_t>(1, kEvalTokensPerBatch / ctx);
  const int64_t full_windows = result.tokens / ctx;
  for (int64_t w = 0; w < full_windows; w += batch_windows) {
    scoreWindows(w, std::min(batch_windows, full_windows - w), ctx);
  }
  int64_t tail = result.tokens - full_windows * ctx;
  if (tail >= 2) scoreWindows(full_windows, 1, tail);
  result.mean_nll = total_nll / static_cast<double>(result.predicted_tokens);
  result.perplexity = std::exp(result.mean_nll);
  return result;
}

std::string generateText(const GenerateRequest& request, bool stream_to_stdout) {
  validateSampling(request.sampling);
  RuntimeInfo runtime = configureRuntime(request.threads, request.device);
  LoadedModel loaded =
      loadModelForInference(request.model_dir, runtime.device,
                            resolveInferencePrecision(request.precision, runtime.device), request.adapter_dir);
  const Tokenizer& tokenizer = *loaded.tokenizer;
  // What the model's own files put before a text (Llama's bos), then the prompt.
  std::vector<int64_t> prompt_ids;
  for (int id : tokenizer.prefixIds()) prompt_ids.push_back(id);
  for (int id : tokenizer.encode(request.prompt)) prompt_ids.push_back(id);
  const std::vector<int> stop_ids = tokenizer.stopIds();
  if (prompt_ids.empty()) prompt_ids.push_back(!stop_ids.empty() ? stop_ids.front() : 0);
  SamplingOptions options = request.sampling;
  options.eos_id = -1;  // the callback below stops at every stop id, not only the first

  if (stream_to_stdout) {
    std::fputs(request.prompt.c_str(), stdout);
    std::fflush(stdout);
  }
  TextStream stream(request.stop);
  auto emit = [&](const std::string& text) {
    if (stream_to_stdout && !text.empty()) {
      std::fwrite(text.data(), 1, text.size(), stdout);
      std::fflush(stdout);
    }
  };
  std::vector<int> generated;
  generate(*loaded.model, prompt_ids, options, [&](int64_t id) {
    if (std::find(stop_ids.begin(), stop_ids.end(), static_cast<int>(id)) != stop_ids.end()) return false;
    generated.push_back(static_cast<int>(id));
    // Decoding everything generated so far keeps characters spread over several tokens intact.
    emit(stream.update(tokenizer.decode(generated)));
    return !stream.stopped();
  });
  emit(stream.finish());
  if (stream_to_stdout) std::fputs("\n", stdout);
  return stream.printed();
}

}  // namespace temper
