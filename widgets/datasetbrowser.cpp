#include "datasetbrowser.h"

#include "datasetstatistics.h"
#include "samplegridmodel.h"
#include "samplepanel.h"
#include "textconv.h"
#include "thumbnailloader.h"

#include "data/statistics.h"
#include "store/project.h"

#include <QtConcurrent/QtConcurrentRun>

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QSplitter>
#include <QTabWidget>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <map>

namespace mtl::widgets {

namespace {

constexpr int kThumbnail = 64;

// One step of the label-edit history. The first redo() applies the changes; later ones redo
// the stored step. Restored steps (from an earlier session) start as applied.
class LabelStepCommand final : public QUndoCommand {
public:
    LabelStepCommand(DatasetBrowser *browser, std::vector<mtl::store::LabelChange> changes,
                     const QString &text)
        : QUndoCommand(text)
        , m_browser(browser)
        , m_changes(std::move(changes))
    {}
    LabelStepCommand(DatasetBrowser *browser, const QString &text)
        : QUndoCommand(text)
        , m_browser(browser)
        , m_applied(true)
    {}
    void redo() override
    {
        if (m_applied) {
            m_browser->redoStep();
            return;
        }
        m_applied = true;
        if (m_browser->applyStep(m_changes) == 0)
            setObsolete(true); // nothing changed: not worth an undo step
    }
    void undo() override { m_browser->undoStep(); }

private:
    DatasetBrowser *m_browser;
    std::vector<mtl::store::LabelChange> m_changes;
    bool m_applied = false;
};

} // namespace

DatasetBrowser::DatasetBrowser(const QString &projectPath, const mtl::store::DatasetInfo &dataset,
                               bool readOnly, QWidget *parent)
    : QWidget(parent, Qt::Window)
    , m_path(projectPath)
    , m_dataset(dataset)
    , m_readOnly(readOnly)
    , m_thumbnails(new ThumbnailLoader(projectPath, dataset, kThumbnail, this))
    , m_model(new SampleGridModel(this))
    , m_grid(new QListView(this))
    , m_panel(new SamplePanel(this))
    , m_statistics(new DatasetStatistics(this))
    , m_tabs(new QTabWidget(this))
    , m_split(new QComboBox(this))
    , m_column(new QComboBox(this))
    , m_value(new QComboBox(this))
    , m_sort(new QComboBox(this))
    , m_editedOnly(new QCheckBox(tr("&Edited only"), this))
    , m_disagrees(new QCheckBox(tr("Model &disagrees"), this))
    , m_run(new QComboBox(this))
    , m_search(new QLineEdit(this))
    , m_count(new QLabel(this))
    , m_undo(new QUndoStack(this))
{
    setWindowTitle(tr("Dataset %1 — annotation review").arg(toQt(dataset.name)));
    setAttribute(Qt::WA_DeleteOnClose);
    resize(1500, 920);
    if (!readOnly) {
        try {
            m_project = std::make_unique<mtl::store::Project>(toStd(projectPath));
            m_edits = std::make_unique<mtl::store::LabelEdits>(m_project->db());
        } catch (const mtl::Error &e) {
            m_readOnly = true;
            m_panel->setEditable(false, tr("Labels cannot be changed: %1").arg(describe(e)));
        }
    } else {
        m_panel->setEditable(false, tr("This project is read-only here: labels can be reviewed, "
                                       "not changed."));
    }

    // Filters.
    auto *filters = new QHBoxLayout;
    const auto labelled = [this, filters](const QString &text, QWidget *field) {
        auto *label = new QLabel(text, this);
        label->setBuddy(field);
        filters->addWidget(label);
        filters->addWidget(field);
    };
    m_split->addItem(tr("All splits"), QString());
    for (const auto &split : dataset.splits)
        m_split->addItem(
            QStringLiteral("%1 (%2)").arg(
                toQt(split.name), QLocale().toString(static_cast<qlonglong>(split.samples))),
            toQt(split.name));
    m_split->setToolTip(tr("Show the samples of one split"));
    labelled(tr("S&plit"), m_split);
    m_column->addItem(tr("Any label"), -1);
    for (std::size_t c = 0; c < dataset.columns.size(); ++c)
        m_column->addItem(toQt(dataset.columns[c].name), static_cast<int>(c));
    m_column->setToolTip(tr("Show the samples with one value of this label column"));
    labelled(tr("&Label"), m_column);
    m_value->setToolTip(tr("The value the samples must have in the chosen column"));
    filters->addWidget(m_value);
    m_editedOnly->setToolTip(tr("Show only samples whose labels were corrected"));
    filters->addWidget(m_editedOnly);
    m_run->addItem(tr("No predictions"), 0);
    m_run->setEnabled(false);
    m_run->setToolTip(tr("A run trained on this dataset whose recorded predictions (the "
                         "predictions probe) the grid compares with the labels"));
    m_run->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    filters->addWidget(m_run);
    m_disagrees->setEnabled(false);
    m_disagrees->setToolTip(tr("Show only samples where the chosen run predicted another label "
                               "than the sample has: the likeliest annotation errors"));
    filters->addWidget(m_disagrees);
    m_search->setPlaceholderText(tr("Path or sample id"));
    m_search->setClearButtonEnabled(true);
    m_search->setToolTip(tr("Show the samples whose path contains this text (or with this id)"));
    labelled(tr("&Find"), m_search);
    m_sort->addItem(tr("Dataset order"), -1);
    for (std::size_t c = 0; c < dataset.columns.size(); ++c)
        m_sort->addItem(tr("By %1").arg(toQt(dataset.columns[c].name)), static_cast<int>(c));
    m_sort->addItem(tr("Most confident disagreement first"), SampleGridModel::kSortByDisagreement);
    m_sort->setToolTip(tr("Order of the grid; with a run's predictions shown, the samples it "
                          "contradicts most confidently can come first (the likeliest label "
                          "errors)"));
    labelled(tr("S&ort"), m_sort);
    filters->addStretch(1);
    auto *undoButton = new QToolButton(this);
    auto *redoButton = new QToolButton(this);
    QAction *undo = m_undo->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction *redo = m_undo->createRedoAction(this, tr("&Redo"));
    redo->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence::Redo});
    addAction(undo);
    addAction(redo);
    undoButton->setDefaultAction(undo);
    redoButton->setDefaultAction(redo);
    undoButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    redoButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    filters->addWidget(undoButton);
    filters->addWidget(redoButton);

    // The grid: uniform cells, laid out in batches, so 70,000 samples scroll smoothly.
    m_grid->setViewMode(QListView::IconMode);
    m_grid->setModel(m_model);
    m_grid->setIconSize(QSize(kThumbnail, kThumbnail));
    m_grid->setGridSize(QSize(kThumbnail + 30, kThumbnail + 30));
    m_grid->setUniformItemSizes(true);
    m_grid->setResizeMode(QListView::Adjust);
    m_grid->setLayoutMode(QListView::Batched);
    m_grid->setBatchSize(500);
    m_grid->setMovement(QListView::Static);
    m_grid->setWordWrap(false);
    m_grid->setTextElideMode(Qt::ElideRight);
    m_grid->setSelectionMode(QAbstractItemView::SingleSelection);
    m_grid->installEventFilter(this);
    m_grid->setToolTip({});

    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_grid, 1);
    leftLayout->addWidget(m_count);
    auto *split = new QSplitter(this);
    split->addWidget(left);
    split->addWidget(m_panel);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    m_tabs->addTab(split, tr("&Samples"));
    m_tabs->addTab(m_statistics, tr("S&tatistics"));

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(m_tabs, 1);
    m_panel->setDataset(dataset);
    m_count->setText(tr("Reading the samples…"));

    connect(m_split, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this] { applyFilter(); });
    connect(m_column, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        const QSignalBlocker block(m_value);
        m_value->clear();
        const int column = m_column->currentData().toInt();
        m_value->setEnabled(column >= 0);
        if (column >= 0) {
            const auto &c = m_dataset.columns[static_cast<std::size_t>(column)];
            const int values = c.kind == mtl::store::ColumnKind::Binary
                                   ? 2
                                   : static_cast<int>(c.categories.size());
            for (int v = 0; v < values; ++v)
                m_value->addItem(m_model->labelText(column, v), v);
            m_value->addItem(tr("(no label)"), -1);
        }
        applyFilter();
    });
    m_value->setEnabled(false);
    connect(m_value, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this] { applyFilter(); });
    connect(m_editedOnly, &QCheckBox::toggled, this, [this] { applyFilter(); });
    connect(m_disagrees, &QCheckBox::toggled, this, [this] { applyFilter(); });
    connect(m_run, qOverload<int>(&QComboBox::activated), this,
            [this] { showPredictionsOf(m_run->currentData().toLongLong()); });
    connect(&m_predictionWatcher, &QFutureWatcher<PredictionsRead>::finished, this,
            &DatasetBrowser::onPredictionsRead);
    connect(m_search, &QLineEdit::textChanged, this, [this] { applyFilter(); });
    connect(m_sort, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        const qint64 current = m_panel->sampleId();
        m_model->setSortColumn(m_sort->currentData().toInt());
        updateCount();
        if (current)
            selectSample(current);
    });
    connect(m_panel, &SamplePanel::labelChangeRequested, this,
            &DatasetBrowser::labelChangeRequested);
    connect(m_panel, &SamplePanel::nextRequested, this, [this] { moveSelection(1); });
    connect(m_panel, &SamplePanel::previousRequested, this, [this] { moveSelection(-1); });
    connect(m_thumbnails, &ThumbnailLoader::imageReady, m_panel, &SamplePanel::setImage);
    connect(m_thumbnails, &ThumbnailLoader::mapsReady, m_panel, &SamplePanel::setMaps);
    connect(&m_watcher, &QFutureWatcher<Loaded>::finished, this, &DatasetBrowser::onLoaded);
    startLoading();
}

