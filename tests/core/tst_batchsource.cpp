// Batch sources over a split in memory: the hold-out and each epoch's order follow from the
// seed alone (the orders earlier builds used, started at any epoch), ranks see disjoint equal
// shares, batches carry the right pixels, sample ids and targets, skip() and preloading give
// the same batches as reading them one by one.

#include "common/png.h"
#include "data/importer.h"
#include "data/memorysource.h"
#include "store/project.h"

#include <torch/types.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <numeric>
#include <random>
#include <set>

using namespace mtl;
using data::MemoryBatchSource;
using data::Selection;

namespace {

// N samples of 1x2x2 pixels: sample i is all i; sample ids 1000 + i; one target [N] = i % 3.
std::shared_ptr<const data::MemorySplit> makeSplit(std::int64_t n)
{
    auto split = std::make_shared<data::MemorySplit>();
    split->images = torch::arange(n, torch::kInt64)
                        .to(torch::kUInt8)
                        .view({n, 1, 1, 1})
                        .expand({n, 1, 2, 2})
                        .contiguous();
    for (std::int64_t i = 0; i < n; ++i)
        split->sampleIds.push_back(1000 + i);
    split->targets.push_back(torch::arange(n, torch::kInt64).remainder(3));
    return split;
}

// The sample indices of one epoch, batch by batch.
std::vector<std::int64_t> epochOrder(data::BatchSource &source, std::uint64_t seed, int epoch,
                                     int rank = 0, int world = 1)
{
    source.startEpoch(seed, epoch, rank, world);
    std::vector<std::int64_t> order;
    while (auto batch = source.next())
        for (const std::int64_t id : batch->sampleIds)
            order.push_back(id - 1000);
    return order;
}

} // namespace

class TestBatchSource : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void holdOutSplitsTheSamples();
    void ordersAreThoseOfEarlierBuilds();
    void anyEpochFromTheSeedAlone();
    void ranksShareAnEpoch();
    void batchesCarryPixelsIdsAndTargets();
    void batchCounts_data();
    void batchCounts();
    void skipAndPreloadGiveTheSameBatches();
    void loadsImageFilesResized();
};

// A folders dataset of PNG files of three sizes, one over the 64-pixel inline limit (read from
// its file), imported with a resize: loadSplit decodes each to the dataset's 4×4.
void TestBatchSource::loadsImageFilesResized()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto write = [&](const QString &name, int w, int h, std::uint8_t value) {
        QDir().mkpath(dir.path() + QStringLiteral("/img/") + name.section(QLatin1Char('/'), 0, 0));
        const std::vector<std::uint8_t> pixels(static_cast<std::size_t>(w * h), value);
        const std::string png = encodeGrayPng(pixels.data(), w, h);
        QFile file(dir.path() + QStringLiteral("/img/") + name);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(png.data(), static_cast<qint64>(png.size()));
    };
    write(QStringLiteral("a/0.png"), 6, 4, 10);
    write(QStringLiteral("a/1.png"), 8, 8, 20);
    write(QStringLiteral("b/2.png"), 80, 70, 30);
    const std::string path = (dir.path() + QStringLiteral("/p.mtlproj")).toStdString();
    store::Project project(path, store::Project::OpenMode::CreateIfMissing);
    data::ImportRequest request;
    request.dataset = "files";
    request.files["root"] = (dir.path() + QStringLiteral("/img")).toStdString();
    request.options["resize"] = "4x4";
    data::makeImporter("folders")->run(project, request, {});
    const auto info = project.datasets().find("files");
    QVERIFY(info);
    const data::MemorySplit split = data::loadSplit(project, *info, "train", {"class"});
    QCOMPARE(split.images.sizes().vec(), (std::vector<std::int64_t>{3, 1, 4, 4}));
    QCOMPARE(split.images[0].min().item<int>(), 10);
    QCOMPARE(split.images[1].max().item<int>(), 20);
    QCOMPARE(split.images[2].min().item<int>(), 30);
    QCOMPARE(split.columns.at("class"), (std::vector<std::int32_t>{0, 0, 1}));
}

