// Blockwise int8 and NF4 codes: bytes computed by hand for hand-made blocks (code points, values
// either side of bitsandbytes' midpoints, a tie, an all-zero block), the packing order, the
// round-trip error bounds, the stored size, and double quantisation of the scales.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include <cmath>
#include <vector>

#include "core/common/error.h"
#include "core/quant/quantized_weight.h"

namespace temper {
namespace {

std::vector<uint8_t> bytesOf(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous().to(torch::kUInt8);
  return {c.data_ptr<uint8_t>(), c.data_ptr<uint8_t>() + c.numel()};
}

// One NF4 block (absmax 1) whose codes were worked out by hand from bitsandbytes' table.
std::vector<float> handBlock() {
  const auto& nf4 = nf4CodeTable();
  std::vector<float> v(nf4.begin(), nf4.end());  // codes 0..15 in order
  // Midpoints: 12|13 at 0.50167, 1|2 at -0.61063, 7|8 at 0.03979, 6|7 at -0.04553.
  for (float x : {0.5F, 0.51F, -0.6F, -0.62F, 0.04F, 0.039F, -0.045F, -0.046F}) v.push_back(x);
  // bitsandbytes' 7|8 threshold itself stays at the lower level (its tree tests x > t); one ulp up
  // takes the upper.
  const float t78 = 0.03979014977812767F;
  v.push_back(t78);
  v.push_back(std::nextafter(t78, 1.0F));
  v.push_back(0.95F);  // above 0.86148: 15
  v.push_back(-0.9F);  // below -0.84810: 0
  v.resize(64, 0.0F);  // zeros: code 7
  return v;
}

const std::vector<uint8_t> kHandBlockBytes = {
    0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,  // the levels themselves, high nibble first
    0xCD, 0x21, 0x87, 0x76, 0x78, 0xF0,              // around the midpoints
    0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77};

TEST(Nf4, TheTableIsBitsandbytes) {
  const std::vector<float> expected = {-1.0F,
                                       -0.6961928009986877F,
                                       -0.5250730514526367F,
                                       -0.39491748809814453F,
                                       -0.28444138169288635F,
                                       -0.18477343022823334F,
                                       -0.09105003625154495F,
                                       0.0F,
                                       0.07958029955625534F,
                                       0.16093020141124725F,
                                       0.24611230194568634F,
                                       0.33791524171829224F,
                                       0.44070982933044434F,
                                       0.5626170039176941F,
                                       0.7229568362236023F,
                                       1.0F};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(nf4CodeTable()[i], expected[i]) << i;
}

TEST(Nf4, HandMadeBlocksGiveHandComputedBytes) {
  std::vector<float> values = handBlock();
  for (float x : handBlock()) values.push_back(4.0F * x);  // a power of two: the same codes, absmax 4
  values.resize(3 * 64, 0.0F);                             // an all-zero block
  const torch::Tensor w = torch::tensor(values).view({3, 64});
  const QuantizedWeight q = QuantizedWeight::quantize(w, {QuantKind::Nf4, false});
  ASSERT_EQ(q.codes().numel(), 3 * 32);
  std::vector<uint8_t> expected = kHandBlockBytes;
  expected.insert(expected.end(), kHandBlockBytes.begin(), kHandBlockBytes.end());
  expected.insert(expected.end(), 32, 0x77);
  EXPECT_EQ(bytesOf(q.codes()), expected);
  EXPECT_TRUE(torch::equal(q.absmax(), torch::tensor({1.0F, 4.0F, 0.0F})));

  // Dequantised: the level of each code times the block's absmax.
  const torch::Tensor deq = q.dequantize();
  const auto& nf4 = nf4CodeTable();
  const std::vector<uint8_t>& bytes = kHandBlockBytes;
  for (int64_t i = 0; i < 64; ++i) {
    const uint8_t byte = bytes[static_cast<size_t>(i / 2)];
    const int code = i % 2 == 0 ? byte >> 4 : byte & 0x0F;
    EXPECT_EQ(deq[0][i].item<float>(), nf4[static_cast<size_t>(code)]) << i;
    EXPECT_EQ(deq[1][i].item<float>(), 4.0F * nf4[static_cast<size_t>(code)]) << i;
    EXPECT_EQ(deq[2][i].item<float>(), 0.0F) << i;
  }
}

TEST(Int8, HandMadeBlockGivesHandComputedCodes) {
  // absmax 127: the code is the value rounded.
  std::vector<float> values = {127.0F, -127.0F, 0.0F, 1.0F, -1.0F, 10.4F, 10.6F, -10.4F, -10.6F, 63.0F, 100.49F};
  const std::vector<int> codes = {127, -127, 0, 1, -1, 10, 11, -10, -11, 63, 100};
  values.resize(64, 0.0F);
  const QuantizedWeight q = QuantizedWeight::quantize(torch::tensor(values).view({1, 64}), {QuantKind::Int8, false});
  ASSERT_EQ(q.codes().scalar_type(), torch::kInt8);
  for (size_t i = 0; i < 64; ++i) {
    const int expected = i < codes.size() ? codes[i] : 0;
    EXPECT_EQ(q.codes()[static_cast<int64_t>(i)].item<int>(), expected) << i;
    EXPECT_EQ(q.dequantize()[0][static_cast<int64_t>(i)].item<float>(), static_cast<float>(expected)) << i;
  }
}

/// max over the table of half the gap between neighbouring levels (0.1519: between -1 and -0.6962).
double nf4MaxHalfGap() {
  double half = 0;
  const auto& nf4 = nf4CodeTable();
  for (size_t i = 1; i < nf4.size(); ++i) half = std::max(half, 0.5 * (double(nf4[i]) - double(nf4[i - 1])));
  return half;
}

// |W − deq(q(W))| per block against the kind's bound, the blocks cut from the flattened weight
// (padded to whole blocks). With double quantisation the stored scales differ from the true absmax,
// and that difference (times the largest level, 1) adds to the bound.
void expectWithinBound(const torch::Tensor& w, const QuantizedWeight& q) {
  const int64_t n = w.numel(), blocks = q.blocks();
  torch::Tensor flat = torch::zeros({blocks * 64}, torch::kFloat64);
  flat.narrow(0, 0, n).copy_(w.reshape({-1}));
  torch::Tensor deq = torch::zeros({blocks * 64}, torch::kFloat64);
  deq.narrow(0, 0, n).copy_(q.dequantize().reshape({-1}));
  const torch::Tensor err = (flat - deq).abs().view({blocks, 64}).amax(1);
  const torch::Tensor absmax = flat.abs().view({blocks, 64}).amax(1);
  const torch::Tensor stored = q.absmax().to(torch::kFloat64);
  const double unit = q.kind() == QuantKind::Nf4 ? nf4MaxHalfGap() : 1.0 / 254.0;
  // Codes are chosen against the true absmax and decoded with the stored one.
  const torch::Tensor bound = absmax * unit * (1 + 1e-5) + (absmax - stored).abs() + 1e-7;
  EXPECT_TRUE((err <= bound).all().item<bool>()) << "worst excess " << (err - bound).max().item<double>();
}

TEST(RoundTrip, ErrorsStayWithinTheBoundsPerBlock) {
  torch::manual_seed(3);
  // 37 × 70 = 2590 values: not a whole number of blocks, so the last one is padded.
  const torch::Tensor w = torch::randn({37, 70}) * torch::rand({37, 1}) * 3.0;
  for (QuantKind kind : {QuantKind::Int8, QuantKind::Nf4}) {
    for (bool double_quant : {false, true}) {
      const QuantizedWeight q = QuantizedWeight::quantize(w, {kind, double_quant});
      EXPECT_EQ(q.blocks(), 41);
      EXPECT_EQ(q.dequantize().sizes(), w.sizes());
      SCOPED_TRACE(std::string(quantKindName(kind)) + (double_quant ? " double" : ""));
      expectWithinBound(w, q);
      if (!double_quant) {
        // Without double quantisation the stored scales are the blocks' absmax exactly.
        const torch::Tensor whole = w.reshape({-1}).narrow(0, 0, 40 * 64).abs().view({40, 64}).amax(1);
        EXPECT_TRUE(torch::equal(q.absmax().narrow(0, 0, 40), whole));
      }
    }
  }
}

TEST(RoundTrip, RowsDequantiseToTheWholeWeightsRows) {
  // 600 × 70: rows straddle blocks (70 values a row); 656 blocks, so the double-quantised scales
  // span three second-level groups and a range of rows crosses from one group into the next.
  torch::manual_seed(11);
  const torch::Tensor w = torch::randn({600, 70});
  for (QuantKind kind : {QuantKind::Int8, QuantKind::Nf4}) {
    for (bool double_quant : {false, true}) {
      const QuantizedWeight q = QuantizedWeight::quantize(w, {kind, double_quant});
      SCOPED_TRACE(std::string(quantKindName(kind)) + (double_quant ? " double" : ""));
      const torch::Tensor whole = q.dequantize();
      for (auto [first, count] : {std::pair<int64_t, int64_t>{0, 600}, {0, 1}, {1, 1}, {3, 17}, {200, 300}, {599, 1}}) {
        EXPECT_TRUE(torch::equal(q.dequantizeRows(first, count), whole.narrow(0, first, count)))
            << first << " + " << count;
      }
      EXPECT_TRUE(
          torch::equal(q.dequantizeRows(250, 40, torch::kBFloat16), q.dequantize(torch::kBFloat16).narrow(0, 250, 40)));
      EXPECT_THROW(q.dequantizeRows(590, 11), c10::Error);
    }
  }
}

TEST(RoundTrip, ALayerOfSeveralChunksIsTheSameAsItsPartsQuantisedAlone) {
  // 1030 × 1024: 16480 blocks, more than one chunk of work; the last 30 rows are whole blocks.
  torch::manual_seed(7);
  const torch::Tensor w = torch::randn({1030, 1024});
  for (QuantKind kind : {QuantKind::Int8, QuantKind::Nf4}) {
    const QuantizedWeight whole = QuantizedWeight::quantize(w, {kind, false});
    const QuantizedWeight tail = QuantizedWeight::quantize(w.narrow(0, 1000, 30), {kind, false});
    EXPECT_TRUE(torch::equal(whole.dequantize().narrow(0, 1000, 30), tail.dequantize())) << quantKindName(kind);
    expectWithinBound(w, whole);
  }
}

TEST(RoundTrip, Nf4TakesTheNearestLevel) {
  torch::manual_seed(4);
  const torch::Tensor w = torch::randn({16, 64});
  const QuantizedWeight q = QuantizedWeight::quantize(w, {QuantKind::Nf4, false});
  const torch::Tensor absmax = w.abs().amax(1, true).to(torch::kFloat64);
  const torch::Tensor normalised = w.to(torch::kFloat64) / absmax;
  const torch::Tensor levels = torch::tensor(std::vector<float>(nf4CodeTable().begin(), nf4CodeTable().end()));
  const torch::Tensor nearest = (normalised.unsqueeze(-1) - levels.to(torch::kFloat64)).abs().amin(-1);
  const torch::Tensor chosen = (normalised - q.dequantize(torch::kFloat64) / absmax).abs();
  EXPECT_LE((chosen - nearest).max().item<double>(), 1e-6);
}

TEST(RoundTrip, Bf16AndDoubleOutputsAreTheFp32ValuesRounded) {
  torch::manual_seed(5);
  const torch::Tensor w = torch::randn({8, 128});
  const QuantizedWeight q = QuantizedWeight::quantize(w, {QuantKind::Nf4, true});
  const torch::Tensor fp32 = q.dequantize(torch::kFloat32);
  EXPECT_TRUE(torch::equal(q.dequantize(torch::kBFloat16), fp32.to(torch::kBFloat16)));
  EXPECT_TRUE(torch::equal(q.dequantize(torch::kFloat64), fp32.to(torch::kFloat64)));
}

TEST(Storage, BytesCountCodesAndScales) {
  const torch::Tensor w = torch::randn({128, 256});  // 512 blocks
  EXPECT_EQ(QuantizedWeight::quantize(w, {QuantKind::Nf4, false}).bytes(), 512 * 32 + 512 * 4);
  // Double quantisation: 512 int8 scales, 2 fp32 second-level scales, one fp32 offset.
  EXPECT_EQ(QuantizedWeight::quantize(w, {QuantKind::Nf4, true}).bytes(), 512 * 32 + 512 + 2 * 4 + 4);
  EXPECT_EQ(QuantizedWeight::quantize(w, {QuantKind::Int8, false}).bytes(), 512 * 64 + 512 * 4);
}

TEST(Storage, DoubleQuantisedScalesStayWithinHalfAStep) {
  torch::manual_seed(6);
  const torch::Tensor w = torch::randn({300, 128}) * torch::rand({300, 1});  // 600 blocks: 3 scale groups
  const QuantizedWeight plain = QuantizedWeight::quantize(w, {QuantKind::Nf4, false});
  const QuantizedWeight twice = QuantizedWeight::quantize(w, {QuantKind::Nf4, true});
  const torch::Tensor a = plain.absmax(), stored = twice.absmax();
  const torch::Tensor centred = a - a.mean();
  for (int64_t g = 0; g < 3; ++g) {
    const int64_t count = std::min<int64_t>(256, 600 - g * 256);
    const double group_max = centred.narrow(0, g * 256, count).abs().max().item<double>();
    const double err = (a - stored).narrow(0, g * 256, count).abs().max().item<double>();
    EXPECT_LE(err, group_max / 254.0 * (1 + 1e-4) + 1e-7) << g;
  }
}

TEST(Kind, ParsesTheThreeNamesAndRefusesOthers) {
  EXPECT_EQ(parseQuantKind("none"), QuantKind::None);
  EXPECT_EQ(parseQuantKind("int8"), QuantKind::Int8);
  EXPECT_EQ(parseQuantKind("nf4"), QuantKind::Nf4);
  try {
    parseQuantKind("fp4");
    FAIL() << "fp4 accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidConfig);
    EXPECT_NE(std::string(e.what()).find("base-quant"), std::string::npos);
  }
}

}  // namespace
}  // namespace temper
