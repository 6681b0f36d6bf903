// The wizard end to end against the fake engine: each enabled method gives the config written out
// by hand below; invalid values block Next; disabled methods cannot be chosen.
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTest>

#include "ui/wizard/data_preview_model.h"
#include "ui/wizard/key_field.h"
#include "ui/wizard/status_line.h"
#include "wizard_test_support.h"

using namespace temper::studio;
using namespace temper::studio::test;

class WizardPagesTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void eachMethodGivesItsConfig_data();
  void eachMethodGivesItsConfig();
  void asynchronousEngineAnswers();
  void invalidValuesBlockNext();
  void invalidAdvancedValueOpensAdvanced();
  void disabledMethodsCannotBeChosen();
  void methodsFollowBaseModelAndData();
  void badModelFolderShowsTheEngineError();
  void previousRunModel();
  void infoErrorIsOneLine();
  void dataInspectionErrorBlocksNext();
  void pretrainingTakesNoSplit();
  void dataPreviewShowsFirstRecords();
  void dryRunShowsMemory();
  void launchEmitsConfigAndTags();
};

void WizardPagesTest::eachMethodGivesItsConfig_data() {
  QTest::addColumn<QString>("method");
  QTest::addColumn<QString>("base");  // empty: from scratch (preset tiny)
  QTest::addColumn<QString>("data");
  QTest::addColumn<QString>("valFile");  // empty: the fraction (0.1)
  QTest::addColumn<QJsonObject>("expected");

  // Pretraining a tiny model: engine defaults, lr 1e-3 for a model under 50 M parameters; no
  // validation keys (the engine scopes them to finetuning: pretraining splits in `data prepare`).
  QTest::newRow("pretrain") << "pretrain"
                            << ""
                            << "/data/corpus"
                            << ""
                            << QJsonObject{{"method", "pretrain"},
                                           {"preset", "tiny"},
                                           {"data", "/data/corpus"},
                                           {"tokenizer", "/tok/tok.model"},
                                           {"name", "pretrain tiny corpus"},
                                           {"batch-size", 12},
                                           {"grad-accum", 1},
                                           {"max-steps", 2000},
                                           {"lr", 0.001},
                                           {"min-lr", 0.0001},
                                           {"warmup-steps", 100},
                                           {"weight-decay", 0.1},
                                           {"eval-every", 250},
                                           {"checkpoint-every", 500},
                                           {"bias", true},
                                           {"seed", 1337},
                                           {"device", "auto"}};
  // Finetuning a 124 M model: lr 5e-5, a tenth at the end, shorter runs, ctx min(1024, model's).
  const QJsonObject finetune{{"base", "/models/gpt2-small"},
                             {"batch-size", 8},
                             {"grad-accum", 1},
                             {"max-steps", 1000},
                             {"lr", 5e-5},
                             {"min-lr", 5e-6},
                             {"warmup-steps", 30},
                             {"weight-decay", 0.01},
                             {"eval-every", 100},
                             {"checkpoint-every", 250},
                             {"ctx", 1024},
                             {"seed", 1337},
                             {"device", "auto"}};
  auto with = [&](QJsonObject extra) {
    QJsonObject out = finetune;
    for (auto it = extra.begin(); it != extra.end(); ++it) out[it.key()] = it.value();
    return out;
  };
  QTest::newRow("continued-pretrain") << "continued-pretrain"
                                      << "/models/gpt2-small"
                                      << "/data/corpus"
                                      << ""
                                      << with({{"method", "continued-pretrain"},
                                               {"data", "/data/corpus"},
                                               {"val-fraction", 0.1},
                                               {"name", "continued-pretrain gpt2-small corpus"}});
  QTest::newRow("sft") << "sft"
                       << "/models/gpt2-small"
                       << "/data/sft.jsonl"
                       << "/data/sft-val.jsonl"
                       // The engine's defaults for sft (method_defaults) win over the wizard's
                       // method-only ones: 500 steps, 10 warmup steps.
                       << with({{"method", "sft"},
                                {"data", "/data/sft.jsonl"},
                                {"val-data", "/data/sft-val.jsonl"},
                                {"name", "sft gpt2-small sft"},
                                {"max-steps", 500},
                                {"warmup-steps", 10}});
  QTest::newRow("classify") << "classify"
                            << "/models/gpt2-small"
                            << "/data/labels.jsonl"
                            << ""
                            << with({{"method", "classify"},
                                     {"data", "/data/labels.jsonl"},
                                     {"val-fraction", 0.1},
                                     {"name", "classify gpt2-small labels"},
                                     // The engine's 3e-5 for classify loses to the size rule (5e-5
                                     // at 124 M); its 10 warmup steps win over the wizard's 30.
                                     {"warmup-steps", 10},
                                     {"train-last-blocks", 0}});
}

