// The CPU dequantisation kernel: its AVX-512 path and its portable loop give the same bits, and
// both equal LibTorch's mul of the looked-up levels by the scales (into fp32, and rounded into bf16
// by LibTorch's own cast), for nf4 and int8, on random codes and on scales that are zero, huge,
// subnormal, infinite or NaN.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include "core/quant/dequantize_kernel.h"

namespace temper {
namespace {

constexpr int64_t kBlocks = 2100;  // over one parallel grain (1,024 blocks), not a multiple of it

torch::Tensor randomCodes(QuantKind kind) {
  const int64_t bytes = kBlocks * (kind == QuantKind::Nf4 ? 32 : 64);
  return torch::randint(0, 256, {bytes}, torch::kInt).to(torch::kUInt8);
}

torch::Tensor oddScales() {
  torch::Tensor s = torch::rand({kBlocks}) * 3.0;
  s[0] = 0.0F;
  s[1] = 3.0e38F;
  s[2] = 1.0e-40F;
  s[3] = INFINITY;
  s[4] = NAN;
  return s;
}

// LibTorch's reference: levels (fp32) times scales, as the weight's values in block order.
torch::Tensor reference(QuantKind kind, const torch::Tensor& codes, const torch::Tensor& scales) {
  torch::Tensor levels;
  if (kind == QuantKind::Nf4) {
    const auto& table = nf4CodeTable();
    const torch::Tensor t = torch::tensor(std::vector<float>(table.begin(), table.end()));
    const torch::Tensor c = codes.to(torch::kLong);
    levels = torch::stack({t.index_select(0, c.div(16, "floor")), t.index_select(0, c.remainder(16))}, 1);
  } else {
    levels = codes.view(torch::kInt8).to(torch::kFloat32);
  }
  return levels.reshape({kBlocks, 64}) * scales.unsqueeze(1);
}

TEST(DequantizeKernel, BothPathsEqualLibTorchsProductsInFp32AndBf16) {
  torch::manual_seed(21);
  for (QuantKind kind : {QuantKind::Nf4, QuantKind::Int8}) {
    SCOPED_TRACE(quantKindName(kind));
    const torch::Tensor codes = randomCodes(kind);
    const torch::Tensor scales = oddScales();
    const torch::Tensor want = reference(kind, codes, scales).reshape({-1});
    for (bool simd : {true, false}) {
      SCOPED_TRACE(simd ? "simd" : "portable");
      torch::Tensor fp32 = torch::empty({kBlocks * 64});
      dequantizeBlocksCpu(kind, codes.data_ptr<uint8_t>(), scales.data_ptr<float>(), kBlocks, fp32.data_ptr<float>(),
                          simd);
      // Bit for bit, on purpose: each value is ONE fp32 multiply of two exactly representable
      // operands (a table level or an int8 code, and the scale), which IEEE rounds the same way on
      // every CPU and in every implementation (no sum, no FMA, nothing to reorder); the bf16 form is
      // that product rounded to nearest-even, also exact. A tolerance would hide a wrong level or a
      // missed rounding, which is what this test is for. equal_nan: the NaN scale's block (and inf
      // times a zero level) is NaN in both.
      EXPECT_TRUE(torch::allclose(fp32, want, 0.0, 0.0, /*equal_nan=*/true));
      torch::Tensor bf16 = torch::empty({kBlocks * 64}, torch::kBFloat16);
      dequantizeBlocksCpu(kind, codes.data_ptr<uint8_t>(), scales.data_ptr<float>(), kBlocks,
                          reinterpret_cast<uint16_t*>(bf16.data_ptr<at::BFloat16>()), simd);
      EXPECT_TRUE(torch::allclose(bf16.to(torch::kFloat32), want.to(torch::kBFloat16).to(torch::kFloat32), 0.0, 0.0,
                                  /*equal_nan=*/true));
    }
  }
}

}  // namespace
}  // namespace temper
