// The experiment config: the shipped examples parse; every kind of mistake is reported as a
// Config error naming the key path (or line:column for JSON syntax), with "did you mean" for
// misspelt keys; --set style overrides.

#include "train/catalog.h"

#include "resources/embedded.h"

#include "fixtures.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace mtl;
using namespace mtl::test;
using experiment::ExperimentConfig;

namespace {
// The tiny config of the test fixtures, with every train key the parser checks.
const QByteArray kBase = tinyConfig(
    QStringLiteral("animals"),
    QStringLiteral(
        R"({"epochs": 2, "batch_size": 16, "val_fraction": 0.25, "seed": 3, "device": "cpu"})"));

// Sets (or, with an undefined value, removes) the value at a path like "train.epochs" or
// "tasks[1].labels" in a JSON value.
QJsonValue withValue(QJsonValue node, QStringList path, const QJsonValue &value)
{
    if (path.isEmpty())
        return value;
    QString key = path.takeFirst();
    static const QRegularExpression indexed(QStringLiteral("^(\\w+)\\[(\\d+)\\]$"));
    const auto match = indexed.match(key);
    QJsonObject object = node.toObject();
    if (match.hasMatch()) {
        key = match.captured(1);
        QJsonArray array = object.value(key).toArray();
        const int i = match.captured(2).toInt();
        const QJsonValue changed = withValue(array.at(i), path, value);
        if (changed.isUndefined())
            array.removeAt(i);
        else
            array[i] = changed;
        object[key] = array;
        return object;
    }
    const QJsonValue changed = withValue(object.value(key), path, value);
    if (changed.isUndefined())
        object.remove(key);
    else
        object[key] = changed;
    return object;
}

QByteArray variant(const QString &path, const QJsonValue &value, const QByteArray &base = kBase)
{
    const QJsonValue root = QJsonDocument::fromJson(base).object();
    return QJsonDocument(withValue(root, path.split(QLatin1Char('.')), value).toObject()).toJson();
}

const QJsonValue kRemove = QJsonValue(QJsonValue::Undefined);

std::string text(const QByteArray &bytes)
{
    return bytes.toStdString();
}
} // namespace

class TestConfig : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void baseParses();
    void exampleConfigs_data();
    void exampleConfigs();
    void everyExampleIsTested();
    void describePartNamesChangedOptions();
    void defaults();
    void toJsonRoundTrip();
    void partOptionsAndProbes();
    void docsNameEveryPart();
    void errors_data();
    void errors();
    void syntaxErrorPosition_data();
    void syntaxErrorPosition();
    void load();
    void loadExperiment();
    void overrides_data();
    void overrides();
    void badOverrides_data();
    void badOverrides();
};

void TestConfig::baseParses()
{
    const ExperimentConfig c = train::parseExperiment(text(kBase));
    QCOMPARE(qstr(c.name), QStringLiteral("tiny"));
    QCOMPARE(qstr(c.dataset), QStringLiteral("animals"));
    QCOMPARE(c.tasks.size(), std::size_t(2));
    QCOMPARE(qstr(c.tasks[0].type), QStringLiteral("classification"));
    QCOMPARE(qstr(c.tasks[0].label), QStringLiteral("class"));
    QVERIFY(c.tasks[0].labels.empty());
    QCOMPARE(c.tasks[1].labels, (std::vector<std::string>{"flies", "mammal"}));
    QCOMPARE(c.optimizer.lr, 0.01);
    QCOMPARE(c.train.epochs, 2);
    QCOMPARE(c.train.batchSize, 16);
    QCOMPARE(c.train.valFraction, 0.25);
    QCOMPARE(c.train.seed, quint64(3));
    QCOMPARE(qstr(c.train.device), QStringLiteral("cpu"));
}

void TestConfig::exampleConfigs_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QStringList>("tasks");
    QTest::addColumn<QString>("sharing");
    const QStringList three{QStringLiteral("category"), QStringLiteral("group"),
                            QStringLiteral("looks")};
    QTest::newRow("fmnist-hps") << QStringLiteral("fmnist-hps")
                                << QStringList{QStringLiteral("category"), QStringLiteral("group")}
                                << QStringLiteral("hard");
    QTest::newRow("fmnist-attributes")
        << QStringLiteral("fmnist-attributes")
        << QStringList{QStringLiteral("category"), QStringLiteral("looks")}
        << QStringLiteral("hard");
    // One example per strategy, all on the same three tasks, so their runs compare.
    QTest::newRow("fmnist-hard") << QStringLiteral("fmnist-hard") << three
                                 << QStringLiteral("hard");
    QTest::newRow("fmnist-split") << QStringLiteral("fmnist-split") << three
                                  << QStringLiteral("hard");
    QTest::newRow("fmnist-independent")
        << QStringLiteral("fmnist-independent") << three << QStringLiteral("independent");
    QTest::newRow("fmnist-cross-stitch")
        << QStringLiteral("fmnist-cross-stitch") << three << QStringLiteral("cross_stitch");
    QTest::newRow("fmnist-mtan") << QStringLiteral("fmnist-mtan") << three
                                 << QStringLiteral("mtan");
    QTest::newRow("fmnist-mtl-cnn")
        << QStringLiteral("fmnist-mtl-cnn") << three << QStringLiteral("mtl_cnn");
    QTest::newRow("fmnist-mmoe") << QStringLiteral("fmnist-mmoe") << three
                                 << QStringLiteral("mmoe");
    QTest::newRow("fmnist-cgc") << QStringLiteral("fmnist-cgc") << three << QStringLiteral("cgc");
    QTest::newRow("fmnist-ple") << QStringLiteral("fmnist-ple") << three << QStringLiteral("ple");
    QTest::newRow("fmnist-dselect-k")
        << QStringLiteral("fmnist-dselect-k") << three << QStringLiteral("dselect_k");
    // The same with the other backbones.
    QTest::newRow("fmnist-resnet18")
        << QStringLiteral("fmnist-resnet18") << three << QStringLiteral("hard");
    QTest::newRow("fmnist-alexnet")
        << QStringLiteral("fmnist-alexnet") << three << QStringLiteral("hard");
    // MultiFashion (import --format multi-fashion): the two garments of each image.
    const QStringList sides{QStringLiteral("left"), QStringLiteral("right")};
    QTest::newRow("mfashion-hard")
        << QStringLiteral("mfashion-hard") << sides << QStringLiteral("hard");
    QTest::newRow("mfashion-independent")
        << QStringLiteral("mfashion-independent") << sides << QStringLiteral("independent");
    // Dense tasks on fashion-scenes through segnet.
    const QStringList dense{QStringLiteral("semantic"), QStringLiteral("depth"),
                            QStringLiteral("normals")};
    QTest::newRow("fscenes-segnet-hard")
        << QStringLiteral("fscenes-segnet-hard") << dense << QStringLiteral("hard");
    QTest::newRow("fscenes-segnet-mtan")
        << QStringLiteral("fscenes-segnet-mtan") << dense << QStringLiteral("mtan");
    QTest::newRow("fscenes-segnet-consistency")
        << QStringLiteral("fscenes-segnet-consistency") << dense << QStringLiteral("consistency");
}

