// The project file: a new project gets the current schema version; newer files are refused and
// left untouched; migrations run in order, each in its own transaction, and a failing one is
// rolled back entirely; the SQLite layer's transactions, foreign keys, WAL mode and errors.

#include "store/schema.h"

#include "store/project.h"
#include "store/sqlite.h"

#include "fixtures.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace mtl;
using namespace mtl::test;
using store::Database;
using store::Statement;

namespace {
std::int64_t scalar(Database &db, const std::string &sql)
{
    Statement st(db, sql);
    if (!st.step())
        return -1;
    return st.int64(0);
}

QString text(Database &db, const std::string &sql)
{
    Statement st(db, sql);
    return st.step() ? qstr(st.text(0)) : QString();
}

QStringList tables(Database &db)
{
    QStringList names;
    Statement st(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    while (st.step())
        names << qstr(st.text(0));
    return names;
}

QList<int> column(Database &db, const std::string &sql)
{
    QList<int> values;
    Statement st(db, sql);
    while (st.step())
        values << st.int32(0);
    return values;
}
} // namespace

class TestSchema : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void newProjectHasCurrentSchema();
    void walAndForeignKeysOn();
    void reopeningMigratesNothing();
    void newerVersionRefused();
    void readOnlyNeedsCurrentVersion();
    void emptyDatabaseIsMigrated();
    void version1ProjectMigrates();
    void version7ProjectGetsLabelCounts();
    void migrationsRunInOrder();
    void migrationsRunInTransactions();
    void failingMigrationRolledBack();
    void migrateRefusesNewerThanSteps();
    void transactionRollsBackOnException();
    void transactionCommit();
    void foreignKeysEnforced();
    void deletingDatasetCascades();
    void statementErrors();
    void openErrors_data();
    void openErrors();
    void damagedProjectIsReported();

private:
    QString path(const QString &name) const { return QDir(m_dir->path()).filePath(name); }
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestSchema::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestSchema::cleanup()
{
    m_dir.reset();
}

void TestSchema::newProjectHasCurrentSchema()
{
    const auto &steps = store::migrations();
    QVERIFY(!steps.empty());
    for (std::size_t i = 0; i < steps.size(); ++i) {
        QCOMPARE(steps[i].version, int(i + 1)); // 1, 2, 3, … without gaps
        QVERIFY(!steps[i].description.empty());
    }
    QCOMPARE(store::currentSchemaVersion(), steps.back().version);

    const QString file = path(QStringLiteral("new.mtlproj"));
    QVERIFY(!QFile::exists(file));
    store::Project project(str(file), store::Project::OpenMode::CreateIfMissing);
    QVERIFY(QFile::exists(file));
    QCOMPARE(project.db().userVersion(), store::currentSchemaVersion());
    QCOMPARE(scalar(project.db(), "PRAGMA user_version"), store::currentSchemaVersion());
    const QStringList names = tables(project.db());
    for (const char *table :
         {"datasets", "samples", "label_columns", "labels", "experiments", "runs", "metrics",
          "task_weights", "checkpoints", "map_columns", "label_maps"})
        QVERIFY2(names.contains(QLatin1String(table)), table);
    QVERIFY(project.datasets().list().empty());
    QVERIFY(project.runs().list().empty());
}

void TestSchema::walAndForeignKeysOn()
{
    const QString file = path(QStringLiteral("wal.mtlproj"));
    {
        store::Project project(str(file), store::Project::OpenMode::CreateIfMissing);
        QCOMPARE(text(project.db(), "PRAGMA journal_mode"), QStringLiteral("wal"));
        QCOMPARE(scalar(project.db(), "PRAGMA foreign_keys"), 1);
    }
    // WAL is persistent in the file; foreign keys are per connection and set on every open.
    store::Project reopened(str(file));
    QCOMPARE(text(reopened.db(), "PRAGMA journal_mode"), QStringLiteral("wal"));
    QCOMPARE(scalar(reopened.db(), "PRAGMA foreign_keys"), 1);
    Database readOnly(str(file), Database::Mode::ReadOnly);
    QCOMPARE(scalar(readOnly, "PRAGMA foreign_keys"), 1);
}

void TestSchema::reopeningMigratesNothing()
{
    const QString file = path(QStringLiteral("p.mtlproj"));
    {
        store::Project project(str(file), store::Project::OpenMode::CreateIfMissing);
    }
    Database db(str(file), Database::Mode::ReadWrite);
    QCOMPARE(store::migrate(db), 0);
    QCOMPARE(db.userVersion(), store::currentSchemaVersion());
}

void TestSchema::newerVersionRefused()
{
    const QString file = path(QStringLiteral("future.mtlproj"));
    const int newer = store::currentSchemaVersion() + 1;
    {
        store::Project project(str(file), store::Project::OpenMode::CreateIfMissing);
        project.db().setUserVersion(newer);
    }
    const QString before = projectDump(file);

    for (auto mode :
         {store::Project::OpenMode::MustExist, store::Project::OpenMode::CreateIfMissing,
          store::Project::OpenMode::ReadOnly}) {
        const auto error = catchError([&] { store::Project project(str(file), mode); });
        QVERIFY2(error, "a project of a newer schema was opened");
        QCOMPARE(codeName(error->code()), codeName(ErrorCode::Store));
        QCOMPARE(qstr(error->where().file), file);
        const QString what = QString::fromUtf8(error->what());
        QVERIFY2(what.contains(QString::number(newer)), qPrintable(what));
        if (mode != store::Project::OpenMode::ReadOnly)
            QVERIFY2(what.contains(QStringLiteral("written by a newer MTL Studio (schema version "
                                                  "%1; this build reads up to %2)")
                                       .arg(newer)
                                       .arg(store::currentSchemaVersion())),
                     qPrintable(what));
    }
    QCOMPARE(projectDump(file), before);
}

void TestSchema::readOnlyNeedsCurrentVersion()
{
    // Read-only opening never migrates, so a project of an older schema is refused; Read
    // upgrades it first (the one write it makes) and then reads.
    const QString file = path(QStringLiteral("old.mtlproj"));
    {
        Database db(str(file), Database::Mode::ReadWriteCreate);
        store::migrate(db, {store::migrations().front()});
    }
    const QString before = projectDump(file);
    const auto error =
        catchError([&] { store::Project project(str(file), store::Project::OpenMode::ReadOnly); });
    QVERIFY(error);
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::Store));
    QVERIFY2(QString::fromUtf8(error->what()).contains(QStringLiteral("schema version 1")),
             error->what());
    QCOMPARE(projectDump(file), before);

    store::Project read(str(file), store::Project::OpenMode::Read);
    QCOMPARE(read.db().userVersion(), store::currentSchemaVersion());
    QVERIFY(read.runs().list().empty());
}

