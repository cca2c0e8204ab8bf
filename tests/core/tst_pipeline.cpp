// The decoding pipeline: the "input" transforms on one sample (geometry, colour, normalisation,
// dense targets following the image), draws that depend on (seed, epoch, sample id) alone,
// batches that are the same for any number of workers and equal the in-memory source's without
// transforms, errors of a worker reaching the trainer, skip and restart, the decoded cache, the
// statistics an import stores, and a training run through it.

#include "common/error.h"
#include "data/augment.h"
#include "data/importer.h"
#include "data/pipelinesource.h"
#include "data/splitimages.h"
#include "data/statistics.h"
#include "store/project.h"
#include "train/catalog.h"
#include "train/trainer.h"

#include "fixtures.h"

#include <torch/types.h>

#include <QDir>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

using namespace mtl;
using data::InputOptions;
using data::InputTransform;
using data::SampleDraw;
using data::TargetGeometry;

namespace {

std::string catchConfigKey(const std::function<void()> &run)
{
    try {
        run();
    } catch (const Error &e) {
        // what() starts with the key; check it is the key the error carries too.
        const std::string what = e.what();
        return what.rfind(e.where().key + ": ", 0) == 0 ? what
                                                        : "key " + e.where().key + ": " + what;
    }
    return "no error";
}

// A W×H single-channel image whose pixel (x, y) is 10 y + x.
std::vector<std::uint8_t> ramp(int width, int height)
{
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width * height));
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            pixels[static_cast<std::size_t>(y * width + x)] = static_cast<std::uint8_t>(10 * y + x);
    return pixels;
}

// `count` RGB PNG images of W×H in <dir>/img/<class>/<i>.png, two classes; sample i's pixels
// are (i, 2i, 3i) plus the x coordinate, so a mirror shows.
void writeFolders(const QString &dir, int count, int width, int height)
{
    for (int i = 0; i < count; ++i) {
        const QString cls = i % 2 ? QStringLiteral("odd") : QStringLiteral("even");
        QDir().mkpath(dir + QStringLiteral("/img/") + cls);
        QImage image(width, height, QImage::Format_RGB888);
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x)
                image.setPixel(x, y, qRgb((i + x) % 256, (2 * i + y) % 256, (3 * i) % 256));
        QVERIFY(image.save(
            dir + QStringLiteral("/img/%1/%2.png").arg(cls).arg(i, 3, 10, QLatin1Char('0'))));
    }
}

struct FolderProject {
    QTemporaryDir dir;
    std::string path;
    std::unique_ptr<store::Project> project;
    store::DatasetInfo dataset;
};

std::unique_ptr<FolderProject> importFolders(int count, int width, int height)
{
    auto made = std::make_unique<FolderProject>();
    writeFolders(made->dir.path(), count, width, height);
    made->path = (made->dir.path() + QStringLiteral("/p.mtlproj")).toStdString();
    made->project =
        std::make_unique<store::Project>(made->path, store::Project::OpenMode::CreateIfMissing);
    data::ImportRequest request;
    request.dataset = "files";
    request.files["root"] = (made->dir.path() + QStringLiteral("/img")).toStdString();
    data::makeImporter("folders")->run(*made->project, request, {});
    made->dataset = *made->project->datasets().find("files");
    return made;
}

std::shared_ptr<const data::PipelineSplit>
pipelineSplit(store::Project &project, const store::DatasetInfo &dataset, std::size_t cacheBytes)
{
    auto split = std::make_shared<data::PipelineSplit>();
    auto images =
        std::make_shared<data::SplitImages>(data::SplitImages::load(project, dataset, "train"));
    auto labels = std::make_shared<data::MemorySplit>(
        data::loadLabels(project, dataset, "train", {"class"}, images->sampleIds()));
    std::vector<std::int64_t> classes(labels->columns.at("class").begin(),
                                      labels->columns.at("class").end());
    labels->targets.push_back(torch::tensor(classes, torch::kInt64));
    split->geometry.push_back({});
    if (cacheBytes > 0)
        split->cache =
            std::make_shared<data::DecodedCache>(images->size(), images->sampleBytes(), cacheBytes);
    split->images = std::move(images);
    split->labels = std::move(labels);
    return split;
}

