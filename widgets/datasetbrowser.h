#pragma once
// The annotation browser of one dataset: a virtualised grid of thumbnails with filters (split,
// a label's value, edited samples, text in the path, samples a run's predictions disagree with),
// the selected sample large with its labels as editors, and the dataset's statistics. Each label
// change is stored at once as a step of the project's label-edit history (store/labeledits.h), so
// undo and redo (Ctrl+Z, Ctrl+Shift+Z) work across sessions; training reads the corrected labels.
// Reads (the sample table, thumbnails, statistics) run off the GUI thread; a label change is
// one small transaction on the browser's own connection.
// GUI thread only.

#include "datasetstatistics.h"
#include "report/predictedlabels.h"
#include "store/datasetstore.h"
#include "store/labeledits.h"

#include <QFutureWatcher>
#include <QSet>
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QTabWidget;
class QUndoStack;

namespace mtl::store {
class Project;
}

namespace mtl::widgets {

class SampleGridModel;
class SamplePanel;
class ThumbnailLoader;

class DatasetBrowser final : public QWidget {
    Q_OBJECT
public:
    // Opens its own connection to `projectPath` for the edits; `readOnly`: the project may
    // not be written here (browsing only, and the panel says why).
    DatasetBrowser(const QString &projectPath, const mtl::store::DatasetInfo &dataset,
                   bool readOnly, QWidget *parent = nullptr);
    ~DatasetBrowser() override;

    bool isLoaded() const { return m_loaded; }
    SampleGridModel *model() const { return m_model; }
    SamplePanel *panel() const { return m_panel; }
    QListView *grid() const { return m_grid; }
    QUndoStack *undoStack() const { return m_undo; }
    QTabWidget *tabs() const { return m_tabs; }
    DatasetStatistics *statistics() const { return m_statistics; }
    // Selects the sample (clearing the filters when it is filtered out); false when unknown.
    bool selectSample(qint64 sampleId);

    // Loads the class and attribute predictions run `runId` recorded (0: none) off the GUI
    // thread; predictionsChanged() follows. The "Model disagrees" filter then compares them with
    // the labels.
    void showPredictionsOf(qint64 runId);
    // Turns the "Model disagrees" filter on or off (on only once predictions are shown), and
    // with `mostConfidentFirst` sorts the most confident disagreements first and selects the
    // first of them.
    void setDisagreesOnly(bool on, bool mostConfidentFirst = false);

    // For the undo commands: the history's steps, done on this browser's connection.
    std::int64_t applyStep(const std::vector<mtl::store::LabelChange> &changes);
    void undoStep();
    void redoStep();

Q_SIGNALS:
    void loaded();
    // A label changed (an edit, an undo, a redo): the dataset list may show the edit count.
    void labelsChanged(qint64 datasetId, qint64 editsInEffect);
    // showPredictionsOf() finished: `error` is empty when the grid has the predictions now.
    void predictionsChanged(qint64 runId, const QString &error);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Loaded {
        mtl::store::SampleTable table;
        std::vector<mtl::store::LabelEdit> history;
        std::vector<mtl::store::RunInfo> runs; // trained on this dataset, newest first
        std::vector<DatasetStatistics::MapClasses> mapClasses; // of the segmentation maps
        QString error;
    };
    struct PredictionsRead {
        qint64 runId = 0;
        std::optional<mtl::report::PredictedLabels> labels;
        QString error;
    };
    void onPredictionsRead();
    // "run 4 predicts: class Sandal (93%) ✗ · …" for the heading; empty without predictions.
    QString predictionText(int tableRow) const;
    void startLoading();
    void onLoaded();
    void restoreHistory(const std::vector<mtl::store::LabelEdit> &history);
    void applyFilter();
    void currentChanged(const QModelIndex &current);
    void labelChangeRequested(qint64 sampleId, int column, std::int32_t value);
    void moveSelection(int delta);
    // After a step changed labels: the grid, the panel and the statistics follow the store.
    void refreshStep(std::int64_t step);
    void updateCount();
    std::vector<std::int32_t> labelsOf(int tableRow) const;
    QString columnText(int column) const;

    QString m_path;
    mtl::store::DatasetInfo m_dataset;
    bool m_readOnly;
    bool m_loaded = false;
    bool m_restoring = false;
    std::unique_ptr<mtl::store::Project> m_project; // for the edits; null when read-only
    std::unique_ptr<mtl::store::LabelEdits> m_edits;
    ThumbnailLoader *m_thumbnails;
    SampleGridModel *m_model;
    QListView *m_grid;
    SamplePanel *m_panel;
    DatasetStatistics *m_statistics;
    QTabWidget *m_tabs;
    QComboBox *m_split, *m_column, *m_value, *m_sort;
    QCheckBox *m_editedOnly, *m_disagrees;
    QComboBox *m_run;
    QLineEdit *m_search;
    QLabel *m_count;
    QUndoStack *m_undo;
    QFutureWatcher<Loaded> m_watcher;
    QFutureWatcher<PredictionsRead> m_predictionWatcher;
    qint64 m_wantedRun = 0; // the run whose predictions were asked for last
    bool m_readingPredictions = false;
};

} // namespace mtl::widgets
