#include "ui/pages/label/label_page.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "core/common/error.h"
#include "core/prefs/preference_stats.h"
#include "ui/client/engine_job.h"
#include "ui/client/engine_session.h"
#include "ui/pages/label/generate_pairs_dialog.h"
#include "ui/pages/playground/playground_adapters.h"

namespace temper::studio {
namespace {

const char* kLabellerKey = "label/labeller";
const char* kRevealKey = "label/reveal";
const char* kMonospaceKey = "label/monospace";

QString q(const std::string& text) { return QString::fromStdString(text); }

// A conversation prompt as people read it: "role: content" blocks.
QString promptText(const PreferencePairRecord& pair) {
  if (pair.messages_json.empty()) return q(pair.prompt);
  QStringList parts;
  const Json messages = Json::parse(pair.messages_json, nullptr, false);
  if (!messages.is_array()) return q(pair.messages_json);
  for (const Json& m : messages) {
    parts << q(m.value("role", "")) + QStringLiteral(": ") + q(m.value("content", ""));
  }
  return parts.join(QStringLiteral("\n\n"));
}

// One line naming where an answer came from, for the reveal after a vote.
QString sourceSummary(const std::string& source_json) {
  const Json source = Json::parse(source_json.empty() ? "{}" : source_json, nullptr, false);
  if (!source.is_object()) return QObject::tr("unknown source");
  if (source.contains("imported")) {
    return QObject::tr("imported %1 (%2)").arg(q(source.value("imported", "")), q(source.value("as", "")));
  }
  QString text = folderLabel(q(source.value("model", "")));
  const std::string adapter = source.value("adapter", "");
  if (!adapter.empty()) text += QStringLiteral(" + ") + folderLabel(q(adapter));
  if (source.contains("sampling") && source["sampling"].is_object()) {
    text += QObject::tr(", temperature %1").arg(source["sampling"].value("temperature", 0.0));
  }
  return text.isEmpty() ? QObject::tr("unknown source") : text;
}

QString choiceName(ShownChoice choice) {
  switch (choice) {
    case ShownChoice::Left:
      return QObject::tr("A better");
    case ShownChoice::Right:
      return QObject::tr("B better");
    case ShownChoice::Tie:
      return QObject::tr("tie");
    case ShownChoice::BothBad:
      return QObject::tr("both bad");
    case ShownChoice::Skip:
      return QObject::tr("skipped");
  }
  return QString();
}

QString figure(double value, int decimals = 2) {
  return std::isfinite(value) ? QString::number(value, 'f', decimals) : QStringLiteral("–");
}

}  // namespace

LabelPage::LabelPage(QString database, QSettings* settings, QWidget* parent)
    : QWidget(parent), database_(std::move(database)), settings_(settings) {
  setObjectName(QStringLiteral("labelPage"));
  setFocusPolicy(Qt::StrongFocus);
  auto* layout = new QVBoxLayout(this);

  // The set, who labels, and the switches.
  auto* top = new QHBoxLayout;
  set_box_ = new QComboBox(this);
  set_box_->setObjectName(QStringLiteral("labelSet"));
  set_box_->setAccessibleName(tr("Preference set"));
  set_box_->setMinimumContentsLength(18);
  new_set_ = new QPushButton(tr("New set…"), this);
  new_set_->setAccessibleName(tr("Create a preference set"));
  labeller_ = new QLineEdit(this);
  labeller_->setObjectName(QStringLiteral("labeller"));
  labeller_->setAccessibleName(tr("Labeller name"));
  labeller_->setPlaceholderText(tr("your name"));
  QString name = settings_ ? settings_->value(kLabellerKey).toString() : QString();
  if (name.isEmpty()) name = qEnvironmentVariable("USER", QStringLiteral("me"));
  labeller_->setText(name);
  second_opinion_ = new QCheckBox(tr("Second labeller"), this);
  second_opinion_->setToolTip(tr("Only pairs someone else labelled, their votes hidden: agreement figures"));
  second_opinion_->setAccessibleName(tr("Second-labeller mode"));
  reveal_ = new QCheckBox(tr("Reveal sources after each vote"), this);
  reveal_->setChecked(settings_ && settings_->value(kRevealKey, false).toBool());
  monospace_ = new QCheckBox(tr("Monospace"), this);
  monospace_->setChecked(settings_ && settings_->value(kMonospaceKey, false).toBool());
  top->addWidget(new QLabel(tr("Set"), this));
  top->addWidget(set_box_, 1);
  top->addWidget(new_set_);
  top->addSpacing(12);
  top->addWidget(new QLabel(tr("Labeller"), this));
  top->addWidget(labeller_);
  top->addWidget(second_opinion_);
  top->addWidget(reveal_);
  top->addWidget(monospace_);
  layout->addLayout(top);

  progress_ = new QProgressBar(this);
  progress_->setAccessibleName(tr("Labelling progress"));
  progress_->setFormat(tr("%v of %m labelled by you"));
  stats_ = new QLabel(this);
  stats_->setObjectName(QStringLiteral("labelStats"));
  stats_->setWordWrap(true);
  layout->addWidget(progress_);
  layout->addWidget(stats_);
  // Generation in the background: `temper prefs generate` into the chosen set.
  generate_ = new QPushButton(tr("Generate pairs…"), this);
  generate_->setAccessibleName(tr("Generate pairs into this set"));
  generate_->setFocusPolicy(Qt::NoFocus);
  stop_generation_ = new QPushButton(tr("Stop generating"), this);
  stop_generation_->setFocusPolicy(Qt::NoFocus);
  stop_generation_->setVisible(false);
  generation_status_ = new QLabel(this);
  generation_status_->setObjectName(QStringLiteral("generationStatus"));
  generation_status_->setWordWrap(true);
  // The rest of the loop from here: the labelled pairs train a reward model, or a policy with DPO.
  train_reward_model_ = new QPushButton(tr("Train a reward model…"), this);
  train_reward_model_->setObjectName(QStringLiteral("trainRewardModel"));
  train_reward_model_->setFocusPolicy(Qt::NoFocus);
  train_reward_model_->setToolTip(tr("A new run that learns to score answers from this set's labelled pairs"));
  train_dpo_ = new QPushButton(tr("Train with DPO…"), this);
  train_dpo_->setObjectName(QStringLiteral("trainDpo"));
  train_dpo_->setFocusPolicy(Qt::NoFocus);
  train_dpo_->setToolTip(tr("A new run that aligns a model with this set's labelled pairs directly"));
  auto request_run = [this](const QString& method, const QString& label) {
    const QString set = set_box_->currentText();
    if (set.isEmpty()) return;
    Q_EMIT newRunRequested(QJsonObject{{"method", method}, {"data", QStringLiteral("set:") + set}}, label.arg(set));
  };
  connect(train_reward_model_, &QPushButton::clicked, this,
          [request_run] { request_run(QStringLiteral("reward-model"), tr("A reward model on set %1")); });
  connect(train_dpo_, &QPushButton::clicked, this,
          [request_run] { request_run(QStringLiteral("dpo"), tr("DPO on set %1")); });
  train_reward_model_->setEnabled(false);
  train_dpo_->setEnabled(false);
  auto* generation_row = new QHBoxLayout;
  generation_row->addWidget(generate_);
  generation_row->addWidget(stop_generation_);
  generation_row->addWidget(generation_status_, 1);
  generation_row->addWidget(train_reward_model_);
  generation_row->addWidget(train_dpo_);
  layout->addLayout(generation_row);

  body_ = new QStackedWidget(this);
  empty_ = new QLabel(body_);
  empty_->setAlignment(Qt::AlignCenter);
  empty_->setWordWrap(true);
  body_->addWidget(empty_);
  auto* work = new QWidget(body_);
  auto* work_layout = new QVBoxLayout(work);
  work_layout->setContentsMargins(0, 0, 0, 0);
  auto* split = new QSplitter(Qt::Vertical, work);
  auto* prompt_box = new QGroupBox(tr("Prompt"), split);
  prompt_ = new QPlainTextEdit(prompt_box);
  prompt_->setObjectName(QStringLiteral("labelPrompt"));
  prompt_->setAccessibleName(tr("Prompt"));
  (new QVBoxLayout(prompt_box))->addWidget(prompt_);
  auto* answers = new QSplitter(Qt::Horizontal, split);
  auto* left_box = new QGroupBox(tr("A  (1 or ←)"), answers);
  auto* right_box = new QGroupBox(tr("B  (2 or →)"), answers);
  left_ = new QPlainTextEdit(left_box);
  right_ = new QPlainTextEdit(right_box);
  left_->setObjectName(QStringLiteral("answerLeft"));
  right_->setObjectName(QStringLiteral("answerRight"));
  left_->setAccessibleName(tr("Answer A, shown left"));
  right_->setAccessibleName(tr("Answer B, shown right"));
  (new QVBoxLayout(left_box))->addWidget(left_);
  (new QVBoxLayout(right_box))->addWidget(right_);
  for (QPlainTextEdit* view : {prompt_, left_, right_}) {
    view->setReadOnly(true);
    // The keys are the page's: the text views never take the focus (mouse selection still works).
    view->setFocusPolicy(Qt::NoFocus);
  }
  answers->setChildrenCollapsible(false);
  answers->setSizes({1, 1});
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 3);
  work_layout->addWidget(split, 1);
  // Long answers scroll together: the same share of each.
  auto follow = [](QPlainTextEdit* from, QPlainTextEdit* to) {
    connect(from->verticalScrollBar(), &QScrollBar::valueChanged, to, [from, to](int value) {
      QScrollBar* source = from->verticalScrollBar();
      QScrollBar* target = to->verticalScrollBar();
      if (source->maximum() <= 0) return;
      const int wanted = static_cast<int>(std::lround(1.0 * value / source->maximum() * target->maximum()));
      if (target->value() != wanted) {
        const QSignalBlocker block(target);
        target->setValue(wanted);
      }
    });
  };
  follow(left_, right_);
  follow(right_, left_);

