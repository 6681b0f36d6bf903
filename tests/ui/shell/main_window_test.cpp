// The main window offscreen: navigation, one-line pages, menus and shortcuts, status bar, About,
// settings persisted, theme palettes, the run view fed with events, closing with live runs; and
// screenshots of the main pages written to ${TEMPER_BUILD_DIR}/screenshots for people to look at.
#include <signal.h>

#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

#include "core/store/store.h"
#include "ui/client/engine_event.h"
#include "ui/client/engine_job.h"
#include "ui/client/run_filter_proxy.h"
#include "ui/client/run_history_model.h"
#include "ui/client/run_manager.h"
#include "ui/pages/compare/compare_page.h"
#include "ui/pages/compare/run_comparison_model.h"
#include "ui/pages/datasets/datasets_page.h"
#include "ui/pages/label/label_page.h"
#include "ui/pages/models/models_page.h"
#include "ui/pages/playground/playground_page.h"
#include "ui/pages/run_view/rollout_table_model.h"
#include "ui/pages/run_view/run_view.h"
#include "ui/pages/runs/runs_page.h"
#include "ui/plot/live_run_plot.h"
#include "ui/plot/method_metrics_view.h"
#include "ui/plot/run_plot_canvas.h"
#include "ui/shell/app_settings.h"
#include "ui/shell/main_window.h"
#include "ui/shell/settings_page.h"
#include "ui/shell/theme.h"
#include "ui/wizard/finetune_wizard.h"

using namespace temper;
using namespace temper::studio;

namespace {

// The window reads the run history on a worker thread: its rows are in once it has loaded.
bool historyLoaded(const MainWindow& window) {
  return QTest::qWaitFor([&window] { return !window.historyModel()->isLoading(); }, 30000);
}

QString writeScript(const QString& path, const QByteArray& body) {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly)) return {};
  file.write("#!/bin/sh\n" + body);
  file.close();
  file.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
  return path;
}

// A fake engine: `info --json` answers as the contract says (and counts the questions in
// SCRIPT.info-count); `train` runs until SIGTERM.
QByteArray fakeEngineBody() {
  return "if [ \"$1\" = info ]; then\n"
         "  echo asked >> \"$0.info-count\"\n"
         "  echo '{\"temper\":\"0.1.0\",\"libtorch\":\"1.13.0\",\"sentencepiece\":\"0.1.97\",\"sqlite\":\"3.40.1\","
         "\"device\":{\"cuda_available\":false,\"cuda_devices\":[],\"cpu_threads\":2,\"blas\":\"openblas-openmp\","
         "\"cpu\":{\"vendor\":\"GenuineIntel\",\"model_name\":\"Intel Xeon Processor\",\"family\":6,\"model\":207,"
         "\"features\":[\"avx2\",\"avx512f\",\"avx512_bf16\",\"amx_bf16\"]},"
         "\"blas_core\":{\"openblas_core\":\"Prescott\",\"best_core\":\"Cooperlake\",\"how\":\"engine restarted\","
         "\"warning\":\"OpenBLAS still runs Prescott kernels\"}},"
         "\"methods\":[],\"train_keys\":[],\"presets\":[]}'\n"
         "  exit 0\n"
         "fi\n"
         "trap 'echo \"{\\\"v\\\":1,\\\"type\\\":\\\"run_cancelled\\\",\\\"run_id\\\":\\\"fake\\\",\\\"t\\\":2,"
         "\\\"status\\\":\\\"cancelled\\\",\\\"reason\\\":\\\"stopped\\\",\\\"step\\\":1}\"; exit 130' TERM\n"
         "echo '{\"v\":1,\"type\":\"run_started\",\"run_id\":\"fake\",\"t\":1}'\n"
         "while true; do sleep 0.05; done\n";
}

// Events of a plausible run: loss falling from ~4.2 towards ~1.6 (a formula, not engine output).
// One event as the engine prints it, appended to `batch`.
void appendEvent(EventBatch& batch, const QString& run_id, const QString& type, QJsonObject fields) {
  fields.insert("v", 1);
  fields.insert("type", type);
  fields.insert("run_id", run_id);
  EngineEvent e;
  e.type = type;
  e.run_id = run_id;
  e.fields = fields;
  batch.events.push_back(e);
}

