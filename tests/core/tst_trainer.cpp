// The trainer, through its LibTorch-free header, on a tiny generated dataset (64 train and
// 32 test images of 8x8, four classes, two tasks): a run completes and records its losses,
// validation and test metrics, task weights and a checkpoint; stop and pause requests from a
// listener; configs that cannot run on the dataset fail clearly before a run is recorded;
// probes see every step, evaluation batch and epoch; optimiser groups take their own rates.

#include "train/trainer.h"

#include "train/catalog.h"
#include "train/probe.h"

#include "data/batchsource.h" // the probe test reads batches and outputs: LibTorch types
#include "model/multitask.h"

#include "data/idximporter.h"
#include "store/project.h"

#include "fixtures.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <chrono>
#include <map>
#include <cmath>
#include <functional>
#include <thread>

using namespace mtl;
using namespace mtl::test;
using experiment::ExperimentConfig;
using store::RunStatus;

namespace {
// Records every probe hook of a run (TrainerOptions::extraProbes).
struct HookProbe final : train::Probe {
    std::string name() const override { return "hooks"; }
    bool wantsTaps() const override { return true; }
    void afterStep(const train::StepRecord &step, store::RecordBatch &) override
    {
        steps.push_back(step.step);
        outputsPerStep = step.output.tasks.size();
    }
    void afterEvalBatch(const train::EvalRecord &eval, store::RecordBatch &) override
    {
        for (const std::int64_t id : eval.batch.sampleIds)
            seen[eval.split + " " + std::to_string(eval.epoch)].push_back(id);
        tapped = tapped && !eval.output.taps.empty();
        QCOMPARE(eval.output.tasks.front().size(0), eval.batch.size());
    }
    void afterEpoch(const train::EpochRecord &epoch, store::RecordBatch &out) override
    {
        epochs.push_back(epoch.epoch);
        groups = epoch.model.parameterGroups().size();
        // What a probe adds is written with the run's metrics.
        out.rows<store::MetricRow>().push_back(
            {epoch.step, epoch.epoch, "train", "", "", "hook", double(epoch.epoch)});
    }
    std::vector<std::int64_t> steps;
    std::map<std::string, std::vector<std::int64_t>> seen; // "split epoch" → sample ids
    std::vector<int> epochs;
    std::size_t outputsPerStep = 0, groups = 0;
    bool tapped = true;
};

// Records what a run reports; onStep runs on the training thread after each step.
struct Recorder final : train::TrainerListener {
    std::function<void(const train::StepProgress &)> onStep;
    std::function<void(RunStatus)> onStatus;
    std::function<void(const std::string &, double)> onEvaluating;
    int starts = 0;
    train::RunStartInfo start;
    std::vector<train::StepProgress> steps;
    std::vector<train::EvaluationResult> evaluations;
    QStringList statuses;
    int evaluatingCalls = 0;
    double lastFraction = -1.0;

    void runStarted(const train::RunStartInfo &info) override
    {
        ++starts;
        start = info;
    }
    void stepFinished(const train::StepProgress &progress) override
    {
        steps.push_back(progress);
        if (onStep)
            onStep(progress);
    }
    void evaluated(const train::EvaluationResult &result) override
    {
        evaluations.push_back(result);
    }
    void statusChanged(std::int64_t, RunStatus status) override
    {
        statuses << statusName(status);
        if (onStatus)
            onStatus(status);
    }
    void evaluating(const std::string &split, double fraction) override
    {
        ++evaluatingCalls;
        lastFraction = fraction;
        if (onEvaluating)
            onEvaluating(split, fraction);
    }
};

QString trainJson(int epochs, int maxSteps, int seed = 1, const char *device = "cpu")
{
    return QStringLiteral(R"({"epochs": %1, "batch_size": 16, "max_steps_per_epoch": %2,
        "val_fraction": 0.25, "seed": %3, "threads": 1, "device": "%4"})")
        .arg(epochs)
        .arg(maxSteps)
        .arg(seed)
        .arg(QLatin1String(device));
}

ExperimentConfig config(const QString &dataset, const QString &train)
{
    return train::parseExperiment(tinyConfig(dataset, train).toStdString(), "<tiny>");
}

std::vector<store::MetricRow> rowsOf(const std::vector<store::MetricRow> &rows,
                                     const std::string &split, const std::string &name = {})
{
    std::vector<store::MetricRow> selected;
    for (const auto &row : rows)
        if (row.split == split && (name.empty() || row.name == name))
            selected.push_back(row);
    return selected;
}

// "task/attribute name" keys of rows, for comparing sets of metrics.
QStringList keysOf(const std::vector<store::MetricRow> &rows)
{
    QStringList keys;
    for (const auto &row : rows)
        keys << QStringLiteral("%1/%2 %3").arg(qstr(row.task), qstr(row.attribute), qstr(row.name));
    keys.sort();
    return keys;
}

bool isMultipleOf(double value, int denominator)
{
    const double scaled = value * denominator;
    return std::abs(scaled - std::round(scaled)) < 1e-9;
}
} // namespace

class TestTrainer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void completes();
    void stopFromListener();
    void resumeContinuesTheSameRun_data();
    void resumeContinuesTheSameRun();
    void resumeRefusals();
    void resumesACheckpointOfSchemaVersion1();
    void stopDuringEvaluation_data();
    void stopDuringEvaluation();
    void stopBeforeRun();
    void checkpointsEveryNSteps();
    void pauseAndResume();
    void sameSeedSameLosses();
    void learnsSeparableData();
    void channelsLastTrainsAsContiguous();
    void ampIsIgnoredOnTheCpu();
    void perAttributeTermsAreWeighedAndRecorded();
    void evaluatesOnValWithoutTestSplit();
    void impossibleConfig_data();
    void impossibleConfig();
    void unavailableDeviceIsASetUpError();
    void probesSeeEveryHook();
    void architectureProbesRecordAlphaMasksAndGates();
    void parameterNormsAndGroupLearningRates();

private:
    std::unique_ptr<store::Project> open() const
    {
        return std::make_unique<store::Project>(str(m_project));
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_project;
};

void TestTrainer::initTestCase()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_project = QDir(m_dir->path()).filePath(QStringLiteral("train.mtlproj"));
    const TinyDataset d = writeTinyDataset(m_dir->path(), 64, 32, true);
    QVERIFY(!d.attributes.isEmpty());

    store::Project project(str(m_project), store::Project::OpenMode::CreateIfMissing);
    const auto import = [&](const std::string &name, std::vector<data::IdxSplitFiles> splits) {
        data::IdxImportSpec spec;
        spec.dataset = name;
        spec.splits = std::move(splits);
        spec.classNames = data::TextSource{str(QString::fromLatin1(animalClassNames())), "c.txt"};
        spec.classAttributes =
            data::TextSource{str(QString::fromLatin1(animalAttributes())), "a.csv"};
        data::importIdx(project, spec, {});
    };
    const data::IdxSplitFiles train{"train", str(d.train.images), str(d.train.labels)};
    const data::IdxSplitFiles test{"test", str(d.test.images), str(d.test.labels)};
    import("animals", {train, test});
    import("trainonly", {train});
    import("testonly", {test});
    QCOMPARE(project.datasets().list().size(), std::size_t(3));
}