void TestBatchSource::holdOutSplitsTheSamples()
{
    const auto split = makeSplit(50);
    MemoryBatchSource train(split, Selection::holdOutTrain(12), 8, true);
    MemoryBatchSource val(split, Selection::holdOutVal(12), 8, false);
    QCOMPARE(train.samplesPerEpoch(), std::int64_t(38));
    QCOMPARE(val.samplesPerEpoch(), std::int64_t(12));
    const auto t = epochOrder(train, 7, 1), v = epochOrder(val, 7, 0);
    std::set<std::int64_t> all(t.begin(), t.end());
    QCOMPARE(all.size(), t.size());
    for (const std::int64_t i : v)
        QVERIFY2(all.insert(i).second, "a validation sample is also a training sample");
    QCOMPARE(all.size(), std::size_t(50));
    // The validation part is the same every epoch; another seed holds out others.
    QCOMPARE(epochOrder(val, 7, 0), v);
    QVERIFY(epochOrder(val, 8, 0) != v);
}

void TestBatchSource::ordersAreThoseOfEarlierBuilds()
{
    // What the trainer of earlier builds did: one mt19937_64(seed) shuffles the split, the
    // first `heldOut` validate, then the same generator shuffles the rest once per epoch.
    const std::int64_t n = 40, heldOut = 10;
    const std::uint64_t seed = 11;
    std::vector<std::int64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(seed);
    std::shuffle(order.begin(), order.end(), rng);
    const std::vector<std::int64_t> expectedVal(order.begin(), order.begin() + heldOut);
    std::vector<std::int64_t> expectedTrain(order.begin() + heldOut, order.end());

    const auto split = makeSplit(n);
    MemoryBatchSource train(split, Selection::holdOutTrain(heldOut), 4, true);
    MemoryBatchSource val(split, Selection::holdOutVal(heldOut), 4, false);
    QCOMPARE(epochOrder(val, seed, 0), expectedVal);
    for (int epoch = 1; epoch <= 3; ++epoch) {
        std::shuffle(expectedTrain.begin(), expectedTrain.end(), rng);
        QCOMPARE(epochOrder(train, seed, epoch), expectedTrain);
    }
    MemoryBatchSource all(split, Selection::all(), 4, false);
    std::vector<std::int64_t> identity(n);
    std::iota(identity.begin(), identity.end(), 0);
    QCOMPARE(epochOrder(all, seed, 1), identity);
}

void TestBatchSource::anyEpochFromTheSeedAlone()
{
    const auto split = makeSplit(30);
    MemoryBatchSource sequential(split, Selection::holdOutTrain(5), 6, true);
    std::vector<std::vector<std::int64_t>> epochs;
    for (int epoch = 1; epoch <= 4; ++epoch)
        epochs.push_back(epochOrder(sequential, 3, epoch));
    QVERIFY(epochs[0] != epochs[1]);
    // A fresh source (a resumed run) started at epoch 3 gives epoch 3's order at once.
    MemoryBatchSource fresh(split, Selection::holdOutTrain(5), 6, true);
    QCOMPARE(epochOrder(fresh, 3, 3), epochs[2]);
    QCOMPARE(epochOrder(fresh, 3, 4), epochs[3]);
    QCOMPARE(epochOrder(fresh, 3, 1), epochs[0]); // going back works too
    QCOMPARE(epochOrder(fresh, 3, 1), epochs[0]); // and the same epoch again
}

void TestBatchSource::ranksShareAnEpoch()
{
    const auto split = makeSplit(41);
    MemoryBatchSource source(split, Selection::holdOutTrain(0), 5, true);
    const auto whole = epochOrder(source, 1, 2);
    const auto r0 = epochOrder(source, 1, 2, 0, 2), r1 = epochOrder(source, 1, 2, 1, 2);
    QCOMPARE(r0.size(), std::size_t(20)); // 41 / 2: the same count on every rank
    QCOMPARE(r1.size(), std::size_t(20));
    QCOMPARE(source.samplesPerEpoch(1, 2), std::int64_t(20));
    for (std::size_t i = 0; i < r0.size(); ++i) {
        QCOMPARE(r0[i], whole[2 * i]);
        QCOMPARE(r1[i], whole[2 * i + 1]);
    }
}

