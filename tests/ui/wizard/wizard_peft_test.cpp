// "What is trained" (the `peft` key) against the fake engine: when the page is shown, which kinds
// can be chosen, what each writes (only its own keys), the live estimate, refusals at the field,
// the kinds' settings (LoRA targets and the module picker, prompt init text, the adapters' block
// list and diagram), seeds, and the rules for target lists on their own.
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTreeWidget>

#include "ui/wizard/adapter_diagram.h"
#include "ui/wizard/key_field.h"
#include "ui/wizard/lora_targets.h"
#include "ui/wizard/lora_targets_field.h"
#include "ui/wizard/module_picker_dialog.h"
#include "ui/wizard/peft_catalog.h"
#include "ui/wizard/peft_kind_settings.h"
#include "ui/wizard/status_line.h"
#include "wizard_test_support.h"

using namespace temper::studio;
using namespace temper::studio::test;

namespace {

/// Base model, data and method chosen; the wizard on "What is trained".
void walkToPeftPage(FinetuneWizard& w, const QString& method = QStringLiteral("sft"),
                    const QString& base = QStringLiteral("/models/gpt2-small")) {
  w.restart();
  chooseFolder(w, base);
  pressNext(w);
  w.dataPage()->setPaths({method == QLatin1String("sft") ? "/data/sft.jsonl" : "/data/corpus"});
  pressNext(w);
  w.methodPage()->button(method)->click();
  pressNext(w);
  QCOMPARE(w.currentId(), int(FinetuneWizard::kPeftPage));
}

QVector<ModuleInfo> gpt2Modules() {
  FakeEngineQueries fake;
  ModelInspection model;
  parseModelInspection(fake.models.value("/models/gpt2-small").json, model);
  return model.modules;
}

/// The keys of each kind in the fake engine's info.
QStringList keysOfKind(const EngineInfo& info, const QString& kind) {
  QStringList keys;
  for (const TrainKey& key : info.train_keys) {
    if (key.peft_kind == kind) keys << key.key;
  }
  return keys;
}

}  // namespace

class WizardPeftTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void shownOnlyForMethodsWithAdapters();
  void kindsFollowTheEngineAndTheMethod();
  void eachKindWritesOnlyItsKeys_data();
  void eachKindWritesOnlyItsKeys();
  void estimateShowsTheTrainedShare();
  void refusalOfAKindKeyBlocksNext();
  void loraSettings();
  void quantisedBaseWithEveryAdapterKind();
  void quantisedBaseLaunchedAndEstimated();
  void modulePickerWithoutModuleList();
  void promptInitTextOnlyForText();
  void adapterSettingsAndDiagram();
  void seedRestoresKindAndKeys();
  void kindChangeKeepsTypedHyperparameters();
  void engineWithoutPeft();
  void loraTargetRules();
  void modulePicker();
  void kindTexts();
};

void WizardPeftTest::shownOnlyForMethodsWithAdapters() {
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  w.restart();
  chooseScratch(w, "tiny");
  pressNext(w);
  w.dataPage()->setPaths({"/data/corpus"});
  pressNext(w);
  QVERIFY(w.methodPage()->button("pretrain")->isChecked());
  QCOMPARE(w.nextId(), int(FinetuneWizard::kHyperparametersPage));  // pretraining trains every weight
  w.back();
  w.back();
  chooseFolder(w, "/models/gpt2-small");
  pressNext(w);
  w.dataPage()->setPaths({"/data/labels.jsonl"});
  pressNext(w);
  QVERIFY(w.methodPage()->button("classify")->isChecked());
  QCOMPARE(w.nextId(), int(FinetuneWizard::kHyperparametersPage));  // classify takes no adapter today
  w.back();
  w.dataPage()->setPaths({"/data/corpus"});
  pressNext(w);
  w.methodPage()->button("continued-pretrain")->click();
  QCOMPARE(w.nextId(), int(FinetuneWizard::kPeftPage));
  pressNext(w);
  QCOMPARE(w.currentId(), int(FinetuneWizard::kPeftPage));
}

