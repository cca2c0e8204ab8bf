// Δp and Δm against numbers worked out by hand (the two conventions differ when tasks have
// different numbers of metrics), which metrics enter, and how compareRuns() picks and checks
// the runs: the default baseline is the newest completed independent run with the same tasks on
// the same data; runs of other data, unfinished runs and unknown ids are refused by name.

#include "common/error.h"
#include "report/comparison.h"
#include "store/project.h"
#include "store/recordbatch.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace mtl;

namespace {

std::string configJson(const std::string &sharing, const std::string &weighting = "equal",
                       bool withDepth = false)
{
    std::string tasks = R"([{"name": "kind", "type": "classification", "label": "class"},
                            {"name": "seg", "type": "segmentation", "label": "seg"})";
    if (withDepth)
        tasks += R"(, {"name": "depth", "type": "depth", "label": "depth"})";
    return R"({"name": "e", "dataset": "d", "tasks": )" + tasks + R"(],
               "model": {"backbone": "small_cnn", "sharing": ")" +
           sharing + R"("}, "weighting": {"method": ")" + weighting + R"("}})";
}

QString text(const std::string &s)
{
    return QString::fromStdString(s);
}

} // namespace

class TestComparison : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void deltaByHand();
    void deltaSkipsWhatIsMissing();
    void deltaMetricsPerTaskType();
    void defaultBaselineIsNewestIndependent();
    void givenBaseline();
    void refusals_data();
    void refusals();
    void noBaseline();

private:
    // A run of `sharing` on `dataset` with test metrics kind.accuracy and seg.miou/pixel_accuracy.
    std::int64_t addRun(std::int64_t dataset, const std::string &sharing, double accuracy,
                        double miou, store::RunStatus status = store::RunStatus::Completed,
                        bool withDepth = false);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<store::Project> m_project;
    std::int64_t m_d = 0, m_other = 0;
};

void TestComparison::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_project =
        std::make_unique<store::Project>(m_dir->filePath(QStringLiteral("c.mtlproj")).toStdString(),
                                         store::Project::OpenMode::CreateIfMissing);
    m_d = m_project->datasets().create("d", "idx", "", 8, 8, 1);
    m_other = m_project->datasets().create("other", "idx", "", 8, 8, 1);
}

void TestComparison::cleanup()
{
    m_project.reset();
    m_dir.reset();
}

std::int64_t TestComparison::addRun(std::int64_t dataset, const std::string &sharing,
                                    double accuracy, double miou, store::RunStatus status,
                                    bool withDepth)
{
    auto &runs = m_project->runs();
    const std::int64_t experiment =
        runs.createExperiment(sharing, dataset, configJson(sharing, "equal", withDepth));
    const std::int64_t run = runs.createRun(experiment, 10);
    runs.markStarted(run, "cpu");
    store::RecordBatch rows;
    auto &metrics = rows.rows<store::MetricRow>();
    metrics.push_back({10, 1, "val", "kind", "", "accuracy", 0.1}); // not the final split
    metrics.push_back({10, 1, "test", "kind", "", "accuracy", accuracy});
    metrics.push_back({10, 1, "test", "kind", "", "loss", 1.0 - accuracy});
    metrics.push_back({10, 1, "test", "kind", "a", "recall", 0.5}); // per class: not compared
    metrics.push_back({10, 1, "test", "seg", "", "miou", miou});
    metrics.push_back({10, 1, "test", "seg", "", "pixel_accuracy", 0.8});
    if (withDepth)
        metrics.push_back({10, 1, "test", "depth", "", "abs_err", 0.5});
    runs.record(run, rows, 10, 100.0);
    runs.setStatus(run, status);
    return run;
}

