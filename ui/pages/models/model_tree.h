#pragma once
/// The Models page's tree: "one frozen model, many tasks". Each model (a folder the person added, a
/// run that trained every weight) is a top-level row; the adapters and soft prompts trained on it
/// (runs whose final/ is a PEFT folder, docs/peft.md) are its children. An adapter whose base is
/// not in the list gets a row for that base anyway, marked as not added.
#include <QAbstractItemModel>
#include <QString>
#include <QVector>

namespace temper::studio {

struct LibraryEntry;
struct RunSummary;

/// One row of the tree, model or adapter.
struct ModelRow {
  enum class Kind { AddedModel, RunModel, MissingBase, Adapter };
  Kind kind = Kind::AddedModel;
  QString name;
  QString path;    ///< the folder (a run's: its final/)
  QString run_id;  ///< the run whose model or adapter this is
  QString peft;    ///< an adapter's kind: lora, adapters, prompt-tuning, prefix-tuning
  QString base;    ///< an adapter's base (base_model_name_or_path, else the run's base)
  QString method;  ///< a run's method (sft, continued-pretrain, classify…)
  QString data;    ///< a run's dataset, its file or folder name
  double best_val_loss = 0;
  bool has_metric = false;
  qint64 bytes = -1;        ///< size on disk; -1: the folder is not there
  QString detail;           ///< the row's tooltip line
  bool classifier = false;  ///< a classifier's adapter (SEQ_CLS): no chat

  bool isAdapter() const { return kind == Kind::Adapter; }
};

/// A model row and the adapters trained on it.
struct ModelGroup {
  ModelRow model;
  QVector<ModelRow> adapters;
};

/// The row of a list entry: an adapter when its folder holds a PEFT adapter_config.json, else a
/// model; `run` (may be null) gives a run's method, data and best validation loss.
ModelRow modelRowOf(const LibraryEntry& entry, const RunSummary* run);
/// Puts every adapter under the model whose folder is its base (the same folder, through links),
/// in list order; an adapter whose base is not listed goes under a row made for that base
/// (MissingBase, named by its folder), after the listed models.
QVector<ModelGroup> groupModels(const QVector<ModelRow>& rows);
/// The bytes of the files under `dir`; -1 when it is not a folder.
qint64 folderBytes(const QString& dir);

class ModelTreeModel : public QAbstractItemModel {
  Q_OBJECT

 public:
  enum Column { kName, kKind, kMethod, kData, kMetric, kSize, kColumnCount };

  using QAbstractItemModel::QAbstractItemModel;

  void setGroups(QVector<ModelGroup> groups);
  const QVector<ModelGroup>& groups() const { return groups_; }
  /// The row under `index` (any column), or nullptr.
  const ModelRow* rowAt(const QModelIndex& index) const;

  /// "LoRA", "Bottleneck adapters", "Prompt tuning", "Prefix tuning" (the Playground's words).
  static QString kindLabel(const ModelRow& row);

  QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
  QModelIndex parent(const QModelIndex& child) const override;
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  QVariant display(const ModelRow& row, int column) const;

  QVector<ModelGroup> groups_;
};

}  // namespace temper::studio
