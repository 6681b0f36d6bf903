// ShownHistory: a channel's events that the history read from the store already showed are
// dropped, the rest pass in order; samples of the step the history ended at are told apart by
// their text (an evaluation's samples are committed one by one).
#include <QtTest>

#include "ui/client/shown_history.h"

using namespace temper::studio;

namespace {

EngineEvent makeEvent(const QString& type, qint64 step, QJsonObject fields = {}) {
  fields.insert("type", type);
  fields.insert("step", step);
  EngineEvent e;
  e.type = type;
  e.run_id = "r";
  e.fields = fields;
  return e;
}

EngineEvent sample(qint64 step, const QString& prompt) {
  return makeEvent("sample", step, {{"prompt", prompt}, {"text", prompt + " text at " + QString::number(step)}});
}

// "type@step" of each event, to compare batches at a glance.
QStringList shape(const EventBatch& batch) {
  QStringList out;
  for (const EngineEvent& e : batch.events) out << e.type + "@" + QString::number(e.integer("step"));
  return out;
}

}  // namespace

class ShownHistoryTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void nothingShownPassesEverything() {
    ShownHistory shown;
    QVERIFY(shown.isEmpty());
    EventBatch batch;
    batch.events = {makeEvent("run_started", 0, {{"followed_from_store", true}}), makeEvent("step", 1)};
    batch.malformed_lines = {"noise"};
    const EventBatch rest = shown.unseen(batch);
    QCOMPARE(shape(rest), shape(batch));
    QCOMPARE(rest.malformed_lines, QStringList{"noise"});
  }

  void dropsWhatTheHistoryShowed() {
    EventBatch history;
    history.events = {makeEvent("run_started", 0, {{"followed_from_store", true}}),
                      makeEvent("step", 199),
                      makeEvent("step", 200),
                      makeEvent("eval", 100),
                      sample(100, "a"),
                      sample(100, "b"),
                      sample(200, "a"),  // step 200's second sample was not committed yet
                      makeEvent("checkpoint_saved", 150)};
    ShownHistory shown;
    shown.add(history);
    QVERIFY(!shown.isEmpty());

    // A follower that had read less: its first poll repeats the start, then goes past the history.
    EventBatch late;
    late.events = {makeEvent("run_started", 0, {{"followed_from_store", true}}),
                   makeEvent("step", 150),
                   makeEvent("step", 200),
                   makeEvent("eval", 100),
                   sample(100, "b"),
                   sample(200, "a"),
                   sample(200, "b"),
                   makeEvent("checkpoint_saved", 150),
                   makeEvent("step", 201),
                   makeEvent("eval", 200),  // committed after the steps that follow it
                   makeEvent("checkpoint_saved", 300),
                   sample(300, "a"),
                   makeEvent("log", 0),
                   makeEvent("run_finished", 301)};
    late.malformed_lines = {"store: busy"};
    const EventBatch rest = shown.unseen(late);
    QCOMPARE(shape(rest), (QStringList{"sample@200", "step@201", "eval@200", "checkpoint_saved@300", "sample@300",
                                       "log@0", "run_finished@301"}));
    QCOMPARE(rest.events.first().text("prompt"), QStringLiteral("b"));
    QCOMPARE(rest.malformed_lines, QStringList{"store: busy"});

    // The engine's own run_started (not read from the store) is news.
    EventBatch resumed;
    resumed.events = {makeEvent("run_started", 0, {{"resumed", true}})};
    QCOMPARE(shape(shown.unseen(resumed)), QStringList{"run_started@0"});

    shown.clear();
    QVERIFY(shown.isEmpty());
    QCOMPARE(shape(shown.unseen(late)).size(), late.events.size());
  }
};

QTEST_GUILESS_MAIN(ShownHistoryTest)
#include "shown_history_test.moc"
