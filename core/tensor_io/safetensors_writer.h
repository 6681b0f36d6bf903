#pragma once
/// Writing .safetensors files: streamed to a temporary file beside the target, fsync'ed and renamed,
/// so readers see either the old file or the complete new one, never a partial file.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/tensor_io/dtype.h"

namespace temper {

/// One tensor to write. Borrowed: `data` must point to `bytes` bytes of little-endian, row-major
/// elements and stay valid for the duration of the writeSafetensors() call.
struct TensorToWrite {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;  ///< empty for a 0-d tensor
  const void* data = nullptr;  ///< may be null when bytes == 0
  uint64_t bytes = 0;          ///< must equal numel(shape) * dtypeSize(dtype)
};

/// Writes `tensors` (data contiguous, in the given order) and `metadata` (stored as "__metadata__",
/// omitted when empty) to `path`. The header is padded with spaces to a multiple of 8 bytes so every
/// tensor starts 8-byte aligned relative to the file start when the tensors before it keep it so.
///
/// Atomic: the bytes go to a temporary file in the same folder, which is fsync'ed and renamed over
/// `path`; on any failure the temporary is removed and `path` is left as it was (absent, or the
/// previous file). Throws Error(Io) naming `path` when writing fails (disk full, file too large,
/// no permission); Error(InvalidInput) for an empty, duplicate or reserved tensor name or a negative
/// dimension; Error(Internal) when `bytes` disagrees with the shape (a caller bug).
/// Thread-safety: concurrent calls are safe as long as they target different paths.
void writeSafetensors(const std::filesystem::path& path, const std::vector<TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata);

}  // namespace temper
