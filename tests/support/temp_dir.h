#pragma once
// A fresh folder under the system's temp directory for one test, removed with everything in it
// when the object goes out of scope (permissions are restored first, for tests that make parts of
// it read-only). Shared by every test module.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

namespace temper::test_support {

class TempDir {
 public:
  explicit TempDir(const std::string& label = "test") {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::canonical(std::filesystem::temp_directory_path()) /
            ("temper-" + label + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    for (auto it = std::filesystem::recursive_directory_iterator(path_, ignored);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ignored)) {
      std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all, std::filesystem::perm_options::add,
                                   ignored);
    }
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all, std::filesystem::perm_options::add, ignored);
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  /// File names directly inside the folder.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(path_)) names.push_back(entry.path().filename());
    return names;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace temper::test_support
