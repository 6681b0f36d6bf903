// QLoRA's loading: a base whose projections are quantised while its folder is read holds the same
// codes as the same base loaded in fp32 and quantised after (so the model computes the same
// logits), for GPT-2 (Conv1D, stored transposed) and Llama, for nf4 and int8; the parameters of
// the quantised projections are never filled; a tensor's released pages read back unchanged.
#include <gtest/gtest.h>
#include "core/torch_api.h"

#include "core/model/hf_gpt2.h"
#include "core/model/hf_llama.h"
#include "core/model/hf_model.h"
#include "core/model/quantize_base.h"
#include "core/tensor_io/safetensors_file.h"
#include "core/tensor_io/torch_safetensors.h"
#include "tests/core/model/llama_test_support.h"
#include "tests/core/model/model_test_support.h"
#include "tests/support/temp_dir.h"

namespace temper {
namespace {

void expectLoadingQuantisedEqualsQuantisingAfter(const std::filesystem::path& dir) {
  for (QuantKind kind : {QuantKind::Nf4, QuantKind::Int8}) {
    const QuantOptions options{kind, /*double_quant=*/true};
    const HfModelInfo info = inspectHfModel(dir);
    CausalLm after = loadHfModel(info);
    quantizeProjections(*after, options);
    CausalLm on_load = loadHfModel(info, options);

    std::vector<NamedLinear> want = after->adaptableLinears();
    std::vector<NamedLinear> got = on_load->adaptableLinears();
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_TRUE(got[i].layer->quantized()) << got[i].name;
      EXPECT_EQ(got[i].layer->weight.numel(), 0) << got[i].name << ": its fp32 parameter is released";
      EXPECT_TRUE(torch::equal(got[i].layer->baseWeight(), want[i].layer->baseWeight())) << got[i].name;
    }
    // Everything else loaded as usual.
    EXPECT_TRUE(torch::equal(on_load->embeddingWeight(), after->embeddingWeight()));
    EXPECT_TRUE(torch::equal(on_load->headWeight(), after->headWeight()));
    const torch::Tensor ids = torch::randint(0, on_load->vocabSize(), {2, 6}, torch::kLong);
    torch::NoGradGuard no_grad;
    EXPECT_TRUE(torch::equal(on_load->forward(ids), after->forward(ids)));
    // A second pass over the projections (startTraining's) leaves the loaded codes alone.
    EXPECT_EQ(quantizeProjections(*on_load, options), quantizeProjections(*after, options));
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_TRUE(torch::equal(got[i].layer->baseWeight(), want[i].layer->baseWeight())) << got[i].name;
    }
  }
}

TEST(QuantizeOnLoad, GptProjectionsMatchQuantisingAfterLoading) {
  test::TempDir dir("qload-gpt");
  auto model = test::randomModel(test::smallConfig(), 41);
  saveGptHf(model, dir.path());
  expectLoadingQuantisedEqualsQuantisingAfter(dir.path());
}

TEST(QuantizeOnLoad, LlamaProjectionsMatchQuantisingAfterLoading) {
  test::TempDir dir("qload-llama");
  auto model = test::randomLlama(test::smallLlamaConfig(), 42);
  saveLlamaHf(*model, Json(), dir.path());
  expectLoadingQuantisedEqualsQuantisingAfter(dir.path());
}

TEST(QuantizeOnLoad, ReleasedPagesReadBackUnchanged) {
  test::TempDir dir("qload-pages");
  // Large enough to span whole pages, in more than one tensor.
  const torch::Tensor a = torch::randn({64, 1024}), b = torch::randn({3, 5});
  saveTensors(dir / "t.safetensors", {{"a", a}, {"b", b}}, {});
  auto file = SafetensorsFile::open(dir / "t.safetensors");
  const torch::Tensor view = tensorFromSafetensors(file, *file->find("a"));
  EXPECT_TRUE(torch::equal(view, a));
  for (const TensorInfo& info : file->tensors()) file->releasePages(info);
  EXPECT_TRUE(torch::equal(view, a)) << "paged in again from the file";
  EXPECT_TRUE(torch::equal(tensorFromSafetensors(file, *file->find("b")), b));
}

}  // namespace
}  // namespace temper
