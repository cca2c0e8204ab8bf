// Every weighting method against a case computed by hand: two tasks on a tiny linear model
// whose gradients are known, in both gradient spaces (the shared representation and the
// shared parameters), plus the solvers the gradient methods share.

#include "weightingfixture.h"

#include "common/error.h"

using namespace mtl;
using namespace mtl::testing;

class TestWeightingMethods : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void simplexProjection();
    void minNormPoint();
    void pcgradProjectsConflicts_data();
    void pcgradProjectsConflicts();
    void mgdaMinNormWeight_data();
    void mgdaMinNormWeight();
    void mgdaNormalizations();
    void cagrad_data();
    void cagrad();
    void extraLossReachesEverything_data();
    void extraLossReachesEverything();
    void representationThatIsNotThere();
    void describesItsSpace();
    void gradnormMovesTowardsBalancedNorms_data();
    void gradnormMovesTowardsBalancedNorms();
    void uncertaintyForms();
    void dwaAfterTwoEpochs();
    void rlwDrawsFromItsOwnSeed();
    void glsIsTheGeometricMean();
    void staticWeightsByName();
};

void TestWeightingMethods::simplexProjection()
{
    COMPARE_NEAR(train::projectToSimplex({0.5, 0.5}), {0.5, 0.5});
    COMPARE_NEAR(train::projectToSimplex({2, 0}), {1, 0});
    COMPARE_NEAR(train::projectToSimplex({0.3, 0.3, 0.3}), {1 / 3.0, 1 / 3.0, 1 / 3.0});
    // θ = −0.15: (0.5 + 0.15) + (0.2 + 0.15) = 1, and −1 is cut to 0.
    COMPARE_NEAR(train::projectToSimplex({-1, 0.5, 0.2}), {0, 0.65, 0.35});
}

void TestWeightingMethods::minNormPoint()
{
    // g1 = [1, 0], g2 = [−1, 1]: γ = (1 + 1)/(1 + 2 + 2) on g2.
    COMPARE_NEAR(train::minNormWeights({{1, -1}, {-1, 2}}), {0.6, 0.4});
    // One gradient inside the others' hull's far side: g1 = [1, 0], g2 = [0, 1], g3 = [1, 1].
    COMPARE_NEAR(train::minNormWeights({{1, 0, 1}, {0, 1, 1}, {1, 1, 2}}), {0.5, 0.5, 0});
    // Three unit gradients 120° apart: the hull holds 0, at equal weights (Frank–Wolfe).
    const double c = -0.5;
    const std::vector<double> w = train::minNormWeights({{1, c, c}, {c, 1, c}, {c, c, 1}}, 2000);
    QVERIFY2(near(w, {1 / 3.0, 1 / 3.0, 1 / 3.0}, 1e-2), qPrintable(show(w)));
}

void TestWeightingMethods::pcgradProjectsConflicts_data()
{
    QTest::addColumn<bool>("representation");
    QTest::newRow("representation") << true;
    QTest::newRow("parameters") << false;
}

void TestWeightingMethods::pcgradProjectsConflicts()
{
    // g1·g2 = −1 < 0: g1' = g1 + ½g2 = [½, ½], g2' = g2 + g1 = [0, 1]; d = [½, 3/2]
    // = 2·g1 + 3/2·g2. In either order, in either space; the heads keep their own gradients.
    QFETCH(bool, representation);
    for (std::uint64_t seed : {0, 1, 2}) {
        Linear m;
        const auto method = make("pcgrad", {{"gradients", space(representation)}},
                                 {{"one", false}, {"two", false}}, seed);
        COMPARE_NEAR(m.step(*method), {2, 1.5});
        COMPARE_NEAR(values(m.theta.grad()), {1, 3});
        COMPARE_NEAR(values(m.a.grad()), {2});
        COMPARE_NEAR(values(m.b.grad()), {2});
    }
}

void TestWeightingMethods::mgdaMinNormWeight_data()
{
    pcgradProjectsConflicts_data();
}

