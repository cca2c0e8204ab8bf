// The annotation browser: the grid's model (QAbstractItemModelTester, filters, sorting), a
// label edited in the sample panel, undone, redone, and found again with its history after
// the project is reopened; the keys 1–9, Space and Enter; training reads the edited label;
// the statistics follow an edit; thumbnails decode off the GUI thread.

// qcustomplot.h uses the `signals`/`foreach` keywords; this test includes no LibTorch header.
#undef QT_NO_KEYWORDS
#undef QT_NO_FOREACH
#include "datasetbrowser.h"
#include "datasetstatistics.h"
#include "samplegridmodel.h"
#include "samplemaps.h"
#include "samplepanel.h"
#include "thumbnailloader.h"

#include "guifixtures.h"

#include "store/labeledits.h"
#include "store/project.h"
#include "experiment/config.h"
#include "fixtures.h"
#include "train/catalog.h"
#include "train/trainer.h"

#include <QAbstractItemModelTester>
#include <qcustomplot.h>
#include <QCheckBox>
#include <QComboBox>
#include <QListView>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace mtl;
using widgets::DatasetBrowser;
using widgets::SampleGridModel;

namespace {

const QString kTrain = QStringLiteral(R"({"epochs": 1, "batch_size": 16, "seed": 1, "threads": 1,
    "device": "cpu"})");

// The column index of `name` in the dataset.
int columnIndex(const store::DatasetInfo &dataset, const std::string &name)
{
    for (std::size_t c = 0; c < dataset.columns.size(); ++c)
        if (dataset.columns[c].name == name)
            return static_cast<int>(c);
    return -1;
}

std::optional<std::int32_t> storedLabel(const QString &project, qint64 sample,
                                        const std::string &column)
{
    store::Project p(project.toStdString(), store::Project::OpenMode::ReadOnly);
    const auto dataset = p.datasets().find("tiny");
    return store::LabelEdits(p.db()).label(sample, dataset->column(column)->id);
}

std::unique_ptr<DatasetBrowser> openBrowser(const QString &project)
{
    store::Project p(project.toStdString(), store::Project::OpenMode::ReadOnly);
    const store::DatasetInfo dataset = *p.datasets().find("tiny");
    auto browser = std::make_unique<DatasetBrowser>(project, dataset, false);
    browser->setAttribute(Qt::WA_DeleteOnClose, false);
    return browser;
}

} // namespace

class TestDatasetBrowser : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void gridModel();
    void editUndoRedoSurvivesReopening();
    void keyboardReview();
    void statisticsFollowEdits();
    void thumbnailsDecodeOffTheGuiThread();
    void denseOverlays();
    void modelDisagreements();
    void mapClassShares();

private:
    QTemporaryDir m_dir;
    QString m_project;
};

void TestDatasetBrowser::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_project = test::makeTinyProject(m_dir.path(), kTrain, 40, 12);
}

void TestDatasetBrowser::gridModel()
{
    store::Project p(m_project.toStdString(), store::Project::OpenMode::ReadOnly);
    const store::DatasetInfo dataset = *p.datasets().find("tiny");
    SampleGridModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setTable(dataset, p.datasets().sampleTable(dataset), {}, nullptr);
    QCOMPARE(model.rowCount(), 52);
    QCOMPARE(model.data(model.index(0)).toString(), QStringLiteral("ant"));
    SampleGridModel::Filter filter;
    filter.split = QStringLiteral("test");
    model.setFilter(filter);
    QCOMPARE(model.rowCount(), 12);
    filter.column = columnIndex(dataset, "class");
    filter.value = 1; // bee
    model.setFilter(filter);
    QCOMPARE(model.rowCount(), 3);
    for (int row = 0; row < model.rowCount(); ++row)
        QCOMPARE(model.data(model.index(row)).toString(), QStringLiteral("bee"));
    filter = {};
    filter.pathText = QStringLiteral("7"); // no paths: the sample id
    model.setFilter(filter);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.data(model.index(0), SampleGridModel::SampleIdRole).toLongLong(), 7);
    model.setFilter({});
    model.setSortColumn(columnIndex(dataset, "class"), Qt::DescendingOrder);
    QCOMPARE(model.data(model.index(0)).toString(), QStringLiteral("dog"));
    filter = {};
    filter.editedOnly = true;
    model.setFilter(filter);
    QCOMPARE(model.rowCount(), 0);
    model.setEdited({3, 9});
    model.setFilter({});
    model.setFilter(filter);
    QCOMPARE(model.rowCount(), 2);
    model.setLabel(3, columnIndex(dataset, "class"), 2);
    QCOMPARE(model.label(model.tableRowOfSample(3), columnIndex(dataset, "class")), 2);
}

