#pragma once
// Helpers shared by the studio client tests: where the engine is, fake engines, a tiny corpus, a
// run that trains until stopped, and a meter of how long the GUI thread stalls.
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <algorithm>

namespace temper::studio::testing {

/// TEMPER_ENGINE if set, else the build's own engine; empty when neither is an executable file.
inline QString realEngine() {
  QString path = qEnvironmentVariable("TEMPER_ENGINE");
  if (path.isEmpty()) path = QStringLiteral(TEMPER_BIN_DIR "/temper");
  const QFileInfo info(path);
  return info.isFile() && info.isExecutable() ? info.absoluteFilePath() : QString();
}

/// Writes an executable /bin/sh script and returns its path.
inline QString writeScript(const QDir& dir, const QString& name, const QByteArray& body) {
  const QString path = dir.filePath(name);
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) return {};
  file.write("#!/bin/sh\n" + body);
  file.close();
  file.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
  return path;
}

/// A small English text written for these tests (enough for a character tokenizer and a few
/// batches of 16-token windows).
inline QByteArray tinyCorpus() {
  QByteArray text;
  const char* lines[] = {
      "The lighthouse keeper climbed the stairs every evening to light the lamp.",
      "Boats came home slowly when the fog rolled in from the grey sea.",
      "In the bakery on the corner the bread was ready before dawn.",
      "Children ran along the harbour wall and counted the gulls.",
      "A storm was coming, said the old barometer in the shop window.",
  };
  for (int i = 0; i < 60; ++i) {
    text += lines[i % 5];
    text += ' ';
    text += QByteArray::number(i);
    text += '\n';
  }
  return text;
}

/// `temper train` arguments for a 1-layer GPT on the prepared folder `data` that trains until it is
/// stopped (a million steps), for tests that catch a run in progress: one thread, one eval batch.
inline QStringList endlessTinyTrainArgs(const QString& data, int eval_every, int sample_tokens, int checkpoint_every) {
  const auto n = [](int value) { return QString::number(value); };
  return {"--data",
          data,
          "--layers",
          "1",
          "--dim",
          "32",
          "--heads",
          "2",
          "--ctx",
          "16",
          "--batch-size",
          "4",
          "--warmup-steps",
          "0",
          "--threads",
          "1",
          "--max-steps",
          "1000000",
          "--eval-every",
          n(eval_every),
          "--eval-batches",
          "1",
          "--sample-tokens",
          n(sample_tokens),
          "--checkpoint-every",
          n(checkpoint_every)};
}

/// Whether the GUI thread keeps turning while something loads: a 5 ms timer counts its ticks and
/// the longest gap between them (the longest stall), from start() to stop().
class EventLoopMeter {
 public:
  EventLoopMeter() {
    timer_.setTimerType(Qt::PreciseTimer);
    timer_.setInterval(5);
    QObject::connect(&timer_, &QTimer::timeout, [this] {
      const qint64 now = clock_.elapsed();
      longest_gap_ms_ = std::max(longest_gap_ms_, now - last_tick_ms_);
      last_tick_ms_ = now;
      ++ticks_;
    });
  }
  void start() {
    ticks_ = 0;
    last_tick_ms_ = longest_gap_ms_ = elapsed_ms_ = 0;
    clock_.start();
    timer_.start();
  }
  void stop() {
    timer_.stop();
    elapsed_ms_ = clock_.elapsed();
    longest_gap_ms_ = std::max(longest_gap_ms_, elapsed_ms_ - last_tick_ms_);
  }
  int ticks() const { return ticks_; }
  qint64 longestGapMs() const { return longest_gap_ms_; }
  qint64 elapsedMs() const { return elapsed_ms_; }  ///< start() to stop()

 private:
  QTimer timer_;
  QElapsedTimer clock_;
  int ticks_ = 0;
  qint64 last_tick_ms_ = 0, longest_gap_ms_ = 0, elapsed_ms_ = 0;
};

}  // namespace temper::studio::testing
