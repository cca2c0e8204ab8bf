// Typed access to datasets: creating and finding them, label columns (identical ones reused,
// conflicting ones refused), bulk writing of samples and labels, and reading them back in
// index order with -1 for missing labels; map columns (identical ones reused, conflicting ones
// and names taken by label columns refused) and label maps, deflated or raw, read back whole,
// with a map that does not inflate to its size named as the store error it is.

#include "store/datasetstore.h"
#include "store/labeledits.h"

#include "store/project.h"
#include "store/sqlite.h"

#include <cstring>

#include "fixtures.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace mtl;
using namespace mtl::test;
using mtl::store::Statement;

class TestDatasetStore : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void createFindAndList();
    void duplicateNameRefused();
    void ensureColumn();
    void writeAndReadSamples();
    void labelsMissingAreMinusOne();
    void labelEditsUndoRedo();
    void duplicateSampleIndexRefused();
    void mapColumns();
    void mapsRoundTrip();
    void corruptMapIsNamed();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<store::Project> m_project;
};

void TestDatasetStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_project = std::make_unique<store::Project>(
        str(QDir(m_dir->path()).filePath(QStringLiteral("d.mtlproj"))),
        store::Project::OpenMode::CreateIfMissing);
}

void TestDatasetStore::cleanup()
{
    m_project.reset();
    m_dir.reset();
}

void TestDatasetStore::createFindAndList()
{
    auto &datasets = m_project->datasets();
    const auto zebra = datasets.create("zebra", "idx", "/a;/b", 28, 20, 3);
    const auto apple = datasets.create("apple", "fashion-mnist", "", 8, 8, 1);
    QVERIFY(zebra > 0 && apple > 0 && zebra != apple);

    const auto byName = datasets.find("zebra");
    QVERIFY(byName);
    QCOMPARE(byName->id, zebra);
    QCOMPARE(qstr(byName->format), QStringLiteral("idx"));
    QCOMPARE(qstr(byName->source), QStringLiteral("/a;/b"));
    QCOMPARE(byName->width, 28);
    QCOMPARE(byName->height, 20);
    QCOMPARE(byName->channels, 3);
    QVERIFY(byName->splits.empty());
    QCOMPARE(byName->totalSamples(), 0);
    // created_at is ISO 8601 UTC with milliseconds.
    QCOMPARE(byName->createdAt.size(), std::size_t(24));
    QVERIFY(qstr(byName->createdAt).endsWith(QLatin1Char('Z')));

    const auto byId = datasets.find(apple);
    QVERIFY(byId);
    QCOMPARE(qstr(byId->name), QStringLiteral("apple"));
    QVERIFY(!datasets.find("pear"));
    QVERIFY(!datasets.find(std::int64_t(9999)));

    const auto all = datasets.list(); // sorted by name
    QCOMPARE(all.size(), std::size_t(2));
    QCOMPARE(qstr(all[0].name), QStringLiteral("apple"));
    QCOMPARE(qstr(all[1].name), QStringLiteral("zebra"));
}

void TestDatasetStore::duplicateNameRefused()
{
    m_project->datasets().create("same", "idx", "", 1, 1, 1);
    const auto error =
        catchError([&] { m_project->datasets().create("same", "idx", "", 1, 1, 1); });
    QVERIFY(error);
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::Store));
    QVERIFY(QString::fromUtf8(error->what()).contains(QStringLiteral("UNIQUE")));
    QCOMPARE(m_project->datasets().list().size(), std::size_t(1));
}

