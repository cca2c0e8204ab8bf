#include "mainwindow.h"

#include "backgroundtask.h"
#include "common/error.h"
#include "curveplot.h"
#include "data/importer.h"
#include "datasettablemodel.h"
#include "runtablemodel.h"
#include "store/project.h"
#include "textconv.h"
#include "train/catalog.h"
#include "trainingcontroller.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QTableView>
#include <QTableWidget>
#include <QToolBar>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace mtl::app {

using namespace mtl::widgets;
using mtl::store::RunStatus;

namespace {

const char *const kRecentKey = "recentProjects";
constexpr int kMaxRecent = 8;
const char *const kDefaultExample = "example:fmnist-hps";
const char *const kProjectFilter = QT_TRANSLATE_NOOP("mtl::app::MainWindow",
                                                      "MTL Studio projects (*.mtlproj)");

QString percent(double value) { return QStringLiteral("%1%").arg(value * 100.0, 0, 'f', 1); }

QTableView *makeTable(QAbstractItemModel *model, QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setAlternatingRowColors(true);
    view->setShowGrid(false);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
    view->horizontalHeader()->setHighlightSections(false);
    view->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    view->horizontalHeader()->setStretchLastSection(true);
    return view;
}

QLabel *makeHeading(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont f = label->font();
    f.setBold(true);
    label->setFont(f);
    return label;
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent),
      m_training(new TrainingController(this)),
      m_import(new BackgroundTask(this)),
      m_datasetModel(new DatasetTableModel(this)),
      m_runModel(new RunTableModel(this))
{
    setWindowTitle(tr("MTL Studio"));
    createActions();
    createMenus();
    createLayout();

    connect(m_training, &TrainingController::started, this, &MainWindow::onStarted);
    connect(m_training, &TrainingController::stepsArrived, this, &MainWindow::onSteps);
    connect(m_training, &TrainingController::evaluating, this, &MainWindow::onEvaluating);
    connect(m_training, &TrainingController::evaluated, this, &MainWindow::onEvaluated);
    connect(m_training, &TrainingController::statusChanged, this,
            [this](qint64 runId, RunStatus status) {
                m_runModel->updateStatus(runId, status);
                if (status == RunStatus::Paused)
                    m_progressText->setText(tr("paused at step %1 of %2 · F6 resumes")
                                                .arg(m_live.info.stepsDone)
                                                .arg(m_live.info.stepsTotal));
                else if (status == RunStatus::Running && m_live.info.stepsDone > 0)
                    statusBar()->showMessage(tr("Resumed"), 4000);
                if (m_displayingLive) {
                    m_live.info.status = status;
                    m_displayedRun.info.status = status;
                    showRunHeader(m_displayedRun);
                }
                updateActions();
            });
    connect(m_training, &TrainingController::finished, this, &MainWindow::onFinished);
    connect(m_training, &TrainingController::failed, this, &MainWindow::onTrainingFailed);
    connect(m_training, &TrainingController::idle, this, &MainWindow::onIdle);

    connect(m_import, &BackgroundTask::progress, this, [this](double fraction, const QString &stage) {
        m_progress->setValue(static_cast<int>(fraction * 1000));
        m_progressText->setText(tr("Importing: %1").arg(stage));
    });
    connect(m_import, &BackgroundTask::finished, this,
            [this](bool ok, const QString &message, bool cancelled) {
                m_progress->setVisible(false);
                m_progressText->clear();
                if (ok)
                    statusBar()->showMessage(message, 15000);
                else if (cancelled)
                    statusBar()->showMessage(tr("Import cancelled; the project is unchanged."),
                                             15000);
                else
                    reportError(tr("Import failed"),
                                tr("%1\n\nThe project is unchanged.").arg(message));
                updateActions();
                refresh();
                Q_EMIT importFinished(ok, message);
            });

    connect(&m_snapshotWatcher, &QFutureWatcher<ProjectSnapshot>::finished, this, [this] {
        const ProjectSnapshot snapshot = m_snapshotWatcher.result();
        if (snapshot.path == m_projectPath) // else the user has opened another project since
            applySnapshot(snapshot);
    });
    connect(&m_resumedWatcher, &QFutureWatcher<RunCurves>::finished, this, [this] {
        // The run's curves as recorded before it continues: read first, so that nothing the
        // resumed run writes can be mistaken for them. Then the trainer starts.
        if (!m_resume)
            return;
        m_resumedCurves = m_resumedWatcher.result();
        mtl::train::TrainerOptions options;
        options.resumeRunId = m_resume->runId;
        const mtl::experiment::ExperimentConfig config = *m_resume->config;
        m_resume.reset();
        m_training->start(m_projectPath, config, options);
        updateActions();
    });
    connect(&m_curvesWatcher, &QFutureWatcher<RunCurves>::finished, this, [this] {
        const RunCurves curves = m_curvesWatcher.result();
        // Dropped when the user has selected another run since, or training took the plots.
        if (curves.runId == selectedRunId() && !m_displayingLive)
            showRun(curves);
    });

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    if (!settings.contains(QStringLiteral("window/geometry")))
        resize(1400, 880);
    rebuildRecentMenu();
    updateActions();
}

MainWindow::~MainWindow()
{
    m_snapshotWatcher.waitForFinished();
    m_curvesWatcher.waitForFinished();
    m_resumedWatcher.waitForFinished();
}

QAction *MainWindow::makeAction(const char *name, const QIcon &icon, const QString &text,
                                const QKeySequence &shortcut, const QString &toolTip)
{
    auto *action = new QAction(icon, text, this);
    action->setObjectName(QLatin1String(name));
    action->setShortcut(shortcut);
    // The shortcut is appended here, so tooltips never disagree with the real binding.
    action->setToolTip(shortcut.isEmpty() ? toolTip
                                          : QStringLiteral("%1 (%2)").arg(
                                                toolTip, shortcut.toString(QKeySequence::NativeText)));
    return action;
}

void MainWindow::createActions()
{
    QStyle *s = style();
    m_newAction = makeAction("newAction", s->standardIcon(QStyle::SP_FileDialogNewFolder),
                             tr("&New Project…"), QKeySequence::New,
                             tr("Create an empty project file (*.mtlproj)"));
    connect(m_newAction, &QAction::triggered, this, &MainWindow::newProject);

    m_openAction = makeAction("openAction", s->standardIcon(QStyle::SP_DialogOpenButton),
                              tr("&Open Project…"), QKeySequence::Open,
                              tr("Open a project file (*.mtlproj)"));
    connect(m_openAction, &QAction::triggered, this, &MainWindow::openProjectDialog);

    m_importAction = makeAction(
        "importAction", s->standardIcon(QStyle::SP_ArrowDown), tr("&Import Fashion-MNIST"),
        QKeySequence(Qt::CTRL | Qt::Key_I),
        tr("Import the 70,000 Fashion-MNIST images of Debian's dataset-fashion-mnist package "
           "with their class, group and visual attribute labels"));
    connect(m_importAction, &QAction::triggered, this, [this] { importFashionMnist(); });

    m_trainAction = makeAction(
        "trainAction", s->standardIcon(QStyle::SP_MediaPlay), tr("&Train"),
        QKeySequence(Qt::Key_F5),
        tr("Train the example experiment fmnist-hps: 10 classes and 3 groups of Fashion-MNIST "
           "with one shared small CNN and a head per task"));
    connect(m_trainAction, &QAction::triggered, this,
            [this] { startTraining(QString::fromLatin1(kDefaultExample)); });

    m_trainFileAction = makeAction(
        "trainFileAction", {}, tr("Train from Config &File…"), QKeySequence(Qt::CTRL | Qt::Key_F5),
        tr("Train an experiment described by a JSON config (keys in docs/CONFIG.md)"));
    connect(m_trainFileAction, &QAction::triggered, this, &MainWindow::trainFromFile);

    m_resumeAction = makeAction(
        "resumeAction", {}, tr("&Resume Selected Run"),
        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R),
        tr("Continue the selected stopped, interrupted or failed run from its latest "
           "checkpoint, as the same run"));
    connect(m_resumeAction, &QAction::triggered, this, [this] { resumeRun(selectedRunId()); });

