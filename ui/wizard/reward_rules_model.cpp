#include "ui/wizard/reward_rules_model.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace temper::studio {

namespace {

class RewardRuleText {
  Q_DECLARE_TR_FUNCTIONS(RewardRules)
};

struct KindWords {
  const char* kind;
  const char* hint;
  const char* example;
};

// The kinds of core/rewards/rule_rewards.h, in the order a person reaches for them.
constexpr KindWords kKinds[] = {
    {"format",
     QT_TRANSLATE_NOOP("RewardRules",
                       "The whole answer has this shape; each ... stands for any text, e.g. <answer>...</answer>."),
     "<answer>...</answer>"},
    {"exact-match",
     QT_TRANSLATE_NOOP("RewardRules",
                       "The name of the example's field the answer must equal (the text of its last "
                       "<answer>...</answer>, else all of it)."),
     "answer"},
    {"numeric-match",
     QT_TRANSLATE_NOOP("RewardRules",
                       "The name of the example's field holding a number; the answer's last number must equal it."),
     "answer"},
    {"regex", QT_TRANSLATE_NOOP("RewardRules", "A PCRE2 pattern; the answer must contain a match, e.g. \\d+."), "\\d+"},
    {"contains", QT_TRANSLATE_NOOP("RewardRules", "Text the answer must contain (case-sensitive)."), "because"},
    {"not-contains", QT_TRANSLATE_NOOP("RewardRules", "Text the answer must not contain (case-sensitive)."),
     "As an AI"},
    {"length",
     QT_TRANSLATE_NOOP("RewardRules",
                       "A length in characters, MIN-MAX or MIN-; the score falls to 0 at twice the distance "
                       "outside the range."),
     "20-400"},
};

const KindWords* wordsOf(const QString& kind) {
  for (const KindWords& words : kKinds)
    if (kind == QLatin1String(words.kind)) return &words;
  return nullptr;
}

}  // namespace

QStringList rewardRuleKinds() {
  QStringList kinds;
  for (const KindWords& words : kKinds) kinds << QLatin1String(words.kind);
  return kinds;
}

QString rewardRuleArgumentHint(const QString& kind) {
  const KindWords* words = wordsOf(kind);
  return words ? RewardRuleText::tr(words->hint) : QString();
}

QString rewardRuleExampleArgument(const QString& kind) {
  const KindWords* words = wordsOf(kind);
  return words ? QString::fromUtf8(words->example) : QString();
}

void RewardRulesModel::setRules(const QVector<RewardRuleRow>& rules) {
  beginResetModel();
  rules_ = rules;
  endResetModel();
  Q_EMIT rulesChanged();
}

int RewardRulesModel::addRule(const RewardRuleRow& rule) {
  const auto row = static_cast<int>(rules_.size());
  beginInsertRows({}, row, row);
  rules_.push_back(rule);
  endInsertRows();
  Q_EMIT rulesChanged();
  return row;
}

void RewardRulesModel::removeRule(int row) {
  if (row < 0 || row >= rules_.size()) return;
  beginRemoveRows({}, row, row);
  rules_.removeAt(row);
  endRemoveRows();
  Q_EMIT rulesChanged();
}

QString RewardRulesModel::toConfigText() const {
  QJsonArray array;
  for (const RewardRuleRow& rule : rules_) {
    array.append(QJsonObject{{"kind", rule.kind}, {"argument", rule.argument}, {"weight", rule.weight}});
  }
  return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

bool RewardRulesModel::setFromConfigText(const QString& text) {
  const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8());
  if (!document.isArray()) return false;
  QVector<RewardRuleRow> rules;
  for (const QJsonValue& value : document.array()) {
    const QJsonObject object = value.toObject();
    const QJsonValue argument = object.contains(QStringLiteral("argument")) ? object.value(QStringLiteral("argument"))
                                                                            : object.value(QStringLiteral("arg"));
    rules.push_back({object.value(QStringLiteral("kind")).toString(), argument.toString(),
                     object.value(QStringLiteral("weight")).toDouble(1.0)});
  }
  setRules(rules);
  return true;
}

int RewardRulesModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rules_.size());
}

int RewardRulesModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumns; }

QVariant RewardRulesModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rules_.size()) return {};
  const RewardRuleRow& rule = rules_[index.row()];
  if (role == Qt::DisplayRole || role == Qt::EditRole) {
    switch (index.column()) {
      case kKind:
        return rule.kind;
      case kArgument:
        return rule.argument;
      case kWeight:
        return role == Qt::EditRole ? QVariant(rule.weight) : QVariant(QString::number(rule.weight));
      default:
        return {};
    }
  }
  if (role == Qt::ToolTipRole && index.column() != kWeight) return rewardRuleArgumentHint(rule.kind);
  if (role == Qt::TextAlignmentRole && index.column() == kWeight) return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  return {};
}

bool RewardRulesModel::setData(const QModelIndex& index, const QVariant& value, int role) {
  if (!index.isValid() || role != Qt::EditRole || index.row() >= rules_.size()) return false;
  RewardRuleRow& rule = rules_[index.row()];
  switch (index.column()) {
    case kKind: {
      const QString kind = value.toString();
      if (kind == rule.kind) return false;
      // A new kind whose argument cannot mean anything to it starts from that kind's example.
      const bool example_argument = rule.argument.isEmpty() || rule.argument == rewardRuleExampleArgument(rule.kind);
      rule.kind = kind;
      if (example_argument) rule.argument = rewardRuleExampleArgument(kind);
      Q_EMIT dataChanged(this->index(index.row(), 0), this->index(index.row(), kColumns - 1));
      break;
    }
    case kArgument:
      if (value.toString() == rule.argument) return false;
      rule.argument = value.toString();
      Q_EMIT dataChanged(index, index);
      break;
    case kWeight: {
      bool ok = false;
      const double weight = value.toDouble(&ok);
      if (!ok || weight == rule.weight) return false;
      rule.weight = weight;
      Q_EMIT dataChanged(index, index);
      break;
    }
    default:
      return false;
  }
  Q_EMIT rulesChanged();
  return true;
}

Qt::ItemFlags RewardRulesModel::flags(const QModelIndex& index) const {
  if (!index.isValid()) return Qt::NoItemFlags;
  return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsEditable;
}

QVariant RewardRulesModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (role != Qt::DisplayRole) return {};
  if (orientation == Qt::Vertical) return section + 1;
  switch (section) {
    case kKind:
      return tr("Kind");
    case kArgument:
      return tr("Argument");
    case kWeight:
      return tr("Weight");
    default:
      return {};
  }
}

}  // namespace temper::studio