void WizardPeftTest::kindsFollowTheEngineAndTheMethod() {
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  walkToPeftPage(w);
  PeftPage* page = w.peftPage();
  for (const char* kind : {"none", "lora", "prompt-tuning"}) QVERIFY2(page->button(kind)->isEnabled(), kind);
  for (const char* kind : {"adapters", "prefix-tuning"}) {
    QVERIFY2(!page->button(kind)->isEnabled(), kind);
    QCOMPARE(page->disabledReason(kind), QStringLiteral("not in the engine yet"));
    QCOMPARE(page->findChild<QLabel*>(QStringLiteral("%1-reason").arg(kind))->text(),
             QStringLiteral("not in the engine yet"));
  }
  page->button("adapters")->click();
  QVERIFY(!page->button("adapters")->isChecked());
  // Every weight, unless chosen otherwise: nothing written, nothing to set.
  QVERIFY(page->button("none")->isChecked());
  QVERIFY(!w.config().contains("peft"));
  QCOMPARE(page->findChild<QLabel*>("settingsTitle")->text(),
           QStringLiteral("Every weight of the model trains: nothing to set here."));
  QCOMPARE(page->button("lora")->text(), QStringLiteral("LoRA adapters"));  // the wizard's own words
}

void WizardPeftTest::eachKindWritesOnlyItsKeys_data() {
  QTest::addColumn<QString>("kind");
  QTest::addColumn<double>("lr");
  QTest::newRow("full") << "none" << 5e-5;
  QTest::newRow("lora") << "lora" << 2e-4;
  QTest::newRow("prompt-tuning") << "prompt-tuning" << 3e-2;
  QTest::newRow("adapters") << "adapters" << 2e-4;
}

void WizardPeftTest::eachKindWritesOnlyItsKeys() {
  QFETCH(QString, kind);
  QFETCH(double, lr);
  TestSettings s;
  FakeEngineQueries engine;
  engine.enableAdapters();
  FinetuneWizard w(&engine, &s.settings);
  walkToPeftPage(w);
  w.peftPage()->button(kind)->click();
  walkToReview(w);
  const QJsonObject config = w.config();
  EngineInfo info;
  QVERIFY(parseEngineInfo(engine.info_reply.json, info).isEmpty());
  if (kind == QLatin1String("none")) {
    QVERIFY(!config.contains("peft"));
  } else {
    QCOMPARE(config.value("peft").toString(), kind);
  }
  for (const char* other : {"lora", "adapters", "prompt-tuning", "prefix-tuning"}) {
    for (const QString& key : keysOfKind(info, other)) {
      const TrainKey* spec = info.key(key);
      // The kind's keys with a value (lora-alpha has none: 2 × r; the init text waits for `text`).
      const bool expected = other == kind && !spec->default_value.isNull() && key != "prompt-init-text";
      QVERIFY2(config.contains(key) == expected, qPrintable(QStringLiteral("%1 for %2").arg(key, kind)));
    }
  }
  // The hyperparameters page leaves them to "What is trained", and suggests the kind's rate.
  for (const QString& key : w.hyperparametersPage()->keys()) QVERIFY2(!isPeftKey(*info.key(key)), qPrintable(key));
  // The quantised base is "What is trained"'s too (for every kind), and left out unless chosen.
  for (const char* key : {"base-quant", "base-quant-double"}) {
    QVERIFY2(!w.hyperparametersPage()->field(key), key);
    QVERIFY2(!config.contains(key), key);
  }
  QCOMPARE(config.value("lr").toDouble(), lr);
  // A soft prompt takes its 20 positions from the model's 1024.
  QCOMPARE(config.value("ctx").toInteger(), kind == "prompt-tuning" ? 1004 : 1024);
  QCOMPARE(config.value("name").toString(),
           kind == "none" ? QStringLiteral("sft gpt2-small sft") : QStringLiteral("sft %1 gpt2-small sft").arg(kind));
}

