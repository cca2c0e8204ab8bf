// The methods that see several batches per step (SDMGrad, MoDo, Auto-λ) against cases computed
// by hand on the linear fixture (weightingfixture.h). Batch s of a step is the fixture's losses
// times s + 1, so at θ its gradients are (s + 1)·G with G = [[2, 0], [−2, 2]] (G·Gᵀ = 4M,
// M = [[1, −1], [−1, 2]]), and each head's gradient is 2·(s + 1).

#include "weightingfixture.h"

#include "common/error.h"

using namespace mtl;
using namespace mtl::testing;

class TestSampledMethods : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void batchesPerStep_data();
    void batchesPerStep();
    void sdmgradOneIteration();
    void sdmgradLargeLambdaIsTheMeanGradient();
    void modoStepsTheWeights();
    void autoLambdaMetaStep();
    void autoLambdaPrimaryTasks();
    void autoLambdaUnknownPrimary();
    void tooFewBatches();
};

void TestSampledMethods::batchesPerStep_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<int>("batches");
    QTest::newRow("sdmgrad") << "sdmgrad" << 3;
    QTest::newRow("modo") << "modo" << 3;
    QTest::newRow("auto_lambda") << "auto_lambda" << 2;
    QTest::newRow("mgda") << "mgda" << 1;
    QTest::newRow("equal") << "equal" << 1;
}

void TestSampledMethods::batchesPerStep()
{
    QFETCH(QString, method);
    QFETCH(int, batches);
    QCOMPARE(make(method.toStdString(), {})->samplesPerStep(), std::size_t(batches));
}

void TestSampledMethods::sdmgradOneIteration()
{
    // Batches 2 and 3 give G₂·G₃ᵀ = 6·4M; scaled by the squared mean norm (6·(2 + 2√2)²/4 …)
    // the 6 cancels: GG = 4M/(1 + √2)² = [[.686292, −.686292], [−.686292, 1.372583]], its row
    // means [0, .343146]. One SGD step from w = [½, ½]: ∇ = GG·w + 0.3·mean = [0, .446090];
    // w − 5∇ = [.5, −1.730452] → simplex [1, 0]. Weights (w + λ/2)/(1 + λ) = [.884615, .115385]
    // on batch 1's G: θ gets [1.538462, .230769]; each head the mean of its three batches: 4.
    Linear m;
    const auto method = make("sdmgrad", {{"lambda", 0.3}, {"iterations", 1}});
    const std::vector<torch::Tensor> l = m.sample(0);
    const std::vector<double> weights = method->backward(l, m.sampledContext(3));
    COMPARE_NEAR(weights, {0.884615, 0.115385});
    COMPARE_NEAR(values(m.theta.grad()), {1.538462, 0.230769});
    COMPARE_NEAR(values(m.a.grad()), {4});
    COMPARE_NEAR(values(m.b.grad()), {4});
}

void TestSampledMethods::sdmgradLargeLambdaIsTheMeanGradient()
{
    // d = (G_ζᵀw + λ·ḡ)/(1 + λ): as λ grows the weights go to 1/T whatever w is, and θ gets the
    // mean of batch 1's gradients, [0, 1].
    Linear m;
    const auto method = make("sdmgrad", {{"lambda", 1000.0}});
    const std::vector<double> weights = method->backward(m.sample(0), m.sampledContext(3));
    QVERIFY2(near(weights, {0.5, 0.5}, 1e-3), qPrintable(show(weights)));
    QVERIFY2(near(values(m.theta.grad()), {0, 1}, 2e-3), qPrintable(show(values(m.theta.grad()))));
}

