// `temper eval`: a language model on text, a classifier on labelled records, a reward model on preference
// pairs (core/engine/eval_command.h); `temper reward`: one answer scored by a reward model (reward_eval.h).
#include <cstdio>
#include <filesystem>
#include <map>

#include "app/cli.h"
#include "core/common/error.h"
#include "core/engine/eval_command.h"
#include "core/engine/model_loading.h"
#include "core/rewards/rule_rewards.h"

namespace temper::cli {
namespace {

/// The result as the terminal shows it: headline figures, a per-label table, the confusion matrix.
std::string formatClassifierEval(const ClassifierEvalResult& result) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof(line), "examples %lld\naccuracy %.4f\nmacro_f1 %.4f\nmean_nll %.4f\n",
                static_cast<long long>(result.examples), result.accuracy, result.macro_f1, result.mean_nll);
  out += line;
  if (result.truncated > 0) {
    std::snprintf(line, sizeof(line), "truncated %lld\n", static_cast<long long>(result.truncated));
    out += line;
  }
  size_t width = 5;
  for (const auto& l : result.labels) width = std::max(width, std::min<size_t>(l.size(), 24));
  std::snprintf(line, sizeof(line), "\n%-*s %9s %9s %9s %9s\n", static_cast<int>(width), "label", "precision", "recall",
                "f1", "support");
  out += line;
  for (size_t i = 0; i < result.labels.size(); ++i) {
    std::snprintf(line, sizeof(line), "%-*.*s %9.4f %9.4f %9.4f %9lld\n", static_cast<int>(width),
                  static_cast<int>(width), result.labels[i].c_str(), result.precision(i), result.recall(i),
                  result.f1(i), static_cast<long long>(result.support(i)));
    out += line;
  }
  out += "\nconfusion (rows: true, columns: predicted, in the order above)\n";
  for (const auto& row : result.confusion) {
    for (size_t j = 0; j < row.size(); ++j) {
      std::snprintf(line, sizeof(line), "%s%lld", j ? " " : "", static_cast<long long>(row[j]));
      out += line;
    }
    out += "\n";
  }
  return out;
}

}  // namespace

