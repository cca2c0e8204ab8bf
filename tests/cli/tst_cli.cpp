// mtlstudio-cli end to end: the built executable runs on generated IDX files and configs, and
// its contract is checked — exit codes (0, 2, 130), one-line reasons on stderr naming the
// file and position or the config key, --json as the last line of stdout, the project left
// unchanged by a failed import, and a run stopped by SIGTERM or killed outright.
// QTEST_GUILESS_MAIN: QProcess needs a QCoreApplication (no GUI).

#include "common/png.h"
#include "data/idximporter.h"
#include "store/project.h"

#include "fixtures.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <sys/types.h>

using namespace mtl;
using namespace mtl::test;

namespace {
struct CliRun {
    int exitCode = -1;
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    QByteArray out, err;
};

QByteArray lastLine(const QByteArray &text)
{
    const QList<QByteArray> lines = text.trimmed().split('\n');
    return lines.isEmpty() ? QByteArray() : lines.last();
}

QJsonObject lastLineJson(const QByteArray &text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(lastLine(text), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return {};
    return doc.object();
}

bool isMultipleOf(double value, int denominator)
{
    const double scaled = value * denominator;
    return std::abs(scaled - std::round(scaled)) < 1e-9;
}

QByteArray contents(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QString trainJson(int epochs, int batch, int maxSteps, double valFraction)
{
    return QStringLiteral(R"({"epochs": %1, "batch_size": %2, "max_steps_per_epoch": %3,
        "val_fraction": %4, "seed": 3, "threads": 1, "device": "cpu"})")
        .arg(epochs)
        .arg(batch)
        .arg(maxSteps)
        .arg(valFraction);
}
} // namespace

class TestCli : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void version();
    void help_data();
    void help();
    void parts();
    void badUsage_data();
    void badUsage();
    void importAndList();
    void importMalformed_data();
    void importMalformed();
    void importImageFilesLogAndRelocate();
    void labelsExportApplyUndo();
    void trainJsonResult();
    void failedRunExits3();
    void queueRunsOnAfterFailures();
    void queueCheckedBeforeItStarts();
    void stopEndsTheQueue();
    void configErrors_data();
    void configErrors();
    void sigtermStopsRun();
    void killedRunIsInterrupted();

private:
    CliRun cli(const QStringList &args, int timeoutMs = 60000) const;
    QString path(const QString &name) const { return QDir(m_dir->path()).filePath(name); }
    // A project with dataset "long": 2048 train images, for runs that must last a while.
    QString longProject(const QString &name) const;
    // Starts a long training and returns once it has printed its first progress line.
    // `extra`: more arguments (e.g. a second --config: a queue).
    bool startLongRun(QProcess &process, const QString &project, QByteArray *err,
                      const QStringList &extra = {}) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    TinyDataset m_data;
    QString m_shared; // dataset "animals", train (64) and test (32), imported in-process
    QString m_config; // tiny config for "animals"
    QString m_newer;  // a project of a newer schema version
    QString m_notes;  // a text file, not a project
};

CliRun TestCli::cli(const QStringList &args, int timeoutMs) const
{
    const ProgramRun ran = runProgram(QStringLiteral(MTLSTUDIO_CLI), args, timeoutMs);
    CliRun run;
    run.exitCode = ran.exitCode;
    run.exitStatus = ran.crashed ? QProcess::CrashExit : QProcess::NormalExit;
    run.out = ran.out;
    run.err = ran.err;
    return run;
}

void TestCli::initTestCase()
{
    QVERIFY2(QFile::exists(QStringLiteral(MTLSTUDIO_CLI)), MTLSTUDIO_CLI);
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_data = writeTinyDataset(m_dir->path(), 64, 32, true);
    QVERIFY(!m_data.attributes.isEmpty());

    m_shared = path(QStringLiteral("shared.mtlproj"));
    importAnimals(m_shared, "animals", m_data.train, &m_data.test);

    m_config = path(QStringLiteral("tiny.json"));
    QVERIFY(writeFile(m_config, tinyConfig(QStringLiteral("animals"), trainJson(1, 16, 2, 0.25))));

    m_newer = path(QStringLiteral("newer.mtlproj"));
    {
        store::Project newer(str(m_newer), store::Project::OpenMode::CreateIfMissing);
        newer.db().setUserVersion(99);
    }
    m_notes = path(QStringLiteral("notes.mtlproj"));
    QVERIFY(writeFile(m_notes, "these are my notes, not a project\n"));
}

void TestCli::cleanupTestCase()
{
    m_dir.reset();
}

QString TestCli::longProject(const QString &name) const
{
    const QString file = path(name);
    const IdxSplitPaths split =
        writeIdxSplit(m_dir->path(), QStringLiteral("long"), 2048, 4, 8, 8, false);
    importAnimals(file, "long", split);
    return file;
}

bool TestCli::startLongRun(QProcess &process, const QString &project, QByteArray *err,
                           const QStringList &extra) const
{
    // 8 epochs of 1024 steps of 2 images (several seconds); without a terminal the CLI prints
    // a line every tenth of the run, so the first comes at step 819 and leaves time to act.
    const QString config = path(QStringLiteral("long.json"));
    if (!writeFile(config, tinyConfig(QStringLiteral("long"), trainJson(8, 2, 0, 0.0))))
        return false;
    process.setReadChannel(QProcess::StandardError);
    process.start(QStringLiteral(MTLSTUDIO_CLI),
                  QStringList{QStringLiteral("train"), project, QStringLiteral("--config"), config,
                              QStringLiteral("--json")} +
                      extra);
    if (!process.waitForStarted(10000))
        return false;
    QElapsedTimer timer;
    timer.start();
    while (!err->contains("] step ") && timer.elapsed() < 60000) {
        if (!process.waitForReadyRead(1000) && process.state() != QProcess::Running)
            break;
        *err += process.readAllStandardError();
    }
    return err->contains("] step ") && process.state() == QProcess::Running;
}