void TestSampledMethods::modoStepsTheWeights()
{
    // λ = [½, ½], γ = ρ = 0.1: G₂ᵀλ = 2·[0, 1]; G₁·[0, 2] = [0, 4]; + ρλ = [.05, 4.05];
    // λ − γ·… = [.495, .095] → simplex [.7, .3]. Direction from batch 3: λ·3G = [2.4, 1.8];
    // heads: the mean of 2, 4 and 6.
    Linear m;
    const auto method = make("modo", {{"gamma", 0.1}, {"rho", 0.1}});
    const std::vector<double> weights = method->backward(m.sample(0), m.sampledContext(3));
    COMPARE_NEAR(weights, {0.7, 0.3});
    COMPARE_NEAR(values(m.theta.grad()), {2.4, 1.8});
    COMPARE_NEAR(values(m.a.grad()), {4});
    COMPARE_NEAR(values(m.b.grad()), {4});
    // The weights are the state: a copy through a checkpoint steps the same.
    const auto copy = make("modo", {{"gamma", 0.1}, {"rho", 0.1}});
    copyState(*method, *copy);
    Linear n, o;
    QCOMPARE(copy->backward(n.sample(0), n.sampledContext(3)),
             method->backward(o.sample(0), o.sampledContext(3)));
}

void TestSampledMethods::autoLambdaMetaStep()
{
    // λ = [½, ½], lr 0.1. Virtual step: ∇ of Σλ·L at θ = [1, 2], a = b = 1 is θ: [0, 1],
    // a: 1, b: 1, so θ' = [1, 1.9], a' = b' = 0.9. The meta batch (batch 2: 2L, both primary)
    // has ∇θ' = [2a'·2 − 2b'·2, 2b'·2] = [0, 3.6], ∇a' = 4θ0' = 4, ∇b' = 4(θ1' − θ0') = 3.6.
    // ∂L_meta/∂λ_k = −0.1·∇L_k(θ)·that: ∇L1 = (θ: [2, 0], a: 2) → −0.1·8 = −0.8;
    // ∇L2 = (θ: [−2, 2], b: 2) → −0.1·(7.2 + 7.2) = −1.44. Both negative: Adam's first step
    // (lr 0.01) raises both weights by 0.01. The model then trains on Σ λ'·L at θ, restored:
    // θ: [.51·2 − .51·2, .51·2] = [0, 1.02], each head 1.02.
    Linear m;
    const auto method = make("auto_lambda", {{"init", 0.5}, {"lr", 0.01}});
    const std::vector<double> weights = method->backward(m.sample(0), m.sampledContext(2));
    COMPARE_NEAR(weights, {0.51, 0.51});
    COMPARE_NEAR(values(m.theta), {1, 2});
    COMPARE_NEAR(values(m.a), {1});
    COMPARE_NEAR(values(m.b), {1});
    COMPARE_NEAR(values(m.theta.grad()), {0, 1.02});
    COMPARE_NEAR(values(m.a.grad()), {1.02});
    COMPARE_NEAR(values(m.b.grad()), {1.02});
}

void TestSampledMethods::autoLambdaPrimaryTasks()
{
    // Only task one primary: the meta loss is 2·a'·2θ0' with ∇θ' = [4a', 0] = [3.6, 0],
    // ∇a' = 4θ0' = 4. ∂/∂λ1 = −0.1·(2·3.6 + 2·4) = −1.52 (λ1 rises); ∂/∂λ2 = −0.1·(−2·3.6)
    // = +0.72 (λ2 falls): task two's step hurts task one on the meta batch.
    Linear m;
    const auto method = make("auto_lambda", {{"init", 0.5}, {"lr", 0.01}, {"primary", "one"}});
    COMPARE_NEAR(method->backward(m.sample(0), m.sampledContext(2)), {0.51, 0.49});
}

void TestSampledMethods::autoLambdaUnknownPrimary()
{
    try {
        make("auto_lambda", {{"primary", "one, three"}});
        QFAIL("a primary task that is not there");
    } catch (const Error &e) {
        QCOMPARE(e.code(), ErrorCode::Config);
        QVERIFY2(std::string(e.what()).find("weighting.options.primary") != std::string::npos &&
                     std::string(e.what()).find("'three'") != std::string::npos,
                 e.what());
    }
}

void TestSampledMethods::tooFewBatches()
{
    Linear m;
    const auto method = make("modo", {});
    try {
        method->backward(m.sample(0), m.sampledContext(2));
        QFAIL("two batches for a method of three");
    } catch (const Error &e) {
        QCOMPARE(e.code(), ErrorCode::Training);
    }
}

QTEST_APPLESS_MAIN(TestSampledMethods)
#include "tst_sampledmethods.moc"
