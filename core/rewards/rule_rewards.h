#pragma once
/// Rule rewards (docs/preference-training.md, "Rule rewards"): rewards written as data, not code,
/// for what can be checked in the text of a completion: GRPO and RLOO teach a small model a format or
/// a verifiable task with them, and `temper reward --rules` previews them on an answer. Each rule
/// scores a completion in [0, 1]; the reward is the weighted sum, and each rule's score is reported
/// on its own (the per-rule breakdown a run plots). Torch-free.
///
///   regex          1 when the completion contains a match of the PCRE2 pattern (UTF-8, Unicode
///                  classes; `(?s)` etc. work as in PCRE2)
///   format         1 when the completion, without surrounding whitespace, is the template with
///                  each `...` (or `…`) standing for any text, e.g. "<think>...</think><answer>...</answer>"
///   contains       1 when the completion contains the text (case-sensitive)
///   not-contains   1 when it does not
///   exact-match    1 when the answer equals the example's field `argument` (both trimmed); the
///                  answer is the text of the completion's last <answer>...</answer>, else all of it
///   numeric-match  1 when the last number of the answer equals the field's number (relative 1e-6;
///                  "1,234.5" and "-3" are numbers, thousands separators dropped)
///   length         1 when the completion's length in characters (code points) is within "MIN-MAX"
///                  (or at least "MIN-"), falling linearly to 0 at twice the distance of the range's
///                  nearer end outside it (so a group of near misses still ranks its answers)
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/common/json_io.h"

namespace temper {

struct RewardRule {
  std::string kind;
  std::string argument;
  double weight = 1.0;
  /// "format <answer>...</answer>": how the breakdown names the rule.
  std::string label() const { return kind + " " + argument; }
};

/// A rule's score and the weighted total of one completion.
struct RuleScores {
  std::vector<double> scores;  ///< per rule, in [0, 1], in the rules' order
  double total = 0;            ///< Σ weight × score
};

class RuleRewards {
 public:
  /// Checks and compiles every rule. Throws Error(InvalidConfig) naming the rule (its position and
  /// kind) for an unknown kind, an empty argument, a regex PCRE2 refuses (with its message), a bad
  /// length range, or a weight that is not finite.
  explicit RuleRewards(std::vector<RewardRule> rules);
  ~RuleRewards();
  RuleRewards(RuleRewards&&) noexcept;
  RuleRewards& operator=(RuleRewards&&) noexcept;

  /// Scores `completion`; `fields` are the example's string fields (exact-match and numeric-match
  /// read theirs; a missing field throws Error(InvalidInput) naming it and `source`).
  RuleScores score(const std::string& completion, const std::map<std::string, std::string>& fields = {},
                   const std::string& source = "the example") const;

  const std::vector<RewardRule>& rules() const { return rules_; }
  /// The fields the rules read from examples (exact-match, numeric-match), for checking data early.
  std::vector<std::string> fieldsRead() const;

 private:
  struct Compiled;
  std::vector<RewardRule> rules_;
  std::vector<std::unique_ptr<Compiled>> compiled_;
};

/// Rules from JSON: an array of {"kind", "argument" (or "arg"), "weight" (default 1)}, or a string
/// holding such an array (the `reward-rules` key's text). `where` names the source in errors.
std::vector<RewardRule> parseRewardRules(const Json& json, const std::string& where);
/// Rules from text as people give them (`--rules`, `reward-rules`): the path of a JSON file
/// holding the array, else the array itself. `where` names the flag or key in errors.
std::vector<RewardRule> rewardRulesFromText(const std::string& text, const std::string& where);

/// The answer exact-match and numeric-match read: the text of the last <answer>...</answer>, else
/// the whole completion, trimmed.
std::string extractedAnswer(const std::string& completion);

}  // namespace temper
