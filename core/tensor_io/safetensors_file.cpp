#include "core/tensor_io/safetensors_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cstring>
#include <utility>

#include "core/common/error.h"
#include "core/tensor_io/safetensors_header.h"

namespace temper {

// The format is little-endian; reading the length and handing out raw element pointers assumes the
// host is too.
static_assert(std::endian::native == std::endian::little, "safetensors reader assumes a little-endian host");

namespace {

struct FdCloser {
  int fd;
  ~FdCloser() { ::close(fd); }
};

}  // namespace

int64_t TensorInfo::numel() const {
  int64_t count = 1;
  for (int64_t dim : shape) count *= dim;  // validated at open: cannot overflow
  return count;
}

std::shared_ptr<SafetensorsFile> SafetensorsFile::open(const std::filesystem::path& path) {
  const std::string label = path.string();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throwIoError(describeErrno("cannot open " + label));
  FdCloser closer{fd};
  struct stat status {};
  if (::fstat(fd, &status) != 0) throwIoError(describeErrno("cannot read " + label));
  if (!S_ISREG(status.st_mode)) throwIoError(label + ": not a regular file");
  const auto fileBytes = static_cast<uint64_t>(status.st_size);
  if (fileBytes < 8) {
    throwInputError(label + ": too short to be a safetensors file (" + std::to_string(fileBytes) +
                    " bytes, the 8-byte header length alone needs 8)");
  }

  // MAP_PRIVATE + PROT_READ: nothing is read here beyond the header pages, and no write through a
  // tensor can ever reach the file.
  void* mapping = ::mmap(nullptr, fileBytes, PROT_READ, MAP_PRIVATE, fd, 0);
  if (mapping == MAP_FAILED) throwIoError(describeErrno("cannot map " + label));
  std::shared_ptr<SafetensorsFile> file(new SafetensorsFile());
  file->path_ = path;
  file->mapping_ = mapping;  // owned from here on: a validation error below unmaps it
  file->mappedBytes_ = fileBytes;

  uint64_t headerBytes = 0;
  std::memcpy(&headerBytes, mapping, sizeof headerBytes);
  if (headerBytes > kMaxSafetensorsHeaderBytes) {
    throwInputError(label + ": header length " + std::to_string(headerBytes) + " exceeds the limit of " +
                    std::to_string(kMaxSafetensorsHeaderBytes) + " bytes (not a safetensors file?)");
  }
  if (headerBytes + 8 > fileBytes) {
    throwInputError(label + ": truncated: the header length says " + std::to_string(headerBytes) + " bytes but only " +
                    std::to_string(fileBytes - 8) + " follow");
  }
  const std::string_view json(static_cast<const char*>(mapping) + 8, headerBytes);
  SafetensorsHeader header = parseSafetensorsHeader(json, fileBytes - 8 - headerBytes, label);

  file->dataStart_ = 8 + headerBytes;
  file->tensors_ = std::move(header.tensors);
  file->metadata_ = std::move(header.metadata);
  for (size_t i = 0; i < file->tensors_.size(); ++i) file->byName_.emplace(file->tensors_[i].name, i);
  return file;
}

SafetensorsFile::~SafetensorsFile() { unmap(); }

SafetensorsFile::SafetensorsFile(SafetensorsFile&& other) noexcept
    : path_(std::move(other.path_)),
      mapping_(std::exchange(other.mapping_, nullptr)),
      mappedBytes_(std::exchange(other.mappedBytes_, 0)),
      dataStart_(std::exchange(other.dataStart_, 0)),
      tensors_(std::move(other.tensors_)),
      byName_(std::move(other.byName_)),
      metadata_(std::move(other.metadata_)) {}

SafetensorsFile& SafetensorsFile::operator=(SafetensorsFile&& other) noexcept {
  if (this != &other) {
    unmap();
    path_ = std::move(other.path_);
    mapping_ = std::exchange(other.mapping_, nullptr);
    mappedBytes_ = std::exchange(other.mappedBytes_, 0);
    dataStart_ = std::exchange(other.dataStart_, 0);
    tensors_ = std::move(other.tensors_);
    byName_ = std::move(other.byName_);
    metadata_ = std::move(other.metadata_);
  }
  return *this;
}

void SafetensorsFile::unmap() noexcept {
  if (mapping_ != nullptr) ::munmap(mapping_, mappedBytes_);
  mapping_ = nullptr;
  mappedBytes_ = 0;
}

const TensorInfo* SafetensorsFile::find(std::string_view name) const {
  auto it = byName_.find(name);
  return it == byName_.end() ? nullptr : &tensors_[it->second];
}

const std::byte* SafetensorsFile::data(const TensorInfo& info) const {
  return static_cast<const std::byte*>(mapping_) + dataStart_ + info.begin;
}

void SafetensorsFile::releasePages(const TensorInfo& info) const {
  const auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t first = dataStart_ + info.begin, last = dataStart_ + info.end;
  const uint64_t begin = (first + page - 1) / page * page, end = last / page * page;  // whole pages inside only
  if (mapping_ == nullptr || page == 0 || end <= begin) return;
  ::madvise(static_cast<std::byte*>(mapping_) + begin, end - begin, MADV_DONTNEED);
}

}  // namespace temper
