// How a run is steered, on the tiny generated dataset (64 train and 32 test images of 8x8):
// the learning rate each step follows the schedule and is recorded with the gradient norm and
// the speed; clip_norm caps the step; early stopping and keep_best follow the validation
// metric; a NaN loss or gradient fails the run naming the step and what turned NaN, keeping
// the last checkpoint; a stop after the epoch can be resumed; and a resumed run with a
// schedule or early stopping trains exactly as an uninterrupted one.

#include "train/trainer.h"

#include "train/catalog.h"
#include "train/probe.h"

#include "model/multitask.h"

#include "common/error.h"
#include "data/idximporter.h"
#include "store/project.h"

#include "fixtures.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <functional>

using namespace mtl;
using namespace mtl::test;
using experiment::ExperimentConfig;
using nlohmann::json;
using store::RunStatus;

namespace {
// Calls onStep after every step (on the training thread); keeps the run's header.
struct Listener final : train::TrainerListener {
    std::function<void(const train::StepProgress &)> onStep;
    train::RunStartInfo start;
    void runStarted(const train::RunStartInfo &info) override { start = info; }
    void stepFinished(const train::StepProgress &p) override
    {
        if (onStep)
            onStep(p);
    }
};

// Every parameter of the model, flattened, after each epoch.
struct ParameterProbe final : train::Probe {
    std::string name() const override { return "parameters"; }
    void afterEpoch(const train::EpochRecord &epoch, store::RecordBatch &) override
    {
        std::vector<at::Tensor> flat;
        for (const at::Tensor &p : epoch.model.parameters())
            flat.push_back(p.detach().flatten().to(torch::kDouble));
        last = torch::cat(flat).clone();
    }
    at::Tensor last;
};

// The tiny config with `patch` merged in (RFC 7386: null removes a key).
ExperimentConfig configWith(int epochs, int steps, const json &patch = json::object())
{
    const QString train = QStringLiteral(R"({"epochs": %1, "batch_size": 16,
        "max_steps_per_epoch": %2, "val_fraction": 0.25, "seed": 5, "threads": 1,
        "device": "cpu"})")
                              .arg(epochs)
                              .arg(steps);
    json root = json::parse(tinyConfig(QStringLiteral("animals"), train).toStdString());
    root.merge_patch(patch);
    return train::parseExperiment(root.dump(), "<tiny>");
}

// Train rows named `name` of the run's total (task ""), in step order.
std::vector<double> totals(store::Project &project, std::int64_t runId, const std::string &name)
{
    std::vector<double> values;
    for (const auto &row : project.runs().metrics(runId))
        if (row.split == "train" && row.task.empty() && row.attribute.empty() && row.name == name)
            values.push_back(row.value);
    return values;
}

std::vector<double> kindLosses(store::Project &project, std::int64_t runId)
{
    std::vector<double> values;
    for (const auto &row : project.runs().metrics(runId))
        if (row.split == "train" && row.task == "kind" && row.name == "loss")
            values.push_back(row.value);
    return values;
}

std::vector<store::MetricRow> rowsOf(store::Project &project, std::int64_t runId,
                                     const std::string &split, const std::string &name)
{
    std::vector<store::MetricRow> rows;
    for (const auto &row : project.runs().metrics(runId))
        if (row.split == split && row.name == name && row.attribute.empty())
            rows.push_back(row);
    return rows;
}

// Trains `c` until the step `stopAt`, stops, and resumes the run to its end: the resumed result.
train::RunResult stopAndResume(const QString &project, const ExperimentConfig &c,
                               std::int64_t stopAt)
{
    train::Trainer first(str(project), c);
    Listener stopper;
    stopper.onStep = [&](const train::StepProgress &p) {
        if (p.step == stopAt)
            first.requestStop();
    };
    const train::RunResult stopped = first.run(&stopper);
    if (stopped.status != RunStatus::Stopped)
        qWarning("run %lld did not stop at step %lld", static_cast<long long>(stopped.runId),
                 static_cast<long long>(stopAt));
    train::TrainerOptions options;
    options.resumeRunId = stopped.runId;
    train::Trainer second(str(project), c, options);
    return second.run();
}

