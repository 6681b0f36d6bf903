// The `precision` key and the autocast scope the training loop puts around each forward pass.
// This machine's LibTorch has no CUDA, so what is checked is the part that does not need a GPU:
// the per-device choice, the refusal of bf16 on the CPU, and that the scope turns CUDA autocast
// (a thread-local flag and dtype) on with bf16 and restores the previous state, nested or not.
#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/common/error.h"
#include "core/torch_compat/torch_compat.h"
#include "core/train/compute_precision.h"

namespace temper {
namespace {

TEST(ComputePrecision, AutoIsFp32OnTheCpuAndBf16OnCuda) {
  EXPECT_EQ(resolvePrecision("auto", "cpu"), ComputePrecision::Fp32);
  EXPECT_EQ(resolvePrecision("auto", "cuda"), ComputePrecision::Bf16Autocast);
  EXPECT_EQ(resolvePrecision("fp32", "cuda"), ComputePrecision::Fp32);
  EXPECT_EQ(resolvePrecision("bf16", "cuda"), ComputePrecision::Bf16Autocast);
  EXPECT_STREQ(precisionName(ComputePrecision::Fp32), "fp32");
  EXPECT_STREQ(precisionName(ComputePrecision::Bf16Autocast), "bf16-autocast");
}

TEST(ComputePrecision, Bf16OnTheCpuIsAConfigErrorNamingTheKey) {
  try {
    resolvePrecision("bf16", "cpu");
    FAIL() << "bf16 on the CPU was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidConfig);
    EXPECT_NE(std::string(e.what()).find("`precision`"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("CUDA"), std::string::npos) << e.what();
  }
  EXPECT_THROW(resolvePrecision("fp16", "cuda"), Error);
}

TEST(ComputePrecision, ScopeTurnsCudaAutocastOnWithBf16AndRestoresIt) {
  ASSERT_FALSE(compat::cudaAutocastEnabled());
  const auto before = compat::cudaAutocastDtype();  // fp16, PyTorch's default
  {
    AutocastScope outer(ComputePrecision::Bf16Autocast);
    EXPECT_TRUE(compat::cudaAutocastEnabled());
    EXPECT_EQ(compat::cudaAutocastDtype(), at::kBFloat16);
    {
      AutocastScope inner(ComputePrecision::Bf16Autocast);
      EXPECT_TRUE(compat::cudaAutocastEnabled());
    }
    EXPECT_TRUE(compat::cudaAutocastEnabled()) << "the inner scope must not turn off the outer one";
    EXPECT_EQ(compat::cudaAutocastDtype(), at::kBFloat16);
  }
  EXPECT_FALSE(compat::cudaAutocastEnabled());
  EXPECT_EQ(compat::cudaAutocastDtype(), before);
  {
    AutocastScope fp32(ComputePrecision::Fp32);
    EXPECT_FALSE(compat::cudaAutocastEnabled());
  }
}

TEST(ComputePrecision, CudaAutocastLeavesCpuComputationInFp32) {
  // The scope is put around every forward pass whatever the device: on the CPU it must change
  // nothing, bit for bit.
  torch::manual_seed(1);
  auto a = torch::randn({8, 16}), b = torch::randn({16, 4});
  auto plain = torch::mm(a, b);
  torch::Tensor scoped;
  {
    AutocastScope scope(ComputePrecision::Bf16Autocast);
    scoped = torch::mm(a, b);
  }
  EXPECT_EQ(scoped.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::equal(plain, scoped));
}

}  // namespace
}  // namespace temper
