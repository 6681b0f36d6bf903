// The Playground's model: the model box (the Models page's list and folders opened by hand), loading
// the chosen folder and what the engine's inspection makes of it: a language model starts the chat
// child, a classifier is shown as such, an adapter folder loads its base with the adapter on.
// Part of PlaygroundPage (playground_page.h); the Adapter box is in playground_page_adapter_box.cpp.
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonObject>
#include <QLabel>
#include <QStackedWidget>

#include "ui/client/engine_session.h"
#include "ui/pages/library/library_model.h"
#include "ui/pages/playground/playground_page.h"

namespace temper::studio {

void PlaygroundPage::rebuildModelBox() {
  const QString current = model_box_->currentData().toString();
  QSignalBlocker block(model_box_);
  model_box_->clear();
  QStringList seen;
  if (models_) {
    for (const LibraryEntry& entry : models_->entries()) {
      model_box_->addItem(entry.name, entry.path);
      model_box_->setItemData(model_box_->count() - 1, QDir::toNativeSeparators(entry.path), Qt::ToolTipRole);
      seen << entry.path;
    }
  }
  for (const QString& path : extra_paths_) {
    if (seen.contains(path)) continue;
    model_box_->addItem(folderLabel(path), path);
    model_box_->setItemData(model_box_->count() - 1, QDir::toNativeSeparators(path), Qt::ToolTipRole);
  }
  model_box_->setCurrentIndex(model_box_->findData(current));
  updateActions();
}

void PlaygroundPage::openModel(const QString& dir) {
  const QString path = QDir(dir).absolutePath();
  if (!extra_paths_.contains(path)) extra_paths_ << path;
  rebuildModelBox();
  model_box_->setCurrentIndex(model_box_->findData(path));
  loadSelected();
}

void PlaygroundPage::browse() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Model folder"));
  if (!dir.isEmpty()) openModel(dir);
}

void PlaygroundPage::loadSelected() {
  if (models_ && model_box_->count() == 0) rebuildModelBox();
  const QString dir = model_box_->currentData().toString();
  if (dir.isEmpty()) return;
  inspectThenLoad(dir);
}

void PlaygroundPage::inspectThenLoad(const QString& dir) {
  chat_->shutdown();
  transcript_.clear();
  pending_.clear();
  answer_open_ = false;
  renderTranscript();
  classifier_shown_ = false;
  body_->setCurrentIndex(0);
  status_->clear();
  model_status_->setText(tr("Loading %1…").arg(QDir::toNativeSeparators(dir)));
  // Inspecting first (headers only, fast) tells a classifier from a language model before the
  // chat child loads every weight. A newer choice cancels an inspection still running.
  delete inspect_request_;
  auto* request = new QObject(this);
  inspect_request_ = request;
  updateActions();
  if (!engine_) {
    EngineReply none;
    none.error = tr("there is no engine to ask");
    QMetaObject::invokeMethod(
        request, [this, dir, none] { onInspected(dir, none); }, Qt::QueuedConnection);
    return;
  }
  engine_->inspectModel(dir, request, [this, dir](const EngineReply& reply) { onInspected(dir, reply); });
}

void PlaygroundPage::onInspected(const QString& dir, const EngineReply& reply) {
  inspect_request_->deleteLater();
  inspect_request_.clear();
  if (reply.ok && reply.json.value(QStringLiteral("adapter")).toBool()) {
    startAdapterFolder(dir, reply.json);
    return;
  }
  ModelInspection model;
  const QString problem = reply.ok ? parseModelInspection(reply.json, model) : reply.error;
  if (!problem.isEmpty()) {
    model_status_->setText(tr("Could not chat with %1: %2").arg(QDir::toNativeSeparators(dir), problem));
    updateActions();
    Q_EMIT modelSettled();
    return;
  }
  if (model.isClassifier()) {
    loaded_base_.clear();
    rebuildAdapterBox();
    classifier_shown_ = true;
    body_->setCurrentIndex(1);
    model_status_->setText(tr("%1 is a classifier (%2).").arg(QDir::toNativeSeparators(dir), model.architecture));
    classifier_->setText(
        tr("<p><b>This model is a classifier, not a chat model.</b></p><p>It reads a text and picks one of its "
           "labels: %1. It cannot write answers.</p><p>Evaluate it on labelled records from its run's view "
           "(select a checkpoint, Evaluate), or with <code>temper eval --model DIR --data FILE</code>.</p>")
            .arg(model.labels.isEmpty() ? tr("(none listed)")
                                        : model.labels.join(QStringLiteral(", ")).toHtmlEscaped()));
    updateActions();
    Q_EMIT modelSettled();
    return;
  }
  if (!sameFolder(loaded_base_, dir)) adapters_.forgetByHand();
  loaded_base_ = dir;
  rebuildAdapterBox();
  chat_->start(engine_->engine(), dir);
}

void PlaygroundPage::startAdapterFolder(const QString& dir, const QJsonObject& inspection) {
  // An adapter run's model: its base (base_model_name_or_path) loaded with the adapter on, so
  // the Adapter box can switch it off or to the base's other adapters.
  const QString base = inspection.value(QStringLiteral("base")).toString();
  PlaygroundAdapter adapter;
  adapter.path = QDir(dir).absolutePath();
  adapter.kind = inspection.value(QStringLiteral("kind")).toString();
  adapter.base = base;
  adapter.name = model_box_->currentData().toString() == dir ? model_box_->currentText() : folderLabel(dir);
  adapters_.remember(adapter);
  if (!inspection.value(QStringLiteral("base_on_disk")).toBool()) {
    model_status_->setText(tr("%1 is %2 for the base %3, which is not a folder on disk: load the base, then add "
                              "the adapter.")
                               .arg(QDir::toNativeSeparators(dir), adapters_.title(adapter.path), base));
    updateActions();
    Q_EMIT modelSettled();
    return;
  }
  if (!sameFolder(loaded_base_, base)) adapters_.forgetByHand();
  loaded_base_ = QFileInfo(base).absoluteFilePath();
  adapters_.addByHand(adapter.path);
  rebuildAdapterBox();
  chat_->start(engine_->engine(), loaded_base_, adapter.path);
}

}  // namespace temper::studio
