#pragma once
/// What the labelling page works through, without widgets (docs/preferences.md, "Labelling"):
/// one labeller on one preference set. It keeps the next pairs loaded (the page never waits on
/// the store), decides per pair which side is shown left (seeded by the labeller and the pair, so
/// a pair comes back the same way), writes each vote to the store before the next pair is shown,
/// and undoes this session's votes in reverse order. Plain C++ over Store: the page's tests and
/// the time-per-vote measurement drive it directly.
#include <cstdint>
#include <deque>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/store/store.h"

namespace temper::studio {

/// A vote as the page sees it: relative to the sides shown.
enum class ShownChoice { Left, Right, Tie, BothBad, Skip };

struct LabelProgress {
  int64_t pairs = 0;           ///< in the set
  int64_t labelled_by_me = 0;  ///< with my label in force (skips included)
  int64_t to_label = 0;        ///< what this mode still offers me
};

class LabelSession {
 public:
  enum class Mode {
    All,            ///< every pair I have not labelled
    SecondOpinion,  ///< only pairs someone else labelled (their votes are not shown), for agreement
  };

  /// Opens the store at `database` (created if missing). Throws temper::Error for a set that does
  /// not exist or an empty labeller.
  LabelSession(const std::filesystem::path& database, int64_t set_id, std::string labeller, Mode mode);

  /// The pair to label now; nullptr when nothing is left.
  const PreferencePairRecord* current() const { return queue_.empty() ? nullptr : &queue_.front(); }
  /// Whether the current pair's completion A is shown on the left.
  bool leftIsA() const;
  /// The stored side ("a" or "b") a side shown left is.
  std::string shownLeftSide() const { return leftIsA() ? "a" : "b"; }

  /// Writes the vote on the current pair (committed when this returns), then moves on. `rewrite`:
  /// the better answer as the labeller rewrote it (Left/Right only); `note` free text.
  /// Returns the label row's id. Throws when there is no current pair.
  int64_t vote(ShownChoice choice, double seconds_spent, const std::string& rewrite = "", const std::string& note = "");
  /// Withdraws this session's newest vote (an undo row in the store) and shows that pair again.
  /// false when this session has cast no vote left to undo.
  bool undo();
  bool canUndo() const { return !voted_.empty(); }

  LabelProgress progress() const;
  int64_t setId() const { return set_id_; }
  const std::string& labeller() const { return labeller_; }
  Mode mode() const { return mode_; }
  int64_t votesThisSession() const { return votes_; }
  Store& store() { return store_; }

  /// The seeded side of `pair_id` for `labeller`: true when A is shown on the left.
  static bool leftIsAFor(const std::string& labeller, int64_t pair_id);

 private:
  void refill();

  Store store_;
  int64_t set_id_;
  std::string labeller_;
  Mode mode_;
  std::deque<PreferencePairRecord> queue_;  ///< current first, then the prefetched ones
  std::vector<int64_t> voted_;              ///< this session's votes (pair ids), oldest first
  int64_t votes_ = 0;
};

}  // namespace temper::studio
