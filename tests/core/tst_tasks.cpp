// The task types' options change their losses exactly as documented: label smoothing for a
// classification; for attributes the hinge loss, positive weights (a number, a list, or
// "balanced" from the training split), per-attribute loss weights, the 2-way softmax branches
// head and per-attribute loss terms; missing labels (−1) count nowhere. Each value is checked
// against one computed by hand.

#include "common/error.h"
#include "experiment/config.h"
#include "store/records.h"
#include "train/catalog.h"
#include "train/task.h"

#include <torch/types.h>

#include <QTest>

#include <cmath>
#include <map>

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
    void branchesAreTwoWaySoftmaxes();
    void perAttributeTerms();
    void listsMatchTheLabels_data();
    void listsMatchTheLabels();
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
    // Lists are per attribute (x, y); the positives are (row 0, x) and (row 1, y).
    QTest::newRow("bce, pos_weight [3, 0.5]")
        << json{{"pos_weight", {3.0, 0.5}}}
        << (3 * softplus(-2.0) + softplus(-0.5) + 0.5 * softplus(-0.25)) / 3;
    QTest::newRow("bce, attribute_weights [2, 0.5]")
        << json{{"attribute_weights", {2.0, 0.5}}}
        << (2 * softplus(-2.0) + 0.5 * softplus(-0.5) + 0.5 * softplus(-0.25)) / 3;
    QTest::newRow("hinge, attribute_weights [0, 4], pos_weight [1, 2]")
        << json{{"loss", "hinge"}, {"attribute_weights", {0.0, 4.0}}, {"pos_weight", {1.0, 2.0}}}
        << (4 * 0.5 + 4 * 2 * 0.75) / 3;
    // Per-attribute terms do not change what is reported.
    QTest::newRow("per_attribute") << json{{"per_attribute", true}} << bce;
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
    // Nothing learnt from the data to say, only which loss terms the weighting sees.
    QCOMPARE(QString::fromStdString(t->fitted()),
             options.value("per_attribute", false)
                 ? QStringLiteral("2 loss terms for the weighting (per_attribute)")
                 : QString());
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

void TestTasks::branchesAreTwoWaySoftmaxes()
{
    // head branches: a (z₀, z₁) pair per attribute; the loss sums over the attributes each
    // one's mean 2-way softmax cross-entropy over its labelled samples.
    const auto t = task("attributes", {{"head", "branches"}});
    QCOMPARE(t->head().channels, 4);
    QCOMPARE(QString::fromStdString(t->fitted()),
             QStringLiteral("a 2-way softmax branch per attribute (head branches)"));
    QCOMPARE(t->head().outputs.size(), std::size_t(2));
    t->fit(torch::zeros({1, 2}));
    const std::vector<std::vector<double>> z = {{0.5, 1.5, 2.0, -1.0}, {1.0, -2.0, 0.0, 0.25}};
    const torch::Tensor output =
        torch::tensor({0.5, 1.5, 2.0, -1.0, 1.0, -2.0, 0.0, 0.25}, torch::kFloat64).view({2, 4});
    // labels: x (1, missing), y (0, 1)
    const torch::Tensor target = torch::tensor({{1.0, 0.0}, {-1.0, 1.0}}, torch::kFloat64);
    const auto ce = [&](std::size_t row, std::size_t attribute, std::size_t label) {
        const std::vector<double> pair = {z[row][2 * attribute], z[row][2 * attribute + 1]};
        return -logSoftmax(pair, label);
    };
    const double x = ce(0, 0, 1);
    const double y = (ce(0, 1, 0) + ce(1, 1, 1)) / 2;
    const double got = t->loss(output, target).item<double>();
    QVERIFY2(std::abs(got - (x + y)) < 1e-9,
             qPrintable(QStringLiteral("%1 vs %2").arg(got).arg(x + y)));
    // Scored by the pair's argmax: x (1.5 > 0.5 → 1, right), y row 0 (2 > −1 → 0, right),
    // y row 1 (0.25 > 0 → 1, right); then flip y row 1's pair: wrong.
    auto meter = t->makeMeter();
    meter->add(output, target, got);
    const torch::Tensor flipped = output.clone();
    flipped[1][3] = -1.0;
    meter->add(flipped, target, got);
    std::map<std::string, double> accuracy;
    for (const auto &v : meter->values())
        if (v.name == "accuracy")
            accuracy[v.attribute] = v.value;
    QCOMPARE(accuracy.at("x"), 1.0);
    QCOMPARE(accuracy.at("y"), 0.75);
}

