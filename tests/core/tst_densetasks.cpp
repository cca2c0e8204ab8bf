// The dense task types on maps small enough to work out by hand: segmentation's confusion
// (pixel accuracy, IoU per class, mIoU, 255 ignored), depth's masked errors (stored 0 is no
// label; uint16 millimetres above 32.767 m survive their int16 bits), normals' angles, and
// reconstruction. Meters of split batches merge to the meter of all; fit() learns the
// baselines and the heads' priors; a task naming the wrong kind of column is refused at its key.

#include "common/error.h"
#include "experiment/config.h"
#include "store/records.h"
#include "train/consistency.h"
#include "train/task.h"

#include <torch/nn/functional/loss.h>
#include <torch/types.h>

#include <QTest>

#include <algorithm>

#include <cmath>

using namespace mtl;
using nlohmann::json;

Q_DECLARE_METATYPE(torch::Tensor)

namespace {

constexpr double kPi = 3.14159265358979323846;

store::DatasetInfo dataset()
{
    store::DatasetInfo d;
    d.name = "scenes";
    d.width = 2;
    d.height = 2;
    d.channels = 1;
    d.columns.push_back({1, "count", store::ColumnKind::Categorical, {"2", "3"}});
    store::MapColumn semantic;
    semantic.id = 1;
    semantic.name = "semantic";
    semantic.categories = {"background", "shirt", "bag"};
    store::MapColumn depth;
    depth.id = 2;
    depth.name = "depth";
    depth.kind = store::MapKind::Depth;
    depth.type = store::MapType::UInt16;
    depth.scale = 0.001;
    store::MapColumn normals;
    normals.id = 3;
    normals.name = "normals";
    normals.kind = store::MapKind::Normals;
    normals.channels = 3;
    normals.scale = 2.0 / 255.0;
    normals.offset = -1.0;
    d.maps = {semantic, depth, normals};
    return d;
}

std::unique_ptr<train::Task> task(const std::string &type, const std::string &label,
                                  const json &options = json::object())
{
    experiment::TaskConfig config;
    config.name = "t";
    config.type = type;
    config.label = label;
    config.options = options;
    return train::makeTask(config, dataset(), "tasks[0]");
}

std::map<std::string, double> taskValues(const train::TaskMeter &meter)
{
    std::map<std::string, double> values;
    for (const train::MetricValue &v : meter.values())
        if (v.attribute.empty())
            values[v.name] = v.value;
    return values;
}

// One-hot logits [1, K, 2, 2] picking `classes` (row-major) with margin 2.
torch::Tensor logitsFor(const std::vector<int> &classes, int k)
{
    torch::Tensor logits = torch::zeros({1, k, 2, 2});
    for (int i = 0; i < 4; ++i)
        logits[0][classes[static_cast<std::size_t>(i)]][i / 2][i % 2] = 2.0;
    return logits;
}

} // namespace

class TestDenseTasks : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void segmentationScoresItsConfusion();
    void depthMasksAndDecodes();
    void depthLosses_data();
    void depthLosses();
    void normalsAngles();
    void reconstruction();
    void metersMergeExactly();
    void fitLearnsBaselinesAndPriors();
    void wrongColumnsNameTheirKey_data();
    void wrongColumnsNameTheirKey();
    void transferAgreements_data();
    void transferAgreements();
    void foldTransfersMixesTheLosses();
};