void TestDatasetBrowser::editUndoRedoSurvivesReopening()
{
    const int flies = 1; // class, flies, legs, mammal
    {
        auto browser = openBrowser(m_project);
        QSignalSpy loaded(browser.get(), &DatasetBrowser::loaded);
        QVERIFY(loaded.wait(10000));
        QCOMPARE(browser->panel()->sampleId(), qint64(1)); // the first sample is selected
        QCOMPARE(storedLabel(m_project, 1, "flies"), std::optional<std::int32_t>(0)); // an ant
        auto *box = qobject_cast<QCheckBox *>(browser->panel()->editor(flies));
        QVERIFY(box);
        QVERIFY(box->isEnabled());
        QSignalSpy changed(browser.get(), &DatasetBrowser::labelsChanged);
        box->click();
        QCOMPARE(changed.count(), 1);
        QCOMPARE(storedLabel(m_project, 1, "flies"), std::optional<std::int32_t>(1));
        QVERIFY(browser->model()->isEdited(1));
        QCOMPARE(browser->undoStack()->count(), 1);
        browser->undoStack()->undo();
        QCOMPARE(storedLabel(m_project, 1, "flies"), std::optional<std::int32_t>(0));
        QVERIFY(!box->isChecked());
        QVERIFY(!browser->model()->isEdited(1));
        browser->undoStack()->redo();
        QCOMPARE(storedLabel(m_project, 1, "flies"), std::optional<std::int32_t>(1));
        QVERIFY(box->isChecked());
        // A categorical label: sample 1 gets four legs instead of six, then that is undone.
        auto *legs = qobject_cast<QComboBox *>(browser->panel()->editor(2));
        QVERIFY(legs);
        const int four = legs->findText(QStringLiteral("four"));
        QVERIFY(four > 0);
        legs->setCurrentIndex(four);
        Q_EMIT legs->activated(four);
        QCOMPARE(browser->undoStack()->count(), 2);
        browser->undoStack()->undo();
        QCOMPARE(browser->undoStack()->index(), 1);
    }
    // Reopened: the edit is there, and so is its history — one step done, one undone.
    auto browser = openBrowser(m_project);
    QSignalSpy loaded(browser.get(), &DatasetBrowser::loaded);
    QVERIFY(loaded.wait(10000));
    QCOMPARE(browser->undoStack()->count(), 2);
    QCOMPARE(browser->undoStack()->index(), 1);
    QVERIFY(browser->model()->isEdited(1));
    auto *box = qobject_cast<QCheckBox *>(browser->panel()->editor(flies));
    QVERIFY(box->isChecked());
    browser->undoStack()->redo(); // the legs edit of the session before
    const auto legs = storedLabel(m_project, 1, "legs");
    QVERIFY(legs.has_value());
    QCOMPARE(qobject_cast<QComboBox *>(browser->panel()->editor(2))->currentText(),
             QStringLiteral("four"));
    browser->undoStack()->undo();
    browser->undoStack()->undo();
    QCOMPARE(storedLabel(m_project, 1, "flies"), std::optional<std::int32_t>(0));
    QCOMPARE(browser->undoStack()->index(), 0);
    // Redo it: the project keeps the edit for the tests after this one.
    browser->undoStack()->redo();
    QCOMPARE(storedLabel(m_project, 1, "flies"), std::optional<std::int32_t>(1));
    store::Project p(m_project.toStdString(), store::Project::OpenMode::ReadOnly);
    QCOMPARE(p.datasets().find("tiny")->labelEdits, std::int64_t(1));
}

