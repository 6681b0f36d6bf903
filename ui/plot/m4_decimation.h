#pragma once
/// Reduces a long curve to the points a plot of a given width can show, so drawing costs depend on
/// the width in pixels, not on the number of points: for every pixel column the first, lowest,
/// highest and last point in index order (M4 aggregation, Jugel et al., VLDB 2014). A polyline
/// through those points covers the same pixels as the polyline through all of them.
/// NaN values (gaps) are kept, one per run of them, so the curve still breaks there.
///
/// Finding those points scans every visible point; M4Curve keeps the min and max of each block of
/// kBlock points (kept up to date as points are appended) so that, when a pixel column holds many
/// blocks, whole blocks are taken at once and a cut costs O(points / kBlock + pixels).
#include <qcustomplot.h>

#include <QVector>

namespace temper::studio {

struct M4View {
  double keyLower = 0;  ///< visible key range
  double keyUpper = 1;
  int columns = 0;       ///< its width in pixels
  bool logKeys = false;  ///< columns are even in log(key) (keys must then be > 0)
};

class M4Curve {
 public:
  static constexpr qsizetype kBlock = 16;
  static_assert((kBlock & (kBlock - 1)) == 0, "cut() finds block starts with a mask");

  /// Recomputes the block summaries of `values` from scratch.
  void rebuild(const QVector<double>& values);
  /// Brings the summaries up to date after points were appended to `values`.
  void extend(const QVector<double>& values);

  /// Appends to `out` the points of the curve (keys sorted) that view `v` needs: all of them when
  /// there are at most 4 per pixel column, else the M4 points of those inside the range plus the
  /// nearest point on each side of it (so the line runs to the edge). The same points as
  /// decimateM4: a block is taken whole only when it lies inside one pixel column (and only when
  /// columns span at least 4 blocks, else scanning is as cheap). `values` must be what the
  /// summaries were last built or extended from.
  void cut(const QVector<double>& keys, const QVector<double>& values, const M4View& v,
           QVector<QCPGraphData>* out) const;

 private:
  struct Block {
    qsizetype min = 0;  // index of the lowest value
    qsizetype max = 0;  // index of the highest value
    bool hasNaN = false;
  };
  Block summarize(const QVector<double>& values, qsizetype first) const;

  QVector<Block> blocks_;  // complete blocks only
};

/// M4 without block summaries (every visible point is looked at); the reference M4Curve::cut
/// must agree with, and what tests check against a brute-force column scan.
void decimateM4(const QVector<double>& keys, const QVector<double>& values, const M4View& v,
                QVector<QCPGraphData>* out);

}  // namespace temper::studio