std::vector<data::SampleBatch> epoch(data::BatchSource &source, std::uint64_t seed, int number)
{
    source.startEpoch(seed, number);
    std::vector<data::SampleBatch> batches;
    while (auto batch = source.next())
        batches.push_back(std::move(*batch));
    return batches;
}

void compareBatches(const std::vector<data::SampleBatch> &a,
                    const std::vector<data::SampleBatch> &b)
{
    QCOMPARE(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        QCOMPARE(a[i].sampleIds, b[i].sampleIds);
        QVERIFY(a[i].images.equal(b[i].images));
        QCOMPARE(a[i].targets.size(), b[i].targets.size());
        for (std::size_t t = 0; t < a[i].targets.size(); ++t)
            QVERIFY(a[i].targets[t].equal(b[i].targets[t]));
    }
}

InputOptions augmenting()
{
    InputOptions o;
    o.crop = "random";
    o.cropWidth = 6;
    o.cropHeight = 5;
    o.hflip = true;
    o.brightness = 0.3;
    return o;
}

} // namespace

class TestPipeline : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void centreCropAndResize();
    void flipMirrorsImageAndMaps();
    void normalsChangeSignWhenMirrored();
    void drawsFromSeedEpochAndIdOnly();
    void normalisationAndJitter();
    void badOptions_data();
    void badOptions();
    void sameBatchesForAnyWorkerCount();
    void withoutTransformsEqualsMemorySource();
    void skipAndNewEpochDropStaleWork();
    void workerErrorReachesNext();
    void cacheServesLaterEpochs();
    void importStoresStatistics();
    void trainsThroughThePipeline();
};

void TestPipeline::centreCropAndResize()
{
    InputOptions o;
    o.crop = "center";
    o.cropWidth = 2;
    o.cropHeight = 2;
    const InputTransform crop(o, {1, 4, 6}, false);
    QCOMPARE(crop.output().width, 2);
    QCOMPARE(crop.output().height, 2);
    const auto pixels = ramp(6, 4);
    std::vector<float> out(4);
    crop.image(pixels.data(), crop.draw(0, 0, 1), out.data());
    // Rows 1–2, columns 2–3 of the ramp.
    QCOMPARE(out, (std::vector<float>{12 / 255.f, 13 / 255.f, 22 / 255.f, 23 / 255.f}));

    InputOptions r;
    r.resizeWidth = 3;
    r.resizeHeight = 2;
    const InputTransform resize(r, {1, 4, 6}, true);
    QCOMPARE(resize.output().width, 3);
    QCOMPARE(resize.output().height, 2);
    std::vector<float> small(6);
    resize.image(pixels.data(), resize.draw(0, 1, 1), small.data());
    // Area averaging of 2×2 blocks: (0 + 1 + 10 + 11) / 4 = 5.5, rounded by OpenCV to 6.
    QCOMPARE(std::lround(small[0] * 255), 6L);
    // A map follows with the nearest neighbour: only values the map holds.
    std::vector<std::uint8_t> map(6);
    resize.map(pixels.data(), 1, c10::ScalarType::Byte, {TargetGeometry::Kind::Map},
               resize.draw(0, 1, 1), map.data());
    for (const std::uint8_t v : map)
        QVERIFY2(std::find(pixels.begin(), pixels.end(), v) != pixels.end(), "a new label value");
}

