// The main window driving a short run offscreen: open a project, see its dataset, train the
// experiment with live curves and progress, stay responsive, list the run, show recorded runs.

#include "curveplot.h"
#include "datasettablemodel.h"
#include "experimentqueue.h"
#include "fixtures.h"
#include "guifixtures.h"
#include "mainwindow.h"
#include "runtablemodel.h"
#include "store/project.h"
#include "store/sqlite.h"
#include "trainingcontroller.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QLocale>
#include <QElapsedTimer>
#include <QLabel>
#include <QProgressBar>
#include <QProcess>
#include <QSignalSpy>
#include <QStatusBar>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>

#include <algorithm>
#include <cmath>
#include <vector>

#include <unistd.h>

using namespace mtl;
using mtl::app::MainWindow;
using mtl::widgets::RunTableModel;

namespace {

// Opens `path` (creating it with `create`) and waits until its datasets and runs are shown.
bool openAndWait(MainWindow &window, const QString &path, bool create = false)
{
    QSignalSpy loaded(&window, &MainWindow::projectLoaded);
    return window.openProject(path, create) && loaded.wait(10000);
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void startsEmpty();
    void opensAProject();
    void trainsWithLiveCurvesAndStaysResponsive();
    void showsARecordedRunWhenSelected();
    void reportsBadInputWithoutDialogs();
    void importsFashionMnistInTheBackground();
    void importsMultiFashionBesideIt();
    void importsFashionScenes();
    void closingWhileTrainingStopsTheRunFirst();
    void pauseResumeAndStopFromTheToolbar();
    void resumesAStoppedRunWithItsWholeCurve();
    void queueRunsOneAfterAnotherPastAFailure();
    void queueSkipsAnEntryThatCannotStart();
    void failedImportLeavesTheProjectUnchanged();
    void notAProjectFailsToOpen();
    void readOnlyProjectOpensForBrowsingOnly();

private:
    QTemporaryDir m_dir;
    QString m_project, m_config;
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // recent files in a throw-away settings file
    QVERIFY(m_dir.isValid());
    m_project = test::makeTinyProject(
        m_dir.path(), QStringLiteral(R"({"epochs": 2, "batch_size": 8, "val_fraction": 0.25,
                                          "seed": 3, "threads": 1, "device": "cpu"})"),
        160, 32);
    m_config = m_dir.filePath(QStringLiteral("tiny.json"));
}

void TestMainWindow::startsEmpty()
{
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.projectPath(), QString());
    // Every shortcut belongs to one action (an ambiguous one fires none).
    QHash<QString, QString> owners;
    for (QAction *action : window.findChildren<QAction *>()) {
        for (const QKeySequence &key : action->shortcuts()) {
            const QString text = key.toString();
            QVERIFY2(
                !owners.contains(text),
                qPrintable(
                    QStringLiteral("%1: %2 and %3").arg(text, owners.value(text), action->text())));
            owners.insert(text, action->text());
        }
    }
    QVERIFY(owners.contains(QStringLiteral("F5")));
    // Nothing is shown that belongs to a run: no attribute table, no progress.
    auto *attributes = window.findChild<QTableWidget *>(QStringLiteral("attributeTable"));
    QVERIFY(attributes);
    QVERIFY(!attributes->isVisible());
    QVERIFY(!window.findChild<QProgressBar *>()->isVisible());
    // Tooltips name the real binding.
    auto *train = window.findChild<QAction *>(QStringLiteral("trainAction"));
    QVERIFY(train);
    QVERIFY2(train->toolTip().endsWith(QStringLiteral("(F5)")), qPrintable(train->toolTip()));
    QVERIFY(!window.startTraining(QStringLiteral("example:fmnist-hps")));
    QVERIFY(window.lastError().contains(QStringLiteral("project")));
}

void TestMainWindow::opensAProject()
{
    MainWindow window;
    window.setInteractive(false);
    QVERIFY(openAndWait(window, m_project));
    QCOMPARE(window.datasetModel()->rowCount(), 1);
    QCOMPARE(window.datasetModel()->index(0, 0).data().toString(), QStringLiteral("tiny"));
    QVERIFY(window.windowTitle().contains(QStringLiteral("tiny.mtlproj")));
    QVERIFY(!window.openProject(m_dir.filePath(QStringLiteral("missing.mtlproj"))));
    QVERIFY(window.lastError().contains(QStringLiteral("missing.mtlproj")));
    QCOMPARE(window.projectPath(), QFileInfo(m_project).absoluteFilePath());
}