bool contains(const std::string &text, const std::string &part)
{
    return text.find(part) != std::string::npos;
}

void compareSequences(const std::vector<double> &actual, const std::vector<double> &expected,
                      const char *what)
{
    QVERIFY2(actual.size() == expected.size(),
             qPrintable(QStringLiteral("%1: %2 values, expected %3")
                            .arg(QLatin1String(what))
                            .arg(actual.size())
                            .arg(expected.size())));
    for (std::size_t i = 0; i < actual.size(); ++i)
        QVERIFY2(std::abs(actual[i] - expected[i]) <= 1e-5 * std::abs(expected[i]) + 1e-12,
                 qPrintable(QStringLiteral("%1 %2: %3 vs %4")
                                .arg(QLatin1String(what))
                                .arg(i + 1)
                                .arg(actual[i], 0, 'g', 10)
                                .arg(expected[i], 0, 'g', 10)));
}
} // namespace

class TestRunControl : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void recordsLearningRateGradientNormAndSpeed();
    void gradientNormIsTheTrueNormAndClipCapsIt();
    void earlyStoppingEndsTheRunWithANote();
    void keepBestEvaluatesTheBestEpoch();
    void resumeTrainsAsAnUninterruptedRun_data();
    void resumeTrainsAsAnUninterruptedRun();
    void nanLossFailsNamingStepAndTask();
    void nanGradientFailsNamingTheParameter();
    void stopAfterEpoch();
    void monitorProblems();

private:
    std::unique_ptr<store::Project> open() const
    {
        return std::make_unique<store::Project>(str(m_project));
    }
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_project;
};

void TestRunControl::initTestCase()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_project = QDir(m_dir->path()).filePath(QStringLiteral("control.mtlproj"));
    const TinyDataset d = writeTinyDataset(m_dir->path(), 64, 32, true);
    importAnimals(m_project, "animals", d.train, &d.test);
}

void TestRunControl::cleanupTestCase()
{
    m_dir.reset();
}

void TestRunControl::recordsLearningRateGradientNormAndSpeed()
{
    const ExperimentConfig c = configWith(
        3, 2, {{"scheduler", {{"name", "step"}, {"options", {{"step_size", 1}, {"gamma", 0.5}}}}}});
    train::Trainer trainer(str(m_project), c);
    Listener listener;
    const train::RunResult result = trainer.run(&listener);
    QVERIFY2(result.error.empty(), result.error.c_str());
    QCOMPARE(qstr(listener.start.optimizer),
             QStringLiteral("adam lr 0.01 · step (step_size 1, gamma 0.5)"));

    auto project = open();
    // The rate of each step: halved after every epoch of 2 steps.
    compareSequences(totals(*project, result.runId, "lr"),
                     {0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025}, "lr");
    const auto norms = totals(*project, result.runId, "grad_norm");
    QCOMPARE(norms.size(), std::size_t(6));
    for (const double n : norms)
        QVERIFY(std::isfinite(n) && n > 0);
    const auto speeds = totals(*project, result.runId, "images_per_s");
    QCOMPARE(speeds.size(), std::size_t(6));
    for (const double s : speeds)
        QVERIFY(s > 0);

    // What it ran on.
    const auto run = project->runs().find(result.runId);
    const json env = json::parse(run->environment);
    QCOMPARE(qstr(env.at("libtorch").get<std::string>()), QStringLiteral("1.13.0"));
    QCOMPARE(qstr(env.at("device").get<std::string>()), QStringLiteral("cpu"));
    QCOMPARE(env.at("threads").get<int>(), 1);
    QCOMPARE(env.at("seed").get<int>(), 5);
    QVERIFY(!env.at("blas").get<std::string>().empty());
    QVERIFY(!env.at("mtlstudio").get<std::string>().empty());
    QVERIFY(run->note.empty()); // it ran to its end
}

