// Every backbone × sharing strategy × head set this build registers, built on a tiny input:
// forward and backward run, every output has its task's shape, every parameter meant to train
// gets a gradient, the parameter groups cover every parameter once and describe() counts
// them all. Invalid combinations are Config errors naming the key to change. And the
// equivalences the strategies promise: `hard` with split_at 0 is `independent`, and a
// cross-stitch network whose α is the identity (not trained) is `independent` too, step by
// step, exactly; so is MTAN with masks of 1 to `hard`.

#include "common/error.h"
#include "model/crossstitch.h"
#include "model/factory.h"

#include <torch/nn/functional/loss.h>
#include <torch/optim/sgd.h>
#include <torch/types.h>

#include "tensortext.h"

#include <QTest>

#include <set>

using namespace mtl;
using model::HeadSpec;
using mtl::test::shapeText;
using nlohmann::json;

Q_DECLARE_METATYPE(std::string)
Q_DECLARE_METATYPE(nlohmann::json)

namespace {

const model::InputShape kInput{1, 12, 12};

// Small options per backbone, so that each row builds and runs in milliseconds.
json tinyBackboneOptions(const std::string &backbone)
{
    if (backbone == "stitch_cnn")
        return {{"width", 4}, {"fc_units", 16}, {"dropout", 0.2}};
    return {{"width", 4}};
}

// Option variants worth a row of their own, beside each strategy's defaults.
std::vector<std::pair<std::string, json>> variants(const std::string &sharing)
{
    std::vector<std::pair<std::string, json>> rows{{"defaults", json::object()}};
    if (sharing == "hard") {
        rows.push_back({"split_at 1", {{"split_at", 1}}});
        rows.push_back({"split_at 0", {{"split_at", 0}}});
    }
    if (sharing == "cross_stitch") {
        rows.push_back({"channel, after 1", {{"granularity", "channel"}, {"after", {1}}}});
        rows.push_back({"fixed alpha", {{"learn_alpha", false}}});
    }
    if (sharing == "mtan")
        rows.push_back({"masks of 1", {{"masks", "ones"}}});
    return rows;
}

std::vector<HeadSpec> headSet(bool dense)
{
    std::vector<HeadSpec> specs{{"category", HeadSpec::Kind::Vector, 10, {}},
                                {"looks", HeadSpec::Kind::Vector, 5, {}}};
    if (dense)
        specs.push_back({"mask", HeadSpec::Kind::Dense, 3, {}});
    return specs;
}

// The config key an invalid combination must name; empty when it is valid.
std::string expectedErrorKey(const std::string &backbone, const std::string &, bool dense)
{
    if (dense && backbone == "stitch_cnn")
        return "tasks[2].type"; // a dense task on a backbone that ends in a vector
    return {};
}

experiment::ModelConfig modelConfig(const std::string &backbone, const std::string &sharing,
                                    const json &sharingOptions)
{
    experiment::ModelConfig config;
    config.backbone = backbone;
    config.backboneOptions = tinyBackboneOptions(backbone);
    config.sharing = sharing;
    config.sharingOptions = sharingOptions;
    return config;
}

// Cross-entropy on fixed labels per vector task, mean square per dense task: a loss every
// output feeds.
torch::Tensor totalLoss(const model::ModelOutput &out, std::int64_t batch)
{
    torch::Tensor total = torch::zeros({});
    for (const torch::Tensor &y : out.tasks) {
        if (y.dim() == 2)
            total = total + torch::nn::functional::cross_entropy(
                                y, torch::arange(batch, torch::kLong) % y.size(1));
        else
            total = total + y.pow(2).mean();
    }
    return total;
}

std::vector<double> trainAndRecord(model::MultiTaskModelImpl &net, int steps)
{
    torch::optim::SGD sgd(net.parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
    std::vector<double> losses;
    torch::manual_seed(11);
    for (int step = 0; step < steps; ++step) {
        const torch::Tensor x = torch::rand({6, kInput.channels, kInput.height, kInput.width});
        sgd.zero_grad();
        const torch::Tensor loss = totalLoss(net.forward(x), 6);
        loss.backward();
        sgd.step();
        losses.push_back(loss.item<double>());
    }
    return losses;
}

} // namespace

class TestArchitectures : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { torch::manual_seed(0); }
    void everyCombination_data();
    void everyCombination();
    void splitAtZeroIsIndependent();
    void identityCrossStitchIsIndependent();
    void crossStitchMixesColumns();
    void mtanWithMasksOfOneIsHard_data();
    void mtanWithMasksOfOneIsHard();
    void mtanMasksAreSoftAndPerTask();
    void badStageOptionsNameTheirKey_data();
    void badStageOptionsNameTheirKey();
};

