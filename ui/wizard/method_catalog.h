#pragma once
/// What the wizard knows about each method of the mission, beyond what the engine says: a sentence
/// on when to use it (translatable), whether it starts from a base model, and the data formats it
/// can learn from. The engine decides availability; this decides fit.
#include <QString>
#include <QStringList>
#include <QVector>

namespace temper::studio {

struct MethodSpec {
  QString name;            ///< the engine's `method` value
  QString title;           ///< translated
  QString when;            ///< translated: one sentence on when to use it
  bool needs_base = true;  ///< false only for pretraining from scratch
  QStringList formats;     ///< `data inspect` formats it accepts; empty = any
};

/// The eleven methods in the mission's order: pretrain, continued-pretrain, sft, classify, lora,
/// adapters, prompt-tuning, few-shot, reward-model, dpo, ppo.
const QVector<MethodSpec>& methodCatalog();
const MethodSpec* findMethod(const QString& name);

/// Why `method` cannot be chosen with this base model and data, or an empty string when it can.
/// `from_scratch`: page 1 chose a preset; `format`: the detected data format (empty: unknown, which
/// never blocks — the dry run will judge); `base_is_classifier`: the base folder is a
/// *ForSequenceClassification model, which only classify trains further (the engine refuses the rest).
QString methodMismatch(const MethodSpec& method, bool from_scratch, const QString& format,
                       bool base_is_classifier = false);

}  // namespace temper::studio
