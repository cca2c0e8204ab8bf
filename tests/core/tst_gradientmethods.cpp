// The gradient methods of the second wave (IMTL, GradDrop, GradVac, Aligned-MTL, UPGrad,
// DualProj, ConFIG, Nash-MTL, FairGrad, DB-MTL, MoCo, ExcessMTL) and STCH against cases
// computed by hand on the linear fixture (weightingfixture.h): in the representation
// g1 = [1, 0], g2 = [−1, 1], M = [[1, −1], [−1, 2]]; at θ the gradients are twice those and the
// Gram matrix 4M; both losses are 2. Also the small solvers, and that every registered method
// steps, records finite weights and carries its state through a checkpoint.

#include "weightingfixture.h"

#include "common/error.h"
#include "train/smallmatrix.h"

using namespace mtl;
using namespace mtl::testing;

namespace {
const double kRoot2 = std::sqrt(2.0);
} // namespace

class TestGradientMethods : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void linearSolve();
    void eigenDecomposition();
    void dualConeProjection();
    void powerBalance();
    void imtlEqualProjections_data();
    void imtlEqualProjections();
    void imtlVariants();
    void graddropKeepsTheConsistentSign();
    void gradvacRaisesSimilarityToItsTarget_data();
    void gradvacRaisesSimilarityToItsTarget();
    void alignedMtl_data();
    void alignedMtl();
    void upgradAndDualProj_data();
    void upgradAndDualProj();
    void configEqualUnitProjections_data();
    void configEqualUnitProjections();
    void nashBargaining();
    void nashUpdatesEveryNthStep();
    void fairgrad();
    void dbMtlScalesToTheLargestNorm();
    void mocoAverages();
    void excessMtlWeightsGrowWithExcess();
    void stchAfterWarmup();
    void everyMethodSteps_data();
    void everyMethodSteps();
};

void TestGradientMethods::linearSolve()
{
    std::vector<double> x;
    QVERIFY(train::solveLinear({{2, 1}, {1, 3}}, {3, 5}, x));
    COMPARE_NEAR(x, {0.8, 1.4});
    QVERIFY(train::solveLinear({{0, 1}, {1, 0}}, {2, 3}, x)); // needs pivoting
    COMPARE_NEAR(x, {3, 2});
    QVERIFY(!train::solveLinear({{1, 2}, {2, 4}}, {1, 2}, x));
}

void TestGradientMethods::eigenDecomposition()
{
    // M = [[1, −1], [−1, 2]]: λ = (3 ∓ √5)/2, ascending; M·v = λ·v.
    const train::Matrix M{{1, -1}, {-1, 2}};
    const train::SymmetricEigen e = train::symmetricEigen(M);
    COMPARE_NEAR(e.values, {(3 - std::sqrt(5.0)) / 2, (3 + std::sqrt(5.0)) / 2});
    for (std::size_t k = 0; k < 2; ++k) {
        const std::vector<double> v{e.vectors[0][k], e.vectors[1][k]};
        COMPARE_NEAR(train::multiply(M, v), {e.values[k] * v[0], e.values[k] * v[1]});
    }
    // The pseudo-inverse ignores the null direction: [[1, 1], [1, 1]]⁺·[1, 1] = [½, ½].
    COMPARE_NEAR(train::pseudoSolve({{1, 1}, {1, 1}}, {1, 1}, 1e-9), {0.5, 0.5});
}

void TestGradientMethods::dualConeProjection()
{
    // min vᵀMv over v ≥ [½, 0]: v2 = −M12·v1/M22 = ¼; over v ≥ [0, ½]: v1 = ½.
    const train::Matrix M{{1, -1}, {-1, 2}};
    COMPARE_NEAR(train::projectToDualCone(M, {0.5, 0}), {0.5, 0.25});
    COMPARE_NEAR(train::projectToDualCone(M, {0, 0.5}), {0.5, 0.5});
    // Not conflicting already: unchanged.
    COMPARE_NEAR(train::projectToDualCone({{1, 0}, {0, 1}}, {0.3, 0.7}), {0.3, 0.7});
}

