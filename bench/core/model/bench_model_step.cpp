// Not a test: times one training step's forward + loss + backward of a GPT-2 and a Llama of the
// same size on the CPU, alternating the two so that machine noise hits both alike; prints medians.
//
// Usage: bench_model_step [steps=10] [threads=0: every core] [attention=own|library|both];
// TEMPER_BENCH_PROFILE=DIR, see below. `attention` picks Temper's fused CPU attention or the
// library's (SDPA on LibTorch 2.x, the eager composition on 1.13); `both` alternates them per step.
// Shapes: 4 layers, hidden 256, 4 heads (Llama: 2 kv heads, SwiGLU 688 ~ 8/3 * 256), context 256,
// batch 8, vocabulary 4096 (the shapes of docs/threads.md).
#include <dlfcn.h>
#include <torch/csrc/autograd/profiler_legacy.h>
#include "core/torch_api.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "core/model/gpt.h"
#include "core/model/llama.h"
#include "core/torch_compat/torch_compat.h"

namespace {

double stepMs(temper::CausalLmImpl& model, const torch::Tensor& ids, const torch::Tensor& targets) {
  auto start = std::chrono::steady_clock::now();
  model.zero_grad();
  auto loss = model.loss(ids, targets);
  loss.backward();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int steps = argc > 1 ? std::atoi(argv[1]) : 10;
  int threads = argc > 2 ? std::atoi(argv[2]) : 0;
  const std::string attention = argc > 3 ? argv[3] : "own";
  std::vector<bool> own_attention;  // the attention paths to time, alternating
  if (attention == "own" || attention == "both") own_attention.push_back(true);
  if (attention == "library" || attention == "both") own_attention.push_back(false);
  if (own_attention.empty()) {
    std::fprintf(stderr, "attention must be own, library or both, not %s\n", attention.c_str());
    return 2;
  }
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
  using SetThreads = void (*)(int);
  using GetConfig = char* (*)();
  if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(threads);
  auto config = reinterpret_cast<GetConfig>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
  std::printf("LibTorch %s, torch threads %d, BLAS %s\n", temper::compat::torchVersion().c_str(), threads,
              config ? config() : (at::hasMKL() ? "MKL" : "(not OpenBLAS)"));

  const int64_t batch = 8, ctx = 256, vocab = 4096;
  temper::GptConfig gc;
  gc.vocab_size = vocab;
  gc.context = ctx;
  gc.dim = 256;
  gc.layers = 4;
  gc.heads = 4;
  temper::LlamaConfig lc;
  lc.vocab_size = vocab;
  lc.max_positions = ctx;
  lc.hidden_size = 256;
  lc.intermediate_size = 688;
  lc.layers = 4;
  lc.heads = 4;
  lc.kv_heads = 2;
  lc.head_dim = 64;
  torch::manual_seed(1);
  temper::Gpt gpt(gc);
  temper::Llama llama(lc);
  temper::LlamaConfig tied_config = lc;
  tied_config.tie_word_embeddings = true;
  temper::Llama tied(tied_config);
  auto ids = torch::randint(vocab, {batch, ctx}, torch::kLong);
  auto targets = torch::randint(vocab, {batch, ctx}, torch::kLong);

  const size_t paths = own_attention.size();
  std::vector<std::vector<double>> gpt_ms(paths), llama_ms(paths), tied_ms(paths);
  for (int i = 0; i < steps + 2; ++i) {
    for (size_t p = 0; p < paths; ++p) {
      temper::compat::setPreferOwnCpuAttention(own_attention[p]);
      double g = stepMs(*gpt, ids, targets), l = stepMs(*llama, ids, targets), t = stepMs(*tied, ids, targets);
      if (i >= 2) gpt_ms[p].push_back(g), llama_ms[p].push_back(l), tied_ms[p].push_back(t);  // 2 warm-up steps
    }
  }
  const double tokens = static_cast<double>(batch * ctx);
  auto report = [&](const std::string& name, temper::CausalLmImpl& model, const std::vector<double>& ms) {
    std::printf("%-44s %9lld params  median %7.1f ms/step  %7.0f tokens/s\n", name.c_str(),
                static_cast<long long>(model.parameterCount()), median(ms), tokens / median(ms) * 1000.0);
  };
  for (size_t p = 0; p < paths; ++p) {
    const std::string with = own_attention[p] ? ", own attention" : ", library attention";
    report("gpt2 (tied)" + with, *gpt, gpt_ms[p]);
    report("llama (gqa 4/2, untied)" + with, *llama, llama_ms[p]);
    report("llama (gqa 4/2, tied)" + with, *tied, tied_ms[p]);
  }
  temper::compat::setPreferOwnCpuAttention(own_attention.front());
  // TEMPER_BENCH_PROFILE=DIR: one more step of each model under the autograd profiler, written as
  // chrome://tracing files DIR/gpt2.trace and DIR/llama.trace.
  if (const char* dir = std::getenv("TEMPER_BENCH_PROFILE")) {
    {
      torch::autograd::profiler::RecordProfile guard(std::string(dir) + "/gpt2.trace");
      stepMs(*gpt, ids, targets);
    }
    {
      torch::autograd::profiler::RecordProfile guard(std::string(dir) + "/llama.trace");
      stepMs(*llama, ids, targets);
    }
  }
  return 0;
}