DatasetBrowser::~DatasetBrowser()
{
    m_watcher.waitForFinished();
    m_predictionWatcher.waitForFinished();
}

void DatasetBrowser::startLoading()
{
    const std::string path = toStd(m_path);
    const mtl::store::DatasetInfo dataset = m_dataset;
    m_watcher.setFuture(QtConcurrent::run([path, dataset] {
        Loaded loaded;
        try {
            mtl::store::Project project(path, mtl::store::Project::OpenMode::ReadOnly);
            loaded.table = project.datasets().sampleTable(dataset);
            loaded.history = mtl::store::LabelEdits(project.db()).history(dataset.id);
            loaded.runs = mtl::report::runsOfDataset(project, dataset);
            for (const auto &map : dataset.maps) {
                if (map.kind != mtl::store::MapKind::Segmentation)
                    continue;
                DatasetStatistics::MapClasses classes{map.name, map.categories, {}};
                for (const auto &split : dataset.splits)
                    classes.pixels[split.name] =
                        mtl::data::classPixels(project, dataset, split.name, map).counts;
                loaded.mapClasses.push_back(std::move(classes));
            }
        } catch (const mtl::Error &e) {
            loaded.error = describe(e);
        }
        return loaded;
    }));
}

void DatasetBrowser::onLoaded()
{
    Loaded read = m_watcher.result();
    if (!read.error.isEmpty()) {
        m_count->setText(tr("Could not read the samples: %1").arg(read.error));
        return;
    }
    QSet<qint64> edited;
    for (const auto &edit : read.history)
        if (!edit.undone)
            edited.insert(edit.sampleId);
    m_model->setTable(m_dataset, std::move(read.table), edited, m_thumbnails);
    restoreHistory(read.history);
    for (const auto &run : read.runs)
        m_run->addItem(tr("Run %1 · %2 (%3)")
                           .arg(run.id)
                           .arg(toQt(run.experimentName), toQt(mtl::store::toString(run.status))),
                       static_cast<qlonglong>(run.id));
    m_run->setEnabled(!read.runs.empty());
    m_statistics->setMapClasses(std::move(read.mapClasses));
    m_statistics->setData(m_model->dataset(), m_model->table());
    m_loaded = true;
    updateCount();
    if (m_model->rowCount() > 0)
        m_grid->setCurrentIndex(m_model->index(0));
    connect(m_grid->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) { currentChanged(current); });
    currentChanged(m_grid->currentIndex());
    Q_EMIT loaded();
}

