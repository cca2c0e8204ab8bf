// Every backbone × sharing strategy × head set this build registers, built on a tiny input:
// forward and backward run, every output has its task's shape, every parameter meant to train
// gets a gradient, the parameter groups cover every parameter once and describe() counts
// them all. Invalid combinations are Config errors naming the key to change. And the
// equivalences the strategies promise: `hard` with split_at 0 is `independent`, and a
// cross-stitch network whose α is the identity (not trained) is `independent` too, step by
// step, exactly; so is MTAN with masks of 1 to `hard`.

#include "common/error.h"
#include "model/crossstitch.h"
#include "model/experts.h"
#include "model/factory.h"

#include <torch/nn/functional/loss.h>
#include <torch/optim/sgd.h>
#include <torch/types.h>

#include "tensortext.h"

#include <QTest>

#include <map>
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
    if (backbone == "alexnet")
        return {{"width", 2}, {"fc_units", 16}, {"dropout", 0.2}};
    if (backbone == "segnet")
        return {{"width", 4}, {"blocks", 2}};
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
    if (sharing == "mmoe" || sharing == "ple")
        rows.push_back({"shared_stages 1", {{"shared_stages", 1}}});
    if (sharing == "mmoe" || sharing == "cgc")
        rows.push_back(
            {"small_cnn experts",
             {{"expert_backbone", {{"name", "small_cnn"}, {"options", {{"width", 4}}}}}}});
    if (sharing == "ple") // segnet's tiny encoder shared, a level per decoder stage
        rows.push_back({"shared_stages 2", {{"shared_stages", 2}}});
    if (sharing == "cgc")
        rows.push_back({"task experts only", {{"shared_experts", 0}, {"task_experts", 2}}});
    if (sharing == "mtl_cnn")
        rows.push_back(
            {"groups",
             {{"groups", json::array({json::array({"a", "b"}), json::array({"e", "c"})})},
              {"latent_tasks", 3}}});
    if (sharing == "consistency") {
        rows.push_back(
            {"one pair, held to both",
             {{"pairs", json::array({json::array({"mask", "height"})})}, {"target", "both"}}});
        rows.push_back({"split_at 1, batch norm", {{"split_at", 1}, {"transfer_norm", "batch"}}});
    }
    if (sharing == "dselect_k") // not a power of 2: the gate's second penalty
        rows.push_back({"3 experts, k 1", {{"experts", 3}, {"selected", 1}}});
    return rows;
}

// Backbone options worth a row of their own (with hard sharing): each normalisation and stem.
std::vector<std::pair<std::string, json>> backboneVariants(const PartSpec &backbone)
{
    std::vector<std::pair<std::string, json>> rows;
    for (const OptionSpec &option : backbone.options) {
        if (option.name == "norm")
            for (const std::string &norm : option.choices)
                if (norm != option.defaultValue)
                    rows.push_back({"norm " + norm, {{"norm", norm}}});
        if (option.name == "stem")
            rows.push_back({"small stem", {{"stem", "small"}}});
        if (option.name == "dropout" && option.defaultValue == 0.0)
            rows.push_back({"dropout", {{"dropout", 0.3}}});
    }
    return rows;
}

std::vector<HeadSpec> headSet(bool dense)
{
    std::vector<HeadSpec> specs{
        {"category", HeadSpec::Kind::Vector, 10, {}, "classification"},
        {"looks", HeadSpec::Kind::Vector, 5, {}, "attributes", {"a", "b", "c", "d", "e"}}};
    if (dense) { // two, so that consistency has a pair to transfer between
        specs.push_back({"mask", HeadSpec::Kind::Dense, 3, {}, "segmentation"});
        specs.push_back({"height", HeadSpec::Kind::Dense, 1, {}, "depth"});
    }
    return specs;
}

// The config key an invalid combination must name; empty when it is valid.
std::string expectedErrorKey(const std::string &backbone, const std::string &sharing,
                             const json &options, bool dense)
{
    if (dense && (backbone == "stitch_cnn" || backbone == "alexnet"))
        return "tasks[2].type"; // a dense task on a backbone that ends in a vector
    if (!dense && sharing == "consistency")
        return "model.sharing"; // no dense task to transfer between
    // ple mixes after every stage: segnet's 2 encoder stages (tiny options) must be shared.
    if (backbone == "segnet" && sharing == "ple" && options.value("shared_stages", 0) < 2)
        return "model.sharing_options.shared_stages";
    return {};
}

experiment::ModelConfig modelConfig(const std::string &backbone, const std::string &sharing,
                                    const json &sharingOptions,
                                    const json &backboneOptions = json::object())
{
    experiment::ModelConfig config;
    config.backbone = backbone;
    config.backboneOptions = tinyBackboneOptions(backbone);
    config.backboneOptions.update(backboneOptions);
    config.sharing = sharing;
    config.sharingOptions = sharingOptions;
    return config;
}

