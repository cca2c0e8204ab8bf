// RunTableModel, DatasetTableModel and ExperimentQueue: checked by QAbstractItemModelTester through
// resets and live updates, and for what they show.

#include "datasettablemodel.h"
#include "experimentqueue.h"
#include "runtablemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace mtl;
using mtl::widgets::DatasetTableModel;
using mtl::widgets::RunTableModel;

namespace {

store::RunInfo makeRun(qint64 id, store::RunStatus status, qint64 done = 0, qint64 total = 0)
{
    store::RunInfo r;
    r.id = id;
    r.experimentName = "exp" + std::to_string(id);
    r.datasetName = "fashion-mnist";
    r.status = status;
    r.device = "cpu";
    r.createdAt = "2019-03-04T12:00:00Z";
    r.stepsDone = done;
    r.stepsTotal = total;
    return r;
}

store::DatasetInfo makeDataset()
{
    store::DatasetInfo d;
    d.id = 7;
    d.name = "fashion-mnist";
    d.format = "fashion-mnist";
    d.width = 28;
    d.height = 28;
    d.channels = 1;
    d.splits = {{"train", 60000}, {"test", 10000}};
    d.columns = {{1, "class", store::ColumnKind::Categorical, {"T-shirt/top", "Trouser"}},
                 {2, "footwear", store::ColumnKind::Binary, {}, "feet"},
                 {3, "accessory", store::ColumnKind::Binary, {}}};
    return d;
}

} // namespace

class TestGuiModels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void runModelPassesTheTester();
    void runModelShowsRuns();
    void runModelLiveUpdates();
    void runModelKeepsRowsWhenIdsAreUnchanged();
    void datasetModelPassesTheTester();
    void datasetModelShowsDatasets();
    void queuePassesTheTesterAndKeepsOrder();
};

void TestGuiModels::runModelPassesTheTester()
{
    RunTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRuns({makeRun(2, store::RunStatus::Running, 5, 10),
                   makeRun(1, store::RunStatus::Completed, 10, 10)});
    model.updateProgress(2, 6, 10, 1234.0);
    model.updateStatus(2, store::RunStatus::Failed, QStringLiteral("out of memory"));
    model.setRuns({makeRun(3, store::RunStatus::Queued)});
    model.setRuns({});
    QCOMPARE(model.rowCount(), 0);
}

void TestGuiModels::runModelShowsRuns()
{
    RunTableModel model;
    model.setRuns(
        {makeRun(2, store::RunStatus::Running, 5, 10), makeRun(1, store::RunStatus::Failed)});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.columnCount(), int(RunTableModel::ColumnCount));
    QCOMPARE(model.index(0, RunTableModel::Id).data().toLongLong(), 2);
    QCOMPARE(model.index(0, RunTableModel::Experiment).data().toString(), QStringLiteral("exp2"));
    QCOMPARE(model.index(0, RunTableModel::Status).data().toString(), QStringLiteral("running"));
    QCOMPARE(model.index(0, RunTableModel::Progress).data().toString(), QStringLiteral("50 %"));
    QCOMPARE(model.index(1, RunTableModel::Progress).data().toString(), QString());
    QCOMPARE(model.index(1, 0).data(RunTableModel::RunIdRole).toLongLong(), 1);
    // Runs of another year show the year; the tooltip has the full time.
    QCOMPARE(model.index(0, RunTableModel::Started).data().toString().left(10),
             QStringLiteral("2019-03-04"));
    QVERIFY(model.index(0, RunTableModel::Started)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("2019-03-04T12:00:00Z")));
    QCOMPARE(model.headerData(RunTableModel::Speed, Qt::Horizontal).toString(),
             QStringLiteral("Images/s"));
    QCOMPARE(model.rowOf(1), 1);
    QCOMPARE(model.rowOf(99), -1);
}

void TestGuiModels::runModelLiveUpdates()
{
    RunTableModel model;
    model.setRuns({makeRun(4, store::RunStatus::Running, 0, 200)});
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.updateProgress(4, 50, 200, 2500.0);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(model.index(0, RunTableModel::Progress).data().toString(), QStringLiteral("25 %"));
    QVERIFY(model.index(0, RunTableModel::Speed).data().toString().startsWith(QStringLiteral("2")));
    model.updateStatus(4, store::RunStatus::Failed, QStringLiteral("NaN loss"));
    QCOMPARE(model.index(0, RunTableModel::Status).data().toString(), QStringLiteral("failed"));
    QCOMPARE(model.index(0, RunTableModel::Status).data(Qt::ToolTipRole).toString(),
             QStringLiteral("NaN loss"));
    model.updateProgress(99, 1, 1, 1); // unknown run: ignored
    QCOMPARE(changed.count(), 2);
}

void TestGuiModels::runModelKeepsRowsWhenIdsAreUnchanged()
{
    RunTableModel model;
    model.setRuns({makeRun(1, store::RunStatus::Running, 1, 10)});
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setRuns({makeRun(1, store::RunStatus::Completed, 10, 10)});
    QCOMPARE(reset.count(), 0); // selection in views survives a refresh
    QCOMPARE(changed.count(), 1);
    QCOMPARE(model.index(0, RunTableModel::Status).data().toString(), QStringLiteral("completed"));
    model.setRuns({makeRun(2, store::RunStatus::Queued), makeRun(1, store::RunStatus::Completed)});
    QCOMPARE(reset.count(), 1);
}