void WizardPagesTest::eachMethodGivesItsConfig() {
  QFETCH(QString, method);
  QFETCH(QString, base);
  QFETCH(QString, data);
  QFETCH(QString, valFile);
  QFETCH(QJsonObject, expected);
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  w.restart();
  if (base.isEmpty()) {
    chooseScratch(w, QStringLiteral("tiny"));
  } else {
    chooseFolder(w, base);
  }
  pressNext(w);
  w.dataPage()->setPaths({data});
  if (base.isEmpty()) w.dataPage()->findChild<QLineEdit*>(QStringLiteral("tokenizer"))->setText("/tok/tok.model");
  if (!valFile.isEmpty()) chooseValidationFile(w, valFile);
  pressNext(w);
  QRadioButton* radio = w.methodPage()->button(method);
  QVERIFY(radio->isEnabled());
  radio->click();
  walkToReview(w);  // every weight trains unless "What is trained" says otherwise: no `peft`
  if (w.config() != expected) {
    qWarning().noquote() << "got:" << QJsonDocument(w.config()).toJson();
    qWarning().noquote() << "expected:" << QJsonDocument(expected).toJson();
  }
  QCOMPARE(w.config(), expected);
  // The review page shows exactly that config.
  const QString shown = w.reviewPage()->findChild<QPlainTextEdit*>(QStringLiteral("configJson"))->toPlainText();
  QCOMPARE(QJsonDocument::fromJson(shown.toUtf8()).object(), expected);
  // The tokenizer that counted tokens: the chosen file from scratch, the base model's folder otherwise.
  QCOMPARE(engine.data_tokenizers.last(), base.isEmpty() ? QStringLiteral("/tok/tok.model") : base);
}

void WizardPagesTest::asynchronousEngineAnswers() {
  TestSettings s;
  FakeEngineQueries engine;
  engine.deferred = true;
  FinetuneWizard w(&engine, &s.settings);
  w.restart();
  QVERIFY(!w.engineReady());  // the answer comes on a later turn of the event loop
  QVERIFY(!nextEnabled(w));
  QTRY_VERIFY(w.engineReady());
  chooseFolder(w, "/models/gpt2-small");
  pressNext(w);
  w.dataPage()->setPaths({"/data/sft.jsonl"});
  pressNext(w);
  w.methodPage()->button("sft")->click();
  pressNext(w);
  pressNext(w);
  QCOMPARE(w.config().value("lr").toDouble(), 5e-5);
}

void WizardPagesTest::invalidValuesBlockNext() {
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  w.restart();
  chooseScratch(w, "tiny");
  pressNext(w);
  w.dataPage()->setPaths({"/data/corpus"});
  pressNext(w);
  pressNext(w);  // pretrain is the first method that fits
  HyperparametersPage* page = w.hyperparametersPage();
  QVERIFY(page->isComplete());
  KeyField* lr = page->field("lr");
  QVERIFY(lr);
  lr->setText("-1");
  QVERIFY(!page->isComplete());
  QVERIFY(!nextEnabled(w));
  QVERIFY(lr->errorLabel()->isVisibleTo(page));
  QCOMPARE(lr->errorLabel()->text(), QStringLiteral("Expected a number, 1e-09 to 10."));
  lr->setText("abc");
  QCOMPARE(lr->errorLabel()->text(), QStringLiteral("Expected a number, 1e-09 to 10."));
  lr->setText("3e-4");
  QVERIFY(page->isComplete());
  QVERIFY(nextEnabled(w));
  QVERIFY(!lr->errorLabel()->isVisibleTo(page));

  KeyField* steps = page->field("max-steps");
  steps->setText("1.5");
  QCOMPARE(steps->errorLabel()->text(), QStringLiteral("Expected a whole number, 1 to 100000000."));
  QVERIFY(!nextEnabled(w));
  steps->setText("0");
  QVERIFY(!page->isComplete());
  steps->setText("500");
  QVERIFY(page->isComplete());
  // An optional shape key may stay empty (the preset's value), but not hold a bad number.
  KeyField* layers = page->field("layers");
  QCOMPARE(layers->value(), QJsonValue(QJsonValue::Null));
  layers->setText("300");
  QCOMPARE(layers->errorLabel()->text(), QStringLiteral("Expected a whole number, 1 to 256."));
  QVERIFY(!page->isComplete());
  layers->setText("");
  QVERIFY(page->isComplete());
  pressNext(w);
  QCOMPARE(w.config().value("lr").toDouble(), 3e-4);
  QCOMPARE(w.config().value("max-steps").toInteger(), 500);
  QVERIFY(!w.config().contains("layers"));
}

