// The wizard's parts on their own: parsing the engine's answers, defaults, templates, the data
// preview model, key fields, and the method texts and fit read from the engine's methods. (The
// child processes that ask the engine are tested in tests/ui/client.)
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
#include "ui/client/engine_replies.h"
#include "ui/client/formatting.h"
#include "ui/wizard/data_preview_model.h"
#include "ui/wizard/hyperparameter_defaults.h"
#include "ui/wizard/key_field.h"
#include "ui/wizard/method_catalog.h"
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
  void methodTextsAndFit();
  void formats();
  void engineShapesBesideTheContract();
};

void WizardUnitsTest::parsesInfo() {
  FakeEngineQueries fake;
  EngineInfo info;
  QCOMPARE(parseEngineInfo(fake.info_reply.json, info), QString());
  QCOMPARE(info.temper, QStringLiteral("0.1.0"));
  QCOMPARE(info.cpu_threads, 2);
  QCOMPARE(info.blas, QStringLiteral("openblas-openmp"));
  QCOMPARE(info.methods.size(), 8);
  QCOMPARE(info.methods[6].name, QStringLiteral("dpo"));
  QVERIFY(!info.methods[6].available);
  QCOMPARE(info.methods[6].reason, QStringLiteral("arrives with the RLHF issue"));
  QVERIFY(info.methods[6].needs_base);
  QCOMPARE(info.methods[6].base, QStringLiteral("language-model"));
  QCOMPARE(info.methods[6].formats, QStringList{"preference"});
  QVERIFY(!info.methods[0].needs_base);
  QCOMPARE(info.methods[0].base, QStringLiteral("none"));
  QCOMPARE(info.methods[0].formats, (QStringList{"text", "prepared"}));
  QVERIFY(info.method("classify")->takesClassifierBase());
  QVERIFY(!info.method("sft")->takesClassifierBase());
  QCOMPARE(info.method("sft")->metrics, QStringList{"token_accuracy"});
  const TrainKey* lr = info.key("lr");
  QVERIFY(lr);
  QCOMPARE(lr->kind, TrainKey::Kind::Number);
  QCOMPARE(lr->min, 1e-9);
  QCOMPARE(lr->max, 10.0);
  QCOMPARE(lr->default_value.toDouble(), 1e-3);
  QVERIFY(lr->appliesTo("dpo"));
  // What is trained: the kinds in the engine's order, which methods take them, and each key's kind.
  QCOMPARE(info.peft_kinds.size(), 5);
  QCOMPARE(info.peft_kinds[2].name, QStringLiteral("adapters"));
  QVERIFY(!info.peftKind("adapters")->available);
  QCOMPARE(info.peftKind("adapters")->reason, QStringLiteral("not in the engine yet"));
  QCOMPARE(info.peftKind("lora")->methods, (QStringList{"continued-pretrain", "sft"}));
  QCOMPARE(info.method("sft")->peft, (QStringList{"none", "lora", "prompt-tuning"}));
  QVERIFY(info.method("sft")->takesAdapters());
  QVERIFY(!info.method("classify")->takesAdapters());
  const TrainKey* rank = info.key("lora-r");
  QVERIFY(rank->appliesTo("sft"));
  QVERIFY(!rank->appliesTo("classify"));
  QCOMPARE(rank->peft_kind, QStringLiteral("lora"));
  QCOMPARE(info.key("use-dora")->peft_kind, QStringLiteral("lora"));
  QCOMPARE(info.key("prompt-init")->peft_kind, QStringLiteral("prompt-tuning"));
  QCOMPARE(info.key("peft")->peft_kind, QString());
  QCOMPARE(info.key("lr")->peft_kind, QString());
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
  // A method without what the wizard decides with is refused, naming the field (the studio and
  // the engine ship together: nothing is guessed).
  FakeEngineQueries fake;
  const QJsonArray methods = fake.info_reply.json["methods"].toArray();
  auto withMethods = [&fake](const QJsonArray& list) {
    QJsonObject json = fake.info_reply.json;
    json["methods"] = list;
    return json;
  };
  for (const char* field : {"needs_base", "base", "formats", "metrics"}) {
    QJsonObject classify = methods[3].toObject();
    classify.remove(field);
    QJsonArray list = methods;
    list[3] = classify;
    const QString error = parseEngineInfo(withMethods(list), info);
    QVERIFY2(error.startsWith(QStringLiteral("`temper info`: methods[3] (`classify`) has no `%1`").arg(field)),
             qPrintable(error));
  }
  QJsonObject sft = methods[2].toObject();
  sft["formats"] = "text";
  QCOMPARE(parseEngineInfo(withMethods({sft}), info),
           QStringLiteral("`temper info`: methods[0] (`sft`) has no `formats` (an array)"));
  QJsonObject odd_base = methods[1].toObject();
  odd_base["base"] = "anything";
  QCOMPARE(parseEngineInfo(withMethods({odd_base}), info),
           QStringLiteral("`temper info`: methods[0] (`continued-pretrain`) has base \"anything\"; expected none, "
                          "language-model, language-model-or-classifier"));
  ModelInspection model;
  QCOMPARE(parseModelInspection(QJsonObject{{"parameters", 3}}, model),
           QStringLiteral("`temper model inspect`: the field `family` is missing"));
  QCOMPARE(parseModelInspection(QJsonObject{{"family", "gpt2"}}, model),
           QStringLiteral("`temper model inspect`: the field `task` is missing"));
  // A classifier says so and names its labels.
  QCOMPARE(
      parseModelInspection(
          QJsonObject{{"family", "gpt2"}, {"task", "sequence-classification"}, {"labels", QJsonArray{"calm", "storm"}}},
          model),
      QString());
  QVERIFY(model.isClassifier());
  QCOMPARE(model.labels, (QStringList{"calm", "storm"}));
  QCOMPARE(parseModelInspection(QJsonObject{{"family", "gpt2"}, {"task", "causal-lm"}}, model), QString());
  QVERIFY(!model.isClassifier());
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
  // What is trained sets the rate, whatever the method.
  auto adapter_lr = [](const char* peft, qint64 parameters) {
    return suggestedLearningRate("sft", ModelSize{false, parameters, 0}, peft);
  };
  QCOMPARE(adapter_lr("none", 124000000), 5e-5);
  QCOMPARE(adapter_lr("lora", 124000000), 2e-4);
  QCOMPARE(adapter_lr("lora", 7000000000), 1e-4);
  QCOMPARE(adapter_lr("adapters", 124000000), 2e-4);
  QCOMPARE(adapter_lr("prompt-tuning", 124000000), 3e-2);
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
  QVERIFY(!values.contains("lora-r"));  // the "What is trained" page's
  QVERIFY(!values.contains("peft"));
  QCOMPARE(suggestedValues("sft", ModelSize{false, 30000000, 512}, info, "lora").value("min-lr").toDouble(), 2e-5);
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
  TrainKey device{"device", TrainKey::Kind::Choice, QJsonValue("auto"), 0, 0, {"auto", "cpu", "cuda"}, "where", {}, {},
                  {}};
  KeyField d(device, false);
  QCOMPARE(d.value(), QJsonValue("auto"));
  d.setValue(QJsonValue("cpu"));
  QCOMPARE(d.value(), QJsonValue("cpu"));
  TrainKey preset{"preset", TrainKey::Kind::Choice, QJsonValue(QJsonValue::Null), 0, 0, {"tiny"}, "", {}, {}, {}};
  KeyField p(preset, false);
  QCOMPARE(p.value(), QJsonValue(QJsonValue::Null));  // "(not set)"
  TrainKey bias{"bias", TrainKey::Kind::Boolean, QJsonValue(true), 0, 0, {}, "", {}, {}, {}};
  KeyField b(bias, false);
  QCOMPARE(b.value(), QJsonValue(true));
  b.setValue(false);
  QCOMPARE(b.value(), QJsonValue(false));
  TrainKey seed{"seed", TrainKey::Kind::Integer, QJsonValue(1337), 0, 9007199254740991.0, {}, "", {}, {}, {}};
  KeyField s(seed, false);
  QSignalSpy changed(&s, &KeyField::changed);
  s.setText("9007199254740991");
  QVERIFY(s.isValid());
  QCOMPARE(s.value().toInteger(), 9007199254740991LL);
  QCOMPARE(changed.count(), 1);
  TrainKey text{"sample-prompts", TrainKey::Kind::Text, QJsonValue(""), 0, 0, {}, "", {}, {}, {}};
  KeyField t(text, false);
  QCOMPARE(t.value(), QJsonValue(""));
  QCOMPARE(allowedText(seed), QStringLiteral("0 to 9007199254740991"));
  QCOMPARE(numberText(1e-9), QStringLiteral("1e-09"));
  QCOMPARE(numberText(0.001), QStringLiteral("0.001"));
  QCOMPARE(numberText(2000), QStringLiteral("2000"));
}