    m_pauseAction = makeAction("pauseAction", s->standardIcon(QStyle::SP_MediaPause),
                               tr("&Pause"), QKeySequence(Qt::Key_F6),
                               tr("Pause training after the current batch; press again to "
                                  "resume"));
    m_pauseAction->setCheckable(true);
    connect(m_pauseAction, &QAction::toggled, this, [this](bool paused) {
        m_training->setPaused(paused);
        m_pauseAction->setText(paused ? tr("&Resume") : tr("&Pause"));
        m_pauseAction->setIcon(style()->standardIcon(paused ? QStyle::SP_MediaPlay
                                                            : QStyle::SP_MediaPause));
        if (paused)
            statusBar()->showMessage(tr("Pausing after the current batch…"), 4000);
    });

    m_stopAction = makeAction("stopAction", s->standardIcon(QStyle::SP_MediaStop), tr("&Stop"),
                              QKeySequence(Qt::SHIFT | Qt::Key_F5),
                              tr("Stop after the current batch, keeping the model trained so "
                                 "far as the run's checkpoint"));
    connect(m_stopAction, &QAction::triggered, this, [this] {
        if (m_training->isRunning()) {
            m_training->stop();
            statusBar()->showMessage(tr("Stopping after the current batch…"));
        }
        if (m_import->isRunning())
            m_import->cancel();
    });

    // Not QKeySequence::Refresh: that is F5 on Linux, which is Train.
    m_refreshAction = makeAction(
        "refreshAction", s->standardIcon(QStyle::SP_BrowserReload), tr("&Refresh"),
        QKeySequence(Qt::CTRL | Qt::Key_R),
        tr("Re-read the project file (runs started from the command line appear here)"));
    connect(m_refreshAction, &QAction::triggered, this, &MainWindow::refresh);

    m_quitAction = makeAction("quitAction", {}, tr("&Quit"), QKeySequence::Quit, QString());
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_newAction);
    file->addAction(m_openAction);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    file->addAction(m_importAction);
    file->addSeparator();
    file->addAction(m_quitAction);

    QMenu *run = menuBar()->addMenu(tr("&Run"));
    run->addAction(m_trainAction);
    m_examplesMenu = run->addMenu(tr("Train &Example"));
    for (const std::string &name : mtl::experiment::exampleExperiments()) {
        const QString spec = QStringLiteral("example:%1").arg(toQt(name));
        QAction *action = m_examplesMenu->addAction(toQt(name));
        connect(action, &QAction::triggered, this, [this, spec] { startTraining(spec); });
    }
    run->addAction(m_trainFileAction);
    run->addAction(m_resumeAction);
    run->addSeparator();
    run->addAction(m_pauseAction);
    run->addAction(m_stopAction);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_refreshAction);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About MTL Studio"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);

    QToolBar *tools = addToolBar(tr("Main"));
    tools->setObjectName(QStringLiteral("mainToolBar"));
    tools->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    tools->setMovable(false);
    tools->addAction(m_newAction);
    tools->addAction(m_openAction);
    tools->addAction(m_importAction);
    tools->addSeparator();
    tools->addAction(m_trainAction);
    tools->addAction(m_pauseAction);
    tools->addAction(m_stopAction);
    tools->addSeparator();
    tools->addAction(m_refreshAction);
}