void TestRunControl::gradientNormIsTheTrueNormAndClipCapsIt()
{
    // One SGD step without momentum moves the parameters by lr × the gradient: the distance
    // from where they started is lr × grad_norm, or lr × clip_norm once clipped. Where they
    // started: a run whose rate is too small to move a float.
    const auto parametersAfterOneStep = [&](double lr, double clip, double *gradNorm) {
        const ExperimentConfig c = configWith(
            1, 1,
            {{"optimizer", {{"name", "sgd"}, {"lr", lr}, {"momentum", 0}, {"clip_norm", clip}}}});
        auto probe = std::make_shared<ParameterProbe>();
        train::TrainerOptions options;
        options.extraProbes.push_back(probe);
        train::Trainer trainer(str(m_project), c, options);
        const train::RunResult result = trainer.run();
        if (!result.error.empty())
            qWarning("%s", result.error.c_str());
        auto project = open();
        const auto norms = totals(*project, result.runId, "grad_norm");
        *gradNorm = norms.empty() ? -1.0 : norms.front();
        return probe->last;
    };
    double normStill = 0, normFree = 0, normClipped = 0;
    const at::Tensor start = parametersAfterOneStep(1e-12, 0, &normStill);
    const at::Tensor free = parametersAfterOneStep(1e-3, 0, &normFree);
    const double clip = 0.01;
    const at::Tensor clipped = parametersAfterOneStep(1e-3, clip, &normClipped);
    QVERIFY(start.defined() && free.defined() && clipped.defined());
    // The same first gradient in each run; grad_norm is its norm before clipping.
    QCOMPARE(normFree, normStill);
    QCOMPARE(normClipped, normStill);
    QVERIFY2(normFree > 2 * clip, qPrintable(QString::number(normFree)));

    const double moved = (free - start).norm().item<double>();
    QVERIFY2(
        std::abs(moved - 1e-3 * normFree) < 1e-3 * (1e-3 * normFree),
        qPrintable(QStringLiteral("moved %1, lr × grad_norm %2").arg(moved).arg(1e-3 * normFree)));
    const double movedClipped = (clipped - start).norm().item<double>();
    QVERIFY2(std::abs(movedClipped - 1e-3 * clip) < 1e-3 * (1e-3 * clip),
             qPrintable(
                 QStringLiteral("moved %1, lr × clip_norm %2").arg(movedClipped).arg(1e-3 * clip)));
}

void TestRunControl::earlyStoppingEndsTheRunWithANote()
{
    // Nothing improves by more than 1e9: the first epoch is the best, the second is one
    // without improvement, and patience 1 stops the run there, with its final evaluation.
    const ExperimentConfig c = configWith(4, 2, {{"train", {{"patience", 1}, {"min_delta", 1e9}}}});
    train::Trainer trainer(str(m_project), c);
    Listener listener;
    const train::RunResult result = trainer.run(&listener);
    QVERIFY2(result.error.empty(), result.error.c_str());
    QCOMPARE(statusName(result.status), QStringLiteral("completed"));
    QCOMPARE(result.steps, std::int64_t(4));
    QVERIFY(contains(listener.start.optimizer,
                     "early stopping on val loss (patience 1, min_delta 1e+09)"));

    auto project = open();
    const auto val = rowsOf(*project, result.runId, "val", "loss");
    QVERIFY(!val.empty());
    double best = 0;
    int count = 0;
    for (const auto &row : val) {
        QVERIFY(row.epoch <= 2);
        if (row.epoch == 1 && !row.task.empty()) {
            best += row.value;
            ++count;
        }
    }
    best /= count;
    std::ostringstream bestText;
    bestText << best;
    const std::string note = "early stopping: val loss did not improve by more than 1e+09 for 1 "
                             "epoch (best " +
                             bestText.str() + " at epoch 1); stopped after epoch 2 of 4";
    QCOMPARE(qstr(result.note), qstr(note));
    const auto run = project->runs().find(result.runId);
    QCOMPARE(qstr(run->note), qstr(note));
    QCOMPARE(run->stepsDone, std::int64_t(4));
    QCOMPARE(run->stepsTotal, std::int64_t(8));
    QVERIFY(!rowsOf(*project, result.runId, "test", "accuracy").empty());
    QVERIFY(result.metrics.count("kind"));
}