void TestBatchSource::batchesCarryPixelsIdsAndTargets()
{
    const auto split = makeSplit(10);
    MemoryBatchSource source(split, Selection::holdOutTrain(3), 4, true);
    source.startEpoch(5, 1);
    const auto batch = source.next();
    QVERIFY(batch);
    QCOMPARE(batch->size(), std::int64_t(4));
    QCOMPARE(batch->images.scalar_type(), torch::kFloat32);
    QCOMPARE(batch->images.sizes().vec(), (std::vector<std::int64_t>{4, 1, 2, 2}));
    for (std::int64_t b = 0; b < 4; ++b) {
        const std::int64_t i = batch->sampleIds[static_cast<std::size_t>(b)] - 1000;
        QCOMPARE(batch->images[b].max().item<float>(), static_cast<float>(i) / 255.0f);
        QCOMPARE(batch->targets[0][b].item<std::int64_t>(), i % 3);
    }
}

void TestBatchSource::batchCounts_data()
{
    QTest::addColumn<int>("samples");
    QTest::addColumn<int>("batchSize");
    QTest::addColumn<bool>("dropSingleton");
    QTest::addColumn<int>("batches");
    QTest::addColumn<int>("lastSize");
    QTest::newRow("exact") << 12 << 4 << true << 3 << 4;
    QTest::newRow("remainder 2") << 14 << 4 << true << 4 << 2;
    QTest::newRow("singleton dropped (training)") << 13 << 4 << true << 3 << 4;
    QTest::newRow("singleton kept (evaluation)") << 13 << 4 << false << 4 << 1;
    QTest::newRow("fewer samples than a batch") << 3 << 8 << true << 1 << 3;
}

void TestBatchSource::batchCounts()
{
    QFETCH(int, samples);
    QFETCH(int, batchSize);
    QFETCH(bool, dropSingleton);
    QFETCH(int, batches);
    QFETCH(int, lastSize);
    MemoryBatchSource source(makeSplit(samples), Selection::all(), batchSize, dropSingleton);
    QCOMPARE(source.batchesPerEpoch(), std::int64_t(batches));
    QCOMPARE(data::batchCount(samples, batchSize, dropSingleton), std::int64_t(batches));
    source.startEpoch(0, 0);
    std::vector<std::int64_t> sizes;
    while (auto batch = source.next())
        sizes.push_back(batch->size());
    QCOMPARE(sizes.size(), std::size_t(batches));
    QCOMPARE(sizes.back(), std::int64_t(lastSize));
}

void TestBatchSource::skipAndPreloadGiveTheSameBatches()
{
    const auto split = makeSplit(37);
    MemoryBatchSource plain(split, Selection::holdOutTrain(7), 4, true);
    plain.startEpoch(9, 2);
    std::vector<std::vector<std::int64_t>> batches;
    while (auto batch = plain.next())
        batches.push_back(batch->sampleIds);
    QCOMPARE(batches.size(), std::size_t(8)); // 30 samples: 7 of 4 and one of 2

    plain.startEpoch(9, 2);
    plain.skip(3);
    QCOMPARE(plain.next()->sampleIds, batches[3]);

    data::PreloadedSource preloaded(
        std::make_unique<MemoryBatchSource>(split, Selection::holdOutTrain(7), 4, true), 5);
    QCOMPARE(preloaded.batchesPerEpoch(), std::int64_t(8));
    preloaded.startEpoch(9, 2);
    preloaded.skip(1);
    for (std::size_t b = 1; b < 5; ++b)
        QCOMPARE(preloaded.next()->sampleIds, batches[b]);
    QVERIFY(!preloaded.next()); // only the batches it was asked to prepare
}

QTEST_APPLESS_MAIN(TestBatchSource)
#include "tst_batchsource.moc"
