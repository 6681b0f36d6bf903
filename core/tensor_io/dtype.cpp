#include "core/tensor_io/dtype.h"

#include <array>
#include <utility>

namespace temper {
namespace {

struct DTypeEntry {
  DType dtype;
  std::string_view name;
  size_t size;
};

// One table so the name and the size of a type can never disagree.
constexpr std::array<DTypeEntry, 13> kDTypes{{
    {DType::Bool, "BOOL", 1},
    {DType::U8, "U8", 1},
    {DType::I8, "I8", 1},
    {DType::I16, "I16", 2},
    {DType::U16, "U16", 2},
    {DType::F16, "F16", 2},
    {DType::BF16, "BF16", 2},
    {DType::I32, "I32", 4},
    {DType::U32, "U32", 4},
    {DType::F32, "F32", 4},
    {DType::F64, "F64", 8},
    {DType::I64, "I64", 8},
    {DType::U64, "U64", 8},
}};

const DTypeEntry& entryFor(DType dtype) {
  for (const DTypeEntry& entry : kDTypes) {
    if (entry.dtype == dtype) return entry;
  }
  return kDTypes[0];  // unreachable for valid enum values
}

}  // namespace

std::string_view dtypeName(DType dtype) { return entryFor(dtype).name; }

size_t dtypeSize(DType dtype) { return entryFor(dtype).size; }

std::optional<DType> dtypeFromName(std::string_view name) {
  for (const DTypeEntry& entry : kDTypes) {
    if (entry.name == name) return entry.dtype;
  }
  return std::nullopt;
}

}  // namespace temper
