#pragma once
// Runs an independent reference script with the system Python (float64 implementations written
// from formulas or from another project's definitions) and reads its JSON answer. Tests skip when
// that Python has no torch (python3-torch, installed by scripts/install-deps.sh).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace temper::test_support {

inline const char* systemPython() { return "/usr/bin/python3"; }

inline bool systemPythonHasTorch() {
  const std::string command = std::string(systemPython()) + " -c 'import torch' >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

/// Writes `input` to `input_path`, runs `script input_path` and parses what it prints. A non-zero
/// exit or output that is not JSON fails the calling test and returns null.
inline nlohmann::json runPythonReference(const std::string& script, const std::filesystem::path& input_path,
                                         const nlohmann::json& input) {
  std::ofstream(input_path) << input.dump();
  const std::string command = std::string(systemPython()) + " '" + script + "' '" + input_path.string() + "' 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) {
    ADD_FAILURE() << "popen failed: " << command;
    return nullptr;
  }
  std::string output;
  std::array<char, 4096> buffer{};
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe.get())) > 0) output.append(buffer.data(), n);
  const int status = pclose(pipe.release());
  if (status != 0) {
    ADD_FAILURE() << command << " exited with " << status << ": " << output.substr(0, 2000);
    return nullptr;
  }
  try {
    return nlohmann::json::parse(output);
  } catch (const std::exception&) {
    ADD_FAILURE() << "the reference's output is not JSON: " << output.substr(0, 2000);
    return nullptr;
  }
}

}  // namespace temper::test_support
