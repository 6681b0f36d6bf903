// The wizard against the real engine: `temper info --json` parsed as the wizard needs it, and a
// walk through every page to a config `temper train` runs. An engine that does not answer is a
// failure; only a build without an engine (TEMPER_UI_TESTS_BUILD_ENGINE=OFF and no TEMPER_ENGINE)
// or absent shared data skips. TEMPER_ENGINE overrides the engine's path.
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

#include "ui/client/engine_replies.h"
#include "ui/client/engine_session.h"
#include "ui/wizard/key_field.h"
#include "ui/wizard/method_catalog.h"
#include "ui/wizard/status_line.h"
#include "wizard_test_support.h"

using namespace temper::studio;
using namespace temper::studio::test;

namespace {

QString enginePath() {
  const QString env = qEnvironmentVariable("TEMPER_ENGINE");
  if (!env.isEmpty()) return env;
  for (const QString& candidate :
       {QStringLiteral(TEMPER_BIN_DIR "/temper"), QStringLiteral(TEMPER_SOURCE_DIR "/build/bin/temper")}) {
    if (QFileInfo(candidate).isExecutable()) return candidate;
  }
  return {};
}

}  // namespace

// A build that makes `temper` must have one; a studio-only build (the engine built elsewhere, or not
// at all) skips, saying so.
#ifdef TEMPER_UI_TESTS_EXPECT_ENGINE
#define REQUIRE_ENGINE(path) QVERIFY2(!(path).isEmpty(), "this build makes `temper` but bin/temper is missing")
#else
#define REQUIRE_ENGINE(path) \
  if ((path).isEmpty()) QSKIP("no temper engine in this studio-only build (set TEMPER_ENGINE)")
#endif

class WizardEngineTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void realEngineInfo();
  void realEngineWalk();
};

void WizardEngineTest::realEngineInfo() {
  const QString engine_path = enginePath();
  REQUIRE_ENGINE(engine_path);
  QTemporaryDir workspace;
  EngineSession engine(engine_path, workspace.path());
  engine.setTimeoutMs(60000);
  QObject context;
  std::optional<EngineReply> reply;
  engine.info(&context, [&reply](const EngineReply& r) { reply = r; });
  QTRY_VERIFY_WITH_TIMEOUT(reply.has_value(), 60000);
  QVERIFY2(reply->ok, qPrintable(QStringLiteral("%1: %2").arg(engine_path, reply->error)));
  EngineInfo info;
  const QString error = parseEngineInfo(reply->json, info);
  QVERIFY2(error.isEmpty(), qPrintable(error));

  // The contract: the eight methods in the mission's order; pretrain runs today. Each has the
  // wizard's own words, and says what it starts from and which data formats it takes.
  QStringList names;
  for (const MethodInfo& m : info.methods) names << m.name;
  QCOMPARE(names, (QStringList{"pretrain", "continued-pretrain", "sft", "classify", "few-shot", "reward-model", "dpo",
                               "ppo"}));
  QVERIFY(info.method("pretrain")->available);
  const QStringList formats{"text", "prompt-completion", "alpaca", "messages", "text-label", "preference", "prepared"};
  for (const MethodInfo& m : info.methods) {
    QVERIFY2(m.available || !m.reason.isEmpty(), qPrintable(m.name + " is unavailable without a reason"));
    QVERIFY2(methodText(m).when != m.summary, qPrintable(m.name + " has no sentence of the wizard's"));
    QCOMPARE(m.needs_base, m.base != QLatin1String("none"));
    QVERIFY2(!m.formats.isEmpty(), qPrintable(m.name));
    for (const QString& f : m.formats) QVERIFY2(formats.contains(f), qPrintable(m.name + ": " + f));
  }
  QVERIFY(!info.method("pretrain")->needs_base);
  QVERIFY(info.method("classify")->takesClassifierBase());
  QVERIFY(!info.method("sft")->takesClassifierBase());
  QVERIFY(info.method("classify")->formats.contains("text-label"));
  // The train keys the wizard builds its pages from.
  for (const char* key : {"method", "data", "lr", "max-steps", "batch-size", "device"}) {
    QVERIFY2(info.key(key), key);
  }
  QCOMPARE(info.key("lr")->kind, TrainKey::Kind::Number);
  QVERIFY(info.key("lr")->hasRange());
  QVERIFY(!info.presets.isEmpty());
  for (const PresetInfo& p : info.presets) QVERIFY2(p.parameters > 0, qPrintable(p.name));
  QVERIFY(info.cpu_threads > 0);

  // The wizard over it: the first page fills its presets and can go on.
  TestSettings s;
  FinetuneWizard w(&engine, &s.settings);
  w.restart();
  QTRY_VERIFY_WITH_TIMEOUT(w.engineReady(), 60000);
  auto* presets = w.baseModelPage()->findChild<QComboBox*>("preset");
  QCOMPARE(presets->count(), info.presets.size());
  QVERIFY(nextEnabled(w));
}