void TestArchitectures::everyCombination_data()
{
    QTest::addColumn<std::string>("backbone");
    QTest::addColumn<std::string>("sharing");
    QTest::addColumn<json>("options");
    QTest::addColumn<bool>("dense");
    int rows = 0;
    for (const PartSpec &backbone : model::backbones().specs())
        for (const PartSpec &sharing : model::sharings().specs())
            for (const auto &[variant, options] : variants(sharing.name))
                for (const bool dense : {false, true}) {
                    const std::string name = backbone.name + " × " + sharing.name + " (" + variant +
                                             (dense ? ", vector and dense" : "") + ")";
                    QTest::newRow(name.c_str())
                        << backbone.name << sharing.name << options << dense;
                    ++rows;
                }
    QVERIFY(rows >= 2 * 3 * 2); // the registries are not empty
}

void TestArchitectures::everyCombination()
{
    QFETCH(std::string, backbone);
    QFETCH(std::string, sharing);
    QFETCH(json, options);
    QFETCH(bool, dense);
    const std::vector<HeadSpec> heads = headSet(dense);
    const std::string errorKey = expectedErrorKey(backbone, sharing, dense);
    model::MultiTaskModelPtr net;
    try {
        net = model::buildModel(modelConfig(backbone, sharing, options), kInput, heads);
    } catch (const Error &e) {
        QVERIFY2(!errorKey.empty(), e.what());
        QVERIFY2(e.code() == ErrorCode::Config, e.what());
        QCOMPARE(e.where().key, errorKey);
        return;
    }
    QVERIFY2(errorKey.empty(), ("built, but should fail at " + errorKey).c_str());

    const torch::Tensor x = torch::rand({4, kInput.channels, kInput.height, kInput.width});
    const model::ModelOutput out = net->forward(x, /*collectTaps*/ true);
    QCOMPARE(out.tasks.size(), heads.size());
    for (std::size_t t = 0; t < heads.size(); ++t)
        QCOMPARE(shapeText(out.tasks[t]),
                 heads[t].kind == HeadSpec::Kind::Vector
                     ? QStringLiteral("4x%1").arg(heads[t].channels)
                     : QStringLiteral("4x%1x12x12").arg(heads[t].channels));
    for (const auto &[name, tap] : out.taps)
        QVERIFY2(!tap.requires_grad(), name.c_str());

    totalLoss(out, 4).backward();
    for (const auto &item : net->named_parameters()) {
        QVERIFY2(item.value().grad().defined(), item.key().c_str());
        QVERIFY2(item.value().grad().abs().sum().item<double>() > 0, item.key().c_str());
    }

    // Groups: every parameter once, in the order of parameters().
    std::vector<torch::Tensor> flat;
    for (const model::ParameterGroup &group : net->parameterGroups())
        flat.insert(flat.end(), group.parameters.begin(), group.parameters.end());
    const std::vector<torch::Tensor> all = net->parameters();
    QCOMPARE(flat.size(), all.size());
    for (std::size_t i = 0; i < all.size(); ++i)
        QVERIFY(flat[i].is_same(all[i]));

    const model::ModelDescription d = net->describe();
    std::int64_t expected = 0, blocks = 0;
    for (const torch::Tensor &p : all)
        expected += p.numel();
    for (const model::ModelBlock &block : d.blocks)
        blocks += block.parameters;
    QCOMPARE(d.parameters, expected);
    QCOMPARE(blocks, expected);
    QVERIFY(!d.summary.empty());
}

