// Loading failures must be errors a person can act on, never a crash inside SentencePiece.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <random>

#include "core/tokenizer/spm_loader.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/core/tokenizer/test_support.h"

using namespace temper;

namespace {

using test::contains;
}  // namespace

TEST(LoadTokenizer, RandomBytesAreInvalidInputNamingTheFile) {
  test::TempDir dir;
  std::mt19937 random(42);
  std::string bytes(4096, '\0');
  for (auto& byte : bytes) byte = static_cast<char>(random());
  auto path = dir / "random.model";
  test::writeFile(path, bytes);
  Error e = test::catchError([&] { loadTokenizer(path); });
  EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
  EXPECT_TRUE(contains(e, path.string())) << e.what();
  EXPECT_TRUE(contains(e, "not a usable SentencePiece model")) << e.what();
}

TEST(LoadTokenizer, TruncatedModelIsInvalidInputNamingTheFile) {
  if (!std::filesystem::exists(test::botchanModel()))
    GTEST_SKIP() << "shared test data absent: " << test::botchanModel();
  test::TempDir dir;
  std::string bytes = test::readFile(test::botchanModel());
  auto path = dir / "half.model";
  test::writeFile(path, std::string_view(bytes).substr(0, bytes.size() / 2));
  Error e = test::catchError([&] { loadTokenizer(path); });
  EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
  EXPECT_TRUE(contains(e, path.string())) << e.what();
}

TEST(LoadTokenizer, EmptyFileIsInvalidInput) {
  test::TempDir dir;
  auto path = dir / "empty.model";
  test::writeFile(path, "");
  Error e = test::catchError([&] { loadTokenizer(path); });
  EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
  EXPECT_TRUE(contains(e, path.string() + ": tokenizer model file is empty")) << e.what();
}

TEST(LoadTokenizer, MissingPathIsIoError) {
  Error e = test::catchError([] { loadTokenizer("/nonexistent/tok.model"); });
  EXPECT_EQ(e.kind(), ErrorKind::Io);
  EXPECT_TRUE(contains(e, "/nonexistent/tok.model: no such tokenizer file or folder")) << e.what();
}

TEST(LoadTokenizer, FolderWithoutTokenizerModelIsIoError) {
  test::TempDir dir;
  Error e = test::catchError([&] { loadTokenizer(dir.path()); });
  EXPECT_EQ(e.kind(), ErrorKind::Io);
  EXPECT_TRUE(contains(e, "folder has no tokenizer.model")) << e.what();
}

TEST(LoadTokenizer, FolderWithTokenizerModelLoads) {
  if (!std::filesystem::exists(test::botchanModel()))
    GTEST_SKIP() << "shared test data absent: " << test::botchanModel();
  test::TempDir dir;
  std::filesystem::copy_file(test::botchanModel(), dir / "tokenizer.model");
  EXPECT_EQ(resolveTokenizerModelPath(dir.path()), dir / "tokenizer.model");
  EXPECT_EQ(loadTokenizer(dir.path())->vocabSize(), 1000);
}

TEST(SpmShim, CandidatesHonourTheEnvironmentThenTheBuildLayout) {
  ::setenv("TEMPER_SPM_SHIM", "/opt/x/libshim.so", 1);
  EXPECT_EQ(spmShimCandidates(), std::vector<std::filesystem::path>{"/opt/x/libshim.so"});
  ::unsetenv("TEMPER_SPM_SHIM");
  auto candidates = spmShimCandidates();
  ASSERT_GE(candidates.size(), 3u);
  auto exe_dir = std::filesystem::read_symlink("/proc/self/exe").parent_path();
  EXPECT_EQ(candidates[0], (exe_dir / ".." / "lib" / "libtemper_spm_shim.so").lexically_normal());
  EXPECT_EQ(candidates[1], exe_dir / "libtemper_spm_shim.so");
  EXPECT_EQ(candidates[2], (exe_dir / ".." / "lib" / "temper" / "libtemper_spm_shim.so").lexically_normal());
  EXPECT_TRUE(std::filesystem::exists(candidates[0])) << "the build puts the shim in build/lib";
}

TEST(SpmShim, SentencePieceStaysOutOfTheGlobalSymbolNamespace) {
  const SpmApi& api = spmApi();
  EXPECT_NE(api.encode, nullptr);
  EXPECT_NE(test::readFile("/proc/self/maps").find("libtemper_spm_shim.so"), std::string::npos);
  // Loaded RTLD_LOCAL and never linked: neither the shim's nor SentencePiece's symbols are visible
  // to the rest of the process, which is what keeps them away from LibTorch's protobuf.
  EXPECT_EQ(::dlsym(RTLD_DEFAULT, "temper_spm_encode"), nullptr);
  EXPECT_EQ(::dlsym(RTLD_DEFAULT, "_ZN13sentencepiece22SentencePieceProcessorC1Ev"), nullptr);
}

TEST(SpmShim, AbsentShimIsAnIoErrorListingWhereItLooked) {
  // Run in a fresh process: in this one the shim may already be loaded (and stays loaded).
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        ::setenv("TEMPER_SPM_SHIM", "/nonexistent/libtemper_spm_shim.so", 1);
        try {
          loadTokenizer("/proc/self/exe");  // any readable file: the shim is looked for first
        } catch (const Error& e) {
          std::fprintf(stderr, "%s|%s\n", errorKindName(e.kind()), e.what());
          std::exit(e.kind() == ErrorKind::Io ? 4 : 1);
        }
        std::exit(0);
      },
      ::testing::ExitedWithCode(4),
      "cannot find the SentencePiece shim libtemper_spm_shim.so; looked in:\n  /nonexistent/libtemper_spm_shim.so\n"
      "set TEMPER_SPM_SHIM to its path");
}
