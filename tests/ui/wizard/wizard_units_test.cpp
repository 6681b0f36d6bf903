// The wizard's parts on their own: parsing the engine's answers, defaults, templates, the data
// preview model, and the child-process engine against small scripts that play the engine.
#include <QAbstractItemModelTester>
#include <QFile>
#include <QFont>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "fake_engine_queries.h"
#include "ui/wizard/data_preview_model.h"
#include "ui/wizard/engine_info.h"
#include "ui/wizard/hyperparameter_defaults.h"
#include "ui/wizard/key_field.h"
#include "ui/wizard/method_catalog.h"
#include "ui/wizard/process_engine_queries.h"
#include "ui/wizard/template_store.h"

using namespace temper::studio;

class WizardUnitsTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void parsesInfo();
  void rejectsMalformedInfo();
  void learningRatesPerMethodAndSize();
  void suggestionsOnlyForKeysTheEngineHas();
  void templateStoreRoundTrip();
  void previewModel();
  void keyFieldKinds();
  void methodCatalogOrderAndFit();
  void replyFromOutput();
  void processQueriesAgainstAScript();
  void processQueriesTimeout();
  void processQueriesMissingEngine();
  void formats();
  void engineShapesBesideTheContract();

 private:
  QString writeScript(const QTemporaryDir& dir, const QString& body);
};

void WizardUnitsTest::parsesInfo() {
  FakeEngineQueries fake;
  EngineInfo info;
  QCOMPARE(parseEngineInfo(fake.info_reply.json, info), QString());
  QCOMPARE(info.temper, QStringLiteral("0.1.0"));
  QCOMPARE(info.cpu_threads, 2);
  QCOMPARE(info.blas, QStringLiteral("openblas-openmp"));
  QCOMPARE(info.methods.size(), 11);
  QCOMPARE(info.methods[9].name, QStringLiteral("dpo"));
  QVERIFY(!info.methods[9].available);
  QCOMPARE(info.methods[9].reason, QStringLiteral("arrives with the RLHF issue"));
  const TrainKey* lr = info.key("lr");
  QVERIFY(lr);
  QCOMPARE(lr->kind, TrainKey::Kind::Number);
  QCOMPARE(lr->min, 1e-9);
  QCOMPARE(lr->max, 10.0);
  QCOMPARE(lr->default_value.toDouble(), 1e-3);
  QVERIFY(lr->appliesTo("dpo"));
  const TrainKey* rank = info.key("lora-rank");
  QVERIFY(rank->appliesTo("lora"));
  QVERIFY(!rank->appliesTo("sft"));
  QVERIFY(info.key("layers")->default_value.isNull());
  QCOMPARE(info.key("device")->choices, (QStringList{"auto", "cpu", "cuda"}));
  QCOMPARE(info.preset("small")->parameters, 10700000);
}

void WizardUnitsTest::rejectsMalformedInfo() {
  EngineInfo info;
  QCOMPARE(parseEngineInfo(QJsonObject{{"methods", QJsonArray{}}, {"presets", QJsonArray{}}}, info),
           QStringLiteral("`temper info`: the field `train_keys` is missing or not an array"));
  const QJsonObject bad_kind{{"methods", QJsonArray{}},
                             {"presets", QJsonArray{}},
                             {"train_keys", QJsonArray{QJsonObject{{"key", "lr"}, {"kind", "float"}}}}};
  QCOMPARE(parseEngineInfo(bad_kind, info),
           QStringLiteral("`temper info`: train_keys[0] (`lr`) has kind \"float\"; expected integer, number, text, "
                          "choice or boolean"));
  ModelInspection model;
  QCOMPARE(parseModelInspection(QJsonObject{{"parameters", 3}}, model),
           QStringLiteral("`temper model inspect`: the field `family` is missing"));
  // A classifier says so and names its labels; an engine from before classifiers says nothing.
  QCOMPARE(
      parseModelInspection(
          QJsonObject{{"family", "gpt2"}, {"task", "sequence-classification"}, {"labels", QJsonArray{"calm", "storm"}}},
          model),
      QString());
  QVERIFY(model.isClassifier());
  QCOMPARE(model.labels, (QStringList{"calm", "storm"}));
  QCOMPARE(parseModelInspection(QJsonObject{{"family", "gpt2"}}, model), QString());
  QVERIFY(!model.isClassifier());
  QCOMPARE(model.task, QStringLiteral("causal-lm"));
  MemoryEstimate memory;
  QCOMPARE(parseMemoryEstimate(QJsonObject{{"bytes", QJsonObject{}}}, memory),
           QStringLiteral("`temper train --dry-run`: the field `bytes.total` is missing"));
}

