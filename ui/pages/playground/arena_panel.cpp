#include "ui/pages/playground/arena_panel.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QScrollBar>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QVBoxLayout>

#include "core/common/error.h"
#include "core/prefs/preference_import.h"
#include "core/store/store.h"
#include "ui/client/engine_session.h"
#include "ui/pages/library/library_model.h"
#include "ui/pages/playground/playground_adapters.h"
#include "ui/pages/playground/playground_settings_panel.h"

namespace temper::studio {
namespace {

std::string utf8(const QString& text) { return text.toStdString(); }

}  // namespace

ArenaPanel::ArenaPanel(LibraryModel* models, QWidget* parent)
    : QWidget(parent), models_(models), first_(new ChatSession(this)), second_(new ChatSession(this)) {
  setObjectName(QStringLiteral("arenaPanel"));
  a_box_ = new QComboBox(this);
  b_box_ = new QComboBox(this);
  a_box_->setAccessibleName(tr("Source A"));
  b_box_->setAccessibleName(tr("Source B"));
  for (QComboBox* box : {a_box_, b_box_}) {
    box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    box->setMinimumContentsLength(24);
    box->setPlaceholderText(tr("Choose a model…"));
  }
  auto* browse_a = new QPushButton(tr("Folder…"), this);
  auto* browse_b = new QPushButton(tr("Folder…"), this);
  load_ = new QPushButton(tr("Load both"), this);
  set_box_ = new QComboBox(this);
  set_box_->setEditable(true);  // a new name makes a new set with the first vote
  set_box_->setAccessibleName(tr("Preference set the votes go to"));
  set_box_->setMinimumContentsLength(16);
  auto* sources = new QHBoxLayout;
  sources->addWidget(new QLabel(tr("A:"), this));
  sources->addWidget(a_box_, 1);
  sources->addWidget(browse_a);
  sources->addWidget(new QLabel(tr("B:"), this));
  sources->addWidget(b_box_, 1);
  sources->addWidget(browse_b);
  sources->addWidget(load_);
  sources->addSpacing(12);
  sources->addWidget(new QLabel(tr("Votes into set:"), this));
  sources->addWidget(set_box_);

  prompt_ = new QPlainTextEdit(this);
  prompt_->setObjectName(QStringLiteral("arenaPrompt"));
  prompt_->setAccessibleName(tr("Prompt for both"));
  prompt_->setPlaceholderText(tr("One prompt for both (Ctrl+Enter asks)"));
  prompt_->setMaximumHeight(90);
  prompt_->setTabChangesFocus(true);
  ask_ = new QPushButton(tr("Ask both"), this);
  ask_->setToolTip(tr("Ctrl+Enter"));
  auto* ask_row = new QHBoxLayout;
  ask_row->addWidget(prompt_, 1);
  ask_row->addWidget(ask_);

  auto* answers = new QSplitter(Qt::Horizontal, this);
  left_ = new QPlainTextEdit(answers);
  right_ = new QPlainTextEdit(answers);
  left_->setObjectName(QStringLiteral("arenaLeft"));
  right_->setObjectName(QStringLiteral("arenaRight"));
  left_->setAccessibleName(tr("Answer A, shown left"));
  right_->setAccessibleName(tr("Answer B, shown right"));
  for (QPlainTextEdit* view : {left_, right_}) {
    view->setReadOnly(true);
    view->setPlaceholderText(
        tr("The answers appear here side by side; which source is which is shown after the vote."));
  }
  answers->setChildrenCollapsible(false);
  // Long answers scroll together.
  for (auto [from, to] : {std::pair{left_, right_}, std::pair{right_, left_}}) {
    connect(from->verticalScrollBar(), &QScrollBar::valueChanged, to, [from = from, to = to](int value) {
      if (from->verticalScrollBar()->maximum() <= 0) return;
      const QSignalBlocker block(to->verticalScrollBar());
      to->verticalScrollBar()->setValue(value * to->verticalScrollBar()->maximum() /
                                        from->verticalScrollBar()->maximum());
    });
  }

  auto* votes = new QHBoxLayout;
  struct VoteKey {
    QString text;
    ShownChoice choice;
    QKeySequence key;
  };
  const VoteKey keys[] = {{tr("A is better (Ctrl+1)"), ShownChoice::Left, QKeySequence(Qt::CTRL | Qt::Key_1)},
                          {tr("B is better (Ctrl+2)"), ShownChoice::Right, QKeySequence(Qt::CTRL | Qt::Key_2)},
                          {tr("Tie (Ctrl+3)"), ShownChoice::Tie, QKeySequence(Qt::CTRL | Qt::Key_3)},
                          {tr("Both bad (Ctrl+0)"), ShownChoice::BothBad, QKeySequence(Qt::CTRL | Qt::Key_0)}};
  for (const VoteKey& key : keys) {
    auto* button = new QPushButton(key.text, this);
    button->setAccessibleName(key.text);
    vote_buttons_ << button;
    votes->addWidget(button);
    const ShownChoice choice = key.choice;
    connect(button, &QPushButton::clicked, this, [this, choice] { vote(choice); });
    auto* shortcut = new QShortcut(key.key, this);
    shortcut->setContext(Qt::WidgetWithChildrenShortcut);
    connect(shortcut, &QShortcut::activated, this, [this, choice] { vote(choice); });
  }
  status_ = new QLabel(this);
  status_->setObjectName(QStringLiteral("arenaStatus"));
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* main = new QVBoxLayout;
  main->addLayout(sources);
  main->addLayout(ask_row);
  main->addWidget(answers, 1);
  main->addLayout(votes);
  main->addWidget(status_);
  settings_panel_ = new PlaygroundSettingsPanel(this);
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(main, 1);
  layout->addWidget(settings_panel_);

  connect(browse_a, &QPushButton::clicked, this, [this] { browse(a_box_); });
  connect(browse_b, &QPushButton::clicked, this, [this] { browse(b_box_); });
  connect(load_, &QPushButton::clicked, this, &ArenaPanel::loadSources);
  connect(ask_, &QPushButton::clicked, this, &ArenaPanel::askBoth);
  auto* ask_key = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), prompt_);
  ask_key->setContext(Qt::WidgetShortcut);
  connect(ask_key, &QShortcut::activated, this, &ArenaPanel::askBoth);
  for (int side = 0; side < 2; ++side) {
    ChatSession* chat = side == 0 ? first_ : second_;
    connect(chat, &ChatSession::tokenReceived, this, [this, side](const QString& text) { onToken(side, text); });
    connect(chat, &ChatSession::answerEnded, this, [this, side](const ChatAnswerEnd& end) { onEnded(side, end); });
    connect(chat, &ChatSession::stateChanged, this, [this] {
      updateActions();
      if (first_->state() == ChatSession::State::Ready && second_->state() == ChatSession::State::Ready &&
          asked_.isEmpty()) {
        Q_EMIT bothReady();
      }
    });
    connect(chat, &ChatSession::failed, this, [this, side](const QString& message) {
      status_->setText(tr("Source %1 failed: %2").arg(side == 0 ? "A" : "B", message));
    });
  }
  for (QComboBox* box : {a_box_, b_box_})
    connect(box, &QComboBox::currentIndexChanged, this, &ArenaPanel::updateActions);
  rebuildSourceBoxes();
  updateActions();
}

