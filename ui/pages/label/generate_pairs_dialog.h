#pragma once
/// "Generate pairs…" on the Label page: what `temper prefs generate` needs (prompts file, two
/// sources, pairs per prompt, answer length, each side's temperature), as its arguments.
#include <QDialog>
#include <QStringList>

class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace temper::studio {

class GeneratePairsDialog : public QDialog {
  Q_OBJECT

 public:
  explicit GeneratePairsDialog(QWidget* parent = nullptr);

  /// `prefs generate --set SET …` (without --workspace and --events, which the job adds).
  QStringList arguments(const QString& set) const;

  QLineEdit* promptsEdit() const { return prompts_; }
  QLineEdit* sourceEdit(int side) const { return side == 0 ? a_ : b_; }
  QSpinBox* perPromptBox() const { return per_prompt_; }
  QSpinBox* maxNewTokensBox() const { return max_new_tokens_; }
  QDoubleSpinBox* temperatureBox(int side) const { return side == 0 ? temperature_a_ : temperature_b_; }

 private:
  QLineEdit* prompts_;
  QLineEdit* a_;
  QLineEdit* b_;
  QSpinBox* per_prompt_;
  QSpinBox* max_new_tokens_;
  QDoubleSpinBox* temperature_a_;
  QDoubleSpinBox* temperature_b_;
};

}  // namespace temper::studio
