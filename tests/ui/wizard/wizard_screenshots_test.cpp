// Writes what a person sees on each page to ${TEMPER_BUILD_DIR}/screenshots/wizard-*.png, with the
// fake engine's answers, for a look before calling the wizard done.
#include <QDir>
#include <QImage>
#include <QLabel>
#include <QMenu>
#include <QPixmap>
#include <QPushButton>
#include <QTest>
#include <QTreeWidget>

#include "ui/wizard/key_field.h"
#include "ui/wizard/lora_targets.h"
#include "ui/wizard/module_picker_dialog.h"
#include "ui/wizard/peft_kind_settings.h"
#include "ui/wizard/reward_page.h"
#include "ui/wizard/reward_preview_model.h"
#include "ui/wizard/reward_rules_model.h"
#include "ui/wizard/status_line.h"
#include "wizard_test_support.h"

using namespace temper::studio;
using namespace temper::studio::test;

class WizardScreenshotsTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void eachPage();
  void adapterPlacementsAndModulePicker();
  void rewardsPage();

 private:
  void shoot(QWidget& w, const QString& name);
  QDir dir_{QStringLiteral(TEMPER_BUILD_DIR "/screenshots")};
};

void WizardScreenshotsTest::shoot(QWidget& w, const QString& name) {
  QTest::qWait(50);  // let layouts settle
  const QString path = dir_.filePath(QStringLiteral("wizard-%1.png").arg(name));
  QVERIFY(w.grab().save(path));
  const QImage image(path);
  QCOMPARE(image.size(), w.size());
}

void WizardScreenshotsTest::eachPage() {
  QVERIFY(dir_.mkpath(QStringLiteral(".")));
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  w.setPreviousRuns({{"7f3a2c", "shakespeare tiny", "/runs/r1/final"}});
  w.resize(900, 700);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  shoot(w, "1-base-model-scratch");
  chooseFolder(w, "/models/gpt2-small");
  QTRY_VERIFY(nextEnabled(w));
  shoot(w, "1-base-model-folder");
  pressNext(w);
  w.dataPage()->setPaths({"/data/sft.jsonl"});
  chooseValidationFile(w, "/data/sft-val.jsonl");
  QTRY_VERIFY(nextEnabled(w));
  shoot(w, "2-data");
  pressNext(w);
  shoot(w, "3-method");
  pressNext(w);
  w.peftPage()->button("lora")->click();
  QTRY_VERIFY(w.peftPage()->estimateStatus()->text().startsWith("Trains"));
  shoot(w, "3b-what-is-trained");
  // QLoRA: an nf4 base under the same LoRA (the estimate's weights shrink).
  w.peftPage()->settings()->field("base-quant")->setValue(QJsonValue("nf4"));
  QTRY_VERIFY(w.peftPage()->estimateStatus()->text().contains("weights 117 MiB"));
  shoot(w, "3b-what-is-trained-nf4");
  w.peftPage()->settings()->field("base-quant")->setValue(QJsonValue("none"));
  QTRY_VERIFY(w.peftPage()->estimateStatus()->text().contains("weights 475 MiB"));
  pressNext(w);
  QTRY_VERIFY(w.hyperparametersPage()->memoryStatus()->text().startsWith("Memory"));
  shoot(w, "4-hyperparameters");
  w.hyperparametersPage()->field("lr")->setText("20");
  w.hyperparametersPage()->setAdvancedShown(true);
  shoot(w, "4-hyperparameters-invalid-advanced");
  w.hyperparametersPage()->field("lr")->setText("5e-5");
  pressNext(w);
  w.reviewPage()->findChild<QLineEdit*>("tags")->setText("baseline, wikisql");
  shoot(w, "5-review");
}

