// Learning-rate schedules and the validation monitor, against factors computed by hand from
// their definitions (PyTorch's StepLR, MultiStepLR, CosineAnnealingLR, LinearLR and
// ReduceLROnPlateau): each step's factor, the plateau's reductions with patience, threshold,
// cooldown and floor, their state through a save and load, LearningRates on an optimiser's
// groups, and the monitor's verdicts for early stopping and keep_best.

#include "train/monitor.h"
#include "train/schedule.h"

#include "common/error.h"

#include "fixtures.h"

#include <torch/optim/sgd.h>
#include <torch/torch.h>

#include <QTest>

#include <cmath>

using namespace mtl;
using namespace mtl::test;
using nlohmann::json;

namespace {
std::unique_ptr<train::Schedule> schedule(const std::string &name, const json &options,
                                          std::int64_t stepsPerEpoch, std::int64_t stepsTotal)
{
    experiment::SchedulerConfig config;
    config.name = name;
    config.options = options;
    return train::makeSchedule(config, {stepsPerEpoch, stepsTotal});
}

store::MetricRow row(const std::string &task, const std::string &name, double value,
                     const std::string &attribute = {})
{
    return {10, 1, "val", task, attribute, name, value};
}
} // namespace

// (step, factor) pairs
using Factors = std::vector<std::pair<qint64, double>>;
Q_DECLARE_METATYPE(Factors)

class TestSchedules : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void factors_data();
    void factors();
    void unknownScheduleIsAConfigError();
    void plateauReduces_data();
    void plateauReduces();
    void plateauStateRoundTrip();
    void learningRatesScaleEveryGroup();
    void lowerIsBetter_data();
    void lowerIsBetter();
    void monitorVerdicts();
    void monitorMeansOverTasks();
    void monitorNamesWhatThereIs();
    void monitorStateRoundTrip();
};

void TestSchedules::factors_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("options");
    QTest::addColumn<qint64>("stepsPerEpoch");
    QTest::addColumn<qint64>("stepsTotal");
    QTest::addColumn<Factors>("factors");

    QTest::newRow("none") << "none"
                          << "{}" << qint64(10) << qint64(100)
                          << Factors{{1, 1.0}, {50, 1.0}, {100, 1.0}};
    // StepLR(step_size 2, gamma 0.5) stepped per epoch of 10 steps: epochs 0-1 at 1, 2-3 at
    // 0.5, 4 at 0.25.
    QTest::newRow("step") << "step"
                          << R"({"step_size": 2, "gamma": 0.5})" << qint64(10) << qint64(50)
                          << Factors{{1, 1.0}, {20, 1.0}, {21, 0.5}, {40, 0.5}, {41, 0.25}};
    // MultiStepLR(milestones [1, 3], gamma 0.1), epochs of 5 steps.
    QTest::newRow("multistep") << "multistep"
                               << R"({"milestones": [1, 3], "gamma": 0.1})" << qint64(5)
                               << qint64(25)
                               << Factors{{5, 1.0}, {6, 0.1}, {15, 0.1}, {16, 0.01}, {25, 0.01}};
    // CosineAnnealingLR(T_max 100) per step: (1 + cos(pi (step-1) / 100)) / 2.
    QTest::newRow("cosine") << "cosine"
                            << "{}" << qint64(10) << qint64(100)
                            << Factors{{1, 1.0},
                                       {26, (1 + std::cos(M_PI * 0.25)) / 2},
                                       {51, 0.5},
                                       {101, 0.0},
                                       {500, 0.0}};
    QTest::newRow("cosine to a floor") << "cosine"
                                       << R"({"min_factor": 0.1})" << qint64(10) << qint64(100)
                                       << Factors{{1, 1.0}, {51, 0.55}, {101, 0.1}};
    // 10 steps of warm-up from 0.1, then the cosine over the 100 steps left.
    QTest::newRow("cosine after a warm-up")
        << "cosine"
        << R"({"warmup_steps": 10, "start_factor": 0.1})" << qint64(10) << qint64(110)
        << Factors{{1, 0.1}, {6, 0.55}, {10, 0.91}, {11, 1.0}, {61, 0.5}};
    // LinearLR(start_factor 0.2, total_iters 4).
    QTest::newRow("linear_warmup")
        << "linear_warmup"
        << R"({"warmup_steps": 4, "start_factor": 0.2})" << qint64(10) << qint64(100)
        << Factors{{1, 0.2}, {2, 0.4}, {3, 0.6}, {4, 0.8}, {5, 1.0}, {99, 1.0}};
    // A plateau schedule starts at 1 and moves only with the monitored metric.
    QTest::newRow("plateau") << "plateau"
                             << "{}" << qint64(10) << qint64(100) << Factors{{1, 1.0}, {100, 1.0}};
}