void TestMainWindow::trainsWithLiveCurvesAndStaysResponsive()
{
    MainWindow window;
    window.setInteractive(false);
    window.resize(1200, 800);
    window.show();
    QVERIFY(openAndWait(window, m_project));
    const int runsBefore = window.runModel()->rowCount();

    // The event loop keeps turning while the worker trains: a 1 ms timer, re-armed each time
    // it fires, records how late each timeout came after it was due.
    QElapsedTimer clock;
    clock.start();
    QTimer ticker;
    ticker.setSingleShot(true);
    ticker.setTimerType(Qt::PreciseTimer);
    ticker.setInterval(1);
    qint64 dueNs = 0;
    std::vector<double> delaysMs;
    const auto arm = [&] {
        dueNs = clock.nsecsElapsed() + 1000000;
        ticker.start();
    };
    connect(&ticker, &QTimer::timeout, this, [&] {
        delaysMs.push_back(static_cast<double>(std::max<qint64>(0, clock.nsecsElapsed() - dueNs)) /
                           1e6);
        arm();
    });

    auto *progress = window.findChild<QProgressBar *>();
    QVERIFY(progress);
    QSignalSpy finished(&window, &MainWindow::runFinished);
    QSignalSpy steps(window.training(), &widgets::TrainingController::stepsArrived);
    QVERIFY(window.startTraining(m_config));
    QVERIFY(window.training()->isRunning());
    arm();
    QVERIFY(steps.wait(60000));
    QVERIFY(progress->isVisible());
    QVERIFY(!window.startTraining(m_config)); // one run at a time
    QVERIFY(finished.wait(120000));
    ticker.stop();
    QCOMPARE(finished.first().at(1).toString(), QStringLiteral("completed"));
    const qint64 runId = finished.first().at(0).toLongLong();
    QTRY_VERIFY_WITH_TIMEOUT(!window.training()->isRunning(), 10000);
    // p99 of the delays: the GUI thread never stalls for long while the run is live. The loop
    // must have turned throughout the run: at least 20 timeouts (the 30 steps take about 50 ms on
    // a fast machine, which gave 41; a GUI thread that trained would turn it only between
    // steps, with delays of whole steps). With fewer than 100 the p99 below is the maximum, a
    // stricter bound.
    QVERIFY2(delaysMs.size() >= 20, qPrintable(QString::number(delaysMs.size())));
    std::sort(delaysMs.begin(), delaysMs.end());
    // The smallest delay that at least 99% of the timeouts did not exceed (nearest rank).
    const auto rank = static_cast<std::size_t>(std::ceil(0.99 * double(delaysMs.size())));
    const double p99 = delaysMs[rank - 1];
    qInfo("GUI timer delay while training: p99 %.2f ms, max %.2f ms over %zu timeouts", p99,
          delaysMs.back(), delaysMs.size());
    QVERIFY2(p99 < 50.0, qPrintable(QStringLiteral("p99 delay %1 ms").arg(p99)));

    // Live curves: every step of both tasks, validation per epoch.
    const int stepsTotal = 2 * 15; // 120 training images / batch 8, two epochs
    QCOMPARE(window.lossPlot()->seriesNames(),
             QStringList({QStringLiteral("kind"), QStringLiteral("looks")}));
    QCOMPARE(window.lossPlot()->pointCount(QStringLiteral("kind")), stepsTotal);
    QCOMPARE(window.lossPlot()->pointCount(QStringLiteral("looks")), stepsTotal);
    QCOMPARE(window.accuracyPlot()->pointCount(QStringLiteral("kind")), 2);
    QCOMPARE(window.displayedRunId(), runId);

    // The run list shows the new run, completed, and it is selected.
    QTRY_COMPARE_WITH_TIMEOUT(window.runModel()->rowCount(), runsBefore + 1, 10000);
    const int row = window.runModel()->rowOf(runId);
    QVERIFY(row >= 0);
    QTRY_COMPARE_WITH_TIMEOUT(
        window.runModel()->index(row, RunTableModel::Status).data().toString(),
        QStringLiteral("completed"), 10000);
    QVERIFY(!progress->isVisible());

    // The header shows the final accuracy per task on the test split.
    bool headerShowsAccuracy = false;
    for (QLabel *label : window.findChildren<QLabel *>())
        headerShowsAccuracy |= label->text().contains(QStringLiteral("Accuracy on test"));
    QVERIFY(headerShowsAccuracy);

    // Per-attribute accuracy of the "looks" task on the test split, worst first.
    auto *attributes = window.findChild<QTableWidget *>(QStringLiteral("attributeTable"));
    QVERIFY(attributes);
    QVERIFY(attributes->isVisible());
    QCOMPARE(attributes->rowCount(), 2);
    QStringList names{attributes->item(0, 1)->text(), attributes->item(1, 1)->text()};
    names.sort();
    QCOMPARE(names, QStringList({QStringLiteral("flies"), QStringLiteral("mammal")}));
    QVERIFY(attributes->item(0, 2)->data(Qt::UserRole).toDouble() <=
            attributes->item(1, 2)->data(Qt::UserRole).toDouble());

    // And the project file agrees.
    store::Project project(m_project.toStdString());
    QCOMPARE(test::statusName(project.runs().find(runId)->status), QStringLiteral("completed"));
}