void TestRunControl::keepBestEvaluatesTheBestEpoch()
{
    // With min_delta 1e9 only the first epoch counts as an improvement, so the best weights
    // are the first epoch's: the final test must equal that of a run of one epoch.
    const ExperimentConfig c =
        configWith(3, 2, {{"train", {{"keep_best", true}, {"min_delta", 1e9}}}});
    const ExperimentConfig one = configWith(1, 2);
    train::Trainer reference(str(m_project), one);
    const train::RunResult short_ = reference.run();
    QVERIFY2(short_.error.empty(), short_.error.c_str());

    train::Trainer trainer(str(m_project), c);
    const train::RunResult result = trainer.run();
    QVERIFY2(result.error.empty(), result.error.c_str());
    QCOMPARE(result.steps, std::int64_t(6)); // keep_best alone does not stop early
    QCOMPARE(result.metrics.at("kind").at("accuracy"), short_.metrics.at("kind").at("accuracy"));
    QCOMPARE(result.metrics.at("kind").at("loss"), short_.metrics.at("kind").at("loss"));
    QCOMPARE(result.metrics.at("looks").at("loss"), short_.metrics.at("looks").at("loss"));
    QVERIFY2(contains(result.note, "final evaluation with the weights of epoch 1 (best val loss "),
             result.note.c_str());

    auto project = open();
    const auto best = project->runs().bestCheckpoint(result.runId);
    QVERIFY(best);
    QCOMPARE(best->epoch, 1);
    QCOMPARE(best->step, std::int64_t(2));
    QCOMPARE(project->runs().latestCheckpoint(result.runId)->epoch, 3); // both kinds kept
    for (const auto &row : rowsOf(*project, result.runId, "test", "accuracy"))
        QCOMPARE(row.epoch, 1); // the test rows say whose weights they measured
    QCOMPARE(qstr(project->runs().find(result.runId)->note), qstr(result.note));

    // Stopped in the last epoch and resumed: the best weights come from the project file.
    const train::RunResult resumed = stopAndResume(m_project, c, 5);
    QCOMPARE(resumed.steps, std::int64_t(6)); // a stopped run would have 5
    QVERIFY2(resumed.error.empty(), resumed.error.c_str());
    QCOMPARE(resumed.metrics.at("kind").at("accuracy"), short_.metrics.at("kind").at("accuracy"));
    QCOMPARE(resumed.metrics.at("looks").at("loss"), short_.metrics.at("looks").at("loss"));
}

void TestRunControl::resumeTrainsAsAnUninterruptedRun_data()
{
    QTest::addColumn<QString>("patch");
    QTest::addColumn<int>("epochs");
    QTest::addColumn<int>("stopAt");
    // 3 steps per epoch.
    QTest::newRow("cosine with warm-up")
        << R"({"scheduler": {"name": "cosine", "options": {"warmup_steps": 2}}})" << 2 << 4;
    // threshold 1: no epoch after the first improves, so each halves the rate.
    const char *plateau =
        R"({"scheduler": {"name": "plateau", "options": {"factor": 0.5, "patience": 0,
            "threshold": 1}}})";
    QTest::newRow("plateau, inside an epoch") << plateau << 3 << 5;
    QTest::newRow("plateau, right after an epoch") << plateau << 3 << 3;
    QTest::newRow("early stopping, inside an epoch")
        << R"({"train": {"patience": 2, "min_delta": 1e9}})" << 4 << 4;
    QTest::newRow("early stopping, right after an epoch")
        << R"({"train": {"patience": 2, "min_delta": 1e9}})" << 4 << 6;
    QTest::newRow("sgd with nesterov, clipped")
        << R"({"optimizer": {"name": "sgd", "lr": 0.05, "nesterov": true, "clip_norm": 0.5}})" << 2
        << 4;
}

