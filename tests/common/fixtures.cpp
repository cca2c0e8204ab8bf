#include "fixtures.h"

#include "data/idximporter.h"
#include "store/project.h"
#include "store/sqlite.h"

#include <zlib.h>

#include <QDir>
#include <QFile>
#include <QProcess>

#include <vector>

namespace mtl::test {

QByteArray idxHeader(const QList<quint32> &dims, quint8 type)
{
    QByteArray header;
    header.append(char(0)).append(char(0)).append(char(type)).append(char(dims.size()));
    for (quint32 dim : dims) {
        header.append(char((dim >> 24) & 0xff));
        header.append(char((dim >> 16) & 0xff));
        header.append(char((dim >> 8) & 0xff));
        header.append(char(dim & 0xff));
    }
    return header;
}

QByteArray idxFile(const QList<quint32> &dims, const QByteArray &data, quint8 type)
{
    return idxHeader(dims, type) + data;
}

QByteArray cyclicLabels(int count, int classes)
{
    QByteArray labels(count, Qt::Uninitialized);
    for (int i = 0; i < count; ++i)
        labels[i] = char(i % classes);
    return labels;
}

QByteArray labelledImages(const QByteArray &labels, int height, int width, int seed)
{
    QByteArray images;
    images.reserve(labels.size() * height * width);
    quint32 state = 2463534242u + quint32(seed);
    for (char label : labels) {
        const int base = 30 + 50 * static_cast<quint8>(label);
        for (int p = 0; p < height * width; ++p) {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            images.append(char(qBound(0, base + int(state % 17) - 8, 255)));
        }
    }
    return images;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) &&
           file.write(bytes) == bytes.size() && file.flush();
}

bool writeGzip(const QString &path, const QByteArray &bytes)
{
    gzFile file = gzopen(QFile::encodeName(path).constData(), "wb9");
    if (!file)
        return false;
    const int written =
        bytes.isEmpty() ? 0 : gzwrite(file, bytes.constData(), unsigned(bytes.size()));
    const int closed = gzclose(file);
    return written == bytes.size() && closed == Z_OK;
}

IdxSplitPaths writeIdxSplit(const QString &dir, const QString &stem, int count, int classes,
                            int height, int width, bool gzip)
{
    const QString suffix = gzip ? QStringLiteral(".gz") : QString();
    IdxSplitPaths paths;
    paths.images = QDir(dir).filePath(stem + QStringLiteral("-images-idx3-ubyte") + suffix);
    paths.labels = QDir(dir).filePath(stem + QStringLiteral("-labels-idx1-ubyte") + suffix);
    const QByteArray labels = cyclicLabels(count, classes);
    const QByteArray images = idxFile({quint32(count), quint32(height), quint32(width)},
                                      labelledImages(labels, height, width, count));
    const QByteArray labelFile = idxFile({quint32(count)}, labels);
    const bool ok = gzip ? writeGzip(paths.images, images) && writeGzip(paths.labels, labelFile)
                         : writeFile(paths.images, images) && writeFile(paths.labels, labelFile);
    if (!ok)
        return {};
    return paths;
}

QByteArray animalClassNames()
{
    return QByteArrayLiteral("ant\nbee\ncat\ndog\n");
}

QByteArray animalAttributes()
{
    return QByteArrayLiteral("class,flies,legs,mammal\n"
                             "ant,0,six,0\n"
                             "bee,1,six,0\n"
                             "2,0,four,1\n"
                             "dog,0,four,1\n");
}

TinyDataset writeTinyDataset(const QString &dir, int nTrain, int nTest, bool gzip, int height,
                             int width)
{
    TinyDataset d;
    d.train = writeIdxSplit(dir, QStringLiteral("train"), nTrain, 4, height, width, gzip);
    d.test = writeIdxSplit(dir, QStringLiteral("t10k"), nTest, 4, height, width, gzip);
    d.classNames = QDir(dir).filePath(QStringLiteral("classes.txt"));
    d.attributes = QDir(dir).filePath(QStringLiteral("attributes.csv"));
    if (!writeFile(d.classNames, animalClassNames()) ||
        !writeFile(d.attributes, animalAttributes()))
        return {};
    return d;
}