void TestMainWindow::showsARecordedRunWhenSelected()
{
    // Two recorded runs; opening selects the newest; selecting the older shows its curves.
    MainWindow window;
    window.setInteractive(false);
    QSignalSpy finished(&window, &MainWindow::runFinished);
    QSignalSpy messages(window.statusBar(), &QStatusBar::messageChanged);
    QVERIFY(openAndWait(window, m_project));
    QVERIFY(window.startTraining(
        m_config, {QStringLiteral("train.epochs=1"),
                   QStringLiteral(R"(tasks[1].options={"pos_weight": "balanced"})")}));
    QVERIFY(finished.wait(120000));
    QTRY_VERIFY_WITH_TIMEOUT(!window.training()->isRunning(), 10000);
    // What the tasks learnt from the data is said when the run starts, as the CLI says it.
    bool noted = false;
    for (const QList<QVariant> &message : messages)
        noted |= message.at(0).toString().startsWith(QStringLiteral("looks: pos_weight "));
    QVERIFY(noted);

    MainWindow reopened;
    reopened.setInteractive(false);
    QVERIFY(openAndWait(reopened, m_project));
    QVERIFY(reopened.runModel()->rowCount() >= 2);
    const qint64 newest =
        reopened.runModel()->index(0, 0).data(RunTableModel::RunIdRole).toLongLong();
    QTRY_COMPARE_WITH_TIMEOUT(reopened.displayedRunId(), newest, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(reopened.lossPlot()->pointCount(QStringLiteral("kind")), 15, 10000);
    // Recorded per-attribute accuracy is read back from the project too.
    auto *attributes = reopened.findChild<QTableWidget *>(QStringLiteral("attributeTable"));
    QVERIFY(attributes);
    QCOMPARE(attributes->rowCount(), 2);

    auto *view = reopened.findChild<QTableView *>(QStringLiteral("runView"));
    QVERIFY(view);
    const int olderRow = reopened.runModel()->rowCount() - 1;
    const qint64 older =
        reopened.runModel()->index(olderRow, 0).data(RunTableModel::RunIdRole).toLongLong();
    view->selectRow(olderRow);
    QTRY_COMPARE_WITH_TIMEOUT(reopened.displayedRunId(), older, 10000);
    QVERIFY(reopened.lossPlot()->pointCount(QStringLiteral("kind")) > 0);

    // Another project, without runs: nothing of the run shown before stays on screen.
    QVERIFY(!attributes->isHidden());
    QVERIFY(openAndWait(reopened, m_dir.filePath(QStringLiteral("no-runs.mtlproj")), true));
    QCOMPARE(reopened.displayedRunId(), qint64(0));
    QVERIFY(attributes->isHidden());
}

void TestMainWindow::reportsBadInputWithoutDialogs()
{
    MainWindow window;
    window.setInteractive(false);
    QVERIFY(openAndWait(window, m_project));

    // A config key that does not exist is named.
    QVERIFY(!window.startTraining(m_config, {QStringLiteral("train.epoch=2")}));
    QVERIFY2(window.lastError().contains(QStringLiteral("epoch")), qPrintable(window.lastError()));
    // A dataset the project does not have.
    QVERIFY(!window.startTraining(QStringLiteral("example:fmnist-hps")));
    QVERIFY2(window.lastError().contains(QStringLiteral("fashion-mnist")),
             qPrintable(window.lastError()));
    // A label the dataset does not have fails at set-up, reported by the worker.
    QSignalSpy finished(&window, &MainWindow::runFinished);
    QVERIFY(window.startTraining(m_config, {QStringLiteral("tasks[0].label=\"species\"")}));
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().at(1).toString(), QStringLiteral("failed"));
    QVERIFY2(window.lastError().contains(QStringLiteral("species")),
             qPrintable(window.lastError()));
    QTRY_VERIFY_WITH_TIMEOUT(!window.training()->isRunning(), 10000);
}