void TestGradientMethods::powerBalance()
{
    // M·x = 1/x: x1 − x2 = 1/x1, 2x2 − x1 = 1/x2 (checked with numpy's Newton).
    const train::Matrix M{{1, -1}, {-1, 2}};
    const std::vector<double> x = train::solvePowerBalance(M, 1.0, {1, 1});
    COMPARE_NEAR(x, {1.84775907, 1.30656296});
    const std::vector<double> Mx = train::multiply(M, x);
    COMPARE_NEAR(Mx, {1 / x[0], 1 / x[1]});
    // p = ½ (FairGrad α = 2): M·x = x^(−½).
    COMPARE_NEAR(train::solvePowerBalance(M, 0.5, {0.5, 0.5}), {2.17405299, 1.49584182});
}

void TestGradientMethods::imtlEqualProjections_data()
{
    QTest::addColumn<bool>("representation");
    QTest::newRow("representation") << true;
    QTest::newRow("parameters") << false;
}

void TestGradientMethods::imtlEqualProjections()
{
    // D = g1 − g2 = [2, −1], U = u1 − u2 = [1 + 1/√2, −1/√2]: α2 = g1·U / D·U = √2 − 1,
    // α1 = 2 − √2; d = [3 − 2√2, √2 − 1] projects onto u1 and u2 equally (3 − 2√2). Scale-free,
    // so the same in both spaces. Hybrid at s = 0 scales nothing; ∂/∂s_k = e^s·L_k − 1 = 1.
    QFETCH(bool, representation);
    Linear m;
    const auto method = make("imtl", {{"gradients", space(representation)}});
    COMPARE_NEAR(m.step(*method, representation), {2 - kRoot2, kRoot2 - 1});
    COMPARE_NEAR(values(m.theta.grad()), {2 * (3 - 2 * kRoot2), 2 * (kRoot2 - 1)});
    COMPARE_NEAR(values(m.a.grad()), {2});
    QCOMPARE(method->parameters().size(), std::size_t(1));
    COMPARE_NEAR(values(method->parameters()[0].grad()), {1, 1});
}

void TestGradientMethods::imtlVariants()
{
    Linear m;
    const auto gradient = make("imtl", {{"variant", "gradient"}});
    QVERIFY(gradient->parameters().empty());
    COMPARE_NEAR(m.step(*gradient), {2 - kRoot2, kRoot2 - 1});
    // loss: IMTL-L alone is a loss scaling: Σ e^s·L − s, the plain sum's gradient at s = 0.
    Linear n;
    const auto loss = make("imtl", {{"variant", "loss"}});
    COMPARE_NEAR(n.step(*loss), {1, 1});
    COMPARE_NEAR(values(n.theta.grad()), {0, 2});
    COMPARE_NEAR(values(loss->parameters()[0].grad()), {1, 1});
    QVERIFY(QString::fromStdString(loss->describe(true)).contains(QStringLiteral("one backward")));
}

void TestGradientMethods::graddropKeepsTheConsistentSign()
{
    // The fixture's z = [2, 4] reads as a batch of 2 with one unit: task gradients times
    // sign(z) summed over the batch are 1 (task 1) and 0 (task 2), so P = ½(1 + 1/1) = 1: the
    // positive sign survives always: task 1 passes, task 2 (no positive part) is dropped.
    for (std::uint64_t seed : {0, 1}) {
        Linear m;
        const auto method = make("graddrop", {}, {{"one", false}, {"two", false}}, seed);
        COMPARE_NEAR(m.step(*method), {1, 0});
        COMPARE_NEAR(values(m.theta.grad()), {2, 0}); // Jᵀg1
        COMPARE_NEAR(values(m.b.grad()), {2});        // the heads keep their own
    }
    // leak ½: the dropped gradient passes at half: d = g1 + ½g2 = [½, ½].
    Linear m;
    const auto leaky = make("graddrop", {{"leak", 0.5}});
    COMPARE_NEAR(m.step(*leaky), {1, 0.5});
    COMPARE_NEAR(values(m.theta.grad()), {1, 1});
    // It acts on activations: a model without a shared representation is a config error.
    try {
        leaky->describe(false);
        QFAIL("graddrop without a representation");
    } catch (const Error &e) {
        QVERIFY2(e.code() == ErrorCode::Config, e.what());
        QCOMPARE(QString::fromStdString(e.where().key), QStringLiteral("weighting.method"));
    }
}

void TestGradientMethods::gradvacRaisesSimilarityToItsTarget_data()
{
    imtlEqualProjections_data();
}

