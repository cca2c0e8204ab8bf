// Importing IDX files into a project: gzip and plain files, class names and per-class attribute
// tables expanded into per-sample label columns, appending a test split to a train split, and
// every failure — malformed files, mismatched splits, conflicting tables, cancellation —
// reported with the file and position and leaving the project's content unchanged.

#include "data/idximporter.h"

#include "data/importer.h"
#include "store/project.h"

#include "fixtures.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace mtl;
using namespace mtl::test;

namespace {
constexpr int kHeight = 5, kWidth = 7; // not square, so width and height cannot be swapped

QStringList names(const std::vector<std::string> &items)
{
    QStringList list;
    for (const auto &item : items)
        list << qstr(item);
    return list;
}

QList<int> labelsOf(store::Project &project, const std::string &dataset, const std::string &split,
                    const std::string &column)
{
    const auto info = project.datasets().find(dataset);
    if (!info || !info->column(column))
        return {-99};
    QList<int> values;
    for (std::int32_t v : project.datasets().labelsOf(info->id, split, info->column(column)->id))
        values << v;
    return values;
}

QList<int> expectedPerSample(int count, const QList<int> &perClass)
{
    QList<int> values;
    for (int i = 0; i < count; ++i)
        values << perClass[i % perClass.size()];
    return values;
}

QString splitsOf(const store::DatasetInfo &info)
{
    QStringList parts;
    for (const auto &split : info.splits)
        parts << QStringLiteral("%1=%2").arg(qstr(split.name)).arg(split.samples);
    return parts.join(QLatin1Char(' '));
}
} // namespace

class TestIdxImporter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void importValid_data();
    void importValid();
    void importMalformed_data();
    void importMalformed();
    void trainThenTestAppends();
    void testSplitWithoutAttributes();
    void attributeColumnsPerSample();
    void attributeGroupsAreStored();
    void reimportExistingSplit();
    void sameNameOtherImageSize();
    void sameNameOtherClassNames();
    void failingSecondSplitRollsBackFirst();
    void failedTestImportKeepsTrain();
    void cancelRollsBack_data();
    void cancelRollsBack();
    void progressReported();
    void importerRegistry();
    void importerNeedsImagesAndLabels();
    void fashionMnistFromDirectory();
    void fashionMnistMissingFiles();

private:
    QString file(const QString &name) const { return QDir(m_dir->path()).filePath(name); }
    // Imports one split through the "idx" importer.
    data::ImportSummary importSplit(store::Project &project, const std::string &dataset,
                                    const std::string &split, const IdxSplitPaths &paths,
                                    bool classNames = true, bool attributes = true,
                                    const QString &attributeGroups = QString());

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_project;
    TinyDataset m_data; // train 12, test 6 images of 5x7, classes ant, bee, cat, dog
};

void TestIdxImporter::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_project = file(QStringLiteral("test.mtlproj"));
    m_data = writeTinyDataset(m_dir->path(), 12, 6, true, kHeight, kWidth);
    QVERIFY(!m_data.attributes.isEmpty());
}

void TestIdxImporter::cleanup()
{
    m_dir.reset();
}

data::ImportSummary TestIdxImporter::importSplit(store::Project &project,
                                                 const std::string &dataset,
                                                 const std::string &split,
                                                 const IdxSplitPaths &paths, bool classNames,
                                                 bool attributes, const QString &attributeGroups)
{
    data::ImportRequest request;
    request.dataset = dataset;
    request.split = split;
    request.files = {{"images", str(paths.images)}, {"labels", str(paths.labels)}};
    if (classNames)
        request.files["class-names"] = str(m_data.classNames);
    if (attributes)
        request.files["class-attributes"] = str(m_data.attributes);
    if (!attributeGroups.isEmpty())
        request.files["attribute-groups"] = str(attributeGroups);
    return data::makeImporter("idx")->run(project, request, {});
}

void TestIdxImporter::importValid_data()
{
    QTest::addColumn<bool>("gzip");
    QTest::addColumn<bool>("classNames");
    QTest::addColumn<bool>("attributes");
    QTest::addColumn<QStringList>("columns");
    QTest::addColumn<QStringList>("classes");

    const QStringList animals{QStringLiteral("ant"), QStringLiteral("bee"), QStringLiteral("cat"),
                              QStringLiteral("dog")};
    const QStringList indices{QStringLiteral("0"), QStringLiteral("1"), QStringLiteral("2"),
                              QStringLiteral("3")};
    const QStringList all{QStringLiteral("class"), QStringLiteral("flies"), QStringLiteral("legs"),
                          QStringLiteral("mammal")};
    QTest::newRow("gzip, labels only")
        << true << false << false << QStringList{QStringLiteral("class")} << indices;
    QTest::newRow("plain, labels only")
        << false << false << false << QStringList{QStringLiteral("class")} << indices;
    QTest::newRow("gzip, class names")
        << true << true << false << QStringList{QStringLiteral("class")} << animals;
    QTest::newRow("plain, names and attributes") << false << true << true << all << animals;
    QTest::newRow("gzip, names and attributes") << true << true << true << all << animals;
}

