#pragma once
// The samples of one dataset for the annotation browser's grid: every sample of the
// SampleTable (read off the GUI thread), filtered by split, by a label column's value, by
// "edited", by text in the path and by "the model disagrees", sorted by dataset order or by a
// column. The decoration is the sample's thumbnail (ThumbnailLoader), the text its first label. GUI
// thread only.

#include "report/predictedlabels.h"
#include "store/datasetstore.h"

#include <QAbstractListModel>
#include <QImage>
#include <QSet>
#include <QString>

#include <optional>
#include <vector>

namespace mtl::widgets {

class ThumbnailLoader;

class SampleGridModel final : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        SampleIdRole = Qt::UserRole + 1, // qint64
        TableRowRole,                    // int: the row in the whole table
        EditedRole,                      // bool: a label edit of this sample is in effect
    };
    struct Filter {
        QString split;   // empty: every split
        int column = -1; // a label column (dataset order), -1: any
        int value = -2;  // with `column`: this value; -1: no label; -2: any
        bool editedOnly = false;
        QString pathText; // a case-insensitive part of the path (or the sample id)
        // Only samples whose predictions (setPredictions) differ from a label they have.
        bool disagreesOnly = false;
        bool operator==(const Filter &o) const
        {
            return split == o.split && column == o.column && value == o.value &&
                   editedOnly == o.editedOnly && pathText == o.pathText &&
                   disagreesOnly == o.disagreesOnly;
        }
    };

    explicit SampleGridModel(QObject *parent = nullptr);

    // The dataset's samples; thumbnails from `loader` (may be null: no decoration).
    void setTable(mtl::store::DatasetInfo dataset, mtl::store::SampleTable table,
                  QSet<qint64> edited, ThumbnailLoader *loader);
    const mtl::store::DatasetInfo &dataset() const { return m_dataset; }
    const mtl::store::SampleTable &table() const { return m_table; }
    int totalSamples() const { return static_cast<int>(m_table.rows.size()); }

    void setFilter(const Filter &filter);
    const Filter &filter() const { return m_filter; }
    // Sorts by a label column's value (ties in dataset order); -1: dataset order;
    // kSortByDisagreement: the samples the predictions contradict most confidently first.
    static constexpr int kSortByDisagreement = -2;
    void setSortColumn(int column, Qt::SortOrder order = Qt::AscendingOrder);
    // How confidently the prediction contradicts a label of the sample (the highest
    // probability among the columns it disagrees on); 0 when it agrees or predicted nothing.
    float disagreementConfidence(int tableRow) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    int tableRow(int row) const { return m_visible.at(static_cast<std::size_t>(row)); }
    // The grid row showing `sampleId`, -1 when filtered out.
    int rowOfSample(qint64 sampleId) const;
    int tableRowOfSample(qint64 sampleId) const;
    std::int32_t label(int tableRow, int column) const;
    bool isEdited(qint64 sampleId) const { return m_edited.contains(sampleId); }
    // After an edit, an undo or a redo: the new value and whether the sample is edited now.
    // The filter is not applied again (a sample being reviewed stays in view).
    void setLabel(qint64 sampleId, int column, std::int32_t value);
    void setEdited(QSet<qint64> edited);
    // A run's predicted labels (report/predictedlabels.h), compared with the labels as they
    // are now; nullopt: none. Applies the filter again.
    void setPredictions(std::optional<mtl::report::PredictedLabels> predictions);
    const std::optional<mtl::report::PredictedLabels> &predictions() const { return m_predictions; }
    // What the model predicted for the sample; null when it predicted nothing for it.
    const mtl::report::PredictedLabels::Sample *prediction(qint64 sampleId) const;
    // The label columns where the prediction differs from the sample's label (labelled ones).
    std::vector<int> disagreements(int tableRow) const;
    // Samples with at least one disagreement, over the whole dataset.
    int disagreeingSamples() const;
    // A label's text: a category's name, "yes"/"no" for a binary column, "—" for none.
    QString labelText(int column, std::int32_t value) const;

private:
    void rebuild();
    void thumbnailReady(qint64 sampleId);

    mtl::store::DatasetInfo m_dataset;
    mtl::store::SampleTable m_table;
    QSet<qint64> m_edited;
    ThumbnailLoader *m_loader = nullptr;
    Filter m_filter;
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    std::vector<int> m_visible;       // table rows in grid order
    std::vector<int> m_rowOfTableRow; // -1: filtered out
    QHash<qint64, int> m_tableRowOfSample;
    std::optional<mtl::report::PredictedLabels> m_predictions;
    mutable QImage m_placeholder;
};

} // namespace mtl::widgets