void WizardPeftTest::estimateShowsTheTrainedShare() {
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  walkToPeftPage(w);
  StatusLine* estimate = w.peftPage()->estimateStatus();
  QTRY_COMPARE(estimate->state(), StatusLine::State::Message);
  QVERIFY2(estimate->text().startsWith("Trains every weight: 124,439,808 parameters. Memory on cpu: 2.14 GiB in all"),
           qPrintable(estimate->text()));
  w.peftPage()->button("lora")->click();
  QCOMPARE(estimate->state(), StatusLine::State::Busy);
  QTRY_COMPARE(estimate->state(), StatusLine::State::Message);
  QCOMPARE(estimate->text(), QStringLiteral("Trains 294,912 parameters, 0.24 % of the model's 124 M. Memory on cpu: "
                                            "848 MiB in all — weights 475 MiB, gradients 1.13 MiB, optimizer 2.25 "
                                            "MiB, activations 288 MiB."));
  // The dry run is the config as the pages stand: the kind and its keys.
  QCOMPARE(engine.dry_run_configs.last().value("peft").toString(), QStringLiteral("lora"));
  QCOMPARE(engine.dry_run_configs.last().value("lora-targets").toString(), QStringLiteral("attention-qv"));
  w.peftPage()->button("prompt-tuning")->click();
  QTRY_VERIFY2(estimate->text().startsWith("Trains 15,360 parameters, 0.01 % of the model's 124 M."),
               qPrintable(estimate->text()));
}

void WizardPeftTest::refusalOfAKindKeyBlocksNext() {
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  walkToPeftPage(w);
  const QString refusal = "`lora-targets`: \"q_proj\" matches no module of this model";
  engine.dry_run_by_peft["lora"] = FakeEngineQueries::failed(refusal);
  w.peftPage()->button("lora")->click();
  StatusLine* estimate = w.peftPage()->estimateStatus();
  QTRY_COMPARE(estimate->state(), StatusLine::State::Error);
  QCOMPARE(estimate->text(), "The engine refuses this config: " + refusal);
  LoraTargetsField* targets = w.peftPage()->settings()->targetsField();
  QCOMPARE(targets->findChild<QLabel*>("error")->text(), refusal);
  QVERIFY(!nextEnabled(w));
  // Fixed: the engine accepts, Next follows.
  engine.dry_run_by_peft["lora"] = FakeEngineQueries().dry_run_by_peft["lora"];
  targets->setValue("all-linear");
  QTRY_VERIFY(nextEnabled(w));
  QVERIFY(targets->findChild<QLabel*>("error")->isHidden());
  // A refusal of a later page's key is that page's to show: Next stays.
  engine.dry_run_by_peft["lora"] = FakeEngineQueries::failed("`warmup-steps` (100) must not exceed `max-steps` (30)");
  w.peftPage()->settings()->field("lora-r")->setText("4");
  QTRY_COMPARE(estimate->state(), StatusLine::State::Error);
  QVERIFY(nextEnabled(w));
}

