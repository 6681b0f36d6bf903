#pragma once
/// The Playground's transcript as a person reads it: the messages and how they are drawn in the
/// page's QTextBrowser. The page keeps the messages; these functions only turn them into text.
#include <QString>
#include <QVector>

class QPalette;
class QTextBrowser;

namespace temper::studio {

class PlaygroundAdapters;

/// One message of the transcript as shown.
struct PlaygroundMessage {
  enum class Role { User, Assistant, Notice };
  Role role = Role::User;
  QString text;
  QString adapter;        ///< Assistant: the adapter folder that gave the answer (empty: the base)
  bool finished = false;  ///< Assistant: the answer has ended (its adapter is known)
};

/// The whole transcript as HTML, in `palette`'s colours; a finished answer gets `adapters`'s
/// caption once any answer came from an adapter.
QString transcriptHtml(const QVector<PlaygroundMessage>& messages, const QPalette& palette,
                       const PlaygroundAdapters& adapters);

/// Appends streamed `text` to the end of `view` without redrawing the rest; follows it down only
/// when the person had not scrolled up.
void appendStreamedText(QTextBrowser* view, const QString& text);

}  // namespace temper::studio
