#include "ui/pages/playground/playground_page.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QKeyEvent>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <algorithm>
#include <optional>

#include "ui/client/engine_session.h"
#include "ui/pages/library/library_model.h"

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

constexpr int kAddFolderRole = Qt::UserRole + 1;  // the Adapter box's "Add folder…" row
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
  middle->addWidget(buildSettingsPanel());

  status_ = new QLabel(this);
  status_->setObjectName(QStringLiteral("playgroundStatus"));
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(heading);
  layout->addLayout(model_row);
  layout->addWidget(model_status_);
  layout->addLayout(middle, 1);
  layout->addWidget(status_);

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

QWidget* PlaygroundPage::buildSettingsPanel() {
  auto* panel = new QWidget(this);
  panel->setMaximumWidth(320);
  auto* layout = new QVBoxLayout(panel);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* system_box = new QGroupBox(tr("System prompt"), panel);
  system_ = new QPlainTextEdit(system_box);
  system_->setPlaceholderText(tr("Optional: instructions placed before the conversation"));
  system_->setMaximumHeight(110);
  auto* system_layout = new QVBoxLayout(system_box);
  system_layout->addWidget(system_);

  auto* sampling_box = new QGroupBox(tr("Sampling"), panel);
  auto* form = new QFormLayout(sampling_box);
  temperature_ = new QDoubleSpinBox(sampling_box);
  temperature_->setRange(0.0, 5.0);
  temperature_->setSingleStep(0.1);
  temperature_->setDecimals(2);
  temperature_->setValue(0.7);
  temperature_->setToolTip(tr("0 always picks the most likely token (greedy)"));
  top_p_ = new QDoubleSpinBox(sampling_box);
  top_p_->setRange(0.01, 1.0);
  top_p_->setSingleStep(0.05);
  top_p_->setDecimals(2);
  top_p_->setValue(0.95);
  top_p_->setToolTip(tr("Keep the smallest set of tokens with this much probability; 1 keeps all"));
  top_k_ = new QSpinBox(sampling_box);
  top_k_->setRange(0, 1'000'000);
  top_k_->setSpecialValueText(tr("off"));
  top_k_->setToolTip(tr("Keep the k most likely tokens; off keeps all"));
  max_new_tokens_ = new QSpinBox(sampling_box);
  max_new_tokens_->setRange(1, 100'000);
  max_new_tokens_->setValue(256);
  seed_ = new QSpinBox(sampling_box);
  seed_->setRange(0, 2'000'000'000);
  seed_->setToolTip(
      tr("A new seed restarts the random choices; the same seed after New conversation "
         "gives the same answers"));
  form->addRow(tr("Temperature"), temperature_);
  form->addRow(tr("Top-p"), top_p_);
  form->addRow(tr("Top-k"), top_k_);
  form->addRow(tr("Max new tokens"), max_new_tokens_);
  form->addRow(tr("Seed"), seed_);
  auto* note = new QLabel(tr("Changes apply from the next message."), sampling_box);
  note->setWordWrap(true);
  form->addRow(note);
  layout->addWidget(system_box);
  layout->addWidget(sampling_box);
  layout->addStretch(1);
  return panel;
}

ChatSampling PlaygroundPage::sampling() const {
  ChatSampling s;
  s.temperature = temperature_->value();
  s.top_p = top_p_->value();
  s.top_k = top_k_->value();
  s.max_new_tokens = max_new_tokens_->value();
  s.seed = static_cast<quint64>(seed_->value());
  return s;
}

void PlaygroundPage::rebuildModelBox() {
  const QString current = model_box_->currentData().toString();
  QSignalBlocker block(model_box_);
  model_box_->clear();
  QStringList seen;
  if (models_) {
    for (const LibraryEntry& entry : models_->entries()) {
      model_box_->addItem(entry.name, entry.path);
      model_box_->setItemData(model_box_->count() - 1, QDir::toNativeSeparators(entry.path), Qt::ToolTipRole);
      seen << entry.path;
    }
  }
  for (const QString& path : extra_paths_) {
    if (seen.contains(path)) continue;
    model_box_->addItem(folderLabel(path), path);
    model_box_->setItemData(model_box_->count() - 1, QDir::toNativeSeparators(path), Qt::ToolTipRole);
  }
  model_box_->setCurrentIndex(model_box_->findData(current));
  updateActions();
}

void PlaygroundPage::openModel(const QString& dir) {
  const QString path = QDir(dir).absolutePath();
  if (!extra_paths_.contains(path)) extra_paths_ << path;
  rebuildModelBox();
  model_box_->setCurrentIndex(model_box_->findData(path));
  loadSelected();
}

void PlaygroundPage::browse() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Model folder"));
  if (!dir.isEmpty()) openModel(dir);
}

QString PlaygroundPage::adapterCaption(const QString& adapter) const { return adapters_.caption(adapter); }

void PlaygroundPage::rebuildAdapterBox() {
  QSignalBlocker block(adapter_box_);
  adapter_box_->clear();
  adapter_box_->addItem(tr("None (base model)"), QString());
  for (const PlaygroundAdapter& adapter : adapters_.offeredFor(models_, loaded_base_)) {
    adapter_box_->addItem(tr("%1 · %2").arg(PlaygroundAdapters::kindLabel(adapter.kind), adapters_.name(adapter.path)),
                          adapter.path);
    adapter_box_->setItemData(adapter_box_->count() - 1,
                              tr("%1\nbase %2").arg(QDir::toNativeSeparators(adapter.path), adapter.base),
                              Qt::ToolTipRole);
  }
  adapter_box_->addItem(tr("Add folder…"));
  adapter_box_->setItemData(adapter_box_->count() - 1, true, kAddFolderRole);
  adapter_box_->setItemData(adapter_box_->count() - 1, tr("Put any adapter folder of this base on it"),
                            Qt::ToolTipRole);
  selectActiveAdapter();
  updateActions();
}

void PlaygroundPage::selectActiveAdapter() {
  QSignalBlocker block(adapter_box_);
  const int row = adapter_box_->findData(chat_->adapter());
  adapter_box_->setCurrentIndex(row >= 0 ? row : 0);
}

void PlaygroundPage::onAdapterActivated(int index) {
  if (adapter_box_->itemData(index, kAddFolderRole).toBool()) {
    selectActiveAdapter();  // until the folder is chosen and the engine confirms it
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Adapter folder (adapter_config.json)"));
    if (!dir.isEmpty()) addAdapterFolder(dir);
    return;
  }
  chooseAdapter(adapter_box_->itemData(index).toString());
}

void PlaygroundPage::addAdapterFolder(const QString& dir) {
  const QString path = QDir(dir).absolutePath();
  auto adapter = readAdapterFolder(path);
  QString problem;
  if (!adapter) {
    problem = tr("%1 is not an adapter folder (no adapter_config.json of a LoRA, bottleneck adapters or prompt "
                 "tuning).")
                  .arg(QDir::toNativeSeparators(path));
  } else if (adapter->classifier) {
    problem = tr("%1 is a classifier's adapter (a classify run's): it scores labels and does not chat. The Models "
                 "page evaluates it.")
                  .arg(QDir::toNativeSeparators(path));
  } else if (QFileInfo(adapter->base).isDir() && !sameFolder(adapter->base, loaded_base_)) {
    // Its base is on disk and is another model: its weights would not fit this one.
    problem = tr("%1 was trained on %2, not on the loaded %3.")
                  .arg(QDir::toNativeSeparators(path), QDir::toNativeSeparators(adapter->base),
                       QDir::toNativeSeparators(loaded_base_));
  }
  if (!problem.isEmpty()) {
    status_->setText(problem);
    selectActiveAdapter();
    return;
  }
  if (!adapters_.knows(path)) adapters_.remember(*adapter);
  adapters_.addByHand(path);
  rebuildAdapterBox();
  chooseAdapter(path);
}

void PlaygroundPage::chooseAdapter(const QString& dir) {
  if (dir == chat_->adapter()) {
    selectActiveAdapter();
    return;
  }
  if (!chat_->setAdapter(dir)) {
    status_->setText(tr("The adapter can be switched when the model is ready and not answering."));
    selectActiveAdapter();
    return;
  }
  // The box shows the choice while the engine loads it; adapterSet or adapterRefused settles it.
  QSignalBlocker block(adapter_box_);
  adapter_box_->setCurrentIndex(std::max(0, adapter_box_->findData(dir)));
  status_->setText(dir.isEmpty() ? tr("Taking the adapter off…") : tr("Putting on %1…").arg(adapters_.title(dir)));
  updateActions();
}

void PlaygroundPage::loadSelected() {
  if (models_ && model_box_->count() == 0) rebuildModelBox();
  const QString dir = model_box_->currentData().toString();
  if (dir.isEmpty()) return;
  inspectThenLoad(dir);
}

void PlaygroundPage::inspectThenLoad(const QString& dir) {
  chat_->shutdown();
  transcript_.clear();
  pending_.clear();
  answer_open_ = false;
  renderTranscript();
  classifier_shown_ = false;
  body_->setCurrentIndex(0);
  status_->clear();
  model_status_->setText(tr("Loading %1…").arg(QDir::toNativeSeparators(dir)));
  // Inspecting first (headers only, fast) tells a classifier from a language model before the
  // chat child loads every weight. A newer choice cancels an inspection still running.
  delete inspect_request_;
  auto* request = new QObject(this);
  inspect_request_ = request;
  updateActions();
  if (!engine_) {
    EngineReply none;
    none.error = tr("there is no engine to ask");
    QMetaObject::invokeMethod(
        request, [this, dir, none] { onInspected(dir, none); }, Qt::QueuedConnection);
    return;
  }
  engine_->inspectModel(dir, request, [this, dir](const EngineReply& reply) { onInspected(dir, reply); });
}

void PlaygroundPage::onInspected(const QString& dir, const EngineReply& reply) {
  inspect_request_->deleteLater();
  inspect_request_.clear();
  if (reply.ok && reply.json.value(QStringLiteral("adapter")).toBool()) {
    startAdapterFolder(dir, reply.json);
    return;
  }
  ModelInspection model;
  const QString problem = reply.ok ? parseModelInspection(reply.json, model) : reply.error;
  if (!problem.isEmpty()) {
    model_status_->setText(tr("Could not chat with %1: %2").arg(QDir::toNativeSeparators(dir), problem));
    updateActions();
    Q_EMIT modelSettled();
    return;
  }
  if (model.isClassifier()) {
    loaded_base_.clear();
    rebuildAdapterBox();
    classifier_shown_ = true;
    body_->setCurrentIndex(1);
    model_status_->setText(tr("%1 is a classifier (%2).").arg(QDir::toNativeSeparators(dir), model.architecture));
    classifier_->setText(
        tr("<p><b>This model is a classifier, not a chat model.</b></p><p>It reads a text and picks one of its "
           "labels: %1. It cannot write answers.</p><p>Evaluate it on labelled records from its run's view "
           "(select a checkpoint, Evaluate), or with <code>temper eval --model DIR --data FILE</code>.</p>")
            .arg(model.labels.isEmpty() ? tr("(none listed)")
                                        : model.labels.join(QStringLiteral(", ")).toHtmlEscaped()));
    updateActions();
    Q_EMIT modelSettled();
    return;
  }
  if (!sameFolder(loaded_base_, dir)) adapters_.forgetByHand();
  loaded_base_ = dir;
  rebuildAdapterBox();
  chat_->start(engine_->engine(), dir);
}

void PlaygroundPage::startAdapterFolder(const QString& dir, const QJsonObject& inspection) {
  // An adapter run's model: its base (base_model_name_or_path) loaded with the adapter on, so
  // the Adapter box can switch it off or to the base's other adapters.
  const QString base = inspection.value(QStringLiteral("base")).toString();
  PlaygroundAdapter adapter;
  adapter.path = QDir(dir).absolutePath();
  adapter.kind = inspection.value(QStringLiteral("kind")).toString();
  adapter.base = base;
  adapter.name = model_box_->currentData().toString() == dir ? model_box_->currentText() : folderLabel(dir);
  adapters_.remember(adapter);
  if (!inspection.value(QStringLiteral("base_on_disk")).toBool()) {
    model_status_->setText(tr("%1 is %2 for the base %3, which is not a folder on disk: load the base, then add "
                              "the adapter.")
                               .arg(QDir::toNativeSeparators(dir), adapters_.title(adapter.path), base));
    updateActions();
    Q_EMIT modelSettled();
    return;
  }
  if (!sameFolder(loaded_base_, base)) adapters_.forgetByHand();
  loaded_base_ = QFileInfo(base).absoluteFilePath();
  adapters_.addByHand(adapter.path);
  rebuildAdapterBox();
  chat_->start(engine_->engine(), loaded_base_, adapter.path);
}

bool PlaygroundPage::sendInput() {
  const QString text = input_->toPlainText();
  if (text.trimmed().isEmpty() || chat_->state() != ChatSession::State::Ready) return false;
  chat_->applySettings(sampling(), system_->toPlainText());
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
  QScrollBar* bar = view_->verticalScrollBar();
  const bool at_end = bar->value() >= bar->maximum() - 4;
  QTextCursor cursor(view_->document());
  cursor.movePosition(QTextCursor::End);
  cursor.insertText(pending_);
  pending_.clear();
  if (at_end) bar->setValue(bar->maximum());
}

void PlaygroundPage::appendMessage(PlaygroundMessage::Role role, const QString& text) {
  transcript_.push_back({role, text, QString(), false});
  renderTranscript();
}

void PlaygroundPage::renderTranscript() {
  const QPalette p = palette();
  const QString user_colour = p.color(QPalette::Link).name();
  const QString model_colour = p.color(QPalette::WindowText).name();
  const QString notice_colour = p.color(QPalette::PlaceholderText).name();
  // Which adapter answered is shown once any answer came from one: to compare them on one base.
  const bool captions = std::any_of(transcript_.cbegin(), transcript_.cend(), [](const PlaygroundMessage& m) {
    return m.role == PlaygroundMessage::Role::Assistant && !m.adapter.isEmpty();
  });
  QString html;
  for (const PlaygroundMessage& m : transcript_) {
    QString who;
    QString colour;
    switch (m.role) {
      case PlaygroundMessage::Role::User:
        who = tr("You");
        colour = user_colour;
        break;
      case PlaygroundMessage::Role::Assistant:
        who = tr("Model");
        colour = model_colour;
        break;
      case PlaygroundMessage::Role::Notice:
        who = tr("Engine");
        colour = notice_colour;
        break;
    }
    html += QStringLiteral("<p style=\"margin-top:12px; margin-bottom:2px\"><b style=\"color:%1\">%2</b></p>")
                .arg(colour, who.toHtmlEscaped());
    html += QStringLiteral("<p style=\"white-space:pre-wrap; margin-top:0; margin-bottom:0\">%1</p>")
                .arg(m.text.toHtmlEscaped());
    if (captions && m.role == PlaygroundMessage::Role::Assistant && m.finished) {
      html += QStringLiteral("<p style=\"margin-top:2px; font-size:small; color:%1\"><i>%2</i></p>")
                  .arg(notice_colour, adapterCaption(m.adapter).toHtmlEscaped());
    }
  }
  view_->setHtml(html);
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