void WizardUnitsTest::learningRatesPerMethodAndSize() {
  auto lr = [](const char* method, qint64 parameters, bool scratch = false) {
    return suggestedLearningRate(method, ModelSize{scratch, parameters, 0});
  };
  QCOMPARE(lr("pretrain", 123456, true), 1e-3);
  QCOMPARE(lr("pretrain", 124000000, true), 6e-4);
  QCOMPARE(lr("pretrain", 1500000000, true), 3e-4);
  QCOMPARE(lr("sft", 30000000), 1e-4);
  QCOMPARE(lr("sft", 124000000), 5e-5);
  QCOMPARE(lr("continued-pretrain", 7000000000), 2e-5);
  QCOMPARE(lr("classify", 1100000000), 2e-5);
  QCOMPARE(lr("lora", 124000000), 2e-4);
  QCOMPARE(lr("lora", 7000000000), 1e-4);
  QCOMPARE(lr("prompt-tuning", 124000000), 3e-2);
  QCOMPARE(lr("dpo", 124000000), 1e-6);
  QCOMPARE(lr("few-shot", 124000000), 0.0);
}

void WizardUnitsTest::suggestionsOnlyForKeysTheEngineHas() {
  FakeEngineQueries fake;
  EngineInfo info;
  QVERIFY(parseEngineInfo(fake.info_reply.json, info).isEmpty());
  // Small model, sft: ctx follows the model (min with 1024); no pretrain-only keys; no structural keys.
  const QJsonObject values = suggestedValues("sft", ModelSize{false, 30000000, 512}, info);
  QCOMPARE(values.value("ctx").toInteger(), 512);
  QCOMPARE(values.value("lr").toDouble(), 1e-4);
  QCOMPARE(values.value("min-lr").toDouble(), 1e-5);
  QVERIFY(!values.contains("bias"));
  QVERIFY(!values.contains("lora-rank"));
  QVERIFY(!values.contains("data"));
  QVERIFY(!values.contains("layers"));
  // A suggestion outside the engine's range is clamped into it.
  QJsonObject info_json = fake.info_reply.json;
  QJsonArray keys = info_json["train_keys"].toArray();
  for (int i = 0; i < keys.size(); ++i) {
    QJsonObject k = keys[i].toObject();
    if (k["key"] == "batch-size") {
      k["max"] = 4;
      keys[i] = k;
    }
  }
  info_json["train_keys"] = keys;
  QVERIFY(parseEngineInfo(info_json, info).isEmpty());
  QCOMPARE(suggestedValues("sft", ModelSize{false, 30000000, 512}, info).value("batch-size").toInteger(), 4);
}

void WizardUnitsTest::templateStoreRoundTrip() {
  QTemporaryDir dir;
  const QString path = dir.filePath("t.ini");
  const QJsonObject config{{"method", "sft"}, {"lr", 5e-5}, {"data", QJsonArray{"/a", "/b"}}, {"name", "run 1"}};
  {
    QSettings settings(path, QSettings::IniFormat);
    TemplateStore store(&settings);
    QVERIFY(store.names().isEmpty());
    store.save("sft/small", config);  // a '/' is not a settings group here
    store.save("Another", QJsonObject{{"method", "pretrain"}});
    store.setLastUsed(config);
  }
  QSettings settings(path, QSettings::IniFormat);
  TemplateStore store(&settings);
  QCOMPARE(store.names(), (QStringList{"Another", "sft/small"}));
  QJsonObject expected = config;
  expected.remove("name");  // a template is a recipe, not a run
  QCOMPARE(store.load("sft/small"), expected);
  QCOMPARE(store.lastUsed(), expected);
  store.remove("sft/small");
  QCOMPARE(store.names(), QStringList{"Another"});
  QCOMPARE(store.load("sft/small"), QJsonObject());
}