void TestDatasetBrowser::keyboardReview()
{
    auto browser = openBrowser(m_project);
    QSignalSpy loaded(browser.get(), &DatasetBrowser::loaded);
    browser->show();
    QVERIFY(QTest::qWaitForWindowExposed(browser.get()));
    QVERIFY(loaded.count() == 1 || loaded.wait(10000));
    QVERIFY(browser->selectSample(5));
    browser->grid()->setFocus();
    const auto before = storedLabel(m_project, 5, "mammal");
    // 4 focuses the fourth label (mammal), Space toggles it, Enter goes to the next sample.
    QTest::keyClick(browser->grid(), Qt::Key_4);
    QWidget *mammal = browser->panel()->editor(3);
    QCOMPARE(QApplication::focusWidget(), mammal);
    QTest::keyClick(mammal, Qt::Key_Space);
    QCOMPARE(storedLabel(m_project, 5, "mammal"), std::optional<std::int32_t>(1 - *before));
    QTest::keyClick(mammal, Qt::Key_Return);
    QCOMPARE(browser->panel()->sampleId(), qint64(6));
    // Ctrl+Z in the browser undoes it.
    QTest::keyClick(mammal, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(storedLabel(m_project, 5, "mammal"), before);
}

void TestDatasetBrowser::statisticsFollowEdits()
{
    auto browser = openBrowser(m_project);
    QSignalSpy loaded(browser.get(), &DatasetBrowser::loaded);
    QVERIFY(loaded.wait(10000));
    store::Project p(m_project.toStdString(), store::Project::OpenMode::ReadOnly);
    const store::DatasetInfo dataset = *p.datasets().find("tiny");
    const int mammal = columnIndex(dataset, "mammal");
    // From the store's counts: positives / labelled in train.
    std::int64_t positives = 0, labelled = 0;
    for (const auto &count : p.datasets().labelCounts(dataset.id))
        if (count.split == "train" && count.columnId == dataset.columns[mammal].id) {
            labelled += count.count;
            positives += count.value == 1 ? count.count : 0;
        }
    QVERIFY(labelled > 0);
    const double rate = browser->statistics()->positiveRate("train", mammal);
    QCOMPARE(rate, static_cast<double>(positives) / labelled);
    QVERIFY(browser->selectSample(2)); // a bee: not a mammal
    qobject_cast<QCheckBox *>(browser->panel()->editor(mammal))->click();
    QCOMPARE(browser->statistics()->positiveRate("train", mammal),
             static_cast<double>(positives + 1) / labelled);
    browser->undoStack()->undo();
}

void TestDatasetBrowser::thumbnailsDecodeOffTheGuiThread()
{
    store::Project p(m_project.toStdString(), store::Project::OpenMode::ReadOnly);
    const store::DatasetInfo dataset = *p.datasets().find("tiny");
    widgets::ThumbnailLoader loader(m_project, dataset, 64);
    QSignalSpy ready(&loader, &widgets::ThumbnailLoader::thumbnailReady);
    QVERIFY(loader.thumbnail(3).isNull()); // not decoded yet: asked for
    QVERIFY(ready.wait(10000));
    QCOMPARE(ready.first().first().toLongLong(), 3);
    const QImage image = loader.thumbnail(3);
    // An 8×8 image grows by whole pixels to fill the 64-pixel cell: each one an 8×8 block.
    QCOMPARE(image.size(), QSize(64, 64));
    QCOMPARE(image.pixel(0, 0), image.pixel(7, 7));
    QSignalSpy full(&loader, &widgets::ThumbnailLoader::imageReady);
    loader.requestImage(999999);
    QVERIFY(full.wait(10000));
    QVERIFY(full.first().at(2).toString().contains(QStringLiteral("999999")));
}

// Maps drawn for the overlay: classes in their colours and 255 transparent, depth through the
// colour map with its labelled range, normals as (n + 1) / 2; the panel lays the chosen one
// over the image with its opacity.
void TestDatasetBrowser::denseOverlays()
{
    store::MapColumn semantic;
    semantic.name = "semantic";
    semantic.categories = {"background", "shirt", "bag"};
    const std::vector<std::uint8_t> classes{0, 2, 255, 1};
    store::StoredMap map;
    map.width = 2;
    map.height = 2;
    map.data = classes.data();
    map.size = classes.size();
    const widgets::SampleMap drawn = widgets::renderMap(semantic, map);
    QCOMPARE(drawn.image.pixel(1, 0), widgets::classColor(2).rgba());
    QCOMPARE(qAlpha(drawn.image.pixel(0, 1)), 0); // not labelled
    QCOMPARE(drawn.present, (std::vector<int>{0, 1, 2}));
    QVERIFY(!widgets::mapLegend(drawn, 300, QFont()).isNull());

    store::MapColumn depth;
    depth.name = "depth";
    depth.kind = store::MapKind::Depth;
    depth.type = store::MapType::UInt16;
    depth.scale = 0.001; // millimetres
    const std::vector<std::uint16_t> millimetres{0, 1500, 3000, 4500};
    map.data = millimetres.data();
    map.size = 8;
    const widgets::SampleMap far = widgets::renderMap(depth, map);
    QCOMPARE(far.low, 1.5);
    QCOMPARE(far.high, 4.5);
    QCOMPARE(qAlpha(far.image.pixel(0, 0)), 0); // 0 is not labelled
    QCOMPARE(far.image.pixel(1, 0), widgets::depthColor(0.0).rgba());
    QCOMPARE(far.image.pixel(1, 1), widgets::depthColor(1.0).rgba());

    store::MapColumn normals;
    normals.name = "normals";
    normals.kind = store::MapKind::Normals;
    normals.channels = 3;
    normals.type = store::MapType::Float32;
    const std::vector<float> vectors{0, 0, 1, 1, 0, 0, 0, 0, 0, 0, -1, 0};
    map.data = vectors.data();
    map.size = vectors.size() * 4;
    const widgets::SampleMap rgb = widgets::renderMap(normals, map);
    QCOMPARE(rgb.image.pixel(0, 0), qRgb(128, 128, 255));
    QCOMPARE(rgb.image.pixel(1, 0), qRgb(255, 128, 128));
    QCOMPARE(qAlpha(rgb.image.pixel(0, 1)), 0);

    widgets::SamplePanel panel;
    store::DatasetInfo dataset;
    panel.setDataset(dataset);
    panel.showSample(7, QStringLiteral("Sample 7"), {}, false);
    QImage grey(2, 2, QImage::Format_Grayscale8);
    grey.fill(0);
    panel.setMaps(7, {drawn, far});
    panel.setImage(7, grey, {});
    QCOMPARE(panel.composed().pixel(1, 0), qRgb(0, 0, 0)); // no overlay chosen yet
    panel.setOverlay(0, 100);
    QCOMPARE(panel.composed().pixel(1, 0), widgets::classColor(2).rgb());
    panel.setOverlay(0, 50);
    const QColor half(panel.composed().pixel(1, 0));
    QVERIFY(std::abs(half.red() - widgets::classColor(2).red() / 2) <= 2);
    // The choice carries over to the next sample that has that map.
    panel.showSample(8, QStringLiteral("Sample 8"), {}, false);
    panel.setMaps(8, {drawn, far});
    panel.setImage(8, grey, {});
    QCOMPARE(panel.composed().pixel(1, 0), half.rgb());
}

// A run's recorded predictions against the labels: the filter keeps exactly the samples where
// a predicted value differs from a label, the sort puts the most confident first, and a label
// set to the predicted value stops counting.
void TestDatasetBrowser::modelDisagreements()
{
    const std::string config =
        experiment::applyOverrides(test::tinyConfig(QStringLiteral("tiny"), kTrain).toStdString(),
                                   {R"(probes=["predictions"])"});
    const auto result =
        train::Trainer(m_project.toStdString(), train::parseExperiment(config)).run();
    auto browser = openBrowser(m_project);
    QSignalSpy loaded(browser.get(), &DatasetBrowser::loaded);
    QVERIFY(loaded.wait(10000));
    QSignalSpy changed(browser.get(), &DatasetBrowser::predictionsChanged);
    browser->showPredictionsOf(result.runId);
    QVERIFY(changed.wait(10000));
    QVERIFY2(changed.first().at(1).toString().isEmpty(),
             qPrintable(changed.first().at(1).toString()));
    SampleGridModel *model = browser->model();
    QVERIFY(model->predictions());
    QCOMPARE(model->predictions()->samples.size(), std::size_t(12)); // the test split
    int expected = 0;
    float top = 0.0f;
    for (int r = 0; r < model->totalSamples(); ++r) {
        const auto *predicted = model->prediction(model->table().rows[std::size_t(r)].sampleId);
        if (!predicted)
            continue;
        bool differs = false;
        for (std::size_t k = 0; k < model->predictions()->columns.size(); ++k)
            differs |= predicted->values[k] != model->label(r, model->predictions()->columns[k]);
        expected += differs;
        top = std::max(top, model->disagreementConfidence(r));
    }
    QVERIFY(expected > 0); // one epoch on 40 images: it is wrong somewhere
    QCOMPARE(model->disagreeingSamples(), expected);
    browser->setDisagreesOnly(true, true);
    QCOMPARE(model->rowCount(), expected);
    QCOMPARE(model->disagreementConfidence(model->tableRow(0)), top);
    // Agree with the model on one column of the first sample: it disagrees on one less.
    const int r = model->tableRow(0);
    const qint64 id = model->table().rows[std::size_t(r)].sampleId;
    const std::vector<int> wrong = model->disagreements(r);
    const auto &columns = model->predictions()->columns;
    const std::size_t k =
        std::size_t(std::find(columns.begin(), columns.end(), wrong.front()) - columns.begin());
    model->setLabel(id, wrong.front(), model->prediction(id)->values[k]);
    QCOMPARE(model->disagreements(r).size(), wrong.size() - 1);
    // No run: no predictions, and the filter lets everything through again.
    browser->showPredictionsOf(0);
    QVERIFY(!model->predictions());
    QCOMPARE(model->rowCount(), model->totalSamples());
}

// A segmentation map's classes in the class chooser, after the categorical columns: the bars
// are each split's shares of its labelled pixels.
void TestDatasetBrowser::mapClassShares()
{
    store::Project p(m_project.toStdString(), store::Project::OpenMode::ReadOnly);
    const store::DatasetInfo dataset = *p.datasets().find("tiny");
    const store::SampleTable table = p.datasets().sampleTable(dataset);
    widgets::DatasetStatistics statistics;
    statistics.setMapClasses(
        {{"semantic", {"background", "road"}, {{"train", {30, 10}}, {"test", {0, 0}}}}});
    statistics.setData(dataset, table);
    auto *chooser = statistics.findChild<QComboBox *>();
    QVERIFY(chooser);
    const int semantic = chooser->findText(QStringLiteral("semantic (pixels)"));
    QVERIFY(semantic > 0); // after "class" and "legs"
    chooser->setCurrentIndex(semantic);
    QCustomPlot *plot = statistics.classesPlot();
    QCOMPARE(plot->plottableCount(), 2); // train and test
    auto *train = qobject_cast<QCPBars *>(plot->plottable(0));
    QVERIFY(train);
    QCOMPARE(train->data()->size(), 2);
    QCOMPARE(train->data()->at(0)->value, 75.0);
    QCOMPARE(train->data()->at(1)->value, 25.0);
    auto *test = qobject_cast<QCPBars *>(plot->plottable(1));
    QCOMPARE(test->data()->at(0)->value, 0.0); // no labelled pixels: no share
    QCOMPARE(plot->yAxis->label(), QStringLiteral("% of labelled pixels"));
}

QTEST_MAIN(TestDatasetBrowser)
#include "tst_datasetbrowser.moc"
