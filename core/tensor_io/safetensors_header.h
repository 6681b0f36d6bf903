#pragma once
// Internal to temper_safetensors: parsing and validating the JSON header of a safetensors file.
// Kept apart from the mmap code so every rule of the format lives in one place.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/tensor_io/safetensors_file.h"

namespace temper {

struct SafetensorsHeader {
  std::vector<TensorInfo> tensors;  // sorted by data offset
  std::map<std::string, std::string> metadata;
};

/// Validates `json` (the N header bytes) against a data buffer of `dataBytes` bytes. Throws
/// Error(InvalidInput) whose message starts with `fileLabel` and names the offending tensor.
SafetensorsHeader parseSafetensorsHeader(std::string_view json, uint64_t dataBytes, const std::string& fileLabel);

/// The format's bound on the header length; larger values are refused before allocating anything.
inline constexpr uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

}  // namespace temper
