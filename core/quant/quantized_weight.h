#pragma once
/// A frozen base weight stored blockwise in 8 or 4 bits, as QLoRA trains on it (docs/peft.md,
/// "Quantised base (QLoRA)"). A 2-D float weight (out, in) is flattened row-major and cut into
/// blocks of 64 values; each block keeps one absmax scale and one code per value:
///   - int8: round(x / absmax · 127) as int8 (round half to even), so |x − deq| ≤ absmax / 254;
///   - nf4: the index of the NF4 level (bitsandbytes' 16-value NormalFloat table, nf4CodeTable())
///     nearest to x / absmax, two indices per byte, the first value of a pair in the HIGH nibble
///     (bitsandbytes' order); a tie at a midpoint takes the lower level, as bitsandbytes'
///     `x > threshold` tree does. |x − deq| ≤ absmax · 0.1385216 (half the widest gap, 1 − 0.7229568).
/// With double quantisation (bitsandbytes' compress_statistics) the fp32 scales are stored as an
/// fp32 offset (their mean) and the differences quantised to absmax int8 in blocks of 256 scales.
/// Immutable once built; safe to read (dequantize) from several threads at once.
#include "core/torch_api.h"

#include <array>
#include <cstdint>
#include <string>

namespace temper {

enum class QuantKind { None, Int8, Nf4 };

/// "none", "int8", "nf4": the values of the `base-quant` key and `bench train --base-quant`.
const char* quantKindName(QuantKind kind);
/// Throws Error(InvalidConfig) naming `key` for anything but none, int8 and nf4.
QuantKind parseQuantKind(const std::string& value, const std::string& key = "base-quant");

struct QuantOptions {
  QuantKind kind = QuantKind::None;
  /// Quantise the per-block scales too (QLoRA's double quantisation): 4.03 instead of 4.5 bits per
  /// weight for nf4.
  bool double_quant = true;
};

/// bitsandbytes' NF4 levels (functional.py get_4bit_type("nf4"), csrc/kernels.cu), index = code.
const std::array<float, 16>& nf4CodeTable();

class QuantizedWeight {
 public:
  static constexpr int64_t kBlock = 64;        ///< values per absmax scale
  static constexpr int64_t kScaleBlock = 256;  ///< scales per second-level scale (double quantisation)

  /// Quantises `weight` (rows, cols; any float dtype, any device: the codes stay on its device).
  /// Works through the weight in chunks, so its temporaries stay small next to the weight.
  static QuantizedWeight quantize(const torch::Tensor& weight, const QuantOptions& options);

  /// The (rows, cols) weight in `dtype` (fp32, bf16, fp16 or fp64), on the codes' device: one
  /// allocation of that size plus temporaries of a few MiB, never a whole-layer index tensor.
  torch::Tensor dequantize(torch::ScalarType dtype = torch::kFloat32) const;
  /// Rows [first_row, first_row + count) of the weight in `dtype`, (count, cols): the same values
  /// as those rows of dequantize(), made from the blocks that hold them alone (a block may straddle
  /// two rows when cols is not a multiple of 64).
  /// With `scratch`, the values are written into it (grown when too small) and the result is a view
  /// of it, valid until its next use: a caller that dequantises chunk after chunk reuses one buffer
  /// instead of asking the allocator for a fresh one each time.
  torch::Tensor dequantizeRows(int64_t first_row, int64_t count, torch::ScalarType dtype = torch::kFloat32,
                               torch::Tensor* scratch = nullptr) const;

  QuantKind kind() const { return kind_; }
  bool doubleQuantized() const { return absmax_codes_.defined(); }
  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_; }
  int64_t blocks() const { return (rows_ * cols_ + kBlock - 1) / kBlock; }
  /// Bytes of the stored form (codes, scales, second-level scales, offset): memory reports.
  int64_t bytes() const;
  /// The packed codes: nf4 uint8 (blocks · 32, first value in the high nibble), int8 (blocks · 64);
  /// the last block is padded with zeros.
  const torch::Tensor& codes() const { return codes_; }
  /// The per-block absmax scales (blocks) in fp32, as dequantisation uses them (after double
  /// quantisation: the reconstructed ones).
  torch::Tensor absmax() const;

 private:
  QuantKind kind_ = QuantKind::None;
  int64_t rows_ = 0, cols_ = 0;
  torch::Tensor codes_;
  torch::Tensor absmax_;         ///< fp32 (blocks); undefined when double-quantised
  torch::Tensor absmax_codes_;   ///< int8 (blocks): (absmax − offset) in units of absmax_scales_ / 127
  torch::Tensor absmax_scales_;  ///< fp32 (blocks / 256 rounded up): each group's absmax of absmax − offset
  float absmax_offset_ = 0.0F;

  /// Blocks [first, first + count) flattened, count · 64 values in `dtype`.
  /// `scratch`: as dequantizeRows.
  torch::Tensor dequantizeBlocks(int64_t first, int64_t count, torch::ScalarType dtype,
                                 torch::Tensor* scratch = nullptr) const;
  /// The fp32 absmax scales of blocks [first, first + count).
  torch::Tensor absmaxOfBlocks(int64_t first, int64_t count) const;
};

/// How many times QuantizedWeight::dequantize ran in this process (a test hook: quantizedLinear's
/// backward must dequantise again rather than keep the forward's full-precision weight).
int64_t quantDequantizeCount();

}  // namespace temper
