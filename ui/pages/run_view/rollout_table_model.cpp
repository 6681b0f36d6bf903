#include "ui/pages/run_view/rollout_table_model.h"

#include <QBrush>
#include <QColor>
#include <QFont>

namespace temper::studio {

namespace {

const QString kRewardKey = QStringLiteral("reward");
const QString kKlKey = QStringLiteral("kl");
const QString kPartPrefix = QStringLiteral("rewards/");

QString scoreText(const QJsonValue& value) {
  return value.isDouble() ? QString::number(value.toDouble(), 'g', 4) : QString();
}

}  // namespace

void RolloutTableModel::addSample(qint64 step, const QString& prompt, const QString& text, const QJsonObject& scores) {
  QStringList new_parts;
  for (auto it = scores.begin(); it != scores.end(); ++it) {
    if (it.key() != kRewardKey && !parts_.contains(it.key())) new_parts << it.key();
  }
  if (!new_parts.isEmpty()) {
    // The parts in the order first seen, the KL after them: a column never moves once shown,
    // except that a late part goes before `kl`.
    const bool had_kl = parts_.contains(kKlKey);
    QStringList parts = parts_;
    parts.removeAll(kKlKey);
    for (const QString& part : std::as_const(new_parts))
      if (part != kKlKey) parts << part;
    if (had_kl || new_parts.contains(kKlKey)) parts << kKlKey;
    beginResetModel();
    parts_ = parts;
    endResetModel();
  }
  RolloutRow row;
  row.step = step;
  row.prompt = prompt;
  row.completion = text.startsWith(prompt) ? text.mid(prompt.size()) : text;
  row.scores = scores;
  // The newest step on top; a step's samples in the order they came.
  if (step != top_step_) {
    top_step_ = step;
    top_count_ = 0;
  }
  const int at = top_count_++;
  beginInsertRows({}, at, at);
  rows_.insert(at, row);
  endInsertRows();
}

void RolloutTableModel::clear() {
  beginResetModel();
  rows_.clear();
  parts_.clear();
  top_step_ = -1;
  top_count_ = 0;
  endResetModel();
}

int RolloutTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int RolloutTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kFirstPart + static_cast<int>(parts_.size());
}

QVariant RolloutTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rows_.size()) return {};
  const RolloutRow& row = rows_[index.row()];
  const int column = index.column();
  if (role == Qt::DisplayRole) {
    switch (column) {
      case kStep:
        return row.step;
      case kPrompt:
        return row.prompt.simplified();
      case kCompletion:
        return row.completion.simplified();
      case kReward:
        return scoreText(row.scores.value(kRewardKey));
      default:
        return scoreText(row.scores.value(parts_.value(column - kFirstPart)));
    }
  }
  if (role == Qt::ToolTipRole) {
    if (column == kPrompt) return row.prompt;
    if (column == kCompletion) return row.completion;
    return {};
  }
  if (role == Qt::TextAlignmentRole && column != kPrompt && column != kCompletion)
    return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  if (role == Qt::FontRole && column == kReward) {
    QFont bold;
    bold.setBold(true);
    return bold;
  }
  if (role == Qt::ForegroundRole && column >= kFirstPart && parts_.value(column - kFirstPart).startsWith(kPartPrefix)) {
    // A rule's score in [0, 1]: full marks green, none grey, so a missed rule stands out.
    const QJsonValue value = row.scores.value(parts_.value(column - kFirstPart));
    if (!value.isDouble()) return {};
    if (value.toDouble() >= 1.0) return QBrush(QColor(0x1b, 0x7a, 0x2e));
    if (value.toDouble() <= 0.0) return QBrush(QColor(0x90, 0x90, 0x90));
  }
  return {};
}

QVariant RolloutTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal) return {};
  if (section >= kFirstPart && section - kFirstPart < parts_.size()) {
    const QString part = parts_[section - kFirstPart];
    if (role == Qt::DisplayRole) {
      if (part == kKlKey) return tr("KL");
      return part.startsWith(kPartPrefix) ? part.mid(kPartPrefix.size()) : part;
    }
    if (role == Qt::ToolTipRole) {
      if (part == kKlKey) return tr("The sample's KL to the reference: the sum over its tokens of log π − log π_ref.");
      return part;
    }
    return {};
  }
  if (role != Qt::DisplayRole) return {};
  switch (section) {
    case kStep:
      return tr("Step");
    case kPrompt:
      return tr("Prompt");
    case kCompletion:
      return tr("Completion");
    case kReward:
      return tr("Reward");
    default:
      return {};
  }
}

}  // namespace temper::studio
