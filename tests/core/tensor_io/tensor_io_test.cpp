// The torch layer: round trips per dtype, zero-copy views that keep the mapping alive, the copy
// path for misaligned data, and a golden file written by an independent implementation
// (make_golden.py, standard-library Python).
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/tensor_io/safetensors_file.h"
#include "core/tensor_io/safetensors_writer.h"
#include "core/tensor_io/torch_safetensors.h"
#include "safetensors_test_support.h"

namespace temper {
namespace {

using test::expectError;

const std::filesystem::path kGolden =
    std::filesystem::path(TEMPER_SOURCE_DIR) / "tests/core/tensor_io/golden/tiny.safetensors";

void expectSame(const torch::Tensor& actual, const torch::Tensor& expected, const std::string& name) {
  EXPECT_EQ(actual.scalar_type(), expected.scalar_type()) << name;
  EXPECT_EQ(actual.sizes(), expected.sizes()) << name;
  EXPECT_TRUE(torch::equal(actual, expected)) << name;
}

TEST(TorchSafetensors, RoundTripsEveryTorchDtypeIncludingScalarAndEmpty) {
  torch::manual_seed(7);
  std::vector<std::pair<std::string, torch::Tensor>> tensors{
      {"f32", torch::randn({3, 4})},
      {"f16", torch::randn({5}).to(torch::kFloat16)},
      {"bf16", torch::randn({2, 3}).to(torch::kBFloat16)},
      {"i64", torch::tensor({int64_t(1) << 50, int64_t(-3), int64_t(0)})},
      {"scalar", torch::tensor(2.5f)},
      {"empty", torch::zeros({0, 5})},
      {"f64", torch::randn({2}, torch::kFloat64)},
      {"i32", torch::tensor({-1, 2}, torch::kInt32)},
      {"i16", torch::tensor({-300, 300}, torch::kInt16)},
      {"i8", torch::tensor({-5, 5}, torch::kInt8)},
      {"u8", torch::tensor({0, 255}, torch::kUInt8)},
      {"bool", torch::tensor({true, false, true})},
  };
  test::TempDir dir;
  const auto path = dir / "all.safetensors";
  saveTensors(path, tensors, {{"format", "pt"}});
  auto loaded = loadAllTensors(path);
  ASSERT_EQ(loaded.size(), tensors.size());
  for (const auto& [name, tensor] : tensors) expectSame(loaded.at(name), tensor, name);
  EXPECT_EQ(loaded.at("scalar").dim(), 0);
  EXPECT_EQ(SafetensorsFile::open(path)->metadata().at("format"), "pt");
}

TEST(TorchSafetensors, SavedFileIsPaddedAlignedAndLoadsWithoutCopies) {
  // Odd sizes first on purpose: saveTensors orders by element size so that every tensor is aligned.
  std::vector<std::pair<std::string, torch::Tensor>> tensors{
      {"u8", torch::ones({3}, torch::kUInt8)},
      {"f16", torch::ones({3}, torch::kFloat16)},
      {"f32", torch::ones({3})},
      {"i64", torch::ones({3}, torch::kInt64)},
  };
  test::TempDir dir;
  const auto path = dir / "aligned.safetensors";
  saveTensors(path, tensors, {});
  test::RawSafetensors raw = test::parseRaw(path);
  EXPECT_EQ(raw.headerBytes % 8, 0u);
  auto file = SafetensorsFile::open(path);
  for (const TensorInfo& info : file->tensors()) {
    EXPECT_EQ(info.begin % dtypeSize(info.dtype), 0u) << info.name;
    torch::Tensor tensor = tensorFromSafetensors(file, info);
    EXPECT_EQ(tensor.data_ptr(), static_cast<const void*>(file->data(info))) << info.name << " was copied";
  }
}

TEST(TorchSafetensors, ZeroCopyTensorKeepsTheMappingAlive) {
  test::TempDir dir;
  const auto path = dir / "alive.safetensors";
  saveTensors(path, {{"w", torch::arange(1000, torch::kFloat32)}}, {});
  auto file = SafetensorsFile::open(path);
  std::weak_ptr<SafetensorsFile> watch = file;
  torch::Tensor w = tensorFromSafetensors(file, *file->find("w"));
  file.reset();
  EXPECT_FALSE(watch.expired()) << "the tensor must hold the file";
  EXPECT_EQ(w[999].item<float>(), 999.0f);
  EXPECT_EQ(w.sum().item<float>(), 499500.0f);
  torch::Tensor copy = w.clone();  // the documented way to get a writable tensor
  copy.add_(1);
  w = torch::Tensor();
  EXPECT_TRUE(watch.expired()) << "the mapping must go with the last tensor";
  EXPECT_EQ(copy[0].item<float>(), 1.0f);
}

TEST(TorchSafetensors, MisalignedDataIsCopied) {
  test::TempDir dir;
  const auto path = dir / "misaligned.safetensors";
  uint8_t byte = 9;
  std::vector<float> values{1.25f, -3.5f};
  writeSafetensors(path, {{"b", DType::U8, {1}, &byte, 1}, {"f", DType::F32, {2}, values.data(), 8}}, {});
  auto file = SafetensorsFile::open(path);
  const TensorInfo& info = *file->find("f");
  ASSERT_EQ(info.begin, 1u);
  torch::Tensor f = tensorFromSafetensors(file, info);
  EXPECT_NE(f.data_ptr(), static_cast<const void*>(file->data(info)));
  expectSame(f, torch::tensor({1.25f, -3.5f}), "f");
  f.mul_(2);  // a copy is writable
}

TEST(TorchSafetensors, BoolIsNormalisedAndUnsignedWideTypesAreRejected) {
  test::TempDir dir;
  const auto path = dir / "types.safetensors";
  std::vector<uint8_t> flags{0, 2, 1};
  std::vector<uint16_t> u16{1, 2};
  writeSafetensors(path, {{"flags", DType::Bool, {3}, flags.data(), 3}, {"u16", DType::U16, {2}, u16.data(), 4}}, {});
  auto file = SafetensorsFile::open(path);
  expectSame(tensorFromSafetensors(file, *file->find("flags")), torch::tensor({false, true, true}), "flags");
  expectError(ErrorKind::InvalidInput, [&] { tensorFromSafetensors(file, *file->find("u16")); },
              {path.string(), "tensor \"u16\"", "U16 has no LibTorch equivalent"});
  expectError(ErrorKind::InvalidInput, [&] { loadAllTensors(path); }, {"U16"});
}

TEST(TorchSafetensors, SaveMakesNonContiguousTensorsContiguousAndRejectsComplex) {
  test::TempDir dir;
  const auto path = dir / "views.safetensors";
  torch::Tensor base = torch::arange(12, torch::kFloat32).reshape({3, 4});
  torch::Tensor transposed = base.t();
  torch::Tensor strided = base.index({torch::indexing::Slice(), torch::indexing::Slice(0, torch::indexing::None, 2)});
  saveTensors(path, {{"t", transposed}, {"s", strided}}, {});
  auto loaded = loadAllTensors(path);
  expectSame(loaded.at("t"), transposed.contiguous(), "t");
  expectSame(loaded.at("s"), strided.contiguous(), "s");

  const auto bad = dir / "complex.safetensors";
  expectError(ErrorKind::InvalidInput,
              [&] {
                saveTensors(bad, {{"c", torch::zeros({2}, torch::kComplexFloat)}}, {});
              },
              {bad.string(), "tensor \"c\"", "ComplexFloat", "cannot store"});
  EXPECT_FALSE(std::filesystem::exists(bad));
}

TEST(TorchSafetensors, ReadsGoldenFileWrittenByPython) {
  ASSERT_TRUE(std::filesystem::exists(kGolden)) << kGolden;
  auto file = SafetensorsFile::open(kGolden);
  EXPECT_EQ(file->metadata(), (std::map<std::string, std::string>{{"format", "pt"}, {"source", "make_golden.py"}}));
  ASSERT_EQ(file->tensors().size(), 9u);
  EXPECT_EQ(file->tensors().front().name, "d_i64") << "data order, not header order";
  auto t = loadAllTensors(kGolden);
  expectSame(t.at("a_f32"), torch::tensor({0.0f, 1.5f, -2.25f, 3.0f, 100.125f, -0.5f}).reshape({2, 3}), "a_f32");
  expectSame(t.at("b_f16"), torch::tensor({1.0f, -2.5f, 0.5f, 65504.0f}).to(torch::kFloat16), "b_f16");
  expectSame(t.at("c_bf16"), torch::tensor({1.0f, -2.0f, 3.140625f, 262144.0f}).reshape({2, 2}).to(torch::kBFloat16),
             "c_bf16");
  expectSame(t.at("d_i64"), torch::tensor({int64_t(0), int64_t(-1), (int64_t(1) << 40) + 7}), "d_i64");
  expectSame(t.at("e_scalar"), torch::tensor(42.5f), "e_scalar");
  expectSame(t.at("f_empty"), torch::zeros({0, 3}), "f_empty");
  expectSame(t.at("g_i32"), torch::tensor({-7, 2147483647}, torch::kInt32), "g_i32");
  expectSame(t.at("h_u8"), torch::tensor({0, 128, 255}, torch::kUInt8), "h_u8");
  expectSame(t.at("i_bool"), torch::tensor({true, false, true}), "i_bool");
  // The file is padded and laid out by element size, so every numeric tensor is a view.
  const TensorInfo& bf16 = *file->find("c_bf16");
  EXPECT_EQ(tensorFromSafetensors(file, bf16).data_ptr(), static_cast<const void*>(file->data(bf16)));
}

// Keeps the committed golden file and the script that documents it in step.
TEST(TorchSafetensors, GoldenScriptReproducesTheCommittedFile) {
  if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "/usr/bin/python3 not installed";
  test::TempDir dir;
  const auto out = dir / "tiny.safetensors";
  const std::string command = "/usr/bin/python3 '" + std::string(TEMPER_SOURCE_DIR) +
                              "/tests/core/tensor_io/make_golden.py' --out '" + out.string() + "' > /dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  EXPECT_EQ(test::readBytes(out), test::readBytes(kGolden));
}

}  // namespace
}  // namespace temper
