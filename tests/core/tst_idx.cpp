// The IDX parser: valid label and image arrays, and every malformation it must reject with
// InvalidInput naming the file and the byte offset of the problem; reading gzip and plain
// files gives the same array.

#include "data/idx.h"

#include "fixtures.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace mtl;
using namespace mtl::test;

namespace {
std::vector<std::uint8_t> toBytes(const QByteArray &bytes)
{
    return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
}

QByteArray ramp(int size)
{
    QByteArray data(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        data[i] = char(i * 7 + 1);
    return data;
}
} // namespace

class TestIdx : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parseValid_data();
    void parseValid();
    void parseMalformed_data();
    void parseMalformed();
    void dimensionProductOverflow();
    void readPlainAndGzip_data();
    void readPlainAndGzip();
    void readMalformedGzipNamesFile();
    void readMissingFile();
    void readCorruptGzip();
};

void TestIdx::parseValid_data()
{
    QTest::addColumn<QList<quint32>>("dims");
    QTest::addColumn<quint64>("itemSize");

    QTest::newRow("labels [5]") << QList<quint32>{5} << quint64(1);
    QTest::newRow("images [3, 4, 2]") << QList<quint32>{3, 4, 2} << quint64(8);
    QTest::newRow("images with channels [2, 2, 2, 3]") << QList<quint32>{2, 2, 2, 3} << quint64(12);
    QTest::newRow("no items [0, 8, 8]") << QList<quint32>{0, 8, 8} << quint64(64);
}

void TestIdx::parseValid()
{
    QFETCH(QList<quint32>, dims);
    QFETCH(quint64, itemSize);

    quint64 total = 1;
    for (quint32 d : dims)
        total *= d;
    const QByteArray data = ramp(int(total));
    const data::IdxArray array = data::parseIdx(toBytes(idxFile(dims, data)), "valid.idx");

    QCOMPARE(array.dims.size(), std::size_t(dims.size()));
    for (int i = 0; i < dims.size(); ++i)
        QCOMPARE(array.dims[std::size_t(i)], dims[i]);
    QCOMPARE(array.count(), quint64(dims[0]));
    QCOMPARE(array.itemSize(), itemSize);
    QCOMPARE(array.dataOffset, std::size_t(4 + 4 * dims.size()));
    // item(i) points at the i-th item's first value.
    for (quint64 i = 0; i < array.count(); ++i)
        QCOMPARE(*array.item(i), std::uint8_t(data[int(i * itemSize)]));
    if (array.count() > 0)
        QCOMPARE(array.item(array.count() - 1)[itemSize - 1], std::uint8_t(data.back()));
}

void TestIdx::parseMalformed_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<qint64>("offset");
    QTest::addColumn<QString>("fragment");

    QTest::newRow("empty file") << QByteArray() << 0LL << QStringLiteral("too short");
    QTest::newRow("3 bytes") << QByteArray("\0\0\x08", 3) << 3LL << QStringLiteral("too short");
    QTest::newRow("bad magic (text file)")
        << QByteArrayLiteral("hello world, not IDX") << 0LL << QStringLiteral("magic number");
    QTest::newRow("bad magic (second byte)")
        << QByteArray("\0\x01\x08\x01\0\0\0\0", 8) << 1LL << QStringLiteral("magic number");
    QTest::newRow("type int32 0x0C") << idxFile({2}, QByteArray(8, 'x'), 0x0C) << 2LL
                                     << QStringLiteral("unsupported IDX value type 0x0C");
    QTest::newRow("type float 0x0D") << idxFile({2}, QByteArray(8, 'x'), 0x0D) << 2LL
                                     << QStringLiteral("unsupported IDX value type 0x0D");
    QTest::newRow("type signed byte 0x09") << idxFile({2}, QByteArray(2, 'x'), 0x09) << 2LL
                                           << QStringLiteral("unsupported IDX value type 0x09");
    QTest::newRow("rank 0") << QByteArray("\0\0\x08\0", 4) << 3LL
                            << QStringLiteral("unsupported IDX rank 0");
    QTest::newRow("rank 5") << idxFile({1, 1, 1, 1, 1}, QByteArray(1, 'x')) << 3LL
                            << QStringLiteral("unsupported IDX rank 5");
    QTest::newRow("truncated header (rank 3, one dimension)")
        << idxHeader({4, 2, 2}).left(8) << 8LL << QStringLiteral("truncated header");
    QTest::newRow("truncated header (rank 1, two bytes of dimension)")
        << idxHeader({4}).left(6) << 6LL << QStringLiteral("truncated header");
    QTest::newRow("truncated data")
        << idxFile({4, 2, 2}, QByteArray(10, 'x')) << 26LL
        << QStringLiteral("truncated data: the header announces 4 items (32 bytes) but the file "
                          "ends after 2 complete items");
    QTest::newRow("truncated data (labels)")
        << idxFile({10}, QByteArray(9, 'x')) << 17LL << QStringLiteral("truncated data");
    QTest::newRow("trailing bytes") << idxFile({2}, QByteArray(5, 'x')) << 10LL
                                    << QStringLiteral("3 unexpected bytes after the last item");
    QTest::newRow("zero image height")
        << idxFile({2, 0, 3}, QByteArray()) << 8LL << QStringLiteral("dimension 1 is zero");
    QTest::newRow("implausible dimensions")
        << idxHeader({0xFFFFFFFFu, 0xFFFFFFFFu}) << 8LL << QStringLiteral("implausibly large");
}