  auto* keys = new QWidget(work);
  buildKeys(keys);
  work_layout->addWidget(keys);
  note_pending_ = new QLabel(work);
  note_pending_->setVisible(false);
  work_layout->addWidget(note_pending_);
  body_->addWidget(work);
  layout->addWidget(body_, 1);
  last_vote_ = new QLabel(this);
  last_vote_->setObjectName(QStringLiteral("lastVote"));
  last_vote_->setWordWrap(true);
  layout->addWidget(last_vote_);

  connect(set_box_, &QComboBox::currentIndexChanged, this, [this] { startSession(); });
  connect(second_opinion_, &QCheckBox::toggled, this, [this] { startSession(); });
  connect(labeller_, &QLineEdit::editingFinished, this, [this] {
    if (settings_) settings_->setValue(kLabellerKey, labeller_->text().trimmed());
    if (!session_ || q(session_->labeller()) != labeller_->text().trimmed()) startSession();
    focusAnswers();
  });
  connect(new_set_, &QPushButton::clicked, this, [this] { createSet(); });
  connect(generate_, &QPushButton::clicked, this, [this] { askGeneration(); });
  connect(stop_generation_, &QPushButton::clicked, this, [this] { stopGeneration(); });
  connect(reveal_, &QCheckBox::toggled, this, [this](bool on) {
    if (settings_) settings_->setValue(kRevealKey, on);
  });
  connect(monospace_, &QCheckBox::toggled, this, [this](bool on) { setMonospace(on); });
  setMonospace(monospace_->isChecked());
  reloadSets();
}

