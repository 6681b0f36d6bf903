#pragma once
/// One transformer block drawn left to right (input → norm → attention → (+) → norm → MLP → (+) →
/// output), the residual paths arching over each sublayer, and the bottleneck adapter where
/// `adapter-placement` puts it: after attention, after the MLP, both, or beside the MLP (parallel,
/// drawn under it). Painted with the palette so that it follows the studio's theme; the boxes are
/// sized from the font, so translated words fit.
#include <QString>
#include <QWidget>

namespace temper::studio {

class AdapterDiagram : public QWidget {
  Q_OBJECT

 public:
  explicit AdapterDiagram(QWidget* parent = nullptr);

  /// `after-attention`, `after-ffn`, `both` or `parallel`; anything else draws no adapter.
  void setPlacement(const QString& placement);
  QString placement() const { return placement_; }

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override { return sizeHint(); }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  QString placement_;
};

}  // namespace temper::studio