void TestSchema::emptyDatabaseIsMigrated()
{
    // An empty file is not a project to open, read or write; a command that creates a
    // project (import) may make it one.
    const QString file = path(QStringLiteral("empty.mtlproj"));
    {
        Database db(str(file), Database::Mode::ReadWriteCreate);
    }
    QCOMPARE(QFileInfo(file).size(), 0);
    for (const auto mode : {store::Project::OpenMode::MustExist, store::Project::OpenMode::Read,
                            store::Project::OpenMode::ReadOnly}) {
        const auto error = catchError([&] { store::Project project(str(file), mode); });
        QVERIFY(error);
        QCOMPARE(codeName(error->code()), codeName(ErrorCode::InvalidInput));
        QVERIFY2(qstr(error->message()).contains(QStringLiteral("empty file")), error->what());
        QCOMPARE(QFileInfo(file).size(), 0);
    }
    store::Project project(str(file), store::Project::OpenMode::CreateIfMissing);
    QCOMPARE(project.db().userVersion(), store::currentSchemaVersion());
    QVERIFY(tables(project.db()).contains(QStringLiteral("runs")));
    QCOMPARE(project.db().scalar("PRAGMA application_id"), store::Project::kApplicationId);
}

void TestSchema::version7ProjectGetsLabelCounts()
{
    // A dataset written at version 7: three samples, one column with values 0, 1, 1.
    const QString file = path(QStringLiteral("v7.mtlproj"));
    {
        Database db(str(file), Database::Mode::ReadWriteCreate);
        const std::vector<store::Migration> upTo7(store::migrations().begin(),
                                                  store::migrations().begin() + 7);
        QCOMPARE(store::migrate(db, upTo7), 7);
        db.exec("INSERT INTO datasets (id, name, format, created_at) VALUES (1, 'd', 'idx', 'now');"
                "INSERT INTO label_columns (id, dataset_id, name, kind, position) "
                "VALUES (5, 1, 'c', 'binary', 0);");
        for (int i = 0; i < 3; ++i)
            db.exec(("INSERT INTO samples (id, dataset_id, split, idx, encoding, width, height, "
                     "channels) VALUES (" +
                     std::to_string(i + 1) + ", 1, 'train', " + std::to_string(i) +
                     ", 'raw', 1, 1, 1);"
                     "INSERT INTO labels VALUES (" +
                     std::to_string(i + 1) + ", 5, " + std::to_string(i ? 1 : 0) + ");")
                        .c_str());
    }
    store::Project project(str(file));
    const auto counts = project.datasets().labelCounts(1);
    QCOMPARE(counts.size(), std::size_t(2));
    QCOMPARE(counts[0].value, 0);
    QCOMPARE(counts[0].count, std::int64_t(1));
    QCOMPARE(counts[1].value, 1);
    QCOMPARE(counts[1].count, std::int64_t(2));
    // No pixel statistics: those need the images decoded, not SQL.
    QVERIFY(project.datasets().pixelStats(1).empty());
    QVERIFY(project.datasets().find(1)->pixelMean.empty());
}