LabelPage::~LabelPage() = default;

void LabelPage::buildKeys(QWidget* bar) {
  auto* row = new QHBoxLayout(bar);
  row->setContentsMargins(0, 0, 0, 0);
  struct Key {
    QString text, accessible;
    QList<QKeySequence> keys;
    std::function<void()> act;
  };
  const Key all[] = {
      {tr("1 ← A better"), tr("A is better"), {Qt::Key_1, Qt::Key_Left}, [this] { vote(ShownChoice::Left); }},
      {tr("2 → B better"), tr("B is better"), {Qt::Key_2, Qt::Key_Right}, [this] { vote(ShownChoice::Right); }},
      {tr("3 Tie"), tr("Tie"), {Qt::Key_3}, [this] { vote(ShownChoice::Tie); }},
      {tr("0 Both bad"), tr("Both bad"), {Qt::Key_0}, [this] { vote(ShownChoice::BothBad); }},
      {tr("S Skip"), tr("Skip"), {Qt::Key_S}, [this] { vote(ShownChoice::Skip); }},
      {tr("U Undo"), tr("Undo the last vote"), {Qt::Key_U}, [this] { undo(); }},
      {tr("E Rewrite"), tr("Rewrite the better answer"), {Qt::Key_E}, [this] { editBetterAnswer(); }},
      {tr("N Note"), tr("Add a note"), {Qt::Key_N}, [this] { writeNote(); }},
      {tr("? Guidelines"),
       tr("Show the guidelines"),
       {QKeySequence(QStringLiteral("?"))},
       [this] { showGuidelines(); }},
  };
  for (const Key& key : all) {
    auto* button = new QPushButton(key.text, bar);
    button->setAccessibleName(key.accessible);
    button->setFocusPolicy(Qt::NoFocus);  // a click must not take the keys away from the page
    row->addWidget(button);
    connect(button, &QPushButton::clicked, this, key.act);
    for (const QKeySequence& sequence : key.keys) {
      auto* shortcut = new QShortcut(sequence, this);
      shortcut->setContext(Qt::WidgetWithChildrenShortcut);
      connect(shortcut, &QShortcut::activated, this, key.act);
    }
  }
}

