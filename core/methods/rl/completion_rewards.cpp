#include "core/methods/rl/completion_rewards.h"

#include "core/common/error.h"
#include "core/methods/classify/classifier_folder.h"
#include "core/methods/reward/reward_model_task.h"
#include "core/model/sequence_classifier.h"
#include "core/prefs/preference_examples.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer_open.h"

namespace temper {

struct CompletionRewards::Model {
  std::filesystem::path folder;
  SequenceClassifier classifier;
  std::unique_ptr<Tokenizer> tokenizer;
  std::optional<ChatTemplate> chat;  ///< loaded when the first conversation prompt arrives
  bool chat_looked_up = false;
  int64_t pad_id = -1;
  torch::Device device = torch::kCPU;
};

namespace {

constexpr size_t kPairsPerForward = 8;

std::vector<std::string> partNamesOf(const std::vector<RewardRule>& rules, bool with_model) {
  std::vector<std::string> names;
  std::map<std::string, int> seen;
  for (const auto& rule : rules) {
    const int n = ++seen[rule.kind];
    std::string name = "rewards/";
    name += rule.kind;
    if (n > 1) {  // the second regex: rewards/regex-2
      name += '-';
      name += std::to_string(n);
    }
    names.push_back(std::move(name));
  }
  if (with_model) names.emplace_back("rewards/model");
  return names;
}

}  // namespace

CompletionRewards::CompletionRewards(CompletionRewardSetup setup) : model_weight_(setup.model_weight) {
  if (setup.rules.empty() && setup.reward_model.empty()) {
    throwConfigError(
        "nothing rewards the completions: give `reward-rules` (rules checked in the text), "
        "`reward-model` (a reward model's folder), or both");
  }
  if (!setup.rules.empty()) rules_ = std::make_unique<RuleRewards>(std::move(setup.rules));
  if (!setup.reward_model.empty()) {
    model_ = std::make_unique<Model>();
    model_->folder = setup.reward_model;
    model_->classifier = loadSequenceClassifier(setup.reward_model);
    if (model_->classifier.labels.size() != 1) {
      throwInputError(setup.reward_model.string() + ": a classifier with " +
                      std::to_string(model_->classifier.labels.size()) +
                      " labels, not a reward model (one label; what a reward-model run saves)");
    }
    model_->tokenizer = openTokenizer(setup.reward_model);
    model_->pad_id = classifierPadId(*model_->tokenizer);
    model_->device = setup.device;
    model_->classifier.backbone->to(setup.device);
    model_->classifier.score = model_->classifier.score.to(setup.device);
    model_->classifier.backbone->eval();
    for (auto& p : model_->classifier.backbone->parameters()) p.set_requires_grad(false);
  }
  part_names_ = partNamesOf(rules_ ? rules_->rules() : std::vector<RewardRule>{}, model_ != nullptr);
}

CompletionRewards::~CompletionRewards() = default;
CompletionRewards::CompletionRewards(CompletionRewards&&) noexcept = default;
CompletionRewards& CompletionRewards::operator=(CompletionRewards&&) noexcept = default;

std::vector<std::string> CompletionRewards::fieldsRead() const {
  return rules_ ? rules_->fieldsRead() : std::vector<std::string>{};
}

ScoredCompletions CompletionRewards::score(const std::vector<const RlPrompt*>& prompts,
                                           const std::vector<std::string>& completions) {
  if (prompts.size() != completions.size()) throw Error(ErrorKind::Internal, "one prompt per completion");
  ScoredCompletions out;
  out.total.assign(completions.size(), 0.0);
  size_t part = 0;
  if (rules_) {
    const auto& rules = rules_->rules();
    for (size_t r = 0; r < rules.size(); ++r) out.parts[part_names_[part + r]].resize(completions.size());
    for (size_t i = 0; i < completions.size(); ++i) {
      const RuleScores scores = rules_->score(completions[i], prompts[i]->fields, prompts[i]->source);
      for (size_t r = 0; r < rules.size(); ++r) out.parts[part_names_[part + r]][i] = scores.scores[r];
      out.total[i] += scores.total;
    }
    part += rules.size();
  }
  if (model_) {
    Model& m = *model_;
    // Two completions of the same prompt per pair (scorePairs scores both halves); a completion
    // with no neighbour of its prompt is paired with itself.
    auto samePrompt = [&](size_t i, size_t j) {
      return prompts[i]->text == prompts[j]->text && prompts[i]->messages_json == prompts[j]->messages_json;
    };
    std::vector<std::pair<size_t, size_t>> slots;
    for (size_t i = 0; i < completions.size();) {
      const bool two = i + 1 < completions.size() && samePrompt(i, i + 1);
      slots.emplace_back(i, two ? i + 1 : i);
      i += two ? 2 : 1;
    }
    std::vector<NewPreferencePair> pairs;
    bool conversational = false;
    for (const auto& [a, b] : slots) {
      NewPreferencePair pair;
      pair.prompt = prompts[a]->text;
      pair.messages_json = prompts[a]->messages_json;
      pair.completion_a = completions[a];
      pair.completion_b = completions[b];
      conversational = conversational || !pair.messages_json.empty();
      pairs.push_back(std::move(pair));
    }
    if (conversational && !m.chat_looked_up) {
      m.chat_looked_up = true;
      m.chat = loadChatTemplate(m.folder);
    }
    PreferenceExampleOptions options;
    options.max_tokens = m.classifier.backbone->tokenContext();
    options.chat = m.chat;
    options.keep_identical = true;
    const PreferenceExamples examples =
        buildPreferenceExamples(pairs, "the reward model's input", *m.tokenizer, options);
    if (examples.examples.size() != pairs.size()) {
      throwInputError(m.folder.string() + ": a prompt fills the reward model's context (" +
                      std::to_string(options.max_tokens) + " tokens) and leaves no room for the answer");
    }
    auto& model_part = out.parts[part_names_[part]];
    model_part.resize(completions.size());
    torch::NoGradGuard no_grad;
    for (size_t start = 0; start < slots.size(); start += kPairsPerForward) {
      std::vector<const PreferenceExample*> batch;
      for (size_t k = start; k < std::min(slots.size(), start + kPairsPerForward); ++k) {
        batch.push_back(&examples.examples[k]);
      }
      const auto r = scorePairs(*m.classifier.backbone, m.classifier.score, batch, m.pad_id, m.device)
                         .to(torch::kCPU, torch::kDouble);
      const auto b = static_cast<int64_t>(batch.size());
      for (int64_t k = 0; k < b; ++k) {
        const auto& [first, second] = slots[start + static_cast<size_t>(k)];
        model_part[first] = r[k].item<double>();
        model_part[second] = r[b + k].item<double>();
      }
    }
    for (size_t i = 0; i < completions.size(); ++i) out.total[i] += model_weight_ * model_part[i];
  }
  return out;
}

}  // namespace temper
