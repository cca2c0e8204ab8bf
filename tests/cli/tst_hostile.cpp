// The defects a hostile-input review of mtlstudio-cli found, each one a test: files that are
// not projects (another program's database, an empty file, a damaged project) are refused
// and left byte for byte as they were; inputs are checked before they are read (devices,
// FIFOs, padded files); text must be UTF-8; config numbers out of range, duplicate keys,
// directories and deep nesting are bad input naming the key; read-only projects list; a killed
// first import leaves no project; a killed run keeps its step checkpoints and an intact file;
// SIGUSR1 stops a run after its epoch; more threads than cores are capped with a warning. Every
// refusal is exit 2 with one line on stderr.

#include "data/idximporter.h"
#include "store/project.h"
#include "store/sqlite.h"

#include "fixtures.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

#include <sys/stat.h>
#include <unistd.h>

using namespace mtl;
using namespace mtl::test;

namespace {

const QString kCli = QStringLiteral(MTLSTUDIO_CLI);

QByteArray contents(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QJsonObject lastJson(const QByteArray &out)
{
    const QList<QByteArray> lines = out.trimmed().split('\n');
    return QJsonDocument::fromJson(lines.isEmpty() ? QByteArray() : lines.last()).object();
}

} // namespace

class TestHostile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void refused_data();
    void refused();
    void readOnlyProjectLists();
    void killedFirstImportLeavesNoProject();
    void killedRunKeepsItsStepCheckpoints();
    void sigusr1StopsAfterTheEpoch();
    void threadsCappedWithAWarning();

private:
    QString path(const QString &name) const { return QDir(m_dir.path()).filePath(name); }
    // A project `name` with the dataset "long" (2048 train images of 8×8) and a config for it
    // with `train` as its train object; returns the config's path.
    QString longRun(const QString &name, const QString &train);
    // Starts `mtlstudio-cli train PROJECT --config CONFIG --json` and waits for its first
    // progress line; false (with what it printed) when none came.
    bool startTraining(QProcess &process, const QString &project, const QString &config,
                       QByteArray *err);
    // Replaces "@name" arguments by the fixture files of that name.
    QStringList expand(const QStringList &args) const;

    QTemporaryDir m_dir;
    TinyDataset m_data;
    QString m_project, m_config;
};