void TestPipeline::flipMirrorsImageAndMaps()
{
    InputOptions o;
    o.crop = "random";
    o.cropWidth = 4;
    o.cropHeight = 3;
    o.hflip = true;
    const InputTransform transform(o, {1, 4, 6}, true);
    const auto pixels = ramp(6, 4);
    int flipped = 0, moved = 0;
    for (std::int64_t id = 0; id < 64; ++id) {
        const SampleDraw draw = transform.draw(5, 1, id);
        flipped += draw.flip;
        moved += draw.cropX != 1 || draw.cropY != 0;
        QVERIFY(draw.cropX >= 0 && draw.cropX <= 2 && draw.cropY >= 0 && draw.cropY <= 1);
        std::vector<float> image(12);
        std::vector<std::uint8_t> map(12);
        transform.image(pixels.data(), draw, image.data());
        transform.map(pixels.data(), 1, c10::ScalarType::Byte, {TargetGeometry::Kind::Map}, draw,
                      map.data());
        for (int y = 0; y < 3; ++y)
            for (int x = 0; x < 4; ++x) {
                const int sx = draw.flip ? draw.cropX + 3 - x : draw.cropX + x;
                const int expected = 10 * (draw.cropY + y) + sx;
                QCOMPARE(std::lround(image[y * 4 + x] * 255), long(expected));
                QCOMPARE(int(map[y * 4 + x]), expected); // the map sits under the same pixels
            }
    }
    // Half flipped, give or take; crops of every offset.
    QVERIFY2(flipped > 16 && flipped < 48, qPrintable(QString::number(flipped)));
    QVERIFY(moved > 32);
}

void TestPipeline::normalsChangeSignWhenMirrored()
{
    InputOptions o;
    o.hflip = true;
    const InputTransform transform(o, {1, 1, 2}, true);
    // Two pixels of bytes holding (n + 1)·127.5: x = 200 labelled, then an unlabelled (0, 0, 0).
    const std::vector<std::uint8_t> normals{200, 0, 30, 0, 128, 0};
    SampleDraw draw;
    draw.flip = true;
    std::vector<std::uint8_t> out(6);
    transform.map(normals.data(), 3, c10::ScalarType::Byte, {TargetGeometry::Kind::Normals, 255.0},
                  draw, out.data());
    // Mirrored: the unlabelled pixel comes first and stays 0; the other's x is 255 − 200.
    QCOMPARE(out, (std::vector<std::uint8_t>{0, 55, 0, 30, 0, 128}));
    const std::vector<float> floats{0.5f, 0.f, 0.1f, 0.f, 0.8f, 0.f};
    std::vector<float> flippedFloats(6);
    transform.map(floats.data(), 3, c10::ScalarType::Float, {TargetGeometry::Kind::Normals, 0.0},
                  draw, flippedFloats.data());
    QCOMPARE(flippedFloats, (std::vector<float>{0.f, -0.5f, 0.f, 0.1f, 0.f, 0.8f}));
}

void TestPipeline::drawsFromSeedEpochAndIdOnly()
{
    const InputTransform training(augmenting(), {3, 8, 8}, true);
    const auto same = [](const SampleDraw &a, const SampleDraw &b) {
        return a.cropX == b.cropX && a.cropY == b.cropY && a.flip == b.flip &&
               a.brightness == b.brightness;
    };
    QVERIFY(same(training.draw(3, 2, 17), training.draw(3, 2, 17)));
    int differ = 0;
    for (std::int64_t id = 0; id < 32; ++id)
        differ += !same(training.draw(3, 2, id), training.draw(3, 3, id));
    QVERIFY2(differ > 24, "another epoch draws other transforms");
    for (std::int64_t id = 0; id < 32; ++id) {
        const float b = training.draw(3, 2, id).brightness;
        QVERIFY(b >= 0.7f && b <= 1.3f);
    }
    // Evaluation: the centre crop, nothing random.
    const InputTransform evaluation(augmenting(), {3, 8, 8}, false);
    for (std::int64_t id = 0; id < 8; ++id) {
        const SampleDraw d = evaluation.draw(3, 2, id);
        QVERIFY(d.cropX == 1 && d.cropY == 1 && !d.flip && d.brightness == 1.0f);
    }
}

