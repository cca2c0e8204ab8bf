#pragma once
// A dataset's statistics for the annotation browser, drawn from its sample table (labels as
// corrected): the positive rate of every binary attribute per split, the class counts of a
// categorical column per split, how often attributes occur together (P(column | row) as a
// heatmap), and the image sizes. Recomputed after every label change (a few milliseconds for
// 70,000 samples). GUI thread only.

#include "store/datasetstore.h"

#include <QWidget>

class QComboBox;
class QCustomPlot;

namespace mtl::widgets {

class DatasetStatistics final : public QWidget {
    Q_OBJECT
public:
    explicit DatasetStatistics(QWidget *parent = nullptr);

    void setData(const mtl::store::DatasetInfo &dataset, const mtl::store::SampleTable &table);
    // What the plots show, for tests: positive rate of binary column `column` in `split`.
    double positiveRate(const std::string &split, int column) const;

    QCustomPlot *ratesPlot() const { return m_rates; }
    QCustomPlot *classesPlot() const { return m_classes; }
    QCustomPlot *cooccurrencePlot() const { return m_cooccurrence; }
    QCustomPlot *sizesPlot() const { return m_sizes; }

private:
    void drawRates();
    void drawClasses();
    void drawCooccurrence();
    void drawSizes();

    const mtl::store::DatasetInfo *m_dataset = nullptr;
    const mtl::store::SampleTable *m_table = nullptr;
    std::vector<std::string> m_splits;
    QComboBox *m_classColumn;
    QCustomPlot *m_rates, *m_classes, *m_cooccurrence, *m_sizes;
};

} // namespace mtl::widgets
