#include "core/methods/sft/sft_method.h"

#include "core/methods/record_method.h"
#include "core/methods/sft/sft_task.h"

namespace temper {
namespace {

MethodSetup setUpSft(const MethodInputs& in) {
  const TrainConfig& c = in.config;
  SftSetup s = recordSetup<SftSetup>(in, /*accept_classifier=*/false);
  s.packing = c.packing;
  s.drop_long = c.drop_long;
  s.response_template = c.response_template;
  s.chat_template = c.chat_template == "auto" ? "" : c.chat_template;
  // The table's default prompt (a newline) suits pretraining; SFT samples its validation prompts.
  if (!(c.sample_prompts.size() == 1 && c.sample_prompts[0] == "\n")) s.sample_prompts = c.sample_prompts;
  s.sample_tokens = c.sample_tokens;
  return startRecordTask<SftTask>(std::move(s), c);
}

}  // namespace

MethodSpec sftMethod() {
  MethodSpec m;
  m.name = "sft";
  m.title = "Supervised finetuning";
  m.summary = "Teach a model to answer: instruction, chat or prompt-completion examples, loss on the responses only.";
  m.base = BaseUse::LanguageModel;
  m.data_formats = {"prompt-completion", "alpaca", "messages"};
  m.keys = {"base",    "val-data",  "val-fraction",   "response-template", "chat-template",
            "packing", "drop-long", "sample-prompts", "sample-tokens"};
  m.defaults = finetuneDefaults();
  m.metrics = {"token_accuracy"};
  m.peft = {"none", "lora", "adapters", "prompt-tuning", "prefix-tuning"};
  m.set_up = setUpSft;
  m.dry_run_shape = baseModelShape;
  return m;
}

}  // namespace temper