void WizardPeftTest::loraSettings() {
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  walkToPeftPage(w);
  w.peftPage()->button("lora")->click();
  PeftKindSettings* lora = w.peftPage()->settings();
  QVERIFY(lora);
  // The decisions first, the refinements under "More settings".
  QCOMPARE(lora->keys(), (QStringList{"lora-targets", "lora-r", "lora-alpha", "lora-dropout", "use-rslora", "use-dora",
                                      "base-quant", "base-quant-double", "lora-bias"}));
  QVERIFY(!lora->moreShown());
  // alpha's default is the engine's 2 × r, and says so.
  auto* alpha = qobject_cast<QLineEdit*>(lora->field("lora-alpha")->editor());
  QCOMPARE(alpha->placeholderText(), QStringLiteral("default: 2 × r = 16"));
  lora->field("lora-r")->setText("32");
  QCOMPARE(alpha->placeholderText(), QStringLiteral("default: 2 × r = 64"));
  QVERIFY(!w.config().contains("lora-alpha"));
  lora->field("lora-alpha")->setText("16");
  QCOMPARE(w.config().value("lora-alpha").toDouble(), 16.0);
  lora->field("lora-r")->setText("0");
  QVERIFY(!w.peftPage()->isComplete());
  lora->field("lora-r")->setText("8");
  QVERIFY(w.peftPage()->isComplete());

  // Targets: a preset, what it selects in this model, custom names, and the picker's choice.
  LoraTargetsField* targets = lora->targetsField();
  QCOMPARE(targets->value(), QStringLiteral("attention-qv"));
  QVERIFY(targets->customEdit()->isHidden());
  QCOMPARE(targets->summaryLabel()->text(),
           QStringLiteral("Adapts 12 of the model's 48 projections (21.3 M base parameters)."));
  QVERIFY(targets->chooseButton()->isEnabled());
  targets->presetBox()->setCurrentIndex(targets->presetBox()->count() - 1);  // "Custom modules"
  QVERIFY(!targets->customEdit()->isHidden());
  QVERIFY(!w.peftPage()->isComplete());  // nothing named yet
  targets->customEdit()->setText("q_proj");
  QCOMPARE(targets->errorText(), QStringLiteral("\"q_proj\" selects no module of this model."));
  QVERIFY(!w.peftPage()->isComplete());
  targets->customEdit()->setText("c_attn,mlp.c_fc");
  QVERIFY(w.peftPage()->isComplete());
  QCOMPARE(w.config().value("lora-targets").toString(), QStringLiteral("c_attn,mlp.c_fc"));
  const QVector<ModuleInfo> modules = gpt2Modules();
  targets->setChosenModules({modules[0].name, modules[4].name});  // c_attn of blocks 0 and 1
  QCOMPARE(targets->value(), QStringLiteral("h.0.attn.c_attn,h.1.attn.c_attn"));
  QSet<QString> qkv;
  for (const ModuleInfo& m : modules) {
    if (m.role == "qkv") qkv.insert(m.name);
  }
  targets->setChosenModules(qkv);
  QCOMPARE(targets->value(), QStringLiteral("attention-qv"));  // exactly what the preset selects
}

// The quantised base (QLoRA) under its own heading in every adapter kind's settings, not for full
// finetuning: a choice with a line on what it stores, double quantisation only with a quantisation.
void WizardPeftTest::quantisedBaseWithEveryAdapterKind() {
  TestSettings s;
  FakeEngineQueries engine;
  engine.enableAdapters();
  FinetuneWizard w(&engine, &s.settings);
  walkToPeftPage(w);
  PeftPage* page = w.peftPage();
  for (const char* kind : {"lora", "adapters", "prompt-tuning"}) {
    page->button(kind)->click();
    PeftKindSettings* settings = page->settings();
    QVERIFY2(settings, kind);
    QVERIFY2(settings->baseQuantTitle(), kind);
    QCOMPARE(settings->baseQuantTitle()->text(), QStringLiteral("Quantised base (QLoRA)"));
    QVERIFY2(settings->baseQuantTitle()->isVisibleTo(page), kind);
    KeyField* quant = settings->field("base-quant");
    QVERIFY2(quant && quant->isEnabledTo(page) && quant->isVisibleTo(page), kind);
    auto* combo = qobject_cast<QComboBox*>(quant->editor());
    QVERIFY(combo);
    QCOMPARE(combo->count(), 3);
    QCOMPARE(combo->itemData(0).toString(), QStringLiteral("none"));
    QCOMPARE(combo->itemData(2).toString(), QStringLiteral("nf4"));
    QCOMPARE(quant->helpLabel()->text(), QStringLiteral("none: the frozen base keeps its full-precision weights."));
    KeyField* twice = settings->field("base-quant-double");
    QVERIFY2(twice && !twice->isEnabled(), kind);  // nothing quantised: nothing to quantise twice
    // Not among "More settings": seen without unfolding them.
    QVERIFY2(quant->isVisibleTo(settings) && !settings->moreShown(), kind);
    QVERIFY(!w.config().contains("base-quant"));
    QVERIFY(!w.config().contains("base-quant-double"));
    quant->setValue(QJsonValue("nf4"));
    QVERIFY(twice->isEnabled());
    QCOMPARE(
        quant->helpLabel()->text(),
        QStringLiteral(
            "nf4: 4-bit NormalFloat base projections, about an eighth of their fp32 bytes (4.1 bits a weight); the "
            "adapter trains in full precision."));
    QCOMPARE(w.config().value("base-quant").toString(), QStringLiteral("nf4"));
    QCOMPARE(w.config().value("base-quant-double"), QJsonValue(true));
    twice->setValue(false);
    QCOMPARE(w.config().value("base-quant-double"), QJsonValue(false));
    quant->setValue(QJsonValue("int8"));
    QVERIFY(quant->helpLabel()->text().startsWith("int8: 8-bit base projections"));
    QCOMPARE(w.config().value("base-quant").toString(), QStringLiteral("int8"));
    quant->setValue(QJsonValue("none"));
    QVERIFY(!twice->isEnabled());
    QVERIFY2(!w.config().contains("base-quant"), kind);
    QVERIFY2(!w.config().contains("base-quant-double"), kind);
  }
  // Full finetuning: no quantised base to choose (the engine refuses one), nothing written.
  page->settings()->field("base-quant")->setValue(QJsonValue("nf4"));  // prompt tuning's, set aside
  page->button("none")->click();
  QVERIFY(!page->settings());
  for (auto* combo : page->findChildren<QComboBox*>("base-quant")) QVERIFY(!combo->isVisibleTo(page));
  for (auto* title : page->findChildren<QLabel*>("baseQuantTitle")) QVERIFY(!title->isVisibleTo(page));
  QVERIFY(!w.config().contains("base-quant"));
  QVERIFY(!w.config().contains("base-quant-double"));
  // The hyperparameters page has no second place for them.
  pressNext(w);
  QCOMPARE(w.currentId(), int(FinetuneWizard::kHyperparametersPage));
  QVERIFY(!w.hyperparametersPage()->field("base-quant"));
  QVERIFY(!w.hyperparametersPage()->field("base-quant-double"));
  QVERIFY(!w.hyperparametersPage()->keys().contains("base-quant"));
}