void TestDatasetStore::ensureColumn()
{
    auto &datasets = m_project->datasets();
    const auto id = datasets.create("d", "idx", "", 1, 1, 1);
    store::LabelColumn klass;
    klass.name = "class";
    klass.categories = {"a", "b", "c"};
    store::LabelColumn flag;
    flag.name = "flag";
    flag.kind = store::ColumnKind::Binary;

    const auto classId = datasets.ensureColumn(id, klass);
    const auto flagId = datasets.ensureColumn(id, flag);
    QVERIFY(classId != flagId);
    QCOMPARE(datasets.ensureColumn(id, klass), classId); // identical: reused
    QCOMPARE(datasets.ensureColumn(id, flag), flagId);

    store::LabelColumn reordered = klass;
    reordered.categories = {"b", "a", "c"};
    const auto categories = catchError([&] { datasets.ensureColumn(id, reordered); });
    QVERIFY(categories);
    QCOMPARE(codeName(categories->code()), codeName(ErrorCode::InvalidInput));
    QVERIFY(QString::fromUtf8(categories->what()).contains(QStringLiteral("other categories")));

    store::LabelColumn binaryClass = klass;
    binaryClass.kind = store::ColumnKind::Binary;
    binaryClass.categories.clear();
    const auto kind = catchError([&] { datasets.ensureColumn(id, binaryClass); });
    QVERIFY(kind);
    QVERIFY2(QString::fromUtf8(kind->what()).contains(QStringLiteral("other kind (categorical)")),
             kind->what());

    // Columns come back in the order they were added, with kinds and categories.
    const auto info = datasets.find(id);
    QCOMPARE(info->columns.size(), std::size_t(2));
    QCOMPARE(info->columns[0].id, classId);
    QCOMPARE(qstr(info->columns[0].name), QStringLiteral("class"));
    QVERIFY(info->columns[0].kind == store::ColumnKind::Categorical);
    QCOMPARE(info->columns[0].categories, klass.categories);
    QVERIFY(info->columns[1].kind == store::ColumnKind::Binary);
    QVERIFY(info->column("flag"));
    QVERIFY(!info->column("nope"));

    // Columns of another dataset are independent.
    const auto other = datasets.create("e", "idx", "", 1, 1, 1);
    QVERIFY(datasets.ensureColumn(other, reordered) != classId);
}

void TestDatasetStore::writeAndReadSamples()
{
    auto &datasets = m_project->datasets();
    const auto id = datasets.create("d", "idx", "", 2, 1, 1);
    store::LabelColumn klass;
    klass.name = "class";
    klass.categories = {"a", "b", "c"};
    const auto column = datasets.ensureColumn(id, klass);
    {
        store::Transaction tx(m_project->db());
        store::DatasetStore::Writer writer(m_project->db(), id);
        // Written out of index order; read back in index order.
        for (int idx : {2, 0, 1}) {
            const std::uint8_t pixels[2] = {std::uint8_t(10 * idx), std::uint8_t(10 * idx + 1)};
            const auto sample =
                writer.addSample("test", idx, store::ImageEncoding::Raw, 2, 1, 1, pixels, 2);
            writer.addLabel(sample, column, idx);
        }
        const std::uint8_t pixels[2] = {7, 7};
        writer.addLabel(writer.addSample("train", 0, store::ImageEncoding::Raw, 2, 1, 1, pixels, 2),
                        column, 2);
        writer.addSample("train", 1, store::ImageEncoding::Png, 2, 1, 1, nullptr, 0, "img/1.png");
        tx.commit();
    }

    const auto info = datasets.find(id);
    QCOMPARE(info->splits.size(), std::size_t(2));
    QCOMPARE(qstr(info->splits[0].name), QStringLiteral("test")); // first written first
    QCOMPARE(info->splits[0].samples, 3);
    QCOMPARE(info->splitSize("train"), 2);
    QCOMPARE(info->splitSize("val"), 0);
    QCOMPARE(info->totalSamples(), 5);

    QList<qint64> order;
    QByteArray bytes;
    datasets.forEachImage(id, "test", [&](const store::StoredImage &image) {
        order << image.index;
        bytes.append(static_cast<const char *>(image.data), qsizetype(image.size));
    });
    QCOMPARE(order, (QList<qint64>{0, 1, 2}));
    QCOMPARE(bytes, QByteArray("\x00\x01\x0a\x0b\x14\x15", 6));
    QCOMPARE(datasets.labelsOf(id, "test", column), (std::vector<std::int32_t>{0, 1, 2}));

    int visited = 0;
    datasets.forEachImage(id, "train", [&](const store::StoredImage &image) {
        if (image.index == 1) {
            QVERIFY(image.encoding == store::ImageEncoding::Png);
            QCOMPARE(image.size, std::size_t(0));
        }
        ++visited;
    });
    QCOMPARE(visited, 2);
}