void TestTrainer::cleanupTestCase()
{
    m_dir.reset();
}

void TestTrainer::completes()
{
    const ExperimentConfig c = config(QStringLiteral("animals"), trainJson(1, 2));
    train::Trainer trainer(str(m_project), c);
    Recorder recorder;
    const train::RunResult result = trainer.run(&recorder);

    QVERIFY2(result.error.empty(), result.error.c_str());
    QCOMPARE(statusName(result.status), QStringLiteral("completed"));
    QVERIFY(result.runId > 0);
    QCOMPARE(result.runId, trainer.runId());
    QCOMPARE(result.steps, 2);
    QCOMPARE(qstr(result.device), QStringLiteral("cpu"));
    QCOMPARE(qstr(result.evalSplit), QStringLiteral("test"));
    QVERIFY(result.imagesPerSecond > 0);
    QVERIFY(result.trainSeconds > 0);
    QVERIFY(result.totalSeconds >= result.trainSeconds);

    // What the listener heard.
    QCOMPARE(recorder.starts, 1);
    QCOMPARE(recorder.start.runId, result.runId);
    QCOMPARE(recorder.start.trainSamples, 48); // 64 minus 25 % held out
    QCOMPARE(recorder.start.valSamples, 16);
    QCOMPARE(recorder.start.evalSamples, 32);
    QCOMPARE(recorder.start.stepsPerEpoch, 2); // 3 batches of 16, capped at 2
    QCOMPARE(recorder.start.stepsTotal, 2);
    QCOMPARE(recorder.start.epochs, 1);
    QCOMPARE(qstr(recorder.start.evalSplit), QStringLiteral("test"));
    QCOMPARE(recorder.start.tasks, (std::vector<std::string>{"kind", "looks"}));
    QVERIFY(!recorder.start.model.empty());
    QVERIFY(recorder.start.taskNotes.empty()); // every label present, nothing balanced
    QCOMPARE(recorder.statuses,
             (QStringList{QStringLiteral("running"), QStringLiteral("completed")}));
    QCOMPARE(recorder.steps.size(), std::size_t(2));
    for (std::size_t i = 0; i < 2; ++i) {
        const auto &p = recorder.steps[i];
        QCOMPARE(p.step, std::int64_t(i + 1));
        QCOMPARE(p.stepsTotal, 2);
        QCOMPARE(p.epoch, 1);
        QCOMPARE(p.taskLosses.size(), std::size_t(2));
        QVERIFY(p.taskLosses[0] > 0 && p.taskLosses[1] > 0);
        QCOMPARE(p.totalLoss, p.taskLosses[0] + p.taskLosses[1]); // equal weighting
    }
    QCOMPARE(recorder.evaluations.size(), std::size_t(2));
    QCOMPARE(qstr(recorder.evaluations[0].split), QStringLiteral("val"));
    QCOMPARE(qstr(recorder.evaluations[1].split), QStringLiteral("test"));
    QVERIFY(recorder.evaluatingCalls >= 2);
    QCOMPARE(recorder.lastFraction, 1.0);

    // What the project file holds.
    auto project = open();
    auto &runs = project->runs();
    const auto run = runs.find(result.runId);
    QVERIFY(run);
    QCOMPARE(statusName(run->status), QStringLiteral("completed"));
    QCOMPARE(run->stepsDone, 2);
    QCOMPARE(run->stepsTotal, 2);
    QCOMPARE(qstr(run->device), QStringLiteral("cpu"));
    QCOMPARE(qstr(run->experimentName), QStringLiteral("tiny"));
    QCOMPARE(qstr(run->datasetName), QStringLiteral("animals"));
    QVERIFY(run->error.empty());
    QVERIFY(!run->startedAt.empty() && !run->finishedAt.empty());
    QVERIFY(run->imagesPerSecond > 0);
    QCOMPARE(runs.experimentConfig(run->experimentId), c.toJson());

    const auto rows = runs.metrics(result.runId);
    // Per step: the loss of each task and the weighted total, as the listener saw them.
    const auto losses = rowsOf(rows, "train", "loss");
    QCOMPARE(losses.size(), std::size_t(6));
    for (std::int64_t step = 1; step <= 2; ++step) {
        std::map<std::string, double> byTask;
        for (const auto &row : losses)
            if (row.step == step)
                byTask[row.task] = row.value;
        QCOMPARE(byTask.size(), std::size_t(3));
        const auto &heard = recorder.steps[std::size_t(step - 1)];
        QCOMPARE(byTask["kind"], heard.taskLosses[0]);
        QCOMPARE(byTask["looks"], heard.taskLosses[1]);
        QCOMPARE(byTask[""], heard.totalLoss);
    }
    // Validation after the epoch and the final test: the task-level metrics of each task type
    // (tst_meters checks their values) and the accuracy per attribute.
    const QStringList expectedKeys{QStringLiteral("kind/ accuracy"),
                                   QStringLiteral("kind/ balanced_accuracy"),
                                   QStringLiteral("kind/ loss"),
                                   QStringLiteral("kind/ macro_f1"),
                                   QStringLiteral("looks/ accuracy"),
                                   QStringLiteral("looks/ balanced_accuracy"),
                                   QStringLiteral("looks/ f1"),
                                   QStringLiteral("looks/ loss"),
                                   QStringLiteral("looks/ map"),
                                   QStringLiteral("looks/flies accuracy"),
                                   QStringLiteral("looks/mammal accuracy")};
    const std::pair<std::string, int> evaluated[] = {{"val", 16}, {"test", 32}};
    for (const auto &[split, samples] : evaluated) {
        const auto evaluation = rowsOf(rows, split);
        std::vector<store::MetricRow> shown;
        for (const auto &row : evaluation)
            if (row.attribute.empty() || row.name == "accuracy")
                shown.push_back(row);
        QCOMPARE(keysOf(shown), expectedKeys);
        double attributeSum = 0.0, looks = -1.0;
        for (const auto &row : evaluation) {
            QCOMPARE(row.step, 2);
            QCOMPARE(row.epoch, 1);
            if (row.name != "accuracy")
                continue;
            QVERIFY(row.value >= 0.0 && row.value <= 1.0);
            // An accuracy counts correct samples; the task's is the mean of its two attributes'.
            const bool mean = row.task == "looks" && row.attribute.empty();
            QVERIFY2(isMultipleOf(row.value, mean ? 2 * samples : samples),
                     qPrintable(QString::number(row.value)));
            if (!row.attribute.empty())
                attributeSum += row.value;
            else if (row.task == "looks")
                looks = row.value;
        }
        QCOMPARE(looks, attributeSum / 2); // the task's accuracy is the attributes' mean
    }
    // The result carries the test metrics.
    for (const auto &row : rowsOf(rows, "test")) {
        if (row.attribute.empty())
            QCOMPARE(result.metrics.at(row.task).at(row.name), row.value);
        else if (row.name == "accuracy")
            QCOMPARE(result.attributeAccuracy.at(row.task).at(row.attribute), row.value);
    }
    QCOMPARE(result.metrics.size(), std::size_t(2));

    // Task weights: recorded once (equal weighting never changes them).
    const auto weights = runs.taskWeights(result.runId);
    QCOMPARE(weights.size(), std::size_t(2));
    QCOMPARE(weights[0].step, 1);
    QCOMPARE(qstr(weights[0].task), QStringLiteral("kind"));
    QCOMPARE(weights[1].weight, 1.0);

    // The checkpoint of the last epoch, model and optimiser (torch archives are zip files).
    const auto checkpoint = runs.latestCheckpoint(result.runId);
    QVERIFY(checkpoint);
    QCOMPARE(checkpoint->epoch, 1);
    QCOMPARE(checkpoint->step, 2);
    QVERIFY(checkpoint->model.size() > 1000);
    QCOMPARE(checkpoint->model.substr(0, 2), std::string("PK"));
    QVERIFY(!checkpoint->optimizer.empty());
}

