#include "core/engine/bf16_probe.h"

#include "core/torch_api.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/common/cpu_features.h"
#include "core/common/json_io.h"

namespace temper {
namespace {

// Everything that changes the answer: the chip, the libraries, the threads and the shape.
std::string machineKey(const Bf16ProbeShape& s, const RuntimeInfo& runtime) {
  const CpuFeatures& cpu = cpuFeatures();
  std::string features;
  for (const auto& f : cpu.names()) features += f + ",";
  std::string core = runtime.blas_core.is_object() && runtime.blas_core.value("openblas_core", Json()).is_string()
                         ? runtime.blas_core["openblas_core"].get<std::string>()
                         : runtime.blas;
  return cpu.vendor + "|" + cpu.model_name + "|" + std::to_string(cpu.family) + "." + std::to_string(cpu.model) + "|" +
         features + "|torch " + runtime.torch_version + "|" + core + "|threads " +
         std::to_string(runtime.torch_threads) + "/" + std::to_string(runtime.blas_threads) + "|" +
         std::to_string(s.rows) + "x" + std::to_string(s.in) + "x" + std::to_string(s.out);
}

double secondsOf(const std::function<void()>& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Bf16ProbeResult measure(const Bf16ProbeShape& s) {
  torch::NoGradGuard no_grad;
  auto gen = torch::make_generator<at::CPUGeneratorImpl>(7);  // the probe leaves the global RNG alone
  const auto x32 = torch::randn({s.rows, s.in}, gen), w32 = torch::randn({s.out, s.in}, gen);
  const auto x16 = x32.to(torch::kBFloat16), w16 = w32.to(torch::kBFloat16);
  double best32 = 1e30, best16 = 1e30;
  // One warm-up each (oneDNN builds its kernel on the first call), then alternate, keep the fastest.
  (void)torch::linear(x32, w32);
  (void)torch::linear(x16, w16);
  for (int i = 0; i < 5; ++i) {
    best32 = std::min(best32, secondsOf([&] { (void)torch::linear(x32, w32); }));
    best16 = std::min(best16, secondsOf([&] { (void)torch::linear(x16, w16); }));
  }
  const double flops = 2.0 * static_cast<double>(s.rows) * static_cast<double>(s.in) * static_cast<double>(s.out);
  return Bf16ProbeResult{flops / best32 / 1e9, flops / best16 / 1e9, false};
}

Json readCache(const std::filesystem::path& file) {
  if (file.empty() || !std::filesystem::exists(file)) return Json::object();
  try {
    Json cache = readJsonFile(file);
    return cache.is_object() ? cache : Json::object();
  } catch (const std::exception&) {
    return Json::object();  // a damaged cache is measured again and rewritten
  }
}

}  // namespace

Bf16ProbeResult probeBf16(const Bf16ProbeShape& requested, const RuntimeInfo& runtime,
                          const std::filesystem::path& cache_file) {
  Bf16ProbeShape shape = requested;
  shape.rows = std::clamp<int64_t>(shape.rows, 1, kProbeRows);
  const std::string key = machineKey(shape, runtime);
  Json cache = readCache(cache_file);
  if (cache.contains(key) && cache[key].is_object()) {
    const Json& hit = cache[key];
    if (hit.value("fp32_gflops", 0.0) > 0 && hit.value("bf16_gflops", 0.0) > 0) {
      return Bf16ProbeResult{hit["fp32_gflops"].get<double>(), hit["bf16_gflops"].get<double>(), true};
    }
  }
  Bf16ProbeResult result = measure(shape);
  if (!cache_file.empty()) {
    cache[key] = Json{{"fp32_gflops", result.fp32_gflops}, {"bf16_gflops", result.bf16_gflops}};
    try {
      std::filesystem::create_directories(cache_file.parent_path());
      writeJsonFileAtomic(cache_file, cache);
    } catch (const std::exception&) {
      // A read-only workspace only costs the next run the same few milliseconds.
    }
  }
  return result;
}

bool bf16PaysAtShape(const Bf16ProbeShape& shape, const RuntimeInfo& runtime, const std::filesystem::path& cache_file,
                     std::string& why) {
  const Bf16ProbeResult r = probeBf16(shape, runtime, cache_file);
  char text[200];
  std::snprintf(
      text, sizeof(text), "bf16 products %.2fx fp32 here (%.0f vs %.0f GFLOP/s at %lldx%lldx%lld%s; needs %.1fx)",
      r.speedup(), r.bf16_gflops, r.fp32_gflops, static_cast<long long>(std::min(shape.rows, kProbeRows)),
      static_cast<long long>(shape.in), static_cast<long long>(shape.out), r.cached ? ", cached" : "", kBf16MinSpeedup);
  why = text;
  return r.speedup() >= kBf16MinSpeedup;
}

}  // namespace temper