void TestSchema::version1ProjectMigrates()
{
    // A project as the walking skeleton wrote it: schema 1, a run with a checkpoint.
    const QString file = path(QStringLiteral("v1.mtlproj"));
    {
        Database db(str(file), Database::Mode::ReadWriteCreate);
        QCOMPARE(store::migrate(db, {store::migrations().front()}), 1);
        db.exec(
            "INSERT INTO experiments (id, name, config, created_at) VALUES (1, 'e', '{}', 'now');"
            "INSERT INTO runs (id, experiment_id, status, created_at) VALUES (1, 1, 'stopped', "
            "'now');"
            "INSERT INTO checkpoints (run_id, epoch, step, created_at, model, optimizer) "
            "VALUES (1, 2, 30, 'now', x'00ff01', x'0203');");
        QCOMPARE(db.userVersion(), 1);
    }
    store::Project project(str(file));
    QCOMPARE(project.db().userVersion(), store::currentSchemaVersion());
    const auto old = project.runs().latestCheckpoint(1);
    QVERIFY(old);
    QCOMPARE(old->step, std::int64_t(30));
    QCOMPARE(old->model, std::string("\x00\xff\x01", 3));
    QCOMPARE(old->optimizer, std::string("\x02\x03", 2));
    QVERIFY(old->state.empty()); // written before checkpoints kept the run's state
    // New checkpoints keep it.
    project.runs().saveCheckpoint(1, checkpoint(3, 40, "m", "o", std::string("s\0t", 3)));
    QCOMPARE(project.runs().latestCheckpoint(1)->state, std::string("s\0t", 3));
    // Version 5: the old checkpoint became the run's "latest"; a "best" one lives beside it,
    // each kind pruned on its own; the run has an empty note and environment.
    QVERIFY(!project.runs().bestCheckpoint(1));
    project.runs().saveCheckpoint(1, checkpoint(2, 30, "best", "o", "s"), "best");
    project.runs().saveCheckpoint(1, checkpoint(3, 45, "m2", "o", "s"));
    QCOMPARE(project.runs().bestCheckpoint(1)->model, std::string("best"));
    QCOMPARE(project.runs().latestCheckpoint(1)->model, std::string("m2"));
    QCOMPARE(scalar(project.db(), "SELECT count(*) FROM checkpoints WHERE run_id = 1"), 2);
    const auto run = project.runs().find(1);
    QVERIFY(run->note.empty());
    QCOMPARE(qstr(run->environment), QStringLiteral("{}"));
    project.runs().setNote(1, "early");
    QCOMPARE(qstr(project.runs().find(1)->note), QStringLiteral("early"));
}