void WizardPagesTest::invalidAdvancedValueOpensAdvanced() {
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  w.restart();
  chooseScratch(w, "tiny");
  pressNext(w);
  w.dataPage()->setPaths({"/data/corpus"});
  pressNext(w);
  pressNext(w);
  HyperparametersPage* page = w.hyperparametersPage();
  QVERIFY(!page->advancedShown());
  page->field("weight-decay")->setText("11");
  QVERIFY(page->advancedShown());  // else Next would be disabled with no visible reason
  QVERIFY(!nextEnabled(w));
  QCOMPARE(page->findChild<QLabel*>("problems")->text(), QStringLiteral("Values to fix before going on: 1."));
}

void WizardPagesTest::disabledMethodsCannotBeChosen() {
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  w.restart();
  chooseFolder(w, "/models/gpt2-small");
  pressNext(w);
  w.dataPage()->setPaths({"/data/sft.jsonl"});
  pressNext(w);
  MethodPage* page = w.methodPage();
  QRadioButton* dpo = page->button("dpo");
  QVERIFY(!dpo->isEnabled());
  QCOMPARE(page->disabledReason("dpo"), QStringLiteral("arrives with the RLHF issue"));
  QCOMPARE(page->findChild<QLabel*>("dpo-reason")->text(), QStringLiteral("arrives with the RLHF issue"));
  dpo->click();
  QVERIFY(!dpo->isChecked());
  QTest::mouseClick(dpo, Qt::LeftButton);
  QVERIFY(!dpo->isChecked());
  for (const char* name : {"few-shot", "reward-model", "ppo"}) {
    QVERIFY2(!page->button(name)->isEnabled(), name);
  }
  // The first method that fits this base model and data is chosen.
  QVERIFY(page->button("sft")->isChecked());
  QCOMPARE(w.config().value("method").toString(), QStringLiteral("sft"));
}

void WizardPagesTest::methodsFollowBaseModelAndData() {
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  w.restart();
  chooseScratch(w, "tiny");
  pressNext(w);
  w.dataPage()->setPaths({"/data/corpus"});
  pressNext(w);
  MethodPage* page = w.methodPage();
  QVERIFY(page->button("pretrain")->isChecked());
  QCOMPARE(page->disabledReason("sft"), QStringLiteral("Needs a base model: choose one on the first page."));
  QVERIFY(!page->button("continued-pretrain")->isEnabled());
  // Back to page 1, a base model; SFT data: pretraining and text-only methods drop out.
  w.back();
  w.back();
  chooseFolder(w, "/models/gpt2-small");
  pressNext(w);
  w.dataPage()->setPaths({"/data/sft.jsonl"});
  pressNext(w);
  QVERIFY(!page->button("pretrain")->isEnabled());
  QCOMPARE(page->disabledReason("pretrain"),
           QStringLiteral("Starts from nothing: choose \"Pretrain from scratch\" on the first page."));
  QCOMPARE(page->disabledReason("classify"),
           QStringLiteral("Needs text-label data; the chosen data is prompt-completion."));
  QVERIFY(!page->button("continued-pretrain")->isEnabled());
  QVERIFY(page->button("sft")->isChecked());  // the first method that fits
}

void WizardPagesTest::badModelFolderShowsTheEngineError() {
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  w.restart();
  chooseFolder(w, "/models/broken");
  StatusLine* status = w.baseModelPage()->modelStatus();
  QTRY_COMPARE(status->state(), StatusLine::State::Error);
  QCOMPARE(status->text(), QStringLiteral("/models/broken: no config.json (not a Hugging Face model folder)"));
  QVERIFY(!nextEnabled(w));
  w.baseModelPage()->findChild<QLineEdit*>("modelDir")->setText("/models/gpt2-small");
  QTRY_COMPARE(status->state(), StatusLine::State::Message);
  QVERIFY(status->text().contains("124 M parameters"));
  QVERIFY(status->text().contains("byte-level-bpe"));
  QVERIFY(nextEnabled(w));
}

