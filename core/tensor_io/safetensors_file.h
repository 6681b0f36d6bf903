#pragma once
/// Read-only access to a .safetensors file through a memory map: open() reads and validates the
/// header only, so opening costs the same for a 5 MB and a 5 GB file; tensor bytes are paged in by
/// the kernel when first touched.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/tensor_io/dtype.h"

namespace temper {

/// One tensor as described by the header.
struct TensorInfo {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;  ///< row-major; empty for a 0-d (scalar) tensor
  uint64_t begin = 0;          ///< byte offsets relative to the start of the data buffer,
  uint64_t end = 0;            ///< end exclusive (the header's data_offsets)

  /// Product of the dimensions: 1 for a 0-d tensor, 0 when any dimension is 0.
  int64_t numel() const;
  uint64_t bytes() const { return end - begin; }
};

/// An open, validated safetensors file.
///
/// Ownership: the object owns the mapping; every pointer returned by data() stays valid while the
/// object lives, so callers that hand tensor memory to others keep a shared_ptr to it (open()
/// returns one for that reason). The mapping is PROT_READ: writing through a data pointer faults.
/// Move-only. Thread-safety: all const member functions may be called concurrently.
class SafetensorsFile {
 public:
  /// Maps `path` and validates the whole header against the file size: header length bounds, JSON
  /// syntax, every entry's dtype / shape / data_offsets, sizes, duplicate names, and that the
  /// tensors tile the data buffer exactly (no gaps, no overlaps, nothing after the last one).
  /// Throws Error(Io) when the file cannot be opened or mapped, Error(InvalidInput) for anything
  /// malformed; every message names the file and, where one is involved, the tensor.
  static std::shared_ptr<SafetensorsFile> open(const std::filesystem::path& path);

  ~SafetensorsFile();
  SafetensorsFile(SafetensorsFile&& other) noexcept;
  SafetensorsFile& operator=(SafetensorsFile&& other) noexcept;
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  /// All tensors in the order their bytes appear in the file (ascending offset).
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  /// The tensor called `name`, or nullptr when the file has none. The pointer lives as long as
  /// this object.
  const TensorInfo* find(std::string_view name) const;
  /// First byte of `info`'s data inside the mapping. `info` must come from this file's tensors()
  /// or find(). For an empty tensor the pointer may be one past the end and must not be read.
  const std::byte* data(const TensorInfo& info) const;
  /// Drops the mapped pages that hold only `info`'s bytes from this process's resident memory once
  /// a loader has copied or quantised them: the mapping is private and read-only, so a later read
  /// pages them in again from the file (or the page cache), unchanged. Without it a loaded model's
  /// file stays resident beside the weights made from it, doubling the load's peak. Best effort.
  void releasePages(const TensorInfo& info) const;
  /// The header's "__metadata__" (empty when absent).
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const std::filesystem::path& path() const { return path_; }
  /// Size of the whole file in bytes.
  uint64_t fileBytes() const { return mappedBytes_; }

 private:
  SafetensorsFile() = default;
  void unmap() noexcept;

  std::filesystem::path path_;
  void* mapping_ = nullptr;
  uint64_t mappedBytes_ = 0;
  uint64_t dataStart_ = 0;  // 8 + header length
  std::vector<TensorInfo> tensors_;
  std::map<std::string, size_t, std::less<>> byName_;  // index into tensors_
  std::map<std::string, std::string> metadata_;
};

}  // namespace temper
