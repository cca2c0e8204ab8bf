// Experiments and runs in the project file: status changes and their timestamps, recorded
// metrics and task weights with progress, checkpoints (only the latest kept), and runs left
// behind by processes that no longer exist being marked interrupted.

#include "store/runstore.h"

#include "store/project.h"
#include "store/runmetrics.h"
#include "store/sqlite.h"

#include "fixtures.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace mtl;
using namespace mtl::test;
using store::RunStatus;

namespace {
std::int64_t deadPid()
{
    // A pid above the kernel's pid_max cannot belong to a live process.
    QFile file(QStringLiteral("/proc/sys/kernel/pid_max"));
    qint64 max = 4194304;
    if (file.open(QIODevice::ReadOnly))
        max = file.readAll().trimmed().toLongLong();
    return max + 1000;
}
} // namespace

class TestRunStore : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void experimentConfig();
    void runLifecycle();
    void statusRoundTrip_data();
    void statusRoundTrip();
    void recordMetricsAndWeights();
    void metricFilters();
    void checkpointsKeepLatest();
    void finishedRunReleasesFreePages();
    void markOrphanedRunsInterrupted();
    void reconcileThroughProject();
    void scoresAndHeadlines();

private:
    std::int64_t newRun(std::int64_t stepsTotal = 10);
    void setOwner(std::int64_t run, const std::string &host, std::int64_t pid);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
    std::unique_ptr<store::Project> m_project;
    std::int64_t m_dataset = 0;
};

void TestRunStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = QDir(m_dir->path()).filePath(QStringLiteral("r.mtlproj"));
    m_project =
        std::make_unique<store::Project>(str(m_path), store::Project::OpenMode::CreateIfMissing);
    m_dataset = m_project->datasets().create("animals", "idx", "", 8, 8, 1);
}

void TestRunStore::cleanup()
{
    m_project.reset();
    m_dir.reset();
}

std::int64_t TestRunStore::newRun(std::int64_t stepsTotal)
{
    auto &runs = m_project->runs();
    return runs.createRun(runs.createExperiment("exp", m_dataset, "{\"name\":\"exp\"}"),
                          stepsTotal);
}

void TestRunStore::setOwner(std::int64_t run, const std::string &host, std::int64_t pid)
{
    store::Statement st(m_project->db(),
                        "UPDATE runs SET owner_host = ?2, owner_pid = ?3 WHERE id = ?1");
    st.bind(1, run).bind(2, host).bind(3, pid);
    st.exec();
}

void TestRunStore::experimentConfig()
{
    auto &runs = m_project->runs();
    const auto experiment = runs.createExperiment("exp", std::nullopt, "{\"a\": [1, 2]}");
    QCOMPARE(qstr(runs.experimentConfig(experiment)), QStringLiteral("{\"a\": [1, 2]}"));
    const auto error = catchError([&] { runs.experimentConfig(experiment + 100); });
    QVERIFY(error);
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::NotFound));
}

void TestRunStore::runLifecycle()
{
    auto &runs = m_project->runs();
    const auto run = newRun(40);
    auto info = runs.find(run);
    QVERIFY(info);
    QCOMPARE(statusName(info->status), QStringLiteral("queued"));
    QCOMPARE(qstr(info->experimentName), QStringLiteral("exp"));
    QCOMPARE(qstr(info->datasetName), QStringLiteral("animals"));
    QCOMPARE(info->stepsTotal, 40);
    QCOMPARE(info->stepsDone, 0);
    QVERIFY(!info->createdAt.empty());
    QVERIFY(info->startedAt.empty());
    QVERIFY(info->finishedAt.empty());

    runs.markStarted(run, "cpu");
    info = runs.find(run);
    QCOMPARE(statusName(info->status), QStringLiteral("running"));
    QCOMPARE(qstr(info->device), QStringLiteral("cpu"));
    QVERIFY(!info->startedAt.empty());
    QVERIFY(info->finishedAt.empty());

    runs.setStatus(run, RunStatus::Paused);
    QCOMPARE(statusName(runs.find(run)->status), QStringLiteral("paused"));
    QVERIFY(runs.find(run)->finishedAt.empty()); // not a finished state

    runs.setStatus(run, RunStatus::Failed, "out of memory");
    info = runs.find(run);
    QCOMPARE(statusName(info->status), QStringLiteral("failed"));
    QCOMPARE(qstr(info->error), QStringLiteral("out of memory"));
    QVERIFY(!info->finishedAt.empty());
    QVERIFY(info->finishedAt >= info->startedAt);

    QVERIFY(!runs.find(run + 1));
    const auto second = newRun();
    const auto all = runs.list();
    QCOMPARE(all.size(), std::size_t(2));
    QCOMPARE(all[0].id, run);
    QCOMPARE(all[1].id, second);
}

