// Task meters: the classification and attributes metrics against values computed by hand (and
// by scikit-learn's definitions, quoted where they are used); meters combine exactly: meters
// that saw different parts of an evaluation, merged through state(), report what one meter
// that saw all of it reports (what several processes of a data-parallel evaluation rely on); a
// state of another shape is refused.

#include "common/error.h"
#include "store/records.h"
#include "train/meters.h"
#include "train/task.h"

#include <torch/types.h>

#include <QTest>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

using namespace mtl;

namespace {

store::DatasetInfo dataset()
{
    store::DatasetInfo d;
    d.name = "d";
    d.columns.push_back({1, "class", store::ColumnKind::Categorical, {"a", "b", "c"}});
    d.columns.push_back({2, "x", store::ColumnKind::Binary, {}, "shape"});
    d.columns.push_back({3, "y", store::ColumnKind::Binary, {}, "shape"});
    d.columns.push_back({4, "z", store::ColumnKind::Binary, {}, "colour"});
    d.columns.push_back(
        {5, "seven", store::ColumnKind::Categorical, {"a", "b", "c", "d", "e", "f", "g"}});
    return d;
}

std::unique_ptr<train::Task> task(const char *type, const char *label = "class")
{
    experiment::TaskConfig config;
    config.name = "t";
    config.type = type;
    if (std::string(type) == "classification")
        config.label = label;
    else
        config.labels = {"x", "y", "z"};
    return train::makeTask(config, dataset(), "tasks[0]");
}

// (attribute, name) → value of a meter's values().
std::map<std::pair<std::string, std::string>, double> valuesOf(const train::TaskMeter &meter)
{
    std::map<std::pair<std::string, std::string>, double> values;
    for (const train::MetricValue &value : meter.values())
        values[{value.attribute, value.name}] = value.value;
    return values;
}

// One-hot scores [N, K] that predict `predicted`.
torch::Tensor scoresFor(const std::vector<std::int64_t> &predicted, std::int64_t k)
{
    torch::Tensor scores = torch::zeros({static_cast<std::int64_t>(predicted.size()), k});
    for (std::size_t i = 0; i < predicted.size(); ++i)
        scores[static_cast<std::int64_t>(i)][predicted[i]] = 1.0;
    return scores;
}

// Average precision as scikit-learn defines it, from the scores themselves:
// Σ_n (R_n − R_{n−1}) P_n over the distinct thresholds, highest first.
double exactAveragePrecision(std::vector<std::pair<double, int>> scored)
{
    std::sort(scored.begin(), scored.end(), [](auto a, auto b) { return a.first > b.first; });
    double positives = 0;
    for (const auto &s : scored)
        positives += s.second;
    double tp = 0, fp = 0, ap = 0;
    for (std::size_t i = 0; i < scored.size();) {
        double newTp = 0;
        std::size_t j = i;
        for (; j < scored.size() && scored[j].first == scored[i].first; ++j) {
            newTp += scored[j].second;
            fp += 1 - scored[j].second;
        }
        tp += newTp;
        ap += newTp / positives * tp / (tp + fp);
        i = j;
    }
    return ap;
}

// Batches of random outputs and targets (some targets missing: -1).
struct Batch {
    torch::Tensor output, target;
};
std::vector<Batch> batches(const train::Task &t, int count)
{
    torch::manual_seed(4);
    std::vector<Batch> result;
    const std::int64_t k = t.head().channels;
    for (int i = 0; i < count; ++i) {
        Batch b;
        b.output = torch::randn({6, k});
        if (t.config().type == "classification")
            b.target = torch::randint(-1, 3, {6}, torch::kInt64);
        else
            b.target = torch::randint(-1, 2, {6, k}).to(torch::kFloat32);
        result.push_back(b);
    }
    return result;
}

} // namespace