void TestTrainer::stopDuringEvaluation_data()
{
    QTest::addColumn<QString>("split");
    QTest::addColumn<QString>("error");
    QTest::newRow("validation") << QStringLiteral("val")
                                << QStringLiteral("stopped by the user at step 3");
    QTest::newRow("final test") << QStringLiteral("test")
                                << QStringLiteral("stopped by the user during the final "
                                                  "evaluation, after all 6 training steps");
}

void TestTrainer::stopDuringEvaluation()
{
    // Ctrl-C while evaluating stops at the next evaluation batch, not after the whole split.
    QFETCH(QString, split);
    QFETCH(QString, error);
    train::Trainer trainer(str(m_project), config(QStringLiteral("animals"), trainJson(2, 3)));
    Recorder recorder;
    int batchesAfterStop = 0;
    recorder.onEvaluating = [&](const std::string &s, double) {
        if (trainer.stopRequested())
            ++batchesAfterStop;
        if (qstr(s) == split)
            trainer.requestStop();
    };
    const train::RunResult result = trainer.run(&recorder);
    QCOMPARE(statusName(result.status), QStringLiteral("stopped"));
    QCOMPARE(batchesAfterStop, 0);
    QVERIFY(result.metrics.empty());
    auto project = open();
    const auto run = project->runs().find(result.runId);
    QCOMPARE(statusName(run->status), QStringLiteral("stopped"));
    QCOMPARE(qstr(run->error), error);
    QVERIFY(rowsOf(project->runs().metrics(result.runId), "test").empty());
    QVERIFY(project->runs().latestCheckpoint(result.runId).has_value());
    const double recordedSpeed = run->imagesPerSecond;
    QVERIFY(recordedSpeed > 0);

    // Resumed, it continues there; with only the final evaluation left it trains nothing and
    // keeps reporting the speed it trained at, not 0 images/s.
    train::TrainerOptions options;
    options.resumeRunId = result.runId;
    const train::RunResult resumed =
        train::Trainer(str(m_project), config(QStringLiteral("animals"), trainJson(2, 3)), options)
            .run();
    QCOMPARE(statusName(resumed.status), QStringLiteral("completed"));
    QVERIFY(!rowsOf(open()->runs().metrics(result.runId), "test").empty());
    if (split == QLatin1String("test")) {
        QCOMPARE(resumed.imagesPerSecond, recordedSpeed);
        QCOMPARE(open()->runs().find(result.runId)->imagesPerSecond, recordedSpeed);
    } else {
        QVERIFY(resumed.imagesPerSecond > 0);
    }
}

