// The model seams with LibTorch itself: every stage of small_cnn has the shape it announces,
// forwardStage() run stage by stage equals forward(), ModelOutput carries one output per task
// (vector [B, K] and dense [B, C, H, W]), the shared representation and taps only when asked;
// gradients reach every parameter meant to train; parameter groups cover every parameter once
// in parameters() order; describe() counts what the module holds; parameter names stay those
// of earlier builds, so their checkpoints load.

#include "common/error.h"
#include "model/factory.h"
#include "model/hardsharing.h"
#include "model/smallcnn.h"

#include <ATen/autocast_mode.h>
#include <torch/nn/modules/linear.h>
#include <torch/serialize.h>
#include <torch/types.h>

#include "tensortext.h"

#include <QTest>

#include <set>

using namespace mtl;
using model::FeatureShape;
using model::HeadSpec;
using mtl::test::shapeText;

namespace {

experiment::ModelConfig smallCnnHard(std::int64_t width = 32)
{
    experiment::ModelConfig config;
    config.backboneOptions = {{"width", width}};
    return config;
}

std::vector<HeadSpec> heads(bool dense)
{
    std::vector<HeadSpec> specs{{"category", HeadSpec::Kind::Vector, 10, {}},
                                {"looks", HeadSpec::Kind::Vector, 12, {}}};
    if (dense)
        specs.push_back({"mask", HeadSpec::Kind::Dense, 3, {}});
    return specs;
}

} // namespace

class TestModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { torch::manual_seed(0); }
    void stagesHaveTheirShapes_data();
    void stagesHaveTheirShapes();
    void stagewiseEqualsForward();
    void tooSmallAnInputIsAConfigError();
    void outputsPerTask_data();
    void outputsPerTask();
    void gradientsReachEveryParameter_data();
    void gradientsReachEveryParameter();
    void parameterGroupsCoverEveryParameterOnce();
    void describeCountsParameters();
    void parameterNamesOfEarlierBuilds();
    void vectorHeadIsALinearLayer();
    void mixedPrecisionRestoresAutocastState();
};

void TestModel::stagesHaveTheirShapes_data()
{
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("width");
    QTest::newRow("Fashion-MNIST 28x28, width 32") << 1 << 28 << 32;
    QTest::newRow("RGB 32x32, width 16") << 3 << 32 << 16;
    QTest::newRow("odd 9x9, width 8") << 1 << 9 << 8;
}

void TestModel::stagesHaveTheirShapes()
{
    QFETCH(int, channels);
    QFETCH(int, size);
    QFETCH(int, width);
    model::SmallCnnImpl net(model::SmallCnnOptions({channels, size, size}).width(width));
    QCOMPARE(net.stageCount(), 3);
    torch::Tensor h = torch::rand({2, channels, size, size});
    model::StageState state;
    for (int stage = 0; stage < net.stageCount(); ++stage) {
        h = net.forwardStage(stage, h, state);
        const FeatureShape s = net.stageShape(stage);
        QCOMPARE(shapeText(h),
                 QStringLiteral("2x%1x%2x%3").arg(s.channels).arg(s.height).arg(s.width));
    }
    QCOMPARE(net.stageShape(0).channels, std::int64_t(width));
    QCOMPARE(net.stageShape(2).channels, std::int64_t(4 * width));
    QCOMPARE(net.stageShape(2).height, std::int64_t(size / 4));
    QCOMPARE(net.featureDim(), std::int64_t(4 * width));
    QCOMPARE(shapeText(net.forward(torch::rand({3, channels, size, size}))),
             QStringLiteral("3x%1").arg(4 * width));
}

void TestModel::stagewiseEqualsForward()
{
    model::SmallCnnImpl net(model::SmallCnnOptions({1, 28, 28}));
    net.eval();
    const torch::Tensor x = torch::rand({4, 1, 28, 28});
    model::StageState state;
    torch::Tensor h = net.forwardStages(x, 0, 1, state);
    h = net.forwardStages(h, 1, 3, state);
    QVERIFY(torch::equal(model::BackboneImpl::pool(h), net.forward(x)));
}

void TestModel::tooSmallAnInputIsAConfigError()
{
    try {
        model::SmallCnnImpl net(model::SmallCnnOptions({1, 3, 8}));
        QFAIL("a 8x3 input was accepted");
    } catch (const Error &e) {
        QVERIFY2(e.code() == ErrorCode::Config, e.what());
        QCOMPARE(QString::fromStdString(e.where().key), QStringLiteral("model.backbone"));
        QVERIFY2(QString::fromStdString(e.message()).contains(QStringLiteral("at least 4")),
                 e.what());
    }
}

