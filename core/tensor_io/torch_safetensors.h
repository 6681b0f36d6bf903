#pragma once
/// LibTorch tensors to and from safetensors files (the layer above temper_safetensors).
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "core/tensor_io/safetensors_file.h"

namespace temper {

/// A CPU tensor over `info`'s bytes in `file`.
///
/// Zero-copy when the data is aligned for its element type (always the case for files whose
/// header is padded to 8 and whose tensors are laid out by size, as Temper and Hugging Face write
/// them): the tensor then points into the read-only mapping and holds a reference to `file`, which
/// stays mapped until the last such tensor is freed. Treat the result as READ-ONLY: an in-place op
/// on it faults (the mapping is PROT_READ). Model loading should clone() it or copy_() it into a
/// parameter. Misaligned data and BOOL (normalised to 0/1) are copied into fresh memory instead.
/// Throws Error(InvalidInput) for dtypes LibTorch 1.13 lacks (U16, U32, U64), naming file and tensor.
/// Thread-safety: safe to call concurrently on the same file.
torch::Tensor tensorFromSafetensors(const std::shared_ptr<SafetensorsFile>& file, const TensorInfo& info);

/// Opens `path` and returns every tensor by name, as tensorFromSafetensors() does (read-only,
/// usually zero-copy; the mapping lives while any returned tensor does).
std::map<std::string, torch::Tensor> loadAllTensors(const std::filesystem::path& path);

/// Writes `tensors` through writeSafetensors() (atomic, see there). Each tensor is moved to the CPU
/// and made contiguous first (a copy only where needed). The data is ordered by element size, widest
/// first (stable otherwise), so every tensor is aligned and loads zero-copy. Throws
/// Error(InvalidInput) naming the tensor for a dtype safetensors cannot hold (complex, quantized).
void saveTensors(const std::filesystem::path& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                 const std::map<std::string, std::string>& metadata);

/// "[768, 2304]": a shape as error messages write it.
std::string shapeText(c10::IntArrayRef shape);

}  // namespace temper
