#include <gtest/gtest.h>

#include <numeric>
#include <set>

#include "core/data/batch_sampler.h"
#include "core/data/token_writer.h"
#include "tests/core/tokenizer/test_support.h"

using namespace temper;

namespace {

// A file whose token i is i: a window's contents reveal where it starts.
TokenFile identityTokens(const test::TempDir& dir, int count) {
  std::vector<int> ids(static_cast<size_t>(count));
  std::iota(ids.begin(), ids.end(), 0);
  TokenWriter writer(dir / "ids.bin", 4);
  writer.append(ids);
  writer.commit();
  return TokenFile::open(dir / "ids.bin", "uint32");
}

struct Batch {
  std::vector<int64_t> inputs, targets;
  bool operator==(const Batch&) const = default;
};

std::vector<Batch> draw(BatchSampler& sampler, int count) {
  std::vector<Batch> batches(static_cast<size_t>(count));
  for (auto& batch : batches) sampler.next(batch.inputs, batch.targets);
  return batches;
}

}  // namespace

TEST(BatchSampler, SameSeedSameBatchesOtherSeedOtherBatches) {
  test::TempDir dir;
  TokenFile tokens = identityTokens(dir, 5000);
  BatchSampler a(tokens, 4, 16, 1337), b(tokens, 4, 16, 1337), c(tokens, 4, 16, 1338);
  auto first = draw(a, 10);
  EXPECT_EQ(first, draw(b, 10));
  EXPECT_NE(first, draw(c, 10));
  EXPECT_NE(first[0], first[1]);
  EXPECT_EQ(a.position(), 10u);
}

TEST(BatchSampler, SetPositionReproducesTheNextBatchWithoutReplaying) {
  test::TempDir dir;
  TokenFile tokens = identityTokens(dir, 5000);
  BatchSampler original(tokens, 3, 8, 99);
  auto batches = draw(original, 12);
  for (uint64_t k : {0u, 1u, 5u, 11u}) {
    BatchSampler resumed(tokens, 3, 8, 99);
    resumed.setPosition(k);
    Batch next;
    resumed.next(next.inputs, next.targets);
    EXPECT_EQ(next, batches[k]) << "after restoring position " << k;
    EXPECT_EQ(resumed.position(), k + 1);
  }
}

TEST(BatchSampler, TargetsAreInputsShiftedByOneAndWindowsStayInRange) {
  test::TempDir dir;
  const int count = 40, batch_size = 5, context = 10;
  TokenFile tokens = identityTokens(dir, count);
  BatchSampler sampler(tokens, batch_size, context, 3);
  std::set<int64_t> starts;
  for (int step = 0; step < 200; ++step) {
    std::vector<int64_t> inputs, targets;
    sampler.next(inputs, targets);
    ASSERT_EQ(inputs.size(), static_cast<size_t>(batch_size * context));
    ASSERT_EQ(targets.size(), inputs.size());
    for (int row = 0; row < batch_size; ++row) {
      const int64_t start = inputs[static_cast<size_t>(row * context)];
      starts.insert(start);
      for (int t = 0; t < context; ++t) {
        const auto i = static_cast<size_t>(row * context + t);
        ASSERT_EQ(inputs[i], start + t) << "a window is contiguous";
        ASSERT_EQ(targets[i], inputs[i] + 1) << "targets are the next tokens";
      }
      ASSERT_LE(start + context, count - 1) << "the last target is inside the file";
    }
  }
  EXPECT_EQ(*starts.begin(), 0);
  EXPECT_EQ(*starts.rbegin(), count - context - 1) << "every start is reachable";
  EXPECT_EQ(starts.size(), static_cast<size_t>(count - context));
}

TEST(BatchSampler, TooFewTokensAndBadSizesAreClearErrors) {
  test::TempDir dir;
  TokenFile tokens = identityTokens(dir, 16);
  Error short_file = test::catchError([&] { BatchSampler(tokens, 2, 16, 1); });
  EXPECT_EQ(short_file.kind(), ErrorKind::InvalidInput);
  EXPECT_NE(std::string(short_file.what()).find("holds 16 tokens, fewer than context + 1 = 17"), std::string::npos)
      << short_file.what();
  EXPECT_NO_THROW(BatchSampler(tokens, 2, 15, 1));
  EXPECT_EQ(test::catchError([&] { BatchSampler(tokens, 0, 4, 1); }).kind(), ErrorKind::InvalidConfig);
  EXPECT_EQ(test::catchError([&] { BatchSampler(tokens, 2, 0, 1); }).kind(), ErrorKind::InvalidConfig);
}
