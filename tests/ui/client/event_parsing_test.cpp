// The incremental stdout parser, the stderr tail and the coalescer, without any process.
#include <QFile>
#include <QJsonObject>
#include <QSignalSpy>
#include <QtTest>

#include "ui/client/event_coalescer.h"
#include "ui/client/event_line_parser.h"
#include "ui/client/line_tail.h"

using namespace temper::studio;

namespace {

// Hand-written lines in the shape docs/events.md documents (not produced by our own writer).
const QByteArray kStep =
    R"({"v":1,"type":"step","run_id":"r1","t":100.5,"step":47,"max_steps":2000,"tokens_seen":36096,"wall_time_s":3.18,"loss":3.0168,"lr":0.00047,"grad_norm":1.41,"tokens_per_s":11670.0})";
const QByteArray kSample =
    R"({"v":1,"type":"sample","run_id":"r1","t":101,"step":50,"prompt":"The","text":"The café ☕ opens"})";
const QByteArray kEnd =
    R"({"v":1,"type":"run_finished","run_id":"r1","t":102,"status":"finished","reason":"reached max-steps","step":2000})";

}  // namespace

class EventParsingTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void parsesOneLineWithEveryField() {
    auto event = EventLineParser::parseLine(kStep);
    QVERIFY(event);
    QCOMPARE(event->type, QStringLiteral("step"));
    QCOMPARE(event->run_id, QStringLiteral("r1"));
    QCOMPARE(event->time, 100.5);
    QCOMPARE(event->integer("step"), 47);
    QCOMPARE(event->integer("tokens_seen"), 36096);
    QCOMPARE(event->number("loss"), 3.0168);
    QCOMPARE(event->number("missing", -1.0), -1.0);
    QVERIFY(!event->isRunEnd());
    QVERIFY(EventLineParser::parseLine(kEnd)->isRunEnd());
  }

  // The engine's own contract file (tests/core/protocol/golden/events.jsonl, which protocol_test
  // holds the engine's builders to): every event type parses, with the fields the studio reads.
  void parsesTheEngineContractFile() {
    QFile file(QStringLiteral(TEMPER_SOURCE_DIR "/tests/core/protocol/golden/events.jsonl"));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    EventLineParser parser;
    EventBatch batch;
    parser.feed(file.readAll(), batch);
    parser.finish(batch);
    QVERIFY2(batch.malformed_lines.isEmpty(), qPrintable(batch.malformed_lines.join(QLatin1Char('\n'))));
    QStringList types;
    for (const EngineEvent& e : batch.events) {
      types << e.type;
      QVERIFY(e.time > 0);
    }
    QCOMPARE(types, (QStringList{"run_started", "step", "eval", "eval", "sample", "checkpoint_saved", "log",
                                 "run_finished", "run_cancelled", "run_failed", "result", "error", "step"}));
    const auto& events = batch.events;
    QCOMPARE(events[0].run_id, QStringLiteral("20261206-010203-ab12"));
    QCOMPARE(events[0].fields.value(QStringLiteral("config")).toObject().value(QStringLiteral("max-steps")).toInt(),
             2000);
    QCOMPARE(events[1].integer("step"), 47);
    QCOMPARE(events[1].integer("max_steps"), 2000);
    QCOMPARE(events[1].integer("tokens_seen"), 36096);
    QCOMPARE(events[1].number("loss"), 3.0168);
    QCOMPARE(events[1].number("lr"), 0.00047);
    QCOMPARE(events[1].number("grad_norm"), 1.41);
    QCOMPARE(events[1].number("tokens_per_s"), 11670.0);
    QCOMPARE(events[2].number("val_loss"), 2.875);
    QCOMPARE(
        events[2].fields.value(QStringLiteral("metrics")).toObject().value(QStringLiteral("token_accuracy")).toDouble(),
        0.4375);
    QVERIFY(!events[3].fields.contains(QStringLiteral("metrics")));
    QCOMPARE(events[4].text("text"), QStringLiteral("The café ☕ opens at nine"));
    QCOMPARE(events[5].integer("step"), 100);
    QVERIFY(events[5].text("path").endsWith(QStringLiteral("checkpoints/step-100")));
    for (int i : {7, 8, 9}) QVERIFY2(events[i].isRunEnd(), qPrintable(events[i].type));
    QCOMPARE(events[8].text("status"), QStringLiteral("cancelled"));
    QVERIFY(events[11].run_id.isEmpty());
    QCOMPARE(events[11].text("kind"), QStringLiteral("invalid_config"));
    QCOMPARE(events[12].fields.value(QStringLiteral("metrics")).toObject().value(QStringLiteral("reward")).toDouble(),
             0.5);
  }

  void splitAtEveryByteGivesTheSameEvents() {
    // Three events (one with multi-byte UTF-8) cut into two reads at every possible position,
    // including inside a UTF-8 character and right at the newlines.
    const QByteArray stream = kStep + "\n" + kSample + "\n" + kEnd + "\n";
    for (qsizetype cut = 0; cut <= stream.size(); ++cut) {
      EventLineParser parser;
      EventBatch batch;
      parser.feed(QByteArrayView(stream).first(cut), batch);
      parser.feed(QByteArrayView(stream).sliced(cut), batch);
      QCOMPARE(batch.events.size(), 3);
      QVERIFY(batch.malformed_lines.isEmpty());
      QCOMPARE(batch.events[1].text("text"), QString::fromUtf8("The café ☕ opens"));
      QCOMPARE(batch.events[2].type, QStringLiteral("run_finished"));
    }
  }

  void byteByByte() {
    const QByteArray stream = kStep + "\r\n" + kEnd + "\n";
    EventLineParser parser;
    EventBatch batch;
    for (char c : stream) parser.feed(QByteArrayView(&c, 1), batch);
    QCOMPARE(batch.events.size(), 2);
  }

  void garbageLinesAreReportedNotFatal() {
    const QByteArray stream = "hello from a library\n" + kStep + "\n[1,2,3]\n" +
                              R"({"v":1,"run_id":"r1"})"
                              "\n"
                              R"({"v":2,"type":"step"})"
                              "\n\n   \n" +
                              "{\"v\":1,\"type\":\"step\"" /* cut JSON */ "\n" + kEnd + "\n";
    EventLineParser parser;
    EventBatch batch;
    parser.feed(stream, batch);
    QCOMPARE(batch.events.size(), 2);
    QCOMPARE(batch.events[0].type, QStringLiteral("step"));
    QCOMPARE(batch.events[1].type, QStringLiteral("run_finished"));
    // Blank lines are not garbage; the other five are, in order.
    QCOMPARE(batch.malformed_lines.size(), 5);
    QCOMPARE(batch.malformed_lines[0], QStringLiteral("hello from a library"));
    QCOMPARE(batch.malformed_lines[1], QStringLiteral("[1,2,3]"));
    QString why;
    QVERIFY(!EventLineParser::parseLine(R"({"v":2,"type":"step"})", &why));
    QVERIFY2(why.contains(QStringLiteral("version 2")), qPrintable(why));
    QVERIFY(!EventLineParser::parseLine(R"({"v":1,"run_id":"r1"})", &why));
    QVERIFY2(why.contains(QStringLiteral("type")), qPrintable(why));
  }

  void lastLineWithoutNewlineCountsAtTheEnd() {
    EventLineParser parser;
    EventBatch batch;
    parser.feed(kStep + "\n" + kEnd, batch);
    QCOMPARE(batch.events.size(), 1);
    parser.finish(batch);
    QCOMPARE(batch.events.size(), 2);
  }

  void overlongLineIsDroppedAndParsingGoesOn() {
    EventLineParser parser;
    EventBatch batch;
    const QByteArray chunk(1024 * 1024, 'x');
    for (int i = 0; i < 17; ++i) parser.feed(chunk, batch);
    parser.feed("still the same line\n" + kStep + "\n", batch);
    QCOMPARE(batch.events.size(), 1);
    QCOMPARE(batch.malformed_lines.size(), 1);
    QVERIFY(batch.malformed_lines[0].contains(QStringLiteral("longer than")));
  }

  void stderrTailKeepsTheLastLines() {
    LineTail tail(3);
    tail.feed("one\ntwo\nthr");
    tail.feed("ee\nfour\nprogress 10%\rprogress 90%\npart");
    QCOMPARE(tail.lines(), (QStringList{"four", "progress 90%", "part"}));
    tail.feed("ial\n");
    QCOMPARE(tail.lines(), (QStringList{"four", "progress 90%", "partial"}));
  }

  void coalescerTurnsManyLinesIntoFewBatches() {
    EventCoalescer coalescer(nullptr, 40);
    QSignalSpy spy(&coalescer, &EventCoalescer::batchReady);
    EventLineParser parser;
    QElapsedTimer clock;
    clock.start();
    int fed = 0;
    // 2000 lines arriving one by one over ~200 ms, with the event loop running between them.
    while (clock.elapsed() < 200 || fed < 2000) {
      EventBatch batch;
      QByteArray line = kStep;
      line.replace("\"step\":47", "\"step\":" + QByteArray::number(fed + 1));
      parser.feed(line + "\n", batch);
      coalescer.add(batch);
      ++fed;
      if (fed % 10 == 0) QTest::qWait(1);
    }
    QTRY_VERIFY_WITH_TIMEOUT(!coalescer.hasPending(), 1000);
    int total = 0;
    qint64 expected_step = 1;
    for (const QList<QVariant>& args : spy) {
      const auto batch = args.at(0).value<EventBatch>();
      for (const EngineEvent& event : batch.events) QCOMPARE(event.integer("step"), expected_step++);
      total += static_cast<int>(batch.events.size());
    }
    QCOMPARE(total, fed);
    // One batch per 40 ms tick at most: ~200 ms of input cannot make more than a dozen batches.
    QVERIFY2(spy.size() >= 2 && spy.size() <= 12, qPrintable(QString::number(spy.size())));
  }

  void coalescerDeliversWithinItsInterval() {
    EventCoalescer coalescer(nullptr, 40);
    QSignalSpy spy(&coalescer, &EventCoalescer::batchReady);
    EventBatch batch;
    EventLineParser().feed(kStep + "\n", batch);
    QElapsedTimer clock;
    clock.start();
    coalescer.add(batch);
    QVERIFY(spy.wait(1000));
    QVERIFY2(clock.elapsed() < 100, qPrintable(QString::number(clock.elapsed())));
    // Nothing pending, nothing emitted.
    QVERIFY(!spy.wait(100));
    coalescer.add(EventBatch{});
    QVERIFY(!coalescer.hasPending());
  }
};

QTEST_GUILESS_MAIN(EventParsingTest)
#include "event_parsing_test.moc"
