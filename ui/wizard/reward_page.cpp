#include "ui/wizard/reward_page.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QVBoxLayout>
#include <exception>

#include "core/rewards/rule_rewards.h"
#include "ui/client/formatting.h"
#include "ui/wizard/reward_preview_model.h"
#include "ui/wizard/reward_rules_model.h"
#include "ui/wizard/status_line.h"

namespace temper::studio {

namespace {

constexpr int kInspectDelayMs = 500;  // as the base model page: inspect once typing pauses
constexpr int kScoreDelayMs = 700;    // each score is a `temper reward` that loads the model
constexpr int kPreviewRows = 4;

const QString kRulesKey = QStringLiteral("reward-rules");
const QString kModelKey = QStringLiteral("reward-model");
const QString kModelWeightKey = QStringLiteral("reward-model-weight");

/// The kind column as a list of the kinds, the weight column as a spin box that takes penalties.
class RuleDelegate : public QStyledItemDelegate {
 public:
  using QStyledItemDelegate::QStyledItemDelegate;

  QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option, const QModelIndex& index) const override {
    if (index.column() == RewardRulesModel::kKind) {
      auto* combo = new QComboBox(parent);
      for (const QString& kind : rewardRuleKinds()) {
        combo->addItem(kind);
        combo->setItemData(combo->count() - 1, rewardRuleArgumentHint(kind), Qt::ToolTipRole);
      }
      return combo;
    }
    if (index.column() == RewardRulesModel::kWeight) {
      auto* spin = new QDoubleSpinBox(parent);
      spin->setRange(-1000, 1000);  // a negative weight is a penalty
      spin->setDecimals(3);
      spin->setSingleStep(0.1);
      return spin;
    }
    return QStyledItemDelegate::createEditor(parent, option, index);
  }
  void setEditorData(QWidget* editor, const QModelIndex& index) const override {
    if (auto* combo = qobject_cast<QComboBox*>(editor)) {
      combo->setCurrentText(index.data(Qt::EditRole).toString());
    } else if (auto* spin = qobject_cast<QDoubleSpinBox*>(editor)) {
      spin->setValue(index.data(Qt::EditRole).toDouble());
    } else {
      QStyledItemDelegate::setEditorData(editor, index);
    }
  }
  void setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const override {
    if (auto* combo = qobject_cast<QComboBox*>(editor)) {
      model->setData(index, combo->currentText());
    } else if (auto* spin = qobject_cast<QDoubleSpinBox*>(editor)) {
      model->setData(index, spin->value());
    } else {
      QStyledItemDelegate::setModelData(editor, model, index);
    }
  }
};

QTableView* makeTable(QWidget* parent, const QString& name) {
  auto* view = new QTableView(parent);
  view->setObjectName(name);
  view->setSelectionBehavior(QAbstractItemView::SelectRows);
  view->setSelectionMode(QAbstractItemView::SingleSelection);
  view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
  view->setWordWrap(false);
  return view;
}

}  // namespace

