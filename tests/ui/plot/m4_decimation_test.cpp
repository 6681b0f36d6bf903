// M4 decimation against a brute-force reference: per pixel column, the first, lowest, highest and
// last point of the input must be in the output, the output must be a subsequence of the input,
// and nothing is cut when there are few points.
#include <QtTest>

#include <cmath>
#include <limits>
#include <random>

#include "ui/plot/m4_decimation.h"

using namespace temper::studio;

class M4DecimationTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void keepsEveryColumnsExtremesAndEnds() {
    std::mt19937 rng(7);
    std::normal_distribution<double> noise;
    QVector<double> keys, values;
    for (int i = 0; i < 100000; ++i) {
      keys.append(i + 1);
      values.append(std::exp(-i / 20000.0) + 0.1 * noise(rng));
    }
    for (bool log : {false, true}) {
      const M4View view{1000.5, 90000.5, 300, log};
      QVector<QCPGraphData> out;
      decimateM4(keys, values, view, &out);
      QVERIFY(out.size() <= 4 * 300 + 2);
      // A subsequence of the input (keys are unique, so look each one up).
      for (qsizetype i = 1; i < out.size(); ++i) QVERIFY(out[i].key > out[i - 1].key);
      for (const auto& p : out) QCOMPARE(values[qsizetype(p.key) - 1], p.value);
      // One point beyond each edge, so the line reaches it.
      QCOMPARE(out.first().key, 1000.0);
      QCOMPARE(out.last().key, 90001.0);
      // Brute force: the column of every visible point, and each column's extremes and ends.
      const double lo = log ? std::log(view.keyLower) : view.keyLower;
      const double hi = log ? std::log(view.keyUpper) : view.keyUpper;
      QMap<long, QVector<int>> columns;
      for (int i = 0; i < keys.size(); ++i) {
        if (keys[i] < view.keyLower || keys[i] > view.keyUpper) continue;
        const double k = log ? std::log(keys[i]) : keys[i];
        columns[long(std::floor((k - lo) * view.columns / (hi - lo)))].append(i);
      }
      QSet<double> kept;
      for (const auto& p : out) kept.insert(p.key);
      for (const auto& members : columns) {
        int mn = members.first(), mx = members.first();
        for (int i : members) {
          if (values[i] < values[mn]) mn = i;
          if (values[i] > values[mx]) mx = i;
        }
        for (int i : {members.first(), members.last(), mn, mx}) QVERIFY(kept.contains(keys[i]));
      }
    }
  }

  void blockSummariesKeepTheEnvelope() {
    std::mt19937 rng(11);
    std::normal_distribution<double> noise;
    QVector<double> keys, values;
    M4Curve batched;
    for (int i = 0; i < 400000; ++i) {
      keys.append(i + 1);
      values.append(std::exp(-i / 80000.0) + 0.1 * noise(rng) + (i == 123457 ? 5.0 : 0.0));
      if (i % 1000 == 999) batched.extend(values);  // appended in batches, as a live run does
    }
    batched.extend(values);
    M4Curve whole;
    whole.rebuild(values);
    const M4View view{100.5, 399000.5, 500, false};  // 800 points per column: blocks are used
    QVector<QCPGraphData> a, b;
    whole.cut(keys, values, view, &a);
    batched.cut(keys, values, view, &b);
    QCOMPARE(a.size(), b.size());
    for (qsizetype i = 0; i < a.size(); ++i) QVERIFY(a[i].key == b[i].key && a[i].value == b[i].value);
    QVERIFY(a.size() <= 4 * 500 + 2);
    // Exactly the points of the plain scan (checked against brute force above).
    QVector<QCPGraphData> reference;
    decimateM4(keys, values, view, &reference);
    QCOMPARE(a.size(), reference.size());
    for (qsizetype i = 0; i < a.size(); ++i) QVERIFY(a[i].key == reference[i].key && a[i].value == reference[i].value);
    // The spike is drawn.
    bool spike = false;
    for (const auto& p : a) spike |= p.key == 123458.0;
    QVERIFY(spike);
  }

  void fewPointsPassThroughAndGapsStay() {
    QVector<double> keys{1, 2, 3, 4, 5};
    QVector<double> values{5, 4, std::numeric_limits<double>::quiet_NaN(), 2, 1};
    QVector<QCPGraphData> out;
    decimateM4(keys, values, M4View{0, 10, 2, false}, &out);  // 5 <= 4 * 2: all of them
    QCOMPARE(out.size(), 5);
    QVERIFY(std::isnan(out[2].value));

    QVector<double> many, vals;
    for (int i = 0; i < 1000; ++i) {
      many.append(i);
      vals.append(i >= 400 && i < 450 ? std::numeric_limits<double>::quiet_NaN() : double(i % 7));
    }
    out.clear();
    decimateM4(many, vals, M4View{0, 999, 10, false}, &out);
    int nans = 0;
    for (const auto& p : out) nans += std::isnan(p.value) ? 1 : 0;
    QCOMPARE(nans, 1);  // one NaN per gap breaks the line
    QVERIFY(out.size() <= 4 * 10 + 4 + 1);
  }
};

QTEST_GUILESS_MAIN(M4DecimationTest)
#include "m4_decimation_test.moc"
