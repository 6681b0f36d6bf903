#pragma once
/// The Playground: chat with a model the person trained (a run's final/ or a checkpoint) or any
/// model folder. Pick a model (the Models page's list, a folder, or a checkpoint sent from the
/// run view), and the page asks the engine what it is (`temper model inspect --json`): a
/// classifier is shown as such, a language model gets a conversation through one
/// `temper chat --json` child (ChatSession). Answers stream into the transcript; Stop ends an
/// answer, New conversation starts over; the system prompt and sampling apply from the next
/// message; the status line gives tokens/s and how much of the prompt came from the KV cache.
/// The Adapter box puts a PEFT adapter on the loaded base, switches it or takes it off without
/// reloading (docs/peft.md): the finished adapter runs of that base, or any adapter folder; each
/// answer in the transcript says which adapter gave it.
/// The page is implemented over playground_page.cpp (layout, conversation), playground_page_loading.cpp
/// (model box, inspection, loading) and playground_page_adapter_box.cpp (the Adapter box); the side
/// panel, the transcript's drawing and what is known of adapters have files of their own.
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QVector>
#include <QWidget>

#include "ui/client/chat_session.h"
#include "ui/client/engine_replies.h"
#include "ui/pages/playground/playground_adapters.h"
#include "ui/pages/playground/playground_settings_panel.h"
#include "ui/pages/playground/playground_transcript.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QSettings;
class QTabBar;
class QTextBrowser;

namespace temper::studio {

class ArenaPanel;
class EngineSession;
class LibraryModel;

class PlaygroundPage : public QWidget {
  Q_OBJECT

 public:
  /// `models` (not owned, may be null): the Models page's list, offered in the model box.
  explicit PlaygroundPage(LibraryModel* models = nullptr, QWidget* parent = nullptr);
  ~PlaygroundPage() override;

  /// The engine that inspects models and chats (not owned; the main window's EngineSession).
  void setEngine(EngineSession* engine);
  /// Where Compare answers stores its votes (the workspace's temper.db) and the settings that
  /// remember the labeller's name.
  void setPreferenceStore(const QString& database, QSettings* settings);
  /// Shows Compare answers (true) or the chat (false).
  void showCompareMode(bool on);
  ArenaPanel* arena() const { return arena_; }
  /// Selects `dir` (adding it to the box when it is not listed) and loads it.
  void openModel(const QString& dir);
  /// Loads the model selected in the box.
  void loadSelected();

  /// Sends the input box's text (what Ctrl+Enter and Send do); false when no model is ready.
  bool sendInput();
  void stopAnswer();
  void newConversation();

  ChatSession* chat() const { return chat_; }
  const QVector<PlaygroundMessage>& transcript() const { return transcript_; }
  /// True when the loaded folder is a classifier (no chat; the page says so).
  bool showsClassifier() const;
  QString modelStatusText() const;
  QString statusText() const;
  QString classifierText() const;

  /// Lists the adapter folder `dir` in the Adapter box and puts it on the loaded base (what
  /// "Add folder…" does after its dialog); refused with a message when it is not an adapter of it.
  void addAdapterFolder(const QString& dir);
  /// Puts the adapter of `dir` on (empty: takes it off); the box follows the engine's answer.
  void chooseAdapter(const QString& dir);
  /// The base model folder loaded (an adapter folder opened as a model loads its base).
  QString loadedBase() const { return loaded_base_; }
  /// The line under an answer given by `adapter` ("— with LoRA adapter “name”").
  QString adapterCaption(const QString& adapter) const;

  QComboBox* modelBox() const { return model_box_; }
  QComboBox* adapterBox() const { return adapter_box_; }
  QPlainTextEdit* input() const { return input_; }
  QPlainTextEdit* systemPrompt() const { return settings_->systemPrompt(); }
  QDoubleSpinBox* temperatureBox() const { return settings_->temperatureBox(); }
  QDoubleSpinBox* topPBox() const { return settings_->topPBox(); }
  QSpinBox* topKBox() const { return settings_->topKBox(); }
  QSpinBox* maxNewTokensBox() const { return settings_->maxNewTokensBox(); }
  QSpinBox* seedBox() const { return settings_->seedBox(); }
  QPushButton* sendButton() const { return send_; }
  QPushButton* stopButton() const { return stop_; }
  QPushButton* newConversationButton() const { return new_conversation_; }
  QTextBrowser* transcriptView() const { return view_; }
  ChatSampling sampling() const;

 Q_SIGNALS:
  /// The model is inspected and either ready to chat or shown as a classifier, or failed.
  void modelSettled();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;
  void changeEvent(QEvent* event) override;

 private:
  // The model box and loading (playground_page_loading.cpp).
  void rebuildModelBox();
  void browse();
  void inspectThenLoad(const QString& dir);
  void onInspected(const QString& dir, const EngineReply& reply);
  void startAdapterFolder(const QString& dir, const QJsonObject& inspection);
  // The Adapter box (playground_page_adapter_box.cpp).
  void rebuildAdapterBox();
  void selectActiveAdapter();
  void onAdapterActivated(int index);
  // The conversation (playground_page.cpp).
  void flushTokens();
  void appendMessage(PlaygroundMessage::Role role, const QString& text);
  void renderTranscript();
  void updateActions();

  LibraryModel* models_;
  EngineSession* engine_ = nullptr;
  ChatSession* chat_;
  QComboBox* model_box_;
  QComboBox* adapter_box_;
  QPushButton* browse_;
  QPushButton* load_;
  QLabel* model_status_;
  QStackedWidget* body_;
  QLabel* classifier_;
  QTextBrowser* view_;
  QPlainTextEdit* input_;
  QPushButton* send_;
  QPushButton* stop_;
  QPushButton* new_conversation_;
  PlaygroundSettingsPanel* settings_;
  QLabel* status_;
  QTabBar* mode_bar_;
  QStackedWidget* modes_;
  ArenaPanel* arena_;
  QStringList extra_paths_;            ///< folders opened by hand or from the run view
  QString loaded_base_;                ///< the base folder being loaded or loaded
  PlaygroundAdapters adapters_;        ///< every adapter seen, and those added by hand for this base
  QPointer<QObject> inspect_request_;  ///< the running inspection's context: deleting it cancels it
  bool classifier_shown_ = false;
  QVector<PlaygroundMessage> transcript_;
  QString pending_;  ///< streamed text not yet drawn (drawn at most every kFlushMs)
  QTimer flush_timer_;
  bool answer_open_ = false;
};

}  // namespace temper::studio