void TestSchema::migrationsRunInOrder()
{
    Database db(str(path(QStringLiteral("m.db"))), Database::Mode::ReadWriteCreate);
    QList<int> order;
    std::vector<store::Migration> steps{
        {1, "log table",
         [&](Database &d) {
             order << 1;
             d.exec("CREATE TABLE log (v INTEGER); INSERT INTO log VALUES (1)");
         }},
        {2, "two",
         [&](Database &d) {
             order << 2;
             d.exec("INSERT INTO log VALUES (2)");
         }},
        {3, "three",
         [&](Database &d) {
             order << 3;
             d.exec("INSERT INTO log VALUES (3)");
         }},
    };
    QCOMPARE(store::migrate(db, steps), 3);
    QCOMPARE(order, (QList<int>{1, 2, 3}));
    QCOMPARE(db.userVersion(), 3);
    QCOMPARE(column(db, "SELECT v FROM log ORDER BY rowid"), (QList<int>{1, 2, 3}));

    // Up to date: nothing runs. A new step: only it runs.
    order.clear();
    QCOMPARE(store::migrate(db, steps), 0);
    QVERIFY(order.isEmpty());
    steps.push_back({4, "four", [&](Database &d) {
                         order << 4;
                         d.exec("INSERT INTO log VALUES (4)");
                     }});
    QCOMPARE(store::migrate(db, steps), 1);
    QCOMPARE(order, (QList<int>{4}));
    QCOMPARE(db.userVersion(), 4);
    QCOMPARE(column(db, "SELECT v FROM log ORDER BY rowid"), (QList<int>{1, 2, 3, 4}));
}

void TestSchema::migrationsRunInTransactions()
{
    // Inside a migration a transaction is open already: BEGIN must fail there.
    Database db(str(path(QStringLiteral("t.db"))), Database::Mode::ReadWriteCreate);
    QList<bool> inTransaction;
    const auto probe = [&](Database &d) {
        const auto error = catchError([&] { d.exec("BEGIN"); });
        inTransaction << bool(error);
    };
    QCOMPARE(store::migrate(db, {{1, "a", probe}, {2, "b", probe}}), 2);
    QCOMPARE(inTransaction, (QList<bool>{true, true}));
    // And none is left open afterwards.
    db.exec("BEGIN");
    db.exec("COMMIT");
}

void TestSchema::failingMigrationRolledBack()
{
    const QString file = path(QStringLiteral("f.db"));
    Database db(str(file), Database::Mode::ReadWriteCreate);
    bool thirdRan = false;
    const std::vector<store::Migration> steps{
        {1, "one", [](Database &d) { d.exec("CREATE TABLE one (x)"); }},
        {2, "two",
         [](Database &d) {
             d.exec("CREATE TABLE two (x); INSERT INTO two VALUES (1)");
             d.exec("INSERT INTO no_such_table VALUES (1)");
         }},
        {3, "three",
         [&](Database &d) {
             thirdRan = true;
             d.exec("CREATE TABLE three (x)");
         }},
    };
    const auto error = catchError([&] { store::migrate(db, steps); });
    QVERIFY(error);
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::Store));
    QCOMPARE(qstr(error->where().file), file);
    const QString what = QString::fromUtf8(error->what());
    QVERIFY2(what.contains(QStringLiteral("migration to schema version 2 failed")),
             qPrintable(what));
    QVERIFY2(what.contains(QStringLiteral("no_such_table")), qPrintable(what));
    QCOMPARE(db.userVersion(), 1);
    QCOMPARE(tables(db), QStringList{QStringLiteral("one")});
    QVERIFY(!thirdRan);

    // A migration that throws something else is rolled back too.
    Database other(str(path(QStringLiteral("g.db"))), Database::Mode::ReadWriteCreate);
    bool threw = false;
    try {
        store::migrate(other, {{1, "throws", [](Database &d) {
                                    d.exec("CREATE TABLE half (x)");
                                    throw std::runtime_error("disk on fire");
                                }}});
    } catch (const std::runtime_error &) {
        threw = true;
    }
    QVERIFY(threw);
    QCOMPARE(other.userVersion(), 0);
    QVERIFY(tables(other).isEmpty());
}