void TestComparison::deltaByHand()
{
    // seg: miou 0.5 against 0.4 (+25%), pixel_accuracy equal (0%) → +12.5% for the task;
    // kind: accuracy 0.88 against 0.8 (+10%); depth: abs_err 0.3 against 0.4 (lower is better:
    // +25%), rel_err 0.25 against 0.2 (−25%) → 0%.
    const report::TaskValues run{{"seg", {{"miou", 0.5}, {"pixel_accuracy", 0.8}}},
                                 {"kind", {{"accuracy", 0.88}}},
                                 {"depth", {{"abs_err", 0.3}, {"rel_err", 0.25}}}};
    const report::TaskValues base{{"seg", {{"miou", 0.4}, {"pixel_accuracy", 0.8}}},
                                  {"kind", {{"accuracy", 0.8}}},
                                  {"depth", {{"abs_err", 0.4}, {"rel_err", 0.2}}}};
    const std::map<std::string, std::vector<std::string>> metrics{
        {"seg", {"miou", "pixel_accuracy"}},
        {"kind", {"accuracy"}},
        {"depth", {"abs_err", "rel_err"}}};
    const report::Delta d = report::delta(run, base, metrics);
    // Δp: per task first, (12.5 + 10 + 0) / 3; positive: better.
    QVERIFY2(std::abs(d.p - 22.5 / 3) < 1e-9, qPrintable(QString::number(d.p)));
    QVERIFY(std::abs(d.perTask.at("seg") - 12.5) < 1e-9);
    QVERIFY(std::abs(d.perTask.at("kind") - 10.0) < 1e-9);
    QVERIFY(std::abs(d.perTask.at("depth")) < 1e-9);
    // Δm: all five metrics at once, −(25 + 0 + 10 + 25 − 25) / 5; positive: worse.
    QVERIFY2(std::abs(d.m + 35.0 / 5) < 1e-9, qPrintable(QString::number(d.m)));
    QCOMPARE(d.metrics, 5);
    // Against itself: nothing changes.
    const report::Delta same = report::delta(base, base, metrics);
    QCOMPARE(same.p, 0.0);
    QCOMPARE(same.m, 0.0);
}

void TestComparison::deltaSkipsWhatIsMissing()
{
    const report::TaskValues run{{"kind", {{"accuracy", 0.9}}}, {"seg", {{"miou", 0.2}}}};
    const report::TaskValues base{{"kind", {{"accuracy", 0.0}}},
                                  {"seg", {{"miou", 0.4}, {"pixel_accuracy", 0.5}}}};
    std::vector<std::string> skipped;
    const report::Delta d = report::delta(
        run, base, {{"kind", {"accuracy"}}, {"seg", {"miou", "pixel_accuracy"}}}, &skipped);
    // kind: baseline 0, no relative change; seg.pixel_accuracy missing in the run.
    QCOMPARE(skipped, (std::vector<std::string>{"kind.accuracy", "seg.pixel_accuracy"}));
    QCOMPARE(d.metrics, 1);
    QVERIFY(std::abs(d.p + 50.0) < 1e-9); // only seg counts: miou halved
    QVERIFY(d.perTask.find("kind") == d.perTask.end());
}

void TestComparison::deltaMetricsPerTaskType()
{
    QCOMPARE(report::deltaMetrics("classification"), std::vector<std::string>{"accuracy"});
    QCOMPARE(report::deltaMetrics("depth"), (std::vector<std::string>{"abs_err", "rel_err"}));
    QCOMPARE(report::deltaMetrics("normals").size(), std::size_t(5));
    QVERIFY(report::deltaMetrics("no such type").empty());
}