void TestTrainer::checkpointsEveryNSteps()
{
    // With train.checkpoint_every_steps = 2, a stop between epochs' ends finds a checkpoint at
    // the last even step: what a kill would lose is at most one step.
    train::Trainer trainer(str(m_project), config(QStringLiteral("animals"),
                                                  QStringLiteral(R"({"epochs": 1, "batch_size": 4,
                                     "max_steps_per_epoch": 9, "val_fraction": 0.25, "seed": 1,
                                     "threads": 1, "device": "cpu",
                                     "checkpoint_every_steps": 2})")));
    std::vector<std::int64_t> checkpointSteps;
    Recorder recorder;
    recorder.onStep = [&](const train::StepProgress &p) {
        auto project = open();
        const auto checkpoint = project->runs().latestCheckpoint(p.runId);
        checkpointSteps.push_back(checkpoint ? checkpoint->step : 0);
    };
    const auto result = trainer.run(&recorder);
    QCOMPARE(statusName(result.status), QStringLiteral("completed"));
    // Seen after steps 1..9: saved at steps 2, 4, 6, 8, and at the epoch's end (9).
    QCOMPARE(checkpointSteps, (std::vector<std::int64_t>{0, 2, 2, 4, 4, 6, 6, 8, 8}));
    QCOMPARE(open()->runs().latestCheckpoint(result.runId)->step, std::int64_t(9));
    // The rows up to a checkpoint are on file when it is: a resume from it loses nothing.
    QCOMPARE(rowsOf(open()->runs().metrics(result.runId), "train", "loss").size(),
             std::size_t(9 * 3));
}

void TestTrainer::stopFromListener()
{
    train::Trainer trainer(str(m_project), config(QStringLiteral("animals"), trainJson(2, 3)));
    Recorder recorder;
    recorder.onStep = [&](const train::StepProgress &p) {
        if (p.step == 1)
            trainer.requestStop();
    };
    const train::RunResult result = trainer.run(&recorder);

    QCOMPARE(statusName(result.status), QStringLiteral("stopped"));
    QVERIFY(trainer.stopRequested());
    QCOMPARE(result.steps, 1);
    QCOMPARE(recorder.steps.size(), std::size_t(1));
    QVERIFY(result.metrics.empty());
    QVERIFY(recorder.evaluations.empty());
    QCOMPARE(recorder.statuses,
             (QStringList{QStringLiteral("running"), QStringLiteral("stopped")}));

    auto project = open();
    const auto run = project->runs().find(result.runId);
    QCOMPARE(statusName(run->status), QStringLiteral("stopped"));
    QCOMPARE(run->stepsDone, 1);
    QCOMPARE(run->stepsTotal, 6);
    QCOMPARE(qstr(run->error), QStringLiteral("stopped by the user at step 1"));
    QVERIFY(!run->finishedAt.empty());
    const auto rows = project->runs().metrics(result.runId);
    // Step 1's losses, its rate, gradient norm and speed; no evaluation.
    QCOMPARE(rows.size(), std::size_t(6));
    QVERIFY(rowsOf(rows, "val").empty() && rowsOf(rows, "test").empty());
    // What was learnt so far is kept.
    const auto checkpoint = project->runs().latestCheckpoint(result.runId);
    QVERIFY(checkpoint);
    QCOMPARE(checkpoint->step, 1);
    QCOMPARE(checkpoint->epoch, 1);
}

void TestTrainer::stopBeforeRun()
{
    train::Trainer trainer(str(m_project), config(QStringLiteral("animals"), trainJson(1, 2)));
    const auto runId = trainer.prepare();
    QVERIFY(runId > 0);
    QCOMPARE(trainer.prepare(), runId); // idempotent
    {
        auto project = open();
        QCOMPARE(statusName(project->runs().find(runId)->status), QStringLiteral("queued"));
    }
    trainer.requestStop();
    const auto result = trainer.run();
    QCOMPARE(result.runId, runId);
    QCOMPARE(statusName(result.status), QStringLiteral("stopped"));
    QCOMPARE(result.steps, 0);
    auto project = open();
    QCOMPARE(statusName(project->runs().find(runId)->status), QStringLiteral("stopped"));
    QVERIFY(project->runs().metrics(runId).empty());
}

void TestTrainer::pauseAndResume()
{
    train::Trainer trainer(str(m_project), config(QStringLiteral("animals"), trainJson(1, 3)));
    Recorder recorder;
    std::thread resumer;
    QString storedWhilePaused;
    recorder.onStep = [&](const train::StepProgress &p) {
        if (p.step != 1)
            return;
        trainer.setPaused(true);
        resumer = std::thread([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            trainer.setPaused(false);
        });
    };
    recorder.onStatus = [&](RunStatus status) {
        if (status != RunStatus::Paused)
            return;
        // The pause is in the project file for other readers (the GUI, `runs`).
        store::Project reader(str(m_project), store::Project::OpenMode::ReadOnly);
        storedWhilePaused = statusName(reader.runs().find(trainer.runId())->status);
    };
    const auto started = std::chrono::steady_clock::now();
    const auto result = trainer.run(&recorder);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    if (resumer.joinable())
        resumer.join();

    QCOMPARE(statusName(result.status), QStringLiteral("completed"));
    QCOMPARE(result.steps, 3);
    QCOMPARE(recorder.statuses,
             (QStringList{QStringLiteral("running"), QStringLiteral("paused"),
                          QStringLiteral("running"), QStringLiteral("completed")}));
    QCOMPARE(storedWhilePaused, QStringLiteral("paused"));
    QVERIFY(!trainer.isPaused());
    QVERIFY(elapsed >= std::chrono::milliseconds(100));
    // Paused time does not count as training time.
    QVERIFY2(result.trainSeconds < std::chrono::duration<double>(elapsed).count() - 0.05,
             qPrintable(QString::number(result.trainSeconds)));
}

void TestTrainer::sameSeedSameLosses()
{
    const auto lossesOf = [&](int seed) {
        train::Trainer trainer(str(m_project),
                               config(QStringLiteral("animals"), trainJson(1, 3, seed)));
        const auto result = trainer.run();
        std::vector<double> values;
        auto project = open();
        for (const auto &row : rowsOf(project->runs().metrics(result.runId), "train", "loss"))
            values.push_back(row.value);
        return values;
    };
    const auto first = lossesOf(7);
    QCOMPARE(first.size(), std::size_t(9));
    QCOMPARE(lossesOf(7), first);
    QVERIFY(lossesOf(8) != first);
}

void TestTrainer::channelsLastTrainsAsContiguous()
{
    // The layout changes how the kernels walk memory, not what they compute: the same run in
    // both formats has the same losses up to float rounding, and the config keeps the choice.
    const auto run = [&](const char *format) {
        ExperimentConfig c = config(QStringLiteral("animals"), trainJson(1, 3, 5));
        c.train.memoryFormat = format;
        train::Trainer trainer(str(m_project), c);
        const auto result = trainer.run();
        std::vector<double> values;
        auto project = open();
        for (const auto &row : rowsOf(project->runs().metrics(result.runId), "train", "loss"))
            values.push_back(row.value);
        const auto stored = project->runs().find(result.runId);
        return std::make_pair(values, stored
                                          ? project->runs().experimentConfig(stored->experimentId)
                                          : std::string());
    };
    const auto [nchw, nchwConfig] = run("contiguous");
    const auto [nhwc, nhwcConfig] = run("channels_last");
    QCOMPARE(nhwc.size(), nchw.size());
    QVERIFY(!nchw.empty());
    for (std::size_t i = 0; i < nchw.size(); ++i)
        QVERIFY2(std::abs(nhwc[i] - nchw[i]) <= 1e-4 * std::max(1.0, std::abs(nchw[i])),
                 qPrintable(QStringLiteral("%1 vs %2").arg(nhwc[i]).arg(nchw[i])));
    QCOMPARE(nlohmann::json::parse(nhwcConfig)["train"]["memory_format"].get<std::string>(),
             std::string("channels_last"));
    QCOMPARE(nlohmann::json::parse(nchwConfig)["train"]["memory_format"].get<std::string>(),
             std::string("contiguous"));
}

// train.amp is CUDA autocast: on the CPU the run says it ignores it, records that in its
// environment, and trains exactly as without it.
void TestTrainer::ampIsIgnoredOnTheCpu()
{
    struct Warnings : train::TrainerListener {
        std::vector<std::string> seen;
        void runStarted(const train::RunStartInfo &info) override { seen = info.warnings; }
    };
    const auto run = [&](bool amp, Warnings &listener) {
        ExperimentConfig c = config(QStringLiteral("animals"), trainJson(1, 3, 5));
        c.train.amp = amp;
        train::Trainer trainer(str(m_project), c);
        const auto result = trainer.run(&listener);
        std::vector<double> values;
        auto project = open();
        for (const auto &row : rowsOf(project->runs().metrics(result.runId), "train", "loss"))
            values.push_back(row.value);
        return std::make_pair(
            values, nlohmann::json::parse(project->runs().find(result.runId)->environment));
    };
    Warnings plain, mixed;
    const auto [off, offEnvironment] = run(false, plain);
    const auto [on, onEnvironment] = run(true, mixed);
    QVERIFY(!off.empty());
    QCOMPARE(on, off); // exactly: nothing changed
    const auto said = [](const std::vector<std::string> &warnings) {
        return std::any_of(warnings.begin(), warnings.end(), [](const std::string &w) {
            return w.find("train.amp is ignored on the CPU") != std::string::npos;
        });
    };
    QVERIFY(said(mixed.seen));
    QVERIFY(!said(plain.seen));
    QCOMPARE(onEnvironment.value("amp", std::string()), std::string("ignored on the cpu"));
    QVERIFY(!offEnvironment.contains("amp"));
}

void TestTrainer::perAttributeTermsAreWeighedAndRecorded()
{
    // per_attribute: the weighting method balances kind, looks.flies and looks.mammal; each
    // term's loss is recorded under its attribute, its weight under "<task>.<attribute>", and
    // the step's total is what equal weighting summed: kind + flies + mammal.
    const std::string text = experiment::applyOverrides(
        tinyConfig(QStringLiteral("animals"), trainJson(1, 3)).toStdString(),
        {R"(tasks[1].options={"per_attribute": true})"});
    train::Trainer trainer(str(m_project), train::parseExperiment(text));
    const auto result = trainer.run();
    QCOMPARE(statusName(result.status), QStringLiteral("completed"));
    auto project = open();
    const auto rows = rowsOf(project->runs().metrics(result.runId), "train", "loss");
    std::map<std::int64_t, std::map<std::string, double>> byStep; // step → "task/attribute"
    for (const auto &row : rows)
        byStep[row.step][row.task + "/" + row.attribute] = row.value;
    QCOMPARE(byStep.size(), std::size_t(3));
    for (const auto &[step, values] : byStep) {
        QCOMPARE(values.size(), std::size_t(5)); // kind, looks, flies, mammal, total
        const double terms = values.at("looks/flies") + values.at("looks/mammal");
        QVERIFY2(std::abs(values.at("/") - (values.at("kind/") + terms)) < 1e-5,
                 qPrintable(QString::number(step)));
        // Each term averages over its own labels, the task's loss over all of them: with
        // every label present it is the terms' mean.
        QVERIFY(std::abs(values.at("looks/") - terms / 2) < 1e-5);
    }
    QStringList weighted;
    for (const auto &row : project->runs().taskWeights(result.runId))
        weighted << qstr(row.task);
    QCOMPARE(weighted, (QStringList{QStringLiteral("kind"), QStringLiteral("looks.flies"),
                                    QStringLiteral("looks.mammal")}));
}

void TestTrainer::learnsSeparableData()
{
    // The fixture's classes differ in brightness: a few epochs must get well above chance
    // (25 % for kind), or the losses, targets or optimiser are wired wrongly.
    train::Trainer trainer(str(m_project), config(QStringLiteral("animals"), trainJson(20, 0)));
    const auto result = trainer.run();
    QCOMPARE(statusName(result.status), QStringLiteral("completed"));
    QVERIFY(result.metrics.at("kind").at("accuracy") >= 0.9);
    QVERIFY(result.metrics.at("looks").at("accuracy") >= 0.9);
}

void TestTrainer::evaluatesOnValWithoutTestSplit()
{
    train::Trainer trainer(str(m_project), config(QStringLiteral("trainonly"), trainJson(1, 2)));
    Recorder recorder;
    const auto result = trainer.run(&recorder);
    QCOMPARE(statusName(result.status), QStringLiteral("completed"));
    QCOMPARE(qstr(result.evalSplit), QStringLiteral("val"));
    QCOMPARE(qstr(recorder.start.evalSplit), QStringLiteral("val"));
    QCOMPARE(recorder.start.evalSamples, 16);
    QCOMPARE(recorder.evaluations.size(), std::size_t(1)); // the epoch's validation only

    auto project = open();
    const auto rows = project->runs().metrics(result.runId);
    QVERIFY(rowsOf(rows, "test").empty());
    for (const auto &row : rowsOf(rows, "val", "accuracy")) {
        if (row.attribute.empty())
            QCOMPARE(result.metrics.at(row.task).at("accuracy"), row.value);
        else
            QCOMPARE(result.attributeAccuracy.at(row.task).at(row.attribute), row.value);
    }
    QCOMPARE(result.metrics.size(), std::size_t(2));
}

void TestTrainer::impossibleConfig_data()
{
    QTest::addColumn<QString>("dataset");
    QTest::addColumn<QStringList>("overrides");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("fragment");

    QTest::newRow("label column does not exist")
        << QStringLiteral("animals") << QStringList{QStringLiteral("tasks[0].label=colour")}
        << QStringLiteral("tasks[0].label")
        << QStringLiteral("column 'colour' is not in dataset 'animals' (columns: class "
                          "(categorical), flies (binary), legs (categorical), mammal (binary))");
    QTest::newRow("attribute column does not exist")
        << QStringLiteral("animals") << QStringList{QStringLiteral("tasks[1].labels[1]=swims")}
        << QStringLiteral("tasks[1].labels[1]")
        << QStringLiteral("column 'swims' is not in dataset 'animals'");
    QTest::newRow("attributes task over a categorical column")
        << QStringLiteral("animals") << QStringList{QStringLiteral("tasks[1].labels[0]=legs")}
        << QStringLiteral("tasks[1].labels[0]")
        << QStringLiteral("column 'legs' is categorical; an attributes task needs binary");
    QTest::newRow("an optimiser group the model does not have")
        << QStringLiteral("animals")
        << QStringList{QStringLiteral(R"(optimizer.groups={"cross_stitch": {"lr_scale": 100}})")}
        << QStringLiteral("optimizer.groups.cross_stitch")
        << QStringLiteral("this model has no parameter group 'cross_stitch' (groups: heads, "
                          "shared, head.kind, head.looks, weighting)");
    QTest::newRow("dataset does not exist")
        << QStringLiteral("plants") << QStringList() << QStringLiteral("dataset")
        << QStringLiteral("dataset 'plants' is not in");
    QTest::newRow("dataset without a train split")
        << QStringLiteral("testonly") << QStringList() << QStringLiteral("dataset")
        << QStringLiteral("dataset 'testonly' has no 'train' split to train on");
}

void TestTrainer::impossibleConfig()
{
    QFETCH(QString, dataset);
    QFETCH(QStringList, overrides);
    QFETCH(QString, key);
    QFETCH(QString, fragment);

    std::vector<std::string> items;
    for (const QString &o : overrides)
        items.push_back(str(o));
    const std::string json =
        experiment::applyOverrides(tinyConfig(dataset, trainJson(1, 2)).toStdString(), items);
    const ExperimentConfig c = train::parseExperiment(json); // valid as a config
    std::size_t runsBefore = 0;
    {
        auto project = open();
        runsBefore = project->runs().list().size();
    }

    train::Trainer trainer(str(m_project), c);
    const auto error = catchError([&] { trainer.prepare(); });
    QVERIFY2(error, "a config that cannot run on the dataset was accepted");
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::Config));
    QCOMPARE(qstr(error->where().key), key);
    const QString what = QString::fromUtf8(error->what());
    QVERIFY2(what.startsWith(key + QStringLiteral(": ")), qPrintable(what));
    QVERIFY2(what.contains(fragment), qPrintable(what));
    // run() reports the same problem, and no run is recorded.
    const auto again = catchError([&] { train::Trainer(str(m_project), c).run(); });
    QVERIFY(again);
    QCOMPARE(QString::fromUtf8(again->what()), what);
    auto project = open();
    QCOMPARE(project->runs().list().size(), runsBefore);
}

