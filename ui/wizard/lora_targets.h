#pragma once
/// What a `lora-targets` value selects among a model's projections (`model inspect`'s `modules`),
/// by the engine's rules (docs/peft.md): a preset by role, PEFT's list rule (a name equals the
/// module path or ends it after a dot), or one regular expression over the whole path. Pure
/// functions, so the module picker and the page's summary agree with the engine without asking it.
#include <QSet>
#include <QString>
#include <QStringList>
#include <QVector>

#include "ui/client/engine_replies.h"

namespace temper::studio {

/// The presets of `lora-targets`, narrowest first.
const QStringList& loraTargetPresets();
/// The module roles a preset adapts; empty for a text that is not a preset.
QStringList presetRoles(const QString& preset);

/// Whether `targets` (a preset, a comma list or a regex) selects `module`.
bool targetsSelect(const QString& targets, const ModuleInfo& module);
/// The module names `targets` selects among `modules`.
QSet<QString> selectedModules(const QString& targets, const QVector<ModuleInfo>& modules);

/// A comma list that selects exactly `chosen` among `modules` under PEFT's list rule, each entry
/// the shortest name ending that takes no module outside `chosen` ("c_attn,attn.c_proj" rather
/// than every block's path), sorted; empty when nothing is chosen.
QString targetListFor(const QVector<ModuleInfo>& modules, const QSet<QString>& chosen);

}  // namespace temper::studio
