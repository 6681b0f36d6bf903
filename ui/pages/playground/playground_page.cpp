#include "ui/pages/playground/playground_page.h"

#include <QComboBox>
#include <QDir>
#include <QEvent>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonObject>
#include <QKeyEvent>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabBar>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "ui/client/engine_session.h"
#include "ui/pages/library/library_model.h"
#include "ui/pages/playground/arena_panel.h"

namespace temper::studio {
namespace {
constexpr int kFlushMs = 30;  // streamed text is drawn at most ~33 times a second

QString reasonText(const QString& reason) {
  if (reason == QLatin1String("eos")) return PlaygroundPage::tr("the model ended its answer");
  if (reason == QLatin1String("stop")) return PlaygroundPage::tr("a stop text");
  if (reason == QLatin1String("max_new_tokens")) return PlaygroundPage::tr("max new tokens reached");
  if (reason == QLatin1String("context")) return PlaygroundPage::tr("the context is full");
  if (reason == QLatin1String("interrupted")) return PlaygroundPage::tr("stopped");
  return reason;
}
}  // namespace

PlaygroundPage::PlaygroundPage(LibraryModel* models, QWidget* parent)
    : QWidget(parent), models_(models), chat_(new ChatSession(this)) {
  auto* heading = new QLabel(tr("Playground"), this);
  QFont font = heading->font();
  font.setPointSizeF(font.pointSizeF() * 1.5);
  font.setBold(true);
  heading->setFont(font);

  model_box_ = new QComboBox(this);
  model_box_->setObjectName(QStringLiteral("playgroundModel"));
  model_box_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  model_box_->setMinimumContentsLength(40);
  model_box_->setPlaceholderText(tr("Choose a model…"));
  browse_ = new QPushButton(tr("Folder…"), this);
  browse_->setToolTip(tr("Chat with any model folder (config.json, weights, tokenizer)"));
  load_ = new QPushButton(tr("Load"), this);
  adapter_box_ = new QComboBox(this);
  adapter_box_->setObjectName(QStringLiteral("playgroundAdapter"));
  adapter_box_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  adapter_box_->setMinimumContentsLength(28);
  adapter_box_->setToolTip(
      tr("A PEFT adapter on the loaded base: switched without reloading the base; each answer says "
         "which adapter gave it"));
  model_status_ = new QLabel(tr("No model loaded."), this);
  model_status_->setWordWrap(true);
  model_status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* model_row = new QHBoxLayout;
  model_row->addWidget(new QLabel(tr("Model:"), this));
  model_row->addWidget(model_box_, 1);
  model_row->addWidget(browse_);
  model_row->addWidget(load_);
  model_row->addSpacing(12);
  model_row->addWidget(new QLabel(tr("Adapter:"), this));
  model_row->addWidget(adapter_box_, 1);

  view_ = new QTextBrowser(this);
  view_->setObjectName(QStringLiteral("playgroundTranscript"));
  view_->setOpenLinks(false);
  view_->setPlaceholderText(tr("Load a model, write a message, press Ctrl+Enter."));
  input_ = new QPlainTextEdit(this);
  input_->setObjectName(QStringLiteral("playgroundInput"));
  input_->setPlaceholderText(tr("Message (Ctrl+Enter sends; Enter adds a line)"));
  input_->setTabChangesFocus(true);
  input_->installEventFilter(this);
  send_ = new QPushButton(tr("Send"), this);
  send_->setToolTip(tr("Ctrl+Enter"));
  send_->setDefault(true);
  stop_ = new QPushButton(tr("Stop"), this);
  stop_->setToolTip(tr("End the answer here"));
  new_conversation_ = new QPushButton(tr("New conversation"), this);
  auto* buttons = new QVBoxLayout;
  buttons->addWidget(send_);
  buttons->addWidget(stop_);
  buttons->addWidget(new_conversation_);
  buttons->addStretch(1);
  auto* input_row = new QHBoxLayout;
  input_row->addWidget(input_, 1);
  input_row->addLayout(buttons);
  auto* chat_panel = new QWidget(this);
  auto* chat_layout = new QVBoxLayout(chat_panel);
  chat_layout->setContentsMargins(0, 0, 0, 0);
  auto* split = new QSplitter(Qt::Vertical, chat_panel);
  split->addWidget(view_);
  auto* input_panel = new QWidget(split);
  input_panel->setLayout(input_row);
  input_row->setContentsMargins(0, 0, 0, 0);
  split->addWidget(input_panel);
  split->setStretchFactor(0, 4);
  split->setStretchFactor(1, 1);
  chat_layout->addWidget(split);

  classifier_ = new QLabel(this);
  classifier_->setWordWrap(true);
  classifier_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  classifier_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  body_ = new QStackedWidget(this);
  body_->addWidget(chat_panel);
  body_->addWidget(classifier_);

  auto* middle = new QHBoxLayout;
  middle->addWidget(body_, 1);
  settings_ = new PlaygroundSettingsPanel(this);
  middle->addWidget(settings_);

  status_ = new QLabel(this);
  status_->setObjectName(QStringLiteral("playgroundStatus"));
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  // Two modes: the chat with one model, and Compare answers (two sources, blind, a vote).
  auto* chat_mode = new QWidget(this);
  auto* chat_mode_layout = new QVBoxLayout(chat_mode);
  chat_mode_layout->setContentsMargins(0, 0, 0, 0);
  chat_mode_layout->addLayout(model_row);
  chat_mode_layout->addWidget(model_status_);
  chat_mode_layout->addLayout(middle, 1);
  chat_mode_layout->addWidget(status_);
  arena_ = new ArenaPanel(models_, this);
  modes_ = new QStackedWidget(this);
  modes_->addWidget(chat_mode);
  modes_->addWidget(arena_);
  mode_bar_ = new QTabBar(this);
  mode_bar_->setObjectName(QStringLiteral("playgroundMode"));
  mode_bar_->addTab(tr("Chat"));
  mode_bar_->addTab(tr("Compare answers"));
  mode_bar_->setToolTip(
      tr("Compare answers: one prompt, two models, both answers blind, your vote stored as a "
         "preference pair"));
  connect(mode_bar_, &QTabBar::currentChanged, modes_, &QStackedWidget::setCurrentIndex);
  auto* heading_row = new QHBoxLayout;
  heading_row->addWidget(heading);
  heading_row->addSpacing(24);
  heading_row->addWidget(mode_bar_);
  heading_row->addStretch(1);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(heading_row);
  layout->addWidget(modes_, 1);

  flush_timer_.setSingleShot(true);
  flush_timer_.setInterval(kFlushMs);
  connect(&flush_timer_, &QTimer::timeout, this, &PlaygroundPage::flushTokens);
  connect(browse_, &QPushButton::clicked, this, &PlaygroundPage::browse);
  connect(load_, &QPushButton::clicked, this, &PlaygroundPage::loadSelected);
  connect(model_box_, &QComboBox::currentIndexChanged, this, &PlaygroundPage::updateActions);
  connect(adapter_box_, &QComboBox::activated, this, &PlaygroundPage::onAdapterActivated);
  connect(send_, &QPushButton::clicked, this, &PlaygroundPage::sendInput);
  connect(stop_, &QPushButton::clicked, this, &PlaygroundPage::stopAnswer);
  connect(new_conversation_, &QPushButton::clicked, this, &PlaygroundPage::newConversation);

  connect(chat_, &ChatSession::stateChanged, this, &PlaygroundPage::updateActions);
  connect(chat_, &ChatSession::ready, this, [this](const QJsonObject& info) {
    QStringList stops;
    for (const QJsonValue& s : info.value(QStringLiteral("stop_strings")).toArray())
      stops << QStringLiteral("“%1”").arg(s.toString().replace(QLatin1Char('\n'), QStringLiteral("\\n")));
    model_status_->setText(tr("%1 (%2, %3 parameters): %4 chat template, context %5 tokens%6")
                               .arg(QDir::toNativeSeparators(chat_->modelDir()))
                               .arg(info.value(QStringLiteral("family")).toString())
                               .arg(QLocale().toString(info.value(QStringLiteral("parameters")).toInteger()))
                               .arg(info.value(QStringLiteral("template")).toString())
                               .arg(info.value(QStringLiteral("context")).toInteger())
                               .arg(stops.isEmpty() ? QString() : tr(", stops at %1").arg(stops.join(", "))));
    if (!chat_->adapter().isEmpty() && !adapters_.knows(chat_->adapter())) {
      if (auto adapter = readAdapterFolder(chat_->adapter())) adapters_.remember(*adapter);
    }
    rebuildAdapterBox();
    status_->setText(chat_->adapter().isEmpty() ? tr("Ready.")
                                                : tr("Ready, with %1.").arg(adapters_.title(chat_->adapter())));
    Q_EMIT modelSettled();
  });
  connect(chat_, &ChatSession::tokenReceived, this, [this](const QString& text) {
    pending_ += text;
    if (!flush_timer_.isActive()) flush_timer_.start();
  });
  connect(chat_, &ChatSession::answerEnded, this, [this](const ChatAnswerEnd& end) {
    flush_timer_.stop();
    flushTokens();
    answer_open_ = false;
    if (end.reason == QLatin1String("too_long")) {
      if (!transcript_.isEmpty() && transcript_.last().role == PlaygroundMessage::Role::Assistant) {
        transcript_.removeLast();
      }
      appendMessage(PlaygroundMessage::Role::Notice, end.message);
      status_->setText(end.message);
      return;
    }
    if (!transcript_.isEmpty() && transcript_.last().role == PlaygroundMessage::Role::Assistant) {
      transcript_.last().adapter = end.adapter;
      transcript_.last().finished = true;
      renderTranscript();  // its caption: which adapter gave it
    }
    status_->setText(tr("%1 tokens · %2 tokens/s · prompt %3 tokens, %4 from the cache · %5")
                         .arg(end.tokens)
                         .arg(QLocale().toString(end.tokens_per_s, 'f', 1))
                         .arg(end.prompt_tokens)
                         .arg(end.reused_tokens)
                         .arg(reasonText(end.reason)));
  });
  connect(chat_, &ChatSession::adapterSet, this, [this](const QString& dir, const QString&, qint64 context) {
    selectActiveAdapter();
    status_->setText(dir.isEmpty() ? tr("No adapter: the base model answers (context %1 tokens).").arg(context)
                                   : tr("Now with %1 (context %2 tokens).").arg(adapters_.title(dir)).arg(context));
    updateActions();
  });
  connect(chat_, &ChatSession::adapterRefused, this, [this](const QString& message) {
    selectActiveAdapter();
    const QString still = chat_->adapter().isEmpty() ? tr("the base model answers without an adapter")
                                                     : tr("%1 stays on").arg(adapters_.title(chat_->adapter()));
    const QString text = tr("Could not switch the adapter: %1 (%2).").arg(message, still);
    appendMessage(PlaygroundMessage::Role::Notice, text);
    status_->setText(text);
    updateActions();
  });
  connect(chat_, &ChatSession::resetDone, this, [this] { status_->setText(tr("New conversation.")); });
  connect(chat_, &ChatSession::engineError, this,
          [this](const QString& message) { appendMessage(PlaygroundMessage::Role::Notice, message); });
  connect(chat_, &ChatSession::failed, this, [this](const QString& message) {
    flushTokens();
    answer_open_ = false;
    model_status_->setText(tr("Could not chat with %1: %2").arg(QDir::toNativeSeparators(chat_->modelDir()), message));
    status_->setText(QString());
    Q_EMIT modelSettled();
  });
  if (models_) {
    // The Models page re-reads its list when runs end or folders are added.
    connect(models_, &QAbstractItemModel::modelReset, this, &PlaygroundPage::rebuildModelBox);
    connect(models_, &QAbstractItemModel::modelReset, this, &PlaygroundPage::rebuildAdapterBox);
    connect(models_, &QAbstractItemModel::rowsInserted, this, &PlaygroundPage::rebuildModelBox);
    connect(models_, &QAbstractItemModel::rowsRemoved, this, &PlaygroundPage::rebuildModelBox);
    connect(models_, &QAbstractItemModel::rowsInserted, this, &PlaygroundPage::rebuildAdapterBox);
    connect(models_, &QAbstractItemModel::rowsRemoved, this, &PlaygroundPage::rebuildAdapterBox);
  }
  rebuildModelBox();
  rebuildAdapterBox();
  updateActions();
}

// A running inspection is a child of inspect_request_, a child of the page: it goes with it.
PlaygroundPage::~PlaygroundPage() = default;

ChatSampling PlaygroundPage::sampling() const { return settings_->sampling(); }

bool PlaygroundPage::sendInput() {
  const QString text = input_->toPlainText();
  if (text.trimmed().isEmpty() || chat_->state() != ChatSession::State::Ready) return false;
  chat_->applySettings(sampling(), settings_->systemPrompt()->toPlainText());
  if (!chat_->sendUser(text)) return false;
  input_->clear();
  appendMessage(PlaygroundMessage::Role::User, text);
  appendMessage(PlaygroundMessage::Role::Assistant, QString());
  answer_open_ = true;
  status_->setText(tr("Answering…"));
  return true;
}

void PlaygroundPage::stopAnswer() { chat_->stop(); }

void PlaygroundPage::newConversation() {
  if (chat_->state() == ChatSession::State::Answering) chat_->stop();
  chat_->reset();
  transcript_.clear();
  pending_.clear();
  renderTranscript();
}

void PlaygroundPage::flushTokens() {
  if (pending_.isEmpty()) return;
  if (!answer_open_ || transcript_.isEmpty()) {
    pending_.clear();  // an answer the person cleared away (New conversation) still streaming out
    return;
  }
  transcript_.last().text += pending_;
  appendStreamedText(view_, pending_);
  pending_.clear();
}

void PlaygroundPage::appendMessage(PlaygroundMessage::Role role, const QString& text) {
  transcript_.push_back({role, text, QString(), false});
  renderTranscript();
}

void PlaygroundPage::renderTranscript() {
  view_->setHtml(transcriptHtml(transcript_, palette(), adapters_));
  view_->verticalScrollBar()->setValue(view_->verticalScrollBar()->maximum());
}

bool PlaygroundPage::eventFilter(QObject* watched, QEvent* event) {
  if (watched == input_ && event->type() == QEvent::KeyPress) {
    auto* key = static_cast<QKeyEvent*>(event);
    if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) && (key->modifiers() & Qt::ControlModifier)) {
      sendInput();
      return true;
    }
  }
  return QWidget::eventFilter(watched, event);
}

