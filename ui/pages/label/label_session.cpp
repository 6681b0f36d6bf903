#include "ui/pages/label/label_session.h"

#include <algorithm>
#include <set>

#include "core/common/error.h"
#include "core/common/hashing.h"

namespace temper::studio {
namespace {

// Pairs kept loaded ahead of the one shown: a refill reads this many ids and their rows, so a
// vote never waits for the store to read the next pair.
constexpr int64_t kPrefetch = 16;

std::string storedChoice(ShownChoice choice, bool left_is_a) {
  switch (choice) {
    case ShownChoice::Left:
      return left_is_a ? "a" : "b";
    case ShownChoice::Right:
      return left_is_a ? "b" : "a";
    case ShownChoice::Tie:
      return std::string(kPreferTie);
    case ShownChoice::BothBad:
      return std::string(kPreferNeither);
    case ShownChoice::Skip:
      return std::string(kPreferSkip);
  }
  return "";
}

}  // namespace

LabelSession::LabelSession(const std::filesystem::path& database, int64_t set_id, std::string labeller, Mode mode)
    : store_(Store::open(database)), set_id_(set_id), labeller_(std::move(labeller)), mode_(mode) {
  if (labeller_.empty()) throw Error(ErrorKind::InvalidConfig, "a labeller needs a name");
  bool found = false;
  for (const auto& set : store_.listPreferenceSets()) found = found || set.id == set_id_;
  if (!found) throw Error(ErrorKind::InvalidConfig, "no preference set with id " + std::to_string(set_id_));
  refill();
}

bool LabelSession::leftIsAFor(const std::string& labeller, int64_t pair_id) {
  // The first byte of SHA-256(labeller, pair): the same pair shows the same way to one labeller
  // (after an undo, or in a new session), and differently for different labellers.
  const std::string digest = sha256Hex(labeller + '\x1f' + std::to_string(pair_id));
  return (std::stoi(digest.substr(0, 2), nullptr, 16) & 1) == 0;
}

bool LabelSession::leftIsA() const { return current() != nullptr && leftIsAFor(labeller_, current()->id); }

void LabelSession::refill() {
  if (static_cast<int64_t>(queue_.size()) >= kPrefetch / 2) return;
  std::set<int64_t> queued;
  for (const auto& pair : queue_) queued.insert(pair.id);
  std::set<int64_t> others;
  if (mode_ == Mode::SecondOpinion) {
    for (const auto& label : store_.currentPreferenceLabels(set_id_)) {
      if (label.labeller != labeller_ && label.choice != kPreferSkip) others.insert(label.pair_id);
    }
  }
  // In second-opinion mode most unlabelled pairs may be filtered out: read further until full.
  int64_t window = kPrefetch * 4;
  while (static_cast<int64_t>(queue_.size()) < kPrefetch) {
    const auto ids = store_.pairsToLabel(set_id_, labeller_, window + static_cast<int64_t>(queued.size()));
    for (int64_t id : ids) {
      if (static_cast<int64_t>(queue_.size()) >= kPrefetch) break;
      if (queued.count(id) != 0) continue;
      if (mode_ == Mode::SecondOpinion && others.count(id) == 0) continue;
      if (auto pair = store_.preferencePair(id)) {
        queue_.push_back(std::move(*pair));
        queued.insert(id);
      }
    }
    if (static_cast<int64_t>(ids.size()) < window + static_cast<int64_t>(queued.size())) break;  // read them all
    window *= 4;
  }
}

int64_t LabelSession::vote(ShownChoice choice, double seconds_spent, const std::string& rewrite,
                           const std::string& note) {
  if (queue_.empty()) throw Error(ErrorKind::InvalidConfig, "no pair to vote on");
  NewPreferenceLabel label;
  label.pair_id = queue_.front().id;
  label.labeller = labeller_;
  label.choice = storedChoice(choice, leftIsA());
  label.shown_left = shownLeftSide();
  label.seconds_spent = seconds_spent;
  label.rewrite = (choice == ShownChoice::Left || choice == ShownChoice::Right) ? rewrite : "";
  label.note = note;
  const int64_t id = store_.addPreferenceLabel(label);  // committed before the next pair shows
  voted_.push_back(label.pair_id);
  ++votes_;
  queue_.pop_front();
  refill();
  return id;
}

bool LabelSession::undo() {
  if (voted_.empty()) return false;
  const int64_t pair_id = voted_.back();
  store_.undoPreferenceLabel(pair_id, labeller_);
  voted_.pop_back();
  --votes_;
  auto pair = store_.preferencePair(pair_id);
  if (pair) {
    queue_.erase(std::remove_if(queue_.begin(), queue_.end(), [&](const auto& p) { return p.id == pair_id; }),
                 queue_.end());
    queue_.push_front(std::move(*pair));
  }
  return true;
}

LabelProgress LabelSession::progress() const {
  LabelProgress progress;
  for (const auto& set : store_.listPreferenceSets()) {
    if (set.id == set_id_) progress.pairs = set.pairs;
  }
  std::set<int64_t> others;
  for (const auto& label : store_.currentPreferenceLabels(set_id_)) {
    if (label.labeller == labeller_) {
      ++progress.labelled_by_me;
    } else if (label.choice != kPreferSkip) {
      others.insert(label.pair_id);
    }
  }
  if (mode_ == Mode::All) {
    progress.to_label = progress.pairs - progress.labelled_by_me;
  } else {
    int64_t mine_among_others = 0;
    for (const auto& label : store_.currentPreferenceLabels(set_id_)) {
      if (label.labeller == labeller_ && others.count(label.pair_id) != 0) ++mine_among_others;
    }
    progress.to_label = static_cast<int64_t>(others.size()) - mine_among_others;
  }
  return progress;
}

}  // namespace temper::studio
