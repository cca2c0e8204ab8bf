#pragma once
// The workbench's main window: a project's datasets and runs on the left, the displayed run's
// live or recorded curves on the right, progress with ETA and pause/resume/stop below.
// Training and imports run in the background (TrainingController, BackgroundTask); the
// project file is read off the GUI thread (projectreader.h).

#include "projectreader.h"

#include <QFutureWatcher>
#include <QMainWindow>
#include <QStringList>

#include <memory>
#include <optional>

class QAction;
class QIcon;
class QKeySequence;
class QLabel;
class QMenu;
class QProgressBar;
class QTableView;
class QTableWidget;

namespace mtl::experiment {
struct ExperimentConfig;
}
namespace mtl::train {
struct RunStartInfo;
struct StepProgress;
struct EvaluationResult;
struct RunResult;
} // namespace mtl::train

namespace mtl::widgets {
class BackgroundTask;
class CurvePlot;
class DatasetTableModel;
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
    qint64 selectedRunId() const;
    // Continues a stopped, interrupted or failed run from its latest checkpoint; false with
    // lastError() set when it cannot (the run's own config is used).
    bool resumeRun(qint64 runId);
    // Imports Debian's Fashion-MNIST (or `dir`) into the open project, in the background.
    bool importFashionMnist(const QString &dir = {});

    QString projectPath() const { return m_projectPath; }
    QString lastError() const { return m_lastError; }
    // Off for tests and scripted screenshots: errors go to the status bar, no dialogs.
    void setInteractive(bool interactive) { m_interactive = interactive; }

    widgets::TrainingController *training() const { return m_training; }
    widgets::CurvePlot *lossPlot() const { return m_lossPlot; }
    widgets::CurvePlot *accuracyPlot() const { return m_accuracyPlot; }
    widgets::RunTableModel *runModel() const { return m_runModel; }
    widgets::DatasetTableModel *datasetModel() const { return m_datasetModel; }
    qint64 displayedRunId() const { return m_displayedRun.runId; }

Q_SIGNALS:
    void projectLoaded(const QString &path);
    void runFinished(qint64 runId, const QString &status);
    void importFinished(bool ok, const QString &message);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    QAction *makeAction(const char *name, const QIcon &icon, const QString &text,
                        const QKeySequence &shortcut, const QString &toolTip);
    void createActions();
    void createMenus();
    void createLayout();
    void updateActions();
    void reportError(const QString &title, const QString &message);
    void refresh(); // re-reads datasets and runs off the GUI thread
    void applySnapshot(const widgets::ProjectSnapshot &snapshot);
    void addRecentProject(const QString &path);
    void rebuildRecentMenu();

    void newProject();
    void openProjectDialog();
    void trainFromFile();
    void showAbout();

    void onRunSelected();
    void beginLiveRun(const mtl::experiment::ExperimentConfig &config);
    void showRun(const widgets::RunCurves &curves);
    void showRunHeader(const widgets::RunCurves &curves);
    void showAttributes(const widgets::RunCurves &curves);

    void onStarted(const mtl::train::RunStartInfo &info);
    void onSteps(const std::vector<mtl::train::StepProgress> &steps);
    void onEvaluating(qint64 runId, const QString &split, double fraction);
    void onEvaluated(const mtl::train::EvaluationResult &result);
    void onFinished(const mtl::train::RunResult &result);
    void onTrainingFailed(const QString &message);
    void onIdle();

    widgets::TrainingController *m_training;
    widgets::BackgroundTask *m_import;
    widgets::DatasetTableModel *m_datasetModel;
    widgets::RunTableModel *m_runModel;
    widgets::CurvePlot *m_lossPlot = nullptr;
    widgets::CurvePlot *m_accuracyPlot = nullptr;
    QTableView *m_datasetView = nullptr;
    QTableView *m_runView = nullptr;
    QLabel *m_datasetHint = nullptr;
    QLabel *m_attributeHeading = nullptr;
    QTableWidget *m_attributeTable = nullptr;
    QLabel *m_runTitle = nullptr;
    QLabel *m_runDetails = nullptr;
    QLabel *m_runResult = nullptr;
    QLabel *m_progressText = nullptr;
    QProgressBar *m_progress = nullptr;

    QAction *m_newAction = nullptr, *m_openAction = nullptr, *m_importAction = nullptr;
    QAction *m_trainAction = nullptr, *m_trainFileAction = nullptr, *m_resumeAction = nullptr;
    QAction *m_pauseAction = nullptr, *m_stopAction = nullptr, *m_refreshAction = nullptr;
    QAction *m_quitAction = nullptr;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_examplesMenu = nullptr;

    QString m_projectPath;
    QString m_lastError;
    bool m_interactive = true;
    bool m_closeWhenIdle = false;

    // Reads in flight; results from before the latest request are dropped.
    QFutureWatcher<widgets::ProjectSnapshot> m_snapshotWatcher;
    QFutureWatcher<widgets::RunCurves> m_curvesWatcher;
    QFutureWatcher<widgets::RunCurves> m_resumedWatcher; // a resumed run's curves so far
    struct PendingResume {
        qint64 runId = 0;
        std::shared_ptr<mtl::experiment::ExperimentConfig> config; // forward-declared type
    };
    std::optional<PendingResume> m_resume; // set while its curves are read, before it starts
    widgets::RunCurves m_resumedCurves;
    quint64 m_snapshotGeneration = 0, m_curvesGeneration = 0;
    qint64 m_selectRunAfterRefresh = 0;

    widgets::RunCurves m_live;         // the run being trained, kept as it arrives
    widgets::RunCurves m_displayedRun; // what the plots show (may be m_live)
    bool m_displayingLive = false;
};

} // namespace mtl::app
