#include "core/methods/preference/preference_task_data.h"

#include "core/common/error.h"
#include "core/data/records.h"
#include "core/tokenizer/chat_template.h"

namespace temper {
namespace {

std::optional<ChatTemplate> chatTemplateFor(const PreferenceTaskDataSetup& setup, bool conversational) {
  if (!conversational) return std::nullopt;
  if (std::filesystem::is_directory(setup.tokenizer_source)) {
    return loadChatTemplate(setup.tokenizer_source, setup.chat_template);
  }
  // A bare tokenizer file has no template of its own; buildPreferenceExamples refuses without one.
  if (setup.chat_template.empty()) return std::nullopt;
  return chatTemplateByName(setup.chat_template, "", "");
}

PreferenceExamples tokenize(const PreferenceTrainingPairs& read, const std::vector<NewPreferencePair>& pairs,
                            const PreferenceTaskDataSetup& setup, const Tokenizer& tokenizer) {
  PreferenceExampleOptions options;
  options.max_tokens = setup.max_tokens;
  options.chat = chatTemplateFor(setup, read.conversational);
  return buildPreferenceExamples(pairs, read.name, tokenizer, options);
}

void requireExamples(const PreferenceExamples& examples, const std::string& split, const std::string& name) {
  if (!examples.examples.empty()) return;
  throwInputError(name + ": no " + split + " pair is left to train on: of " + std::to_string(examples.pairs) + ", " +
                  std::to_string(examples.dropped_long_prompt) + " have a prompt that fills ctx and " +
                  std::to_string(examples.dropped_identical) +
                  " have two answers with the same tokens; raise ctx or give more pairs");
}

}  // namespace

PreferenceTaskData loadPreferenceTaskData(const PreferenceTaskDataSetup& setup, const Tokenizer& tokenizer) {
  PreferenceTaskData out;
  PreferenceTrainingPairs read = loadPreferenceTrainingPairs(setup.train);
  if (read.pairs.empty()) throwInputError(read.name + ": holds no preference pair");
  std::vector<NewPreferencePair> train_pairs, val_pairs;
  Json selection = Json::object();
  selection["train"] = read.selection;
  std::string val_name = read.name;
  if (!setup.val_data.empty()) {
    PreferenceDataRequest val_request = setup.train;
    val_request.data = setup.val_data;
    PreferenceTrainingPairs val = loadPreferenceTrainingPairs(val_request);
    if (val.pairs.empty()) throwInputError(val.name + ": holds no preference pair");
    train_pairs = std::move(read.pairs);
    val_pairs = std::move(val.pairs);
    selection["validation"] = val.selection;
    val_name = val.name;
    out.val = tokenize(val, val_pairs, setup, tokenizer);
  } else {
    const std::vector<char> held =
        heldOutMask(static_cast<int64_t>(read.pairs.size()), setup.val_fraction, setup.seed, read.name);
    for (size_t i = 0; i < read.pairs.size(); ++i) {
      (held[i] ? val_pairs : train_pairs).push_back(std::move(read.pairs[i]));
    }
    out.val = tokenize(read, val_pairs, setup, tokenizer);
  }
  out.train = tokenize(read, train_pairs, setup, tokenizer);
  requireExamples(out.train, "training", read.name);
  requireExamples(out.val, "validation", val_name);
  out.summary = Json{{"format", "preference"},
                     {"source", read.name},
                     {"selection", selection},
                     {"train", out.train.summary()},
                     {"validation", out.val.summary()}};
  return out;
}

}  // namespace temper
