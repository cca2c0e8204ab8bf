// qcustomplot.h itself uses the `signals` and `foreach` keywords. This file includes no
// LibTorch header, so it may allow them; everything else builds with QT_NO_KEYWORDS.
#undef QT_NO_KEYWORDS
#undef QT_NO_FOREACH
#include "datasetstatistics.h"

#include "curveplot.h"
#include "textconv.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>

#include <algorithm>
#include <map>

namespace mtl::widgets {

namespace {

using mtl::store::ColumnKind;

QCustomPlot *makePlot(QWidget *parent, const QString &title)
{
    auto *plot = new QCustomPlot(parent);
    plot->setMinimumSize(360, 240);
    plot->plotLayout()->insertRow(0);
    plot->plotLayout()->addElement(
        0, 0, new QCPTextElement(plot, title, QFont(parent->font().family(), -1, QFont::Bold)));
    for (QCPAxis *axis : {plot->xAxis, plot->yAxis}) {
        axis->grid()->setPen(QPen(QColor(0xe4, 0xe4, 0xe4), 0, Qt::SolidLine));
        axis->setBasePen(QPen(QColor(0x80, 0x80, 0x80)));
        axis->setTickPen(QPen(QColor(0x80, 0x80, 0x80)));
        axis->setSubTickPen(QPen(Qt::NoPen));
    }
    plot->legend->setBrush(QColor(255, 255, 255, 220));
    plot->legend->setBorderPen(QPen(QColor(0xc8, 0xc8, 0xc8)));
    return plot;
}

// Category names as ticks at 1, 2, …, rotated when there are many.
void textTicks(QCPAxis *axis, const QStringList &names)
{
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int i = 0; i < names.size(); ++i)
        ticker->addTick(i + 1, names[i]);
    axis->setTicker(ticker);
    // Many names: upright, so the last one does not run off the plot's edge.
    axis->setTickLabelRotation(names.size() > 6 ? 90 : 0);
    axis->setRange(0.3, names.size() + 0.7);
    axis->grid()->setVisible(false);
}

// An empty plot says why instead of showing bare axes; an empty `text` shows the axes again.
void setEmptyText(QCustomPlot *plot, const QString &text)
{
    plot->clearItems();
    for (QCPAxis *axis : {plot->xAxis, plot->yAxis})
        axis->setVisible(text.isEmpty());
    if (text.isEmpty())
        return;
    auto *label = new QCPItemText(plot);
    label->position->setType(QCPItemPosition::ptAxisRectRatio);
    label->position->setCoords(0.5, 0.5);
    label->setText(text);
    label->setColor(QColor(0x70, 0x70, 0x70));
}

} // namespace

DatasetStatistics::DatasetStatistics(QWidget *parent)
    : QWidget(parent)
    , m_classColumn(new QComboBox(this))
{
    auto *layout = new QGridLayout(this);
    m_rates = makePlot(this, tr("Positive rate per attribute"));
    m_classes = makePlot(this, tr("Class counts per split"));
    m_cooccurrence = makePlot(this, tr("Attribute co-occurrence: P(column | row)"));
    m_sizes = makePlot(this, tr("Image sizes (as stored)"));
    auto *classRow = new QHBoxLayout;
    auto *classLabel = new QLabel(tr("&Classes of"), this);
    classLabel->setBuddy(m_classColumn);
    m_classColumn->setToolTip(tr("The categorical column whose class counts are drawn"));
    classRow->addWidget(classLabel);
    classRow->addWidget(m_classColumn, 1);
    auto *classBox = new QVBoxLayout;
    classBox->addLayout(classRow);
    classBox->addWidget(m_classes, 1);
    layout->addWidget(m_rates, 0, 0);
    layout->addLayout(classBox, 0, 1);
    layout->addWidget(m_cooccurrence, 1, 0);
    layout->addWidget(m_sizes, 1, 1);
    layout->setRowStretch(0, 1);
    layout->setRowStretch(1, 1);
    connect(m_classColumn, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this] { drawClasses(); });
}

void DatasetStatistics::setData(const mtl::store::DatasetInfo &dataset,
                                const mtl::store::SampleTable &table)
{
    m_dataset = &dataset;
    m_table = &table;
    m_splits.clear();
    for (const auto &split : dataset.splits)
        m_splits.push_back(split.name);
    const QString chosen = m_classColumn->currentText();
    const QSignalBlocker block(m_classColumn);
    m_classColumn->clear();
    for (std::size_t c = 0; c < dataset.columns.size(); ++c)
        if (dataset.columns[c].kind == ColumnKind::Categorical)
            m_classColumn->addItem(toQt(dataset.columns[c].name), static_cast<int>(c));
    for (std::size_t m = 0; m < m_maps.size(); ++m) // maps: -1, -2, …
        m_classColumn->addItem(tr("%1 (pixels)").arg(toQt(m_maps[m].map)),
                               -1 - static_cast<int>(m));
    if (const int again = m_classColumn->findText(chosen); again >= 0)
        m_classColumn->setCurrentIndex(again);
    m_classColumn->setEnabled(m_classColumn->count() > 1);
    drawRates();
    drawClasses();
    drawCooccurrence();
    drawSizes();
}

