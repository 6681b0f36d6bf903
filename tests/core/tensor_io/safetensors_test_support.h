#pragma once
// Helpers shared by the tensor_io tests: a scratch folder, raw file construction for hand-crafted
// bad files, and an independent parse of a file's raw bytes (so the writer is not checked only by
// our own reader).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "tests/support/temp_dir.h"

namespace temper::test {

using test_support::TempDir;

inline std::string littleEndian64(uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(value >> (8 * i));
  return bytes;
}

/// 8-byte length + `header` + `data`, unpadded: the layout is exactly what the case spells out.
inline std::string safetensorsBytes(const std::string& header, const std::string& data) {
  return littleEndian64(header.size()) + header + data;
}

inline void writeBytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

inline std::string readBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// The file split as the format defines it, parsed without any Temper code.
struct RawSafetensors {
  uint64_t headerBytes = 0;
  std::string headerText;  // including padding
  nlohmann::json header;
  std::string data;
};

inline RawSafetensors parseRaw(const std::filesystem::path& path) {
  RawSafetensors raw;
  std::string bytes = readBytes(path);
  EXPECT_GE(bytes.size(), 8u);
  for (int i = 0; i < 8; ++i) raw.headerBytes |= uint64_t(static_cast<unsigned char>(bytes[i])) << (8 * i);
  EXPECT_LE(8 + raw.headerBytes, bytes.size());
  raw.headerText = bytes.substr(8, raw.headerBytes);
  raw.header = nlohmann::json::parse(raw.headerText);
  raw.data = bytes.substr(8 + raw.headerBytes);
  return raw;
}

/// Runs `action`, expects Error(kind), and that the message contains every one of `parts`.
inline void expectError(ErrorKind kind, const std::function<void()>& action, const std::vector<std::string>& parts) {
  try {
    action();
    ADD_FAILURE() << "expected an error of kind " << errorKindName(kind);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    for (const std::string& part : parts) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
          << "message \"" << e.what() << "\" lacks \"" << part << "\"";
    }
  }
}

}  // namespace temper::test
