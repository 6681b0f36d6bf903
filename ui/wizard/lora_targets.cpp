#include "ui/wizard/lora_targets.h"

#include <QRegularExpression>
#include <algorithm>

namespace temper::studio {

namespace {

/// The engine reads a target text as a regex when it has regex syntax (docs/peft.md).
bool isRegex(const QString& text) {
  static const QRegularExpression syntax(QStringLiteral(R"([*+?()\[\]{}|^$\\])"));
  return text.contains(syntax);
}

/// PEFT's list rule: the path is the name, or ends in "." + the name.
bool nameMatches(const QString& entry, const QString& path) {
  return path == entry || path.endsWith(QLatin1Char('.') + entry);
}

/// The dotted endings of a path, shortest first, skipping those that start with a block index:
/// "0.attn.c_attn" would select the same module as "h.0.attn.c_attn", but reads as noise.
QStringList endings(const QString& path) {
  const QStringList parts = path.split(QLatin1Char('.'));
  QStringList out;
  for (qsizetype i = parts.size() - 1; i >= 0; --i) {
    bool numeric = false;
    parts[i].toInt(&numeric);
    if (!numeric) out << parts.mid(i).join(QLatin1Char('.'));
  }
  return out;
}

}  // namespace

const QStringList& loraTargetPresets() {
  static const QStringList presets{QStringLiteral("attention-qv"), QStringLiteral("attention"),
                                   QStringLiteral("all-linear")};
  return presets;
}

QStringList presetRoles(const QString& preset) {
  // GPT-2's fused q|k|v projection (`qkv`) counts as q and v: PEFT's default for GPT-2 is c_attn.
  const QStringList qv{QStringLiteral("q"), QStringLiteral("v"), QStringLiteral("qkv")};
  const QStringList attention = qv + QStringList{QStringLiteral("k"), QStringLiteral("o")};
  if (preset == QLatin1String("attention-qv")) return qv;
  if (preset == QLatin1String("attention")) return attention;
  if (preset == QLatin1String("all-linear")) {
    return attention + QStringList{QStringLiteral("mlp-up"), QStringLiteral("mlp-gate"), QStringLiteral("mlp-down")};
  }
  return {};
}

bool targetsSelect(const QString& targets, const ModuleInfo& module) {
  const QString text = targets.trimmed();
  if (loraTargetPresets().contains(text)) return presetRoles(text).contains(module.role);
  if (isRegex(text)) {
    const QRegularExpression re(QRegularExpression::anchoredPattern(text));
    return re.isValid() && re.match(module.name).hasMatch();
  }
  for (const QString& entry : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
    if (nameMatches(entry.trimmed(), module.name)) return true;
  }
  return false;
}

QSet<QString> selectedModules(const QString& targets, const QVector<ModuleInfo>& modules) {
  QSet<QString> out;
  for (const ModuleInfo& m : modules) {
    if (targetsSelect(targets, m)) out.insert(m.name);
  }
  return out;
}

QString targetListFor(const QVector<ModuleInfo>& modules, const QSet<QString>& chosen) {
  auto takesOnlyChosen = [&](const QString& entry) {
    return std::none_of(modules.begin(), modules.end(),
                        [&](const ModuleInfo& m) { return !chosen.contains(m.name) && nameMatches(entry, m.name); });
  };
  QStringList entries;
  for (const ModuleInfo& m : modules) {
    if (!chosen.contains(m.name)) continue;
    QString pick = m.name;  // the whole path always works
    for (const QString& ending : endings(m.name)) {
      if (takesOnlyChosen(ending)) {
        pick = ending;
        break;
      }
    }
    if (!entries.contains(pick)) entries << pick;
  }
  entries.sort();
  return entries.join(QLatin1Char(','));
}

}  // namespace temper::studio
