// The Playground's Adapter box against a fake `temper` (a shell script that answers `model
// inspect` from each folder's inspect.json and speaks `chat --json` with adapters, logging every
// line it reads): which adapters are offered for the loaded base, the `adapter` messages sent,
// the adapter named under each answer, a refused switch, and an adapter run opened as a model.
// Screenshot playground-adapters.png in ${TEMPER_BUILD_DIR}/screenshots.
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QtTest>

#include "tests/ui/client/client_test_support.h"
#include "ui/client/chat_session.h"
#include "ui/client/engine_session.h"
#include "ui/pages/library/library_model.h"
#include "ui/pages/playground/playground_page.h"

using namespace temper::studio;
using temper::studio::testing::writeScript;

namespace {

// `model inspect DIR --json`: DIR/inspect.json. `chat --model M [--adapter A] --json`: `ready`,
// then per line: `adapter` → adapter_set (an error for a folder named broken*), `user` → one
// token and answer_end naming the adapter on. Arguments and lines go to $FAKE_LOG.
QByteArray fakeChatEngine(const QByteArray& log) {
  QFile script(QStringLiteral(TEMPER_SOURCE_DIR "/tests/ui/pages/fake_chat_engine.sh"));
  if (!script.open(QIODevice::ReadOnly)) return {};
  return "LOG='" + log + "'\n" + script.readAll();
}

bool writeFile(const QString& path, const QByteArray& body) {
  QDir().mkpath(QFileInfo(path).absolutePath());
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly)) return false;
  file.write(body);
  return true;
}

}  // namespace

