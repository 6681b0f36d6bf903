#pragma once
/// Plain records of the store's preference data (docs/preferences.md): sets of prompt + two
/// completions (pairs) and the labels people give them. A label is never changed or deleted: a new
/// vote on a pair the labeller already labelled, or an undo, is a new row that supersedes the
/// labeller's current one, so the whole history of every decision stays in the store.
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace temper {

/// The choices a label can make, as the labelling page and `temper prefs` name them.
inline constexpr std::string_view kPreferA = "a";
inline constexpr std::string_view kPreferB = "b";
inline constexpr std::string_view kPreferTie = "tie";
inline constexpr std::string_view kPreferNeither = "both-bad";
inline constexpr std::string_view kPreferSkip = "skip";
/// What an undo writes: it withdraws the labeller's current label of the pair.
inline constexpr std::string_view kPreferUndo = "undo";

/// True for a, b, tie, both-bad and skip (not undo, which only Store::undoPreferenceLabel writes).
bool isPreferenceChoice(std::string_view choice);

struct NewPreferenceSet {
  std::string name{};             ///< unique in the store, not empty
  std::string description{};      ///< free text
  std::string guidelines{};       ///< what labellers are asked to prefer (the page's `?`)
  std::string prompts_source{};   ///< where the prompts came from (a file, "imported …")
  std::string generation_json{};  ///< the generation settings as JSON ("" is stored as {})
};

struct PreferenceSetRecord {
  int64_t id = 0;
  std::string name{}, description{}, guidelines{}, prompts_source{}, generation_json{};
  double created_at = 0;
  int64_t pairs = 0;           ///< pairs in the set
  int64_t labelled_pairs = 0;  ///< pairs with at least one current label (any labeller, skip included)
};

/// One prompt and two completions. The prompt is either plain text (`prompt`) or a conversation
/// (`messages_json`, a JSON list of {"role", "content"} objects), never both empty.
struct NewPreferencePair {
  std::string prompt{};
  std::string messages_json{};
  std::string completion_a{}, completion_b{};
  /// Where each completion came from (model folder, run, checkpoint, adapter, sampling settings,
  /// seed) as JSON; "" is stored as {}.
  std::string source_a_json{}, source_b_json{};
  /// How long each took to generate and at what speed; NaN when not generated here.
  double seconds_a = std::numeric_limits<double>::quiet_NaN();
  double seconds_b = std::numeric_limits<double>::quiet_NaN();
  double tokens_per_s_a = std::numeric_limits<double>::quiet_NaN();
  double tokens_per_s_b = std::numeric_limits<double>::quiet_NaN();
  std::string origin{};  ///< "generated", "imported FILE", "arena", …
};

struct PreferencePairRecord : NewPreferencePair {
  int64_t id = 0;
  int64_t set_id = 0;
  double created_at = 0;
};

/// What Store::addPreferencePairs did with a batch: a pair already in the set (same prompt,
/// messages and completions) is not stored twice, so a generation that resumes, or a file imported
/// again, adds only what is new.
struct AddedPreferencePairs {
  std::vector<int64_t> ids{};  ///< one per input pair, in order: the new row's id, or the existing one's
  int64_t added = 0;
  int64_t duplicates = 0;
};

/// What Store::importPreferences did.
struct ImportedPreferences {
  int64_t set_id = 0;
  bool created_set = false;
  AddedPreferencePairs pairs{};
  int64_t labels_added = 0;
  int64_t labels_already_there = 0;  ///< the labeller's current label already made that choice
};

struct NewPreferenceLabel {
  int64_t pair_id = 0;
  std::string labeller{};  ///< who voted; not empty
  std::string choice{};    ///< isPreferenceChoice
  std::string rewrite{};   ///< the better answer as the labeller rewrote it ("" when not)
  std::string note{};
  std::string shown_left{};  ///< "a" or "b": the side shown on the left; "" unknown
  double seconds_spent = std::numeric_limits<double>::quiet_NaN();  ///< time on the pair; NaN unknown
};

struct PreferenceLabelRecord : NewPreferenceLabel {
  int64_t id = 0;
  int64_t supersedes = 0;  ///< the label row this one replaced (0: the labeller's first on the pair)
  double created_at = 0;
};

}  // namespace temper