void addEvalCommand(CLI::App& app, Action& action) {
  auto* eval = app.add_subcommand(
      "eval",
      "mean negative log-likelihood and perplexity of a text file; for a classifier, accuracy on labelled records");
  auto request = std::make_shared<EvalRequest>();
  auto model = std::make_shared<std::string>();
  auto adapter = std::make_shared<std::string>();
  auto data = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  eval->add_option("--model", *model,
                   "a model folder (config.json, model.safetensors, tokenizer.model or .json), or an adapter folder "
                   "whose base is on disk")
      ->required();
  eval->add_option("--adapter", *adapter, "a PEFT adapter folder (a LoRA run's final/) applied to --model");
  eval->add_option("--data", *data,
                   "a text file; for a classifier (a classify run's final/), {\"text\",\"label\"} records in "
                   "JSONL, JSON or CSV; for a reward model (a reward-model run's final/), preference pairs in a TRL "
                   "format")
      ->required();
  eval->add_option("--ctx", request->ctx, "window length (default: the model's context)")
      ->check(CLI::Range(0, 1 << 20));
  eval->add_option("--threads", request->threads, "CPU threads (0: chosen by the engine)");
  eval->add_option("--device", request->device, "auto, cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  eval->add_flag("--json", *json, "print JSON");
  eval->callback([&action, request, model, adapter, data, json] {
    action = [request, model, adapter, data, json] {
      const ModelAndAdapter folders = resolveModelAndAdapter(*model, *adapter);
      request->model_dir = folders.model_dir;
      request->adapter_dir = folders.adapter_dir;
      request->data_file = *data;
      const EvalOutcome outcome = evaluate(*request);
      if (*json) {
        std::printf("%s\n", outcome.toJson().dump().c_str());
      } else if (outcome.reward_model) {
        const RewardEvalResult& r = *outcome.reward_model;
        std::printf("pairs %lld\naccuracy %.4f\nmean_margin %.4f\nchosen_reward %.4f\nrejected_reward %.4f\n",
                    static_cast<long long>(r.pairs), r.accuracy, r.mean_margin, r.chosen_mean, r.rejected_mean);
      } else if (outcome.classifier) {
        std::fputs(formatClassifierEval(*outcome.classifier).c_str(), stdout);
      } else {
        const EvalResult& result = *outcome.language_model;
        std::printf("tokens %lld\npredicted tokens %lld\nmean_nll %.4f\nperplexity %.4f\n",
                    static_cast<long long>(result.tokens), static_cast<long long>(result.predicted_tokens),
                    result.mean_nll, result.perplexity);
      }
      return 0;
    };
  });
}

namespace {

Json ruleBreakdown(const RuleRewards& rules, const RuleScores& scores) {
  Json out = Json::array();
  for (size_t i = 0; i < rules.rules().size(); ++i) {
    const RewardRule& rule = rules.rules()[i];
    out.push_back(
        Json{{"kind", rule.kind}, {"argument", rule.argument}, {"weight", rule.weight}, {"score", scores.scores[i]}});
  }
  return out;
}

}  // namespace

void addRewardCommand(CLI::App& app, Action& action) {
  auto* reward = app.add_subcommand(
      "reward",
      "the reward of one answer: from a reward model (a reward-model run's final/), or from rule rewards (--rules)");
  auto request = std::make_shared<RewardRequest>();
  auto model = std::make_shared<std::string>();
  auto adapter = std::make_shared<std::string>();
  auto rules = std::make_shared<std::string>();
  auto fields = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto* model_option =
      reward->add_option("--model", *model, "a reward model folder, or a SEQ_CLS adapter folder whose base is on disk");
  auto* rules_option = reward->add_option(
      "--rules", *rules,
      "rule rewards instead of a model: a JSON array of {\"kind\", \"argument\", \"weight\"} or a .json file "
      "holding one (docs/preference-training.md)");
  model_option->excludes(rules_option);
  reward->add_option("--adapter", *adapter, "a SEQ_CLS adapter folder applied to --model")->needs(model_option);
  reward->add_option("--prompt", request->prompt, "the prompt, as the pairs' prompts were written (--model)");
  reward->add_option("--completion", request->completion, "the answer to score")->required();
  reward->add_option("--fields", *fields,
                     "--rules: the example's fields as a JSON object, e.g. {\"answer\": \"42\"} (exact-match and "
                     "numeric-match read them)");
  reward->add_option("--ctx", request->ctx, "longest prompt + answer (default: the model's context)")
      ->check(CLI::Range(0, 1 << 20));
  reward->add_option("--threads", request->threads, "CPU threads (0: chosen by the engine)");
  reward->add_option("--device", request->device, "auto, cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  reward->add_flag("--json", *json, "print JSON");
  reward->callback([&action, request, model, adapter, rules, fields, json] {
    action = [request, model, adapter, rules, fields, json] {
      if (!rules->empty()) {
        const RuleRewards checked(rewardRulesFromText(*rules, "--rules"));
        std::map<std::string, std::string> values;
        if (!fields->empty()) {
          const Json parsed = Json::parse(*fields, nullptr, false);
          if (!parsed.is_object())
            throwConfigError("--fields: give a JSON object of strings, e.g. {\"answer\": \"42\"}");
          for (const auto& [key, value] : parsed.items())
            values[key] = value.is_string() ? value.get<std::string>() : value.dump();
        }
        const RuleScores scores = checked.score(request->completion, values, "--fields");
        if (*json) {
          std::printf("%s\n", Json{{"reward", scores.total}, {"rules", ruleBreakdown(checked, scores)}}.dump().c_str());
        } else {
          std::printf("reward %.6f\n", scores.total);
          for (size_t i = 0; i < scores.scores.size(); ++i) {
            const RewardRule& rule = checked.rules()[i];
            std::printf("  %g x %g  %s\n", rule.weight, scores.scores[i], rule.label().c_str());
          }
        }
        return 0;
      }
      if (model->empty()) throwConfigError("give --model (a reward model) or --rules (rule rewards)");
      if (request->prompt.empty()) throwConfigError("--model scores an answer to a prompt: give --prompt");
      const ModelAndAdapter folders = resolveModelAndAdapter(*model, *adapter);
      request->model_dir = folders.model_dir;
      request->adapter_dir = folders.adapter_dir;
      const Json scored = scoreCompletion(*request);
      if (*json) {
        std::printf("%s\n", scored.dump().c_str());
      } else {
        std::printf("reward %.6f\n", scored.at("reward").get<double>());
      }
      return 0;
    };
  });
}

}  // namespace temper::cli