void TestDenseTasks::segmentationScoresItsConfusion()
{
    const auto seg = task("segmentation", "semantic");
    QCOMPARE(seg->head().kind, model::HeadSpec::Kind::Dense);
    QCOMPARE(seg->head().channels, std::int64_t(3));
    // Truth 0 1 / 2 255 (255: no label), predicted 0 1 / 1 0.
    const torch::Tensor target = torch::tensor({0, 1, 2, 255}, torch::kUInt8).view({1, 1, 2, 2});
    const torch::Tensor logits = logitsFor({0, 1, 1, 0}, 3);
    const double loss = seg->loss(logits, target).item<double>();
    // Two pixels right (−log softmax of a margin-2 one-hot), one wrong by the same margin.
    const double right = -std::log(std::exp(2.0) / (std::exp(2.0) + 2.0));
    const double wrong = -std::log(1.0 / (std::exp(2.0) + 2.0));
    QVERIFY(std::abs(loss - (2 * right + wrong) / 3) < 1e-6);
    auto meter = seg->makeMeter();
    meter->add(logits, target, loss);
    const auto values = taskValues(*meter);
    QVERIFY(std::abs(values.at("pixel_accuracy") - 2.0 / 3) < 1e-12);
    // IoU: background 1/1, shirt 1/2 (bag's pixel predicted as shirt), bag 0/1.
    QVERIFY(std::abs(values.at("miou") - 0.5) < 1e-12);
    std::map<std::string, double> iou;
    for (const train::MetricValue &v : meter->values())
        if (v.name == "iou")
            iou[v.attribute] = v.value;
    QCOMPARE(iou,
             (std::map<std::string, double>{{"background", 1.0}, {"shirt", 0.5}, {"bag", 0.0}}));
}

void TestDenseTasks::depthMasksAndDecodes()
{
    const auto depth = task("depth", "depth");
    QCOMPARE(depth->head().channels, std::int64_t(1));
    // Stored millimetres 1000, 0 (no label), 2000, 40000 — as the int16 bits memory holds.
    const torch::Tensor target =
        torch::tensor({1000, 0, 2000, 40000 - 65536}, torch::kInt16).view({1, 1, 2, 2});
    const torch::Tensor predicted = torch::tensor({1.5, 9.0, 2.0, 40.0}).view({1, 1, 2, 2});
    const double loss = depth->loss(predicted, target).item<double>();
    QVERIFY(std::abs(loss - 0.5 / 3) < 1e-6);
    auto meter = depth->makeMeter();
    meter->add(predicted, target, loss);
    const auto values = taskValues(*meter);
    QVERIFY(std::abs(values.at("abs_err") - 0.5 / 3) < 1e-6);
    QVERIFY(std::abs(values.at("rel_err") - 0.5 / 3) < 1e-6);
    QVERIFY(std::abs(values.at("rmse") - std::sqrt(0.25 / 3)) < 1e-6);
    QVERIFY(std::abs(values.at("delta1") - 2.0 / 3) < 1e-12); // 1.5 is off by more than 1.25
}

void TestDenseTasks::depthLosses_data()
{
    QTest::addColumn<QString>("loss");
    QTest::addColumn<double>("expected");
    // Depths 1, 2, 4 predicted as 2, 2, 2 (a fourth pixel unlabelled).
    const double l1 = std::log(2.0), l3 = std::log(0.5);
    QTest::newRow("l1") << QStringLiteral("l1") << (1.0 + 0.0 + 2.0) / 3;
    QTest::newRow("mse") << QStringLiteral("mse") << (1.0 + 0.0 + 4.0) / 3;
    QTest::newRow("log_l1") << QStringLiteral("log_l1") << (std::abs(l1) + std::abs(l3)) / 3;
    const double mean = (l1 + l3) / 3;
    QTest::newRow("scale_invariant")
        << QStringLiteral("scale_invariant") << (l1 * l1 + l3 * l3) / 3 - 0.5 * mean * mean;
}

void TestDenseTasks::depthLosses()
{
    QFETCH(QString, loss);
    QFETCH(double, expected);
    const auto depth = task("depth", "depth", {{"loss", loss.toStdString()}});
    const torch::Tensor target =
        torch::tensor({1000, 2000, 4000, 0}, torch::kInt16).view({1, 1, 2, 2});
    const torch::Tensor predicted = torch::full({1, 1, 2, 2}, 2.0);
    QVERIFY2(std::abs(depth->loss(predicted, target).item<double>() - expected) < 1e-6,
             qPrintable(loss));
}