class TestMeters : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void mergedEqualsWhole_data();
    void mergedEqualsWhole();
    void stateOfAnotherShapeIsRefused();
    void classificationByHand();
    void topFiveOverFiveClasses();
    void attributesByHand();
    void averagePrecisionOfManyScores();
    void histogramMedian_data();
    void histogramMedian();
};

void TestMeters::mergedEqualsWhole_data()
{
    QTest::addColumn<QString>("type");
    QTest::newRow("classification") << QStringLiteral("classification");
    QTest::newRow("attributes") << QStringLiteral("attributes");
}

void TestMeters::mergedEqualsWhole()
{
    QFETCH(QString, type);
    const auto t = task(type.toLatin1().constData());
    const auto data = batches(*t, 5);
    auto whole = t->makeMeter(), first = t->makeMeter(), second = t->makeMeter();
    for (std::size_t i = 0; i < data.size(); ++i) {
        const double loss = t->loss(data[i].output, data[i].target).item<double>();
        whole->add(data[i].output, data[i].target, loss);
        (i < 2 ? first : second)->add(data[i].output, data[i].target, loss);
    }
    QVERIFY(first->values().size() > 1);
    first->merge(second->state());
    const auto expected = whole->values(), actual = first->values();
    QCOMPARE(actual.size(), expected.size());
    for (std::size_t i = 0; i < actual.size(); ++i) {
        QCOMPARE(QString::fromStdString(actual[i].attribute),
                 QString::fromStdString(expected[i].attribute));
        QCOMPARE(QString::fromStdString(actual[i].name), QString::fromStdString(expected[i].name));
        QVERIFY2(std::abs(actual[i].value - expected[i].value) < 1e-12, actual[i].name.c_str());
    }
    // Counts are exact: a merged state equals the whole meter's state element by element.
    QCOMPARE(first->state().size(), whole->state().size());
    QCOMPARE(first->state().front(), whole->state().front());
}

void TestMeters::stateOfAnotherShapeIsRefused()
{
    auto classification = task("classification")->makeMeter();
    auto attributes = task("attributes")->makeMeter();
    try {
        classification->merge(attributes->state());
        QFAIL("a state of another meter was merged");
    } catch (const Error &e) {
        QVERIFY2(e.code() == ErrorCode::Training, e.what());
    }
}

void TestMeters::classificationByHand()
{
    const auto t = task("classification");
    auto meter = t->makeMeter();
    // truth 0 0 1 1 2 (and one unlabelled), predicted 0 1 1 1 0 (and 2).
    const torch::Tensor target = torch::tensor({0, 0, 1, 1, 2, -1}, torch::kInt64);
    meter->add(scoresFor({0, 1, 1, 1, 0, 2}, 3), target, 0.5);
    const auto v = valuesOf(*meter);
    QCOMPARE(v.at({"", "accuracy"}), 3.0 / 5);
    // Recall per class: a 1/2, b 2/2, c 0/1 → balanced accuracy 0.5.
    QCOMPARE(v.at({"", "balanced_accuracy"}), 0.5);
    QCOMPARE(v.at({"a", "recall"}), 0.5);
    QCOMPARE(v.at({"c", "recall"}), 0.0);
    // F1 per class 2TP/(2TP+FP+FN): a 2/4, b 4/5, c 0/1; macro-F1 their mean (scikit-learn's
    // f1_score(average="macro") over the classes in truth or prediction).
    QCOMPARE(v.at({"b", "f1"}), 0.8);
    QVERIFY(std::abs(v.at({"", "macro_f1"}) - (0.5 + 0.8 + 0.0) / 3) < 1e-12);
    QCOMPARE(v.at({"b", "precision"}), 2.0 / 3);
    QVERIFY(v.find({"c", "precision"}) == v.end());    // never predicted
    QVERIFY(v.find({"", "top5_accuracy"}) == v.end()); // 3 classes
    // The confusion matrix, non-zero cells only.
    QCOMPARE(v.at({"a", "confusion:a"}), 1.0);
    QCOMPARE(v.at({"a", "confusion:b"}), 1.0);
    QCOMPARE(v.at({"b", "confusion:b"}), 2.0);
    QCOMPARE(v.at({"c", "confusion:a"}), 1.0);
    QVERIFY(v.find({"b", "confusion:a"}) == v.end());
    QCOMPARE(v.at({"", "loss"}), 0.5);
    // No task-level value hides under a per-class name and the other way round.
    for (const auto &[key, value] : v)
        QVERIFY2(key.first.empty() !=
                     (key.second == "recall" || key.second == "precision" || key.second == "f1" ||
                      key.second.rfind("confusion:", 0) == 0),
                 key.second.c_str());
}