namespace {

// A directory laid out like Debian's /usr/share/datasets/fashion-mnist, with tiny images.
QString writeFashionMnistDir(const QString &dir, int nTrain, int nTest)
{
    QDir().mkpath(dir);
    const auto train = test::writeIdxSplit(dir, QStringLiteral("train"), nTrain, 10, 28, 28, true);
    const auto t10k = test::writeIdxSplit(dir, QStringLiteral("t10k"), nTest, 10, 28, 28, true);
    Q_UNUSED(train);
    Q_UNUSED(t10k);
    return dir;
}

} // namespace

void TestMainWindow::importsFashionMnistInTheBackground()
{
    const QString dir = writeFashionMnistDir(m_dir.filePath(QStringLiteral("fmnist")), 300, 100);
    QVERIFY(QFile::exists(dir + QStringLiteral("/train-images-idx3-ubyte.gz")));
    MainWindow window;
    window.setInteractive(false);
    QSignalSpy imported(&window, &MainWindow::importFinished);
    QVERIFY(openAndWait(window, m_dir.filePath(QStringLiteral("imported.mtlproj")), true));
    QCOMPARE(window.datasetModel()->rowCount(), 0);
    QVERIFY(window.importFashionMnist(dir));
    QVERIFY(!window.importFashionMnist(dir)); // one job at a time
    QVERIFY(imported.wait(30000));
    QVERIFY2(imported.first().at(0).toBool(), qPrintable(imported.first().at(1).toString()));
    QVERIFY2(imported.first().at(1).toString().contains(QLocale().toString(400)),
             qPrintable(imported.first().at(1).toString()));
    QTRY_COMPARE_WITH_TIMEOUT(window.datasetModel()->rowCount(), 1, 10000);
    QVERIFY(window.datasetModel()->contains(QStringLiteral("fashion-mnist")));
    QCOMPARE(window.datasetModel()->index(0, widgets::DatasetTableModel::Samples).data().toString(),
             QLocale().toString(400));
}

void TestMainWindow::importsFashionScenes()
{
    const QString dir = writeFashionMnistDir(m_dir.filePath(QStringLiteral("fmnist-fs")), 60, 20);
    MainWindow window;
    window.setInteractive(false);
    QSignalSpy imported(&window, &MainWindow::importFinished);
    QVERIFY(openAndWait(window, m_dir.filePath(QStringLiteral("scenes.mtlproj")), true));
    QAction *action = window.findChild<QAction *>(QStringLiteral("importFashionScenesAction"));
    QVERIFY(action);
    QVERIFY(action->isEnabled());
    QVERIFY(window.importFashionScenes(dir));
    QVERIFY(!action->isEnabled()); // busy
    QVERIFY(imported.wait(60000));
    QVERIFY2(imported.first().at(0).toBool(), qPrintable(imported.first().at(1).toString()));
    QTRY_VERIFY_WITH_TIMEOUT(window.datasetModel()->contains(QStringLiteral("fashion-scenes")),
                             10000);
    QCOMPARE(window.datasetModel()->index(0, widgets::DatasetTableModel::Samples).data().toString(),
             QLocale().toString(12000));
    QTRY_VERIFY(!action->isEnabled()); // there is one now
}