void MainWindow::createLayout()
{
    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(8, 8, 4, 8);
    leftLayout->addWidget(makeHeading(tr("Datasets"), left));
    m_datasetView = makeTable(m_datasetModel, left);
    m_datasetView->setObjectName(QStringLiteral("datasetView"));
    m_datasetView->setColumnHidden(DatasetTableModel::Format, true); // in the name's tooltip
    m_datasetView->setMaximumHeight(m_datasetView->verticalHeader()->defaultSectionSize() * 4 +
                                    m_datasetView->horizontalHeader()->sizeHint().height());
    leftLayout->addWidget(m_datasetView);
    m_datasetHint = new QLabel(left);
    m_datasetHint->setWordWrap(true);
    m_datasetHint->setStyleSheet(QStringLiteral("color: palette(mid);"));
    leftLayout->addWidget(m_datasetHint);
    leftLayout->addSpacing(8);
    leftLayout->addWidget(makeHeading(tr("Runs"), left));
    m_runView = makeTable(m_runModel, left);
    m_runView->setObjectName(QStringLiteral("runView"));
    leftLayout->addWidget(m_runView, 2);
    m_attributeHeading = makeHeading(QString(), left);
    leftLayout->addWidget(m_attributeHeading);
    m_attributeTable = new QTableWidget(0, 3, left);
    m_attributeTable->setObjectName(QStringLiteral("attributeTable"));
    m_attributeTable->setHorizontalHeaderLabels({tr("Task"), tr("Attribute"), tr("Accuracy")});
    m_attributeTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_attributeTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_attributeTable->setAlternatingRowColors(true);
    m_attributeTable->setShowGrid(false);
    m_attributeTable->verticalHeader()->hide();
    m_attributeTable->verticalHeader()->setDefaultSectionSize(m_runView->verticalHeader()->defaultSectionSize());
    m_attributeTable->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_attributeTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_attributeTable->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_attributeTable->setToolTip(tr("Accuracy of each binary attribute, worst first"));
    leftLayout->addWidget(m_attributeTable, 3);
    m_attributeHeading->hide();
    m_attributeTable->hide();
    connect(m_runView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::onRunSelected);
    connect(m_runModel, &QAbstractItemModel::modelReset, this, [this] {
        // Re-bind after a reset: the old selection is gone with the rows.
        if (m_selectRunAfterRefresh == 0 && m_runModel->rowCount() > 0)
            m_selectRunAfterRefresh = m_displayedRun.runId;
    });

    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(4, 8, 8, 8);
    m_runTitle = makeHeading(QString(), right);
    QFont titleFont = m_runTitle->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    m_runTitle->setFont(titleFont);
    m_runDetails = new QLabel(right);
    m_runDetails->setWordWrap(true);
    m_runDetails->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_runResult = new QLabel(right);
    m_runResult->setWordWrap(true);
    m_runResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    rightLayout->addWidget(m_runTitle);
    rightLayout->addWidget(m_runDetails);
    rightLayout->addWidget(m_runResult);

    m_lossPlot = new CurvePlot(right);
    m_lossPlot->setObjectName(QStringLiteral("lossPlot"));
    m_lossPlot->setTitle(tr("Training loss per task"));
    m_lossPlot->setAxisLabels(tr("step"), tr("loss"));
    m_lossPlot->setSmoothing(0.1);
    m_accuracyPlot = new CurvePlot(right);
    m_accuracyPlot->setObjectName(QStringLiteral("accuracyPlot"));
    m_accuracyPlot->setTitle(tr("Validation accuracy per task"));
    m_accuracyPlot->setAxisLabels(tr("epoch"), tr("accuracy"));
    m_accuracyPlot->setValueFormat(CurvePlot::ValueFormat::Percent);
    m_accuracyPlot->setMarkers(true);
    m_accuracyPlot->setIntegerKeys(true);
    auto *plots = new QSplitter(Qt::Vertical, right);
    plots->addWidget(m_lossPlot);
    plots->addWidget(m_accuracyPlot);
    plots->setStretchFactor(0, 3);
    plots->setStretchFactor(1, 2);
    rightLayout->addWidget(plots, 1);

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setSizes({600, 800});
    setCentralWidget(split);

    m_progressText = new QLabel(this);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setFixedWidth(260);
    m_progress->setTextVisible(true);
    m_progress->setFormat(QStringLiteral("%p%"));
    m_progress->setVisible(false);
    statusBar()->addPermanentWidget(m_progressText);
    statusBar()->addPermanentWidget(m_progress);

    showRun(RunCurves{});
}

