#pragma once
/// The Playground's side panel: the system prompt and the sampling settings, read by the page
/// before each message (changes apply from the next one).
#include <QWidget>

#include "ui/client/chat_session.h"

class QDoubleSpinBox;
class QPlainTextEdit;
class QSpinBox;

namespace temper::studio {

class PlaygroundSettingsPanel : public QWidget {
 public:
  explicit PlaygroundSettingsPanel(QWidget* parent = nullptr);

  QPlainTextEdit* systemPrompt() const { return system_; }
  QDoubleSpinBox* temperatureBox() const { return temperature_; }
  QDoubleSpinBox* topPBox() const { return top_p_; }
  QSpinBox* topKBox() const { return top_k_; }
  QSpinBox* maxNewTokensBox() const { return max_new_tokens_; }
  QSpinBox* seedBox() const { return seed_; }
  /// The sampling settings as the boxes show them.
  ChatSampling sampling() const;

 private:
  QPlainTextEdit* system_;
  QDoubleSpinBox* temperature_;
  QDoubleSpinBox* top_p_;
  QSpinBox* top_k_;
  QSpinBox* max_new_tokens_;
  QSpinBox* seed_;
};

}  // namespace temper::studio