void TestMainWindow::importsMultiFashionBesideIt()
{
    const QString dir = writeFashionMnistDir(m_dir.filePath(QStringLiteral("fmnist-mf")), 60, 20);
    MainWindow window;
    window.setInteractive(false);
    QSignalSpy imported(&window, &MainWindow::importFinished);
    QVERIFY(openAndWait(window, m_dir.filePath(QStringLiteral("multi.mtlproj")), true));
    QAction *action = window.findChild<QAction *>(QStringLiteral("importMultiFashionAction"));
    QVERIFY(action);
    QVERIFY(action->isEnabled());
    QVERIFY(window.importMultiFashion(dir));
    QVERIFY(!action->isEnabled()); // busy
    QVERIFY(imported.wait(30000));
    QVERIFY2(imported.first().at(0).toBool(), qPrintable(imported.first().at(1).toString()));
    QTRY_VERIFY_WITH_TIMEOUT(window.datasetModel()->contains(QStringLiteral("multi-fashion")),
                             10000);
    QCOMPARE(window.datasetModel()->index(0, widgets::DatasetTableModel::Samples).data().toString(),
             QLocale().toString(80));
    QTRY_VERIFY(!action->isEnabled()); // there is one now
}

void TestMainWindow::failedImportLeavesTheProjectUnchanged()
{
    const QString dir = writeFashionMnistDir(m_dir.filePath(QStringLiteral("broken")), 50, 20);
    QVERIFY(QFile::remove(dir + QStringLiteral("/t10k-labels-idx1-ubyte.gz")));
    const QString path = m_dir.filePath(QStringLiteral("unchanged.mtlproj"));
    MainWindow window;
    window.setInteractive(false);
    QSignalSpy imported(&window, &MainWindow::importFinished);
    QVERIFY(openAndWait(window, path, true));
    const QString before = test::projectDump(path);
    QVERIFY(window.importFashionMnist(dir));
    QVERIFY(imported.wait(30000));
    QCOMPARE(imported.first().at(0).toBool(), false);
    const QString message = imported.first().at(1).toString();
    QVERIFY2(message.contains(QStringLiteral("t10k-labels-idx1-ubyte")), qPrintable(message));
    QVERIFY2(window.lastError().contains(QStringLiteral("unchanged")),
             qPrintable(window.lastError()));
    QCOMPARE(test::projectDump(path), before);
}

void TestMainWindow::closingWhileTrainingStopsTheRunFirst()
{
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, m_project));
    QSignalSpy steps(window.training(), &widgets::TrainingController::stepsArrived);
    QSignalSpy finished(&window, &MainWindow::runFinished);
    QVERIFY(window.startTraining(m_config, {QStringLiteral("train.epochs=200")}));
    QVERIFY(steps.wait(60000));
    QVERIFY(!window.close()); // refused for now: the run stops first, then the window closes
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().at(1).toString(), QStringLiteral("stopped"));
    QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), 10000);
    const qint64 runId = finished.first().at(0).toLongLong();
    store::Project project(m_project.toStdString());
    QCOMPARE(test::statusName(project.runs().find(runId)->status), QStringLiteral("stopped"));
    QVERIFY(project.runs().latestCheckpoint(runId).has_value());
}

