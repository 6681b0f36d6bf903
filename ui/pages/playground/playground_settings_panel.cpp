#include "ui/pages/playground/playground_settings_panel.h"

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QVBoxLayout>

#include "ui/pages/playground/playground_page.h"

namespace temper::studio {

// The page's translation context: these words were written for it and are translated there.
PlaygroundSettingsPanel::PlaygroundSettingsPanel(QWidget* parent) : QWidget(parent) {
  setMaximumWidth(320);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* system_box = new QGroupBox(PlaygroundPage::tr("System prompt"), this);
  system_ = new QPlainTextEdit(system_box);
  system_->setPlaceholderText(PlaygroundPage::tr("Optional: instructions placed before the conversation"));
  system_->setMaximumHeight(110);
  auto* system_layout = new QVBoxLayout(system_box);
  system_layout->addWidget(system_);

  auto* sampling_box = new QGroupBox(PlaygroundPage::tr("Sampling"), this);
  auto* form = new QFormLayout(sampling_box);
  temperature_ = new QDoubleSpinBox(sampling_box);
  temperature_->setRange(0.0, 5.0);
  temperature_->setSingleStep(0.1);
  temperature_->setDecimals(2);
  temperature_->setValue(0.7);
  temperature_->setToolTip(PlaygroundPage::tr("0 always picks the most likely token (greedy)"));
  top_p_ = new QDoubleSpinBox(sampling_box);
  top_p_->setRange(0.01, 1.0);
  top_p_->setSingleStep(0.05);
  top_p_->setDecimals(2);
  top_p_->setValue(0.95);
  top_p_->setToolTip(PlaygroundPage::tr("Keep the smallest set of tokens with this much probability; 1 keeps all"));
  top_k_ = new QSpinBox(sampling_box);
  top_k_->setRange(0, 1'000'000);
  top_k_->setSpecialValueText(PlaygroundPage::tr("off"));
  top_k_->setToolTip(PlaygroundPage::tr("Keep the k most likely tokens; off keeps all"));
  max_new_tokens_ = new QSpinBox(sampling_box);
  max_new_tokens_->setRange(1, 100'000);
  max_new_tokens_->setValue(256);
  seed_ = new QSpinBox(sampling_box);
  seed_->setRange(0, 2'000'000'000);
  seed_->setToolTip(
      PlaygroundPage::tr("A new seed restarts the random choices; the same seed after New conversation "
                         "gives the same answers"));
  form->addRow(PlaygroundPage::tr("Temperature"), temperature_);
  form->addRow(PlaygroundPage::tr("Top-p"), top_p_);
  form->addRow(PlaygroundPage::tr("Top-k"), top_k_);
  form->addRow(PlaygroundPage::tr("Max new tokens"), max_new_tokens_);
  form->addRow(PlaygroundPage::tr("Seed"), seed_);
  auto* note = new QLabel(PlaygroundPage::tr("Changes apply from the next message."), sampling_box);
  note->setWordWrap(true);
  form->addRow(note);
  layout->addWidget(system_box);
  layout->addWidget(sampling_box);
  layout->addStretch(1);
}

ChatSampling PlaygroundSettingsPanel::sampling() const {
  ChatSampling s;
  s.temperature = temperature_->value();
  s.top_p = top_p_->value();
  s.top_k = top_k_->value();
  s.max_new_tokens = max_new_tokens_->value();
  s.seed = static_cast<quint64>(seed_->value());
  return s;
}

}  // namespace temper::studio