void TestWeightingMethods::mgdaMinNormWeight()
{
    // α = [0.6, 0.4]: d = [0.2, 0.4], and d·g1 = d·g2 = 0.2 (the min-norm point).
    QFETCH(bool, representation);
    Linear m;
    const auto method = make("mgda", {{"gradients", space(representation)}});
    COMPARE_NEAR(m.step(*method), {0.6, 0.4});
    COMPARE_NEAR(values(m.theta.grad()), {0.4, 0.8});
    COMPARE_NEAR(values(m.a.grad()), {2});
}

void TestWeightingMethods::mgdaNormalizations()
{
    // l2: unit gradients [1, 0] and [−1, 1]/√2 meet at equal weights; coefficients on the
    // raw gradients ½ and ½/√2; d = [½ − ½/√2, ½/√2].
    {
        Linear m;
        const auto method = make("mgda", {{"normalization", "l2"}});
        const double r = 0.5 / std::sqrt(2.0);
        COMPARE_NEAR(m.step(*method), {0.5, r});
        COMPARE_NEAR(values(m.theta.grad()), {2 * (0.5 - r), 2 * r});
    }
    // loss: both losses are 2, so the weights halve: [0.3, 0.2].
    {
        Linear m;
        const auto method = make("mgda", {{"normalization", "loss"}});
        COMPARE_NEAR(m.step(*method), {0.3, 0.2});
        COMPARE_NEAR(values(m.theta.grad()), {0.2, 0.4});
    }
}

void TestWeightingMethods::cagrad_data()
{
    QTest::addColumn<double>("c");
    QTest::addColumn<std::vector<double>>("coefficients");
    // c = 0: the mean gradient g₀ = [0, ½], equal weighting's direction over T.
    QTest::newRow("c = 0") << 0.0 << std::vector<double>{0.5, 0.5};
    // c = ½: ‖g₀‖ = ½, √φ = ¼; w = [1, 0] minimises g_wᵀg₀ + ¼‖g_w‖ (g1ᵀg₀ = 0, ‖g1‖ = 1),
    // λ = ¼/‖g1‖ = ¼; (½ + ¼, ½)/(1 + ¼) = [0.6, 0.4].
    QTest::newRow("c = 0.5") << 0.5 << std::vector<double>{0.6, 0.4};
}

void TestWeightingMethods::cagrad()
{
    QFETCH(double, c);
    QFETCH(std::vector<double>, coefficients);
    for (bool representation : {true, false}) {
        Linear m;
        const auto method = make("cagrad", {{"c", c}, {"gradients", space(representation)}});
        const std::vector<double> weights = m.step(*method);
        QVERIFY2(near(weights, coefficients, 1e-4), qPrintable(show(weights)));
        const std::vector<double> d{coefficients[0] - coefficients[1], coefficients[1]};
        QVERIFY2(near(values(m.theta.grad()), {2 * d[0], 2 * d[1]}, 1e-4),
                 qPrintable(show(values(m.theta.grad()))));
    }
    // c = 0 with equal weighting's sum: the same direction, T times as long.
    Linear m;
    train::EqualWeighting equal;
    m.step(equal);
    COMPARE_NEAR(values(m.theta.grad()), {0, 2});
}

void TestWeightingMethods::extraLossReachesEverything_data()
{
    pcgradProjectsConflicts_data();
}

void TestWeightingMethods::extraLossReachesEverything()
{
    // A model's own loss (e.g. a sparsity penalty) is added once, whatever the method does.
    QFETCH(bool, representation);
    Linear m;
    const auto method = make("mgda", {{"gradients", space(representation)}});
    const std::vector<torch::Tensor> l = m.losses();
    train::WeightingContext context = m.context();
    context.extraLoss = m.theta.sum() + 3 * m.a.sum();
    method->backward(l, context);
    COMPARE_NEAR(values(m.theta.grad()), {1.4, 1.8});
    COMPARE_NEAR(values(m.a.grad()), {5});
    COMPARE_NEAR(values(m.b.grad()), {2});
}

void TestWeightingMethods::representationThatIsNotThere()
{
    Linear m;
    const auto method = make("pcgrad", {{"gradients", "representation"}});
    try {
        m.step(*method, /*representation*/ false);
        QFAIL("representation gradients without a representation");
    } catch (const Error &e) {
        QVERIFY2(e.code() == ErrorCode::Config, e.what());
        QCOMPARE(QString::fromStdString(e.where().key),
                 QStringLiteral("weighting.options.gradients"));
    }
    // auto falls back to the parameters.
    Linear n;
    const auto automatic = make("pcgrad", {});
    automatic->backward(n.losses(), n.context(false));
    COMPARE_NEAR(values(n.theta.grad()), {1, 3});
}

