#pragma once
/// The rule rewards of the reward page as an editable table: one row per rule (kind, argument,
/// weight), in the order the engine scores them. The rules are what `reward-rules` holds
/// (docs/preference-training.md, "Rule rewards"); checking and scoring them is
/// core/rewards/rule_rewards.h's work, the same code the engine trains with.
#include <QAbstractTableModel>
#include <QString>
#include <QStringList>
#include <QVector>

namespace temper::studio {

struct RewardRuleRow {
  QString kind;
  QString argument;
  double weight = 1.0;
  bool operator==(const RewardRuleRow&) const = default;
};

/// The kinds a rule can be, in the order the editor offers them, and what each one's argument is.
QStringList rewardRuleKinds();
QString rewardRuleArgumentHint(const QString& kind);
/// An argument to start a new rule of `kind` from (a template the person edits).
QString rewardRuleExampleArgument(const QString& kind);

class RewardRulesModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { kKind = 0, kArgument, kWeight, kColumns };

  using QAbstractTableModel::QAbstractTableModel;

  const QVector<RewardRuleRow>& rules() const { return rules_; }
  void setRules(const QVector<RewardRuleRow>& rules);
  /// Appends a rule; returns its row.
  int addRule(const RewardRuleRow& rule);
  void removeRule(int row);

  /// The rules as `reward-rules` takes them: a compact JSON array of {"kind", "argument", "weight"}.
  QString toConfigText() const;
  /// Reads `reward-rules`' JSON array text; false (and the rules unchanged) when it is not one.
  bool setFromConfigText(const QString& text);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 Q_SIGNALS:
  /// Any rule was added, removed or edited.
  void rulesChanged();

 private:
  QVector<RewardRuleRow> rules_;
};

}  // namespace temper::studio
