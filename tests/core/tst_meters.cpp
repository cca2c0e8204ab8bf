// Task meters combine exactly: meters that saw different parts of an evaluation, merged
// through state(), report what one meter that saw all of it reports (what several processes
// of a data-parallel evaluation rely on); a state of another shape is refused.

#include "common/error.h"
#include "store/records.h"
#include "train/task.h"

#include <torch/types.h>

#include <QTest>

using namespace mtl;

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

std::unique_ptr<train::Task> task(const char *type)
{
    experiment::TaskConfig config;
    config.name = "t";
    config.type = type;
    if (std::string(type) == "classification")
        config.label = "class";
    else
        config.labels = {"x", "y"};
    return train::makeTask(config, dataset(), "tasks[0]");
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
        QCOMPARE(QString::fromStdString(actual[i].attribute), QString::fromStdString(expected[i].attribute));
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

QTEST_APPLESS_MAIN(TestMeters)
#include "tst_meters.moc"
