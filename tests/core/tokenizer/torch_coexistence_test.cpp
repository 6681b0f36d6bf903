// PLATFORM.md trap 1, checked: with LibTorch and its protobuf loaded into the process (this
// executable links them without using them), SentencePiece must still train, load and encode
// through the shim. Linking SentencePiece directly here aborts at start-up with "compiled against
// version 3.14.0 of the Protocol Buffer runtime". Debian's LibTorch 1.13 brings the shared
// libprotobuf.so.32; the PyPI wheel's 2.x keeps its protobuf inside libtorch_cpu.so.
#include <gtest/gtest.h>

#include "core/tokenizer/tokenizer.h"
#include "core/tokenizer/tokenizer_trainer.h"
#include "tests/core/tokenizer/test_support.h"

using namespace temper;

TEST(TorchCoexistence, TorchAndItsProtobufAreLoaded) {
  std::string maps = test::readFile("/proc/self/maps");
  ASSERT_NE(maps.find("libtorch_cpu.so"), std::string::npos) << "the test must run with LibTorch loaded";
  if (maps.find("/torch/lib/libtorch_cpu.so") != std::string::npos) {
    // The wheel links protobuf into libtorch_cpu.so with its symbols hidden (only onnx_torch's
    // messages are exported): there is no shared protobuf to clash with; SentencePiece must still work.
    GTEST_SKIP() << "the PyPI wheel's LibTorch loads no shared libprotobuf";
  }
  EXPECT_NE(maps.find("libprotobuf.so"), std::string::npos);
}

TEST(TorchCoexistence, SentencePieceTrainsLoadsAndEncodesBesideTorch) {
  test::TempDir dir;
  test::writeFile(dir / "corpus.txt", test::sampleCorpusText());
  TokenizerTrainOptions options;
  options.inputs = {dir / "corpus.txt"};
  options.vocab_size = 400;
  options.out = dir / "tok.model";
  options.threads = 1;
  EXPECT_EQ(trainTokenizer(options).vocab_size, 400);
  auto tokenizer = loadTokenizer(dir / "tok.model");
  const std::string text = "export const x = 42;\n";
  EXPECT_EQ(tokenizer->decode(tokenizer->encode(text)), text);

  const std::string botchan = test::sharedData("tokenizers/botchan-unigram-1000.model");
  if (!std::filesystem::exists(botchan)) GTEST_SKIP() << "shared test data absent: " << botchan;
  EXPECT_EQ(loadTokenizer(botchan)->encode("Hello world, this is Botchan."),
            (std::vector<int>{151, 88, 21, 887, 5, 65, 47, 296, 227, 92, 84, 6}));
}
