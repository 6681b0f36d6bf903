#include "ui/shell/translations.h"

#include <QCoreApplication>
#include <QDir>
#include <QTranslator>

namespace temper::studio {

namespace {
const QString kPrefix = QStringLiteral("temper_studio_");
}

QStringList translationFolders() {
  const QString exe = QCoreApplication::applicationDirPath();
  return {QDir(exe).filePath(QStringLiteral("translations")),
          QDir(exe).filePath(QStringLiteral("../share/temper/translations")), QStringLiteral(":/translations")};
}

QStringList availableLanguages() {
  QStringList languages;
  for (const QString& folder : translationFolders()) {
    for (const QString& file : QDir(folder).entryList({kPrefix + QStringLiteral("*.qm")}, QDir::Files)) {
      const QString name = file.mid(kPrefix.size()).chopped(3);
      if (!languages.contains(name)) languages << name;
    }
  }
  languages.sort();
  return languages;
}

bool installTranslation(QTranslator& translator, const QString& language) {
  QCoreApplication::removeTranslator(&translator);
  const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
  for (const QString& folder : translationFolders()) {
    if (translator.load(locale, QStringLiteral("temper_studio"), QStringLiteral("_"), folder)) {
      QCoreApplication::installTranslator(&translator);
      return true;
    }
  }
  return false;
}

}  // namespace temper::studio
