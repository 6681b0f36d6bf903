// The Label page driven by key presses over a real store: each key writes exactly the expected
// label row, in order, with the side shown left recorded and the choice mapped back to the stored
// side; undo supersedes; a rewrite and a note are saved with the vote; second-labeller mode offers
// only pairs others labelled; 50 votes by keyboard are timed (the figure docs/preferences.md
// quotes). Screenshots label.png and label-dark.png in ${TEMPER_BUILD_DIR}/screenshots.
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QInputDialog>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>
#include <algorithm>

#include "core/store/store.h"
#include "ui/client/engine_session.h"
#include "ui/pages/label/label_page.h"
#include "ui/shell/theme.h"

using namespace temper;
using namespace temper::studio;

class LabelPageTest : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  std::unique_ptr<QSettings> settings_;
  int case_ = 0;

  QString database() const { return dir_.filePath(QStringLiteral("case%1.db").arg(case_)); }

  // A set of `count` pairs whose answers say which side they are, with generated-looking sources.
  int64_t makeSet(const QString& name, int count) {
    Store store = Store::open(database().toStdString());
    NewPreferenceSet set;
    set.name = name.toStdString();
    set.guidelines = "Prefer the answer that names its side.";
    const int64_t id = store.createPreferenceSet(set);
    std::vector<NewPreferencePair> pairs;
    for (int i = 0; i < count; ++i) {
      NewPreferencePair pair;
      pair.prompt = "Question " + std::to_string(i) + ": which side are you?";
      pair.completion_a = "I am answer A of pair " + std::to_string(i) + ".";
      pair.completion_b = "I am answer B of pair " + std::to_string(i) + ".";
      pair.source_a_json = R"({"model": "/models/small-finetune", "adapter": "", "sampling": {"temperature": 0.7}})";
      pair.source_b_json = R"({"model": "/models/small-base", "adapter": "", "sampling": {"temperature": 0.7}})";
      pair.origin = "test";
      pairs.push_back(pair);
    }
    store.addPreferencePairs(id, pairs);
    return id;
  }

  std::unique_ptr<LabelPage> openPage(const QString& set, const QString& labeller) {
    settings_->setValue("label/labeller", labeller);
    auto page = std::make_unique<LabelPage>(database(), settings_.get());
    page->resize(1280, 720);
    page->show();
    if (!QTest::qWaitForWindowExposed(page.get())) return nullptr;
    if (!page->openSet(set)) return nullptr;
    page->activateWindow();
    page->setFocus();
    return page;
  }

  // Which stored side the page shows on the left now.
  static bool leftIsA(LabelPage& page) { return page.session()->leftIsA(); }

  // Runs `act` (which opens a modal dialog) and, once the dialog is up, `drive` on it (null when
  // no dialog came up: the drive then fails the test instead of touching it).
  template <typename Act, typename Drive>
  static void withDialog(Act act, Drive drive) {
    QTimer::singleShot(0, [drive] {
      QWidget* modal = QApplication::activeModalWidget();

      if (modal == nullptr) {
        QTimer::singleShot(20, [drive] { drive(QApplication::activeModalWidget()); });
        return;
      }
      drive(modal);
    });
    act();
  }

  // Back to the page after a dialog: the offscreen platform does not give the window the
  // activation back by itself, and the page's keys work only in the active window.
  static bool backToPage(LabelPage& page) {
    page.activateWindow();
    page.setFocus();
    return QTest::qWaitForWindowActive(&page);
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    settings_ = std::make_unique<QSettings>(dir_.filePath("settings.ini"), QSettings::IniFormat);
  }
  void init() { ++case_; }

  void keysWriteExactlyTheExpectedRows() {
    const int64_t set_id = makeSet("keys", 8);
    auto page = openPage("keys", "ann");
    QVERIFY(page);
    QVERIFY(page->leftView()->toPlainText().startsWith("I am answer"));
    struct Expected {
      int64_t pair;
      std::string choice, shown_left;
    };
    std::vector<Expected> expected;
    auto pressAndExpect = [&](int key, const char* shown_choice) {
      const PreferencePairRecord pair = *page->session()->current();
      const bool a_left = leftIsA(*page);
      // What the left pane shows is the stored side the page says it is.
      QCOMPARE(page->leftView()->toPlainText().toStdString(), a_left ? pair.completion_a : pair.completion_b);
      std::string stored = shown_choice;
      if (stored == "left") stored = a_left ? "a" : "b";
      if (stored == "right") stored = a_left ? "b" : "a";
      expected.push_back({pair.id, stored, a_left ? "a" : "b"});
      QTest::keyClick(page.get(), static_cast<Qt::Key>(key));
    };
    pressAndExpect(Qt::Key_1, "left");
    pressAndExpect(Qt::Key_Right, "right");
    pressAndExpect(Qt::Key_3, "tie");
    pressAndExpect(Qt::Key_0, "both-bad");
    pressAndExpect(Qt::Key_S, "skip");
    // U: the skip is withdrawn and its pair comes back.
    const int64_t skipped = expected.back().pair;
    QTest::keyClick(page.get(), Qt::Key_U);
    QCOMPARE(page->session()->current()->id, skipped);
    // N: a note goes with the next vote.
    withDialog([&] { QTest::keyClick(page.get(), Qt::Key_N); },
               [](QWidget* dialog) {
                 auto* input = qobject_cast<QInputDialog*>(dialog);
                 QVERIFY2(input, "no note dialog");
                 input->setTextValue("Both are short; B is friendlier.");
                 input->accept();
               });
    QVERIFY(backToPage(*page));
    pressAndExpect(Qt::Key_Left, "left");
    // E: the better answer rewritten, saved as the vote for that side.
    const PreferencePairRecord edited = *page->session()->current();
    const bool edited_a_left = leftIsA(*page);
    withDialog([&] { QTest::keyClick(page.get(), Qt::Key_E); },
               [](QWidget* dialog) {
                 QVERIFY2(dialog, "no rewrite dialog");
                 auto* which = dialog->findChild<QComboBox*>();
                 auto* text = dialog->findChild<QPlainTextEdit*>();
                 QVERIFY(which && text);
                 which->setCurrentIndex(1);  // B (right) is better
                 text->setPlainText("A better answer, rewritten by hand.");
                 dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save)->click();
               });
    expected.push_back({edited.id, edited_a_left ? "b" : "a", edited_a_left ? "a" : "b"});
    QVERIFY(backToPage(*page));

    Store store = Store::openReadOnly(database().toStdString());
    const auto history = store.preferenceLabelHistory(set_id);
    // 5 votes, the undo row, the voted-again pair, the rewrite: 8 rows in this order.
    QCOMPARE(history.size(), size_t(8));
    std::vector<size_t> vote_rows = {0, 1, 2, 3, 4, 6, 7};
    for (size_t i = 0; i < vote_rows.size(); ++i) {
      const auto& row = history[vote_rows[i]];
      QCOMPARE(row.pair_id, expected[i].pair);
      QCOMPARE(row.choice, expected[i].choice);
      QCOMPARE(row.shown_left, expected[i].shown_left);
      QCOMPARE(row.labeller, std::string("ann"));
      QVERIFY(row.seconds_spent >= 0 && row.seconds_spent < 60);
    }
    QCOMPARE(history[5].choice, std::string("undo"));
    QCOMPARE(history[5].supersedes, history[4].id);
    QCOMPARE(history[6].pair_id, skipped);
    QCOMPARE(history[6].note, std::string("Both are short; B is friendlier."));
    QCOMPARE(history[7].rewrite, std::string("A better answer, rewritten by hand."));
    QVERIFY(history[7].note.empty());  // the note went with one vote only
    QCOMPARE(store.currentPreferenceLabels(set_id).size(), size_t(6));
    QVERIFY(page->statsLabel()->text().contains("6 labelled by you"));
    QCOMPARE(page->progressBar()->value(), 6);
    QVERIFY2(page->lastVoteLabel()->text().startsWith("Previous pair saved"),
             qPrintable(page->lastVoteLabel()->text()));
  }

  void theLabelledSetTrainsARewardModelOrDpo() {
    makeSet("loop", 3);
    auto page = openPage("loop", "ann");
    QVERIFY(page);
    // Nothing labelled: nothing to train on yet.
    QVERIFY(!page->trainRewardModelButton()->isEnabled());
    QVERIFY(!page->trainDpoButton()->isEnabled());
    QTest::keyClick(page.get(), Qt::Key_1);
    QTRY_VERIFY(page->trainRewardModelButton()->isEnabled());
    QVERIFY(page->trainDpoButton()->isEnabled());
    QSignalSpy requested(page.get(), &LabelPage::newRunRequested);
    page->trainRewardModelButton()->click();
    page->trainDpoButton()->click();
    QCOMPARE(requested.size(), 2);
    QCOMPARE(requested.at(0).at(0).toJsonObject(), (QJsonObject{{"method", "reward-model"}, {"data", "set:loop"}}));
    QCOMPARE(requested.at(0).at(1).toString(), QString("A reward model on set loop"));
    QCOMPARE(requested.at(1).at(0).toJsonObject(), (QJsonObject{{"method", "dpo"}, {"data", "set:loop"}}));
  }

  void revealNamesTheSourcesAfterTheVoteOnly() {
    makeSet("reveal", 3);
    auto page = openPage("reveal", "ann");
    QVERIFY(page);
    for (QCheckBox* box : page->findChildren<QCheckBox*>()) {
      if (box->text().startsWith("Reveal")) box->setChecked(true);
    }
    QVERIFY(!page->leftView()->toPlainText().contains("small-"));
    QVERIFY(!page->lastVoteLabel()->text().contains("small-"));
    const bool a_left = leftIsA(*page);
    QTest::keyClick(page.get(), Qt::Key_1);
    const QString text = page->lastVoteLabel()->text();
    QVERIFY2(text.contains(a_left ? "A was small-finetune" : "A was small-base"), qPrintable(text));
  }

  void secondLabellerSeesOnlyPairsOthersLabelledAndAgreement() {
    const int64_t set_id = makeSet("second", 6);
    {
      Store store = Store::open(database().toStdString());
      const auto pairs = store.preferencePairs(set_id);
      for (int i : {1, 3, 4}) {
        NewPreferenceLabel label;
        label.pair_id = pairs[static_cast<size_t>(i)].id;
        label.labeller = "bob";
        label.choice = "a";
        store.addPreferenceLabel(label);
      }
    }
    auto page = openPage("second", "ann");
    QVERIFY(page);
    page->secondOpinionBox()->setChecked(true);
    QVERIFY(page->session());
    std::vector<int64_t> offered;
    while (page->session()->current() != nullptr) {
      offered.push_back(page->session()->current()->id);
      // Always the side holding A: agreement with bob on every pair.
      QTest::keyClick(page.get(), leftIsA(*page) ? Qt::Key_1 : Qt::Key_2);
    }
    QCOMPARE(offered.size(), size_t(3));
    Store store = Store::openReadOnly(database().toStdString());
    const auto pairs = store.preferencePairs(set_id);
    QCOMPARE(offered, (std::vector<int64_t>{pairs[1].id, pairs[3].id, pairs[4].id}));
    const QString stats = page->statsLabel()->text();
    QVERIFY2(stats.contains("agreement with bob: 100% of 3 pairs"), qPrintable(stats));
  }

  void fiftyVotesByKeyboard() {
    const int64_t set_id = makeSet("fifty", 50);
    auto page = openPage("fifty", "ann");
    QVERIFY(page);
    std::vector<double> ms;
    for (int i = 0; i < 50; ++i) {
      QElapsedTimer timer;
      timer.start();
      QTest::keyClick(page.get(), i % 2 == 0 ? Qt::Key_1 : Qt::Key_2);
      ms.push_back(static_cast<double>(timer.nsecsElapsed()) / 1e6);
    }
    Store store = Store::openReadOnly(database().toStdString());
    QCOMPARE(store.currentPreferenceLabels(set_id).size(), size_t(50));
    QVERIFY(page->session()->current() == nullptr);
    std::sort(ms.begin(), ms.end());
    double total = 0;
    for (double m : ms) total += m;
    // The wall time of one key press: the vote committed, the next pair shown, the figures updated.
    qInfo("50 keyboard votes: median %.2f ms, mean %.2f ms, max %.2f ms per vote", ms[25], total / 50, ms.back());
  }

  // "Generate pairs…": a real `temper prefs generate` child on a tiny model trained here; its pairs
  // reach the page while it runs, votes go on meanwhile, and it ends "finished".
  void generationInTheBackgroundFeedsTheQueue() {
    QString engine = qEnvironmentVariable("TEMPER_ENGINE");
    if (engine.isEmpty()) engine = QStringLiteral(TEMPER_BIN_DIR "/temper");
    if (!QFileInfo(engine).isExecutable()) QSKIP("no temper engine (set TEMPER_ENGINE or build the `temper` target)");
    auto tool = [&](const QStringList& args) {
      QProcess p;
      p.start(engine, args);
      const bool ok = p.waitForFinished(240000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
      if (!ok) qWarning("temper %s: %s", qPrintable(args.join(' ')), p.readAllStandardError().constData());
      return ok;
    };
    const QString root = dir_.filePath(QStringLiteral("generation"));
    const QString workspace = root + "/ws";
    QDir().mkpath(workspace);
    QFile corpus(root + "/corpus.txt");
    QVERIFY(corpus.open(QIODevice::WriteOnly));
    for (int i = 0; i < 150; ++i) corpus.write("The boats came back to the harbour as the lights came on.\n");
    corpus.close();
    QVERIFY(tool({"tokenizer", "train", "--input", root + "/corpus.txt", "--vocab-size", "40", "--model-type", "char",
                  "--out", root + "/tok.model"}));
    QVERIFY(tool({"data", "prepare", "--tokenizer", root + "/tok.model", "--input", root + "/corpus.txt", "--out",
                  root + "/data"}));
    QVERIFY(tool({"train",
                  "--workspace",
                  workspace,
                  "--data",
                  root + "/data",
                  "--layers",
                  "1",
                  "--dim",
                  "32",
                  "--heads",
                  "2",
                  "--ctx",
                  "64",
                  "--batch-size",
                  "4",
                  "--max-steps",
                  "20",
                  "--warmup-steps",
                  "0",
                  "--eval-batches",
                  "1",
                  "--threads",
                  "1"}));
    QString final_dir;
    for (const QFileInfo& run : QDir(workspace + "/runs").entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot)) {
      final_dir = run.filePath() + "/final";
    }
    QVERIFY(QFileInfo(final_dir).isDir());
    QFile prompts(root + "/prompts.txt");
    QVERIFY(prompts.open(QIODevice::WriteOnly));
    for (const char* p : {"The boats", "The harbour", "The lights", "As the", "Came back", "On the"}) {
      prompts.write(p);
      prompts.write("\n");
    }
    prompts.close();

    const QString database = workspace + "/temper.db";
    {
      Store store = Store::open(database.toStdString());
      NewPreferenceSet set;
      set.name = "generated";
      store.createPreferenceSet(set);
    }
    settings_->setValue("label/labeller", "ann");
    LabelPage page(database, settings_.get());
    EngineSession session(engine, workspace);
    page.setEngine(&session);
    page.resize(1280, 720);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QVERIFY(page.openSet("generated"));
    QVERIFY(page.session()->current() == nullptr);
    QVERIFY(page.startGeneration({"prefs", "generate", "--set", "generated", "--prompts", root + "/prompts.txt", "--a",
                                  final_dir, "--b-temperature", "1.4", "--per-prompt", "2", "--max-new-tokens", "16",
                                  "--raw", "--threads", "1"}));
    QVERIFY(!page.startGeneration({"prefs", "generate"}));  // one at a time
    QTRY_VERIFY_WITH_TIMEOUT(page.session() && page.session()->current() != nullptr, 60000);
    backToPage(page);
    QTest::keyClick(&page, Qt::Key_1);  // labelling goes on while pairs are made
    QTRY_VERIFY_WITH_TIMEOUT(!page.generating(), 120000);
    QVERIFY2(page.generationLabel()->text().contains("finished"), qPrintable(page.generationLabel()->text()));
    Store store = Store::openReadOnly(database.toStdString());
    const auto set = store.findPreferenceSet("generated");
    QVERIFY(set->pairs >= 8);  // 12 made; a few may be identical or empty
    QCOMPARE(store.currentPreferenceLabels(set->id).size(), size_t(1));
    QVERIFY2(page.statsLabel()->text().contains("1 labelled by you"), qPrintable(page.statsLabel()->text()));
  }

  void screenshots() {
    const QString shots = QStringLiteral(TEMPER_BUILD_DIR "/screenshots");
    QDir().mkpath(shots);
    const int64_t set_id = makeSet("helpful-vs-base", 40);
    {
      Store store = Store::open(database().toStdString());
      const auto pairs = store.preferencePairs(set_id);
      for (size_t i = 0; i < 12; ++i) {
        NewPreferenceLabel label;
        label.pair_id = pairs[i].id;
        label.labeller = "bob";
        label.choice = i % 3 == 0 ? "b" : "a";
        store.addPreferenceLabel(label);
      }
      NewPreferencePair longer;
      longer.messages_json =
          R"([{"role":"system","content":"You are a careful assistant."},{"role":"user","content":"Write a function that reverses a string in TypeScript, and explain it."}])";
      longer.completion_a =
          "```ts\nfunction reverse(text: string): string {\n  return Array.from(text).reverse().join(\"\");\n}\n```\n\n"
          "Array.from splits the string into code points, so characters outside the Basic Multilingual Plane "
          "(emoji, many CJK characters) stay whole; reverse() flips the array and join(\"\") makes it a string "
          "again.";
      longer.completion_b =
          "```ts\nconst reverse = (s: string) => s.split(\"\").reverse().join(\"\");\n```\n\n"
          "This splits into UTF-16 units, so an emoji comes out broken.";
      longer.source_a_json = R"({"model": "/models/tsx-coder-sft"})";
      longer.source_b_json = R"({"model": "/models/tsx-coder-base"})";
      store.addPreferencePairs(set_id, {longer});
    }
    for (Theme theme : {Theme::Light, Theme::Dark}) {
      applyTheme(*qApp, theme);
      auto page = openPage("helpful-vs-base", "ann");
      QVERIFY(page);
      // Label up to the long pair, agreeing with bob on some.
      while (page->session()->current() && page->session()->current()->messages_json.empty()) {
        QTest::keyClick(page.get(), page->session()->votesThisSession() % 4 == 0 ? Qt::Key_2 : Qt::Key_1);
      }
      QVERIFY(page->session()->current());
      page->setPendingNote("Check the emoji case.");
      QApplication::processEvents();
      const QString path = shots + (theme == Theme::Dark ? "/label-dark.png" : "/label.png");
      QVERIFY2(page->grab().save(path), qPrintable(path));
      // Undo everything this session did, so the second theme starts from the same state.
      while (page->session()->canUndo()) page->session()->undo();
    }
    applyTheme(*qApp, Theme::FollowSystem);
    qInfo("screenshots in %s", qPrintable(shots));
  }
};

QTEST_MAIN(LabelPageTest)
#include "label_page_test.moc"
