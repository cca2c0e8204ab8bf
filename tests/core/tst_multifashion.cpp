// The multi-fashion importer: two garments overlaid on a 36×36 canvas (left one at the top
// left, right one shifted by 8 pixels, the brighter pixel wins), paired deterministically from
// the seed and the split, never a garment with itself; the dataset it writes has columns left
// and right with the source images' classes; bad sources and a taken name are refused with the
// project unchanged, and so is a cancelled import.

#include "common/error.h"
#include "data/importer.h"
#include "data/multifashion.h"
#include "store/project.h"

#include "fixtures.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <set>

using namespace mtl;
using namespace mtl::test;

class TestMultiFashion : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void overlayPlacesAndMaxes();
    void pairingIsDeterministicPerSeedAndSplit();
    void importWritesPairsAndLabels();
    void badSourcesAreRefused_data();
    void badSourcesAreRefused();
    void cancelledImportLeavesNothing();

private:
    // A Fashion-MNIST directory of `train` and `test` 28×28 images (labels cycle over 10).
    QString fakeFashionMnist(QTemporaryDir &dir, int train = 30, int test = 12, int size = 28);
};

QString TestMultiFashion::fakeFashionMnist(QTemporaryDir &dir, int train, int test, int size)
{
    writeIdxSplit(dir.path(), QStringLiteral("train"), train, 10, size, size, true);
    writeIdxSplit(dir.path(), QStringLiteral("t10k"), test, 10, size, size, true);
    return dir.path();
}

void TestMultiFashion::overlayPlacesAndMaxes()
{
    std::vector<std::uint8_t> left(28 * 28, 0), right(28 * 28, 0);
    left[0] = 200;           // → canvas (0, 0)
    left[27 * 28 + 27] = 10; // → (27, 27), under the right image's (19, 19)
    right[19 * 28 + 19] = 90;
    right[27 * 28 + 27] = 255; // → (35, 35)
    right[0] = 7;              // → (8, 8)
    const std::vector<std::uint8_t> canvas = data::overlayPair(left.data(), right.data());
    QCOMPARE(canvas.size(), std::size_t(36 * 36));
    QCOMPARE(int(canvas[0]), 200);
    QCOMPARE(int(canvas[35 * 36 + 35]), 255);
    QCOMPARE(int(canvas[8 * 36 + 8]), 7);
    QCOMPARE(int(canvas[27 * 36 + 27]), 90); // the brighter of 10 and 90
    QCOMPARE(int(canvas[0 * 36 + 35]), 0);   // top right: neither image reaches it
    QCOMPARE(int(canvas[35 * 36 + 0]), 0);
}

void TestMultiFashion::pairingIsDeterministicPerSeedAndSplit()
{
    const data::Pairing a = data::pairSamples(5, "train", 100, 0);
    const data::Pairing again = data::pairSamples(5, "train", 100, 0);
    QCOMPARE(a.left, again.left);
    QCOMPARE(a.right, again.right);
    QCOMPARE(a.left.size(), std::size_t(100));
    // Every garment is a left one exactly once; none is paired with itself.
    QCOMPARE(std::set<std::int64_t>(a.left.begin(), a.left.end()).size(), std::size_t(100));
    for (std::size_t i = 0; i < a.left.size(); ++i)
        QVERIFY(a.left[i] != a.right[i]);
    QVERIFY(data::pairSamples(6, "train", 100, 0).left != a.left);
    QVERIFY(data::pairSamples(5, "test", 100, 0).left != a.left);
    // --count keeps a prefix of the same pairing.
    const data::Pairing few = data::pairSamples(5, "train", 100, 7);
    QCOMPARE(few.left.size(), std::size_t(7));
    QVERIFY(std::equal(few.left.begin(), few.left.end(), a.left.begin()));
    QCOMPARE(data::pairSamples(5, "train", 100, 1000).left.size(), std::size_t(100));
    QCOMPARE(data::pairSamples(5, "train", 1, 0).right, std::vector<std::int64_t>{0});
}