// Through every page with the real engine, then the launched config handed to `temper train`:
// what the wizard writes is what the engine runs. A small shared corpus is prepared first (a
// tokenizer and `data prepare`, a few seconds). Writes what is seen to
// ${build}/screenshots/wizard-real-*.png.
void WizardEngineTest::realEngineWalk() {
  const QString engine_path = enginePath();
  REQUIRE_ENGINE(engine_path);
  const QString corpus = QStringLiteral(TEMPER_SHARED_DATA "/corpora/botchan.txt");
  if (!QFileInfo::exists(corpus)) QSKIP("../shared/data/corpora/botchan.txt is absent");
  QTemporaryDir work;
  const QString tokenizer = work.filePath("tok.model");
  const QString data = work.filePath("data");
  const QString workspace = work.filePath("ws");
  QCOMPARE(QProcess::execute(engine_path, {"--workspace", workspace, "tokenizer", "train", "--input", corpus,
                                           "--vocab-size", "400", "--model-type", "bpe", "--out", tokenizer}),
           0);
  QCOMPARE(QProcess::execute(engine_path, {"--workspace", workspace, "data", "prepare", "--tokenizer", tokenizer,
                                           "--input", corpus, "--out", data, "--val-fraction", "0.1"}),
           0);

  EngineSession engine(engine_path, workspace);
  engine.setTimeoutMs(60000);
  TestSettings s;
  FinetuneWizard w(&engine, &s.settings);
  QSignalSpy launched(&w, &FinetuneWizard::launchRequested);
  w.resize(900, 700);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  QTRY_VERIFY_WITH_TIMEOUT(
      w.engineReady() || !w.baseModelPage()->findChild<StatusLine*>("engineStatus")->text().startsWith("Asking"),
      60000);
  QVERIFY2(w.engineReady(), qPrintable(w.baseModelPage()->findChild<StatusLine*>("engineStatus")->text()));
  const QDir shots(QStringLiteral(TEMPER_BUILD_DIR "/screenshots"));
  QVERIFY(shots.mkpath(QStringLiteral(".")));
  auto shoot = [&](const char* name) {
    QTest::qWait(50);  // let layouts settle
    QVERIFY(w.grab().save(shots.filePath(QStringLiteral("wizard-real-%1.png").arg(name))));
  };
  shoot("1-base-model");
  pressNext(w);
  w.dataPage()->setPaths({data});
  w.dataPage()->findChild<QLineEdit*>("tokenizer")->setText(tokenizer);
  auto* data_status = w.dataPage()->findChild<StatusLine*>("dataStatus");
  QTRY_VERIFY_WITH_TIMEOUT(data_status->state() != StatusLine::State::Busy && nextEnabled(w), 60000);
  shoot("2-data");
  pressNext(w);
  shoot("3-method");
  QCOMPARE(w.config().value("method").toString(), QStringLiteral("pretrain"));
  pressNext(w);
  // A short run: four steps, evaluated and checkpointed at the end.
  HyperparametersPage* page = w.hyperparametersPage();
  page->field("max-steps")->setText("4");
  page->field("warmup-steps")->setText("1");
  page->field("eval-every")->setText("4");
  page->setAdvancedShown(true);
  if (KeyField* f = page->field("checkpoint-every")) f->setText("4");
  if (KeyField* f = page->field("eval-batches")) f->setText("2");
  if (KeyField* f = page->field("batch-size")) f->setText("4");
  StatusLine* memory = page->memoryStatus();
  QTRY_VERIFY_WITH_TIMEOUT(memory->state() != StatusLine::State::Busy, 60000);
  qInfo().noquote() << "dry run:" << memory->text();
  shoot("4-hyperparameters");
  QVERIFY2(memory->state() != StatusLine::State::Error, qPrintable(memory->text()));
  pressNext(w);
  shoot("5-review");
  w.button(QWizard::FinishButton)->click();
  QCOMPARE(launched.count(), 1);

  // The caller's part, as the main window does it: the config to a file, `temper train FILE`.
  QFile file(work.filePath("config.json"));
  QVERIFY(file.open(QIODevice::WriteOnly));
  file.write(QJsonDocument(launched.first().at(0).toJsonObject()).toJson());
  file.close();
  QProcess run;
  run.start(engine_path, {"--workspace", workspace, "train", file.fileName()});
  QVERIFY(run.waitForFinished(240000));
  QVERIFY2(run.exitCode() == 0, run.readAllStandardError().constData());
  QVERIFY(QFileInfo::exists(workspace + "/temper.db"));
}

QTEST_MAIN(WizardEngineTest)
#include "wizard_engine_test.moc"