void TestConfig::exampleConfigs()
{
    QFETCH(QString, name);
    QFETCH(QStringList, tasks);
    QFETCH(QString, sharing);

    // The file in resources/experiments and the copy compiled into the engine agree.
    const QString path = QStringLiteral(MTL_RESOURCES_DIR "/experiments/%1.json").arg(name);
    QFile file(path);
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
    const QByteArray onDisk = file.readAll();
    const std::string resource = "experiments/" + str(name) + ".json";
    QVERIFY(resources::contains(resource));
    QCOMPARE(QByteArray::fromStdString(std::string(resources::get(resource))), onDisk);

    const ExperimentConfig c = train::loadExperiment(str(path));
    QCOMPARE(qstr(c.name), name);
    QCOMPARE(qstr(c.dataset),
             name.startsWith(QLatin1String("mfashion"))  ? QStringLiteral("multi-fashion")
             : name.startsWith(QLatin1String("fscenes")) ? QStringLiteral("fashion-scenes")
                                                         : QStringLiteral("fashion-mnist"));
    QStringList names;
    for (const auto &task : c.tasks)
        names << qstr(task.name);
    QCOMPARE(names, tasks);
    // Named fmnist-<backbone> for the other backbones; cross-stitch on the paper's column.
    QString backbone = QStringLiteral("small_cnn");
    if (sharing == QStringLiteral("cross_stitch"))
        backbone = QStringLiteral("stitch_cnn");
    for (const char *other : {"resnet18", "alexnet"})
        if (name.endsWith(QLatin1String(other)))
            backbone = QLatin1String(other);
    if (name.startsWith(QLatin1String("fscenes-segnet")))
        backbone = QStringLiteral("segnet");
    QCOMPARE(qstr(c.model.backbone), backbone);
    QCOMPARE(qstr(c.model.sharing), sharing);
    // The examples of gated strategies record their gates beside the task weights.
    QStringList probes;
    for (const auto &probe : c.probes)
        probes << qstr(probe.name);
    const bool gated = QStringList{QStringLiteral("mmoe"), QStringLiteral("cgc"),
                                   QStringLiteral("ple"), QStringLiteral("dselect_k")}
                           .contains(sharing);
    QStringList expectedProbes{QStringLiteral("task_weights")};
    if (gated)
        expectedProbes << QStringLiteral("gate_weights");
    if (sharing == QStringLiteral("mtl_cnn"))
        expectedProbes << QStringLiteral("latent_tasks");
    QCOMPARE(probes, expectedProbes);
    QCOMPARE(qstr(c.weighting.method), QStringLiteral("equal"));
    QCOMPARE(qstr(c.optimizer.name), QStringLiteral("adam"));
    QCOMPARE(c.optimizer.lr, 0.001);
    QCOMPARE(c.train.epochs, 1);
    // 64×64 scenes through an encoder–decoder: smaller batches.
    QCOMPARE(c.train.batchSize, name.startsWith(QLatin1String("fscenes")) ? 32 : 128);
    QCOMPARE(c.train.valFraction, 0.1);
    QCOMPARE(c.train.threads, 2);
    QCOMPARE(qstr(c.train.device), QStringLiteral("auto"));
    if (name == QStringLiteral("fmnist-hps"))
        QCOMPARE(qstr(c.tasks[1].label), QStringLiteral("group"));
    else if (name.startsWith(QLatin1String("mfashion")))
        QCOMPARE(qstr(c.tasks[1].label), QStringLiteral("right"));
    else if (name.startsWith(QLatin1String("fscenes")))
        QCOMPARE(qstr(c.tasks[2].label), QStringLiteral("normals"));
    else
        QCOMPARE(c.tasks.back().labels.size(), std::size_t(12));
    if (name == QStringLiteral("fmnist-split"))
        QCOMPARE(c.model.sharingOptions.value("split_at", -1), 2);
    if (sharing == QStringLiteral("consistency")) // the paper's two transfers
        QCOMPARE(c.model.sharingOptions.at("pairs").dump(),
                 std::string(R"([["semantic","depth"],["depth","semantic"]])"));
}

void TestConfig::everyExampleIsTested()
{
    // A new file in resources/experiments needs its row in exampleConfigs_data.
    QCOMPARE(experiment::exampleExperiments(),
             (std::vector<std::string>{
                 "fmnist-alexnet", "fmnist-attributes", "fmnist-cgc", "fmnist-cross-stitch",
                 "fmnist-dselect-k", "fmnist-hard", "fmnist-hps", "fmnist-independent",
                 "fmnist-mmoe", "fmnist-mtan", "fmnist-mtl-cnn", "fmnist-ple", "fmnist-resnet18",
                 "fmnist-split", "fscenes-segnet-consistency", "fscenes-segnet-hard",
                 "fscenes-segnet-mtan", "mfashion-hard", "mfashion-independent"}));
}

void TestConfig::describePartNamesChangedOptions()
{
    const experiment::Catalog &catalog = train::catalog();
    const ExperimentConfig c = train::loadExperiment("example:fmnist-split");
    QCOMPARE(experiment::describePart(c.model.sharing, c.model.sharingOptions, catalog.sharings),
             std::string("hard (split_at 2)"));
    QCOMPARE(experiment::describePart(c.model.backbone, c.model.backboneOptions, catalog.backbones),
             std::string("small_cnn")); // defaults filled in, none changed
    QCOMPARE(train::architectureText(c.model), std::string("small_cnn · hard (split_at 2)"));
    experiment::WeightingConfig w{"mgda", {{"normalization", "l2"}, {"gradients", "auto"}}};
    QCOMPARE(train::weightingText(w), std::string("mgda (normalization l2)"));
    w.options = {{"gradients", "parameters"}};
    QCOMPARE(train::weightingText(w), std::string("mgda (gradients parameters)"));
    QCOMPARE(experiment::describePart(
                 "cross_stitch", {{"after", {1}}, {"granularity", "channel"}, {"alpha_self", 0.9}},
                 catalog.sharings),
             std::string("cross_stitch (after [1], granularity channel)"));
    // Name lists are counted, not spelt out: a header line stays a line.
    const ExperimentConfig mtl = train::loadExperiment("example:fmnist-mtl-cnn");
    QCOMPARE(
        experiment::describePart(mtl.model.sharing, mtl.model.sharingOptions, catalog.sharings),
        std::string("mtl_cnn (3 groups)"));
    QCOMPARE(experiment::describePart("mtl_cnn", {{"groups", "dataset"}}, catalog.sharings),
             std::string("mtl_cnn (groups dataset)"));
    QCOMPARE(experiment::describePart("from_a_newer_build", {{"x", 1}}, catalog.sharings),
             std::string("from_a_newer_build"));
}