void TestRunStore::statusRoundTrip_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("finished");
    QTest::newRow("queued") << int(RunStatus::Queued) << QStringLiteral("queued") << false;
    QTest::newRow("running") << int(RunStatus::Running) << QStringLiteral("running") << false;
    QTest::newRow("paused") << int(RunStatus::Paused) << QStringLiteral("paused") << false;
    QTest::newRow("completed") << int(RunStatus::Completed) << QStringLiteral("completed") << true;
    QTest::newRow("stopped") << int(RunStatus::Stopped) << QStringLiteral("stopped") << true;
    QTest::newRow("failed") << int(RunStatus::Failed) << QStringLiteral("failed") << true;
    QTest::newRow("interrupted") << int(RunStatus::Interrupted) << QStringLiteral("interrupted")
                                 << true;
}

void TestRunStore::statusRoundTrip()
{
    QFETCH(int, status);
    QFETCH(QString, name);
    QFETCH(bool, finished);
    const auto value = RunStatus(status);
    QCOMPARE(statusName(value), name);
    const auto parsed = store::runStatusFromString(str(name));
    QVERIFY(parsed && *parsed == value);
    QVERIFY(!store::runStatusFromString(str(name).substr(1)));
    QCOMPARE(store::isFinished(value), finished);

    const auto run = newRun();
    m_project->runs().setStatus(run, value);
    const auto info = m_project->runs().find(run);
    QCOMPARE(statusName(info->status), name);
    QCOMPARE(!info->finishedAt.empty(), finished);
}

void TestRunStore::recordMetricsAndWeights()
{
    auto &runs = m_project->runs();
    const auto run = newRun(4);
    const auto other = newRun(4);
    runs.markStarted(run, "cpu");
    runs.record(run,
                records({{1, 1, "train", "kind", "", "loss", 1.5},
                         {1, 1, "train", "looks", "", "loss", 0.75},
                         {1, 1, "train", "", "", "loss", 2.25}},
                        {{1, "kind", 1.0}, {1, "looks", 0.5}}),
                1, 320.5);
    runs.record(run, records({{2, 1, "val", "looks", "flies", "accuracy", 0.875}}), 2, 300.0);
    runs.record(other, records({{1, 1, "train", "kind", "", "loss", 9.0}}), 1, 1.0);

    const auto info = runs.find(run);
    QCOMPARE(info->stepsDone, 2);
    QCOMPARE(info->imagesPerSecond, 300.0);

    const auto rows = runs.metrics(run);
    QCOMPARE(rows.size(), std::size_t(4));
    QCOMPARE(rows[0].step, 1);
    QCOMPARE(rows[0].epoch, 1);
    QCOMPARE(qstr(rows[0].split), QStringLiteral("train"));
    QCOMPARE(qstr(rows[0].task), QStringLiteral("kind"));
    QCOMPARE(qstr(rows[0].name), QStringLiteral("loss"));
    QCOMPARE(rows[0].value, 1.5);
    QCOMPARE(qstr(rows[2].task), QString()); // the run-level total
    QCOMPARE(rows[2].value, 2.25);
    QCOMPARE(qstr(rows[3].attribute), QStringLiteral("flies"));
    QCOMPARE(rows[3].value, 0.875);

    const auto weights = runs.taskWeights(run);
    QCOMPARE(weights.size(), std::size_t(2));
    QCOMPARE(qstr(weights[1].task), QStringLiteral("looks"));
    QCOMPARE(weights[1].weight, 0.5);
    QCOMPARE(weights[1].step, 1);
    QVERIFY(runs.taskWeights(other).empty());
    QCOMPARE(runs.metrics(other).size(), std::size_t(1));
}