void TestCli::version()
{
    const CliRun run = cli({QStringLiteral("--version")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out.trimmed(), QByteArray("mtlstudio-cli " MTL_VERSION));
}

void TestCli::help_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QStringList>("mentions");

    QTest::newRow("top level") << QStringList{QStringLiteral("--help")}
                               << QStringList{QStringLiteral("import"), QStringLiteral("datasets"),
                                              QStringLiteral("train"), QStringLiteral("runs"),
                                              QStringLiteral("130 interrupted")};
    QTest::newRow("import") << QStringList{QStringLiteral("import"), QStringLiteral("--help")}
                            << QStringList{QStringLiteral("--images"),
                                           QStringLiteral("--labels"),
                                           QStringLiteral("--split"),
                                           QStringLiteral("--class-names"),
                                           QStringLiteral("--class-attributes"),
                                           QStringLiteral("--json")};
    QTest::newRow("datasets") << QStringList{QStringLiteral("datasets"), QStringLiteral("--help")}
                              << QStringList{QStringLiteral("PROJECT"), QStringLiteral("--json")};
    QTest::newRow("train") << QStringList{QStringLiteral("train"), QStringLiteral("-h")}
                           << QStringList{QStringLiteral("--config"), QStringLiteral("--set"),
                                          QStringLiteral("--json"), QStringLiteral("example:NAME"),
                                          QStringLiteral("fmnist-hps")};
    QTest::newRow("runs") << QStringList{QStringLiteral("runs"), QStringLiteral("--help")}
                          << QStringList{QStringLiteral("PROJECT"), QStringLiteral("--json")};
    QTest::newRow("parts") << QStringList{QStringLiteral("parts"), QStringLiteral("--help")}
                           << QStringList{QStringLiteral("weighting methods"),
                                          QStringLiteral("--json")};
}

