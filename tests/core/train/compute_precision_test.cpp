// The `precision` key and the autocast scope the training loop puts around each forward pass: the
// per-device choice (auto asks the bf16 probe only on a CPU with bf16 hardware), and that the scope
// turns the right device's autocast (a thread-local flag and dtype) on with bf16 and restores the
// previous state, nested or not, leaving the other device alone.
#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include "core/common/cpu_features.h"
#include "core/common/error.h"
#include "core/torch_compat/torch_compat.h"
#include "core/train/compute_precision.h"

namespace temper {
namespace {

TEST(ComputePrecision, ForcedValuesHoldOnEveryDevice) {
  for (const char* device : {"cpu", "cuda"}) {
    EXPECT_EQ(resolvePrecision("fp32", device).precision, ComputePrecision::Fp32);
    EXPECT_EQ(resolvePrecision("bf16", device).precision, ComputePrecision::Bf16Autocast);
  }
  EXPECT_EQ(resolvePrecision("auto", "cuda").precision, ComputePrecision::Bf16Autocast);
  EXPECT_STREQ(precisionName(ComputePrecision::Fp32), "fp32");
  EXPECT_STREQ(precisionName(ComputePrecision::Bf16Autocast), "bf16-autocast");
}

TEST(ComputePrecision, AutoOnTheCpuAsksTheProbeOnlyWhereBf16IsInHardware) {
  int asked = 0;
  auto says = [&](bool answer) {
    return [&asked, answer](std::string& why) {
      ++asked;
      why = "probe figures";
      return answer;
    };
  };
  const PrecisionChoice yes = resolvePrecision("auto", "cpu", says(true));
  const PrecisionChoice no = resolvePrecision("auto", "cpu", says(false));
  if (cpuFeatures().hasFastBf16()) {
    EXPECT_EQ(asked, 2);
    EXPECT_EQ(yes.precision, ComputePrecision::Bf16Autocast);
    EXPECT_NE(yes.reason.find("probe figures"), std::string::npos) << yes.reason;
    EXPECT_EQ(no.precision, ComputePrecision::Fp32);
    EXPECT_NE(no.reason.find("probe figures"), std::string::npos) << no.reason;
  } else {
    EXPECT_EQ(asked, 0) << "a CPU without bf16 hardware needs no probe";
    EXPECT_EQ(yes.precision, ComputePrecision::Fp32);
    EXPECT_NE(yes.reason.find("neither AMX nor AVX512_BF16"), std::string::npos) << yes.reason;
  }
  EXPECT_EQ(resolvePrecision("auto", "cuda", says(false)).precision, ComputePrecision::Bf16Autocast);
}

TEST(ComputePrecision, AnUnknownValueIsAConfigErrorNamingTheKey) {
  try {
    resolvePrecision("fp16", "cuda");
    FAIL() << "fp16 was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidConfig);
    EXPECT_NE(std::string(e.what()).find("`precision`"), std::string::npos) << e.what();
  }
}

TEST(ComputePrecision, ScopeTurnsItsDevicesAutocastOnWithBf16AndRestoresIt) {
  for (const char* device : {"cpu", "cuda"}) {
    const at::DeviceType type = std::string(device) == "cuda" ? at::kCUDA : at::kCPU;
    const at::DeviceType other = type == at::kCUDA ? at::kCPU : at::kCUDA;
    ASSERT_FALSE(compat::autocastEnabled(type));
    const auto before = compat::autocastDtype(type);
    {
      AutocastScope outer(ComputePrecision::Bf16Autocast, device);
      EXPECT_TRUE(compat::autocastEnabled(type));
      EXPECT_FALSE(compat::autocastEnabled(other)) << device;
      EXPECT_EQ(compat::autocastDtype(type), at::kBFloat16);
      {
        AutocastScope inner(ComputePrecision::Bf16Autocast, device);
        EXPECT_TRUE(compat::autocastEnabled(type));
      }
      EXPECT_TRUE(compat::autocastEnabled(type)) << "the inner scope must not turn off the outer one";
      EXPECT_EQ(compat::autocastDtype(type), at::kBFloat16);
    }
    EXPECT_FALSE(compat::autocastEnabled(type));
    EXPECT_EQ(compat::autocastDtype(type), before);
    {
      AutocastScope fp32(ComputePrecision::Fp32, device);
      EXPECT_FALSE(compat::autocastEnabled(type));
    }
  }
}

TEST(ComputePrecision, CpuScopeRunsProductsInBf16AndCudaScopeLeavesTheCpuAlone) {
  torch::manual_seed(1);
  auto a = torch::randn({8, 16}), b = torch::randn({16, 4});
  auto plain = torch::mm(a, b);
  torch::Tensor cuda_scoped, cpu_scoped;
  {
    AutocastScope scope(ComputePrecision::Bf16Autocast, "cuda");
    cuda_scoped = torch::mm(a, b);
  }
  {
    AutocastScope scope(ComputePrecision::Bf16Autocast, "cpu");
    cpu_scoped = torch::mm(a, b);
  }
  EXPECT_EQ(cuda_scoped.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::equal(plain, cuda_scoped)) << "a CUDA run's scope changed CPU arithmetic";
  EXPECT_EQ(cpu_scoped.scalar_type(), torch::kBFloat16);
  // Inputs rounded to bf16 (8 significant bits: relative error <= 2^-8 each), products summed in
  // fp32: each term a_i b_i is off by at most (1 + 2^-8)^2 - 1 < 2.01 * 2^-8 of |a_i b_i|.
  auto bound = 2.01 * std::pow(2.0, -8) * torch::mm(a.abs(), b.abs()).to(torch::kDouble) + 1e-6;
  auto err = (cpu_scoped.to(torch::kDouble) - plain.to(torch::kDouble)).abs();
  EXPECT_TRUE((err <= bound).all().item<bool>()) << (err / bound).max();
}

}  // namespace
}  // namespace temper