void TestGradientMethods::gradvacRaisesSimilarityToItsTarget()
{
    // Step 1: the targets start at 0, so GradVac is PCGrad: [2, 1.5]. The targets become
    // ½·cos(g1, g2) = −1/(2√2). Step 2: ρ = −1/√2 < ρ̂, g'_1 = g1 + w·g2 with
    // w = ‖g1‖(ρ̂√(1−ρ²) − ρ√(1−ρ̂²)) / (‖g2‖√(1−ρ̂²)) = 0.311018 (cos(g'_1, g2) = ρ̂), and
    // g'_2 = g2 + 0.622036·g1: coefficients [1.622036, 1.311018].
    QFETCH(bool, representation);
    Linear m;
    const auto method = make("gradvac", {{"gradients", space(representation)}});
    COMPARE_NEAR(m.step(*method, representation), {2, 1.5});
    const auto resumed = make("gradvac", {{"gradients", space(representation)}});
    copyState(*method, *resumed);
    m.zeroGrad();
    const std::vector<double> second = m.step(*method, representation);
    QVERIFY2(near(second, {1.622036, 1.311018}, 1e-5), qPrintable(show(second)));
    Linear n;
    QCOMPARE(n.step(*resumed, representation), second);
}

void TestGradientMethods::alignedMtl_data()
{
    imtlEqualProjections_data();
}

void TestGradientMethods::alignedMtl()
{
    // α = column sums of √λ_min·M^(−½) (numpy: [1.10557281, 0.82917961]); scale-free.
    QFETCH(bool, representation);
    Linear m;
    const auto method = make("aligned_mtl", {{"gradients", space(representation)}});
    const std::vector<double> alpha = m.step(*method, representation);
    COMPARE_NEAR(alpha, {1.10557281, 0.82917961});
    COMPARE_NEAR(values(m.theta.grad()), {2 * (alpha[0] - alpha[1]), 2 * alpha[1]});
}

void TestGradientMethods::upgradAndDualProj_data()
{
    imtlEqualProjections_data();
}

void TestGradientMethods::upgradAndDualProj()
{
    // Without the 10⁻⁴ regulariser: upgrad's projections of g1/2 and g2/2 have weights
    // [½, ¼] and [½, ½] (dualConeProjection): [1, ¾], d = [¼, ¾] conflicts with neither
    // (d·g1 = ¼, d·g2 = ½). The regulariser moves them by ~10⁻⁴ (numpy: [0.99985, 0.749963]).
    // dualproj: the mean [0, ½] is in the cone already: [½, ½].
    QFETCH(bool, representation);
    Linear m;
    const auto upgrad = make("upgrad", {{"gradients", space(representation)}});
    COMPARE_NEAR(m.step(*upgrad, representation), {0.99985004, 0.74996251});
    Linear n;
    const auto dualproj = make("dualproj", {{"gradients", space(representation)}});
    COMPARE_NEAR(n.step(*dualproj, representation), {0.5, 0.5});
    COMPARE_NEAR(values(n.theta.grad()), {0, 1});
}

void TestGradientMethods::configEqualUnitProjections_data()
{
    imtlEqualProjections_data();
}

void TestGradientMethods::configEqualUnitProjections()
{
    // Û = [[1, −1/√2], [−1/√2, 1]], β = Û⁻¹·1 = 2(1 + 1/√2)·[1, 1]; x = β(u1 + u2) = [1, 1 + √2]
    // (x·u1 = x·u2 = 1); its unit [0.382683, 0.923880] scaled to Σ g_k·unit = 0.923880 is
    // d = [0.353553, 0.853553] = 1.207107·g1 + 0.853553·g2 (in z; at θ both double).
    QFETCH(bool, representation);
    Linear m;
    const auto method = make("config", {{"gradients", space(representation)}});
    COMPARE_NEAR(m.step(*method, representation), {1.20710678, 0.85355339});
    COMPARE_NEAR(values(m.theta.grad()), {0.70710678, 1.70710678});
}

