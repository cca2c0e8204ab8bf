// Loss weighting and the gradient collector on tiny hand-computed cases (two tasks, shared
// parameters with known gradients); the weighting method's state travels in checkpoints with
// the model, the optimiser, the generator and the probes.

#include "common/error.h"
#include "model/factory.h"
#include "train/checkpointer.h"
#include "train/collective.h"
#include "train/gradients.h"
#include "train/optimizer.h"
#include "train/probe.h"
#include "train/weighting.h"

#include <torch/optim/adam.h>
#include <torch/serialize/archive.h>
#include <torch/types.h>

#include <QTest>

using namespace mtl;

namespace {

// w = [1, 2], v = [3, 4, 5]:
//   L1 = 3·(w0 + w1)           ∂L1/∂w = [3, 3]        ∂L1/∂v = 0
//   L2 = w0·w1 + Σ v²          ∂L2/∂w = [w1, w0] = [2, 1]   ∂L2/∂v = 2v = [6, 8, 10]
struct Case {
    torch::Tensor w = torch::tensor({1.0f, 2.0f}).requires_grad_();
    torch::Tensor v = torch::tensor({3.0f, 4.0f, 5.0f}).requires_grad_();
    std::vector<torch::Tensor> losses() const
    {
        return {3 * (w[0] + w[1]), w[0] * w[1] + v.pow(2).sum()};
    }
};

std::vector<float> values(const torch::Tensor &t)
{
    const torch::Tensor c = t.detach().to(torch::kFloat32).contiguous().reshape({-1});
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

// A method with state, to see the checkpoint carry it: counts steps and keeps a tensor.
class CountingWeighting final : public train::WeightingMethod {
public:
    std::string name() const override { return "counting"; }
    std::vector<double> backward(const std::vector<at::Tensor> &losses,
                                 const train::WeightingContext &context) override
    {
        ++steps;
        at::Tensor total = losses[0] + losses[1];
        total.backward();
        return {1.0, 1.0};
    }
    void afterOptimizerStep() override { ++afterSteps; }
    void save(torch::serialize::OutputArchive &archive) const override
    {
        archive.write("steps", torch::tensor(steps));
        archive.write("history", history);
    }
    void load(torch::serialize::InputArchive &archive) override
    {
        torch::Tensor s;
        archive.read("steps", s);
        steps = s.item<std::int64_t>();
        archive.read("history", history);
    }
    std::int64_t steps = 0, afterSteps = 0;
    torch::Tensor history = torch::zeros({2});
};

class RememberingProbe final : public train::Probe {
public:
    std::string name() const override { return "remembering"; }
    nlohmann::json saveState() const override { return {{"seen", seen}}; }
    void loadState(const nlohmann::json &state) override { seen = state.value("seen", -1); }
    int seen = 0;
};

} // namespace

class TestWeighting : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void equalSumsTheLosses();
    void equalAddsTheExtraLoss();
    void taskGradientsByHand();
    void taskGradientsOfARepresentation();
    void accumulateGradientAdds();
    void registryMakesByName();
    void optimizerGroupsTakeTheirSettings();
    void optimizerGroupThatDoesNotExist();
    void checkpointCarriesEveryState();
};

void TestWeighting::equalSumsTheLosses()
{
    Case c;
    train::EqualWeighting equal;
    train::LocalCollective local;
    train::WeightingContext context;
    context.sharedParameters = {c.w};
    context.collective = &local;
    const std::vector<double> weights = equal.backward(c.losses(), context);
    QCOMPARE(weights, (std::vector<double>{1.0, 1.0}));
    QCOMPARE(values(c.w.grad()), (std::vector<float>{3 + 2, 3 + 1}));
    QCOMPARE(values(c.v.grad()), (std::vector<float>{6, 8, 10}));
}

void TestWeighting::equalAddsTheExtraLoss()
{
    Case c;
    train::EqualWeighting equal;
    train::WeightingContext context;
    context.extraLoss = 0.5 * c.v.sum(); // ∂/∂v = 0.5 each
    equal.backward(c.losses(), context);
    QCOMPARE(values(c.v.grad()), (std::vector<float>{6.5, 8.5, 10.5}));
    QCOMPARE(values(c.w.grad()), (std::vector<float>{5, 4}));
}

