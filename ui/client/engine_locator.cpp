#include "ui/client/engine_locator.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace temper::studio {
namespace {
bool isExecutableFile(const QString& path) {
  const QFileInfo info(path);
  return info.isFile() && info.isExecutable();
}
}  // namespace

QString resolveEnginePath(const QString& configured) {
  const QString from_env = qEnvironmentVariable(kEngineEnvVar);
  if (!from_env.isEmpty()) return from_env;  // taken as given: a wrong override should fail loudly
  if (!configured.isEmpty() && isExecutableFile(configured)) return QFileInfo(configured).absoluteFilePath();
  if (QCoreApplication::instance()) {
    const QString beside = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("temper"));
    if (isExecutableFile(beside)) return beside;
  }
  return QStandardPaths::findExecutable(QStringLiteral("temper"));
}

}  // namespace temper::studio