void importAnimals(const QString &projectPath, const std::string &name, const IdxSplitPaths &train,
                   const IdxSplitPaths *test)
{
    store::Project project(str(projectPath), store::Project::OpenMode::CreateIfMissing);
    data::IdxImportSpec spec;
    spec.dataset = name;
    spec.splits = {{"train", str(train.images), str(train.labels)}};
    if (test)
        spec.splits.push_back({"test", str(test->images), str(test->labels)});
    spec.classNames = data::TextSource{str(QString::fromLatin1(animalClassNames())), "c.txt"};
    spec.classAttributes = data::TextSource{str(QString::fromLatin1(animalAttributes())), "a.csv"};
    data::importIdx(project, spec, {});
}

QByteArray tinyConfig(const QString &dataset, const QString &trainJson)
{
    return QStringLiteral(R"({
  "name": "tiny",
  "dataset": "%1",
  "tasks": [
    {"name": "kind", "type": "classification", "label": "class"},
    {"name": "looks", "type": "attributes", "labels": ["flies", "mammal"]}
  ],
  "model": {"backbone": "small_cnn", "sharing": "hard"},
  "weighting": {"method": "equal"},
  "optimizer": {"name": "adam", "lr": 0.01},
  "train": %2
}
)")
        .arg(dataset, trainJson)
        .toUtf8();
}

ProgramRun runProgram(const QString &program, const QStringList &args, int timeoutMs)
{
    QProcess process;
    process.start(program, args);
    ProgramRun run;
    if (!process.waitForStarted(10000)) {
        run.err = "could not start " + program.toUtf8();
        return run;
    }
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        run.err = "timed out";
        return run;
    }
    run.exitCode = process.exitCode();
    run.crashed = process.exitStatus() != QProcess::NormalExit;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

bool writeDamagedProject(const QString &path)
{
    std::int64_t page = 0, pageSize = 0;
    {
        store::Project project(str(path), store::Project::OpenMode::CreateIfMissing);
        const auto experiment = project.runs().createExperiment("e", std::nullopt, "{}");
        for (int i = 0; i < 300; ++i)
            project.runs().createRun(experiment, i);
        project.db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
        page = project.db().scalar("SELECT rootpage FROM sqlite_master WHERE name = 'runs'");
        pageSize = project.db().scalar("PRAGMA page_size");
    }
    QFile file(path);
    if (page <= 1 || !file.open(QIODevice::ReadWrite) || !file.seek((page - 1) * pageSize))
        return false;
    return file.write(QByteArray(12, '\x7f')) == 12; // an invalid page type
}

QString projectDump(const QString &path)
{
    using store::Database;
    using store::Statement;
    Database db(str(path), Database::Mode::ReadOnly);
    QString dump = QStringLiteral("user_version %1\n").arg(db.userVersion());
    std::vector<std::string> tables;
    {
        Statement schema(db, "SELECT type, name, coalesce(sql, '') FROM sqlite_master "
                             "ORDER BY type, name");
        while (schema.step()) {
            dump += qstr(schema.text(0) + ' ' + schema.text(1) + ": " + schema.text(2)) +
                    QLatin1Char('\n');
            if (schema.text(0) == "table" && schema.text(1).rfind("sqlite_", 0) != 0)
                tables.push_back(schema.text(1));
        }
    }
    for (const std::string &table : tables) {
        std::string row;
        Statement columns(db, "SELECT name FROM pragma_table_info(?1) ORDER BY cid");
        columns.bind(1, table);
        while (columns.step())
            row += (row.empty() ? "" : " || '|' || ") + std::string("quote(\"") + columns.text(0) +
                   "\")";
        Statement rows(db, "SELECT " + row + " AS r FROM \"" + table + "\" ORDER BY r");
        dump += qstr("[" + table + "]\n");
        while (rows.step())
            dump += qstr(rows.text(0)) + QLatin1Char('\n');
    }
    return dump;
}

} // namespace mtl::test