void TestPipeline::normalisationAndJitter()
{
    InputOptions o;
    o.normalize = "custom";
    o.mean = {0.5};
    o.std = {0.25};
    const InputTransform normalised(o, {1, 1, 2}, false);
    const std::vector<std::uint8_t> pixels{0, 255};
    std::vector<float> out(2);
    normalised.image(pixels.data(), normalised.draw(0, 0, 0), out.data());
    QCOMPARE(out[0], -2.0f);
    QCOMPARE(out[1], 2.0f);
    // Brightness scales and clamps at 255; the reconstruction target is the jittered pixels.
    InputOptions b;
    b.brightness = 0.5;
    const InputTransform bright(b, {1, 1, 2}, true);
    SampleDraw draw;
    draw.brightness = 1.5f;
    const std::vector<std::uint8_t> grey{100, 200};
    std::vector<std::uint8_t> target(2);
    bright.image(grey.data(), draw, out.data(), target.data());
    QCOMPARE(target, (std::vector<std::uint8_t>{150, 255}));
    QCOMPARE(out[0], 150 / 255.0f);
    // Saturation 0 turns colour grey: every channel the pixel's luma.
    InputOptions s;
    s.saturation = 1.0;
    const InputTransform saturation(s, {3, 1, 1}, true);
    draw = {};
    draw.saturation = 0.0f;
    const std::vector<std::uint8_t> red{255, 0, 0};
    std::vector<float> rgb(3);
    saturation.image(red.data(), draw, rgb.data());
    QVERIFY(std::abs(rgb[0] - 0.299f) < 1e-4f && std::abs(rgb[1] - 0.299f) < 1e-4f &&
            std::abs(rgb[2] - 0.299f) < 1e-4f);
}

void TestPipeline::badOptions_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<int>("channels");
    QTest::addColumn<QString>("expected");
    QTest::newRow("crop larger")
        << u"crop"_qs << 1 << u"input.crop_size: a crop of 9×9 does not fit the 8×8 images"_qs;
    QTest::newRow("crop after resize")
        << u"crop-resized"_qs << 1
        << u"input.crop_size: a crop of 9×9 does not fit the 4×4 images after the resize"_qs;
    QTest::newRow("mean of 1 for 3")
        << u"mean"_qs << 3
        << u"input.mean: needs one mean and one std per channel: the images have 3 channels"_qs;
    QTest::newRow("no statistics")
        << u"dataset"_qs << 1
        << u"input.normalize: needs one mean and one std per channel: the images have 1 channel; this dataset has no statistics (import it again)"_qs;
    QTest::newRow("saturation of grey")
        << u"saturation"_qs << 1
        << u"input.saturation: needs colour images; these have 1 channel"_qs;
}

void TestPipeline::badOptions()
{
    QFETCH(QString, change);
    QFETCH(int, channels);
    QFETCH(QString, expected);
    InputOptions o;
    if (change.startsWith(QStringLiteral("crop"))) {
        o.crop = "center";
        o.cropWidth = o.cropHeight = 9;
        if (change == QStringLiteral("crop-resized"))
            o.resizeWidth = o.resizeHeight = 4;
    } else if (change == QStringLiteral("mean")) {
        o.normalize = "custom";
        o.mean = {0.5};
        o.std = {0.2};
    } else if (change == QStringLiteral("dataset")) {
        o.normalize = "dataset";
    } else {
        o.saturation = 0.2;
    }
    const std::string got = catchConfigKey([&] { InputTransform(o, {channels, 8, 8}, true); });
    QCOMPARE(QString::fromStdString(got), expected);
}

void TestPipeline::sameBatchesForAnyWorkerCount()
{
    const auto fixture = importFolders(37, 8, 8);
    const auto split = pipelineSplit(*fixture->project, fixture->dataset, 1 << 20);
    const auto make = [&](int workers, int prefetch) {
        return std::make_unique<data::PipelineBatchSource>(
            split, data::Selection::holdOutTrain(5), 6, true,
            InputTransform(augmenting(), {3, 8, 8}, true),
            data::PipelineThreads{workers, prefetch});
    };
    const auto one = make(1, 1), three = make(3, 2);
    QCOMPARE(one->batchesPerEpoch(), std::int64_t(6)); // 32 samples: 5 of 6, then 2
    for (int e = 1; e <= 2; ++e) {
        const auto a = epoch(*one, 9, e), b = epoch(*three, 9, e);
        compareBatches(a, b);
        QCOMPARE(a.front().images.sizes().vec(), (std::vector<std::int64_t>{6, 3, 5, 6}));
        QCOMPARE(a.back().size(), std::int64_t(2));
    }
    // The order is the in-memory source's: the same EpochOrder.
    data::EpochOrder order(37, data::Selection::holdOutTrain(5));
    const auto positions = order.start(9, 1, 0, 1);
    const auto batches = epoch(*one, 9, 1);
    QCOMPARE(batches[0].sampleIds[0],
             split->labels->sampleIds[static_cast<std::size_t>(positions[0])]);
}

