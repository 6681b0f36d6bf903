// The Compare, Datasets and Models pages against a workspace written by the real engine (three
// tiny runs), data files written here, and the shared WikiSQL file when present; the close dialog
// clicked through; screenshots of the three pages (light and dark) in ${TEMPER_BUILD_DIR}/screenshots.
#include <signal.h>

#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QApplication>
#include <QElapsedTimer>
#include <QFont>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>
#include <cmath>

#include "core/store/store.h"
#include "ui/client/engine_job.h"
#include "ui/client/engine_session.h"
#include "ui/client/run_history_model.h"
#include "ui/client/run_manager.h"
#include "ui/pages/compare/compare_page.h"
#include "ui/pages/compare/config_diff.h"
#include "ui/pages/compare/run_comparison_model.h"
#include "ui/pages/compare/run_pick_proxy.h"
#include "ui/pages/datasets/datasets_page.h"
#include "ui/pages/library/library_model.h"
#include "ui/pages/models/models_page.h"
#include "ui/pages/runs/runs_page.h"
#include "ui/plot/live_run_plot.h"
#include "ui/plot/plot_data_set.h"
#include "ui/plot/plot_theme.h"
#include "ui/plot/run_plot_canvas.h"
#include "ui/shell/app_settings.h"
#include "ui/shell/main_window.h"
#include "ui/shell/theme.h"
#include "ui/wizard/data_preview_model.h"
#include "ui/wizard/finetune_wizard.h"

using namespace temper;
using namespace temper::studio;

namespace {

// The window reads the run history on a worker thread: its rows are in once it has loaded.
bool historyLoaded(const MainWindow& window) {
  return QTest::qWaitFor([&window] { return !window.historyModel()->isLoading(); }, 30000);
}

bool writeFile(const QString& path, const QByteArray& body) {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly)) return false;
  file.write(body);
  return true;
}

// Clicks a button of the next modal QMessageBox (polled from the event loop the box runs).
void clickInNextMessageBox(QObject* context, std::function<QAbstractButton*(QMessageBox*)> pick, QString* seen_text) {
  auto* timer = new QTimer(context);
  timer->setInterval(20);
  QObject::connect(timer, &QTimer::timeout, timer, [timer, pick, seen_text] {
    auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
    if (!box) return;
    timer->stop();
    timer->deleteLater();
    if (seen_text) *seen_text = box->text();
    if (QAbstractButton* button = pick(box)) button->click();
  });
  timer->start();
}

QAbstractButton* buttonWithText(QMessageBox* box, const QString& text) {
  for (QAbstractButton* b : box->buttons())
    if (b->text() == text) return b;
  return nullptr;
}

std::string storedStatus(const QString& workspace, const QString& id) {
  return Store::openReadOnly((workspace + "/temper.db").toStdString()).findRun(id.toStdString())->status;
}

}  // namespace

