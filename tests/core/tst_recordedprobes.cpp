// What probes record besides numbers, read back from the project file: predictions per sample
// (class and attribute probabilities of every test sample, the dense maps of the probe
// samples), the run's probe samples (chosen once, by seed) and MTAN attention masks as 8-bit
// PNGs per task, stage and epoch — decoded here by Qt, an independent PNG reader; and the
// float16 and PNG encoders they are stored with.

#include "common/half.h"
#include "common/png.h"
#include "data/idximporter.h"
#include "data/importer.h"
#include "experiment/config.h"
#include "resources/embedded.h"
#include "store/datasetstore.h"
#include "report/predictedlabels.h"
#include "store/project.h"
#include "store/runstore.h"
#include "train/catalog.h"
#include "train/trainer.h"

#include "fixtures.h"

#include <QDir>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

using namespace mtl;
using namespace mtl::test;

namespace {

QImage decoded(const std::string &png)
{
    return QImage::fromData(reinterpret_cast<const uchar *>(png.data()),
                            static_cast<int>(png.size()), "PNG");
}

} // namespace

class TestRecordedProbes : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void halfRoundTrips_data();
    void halfRoundTrips();
    void everyHalfSurvives();
    void pngDecodes();
    void mtanRunRecordsPredictionsAndMasks();
    void everyEpochAndResume();
    void denseTasksRecordProbeSampleMaps();
    void gradientConflict_data();
    void gradientConflict();
    void weightingState_data();
    void weightingState();

private:
    train::RunResult train(const std::vector<std::string> &overrides,
                           const std::string &base = {}) const;

    QTemporaryDir m_dir;
    QString m_project;
};

void TestRecordedProbes::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_project = m_dir.filePath(QStringLiteral("p.mtlproj"));
    const TinyDataset d = writeTinyDataset(m_dir.path(), 64, 32, true);
    importAnimals(m_project, "animals", d.train, &d.test);
}

train::RunResult TestRecordedProbes::train(const std::vector<std::string> &overrides,
                                           const std::string &base) const
{
    const std::string config = experiment::applyOverrides(
        base.empty()
            ? tinyConfig(QStringLiteral("animals"), QStringLiteral(R"({"epochs": 2, "batch_size": 8,
                                      "max_steps_per_epoch": 3, "val_fraction": 0.25,
                                      "seed": 5, "threads": 1, "device": "cpu"})"))
                  .toStdString()
            : base,
        overrides);
    train::Trainer trainer(str(m_project), train::parseExperiment(config));
    return trainer.run();
}

void TestRecordedProbes::halfRoundTrips_data()
{
    QTest::addColumn<float>("value");
    QTest::addColumn<int>("bits");
    QTest::addColumn<float>("back");
    QTest::newRow("zero") << 0.0f << 0x0000 << 0.0f;
    QTest::newRow("one") << 1.0f << 0x3C00 << 1.0f;
    QTest::newRow("minus 2.5") << -2.5f << 0xC100 << -2.5f;
    QTest::newRow("0.1 rounds") << 0.1f << 0x2E66 << 0.0999755859375f;
    QTest::newRow("largest") << 65504.0f << 0x7BFF << 65504.0f;
    QTest::newRow("overflow") << 70000.0f << 0x7C00 << std::numeric_limits<float>::infinity();
    QTest::newRow("subnormal") << 1e-5f << 0x00A8 << 1.0013580322265625e-05f;
    QTest::newRow("too small") << 1e-9f << 0x0000 << 0.0f;
    QTest::newRow("class 1999") << 1999.0f << 0x67CF << 1999.0f;
    // Ties go to the even mantissa: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10.
    QTest::newRow("tie to even") << 1.00048828125f << 0x3C00 << 1.0f;
}

void TestRecordedProbes::halfRoundTrips()
{
    QFETCH(float, value);
    QFETCH(int, bits);
    QFETCH(float, back);
    QCOMPARE(int(toHalf(value)), bits);
    QCOMPARE(fromHalf(toHalf(value)), back);
    QVERIFY(std::isnan(fromHalf(toHalf(std::nanf("")))));
}

