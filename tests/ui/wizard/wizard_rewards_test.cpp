// The "Rewards" page (grpo, ppo) against the fake engine: when it is shown, the rules table and
// what it writes, the live preview (the rules scored by the engine's own code, checked here
// against values worked by hand from docs/preference-training.md's rule definitions; the reward
// model's scores as the engine answers them), refusals (a bad regex, a field the data lacks, a
// folder that is not a reward model), seeds, earlier reward-model runs offered, a seed without a
// base (from a reward model's "Train a policy"), and a preference set of the store as data.
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGroupBox>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QTest>

#include "ui/wizard/hyperparameter_defaults.h"
#include "ui/wizard/reward_page.h"
#include "ui/wizard/reward_preview_model.h"
#include "ui/wizard/reward_rules_model.h"
#include "ui/wizard/status_line.h"
#include "wizard_test_support.h"

using namespace temper::studio;
using namespace temper::studio::test;

namespace {

/// A wizard over the fake engine with the online methods (grpo, ppo) available, shown.
struct OnlineWizard {
  static FakeEngineQueries onlineEngine() {
    FakeEngineQueries engine;
    engine.enableOnlineMethods();
    return engine;
  }
  OnlineWizard() { w.show(); }
  TestSettings s;
  FakeEngineQueries engine = onlineEngine();
  FinetuneWizard w{&engine, &s.settings};
};

/// Base model, prompts and `method` chosen; the wizard on the page after the method page.
void walkPastMethod(FinetuneWizard& w, const QString& method, const QString& data = "/data/prompts.jsonl") {
  w.restart();
  chooseFolder(w, "/models/gpt2-small");
  pressNext(w);
  w.dataPage()->setPaths({data});
  pressNext(w);
  QTRY_VERIFY(w.methodPage()->button(method) && w.methodPage()->button(method)->isEnabled());
  w.methodPage()->button(method)->click();
  pressNext(w);
}

void typeAnswer(RewardPreviewModel* preview, int row, const QString& answer) {
  QVERIFY(preview->setData(preview->index(row, RewardPreviewModel::kAnswer), answer));
}

QString cell(RewardPreviewModel* preview, int row, int column) {
  return preview->data(preview->index(row, column)).toString();
}

}  // namespace

class WizardRewardsTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void rulesTableReadsAndWritesTheKey();
  void previewRowsFromRecords();
  void onlyTheOnlineMethodsShowIt();
  void rulesScoreLiveAndLand();
  void refusals();
  void rewardModelScoresThroughTheEngine();
  void seedFillsThePage();
  void earlierRewardModelRunsAreOffered();
  void aSeedWithoutBaseStartsFromAnEarlierPolicy();
  void aPreferenceSetIsData();
};

void WizardRewardsTest::rulesTableReadsAndWritesTheKey() {
  RewardRulesModel model;
  QVERIFY(model.setFromConfigText(
      R"([{"kind":"format","argument":"<a>...</a>"},{"kind":"length","arg":"5-9","weight":-0.5}])"));
  QCOMPARE(model.rowCount(), 2);
  QCOMPARE(model.rules()[0], (RewardRuleRow{"format", "<a>...</a>", 1.0}));
  QCOMPARE(model.rules()[1], (RewardRuleRow{"length", "5-9", -0.5}));
  QCOMPARE(
      model.toConfigText(),
      QString(
          R"([{"argument":"<a>...</a>","kind":"format","weight":1},{"argument":"5-9","kind":"length","weight":-0.5}])"));
  QVERIFY(!model.setFromConfigText("rules.json"));  // not an array: a file, read elsewhere
  QCOMPARE(model.rowCount(), 2);

  // A kind changed on a rule whose argument is the old kind's example starts from the new one's;
  // an argument the person wrote stays.
  const int row = model.addRule({"format", rewardRuleExampleArgument("format"), 1.0});
  QVERIFY(model.setData(model.index(row, RewardRulesModel::kKind), "numeric-match"));
  QCOMPARE(model.rules()[row].argument, rewardRuleExampleArgument("numeric-match"));
  QVERIFY(model.setData(model.index(0, RewardRulesModel::kKind), "contains"));
  QCOMPARE(model.rules()[0].argument, QString("<a>...</a>"));
  QVERIFY(model.setData(model.index(0, RewardRulesModel::kWeight), 2.5));
  QCOMPARE(model.rules()[0].weight, 2.5);
  model.removeRule(1);
  QCOMPARE(model.rowCount(), 2);
  QCOMPARE(model.rules()[1].kind, QString("numeric-match"));
  // Every kind the editor offers says what its argument is.
  for (const QString& kind : rewardRuleKinds()) QVERIFY2(!rewardRuleArgumentHint(kind).isEmpty(), qPrintable(kind));
}