void TestIdxImporter::importValid()
{
    QFETCH(bool, gzip);
    QFETCH(bool, classNames);
    QFETCH(bool, attributes);
    QFETCH(QStringList, columns);
    QFETCH(QStringList, classes);

    const IdxSplitPaths paths =
        writeIdxSplit(m_dir->path(), QStringLiteral("plain"), 12, 4, kHeight, kWidth, gzip);
    QVERIFY(!paths.images.isEmpty());
    QCOMPARE(paths.images.endsWith(QStringLiteral(".gz")), gzip);

    store::Project project(str(m_project), store::Project::OpenMode::CreateIfMissing);
    const data::ImportSummary summary =
        importSplit(project, "animals", "train", paths, classNames, attributes);
    QVERIFY(summary.created);
    QVERIFY(summary.datasetId > 0);
    QCOMPARE(qstr(summary.dataset), QStringLiteral("animals"));
    QCOMPARE(summary.added.size(), std::size_t(1));
    QCOMPARE(qstr(summary.added[0].name), QStringLiteral("train"));
    QCOMPARE(summary.added[0].samples, 12);
    QCOMPARE(names(summary.columns), columns);

    const auto info = project.datasets().find("animals");
    QVERIFY(info);
    QCOMPARE(info->id, summary.datasetId);
    QCOMPARE(qstr(info->format), QStringLiteral("idx"));
    QCOMPARE(qstr(info->source), paths.images);
    QCOMPARE(info->width, kWidth);
    QCOMPARE(info->height, kHeight);
    QCOMPARE(info->channels, 1);
    QCOMPARE(splitsOf(*info), QStringLiteral("train=12"));
    QStringList stored;
    for (const auto &column : info->columns)
        stored << qstr(column.name);
    QCOMPARE(stored, columns);
    QVERIFY(info->column("class")->kind == store::ColumnKind::Categorical);
    QCOMPARE(names(info->column("class")->categories), classes);
    QCOMPARE(labelsOf(project, "animals", "train", "class"), expectedPerSample(12, {0, 1, 2, 3}));

    // The pixels are stored as they were in the file, in index order.
    const QByteArray expected = labelledImages(cyclicLabels(12, 4), kHeight, kWidth, 12);
    QByteArray pixels;
    std::int64_t next = 0;
    project.datasets().forEachImage(info->id, "train", [&](const store::StoredImage &image) {
        QCOMPARE(image.index, next++);
        QVERIFY(image.encoding == store::ImageEncoding::Raw);
        QCOMPARE(image.width, kWidth);
        QCOMPARE(image.height, kHeight);
        QCOMPARE(image.channels, 1);
        pixels.append(static_cast<const char *>(image.data), qsizetype(image.size));
    });
    QCOMPARE(next, 12);
    QCOMPARE(pixels, expected);
}