void TestPipeline::withoutTransformsEqualsMemorySource()
{
    const auto fixture = importFolders(20, 8, 8);
    const auto split = pipelineSplit(*fixture->project, fixture->dataset, 0);
    data::PipelineBatchSource pipeline(split, data::Selection::holdOutTrain(4), 5, true,
                                       InputTransform({}, {3, 8, 8}, true), {2, 3});
    auto memory = std::make_shared<data::MemorySplit>(
        data::loadSplit(*fixture->project, fixture->dataset, "train", {"class"}));
    memory->targets = split->labels->targets;
    data::MemoryBatchSource inMemory(memory, data::Selection::holdOutTrain(4), 5, true);
    for (int e = 1; e <= 2; ++e)
        compareBatches(epoch(pipeline, 4, e), epoch(inMemory, 4, e));
}

void TestPipeline::skipAndNewEpochDropStaleWork()
{
    const auto fixture = importFolders(30, 8, 8);
    const auto split = pipelineSplit(*fixture->project, fixture->dataset, 0);
    data::PipelineBatchSource source(split, data::Selection::all(), 4, false,
                                     InputTransform(augmenting(), {3, 8, 8}, true), {2, 4});
    const auto whole = epoch(source, 2, 1);
    QCOMPARE(whole.size(), std::size_t(8));
    source.startEpoch(2, 1);
    source.skip(3);
    auto fourth = source.next();
    QVERIFY(fourth);
    QCOMPARE(fourth->sampleIds, whole[3].sampleIds);
    QVERIFY(fourth->images.equal(whole[3].images));
    // A new epoch mid-way: nothing of the old one comes out.
    QVERIFY(source.next());
    source.startEpoch(2, 1);
    const auto again = epoch(source, 2, 1);
    compareBatches(again, whole);
    // Skipping past the end ends the epoch.
    source.startEpoch(2, 1);
    source.skip(100);
    QVERIFY(!source.next());
}

void TestPipeline::workerErrorReachesNext()
{
    const auto fixture = importFolders(12, 70, 66); // over 64 pixels: only referenced
    const auto split = pipelineSplit(*fixture->project, fixture->dataset, 0);
    QVERIFY(split->images->readsFiles());
    const QString victim = fixture->dir.path() + QStringLiteral("/img/even/000.png");
    QVERIFY(QFile::resize(victim, 20)); // cut short: the header survives, the pixels do not
    data::PipelineBatchSource source(split, data::Selection::all(), 4, false,
                                     InputTransform({}, {3, 66, 70}, false), {2, 4});
    source.startEpoch(0, 0);
    QString message;
    try {
        while (source.next()) {
        }
    } catch (const Error &e) {
        message = QString::fromStdString(e.what());
    }
    QVERIFY2(message.contains(victim), qPrintable(message));
    // Destroyed with work queued: joins without hanging (the test's timeout would say).
}