void MainWindow::updateActions()
{
    const bool open = !m_projectPath.isEmpty();
    const bool training = m_training->isRunning() || m_resume.has_value();
    const bool importing = m_import->isRunning();
    const bool busy = training || importing;
    m_newAction->setEnabled(!busy);
    m_openAction->setEnabled(!busy);
    m_recentMenu->setEnabled(!busy && !m_recentMenu->isEmpty());
    m_importAction->setEnabled(open && !busy &&
                               !m_datasetModel->contains(QStringLiteral("fashion-mnist")));
    m_trainAction->setEnabled(open && !busy);
    m_examplesMenu->setEnabled(open && !busy);
    m_trainFileAction->setEnabled(open && !busy);
    const int selectedRow = m_runModel->rowOf(selectedRunId());
    const auto *selected = m_runModel->run(selectedRow);
    m_resumeAction->setEnabled(open && !busy && selected &&
                               mtl::store::isResumable(selected->status));
    m_pauseAction->setEnabled(training);
    if (!training && m_pauseAction->isChecked()) {
        const QSignalBlocker block(m_pauseAction);
        m_pauseAction->setChecked(false);
        m_pauseAction->setText(tr("&Pause"));
        m_pauseAction->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
    }
    m_stopAction->setEnabled(busy);
    m_refreshAction->setEnabled(open);

    if (!open)
        m_datasetHint->setText(tr("Open a project (Ctrl+O) or create one (Ctrl+N)."));
    else if (m_datasetModel->rowCount() == 0)
        m_datasetHint->setText(
            tr("No datasets yet. Import Fashion-MNIST (Ctrl+I), or import your own with "
               "mtlstudio-cli import."));
    else
        m_datasetHint->clear();
    m_datasetHint->setVisible(!m_datasetHint->text().isEmpty());
}

void MainWindow::reportError(const QString &title, const QString &message)
{
    m_lastError = message;
    statusBar()->showMessage(QStringLiteral("%1: %2").arg(title, message.section(QLatin1Char('\n'), 0, 0)),
                             20000);
    if (m_interactive)
        QMessageBox::warning(this, title, message);
}

bool MainWindow::openProject(const QString &path, bool create)
{
    if (m_training->isRunning() || m_import->isRunning()) {
        reportError(tr("Cannot open a project"), tr("Wait for the current job to finish."));
        return false;
    }
    const QString absolute = QFileInfo(path).absoluteFilePath();
    try {
        // Migrates old files and marks runs of killed processes as interrupted; fast, and the
        // one write the GUI thread does.
        mtl::store::Project project(toStd(absolute),
                                    create ? mtl::store::Project::OpenMode::CreateIfMissing
                                           : mtl::store::Project::OpenMode::MustExist);
        const int interrupted = project.reconcileInterruptedRuns();
        if (interrupted > 0)
            statusBar()->showMessage(
                tr("%n run(s) of a process that no longer exists marked interrupted.", nullptr,
                   interrupted),
                10000);
    } catch (const mtl::Error &e) {
        reportError(tr("Cannot open project"), describe(e));
        return false;
    }
    m_projectPath = absolute;
    m_lastError.clear();
    setWindowTitle(tr("%1 — MTL Studio").arg(QFileInfo(absolute).fileName()));
    setWindowFilePath(absolute);
    addRecentProject(absolute);
    m_datasetModel->setDatasets({});
    m_runModel->setRuns({});
    m_selectRunAfterRefresh = -1; // select the newest run once the list is read
    showRun(RunCurves{});
    refresh();
    updateActions();
    return true;
}

void MainWindow::refresh()
{
    if (m_projectPath.isEmpty())
        return;
    const QString path = m_projectPath;
    m_snapshotWatcher.setFuture(QtConcurrent::run([path] { return readProjectSnapshot(path); }));
}

void MainWindow::applySnapshot(const ProjectSnapshot &snapshot)
{
    if (!snapshot.error.isEmpty()) {
        reportError(tr("Cannot read project"), snapshot.error);
        return;
    }
    m_datasetModel->setDatasets(snapshot.datasets);
    // Keep the live run's progress: the file lags behind by up to a second.
    const int liveRow = m_runModel->rowOf(m_live.runId);
    mtl::store::RunInfo live;
    if (m_training->isRunning() && liveRow >= 0)
        live = *m_runModel->run(liveRow);
    m_runModel->setRuns(snapshot.runs);
    if (live.id != 0) {
        m_runModel->updateProgress(live.id, live.stepsDone, live.stepsTotal, live.imagesPerSecond);
        m_runModel->updateStatus(live.id, live.status);
    }
    qint64 select = m_selectRunAfterRefresh;
    m_selectRunAfterRefresh = 0;
    if (select == -1 && !snapshot.runs.empty())
        select = snapshot.runs.front().id;
    const int row = select > 0 ? m_runModel->rowOf(select) : -1;
    if (row >= 0)
        m_runView->selectRow(row);
    else if (m_displayedRun.runId == 0 && !m_displayingLive)
        showRunHeader(m_displayedRun); // "No runs yet" or "No run selected"
    // Outside training, the displayed run's row in the file is the truth (e.g. the reason a
    // run stopped, which the trainer records there).
    const int shown = m_runModel->rowOf(m_displayedRun.runId);
    if (shown >= 0 && !m_training->isRunning()) {
        m_displayedRun.info = *m_runModel->run(shown);
        showRunHeader(m_displayedRun);
    }
    updateActions();
    Q_EMIT projectLoaded(snapshot.path);
}