void TestRunControl::resumeTrainsAsAnUninterruptedRun()
{
    QFETCH(QString, patch);
    QFETCH(int, epochs);
    QFETCH(int, stopAt);
    const ExperimentConfig c = configWith(epochs, 3, json::parse(str(patch)));
    train::Trainer reference(str(m_project), c);
    const train::RunResult whole = reference.run();
    QVERIFY2(whole.error.empty(), whole.error.c_str());

    const train::RunResult resumed = stopAndResume(m_project, c, stopAt);
    QVERIFY2(resumed.error.empty(), resumed.error.c_str());
    QCOMPARE(statusName(resumed.status), statusName(whole.status));
    QCOMPARE(resumed.steps, whole.steps);
    QCOMPARE(qstr(resumed.note), qstr(whole.note));

    auto project = open();
    compareSequences(totals(*project, resumed.runId, "lr"), totals(*project, whole.runId, "lr"),
                     "lr");
    compareSequences(kindLosses(*project, resumed.runId), kindLosses(*project, whole.runId),
                     "kind loss");
    compareSequences(totals(*project, resumed.runId, "grad_norm"),
                     totals(*project, whole.runId, "grad_norm"), "grad_norm");
    QCOMPARE(rowsOf(*project, resumed.runId, "val", "loss").size(),
             rowsOf(*project, whole.runId, "val", "loss").size());
    if (patch.contains(QLatin1String("plateau"))) {
        // The schedule did move: halved after epoch 2, so epoch 3's first step (7) trains at
        // half the rate.
        const auto lr = totals(*project, whole.runId, "lr");
        QCOMPARE(lr.at(6), 0.005);
    }
    if (patch.contains(QLatin1String("\"train\"")))
        QVERIFY2(contains(whole.note, "stopped after epoch 3 of 4"), whole.note.c_str());
}

void TestRunControl::nanLossFailsNamingStepAndTask()
{
    const ExperimentConfig c =
        configWith(2, 2, {{"debug", {{"nan_at_step", 3}, {"nan_task", "looks"}}}});
    train::Trainer trainer(str(m_project), c);
    const train::RunResult result = trainer.run();
    QCOMPARE(statusName(result.status), QStringLiteral("failed"));
    QVERIFY2(contains(result.error, "step 3: the loss of task 'looks' is ") &&
                 contains(result.error, "nan; training diverged (try a lower optimizer.lr or an "
                                        "optimizer.clip_norm)"),
             result.error.c_str());
    QVERIFY2(contains(result.error, "the last checkpoint (epoch 1, step 2) is kept"),
             result.error.c_str());

    auto project = open();
    QCOMPARE(qstr(project->runs().find(result.runId)->error), qstr(result.error));
    QCOMPARE(kindLosses(*project, result.runId).size(), std::size_t(2)); // steps 1 and 2 only
    QCOMPARE(project->runs().latestCheckpoint(result.runId)->step, std::int64_t(2));

    // What was kept is sound: the run resumed without the NaN trains to its end.
    experiment::ExperimentConfig fixed = c;
    fixed.debug = {};
    train::TrainerOptions options;
    options.resumeRunId = result.runId;
    train::Trainer again(str(m_project), fixed, options);
    const train::RunResult resumed = again.run();
    QVERIFY2(resumed.error.empty(), resumed.error.c_str());
    QCOMPARE(resumed.steps, std::int64_t(4));
    for (const double loss : kindLosses(*project, result.runId))
        QVERIFY(std::isfinite(loss));
}

void TestRunControl::nanGradientFailsNamingTheParameter()
{
    const ExperimentConfig c =
        configWith(1, 3, {{"debug", {{"nan_at_step", 2}, {"nan_in", "gradient"}}}});
    train::Trainer trainer(str(m_project), c);
    const train::RunResult result = trainer.run();
    QCOMPARE(statusName(result.status), QStringLiteral("failed"));
    QVERIFY2(contains(result.error, "step 2: the gradient of 'backbone.") &&
                 contains(result.error, "is not finite (norm nan) although every loss was"),
             result.error.c_str());
}