void TestDenseTasks::normalsAngles()
{
    const auto normals = task("normals", "normals");
    QCOMPARE(normals->head().channels, std::int64_t(3));
    // Stored bytes: pixel 0 and 1 face the camera ((128, 128, 255) ≈ (0.004, 0.004, 1)),
    // pixel 2 faces +x ((255, 128, 128)), pixel 3 has no label (0, 0, 0).
    const torch::Tensor target =
        torch::tensor({128, 128, 255, 0, 128, 128, 128, 0, 255, 255, 128, 0}, torch::kUInt8)
            .view({1, 3, 2, 2});
    const torch::Tensor predicted =
        torch::tensor({0.0, 1.0, 1.0, 5.0, 0.0, 0.0, 0.0, 5.0, 2.0, 0.0, 0.0, 5.0})
            .view({1, 3, 2, 2}); // (0,0,2) (1,0,0) (1,0,0) and anything for the unlabelled
    const auto angleTo = [](double px, double py, double pz, double tx, double ty, double tz) {
        const double t = std::sqrt(tx * tx + ty * ty + tz * tz);
        const double p = std::sqrt(px * px + py * py + pz * pz);
        return (px * tx + py * ty + pz * tz) / (t * p);
    };
    const double v = 128 * 2.0 / 255.0 - 1.0;
    const double c0 = angleTo(0, 0, 2, v, v, 1), c1 = angleTo(1, 0, 0, v, v, 1),
                 c2 = angleTo(1, 0, 0, 1, v, v);
    const double loss = normals->loss(predicted, target).item<double>();
    QVERIFY(std::abs(loss - ((1 - c0) + (1 - c1) + (1 - c2)) / 3) < 1e-5);
    auto meter = normals->makeMeter();
    meter->add(predicted, target, loss);
    const auto values = taskValues(*meter);
    const double degrees = 180.0 / kPi;
    const double mean = (std::acos(c0) + std::acos(c1) + std::acos(c2)) * degrees / 3;
    QVERIFY2(std::abs(values.at("angle_err") - mean) < 1e-3,
             qPrintable(QString::number(values.at("angle_err"))));
    QVERIFY(std::abs(values.at("within_11.25") - 2.0 / 3) < 1e-12); // pixels 0 and 2
    QVERIFY(std::abs(values.at("within_30") - 2.0 / 3) < 1e-12);
    // The median of three angles is the middle one; the histogram gives it to within a bin.
    std::vector<double> sorted{std::acos(c0) * degrees, std::acos(c1) * degrees,
                               std::acos(c2) * degrees};
    std::sort(sorted.begin(), sorted.end());
    QVERIFY2(std::abs(values.at("median_angle_err") - sorted[1]) <= 0.05,
             qPrintable(QString::number(values.at("median_angle_err")) + QStringLiteral(" vs ") +
                        QString::number(sorted[1])));
}

void TestDenseTasks::reconstruction()
{
    experiment::TaskConfig config;
    config.name = "image";
    config.type = "reconstruction";
    const auto rec = train::makeTask(config, dataset(), "tasks[0]");
    QVERIFY(rec->columns().empty());
    QCOMPARE(rec->head().channels, std::int64_t(1));
    const torch::Tensor images = torch::tensor({0, 51, 102, 255}, torch::kUInt8).view({1, 1, 2, 2});
    const train::ColumnValues columns;
    const std::map<std::string, at::Tensor> maps;
    const torch::Tensor target = rec->targets({columns, maps, images});
    QVERIFY(target.equal(images));
    const torch::Tensor exact = images.to(torch::kFloat32) / 255.0;
    QVERIFY(rec->loss(exact, target).item<double>() < 1e-7);
    const torch::Tensor off = exact + 0.1;
    QVERIFY(std::abs(rec->loss(off, target).item<double>() - 0.1) < 1e-6);
    auto meter = rec->makeMeter();
    meter->add(off, target, 0.1);
    const auto values = taskValues(*meter);
    QVERIFY(std::abs(values.at("l1") - 0.1) < 1e-6);
    QVERIFY(std::abs(values.at("psnr") - 20.0) < 1e-4); // 10·log10(1 / 0.01)
}