void DatasetBrowser::restoreHistory(const std::vector<mtl::store::LabelEdit> &history)
{
    // One command per stored step, oldest first, then the undone ones undone: the stack
    // mirrors the store without touching it.
    std::map<std::int64_t, std::vector<const mtl::store::LabelEdit *>> steps;
    for (const auto &edit : history)
        steps[edit.step].push_back(&edit);
    int done = 0;
    m_restoring = true;
    for (const auto &[step, edits] : steps) {
        const auto &first = *edits.front();
        const QString text =
            edits.size() == 1
                ? tr("Set %1 of sample %2 to %3")
                      .arg(columnText(static_cast<int>(first.columnId)))
                      .arg(first.sampleId)
                      .arg(first.newValue ? QString::number(*first.newValue) : tr("no label"))
                : tr("%n label change(s) (%1)", nullptr, static_cast<int>(edits.size()))
                      .arg(toQt(first.source));
        m_undo->push(new LabelStepCommand(this, text));
        if (!first.undone)
            ++done;
    }
    m_undo->setIndex(done);
    m_restoring = false;
    m_undo->setClean();
}

QString DatasetBrowser::columnText(int columnId) const
{
    for (const auto &column : m_dataset.columns)
        if (column.id == columnId)
            return QStringLiteral("'%1'").arg(toQt(column.name));
    return tr("column %1").arg(columnId);
}

