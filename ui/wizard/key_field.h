#pragma once
/// One `temper train` key as an editor: a line edit (integer, number, text), a combo box (choice)
/// or a check box (boolean), with the key's help as tooltip and an error label under it that names
/// the allowed range whenever the text is not a valid value.
#include <QJsonValue>
#include <QWidget>
#include <functional>

#include "ui/client/engine_replies.h"

class QLabel;
class QLineEdit;
class QComboBox;
class QCheckBox;

namespace temper::studio {

class KeyField : public QWidget {
  Q_OBJECT

 public:
  /// `cuda_available`: whether the "cuda" choice of a device key can be picked.
  KeyField(TrainKey key, bool cuda_available, QWidget* parent = nullptr);

  const TrainKey& key() const { return key_; }
  /// The editor (for a form's label buddy and for tests).
  QWidget* editor() const;
  QLabel* errorLabel() const { return error_; }

  /// True when the text is a value the engine will accept (an empty optional key is valid).
  bool isValid() const { return error_text_.isEmpty(); }
  QString errorText() const { return error_text_; }
  /// The value for the config; Null when the key is left empty (then it is not written).
  QJsonValue value() const;
  /// Shows `value` (Null clears the field).
  void setValue(const QJsonValue& value);
  /// Sets the editor's text as a person would type it (integer, number and text keys).
  void setText(const QString& text);
  /// The line beside the editor (the key's help at first), e.g. one that follows the chosen value.
  void setHelp(const QString& text);
  QLabel* helpLabel() const { return help_; }
  /// A hint shown in an empty field ("from the preset: 64").
  void setPlaceholder(const QString& text);
  /// A check of a text key's form beyond its kind (e.g. a list of block indices): returns what is
  /// wrong with a non-empty text, or an empty string. The field is checked again at once.
  void setTextCheck(std::function<QString(const QString&)> check);
  /// The engine's refusal of this key (from the dry run), shown under the field until the value
  /// changes; it does not make isValid() false (the page tracks the engine's verdict).
  void setEngineError(const QString& text);
  QString engineError() const { return engine_error_; }

 Q_SIGNALS:
  void changed();

 private:
  void validate();
  void showError();

  TrainKey key_;
  QLineEdit* line_ = nullptr;
  QComboBox* combo_ = nullptr;
  QCheckBox* check_ = nullptr;
  QLabel* help_ = nullptr;
  QLabel* error_ = nullptr;
  QString error_text_;
  QString engine_error_;
  std::function<QString(const QString&)> text_check_;
};

/// The range or choices of a key in words, as the error label shows them ("1 to 65536").
QString allowedText(const TrainKey& key);
/// A number as the field shows it: integers without a fraction, others with up to 10 significant digits.
QString numberText(double value);

}  // namespace temper::studio
