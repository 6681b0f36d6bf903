#include "core/tensor_io/safetensors_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <set>
#include <utility>

#include "core/common/error.h"
#include "core/common/json_io.h"

namespace temper {
namespace {

// Kernel write() moves at most ~2 GiB per call; smaller pieces also keep a failure's partial write
// small.
constexpr size_t kMaxWriteChunk = size_t(1) << 30;

// A temporary beside the target that removes itself unless commit() succeeded.
class TempFile {
 public:
  explicit TempFile(const std::filesystem::path& target) : target_(target) {
    static std::atomic<unsigned> counter{0};
    temp_ = target;
    temp_ += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0) fail("cannot create a file next to");
  }
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(temp_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  void write(const void* data, uint64_t bytes) {
    const char* cursor = static_cast<const char*>(data);
    while (bytes > 0) {
      ssize_t written = ::write(fd_, cursor, std::min<uint64_t>(bytes, kMaxWriteChunk));
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) fail("cannot write");
      cursor += written;
      bytes -= static_cast<uint64_t>(written);
    }
  }

  void commit() {
    if (::fsync(fd_) != 0) fail("cannot write");
    int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) fail("cannot write");
    if (::rename(temp_.c_str(), target_.c_str()) != 0) fail("cannot rename a temporary file onto");
    committed_ = true;
    syncDirectory(target_.has_parent_path() ? target_.parent_path() : std::filesystem::path("."));
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    const int error = errno;
    std::string message = describeErrno(what + " " + target_.string());
    if (error == ENOSPC || error == EDQUOT) message += " (disk full)";
    throwIoError(message);
  }

  std::filesystem::path target_, temp_;
  int fd_ = -1;
  bool committed_ = false;
};

// The header as the format wants it: tensors in the order given, with their offsets into the data
// buffer, padded with spaces so the buffer starts at a multiple of 8.
std::string buildHeader(const std::filesystem::path& path, const std::vector<TensorToWrite>& tensors,
                        const std::map<std::string, std::string>& metadata) {
  const std::string label = "cannot write " + path.string() + ": tensor \"";
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::set<std::string_view> names;
  uint64_t offset = 0;
  for (const TensorToWrite& tensor : tensors) {
    if (tensor.name.empty()) throwInputError("cannot write " + path.string() + ": a tensor has an empty name");
    if (tensor.name == "__metadata__") throwInputError(label + tensor.name + "\": the name is reserved");
    if (!names.insert(tensor.name).second) throwInputError(label + tensor.name + "\": duplicate name");
    uint64_t expected = dtypeSize(tensor.dtype);
    for (int64_t dim : tensor.shape) {
      if (dim < 0) throwInputError(label + tensor.name + "\": negative dimension " + std::to_string(dim));
      if (__builtin_mul_overflow(expected, uint64_t(dim), &expected))
        throw Error(ErrorKind::Internal, label + tensor.name + "\": shape too large");
    }
    if (expected != tensor.bytes || (tensor.bytes > 0 && tensor.data == nullptr)) {
      throw Error(ErrorKind::Internal, label + tensor.name + "\": " + std::to_string(tensor.bytes) +
                                           " bytes given but the shape and dtype need " + std::to_string(expected));
    }
    header[tensor.name] = {
        {"dtype", dtypeName(tensor.dtype)}, {"shape", tensor.shape}, {"data_offsets", {offset, offset + tensor.bytes}}};
    offset += tensor.bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  return text;
}

}  // namespace

void writeSafetensors(const std::filesystem::path& path, const std::vector<TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  const std::string header = buildHeader(path, tensors, metadata);
  unsigned char length[8];
  for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(uint64_t(header.size()) >> (8 * i));

  TempFile file(path);
  file.write(length, sizeof length);
  file.write(header.data(), header.size());
  for (const TensorToWrite& tensor : tensors) file.write(tensor.data, tensor.bytes);
  file.commit();
}

}  // namespace temper