ArenaPanel::~ArenaPanel() {
  first_->shutdown();
  second_->shutdown();
}

void ArenaPanel::setPreferenceStore(const QString& database, QSettings* settings) {
  database_ = database;
  settings_ = settings;
  reloadSets();
}

void ArenaPanel::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  rebuildSourceBoxes();
  reloadSets();
}

void ArenaPanel::reloadSets() {
  if (database_.isEmpty()) return;
  const QString current = set_box_->currentText();
  QStringList names;
  try {
    Store store = Store::open(utf8(database_));
    for (const auto& set : store.listPreferenceSets()) names << QString::fromStdString(set.name);
  } catch (const Error&) {
    return;  // the vote reports the store's problem
  }
  const QSignalBlocker block(set_box_);
  set_box_->clear();
  set_box_->addItems(names);
  set_box_->setCurrentText(current.isEmpty() ? (names.isEmpty() ? QStringLiteral("arena") : names.last()) : current);
}

void ArenaPanel::rebuildSourceBoxes() {
  for (QComboBox* box : {a_box_, b_box_}) {
    const QString current = box->currentData().toString();
    const QSignalBlocker block(box);
    box->clear();
    QStringList seen;
    if (models_) {
      for (const LibraryEntry& entry : models_->entries()) {
        box->addItem(entry.name, entry.path);
        seen << entry.path;
      }
    }
    for (const QString& path : extra_paths_) {
      if (!seen.contains(path)) box->addItem(folderLabel(path), path);
    }
    box->setCurrentIndex(box->findData(current));
  }
  updateActions();
}