void TestTrainer::unavailableDeviceIsASetUpError()
{
    if (train::resolveDevice("auto") != "cpu")
        QSKIP("this machine has a CUDA device");
    const std::size_t runsBefore = open()->runs().list().size();
    train::Trainer trainer(str(m_project),
                           config(QStringLiteral("animals"), trainJson(1, 2, 1, "cuda:1")));
    const auto error = catchError([&] { trainer.prepare(); });
    QVERIFY(error.has_value());
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::Config));
    QCOMPARE(qstr(error->where().key), QStringLiteral("train.device"));
    QVERIFY2(qstr(error->message()).contains(QStringLiteral("CUDA")), error->what());
    QCOMPARE(open()->runs().list().size(), runsBefore); // nothing recorded
}

void TestTrainer::probesSeeEveryHook()
{
    auto probe = std::make_shared<HookProbe>();
    train::TrainerOptions options;
    options.extraProbes.push_back(probe);
    train::Trainer trainer(str(m_project), config(QStringLiteral("animals"), trainJson(2, 3)),
                           options);
    const auto result = trainer.run();
    QCOMPARE(statusName(result.status), QStringLiteral("completed"));
    QCOMPARE(probe->steps, (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}));
    QCOMPARE(probe->outputsPerStep, std::size_t(2));
    QCOMPARE(probe->epochs, (std::vector<int>{1, 2}));
    QCOMPARE(probe->groups, std::size_t(3)); // shared, head.kind, head.looks
    QVERIFY(probe->tapped);
    // Validation sees the 16 held-out samples each epoch, the test evaluation all 32 test
    // samples, each once.
    QCOMPARE(probe->seen.size(), std::size_t(3));
    auto project = open();
    const auto dataset = project->datasets().find("animals");
    for (const char *key : {"val 1", "val 2", "test 2"}) {
        std::vector<std::int64_t> ids = probe->seen[key];
        std::sort(ids.begin(), ids.end());
        QVERIFY2(std::adjacent_find(ids.begin(), ids.end()) == ids.end(), key);
        QCOMPARE(ids.size(), std::size_t(std::string(key).rfind("val", 0) == 0 ? 16 : 32));
    }
    QCOMPARE(probe->seen["val 1"], probe->seen["val 2"]);
    QVERIFY(dataset);
    const auto hooks = rowsOf(project->runs().metrics(result.runId), "train", "hook");
    QCOMPARE(hooks.size(), std::size_t(2));
    QCOMPARE(hooks[1].value, 2.0);
}

