#include "ui/wizard/method_catalog.h"

#include <QCoreApplication>
#include <initializer_list>

namespace temper::studio {

namespace {

class MethodCatalogText {
  Q_DECLARE_TR_FUNCTIONS(MethodCatalog)
};

struct MethodWords {
  const char* name;
  const char* title;
  const char* when;
};

// Translated when asked (not once at start-up), so that a language switched later applies.
constexpr MethodWords kMethodWords[] = {
    {"pretrain", QT_TRANSLATE_NOOP("MethodCatalog", "Pretrain from scratch"),
     QT_TRANSLATE_NOOP("MethodCatalog",
                       "A new model learns a language or a code base from nothing; needs a lot of text and time.")},
    {"continued-pretrain", QT_TRANSLATE_NOOP("MethodCatalog", "Continued pretraining"),
     QT_TRANSLATE_NOOP(
         "MethodCatalog",
         "An existing model reads more raw text of your domain (your code, your field) before any task.")},
    {"sft", QT_TRANSLATE_NOOP("MethodCatalog", "Supervised finetuning (SFT)"),
     QT_TRANSLATE_NOOP("MethodCatalog",
                       "Teach a model to answer the way your examples do: prompt/response pairs or chats.")},
    {"classify", QT_TRANSLATE_NOOP("MethodCatalog", "Classification head"),
     QT_TRANSLATE_NOOP("MethodCatalog",
                       "Sort texts into your labels (spam or not, topic, sentiment) instead of generating text.")},
    {"few-shot", QT_TRANSLATE_NOOP("MethodCatalog", "Few-shot prompting"),
     QT_TRANSLATE_NOOP("MethodCatalog",
                       "No training at all: examples are put in the prompt; a baseline to beat before finetuning.")},
    {"reward-model", QT_TRANSLATE_NOOP("MethodCatalog", "Reward model"),
     QT_TRANSLATE_NOOP("MethodCatalog",
                       "Learn to score answers from chosen/rejected pairs; the judge that PPO trains against.")},
    {"dpo", QT_TRANSLATE_NOOP("MethodCatalog", "Direct preference optimization (DPO)"),
     QT_TRANSLATE_NOOP("MethodCatalog",
                       "Align a finetuned model with chosen/rejected pairs directly, without a reward model.")},
    {"kto", QT_TRANSLATE_NOOP("MethodCatalog", "Kahneman-Tversky optimization (KTO)"),
     QT_TRANSLATE_NOOP("MethodCatalog",
                       "Like DPO, but each answer counts on its own as good or bad: steadier when labels are noisy.")},
    {"simpo", QT_TRANSLATE_NOOP("MethodCatalog", "Simple preference optimization (SimPO)"),
     QT_TRANSLATE_NOOP("MethodCatalog",
                       "Like DPO without the frozen copy of the model: half the memory, answers compared per token.")},
    {"orpo", QT_TRANSLATE_NOOP("MethodCatalog", "Odds-ratio preference optimization (ORPO)"),
     QT_TRANSLATE_NOOP(
         "MethodCatalog",
         "Finetune and align in one run: learns the chosen answers and to prefer them over the rejected.")},
    {"grpo", QT_TRANSLATE_NOOP("MethodCatalog", "Group relative policy optimization (GRPO)"),
     QT_TRANSLATE_NOOP("MethodCatalog",
                       "Reward answers you can check (a format, the right number) or score with a reward model: the "
                       "model samples several answers per prompt and learns from the better ones.")},
    {"rloo", QT_TRANSLATE_NOOP("MethodCatalog", "REINFORCE leave-one-out (RLOO)"),
     QT_TRANSLATE_NOOP("MethodCatalog",
                       "Like GRPO, each answer compared with the other answers to its prompt; a simpler, steady "
                       "baseline.")},
    {"ppo", QT_TRANSLATE_NOOP("MethodCatalog", "Reinforcement learning (PPO)"),
     QT_TRANSLATE_NOOP(
         "MethodCatalog",
         "Improve a finetuned model by sampling answers to prompts and rewarding them with a reward model or "
         "rules, a value head judging each step.")},
};

struct GroupWords {
  const char* title;
  std::initializer_list<const char*> methods;
};

const GroupWords kGroups[] = {
    {QT_TRANSLATE_NOOP("MethodCatalog", "From raw text"), {"pretrain", "continued-pretrain"}},
    {QT_TRANSLATE_NOOP("MethodCatalog", "From examples"), {"sft", "classify", "few-shot"}},
    {QT_TRANSLATE_NOOP("MethodCatalog", "From preference pairs (chosen / rejected)"),
     {"reward-model", "dpo", "kto", "simpo", "orpo"}},
    {QT_TRANSLATE_NOOP("MethodCatalog", "From rewards (the model samples, rewards judge)"), {"grpo", "rloo", "ppo"}},
};

}  // namespace

QString methodGroup(const QString& method) {
  for (const GroupWords& group : kGroups) {
    for (const char* name : group.methods) {
      if (method == QLatin1String(name)) return MethodCatalogText::tr(group.title);
    }
  }
  return {};
}

MethodText methodText(const MethodInfo& method) {
  for (const MethodWords& words : kMethodWords) {
    if (method.name == QLatin1String(words.name)) {
      return {MethodCatalogText::tr(words.title), MethodCatalogText::tr(words.when)};
    }
  }
  return {method.title.isEmpty() ? method.name : method.title, method.summary};
}

QString methodMismatch(const MethodInfo& method, bool from_scratch, const QString& format, bool base_is_classifier) {
  if (method.needs_base && from_scratch)
    return MethodCatalogText::tr("Needs a base model: choose one on the first page.");
  if (base_is_classifier && !from_scratch && !method.takesClassifierBase()) {
    return MethodCatalogText::tr(
        "The base is a classifier, not a language model: only the classification head trains it further.");
  }
  if (!method.needs_base && !from_scratch) {
    return MethodCatalogText::tr("Starts from nothing: choose \"Pretrain from scratch\" on the first page.");
  }
  if (!format.isEmpty() && !method.formats.isEmpty() && !method.formats.contains(format)) {
    return MethodCatalogText::tr("Needs %1 data; the chosen data is %2.")
        .arg(method.formats.join(QStringLiteral(", ")), format);
  }
  return {};
}

}  // namespace temper::studio
