#pragma once
/// "Choose modules…" for LoRA: the base model's projections as a tree (blocks, then each block's
/// projections with role, shape and parameter count), checkable one by one, per block, or by role
/// with the presets' buttons. The result is the set of chosen module paths; the caller turns it
/// into a `lora-targets` list (lora_targets.h).
#include <QDialog>
#include <QSet>
#include <QVector>

#include "ui/client/engine_replies.h"

class QLabel;
class QTreeWidget;
class QTreeWidgetItem;

namespace temper::studio {

class ModulePickerDialog : public QDialog {
  Q_OBJECT

 public:
  /// `rank`: the LoRA rank, to say how many parameters the choice would train.
  ModulePickerDialog(const QVector<ModuleInfo>& modules, const QSet<QString>& chosen, qint64 rank,
                     QWidget* parent = nullptr);

  QSet<QString> chosen() const;
  /// Checks exactly the modules `targets` selects (a preset, list or regex).
  void choose(const QString& targets);
  QTreeWidget* tree() const { return tree_; }

 private:
  void fill(const QSet<QString>& chosen);
  void updateSummary();
  /// The module items, each holding its ModuleInfo index in Qt::UserRole.
  QVector<QTreeWidgetItem*> moduleItems() const;

  QVector<ModuleInfo> modules_;
  qint64 rank_;
  QTreeWidget* tree_;
  QLabel* summary_;
};

}  // namespace temper::studio