// nf4 picked for LoRA: the live estimate's weights shrink (the dry run gets the key), the launched
// config carries `base-quant: nf4`, and a seed with it comes back with nf4 chosen.
void WizardPeftTest::quantisedBaseLaunchedAndEstimated() {
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  QSignalSpy launched(&w, &FinetuneWizard::launchRequested);
  walkToPeftPage(w);
  w.peftPage()->button("lora")->click();
  StatusLine* estimate = w.peftPage()->estimateStatus();
  QTRY_VERIFY2(estimate->text().contains("weights 475 MiB"), qPrintable(estimate->text()));
  w.peftPage()->settings()->field("base-quant")->setValue(QJsonValue("nf4"));
  QTRY_VERIFY2(estimate->text().contains("weights 117 MiB"), qPrintable(estimate->text()));
  QVERIFY2(estimate->text().startsWith("Trains 294,912 parameters"), qPrintable(estimate->text()));
  QCOMPARE(engine.dry_run_configs.last().value("base-quant").toString(), QStringLiteral("nf4"));
  QCOMPARE(engine.dry_run_configs.last().value("peft").toString(), QStringLiteral("lora"));
  walkToReview(w);
  QVERIFY(!w.hyperparametersPage()->field("base-quant"));
  w.button(QWizard::FinishButton)->click();
  QCOMPARE(launched.count(), 1);
  const QJsonObject config = launched.first().at(0).toJsonObject();
  QCOMPARE(config.value("peft").toString(), QStringLiteral("lora"));
  QCOMPARE(config.value("base-quant").toString(), QStringLiteral("nf4"));
  QCOMPARE(config.value("base-quant-double"), QJsonValue(true));

  // Duplicated: the seed's nf4 is chosen again, on the kind's page.
  FinetuneWizard again(&engine, &s.settings);
  again.setInitialConfig(config);
  walkToReview(again);
  QCOMPARE(again.peftPage()->settings()->field("base-quant")->value().toString(), QStringLiteral("nf4"));
  QCOMPARE(again.config(), config);
}

