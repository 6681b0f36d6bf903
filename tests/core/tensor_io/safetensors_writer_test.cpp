// The writer checked against the format itself: the tests split the raw bytes without Temper's
// reader, then read back through it; failures must leave no file and no temporary behind.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/tensor_io/safetensors_file.h"
#include "core/tensor_io/safetensors_writer.h"
#include "safetensors_test_support.h"

namespace temper {
namespace {

using test::expectError;

template <typename T>
TensorToWrite tensorOf(const std::string& name, DType dtype, std::vector<int64_t> shape, const std::vector<T>& values) {
  return {name, dtype, std::move(shape), values.data(), values.size() * sizeof(T)};
}

TEST(SafetensorsWriter, RawBytesFollowTheFormatForEveryPadding) {
  std::vector<float> f32(6);
  std::iota(f32.begin(), f32.end(), -2.0f);
  std::vector<uint16_t> f16{0x3c00, 0xc100, 0x3800};  // 1, -2.5, 0.5
  std::vector<int64_t> i64{1, -1, int64_t(1) << 40};
  // Names of growing length walk the header size through every remainder mod 8.
  for (size_t nameLength = 1; nameLength <= 8; ++nameLength) {
    test::TempDir dir;
    const auto path = dir / "raw.safetensors";
    const std::string name(nameLength, 'n');
    writeSafetensors(path,
                     {tensorOf(name, DType::I64, {3}, i64), tensorOf("b", DType::F32, {2, 3}, f32),
                      tensorOf("a", DType::F16, {3}, f16)},
                     {{"format", "pt"}});
    test::RawSafetensors raw = test::parseRaw(path);
    EXPECT_EQ(raw.headerBytes % 8, 0u) << "header not padded to 8";
    const size_t jsonEnd = raw.headerText.find_last_not_of(' ') + 1;
    EXPECT_EQ(raw.headerText.back() == ' ', jsonEnd < raw.headerText.size());
    EXPECT_LT(raw.headerText.size() - jsonEnd, 8u) << "padding longer than needed";
    EXPECT_EQ(raw.header["__metadata__"], nlohmann::json({{"format", "pt"}}));
    // In the given order, contiguous from 0, bytes as given.
    EXPECT_EQ(raw.header[name]["dtype"], "I64");
    EXPECT_EQ(raw.header[name]["data_offsets"], nlohmann::json({0, 24}));
    EXPECT_EQ(raw.header["b"]["shape"], nlohmann::json({2, 3}));
    EXPECT_EQ(raw.header["b"]["data_offsets"], nlohmann::json({24, 48}));
    EXPECT_EQ(raw.header["a"]["dtype"], "F16");
    EXPECT_EQ(raw.header["a"]["data_offsets"], nlohmann::json({48, 54}));
    ASSERT_EQ(raw.data.size(), 54u);
    EXPECT_EQ(std::memcmp(raw.data.data(), i64.data(), 24), 0);
    EXPECT_EQ(std::memcmp(raw.data.data() + 24, f32.data(), 24), 0);
    EXPECT_EQ(std::memcmp(raw.data.data() + 48, f16.data(), 6), 0);
    EXPECT_EQ((8 + raw.headerBytes) % 8, 0u) << "data buffer not 8-aligned in the file";
  }
}

TEST(SafetensorsWriter, ReaderReturnsWhatWasWritten) {
  test::TempDir dir;
  const auto path = dir / "round.safetensors";
  std::vector<double> f64{3.25, -1e300};
  std::vector<uint16_t> bf16{0x3f80, 0xc000};
  std::vector<uint32_t> u32{7, 0xffffffffu};
  std::vector<uint8_t> flags{1, 0, 1};
  float scalar = 42.5f;
  writeSafetensors(path,
                   {tensorOf("f64", DType::F64, {2}, f64),
                    tensorOf("bf16", DType::BF16, {1, 2}, bf16),
                    tensorOf("u32", DType::U32, {2}, u32),
                    {"scalar", DType::F32, {}, &scalar, 4},
                    {"empty", DType::F32, {0, 7}, nullptr, 0},
                    tensorOf("flags", DType::Bool, {3}, flags)},
                   {{"format", "pt"}, {"note", "h\xc3\xa9llo"}});
  auto file = SafetensorsFile::open(path);
  EXPECT_EQ(file->metadata().at("note"), "h\xc3\xa9llo");
  ASSERT_EQ(file->tensors().size(), 6u);
  std::vector<std::string> order;
  for (const auto& info : file->tensors()) order.push_back(info.name);
  EXPECT_EQ(order, (std::vector<std::string>{"f64", "bf16", "u32", "scalar", "empty", "flags"}));
  EXPECT_EQ(std::memcmp(file->data(*file->find("f64")), f64.data(), 16), 0);
  EXPECT_EQ(std::memcmp(file->data(*file->find("bf16")), bf16.data(), 4), 0);
  EXPECT_EQ(std::memcmp(file->data(*file->find("u32")), u32.data(), 8), 0);
  EXPECT_EQ(std::memcmp(file->data(*file->find("scalar")), &scalar, 4), 0);
  EXPECT_EQ(std::memcmp(file->data(*file->find("flags")), flags.data(), 3), 0);
  EXPECT_TRUE(file->find("scalar")->shape.empty());
  EXPECT_EQ(file->find("empty")->shape, (std::vector<int64_t>{0, 7}));
  EXPECT_EQ(file->find("empty")->bytes(), 0u);
  EXPECT_EQ(file->find("u32")->dtype, DType::U32);
  EXPECT_EQ(file->fileBytes(), std::filesystem::file_size(path));
}

TEST(SafetensorsWriter, NoTensorsAndNoMetadataIsAValidFile) {
  test::TempDir dir;
  const auto path = dir / "empty.safetensors";
  writeSafetensors(path, {}, {});
  test::RawSafetensors raw = test::parseRaw(path);
  EXPECT_EQ(raw.header, nlohmann::json::object());
  EXPECT_EQ(raw.headerBytes, 8u);
  EXPECT_TRUE(SafetensorsFile::open(path)->tensors().empty());
}

TEST(SafetensorsWriter, ReplacesAnExistingFileAndLeavesNoTemporary) {
  test::TempDir dir;
  const auto path = dir / "model.safetensors";
  std::vector<float> first{1, 2}, second{3, 4, 5};
  writeSafetensors(path, {tensorOf("w", DType::F32, {2}, first)}, {});
  writeSafetensors(path, {tensorOf("w", DType::F32, {3}, second)}, {});
  EXPECT_EQ(SafetensorsFile::open(path)->find("w")->numel(), 3);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"model.safetensors"});
}

