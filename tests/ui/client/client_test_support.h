#pragma once
// Helpers shared by the studio client tests: where the engine is, fake engines, a tiny corpus.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>

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

}  // namespace temper::studio::testing