void LabelPage::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  // Sets may have been imported or generated meanwhile; an open session (and its undo) stays
  // unless it has run out of pairs.
  reloadSets(/*keep_session=*/true);
  focusAnswers();
}

void LabelPage::focusAnswers() { setFocus(Qt::OtherFocusReason); }

void LabelPage::setDatabase(const QString& database) {
  if (database == database_) return;
  database_ = database;
  session_.reset();
  reloadSets();
}

void LabelPage::reloadSets(bool keep_session) {
  const QString previous = set_box_->currentText();
  QStringList names;
  try {
    Store store = Store::open(database_.toStdString());
    for (const auto& set : store.listPreferenceSets()) names << q(set.name);
  } catch (const Error& e) {
    empty_->setText(tr("The store cannot be read: %1").arg(q(e.what())));
  }
  {
    const QSignalBlocker block(set_box_);
    set_box_->clear();
    set_box_->addItems(names);
    if (names.contains(previous)) set_box_->setCurrentText(previous);
  }
  // A session on a set that is still there, with pairs left, goes on (its undo with it).
  if (keep_session && names.contains(previous) && session_ && session_->current() != nullptr) {
    updateProgress();
    return;
  }
  startSession();
}

bool LabelPage::openSet(const QString& name) {
  const int index = set_box_->findText(name);
  if (index < 0) return false;
  if (index == set_box_->currentIndex()) {
    startSession();
  } else {
    set_box_->setCurrentIndex(index);
  }
  return true;
}

void LabelPage::startSession() {
  session_.reset();
  const QString name = set_box_->currentText();
  const QString labeller = labeller_->text().trimmed();
  if (name.isEmpty()) {
    empty_->setText(
        tr("No preference sets yet. Create one with “New set…” and add pairs with "
           "`temper prefs import FILE --set NAME` or `temper prefs generate`."));
    body_->setCurrentWidget(empty_);
    stats_->clear();
    progress_->setRange(0, 1);
    progress_->setValue(0);
    return;
  }
  if (labeller.isEmpty()) {
    empty_->setText(tr("Type your name as labeller to start."));
    body_->setCurrentWidget(empty_);
    return;
  }
  try {
    Store store = Store::open(database_.toStdString());
    auto set = store.findPreferenceSet(name.toStdString());
    if (!set) return;
    session_ = std::make_unique<LabelSession>(
        database_.toStdString(), set->id, labeller.toStdString(),
        second_opinion_->isChecked() ? LabelSession::Mode::SecondOpinion : LabelSession::Mode::All);
  } catch (const Error& e) {
    empty_->setText(tr("This set cannot be opened: %1").arg(q(e.what())));
    body_->setCurrentWidget(empty_);
    return;
  }
  showCurrent();
}