void WizardUnitsTest::previewModel() {
  DataPreviewModel model;
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
  QCOMPARE(model.rowCount(), 0);
  const QString long_text(300, QLatin1Char('x'));
  model.setRecords(
      {QJsonObject{{"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", "hi"}}}}, {"meta", 3}},
       QJsonObject{{"messages", QJsonArray{}}, {"note", long_text + "\nend"}}},
      {"messages"});
  QCOMPARE(model.columnCount(), 3);
  QCOMPARE(model.columns(), (QStringList{"messages", "meta", "note"}));
  QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("[{\"content\":\"hi\",\"role\":\"user\"}]"));
  QCOMPARE(model.index(0, 1).data().toString(), QStringLiteral("3"));
  QCOMPARE(model.index(1, 1).data().toString(), QString());
  QCOMPARE(model.index(1, 2).data().toString(), long_text.left(200) + QChar(0x2026));
  QCOMPARE(model.index(1, 2).data(Qt::ToolTipRole).toString(), long_text + "\nend");
  QCOMPARE(model.headerData(0, Qt::Horizontal, Qt::FontRole).value<QFont>().bold(), true);
  QVERIFY(!model.headerData(1, Qt::Horizontal, Qt::FontRole).isValid());
  QCOMPARE(model.headerData(1, Qt::Vertical).toInt(), 2);
  model.clear();
  QCOMPARE(model.rowCount(), 0);
  QCOMPARE(model.columnCount(), 0);
}

void WizardUnitsTest::keyFieldKinds() {
  TrainKey device{"device", TrainKey::Kind::Choice, QJsonValue("auto"), 0, 0, {"auto", "cpu", "cuda"}, "where", {}, {}};
  KeyField d(device, false);
  QCOMPARE(d.value(), QJsonValue("auto"));
  d.setValue(QJsonValue("cpu"));
  QCOMPARE(d.value(), QJsonValue("cpu"));
  TrainKey preset{"preset", TrainKey::Kind::Choice, QJsonValue(QJsonValue::Null), 0, 0, {"tiny"}, "", {}, {}};
  KeyField p(preset, false);
  QCOMPARE(p.value(), QJsonValue(QJsonValue::Null));  // "(not set)"
  TrainKey bias{"bias", TrainKey::Kind::Boolean, QJsonValue(true), 0, 0, {}, "", {}, {}};
  KeyField b(bias, false);
  QCOMPARE(b.value(), QJsonValue(true));
  b.setValue(false);
  QCOMPARE(b.value(), QJsonValue(false));
  TrainKey seed{"seed", TrainKey::Kind::Integer, QJsonValue(1337), 0, 9007199254740991.0, {}, "", {}, {}};
  KeyField s(seed, false);
  QSignalSpy changed(&s, &KeyField::changed);
  s.setText("9007199254740991");
  QVERIFY(s.isValid());
  QCOMPARE(s.value().toInteger(), 9007199254740991LL);
  QCOMPARE(changed.count(), 1);
  TrainKey text{"sample-prompts", TrainKey::Kind::Text, QJsonValue(""), 0, 0, {}, "", {}, {}};
  KeyField t(text, false);
  QCOMPARE(t.value(), QJsonValue(""));
  QCOMPARE(allowedText(seed), QStringLiteral("0 to 9007199254740991"));
  QCOMPARE(numberText(1e-9), QStringLiteral("1e-09"));
  QCOMPARE(numberText(0.001), QStringLiteral("0.001"));
  QCOMPARE(numberText(2000), QStringLiteral("2000"));
}

void WizardUnitsTest::methodCatalogOrderAndFit() {
  QStringList names;
  for (const MethodSpec& m : methodCatalog()) names << m.name;
  QCOMPARE(names, (QStringList{"pretrain", "continued-pretrain", "sft", "classify", "lora", "adapters", "prompt-tuning",
                               "few-shot", "reward-model", "dpo", "ppo"}));
  for (const MethodSpec& m : methodCatalog()) QVERIFY2(!m.when.isEmpty(), qPrintable(m.name));
  QCOMPARE(methodMismatch(*findMethod("dpo"), false, "preference"), QString());
  QCOMPARE(methodMismatch(*findMethod("dpo"), false, "text"),
           QStringLiteral("Needs preference data; the chosen data is text."));
  QCOMPARE(methodMismatch(*findMethod("sft"), false, ""), QString());  // unknown format never blocks
  // A classifier base: only classify trains it further.
  QCOMPARE(methodMismatch(*findMethod("classify"), false, "text-label", true), QString());
  QCOMPARE(methodMismatch(*findMethod("sft"), false, "", true),
           QStringLiteral("The base is a classifier, not a language model: only the classification head trains it "
                          "further."));
  QCOMPARE(methodMismatch(*findMethod("pretrain"), true, "", true), QString());  // from scratch: no base
}

