#pragma once
/// Page 2: the training data — files or folders, or a preference set of the workspace (`set:NAME`),
/// inspected by the engine (format, fields used,
/// records, documents, tokens, the first records as a table) — and the validation split.
#include <QTimer>

#include "ui/wizard/config_page.h"

class QButtonGroup;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QRadioButton;
class QTableView;

namespace temper::studio {

class DataPreviewModel;
class StatusLine;

class DataPage : public ConfigPage {
  Q_OBJECT

 public:
  explicit DataPage(WizardContext* context, QWidget* parent = nullptr);

  void initializePage() override;
  bool isComplete() const override;
  void contribute(QJsonObject& config) const override;

  /// The files and folders to train on (what "Add files…"/"Add folder…" do, for tests and seeds).
  void setPaths(const QStringList& paths);
  /// Offers the context's preference sets under "Preference set" (a menu of `set:NAME`).
  void refreshPreferenceSets();
  QPushButton* preferenceSetButton() const { return set_button_; }
  DataPreviewModel* previewModel() const { return preview_; }

 protected:
  void applySeed(const QJsonObject& seed) override;

 private:
  void pathsChanged();
  void inspect();
  void updateSplitControls();
  QString tokenizerForCounting() const;

  QListWidget* path_list_;
  QLabel* data_hint_;
  QPushButton* remove_button_;
  QPushButton* set_button_;
  QLabel* tokenizer_label_;
  QLineEdit* tokenizer_edit_;
  QPushButton* tokenizer_browse_;
  StatusLine* data_status_;
  QLabel* summary_;
  DataPreviewModel* preview_;
  QWidget* preview_box_;
  QTableView* preview_view_;
  QGroupBox* split_box_;
  QButtonGroup* split_choice_;
  QRadioButton* fraction_radio_;
  QRadioButton* file_radio_;
  QDoubleSpinBox* fraction_spin_;
  QLineEdit* val_edit_;
  QPushButton* val_browse_;
  QLabel* split_reason_;
  QTimer inspect_timer_;
  QString inspected_key_;  ///< paths + tokenizer of the last inspection, to skip repeats
  int serial_ = 0;
  bool inspecting_ = false;
  bool fraction_default_applied_ = false;  ///< the engine's default fraction is shown once, then the user's
};

}  // namespace temper::studio