RewardPage::RewardPage(WizardContext* context, QWidget* parent) : ConfigPage(context, parent) {
  setTitle(tr("Rewards"));
  setSubTitle(
      tr("What each sampled answer is rewarded with: rules checked in its text, a reward model's score, "
         "or both added up."));
  rules_ = new RewardRulesModel(this);
  preview_ = new RewardPreviewModel(this);
  auto* layout = new QVBoxLayout(this);

  auto* rules_box = new QGroupBox(tr("Rule rewards"), this);
  auto* rules_layout = new QVBoxLayout(rules_box);
  rules_view_ = makeTable(rules_box, QStringLiteral("rules"));
  rules_view_->setModel(rules_);
  rules_view_->setItemDelegate(new RuleDelegate(rules_view_));
  rules_view_->setEditTriggers(QAbstractItemView::AllEditTriggers);
  rules_view_->horizontalHeader()->setSectionResizeMode(RewardRulesModel::kKind, QHeaderView::Interactive);
  rules_view_->horizontalHeader()->setSectionResizeMode(RewardRulesModel::kArgument, QHeaderView::Stretch);
  rules_view_->setColumnWidth(RewardRulesModel::kKind, 150);
  rules_view_->setMinimumHeight(rules_view_->verticalHeader()->defaultSectionSize() * 4);
  rules_layout->addWidget(rules_view_, 1);
  auto* rule_buttons = new QHBoxLayout();
  auto* add_button = new QPushButton(tr("Add rule"), rules_box);
  add_button->setObjectName(QStringLiteral("addRule"));
  remove_button_ = new QPushButton(tr("Remove rule"), rules_box);
  remove_button_->setObjectName(QStringLiteral("removeRule"));
  kind_hint_ = new QLabel(rules_box);
  kind_hint_->setObjectName(QStringLiteral("kindHint"));
  kind_hint_->setWordWrap(true);
  kind_hint_->setStyleSheet(QStringLiteral("color: palette(mid);"));
  rule_buttons->addWidget(add_button);
  rule_buttons->addWidget(remove_button_);
  rule_buttons->addWidget(kind_hint_, 1);
  rules_layout->addLayout(rule_buttons);
  rules_problem_ = new QLabel(rules_box);
  rules_problem_->setObjectName(QStringLiteral("rulesProblem"));
  rules_problem_->setWordWrap(true);
  rules_problem_->setStyleSheet(QStringLiteral("color: #b00020;"));
  rules_problem_->hide();
  rules_layout->addWidget(rules_problem_);
  layout->addWidget(rules_box, 2);

  model_box_ = new QGroupBox(tr("Reward model"), this);
  model_box_->setObjectName(QStringLiteral("rewardModel"));
  model_box_->setCheckable(true);
  model_box_->setChecked(false);
  auto* model_form = new QFormLayout(model_box_);
  auto* dir_row = new QHBoxLayout();
  model_edit_ = new QLineEdit(model_box_);
  model_edit_->setObjectName(QStringLiteral("rewardModelDir"));
  model_edit_->setPlaceholderText(tr("A reward-model run's final/ folder, or a transformers one-label classifier"));
  auto* browse = new QPushButton(tr("Browse…"), model_box_);
  dir_row->addWidget(model_edit_, 1);
  dir_row->addWidget(browse);
  // Reward models trained here before: one click instead of a folder dialog.
  model_runs_ = new QComboBox(model_box_);
  model_runs_->setObjectName(QStringLiteral("rewardModelRuns"));
  model_form->addRow(tr("Earlier run"), model_runs_);
  model_form->addRow(tr("Folder"), dir_row);
  model_weight_ = new QDoubleSpinBox(model_box_);
  model_weight_->setObjectName(QStringLiteral("rewardModelWeight"));
  model_weight_->setRange(0, 1000);
  model_weight_->setDecimals(3);
  model_weight_->setSingleStep(0.1);
  model_weight_->setValue(1.0);
  model_weight_->setToolTip(tr("The reward model's score is multiplied by this before the rules' rewards are added."));
  model_form->addRow(tr("Weight"), model_weight_);
  model_status_ = new StatusLine(model_box_);
  model_status_->setObjectName(QStringLiteral("rewardModelStatus"));
  model_form->addRow(model_status_);
  layout->addWidget(model_box_);

  auto* preview_box = new QGroupBox(tr("Preview"), this);
  auto* preview_layout = new QVBoxLayout(preview_box);
  auto* preview_hint = new QLabel(
      tr("Type answers the model might give; each is scored as training will score it (the rules at once, the "
         "reward model by the engine)."),
      preview_box);
  preview_hint->setWordWrap(true);
  preview_layout->addWidget(preview_hint);
  preview_view_ = makeTable(preview_box, QStringLiteral("preview"));
  preview_view_->setModel(preview_);
  preview_view_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                                 QAbstractItemView::AnyKeyPressed);
  preview_view_->setMinimumHeight(preview_view_->verticalHeader()->defaultSectionSize() * 4);
  preview_layout->addWidget(preview_view_, 1);
  layout->addWidget(preview_box, 3);

  nothing_hint_ = new QLabel(tr("Add a rule or choose a reward model: nothing rewards the answers yet."), this);
  nothing_hint_->setObjectName(QStringLiteral("nothingHint"));
  nothing_hint_->setStyleSheet(QStringLiteral("color: #a04000;"));
  layout->addWidget(nothing_hint_);

  inspect_timer_.setSingleShot(true);
  inspect_timer_.setInterval(kInspectDelayMs);
  score_timer_.setSingleShot(true);
  score_timer_.setInterval(kScoreDelayMs);
  connect(&inspect_timer_, &QTimer::timeout, this, &RewardPage::inspectModel);
  connect(&score_timer_, &QTimer::timeout, this, &RewardPage::askModelScores);
  connect(rules_, &RewardRulesModel::rulesChanged, this, &RewardPage::rulesChanged);
  connect(rules_view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &RewardPage::showKindHint);
  connect(add_button, &QPushButton::clicked, this, [this] {
    const QString kind = rewardRuleKinds().front();
    const int row = rules_->addRule({kind, rewardRuleExampleArgument(kind), 1.0});
    rules_view_->setCurrentIndex(rules_->index(row, RewardRulesModel::kKind));  // opens its kind list
  });
  connect(remove_button_, &QPushButton::clicked, this,
          [this] { rules_->removeRule(rules_view_->currentIndex().row()); });
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Reward model folder"), model_edit_->text());
    if (!dir.isEmpty()) model_edit_->setText(dir);
  });
  connect(model_runs_, &QComboBox::activated, this, [this](int index) {
    const QString dir = model_runs_->itemData(index).toString();
    if (!dir.isEmpty()) model_edit_->setText(dir);
  });
  connect(model_box_, &QGroupBox::toggled, this, &RewardPage::modelChanged);
  connect(model_edit_, &QLineEdit::textChanged, this, &RewardPage::modelChanged);
  connect(model_weight_, &QDoubleSpinBox::valueChanged, this,
          [this](double weight) { preview_->setModel(model_box_->isChecked(), weight); });
  connect(preview_, &RewardPreviewModel::answerEdited, this, &RewardPage::scheduleModelScores);
  rulesChanged();
}