void TestMainWindow::pauseResumeAndStopFromTheToolbar()
{
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, m_project));
    auto *pause = window.findChild<QAction *>(QStringLiteral("pauseAction"));
    auto *stop = window.findChild<QAction *>(QStringLiteral("stopAction"));
    auto *train = window.findChild<QAction *>(QStringLiteral("trainAction"));
    auto *afterEpoch = window.findChild<QAction *>(QStringLiteral("stopAfterEpochAction"));
    QVERIFY(pause && stop && train && afterEpoch);
    QVERIFY(!pause->isEnabled() && !stop->isEnabled() && train->isEnabled());
    QVERIFY(!afterEpoch->isEnabled());
    QVERIFY(afterEpoch->toolTip().contains(QStringLiteral("Ctrl+Shift+F5")));

    QSignalSpy steps(window.training(), &widgets::TrainingController::stepsArrived);
    QSignalSpy finished(&window, &MainWindow::runFinished);
    QVERIFY(window.startTraining(m_config, {QStringLiteral("train.epochs=200")}));
    QVERIFY(steps.wait(60000));
    QVERIFY(pause->isEnabled() && stop->isEnabled() && !train->isEnabled());
    QVERIFY(afterEpoch->isEnabled());

    pause->trigger();
    QVERIFY(window.training()->isPaused());
    const auto progressText = [&] {
        for (QLabel *label : window.findChildren<QLabel *>())
            if (label->text().startsWith(QStringLiteral("paused at step")))
                return true;
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(progressText(), 10000);
    QCOMPARE(pause->text(), QStringLiteral("&Resume"));
    const int row = window.runModel()->rowOf(window.training()->runId());
    QVERIFY(row >= 0);
    QTRY_COMPARE_WITH_TIMEOUT(
        window.runModel()->index(row, RunTableModel::Status).data().toString(),
        QStringLiteral("paused"), 10000);

    pause->trigger(); // resume
    QVERIFY(!window.training()->isPaused());
    steps.clear();
    QVERIFY(steps.wait(30000)); // training goes on
    stop->trigger();
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().at(1).toString(), QStringLiteral("stopped"));
    QTRY_VERIFY_WITH_TIMEOUT(!window.training()->isRunning(), 10000);
    QVERIFY(!pause->isEnabled() && !pause->isChecked() && train->isEnabled());
}

void TestMainWindow::resumesAStoppedRunWithItsWholeCurve()
{
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, m_project));
    auto *resume = window.findChild<QAction *>(QStringLiteral("resumeAction"));
    QVERIFY(resume);

    // Stop a 3-epoch run (45 steps) early.
    QSignalSpy steps(window.training(), &widgets::TrainingController::stepsArrived);
    QSignalSpy finished(&window, &MainWindow::runFinished);
    QVERIFY(window.startTraining(m_config, {QStringLiteral("train.epochs=3")}));
    QVERIFY(steps.wait(60000));
    window.training()->stop();
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().at(1).toString(), QStringLiteral("stopped"));
    const qint64 runId = finished.first().at(0).toLongLong();
    QTRY_VERIFY_WITH_TIMEOUT(!window.training()->isRunning(), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(window.selectedRunId(), runId, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(resume->isEnabled(), 10000);
    const auto labelContaining = [&](const QString &text) {
        for (QLabel *label : window.findChildren<QLabel *>())
            if (label->text().contains(text))
                return label;
        return static_cast<QLabel *>(nullptr);
    };
    // A stop is not shown as an error, and the header says how to continue.
    QTRY_VERIFY_WITH_TIMEOUT(labelContaining(QStringLiteral("continues it from its checkpoint")),
                             10000);
    QVERIFY(!labelContaining(QStringLiteral("Error:")));

    // Resume it: the same run completes, and the plot shows all 45 steps once each.
    finished.clear();
    QSignalSpy started(window.training(), &widgets::TrainingController::started);
    resume->trigger();
    QVERIFY(!resume->isEnabled()); // busy from the click on, while the curves are read
    QVERIFY(started.wait(30000));
    // Running, or (on a loaded machine, the rest of a tiny run is quick) already finished.
    QVERIFY(window.training()->isRunning() || finished.count() == 1);
    QVERIFY(labelContaining(QStringLiteral("resumed from its checkpoint at step")));
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().at(0).toLongLong(), runId);
    QCOMPARE(finished.first().at(1).toString(), QStringLiteral("completed"));
    QTRY_COMPARE_WITH_TIMEOUT(window.lossPlot()->pointCount(QStringLiteral("kind")), 45, 10000);
    QCOMPARE(window.accuracyPlot()->pointCount(QStringLiteral("kind")), 3);
    QTRY_VERIFY_WITH_TIMEOUT(!window.training()->isRunning(), 10000);
    QVERIFY(!resume->isEnabled()); // completed runs cannot be resumed

    QVERIFY(!window.resumeRun(runId));
    QVERIFY2(window.lastError().contains(QStringLiteral("completed")),
             qPrintable(window.lastError()));
}