void TestComparison::defaultBaselineIsNewestIndependent()
{
    addRun(m_d, "independent", 0.5, 0.2);                                    // older
    const std::int64_t independent = addRun(m_d, "independent", 0.8, 0.4);   // newest completed
    addRun(m_d, "independent", 0.9, 0.9, store::RunStatus::Failed);          // not completed
    addRun(m_other, "independent", 0.9, 0.9);                                // other data
    addRun(m_d, "independent", 0.9, 0.9, store::RunStatus::Completed, true); // other tasks
    const std::int64_t mtan = addRun(m_d, "mtan", 0.88, 0.5);
    const report::Comparison c = report::compareRuns(*m_project, {mtan}, std::nullopt);
    QCOMPARE(c.baseline, independent);
    QVERIFY(c.baselineChosen);
    QCOMPARE(text(c.split), QStringLiteral("test"));
    QCOMPARE(text(c.dataset), QStringLiteral("d"));
    QCOMPARE(c.runs.size(), std::size_t(2));
    QCOMPARE(c.runs[0].id, independent); // the baseline first
    QVERIFY(!c.runs[0].delta);
    QCOMPARE(text(c.runs[1].sharing), QStringLiteral("mtan"));
    // kind +10%, seg (miou +25%, pixel_accuracy 0%) +12.5% → Δp 11.25%, Δm −35/3%.
    QVERIFY(std::abs(c.runs[1].delta->p - 11.25) < 1e-9);
    QVERIFY(std::abs(c.runs[1].delta->m + 35.0 / 3) < 1e-9);
    // Only task-level values of the final split are compared.
    QCOMPARE(c.runs[1].values.at("kind").at("accuracy"), 0.88);
    QVERIFY(c.runs[1].values.at("kind").find("recall") == c.runs[1].values.at("kind").end());
    QCOMPARE(c.deltaMetrics.at("seg"), (std::vector<std::string>{"miou", "pixel_accuracy"}));
}

void TestComparison::givenBaseline()
{
    const std::int64_t hard = addRun(m_d, "hard", 0.8, 0.4);
    const std::int64_t mtan = addRun(m_d, "mtan", 0.4, 0.4);
    // Given twice (as baseline and among the runs): listed once.
    const report::Comparison c = report::compareRuns(*m_project, {mtan, hard}, hard);
    QCOMPARE(c.baseline, hard);
    QVERIFY(!c.baselineChosen);
    QCOMPARE(c.runs.size(), std::size_t(2));
    QVERIFY(std::abs(c.runs[1].delta->perTask.at("kind") + 50.0) < 1e-9);
}

void TestComparison::refusals_data()
{
    QTest::addColumn<QString>("what");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown run") << QStringLiteral("unknown") << QStringLiteral("run 99 is not in");
    QTest::newRow("other data") << QStringLiteral("other")
                                << QStringLiteral("trained on dataset 'other', not 'd'");
    QTest::newRow("failed run") << QStringLiteral("failed")
                                << QStringLiteral("is failed: only completed runs");
}

void TestComparison::refusals()
{
    QFETCH(QString, what);
    QFETCH(QString, message);
    const std::int64_t base = addRun(m_d, "independent", 0.8, 0.4);
    std::int64_t run = 99;
    if (what == QLatin1String("other"))
        run = addRun(m_other, "hard", 0.8, 0.4);
    else if (what == QLatin1String("failed"))
        run = addRun(m_d, "hard", 0.8, 0.4, store::RunStatus::Failed);
    try {
        report::compareRuns(*m_project, {run}, base);
        QFAIL("compared");
    } catch (const Error &e) {
        QVERIFY2(text(e.what()).contains(message), e.what());
    }
}

void TestComparison::noBaseline()
{
    const std::int64_t hard = addRun(m_d, "hard", 0.8, 0.4);
    try {
        report::compareRuns(*m_project, {hard}, std::nullopt);
        QFAIL("compared without a baseline");
    } catch (const Error &e) {
        QCOMPARE(e.code(), ErrorCode::NotFound);
        QVERIFY2(text(e.what()).contains(
                     QStringLiteral("no completed run with model.sharing independent and the "
                                    "tasks kind (classification), seg (segmentation) on dataset "
                                    "'d'")),
                 e.what());
    }
}

QTEST_APPLESS_MAIN(TestComparison)
#include "tst_comparison.moc"
