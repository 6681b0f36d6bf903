#include "ui/plot/m4_decimation.h"

#include <algorithm>
#include <cmath>

namespace temper::studio {
namespace {

// Collects one pixel column's first, min, max and last point and writes them out in index order.
class ColumnBuffer {
 public:
  ColumnBuffer(const QVector<double>& keys, const QVector<double>& values, QVector<QCPGraphData>* out)
      : keys_(keys), values_(values), out_(out) {}

  // Points first..last (in index order) whose lowest is at `min` and highest at `max`, all in `column`.
  void add(qsizetype first, qsizetype last, qsizetype min, qsizetype max, long column) {
    if (!open_ || column != column_) {
      flush();
      open_ = true;
      column_ = column;
      first_ = first;
      last_ = last;
      min_ = min;
      max_ = max;
      return;
    }
    last_ = last;
    if (values_[min] < values_[min_]) min_ = min;
    if (values_[max] > values_[max_]) max_ = max;
  }

  void flush() {
    if (!open_) return;
    qsizetype idx[4] = {first_, min_, max_, last_};
    std::sort(idx, idx + 4);
    qsizetype previous = -1;
    for (qsizetype i : idx) {
      if (i == previous) continue;
      out_->append(QCPGraphData(keys_[i], values_[i]));
      previous = i;
    }
    open_ = false;
  }

 private:
  const QVector<double>& keys_;
  const QVector<double>& values_;
  QVector<QCPGraphData>* out_;
  bool open_ = false;
  long column_ = 0;
  qsizetype first_ = 0, last_ = 0, min_ = 0, max_ = 0;
};

// The shared cut; `blockMinMax(b, &min, &max)` returns false when block b cannot be taken whole.
template <typename BlockLookup>
void cutImpl(const QVector<double>& keys, const QVector<double>& values, const M4View& v, qsizetype blockSize,
             BlockLookup blockMinMax, QVector<QCPGraphData>* out) {
  const qsizetype n = keys.size();
  // The visible slice plus one point on each side.
  const qsizetype inBegin = std::lower_bound(keys.cbegin(), keys.cend(), v.keyLower) - keys.cbegin();
  const qsizetype inEnd = std::upper_bound(keys.cbegin(), keys.cend(), v.keyUpper) - keys.cbegin();
  const qsizetype begin = inBegin > 0 ? inBegin - 1 : inBegin;
  const qsizetype end = inEnd < n ? inEnd + 1 : inEnd;
  const bool logKeys = v.logKeys && v.keyLower > 0 && v.keyUpper > 0;
  const double lo = logKeys ? std::log(v.keyLower) : v.keyLower;
  const double hi = logKeys ? std::log(v.keyUpper) : v.keyUpper;
  if (v.columns <= 0 || !(hi > lo) || end - begin <= 4 * qsizetype(v.columns)) {
    out->reserve(out->size() + (end - begin));
    for (qsizetype i = begin; i < end; ++i) out->append(QCPGraphData(keys[i], values[i]));
    return;
  }
  out->reserve(out->size() + 4 * v.columns + 2);
  if (begin < inBegin) out->append(QCPGraphData(keys[begin], values[begin]));
  const double scale = v.columns / (hi - lo);
  // Only points inside the range get here, so the product is >= 0 and truncation is floor.
  const auto columnOf = [&](qsizetype i) {
    const double k = logKeys ? std::log(keys[i]) : keys[i];
    return static_cast<long>((k - lo) * scale);
  };
  const bool useBlocks = blockSize > 0 && (inEnd - inBegin) >= 2 * blockSize * qsizetype(v.columns);
  ColumnBuffer column(keys, values, out);
  bool inGap = false;
  qsizetype i = inBegin;
  const qsizetype blockMask = blockSize - 1;  // block sizes are powers of two: no division per point
  while (i < inEnd) {
    qsizetype mn = 0, mx = 0;
    if (useBlocks && (i & blockMask) == 0 && i + blockSize <= inEnd) {
      // A block taken whole must lie in one column: then the result is exactly M4's. Blocks across
      // a column boundary (about one per column) are looked at point by point.
      const long c = columnOf(i);
      if (c == columnOf(i + blockSize - 1) && blockMinMax(i / blockSize, &mn, &mx)) {
        inGap = false;
        column.add(i, i + blockSize - 1, mn, mx, c);
        i += blockSize;
        continue;
      }
    }
    if (std::isnan(values[i])) {
      // One NaN per gap is enough for the line to break.
      column.flush();
      if (!inGap) out->append(QCPGraphData(keys[i], values[i]));
      inGap = true;
    } else {
      inGap = false;
      column.add(i, i, i, i, columnOf(i));
    }
    ++i;
  }
  column.flush();
  if (end > inEnd) out->append(QCPGraphData(keys[end - 1], values[end - 1]));
}

}  // namespace

M4Curve::Block M4Curve::summarize(const QVector<double>& values, qsizetype first) const {
  Block b{first, first, false};
  for (qsizetype i = first; i < first + kBlock; ++i) {
    const double v = values[i];
    if (std::isnan(v)) b.hasNaN = true;
    if (v < values[b.min]) b.min = i;
    if (v > values[b.max]) b.max = i;
  }
  // A NaN first value would make every comparison false; such blocks are scanned point by point.
  if (std::isnan(values[first])) b.hasNaN = true;
  return b;
}

void M4Curve::rebuild(const QVector<double>& values) {
  blocks_.clear();
  extend(values);
}

void M4Curve::extend(const QVector<double>& values) {
  const qsizetype complete = values.size() / kBlock;
  if (complete < blocks_.size()) blocks_.resize(complete);  // the curve was cut short
  blocks_.reserve(complete);
  for (qsizetype b = blocks_.size(); b < complete; ++b) blocks_.append(summarize(values, b * kBlock));
}

void M4Curve::cut(const QVector<double>& keys, const QVector<double>& values, const M4View& v,
                  QVector<QCPGraphData>* out) const {
  cutImpl(
      keys, values, v, kBlock,
      [this](qsizetype b, qsizetype* mn, qsizetype* mx) {
        if (b >= blocks_.size() || blocks_[b].hasNaN) return false;
        *mn = blocks_[b].min;
        *mx = blocks_[b].max;
        return true;
      },
      out);
}

void decimateM4(const QVector<double>& keys, const QVector<double>& values, const M4View& v,
                QVector<QCPGraphData>* out) {
  cutImpl(
      keys, values, v, 0, [](qsizetype, qsizetype*, qsizetype*) { return false; }, out);
}

}  // namespace temper::studio