void TestArchitectures::splitAtZeroIsIndependent()
{
    const std::vector<HeadSpec> heads = headSet(true);
    torch::manual_seed(4);
    const auto split =
        model::buildModel(modelConfig("small_cnn", "hard", {{"split_at", 0}}), kInput, heads);
    torch::manual_seed(4);
    const auto independent =
        model::buildModel(modelConfig("small_cnn", "independent", json::object()), kInput, heads);
    QVERIFY(!split->forward(torch::rand({2, 1, 12, 12})).shared.defined()); // nothing shared
    QCOMPARE(split->named_parameters().keys(), independent->named_parameters().keys());
    const std::vector<double> a = trainAndRecord(*split, 4);
    const std::vector<double> b = trainAndRecord(*independent, 4);
    QCOMPARE(a, b);
}

void TestArchitectures::identityCrossStitchIsIndependent()
{
    // stitch_cnn with dropout: the columns draw their dropout masks in the same order.
    const std::vector<HeadSpec> heads = headSet(false);
    torch::manual_seed(9);
    const auto stitched = model::buildModel(
        modelConfig("stitch_cnn", "cross_stitch",
                    {{"alpha_self", 1.0}, {"alpha_other", 0.0}, {"learn_alpha", false}}),
        kInput, heads);
    torch::manual_seed(9);
    const auto independent =
        model::buildModel(modelConfig("stitch_cnn", "independent", json::object()), kInput, heads);
    QCOMPARE(stitched->parameters().size(), independent->parameters().size());
    const std::vector<double> a = trainAndRecord(*stitched, 5);
    const std::vector<double> b = trainAndRecord(*independent, 5);
    QCOMPARE(a, b);
    QVERIFY(a.front() != a.back()); // it trained
}

void TestArchitectures::crossStitchMixesColumns()
{
    // α = [[0.9, 0.1], [0.1, 0.9]]: each output is 0.9 of its own column and 0.1 of the other.
    model::CrossStitchOptions options;
    model::CrossStitchUnitImpl unit(2, 3, options);
    const torch::Tensor a = torch::rand({2, 3, 4, 4}), b = torch::rand({2, 3, 4, 4});
    const std::vector<torch::Tensor> mixed = unit.forward({a, b});
    QVERIFY(torch::allclose(mixed[0], 0.9 * a + 0.1 * b));
    QVERIFY(torch::allclose(mixed[1], 0.1 * a + 0.9 * b));

    // Per channel: channel 1 of task 0 takes only the other column once its α says so.
    options.perChannel = true;
    model::CrossStitchUnitImpl channels(2, 3, options);
    QCOMPARE(shapeText(channels.alpha()), QStringLiteral("3x2x2"));
    {
        torch::NoGradGuard noGrad;
        channels.alpha()[1][0][0] = 0.0;
        channels.alpha()[1][0][1] = 1.0;
    }
    const std::vector<torch::Tensor> out = channels.forward({a, b});
    QVERIFY(torch::allclose(out[0].select(1, 1), b.select(1, 1)));
    QVERIFY(torch::allclose(out[0].select(1, 0), 0.9 * a.select(1, 0) + 0.1 * b.select(1, 0)));

    // In a network, α trains in its own group at 100× the learning rate, and its taps say it.
    const auto net = model::buildModel(modelConfig("small_cnn", "cross_stitch", json::object()),
                                       kInput, headSet(false));
    bool found = false;
    for (const model::ParameterGroup &group : net->parameterGroups())
        if (group.name == "cross_stitch") {
            found = true;
            QCOMPARE(group.parameters.size(), std::size_t(3)); // a unit after every stage
            QCOMPARE(group.lrScale, 100.0);
        }
    QVERIFY(found);
    const model::ModelOutput tapped = net->forward(torch::rand({2, 1, 12, 12}), true);
    QCOMPARE(shapeText(tapped.taps.at("cross_stitch.after_stage1")), QStringLiteral("2x2"));
    QVERIFY(!tapped.shared.defined());
}