void TestRunControl::stopAfterEpoch()
{
    const ExperimentConfig c = configWith(3, 2);
    train::Trainer trainer(str(m_project), c);
    Listener listener;
    listener.onStep = [&](const train::StepProgress &p) {
        if (p.step == 1)
            trainer.requestStopAfterEpoch();
    };
    const train::RunResult result = trainer.run(&listener);
    QCOMPARE(statusName(result.status), QStringLiteral("stopped"));
    QCOMPARE(result.steps, std::int64_t(2));
    auto project = open();
    const auto run = project->runs().find(result.runId);
    QCOMPARE(qstr(run->error), QStringLiteral("stopped by the user after epoch 1 of 3 (step 2)"));
    QVERIFY(!rowsOf(*project, result.runId, "val", "loss").empty()); // the epoch ended fully
    QCOMPARE(project->runs().latestCheckpoint(result.runId)->step, std::int64_t(2));
    QCOMPARE(project->runs().latestCheckpoint(result.runId)->epoch, 1);

    train::TrainerOptions options;
    options.resumeRunId = result.runId;
    train::Trainer again(str(m_project), c, options);
    const train::RunResult resumed = again.run();
    QVERIFY2(resumed.error.empty(), resumed.error.c_str());
    QCOMPARE(resumed.steps, std::int64_t(6));
    int epoch1 = 0;
    for (const auto &row : rowsOf(*project, result.runId, "val", "loss"))
        epoch1 += row.epoch == 1 && row.task == "kind";
    QCOMPARE(epoch1, 1); // validated once

    // In the last epoch the request changes nothing: the run ends anyway.
    train::Trainer last(str(m_project), configWith(1, 2));
    Listener late;
    late.onStep = [&](const train::StepProgress &) { last.requestStopAfterEpoch(); };
    QCOMPARE(statusName(last.run(&late).status), QStringLiteral("completed"));
}

void TestRunControl::monitorProblems()
{
    // A metric the run does not record: the run fails before its first step, naming it and
    // what there is.
    const ExperimentConfig c =
        configWith(2, 1, {{"train", {{"patience", 1}, {"monitor", "kind.miou"}}}});
    train::Trainer trainer(str(m_project), c);
    const train::RunResult result = trainer.run();
    QCOMPARE(statusName(result.status), QStringLiteral("failed"));
    QVERIFY2(contains(result.error,
                      "no validation metric 'kind.miou' (this run records: kind.accuracy, "
                      "kind.balanced_accuracy, kind.loss, kind.macro_f1, looks.accuracy, "
                      "looks.balanced_accuracy, looks.f1, looks.loss, looks.map)"),
             result.error.c_str());
    QCOMPARE(result.steps, std::int64_t(0));
    // A metric one task records is fine.
    const ExperimentConfig accuracy =
        configWith(2, 1, {{"train", {{"patience", 1}, {"monitor", "looks.accuracy"}}}});
    train::Trainer fine(str(m_project), accuracy);
    const train::RunResult ok = fine.run();
    QVERIFY2(ok.error.empty(), ok.error.c_str());

    // A validation split too small to hold a sample: refused before a run is recorded.
    const ExperimentConfig tiny =
        configWith(2, 1, {{"train", {{"keep_best", true}, {"val_fraction", 0.01}}}});
    train::Trainer refused(str(m_project), tiny);
    try {
        refused.prepare();
        QFAIL("no error");
    } catch (const Error &e) {
        QCOMPARE(qstr(e.where().key), QStringLiteral("train.val_fraction"));
        QVERIFY2(contains(e.what(), "holds out no sample of the 64 training samples, and "
                                    "train.keep_best follows the validation metric"),
                 e.what());
    }
}

QTEST_GUILESS_MAIN(TestRunControl)
#include "tst_runcontrol.moc"
