#include "core/prefs/pair_verdict.h"

#include <map>

namespace temper {

std::optional<PairVerdict> pairVerdict(const std::vector<PreferenceLabelRecord>& labels) {
  std::map<std::string, int64_t> counts;
  PairVerdict verdict;
  for (const auto& label : labels) {
    if (label.choice == kPreferSkip || label.choice == kPreferUndo) continue;
    ++counts[label.choice];
    ++verdict.votes;
  }
  if (verdict.votes == 0) return std::nullopt;
  int64_t most = 0, holders = 0;
  for (const auto& [choice, count] : counts) {
    if (count > most) {
      most = count;
      holders = 1;
      verdict.choice = choice;
    } else if (count == most) {
      ++holders;
    }
  }
  if (holders > 1) verdict.choice.clear();
  verdict.for_choice = most;
  verdict.agreement = static_cast<double>(most) / static_cast<double>(verdict.votes);
  double newest = -1;
  for (const auto& label : labels) {
    if (label.choice == verdict.choice && !label.rewrite.empty() && label.created_at >= newest) {
      newest = label.created_at;
      verdict.rewrite = label.rewrite;
    }
  }
  return verdict;
}

}  // namespace temper
