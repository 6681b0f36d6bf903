#include "core/methods/preference/pair_batch.h"

#include <algorithm>

#include "core/common/error.h"

namespace temper {

PairBatch collatePairs(const std::vector<const PreferenceExample*>& examples, int64_t pad_id,
                       const torch::Device& device) {
  if (examples.empty()) throw Error(ErrorKind::Internal, "a pair batch needs at least one example");
  const auto pairs = static_cast<int64_t>(examples.size());
  size_t longest = 0;
  for (const auto* e : examples) {
    if (e->chosen.empty() || e->rejected.empty()) {
      throw Error(ErrorKind::Internal, e->source + ": a pair in a batch needs two non-empty answers");
    }
    longest = std::max({longest, e->prompt.size() + e->chosen.size(), e->prompt.size() + e->rejected.size()});
  }
  const auto steps = static_cast<int64_t>(longest);
  auto ids = torch::full({2 * pairs, steps}, pad_id, torch::kLong);
  auto mask = torch::zeros({2 * pairs, steps}, torch::kLong);
  auto lengths = torch::zeros({2 * pairs}, torch::kLong);
  auto ids_a = ids.accessor<int64_t, 2>();
  auto mask_a = mask.accessor<int64_t, 2>();
  auto lengths_a = lengths.accessor<int64_t, 1>();
  PairBatch batch;
  batch.pairs = pairs;
  for (int64_t i = 0; i < pairs; ++i) {
    const auto& e = *examples[static_cast<size_t>(i)];
    for (int side = 0; side < 2; ++side) {
      const auto& answer = side == 0 ? e.chosen : e.rejected;
      const int64_t row = side * pairs + i;
      int64_t t = 0;
      for (int id : e.prompt) ids_a[row][t++] = id;
      for (int id : answer) {
        mask_a[row][t] = 1;
        ids_a[row][t++] = id;
      }
      lengths_a[row] = t;
      batch.tokens += t;
    }
  }
  batch.ids = ids.to(device);
  batch.completion_mask = mask.to(device);
  batch.lengths = lengths.to(device);
  return batch;
}

PairLogps pairLogps(const torch::Tensor& logits, const PairBatch& batch) {
  SequenceLogps all = sequenceLogps(logits, batch.ids, batch.completion_mask);
  const int64_t b = batch.pairs;
  return {{all.sum.narrow(0, 0, b), all.tokens.narrow(0, 0, b)}, {all.sum.narrow(0, b, b), all.tokens.narrow(0, b, b)}};
}

torch::Tensor lastNonPadPositions(const torch::Tensor& ids, int64_t pad_id) {
  // transformers: argmax over position * (id != pad), the last non-pad position (0 for a row of padding).
  auto positions = torch::arange(ids.size(1), ids.options());
  return (positions.unsqueeze(0) * ids.ne(pad_id).to(ids.scalar_type())).argmax(1);
}

torch::Tensor lastTokenValues(const torch::Tensor& per_position, const torch::Tensor& lengths) {
  auto values = per_position.dim() == 3 ? per_position.squeeze(-1) : per_position;
  if (values.dim() != 2 || lengths.dim() != 1 || lengths.size(0) != values.size(0)) {
    throw Error(ErrorKind::Internal, "last-token values need [R, T] values and [R] lengths");
  }
  auto last = (lengths.to(torch::kLong) - 1).clamp_min(0).unsqueeze(1);
  return values.gather(1, last).squeeze(1);
}

}  // namespace temper
