#include "ui/wizard/module_picker_dialog.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMap>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "ui/client/formatting.h"
#include "ui/wizard/lora_targets.h"

namespace temper::studio {

namespace {

enum Column { kName, kRole, kShape, kParameters };

/// A projection's name inside its block ("attn.c_attn" of "transformer.h.3.attn.c_attn").
QString shortName(const ModuleInfo& m) {
  if (m.block < 0) return m.name;
  const QString marker = QStringLiteral(".%1.").arg(m.block);
  const qsizetype at = m.name.indexOf(marker);
  return at < 0 ? m.name : m.name.mid(at + marker.size());
}

}  // namespace

ModulePickerDialog::ModulePickerDialog(const QVector<ModuleInfo>& modules, const QSet<QString>& chosen, qint64 rank,
                                       QWidget* parent)
    : QDialog(parent), modules_(modules), rank_(rank) {
  setWindowTitle(tr("Modules LoRA adapts"));
  auto* layout = new QVBoxLayout(this);
  auto* intro = new QLabel(
      tr("Tick the projections that get a LoRA adapter. Each adds rank × (in + out) trained parameters."), this);
  intro->setWordWrap(true);
  layout->addWidget(intro);

  auto* presets = new QHBoxLayout();
  presets->addWidget(new QLabel(tr("Select:"), this));
  for (const QString& preset : loraTargetPresets()) {
    auto* button = new QPushButton(preset, this);
    button->setObjectName(preset);
    // Wide enough for the preset's name in any style (some give every button one minimum width).
    button->setMinimumWidth(button->fontMetrics().horizontalAdvance(preset) + 24);
    button->setAutoDefault(false);
    connect(button, &QPushButton::clicked, this, [this, preset] { choose(preset); });
    presets->addWidget(button);
  }
  auto* none = new QPushButton(tr("None"), this);
  none->setObjectName(QStringLiteral("none"));
  none->setAutoDefault(false);
  connect(none, &QPushButton::clicked, this, [this] { choose(QString()); });
  presets->addWidget(none);
  presets->addStretch(1);
  layout->addLayout(presets);

  tree_ = new QTreeWidget(this);
  tree_->setObjectName(QStringLiteral("modules"));
  tree_->setColumnCount(4);
  tree_->setHeaderLabels({tr("Module"), tr("Role"), tr("in → out"), tr("Parameters")});
  tree_->header()->setSectionResizeMode(kName, QHeaderView::Stretch);
  tree_->header()->setStretchLastSection(false);
  for (int column : {kRole, kShape, kParameters}) {
    tree_->header()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
  }
  tree_->setUniformRowHeights(true);
  layout->addWidget(tree_, 1);

  summary_ = new QLabel(this);
  summary_->setObjectName(QStringLiteral("summary"));
  summary_->setWordWrap(true);
  layout->addWidget(summary_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  layout->addWidget(buttons);

  fill(chosen);
  connect(tree_, &QTreeWidget::itemChanged, this, [this] { updateSummary(); });
  updateSummary();
  resize(640, 520);
}

void ModulePickerDialog::fill(const QSet<QString>& chosen) {
  QMap<int, QTreeWidgetItem*> blocks;
  QMap<int, qint64> block_parameters;
  for (int i = 0; i < modules_.size(); ++i) {
    const ModuleInfo& m = modules_[i];
    QTreeWidgetItem*& block = blocks[m.block];
    if (!block) {
      block = new QTreeWidgetItem(tree_);
      block->setText(kName, m.block < 0 ? tr("Outside the blocks") : tr("Block %1").arg(m.block));
      // The block's box follows its projections: ticking it ticks them all.
      block->setFlags(block->flags() | Qt::ItemIsUserCheckable | Qt::ItemIsAutoTristate);
    }
    block_parameters[m.block] += m.parameters;
    auto* item = new QTreeWidgetItem(block);
    item->setText(kName, shortName(m));
    item->setToolTip(kName, m.name);
    item->setText(kRole, m.role);
    item->setText(kShape, QStringLiteral("%1 → %2").arg(m.in).arg(m.out));
    item->setText(kParameters, formatCount(m.parameters));
    item->setTextAlignment(kParameters, Qt::AlignRight | Qt::AlignVCenter);
    item->setData(kName, Qt::UserRole, i);
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(kName, chosen.contains(m.name) ? Qt::Checked : Qt::Unchecked);
  }
  for (auto it = blocks.begin(); it != blocks.end(); ++it) {
    it.value()->setText(kParameters, formatCount(block_parameters.value(it.key())));
    it.value()->setTextAlignment(kParameters, Qt::AlignRight | Qt::AlignVCenter);
  }
  // The first block open shows what each block holds; the rest stay compact.
  if (!blocks.isEmpty()) blocks.first()->setExpanded(true);
}

QVector<QTreeWidgetItem*> ModulePickerDialog::moduleItems() const {
  QVector<QTreeWidgetItem*> items;
  for (int b = 0; b < tree_->topLevelItemCount(); ++b) {
    QTreeWidgetItem* block = tree_->topLevelItem(b);
    for (int c = 0; c < block->childCount(); ++c) items << block->child(c);
  }
  return items;
}

QSet<QString> ModulePickerDialog::chosen() const {
  QSet<QString> out;
  for (const QTreeWidgetItem* item : moduleItems()) {
    if (item->checkState(kName) == Qt::Checked) out.insert(modules_[item->data(kName, Qt::UserRole).toInt()].name);
  }
  return out;
}

void ModulePickerDialog::choose(const QString& targets) {
  const QSet<QString> selected = selectedModules(targets, modules_);
  const QSignalBlocker quiet(tree_);  // one summary at the end, not one per item
  for (QTreeWidgetItem* item : moduleItems()) {
    const ModuleInfo& m = modules_[item->data(kName, Qt::UserRole).toInt()];
    item->setCheckState(kName, selected.contains(m.name) ? Qt::Checked : Qt::Unchecked);
  }
  updateSummary();
}

void ModulePickerDialog::updateSummary() {
  int count = 0;
  qint64 base = 0, trained = 0;
  const QSet<QString> picked = chosen();
  for (const ModuleInfo& m : modules_) {
    if (!picked.contains(m.name)) continue;
    ++count;
    base += m.parameters;
    trained += rank_ * (m.in + m.out);
  }
  summary_->setText(
      count == 0 ? tr("No module chosen: LoRA needs at least one.")
                 : tr("%n module(s) with %1 base parameters; rank %2 trains %3 parameters on them.", nullptr, count)
                       .arg(formatCount(base))
                       .arg(rank_)
                       .arg(formatCount(trained)));
  if (QPushButton* ok = findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)) ok->setEnabled(count > 0);
}

}  // namespace temper::studio
