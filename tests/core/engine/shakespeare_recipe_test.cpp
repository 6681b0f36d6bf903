// nanoGPT's CPU recipe on tinyshakespeare, end to end through the CLI: a char tokenizer, the first
// 90% of the text to train on and the last 10% to evaluate, 4 layers × 4 heads × 128, ctx 64, batch
// 12, 2000 steps, lr 1e-3 -> 1e-4, warmup 100, beta2 0.99, no dropout. nanoGPT reports a validation
// loss of 1.88; this guards the whole pretraining path against silent quality regressions. Run
// twice: in fp32 and in bf16 autocast (issue 10: bf16 must learn as well, whatever the CPU).
// Label `slow` (about 70 s per precision on two cores).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "tests/core/engine/engine_test_support.h"

namespace temper::engine_test {
namespace {

namespace fs = std::filesystem;

class ShakespeareRecipe : public ::testing::TestWithParam<const char*> {};

// Whether the CPU multiplies bf16 in hardware (AVX512_BF16 or AMX), as `temper info` reports it.
bool cpuHasBf16() {
  const ProcessResult info = runTemper({"info", "--json"});
  const Json json = Json::parse(info.out, nullptr, false);
  if (json.is_discarded()) return false;
  for (const Json& feature : json["device"]["cpu"]["features"]) {
    if (feature == "avx512_bf16" || feature == "amx_bf16") return true;
  }
  return false;
}

TEST_P(ShakespeareRecipe, CharModelReachesNanoGptValidationLoss) {
  const fs::path corpus = fs::path(TEMPER_SHARED_DATA) / "corpora" / "tinyshakespeare.txt";
  if (!fs::exists(corpus)) GTEST_SKIP() << corpus << " is absent (../shared/data is needed for this test)";
  // Without bf16 in hardware (an AVX2-only CPU) LibTorch emulates every bf16 product: the 2000
  // steps took over 600 s there (fp32: 93 s), past this test's limits. bf16's arithmetic is the
  // same everywhere (round-to-nearest-even), so a CPU that has it runs this case; `precision auto`
  // never picks bf16 on one that does not.
  if (std::string(GetParam()) == "bf16" && !cpuHasBf16()) {
    GTEST_SKIP() << "this CPU has no AVX512_BF16 or AMX: bf16 is emulated and the 2000 steps take over 10 minutes";
  }
  TempDir dir("shakespeare");
  const std::string text = readFile(corpus);
  const size_t cut = text.size() * 9 / 10;  // nanoGPT: data[:int(n * 0.9)]
  writeFile(dir / "train.txt", text.substr(0, cut));
  writeFile(dir / "val.txt", text.substr(cut));

  auto tokenizer = runTemper({"tokenizer", "train", "--input", corpus.string(), "--model-type", "char", "--vocab-size",
                              "200", "--out", (dir / "char.model").string()});
  ASSERT_EQ(tokenizer.exit_code, 0) << tokenizer.all();
  auto prepared = runTemper({"data", "prepare", "--tokenizer", (dir / "char.model").string(), "--input",
                             (dir / "train.txt").string(), "--val-input", (dir / "val.txt").string(), "--out",
                             (dir / "data").string()});
  ASSERT_EQ(prepared.exit_code, 0) << prepared.all();
  auto trained = runTemper({"train",
                            "--workspace",
                            (dir / "ws").string(),
                            "--data",
                            (dir / "data").string(),
                            "--layers",
                            "4",
                            "--heads",
                            "4",
                            "--dim",
                            "128",
                            "--ctx",
                            "64",
                            "--batch-size",
                            "12",
                            "--max-steps",
                            "2000",
                            "--lr",
                            "1e-3",
                            "--min-lr",
                            "1e-4",
                            "--warmup-steps",
                            "100",
                            "--beta2",
                            "0.99",
                            "--dropout",
                            "0",
                            "--eval-every",
                            "500",
                            "--eval-batches",
                            "20",
                            "--checkpoint-every",
                            "2000",
                            "--sample-tokens",
                            "0",
                            "--precision",
                            GetParam()},
                           std::chrono::minutes(10));
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  const std::string run_id = runIdOf(trained);
  auto evaluated = runTemper({"eval", "--model", (dir / "ws" / "runs" / run_id / "final").string(), "--data",
                              (dir / "val.txt").string(), "--ctx", "64", "--json"});
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.all();
  Json result = Json::parse(evaluated.out);
  // Measured 1.897 (nanoGPT: 1.88); the margin absorbs thread-count and platform differences.
  EXPECT_LT(result["mean_nll"].get<double>(), 1.95) << result;
  EXPECT_GT(result["mean_nll"].get<double>(), 1.0) << result;
  std::printf("precision %s: validation loss %.4f\n", GetParam(), result["mean_nll"].get<double>());
}

INSTANTIATE_TEST_SUITE_P(Precisions, ShakespeareRecipe, ::testing::Values("fp32", "bf16"));

}  // namespace
}  // namespace temper::engine_test
