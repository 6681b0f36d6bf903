#include "core/tensor_io/torch_safetensors.h"

#include "core/torch_api.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "core/common/error.h"
#include "core/tensor_io/safetensors_writer.h"

namespace temper {
namespace {

std::optional<torch::ScalarType> torchType(DType dtype) {
  switch (dtype) {
    case DType::Bool:
      return torch::kBool;
    case DType::U8:
      return torch::kUInt8;
    case DType::I8:
      return torch::kInt8;
    case DType::I16:
      return torch::kInt16;
    case DType::F16:
      return torch::kFloat16;
    case DType::BF16:
      return torch::kBFloat16;
    case DType::I32:
      return torch::kInt32;
    case DType::F32:
      return torch::kFloat32;
    case DType::F64:
      return torch::kFloat64;
    case DType::I64:
      return torch::kInt64;
    case DType::U16:
    case DType::U32:
    case DType::U64:
      return std::nullopt;  // no unsigned types wider than 8 bits in LibTorch 1.13
  }
  return std::nullopt;
}

std::optional<DType> safetensorsType(torch::ScalarType type) {
  switch (type) {
    case torch::kBool:
      return DType::Bool;
    case torch::kUInt8:
      return DType::U8;
    case torch::kInt8:
      return DType::I8;
    case torch::kInt16:
      return DType::I16;
    case torch::kFloat16:
      return DType::F16;
    case torch::kBFloat16:
      return DType::BF16;
    case torch::kInt32:
      return DType::I32;
    case torch::kFloat32:
      return DType::F32;
    case torch::kFloat64:
      return DType::F64;
    case torch::kInt64:
      return DType::I64;
    default:
      return std::nullopt;
  }
}

}  // namespace

torch::Tensor tensorFromSafetensors(const std::shared_ptr<SafetensorsFile>& file, const TensorInfo& info) {
  auto type = torchType(info.dtype);
  if (!type) {
    throwInputError(file->path().string() + ": tensor \"" + info.name + "\": dtype " +
                    std::string(dtypeName(info.dtype)) + " has no LibTorch equivalent");
  }
  const auto options = torch::TensorOptions().dtype(*type).device(torch::kCPU);
  if (info.numel() == 0) return torch::empty(info.shape, options);

  // from_blob wants a mutable pointer; the mapping is PROT_READ, hence the read-only contract.
  void* bytes = const_cast<std::byte*>(file->data(info));
  if (info.dtype == DType::Bool) {
    // Bytes other than 0 and 1 are undefined behaviour for torch's bool kernels: normalise.
    return torch::from_blob(bytes, info.shape, options.dtype(torch::kUInt8)).ne(0);
  }
  if (reinterpret_cast<uintptr_t>(bytes) % dtypeSize(info.dtype) != 0) {
    return torch::from_blob(bytes, info.shape, options).clone();
  }
  // The deleter owns a reference to the file, so the mapping outlives every tensor viewing it.
  return torch::from_blob(
      bytes, info.shape, [keepAlive = file](void*) {}, options);
}

std::map<std::string, torch::Tensor> loadAllTensors(const std::filesystem::path& path) {
  auto file = SafetensorsFile::open(path);
  std::map<std::string, torch::Tensor> tensors;
  for (const TensorInfo& info : file->tensors()) tensors.emplace(info.name, tensorFromSafetensors(file, info));
  return tensors;
}

void saveTensors(const std::filesystem::path& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                 const std::map<std::string, std::string>& metadata) {
  // Keeps the contiguous CPU copies alive until the bytes are written.
  std::vector<torch::Tensor> prepared;
  std::vector<TensorToWrite> toWrite;
  prepared.reserve(tensors.size());
  toWrite.reserve(tensors.size());
  for (const auto& [name, tensor] : tensors) {
    if (!tensor.defined()) throwInputError("cannot write " + path.string() + ": tensor \"" + name + "\" is undefined");
    auto dtype = safetensorsType(tensor.scalar_type());
    if (!dtype) {
      throwInputError("cannot write " + path.string() + ": tensor \"" + name + "\" has dtype " +
                      std::string(c10::toString(tensor.scalar_type())) + ", which safetensors cannot store");
    }
    torch::Tensor cpu = tensor.detach().to(torch::kCPU).contiguous();
    prepared.push_back(cpu);
    toWrite.push_back(
        TensorToWrite{name, *dtype, cpu.sizes().vec(), cpu.data_ptr(), static_cast<uint64_t>(cpu.nbytes())});
  }
  // Widest elements first: with the header padded to 8, every tensor then starts at a multiple of
  // its element size, so loading is zero-copy for all of them (Hugging Face's writer does the same).
  std::stable_sort(toWrite.begin(), toWrite.end(), [](const TensorToWrite& a, const TensorToWrite& b) {
    return dtypeSize(a.dtype) > dtypeSize(b.dtype);
  });
  writeSafetensors(path, toWrite, metadata);
}

std::string shapeText(c10::IntArrayRef shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

}  // namespace temper