void MainWindow::addRecentProject(const QString &path)
{
    QSettings settings;
    QStringList recent = settings.value(QLatin1String(kRecentKey)).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue(QLatin1String(kRecentKey), recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(QLatin1String(kRecentKey)).toStringList();
    int n = 0;
    for (const QString &path : recent) {
        if (!QFileInfo::exists(path))
            continue;
        ++n;
        QAction *action = m_recentMenu->addAction(
            QStringLiteral("&%1 %2").arg(n).arg(QFileInfo(path).fileName()));
        action->setToolTip(path);
        action->setStatusTip(path);
        connect(action, &QAction::triggered, this, [this, path] { openProject(path); });
    }
    if (n > 0) {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("Clear List"), this, [this] {
            QSettings().remove(QLatin1String(kRecentKey));
            rebuildRecentMenu();
        });
    }
    m_recentMenu->setEnabled(n > 0);
}

void MainWindow::newProject()
{
    QString path = QFileDialog::getSaveFileName(this, tr("New Project"), QString(),
                                                tr(kProjectFilter));
    if (path.isEmpty())
        return;
    if (!path.endsWith(QLatin1String(".mtlproj")))
        path += QLatin1String(".mtlproj");
    if (QFileInfo::exists(path)) {
        reportError(tr("New Project"),
                    tr("%1 already exists. Open it with File ▸ Open Project.").arg(path));
        return;
    }
    openProject(path, /*create*/ true);
}

void MainWindow::openProjectDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Project"), QString(),
                                                      tr(kProjectFilter));
    if (!path.isEmpty())
        openProject(path);
}

bool MainWindow::importFashionMnist(const QString &dir)
{
    if (m_projectPath.isEmpty() || m_import->isRunning() || m_training->isRunning())
        return false;
    const std::string path = toStd(m_projectPath);
    const std::string source = toStd(dir);
    m_progress->setValue(0);
    m_progress->setVisible(true);
    m_progressText->setText(tr("Importing Fashion-MNIST…"));
    m_import->start(tr("Import Fashion-MNIST"), [path, source](const mtl::ProgressFn &progress) {
        mtl::store::Project project(path);
        const auto importer = mtl::data::makeImporter("fashion-mnist");
        mtl::data::ImportRequest request;
        request.dataset = "fashion-mnist";
        if (!source.empty())
            request.files["dir"] = source;
        const auto summary = importer->run(project, request, progress);
        qint64 samples = 0;
        for (const auto &split : summary.added)
            samples += split.samples;
        return MainWindow::tr("Imported %1 images into '%2' in %3 s.")
            .arg(QLocale().toString(samples), toQt(summary.dataset))
            .arg(summary.seconds, 0, 'f', 1);
    });
    updateActions();
    return true;
}

bool MainWindow::startTraining(const QString &spec, const QStringList &overrides)
{
    if (m_projectPath.isEmpty()) {
        reportError(tr("Cannot train"), tr("Open or create a project first."));
        return false;
    }
    if (m_training->isRunning() || m_import->isRunning() || m_resume) {
        reportError(tr("Cannot train"), tr("Wait for the current job to finish."));
        return false;
    }
    mtl::experiment::ExperimentConfig config;
    try {
        std::vector<std::string> sets;
        for (const QString &o : overrides)
            sets.push_back(toStd(o));
        config = mtl::train::loadExperiment(toStd(spec), sets);
    } catch (const mtl::Error &e) {
        reportError(tr("Bad experiment config"), describe(e));
        return false;
    }
    const QString dataset = toQt(config.dataset);
    if (!m_datasetModel->contains(dataset)) {
        if (dataset == QLatin1String("fashion-mnist") && m_interactive) {
            if (QMessageBox::question(this, tr("Dataset missing"),
                                      tr("This project has no dataset 'fashion-mnist'. Import "
                                         "it from Debian's Fashion-MNIST package now? Press "
                                         "Train again when the import is done.")) ==
                QMessageBox::Yes)
                importFashionMnist();
            return false;
        }
        reportError(tr("Cannot train"),
                    tr("The project has no dataset '%1'. Import it first.").arg(dataset));
        return false;
    }
    beginLiveRun(config);
    m_training->start(m_projectPath, config);
    updateActions();
    return true;
}

void MainWindow::beginLiveRun(const mtl::experiment::ExperimentConfig &config)
{
    m_live = RunCurves{};
    m_live.info.experimentName = config.name;
    m_live.info.datasetName = config.dataset;
    m_live.info.status = RunStatus::Queued;
    for (const auto &task : config.tasks)
        m_live.tasks.push_back(task.name);
    m_displayingLive = true;
    showRun(m_live);
    m_lossPlot->setPlaceholderText(
        tr("Loading %1 and building the model…").arg(toQt(config.dataset)));
    m_progress->setValue(0);
    m_progress->setVisible(true);
    m_progressText->setText(tr("Starting…"));
}

qint64 MainWindow::selectedRunId() const
{
    const QModelIndexList rows = m_runView->selectionModel()->selectedRows();
    return rows.isEmpty() ? 0 : rows.first().data(RunTableModel::RunIdRole).toLongLong();
}