// Cross-entropy on fixed labels per vector task, mean square per dense task and per
// transferred prediction: a loss every output feeds.
torch::Tensor totalLoss(const model::ModelOutput &out, std::int64_t batch, bool transfers = true)
{
    torch::Tensor total = torch::zeros({});
    for (const model::TransferredPrediction &t : out.transferred)
        if (transfers)
            total = total + t.prediction.pow(2).mean();
    for (const torch::Tensor &y : out.tasks) {
        if (y.dim() == 2)
            total = total + torch::nn::functional::cross_entropy(
                                y, torch::arange(batch, torch::kLong) % y.size(1));
        else
            total = total + y.pow(2).mean();
    }
    return total;
}

std::vector<double> trainAndRecord(model::MultiTaskModelImpl &net, int steps, bool transfers = true)
{
    torch::optim::SGD sgd(net.parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
    std::vector<double> losses;
    torch::manual_seed(11);
    for (int step = 0; step < steps; ++step) {
        const torch::Tensor x = torch::rand({6, kInput.channels, kInput.height, kInput.width});
        sgd.zero_grad();
        const torch::Tensor loss = totalLoss(net.forward(x), 6, transfers);
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
    void gatesMixTheirExperts_data();
    void gatesMixTheirExperts();
    void dselectKPicksTheCodedExpert();
    void oneExpertIsHard();
    void expertBackboneReadsTheTrunk();
    void expertBackboneErrorsNameTheirKey_data();
    void expertBackboneErrorsNameTheirKey();
    void mtlCnnFactorsTheAttributeClassifiers();
    void mtlCnnAlternatesItsFactors();
    void mtlCnnTakesTheDatasetsGroups();
    void consistencyTransfersBetweenDenseTasks();
    void consistencyDirectPartIsHard();
    void consistencyPairsNameTheirKey_data();
    void consistencyPairsNameTheirKey();
    void channelsLastKeepsTheValues();
    void badStageOptionsNameTheirKey_data();
    void badStageOptionsNameTheirKey();
    void stageShapesMatchThePapers_data();
    void stageShapesMatchThePapers();
    void normChoosesTheLayers_data();
    void normChoosesTheLayers();
};

void TestArchitectures::everyCombination_data()
{
    QTest::addColumn<std::string>("backbone");
    QTest::addColumn<std::string>("sharing");
    QTest::addColumn<json>("options");
    QTest::addColumn<json>("backboneOptions");
    QTest::addColumn<bool>("dense");
    int rows = 0;
    for (const PartSpec &backbone : model::backbones().specs()) {
        for (const PartSpec &sharing : model::sharings().specs())
            for (const auto &[variant, options] : variants(sharing.name))
                for (const bool dense : {false, true}) {
                    const std::string name = backbone.name + " × " + sharing.name + " (" + variant +
                                             (dense ? ", vector and dense" : "") + ")";
                    QTest::newRow(name.c_str())
                        << backbone.name << sharing.name << options << json::object() << dense;
                    ++rows;
                }
        for (const auto &[variant, backboneOptions] : backboneVariants(backbone)) {
            const std::string name = backbone.name + " (" + variant + ") × hard";
            QTest::newRow(name.c_str()) << backbone.name << std::string("hard") << json::object()
                                        << backboneOptions << true;
        }
    }
    QVERIFY(rows >= 2 * 3 * 2); // the registries are not empty
}

void TestArchitectures::everyCombination()
{
    QFETCH(std::string, backbone);
    QFETCH(std::string, sharing);
    QFETCH(json, options);
    QFETCH(json, backboneOptions);
    QFETCH(bool, dense);
    const std::vector<HeadSpec> heads = headSet(dense);
    const std::string errorKey = expectedErrorKey(backbone, sharing, options, dense);
    model::MultiTaskModelPtr net;
    try {
        net = model::buildModel(modelConfig(backbone, sharing, options, backboneOptions), kInput,
                                heads);
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

void TestArchitectures::gatesMixTheirExperts_data()
{
    QTest::addColumn<std::string>("sharing");
    QTest::addColumn<json>("options");
    QTest::addColumn<int>("experts"); // what each task's gate mixes
    QTest::addColumn<int>("levels");
    QTest::addColumn<bool>("penalty");
    QTest::newRow("mmoe") << std::string("mmoe") << json::object() << 4 << 1 << false;
    QTest::newRow("cgc") << std::string("cgc") << json::object() << 3 << 1 << false;
    QTest::newRow("ple") << std::string("ple") << json::object() << 3 << 3 << false;
    QTest::newRow("ple after 1 shared stage")
        << std::string("ple") << json{{"shared_stages", 1}} << 3 << 2 << false;
    QTest::newRow("dselect_k") << std::string("dselect_k") << json::object() << 4 << 1 << true;
}

void TestArchitectures::gatesMixTheirExperts()
{
    QFETCH(std::string, sharing);
    QFETCH(json, options);
    QFETCH(int, experts);
    QFETCH(int, levels);
    QFETCH(bool, penalty);
    const auto net =
        model::buildModel(modelConfig("small_cnn", sharing, options), kInput, headSet(false));
    const model::ModelOutput out = net->forward(torch::rand({5, 1, 12, 12}), true);
    // One distribution over the experts per task, level and sample.
    QCOMPARE(out.taps.size(), std::size_t(2 * levels));
    for (const auto &[name, weights] : out.taps) {
        QCOMPARE(shapeText(weights), QStringLiteral("5x%1").arg(experts));
        QVERIFY2(weights.min().item<double>() >= 0.0, name.c_str());
        QVERIFY2(torch::allclose(weights.sum(1), torch::ones({5}), 1e-5, 1e-6), name.c_str());
    }
    QVERIFY(!torch::equal(out.taps.at("gate.category.level0"), out.taps.at("gate.looks.level0")));
    QCOMPARE(out.extraLosses.size(), std::size_t(penalty ? 2 : 0));
    // Nothing shared before the experts unless asked: then that is the shared representation.
    QCOMPARE(out.shared.defined(), options.contains("shared_stages"));
}

void TestArchitectures::dselectKPicksTheCodedExpert()
{
    // k = 1 of 4 experts: 2 bits, most significant first (as LibMTL's binary codes). Bits
    // saturated at (1, 0) select expert 2, and only it.
    auto gate = std::make_shared<model::DSelectGateImpl>(6, 4, 1, 1.0, 1e-6);
    {
        torch::NoGradGuard noGrad;
        for (auto &item : gate->named_parameters())
            item.value().zero_();
        gate->named_parameters()["code_logits.bias"].copy_(torch::tensor({10.0, -10.0}));
    }
    const model::GateOutput out = gate->forward(torch::rand({3, 6}));
    QVERIFY(torch::equal(out.weights, torch::tensor({0.0f, 0.0f, 1.0f, 0.0f}).repeat({3, 1})));
    // A one-hot selector has (almost) no entropy; 4 = 2² experts: no second penalty.
    QVERIFY(out.penalty.item<double>() < 1e-9);

    // In the middle of the step every expert gets a share, and the entropy is positive.
    auto fresh = std::make_shared<model::DSelectGateImpl>(6, 3, 2, 1.0, 1.0);
    const model::GateOutput soft = fresh->forward(torch::rand({3, 6}));
    QVERIFY(soft.weights.min().item<double>() > 0.1);
    // 3 experts, 2 bits: the code 11 names no expert, so the weights sum to less than 1 and
    // the penalty includes 1/Σ ≥ 1 per selector.
    QVERIFY(soft.weights.sum(1).max().item<double>() < 0.99);
    QVERIFY(soft.penalty.item<double>() > 2.0);
}

void TestArchitectures::oneExpertIsHard()
{
    // A softmax over one expert is 1: mmoe with one expert is hard sharing. Copy hard's weights
    // into it (the gate is initialised in between, so the seeds do not line up) and train both.
    const std::vector<HeadSpec> heads = headSet(true);
    const auto hard =
        model::buildModel(modelConfig("small_cnn", "hard", json::object()), kInput, heads);
    const auto mmoe =
        model::buildModel(modelConfig("small_cnn", "mmoe", {{"experts", 1}}), kInput, heads);
    {
        torch::NoGradGuard noGrad;
        auto target = mmoe->named_parameters();
        for (const auto &item : hard->named_parameters()) {
            std::string name = item.key();
            if (name.rfind("backbone.", 0) == 0)
                name = "expert0." + name.substr(9);
            QVERIFY2(target.contains(name), name.c_str());
            target[name].copy_(item.value());
        }
    }
    // Equal up to rounding: the gate's product by 1 goes through a BLAS kernel whose summation
    // order differs between CPUs (exact on some, 1 ulp off on an AMD EPYC).
    const std::vector<double> a = trainAndRecord(*mmoe, 4), b = trainAndRecord(*hard, 4);
    QCOMPARE(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        QVERIFY2(std::abs(a[i] - b[i]) <= 1e-6 * std::abs(b[i]),
                 qPrintable(QStringLiteral("step %1: %2 vs %3")
                                .arg(i + 1)
                                .arg(a[i], 0, 'g', 17)
                                .arg(b[i], 0, 'g', 17)));
}

void TestArchitectures::expertBackboneReadsTheTrunk()
{
    // small_cnn's first stage shared, then 3 experts of their own architecture (small_cnn of
    // width 2) reading its 4-channel 6×6 output; the gates read it too.
    const json experts = {{"name", "small_cnn"}, {"options", {{"width", 2}}}};
    const auto net = model::buildModel(
        modelConfig("small_cnn", "mmoe",
                    {{"experts", 3}, {"shared_stages", 1}, {"expert_backbone", experts}}),
        kInput, headSet(true));
    auto params = net->named_parameters();
    QCOMPARE(shapeText(params["trunk.conv1.weight"]), QStringLiteral("4x1x3x3"));
    QVERIFY(!params.contains("trunk.conv2.weight"));
    QCOMPARE(shapeText(params["expert2.conv1.weight"]), QStringLiteral("2x4x3x3"));
    QCOMPARE(shapeText(params["expert0.conv3.weight"]), QStringLiteral("8x4x3x3"));
    QCOMPARE(shapeText(params["gate_category.linear.weight"]), QStringLiteral("3x144"));
    QCOMPARE(shapeText(params["head_category.weight"]), QStringLiteral("10x8"));
    const model::ModelOutput out = net->forward(torch::rand({2, 1, 12, 12}));
    QCOMPARE(shapeText(out.shared), QStringLiteral("2x4x6x6"));
    QCOMPARE(shapeText(out.tasks[2]), QStringLiteral("2x3x12x12"));
    const QString summary = QString::fromStdString(net->describe().summary);
    QVERIFY2(summary.startsWith(QStringLiteral("mmoe: 3 shared small_cnn (2-4-8) experts after 1 "
                                               "shared stages of small_cnn (4-8-16)")),
             qPrintable(summary));

    // After the whole backbone (3 stages: 16 × 3 × 3): small_cnn cannot take 3×3 pixels, and the
    // error says where it came from.
    try {
        model::buildModel(
            modelConfig("small_cnn", "mmoe", {{"shared_stages", 3}, {"expert_backbone", experts}}),
            kInput, headSet(false));
        QFAIL("built");
    } catch (const Error &e) {
        QCOMPARE(e.where().key, std::string("model.sharing_options.expert_backbone"));
        QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("3×3")), e.what());
    }
}

void TestArchitectures::expertBackboneErrorsNameTheirKey_data()
{
    QTest::addColumn<json>("expertBackbone");
    QTest::addColumn<bool>("dense");
    QTest::addColumn<std::string>("key");
    QTest::newRow("unknown backbone") << json{{"name", "vgg"}} << false
                                      << std::string("model.sharing_options.expert_backbone.name");
    QTest::newRow("no name") << json{{"options", json::object()}} << false
                             << std::string("model.sharing_options.expert_backbone.name");
    QTest::newRow("unknown key") << json{{"name", "small_cnn"}, {"width", 3}} << false
                                 << std::string("model.sharing_options.expert_backbone.width");
    QTest::newRow("bad option") << json{{"name", "small_cnn"}, {"options", {{"width", 0}}}} << false
                                << std::string(
                                       "model.sharing_options.expert_backbone.options.width");
    QTest::newRow("a vector expert for a dense task")
        << json{{"name", "stitch_cnn"}, {"options", {{"width", 4}}}} << true
        << std::string("model.sharing_options.expert_backbone");
}

void TestArchitectures::expertBackboneErrorsNameTheirKey()
{
    QFETCH(json, expertBackbone);
    QFETCH(bool, dense);
    QFETCH(std::string, key);
    try {
        model::buildModel(modelConfig("small_cnn", "cgc", {{"expert_backbone", expertBackbone}}),
                          kInput, headSet(dense));
        QFAIL("built");
    } catch (const Error &e) {
        QCOMPARE(e.where().key, key);
    }
}

void TestArchitectures::mtlCnnFactorsTheAttributeClassifiers()
{
    const double lambda = 0.5, latentLambda = 0.25;
    const auto net =
        model::buildModel(modelConfig("small_cnn", "mtl_cnn",
                                      {{"latent_tasks", 2},
                                       {"groups", json::array({json::array({"a", "b"})})},
                                       {"group_lambda", lambda},
                                       {"latent_lambda", latentLambda}}),
                          kInput, headSet(false));
    auto params = net->named_parameters();
    QVERIFY(params.contains("latent_L"));
    QCOMPARE(shapeText(params["latent_L"]), QStringLiteral("16x2")); // D = 16 (width 4), K = 2
    QCOMPARE(shapeText(params["head_looks.S"]), QStringLiteral("2x5"));
    QVERIFY(params.contains("head_category.weight")); // a classification task: a linear head
    {
        torch::NoGradGuard noGrad;
        params["head_looks.S"].copy_(
            torch::tensor({{3.0, 4.0, -1.0, 0.0, 2.0}, {0.0, 0.0, 0.0, 5.0, 0.0}}));
    }
    const model::ModelOutput out = net->forward(torch::rand({3, 1, 12, 12}), true);
    // W = L·S: the attribute logits are f·L·S + b.
    const torch::Tensor expected =
        out.shared.mm(out.taps.at("mtl_cnn.L")).mm(out.taps.at("mtl_cnn.S.looks")) +
        params["head_looks.bias"];
    QVERIFY(torch::allclose(out.tasks[1], expected, 1e-5, 1e-6));
    // Group {a, b}: ‖(3, 4)‖ + ‖(0, 0)‖ = 5; c, d, e alone: |−1| + |5| + |2| = 8.
    QCOMPARE(out.extraLosses.size(), std::size_t(2));
    QCOMPARE(out.extraLosses[0].first, std::string("mtl_cnn.group_sparsity"));
    QVERIFY(std::abs(out.extraLosses[0].second.item<double>() - lambda * 13.0) < 1e-4);
    QCOMPARE(out.extraLosses[1].first, std::string("mtl_cnn.latent_l1"));
    QVERIFY(std::abs(out.extraLosses[1].second.item<double>() -
                     latentLambda * params["latent_L"].abs().sum().item<double>()) < 1e-6);
    // The penalty pulls S towards 0: its gradient is S's direction within each group.
    out.extraLosses[0].second.backward();
    const torch::Tensor g = params["head_looks.S"].grad();
    QVERIFY(std::abs(g[0][0].item<double>() - lambda * 3.0 / 5.0) < 1e-5);
    QVERIFY(std::abs(g[1][3].item<double>() - lambda) < 1e-5);

    // Without an attributes task there is nothing to decompose.
    try {
        model::buildModel(modelConfig("small_cnn", "mtl_cnn", json::object()), kInput,
                          {headSet(false)[0]});
        QFAIL("built");
    } catch (const Error &e) {
        QCOMPARE(e.where().key, std::string("model.sharing"));
    }
}

void TestArchitectures::mtlCnnAlternatesItsFactors()
{
    // alternate_every 2: steps 1–2 update S and b with L held, steps 3–4 L with S held, step 5 S
    // again; the backbone trains at every step. SGD with momentum: a held parameter must not
    // drift on its momentum either.
    const auto net = model::buildModel(
        modelConfig("small_cnn", "mtl_cnn", {{"latent_tasks", 2}, {"alternate_every", 2}}), kInput,
        headSet(false));
    auto params = net->named_parameters();
    torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
    const torch::Tensor x = torch::rand({4, 1, 12, 12});
    const std::vector<std::string> watched = {"latent_L", "head_looks.S", "head_looks.bias",
                                              "backbone.conv1.weight"};
    QStringList moved;
    for (std::int64_t step = 1; step <= 5; ++step) {
        std::map<std::string, torch::Tensor> before;
        for (const std::string &name : watched) {
            QVERIFY2(params.contains(name), name.c_str());
            before[name] = params[name].detach().clone();
        }
        sgd.zero_grad();
        const model::ModelOutput out = net->forward(x);
        (out.tasks[0].pow(2).sum() + out.tasks[1].pow(2).sum()).backward();
        net->beforeOptimizerStep(step);
        sgd.step();
        QStringList changed;
        for (const std::string &name : watched)
            if (!torch::equal(before[name], params[name]))
                changed << QString::fromStdString(name).section(QLatin1Char('.'), -1);
        moved << QString::number(step) + QLatin1Char(':') + changed.join(QLatin1Char(','));
    }
    QCOMPARE(moved.join(QLatin1Char(' ')),
             QStringLiteral("1:S,bias,weight 2:S,bias,weight 3:latent_L,weight "
                            "4:latent_L,weight 5:S,bias,weight"));

    // A branches head has two outputs per attribute: nothing for W = L·S to factor.
    std::vector<HeadSpec> branches = headSet(false);
    branches[1].channels = 10;
    try {
        model::buildModel(modelConfig("small_cnn", "mtl_cnn", json::object()), kInput, branches);
        QFAIL("built");
    } catch (const Error &e) {
        QCOMPARE(e.where().key, std::string("tasks[1].options.head"));
    }
}

void TestArchitectures::mtlCnnTakesTheDatasetsGroups()
{
    // The dataset groups a, b as "x" and c, e as "y" (d in none): the same penalty as the
    // lists [[a, b], [c, e]] on the same S, and the groups named in the description.
    std::vector<HeadSpec> heads = headSet(false);
    heads[1].outputGroups = {"x", "x", "y", "", "y"};
    const auto fromDataset = model::buildModel(
        modelConfig("small_cnn", "mtl_cnn", {{"latent_tasks", 2}, {"groups", "dataset"}}), kInput,
        heads);
    const auto listed = model::buildModel(
        modelConfig("small_cnn", "mtl_cnn",
                    {{"latent_tasks", 2},
                     {"groups", json::array({json::array({"a", "b"}), json::array({"c", "e"})})}}),
        kInput, headSet(false));
    const torch::Tensor s = torch::tensor({{3.0, 4.0, -1.0, 0.5, 2.0}, {1.0, 0.0, 2.0, 5.0, 0.0}});
    for (const auto &net : {fromDataset, listed}) {
        torch::NoGradGuard noGrad;
        net->named_parameters()["head_looks.S"].copy_(s);
    }
    const torch::Tensor x = torch::rand({2, 1, 12, 12});
    const double a = fromDataset->forward(x).extraLosses[0].second.item<double>();
    const double b = listed->forward(x).extraLosses[0].second.item<double>();
    // k = 0: ‖(3, 4)‖ + ‖(−1, 2)‖ + |0.5|; k = 1: ‖(1, 0)‖ + ‖(2, 0)‖ + |5|.
    const double expected = 1e-3 * (5.0 + std::sqrt(5.0) + 0.5 + 1.0 + 2.0 + 5.0);
    QVERIFY2(std::abs(a - expected) < 1e-6, qPrintable(QString::number(a)));
    QCOMPARE(a, b);
    const QString summary = QString::fromStdString(fromDataset->describe().summary);
    QVERIFY2(summary.contains(QStringLiteral("3 attribute groups (from the dataset: x 2, y 2)")),
             qPrintable(summary));

    // A dataset that groups none of the attributes: the error names the option.
    try {
        model::buildModel(modelConfig("small_cnn", "mtl_cnn", {{"groups", "dataset"}}), kInput,
                          headSet(false));
        QFAIL("built");
    } catch (const Error &e) {
        QCOMPARE(e.where().key, std::string("model.sharing_options.groups"));
        QVERIFY2(QString::fromStdString(e.message()).contains(QStringLiteral("--attribute-groups")),
                 e.what());
    }
}

namespace {
std::vector<HeadSpec> sceneHeads()
{
    return {{"semantic", HeadSpec::Kind::Dense, 4, {}, "segmentation"},
            {"count", HeadSpec::Kind::Vector, 3, {}, "classification"},
            {"depth", HeadSpec::Kind::Dense, 1, {}, "depth"},
            {"normals", HeadSpec::Kind::Dense, 3, {}, "normals"}};
}
} // namespace

void TestArchitectures::consistencyTransfersBetweenDenseTasks()
{
    const auto net =
        model::buildModel(modelConfig("segnet", "consistency", {{"alpha", 0.2}, {"gamma", 0.3}}),
                          kInput, sceneHeads());
    const model::ModelOutput out = net->forward(torch::rand({2, 1, 12, 12}));
    // Every ordered pair of the three dense tasks (0, 2, 3); the vector task takes no part.
    QCOMPARE(out.transferred.size(), std::size_t(6));
    std::set<std::pair<std::size_t, std::size_t>> pairs;
    for (const model::TransferredPrediction &t : out.transferred) {
        pairs.insert({t.from, t.to});
        QVERIFY(t.from != 1 && t.to != 1 && t.from != t.to);
        QCOMPARE(shapeText(t.prediction),
                 QStringLiteral("2x%1x12x12").arg(out.tasks[t.to].size(1)));
        QCOMPARE(t.weight, t.to == 0 ? 0.3 : 0.2);
        QCOMPARE(t.agreement, std::string(t.to == 0 ? "cross" : t.to == 2 ? "l1" : "cosine"));
        QVERIFY(t.againstDirect && !t.againstTruth);
        QVERIFY(t.prediction.requires_grad());
    }
    QCOMPARE(pairs.size(), std::size_t(6));
    // The encoder is segnet's (2 of 4 stages with the tiny options); each task decodes.
    QCOMPARE(out.shared.size(2), 3);
    const model::ModelDescription d = net->describe();
    QVERIFY2(d.summary.rfind("cross-task consistency: encoder of 2 of 4 stages, a decoder per "
                             "task, 6 transfer networks, heads:",
                             0) == 0,
             d.summary.c_str());
    QCOMPARE(net->parameterGroups().back().name, std::string("transfer"));
    // Evaluation reads the direct predictions only: no transfer runs.
    net->eval();
    QVERIFY(net->forward(torch::rand({2, 1, 12, 12})).transferred.empty());

    const auto chosen = model::buildModel(
        modelConfig("small_cnn", "consistency",
                    {{"pairs", json::array({json::array({"normals", "semantic"})})},
                     {"target", "ground_truth"},
                     {"segmentation_agreement", "kl"}}),
        kInput, sceneHeads());
    const model::ModelOutput one = chosen->forward(torch::rand({2, 1, 12, 12}));
    QCOMPARE(one.transferred.size(), std::size_t(1));
    QCOMPARE(one.transferred[0].from, std::size_t(3));
    QCOMPARE(one.transferred[0].to, std::size_t(0));
    QCOMPARE(one.transferred[0].agreement, std::string("kl"));
    QVERIFY(!one.transferred[0].againstDirect && one.transferred[0].againstTruth);
    QVERIFY(chosen->describe().summary.rfind("cross-task consistency: every stage shared", 0) == 0);
}

void TestArchitectures::consistencyDirectPartIsHard()
{
    // The transfer networks are built after everything hard sharing builds, so with the same
    // seed the direct part is hard sharing split at the encoder, step by step.
    const std::vector<HeadSpec> heads = sceneHeads();
    torch::manual_seed(5);
    const auto consistency =
        model::buildModel(modelConfig("segnet", "consistency", json::object()), kInput, heads);
    torch::manual_seed(5);
    const auto hard =
        model::buildModel(modelConfig("segnet", "hard", {{"split_at", 2}}), kInput, heads);
    const std::vector<double> a = trainAndRecord(*consistency, 3, /*transfers*/ false);
    const std::vector<double> b = trainAndRecord(*hard, 3);
    QCOMPARE(a, b);
}

void TestArchitectures::consistencyPairsNameTheirKey_data()
{
    QTest::addColumn<json>("options");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("unknown task") << json{{"pairs",
                                           json::array({json::array({"semantic", "height"})})}}
                                  << QStringLiteral("names no task 'height'");
    QTest::newRow("vector task") << json{{"pairs", json::array({json::array({"count", "depth"})})}}
                                 << QStringLiteral("task 'count' is not a dense task");
    QTest::newRow("self") << json{{"pairs", json::array({json::array({"depth", "depth"})})}}
                          << QStringLiteral("transfers a task to itself");
}

void TestArchitectures::consistencyPairsNameTheirKey()
{
    QFETCH(json, options);
    QFETCH(QString, fragment);
    try {
        model::buildModel(modelConfig("small_cnn", "consistency", options), kInput, sceneHeads());
        QFAIL("built");
    } catch (const Error &e) {
        QVERIFY2(e.code() == ErrorCode::Config, e.what());
        QCOMPARE(e.where().key, std::string("model.sharing_options.pairs"));
        QVERIFY2(QString::fromStdString(e.message()).contains(fragment), e.what());
    }
}

void TestArchitectures::channelsLastKeepsTheValues()
{
    const auto net =
        model::buildModel(modelConfig("resnet18", "hard", json::object()), kInput, headSet(true));
    net->eval();
    const torch::Tensor x = torch::rand({3, 1, 12, 12});
    const model::ModelOutput before = net->forward(x);
    model::toChannelsLast(*net);
    // Every 4-D weight must make the kernels choose NHWC, the one-channel stem and 1×1 kernels
    // too: those are contiguous in both formats, and left NCHW-strided by contiguous() they
    // turned the first stage NCHW and cost a conversion per layer boundary (+20–30% once fixed).
    int weights = 0;
    for (const torch::Tensor &p : net->parameters())
        if (p.dim() == 4) {
            QCOMPARE(p.suggest_memory_format(), torch::MemoryFormat::ChannelsLast);
            ++weights;
        }
    QVERIFY(weights > 10);
    QCOMPARE(x.contiguous(torch::MemoryFormat::ChannelsLast).suggest_memory_format(),
             torch::MemoryFormat::Contiguous); // why contiguous() is not enough
    const torch::Tensor nhwc = model::inMemoryFormat(x, torch::MemoryFormat::ChannelsLast);
    QCOMPARE(nhwc.suggest_memory_format(), torch::MemoryFormat::ChannelsLast);
    QVERIFY(torch::equal(nhwc, x));
    const model::ModelOutput after = net->forward(nhwc);
    for (std::size_t t = 0; t < before.tasks.size(); ++t) {
        QVERIFY(torch::allclose(before.tasks[t], after.tasks[t], 1e-4, 1e-5));
        if (after.tasks[t].dim() == 4) // the dense heads' maps came through in NHWC
            QCOMPARE(after.tasks[t].suggest_memory_format(), torch::MemoryFormat::ChannelsLast);
    }
    // Back to NCHW, and a tensor already in its format is not copied.
    QCOMPARE(model::inMemoryFormat(nhwc, torch::MemoryFormat::Contiguous).suggest_memory_format(),
             torch::MemoryFormat::Contiguous);
    QVERIFY(model::inMemoryFormat(nhwc, torch::MemoryFormat::ChannelsLast).is_same(nhwc));
}

void TestArchitectures::badStageOptionsNameTheirKey_data()
{
    QTest::addColumn<std::string>("backbone");
    QTest::addColumn<json>("backboneOptions");
    QTest::addColumn<std::string>("sharing");
    QTest::addColumn<json>("options");
    QTest::addColumn<std::string>("key");
    QTest::addColumn<QString>("fragment");
    const json none = json::object();
    QTest::newRow("split_at beyond the stages")
        << std::string("small_cnn") << none << std::string("hard") << json{{"split_at", 4}}
        << std::string("model.sharing_options.split_at") << QStringLiteral("has 3 stages");
    QTest::newRow("cross-stitch after a stage that does not exist")
        << std::string("stitch_cnn") << none << std::string("cross_stitch")
        << json{{"after", {0, 3}}} << std::string("model.sharing_options.after")
        << QStringLiteral("stage 3 does not exist");
    QTest::newRow("split_at beyond resnet18's five stages")
        << std::string("resnet18") << none << std::string("hard") << json{{"split_at", 6}}
        << std::string("model.sharing_options.split_at") << QStringLiteral("has 5 stages");
    // 12×12 through conv 11×11 stride 4 and 3×3 pooling: nothing is left after conv2.
    QTest::newRow("experts without a stage of their own")
        << std::string("small_cnn") << none << std::string("mmoe") << json{{"shared_stages", 3}}
        << std::string("model.sharing_options.shared_stages")
        << QStringLiteral("the experts need at least the last one");
    QTest::newRow("dselect_k picking more than there are")
        << std::string("small_cnn") << none << std::string("dselect_k")
        << json{{"experts", 4}, {"selected", 5}} << std::string("model.sharing_options.selected")
        << QStringLiteral("picks 5 of 4 experts");
    QTest::newRow("cgc without any expert")
        << std::string("small_cnn") << none << std::string("cgc")
        << json{{"shared_experts", 0}, {"task_experts", 0}}
        << std::string("model.sharing_options.task_experts")
        << QStringLiteral("at least one expert");
    QTest::newRow("an attribute group naming an unknown attribute")
        << std::string("small_cnn") << none << std::string("mtl_cnn")
        << json{{"groups", json::array({json::array({"a", "b"}), json::array({"c", "zebra"})})}}
        << std::string("model.sharing_options.groups[1][1]")
        << QStringLiteral("'zebra' is not an attribute of an attributes task (a, b, c, d, e)");
    QTest::newRow("alexnet's ImageNet stem on 12×12 images")
        << std::string("alexnet") << json{{"stem", "imagenet"}} << std::string("hard") << none
        << std::string("model.backbone") << QStringLiteral("cannot take 12×12 images");
    // 12 → 6 → 3 → 1 → 0: a fourth pooling leaves nothing.
    QTest::newRow("segnet pooling a 12×12 image four times")
        << std::string("segnet") << json{{"blocks", 4}} << std::string("hard") << none
        << std::string("model.backbone_options.blocks") << QStringLiteral("use at most 3 blocks");
}

void TestArchitectures::badStageOptionsNameTheirKey()
{
    QFETCH(std::string, backbone);
    QFETCH(json, backboneOptions);
    QFETCH(std::string, sharing);
    QFETCH(json, options);
    QFETCH(std::string, key);
    QFETCH(QString, fragment);
    try {
        model::buildModel(modelConfig(backbone, sharing, options, backboneOptions), kInput,
                          headSet(false));
        QFAIL("built");
    } catch (const Error &e) {
        QVERIFY2(e.code() == ErrorCode::Config, e.what());
        QCOMPARE(e.where().key, key);
        QVERIFY2(QString::fromStdString(e.message()).contains(fragment), e.what());
    }
}

void TestArchitectures::stageShapesMatchThePapers_data()
{
    QTest::addColumn<std::string>("backbone");
    QTest::addColumn<json>("options");
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("shapes");
    // torchvision's resnet18 on 224×224: 56, 56, 28, 14, 7.
    QTest::newRow("resnet18, ImageNet stem, 224 px")
        << std::string("resnet18") << json{{"stem", "imagenet"}} << QStringLiteral("3x224x224")
        << QStringLiteral("64x56x56 64x56x56 128x28x28 256x14x14 512x7x7");
    QTest::newRow("resnet34, small-input stem, 28 px")
        << std::string("resnet34") << json::object() << QStringLiteral("1x28x28")
        << QStringLiteral("64x28x28 64x28x28 128x14x14 256x7x7 512x4x4");
    // AlexNet on 227×227: 55 → 27, 27 → 13, 13, 13, 13 → 6 (9216 inputs to fc6).
    QTest::newRow("alexnet, ImageNet stem, 227 px")
        << std::string("alexnet") << json::object() << QStringLiteral("3x227x227")
        << QStringLiteral("64x27x27 192x13x13 384x13x13 256x13x13 256x6x6 4096x1x1 4096x1x1");
    QTest::newRow("alexnet, small-input stem, 28 px")
        << std::string("alexnet") << json{{"fc_units", 1024}} << QStringLiteral("1x28x28")
        << QStringLiteral("64x14x14 192x7x7 384x7x7 256x7x7 256x3x3 1024x1x1 1024x1x1");
    // The decoder mirrors the encoder back to the input's size, odd sizes included.
    QTest::newRow("segnet, 4 blocks, 64 px")
        << std::string("segnet") << json::object() << QStringLiteral("1x64x64")
        << QStringLiteral("16x32x32 32x16x16 64x8x8 128x4x4 64x8x8 32x16x16 16x32x32 16x64x64");
    QTest::newRow("segnet, 3 blocks, 28 px")
        << std::string("segnet") << json{{"blocks", 3}, {"width", 8}} << QStringLiteral("3x28x28")
        << QStringLiteral("8x14x14 16x7x7 32x3x3 16x7x7 8x14x14 8x28x28");
}

void TestArchitectures::stageShapesMatchThePapers()
{
    QFETCH(std::string, backbone);
    QFETCH(json, options);
    QFETCH(QString, input);
    QFETCH(QString, shapes);
    const QStringList dims = input.split(QLatin1Char('x'));
    const model::InputShape in{dims[0].toLongLong(), dims[1].toLongLong(), dims[2].toLongLong()};
    // {0, 0}: no layers built, shapes only.
    const model::BackbonePtr net = model::backbones().find(backbone)->make(in, options, {0, 0});
    QStringList got;
    for (int stage = 0; stage < net->stageCount(); ++stage) {
        const model::FeatureShape s = net->stageShape(stage);
        got << QStringLiteral("%1x%2x%3").arg(s.channels).arg(s.height).arg(s.width);
    }
    QCOMPARE(got.join(QLatin1Char(' ')), shapes);
    QVERIFY(net->parameters().empty());
}

void TestArchitectures::normChoosesTheLayers_data()
{
    QTest::addColumn<std::string>("norm");
    QTest::addColumn<QString>("present");
    QTest::addColumn<QString>("absent");
    QTest::newRow("batch") << std::string("batch") << QStringLiteral("bn1.running_mean")
                           << QStringLiteral("gn1.weight");
    QTest::newRow("group") << std::string("group") << QStringLiteral("gn1.weight")
                           << QStringLiteral("bn1.weight");
    QTest::newRow("none") << std::string("none") << QStringLiteral("conv1.bias")
                          << QStringLiteral("bn1.weight");
}

void TestArchitectures::normChoosesTheLayers()
{
    QFETCH(std::string, norm);
    QFETCH(QString, present);
    QFETCH(QString, absent);
    for (const std::string backbone : {"small_cnn", "resnet18", "alexnet"}) {
        json options = tinyBackboneOptions(backbone);
        options["norm"] = norm;
        const model::BackbonePtr net = model::backbones().find(backbone)->make(kInput, options, {});
        QStringList names;
        for (const auto &item : net->named_parameters())
            names << QString::fromStdString(item.key());
        for (const auto &item : net->named_buffers())
            names << QString::fromStdString(item.key());
        QVERIFY2(names.contains(present),
                 qPrintable(QString::fromStdString(backbone) + QStringLiteral(": ") +
                            names.join(QLatin1Char(' '))));
        QVERIFY2(!names.contains(absent), qPrintable(QString::fromStdString(backbone)));
    }
}

QTEST_APPLESS_MAIN(TestArchitectures)
#include "tst_architectures.moc"
