#include "ui/wizard/key_field.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QStandardItemModel>
#include <QVBoxLayout>
#include <cmath>

namespace temper::studio {

namespace {
constexpr int kEditorWidth = 200;
}  // namespace

QString numberText(double value) {
  if (std::abs(value) <= 9007199254740992.0 && value == std::floor(value))
    return QString::number(static_cast<qint64>(value));
  return QString::number(value, 'g', 10);
}

QString allowedText(const TrainKey& key) {
  switch (key.kind) {
    case TrainKey::Kind::Integer:
    case TrainKey::Kind::Number:
      if (!key.hasRange())
        return key.kind == TrainKey::Kind::Integer ? KeyField::tr("a whole number") : KeyField::tr("a number");
      return KeyField::tr("%1 to %2").arg(numberText(key.min), numberText(key.max));
    case TrainKey::Kind::Choice:
      return key.choices.join(QStringLiteral(", "));
    case TrainKey::Kind::Boolean:
      return KeyField::tr("on or off");
    case TrainKey::Kind::Text:
      break;
  }
  return KeyField::tr("any text");
}

KeyField::KeyField(TrainKey key, bool cuda_available, QWidget* parent) : QWidget(parent), key_(std::move(key)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  auto* row = new QHBoxLayout();
  row->setSpacing(10);
  layout->addLayout(row);
  switch (key_.kind) {
    case TrainKey::Kind::Choice: {
      combo_ = new QComboBox(this);
      // An optional choice (no default) can be left unset.
      if (key_.default_value.isNull()) combo_->addItem(tr("(not set)"), QString());
      for (const QString& choice : key_.choices) combo_->addItem(choice, choice);
      if (key_.key == QLatin1String("device") && !cuda_available) {
        const int index = combo_->findData(QStringLiteral("cuda"));
        if (auto* model = qobject_cast<QStandardItemModel*>(combo_->model()); model && index >= 0) {
          model->item(index)->setEnabled(false);
          model->item(index)->setToolTip(tr("The engine found no CUDA device."));
        }
      }
      connect(combo_, &QComboBox::currentIndexChanged, this, [this] { validate(); });
      row->addWidget(combo_);
      break;
    }
    case TrainKey::Kind::Boolean:
      check_ = new QCheckBox(this);
      connect(check_, &QCheckBox::toggled, this, [this] { validate(); });
      row->addWidget(check_);
      break;
    default:
      line_ = new QLineEdit(this);
      connect(line_, &QLineEdit::textChanged, this, [this] { validate(); });
      row->addWidget(line_);
      break;
  }
  // Numbers and choices are short: a narrow editor, the key's help beside it.
  const bool text = key_.kind == TrainKey::Kind::Text;
  if (!text) editor()->setFixedWidth(kEditorWidth);
  help_ = new QLabel(key_.help, this);
  help_->setObjectName(QStringLiteral("help"));
  help_->setWordWrap(true);
  help_->setEnabled(false);  // the palette's disabled text: quieter than the values
  row->addWidget(help_, 1);
  if (text) row->setStretch(0, 2);
  error_ = new QLabel(this);
  error_->setObjectName(QStringLiteral("error"));
  error_->setStyleSheet(QStringLiteral("color: #c0392b;"));
  error_->setWordWrap(true);
  error_->hide();
  layout->addWidget(error_);
  editor()->setToolTip(key_.help);
  editor()->setObjectName(key_.key);
  setValue(key_.default_value);
}

QWidget* KeyField::editor() const {
  if (combo_) return combo_;
  if (check_) return check_;
  return line_;
}

QJsonValue KeyField::value() const {
  if (!isValid()) return QJsonValue::Null;
  if (combo_) {
    const QString data = combo_->currentData().toString();
    return data.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(data);
  }
  if (check_) return check_->isChecked();
  const QString text = line_->text().trimmed();
  if (key_.kind == TrainKey::Kind::Text) return text;
  if (text.isEmpty()) return QJsonValue::Null;
  if (key_.kind == TrainKey::Kind::Integer) return QJsonValue(text.toLongLong());
  return QJsonValue(text.toDouble());
}

void KeyField::setValue(const QJsonValue& value) {
  if (combo_) {
    const int index = combo_->findData(value.toString());
    combo_->setCurrentIndex(index >= 0 ? index : 0);
  } else if (check_) {
    check_->setChecked(value.toBool());
  } else if (value.isNull() || value.isUndefined()) {
    line_->clear();
  } else if (value.isDouble()) {
    line_->setText(numberText(value.toDouble()));
  } else {
    line_->setText(value.toVariant().toString());
  }
  validate();
}

void KeyField::setText(const QString& text) {
  if (line_) line_->setText(text);
}

void KeyField::setHelp(const QString& text) { help_->setText(text); }

void KeyField::setPlaceholder(const QString& text) {
  if (line_) line_->setPlaceholderText(text);
}

void KeyField::setTextCheck(std::function<QString(const QString&)> check) {
  text_check_ = std::move(check);
  validate();
}

void KeyField::validate() {
  QString error;
  if (line_) {
    const QString text = line_->text().trimmed();
    if (text_check_ && !text.isEmpty()) error = text_check_(text);
    const bool numeric = key_.kind == TrainKey::Kind::Integer || key_.kind == TrainKey::Kind::Number;
    if (numeric && !text.isEmpty()) {
      bool ok = false;
      const double v =
          key_.kind == TrainKey::Kind::Integer ? static_cast<double>(text.toLongLong(&ok)) : text.toDouble(&ok);
      if (!ok || !std::isfinite(v) || (key_.hasRange() && (v < key_.min || v > key_.max))) {
        error = key_.kind == TrainKey::Kind::Integer ? tr("Expected a whole number, %1.").arg(allowedText(key_))
                                                     : tr("Expected a number, %1.").arg(allowedText(key_));
      }
    }
  }
  error_text_ = error;
  engine_error_.clear();  // the engine judged the old value
  showError();
  Q_EMIT changed();
}

void KeyField::setEngineError(const QString& text) {
  engine_error_ = text;
  showError();
}

void KeyField::showError() {
  // The field's own check first: the engine's verdict is about a value that passed it.
  const QString shown = error_text_.isEmpty() ? engine_error_ : error_text_;
  error_->setText(shown);
  error_->setVisible(!shown.isEmpty());
  if (line_) line_->setStyleSheet(shown.isEmpty() ? QString() : QStringLiteral("border: 1px solid #c0392b;"));
}

}  // namespace temper::studio