// Experiments queued while a run trains start one after another when it ends; one that fails
// (a NaN on purpose) does not stop the queue nor open a dialog; Stop pauses the queue.
void TestMainWindow::queueRunsOneAfterAnotherPastAFailure()
{
    MainWindow window; // interactive: a dialog would block the test (it must not appear)
    window.show();
    QVERIFY(openAndWait(window, m_project));
    auto *queuePanel = window.findChild<QWidget *>(QStringLiteral("queuePanel"));
    auto *runQueue = window.findChild<QAction *>(QStringLiteral("runQueueAction"));
    QVERIFY(queuePanel && runQueue);
    QVERIFY(!queuePanel->isVisible() && !runQueue->isEnabled());

    QSignalSpy finished(&window, &MainWindow::runFinished);
    QVERIFY(window.startTraining(m_config, {QStringLiteral("train.epochs=200")}));
    QVERIFY(window.enqueue(m_config, {QStringLiteral("debug.nan_at_step=2")}));
    QVERIFY(window.enqueue(m_config, {QStringLiteral("train.epochs=1")}));
    QVERIFY(window.enqueue(m_config, {QStringLiteral("train.epochs=1")}));
    window.setInteractive(false); // refused at once, as the user chose it: that is a dialog
    QVERIFY(!window.enqueue(QStringLiteral("example:fmnist-hps"))); // no such dataset here
    QVERIFY2(window.lastError().contains(QStringLiteral("fashion-mnist")),
             qPrintable(window.lastError()));
    window.setInteractive(true);
    QCOMPARE(window.queue()->rowCount(), 3);
    QVERIFY(queuePanel->isVisible());
    QVERIFY(!runQueue->isEnabled()); // a run is training

    window.queue()->remove({2}); // taken out again
    window.training()->stop();   // the first run stops: the queue pauses
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.takeFirst().at(1).toString(), QStringLiteral("stopped"));
    QTRY_VERIFY_WITH_TIMEOUT(!window.training()->isRunning(), 10000);
    QTest::qWait(200);
    QVERIFY(!window.training()->isRunning() && window.queue()->isHalted());
    QCOMPARE(window.queue()->rowCount(), 2);
    QVERIFY(runQueue->isEnabled());
    auto *continueButton =
        queuePanel->findChild<QToolButton *>(QStringLiteral("queueContinueButton"));
    QVERIFY(continueButton && continueButton->isVisible());

    continueButton->click(); // Run Queue
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 120000);
    QCOMPARE(finished.at(0).at(1).toString(), QStringLiteral("failed"));
    QCOMPARE(finished.at(1).at(1).toString(), QStringLiteral("completed"));
    QVERIFY2(window.lastError().contains(QStringLiteral("nan")), qPrintable(window.lastError()));
    QTRY_VERIFY_WITH_TIMEOUT(!window.training()->isRunning(), 10000);
    QVERIFY(window.queue()->isEmpty() && !queuePanel->isVisible());
    QVERIFY(!window.queue()->isHalted());
}

// A queued config that has gone by its turn (the file deleted) is reported as a run that could
// not start, runFinished(0, "failed"), without a dialog; the queue goes on.
void TestMainWindow::queueSkipsAnEntryThatCannotStart()
{
    MainWindow window; // interactive: a dialog would block the test
    window.show();
    QVERIFY(openAndWait(window, m_project));
    const QString doomed = m_dir.filePath(QStringLiteral("doomed.json"));
    QFile::remove(doomed);
    QVERIFY(QFile::copy(m_config, doomed));
    QSignalSpy finished(&window, &MainWindow::runFinished);
    QVERIFY(window.startTraining(m_config, {QStringLiteral("train.epochs=1")}));
    QVERIFY(window.enqueue(doomed));
    QVERIFY(window.enqueue(m_config, {QStringLiteral("train.epochs=1")}));
    QVERIFY(QFile::remove(doomed));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 3, 120000);
    QCOMPARE(finished.at(0).at(1).toString(), QStringLiteral("completed"));
    QCOMPARE(finished.at(1).at(0).toLongLong(), 0);
    QCOMPARE(finished.at(1).at(1).toString(), QStringLiteral("failed"));
    QVERIFY2(window.lastError().contains(QStringLiteral("doomed.json")),
             qPrintable(window.lastError()));
    QCOMPARE(finished.at(2).at(1).toString(), QStringLiteral("completed"));
    QTRY_VERIFY_WITH_TIMEOUT(!window.training()->isRunning(), 10000);
    QVERIFY(window.queue()->isEmpty());
}

