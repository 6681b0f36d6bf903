// A run that is training when its view opens shows what the store holds so far (train and
// validation loss, every series the plot draws, samples, checkpoints) at once, then follows it:
// a run started from a terminal that the studio was already following when the person opened it;
// a run the studio started whose tab was closed and opened again; the same run re-attached by a
// studio started after the first one closed. There the engine is a fake that only lives (its pid
// is what the store names); the test writes the run's history into the store as the engine would,
// and holds the workspace lock as the engine does for the whole run. A last case opens a real
// `temper train` started as from a terminal (skipped without an engine).
#include <signal.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProgressBar>
#include <QScopeGuard>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cmath>

#include "../client/client_test_support.h"
#include "../client/fake_engines.h"
#include "core/common/error.h"
#include "core/store/store.h"
#include "core/store/workspace_lock.h"
#include "ui/client/engine_job.h"
#include "ui/client/process_probe.h"
#include "ui/client/run_follower.h"
#include "ui/client/run_history_model.h"
#include "ui/client/run_manager.h"
#include "ui/pages/run_view/run_view.h"
#include "ui/plot/live_run_plot.h"
#include "ui/plot/plot_data_set.h"
#include "ui/plot/run_plot_canvas.h"
#include "ui/shell/app_settings.h"
#include "ui/shell/main_window.h"

using namespace temper;
using namespace temper::studio;
using namespace temper::studio::testing;

namespace {

// The window reads the run history on a worker thread: its rows are in once it has loaded.
bool historyLoaded(const MainWindow& window) {
  return QTest::qWaitFor([&window] { return !window.historyModel()->isLoading(); }, 30000);
}

// A view attached to a run in progress reads its history on a worker thread first.
bool runHistoryShown(const RunView* view) {
  return view && QTest::qWaitFor([view] { return !view->isLoadingHistory(); }, 30000);
}

constexpr int kMaxSteps = 1000;

QString storePath(const QString& workspace) { return workspace + QStringLiteral("/temper.db"); }

// A run as the engine creates it before its first step (status "created").
std::string createRun(const QString& workspace, const std::string& name) {
  const QJsonObject train{{"max-steps", kMaxSteps}, {"method", "pretrain"}, {"name", QString::fromStdString(name)}};
  const QJsonObject config{{"train", train}};
  Store store = Store::open(storePath(workspace).toStdString());
  return store.createRun({.name = name,
                          .method = "pretrain",
                          .base_model = "scratch",
                          .dataset = "/data/harbour",
                          .config_json = QJsonDocument(config).toJson(QJsonDocument::Compact).toStdString()});
}

QString checkpointDir(const QString& workspace, const std::string& id, int step) {
  return QStringLiteral("%1/runs/%2/checkpoints/step-%3").arg(workspace, QString::fromStdString(id)).arg(step);
}

// What the engine records for steps from..to: the four step series every step, a validation loss
// and two samples every 100 steps, a checkpoint every 250 (the store's own order of writes).
void recordSteps(const QString& workspace, const std::string& id, int from, int to) {
  Store store = Store::open(storePath(workspace).toStdString());
  std::vector<MetricPoint> points;
  for (int s = from; s <= to; ++s) {
    const double loss = 1.6 + 2.6 * std::exp(-s / 120.0) + 0.05 * std::sin(s * 0.7);
    const double wall_s = s * 0.3;
    points.push_back({s, s * 4096, wall_s, "train_loss", loss});
    points.push_back({s, s * 4096, wall_s, "lr", 6e-4 * std::min(1.0, s / 100.0)});
    points.push_back({s, s * 4096, wall_s, "grad_norm", 0.5 + 2.0 / std::sqrt(s)});
    points.push_back({s, s * 4096, wall_s, "tokens_per_s", 13600 + 400 * std::sin(s * 0.02)});
    if (s % 100 == 0) {
      points.push_back({s, s * 4096, wall_s, "val_loss", loss + 0.12});
      store.appendMetrics(id, points);
      points.clear();
      store.addSample(id, {s, "ROMEO:", "ROMEO:\nBut soft, at step " + std::to_string(s) + ", what light?", 0});
      store.addSample(id, {s, "JULIET:", "JULIET:\nO Romeo, step " + std::to_string(s) + ", wherefore?", 0});
    }
    if (s % 250 == 0) {
      store.appendMetrics(id, points);
      points.clear();
      store.addCheckpoint(id, {s, s * 4096, checkpointDir(workspace, id, s).toStdString(), loss + 0.12, 0});
    }
  }
  store.appendMetrics(id, points);
  store.heartbeat(id);
}

}  // namespace