void TestConfig::defaults()
{
    const ExperimentConfig c = train::parseExperiment(
        R"({"name": "n", "dataset": "d", "tasks": [{"name": "t", "type": "classification",
            "label": "class"}]})");
    QCOMPARE(qstr(c.model.backbone), QStringLiteral("small_cnn"));
    QCOMPARE(qstr(c.model.sharing), QStringLiteral("hard"));
    QCOMPARE(qstr(c.weighting.method), QStringLiteral("equal"));
    QCOMPARE(qstr(c.optimizer.name), QStringLiteral("adam"));
    QCOMPARE(c.optimizer.lr, 1e-3);
    QCOMPARE(c.optimizer.weightDecay, 0.0);
    QCOMPARE(c.train.epochs, 1);
    QCOMPARE(c.train.batchSize, 128);
    QCOMPARE(c.train.maxStepsPerEpoch, 0);
    QCOMPARE(c.train.valFraction, 0.1);
    QCOMPARE(c.train.seed, quint64(0));
    QCOMPARE(c.train.threads, 0);
    QCOMPARE(qstr(c.train.device), QStringLiteral("auto"));
    QCOMPARE(c.optimizer.options.at("beta1").get<double>(), 0.9); // the optimiser's defaults
    QCOMPARE(c.optimizer.clipNorm, 0.0);
    QCOMPARE(qstr(c.scheduler.name), QStringLiteral("none"));
    QCOMPARE(qstr(c.train.monitor), QStringLiteral("loss"));
    QCOMPARE(c.train.patience, 0);
    QCOMPARE(c.train.keepBest, false);
    QCOMPARE(c.debug.nanAtStep, std::int64_t(0));
}

void TestConfig::toJsonRoundTrip()
{
    const ExperimentConfig c = train::parseExperiment(text(variant(
        QStringLiteral("optimizer"), QJsonObject{{QStringLiteral("name"), QStringLiteral("sgd")},
                                                 {QStringLiteral("lr"), 0.5},
                                                 {QStringLiteral("momentum"), 0.8}})));
    const std::string json = c.toJson();
    const ExperimentConfig again = train::parseExperiment(json, "<canonical>");
    QCOMPARE(again.toJson(), json);
    QCOMPARE(qstr(again.optimizer.name), QStringLiteral("sgd"));
    QCOMPARE(again.optimizer.options.at("momentum").get<double>(), 0.8);
    QCOMPARE(again.tasks[1].labels, c.tasks[1].labels);
    // Every key is written, defaults included.
    const QJsonObject train = QJsonDocument::fromJson(QByteArray::fromStdString(json))
                                  .object()
                                  .value(QStringLiteral("train"))
                                  .toObject();
    for (const char *key : {"epochs", "batch_size", "max_steps_per_epoch", "val_fraction", "seed",
                            "threads", "device", "monitor", "patience", "min_delta", "keep_best"})
        QVERIFY2(train.contains(QLatin1String(key)), key);
    QCOMPARE(train.value(QStringLiteral("max_steps_per_epoch")).toInt(), 0);
    // The optimiser's options sit beside its name; the debug aid is written only when set.
    const QJsonObject root = QJsonDocument::fromJson(QByteArray::fromStdString(json)).object();
    QCOMPARE(root.value(QStringLiteral("optimizer")).toObject().value(QStringLiteral("nesterov")),
             QJsonValue(false));
    QCOMPARE(root.value(QStringLiteral("scheduler")).toObject().value(QStringLiteral("name")),
             QJsonValue(QStringLiteral("none")));
    QVERIFY(!root.contains(QStringLiteral("debug")));
    QVERIFY(!root.contains(QStringLiteral("input"))); // written only when something is set

    // The input section survives the round trip, every key written once one is set.
    const ExperimentConfig piped = train::parseExperiment(text(
        variant(QStringLiteral("input"),
                QJsonDocument::fromJson(R"({"crop": "random", "crop_size": [24, 20], "hflip": true,
            "normalize": {"mean": [0.3], "std": [0.4]}, "workers": 3})")
                    .object())));
    const std::string pipedJson = piped.toJson();
    const ExperimentConfig pipedAgain = train::parseExperiment(pipedJson, "<canonical>");
    QCOMPARE(pipedAgain.toJson(), pipedJson);
    QCOMPARE(pipedAgain.input.cropWidth, 24);
    QCOMPARE(pipedAgain.input.cropHeight, 20);
    QCOMPARE(qstr(pipedAgain.input.normalize), QStringLiteral("custom"));
    QCOMPARE(pipedAgain.input.std, std::vector<double>{0.4});
    QCOMPARE(pipedAgain.input.workers, 3);
    QVERIFY(QJsonDocument::fromJson(QByteArray::fromStdString(pipedJson))
                .object()
                .value(QStringLiteral("input"))
                .toObject()
                .contains(QStringLiteral("cache_mb")));

    // A scheduler, early stopping and the debug aid survive the round trip.
    QJsonObject more = QJsonDocument::fromJson(kBase).object();
    more[QStringLiteral("scheduler")] =
        QJsonObject{{QStringLiteral("name"), QStringLiteral("cosine")},
                    {QStringLiteral("options"), QJsonObject{{QStringLiteral("warmup_steps"), 7}}}};
    QJsonObject trainMore = more.value(QStringLiteral("train")).toObject();
    trainMore[QStringLiteral("patience")] = 2;
    trainMore[QStringLiteral("monitor")] = QStringLiteral("kind.accuracy");
    trainMore[QStringLiteral("keep_best")] = true;
    more[QStringLiteral("train")] = trainMore;
    more[QStringLiteral("debug")] = QJsonObject{
        {QStringLiteral("nan_at_step"), 3}, {QStringLiteral("nan_in"), QStringLiteral("gradient")}};
    const ExperimentConfig m =
        train::parseExperiment(QJsonDocument(more).toJson().toStdString(), "<more>");
    const ExperimentConfig m2 = train::parseExperiment(m.toJson(), "<canonical>");
    QCOMPARE(m2.toJson(), m.toJson());
    QCOMPARE(m2.scheduler.options.at("warmup_steps").get<std::int64_t>(), std::int64_t(7));
    QCOMPARE(m2.scheduler.options.at("min_factor").get<double>(), 0.0);
    QCOMPARE(m2.train.patience, 2);
    QCOMPARE(qstr(m2.train.monitor), QStringLiteral("kind.accuracy"));
    QVERIFY(m2.train.keepBest);
    QCOMPARE(m2.debug.nanAtStep, std::int64_t(3));
    QCOMPARE(qstr(m2.debug.nanIn), QStringLiteral("gradient"));
}

