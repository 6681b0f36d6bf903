#pragma once
/// The reward page's live preview: a few prompts from the chosen data (with the fields their
/// records carry, which exact-match and numeric-match read), an answer to each that the person
/// types, and what each rule and the reward model give that answer. The rules are scored here with
/// the engine's own code (core/rewards/rule_rewards.h), so the preview is what training will
/// reward; the reward model's scores come from the engine (`temper reward`) and are set per row.
#include <QAbstractTableModel>
#include <QJsonObject>
#include <QString>
#include <QVector>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace temper {
class RuleRewards;
}

namespace temper::studio {

struct RewardPreviewRow {
  QString prompt;
  std::map<std::string, std::string> fields;  ///< the record's other plain values, as the engine reads them
  QString answer;
  std::optional<double> model_score;  ///< the reward model's score of (prompt, answer), once known
  QString model_error;                ///< why the reward model could not score it
};

/// A preview row from a data record: its prompt (`prompt` text or the last message before the
/// answer, or `instruction`) and its other plain fields, as core/methods/rl/rl_prompts reads them.
RewardPreviewRow previewRowOfRecord(const QJsonObject& record);

class RewardPreviewModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { kPrompt = 0, kAnswer, kReward, kModel, kFirstRule };

  explicit RewardPreviewModel(QObject* parent = nullptr);
  ~RewardPreviewModel() override;

  /// The prompts to preview on (their answers are kept where a row stays).
  void setRows(const QVector<RewardPreviewRow>& rows);
  const QVector<RewardPreviewRow>& rows() const { return rows_; }
  /// The rules to score with; null when there are none, or (`invalid`) when they do not compile:
  /// then no reward is shown, only what the reward model says.
  void setRules(std::shared_ptr<const RuleRewards> rules, bool invalid = false);
  /// Whether a reward model takes part, and its weight beside the rules'.
  void setModel(bool used, double weight);
  void setModelScore(int row, std::optional<double> score, const QString& error = {});
  void clearModelScores();

  /// The row's reward: the rules' weighted sum plus the model's weighted score; nullopt when a
  /// part is not known (the model has not answered) or cannot be computed (a missing field), or
  /// when nothing rewards the answers yet.
  std::optional<double> reward(int row) const;
  /// Why the row's rules cannot be scored (a field exact-match needs is not in the record).
  QString ruleError(int row) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 Q_SIGNALS:
  /// The person edited the answer of `row` (the page asks the reward model again).
  void answerEdited(int row);

 private:
  struct Scored {
    std::vector<double> scores;
    double total = 0;
    QString error;
  };
  Scored scoreRow(int row) const;
  int ruleCount() const;

  QVector<RewardPreviewRow> rows_;
  std::shared_ptr<const RuleRewards> rules_;
  bool rules_invalid_ = false;
  bool model_used_ = false;
  double model_weight_ = 1.0;
};

}  // namespace temper::studio
