#include "core/tensor_io/safetensors_header.h"

#include <algorithm>
#include <limits>
#include <set>

#include "core/common/error.h"
#include "core/common/json_io.h"
#include "core/common/text_utils.h"

namespace temper {
namespace {

class HeaderErrors {
 public:
  explicit HeaderErrors(const std::string& file) : file_(file) {}
  [[noreturn]] void fail(const std::string& reason) const { throwInputError(file_ + ": " + reason); }
  [[noreturn]] void failTensor(const std::string& name, const std::string& reason) const {
    throwInputError(file_ + ": tensor \"" + name + "\": " + reason);
  }

 private:
  const std::string& file_;
};

std::string shapeText(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

// nlohmann keeps only the last of duplicate keys, silently; a file with two tensors of the same name
// would then load a different tensor than another reader picks. The parser callback sees every key.
Json parseRejectingDuplicates(std::string_view json, const HeaderErrors& errors) {
  std::vector<std::set<std::string>> keysPerObject;
  std::string lastTopLevelKey, duplicate, duplicateOwner;
  bool duplicateAtTop = false;
  auto callback = [&](int, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::object_start) {
      keysPerObject.emplace_back();
    } else if (event == Json::parse_event_t::object_end) {
      keysPerObject.pop_back();
    } else if (event == Json::parse_event_t::key) {
      const auto& key = parsed.get_ref<const std::string&>();
      const bool topLevel = keysPerObject.size() == 1;
      if (!keysPerObject.back().insert(key).second && duplicate.empty()) {
        duplicate = key;
        duplicateAtTop = topLevel;
        duplicateOwner = lastTopLevelKey;
      }
      if (topLevel) lastTopLevelKey = key;
    }
    return true;
  };
  Json header;
  try {
    header = Json::parse(json.begin(), json.end(), callback);
  } catch (const Json::parse_error& e) {
    errors.fail("header is not valid JSON (byte " + std::to_string(e.byte) + " of the header): " + e.what());
  }
  if (!duplicate.empty()) {
    if (duplicateAtTop) errors.fail("duplicate tensor name \"" + duplicate + "\" in the header");
    errors.failTensor(duplicateOwner, "duplicate key \"" + duplicate + "\"");
  }
  return header;
}

std::map<std::string, std::string> parseMetadata(const Json& value, const HeaderErrors& errors) {
  if (!value.is_object()) errors.fail("\"__metadata__\" must be an object of strings");
  std::map<std::string, std::string> metadata;
  for (const auto& [key, item] : value.items()) {
    if (!item.is_string()) errors.fail("\"__metadata__\" value for \"" + key + "\" is not a string");
    metadata.emplace(key, item.get<std::string>());
  }
  return metadata;
}

TensorInfo parseEntry(const std::string& name, const Json& entry, const HeaderErrors& errors) {
  if (!entry.is_object()) errors.failTensor(name, "entry is not a JSON object");
  for (const char* field : {"dtype", "shape", "data_offsets"}) {
    if (!entry.contains(field)) errors.failTensor(name, std::string("missing \"") + field + "\"");
  }
  TensorInfo info;
  info.name = name;

  const Json& dtype = entry["dtype"];
  if (!dtype.is_string()) errors.failTensor(name, "\"dtype\" must be a string");
  auto parsedType = dtypeFromName(dtype.get_ref<const std::string&>());
  if (!parsedType) errors.failTensor(name, "unknown dtype \"" + dtype.get<std::string>() + "\"");
  info.dtype = *parsedType;

  const Json& shape = entry["shape"];
  if (!shape.is_array()) errors.failTensor(name, "\"shape\" must be an array of integers");
  for (const Json& dim : shape) {
    if (!dim.is_number_integer()) errors.failTensor(name, "\"shape\" must be an array of integers");
    if (dim.is_number_unsigned()) {
      if (dim.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
        errors.failTensor(name, "dimension " + dim.dump() + " in shape is too large");
    } else if (dim.get<int64_t>() < 0) {
      errors.failTensor(name, "negative dimension " + dim.dump() + " in shape");
    }
    info.shape.push_back(dim.get<int64_t>());
  }

  const Json& offsets = entry["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned()) {
    errors.failTensor(name, "\"data_offsets\" must be an array of two non-negative integers");
  }
  info.begin = offsets[0].get<uint64_t>();
  info.end = offsets[1].get<uint64_t>();
  if (info.end < info.begin) {
    errors.failTensor(
        name, "data_offsets end " + std::to_string(info.end) + " is before begin " + std::to_string(info.begin));
  }

  // Overflow-checked: a crafted shape must not wrap around to match the byte span.
  uint64_t bytes = dtypeSize(info.dtype);
  for (int64_t dim : info.shape) {
    if (__builtin_mul_overflow(bytes, uint64_t(dim), &bytes))
      errors.failTensor(name, "shape " + shapeText(info.shape) + " is too large (its byte size overflows)");
  }
  if (bytes != info.bytes()) {
    errors.failTensor(name, "shape " + shapeText(info.shape) + " of " + std::string(dtypeName(info.dtype)) + " needs " +
                                std::to_string(bytes) + " bytes but data_offsets span " + std::to_string(info.bytes()));
  }
  return info;
}

// Sorted by offset, the tensors must tile [0, dataBytes) exactly, as the reference reader demands.
void checkLayout(const std::vector<TensorInfo>& tensors, uint64_t dataBytes, const HeaderErrors& errors) {
  uint64_t expected = 0;
  const TensorInfo* previous = nullptr;
  for (const TensorInfo& info : tensors) {
    if (info.begin > expected) {
      errors.failTensor(info.name, "gap of " + std::to_string(info.begin - expected) +
                                       " bytes before it (data begins at " + std::to_string(info.begin) +
                                       ", the previous tensor ends at " + std::to_string(expected) + ")");
    }
    if (info.begin < expected) {
      errors.failTensor(info.name, "overlaps tensor \"" + previous->name + "\" (data begins at " +
                                       std::to_string(info.begin) + ", \"" + previous->name + "\" ends at " +
                                       std::to_string(expected) + ")");
    }
    expected = info.end;
    previous = &info;
  }
  if (expected > dataBytes) {
    errors.fail("truncated: the tensors need " + std::to_string(expected) + " bytes of data but only " +
                std::to_string(dataBytes) + " follow the header");
  }
  if (expected < dataBytes) {
    errors.fail(std::to_string(dataBytes - expected) + " bytes after the last tensor are not described by the header");
  }
}

}  // namespace

SafetensorsHeader parseSafetensorsHeader(std::string_view json, uint64_t dataBytes, const std::string& fileLabel) {
  HeaderErrors errors(fileLabel);
  if (!isValidUtf8(json)) {
    errors.fail("header is not valid UTF-8 (bad byte at offset " + std::to_string(firstInvalidUtf8(json)) +
                " of the header)");
  }
  Json header = parseRejectingDuplicates(json, errors);
  if (!header.is_object()) errors.fail(std::string("header is not a JSON object but ") + header.type_name());

  SafetensorsHeader result;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      result.metadata = parseMetadata(entry, errors);
    } else {
      result.tensors.push_back(parseEntry(name, entry, errors));
    }
  }
  // Empty tensors share an offset with their neighbour; ordering by end too keeps them first.
  std::stable_sort(result.tensors.begin(), result.tensors.end(), [](const TensorInfo& a, const TensorInfo& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  checkLayout(result.tensors, dataBytes, errors);
  return result;
}

}  // namespace temper