void TestDatasetStore::labelsMissingAreMinusOne()
{
    auto &datasets = m_project->datasets();
    const auto id = datasets.create("d", "idx", "", 1, 1, 1);
    store::LabelColumn a, b;
    a.name = "a";
    a.kind = b.kind = store::ColumnKind::Binary;
    b.name = "b";
    const auto columnA = datasets.ensureColumn(id, a);
    const auto columnB = datasets.ensureColumn(id, b);
    store::DatasetStore::Writer writer(m_project->db(), id);
    const std::uint8_t pixel = 0;
    for (int i = 0; i < 4; ++i) {
        const auto sample =
            writer.addSample("train", i, store::ImageEncoding::Raw, 1, 1, 1, &pixel, 1);
        writer.addLabel(sample, columnA, i % 2);
        if (i != 2)
            writer.addLabel(sample, columnB, 1);
    }
    QCOMPARE(datasets.labelsOf(id, "train", columnA), (std::vector<std::int32_t>{0, 1, 0, 1}));
    QCOMPARE(datasets.labelsOf(id, "train", columnB), (std::vector<std::int32_t>{1, 1, -1, 1}));
    QVERIFY(datasets.labelsOf(id, "test", columnA).empty());
}

// Label edits change the labels training reads and label_counts, record old and new values,
// undo and redo step by step, drop the undone steps when a new one is made, and refuse a
// value the column does not take without changing anything.
void TestDatasetStore::labelEditsUndoRedo()
{
    auto &datasets = m_project->datasets();
    const auto id = datasets.create("d", "idx", "", 1, 1, 1);
    store::LabelColumn binary, kind;
    binary.name = "b";
    binary.kind = store::ColumnKind::Binary;
    kind.name = "k";
    kind.kind = store::ColumnKind::Categorical;
    kind.categories = {"x", "y", "z"};
    const auto b = datasets.ensureColumn(id, binary);
    const auto k = datasets.ensureColumn(id, kind);
    std::vector<std::int64_t> samples;
    {
        store::DatasetStore::Writer writer(m_project->db(), id);
        const std::uint8_t pixel = 0;
        for (int i = 0; i < 3; ++i) {
            samples.push_back(
                writer.addSample("train", i, store::ImageEncoding::Raw, 1, 1, 1, &pixel, 1));
            writer.addLabel(samples.back(), b, 0);
            writer.addLabel(samples.back(), k, i);
        }
    }
    datasets.refreshLabelCounts(id);
    const auto countOf = [&](std::int64_t column, std::int32_t value) {
        for (const auto &c : datasets.labelCounts(id))
            if (c.columnId == column && c.value == value)
                return c.count;
        return std::int64_t(0);
    };
    QCOMPARE(countOf(b, 0), std::int64_t(3));
    store::LabelEdits edits(m_project->db());
    // A change to the value a label has is no step.
    QCOMPARE(edits.apply(id, {{samples[0], b, 0}}, "t"), std::int64_t(0));
    const auto first = edits.apply(id, {{samples[0], b, 1}, {samples[1], k, std::nullopt}}, "t");
    QVERIFY(first > 0);
    QCOMPARE(datasets.labelsOf(id, "train", b), (std::vector<std::int32_t>{1, 0, 0}));
    QCOMPARE(datasets.labelsOf(id, "train", k), (std::vector<std::int32_t>{0, -1, 2}));
    QCOMPARE(countOf(b, 1), std::int64_t(1));
    QCOMPARE(countOf(k, 1), std::int64_t(0));
    QCOMPARE(edits.editsInEffect(id), std::int64_t(2));
    QCOMPARE(datasets.find(id)->labelEdits, std::int64_t(2));
    const auto history = edits.history(id);
    QCOMPARE(history.size(), std::size_t(2));
    QCOMPARE(history[1].oldValue, std::optional<std::int32_t>(1));
    QCOMPARE(history[1].newValue, std::optional<std::int32_t>());
    // The same label twice in one step: the last value counts.
    const auto second = edits.apply(id, {{samples[2], k, 0}, {samples[2], k, 1}}, "t");
    QCOMPARE(datasets.labelsOf(id, "train", k)[2], 1);
    QCOMPARE(edits.undo(id), second);
    QCOMPARE(datasets.labelsOf(id, "train", k)[2], 2);
    QCOMPARE(edits.undo(id), first);
    QCOMPARE(datasets.labelsOf(id, "train", b), (std::vector<std::int32_t>{0, 0, 0}));
    QCOMPARE(datasets.labelsOf(id, "train", k), (std::vector<std::int32_t>{0, 1, 2}));
    QCOMPARE(countOf(k, 1), std::int64_t(1));
    QCOMPARE(edits.undo(id), std::int64_t(0));
    QCOMPARE(edits.stepsUndone(id), std::int64_t(2));
    QCOMPARE(edits.redo(id), first);
    QCOMPARE(datasets.labelsOf(id, "train", b)[0], 1);
    QCOMPARE(edits.editedSamples(id), (std::vector<std::int64_t>{samples[0], samples[1]}));
    // A new step drops the one still undone.
    QVERIFY(edits.apply(id, {{samples[1], b, 1}}, "t") > 0);
    QCOMPARE(edits.stepsUndone(id), std::int64_t(0));
    QCOMPARE(edits.redo(id), std::int64_t(0));
    QCOMPARE(edits.stepsDone(id), std::int64_t(2));
    // Bad values and unknown samples change nothing.
    const auto before = datasets.labelsOf(id, "train", k);
    for (const std::vector<store::LabelChange> &bad :
         {std::vector<store::LabelChange>{{samples[0], k, 1}, {samples[1], k, 3}},
          std::vector<store::LabelChange>{{samples[0], b, 2}},
          std::vector<store::LabelChange>{{samples[0], k, 1}, {999, k, 0}}}) {
        QVERIFY_THROWS_EXCEPTION(Error, edits.apply(id, bad, "t"));
        QCOMPARE(datasets.labelsOf(id, "train", k), before);
    }
    QCOMPARE(edits.stepsDone(id), std::int64_t(2));
}