void TestModel::outputsPerTask_data()
{
    QTest::addColumn<bool>("dense");
    QTest::newRow("vector heads") << false;
    QTest::newRow("vector and dense heads") << true;
}

void TestModel::outputsPerTask()
{
    QFETCH(bool, dense);
    const auto net = model::buildModel(smallCnnHard(), {1, 28, 28}, heads(dense));
    const torch::Tensor x = torch::rand({5, 1, 28, 28});
    const model::ModelOutput out = net->forward(x);
    QCOMPARE(out.tasks.size(), std::size_t(dense ? 3 : 2));
    QCOMPARE(shapeText(out.tasks[0]), QStringLiteral("5x10"));
    QCOMPARE(shapeText(out.tasks[1]), QStringLiteral("5x12"));
    if (dense)
        QCOMPARE(shapeText(out.tasks[2]), QStringLiteral("5x3x28x28"));
    // The shared representation: the pooled vector when every head is a vector head, else
    // the last map; part of the graph.
    QCOMPARE(shapeText(out.shared), dense ? QStringLiteral("5x128x7x7") : QStringLiteral("5x128"));
    QVERIFY(out.shared.requires_grad());
    QVERIFY(out.extraLosses.empty());
    QVERIFY(out.taps.empty()); // not asked for

    const model::ModelOutput tapped = net->forward(x, /*collectTaps*/ true);
    QCOMPARE(tapped.taps.size(), std::size_t(3));
    QCOMPARE(shapeText(tapped.taps.at("shared.stage0")), QStringLiteral("5x32x14x14"));
    QCOMPARE(shapeText(tapped.taps.at("shared.stage2")), QStringLiteral("5x128x7x7"));
    QVERIFY(!tapped.taps.at("shared.stage1").requires_grad()); // detached
    // Asking for taps does not change the outputs (eval mode: no batch statistics update).
    net->eval();
    QVERIFY(torch::equal(net->forward(x).tasks[0], net->forward(x, true).tasks[0]));
}

void TestModel::gradientsReachEveryParameter_data()
{
    outputsPerTask_data();
}

void TestModel::gradientsReachEveryParameter()
{
    QFETCH(bool, dense);
    const auto net = model::buildModel(smallCnnHard(16), {1, 12, 12}, heads(dense));
    const model::ModelOutput out = net->forward(torch::rand({4, 1, 12, 12}));
    torch::Tensor total = out.tasks[0].pow(2).mean();
    for (std::size_t t = 1; t < out.tasks.size(); ++t)
        total = total + out.tasks[t].pow(2).mean();
    total.backward();
    for (const auto &item : net->named_parameters()) {
        QVERIFY2(item.value().grad().defined(), item.key().c_str());
        QVERIFY2(item.value().grad().abs().sum().item<double>() > 0, item.key().c_str());
    }

    // One task's loss reaches the backbone and its own head, and no other head.
    net->zero_grad();
    const model::ModelOutput again = net->forward(torch::rand({4, 1, 12, 12}));
    again.tasks[1].pow(2).mean().backward();
    for (const model::ParameterGroup &group : net->parameterGroups()) {
        double sum = 0;
        for (const torch::Tensor &p : group.parameters)
            if (p.grad().defined())
                sum += p.grad().abs().sum().item<double>();
        const bool reached = group.name == "shared" || group.task == "looks";
        QVERIFY2((sum > 0) == reached, group.name.c_str());
    }
}

void TestModel::parameterGroupsCoverEveryParameterOnce()
{
    const auto net = model::buildModel(smallCnnHard(), {1, 28, 28}, heads(true));
    const auto groups = net->parameterGroups();
    QCOMPARE(groups.size(), std::size_t(4));
    QCOMPARE(QString::fromStdString(groups[0].name), QStringLiteral("shared"));
    QCOMPARE(QString::fromStdString(groups[1].name), QStringLiteral("head.category"));
    QCOMPARE(QString::fromStdString(groups[3].task), QStringLiteral("mask"));
    std::vector<torch::Tensor> flat;
    for (const auto &group : groups)
        flat.insert(flat.end(), group.parameters.begin(), group.parameters.end());
    const std::vector<torch::Tensor> all = net->parameters();
    QCOMPARE(flat.size(), all.size());
    for (std::size_t i = 0; i < all.size(); ++i)
        QVERIFY(flat[i].is_same(all[i])); // the order of parameters(): old optimiser states fit
    QCOMPARE(net->sharedParameters().size(), groups[0].parameters.size());
}

