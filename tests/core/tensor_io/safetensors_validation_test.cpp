// Every way a safetensors file can be malformed gets its own hand-crafted file and must fail with
// Error(InvalidInput) naming the file, the tensor where there is one, and the specific reason.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/tensor_io/safetensors_file.h"
#include "core/tensor_io/safetensors_writer.h"
#include "safetensors_test_support.h"

namespace temper {
namespace {

using test::expectError;
using test::safetensorsBytes;

struct BadFile {
  std::string name;    // test name and file stem
  std::string bytes;   // the whole file
  std::string reason;  // must appear in the message
  std::string tensor;  // must appear as `tensor "<name>"` when not empty
};

std::string entry(const std::string& dtype, const std::string& shape, const std::string& offsets) {
  return R"({"dtype":")" + dtype + R"(","shape":)" + shape + R"(,"data_offsets":)" + offsets + "}";
}

std::string oneTensor(const std::string& body, size_t dataBytes) {
  return safetensorsBytes("{\"t\":" + body + "}", std::string(dataBytes, '\x01'));
}

std::vector<BadFile> badFiles() {
  const std::string f32x1 = entry("F32", "[1]", "[0,4]");
  return {
      {"ShorterThan8Bytes", "abc", "too short to be a safetensors file", ""},
      {"HeaderLengthOverLimit", test::littleEndian64(100'000'001) + "{}", "exceeds the limit of 100000000", ""},
      {"HeaderLengthBeyondFile", test::littleEndian64(1000) + "{\"t\":1}", "truncated: the header length says 1000",
       ""},
      {"HeaderNotUtf8", safetensorsBytes("{\"t\xff\":1}", ""), "header is not valid UTF-8", ""},
      {"HeaderNotJson", safetensorsBytes("{\"t\": ", ""), "header is not valid JSON", ""},
      {"HeaderEmpty", safetensorsBytes("", ""), "header is not valid JSON", ""},
      {"HeaderNotObject", safetensorsBytes("[1, 2]", ""), "header is not a JSON object but array", ""},
      {"EntryNotObject", oneTensor("5", 0), "entry is not a JSON object", "t"},
      {"MissingDtype", oneTensor(R"({"shape":[1],"data_offsets":[0,4]})", 4), "missing \"dtype\"", "t"},
      {"MissingShape", oneTensor(R"({"dtype":"F32","data_offsets":[0,4]})", 4), "missing \"shape\"", "t"},
      {"MissingOffsets", oneTensor(R"({"dtype":"F32","shape":[1]})", 4), "missing \"data_offsets\"", "t"},
      {"DtypeNotString", oneTensor(R"({"dtype":7,"shape":[1],"data_offsets":[0,4]})", 4), "\"dtype\" must be a string",
       "t"},
      {"ShapeNotArray", oneTensor(entry("F32", "4", "[0,4]"), 4), "\"shape\" must be an array of integers", "t"},
      {"ShapeHasFloat", oneTensor(entry("F32", "[1.0]", "[0,4]"), 4), "\"shape\" must be an array of integers", "t"},
      {"OffsetsNotPair", oneTensor(entry("F32", "[1]", "[0]"), 4), "\"data_offsets\" must be an array of two", "t"},
      {"OffsetsNegative", oneTensor(entry("F32", "[1]", "[-4,0]"), 4),
       "\"data_offsets\" must be an array of two non-negative", "t"},
      {"OffsetsNotNumbers", oneTensor(entry("F32", "[1]", "[\"0\",\"4\"]"), 4), "\"data_offsets\" must be", "t"},
      {"UnknownDtype", oneTensor(entry("F8_E4M3", "[1]", "[0,1]"), 1), "unknown dtype \"F8_E4M3\"", "t"},
      {"NegativeDimension", oneTensor(entry("F32", "[-2,2]", "[0,16]"), 16), "negative dimension -2 in shape", "t"},
      {"DimensionTooLarge", oneTensor(entry("U8", "[18446744073709551615]", "[0,1]"), 1), "in shape is too large", "t"},
      {"EndBeforeBegin", oneTensor(entry("F32", "[1]", "[4,0]"), 4), "data_offsets end 0 is before begin 4", "t"},
      {"SizeMismatch", oneTensor(entry("F32", "[2]", "[0,4]"), 4),
       "shape [2] of F32 needs 8 bytes but data_offsets span 4", "t"},
      {"ElementCountOverflows", oneTensor(entry("F32", "[4294967296,4294967296]", "[0,4]"), 4),
       "its byte size overflows", "t"},
      {"DuplicateTensorName",
       safetensorsBytes("{\"t\":" + f32x1 + ",\"t\":" + entry("F32", "[1]", "[4,8]") + "}", std::string(8, '\0')),
       "duplicate tensor name \"t\"", ""},
      {"DuplicateKeyInEntry", oneTensor(R"({"dtype":"F32","dtype":"I32","shape":[1],"data_offsets":[0,4]})", 4),
       "duplicate key \"dtype\"", "t"},
      {"GapBetweenTensors",
       safetensorsBytes("{\"a\":" + f32x1 + ",\"b\":" + entry("F32", "[1]", "[8,12]") + "}", std::string(12, '\0')),
       "gap of 4 bytes before it", "b"},
      {"GapAtStart", oneTensor(entry("F32", "[1]", "[4,8]"), 8), "gap of 4 bytes before it", "t"},
      {"OverlappingTensors",
       safetensorsBytes("{\"a\":" + entry("F32", "[2]", "[0,8]") + ",\"b\":" + entry("F32", "[2]", "[4,12]") + "}",
                        std::string(12, '\0')),
       "overlaps tensor \"a\"", "b"},
      {"BytesAfterLastTensor", oneTensor(f32x1, 8), "4 bytes after the last tensor are not described", ""},
      {"DataTruncated", oneTensor(entry("F32", "[2]", "[0,8]"), 5),
       "truncated: the tensors need 8 bytes of data but only 5", ""},
      {"MetadataValueNotString", safetensorsBytes(R"({"__metadata__":{"format":"pt","step":5}})", ""),
       "\"__metadata__\" value for \"step\" is not a string", ""},
      {"MetadataNotObject", safetensorsBytes(R"({"__metadata__":"pt"})", ""), "\"__metadata__\" must be an object", ""},
  };
}

class SafetensorsValidation : public ::testing::TestWithParam<BadFile> {};

TEST_P(SafetensorsValidation, RejectsWithReasonFileAndTensor) {
  const BadFile& bad = GetParam();
  test::TempDir dir;
  const auto path = dir / ("bad_" + bad.name + ".safetensors");
  test::writeBytes(path, bad.bytes);
  std::vector<std::string> parts{path.string(), bad.reason};
  if (!bad.tensor.empty()) parts.push_back("tensor \"" + bad.tensor + "\"");
  expectError(
      ErrorKind::InvalidInput, [&] { SafetensorsFile::open(path); }, parts);
}

INSTANTIATE_TEST_SUITE_P(BadFiles, SafetensorsValidation, ::testing::ValuesIn(badFiles()),
                         [](const ::testing::TestParamInfo<BadFile>& param) { return param.param.name; });

// A valid file written by us, then cut: in the data, and inside the header.
TEST(SafetensorsTruncation, HalfAFileIsReportedAsTruncated) {
  test::TempDir dir;
  std::vector<float> values(1000, 1.5f);
  const auto whole = dir / "whole.safetensors";
  writeSafetensors(whole, {{"w", DType::F32, {1000}, values.data(), values.size() * sizeof(float)}}, {});
  const std::string bytes = test::readBytes(whole);
  const auto half = dir / "half.safetensors";
  test::writeBytes(half, bytes.substr(0, bytes.size() / 2));
  expectError(ErrorKind::InvalidInput, [&] { SafetensorsFile::open(half); }, {half.string(), "truncated"});

  const auto headerCut = dir / "header_cut.safetensors";
  test::writeBytes(headerCut, bytes.substr(0, 8 + 10));
  expectError(ErrorKind::InvalidInput, [&] { SafetensorsFile::open(headerCut); },
              {headerCut.string(), "truncated: the header length says"});
}

TEST(SafetensorsOpen, MissingFileOrFolderIsIoError) {
  test::TempDir dir;
  expectError(ErrorKind::Io, [&] { SafetensorsFile::open(dir / "absent.safetensors"); }, {"absent.safetensors"});
  expectError(ErrorKind::Io, [&] { SafetensorsFile::open(dir.path()); }, {dir.path().string(), "not a regular file"});
}

// The edges the format allows: no tensors, only metadata, empty and 0-d tensors (several empty
// tensors at one offset), unknown extra fields in an entry, and an unpadded header.
TEST(SafetensorsOpen, AcceptsTheEdgesTheFormatAllows) {
  test::TempDir dir;
  const auto noTensors = dir / "none.safetensors";
  test::writeBytes(noTensors, safetensorsBytes("{}      ", ""));
  EXPECT_TRUE(SafetensorsFile::open(noTensors)->tensors().empty());

  const auto edges = dir / "edges.safetensors";
  const std::string header = R"({"__metadata__":{"format":"pt"},)"
                             R"("s":{"dtype":"I16","shape":[],"data_offsets":[0,2],"extra":true},)"
                             R"("e1":{"dtype":"F32","shape":[0,3],"data_offsets":[2,2]},)"
                             R"("e2":{"dtype":"BF16","shape":[4,0],"data_offsets":[2,2]},)"
                             R"("u":{"dtype":"U8","shape":[3],"data_offsets":[2,5]}})";
  test::writeBytes(edges, safetensorsBytes(header, std::string("\x07\x00\x01\x02\x03", 5)));
  auto file = SafetensorsFile::open(edges);
  ASSERT_EQ(file->tensors().size(), 4u);
  EXPECT_EQ(file->metadata().at("format"), "pt");
  const TensorInfo* scalar = file->find("s");
  ASSERT_NE(scalar, nullptr);
  EXPECT_TRUE(scalar->shape.empty());
  EXPECT_EQ(scalar->numel(), 1);
  EXPECT_EQ(std::to_integer<int>(file->data(*scalar)[0]), 7);
  EXPECT_EQ(file->find("e1")->numel(), 0);
  EXPECT_EQ(file->find("e2")->dtype, DType::BF16);
  EXPECT_EQ(std::to_integer<int>(file->data(*file->find("u"))[2]), 3);
  EXPECT_EQ(file->find("missing"), nullptr);
  EXPECT_EQ(file->tensors().front().name, "s") << "tensors() is in data order";
  EXPECT_EQ(file->tensors().back().name, "u");
}

TEST(DTypeNames, RoundTripAndSizes) {
  for (DType type : {DType::Bool, DType::U8, DType::I8, DType::I16, DType::U16, DType::F16, DType::BF16, DType::I32,
                     DType::U32, DType::F32, DType::F64, DType::I64, DType::U64}) {
    EXPECT_EQ(dtypeFromName(dtypeName(type)), type) << dtypeName(type);
  }
  EXPECT_EQ(dtypeName(DType::Bool), "BOOL");
  EXPECT_EQ(dtypeSize(DType::BF16), 2u);
  EXPECT_EQ(dtypeSize(DType::U64), 8u);
  EXPECT_FALSE(dtypeFromName("f32").has_value());
}

}  // namespace
}  // namespace temper