void TestTrainer::parameterNormsAndGroupLearningRates()
{
    // The shared backbone at a billionth of the learning rate stays where it was; the heads
    // learn. param_norms records each group's norm after each epoch.
    const std::string json = experiment::applyOverrides(
        tinyConfig(QStringLiteral("animals"), trainJson(2, 3)).toStdString(),
        {R"(optimizer.groups={"shared": {"lr_scale": 1e-9}})", R"(probes=["param_norms"])"});
    train::Trainer trainer(str(m_project), train::parseExperiment(json));
    const auto result = trainer.run();
    QCOMPARE(statusName(result.status), QStringLiteral("completed"));
    const auto rows = rowsOf(open()->runs().metrics(result.runId), "train", "param_norm");
    QCOMPARE(rows.size(), std::size_t(6)); // 3 groups × 2 epochs
    std::map<std::string, std::vector<double>> norms;
    for (const auto &row : rows)
        norms[row.attribute].push_back(row.value);
    QCOMPARE(qstr(rows[1].task), QStringLiteral("kind"));
    QCOMPARE(qstr(rows[1].attribute), QStringLiteral("head.kind"));
    const auto change = [](const std::vector<double> &v) { return std::abs(v[1] - v[0]) / v[0]; };
    QVERIFY2(change(norms["shared"]) < 1e-6, qPrintable(QString::number(change(norms["shared"]))));
    QVERIFY2(change(norms["head.kind"]) > 1e-4,
             qPrintable(QString::number(change(norms["head.kind"]))));
    QVERIFY(open()->runs().taskWeights(result.runId).empty()); // task_weights not chosen
}