void TestDatasetStore::duplicateSampleIndexRefused()
{
    auto &datasets = m_project->datasets();
    const auto id = datasets.create("d", "idx", "", 1, 1, 1);
    store::DatasetStore::Writer writer(m_project->db(), id);
    const std::uint8_t pixel = 0;
    writer.addSample("train", 0, store::ImageEncoding::Raw, 1, 1, 1, &pixel, 1);
    writer.addSample("test", 0, store::ImageEncoding::Raw, 1, 1, 1, &pixel, 1); // other split: fine
    const auto error = catchError(
        [&] { writer.addSample("train", 0, store::ImageEncoding::Raw, 1, 1, 1, &pixel, 1); });
    QVERIFY(error);
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::Store));
    // The writer stays usable after an error.
    writer.addSample("train", 1, store::ImageEncoding::Raw, 1, 1, 1, &pixel, 1);
    QCOMPARE(datasets.find(id)->splitSize("train"), 2);
}

namespace {
store::MapColumn depthColumn()
{
    store::MapColumn depth;
    depth.name = "depth";
    depth.kind = store::MapKind::Depth;
    depth.type = store::MapType::UInt16;
    depth.scale = 0.001;
    return depth;
}
} // namespace

void TestDatasetStore::mapColumns()
{
    auto &datasets = m_project->datasets();
    const auto id = datasets.create("d", "fashion-scenes", "", 4, 4, 1);
    store::MapColumn semantic;
    semantic.name = "semantic";
    semantic.categories = {"background", "shirt"};
    const auto semanticId = datasets.ensureMapColumn(id, semantic);
    const auto depthId = datasets.ensureMapColumn(id, depthColumn());
    QVERIFY(semanticId != depthId);
    QCOMPARE(datasets.ensureMapColumn(id, depthColumn()), depthId); // identical: reused
    store::MapColumn other = depthColumn();
    other.scale = 0.01;
    auto error = catchError([&] { datasets.ensureMapColumn(id, other); });
    QVERIFY(error);
    QVERIFY2(qstr(error->message()).contains(QStringLiteral("map column 'depth' already exists")),
             error->what());
    // One namespace for label and map columns.
    store::LabelColumn clash;
    clash.name = "semantic";
    error = catchError([&] { datasets.ensureColumn(id, clash); });
    QVERIFY(error);
    QVERIFY2(
        qstr(error->message()).contains(QStringLiteral("'semantic' already names a map column")),
        error->what());
    clash.name = "count";
    datasets.ensureColumn(id, clash);
    store::MapColumn named = depthColumn();
    named.name = "count";
    QVERIFY(catchError([&] { datasets.ensureMapColumn(id, named); }));

    const auto info = datasets.find(id);
    QCOMPARE(info->maps.size(), std::size_t(2));
    const store::MapColumn *read = info->map("depth");
    QVERIFY(read);
    QCOMPARE(read->type, store::MapType::UInt16);
    QCOMPARE(read->scale, 0.001);
    QCOMPARE(info->map("semantic")->categories, semantic.categories);
    QVERIFY(!info->map("count"));
}

