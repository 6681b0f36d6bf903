#pragma once
/// The Label page (docs/studio.md, "Label"): preference pairs shown blind, side by side, voted on
/// with one key each. Pick or create a set, say who is labelling, and go: the prompt on top, the
/// two answers in equal panes that scroll together, the keys on screen. A vote is written to the
/// store before the next pair appears (LabelSession); the progress line shows the count,
/// labels per hour, agreement with the other labellers and which side wins how often.
#include <QElapsedTimer>
#include <QJsonObject>
#include <QPointer>
#include <QWidget>
#include <memory>

#include "ui/pages/label/label_session.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSettings;
class QStackedWidget;

namespace temper::studio {

class EngineJob;
class EngineSession;

class LabelPage : public QWidget {
  Q_OBJECT

 public:
  /// `database`: the workspace's temper.db; `settings` (not owned) remembers the labeller's name
  /// and the page's switches.
  LabelPage(QString database, QSettings* settings, QWidget* parent = nullptr);
  ~LabelPage() override;

  /// The engine that generates pairs in the background (not owned; the main window's session: its
  /// executable is read when a generation starts).
  void setEngine(EngineSession* engine) { engine_ = engine; }
  /// Starts `temper ARGS --workspace W --events` (what "Generate pairs…" builds: `prefs generate
  /// --set …`) as a child; its progress shows under the set, and new pairs join the queue while
  /// labelling goes on. false when one is already running or no engine is known.
  bool startGeneration(const QStringList& args);
  /// Stops the running generation between two prompts (what it made is kept).
  void stopGeneration();
  bool generating() const { return !generation_.isNull(); }
  QLabel* generationLabel() const { return generation_status_; }

  /// Another workspace's store: its sets, no session open.
  void setDatabase(const QString& database);
  /// Re-reads the sets (the page shows again, or a set was made elsewhere) and restarts the
  /// session, unless `keep_session` and its set is still there with pairs left.
  void reloadSets(bool keep_session = false);
  /// Starts labelling the set named `name` (false when there is no such set).
  bool openSet(const QString& name);
  /// The rewrite and note the next vote carries (what the E and N dialogs set; tests set them).
  void setPendingNote(const QString& note);
  /// Votes for the side shown left or right with `rewrite` as the better answer (the E dialog).
  void voteWithRewrite(bool left, const QString& rewrite);

  LabelSession* session() const { return session_.get(); }
  QComboBox* setBox() const { return set_box_; }
  QLineEdit* labellerEdit() const { return labeller_; }
  QCheckBox* secondOpinionBox() const { return second_opinion_; }
  QPlainTextEdit* promptView() const { return prompt_; }
  QPlainTextEdit* leftView() const { return left_; }
  QPlainTextEdit* rightView() const { return right_; }
  QLabel* statsLabel() const { return stats_; }
  QPushButton* trainRewardModelButton() const { return train_reward_model_; }
  QPushButton* trainDpoButton() const { return train_dpo_; }
  QLabel* lastVoteLabel() const { return last_vote_; }
  QProgressBar* progressBar() const { return progress_; }

 Q_SIGNALS:
  /// The background generation's line ("Generating into “set”: 3 of 10 prompts, 5 pairs"), for the
  /// window's status bar; `running` false with the last line when it ended.
  void generationStatusChanged(const QString& text, bool running);
  /// "Train a reward model" / "Train with DPO": a new run on this set's pairs (`seed` holds the
  /// method and `data` set:NAME; `label` names it in the wizard's "Start from" list).
  void newRunRequested(const QJsonObject& seed, const QString& label);

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  void buildKeys(QWidget* bar);
  void startSession();
  void showCurrent();
  void vote(ShownChoice choice, const QString& rewrite = QString());
  void undo();
  void editBetterAnswer();
  void writeNote();
  void showGuidelines();
  void createSet();
  void updateProgress();
  void setMonospace(bool on);
  void focusAnswers();
  void askGeneration();

  QString database_;
  QSettings* settings_;
  EngineSession* engine_ = nullptr;
  QPointer<EngineJob> generation_;
  std::unique_ptr<LabelSession> session_;
  QElapsedTimer shown_;  ///< since the current pair appeared: the vote's seconds_spent
  QString pending_note_;

  QComboBox* set_box_;
  QPushButton* new_set_;
  QLineEdit* labeller_;
  QCheckBox* second_opinion_;
  QCheckBox* reveal_;
  QCheckBox* monospace_;
  QProgressBar* progress_;
  QLabel* stats_;
  QPushButton* generate_;
  QPushButton* stop_generation_;
  QPushButton* train_reward_model_;
  QPushButton* train_dpo_;
  QLabel* generation_status_;
  QStackedWidget* body_;
  QLabel* empty_;
  QPlainTextEdit* prompt_;
  QPlainTextEdit* left_;
  QPlainTextEdit* right_;
  QLabel* note_pending_;
  QLabel* last_vote_;
};

}  // namespace temper::studio