void LabelPage::showCurrent() {
  updateProgress();
  const PreferencePairRecord* pair = session_ ? session_->current() : nullptr;
  if (pair == nullptr) {
    empty_->setText(second_opinion_->isChecked()
                        ? tr("Nothing left to label: you have labelled every pair someone else labelled.")
                        : tr("Nothing left to label in this set. Add pairs with `temper prefs generate` or "
                             "`temper prefs import`."));
    body_->setCurrentWidget(empty_);
    return;
  }
  body_->setCurrentWidget(body_->widget(1));
  prompt_->setPlainText(promptText(*pair));
  const bool left_is_a = session_->leftIsA();
  left_->setPlainText(q(left_is_a ? pair->completion_a : pair->completion_b));
  right_->setPlainText(q(left_is_a ? pair->completion_b : pair->completion_a));
  for (QPlainTextEdit* view : {prompt_, left_, right_}) view->verticalScrollBar()->setValue(0);
  shown_.start();
  focusAnswers();
}

void LabelPage::vote(ShownChoice choice, const QString& rewrite) {
  if (!session_ || session_->current() == nullptr) return;
  const PreferencePairRecord pair = *session_->current();
  const bool left_is_a = session_->leftIsA();
  try {
    session_->vote(choice, static_cast<double>(shown_.elapsed()) / 1000.0, rewrite.toStdString(),
                   pending_note_.toStdString());
  } catch (const Error& e) {
    QMessageBox::warning(this, tr("Vote not saved"), q(e.what()));
    return;
  }
  setPendingNote(QString());
  QString text = tr("Previous pair saved: %1.").arg(choiceName(choice));
  if (reveal_->isChecked()) {
    const std::string& left_source = left_is_a ? pair.source_a_json : pair.source_b_json;
    const std::string& right_source = left_is_a ? pair.source_b_json : pair.source_a_json;
    text +=
        QStringLiteral("  ") + tr("A was %1; B was %2.").arg(sourceSummary(left_source), sourceSummary(right_source));
  }
  last_vote_->setText(text);
  showCurrent();
}

void LabelPage::voteWithRewrite(bool left, const QString& rewrite) {
  vote(left ? ShownChoice::Left : ShownChoice::Right, rewrite);
}

void LabelPage::undo() {
  if (!session_) return;
  try {
    if (!session_->undo()) {
      last_vote_->setText(tr("Nothing to undo in this session."));
      return;
    }
  } catch (const Error& e) {
    QMessageBox::warning(this, tr("Undo failed"), q(e.what()));
    return;
  }
  last_vote_->setText(tr("Undone: the pair is back."));
  showCurrent();
}

void LabelPage::setPendingNote(const QString& note) {
  pending_note_ = note;
  note_pending_->setText(tr("Note for this pair: %1").arg(note));
  note_pending_->setVisible(!note.isEmpty());
}

void LabelPage::writeNote() {
  if (!session_ || session_->current() == nullptr) return;
  bool ok = false;
  const QString note = QInputDialog::getMultiLineText(this, tr("Note"), tr("A note saved with your vote on this pair:"),
                                                      pending_note_, &ok);
  if (ok) setPendingNote(note.trimmed());
  focusAnswers();
}

void LabelPage::editBetterAnswer() {
  if (!session_ || session_->current() == nullptr) return;
  QDialog dialog(this);
  dialog.setWindowTitle(tr("Rewrite the better answer"));
  auto* form = new QFormLayout(&dialog);
  auto* which = new QComboBox(&dialog);
  which->addItems({tr("A (left) is better"), tr("B (right) is better")});
  which->setAccessibleName(tr("Which answer is better"));
  auto* text = new QPlainTextEdit(&dialog);
  text->setAccessibleName(tr("The better answer, rewritten"));
  text->setPlainText(left_->toPlainText());
  bool edited = false;
  connect(text, &QPlainTextEdit::textChanged, &dialog, [&edited] { edited = true; });
  connect(which, &QComboBox::currentIndexChanged, &dialog, [&](int index) {
    if (edited) return;
    text->setPlainText(index == 0 ? left_->toPlainText() : right_->toPlainText());
    edited = false;
  });
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, &dialog);
  buttons->button(QDialogButtonBox::Save)->setText(tr("Save as my vote"));
  connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  form->addRow(tr("Better"), which);
  form->addRow(tr("Rewritten"), text);
  form->addRow(buttons);
  dialog.resize(720, 420);
  if (dialog.exec() == QDialog::Accepted) voteWithRewrite(which->currentIndex() == 0, text->toPlainText());
  focusAnswers();
}