void TestTrainer::architectureProbesRecordAlphaMasksAndGates()
{
    // cross_stitch_alpha: every unit's T×T α after each epoch, starting at 0.9 / 0.1 and
    // moving, through optimizer.groups.cross_stitch at the base rate. attention_masks: each MTAN
    // mask's validation mean.
    const std::string stitched = experiment::applyOverrides(
        tinyConfig(QStringLiteral("animals"), trainJson(2, 3)).toStdString(),
        {R"(model={"backbone": "small_cnn", "backbone_options": {"width": 4},
                   "sharing": "cross_stitch"})",
         R"(probes=["cross_stitch_alpha"])",
         // Adam moves each α by at most lr × lr_scale per step: 0.01 here, over 6 steps.
         R"(optimizer.groups={"cross_stitch": {"lr_scale": 1}})"});
    train::Trainer trainer(str(m_project), train::parseExperiment(stitched));
    const auto result = trainer.run();
    QCOMPARE(statusName(result.status), QStringLiteral("completed"));
    const auto alpha = rowsOf(open()->runs().metrics(result.runId), "train", "cross_stitch_alpha");
    QCOMPARE(alpha.size(), std::size_t(3 * 4 * 2)); // 3 units × 2×2 tasks × 2 epochs
    bool moved = false;
    for (const auto &row : alpha) {
        const bool self = row.attribute.substr(row.attribute.find('.') + 1) == row.task;
        QVERIFY2(std::abs(row.value - (self ? 0.9 : 0.1)) <= 6 * 0.01 + 1e-6,
                 row.attribute.c_str());
        moved |= std::abs(row.value - (self ? 0.9 : 0.1)) > 1e-4;
    }
    QVERIFY(moved);
    QCOMPARE(qstr(alpha[1].attribute), QStringLiteral("after_stage0.looks"));

    const std::string attended = experiment::applyOverrides(
        tinyConfig(QStringLiteral("animals"), trainJson(2, 3)).toStdString(),
        {R"(model={"backbone": "small_cnn", "backbone_options": {"width": 4}, "sharing": "mtan"})",
         R"(probes=["attention_masks", "cross_stitch_alpha"])"});
    train::Trainer mtan(str(m_project), train::parseExperiment(attended));
    const auto masked = mtan.run();
    QCOMPARE(statusName(masked.status), QStringLiteral("completed"));
    const auto metrics = open()->runs().metrics(masked.runId);
    const auto means = rowsOf(metrics, "val", "attention_mean");
    QCOMPARE(means.size(), std::size_t(2 * 3 * 2)); // 2 tasks × 3 stages × 2 epochs
    for (const auto &row : means)
        QVERIFY2(row.value > 0.0 && row.value < 1.0, row.attribute.c_str());
    QCOMPARE(qstr(means.front().attribute), QStringLiteral("stage0"));
    QVERIFY(rowsOf(metrics, "train", "cross_stitch_alpha").empty()); // no units in MTAN

    // gate_weights: the validation mean of each task's gate, per expert; DSelect-k's penalty
    // is recorded beside the task losses, as every extra loss of a model is.
    const std::string gated = experiment::applyOverrides(
        tinyConfig(QStringLiteral("animals"), trainJson(2, 3)).toStdString(),
        {R"(model={"backbone": "small_cnn", "backbone_options": {"width": 4},
                   "sharing": "dselect_k", "sharing_options": {"experts": 4}})",
         R"(probes=["gate_weights", "attention_masks"])"});
    train::Trainer moe(str(m_project), train::parseExperiment(gated));
    const auto mixed = moe.run();
    QCOMPARE(statusName(mixed.status), QStringLiteral("completed"));
    const auto gateMetrics = open()->runs().metrics(mixed.runId);
    const auto gates = rowsOf(gateMetrics, "val", "gate_weight");
    QCOMPARE(gates.size(), std::size_t(2 * 4 * 2)); // 2 tasks × 4 experts × 2 epochs
    QCOMPARE(qstr(gates.front().attribute), QStringLiteral("level0.expert0"));
    std::map<std::pair<int, std::string>, double> sums;
    for (const auto &row : gates)
        sums[{row.epoch, row.task}] += row.value;
    QCOMPARE(sums.size(), std::size_t(2 * 2));
    for (const auto &[key, sum] : sums)
        QVERIFY2(std::abs(sum - 1.0) < 1e-6, key.second.c_str());  // 4 = 2² experts: sums to 1
    QVERIFY(rowsOf(gateMetrics, "val", "attention_mean").empty()); // no attention here
    int penalties = 0;
    for (const auto &row : rowsOf(gateMetrics, "train", "loss"))
        penalties += row.attribute.rfind("dselect_k.", 0) == 0;
    QCOMPARE(penalties, 2 * 6); // 2 tasks × 6 steps

    // latent_tasks: MTL-CNN's L (a norm per latent task) and S (each attribute's weights, by
    // the attribute's name); both penalties are recorded as extra losses.
    const std::string factored = experiment::applyOverrides(
        tinyConfig(QStringLiteral("animals"), trainJson(2, 3)).toStdString(),
        {R"(model={"backbone": "small_cnn", "backbone_options": {"width": 4},
                   "sharing": "mtl_cnn", "sharing_options": {"latent_tasks": 3,
                   "groups": [["flies", "mammal"]]}})",
         R"(probes=["latent_tasks"])",
         // The paper's hinge loss, and positive weights balanced on the training split.
         R"(tasks[1].options={"loss": "hinge", "pos_weight": "balanced"})"});
    train::Trainer mtlcnn(str(m_project), train::parseExperiment(factored));
    Recorder header;
    const auto decomposed = mtlcnn.run(&header);
    QCOMPARE(header.start.taskNotes.size(), std::size_t(1));
    QVERIFY2(QString::fromStdString(header.start.taskNotes[0])
                 .startsWith(QStringLiteral("looks: pos_weight flies ")),
             header.start.taskNotes[0].c_str());
    QCOMPARE(statusName(decomposed.status), QStringLiteral("completed"));
    const auto latentMetrics = open()->runs().metrics(decomposed.runId);
    const auto norms = rowsOf(latentMetrics, "train", "latent_norm");
    QCOMPARE(norms.size(), std::size_t(3 * 2)); // 3 latent tasks × 2 epochs
    for (const auto &row : norms)
        QVERIFY(row.value > 0);
    const auto weights = rowsOf(latentMetrics, "train", "latent_weight");
    QCOMPARE(weights.size(), std::size_t(2 * 3 * 2)); // 2 attributes × 3 latent tasks × 2 epochs
    QCOMPARE(qstr(weights.front().task), QStringLiteral("looks"));
    QCOMPARE(qstr(weights.front().attribute), QStringLiteral("flies.latent0"));
    QSet<QString> extras;
    for (const auto &row : rowsOf(latentMetrics, "train", "loss"))
        if (row.task.empty() && !row.attribute.empty())
            extras << qstr(row.attribute);
    QCOMPARE(extras, (QSet<QString>{QStringLiteral("mtl_cnn.group_sparsity"),
                                    QStringLiteral("mtl_cnn.latent_l1")}));
}

void TestTrainer::resumeContinuesTheSameRun_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<int>("epochs");
    QTest::addColumn<int>("stopAt");
    QTest::newRow("inside the first epoch") << QStringLiteral("equal") << 2 << 1;
    QTest::newRow("at the end of the first epoch") << QStringLiteral("equal") << 2 << 3;
    QTest::newRow("inside the second epoch") << QStringLiteral("equal") << 2 << 4;
    // Each method's state travels too: learned log-variances, GradNorm's weights and their
    // optimiser, FAMO's logits, the random draws of RLW and PCGrad; DWA's epoch means (its
    // weights move from the third epoch, and the stop splits the second).
    QTest::newRow("uncertainty") << QStringLiteral("uncertainty") << 2 << 4;
    QTest::newRow("dwa") << QStringLiteral("dwa") << 3 << 5;
    QTest::newRow("gradnorm") << QStringLiteral("gradnorm") << 2 << 2;
    QTest::newRow("famo") << QStringLiteral("famo") << 2 << 2;
    QTest::newRow("pcgrad") << QStringLiteral("pcgrad") << 2 << 4;
    QTest::newRow("rlw") << QStringLiteral("rlw") << 2 << 2;
    // Methods with state of the second wave: averages of gradients, targets, α, learned scales.
    QTest::newRow("gradvac") << QStringLiteral("gradvac") << 2 << 3;
    QTest::newRow("nash_mtl") << QStringLiteral("nash_mtl") << 2 << 3;
    QTest::newRow("imtl") << QStringLiteral("imtl") << 2 << 3;
    QTest::newRow("db_mtl") << QStringLiteral("db_mtl") << 2 << 3;
    QTest::newRow("moco") << QStringLiteral("moco") << 2 << 3;
    QTest::newRow("excess_mtl") << QStringLiteral("excess_mtl") << 2 << 3;
    // Several batches per step: the second pass over the data resumes at the same batch (after
    // 2 per step, across passes: 2 epochs × 3 steps draw more than one pass of it).
    QTest::newRow("sdmgrad") << QStringLiteral("sdmgrad") << 2 << 4;
    QTest::newRow("modo") << QStringLiteral("modo") << 2 << 2;
    QTest::newRow("auto_lambda") << QStringLiteral("auto_lambda") << 2 << 4;
    QTest::newRow("moml") << QStringLiteral("moml") << 2 << 3;
    QTest::newRow("forum") << QStringLiteral("forum") << 2 << 4;
}