void ArenaPanel::browse(QComboBox* box) {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Model or adapter folder"));
  if (dir.isEmpty()) return;
  const QString path = QDir(dir).absolutePath();
  if (!extra_paths_.contains(path)) extra_paths_ << path;
  rebuildSourceBoxes();
  box->setCurrentIndex(box->findData(path));
}

void ArenaPanel::openSources(const QString& a_dir, const QString& b_dir) {
  for (const QString& dir : {a_dir, b_dir}) {
    const QString path = QDir(dir).absolutePath();
    if (!extra_paths_.contains(path)) extra_paths_ << path;
  }
  rebuildSourceBoxes();
  a_box_->setCurrentIndex(a_box_->findData(QDir(a_dir).absolutePath()));
  b_box_->setCurrentIndex(b_box_->findData(QDir(b_dir).absolutePath()));
  loadSources();
}

void ArenaPanel::loadSources() {
  const QString a = a_box_->currentData().toString();
  const QString b = b_box_->currentData().toString();
  if (a.isEmpty() || b.isEmpty() || engine_ == nullptr) return;
  asked_.clear();
  left_->clear();
  right_->clear();
  status_->setText(tr("Loading both sources…"));
  first_->start(engine_->engine(), a);
  second_->start(engine_->engine(), b);
}

QPlainTextEdit* ArenaPanel::viewOf(int side) const { return (side == 0) == first_left_ ? left_ : right_; }

bool ArenaPanel::askBoth() {
  if (first_->state() != ChatSession::State::Ready || second_->state() != ChatSession::State::Ready) return false;
  const QString prompt = prompt_->toPlainText().trimmed();
  if (prompt.isEmpty()) return false;
  // Blind: which source is shown left is drawn anew for every round.
  first_left_ = QRandomGenerator::global()->bounded(2) == 0;
  asked_ = prompt;
  system_ = settings_panel_->systemPrompt()->toPlainText().trimmed();
  sampling_[0] = settings_panel_->sampling();
  sampling_[1] = sampling_[0];
  sampling_[1].seed = sampling_[0].seed + 1;  // the same model on both sides still answers twice
  ended_[0] = ended_[1] = false;
  voted_ = false;
  text_[0].clear();
  text_[1].clear();
  left_->clear();
  right_->clear();
  for (int side = 0; side < 2; ++side) {
    ChatSession* chat = side == 0 ? first_ : second_;
    chat->reset();  // every round is a conversation of its own
    chat->applySettings(sampling_[side], system_);
    chat->sendUser(prompt);
  }
  status_->setText(tr("Both are answering…"));
  updateActions();
  return true;
}

void ArenaPanel::onToken(int side, const QString& text) {
  text_[side] += text;
  QPlainTextEdit* view = viewOf(side);
  view->moveCursor(QTextCursor::End);
  view->insertPlainText(text);
}

void ArenaPanel::onEnded(int side, const ChatAnswerEnd& end) {
  if (asked_.isEmpty()) return;
  end_[side] = end;
  text_[side] = end.text;  // the answer as the engine settled it (stop texts cut)
  viewOf(side)->setPlainText(end.text);
  ended_[side] = true;
  if (answersComplete()) {
    answered_.start();
    status_->setText(tr("Which answer is better? The sources are named after the vote."));
    Q_EMIT bothAnswered();
  }
  updateActions();
}