bool MainWindow::resumeRun(qint64 runId)
{
    if (m_projectPath.isEmpty() || runId <= 0) {
        reportError(tr("Cannot resume"), tr("Select a stopped, interrupted or failed run first."));
        return false;
    }
    if (m_training->isRunning() || m_import->isRunning() || m_resume) {
        reportError(tr("Cannot resume"), tr("Wait for the current job to finish."));
        return false;
    }
    mtl::experiment::ExperimentConfig config;
    try {
        config = mtl::train::configForResume(toStd(m_projectPath), runId); // two small reads
    } catch (const mtl::Error &e) {
        reportError(tr("Cannot resume"), describe(e));
        return false;
    }
    beginLiveRun(config);
    m_resume = PendingResume{runId, std::make_shared<mtl::experiment::ExperimentConfig>(config)};
    const QString path = m_projectPath;
    m_resumedWatcher.setFuture(
        QtConcurrent::run([path, runId] { return readRunCurves(path, runId); }));
    updateActions();
    return true;
}

void MainWindow::trainFromFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Train from Config File"), QString(),
                                                      tr("Experiment configs (*.json)"));
    if (!path.isEmpty())
        startTraining(path);
}

void MainWindow::onStarted(const mtl::train::RunStartInfo &info)
{
    m_live.runId = info.runId;
    m_live.info.id = info.runId;
    m_live.info.device = info.device;
    m_live.info.status = RunStatus::Running;
    m_live.info.stepsTotal = info.stepsTotal;
    m_live.tasks = info.tasks;
    m_live.evalSplit = toQt(info.evalSplit);
    m_displayingLive = true;
    m_displayedRun = m_live;
    m_runDetails->setText(tr("%1 · %2 · %3 training / %4 validation images, %n epoch(s) of %5 "
                             "steps; final evaluation on %6",
                             nullptr, info.epochs)
                              .arg(toQt(info.device), toQt(info.model),
                                   QLocale().toString(static_cast<qlonglong>(info.trainSamples)),
                                   QLocale().toString(static_cast<qlonglong>(info.valSamples)))
                              .arg(info.stepsPerEpoch)
                              .arg(toQt(info.evalSplit)) +
                          (info.resumedFromStep > 0
                               ? tr(" · resumed from its checkpoint at step %1")
                                     .arg(info.resumedFromStep)
                               : QString()));
    showRunHeader(m_live);
    m_lossPlot->setPlaceholderText(tr("Waiting for the first step…"));
    m_accuracyPlot->setPlaceholderText(tr("Validation runs at the end of each epoch"));
    m_selectRunAfterRefresh = info.runId;
    refresh();
    if (info.resumedFromStep > 0 && m_resumedCurves.runId == info.runId) {
        // What was recorded up to the checkpoint; the live steps and validations follow it.
        const auto upTo = [](Curve &curve, double lastKey) {
            qsizetype n = 0;
            while (n < curve.keys.size() && curve.keys[n] <= lastKey)
                ++n;
            curve.keys.resize(n);
            curve.values.resize(n);
        };
        for (auto &[task, curve] : m_resumedCurves.trainLoss) {
            upTo(curve, static_cast<double>(info.resumedFromStep));
            m_live.trainLoss[task] = curve;
        }
        for (auto &[task, curve] : m_resumedCurves.valAccuracy) {
            upTo(curve, static_cast<double>(info.resumedFromStep / info.stepsPerEpoch));
            m_live.valAccuracy[task] = curve;
        }
        const QString details = m_runDetails->text();
        m_displayedRun = m_live;
        showRun(m_live);
        m_runDetails->setText(details);
    }
    m_resumedCurves = RunCurves{};
}

void MainWindow::onSteps(const std::vector<mtl::train::StepProgress> &steps)
{
    const auto &last = steps.back();
    // Keep the live run's curves, whatever the plots show.
    std::vector<QVector<double>> keys(m_live.tasks.size()), values(m_live.tasks.size());
    for (const auto &step : steps)
        for (std::size_t t = 0; t < m_live.tasks.size() && t < step.taskLosses.size(); ++t) {
            keys[t].append(static_cast<double>(step.step));
            values[t].append(step.taskLosses[t]);
        }
    for (std::size_t t = 0; t < m_live.tasks.size(); ++t) {
        Curve &curve = m_live.trainLoss[m_live.tasks[t]];
        curve.keys += keys[t];
        curve.values += values[t];
        if (m_displayingLive)
            m_lossPlot->addPoints(toQt(m_live.tasks[t]), keys[t], values[t]);
    }
    m_live.info.stepsDone = last.step;
    m_live.info.imagesPerSecond = last.imagesPerSecond;
    m_runModel->updateProgress(last.runId, last.step, last.stepsTotal, last.imagesPerSecond);

    m_progress->setValue(static_cast<int>(1000 * last.step / std::max<qint64>(1, last.stepsTotal)));
    m_progressText->setText(tr("step %1/%2 · epoch %3/%4 · %5 img/s · ETA %6")
                                .arg(last.step)
                                .arg(last.stepsTotal)
                                .arg(last.epoch)
                                .arg(last.epochs)
                                .arg(QLocale().toString(last.imagesPerSecond, 'f', 0),
                                     formatDuration(last.etaSeconds)));
}

void MainWindow::onEvaluating(qint64, const QString &split, double fraction)
{
    m_progressText->setText(split == QLatin1String("test")
                                ? tr("evaluating on the test split… %1 %").arg(qRound(fraction * 100))
                                : tr("validating… %1 %").arg(qRound(fraction * 100)));
}

