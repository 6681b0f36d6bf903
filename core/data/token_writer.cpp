#include "core/data/token_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "core/common/error.h"

namespace temper {
namespace {
constexpr size_t kBufferBytes = 1 << 20;
}

TokenWriter::TokenWriter(std::filesystem::path final_path, int bytes_per_token)
    : final_path_(std::move(final_path)), width_(bytes_per_token) {
  temp_path_ = final_path_;
  temp_path_ += ".tmp-" + std::to_string(::getpid());
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throwIoError(describeErrno("cannot write " + final_path_.string()));
  buffer_.reserve(kBufferBytes);
}

TokenWriter::~TokenWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temp_path_.c_str());
  }
}

void TokenWriter::append(std::span<const int> ids) {
  for (int id : ids) {
    auto value = static_cast<uint32_t>(id);
    buffer_.push_back(static_cast<unsigned char>(value));
    buffer_.push_back(static_cast<unsigned char>(value >> 8));
    if (width_ == 4) {
      buffer_.push_back(static_cast<unsigned char>(value >> 16));
      buffer_.push_back(static_cast<unsigned char>(value >> 24));
    }
    if (buffer_.size() >= kBufferBytes) flush();
  }
  tokens_ += static_cast<int64_t>(ids.size());
}

void TokenWriter::flush() {
  const unsigned char* data = buffer_.data();
  size_t left = buffer_.size();
  while (left > 0) {
    ssize_t written = ::write(fd_, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      throwIoError(describeErrno("cannot write " + final_path_.string()));
    }
    data += written;
    left -= static_cast<size_t>(written);
  }
  buffer_.clear();
}

void TokenWriter::commit() {
  flush();
  if (::fsync(fd_) != 0) throwIoError(describeErrno("cannot write " + final_path_.string()));
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {
    std::string message = describeErrno("cannot write " + final_path_.string());
    ::unlink(temp_path_.c_str());
    throwIoError(message);
  }
  if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    std::string message = describeErrno("cannot rename into " + final_path_.string());
    ::unlink(temp_path_.c_str());
    throwIoError(message);
  }
}

}  // namespace temper
