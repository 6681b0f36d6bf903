// The Models page's tree over a real store: a base folder the person added, two adapter runs of
// different kinds on it, a full run, and an adapter whose base is not in the list; the actions each
// row allows (merge-export for LoRA only), export --merge, evaluate and Open in Playground against
// a fake `temper` (a shell script logging its arguments), and Delete answering its confirmation.
// Screenshot models_adapters.png in ${TEMPER_BUILD_DIR}/screenshots.
#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>
#include <QTreeView>
#include <QtTest>
#include <functional>

#include "core/store/store.h"
#include "tests/ui/client/client_test_support.h"
#include "ui/client/engine_session.h"
#include "ui/client/run_history_model.h"
#include "ui/pages/library/library_model.h"
#include "ui/pages/models/model_tree.h"
#include "ui/pages/models/models_page.h"
#include "ui/pages/playground/playground_adapters.h"

using namespace temper;
using namespace temper::studio;
using temper::studio::testing::writeScript;

namespace {

// `model inspect DIR`: DIR/inspect.json; `eval`: a language model's answer; `export --out DIR`:
// makes DIR and says so. Every call's arguments go to $LOG.
QByteArray fakeEngine(const QString& log) {
  return "LOG='" + log.toUtf8() + "'\n" + R"(echo "args $*" >> "$LOG"
mode=; dir=; out=; prev=
for a in "$@"; do
  case "$prev" in inspect) dir="$a";; --out) out="$a";; esac
  case "$a" in inspect) mode=inspect;; eval) mode=eval;; export) mode=export;; esac
  prev="$a"
done
case "$mode" in
  inspect) if [ -f "$dir/inspect.json" ]; then cat "$dir/inspect.json"; exit 0; fi
           echo "error: $dir is not a model folder" >&2; exit 3;;
  eval) echo '{"tokens":101,"predicted_tokens":100,"mean_nll":1.5,"perplexity":4.4817}';;
  export) mkdir -p "$out"; printf '{"out":"%s","files":["config.json","model.safetensors"],"bytes":12}\n' "$out";;
esac
)";
}

bool writeFile(const QString& path, const QByteArray& body) {
  QDir().mkpath(QFileInfo(path).absolutePath());
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly)) return false;
  file.write(body);
  return true;
}

// Clicks a button of the next modal QMessageBox (polled from the event loop the box runs).
void clickInNextMessageBox(QObject* context, QMessageBox::StandardButton which) {
  auto* timer = new QTimer(context);
  timer->setInterval(20);
  QObject::connect(timer, &QTimer::timeout, timer, [timer, which] {
    auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
    if (!box) return;
    timer->stop();
    timer->deleteLater();
    box->button(which)->click();
  });
  timer->start();
}

}  // namespace