void TestSchema::migrateRefusesNewerThanSteps()
{
    Database db(str(path(QStringLiteral("n.db"))), Database::Mode::ReadWriteCreate);
    db.setUserVersion(5);
    bool ran = false;
    const auto error = catchError([&] {
        store::migrate(db, {{1, "x", [&](Database &) { ran = true; }},
                            {2, "y", [&](Database &) { ran = true; }}});
    });
    QVERIFY(error);
    QVERIFY(QString::fromUtf8(error->what()).contains(QStringLiteral("schema version 5")));
    QVERIFY(!ran);
    QCOMPARE(db.userVersion(), 5);
}

void TestSchema::transactionRollsBackOnException()
{
    Database db(str(path(QStringLiteral("tx.db"))), Database::Mode::ReadWriteCreate);
    db.exec("CREATE TABLE t (x INTEGER)");
    bool caught = false;
    try {
        store::Transaction tx(db);
        db.exec("INSERT INTO t VALUES (1), (2)");
        QCOMPARE(scalar(db, "SELECT count(*) FROM t"), 2); // visible inside
        throw std::runtime_error("abort");
    } catch (const std::runtime_error &) {
        caught = true;
    }
    QVERIFY(caught);
    QCOMPARE(scalar(db, "SELECT count(*) FROM t"), 0);
    {
        store::Transaction tx(db);
        db.exec("INSERT INTO t VALUES (3)");
        // destroyed without commit(): rolled back as well
    }
    QCOMPARE(scalar(db, "SELECT count(*) FROM t"), 0);
}

void TestSchema::transactionCommit()
{
    const QString file = path(QStringLiteral("c.db"));
    {
        Database db(str(file), Database::Mode::ReadWriteCreate);
        db.exec("CREATE TABLE t (x INTEGER)");
        store::Transaction tx(db);
        db.exec("INSERT INTO t VALUES (7)");
        // A second connection does not see uncommitted rows.
        Database other(str(file), Database::Mode::ReadWrite);
        QCOMPARE(scalar(other, "SELECT count(*) FROM t"), 0);
        tx.commit();
        QCOMPARE(scalar(other, "SELECT count(*) FROM t"), 1);
    }
    Database db(str(file), Database::Mode::ReadOnly);
    QCOMPARE(scalar(db, "SELECT x FROM t"), 7);
}

void TestSchema::foreignKeysEnforced()
{
    store::Project project(str(path(QStringLiteral("fk.mtlproj"))),
                           store::Project::OpenMode::CreateIfMissing);
    const auto error = catchError([&] {
        Statement st(project.db(),
                     "INSERT INTO samples (dataset_id, split, idx, encoding, width, height, "
                     "channels) VALUES (999, 'train', 0, 'raw', 1, 1, 1)");
        st.exec();
    });
    QVERIFY2(error, "a sample of a dataset that does not exist was inserted");
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::Store));
    QVERIFY2(QString::fromUtf8(error->what()).contains(QStringLiteral("FOREIGN KEY")),
             error->what());

    const auto run = catchError([&] { project.runs().createRun(12345, 10); });
    QVERIFY2(run, "a run of an experiment that does not exist was created");
    QCOMPARE(scalar(project.db(), "SELECT count(*) FROM runs"), 0);

    // CHECK constraints hold as well.
    const auto status = catchError([&] {
        const auto experiment = project.runs().createExperiment("e", std::nullopt, "{}");
        const auto id = project.runs().createRun(experiment, 1);
        project.db().exec("UPDATE runs SET status = 'exploded' WHERE id = " + std::to_string(id));
    });
    QVERIFY(status);
    QVERIFY(QString::fromUtf8(status->what()).contains(QStringLiteral("CHECK")));
}