void TestIdxImporter::importMalformed_data()
{
    // A dataset "animals" with a train split exists; each row imports a test split into it.
    QTest::addColumn<QByteArray>("images");
    QTest::addColumn<QByteArray>("labels");
    QTest::addColumn<QByteArray>("classNames"); // empty: the standard one
    QTest::addColumn<QByteArray>("attributes"); // empty: the standard one
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("badFile"); // images, labels, classes, attributes
    QTest::addColumn<qint64>("offset");   // -1: not an offset error
    QTest::addColumn<qint64>("line");     // -1: not a line error
    QTest::addColumn<QString>("fragment");

    const int n = 6, item = kHeight * kWidth;
    const QByteArray labels = cyclicLabels(n, 4);
    const QByteArray goodLabels = idxFile({quint32(n)}, labels);
    const QByteArray pixels = labelledImages(labels, kHeight, kWidth);
    const QByteArray goodImages = idxFile({quint32(n), kHeight, kWidth}, pixels);
    const QString invalid = codeName(ErrorCode::InvalidInput);

    QTest::newRow("images: bad magic")
        << QByteArray("\x12\x34\x08\x03") + goodImages.mid(4) << goodLabels << QByteArray()
        << QByteArray() << invalid << QStringLiteral("images") << 0LL << -1LL
        << QStringLiteral("magic number");
    QTest::newRow("images: unsupported type (int16)")
        << idxFile({quint32(n), kHeight, kWidth}, pixels + pixels, 0x0B) << goodLabels
        << QByteArray() << QByteArray() << invalid << QStringLiteral("images") << 2LL << -1LL
        << QStringLiteral("unsupported IDX value type 0x0B");
    QTest::newRow("images: wrong rank (a labels file)")
        << goodLabels << goodLabels << QByteArray() << QByteArray() << invalid
        << QStringLiteral("images") << 3LL << -1LL << QStringLiteral("got rank 1");
    QTest::newRow("labels: wrong rank (an images file)")
        << goodImages << goodImages << QByteArray() << QByteArray() << invalid
        << QStringLiteral("labels") << 3LL << -1LL << QStringLiteral("got rank 3");
    QTest::newRow("images: truncated header")
        << goodImages.left(10) << goodLabels << QByteArray() << QByteArray() << invalid
        << QStringLiteral("images") << 10LL << -1LL << QStringLiteral("truncated header");
    QTest::newRow("images: truncated data")
        << goodImages.left(16 + 3 * item + 4) << goodLabels << QByteArray() << QByteArray()
        << invalid << QStringLiteral("images") << qint64(16 + 3 * item + 4) << -1LL
        << QStringLiteral("ends after 3 complete items");
    QTest::newRow("labels: truncated data")
        << goodImages << goodLabels.left(11) << QByteArray() << QByteArray() << invalid
        << QStringLiteral("labels") << 11LL << -1LL << QStringLiteral("truncated data");
    QTest::newRow("labels: trailing bytes")
        << goodImages << goodLabels + "\x01\x02" << QByteArray() << QByteArray() << invalid
        << QStringLiteral("labels") << qint64(8 + n) << -1LL
        << QStringLiteral("2 unexpected bytes");
    QTest::newRow("images: trailing bytes")
        << goodImages + QByteArray(1, '\0') << goodLabels << QByteArray() << QByteArray() << invalid
        << QStringLiteral("images") << qint64(16 + n * item) << -1LL
        << QStringLiteral("1 unexpected bytes");
    QTest::newRow("image/label count mismatch")
        << goodImages << idxFile({quint32(n - 2)}, labels.left(n - 2)) << QByteArray()
        << QByteArray() << invalid << QStringLiteral("labels") << 4LL << -1LL
        << QStringLiteral("holds 4 labels but");
    QByteArray outOfRange = labels;
    outOfRange[5] = 7;
    QTest::newRow("label out of range of class names")
        << goodImages << idxFile({quint32(n)}, outOfRange) << QByteArray() << QByteArray()
        << invalid << QStringLiteral("labels") << 13LL << -1LL
        << QStringLiteral("label 7 of item 5 has no class name");
    QTest::newRow("two channels") << idxFile({quint32(n), kHeight, kWidth, 2}, pixels + pixels)
                                  << goodLabels << QByteArray() << QByteArray() << invalid
                                  << QStringLiteral("images") << 16LL << -1LL
                                  << QStringLiteral("expected 1 or 3 channels, got 2");
    QTest::newRow("class names: duplicate")
        << goodImages << goodLabels << QByteArray("ant\nbee\nant\ndog\n") << QByteArray() << invalid
        << QStringLiteral("classes") << -1LL << 3LL << QStringLiteral("duplicate class name 'ant'");
    QTest::newRow("attributes: unknown class")
        << goodImages << goodLabels << QByteArray()
        << QByteArray("class,flies,legs,mammal\nant,0,six,0\nbee,1,six,0\ncow,0,four,1\n"
                      "dog,0,four,1\n")
        << invalid << QStringLiteral("attributes") << -1LL << 4LL
        << QStringLiteral("unknown class 'cow'");
    QTest::newRow("attributes: wrong column count")
        << goodImages << goodLabels << QByteArray()
        << QByteArray("class,flies,legs,mammal\nant,0,six\nbee,1,six,0\ncat,0,four,1\n"
                      "dog,0,four,1\n")
        << invalid << QStringLiteral("attributes") << -1LL << 2LL
        << QStringLiteral("expected 4 fields like the header, got 3");
    QTest::newRow("attributes: a column named class")
        << goodImages << goodLabels << QByteArray()
        << QByteArray("class,flies,class\nant,0,1\nbee,1,1\ncat,0,0\ndog,0,0\n") << invalid
        << QStringLiteral("attributes") << -1LL << 1LL
        << QStringLiteral("may not be called 'class'");
    QTest::newRow("attributes: a 2 among the 0/1 of flies")
        << goodImages << goodLabels << QByteArray()
        << QByteArray("class,flies,legs,mammal\nant,0,six,0\nbee,2,six,0\ncat,0,four,1\n"
                      "dog,0,four,1\n")
        << invalid << QStringLiteral("attributes") << -1LL << 3LL
        << QStringLiteral("attribute 'flies' is 0/1 for other classes but '2' here");
    QTest::newRow("class names: not UTF-8")
        << goodImages << goodLabels
        << QByteArray("ant\nb\xff"
                      "e\ncat\ndog\n")
        << QByteArray() << invalid << QStringLiteral("classes") << -1LL << 2LL
        << QStringLiteral("not valid UTF-8 (byte 0xFF)");
}

