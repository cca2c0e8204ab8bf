// The fashion-scenes importer: nearer garments occlude farther ones in every map (image,
// semantic, depth, normals), the background is 5 m away and faces the camera; scenes are
// deterministic in the seed and differ between splits; every piece is visible; the dataset
// has the three maps, the count and a has_<class> column per class that agrees with the
// semantic map; a taken name and blank source images are refused with the project unchanged.
// And the dense example that needs such a dataset trains on it end to end: cross-task
// consistency records each transfer target's transferred loss.

#include "common/error.h"
#include "data/fashionscenes.h"
#include "data/importer.h"
#include "experiment/config.h"
#include "resources/embedded.h"
#include "store/project.h"
#include "store/runstore.h"
#include "train/catalog.h"
#include "train/trainer.h"

#include "fixtures.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <cstring>
#include <map>
#include <set>

using namespace mtl;
using namespace mtl::test;

class TestFashionScenes : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void nearerGarmentsOcclude();
    void piecesAreDeterministicAndInRange();
    void presenceColumnNames();
    void importWritesMapsAndLabels();
    void importIsDeterministic();
    void refusals();
    void consistencyTrainsOnTheScenes();

private:
    QString fakeFashionMnist(QTemporaryDir &dir, int train = 40, int test = 20);
    data::ImportSummary import(const QString &project, const QString &source, std::uint64_t seed,
                               std::int64_t count);
};

QString TestFashionScenes::fakeFashionMnist(QTemporaryDir &dir, int train, int test)
{
    writeIdxSplit(dir.path(), QStringLiteral("train"), train, 10, 28, 28, true);
    writeIdxSplit(dir.path(), QStringLiteral("t10k"), test, 10, 28, 28, true);
    return dir.path();
}

data::ImportSummary TestFashionScenes::import(const QString &project, const QString &source,
                                              std::uint64_t seed, std::int64_t count)
{
    store::Project p(str(project), store::Project::OpenMode::CreateIfMissing);
    data::ImportRequest request;
    request.files = {{"dir", str(source)}};
    request.seed = seed;
    request.count = count;
    return data::makeImporter("fashion-scenes")->run(p, request, {});
}

void TestFashionScenes::nearerGarmentsOcclude()
{
    const std::vector<std::uint8_t> far(28 * 28, 200), near(28 * 28, 255);
    // A far square at (0, 0) and a near one at (10, 10), both drawn 28 px wide.
    const std::vector<data::ScenePiece> pieces{{0, 0, 0, 28, 3.0}, {1, 10, 10, 28, 1.5}};
    const data::Scene scene = data::renderScene(pieces, {far.data(), near.data()}, {4, 7});
    const auto at = [](int x, int y) { return std::size_t(y * data::kSceneSize + x); };
    QCOMPARE(int(scene.semantic[at(5, 5)]), 5);   // class 4 + 1
    QCOMPARE(int(scene.semantic[at(15, 15)]), 8); // the near one, class 7 + 1
    QCOMPARE(int(scene.semantic[at(60, 60)]), 0); // background
    QCOMPARE(int(scene.image[at(5, 5)]), 200);
    QCOMPARE(int(scene.image[at(15, 15)]), 255);
    QCOMPARE(int(scene.image[at(60, 60)]), 0);
    QCOMPARE(int(scene.depth[at(5, 5)]), int(std::lround((3.0 - 0.3 * 200 / 255.0) * 1000)));
    QCOMPARE(int(scene.depth[at(15, 15)]), int(std::lround((1.5 - 0.3) * 1000)));
    QCOMPARE(int(scene.depth[at(60, 60)]), 5000);
    // Flat regions face the camera: (0, 0, 1) as bytes; an edge leans away from it.
    const auto normal = [&](int x, int y) {
        const std::size_t i = at(x, y) * 3;
        return std::vector<int>{scene.normals[i], scene.normals[i + 1], scene.normals[i + 2]};
    };
    QCOMPARE(normal(60, 60), (std::vector<int>{128, 128, 255}));
    QCOMPARE(normal(20, 20), (std::vector<int>{128, 128, 255}));
    QVERIFY(normal(9, 20)[2] < 200); // the near square's left edge
    QCOMPARE(scene.visible, (std::vector<int>{28 * 28 - 18 * 18, 28 * 28}));
}