EventBatch syntheticRun(const QString& run_id, int steps, int max_steps) {
  EventBatch batch;
  auto event = [&](const QString& type, const QJsonObject& fields) { appendEvent(batch, run_id, type, fields); };
  event("run_started", {{"config", QJsonObject{{"max-steps", max_steps}, {"name", "shakespeare-char"}}},
                        {"run_dir", "/tmp/ws/runs/" + run_id},
                        {"resumed", false},
                        {"start_step", 0}});
  for (int s = 1; s <= steps; ++s) {
    const double loss = 1.6 + 2.6 * std::exp(-s / 120.0) + 0.05 * std::sin(s * 0.7);
    event("step", {{"step", s},
                   {"max_steps", max_steps},
                   {"tokens_seen", s * 8192},
                   {"wall_time_s", s * 0.25},
                   {"loss", loss},
                   {"lr", 1e-3 * std::min(1.0, s / 50.0)},
                   {"grad_norm", 0.8 + 0.3 * std::cos(s * 0.1)},
                   {"tokens_per_s", 32000.0 + 900.0 * std::sin(s * 0.05)}});
    if (s % 100 == 0) {
      event("eval", {{"step", s}, {"tokens_seen", s * 8192}, {"val_loss", loss + 0.12}});
      event("sample", {{"step", s},
                       {"prompt", "ROMEO:"},
                       {"text", "ROMEO:\nWhat light through yonder window breaks? It is the east."}});
    }
    if (s % 250 == 0)
      event("checkpoint_saved",
            {{"step", s}, {"path", "/tmp/ws/runs/" + run_id + "/checkpoints/step-" + QString::number(s)}});
  }
  return batch;
}

// A GRPO run's events: each step with its rollouts' measures, each eval with the held-out reward,
// each sample with its scores (docs/events.md).
EventBatch grpoRun(const QString& run_id, int steps) {
  EventBatch batch;
  auto event = [&](const QString& type, const QJsonObject& fields) { appendEvent(batch, run_id, type, fields); };
  event("run_started", {{"config", QJsonObject{{"max-steps", steps}, {"name", "grpo-format"}, {"method", "grpo"}}},
                        {"run_dir", "/tmp/ws/runs/" + run_id},
                        {"resumed", false},
                        {"start_step", 0}});
  for (int s = 1; s <= steps; ++s) {
    const double reward = 0.3 + 0.6 * (1 - std::exp(-s / 20.0)) + 0.06 * std::sin(s * 1.3);
    event("step", {{"step", s},
                   {"max_steps", steps},
                   {"tokens_seen", s * 900},
                   {"wall_time_s", s * 0.15},
                   {"loss", -0.01 * std::sin(s * 0.4)},
                   {"lr", 1e-3},
                   {"grad_norm", 0.2},
                   {"tokens_per_s", 6000.0},
                   {"metrics", QJsonObject{{"reward", reward},
                                           {"reward_std", 0.45 - 0.3 * (1 - std::exp(-s / 20.0))},
                                           {"rewards/format", reward},
                                           {"kl", 0.03 * (1 - std::exp(-s / 15.0))},
                                           {"clip_ratio/region_mean", 0.0},
                                           {"completions/mean_length", 29.0 + std::sin(s * 0.2)},
                                           {"frac_reward_zero_std", 0.1}}}});
    if (s % 20 == 0) {
      const double val = 0.3 + 0.6 * (1 - std::exp(-s / 20.0));
      event("eval", {{"step", s},
                     {"tokens_seen", s * 900},
                     {"val_loss", -val},
                     {"metrics", QJsonObject{{"reward", val}, {"rewards/format", val}}}});
      // Two samples per evaluation, the second missing the format until late, with their KL.
      event("sample", {{"step", s},
                       {"prompt", "will the man take boats"},
                       {"text", "will the man take boats <answer>the man takes boats gladly.</answer>"},
                       {"scores", QJsonObject{{"reward", 1.0}, {"rewards/format", 1.0}, {"kl", 0.001 * s}}}});
      const double late = s >= 40 ? 1.0 : 0.0;
      event("sample",
            {{"step", s},
             {"prompt", "who keeps the harbour"},
             {"text",
              QStringLiteral("who keeps the harbour %1").arg(late ? "<answer>the old man</answer>" : "the old man")},
             {"scores", QJsonObject{{"reward", late}, {"rewards/format", late}, {"kl", 0.002 * s}}}});
    }
  }
  return batch;
}

}  // namespace