void TestTasks::perAttributeTerms()
{
    const auto plain = task("attributes", json::object());
    QVERIFY(plain->lossTerms().empty());
    const auto t = task("attributes", {{"per_attribute", true}, {"attribute_weights", {2.0, 1.0}}});
    QCOMPARE(t->lossTerms(), (std::vector<std::string>{"x", "y"}));
    t->fit(torch::zeros({1, 2}));
    const torch::Tensor output =
        torch::tensor({{2.0, -0.5}, {-1.0, 0.25}}, torch::kFloat64).requires_grad_();
    const torch::Tensor target = torch::tensor({{1.0, 0.0}, {-1.0, 1.0}}, torch::kFloat64);
    const auto terms = t->termLosses(output, target);
    QCOMPARE(terms.size(), std::size_t(2));
    // Each term averages over its own labelled samples: x has one, y two.
    QVERIFY(std::abs(terms[0].item<double>() - 2 * softplus(-2.0)) < 1e-9);
    QVERIFY(std::abs(terms[1].item<double>() - (softplus(-0.5) + softplus(-0.25)) / 2) < 1e-9);
    QVERIFY(terms[0].requires_grad());
    // The weighting method sees "<task>.<term>".
    std::vector<std::unique_ptr<train::Task>> tasks;
    tasks.push_back(task("classification", json::object()));
    tasks.push_back(task("attributes", {{"per_attribute", true}}));
    QCOMPARE(train::objectiveNames(tasks), (std::vector<std::string>{"t", "t.x", "t.y"}));
}

void TestTasks::listsMatchTheLabels_data()
{
    QTest::addColumn<json>("options");
    QTest::addColumn<QString>("error");
    QTest::newRow("pos_weight: 3 values for 2")
        << json{{"pos_weight", {1.0, 2.0, 3.0}}}
        << QStringLiteral("tasks[0].options.pos_weight: has 3 value(s) for 2 attribute(s); give "
                          "one per entry of labels, in its order");
    QTest::newRow("pos_weight: empty") << json{{"pos_weight", json::array()}}
                                       << QStringLiteral("tasks[0].options.pos_weight: is an "
                                                         "empty list");
    QTest::newRow("attribute_weights: 1 value for 2")
        << json{{"attribute_weights", {1.0}}}
        << QStringLiteral("tasks[0].options.attribute_weights: has 1 value(s) for 2");
    QTest::newRow("hinge on branches")
        << json{{"head", "branches"}, {"loss", "hinge"}}
        << QStringLiteral("tasks[0].options.loss: hinge scores one logit per attribute");
}

void TestTasks::listsMatchTheLabels()
{
    QFETCH(json, options);
    QFETCH(QString, error);
    try {
        task("attributes", options);
        QFAIL("made");
    } catch (const Error &e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(error), e.what());
    }
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
    QTest::newRow("pos_weight: a list with a word")
        << QStringLiteral(
               R"({"name": "a", "type": "attributes", "labels": ["x", "y"], "options": {"pos_weight": [1, "balanced"]}})")
        << QStringLiteral("tasks[0].options.pos_weight[1]: expected a number, got a string");
    QTest::newRow("pos_weight: a negative in the list")
        << QStringLiteral(
               R"({"name": "a", "type": "attributes", "labels": ["x", "y"], "options": {"pos_weight": [1, -2]}})")
        << QStringLiteral("tasks[0].options.pos_weight[1]: must be between 0 and 10000, got -2");
    QTest::newRow("pos_weight: an object")
        << QStringLiteral(
               R"({"name": "a", "type": "attributes", "labels": ["x"], "options": {"pos_weight": {"x": 2}}})")
        << QStringLiteral("tasks[0].options.pos_weight: expected a number, a list of numbers or "
                          "one of balanced, got an object");
    QTest::newRow("attribute_weights: a number")
        << QStringLiteral(
               R"({"name": "a", "type": "attributes", "labels": ["x"], "options": {"attribute_weights": 2}})")
        << QStringLiteral(
               "tasks[0].options.attribute_weights: expected an array of numbers, got an integer");
    QTest::newRow("head: unknown")
        << QStringLiteral(
               R"({"name": "a", "type": "attributes", "labels": ["x"], "options": {"head": "softmax"}})")
        << QStringLiteral(
               "tasks[0].options.head: unknown value 'softmax' (known: sigmoid, branches)");
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
