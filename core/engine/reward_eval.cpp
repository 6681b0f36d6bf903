#include "core/engine/reward_eval.h"

#include "core/common/error.h"
#include "core/engine/adapted_classifier.h"
#include "core/engine/runtime.h"
#include "core/methods/classify/classifier_folder.h"
#include "core/methods/reward/reward_model_task.h"
#include "core/prefs/preference_training_data.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer_open.h"

namespace temper {
namespace {

constexpr int64_t kPairsPerBatch = 8;

struct LoadedRewardModel {
  AdaptedClassifier loaded;
  std::unique_ptr<Tokenizer> tokenizer;
  int64_t ctx = 0;
  torch::Device device = torch::kCPU;
};

LoadedRewardModel loadRewardModel(const std::filesystem::path& model_dir, const std::filesystem::path& adapter_dir,
                                  int64_t requested_ctx, int64_t threads, const std::string& device) {
  RuntimeInfo runtime = configureRuntime(threads, device);
  LoadedRewardModel out;
  out.loaded = adapter_dir.empty() ? AdaptedClassifier{loadSequenceClassifier(model_dir), nullptr}
                                   : loadAdaptedClassifier(model_dir, adapter_dir, runtime.device);
  const auto& labels = out.loaded.classifier.labels;
  if (labels.size() != 1) {
    throwInputError((adapter_dir.empty() ? model_dir : adapter_dir).string() + ": a classifier with " +
                    std::to_string(labels.size()) +
                    " labels, not a reward model (one label); score it on {\"text\", \"label\"} records instead");
  }
  out.tokenizer = openTokenizer(model_dir);
  CausalLmImpl& backbone = *out.loaded.classifier.backbone;
  const int64_t model_ctx = backbone.tokenContext();
  out.ctx = requested_ctx == 0 ? model_ctx : requested_ctx;
  if (out.ctx < 2 || out.ctx > model_ctx) {
    throwConfigError("`ctx` is " + std::to_string(out.ctx) + "; allowed: 2 to the model's context " +
                     std::to_string(model_ctx));
  }
  if (runtime.device == "cuda") {
    out.device = torch::kCUDA;
    backbone.to(out.device);
    out.loaded.classifier.score = out.loaded.classifier.score.to(out.device);
  }
  backbone.eval();
  return out;
}

/// [2B] rewards of every example, kPairsPerBatch pairs per forward pass.
torch::Tensor scoreAll(LoadedRewardModel& model, const PreferenceExamples& examples) {
  torch::NoGradGuard no_grad;
  const int64_t pad = classifierPadId(*model.tokenizer);
  std::vector<torch::Tensor> chosen, rejected;
  for (size_t start = 0; start < examples.examples.size(); start += kPairsPerBatch) {
    std::vector<const PreferenceExample*> batch;
    for (size_t i = start; i < std::min(examples.examples.size(), start + kPairsPerBatch); ++i) {
      batch.push_back(&examples.examples[i]);
    }
    const auto scores =
        scorePairs(*model.loaded.classifier.backbone, model.loaded.classifier.score, batch, pad, model.device)
            .to(torch::kCPU, torch::kDouble);
    const auto b = static_cast<int64_t>(batch.size());
    chosen.push_back(scores.narrow(0, 0, b));
    rejected.push_back(scores.narrow(0, b, b));
  }
  return torch::stack({torch::cat(chosen), torch::cat(rejected)});
}

}  // namespace

Json RewardEvalResult::toJson() const {
  return Json{{"task", "reward-model"},
              {"pairs", pairs},
              {"accuracy", accuracy},
              {"mean_margin", mean_margin},
              {"chosen_reward", chosen_mean},
              {"rejected_reward", rejected_mean},
              {"truncated", truncated},
              {"dropped_long_prompt", dropped_long_prompt},
              {"dropped_identical", dropped_identical},
              {"selection", selection}};
}

RewardEvalResult evaluateRewardModel(const EvalRequest& request) {
  LoadedRewardModel model =
      loadRewardModel(request.model_dir, request.adapter_dir, request.ctx, request.threads, request.device);
  PreferenceTrainingPairs read = loadPreferenceTrainingPairs({request.data_file.string(), "", 0.0, ""});
  PreferenceExampleOptions options;
  options.max_tokens = model.ctx;
  if (read.conversational) options.chat = loadChatTemplate(request.model_dir);
  const PreferenceExamples examples = buildPreferenceExamples(read.pairs, read.name, *model.tokenizer, options);
  if (examples.examples.empty()) {
    throwInputError(request.data_file.string() + ": no pair left to score (" +
                    std::to_string(examples.dropped_long_prompt) + " with a prompt that fills ctx, " +
                    std::to_string(examples.dropped_identical) + " with two identical answers)");
  }
  const auto scores = scoreAll(model, examples);
  RewardEvalResult result;
  result.pairs = static_cast<int64_t>(examples.examples.size());
  result.truncated = examples.truncated;
  result.dropped_long_prompt = examples.dropped_long_prompt;
  result.dropped_identical = examples.dropped_identical;
  result.accuracy = scores[0].gt(scores[1]).to(torch::kDouble).mean().item<double>();
  result.mean_margin = (scores[0] - scores[1]).mean().item<double>();
  result.chosen_mean = scores[0].mean().item<double>();
  result.rejected_mean = scores[1].mean().item<double>();
  result.selection = read.selection;
  return result;
}

Json scoreCompletion(const RewardRequest& request) {
  LoadedRewardModel model =
      loadRewardModel(request.model_dir, request.adapter_dir, request.ctx, request.threads, request.device);
  NewPreferencePair pair;
  pair.prompt = request.prompt;
  pair.completion_a = pair.completion_b = request.completion;
  PreferenceExampleOptions options;
  options.max_tokens = model.ctx;
  options.keep_identical = true;  // one answer, scored as a pair with itself
  const PreferenceExamples examples = buildPreferenceExamples({pair}, "the prompt", *model.tokenizer, options);
  if (examples.examples.empty()) {
    throwConfigError("the prompt alone fills ctx " + std::to_string(model.ctx) + "; no answer token would be scored");
  }
  const auto scores = scoreAll(model, examples);
  const auto& example = examples.examples.front();
  return Json{{"reward", scores[0][0].item<double>()},
              {"tokens", static_cast<int64_t>(example.prompt.size() + example.chosen.size())},
              {"truncated", examples.truncated > 0}};
}

}  // namespace temper