void TestSchedules::factors()
{
    QFETCH(QString, name);
    QFETCH(QString, options);
    QFETCH(qint64, stepsPerEpoch);
    QFETCH(qint64, stepsTotal);
    QFETCH(Factors, factors);
    const auto s = schedule(str(name), json::parse(str(options)), stepsPerEpoch, stepsTotal);
    QCOMPARE(s->followsMonitor(), name == QLatin1String("plateau"));
    for (const auto &[step, expected] : factors) {
        const double actual = s->factor(step);
        QVERIFY2(std::abs(actual - expected) < 1e-12,
                 qPrintable(QStringLiteral("step %1: %2, expected %3")
                                .arg(step)
                                .arg(actual, 0, 'g', 17)
                                .arg(expected, 0, 'g', 17)));
    }
    // Calendar schedules are functions of the step: the same question, the same answer.
    if (!factors.empty())
        QCOMPARE(s->factor(factors.front().first), s->factor(factors.front().first));
}

void TestSchedules::unknownScheduleIsAConfigError()
{
    try {
        schedule("onecycle", json::object(), 1, 1);
        QFAIL("no error");
    } catch (const Error &e) {
        QCOMPARE(int(e.code()), int(ErrorCode::Config));
        QVERIFY(std::string(e.what()).find("onecycle") != std::string::npos);
    }
    // A bad option is named with its key.
    try {
        schedule("step", json{{"gamma", 2}}, 1, 1);
        QFAIL("no error");
    } catch (const Error &e) {
        QVERIFY2(std::string(e.what()).find("gamma") != std::string::npos, e.what());
    }
}

void TestSchedules::plateauReduces_data()
{
    QTest::addColumn<QString>("options");
    QTest::addColumn<bool>("lowerIsBetter");
    QTest::addColumn<QList<double>>("values");  // one per epoch
    QTest::addColumn<QList<double>>("factors"); // the factor after each epoch

    // patience 1: a reduction after the second epoch in a row without improvement.
    QTest::newRow("patience 1") << R"({"factor": 0.5, "patience": 1, "threshold": 0})" << true
                                << QList<double>{1.0, 0.9, 0.95, 0.95, 0.8, 0.85, 0.85}
                                << QList<double>{1, 1, 1, 0.5, 0.5, 0.5, 0.25};
    // patience 0: every epoch without improvement reduces.
    QTest::newRow("patience 0") << R"({"factor": 0.5, "patience": 0, "threshold": 0})" << true
                                << QList<double>{1.0, 1.0, 0.5, 0.6}
                                << QList<double>{1, 0.5, 0.5, 0.25};
    // A relative threshold of 10 %: 0.95 is no improvement on 1.0, 0.85 is.
    QTest::newRow("threshold") << R"({"factor": 0.5, "patience": 0, "threshold": 0.1})" << true
                               << QList<double>{1.0, 0.95, 0.85} << QList<double>{1, 0.5, 0.5};
    // cooldown 1: the epoch after a reduction does not count.
    QTest::newRow("cooldown") << R"({"factor": 0.5, "patience": 1, "threshold": 0, "cooldown": 1})"
                              << true << QList<double>{1.0, 1.1, 1.1, 1.2, 1.2, 1.2}
                              << QList<double>{1, 1, 0.5, 0.5, 0.5, 0.25};
    // The floor.
    QTest::newRow("min_factor")
        << R"({"factor": 0.1, "patience": 0, "threshold": 0, "min_factor": 0.05})" << true
        << QList<double>{1.0, 2.0, 2.0, 2.0} << QList<double>{1, 0.1, 0.05, 0.05};
    // Accuracies rise: a fall is no improvement.
    QTest::newRow("higher is better")
        << R"({"factor": 0.5, "patience": 0, "threshold": 0})" << false
        << QList<double>{0.5, 0.6, 0.55, 0.7} << QList<double>{1, 1, 0.5, 0.5};
    // A NaN validation is skipped, not taken as the best.
    QTest::newRow("nan is ignored") << R"({"factor": 0.5, "patience": 0, "threshold": 0})" << true
                                    << QList<double>{1.0, qQNaN(), 0.9} << QList<double>{1, 1, 1};
}