void TestIdxImporter::importMalformed()
{
    QFETCH(QByteArray, images);
    QFETCH(QByteArray, labels);
    QFETCH(QByteArray, classNames);
    QFETCH(QByteArray, attributes);
    QFETCH(QString, code);
    QFETCH(QString, badFile);
    QFETCH(qint64, offset);
    QFETCH(qint64, line);
    QFETCH(QString, fragment);

    {
        store::Project project(str(m_project), store::Project::OpenMode::CreateIfMissing);
        importSplit(project, "animals", "train", m_data.train);
    }
    const QString before = projectDump(m_project);
    QVERIFY(before.contains(QStringLiteral("'animals'")));

    IdxSplitPaths bad{file(QStringLiteral("bad-images-idx3-ubyte")),
                      file(QStringLiteral("bad-labels-idx1-ubyte"))};
    QVERIFY(writeFile(bad.images, images));
    QVERIFY(writeGzip(bad.labels + QStringLiteral(".gz"), labels)); // offsets are decompressed
    bad.labels += QStringLiteral(".gz");
    if (!classNames.isEmpty()) {
        m_data.classNames = file(QStringLiteral("bad-classes.txt"));
        QVERIFY(writeFile(m_data.classNames, classNames));
    }
    if (!attributes.isEmpty()) {
        m_data.attributes = file(QStringLiteral("bad-attributes.csv"));
        QVERIFY(writeFile(m_data.attributes, attributes));
    }
    const QHash<QString, QString> paths{{QStringLiteral("images"), bad.images},
                                        {QStringLiteral("labels"), bad.labels},
                                        {QStringLiteral("classes"), m_data.classNames},
                                        {QStringLiteral("attributes"), m_data.attributes}};

    const auto error = catchError([&] {
        store::Project project(str(m_project));
        importSplit(project, "animals", "test", bad);
    });
    QVERIFY2(error, "a malformed import succeeded");
    const QString what = QString::fromUtf8(error->what());
    QCOMPARE(codeName(error->code()), code);
    QVERIFY2(what.contains(fragment), qPrintable(what));
    if (!badFile.isEmpty()) {
        QCOMPARE(qstr(error->where().file), paths.value(badFile));
        QVERIFY2(what.startsWith(paths.value(badFile)), qPrintable(what));
    }
    if (offset >= 0) {
        QCOMPARE(error->where().offset, offset);
        QVERIFY2(what.contains(QStringLiteral("(byte offset %1)").arg(offset)), qPrintable(what));
    }
    if (line >= 0) {
        QCOMPARE(error->where().line, line);
        QVERIFY2(what.contains(QStringLiteral(":%1").arg(line)), qPrintable(what));
    }
    QCOMPARE(projectDump(m_project), before);
}

void TestIdxImporter::trainThenTestAppends()
{
    store::Project project(str(m_project), store::Project::OpenMode::CreateIfMissing);
    const auto first = importSplit(project, "animals", "train", m_data.train);
    const auto second = importSplit(project, "animals", "test", m_data.test);
    QVERIFY(first.created);
    QVERIFY(!second.created);
    QCOMPARE(second.datasetId, first.datasetId);
    QCOMPARE(second.added.size(), std::size_t(1));
    QCOMPARE(qstr(second.added[0].name), QStringLiteral("test"));
    QCOMPARE(second.added[0].samples, 6);
    QCOMPARE(names(second.columns), names(first.columns));

    const auto all = project.datasets().list();
    QCOMPARE(all.size(), std::size_t(1));
    const store::DatasetInfo &info = all.front();
    QCOMPARE(splitsOf(info), QStringLiteral("train=12 test=6"));
    QCOMPARE(info.totalSamples(), 18);
    QCOMPARE(info.columns.size(), std::size_t(4));
    QCOMPARE(labelsOf(project, "animals", "test", "class"), expectedPerSample(6, {0, 1, 2, 3}));
    QCOMPARE(labelsOf(project, "animals", "test", "flies"), expectedPerSample(6, {0, 1, 0, 0}));
    QCOMPARE(labelsOf(project, "animals", "train", "class"), expectedPerSample(12, {0, 1, 2, 3}));
}