void WizardRewardsTest::previewRowsFromRecords() {
  // As core/methods/rl/rl_prompts.cpp reads prompts: the prompt's own keys are not fields.
  const RewardPreviewRow plain = previewRowOfRecord(
      QJsonObject{{"prompt", "6 x 7?"}, {"answer", 42}, {"ok", true}, {"meta", QJsonObject{{"a", 1}}}});
  QCOMPARE(plain.prompt, QString("6 x 7?"));
  QCOMPARE(plain.fields, (std::map<std::string, std::string>{{"answer", "42"}, {"ok", "true"}}));
  const RewardPreviewRow alpaca =
      previewRowOfRecord(QJsonObject{{"instruction", "Add"}, {"input", "2 and 2"}, {"output", "4"}});
  QCOMPARE(alpaca.prompt, QString("Add\n2 and 2"));
  QCOMPARE(alpaca.fields, (std::map<std::string, std::string>{{"output", "4"}}));
  const RewardPreviewRow chat = previewRowOfRecord(
      QJsonObject{{"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", "Hi?"}},
                                          QJsonObject{{"role", "assistant"}, {"content", "Hello."}}}}});
  QCOMPARE(chat.prompt, QString("Hi?"));
  QCOMPARE(chat.fields, (std::map<std::string, std::string>{{"completion", "Hello."}}));
}

void WizardRewardsTest::onlyTheOnlineMethodsShowIt() {
  OnlineWizard online;
  FinetuneWizard& w = online.w;
  walkPastMethod(w, "grpo");
  QCOMPARE(w.currentId(), int(FinetuneWizard::kRewardPage));
  walkPastMethod(w, "ppo");
  QCOMPARE(w.currentId(), int(FinetuneWizard::kRewardPage));
  walkPastMethod(w, "sft", "/data/sft.jsonl");
  QCOMPARE(w.currentId(), int(FinetuneWizard::kPeftPage));
  walkToReview(w);
  for (const QString& key : rewardKeys()) QVERIFY(!w.config().contains(key));
}