void TestConfig::partOptionsAndProbes()
{
    // Defaults: a part's options filled in, the task_weights probe, no optimiser groups.
    const ExperimentConfig base = train::parseExperiment(text(kBase));
    QCOMPARE(base.model.backboneOptions.value("width", 0), 32);
    QCOMPARE(base.probes.size(), std::size_t(1));
    QCOMPARE(qstr(base.probes[0].name), QStringLiteral("task_weights"));
    QVERIFY(base.optimizer.groups.empty());
    QVERIFY(base.weighting.options.is_object() && base.weighting.options.empty());

    QJsonObject root = QJsonDocument::fromJson(kBase).object();
    QJsonObject model = root.value(QStringLiteral("model")).toObject();
    model[QStringLiteral("backbone_options")] = QJsonObject{{QStringLiteral("width"), 16}};
    root[QStringLiteral("model")] = model;
    QJsonObject optimizer = root.value(QStringLiteral("optimizer")).toObject();
    optimizer[QStringLiteral("groups")] = QJsonObject{
        {QStringLiteral("heads"), QJsonObject{{QStringLiteral("lr_scale"), 10}}},
        {QStringLiteral("shared"), QJsonObject{{QStringLiteral("weight_decay"), 0.01}}}};
    root[QStringLiteral("optimizer")] = optimizer;
    root[QStringLiteral("probes")] =
        QJsonArray{QStringLiteral("param_norms"),
                   QJsonObject{{QStringLiteral("name"), QStringLiteral("task_weights")}}};
    const ExperimentConfig c =
        train::parseExperiment(text(QJsonDocument(root).toJson()), "<options>");
    QCOMPARE(c.model.backboneOptions.value("width", 0), 16);
    QCOMPARE(c.optimizer.groups.size(), std::size_t(2));
    QCOMPARE(c.optimizer.groups.at("heads").lrScale, 10.0);
    QVERIFY(!c.optimizer.groups.at("heads").weightDecay);
    QCOMPARE(c.optimizer.groups.at("shared").lrScale, 1.0);
    QCOMPARE(*c.optimizer.groups.at("shared").weightDecay, 0.01);
    QCOMPARE(c.probes.size(), std::size_t(2));
    QCOMPARE(qstr(c.probes[0].name), QStringLiteral("param_norms"));
    QCOMPARE(qstr(c.probes[1].name), QStringLiteral("task_weights"));

    // The canonical JSON keeps all of it.
    const ExperimentConfig again = train::parseExperiment(c.toJson(), "<canonical>");
    QCOMPARE(again.toJson(), c.toJson());
    QVERIFY(again.model.backboneOptions == c.model.backboneOptions);
    QCOMPARE(*again.optimizer.groups.at("shared").weightDecay, 0.01);
    QCOMPARE(again.probes.size(), std::size_t(2));

    // "probes": [] records nothing beyond losses and metrics.
    root[QStringLiteral("probes")] = QJsonArray();
    QVERIFY(train::parseExperiment(text(QJsonDocument(root).toJson())).probes.empty());
}