void TestDatasetStore::mapsRoundTrip()
{
    auto &datasets = m_project->datasets();
    const auto id = datasets.create("d", "fashion-scenes", "", 4, 4, 1);
    store::MapColumn depth = depthColumn();
    depth.id = datasets.ensureMapColumn(id, depth);
    store::DatasetStore::Writer writer(m_project->db(), id);
    const std::uint8_t pixels[16] = {};
    // Sample 0: a flat map (deflates); sample 1: no map; sample 2: noise (stays raw).
    std::vector<std::uint16_t> flat(16, 5000), noise(16);
    for (std::size_t i = 0; i < noise.size(); ++i)
        noise[i] = static_cast<std::uint16_t>(i * 7919 + 17);
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 3; ++i)
        ids.push_back(writer.addSample("train", i, store::ImageEncoding::Raw, 4, 4, 1, pixels, 16));
    writer.addMap(ids[0], depth.id, 4, 4, flat.data(), 32);
    writer.addMap(ids[2], depth.id, 4, 4, noise.data(), 32);
    Statement encodings(m_project->db(), "SELECT encoding FROM label_maps ORDER BY sample_id");
    QStringList stored;
    while (encodings.step())
        stored << qstr(encodings.text(0));
    QCOMPARE(stored, (QStringList{QStringLiteral("deflate"), QStringLiteral("raw")}));

    std::vector<std::int64_t> seen;
    datasets.forEachMap(id, "train", depth, [&](const store::StoredMap &map) {
        seen.push_back(map.sampleId);
        QCOMPARE(map.size, std::size_t(32));
        const auto &expected = map.sampleId == ids[0] ? flat : noise;
        QVERIFY(std::memcmp(map.data, expected.data(), 32) == 0);
    });
    QCOMPARE(seen, (std::vector<std::int64_t>{ids[0], ids[2]}));
}

void TestDatasetStore::corruptMapIsNamed()
{
    auto &datasets = m_project->datasets();
    const auto id = datasets.create("d", "fashion-scenes", "", 4, 4, 1);
    store::MapColumn depth = depthColumn();
    depth.id = datasets.ensureMapColumn(id, depth);
    store::DatasetStore::Writer writer(m_project->db(), id);
    const std::uint8_t pixels[16] = {};
    const auto sample =
        writer.addSample("train", 0, store::ImageEncoding::Raw, 4, 4, 1, pixels, 16);
    const std::uint16_t half[8] = {};
    writer.addMap(sample, depth.id, 4, 4, half, sizeof half); // 16 bytes; 4×4 uint16 needs 32
    const auto error = catchError(
        [&] { datasets.forEachMap(id, "train", depth, [](const store::StoredMap &) {}); });
    QVERIFY(error);
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::Store));
    QVERIFY2(
        qstr(error->message()).contains(QStringLiteral("the 'depth' map of sample %1").arg(sample)),
        error->what());
}

QTEST_APPLESS_MAIN(TestDatasetStore)
#include "tst_datasetstore.moc"