void TestPipeline::cacheServesLaterEpochs()
{
    data::DecodedCache small(10, 100, 350);
    QCOMPARE(small.capacity(), std::int64_t(3));
    std::vector<std::uint8_t> pixels(100, 7), out(100, 0);
    QVERIFY(!small.get(1, out.data()));
    small.put(1, pixels.data());
    small.put(5, pixels.data()); // no room at position 5
    QVERIFY(small.get(1, out.data()));
    QCOMPARE(out, pixels);
    QVERIFY(!small.get(5, out.data()));

    const auto fixture = importFolders(10, 70, 66);
    for (const bool cached : {true, false}) {
        const auto split =
            pipelineSplit(*fixture->project, fixture->dataset, cached ? std::size_t(64) << 20 : 0);
        data::PipelineBatchSource source(split, data::Selection::all(), 5, false,
                                         InputTransform({}, {3, 66, 70}, false), {1, 2});
        const auto first = epoch(source, 0, 0);
        const QString moved = fixture->dir.path() + QStringLiteral("/moved");
        QVERIFY(QDir().rename(fixture->dir.path() + QStringLiteral("/img"), moved));
        if (cached) {
            compareBatches(epoch(source, 0, 0), first); // every image from memory
        } else {
            QVERIFY_THROWS_EXCEPTION(Error, epoch(source, 0, 0));
        }
        QVERIFY(QDir().rename(moved, fixture->dir.path() + QStringLiteral("/img")));
    }
}

void TestPipeline::importStoresStatistics()
{
    const auto fixture = importFolders(9, 4, 3);
    const store::DatasetInfo &d = fixture->dataset;
    QCOMPARE(d.statsImages, std::int64_t(9));
    // Red is (i + x) over i = 0..8 and x = 0..3: mean 5.5 / 255.
    QCOMPARE(d.pixelMean.size(), std::size_t(3));
    QVERIFY(std::abs(d.pixelMean[0] - 5.5 / 255.0) < 1e-9);
    QVERIFY(std::abs(d.pixelMean[2] - 12.0 / 255.0) < 1e-9); // 3i: mean 12
    const store::PixelStats recomputed = data::pixelStatistics(*fixture->project, d, "train");
    QCOMPARE(recomputed.std, d.pixelStd);
    // Five even, four odd samples.
    const auto counts = fixture->project->datasets().labelCounts(d.id);
    QCOMPARE(counts.size(), std::size_t(2));
    QCOMPARE(counts[0].split, std::string("train"));
    QCOMPARE(counts[0].value, 0);
    QCOMPARE(counts[0].count, std::int64_t(5));
    QCOMPARE(counts[1].count, std::int64_t(4));
}

void TestPipeline::trainsThroughThePipeline()
{
    const auto fixture = importFolders(40, 12, 12);
    fixture->project.reset();
    const QString config = QStringLiteral(R"({
  "name": "piped", "dataset": "files",
  "tasks": [{"name": "parity", "type": "classification", "label": "class"}],
  "model": {"backbone": "small_cnn", "sharing": "hard"},
  "optimizer": {"name": "adam", "lr": 0.01},
  "train": {"epochs": 2, "batch_size": 8, "val_fraction": 0.2, "seed": 3, "threads": 1,
            "device": "cpu"},
  "input": {"crop": "random", "crop_size": [10, 10], "hflip": true, "brightness": 0.2,
            "normalize": "dataset", "workers": 2}
})");
    const auto run = [&] {
        return train::Trainer(fixture->path, train::parseExperiment(config.toStdString())).run();
    };
    const train::RunResult first = run();
    QCOMPARE(first.status, store::RunStatus::Completed);
    QCOMPARE(first.error, std::string());
    QCOMPARE(first.steps, std::int64_t(8)); // 32 training samples, batches of 8, 2 epochs
    // The same seed trains the same model: the augmentation does not depend on the threads.
    const train::RunResult second = run();
    QCOMPARE(second.metrics.at("parity").at("loss"), first.metrics.at("parity").at("loss"));
    // A crop that does not fit is bad input before a run starts.
    QString tooLarge = config;
    tooLarge.replace(QStringLiteral("[10, 10]"), QStringLiteral("[13, 10]"));
    const std::string error = catchConfigKey([&] {
        train::Trainer(fixture->path, train::parseExperiment(tooLarge.toStdString())).prepare();
    });
    QVERIFY2(error.rfind("input.crop_size: a crop of 13×10 does not fit the 12×12 images", 0) == 0,
             error.c_str());
}

QTEST_GUILESS_MAIN(TestPipeline)
#include "tst_pipeline.moc"