void WizardUnitsTest::methodTextsAndFit() {
  FakeEngineQueries fake;
  EngineInfo info;
  QVERIFY(parseEngineInfo(fake.info_reply.json, info).isEmpty());
  // The wizard's own (translatable) words for every method the engine lists.
  for (const MethodInfo& m : info.methods) {
    const MethodText text = methodText(m);
    QVERIFY2(!text.when.isEmpty() && text.when != m.summary, qPrintable(m.name));
    QVERIFY2(!text.title.startsWith("Title of"), qPrintable(m.name));
    QVERIFY2(!methodGroup(m.name).isEmpty(), qPrintable(m.name));  // every known method has its group
  }
  QCOMPARE(methodGroup("dpo"), methodGroup("orpo"));
  QVERIFY(methodGroup("dpo") != methodGroup("grpo"));
  QCOMPARE(methodText(*info.method("sft")).title, QStringLiteral("Supervised finetuning (SFT)"));
  // A method the wizard does not know is shown in the engine's words.
  MethodInfo newcomer;
  newcomer.name = "spin";
  newcomer.title = "SPIN";
  newcomer.summary = "Self-play finetuning.";
  QCOMPARE(methodText(newcomer).title, QStringLiteral("SPIN"));
  QCOMPARE(methodText(newcomer).when, QStringLiteral("Self-play finetuning."));
  QCOMPARE(methodGroup(newcomer.name), QString());  // listed without a heading

  // The fit comes from the engine's needs_base, base and formats.
  QCOMPARE(methodMismatch(*info.method("dpo"), false, "preference"), QString());
  QCOMPARE(methodMismatch(*info.method("dpo"), false, "text"),
           QStringLiteral("Needs preference data; the chosen data is text."));
  QCOMPARE(methodMismatch(*info.method("pretrain"), true, "prepared"), QString());
  QCOMPARE(methodMismatch(*info.method("sft"), false, ""), QString());  // unknown format never blocks
  QCOMPARE(methodMismatch(*info.method("sft"), true, ""),
           QStringLiteral("Needs a base model: choose one on the first page."));
  QCOMPARE(methodMismatch(*info.method("pretrain"), false, "text"),
           QStringLiteral("Starts from nothing: choose \"Pretrain from scratch\" on the first page."));
  // A classifier base fits only a method whose base is "language-model-or-classifier".
  QCOMPARE(methodMismatch(*info.method("classify"), false, "text-label", true), QString());
  QCOMPARE(methodMismatch(*info.method("sft"), false, "", true),
           QStringLiteral("The base is a classifier, not a language model: only the classification head trains it "
                          "further."));
  MethodInfo continued = *info.method("continued-pretrain");
  continued.base = "language-model-or-classifier";
  QCOMPARE(methodMismatch(continued, false, "text", true), QString());
  QCOMPARE(methodMismatch(*info.method("pretrain"), true, "", true), QString());  // from scratch: no base
  // An engine whose method takes another format is followed without a change in the wizard.
  MethodInfo sft = *info.method("sft");
  sft.formats << "text";
  QCOMPARE(methodMismatch(sft, false, "text"), QString());
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
  QCOMPARE(m.frozen_models, 0);  // none held: the engine leaves the field out
  const QJsonObject with_reference{{"parameters", 10},
                                   {"bytes", QJsonObject{{"weights", 40}, {"frozen_models", 40}, {"total", 140}}}};
  QCOMPARE(parseMemoryEstimate(with_reference, m), QString());
  QCOMPARE(m.frozen_models, 40);
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
