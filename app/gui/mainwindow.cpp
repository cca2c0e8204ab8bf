#include "mainwindow.h"

#include "actions.h"
#include "backgroundtask.h"
#include "common/error.h"
#include "datasetpanel.h"
#include "datasettablemodel.h"
#include "experimentqueue.h"
#include "jobstatus.h"
#include "liverun.h"
#include "projectsession.h"
#include "queuepanel.h"
#include "recentprojectsmenu.h"
#include "runlist.h"
#include "runtablemodel.h"
#include "runview.h"
#include "textconv.h"
#include "train/catalog.h"
#include "trainingcontroller.h"
#include "viewhelpers.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTimer>
#include <QTableWidget>
#include <QToolBar>
#include <QVBoxLayout>

namespace mtl::app {

using namespace mtl::widgets;
using mtl::store::RunStatus;

namespace {

const char *const kDefaultExample = "example:fmnist-hps";
const char *const kProjectFilter =
    QT_TRANSLATE_NOOP("mtl::app::MainWindow", "MTL Studio projects (*.mtlproj)");

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_session(new ProjectSession(this))
    , m_training(new TrainingController(this))
    , m_live(new LiveRun(m_training, m_session, this))
    , m_import(new BackgroundTask(this))
    , m_actions(new Actions(this))
    , m_queue(new ExperimentQueue(this))
{
    setWindowTitle(tr("MTL Studio"));
    connectActions();
    createMenus();
    createLayout();
    connectJobs();

    connect(m_session, &ProjectSession::opened, this, &MainWindow::onOpened);
    connect(m_session, &ProjectSession::snapshotRead, this, &MainWindow::applySnapshot);
    connect(m_session, &ProjectSession::curvesRead, this, [this](const RunCurves &curves) {
        // Dropped when the user has selected another run since, or training took the plots.
        if (curves.runId == selectedRunId() && !m_runView->isLive())
            m_runView->showRun(curves, false);
    });

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    if (!settings.contains(QStringLiteral("window/geometry")))
        resize(1400, 880);
    updateActions();
}

MainWindow::~MainWindow() = default;

void MainWindow::connectActions()
{
    const Actions *a = m_actions;
    connect(a->newProject(), &QAction::triggered, this, &MainWindow::newProject);
    connect(a->openProject(), &QAction::triggered, this, &MainWindow::openProjectDialog);
    connect(a->importFashionMnist(), &QAction::triggered, this, [this] { importFashionMnist(); });
    connect(a->importMultiFashion(), &QAction::triggered, this, [this] { importMultiFashion(); });
    connect(a->importFashionScenes(), &QAction::triggered, this, [this] { importFashionScenes(); });
    connect(a->importFiles(), &QAction::triggered, this, &MainWindow::importFilesDialog);
    connect(a->train(), &QAction::triggered, this,
            [this] { startTraining(QString::fromLatin1(kDefaultExample)); });
    connect(a->trainFromFile(), &QAction::triggered, this, &MainWindow::trainFromFile);
    connect(a->resume(), &QAction::triggered, this, [this] { resumeRun(selectedRunId()); });
    connect(a->queueFromFile(), &QAction::triggered, this, &MainWindow::queueFromFile);
    connect(a->runQueue(), &QAction::triggered, this, &MainWindow::runQueue);
    connect(m_queue, &ExperimentQueue::changed, this, &MainWindow::updateActions);
    connect(a->pause(), &QAction::toggled, this, [this](bool paused) {
        m_training->setPaused(paused);
        if (paused)
            statusBar()->showMessage(tr("Pausing after the current batch…"), 4000);
    });
    connect(a->stop(), &QAction::triggered, this, [this] {
        if (m_training->isRunning()) {
            m_training->stop();
            statusBar()->showMessage(tr("Stopping after the current batch…"));
        }
        if (m_import->isRunning())
            m_import->cancel();
    });
    connect(a->stopAfterEpoch(), &QAction::triggered, this, [this] {
        if (!m_training->isRunning())
            return;
        m_training->stopAfterEpoch();
        statusBar()->showMessage(tr("Stopping after this epoch (its validation and checkpoint)…"));
    });
    connect(a->refresh(), &QAction::triggered, this, &MainWindow::refresh);
    connect(a->reviewDataset(), &QAction::triggered, this, [this] { reviewSelectedDataset(); });
    connect(a->quit(), &QAction::triggered, this, &QWidget::close);
}

void MainWindow::createMenus()
{
    m_recentMenu = new RecentProjectsMenu(this);
    connect(m_recentMenu, &RecentProjectsMenu::projectChosen, this,
            [this](const QString &path) { openProject(path); });
    m_actions->addToMenuBar(menuBar(), m_recentMenu);
    connect(m_actions, &Actions::exampleChosen, this,
            [this](const QString &spec) { startTraining(spec); });
    connect(m_actions, &Actions::exampleQueued, this,
            [this](const QString &spec) { enqueue(spec); });
    connect(m_actions->about(), &QAction::triggered, this, &MainWindow::showAbout);
    QToolBar *tools = addToolBar(tr("Main"));
    tools->setObjectName(QStringLiteral("mainToolBar"));
    tools->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    tools->setMovable(false);
    m_actions->addToToolBar(tools);
}

void MainWindow::createLayout()
{
    m_runList = new RunList(this);
    m_runList->setObjectName(QStringLiteral("runView"));
    m_runView = new RunView(m_runList->runs(), m_training, this);
    m_runView->setResumeShortcut(m_actions->resume()->shortcut());

    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(8, 8, 4, 8);
    m_datasets = new DatasetPanel(left);
    leftLayout->addWidget(m_datasets);
    connect(m_datasets->view(), &QAbstractItemView::doubleClicked, this,
            [this] { reviewSelectedDataset(); });
    leftLayout->addSpacing(8);
    leftLayout->addWidget(makeHeading(tr("Runs"), left));
    leftLayout->addWidget(m_runList, 2);
    m_queuePanel = new QueuePanel(m_queue, m_actions->runQueue(), left);
    leftLayout->addWidget(m_queuePanel);
    leftLayout->addWidget(m_runView->attributeHeading());
    leftLayout->addWidget(m_runView->attributeTable(), 3);
    connect(m_runList, &RunList::runSelected, this, &MainWindow::onRunSelected);

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(m_runView);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setSizes({600, 800});
    setCentralWidget(split);

    m_jobStatus = new JobStatus(statusBar());
    m_jobStatus->followImport(m_import);
}

void MainWindow::connectJobs()
{
    // The live run: its points go to the plots while they show it.
    connect(m_live, &LiveRun::started, this, &MainWindow::onStarted);
    connect(m_live, &LiveRun::lossAdded, m_runView, &RunView::addLiveLoss);
    connect(m_live, &LiveRun::validationAdded, m_runView, &RunView::addLiveValidation);
    connect(m_live, &LiveRun::changed, m_runView, &RunView::showLiveHeader);
    connect(m_live, &LiveRun::statusChanged, this, [this](qint64 runId, RunStatus status) {
        runModel()->updateStatus(runId, status);
        if (status == RunStatus::Running && m_live->curves().info.stepsDone > 0)
            statusBar()->showMessage(tr("Resumed"), 4000);
        updateActions();
    });
    connect(m_live, &LiveRun::progressChanged, m_jobStatus, &JobStatus::setProgress);
    connect(m_live, &LiveRun::progressTextChanged, m_jobStatus, &JobStatus::setText);
    connect(m_live, &LiveRun::finished, this, &MainWindow::onFinished);
    connect(m_training, &TrainingController::stepsArrived, this,
            [this](const std::vector<mtl::train::StepProgress> &steps) {
                const auto &last = steps.back();
                runModel()->updateProgress(last.runId, last.step, last.stepsTotal,
                                           last.imagesPerSecond);
            });
    connect(m_training, &TrainingController::failed, this, &MainWindow::onTrainingFailed);
    connect(m_training, &TrainingController::idle, this, &MainWindow::onIdle);

    connect(m_import, &BackgroundTask::finished, this,
            [this](bool ok, const QString &message, bool cancelled) {
                const SkipOffer offer =
                    ok || cancelled ? SkipOffer::NotAsked : offerSkippingBadRows(message);
                if (offer == SkipOffer::Restarted)
                    return;
                m_askingImport.reset();
                if (ok)
                    statusBar()->showMessage(message, 15000);
                else if (cancelled || offer == SkipOffer::Declined)
                    statusBar()->showMessage(tr("Import cancelled; the project is unchanged."),
                                             15000);
                else
                    reportError(tr("Import failed"),
                                tr("%1\n\nThe project is unchanged.").arg(message));
                updateActions();
                refresh();
                Q_EMIT importFinished(ok, message);
                startQueued();
            });
}

bool MainWindow::isBusy() const
{
    return m_training->isRunning() || m_live->isStarting() || m_import->isRunning() ||
           m_session->isOpening();
}

void MainWindow::updateActions()
{
    const bool open = m_session->isOpen();
    const bool training = m_training->isRunning() || m_live->isStarting();
    const bool busy = isBusy();
    const auto *selected = runModel()->run(runModel()->rowOf(selectedRunId()));
    Actions::State state;
    state.projectOpen = open;
    state.readOnly = m_session->isReadOnly();
    state.opening = m_session->isOpening();
    state.training = training;
    state.importing = m_import->isRunning();
    state.canImport = !datasetModel()->contains(QStringLiteral("fashion-mnist"));
    state.canImportMultiFashion = !datasetModel()->contains(QStringLiteral("multi-fashion"));
    state.canImportFashionScenes = !datasetModel()->contains(QStringLiteral("fashion-scenes"));
    state.canResume = selected && mtl::store::isResumable(selected->status);
    state.queueWaiting = !m_queue->isEmpty();
    state.hasDatasets = datasetModel()->rowCount() > 0;
    m_actions->update(state);
    m_queuePanel->setTraining(training);
    m_recentMenu->setEnabled(!busy && !m_recentMenu->isEmpty());
    m_datasets->updateHint(open, m_session->isReadOnly());
}

void MainWindow::reportError(const QString &title, const QString &message)
{
    m_lastError = message;
    statusBar()->showMessage(
        QStringLiteral("%1: %2").arg(title, message.section(QLatin1Char('\n'), 0, 0)), 20000);
    // A queued run's problem stays in the status bar and the run list: no dialog waits for
    // someone while the queue goes on.
    if (m_interactive && !m_runFromQueue)
        QMessageBox::warning(this, title, message);
}

bool MainWindow::openProject(const QString &path, bool create)
{
    if (isBusy()) {
        reportError(tr("Cannot open a project"), tr("Wait for the current job to finish."));
        return false;
    }
    QString error;
    if (!m_session->open(path, create, &error)) {
        reportError(tr("Cannot open project"), error);
        return false;
    }
    statusBar()->showMessage(tr("Opening %1…").arg(QFileInfo(path).fileName()));
    updateActions();
    return true;
}

void MainWindow::onOpened(const ProjectSession::OpenResult &result)
{
    if (!result.error.isEmpty()) {
        reportError(tr("Cannot open project"), result.error);
        updateActions();
        Q_EMIT projectOpenFailed(result.error);
        return;
    }
    statusBar()->clearMessage();
    if (result.interruptedRuns > 0)
        statusBar()->showMessage(
            tr("%n run(s) of a process that no longer exists marked interrupted.", nullptr,
               result.interruptedRuns),
            10000);
    if (result.readOnly)
        statusBar()->showMessage(tr("%1 is read-only here: browse its runs; training and imports "
                                    "are off.")
                                     .arg(QFileInfo(result.path).fileName()),
                                 20000);
    const QString absolute = m_session->path();
    m_lastError.clear();
    setWindowTitle(result.readOnly
                       ? tr("%1 (read-only) — MTL Studio").arg(QFileInfo(absolute).fileName())
                       : tr("%1 — MTL Studio").arg(QFileInfo(absolute).fileName()));
    setWindowFilePath(absolute);
    m_recentMenu->add(absolute);
    datasetModel()->setDatasets({});
    runModel()->setRuns({});
    m_runList->selectAfterReload(-1); // the newest run, once the list is read
    m_runView->setProjectOpen(true);
    m_runView->showRun(RunCurves{}, false);
    refresh();
    updateActions();
}

void MainWindow::refresh()
{
    m_session->refresh();
}

void MainWindow::applySnapshot(const ProjectSnapshot &snapshot)
{
    if (!snapshot.error.isEmpty()) {
        reportError(tr("Cannot read project"), snapshot.error);
        return;
    }
    datasetModel()->setDatasets(snapshot.datasets);
    const qint64 live = m_training->isRunning() ? m_live->runId() : 0;
    if (!m_runList->setRuns(snapshot.runs, live, m_runView->displayedRunId()) &&
        m_runView->displayedRunId() == 0 && !m_runView->isLive())
        m_runView->refreshHeader(); // "No runs yet" or "No run selected"
    // Outside training, the displayed run's row in the file is the truth (e.g. the reason a
    // run stopped, which the trainer records there).
    const int shown = runModel()->rowOf(m_runView->displayedRunId());
    if (shown >= 0 && !m_training->isRunning()) {
        RunCurves displayed = m_runView->displayed();
        displayed.info = *runModel()->run(shown);
        m_runView->showHeader(displayed);
    }
    updateActions();
    Q_EMIT projectLoaded(snapshot.path);
    if (m_interactive)
        QTimer::singleShot(0, this, &MainWindow::askForMovedFolders);
}

void MainWindow::newProject()
{
    QString path =
        QFileDialog::getSaveFileName(this, tr("New Project"), QString(), tr(kProjectFilter));
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
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open Project"), QString(), tr(kProjectFilter));
    if (!path.isEmpty())
        openProject(path);
}

bool MainWindow::readConfig(const QString &spec, const QStringList &overrides,
                            mtl::experiment::ExperimentConfig &config)
{
    try {
        std::vector<std::string> sets;
        for (const QString &o : overrides)
            sets.push_back(toStd(o));
        config = mtl::train::loadExperiment(toStd(spec), sets);
        return true;
    } catch (const mtl::Error &e) {
        reportError(tr("Bad experiment config"), describe(e));
        return false;
    }
}

bool MainWindow::startTraining(const QString &spec, const QStringList &overrides)
{
    if (!m_session->isOpen()) {
        reportError(tr("Cannot train"), tr("Open or create a project first."));
        return false;
    }
    if (m_session->isReadOnly()) {
        reportError(tr("Cannot train"),
                    tr("%1 is read-only here (the file or its folder may not be written): its "
                       "runs can be browsed, but a run cannot be recorded in it.")
                        .arg(m_session->path()));
        return false;
    }
    if (isBusy()) {
        reportError(tr("Cannot train"), tr("Wait for the current job to finish."));
        return false;
    }
    mtl::experiment::ExperimentConfig config;
    if (!readConfig(spec, overrides, config))
        return false;
    const QString dataset = toQt(config.dataset);
    if (!datasetModel()->contains(dataset)) {
        // A queued run never waits for an answer.
        if (!m_interactive || m_runFromQueue || !offerImport(dataset))
            reportError(tr("Cannot train"),
                        tr("The project has no dataset '%1'. Import it first.").arg(dataset));
        return false;
    }
    m_live->start(config);
    showLiveRunStarting(config);
    updateActions();
    return true;
}

void MainWindow::showLiveRunStarting(const mtl::experiment::ExperimentConfig &config)
{
    m_runView->showRun(m_live->curves(), /*live*/ true);
    m_runView->showLoading(toQt(config.dataset));
    m_jobStatus->begin(tr("Starting…"));
}

bool MainWindow::resumeRun(qint64 runId)
{
    if (!m_session->isOpen() || runId <= 0) {
        reportError(tr("Cannot resume"), tr("Select a stopped, interrupted or failed run first."));
        return false;
    }
    if (isBusy()) {
        reportError(tr("Cannot resume"), tr("Wait for the current job to finish."));
        return false;
    }
    mtl::experiment::ExperimentConfig config;
    try {
        config = mtl::train::configForResume(toStd(m_session->path()), runId); // two small reads
    } catch (const mtl::Error &e) {
        reportError(tr("Cannot resume"), describe(e));
        return false;
    }
    m_live->resume(runId, config);
    showLiveRunStarting(config);
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

void MainWindow::onStarted(const mtl::train::RunStartInfo &info, bool withRecorded)
{
    m_runView->showStarted(m_live->curves(), m_live->startDetails(), withRecorded);
    m_runList->selectAfterReload(info.runId);
    QStringList warnings;
    for (const std::string &warning : info.warnings)
        warnings << toQt(warning);
    // What the tasks learnt from the data (balanced weights, labels missing), as the CLI prints
    // under its header; a warning goes first.
    QStringList notes;
    for (const std::string &note : info.taskNotes)
        notes << toQt(note);
    if (!warnings.isEmpty())
        statusBar()->showMessage(tr("Warning: %1").arg(warnings.join(QStringLiteral("; "))), 30000);
    else if (!notes.isEmpty())
        statusBar()->showMessage(notes.join(QStringLiteral("; ")), 30000);
    refresh();
}

void MainWindow::onFinished(const mtl::train::RunResult &result)
{
    runModel()->updateStatus(result.runId, result.status, toQt(result.error));
    if (result.status == RunStatus::Stopped && !m_queue->isEmpty())
        m_queue->setHalted(true); // the user stopped: the next waits for Run Queue
    if (result.status == RunStatus::Failed)
        reportError(tr("Training failed"), toQt(result.error));
    else
        statusBar()->showMessage(LiveRun::summary(result), 60000);
    Q_EMIT runFinished(result.runId, toQt(mtl::store::toString(result.status)));
}

void MainWindow::onTrainingFailed(const QString &message)
{
    m_runView->showRun(RunCurves{}, false);
    reportError(tr("Cannot start training"), message);
    Q_EMIT runFinished(0, QStringLiteral("failed"));
}

void MainWindow::onIdle()
{
    m_jobStatus->end();
    m_runView->setLive(false);
    updateActions();
    refresh();
    m_runFromQueue = false;
    if (m_closeWhenIdle) {
        close();
        return;
    }
    startQueued();
}

void MainWindow::onRunSelected()
{
    const qint64 runId = selectedRunId();
    if (runId == 0)
        return;
    updateActions(); // Resume depends on the selected run's status
    if (runId == m_runView->displayedRunId())
        return;
    if (m_training->isRunning() && runId == m_live->runId()) {
        m_runView->showRun(m_live->curves(), true);
        return;
    }
    m_runView->setLive(false);
    m_session->readCurves(runId);
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
        if (m_import->isRunning())
            m_import->waitForFinished();
        if (m_training->isRunning()) {
            event->ignore(); // closes from onIdle()
            return;
        }
    }
    QSettings().setValue(QStringLiteral("window/geometry"), saveGeometry());
    event->accept();
}

} // namespace mtl::app
