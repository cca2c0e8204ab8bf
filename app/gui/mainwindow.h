#pragma once
// The workbench's main window: a project's datasets and runs on the left, the displayed run's
// live or recorded curves on the right, progress with ETA and pause/resume/stop below. It is
// the wiring between the parts in widgets/: the project session (reads off the GUI thread),
// the live run (TrainingController's reports), the run view, the dataset panel, the job
// status, the recent projects menu and the actions. Imports run in a BackgroundTask.
// GUI thread only.

#include "data/importer.h"
#include "datasetpanel.h"
#include "projectsession.h"
#include "runlist.h"
#include "runview.h"

#include <QMainWindow>
#include <QPointer>
#include <QStringList>

#include <map>
#include <optional>
#include <set>

namespace mtl::experiment {
struct ExperimentConfig;
}
namespace mtl::train {
struct RunResult;
struct RunStartInfo;
} // namespace mtl::train

namespace mtl::widgets {
class Actions;
class DatasetBrowser;
class BackgroundTask;
class CurvePlot;
class DatasetTableModel;
class ExperimentQueue;
class JobStatus;
class LiveRun;
class QueuePanel;
class RecentProjectsMenu;
class RunTableModel;
class TrainingController;
} // namespace mtl::widgets

namespace mtl::app {

class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Opens (or with `create`, creates) a project; false with lastError() set on failure.
    bool openProject(const QString &path, bool create = false);
    // Starts an experiment: a config file or "example:NAME"; false with lastError() set.
    bool startTraining(const QString &spec, const QStringList &overrides = {});
    qint64 selectedRunId() const { return m_runList->selectedRunId(); }
    // Continues a stopped, interrupted or failed run from its latest checkpoint; false with
    // lastError() set when it cannot (the run's own config is used).
    bool resumeRun(qint64 runId);
    // Adds an experiment to the queue: it trains when nothing else does, after the ones before
    // it. A failed run does not stop the queue; a stopped one pauses it (runQueue() goes on).
    // False with lastError() set when the config cannot be read or names a missing dataset.
    bool enqueue(const QString &spec, const QStringList &overrides = {});
    // Starts the first waiting experiment that can start (un-pauses the queue).
    void runQueue();
    widgets::ExperimentQueue *queue() const { return m_queue; }
    // Imports Debian's Fashion-MNIST (or `dir`) into the open project, in the background.
    bool importFashionMnist(const QString &dir = {});
    // MultiFashion (seed 0, every Fashion-MNIST image) into dataset "multi-fashion".
    bool importMultiFashion(const QString &dir = {});
    // Fashion scenes (seed 0, 10,000 + 2,000 scenes) into dataset "fashion-scenes".
    bool importFashionScenes(const QString &dir = {});
    // Dataset files (widgets::ImportDialog's formats) in the background. With `askOnError`
    // the import runs with on-error fail and, when a row or file has a problem, asks whether
    // to import the rest (on-error skip) instead of reporting the error.
    bool importFiles(const QString &format, const mtl::data::ImportRequest &request,
                     bool askOnError = false);

    // Opens the annotation browser of dataset `name` (a window of its own; one per dataset:
    // asking again raises it). Null with lastError() set when there is no such dataset.
    widgets::DatasetBrowser *reviewDataset(const QString &name);

    QString projectPath() const { return m_session->path(); }
    QString lastError() const { return m_lastError; }
    // Off for tests and scripted screenshots: errors go to the status bar, no dialogs.
    void setInteractive(bool interactive) { m_interactive = interactive; }