void TestIdxImporter::testSplitWithoutAttributes()
{
    // Appending without the attribute table is allowed; those samples have no attribute labels.
    store::Project project(str(m_project), store::Project::OpenMode::CreateIfMissing);
    importSplit(project, "animals", "train", m_data.train);
    importSplit(project, "animals", "test", m_data.test, true, false);
    QCOMPARE(labelsOf(project, "animals", "test", "class"), expectedPerSample(6, {0, 1, 2, 3}));
    QCOMPARE(labelsOf(project, "animals", "test", "mammal"), expectedPerSample(6, {-1}));
    QCOMPARE(labelsOf(project, "animals", "train", "mammal"), expectedPerSample(12, {0, 0, 1, 1}));
}

void TestIdxImporter::attributeColumnsPerSample()
{
    store::Project project(str(m_project), store::Project::OpenMode::CreateIfMissing);
    importSplit(project, "animals", "train", m_data.train);
    const auto info = project.datasets().find("animals");
    QVERIFY(info);
    QVERIFY(info->column("flies")->kind == store::ColumnKind::Binary);
    QVERIFY(info->column("mammal")->kind == store::ColumnKind::Binary);
    QVERIFY(info->column("legs")->kind == store::ColumnKind::Categorical);
    QCOMPARE(names(info->column("legs")->categories),
             (QStringList{QStringLiteral("six"), QStringLiteral("four")}));
    // Sample i has class i % 4; its attributes are its class's row ("cat" given by index 2).
    QCOMPARE(labelsOf(project, "animals", "train", "flies"), expectedPerSample(12, {0, 1, 0, 0}));
    QCOMPARE(labelsOf(project, "animals", "train", "legs"), expectedPerSample(12, {0, 0, 1, 1}));
    QCOMPARE(labelsOf(project, "animals", "train", "mammal"), expectedPerSample(12, {0, 0, 1, 1}));
}

void TestIdxImporter::attributeGroupsAreStored()
{
    const QString groups = file(QStringLiteral("groups.csv"));
    const QString other = file(QStringLiteral("other-groups.csv"));
    QVERIFY(writeFile(groups, "attribute,group\nflies,motion\nlegs,motion\n"));
    QVERIFY(writeFile(other, "attribute,group\nflies,air\n"));
    store::Project project(str(m_project), store::Project::OpenMode::CreateIfMissing);
    importSplit(project, "animals", "train", m_data.train, true, true, groups);
    const auto info = project.datasets().find("animals");
    QVERIFY(info);
    QCOMPARE(qstr(info->column("flies")->group), QStringLiteral("motion"));
    QCOMPARE(qstr(info->column("legs")->group), QStringLiteral("motion"));
    QVERIFY(info->column("mammal")->group.empty());
    QVERIFY(info->column("class")->group.empty());

    // An append that puts an attribute in another group is refused, the project unchanged;
    // one without a groups file keeps them.
    const QString before = projectDump(m_project);
    const auto error = catchError(
        [&] { importSplit(project, "animals", "test", m_data.test, true, true, other); });
    QVERIFY(error);
    QVERIFY2(QString::fromUtf8(error->what())
                 .contains(QStringLiteral("'flies' is already in attribute group 'motion', not "
                                          "'air'")),
             error->what());
    QCOMPARE(projectDump(m_project), before);
    importSplit(project, "animals", "test", m_data.test);
    QCOMPARE(qstr(project.datasets().find("animals")->column("flies")->group),
             QStringLiteral("motion"));

    // A groups file without the attribute table it groups.
    const auto lonely = catchError(
        [&] { importSplit(project, "bare", "train", m_data.train, true, false, groups); });
    QVERIFY(lonely);
    QVERIFY2(QString::fromUtf8(lonely->what()).contains(QStringLiteral("needs --class-attributes")),
             lonely->what());
}

void TestIdxImporter::reimportExistingSplit()
{
    store::Project project(str(m_project), store::Project::OpenMode::CreateIfMissing);
    importSplit(project, "animals", "train", m_data.train);
    const QString before = projectDump(m_project);
    const auto error = catchError([&] { importSplit(project, "animals", "train", m_data.train); });
    QVERIFY(error);
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::InvalidInput));
    QVERIFY2(QString::fromUtf8(error->what())
                 .contains(QStringLiteral("already has a split 'train' (12 samples)")),
             error->what());
    QCOMPARE(projectDump(m_project), before);

    // The same files under another name make a second dataset.
    const auto other = importSplit(project, "animals-2", "train", m_data.train);
    QVERIFY(other.created);
    QCOMPARE(project.datasets().list().size(), std::size_t(2));
}