bool RewardPage::applies() const { return context_->writesKey(kRulesKey) || context_->writesKey(kModelKey); }

void RewardPage::initializePage() {
  applySeedIfNew();
  model_runs_->clear();
  model_runs_->addItem(tr("Choose a reward-model run…"));
  for (const PreviousRunModel& run : std::as_const(context_->previous_runs)) {
    if (run.method == QLatin1String("reward-model"))
      model_runs_->addItem(tr("%1 (%2)").arg(run.name, run.run_id), run.model_dir);
  }
  const bool any = model_runs_->count() > 1;
  model_runs_->setVisible(any);
  if (auto* form = qobject_cast<QFormLayout*>(model_box_->layout())) {
    if (QWidget* label = form->labelForField(model_runs_)) label->setVisible(any);
  }
  fillPreviewRows();
  rulesChanged();
  modelChanged();
}

void RewardPage::fillPreviewRows() {
  QVector<RewardPreviewRow> rows;
  if (context_->data_ok) {
    for (const QJsonObject& record : context_->data.preview) {
      if (rows.size() == kPreviewRows) break;
      RewardPreviewRow row = previewRowOfRecord(record);
      if (!row.prompt.isEmpty()) rows.push_back(std::move(row));
    }
  }
  // Without records to show (data not inspected, or none with a prompt), typed answers still score.
  while (rows.size() < 2) rows.push_back({});
  preview_->setRows(rows);
  showProblem();
  sizePreviewColumns();
  scheduleModelScores();
}

