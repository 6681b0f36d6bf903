#include "core/methods/method_catalog.h"

namespace temper {

const std::vector<MethodInfo>& methodCatalog() {
  static const std::string later = "not in the engine yet";
  static const std::vector<MethodInfo> catalog = {
      {"pretrain", "Pretrain from scratch",
       "A new model on your own corpus, with its own tokenizer: when no existing model fits your language or code.",
       true, ""},
      {"continued-pretrain", "Continued pretraining",
       "Teach an existing model your domain (your codebase, your documents) from raw text before any finetuning.",
       true, ""},
      {"sft", "Supervised finetuning",
       "Teach a model to answer: instruction, chat or prompt-completion examples, loss on the responses only.", true,
       ""},
      {"classify", "Classification head",
       "Replace the language-model head with a label head: for sorting texts into categories you have examples of.",
       true, ""},
      {"lora", "LoRA adapters",
       "Finetune a large model cheaply: small low-rank matrices learn, the base stays frozen and shareable.", false,
       later},
      {"adapters", "Bottleneck adapters",
       "Small layers inserted at chosen places in a frozen model: one compact adapter per task.", false, later},
      {"prompt-tuning", "Prompt tuning",
       "Learn a soft prompt per task for one frozen model; switch tasks by switching prompts.", false, later},
      {"few-shot", "Few-shot prompting",
       "No training: examples in the prompt, scored on the same evaluation as trained runs, as the baseline.", false,
       later},
      {"reward-model", "Reward model",
       "Learn which of two answers people prefer, from A/B labels: the judge that PPO trains against.", false, later},
      {"dpo", "DPO",
       "Align a model to preference pairs directly, without a reward model or sampling during training.", false,
       later},
      {"ppo", "PPO",
       "Reinforcement learning against a reward model: the classic RLHF step after SFT and a reward model.", false,
       later},
  };
  return catalog;
}

}  // namespace temper