void WizardPeftTest::modulePickerWithoutModuleList() {
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  walkToPeftPage(w, "sft", "/runs/r1/final");  // an inspection without `modules`
  w.peftPage()->button("lora")->click();
  LoraTargetsField* targets = w.peftPage()->settings()->targetsField();
  QVERIFY(!targets->chooseButton()->isEnabled());
  QVERIFY(targets->chooseButton()->toolTip().contains("does not list the model's modules"));
  QVERIFY(targets->summaryLabel()->isHidden());
  targets->setValue("q_proj");  // nothing to check against: the engine will judge
  QVERIFY(targets->isValid());
}

void WizardPeftTest::promptInitTextOnlyForText() {
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  walkToPeftPage(w);
  w.peftPage()->button("prompt-tuning")->click();
  PeftKindSettings* prompt = w.peftPage()->settings();
  QCOMPARE(prompt->keys(),
           (QStringList{"prompt-tokens", "prompt-init", "prompt-init-text", "base-quant", "base-quant-double"}));
  KeyField* text = prompt->field("prompt-init-text");
  QVERIFY(!text->isEnabledTo(prompt));
  text->setText("Classify the sentiment:");
  QVERIFY(!w.config().contains("prompt-init-text"));
  prompt->field("prompt-init")->setValue(QJsonValue("text"));
  QVERIFY(text->isEnabledTo(prompt));
  QCOMPARE(w.config().value("prompt-init-text").toString(), QStringLiteral("Classify the sentiment:"));
  QCOMPARE(w.config().value("prompt-tokens").toInteger(), 20);
}

void WizardPeftTest::adapterSettingsAndDiagram() {
  TestSettings s;
  FakeEngineQueries engine;
  engine.enableAdapters();
  FinetuneWizard w(&engine, &s.settings);
  walkToPeftPage(w);
  QVERIFY(w.peftPage()->button("adapters")->isEnabled());
  w.peftPage()->button("adapters")->click();
  PeftKindSettings* adapters = w.peftPage()->settings();
  QCOMPARE(adapters->keys(), (QStringList{"adapter-placement", "adapter-reduction", "adapter-act", "adapter-layers",
                                          "base-quant", "base-quant-double"}));
  QVERIFY(adapters->field("base-quant")->isEnabled());
  AdapterDiagram* diagram = adapters->diagram();
  QVERIFY(diagram);
  QCOMPARE(diagram->placement(), QStringLiteral("after-ffn"));
  for (const char* placement : {"after-attention", "both", "parallel", "after-ffn"}) {
    adapters->field("adapter-placement")->setValue(QJsonValue(placement));
    QCOMPARE(diagram->placement(), QString(placement));
    const QImage image = diagram->grab().toImage();
    QVERIFY(!image.isNull());
    // The adapter is drawn in the palette's highlight colour.
    const QRgb highlight = diagram->palette().color(QPalette::Highlight).rgb();
    bool found = false;
    for (int y = 0; y < image.height() && !found; ++y) {
      for (int x = 0; x < image.width() && !found; ++x) found = image.pixel(x, y) == highlight;
    }
    QVERIFY2(found, placement);
  }
  // The block list: all, or indices and ranges inside the model's 12 blocks.
  KeyField* layers = adapters->field("adapter-layers");
  for (const char* good : {"all", "0-3,6", "11", " 2 - 4 , 7"}) {
    layers->setText(good);
    QVERIFY2(layers->isValid(), good);
  }
  for (const char* bad : {"0-12", "x", "3-1", "1,,2"}) {
    layers->setText(bad);
    QVERIFY2(!layers->isValid(), bad);
  }
  QCOMPARE(layers->errorText(),
           QStringLiteral("Expected all, or blocks and ranges such as 0-3,6 (this model has 0 to 11)."));
  QVERIFY(!w.peftPage()->isComplete());
  layers->setText("0-5");
  QVERIFY(w.peftPage()->isComplete());
  QCOMPARE(w.config().value("adapter-layers").toString(), QStringLiteral("0-5"));
}