void TestMainWindow::notAProjectFailsToOpen()
{
    // Another program's SQLite database: opened off the GUI thread, refused, left as it was;
    // the window keeps the project it had.
    const QString foreign = m_dir.filePath(QStringLiteral("foreign.db"));
    {
        store::Database db(test::str(foreign), store::Database::Mode::ReadWriteCreate);
        db.exec("CREATE TABLE foo (x)");
    }
    QFile file(foreign);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray before = file.readAll();
    file.close();
    MainWindow window;
    window.setInteractive(false);
    QVERIFY(openAndWait(window, m_project));
    QSignalSpy failed(&window, &MainWindow::projectOpenFailed);
    QVERIFY(window.openProject(foreign)); // started
    QVERIFY(failed.wait(10000));
    QVERIFY2(window.lastError().contains(QStringLiteral("not an MTL Studio project")),
             qPrintable(window.lastError()));
    QCOMPARE(window.projectPath(), QFileInfo(m_project).absoluteFilePath());
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), before);
    QVERIFY(!QFile::exists(foreign + QStringLiteral("-wal")));
}

void TestMainWindow::readOnlyProjectOpensForBrowsingOnly()
{
    // The workbench as user nobody on a project it may read but not write: it opens, and
    // training is refused, saying why (the scripted --train then exits with 2).
    if (::getuid() != 0 || !QFile::exists(QStringLiteral("/usr/bin/setpriv")))
        QSKIP("needs root and setpriv to run the workbench as another user");
    QTemporaryDir dir(QStringLiteral("/tmp/mtl-readonly-gui-XXXXXX"));
    QVERIFY(dir.isValid());
    const auto readable = QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                          QFileDevice::ReadGroup | QFileDevice::ReadOther;
    QVERIFY(QFile::setPermissions(dir.path(), readable | QFileDevice::ExeOwner |
                                                  QFileDevice::ExeGroup | QFileDevice::ExeOther));
    const QString copy = QDir(dir.path()).filePath(QStringLiteral("shared.mtlproj"));
    {
        store::Project source(test::str(m_project));
        source.db().exec("VACUUM INTO '" + test::str(copy) + "'");
    }
    QVERIFY(QFile::setPermissions(copy, readable));
    const test::ProgramRun probe =
        test::runProgram(QStringLiteral("/usr/bin/setpriv"),
                         {QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                          QStringLiteral("--clear-groups"), QStringLiteral(MTLSTUDIO_GUI),
                          QStringLiteral("--version")});
    if (probe.exitCode != 0) // e.g. in a chroot whose / is 0700
        QSKIP(qPrintable(QStringLiteral("user nobody cannot run mtlstudio here: ") +
                         QString::fromUtf8(probe.err.trimmed())));
    QProcess gui;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("HOME"), dir.path());
    gui.setProcessEnvironment(env);
    gui.start(QStringLiteral("/usr/bin/setpriv"),
              {QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
               QStringLiteral("--clear-groups"), QStringLiteral(MTLSTUDIO_GUI), copy,
               QStringLiteral("--train"), QStringLiteral("example:fmnist-hps"),
               QStringLiteral("--quit-when-done")});
    QVERIFY(gui.waitForFinished(60000));
    const QByteArray err = gui.readAllStandardError();
    QCOMPARE(gui.exitCode(), 2);
    QVERIFY2(err.contains("is read-only here"), err.constData());
    QVERIFY2(err.contains("a run cannot be recorded in it"), err.constData());
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
