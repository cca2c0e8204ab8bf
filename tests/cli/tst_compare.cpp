// mtlstudio-cli compare end to end: an MTAN run against an independent run trained by the CLI
// on generated data; --json carries Δp and Δm as docs/CLI.md describes them and they follow
// from the metrics it prints; the text table names both conventions; bad run ids exit 2.
// QTEST_GUILESS_MAIN: QProcess needs a QCoreApplication (no GUI).

#include "data/idximporter.h"
#include "store/project.h"

#include "fixtures.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace mtl;
using namespace mtl::test;

class TestCompare : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void mtanAgainstIndependent();
    void badRuns_data();
    void badRuns();

private:
    ProgramRun cli(const QStringList &args) const
    {
        return runProgram(QStringLiteral(MTLSTUDIO_CLI), args, 120000);
    }
    // Trains the tiny config with model.sharing = `sharing`; the run id, or 0.
    int train(const QString &sharing, const QString &weighting) const;

    QTemporaryDir m_dir;
    QString m_project, m_config;
    int m_independent = 0, m_mtan = 0;
};

void TestCompare::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const TinyDataset data = writeTinyDataset(m_dir.path(), 64, 32, true);
    m_project = m_dir.filePath(QStringLiteral("c.mtlproj"));
    importAnimals(m_project, "animals", data.train, &data.test);
    m_config = m_dir.filePath(QStringLiteral("tiny.json"));
    QVERIFY(writeFile(m_config, tinyConfig(QStringLiteral("animals"),
                                           QStringLiteral(R"({"epochs": 1, "batch_size": 16,
        "max_steps_per_epoch": 3, "val_fraction": 0.25, "seed": 3, "threads": 1,
        "device": "cpu"})"))));
    m_independent = train(QStringLiteral("independent"), QStringLiteral("equal"));
    m_mtan = train(QStringLiteral("mtan"), QStringLiteral("dwa"));
    QVERIFY(m_independent > 0 && m_mtan > 0);
}

int TestCompare::train(const QString &sharing, const QString &weighting) const
{
    const ProgramRun run =
        cli({QStringLiteral("train"), m_project, QStringLiteral("--config"), m_config,
             QStringLiteral("--set"), QStringLiteral("model.sharing=") + sharing,
             QStringLiteral("--set"), QStringLiteral("weighting.method=") + weighting,
             QStringLiteral("--json")});
    if (run.exitCode != 0) {
        qWarning("%s", run.err.constData());
        return 0;
    }
    return QJsonDocument::fromJson(run.out.trimmed().split('\n').last())
        .object()
        .value(QStringLiteral("run_id"))
        .toInt();
}

void TestCompare::mtanAgainstIndependent()
{
    ProgramRun run = cli({QStringLiteral("compare"), m_project, QStringLiteral("--runs"),
                          QString::number(m_mtan), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonObject c = QJsonDocument::fromJson(run.out.trimmed()).object();
    QVERIFY2(!c.isEmpty(), run.out.constData());
    // The baseline was not given: the newest independent run with the same tasks.
    QCOMPARE(c.value(QStringLiteral("baseline")).toInt(), m_independent);
    QCOMPARE(c.value(QStringLiteral("headline")).toString(), QStringLiteral("delta_p"));
    QCOMPARE(c.value(QStringLiteral("split")).toString(), QStringLiteral("test"));
    const QJsonArray runs = c.value(QStringLiteral("runs")).toArray();
    QCOMPARE(runs.size(), 2);
    const QJsonObject base = runs[0].toObject(), mtan = runs[1].toObject();
    QCOMPARE(base.value(QStringLiteral("sharing")).toString(), QStringLiteral("independent"));
    QCOMPARE(mtan.value(QStringLiteral("sharing")).toString(), QStringLiteral("mtan"));
    QCOMPARE(mtan.value(QStringLiteral("weighting")).toString(), QStringLiteral("dwa"));
    // One accuracy per task enters: Δp is the mean relative change, Δm its negative.
    double sum = 0.0;
    for (const QString &task : {QStringLiteral("kind"), QStringLiteral("looks")}) {
        const auto accuracy = [&](const QJsonObject &r) {
            return r.value(QStringLiteral("metrics"))
                .toObject()
                .value(task)
                .toObject()
                .value(QStringLiteral("accuracy"))
                .toDouble();
        };
        const double change = (accuracy(mtan) - accuracy(base)) / accuracy(base) * 100.0;
        QVERIFY(accuracy(base) > 0);
        QVERIFY(
            std::abs(
                mtan.value(QStringLiteral("delta_p_per_task")).toObject().value(task).toDouble() -
                change) < 1e-9);
        sum += change;
    }
    QVERIFY(std::abs(mtan.value(QStringLiteral("delta_p")).toDouble() - sum / 2) < 1e-9);
    QVERIFY(std::abs(mtan.value(QStringLiteral("delta_m")).toDouble() + sum / 2) < 1e-9);
    QCOMPARE(base.value(QStringLiteral("delta_p")).toDouble(), 0.0);
    // Every task-level metric is there, not only those entering Δ.
    QVERIFY(mtan.value(QStringLiteral("metrics"))
                .toObject()
                .value(QStringLiteral("looks"))
                .toObject()
                .contains(QStringLiteral("map")));

    run = cli({QStringLiteral("compare"), m_project, QStringLiteral("--runs"),
               QStringLiteral("%1,%2").arg(m_independent).arg(m_mtan)});
    QCOMPARE(run.exitCode, 0);
    for (const char *expected : {"Δp (LibMTL; + is better)", "Δm (Nash-MTL/FAMO; − is better)",
                                 "mtan · dwa", "independent · equal", "kind   accuracy ↑ *"})
        QVERIFY2(run.out.contains(expected), run.out.constData());
}

void TestCompare::badRuns_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown run") << QStringList{QStringLiteral("--runs"), QStringLiteral("77")}
                                 << QStringLiteral("run 77 is not in");
    QTest::newRow("unknown baseline")
        << QStringList{QStringLiteral("--runs"), QStringLiteral("1"), QStringLiteral("--baseline"),
                       QStringLiteral("78")}
        << QStringLiteral("run 78 is not in");
    QTest::newRow("not a run id") << QStringList{QStringLiteral("--runs"), QStringLiteral("a,b")}
                                  << QStringLiteral("--runs");
}

void TestCompare::badRuns()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const ProgramRun run = cli(QStringList{QStringLiteral("compare"), m_project} + args);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(QString::fromUtf8(run.err).contains(message), run.err.constData());
}

QTEST_GUILESS_MAIN(TestCompare)
#include "tst_compare.moc"
