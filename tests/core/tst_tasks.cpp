// The task types' options change their losses exactly as documented: label smoothing for a
// classification, the hinge loss and positive weights (a number, or "balanced" from the
// training split) for attributes; missing labels (−1) count nowhere. Each value is checked
// against one computed by hand.

#include "common/error.h"
#include "experiment/config.h"
#include "store/records.h"
#include "train/catalog.h"
#include "train/task.h"

#include <torch/types.h>

#include <QTest>

#include <cmath>

using namespace mtl;
using nlohmann::json;

Q_DECLARE_METATYPE(nlohmann::json)

namespace {

store::DatasetInfo dataset()
{
    store::DatasetInfo d;
    d.name = "d";
    d.columns.push_back({1, "class", store::ColumnKind::Categorical, {"a", "b", "c"}});
    d.columns.push_back({2, "x", store::ColumnKind::Binary, {}});
    d.columns.push_back({3, "y", store::ColumnKind::Binary, {}});
    return d;
}

std::unique_ptr<train::Task> task(const std::string &type, const json &options)
{
    experiment::TaskConfig config;
    config.name = "t";
    config.type = type;
    if (type == "classification")
        config.label = "class";
    else
        config.labels = {"x", "y"};
    config.options = options;
    return train::makeTask(config, dataset(), "tasks[0]");
}

double logSoftmax(const std::vector<double> &z, std::size_t k)
{
    double sum = 0;
    for (const double v : z)
        sum += std::exp(v);
    return z[k] - std::log(sum);
}

double softplus(double x)
{
    return std::log1p(std::exp(x));
}

} // namespace

class TestTasks : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void classificationLoss_data();
    void classificationLoss();
    void attributesLoss_data();
    void attributesLoss();
    void balancedPositiveWeights();
    void missingLabelsAreCounted();
    void badOptionsNameTheirKey_data();
    void badOptionsNameTheirKey();
};

void TestTasks::classificationLoss_data()
{
    QTest::addColumn<double>("smoothing");
    QTest::newRow("plain") << 0.0;
    QTest::newRow("label smoothing 0.1") << 0.1;
    QTest::newRow("label smoothing 0.5") << 0.5;
}

void TestTasks::classificationLoss()
{
    QFETCH(double, smoothing);
    const auto t = task("classification", {{"label_smoothing", smoothing}});
    const std::vector<std::vector<double>> z{{2.0, 0.5, -1.0}, {0.0, 1.0, 3.0}, {1.0, 1.0, 1.0}};
    const std::vector<std::int64_t> labels{0, 1, -1}; // the third is missing
    const torch::Tensor output =
        torch::tensor({2.0, 0.5, -1.0, 0.0, 1.0, 3.0, 1.0, 1.0, 1.0}, torch::kFloat64).view({3, 3});
    const double got = t->loss(output, torch::tensor(labels)).item<double>();
    // (1 − ε)·(−log p_y) + ε·mean_k(−log p_k), over the labelled samples.
    double expected = 0;
    for (std::size_t i = 0; i < 2; ++i) {
        double uniform = 0;
        for (std::size_t k = 0; k < 3; ++k)
            uniform -= logSoftmax(z[i], k) / 3.0;
        expected += (1 - smoothing) * -logSoftmax(z[i], static_cast<std::size_t>(labels[i])) +
                    smoothing * uniform;
    }
    expected /= 2;
    QVERIFY2(std::abs(got - expected) < 1e-9,
             qPrintable(QStringLiteral("%1 vs %2").arg(got).arg(expected)));
}

void TestTasks::attributesLoss_data()
{
    QTest::addColumn<json>("options");
    QTest::addColumn<double>("expected");
    // logits (2, −0.5) and (−1, 0.25); labels (1, 0) and (−1 missing, 1).
    const double bce = (softplus(-2.0) + softplus(-0.5) + softplus(-0.25)) / 3;
    QTest::newRow("bce") << json::object() << bce;
    QTest::newRow("bce, pos_weight 3")
        << json{{"pos_weight", 3.0}}
        << (3 * softplus(-2.0) + softplus(-0.5) + 3 * softplus(-0.25)) / 3;
    // max(0, 1 − s·z): 1 − 2 < 0 → 0; 1 − (−1)(−0.5) = 0.5; 1 − 0.25 = 0.75.
    QTest::newRow("hinge") << json{{"loss", "hinge"}} << (0.0 + 0.5 + 0.75) / 3;
    QTest::newRow("hinge, pos_weight 2")
        << json{{"loss", "hinge"}, {"pos_weight", 2.0}} << (0.0 + 0.5 + 2 * 0.75) / 3;
}