void LabelPage::showGuidelines() {
  QString guidelines;
  if (session_) {
    for (const auto& set : session_->store().listPreferenceSets()) {
      if (set.id == session_->setId()) guidelines = q(set.guidelines);
    }
  }
  if (guidelines.isEmpty())
    guidelines =
        tr("This set has no guidelines. Prefer the answer that is more helpful, "
           "correct and harmless; a tie when neither is better.");
  QMessageBox::information(this, tr("Guidelines"), guidelines);
  focusAnswers();
}

void LabelPage::createSet() {
  QDialog dialog(this);
  dialog.setWindowTitle(tr("New preference set"));
  auto* form = new QFormLayout(&dialog);
  auto* name = new QLineEdit(&dialog);
  auto* description = new QLineEdit(&dialog);
  auto* guidelines = new QPlainTextEdit(&dialog);
  name->setAccessibleName(tr("Set name"));
  description->setAccessibleName(tr("Set description"));
  guidelines->setAccessibleName(tr("Labelling guidelines"));
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
  connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  form->addRow(tr("Name"), name);
  form->addRow(tr("Description"), description);
  form->addRow(tr("Guidelines"), guidelines);
  form->addRow(buttons);
  if (dialog.exec() != QDialog::Accepted || name->text().trimmed().isEmpty()) return;
  try {
    Store store = Store::open(database_.toStdString());
    NewPreferenceSet set;
    set.name = name->text().trimmed().toStdString();
    set.description = description->text().toStdString();
    set.guidelines = guidelines->toPlainText().toStdString();
    store.createPreferenceSet(set);
  } catch (const Error& e) {
    QMessageBox::warning(this, tr("Set not created"), q(e.what()));
    return;
  }
  reloadSets();
  openSet(name->text().trimmed());
}

void LabelPage::updateProgress() {
  if (!session_) return;
  const LabelProgress progress = session_->progress();
  const bool second = session_->mode() == LabelSession::Mode::SecondOpinion;
  const int64_t total = second ? progress.labelled_by_me + progress.to_label : progress.pairs;
  progress_->setRange(0, static_cast<int>(std::max<int64_t>(total, 1)));
  progress_->setValue(static_cast<int>(std::min(progress.labelled_by_me, total)));

  // The figures of the whole set, mine picked out (core/prefs: the same as `temper prefs stats`).
  Store& store = session_->store();
  PreferenceSetRecord set;
  set.id = session_->setId();
  const auto history = store.preferenceLabelHistory(set.id);
  const auto current = store.currentPreferenceLabels(set.id);
  const PreferenceStats all = computePreferenceStats(set, history, current);
  // A vote for one side is what the pairwise methods train on (ties, both-bad and skips are not).
  const bool has_verdict = std::any_of(current.begin(), current.end(), [](const PreferenceLabelRecord& label) {
    return label.choice == "a" || label.choice == "b";
  });
  train_reward_model_->setEnabled(has_verdict);
  train_dpo_->setEnabled(has_verdict);
  std::vector<PreferenceLabelRecord> my_history, my_current;
  for (const auto& l : history) {
    if (l.labeller == session_->labeller()) my_history.push_back(l);
  }
  for (const auto& l : current) {
    if (l.labeller == session_->labeller()) my_current.push_back(l);
  }
  const PreferenceStats mine = computePreferenceStats(set, my_history, my_current);
  QStringList parts;
  parts << tr("%1 labelled by you, %2 to go").arg(progress.labelled_by_me).arg(progress.to_label);
  if (!mine.labellers.empty() && std::isfinite(mine.labellers[0].labels_per_hour)) {
    parts << tr("%1 labels/hour").arg(figure(mine.labellers[0].labels_per_hour, 0));
  }
  for (const auto& k : all.kappas) {
    if (k.first != session_->labeller() && k.second != session_->labeller()) continue;
    const std::string& other = k.first == session_->labeller() ? k.second : k.first;
    parts << tr("agreement with %1: %2 of %3 pairs, κ %4")
                 .arg(q(other), figure(k.observed * 100, 0) + QStringLiteral("%"))
                 .arg(k.units)
                 .arg(figure(k.kappa));
  }
  const PositionBias& bias = mine.position;
  if (bias.decided > 0) {
    QString line = tr("the left answer won %1% of your A/B votes").arg(figure(bias.left_share * 100, 0));
    if (bias.decided >= 20 && bias.p_value < 0.05)
      line += tr(" — more than chance (p = %1): check for a side bias").arg(figure(bias.p_value, 3));
    parts << line;
  }
  stats_->setText(parts.join(QStringLiteral(" · ")));
}

