#pragma once
/// What GRPO and RLOO reward a completion with (docs/preference-training.md, "Rewards"): rule
/// rewards declared in the config (rule_rewards.h), a reward model (a one-label
/// *ForSequenceClassification folder, what a reward-model run saves, or any transformers reward
/// model), or both. The reward is Σ weightᵢ·ruleᵢ + model-weight·r_model; each part is reported on
/// its own, named `rewards/<kind>` (a second rule of the same kind `rewards/<kind>-2`) and
/// `rewards/model`, with the rule's score before its weight as TRL reports each reward function.
///
/// The reward model reads the prompt and the completion's text as a reward-model run read its
/// pairs: with its own tokenizer, the prompt after its prefix (or a conversation rendered with its
/// chat template) and the answer with eos after it, scored at the last token that is not the pad
/// id (scorePairs), so a reward model scores a policy's answer as `temper reward` scores it.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/methods/rl/rl_prompts.h"
#include "core/rewards/rule_rewards.h"
#include "core/torch_api.h"

namespace temper {

struct CompletionRewardSetup {
  std::vector<RewardRule> rules;
  std::filesystem::path reward_model;  ///< empty: rules only
  double model_weight = 1.0;
  torch::Device device = torch::kCPU;
};

/// Each completion's reward and its parts.
struct ScoredCompletions {
  std::vector<double> total;
  std::map<std::string, std::vector<double>> parts;  ///< by part name, one value per completion
};

class CompletionRewards {
 public:
  /// Compiles the rules and loads the reward model. Throws Error(InvalidConfig) when there is
  /// neither, what RuleRewards throws, and Error(InvalidInput) naming the folder when the reward
  /// model is not a one-label classifier.
  explicit CompletionRewards(CompletionRewardSetup setup);
  ~CompletionRewards();
  CompletionRewards(CompletionRewards&&) noexcept;
  CompletionRewards& operator=(CompletionRewards&&) noexcept;

  /// Scores completions[i] (text, eos removed) as an answer to *prompts[i]. Throws
  /// Error(InvalidInput) naming the prompt when the reward model's context has no room for it.
  ScoredCompletions score(const std::vector<const RlPrompt*>& prompts, const std::vector<std::string>& completions);

  /// The parts' names, in the order of the rules, then the model's.
  const std::vector<std::string>& partNames() const { return part_names_; }
  /// The fields of the prompts' records the rules compare with.
  std::vector<std::string> fieldsRead() const;

 private:
  struct Model;
  std::unique_ptr<RuleRewards> rules_;
  std::unique_ptr<Model> model_;
  double model_weight_ = 1.0;
  std::vector<std::string> part_names_;
};

}  // namespace temper