void TestSchedules::plateauReduces()
{
    QFETCH(QString, options);
    QFETCH(bool, lowerIsBetter);
    QFETCH(QList<double>, values);
    QFETCH(QList<double>, factors);
    const auto s = schedule("plateau", json::parse(str(options)), 10, 100);
    for (int e = 0; e < values.size(); ++e) {
        s->epochEnded(e + 1, values[e], lowerIsBetter);
        QVERIFY2(std::abs(s->factor((e + 1) * 10 + 1) - factors[e]) < 1e-12,
                 qPrintable(QStringLiteral("after epoch %1: %2, expected %3")
                                .arg(e + 1)
                                .arg(s->factor(1))
                                .arg(factors[e])));
    }
}

void TestSchedules::plateauStateRoundTrip()
{
    const json options{{"factor", 0.5}, {"patience", 1}, {"threshold", 0.0}, {"cooldown", 1}};
    const auto a = schedule("plateau", options, 10, 100);
    for (const double v : {1.0, 1.1, 1.1}) // reduced, in cooldown
        a->epochEnded(0, v, true);
    const auto b = schedule("plateau", options, 10, 100);
    b->loadState(a->saveState());
    QCOMPARE(b->factor(1), a->factor(1));
    QCOMPARE(b->factor(1), 0.5);
    // The same future: the cooldown and the bad epochs travelled too.
    for (const double v : {1.2, 1.2, 1.2, 0.5, 0.6, 0.6}) {
        a->epochEnded(0, v, true);
        b->epochEnded(0, v, true);
        QCOMPARE(b->factor(1), a->factor(1));
    }
    QCOMPARE(b->factor(1), 0.125);
    // A calendar schedule has no state; loading none changes nothing.
    const auto cosine = schedule("cosine", json::object(), 10, 100);
    QVERIFY(cosine->saveState().is_null());
    cosine->loadState(nullptr);
    QCOMPARE(cosine->factor(51), 0.5);
}

void TestSchedules::learningRatesScaleEveryGroup()
{
    torch::manual_seed(0);
    auto a = torch::randn({3}, torch::requires_grad());
    auto b = torch::randn({2}, torch::requires_grad());
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(std::vector<at::Tensor>{a},
                        std::make_unique<torch::optim::SGDOptions>(0.1));
    groups.emplace_back(std::vector<at::Tensor>{b},
                        std::make_unique<torch::optim::SGDOptions>(0.01));
    torch::optim::SGD sgd(std::move(groups), torch::optim::SGDOptions(0.1));
    const auto s =
        schedule("linear_warmup", json{{"warmup_steps", 4}, {"start_factor", 0.2}}, 1, 8);
    train::LearningRates rates(sgd, *s);
    const auto lrOf = [&](std::size_t g) { return sgd.param_groups()[g].options().get_lr(); };
    QCOMPARE(rates.apply(1), 0.1 * 0.2);
    QCOMPARE(lrOf(0), 0.1 * 0.2);
    QCOMPARE(lrOf(1), 0.01 * 0.2);
    QCOMPARE(rates.apply(3), 0.1 * 0.6);
    QVERIFY(std::abs(lrOf(1) - 0.01 * 0.6) < 1e-15);
    // From the base rates each time, not compounded.
    QCOMPARE(rates.apply(3), 0.1 * 0.6);
    QCOMPARE(rates.apply(8), 0.1);
    QCOMPARE(lrOf(1), 0.01);
}

void TestSchedules::lowerIsBetter_data()
{
    QTest::addColumn<QString>("metric");
    QTest::addColumn<bool>("lower");
    QTest::newRow("loss") << "loss" << true;
    QTest::newRow("a term's loss") << "smooth_loss" << true;
    QTest::newRow("an error") << "abs_err" << true;
    QTest::newRow("rmse") << "rmse" << true;
    QTest::newRow("accuracy") << "accuracy" << false;
    QTest::newRow("miou") << "miou" << false;
    QTest::newRow("pixel accuracy") << "pixel_accuracy" << false;
}

