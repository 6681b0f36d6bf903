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

bool WizardContext::keyAppliesToStart(const QString& key, bool from_scratch) const {
  const TrainKey* spec = info_.key(key);
  if (!spec) return false;
  for (const MethodInfo& method : info_.methods) {
    if (method.needs_base == !from_scratch && spec->appliesTo(method.name)) return true;
  }
  return false;
}

bool WizardContext::writesKey(const QString& key) const {
  const TrainKey* spec = info_.key(key);
  if (!spec) return false;
  return method.isEmpty() ? keyAppliesToStart(key, from_scratch) : spec->appliesTo(method);
}

bool WizardContext::methodTakesAdapters() const {
  const MethodInfo* spec = info_.method(method);
  return spec && spec->takesAdapters();
}

QString WizardContext::peftInUse() const {
  const MethodInfo* spec = info_.method(method);
  return spec && spec->peft.contains(peft) ? peft : QStringLiteral("none");
}

void WizardContext::setSeed(const QJsonObject& seed) {
  seed_ = seed;
  ++seed_generation_;
}

}  // namespace temper::studio