void TestDenseTasks::metersMergeExactly()
{
    torch::manual_seed(3);
    for (const auto &[type, label] :
         {std::pair<std::string, std::string>{"segmentation", "semantic"},
          {"depth", "depth"},
          {"normals", "normals"}}) {
        const auto t = task(type, label);
        const std::int64_t channels = t->head().channels;
        torch::Tensor target;
        if (type == "segmentation")
            target = torch::randint(0, 3, {4, 1, 2, 2}).to(torch::kUInt8);
        else if (type == "depth")
            target = torch::randint(0, 5000, {4, 1, 2, 2}).to(torch::kInt16);
        else
            target = torch::randint(0, 256, {4, 3, 2, 2}).to(torch::kUInt8);
        const torch::Tensor output = torch::rand({4, channels, 2, 2}) * 5;
        auto all = t->makeMeter(), first = t->makeMeter(), second = t->makeMeter();
        all->add(output, target, 0.5);
        first->add(output.slice(0, 0, 1), target.slice(0, 0, 1), 0.5);
        second->add(output.slice(0, 1), target.slice(0, 1), 0.5);
        first->merge(second->state());
        const auto merged = taskValues(*first), whole = taskValues(*all);
        QCOMPARE(merged.size(), whole.size());
        for (const auto &[name, value] : whole)
            QVERIFY2(std::abs(merged.at(name) - value) < 1e-9, (type + " " + name).c_str());
        QVERIFY_THROWS_EXCEPTION(Error, first->merge({1.0}));
    }
}

void TestDenseTasks::fitLearnsBaselinesAndPriors()
{
    const auto seg = task("segmentation", "semantic");
    // 5 labelled pixels of background, 2 of shirt; 255 not counted.
    seg->fit(torch::tensor({0, 0, 0, 1, 0, 0, 1, 255}, torch::kUInt8).view({2, 1, 2, 2}));
    QVERIFY2(seg->fitted().find("7 of 8 pixels labelled") != std::string::npos,
             seg->fitted().c_str());
    QVERIFY2(seg->fitted().find("majority class background (predicting it: pixel accuracy "
                                "71.4%, mIoU 35.7%)") != std::string::npos,
             seg->fitted().c_str());
    QVERIFY(seg->outputPrior().empty());

    // Median frequency balancing: image 0 is 0 0 0 1, image 1 is 0 0 2 2. freq = pixels of a
    // class / pixels of the images it is in: 5/8, 1/4, 2/4; median 1/2; weights 0.8, 2, 1.
    const auto balanced = task("segmentation", "semantic", {{"class_weights", "median_frequency"}});
    const torch::Tensor maps =
        torch::tensor({0, 0, 0, 1, 0, 0, 2, 2}, torch::kUInt8).view({2, 1, 2, 2});
    balanced->fit(maps);
    QVERIFY2(balanced->fitted().find("class weights background 0.80, shirt 2.00, bag 1.00") !=
                 std::string::npos,
             balanced->fitted().c_str());
    // The weighted mean: Σ w·ce / Σ w over the pixels, here with every pixel predicted as 0.
    const torch::Tensor logits = torch::zeros({2, 3, 2, 2}).index_fill_(1, torch::tensor({0}), 2.0);
    const double right = -std::log(std::exp(2.0) / (std::exp(2.0) + 2.0));
    const double wrong = -std::log(1.0 / (std::exp(2.0) + 2.0));
    const double expected =
        (5 * 0.8 * right + 1 * 2.0 * wrong + 2 * 1.0 * wrong) / (5 * 0.8 + 2.0 + 2.0);
    QVERIFY(std::abs(balanced->loss(logits, maps).item<double>() - expected) < 1e-5);

    const auto depth = task("depth", "depth");
    depth->fit(torch::tensor({1000, 2000, 0, 3000}, torch::kInt16).view({1, 1, 2, 2}));
    QCOMPARE(depth->outputPrior().size(), std::size_t(1));
    QVERIFY(std::abs(depth->outputPrior()[0] - 2.0) < 1e-6);
    QVERIFY2(depth->fitted().find("mean depth 2.000 (predicting it: abs err 0.667") !=
                 std::string::npos,
             depth->fitted().c_str());

    const auto normals = task("normals", "normals");
    // Every labelled pixel faces +z: the prior is that direction, the baseline error ~0.
    normals->fit(
        torch::tensor({128, 128, 128, 0, 128, 128, 128, 0, 255, 255, 255, 0}, torch::kUInt8)
            .view({1, 3, 2, 2}));
    const std::vector<double> prior = normals->outputPrior();
    QCOMPARE(prior.size(), std::size_t(3));
    QVERIFY(std::abs(std::sqrt(prior[0] * prior[0] + prior[1] * prior[1] + prior[2] * prior[2]) -
                     1.0) < 1e-6);
    QVERIFY(prior[2] > 0.99);
    QVERIFY2(normals->fitted().find("angle err 0.0°") != std::string::npos,
             normals->fitted().c_str());
}

