// Templates, the last used values and "duplicate into wizard": a config goes in, every page takes
// its part, and the same config comes out.
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

#include "ui/wizard/key_field.h"
#include "ui/wizard/lora_targets_field.h"
#include "ui/wizard/peft_kind_settings.h"
#include "ui/wizard/template_store.h"
#include "wizard_test_support.h"

using namespace temper::studio;
using namespace temper::studio::test;

namespace {

/// An SFT run of a LoRA adapter with a few values changed from the defaults, named "custom".
void fillSftRun(FinetuneWizard& w) {
  w.restart();
  chooseFolder(w, "/models/gpt2-small");
  pressNext(w);
  w.dataPage()->setPaths({"/data/sft.jsonl"});
  chooseValidationFile(w, "/data/sft-val.jsonl");
  pressNext(w);
  w.methodPage()->button("sft")->click();
  pressNext(w);
  w.peftPage()->button("lora")->click();
  w.peftPage()->settings()->field("lora-r")->setText("16");
  w.peftPage()->settings()->targetsField()->setValue("all-linear");
  pressNext(w);
  w.hyperparametersPage()->field("lr")->setText("3e-5");
  w.hyperparametersPage()->field("device")->setValue(QJsonValue("cpu"));
  pressNext(w);
  w.reviewPage()->findChild<QLineEdit*>("name")->setText("custom");
}

const QJsonObject kSftRun{{"method", "sft"},
                          {"peft", "lora"},
                          {"lora-r", 16},
                          {"lora-targets", "all-linear"},
                          {"lora-dropout", 0},
                          {"use-rslora", false},
                          {"use-dora", false},
                          {"lora-bias", "none"},
                          {"base", "/models/gpt2-small"},
                          {"data", "/data/sft.jsonl"},
                          {"val-data", "/data/sft-val.jsonl"},
                          {"name", "custom"},
                          {"batch-size", 8},
                          {"grad-accum", 1},
                          {"max-steps", 500},
                          {"lr", 3e-5},
                          {"min-lr", 2e-5},      // a LoRA run's suggestion (2e-4 / 10)
                          {"warmup-steps", 10},  // the engine's for sft
                          {"weight-decay", 0.01},
                          {"eval-every", 100},
                          {"checkpoint-every", 250},
                          {"ctx", 1024},
                          {"seed", 1337},
                          {"device", "cpu"}};

QJsonObject named(QJsonObject config, const QString& name) {
  config["name"] = name;
  return config;
}

}  // namespace

class WizardTemplatesTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void saveTemplateThenStartFromIt();
  void lastUsedValuesStartTheNextWizard();
  void duplicateARun();
  void duplicateAStoredRunWithEveryKey();
  void seedWaitsForTheEngine();
  void templateNeedsAName();
};

void WizardTemplatesTest::saveTemplateThenStartFromIt() {
  TestSettings s;
  FakeEngineQueries engine;
  {
    FinetuneWizard w(&engine, &s.settings);
    fillSftRun(w);
    QCOMPARE(w.config(), kSftRun);
    w.reviewPage()->findChild<QLineEdit*>("templateName")->setText("lora recipe");
    w.reviewPage()->findChild<QPushButton*>("saveTemplate")->click();
    QCOMPARE(w.reviewPage()->findChild<QLabel*>("templateStatus")->text(),
             QStringLiteral("Saved as template \"lora recipe\"."));
    // The first page's list follows at once.
    QVERIFY(w.baseModelPage()->findChild<QComboBox*>("template")->findText("Template: lora recipe") >= 0);
  }
  QCOMPARE(TemplateStore(&s.settings).names(), QStringList{"lora recipe"});

  FinetuneWizard w(&engine, &s.settings);
  w.restart();
  auto* combo = w.baseModelPage()->findChild<QComboBox*>("template");
  const int index = combo->findText("Template: lora recipe");
  QVERIFY(index >= 0);
  combo->setCurrentIndex(index);
  Q_EMIT combo->activated(index);
  walkToReview(w);
  // Everything but the run's name (a template is a recipe): the name is suggested afresh.
  QCOMPARE(w.config(), named(kSftRun, "sft lora gpt2-small sft"));
}