void TestFashionScenes::piecesAreDeterministicAndInRange()
{
    auto a = data::splitGenerator(3, "train"), b = data::splitGenerator(3, "train"),
         c = data::splitGenerator(3, "test");
    std::set<std::size_t> counts;
    bool differs = false;
    for (int scene = 0; scene < 200; ++scene) {
        const auto pa = data::drawPieces(a, 100), pb = data::drawPieces(b, 100),
                   pc = data::drawPieces(c, 100);
        QCOMPARE(pa.size(), pb.size());
        counts.insert(pa.size());
        for (std::size_t i = 0; i < pa.size(); ++i) {
            QCOMPARE(pa[i].image, pb[i].image);
            QCOMPARE(pa[i].depth, pb[i].depth);
            QVERIFY(pa[i].image >= 0 && pa[i].image < 100);
            QVERIFY(pa[i].size >= 21 && pa[i].size <= 42);
            QVERIFY(pa[i].x >= 0 && pa[i].x + pa[i].size <= data::kSceneSize);
            QVERIFY(pa[i].y >= 0 && pa[i].y + pa[i].size <= data::kSceneSize);
            QVERIFY(pa[i].depth >= 1.0 && pa[i].depth < 4.0);
        }
        differs |= pa.size() != pc.size() || pa[0].image != pc[0].image;
    }
    QCOMPARE(counts, (std::set<std::size_t>{2, 3, 4}));
    QVERIFY(differs);
}

void TestFashionScenes::presenceColumnNames()
{
    QCOMPARE(data::presenceColumn("T-shirt/top"), std::string("has_t_shirt_top"));
    QCOMPARE(data::presenceColumn("Ankle boot"), std::string("has_ankle_boot"));
    QCOMPARE(data::presenceColumn("Bag"), std::string("has_bag"));
}

void TestFashionScenes::importWritesMapsAndLabels()
{
    QTemporaryDir dir;
    const QString source = fakeFashionMnist(dir);
    const QString path = QDir(dir.path()).filePath(QStringLiteral("p.mtlproj"));
    const data::ImportSummary summary = import(path, source, 0, 15);
    QCOMPARE(summary.added.size(), std::size_t(2));
    QCOMPARE(summary.added[0].samples, std::int64_t(15));
    QCOMPARE(summary.added[1].samples, std::int64_t(3)); // a fifth
    store::Project project(str(path), store::Project::OpenMode::MustExist);
    const auto info = project.datasets().find("fashion-scenes");
    QVERIFY(info);
    QCOMPARE(info->width, data::kSceneSize);
    QCOMPARE(info->maps.size(), std::size_t(3));
    QCOMPARE(info->map("semantic")->categories.size(), std::size_t(11));
    QCOMPARE(info->map("depth")->type, store::MapType::UInt16);
    QCOMPARE(info->map("normals")->channels, 3);
    QCOMPARE(info->columns.size(), std::size_t(11)); // count + 10 has_<class>
    // The presence columns agree with the semantic map, sample by sample.
    std::vector<std::set<int>> present;
    project.datasets().forEachMap(info->id, "train", *info->map("semantic"),
                                  [&](const store::StoredMap &map) {
                                      std::set<int> classes;
                                      const auto *v = static_cast<const std::uint8_t *>(map.data);
                                      for (std::size_t i = 0; i < map.size; ++i)
                                          if (v[i] > 0)
                                              classes.insert(v[i] - 1);
                                      present.push_back(classes);
                                  });
    QCOMPARE(present.size(), std::size_t(15));
    const std::vector<std::string> &classes = info->map("semantic")->categories;
    for (std::size_t c = 1; c < classes.size(); ++c) {
        const auto *column = info->column(data::presenceColumn(classes[c]));
        QVERIFY2(column, classes[c].c_str());
        const auto values = project.datasets().labelsOf(info->id, "train", column->id);
        for (std::size_t i = 0; i < present.size(); ++i)
            QCOMPARE(values[i], present[i].count(int(c - 1)) ? 1 : 0);
    }
    const auto counts = project.datasets().labelsOf(info->id, "train", info->column("count")->id);
    for (std::size_t i = 0; i < counts.size(); ++i)
        QVERIFY(counts[i] >= 0 && counts[i] <= 2 &&
                present[i].size() <= std::size_t(counts[i] + 2));
}