void WizardUnitsTest::replyFromOutput() {
  EngineReply r = replyFromProcessOutput("info", 0, "{\"a\":1}\n", "");
  QVERIFY(r.ok);
  QCOMPARE(r.json, (QJsonObject{{"a", 1}}));
  // Event lines before the answer are skipped.
  r = replyFromProcessOutput("info", 0, "{\"type\":\"log\",\"v\":1}\n{\"a\":2}\n", "");
  QVERIFY(r.ok);
  QCOMPARE(r.json, (QJsonObject{{"a", 2}}));
  // Today's engine, asked for a command it does not have (seen on build/bin/temper).
  r = replyFromProcessOutput("info", 2,
                             "{\"kind\":\"invalid_config\",\"message\":\"A subcommand is required; see `temper "
                             "--help`\",\"type\":\"error\",\"v\":1}",
                             "error: A subcommand is required; see `temper --help`\n");
  QVERIFY(!r.ok);
  QVERIFY(r.missing);
  QCOMPARE(r.error, QStringLiteral("This engine has no `temper info --json` yet (A subcommand is required; see "
                                   "`temper --help`); update it."));
  r = replyFromProcessOutput("train --dry-run", 2, "",
                             "error: The following argument was not expected: --dry-run; see `temper --help`\n");
  QVERIFY(r.missing);
  // A real refusal: the engine's message as it is.
  r = replyFromProcessOutput("model inspect", 3, "", "error: /m/config.json: missing key `n_layer`\n");
  QVERIFY(!r.ok);
  QVERIFY(!r.missing);
  QCOMPARE(r.error, QStringLiteral("/m/config.json: missing key `n_layer`"));
  // Only an error event on stdout.
  r = replyFromProcessOutput("model inspect", 3, "{\"type\":\"error\",\"message\":\"bad dtype\"}\n", "");
  QCOMPARE(r.error, QStringLiteral("bad dtype"));
  r = replyFromProcessOutput("info", 0, "not json", "");
  QVERIFY(!r.ok);
  QVERIFY(r.error.startsWith("`temper info --json` printed no JSON object"));
}

QString WizardUnitsTest::writeScript(const QTemporaryDir& dir, const QString& body) {
  const QString path = dir.filePath("temper");
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly)) return {};
  file.write(("#!/bin/sh\n" + body).toUtf8());
  file.close();
  file.setPermissions(file.permissions() | QFileDevice::ExeOwner);
  return path;
}

void WizardUnitsTest::processQueriesAgainstAScript() {
  QTemporaryDir dir;
  // The script records its arguments and answers like the engine of the contract.
  const QString args_file = dir.filePath("args");
  const QString script = writeScript(
      dir, QStringLiteral("echo \"$@\" >> '%1'\n"
                          "case \"$3\" in\n"
                          "  info) echo '{\"temper\":\"0.1.0\",\"methods\":[],\"train_keys\":[],\"presets\":[]}' ;;\n"
                          "  model) echo \"error: $5: not a model folder\" >&2; exit 3 ;;\n"
                          "  data) echo '{\"format\":\"text\",\"preview\":[]}' ;;\n"
                          "  train) cat \"$4\" > '%2'; echo '{\"bytes\":{\"total\":5},\"device\":\"cpu\"}' ;;\n"
                          "esac\n")
               .arg(args_file, dir.filePath("config")));
  ProcessEngineQueries engine(script, "/ws", 10000);
  QObject context;
  QVector<EngineReply> replies;
  auto collect = [&replies](const EngineReply& r) { replies << r; };
  engine.info(&context, collect);
  QTRY_COMPARE(replies.size(), 1);
  QVERIFY(replies[0].ok);
  QCOMPARE(replies[0].json.value("temper").toString(), QStringLiteral("0.1.0"));
  engine.inspectModel("/m", &context, collect);
  QTRY_COMPARE(replies.size(), 2);
  QVERIFY(!replies[1].ok);
  QCOMPARE(replies[1].error, QStringLiteral("/m: not a model folder"));
  engine.inspectData({"/d1", "/d 2"}, "/tok", &context, collect);
  QTRY_COMPARE(replies.size(), 3);
  QVERIFY(replies[2].ok);
  const QJsonObject config{{"method", "sft"}, {"lr", 5e-5}};
  engine.dryRun(config, &context, collect);
  QTRY_COMPARE(replies.size(), 4);
  QVERIFY(replies[3].ok);
  QFile written(dir.filePath("config"));
  QVERIFY(written.open(QIODevice::ReadOnly));
  QCOMPARE(QJsonDocument::fromJson(written.readAll()).object(), config);
  QFile args(args_file);
  QVERIFY(args.open(QIODevice::ReadOnly));
  const QStringList lines = QString::fromUtf8(args.readAll()).split('\n', Qt::SkipEmptyParts);
  QCOMPARE(lines.size(), 4);
  QCOMPARE(lines[0], QStringLiteral("--workspace /ws info --json"));
  QCOMPARE(lines[1], QStringLiteral("--workspace /ws model inspect /m --json"));
  QCOMPARE(lines[2], QStringLiteral("--workspace /ws data inspect /d1 /d 2 --tokenizer /tok --json"));
  QVERIFY(lines[3].startsWith("--workspace /ws train /"));
  QVERIFY(lines[3].endsWith(".json --dry-run --json"));
  // The temporary config is gone once the answer is in.
  const QString temp_config = lines[3].section(' ', 3, 3);
  QVERIFY(!QFile::exists(temp_config));
  // No answer once the asker is gone.
  {
    QObject short_lived;
    engine.info(&short_lived, collect);
  }
  QTest::qWait(300);
  QCOMPARE(replies.size(), 4);
}