void TestConfig::docsNameEveryPart()
{
    // docs/CONFIG.md documents every registered part and every option it declares.
    QFile file(QStringLiteral(MTL_DOCS_DIR "/CONFIG.md"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString doc = QString::fromUtf8(file.readAll());
    const experiment::Catalog &c = train::catalog();
    for (const auto *parts : {&c.backbones, &c.sharings, &c.taskTypes, &c.weightings, &c.optimizers,
                              &c.schedulers, &c.probes})
        for (const PartSpec &part : *parts) {
            const QString name = QStringLiteral("`%1`").arg(qstr(part.name));
            QVERIFY2(doc.contains(name), qPrintable(name));
            for (const OptionSpec &option : part.options) {
                const QString row = QStringLiteral("| %1 | `%2` |").arg(name, qstr(option.name));
                QVERIFY2(doc.contains(row), qPrintable(row));
            }
        }
}

void TestConfig::errors_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("fragment");

    const auto row = [](const char *name, const QByteArray &json, const char *key,
                        const char *fragment) {
        QTest::newRow(name) << json << QString::fromLatin1(key) << QString::fromUtf8(fragment);
    };

    row("not an object", "[1, 2]", "", "the config must be a JSON object, got an array");
    row("missing name", variant(QStringLiteral("name"), kRemove), "name", "missing (required)");
    row("missing dataset", variant(QStringLiteral("dataset"), kRemove), "dataset",
        "missing (required)");
    row("missing tasks", variant(QStringLiteral("tasks"), kRemove), "tasks", "missing (required)");
    row("empty tasks", variant(QStringLiteral("tasks"), QJsonArray()), "tasks",
        "expected a non-empty array");
    row("name not a string", variant(QStringLiteral("name"), 5), "name",
        "expected a string, got an integer");
    row("empty name", variant(QStringLiteral("name"), QString()), "name", "must not be empty");
    row("wrong type: train.batch_size",
        variant(QStringLiteral("train.batch_size"), QStringLiteral("64")), "train.batch_size",
        "expected an integer, got a string");
    row("wrong type: train.epochs fractional", variant(QStringLiteral("train.epochs"), 1.5),
        "train.epochs", "expected an integer, got a number");
    row("wrong type: optimizer.lr", variant(QStringLiteral("optimizer.lr"), true), "optimizer.lr",
        "expected a number, got a boolean");
    row("wrong type: model", variant(QStringLiteral("model"), QJsonArray()), "model",
        "expected an object, got an array");
    row("wrong type: tasks[0]", variant(QStringLiteral("tasks[0]"), QStringLiteral("kind")),
        "tasks[0]", "expected an object, got a string");
    row("unknown key: did you mean", variant(QStringLiteral("train.epocs"), 3), "train.epocs",
        "unknown key (did you mean 'epochs'?)");
    row("unknown top-level key: did you mean", variant(QStringLiteral("taks"), QJsonArray()),
        "taks", "unknown key (did you mean 'tasks'?)");
    row("unknown key in a task", variant(QStringLiteral("tasks[0].lable"), QStringLiteral("x")),
        "tasks[0].lable", "did you mean 'label'?");
    row("unknown key, nothing close", variant(QStringLiteral("optimizer.schedule"), 1),
        "optimizer.schedule",
        "unknown key (known keys: name lr weight_decay clip_norm groups beta1 beta2 eps amsgrad)");
    row("short unknown key, no far-fetched guess", variant(QStringLiteral("train.foo"), 1),
        "train.foo", "unknown key (known keys: epochs batch_size");
    row("unknown task type", variant(QStringLiteral("tasks[0].type"), QStringLiteral("regression")),
        "tasks[0].type",
        "unknown value 'regression' (known: attributes, classification, depth, normals, "
        "reconstruction, segmentation)");
    row("unknown backbone", variant(QStringLiteral("model.backbone"), QStringLiteral("resnet50")),
        "model.backbone",
        "unknown value 'resnet50' (known: small_cnn, stitch_cnn, alexnet, resnet18, resnet34, "
        "segnet)");
    row("unknown sharing", variant(QStringLiteral("model.sharing"), QStringLiteral("soft")),
        "model.sharing", "unknown value 'soft'");
    const auto stitch = [](const char *key, const QJsonValue &value) {
        return variant(QStringLiteral("model"),
                       QJsonObject{{QStringLiteral("sharing"), QStringLiteral("cross_stitch")},
                                   {QStringLiteral("sharing_options"),
                                    QJsonObject{{QString::fromLatin1(key), value}}}});
    };
    row("integer list: an element of the wrong type",
        stitch("after", QJsonArray{0, QStringLiteral("pool")}), "model.sharing_options.after[1]",
        "expected an integer, got a string");
    row("integer list: an element out of range", stitch("after", QJsonArray{-1}),
        "model.sharing_options.after[0]", "must be between 0 and 1000");
    row("integer list: not a list", stitch("after", 1), "model.sharing_options.after",
        "expected an array of integers, got an integer");
    row("choice of a strategy", stitch("granularity", QStringLiteral("pixel")),
        "model.sharing_options.granularity", "unknown value 'pixel' (known: layer, channel)");
    const auto groups = [](const QJsonValue &value) {
        return variant(QStringLiteral("model"),
                       QJsonObject{{QStringLiteral("sharing"), QStringLiteral("mtl_cnn")},
                                   {QStringLiteral("sharing_options"),
                                    QJsonObject{{QStringLiteral("groups"), value}}}});
    };
    const QString flies = QStringLiteral("flies"), mammal = QStringLiteral("mammal");
    row("name lists: neither a list nor a choice", groups(flies), "model.sharing_options.groups",
        "expected an array of arrays of names or one of dataset, got 'flies'");
    row("name lists: a number", groups(3), "model.sharing_options.groups",
        "expected an array of arrays of names or one of dataset, got an integer");
    row("name lists: an empty group", groups(QJsonArray{QJsonArray{flies}, QJsonArray{}}),
        "model.sharing_options.groups[1]",
        "expected a non-empty array of names, got an empty array");
    row("name lists: a number for a name", groups(QJsonArray{QJsonArray{flies, 3}}),
        "model.sharing_options.groups[0][1]", "expected a name, got an integer");
    row("name lists: a name in two groups",
        groups(QJsonArray{QJsonArray{flies, mammal}, QJsonArray{mammal}}),
        "model.sharing_options.groups[1][0]",
        "'mammal' is already in model.sharing_options.groups[0][1]");
    const auto pairs = [](const QJsonValue &value) {
        return variant(QStringLiteral("model"),
                       QJsonObject{{QStringLiteral("sharing"), QStringLiteral("consistency")},
                                   {QStringLiteral("sharing_options"),
                                    QJsonObject{{QStringLiteral("pairs"), value}}}});
    };
    row("name pairs: three names", pairs(QJsonArray{QJsonArray{flies, mammal, flies}}),
        "model.sharing_options.pairs[0]", "expected a pair [from, to], got 3 names");
    row("name pairs: a name with itself", pairs(QJsonArray{QJsonArray{flies, flies}}),
        "model.sharing_options.pairs[0]", "'flies' is paired with itself");
    row("name pairs: a pair twice",
        pairs(QJsonArray{QJsonArray{flies, mammal}, QJsonArray{mammal, flies},
                         QJsonArray{flies, mammal}}),
        "model.sharing_options.pairs[2]",
        "[flies, mammal] is listed already at model.sharing_options.pairs[0]");
    row("independent takes no options",
        variant(QStringLiteral("model"),
                QJsonObject{{QStringLiteral("sharing"), QStringLiteral("independent")},
                            {QStringLiteral("sharing_options"),
                             QJsonObject{{QStringLiteral("split_at"), 1}}}}),
        "model.sharing_options.split_at", "unknown key (takes no options)");
    row("unknown weighting method",
        variant(QStringLiteral("weighting.method"), QStringLiteral("nash")), "weighting.method",
        "unknown value 'nash' (known: equal, static, uncertainty, dwa, rlw, gls, famo, gradnorm, "
        "pcgrad, mgda, cagrad, imtl, graddrop, gradvac, aligned_mtl, nash_mtl, upgrad, dualproj, "
        "config, fairgrad, db_mtl, moco, excess_mtl, sdmgrad, modo, auto_lambda, moml, forum, stch)");
    row("unknown optimizer", variant(QStringLiteral("optimizer.name"), QStringLiteral("lbfgs")),
        "optimizer.name", "unknown value 'lbfgs' (known: adam, adamw, sgd, rmsprop)");
    row("lr = 0", variant(QStringLiteral("optimizer.lr"), 0), "optimizer.lr",
        "must be > 0 and <= 10, got 0");
    row("lr < 0", variant(QStringLiteral("optimizer.lr"), -0.1), "optimizer.lr", "must be > 0");
    row("lr too large", variant(QStringLiteral("optimizer.lr"), 11), "optimizer.lr",
        "must be > 0 and <= 10, got 11");
    row("momentum with adam", variant(QStringLiteral("optimizer.momentum"), 0.9),
        "optimizer.momentum",
        "only the sgd, rmsprop optimizers take a momentum (optimizer.name is adam)");
    row("nesterov with adam", variant(QStringLiteral("optimizer.nesterov"), true),
        "optimizer.nesterov", "only the sgd optimizer takes a nesterov (optimizer.name is adam)");
    row("beta1 out of range", variant(QStringLiteral("optimizer.beta1"), 1.5), "optimizer.beta1",
        "must be");
    row("clip_norm < 0", variant(QStringLiteral("optimizer.clip_norm"), -1), "optimizer.clip_norm",
        "must be >= 0");
    row("unknown scheduler", variant(QStringLiteral("scheduler.name"), QStringLiteral("onecycle")),
        "scheduler.name",
        "unknown value 'onecycle' (known: none, step, multistep, cosine, linear_warmup, plateau)");
    row("scheduler option of another schedule",
        variant(
            QStringLiteral("scheduler"),
            QJsonObject{{QStringLiteral("name"), QStringLiteral("cosine")},
                        {QStringLiteral("options"), QJsonObject{{QStringLiteral("gamma"), 0.5}}}}),
        "scheduler.options.gamma", "unknown key");
    row("scheduler key misspelt", variant(QStringLiteral("scheduler.nmae"), QStringLiteral("x")),
        "scheduler.nmae", "did you mean 'name'?");
    row("monitor of an unknown task",
        variant(QStringLiteral("train.monitor"), QStringLiteral("colour.accuracy")),
        "train.monitor", "'colour.accuracy' names no task of this config");
    row("monitor without a metric",
        variant(QStringLiteral("train.monitor"), QStringLiteral("kind.")), "train.monitor",
        "names no metric after the task");
    row("patience < 0", variant(QStringLiteral("train.patience"), -1), "train.patience", "must be");
    row("keep_best not a boolean", variant(QStringLiteral("train.keep_best"), 1), "train.keep_best",
        "expected true or false, got an integer");
    const QByteArray noValidation = variant(QStringLiteral("train.val_fraction"), 0);
    row("early stopping without validation",
        variant(QStringLiteral("train.patience"), 2, noValidation), "train.patience",
        "early stopping follows train.monitor on the validation split, and train.val_fraction "
        "is 0");
    row("keep_best without validation",
        variant(QStringLiteral("train.keep_best"), true, noValidation), "train.keep_best",
        "keep_best follows train.monitor");
    row("plateau without validation",
        variant(QStringLiteral("scheduler.name"), QStringLiteral("plateau"), noValidation),
        "scheduler.name", "plateau follows train.monitor");
    row("debug.nan_in unknown", variant(QStringLiteral("debug.nan_in"), QStringLiteral("weights")),
        "debug.nan_in", "unknown value 'weights' (known: loss, gradient)");
    row("debug.nan_task unknown", variant(QStringLiteral("debug.nan_task"), QStringLiteral("x")),
        "debug.nan_task", "'x' is not a task of this config");
    row("weight decay > 1", variant(QStringLiteral("optimizer.weight_decay"), 2),
        "optimizer.weight_decay", "must be >= 0 and <= 1");
    row("val_fraction > 0.9", variant(QStringLiteral("train.val_fraction"), 0.95),
        "train.val_fraction", "must be >= 0 and <= 0.9, got 0.95");
    row("val_fraction < 0", variant(QStringLiteral("train.val_fraction"), -0.1),
        "train.val_fraction", "must be >= 0");
    row("epochs = 0", variant(QStringLiteral("train.epochs"), 0), "train.epochs",
        "must be between 1 and 100000, got 0");
    row("batch_size = 0", variant(QStringLiteral("train.batch_size"), 0), "train.batch_size",
        "must be between 1 and");
    row("negative seed", variant(QStringLiteral("train.seed"), -1), "train.seed",
        "must be between 0 and");
    row("unknown device", variant(QStringLiteral("train.device"), QStringLiteral("tpu")),
        "train.device", "unknown device 'tpu' (use auto, cpu, cuda or cuda:N)");
    row("device cuda:x", variant(QStringLiteral("train.device"), QStringLiteral("cuda:x")),
        "train.device", "unknown device 'cuda:x'");
    row("duplicate task name", variant(QStringLiteral("tasks[1].name"), QStringLiteral("kind")),
        "tasks[1].name", "duplicate task name 'kind'");
    row("classification without label", variant(QStringLiteral("tasks[0].label"), kRemove),
        "tasks[0].label", "missing (required)");
    row("classification with labels",
        variant(QStringLiteral("tasks[0].labels"), QJsonArray{QStringLiteral("a")}),
        "tasks[0].labels", "a classification task takes one column in 'label'");
    row("attributes with label", variant(QStringLiteral("tasks[1].label"), QStringLiteral("a")),
        "tasks[1].label", "an attributes task takes its columns in 'labels'");
    row("attributes without labels", variant(QStringLiteral("tasks[1].labels"), kRemove),
        "tasks[1].labels", "missing (required)");
    row("attributes, empty labels", variant(QStringLiteral("tasks[1].labels"), QJsonArray()),
        "tasks[1].labels", "expected a non-empty array of column names");
    row("attributes, label not a string",
        variant(QStringLiteral("tasks[1].labels"), QJsonArray{QStringLiteral("flies"), 3}),
        "tasks[1].labels[1]", "expected a column name");
    row("attributes, column twice",
        variant(QStringLiteral("tasks[1].labels"),
                QJsonArray{QStringLiteral("flies"), QStringLiteral("flies")}),
        "tasks[1].labels[1]", "column 'flies' listed twice");
    row("task without type", variant(QStringLiteral("tasks[0].type"), kRemove), "tasks[0].type",
        "missing (required)");
    row("train not an object", variant(QStringLiteral("train"), 7), "train",
        "expected an object, got an integer");

    // The options of registered parts, checked against what each part declares.
    row("option of a method that takes none", variant(QStringLiteral("weighting.options.T"), 2),
        "weighting.options.T", "unknown key (takes no options)");
    row("weighting options not an object", variant(QStringLiteral("weighting.options"), 2),
        "weighting.options", "expected an object, got an integer");
    row("backbone option out of range", variant(QStringLiteral("model.backbone_options.width"), 0),
        "model.backbone_options.width", "must be between 1 and 1024, got 0");
    row("backbone option of the wrong type",
        variant(QStringLiteral("model.backbone_options.width"), QStringLiteral("wide")),
        "model.backbone_options.width", "expected an integer, got a string");
    row("backbone option misspelt", variant(QStringLiteral("model.backbone_options.widht"), 8),
        "model.backbone_options.widht", "did you mean 'width'?");
    row("task option of another task type",
        variant(QStringLiteral("tasks[0].options.loss"), QStringLiteral("hinge")),
        "tasks[0].options.loss", "unknown key (known keys: label_smoothing)");
    row("optimizer group not an object", variant(QStringLiteral("optimizer.groups.shared"), 2),
        "optimizer.groups.shared", "expected an object such as {\"lr_scale\": 10}");
    row("optimizer group key misspelt",
        variant(QStringLiteral("optimizer.groups.shared.lr_scal"), 2),
        "optimizer.groups.shared.lr_scal", "did you mean 'lr_scale'?");
    row("optimizer group lr_scale 0",
        variant(QStringLiteral("optimizer.groups.shared.lr_scale"), 0),
        "optimizer.groups.shared.lr_scale", "must be > 0");
    row("unknown memory format",
        variant(QStringLiteral("train.memory_format"), QStringLiteral("nhwc")),
        "train.memory_format", "unknown value 'nhwc' (known: contiguous, channels_last)");
    row("probes not an array", variant(QStringLiteral("probes"), QStringLiteral("task_weights")),
        "probes", "expected an array of probe names, got a string");
    row("unknown probe", variant(QStringLiteral("probes"), QJsonArray{QStringLiteral("masks")}),
        "probes[0]",
        "unknown value 'masks' (known: task_weights, param_norms, cross_stitch_alpha, "
        "attention_masks, predictions, gradient_conflict, gate_weights, weighting_state, "
        "latent_tasks)");
    row("unknown probe as an object",
        variant(QStringLiteral("probes"),
                QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("masks")}}}),
        "probes[0].name", "unknown value 'masks'");
    row("probe listed twice",
        variant(QStringLiteral("probes"),
                QJsonArray{QStringLiteral("param_norms"), QStringLiteral("param_norms")}),
        "probes[1]", "probe 'param_norms' listed twice");
    row("probe not a name", variant(QStringLiteral("probes"), QJsonArray{3}), "probes[0]",
        "expected a probe name or {\"name\": …, \"options\": …}, got an integer");
    const auto input = [](const char *json) {
        return variant(QStringLiteral("input"), QJsonDocument::fromJson(json).object());
    };
    row("input key unknown", input(R"({"flip": true})"), "input.flip", "unknown key");
    row("input crop without size", input(R"({"crop": "random"})"), "input.crop_size",
        "a random crop needs its [width, height]");
    row("input size without crop", input(R"({"crop_size": [4, 4]})"), "input.crop",
        "crop_size is given");
    row("input crop unknown", input(R"({"crop": "corner", "crop_size": [4, 4]})"), "input.crop",
        "corner");
    row("input resize shape", input(R"({"resize": [64]})"), "input.resize",
        "expected [width, height], got [64]");
    row("input resize zero", input(R"({"resize": [0, 8]})"), "input.resize",
        "each side must be in 1..4096");
    row("input jitter range", input(R"({"brightness": 1.5})"), "input.brightness", "1.5");
    row("input normalize name", input(R"({"normalize": "imagenet"})"), "input.normalize",
        "imagenet");
    row("input normalize lengths", input(R"({"normalize": {"mean": [0.5], "std": [0.2, 0.2]}})"),
        "input.normalize.std", "has 2 numbers and mean 1");
    row("input normalize std zero", input(R"({"normalize": {"mean": [0.5], "std": [0]}})"),
        "input.normalize.std", "above 0");
    row("input memory with transforms", input(R"({"source": "memory", "hflip": true})"),
        "input.source", "the in-memory source does not transform images");
    row("input workers", input(R"({"workers": 100})"), "input.workers", "must be <= 64");
}

