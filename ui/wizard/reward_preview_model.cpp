#include "ui/wizard/reward_preview_model.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QJsonArray>
#include <exception>

#include "core/rewards/rule_rewards.h"

namespace temper::studio {

namespace {

// As core/methods/rl/rl_prompts.cpp's fieldText: numbers as JSON writes them.
std::string fieldText(const QJsonValue& value) {
  if (value.isString()) return value.toString().toStdString();
  if (value.isBool()) return value.toBool() ? "true" : "false";
  return QString::number(value.toDouble(), 'g', 17).toStdString();
}

QString scoreText(double value) { return QString::number(value, 'g', 4); }

}  // namespace

RewardPreviewRow previewRowOfRecord(const QJsonObject& record) {
  RewardPreviewRow row;
  QStringList prompt_keys;
  if (record.contains(QStringLiteral("prompt"))) {
    const QJsonValue prompt = record.value(QStringLiteral("prompt"));
    if (prompt.isArray()) {
      const QJsonArray messages = prompt.toArray();
      if (!messages.isEmpty()) row.prompt = messages.last().toObject().value(QStringLiteral("content")).toString();
    } else {
      row.prompt = prompt.toString();
    }
    prompt_keys = {QStringLiteral("prompt"), QStringLiteral("chosen"), QStringLiteral("rejected")};
  } else if (record.contains(QStringLiteral("instruction"))) {
    row.prompt = record.value(QStringLiteral("instruction")).toString();
    const QString input = record.value(QStringLiteral("input")).toString();
    if (!input.isEmpty()) row.prompt += QLatin1Char('\n') + input;
    prompt_keys = {QStringLiteral("instruction"), QStringLiteral("input")};
  } else if (record.contains(QStringLiteral("messages"))) {
    // The turns before the assistant's answer are the prompt; the answer is the field `completion`.
    QJsonArray messages = record.value(QStringLiteral("messages")).toArray();
    if (!messages.isEmpty() &&
        messages.last().toObject().value(QStringLiteral("role")).toString() == QLatin1String("assistant")) {
      row.fields["completion"] = messages.last().toObject().value(QStringLiteral("content")).toString().toStdString();
      messages.removeLast();
    }
    if (!messages.isEmpty()) row.prompt = messages.last().toObject().value(QStringLiteral("content")).toString();
    prompt_keys = {QStringLiteral("messages")};
  }
  for (auto it = record.begin(); it != record.end(); ++it) {
    const QJsonValue value = it.value();
    if (prompt_keys.contains(it.key()) || value.isObject() || value.isArray() || value.isNull() || value.isUndefined())
      continue;
    row.fields[it.key().toStdString()] = fieldText(value);
  }
  return row;
}

RewardPreviewModel::RewardPreviewModel(QObject* parent) : QAbstractTableModel(parent) {}

RewardPreviewModel::~RewardPreviewModel() = default;

void RewardPreviewModel::setRows(const QVector<RewardPreviewRow>& rows) {
  beginResetModel();
  QVector<RewardPreviewRow> kept = rows;
  // An answer typed for a prompt stays with that prompt.
  for (RewardPreviewRow& row : kept) {
    for (const RewardPreviewRow& old : std::as_const(rows_)) {
      if (old.prompt == row.prompt && row.answer.isEmpty()) row.answer = old.answer;
    }
  }
  rows_ = kept;
  endResetModel();
}

void RewardPreviewModel::setRules(std::shared_ptr<const RuleRewards> rules, bool invalid) {
  beginResetModel();  // the rule columns change
  rules_ = std::move(rules);
  rules_invalid_ = invalid;
  endResetModel();
}

void RewardPreviewModel::setModel(bool used, double weight) {
  if (used == model_used_ && weight == model_weight_) return;
  model_used_ = used;
  model_weight_ = weight;
  if (!rows_.isEmpty()) Q_EMIT dataChanged(index(0, kReward), index(rowCount() - 1, kModel));
}

void RewardPreviewModel::setModelScore(int row, std::optional<double> score, const QString& error) {
  if (row < 0 || row >= rows_.size()) return;
  rows_[row].model_score = score;
  rows_[row].model_error = error;
  Q_EMIT dataChanged(index(row, kReward), index(row, kModel));
}

void RewardPreviewModel::clearModelScores() {
  for (int row = 0; row < rows_.size(); ++row) setModelScore(row, std::nullopt);
}

int RewardPreviewModel::ruleCount() const { return rules_ ? static_cast<int>(rules_->rules().size()) : 0; }

RewardPreviewModel::Scored RewardPreviewModel::scoreRow(int row) const {
  Scored out;
  if (!rules_) return out;
  try {
    const RuleScores scores = rules_->score(rows_[row].answer.toStdString(), rows_[row].fields,
                                            tr("preview row %1").arg(row + 1).toStdString());
    out.scores = scores.scores;
    out.total = scores.total;
  } catch (const std::exception& e) {
    out.error = QString::fromUtf8(e.what());
  }
  return out;
}

std::optional<double> RewardPreviewModel::reward(int row) const {
  if (row < 0 || row >= rows_.size() || rules_invalid_) return std::nullopt;
  if (!rules_ && !model_used_) return std::nullopt;  // nothing rewards yet: no 0 that looks like a score
  const Scored scored = scoreRow(row);
  if (!scored.error.isEmpty()) return std::nullopt;
  double total = scored.total;
  if (model_used_) {
    if (!rows_[row].model_score) return std::nullopt;
    total += model_weight_ * *rows_[row].model_score;
  }
  return total;
}

QString RewardPreviewModel::ruleError(int row) const {
  return row >= 0 && row < rows_.size() ? scoreRow(row).error : QString();
}

int RewardPreviewModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int RewardPreviewModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kFirstRule + ruleCount();
}