void TestHostile::initTestCase()
{
    QVERIFY(QFile::exists(kCli));
    QVERIFY(m_dir.isValid());
    m_data = writeTinyDataset(m_dir.path(), 64, 32, false);
    m_project = path(QStringLiteral("p.mtlproj"));
    importAnimals(m_project, "animals", m_data.train);
    m_config = path(QStringLiteral("tiny.json"));
    QVERIFY(writeFile(m_config, tinyConfig(QStringLiteral("animals"),
                                           QStringLiteral(R"({"epochs": 1, "batch_size": 16,
        "max_steps_per_epoch": 2, "val_fraction": 0.25, "threads": 1, "device": "cpu"})"))));

    // Files that are not projects.
    {
        store::Database foreign(str(path(QStringLiteral("foreign.db"))),
                                store::Database::Mode::ReadWriteCreate);
        foreign.exec("CREATE TABLE foo (x); INSERT INTO foo VALUES (42);");
    }
    QVERIFY(writeFile(path(QStringLiteral("empty.mtlproj")), {}));
    QVERIFY(writeDamagedProject(path(QStringLiteral("damaged.mtlproj"))));

    // Inputs that must be refused before they are read.
    QCOMPARE(::mkfifo(str(path(QStringLiteral("fifo"))).c_str(), 0600), 0);
    QVERIFY(writeFile(path(QStringLiteral("padded-images")),
                      contents(m_data.train.images) + QByteArray(1 << 20, '\0')));
    QVERIFY(writeFile(path(QStringLiteral("bad-names.txt")), "ant\nb\xff" "ee\ncat\ndog\n"));
    QVERIFY(writeFile(path(QStringLiteral("names.txt")), animalClassNames()));
    QVERIFY(writeFile(path(QStringLiteral("typo-attributes.csv")),
                      "class,flies\nant,0\nbee,1\ncat,2\ndog,0\n"));
    // Configs.
    const QByteArray base = tinyConfig(QStringLiteral("animals"), QStringLiteral("{}"));
    QByteArray overflow = base;
    overflow.replace("\"lr\": 0.01", "\"lr\": 1e400");
    QVERIFY(overflow != base);
    QVERIFY(writeFile(path(QStringLiteral("overflow.json")), overflow));
    QVERIFY(writeFile(path(QStringLiteral("duplicate.json")),
                      tinyConfig(QStringLiteral("animals"),
                                 QStringLiteral(R"({"epochs": 1, "epochs": 100000})"))));
    QVERIFY(writeFile(path(QStringLiteral("deep.json")), QByteArray(100, '[') + QByteArray(100, ']')));
    QVERIFY(writeFile(path(QStringLiteral("huge.json")),
                      "{\"name\": \"" + QByteArray(17 << 20, 'x') + "\"}"));
    QVERIFY(QDir().mkpath(path(QStringLiteral("configdir"))));
}

QStringList TestHostile::expand(const QStringList &args) const
{
    QStringList result;
    for (const QString &arg : args) {
        if (arg == QLatin1String("@project"))
            result << m_project;
        else if (arg == QLatin1String("@config"))
            result << m_config;
        else if (arg == QLatin1String("@images"))
            result << m_data.train.images;
        else if (arg == QLatin1String("@labels"))
            result << m_data.train.labels;
        else if (arg.startsWith(QLatin1Char('@')))
            result << path(arg.mid(1));
        else
            result << arg;
    }
    return result;
}

void TestHostile::refused_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("unchanged"); // a fixture file that must keep its bytes
    QTest::addColumn<QString>("fragment");
    // An argument "\x01…" stands for the bytes x 0xFF y, which a QString cannot carry.
    const auto row = [](const char *name, const QStringList &args, const char *unchanged,
                        const char *fragment) {
        QTest::newRow(name) << args << QString::fromLatin1(unchanged)
                            << QString::fromUtf8(fragment);
    };
    const QString i = QStringLiteral("import"), t = QStringLiteral("train");
    row("datasets of another program's SQLite database",
        {QStringLiteral("datasets"), QStringLiteral("@foreign.db")}, "foreign.db",
        "not an MTL Studio project (an SQLite database with the tables foo); nothing was changed");
    row("import into another program's SQLite database",
        {i, QStringLiteral("@foreign.db"), QStringLiteral("--name"), QStringLiteral("x"),
         QStringLiteral("--images"), QStringLiteral("@images"), QStringLiteral("--labels"),
         QStringLiteral("@labels")},
        "foreign.db", "not an MTL Studio project");
    row("runs of an empty file", {QStringLiteral("runs"), QStringLiteral("@empty.mtlproj")},
        "empty.mtlproj", "is an empty file, not an MTL Studio project");
    row("runs of a damaged project", {QStringLiteral("runs"), QStringLiteral("@damaged.mtlproj")},
        "damaged.mtlproj", "the project file is damaged");
    row("train in a damaged project",
        {t, QStringLiteral("@damaged.mtlproj"), QStringLiteral("--config"), QStringLiteral("@config")},
        "damaged.mtlproj", "the project file is damaged");
    row("images from /dev/zero",
        {i, QStringLiteral("@project"), QStringLiteral("--name"), QStringLiteral("z"),
         QStringLiteral("--images"), QStringLiteral("/dev/zero"), QStringLiteral("--labels"),
         QStringLiteral("@labels")},
        "", "/dev/zero: is not a regular file");
    row("images from a FIFO nobody writes",
        {i, QStringLiteral("@project"), QStringLiteral("--name"), QStringLiteral("z"),
         QStringLiteral("--images"), QStringLiteral("@fifo"), QStringLiteral("--labels"),
         QStringLiteral("@labels")},
        "", "fifo: is not a regular file");
    row("images padded with 1 MiB",
        {i, QStringLiteral("@project"), QStringLiteral("--name"), QStringLiteral("z"),
         QStringLiteral("--images"), QStringLiteral("@padded-images"), QStringLiteral("--labels"),
         QStringLiteral("@labels")},
        "", "1048576 unexpected bytes after the last item");
    row("a dataset name that is not UTF-8",
        {i, QStringLiteral("@project"), QStringLiteral("--name"), QStringLiteral("\x01NAME"),
         QStringLiteral("--images"), QStringLiteral("@images"), QStringLiteral("--labels"),
         QStringLiteral("@labels")},
        "", "--name is not valid UTF-8 (byte 0xFF at position 1)");
    row("a split name that is not UTF-8",
        {i, QStringLiteral("@project"), QStringLiteral("--name"), QStringLiteral("ok"),
         QStringLiteral("--split"), QStringLiteral("\x01SPLIT"), QStringLiteral("--images"),
         QStringLiteral("@images"), QStringLiteral("--labels"), QStringLiteral("@labels")},
        "", "--split is not valid UTF-8");
    row("class names that are not UTF-8",
        {i, QStringLiteral("@project"), QStringLiteral("--name"), QStringLiteral("ok"),
         QStringLiteral("--images"), QStringLiteral("@images"), QStringLiteral("--labels"),
         QStringLiteral("@labels"), QStringLiteral("--class-names"), QStringLiteral("@bad-names.txt")},
        "", "bad-names.txt:2:2: not valid UTF-8 (byte 0xFF)");
    row("a 2 among the 0/1 of an attribute",
        {i, QStringLiteral("@project"), QStringLiteral("--name"), QStringLiteral("ok"),
         QStringLiteral("--images"), QStringLiteral("@images"), QStringLiteral("--labels"),
         QStringLiteral("@labels"), QStringLiteral("--class-names"), QStringLiteral("@names.txt"),
         QStringLiteral("--class-attributes"), QStringLiteral("@typo-attributes.csv")},
        "", "typo-attributes.csv:4:2: attribute 'flies' is 0/1 for other classes but '2' here");
    row("lr = 1e400 in a config",
        {t, QStringLiteral("@project"), QStringLiteral("--config"), QStringLiteral("@overflow.json")},
        "", "overflow.json:10:43 optimizer.lr: number out of range: 1e400");
    row("lr = 1e400 through --set",
        {t, QStringLiteral("@project"), QStringLiteral("--config"), QStringLiteral("@config"),
         QStringLiteral("--set"), QStringLiteral("optimizer.lr=1e400")},
        "", "optimizer.lr: number out of range: 1e400");
    row("a key given twice",
        {t, QStringLiteral("@project"), QStringLiteral("--config"), QStringLiteral("@duplicate.json")},
        "", "train.epochs: duplicate key 'epochs'");
    row("a directory as the config",
        {t, QStringLiteral("@project"), QStringLiteral("--config"), QStringLiteral("@configdir")},
        "", "configdir: is a directory");
    row("a config nested 100 deep",
        {t, QStringLiteral("@project"), QStringLiteral("--config"), QStringLiteral("@deep.json")},
        "", "nested deeper than 64 levels");
    row("a 17 MiB config",
        {t, QStringLiteral("@project"), QStringLiteral("--config"), QStringLiteral("@huge.json")},
        "", "is 17 MiB; a file of this kind is at most 16 MiB");
}

void TestHostile::refused()
{
    QFETCH(QStringList, args);
    QFETCH(QString, unchanged);
    QFETCH(QString, fragment);
    const QStringList expanded = expand(args);
    const QString before = projectDump(m_project);
    const QByteArray bytes = unchanged.isEmpty() ? QByteArray() : contents(path(unchanged));

    // Through a shell, which makes the 0xFF bytes the arguments "\x01…" stand for.
    QProcess process;
    QString script = QStringLiteral("exec \"$0\"");
    for (int a = 0; a < args.size(); ++a)
        script += args[a].startsWith(QLatin1Char('\x01'))
                      ? QStringLiteral(" \"$(printf 'x\\377y')\"")
                      : QStringLiteral(" \"${%1}\"").arg(a + 1);
    process.start(QStringLiteral("/bin/sh"),
                  QStringList{QStringLiteral("-c"), script, kCli} + expanded);
    QVERIFY(process.waitForStarted(10000));
    QVERIFY2(process.waitForFinished(20000), "did not finish: a blocked read?");
    const QByteArray err = process.readAllStandardError();
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QVERIFY2(process.exitCode() == 2, err.constData());
    QVERIFY2(QString::fromUtf8(err).contains(fragment), err.constData());
    QCOMPARE(err.trimmed().count('\n'), 0); // one line
    QVERIFY2(err.startsWith("mtlstudio-cli: "), err.constData());
    QCOMPARE(projectDump(m_project), before);
    if (!unchanged.isEmpty()) {
        QCOMPARE(contents(path(unchanged)), bytes);
        // Not switched to WAL either: a file that is not a project gets no journal.
        if (!unchanged.endsWith(QLatin1String("damaged.mtlproj")))
            QVERIFY(!QFile::exists(path(unchanged) + QStringLiteral("-wal")));
    }
}

void TestHostile::readOnlyProjectLists()
{
    if (::getuid() != 0 || !QFile::exists(QStringLiteral("/usr/bin/setpriv")))
        QSKIP("needs root and setpriv to run the CLI as another user");
    // A project owned by root, 644 in a 755 folder, read by user nobody.
    QTemporaryDir dir(QStringLiteral("/tmp/mtl-readonly-XXXXXX"));
    QVERIFY(dir.isValid());
    QVERIFY(QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                  QFileDevice::ExeOwner | QFileDevice::ReadGroup |
                                                  QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                                  QFileDevice::ExeOther));
    const QString copy = QDir(dir.path()).filePath(QStringLiteral("shared.mtlproj"));
    {
        store::Project source(str(m_project));
        source.db().exec("VACUUM INTO '" + str(copy) + "'");
    }
    QVERIFY(QFile::setPermissions(copy, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                            QFileDevice::ReadGroup | QFileDevice::ReadOther));
    const QString before = projectDump(copy);
    const auto asNobody = [&](const QStringList &args) {
        return runProgram(QStringLiteral("/usr/bin/setpriv"),
                          QStringList{QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                                      QStringLiteral("--clear-groups"), kCli} + args);
    };
    // Where user nobody cannot run the program at all (a chroot whose / is 0700, a home
    // directory build), there is nothing to test.
    const ProgramRun probe = asNobody({QStringLiteral("--version")});
    if (probe.exitCode != 0)
        QSKIP(qPrintable(QStringLiteral("user nobody cannot run mtlstudio-cli here: ") +
                         QString::fromUtf8(probe.err.trimmed())));
    ProgramRun run = asNobody({QStringLiteral("datasets"), copy, QStringLiteral("--json")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(lastJson(run.out).value(QStringLiteral("datasets")).toArray().size(), 1);
    run = asNobody({QStringLiteral("runs"), copy});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    run = asNobody({QStringLiteral("train"), copy, QStringLiteral("--config"), m_config});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("is read-only here"), run.err.constData());
    QCOMPARE(projectDump(copy), before);
}

void TestHostile::killedFirstImportLeavesNoProject()
{
    // Killed in the middle of its first import, the CLI leaves no project at the target; the
    // next import there cleans up and succeeds.
    const QString fmnist = QStringLiteral("/usr/share/datasets/fashion-mnist");
    QVERIFY2(QFileInfo::exists(fmnist), "dataset-fashion-mnist is missing");
    const QString target = path(QStringLiteral("first.mtlproj"));
    for (int attempt = 0; attempt < 3; ++attempt) {
        QProcess process;
        process.start(kCli, {QStringLiteral("import"), target, QStringLiteral("--name"),
                             QStringLiteral("fashion-mnist"), QStringLiteral("--format"),
                             QStringLiteral("fashion-mnist")});
        QVERIFY(process.waitForStarted(10000));
        QTest::qWait(400 + 300 * attempt);
        if (process.state() != QProcess::Running)
            QSKIP("the import finished before it could be killed");
        process.kill();
        QVERIFY(process.waitForFinished(10000));
        QVERIFY2(!QFile::exists(target), "a killed first import left a project behind");
    }
    const ProgramRun run =
        runProgram(kCli, {QStringLiteral("import"), target, QStringLiteral("--name"),
                          QStringLiteral("animals"), QStringLiteral("--images"), m_data.train.images,
                          QStringLiteral("--labels"), m_data.train.labels});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY(QFile::exists(target));
    const QStringList left = QDir(m_dir.path()).entryList({QStringLiteral("first.mtlproj.partial-*")});
    QVERIFY2(left.isEmpty(), qPrintable(left.join(QLatin1Char(' '))));
}

QString TestHostile::longRun(const QString &name, const QString &train)
{
    const QString project = path(name + QStringLiteral(".mtlproj"));
    const IdxSplitPaths split = writeIdxSplit(m_dir.path(), name, 2048, 4, 8, 8, false);
    importAnimals(project, "long", split);
    const QString config = path(name + QStringLiteral(".json"));
    if (!writeFile(config, tinyConfig(QStringLiteral("long"), train)))
        return {};
    return config;
}

bool TestHostile::startTraining(QProcess &process, const QString &project, const QString &config,
                                QByteArray *err)
{
    process.setReadChannel(QProcess::StandardError);
    process.start(kCli, {QStringLiteral("train"), project, QStringLiteral("--config"), config,
                         QStringLiteral("--json")});
    if (!process.waitForStarted(10000))
        return false;
    QElapsedTimer timer;
    timer.start();
    while (!err->contains("] step ") && timer.elapsed() < 60000 &&
           process.state() == QProcess::Running) {
        process.waitForReadyRead(500);
        *err += process.readAllStandardError();
    }
    return err->contains("] step ");
}

void TestHostile::killedRunKeepsItsStepCheckpoints()
{
    // With train.checkpoint_every_steps, a run killed mid-epoch resumes from its last step
    // checkpoint, not from the start; the file it was writing is intact.
    const QString config = longRun(QStringLiteral("kill"), QStringLiteral(R"({"epochs": 1,
        "batch_size": 2, "val_fraction": 0, "threads": 1, "device": "cpu",
        "checkpoint_every_steps": 50})"));
    QVERIFY(!config.isEmpty());
    const QString project = path(QStringLiteral("kill.mtlproj"));
    QProcess process;
    QByteArray err;
    // The first progress line comes at step 102.
    QVERIFY2(startTraining(process, project, config, &err), err.constData());
    process.kill();
    QVERIFY(process.waitForFinished(10000));

    std::int64_t runId = 0, checkpointStep = 0;
    {
        // SIGKILL in the middle of a write transaction: SQLite's journal keeps the file whole.
        store::Project p(str(project), store::Project::OpenMode::ReadOnly,
                         store::Project::Checks::Integrity);
        store::Statement integrity(p.db(), "PRAGMA integrity_check");
        QVERIFY(integrity.step());
        QCOMPARE(qstr(integrity.text(0)), QStringLiteral("ok"));
        const auto runs = p.runs().list();
        QCOMPARE(runs.size(), std::size_t(1));
        runId = runs[0].id;
        QCOMPARE(statusName(runs[0].status), QStringLiteral("interrupted"));
        const auto checkpoint = p.runs().latestCheckpoint(runId);
        QVERIFY2(checkpoint, "a killed run kept no checkpoint");
        checkpointStep = checkpoint->step;
    }
    QVERIFY2(checkpointStep >= 100 && checkpointStep % 50 == 0,
             qPrintable(QString::number(checkpointStep)));
    const ProgramRun resumed = runProgram(
        kCli, {QStringLiteral("train"), project, QStringLiteral("--resume"),
               QString::number(runId), QStringLiteral("--json")});
    QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
    QVERIFY2(resumed.err.contains(QStringLiteral("from its checkpoint at step %1").arg(checkpointStep).toUtf8()),
             resumed.err.constData());
    QCOMPARE(lastJson(resumed.out).value(QStringLiteral("steps")).toInt(), 1024);
}

void TestHostile::sigusr1StopsAfterTheEpoch()
{
    // 2 epochs of 400 steps; progress lines every 80 steps. SIGUSR1 at the first one: the run
    // finishes epoch 1 (validation, checkpoint), stops with 130, and resumes to the end.
    const QString config = longRun(QStringLiteral("usr1"), QStringLiteral(R"({"epochs": 2,
        "batch_size": 2, "max_steps_per_epoch": 400, "val_fraction": 0.1, "threads": 1,
        "device": "cpu"})"));
    QVERIFY(!config.isEmpty());
    const QString project = path(QStringLiteral("usr1.mtlproj"));
    QProcess process;
    QByteArray err;
    QVERIFY2(startTraining(process, project, config, &err), err.constData());
    QVERIFY2(!err.contains("epoch 1 val"), "epoch 1 ended before the signal: make it longer");
    QCOMPARE(::kill(static_cast<pid_t>(process.processId()), SIGUSR1), 0);
    QVERIFY(process.waitForFinished(60000));
    err += process.readAllStandardError();
    const QByteArray out = process.readAllStandardOutput();
    QCOMPARE(process.exitCode(), 130);
    QVERIFY2(err.contains("SIGUSR1: stopping after this epoch"), err.constData());
    QVERIFY2(err.contains("epoch 1 val"), err.constData()); // the epoch was validated
    QVERIFY2(err.contains("stopped by the user after epoch 1 of 2 (step 400)"), err.constData());
    const QJsonObject result = lastJson(out);
    QCOMPARE(result.value(QStringLiteral("status")).toString(), QStringLiteral("stopped"));
    QCOMPARE(result.value(QStringLiteral("steps")).toInt(), 400);
    QCOMPARE(result.value(QStringLiteral("note")).toString(),
             QStringLiteral("stopped by the user after epoch 1 of 2 (step 400)"));
    QVERIFY2(err.contains("continue it with: mtlstudio-cli train"), err.constData());

    const int runId = result.value(QStringLiteral("run_id")).toInt();
    const ProgramRun resumed =
        runProgram(kCli, {QStringLiteral("train"), project, QStringLiteral("--resume"),
                          QString::number(runId), QStringLiteral("--json")});
    QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
    QVERIFY2(resumed.err.contains("from its checkpoint at step 400"), resumed.err.constData());
    QVERIFY2(!resumed.err.contains("epoch 1 val"), resumed.err.constData()); // not validated twice
    QCOMPARE(lastJson(resumed.out).value(QStringLiteral("steps")).toInt(), 800);
}

void TestHostile::threadsCappedWithAWarning()
{
    const ProgramRun run = runProgram(kCli, {QStringLiteral("train"), m_project,
                                             QStringLiteral("--config"), m_config,
                                             QStringLiteral("--set"), QStringLiteral("train.threads=1000")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY2(run.err.contains("warning: train.threads is 1000 but this machine has "),
             run.err.constData());
}

QTEST_GUILESS_MAIN(TestHostile)
#include "tst_hostile.moc"