void TestRunStore::metricFilters()
{
    auto &runs = m_project->runs();
    const auto run = newRun();
    std::vector<store::MetricRow> rows;
    for (int step = 1; step <= 5; ++step) {
        rows.push_back({step, 1, "train", "kind", "", "loss", 1.0 / step});
        if (step % 2 == 0)
            rows.push_back({step, 1, "val", "kind", "", "accuracy", 0.1 * step});
    }
    runs.record(run, records(rows), 5, 0.0);

    QCOMPARE(runs.metrics(run, {"val", "", -1}).size(), std::size_t(2));
    QCOMPARE(runs.metrics(run, {"", "loss", -1}).size(), std::size_t(5));
    QCOMPARE(runs.metrics(run, {"train", "accuracy", -1}).size(), std::size_t(0));
    const auto after = runs.metrics(run, {"train", "loss", 3});
    QCOMPARE(after.size(), std::size_t(2));
    QCOMPARE(after[0].step, 4);
    QCOMPARE(after[1].step, 5);
    QCOMPARE(runs.metrics(run, {"", "", 5}).size(), std::size_t(0));
}

void TestRunStore::checkpointsKeepLatest()
{
    auto &runs = m_project->runs();
    const auto run = newRun();
    const auto other = newRun();
    QVERIFY(!runs.latestCheckpoint(run));

    const std::string blob("\x00model\xff", 7);
    runs.saveCheckpoint(run, checkpoint(1, 10, blob + "1", "opt1"));
    runs.saveCheckpoint(other, checkpoint(1, 10, "other", ""));
    runs.saveCheckpoint(run, checkpoint(2, 20, blob + "2", "opt2"));
    runs.saveCheckpoint(run, checkpoint(3, 25, blob + "3", std::string("o\0p", 3)));

    const auto latest = runs.latestCheckpoint(run);
    QVERIFY(latest);
    QCOMPARE(latest->epoch, 3);
    QCOMPARE(latest->step, 25);
    QCOMPARE(latest->model, blob + "3"); // binary-safe
    QCOMPARE(latest->optimizer, std::string("o\0p", 3));
    QVERIFY(!latest->createdAt.empty());

    store::Statement count(m_project->db(), "SELECT count(*) FROM checkpoints WHERE run_id = ?1");
    count.bind(1, run);
    QVERIFY(count.step());
    QCOMPARE(count.int64(0), 1); // older ones pruned
    QCOMPARE(runs.latestCheckpoint(other)->model, std::string("other"));
}

// Each epoch's checkpoint replaces the last one; the pages it leaves free are reused during the
// run and given back to the file system when the run ends (a new project is auto_vacuum =
// INCREMENTAL). Without that, a finished run leaves a checkpoint's worth of free pages.
void TestRunStore::finishedRunReleasesFreePages()
{
    auto &runs = m_project->runs();
    store::Database &db = m_project->db();
    QCOMPARE(db.scalar("PRAGMA auto_vacuum"), 2); // incremental
    const auto run = newRun();
    const std::string model(2 << 20, 'm'); // 2 MiB: 512 pages
    for (int epoch = 1; epoch <= 3; ++epoch)
        runs.saveCheckpoint(run, checkpoint(epoch, epoch * 10, model, model));
    QVERIFY2(db.scalar("PRAGMA freelist_count") > 500, "the replaced checkpoints' pages");
    runs.setStatus(run, RunStatus::Completed);
    QCOMPARE(db.scalar("PRAGMA freelist_count"), 0);
    const std::int64_t bytes = db.scalar("PRAGMA page_count") * db.scalar("PRAGMA page_size");
    QVERIFY2(bytes < 5 * (1 << 20), std::to_string(bytes).c_str()); // one checkpoint: 4 MiB
    QCOMPARE(runs.latestCheckpoint(run)->epoch, 3);
}

