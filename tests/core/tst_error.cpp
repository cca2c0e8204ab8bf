// Structured errors: how a location (file, line, column, byte offset, config key) is written
// in front of the message, and the builders the parsers use.

#include "common/error.h"

#include "fixtures.h"

#include <QTest>

using namespace mtl;
using mtl::test::qstr;

class TestError : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void describe_data();
    void describe();
    void builders();
    void codeNames();
};

void TestError::describe_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<qint64>("line");
    QTest::addColumn<qint64>("column");
    QTest::addColumn<qint64>("offset");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("expected");

    QTest::newRow("message only") << QString() << -1LL << -1LL << -1LL << QString()
                                  << QStringLiteral("boom");
    QTest::newRow("file") << QStringLiteral("a.csv") << -1LL << -1LL << -1LL << QString()
                          << QStringLiteral("a.csv: boom");
    QTest::newRow("file:line") << QStringLiteral("a.csv") << 3LL << -1LL << -1LL << QString()
                               << QStringLiteral("a.csv:3: boom");
    QTest::newRow("file:line:column") << QStringLiteral("a.csv") << 3LL << 7LL << -1LL << QString()
                                      << QStringLiteral("a.csv:3:7: boom");
    QTest::newRow("byte offset") << QStringLiteral("x.idx") << -1LL << -1LL << 16LL << QString()
                                 << QStringLiteral("x.idx (byte offset 16): boom");
    QTest::newRow("offset 0") << QStringLiteral("x.idx") << -1LL << -1LL << 0LL << QString()
                              << QStringLiteral("x.idx (byte offset 0): boom");
    QTest::newRow("line wins over offset")
        << QStringLiteral("f") << 2LL << -1LL << 9LL << QString() << QStringLiteral("f:2: boom");
    QTest::newRow("key") << QString() << -1LL << -1LL << -1LL << QStringLiteral("train.epochs")
                         << QStringLiteral("train.epochs: boom");
    QTest::newRow("file and key") << QStringLiteral("c.json") << -1LL << -1LL << -1LL
                                  << QStringLiteral("tasks[1].label")
                                  << QStringLiteral("c.json tasks[1].label: boom");
}

void TestError::describe()
{
    QFETCH(QString, file);
    QFETCH(qint64, line);
    QFETCH(qint64, column);
    QFETCH(qint64, offset);
    QFETCH(QString, key);
    QFETCH(QString, expected);

    ErrorLocation where;
    where.file = file.toStdString();
    where.line = line;
    where.column = column;
    where.offset = offset;
    where.key = key.toStdString();
    QCOMPARE(qstr(Error::describe("boom", where)), expected);

    const Error error(ErrorCode::InvalidInput, "boom", where);
    QCOMPARE(QString::fromUtf8(error.what()), expected);
    QCOMPARE(qstr(error.message()), QStringLiteral("boom"));
    QCOMPARE(qstr(error.where().file), file);
}

void TestError::builders()
{
    const Error input = inputError("t.csv", 4, "bad", 2);
    QCOMPARE(mtl::test::codeName(input.code()), QStringLiteral("invalid input"));
    QCOMPARE(input.where().line, 4);
    QCOMPARE(input.where().column, 2);
    QCOMPARE(input.where().offset, -1);
    QCOMPARE(QString::fromUtf8(input.what()), QStringLiteral("t.csv:4:2: bad"));

    const Error offset = offsetError("i.idx", 12, "short");
    QCOMPARE(mtl::test::codeName(offset.code()), QStringLiteral("invalid input"));
    QCOMPARE(offset.where().offset, 12);
    QCOMPARE(offset.where().line, -1);
    QCOMPARE(QString::fromUtf8(offset.what()), QStringLiteral("i.idx (byte offset 12): short"));
}

void TestError::codeNames()
{
    // Every code has its own name (front ends print it).
    const ErrorCode codes[] = {ErrorCode::InvalidInput, ErrorCode::NotFound, ErrorCode::Config,
                               ErrorCode::Io,           ErrorCode::Store,    ErrorCode::Training,
                               ErrorCode::Interrupted};
    QStringList names;
    for (ErrorCode code : codes)
        names << mtl::test::codeName(code);
    names.removeDuplicates();
    QCOMPARE(names.size(), int(std::size(codes)));
    QVERIFY(!names.contains(QStringLiteral("error")));
    QCOMPARE(mtl::test::codeName(ErrorCode::Config), QStringLiteral("config error"));
}

QTEST_APPLESS_MAIN(TestError)
#include "tst_error.moc"