void WizardPagesTest::previousRunModel() {
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  w.setPreviousRuns({{"r0", "first", "/runs/r0/final"}, {"r1", "shakespeare", "/runs/r1/final"}});
  w.restart();
  auto* previous = w.findChild<QRadioButton*>("previous");
  QVERIFY(previous->isEnabled());
  previous->click();
  auto* combo = w.findChild<QComboBox*>("previousRun");
  QCOMPARE(combo->count(), 2);
  QCOMPARE(combo->itemText(1), QStringLiteral("shakespeare (r1)"));
  // The fake knows no model in /runs/r0/final: the engine's error, and no Next.
  QTRY_COMPARE(w.baseModelPage()->modelStatus()->state(), StatusLine::State::Error);
  QVERIFY(!nextEnabled(w));
  combo->setCurrentIndex(1);
  pressNext(w);
  QCOMPARE(w.config().value("base").toString(), QStringLiteral("/runs/r1/final"));
}

void WizardPagesTest::infoErrorIsOneLine() {
  TestSettings s;
  FakeEngineQueries engine;
  engine.info_reply = FakeEngineQueries::failed("`temper info` did not answer within 120 s.");
  FinetuneWizard w(&engine, &s.settings);
  w.restart();
  auto* status = w.baseModelPage()->findChild<StatusLine*>("engineStatus");
  QCOMPARE(status->state(), StatusLine::State::Error);
  QCOMPARE(status->text(), QStringLiteral("`temper info` did not answer within 120 s."));
  QVERIFY(!w.baseModelPage()->isComplete());
}

void WizardPagesTest::dataInspectionErrorBlocksNext() {
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  w.restart();
  chooseFolder(w, "/models/gpt2-small");
  pressNext(w);
  w.dataPage()->setPaths({"/data/missing.jsonl"});
  auto* status = w.dataPage()->findChild<StatusLine*>("dataStatus");
  QTRY_COMPARE(status->state(), StatusLine::State::Error);
  QCOMPARE(status->text(), QStringLiteral("/data/missing.jsonl: no such file"));
  QVERIFY(!w.dataPage()->isComplete());
  // A held-out file must be named.
  w.dataPage()->setPaths({"/data/sft.jsonl"});
  QTRY_VERIFY(w.dataPage()->isComplete());
  chooseValidationFile(w, "");
  QVERIFY(!w.dataPage()->isComplete());
  chooseValidationFile(w, "/data/val.jsonl");
  QVERIFY(w.dataPage()->isComplete());
  // The engine's `data` is one path.
  w.dataPage()->setPaths({"/data/corpus", "/data/sft.jsonl"});
  QTRY_COMPARE(status->text(), QStringLiteral("The engine trains on one file or folder: put the files in one folder."));
  QVERIFY(!w.dataPage()->isComplete());
}

void WizardPagesTest::pretrainingTakesNoSplit() {
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  w.restart();
  chooseScratch(w, "tiny");
  pressNext(w);
  // The engine scopes val-fraction and val-data to the finetuning methods.
  QVERIFY(!w.dataPage()->findChild<QRadioButton*>("valFractionChoice")->isEnabled());
  QVERIFY(!w.dataPage()->findChild<QRadioButton*>("valFileChoice")->isEnabled());
  QVERIFY(w.dataPage()->findChild<QLabel*>("splitReason")->isVisibleTo(w.dataPage()));
  // The engine's own words on what `data` is.
  QCOMPARE(w.dataPage()->findChild<QLabel*>("dataHint")->text(), QStringLiteral("help of data"));
  // From a base model, the engine's default fraction is offered.
  w.back();
  chooseFolder(w, "/models/gpt2-small");
  pressNext(w);
  auto* fraction = w.dataPage()->findChild<QRadioButton*>("valFractionChoice");
  QVERIFY(fraction->isEnabled());
  QVERIFY(fraction->isChecked());
  QCOMPARE(w.dataPage()->findChild<QDoubleSpinBox*>("valFraction")->value(), 0.1);
}

