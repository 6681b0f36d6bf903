#include "core/data/token_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

#include "core/common/error.h"

namespace temper {
namespace {

uint32_t readLittleEndian(const unsigned char* p, int width) {
  if (width == 2) return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8);
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}

}  // namespace

TokenFile TokenFile::open(const std::filesystem::path& path, const std::string& dtype, int vocab_size) {
  TokenFile file;
  file.path_ = path;
  file.width_ = bytesPerToken(dtype);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throwIoError(describeErrno("cannot open token file " + path.string()));
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    std::string message = describeErrno("cannot read token file " + path.string());
    ::close(fd);
    throwIoError(message);
  }
  const auto bytes = static_cast<uint64_t>(info.st_size);
  if (bytes % static_cast<uint64_t>(file.width_) != 0) {
    ::close(fd);
    throwInputError(path.string() + ": truncated token file: " + std::to_string(bytes) +
                    " bytes is not a multiple of " + std::to_string(file.width_) + " (" + dtype +
                    "); prepare the dataset again");
  }
  if (bytes > 0) {
    void* mapping = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, 0);
    if (mapping == MAP_FAILED) {
      std::string message = describeErrno("cannot map token file " + path.string());
      ::close(fd);
      throwIoError(message);
    }
    file.data_ = static_cast<const unsigned char*>(mapping);
    file.map_bytes_ = bytes;
  }
  ::close(fd);  // the mapping stays valid without the descriptor
  file.size_ = static_cast<int64_t>(bytes / static_cast<uint64_t>(file.width_));

  if (vocab_size > 0) {
    for (int64_t i = 0; i < file.size_; ++i) {
      uint32_t id = readLittleEndian(file.data_ + i * file.width_, file.width_);
      if (id >= static_cast<uint32_t>(vocab_size)) {
        throwInputError(path.string() + ": token " + std::to_string(i) + " is id " + std::to_string(id) +
                        ", outside the vocabulary of " + std::to_string(vocab_size) +
                        " (was it prepared with another tokenizer?)");
      }
    }
  }
  return file;
}

TokenFile::TokenFile(TokenFile&& other) noexcept
    : path_(std::move(other.path_)),
      data_(std::exchange(other.data_, nullptr)),
      map_bytes_(std::exchange(other.map_bytes_, 0)),
      size_(std::exchange(other.size_, 0)),
      width_(other.width_) {}

TokenFile& TokenFile::operator=(TokenFile&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    data_ = std::exchange(other.data_, nullptr);
    map_bytes_ = std::exchange(other.map_bytes_, 0);
    size_ = std::exchange(other.size_, 0);
    width_ = other.width_;
  }
  return *this;
}

TokenFile::~TokenFile() { release(); }

void TokenFile::release() noexcept {
  if (data_ != nullptr) ::munmap(const_cast<unsigned char*>(data_), map_bytes_);
  data_ = nullptr;
  map_bytes_ = 0;
  size_ = 0;
}

uint32_t TokenFile::at(int64_t i) const {
  if (i < 0 || i >= size_) {
    throw Error(ErrorKind::Internal, "token index " + std::to_string(i) + " outside " + path_.string() + " (" +
                                         std::to_string(size_) + " tokens)");
  }
  return readLittleEndian(data_ + i * width_, width_);
}

void TokenFile::copyTokens(int64_t start, int64_t count, int64_t* out) const {
  if (start < 0 || count < 0 || start > size_ - count) {
    throw Error(ErrorKind::Internal, "token range [" + std::to_string(start) + ", " + std::to_string(start + count) +
                                         ") outside " + path_.string() + " (" + std::to_string(size_) + " tokens)");
  }
  const unsigned char* p = data_ + start * width_;
  if (width_ == 2) {
    for (int64_t i = 0; i < count; ++i, p += 2) out[i] = readLittleEndian(p, 2);
  } else {
    for (int64_t i = 0; i < count; ++i, p += 4) out[i] = readLittleEndian(p, 4);
  }
}

TokenFile openDatasetSplit(const std::filesystem::path& dir, const DatasetMeta& meta, std::string_view split) {
  if (split != "train" && split != "val") {
    throw Error(ErrorKind::Internal, "dataset split `" + std::string(split) + "` is neither train nor val");
  }
  auto path = dir / (std::string(split) + ".bin");
  TokenFile file = TokenFile::open(path, meta.dtype, meta.vocab_size);
  int64_t expected = split == "train" ? meta.train_tokens : meta.val_tokens;
  if (file.size() != expected) {
    throwInputError(path.string() + ": holds " + std::to_string(file.size()) + " tokens but meta.json says " +
                    std::to_string(expected) + "; prepare the dataset again");
  }
  return file;
}

}  // namespace temper
