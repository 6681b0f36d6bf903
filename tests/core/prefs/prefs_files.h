#pragma once
// Preference files for the prefs tests that work on a real store: a JSONL writer and three
// explicit TRL pairs.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace temper::test_support {

inline std::filesystem::path writeLines(const TempDir& dir, const std::string& name,
                                        const std::vector<std::string>& lines) {
  auto path = dir.path() / name;
  std::ofstream out(path, std::ios::binary);
  for (const auto& line : lines) out << line << "\n";
  return path;
}

inline const std::vector<std::string> kExplicitPairs = {
    R"({"prompt": "Name a colour.", "chosen": " Blue.", "rejected": " Seven."})",
    R"({"prompt": "2+2?", "chosen": " 4", "rejected": " 22"})",
    R"({"prompt": "Say hi.", "chosen": " Hi!", "rejected": " No."})",
};

}  // namespace temper::test_support