void TestCli::parts()
{
    // What configs can name, from the registries the config parser validates against.
    const CliRun run = cli({QStringLiteral("parts"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonObject root = lastLineJson(run.out);
    for (const char *kind : {"backbones", "sharings", "task_types", "weightings", "optimizers",
                             "probes", "import_formats"})
        QVERIFY2(!root.value(QLatin1String(kind)).toArray().isEmpty(), kind);
    const QJsonObject cnn = root.value(QStringLiteral("backbones")).toArray().at(0).toObject();
    QCOMPARE(cnn.value(QStringLiteral("name")).toString(), QStringLiteral("small_cnn"));
    QVERIFY(!cnn.value(QStringLiteral("help")).toString().isEmpty());
    const QJsonObject width = cnn.value(QStringLiteral("options")).toArray().at(0).toObject();
    QCOMPARE(width.value(QStringLiteral("name")).toString(), QStringLiteral("width"));
    QCOMPARE(width.value(QStringLiteral("type")).toString(), QStringLiteral("integer"));
    QCOMPARE(width.value(QStringLiteral("default")).toInt(), 32);
    QCOMPARE(width.value(QStringLiteral("min")).toInt(), 1);
    QStringList probes;
    for (const QJsonValue &p : root.value(QStringLiteral("probes")).toArray())
        probes << p.toObject().value(QStringLiteral("name")).toString();
    QCOMPARE(probes,
             (QStringList{QStringLiteral("task_weights"), QStringLiteral("param_norms"),
                          QStringLiteral("cross_stitch_alpha"), QStringLiteral("attention_masks"),
                          QStringLiteral("predictions"), QStringLiteral("gradient_conflict"),
                          QStringLiteral("gate_weights"), QStringLiteral("weighting_state"),
                          QStringLiteral("latent_tasks")}));
    // An integer-list option says so, with the bounds of its elements.
    const QJsonArray sharings = root.value(QStringLiteral("sharings")).toArray();
    QJsonObject after;
    for (const QJsonValue &sharing : sharings)
        if (sharing.toObject().value(QStringLiteral("name")).toString() ==
            QLatin1String("cross_stitch"))
            after = sharing.toObject().value(QStringLiteral("options")).toArray().at(0).toObject();
    QCOMPARE(after.value(QStringLiteral("name")).toString(), QStringLiteral("after"));
    QCOMPARE(after.value(QStringLiteral("type")).toString(), QStringLiteral("integer list"));
    QCOMPARE(after.value(QStringLiteral("max")).toInt(), 1000);
    QVERIFY(after.value(QStringLiteral("default")).toArray().isEmpty());
    // So does a name-lists option (no bounds: names are checked against the tasks).
    QJsonObject groups;
    for (const QJsonValue &sharing : sharings)
        if (sharing.toObject().value(QStringLiteral("name")).toString() == QLatin1String("mtl_cnn"))
            groups = sharing.toObject().value(QStringLiteral("options")).toArray().at(1).toObject();
    QCOMPARE(groups.value(QStringLiteral("name")).toString(), QStringLiteral("groups"));
    QCOMPARE(groups.value(QStringLiteral("type")).toString(), QStringLiteral("name lists"));
    QVERIFY(!groups.contains(QStringLiteral("max")));

    const CliRun text = cli({QStringLiteral("parts")});
    QCOMPARE(text.exitCode, 0);
    QVERIFY2(text.out.contains("  width  integer 1 … 1024, default 32: "), text.out.constData());
    QVERIFY(text.out.contains("import_formats:\n  idx  "));
}

void TestCli::help()
{
    QFETCH(QStringList, args);
    QFETCH(QStringList, mentions);
    const CliRun run = cli(args);
    QCOMPARE(run.exitCode, 0);
    const QString out = QString::fromUtf8(run.out);
    QVERIFY2(out.contains(QStringLiteral("Usage:")), qPrintable(out));
    for (const QString &mention : mentions)
        QVERIFY2(out.contains(mention), qPrintable(mention));
}

void TestCli::badUsage_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("reason");

    const QString p = QStringLiteral("@project");
    QTest::newRow("no arguments") << QStringList() << QStringLiteral("subcommand is required");
    // CLI11 reports the missing subcommand rather than naming the unknown word.
    QTest::newRow("unknown subcommand")
        << QStringList{QStringLiteral("frobnicate")} << QStringLiteral("subcommand");
    QTest::newRow("missing PROJECT")
        << QStringList{QStringLiteral("datasets")} << QStringLiteral("PROJECT is required");
    QTest::newRow("missing --name")
        << QStringList{QStringLiteral("import"), p} << QStringLiteral("--name is required");
    QTest::newRow("missing --config")
        << QStringList{QStringLiteral("train"), p}
        << QStringLiteral("train needs --config FILE or --resume RUN");
    QTest::newRow("--set with --resume")
        << QStringList{QStringLiteral("train"),    p,
                       QStringLiteral("--resume"), QStringLiteral("1"),
                       QStringLiteral("--set"),    QStringLiteral("train.epochs=2")}
        << QStringLiteral("excludes");
    QTest::newRow("unknown flag") << QStringList{QStringLiteral("runs"), p,
                                                 QStringLiteral("--bogus")}
                                  << QStringLiteral("--bogus");
    QTest::newRow("unknown format")
        << QStringList{QStringLiteral("import"),   p,
                       QStringLiteral("--name"),   QStringLiteral("x"),
                       QStringLiteral("--format"), QStringLiteral("tiff")}
        << QStringLiteral(
               "tiff not in {idx,fashion-mnist,multi-fashion,fashion-scenes,csv,celeba,awa,"
               "folders,nyuv2,cityscapes}");
    QTest::newRow("--partition with csv")
        << QStringList{QStringLiteral("import"),      p,
                       QStringLiteral("--name"),      QStringLiteral("x"),
                       QStringLiteral("--format"),    QStringLiteral("csv"),
                       QStringLiteral("--partition"), QStringLiteral("p.txt")}
        << QStringLiteral("--partition applies to --format celeba only");
    QTest::newRow("--on-error of another value")
        << QStringList{QStringLiteral("import"),     p,
                       QStringLiteral("--name"),     QStringLiteral("x"),
                       QStringLiteral("--format"),   QStringLiteral("folders"),
                       QStringLiteral("--on-error"), QStringLiteral("ignore")}
        << QStringLiteral("ignore not in {fail,skip}");
    QTest::newRow("--images with fashion-mnist")
        << QStringList{QStringLiteral("import"),   p,
                       QStringLiteral("--name"),   QStringLiteral("x"),
                       QStringLiteral("--format"), QStringLiteral("fashion-mnist"),
                       QStringLiteral("--images"), QStringLiteral("a.idx")}
        << QStringLiteral("--images applies to --format idx only");
    QTest::newRow("--dir with idx")
        << QStringList{QStringLiteral("import"), p,
                       QStringLiteral("--name"), QStringLiteral("x"),
                       QStringLiteral("--dir"),  QStringLiteral("/tmp")}
        << QStringLiteral(
               "--dir applies to --format fashion-mnist, multi-fashion and fashion-scenes only");
    QTest::newRow("idx without --labels")
        << QStringList{QStringLiteral("import"),   p,
                       QStringLiteral("--name"),   QStringLiteral("x"),
                       QStringLiteral("--images"), QStringLiteral("a.idx")}
        << QStringLiteral("format idx needs both --images and --labels");
    QTest::newRow("project of a newer version")
        << QStringList{QStringLiteral("runs"), QStringLiteral("@newer")}
        << QStringLiteral("written by a newer MTL Studio (schema version 99");
    QTest::newRow("import into a newer project")
        << QStringList{QStringLiteral("import"),   QStringLiteral("@newer"),
                       QStringLiteral("--name"),   QStringLiteral("x"),
                       QStringLiteral("--images"), QStringLiteral("@images"),
                       QStringLiteral("--labels"), QStringLiteral("@labels")}
        << QStringLiteral("written by a newer MTL Studio");
    QTest::newRow("not a project")
        << QStringList{QStringLiteral("import"),   QStringLiteral("@notes"),
                       QStringLiteral("--name"),   QStringLiteral("x"),
                       QStringLiteral("--images"), QStringLiteral("@images"),
                       QStringLiteral("--labels"), QStringLiteral("@labels")}
        << QStringLiteral("not an MTL Studio project");
    QTest::newRow("project does not exist")
        << QStringList{QStringLiteral("datasets"), QStringLiteral("@missing")}
        << QStringLiteral("project file does not exist");
    QTest::newRow("config file does not exist")
        << QStringList{QStringLiteral("train"), QStringLiteral("@shared"),
                       QStringLiteral("--config"), QStringLiteral("@missing")}
        << QStringLiteral("cannot open");
    QTest::newRow("unknown example config")
        << QStringList{QStringLiteral("train"), QStringLiteral("@shared"),
                       QStringLiteral("--config"), QStringLiteral("example:nope")}
        << QStringLiteral(
               "no example config 'nope' (known: fmnist-alexnet, fmnist-attributes, fmnist-cgc, "
               "fmnist-cross-stitch, fmnist-dselect-k, fmnist-hard, fmnist-hps, "
               "fmnist-independent, fmnist-mmoe, fmnist-mtan, fmnist-mtl-cnn, fmnist-ple, "
               "fmnist-resnet18, "
               "fmnist-split, fscenes-segnet-consistency, fscenes-segnet-hard, "
               "fscenes-segnet-mtan, mfashion-hard, "
               "mfashion-independent)");
}

void TestCli::badUsage()
{
    QFETCH(QStringList, args);
    QFETCH(QString, reason);

    const QString fresh = path(QStringLiteral("usage-%1.mtlproj")
                                   .arg(QLatin1String(QTest::currentDataTag()))
                                   .replace(QLatin1Char(' '), QLatin1Char('-')));
    for (QString &arg : args) {
        if (arg == QStringLiteral("@project"))
            arg = fresh;
        else if (arg == QStringLiteral("@missing"))
            arg = path(QStringLiteral("does-not-exist"));
        else if (arg == QStringLiteral("@shared"))
            arg = m_shared;
        else if (arg == QStringLiteral("@newer"))
            arg = m_newer;
        else if (arg == QStringLiteral("@notes"))
            arg = m_notes;
        else if (arg == QStringLiteral("@images"))
            arg = m_data.train.images;
        else if (arg == QStringLiteral("@labels"))
            arg = m_data.train.labels;
    }
    const QString newer = projectDump(m_newer);
    const CliRun run = cli(args);
    QCOMPARE(run.exitStatus, QProcess::NormalExit);
    QCOMPARE(run.exitCode, 2);
    const QByteArray err = run.err.trimmed();
    QVERIFY2(!err.isEmpty() && !err.contains('\n'), err.constData()); // one line
    QVERIFY2(err.startsWith("mtlstudio-cli: "), err.constData());
    QVERIFY2(QString::fromUtf8(err).contains(reason), err.constData());
    QVERIFY2(run.out.isEmpty(), run.out.constData());
    // Files that are not this build's projects are left alone.
    QCOMPARE(projectDump(m_newer), newer);
    QFile notes(m_notes);
    QVERIFY(notes.open(QIODevice::ReadOnly));
    QCOMPARE(notes.readAll(), QByteArray("these are my notes, not a project\n"));
}

void TestCli::importAndList()
{
    const QString project = path(QStringLiteral("imported.mtlproj"));
    const QStringList common{QStringLiteral("--name"),
                             QStringLiteral("animals"),
                             QStringLiteral("--class-names"),
                             m_data.classNames,
                             QStringLiteral("--class-attributes"),
                             m_data.attributes,
                             QStringLiteral("--json")};
    // The train split from plain files, the test split from gzip files.
    const IdxSplitPaths plain =
        writeIdxSplit(m_dir->path(), QStringLiteral("plain"), 64, 4, 8, 8, false);
    CliRun run = cli(QStringList{QStringLiteral("import"), project, QStringLiteral("--images"),
                                 plain.images, QStringLiteral("--labels"), plain.labels} +
                     common);
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.err.contains("created dataset 'animals': 64 train samples"), run.err.constData());
    QJsonObject summary = lastLineJson(run.out);
    QCOMPARE(summary.value(QStringLiteral("dataset")).toString(), QStringLiteral("animals"));
    QCOMPARE(summary.value(QStringLiteral("created")).toBool(), true);
    QCOMPARE(summary.value(QStringLiteral("splits")).toObject(),
             (QJsonObject{{QStringLiteral("train"), 64}}));
    QCOMPARE(summary.value(QStringLiteral("columns")).toArray(),
             (QJsonArray{QStringLiteral("class"), QStringLiteral("flies"), QStringLiteral("legs"),
                         QStringLiteral("mammal")}));
    const int datasetId = summary.value(QStringLiteral("dataset_id")).toInt();
    QVERIFY(datasetId > 0);

    run = cli(QStringList{QStringLiteral("import"), project, QStringLiteral("--split"),
                          QStringLiteral("test"), QStringLiteral("--images"), m_data.test.images,
                          QStringLiteral("--labels"), m_data.test.labels} +
              common);
    QCOMPARE(run.exitCode, 0);
    summary = lastLineJson(run.out);
    QCOMPARE(summary.value(QStringLiteral("created")).toBool(), false);
    QCOMPARE(summary.value(QStringLiteral("dataset_id")).toInt(), datasetId);
    QCOMPARE(summary.value(QStringLiteral("splits")).toObject(),
             (QJsonObject{{QStringLiteral("test"), 32}}));
    QVERIFY2(run.err.contains("appended to dataset 'animals': 32 test samples"),
             run.err.constData());

    run = cli({QStringLiteral("datasets"), project, QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonArray datasets = lastLineJson(run.out).value(QStringLiteral("datasets")).toArray();
    QCOMPARE(datasets.size(), 1);
    const QJsonObject d = datasets.at(0).toObject();
    QCOMPARE(d.value(QStringLiteral("name")).toString(), QStringLiteral("animals"));
    QCOMPARE(d.value(QStringLiteral("id")).toInt(), datasetId);
    QCOMPARE(d.value(QStringLiteral("format")).toString(), QStringLiteral("idx"));
    QCOMPARE(d.value(QStringLiteral("samples")).toInt(), 96);
    QCOMPARE(d.value(QStringLiteral("splits")).toObject(),
             (QJsonObject{{QStringLiteral("train"), 64}, {QStringLiteral("test"), 32}}));
    QCOMPARE(d.value(QStringLiteral("width")).toInt(), 8);
    QCOMPARE(d.value(QStringLiteral("height")).toInt(), 8);
    QCOMPARE(d.value(QStringLiteral("channels")).toInt(), 1);
    const QJsonArray columns = d.value(QStringLiteral("columns")).toArray();
    QCOMPARE(columns.size(), 4);
    QCOMPARE(columns.at(0).toObject(),
             (QJsonObject{{QStringLiteral("name"), QStringLiteral("class")},
                          {QStringLiteral("kind"), QStringLiteral("categorical")},
                          {QStringLiteral("categories"),
                           QJsonArray{QStringLiteral("ant"), QStringLiteral("bee"),
                                      QStringLiteral("cat"), QStringLiteral("dog")}}}));
    QCOMPARE(columns.at(1).toObject(),
             (QJsonObject{{QStringLiteral("name"), QStringLiteral("flies")},
                          {QStringLiteral("kind"), QStringLiteral("binary")}}));
    QCOMPARE(columns.at(2).toObject().value(QStringLiteral("categories")).toArray(),
             (QJsonArray{QStringLiteral("six"), QStringLiteral("four")}));

    // The same, for people.
    run = cli({QStringLiteral("datasets"), project});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains("animals  (idx, 8x8x1)"), run.out.constData());
    QVERIFY2(run.out.contains("splits:  train 64, test 32"), run.out.constData());
    QVERIFY2(run.out.contains("columns: class[4] flies legs[2] mammal"), run.out.constData());
}

void TestCli::importMalformed_data()
{
    QTest::addColumn<QByteArray>("images");     // empty: the valid test images
    QTest::addColumn<QByteArray>("labels");     // empty: the valid test labels
    QTest::addColumn<QByteArray>("attributes"); // empty: the valid attribute table
    QTest::addColumn<QString>("badFile");       // images, labels, attributes
    QTest::addColumn<QString>("where");         // what follows the file name
    QTest::addColumn<QString>("fragment");

    const QByteArray labels = cyclicLabels(32, 4);
    QTest::newRow("truncated images")
        << idxFile({32, 8, 8}, labelledImages(labels, 8, 8).left(20 * 64)) << QByteArray()
        << QByteArray() << QStringLiteral("images") << QStringLiteral(" (byte offset 1296): ")
        << QStringLiteral("truncated data");
    QTest::newRow("bad magic in labels")
        << QByteArray() << QByteArray("\x08\x00\x00\x01") + idxFile({32}, labels).mid(4)
        << QByteArray() << QStringLiteral("labels") << QStringLiteral(" (byte offset 0): ")
        << QStringLiteral("magic number");
    QByteArray outOfRange = labels;
    outOfRange[3] = 9;
    QTest::newRow("label out of range")
        << QByteArray() << idxFile({32}, outOfRange) << QByteArray() << QStringLiteral("labels")
        << QStringLiteral(" (byte offset 11): ")
        << QStringLiteral("label 9 of item 3 has no class name");
    QTest::newRow("count mismatch")
        << QByteArray() << idxFile({31}, labels.left(31)) << QByteArray()
        << QStringLiteral("labels") << QStringLiteral(" (byte offset 4): ")
        << QStringLiteral("holds 31 labels");
    QTest::newRow("unknown class in attributes")
        << QByteArray() << QByteArray()
        << QByteArray("class,flies,legs,mammal\nant,0,six,0\nbee,1,six,0\ncow,0,four,1\n")
        << QStringLiteral("attributes") << QStringLiteral(":4:1: ")
        << QStringLiteral("unknown class 'cow'");
}

void TestCli::importMalformed()
{
    QFETCH(QByteArray, images);
    QFETCH(QByteArray, labels);
    QFETCH(QByteArray, attributes);
    QFETCH(QString, badFile);
    QFETCH(QString, where);
    QFETCH(QString, fragment);

    QHash<QString, QString> files{{QStringLiteral("images"), m_data.test.images},
                                  {QStringLiteral("labels"), m_data.test.labels},
                                  {QStringLiteral("attributes"), m_data.attributes}};
    if (!images.isEmpty()) {
        files[QStringLiteral("images")] = path(QStringLiteral("bad-images-idx3-ubyte"));
        QVERIFY(writeFile(files[QStringLiteral("images")], images));
    }
    if (!labels.isEmpty()) {
        files[QStringLiteral("labels")] = path(QStringLiteral("bad-labels-idx1-ubyte.gz"));
        QVERIFY(writeGzip(files[QStringLiteral("labels")], labels));
    }
    if (!attributes.isEmpty()) {
        files[QStringLiteral("attributes")] = path(QStringLiteral("bad-attributes.csv"));
        QVERIFY(writeFile(files[QStringLiteral("attributes")], attributes));
    }

    const QString before = projectDump(m_shared);
    const QByteArray bytes = contents(m_shared);
    QVERIFY(bytes.size() > 4096);
    const CliRun run = cli({QStringLiteral("import"), m_shared, QStringLiteral("--name"),
                            QStringLiteral("animals"), QStringLiteral("--split"),
                            QStringLiteral("val"), QStringLiteral("--images"),
                            files[QStringLiteral("images")], QStringLiteral("--labels"),
                            files[QStringLiteral("labels")], QStringLiteral("--class-names"),
                            m_data.classNames, QStringLiteral("--class-attributes"),
                            files[QStringLiteral("attributes")], QStringLiteral("--json")});
    QCOMPARE(run.exitStatus, QProcess::NormalExit);
    QCOMPARE(run.exitCode, 2);
    const QString err = QString::fromUtf8(run.err.trimmed());
    QVERIFY2(!err.contains(QLatin1Char('\n')), qPrintable(err));
    const QString location = files.value(badFile) + where;
    QVERIFY2(err.startsWith(QStringLiteral("mtlstudio-cli: ") + location), qPrintable(err));
    QVERIFY2(err.contains(fragment), qPrintable(err));
    QVERIFY2(run.out.isEmpty(), run.out.constData()); // no JSON summary for a failed import
    QCOMPARE(projectDump(m_shared), before);
    QVERIFY2(contents(m_shared) == bytes, "the project file's bytes changed");
}

// A folders import with --on-error skip: the skipped file is printed and kept in the import
// log; after the folder moves, relocate refuses a folder without the images and takes the
// right one.
// labels: the export lists every sample; a table of corrections changes exactly what it
// says, in one step that --undo and --redo take back and forth; a bad table names its file and
// line and leaves the project as it was.
void TestCli::labelsExportApplyUndo()
{
    const QString project = path(QStringLiteral("labels.mtlproj"));
    QFile::remove(project);
    QVERIFY(QFile::copy(m_shared, project));
    const QString exported = path(QStringLiteral("labels.csv"));
    const auto labels = [&](const QStringList &more) {
        return cli(QStringList{QStringLiteral("labels"), project, QStringLiteral("--dataset"),
                               QStringLiteral("animals")} +
                   more);
    };
    const CliRun out = labels({QStringLiteral("--export"), exported, QStringLiteral("--json")});
    QCOMPARE(out.exitCode, 0);
    QCOMPARE(lastLineJson(out.out).value(QStringLiteral("exported")).toInt(), 96);
    const QList<QByteArray> rows = contents(exported).trimmed().split('\n');
    QCOMPARE(rows.size(), 97);
    QCOMPARE(rows[0], QByteArray("sample,split,path,class,flies,legs,mammal"));
    // The first sample is an ant (class 0): it does not fly, it has six legs.
    QCOMPARE(rows[1], QByteArray("1,train,,ant,0,six,0"));

    // Corrections: sample 1 flies and has four legs; sample 2's row changes nothing.
    const QString fixes = path(QStringLiteral("fixes.csv"));
    QVERIFY(writeFile(fixes, "sample,flies,legs\n1,1,four\n2,,\n"));
    const QString before = projectDump(project);
    const QString bad = path(QStringLiteral("bad.csv"));
    QVERIFY(writeFile(bad, "sample,flies\n1,1\n2,yes\n"));
    const CliRun refused = labels({QStringLiteral("--apply"), bad});
    QCOMPARE(refused.exitCode, 2);
    QVERIFY2(refused.err.contains(bad.toUtf8() + ":3") && refused.err.contains("'flies' is binary"),
             refused.err.constData());
    QCOMPARE(projectDump(project), before); // the good first row was not applied either

    const CliRun applied = labels({QStringLiteral("--apply"), fixes, QStringLiteral("--json")});
    QCOMPARE(applied.exitCode, 0);
    QJsonObject summary = lastLineJson(applied.out);
    QCOMPARE(summary.value(QStringLiteral("changed")).toInt(), 2);
    QCOMPARE(summary.value(QStringLiteral("samples")).toInt(), 1);
    QCOMPARE(summary.value(QStringLiteral("edits_in_effect")).toInt(), 2);
    QVERIFY(labels({QStringLiteral("--export"), exported}).exitCode == 0);
    QCOMPARE(contents(exported).split('\n')[1], QByteArray("1,train,,ant,1,four,0"));
    // Applying it again changes nothing.
    QVERIFY(labels({QStringLiteral("--apply"), fixes}).err.contains("nothing changed"));

    const CliRun history = labels({QStringLiteral("--history"), QStringLiteral("--json")});
    const QJsonArray edits = lastLineJson(history.out).value(QStringLiteral("edits")).toArray();
    QCOMPARE(edits.size(), 2);
    QCOMPARE(edits[1].toObject().value(QStringLiteral("old")).toString(), QStringLiteral("six"));
    QCOMPARE(edits[1].toObject().value(QStringLiteral("new")).toString(), QStringLiteral("four"));

    QCOMPARE(labels({QStringLiteral("--undo")}).exitCode, 0);
    QVERIFY(labels({QStringLiteral("--export"), exported}).exitCode == 0);
    QCOMPARE(contents(exported).split('\n')[1], QByteArray("1,train,,ant,0,six,0"));
    QVERIFY(labels({QStringLiteral("--undo")}).err.contains("nothing to undo"));
    summary = lastLineJson(labels({QStringLiteral("--redo"), QStringLiteral("--json")}).out);
    QCOMPARE(summary.value(QStringLiteral("edits_in_effect")).toInt(), 2);
    // The dataset says how many edits are in effect.
    const QJsonObject listed =
        lastLineJson(cli({QStringLiteral("datasets"), project, QStringLiteral("--json")}).out);
    QCOMPARE(listed.value(QStringLiteral("datasets"))
                 .toArray()[0]
                 .toObject()
                 .value(QStringLiteral("label_edits")),
             QJsonValue(2));
    // Nothing to do is bad usage.
    QCOMPARE(labels({}).exitCode, 2);
}

void TestCli::importImageFilesLogAndRelocate()
{
    const QString root = m_dir->path() + QStringLiteral("/folders/img");
    for (const char *name : {"ant/0.png", "ant/1.png", "bee/2.png"}) {
        QDir().mkpath(QFileInfo(root + QLatin1Char('/') + QLatin1String(name)).absolutePath());
        const std::vector<std::uint8_t> pixels(6 * 4, 100);
        const std::string png = encodeGrayPng(pixels.data(), 6, 4);
        QVERIFY(writeFile(root + QLatin1Char('/') + QLatin1String(name),
                          QByteArray(png.data(), static_cast<int>(png.size()))));
    }
    QVERIFY(writeFile(root + QStringLiteral("/bee/notes.txt"), "not an image"));
    const QString project = m_dir->path() + QStringLiteral("/folders/p.mtlproj");
    const QStringList import{QStringLiteral("import"),   project,
                             QStringLiteral("--name"),   QStringLiteral("bugs"),
                             QStringLiteral("--format"), QStringLiteral("folders"),
                             QStringLiteral("--root"),   root};
    const CliRun refused = cli(import);
    QCOMPARE(refused.exitCode, 2);
    QVERIFY2(refused.err.contains("'bee/notes.txt': not a PNG or JPEG image"), refused.err);
    QVERIFY(!QFile::exists(project));
    const CliRun skipped =
        cli(import + QStringList{QStringLiteral("--on-error"), QStringLiteral("skip"),
                                 QStringLiteral("--json")});
    QCOMPARE(skipped.exitCode, 0);
    QCOMPARE(lastLineJson(skipped.out).value(QStringLiteral("skipped")).toInt(), 1);
    QVERIFY2(skipped.err.contains("skipped 1 row ("), skipped.err);
    const CliRun log =
        cli({QStringLiteral("datasets"), project, QStringLiteral("--log"), QStringLiteral("bugs")});
    QCOMPARE(log.exitCode, 0);
    QVERIFY2(log.out.contains("3 samples added, 1 rows skipped"), log.out);
    QVERIFY2(log.out.contains("'bee/notes.txt': not a PNG or JPEG image"), log.out);

    const QString moved = m_dir->path() + QStringLiteral("/folders/moved");
    QVERIFY(QDir().rename(root, moved));
    const CliRun wrong = cli({QStringLiteral("relocate"), project, QStringLiteral("--dataset"),
                              QStringLiteral("bugs"), QStringLiteral("--root"), m_dir->path()});
    QCOMPARE(wrong.exitCode, 2);
    QVERIFY2(wrong.err.contains("does not hold the images of dataset 'bugs'"), wrong.err);
    const CliRun right = cli({QStringLiteral("relocate"), project, QStringLiteral("--dataset"),
                              QStringLiteral("bugs"), QStringLiteral("--root"), moved});
    QCOMPARE(right.exitCode, 0);
    const CliRun listed = cli({QStringLiteral("datasets"), project, QStringLiteral("--json")});
    const QJsonObject dataset =
        lastLineJson(listed.out).value(QStringLiteral("datasets")).toArray().first().toObject();
    QCOMPARE(dataset.value(QStringLiteral("root")).toString(),
             QFileInfo(moved).canonicalFilePath());
}

void TestCli::trainJsonResult()
{
    CliRun run =
        cli({QStringLiteral("train"), m_shared, QStringLiteral("--config"), m_config,
             QStringLiteral("--set"), QStringLiteral("train.epochs=2"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonObject result = lastLineJson(run.out);
    QVERIFY2(!result.isEmpty(), run.out.constData());
    const int runId = result.value(QStringLiteral("run_id")).toInt();
    QVERIFY(runId > 0);
    QCOMPARE(result.value(QStringLiteral("status")).toString(), QStringLiteral("completed"));
    QCOMPARE(result.value(QStringLiteral("split")).toString(), QStringLiteral("test"));
    QCOMPARE(result.value(QStringLiteral("device")).toString(), QStringLiteral("cpu"));
    QCOMPARE(result.value(QStringLiteral("steps")).toInt(),
             4); // --set train.epochs=2, 2 steps each
    QVERIFY(result.value(QStringLiteral("images_per_s")).toDouble() > 0);
    QCOMPARE(result.value(QStringLiteral("error")).toString(), QString());
    const QJsonObject metrics = result.value(QStringLiteral("metrics")).toObject();
    QCOMPARE(metrics.keys(), (QStringList{QStringLiteral("kind"), QStringLiteral("looks")}));
    for (const QString &task : metrics.keys()) {
        const QJsonValue accuracy =
            metrics.value(task).toObject().value(QStringLiteral("accuracy"));
        QVERIFY2(accuracy.isDouble(), qPrintable(task));
        QVERIFY(accuracy.toDouble() >= 0 && accuracy.toDouble() <= 1);
        QVERIFY(isMultipleOf(accuracy.toDouble(), 32) || task == QStringLiteral("looks"));
    }
    const QJsonObject attributes = metrics.value(QStringLiteral("looks"))
                                       .toObject()
                                       .value(QStringLiteral("attributes"))
                                       .toObject();
    QCOMPARE(attributes.keys(), (QStringList{QStringLiteral("flies"), QStringLiteral("mammal")}));
    QVERIFY2(run.err.contains(QStringLiteral("run %1 completed").arg(runId).toUtf8()),
             run.err.constData());

    run = cli({QStringLiteral("runs"), m_shared, QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    QJsonObject listed;
    for (const QJsonValue &r : lastLineJson(run.out).value(QStringLiteral("runs")).toArray())
        if (r.toObject().value(QStringLiteral("id")).toInt() == runId)
            listed = r.toObject();
    QVERIFY2(!listed.isEmpty(), run.out.constData());
    QCOMPARE(listed.value(QStringLiteral("status")).toString(), QStringLiteral("completed"));
    QCOMPARE(listed.value(QStringLiteral("experiment")).toString(), QStringLiteral("tiny"));
    QCOMPARE(listed.value(QStringLiteral("dataset")).toString(), QStringLiteral("animals"));
    QCOMPARE(listed.value(QStringLiteral("steps_done")).toInt(), 4);
    QCOMPARE(listed.value(QStringLiteral("steps_total")).toInt(), 4);
    QCOMPARE(listed.value(QStringLiteral("device")).toString(), QStringLiteral("cpu"));
    QVERIFY(!listed.value(QStringLiteral("finished_at")).toString().isEmpty());

    run = cli({QStringLiteral("runs"), m_shared});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains("completed") && run.out.contains("4/4"), run.out.constData());
}

void TestCli::failedRunExits3()
{
    // A run that fails while training (here: a damaged sample in a copy of the project, found
    // when the split is loaded) is recorded as failed and exits with 3.
    const QString damaged = path(QStringLiteral("damaged.mtlproj"));
    {
        store::Project source(str(m_shared));
        source.db().exec("VACUUM INTO '" + str(damaged) + "'");
    }
    {
        store::Database db(str(damaged), store::Database::Mode::ReadWrite);
        db.exec("UPDATE samples SET image = x'0102' WHERE id = (SELECT min(id) FROM samples "
                "WHERE split = 'train')");
    }
    const CliRun probe = cli({QStringLiteral("train"), damaged, QStringLiteral("--config"),
                              m_config, QStringLiteral("--json")});
    const QJsonObject result = lastLineJson(probe.out);
    QCOMPARE(probe.exitStatus, QProcess::NormalExit);
    QCOMPARE(probe.exitCode, 3);
    QCOMPARE(result.value(QStringLiteral("status")).toString(), QStringLiteral("failed"));
    const QString error = result.value(QStringLiteral("error")).toString();
    QVERIFY2(error.contains(QStringLiteral("has 2 bytes")), qPrintable(error));
    const int runId = result.value(QStringLiteral("run_id")).toInt();
    QVERIFY2(probe.err.contains(QStringLiteral("run %1 failed: ").arg(runId).toUtf8()),
             probe.err.constData());

    store::Project reader(str(damaged), store::Project::OpenMode::ReadOnly);
    const auto run = reader.runs().find(runId);
    QVERIFY(run);
    QCOMPARE(statusName(run->status), QStringLiteral("failed"));
    QCOMPARE(qstr(run->error), error);
}

// A queue: a run that fails while training (a NaN on purpose) and one that cannot be set up for
// the data (a label the dataset lacks) do not stop it; each prints its JSON line.
void TestCli::queueRunsOnAfterFailures()
{
    const QString project = path(QStringLiteral("queue.mtlproj"));
    QVERIFY(QFile::copy(m_shared, project)); // with the runs of the tests before
    std::int64_t before = 0;
    for (const store::RunInfo &info : store::Project(str(project)).runs().list())
        before = std::max(before, info.id);
    QByteArray nan = tinyConfig(QStringLiteral("animals"), trainJson(1, 16, 2, 0.25));
    nan.replace("\"train\":", "\"debug\": {\"nan_at_step\": 1}, \"train\":");
    QByteArray unknownLabel = tinyConfig(QStringLiteral("animals"), trainJson(1, 16, 2, 0.25));
    unknownLabel.replace("\"label\": \"class\"", "\"label\": \"colour\"");
    QVERIFY(writeFile(path(QStringLiteral("nan.json")), nan));
    QVERIFY(writeFile(path(QStringLiteral("label.json")), unknownLabel));
    const CliRun run = cli({QStringLiteral("train"), project, QStringLiteral("--config"), m_config,
                            QStringLiteral("--config"), path(QStringLiteral("nan.json")),
                            QStringLiteral("--config"), path(QStringLiteral("label.json")),
                            QStringLiteral("--config"), m_config, QStringLiteral("--json")},
                           120000);
    QCOMPARE(run.exitStatus, QProcess::NormalExit);
    QCOMPARE(run.exitCode, 3); // some failed
    const QList<QByteArray> lines = run.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 4); // one JSON object per experiment, in queue order
    QStringList statuses, configs;
    int nanRun = 0;
    for (const QByteArray &line : lines) {
        const QJsonObject result = QJsonDocument::fromJson(line).object();
        if (result.value(QStringLiteral("config")).toString().endsWith(QLatin1String("nan.json")))
            nanRun = result.value(QStringLiteral("run_id")).toInt();
        statuses << result.value(QStringLiteral("status")).toString();
        configs << QFileInfo(result.value(QStringLiteral("config")).toString()).fileName();
        if (configs.back() == QLatin1String("nan.json"))
            QVERIFY(result.value(QStringLiteral("error"))
                        .toString()
                        .contains(QStringLiteral("step 1: the loss of task 'kind' is nan")));
        if (configs.back() == QLatin1String("label.json")) {
            QCOMPARE(result.value(QStringLiteral("run_id")).toInt(), 0); // no run was recorded
            QVERIFY(result.value(QStringLiteral("error"))
                        .toString()
                        .contains(QStringLiteral(
                            "tasks[0].label: column 'colour' is not in dataset 'animals'")));
        }
    }
    QCOMPARE(statuses, (QStringList{QStringLiteral("completed"), QStringLiteral("failed"),
                                    QStringLiteral("failed"), QStringLiteral("completed")}));
    QCOMPARE(configs, (QStringList{QStringLiteral("tiny.json"), QStringLiteral("nan.json"),
                                   QStringLiteral("label.json"), QStringLiteral("tiny.json")}));
    QVERIFY2(
        run.err.contains("queue 3/4: ") &&
            run.err.contains("queue of 4 experiments: 2 completed, 1 failed, 1 could not "
                             "start\n") &&
            run.err.contains(QStringLiteral("nan.json: run %1 failed\n").arg(nanRun).toUtf8()) &&
            run.err.contains("label.json: could not start\n"),
        run.err.constData());
    store::Project reader(str(project), store::Project::OpenMode::ReadOnly);
    QStringList recorded;
    for (const store::RunInfo &info : reader.runs().list())
        if (info.id > before)
            recorded << statusName(info.status);
    recorded.sort();
    QCOMPARE(recorded, (QStringList{QStringLiteral("completed"), QStringLiteral("completed"),
                                    QStringLiteral("failed")}));
}

// Every config of a queue is read, and its dataset found, before the first run starts: a bad
// one refuses the queue (exit 2) naming its position, and nothing is trained.
void TestCli::queueCheckedBeforeItStarts()
{
    const QString project = path(QStringLiteral("queue-checked.mtlproj"));
    QVERIFY(QFile::copy(m_shared, project));
    const std::size_t before = store::Project(str(project)).runs().list().size();
    QVERIFY(writeFile(path(QStringLiteral("broken.json")), "{\"name\": \"broken\","));
    CliRun run = cli({QStringLiteral("train"), project, QStringLiteral("--config"), m_config,
                      QStringLiteral("--config"), path(QStringLiteral("broken.json"))});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("--config 2 of 2: ") && run.err.contains("broken.json") &&
                 run.err.contains("(nothing in the queue was run)"),
             run.err.constData());
    run = cli({QStringLiteral("train"), project, QStringLiteral("--config"), m_config,
               QStringLiteral("--config"), QStringLiteral("example:fmnist-hps")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("example:fmnist-hps: dataset 'fashion-mnist' is not in"),
             run.err.constData());
    store::Project reader(str(project), store::Project::OpenMode::ReadOnly);
    QCOMPARE(reader.runs().list().size(), before);
}

// Ctrl-C stops the run in progress and the queue with it: the next experiment never starts.
void TestCli::stopEndsTheQueue()
{
    const QString project = longProject(QStringLiteral("queue-stop.mtlproj"));
    QProcess process;
    QByteArray err;
    QVERIFY2(startLongRun(process, project, &err,
                          {QStringLiteral("--config"), path(QStringLiteral("long.json"))}),
             err.constData());
    ::kill(static_cast<pid_t>(process.processId()), SIGINT);
    QVERIFY(process.waitForFinished(30000));
    err += process.readAllStandardError();
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 130);
    QVERIFY2(err.contains("queue of 2 experiments: 1 stopped, 1 not started\n") &&
                 err.contains("long.json: run 1 stopped\n") &&
                 err.contains("long.json: not started") && !err.contains("queue 2/2"),
             err.constData());
    QCOMPARE(process.readAllStandardOutput().trimmed().split('\n').size(), 1);
    store::Project reader(str(project), store::Project::OpenMode::ReadOnly);
    QCOMPARE(reader.runs().list().size(), std::size_t(1));
}

void TestCli::configErrors_data()
{
    QTest::addColumn<QByteArray>("config"); // empty: the tiny config
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<QString>("reason");

    const QByteArray tiny = tinyConfig(QStringLiteral("animals"), trainJson(1, 16, 2, 0.25));
    QByteArray misspelt = tiny;
    misspelt.replace("\"epochs\"", "\"epocs\"");
    QTest::newRow("unknown key") << misspelt << QStringList()
                                 << QStringLiteral(" train.epocs: unknown key (did you mean "
                                                   "'epochs'?)");
    QByteArray broken = tiny;
    broken.replace("\"dataset\": \"animals\",", "\"dataset\": ,");
    QTest::newRow("JSON syntax") << broken << QStringList()
                                 << QStringLiteral(":3:14: invalid JSON");
    QTest::newRow("wrong type through --set")
        << QByteArray()
        << QStringList{QStringLiteral("--set"), QStringLiteral("train.batch_size=\"x\"")}
        << QStringLiteral(" train.batch_size: expected an integer, got a string");
    QTest::newRow("malformed --set")
        << QByteArray() << QStringList{QStringLiteral("--set"), QStringLiteral("train")}
        << QStringLiteral("an override looks like key.path=value");
    QTest::newRow("label column not in the dataset")
        << QByteArray()
        << QStringList{QStringLiteral("--set"), QStringLiteral("tasks[1].labels[1]=wings")}
        << QStringLiteral("tasks[1].labels[1]: column 'wings' is not in dataset 'animals'");
    QTest::newRow("example config on another dataset")
        << QByteArray("example:fmnist-hps")
        << QStringList{QStringLiteral("--set"), QStringLiteral("dataset=animals")}
        << QStringLiteral("tasks[1].label: column 'group' is not in dataset 'animals'");
}

void TestCli::configErrors()
{
    QFETCH(QByteArray, config);
    QFETCH(QStringList, extra);
    QFETCH(QString, reason);

    QString file = m_config;
    if (config.startsWith("example:")) {
        file = QString::fromLatin1(config);
    } else if (!config.isEmpty()) {
        file = path(QStringLiteral("broken.json"));
        QVERIFY(writeFile(file, config));
    }
    const QString before = projectDump(m_shared);
    const CliRun run = cli(QStringList{QStringLiteral("train"), m_shared,
                                       QStringLiteral("--config"), file, QStringLiteral("--json")} +
                           extra);
    QCOMPARE(run.exitCode, 2);
    const QString err = QString::fromUtf8(run.err.trimmed());
    QVERIFY2(!err.contains(QLatin1Char('\n')), qPrintable(err));
    QVERIFY2(err.startsWith(QStringLiteral("mtlstudio-cli: ")), qPrintable(err));
    QVERIFY2(err.contains(reason), qPrintable(err));
    QVERIFY2(run.out.isEmpty(), run.out.constData());
    QCOMPARE(projectDump(m_shared), before); // no experiment or run recorded
}

void TestCli::sigtermStopsRun()
{
    const QString project = longProject(QStringLiteral("sigterm.mtlproj"));
    QProcess process;
    QByteArray err;
    QVERIFY2(startLongRun(process, project, &err), err.constData());
    process.terminate(); // SIGTERM
    QVERIFY(process.waitForFinished(30000));
    err += process.readAllStandardError();
    const QByteArray out = process.readAllStandardOutput();
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 130);
    QVERIFY2(err.contains("run 1 stopped"), err.constData());

    const QJsonObject result = lastLineJson(out);
    QCOMPARE(result.value(QStringLiteral("status")).toString(), QStringLiteral("stopped"));
    const int steps = result.value(QStringLiteral("steps")).toInt();
    QVERIFY2(steps >= 819 && steps < 8192, qPrintable(QString::number(steps)));

    store::Project reader(str(project));
    const auto run = reader.runs().find(result.value(QStringLiteral("run_id")).toInt());
    QVERIFY(run);
    QCOMPARE(statusName(run->status), QStringLiteral("stopped"));
    QCOMPARE(run->stepsDone, steps);
    QCOMPARE(run->stepsTotal, 8192);
    QCOMPARE(qstr(run->error), QStringLiteral("stopped by the user at step %1").arg(steps));
    const auto checkpoint = reader.runs().latestCheckpoint(run->id);
    QVERIFY(checkpoint);
    QCOMPARE(checkpoint->step, steps);
    QVERIFY(checkpoint->epoch >= 1 && checkpoint->epoch <= 8);

    // The stopped run continues where it stopped, as the same run, with its own config.
    const CliRun refused = cli({QStringLiteral("train"), project, QStringLiteral("--resume"),
                                QString::number(run->id), QStringLiteral("--config"), m_config});
    QCOMPARE(refused.exitCode, 2);
    const CliRun resumed = cli({QStringLiteral("train"), project, QStringLiteral("--resume"),
                                QString::number(run->id), QStringLiteral("--json")},
                               120000);
    QCOMPARE(resumed.exitCode, 0);
    QVERIFY2(resumed.err.contains(
                 QStringLiteral("resuming run %1 from its checkpoint at step %2 of 8192")
                     .arg(run->id)
                     .arg(steps)
                     .toUtf8()),
             resumed.err.constData());
    const QJsonObject done = lastLineJson(resumed.out);
    QCOMPARE(done.value(QStringLiteral("run_id")).toInt(), int(run->id));
    QCOMPARE(done.value(QStringLiteral("status")).toString(), QStringLiteral("completed"));
    QCOMPARE(done.value(QStringLiteral("steps")).toInt(), 8192);
    store::Project after(str(project));
    QCOMPARE(after.runs().list().size(), std::size_t(1));
    QCOMPARE(statusName(after.runs().find(run->id)->status), QStringLiteral("completed"));
}

void TestCli::killedRunIsInterrupted()
{
    const QString project = longProject(QStringLiteral("killed.mtlproj"));
    QProcess process;
    QByteArray err;
    QVERIFY2(startLongRun(process, project, &err), err.constData());
    process.kill(); // SIGKILL: no chance to record anything
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitStatus(), QProcess::CrashExit);

    // The next command that opens the project notices the run's process is gone.
    const CliRun run = cli({QStringLiteral("runs"), project, QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonArray runs = lastLineJson(run.out).value(QStringLiteral("runs")).toArray();
    QCOMPARE(runs.size(), 1);
    const QJsonObject r = runs.at(0).toObject();
    QCOMPARE(r.value(QStringLiteral("status")).toString(), QStringLiteral("interrupted"));
    QVERIFY(
        r.value(QStringLiteral("error")).toString().contains(QStringLiteral("killed or crashed")));
    QVERIFY(!r.value(QStringLiteral("finished_at")).toString().isEmpty());
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