void WizardTemplatesTest::lastUsedValuesStartTheNextWizard() {
  TestSettings s;
  FakeEngineQueries engine;
  {
    FinetuneWizard w(&engine, &s.settings);
    QSignalSpy launched(&w, &FinetuneWizard::launchRequested);
    fillSftRun(w);
    w.accept();
    QCOMPARE(launched.count(), 1);
  }
  FinetuneWizard w(&engine, &s.settings);
  w.restart();
  QCOMPARE(w.baseModelPage()->findChild<QComboBox*>("template")->currentText(), QStringLiteral("Last used values"));
  walkToReview(w);
  QCOMPARE(w.config(), named(kSftRun, "sft lora gpt2-small sft"));
  // "Defaults" starts over: back on page 1, choose it, and the engine's values return.
  while (w.currentId() != FinetuneWizard::kBaseModelPage) w.back();
  auto* combo = w.baseModelPage()->findChild<QComboBox*>("template");
  combo->setCurrentIndex(0);
  Q_EMIT combo->activated(0);
  QVERIFY(w.findChild<QRadioButton*>("scratch")->isChecked());
}

void WizardTemplatesTest::duplicateARun() {
  TestSettings s;
  FakeEngineQueries engine;
  // A stored config as the caller would pass it: every page must take its part unchanged.
  const QJsonObject stored{{"method", "classify"},
                           {"base", "/models/gpt2-small"},
                           {"data", "/data/labels.jsonl"},
                           {"val-fraction", 0.2},
                           {"name", "labels v1"},
                           {"batch-size", 4},
                           {"grad-accum", 2},
                           {"max-steps", 300},
                           {"lr", 2e-5},
                           {"min-lr", 0},
                           {"warmup-steps", 10},
                           {"weight-decay", 0},
                           {"eval-every", 50},
                           {"checkpoint-every", 100},
                           {"ctx", 256},
                           {"train-last-blocks", 2},
                           {"seed", 7},
                           {"device", "cpu"}};
  FinetuneWizard w(&engine, &s.settings);
  w.setInitialConfig(stored);
  walkToReview(w);
  QCOMPARE(w.config(), stored);
}

void WizardTemplatesTest::duplicateAStoredRunWithEveryKey() {
  TestSettings s;
  FakeEngineQueries engine;
  // The engine stores every key of a run, empty ones included.
  QJsonObject stored{{"method", "sft"},
                     {"base", "/models/gpt2-small"},
                     {"data", "/data/sft.jsonl"},
                     {"val-data", ""},
                     {"val-fraction", 0.25},
                     {"name", "sft v2"},
                     {"batch-size", 8},
                     {"grad-accum", 1},
                     {"max-steps", 500},
                     {"lr", 5e-5},
                     {"min-lr", 5e-6},
                     {"warmup-steps", 10},
                     {"weight-decay", 0.01},
                     {"eval-every", 100},
                     {"checkpoint-every", 250},
                     {"ctx", 1024},
                     {"seed", 1337},
                     {"device", "auto"}};
  FinetuneWizard w(&engine, &s.settings);
  w.setInitialConfig(stored);
  walkToReview(w);
  stored.remove("val-data");  // the fraction was the choice
  QCOMPARE(w.config(), stored);
}

void WizardTemplatesTest::seedWaitsForTheEngine() {
  TestSettings s;
  TemplateStore(&s.settings)
      .setLastUsed(QJsonObject{{"method", "pretrain"}, {"preset", "small"}, {"data", "/data/corpus"}});
  FakeEngineQueries engine;
  engine.deferred = true;
  FinetuneWizard w(&engine, &s.settings);
  w.restart();
  QTRY_VERIFY(w.engineReady());
  auto* preset = w.baseModelPage()->findChild<QComboBox*>("preset");
  QCOMPARE(preset->currentData().toString(), QStringLiteral("small"));
  walkToReview(w);
  QCOMPARE(w.config().value("preset").toString(), QStringLiteral("small"));
  QCOMPARE(w.config().value("data").toString(), QStringLiteral("/data/corpus"));
}

void WizardTemplatesTest::templateNeedsAName() {
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  fillSftRun(w);
  QVERIFY(!w.reviewPage()->saveTemplate("  "));
  QCOMPARE(w.reviewPage()->findChild<QLabel*>("templateStatus")->text(),
           QStringLiteral("Give the template a name first."));
  QVERIFY(TemplateStore(&s.settings).names().isEmpty());
  QVERIFY(w.reviewPage()->saveTemplate("a"));
  QVERIFY(w.reviewPage()->saveTemplate("a"));
  QCOMPARE(w.reviewPage()->findChild<QLabel*>("templateStatus")->text(), QStringLiteral("Template \"a\" replaced."));
}

QTEST_MAIN(WizardTemplatesTest)
#include "wizard_templates_test.moc"