void PlaygroundPage::changeEvent(QEvent* event) {
  if (event->type() == QEvent::PaletteChange) renderTranscript();  // the role colours follow the theme
  QWidget::changeEvent(event);
}

void PlaygroundPage::updateActions() {
  const auto state = chat_->state();
  const bool ready = state == ChatSession::State::Ready;
  send_->setEnabled(ready);
  stop_->setEnabled(state == ChatSession::State::Answering);
  new_conversation_->setEnabled(ready || state == ChatSession::State::Answering);
  load_->setEnabled(!model_box_->currentData().toString().isEmpty() && !inspect_request_);
  adapter_box_->setEnabled(ready && !chat_->adapterPending());
  input_->setEnabled(!classifier_shown_);
}

bool PlaygroundPage::showsClassifier() const { return classifier_shown_; }
QString PlaygroundPage::modelStatusText() const { return model_status_->text(); }
QString PlaygroundPage::statusText() const { return status_->text(); }
QString PlaygroundPage::classifierText() const { return classifier_->text(); }

}  // namespace temper::studio

namespace temper::studio {

void PlaygroundPage::setEngine(EngineSession* engine) {
  engine_ = engine;
  arena_->setEngine(engine);
}

void PlaygroundPage::setPreferenceStore(const QString& database, QSettings* settings) {
  arena_->setPreferenceStore(database, settings);
}

void PlaygroundPage::showCompareMode(bool on) { mode_bar_->setCurrentIndex(on ? 1 : 0); }

}  // namespace temper::studio