void TestRunStore::markOrphanedRunsInterrupted()
{
    auto &runs = m_project->runs();
    char buffer[256] = {};
    QCOMPARE(gethostname(buffer, sizeof buffer - 1), 0);
    const std::string host = buffer;
    const std::int64_t dead = deadPid();

    struct Case {
        const char *what;
        RunStatus status;
        std::string host;
        std::int64_t pid;
        const char *expected;
    };
    const std::vector<Case> cases{
        {"running, dead process", RunStatus::Running, host, dead, "interrupted"},
        {"paused, dead process", RunStatus::Paused, host, dead, "interrupted"},
        {"queued, dead process", RunStatus::Queued, host, dead, "interrupted"},
        {"running, this process", RunStatus::Running, host, getpid(), "running"},
        {"running, pid 1 (exists)", RunStatus::Running, host, 1, "running"},
        {"running, other host", RunStatus::Running, "elsewhere.invalid", dead, "running"},
        {"completed, dead process", RunStatus::Completed, host, dead, "completed"},
        {"stopped, dead process", RunStatus::Stopped, host, dead, "stopped"},
    };
    std::vector<std::int64_t> ids;
    for (const Case &c : cases) {
        const auto run = newRun();
        if (c.status != RunStatus::Queued)
            runs.setStatus(run, c.status);
        setOwner(run, c.host, c.pid);
        ids.push_back(run);
    }

    QCOMPARE(runs.markOrphanedRunsInterrupted(), 3);
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const auto info = runs.find(ids[i]);
        QVERIFY2(statusName(info->status) == QLatin1String(cases[i].expected), cases[i].what);
        if (info->status == RunStatus::Interrupted) {
            QVERIFY2(qstr(info->error).contains(QStringLiteral("killed or crashed")),
                     cases[i].what);
            QVERIFY(!info->finishedAt.empty());
        }
    }
    QCOMPARE(runs.markOrphanedRunsInterrupted(), 0); // already reconciled
}

void TestRunStore::reconcileThroughProject()
{
    const auto run = newRun();
    m_project->runs().markStarted(run, "cpu"); // owned by this (live) process
    const auto orphan = newRun();
    m_project->runs().markStarted(orphan, "cpu");
    char buffer[256] = {};
    gethostname(buffer, sizeof buffer - 1);
    setOwner(orphan, buffer, deadPid());
    m_project.reset();

    store::Project reopened(str(m_path));
    QCOMPARE(reopened.reconcileInterruptedRuns(), 1);
    QCOMPARE(statusName(reopened.runs().find(orphan)->status), QStringLiteral("interrupted"));
    QCOMPARE(statusName(reopened.runs().find(run)->status), QStringLiteral("running"));
}

void TestRunStore::scoresAndHeadlines()
{
    // Each task type's metrics as its meter names them: which one a plot of scores shows and
    // which one a summary line shows.
    store::RunMetrics metrics;
    const std::vector<std::pair<std::string, std::vector<std::pair<std::string, double>>>> tasks{
        {"category", {{"loss", 0.4}, {"accuracy", 0.875}}},
        {"semantic", {{"loss", 0.7}, {"miou", 0.1235}, {"pixel_accuracy", 0.8}}},
        {"depth", {{"loss", 0.2}, {"abs_err", 0.2451}, {"rel_err", 0.1}, {"delta1", 0.7}}},
        {"normals", {{"loss", 0.1}, {"angle_err", 7.84}, {"within_11.25", 0.8}}},
        {"image", {{"loss", 0.1}, {"l1", 0.052}, {"psnr", 21.0}}},
    };
    for (const auto &[task, values] : tasks)
        for (const auto &[name, value] : values)
            metrics.add({10, 1, "test", task, "", name, value});
    metrics.add({10, 1, "test", "semantic", "background", "iou", 0.9});
    QCOMPARE(metrics.scoreName("category"), std::string("accuracy"));
    QCOMPARE(metrics.scoreName("semantic"), std::string("miou"));
    QCOMPARE(metrics.scoreName("depth"), std::string("delta1"));
    QCOMPARE(metrics.scoreName("normals"), std::string("within_11.25"));
    QCOMPARE(metrics.scoreName("image"), std::string()); // no share in [0, 1]
    QCOMPARE(store::scoreLabel("accuracy"), std::string());
    QCOMPARE(store::scoreLabel("miou"), std::string("mIoU"));
    QCOMPARE(store::scoreLabel("delta1"), std::string("δ<1.25"));
    const store::RunMetrics::Values final = metrics.finalMetrics();
    const std::map<std::string, std::string> expected{{"category", "87.50%"},
                                                      {"semantic", "mIoU 12.35%"},
                                                      {"depth", "abs_err 0.245"},
                                                      {"normals", "angle_err 7.8°"},
                                                      {"image", "l1 0.052"}};
    for (const auto &[task, text] : expected) {
        const auto shown = store::headline(final.at(task));
        QVERIFY2(shown, task.c_str());
        QCOMPARE(shown->text(), text);
    }
    QVERIFY(!store::headline({{"loss", 1.0}}));
}

QTEST_APPLESS_MAIN(TestRunStore)
#include "tst_runstore.moc"