// Bottleneck adapters in each placement (the fake engine lists them as the engine will), and
// LoRA's module picker over GPT-2 124M's projections: wizard-peft-adapters-<placement>.png,
// wizard-peft-module-picker.png.
void WizardScreenshotsTest::adapterPlacementsAndModulePicker() {
  QVERIFY(dir_.mkpath(QStringLiteral(".")));
  TestSettings s;
  FakeEngineQueries engine;
  engine.enableAdapters();
  FinetuneWizard w(&engine, &s.settings);
  w.resize(900, 700);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  chooseFolder(w, "/models/gpt2-small");
  pressNext(w);
  w.dataPage()->setPaths({"/data/sft.jsonl"});
  pressNext(w);
  pressNext(w);
  QCOMPARE(w.currentId(), int(FinetuneWizard::kPeftPage));
  w.peftPage()->button("adapters")->click();
  for (const char* placement : {"after-attention", "after-ffn", "both", "parallel"}) {
    w.peftPage()->settings()->field("adapter-placement")->setValue(QJsonValue(placement));
    QTRY_VERIFY(w.peftPage()->estimateStatus()->text().startsWith("Trains"));
    shoot(w, QStringLiteral("peft-adapters-%1").arg(placement));
  }
  w.peftPage()->button("lora")->click();
  ModelInspection model;
  QVERIFY(parseModelInspection(engine.models.value("/models/gpt2-small").json, model).isEmpty());
  ModulePickerDialog picker(model.modules, selectedModules("attention", model.modules), 8, &w);
  picker.tree()->topLevelItem(1)->setExpanded(true);
  picker.show();
  QVERIFY(QTest::qWaitForWindowExposed(&picker));
  shoot(picker, QStringLiteral("peft-module-picker"));
}

// GRPO's rewards: three rules, a reward model beside them, answers typed into the preview:
// wizard-3a-rewards.png; a regex PCRE2 refuses: wizard-3a-rewards-invalid.png.
void WizardScreenshotsTest::rewardsPage() {
  QVERIFY(dir_.mkpath(QStringLiteral(".")));
  TestSettings s;
  FakeEngineQueries engine;
  engine.enableOnlineMethods();
  FinetuneWizard w(&engine, &s.settings);
  w.resize(900, 700);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  chooseFolder(w, "/models/gpt2-small");
  pressNext(w);
  w.dataPage()->setPaths({"/data/prompts.jsonl"});
  pressNext(w);
  w.methodPage()->button("grpo")->click();
  pressNext(w);
  QCOMPARE(w.currentId(), int(FinetuneWizard::kRewardPage));
  RewardPage* page = w.rewardPage();
  shoot(w, "3a-rewards-empty");
  // The same wizard with a preference set as data (what DPO or a reward model trains on).
  w.back();
  w.back();
  w.setPreferenceSets({{"helpful", 12, 10}});
  w.dataPage()->preferenceSetButton()->menu()->findChild<QAction*>("set:helpful")->trigger();
  QTRY_VERIFY(w.dataPage()->findChild<QLabel*>("summary")->text().contains("helpful"));
  shoot(w, "2-data-preference-set");
  w.dataPage()->setPaths({"/data/prompts.jsonl"});
  pressNext(w);
  pressNext(w);
  QCOMPARE(w.currentId(), int(FinetuneWizard::kRewardPage));
  RewardRulesModel* rules = page->rulesModel();
  rules->addRule({"format", "<think>...</think><answer>...</answer>", 1.0});
  rules->addRule({"numeric-match", "answer", 2.0});
  rules->addRule({"length", "20-400", 0.25});
  page->setRewardModel("/runs/rm/final");
  QTRY_COMPARE(page->modelStatus()->state(), StatusLine::State::Message);
  RewardPreviewModel* preview = page->previewModel();
  const QStringList answers{"<think>6 x 7 = 42</think><answer>42</answer>", "2 + 2 is 5",
                            "<think>11 is prime</think><answer>13</answer>"};
  for (int row = 0; row < answers.size(); ++row)
    preview->setData(preview->index(row, RewardPreviewModel::kAnswer), answers[row]);
  QTRY_VERIFY(preview->reward(2).has_value());
  shoot(w, "3a-rewards");
  rules->addRule({"regex", "(\\d+", 1.0});
  QTRY_VERIFY(!page->rulesError().isEmpty());
  shoot(w, "3a-rewards-invalid");
}

QTEST_MAIN(WizardScreenshotsTest)
#include "wizard_screenshots_test.moc"