void TestConfig::errors()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, key);
    QFETCH(QString, fragment);

    const auto error = catchError([&] { train::parseExperiment(text(json), "exp.json"); });
    QVERIFY2(error, json.constData());
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::Config));
    QCOMPARE(qstr(error->where().key), key);
    QCOMPARE(error->where().file, std::string("exp.json"));
    const QString what = QString::fromUtf8(error->what());
    const QString prefix =
        key.isEmpty() ? QStringLiteral("exp.json: ") : QStringLiteral("exp.json %1: ").arg(key);
    QVERIFY2(what.startsWith(prefix), qPrintable(what));
    QVERIFY2(what.contains(fragment), qPrintable(what));
}

void TestConfig::syntaxErrorPosition_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<qint64>("line");
    QTest::addColumn<qint64>("column");

    QTest::newRow("missing value")
        << QByteArray("{\n  \"name\": \"x\",\n  \"dataset\": ,\n}") << 3LL << 14LL;
    QTest::newRow("trailing comma") << QByteArray("{\"name\": \"x\",\n}") << 2LL << 1LL;
    // The end of input is reported at the last character (12) or just after it (13).
    QTest::newRow("unclosed object") << QByteArray("{\"name\": \"x\"") << 1LL << -13LL;
    QTest::newRow("single quotes") << QByteArray("{\n\n    'name': 1}") << 3LL << 5LL;
    QTest::newRow("empty text") << QByteArray() << 1LL << 1LL;
}