void WizardRewardsTest::rulesScoreLiveAndLand() {
  OnlineWizard online;
  FinetuneWizard& w = online.w;
  walkPastMethod(w, "grpo");
  RewardPage* page = w.rewardPage();
  QVERIFY(!nextEnabled(w));  // nothing rewards the answers yet
  QVERIFY(page->findChild<QLabel*>("nothingHint")->isVisibleTo(page));
  QCOMPARE(page->previewModel()->reward(0), std::nullopt);  // shown as "—", not a score of 0

  // "Add rule" starts from a format rule with its example; the rest are typed into the table.
  page->findChild<QPushButton*>("addRule")->click();
  RewardRulesModel* rules = page->rulesModel();
  QCOMPARE(rules->rules().front(), (RewardRuleRow{"format", "<answer>...</answer>", 1.0}));
  QTRY_VERIFY(nextEnabled(w));
  const int numeric = rules->addRule({"numeric-match", "answer", 1.0});
  QVERIFY(rules->setData(rules->index(numeric, RewardRulesModel::kWeight), 2.0));
  rules->addRule({"length", "10-40", 0.5});

  // The preview's prompts are the data's first records, with their fields.
  RewardPreviewModel* preview = page->previewModel();
  QCOMPARE(preview->rowCount(), 3);
  QCOMPARE(cell(preview, 0, RewardPreviewModel::kPrompt), QString("What is 6 x 7?"));
  QCOMPARE(preview->columnCount(), RewardPreviewModel::kFirstRule + 3);
  QCOMPARE(preview->headerData(RewardPreviewModel::kFirstRule, Qt::Horizontal).toString(), QString("format"));
  rules->addRule({"format", "...", 0.0});  // a second rule of a kind is numbered, as the run's metrics name it
  QCOMPARE(preview->headerData(RewardPreviewModel::kFirstRule + 3, Qt::Horizontal).toString(), QString("format-2"));
  rules->removeRule(3);
  // By hand: the template matches (1), 42 is the field's number (1), 19 characters are in 10-40
  // (1): 1 + 2 + 0.5.
  typeAnswer(preview, 0, "<answer>42</answer>");
  QCOMPARE(*preview->reward(0), 3.5);
  QCOMPARE(cell(preview, 0, RewardPreviewModel::kReward), QString("3.5"));
  QCOMPARE(cell(preview, 0, RewardPreviewModel::kFirstRule + 1), QString("1"));
  // No template (0); the last number 4 equals the field's 4, a JSON number (1); 15 characters (1).
  typeAnswer(preview, 1, "The answer is 4");
  QCOMPARE(*preview->reward(1), 2.5);
  QCOMPARE(cell(preview, 1, RewardPreviewModel::kFirstRule), QString("0"));
  // The weight edited in the table moves the sum at once.
  QVERIFY(rules->setData(rules->index(numeric, RewardRulesModel::kWeight), 3.0));
  QCOMPARE(*preview->reward(0), 4.5);
  QVERIFY(!page->findChild<QLabel*>("nothingHint")->isVisibleTo(page));

  // What is trained (grpo takes LoRA), then hyperparameters without the reward keys.
  pressNext(w);
  QCOMPARE(w.currentId(), int(FinetuneWizard::kPeftPage));
  pressNext(w);
  QCOMPARE(w.currentId(), int(FinetuneWizard::kHyperparametersPage));
  for (const QString& key : rewardKeys()) QVERIFY2(!w.hyperparametersPage()->field(key), qPrintable(key));
  QVERIFY(w.hyperparametersPage()->field("num-generations"));
  walkToReview(w);
  const QJsonObject config = w.config();
  QCOMPARE(config.value("method").toString(), QString("grpo"));
  QCOMPARE(QJsonDocument::fromJson(config.value("reward-rules").toString().toUtf8()).array(),
           (QJsonArray{QJsonObject{{"kind", "format"}, {"argument", "<answer>...</answer>"}, {"weight", 1}},
                       QJsonObject{{"kind", "numeric-match"}, {"argument", "answer"}, {"weight", 3}},
                       QJsonObject{{"kind", "length"}, {"argument", "10-40"}, {"weight", 0.5}}}));
  QVERIFY(!config.contains("reward-model"));
  QVERIFY(!config.contains("reward-model-weight"));
}

void WizardRewardsTest::refusals() {
  OnlineWizard online;
  FinetuneWizard& w = online.w;
  walkPastMethod(w, "grpo");
  RewardPage* page = w.rewardPage();
  RewardRulesModel* rules = page->rulesModel();
  rules->addRule({"contains", "because", 1.0});
  QTRY_VERIFY(nextEnabled(w));

  // A pattern PCRE2 refuses: the engine's message, at the table, and no Next.
  rules->addRule({"regex", "(unclosed", 1.0});
  QVERIFY2(page->rulesError().contains("regex"), qPrintable(page->rulesError()));
  QCOMPARE(page->problemText(), page->rulesError());
  QCOMPARE(page->previewModel()->reward(0), std::nullopt);  // no sum of rules that cannot run
  QVERIFY(!nextEnabled(w));
  rules->removeRule(1);
  QVERIFY(page->rulesError().isEmpty());
  QVERIFY(nextEnabled(w));

  // A field the data's records do not have: the engine would refuse the run at start.
  rules->addRule({"exact-match", "solution", 1.0});
  QVERIFY2(page->problemText().contains("solution"), qPrintable(page->problemText()));
  QCOMPARE(page->previewModel()->reward(0), std::nullopt);
  QVERIFY(!nextEnabled(w));
  QVERIFY(rules->setData(rules->index(1, RewardRulesModel::kArgument), "answer"));
  QVERIFY(page->problemText().isEmpty());
  QVERIFY(nextEnabled(w));

  // A language model is not a reward model; a missing folder is named.
  page->setRewardModel("/models/gpt2-small");
  QTRY_COMPARE(page->modelStatus()->state(), StatusLine::State::Error);
  QVERIFY2(page->modelStatus()->text().contains("not a reward model"), qPrintable(page->modelStatus()->text()));
  QVERIFY(!nextEnabled(w));
  page->setRewardModel("/nowhere");
  QTRY_VERIFY(page->modelStatus()->text().contains("no config.json"));
  QVERIFY(!nextEnabled(w));
  page->setRewardModel("/nowhere", false);  // the rules alone again
  QVERIFY(nextEnabled(w));
}