bool ArenaPanel::vote(ShownChoice choice) {
  if (!answersComplete() || voted_) return false;
  if (database_.isEmpty()) {
    status_->setText(tr("No workspace store to vote into."));
    return false;
  }
  const QString set_name = set_box_->currentText().trimmed();
  if (set_name.isEmpty()) {
    status_->setText(tr("Name the preference set the vote goes to."));
    return false;
  }
  if (text_[0].isEmpty() || text_[1].isEmpty() || text_[0] == text_[1]) {
    status_->setText(tr("An empty answer, or the same answer twice: there is nothing to compare. Ask again."));
    return false;
  }
  std::vector<ChatMessage> messages;
  if (!system_.isEmpty()) messages.push_back({"system", utf8(system_)});
  messages.push_back({"user", utf8(asked_)});
  NewPreferencePair pair;
  pair.messages_json = messagesJson(messages);
  pair.completion_a = utf8(text_[0]);
  pair.completion_b = utf8(text_[1]);
  auto source = [&](int side) {
    const ChatSession* chat = side == 0 ? first_ : second_;
    QJsonObject json{{"model", chat->modelDir()},
                     {"adapter", end_[side].adapter},
                     {"template", chat->modelInfo().value(QStringLiteral("template"))},
                     {"sampling", sampling_[side].toJson()},
                     {"arena", true}};
    return QJsonDocument(json).toJson(QJsonDocument::Compact).toStdString();
  };
  pair.source_a_json = source(0);
  pair.source_b_json = source(1);
  pair.seconds_a = end_[0].seconds;
  pair.seconds_b = end_[1].seconds;
  pair.tokens_per_s_a = end_[0].tokens_per_s;
  pair.tokens_per_s_b = end_[1].tokens_per_s;
  pair.origin = "arena";
  NewPreferenceLabel label;
  label.pair_id = 0;  // the pair's index in the import
  QString labeller = settings_ ? settings_->value(QStringLiteral("label/labeller")).toString() : QString();
  if (labeller.isEmpty()) labeller = qEnvironmentVariable("USER", QStringLiteral("me"));
  label.labeller = utf8(labeller);
  const bool left_is_a = first_left_;
  switch (choice) {
    case ShownChoice::Left:
      label.choice = left_is_a ? "a" : "b";
      break;
    case ShownChoice::Right:
      label.choice = left_is_a ? "b" : "a";
      break;
    case ShownChoice::Tie:
      label.choice = std::string(kPreferTie);
      break;
    case ShownChoice::BothBad:
      label.choice = std::string(kPreferNeither);
      break;
    case ShownChoice::Skip:
      label.choice = std::string(kPreferSkip);
      break;
  }
  label.shown_left = left_is_a ? "a" : "b";
  label.seconds_spent = static_cast<double>(answered_.elapsed()) / 1000.0;
  NewPreferenceSet set;
  set.name = utf8(set_name);
  set.description = "Votes from the Playground's Compare answers";
  set.prompts_source = "arena";
  try {
    Store store = Store::open(utf8(database_));
    const ImportedPreferences stored = store.importPreferences(set, {pair}, {label});
    voted_ = true;
    const QString left_name = folderLabel((left_is_a ? first_ : second_)->modelDir());
    const QString right_name = folderLabel((left_is_a ? second_ : first_)->modelDir());
    status_->setText(tr("Saved in “%1”. A was %2; B was %3.").arg(set_name, left_name, right_name));
    reloadSets();
    Q_EMIT voted(stored.pairs.ids.at(0));
  } catch (const Error& e) {
    status_->setText(tr("The vote was not saved: %1").arg(QString::fromStdString(e.what())));
    return false;
  }
  updateActions();
  return true;
}

void ArenaPanel::updateActions() {
  const bool ready = first_->state() == ChatSession::State::Ready && second_->state() == ChatSession::State::Ready;
  load_->setEnabled(!a_box_->currentData().toString().isEmpty() && !b_box_->currentData().toString().isEmpty());
  ask_->setEnabled(ready);
  for (QPushButton* button : vote_buttons_) button->setEnabled(answersComplete() && !voted_);
}

}  // namespace temper::studio