std::vector<std::int32_t> DatasetBrowser::labelsOf(int tableRow) const
{
    std::vector<std::int32_t> labels;
    for (std::size_t c = 0; c < m_dataset.columns.size(); ++c)
        labels.push_back(m_model->label(tableRow, static_cast<int>(c)));
    return labels;
}

void DatasetBrowser::applyFilter()
{
    if (!m_loaded)
        return;
    SampleGridModel::Filter filter;
    filter.split = m_split->currentData().toString();
    filter.column = m_column->currentData().toInt();
    filter.value = filter.column >= 0 && m_value->count() ? m_value->currentData().toInt() : -2;
    filter.editedOnly = m_editedOnly->isChecked();
    filter.disagreesOnly = m_disagrees->isChecked() && m_model->predictions();
    filter.pathText = m_search->text().trimmed();
    const qint64 current = m_panel->sampleId();
    m_model->setFilter(filter);
    updateCount();
    const int row = m_model->rowOfSample(current);
    if (row >= 0)
        m_grid->setCurrentIndex(m_model->index(row));
    else if (m_model->rowCount() > 0)
        m_grid->setCurrentIndex(m_model->index(0));
    else
        currentChanged({});
}

void DatasetBrowser::updateCount()
{
    const QLocale locale;
    QString text =
        tr("%1 of %2 samples · %n label edit(s) in effect", nullptr,
           m_edits ? static_cast<int>(m_edits->editsInEffect(m_dataset.id)) : 0)
            .arg(locale.toString(m_model->rowCount()), locale.toString(m_model->totalSamples()));
    if (const auto &predicted = m_model->predictions())
        text += QStringLiteral(" · ") +
                tr("run %1 predicted %2 %3 samples and disagrees on %4")
                    .arg(predicted->runId)
                    .arg(locale.toString(static_cast<qlonglong>(predicted->samples.size())),
                         toQt(predicted->split), locale.toString(m_model->disagreeingSamples()));
    m_count->setText(text);
}