void WizardRewardsTest::rewardModelScoresThroughTheEngine() {
  OnlineWizard online;
  FinetuneWizard& w = online.w;
  FakeEngineQueries& engine = online.engine;
  walkPastMethod(w, "ppo");
  RewardPage* page = w.rewardPage();
  page->setRewardModel("/runs/rm/final");
  QTRY_COMPARE(page->modelStatus()->state(), StatusLine::State::Message);
  QVERIFY(nextEnabled(w));  // a reward model alone rewards the answers
  page->findChild<QDoubleSpinBox*>("rewardModelWeight")->setValue(2.0);
  page->rulesModel()->addRule({"contains", "42", 1.0});
  RewardPreviewModel* preview = page->previewModel();
  typeAnswer(preview, 0, "<answer>42</answer>");
  // The fake engine scores 0.5 per character: 9.5 for 19, times 2, plus the rule's 1.
  QTRY_COMPARE(cell(preview, 0, RewardPreviewModel::kModel), QString("9.5"));
  QCOMPARE(*preview->reward(0), 20.0);
  QCOMPARE(engine.scored_answers.last(), QString("What is 6 x 7?|<answer>42</answer>"));
  // Editing the answer asks again; the answer without its score has no total meanwhile.
  typeAnswer(preview, 0, "42");
  QCOMPARE(preview->reward(0), std::nullopt);
  QTRY_COMPARE(cell(preview, 0, RewardPreviewModel::kModel), QString("1"));
  QCOMPARE(*preview->reward(0), 3.0);
  walkToReview(w);
  const QJsonObject config = w.config();
  QCOMPARE(config.value("reward-model").toString(), QString("/runs/rm/final"));
  QCOMPARE(config.value("reward-model-weight").toDouble(), 2.0);
  QVERIFY(config.contains("reward-rules"));
}

void WizardRewardsTest::seedFillsThePage() {
  OnlineWizard online;
  FinetuneWizard& w = online.w;
  QTRY_VERIFY(w.engineReady());
  const QJsonObject stored{{"method", "grpo"},
                           {"base", "/models/gpt2-small"},
                           {"data", "/data/prompts.jsonl"},
                           {"reward-rules", R"([{"kind":"regex","argument":"\\d+","weight":0.25}])"},
                           {"reward-model", "/runs/rm/final"},
                           {"reward-model-weight", 0.5}};
  w.setInitialConfig(stored);
  while (w.currentId() != FinetuneWizard::kRewardPage) {
    pressNext(w);
    if (QTest::currentTestFailed()) return;
  }
  RewardPage* page = w.rewardPage();
  QCOMPARE(page->rulesModel()->rules(), (QVector<RewardRuleRow>{{"regex", "\\d+", 0.25}}));
  QVERIFY(page->findChild<QGroupBox*>("rewardModel")->isChecked());
  QTRY_COMPARE(page->modelStatus()->state(), StatusLine::State::Message);
  walkToReview(w);
  const QJsonObject config = w.config();
  for (const char* key : {"reward-model", "reward-model-weight", "method", "data"})
    QCOMPARE(config.value(key), stored.value(key));
  QCOMPARE(QJsonDocument::fromJson(config.value("reward-rules").toString().toUtf8()),
           QJsonDocument::fromJson(stored.value("reward-rules").toString().toUtf8()));
}