void WizardPeftTest::seedRestoresKindAndKeys() {
  TestSettings s;
  FakeEngineQueries engine;
  QJsonObject stored{{"method", "continued-pretrain"},
                     {"base", "/models/gpt2-small"},
                     {"data", "/data/corpus"},
                     {"val-fraction", 0.1},
                     {"name", "soft prompt"},
                     {"peft", "prompt-tuning"},
                     {"prompt-tokens", 8},
                     {"prompt-init", "text"},
                     {"prompt-init-text", "Once upon a time"},
                     {"batch-size", 8},
                     {"grad-accum", 1},
                     {"max-steps", 300},
                     {"lr", 0.03},
                     {"min-lr", 0.003},
                     {"warmup-steps", 30},
                     {"weight-decay", 0.01},
                     {"eval-every", 100},
                     {"checkpoint-every", 250},
                     {"ctx", 1024},
                     {"seed", 1337},
                     {"device", "auto"}};
  FinetuneWizard w(&engine, &s.settings);
  w.setInitialConfig(stored);
  walkToReview(w);
  QCOMPARE(w.config(), stored);
}

void WizardPeftTest::kindChangeKeepsTypedHyperparameters() {
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  walkToPeftPage(w);
  w.peftPage()->button("lora")->click();
  pressNext(w);
  QCOMPARE(w.hyperparametersPage()->field("lr")->value().toDouble(), 2e-4);
  w.hyperparametersPage()->field("max-steps")->setText("200");
  w.back();
  w.peftPage()->button("prompt-tuning")->click();
  pressNext(w);
  // The typed value stays; the rate left at its suggestion follows the kind.
  QCOMPARE(w.hyperparametersPage()->field("max-steps")->value().toInteger(), 200);
  QCOMPARE(w.hyperparametersPage()->field("lr")->value().toDouble(), 3e-2);
  QCOMPARE(w.config().value("peft").toString(), QStringLiteral("prompt-tuning"));
  QVERIFY(!w.config().contains("lora-r"));
}

void WizardPeftTest::engineWithoutPeft() {
  // An engine from before `peft`: no kinds, methods that list none. The page never shows.
  TestSettings s;
  FakeEngineQueries engine;
  QJsonObject json = engine.info_reply.json;
  json.remove("peft_kinds");
  QJsonArray methods = json["methods"].toArray();
  for (int i = 0; i < methods.size(); ++i) {
    QJsonObject m = methods[i].toObject();
    m.remove("peft");
    methods[i] = m;
  }
  json["methods"] = methods;
  engine.info_reply = FakeEngineQueries::ok(json);
  FinetuneWizard w(&engine, &s.settings);
  w.restart();
  chooseFolder(w, "/models/gpt2-small");
  pressNext(w);
  w.dataPage()->setPaths({"/data/sft.jsonl"});
  pressNext(w);
  QCOMPARE(w.nextId(), int(FinetuneWizard::kHyperparametersPage));
  walkToReview(w);
  QVERIFY(!w.config().contains("peft"));
}

