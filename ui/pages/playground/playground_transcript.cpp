#include "ui/pages/playground/playground_transcript.h"

#include <QPalette>
#include <QScrollBar>
#include <QTextBrowser>
#include <QTextCursor>
#include <algorithm>

#include "ui/pages/playground/playground_adapters.h"
#include "ui/pages/playground/playground_page.h"

namespace temper::studio {

// The page's translation context: these words were written for it and are translated there.
QString transcriptHtml(const QVector<PlaygroundMessage>& messages, const QPalette& palette,
                       const PlaygroundAdapters& adapters) {
  const QString user_colour = palette.color(QPalette::Link).name();
  const QString model_colour = palette.color(QPalette::WindowText).name();
  const QString notice_colour = palette.color(QPalette::PlaceholderText).name();
  // Which adapter answered is shown once any answer came from one: to compare them on one base.
  const bool captions = std::any_of(messages.cbegin(), messages.cend(), [](const PlaygroundMessage& m) {
    return m.role == PlaygroundMessage::Role::Assistant && !m.adapter.isEmpty();
  });
  QString html;
  for (const PlaygroundMessage& m : messages) {
    QString who;
    QString colour;
    switch (m.role) {
      case PlaygroundMessage::Role::User:
        who = PlaygroundPage::tr("You");
        colour = user_colour;
        break;
      case PlaygroundMessage::Role::Assistant:
        who = PlaygroundPage::tr("Model");
        colour = model_colour;
        break;
      case PlaygroundMessage::Role::Notice:
        who = PlaygroundPage::tr("Engine");
        colour = notice_colour;
        break;
    }
    html += QStringLiteral("<p style=\"margin-top:12px; margin-bottom:2px\"><b style=\"color:%1\">%2</b></p>")
                .arg(colour, who.toHtmlEscaped());
    html += QStringLiteral("<p style=\"white-space:pre-wrap; margin-top:0; margin-bottom:0\">%1</p>")
                .arg(m.text.toHtmlEscaped());
    if (captions && m.role == PlaygroundMessage::Role::Assistant && m.finished) {
      html += QStringLiteral("<p style=\"margin-top:2px; font-size:small; color:%1\"><i>%2</i></p>")
                  .arg(notice_colour, adapters.caption(m.adapter).toHtmlEscaped());
    }
  }
  return html;
}

void appendStreamedText(QTextBrowser* view, const QString& text) {
  QScrollBar* bar = view->verticalScrollBar();
  const bool at_end = bar->value() >= bar->maximum() - 4;
  QTextCursor cursor(view->document());
  cursor.movePosition(QTextCursor::End);
  cursor.insertText(text);
  if (at_end) bar->setValue(bar->maximum());
}

}  // namespace temper::studio