void TestMultiFashion::importWritesPairsAndLabels()
{
    QTemporaryDir dir;
    const QString source = fakeFashionMnist(dir);
    const std::string path = str(QDir(dir.path()).filePath(QStringLiteral("p.mtlproj")));
    store::Project project(path, store::Project::OpenMode::CreateIfMissing);
    data::ImportRequest request;
    request.files["dir"] = str(source);
    request.seed = 3;
    request.count = 20;
    const data::ImportSummary summary =
        data::makeImporter("multi-fashion")->run(project, request, {});
    QCOMPARE(summary.dataset, std::string("multi-fashion"));
    QCOMPARE(summary.columns, (std::vector<std::string>{"left", "right"}));
    QCOMPARE(summary.added.size(), std::size_t(2));
    QCOMPARE(summary.added[0].samples, std::int64_t(20)); // train: 30 sources, at most 20
    QCOMPARE(summary.added[1].samples, std::int64_t(12)); // test: all 12

    const auto info = project.datasets().find("multi-fashion");
    QVERIFY(info);
    QCOMPARE(info->width, 36);
    QCOMPARE(info->height, 36);
    QCOMPARE(info->column("left")->categories.size(), std::size_t(10));
    QCOMPARE(info->column("right")->categories[9], std::string("Ankle boot"));

    // Sample i's labels are those of the source images the pairing names; the source label of
    // image k is k % 10 (writeIdxSplit's cyclic labels).
    const data::Pairing pairing = data::pairSamples(3, "train", 30, 20);
    const auto left = project.datasets().labelsOf(info->id, "train", info->column("left")->id);
    const auto right = project.datasets().labelsOf(info->id, "train", info->column("right")->id);
    QCOMPARE(left.size(), std::size_t(20));
    for (std::size_t i = 0; i < left.size(); ++i) {
        QCOMPARE(left[i], std::int32_t(pairing.left[i] % 10));
        QCOMPARE(right[i], std::int32_t(pairing.right[i] % 10));
    }
    int images = 0;
    project.datasets().forEachImage(info->id, "test", [&](const store::StoredImage &image) {
        QCOMPARE(image.size, std::size_t(36 * 36));
        ++images;
    });
    QCOMPARE(images, 12);
}

void TestMultiFashion::badSourcesAreRefused_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<bool>("nameTaken");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("images that are not 28x28") << 32 << false << QStringLiteral("28×28 grey");
    QTest::newRow("a dataset of that name exists")
        << 28 << true << QStringLiteral("already exists");
}

void TestMultiFashion::badSourcesAreRefused()
{
    QFETCH(int, size);
    QFETCH(bool, nameTaken);
    QFETCH(QString, fragment);
    QTemporaryDir dir;
    const QString source = fakeFashionMnist(dir, 10, 4, size);
    const std::string path = str(QDir(dir.path()).filePath(QStringLiteral("p.mtlproj")));
    store::Project project(path, store::Project::OpenMode::CreateIfMissing);
    data::ImportRequest request;
    request.files["dir"] = str(source);
    if (nameTaken) {
        data::makeImporter("multi-fashion")->run(project, request, {});
        QCOMPARE(project.datasets().list().size(), std::size_t(1));
    }
    try {
        data::makeImporter("multi-fashion")->run(project, request, {});
        QFAIL("imported");
    } catch (const Error &e) {
        QVERIFY2(e.code() == ErrorCode::InvalidInput, e.what());
        QVERIFY2(QString::fromUtf8(e.what()).contains(fragment), e.what());
        if (!nameTaken)
            QVERIFY2(
                QString::fromStdString(e.where().file).contains(QStringLiteral("train-images")),
                e.what());
    }
    QCOMPARE(project.datasets().list().size(), std::size_t(nameTaken ? 1 : 0));

    // No Fashion-MNIST at all: the missing file is named.
    request.files["dir"] = str(QDir(dir.path()).filePath(QStringLiteral("nothing-here")));
    request.dataset = "other";
    try {
        data::makeImporter("multi-fashion")->run(project, request, {});
        QFAIL("imported from nothing");
    } catch (const Error &e) {
        QVERIFY2(e.code() == ErrorCode::NotFound, e.what());
        QVERIFY2(QString::fromStdString(e.where().file).contains(QStringLiteral("nothing-here")),
                 e.what());
    }
}

void TestMultiFashion::cancelledImportLeavesNothing()
{
    QTemporaryDir dir;
    const QString source = fakeFashionMnist(dir);
    const std::string path = str(QDir(dir.path()).filePath(QStringLiteral("p.mtlproj")));
    store::Project project(path, store::Project::OpenMode::CreateIfMissing);
    data::ImportRequest request;
    request.files["dir"] = str(source);
    int calls = 0;
    try {
        data::makeImporter("multi-fashion")
            ->run(project, request, [&](double, const std::string &stage) {
                ++calls;
                return stage.rfind("composing", 0) != 0; // cancel once writing has begun
            });
        QFAIL("not cancelled");
    } catch (const Error &e) {
        QVERIFY2(e.code() == ErrorCode::Interrupted, e.what());
    }
    QVERIFY(calls > 1);
    QVERIFY(project.datasets().list().empty());
}

QTEST_APPLESS_MAIN(TestMultiFashion)
#include "tst_multifashion.moc"