void TestMeters::topFiveOverFiveClasses()
{
    const auto t = task("classification", "seven");
    auto meter = t->makeMeter();
    // Scores rank the classes g > f > … > a for every sample: the top five are c…g.
    const torch::Tensor scores = torch::arange(7, torch::kFloat32).repeat({4, 1});
    const torch::Tensor target = torch::tensor({6, 2, 1, 0}, torch::kInt64);
    meter->add(scores, target, 1.0);
    const auto v = valuesOf(*meter);
    QCOMPARE(v.at({"", "accuracy"}), 0.25);     // only the first is g
    QCOMPARE(v.at({"", "top5_accuracy"}), 0.5); // g and c are in the top five
}

void TestMeters::attributesByHand()
{
    const auto t = task("attributes");
    auto meter = t->makeMeter();
    // x: logits 3 2 1 −1 −2 for truths 1 0 1 0 1 (predicted 1 1 1 0 0: tp 2, fp 1, fn 1, tn 1).
    // y: always right (1 0 1 0 1 predicted as such). z: no positive, one false positive.
    const torch::Tensor logits = torch::tensor({{3.0, 1.0, 1.0},
                                                {2.0, -1.0, -1.0},
                                                {1.0, 1.0, -1.0},
                                                {-1.0, -1.0, -1.0},
                                                {-2.0, 1.0, -1.0}});
    const torch::Tensor target =
        torch::tensor({{1, 1, 0}, {0, 0, 0}, {1, 1, 0}, {0, 0, 0}, {1, 1, -1}}).to(torch::kFloat32);
    meter->add(logits, target, 0.25);
    const auto v = valuesOf(*meter);
    QCOMPARE(v.at({"x", "accuracy"}), 0.6);
    QVERIFY(std::abs(v.at({"x", "balanced_accuracy"}) - (2.0 / 3 + 1.0 / 2) / 2) < 1e-12);
    QVERIFY(std::abs(v.at({"x", "f1"}) - 4.0 / 6) < 1e-12);
    // AP of x, ranked 3 2 1 −1 −2 → 1 0 1 0 1: (1/1 + 2/3 + 3/5) / 3.
    QVERIFY2(std::abs(v.at({"x", "ap"}) - (1.0 + 2.0 / 3 + 3.0 / 5) / 3) < 1e-12,
             qPrintable(QString::number(v.at({"x", "ap"}))));
    QCOMPARE(v.at({"y", "ap"}), 1.0);
    QCOMPARE(v.at({"y", "f1"}), 1.0);
    // z: 4 labelled negatives, 1 predicted positive: accuracy 3/4, balanced = TNR 3/4,
    // F1 0 (a false positive and no positive), no AP (nothing to recall).
    QCOMPARE(v.at({"z", "accuracy"}), 0.75);
    QCOMPARE(v.at({"z", "balanced_accuracy"}), 0.75);
    QCOMPARE(v.at({"z", "f1"}), 0.0);
    QVERIFY(v.find({"z", "ap"}) == v.end());
    // Task means over the attributes where each is defined; mAP over x and y only.
    QVERIFY(std::abs(v.at({"", "accuracy"}) - (0.6 + 1.0 + 0.75) / 3) < 1e-12);
    QVERIFY(std::abs(v.at({"", "f1"}) - (4.0 / 6 + 1.0 + 0.0) / 3) < 1e-12);
    QVERIFY(std::abs(v.at({"", "map"}) - ((1.0 + 2.0 / 3 + 3.0 / 5) / 3 + 1.0) / 2) < 1e-12);
    // Groups: shape = {x, y}, colour = {z}.
    QVERIFY(std::abs(v.at({"shape", "group_accuracy"}) - 0.8) < 1e-12);
    QCOMPARE(v.at({"colour", "group_accuracy"}), 0.75);
    QVERIFY(v.find({"colour", "group_ap"}) == v.end());
    // The attribute rows keep the names the per-attribute table reads ("accuracy").
    QVERIFY(v.find({"shape", "accuracy"}) == v.end());
}