class MainWindowTest : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  QString workspace_;
  QString engine_;
  QString real_engine_;
  std::unique_ptr<QSettings> qsettings_;
  QString screenshots_;

  void fillStore() {
    Store store = Store::open((workspace_ + "/temper.db").toStdString());
    const char* names[] = {"shakespeare-char", "tiny stories 4L", "code 12L lr sweep", "chat sft", "baseline"};
    const char* statuses[] = {"finished", "finished", "failed", "cancelled", "finished"};
    const char* methods[] = {"pretrain", "pretrain", "pretrain", "sft", "pretrain"};
    for (int i = 0; i < 5; ++i) {
      std::string id =
          store.createRun({.name = names[i],
                           .method = methods[i],
                           .base_model = i == 3 ? "runs/tiny-4L/final" : "scratch (10.7M parameters)",
                           .dataset = "/data/corpus-" + std::to_string(i),
                           .config_json = R"({"train":{"max-steps":)" + std::to_string(200 * (i + 1)) + "}}",
                           .tags = i == 4 ? "baseline" : ""});
      std::vector<MetricPoint> points;
      const int steps = 200 * (i + 1);
      for (int s = 1; s <= steps; ++s) {
        points.push_back({s, s * 4096, s * 0.3, "train_loss", 1.5 + 3.0 / std::sqrt(s)});
        points.push_back({s, s * 4096, s * 0.3, "lr", 6e-4 * std::min(1.0, s / 100.0)});
        points.push_back({s, s * 4096, s * 0.3, "grad_norm", 0.5 + 2.0 / std::sqrt(s)});
        points.push_back({s, s * 4096, s * 0.3, "tokens_per_s", 13600 + 400 * std::sin(s * 0.02)});
      }
      for (int s = 100; s <= steps; s += 100)
        points.push_back({s, s * 4096, s * 0.3, "val_loss", 1.7 + 3.0 / std::sqrt(s)});
      store.appendMetrics(id, points);
      store.markRunning(id, 1);
      store.finishRun(id, statuses[i], i == 2 ? "loss became NaN at step 571" : "");
    }
  }

  void shoot(QWidget* widget, const QString& name) {
    QApplication::processEvents();
    const QString path = screenshots_ + "/" + name + ".png";
    QVERIFY2(widget->grab().save(path), qPrintable(path));
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    workspace_ = dir_.filePath("workspace");
    QDir().mkpath(workspace_);
    // The real engine for the end-to-end case: TEMPER_ENGINE as given to the test (the other cases
    // replace it with fakes), else the build's own.
    real_engine_ = qEnvironmentVariable("TEMPER_ENGINE");
    if (real_engine_.isEmpty()) real_engine_ = QStringLiteral(TEMPER_BIN_DIR "/temper");
    engine_ = writeScript(dir_.filePath("fake-temper"), fakeEngineBody());
    qputenv("TEMPER_ENGINE", engine_.toUtf8());
    qsettings_ = std::make_unique<QSettings>(dir_.filePath("settings.ini"), QSettings::IniFormat);
    screenshots_ = QStringLiteral(TEMPER_BUILD_DIR "/screenshots");
    QDir().mkpath(screenshots_);
    fillStore();
  }

  void navigationAndOneLinePages() {
    MainWindow window(workspace_, AppSettings(qsettings_.get()));
    QVERIFY(historyLoaded(window));
    QListWidget* nav = window.navigation();
    QStringList names;
    for (int i = 0; i < nav->count(); ++i) names << nav->item(i)->text();
    QCOMPARE(names,
             (QStringList{"Runs", "New run", "Compare", "Label", "Playground", "Datasets", "Models", "Settings"}));
    for (int page = 0; page < MainWindow::kPageCount; ++page) {
      window.showPage(static_cast<MainWindow::Page>(page));
      QCOMPARE(int(window.currentPage()), page);
    }
    // Label is a page of its own now (tested in ui_pages_label_test).
    QCOMPARE(window.findChild<QStackedWidget*>()->widget(MainWindow::kLabelPage),
             static_cast<QWidget*>(window.labelPage()));
    QCOMPARE(window.historyModel()->rowCount(), 5);
    // Compare, Datasets and Models are pages of their own now (tested in ui_pages_test).
    auto* stack = window.findChild<QStackedWidget*>();
    QCOMPARE(stack->widget(MainWindow::kComparePage), static_cast<QWidget*>(window.comparePage()));
    QVERIFY(window.datasetsPage() && window.modelsPage());
    QCOMPARE(stack->widget(MainWindow::kDatasetsPage), static_cast<QWidget*>(window.datasetsPage()));
    QCOMPARE(stack->widget(MainWindow::kModelsPage), static_cast<QWidget*>(window.modelsPage()));
    // The Playground has its own test (ui_pages_playground_test).
    QCOMPARE(stack->widget(MainWindow::kPlaygroundPage), static_cast<QWidget*>(window.playgroundPage()));
  }

  void menusShortcutsStatusBarAndAbout() {
    MainWindow window(workspace_, AppSettings(qsettings_.get()));
    QVERIFY(historyLoaded(window));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QMap<QString, QKeySequence> shortcuts;
    for (QAction* menu : window.menuBar()->actions()) {
      for (QAction* action : menu->menu()->actions()) shortcuts[action->text().remove('&')] = action->shortcut();
    }
    QCOMPARE(shortcuts.value("New run…"), QKeySequence(QKeySequence::New));
    QCOMPARE(shortcuts.value("Quit"), QKeySequence(Qt::CTRL | Qt::Key_Q));
    QCOMPARE(shortcuts.value("Find run"), QKeySequence(QKeySequence::Find));
    QVERIFY(shortcuts.contains("Preferences…"));
    QVERIFY(shortcuts.contains("About Temper Studio"));

    window.showPage(MainWindow::kModelsPage);
    QApplication::setActiveWindow(&window);
    QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
    QCOMPARE(window.currentPage(), MainWindow::kRunsPage);
    QTRY_VERIFY(window.runsPage()->filterEdit()->hasFocus());

    QVERIFY(window.workspaceLabel()->text().contains(workspace_));
    // The fake engine reports OpenBLAS stuck on Prescott: the status bar says so, not only the tooltip.
    QTRY_COMPARE_WITH_TIMEOUT(window.deviceLabel()->text(),
                              QStringLiteral("CPU build · CPU, 2 thread(s) · slow BLAS kernels (Prescott)"), 10000);
    // The environment says which engine build runs, why, and where it is.
    const QString tip = window.deviceLabel()->toolTip();
    QVERIFY2(tip.contains("Engine: CPU build (TEMPER_ENGINE is set)"), qPrintable(tip));
    QVERIFY2(tip.contains(QDir::toNativeSeparators(engine_)), qPrintable(tip));
    QVERIFY2(tip.contains("CPU: Intel Xeon Processor (avx2 avx512f avx512_bf16 amx_bf16)"), qPrintable(tip));
    QVERIFY2(tip.contains("OpenBLAS kernels: Prescott (engine restarted)"), qPrintable(tip));
    QVERIFY2(tip.contains("Warning: OpenBLAS still runs Prescott kernels"), qPrintable(tip));
    QCOMPARE(window.liveLabel()->text(), QStringLiteral("0 live run(s)"));
    const QString about = window.aboutText();
    QVERIFY2(about.contains("CPU build (TEMPER_ENGINE is set)"), qPrintable(about));
    QVERIFY2(about.contains(QString::fromLatin1(qVersion())), qPrintable(about));
    QVERIFY(about.contains("LibTorch 1.13.0"));
    QVERIFY(about.contains("SentencePiece 0.1.97"));
    QVERIFY2(about.contains("OpenBLAS kernels: Prescott"), qPrintable(about));
    QVERIFY2(about.contains("Warning: OpenBLAS still runs Prescott kernels"), qPrintable(about));
  }

  void engineWithoutInfoSaysSo() {
    const QString old = writeScript(dir_.filePath("old-temper"), "echo 'error: unknown command info' >&2\nexit 2\n");
    qputenv("TEMPER_ENGINE", old.toUtf8());
    MainWindow window(workspace_, AppSettings(qsettings_.get()));
    QVERIFY(historyLoaded(window));
    QTRY_COMPARE_WITH_TIMEOUT(window.deviceLabel()->text(), QStringLiteral("engine info unavailable"), 10000);
    QCOMPARE(window.deviceLabel()->toolTip(), QStringLiteral("unknown command info"));  // the engine's words
    QVERIFY(window.aboutText().contains("Engine info unavailable: unknown command info"));
    qputenv("TEMPER_ENGINE", engine_.toUtf8());
  }

  // `temper info` is asked once per window: the status bar's answer is the About box's and every
  // wizard's.
  void engineInfoAskedOncePerSession() {
    QFile count(engine_ + ".info-count");
    auto asked = [&count] {
      if (!count.open(QIODevice::ReadOnly)) return 0;
      const int lines = static_cast<int>(count.readAll().count('\n'));
      count.close();
      return lines;
    };
    const int before = asked();
    MainWindow window(workspace_, AppSettings(qsettings_.get()));
    QVERIFY(historyLoaded(window));
    window.show();
    // The fake engine reports OpenBLAS stuck on Prescott: the status bar says so, not only the tooltip.
    QTRY_COMPARE_WITH_TIMEOUT(window.deviceLabel()->text(),
                              QStringLiteral("CPU build · CPU, 2 thread(s) · slow BLAS kernels (Prescott)"), 10000);
    QCOMPARE(window.engineSession()->environment().info.temper, QStringLiteral("0.1.0"));
    window.showPage(MainWindow::kNewRunPage);
    auto* start = window.findChild<QPushButton*>("startWizard");
    for (int i = 0; i < 2; ++i) {
      start->click();
      FinetuneWizard* wizard = window.findChild<FinetuneWizard*>();
      QVERIFY(wizard);
      QTRY_VERIFY(wizard->engineReady());
      wizard->close();  // deletes itself
      QTRY_VERIFY(!window.findChild<FinetuneWizard*>());
    }
    QCOMPARE(asked() - before, 1);
  }

  void runsPageFiltersAndModelsAreSound() {
    MainWindow window(workspace_, AppSettings(qsettings_.get()));
    QVERIFY(historyLoaded(window));
    RunsPage* page = window.runsPage();
    QAbstractItemModelTester tester(page->proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(page->proxy()->rowCount(), 5);
    QTest::keyClicks(page->filterEdit(), "sweep");
    QCOMPARE(page->proxy()->rowCount(), 1);
    page->filterEdit()->clear();
    QCOMPARE(page->proxy()->rowCount(), 5);
    // Newest first by default.
    QCOMPARE(page->table()->model()->index(0, RunHistoryModel::kName).data().toString(), QStringLiteral("baseline"));
  }

  void settingsPersistAndThemesApply() {
    {
      MainWindow window(workspace_, AppSettings(qsettings_.get()));
      QVERIFY(historyLoaded(window));
      QSignalSpy theme(&window, &MainWindow::themeChanged);
      SettingsPage* settings = window.settingsPage();
      settings->themeBox()->setCurrentIndex(settings->themeBox()->findData(int(Theme::Dark)));
      settings->threadsBox()->setValue(3);
      settings->deviceBox()->setCurrentIndex(settings->deviceBox()->findData("cpu"));
      QCOMPARE(theme.size(), 1);
      QCOMPARE(theme.at(0).at(0).value<Theme>(), Theme::Dark);
    }
    qsettings_->sync();
    QSettings reread(dir_.filePath("settings.ini"), QSettings::IniFormat);
    AppSettings again(&reread);
    QCOMPARE(again.theme(), Theme::Dark);
    QCOMPARE(again.threads(), 3);
    QCOMPARE(again.device(), QStringLiteral("cpu"));
    // Palettes: dark text on light, light text on dark.
    QVERIFY(lightPalette().color(QPalette::Window).lightness() >
            lightPalette().color(QPalette::WindowText).lightness());
    QVERIFY(darkPalette().color(QPalette::Window).lightness() < darkPalette().color(QPalette::WindowText).lightness());
    AppSettings(qsettings_.get()).setTheme(Theme::FollowSystem);
    // The workspace resolution: command line first, then the setting, then the environment.
    QCOMPARE(resolveStudioWorkspace("/tmp/a", again), QStringLiteral("/tmp/a"));
    again.setWorkspace("/tmp/b");
    QCOMPARE(resolveStudioWorkspace({}, again), QStringLiteral("/tmp/b"));
    again.setWorkspace({});
    qputenv("TEMPER_WORKSPACE", "/tmp/c");
    QCOMPARE(resolveStudioWorkspace({}, again), QStringLiteral("/tmp/c"));
    qunsetenv("TEMPER_WORKSPACE");
  }

  void runViewShowsProgressSamplesAndLog() {
    RunView view(workspace_ + "/temper.db", workspace_);
    view.applyBatch(syntheticRun("20261127-120000-abcd", 600, 2000));
    QCOMPARE(view.progressBar()->maximum(), 2000);
    QCOMPARE(view.progressBar()->value(), 600);
    // 599 steps in 149.75 s of training: 0.25 s a step, 1400 steps to go = 350 s.
    QCOMPARE(view.etaText(), QStringLiteral("ETA 5m50s"));
    QCOMPARE(view.elapsedText(), QStringLiteral("elapsed 2m30s"));
    QVERIFY(view.throughputText().contains("tokens/s"));
    QVERIFY(view.samples()->toPlainText().contains("What light through yonder window"));
    QVERIFY(view.log()->toPlainText().contains("validation loss"));
    QVERIFY(view.log()->toPlainText().contains("checkpoint at step 500"));
    // One step line per batch, not one per step.
    QCOMPARE(view.log()->toPlainText().count("step 600/2000"), 1);
    // The plot got every point of the batch: 600 train losses, 6 evals, checkpoints at 250 and 500.
    auto* plot = qobject_cast<LiveRunPlot*>(view.plot());
    QVERIFY(plot);
    QCOMPARE(plot->canvas()->curvePoints("20261127-120000-abcd", "loss", true).size(), 600);
    QCOMPARE(plot->canvas()->curvePoints("20261127-120000-abcd", "val_loss").size(), 6);  // not smoothed: no raw curve
    QCOMPARE(plot->canvas()->curvePoints("20261127-120000-abcd", "lr").size(), 600);
    view.applyOutcome({"failed", "The engine process was killed or crashed.", "x", -1, true, {"Killed"}});
    QVERIFY(view.log()->toPlainText().contains("  | Killed"));
  }

  void runViewShowsAMethodsOwnMeasures() {
    RunView pretraining(workspace_ + "/temper.db", workspace_);
    pretraining.applyBatch(syntheticRun("20261127-120000-abcd", 10, 100));
    QVERIFY2(pretraining.methodMetrics()->isEmpty(), "pretraining has no measures of its own");
    RunView view(workspace_ + "/temper.db", workspace_);
    view.resize(1400, 900);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.applyBatch(grpoRun("20261207-120000-grpo", 60));
    QVERIFY(!view.methodMetrics()->isEmpty());
    QCOMPARE(view.methodMetrics()->groupTitles().mid(0, 2), (QStringList{"Reward", "Reward by rule"}));
    // reward, reward_std, val reward, format (train, val), kl, clip, length, zero-std share.
    QCOMPARE(view.methodMetrics()->curveCount(), 9);
    // The samples as a table of rollouts, the newest evaluation on top, its samples in order.
    QVERIFY(view.rolloutView()->isVisibleTo(&view));
    RolloutTableModel* rollouts = view.rollouts();
    QCOMPARE(rollouts->rowCount(), 6);
    QCOMPARE(rollouts->partColumns(), (QStringList{"rewards/format", "kl"}));
    auto cell = [&](int row, int column) { return rollouts->data(rollouts->index(row, column)).toString(); };
    QCOMPARE(cell(0, RolloutTableModel::kStep), QString("60"));
    QCOMPARE(cell(0, RolloutTableModel::kCompletion), QString("<answer>the man takes boats gladly.</answer>"));
    QCOMPARE(cell(1, RolloutTableModel::kPrompt), QString("who keeps the harbour"));
    QCOMPARE(cell(1, RolloutTableModel::kReward), QString("1"));
    QCOMPARE(cell(1, RolloutTableModel::kFirstPart + 1), QString("0.12"));
    QCOMPARE(cell(5, RolloutTableModel::kStep), QString("20"));
    QCOMPARE(cell(5, RolloutTableModel::kReward), QString("0"));
    QCOMPARE(rollouts->headerData(RolloutTableModel::kFirstPart, Qt::Horizontal).toString(), QString("format"));
    QCOMPARE(rollouts->headerData(RolloutTableModel::kFirstPart + 1, Qt::Horizontal).toString(), QString("KL"));
    QVERIFY(view.samples()->toPlainText().isEmpty());
    QTRY_VERIFY(view.methodMetrics()->isVisible());
    const QString dir = QStringLiteral(TEMPER_BUILD_DIR) + QStringLiteral("/screenshots");
    QDir().mkpath(dir);
    QTest::qWait(50);  // the labels' layout settles
    QVERIFY(view.grab().save(dir + QStringLiteral("/run-view-grpo.png")));
  }

  void aFinishedRewardModelOffersToTrainAPolicy() {
    RunView view(workspace_ + "/temper.db", workspace_);
    EventBatch batch;
    auto event = [&](const QString& type, const QJsonObject& fields) {
      appendEvent(batch, "20261208-010000-rm", type, fields);
    };
    event("run_started", {{"config", QJsonObject{{"max-steps", 10}, {"method", "reward-model"}}},
                          {"run_dir", "/tmp/ws/runs/20261208-010000-rm"},
                          {"resumed", false},
                          {"start_step", 0}});
    view.applyBatch(batch);
    QVERIFY(!view.trainPolicyButton()->isVisibleTo(&view));  // not before it has a final model
    batch.events.clear();
    event("run_finished", {{"step", 10}, {"status", "finished"}});
    view.applyBatch(batch);
    QVERIFY(view.trainPolicyButton()->isVisibleTo(&view));
    view.resize(1200, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(
        view.grab().save(QStringLiteral(TEMPER_BUILD_DIR) + QStringLiteral("/screenshots/run-view-reward-model.png")));
    QSignalSpy requested(&view, &RunView::trainWithRewardModelRequested);
    view.trainPolicyButton()->click();
    QCOMPARE(requested.size(), 1);
    QCOMPARE(requested.at(0).at(0).toString(), QString("/tmp/ws/runs/20261208-010000-rm/final"));
    // A pretraining run never offers it.
    RunView other(workspace_ + "/temper.db", workspace_);
    EventBatch pretraining = syntheticRun("20261127-120000-abcd", 10, 10);
    appendEvent(pretraining, "20261127-120000-abcd", "run_finished", {{"step", 10}, {"status", "finished"}});
    other.applyBatch(pretraining);
    QVERIFY(!other.trainPolicyButton()->isVisibleTo(&other));
  }

  void eventsReachThePlotQuickly() {
    // A fake engine prints a step every 50 ms stamped with its own clock; the time from that
    // stamp to the moment the run view has handed the batch to the plot is the latency people see.
    const QString ticker = writeScript(
        dir_.filePath("ticker-temper"),
        "i=1\nwhile [ $i -le 30 ]; do\n"
        "  echo \"{\\\"v\\\":1,\\\"type\\\":\\\"step\\\",\\\"run_id\\\":\\\"tick\\\",\\\"t\\\":$(date +%s.%N),"
        "\\\"step\\\":$i,\\\"max_steps\\\":30,\\\"loss\\\":2.5,\\\"wall_time_s\\\":$i}\"\n"
        "  i=$((i+1)); sleep 0.05\ndone\n");
    EngineJob job(ticker, workspace_);
    RunView view(workspace_ + "/temper.db", workspace_);
    view.attach(&job);
    QVector<double> latency_ms;
    connect(&job, &RunChannel::eventsReady, this, [&](const EventBatch& batch) {
      // Connected after the view: runs once the view (and its plot) has the batch.
      const double now = QDateTime::currentMSecsSinceEpoch() / 1000.0;
      for (const EngineEvent& e : batch.events) latency_ms << (now - e.time) * 1000.0;
    });
    bool ended = false;
    connect(&job, &RunChannel::ended, this, [&] { ended = true; });
    job.start({"train"});
    QTRY_VERIFY_WITH_TIMEOUT(ended, 20000);
    QCOMPARE(latency_ms.size(), 30);
    QCOMPARE(view.progressBar()->value(), 30);
    QCOMPARE(qobject_cast<LiveRunPlot*>(view.plot())->canvas()->curvePoints("tick", "loss", true).size(), 30);
    std::sort(latency_ms.begin(), latency_ms.end());
    qInfo("event -> plot latency over 30 events: median %.1f ms, max %.1f ms", latency_ms[15], latency_ms.last());
  }

  void closingKeepsOrStopsLiveRuns() {
    qint64 kept_pid = 0;
    {
      MainWindow window(workspace_, AppSettings(qsettings_.get()));
      QVERIFY(historyLoaded(window));
      EngineJob* job = window.runManager()->startJob({"train"});
      QTRY_COMPARE_WITH_TIMEOUT(job->runId(), QStringLiteral("fake"), 10000);
      QCOMPARE(window.liveLabel()->text(), QStringLiteral("1 live run(s)"));
      kept_pid = job->pid();
      window.setCloseChoice(MainWindow::CloseChoice::KeepRunning);
      QVERIFY(window.close());
    }
    QTest::qWait(200);
    QVERIFY2(::kill(static_cast<pid_t>(kept_pid), 0) == 0, "a kept run must outlive the window");
    ::kill(static_cast<pid_t>(kept_pid), SIGKILL);

    MainWindow window(workspace_, AppSettings(qsettings_.get()));
    QVERIFY(historyLoaded(window));
    EngineJob* job = window.runManager()->startJob({"train"});
    QTRY_COMPARE_WITH_TIMEOUT(job->runId(), QStringLiteral("fake"), 10000);
    QSignalSpy ended(window.runManager(), &RunManager::runEnded);
    window.setCloseChoice(MainWindow::CloseChoice::StopRuns);
    QVERIFY(window.close());
    QCOMPARE(ended.size(), 1);
    QCOMPARE(ended.at(0).at(1).value<JobOutcome>().status, QStringLiteral("cancelled"));
  }

  void launchWritesTheConfigStartsTheRunAndTagsIt() {
    // The engine here records its arguments and the config it got, then names an existing run.
    std::string id;
    {
      Store store = Store::open((workspace_ + "/temper.db").toStdString());
      id = store.createRun({.name = "launched"});
    }
    const QString seen = dir_.filePath("launch-args.txt");
    const QString engine = writeScript(
        dir_.filePath("launch-temper"),
        "[ \"$1\" = info ] && exit 2\necho \"$@\" > '" + seen.toUtf8() + "'\ncat \"$5\" >> '" + seen.toUtf8() +
            "'\necho '{\"v\":1,\"type\":\"run_started\",\"run_id\":\"" + QByteArray::fromStdString(id) +
            "\",\"t\":1}'\necho '{\"v\":1,\"type\":\"run_finished\",\"run_id\":\"" + QByteArray::fromStdString(id) +
            "\",\"t\":2,\"status\":\"finished\",\"reason\":\"reached max-steps\",\"step\":3}'\n");
    qputenv("TEMPER_ENGINE", engine.toUtf8());
    AppSettings settings(qsettings_.get());
    settings.setThreads(3);
    settings.setDevice("cpu");
    MainWindow window(workspace_, settings);
    QVERIFY(historyLoaded(window));
    QSignalSpy ended(window.runManager(), &RunManager::runEnded);
    window.launch(QJsonObject{{"method", "pretrain"}, {"max-steps", 3}, {"device", "cuda"}}, {"sweep", "lr"});
    QVERIFY(ended.wait(10000));
    QFile args(seen);
    QVERIFY(args.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(args.readAll());
    QVERIFY2(text.startsWith("--workspace " + workspace_ + " --events train " + workspace_ + "/studio/launches/train-"),
             qPrintable(text));
    const QJsonObject config = QJsonDocument::fromJson(text.section('\n', 1).toUtf8()).object();
    QCOMPARE(config.value("max-steps").toInt(), 3);
    QCOMPARE(config.value("threads").toInt(), 3);         // filled from Settings
    QCOMPARE(config.value("device").toString(), "cuda");  // the wizard's choice wins
    QCOMPARE(QString::fromStdString(Store::openReadOnly((workspace_ + "/temper.db").toStdString()).findRun(id)->tags),
             QStringLiteral("sweep, lr"));
    QCOMPARE(window.runTabs()->count(), 2);
    QCOMPARE(window.currentPage(), MainWindow::kRunsPage);
    settings.setThreads(0);
    settings.setDevice("auto");
    Store::open((workspace_ + "/temper.db").toStdString()).deleteRun(id);
    qputenv("TEMPER_ENGINE", engine_.toUtf8());
  }

  void realEngineRunFromLaunchToHistory() {
    const QString engine = real_engine_;
    if (!QFileInfo(engine).isExecutable()) QSKIP("no temper engine (set TEMPER_ENGINE or build the `temper` target)");
    const QDir dir(dir_.filePath("real"));
    QDir().mkpath(dir.path());
    QFile corpus(dir.filePath("corpus.txt"));
    QVERIFY(corpus.open(QIODevice::WriteOnly));
    for (int i = 0; i < 300; ++i) corpus.write("The harbour lights came on one by one as the boats returned.\n");
    corpus.close();
    auto tool = [&](const QStringList& args) {
      QProcess p;
      p.start(engine, args);
      return p.waitForFinished(60000) && p.exitCode() == 0;
    };
    QVERIFY(tool({"tokenizer", "train", "--input", corpus.fileName(), "--vocab-size", "40", "--model-type", "char",
                  "--out", dir.filePath("tok.model")}));
    QVERIFY(tool({"data", "prepare", "--tokenizer", dir.filePath("tok.model"), "--input", corpus.fileName(), "--out",
                  dir.filePath("data")}));
    qputenv("TEMPER_ENGINE", engine.toUtf8());
    const QString workspace = dir.filePath("ws");
    MainWindow window(workspace, AppSettings(qsettings_.get()));
    QVERIFY(historyLoaded(window));
    window.resize(1280, 800);
    window.show();
    QSignalSpy ended(window.runManager(), &RunManager::runEnded);
    window.launch(QJsonObject{{"data", dir.filePath("data")},
                              {"layers", 1},
                              {"dim", 32},
                              {"heads", 2},
                              {"ctx", 16},
                              {"batch-size", 4},
                              {"max-steps", 400},
                              {"warmup-steps", 0},
                              {"eval-every", 100},
                              {"eval-batches", 2},
                              {"sample-tokens", 12},
                              {"threads", 1},
                              {"name", "real run"}},
                  {"e2e"});
    QVERIFY(ended.wait(120000));
    QCOMPARE(ended.at(0).at(1).value<JobOutcome>().status, QStringLiteral("finished"));
    const QString id = ended.at(0).at(0).toString();
    auto* view = qobject_cast<RunView*>(window.runTabs()->currentWidget());
    QVERIFY(view);
    QCOMPARE(view->runId(), id);
    QCOMPARE(view->progressBar()->value(), 400);
    QVERIFY(view->samples()->toPlainText().contains("step 400"));
    const int row = window.historyModel()->rowOf(id);
    QVERIFY(row >= 0);
    QCOMPARE(window.historyModel()->summaryAt(row).steps, 400);
    QCOMPARE(QString::fromStdString(window.historyModel()->summaryAt(row).run.tags), QStringLiteral("e2e"));
    QCOMPARE(QString::fromStdString(window.historyModel()->summaryAt(row).run.status), QStringLiteral("finished"));
    shoot(&window, "run-real-engine");
    qputenv("TEMPER_ENGINE", engine_.toUtf8());
  }

  void screenshotsOfTheMainPages() {
    for (Theme theme : {Theme::Light, Theme::Dark}) {
      applyTheme(*qApp, theme);
      const QString suffix = theme == Theme::Dark ? "-dark" : "";
      MainWindow window(workspace_, AppSettings(qsettings_.get()));
      QVERIFY(historyLoaded(window));
      window.resize(1280, 800);
      window.show();
      QVERIFY(QTest::qWaitForWindowExposed(&window));
      QTRY_VERIFY_WITH_TIMEOUT(window.deviceLabel()->text() != "asking the engine…", 10000);
      window.showPage(MainWindow::kRunsPage);
      shoot(&window, "runs" + suffix);
      RunView* view = window.openRun(window.historyModel()->index(0, 0).data(RunHistoryModel::kRunIdRole).toString());
      QTRY_VERIFY_WITH_TIMEOUT(view->batchesApplied() > 0, 10000);
      shoot(&window, "run-stored" + suffix);
      auto* live = new RunView(workspace_ + "/temper.db", workspace_);
      live->applyBatch(syntheticRun("20261127-120000-abcd", 600, 2000));
      window.runTabs()->addTab(live, "live");
      window.runTabs()->setCurrentWidget(live);
      shoot(&window, "run-live" + suffix);
      if (theme == Theme::Dark) continue;
      // Five runs of 200..1,000 steps from the store (no engine needed); ui_pages_test
      // writes compare.png from real runs.
      QSignalSpy compared(window.comparePage(), &ComparePage::loaded);
      QStringList ids;
      for (int row = 0; row < window.historyModel()->rowCount(); ++row)
        ids << window.historyModel()->index(row, 0).data(RunHistoryModel::kRunIdRole).toString();
      window.compareRuns(ids);
      QVERIFY(compared.wait(10000));
      QCOMPARE(window.comparePage()->comparisonModel()->columnCount(), 5);
      shoot(&window, "compare-synthetic");
      for (auto [page, name] :
           {std::pair{MainWindow::kNewRunPage, "new-run"}, {MainWindow::kSettingsPage, "settings"}}) {
        window.showPage(page);
        shoot(&window, name);
      }
    }
    applyTheme(*qApp, Theme::FollowSystem);
    qInfo("screenshots in %s", qPrintable(screenshots_));
  }
};

QTEST_MAIN(MainWindowTest)
#include "main_window_test.moc"