void TestSchema::deletingDatasetCascades()
{
    store::Project project(str(path(QStringLiteral("cascade.mtlproj"))),
                           store::Project::OpenMode::CreateIfMissing);
    auto &datasets = project.datasets();
    const auto id = datasets.create("d", "idx", "", 1, 1, 1);
    store::LabelColumn c;
    c.name = "class";
    c.categories = {"a", "b"};
    const auto columnId = datasets.ensureColumn(id, c);
    {
        store::DatasetStore::Writer writer(project.db(), id);
        const std::uint8_t pixel = 9;
        for (int i = 0; i < 3; ++i)
            writer.addLabel(
                writer.addSample("train", i, store::ImageEncoding::Raw, 1, 1, 1, &pixel, 1),
                columnId, i % 2);
    }
    const auto experiment = project.runs().createExperiment("e", id, "{}");
    const auto run = project.runs().createRun(experiment, 5);
    project.runs().record(run, records({{1, 1, "train", "t", "", "loss", 0.5}}), 1, 10.0);

    project.db().exec("DELETE FROM datasets WHERE id = " + std::to_string(id));
    QCOMPARE(scalar(project.db(), "SELECT count(*) FROM samples"), 0);
    QCOMPARE(scalar(project.db(), "SELECT count(*) FROM labels"), 0);
    QCOMPARE(scalar(project.db(), "SELECT count(*) FROM label_columns"), 0);
    // Experiments outlive their dataset (dataset_id set to NULL), and keep their runs.
    QCOMPARE(scalar(project.db(), "SELECT count(*) FROM experiments WHERE dataset_id IS NULL"), 1);
    QCOMPARE(project.runs().list().size(), std::size_t(1));
    QCOMPARE(qstr(project.runs().find(run)->datasetName), QString());

    project.db().exec("DELETE FROM experiments");
    QCOMPARE(scalar(project.db(), "SELECT count(*) FROM runs"), 0);
    QCOMPARE(scalar(project.db(), "SELECT count(*) FROM metrics"), 0);
}

void TestSchema::statementErrors()
{
    Database db(str(path(QStringLiteral("s.db"))), Database::Mode::ReadWriteCreate);
    const auto syntax = catchError([&] { Statement st(db, "SELEKT 1"); });
    QVERIFY(syntax);
    QCOMPARE(codeName(syntax->code()), codeName(ErrorCode::Store));
    QVERIFY(QString::fromUtf8(syntax->what()).contains(QStringLiteral("cannot prepare statement")));
    const auto exec = catchError([&] { db.exec("DROP TABLE nothing_here"); });
    QVERIFY(exec);
    QVERIFY(QString::fromUtf8(exec->what()).contains(QStringLiteral("nothing_here")));

    // Bindings are 1-based and cleared by reset().
    db.exec("CREATE TABLE t (a, b)");
    Statement insert(db, "INSERT INTO t VALUES (?1, ?2)");
    insert.bind(1, std::int64_t(5)).bind(2, "five");
    insert.exec();
    insert.bind(1, 2.5);
    insert.exec(); // ?2 is NULL now
    Statement select(db, "SELECT a, b FROM t ORDER BY rowid");
    QVERIFY(select.step());
    QCOMPARE(select.int64(0), 5);
    QCOMPARE(qstr(select.text(1)), QStringLiteral("five"));
    QVERIFY(select.step());
    QCOMPARE(select.real(0), 2.5);
    QVERIFY(select.isNull(1));
    QVERIFY(!select.step());
}

