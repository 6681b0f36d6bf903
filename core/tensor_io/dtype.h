#pragma once
/// Element types of the safetensors format and their on-disk names and sizes. Plain values: every
/// function here is pure and thread-safe.
#include <cstddef>
#include <optional>
#include <string_view>

namespace temper {

/// The safetensors element types Temper reads and writes (the F8 variants are not supported).
/// All are little-endian on disk; BOOL is one byte per element.
enum class DType { Bool, U8, I8, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64 };

/// The name used in the header ("F32", "BF16", "BOOL", ...).
std::string_view dtypeName(DType dtype);
/// The inverse of dtypeName(); std::nullopt for names this reader does not know (e.g. "F8_E4M3").
std::optional<DType> dtypeFromName(std::string_view name);
/// Bytes per element (1, 2, 4 or 8).
size_t dtypeSize(DType dtype);

}  // namespace temper