void LabelPage::setMonospace(bool on) {
  if (settings_) settings_->setValue(kMonospaceKey, on);
  const QFont font = on ? QFontDatabase::systemFont(QFontDatabase::FixedFont) : QFont();
  for (QPlainTextEdit* view : {prompt_, left_, right_}) view->setFont(font);
}

void LabelPage::askGeneration() {
  if (set_box_->currentText().isEmpty()) createSet();
  const QString set = set_box_->currentText();
  if (set.isEmpty()) return;
  GeneratePairsDialog dialog(this);
  if (dialog.exec() == QDialog::Accepted) startGeneration(dialog.arguments(set));
  focusAnswers();
}

bool LabelPage::startGeneration(const QStringList& args) {
  if (generating() || engine_ == nullptr) return false;
  const QString workspace = QFileInfo(database_).absolutePath();
  auto* job = new EngineJob(engine_->engine(), workspace, this);
  generation_ = job;
  const int set_at = args.indexOf(QStringLiteral("--set"));
  const QString set = set_at >= 0 && set_at + 1 < args.size() ? args[set_at + 1] : QString();
  connect(job, &EngineJob::eventsReady, this, [this, set](const EventBatch& batch) {
    for (const EngineEvent& event : batch.events) {
      if (event.type != QLatin1String("prefs_progress")) continue;
      generation_status_->setText(tr("Generating into “%1”: %2 of %3 prompts, %4 pairs")
                                      .arg(set)
                                      .arg(event.integer("prompts_done"))
                                      .arg(event.integer("prompts"))
                                      .arg(event.integer("pairs_added")));
      Q_EMIT generationStatusChanged(generation_status_->text(), true);
    }
    // New pairs join what is offered: a session that ran out starts again; one with pairs
    // left picks them up as its queue empties.
    if (set_box_->findText(set) < 0) reloadSets(true);
    if (!session_ || session_->current() == nullptr) {
      if (set_box_->currentText() == set) startSession();
    } else {
      updateProgress();
    }
  });
  connect(job, &EngineJob::ended, this, [this, job, set](const JobOutcome& outcome) {
    if (outcome.status == QLatin1String("finished")) {
      generation_status_->setText(tr("Generation into “%1” finished.").arg(set));
    } else if (outcome.status == QLatin1String("cancelled")) {
      generation_status_->setText(tr("Generation into “%1” stopped; what it made is kept, and running it again "
                                     "goes on.")
                                      .arg(set));
    } else {
      generation_status_->setText(tr("Generation failed: %1").arg(outcome.reason));
    }
    generate_->setVisible(true);
    stop_generation_->setVisible(false);
    Q_EMIT generationStatusChanged(generation_status_->text(), false);
    job->deleteLater();
    if (!session_ || session_->current() == nullptr) {
      if (set_box_->currentText() == set) startSession();
    } else {
      updateProgress();
    }
  });
  job->start(args);
  generation_status_->setText(tr("Starting the generation into “%1”…").arg(set));
  Q_EMIT generationStatusChanged(generation_status_->text(), true);
  generate_->setVisible(false);
  stop_generation_->setVisible(true);
  return true;
}

void LabelPage::stopGeneration() {
  if (generation_) generation_->cancel();
}

}  // namespace temper::studio