void TestWeighting::taskGradientsByHand()
{
    Case c;
    const std::vector<torch::Tensor> losses = c.losses();
    const torch::Tensor g = train::taskGradients(losses, {c.w, c.v});
    QCOMPARE(g.size(0), std::int64_t(2));
    QCOMPARE(g.size(1), std::int64_t(5));
    QCOMPARE(values(g[0]), (std::vector<float>{3, 3, 0, 0, 0})); // L1 does not reach v
    QCOMPARE(values(g[1]), (std::vector<float>{2, 1, 6, 8, 10}));
    QVERIFY(!c.w.grad().defined()); // gradients were returned, not accumulated
    // The graph is kept: the losses can still be back-propagated.
    (losses[0] + losses[1]).backward();
    QCOMPARE(values(c.w.grad()), (std::vector<float>{5, 4}));
}

void TestWeighting::taskGradientsOfARepresentation()
{
    // Gradients with respect to a shared representation z = W x, as MGDA-UB takes them.
    const torch::Tensor W = torch::tensor({{1.0f, 0.0f}, {0.0f, 2.0f}}).requires_grad_();
    const torch::Tensor x = torch::tensor({1.0f, 1.0f});
    const torch::Tensor z = torch::matmul(W, x); // [1, 2]
    const std::vector<torch::Tensor> losses{z.sum(), z.pow(2).sum()};
    const torch::Tensor g = train::taskGradients(losses, {z});
    QCOMPARE(values(g[0]), (std::vector<float>{1, 1}));
    QCOMPARE(values(g[1]), (std::vector<float>{2, 4})); // 2z
}

void TestWeighting::accumulateGradientAdds()
{
    Case c;
    train::accumulateGradient(torch::tensor({1.0f, 2.0f, 3.0f, 4.0f, 5.0f}), {c.w, c.v});
    QCOMPARE(values(c.w.grad()), (std::vector<float>{1, 2}));
    train::accumulateGradient(torch::tensor({1.0f, 1.0f, 1.0f, 1.0f, 1.0f}), {c.w, c.v});
    QCOMPARE(values(c.v.grad()), (std::vector<float>{4, 5, 6}));
    try {
        train::accumulateGradient(torch::ones({4}), {c.w, c.v});
        QFAIL("a gradient of the wrong length was accepted");
    } catch (const Error &e) {
        QVERIFY2(e.code() == ErrorCode::Training, e.what());
    }
}

void TestWeighting::registryMakesByName()
{
    QVERIFY(train::weightingMethods().find("equal"));
    const auto method =
        train::makeWeighting({"equal", nlohmann::json::object()}, {{"a"}, {"b"}},
                             c10::Device(c10::kCPU));
    QCOMPARE(QString::fromStdString(method->name()), QStringLiteral("equal"));
    QVERIFY(method->parameters().empty());
    try {
        train::makeWeighting({"nope", {}}, {{"a"}, {"b"}}, c10::Device(c10::kCPU));
        QFAIL("an unknown method was made");
    } catch (const Error &e) {
        QVERIFY2(e.code() == ErrorCode::Config, e.what());
    }
}

void TestWeighting::optimizerGroupsTakeTheirSettings()
{
    const torch::Tensor a = torch::ones({2}).requires_grad_();
    const torch::Tensor b = torch::ones({3}).requires_grad_();
    const torch::Tensor h = torch::ones({1}).requires_grad_();
    experiment::OptimizerConfig config;
    config.lr = 0.01;
    config.weightDecay = 0.1;
    // No groups configured: one group of every parameter, in order.
    auto plain = train::makeOptimizer(
        config, {{"shared", false, {a, b}}, {"head.t", true, {h}}, {"weighting", false, {}}});
    QCOMPARE(plain->param_groups().size(), std::size_t(1));
    QCOMPARE(plain->param_groups()[0].params().size(), std::size_t(3));
    QVERIFY(plain->param_groups()[0].params()[2].is_same(h));

    config.groups["heads"].lrScale = 10;
    config.groups["shared"].weightDecay = 0.0;
    auto grouped = train::makeOptimizer(config, {{"shared", false, {a, b}}, {"head.t", true, {h}}});
    QCOMPARE(grouped->param_groups().size(), std::size_t(2));
    const auto &shared =
        static_cast<const torch::optim::AdamOptions &>(grouped->param_groups()[0].options());
    const auto &head =
        static_cast<const torch::optim::AdamOptions &>(grouped->param_groups()[1].options());
    QCOMPARE(shared.lr(), 0.01);
    QCOMPARE(shared.weight_decay(), 0.0);
    QCOMPARE(head.lr(), 0.1);
    QCOMPARE(head.weight_decay(), 0.1);

    // A strategy's own advice (cross-stitch α at 100× the rate) holds until the config names
    // the group; then the config's lr_scale replaces it, it does not multiply it.
    const torch::Tensor alpha = torch::ones({2, 2}).requires_grad_();
    config.groups.clear();
    auto advised = train::makeOptimizer(
        config, {{"shared", false, {a, b}}, {"cross_stitch", false, {alpha}, 100.0}});
    QCOMPARE(advised->param_groups().size(), std::size_t(2));
    QCOMPARE(
        static_cast<const torch::optim::AdamOptions &>(advised->param_groups()[1].options()).lr(),
        1.0);
    config.groups["cross_stitch"].lrScale = 10;
    auto overridden = train::makeOptimizer(
        config, {{"shared", false, {a, b}}, {"cross_stitch", false, {alpha}, 100.0}});
    QCOMPARE(static_cast<const torch::optim::AdamOptions &>(overridden->param_groups()[1].options())
                 .lr(),
             0.1);
}

