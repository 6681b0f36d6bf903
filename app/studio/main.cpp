// temper-studio: parse the command line, apply settings (theme, language), open the main window.
#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>
#include <QTranslator>

#include "ui/shell/app_settings.h"
#include "ui/shell/main_window.h"
#include "ui/shell/theme.h"
#include "ui/shell/translations.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QCoreApplication::setOrganizationName(QStringLiteral("Temper"));
  QCoreApplication::setApplicationName(QStringLiteral("temper-studio"));
  QCoreApplication::setApplicationVersion(QStringLiteral(TEMPER_VERSION));
  QGuiApplication::setApplicationDisplayName(QStringLiteral("Temper Studio"));

  QSettings qsettings;
  temper::studio::AppSettings settings(&qsettings);
  QTranslator translator;
  temper::studio::installTranslation(translator, settings.language());

  QCommandLineParser parser;
  parser.setApplicationDescription(QCoreApplication::translate("main", "Temper Studio: train language models"));
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption workspace(
      {QStringLiteral("w"), QStringLiteral("workspace")},
      QCoreApplication::translate("main", "Workspace folder (default: TEMPER_WORKSPACE or ~/.local/share/Temper)."),
      QStringLiteral("DIR"));
  parser.addOption(workspace);
  parser.process(app);

  temper::studio::applyTheme(app, settings.theme());
  temper::studio::MainWindow window(temper::studio::resolveStudioWorkspace(parser.value(workspace), settings),
                                    settings);
  QObject::connect(&window, &temper::studio::MainWindow::themeChanged, &app,
                   [&app](temper::studio::Theme theme) { temper::studio::applyTheme(app, theme); });
  QObject::connect(&window, &temper::studio::MainWindow::languageChanged, &app, [&translator](const QString& language) {
    temper::studio::installTranslation(translator, language);
  });
  window.show();
  return QApplication::exec();
}
