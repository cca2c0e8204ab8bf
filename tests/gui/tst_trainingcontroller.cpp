// TrainingController: a run on its worker thread, reported on the GUI thread in coalesced
// batches; pause, resume, stop, set-up failures, and destruction while training.

#include "fixtures.h"
#include "guifixtures.h"
#include "store/project.h"
#include "train/catalog.h"
#include "trainingcontroller.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <nlohmann/json.hpp>

using namespace mtl;
using mtl::widgets::TrainingController;

Q_DECLARE_METATYPE(mtl::train::RunStartInfo)
Q_DECLARE_METATYPE(mtl::train::RunResult)
Q_DECLARE_METATYPE(mtl::train::EvaluationResult)
Q_DECLARE_METATYPE(mtl::store::RunStatus)
Q_DECLARE_METATYPE(std::vector<mtl::train::StepProgress>)

class TestTrainingController : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void completesAndReportsEveryStepInOrder();
    void coalescesSteps();
    void pauseAndResume();
    void stopKeepsTheRunAsStopped();
    void stopAfterEpochEndsAtAnEpochBoundary();
    void setUpFailureIsReported();
    void refusesASecondRun();
    void destructionWhileTrainingStopsTheRun();

private:
    experiment::ExperimentConfig config(const QString &trainOverride = {}) const;
    QTemporaryDir m_dir;
    QString m_project;
};

void TestTrainingController::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_project = test::makeTinyProject(
        m_dir.path(), QStringLiteral(R"({"epochs": 2, "batch_size": 8, "val_fraction": 0.25,
                                          "seed": 1, "threads": 1, "device": "cpu"})"));
}

experiment::ExperimentConfig TestTrainingController::config(const QString &trainOverride) const
{
    std::vector<std::string> overrides;
    if (!trainOverride.isEmpty())
        overrides.push_back(trainOverride.toStdString());
    return train::loadExperiment((m_dir.path() + QStringLiteral("/tiny.json")).toStdString(),
                                 overrides);
}

void TestTrainingController::completesAndReportsEveryStepInOrder()
{
    TrainingController controller;
    QSignalSpy started(&controller, &TrainingController::started);
    QSignalSpy steps(&controller, &TrainingController::stepsArrived);
    QSignalSpy evaluated(&controller, &TrainingController::evaluated);
    QSignalSpy finished(&controller, &TrainingController::finished);
    QSignalSpy idle(&controller, &TrainingController::idle);
    QSignalSpy failed(&controller, &TrainingController::failed);

    QVERIFY(controller.start(m_project, config()));
    QVERIFY(controller.isRunning());
    QVERIFY(idle.wait(120000));
    QCOMPARE(failed.count(), 0);
    QCOMPARE(started.count(), 1);
    QVERIFY(!controller.isRunning());

    const auto info = started.first().first().value<train::RunStartInfo>();
    QVERIFY(info.runId > 0);
    QCOMPARE(info.epochs, 2);
    QCOMPARE(info.trainSamples, 72); // 96 less a quarter for validation
    QCOMPARE(info.stepsPerEpoch, 9);
    QCOMPARE(info.stepsTotal, 18);

    // Every step arrives exactly once, in order, on this thread, with finite losses per task.
    std::int64_t expected = 1;
    for (const auto &arguments : steps) {
        const auto batch = arguments.first().value<std::vector<train::StepProgress>>();
        QVERIFY(!batch.empty());
        for (const auto &step : batch) {
            QCOMPARE(step.step, expected++);
            QCOMPARE(step.runId, info.runId);
            QCOMPARE(step.taskLosses.size(), std::size_t(2));
            QVERIFY(std::isfinite(step.taskLosses[0]) && step.taskLosses[0] > 0);
        }
    }
    QCOMPARE(expected, 19);

    // Validation after each epoch, then the test split.
    QCOMPARE(evaluated.count(), 3);
    QCOMPARE(evaluated.at(0).first().value<train::EvaluationResult>().split, std::string("val"));
    QCOMPARE(evaluated.at(2).first().value<train::EvaluationResult>().split, std::string("test"));

    QCOMPARE(finished.count(), 1);
    const auto result = finished.first().first().value<train::RunResult>();
    QCOMPARE(result.runId, info.runId);
    QCOMPARE(test::statusName(result.status), QStringLiteral("completed"));
    QVERIFY(result.metrics.count("kind") == 1);

    store::Project project(m_project.toStdString());
    QCOMPARE(test::statusName(project.runs().find(info.runId)->status),
             QStringLiteral("completed"));
}

void TestTrainingController::coalescesSteps()
{
    TrainingController controller;
    controller.setCoalescingInterval(1000); // longer than the whole tiny run's training
    QSignalSpy steps(&controller, &TrainingController::stepsArrived);
    QSignalSpy idle(&controller, &TrainingController::idle);
    QVERIFY(controller.start(m_project, config(QStringLiteral("train.epochs=1"))));
    QVERIFY(idle.wait(120000));
    std::size_t total = 0;
    for (const auto &arguments : steps)
        total += arguments.first().value<std::vector<train::StepProgress>>().size();
    QCOMPARE(total, std::size_t(9));
    QVERIFY2(steps.count() < 9, qPrintable(QStringLiteral("%1 deliveries").arg(steps.count())));
}