void TestRecordedProbes::everyHalfSurvives()
{
    // Every half but NaN converts to float and back to itself.
    for (std::uint32_t h = 0; h <= 0xFFFF; ++h) {
        const auto half = static_cast<std::uint16_t>(h);
        if (std::isnan(fromHalf(half)))
            continue;
        QVERIFY2(toHalf(fromHalf(half)) == half, qPrintable(QString::number(h, 16)));
    }
}

void TestRecordedProbes::pngDecodes()
{
    std::vector<std::uint8_t> pixels(5 * 3);
    for (std::size_t i = 0; i < pixels.size(); ++i)
        pixels[i] = static_cast<std::uint8_t>(i * 17);
    const QImage image = decoded(encodeGrayPng(pixels.data(), 5, 3));
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), QSize(5, 3));
    QVERIFY(image.isGrayscale());
    for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 5; ++x)
            QCOMPARE(qGray(image.pixel(x, y)), int(pixels[std::size_t(y * 5 + x)]));
}

void TestRecordedProbes::mtanRunRecordsPredictionsAndMasks()
{
    const train::RunResult result =
        train({R"(model={"backbone": "small_cnn", "backbone_options": {"width": 4},
                         "sharing": "mtan"})",
               R"(probes=["predictions", "attention_masks"])", "train.probe_samples=8"});
    QVERIFY2(result.status == store::RunStatus::Completed, result.error.c_str());
    store::Project project(str(m_project), store::Project::OpenMode::ReadOnly);
    auto &runs = project.runs();

    // 8 probe samples of the test split (the final evaluation's), each once.
    const std::vector<store::ProbeSample> samples = runs.probeSamples(result.runId);
    QCOMPARE(samples.size(), std::size_t(8));
    std::set<std::int64_t> probeIds;
    for (const auto &s : samples) {
        QCOMPARE(qstr(s.split), QStringLiteral("test"));
        probeIds.insert(s.sampleId);
    }
    QCOMPARE(probeIds.size(), std::size_t(8));

    // Masks: each probe sample × task × stage × epoch, a PNG of the stage's resolution.
    const auto images = runs.probeImages(result.runId);
    QCOMPARE(images.size(), std::size_t(8 * 2 * 3 * 2)); // samples × tasks × stages × epochs
    std::map<std::string, QSize> sizes;
    for (const auto &image : images) {
        QVERIFY(probeIds.count(image.sampleId) == 1);
        QVERIFY(image.epoch == 1 || image.epoch == 2);
        const QImage png = decoded(image.png);
        QVERIFY2(!png.isNull() && png.isGrayscale(), image.name.c_str());
        const auto [it, fresh] = sizes.emplace(image.name, png.size());
        QCOMPARE(it->second, png.size()); // one resolution per stage
    }
    QCOMPARE(sizes.size(), std::size_t(3));
    QVERIFY(sizes.at("attention.stage0").width() > sizes.at("attention.stage2").width());
    const auto looksStage1 = runs.probeImages(result.runId, "looks", "attention.stage1");
    QCOMPARE(looksStage1.size(), std::size_t(8 * 2));
    // A mask is a sigmoid: the PNG is neither blank nor saturated everywhere.
    const QImage sample = decoded(looksStage1.front().png);
    int low = 255, high = 0;
    for (int y = 0; y < sample.height(); ++y)
        for (int x = 0; x < sample.width(); ++x) {
            low = std::min(low, qGray(sample.pixel(x, y)));
            high = std::max(high, qGray(sample.pixel(x, y)));
        }
    QVERIFY2(low > 0 && high < 255, qPrintable(QStringLiteral("%1 … %2").arg(low).arg(high)));

    // Predictions: every test sample, per task, read back by sample.
    const auto predictions = runs.predictions(result.runId, "test");
    QCOMPARE(predictions.size(), std::size_t(2));
    const store::PredictionRow &kind =
        predictions[0].task == "kind" ? predictions[0] : predictions[1];
    const store::PredictionRow &looks =
        predictions[0].task == "kind" ? predictions[1] : predictions[0];
    QCOMPARE(qstr(kind.kind), QStringLiteral("class_probabilities"));
    QCOMPARE(qstr(looks.kind), QStringLiteral("attribute_probabilities"));
    QCOMPARE(kind.sampleIds.size(), std::size_t(32));
    QCOMPARE(looks.shape, std::vector<std::int64_t>{2});
    QCOMPARE(kind.epoch, 2);
    for (const std::int64_t id : kind.sampleIds) {
        const std::vector<float> p = kind.of(id);
        QCOMPARE(std::int64_t(p.size()), kind.shape[0]);
        float sum = 0;
        for (const float v : p) {
            QVERIFY(v >= 0.0f && v <= 1.0f);
            sum += v;
        }
        QVERIFY2(std::abs(sum - 1.0f) < 5e-3f, qPrintable(QString::number(sum))); // float16
        for (const float v : looks.of(id))
            QVERIFY(v >= 0.0f && v <= 1.0f);
    }
    QVERIFY(kind.of(-7).empty());
    // The recorded probabilities give the recorded accuracy (ties in float16 aside).
    const store::DatasetInfo animals = *project.datasets().find("animals");
    const std::vector<std::int32_t> classes =
        project.datasets().labelsOf(animals.id, "test", animals.column("class")->id);
    std::map<std::int64_t, std::int32_t> labels; // sample id → class
    project.datasets().forEachImage(animals.id, "test", [&](const store::StoredImage &image) {
        labels[image.sampleId] = classes[static_cast<std::size_t>(image.index)];
    });
    int correct = 0;
    for (std::size_t i = 0; i < kind.sampleIds.size(); ++i) {
        const std::vector<float> p = kind.of(kind.sampleIds[i]);
        correct += std::max_element(p.begin(), p.end()) - p.begin() == labels.at(kind.sampleIds[i]);
    }
    QVERIFY2(std::abs(correct / 32.0 - result.metrics.at("kind").at("accuracy")) <= 1.0 / 32,
             qPrintable(QString::number(correct)));
    QVERIFY(runs.predictions(result.runId, "val").empty()); // final evaluation only

    // What the annotation browser compares: the arg-max class and each attribute ≥ 0.5, in
    // the dataset's columns (class; flies, mammal), with the probability of that value.
    const report::PredictedLabels predicted =
        report::predictedLabels(project, animals, result.runId);
    QCOMPARE(qstr(predicted.split), QStringLiteral("test"));
    const int flies = static_cast<int>(animals.column("flies") - animals.columns.data());
    const int mammal = static_cast<int>(animals.column("mammal") - animals.columns.data());
    const int klass = static_cast<int>(animals.column("class") - animals.columns.data());
    QCOMPARE(predicted.columns, (std::vector<int>{klass, flies, mammal}));
    QCOMPARE(predicted.samples.size(), std::size_t(32));
    for (const std::int64_t id : kind.sampleIds) {
        const auto &sample = predicted.samples.at(id);
        const std::vector<float> p = kind.of(id), a = looks.of(id);
        const auto best = std::max_element(p.begin(), p.end());
        QCOMPARE(sample.values[0], std::int32_t(best - p.begin()));
        QCOMPARE(sample.confidence[0], *best);
        for (std::size_t k = 0; k < 2; ++k) {
            QCOMPARE(sample.values[k + 1], std::int32_t(a[k] >= 0.5f));
            QCOMPARE(sample.confidence[k + 1], a[k] >= 0.5f ? a[k] : 1.0f - a[k]);
        }
    }
    const auto other = catchError([&] { report::predictedLabels(project, animals, 999); });
    QVERIFY(other);
    QVERIFY2(qstr(other->what()).contains(QStringLiteral("no run 999")), other->what());
}