void TestSchema::openErrors_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("fragment");

    QTest::newRow("missing file") << QStringLiteral("missing") << codeName(ErrorCode::NotFound)
                                  << QStringLiteral("project file does not exist");
    QTest::newRow("directory") << QStringLiteral("directory") << codeName(ErrorCode::InvalidInput)
                               << QStringLiteral("is a directory");
    QTest::newRow("text file") << QStringLiteral("text") << codeName(ErrorCode::Store)
                               << QStringLiteral("not an MTL Studio project");
    QTest::newRow("another program's SQLite database")
        << QStringLiteral("foreign") << codeName(ErrorCode::InvalidInput)
        << QStringLiteral("not an MTL Studio project (an SQLite database with the tables "
                          "foo, notes); nothing was changed");
    QTest::newRow("FIFO") << QStringLiteral("fifo") << codeName(ErrorCode::InvalidInput)
                          << QStringLiteral("is not a regular file");
    QTest::newRow("empty file") << QStringLiteral("empty") << codeName(ErrorCode::InvalidInput)
                                << QStringLiteral("is an empty file");
}

void TestSchema::openErrors()
{
    QFETCH(QString, kind);
    QFETCH(QString, code);
    QFETCH(QString, fragment);

    const QString file = path(QStringLiteral("thing.mtlproj"));
    if (kind == QStringLiteral("directory"))
        QVERIFY(QDir().mkpath(file));
    if (kind == QStringLiteral("text"))
        QVERIFY(writeFile(file, QByteArray(200, 'x') + "\nnot a database\n"));
    if (kind == QStringLiteral("foreign")) {
        Database db(str(file), Database::Mode::ReadWriteCreate);
        db.exec("CREATE TABLE foo (x); CREATE TABLE notes (t); INSERT INTO foo VALUES (1);");
    }
    if (kind == QStringLiteral("fifo"))
        QCOMPARE(::mkfifo(str(file).c_str(), 0600), 0);
    if (kind == QStringLiteral("empty"))
        QVERIFY(writeFile(file, {}));
    const QByteArray bytes = kind == QStringLiteral("fifo") ? QByteArray() : [&] {
        QFile f(file);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }();
    const auto error = catchError([&] { store::Project project(str(file)); });
    QVERIFY(error);
    QCOMPARE(codeName(error->code()), code);
    QCOMPARE(qstr(error->where().file), file);
    const QString what = QString::fromUtf8(error->what());
    QVERIFY2(what.startsWith(file) && what.contains(fragment), qPrintable(what));
    if (kind == QStringLiteral("missing"))
        QVERIFY2(!QFile::exists(file), "opening a missing project created it");
    if (kind == QStringLiteral("text") || kind == QStringLiteral("foreign") ||
        kind == QStringLiteral("empty")) {
        // Not one byte written: no tables added, no WAL switch, no version set.
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), bytes);
        QVERIFY(!QFile::exists(file + QStringLiteral("-wal")));
    }
}

void TestSchema::damagedProjectIsReported()
{
    // A project with a damaged page is reported by the integrity check and left as it is.
    const QString file = path(QStringLiteral("damaged.mtlproj"));
    QVERIFY(writeDamagedProject(file));
    QFile reread(file);
    QVERIFY(reread.open(QIODevice::ReadOnly));
    const QByteArray damaged = reread.readAll();
    reread.close();

    for (const auto mode : {store::Project::OpenMode::MustExist, store::Project::OpenMode::Read}) {
        const auto error = catchError(
            [&] { store::Project project(str(file), mode, store::Project::Checks::Integrity); });
        QVERIFY(error);
        QCOMPARE(codeName(error->code()), codeName(ErrorCode::Store));
        QVERIFY2(qstr(error->message()).contains(QStringLiteral("the project file is damaged")),
                 error->what());
        QVERIFY(reread.open(QIODevice::ReadOnly));
        QCOMPARE(reread.readAll(), damaged);
        reread.close();
    }
}

QTEST_APPLESS_MAIN(TestSchema)
#include "tst_schema.moc"