void RewardPage::rulesChanged() {
  // The engine's own check: what it would refuse at start is named here, as it words it.
  std::vector<RewardRule> rules;
  for (const RewardRuleRow& row : rules_->rules()) {
    rules.push_back({row.kind.toStdString(), row.argument.toStdString(), row.weight});
  }
  std::shared_ptr<const RuleRewards> compiled;
  rules_error_.clear();
  if (!rules.empty()) {
    try {
      compiled = std::make_shared<const RuleRewards>(std::move(rules));
    } catch (const std::exception& e) {
      rules_error_ = QString::fromUtf8(e.what());
    }
  }
  preview_->setRules(compiled, !rules_error_.isEmpty());
  showProblem();
  sizePreviewColumns();
  remove_button_->setEnabled(!rules_->rules().isEmpty());
  showKindHint();
  nothing_hint_->setVisible(rules_->rules().isEmpty() && !model_box_->isChecked());
  Q_EMIT completeChanged();
}

void RewardPage::sizePreviewColumns() {
  // The answer takes the room; the scores are as wide as their names.
  QHeaderView* header = preview_view_->horizontalHeader();
  header->setSectionResizeMode(QHeaderView::ResizeToContents);
  header->setSectionResizeMode(RewardPreviewModel::kPrompt, QHeaderView::Interactive);
  header->setSectionResizeMode(RewardPreviewModel::kAnswer, QHeaderView::Stretch);
  preview_view_->setColumnWidth(RewardPreviewModel::kPrompt, 180);
  preview_view_->setColumnHidden(RewardPreviewModel::kModel, !model_box_->isChecked());
}

QString RewardPage::dataProblem() const {
  // A field a rule reads that the data's records lack: the engine refuses such a run at start.
  for (int row = 0; row < preview_->rows().size(); ++row) {
    if (preview_->rows()[row].prompt.isEmpty()) continue;  // a row to type in, not a record
    const QString error = preview_->ruleError(row);
    if (!error.isEmpty()) return error;
  }
  return {};
}

void RewardPage::showProblem() {
  // The seed's rules file that could not be read stays named until a rule is added.
  QString problem = rules_error_;
  if (problem.isEmpty()) problem = dataProblem();
  if (problem.isEmpty() && rules_->rules().isEmpty()) problem = seed_problem_;
  rules_problem_->setText(problem);
  rules_problem_->setVisible(!problem.isEmpty());
}

void RewardPage::showKindHint() {
  const int row = rules_view_->currentIndex().row();
  const bool has_row = row >= 0 && row < rules_->rules().size();
  kind_hint_->setText(has_row ? rewardRuleArgumentHint(rules_->rules()[row].kind) : QString());
}

void RewardPage::modelChanged() {
  const bool used = model_box_->isChecked();
  preview_->setModel(used, model_weight_->value());
  preview_view_->setColumnHidden(RewardPreviewModel::kModel, !used);
  nothing_hint_->setVisible(rules_->rules().isEmpty() && !used);
  const QString dir = model_edit_->text().trimmed();
  if (!used) {
    ++inspect_serial_;  // an answer still on its way is not wanted
    inspect_timer_.stop();
    model_status_->clear();
  } else if (dir.isEmpty()) {
    model_ok_ = false;
    inspected_dir_.clear();
    model_status_->showMessage(tr("Choose the reward model's folder."));
  } else if (dir != inspected_dir_ || !model_ok_) {
    model_ok_ = false;
    inspected_dir_.clear();
    model_status_->showBusy(tr("Reading the folder…"));
    inspect_timer_.start();
  }
  Q_EMIT completeChanged();
}

void RewardPage::setRewardModel(const QString& dir, bool used) {
  model_edit_->setText(dir);
  model_box_->setChecked(used);
  modelChanged();
}