double DatasetStatistics::positiveRate(const std::string &split, int column) const
{
    if (!m_table || column < 0 || column >= static_cast<int>(m_table->labels.size()))
        return 0.0;
    const auto &values = m_table->labels[static_cast<std::size_t>(column)];
    std::int64_t positive = 0, labelled = 0;
    for (std::size_t r = 0; r < m_table->rows.size(); ++r) {
        if (m_table->rows[r].split != split || values[r] < 0)
            continue;
        ++labelled;
        positive += values[r] == 1;
    }
    return labelled ? static_cast<double>(positive) / labelled : 0.0;
}

void DatasetStatistics::drawRates()
{
    m_rates->clearPlottables();
    QStringList names;
    std::vector<int> binary;
    for (std::size_t c = 0; c < m_dataset->columns.size(); ++c)
        if (m_dataset->columns[c].kind == ColumnKind::Binary) {
            names << toQt(m_dataset->columns[c].name);
            binary.push_back(static_cast<int>(c));
        }
    setEmptyText(m_rates,
                 binary.empty() ? tr("This dataset has no binary attribute columns.") : QString());
    if (binary.empty()) {
        m_rates->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        m_rates->legend->setVisible(false);
        m_rates->replot();
        return;
    }
    auto *group = new QCPBarsGroup(m_rates);
    const double width = 0.8 / std::max<std::size_t>(1, m_splits.size());
    for (std::size_t s = 0; s < m_splits.size(); ++s) {
        auto *bars = new QCPBars(m_rates->xAxis, m_rates->yAxis);
        bars->setName(toQt(m_splits[s]));
        bars->setWidth(width);
        bars->setBarsGroup(group);
        bars->setPen(Qt::NoPen);
        bars->setBrush(seriesColor(static_cast<int>(s)));
        QVector<double> keys, values;
        for (std::size_t i = 0; i < binary.size(); ++i) {
            keys << static_cast<double>(i + 1);
            values << 100.0 * positiveRate(m_splits[s], binary[i]);
        }
        bars->setData(keys, values, true);
    }
    textTicks(m_rates->xAxis, names);
    m_rates->yAxis->setRange(0, 100);
    m_rates->yAxis->setLabel(tr("% of labelled samples"));
    m_rates->legend->setVisible(m_splits.size() > 1);
    m_rates->replot();
}

void DatasetStatistics::drawClasses()
{
    m_classes->clearPlottables();
    const bool none = m_classColumn->count() == 0 || !m_table;
    setEmptyText(m_classes, none ? tr("This dataset has no categorical columns or segmentation "
                                      "maps.")
                                 : QString());
    if (none) {
        m_classes->legend->setVisible(false);
        m_classes->replot();
        return;
    }
    const int column = m_classColumn->currentData().toInt();
    const MapClasses *map = column < 0 ? &m_maps[static_cast<std::size_t>(-1 - column)] : nullptr;
    const auto &categories =
        map ? map->categories : m_dataset->columns[static_cast<std::size_t>(column)].categories;
    auto *group = new QCPBarsGroup(m_classes);
    double top = 1;
    for (std::size_t s = 0; s < m_splits.size(); ++s) {
        std::vector<double> counts(categories.size(), 0.0);
        if (map) { // % of the split's labelled pixels
            const auto found = map->pixels.find(m_splits[s]);
            if (found == map->pixels.end())
                continue;
            double labelled = 0;
            for (const std::int64_t n : found->second)
                labelled += static_cast<double>(n);
            for (std::size_t k = 0; k < counts.size() && k < found->second.size(); ++k)
                counts[k] =
                    labelled > 0 ? 100.0 * static_cast<double>(found->second[k]) / labelled : 0.0;
        } else {
            const auto &values = m_table->labels[static_cast<std::size_t>(column)];
            for (std::size_t r = 0; r < m_table->rows.size(); ++r)
                if (m_table->rows[r].split == m_splits[s] && values[r] >= 0 &&
                    values[r] < static_cast<std::int32_t>(counts.size()))
                    counts[static_cast<std::size_t>(values[r])] += 1;
        }
        auto *bars = new QCPBars(m_classes->xAxis, m_classes->yAxis);
        bars->setName(toQt(m_splits[s]));
        bars->setWidth(0.8 / std::max<std::size_t>(1, m_splits.size()));
        bars->setBarsGroup(group);
        bars->setPen(Qt::NoPen);
        bars->setBrush(seriesColor(static_cast<int>(s)));
        QVector<double> keys;
        for (std::size_t k = 0; k < counts.size(); ++k)
            keys << static_cast<double>(k + 1);
        bars->setData(keys, QVector<double>(counts.begin(), counts.end()), true);
        top = std::max(top, *std::max_element(counts.begin(), counts.end()));
    }
    textTicks(m_classes->xAxis, toQt(categories));
    m_classes->yAxis->setRange(0, top * 1.45); // room for the legend above the bars
    m_classes->yAxis->setLabel(map ? tr("% of labelled pixels") : tr("samples"));
    m_classes->legend->setVisible(m_splits.size() > 1);
    m_classes->replot();
}