void TestTrainer::resumeContinuesTheSameRun()
{
    // A stopped run continued from its checkpoint trains exactly the steps that were left,
    // with the same batches and state: its losses equal those of an uninterrupted run.
    QFETCH(QString, method);
    QFETCH(int, epochs);
    QFETCH(int, stopAt);
    auto cfg = config(QStringLiteral("animals"), trainJson(epochs, 3, 7));
    cfg.weighting.method = method.toStdString();
    const int steps = 3 * epochs;
    train::Trainer reference(str(m_project), cfg);
    const train::RunResult whole = reference.run();
    QVERIFY2(whole.error.empty(), whole.error.c_str());
    QCOMPARE(statusName(whole.status), QStringLiteral("completed"));

    train::Trainer first(str(m_project), cfg);
    Recorder stopper;
    stopper.onStep = [&](const train::StepProgress &p) {
        if (p.step == stopAt)
            first.requestStop();
    };
    const train::RunResult stopped = first.run(&stopper);
    QCOMPARE(statusName(stopped.status), QStringLiteral("stopped"));
    QCOMPARE(stopped.steps, std::int64_t(stopAt));

    train::TrainerOptions options;
    options.resumeRunId = stopped.runId;
    train::Trainer second(str(m_project), cfg, options);
    Recorder recorder;
    const train::RunResult resumed = second.run(&recorder);
    QCOMPARE(resumed.runId, stopped.runId);
    QCOMPARE(statusName(resumed.status), QStringLiteral("completed"));
    QCOMPARE(resumed.steps, std::int64_t(steps));
    QCOMPARE(recorder.start.resumedFromStep, std::int64_t(stopAt));
    QCOMPARE(recorder.steps.size(), std::size_t(steps - stopAt));
    QCOMPARE(recorder.steps.front().step, std::int64_t(stopAt + 1));

    auto project = open();
    const auto run = project->runs().find(resumed.runId);
    QCOMPARE(statusName(run->status), QStringLiteral("completed"));
    QVERIFY(run->error.empty());
    QCOMPARE(run->stepsDone, std::int64_t(steps));
    // Every step's loss recorded once, equal to the uninterrupted run's.
    const auto lossesOf = [&](std::int64_t runId) {
        std::vector<double> values;
        for (const auto &row : rowsOf(project->runs().metrics(runId), "train", "loss"))
            if (row.task == "kind")
                values.push_back(row.value);
        return values;
    };
    const std::vector<double> expected = lossesOf(whole.runId), actual = lossesOf(resumed.runId);
    QCOMPARE(actual.size(), std::size_t(steps));
    for (std::size_t i = 0; i < actual.size(); ++i)
        QVERIFY2(
            std::abs(actual[i] - expected[i]) <= 1e-5 * std::abs(expected[i]),
            qPrintable(
                QStringLiteral("step %1: %2 vs %3").arg(i + 1).arg(actual[i]).arg(expected[i])));
    QCOMPARE(rowsOf(project->runs().metrics(resumed.runId), "test", "accuracy").size(),
             rowsOf(project->runs().metrics(whole.runId), "test", "accuracy").size());
    // Every epoch validated once, also when the stop came right after an epoch's last batch.
    QCOMPARE(rowsOf(project->runs().metrics(resumed.runId), "val", "accuracy").size(),
             rowsOf(project->runs().metrics(whole.runId), "val", "accuracy").size());
    QCOMPARE(resumed.metrics.at("kind").at("accuracy"), whole.metrics.at("kind").at("accuracy"));
}

void TestTrainer::resumeRefusals()
{
    const auto cfg = config(QStringLiteral("animals"), trainJson(1, 2));
    train::Trainer done(str(m_project), cfg);
    const auto completed = done.run();
    QCOMPARE(statusName(completed.status), QStringLiteral("completed"));

    const auto refusal = [&](std::int64_t runId, const ExperimentConfig &c) {
        train::TrainerOptions options;
        options.resumeRunId = runId;
        train::Trainer trainer(str(m_project), c, options);
        return catchError([&] { trainer.prepare(); });
    };
    auto error = refusal(completed.runId, cfg);
    QVERIFY(error);
    QVERIFY2(qstr(error->message()).contains(QStringLiteral("is completed")), error->what());
    error = refusal(99999, cfg);
    QVERIFY(error);
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::NotFound));

    train::Trainer first(str(m_project), cfg);
    Recorder stopper;
    stopper.onStep = [&](const train::StepProgress &) { first.requestStop(); };
    const auto stopped = first.run(&stopper);
    error = refusal(stopped.runId, config(QStringLiteral("animals"), trainJson(3, 2)));
    QVERIFY(error);
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::Config));
    // A refused resume leaves the run as it was.
    QCOMPARE(statusName(open()->runs().find(stopped.runId)->status), QStringLiteral("stopped"));
}

void TestTrainer::resumesACheckpointOfSchemaVersion1()
{
    // Checkpoints of earlier builds have no trainer state (weighting, generator, probes):
    // such a stopped run still continues, with the same losses as an uninterrupted one.
    const auto cfg = config(QStringLiteral("animals"), trainJson(2, 3, 5));
    const train::RunResult whole = train::Trainer(str(m_project), cfg).run();
    train::Trainer first(str(m_project), cfg);
    Recorder stopper;
    stopper.onStep = [&](const train::StepProgress &p) {
        if (p.step == 2)
            first.requestStop();
    };
    const train::RunResult stopped = first.run(&stopper);
    QCOMPARE(statusName(stopped.status), QStringLiteral("stopped"));
    open()->db().exec("UPDATE checkpoints SET state = NULL WHERE run_id = " +
                      std::to_string(stopped.runId));
    QVERIFY(open()->runs().latestCheckpoint(stopped.runId)->state.empty());

    train::TrainerOptions options;
    options.resumeRunId = stopped.runId;
    const train::RunResult resumed = train::Trainer(str(m_project), cfg, options).run();
    QCOMPARE(statusName(resumed.status), QStringLiteral("completed"));
    auto project = open();
    const auto lossesOf = [&](std::int64_t runId) {
        std::vector<double> values;
        for (const auto &row : rowsOf(project->runs().metrics(runId), "train", "loss"))
            values.push_back(row.value);
        return values;
    };
    QCOMPARE(lossesOf(resumed.runId), lossesOf(whole.runId));
}

QTEST_APPLESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