void TestConfig::syntaxErrorPosition()
{
    QFETCH(QByteArray, json);
    QFETCH(qint64, line);
    QFETCH(qint64, column);

    const auto error = catchError([&] { train::parseExperiment(text(json), "bad.json"); });
    QVERIFY(error);
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::Config));
    QCOMPARE(error->where().line, line);
    if (column < 0) {
        QVERIFY2(error->where().column == -column || error->where().column == -column - 1,
                 qPrintable(QString::number(error->where().column)));
        column = error->where().column;
    }
    QCOMPARE(error->where().column, column);
    const QString what = QString::fromUtf8(error->what());
    QVERIFY2(
        what.startsWith(QStringLiteral("bad.json:%1:%2: invalid JSON: ").arg(line).arg(column)),
        qPrintable(what));
}

void TestConfig::load()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = QDir(dir.path()).filePath(QStringLiteral("exp.json"));
    QVERIFY(writeFile(path, variant(QStringLiteral("train.epocs"), 1)));
    const auto error = catchError([&] { train::loadExperiment(str(path)); });
    QVERIFY(error);
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::Config));
    QVERIFY2(QString::fromUtf8(error->what()).startsWith(path + QStringLiteral(" train.epocs: ")),
             error->what());

    QVERIFY(writeFile(path, kBase));
    QCOMPARE(qstr(train::loadExperiment(str(path)).name), QStringLiteral("tiny"));

    const QString missing = QDir(dir.path()).filePath(QStringLiteral("nope.json"));
    const auto notFound = catchError([&] { train::loadExperiment(str(missing)); });
    QVERIFY(notFound);
    QCOMPARE(codeName(notFound->code()), codeName(ErrorCode::NotFound));
    QCOMPARE(qstr(notFound->where().file), missing);
}

void TestConfig::loadExperiment()
{
    const ExperimentConfig example =
        train::loadExperiment("example:fmnist-hps", {"train.epochs=3", "tasks[1].name=coarse"});
    QCOMPARE(qstr(example.name), QStringLiteral("fmnist-hps"));
    QCOMPARE(example.train.epochs, 3);
    QCOMPARE(qstr(example.tasks[1].name), QStringLiteral("coarse"));

    // Errors in an example name the example's resource.
    const auto bad =
        catchError([] { train::loadExperiment("example:fmnist-hps", {"train.epoch=3"}); });
    QVERIFY(bad);
    QVERIFY2(QString::fromUtf8(bad->what())
                 .startsWith(QStringLiteral("experiments/fmnist-hps.json train.epoch: ")),
             bad->what());

    const auto unknown = catchError([] { train::loadExperiment("example:nope"); });
    QVERIFY(unknown);
    QCOMPARE(codeName(unknown->code()), codeName(ErrorCode::NotFound));
    QVERIFY2(QString::fromUtf8(unknown->what())
                 .contains(QStringLiteral("no example config 'nope' (known: fmnist-alexnet, "
                                          "fmnist-attributes, fmnist-cgc, fmnist-cross-stitch, ")),
             unknown->what());

    QTemporaryDir dir;
    const QString path = QDir(dir.path()).filePath(QStringLiteral("c.json"));
    QVERIFY(writeFile(path, kBase));
    QCOMPARE(train::loadExperiment(str(path), {"train.epochs=7"}).train.epochs, 7);
    const auto missing = catchError([&] { train::loadExperiment(str(path) + ".missing"); });
    QVERIFY(missing);
    QCOMPARE(codeName(missing->code()), codeName(ErrorCode::NotFound));
}

