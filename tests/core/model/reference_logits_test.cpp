// Golden logits from an independent implementation: reference_gpt2.py (plain PyTorch, written
// from the Hugging Face GPT-2 definition) reads the folder saveGptHf() writes and computes logits
// in float64. Skipped when /usr/bin/python3 has no torch.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/model/gpt.h"
#include "core/model/hf_gpt2.h"
#include "model_test_support.h"

namespace temper {
namespace {

const char* const kPython = "/usr/bin/python3";
const std::string kScript = std::string(TEMPER_SOURCE_DIR) + "/tests/core/model/reference_gpt2.py";

bool pythonHasTorch() {
  const std::string command = std::string(kPython) + " -c 'import torch' >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

/// Runs `command` and returns its stdout; fails the test on a non-zero exit.
std::string runCommand(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) {
    ADD_FAILURE() << "popen failed: " << command;
    return {};
  }
  std::string output;
  std::array<char, 4096> buffer{};
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe.get())) > 0) output.append(buffer.data(), n);
  int status = pclose(pipe.release());
  EXPECT_EQ(status, 0) << command;
  return output;
}

torch::Tensor referenceLogits(const std::filesystem::path& dir, const torch::Tensor& ids) {
  nlohmann::json ids_json = nlohmann::json::array();
  for (int64_t b = 0; b < ids.size(0); ++b) {
    nlohmann::json row = nlohmann::json::array();
    for (int64_t t = 0; t < ids.size(1); ++t) row.push_back(ids[b][t].item<int64_t>());
    ids_json.push_back(row);
  }
  std::ofstream(dir / "ids.json") << ids_json.dump();
  std::string output = runCommand(std::string(kPython) + " '" + kScript + "' '" + dir.string() + "' '" +
                                  (dir / "ids.json").string() + "' 2>&1");
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(output);
  } catch (const std::exception&) {
    ADD_FAILURE() << "reference output is not JSON: " << output.substr(0, 2000);
    return {};
  }
  std::vector<double> values;
  for (const auto& row : parsed["logits"]) {
    for (const auto& step : row) {
      for (const auto& v : step) values.push_back(v.get<double>());
    }
  }
  return torch::tensor(values, torch::kDouble).view({ids.size(0), ids.size(1), -1});
}

void compareWithReference(const GptConfig& config, uint64_t seed) {
  if (!pythonHasTorch()) GTEST_SKIP() << kPython << " has no torch module; install python3-torch to run this check";
  auto model = test::randomModel(config, seed);
  test::TempDir dir;
  saveGptHf(model, dir.path());
  auto ids = test::randomIds(2, config.context, config.vocab_size, seed + 1);
  auto expected = referenceLogits(dir.path(), ids);
  ASSERT_TRUE(expected.defined());
  torch::NoGradGuard no_grad;
  auto actual = model->forward(ids).to(torch::kDouble);
  ASSERT_EQ(actual.sizes(), expected.sizes());
  const double max_diff = (actual - expected).abs().max().item<double>();
  EXPECT_LT(max_diff, 1e-4) << "largest |logit - reference| over " << actual.numel() << " logits";
  // The logits must be far from trivial for the comparison to mean anything.
  EXPECT_GT(expected.std().item<double>(), 0.5);
}

TEST(GptReference, LogitsMatchIndependentPythonGpt2) { compareWithReference(test::smallConfig(), 41); }

TEST(GptReference, LogitsMatchWithCustomInnerSizeAndEpsilon) {
  GptConfig config = test::smallConfig();
  config.layers = 3;
  config.heads = 2;
  config.mlp_hidden = 40;
  config.layer_norm_eps = 1e-2;
  compareWithReference(config, 43);
}

}  // namespace
}  // namespace temper