void RewardPage::inspectModel() {
  const QString dir = model_edit_->text().trimmed();
  if (dir.isEmpty() || !model_box_->isChecked()) return;
  const int serial = ++inspect_serial_;
  context_->engine()->inspectModel(dir, this, [this, serial, dir](const EngineReply& reply) {
    if (serial != inspect_serial_) return;  // another folder since
    ModelInspection model;
    QString error = reply.ok ? parseModelInspection(reply.json, model) : reply.error;
    // What the engine's completion_rewards accepts: a one-label sequence classifier.
    if (error.isEmpty() && !model.isClassifier()) {
      error = tr("%1 is a %2 language model, not a reward model (a one-label classifier).").arg(dir, model.family);
    } else if (error.isEmpty() && model.labels.size() > 1) {
      error = tr("%1 classifies into %2 labels; a reward model has one (a reward-model run's final/).")
                  .arg(dir)
                  .arg(model.labels.size());
    }
    if (!error.isEmpty()) {
      model_status_->showError(error);
      Q_EMIT completeChanged();
      return;
    }
    model_ok_ = true;
    inspected_dir_ = dir;
    model_status_->showMessage(
        tr("A reward model: %1, %2 parameters.").arg(model.family, formatCount(model.parameters)));
    preview_->clearModelScores();
    scheduleModelScores();
    Q_EMIT completeChanged();
  });
}

void RewardPage::scheduleModelScores() {
  if (model_box_->isChecked() && model_ok_) score_timer_.start();
}

void RewardPage::askModelScores() {
  if (!model_box_->isChecked() || !model_ok_) return;
  const int serial = ++score_serial_;
  for (int row = 0; row < preview_->rows().size(); ++row) {
    const RewardPreviewRow& shown = preview_->rows()[row];
    if (shown.answer.isEmpty() || shown.model_score) continue;
    if (shown.prompt.isEmpty()) {
      preview_->setModelScore(row, std::nullopt, tr("No prompt to score the answer against."));
      continue;
    }
    const QString answer = shown.answer;
    context_->engine()->scoreAnswer(
        inspected_dir_, shown.prompt, answer, this, [this, serial, row, answer](const EngineReply& reply) {
          if (serial != score_serial_ || row >= preview_->rows().size() || preview_->rows()[row].answer != answer)
            return;  // edited since: a newer question is on its way
          const QJsonValue reward = reply.json.value(QStringLiteral("reward"));
          if (reply.ok && reward.isDouble()) {
            preview_->setModelScore(row, reward.toDouble());
          } else {
            preview_->setModelScore(row, std::nullopt,
                                    reply.ok ? tr("The engine's answer has no `reward`.") : reply.error);
          }
        });
  }
}

QString RewardPage::problemText() const { return rules_problem_->isHidden() ? QString() : rules_problem_->text(); }

bool RewardPage::isComplete() const {
  if (!rules_error_.isEmpty() || !dataProblem().isEmpty()) return false;
  if (model_box_->isChecked()) return model_ok_;
  return !rules_->rules().isEmpty();
}

void RewardPage::contribute(QJsonObject& config) const {
  if (!applies()) return;
  if (!rules_->rules().isEmpty() && context_->writesKey(kRulesKey)) config[kRulesKey] = rules_->toConfigText();
  if (model_box_->isChecked() && context_->writesKey(kModelKey)) {
    config[kModelKey] = model_edit_->text().trimmed();
    if (context_->writesKey(kModelWeightKey)) config[kModelWeightKey] = model_weight_->value();
  }
}

void RewardPage::applySeed(const QJsonObject& seed) {
  const QString rules = seed.value(kRulesKey).toString().trimmed();
  seed_problem_.clear();
  if (rules.isEmpty()) {
    rules_->setRules({});
  } else if (!rules_->setFromConfigText(rules)) {
    // A file holding the rules (as `temper train` takes them): read once, edited here from then on.
    try {
      QVector<RewardRuleRow> rows;
      for (const RewardRule& rule : rewardRulesFromText(rules.toStdString(), "`reward-rules`")) {
        rows.push_back({QString::fromStdString(rule.kind), QString::fromStdString(rule.argument), rule.weight});
      }
      rules_->setRules(rows);
    } catch (const std::exception& e) {
      seed_problem_ = QString::fromUtf8(e.what());
      rules_->setRules({});
    }
  }
  const QString model = seed.value(kModelKey).toString();
  model_weight_->setValue(seed.value(kModelWeightKey).toDouble(1.0));
  setRewardModel(model, !model.isEmpty());
}

}  // namespace temper::studio