void DatasetBrowser::showPredictionsOf(qint64 runId)
{
    m_wantedRun = runId;
    if (const int index = m_run->findData(static_cast<qlonglong>(runId)); index >= 0) {
        const QSignalBlocker quiet(m_run);
        m_run->setCurrentIndex(index);
    }
    if (runId == 0) {
        m_model->setPredictions(std::nullopt);
        m_disagrees->setEnabled(false);
        applyFilter();
        Q_EMIT predictionsChanged(0, {});
        return;
    }
    if (m_readingPredictions)
        return; // onPredictionsRead() asks again for the run wanted last
    m_readingPredictions = true;
    const std::string path = toStd(m_path);
    const mtl::store::DatasetInfo dataset = m_dataset;
    m_predictionWatcher.setFuture(QtConcurrent::run([path, dataset, runId] {
        PredictionsRead read;
        read.runId = runId;
        try {
            mtl::store::Project project(path, mtl::store::Project::OpenMode::ReadOnly);
            read.labels = mtl::report::predictedLabels(project, dataset, runId);
        } catch (const mtl::Error &e) {
            read.error = describe(e);
        }
        return read;
    }));
}

void DatasetBrowser::onPredictionsRead()
{
    PredictionsRead read = m_predictionWatcher.result();
    m_readingPredictions = false;
    if (read.runId != m_wantedRun) {
        showPredictionsOf(m_wantedRun);
        return;
    }
    m_model->setPredictions(std::move(read.labels));
    m_model->setSortColumn(m_sort->currentData().toInt());
    m_disagrees->setEnabled(m_model->predictions().has_value());
    if (!m_model->predictions())
        m_disagrees->setChecked(false);
    applyFilter();
    if (!read.error.isEmpty())
        m_count->setText(tr("No predictions to compare: %1").arg(read.error));
    Q_EMIT predictionsChanged(read.runId, read.error);
}

void DatasetBrowser::setDisagreesOnly(bool on, bool mostConfidentFirst)
{
    m_disagrees->setChecked(on && m_disagrees->isEnabled());
    if (!mostConfidentFirst)
        return;
    m_sort->setCurrentIndex(m_sort->findData(SampleGridModel::kSortByDisagreement));
    if (m_model->rowCount() > 0) { // the likeliest error, to review first
        m_grid->setCurrentIndex(m_model->index(0));
        m_grid->scrollToTop();
    }
}

QString DatasetBrowser::predictionText(int tableRow) const
{
    const auto &predicted = m_model->predictions();
    const auto *sample =
        m_model->prediction(m_model->table().rows[static_cast<std::size_t>(tableRow)].sampleId);
    if (!predicted || !sample)
        return {};
    const std::vector<int> wrong = m_model->disagreements(tableRow);
    QStringList parts;
    for (std::size_t k = 0; k < predicted->columns.size(); ++k) {
        const int column = predicted->columns[k];
        if (sample->values[k] < 0)
            continue;
        const bool differs = std::find(wrong.begin(), wrong.end(), column) != wrong.end();
        parts << QStringLiteral("%1 %2 (%3%)%4")
                     .arg(toQt(m_dataset.columns[static_cast<std::size_t>(column)].name),
                          m_model->labelText(column, sample->values[k]))
                     .arg(qRound(100.0 * sample->confidence[k]))
                     .arg(differs ? QStringLiteral(" ✗") : QString());
    }
    return tr("Run %1 predicts: %2").arg(predicted->runId).arg(parts.join(QStringLiteral(" · ")));
}

void DatasetBrowser::currentChanged(const QModelIndex &current)
{
    if (!current.isValid()) {
        m_panel->showSample(0, {}, {}, false);
        return;
    }
    const int r = current.data(SampleGridModel::TableRowRole).toInt();
    const auto &row = m_model->table().rows[static_cast<std::size_t>(r)];
    QString heading =
        tr("Sample %1 · %2 #%3").arg(row.sampleId).arg(toQt(row.split)).arg(row.index);
    if (!row.path.empty())
        heading += QStringLiteral("\n") + toQt(row.path);
    if (const QString predicted = predictionText(r); !predicted.isEmpty())
        heading += QStringLiteral("\n") + predicted;
    m_panel->showSample(row.sampleId, heading, labelsOf(r), m_model->isEdited(row.sampleId));
    m_thumbnails->requestImage(row.sampleId);
}