class PlaygroundAdaptersTest : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  QString log_;
  std::unique_ptr<EngineSession> session_;
  LibraryModel models_;
  QString base_, other_base_, lora_, prompt_, other_lora_, broken_, loose_;

  // An adapter folder of `base`: its config and what `model inspect` says of it.
  QString adapterFolder(const QString& name, const QString& peft_type, const QString& base) {
    const QString path = dir_.filePath(name);
    writeFile(path + "/adapter_config.json",
              QStringLiteral(R"({"peft_type":"%1","base_model_name_or_path":"%2"})").arg(peft_type, base).toUtf8());
    writeFile(path + "/inspect.json",
              QStringLiteral(R"({"adapter":true,"kind":"lora","base":"%1","base_on_disk":true})").arg(base).toUtf8());
    return path;
  }

  QString baseFolder(const QString& name) {
    const QString path = dir_.filePath(name);
    writeFile(path + "/inspect.json", R"({"family":"gpt2","task":"causal-lm","architecture":"GPT2LMHeadModel"})");
    return path;
  }

  static LibraryEntry run(const QString& name, const QString& path) {
    LibraryEntry e;
    e.name = name;
    e.path = path;
    e.origin = LibraryEntry::Origin::Run;
    e.run_id = name;
    return e;
  }

  QStringList logLines() {
    QFile file(log_);
    if (!file.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
  }

  std::unique_ptr<PlaygroundPage> loaded(const QString& model) {
    auto page = std::make_unique<PlaygroundPage>(&models_);
    page->setEngine(session_.get());
    QSignalSpy settled(page.get(), &PlaygroundPage::modelSettled);
    page->openModel(model);
    if (!settled.wait(10000)) qWarning("not loaded: %s", qPrintable(page->modelStatusText()));
    return page;
  }

  QStringList boxTexts(QComboBox* box) {
    QStringList texts;
    for (int i = 0; i < box->count(); ++i) texts << box->itemText(i);
    return texts;
  }

  // Picks the adapter box's row as a click would.
  bool pick(PlaygroundPage* page, const QString& dir, bool expect_refusal = false) {
    QComboBox* box = page->adapterBox();
    const int row = box->findData(dir);
    if (row < 0) return false;
    QSignalSpy set(page->chat(), &ChatSession::adapterSet);
    QSignalSpy refused(page->chat(), &ChatSession::adapterRefused);
    box->setCurrentIndex(row);
    Q_EMIT box->activated(row);
    return expect_refusal ? refused.wait(10000) : set.wait(10000);
  }

  bool ask(PlaygroundPage* page, const QString& text) {
    QSignalSpy ended(page->chat(), &ChatSession::answerEnded);
    page->input()->setPlainText(text);
    return page->sendInput() && ended.wait(10000);
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    log_ = dir_.filePath("engine.log");
    const QString engine = writeScript(QDir(dir_.path()), "temper", fakeChatEngine(log_.toUtf8()));
    session_ = std::make_unique<EngineSession>(engine, dir_.filePath("ws"));
    base_ = baseFolder("harbour/final");
    other_base_ = baseFolder("other");
    lora_ = adapterFolder("harbour-lora/final", "LORA", base_);
    prompt_ = adapterFolder("harbour-prompt/final", "PROMPT_TUNING", base_);
    broken_ = adapterFolder("broken/final", "LORA", base_);
    other_lora_ = adapterFolder("other-lora/final", "LORA", other_base_);
    loose_ = adapterFolder("loose-adapter", "BOTTLENECK", base_);
    QDir().mkpath(dir_.filePath("not-an-adapter"));
    models_.setEntries({run("harbour", base_), run("harbour lora", lora_), run("harbour prompt", prompt_),
                        run("broken lora", broken_), run("other lora", other_lora_), run("other", other_base_)});
  }

  void listsOnlyTheAdaptersOfTheLoadedBase() {
    auto page = loaded(base_);
    QCOMPARE(page->chat()->state(), ChatSession::State::Ready);
    QCOMPARE(page->loadedBase(), base_);
    QComboBox* box = page->adapterBox();
    QVERIFY(box->isEnabled());
    QCOMPARE(boxTexts(box), (QStringList{"None (base model)", "LoRA · harbour lora", "Prompt tuning · harbour prompt",
                                         "LoRA · broken lora", "Add folder…"}));
    QCOMPARE(box->currentIndex(), 0);
    // The other base lists its own.
    auto other = loaded(other_base_);
    QCOMPARE(boxTexts(other->adapterBox()), (QStringList{"None (base model)", "LoRA · other lora", "Add folder…"}));
  }

  void switchingSendsTheAdapterAndEachAnswerNamesIt() {
    auto page = loaded(base_);
    QVERIFY(ask(page.get(), "Hello there"));
    QVERIFY(pick(page.get(), lora_));
    QVERIFY2(logLines().contains(QStringLiteral(R"(line {"path":"%1","type":"adapter"})").arg(lora_)),
             qPrintable(logLines().join('\n')));
    QCOMPARE(page->adapterBox()->currentData().toString(), lora_);
    QVERIFY2(page->statusText().contains("LoRA adapter “harbour lora”"), qPrintable(page->statusText()));
    QVERIFY(ask(page.get(), "Hello there"));
    QVERIFY(pick(page.get(), prompt_));
    QVERIFY(ask(page.get(), "Hello there"));
    QVERIFY(pick(page.get(), QString()));
    QVERIFY(logLines().contains(R"(line {"path":null,"type":"adapter"})"));
    QCOMPARE(page->adapterBox()->currentIndex(), 0);
    QVERIFY(ask(page.get(), "Hello there"));

    const auto& t = page->transcript();
    QCOMPARE(t.size(), 8);
    QCOMPARE(t[1].adapter, QString());
    QCOMPARE(t[3].adapter, lora_);
    QCOMPARE(t[5].adapter, prompt_);
    QCOMPARE(t[7].adapter, QString());
    const QString shown = page->transcriptView()->toPlainText();
    QVERIFY2(shown.contains("— with LoRA adapter “harbour lora”"), qPrintable(shown));
    QVERIFY(shown.contains("— with soft prompt “harbour prompt”"));
    QCOMPARE(shown.count("— base model, no adapter"), 2);
  }

  void aRefusedSwitchKeepsTheAdapterThatIsOn() {
    auto page = loaded(base_);
    QVERIFY(pick(page.get(), lora_));
    QVERIFY(pick(page.get(), broken_, true));
    QCOMPARE(page->chat()->adapter(), lora_);
    QCOMPARE(page->adapterBox()->currentData().toString(), lora_);
    QVERIFY(page->adapterBox()->isEnabled());
    QVERIFY2(page->statusText().contains("adapter_model.safetensors is missing"), qPrintable(page->statusText()));
    QVERIFY(page->statusText().contains("LoRA adapter “harbour lora” stays on"));
    QCOMPARE(page->transcript().last().role, PlaygroundMessage::Role::Notice);
    QVERIFY(ask(page.get(), "Hello there"));
    QCOMPARE(page->transcript().last().adapter, lora_);
  }

  void foldersAddedByHand() {
    auto page = loaded(base_);
    const int rows = page->adapterBox()->count();
    page->addAdapterFolder(other_lora_);  // another base's
    QVERIFY2(page->statusText().contains("was trained on"), qPrintable(page->statusText()));
    page->addAdapterFolder(dir_.filePath("not-an-adapter"));
    QVERIFY(page->statusText().contains("is not an adapter folder"));
    QCOMPARE(page->adapterBox()->count(), rows);
    QCOMPARE(page->chat()->adapter(), QString());
    QSignalSpy set(page->chat(), &ChatSession::adapterSet);
    page->addAdapterFolder(loose_);
    QVERIFY(set.wait(10000));
    QCOMPARE(page->adapterBox()->count(), rows + 1);
    QCOMPARE(page->adapterBox()->currentText(), QStringLiteral("Bottleneck adapters · loose-adapter"));
    QCOMPARE(page->chat()->adapter(), loose_);
  }

  void anAdapterRunOpensAsItsBaseWithTheAdapterOn() {
    auto page = loaded(lora_);
    QCOMPARE(page->chat()->state(), ChatSession::State::Ready);
    QCOMPARE(page->loadedBase(), base_);
    QVERIFY2(logLines().contains(QStringLiteral("args chat --model %1 --adapter %2 --json").arg(base_, lora_)),
             qPrintable(logLines().join('\n')));
    QCOMPARE(page->adapterBox()->currentData().toString(), lora_);
    QVERIFY(ask(page.get(), "Hello there"));
    QCOMPARE(page->transcript().last().adapter, lora_);
  }

  void screenshot() {
    auto page = loaded(base_);
    page->resize(1280, 800);
    page->show();
    QVERIFY(QTest::qWaitForWindowExposed(page.get()));
    page->systemPrompt()->setPlainText("Be brief.");
    QVERIFY(ask(page.get(), "Are the boats back?"));
    QVERIFY(pick(page.get(), lora_));
    QVERIFY(ask(page.get(), "Are the boats back?"));
    QVERIFY(pick(page.get(), prompt_));
    QVERIFY(ask(page.get(), "Are the boats back?"));
    const QString dir = QStringLiteral(TEMPER_BUILD_DIR "/screenshots");
    QDir().mkpath(dir);
    QVERIFY(page->grab().save(dir + "/playground-adapters.png"));
  }
};

QTEST_MAIN(PlaygroundAdaptersTest)
#include "playground_adapters_test.moc"
