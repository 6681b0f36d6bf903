#pragma once
/// The method's own measures beside the loss plot: one small plot per group of measures
/// (metric_groups.h), two to a row, over optimizer steps, built as the measures arrive. Training
/// measures (a step's rollouts) are thin lines, validation measures lines with a dot at each
/// evaluation. One run: a colour per measure; several runs (Compare): a colour per run, the
/// measures of a plot told apart by the line's dash. GUI thread only; QCustomPlot stays out of
/// this header.
#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <memory>

#include "ui/plot/metric_sample.h"

class QCustomPlot;

namespace temper::studio {

class MethodMetricsView : public QWidget {
  Q_OBJECT

 public:
  explicit MethodMetricsView(QWidget* parent = nullptr);
  ~MethodMetricsView() override;

  /// Takes the samples named as the store names a method's measures (`train_<name>`,
  /// `val_<name>`; parseMethodMetric), ignores the rest, and schedules one replot. Steps ascend
  /// per run and name; a step that goes back replaces the points from there on (a resume).
  void appendSamples(const QVector<MetricSample>& samples);
  void clear();
  /// The name the legends show for a run when several are overlaid; runs named here take the
  /// colours in the order named (run i: the theme's i-th), whether or not they have measures.
  void setRunLabel(const QString& run, const QString& label);

  bool isEmpty() const;
  /// The plots' titles in the order they are laid out (left to right, top to bottom).
  QStringList groupTitles() const;
  /// The curves drawn, and the names the legends give them.
  int curveCount() const;
  QStringList curveNames() const;
  QCustomPlot* customPlot() const;

 Q_SIGNALS:
  /// The first measure arrived (the view has something to show), or clear() emptied it.
  void emptyChanged(bool empty);

 protected:
  void changeEvent(QEvent* event) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> d_;
};

}  // namespace temper::studio
