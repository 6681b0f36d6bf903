// The Playground's Adapter box: which PEFT adapters it offers on the loaded base, putting one on,
// switching or taking it off through the chat session, and adding any adapter folder by hand.
// Part of PlaygroundPage (playground_page.h); what is known of adapter folders is in
// playground_adapters.h.
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <algorithm>

#include "ui/pages/playground/playground_page.h"

namespace temper::studio {
namespace {
constexpr int kAddFolderRole = Qt::UserRole + 1;  // the Adapter box's "Add folder…" row
}  // namespace

QString PlaygroundPage::adapterCaption(const QString& adapter) const { return adapters_.caption(adapter); }

void PlaygroundPage::rebuildAdapterBox() {
  QSignalBlocker block(adapter_box_);
  adapter_box_->clear();
  adapter_box_->addItem(tr("None (base model)"), QString());
  for (const PlaygroundAdapter& adapter : adapters_.offeredFor(models_, loaded_base_)) {
    adapter_box_->addItem(tr("%1 · %2").arg(PlaygroundAdapters::kindLabel(adapter.kind), adapters_.name(adapter.path)),
                          adapter.path);
    adapter_box_->setItemData(adapter_box_->count() - 1,
                              tr("%1\nbase %2").arg(QDir::toNativeSeparators(adapter.path), adapter.base),
                              Qt::ToolTipRole);
  }
  adapter_box_->addItem(tr("Add folder…"));
  adapter_box_->setItemData(adapter_box_->count() - 1, true, kAddFolderRole);
  adapter_box_->setItemData(adapter_box_->count() - 1, tr("Put any adapter folder of this base on it"),
                            Qt::ToolTipRole);
  selectActiveAdapter();
  updateActions();
}

void PlaygroundPage::selectActiveAdapter() {
  QSignalBlocker block(adapter_box_);
  const int row = adapter_box_->findData(chat_->adapter());
  adapter_box_->setCurrentIndex(row >= 0 ? row : 0);
}

void PlaygroundPage::onAdapterActivated(int index) {
  if (adapter_box_->itemData(index, kAddFolderRole).toBool()) {
    selectActiveAdapter();  // until the folder is chosen and the engine confirms it
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Adapter folder (adapter_config.json)"));
    if (!dir.isEmpty()) addAdapterFolder(dir);
    return;
  }
  chooseAdapter(adapter_box_->itemData(index).toString());
}

void PlaygroundPage::addAdapterFolder(const QString& dir) {
  const QString path = QDir(dir).absolutePath();
  auto adapter = readAdapterFolder(path);
  QString problem;
  if (!adapter) {
    problem = tr("%1 is not an adapter folder (no adapter_config.json of a LoRA, bottleneck adapters or prompt "
                 "tuning).")
                  .arg(QDir::toNativeSeparators(path));
  } else if (adapter->classifier) {
    problem = tr("%1 is a classifier's adapter (a classify run's): it scores labels and does not chat. The Models "
                 "page evaluates it.")
                  .arg(QDir::toNativeSeparators(path));
  } else if (QFileInfo(adapter->base).isDir() && !sameFolder(adapter->base, loaded_base_)) {
    // Its base is on disk and is another model: its weights would not fit this one.
    problem = tr("%1 was trained on %2, not on the loaded %3.")
                  .arg(QDir::toNativeSeparators(path), QDir::toNativeSeparators(adapter->base),
                       QDir::toNativeSeparators(loaded_base_));
  }
  if (!problem.isEmpty()) {
    status_->setText(problem);
    selectActiveAdapter();
    return;
  }
  if (!adapters_.knows(path)) adapters_.remember(*adapter);
  adapters_.addByHand(path);
  rebuildAdapterBox();
  chooseAdapter(path);
}

void PlaygroundPage::chooseAdapter(const QString& dir) {
  if (dir == chat_->adapter()) {
    selectActiveAdapter();
    return;
  }
  if (!chat_->setAdapter(dir)) {
    status_->setText(tr("The adapter can be switched when the model is ready and not answering."));
    selectActiveAdapter();
    return;
  }
  // The box shows the choice while the engine loads it; adapterSet or adapterRefused settles it.
  QSignalBlocker block(adapter_box_);
  adapter_box_->setCurrentIndex(std::max(0, adapter_box_->findData(dir)));
  status_->setText(dir.isEmpty() ? tr("Taking the adapter off…") : tr("Putting on %1…").arg(adapters_.title(dir)));
  updateActions();
}

}  // namespace temper::studio