void TestDenseTasks::wrongColumnsNameTheirKey_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("label");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("segmentation of a label column")
        << QStringLiteral("segmentation") << QStringLiteral("count")
        << QStringLiteral(
               "'count' is a label column; a segmentation task reads a segmentation map");
    QTest::newRow("depth of a segmentation map")
        << QStringLiteral("depth") << QStringLiteral("semantic")
        << QStringLiteral("map 'semantic' holds segmentation; a depth task needs a depth map");
    QTest::newRow("normals of a missing map")
        << QStringLiteral("normals") << QStringLiteral("surface")
        << QStringLiteral("map 'surface' is not in dataset 'scenes' (columns: count (categorical), "
                          "semantic (segmentation map), depth (depth map), normals (normals map))");
    QTest::newRow("classification of a map")
        << QStringLiteral("classification") << QStringLiteral("depth")
        << QStringLiteral("'depth' is a depth map; a depth task reads it");
}

void TestDenseTasks::wrongColumnsNameTheirKey()
{
    QFETCH(QString, type);
    QFETCH(QString, label);
    QFETCH(QString, fragment);
    try {
        task(type.toStdString(), label.toStdString());
        QFAIL("made");
    } catch (const Error &e) {
        QCOMPARE(e.code(), ErrorCode::Config);
        QCOMPARE(e.where().key, std::string("tasks[0].label"));
        QVERIFY2(QString::fromStdString(e.message()).contains(fragment), e.what());
    }
}

void TestDenseTasks::transferAgreements_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<torch::Tensor>("output");
    QTest::addColumn<torch::Tensor>("reference");
    QTest::addColumn<double>("expected");
    const double e2 = std::exp(2.0);
    // Three pixels agree, one predicts class 2 where the reference's arg-max is 1.
    QTest::newRow("cross") << QStringLiteral("cross") << logitsFor({0, 1, 2, 0}, 3)
                           << logitsFor({0, 1, 1, 0}, 3)
                           << (3 * std::log(1 + 2 / e2) + std::log(e2 + 2)) / 4;
    QTest::newRow("kl, equal") << QStringLiteral("kl") << logitsFor({0, 1, 2, 0}, 3)
                               << logitsFor({0, 1, 2, 0}, 3) << 0.0;
    // From the reference's softmax p = (e², 1, 1)/(e² + 2) to the uniform output.
    const double p = e2 / (e2 + 2), q = 1 / (e2 + 2);
    QTest::newRow("kl, uniform output")
        << QStringLiteral("kl") << torch::zeros({1, 3, 2, 2}) << logitsFor({0, 1, 2, 0}, 3)
        << p * std::log(p) + 2 * q * std::log(q) + std::log(3.0);
    QTest::newRow("l1") << QStringLiteral("l1") << torch::full({1, 1, 2, 2}, 2.0)
                        << torch::tensor({1.0, 2.0, 4.0, 0.0}).view({1, 1, 2, 2}) << 1.25;
    QTest::newRow("ssim, equal") << QStringLiteral("ssim")
                                 << torch::arange(16, torch::kFloat).view({1, 1, 4, 4}) / 16
                                 << torch::arange(16, torch::kFloat).view({1, 1, 4, 4}) / 16 << 0.0;
    // Flat maps 1 and 2: only the means differ, SSIM = (2·1·2 + c1) / (1 + 4 + c1).
    const double c1 = 1e-4;
    QTest::newRow("ssim, flat") << QStringLiteral("ssim") << torch::ones({1, 1, 4, 4})
                                << torch::full({1, 1, 4, 4}, 2.0) << (1 - (4 + c1) / (5 + c1)) / 2;
    torch::Tensor x = torch::zeros({1, 3, 2, 2}), mixed = torch::zeros({1, 3, 2, 2});
    x.select(1, 0).fill_(1.0);
    mixed[0][0][0][0] = 3.0; // the top row points along x as the output does
    mixed[0][0][0][1] = 0.5;
    mixed[0][1][1].fill_(2.0); // the bottom row along y: cosine 0
    QTest::newRow("cosine") << QStringLiteral("cosine") << x << mixed << 0.5;
}