void DatasetStatistics::drawCooccurrence()
{
    m_cooccurrence->clearPlottables();
    std::vector<int> binary;
    QStringList names;
    for (std::size_t c = 0; c < m_dataset->columns.size(); ++c)
        if (m_dataset->columns[c].kind == ColumnKind::Binary) {
            binary.push_back(static_cast<int>(c));
            names << toQt(m_dataset->columns[c].name);
        }
    const int a = static_cast<int>(binary.size());
    setEmptyText(m_cooccurrence, a == 0 ? tr("No binary attribute columns to pair.") : QString());
    if (a == 0) {
        m_cooccurrence->replot();
        return;
    }
    // P(column j | row i) = samples with both / samples with i, over samples labelled in both.
    std::vector<double> both(static_cast<std::size_t>(a * a), 0.0),
        with(static_cast<std::size_t>(a * a), 0.0);
    for (std::size_t r = 0; r < m_table->rows.size(); ++r)
        for (int i = 0; i < a; ++i) {
            if (m_table->labels[static_cast<std::size_t>(binary[i])][r] != 1)
                continue;
            for (int j = 0; j < a; ++j) {
                const std::int32_t v = m_table->labels[static_cast<std::size_t>(binary[j])][r];
                if (v < 0)
                    continue;
                with[static_cast<std::size_t>(i * a + j)] += 1;
                both[static_cast<std::size_t>(i * a + j)] += v == 1;
            }
        }
    auto *map = new QCPColorMap(m_cooccurrence->xAxis, m_cooccurrence->yAxis);
    map->data()->setSize(a, a);
    map->data()->setRange(QCPRange(1, a), QCPRange(1, a));
    for (int i = 0; i < a; ++i)
        for (int j = 0; j < a; ++j) {
            const double n = with[static_cast<std::size_t>(i * a + j)];
            // Row i at the top: rows run downwards as in a table.
            map->data()->setCell(j, a - 1 - i,
                                 n > 0 ? both[static_cast<std::size_t>(i * a + j)] / n : 0.0);
        }
    map->setGradient(QCPColorGradient::gpThermal);
    map->setDataRange(QCPRange(0, 1));
    map->setInterpolate(false);
    textTicks(m_cooccurrence->xAxis, names);
    QStringList reversed;
    for (auto it = names.crbegin(); it != names.crend(); ++it)
        reversed << *it;
    textTicks(m_cooccurrence->yAxis, reversed);
    m_cooccurrence->yAxis->setTickLabelRotation(0);
    if (m_cooccurrence->plotLayout()->columnCount() < 2) {
        auto *scale = new QCPColorScale(m_cooccurrence);
        scale->setDataRange(QCPRange(0, 1));
        scale->setGradient(QCPColorGradient::gpThermal);
        scale->axis()->setLabel(tr("P(column | row)"));
        m_cooccurrence->plotLayout()->addElement(1, 1, scale);
    }
    m_cooccurrence->replot();
}

void DatasetStatistics::drawSizes()
{
    m_sizes->clearPlottables();
    std::map<std::pair<int, int>, double> sizes;
    for (const auto &row : m_table->rows)
        sizes[{row.width, row.height}] += 1;
    // The 24 commonest sizes, smallest first; a sample's tooltip says its own.
    std::vector<std::pair<std::pair<int, int>, double>> common(sizes.begin(), sizes.end());
    std::stable_sort(common.begin(), common.end(),
                     [](const auto &x, const auto &y) { return x.second > y.second; });
    if (common.size() > 24)
        common.resize(24);
    std::sort(common.begin(), common.end());
    QStringList names;
    QVector<double> keys, counts;
    double top = 1;
    for (const auto &[size, count] : common) {
        names << QStringLiteral("%1×%2").arg(size.first).arg(size.second);
        keys << static_cast<double>(keys.size() + 1);
        counts << count;
        top = std::max(top, count);
    }
    setEmptyText(m_sizes, common.empty() ? tr("No samples.") : QString());
    auto *bars = new QCPBars(m_sizes->xAxis, m_sizes->yAxis);
    bars->setPen(Qt::NoPen);
    bars->setBrush(seriesColor(2));
    bars->setData(keys, counts, true);
    textTicks(m_sizes->xAxis, names);
    m_sizes->yAxis->setRange(0, top * 1.08);
    m_sizes->yAxis->setLabel(tr("samples"));
    m_sizes->replot();
}

} // namespace mtl::widgets