void WizardPagesTest::dataPreviewShowsFirstRecords() {
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  w.restart();
  chooseFolder(w, "/models/gpt2-small");
  pressNext(w);
  w.dataPage()->setPaths({"/data/sft.jsonl"});
  QTRY_VERIFY(w.dataPage()->isComplete());
  DataPreviewModel* model = w.dataPage()->previewModel();
  QCOMPARE(model->rowCount(), 2);
  QCOMPARE(model->columns(), (QStringList{"prompt", "completion", "id"}));
  QCOMPARE(model->index(1, 1).data().toString(), QStringLiteral("SELECT name FROM t"));
  const QString summary = w.dataPage()->findChild<QLabel*>("summary")->text();
  QVERIFY2(
      summary.contains("prompt-completion") && summary.contains("98,765 tokens") && summary.contains("1,000 records"),
      qPrintable(summary));
}

void WizardPagesTest::dryRunShowsMemory() {
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  w.restart();
  chooseFolder(w, "/models/gpt2-small");
  pressNext(w);
  w.dataPage()->setPaths({"/data/sft.jsonl"});
  pressNext(w);
  pressNext(w);
  QCOMPARE(w.currentId(), int(FinetuneWizard::kPeftPage));
  pressNext(w);
  StatusLine* memory = w.hyperparametersPage()->memoryStatus();
  QTRY_COMPARE(memory->state(), StatusLine::State::Message);
  QCOMPARE(memory->text(), QStringLiteral("Memory on cpu: 2.14 GiB in all — weights 475 MiB, gradients 475 MiB, "
                                          "optimizer 949 MiB, activations 288 MiB. 124 M parameters, 124 M trained."));
  QCOMPARE(engine.dry_run_configs.last(), w.config());
  // A refused config: the engine's words, in red.
  engine.dry_run_reply = FakeEngineQueries::failed("`lr` is \"5\"; allowed: 1e-09 to 1");
  w.hyperparametersPage()->field("lr")->setText("5");
  QTRY_COMPARE(memory->state(), StatusLine::State::Error);
  QCOMPARE(memory->text(), QStringLiteral("The engine refuses this config: `lr` is \"5\"; allowed: 1e-09 to 1"));
  // ...at the field it names, and Next waits for a config the engine accepts.
  HyperparametersPage* page = w.hyperparametersPage();
  QCOMPARE(page->field("lr")->errorLabel()->text(), QStringLiteral("`lr` is \"5\"; allowed: 1e-09 to 1"));
  QVERIFY(page->field("lr")->isValid());  // the field's own range allows it; the engine does not
  QVERIFY(!page->isComplete());
  QVERIFY(!nextEnabled(w));
  // A rule between keys, named by the engine: shown under the first key it names.
  engine.dry_run_reply = FakeEngineQueries::failed("`warmup-steps` (100) must not exceed `max-steps` (30)");
  page->field("lr")->setText("5e-5");
  QTRY_COMPARE(page->field("warmup-steps")->errorLabel()->text(),
               QStringLiteral("`warmup-steps` (100) must not exceed `max-steps` (30)"));
  QVERIFY(page->field("lr")->errorLabel()->text().isEmpty());
  QVERIFY(!nextEnabled(w));
  engine.dry_run_reply = FakeEngineQueries().dry_run_reply;
  page->field("warmup-steps")->setText("5");
  QTRY_VERIFY(nextEnabled(w));
  QCOMPARE(memory->state(), StatusLine::State::Message);
  QVERIFY(page->field("warmup-steps")->errorLabel()->text().isEmpty());
}

void WizardPagesTest::launchEmitsConfigAndTags() {
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  QSignalSpy launched(&w, &FinetuneWizard::launchRequested);
  w.restart();
  chooseScratch(w, "small");
  pressNext(w);
  w.dataPage()->setPaths({"/data/corpus"});
  pressNext(w);
  pressNext(w);
  pressNext(w);
  QCOMPARE(w.button(QWizard::FinishButton)->text(), QStringLiteral("Launch"));
  w.reviewPage()->findChild<QLineEdit*>("name")->setText("my run");
  w.reviewPage()->findChild<QLineEdit*>("tags")->setText(" baseline, small ,, baseline");
  w.button(QWizard::FinishButton)->click();
  QCOMPARE(launched.count(), 1);
  const QJsonObject config = launched.first().at(0).toJsonObject();
  QCOMPARE(config, w.config());
  QCOMPARE(config.value("name").toString(), QStringLiteral("my run"));
  QCOMPARE(config.value("preset").toString(), QStringLiteral("small"));
  QCOMPARE(launched.first().at(1).toStringList(), (QStringList{"baseline", "small"}));
}

QTEST_MAIN(WizardPagesTest)
#include "wizard_pages_test.moc"
