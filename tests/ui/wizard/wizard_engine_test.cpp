// The wizard against the real engine: `temper info --json` parsed as the wizard needs it. Skips
// (saying why) while the engine has no `info` command. TEMPER_ENGINE overrides the engine's path.
#include <QComboBox>
#include <QFileInfo>
#include <QTest>

#include "ui/wizard/engine_info.h"
#include "ui/wizard/method_catalog.h"
#include "ui/wizard/process_engine_queries.h"
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

QTEST_MAIN(WizardEngineTest)
#include "wizard_engine_test.moc"
