#pragma once
// Fixtures the test suites generate for themselves: tiny IDX files (plain or gzip-compressed),
// class tables and experiment configs, plus a content dump of a project file for checking
// that a failed operation left it unchanged. Nothing here is downloaded.

#include "common/error.h"
#include "store/recordbatch.h"
#include "store/records.h"
#include "store/runstore.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <string>

namespace mtl::test {

inline std::string str(const QString &text)
{
    return text.toStdString();
}
inline QString qstr(const std::string &text)
{
    return QString::fromStdString(text);
}

// Readable names for QCOMPARE (mtl's own toString() overloads return const char *, which Qt
// Test's ADL lookup would otherwise pick up).
inline QString codeName(ErrorCode code)
{
    return QString::fromLatin1(toString(code));
}
inline QString statusName(store::RunStatus status)
{
    return QString::fromLatin1(store::toString(status));
}

// Runs `f` and returns the mtl::Error it throws, or nothing when it does not throw.
template <typename F> std::optional<Error> catchError(F &&f)
{
    try {
        f();
    } catch (const Error &e) {
        return e;
    }
    return std::nullopt;
}

// --- IDX files ---------------------------------------------------------------------------

// The 4-byte magic (0, 0, type, rank) and the big-endian dimensions.
QByteArray idxHeader(const QList<quint32> &dims, quint8 type = 0x08);
// A whole IDX file: header then `data` as it is (callers make it the right length, or not).
QByteArray idxFile(const QList<quint32> &dims, const QByteArray &data, quint8 type = 0x08);
// Labels 0, 1, …, classes-1, 0, 1, … (count of them).
QByteArray cyclicLabels(int count, int classes);
// One HxW image per label, uint8 row-major. The brightness encodes the label (class k is
// about 30 + 50 k) with a little deterministic texture, so a small CNN can learn it.
QByteArray labelledImages(const QByteArray &labels, int height, int width, int seed = 0);

bool writeFile(const QString &path, const QByteArray &bytes);
// Writes `bytes` gzip-compressed (zlib's gzwrite), as Fashion-MNIST ships its files.
bool writeGzip(const QString &path, const QByteArray &bytes);

struct IdxSplitPaths {
    QString images;
    QString labels;
};

// Writes <dir>/<stem>-images-idx3-ubyte[.gz] and <dir>/<stem>-labels-idx1-ubyte[.gz] with
// `count` labelled HxW images of labels cyclicLabels(count, classes).
IdxSplitPaths writeIdxSplit(const QString &dir, const QString &stem, int count, int classes,
                            int height = 8, int width = 8, bool gzip = false);

// --- The standard tiny dataset: 4 classes ant, bee, cat, dog --------------------------------

// "ant\nbee\ncat\ndog\n"
QByteArray animalClassNames();
// class,flies,legs,mammal — flies binary [0,1,0,0], legs categorical six/six/four/four,
// mammal binary [0,0,1,1]; the "cat" row names its class by index (2).
QByteArray animalAttributes();

struct TinyDataset {
    IdxSplitPaths train, test;
    QString classNames, attributes;
};
// Writes train (nTrain images) and test (nTest) splits, class names and attributes to `dir`.
TinyDataset writeTinyDataset(const QString &dir, int nTrain = 64, int nTest = 32, bool gzip = true,
                             int height = 8, int width = 8);

// Imports IDX files into `projectPath` (created if missing) as dataset `name`, with the animal
// class names and attributes: the train split, and the test split when `test` is given.
void importAnimals(const QString &projectPath, const std::string &name, const IdxSplitPaths &train,
                   const IdxSplitPaths *test = nullptr);

// Experiment config for the tiny dataset: task "kind" (classification of "class") and task
// "looks" (attributes flies, mammal). `train` is the JSON of the "train" object.
QByteArray tinyConfig(const QString &dataset, const QString &trainJson);

// --- Running programs ----------------------------------------------------------------------

struct ProgramRun {
    int exitCode = -1;
    bool crashed = true; // killed by a signal, or never finished
    QByteArray out, err;
};
// Runs `program` with `args` to its end (killed after timeoutMs: err says "timed out").
ProgramRun runProgram(const QString &program, const QStringList &args, int timeoutMs = 60000);

// --- Project files -------------------------------------------------------------------------

// Writes a project with 300 runs, then overwrites the b-tree page header of its runs table:
// a damaged project that SQLite's quick_check reports. False when it could not be made.
bool writeDamagedProject(const QString &path);

// A batch of rows for RunStore::record().
inline store::RecordBatch records(std::vector<store::MetricRow> metrics,
                                  std::vector<store::TaskWeightRow> weights = {})
{
    store::RecordBatch batch;
    batch.rows<store::MetricRow>() = std::move(metrics);
    if (!weights.empty())
        batch.rows<store::TaskWeightRow>() = std::move(weights);
    return batch;
}

// A checkpoint for RunStore::saveCheckpoint().
inline store::Checkpoint checkpoint(int epoch, std::int64_t step, std::string model,
                                    std::string optimizer, std::string state = {})
{
    store::Checkpoint c;
    c.epoch = epoch;
    c.step = step;
    c.model = std::move(model);
    c.optimizer = std::move(optimizer);
    c.state = std::move(state);
    return c;
}

// Every table's rows (as SQL literals, sorted), the schema and PRAGMA user_version of the
// project at `path`, as text: equal dumps mean equal content.
QString projectDump(const QString &path);

} // namespace mtl::test
