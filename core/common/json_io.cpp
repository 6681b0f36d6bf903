#include "core/common/json_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "core/common/error.h"

namespace temper {

std::string readTextFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throwIoError(path.string() + ": no such file");
  if (std::filesystem::is_directory(path, ec)) throwIoError(path.string() + ": is a folder, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throwIoError(describeErrno("cannot read " + path.string()));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Json readJsonFile(const std::filesystem::path& path) {
  std::string text = readTextFile(path);
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    throwInputError(path.string() + ": not valid JSON (byte " + std::to_string(e.byte) + "): " + e.what());
  }
}

void syncDirectory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

void writeFileAtomic(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::path tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throwIoError(describeErrno("cannot write " + path.string()));
  const char* data = content.data();
  size_t left = content.size();
  while (left > 0) {
    ssize_t written = ::write(fd, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      std::string message = describeErrno("cannot write " + path.string());
      ::close(fd);
      ::unlink(tmp.c_str());
      throwIoError(message);
    }
    data += written;
    left -= static_cast<size_t>(written);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    std::string message = describeErrno("cannot write " + path.string());
    ::unlink(tmp.c_str());
    throwIoError(message);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string message = describeErrno("cannot rename into " + path.string());
    ::unlink(tmp.c_str());
    throwIoError(message);
  }
}

void writeJsonFileAtomic(const std::filesystem::path& path, const Json& json) {
  writeFileAtomic(path, json.dump(2) + "\n");
}

}  // namespace temper