void TestRecordedProbes::everyEpochAndResume()
{
    // every_epoch: each validation too; a run stopped after epoch 1 and resumed records each
    // epoch once, as an uninterrupted one does.
    const std::vector<std::string> overrides{R"(probes=[{"name": "predictions",
                                                 "options": {"every_epoch": true}}])"};
    const train::RunResult whole = train(overrides);
    QVERIFY2(whole.status == store::RunStatus::Completed, whole.error.c_str());
    const std::string config = experiment::applyOverrides(
        tinyConfig(QStringLiteral("animals"), QStringLiteral(R"({"epochs": 2, "batch_size": 8,
            "max_steps_per_epoch": 3, "val_fraction": 0.25, "seed": 5, "threads": 1,
            "device": "cpu"})"))
            .toStdString(),
        overrides);
    struct StopAfterFirst : train::TrainerListener {
        train::Trainer *trainer = nullptr;
        void evaluated(const train::EvaluationResult &r) override
        {
            if (r.split == "val")
                trainer->requestStopAfterEpoch();
        }
    } stopper;
    train::Trainer first(str(m_project), train::parseExperiment(config));
    stopper.trainer = &first;
    const train::RunResult stopped = first.run(&stopper);
    QCOMPARE(statusName(stopped.status), QStringLiteral("stopped"));
    train::TrainerOptions options;
    options.resumeRunId = stopped.runId;
    train::Trainer second(str(m_project), train::configForResume(str(m_project), stopped.runId),
                          options);
    const train::RunResult resumed = second.run();
    QVERIFY2(resumed.status == store::RunStatus::Completed, resumed.error.c_str());

    store::Project project(str(m_project), store::Project::OpenMode::ReadOnly);
    const auto epochsOf = [&](std::int64_t run, const std::string &split) {
        std::vector<int> epochs;
        for (const auto &row : project.runs().predictions(run, split, "kind"))
            epochs.push_back(row.epoch);
        return epochs;
    };
    QCOMPARE(epochsOf(whole.runId, "val"), (std::vector<int>{1, 2}));
    QCOMPARE(epochsOf(resumed.runId, "val"), (std::vector<int>{1, 2}));
    QCOMPARE(epochsOf(resumed.runId, "test"), (std::vector<int>{2}));
    const auto a = project.runs().predictions(whole.runId, "val", "kind");
    const auto b = project.runs().predictions(resumed.runId, "val", "kind");
    QCOMPARE(a[1].sampleIds, b[1].sampleIds); // the same hold-out, in the same order
    QCOMPARE(a[1].sampleIds.size(), std::size_t(16));
    QCOMPARE(project.runs().probeSamples(resumed.runId).size(),
             project.runs().probeSamples(whole.runId).size());
}