bool DatasetBrowser::selectSample(qint64 sampleId)
{
    if (m_model->tableRowOfSample(sampleId) < 0)
        return false;
    if (m_model->rowOfSample(sampleId) < 0) {
        const QSignalBlocker a(m_split), b(m_column), c(m_editedOnly), d(m_search), e(m_disagrees);
        m_split->setCurrentIndex(0);
        m_column->setCurrentIndex(0);
        m_value->clear();
        m_editedOnly->setChecked(false);
        m_disagrees->setChecked(false);
        m_search->clear();
        m_model->setFilter({});
        updateCount();
    }
    const QModelIndex index = m_model->index(m_model->rowOfSample(sampleId));
    m_grid->setCurrentIndex(index);
    m_grid->scrollTo(index);
    return true;
}

void DatasetBrowser::moveSelection(int delta)
{
    const int row = m_grid->currentIndex().row() + delta;
    if (row >= 0 && row < m_model->rowCount()) {
        m_grid->setCurrentIndex(m_model->index(row));
        m_grid->scrollTo(m_model->index(row));
    }
}

void DatasetBrowser::labelChangeRequested(qint64 sampleId, int column, std::int32_t value)
{
    if (!m_edits || column < 0 || column >= static_cast<int>(m_dataset.columns.size()))
        return;
    const auto &c = m_dataset.columns[static_cast<std::size_t>(column)];
    std::optional<std::int32_t> to;
    if (value >= 0)
        to = value;
    const QString text = tr("Set '%1' of sample %2 to %3")
                             .arg(toQt(c.name))
                             .arg(sampleId)
                             .arg(m_model->labelText(column, value));
    m_undo->push(new LabelStepCommand(this, {{sampleId, c.id, to}}, text));
}

std::int64_t DatasetBrowser::applyStep(const std::vector<mtl::store::LabelChange> &changes)
{
    if (!m_edits)
        return 0;
    try {
        const std::int64_t step = m_edits->apply(m_dataset.id, changes, "gui");
        refreshStep(step);
        return step;
    } catch (const mtl::Error &e) {
        m_count->setText(tr("The label was not changed: %1").arg(describe(e)));
        return 0;
    }
}

void DatasetBrowser::undoStep()
{
    if (m_restoring || !m_edits)
        return;
    refreshStep(m_edits->undo(m_dataset.id));
}

void DatasetBrowser::redoStep()
{
    if (m_restoring || !m_edits)
        return;
    refreshStep(m_edits->redo(m_dataset.id));
}

void DatasetBrowser::refreshStep(std::int64_t step)
{
    if (step == 0)
        return;
    std::map<std::int64_t, int> columnOf;
    for (std::size_t c = 0; c < m_dataset.columns.size(); ++c)
        columnOf[m_dataset.columns[c].id] = static_cast<int>(c);
    for (const auto &edit : m_edits->step(step)) {
        const auto value = edit.undone ? edit.oldValue : edit.newValue;
        m_model->setLabel(edit.sampleId, columnOf[edit.columnId], value ? *value : -1);
    }
    const auto edited = m_edits->editedSamples(m_dataset.id);
    m_model->setEdited(QSet<qint64>(edited.begin(), edited.end()));
    if (const qint64 current = m_panel->sampleId()) {
        const int r = m_model->tableRowOfSample(current);
        m_panel->setLabels(labelsOf(r), m_model->isEdited(current));
    }
    m_statistics->setData(m_model->dataset(), m_model->table());
    updateCount();
    Q_EMIT labelsChanged(m_dataset.id, m_edits->editsInEffect(m_dataset.id));
}

bool DatasetBrowser::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_grid && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() >= Qt::Key_1 && key->key() <= Qt::Key_9 &&
            key->modifiers() == Qt::NoModifier)
            return m_panel->focusEditor(key->key() - Qt::Key_1);
        if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
            moveSelection(1);
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace mtl::widgets
