#pragma once
/// What the Datasets and Models pages share: a list on the left (the paths the person added,
/// remembered per workspace, then what the workspace itself holds), and on the right what the
/// engine says about the selected entry — a busy bar while it inspects, a summary form, or the
/// engine's error — with "New run from this" once the engine has read it. A page gives its texts,
/// its own entries, the question it asks and how it shows the answer; everything else is here.
#include <QHash>
#include <QJsonObject>
#include <QPointer>
#include <QSettings>
#include <QString>
#include <QVector>
#include <QWidget>
#include <utility>
#include <vector>

#include "ui/client/engine_query.h"
#include "ui/client/engine_replies.h"
#include "ui/pages/library/library_model.h"

class QFormLayout;
class QLabel;
class QProgressBar;
class QPushButton;
class QAbstractItemModel;
class QTreeView;
class QVBoxLayout;

namespace temper::studio {

class EngineQueries;

class LibraryPage : public QWidget {
  Q_OBJECT

 public:
  /// What differs between the pages' shared parts (all of it shown to people, so translated by the
  /// page itself).
  struct Setup {
    QString list;           ///< the added-paths list in QSettings ("datasets", "models")
    QString object_prefix;  ///< object names: <prefix>List, <prefix>State, <prefix>Error
    QString heading;
    QString nothing_selected;                              ///< the detail title when nothing is selected
    QString inspecting;                                    ///< the state line while the engine inspects
    QString unreadable;                                    ///< the state line when the engine could not read the entry
    QString missing;                                       ///< the tooltip of an added path that is gone
    bool added_are_folders = false;                        ///< an added path that is no folder counts as gone
    QString add_file_title;                                ///< Add file…'s dialog title; empty: folders only
    QString add_file_filter;                               ///< … and its name filter
    QString add_folder_title;                              ///< Add folder…'s dialog title
    QString add_folder_tip;                                ///< … and its tooltip
    std::vector<std::pair<const char*, QString>> summary;  ///< the form's rows: id, label
    QString remove_tip;                                    ///< Remove's tooltip on an added entry
    QString remove_refused_tip;                            ///< … on any other
    QString new_run_text;                                  ///< "New run with this data…"
    QString new_run_object;                                ///< its object name
    QString new_run_tip;                                   ///< its tooltip once the engine has read the entry
    QString new_run_waiting_tip;                           ///< … before
    int list_width = 420;
    int detail_width = 860;
  };

  /// `engine` (not owned; the main window's EngineSession) answers the inspections.
  LibraryPage(const Setup& setup, QSettings* settings, EngineQueries* engine, QWidget* parent = nullptr);
  ~LibraryPage() override;

  /// The workspace whose list is shown; re-reads the list.
  void setWorkspace(const QString& workspace);
  /// Reads the added paths and the workspace's own entries again.
  void refresh();
  /// Adds a file or folder to this workspace's list (remembered) and selects it.
  void addPath(const QString& path);
  /// Removes an added path from the list (the files stay where they are).
  void removePath(const QString& path);
  /// Selects the entry of `path` and inspects it; false when it is not in the list.
  bool select(const QString& path);

  bool isInspecting() const { return inspecting_; }
  bool hasInspection() const { return has_inspection_; }
  /// The engine's message when the last inspection failed, else empty.
  QString lastError() const { return last_error_; }
  QString selectedPath() const { return selected_; }

  /// Every entry as one flat list (the Playground offers it); the view may show another model over
  /// it (setListModel).
  LibraryModel* libraryModel() const { return library_; }
  QTreeView* libraryView() const { return list_; }
  QPushButton* newRunButton() const { return new_run_; }
  QPushButton* removeButton() const { return remove_; }
  QLabel* errorLabel() const { return error_; }
  QLabel* stateLabel() const { return state_; }
  /// The value shown for a summary line ("Format", "Parameters"…), for tests.
  QString summaryValue(const QString& field) const;

 Q_SIGNALS:
  /// An inspection ended (successfully or not).
  void inspected();
  /// "New run from this": the wizard's seed and its name in the wizard's "Start from" list.
  void newRunRequested(const QJsonObject& seed, const QString& label);

 protected:
  /// The entries the workspace holds, listed after the added ones.
  virtual QVector<LibraryEntry> workspaceEntries() const = 0;
  /// Asks the engine about `path`; `done` gets its reply (deleting `context` cancels).
  virtual void askEngine(const QString& path, QObject* context, EngineCallback done) = 0;
  /// Reads a successful reply and keeps it; returns what is wrong with it, or empty.
  virtual QString takeAnswer(const QJsonObject& json) = 0;
  /// Shows the kept answer (the summary, the state line, anything of the page's own).
  virtual void showAnswer() = 0;
  /// Clears what the page shows of its own besides the summary, before a new inspection.
  virtual void clearAnswer() {}
  /// The page's own actions, after Remove and New run were updated.
  virtual void updatePageActions() {}
  /// The wizard's seed for the selected entry and the label naming it (`name`: the entry's).
  virtual QJsonObject newRunSeed() const = 0;
  virtual QString newRunLabel(const QString& name) const = 0;

  /// Shows `model` (the page's, kept current from libraryModel()) in the list instead of the flat
  /// list; its rows give the path under LibraryModel::kPathRole, also those of child rows.
  void setListModel(QAbstractItemModel* model);
  /// Asks the engine again about the selected entry.
  void inspectSelected();
  void updateActions();
  void setSummary(const QString& field, const QString& value);
  /// Shows or hides the whole summary form (a page that shows something else for some entries).
  void setSummaryShown(bool shown);
  void setStateText(const QString& text);
  /// Creates "New run from this" (Setup's text and names) in the detail pane, for the page to
  /// place among its actions: created where the page's own widgets are, so the tab order is theirs.
  QPushButton* makeNewRunButton();
  /// The detail pane, to which a page adds its widgets below the summary.
  QWidget* detailPane() const { return detail_; }
  QVBoxLayout* detailLayout() const { return detail_layout_; }
  /// The selected entry, or nullptr (also for a row of the page's own model that is no entry).
  const LibraryEntry* selectedEntry() const;
  EngineQueries* engine() const { return engine_; }
  const QString& workspace() const { return workspace_; }

 private:
  void showInspection();
  void onCurrentChanged(const QModelIndex& index);

  Setup setup_;
  QSettings* settings_;
  QString workspace_;
  EngineQueries* engine_;
  LibraryModel* library_;
  QTreeView* list_;
  QPushButton* remove_;
  QPushButton* new_run_ = nullptr;
  QWidget* detail_;
  QVBoxLayout* detail_layout_;
  QLabel* title_;
  QLabel* state_;
  QLabel* error_;
  QProgressBar* busy_;
  QWidget* summary_;
  QFormLayout* form_;
  QHash<QString, QLabel*> values_;
  QString selected_;
  bool inspecting_ = false;
  bool has_inspection_ = false;
  QString last_error_;
  QPointer<QObject> inspect_request_;  ///< the running inspection's context: deleting it cancels it
};

}  // namespace temper::studio