void TestWeightingMethods::describesItsSpace()
{
    const auto method = make("mgda", {});
    QVERIFY(
        QString::fromStdString(method->describe(true)).contains(QStringLiteral("representation")));
    QVERIFY(QString::fromStdString(method->describe(false)).contains(QStringLiteral("parameters")));
    QVERIFY(QString::fromStdString(make("gradnorm", {})->describe(false))
                .contains(QStringLiteral("last shared layer")));
}

void TestWeightingMethods::gradnormMovesTowardsBalancedNorms_data()
{
    pcgradProjectsConflicts_data();
}

void TestWeightingMethods::gradnormMovesTowardsBalancedNorms()
{
    // Step 1: r = 1 for both; norms n = [1, √2] (×2 at θ); G = w·n is above its mean for task
    // 2, below for task 1, so the weights' Adam moves each by its lr (0.025) the other way:
    // [1.025, 0.975], still summing to 2. The step's backward used the weights before.
    QFETCH(bool, representation);
    Linear m;
    const auto method = make("gradnorm", {{"gradients", space(representation)}});
    COMPARE_NEAR(m.step(*method, representation), {1, 1});
    COMPARE_NEAR(values(m.theta.grad()), {0, 2}); // ∂(L1 + L2)/∂θ
    m.zeroGrad();
    COMPARE_NEAR(m.step(*method, representation), {1.025, 0.975});
    COMPARE_NEAR(values(m.a.grad()), {1.025 * 2});

    // The state (weights, the first losses, the weights' optimiser) survives a checkpoint.
    torch::serialize::OutputArchive out;
    method->save(out);
    std::stringstream buffer;
    out.save_to(buffer);
    const auto copy = make("gradnorm", {{"gradients", space(representation)}});
    torch::serialize::InputArchive in;
    in.load_from(buffer);
    copy->load(in);
    Linear n;
    const std::vector<double> next = m.step(*method, representation);
    QCOMPARE(n.step(*copy, representation), next);
    QVERIFY(next[0] > 1.025);
}

void TestWeightingMethods::uncertaintyForms()
{
    // s = 0: classification e^0·L + 0 (∂/∂s = −L + ½), regression ½L (∂/∂s = −½L + ½).
    const auto method = make("uncertainty", {}, {{"one", false}, {"two", true}});
    QCOMPARE(method->parameters().size(), std::size_t(1));
    const torch::Tensor L1 = torch::tensor(2.0f).requires_grad_();
    const torch::Tensor L2 = torch::tensor(3.0f).requires_grad_();
    train::WeightingContext context;
    COMPARE_NEAR(method->backward({L1, L2}, context), {1, 0.5});
    COMPARE_NEAR(values(method->parameters()[0].grad()), {-1.5, -1.0});
    COMPARE_NEAR(values(L2.grad()), {0.5});

    const auto one = make("uncertainty", {{"variant", "classification"}, {"init", std::log(2.0)}},
                          {{"one", false}, {"two", true}});
    const torch::Tensor M1 = torch::tensor(2.0f).requires_grad_();
    const torch::Tensor M2 = torch::tensor(3.0f).requires_grad_();
    COMPARE_NEAR(one->backward({M1, M2}, context), {0.5, 0.5}); // e^(−ln 2)
    COMPARE_NEAR(values(one->parameters()[0].grad()), {-1 + 0.5, -1.5 + 0.5});
}

void TestWeightingMethods::dwaAfterTwoEpochs()
{
    // Epoch means [1, 1] then [0.5, 0.8]: r = [0.5, 0.8], λ = 2·softmax(r/2)
    // = 2/(1 + e^{0.15}) and 2/(1 + e^{−0.15}) = [0.925141, 1.074859].
    const auto method = make("dwa", {});
    train::WeightingContext context;
    const auto epoch = [&](int e, std::vector<std::vector<float>> steps) {
        std::vector<double> weights;
        for (const auto &step : steps) {
            weights = method->backward(
                {torch::tensor(step[0]).requires_grad_(), torch::tensor(step[1]).requires_grad_()},
                context);
        }
        method->epochEnded(e, {});
        return weights;
    };
    COMPARE_NEAR(epoch(1, {{1, 1.5}, {1, 0.5}}), {1, 1});
    COMPARE_NEAR(epoch(2, {{0.5, 0.8}}), {1, 1});
    const double first = 2 / (1 + std::exp(0.15));
    COMPARE_NEAR(epoch(3, {{1, 1}}), {first, 2 - first});
}