void TestTrainingController::pauseAndResume()
{
    TrainingController controller;
    controller.setCoalescingInterval(1);
    QSignalSpy status(&controller, &TrainingController::statusChanged);
    QSignalSpy steps(&controller, &TrainingController::stepsArrived);
    QSignalSpy finished(&controller, &TrainingController::finished);
    QSignalSpy idle(&controller, &TrainingController::idle);
    QVERIFY(controller.start(m_project, config()));
    QVERIFY(steps.wait(60000));
    controller.setPaused(true);
    QVERIFY(controller.isPaused());
    QTRY_VERIFY_WITH_TIMEOUT(std::any_of(status.begin(), status.end(),
                                         [](const QList<QVariant> &a) {
                                             return a.at(1).value<store::RunStatus>() ==
                                                    store::RunStatus::Paused;
                                         }),
                             30000);
    // While paused no step is trained: the count stays put.
    const int before = steps.count();
    QTest::qWait(300);
    QCOMPARE(steps.count(), before);
    controller.setPaused(false);
    QVERIFY(idle.wait(120000));
    QCOMPARE(test::statusName(finished.first().first().value<train::RunResult>().status),
             QStringLiteral("completed"));
    QVERIFY(!controller.isPaused());
}

void TestTrainingController::stopKeepsTheRunAsStopped()
{
    TrainingController controller;
    controller.setCoalescingInterval(1);
    QSignalSpy steps(&controller, &TrainingController::stepsArrived);
    QSignalSpy finished(&controller, &TrainingController::finished);
    QSignalSpy idle(&controller, &TrainingController::idle);
    QVERIFY(controller.start(m_project, config(QStringLiteral("train.epochs=50"))));
    QVERIFY(steps.wait(60000));
    controller.stop();
    QVERIFY(idle.wait(60000));
    const auto result = finished.first().first().value<train::RunResult>();
    QCOMPARE(test::statusName(result.status), QStringLiteral("stopped"));
    QVERIFY(result.steps < 50 * 9);
    store::Project project(m_project.toStdString());
    QCOMPARE(test::statusName(project.runs().find(result.runId)->status),
             QStringLiteral("stopped"));
    QVERIFY(project.runs().latestCheckpoint(result.runId).has_value());
}

void TestTrainingController::stopAfterEpochEndsAtAnEpochBoundary()
{
    TrainingController controller;
    controller.setCoalescingInterval(1);
    QSignalSpy started(&controller, &TrainingController::started);
    QSignalSpy steps(&controller, &TrainingController::stepsArrived);
    QSignalSpy finished(&controller, &TrainingController::finished);
    QSignalSpy idle(&controller, &TrainingController::idle);
    QVERIFY(controller.start(m_project, config(QStringLiteral("train.epochs=50"))));
    QVERIFY(steps.wait(60000));
    controller.stopAfterEpoch();
    QVERIFY(idle.wait(120000));
    const auto info = started.first().first().value<train::RunStartInfo>();
    const auto result = finished.first().first().value<train::RunResult>();
    QCOMPARE(test::statusName(result.status), QStringLiteral("stopped"));
    QVERIFY(result.steps > 0 && result.steps < 50 * info.stepsPerEpoch);
    QCOMPARE(result.steps % info.stepsPerEpoch, std::int64_t(0)); // the epoch was finished
    QVERIFY2(result.note.rfind("stopped by the user after epoch ", 0) == 0, result.note.c_str());
    store::Project project(m_project.toStdString());
    const auto run = project.runs().find(result.runId);
    QCOMPARE(project.runs().latestCheckpoint(result.runId)->step, result.steps);
    // The workbench records itself and its Qt with the run.
    const auto env = nlohmann::json::parse(run->environment);
    QCOMPARE(QString::fromStdString(env.at("front_end").get<std::string>()),
             QStringLiteral("mtlstudio"));
    QCOMPARE(QString::fromStdString(env.at("qt").get<std::string>()),
             QString::fromLatin1(qVersion()));
}

void TestTrainingController::setUpFailureIsReported()
{
    TrainingController controller;
    QSignalSpy failed(&controller, &TrainingController::failed);
    QSignalSpy finished(&controller, &TrainingController::finished);
    QSignalSpy idle(&controller, &TrainingController::idle);
    QVERIFY(controller.start(m_project, config(QStringLiteral("tasks[0].label=\"species\""))));
    QVERIFY(idle.wait(60000));
    QCOMPARE(finished.count(), 0);
    QCOMPARE(failed.count(), 1);
    const QString message = failed.first().first().toString();
    QVERIFY2(message.contains(QStringLiteral("species")), qPrintable(message));
}

void TestTrainingController::refusesASecondRun()
{
    TrainingController controller;
    QSignalSpy idle(&controller, &TrainingController::idle);
    QVERIFY(controller.start(m_project, config(QStringLiteral("train.epochs=1"))));
    QVERIFY(!controller.start(m_project, config()));
    QVERIFY(idle.wait(120000));
    QCOMPARE(idle.count(), 1);
}

void TestTrainingController::destructionWhileTrainingStopsTheRun()
{
    qint64 runId = 0;
    {
        TrainingController controller;
        controller.setCoalescingInterval(1);
        QSignalSpy started(&controller, &TrainingController::started);
        QVERIFY(controller.start(m_project, config(QStringLiteral("train.epochs=50"))));
        QVERIFY(started.wait(60000));
        runId = started.first().first().value<train::RunStartInfo>().runId;
    } // the destructor stops the worker and waits for it
    store::Project project(m_project.toStdString());
    QCOMPARE(test::statusName(project.runs().find(runId)->status), QStringLiteral("stopped"));
}

QTEST_GUILESS_MAIN(TestTrainingController)
#include "tst_trainingcontroller.moc"