void TestMeters::averagePrecisionOfManyScores()
{
    // 500 random logits in (−8, 8): no two share a histogram bin of 1/64 often enough to move
    // AP by more than a rounding; compared with the definition on the scores themselves.
    std::mt19937 random(3);
    std::uniform_real_distribution<double> logit(-8.0, 8.0);
    std::vector<std::pair<double, int>> scored;
    std::vector<double> positives(2048, 0.0), negatives(2048, 0.0);
    for (int i = 0; i < 500; ++i) {
        const double s = logit(random);
        const int truth =
            std::uniform_real_distribution<double>(0, 1)(random) < 1.0 / (1.0 + std::exp(-s)) ? 1
                                                                                              : 0;
        scored.push_back({s, truth});
        const auto bin = static_cast<std::size_t>(std::floor((s + 16.0) * 64));
        (truth ? positives : negatives)[bin] += 1;
    }
    const double binned = train::detail::averagePrecision(positives.data(), negatives.data(), 2048);
    const double exact = exactAveragePrecision(scored);
    QVERIFY2(std::abs(binned - exact) < 2e-3,
             qPrintable(QString::number(binned) + QStringLiteral(" vs ") + QString::number(exact)));
    QVERIFY(exact > 0.6 && exact < 1.0); // the fixture ranks positives first, not perfectly
    // Through the meter: the same scores give the same AP as the histogram computed here.
    auto meter = task("attributes")->makeMeter();
    torch::Tensor logits = torch::zeros({500, 3}), target = torch::zeros({500, 3});
    for (std::int64_t i = 0; i < 500; ++i) {
        logits[i][0] = scored[static_cast<std::size_t>(i)].first;
        target[i][0] = scored[static_cast<std::size_t>(i)].second;
    }
    meter->add(logits, target, 0.0);
    QVERIFY(std::abs(valuesOf(*meter).at({"x", "ap"}) - binned) < 1e-6);
}

void TestMeters::histogramMedian_data()
{
    QTest::addColumn<QVector<double>>("counts");
    QTest::addColumn<double>("median");
    // Bins of width 1: the median sits where half of the mass is below, linear in its bin.
    QTest::newRow("one bin") << QVector<double>{0, 4, 0} << 1.5;
    QTest::newRow("two equal") << QVector<double>{2, 2} << 1.0;
    QTest::newRow("skewed") << QVector<double>{1, 0, 0, 3} << 3.0 + 1.0 / 3;
    QTest::newRow("empty") << QVector<double>{0, 0} << std::nan("");
}

void TestMeters::histogramMedian()
{
    QFETCH(QVector<double>, counts);
    QFETCH(double, median);
    const double actual =
        train::detail::histogramMedian(counts.data(), static_cast<std::size_t>(counts.size()), 1.0);
    if (std::isnan(median))
        QVERIFY(std::isnan(actual));
    else
        QVERIFY2(std::abs(actual - median) < 1e-12, qPrintable(QString::number(actual)));
}

QTEST_APPLESS_MAIN(TestMeters)
#include "tst_meters.moc"