void TestRecordedProbes::denseTasksRecordProbeSampleMaps()
{
    // Fashion-scenes from generated IDX files; a tiny SegNet with MTAN; 4 probe samples.
    QTemporaryDir dir;
    writeIdxSplit(dir.path(), QStringLiteral("train"), 40, 10, 28, 28, true);
    writeIdxSplit(dir.path(), QStringLiteral("t10k"), 20, 10, 28, 28, true);
    const QString path = QDir(dir.path()).filePath(QStringLiteral("scenes.mtlproj"));
    {
        store::Project p(str(path), store::Project::OpenMode::CreateIfMissing);
        data::ImportRequest request;
        request.files = {{"dir", str(dir.path())}};
        request.count = 12;
        data::makeImporter("fashion-scenes")->run(p, request, {});
    }
    const std::string config = experiment::applyOverrides(
        std::string(resources::get("experiments/fscenes-segnet-mtan.json")),
        {R"(model.backbone_options={"width": 4, "blocks": 2})", "train.batch_size=4",
         "train.max_steps_per_epoch=2", "train.threads=1", "train.val_fraction=0.25",
         "train.probe_samples=4", R"(probes=["predictions"])"});
    train::Trainer trainer(str(path), train::parseExperiment(config));
    const train::RunResult result = trainer.run();
    QVERIFY2(result.status == store::RunStatus::Completed, result.error.c_str());
    store::Project project(str(path), store::Project::OpenMode::ReadOnly);
    const auto rows = project.runs().predictions(result.runId);
    std::map<std::string, store::PredictionRow> byTask;
    for (const auto &row : rows)
        byTask[row.task] = row;
    QCOMPARE(byTask.size(), std::size_t(3)); // the final evaluation's maps only
    const auto &semantic = byTask.at("semantic");
    QCOMPARE(qstr(semantic.kind), QStringLiteral("class_map"));
    // 12 scenes give the test split 2: fewer than train.probe_samples, so all of them.
    QCOMPARE(semantic.sampleIds.size(), std::size_t(2));
    QCOMPARE(semantic.shape.size(), std::size_t(3));
    QCOMPARE(semantic.shape[0], std::int64_t(1));
    for (const float v : semantic.values) // class indices, exact in float16
        QVERIFY(v >= 0 && v == std::round(v) && v < 11);
    const auto &normals = byTask.at("normals");
    QCOMPARE(normals.shape[0], std::int64_t(3));
    const auto pixel = normals.of(normals.sampleIds[0]);
    const std::size_t plane = pixel.size() / 3;
    const double length = std::sqrt(pixel[0] * pixel[0] + pixel[plane] * pixel[plane] +
                                    pixel[2 * plane] * pixel[2 * plane]);
    QVERIFY2(std::abs(length - 1.0) < 2e-3, qPrintable(QString::number(length))); // unit
    QCOMPARE(qstr(byTask.at("depth").kind), QStringLiteral("depth_map"));
    std::vector<std::int64_t> probeIds;
    for (const auto &s : project.runs().probeSamples(result.runId))
        probeIds.push_back(s.sampleId);
    QCOMPARE(semantic.sampleIds, probeIds);
}