void TestWeightingMethods::rlwDrawsFromItsOwnSeed()
{
    const auto a = make("rlw", {}, {{"one", false}, {"two", false}, {"three", false}}, 5);
    const auto b = make("rlw", {}, {{"one", false}, {"two", false}, {"three", false}}, 5);
    const auto c = make("rlw", {}, {{"one", false}, {"two", false}, {"three", false}}, 6);
    const auto losses = [] {
        return std::vector<torch::Tensor>{torch::tensor(1.0f).requires_grad_(),
                                          torch::tensor(2.0f).requires_grad_(),
                                          torch::tensor(3.0f).requires_grad_()};
    };
    train::WeightingContext context;
    const std::vector<double> wa = a->backward(losses(), context);
    QCOMPARE(b->backward(losses(), context), wa);
    QVERIFY(c->backward(losses(), context) != wa);
    double sum = 0;
    for (double w : wa) {
        QVERIFY(w > 0 && w < 1);
        sum += w;
    }
    QVERIFY(std::abs(sum - 1) < 1e-9);
    // The weights are those of the step's gradient.
    const auto l = losses();
    const std::vector<double> w = a->backward(l, context);
    QVERIFY(w != wa);
    QVERIFY(std::abs(l[2].grad().item<double>() - w[2]) < 1e-6);
    // A checkpoint carries the generator: the next draws continue.
    torch::serialize::OutputArchive out;
    a->save(out);
    std::stringstream buffer;
    out.save_to(buffer);
    torch::serialize::InputArchive in;
    in.load_from(buffer);
    c->load(in);
    QCOMPARE(c->backward(losses(), context), a->backward(losses(), context));
}

void TestWeightingMethods::glsIsTheGeometricMean()
{
    // (4·1)^{1/2} = 2; ∂/∂L_k = 2/(2·L_k) = [¼, 1].
    const auto method = make("gls", {});
    const torch::Tensor L1 = torch::tensor(4.0f).requires_grad_();
    const torch::Tensor L2 = torch::tensor(1.0f).requires_grad_();
    COMPARE_NEAR(method->backward({L1, L2}, {}), {0.25, 1});
    COMPARE_NEAR(values(L1.grad()), {0.25});
    COMPARE_NEAR(values(L2.grad()), {1});
}

void TestWeightingMethods::staticWeightsByName()
{
    const std::vector<train::Objective> objectives{{"a", false}, {"b.c", false}, {"b.d", false}};
    const auto losses = [] {
        return std::vector<torch::Tensor>{torch::tensor(1.0f).requires_grad_(),
                                          torch::tensor(1.0f).requires_grad_(),
                                          torch::tensor(1.0f).requires_grad_()};
    };
    const auto method = make("static", {{"weights", {{"a", 2}, {"b", 0.5}}}}, objectives);
    const auto l = losses();
    COMPARE_NEAR(method->backward(l, {}), {2, 0.5, 0.5});
    COMPARE_NEAR(values(l[1].grad()), {0.5});
    COMPARE_NEAR(make("static", {{"weights", {{"b.d", 0}}}}, objectives)->backward(losses(), {}),
                 {1, 1, 0});
    for (const auto &[name, value] :
         std::vector<std::pair<std::string, double>>{{"zzz", 1.0}, {"a", -1.0}}) {
        try {
            make("static", {{"weights", {{name, value}}}}, objectives);
            QFAIL("a bad static weight was accepted");
        } catch (const Error &e) {
            QVERIFY2(e.code() == ErrorCode::Config, e.what());
            QCOMPARE(QString::fromStdString(e.where().key),
                     QString::fromStdString("weighting.options.weights." + name));
        }
    }
}

QTEST_APPLESS_MAIN(TestWeightingMethods)
#include "tst_weightingmethods.moc"