class RunViewHistoryTest : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  std::unique_ptr<QSettings> qsettings_;
  QString screenshots_;
  QString real_engine_;

  // The view shows the history recorded up to `steps` exactly once: every point of every series,
  // every evaluation's samples, every checkpoint.
  void verifyHistory(RunView* view, const QString& workspace, const std::string& id, int steps) {
    const QString run = QString::fromStdString(id);
    QCOMPARE(view->runId(), run);
    QCOMPARE(view->progressBar()->maximum(), kMaxSteps);
    QCOMPARE(view->progressBar()->value(), steps);
    const QString samples = view->samples()->toPlainText();
    for (int s = 100; s <= steps; s += 100) {
      QCOMPARE(samples.count(QStringLiteral("— step %1 —").arg(s)), 2);
      QCOMPARE(samples.count(QStringLiteral("But soft, at step %1,").arg(s)), 1);
      QCOMPARE(samples.count(QStringLiteral("O Romeo, step %1,").arg(s)), 1);
    }
    QCOMPARE(samples.count(QStringLiteral("— step ")), 2 * (steps / 100));
    for (int s = 250; s <= steps; s += 250) QCOMPARE(view->checkpointPath(s), checkpointDir(workspace, id, s));
    QVERIFY(view->checkpointPath(steps / 250 * 250 + 250).isEmpty());
    auto* plot = qobject_cast<LiveRunPlot*>(view->plot());
    QVERIFY(plot);
    const QVector<QPointF> loss = plot->canvas()->curvePoints(run, "loss", true);
    QCOMPARE(loss.size(), steps);
    QCOMPARE(loss.first().x(), 1.0);
    QCOMPARE(loss.last().x(), double(steps));
    QCOMPARE(plot->canvas()->curvePoints(run, "val_loss").size(), steps / 100);
    QCOMPARE(plot->canvas()->curvePoints(run, "lr").size(), steps);
    QCOMPARE(plot->canvas()->curvePoints(run, "grad_norm").size(), steps);
    QCOMPARE(plot->canvas()->curvePoints(run, "tokens_per_s").size(), steps);
    const QVector<CheckpointMark> marks = plot->canvas()->data().checkpoints(run);
    QCOMPARE(marks.size(), steps / 250);
    for (int i = 0; i < marks.size(); ++i) QCOMPARE(marks[i].step, 250 * (i + 1));
  }

  // A re-attaching studio follows the run from the store; its first poll happens on its own, long
  // before anyone opens the run (the studio has been open a while).
  RunFollower* followedChannel(MainWindow& window, const std::string& id) {
    auto* follower = qobject_cast<RunFollower*>(window.runManager()->channel(QString::fromStdString(id)));
    // The pid comes from the store: the follower has read it.
    if (!follower || !QTest::qWaitFor([follower] { return follower->pid() > 0; }, 10000)) return nullptr;
    QTest::qWait(100);
    return follower;
  }

  // TEMPER_ENGINE becomes a fake that trains run `id` (it prints run_started, then lives until
  // SIGTERM); the guard puts the previous engine back.
  auto useFakeEngine(const std::string& id) {
    const QString engine =
        writeScript(QDir(dir_.path()), QStringLiteral("temper-%1").arg(QString::fromStdString(id)),
                    "if [ \"$1\" = info ]; then exit 2; fi\n" + politeEngine(QByteArray::fromStdString(id)));
    const QByteArray previous = qgetenv("TEMPER_ENGINE");
    qputenv("TEMPER_ENGINE", engine.toUtf8());
    return qScopeGuard([previous] { qputenv("TEMPER_ENGINE", previous); });
  }

  // What Launch does, with the fake engine; then the run is marked running with the child's pid,
  // as the engine would. Returns the pid (0 when the child did not name the run).
  qint64 launch(MainWindow& window, const std::string& id) {
    window.launch(QJsonObject{{"max-steps", kMaxSteps}}, {});
    const QString run = QString::fromStdString(id);
    if (!QTest::qWaitFor([&] { return window.runManager()->channel(run) != nullptr; }, 10000)) return 0;
    const qint64 pid = qobject_cast<EngineJob*>(window.runManager()->channel(run))->pid();
    Store::open(storePath(window.workspace()).toStdString()).markRunning(id, pid);
    return pid;
  }

  void shoot(QWidget* widget, const QString& name) {
    QApplication::processEvents();
    const QString path = screenshots_ + "/" + name + ".png";
    QVERIFY2(widget->grab().save(path), qPrintable(path));
    qInfo("screenshot %s", qPrintable(path));
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    qsettings_ = std::make_unique<QSettings>(dir_.filePath("settings.ini"), QSettings::IniFormat);
    real_engine_ = realEngine();  // TEMPER_ENGINE as given to the test, else the build's own
    // No engine questions answered: the device label says so at once.
    qputenv("TEMPER_ENGINE", writeScript(QDir(dir_.path()), "no-info-temper", "exit 2\n").toUtf8());
    screenshots_ = QStringLiteral(TEMPER_BUILD_DIR "/screenshots");
    QDir().mkpath(screenshots_);
  }

  void cliRunOpenedWhileTrainingShowsItsHistory() {
    const QString workspace = dir_.filePath("cli");
    QDir().mkpath(workspace);
    const std::string id = createRun(workspace, "harbour from a terminal");
    // `temper train` in a terminal: its pid (this process stands in for it) and its lock.
    Store::open(storePath(workspace).toStdString()).markRunning(id, QCoreApplication::applicationPid());
    recordSteps(workspace, id, 1, 300);
    WorkspaceLock lock = WorkspaceLock::acquire(workspace.toStdString(), "the terminal's run");

    MainWindow window(workspace, AppSettings(qsettings_.get()));
    QVERIFY(historyLoaded(window));
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY2(followedChannel(window, id), "the running run is followed from the store");

    // Everything stored so far, once the view has read it (the channel's polls meanwhile wait).
    RunView* view = window.openRun(QString::fromStdString(id));
    QVERIFY(runHistoryShown(view));
    verifyHistory(view, workspace, id, 300);
    if (QTest::currentTestFailed()) return;

    // Then only what is new: more steps, an evaluation with its samples, a checkpoint.
    recordSteps(workspace, id, 301, 500);
    QTRY_COMPARE_WITH_TIMEOUT(view->progressBar()->value(), 500, 10000);
    QTest::qWait(1500);  // one more poll: nothing may arrive twice
    verifyHistory(view, workspace, id, 500);
    QVERIFY(view->log()->toPlainText().contains("validation loss"));
    shoot(&window, "run-followed");
  }

  void studioRunReopenedWhileTrainingShowsItsHistory() {
    const QString workspace = dir_.filePath("reopened");
    QDir().mkpath(workspace);
    const std::string id = createRun(workspace, "harbour, tab reopened");
    const auto restore_engine = useFakeEngine(id);
    WorkspaceLock lock = WorkspaceLock::acquire(workspace.toStdString(), "the studio's run");
    MainWindow window(workspace, AppSettings(qsettings_.get()));
    QVERIFY(historyLoaded(window));
    const qint64 pid = launch(window, id);
    QVERIFY(pid > 0);
    const auto stop_engine = qScopeGuard([pid] { ::kill(static_cast<pid_t>(pid), SIGKILL); });
    recordSteps(workspace, id, 1, 300);

    // The person closes the run's tab and opens it again from the history while it trains.
    QCOMPARE(window.runTabs()->count(), 2);
    Q_EMIT window.runTabs()->tabCloseRequested(1);
    QCOMPARE(window.runTabs()->count(), 1);
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    RunView* reopened = window.openRun(QString::fromStdString(id));
    QVERIFY(runHistoryShown(reopened));
    QCOMPARE(window.runTabs()->count(), 2);
    verifyHistory(reopened, workspace, id, 300);
  }

  void studioRunReattachedAfterRestartShowsItsHistory() {
    const QString workspace = dir_.filePath("restarted");
    QDir().mkpath(workspace);
    const std::string id = createRun(workspace, "harbour, studio restarted");
    const auto restore_engine = useFakeEngine(id);
    WorkspaceLock lock = WorkspaceLock::acquire(workspace.toStdString(), "the studio's run");
    qint64 pid = 0;
    // Whatever fails below, the kept fake engine must not outlive the test.
    const auto stop_engine = qScopeGuard([&pid] {
      if (pid > 0 && processAlive(pid)) ::kill(static_cast<pid_t>(pid), SIGKILL);
    });
    {
      MainWindow first(workspace, AppSettings(qsettings_.get()));
      QVERIFY(historyLoaded(first));
      pid = launch(first, id);
      QVERIFY(pid > 0);
      recordSteps(workspace, id, 1, 300);
      first.setCloseChoice(MainWindow::CloseChoice::KeepRunning);
      QVERIFY(first.close());
    }
    QVERIFY2(processAlive(pid), "a kept run outlives its studio");
    recordSteps(workspace, id, 301, 400);  // trained on while no studio watched

    // A new studio re-attaches to it; opening the run shows all of it, then follows it.
    MainWindow second(workspace, AppSettings(qsettings_.get()));
    QVERIFY(historyLoaded(second));
    QVERIFY2(followedChannel(second, id), "the kept run is followed from the store");
    RunView* view = second.openRun(QString::fromStdString(id));
    QVERIFY(runHistoryShown(view));
    verifyHistory(view, workspace, id, 400);
    if (QTest::currentTestFailed()) return;
    recordSteps(workspace, id, 401, 600);
    QTRY_COMPARE_WITH_TIMEOUT(view->progressBar()->value(), 600, 10000);
    QTest::qWait(1500);
    verifyHistory(view, workspace, id, 600);
  }

  void longStoredRunOpensWithoutBlocking() {
    // A finished run of 50,000 steps (200,000 step points): the view reads it on a worker while
    // the event loop keeps turning, then shows every point.
    constexpr int kSteps = 50000;
    const QString workspace = dir_.filePath("long");
    QDir().mkpath(workspace);
    const std::string id = createRun(workspace, "harbour, long");
    {
      Store store = Store::open(storePath(workspace).toStdString());
      std::vector<MetricPoint> points;
      for (int s = 1; s <= kSteps; ++s) {
        const double loss = 1.6 + 2.6 * std::exp(-s / 12000.0);
        for (const char* name : {"train_loss", "lr", "grad_norm", "tokens_per_s"}) {
          points.push_back({s, s * 4096, s * 0.3, name, loss});
        }
        if (s % 100 == 0) points.push_back({s, s * 4096, s * 0.3, "val_loss", loss + 0.12});
      }
      store.appendMetrics(id, points);
      store.markRunning(id, 1);
      store.finishRun(id, "finished", "");
    }
    QElapsedTimer clock;
    clock.start();
    const EventBatch read_here = RunFollower(storePath(workspace), workspace, QString::fromStdString(id)).readNew();
    const qint64 blocking_read_ms = clock.elapsed();  // what opening it used to cost this thread before drawing
    QVERIFY(read_here.events.size() > kSteps);

    RunView view(storePath(workspace), workspace);
    view.resize(1280, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy loaded(&view, &RunView::historyLoaded);
    EventLoopMeter meter;
    meter.start();
    view.showStoredRun(QString::fromStdString(id));
    QVERIFY(view.isLoadingHistory());
    QVERIFY(loaded.wait(60000));
    meter.stop();
    QVERIFY2(meter.ticks() > 0, "the event loop must turn while the store is read");
    auto* canvas = qobject_cast<LiveRunPlot*>(view.plot())->canvas();
    const QString run = QString::fromStdString(id);
    QCOMPARE(canvas->curvePoints(run, "loss", true).size(), qsizetype(kSteps));
    QCOMPARE(canvas->curvePoints(run, "val_loss").size(), qsizetype(kSteps / 100));
    qInfo(
        "%d steps (%d step points): read on this thread %lld ms; showStoredRun to shown %lld ms, %d timer ticks "
        "meanwhile, longest GUI-thread stall %lld ms (drawing included)",
        kSteps, kSteps * 4, blocking_read_ms, meter.elapsedMs(), meter.ticks(), meter.longestGapMs());
  }

  void realEngineRunFromATerminal() {
    if (real_engine_.isEmpty()) QSKIP("no temper engine (set TEMPER_ENGINE or build the `temper` target)");
    const QDir dir(dir_.filePath("real"));
    QDir().mkpath(dir.path());
    QFile corpus(dir.filePath("corpus.txt"));
    QVERIFY(corpus.open(QIODevice::WriteOnly));
    corpus.write(tinyCorpus());
    corpus.close();
    auto tool = [&](const QStringList& args) {
      QProcess p;
      p.start(real_engine_, args);
      return p.waitForFinished(60000) && p.exitCode() == 0;
    };
    QVERIFY(tool({"tokenizer", "train", "--input", corpus.fileName(), "--vocab-size", "60", "--model-type", "char",
                  "--out", dir.filePath("tok.model")}));
    QVERIFY(tool({"data", "prepare", "--tokenizer", dir.filePath("tok.model"), "--input", corpus.fileName(), "--out",
                  dir.filePath("data")}));

    // `temper train` in a terminal, long enough to be opened while it trains.
    const QString workspace = dir.filePath("ws");
    QProcess terminal;
    terminal.setStandardOutputFile(QProcess::nullDevice());
    terminal.setStandardErrorFile(QProcess::nullDevice());
    terminal.start(real_engine_, QStringList{"--workspace", workspace, "train"} +
                                     endlessTinyTrainArgs(dir.filePath("data"), 50, 6, 100) +
                                     QStringList{"--name", "harbour, real engine"});
    QVERIFY(terminal.waitForStarted());
    const auto stop_engine = qScopeGuard([&terminal] {
      if (terminal.state() != QProcess::NotRunning) {
        terminal.kill();
        terminal.waitForFinished(10000);
      }
    });
    // Until the store holds two checkpoints (and so evaluations, samples and steps before them).
    std::string id;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
          if (!QFileInfo::exists(storePath(workspace))) return false;
          try {
            Store store = Store::openReadOnly(storePath(workspace).toStdString());
            const std::vector<RunRecord> runs = store.listRuns();
            if (runs.empty()) return false;
            id = runs.front().id;
            return store.checkpoints(id).size() >= 2;
          } catch (const Error&) {
            return false;  // being created
          }
        }(),
        120000);
    const QString run = QString::fromStdString(id);

    MainWindow window(workspace, AppSettings(qsettings_.get()));
    QVERIFY(historyLoaded(window));
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY2(followedChannel(window, id), "the terminal's run is followed from the store");
    size_t stored_steps = 0, stored_evals = 0;
    {
      Store store = Store::openReadOnly(storePath(workspace).toStdString());
      stored_steps = store.metrics(id, "train_loss").size();
      stored_evals = store.metrics(id, "val_loss").size();
    }
    RunView* view = window.openRun(run);
    QVERIFY(runHistoryShown(view));
    QVERIFY(view->progressBar()->value() >= qint64(stored_steps));
    QVERIFY(view->samples()->toPlainText().contains(QStringLiteral("— step 50 —")));
    QVERIFY(!view->checkpointPath(100).isEmpty());
    QVERIFY(!view->checkpointPath(200).isEmpty());
    auto* plot = qobject_cast<LiveRunPlot*>(view->plot());
    QVERIFY(plot->canvas()->curvePoints(run, "loss", true).size() >= qsizetype(stored_steps));
    QVERIFY(plot->canvas()->curvePoints(run, "val_loss").size() >= qsizetype(stored_evals));
    QVERIFY(plot->canvas()->data().checkpoints(run).size() >= 2);
    // And it follows: the next evaluation arrives.
    const qint64 opened_at = view->progressBar()->value();
    QTRY_VERIFY_WITH_TIMEOUT(view->progressBar()->value() >= opened_at / 50 * 50 + 100, 60000);
    shoot(&window, "run-followed-real");
    terminal.terminate();  // the engine's clean stop
    QVERIFY(terminal.waitForFinished(60000));
  }
};

QTEST_MAIN(RunViewHistoryTest)
#include "run_view_history_test.moc"