void TestRecordedProbes::gradientConflict_data()
{
    QTest::addColumn<QString>("space");
    QTest::newRow("representation") << QStringLiteral("representation");
    QTest::newRow("parameters") << QStringLiteral("parameters");
}

void TestRecordedProbes::gradientConflict()
{
    QFETCH(QString, space);
    const std::string probe = R"(probes=[{"name": "gradient_conflict", "options": {"every": 2,
                                 "space": ")" +
                              str(space) + R"("}}])";
    const train::RunResult probed = train({probe});
    const train::RunResult plain = train({"probes=[]"});
    QVERIFY2(probed.status == store::RunStatus::Completed, probed.error.c_str());
    // Measuring takes gradients without touching the step's: the same run, the same numbers.
    QCOMPARE(probed.metrics.at("kind").at("loss"), plain.metrics.at("kind").at("loss"));
    store::Project project(str(m_project), store::Project::OpenMode::ReadOnly);
    std::map<std::pair<std::int64_t, std::string>, double> values; // (step, name) → value
    std::set<std::int64_t> steps;
    for (const auto &row : project.runs().metrics(probed.runId))
        if (row.split == "train" && row.task.empty() &&
            (row.name.rfind("grad_", 0) == 0 || row.name == "task_grad_norm") &&
            row.name != "grad_norm") {
            values[{row.step, row.name + "/" + row.attribute}] = row.value;
            steps.insert(row.step);
        }
    QCOMPARE(steps, (std::set<std::int64_t>{2, 4, 6})); // every 2 of 6 steps
    for (const std::int64_t step : steps) {
        const double a = values.at({step, "task_grad_norm/kind"});
        const double b = values.at({step, "task_grad_norm/looks"});
        const double c = values.at({step, "grad_cosine/kind|looks"});
        QVERIFY(a > 0 && b > 0 && c >= -1.0 - 1e-9 && c <= 1.0 + 1e-9);
        QVERIFY(std::abs(values.at({step, "grad_magnitude_similarity/kind|looks"}) -
                         2 * a * b / (a * a + b * b)) < 1e-9);
        // σ² of [gₐ; g_b] are the eigenvalues of its Gram matrix [[a², abc], [abc, b²]].
        const double root =
            std::sqrt((a * a - b * b) * (a * a - b * b) + 4 * a * a * b * b * c * c);
        const double condition = std::sqrt((a * a + b * b + root) / (a * a + b * b - root));
        QVERIFY2(std::abs(values.at({step, "grad_condition_number/"}) - condition) <
                     1e-6 * condition,
                 qPrintable(QString::number(values.at({step, "grad_condition_number/"}))));
    }
    // A model that shares nothing has nothing to measure.
    const train::RunResult independent =
        train({probe, R"(model={"backbone": "small_cnn", "backbone_options": {"width": 4},
                          "sharing": "independent"})"});
    QVERIFY2(independent.status == store::RunStatus::Completed, independent.error.c_str());
    for (const auto &row : project.runs().metrics(independent.runId))
        QVERIFY2(row.name != "grad_cosine", row.attribute.c_str());
}

