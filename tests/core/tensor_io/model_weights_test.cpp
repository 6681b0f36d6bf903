// A model folder's weights as one name -> tensor map: a single model.safetensors, or shards listed by
// model.safetensors.index.json, and every way such a folder can be broken (the message names the file).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/tensor_io/model_weights.h"
#include "core/tensor_io/safetensors_writer.h"
#include "safetensors_test_support.h"

namespace temper {
namespace {

using test::expectError;

/// A tiny F32 tensor whose values encode its name's length (so mixed-up entries are visible).
struct Fixture {
  std::vector<std::vector<float>> storage;

  TensorToWrite tensor(const std::string& name, std::vector<int64_t> shape) {
    int64_t numel = 1;
    for (int64_t d : shape) numel *= d;
    storage.emplace_back(static_cast<size_t>(numel), static_cast<float>(name.size()));
    return {name, DType::F32, std::move(shape), storage.back().data(), static_cast<uint64_t>(numel) * 4};
  }
};

void writeIndex(const std::filesystem::path& dir, const nlohmann::json& weight_map) {
  test::writeBytes(dir / "model.safetensors.index.json",
                   nlohmann::json({{"metadata", {{"total_size", 0}}}, {"weight_map", weight_map}}).dump());
}

/// Three shards (a, b in the first; c in the second; d, e in the third) and their index.
void writeThreeShards(const std::filesystem::path& dir, Fixture& f) {
  writeSafetensors(dir / "model-00001-of-00003.safetensors", {f.tensor("a", {2, 3}), f.tensor("bb", {4})}, {});
  writeSafetensors(dir / "model-00002-of-00003.safetensors", {f.tensor("ccc", {1, 1, 5})}, {});
  writeSafetensors(dir / "model-00003-of-00003.safetensors", {f.tensor("dddd", {2}), f.tensor("eeeee", {})}, {});
  writeIndex(dir, {{"a", "model-00001-of-00003.safetensors"},
                   {"bb", "model-00001-of-00003.safetensors"},
                   {"ccc", "model-00002-of-00003.safetensors"},
                   {"dddd", "model-00003-of-00003.safetensors"},
                   {"eeeee", "model-00003-of-00003.safetensors"}});
}

TEST(ModelWeights, SingleFile) {
  test::TempDir dir;
  Fixture f;
  writeSafetensors(dir / "model.safetensors", {f.tensor("x", {3}), f.tensor("yy", {2, 2})}, {});
  ModelWeights weights = ModelWeights::open(dir.path());
  EXPECT_EQ(weights.tensors().size(), 2u);
  EXPECT_EQ(weights.source(), dir / "model.safetensors");
  EXPECT_EQ(weights.files(), std::vector<std::filesystem::path>{dir / "model.safetensors"});
  EXPECT_EQ(weights.bytes(), 28u);
  ASSERT_NE(weights.find("yy"), nullptr);
  EXPECT_EQ(weights.find("yy")->info->shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(weights.find("zz"), nullptr);
}

TEST(ModelWeights, ShardsAreOneMapWithEachTensorInItsFile) {
  test::TempDir dir;
  Fixture f;
  writeThreeShards(dir.path(), f);
  ModelWeights weights = ModelWeights::open(dir.path());
  EXPECT_EQ(weights.source(), dir / "model.safetensors.index.json");
  EXPECT_EQ(weights.files().size(), 3u);
  EXPECT_EQ(weights.tensors().size(), 5u);
  EXPECT_EQ(weights.bytes(), (6u + 4 + 5 + 2 + 1) * 4);
  for (const auto& [name, entry] : weights.tensors()) {
    float first = 0;
    std::memcpy(&first, entry.file->data(*entry.info), 4);
    EXPECT_EQ(first, static_cast<float>(name.size())) << name;
  }
  EXPECT_EQ(weights.find("ccc")->file->path().filename(), "model-00002-of-00003.safetensors");
  EXPECT_EQ(weights.find("eeeee")->info->shape, std::vector<int64_t>{});
  // A single file beside the shards wins (transformers reads it first too).
  writeSafetensors(dir / "model.safetensors", {f.tensor("only", {1})}, {});
  EXPECT_EQ(ModelWeights::open(dir.path()).tensors().size(), 1u);
}

TEST(ModelWeights, BrokenIndexesAndShardsNameTheFile) {
  auto broken = [](const std::function<void(const std::filesystem::path&)>& damage, ErrorKind kind,
                   const std::vector<std::string>& words) {
    test::TempDir dir;
    Fixture f;
    writeThreeShards(dir.path(), f);
    damage(dir.path());
    expectError(
        kind, [&] { ModelWeights::open(dir.path()); }, words);
  };
  broken([](const auto& d) { std::filesystem::remove(d / "model-00002-of-00003.safetensors"); }, ErrorKind::Io,
         {"model.safetensors.index.json", "model-00002-of-00003.safetensors", "missing"});
  broken(
      [](const auto& d) {
        const auto shard = d / "model-00003-of-00003.safetensors";
        std::filesystem::resize_file(shard, std::filesystem::file_size(shard) - 3);
      },
      ErrorKind::InvalidInput, {"model-00003-of-00003.safetensors"});
  broken(
      [](const auto& d) {
        writeIndex(d, {{"a", "model-00001-of-00003.safetensors"},
                       {"bb", "model-00001-of-00003.safetensors"},
                       {"ccc", "model-00002-of-00003.safetensors"},
                       {"dddd", "model-00003-of-00003.safetensors"},
                       {"eeeee", "model-00003-of-00003.safetensors"},
                       {"ghost", "model-00002-of-00003.safetensors"}});
      },
      ErrorKind::InvalidInput, {"model.safetensors.index.json", "`ghost`", "model-00002-of-00003.safetensors"});
  broken(
      [](const auto& d) {
        writeIndex(d, {{"a", "model-00001-of-00003.safetensors"},
                       {"bb", "model-00001-of-00003.safetensors"},
                       {"ccc", "model-00003-of-00003.safetensors"},
                       {"dddd", "model-00003-of-00003.safetensors"},
                       {"eeeee", "model-00003-of-00003.safetensors"}});
      },
      ErrorKind::InvalidInput, {"`ccc`", "model-00003-of-00003.safetensors"});
  broken(
      [](const auto& d) {
        writeIndex(d, {{"a", "model-00001-of-00003.safetensors"},
                       {"bb", "model-00001-of-00003.safetensors"},
                       {"ccc", "model-00002-of-00003.safetensors"},
                       {"dddd", "model-00003-of-00003.safetensors"}});
      },
      ErrorKind::InvalidInput, {"model-00003-of-00003.safetensors", "`eeeee`", "not listed"});
  broken([](const auto& d) { writeIndex(d, nlohmann::json::object()); }, ErrorKind::InvalidInput,
         {"model.safetensors.index.json", "empty"});
  broken(
      [](const auto& d) {
        writeIndex(d, {{"a", "../model-00001-of-00003.safetensors"}});
      },
      ErrorKind::InvalidInput, {"model.safetensors.index.json", "not a file name"});
  broken([](const auto& d) { writeIndex(d, {{"a", 3}}); }, ErrorKind::InvalidInput, {"weight_map", "a"});
  broken([](const auto& d) { test::writeBytes(d / "model.safetensors.index.json", R"({"metadata": {}})"); },
         ErrorKind::InvalidInput, {"model.safetensors.index.json", "`weight_map`"});
  broken([](const auto& d) { test::writeBytes(d / "model.safetensors.index.json", "{\"weight_map\": "); },
         ErrorKind::InvalidInput, {"model.safetensors.index.json"});
}

TEST(ModelWeights, ANameInTwoShardsIsRefused) {
  test::TempDir dir;
  Fixture f;
  writeSafetensors(dir / "s1.safetensors", {f.tensor("a", {1})}, {});
  writeSafetensors(dir / "s2.safetensors", {f.tensor("a", {1})}, {});
  writeIndex(dir.path(), {{"a", "s1.safetensors"}, {"b", "s2.safetensors"}});
  expectError(ErrorKind::InvalidInput, [&] { ModelWeights::open(dir.path()); },
              {"`a`", "s1.safetensors", "s2.safetensors"});
}

TEST(ModelWeights, PickleOnlyAndEmptyFolders) {
  test::TempDir dir;
  expectError(ErrorKind::InvalidInput, [&] { ModelWeights::open(dir.path()); },
              {dir.path().string(), "model.safetensors", "model.safetensors.index.json"});
  test::writeBytes(dir / "pytorch_model.bin", "PK\x03\x04 pickled");
  expectError(ErrorKind::InvalidInput, [&] { ModelWeights::open(dir.path()); }, {"pytorch_model.bin", "pickle"});
}

}  // namespace
}  // namespace temper
