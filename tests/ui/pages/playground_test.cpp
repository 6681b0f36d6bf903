// The Playground page and the run view's checkpoint actions against the real engine: a tiny model
// pretrained here (and a classifier finetuned from it), chatted with through `temper chat --json`;
// the greedy answers are checked against the engine's terminal chat, perplexity against
// exp(mean NLL). Screenshots playground.png and playground-dark.png in ${TEMPER_BUILD_DIR}/screenshots.
#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

#include "core/store/store.h"
#include "ui/client/chat_session.h"
#include "ui/client/engine_session.h"
#include "ui/client/run_history_model.h"
#include "ui/pages/library/library_model.h"
#include "ui/pages/models/models_page.h"
#include "ui/pages/playground/arena_panel.h"
#include "ui/pages/playground/playground_page.h"
#include "ui/pages/playground/playground_settings_panel.h"
#include "ui/pages/run_view/checkpoint_eval.h"
#include "ui/pages/run_view/run_view.h"
#include "ui/plot/live_run_plot.h"
#include "ui/plot/run_plot_canvas.h"
#include "ui/shell/app_settings.h"
#include "ui/shell/main_window.h"
#include "ui/shell/theme.h"
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

// The answers a page receives, in order.
struct AnswerLog {
  QVector<ChatAnswerEnd> ends;
  explicit AnswerLog(ChatSession* chat) {
    QObject::connect(chat, &ChatSession::answerEnded, chat, [this](const ChatAnswerEnd& end) { ends << end; });
  }
};

}  // namespace

