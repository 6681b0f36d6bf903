#pragma once
/// Starting values for the hyperparameters page, per method and model size, on top of the engine's
/// own defaults (which are tuned for pretraining small models from scratch).
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "ui/client/engine_replies.h"

namespace temper::studio {

/// What the wizard knows about the model being trained when it picks defaults.
struct ModelSize {
  bool from_scratch = true;
  qint64 parameters = 0;  ///< 0: unknown
  qint64 ctx = 0;         ///< the base model's context length; 0: unknown or from the preset
};

/// The values to start from for `method` training `peft` (what is trained: "none", "lora", ...).
/// Per key, the first that exists: the wizard's size-dependent suggestion (lr, min-lr, ctx), the
/// engine's `method_defaults[method]`, the wizard's method-only suggestion, the key's default.
/// Only keys that `info` lists and that apply to the method appear, and none of the "What is
/// trained" page's; the wizard's suggestions are clamped into the key's range.
QJsonObject suggestedValues(const QString& method, const ModelSize& model, const EngineInfo& info,
                            const QString& peft = QStringLiteral("none"));

/// The suggested peak learning rate alone (documented in docs/wizard.md), 0 when the method trains
/// nothing (few-shot). An adapter or a soft prompt learns at its own rate, whatever the method.
double suggestedLearningRate(const QString& method, const ModelSize& model,
                             const QString& peft = QStringLiteral("none"));

/// Keys shown above the fold on the hyperparameters page, in this order; the rest go under
/// "Advanced".
const QStringList& commonKeys();

/// Keys the other pages set (method, data, base model, validation split, name): never shown as
/// hyperparameters.
const QStringList& structuralKeys();

/// Keys the reward page sets (rule rewards, the reward model and its weight): never shown as
/// hyperparameters.
const QStringList& rewardKeys();

}  // namespace temper::studio