void TestGradientMethods::nashBargaining()
{
    // In z, M·α = 1/α gives α = [1.847759, 1.306563] (numpy); at θ, 4M: α/2. The whole model
    // trains on Σ α·L: the heads' gradients are weighted too (a = 2α1). max_norm 0: no clip.
    for (bool representation : {true, false}) {
        Linear m;
        const auto method =
            make("nash_mtl", {{"max_norm", 0.0}, {"gradients", space(representation)}});
        const double s = representation ? 1.0 : 0.5;
        const std::vector<double> alpha = m.step(*method, representation);
        COMPARE_NEAR(alpha, {1.84775907 * s, 1.30656296 * s});
        COMPARE_NEAR(values(m.theta.grad()), {2 * (alpha[0] - alpha[1]), 2 * alpha[1]});
        COMPARE_NEAR(values(m.a.grad()), {2 * alpha[0]});
        COMPARE_NEAR(values(m.b.grad()), {2 * alpha[1]});
    }
    // The default clips the shared gradient ([1.082392, 2.613126], norm 2√2) to norm 1.
    Linear m;
    const auto clipped = make("nash_mtl", {});
    m.step(*clipped);
    COMPARE_NEAR(values(m.theta.grad()), {1.08239220 / (2 * kRoot2), 2.61312593 / (2 * kRoot2)});
    COMPARE_NEAR(values(m.a.grad()), {2 * 1.84775907});
}

void TestGradientMethods::nashUpdatesEveryNthStep()
{
    // update_every 2: step 2 reuses step 1's α without per-task gradients, and the saved state
    // (α, the step count) makes a resumed run recompute at step 3 like the uninterrupted one.
    Linear m;
    const auto method = make("nash_mtl", {{"update_every", 2}, {"max_norm", 0.0}});
    const std::vector<double> first = m.step(*method);
    m.zeroGrad();
    const std::vector<torch::Tensor> l = m.losses();
    train::WeightingContext context = m.context();
    context.sharedRepresentation = torch::Tensor(); // a gradient pass would now take θ's space
    QCOMPARE(method->backward({l[0] * 2, l[1]}, context), first);
    const auto resumed = make("nash_mtl", {{"update_every", 2}, {"max_norm", 0.0}});
    copyState(*method, *resumed);
    Linear a, b;
    QCOMPARE(a.step(*resumed), b.step(*method));
}

void TestGradientMethods::fairgrad()
{
    // α = 1: proportional fairness, M·w = 1/w (Nash-MTL's condition, unnormalised).
    Linear m;
    COMPARE_NEAR(m.step(*make("fairgrad", {})), {1.84775907, 1.30656296});
    Linear n;
    COMPARE_NEAR(n.step(*make("fairgrad", {{"alpha", 2.0}})), {2.17405299, 1.49584182});
    COMPARE_NEAR(values(n.a.grad()), {2 * 2.17405299});
}

void TestGradientMethods::dbMtlScalesToTheLargestNorm()
{
    // Shared parameters only. ∇θ log L_k = g_k/L_k = [1, 0], [−1, 1]; step 1 averages them
    // with zeros (β = 0.9): [0.1, 0], [−0.1, 0.1], scaled to the larger norm: [√2, 1];
    // d = [√2·0.1 − 0.1, 0.1]. The heads get ∇ log L: a = z0/L1 = 1.
    Linear m;
    const auto method = make("db_mtl", {});
    COMPARE_NEAR(m.step(*method), {kRoot2, 1});
    COMPARE_NEAR(values(m.theta.grad()), {0.1 * kRoot2 - 0.1, 0.1});
    COMPARE_NEAR(values(m.a.grad()), {1});
    QVERIFY(QString::fromStdString(method->describe(true)).contains(QStringLiteral("parameters")));
    // Step 2 with the same gradients: the averages move to 0.19·g; same scales, d × 1.9.
    const auto resumed = make("db_mtl", {});
    copyState(*method, *resumed);
    Linear n;
    COMPARE_NEAR(n.step(*resumed), {kRoot2, 1});
    COMPARE_NEAR(values(n.theta.grad()), {0.19 * kRoot2 - 0.19, 0.19});
}

void TestGradientMethods::mocoAverages()
{
    // Shared parameters only. L·g/‖g‖ = [2, 0] and [−√2, √2]; y = ½ of them (β = ½ at step 1);
    // y·yᵀ·λ is equal for both tasks, so λ stays [½, ½]; d = yᵀλ = [(1 − 1/√2)/2, 1/(2√2)].
    Linear m;
    const auto method = make("moco", {});
    COMPARE_NEAR(m.step(*method), {0.5, 0.5});
    COMPARE_NEAR(values(m.theta.grad()), {(1 - 1 / kRoot2) / 2, 1 / (2 * kRoot2)});
    COMPARE_NEAR(values(m.b.grad()), {2});
}

