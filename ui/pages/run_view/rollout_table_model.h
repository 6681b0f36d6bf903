#pragma once
/// The samples a rewarded method (grpo, rloo, ppo) shows at each evaluation, as a table: step,
/// prompt, completion, reward, each reward part (a rule's `rewards/<kind>`, the reward model's
/// `rewards/model`) and, when the method reports it, the sample's KL to the reference. The newest
/// evaluation's samples are on top. Fed from `sample` events whose `scores` are not empty
/// (docs/events.md); live or replayed from a stored run's events alike.
#include <QAbstractTableModel>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>

namespace temper::studio {

struct RolloutRow {
  qint64 step = 0;
  QString prompt;
  QString completion;  ///< the text after the prompt
  QJsonObject scores;  ///< `reward`, `rewards/<part>`, `kl` ...
};

class RolloutTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { kStep = 0, kPrompt, kCompletion, kReward, kFirstPart };

  using QAbstractTableModel::QAbstractTableModel;

  /// Adds one sample (`text` is the prompt followed by the completion, as the event carries it).
  /// The samples of one step keep their order among themselves, above every older step's.
  void addSample(qint64 step, const QString& prompt, const QString& text, const QJsonObject& scores);
  void clear();
  const QVector<RolloutRow>& rows() const { return rows_; }
  /// The score columns after the reward, in the order they were first seen, `kl` last.
  QStringList partColumns() const { return parts_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  QVector<RolloutRow> rows_;
  QStringList parts_;
  qint64 top_step_ = -1;  ///< the step of the rows on top
  int top_count_ = 0;     ///< how many rows that step has on top
};

}  // namespace temper::studio