void TestConfig::overrides_data()
{
    QTest::addColumn<QStringList>("overrides");
    QTest::addColumn<int>("epochs");
    QTest::addColumn<QString>("optimizer");
    QTest::addColumn<quint64>("seed");
    QTest::addColumn<QString>("device");
    QTest::addColumn<QString>("firstLabel");

    QTest::newRow("none") << QStringList() << 2 << QStringLiteral("adam") << quint64(3)
                          << QStringLiteral("cpu") << QStringLiteral("class");
    QTest::newRow("train.epochs=5")
        << QStringList{QStringLiteral("train.epochs=5")} << 5 << QStringLiteral("adam")
        << quint64(3) << QStringLiteral("cpu") << QStringLiteral("class");
    QTest::newRow("plain string value")
        << QStringList{QStringLiteral("optimizer.name=sgd"), QStringLiteral("train.device=auto")}
        << 2 << QStringLiteral("sgd") << quint64(3) << QStringLiteral("auto")
        << QStringLiteral("class");
    QTest::newRow("JSON string value")
        << QStringList{QStringLiteral("optimizer.name=\"sgd\"")} << 2 << QStringLiteral("sgd")
        << quint64(3) << QStringLiteral("cpu") << QStringLiteral("class");
    QTest::newRow("later wins") << QStringList{QStringLiteral("train.epochs=4"),
                                               QStringLiteral("train.epochs=1")}
                                << 1 << QStringLiteral("adam") << quint64(3)
                                << QStringLiteral("cpu") << QStringLiteral("class");
    QTest::newRow("value with '='")
        << QStringList{QStringLiteral("name=a=b"), QStringLiteral("train.seed=9")} << 2
        << QStringLiteral("adam") << quint64(9) << QStringLiteral("cpu") << QStringLiteral("class");
    QTest::newRow("array element")
        << QStringList{QStringLiteral("tasks[0].label=colour")} << 2 << QStringLiteral("adam")
        << quint64(3) << QStringLiteral("cpu") << QStringLiteral("colour");
    QTest::newRow("new object under an array element")
        << QStringList{QStringLiteral("tasks[1].labels[1]=wings"), QStringLiteral("train.seed=4")}
        << 2 << QStringLiteral("adam") << quint64(4) << QStringLiteral("cpu")
        << QStringLiteral("class");
}

void TestConfig::overrides()
{
    QFETCH(QStringList, overrides);
    QFETCH(int, epochs);
    QFETCH(QString, optimizer);
    QFETCH(quint64, seed);
    QFETCH(QString, device);
    QFETCH(QString, firstLabel);

    std::vector<std::string> items;
    for (const QString &o : overrides)
        items.push_back(str(o));
    const std::string applied = experiment::applyOverrides(text(kBase), items);
    const ExperimentConfig c = train::parseExperiment(applied);
    QCOMPARE(c.train.epochs, epochs);
    QCOMPARE(qstr(c.optimizer.name), optimizer);
    QCOMPARE(c.train.seed, seed);
    QCOMPARE(qstr(c.train.device), device);
    QCOMPARE(c.train.batchSize, 16); // untouched keys stay
    QCOMPARE(qstr(c.tasks[0].label), firstLabel);
    if (overrides.contains(QStringLiteral("tasks[1].labels[1]=wings")))
        QCOMPARE(c.tasks[1].labels, (std::vector<std::string>{"flies", "wings"}));
    if (overrides.contains(QStringLiteral("name=a=b")))
        QCOMPARE(qstr(c.name), QStringLiteral("a=b"));

    // An override can create a missing object.
    const std::string created = experiment::applyOverrides(
        R"({"name": "n", "dataset": "d", "tasks": [{"name": "t", "type": "classification",
            "label": "class"}]})",
        {"train.epochs=2"});
    QCOMPARE(train::parseExperiment(created).train.epochs, 2);
}

void TestConfig::badOverrides_data()
{
    QTest::addColumn<QString>("override");
    QTest::addColumn<bool>("atApply"); // rejected by applyOverrides itself (else by parse)
    QTest::addColumn<QString>("fragment");

    QTest::newRow("no '='") << QStringLiteral("train.epochs") << true
                            << QStringLiteral("an override looks like key.path=value");
    QTest::newRow("no key") << QStringLiteral("=3") << true
                            << QStringLiteral("an override looks like key.path=value");
    QTest::newRow("through a number") << QStringLiteral("train.epochs.deep=1") << true
                                      << QStringLiteral("cannot set 'train.epochs.deep'");
    QTest::newRow("empty path segment")
        << QStringLiteral("train..epochs=1") << true
        << QStringLiteral("cannot parse the key path 'train..epochs'");
    QTest::newRow("leading dot") << QStringLiteral(".train=1") << true
                                 << QStringLiteral("cannot parse the key path");
    QTest::newRow("trailing dot") << QStringLiteral("train.=1") << true
                                  << QStringLiteral("cannot parse the key path");
    QTest::newRow("index not a number")
        << QStringLiteral("tasks[x].name=a") << true << QStringLiteral("cannot parse the key path");
    QTest::newRow("unclosed index")
        << QStringLiteral("tasks[0.name=a") << true << QStringLiteral("cannot parse the key path");
    QTest::newRow("index after a dot") << QStringLiteral("tasks.[0].name=a") << true
                                       << QStringLiteral("cannot parse the key path");
    QTest::newRow("key glued to an index")
        << QStringLiteral("tasks[0]name=a") << true << QStringLiteral("cannot parse the key path");
    QTest::newRow("index out of range")
        << QStringLiteral("tasks[2].name=a") << true
        << QStringLiteral("cannot set 'tasks[2].name': no element [2]");
    QTest::newRow("index into an object")
        << QStringLiteral("train[0]=1") << true << QStringLiteral("no element [0]");
    QTest::newRow("misspelt key") << QStringLiteral("train.epoch=2") << false
                                  << QStringLiteral(
                                         "train.epoch: unknown key (did you mean 'epochs'?)");
    QTest::newRow("bad value") << QStringLiteral("train.epochs=0") << false
                               << QStringLiteral("train.epochs: must be between 1");
    QTest::newRow("wrong type") << QStringLiteral("train.epochs=two") << false
                                << QStringLiteral(
                                       "train.epochs: expected an integer, got a string");
}

void TestConfig::badOverrides()
{
    QFETCH(QString, override);
    QFETCH(bool, atApply);
    QFETCH(QString, fragment);

    std::string applied;
    const auto applyError =
        catchError([&] { applied = experiment::applyOverrides(text(kBase), {str(override)}); });
    QCOMPARE(bool(applyError), atApply);
    const auto error =
        applyError ? applyError : catchError([&] { train::parseExperiment(applied); });
    QVERIFY(error);
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::Config));
    QVERIFY2(QString::fromUtf8(error->what()).contains(fragment), error->what());
    if (atApply)
        QCOMPARE(qstr(error->where().key), override);
}

QTEST_APPLESS_MAIN(TestConfig)
#include "tst_config.moc"
