#include "ui/wizard/peft_catalog.h"

#include <QCoreApplication>

namespace temper::studio {

namespace {

class PeftCatalogText {
  Q_DECLARE_TR_FUNCTIONS(PeftCatalog)
};

struct PeftWords {
  const char* name;
  const char* title;
  const char* when;
};

// Translated when asked (not once at start-up), so that a language switched later applies.
constexpr PeftWords kPeftWords[] = {
    {"none", QT_TRANSLATE_NOOP("PeftCatalog", "Full finetuning"),
     QT_TRANSLATE_NOOP("PeftCatalog",
                       "Every weight trains: the most capacity, but the most memory and a full model per run.")},
    {"lora", QT_TRANSLATE_NOOP("PeftCatalog", "LoRA adapters"),
     QT_TRANSLATE_NOOP(
         "PeftCatalog",
         "Finetune a large model on a small machine: trains small low-rank matrices, the model stays frozen.")},
    {"adapters", QT_TRANSLATE_NOOP("PeftCatalog", "Bottleneck adapters"),
     QT_TRANSLATE_NOOP("PeftCatalog",
                       "Small trainable layers inserted in each block; one base model, many cheap task modules.")},
    {"prompt-tuning", QT_TRANSLATE_NOOP("PeftCatalog", "Prompt tuning"),
     QT_TRANSLATE_NOOP("PeftCatalog",
                       "Learn a few soft prompt vectors only: the cheapest adaptation, good for narrow tasks.")},
    {"prefix-tuning", QT_TRANSLATE_NOOP("PeftCatalog", "Prefix tuning"),
     QT_TRANSLATE_NOOP("PeftCatalog",
                       "Learn key/value prefixes for every layer: more capacity than prompt tuning, still tiny.")},
};

}  // namespace

PeftText peftText(const PeftKindInfo& kind) {
  for (const PeftWords& words : kPeftWords) {
    if (kind.name == QLatin1String(words.name))
      return {PeftCatalogText::tr(words.title), PeftCatalogText::tr(words.when)};
  }
  return {kind.title.isEmpty() ? kind.name : kind.title, kind.summary};
}

QStringList leadKeys(const QString& kind) {
  // The settings a person decides on for each kind (docs/peft.md); the rest are refinements.
  if (kind == QLatin1String("lora")) {
    return {QStringLiteral("lora-targets"), QStringLiteral("lora-r"),     QStringLiteral("lora-alpha"),
            QStringLiteral("lora-dropout"), QStringLiteral("use-rslora"), QStringLiteral("use-dora")};
  }
  if (kind == QLatin1String("adapters")) {
    return {QStringLiteral("adapter-placement"), QStringLiteral("adapter-reduction"), QStringLiteral("adapter-act"),
            QStringLiteral("adapter-layers")};
  }
  if (kind == QLatin1String("prompt-tuning")) {
    return {QStringLiteral("prompt-tokens"), QStringLiteral("prompt-init"), QStringLiteral("prompt-init-text")};
  }
  if (kind == QLatin1String("prefix-tuning")) {
    return {QStringLiteral("prefix-tokens"), QStringLiteral("prefix-projection"),
            QStringLiteral("prefix-projection-hidden")};
  }
  return {};
}

const QStringList& baseQuantKeys() {
  static const QStringList keys{QStringLiteral("base-quant"), QStringLiteral("base-quant-double")};
  return keys;
}

bool isPeftKey(const TrainKey& key) {
  return key.key == QLatin1String("peft") || !key.peft_kind.isEmpty() || baseQuantKeys().contains(key.key);
}

QString peftMismatch(const PeftKindInfo& kind, const MethodInfo& method) {
  if (!kind.available) return kind.reason.isEmpty() ? PeftCatalogText::tr("Not in this engine yet.") : kind.reason;
  if (!method.peft.contains(kind.name)) return PeftCatalogText::tr("Not available for this method.");
  return {};
}

}  // namespace temper::studio
