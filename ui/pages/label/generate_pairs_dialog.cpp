#include "ui/pages/label/generate_pairs_dialog.h"

#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

namespace temper::studio {
namespace {

// A line edit with a "…" button that picks a file or a folder.
QWidget* withBrowse(QLineEdit* edit, bool folder, QWidget* parent) {
  auto* row = new QWidget(parent);
  auto* layout = new QHBoxLayout(row);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* browse = new QPushButton(QObject::tr("…"), row);
  browse->setAccessibleName(folder ? QObject::tr("Choose a folder") : QObject::tr("Choose a file"));
  layout->addWidget(edit, 1);
  layout->addWidget(browse);
  QObject::connect(browse, &QPushButton::clicked, row, [edit, folder, row] {
    const QString path = folder
                             ? QFileDialog::getExistingDirectory(row, QObject::tr("Model or adapter folder"))
                             : QFileDialog::getOpenFileName(row, QObject::tr("Prompts"), QString(),
                                                            QObject::tr("Prompts (*.txt *.jsonl *.json *.csv *.gz)"));
    if (!path.isEmpty()) edit->setText(path);
  });
  return row;
}

}  // namespace

GeneratePairsDialog::GeneratePairsDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Generate pairs"));
  auto* form = new QFormLayout(this);
  prompts_ = new QLineEdit(this);
  prompts_->setPlaceholderText(tr("a .txt file (a prompt per line) or records with prompt / messages"));
  prompts_->setAccessibleName(tr("Prompts file"));
  a_ = new QLineEdit(this);
  a_->setPlaceholderText(tr("a model folder, a run's final/ or checkpoint, or an adapter folder"));
  a_->setAccessibleName(tr("Source A"));
  b_ = new QLineEdit(this);
  b_->setPlaceholderText(tr("empty: the same as A, sampled with B's temperature"));
  b_->setAccessibleName(tr("Source B"));
  per_prompt_ = new QSpinBox(this);
  per_prompt_->setRange(1, 64);
  per_prompt_->setValue(1);
  max_new_tokens_ = new QSpinBox(this);
  max_new_tokens_->setRange(1, 100'000);
  max_new_tokens_->setValue(256);
  temperature_a_ = new QDoubleSpinBox(this);
  temperature_b_ = new QDoubleSpinBox(this);
  for (QDoubleSpinBox* box : {temperature_a_, temperature_b_}) {
    box->setRange(0.0, 5.0);
    box->setSingleStep(0.1);
    box->setValue(0.8);
  }
  temperature_b_->setValue(1.1);
  form->addRow(tr("Prompts"), withBrowse(prompts_, false, this));
  form->addRow(tr("Source A"), withBrowse(a_, true, this));
  form->addRow(tr("Source B"), withBrowse(b_, true, this));
  form->addRow(tr("Pairs per prompt"), per_prompt_);
  form->addRow(tr("Longest answer (tokens)"), max_new_tokens_);
  form->addRow(tr("Temperature A"), temperature_a_);
  form->addRow(tr("Temperature B"), temperature_b_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  buttons->button(QDialogButtonBox::Ok)->setText(tr("Generate"));
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  form->addRow(buttons);
  resize(640, height());
}

QStringList GeneratePairsDialog::arguments(const QString& set) const {
  QStringList args = {QStringLiteral("prefs"),
                      QStringLiteral("generate"),
                      QStringLiteral("--set"),
                      set,
                      QStringLiteral("--prompts"),
                      prompts_->text().trimmed(),
                      QStringLiteral("--a"),
                      a_->text().trimmed(),
                      QStringLiteral("--per-prompt"),
                      QString::number(per_prompt_->value()),
                      QStringLiteral("--max-new-tokens"),
                      QString::number(max_new_tokens_->value()),
                      QStringLiteral("--a-temperature"),
                      QString::number(temperature_a_->value()),
                      QStringLiteral("--b-temperature"),
                      QString::number(temperature_b_->value())};
  if (!b_->text().trimmed().isEmpty()) args << QStringLiteral("--b") << b_->text().trimmed();
  return args;
}

}  // namespace temper::studio