void TestWeighting::optimizerGroupThatDoesNotExist()
{
    experiment::OptimizerConfig config;
    config.groups["cross_stitch"].lrScale = 100;
    try {
        train::makeOptimizer(config, {{"shared", false, {torch::ones({1}).requires_grad_()}}});
        QFAIL("a group the model does not have was accepted");
    } catch (const Error &e) {
        QCOMPARE(QString::fromStdString(e.where().key),
                 QStringLiteral("optimizer.groups.cross_stitch"));
        QVERIFY2(QString::fromStdString(e.message()).contains(QStringLiteral("heads, shared")),
                 e.what());
    }
}

void TestWeighting::checkpointCarriesEveryState()
{
    torch::manual_seed(3);
    experiment::ModelConfig modelConfig;
    modelConfig.backboneOptions = {{"width", 4}};
    const std::vector<model::HeadSpec> heads{{"a", model::HeadSpec::Kind::Vector, 3, {}},
                                             {"b", model::HeadSpec::Kind::Vector, 2, {}}};
    const auto net = model::buildModel(modelConfig, {1, 8, 8}, heads);
    torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(0.01));
    CountingWeighting weighting;
    RememberingProbe probe;
    train::Checkpointer checkpointer(*net, adam, weighting, {&probe}, c10::Device(c10::kCPU));

    // Two steps, so the optimiser has moments and the method a count.
    for (int i = 0; i < 2; ++i) {
        adam.zero_grad();
        const auto out = net->forward(torch::rand({4, 1, 8, 8}));
        weighting.backward({out.tasks[0].pow(2).mean(), out.tasks[1].pow(2).mean()}, {});
        adam.step();
    }
    weighting.history = torch::tensor({0.25f, 0.75f});
    probe.seen = 7;
    const store::Checkpoint saved = checkpointer.capture(1, 2);
    QCOMPARE(saved.step, std::int64_t(2));
    QVERIFY(!saved.state.empty());
    const torch::Tensor nextDraw = torch::rand({3}); // what the generator gives after the save

    // Everything changes, then comes back.
    torch::manual_seed(42);
    for (auto &p : net->parameters())
        p.data().uniform_();
    weighting.steps = 0;
    weighting.history = torch::zeros({2});
    probe.seen = 0;
    checkpointer.restore(saved);
    QCOMPARE(weighting.steps, std::int64_t(2));
    QCOMPARE(values(weighting.history), (std::vector<float>{0.25f, 0.75f}));
    QCOMPARE(probe.seen, 7);
    QVERIFY(torch::equal(torch::rand({3}), nextDraw)); // the generator continues as saved
    const store::Checkpoint again = checkpointer.capture(1, 2);
    QVERIFY(again.model == saved.model);
    QVERIFY(again.optimizer == saved.optimizer);

    // A checkpoint of schema version 1 has no state: the rest starts afresh.
    store::Checkpoint old = saved;
    old.state.clear();
    weighting.steps = 5;
    checkpointer.restore(old);
    QCOMPARE(weighting.steps, std::int64_t(5));
}

QTEST_APPLESS_MAIN(TestWeighting)
#include "tst_weighting.moc"