void TestArchitectures::mtanWithMasksOfOneIsHard_data()
{
    QTest::addColumn<std::string>("backbone");
    QTest::addColumn<bool>("dense");
    QTest::newRow("small_cnn, vector and dense heads") << std::string("small_cnn") << true;
    QTest::newRow("stitch_cnn, vector heads") << std::string("stitch_cnn") << false;
}

void TestArchitectures::mtanWithMasksOfOneIsHard()
{
    QFETCH(std::string, backbone);
    QFETCH(bool, dense);
    const std::vector<HeadSpec> heads = headSet(dense);
    torch::manual_seed(21);
    const auto mtan =
        model::buildModel(modelConfig(backbone, "mtan", {{"masks", "ones"}}), kInput, heads);
    torch::manual_seed(21);
    const auto hard =
        model::buildModel(modelConfig(backbone, "hard", json::object()), kInput, heads);
    QCOMPARE(mtan->named_parameters().keys(), hard->named_parameters().keys());
    const std::vector<double> a = trainAndRecord(*mtan, 4);
    const std::vector<double> b = trainAndRecord(*hard, 4);
    QCOMPARE(a, b);
}

void TestArchitectures::mtanMasksAreSoftAndPerTask()
{
    const auto net =
        model::buildModel(modelConfig("small_cnn", "mtan", json::object()), kInput, headSet(false));
    const torch::Tensor x = torch::rand({3, 1, 12, 12});
    const model::ModelOutput out = net->forward(x, true);
    QVERIFY(!out.shared.defined());
    // One mask per task and stage, of that stage's shape, strictly between 0 and 1.
    QCOMPARE(out.taps.size(), std::size_t(2 * 3));
    const torch::Tensor mask = out.taps.at("mtan.looks.stage1");
    QCOMPARE(shapeText(mask), QStringLiteral("3x8x3x3"));
    QVERIFY(mask.min().item<double>() > 0.0 && mask.max().item<double>() < 1.0);
    QVERIFY(!torch::equal(out.taps.at("mtan.category.stage2"), out.taps.at("mtan.looks.stage2")));
    // A task's loss reaches its own attention and the shared backbone, not the other task's.
    out.tasks[0].pow(2).mean().backward();
    for (const model::ParameterGroup &group : net->parameterGroups()) {
        double sum = 0;
        for (const torch::Tensor &p : group.parameters)
            if (p.grad().defined())
                sum += p.grad().abs().sum().item<double>();
        const bool reached = group.name == "shared" || group.task == "category";
        QVERIFY2((sum > 0) == reached, group.name.c_str());
    }
}

void TestArchitectures::badStageOptionsNameTheirKey_data()
{
    QTest::addColumn<std::string>("backbone");
    QTest::addColumn<std::string>("sharing");
    QTest::addColumn<json>("options");
    QTest::addColumn<std::string>("key");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("split_at beyond the stages")
        << std::string("small_cnn") << std::string("hard") << json{{"split_at", 4}}
        << std::string("model.sharing_options.split_at") << QStringLiteral("has 3 stages");
    QTest::newRow("cross-stitch after a stage that does not exist")
        << std::string("stitch_cnn") << std::string("cross_stitch") << json{{"after", {0, 3}}}
        << std::string("model.sharing_options.after") << QStringLiteral("stage 3 does not exist");
}

void TestArchitectures::badStageOptionsNameTheirKey()
{
    QFETCH(std::string, backbone);
    QFETCH(std::string, sharing);
    QFETCH(json, options);
    QFETCH(std::string, key);
    QFETCH(QString, fragment);
    try {
        model::buildModel(modelConfig(backbone, sharing, options), kInput, headSet(false));
        QFAIL("built");
    } catch (const Error &e) {
        QVERIFY2(e.code() == ErrorCode::Config, e.what());
        QCOMPARE(e.where().key, key);
        QVERIFY2(QString::fromStdString(e.message()).contains(fragment), e.what());
    }
}

QTEST_APPLESS_MAIN(TestArchitectures)
#include "tst_architectures.moc"