    widgets::TrainingController *training() const { return m_training; }
    widgets::CurvePlot *lossPlot() const { return m_runView->lossPlot(); }
    widgets::CurvePlot *accuracyPlot() const { return m_runView->accuracyPlot(); }
    widgets::RunTableModel *runModel() const { return m_runList->runs(); }
    widgets::DatasetTableModel *datasetModel() const { return m_datasets->model(); }
    qint64 displayedRunId() const { return m_runView->displayedRunId(); }

Q_SIGNALS:
    void projectLoaded(const QString &path);
    // An openProject() that had started could not open the project (lastError() says why).
    void projectOpenFailed(const QString &message);
    // A run ended, or could not start (runId 0, "failed"), queued ones included.
    void runFinished(qint64 runId, const QString &status);
    void importFinished(bool ok, const QString &message);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    // Starts the importer `format` that composes a dataset from Fashion-MNIST in `dir`.
    bool importComposed(const QString &format, const QString &status, const QString &title,
                        const QString &dir);
    void connectActions();
    void createMenus();
    void createLayout();
    void connectJobs();
    void updateActions();
    void reportError(const QString &title, const QString &message);
    void refresh(); // re-reads datasets and runs off the GUI thread
    void applySnapshot(const widgets::ProjectSnapshot &snapshot);
    void onOpened(const widgets::ProjectSession::OpenResult &result);
    bool isBusy() const; // training, about to resume, or importing
    // For a dataset the workbench can make from Fashion-MNIST, asks whether to import it now
    // (and does so on yes); false for any other dataset (nothing asked).
    bool offerImport(const QString &dataset);
    // Reads an experiment config with its overrides; false (the error reported) when it cannot.
    bool readConfig(const QString &spec, const QStringList &overrides,
                    mtl::experiment::ExperimentConfig &config);

    // The dataset selected in the dataset panel (or the only one), in the annotation browser.
    void reviewSelectedDataset();
    // For each dataset whose image folder is gone, asks once (per project and folder) where it
    // moved, and points the dataset there (checked to hold its images).
    void askForMovedFolders();
    // File ▸ Import Dataset Files…: the dialog, then importFiles().
    void importFilesDialog();
    // After a failed importFiles() that was to ask: offers on-error skip when a row or file
    // had the problem, and starts the import again if the user agrees.
    enum class SkipOffer { NotAsked, Declined, Restarted };
    SkipOffer offerSkippingBadRows(const QString &message);

    void newProject();
    void openProjectDialog();
    void trainFromFile();
    void queueFromFile();
    // Starts the first waiting experiment that can start, unless nothing waits, something
    // trains or imports, or a stop paused the queue; skips (and reports) those that cannot.
    void startQueued();
    void showAbout();

    void onRunSelected();
    void showLiveRunStarting(const mtl::experiment::ExperimentConfig &config);
    void onStarted(const mtl::train::RunStartInfo &info, bool withRecorded);
    void onFinished(const mtl::train::RunResult &result);
    void onTrainingFailed(const QString &message);
    void onIdle();

    widgets::ProjectSession *m_session;
    widgets::TrainingController *m_training;
    widgets::LiveRun *m_live;
    widgets::BackgroundTask *m_import;
    widgets::Actions *m_actions;
    widgets::RecentProjectsMenu *m_recentMenu = nullptr;
    widgets::DatasetPanel *m_datasets = nullptr;
    widgets::RunList *m_runList = nullptr;
    widgets::RunView *m_runView = nullptr;
    widgets::JobStatus *m_jobStatus = nullptr;
    widgets::ExperimentQueue *m_queue;
    std::map<qint64, QPointer<widgets::DatasetBrowser>> m_browsers; // by dataset id
    widgets::QueuePanel *m_queuePanel = nullptr;

    // The importFiles() in progress that asks on a bad row: its format and request.
    struct AskingImport {
        QString format;
        mtl::data::ImportRequest request;
    };
    std::optional<AskingImport> m_askingImport;
    std::set<QString> m_askedFolders; // "project|dataset|folder" asked about this session
    QString m_lastError;
    bool m_interactive = true;
    bool m_closeWhenIdle = false;
    bool m_runFromQueue = false; // the run in progress was started by the queue
};

} // namespace mtl::app