void TestModel::describeCountsParameters()
{
    const auto net = model::buildModel(smallCnnHard(), {1, 28, 28}, heads(false));
    const model::ModelDescription d = net->describe();
    std::int64_t expected = 0;
    for (const torch::Tensor &p : net->parameters())
        expected += p.numel();
    QCOMPARE(d.parameters, expected);
    std::int64_t blocks = 0;
    for (const auto &block : d.blocks)
        blocks += block.parameters;
    QCOMPARE(blocks, expected);
    QCOMPARE(d.blocks.size(), std::size_t(5));
    QCOMPARE(QString::fromStdString(d.blocks[1].name), QStringLiteral("backbone.stage1"));
    QCOMPARE(d.blocks[1].output.channels, std::int64_t(64));
    QCOMPARE(d.blocks[1].output.height, std::int64_t(7));
    // conv 3x3 32→64 with bias, BatchNorm weight and bias: the arithmetic of stage 1.
    QCOMPARE(d.blocks[1].parameters, std::int64_t(64 * 32 * 9 + 64 + 2 * 64));
    QCOMPARE(QString::fromStdString(d.blocks[3].task), QStringLiteral("category"));
    QCOMPARE(d.blocks[3].parameters, std::int64_t(128 * 10 + 10));
    QVERIFY2(QString::fromStdString(d.summary).contains(QStringLiteral("category[10]")),
             d.summary.c_str());
}

void TestModel::parameterNamesOfEarlierBuilds()
{
    const auto net = model::buildModel(smallCnnHard(), {1, 28, 28}, heads(false));
    std::set<std::string> names;
    for (const auto &item : net->named_parameters())
        names.insert(item.key());
    for (const char *name :
         {"backbone.conv1.weight", "backbone.conv1.bias", "backbone.bn1.weight",
          "backbone.bn3.bias", "head_category.weight", "head_category.bias", "head_looks.weight"})
        QVERIFY2(names.count(name) == 1, name);
    QCOMPARE(names.size(), std::size_t(16));
    std::set<std::string> buffers;
    for (const auto &item : net->named_buffers())
        buffers.insert(item.key());
    QVERIFY(buffers.count("backbone.bn2.running_mean") == 1);

    // A model saved and loaded again is the same model.
    std::stringstream bytes;
    {
        torch::serialize::OutputArchive archive;
        net->save(archive);
        archive.save_to(bytes);
    }
    torch::manual_seed(99);
    const auto other = model::buildModel(smallCnnHard(), {1, 28, 28}, heads(false));
    torch::serialize::InputArchive archive;
    archive.load_from(bytes);
    other->load(archive);
    net->eval();
    other->eval();
    const torch::Tensor x = torch::rand({2, 1, 28, 28});
    QVERIFY(torch::equal(net->forward(x).tasks[1], other->forward(x).tasks[1]));
}

void TestModel::vectorHeadIsALinearLayer()
{
    // Same generator state: the same initial values as torch::nn::Linear, the same outputs.
    torch::manual_seed(5);
    torch::nn::Linear linear(128, 10);
    torch::manual_seed(5);
    model::VectorHeadImpl head(128, 10);
    const torch::Tensor x = torch::rand({3, 128});
    QVERIFY(torch::equal(linear(x), head.forward(x)));
    QCOMPARE(head.parameters().size(), std::size_t(2));
}

// run() with mixed precision: CUDA autocast for the forward only (the thread's state is
// restored after, also when it was on), the outputs in float32. On the CPU the CUDA autocast
// key does not apply: the same numbers as forward().
void TestModel::mixedPrecisionRestoresAutocastState()
{
    const auto net = model::buildModel(smallCnnHard(), {1, 12, 12}, heads(false));
    net->eval();
    const torch::Tensor x = torch::rand({3, 1, 12, 12});
    const model::ModelOutput plain = net->run(x);
    net->setMixedPrecision(true);
    QVERIFY(!at::autocast::is_enabled());
    const model::ModelOutput mixed = net->run(x, true);
    QVERIFY(!at::autocast::is_enabled());
    QCOMPARE(at::autocast::get_autocast_gpu_dtype(), at::kHalf); // LibTorch's default, restored
    QCOMPARE(mixed.tasks.size(), plain.tasks.size());
    for (std::size_t t = 0; t < plain.tasks.size(); ++t) {
        QCOMPARE(mixed.tasks[t].scalar_type(), torch::kFloat32);
        QVERIFY(torch::equal(mixed.tasks[t], plain.tasks[t]));
    }
    at::autocast::set_enabled(true); // a caller's own autocast survives
    net->run(x);
    QVERIFY(at::autocast::is_enabled());
    at::autocast::set_enabled(false);
}

QTEST_APPLESS_MAIN(TestModel)
#include "tst_model.moc"
