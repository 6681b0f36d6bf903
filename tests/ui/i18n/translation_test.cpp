// The studio's translation mechanism end to end (ui/shell/translations.h): a .ts written for this
// test is compiled by lrelease into the binary's resources (:/translations/temper_studio_de.qm);
// availableLanguages() finds it, installTranslation() installs it, and a main window built after
// that shows its navigation, menus and plural forms in German, while strings the file lacks stay
// English. Without it (or for a language with no file) everything is English.
#include <QApplication>
#include <QListWidget>
#include <QMenuBar>
#include <QSettings>
#include <QTemporaryDir>
#include <QTranslator>
#include <QtTest>

#include "ui/shell/app_settings.h"
#include "ui/shell/main_window.h"
#include "ui/shell/translations.h"

using namespace temper::studio;

class TranslationTest : public QObject {
  Q_OBJECT

  QStringList navigationNames(MainWindow& window) {
    QStringList names;
    for (int i = 0; i < window.navigation()->count(); ++i) names << window.navigation()->item(i)->text();
    return names;
  }

  QString firstMenuTitle(MainWindow& window) { return window.menuBar()->actions().value(0)->text(); }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    // No engine is needed: the status bar's engine query fails quietly.
    qputenv("TEMPER_ENGINE", dir_.filePath("no-engine").toUtf8());
    settings_ = std::make_unique<QSettings>(dir_.filePath("settings.ini"), QSettings::IniFormat);
  }

  void findsTheCompiledLanguage() {
    QVERIFY2(availableLanguages().contains("de"), qPrintable(availableLanguages().join(",")));
  }

  void germanSwitchesTheStringsItHas() {
    QTranslator translator;
    QVERIFY(installTranslation(translator, "de"));
    {
      MainWindow window(dir_.filePath("ws"), AppSettings(settings_.get()));
      const QStringList names = navigationNames(window);
      QCOMPARE(names.value(0), QString("Läufe"));
      QCOMPARE(names.value(1), QString("Neuer Lauf"));
      QCOMPARE(names.value(2), QString("Vergleichen"));
      QCOMPARE(names.value(3), QString("Label"));  // not in the file: stays English
      QCOMPARE(names.value(7), QString("Einstellungen"));
      QCOMPARE(firstMenuTitle(window), QString("&Datei"));
    }
    QCOMPARE(QCoreApplication::translate("temper::studio::MainWindow", "%n live run(s)", nullptr, 1),
             QString("1 laufender Lauf"));
    QCOMPARE(QCoreApplication::translate("temper::studio::MainWindow", "%n live run(s)", nullptr, 3),
             QString("3 laufende Läufe"));
    QCoreApplication::removeTranslator(&translator);
  }

  void englishWithoutAFileForTheLanguage() {
    QTranslator translator;
    QVERIFY(!installTranslation(translator, "fr"));
    MainWindow window(dir_.filePath("ws"), AppSettings(settings_.get()));
    QCOMPARE(navigationNames(window).value(0), QString("Runs"));
    QCOMPARE(firstMenuTitle(window), QString("&File"));
  }

 private:
  QTemporaryDir dir_;
  std::unique_ptr<QSettings> settings_;
};

QTEST_MAIN(TranslationTest)
#include "translation_test.moc"