void WizardRewardsTest::earlierRewardModelRunsAreOffered() {
  OnlineWizard online;
  FinetuneWizard& w = online.w;
  w.setPreviousRuns({{"r1", "sft run", "/runs/r1/final", "sft"}, {"rm", "rm run", "/runs/rm/final", "reward-model"}});
  walkPastMethod(w, "grpo");
  auto* runs = w.rewardPage()->findChild<QComboBox*>("rewardModelRuns");
  QVERIFY(runs->isVisibleTo(w.rewardPage()));
  QCOMPARE(runs->count(), 2);  // "Choose…" and the one reward-model run
  w.rewardPage()->findChild<QGroupBox*>("rewardModel")->setChecked(true);
  Q_EMIT runs->activated(1);
  QCOMPARE(w.rewardPage()->findChild<QLineEdit*>("rewardModelDir")->text(), QString("/runs/rm/final"));
  QTRY_COMPARE(w.rewardPage()->modelStatus()->state(), StatusLine::State::Message);
}

void WizardRewardsTest::aSeedWithoutBaseStartsFromAnEarlierPolicy() {
  // "Train a policy with this reward model": the seed names the method and the reward model; the
  // newest earlier run that generates text is the base (not the reward model, newer still).
  OnlineWizard online;
  FinetuneWizard& w = online.w;
  w.setPreviousRuns({{"rm", "rm run", "/runs/rm/final", "reward-model"}, {"r1", "sft run", "/runs/r1/final", "sft"}});
  QTRY_VERIFY(w.engineReady());
  w.setInitialConfig({{"method", "ppo"}, {"reward-model", "/runs/rm/final"}}, "A policy rewarded by /runs/rm/final");
  pressNext(w);
  QCOMPARE(w.config().value("base").toString(), QString("/runs/r1/final"));
  w.dataPage()->setPaths({"/data/prompts.jsonl"});
  pressNext(w);
  QTRY_VERIFY(w.methodPage()->button("ppo")->isChecked());
  pressNext(w);
  QCOMPARE(w.currentId(), int(FinetuneWizard::kRewardPage));
  QTRY_COMPARE(w.rewardPage()->modelStatus()->state(), StatusLine::State::Message);
  walkToReview(w);
  QCOMPARE(w.config().value("reward-model").toString(), QString("/runs/rm/final"));
}

void WizardRewardsTest::aPreferenceSetIsData() {
  TestSettings s;
  FakeEngineQueries engine;
  FinetuneWizard w(&engine, &s.settings);
  w.show();
  chooseFolder(w, "/models/gpt2-small");
  pressNext(w);
  QVERIFY(!w.dataPage()->preferenceSetButton()->isEnabled());  // no set yet: the tooltip says where to make one
  w.setPreferenceSets({{"helpful", 12, 10}});
  QVERIFY(w.dataPage()->preferenceSetButton()->isEnabled());
  auto* action = w.dataPage()->preferenceSetButton()->menu()->findChild<QAction*>("set:helpful");
  QVERIFY(action);
  QCOMPARE(action->text(), QString("helpful (12 pairs, 10 labelled)"));
  action->trigger();
  QCOMPARE(w.config().value("data").toString(), QString("set:helpful"));
  auto* summary = w.dataPage()->findChild<QLabel*>("summary");
  QTRY_VERIFY(summary->text().contains("Preference set <b>helpful</b>"));
  QVERIFY2(summary->text().contains("<b>8 to train on</b> (2 unlabelled or skipped, 1 tie or both bad, 1 without a "
                                    "majority)"),
           qPrintable(summary->text()));
  QVERIFY2(summary->text().contains("agreement 0.80, Krippendorff's α 0.58"), qPrintable(summary->text()));
  QVERIFY(!summary->text().contains("tokens"));  // nothing counted from the store
  QVERIFY(nextEnabled(w));
}

QTEST_MAIN(WizardRewardsTest)
#include "wizard_rewards_test.moc"
