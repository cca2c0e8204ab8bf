#pragma once
// A titled line plot of named series over QCustomPlot, fed with numeric arrays. Optional
// exponential smoothing draws the smoothed curve over a faint raw one (for noisy per-step
// losses). Legend entries can carry the latest value ("category  79.3%").

#include <QColor>
#include <QHash>
#include <QString>
#include <QVector>
#include <QWidget>

class QCustomPlot;
class QCPGraph;
class QCPItemText;
class QCPTextElement;

namespace mtl::widgets {

class CurvePlot final : public QWidget {
    Q_OBJECT
public:
    enum class ValueFormat { Plain, Percent };

    explicit CurvePlot(QWidget *parent = nullptr);

    void setTitle(const QString &title);
    void setAxisLabels(const QString &x, const QString &y);
    // Percent shows values in [0, 1] as 0–100 % and fixes the value axis to that range.
    void setValueFormat(ValueFormat format);
    // Weight of the newest point in the running average, in (0, 1]; 0 turns smoothing off.
    void setSmoothing(double alpha);
    // Draws points as markers (for sparse series such as per-epoch validation).
    void setMarkers(bool on);
    // Ticks only at whole keys (epochs).
    void setIntegerKeys(bool on);
    // Shown in the middle while there is no data.
    void setPlaceholderText(const QString &text);

    // Appends points (keys ascending, after the series' last key) to `series`, creating it.
    void addPoints(const QString &series, const QVector<double> &keys,
                   const QVector<double> &values);
    void clear();
    QStringList seriesNames() const;
    int pointCount(const QString &series) const;
    double lastValue(const QString &series) const;
    // The values of the line drawn for `series`, oldest first: the smoothed average when
    // smoothing is on, else the points themselves. Empty for an unknown series.
    QVector<double> drawnValues(const QString &series) const;

    QCustomPlot *plot() const { return m_plot; }
    // Renders the plot to a PNG file of the given size (or the widget's size when 0).
    bool savePng(const QString &fileName, int width = 0, int height = 0);

private:
    struct Series {
        QCPGraph *raw = nullptr;      // every point (faint when smoothed)
        QCPGraph *smoothed = nullptr; // running average, only when smoothing is on
        double accumulator = 0.0, weight = 0.0; // debiased running average
        double average = 0.0;
        double last = 0.0;
        int count = 0;
    };
    Series &series(const QString &name);
    void updateLegendName(const QString &name, const Series &s);
    void rescale();

    QCustomPlot *m_plot;
    QCPTextElement *m_title = nullptr;
    QCPItemText *m_placeholder = nullptr;
    QHash<QString, Series> m_series;
    // Extent of all points added since the last clear().
    struct Bounds {
        double lower = 0, upper = 0;
    };
    bool m_hasBounds = false;
    Bounds m_keyBounds, m_valueBounds;
    QStringList m_order;
    ValueFormat m_format = ValueFormat::Plain;
    double m_smoothing = 0.0;
    bool m_markers = false;
};

// Colours for series i, distinguishable and readable on white (Tableau 10).
QColor seriesColor(int index);

} // namespace mtl::widgets