class PagesTest : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  QString engine_;
  QString workspace_;
  std::unique_ptr<EngineSession> session_;  // what the main window gives its pages
  QString data_;                            // a prepared dataset (folder)
  QString tokenizer_;                       // the char tokenizer it was made with
  std::unique_ptr<QSettings> settings_;
  QStringList run_ids_;  // newest first, as the history lists them
  QString screenshots_;

  bool haveEngine() const { return QFileInfo(engine_).isExecutable(); }

  bool tool(const QStringList& args, QByteArray* out = nullptr) {
    QProcess p;
    p.start(engine_, args);
    if (!p.waitForFinished(120000) || p.exitCode() != 0) {
      qWarning("temper %s: %s", qPrintable(args.join(' ')), p.readAllStandardError().constData());
      return false;
    }
    if (out) *out = p.readAllStandardOutput();
    return true;
  }

  QStringList tinyTrainArgs(const QString& workspace, const QString& name, const QString& lr, int steps) const {
    return {"--workspace",
            workspace,
            "train",
            "--data",
            data_,
            "--layers",
            "1",
            "--dim",
            "32",
            "--heads",
            "2",
            "--ctx",
            "16",
            "--batch-size",
            "4",
            "--lr",
            lr,
            "--max-steps",
            QString::number(steps),
            "--warmup-steps",
            "0",
            "--eval-every",
            "20",
            "--eval-batches",
            "2",
            "--threads",
            "1",
            "--name",
            name,
            "--sample-tokens",
            "8"};
  }

  void shoot(QWidget* widget, const QString& name) {
    QApplication::processEvents();
    const QString path = screenshots_ + "/" + name + ".png";
    QVERIFY2(widget->grab().save(path), qPrintable(path));
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    engine_ = qEnvironmentVariable("TEMPER_ENGINE");
    if (engine_.isEmpty()) engine_ = QStringLiteral(TEMPER_BIN_DIR "/temper");
    settings_ = std::make_unique<QSettings>(dir_.filePath("settings.ini"), QSettings::IniFormat);
    screenshots_ = QStringLiteral(TEMPER_BUILD_DIR "/screenshots");
    QDir().mkpath(screenshots_);
    workspace_ = dir_.filePath("ws");
    QDir().mkpath(workspace_);
    session_ = std::make_unique<EngineSession>(engine_, workspace_);
    if (!haveEngine()) return;  // the cases that need it skip
    qputenv("TEMPER_ENGINE", engine_.toUtf8());
    QByteArray corpus;
    for (int i = 0; i < 300; ++i) corpus += "The harbour lights came on one by one as the boats returned.\n";
    QVERIFY(writeFile(dir_.filePath("corpus.txt"), corpus));
    tokenizer_ = dir_.filePath("tok.model");
    QVERIFY(tool({"tokenizer", "train", "--input", dir_.filePath("corpus.txt"), "--vocab-size", "40", "--model-type",
                  "char", "--out", tokenizer_}));
    data_ = dir_.filePath("data");
    QVERIFY(
        tool({"data", "prepare", "--tokenizer", tokenizer_, "--input", dir_.filePath("corpus.txt"), "--out", data_}));
    // Three runs that differ in learning rate and length: what the Compare page is for.
    const std::tuple<const char*, const char*, int> runs[] = {
        {"lr 3e-3", "0.003", 160}, {"lr 1e-3", "0.001", 160}, {"lr 3e-4 long", "0.0003", 200}};
    for (const auto& [name, lr, steps] : runs) QVERIFY(tool(tinyTrainArgs(workspace_, name, lr, steps)));
    for (const RunRecord& r : Store::openReadOnly((workspace_ + "/temper.db").toStdString()).listRuns())
      run_ids_ << QString::fromStdString(r.id);
    QCOMPARE(run_ids_.size(), 3);
  }

  void configDiffAgainstHandValues() {
    const auto a = flattenConfig(QJsonObject{{"lr", 0.001}, {"opt", QJsonObject{{"beta", 0.9}}}, {"steps", 1}});
    const auto b =
        flattenConfig(QJsonObject{{"lr", 1e-3}, {"opt", QJsonObject{{"beta", 0.95}}}, {"steps", 1.0}, {"bias", true}});
    QCOMPARE(a.value("opt.beta"), QStringLiteral("0.9"));
    // As Python's repr writes them (fixed from 1e-4 up to 1e16, else an exponent), integral values without ".0".
    const auto numbers = flattenConfig(QJsonObject{
        {"a", 3e-4}, {"b", 1.5e-5}, {"c", 2.5e-4}, {"d", 1e16}, {"e", 123456.0}, {"f", -0.00012}, {"g", 1e-3}});
    QCOMPARE(numbers.values(), (QStringList{"0.0003", "1.5e-05", "0.00025", "1e+16", "123456", "-0.00012", "0.001"}));
    QCOMPARE(b.value("bias"), QStringLiteral("true"));
    const ConfigDiff diff = diffConfigs({a, b});
    QCOMPARE(diff.differing, (QStringList{"bias", "opt.beta"}));  // bias: missing in one run
    QCOMPARE(diff.same, (QStringList{"lr", "steps"}));            // 0.001 == 1e-3, 1 == 1.0
    QCOMPARE(diffConfigs({a}).differing, QStringList{});          // one run: nothing differs
  }

  void modelsAreSound() {
    RunHistoryModel history(workspace_ + "/temper.db");
    QVERIFY(history.reload() || !haveEngine());
    RunPickProxy pick;
    QAbstractItemModelTester pick_tester(&pick, QAbstractItemModelTester::FailureReportingMode::QtTest);
    pick.setSourceModel(&history);
    if (history.rowCount() > 0) {
      QSignalSpy changed(&pick, &RunPickProxy::checkedChanged);
      QVERIFY(pick.setData(pick.index(0, 0), Qt::Checked, Qt::CheckStateRole));
      QCOMPARE(pick.index(0, 0).data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Checked);
      QVERIFY(!(pick.flags(pick.index(0, RunHistoryModel::kName)) & Qt::ItemIsEditable));
      QCOMPARE(changed.size(), 1);
      history.reload();  // a reload keeps the pick
      QCOMPARE(pick.checkedIds().size(), 1);
    }
    RunComparisonModel comparison;
    QAbstractItemModelTester comparison_tester(&comparison, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ComparedRun one, two;
    one.summary.run.id = "a";
    one.summary.run.method = "pretrain";
    one.summary.best_val_loss = 1.23456;
    one.train_config = QJsonObject{{"lr", 0.001}, {"batch-size", 4}, {"name", "a"}};
    two.summary.run.id = "b";
    two.summary.run.method = "pretrain";
    two.train_config = QJsonObject{{"lr", 0.0003}, {"batch-size", 4}, {"name", "b"}};
    comparison.setRuns({one, two});
    QCOMPARE(comparison.columnCount(), 2);
    QCOMPARE(comparison.hyperparameterKeys(), (QStringList{"lr", "batch-size"}));  // name is the header
    const int lr_row = RunComparisonModel::kFixedRowCount;
    QVERIFY(comparison.index(lr_row, 0).data(RunComparisonModel::kDiffersRole).toBool());
    QVERIFY(comparison.index(lr_row, 0).data(Qt::FontRole).value<QFont>().bold());
    QVERIFY(!comparison.index(lr_row + 1, 0).data(RunComparisonModel::kDiffersRole).toBool());
    QCOMPARE(comparison.index(RunComparisonModel::kBestValLoss, 0).data().toString(), QStringLiteral("1.2346"));
    QCOMPARE(comparison.index(RunComparisonModel::kBestValLoss, 1).data().toString(), QStringLiteral("—"));
    QVERIFY(!comparison.index(RunComparisonModel::kMethod, 0).data(RunComparisonModel::kDiffersRole).toBool());
    comparison.setRuns({});
    QCOMPARE(comparison.rowCount(), 0);

    LibraryModel library;
    QAbstractItemModelTester library_tester(&library, QAbstractItemModelTester::FailureReportingMode::QtTest);
    library.setEntries({{"x", "/tmp/x", LibraryEntry::Origin::Added, {}, {}},
                        {"y", "/tmp/y", LibraryEntry::Origin::Run, "run-1", "sft"}});
    QCOMPARE(library.rowOfPath("/tmp/y"), 1);
    QCOMPARE(library.index(1, LibraryModel::kOrigin).data().toString(), QStringLiteral("run"));
    QCOMPARE(library.index(1, 0).data(LibraryModel::kRunIdRole).toString(), QStringLiteral("run-1"));
  }

  void comparePageOverlaysRealRuns() {
    if (!haveEngine()) QSKIP("no temper engine (set TEMPER_ENGINE or build the `temper` target)");
    MainWindow window(workspace_, AppSettings(settings_.get()));
    QVERIFY(historyLoaded(window));
    QAbstractItemModelTester tester(window.comparePage()->comparisonModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    // From the Runs page: select two rows, press Compare.
    RunsPage* runs = window.runsPage();
    QVERIFY(!runs->compareButton()->isEnabled());
    runs->table()->selectRow(0);
    runs->table()->selectionModel()->select(runs->table()->model()->index(1, 0),
                                            QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QVERIFY(runs->compareButton()->isEnabled());
    const QStringList selected = runs->selectedRunIds();
    QCOMPARE(selected.size(), 2);
    ComparePage* page = window.comparePage();
    QSignalSpy loaded(page, &ComparePage::loaded);
    runs->compareButton()->click();
    QCOMPARE(window.currentPage(), MainWindow::kComparePage);
    QCOMPARE(page->pickedRuns(), selected);
    QVERIFY(page->isLoading());  // read on a worker thread; the window goes on
    QVERIFY(loaded.wait(10000));
    // Tick the third run in the page's own list.
    QAbstractItemModel* list = page->runTable()->model();
    for (int row = 0; row < list->rowCount(); ++row) {
      const QModelIndex index = list->index(row, 0);
      if (!selected.contains(index.data(RunHistoryModel::kRunIdRole).toString()))
        QVERIFY(list->setData(index, Qt::Checked, Qt::CheckStateRole));
    }
    QVERIFY(loaded.wait(10000));
    const QStringList picked = page->pickedRuns();
    QCOMPARE(picked.size(), 3);

    RunComparisonModel* table = page->comparisonModel();
    QCOMPARE(table->columnCount(), 3);
    const Store store = Store::openReadOnly((workspace_ + "/temper.db").toStdString());
    // What differs: lr and max-steps (and nothing the three share, like batch-size).
    const QStringList differing = table->diff().differing;
    QVERIFY2(differing.contains("lr") && differing.contains("max-steps"), qPrintable(differing.join(",")));
    QVERIFY(table->diff().same.contains("batch-size"));
    QVERIFY(!differing.contains("batch-size"));
    for (int i = 0; i < differing.size(); ++i)
      QCOMPARE(table->headerData(RunComparisonModel::kFixedRowCount + i, Qt::Vertical).toString(), differing[i]);
    for (int column = 0; column < 3; ++column) {
      const std::string id = picked[column].toStdString();
      // Best val loss and steps from the store's own series, independently of the history's query.
      double best = INFINITY;
      for (const MetricPoint& p : store.metrics(id, "val_loss")) best = std::min(best, p.value);
      QCOMPARE(table->index(RunComparisonModel::kBestValLoss, column).data().toString(), QString::number(best, 'f', 4));
      const auto config = QJsonDocument::fromJson(QByteArray::fromStdString(store.findRun(id)->config_json))
                              .object()
                              .value("train")
                              .toObject();
      const int lr_row = RunComparisonModel::kFixedRowCount + static_cast<int>(differing.indexOf("lr"));
      QCOMPARE(table->index(lr_row, column).data().toString().toDouble(), config.value("lr").toDouble());
      QCOMPARE(table->index(RunComparisonModel::kSteps, column).data().toString(),
               QLocale().toString(config.value("max-steps").toInt()));
    }
    auto* plot = qobject_cast<LiveRunPlot*>(page->plot());
    QVERIFY(plot);
    RunPlotCanvas* canvas = plot->canvas();
    QCOMPARE(canvas->data().runs(), picked);  // in pick order: the colours follow it
    const PlotTheme theme = PlotTheme::fromPalette(canvas->palette());
    for (int column = 0; column < 3; ++column) {
      const std::string id = picked[column].toStdString();
      QCOMPARE(table->headerData(column, Qt::Horizontal, RunComparisonModel::kColorRole).value<QColor>(),
               theme.runColor(column));
      QVERIFY(!table->headerData(column, Qt::Horizontal, Qt::DecorationRole).value<QPixmap>().isNull());
      const auto train = store.metrics(id, "train_loss");
      const auto val = store.metrics(id, "val_loss");
      QCOMPARE(canvas->curvePoints(picked[column], "loss", true).size(), qsizetype(train.size()));
      QCOMPARE(canvas->curvePoints(picked[column], "val_loss").size(), qsizetype(val.size()));
      canvas->setXAxis(XAxis::Tokens);
      const auto tokens = canvas->curvePoints(picked[column], "val_loss");
      QCOMPARE(tokens.last().x(), double(val.back().tokens_seen));
      QCOMPARE(tokens.last().y(), val.back().value);
      canvas->setXAxis(XAxis::Step);
    }
    // A run deleted from the history leaves the comparison.
    page->pickProxy()->setCheckedIds({});
    QVERIFY(loaded.wait(10000));
    QCOMPARE(table->columnCount(), 0);
    QVERIFY(page->stateLabel()->text().startsWith("Tick runs"));
  }

  void compareLoadsLongRunsWithoutBlocking() {
    // Ten runs of 20,000 steps written straight into a store (no engine needed): the page reads
    // them on its worker while the event loop keeps turning.
    const QString ws = dir_.filePath("long-ws");
    QDir().mkpath(ws);
    QStringList ids;
    constexpr int kRuns = 10, kSteps = 20000;
    {
      Store store = Store::open((ws + "/temper.db").toStdString());
      for (int r = 0; r < kRuns; ++r) {
        const std::string id = store.createRun(
            {.name = "run " + std::to_string(r),
             .method = "pretrain",
             .config_json = R"({"train":{"lr":)" + std::to_string(0.001 * (r + 1)) + R"(,"batch-size":8}})"});
        std::vector<MetricPoint> points;
        for (int s = 1; s <= kSteps; ++s) {
          points.push_back({s, s * 512, s * 0.01, "train_loss", 1.0 + (r + 1) / std::sqrt(double(s))});
          if (s % 100 == 0) points.push_back({s, s * 512, s * 0.01, "val_loss", 1.1 + (r + 1) / std::sqrt(double(s))});
        }
        store.appendMetrics(id, points);
        store.markRunning(id, 1);
        store.finishRun(id, "finished", "");
        ids << QString::fromStdString(id);
      }
    }
    RunHistoryModel history(ws + "/temper.db");
    QVERIFY(history.reload());
    ComparePage page(&history);
    page.resize(1280, 800);
    page.show();
    QSignalSpy loaded(&page, &ComparePage::loaded);
    int ticks = 0;
    QTimer ticker;
    ticker.setInterval(5);
    connect(&ticker, &QTimer::timeout, [&] { ++ticks; });
    ticker.start();
    QElapsedTimer clock;
    clock.start();
    page.setRuns(ids);
    QVERIFY(page.isLoading());
    QVERIFY(loaded.wait(60000));
    const qint64 ms = clock.elapsed();
    QVERIFY2(ticks > 0, "the event loop must turn while the store is read");
    QCOMPARE(page.comparisonModel()->columnCount(), kRuns);
    QCOMPARE(page.comparisonModel()->diff().differing, QStringList{"lr"});
    auto* canvas = qobject_cast<LiveRunPlot*>(page.plot())->canvas();
    for (const QString& id : ids) QCOMPARE(canvas->curvePoints(id, "loss", true).size(), qsizetype(kSteps));
    qInfo("10 runs x 20,000 steps: picked to shown in %lld ms, %d timer ticks meanwhile", ms, ticks);
  }

  void datasetsPageInspectsThroughTheEngine() {
    if (!haveEngine()) QSKIP("no temper engine (set TEMPER_ENGINE or build the `temper` target)");
    const QString labels = dir_.filePath("reviews.jsonl");
    QVERIFY(writeFile(labels,
                      "{\"text\":\"great film\",\"label\":\"pos\"}\n{\"text\":\"dull\",\"label\":\"neg\"}\n"
                      "{\"text\":\"loved it\",\"label\":\"pos\"}\n"));
    const QString bad = dir_.filePath("mixed.jsonl");
    QVERIFY(writeFile(bad, "{\"text\":\"a\",\"label\":\"pos\"}\n{\"text\":\"b\",\"label\":\"neg\"}\n{\"text\":3}\n"));
    // A prepared dataset where the engine keeps them.
    const QString prepared = workspace_ + "/datasets/0123456789abcdef";
    QDir().mkpath(prepared);
    for (const QString& f : QDir(data_).entryList(QDir::Files)) QFile::copy(data_ + "/" + f, prepared + "/" + f);

    DatasetsPage page(settings_.get(), session_.get());
    QAbstractItemModelTester list_tester(page.libraryModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester preview_tester(page.previewModel(),
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
    page.setWorkspace(workspace_);
    QCOMPARE(page.libraryModel()->rowCount(), 1);  // the prepared one
    QCOMPARE(page.libraryModel()->entryAt(0).origin, LibraryEntry::Origin::Workspace);
    QVERIFY(page.libraryModel()->entryAt(0).detail.contains(tokenizer_));
    QSignalSpy inspected(&page, &DatasetsPage::inspected);

    page.addPath(labels);
    QVERIFY(page.isInspecting());
    QVERIFY(page.stateLabel()->text().startsWith("Inspecting"));
    QVERIFY(!page.newRunButton()->isEnabled());
    QVERIFY(inspected.wait(30000));
    QVERIFY2(page.hasInspection(), qPrintable(page.lastError()));
    QCOMPARE(page.summaryValue("format"), QStringLiteral("text-label"));
    QCOMPARE(page.summaryValue("records"), QStringLiteral("3"));
    QCOMPARE(page.summaryValue("labels"), QStringLiteral("neg: 1, pos: 2"));  // counted by hand above
    QCOMPARE(page.previewModel()->rowCount(), 3);
    const int text_column = static_cast<int>(page.previewModel()->columns().indexOf("text"));
    QVERIFY(text_column >= 0);
    QVERIFY(page.previewModel()->headerData(text_column, Qt::Horizontal, Qt::FontRole).value<QFont>().bold());
    QCOMPARE(page.previewModel()->index(1, text_column).data().toString(), QStringLiteral("dull"));
    // The first record is selected and shown whole.
    QCOMPARE(page.recordView()->toPlainText(), QStringLiteral("── label ──\npos\n\n── text ──\ngreat film"));
    QVERIFY(page.newRunButton()->isEnabled());
    QVERIFY(page.removeButton()->isEnabled());
    QSignalSpy new_run(&page, &DatasetsPage::newRunRequested);
    page.newRunButton()->click();
    QCOMPARE(new_run.size(), 1);
    QCOMPARE(new_run.at(0).at(0).toJsonObject().value("data").toString(), labels);

    // The engine's error, with its file and line.
    page.addPath(bad);
    QVERIFY(inspected.wait(30000));
    QVERIFY(!page.hasInspection());
    QVERIFY2(page.lastError().contains("mixed.jsonl:3"), qPrintable(page.lastError()));
    QVERIFY(page.errorLabel()->isVisibleTo(&page));
    QVERIFY(!page.newRunButton()->isEnabled());

    // The prepared folder, with token counts from its meta.json; the removal button is for added ones.
    QVERIFY(page.select(QFileInfo(prepared).absoluteFilePath()));
    QVERIFY(inspected.wait(30000));
    QCOMPARE(page.summaryValue("format"), QStringLiteral("prepared"));
    QVERIFY(!page.removeButton()->isEnabled());

    // Token counts with a tokenizer: the char tokenizer gives one token per character of `text`.
    QVERIFY(page.select(labels));
    QVERIFY(inspected.wait(30000));
    page.tokenizerEdit()->setText(tokenizer_);
    QTest::keyClick(page.tokenizerEdit(), Qt::Key_Return);
    QVERIFY(page.isInspecting());
    QVERIFY(inspected.wait(30000));
    QVERIFY2(page.hasInspection(), qPrintable(page.lastError()));
    QVERIFY(page.inspection().tokens.has_value());
    QVERIFY(*page.inspection().tokens > 0);

    // Remembered per workspace.
    DatasetsPage again(settings_.get(), session_.get());
    again.setWorkspace(workspace_);
    QCOMPARE(again.libraryModel()->rowCount(), 3);
    DatasetsPage other(settings_.get(), session_.get());
    other.setWorkspace(dir_.filePath("other-ws"));
    QCOMPARE(other.libraryModel()->rowCount(), 0);
    page.removePath(bad);
    QCOMPARE(page.libraryModel()->rowOfPath(bad), -1);
  }

  void datasetsPageReadsWikiSql() {
    if (!haveEngine()) QSKIP("no temper engine (set TEMPER_ENGINE or build the `temper` target)");
    const QString wikisql = QStringLiteral(TEMPER_SHARED_DATA "/sft/wikisql-train.jsonl");
    if (!QFileInfo::exists(wikisql)) QSKIP("../shared/data/sft/wikisql-train.jsonl is absent");
    QFile file(wikisql);
    QVERIFY(file.open(QIODevice::ReadOnly));
    qint64 lines = 0;
    while (!file.atEnd())
      if (!file.readLine().trimmed().isEmpty()) ++lines;
    DatasetsPage page(settings_.get(), session_.get());
    page.setWorkspace(dir_.filePath("wikisql-ws"));
    QSignalSpy inspected(&page, &DatasetsPage::inspected);
    page.addPath(wikisql);
    QVERIFY(inspected.wait(60000));
    QVERIFY2(page.hasInspection(), qPrintable(page.lastError()));
    QCOMPARE(page.summaryValue("format"), QStringLiteral("text"));
    QCOMPARE(page.inspection().records, lines);
    QCOMPARE(page.summaryValue("fields"), QStringLiteral("text"));
    QVERIFY(page.previewModel()->rowCount() > 0);
  }

  void modelsPageInspectsAndExports() {
    if (!haveEngine()) QSKIP("no temper engine (set TEMPER_ENGINE or build the `temper` target)");
    RunHistoryModel history(workspace_ + "/temper.db");
    QVERIFY(history.reload());
    ModelsPage page(&history, settings_.get(), session_.get());
    QAbstractItemModelTester tester(page.libraryModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    page.setWorkspace(workspace_);
    QCOMPARE(page.libraryModel()->rowCount(), 3);  // every finished run's final/
    const LibraryEntry run_model = page.libraryModel()->entryAt(0);
    QCOMPARE(run_model.origin, LibraryEntry::Origin::Run);
    QVERIFY(run_model.path.endsWith("/final"));
    QSignalSpy inspected(&page, &ModelsPage::inspected);
    QVERIFY(page.select(run_model.path));
    QVERIFY(page.isInspecting());
    QVERIFY(inspected.wait(30000));
    QVERIFY2(page.hasInspection(), qPrintable(page.lastError()));
    // GPT-2 with tied embeddings and biases: V·C + T·C + L·(12C² + 13C) + 2C (hand-derived), with
    // the shape the run was given and the vocabulary its config.json records.
    QFile config_file(run_model.path + "/config.json");
    QVERIFY(config_file.open(QIODevice::ReadOnly));
    const qint64 V = QJsonDocument::fromJson(config_file.readAll()).object().value("vocab_size").toInteger();
    const qint64 C = 32, T = 16, L = 1;
    QCOMPARE(page.inspection().parameters, V * C + T * C + L * (12 * C * C + 13 * C) + 2 * C);
    QCOMPARE(page.summaryValue("family"), QStringLiteral("gpt2"));
    QCOMPARE(page.summaryValue("task"), QStringLiteral("language model"));
    QCOMPARE(page.summaryValue("ctx"), QStringLiteral("16 tokens"));
    QCOMPARE(page.summaryValue("dtype"), QStringLiteral("F32"));
    QVERIFY(page.exportButton()->isEnabled());
    QVERIFY(page.newRunButton()->isEnabled());

    // Export: a child process; its end says where and what.
    QSignalSpy exported(&page, &ModelsPage::exportFinished);
    const QString out = dir_.filePath("exported");
    page.startExport(run_model.run_id, out);
    QVERIFY(page.isExporting());
    QVERIFY(!page.exportButton()->isEnabled());
    QVERIFY(exported.wait(60000));
    QVERIFY2(exported.at(0).at(0).toBool(), qPrintable(exported.at(0).at(1).toString()));
    QVERIFY(QFileInfo::exists(out + "/config.json"));
    QVERIFY(QFileInfo::exists(out + "/model.safetensors"));
    QVERIFY(page.exportMessage().contains("model.safetensors"));
    page.startExport(run_model.run_id, out);  // the engine refuses a non-empty folder
    QVERIFY(exported.wait(60000));
    QVERIFY(!exported.at(1).at(0).toBool());
    QVERIFY2(exported.at(1).at(1).toString().contains("not empty"), qPrintable(exported.at(1).at(1).toString()));

    // The exported folder, added: inspected the same; it cannot be exported again (it is a copy).
    page.addPath(out);
    QVERIFY(inspected.wait(30000));
    QCOMPARE(page.inspection().parameters, V * C + T * C + L * (12 * C * C + 13 * C) + 2 * C);
    QVERIFY(!page.exportButton()->isEnabled());
    QVERIFY(!page.exportButton()->toolTip().isEmpty());
    QSignalSpy new_run(&page, &ModelsPage::newRunRequested);
    page.newRunButton()->click();
    QCOMPARE(new_run.at(0).at(0).toJsonObject().value("base").toString(), QFileInfo(out).absoluteFilePath());
    // Not a model: the engine's message.
    page.addPath(dir_.filePath("data"));
    QVERIFY(inspected.wait(30000));
    QVERIFY(!page.hasInspection());
    QVERIFY(!page.lastError().isEmpty());
    QVERIFY(page.errorLabel()->isVisibleTo(&page));
    QVERIFY(!page.newRunButton()->isEnabled());
  }

  void newRunFromDataAndModelOpensTheWizardSeeded() {
    if (!haveEngine()) QSKIP("no temper engine (set TEMPER_ENGINE or build the `temper` target)");
    MainWindow window(workspace_, AppSettings(settings_.get()));
    QVERIFY(historyLoaded(window));
    window.show();
    // Models: a run's model becomes the wizard's base at once (its first page).
    window.showPage(MainWindow::kModelsPage);
    ModelsPage* models = window.modelsPage();
    const int row = models->libraryModel()->rowCount() - 1;
    QCOMPARE(models->libraryModel()->entryAt(row).origin, LibraryEntry::Origin::Run);
    const QString model_dir = models->libraryModel()->entryAt(row).path;
    QSignalSpy model_inspected(models, &ModelsPage::inspected);
    QVERIFY(models->select(model_dir));
    QVERIFY(model_inspected.wait(30000));
    models->newRunButton()->click();
    QCOMPARE(window.currentPage(), MainWindow::kNewRunPage);
    auto* wizard = window.findChild<FinetuneWizard*>();
    QVERIFY(wizard);
    QTRY_VERIFY_WITH_TIMEOUT(wizard->engineReady(), 30000);
    QTRY_COMPARE_WITH_TIMEOUT(wizard->config().value("base").toString(), model_dir, 30000);
    wizard->close();
    delete wizard;

    // Datasets: the data page starts with the path (it applies its seed when shown).
    window.showPage(MainWindow::kDatasetsPage);
    DatasetsPage* datasets = window.datasetsPage();
    const QString labels = dir_.filePath("seeded.jsonl");
    QVERIFY(writeFile(labels, "{\"text\":\"fine\",\"label\":\"pos\"}\n{\"text\":\"poor\",\"label\":\"neg\"}\n"));
    QSignalSpy data_inspected(datasets, &DatasetsPage::inspected);
    datasets->addPath(labels);
    QVERIFY(data_inspected.wait(30000));
    datasets->newRunButton()->click();
    wizard = window.findChild<FinetuneWizard*>();
    QVERIFY(wizard);
    QTRY_VERIFY_WITH_TIMEOUT(wizard->engineReady(), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(wizard->currentPage() && wizard->currentPage()->isComplete(), 30000);
    wizard->next();
    QCOMPARE(wizard->currentId(), int(FinetuneWizard::kDataPage));
    QTRY_COMPARE_WITH_TIMEOUT(wizard->config().value("data").toString(), labels, 30000);
    wizard->close();
    delete wizard;
    datasets->removePath(labels);
  }

  void closeDialogClickedThrough() {
    if (!haveEngine()) QSKIP("no temper engine (set TEMPER_ENGINE or build the `temper` target)");
    // Its own workspace: one engine trains per workspace.
    const QString ws = dir_.filePath("close-ws");
    auto start = [&](MainWindow& window) -> EngineJob* {
      EngineJob* job = window.runManager()->startJob(tinyTrainArgs(ws, "long", "0.001", 1000000).mid(2));
      return job;
    };
    QString id;
    qint64 pid = 0;
    {
      MainWindow window(ws, AppSettings(settings_.get()));
      QVERIFY(historyLoaded(window));
      window.show();
      EngineJob* job = start(window);
      QTRY_VERIFY_WITH_TIMEOUT(!job->runId().isEmpty(), 30000);
      id = job->runId();
      pid = job->pid();
      // 1. Cancel: the window stays, the run trains on.
      QString text;
      clickInNextMessageBox(
          &window, [](QMessageBox* box) { return box->button(QMessageBox::Cancel); }, &text);
      QVERIFY(!window.close());
      QVERIFY(text.contains("1 run(s) are still training"));
      QVERIFY(window.isVisible());
      QCOMPARE(window.runManager()->liveCount(), 1);
      QVERIFY(::kill(static_cast<pid_t>(pid), 0) == 0);
      // 2. Keep running: the window closes, the run outlives it.
      clickInNextMessageBox(
          &window, [](QMessageBox* box) { return buttonWithText(box, "Keep running"); }, nullptr);
      QVERIFY(window.close());
    }
    QTest::qWait(300);
    QVERIFY2(::kill(static_cast<pid_t>(pid), 0) == 0, "a kept run must outlive the window");
    QCOMPARE(storedStatus(ws, id), std::string("running"));
    ::kill(static_cast<pid_t>(pid), SIGTERM);  // the engine's clean stop
    QTRY_COMPARE_WITH_TIMEOUT(storedStatus(ws, id), std::string("cancelled"), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(::kill(static_cast<pid_t>(pid), 0) != 0, 30000);

    // 3. Stop them: the window closes once the run has stopped cleanly.
    MainWindow window(ws, AppSettings(settings_.get()));
    QVERIFY(historyLoaded(window));
    window.show();
    EngineJob* job = start(window);
    QTRY_VERIFY_WITH_TIMEOUT(!job->runId().isEmpty(), 30000);
    const QString second = job->runId();
    const qint64 second_pid = job->pid();
    clickInNextMessageBox(
        &window, [](QMessageBox* box) { return buttonWithText(box, "Stop them"); }, nullptr);
    QVERIFY(window.close());
    QCOMPARE(storedStatus(ws, second), std::string("cancelled"));
    QTRY_VERIFY_WITH_TIMEOUT(::kill(static_cast<pid_t>(second_pid), 0) != 0, 30000);
  }

  void screenshotsOfThePages() {
    if (!haveEngine()) QSKIP("no temper engine (set TEMPER_ENGINE or build the `temper` target)");
    const QString labels = dir_.filePath("reviews.jsonl");
    for (Theme theme : {Theme::Light, Theme::Dark}) {
      applyTheme(*qApp, theme);
      const QString suffix = theme == Theme::Dark ? "-dark" : "";
      MainWindow window(workspace_, AppSettings(settings_.get()));
      QVERIFY(historyLoaded(window));
      window.resize(1280, 800);
      window.show();
      QVERIFY(QTest::qWaitForWindowExposed(&window));
      QSignalSpy loaded(window.comparePage(), &ComparePage::loaded);
      window.compareRuns(run_ids_);
      QVERIFY(loaded.wait(10000));
      shoot(&window, "compare" + suffix);

      window.showPage(MainWindow::kDatasetsPage);
      QSignalSpy data_inspected(window.datasetsPage(), &DatasetsPage::inspected);
      window.datasetsPage()->addPath(QFileInfo::exists(QStringLiteral(TEMPER_SHARED_DATA "/sft/wikisql-train.jsonl"))
                                         ? QStringLiteral(TEMPER_SHARED_DATA "/sft/wikisql-train.jsonl")
                                         : labels);
      QVERIFY(data_inspected.wait(60000));
      shoot(&window, "datasets" + suffix);

      window.showPage(MainWindow::kModelsPage);
      QSignalSpy model_inspected(window.modelsPage(), &ModelsPage::inspected);
      QVERIFY(window.modelsPage()->select(
          window.modelsPage()->libraryModel()->entryAt(window.modelsPage()->libraryModel()->rowCount() - 1).path));
      QVERIFY(model_inspected.wait(30000));
      shoot(&window, "models" + suffix);
    }
    applyTheme(*qApp, Theme::FollowSystem);
    qInfo("screenshots in %s", qPrintable(screenshots_));
  }
};

QTEST_MAIN(PagesTest)
#include "pages_test.moc"