void TestGradientMethods::excessMtlWeightsGrowWithExcess()
{
    // Step 1 records the first excess risks (Σ|g| at θ: 2 and 4) and weighs equally. Step 2
    // with task 2's loss tripled: excess 4/√8 and 2·36/√40 relative to the first, weights
    // ∝ exp(0.01·[0.707107, 2.846050]) summing to 2: [0.989306, 1.010694] (numpy).
    Linear m;
    const auto method = make("excess_mtl", {{"gradients", "parameters"}});
    COMPARE_NEAR(m.step(*method, false), {1, 1});
    m.zeroGrad();
    const std::vector<torch::Tensor> l = m.losses();
    COMPARE_NEAR(method->backward({l[0], 3 * l[1]}, m.context(false)), {0.98930569, 1.01069431});
    COMPARE_NEAR(values(m.b.grad()), {3 * 2 * 1.01069431});
}

void TestGradientMethods::stchAfterWarmup()
{
    // warmup 1: epoch 1 trains on Σ log L (weights 1/L) and its mean losses [2, 2] become the
    // nadir point. Epoch 2 with losses [2, 6]: log(L/n) = [0, log 3], softmax = [¼, ¾];
    // ∂/∂L_k = T·softmax_k/L_k = [¼, ¼]: θ gets ¼·[2, 0] + ¼·3·[−2, 2] = [−1, 1.5].
    const auto method = make("stch", {{"warmup_epochs", 1}});
    Linear m;
    train::WeightingContext context = m.context();
    context.epoch = 1;
    COMPARE_NEAR(method->backward(m.losses(), context), {0.5, 0.5});
    const auto resumed = make("stch", {{"warmup_epochs", 1}});
    copyState(*method, *resumed);
    Linear n;
    const std::vector<torch::Tensor> l = n.losses();
    context = n.context();
    context.epoch = 2;
    COMPARE_NEAR(resumed->backward({l[0], 3 * l[1]}, context), {0.25, 0.25});
    COMPARE_NEAR(values(n.theta.grad()), {-1, 1.5});
}

void TestGradientMethods::everyMethodSteps_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<bool>("representation");
    for (const auto &entry : train::weightingMethods().entries()) {
        const QString name = QString::fromStdString(entry.spec.name);
        QTest::newRow(qPrintable(name + QStringLiteral(" · representation"))) << name << true;
        if (name != QStringLiteral("graddrop"))
            QTest::newRow(qPrintable(name + QStringLiteral(" · parameters"))) << name << false;
    }
}

void TestGradientMethods::everyMethodSteps()
{
    // Three objectives, three steps, a checkpoint after the second: finite weights, a
    // gradient on θ, and the resumed copy's third step equal to the original's.
    QFETCH(QString, method);
    QFETCH(bool, representation);
    const std::vector<train::Objective> objectives{{"one", false}, {"two", true}, {"three", false}};
    const auto run = make(method.toStdString(), {}, objectives, 3);
    const auto copy = make(method.toStdString(), {}, objectives, 3);
    bool gradientsFinite = true;
    const auto step = [&](train::WeightingMethod &w, int k) -> std::vector<double> {
        Linear m;
        const std::vector<torch::Tensor> l = m.losses();
        train::WeightingContext context = m.sampledContext(w.samplesPerStep(), representation);
        for (auto &more : context.moreSamples) // three objectives in each batch
            more.push_back((more[0] + more[1]) * 0.5);
        const auto objectivesAt = context.objectivesAt;
        context.objectivesAt = [&](std::size_t s, bool withGradients) {
            std::vector<torch::Tensor> o = objectivesAt(s, withGradients);
            o.push_back((o[0] + o[1]) * 0.5);
            return o;
        };
        context.step = k;
        context.epoch = 1;
        const std::vector<double> weights =
            w.backward({l[0] * (1 + 0.1 * k), l[1], (l[0] + l[1]) * 0.5}, context);
        gradientsFinite = gradientsFinite && m.theta.grad().defined() &&
                          torch::isfinite(m.theta.grad()).all().item<bool>();
        return weights;
    };
    for (int k = 1; k <= 2; ++k) {
        const std::vector<double> weights = step(*run, k);
        QCOMPARE(weights.size(), std::size_t(3));
        for (double w : weights)
            QVERIFY2(std::isfinite(w), qPrintable(show(weights)));
        run->afterOptimizerStep();
    }
    copyState(*run, *copy);
    QCOMPARE(step(*copy, 3), step(*run, 3));
    QVERIFY(gradientsFinite);
}

QTEST_APPLESS_MAIN(TestGradientMethods)
#include "tst_gradientmethods.moc"
