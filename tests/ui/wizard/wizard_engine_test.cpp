// The wizard against the real engine: `temper info --json` parsed as the wizard needs it, and a
// walk through every page to a config `temper train` runs. An engine that does not answer is a
// failure; only a build without an engine (TEMPER_UI_TESTS_BUILD_ENGINE=OFF and no TEMPER_ENGINE)
// or absent shared data skips. TEMPER_ENGINE overrides the engine's path.
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <cmath>

#include "ui/client/engine_replies.h"
#include "ui/client/engine_session.h"
#include "ui/wizard/key_field.h"
#include "ui/wizard/lora_targets_field.h"
#include "ui/wizard/method_catalog.h"
#include "ui/wizard/peft_kind_settings.h"
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

/// The weights' bytes of the estimate line ("… weights 1.5 MiB, gradients …"); -1 when not there.
double weightsBytes(const QString& estimate) {
  static const QRegularExpression weights(QStringLiteral(R"(weights ([0-9.,]+) (B|KiB|MiB|GiB))"));
  const QRegularExpressionMatch m = weights.match(estimate);
  if (!m.hasMatch()) return -1;
  const QStringList units{"B", "KiB", "MiB", "GiB"};
  return QString(m.captured(1)).remove(QLatin1Char(',')).toDouble() * std::pow(1024.0, units.indexOf(m.captured(2)));
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
  void realEnginePeftWalk_data();
  void realEnginePeftWalk();

 private:
  /// A 2-block GPT-2 pretrained for two steps on a small corpus (a few seconds, made once): the
  /// base the PEFT walks finetune. Empty when the engine failed to make it.
  QString tinyBase(const QString& engine_path);

  QTemporaryDir peft_work_;
  QString tiny_base_;
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

  // The contract: the thirteen methods in the mission's order; pretrain runs today. Each has the
  // wizard's own words, and says what it starts from and which data formats it takes.
  QStringList names;
  for (const MethodInfo& m : info.methods) names << m.name;
  QCOMPARE(names, (QStringList{"pretrain", "continued-pretrain", "sft", "classify", "few-shot", "reward-model", "dpo",
                               "kto", "simpo", "orpo", "grpo", "rloo", "ppo"}));
  QVERIFY(info.method("pretrain")->available);
  const QStringList formats{"text",       "prompt-completion", "alpaca",      "messages",
                            "text-label", "preference",        "prompt-only", "prepared"};
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

QString WizardEngineTest::tinyBase(const QString& engine_path) {
  if (!tiny_base_.isEmpty()) return tiny_base_;
  QFile corpus(peft_work_.filePath("corpus.txt"));
  if (!corpus.open(QIODevice::WriteOnly)) return {};
  for (int i = 0; i < 200; ++i) corpus.write("The harbour lights came on one by one as the boats returned.\n");
  corpus.close();
  // Labelled lines in the corpus's letters, for the classify walk.
  QFile labels(peft_work_.filePath("labels.csv"));
  if (!labels.open(QIODevice::WriteOnly)) return {};
  labels.write("text,label\n");
  for (int i = 0; i < 24; ++i)
    labels.write(i % 2 ? "the boats returned,boats\n" : "the harbour lights came on,lights\n");
  labels.close();
  const QString workspace = peft_work_.filePath("ws");
  const QString tokenizer = peft_work_.filePath("tok.model");
  auto run = [&](const QStringList& args) {
    return QProcess::execute(engine_path, QStringList{"--workspace", workspace} + args) == 0;
  };
  if (!run({"tokenizer", "train", "--input", corpus.fileName(), "--vocab-size", "48", "--model-type", "char", "--out",
            tokenizer}) ||
      !run({"data", "prepare", "--tokenizer", tokenizer, "--input", corpus.fileName(), "--out",
            peft_work_.filePath("data")}) ||
      !run(QStringLiteral("train --layers 2 --dim 32 --heads 2 --ctx 64 --batch-size 4 --max-steps 2 "
                          "--warmup-steps 0 --eval-every 2 --eval-batches 1 --checkpoint-every 2 --threads 1 "
                          "--name base")
               .split(' ') +
           QStringList{"--data", peft_work_.filePath("data")}))
    return {};
  const QStringList runs = QDir(workspace + "/runs").entryList(QDir::Dirs | QDir::NoDotAndDotDot);
  if (runs.size() != 1) return {};
  tiny_base_ = workspace + "/runs/" + runs.first() + "/final";
  return tiny_base_;
}

void WizardEngineTest::realEnginePeftWalk_data() {
  QTest::addColumn<QString>("kind");
  QTest::addColumn<QString>("shot");
  QTest::addColumn<QString>("method");
  const QString lm = QStringLiteral("continued-pretrain");
  QTest::newRow("full") << "none"
                        << "full" << lm;
  QTest::newRow("lora") << "lora"
                        << "lora" << lm;
  QTest::newRow("prompt-tuning") << "prompt-tuning"
                                 << "prompt-tuning" << lm;
  QTest::newRow("adapters") << "adapters"
                            << "adapters" << lm;
  QTest::newRow("prefix-tuning") << "prefix-tuning"
                                 << "prefix-tuning" << lm;
  QTest::newRow("classify-lora") << "lora"
                                 << "classify-lora"
                                 << "classify";
}

// Continued pretraining (and classify, with LoRA) of a tiny base with each kind of "What is trained": the engine
// accepts the page's config (its dry run), and the launched config carries `peft` and the kind's keys, none of another
// kind's, into the run `temper train` records. Writes the page to
// ${build}/screenshots/wizard-peft-<kind>.png.
void WizardEngineTest::realEnginePeftWalk() {
  QFETCH(QString, kind);
  QFETCH(QString, shot);
  QFETCH(QString, method);
  const QString engine_path = enginePath();
  REQUIRE_ENGINE(engine_path);
  const QString base = tinyBase(engine_path);
  QVERIFY2(!base.isEmpty(), "the engine could not make the tiny base model");
  const QString workspace = peft_work_.filePath("ws");
  EngineSession engine(engine_path, workspace);
  engine.setTimeoutMs(60000);
  TestSettings s;
  FinetuneWizard w(&engine, &s.settings);
  QSignalSpy launched(&w, &FinetuneWizard::launchRequested);
  w.resize(900, 700);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  QTRY_VERIFY_WITH_TIMEOUT(w.engineReady(), 60000);
  chooseFolder(w, base);
  QTRY_VERIFY_WITH_TIMEOUT(nextEnabled(w), 60000);
  pressNext(w);
  w.dataPage()->setPaths({peft_work_.filePath(method == "classify" ? "labels.csv" : "corpus.txt")});
  QTRY_VERIFY_WITH_TIMEOUT(nextEnabled(w), 60000);
  pressNext(w);
  w.methodPage()->button(method)->click();
  pressNext(w);
  QCOMPARE(w.currentId(), int(FinetuneWizard::kPeftPage));
  PeftPage* page = w.peftPage();
  QRadioButton* choice = page->button(kind);
  QVERIFY2(choice, qPrintable(kind + " is not among the engine's peft_kinds"));
  if (!choice->isEnabled()) QSKIP(qPrintable(kind + " is not available: " + page->disabledReason(kind)));
  choice->click();
  if (kind == "lora") {
    page->settings()->field("lora-r")->setText("4");
    page->settings()->targetsField()->setValue("all-linear");
  } else if (kind == "prompt-tuning") {
    page->settings()->field("prompt-tokens")->setText("8");
  } else if (kind == "prefix-tuning") {
    page->settings()->field("prefix-tokens")->setText("6");
    page->settings()->field("prefix-projection")->setValue(true);
  }
  StatusLine* estimate = page->estimateStatus();
  QTRY_VERIFY_WITH_TIMEOUT(
      estimate->state() == StatusLine::State::Message || estimate->state() == StatusLine::State::Error, 60000);
  qInfo().noquote() << kind << "estimate:" << estimate->text();
  if (shot == "lora") {
    // QLoRA: the base's projections in nf4; the engine's estimate of the weights shrinks.
    QVERIFY2(estimate->state() == StatusLine::State::Message, qPrintable(estimate->text()));
    const double fp32_weights = weightsBytes(estimate->text());
    QVERIFY2(fp32_weights > 0, qPrintable(estimate->text()));
    page->settings()->field("base-quant")->setValue(QJsonValue("nf4"));
    QCOMPARE(estimate->state(), StatusLine::State::Busy);
    QTRY_VERIFY_WITH_TIMEOUT(estimate->state() != StatusLine::State::Busy, 60000);
    qInfo().noquote() << kind << "nf4 estimate:" << estimate->text();
    QVERIFY2(estimate->state() == StatusLine::State::Message, qPrintable(estimate->text()));
    QVERIFY2(weightsBytes(estimate->text()) < fp32_weights, qPrintable(estimate->text()));
  }
  QVERIFY2(estimate->state() == StatusLine::State::Message, qPrintable(estimate->text()));
  QVERIFY2(estimate->text().startsWith("Trains "), qPrintable(estimate->text()));
  const QDir shots(QStringLiteral(TEMPER_BUILD_DIR "/screenshots"));
  QVERIFY(shots.mkpath(QStringLiteral(".")));
  QTest::qWait(50);
  QVERIFY(w.grab().save(shots.filePath(QStringLiteral("wizard-peft-%1.png").arg(shot))));
  pressNext(w);

  // A short run: two steps, evaluated and checkpointed at the end.
  HyperparametersPage* hyper = w.hyperparametersPage();
  hyper->field("max-steps")->setText("2");
  hyper->field("warmup-steps")->setText("0");
  hyper->field("eval-every")->setText("2");
  hyper->field("batch-size")->setText("2");
  hyper->setAdvancedShown(true);
  if (KeyField* f = hyper->field("checkpoint-every")) f->setText("2");
  if (KeyField* f = hyper->field("eval-batches")) f->setText("1");
  if (KeyField* f = hyper->field("threads")) f->setText("1");
  StatusLine* memory = hyper->memoryStatus();
  QTRY_VERIFY_WITH_TIMEOUT(memory->state() != StatusLine::State::Busy, 60000);
  QVERIFY2(memory->state() != StatusLine::State::Error, qPrintable(memory->text()));
  pressNext(w);
  w.button(QWizard::FinishButton)->click();
  QCOMPARE(launched.count(), 1);
  const QJsonObject config = launched.first().at(0).toJsonObject();

  // Only the chosen kind's keys, as `info` assigns keys to kinds.
  EngineInfo info;
  QObject asker;
  std::optional<EngineReply> reply;
  engine.info(&asker, [&reply](const EngineReply& r) { reply = r; });
  QTRY_VERIFY_WITH_TIMEOUT(reply.has_value(), 60000);
  QVERIFY(parseEngineInfo(reply->json, info).isEmpty());
  auto checkKeys = [&](const QJsonObject& train, bool launched_config) {
    if (kind == "none") {
      QVERIFY(!launched_config || !train.contains("peft"));
      if (!launched_config) QCOMPARE(train.value("peft").toString(), kind);
    } else {
      QCOMPARE(train.value("peft").toString(), kind);
    }
    for (const TrainKey& key : info.train_keys) {
      if (key.peft_kind.isEmpty()) continue;
      if (key.peft_kind != kind) QVERIFY2(!train.contains(key.key), qPrintable(key.key + " in a " + kind + " run"));
    }
  };
  checkKeys(config, true);
  QCOMPARE(config.value("method").toString(), method);
  if (kind == "lora") {
    QCOMPARE(config.value("lora-r").toInteger(), 4);
    QCOMPARE(config.value("lora-targets").toString(), QStringLiteral("all-linear"));
    if (shot == "lora") {
      QCOMPARE(config.value("base-quant").toString(), QStringLiteral("nf4"));
    } else {
      QVERIFY(!config.contains("base-quant"));
    }
  } else if (kind == "prompt-tuning") {
    QCOMPARE(config.value("prompt-tokens").toInteger(), 8);
    QCOMPARE(config.value("ctx").toInteger(), 64 - 8);  // the prompt's positions come off the model's 64
  }

  // The caller's part: the config to a file, `temper train FILE`; the store records the kind.
  QFile file(peft_work_.filePath(QStringLiteral("config-%1.json").arg(shot)));
  QVERIFY(file.open(QIODevice::WriteOnly));
  file.write(QJsonDocument(config).toJson());
  file.close();
  QProcess train;
  train.start(engine_path, {"--workspace", workspace, "train", file.fileName()});
  QVERIFY(train.waitForFinished(240000));
  QVERIFY2(train.exitCode() == 0, train.readAllStandardError().constData());
  QProcess show;
  show.start(engine_path, {"--workspace", workspace, "runs", "list", "--json"});
  QVERIFY(show.waitForFinished(60000));
  const QJsonObject newest = QJsonDocument::fromJson(show.readAllStandardOutput()).array().first().toObject();
  const QJsonObject recorded = newest.value("config").toObject().value("train").toObject();
  QCOMPARE(recorded.value("name").toString(), config.value("name").toString());
  checkKeys(recorded, false);
  if (shot == "lora") QCOMPARE(recorded.value("base-quant").toString(), QStringLiteral("nf4"));
  for (auto it = config.begin(); it != config.end(); ++it) {
    QVERIFY2(recorded.value(it.key()).toVariant() == it.value().toVariant() ||
                 (it.value().isDouble() && recorded.value(it.key()).toDouble() == it.value().toDouble()),
             qPrintable(it.key() + " was not recorded as launched"));
  }
}

QTEST_MAIN(WizardEngineTest)
#include "wizard_engine_test.moc"
