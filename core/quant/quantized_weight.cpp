#include "core/quant/quantized_weight.h"

#include <algorithm>
#include <atomic>

#include "core/common/error.h"
#include "core/quant/dequantize_kernel.h"

namespace temper {
namespace {

/// Blocks handled per step when (de)quantising (1 Mi values): a chunk's temporaries stay at a few
/// MiB whatever the layer's size, and a layer takes few steps. Every step is a handful of parallel
/// torch ops; with 4× smaller chunks, dequantising ran 3-4× slower on 2 busy cores (each parallel
/// region pays OpenMP's fork and barrier).
constexpr int64_t kChunkBlocks = 16384;

/// bitsandbytes' decision tree for NF4 (csrc/kernels.cu dQuantizeNF4): the level above threshold i
/// is taken when x > threshold i. The thresholds are the midpoints of neighbouring levels.
constexpr std::array<float, 15> kNf4Thresholds = {
    -0.8480964004993439F,  -0.6106329262256622F,   -0.4599952697753906F, -0.33967943489551544F, -0.23460740596055984F,
    -0.13791173323988914F, -0.045525018125772476F, 0.03979014977812767F, 0.1202552504837513F,   0.2035212516784668F,
    0.2920137718319893F,   0.3893125355243683F,    0.5016634166240692F,  0.6427869200706482F,   0.8614784181118011F};

std::atomic<int64_t> dequantize_count{0};

torch::Tensor floatTable(const float* values, int64_t n, const torch::Device& device) {
  return torch::from_blob(const_cast<float*>(values), {n}, torch::kFloat32)
      .to(device, /*non_blocking=*/false,
          /*copy=*/true);
}

/// Row b: the levels of byte b's high and low nibble, the order the byte's two values come in.
/// Built once; dequantize() runs for every quantised product, forward and backward.
torch::Tensor nf4PairTable(const torch::Device& device) {
  static const torch::Tensor cpu_table = [] {
    std::array<float, 512> pairs{};
    const auto& levels = nf4CodeTable();
    for (size_t byte = 0; byte < 256; ++byte) {
      pairs[2 * byte] = levels[byte >> 4];
      pairs[2 * byte + 1] = levels[byte & 0x0F];
    }
    return floatTable(pairs.data(), 512, torch::Device(torch::kCPU)).view({256, 2});
  }();
  return device.is_cpu() ? cpu_table : cpu_table.to(device);
}

/// Blocks [first, first + count) of the flattened weight in fp32, the last one zero-padded.
torch::Tensor blockValues(const torch::Tensor& flat, int64_t first, int64_t count) {
  const int64_t begin = first * QuantizedWeight::kBlock;
  const int64_t available = std::min(count * QuantizedWeight::kBlock, flat.numel() - begin);
  torch::Tensor values = flat.narrow(0, begin, available).to(torch::kFloat32);
  if (available < count * QuantizedWeight::kBlock) {
    values = torch::cat({values, torch::zeros({count * QuantizedWeight::kBlock - available}, values.options())});
  }
  return values.view({count, QuantizedWeight::kBlock});
}

/// Symmetric absmax int8 of `values` in groups of `group` (last group may be short): codes, scales.
std::pair<torch::Tensor, torch::Tensor> absmaxInt8(const torch::Tensor& values, int64_t group) {
  const int64_t n = values.numel();
  const int64_t groups = (n + group - 1) / group;
  torch::Tensor padded = torch::zeros({groups * group}, values.options());
  padded.narrow(0, 0, n).copy_(values);
  torch::Tensor grouped = padded.view({groups, group});
  torch::Tensor scale = grouped.abs().amax(1);
  torch::Tensor safe = torch::where(scale > 0, scale, torch::ones_like(scale));
  torch::Tensor codes = torch::round(grouped / safe.unsqueeze(1) * 127.0).clamp(-127, 127).to(torch::kInt8);
  return {codes.view({-1}).narrow(0, 0, n).clone(), scale};
}

}  // namespace

const char* quantKindName(QuantKind kind) {
  switch (kind) {
    case QuantKind::None:
      return "none";
    case QuantKind::Int8:
      return "int8";
    case QuantKind::Nf4:
      return "nf4";
  }
  return "";
}

QuantKind parseQuantKind(const std::string& value, const std::string& key) {
  if (value == "none") return QuantKind::None;
  if (value == "int8") return QuantKind::Int8;
  if (value == "nf4") return QuantKind::Nf4;
  throwConfigError("`" + key + "` is \"" + value + "\"; expected none, int8 or nf4");
}

const std::array<float, 16>& nf4CodeTable() {
  // bitsandbytes/functional.py get_4bit_type("nf4") and csrc/kernels.cu's nf4_dequantization_lut.
  static const std::array<float, 16> table = {
      -1.0F,
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
      1.0F,
  };
  return table;
}

int64_t quantDequantizeCount() { return dequantize_count.load(); }

QuantizedWeight QuantizedWeight::quantize(const torch::Tensor& weight, const QuantOptions& options) {
  TORCH_CHECK(weight.dim() == 2, "quantize: expected a 2-D weight, got ", weight.sizes());
  TORCH_CHECK(options.kind != QuantKind::None, "quantize: no quantisation kind given");
  torch::NoGradGuard no_grad;
  QuantizedWeight q;
  q.kind_ = options.kind;
  q.rows_ = weight.size(0);
  q.cols_ = weight.size(1);
  const int64_t blocks = q.blocks();
  const torch::Tensor flat = weight.detach().contiguous().view({-1});
  const bool nf4 = options.kind == QuantKind::Nf4;
  const auto device = weight.device();
  q.codes_ = torch::empty({nf4 ? blocks * kBlock / 2 : blocks * kBlock},
                          torch::TensorOptions().dtype(nf4 ? torch::kUInt8 : torch::kInt8).device(device));
  torch::Tensor absmax = torch::empty({blocks}, torch::TensorOptions().dtype(torch::kFloat32).device(device));
  const torch::Tensor thresholds = nf4 ? floatTable(kNf4Thresholds.data(), 15, device) : torch::Tensor();
  for (int64_t first = 0; first < blocks; first += kChunkBlocks) {
    const int64_t count = std::min(kChunkBlocks, blocks - first);
    const torch::Tensor values = blockValues(flat, first, count);
    const torch::Tensor scale = values.abs().amax(1);
    absmax.narrow(0, first, count).copy_(scale);
    // An all-zero block keeps absmax 0 and codes for 0.
    const torch::Tensor normalised = values / torch::where(scale > 0, scale, torch::ones_like(scale)).unsqueeze(1);
    if (nf4) {
      // bucketize (right = false) counts the thresholds strictly below x: bitsandbytes' `x > t`.
      const torch::Tensor index = torch::bucketize(normalised, thresholds, /*out_int32=*/true).to(torch::kUInt8);
      const torch::Tensor pairs = index.view({-1, 2});
      q.codes_.narrow(0, first * kBlock / 2, count * kBlock / 2)
          .copy_(pairs.select(1, 0).mul(16).add(pairs.select(1, 1)));
    } else {
      q.codes_.narrow(0, first * kBlock, count * kBlock)
          .copy_(torch::round(normalised * 127.0).clamp(-127, 127).to(torch::kInt8).view({-1}));
    }
  }
  if (options.double_quant) {
    q.absmax_offset_ = absmax.mean().item<float>();
    auto [codes, scales] = absmaxInt8(absmax - q.absmax_offset_, kScaleBlock);
    q.absmax_codes_ = codes;
    q.absmax_scales_ = scales;
  } else {
    q.absmax_ = absmax;
  }
  return q;
}

torch::Tensor QuantizedWeight::absmax() const { return absmaxOfBlocks(0, blocks()); }

torch::Tensor QuantizedWeight::absmaxOfBlocks(int64_t first, int64_t count) const {
  if (absmax_.defined()) return absmax_.narrow(0, first, count);
  // Second-level groups g0 .. g1 - 1 cover the blocks; each group's step repeated over its blocks.
  const int64_t g0 = first / kScaleBlock;
  const int64_t g1 = (first + count + kScaleBlock - 1) / kScaleBlock;
  const torch::Tensor step = (absmax_scales_.narrow(0, g0, g1 - g0) / 127.0)
                                 .repeat_interleave(kScaleBlock)
                                 .narrow(0, first - g0 * kScaleBlock, count);
  return absmax_codes_.narrow(0, first, count).to(torch::kFloat32) * step + absmax_offset_;
}

int64_t QuantizedWeight::bytes() const {
  int64_t total = codes_.numel();  // one byte per element (uint8 or int8)
  if (absmax_.defined()) return total + absmax_.numel() * 4;
  return total + absmax_codes_.numel() + absmax_scales_.numel() * 4 + 4;
}

torch::Tensor QuantizedWeight::dequantize(torch::ScalarType dtype) const {
  TORCH_CHECK(codes_.defined(), "dequantize: an empty QuantizedWeight");
  dequantize_count.fetch_add(1);
  return dequantizeBlocks(0, blocks(), dtype).narrow(0, 0, rows_ * cols_).view({rows_, cols_});
}

torch::Tensor QuantizedWeight::dequantizeRows(int64_t first_row, int64_t count, torch::ScalarType dtype,
                                              torch::Tensor* scratch) const {
  TORCH_CHECK(codes_.defined(), "dequantizeRows: an empty QuantizedWeight");
  TORCH_CHECK(first_row >= 0 && count > 0 && first_row + count <= rows_, "dequantizeRows: rows ", first_row, " + ",
              count, " of ", rows_);
  dequantize_count.fetch_add(1);
  const int64_t begin = first_row * cols_;
  const int64_t end = begin + count * cols_;
  const int64_t first_block = begin / kBlock;
  const int64_t last_block = (end + kBlock - 1) / kBlock;
  return dequantizeBlocks(first_block, last_block - first_block, dtype, scratch)
      .narrow(0, begin - first_block * kBlock, count * cols_)
      .view({count, cols_});
}

torch::Tensor QuantizedWeight::dequantizeBlocks(int64_t first_block, int64_t block_count, torch::ScalarType dtype,
                                                torch::Tensor* scratch) const {
  torch::NoGradGuard no_grad;
  const auto device = codes_.device();
  const int64_t values = block_count * kBlock;
  torch::Tensor out;
  if (scratch != nullptr) {
    if (!scratch->defined() || scratch->numel() < values || scratch->scalar_type() != dtype ||
        scratch->device() != device) {
      *scratch = torch::empty({values}, torch::TensorOptions().dtype(dtype).device(device));
    }
    out = scratch->narrow(0, 0, values);
  } else {
    out = torch::empty({values}, torch::TensorOptions().dtype(dtype).device(device));
  }
  const bool nf4 = kind_ == QuantKind::Nf4;
  if (device.is_cpu() && (dtype == torch::kFloat32 || dtype == torch::kBFloat16)) {
    const torch::Tensor absmax = absmaxOfBlocks(first_block, block_count);
    const torch::Tensor scale = (nf4 ? absmax : absmax / 127.0).contiguous();
    const auto* codes = static_cast<const uint8_t*>(codes_.data_ptr()) + first_block * (nf4 ? kBlock / 2 : kBlock);
    if (dtype == torch::kFloat32) {
      dequantizeBlocksCpu(kind_, codes, scale.data_ptr<float>(), block_count, out.data_ptr<float>());
    } else {
      dequantizeBlocksCpu(kind_, codes, scale.data_ptr<float>(), block_count,
                          reinterpret_cast<uint16_t*>(out.data_ptr<at::BFloat16>()));
    }
    return out;
  }
  // Elsewhere (CUDA, fp16, fp64) in LibTorch's ops. nf4: one lookup per byte in a table of level pairs (high nibble's
  // level, low nibble's): a quarter of the index traffic of unpacking the nibbles first.
  const torch::Tensor pairs = nf4 ? nf4PairTable(device) : torch::Tensor();
  // int8 codes are in units of absmax / 127; nf4 levels in units of absmax.
  const torch::Tensor absmax = absmaxOfBlocks(first_block, block_count);
  const torch::Tensor scale = nf4 ? absmax : absmax / 127.0;
  for (int64_t done = 0; done < block_count; done += kChunkBlocks) {
    const int64_t count = std::min(kChunkBlocks, block_count - done);
    const int64_t block = first_block + done;
    torch::Tensor levels;
    if (nf4) {
      const torch::Tensor packed = codes_.narrow(0, block * kBlock / 2, count * kBlock / 2);
      levels = pairs.index_select(0, packed.to(torch::kInt));
    } else {
      levels = codes_.narrow(0, block * kBlock, count * kBlock).to(torch::kFloat32);
    }
    torch::Tensor target = out.narrow(0, done * kBlock, count * kBlock).view({count, kBlock});
    // fp32 products, rounded once into the output's dtype.
    torch::mul_out(target, levels.view({count, kBlock}), scale.narrow(0, done, count).unsqueeze(1));
  }
  return out;
}

}  // namespace temper
