// The wizard against the real engine: `temper info --json` parsed as the wizard needs it. Skips
// (saying why) while the engine has no `info` command. TEMPER_ENGINE overrides the engine's path.
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QTest>

#include "ui/wizard/engine_info.h"
#include "ui/wizard/method_catalog.h"
#include "ui/wizard/process_engine_queries.h"
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

class WizardEngineTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void realEngineInfo();
  void realEngineWalk();
};

void WizardEngineTest::realEngineInfo() {
  const QString engine_path = enginePath();
  if (engine_path.isEmpty()) QSKIP("no temper engine built (set TEMPER_ENGINE)");
  QTemporaryDir workspace;
  ProcessEngineQueries engine(engine_path, workspace.path(), 60000);
  QObject context;
  std::optional<EngineReply> reply;
  engine.info(&context, [&reply](const EngineReply& r) { reply = r; });
  QTRY_VERIFY_WITH_TIMEOUT(reply.has_value(), 60000);
  if (reply->missing) QSKIP(qPrintable(QStringLiteral("%1: %2").arg(engine_path, reply->error)));
  QVERIFY2(reply->ok, qPrintable(reply->error));
  EngineInfo info;
  const QString error = parseEngineInfo(reply->json, info);
  QVERIFY2(error.isEmpty(), qPrintable(error));

  // The contract: the eleven methods in the mission's order; pretrain runs today.
  QStringList names;
  for (const MethodInfo& m : info.methods) names << m.name;
  QStringList expected;
  for (const MethodSpec& m : methodCatalog()) expected << m.name;
  QCOMPARE(names, expected);
  QVERIFY(info.method("pretrain")->available);
  for (const MethodInfo& m : info.methods) {
    QVERIFY2(m.available || !m.reason.isEmpty(), qPrintable(m.name + " is unavailable without a reason"));
  }
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

// Through every page with the real engine (a shared corpus as data), writing what is seen to
// ${build}/screenshots/wizard-real-*.png: the engine's presets, methods, keys and its verdict on
// the config (a dry run, or its refusal in its own words).
void WizardEngineTest::realEngineWalk() {
  const QString engine_path = enginePath();
  if (engine_path.isEmpty()) QSKIP("no temper engine built (set TEMPER_ENGINE)");
  const QString corpus = QStringLiteral(TEMPER_SHARED_DATA "/corpora/tinyshakespeare.txt");
  if (!QFileInfo::exists(corpus)) QSKIP("../shared/data/corpora/tinyshakespeare.txt is absent");
  QTemporaryDir workspace;
  ProcessEngineQueries engine(engine_path, workspace.path(), 60000);
  TestSettings s;
  FinetuneWizard w(&engine, &s.settings);
  w.resize(900, 700);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  QTRY_VERIFY_WITH_TIMEOUT(
      w.engineReady() || !w.baseModelPage()->findChild<StatusLine*>("engineStatus")->text().startsWith("Asking"),
      60000);
  if (!w.engineReady()) QSKIP("the engine has no `info` yet");
  const QDir shots(QStringLiteral(TEMPER_BUILD_DIR "/screenshots"));
  QVERIFY(shots.mkpath(QStringLiteral(".")));
  auto shoot = [&](const char* name) {
    QVERIFY(w.grab().save(shots.filePath(QStringLiteral("wizard-real-%1.png").arg(name))));
  };
  shoot("1-base-model");
  pressNext(w);
  w.dataPage()->setPaths({corpus});
  auto* data_status = w.dataPage()->findChild<StatusLine*>("dataStatus");
  QTRY_VERIFY_WITH_TIMEOUT(data_status->state() != StatusLine::State::Busy && nextEnabled(w), 60000);
  shoot("2-data");
  pressNext(w);
  shoot("3-method");
  QCOMPARE(w.config().value("method").toString(), QStringLiteral("pretrain"));
  pressNext(w);
  StatusLine* memory = w.hyperparametersPage()->memoryStatus();
  QTRY_VERIFY_WITH_TIMEOUT(memory->state() != StatusLine::State::Busy, 60000);
  qInfo().noquote() << "dry run:" << memory->text();
  shoot("4-hyperparameters");
  pressNext(w);
  shoot("5-review");
}

QTEST_MAIN(WizardEngineTest)
#include "wizard_engine_test.moc"
