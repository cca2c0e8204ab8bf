#pragma once
// A dataset's statistics for the annotation browser, drawn from its sample table (labels as
// corrected): the positive rate of every binary attribute per split, the class counts of a
// categorical column (or the pixel shares of a segmentation map's classes) per split, how often
// attributes occur together (P(column | row) as a heatmap), and the image sizes. Recomputed after
// every label change (a few milliseconds for 70,000 samples). GUI thread only.

#include "store/datasetstore.h"

#include <QWidget>

#include <map>
#include <string>
#include <vector>

class QComboBox;
class QCustomPlot;

namespace mtl::widgets {

class DatasetStatistics final : public QWidget {
    Q_OBJECT
public:
    explicit DatasetStatistics(QWidget *parent = nullptr);

    // The pixels per class of each segmentation map, by split (the maps' order, then the
    // dataset's splits); set before setData(). The class chooser offers them after the
    // categorical columns, drawn as shares of the labelled pixels.
    struct MapClasses {
        std::string map;
        std::vector<std::string> categories;
        std::map<std::string, std::vector<std::int64_t>> pixels; // split → per class
    };
    void setMapClasses(std::vector<MapClasses> maps) { m_maps = std::move(maps); }
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
    std::vector<MapClasses> m_maps;
    QComboBox *m_classColumn;
    QCustomPlot *m_rates, *m_classes, *m_cooccurrence, *m_sizes;
};

} // namespace mtl::widgets
