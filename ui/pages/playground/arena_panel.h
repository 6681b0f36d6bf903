#pragma once
/// The Playground's "Compare answers" mode (docs/studio.md, "Playground"): one prompt, two sources
/// (two models, a base and its finetune, two checkpoints, two adapter folders), both answers
/// streaming side by side, blind — which source is left is drawn per round — and a vote that goes
/// into a preference set as a pair with its provenance (the arena feeds the reward model with the
/// same data as the Label page). Each source is a `temper chat --json` child of its own
/// (ChatSession); every round is a fresh single-turn conversation.
#include <QElapsedTimer>
#include <QString>
#include <QWidget>

#include "ui/client/chat_session.h"
#include "ui/pages/label/label_session.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSettings;

namespace temper::studio {

class EngineSession;
class LibraryModel;
class PlaygroundSettingsPanel;

class ArenaPanel : public QWidget {
  Q_OBJECT

 public:
  /// `models` (not owned, may be null): the Models page's list, offered in both source boxes.
  explicit ArenaPanel(LibraryModel* models, QWidget* parent = nullptr);
  ~ArenaPanel() override;

  /// The engine the chats run (not owned; the main window's EngineSession: its executable is
  /// read when the sources load, so a change in Settings applies).
  void setEngine(EngineSession* engine) { engine_ = engine; }
  /// Where votes go (the workspace's temper.db) and where the labeller's name is remembered (the
  /// Label page's setting).
  void setPreferenceStore(const QString& database, QSettings* settings);

  /// Selects the two source folders (adding them to the boxes) and loads both.
  void openSources(const QString& a_dir, const QString& b_dir);
  /// Starts both chats with the folders selected in the boxes.
  void loadSources();
  /// Sends the prompt box's text to both sources as a new conversation; false when not both ready.
  bool askBoth();
  /// Records the vote (relative to the sides shown) as a pair in the chosen set; false (with the
  /// reason in the status line) when there is nothing to vote on or no set.
  bool vote(ShownChoice choice);

  ChatSession* first() const { return first_; }    ///< source A as stored (the "A" box)
  ChatSession* second() const { return second_; }  ///< source B
  bool firstShownLeft() const { return first_left_; }
  QComboBox* sourceBox(int side) const { return side == 0 ? a_box_ : b_box_; }
  QComboBox* setBox() const { return set_box_; }
  QPlainTextEdit* promptBox() const { return prompt_; }
  QPlainTextEdit* leftView() const { return left_; }
  QPlainTextEdit* rightView() const { return right_; }
  QLabel* statusLabel() const { return status_; }
  PlaygroundSettingsPanel* settingsPanel() const { return settings_panel_; }
  bool answersComplete() const { return ended_[0] && ended_[1]; }

 Q_SIGNALS:
  void bothReady();
  void bothAnswered();
  /// A vote was stored as (or on) this pair.
  void voted(qint64 pair_id);

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  void rebuildSourceBoxes();
  void reloadSets();
  void browse(QComboBox* box);
  void onToken(int side, const QString& text);
  void onEnded(int side, const ChatAnswerEnd& end);
  void updateActions();
  QPlainTextEdit* viewOf(int side) const;

  LibraryModel* models_;
  EngineSession* engine_ = nullptr;
  QString database_;
  QSettings* settings_ = nullptr;
  ChatSession* first_;
  ChatSession* second_;
  QStringList extra_paths_;
  QComboBox* a_box_;
  QComboBox* b_box_;
  QPushButton* load_;
  QComboBox* set_box_;
  QPlainTextEdit* prompt_;
  QPushButton* ask_;
  QPlainTextEdit* left_;
  QPlainTextEdit* right_;
  QList<QPushButton*> vote_buttons_;
  QLabel* status_;
  PlaygroundSettingsPanel* settings_panel_;

  // The round: what was asked, which source is shown left, what each answered.
  QString asked_;
  QString system_;
  ChatSampling sampling_[2];
  bool first_left_ = true;
  bool ended_[2] = {false, false};
  bool voted_ = false;
  QString text_[2];
  ChatAnswerEnd end_[2];
  QElapsedTimer answered_;  ///< since both answers ended: the vote's seconds
};

}  // namespace temper::studio
