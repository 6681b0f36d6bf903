#pragma once
/// The wizard's own words for the engine's PEFT kinds (the `peft` key: what a run trains): a
/// translated title and one sentence on when to use each, by kind name, and which of a kind's keys
/// its settings show first. Which kinds exist, whether they run and which methods take them is the
/// engine's to say (`temper info`, PeftKindInfo).
#include <QString>
#include <QStringList>

#include "ui/client/engine_replies.h"

namespace temper::studio {

/// The `peft` value that trains every weight (no adapter).
inline const QString kFullTraining = QStringLiteral("none");

struct PeftText {
  QString title;  ///< translated
  QString when;   ///< translated: one sentence on when to use it
};

/// The wizard's words for `kind`; for a kind it does not know, the engine's English title and summary.
PeftText peftText(const PeftKindInfo& kind);

/// The keys of `kind` its settings show first, in this order (the kind's other keys follow under
/// "More settings"); empty for a kind the wizard has no layout for.
QStringList leadKeys(const QString& kind);

/// The keys of the quantised frozen base (QLoRA: `base-quant`, `base-quant-double`), which the
/// engine takes with every adapter kind and refuses with full training: every kind's settings show
/// them under "Quantised base (QLoRA)".
const QStringList& baseQuantKeys();

/// Whether the "What is trained" page sets `key`: `peft` itself, a key of one kind, or the
/// quantised base's (the hyperparameters page leaves these out).
bool isPeftKey(const TrainKey& key);

/// Why `kind` cannot be chosen for `method`, or an empty string when it can: the engine does not
/// have it yet (its reason), or the method does not take it.
QString peftMismatch(const PeftKindInfo& kind, const MethodInfo& method);

}  // namespace temper::studio