void TestTasks::attributesLoss()
{
    QFETCH(json, options);
    QFETCH(double, expected);
    const auto t = task("attributes", options);
    t->fit(torch::zeros({1, 2})); // a number needs nothing from the data
    const torch::Tensor output = torch::tensor({{2.0, -0.5}, {-1.0, 0.25}}, torch::kFloat64);
    const torch::Tensor target = torch::tensor({{1.0, 0.0}, {-1.0, 1.0}}, torch::kFloat64);
    const double got = t->loss(output, target).item<double>();
    QVERIFY2(std::abs(got - expected) < 1e-6,
             qPrintable(QStringLiteral("%1 vs %2").arg(got).arg(expected)));
    QVERIFY(t->fitted().empty());
}

void TestTasks::balancedPositiveWeights()
{
    const auto t = task("attributes", {{"pos_weight", "balanced"}});
    // x: 1 positive, 3 negatives (one missing) → 3; y: no positive at all → 1.
    t->fit(torch::tensor({{1.0, 0.0}, {0.0, 0.0}, {0.0, -1.0}, {0.0, 0.0}, {-1.0, 0.0}}));
    QCOMPARE(QString::fromStdString(t->fitted()),
             QStringLiteral("8 of 10 attribute labels present; pos_weight x 3.00, y 1.00"));
    const torch::Tensor output = torch::tensor({{0.5, 0.5}});
    const double got = t->loss(output, torch::tensor({{1.0, 1.0}})).item<double>();
    QVERIFY(std::abs(got - (3 * softplus(-0.5) + softplus(-0.5)) / 2) < 1e-6);
}

void TestTasks::missingLabelsAreCounted()
{
    // The run says how much of the training split each task has labels for, when not all.
    const auto classification = task("classification", json::object());
    classification->fit(torch::tensor({0, 2, -1, 1}, torch::kInt64));
    QCOMPARE(QString::fromStdString(classification->fitted()),
             QStringLiteral("3 of 4 training samples labelled"));
    classification->fit(torch::tensor({0, 2}, torch::kInt64));
    QVERIFY(classification->fitted().empty());
    // A missing label adds nothing to the loss: the mean is over the other samples.
    const torch::Tensor z = torch::tensor({{1.0, 2.0, 0.5}, {9.0, -9.0, 0.0}}, torch::kFloat64);
    const double both = classification->loss(z, torch::tensor({1, 0})).item<double>();
    const double first = classification->loss(z.slice(0, 0, 1), torch::tensor({1})).item<double>();
    const double masked = classification->loss(z, torch::tensor({1, -1})).item<double>();
    QVERIFY(std::abs(masked - first) < 1e-12);
    QVERIFY(std::abs(masked - both) > 1e-3);
}

void TestTasks::badOptionsNameTheirKey_data()
{
    QTest::addColumn<QString>("task");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("unknown loss")
        << QStringLiteral(
               R"({"name": "a", "type": "attributes", "labels": ["x"], "options": {"loss": "l2"}})")
        << QStringLiteral("tasks[0].options.loss: unknown value 'l2' (known: bce, hinge)");
    QTest::newRow("pos_weight: a word it does not know")
        << QStringLiteral(
               R"({"name": "a", "type": "attributes", "labels": ["x"], "options": {"pos_weight": "balance"}})")
        << QStringLiteral("tasks[0].options.pos_weight: unknown value 'balance' (known: balanced)");
    QTest::newRow("pos_weight: negative")
        << QStringLiteral(
               R"({"name": "a", "type": "attributes", "labels": ["x"], "options": {"pos_weight": -1}})")
        << QStringLiteral("tasks[0].options.pos_weight: must be >= 0");
    QTest::newRow("pos_weight: a list")
        << QStringLiteral(
               R"({"name": "a", "type": "attributes", "labels": ["x"], "options": {"pos_weight": [1, 2]}})")
        << QStringLiteral(
               "tasks[0].options.pos_weight: expected a number or one of balanced, got an array");
    QTest::newRow("label smoothing of 1")
        << QStringLiteral(
               R"({"name": "c", "type": "classification", "label": "class", "options": {"label_smoothing": 1}})")
        << QStringLiteral("tasks[0].options.label_smoothing: must be >= 0 and <= 0.99, got 1");
}

void TestTasks::badOptionsNameTheirKey()
{
    QFETCH(QString, task);
    QFETCH(QString, fragment);
    const std::string text =
        R"({"name": "n", "dataset": "d", "tasks": [)" + task.toStdString() + "]}";
    try {
        train::parseExperiment(text, "exp.json");
        QFAIL("parsed");
    } catch (const Error &e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(fragment), e.what());
    }
}

QTEST_APPLESS_MAIN(TestTasks)
#include "tst_tasks.moc"
