#include "ui/wizard/wizard_context.h"

namespace temper::studio {

void WizardContext::setInfo(const EngineInfo& info) {
  info_ = info;
  info_ready_ = true;
  info_error_.clear();
  Q_EMIT infoChanged();
}

void WizardContext::setInfoError(const QString& error) {
  info_ready_ = false;
  info_error_ = error;
  Q_EMIT infoChanged();
}

void WizardContext::setSeed(const QJsonObject& seed) {
  seed_ = seed;
  ++seed_generation_;
  Q_EMIT seedChanged();
}

}  // namespace temper::studio
