#include "ui/wizard/method_catalog.h"

#include <QCoreApplication>

namespace temper::studio {

namespace {

class Text {
  Q_DECLARE_TR_FUNCTIONS(MethodCatalog)
};

// `prepared`: a folder made by `temper data prepare` (already tokens), for the pretraining methods.
const QStringList kText{QStringLiteral("text"), QStringLiteral("jsonl-text"), QStringLiteral("prepared")};
const QStringList kPrompted{QStringLiteral("prompt-completion"), QStringLiteral("alpaca"), QStringLiteral("messages")};

QVector<MethodSpec> buildCatalog() {
  const QStringList any_but_preference = kText + kPrompted + QStringList{QStringLiteral("text-label")};
  return {
      {QStringLiteral("pretrain"), Text::tr("Pretrain from scratch"),
       Text::tr("A new model learns a language or a code base from nothing; needs a lot of text and time."), false,
       kText},
      {QStringLiteral("continued-pretrain"), Text::tr("Continued pretraining"),
       Text::tr("An existing model reads more raw text of your domain (your code, your field) before any task."), true,
       kText},
      {QStringLiteral("sft"), Text::tr("Supervised finetuning (SFT)"),
       Text::tr("Teach a model to answer the way your examples do: prompt/response pairs or chats."), true, kPrompted},
      {QStringLiteral("classify"),
       Text::tr("Classification head"),
       Text::tr("Sort texts into your labels (spam or not, topic, sentiment) instead of generating text."),
       true,
       {QStringLiteral("text-label")}},
      {QStringLiteral("lora"), Text::tr("LoRA adapters"),
       Text::tr("Finetune a large model on a small machine: trains small low-rank matrices, the model stays frozen."),
       true, any_but_preference},
      {QStringLiteral("adapters"), Text::tr("Bottleneck adapters"),
       Text::tr("Small trainable layers inserted in each block; one base model, many cheap task modules."), true,
       any_but_preference},
      {QStringLiteral("prompt-tuning"), Text::tr("Prompt tuning"),
       Text::tr("Learn a few soft prompt vectors only: the cheapest adaptation, good for narrow tasks."), true,
       any_but_preference},
      {QStringLiteral("few-shot"), Text::tr("Few-shot prompting"),
       Text::tr("No training at all: examples are put in the prompt; a baseline to beat before finetuning."), true,
       kPrompted + QStringList{QStringLiteral("text-label")}},
      {QStringLiteral("reward-model"),
       Text::tr("Reward model"),
       Text::tr("Learn to score answers from chosen/rejected pairs; the judge that PPO trains against."),
       true,
       {QStringLiteral("preference")}},
      {QStringLiteral("dpo"),
       Text::tr("Direct preference optimization (DPO)"),
       Text::tr("Align a finetuned model with chosen/rejected pairs directly, without a reward model."),
       true,
       {QStringLiteral("preference")}},
      {QStringLiteral("ppo"), Text::tr("Reinforcement learning (PPO)"),
       Text::tr("Improve a finetuned model by sampling answers to prompts and rewarding them with a reward model."),
       true, kPrompted},
  };
}

}  // namespace

const QVector<MethodSpec>& methodCatalog() {
  // Built on first use so that the translator installed at start-up applies.
  static const QVector<MethodSpec> catalog = buildCatalog();
  return catalog;
}

const MethodSpec* findMethod(const QString& name) {
  for (const MethodSpec& m : methodCatalog()) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

QString methodMismatch(const MethodSpec& method, bool from_scratch, const QString& format, bool base_is_classifier) {
  if (method.needs_base && from_scratch) return Text::tr("Needs a base model: choose one on the first page.");
  if (base_is_classifier && !from_scratch && method.name != QLatin1String("classify")) {
    return Text::tr("The base is a classifier, not a language model: only the classification head trains it further.");
  }
  if (!method.needs_base && !from_scratch) {
    return Text::tr("Starts from nothing: choose \"Pretrain from scratch\" on the first page.");
  }
  if (!format.isEmpty() && !method.formats.isEmpty() && !method.formats.contains(format)) {
    return Text::tr("Needs %1 data; the chosen data is %2.").arg(method.formats.join(QStringLiteral(", ")), format);
  }
  return {};
}

}  // namespace temper::studio
