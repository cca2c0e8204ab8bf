// qcustomplot.h itself uses the `signals` and `foreach` keywords. This file includes no
// LibTorch header, so it may allow them; everything else builds with QT_NO_KEYWORDS.
#undef QT_NO_KEYWORDS
#undef QT_NO_FOREACH
#include "curveplot.h"

#include <qcustomplot.h>

#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace mtl::widgets {

QColor seriesColor(int index)
{
    static const QRgb palette[] = {0x4e79a7, 0xf28e2b, 0x59a14f, 0xe15759, 0x76b7b2,
                                   0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac};
    return QColor(palette[index % 10]);
}

CurvePlot::CurvePlot(QWidget *parent) : QWidget(parent), m_plot(new QCustomPlot(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    setMinimumSize(320, 200);

    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->legend->setVisible(false);
    m_plot->legend->setBrush(QColor(255, 255, 255, 220));
    m_plot->legend->setBorderPen(QPen(QColor(0xc8, 0xc8, 0xc8)));
    QFont legendFont = font();
    legendFont.setPointSizeF(legendFont.pointSizeF() * 0.95);
    m_plot->legend->setFont(legendFont);
    // The legend sits in its own column right of the axes, top-aligned, so it never hides the
    // newest points (which are at the right edge).
    m_plot->axisRect()->insetLayout()->take(m_plot->legend);
    auto *side = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(0, 1, side);
    side->setMargins(QMargins(0, 6, 8, 6));
    side->addElement(0, 0, m_plot->legend);
    side->addElement(1, 0, new QCPLayoutElement(m_plot)); // takes the space below the legend
    side->setRowStretchFactor(0, 0.001);
    m_plot->plotLayout()->setColumnStretchFactor(1, 0.001);
    for (QCPAxis *axis : {m_plot->xAxis, m_plot->yAxis}) {
        axis->grid()->setPen(QPen(QColor(0xe4, 0xe4, 0xe4), 0, Qt::SolidLine));
        axis->setBasePen(QPen(QColor(0x80, 0x80, 0x80)));
        axis->setTickPen(QPen(QColor(0x80, 0x80, 0x80)));
        axis->setSubTickPen(QPen(QColor(0xa0, 0xa0, 0xa0)));
    }
    m_plot->xAxis->setRange(0, 1);
    m_plot->yAxis->setRange(0, 1);

    m_placeholder = new QCPItemText(m_plot);
    m_placeholder->setPositionAlignment(Qt::AlignCenter);
    m_placeholder->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_placeholder->position->setCoords(0.5, 0.5);
    m_placeholder->setColor(QColor(0x80, 0x80, 0x80));
    m_placeholder->setClipToAxisRect(false);
}

void CurvePlot::setTitle(const QString &title)
{
    if (!m_title) {
        m_plot->plotLayout()->insertRow(0);
        m_title = new QCPTextElement(m_plot, title, QFont(font().family(), -1, QFont::Bold));
        m_plot->plotLayout()->addElement(0, 0, m_title);
    } else {
        m_title->setText(title);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void CurvePlot::setAxisLabels(const QString &x, const QString &y)
{
    m_plot->xAxis->setLabel(x);
    m_plot->yAxis->setLabel(y);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void CurvePlot::setValueFormat(ValueFormat format)
{
    m_format = format;
    if (format == ValueFormat::Percent) {
        QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
        for (int p = 0; p <= 100; p += 10)
            ticker->addTick(p / 100.0, QStringLiteral("%1%").arg(p));
        m_plot->yAxis->setTicker(ticker);
        m_plot->yAxis->setRange(0, 1);
    } else {
        m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
}

void CurvePlot::setSmoothing(double alpha) { m_smoothing = std::clamp(alpha, 0.0, 1.0); }

void CurvePlot::setMarkers(bool on) { m_markers = on; }

void CurvePlot::setIntegerKeys(bool on)
{
    QSharedPointer<QCPAxisTicker> ticker(new QCPAxisTicker);
    if (on) {
        ticker->setTickStepStrategy(QCPAxisTicker::tssReadability);
        ticker->setTickCount(6);
        QSharedPointer<QCPAxisTickerFixed> fixed(new QCPAxisTickerFixed);
        fixed->setTickStep(1.0);
        fixed->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
        ticker = fixed;
    }
    m_plot->xAxis->setTicker(ticker);
    m_plot->xAxis->setNumberPrecision(0);
}

void CurvePlot::setPlaceholderText(const QString &text)
{
    m_placeholder->setText(text);
    m_placeholder->setVisible(m_series.isEmpty() && !text.isEmpty());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

CurvePlot::Series &CurvePlot::series(const QString &name)
{
    auto it = m_series.find(name);
    if (it != m_series.end())
        return *it;
    const QColor color = seriesColor(static_cast<int>(m_order.size()));
    Series s;
    s.raw = m_plot->addGraph();
    s.raw->setAdaptiveSampling(true);
    if (m_smoothing > 0.0) {
        QColor faint = color;
        faint.setAlpha(70);
        s.raw->setPen(QPen(faint, 1));
        s.raw->removeFromLegend();
        s.smoothed = m_plot->addGraph();
        s.smoothed->setPen(QPen(color, 2));
        s.smoothed->setAdaptiveSampling(true);
    } else {
        s.raw->setPen(QPen(color, 2));
    }
    if (m_markers)
        s.raw->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, color, 7));
    m_order.append(name);
    m_plot->legend->setVisible(true);
    m_placeholder->setVisible(false);
    it = m_series.insert(name, s);
    updateLegendName(name, *it);
    return *it;
}

void CurvePlot::updateLegendName(const QString &name, const Series &s)
{
    QCPGraph *graph = s.smoothed ? s.smoothed : s.raw;
    if (s.count == 0) {
        graph->setName(name);
        return;
    }
    const QString value = m_format == ValueFormat::Percent
                              ? QStringLiteral("%1%").arg(s.last * 100.0, 0, 'f', 1)
                              : QString::number(s.smoothed ? s.average : s.last, 'f', 3);
    graph->setName(QStringLiteral("%1  %2").arg(name, value));
}

void CurvePlot::addPoints(const QString &name, const QVector<double> &keys,
                          const QVector<double> &values)
{
    Q_ASSERT(keys.size() == values.size());
    if (keys.isEmpty())
        return;
    Series &s = series(name);
    s.raw->addData(keys, values, /*alreadySorted*/ true);
    const auto [lowest, highest] = std::minmax_element(values.begin(), values.end());
    const auto widen = [this](Bounds &b, double lower, double upper) {
        b = m_hasBounds ? Bounds{std::min(b.lower, lower), std::max(b.upper, upper)}
                        : Bounds{lower, upper};
    };
    widen(m_keyBounds, keys.first(), keys.last());
    widen(m_valueBounds, *lowest, *highest);
    m_hasBounds = true;
    if (s.smoothed) {
        QVector<double> averaged(values.size());
        for (qsizetype i = 0; i < values.size(); ++i) {
            // Debiased exponential average (as TensorBoard's): starts from 0 and divides by
            // the weight seen so far, so early points are plain means and do not lag behind.
            s.accumulator = s.accumulator * (1.0 - m_smoothing) + m_smoothing * values[i];
            s.weight = s.weight * (1.0 - m_smoothing) + m_smoothing;
            ++s.count;
            s.average = s.accumulator / s.weight;
            averaged[i] = s.average;
        }
        s.smoothed->addData(keys, averaged, true);
    } else {
        s.count += static_cast<int>(values.size());
    }
    s.last = values.last();
    updateLegendName(name, s);
    rescale();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void CurvePlot::rescale()
{
    // The bounds grow with each addPoints() (only the new points are looked at), so a redraw
    // does not rescan every point of every series.
    if (!m_hasBounds)
        return;
    const QCPRange keys(m_keyBounds.lower, m_keyBounds.upper);
    const QCPRange values(m_valueBounds.lower, m_valueBounds.upper);
    const double span = keys.upper - keys.lower;
    if (m_markers) // sparse points: keep them off the frame
        m_plot->xAxis->setRange(keys.lower - std::max(0.5, span * 0.05),
                                keys.upper + std::max(0.5, span * 0.05));
    else
        m_plot->xAxis->setRange(keys.lower, span > 0 ? keys.upper : keys.lower + 1);
    if (m_format == ValueFormat::Percent) {
        // Zoom to the data but keep round bounds: 70–90 % rather than 0–100 %.
        const double lower = std::max(0.0, std::floor(values.lower * 10.0 - 0.5) / 10.0);
        const double upper = std::min(1.0, std::ceil(values.upper * 10.0 + 0.5) / 10.0);
        m_plot->yAxis->setRange(lower, std::max(upper, lower + 0.1));
    } else {
        const double lower = std::min(0.0, values.lower);
        m_plot->yAxis->setRange(lower, values.upper > lower ? values.upper * 1.05 : lower + 1);
    }
}

void CurvePlot::clear()
{
    m_plot->clearGraphs();
    m_series.clear();
    m_order.clear();
    m_hasBounds = false;
    m_plot->legend->setVisible(false);
    m_placeholder->setVisible(!m_placeholder->text().isEmpty());
    m_plot->xAxis->setRange(0, 1);
    m_plot->yAxis->setRange(0, 1);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QStringList CurvePlot::seriesNames() const { return m_order; }

int CurvePlot::pointCount(const QString &name) const
{
    const auto it = m_series.constFind(name);
    return it == m_series.constEnd() ? 0 : it->raw->dataCount();
}

double CurvePlot::lastValue(const QString &name) const
{
    const auto it = m_series.constFind(name);
    return it == m_series.constEnd() ? std::nan("") : it->last;
}

QVector<double> CurvePlot::drawnValues(const QString &name) const
{
    QVector<double> values;
    const auto it = m_series.constFind(name);
    if (it == m_series.constEnd())
        return values;
    const QCPGraph *graph = it->smoothed ? it->smoothed : it->raw;
    values.reserve(graph->dataCount());
    for (auto point = graph->data()->constBegin(); point != graph->data()->constEnd(); ++point)
        values.append(point->value);
    return values;
}

bool CurvePlot::savePng(const QString &fileName, int width, int height)
{
    return m_plot->savePng(fileName, width, height);
}

} // namespace mtl::widgets