void TestSchedules::lowerIsBetter()
{
    QFETCH(QString, metric);
    QFETCH(bool, lower);
    QCOMPARE(train::lowerIsBetter(str(metric)), lower);
    QCOMPARE(train::EpochMonitor("t." + str(metric), 0, 0).lowerIsBetter(), lower);
}

void TestSchedules::monitorVerdicts()
{
    // patience 2, min_delta 0.1 on a loss: 0.95 is no improvement on 1.0; 0.85 is.
    train::EpochMonitor m("kind.loss", 2, 0.1);
    const auto at = [&](int epoch, double loss) {
        return m.observe(epoch, {row("kind", "loss", loss), row("kind", "accuracy", 0.5)});
    };
    auto v = at(1, 1.0);
    QVERIFY(v.improved && !v.stop);
    QCOMPARE(v.value, 1.0);
    v = at(2, 0.95);
    QVERIFY(!v.improved && !v.stop);
    QCOMPARE(m.epochsWithoutImprovement(), 1);
    v = at(3, 0.85);
    QVERIFY(v.improved && !v.stop);
    QCOMPARE(m.bestEpoch(), 3);
    QCOMPARE(m.best(), 0.85);
    QVERIFY(!at(4, 0.8).stop); // 0.05 better: not enough
    v = at(5, 2.0);
    QVERIFY(!v.improved && v.stop); // two epochs without improvement
    QCOMPARE(m.bestEpoch(), 3);

    // An accuracy rises; patience 0 never stops.
    train::EpochMonitor acc("kind.accuracy", 0, 0.0);
    QVERIFY(acc.observe(1, {row("kind", "accuracy", 0.5)}).improved);
    QVERIFY(!acc.observe(2, {row("kind", "accuracy", 0.4)}).improved);
    QVERIFY(!acc.observe(3, {row("kind", "accuracy", 0.4)}).stop);
    QVERIFY(acc.observe(4, {row("kind", "accuracy", 0.6)}).improved);
    QCOMPARE(acc.bestEpoch(), 4);
}

void TestSchedules::monitorMeansOverTasks()
{
    // A bare metric: its mean over the tasks, at task level (attribute rows and the total
    // are not counted).
    train::EpochMonitor m("loss", 0, 0.0);
    const std::vector<store::MetricRow> rows{row("kind", "loss", 1.0), row("looks", "loss", 3.0),
                                             row("looks", "loss", 100.0, "flies"),
                                             row("", "loss", 50.0)};
    QCOMPARE(m.valueOf(rows), 2.0);
    train::EpochMonitor one("looks.loss", 0, 0.0);
    QCOMPARE(one.valueOf(rows), 3.0);
}

void TestSchedules::monitorNamesWhatThereIs()
{
    train::EpochMonitor m("kind.miou", 1, 0.0);
    try {
        m.valueOf({row("kind", "loss", 1.0), row("kind", "accuracy", 0.5)});
        QFAIL("no error");
    } catch (const Error &e) {
        QCOMPARE(int(e.code()), int(ErrorCode::Config));
        QCOMPARE(qstr(e.where().key), QStringLiteral("train.monitor"));
        QVERIFY2(std::string(e.what()).find("no validation metric 'kind.miou' (this run "
                                            "records: kind.accuracy, kind.loss)") !=
                     std::string::npos,
                 e.what());
    }
}

void TestSchedules::monitorStateRoundTrip()
{
    train::EpochMonitor a("loss", 2, 0.0);
    a.observe(1, {row("kind", "loss", 1.0)});
    a.observe(2, {row("kind", "loss", 1.5)});
    train::EpochMonitor b("loss", 2, 0.0);
    b.loadState(a.saveState());
    QCOMPARE(b.bestEpoch(), 1);
    QCOMPARE(b.best(), 1.0);
    QCOMPARE(b.epochsWithoutImprovement(), 1);
    QVERIFY(b.observe(3, {row("kind", "loss", 1.2)}).stop); // the second epoch without
}

QTEST_GUILESS_MAIN(TestSchedules)
#include "tst_schedules.moc"