class ModelsTreeTest : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  QString workspace_, log_, base_, other_base_;
  QString lora_, prompt_, full_, orphan_;  // the runs' final/ folders
  QString lora_id_, prompt_id_, full_id_;
  std::unique_ptr<EngineSession> session_;
  std::unique_ptr<QSettings> settings_;

  // A finished run of `method` on `base` whose final/ holds `files`; its validation losses.
  QString finishedRun(const std::string& name, const std::string& method, const QString& base,
                      const QHash<QString, QByteArray>& files, QString* id_out) {
    Store store = Store::open((workspace_ + "/temper.db").toStdString());
    const std::string id = store.createRun({.name = name,
                                            .method = method,
                                            .base_model = base.toStdString(),
                                            .dataset = "/data/harbour-qa.jsonl",
                                            .config_json = "{}"});
    const QString final_dir = QString::fromStdString(store.findRun(id)->run_dir) + "/final";
    for (auto it = files.begin(); it != files.end(); ++it) writeFile(final_dir + "/" + it.key(), it.value());
    store.markRunning(id, 1);
    store.appendMetrics(
        id, {{.step = 10, .name = "val_loss", .value = 2.5}, {.step = 20, .name = "val_loss", .value = 1.25}});
    store.finishRun(id, "finished", "");
    if (id_out) *id_out = QString::fromStdString(id);
    return final_dir;
  }

  QHash<QString, QByteArray> adapterFiles(const QString& peft_type, const QString& kind, const QString& base) {
    return {{"adapter_config.json",
             QStringLiteral(R"({"peft_type":"%1","base_model_name_or_path":"%2"})").arg(peft_type, base).toUtf8()},
            {"adapter_model.safetensors", QByteArray(4096, 'a')},
            {"inspect.json", QStringLiteral(R"({"adapter":true,"kind":"%1","peft_type":"%2","base":"%3",)"
                                            R"("base_on_disk":true,"targets":["c_attn"],"settings":{"r":8,)"
                                            R"("lora_alpha":16},"trainable_parameters":4096,"bytes":4096})")
                                 .arg(kind, peft_type, base)
                                 .toUtf8()}};
  }

  std::unique_ptr<RunHistoryModel> history() {
    auto model = std::make_unique<RunHistoryModel>(workspace_ + "/temper.db");
    if (!model->reload()) qWarning("history not read");
    return model;
  }

  bool selectAndWait(ModelsPage& page, const QString& path) {
    QSignalSpy inspected(&page, &ModelsPage::inspected);
    return page.select(path) && inspected.wait(10000);
  }

  QStringList logLines() {
    QFile file(log_);
    if (!file.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    workspace_ = dir_.filePath("ws");
    QDir().mkpath(workspace_);
    log_ = dir_.filePath("engine.log");
    session_ = std::make_unique<EngineSession>(writeScript(QDir(dir_.path()), "temper", fakeEngine(log_)), workspace_);
    settings_ = std::make_unique<QSettings>(dir_.filePath("settings.ini"), QSettings::IniFormat);
    base_ = dir_.filePath("models/harbour-base");
    writeFile(base_ + "/config.json", "{}");
    writeFile(base_ + "/model.safetensors", QByteArray(100000, 'w'));
    writeFile(base_ + "/inspect.json",
              R"({"family":"gpt2","task":"causal-lm","architecture":"GPT2LMHeadModel","parameters":1000,)"
              R"("layers":2,"hidden":64,"heads":4,"ctx":128,"vocab":300,"dtype":"F32","bytes":100000})");
    other_base_ = dir_.filePath("models/gone-base");  // never written: not on this machine
    setAddedPaths(settings_.get(), workspace_, "models", {base_});

    lora_ = finishedRun("harbour lora", "sft", base_, adapterFiles("LORA", "lora", base_), &lora_id_);
    prompt_ = finishedRun("harbour prompt", "continued-pretrain", base_,
                          adapterFiles("PROMPT_TUNING", "prompt-tuning", base_), &prompt_id_);
    full_ = finishedRun("harbour full", "sft", base_,
                        {{"config.json", "{}"},
                         {"model.safetensors", QByteArray(2048, 'f')},
                         {"inspect.json", R"({"family":"gpt2","task":"causal-lm","parameters":1000})"}},
                        &full_id_);
    orphan_ = finishedRun("orphan lora", "sft", other_base_, adapterFiles("LORA", "lora", other_base_), nullptr);
  }

  void adaptersAreChildrenOfTheirBase() {
    auto runs = history();
    ModelsPage page(runs.get(), settings_.get(), session_.get());
    QAbstractItemModelTester tester(page.treeModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    page.setWorkspace(workspace_);
    ModelTreeModel* tree = page.treeModel();
    // The added base, the full run (newest first, as the history lists runs), then the base that is
    // not in the list.
    QCOMPARE(tree->rowCount(), 3);
    const QModelIndex base = tree->index(0, 0);
    QCOMPARE(base.data().toString(), QStringLiteral("harbour-base"));
    QCOMPARE(tree->index(0, ModelTreeModel::kKind).data().toString(), QStringLiteral("Model (added)"));
    QCOMPARE(tree->rowCount(base), 2);
    QStringList children, kinds;
    for (int r = 0; r < 2; ++r) {
      children << tree->index(r, ModelTreeModel::kName, base).data().toString();
      kinds << tree->index(r, ModelTreeModel::kKind, base).data().toString();
    }
    QCOMPARE(children, (QStringList{"harbour prompt", "harbour lora"}));
    QCOMPARE(kinds, (QStringList{"Prompt tuning", "LoRA"}));
    const int lora_row = 1;
    QCOMPARE(tree->index(lora_row, ModelTreeModel::kMethod, base).data().toString(), QStringLiteral("sft"));
    QCOMPARE(tree->index(lora_row, ModelTreeModel::kData, base).data().toString(), QStringLiteral("harbour-qa.jsonl"));
    QCOMPARE(tree->index(lora_row, ModelTreeModel::kMetric, base).data().toString(), QStringLiteral("val loss 1.250"));
    QVERIFY(tree->index(lora_row, ModelTreeModel::kSize, base).data().toString().contains("KiB"));
    QCOMPARE(tree->index(lora_row, 0, base).data(LibraryModel::kPathRole).toString(), lora_);

    const QModelIndex full = tree->index(1, 0);
    QCOMPARE(full.data().toString(), QStringLiteral("harbour full"));
    QCOMPARE(tree->index(1, ModelTreeModel::kKind).data().toString(), QStringLiteral("Model (run)"));
    QCOMPARE(tree->rowCount(full), 0);

    const QModelIndex gone = tree->index(2, 0);
    QCOMPARE(gone.data().toString(), QStringLiteral("gone-base"));
    QCOMPARE(tree->index(2, ModelTreeModel::kKind).data().toString(), QStringLiteral("Model (not added)"));
    QCOMPARE(tree->rowCount(gone), 1);
    QCOMPARE(tree->index(0, 0, gone).data(LibraryModel::kPathRole).toString(), orphan_);
    // The Playground's flat list still has every run's folder.
    QCOMPARE(page.libraryModel()->rowCount(), 5);
  }

  void actionsFollowTheKind() {
    auto runs = history();
    ModelsPage page(runs.get(), settings_.get(), session_.get());
    page.setWorkspace(workspace_);

    QVERIFY(selectAndWait(page, lora_));
    QVERIFY2(page.hasInspection(), qPrintable(page.lastError()));
    QCOMPARE(page.adapterValue("kind"), QStringLiteral("LoRA"));
    QCOMPARE(page.adapterValue("base"), base_);
    QVERIFY(page.adapterValue("settings").contains("lora_alpha 16"));
    QCOMPARE(page.adapterValue("trainable"), QStringLiteral("4.10 k (4,096)"));
    QVERIFY(page.mergeButton()->isEnabled());
    QVERIFY(page.exportButton()->isEnabled());
    QVERIFY(page.deleteButton()->isEnabled());
    QVERIFY(page.playgroundButton()->isEnabled());
    QVERIFY(page.evaluateButton()->isEnabled());
    QVERIFY(!page.newRunButton()->isEnabled());

    QVERIFY(selectAndWait(page, prompt_));
    QCOMPARE(page.adapterValue("kind"), QStringLiteral("Prompt tuning"));
    QVERIFY(!page.mergeButton()->isEnabled());
    QVERIFY(page.exportButton()->isEnabled());
    QVERIFY(page.deleteButton()->isEnabled());
    QVERIFY(page.playgroundButton()->isEnabled());

    QVERIFY(selectAndWait(page, full_));
    QVERIFY(!page.mergeButton()->isEnabled());
    QVERIFY(page.exportButton()->isEnabled());
    QVERIFY(!page.deleteButton()->isEnabled());  // a run's model goes with its run
    QVERIFY(page.newRunButton()->isEnabled());

    QVERIFY(selectAndWait(page, base_));
    QCOMPARE(page.summaryValue("family"), QStringLiteral("gpt2"));
    QVERIFY(!page.mergeButton()->isEnabled());
    QVERIFY(!page.exportButton()->isEnabled());
    QVERIFY(!page.deleteButton()->isEnabled());  // never a base model folder
    QVERIFY(page.playgroundButton()->isEnabled());
    QVERIFY(page.newRunButton()->isEnabled());

    // The base that is not added, and not on this machine: shown, nothing to open.
    QVERIFY(selectAndWait(page, other_base_));
    QVERIFY(!page.hasInspection());
    QVERIFY(!page.playgroundButton()->isEnabled());
    QVERIFY(!page.deleteButton()->isEnabled());
  }

  void mergeExportEvaluateAndPlayground() {
    auto runs = history();
    ModelsPage page(runs.get(), settings_.get(), session_.get());
    page.setWorkspace(workspace_);
    QVERIFY(selectAndWait(page, lora_));

    QSignalSpy exported(&page, &ModelsPage::exportFinished);
    const QString out = dir_.filePath("merged");
    page.startExport(lora_id_, out, true);
    QVERIFY(exported.wait(10000));
    QVERIFY2(exported.at(0).at(0).toBool(), qPrintable(exported.at(0).at(1).toString()));
    QVERIFY2(logLines().contains(QStringLiteral("args --workspace %1 export --run %2 --out %3 --merge --json")
                                     .arg(workspace_, lora_id_, out)),
             qPrintable(logLines().join('\n')));

    QSignalSpy evaluated(&page, &ModelsPage::evaluationFinished);
    const QString text = dir_.filePath("val.txt");
    writeFile(text, "The boats are back.\n");
    QVERIFY(page.startEvaluation(text));
    QVERIFY(!page.evaluateButton()->isEnabled());
    QVERIFY(evaluated.wait(10000));
    QVERIFY2(evaluated.at(0).at(0).toBool(), qPrintable(evaluated.at(0).at(1).toString()));
    QVERIFY2(page.evaluationMessage().startsWith("harbour lora on val.txt: mean NLL 1.5000"),
             qPrintable(page.evaluationMessage()));
    QVERIFY(logLines().contains(
        QStringLiteral("args --workspace %1 eval --model %2 --data %3 --json").arg(workspace_, lora_, text)));
    QVERIFY(page.evaluateButton()->isEnabled());

    QSignalSpy playground(&page, &ModelsPage::openInPlaygroundRequested);
    page.playgroundButton()->click();
    QCOMPARE(playground.size(), 1);
    QCOMPARE(playground.at(0).at(0).toString(), lora_);
  }

  void screenshot() {
    auto runs = history();
    ModelsPage page(runs.get(), settings_.get(), session_.get());
    page.setWorkspace(workspace_);
    page.resize(1400, 720);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QVERIFY(selectAndWait(page, lora_));
    QTest::qWait(50);  // the state line is laid out again once the busy bar is hidden
    const QString dir = QStringLiteral(TEMPER_BUILD_DIR "/screenshots");
    QDir().mkpath(dir);
    QVERIFY(page.grab().save(dir + "/models_adapters.png"));
  }

  void anAdapterOnInThePlaygroundIsNotDeleted() {
    auto runs = history();
    ModelsPage page(runs.get(), settings_.get(), session_.get());
    page.setWorkspace(workspace_);
    QString in_playground = prompt_;
    page.setFolderInUse([&](const QString& dir) { return dir == in_playground; });
    QVERIFY(selectAndWait(page, prompt_));
    QVERIFY(!page.deleteButton()->isEnabled());
    QVERIFY2(page.deleteButton()->toolTip().contains("Playground"), qPrintable(page.deleteButton()->toolTip()));
    QVERIFY(!page.deleteSelectedAdapter());
    QVERIFY(QFileInfo(prompt_).isDir());
    in_playground.clear();  // switched off there
    QVERIFY(selectAndWait(page, lora_));
    QVERIFY(selectAndWait(page, prompt_));
    QVERIFY(page.deleteButton()->isEnabled());
  }

  void deleteRemovesTheFinalFolderAfterConfirmation() {
    auto runs = history();
    ModelsPage page(runs.get(), settings_.get(), session_.get());
    page.setWorkspace(workspace_);
    QVERIFY(selectAndWait(page, prompt_));
    QVERIFY(page.deleteButton()->isEnabled());
    clickInNextMessageBox(&page, QMessageBox::Cancel);
    QVERIFY(!page.deleteSelectedAdapter());
    QVERIFY(QFileInfo(prompt_).isDir());
    clickInNextMessageBox(&page, QMessageBox::Yes);
    QVERIFY(page.deleteSelectedAdapter());
    QVERIFY(!QFileInfo(prompt_).exists());
    QVERIFY(QFileInfo(prompt_).dir().exists());  // the run's folder stays, and the run with it
    QVERIFY(runs->rowOf(prompt_id_) >= 0);
    const QModelIndex base = page.treeModel()->index(0, 0);
    QCOMPARE(page.treeModel()->rowCount(base), 1);
    QCOMPARE(page.treeModel()->index(0, 0, base).data().toString(), QStringLiteral("harbour lora"));
    QVERIFY(QFileInfo(base_ + "/model.safetensors").exists());
  }

  // A classify run's LoRA (SEQ_CLS) sits under its base like any adapter, merges and evaluates, but
  // does not chat: the Playground would refuse it.
  void classifierAdapterDoesNotOpenInThePlayground() {
    QHash<QString, QByteArray> files = adapterFiles("LORA", "lora", base_);
    files["adapter_config.json"] = QStringLiteral(R"({"peft_type":"LORA","task_type":"SEQ_CLS",)"
                                                  R"("base_model_name_or_path":"%1"})")
                                       .arg(base_)
                                       .toUtf8();
    const QString classifier = finishedRun("harbour topics", "classify", base_, files, nullptr);
    auto runs = history();
    ModelsPage page(runs.get(), settings_.get(), session_.get());
    page.setWorkspace(workspace_);
    QVERIFY(selectAndWait(page, classifier));
    QCOMPARE(page.adapterValue("kind"), QStringLiteral("LoRA"));
    QVERIFY(!page.playgroundButton()->isEnabled());
    QVERIFY(page.mergeButton()->isEnabled());
    QVERIFY(page.evaluateButton()->isEnabled());
    QVERIFY(readAdapterFolder(classifier)->classifier);
    QVERIFY(!readAdapterFolder(lora_)->classifier);
  }
};

QTEST_MAIN(ModelsTreeTest)
#include "models_tree_test.moc"