void WizardPeftTest::loraTargetRules() {
  const QVector<ModuleInfo> modules = gpt2Modules();
  QCOMPARE(modules.size(), 48);
  QCOMPARE(selectedModules("attention-qv", modules).size(), 12);  // GPT-2's fused c_attn
  QCOMPARE(selectedModules("attention", modules).size(), 24);
  QCOMPARE(selectedModules("all-linear", modules).size(), 48);
  // PEFT's list rule: equal, or an ending after a dot ("c_proj" takes both c_proj's).
  QCOMPARE(selectedModules("c_proj", modules).size(), 24);
  QCOMPARE(selectedModules("attn.c_proj", modules).size(), 12);
  QCOMPARE(selectedModules("_attn", modules).size(), 0);
  QCOMPARE(selectedModules("transformer.h.1.attn.c_attn", modules).size(), 1);
  // A regex is matched against the whole path.
  QCOMPARE(selectedModules(R"(transformer\.h\.[0-3]\.mlp\.c_fc)", modules).size(), 4);
  QCOMPARE(selectedModules("h\\.1", modules).size(), 0);
  // The shortest list that selects exactly the choice.
  QCOMPARE(targetListFor(modules, selectedModules("attention", modules)), QStringLiteral("attn.c_proj,c_attn"));
  QCOMPARE(targetListFor(modules, selectedModules("all-linear", modules)), QStringLiteral("c_attn,c_fc,c_proj"));
  QCOMPARE(targetListFor(modules, {"transformer.h.1.attn.c_attn"}), QStringLiteral("h.1.attn.c_attn"));
  QCOMPARE(targetListFor(modules, {}), QString());
  for (const QString& preset : loraTargetPresets()) {
    const QSet<QString> chosen = selectedModules(preset, modules);
    QCOMPARE(selectedModules(targetListFor(modules, chosen), modules), chosen);
  }
  // Llama's separate projections.
  QVector<ModuleInfo> llama;
  for (const char* role : {"q", "k", "v", "o", "mlp-gate", "mlp-up", "mlp-down"}) {
    llama.push_back({QStringLiteral("model.layers.0.x.%1").arg(role), 0, role, 64, 64, 4096});
  }
  QCOMPARE(selectedModules("attention-qv", llama).size(), 2);
  QCOMPARE(selectedModules("all-linear", llama).size(), 7);
}

void WizardPeftTest::modulePicker() {
  const QVector<ModuleInfo> modules = gpt2Modules();
  ModulePickerDialog picker(modules, selectedModules("attention-qv", modules), 8);
  QTreeWidget* tree = picker.tree();
  QCOMPARE(tree->topLevelItemCount(), 12);
  QTreeWidgetItem* block0 = tree->topLevelItem(0);
  QCOMPARE(block0->text(0), QStringLiteral("Block 0"));
  QCOMPARE(block0->childCount(), 4);
  QCOMPARE(block0->child(0)->text(0), QStringLiteral("attn.c_attn"));
  QCOMPARE(block0->child(0)->text(2), QStringLiteral("768 → 2304"));
  QCOMPARE(block0->child(0)->text(3), QStringLiteral("1.77 M"));
  QCOMPARE(block0->checkState(0), Qt::PartiallyChecked);
  QCOMPARE(picker.chosen(), selectedModules("attention-qv", modules));
  auto* summary = picker.findChild<QLabel*>("summary");
  QCOMPARE(summary->text(),
           QStringLiteral("12 module(s) with 21.3 M base parameters; rank 8 trains 295 k parameters on them."));
  // A whole block by its box; a preset by its button; none disables OK.
  block0->setCheckState(0, Qt::Checked);
  QCOMPARE(picker.chosen().size(), 15);
  picker.findChild<QPushButton*>("all-linear")->click();
  QCOMPARE(picker.chosen().size(), 48);
  picker.findChild<QPushButton*>("none")->click();
  QVERIFY(picker.chosen().isEmpty());
  QCOMPARE(summary->text(), QStringLiteral("No module chosen: LoRA needs at least one."));
}

void WizardPeftTest::kindTexts() {
  FakeEngineQueries fake;
  EngineInfo info;
  QVERIFY(parseEngineInfo(fake.info_reply.json, info).isEmpty());
  for (const PeftKindInfo& kind : info.peft_kinds) {
    const PeftText text = peftText(kind);
    QVERIFY2(!text.when.isEmpty() && text.when != kind.summary, qPrintable(kind.name));
  }
  PeftKindInfo newcomer{"ia3", "IA3", "Learned rescaling vectors.", true, "", {"sft"}};
  QCOMPARE(peftText(newcomer).title, QStringLiteral("IA3"));
  QCOMPARE(peftText(newcomer).when, QStringLiteral("Learned rescaling vectors."));
  QCOMPARE(peftMismatch(newcomer, *info.method("sft")), QStringLiteral("Not available for this method."));
  QCOMPARE(peftMismatch(*info.peftKind("lora"), *info.method("sft")), QString());
}

QTEST_MAIN(WizardPeftTest)
#include "wizard_peft_test.moc"
