// The engine's numbers do not drift: example:fmnist-hps and example:fmnist-attributes with
// seed 0 on Debian's Fashion-MNIST record, bit for bit, the per-step losses, validation and
// test metrics and task weights kept in tests/core/golden/ (recorded at commit f517d87, before
// the engine seams were cut, with the reference BLAS; see goldenPath() for the others). A run
// stopped part-way and resumed from its checkpoint records the same numbers too, task weights
// included (before the seams it recorded them twice).
//
// Re-record only when a change is meant to change the numbers, and say so in the commit:
//   MTL_RECORD_GOLDEN=1 build/tests/core/tst_goldenlosses

#include "common/blas.h"
#include "data/importer.h"
#include "store/project.h"
#include "train/catalog.h"
#include "train/trainer.h"

#include "fixtures.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>

using namespace mtl;
using namespace mtl::test;

namespace {

const char *const kFashionMnist = "/usr/share/datasets/fashion-mnist";

// 2 epochs of 12 steps, 2 threads (as the example ships), on the CPU, NCHW as when the files
// were recorded (channels-last runs other kernels, so other roundings).
const std::vector<std::string> kOverrides{"train.epochs=2", "train.max_steps_per_epoch=12",
                                          "train.threads=2", "train.device=cpu",
                                          "train.memory_format=contiguous"};

// Each BLAS library sums in its own order, so the numbers are per library: NAME-seed0.txt for
// Debian's reference libblas3 (recorded at f517d87), NAME-seed0.VENDOR.txt for the others
// (openblas-openmp, which scripts/install-deps.sh installs, recorded at the commit that added
// it, when the reference files still held bit for bit).
QString goldenPath(const QString &example)
{
    const BlasLibrary &blas = loadedBlas();
    return blas.isReference() ? QStringLiteral(MTL_GOLDEN_DIR "/%1-seed0.txt").arg(example)
                              : QStringLiteral(MTL_GOLDEN_DIR "/%1-seed0.%2.txt")
                                    .arg(example, QString::fromStdString(blas.vendor));
}

// Every number a run recorded, one line each, values as exact hexadecimal floats.
QStringList recordedLines(const std::string &project, std::int64_t runId)
{
    store::Project p(project, store::Project::OpenMode::ReadOnly);
    QStringList lines;
    char value[64];
    for (const auto &row : p.runs().metrics(runId)) {
        std::snprintf(value, sizeof value, "%a", row.value);
        lines << QStringLiteral("metric %1 %2 %3 task=%4 attribute=%5 %6 %7")
                     .arg(qstr(row.split))
                     .arg(row.step)
                     .arg(row.epoch)
                     .arg(qstr(row.task), qstr(row.attribute), qstr(row.name),
                          QString::fromLatin1(value));
    }
    for (const auto &row : p.runs().taskWeights(runId)) {
        std::snprintf(value, sizeof value, "%a", row.weight);
        lines << QStringLiteral("weight %1 task=%2 %3")
                     .arg(row.step)
                     .arg(qstr(row.task), QString::fromLatin1(value));
    }
    return lines;
}

struct Stopper final : train::TrainerListener {
    train::Trainer *trainer = nullptr;
    std::int64_t at = 0;
    void stepFinished(const train::StepProgress &p) override
    {
        if (p.step == at)
            trainer->requestStop();
    }
};

} // namespace

class TestGoldenLosses : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void sameNumbersAsRecorded_data();
    void sameNumbersAsRecorded();
    void resumedRunRecordsTheSameNumbers_data();
    void resumedRunRecordsTheSameNumbers();

private:
    void compareWithGolden(const QString &example, const QStringList &actual);

    QTemporaryDir m_dir;
    std::string m_project;
};

void TestGoldenLosses::initTestCase()
{
    QVERIFY2(QFileInfo::exists(QString::fromLatin1(kFashionMnist)),
             "Debian's dataset-fashion-mnist is missing (scripts/install-deps.sh installs it)");
    QVERIFY(m_dir.isValid());
    m_project = str(QDir(m_dir.path()).filePath(QStringLiteral("golden.mtlproj")));
    store::Project project(m_project, store::Project::OpenMode::CreateIfMissing);
    data::ImportRequest request;
    request.dataset = "fashion-mnist";
    data::makeImporter("fashion-mnist")->run(project, request, {});
}

void TestGoldenLosses::compareWithGolden(const QString &example, const QStringList &actual)
{
    QFile file(goldenPath(example));
    if (qEnvironmentVariableIsSet("MTL_RECORD_GOLDEN")) {
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text));
        file.write(actual.join(QLatin1Char('\n')).toUtf8() + '\n');
        QSKIP("recorded the golden file");
    }
    if (!file.exists())
        QSKIP(qPrintable(QStringLiteral("no numbers are recorded for the BLAS library loaded (%1, "
                                        "%2); record them with MTL_RECORD_GOLDEN=1")
                             .arg(QString::fromStdString(loadedBlas().vendor),
                                  QString::fromStdString(loadedBlas().path))));
    QVERIFY2(file.open(QIODevice::ReadOnly | QIODevice::Text), qPrintable(file.fileName()));
    const QStringList golden =
        QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY(golden.size() > 48);
    for (qsizetype i = 0; i < std::min(actual.size(), golden.size()); ++i)
        QVERIFY2(actual[i] == golden[i],
                 qPrintable(QStringLiteral("%1 line %2:\n  recorded %3\n  now      %4")
                                .arg(file.fileName())
                                .arg(i + 1)
                                .arg(golden[i], actual[i])));
    QCOMPARE(actual.size(), golden.size());
}

void TestGoldenLosses::sameNumbersAsRecorded_data()
{
    QTest::addColumn<QString>("example");
    QTest::newRow("two classification tasks") << QStringLiteral("fmnist-hps");
    QTest::newRow("classes and 12 attributes") << QStringLiteral("fmnist-attributes");
}

void TestGoldenLosses::sameNumbersAsRecorded()
{
    QFETCH(QString, example);
    train::Trainer trainer(m_project, train::loadExperiment("example:" + str(example), kOverrides));
    const train::RunResult result = trainer.run();
    QCOMPARE(statusName(result.status), QStringLiteral("completed"));
    QCOMPARE(result.steps, std::int64_t(24));
    compareWithGolden(example, recordedLines(m_project, result.runId));
}

void TestGoldenLosses::resumedRunRecordsTheSameNumbers_data()
{
    QTest::addColumn<int>("stopAt");
    QTest::newRow("inside the first epoch") << 5;
    QTest::newRow("at the end of the first epoch") << 12;
}

void TestGoldenLosses::resumedRunRecordsTheSameNumbers()
{
    QFETCH(int, stopAt);
    const auto config = train::loadExperiment("example:fmnist-hps", kOverrides);
    train::Trainer first(m_project, config);
    Stopper stopper;
    stopper.trainer = &first;
    stopper.at = stopAt;
    const train::RunResult stopped = first.run(&stopper);
    QCOMPARE(statusName(stopped.status), QStringLiteral("stopped"));

    train::TrainerOptions options;
    options.resumeRunId = stopped.runId;
    train::Trainer second(m_project, config, options);
    const train::RunResult resumed = second.run();
    QCOMPARE(statusName(resumed.status), QStringLiteral("completed"));
    compareWithGolden(QStringLiteral("fmnist-hps"), recordedLines(m_project, resumed.runId));
}

QTEST_APPLESS_MAIN(TestGoldenLosses)
#include "tst_goldenlosses.moc"