void MainWindow::onEvaluated(const mtl::train::EvaluationResult &result)
{
    for (const auto &row : result.rows) {
        if (!row.task.empty() && !row.attribute.empty() && row.name == "accuracy" &&
            (result.split == "test" || m_live.attributeSplit != QLatin1String("test"))) {
            m_live.attributeAccuracy[row.task][row.attribute] = row.value;
            m_live.attributeSplit = toQt(result.split);
            continue;
        }
        if (row.task.empty() || !row.attribute.empty() || row.name != "accuracy")
            continue;
        if (result.split == "val") {
            Curve &curve = m_live.valAccuracy[row.task];
            curve.keys.append(result.epoch);
            curve.values.append(row.value);
            if (m_displayingLive)
                m_accuracyPlot->addPoints(toQt(row.task), {double(result.epoch)}, {row.value});
        } else {
            m_live.finalAccuracy[row.task] = row.value;
            m_live.evalSplit = toQt(result.split);
        }
    }
    if (m_displayingLive) {
        m_displayedRun = m_live;
        showRunHeader(m_live);
    }
}

void MainWindow::onFinished(const mtl::train::RunResult &result)
{
    m_live.info.status = result.status;
    m_live.info.error = result.error;
    m_live.info.imagesPerSecond = result.imagesPerSecond;
    m_runModel->updateStatus(result.runId, result.status, toQt(result.error));
    QStringList accuracy;
    for (const auto &[task, metrics] : result.metrics) {
        const auto it = metrics.find("accuracy");
        if (it != metrics.end())
            accuracy.append(QStringLiteral("%1 %2").arg(toQt(task), percent(it->second)));
    }
    const QString status = RunTableModel::statusText(result.status);
    QString message = tr("Run %1 %2 in %3 (%4 images/s)")
                          .arg(result.runId)
                          .arg(status, formatDuration(result.totalSeconds),
                               QLocale().toString(result.imagesPerSecond, 'f', 0));
    if (!accuracy.isEmpty())
        message += tr(": %1 accuracy %2")
                       .arg(toQt(result.evalSplit), accuracy.join(QStringLiteral(", ")));
    if (result.status == RunStatus::Failed)
        reportError(tr("Training failed"), toQt(result.error));
    else
        statusBar()->showMessage(message, 60000);
    if (m_displayingLive) {
        m_displayedRun = m_live;
        showRunHeader(m_live);
    }
    Q_EMIT runFinished(result.runId, toQt(mtl::store::toString(result.status)));
}

void MainWindow::onTrainingFailed(const QString &message)
{
    m_displayingLive = false;
    showRun(RunCurves{});
    reportError(tr("Cannot start training"), message);
    Q_EMIT runFinished(0, QStringLiteral("failed"));
}

void MainWindow::onIdle()
{
    m_progress->setVisible(false);
    m_progressText->clear();
    m_displayingLive = false;
    updateActions();
    refresh();
    if (m_closeWhenIdle)
        close();
}

void MainWindow::onRunSelected()
{
    const qint64 runId = selectedRunId();
    if (runId == 0)
        return;
    updateActions(); // Resume depends on the selected run's status
    if (runId == m_displayedRun.runId)
        return;
    if (m_training->isRunning() && runId == m_live.runId) {
        m_displayingLive = true;
        showRun(m_live);
        return;
    }
    m_displayingLive = false;
    const QString path = m_projectPath;
    m_curvesWatcher.setFuture(
        QtConcurrent::run([path, runId] { return readRunCurves(path, runId); }));
}

void MainWindow::showRun(const RunCurves &curves)
{
    m_displayedRun = curves;
    m_lossPlot->clear();
    m_accuracyPlot->clear();
    for (const std::string &task : curves.tasks) {
        const auto loss = curves.trainLoss.find(task);
        if (loss != curves.trainLoss.end())
            m_lossPlot->addPoints(toQt(task), loss->second.keys, loss->second.values);
        const auto accuracy = curves.valAccuracy.find(task);
        if (accuracy != curves.valAccuracy.end())
            m_accuracyPlot->addPoints(toQt(task), accuracy->second.keys, accuracy->second.values);
    }
    if (m_projectPath.isEmpty()) {
        m_lossPlot->setPlaceholderText(tr("Open a project (Ctrl+O) or create one (Ctrl+N)"));
        m_accuracyPlot->setPlaceholderText(QString());
    } else if (curves.runId == 0 && curves.tasks.empty()) {
        m_lossPlot->setPlaceholderText(tr("No run selected. Press Train (F5) to train the "
                                          "example experiment."));
        m_accuracyPlot->setPlaceholderText(QString());
    } else {
        m_lossPlot->setPlaceholderText(tr("This run recorded no training steps"));
        m_accuracyPlot->setPlaceholderText(tr("No validation yet"));
    }
    if (curves.runId != 0 || !curves.tasks.empty())
        m_runDetails->setText(QString());
    showRunHeader(curves);
}

