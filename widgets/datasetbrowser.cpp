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
