#include "ui/wizard/adapter_diagram.h"

#include <QPainter>
#include <QPainterPath>
#include <QVector>

namespace temper::studio {

namespace {

constexpr qreal kBoxHeight = 28;
constexpr qreal kBoxPadding = 12;  // each side of a box's word
constexpr qreal kSumDiameter = 18;
constexpr qreal kGap = 22;          // the arrow between two nodes
constexpr qreal kBranch = 7;        // a branch leaves this far after the node before it
constexpr qreal kLabelPadding = 5;  // each side of "input" and "output", clear of the arrows
constexpr qreal kLaneRise = 22;     // residual arcs above the row
constexpr qreal kBelowDrop = 18;    // the parallel adapter's row below the main one
constexpr qreal kLegendHeight = 20;
constexpr qreal kMargin = 6;
constexpr qreal kArrowSize = 5;

struct Node {
  enum class Kind { Label, Box, Adapter, Sum };
  Kind kind;
  QString text;
  qreal width = 0;
  qreal left = 0;
  qreal gap_after = kGap;  // the arrow to the next node

  qreal right() const { return left + width; }
  qreal center() const { return left + width / 2; }
};

/// The colours of the drawing, from the widget's palette.
struct Ink {
  QColor line, text, quiet, frozen_fill, frozen_border, trained_fill, trained_border, trained_text;
};

Ink inkOf(const QPalette& palette) {
  Ink ink;
  ink.text = palette.color(QPalette::WindowText);
  ink.line = ink.text;
  ink.line.setAlphaF(0.6);
  ink.quiet = ink.text;
  ink.quiet.setAlphaF(0.7);
  ink.frozen_fill = palette.color(QPalette::Base);
  ink.frozen_border = palette.color(QPalette::Mid);
  ink.trained_fill = palette.color(QPalette::Highlight);
  ink.trained_border = palette.color(QPalette::Highlight).darker(125);
  ink.trained_text = palette.color(QPalette::HighlightedText);
  return ink;
}

QFont boldOf(QFont font) {
  font.setBold(true);
  return font;
}

qreal parallelAdapterWidth(const QFont& font) {
  return QFontMetricsF(boldOf(font)).horizontalAdvance(AdapterDiagram::tr("Adapter")) + 2 * kBoxPadding;
}

/// The nodes of the main row for a placement, their widths from the font (left edges still 0).
QVector<Node> rowFor(const QString& placement, const QFont& font) {
  using Kind = Node::Kind;
  const bool after_attention = placement == QLatin1String("after-attention") || placement == QLatin1String("both");
  const bool after_mlp = placement == QLatin1String("after-ffn") || placement == QLatin1String("both");
  const QFontMetricsF plain(font), bold(boldOf(font));
  QVector<Node> nodes;
  auto add = [&](Kind kind, const QString& text = {}) {
    qreal width = kSumDiameter;
    if (kind == Kind::Label) width = plain.horizontalAdvance(text) + 2 * kLabelPadding;
    if (kind == Kind::Box) width = plain.horizontalAdvance(text) + 2 * kBoxPadding;
    if (kind == Kind::Adapter) width = bold.horizontalAdvance(text) + 2 * kBoxPadding;
    nodes.push_back({kind, text, width});
  };
  add(Kind::Label, AdapterDiagram::tr("input"));
  add(Kind::Box, AdapterDiagram::tr("Norm"));
  add(Kind::Box, AdapterDiagram::tr("Attention"));
  if (after_attention) add(Kind::Adapter, AdapterDiagram::tr("Adapter"));
  add(Kind::Sum);
  add(Kind::Box, AdapterDiagram::tr("Norm"));
  add(Kind::Box, AdapterDiagram::tr("MLP"));
  if (after_mlp) add(Kind::Adapter, AdapterDiagram::tr("Adapter"));
  add(Kind::Sum);
  add(Kind::Label, AdapterDiagram::tr("output"));
  if (placement == QLatin1String("parallel")) {
    // The adapter drawn under the MLP runs from the branch before the MLP to the (+) after it:
    // widen the MLP's arrow when the adapter's word is longer than the MLP's.
    Node& mlp = nodes[nodes.size() - 3];
    const qreal needed = parallelAdapterWidth(font) + 2 * kGap;
    const qreal have = (kGap - kBranch) + mlp.width + kGap + kSumDiameter / 2;
    mlp.gap_after += qMax<qreal>(0, needed - have);
  }
  return nodes;
}

qreal rowWidth(const QVector<Node>& nodes) {
  qreal width = 0;
  for (const Node& n : nodes) width += n.width + n.gap_after;
  return width - nodes.last().gap_after;
}

void arrowHead(QPainter& p, QPointF tip, QPointF from) {
  QLineF back(tip, from);
  back.setLength(kArrowSize);
  QLineF left = back, right = back;
  left.setAngle(back.angle() + 28);
  right.setAngle(back.angle() - 28);
  QPainterPath head;
  head.moveTo(tip);
  head.lineTo(left.p2());
  head.lineTo(right.p2());
  head.closeSubpath();
  p.fillPath(head, p.pen().color());
}

/// A polyline ending in an arrow head at its last point.
void arrow(QPainter& p, const QVector<QPointF>& points) {
  for (qsizetype i = 1; i < points.size(); ++i) p.drawLine(points[i - 1], points[i]);
  arrowHead(p, points.last(), points[points.size() - 2]);
}

void junction(QPainter& p, QPointF at) {
  p.save();
  p.setBrush(p.pen().color());
  p.drawEllipse(at, 2.5, 2.5);
  p.restore();
}

void box(QPainter& p, const QRectF& rect, const QString& text, bool trained, const Ink& ink) {
  p.save();
  p.setPen(QPen(trained ? ink.trained_border : ink.frozen_border, 1));
  p.setBrush(trained ? ink.trained_fill : ink.frozen_fill);
  const qreal radius = qMin<qreal>(5, rect.height() / 4);
  p.drawRoundedRect(rect, radius, radius);
  p.setPen(trained ? ink.trained_text : ink.text);
  if (trained) p.setFont(boldOf(p.font()));
  p.drawText(rect, Qt::AlignCenter, text);
  p.restore();
}

void sum(QPainter& p, QPointF center, const Ink& ink) {
  p.save();
  p.setPen(QPen(ink.line, 1.2));
  p.setBrush(ink.frozen_fill);
  const qreal r = kSumDiameter / 2;
  p.drawEllipse(center, r, r);
  p.drawLine(QPointF(center.x() - r + 4, center.y()), QPointF(center.x() + r - 4, center.y()));
  p.drawLine(QPointF(center.x(), center.y() - r + 4), QPointF(center.x(), center.y() + r - 4));
  p.restore();
}

}  // namespace

AdapterDiagram::AdapterDiagram(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("adapterDiagram"));
  setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

void AdapterDiagram::setPlacement(const QString& placement) {
  placement_ = placement;
  setAccessibleDescription(tr("Adapter placement: %1").arg(placement));
  update();
}

QSize AdapterDiagram::sizeHint() const {
  // The widest row (both adapters); the residual arcs above it, the parallel adapter below.
  const qreal width = rowWidth(rowFor(QStringLiteral("both"), font())) + 2 * kMargin;
  const qreal height = kLaneRise + 2 * kBoxHeight + kBelowDrop + kLegendHeight + 2 * kMargin + 4;
  return QSize(qCeil(width), qCeil(height));
}

void AdapterDiagram::paintEvent(QPaintEvent*) {
  using Kind = Node::Kind;
  QVector<Node> nodes = rowFor(placement_, font());
  qreal x = (width() - rowWidth(nodes)) / 2;
  for (Node& n : nodes) {
    n.left = x;
    x += n.width + n.gap_after;
  }
  auto first = [&](Kind kind, const QString& text, qsizetype from = 0) {
    for (qsizetype i = from; i < nodes.size(); ++i) {
      if (nodes[i].kind == kind && (text.isEmpty() || nodes[i].text == text)) return i;
    }
    return qsizetype(-1);
  };
  const qsizetype sum1 = first(Kind::Sum, {});
  const qsizetype sum2 = first(Kind::Sum, {}, sum1 + 1);
  const qsizetype mlp = first(Kind::Box, tr("MLP"));

  const qreal row_top = kMargin + kLaneRise;
  const qreal cy = row_top + kBoxHeight / 2;
  const qreal lane = row_top - kLaneRise + 4;
  const qreal below = row_top + kBoxHeight + kBelowDrop;  // top of the parallel adapter

  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  const Ink ink = inkOf(palette());
  p.setPen(QPen(ink.line, 1.2));

  // The main path, node to node.
  for (qsizetype i = 1; i < nodes.size(); ++i)
    arrow(p, {QPointF(nodes[i - 1].right(), cy), QPointF(nodes[i].left, cy)});
  // Residuals: around each sublayer, into its (+) from above.
  auto residual = [&](qsizetype branch_after, qsizetype into) {
    const QPointF start(nodes[branch_after].right() + kBranch, cy);
    junction(p, start);
    arrow(p, {start, QPointF(start.x(), lane), QPointF(nodes[into].center(), lane),
              QPointF(nodes[into].center(), cy - kSumDiameter / 2)});
  };
  residual(0, sum1);
  residual(sum1, sum2);
  if (placement_ == QLatin1String("parallel")) {
    // Beside the MLP: the same input, added into the same (+); drawn under it.
    const QPointF start(nodes[mlp - 1].right() + kBranch, cy);
    const QRectF rect(start.x() + kGap, below, parallelAdapterWidth(font()), kBoxHeight);
    junction(p, start);
    arrow(p, {start, QPointF(start.x(), rect.center().y()), QPointF(rect.left(), rect.center().y())});
    arrow(p, {QPointF(rect.right(), rect.center().y()), QPointF(nodes[sum2].center(), rect.center().y()),
              QPointF(nodes[sum2].center(), cy + kSumDiameter / 2)});
    box(p, rect, tr("Adapter"), true, ink);
  }

  for (const Node& n : nodes) {
    const QRectF rect(n.left, row_top, n.width, kBoxHeight);
    switch (n.kind) {
      case Kind::Label:
        p.save();
        p.setPen(ink.quiet);
        p.drawText(rect.adjusted(-2, 0, 2, 0), Qt::AlignCenter, n.text);
        p.restore();
        break;
      case Kind::Box:
        box(p, rect, n.text, false, ink);
        break;
      case Kind::Adapter:
        box(p, rect, n.text, true, ink);
        break;
      case Kind::Sum:
        sum(p, QPointF(n.center(), cy), ink);
        break;
    }
  }

  // Legend: what the colours mean.
  const QFontMetricsF metrics(font());
  const QString trained = tr("trained"), frozen = tr("frozen");
  const qreal swatch = 12, legend_y = height() - kMargin - kLegendHeight / 2;
  qreal lx =
      (width() - (2 * (swatch + 6) + 18 + metrics.horizontalAdvance(trained) + metrics.horizontalAdvance(frozen))) / 2;
  auto legend = [&](const QString& text, bool is_trained) {
    box(p, QRectF(lx, legend_y - swatch / 2, swatch, swatch), QString(), is_trained, ink);
    lx += swatch + 6;
    p.setPen(ink.quiet);
    const qreal text_width = metrics.horizontalAdvance(text);
    p.drawText(QRectF(lx, legend_y - kLegendHeight / 2, text_width + 2, kLegendHeight), Qt::AlignVCenter, text);
    lx += text_width + 18;
  };
  legend(trained, true);
  legend(frozen, false);
}

}  // namespace temper::studio