TEST(SafetensorsWriter, RejectsBadTensorsBeforeCreatingAnything) {
  test::TempDir dir;
  const auto path = dir / "bad.safetensors";
  std::vector<float> values{1, 2};
  expectError(
      ErrorKind::InvalidInput,
      [&] {
        writeSafetensors(path, {tensorOf("w", DType::F32, {2}, values), tensorOf("w", DType::F32, {2}, values)}, {});
      },
      {path.string(), "tensor \"w\"", "duplicate name"});
  expectError(ErrorKind::InvalidInput,
              [&] { writeSafetensors(path, {tensorOf("__metadata__", DType::F32, {2}, values)}, {}); }, {"reserved"});
  expectError(ErrorKind::InvalidInput, [&] { writeSafetensors(path, {tensorOf("", DType::F32, {2}, values)}, {}); },
              {"empty name"});
  expectError(ErrorKind::InvalidInput,
              [&] {
                writeSafetensors(path, {{"w", DType::F32, {-1}, nullptr, 0}}, {});
              },
              {"negative dimension -1"});
  expectError(ErrorKind::Internal, [&] { writeSafetensors(path, {tensorOf("w", DType::F32, {3}, values)}, {}); },
              {"tensor \"w\"", "8 bytes given but the shape and dtype need 12"});
  EXPECT_TRUE(dir.entries().empty());
}

TEST(SafetensorsWriter, MissingFolderIsIoErrorNamingThePath) {
  test::TempDir dir;
  const auto path = dir / "no" / "such" / "model.safetensors";
  expectError(ErrorKind::Io, [&] { writeSafetensors(path, {}, {}); }, {path.string()});
}

// Stands in for a full disk: with RLIMIT_FSIZE lowered (and SIGXFSZ ignored) write() fails with
// EFBIG part-way through the data, exactly where ENOSPC would.
TEST(SafetensorsWriter, WriteFailureIsIoErrorAndLeavesNothingBehind) {
  test::TempDir dir;
  const auto path = dir / "model.safetensors";
  std::vector<float> small{1, 2, 3};
  writeSafetensors(path, {tensorOf("old", DType::F32, {3}, small)}, {});
  const std::string before = test::readBytes(path);

  std::vector<float> big(1 << 20, 0.25f);  // 4 MiB
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit limited = saved;
  limited.rlim_cur = 64 * 1024;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
  try {
    writeSafetensors(path, {tensorOf("big", DType::F32, {1 << 20}, big)}, {});
    ADD_FAILURE() << "expected Error(Io)";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Io) << e.what();
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, previousHandler);

  EXPECT_EQ(dir.entries(), std::vector<std::string>{"model.safetensors"}) << "temporary left behind";
  EXPECT_EQ(test::readBytes(path), before) << "the previous file must be untouched";

  // And when there was no previous file, nothing at all remains.
  const auto fresh = dir / "fresh.safetensors";
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
  previousHandler = std::signal(SIGXFSZ, SIG_IGN);
  expectError(ErrorKind::Io, [&] { writeSafetensors(fresh, {tensorOf("big", DType::F32, {1 << 20}, big)}, {}); },
              {fresh.string()});
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, previousHandler);
  EXPECT_FALSE(std::filesystem::exists(fresh));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"model.safetensors"});
}

TEST(SafetensorsWriter, ReadOnlyFolderIsIoError) {
  if (::geteuid() == 0) GTEST_SKIP() << "running as root: permissions do not stop root from writing";
  test::TempDir dir;
  std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  const auto path = dir / "model.safetensors";
  expectError(ErrorKind::Io, [&] { writeSafetensors(path, {}, {}); }, {path.string()});
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace temper
