#include "ui/pages/playground/playground_adapters.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include "ui/pages/library/library_model.h"
#include "ui/pages/playground/playground_page.h"

namespace temper::studio {
namespace {

// PEFT's peft_type as the engine names the kind (core/peft/adapter_folder.cpp).
QString kindOfPeftType(const QString& peft_type) {
  if (peft_type == QLatin1String("LORA")) return QStringLiteral("lora");
  if (peft_type == QLatin1String("PROMPT_TUNING")) return QStringLiteral("prompt-tuning");
  if (peft_type == QLatin1String("BOTTLENECK")) return QStringLiteral("adapters");
  if (peft_type == QLatin1String("PREFIX_TUNING")) return QStringLiteral("prefix-tuning");
  return {};
}

}  // namespace

std::optional<PlaygroundAdapter> readAdapterFolder(const QString& dir) {
  QFile file(QDir(dir).filePath(QStringLiteral("adapter_config.json")));
  if (!file.open(QIODevice::ReadOnly)) return std::nullopt;
  const QJsonObject config = QJsonDocument::fromJson(file.read(1 << 20)).object();
  PlaygroundAdapter adapter;
  adapter.path = QDir(dir).absolutePath();
  adapter.kind = kindOfPeftType(config.value(QStringLiteral("peft_type")).toString());
  adapter.base = config.value(QStringLiteral("base_model_name_or_path")).toString();
  adapter.classifier = config.value(QStringLiteral("task_type")).toString() == QLatin1String("SEQ_CLS");
  if (adapter.kind.isEmpty()) return std::nullopt;
  return adapter;
}

bool sameFolder(const QString& a, const QString& b) {
  if (a.isEmpty() || b.isEmpty()) return false;
  const QString ca = QFileInfo(a).canonicalFilePath(), cb = QFileInfo(b).canonicalFilePath();
  return ca.isEmpty() || cb.isEmpty() ? QDir::cleanPath(a) == QDir::cleanPath(b) : ca == cb;
}

QString folderLabel(const QString& path) {
  const QFileInfo info(path);
  QDir parent = info.dir();
  if (parent.dirName() == QLatin1String("checkpoints")) {
    parent.cdUp();
    return QStringLiteral("%1 · %2").arg(parent.dirName(), info.fileName());
  }
  if (info.fileName() == QLatin1String("final")) return parent.dirName();
  return info.fileName();
}

void PlaygroundAdapters::addByHand(const QString& dir) {
  if (!by_hand_.contains(dir)) by_hand_ << dir;
}

QVector<PlaygroundAdapter> PlaygroundAdapters::offeredFor(const LibraryModel* models, const QString& base) {
  QVector<PlaygroundAdapter> offered;
  QStringList listed;
  auto offer = [&](const PlaygroundAdapter& adapter) {
    if (listed.contains(adapter.path)) return;
    listed << adapter.path;
    offered << adapter;
  };
  if (models && !base.isEmpty()) {
    // The finished runs' final/ folders: those that are adapters of the loaded base.
    for (const LibraryEntry& entry : models->entries()) {
      if (entry.origin != LibraryEntry::Origin::Run) continue;
      auto adapter = readAdapterFolder(entry.path);
      if (!adapter || adapter->classifier || !sameFolder(adapter->base, base)) continue;
      adapter->name = entry.name;
      remember(*adapter);
      offer(*adapter);
    }
  }
  for (const QString& path : by_hand_) offer(value(path));
  return offered;
}

// The page's translation context: these words were written for it and are translated there.
QString PlaygroundAdapters::kindLabel(const QString& kind) {
  if (kind == QLatin1String("lora")) return PlaygroundPage::tr("LoRA");
  if (kind == QLatin1String("adapters")) return PlaygroundPage::tr("Bottleneck adapters");
  if (kind == QLatin1String("prompt-tuning")) return PlaygroundPage::tr("Prompt tuning");
  if (kind == QLatin1String("prefix-tuning")) return PlaygroundPage::tr("Prefix tuning");
  return kind;
}

QString PlaygroundAdapters::name(const QString& dir) const {
  const auto it = known_.constFind(dir);
  return it != known_.constEnd() && !it->name.isEmpty() ? it->name : folderLabel(dir);
}

QString PlaygroundAdapters::title(const QString& dir) const {
  const QString kind = known_.value(dir).kind;
  const QString label = name(dir);
  if (kind == QLatin1String("lora")) return PlaygroundPage::tr("LoRA adapter “%1”").arg(label);
  if (kind == QLatin1String("adapters")) return PlaygroundPage::tr("bottleneck adapters “%1”").arg(label);
  if (kind == QLatin1String("prompt-tuning")) return PlaygroundPage::tr("soft prompt “%1”").arg(label);
  if (kind == QLatin1String("prefix-tuning")) return PlaygroundPage::tr("prefix “%1”").arg(label);
  return PlaygroundPage::tr("adapter “%1”").arg(label);
}

QString PlaygroundAdapters::caption(const QString& dir) const {
  return dir.isEmpty() ? PlaygroundPage::tr("— base model, no adapter")
                       : PlaygroundPage::tr("— with %1").arg(title(dir));
}

}  // namespace temper::studio