void TestGuiModels::datasetModelPassesTheTester()
{
    DatasetTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.setDatasets({makeDataset()});
    QCOMPARE(reset.count(), 1);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.columnCount(), int(DatasetTableModel::ColumnCount));

    // A reset to two datasets: the rows are the new ones, in order, with every role.
    store::DatasetInfo digits;
    digits.id = 9;
    digits.name = "digits";
    digits.format = "idx";
    digits.source = "/data/digits";
    digits.splits = {{"train", 1500}};
    digits.columns = {{3, "digit", store::ColumnKind::Categorical, {"0", "1"}}};
    model.setDatasets({makeDataset(), digits});
    QCOMPARE(reset.count(), 2);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(1, DatasetTableModel::Name).data().toString(), QStringLiteral("digits"));
    QCOMPARE(model.index(1, DatasetTableModel::Samples).data().toString(),
             QLocale().toString(1500));
    QCOMPARE(model.index(1, DatasetTableModel::Splits).data().toString(),
             QStringLiteral("train %1").arg(QLocale().toString(1500)));
    QCOMPARE(model.index(1, DatasetTableModel::ImageSize).data().toString(),
             QStringLiteral("mixed"));
    QCOMPARE(model.index(1, DatasetTableModel::Labels).data().toString(),
             QStringLiteral("1 column(s)"));
    QCOMPARE(model.index(1, DatasetTableModel::Format).data().toString(), QStringLiteral("idx"));
    QCOMPARE(model.index(1, 0).data(DatasetTableModel::DatasetIdRole).toLongLong(), 9);
    QCOMPARE(model.index(1, 0).data(DatasetTableModel::DatasetNameRole).toString(),
             QStringLiteral("digits"));
    QCOMPARE(model.index(1, DatasetTableModel::Name).data(Qt::ToolTipRole).toString(),
             QStringLiteral("Imported from /data/digits"));
    QCOMPARE(model.index(1, DatasetTableModel::Samples).data(Qt::TextAlignmentRole).toInt(),
             int(Qt::AlignRight | Qt::AlignVCenter));
    QVERIFY(!model.index(1, DatasetTableModel::Name).data(Qt::TextAlignmentRole).isValid());
    QCOMPARE(model.index(0, 0).data(DatasetTableModel::DatasetIdRole).toLongLong(), 7);
    QCOMPARE(model.dataset(1)->name, std::string("digits"));
    QVERIFY(model.contains(QStringLiteral("digits")));

    // A reset to nothing leaves no rows and nothing to look up.
    model.setDatasets({});
    QCOMPARE(reset.count(), 3);
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.index(0, 0).isValid());
    QVERIFY(model.dataset(0) == nullptr);
    QVERIFY(!model.contains(QStringLiteral("digits")));
}

void TestGuiModels::datasetModelShowsDatasets()
{
    DatasetTableModel model;
    model.setDatasets({makeDataset()});
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.index(0, DatasetTableModel::Name).data().toString(),
             QStringLiteral("fashion-mnist"));
    QCOMPARE(model.index(0, DatasetTableModel::Samples).data().toString(),
             QLocale().toString(70000));
    const QString splits = model.index(0, DatasetTableModel::Splits).data().toString();
    QVERIFY2(splits.contains(QStringLiteral("train")) && splits.contains(QStringLiteral("test")),
             qPrintable(splits));
    QCOMPARE(model.index(0, DatasetTableModel::ImageSize).data().toString(),
             QStringLiteral("28×28×1"));
    const QString labels =
        model.index(0, DatasetTableModel::Labels).data(Qt::ToolTipRole).toString();
    QVERIFY2(labels.contains(QStringLiteral("class: 2 classes (T-shirt/top, Trouser)")),
             qPrintable(labels));
    QVERIFY2(labels.contains(QStringLiteral("footwear: binary, attribute group feet")),
             qPrintable(labels));
    QVERIFY2(labels.contains(QStringLiteral("accessory: binary")), qPrintable(labels));
    QVERIFY(model.contains(QStringLiteral("fashion-mnist")));
    QVERIFY(!model.contains(QStringLiteral("mnist")));
}

void TestGuiModels::queuePassesTheTesterAndKeepsOrder()
{
    widgets::ExperimentQueue queue;
    QAbstractItemModelTester tester(&queue, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy changed(&queue, &widgets::ExperimentQueue::changed);
    for (const char *name : {"a", "b", "c", "d"})
        queue.append({QStringLiteral("example:%1").arg(QLatin1String(name)),
                      {QStringLiteral("train.epochs=2")},
                      QString::fromLatin1(name)});
    QCOMPARE(queue.rowCount(), 4);
    QCOMPARE(changed.size(), 4);
    QCOMPARE(queue.index(2).data().toString(), QStringLiteral("c"));
    QCOMPARE(queue.index(2).data(Qt::ToolTipRole).toString(),
             QStringLiteral("example:c\nwith train.epochs=2"));
    QCOMPARE(queue.takeFirst().name, QStringLiteral("a"));
    QCOMPARE(queue.index(0).data().toString(), QStringLiteral("b"));
    queue.remove({2, 0, 2, 7}); // duplicates and rows that do not exist are ignored
    QCOMPARE(queue.rowCount(), 1);
    QCOMPARE(queue.at(0).name, QStringLiteral("c"));
    changed.clear();
    queue.remove({5});
    QCOMPARE(changed.size(), 0); // nothing removed, nothing changed
    queue.setHalted(true);
    QVERIFY(queue.isHalted());
    queue.clear();
    QVERIFY(queue.isEmpty());
    QCOMPARE(changed.size(), 2);
}

QTEST_GUILESS_MAIN(TestGuiModels)
#include "tst_guimodels.moc"