void TestIdxImporter::sameNameOtherImageSize()
{
    store::Project project(str(m_project), store::Project::OpenMode::CreateIfMissing);
    importSplit(project, "animals", "train", m_data.train);
    const QString before = projectDump(m_project);
    const IdxSplitPaths small =
        writeIdxSplit(m_dir->path(), QStringLiteral("small"), 6, 4, 6, 6, false);
    const auto error = catchError([&] { importSplit(project, "animals", "test", small); });
    QVERIFY(error);
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::InvalidInput));
    QCOMPARE(qstr(error->where().file), small.images);
    QCOMPARE(error->where().offset, 4);
    QVERIFY2(QString::fromUtf8(error->what())
                 .contains(QStringLiteral("images are 6x6x1 but dataset 'animals' holds 7x5x1")),
             error->what());
    QCOMPARE(projectDump(m_project), before);
}

void TestIdxImporter::sameNameOtherClassNames()
{
    store::Project project(str(m_project), store::Project::OpenMode::CreateIfMissing);
    importSplit(project, "animals", "train", m_data.train);
    const QString before = projectDump(m_project);
    m_data.classNames = file(QStringLiteral("other-classes.txt"));
    QVERIFY(writeFile(m_data.classNames, "ant\nbee\ncat\nemu\n"));
    const auto error =
        catchError([&] { importSplit(project, "animals", "test", m_data.test, true, false); });
    QVERIFY(error);
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::InvalidInput));
    QVERIFY2(QString::fromUtf8(error->what())
                 .contains(QStringLiteral("label column 'class' already exists in this dataset "
                                          "with other categories")),
             error->what());
    QCOMPARE(projectDump(m_project), before);
}

void TestIdxImporter::failingSecondSplitRollsBackFirst()
{
    // One import of two splits where the second is malformed: nothing of the first remains.
    {
        store::Project project(str(m_project), store::Project::OpenMode::CreateIfMissing);
        importSplit(project, "existing", "train", m_data.train);
    }
    const QString before = projectDump(m_project);
    const QString truncated = file(QStringLiteral("t10k-truncated"));
    QVERIFY(
        writeFile(truncated, idxFile({6, kHeight, kWidth}, QByteArray(2 * kHeight * kWidth, 'x'))));

    data::IdxImportSpec spec;
    spec.dataset = "animals";
    spec.splits.push_back({"train", str(m_data.train.images), str(m_data.train.labels)});
    spec.splits.push_back({"test", str(truncated), str(m_data.test.labels)});
    spec.classNames = data::TextSource{str(QString::fromLatin1(animalClassNames())), "classes.txt"};
    const auto error = catchError([&] {
        store::Project project(str(m_project));
        data::importIdx(project, spec, {});
    });
    QVERIFY(error);
    QCOMPARE(qstr(error->where().file), truncated);
    QCOMPARE(error->where().offset, qint64(16 + 2 * kHeight * kWidth));
    QCOMPARE(projectDump(m_project), before);
    store::Project project(str(m_project));
    QVERIFY(!project.datasets().find("animals"));
    QCOMPARE(project.datasets().list().size(), std::size_t(1));
}

void TestIdxImporter::failedTestImportKeepsTrain()
{
    // Valid train (committed), then a malformed test file: the project is as after the train.
    {
        store::Project project(str(m_project), store::Project::OpenMode::CreateIfMissing);
        importSplit(project, "animals", "train", m_data.train);
    }
    const QString afterTrain = projectDump(m_project);
    QVERIFY(writeGzip(m_data.test.labels, idxFile({6}, QByteArray("\0\1\2\3\0\x09", 6))));
    const auto error = catchError([&] {
        store::Project project(str(m_project));
        importSplit(project, "animals", "test", m_data.test);
    });
    QVERIFY(error);
    QCOMPARE(qstr(error->where().file), m_data.test.labels);
    QCOMPARE(error->where().offset, 13);
    QCOMPARE(projectDump(m_project), afterTrain);

    store::Project project(str(m_project));
    const auto info = project.datasets().find("animals");
    QVERIFY(info);
    QCOMPARE(splitsOf(*info), QStringLiteral("train=12"));
}

void TestIdxImporter::cancelRollsBack_data()
{
    QTest::addColumn<QString>("stage"); // cancel at the first call whose stage starts so
    QTest::newRow("while reading") << QStringLiteral("reading");
    QTest::newRow("before writing") << QStringLiteral("writing to the project");
    QTest::newRow("after writing every sample, before commit") << QStringLiteral("committing");
}