void TestDenseTasks::transferAgreements()
{
    QFETCH(QString, kind);
    QFETCH(torch::Tensor, output);
    QFETCH(torch::Tensor, reference);
    QFETCH(double, expected);
    const double got = train::agreementLoss(kind.toStdString(), output, reference).item<double>();
    QVERIFY2(std::abs(got - expected) < 1e-5,
             qPrintable(QStringLiteral("%1: %2, expected %3").arg(kind).arg(got).arg(expected)));
    QVERIFY_THROWS_EXCEPTION(Error, train::agreementLoss("l2", output, reference));
}

void TestDenseTasks::foldTransfersMixesTheLosses()
{
    std::vector<std::unique_ptr<train::Task>> tasks;
    tasks.push_back(task("segmentation", "semantic"));
    tasks.push_back(task("depth", "depth"));
    const torch::Tensor semanticTarget =
        torch::tensor({0, 1, 2, 255}, torch::kUInt8).view({1, 1, 2, 2});
    const torch::Tensor depthTarget =
        torch::tensor({1000, 2000, 4000, 0}, torch::kInt16).view({1, 1, 2, 2});
    model::ModelOutput out;
    out.tasks = {logitsFor({0, 1, 1, 0}, 3).requires_grad_(),
                 torch::full({1, 1, 2, 2}, 2.0).requires_grad_()};
    // Two transfers into depth, held to its direct prediction; one into semantic, held to its
    // labels.
    model::TransferredPrediction a, b, c;
    a.to = b.to = 1;
    a.prediction = torch::full({1, 1, 2, 2}, 3.0).requires_grad_();
    b.prediction = torch::full({1, 1, 2, 2}, 2.5).requires_grad_();
    a.weight = b.weight = 0.25;
    a.agreement = b.agreement = "l1";
    c.from = 1;
    c.to = 0;
    c.prediction = logitsFor({0, 1, 2, 2}, 3).requires_grad_();
    c.weight = 0.5;
    c.againstDirect = false;
    c.againstTruth = true;
    out.transferred = {a, b, c};
    const std::vector<torch::Tensor> targets{semanticTarget, depthTarget};
    std::vector<torch::Tensor> losses{tasks[0]->loss(out.tasks[0], targets[0]),
                                      tasks[1]->loss(out.tasks[1], targets[1])};
    const double direct0 = losses[0].item<double>(), direct1 = losses[1].item<double>();
    const double truth0 = tasks[0]->loss(c.prediction, targets[0]).item<double>();
    const std::vector<torch::Tensor> terms = train::foldTransfers(tasks, out, targets, losses);
    QCOMPARE(terms.size(), std::size_t(2));
    QVERIFY(std::abs(terms[1].item<double>() - (1.0 + 0.5) / 2) < 1e-6);
    QVERIFY(std::abs(terms[0].item<double>() - truth0) < 1e-6);
    QVERIFY(std::abs(losses[1].item<double>() - (0.75 * direct1 + 0.25 * 0.75)) < 1e-6);
    QVERIFY(std::abs(losses[0].item<double>() - (0.5 * direct0 + 0.5 * truth0)) < 1e-6);
    // The direct prediction is the reference, not a target the transfer pulls on.
    terms[1].backward();
    QVERIFY(!out.tasks[1].grad().defined() || out.tasks[1].grad().abs().sum().item<double>() == 0);
    QVERIFY(a.prediction.grad().abs().sum().item<double>() > 0);
}

QTEST_APPLESS_MAIN(TestDenseTasks)
#include "tst_densetasks.moc"