void TestFashionScenes::importIsDeterministic()
{
    QTemporaryDir dir;
    const QString source = fakeFashionMnist(dir);
    const auto mapsOf = [&](const QString &name, std::uint64_t seed) {
        const QString path = QDir(dir.path()).filePath(name);
        import(path, source, seed, 6);
        store::Project project(str(path), store::Project::OpenMode::MustExist);
        const auto info = project.datasets().find("fashion-scenes");
        std::string bytes;
        for (const char *map : {"semantic", "depth", "normals"})
            project.datasets().forEachMap(
                info->id, "train", *info->map(map), [&](const store::StoredMap &m) {
                    bytes.append(static_cast<const char *>(m.data), m.size);
                });
        return bytes;
    };
    const std::string first = mapsOf(QStringLiteral("a.mtlproj"), 1);
    QCOMPARE(mapsOf(QStringLiteral("b.mtlproj"), 1), first);
    QVERIFY(mapsOf(QStringLiteral("c.mtlproj"), 2) != first);
}

void TestFashionScenes::refusals()
{
    QTemporaryDir dir;
    const QString source = fakeFashionMnist(dir);
    const QString path = QDir(dir.path()).filePath(QStringLiteral("p.mtlproj"));
    import(path, source, 0, 5);
    auto error = catchError([&] { import(path, source, 0, 5); });
    QVERIFY(error);
    QVERIFY2(
        qstr(error->message()).contains(QStringLiteral("dataset 'fashion-scenes' already exists")),
        error->what());
    // Blank images: no scene can show its garments.
    QTemporaryDir blank;
    QVERIFY(writeFile(QDir(blank.path()).filePath(QStringLiteral("train-images-idx3-ubyte")),
                      idxFile({4, 28, 28}, QByteArray(4 * 28 * 28, '\0'))));
    QVERIFY(writeFile(QDir(blank.path()).filePath(QStringLiteral("train-labels-idx1-ubyte")),
                      idxFile({4}, QByteArray(4, '\1'))));
    QVERIFY(writeFile(QDir(blank.path()).filePath(QStringLiteral("t10k-images-idx3-ubyte")),
                      idxFile({4, 28, 28}, QByteArray(4 * 28 * 28, '\0'))));
    QVERIFY(writeFile(QDir(blank.path()).filePath(QStringLiteral("t10k-labels-idx1-ubyte")),
                      idxFile({4}, QByteArray(4, '\1'))));
    const QString other = QDir(dir.path()).filePath(QStringLiteral("q.mtlproj"));
    error = catchError([&] { import(other, blank.path(), 0, 5); });
    QVERIFY(error);
    QVERIFY2(qstr(error->message()).contains(QStringLiteral("are the images blank")),
             error->what());
    store::Project project(str(other), store::Project::OpenMode::MustExist);
    QVERIFY(project.datasets().list().empty()); // the transaction rolled back
}

void TestFashionScenes::consistencyTrainsOnTheScenes()
{
    QTemporaryDir dir;
    const QString source = fakeFashionMnist(dir);
    const QString path = QDir(dir.path()).filePath(QStringLiteral("p.mtlproj"));
    import(path, source, 0, 12);
    // The example, shrunk: a tiny segnet, 2 steps of 4 scenes.
    const std::string config = experiment::applyOverrides(
        std::string(resources::get("experiments/fscenes-segnet-consistency.json")),
        {R"(model.backbone_options={"width": 4, "blocks": 2})", "train.batch_size=4",
         "train.max_steps_per_epoch=2", "train.threads=1", "train.val_fraction=0.25",
         R"(model.sharing_options.target="both")"});
    struct Header : train::TrainerListener {
        train::RunStartInfo info;
        void runStarted(const train::RunStartInfo &i) override { info = i; }
    } header;
    train::Trainer trainer(str(path), train::parseExperiment(config));
    const train::RunResult result = trainer.run(&header);
    QVERIFY2(result.status == store::RunStatus::Completed, result.error.c_str());
    QCOMPARE(qstr(header.info.architecture),
             QStringLiteral("segnet (width 4, blocks 2) · consistency (target both, 2 pairs) · equal"));
    QVERIFY2(header.info.model.rfind("cross-task consistency: encoder of 2 of 4 stages, a decoder "
                                     "per task, 2 transfer networks",
                                     0) == 0,
             header.info.model.c_str());
    store::Project project(str(path), store::Project::OpenMode::MustExist);
    std::map<std::string, int> transferRows;
    for (const store::MetricRow &row : project.runs().metrics(result.runId))
        if (row.split == "train" && row.name == "transfer_loss") {
            QVERIFY2(std::isfinite(row.value) && row.value > 0, row.task.c_str());
            ++transferRows[row.task];
        }
    // The paper's pair: semantic ↔ depth, one row per step each; normals train directly.
    QCOMPARE(transferRows, (std::map<std::string, int>{{"depth", 2}, {"semantic", 2}}));
}

QTEST_APPLESS_MAIN(TestFashionScenes)
#include "tst_fashionscenes.moc"