void TestIdxImporter::cancelRollsBack()
{
    QFETCH(QString, stage);
    {
        store::Project project(str(m_project), store::Project::OpenMode::CreateIfMissing);
        importSplit(project, "animals", "train", m_data.train);
    }
    const QString before = projectDump(m_project);
    data::IdxImportSpec spec;
    spec.dataset = "animals";
    spec.splits.push_back({"test", str(m_data.test.images), str(m_data.test.labels)});
    spec.classNames = data::TextSource{str(QString::fromLatin1(animalClassNames())), "classes.txt"};
    spec.classAttributes =
        data::TextSource{str(QString::fromLatin1(animalAttributes())), "attributes.csv"};
    QStringList stages;
    const auto error = catchError([&] {
        store::Project project(str(m_project));
        data::importIdx(project, spec, [&](double, const std::string &s) {
            stages << qstr(s);
            return !qstr(s).startsWith(stage);
        });
    });
    QVERIFY2(error, qPrintable(stages.join(QStringLiteral(", "))));
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::Interrupted));
    QVERIFY(stages.last().startsWith(stage));
    QCOMPARE(projectDump(m_project), before);
}

void TestIdxImporter::progressReported()
{
    store::Project project(str(m_project), store::Project::OpenMode::CreateIfMissing);
    data::IdxImportSpec spec;
    spec.dataset = "animals";
    spec.splits.push_back({"train", str(m_data.train.images), str(m_data.train.labels)});
    spec.splits.push_back({"test", str(m_data.test.images), str(m_data.test.labels)});
    QList<double> fractions;
    const auto summary = data::importIdx(project, spec, [&](double fraction, const std::string &) {
        fractions << fraction;
        return true;
    });
    QVERIFY(fractions.size() >= 3);
    QCOMPARE(fractions.first(), 0.0);
    QCOMPARE(fractions.last(), 1.0);
    for (int i = 1; i < fractions.size(); ++i)
        QVERIFY2(fractions[i] >= fractions[i - 1], "progress went backwards");
    QCOMPARE(summary.added.size(), std::size_t(2));
    QCOMPARE(summary.added[1].samples, 6);
    // Without class names, classes are named by their index up to the largest label.
    QCOMPARE(names(project.datasets().find("animals")->column("class")->categories),
             (QStringList{QStringLiteral("0"), QStringLiteral("1"), QStringLiteral("2"),
                          QStringLiteral("3")}));
}

void TestIdxImporter::importerRegistry()
{
    QCOMPARE(names(data::importFormats()),
             (QStringList{QStringLiteral("idx"), QStringLiteral("fashion-mnist"),
                          QStringLiteral("multi-fashion"), QStringLiteral("fashion-scenes"),
                          QStringLiteral("csv"), QStringLiteral("celeba"), QStringLiteral("awa"),
                          QStringLiteral("folders"), QStringLiteral("nyuv2"),
                          QStringLiteral("cityscapes")}));
    for (const auto &format : data::importFormats()) {
        const auto importer = data::makeImporter(format);
        QCOMPARE(importer->format(), format);
        QVERIFY(!importer->description().empty());
    }
    const auto error = catchError([] { data::makeImporter("tiff"); });
    QVERIFY(error);
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::InvalidInput));
    QVERIFY2(QString::fromUtf8(error->what())
                 .contains(QStringLiteral(
                     "unknown import format 'tiff' (known: idx, fashion-mnist, "
                     "multi-fashion, fashion-scenes, csv, celeba, awa, folders, nyuv2, "
                     "cityscapes)")),
             error->what());
}

void TestIdxImporter::importerNeedsImagesAndLabels()
{
    store::Project project(str(m_project), store::Project::OpenMode::CreateIfMissing);
    const QString before = projectDump(m_project);
    data::ImportRequest request;
    request.dataset = "animals";
    request.files = {{"images", str(m_data.train.images)}};
    const auto error = catchError([&] { data::makeImporter("idx")->run(project, request, {}); });
    QVERIFY(error);
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::InvalidInput));
    QVERIFY(QString::fromUtf8(error->what()).contains(QStringLiteral("--labels")));

    data::IdxImportSpec spec;
    spec.splits.push_back({"train", str(m_data.train.images), str(m_data.train.labels)});
    const auto unnamed = catchError([&] { data::importIdx(project, spec, {}); });
    QVERIFY(unnamed);
    QVERIFY(QString::fromUtf8(unnamed->what()).contains(QStringLiteral("needs a name")));
    QCOMPARE(projectDump(m_project), before);
}