void TestRecordedProbes::weightingState_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("metric");
    QTest::newRow("uncertainty") << QStringLiteral("uncertainty") << QStringLiteral("log_variance");
    QTest::newRow("gradnorm") << QStringLiteral("gradnorm") << QStringLiteral("gradnorm_weight");
    QTest::newRow("equal") << QStringLiteral("equal") << QString();
}

// What the method learned by the end of epoch 1 is what it weights epoch 2's first step with
// (3 steps per epoch): uncertainty's weight e^{−s_k}, GradNorm's w_k.
void TestRecordedProbes::weightingState()
{
    QFETCH(QString, method);
    QFETCH(QString, metric);
    const train::RunResult run =
        train({R"(probes=["task_weights", "weighting_state"])", "weighting.method=" + str(method)});
    QVERIFY2(run.status == store::RunStatus::Completed, run.error.c_str());
    store::Project project(str(m_project), store::Project::OpenMode::ReadOnly);
    std::map<std::pair<int, std::string>, double> learned; // (epoch, task) → value
    for (const auto &row : project.runs().metrics(run.runId))
        if (row.split == "train" && !metric.isEmpty() && row.name == str(metric)) {
            QVERIFY(row.attribute.empty());
            QCOMPARE(row.step, std::int64_t(row.epoch * 3));
            learned[{row.epoch, row.task}] = row.value;
        }
    if (metric.isEmpty()) { // equal learns nothing: no rows at all beyond the usual
        for (const auto &row : project.runs().metrics(run.runId))
            QVERIFY2(row.name != "log_variance" && row.name != "gradnorm_weight", row.name.c_str());
        return;
    }
    QCOMPARE(learned.size(), std::size_t(4)); // 2 epochs × kind, looks
    std::map<std::string, double> stepFour;
    for (const auto &row : project.runs().taskWeights(run.runId))
        if (row.step == 4)
            stepFour[row.task] = row.weight;
    QCOMPARE(stepFour.size(), std::size_t(2));
    double sum = 0.0;
    for (const std::string task : {"kind", "looks"}) {
        const double value = learned.at({1, task});
        const double weight = method == QLatin1String("uncertainty") ? std::exp(-value) : value;
        QVERIFY2(std::abs(weight - stepFour.at(task)) < 1e-6 * stepFour.at(task),
                 qPrintable(QStringLiteral("%1: %2 vs %3")
                                .arg(QString::fromStdString(task))
                                .arg(weight, 0, 'g', 9)
                                .arg(stepFour.at(task), 0, 'g', 9)));
        QVERIFY(learned.at({2, task}) != value); // it keeps learning
        sum += learned.at({2, task});
    }
    if (method == QLatin1String("gradnorm"))
        QVERIFY(std::abs(sum - 2.0) < 1e-9); // renormalised to the number of tasks
}

QTEST_GUILESS_MAIN(TestRecordedProbes)
#include "tst_recordedprobes.moc"