void MainWindow::showRunHeader(const RunCurves &curves)
{
    if (curves.runId == 0 && curves.tasks.empty()) {
        const bool noRuns = m_runModel->rowCount() == 0;
        m_runTitle->setText(m_projectPath.isEmpty() ? tr("No project open")
                            : noRuns                ? tr("No runs yet")
                                                    : tr("No run selected"));
        m_runDetails->setText(
            !m_projectPath.isEmpty() && noRuns
                ? tr("Train (F5) runs the example experiment fmnist-hps: one small CNN shared by "
                     "two tasks, the 10 Fashion-MNIST classes and their 3 groups (shoes, for "
                     "women, other), for one epoch. Run ▸ Train Example has more.")
                : QString());
        m_runResult->clear();
        return;
    }
    const auto &info = curves.info;
    m_runTitle->setText(
        curves.runId == 0
            ? tr("New run — %1").arg(toQt(info.experimentName))
            : tr("Run %1 — %2 on %3")
                  .arg(curves.runId)
                  .arg(toQt(info.experimentName), toQt(info.datasetName)));
    if (m_runDetails->text().isEmpty() || !m_displayingLive) {
        QStringList details{RunTableModel::statusText(info.status)};
        if (!info.device.empty())
            details.append(toQt(info.device));
        if (info.stepsTotal > 0)
            details.append(tr("%1 of %2 steps").arg(info.stepsDone).arg(info.stepsTotal));
        if (info.imagesPerSecond > 0)
            details.append(tr("%1 images/s").arg(QLocale().toString(info.imagesPerSecond, 'f', 0)));
        m_runDetails->setText(details.join(QStringLiteral(" · ")));
    }
    QStringList accuracy;
    for (const std::string &task : curves.tasks) {
        const auto it = curves.finalAccuracy.find(task);
        if (it != curves.finalAccuracy.end())
            accuracy.append(QStringLiteral("<b>%1</b> %2").arg(toQt(task).toHtmlEscaped(),
                                                                percent(it->second)));
    }
    const bool resumable = mtl::store::isResumable(info.status);
    const QString resumeHint =
        resumable && !m_training->isRunning()
            ? tr(" — Run ▸ Resume Selected Run (%1) continues it from its checkpoint.")
                  .arg(m_resumeAction->shortcut().toString(QKeySequence::NativeText))
            : QString();
    if (!info.error.empty() && info.status == RunStatus::Stopped)
        // A stop is the user's choice, not an error: its reason reads as a plain note.
        m_runResult->setText(
            QStringLiteral("%1%2").arg(toQt(info.error).toHtmlEscaped(), resumeHint.toHtmlEscaped()));
    else if (!info.error.empty())
        m_runResult->setText(tr("<span style='color:#c62828'>Error: %1</span>%2")
                                 .arg(toQt(info.error).toHtmlEscaped(), resumeHint.toHtmlEscaped()));
    else if (!accuracy.isEmpty())
        m_runResult->setText(tr("Accuracy on %1: %2")
                                 .arg(curves.evalSplit, accuracy.join(QStringLiteral(" · "))));
    else
        m_runResult->clear();
    showAttributes(curves);
}

void MainWindow::showAttributes(const RunCurves &curves)
{
    struct Row {
        std::string task, attribute;
        double accuracy;
    };
    std::vector<Row> rows;
    for (const auto &[task, attributes] : curves.attributeAccuracy)
        for (const auto &[attribute, accuracy] : attributes)
            rows.push_back({task, attribute, accuracy});
    // Errors first: the attributes the model gets wrong most often lead.
    std::sort(rows.begin(), rows.end(),
              [](const Row &a, const Row &b) { return a.accuracy < b.accuracy; });
    m_attributeTable->setSortingEnabled(false);
    m_attributeTable->setRowCount(static_cast<int>(rows.size()));
    for (int i = 0; i < static_cast<int>(rows.size()); ++i) {
        const Row &r = rows[static_cast<std::size_t>(i)];
        m_attributeTable->setItem(i, 0, new QTableWidgetItem(toQt(r.task)));
        m_attributeTable->setItem(i, 1, new QTableWidgetItem(toQt(r.attribute)));
        auto *value = new QTableWidgetItem(percent(r.accuracy));
        value->setData(Qt::UserRole, r.accuracy);
        value->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_attributeTable->setItem(i, 2, value);
    }
    const bool any = !rows.empty();
    m_attributeHeading->setText(curves.attributeSplit == QLatin1String("test")
                                    ? tr("Attributes — accuracy on test, worst first")
                                    : tr("Attributes — latest validation accuracy, worst first"));
    m_attributeHeading->setVisible(any);
    m_attributeTable->setVisible(any);
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About MTL Studio"),
        tr("<h3>MTL Studio %1</h3><p>A workbench for multi-task learning in computer vision: "
           "import image datasets, compose shared and task-specific networks, train in the "
           "background and compare what every run recorded.</p><p>Built with Qt %2, LibTorch "
           "and QCustomPlot.</p>")
            .arg(QStringLiteral(MTL_VERSION), QString::fromLatin1(qVersion())));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_training->isRunning() || m_import->isRunning()) {
        if (m_interactive && !m_closeWhenIdle &&
            QMessageBox::question(this, tr("Quit MTL Studio"),
                                  tr("A job is running. Stop it and quit? A training run keeps "
                                     "the model trained so far.")) != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        m_closeWhenIdle = true;
        m_training->stop();
        m_import->cancel();
        statusBar()->showMessage(tr("Stopping, then quitting…"));
        if (m_import->isRunning()) {
            m_import->waitForFinished();
        }
        if (m_training->isRunning()) {
            event->ignore(); // closes from onIdle()
            return;
        }
    }
    QSettings().setValue(QStringLiteral("window/geometry"), saveGeometry());
    event->accept();
}

} // namespace mtl::app