void TestIdxImporter::fashionMnistFromDirectory()
{
    // The Fashion-MNIST importer with a generated directory of tiny files: both splits, the
    // embedded class names, group and 12 attributes.
    const QString dir = file(QStringLiteral("fmnist"));
    QVERIFY(QDir().mkpath(dir));
    const auto train = writeIdxSplit(dir, QStringLiteral("x"), 20, 10, 6, 6, true);
    const auto test = writeIdxSplit(dir, QStringLiteral("y"), 10, 10, 6, 6, false);
    QVERIFY(QFile::rename(train.images, dir + QStringLiteral("/train-images-idx3-ubyte.gz")));
    QVERIFY(QFile::rename(train.labels, dir + QStringLiteral("/train-labels-idx1-ubyte.gz")));
    QVERIFY(QFile::rename(test.images, dir + QStringLiteral("/t10k-images-idx3-ubyte")));
    QVERIFY(QFile::rename(test.labels, dir + QStringLiteral("/t10k-labels-idx1-ubyte")));

    store::Project project(str(m_project), store::Project::OpenMode::CreateIfMissing);
    data::ImportRequest request;
    request.files = {{"dir", str(dir)}};
    const auto summary = data::makeImporter("fashion-mnist")->run(project, request, {});
    QCOMPARE(qstr(summary.dataset), QStringLiteral("fashion-mnist"));
    QCOMPARE(summary.columns.size(), std::size_t(14));
    const auto info = project.datasets().find("fashion-mnist");
    QVERIFY(info);
    QCOMPARE(qstr(info->format), QStringLiteral("fashion-mnist"));
    QCOMPARE(splitsOf(*info), QStringLiteral("train=20 test=10"));
    // One row in the import log: both splits, nothing skipped, the files it read.
    const auto imports = project.datasets().imports(info->id);
    QCOMPARE(imports.size(), std::size_t(1));
    QCOMPARE(qstr(imports[0].format), QStringLiteral("fashion-mnist"));
    QCOMPARE(imports[0].added, std::int64_t(30));
    QCOMPARE(imports[0].skipped, std::int64_t(0));
    QVERIFY(qstr(imports[0].source).contains(QStringLiteral("train-images-idx3-ubyte.gz")));
    QCOMPARE(info->column("class")->categories.size(), std::size_t(10));
    QCOMPARE(qstr(info->column("class")->categories[9]), QStringLiteral("Ankle boot"));
    QCOMPARE(names(info->column("group")->categories),
             (QStringList{QStringLiteral("other"), QStringLiteral("for_women"),
                          QStringLiteral("shoes")}));
    int binary = 0;
    for (const auto &column : info->columns)
        binary += column.kind == store::ColumnKind::Binary;
    QCOMPARE(binary, 12);
    // The reference grouping: {5,7,9} shoes, {3,6,8} for women, {0,1,2,4} other.
    QCOMPARE(labelsOf(project, "fashion-mnist", "test", "group"),
             (QList<int>{0, 0, 0, 1, 0, 2, 1, 2, 1, 2}));
    QCOMPARE(labelsOf(project, "fashion-mnist", "train", "footwear"),
             expectedPerSample(20, {0, 0, 0, 0, 0, 1, 0, 1, 0, 1}));
    QCOMPARE(labelsOf(project, "fashion-mnist", "test", "ankle_high"),
             (QList<int>{0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
    // The embedded attribute groups (mtl_cnn's groups "dataset"): feet, torso, legs; accessory
    // and the categorical columns in none.
    QStringList grouped;
    for (const auto &column : info->columns)
        if (!column.group.empty())
            grouped << qstr(column.name + ":" + column.group);
    QCOMPARE(grouped.join(QLatin1Char(' ')),
             QStringLiteral("footwear:feet upper_body:torso lower_body:legs full_body:legs "
                            "has_sleeves:torso long_sleeves:torso outerwear:torso "
                            "front_opening:torso collar:torso open_toe:feet ankle_high:feet"));
}

void TestIdxImporter::fashionMnistMissingFiles()
{
    // A directory with the train files but no t10k-* files.
    const QString dir = file(QStringLiteral("partial"));
    QVERIFY(QDir().mkpath(dir));
    QVERIFY(QFile::copy(m_data.train.images, dir + QStringLiteral("/train-images-idx3-ubyte.gz")));
    QVERIFY(QFile::copy(m_data.train.labels, dir + QStringLiteral("/train-labels-idx1-ubyte.gz")));
    store::Project project(str(m_project), store::Project::OpenMode::CreateIfMissing);
    const QString before = projectDump(m_project);
    data::ImportRequest request;
    request.files = {{"dir", str(dir)}};
    const auto error =
        catchError([&] { data::makeImporter("fashion-mnist")->run(project, request, {}); });
    QVERIFY(error);
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::NotFound));
    QCOMPARE(qstr(error->where().file), dir + QStringLiteral("/t10k-images-idx3-ubyte.gz"));
    QVERIFY2(QString::fromUtf8(error->what()).contains(QStringLiteral("dataset-fashion-mnist")),
             error->what());
    QCOMPARE(projectDump(m_project), before);
}

QTEST_APPLESS_MAIN(TestIdxImporter)
#include "tst_idximporter.moc"