void WizardUnitsTest::processQueriesTimeout() {
  QTemporaryDir dir;
  const QString script = writeScript(dir, "exec sleep 30\n");
  ProcessEngineQueries engine(script, {}, 1000);
  QObject context;
  QVector<EngineReply> replies;
  QElapsedTimer timer;
  timer.start();
  engine.info(&context, [&replies](const EngineReply& r) { replies << r; });
  QVERIFY(timer.elapsed() < 100);  // the call itself never waits for the child
  QTRY_COMPARE_WITH_TIMEOUT(replies.size(), 1, 5000);
  QVERIFY(!replies[0].ok);
  QCOMPARE(replies[0].error, QStringLiteral("`temper info` did not answer within 1 s."));
}

void WizardUnitsTest::processQueriesMissingEngine() {
  ProcessEngineQueries engine("/nonexistent/temper");
  QObject context;
  QVector<EngineReply> replies;
  engine.info(&context, [&replies](const EngineReply& r) { replies << r; });
  QTRY_COMPARE(replies.size(), 1);
  QVERIFY(replies[0].missing);
  QVERIFY(replies[0].error.startsWith("Cannot start the engine `/nonexistent/temper`"));
}

void WizardUnitsTest::formats() {
  QCOMPARE(formatCount(123456), QStringLiteral("123 k"));
  QCOMPARE(formatCount(124439808), QStringLiteral("124 M"));
  QCOMPARE(formatCount(1100000000), QStringLiteral("1.10 B"));
  QCOMPARE(formatCount(950), QStringLiteral("950"));
  QCOMPARE(formatBytes(2293026816), QStringLiteral("2.14 GiB"));
  QCOMPARE(formatBytes(512), QStringLiteral("512 B"));
  QCOMPARE(formatBytes(1536), QStringLiteral("1.50 KiB"));
}

void WizardUnitsTest::engineShapesBesideTheContract() {
  // `temper train --dry-run --json` nests the estimate under "estimate" beside what it resolved.
  MemoryEstimate m;
  const QJsonObject nested{{"method", "sft"},
                           {"seq_len", 256},
                           {"estimate", QJsonObject{{"parameters", 10},
                                                    {"trainable_parameters", 4},
                                                    {"bytes", QJsonObject{{"weights", 40}, {"total", 100}}},
                                                    {"device", "cpu"}}}};
  QCOMPARE(parseMemoryEstimate(nested, m), QString());
  QCOMPARE(m.total, 100);
  QCOMPARE(m.trainable_parameters, 4);
  QCOMPARE(m.device, QStringLiteral("cpu"));
  // CUDA devices as indices (the engine) or names.
  FakeEngineQueries fake;
  QJsonObject json = fake.info_reply.json;
  json["device"] = QJsonObject{{"cuda_available", true}, {"cuda_devices", QJsonArray{0, "A100"}}, {"cpu_threads", 8}};
  EngineInfo info;
  QCOMPARE(parseEngineInfo(json, info), QString());
  QCOMPARE(info.cuda_devices, (QStringList{"cuda:0", "A100"}));
  QVERIFY(info.cuda_available);
  // method_defaults are read per key.
  QCOMPARE(info.key("warmup-steps")->method_defaults.value("sft").toInt(), 10);
  QVERIFY(info.key("seed")->method_defaults.isEmpty());
}

QTEST_MAIN(WizardUnitsTest)
#include "wizard_units_test.moc"