QVariant RewardPreviewModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rows_.size()) return {};
  const RewardPreviewRow& row = rows_[index.row()];
  const int column = index.column();
  if (column == kPrompt) {
    if (role == Qt::DisplayRole) return row.prompt.simplified().left(120);
    if (role == Qt::ToolTipRole) {
      QString tip = row.prompt;
      for (const auto& [name, value] : row.fields)
        tip += QStringLiteral("\n%1: %2").arg(QString::fromStdString(name), QString::fromStdString(value));
      return tip;
    }
    return {};
  }
  if (column == kAnswer) {
    if (role == Qt::DisplayRole || role == Qt::EditRole) return row.answer;
    if (role == Qt::ToolTipRole) return tr("Type an answer the model might give; double-click to edit.");
    if (role == Qt::BackgroundRole) return QBrush(QColor(255, 253, 231));  // the one column to type in
    return {};
  }
  if (role == Qt::TextAlignmentRole) return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  if (column == kModel) {
    if (role == Qt::DisplayRole) {
      if (!model_used_) return QString();
      if (row.model_score) return scoreText(*row.model_score);
      return row.model_error.isEmpty() ? QStringLiteral("…") : tr("error");
    }
    if (role == Qt::ToolTipRole && !row.model_error.isEmpty()) return row.model_error;
    return {};
  }
  const Scored scored = scoreRow(index.row());
  if (column == kReward) {
    if (role == Qt::DisplayRole) {
      const std::optional<double> total = reward(index.row());
      return total ? scoreText(*total) : QStringLiteral("—");
    }
    if (role == Qt::FontRole) {
      QFont bold;
      bold.setBold(true);
      return bold;
    }
    if (role == Qt::ToolTipRole && !scored.error.isEmpty()) return scored.error;
    return {};
  }
  const int rule = column - kFirstRule;
  if (rule < 0 || rule >= ruleCount()) return {};
  if (role == Qt::DisplayRole) {
    return scored.error.isEmpty() ? scoreText(scored.scores[static_cast<size_t>(rule)]) : QStringLiteral("—");
  }
  if (role == Qt::ToolTipRole) return scored.error;
  if (role == Qt::ForegroundRole && scored.error.isEmpty()) {
    // Full marks green, none grey: a glance says which rule an answer misses.
    const double score = scored.scores[static_cast<size_t>(rule)];
    return QBrush(score >= 1.0 ? QColor(0x1b, 0x7a, 0x2e) : score <= 0.0 ? QColor(0x90, 0x90, 0x90) : QColor());
  }
  return {};
}

bool RewardPreviewModel::setData(const QModelIndex& index, const QVariant& value, int role) {
  if (!index.isValid() || role != Qt::EditRole || index.column() != kAnswer || index.row() >= rows_.size())
    return false;
  if (rows_[index.row()].answer == value.toString()) return false;
  rows_[index.row()].answer = value.toString();
  rows_[index.row()].model_score.reset();
  rows_[index.row()].model_error.clear();
  Q_EMIT dataChanged(this->index(index.row(), 0), this->index(index.row(), columnCount() - 1));
  Q_EMIT answerEdited(index.row());
  return true;
}

Qt::ItemFlags RewardPreviewModel::flags(const QModelIndex& index) const {
  if (!index.isValid()) return Qt::NoItemFlags;
  Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
  if (index.column() == kAnswer) flags |= Qt::ItemIsEditable;
  return flags;
}

QVariant RewardPreviewModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation == Qt::Vertical) return role == Qt::DisplayRole ? QVariant(section + 1) : QVariant();
  if (section >= kFirstRule && section - kFirstRule < ruleCount()) {
    const auto position = static_cast<size_t>(section - kFirstRule);
    const RewardRule& rule = rules_->rules()[position];
    if (role == Qt::DisplayRole) {
      // As the run's plots name the parts (rewards/format, rewards/format-2): the kind, numbered
      // from its second rule on.
      int same_kind = 1;
      for (size_t i = 0; i < position; ++i) same_kind += rules_->rules()[i].kind == rule.kind ? 1 : 0;
      const QString kind = QString::fromStdString(rule.kind);
      return same_kind == 1 ? kind : QStringLiteral("%1-%2").arg(kind).arg(same_kind);
    }
    if (role == Qt::ToolTipRole) return tr("%1, weight %2").arg(QString::fromStdString(rule.label())).arg(rule.weight);
    return {};
  }
  if (role != Qt::DisplayRole) return {};
  switch (section) {
    case kPrompt:
      return tr("Prompt");
    case kAnswer:
      return tr("Answer");
    case kReward:
      return tr("Reward");
    case kModel:
      return tr("Model");
    default:
      return {};
  }
}

}  // namespace temper::studio
