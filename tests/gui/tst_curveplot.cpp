// CurvePlot: series from arrays, smoothing, legend values, ranges and rendering.

// qcustomplot.h uses the `signals`/`foreach` keywords; this test includes no LibTorch header.
#undef QT_NO_KEYWORDS
#undef QT_NO_FOREACH
#include "curveplot.h"

#include <qcustomplot.h>

#include <QImage>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using mtl::widgets::CurvePlot;

class TestCurvePlot : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void seriesAreCreatedOnFirstPoints();
    void appendsInOrder();
    void clearRemovesEverything();
    void axesFollowTheData();
    void rendersToPng();
};

void TestCurvePlot::seriesAreCreatedOnFirstPoints()
{
    CurvePlot plot;
    QVERIFY(plot.seriesNames().isEmpty());
    plot.addPoints(QStringLiteral("category"), {1, 2, 3}, {2.0, 1.5, 1.0});
    plot.addPoints(QStringLiteral("group"), {1, 2, 3}, {1.0, 0.8, 0.6});
    QCOMPARE(plot.seriesNames(),
             QStringList({QStringLiteral("category"), QStringLiteral("group")}));
    QCOMPARE(plot.pointCount(QStringLiteral("category")), 3);
    QCOMPARE(plot.lastValue(QStringLiteral("group")), 0.6);
    QVERIFY(std::isnan(plot.lastValue(QStringLiteral("missing"))));
    plot.addPoints(QStringLiteral("empty"), {}, {});
    QCOMPARE(plot.seriesNames().size(), 2);
}

void TestCurvePlot::appendsInOrder()
{
    const QString loss = QStringLiteral("loss");
    CurvePlot plot;
    plot.setSmoothing(0.5);
    plot.addPoints(loss, {1, 2}, {4.0, 2.0});
    plot.addPoints(loss, {3}, {1.0});
    QCOMPARE(plot.pointCount(loss), 3);
    QCOMPARE(plot.lastValue(loss), 1.0);

    // The drawn line is the debiased exponential average with weight 0.5 on the newest point:
    // s_i = 0.5 x_i + 0.5 s_(i-1) from s_0 = 0, divided by the weight seen, 1 - 0.5^i.
    //   4 → 2 / 0.5 = 4;  2 → (1 + 1) / 0.75 = 8/3;  1 → (1 + 0.5) / 0.875 = 12/7.
    const QVector<double> expected{4.0, 8.0 / 3.0, 12.0 / 7.0};
    const QVector<double> drawn = plot.drawnValues(loss);
    QCOMPARE(drawn.size(), expected.size());
    for (int i = 0; i < expected.size(); ++i)
        QVERIFY2(std::abs(drawn[i] - expected[i]) < 1e-12,
                 qPrintable(QStringLiteral("point %1: drawn %2, expected %3")
                                .arg(i)
                                .arg(drawn[i], 0, 'g', 17)
                                .arg(expected[i], 0, 'g', 17)));

    // One call with the three points draws the same line as the two calls.
    CurvePlot once;
    once.setSmoothing(0.5);
    once.addPoints(loss, {1, 2, 3}, {4.0, 2.0, 1.0});
    QCOMPARE(once.drawnValues(loss), drawn);
    QCOMPARE(once.pointCount(loss), 3);

    // Without smoothing the drawn line is the points themselves.
    CurvePlot raw;
    raw.addPoints(loss, {1, 2}, {4.0, 2.0});
    raw.addPoints(loss, {3}, {1.0});
    QCOMPARE(raw.drawnValues(loss), QVector<double>({4.0, 2.0, 1.0}));
    QVERIFY(raw.drawnValues(QStringLiteral("missing")).isEmpty());
}

void TestCurvePlot::clearRemovesEverything()
{
    CurvePlot plot;
    plot.addPoints(QStringLiteral("a"), {1}, {1});
    plot.clear();
    QVERIFY(plot.seriesNames().isEmpty());
    QCOMPARE(plot.pointCount(QStringLiteral("a")), 0);
    plot.addPoints(QStringLiteral("b"), {1}, {1});
    QCOMPARE(plot.seriesNames(), QStringList{QStringLiteral("b")});
}

void TestCurvePlot::axesFollowTheData()
{
    CurvePlot plot;
    plot.addPoints(QStringLiteral("a"), {1, 2, 3}, {2.0, 1.0, 0.5});
    plot.addPoints(QStringLiteral("b"), {1, 2, 5}, {4.0, 0.2, 0.3});
    QCOMPARE(plot.plot()->xAxis->range().lower, 1.0);
    QCOMPARE(plot.plot()->xAxis->range().upper, 5.0);
    QCOMPARE(plot.plot()->yAxis->range().lower, 0.0);
    QVERIFY(plot.plot()->yAxis->range().upper >= 4.0);
    // After clear() the axes forget the old points.
    plot.clear();
    plot.addPoints(QStringLiteral("c"), {10, 20}, {0.5, 0.25});
    QCOMPARE(plot.plot()->xAxis->range().lower, 10.0);
    QCOMPARE(plot.plot()->xAxis->range().upper, 20.0);
    QVERIFY(plot.plot()->yAxis->range().upper < 1.0);
}

void TestCurvePlot::rendersToPng()
{
    QTemporaryDir dir;
    CurvePlot plot;
    plot.setTitle(QStringLiteral("Validation accuracy"));
    plot.setValueFormat(CurvePlot::ValueFormat::Percent);
    plot.setMarkers(true);
    plot.setIntegerKeys(true);
    plot.addPoints(QStringLiteral("category"), {1, 2, 3}, {0.76, 0.81, 0.84});
    const QString file = dir.filePath(QStringLiteral("plot.png"));
    QVERIFY(plot.savePng(file, 400, 300));
    const QImage image(file);
    QCOMPARE(image.size(), QSize(400, 300));
    // Something was drawn in the series colour (Tableau blue), not just a white canvas.
    int blue = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            if (image.pixelColor(x, y) == QColor(0x4e, 0x79, 0xa7))
                ++blue;
    QVERIFY2(blue > 50, qPrintable(QString::number(blue)));
}

QTEST_MAIN(TestCurvePlot)
#include "tst_curveplot.moc"
