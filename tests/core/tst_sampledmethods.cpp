// The methods that see several batches per step (SDMGrad, MoDo, Auto-λ) against cases computed
// by hand on the linear fixture (weightingfixture.h). Batch s of a step is the fixture's losses
// times s + 1, so at θ its gradients are (s + 1)·G with G = [[2, 0], [−2, 2]] (G·Gᵀ = 4M,
// M = [[1, −1], [−1, 2]]), and each head's gradient is 2·(s + 1).

#include "weightingfixture.h"

#include "common/error.h"
#include "train/smallmatrix.h"

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
    void momlAgreeingHypergradientsMoveTheWeights();
    void momlConflictingHypergradientsCancel();
    void forumProgramme_data();
    void forumProgramme();
    void forumStep_data();
    void forumStep();
    void tooFewBatches();
};

void TestSampledMethods::batchesPerStep_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<int>("batches");
    QTest::newRow("sdmgrad") << "sdmgrad" << 3;
    QTest::newRow("modo") << "modo" << 3;
    QTest::newRow("auto_lambda") << "auto_lambda" << 2;
    QTest::newRow("moml") << "moml" << 2;
    QTest::newRow("forum") << "forum" << 2;
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

void TestSampledMethods::momlAgreeingHypergradientsMoveTheWeights()
{
    // Parameters [θ0, θ1, a, b]: ∇L1 = [2, 0, 2, 0], ∇L2 = [−2, 2, 0, 2]; softmax(0) = [½, ½],
    // η = 0.1: θ' = [1, 1.9], a' = b' = 0.9. Upper objectives F1 = 2·L1, F2 = L1 (both ask for
    // task one): ∇F1(θ') = [3.6, 0, 4, 0], ∇F2 = [1.8, 0, 2, 0]; ∇F·∇Lᵀ = [[15.2, −7.2],
    // [7.6, −3.6]]; J_softmax = ¼[[1, −1], [−1, 1]], so both rows are −η·¼·(22.4 | 11.2)·[1, −1]:
    // unit rows [−1, 1]/√2, their min-norm point the same. Adam (lr 0.1) moves α to [0.1, −0.1]:
    // weights softmax = [.549834, .450166], and the model trains on Σ w·L at θ.
    Linear m;
    const auto method = make("moml", {{"inner_lr", 0.1}, {"lr", 0.1}});
    train::WeightingContext context = m.sampledContext(2);
    const auto sampleAt = context.objectivesAt;
    context.objectivesAt = [&](std::size_t s, bool withGradients) {
        std::vector<torch::Tensor> l = sampleAt(0, withGradients);
        return s == 0 ? l : std::vector<torch::Tensor>{2 * l[0], l[0]};
    };
    const std::vector<double> weights = method->backward(m.sample(0), context);
    COMPARE_NEAR(weights, {0.549834, 0.450166});
    COMPARE_NEAR(values(m.theta), {1, 2}); // put back after the virtual step
    COMPARE_NEAR(values(m.theta.grad()), {0.199336, 0.900332});
    COMPARE_NEAR(values(m.a.grad()), {1.099668});
    COMPARE_NEAR(values(m.b.grad()), {0.900332});
}

void TestSampledMethods::momlConflictingHypergradientsCancel()
{
    // With the meta batch 2L: ∇F1·∇Lᵀ = [15.2, −7.2] asks for task one, ∇F2·∇Lᵀ = [−7.2, 21.6]
    // for task two; the unit rows are opposite, their min-norm point 0: α does not move.
    Linear m;
    const auto method = make("moml", {{"inner_lr", 0.1}, {"lr", 0.1}});
    COMPARE_NEAR(method->backward(m.sample(0), m.sampledContext(2)), {0.5, 0.5});
}

void TestSampledMethods::forumProgramme_data()
{
    // min over x ∈ Δ², y ≥ max(0, πᵀx) of x1² + x2² + y² − y (Q = I, c = 1).
    QTest::addColumn<std::vector<double>>("pi");
    QTest::addColumn<std::vector<double>>("expected");
    // The bound is slack: x = [½, ½], y = ½.
    QTest::newRow("bound slack") << std::vector<double>{0, 0} << std::vector<double>{.5, .5, .5};
    QTest::newRow("bound below zero")
        << std::vector<double>{-1, -1} << std::vector<double>{.5, .5, .5};
    // y ≥ 2x1: for x1 ≤ ¼ y = ½ and f = 2x1² − 2x1 + ¾ falls to ⅜; beyond, y = 2x1 and
    // f = 6x1² − 4x1 + 1, least at x1 = ⅓ (f = ⅓): x = [⅓, ⅔], y = ⅔.
    QTest::newRow("bound holds y")
        << std::vector<double>{2, 0} << std::vector<double>{1.0 / 3, 2.0 / 3, 2.0 / 3};
}

void TestSampledMethods::forumProgramme()
{
    QFETCH(std::vector<double>, pi);
    QFETCH(std::vector<double>, expected);
    const train::Matrix identity{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    COMPARE_NEAR(train::solveForumProgramme(identity, pi, 1.0), expected);
}

void TestSampledMethods::forumStep_data()
{
    // One inner step (η = 0.1): θ_K = θ' = [1, 1.9], a' = b' = 0.9 (as for auto_lambda), so
    // L(θ_K) = [1.8, 1.62]; L(θ) = [2, 2]. J_softmax(0) = ¼[[1, −1], [−1, 1]]: g_q's α part
    // J·L(θ) − J·L(θ_K) = [−.045, .045], its θ part ½(∇L1 + ∇L2) = [0, 1, 1, 1] over
    // [θ0, θ1, a, b]; ‖g_q‖² = 3.00405. The meta batch 2L gives the unit ĝ1 = [1, 0, 1, 0]/√2,
    // ĝ2 = [−1, 1, 0, 1]/√3; π_k = φ − ĝ_k·g_q/‖g_q‖² (numpy for the programme's solution).
    QTest::addColumn<double>("phi");
    QTest::addColumn<std::vector<double>>("weights");
    QTest::addColumn<std::vector<double>>("direction");
    // φ = 0.1: π < 0, c small: y = 0 and x the min-norm point of ĝ (½, ½); ν = 0.
    QTest::newRow("phi 0.1") << 0.1 << std::vector<double>{.5, .5}
                             << std::vector<double>{0.0648783, 0.2886751, 0.3535534, 0.2886751};
    // φ = 1: π = [.764616, .615619] > 0 holds y: w = [.530946, .469054, .694728];
    // ν = μ·π = .694728 adds ν·g_q.
    QTest::newRow("phi 1") << 1.0 << std::vector<double>{0.5309459, 0.4690541}
                           << std::vector<double>{0.1046269, 0.9655365, 1.0701634, 0.9655365};
}

void TestSampledMethods::forumStep()
{
    QFETCH(double, phi);
    QFETCH(std::vector<double>, weights);
    QFETCH(std::vector<double>, direction);
    Linear m;
    const auto method =
        make("forum", {{"phi", phi}, {"inner_steps", 1}, {"inner_lr", 0.1}, {"lr", 0.1}});
    train::WeightingContext context = m.sampledContext(2);
    context.epoch = 1; // the average μ is this step's weights
    COMPARE_NEAR(method->backward(m.sample(0), context), weights);
    COMPARE_NEAR(values(m.theta), {1, 2});
    COMPARE_NEAR(values(m.theta.grad()), {direction[0], direction[1]});
    COMPARE_NEAR(values(m.a.grad()), {direction[2]});
    COMPARE_NEAR(values(m.b.grad()), {direction[3]});
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