void TestIdx::parseMalformed()
{
    QFETCH(QByteArray, bytes);
    QFETCH(qint64, offset);
    QFETCH(QString, fragment);

    const auto error =
        catchError([&] { data::parseIdx(toBytes(bytes), "/data/broken-idx3-ubyte"); });
    QVERIFY2(error, "parseIdx accepted a malformed file");
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::InvalidInput));
    QCOMPARE(error->where().file, std::string("/data/broken-idx3-ubyte"));
    QCOMPARE(error->where().offset, offset);
    const QString what = QString::fromUtf8(error->what());
    QVERIFY2(what.contains(QStringLiteral("/data/broken-idx3-ubyte (byte offset %1)").arg(offset)),
             qPrintable(what));
    QVERIFY2(what.contains(fragment), qPrintable(what));
}

void TestIdx::dimensionProductOverflow()
{
    // 2^20 * 2^20 * 2^24 = 2^64 wraps to 0 in 64 bits: the header must not be taken to
    // announce an empty payload (the importer would then read item(i) far out of bounds).
    const QByteArray header = idxHeader({1u << 20, 1u << 20, 1u << 24});
    const auto error = catchError([&] { data::parseIdx(toBytes(header), "overflow.idx"); });
    QVERIFY2(error, "an IDX header whose dimensions multiply to 2^64 was accepted as empty");
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::InvalidInput));
    QCOMPARE(error->where().file, std::string("overflow.idx"));
}

void TestIdx::readPlainAndGzip_data()
{
    QTest::addColumn<bool>("gzip");
    QTest::newRow("plain") << false;
    QTest::newRow("gzip") << true;
}

void TestIdx::readPlainAndGzip()
{
    QFETCH(bool, gzip);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const IdxSplitPaths paths =
        writeIdxSplit(dir.path(), QStringLiteral("train"), 6, 3, 5, 4, gzip);
    QVERIFY(!paths.images.isEmpty());

    const data::IdxArray images = data::readIdx(str(paths.images));
    QCOMPARE(images.dims, (std::vector<std::uint32_t>{6, 5, 4}));
    QCOMPARE(images.itemSize(), quint64(20));
    const QByteArray expected = labelledImages(cyclicLabels(6, 3), 5, 4, 6);
    QCOMPARE(QByteArray(reinterpret_cast<const char *>(images.item(0)), 6 * 20), expected);

    const data::IdxArray labels = data::readIdx(str(paths.labels));
    QCOMPARE(labels.dims, (std::vector<std::uint32_t>{6}));
    for (std::uint64_t i = 0; i < 6; ++i)
        QCOMPARE(int(*labels.item(i)), int(i % 3));
}

void TestIdx::readMalformedGzipNamesFile()
{
    // Offsets count bytes of the decompressed file.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = QDir(dir.path()).filePath(QStringLiteral("short.idx.gz"));
    QVERIFY(writeGzip(path, idxFile({4, 2, 2}, QByteArray(10, 'x'))));
    const auto error = catchError([&] { data::readIdx(str(path)); });
    QVERIFY(error);
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::InvalidInput));
    QCOMPARE(qstr(error->where().file), path);
    QCOMPARE(error->where().offset, 26);
}

void TestIdx::readMissingFile()
{
    QTemporaryDir dir;
    const QString path = QDir(dir.path()).filePath(QStringLiteral("missing-idx1-ubyte.gz"));
    const auto error = catchError([&] { data::readIdx(str(path)); });
    QVERIFY(error);
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::NotFound));
    QCOMPARE(qstr(error->where().file), path);
    QVERIFY(QString::fromUtf8(error->what()).contains(QStringLiteral("cannot open")));
}

void TestIdx::readCorruptGzip()
{
    // A gzip stream cut in half is reported as corrupt, naming the file.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString whole = QDir(dir.path()).filePath(QStringLiteral("whole.gz"));
    QVERIFY(writeGzip(whole, idxFile({64, 8, 8}, labelledImages(cyclicLabels(64, 4), 8, 8))));
    QFile file(whole);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray compressed = file.readAll();
    QVERIFY(compressed.size() > 40);
    const QString cut = QDir(dir.path()).filePath(QStringLiteral("cut.gz"));
    QVERIFY(writeFile(cut, compressed.left(compressed.size() / 2)));

    const auto error = catchError([&] { data::readIdx(str(cut)); });
    QVERIFY2(error, "a truncated gzip file was read without error");
    QCOMPARE(codeName(error->code()), codeName(ErrorCode::InvalidInput));
    QCOMPARE(qstr(error->where().file), cut);
    // The offset is where the decompressed data ends: past the header and some images (half
    // the compressed stream holds part of them), before the end of the whole file.
    const std::int64_t wholeSize = 16 + 64 * 8 * 8;
    QVERIFY2(error->where().offset > 16 && error->where().offset < wholeSize, error->what());
    QVERIFY2(qstr(error->message()).startsWith(QStringLiteral("corrupt gzip data: ")),
             error->what());
    // Cut just before the end instead, more of the data decompresses: the offset follows the
    // data, it is not a constant.
    QVERIFY(writeFile(cut, compressed.left(compressed.size() - 12)));
    const auto later = catchError([&] { data::readIdx(str(cut)); });
    QVERIFY(later);
    QVERIFY2(later->where().offset > error->where().offset, later->what());
}

QTEST_APPLESS_MAIN(TestIdx)
#include "tst_idx.moc"