class PlaygroundTest : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  QString engine_;
  QString workspace_;
  std::unique_ptr<EngineSession> session_;  // what the main window gives its pages
  QString run_id_;
  QString final_dir_;
  QString checkpoint_dir_;  // step-30
  QString classifier_dir_;
  QString classify_run_id_;
  QString screenshots_;
  std::unique_ptr<QSettings> settings_;

  bool haveEngine() const { return QFileInfo(engine_).isExecutable(); }

  bool tool(const QStringList& args, QByteArray* out = nullptr, const QByteArray& input = {}) {
    QProcess p;
    p.start(engine_, args);
    if (!input.isEmpty()) p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(240000) || p.exitCode() != 0) {
      qWarning("temper %s: %s", qPrintable(args.join(' ')), p.readAllStandardError().constData());
      return false;
    }
    if (out) *out = p.readAllStandardOutput();
    return true;
  }

  // A page with the engine and a loaded model, greedy and short.
  std::unique_ptr<PlaygroundPage> loadedPage(const QString& dir, int max_new_tokens = 12) {
    auto page = std::make_unique<PlaygroundPage>();
    page->setEngine(session_.get());
    page->temperatureBox()->setValue(0.0);
    page->maxNewTokensBox()->setValue(max_new_tokens);
    QSignalSpy settled(page.get(), &PlaygroundPage::modelSettled);
    page->openModel(dir);
    if (!settled.wait(60000)) qWarning("the model did not load: %s", qPrintable(page->modelStatusText()));
    return page;
  }

  bool ask(PlaygroundPage* page, const QString& text, AnswerLog& log) {
    const int before = log.ends.size();
    page->input()->setPlainText(text);
    if (!page->sendInput()) return false;
    return QTest::qWaitFor([&] { return log.ends.size() > before; }, 60000);
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
    session_ = std::make_unique<EngineSession>(engine_, workspace_);
    if (!haveEngine()) return;  // the cases skip
    qputenv("TEMPER_ENGINE", engine_.toUtf8());
    QByteArray corpus;
    for (int i = 0; i < 200; ++i) {
      corpus += "The harbour lights came on one by one as the boats returned.\n";
      corpus += "User: Hello there\nAssistant: The boats are back and the harbour is calm.\n";
    }
    QVERIFY(writeFile(dir_.filePath("corpus.txt"), corpus));
    const QString tokenizer = dir_.filePath("tok.model");
    QVERIFY(tool({"tokenizer", "train", "--input", dir_.filePath("corpus.txt"), "--vocab-size", "48", "--model-type",
                  "char", "--out", tokenizer}));
    QVERIFY(tool({"data", "prepare", "--tokenizer", tokenizer, "--input", dir_.filePath("corpus.txt"), "--out",
                  dir_.filePath("data")}));
    // 300 steps of lr 0.01: enough for the greedy answer to "Hello there" to be the corpus's.
    const QStringList pretrain = QStringLiteral(
                                     "train --layers 1 --dim 32 --heads 2 --ctx 128 --batch-size 8 --lr 0.01 "
                                     "--max-steps 300 --warmup-steps 0 --eval-every 100 --eval-batches 2 "
                                     "--checkpoint-every 30 --threads 1 --name harbour --sample-tokens 8")
                                     .split(' ');
    QVERIFY(tool(QStringList{"--workspace", workspace_} + pretrain + QStringList{"--data", dir_.filePath("data")}));
    auto store = Store::openReadOnly((workspace_ + "/temper.db").toStdString());
    const RunRecord run = store.listRuns().at(0);
    run_id_ = QString::fromStdString(run.id);
    final_dir_ = QString::fromStdString(run.run_dir) + "/final";
    checkpoint_dir_ = QString::fromStdString(run.run_dir) + "/checkpoints/step-30";
    QVERIFY(QFileInfo::exists(checkpoint_dir_ + "/model.safetensors"));
    // A classifier finetuned from it: two kinds of text that differ in every word.
    QByteArray labels = "text,label\n";
    for (int i = 0; i < 40; ++i) {
      labels += i % 2 == 0 ? QByteArray("\"the river was calm and bright\",calm\n")
                           : QByteArray("\"storm, thunder and rain again\",storm\n");
    }
    QVERIFY(writeFile(dir_.filePath("labels.csv"), labels));
    const QStringList classify =
        QStringLiteral(
            "train --method classify --batch-size 4 --max-steps 20 --warmup-steps 0 --lr 0.003 "
            "--eval-every 10 --eval-batches 2 --checkpoint-every 10 --threads 1 --ctx 64")
            .split(' ');
    QVERIFY(tool(QStringList{"--workspace", workspace_} + classify +
                 QStringList{"--base", final_dir_, "--data", dir_.filePath("labels.csv"), "--name", "calm or storm"}));
    for (const RunRecord& r : Store::openReadOnly((workspace_ + "/temper.db").toStdString()).listRuns()) {
      if (r.method == "classify") {
        classify_run_id_ = QString::fromStdString(r.id);
        classifier_dir_ = QString::fromStdString(r.run_dir) + "/final";
      }
    }
    QVERIFY(QFileInfo::exists(classifier_dir_));
  }

  void greedyAnswersEqualTheEnginesTerminalChat() {
    if (!haveEngine()) QSKIP("no temper engine (set TEMPER_ENGINE or build the `temper` target)");
    QByteArray reference;
    QVERIFY(tool({"chat", "--model", final_dir_, "--temperature", "0", "--max-new-tokens", "12", "--threads", "1"},
                 &reference, "Hello there\nAnd the boats?\n"));
    const QStringList expected = QString::fromUtf8(reference).split('\n');
    QVERIFY2(expected.size() >= 2, reference.constData());

    auto page = loadedPage(final_dir_);
    QCOMPARE(page->chat()->state(), ChatSession::State::Ready);
    QVERIFY2(page->modelStatusText().contains("plain chat template"), qPrintable(page->modelStatusText()));
    QVERIFY(page->modelStatusText().contains("context 128"));
    AnswerLog log(page->chat());
    QVERIFY(ask(page.get(), "Hello there", log));
    QCOMPARE(page->transcript().size(), 2);
    QCOMPARE(page->transcript()[0].role, PlaygroundMessage::Role::User);
    QCOMPARE(page->transcript()[1].text, expected[0]);
    QCOMPARE(log.ends[0].text, expected[0]);
    QCOMPARE(log.ends[0].reused_tokens, 0);
    QVERIFY(!page->stopButton()->isEnabled());
    QVERIFY(page->sendButton()->isEnabled());

    // Ctrl+Enter sends; the second turn extends the first, so the cache is reused.
    page->input()->setPlainText("And the boats?");
    QTest::keyClick(page->input(), Qt::Key_Return, Qt::ControlModifier);
    QVERIFY(QTest::qWaitFor([&] { return log.ends.size() == 2; }, 60000));
    QCOMPARE(page->transcript().size(), 4);
    QCOMPARE(page->transcript()[3].text, expected[1]);
    QVERIFY(page->input()->toPlainText().isEmpty());
    QVERIFY(log.ends[1].reused_tokens > 20);
    const QString status = page->statusText();
    QVERIFY2(status.contains(QStringLiteral("%1 from the cache").arg(log.ends[1].reused_tokens)), qPrintable(status));
    QVERIFY(status.contains("tokens/s"));

    // A plain Enter is a new line in the message, not a send.
    page->input()->setPlainText("two");
    QTest::keyClick(page->input(), Qt::Key_Return);
    QCOMPARE(log.ends.size(), 2);
    QVERIFY(page->input()->toPlainText().contains('\n'));

    // New conversation: the transcript empties and the first answer comes again, nothing reused.
    QSignalSpy reset(page->chat(), &ChatSession::resetDone);
    page->newConversationButton()->click();
    QVERIFY(reset.wait(10000));
    QVERIFY(page->transcript().isEmpty());
    QVERIFY(ask(page.get(), "Hello there", log));
    QCOMPARE(log.ends[2].text, expected[0]);
    QCOMPARE(log.ends[2].reused_tokens, 0);
  }

  void multiLineMessagesSystemPromptAndSampling() {
    if (!haveEngine()) QSKIP("no temper engine (set TEMPER_ENGINE or build the `temper` target)");
    auto page = loadedPage(final_dir_, 4);
    AnswerLog log(page->chat());
    QVERIFY(ask(page.get(), "one", log));
    page->newConversation();
    // A message with newlines goes as one message: the char tokenizer makes the prompt grow by
    // exactly the characters added.
    QVERIFY(ask(page.get(), "one\ntwo\nthree", log));
    QCOMPARE(page->transcript()[0].text, QStringLiteral("one\ntwo\nthree"));
    QCOMPARE(log.ends[1].prompt_tokens - log.ends[0].prompt_tokens, qint64(QStringLiteral("\ntwo\nthree").size()));
    // The system prompt is rendered before the conversation ("System: …\n\n" in plain).
    page->newConversation();
    page->systemPrompt()->setPlainText("Be brief.");
    QVERIFY(ask(page.get(), "one", log));
    QCOMPARE(log.ends[2].prompt_tokens - log.ends[0].prompt_tokens,
             qint64(QStringLiteral("System: Be brief.\n\n").size()));
    // Max new tokens from the box.
    page->maxNewTokensBox()->setValue(2);
    QVERIFY(ask(page.get(), "again", log));
    QVERIFY(log.ends[3].tokens <= 2);
    // The same seed after New conversation samples the same answer.
    page->temperatureBox()->setValue(1.5);
    page->maxNewTokensBox()->setValue(24);
    page->seedBox()->setValue(11);
    page->systemPrompt()->clear();
    page->newConversation();
    QVERIFY(ask(page.get(), "Hello there", log));
    const QString sampled = log.ends.last().text;
    page->newConversation();
    page->seedBox()->setValue(12);
    QVERIFY(ask(page.get(), "Hello there", log));
    page->newConversation();
    page->seedBox()->setValue(11);
    QVERIFY(ask(page.get(), "Hello there", log));
    QCOMPARE(log.ends.last().text, sampled);
  }

  void stopEndsTheAnswer() {
    if (!haveEngine()) QSKIP("no temper engine (set TEMPER_ENGINE or build the `temper` target)");
    auto page = loadedPage(final_dir_, 100000);  // the context (128) ends it otherwise
    AnswerLog log(page->chat());
    QVERIFY(ask(page.get(), "Hello there", log));
    const qint64 full = log.ends[0].tokens;
    QVERIFY2(full > 5, qPrintable(log.ends[0].reason));
    page->newConversation();
    page->input()->setPlainText("Hello there");
    QVERIFY(page->sendInput());
    QVERIFY(page->stopButton()->isEnabled());
    page->stopButton()->click();
    QVERIFY(QTest::qWaitFor([&] { return log.ends.size() == 2; }, 60000));
    QCOMPARE(log.ends[1].reason, QStringLiteral("interrupted"));
    QVERIFY(log.ends[1].tokens < full);
    QVERIFY(page->statusText().contains("stopped"));
    QVERIFY(!page->stopButton()->isEnabled());
    QVERIFY(page->sendButton()->isEnabled());
  }

  void classifiersAndBadFoldersAreShownNotChatted() {
    if (!haveEngine()) QSKIP("no temper engine (set TEMPER_ENGINE or build the `temper` target)");
    auto page = loadedPage(classifier_dir_);
    QVERIFY(page->showsClassifier());
    QVERIFY2(page->classifierText().contains("calm, storm"), qPrintable(page->classifierText()));
    QVERIFY(!page->sendButton()->isEnabled());
    QCOMPARE(page->chat()->state(), ChatSession::State::Idle);
    // The engine itself refuses to chat with a classifier, with its reason.
    ChatSession chat;
    QSignalSpy failed(&chat, &ChatSession::failed);
    chat.start(engine_, classifier_dir_);
    QVERIFY(failed.wait(60000));
    QVERIFY2(chat.failure().contains("not a language model"), qPrintable(chat.failure()));

    QDir().mkpath(dir_.filePath("not-a-model"));
    auto bad = loadedPage(dir_.filePath("not-a-model"));
    QVERIFY2(bad->modelStatusText().startsWith("Could not chat with"), qPrintable(bad->modelStatusText()));
    QVERIFY(bad->modelStatusText().contains("not-a-model"));
    QVERIFY(!bad->sendButton()->isEnabled());
  }

  void runViewEvaluatesCheckpoints() {
    if (!haveEngine()) QSKIP("no temper engine (set TEMPER_ENGINE or build the `temper` target)");
    RunView view(workspace_ + "/temper.db", workspace_);
    view.setEngine(session_.get());
    view.showStoredRun(run_id_);
    QTRY_VERIFY_WITH_TIMEOUT(!view.checkpointPath(30).isEmpty(), 10000);
    QCOMPARE(QDir(view.checkpointPath(30)).canonicalPath(), QDir(checkpoint_dir_).canonicalPath());
    QVERIFY(!view.evaluateCheckpoint(31, dir_.filePath("corpus.txt")));  // no checkpoint there
    QVERIFY(view.evaluateCheckpoint(30, dir_.filePath("corpus.txt")));
    QVERIFY(view.isEvaluating());
    QTRY_VERIFY_WITH_TIMEOUT(!view.isEvaluating(), 120000);
    const QString text = view.evaluationText();
    QRegularExpression numbers(QStringLiteral("mean NLL ([0-9.]+) · perplexity ([0-9.]+)"));
    const auto match = numbers.match(text);
    QVERIFY2(match.hasMatch(), qPrintable(text));
    QVERIFY(text.startsWith("Step 30 on corpus.txt"));
    const double nll = match.captured(1).toDouble();
    QVERIFY(nll > 0 && nll < std::log(48.0));  // trained: below a uniform guess over the vocabulary
    QVERIFY(std::abs(match.captured(2).toDouble() - std::exp(nll)) < 0.01 * std::exp(nll));

    // A classifier run: accuracy and per-label figures on labelled records.
    RunView classify(workspace_ + "/temper.db", workspace_);
    classify.setEngine(session_.get());
    classify.showStoredRun(classify_run_id_);
    QTRY_VERIFY_WITH_TIMEOUT(!classify.checkpointPath(20).isEmpty(), 10000);
    QCOMPARE(classify.method(), QStringLiteral("classify"));
    QVERIFY(classify.evaluateCheckpoint(20, dir_.filePath("labels.csv")));
    QTRY_VERIFY_WITH_TIMEOUT(!classify.isEvaluating(), 120000);
    const QString figures = classify.evaluationText();
    QVERIFY2(figures.contains("accuracy") && figures.contains("macro-F1") && figures.contains("on 40 records"),
             qPrintable(figures));
    QVERIFY(figures.contains("calm: precision") && figures.contains("storm: precision"));
    // The wrong kind of file: the engine's error is shown.
    QVERIFY(classify.evaluateCheckpoint(20, dir_.filePath("corpus.txt")));
    QTRY_VERIFY_WITH_TIMEOUT(!classify.isEvaluating(), 120000);
    QVERIFY2(classify.evaluationText().contains("failed"), qPrintable(classify.evaluationText()));
  }

  void summariesOfHandWrittenAnswers() {
    const QString lm = CheckpointEvaluation::summarize(
        QJsonDocument::fromJson(R"({"tokens":100,"predicted_tokens":99,"mean_nll":1.5,"perplexity":4.4817})").object());
    QCOMPARE(lm, QStringLiteral("mean NLL 1.5000 · perplexity 4.482 over 99 predicted tokens"));
    const QString cls = CheckpointEvaluation::summarize(QJsonDocument::fromJson(R"({"task":"classify","examples":4,
        "truncated":0,"accuracy":0.75,"mean_nll":0.5,"macro_f1":0.7333,"labels":["a","b"],
        "per_label":{"a":{"support":2,"precision":1.0,"recall":0.5,"f1":0.6667},
                     "b":{"support":2,"precision":0.6667,"recall":1.0,"f1":0.8}}})")
                                                            .object());
    QCOMPARE(cls, QStringLiteral("accuracy 0.750 · macro-F1 0.733 · mean NLL 0.5000 on 4 records\n"
                                 "  a: precision 1.000, recall 0.500, F1 0.667 (2 records)\n"
                                 "  b: precision 0.667, recall 1.000, F1 0.800 (2 records)"));
  }

  void openInPlaygroundFromTheRunView() {
    if (!haveEngine()) QSKIP("no temper engine (set TEMPER_ENGINE or build the `temper` target)");
    MainWindow window(workspace_, AppSettings(settings_.get()));
    QVERIFY(historyLoaded(window));
    RunView* view = window.openRun(run_id_);
    QTRY_VERIFY_WITH_TIMEOUT(!view->checkpointPath(30).isEmpty(), 10000);
    auto* plot = qobject_cast<LiveRunPlot*>(view->plot());
    QVERIFY(plot->canvas()->selectCheckpoint(run_id_, 30));
    QPushButton* open = nullptr;
    QPushButton* evaluate = nullptr;
    for (QPushButton* b : plot->findChildren<QPushButton*>()) {
      if (b->text() == "Open in playground") open = b;
      if (b->text() == "Evaluate") evaluate = b;
    }
    QVERIFY(open && evaluate);
    QVERIFY(open->isEnabled());
    QVERIFY(evaluate->isEnabled());
    QSignalSpy settled(window.playgroundPage(), &PlaygroundPage::modelSettled);
    open->click();
    QCOMPARE(window.currentPage(), MainWindow::kPlaygroundPage);
    QCOMPARE(window.playgroundPage()->modelBox()->currentData().toString(),
             QDir(view->checkpointPath(30)).absolutePath());
    QVERIFY(settled.wait(60000));
    QCOMPARE(window.playgroundPage()->chat()->state(), ChatSession::State::Ready);
    // The Models page's list (the runs' final models) is offered too.
    QVERIFY(window.playgroundPage()->modelBox()->findData(QDir(final_dir_).absolutePath()) >= 0 ||
            window.playgroundPage()->modelBox()->findData(final_dir_) >= 0);

    // A classifier run's checkpoints cannot be opened in the playground.
    RunView* classify = window.openRun(classify_run_id_);
    QTRY_VERIFY_WITH_TIMEOUT(!classify->checkpointPath(20).isEmpty(), 10000);
    auto* classify_plot = qobject_cast<LiveRunPlot*>(classify->plot());
    QVERIFY(classify_plot->canvas()->selectCheckpoint(classify_run_id_, 20));
    for (QPushButton* b : classify_plot->findChildren<QPushButton*>()) {
      if (b->text() == "Open in playground") QVERIFY(!b->isEnabled());
      if (b->text() == "Evaluate") QVERIFY(b->isEnabled());
    }
  }

  void wizardNamesTheSeedItStartsFrom() {
    if (!haveEngine()) QSKIP("no temper engine (set TEMPER_ENGINE or build the `temper` target)");
    MainWindow window(workspace_, AppSettings(settings_.get()));
    QVERIFY(historyLoaded(window));
    window.show();
    ModelsPage* models = window.modelsPage();
    int row = -1;
    for (int r = 0; r < models->libraryModel()->rowCount(); ++r) {
      if (QDir(models->libraryModel()->entryAt(r).path) == QDir(final_dir_)) row = r;
    }
    QVERIFY(row >= 0);
    const LibraryEntry entry = models->libraryModel()->entryAt(row);
    QSignalSpy inspected(models, &ModelsPage::inspected);
    QVERIFY(models->select(entry.path));
    QVERIFY(inspected.wait(30000));
    QSignalSpy requested(models, &ModelsPage::newRunRequested);
    models->newRunButton()->click();
    QCOMPARE(requested.size(), 1);
    QCOMPARE(requested.at(0).at(1).toString(), QStringLiteral("From model %1").arg(entry.name));
    auto* wizard = window.findChild<FinetuneWizard*>();
    QVERIFY(wizard);
    QTRY_VERIFY_WITH_TIMEOUT(wizard->engineReady(), 30000);
    QStringList shown;
    for (QComboBox* box : wizard->findChildren<QComboBox*>()) shown << box->currentText();
    QVERIFY2(shown.contains(QStringLiteral("From model %1").arg(entry.name)), qPrintable(shown.join(" | ")));
    QVERIFY(!shown.contains(QStringLiteral("The run being duplicated")));
    wizard->close();
    delete wizard;
  }

  // Compare answers: the final model against its step-30 checkpoint, blind; the vote is stored as
  // a pair with both sources' provenance and a label with the side shown left.
  void compareAnswersStoresTheVoteAsAPair() {
    if (!haveEngine()) QSKIP("no temper engine (set TEMPER_ENGINE or build the `temper` target)");
    const QString database = dir_.filePath("arena.db");
    PlaygroundPage page;
    page.setEngine(session_.get());
    page.setPreferenceStore(database, settings_.get());
    page.showCompareMode(true);
    page.resize(1280, 800);
    page.show();
    ArenaPanel* arena = page.arena();
    arena->settingsPanel()->temperatureBox()->setValue(0.9);
    arena->settingsPanel()->maxNewTokensBox()->setValue(24);
    arena->setBox()->setCurrentText("arena-test");
    QSignalSpy ready(arena, &ArenaPanel::bothReady);
    arena->openSources(final_dir_, checkpoint_dir_);
    QVERIFY2(ready.wait(60000), qPrintable(arena->statusLabel()->text()));
    arena->promptBox()->setPlainText("Hello there");
    QSignalSpy answered(arena, &ArenaPanel::bothAnswered);
    QVERIFY(arena->askBoth());
    QVERIFY(answered.wait(60000));
    const bool first_left = arena->firstShownLeft();
    const QString first_text = (first_left ? arena->leftView() : arena->rightView())->toPlainText();
    const QString second_text = (first_left ? arena->rightView() : arena->leftView())->toPlainText();
    QVERIFY(!first_text.isEmpty() && !second_text.isEmpty());
    if (first_text == second_text) QSKIP("both sources gave the same answer: nothing to vote on");
    QVERIFY(!arena->statusLabel()->text().contains("step-30"));  // blind until the vote
    QSignalSpy voted(arena, &ArenaPanel::voted);
    QVERIFY(arena->vote(ShownChoice::Left));
    QCOMPARE(voted.count(), 1);
    // "A was <run>; B was <run> · step-30" (or the other way round): the checkpoint is the side that
    // showed source B.
    const QRegularExpression checkpoint_side(first_left ? "; B was [^;]*step-30" : "A was [^;]*step-30;");
    QVERIFY2(arena->statusLabel()->text().contains(checkpoint_side), qPrintable(arena->statusLabel()->text()));
    QVERIFY(!arena->vote(ShownChoice::Right));  // one vote per round

    Store store = Store::openReadOnly(database.toStdString());
    const auto set = store.findPreferenceSet("arena-test");
    QVERIFY(set.has_value());
    const auto pairs = store.preferencePairs(set->id);
    QCOMPARE(pairs.size(), size_t(1));
    QCOMPARE(QString::fromStdString(pairs[0].completion_a), first_text);
    QCOMPARE(QString::fromStdString(pairs[0].completion_b), second_text);
    QCOMPARE(pairs[0].origin, std::string("arena"));
    const QJsonObject source_a = QJsonDocument::fromJson(QByteArray::fromStdString(pairs[0].source_a_json)).object();
    const QJsonObject source_b = QJsonDocument::fromJson(QByteArray::fromStdString(pairs[0].source_b_json)).object();
    QCOMPARE(source_a.value("model").toString(), QDir(final_dir_).absolutePath());
    QCOMPARE(source_b.value("model").toString(), QDir(checkpoint_dir_).absolutePath());
    QCOMPARE(source_a.value("sampling").toObject().value("temperature").toDouble(), 0.9);
    QVERIFY(pairs[0].tokens_per_s_a > 0);
    const auto labels = store.currentPreferenceLabels(set->id);
    QCOMPARE(labels.size(), size_t(1));
    QCOMPARE(labels[0].choice, std::string(first_left ? "a" : "b"));
    QCOMPARE(labels[0].shown_left, std::string(first_left ? "a" : "b"));
    QVERIFY(QJsonDocument::fromJson(QByteArray::fromStdString(pairs[0].messages_json)).isArray());
    const QString path = screenshots_ + "/playground-compare.png";
    QVERIFY2(page.grab().save(path), qPrintable(path));
  }

  void screenshots() {
    if (!haveEngine()) QSKIP("no temper engine (set TEMPER_ENGINE or build the `temper` target)");
    for (Theme theme : {Theme::Light, Theme::Dark}) {
      applyTheme(*qApp, theme);
      MainWindow window(workspace_, AppSettings(settings_.get()));
      QVERIFY(historyLoaded(window));
      window.resize(1280, 800);
      window.show();
      QVERIFY(QTest::qWaitForWindowExposed(&window));
      PlaygroundPage* page = window.playgroundPage();
      page->temperatureBox()->setValue(0.0);
      page->maxNewTokensBox()->setValue(64);
      page->systemPrompt()->setPlainText("Be brief.");
      QSignalSpy settled(page, &PlaygroundPage::modelSettled);
      window.openInPlayground(final_dir_);
      QVERIFY(settled.wait(60000));
      AnswerLog log(page->chat());
      QVERIFY(ask(page, "Hello there", log));
      QVERIFY(ask(page, "And the boats?\nAre they back?", log));
      page->input()->setPlainText("What about the lights?");
      QApplication::processEvents();
      const QString path = screenshots_ + (theme == Theme::Dark ? "/playground-dark.png" : "/playground.png");
      QVERIFY2(window.grab().save(path), qPrintable(path));
    }
    applyTheme(*qApp, Theme::FollowSystem);
    qInfo("screenshots in %s", qPrintable(screenshots_));
  }
};

QTEST_MAIN(PlaygroundTest)
#include "playground_test.moc"
